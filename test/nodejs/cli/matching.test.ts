// The `taskmarket` command line for what goes to the contracts directly, run as its users run it (a child process of
// the project's Node on cli/src/main.ts) against a local chain with the protocol deployed and a deployment record:
// reverse auctions (open bids from two accounts and a finalization by anyone; a sealed bid saved, revealed and
// awarded), the application board with a subtask of the assigned task, a challenged optimistic submission through
// evidence, the panel's votes and the executed ruling, a settlement both parties sign, and bad input with its exit
// codes and one-line errors.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { createPublicClient, http, parseEther, type Address, type PublicClient } from "viem";
import { mnemonicToAccount } from "viem/accounts";

import { deployProtocol } from "../../../scripts/deploy-protocol.ts";
import { writeDeployment, type Deployment } from "../../../scripts/deployment.ts";
import { DEV_MNEMONIC, devPrivateKey, startLocalChain, type LocalChain } from "../../../scripts/local-chain.ts";
import { TASK_DOCUMENT_VERSION, contentHash, type TaskDocument } from "../../../sdk/src/index.ts";

const MAIN = join(import.meta.dirname, "..", "..", "..", "cli", "src", "main.ts");

/** Accounts the deployment leaves alone (0 deploys and owns, 1 takes fees, 17–19 are the panel's arbiters). */
const ACCOUNT = { poster: 2, agent: 4, operator: 5, other: 7, secondAgent: 8, arbiter: 17, secondArbiter: 18 } as const;
type Role = keyof typeof ACCOUNT;

const DAY = 24 * 3600;
const REWARD = parseEther("1");
const BOND = parseEther("0.1");
const OPEN_GATE = { minCompleted: 0, maxDisputesLostBps: 10_000, dependencies: [] };

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

function summaryDocument(overrides: { method?: "review" | "optimistic"; reward?: bigint; objective?: string } = {}) {
  return {
    version: TASK_DOCUMENT_VERSION,
    objective: overrides.objective ?? "Summarize the article at the given URL in at most three sentences.",
    input_constraints: { schema: { type: "object" } },
    execution_requirements: {
      executor_kind: "agent",
      max_duration_seconds: 6 * 3600,
      required_capabilities: ["lang:en", "skill:summarization"],
    },
    verification_criteria: { method: overrides.method ?? "review" },
    compensation: { token: "ETH", reward: (overrides.reward ?? REWARD).toString(), claim_bond: BOND.toString() },
    dependencies: [],
    metadata: { category: "writing/summaries", tags: ["news"] },
  } satisfies TaskDocument;
}

describe("the taskmarket command line: auctions, applications, subtasks and arbitration", () => {
  let chain: LocalChain;
  let deployment: Deployment;
  let publicClient: PublicClient;
  let directory: string;
  let deploymentFile: string;

  function cli(args: string[], role?: Role, environment: Record<string, string> = {}): Promise<CliRun> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [MAIN, ...args], {
        env: {
          PATH: process.env.PATH ?? "",
          TASKMARKET_DEPLOYMENT: deploymentFile,
          ...(role === undefined ? {} : { TASKMARKET_PRIVATE_KEY: devPrivateKey(ACCOUNT[role]) }),
          ...environment,
        },
        stdio: ["ignore", "pipe", "pipe"],
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
    });
  }

  async function ok(args: string[], role?: Role): Promise<CliRun> {
    const run = await cli(args, role);
    assert.equal(run.code, 0, `taskmarket ${args.join(" ")} exited ${run.code}: ${run.stderr}${run.stdout}`);
    return run;
  }

  /** Runs and requires failure with `code`, one line on stderr, and (with --json) the error's JSON on stdout. */
  async function fails(args: string[], role: Role | undefined, code: number, message: RegExp): Promise<CliRun> {
    const run = await cli([...args, "--json"], role);
    assert.equal(run.code, code, `taskmarket ${args.join(" ")} exited ${run.code}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.equal(
      run.stderr
        .trim()
        .split("\n")
        .filter((line) => line.startsWith("taskmarket:")).length,
      1,
    );
    assert.ok(run.json?.error, `no JSON error on stdout: ${run.stdout}`);
    return run;
  }

  function file(name: string, content: unknown): string {
    const path = join(directory, name);
    writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
    return path;
  }

  const address = (role: Role): Address => mnemonicToAccount(DEV_MNEMONIC, { addressIndex: ACCOUNT[role] }).address;

  async function latestTimestamp(): Promise<number> {
    return Number((await publicClient.getBlock({ blockTag: "latest" })).timestamp);
  }

  async function increaseTime(seconds: number): Promise<void> {
    await publicClient.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
    await publicClient.request({ method: "evm_mine" as never, params: [] as never });
  }

  async function transactionCount(role: Role): Promise<number> {
    return publicClient.getTransactionCount({ address: address(role) });
  }

  before(async () => {
    chain = await startLocalChain();
    deployment = await deployProtocol(chain.rpcUrl);
    publicClient = createPublicClient({ transport: http(chain.rpcUrl) }) as PublicClient;
    directory = mkdtempSync(join(tmpdir(), "taskmarket-cli-matching-"));
    deploymentFile = join(directory, "deployment.json");
    writeDeployment(deployment, deploymentFile);
    for (const role of ["agent", "secondAgent"] as const) {
      await ok(
        [
          "register",
          "--kind",
          "agent",
          "--operator",
          address("operator"),
          "--capability",
          "lang:en",
          "--capability",
          "skill:summarization",
        ],
        role,
      );
    }
  });

  after(async () => {
    await chain?.stop();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  });

  it("runs an open auction: two bids, the auction shown, a finalization by anyone, a losing deposit back", async () => {
    const now = await latestTimestamp();
    const auction = file("open-auction.json", {
      module: "reverseAuction",
      config: { requirements: OPEN_GATE, biddingEnd: now + DAY, priceWeightBps: 10_000, awardWindow: "1d" },
    });
    const posted = await ok(
      ["post", file("auctioned.json", summaryDocument()), "--assignment", `@${auction}`, "--json"],
      "poster",
    );
    const taskId = String(posted.json.taskId);

    // A bid above the reward: the chain's error, before anything is sent.
    const sentBefore = await transactionCount("agent");
    const tooHigh = await fails(
      ["bid", taskId, "--price", (REWARD + 1n).toString(), "--eta", "1h"],
      "agent",
      4,
      /would revert \(nothing was sent\): .*ReverseAuction_InvalidPrice/,
    );
    assert.equal(tooHigh.json.error.errorName, "ReverseAuction_InvalidPrice");
    assert.equal(await transactionCount("agent"), sentBefore);

    const first = await ok(["bid", taskId, "--price", parseEther("0.8").toString(), "--eta", "1h", "--json"], "agent");
    assert.equal(first.json.status, "Posted");
    assert.equal(first.json.price, parseEther("0.8").toString());
    assert.match(first.stderr, /^mined in block \d+: bid 800000000000000000 on task/m);
    await ok(["bid", taskId, "--price", parseEther("0.6").toString(), "--eta", "2h"], "secondAgent");

    const shown = await ok(["auction", taskId, "--json"], "other");
    assert.equal(shown.json.phase, "Bidding");
    assert.deepEqual(
      shown.json.bids.map((bid: any) => [bid.bidder, bid.statusName, bid.price, bid.eta]),
      [
        [address("agent"), "Placed", parseEther("0.8").toString(), 3600],
        [address("secondAgent"), "Placed", parseEther("0.6").toString(), 7200],
      ],
    );
    const table = await ok(["auction", taskId]);
    assert.match(table.stdout, /^Phase:\s+Bidding$/m);
    assert.match(table.stdout, new RegExp(`^${address("secondAgent")}\\s+Placed\\s+0\\.6 ETH\\s+7200s`, "m"));

    await fails(["finalize", taskId], "other", 4, /ReverseAuction_AuctionNotClosed/);
    await increaseTime(2 * DAY + 1);
    const preview = await ok(["auction", taskId, "--json"]);
    assert.equal(preview.json.preview.winner, address("secondAgent"));
    const finalized = await ok(["finalize", taskId, "--json"], "other");
    assert.equal(finalized.json.status, "Claimed");
    assert.equal(finalized.json.winner, address("secondAgent"));
    assert.equal((await ok(["auction", taskId, "--json"])).json.phase, "Awarded");

    const withdrawn = await ok(["withdraw-bid", taskId, "--json"], "agent");
    assert.equal(withdrawn.json.transactions.length, 1);
    await fails(["withdraw-bid", taskId], "agent", 4, /ReverseAuction_NothingToWithdraw/);
  });

  it("saves a sealed bid's salt before committing, reveals it from the file, and the poster awards it", async () => {
    const now = await latestTimestamp();
    const auction = JSON.stringify({
      module: "reverseAuction",
      config: {
        requirements: OPEN_GATE,
        biddingEnd: new Date((now + DAY) * 1000).toISOString(),
        revealEnd: now + 2 * DAY,
        bidBond: parseEther("0.05").toString(),
        priceWeightBps: 5_000,
        awardWindow: DAY,
      },
    });
    const posted = await ok(
      ["post", file("sealed.json", summaryDocument()), "--assignment", auction, "--json"],
      "poster",
    );
    const taskId = String(posted.json.taskId);
    const price = parseEther("0.7").toString();

    const unsaved = await fails(
      ["bid", taskId, "--price", price, "--eta", "1h", "--sealed"],
      "agent",
      2,
      /needs --save <file>/,
    );
    assert.equal(unsaved.json.error.kind, "usage");
    await fails(["bid", taskId, "--price", price, "--eta", "1h"], "agent", 2, /takes sealed bids: add --sealed --save/);

    const saved = join(directory, "bid.json");
    // A commitment the chain would refuse (from an account that is no registered executor) sends nothing and leaves
    // no file behind.
    await fails(
      ["bid", taskId, "--price", price, "--eta", "1h", "--sealed", "--save", saved],
      "other",
      4,
      /would revert \(nothing was sent\)/,
    );
    assert.ok(!existsSync(saved));
    const committed = await ok(
      ["bid", taskId, "--price", price, "--eta", "1h", "--sealed", "--save", saved, "--json"],
      "agent",
    );
    const onDisk = JSON.parse(readFileSync(saved, "utf8"));
    assert.equal(onDisk.salt, committed.json.salt);
    assert.equal(onDisk.commitment, committed.json.commitment);
    assert.equal(onDisk.price, price);
    assert.match(committed.stderr, /saved the bid and its salt to .*bid\.json/);
    // The sealed price is not in the auction before the reveal.
    const sealed = await ok(["auction", taskId]);
    assert.match(sealed.stdout, /Committed\s+\(sealed\)/);
    assert.doesNotMatch(sealed.stdout, /0\.7 ETH/);

    // A second sealed bid never overwrites the first one's salt; nothing is sent.
    const sentBefore = await transactionCount("agent");
    await fails(
      ["bid", taskId, "--price", price, "--eta", "1h", "--sealed", "--save", saved],
      "agent",
      2,
      /Cannot write the sealed bid to .*EEXIST/,
    );
    assert.equal(await transactionCount("agent"), sentBefore);

    await fails(["reveal", taskId, "--bid", saved], "agent", 4, /ReverseAuction_RevealWindowClosed/);
    await increaseTime(DAY + 1);
    await fails(["reveal", taskId, "--bid", saved], "secondAgent", 2, /only that account can reveal it/);
    await fails(["reveal", taskId, "--bid", saved, "--price", price], "agent", 2, /not both/);
    const revealed = await ok(["reveal", taskId, "--bid", saved, "--json"], "agent");
    assert.equal(revealed.json.price, price);
    assert.equal((await ok(["auction", taskId, "--json"])).json.bids[0].statusName, "Placed");

    await increaseTime(DAY);
    await fails(["award", taskId, address("agent")], "secondAgent", 4, /ReverseAuction_CallerNotPoster/);
    await fails(["award", taskId, "nobody"], "poster", 2, /The bidder must be an address/);
    const awarded = await ok(["award", taskId, address("agent"), "--json"], "poster");
    assert.equal(awarded.json.status, "Claimed");
    assert.equal(awarded.json.winner, address("agent"));
  });

  it("takes applications, assigns one, and the executor funds a subtask from the task's budget", async () => {
    const board = { module: "applicationBoard", config: { requirements: OPEN_GATE } };
    const posted = await ok(
      [
        "post",
        file("board.json", summaryDocument({ objective: "Write a weekly digest of five articles." })),
        "--assignment",
        JSON.stringify(board),
        "--subtask-budget",
        (REWARD / 2n).toString(),
        "--json",
      ],
      "poster",
    );
    const taskId = String(posted.json.taskId);
    const claim = await fails(
      ["claim", taskId],
      "agent",
      3,
      /wrong_assignment: .*applicationBoard module: nobody claims it/,
    );
    assert.equal(claim.json.error.assignment, "applicationBoard");

    const note = { pitch: "I summarize news daily." };
    const applied = await ok(
      ["apply", taskId, "--note", file("note.json", note), "--uri", "ipfs://bafynote", "--json"],
      "agent",
    );
    assert.equal(applied.json.noteHash, contentHash(note));
    assert.equal(applied.json.noteURI, "ipfs://bafynote");
    await fails(["apply", taskId], "agent", 4, /ApplicationBoard_AlreadyApplied/);
    await ok(["apply", taskId], "secondAgent");

    await fails(["assign", taskId, address("agent")], "secondAgent", 4, /ApplicationBoard_CallerNotPoster/);
    const assigned = await ok(["assign", taskId, address("agent"), "--json"], "poster");
    assert.equal(assigned.json.status, "Claimed");
    assert.equal(assigned.json.executor, address("agent"));
    await ok(["withdraw-application", taskId], "secondAgent");
    await fails(["withdraw-application", taskId], "secondAgent", 4, /ApplicationBoard_NoApplication/);

    const history = await ok(["history", taskId, "--json"]);
    const claimed = history.json.events.find((event: { eventName: string }) => event.eventName === "TaskClaimed");
    assert.equal(claimed?.args.executor, address("agent"));

    const partReward = parseEther("0.2");
    const part = file("part.json", summaryDocument({ objective: "Summarize the first article.", reward: partReward }));
    await fails(["subtask", taskId, part], "secondAgent", 4, /TaskMarket_/);
    const subtask = await ok(["subtask", taskId, part, "--json"], "agent");
    assert.equal(subtask.json.parentId, taskId);
    assert.equal(subtask.json.terms.poster, address("agent"));
    assert.equal(subtask.json.terms.reward, partReward.toString());
    assert.match(subtask.stderr, /no API stores the document of a subtask/);
    const shown = await ok(["show", String(subtask.json.taskId), "--json"]);
    assert.equal(shown.json.status, "Posted");
    await fails(
      ["subtask", taskId, file("too-large.json", summaryDocument({ reward: parseEther("0.4") }))],
      "agent",
      4,
      /TaskMarket_SubtaskBudgetExceeded/,
    );
  });

  it("takes a challenged submission through evidence and the panel's votes to an executed ruling", async () => {
    const taskId = await optimisticTaskUnderReview("challenged.json");
    const challenged = await ok(["dispute", taskId, "--json"], "other");
    assert.equal(challenged.json.status, "Disputed");
    await fails(["vote", taskId, "--executor-share", "100"], "arbiter", 3, /invalid_phase: .*AwaitingRespondent/);
    await fails(["execute-ruling", taskId], "other", 4, /DisputableModule_InvalidPhase/);
    await ok(["respond", taskId], "agent");

    const evidence = { log: "all sources cited" };
    const submitted = await ok(
      ["evidence", taskId, "--file", file("evidence.json", evidence), "--uri", "ipfs://bafylog", "--json"],
      "agent",
    );
    assert.equal(submitted.json.evidenceHash, contentHash(evidence));
    await fails(["evidence", taskId, "--uri", "ipfs://x"], "poster", 4, /DisputableModule_CallerNotParty/);
    await fails(["evidence", taskId], "agent", 2, /Give the evidence as --file/);

    await fails(
      ["vote", taskId, "--executor-share", "55"],
      "arbiter",
      2,
      /--executor-share must be a multiple of 10 percent/,
    );
    await fails(["vote", taskId], "arbiter", 2, /--executor-share <percent> or as --refuse/);
    await fails(["vote", taskId, "--executor-share", "100"], "other", 4, /PanelArbitrator_CallerNotArbiter/);
    const firstVote = await ok(["vote", taskId, "--executor-share", "100", "--json"], "arbiter");
    assert.equal(firstVote.json.ruling, 11);
    assert.equal(firstVote.json.phase, "Arbitrating");
    await fails(["vote", taskId, "--executor-share", "100"], "arbiter", 4, /PanelArbitrator_AlreadyVoted/);
    const secondVote = await ok(["vote", taskId, "--executor-share", "100", "--json"], "secondArbiter");
    assert.equal(secondVote.json.phase, "Ruled");
    await fails(["timeout", taskId], "other", 3, /this one is ruled: `taskmarket execute-ruling`/);

    const executed = await ok(["execute-ruling", taskId, "--json"], "other");
    assert.equal(executed.json.status, "Settled");
  });

  it("ends an unanswered challenge by timeout, and settles another at the split both parties signed", async () => {
    const unanswered = await optimisticTaskUnderReview("unanswered.json");
    await ok(["dispute", unanswered], "other");
    await fails(["timeout", unanswered], "other", 4, /DisputableModule_DeadlineNotPassed/);
    await increaseTime(8 * DAY);
    const timedOut = await ok(["timeout", unanswered, "--json"], "other");
    assert.equal(timedOut.json.action, "timeout-respondent");

    const taskId = await optimisticTaskUnderReview("agreed.json");
    await ok(["dispute", taskId], "other");
    await fails(
      ["settlement", "sign", taskId, "--executor-share", "60"],
      "other",
      2,
      /neither task .* poster nor its executor/,
    );
    await fails(["settlement", "sign", taskId, "--executor-share", "160"], "poster", 2, /at most 100/);
    const deadline = (await latestTimestamp()) + 3600;
    const signed = await ok(
      ["settlement", "sign", taskId, "--executor-share", "60", "--deadline", String(deadline), "--json"],
      "poster",
    );
    assert.equal(signed.json.role, "poster");
    assert.equal(signed.json.signer, address("poster"));
    assert.match(signed.json.signature, /^0x[0-9a-f]{130}$/);
    const text = await ok(
      ["settlement", "sign", taskId, "--executor-share", "60", "--deadline", String(deadline)],
      "poster",
    );
    assert.match(
      text.stdout,
      new RegExp(
        `taskmarket settlement submit ${taskId} --executor-share 60 --deadline ${deadline} --poster-signature 0x`,
      ),
    );

    await fails(
      [
        "settlement",
        "submit",
        taskId,
        "--executor-share",
        "60",
        "--deadline",
        String(deadline),
        "--poster-signature",
        signed.json.signature,
      ],
      "other",
      2,
      /neither task/,
    );
    // A different share than the one signed: the module refuses the poster's signature.
    await fails(
      [
        "settlement",
        "submit",
        taskId,
        "--executor-share",
        "70",
        "--deadline",
        String(deadline),
        "--poster-signature",
        signed.json.signature,
      ],
      "agent",
      4,
      /DisputableModule_InvalidSignature/,
    );
    const settled = await ok(
      [
        "settlement",
        "submit",
        taskId,
        "--executor-share",
        "60",
        "--deadline",
        String(deadline),
        "--poster-signature",
        signed.json.signature,
        "--json",
      ],
      "agent",
    );
    assert.equal(settled.json.status, "Settled");
    assert.equal(settled.json.executorShareBps, 6_000);
  });

  it("refuses a malformed assignment before anything is sent", async () => {
    const document = file("plain.json", summaryDocument());
    const sentBefore = await transactionCount("poster");
    await fails(
      ["post", document, "--assignment", '{"module":"lottery","config":{}}'],
      "poster",
      2,
      /must name a "module": gatedClaim, applicationBoard, reverseAuction/,
    );
    await fails(
      [
        "post",
        document,
        "--assignment",
        JSON.stringify({ module: "reverseAuction", config: { requirements: OPEN_GATE } }),
      ],
      "poster",
      2,
      /config\.biddingEnd is required/,
    );
    await fails(["post", document, "--assignment", "{nope"], "poster", 2, /The assignment is not JSON/);
    const now = await latestTimestamp();
    // An auction whose award window outlasts the claim deadline: the SDK's check, before any transaction.
    await fails(
      [
        "post",
        document,
        "--claim-deadline",
        String(now + DAY),
        "--assignment",
        JSON.stringify({
          module: "reverseAuction",
          config: { requirements: OPEN_GATE, biddingEnd: now + DAY / 2, priceWeightBps: 5_000, awardWindow: "1d" },
        }),
      ],
      "poster",
      3,
      /terms_mismatch: .*awardWindow/,
    );
    await fails(
      ["bid", "7", "--price", "lots", "--eta", "1h"],
      "agent",
      2,
      /--price must be a decimal amount in base units, got "lots"/,
    );
    await fails(["bid", "7", "--price", "1", "--eta", "soon"], "agent", 2, /--eta must be seconds or a duration/);
    await fails(["bid", "7", "--eta", "1h"], "agent", 2, /required option '--price <amount>' not specified/);
    await fails(
      ["bid", "7", "--price", "1", "--eta", "1h", "--save", "x.json"],
      "agent",
      2,
      /--save is for a sealed bid/,
    );
    // Through an API without a deployment record, the assignment modules' addresses are unknown: said before anything.
    const throughApi = { TASKMARKET_API_URL: "http://127.0.0.1:9", TASKMARKET_DEPLOYMENT: "" };
    for (const args of [
      ["post", document, "--assignment", JSON.stringify({ module: "gatedClaim", config: { requirements: OPEN_GATE } })],
      ["bid", "7", "--price", "1", "--eta", "1h"],
      ["assign", "7", address("agent")],
    ]) {
      const run = await cli(args, "poster", throughApi);
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, /only a deployment record names: pass --deployment/);
    }
    assert.equal(await transactionCount("poster"), sentBefore);
    assert.ok(!existsSync(join(process.cwd(), "x.json")));
  });

  /** An optimistic task, claimed by the agent, whose submission is in its challenge window. */
  async function optimisticTaskUnderReview(name: string): Promise<string> {
    const verification = {
      method: "optimistic",
      config: {
        arbitrator: deployment.contracts.panelArbitrator.address,
        challengeBond: parseEther("0.01").toString(),
      },
    };
    const posted = await ok(
      [
        "post",
        file(name, summaryDocument({ method: "optimistic" })),
        "--verification",
        JSON.stringify(verification),
        "--review-window",
        "1d",
        "--json",
      ],
      "poster",
    );
    const taskId = String(posted.json.taskId);
    await ok(["claim", taskId], "agent");
    await ok(["submit", taskId, "--output", file(`${name}-output.json`, { summary: "Contested." })], "agent");
    return taskId;
  }
});
