// The `taskmarket` command line, run as its users run it — a child process of the project's Node on cli/src/main.ts,
// configured by its environment — against a whole stack served over HTTP: a local chain with the protocol deployed,
// the graph node indexing it, and the API on 127.0.0.1. One task goes all the way through the API (register, post from
// a document file, search, claim, start, checkpoint, submit, settle, reputation, history), one is verified by the API's
// verification service and settled with its attestation, one is rejected through the review module and disputed, and
// one goes through the contracts directly with a deployment record. Bad input, refused transitions and missing
// configuration end with the documented exit codes and one-line errors.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { keccak256, stringToHex, type Address } from "viem";

import { writeDeployment } from "../../../scripts/deployment.ts";
import { TASK_DOCUMENT_VERSION, contentHash, type TaskDocument } from "../../../sdk/src/index.ts";
import { ACCOUNT_INDEX, devPrivateKey, startStack, type Role, type Stack } from "../api/helpers/stack.ts";

const MAIN = join(import.meta.dirname, "..", "..", "..", "cli", "src", "main.ts");
const ETH = 10n ** 18n;
const SERVICE_METHOD_ID = keccak256(stringToHex("taskmarket/automated-checks/v1"));

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed, for `--json` runs. */
  json: any;
}

function translationDocument(overrides: Partial<TaskDocument> = {}): TaskDocument {
  return {
    version: TASK_DOCUMENT_VERSION,
    objective: "Translate the product announcement into German, keeping the product names in English.",
    input_constraints: {
      schema: { type: "object", required: ["text"], properties: { text: { type: "string" } } },
    },
    execution_requirements: {
      executor_kind: "agent",
      max_duration_seconds: 4 * 3600,
      required_capabilities: ["lang:de", "skill:translation"],
    },
    verification_criteria: { method: "review" },
    compensation: { token: "ETH", reward: (ETH / 2n).toString(), claim_bond: "1000" },
    dependencies: [],
    metadata: { category: "translation/marketing", tags: ["german", "launch"] },
    ...overrides,
  };
}

describe("the taskmarket command line against the whole stack", () => {
  let stack: Stack;
  let apiKey: string;
  let directory: string;
  let deploymentFile: string;

  /** Runs the command line with a clean environment: only what `environment` gives, and the PATH. */
  function cli(args: string[], environment: Record<string, string> = {}, input?: string): Promise<CliRun> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [MAIN, ...args], {
        env: { PATH: process.env.PATH ?? "", ...environment },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      child.stderr.on("data", (chunk) => (stderr += chunk));
      child.on("error", reject);
      child.on("close", (code) => {
        let json: unknown;
        try {
          json = JSON.parse(stdout);
        } catch {
          json = undefined;
        }
        resolve({ code: code ?? -1, stdout, stderr, json });
      });
      child.stdin.end(input ?? "");
    });
  }

  /** The environment of `role` using the API. */
  function asRole(role: Role, extra: Record<string, string> = {}): Record<string, string> {
    return {
      TASKMARKET_API_URL: stack.server!.url,
      TASKMARKET_RPC_URL: stack.chain.rpcUrl,
      TASKMARKET_PRIVATE_KEY: devPrivateKey(ACCOUNT_INDEX[role]),
      ...extra,
    };
  }

  /** Runs and requires success, with the command's stderr in the failure message. */
  async function ok(args: string[], environment: Record<string, string>, input?: string): Promise<CliRun> {
    const run = await cli(args, environment, input);
    assert.equal(run.code, 0, `taskmarket ${args.join(" ")} exited ${run.code}: ${run.stderr}${run.stdout}`);
    return run;
  }

  function file(name: string, content: unknown): string {
    const path = join(directory, name);
    writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
    return path;
  }

  const address = (role: Role): Address => stack.wallets[role].account.address;

  before(async () => {
    stack = await startStack({ serve: true, config: { verifierPrivateKey: devPrivateKey(ACCOUNT_INDEX.verifier) } });
    ({ key: apiKey } = await stack.services.apiKeys.create({ name: "cli tests", scopes: ["verify"] }));
    directory = mkdtempSync(join(tmpdir(), "taskmarket-cli-"));
    deploymentFile = join(directory, "deployment.json");
    writeDeployment(stack.deployment, deploymentFile);
  });

  after(async () => {
    await stack?.stop();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  });

  it("answers --help for the program and each command without any configuration", async () => {
    const help = await ok(["--help"], {});
    for (const command of ["post", "search", "list", "show", "claim", "submit", "verify", "settle", "dispute"]) {
      assert.match(help.stdout, new RegExp(`^  ${command} `, "m"));
    }
    assert.match(help.stdout, /TASKMARKET_PRIVATE_KEY/);
    assert.match(help.stdout, /There is no flag for it/);
    const claim = await ok(["claim", "--help"], {});
    assert.match(claim.stdout, /Usage: taskmarket claim \[options\] <taskId>/);
    assert.match(claim.stdout, /\$ taskmarket claim 7/);
  });

  it("runs a task's whole journey through the API, with progress on stderr and JSON on stdout", async () => {
    const status = await ok(["status", "--json"], asRole("poster"));
    assert.equal(status.json.api.ready, true);
    assert.equal(status.json.chain.chainId, stack.deployment.chainId);
    // No deployment record was given: the addresses were found through the API and the chain.
    assert.equal(status.json.contracts.taskMarket, stack.deployment.contracts.taskMarket.address);
    assert.equal(status.json.contracts.executorRegistry, stack.deployment.contracts.executorRegistry.address);

    const registered = await ok(
      [
        "register",
        "--kind",
        "agent",
        "--operator",
        address("operator"),
        "--capability",
        "lang:de",
        "--capability",
        "skill:translation",
        "--json",
      ],
      asRole("agent"),
    );
    assert.equal(registered.json.executor, address("agent"));
    assert.equal(registered.json.transactions.length, 1);
    assert.equal(registered.json.indexed, true);
    assert.match(registered.stderr, /^sent 0x[0-9a-f]{64}$/m);
    assert.match(registered.stderr, /^waiting for 1 confirmation$/m);
    assert.match(registered.stderr, /^indexed \(block \d+\)$/m);

    const document = translationDocument();
    const posted = await ok(["post", file("task.json", document), "--review-window", "1d", "--json"], asRole("poster"));
    const taskId = String(posted.json.taskId);
    assert.match(taskId, /^[0-9]+$/);
    assert.match(posted.json.documentURI, /^ipfs:\/\//);
    assert.equal(posted.json.terms.reviewWindow, 24 * 3600);
    // Nothing but the JSON document on stdout.
    assert.equal(posted.stdout.trim(), JSON.stringify(posted.json, null, 2));

    const found = await ok(
      ["search", "German", "announcement", "--state", "posted", "--capability", "lang:de", "--json"],
      asRole("agent"),
    );
    assert.ok(found.json.items.some((item: { task: { id: string } }) => item.task.id === taskId));
    const table = await ok(["search", "German"], asRole("agent"));
    assert.match(table.stdout, new RegExp(`^${taskId}\\s+Posted\\s+0\\.5 ETH`, "m"));
    const eligible = await ok(["list", "--eligible", "--json"], asRole("agent"));
    assert.ok(eligible.json.items.some((item: { task: { id: string } }) => item.task.id === taskId));

    const shown = await ok(["show", taskId, "--json"], asRole("agent"));
    assert.equal(shown.json.chain.status, "Posted");
    assert.deepEqual(shown.json.document, document);
    const shownText = await ok(["show", taskId], asRole("agent"));
    assert.match(shownText.stdout, /^Status:\s+Posted$/m);

    const claimed = await ok(["claim", taskId, "--json"], asRole("agent"));
    assert.equal(claimed.json.status, "Claimed");
    // Claiming again: the API reads the live state and refuses with its 409 before anything is signed.
    const again = await cli(["claim", taskId, "--json"], asRole("agent"));
    assert.equal(again.code, 3);
    assert.equal(again.json.error.kind, "api");
    assert.equal(again.json.error.status, 409);
    assert.equal(again.json.error.code, "invalid_transition");
    assert.equal(again.json.error.currentState, "Claimed");
    assert.match(again.stderr, /^taskmarket: the API refused with 409 invalid_transition: .*Claimed/m);
    assert.equal(again.stderr.trim().split("\n").length, 1);

    assert.equal((await ok(["start", taskId, "--json"], asRole("agent"))).json.status, "InProgress");
    const report = file("report.json", { done: ["draft"], remaining: ["review"] });
    const checkpoint = await ok(
      ["checkpoint", taskId, "--percent", "50", "--report", report, "--uri", "ipfs://bafyreport", "--json"],
      asRole("agent"),
    );
    assert.equal(checkpoint.json.progressHash, contentHash({ done: ["draft"], remaining: ["review"] }));

    // The poster cannot approve before a submission: a transition not allowed now.
    const early = await cli(["approve", taskId, "--json"], asRole("poster"));
    assert.equal(early.code, 3);
    assert.equal(early.json.error.code, "invalid_transition");
    assert.equal(early.json.error.currentState, "InProgress");

    const output = { text: "Wir stellen vor: TaskMarket Cloud." };
    const submitted = await ok(
      ["submit", taskId, "--output", file("output.json", output), "--uri", "ipfs://bafyoutput", "--json"],
      asRole("agent"),
    );
    assert.equal(submitted.json.status, "Submitted");
    assert.equal(submitted.json.resultHash, contentHash(output));

    const settled = await ok(["settle", taskId, "--json"], asRole("poster"));
    assert.equal(settled.json.action, "approve");
    assert.equal(settled.json.status, "Settled");

    const reputation = await ok(["reputation", address("agent"), "--history", "--json"], asRole("other"));
    assert.equal(reputation.json.asExecutor.record.completed, 1);
    assert.ok(reputation.json.history.items.some((event: { task: string | null }) => event.task === taskId));

    // The history comes from the chain's logs, oldest first, whoever asks (no key needed to read).
    const history = await ok(["history", taskId, "--json"], {
      TASKMARKET_API_URL: stack.server!.url,
      TASKMARKET_RPC_URL: stack.chain.rpcUrl,
    });
    const names = history.json.events.map((event: { eventName: string }) => event.eventName);
    for (const expected of ["TaskCreated", "TaskClaimed", "TaskStarted", "CheckpointPosted", "WorkSubmitted"]) {
      assert.ok(names.includes(expected), `${expected} in ${names.join(", ")}`);
    }
    assert.equal(names[0], "TaskCreated");
    const blocks = history.json.events.map((event: { blockNumber: string }) => BigInt(event.blockNumber));
    assert.deepEqual(
      blocks,
      [...blocks].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    );
  });

  it("verifies a submission with the API's verification service and settles the task with its attestation", async () => {
    const created = await ok(["verifiers", "create", "--json"], asRole("operator"));
    const setId = String(created.json.setId);
    await ok(["verifiers", "add", setId, address("verifier")], asRole("operator"));
    await ok(["verifiers", "bond", setId, "--amount", ETH.toString()], asRole("verifier"));

    const document = translationDocument({
      verification_criteria: {
        method: "attestation",
        output_schema: {
          type: "object",
          required: ["text"],
          properties: { text: { type: "string", minLength: 1 } },
        },
      },
    });
    const verification = file("attestation.json", {
      method: "attestation",
      config: {
        verifierSetId: setId,
        quorum: 1,
        scored: false,
        methodId: SERVICE_METHOD_ID,
        minBond: (ETH / 10n).toString(),
        arbitrator: stack.deployment.contracts.panelArbitrator.address,
        contestWindow: 0,
        slashBps: 0,
      },
    });
    const posted = await ok(
      ["post", file("attested-task.json", document), "--verification", `@${verification}`, "--json"],
      asRole("poster"),
    );
    const taskId = String(posted.json.taskId);
    assert.equal(posted.json.transactions.length, 2, "publishConfig, then the creation");
    await ok(["claim", taskId], asRole("agent"));
    const outputFile = file("attested-output.json", { text: "Jetzt verfügbar." });
    await ok(["submit", taskId, "--output", outputFile], asRole("agent"));

    // Without an API key the service is not asked.
    const keyless = await cli(["verify", taskId, "--output", outputFile], asRole("other"));
    assert.equal(keyless.code, 2);
    assert.match(keyless.stderr, /TASKMARKET_API_KEY/);

    const verified = await ok(
      ["verify", taskId, "--output", outputFile, "--submit", "--json"],
      asRole("other", { TASKMARKET_API_KEY: apiKey }),
    );
    assert.equal(verified.json.verdict.approved, true);
    assert.equal(verified.json.signing.status, "signed");
    assert.equal(verified.json.submitted.status, "Settled");
  });

  it("rejects through the review module and disputes the rejection before the arbitrator", async () => {
    const verification = JSON.stringify({
      method: "review",
      config: {
        reviewer: address("verifier"),
        arbitrator: stack.deployment.contracts.panelArbitrator.address,
        contestWindow: 3600,
      },
    });
    const posted = await ok(
      ["post", file("reviewed-task.json", translationDocument()), "--verification", verification, "--json"],
      asRole("poster"),
    );
    const taskId = String(posted.json.taskId);
    await ok(["claim", taskId], asRole("agent"));
    await ok(["submit", taskId, "--output", file("reviewed-output.json", { text: "Hallo." })], asRole("agent"));
    const rejected = await ok(
      ["reject", taskId, "--reason", file("reason.json", { reason: "too short" }), "--json"],
      asRole("verifier"),
    );
    assert.equal(rejected.json.transactions[0].description, `reject task ${taskId}`);
    const disputed = await ok(["dispute", taskId, "--json"], asRole("agent"));
    assert.equal(disputed.json.status, "Disputed");
    const history = await ok(["history", taskId, "--json"], asRole("other"));
    const sources = history.json.events.map((event: { source: string }) => event.source);
    assert.ok(sources.includes("reviewModule"), sources.join(", "));
  });

  it("posts a task behind the application board through the API, publishes its configuration, and assigns it", async () => {
    // The assignment modules' addresses come from a deployment record; reads and the creation still go through the API.
    const withRecord = (role: Role) => asRole(role, { TASKMARKET_DEPLOYMENT: deploymentFile });
    const board = {
      module: "applicationBoard",
      config: { requirements: { minCompleted: 0, maxDisputesLostBps: 10_000, dependencies: [] } },
    };
    const posted = await ok(
      ["post", file("board-task.json", translationDocument()), "--assignment", JSON.stringify(board), "--json"],
      withRecord("poster"),
    );
    const taskId = String(posted.json.taskId);
    assert.equal(posted.json.transactions.length, 2, "the creation, then the board's publishConfig");
    assert.match(posted.json.transactions[1].description, /^publish the applicationBoard configuration$/);
    assert.equal(posted.json.indexed, true);

    const applied = await ok(["apply", taskId, "--json"], withRecord("agent"));
    assert.equal(applied.json.status, "Posted");
    const assigned = await ok(["assign", taskId, address("agent"), "--json"], withRecord("poster"));
    assert.equal(assigned.json.status, "Claimed");
    assert.equal(assigned.json.executor, address("agent"));
  });

  it("drives a task directly against the contracts with a deployment record and no API", async () => {
    const direct = (role: Role) => ({
      TASKMARKET_DEPLOYMENT: deploymentFile,
      TASKMARKET_PRIVATE_KEY: devPrivateKey(ACCOUNT_INDEX[role]),
    });
    // The document comes on stdin.
    const posted = await ok(["post", "-", "--json"], direct("poster"), JSON.stringify(translationDocument()));
    const taskId = String(posted.json.taskId);
    assert.match(posted.json.canonicalDocument, /^\{"compensation":/);
    assert.match(posted.stderr, /no API stores the document/);
    await ok(["claim", taskId], direct("agent"));

    // A revert is reported with the contract's custom error, before anything is signed.
    const again = await cli(["claim", taskId, "--json"], direct("agent"));
    assert.equal(again.code, 4);
    assert.equal(again.json.error.kind, "revert");
    assert.match(again.json.error.errorName, /^TaskMarket_/);
    assert.match(again.stderr, /would revert \(nothing was sent\): taskMarket\.claim reverted with TaskMarket_/);

    await ok(["submit", taskId, "--hash", contentHash({ text: "direct" })], direct("agent"));
    const approved = await ok(["approve", taskId, "--json"], direct("poster"));
    assert.equal(approved.json.status, "Settled");
    const shown = await ok(["show", taskId, "--json"], { TASKMARKET_DEPLOYMENT: deploymentFile });
    assert.equal(shown.json.status, "Settled");
    assert.equal(shown.json.posted.terms.poster, address("poster"));
  });

  it("refuses bad input and missing configuration with a one-line error and its exit code", async () => {
    const malformed = await cli(["post", file("broken.json", "{ not json"), "--json"], asRole("poster"));
    assert.equal(malformed.code, 2);
    assert.equal(malformed.json.error.kind, "usage");
    assert.match(malformed.stderr, /^taskmarket: The task document in .*broken\.json is not JSON/);

    const invalid = await cli(["post", file("invalid.json", { ...translationDocument(), objective: "" }), "--json"], {
      ...asRole("poster"),
    });
    assert.equal(invalid.code, 3);
    assert.equal(invalid.json.error.code, "invalid_document");
    assert.ok(invalid.json.error.errors.some((error: { path: string }) => error.path === "/objective"));

    const missing = await cli(["show", "999999", "--json"], asRole("other"));
    assert.equal(missing.code, 3);
    assert.equal(missing.json.error.status, 404);
    assert.equal(missing.json.error.code, "not_found");
    const notAnId = await cli(["show", "seven"], asRole("other"));
    assert.equal(notAnId.code, 2);
    assert.match(notAnId.stderr, /A task id is a positive decimal number, got "seven"/);

    const unknownOption = await cli(["claim", "1", "--bond", "3"], asRole("agent"));
    assert.equal(unknownOption.code, 2);
    assert.match(unknownOption.stderr, /unknown option '--bond'/);

    const noKey = await cli(["claim", "1"], { TASKMARKET_API_URL: stack.server!.url });
    assert.equal(noKey.code, 2);
    assert.match(noKey.stderr, /set TASKMARKET_PRIVATE_KEY/);
    assert.equal(noKey.stdout, "");

    const noUrl = await cli(["search", "german", "--json"], { TASKMARKET_PRIVATE_KEY: devPrivateKey(2) });
    assert.equal(noUrl.code, 2);
    assert.match(noUrl.json.error.message, /TASKMARKET_API_URL/);

    const badKey = await cli(["claim", "1"], { ...asRole("agent"), TASKMARKET_PRIVATE_KEY: "0x1234" });
    assert.equal(badKey.code, 2);
    assert.doesNotMatch(badKey.stderr, /1234/);

    const unreachable = await cli(["show", "1"], { TASKMARKET_API_URL: "http://127.0.0.1:9" });
    assert.equal(unreachable.code, 5);
    assert.match(unreachable.stderr, /^taskmarket: cannot reach the API/);
  });
});
