// The verification service and the Verification API against one real stack: a local chain with the protocol, the
// graph node indexing it, and the API with a dev account's key as its verifier key. The verifier set, its bonded
// verifier, the configurations and the tasks are set up on-chain; attestations the API signs are checked with viem and
// ethers and submitted to the AttestationModule, which accepts them once and rejects them replayed, expired or signed
// for another chain. Acceptance suites that loop forever or exhaust memory are stopped by the sandbox, and the API
// carries on.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { TypedDataEncoder, encryptKeystoreJson, verifyTypedData as ethersVerifyTypedData } from "ethers";
import {
  BaseError,
  ContractFunctionRevertedError,
  bytesToHex,
  hashTypedData,
  keccak256,
  parseEventLogs,
  stringToHex,
  verifyTypedData,
  zeroAddress,
  type Address,
  type Hex,
  type TransactionReceipt,
} from "viem";
import { privateKeyToAddress } from "viem/accounts";

import { API_SCHEMA } from "../../../api/src/store/api-database.ts";
import { AttestationSigner } from "../../../api/src/verification/attestation-signer.ts";
import {
  SERVICE_METHOD_ID,
  SERVICE_SUITE_LIMITS,
  type VerificationRecord,
} from "../../../api/src/verification/verification-service.ts";
import {
  loadVerifierKeystore,
  readVerifierKeystoreEnv,
  resolveVerifierKey,
} from "../../../api/src/verification/verifier-key.ts";
import {
  TASK_DOCUMENT_VERSION,
  canonicalJson,
  commitTaskDocument,
  validateTaskDocument,
  type JsonValue,
  type TaskDocument,
} from "../../../src/documents/index.ts";
import {
  attestationModuleAbi,
  optimisticModuleAbi,
  panelArbitratorAbi,
  proofModuleAbi,
  taskMarketAbi,
} from "../../../src/protocol/abis.ts";
import {
  ATTESTATION_TYPES,
  attestationTypedData,
  moduleDomain,
  type AttestationMessage,
} from "../../../src/protocol/eip712.ts";
import { outputHash } from "../../../src/protocol/results.ts";
import { ExecutorKind, NO_MILESTONES, TaskStatus, type TaskTerms } from "../../../src/protocol/terms.ts";
import type { AttestationConfig, OptimisticConfig } from "../../../src/protocol/verification-configs.ts";
import { ACCOUNT_INDEX, devPrivateKey, startStack, type Stack } from "./helpers/stack.ts";

const ETH = 10n ** 18n;
const DAY = 24 * 3600;
const REWARD = 1n * ETH;
const CLAIM_BOND = ETH / 10n;
const REVIEW_WINDOW = DAY;
const VERIFIER_BOND = 1n * ETH;
const CHALLENGE_BOND = ETH / 10n;
/** keccak256 of an empty capability list. */
const NO_CAPABILITIES: Hex = keccak256("0x");
const VERIFIER_KEY = devPrivateKey(ACCOUNT_INDEX.verifier);

const LINES_SCHEMA = {
  type: "object",
  required: ["lines"],
  additionalProperties: false,
  properties: { lines: { type: "array", items: { type: "string" } } },
} as const;

const LINES_SUITE = `
  test("has at least two lines", () => assert(output.lines.length >= 2, "only " + output.lines.length + " line(s)"));
  test("no line is empty", () => { for (const line of output.lines) assert(line.length > 0, "an empty line"); });
`;
const ENDLESS_LOOP_SUITE = `test("spins", () => { for (;;) {} });`;
const MEMORY_BOMB_SUITE = `test("hoards", () => { let text = "x"; for (;;) { text += text; text.charCodeAt(0); } });`;

const GOOD_OUTPUT = { lines: ["alpha", "beta"] };
const SHORT_OUTPUT = { lines: ["alpha"] };

/** A verification record as the API sends it. */
type RecordJson = Omit<VerificationRecord, "taskId"> & { taskId: string };

/** The JSON body of `response`, as the test expects it to be shaped. */
async function json<T = any>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

interface PostedTask {
  taskId: bigint;
  terms: TaskTerms;
}

function documentWith(method: "attestation" | "optimistic", suite: string): TaskDocument {
  return taskDocument({
    method,
    output_schema: LINES_SCHEMA,
    acceptance_tests: { language: "javascript", source: suite },
  });
}

function taskDocument(criteria: Record<string, unknown>): TaskDocument {
  const document = {
    version: TASK_DOCUMENT_VERSION,
    objective: "List the lines of the attached poem, in order, one string per line.",
    input_constraints: { schema: { type: "object" } },
    execution_requirements: { executor_kind: "any", max_duration_seconds: 3 * DAY },
    verification_criteria: criteria,
    compensation: { token: "ETH", reward: REWARD.toString(), claim_bond: CLAIM_BOND.toString() },
    dependencies: [],
    metadata: { category: "text/transcription", tags: ["verification-test"] },
  };
  const validation = validateTaskDocument(document);
  assert.ok(validation.ok, JSON.stringify(!validation.ok && validation.errors));
  return validation.document;
}

/** The name of the custom error `call` reverts with. */
async function revertName(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    const reverted = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : null;
    if (reverted instanceof ContractFunctionRevertedError) return reverted.data?.errorName ?? reverted.shortMessage;
    throw error;
  }
  assert.fail("the call did not revert");
}

describe("verification service and Verification API", () => {
  let stack: Stack;
  let apiKey: string;
  let verifier: Address;
  let attestationConfig: AttestationConfig;
  let optimisticConfig: OptimisticConfig;
  let arbitrationFee: bigint;
  const tasks = {} as Record<"passing" | "failing" | "loop" | "bomb" | "open" | "optimistic" | "proof", PostedTask>;
  /** Task B's output, submitted as the bytes of a pretty-printed JSON file. */
  const failingBytes = bytesToHex(new TextEncoder().encode(`${JSON.stringify(SHORT_OUTPUT, null, 2)}\n`));
  let passingRecord: RecordJson;
  let failingRecord: RecordJson;

  /** A POST with the test's API key, another key, or none (`null`). */
  const post = (path: string, body: unknown, key: string | null = apiKey) =>
    stack.request("POST", path, body, key === null ? {} : { "x-api-key": key });

  async function chainTime(): Promise<number> {
    return Number((await stack.publicClient.getBlock()).timestamp);
  }

  async function postTask(verifierAddress: Address, configHash: Hex, document: TaskDocument): Promise<PostedTask> {
    const { chain } = stack.services;
    const commitment = await commitTaskDocument(document);
    await stack.services.documents.put(document, commitment);
    const feeBps = await stack.publicClient.readContract({
      address: chain.address("taskMarket"),
      abi: taskMarketAbi,
      functionName: "protocolFeeBps",
    });
    const terms: TaskTerms = {
      poster: stack.wallets.poster.account.address,
      token: zeroAddress,
      reward: REWARD,
      claimBond: CLAIM_BOND,
      claimDeadline: (await chainTime()) + 7 * DAY,
      executionWindow: 3 * DAY,
      reviewWindow: REVIEW_WINDOW,
      feeBps,
      executorKind: ExecutorKind.Any,
      verifier: verifierAddress,
      verifierFee: 0n,
      verifierConfigHash: configHash,
      capabilitiesHash: NO_CAPABILITIES,
      documentHash: commitment.documentHash,
      milestoneShares: NO_MILESTONES,
    };
    const receipt = await stack.send(
      "poster",
      chain.prepare("taskMarket", "createTask", [terms, [], commitment.documentURI], {
        value: REWARD,
        description: "create",
      }),
    );
    const [created] = parseEventLogs({ abi: taskMarketAbi, logs: receipt.logs, eventName: "TaskCreated" });
    return { taskId: created!.args.taskId, terms };
  }

  async function claimAndSubmit(task: PostedTask, resultHash: Hex): Promise<TransactionReceipt> {
    const { chain } = stack.services;
    await stack.send(
      "human",
      chain.prepare("taskMarket", "claim", [task.taskId, task.terms, []], { value: CLAIM_BOND, description: "claim" }),
    );
    return stack.send(
      "human",
      chain.prepare("taskMarket", "submit", [task.taskId, task.terms, resultHash, "ipfs://result"], {
        description: "submit",
      }),
    );
  }

  function submitVerdictArgs(task: PostedTask, attestation: NonNullable<RecordJson["attestation"]>) {
    const signed = attestation.signedAttestation;
    return [
      task.taskId,
      task.terms,
      attestationConfig,
      attestation.verdict,
      [
        {
          signer: signed.signer,
          scoreBps: signed.scoreBps,
          evidenceHash: signed.evidenceHash,
          deadline: BigInt(signed.deadline),
          nonce: BigInt(signed.nonce),
          signature: signed.signature,
        },
      ],
    ] as const;
  }

  function simulateVerdict(task: PostedTask, attestation: NonNullable<RecordJson["attestation"]>) {
    return stack.publicClient.simulateContract({
      address: stack.services.chain.address("attestationModule"),
      abi: attestationModuleAbi,
      functionName: "submitVerdict",
      args: submitVerdictArgs(task, attestation),
      account: stack.wallets.other.account.address,
    });
  }

  async function auditEntries(digest: Hex) {
    return stack.services.db.query<{ action: string; api_key_id: string | null; signer: string; signature: string }>(
      `SELECT action, api_key_id, signer, signature FROM ${API_SCHEMA}.audit_log WHERE digest = $1 ORDER BY id`,
      [digest],
    );
  }

  before(async () => {
    stack = await startStack({ config: { verifierPrivateKey: VERIFIER_KEY } });
    const { chain } = stack.services;
    verifier = stack.wallets.verifier.account.address;
    apiKey = (await stack.services.apiKeys.create({ name: "verification tests", scopes: ["verify"] })).key;

    // A verifier set administered by the operator, with the API's key as its one bonded verifier.
    const created = await stack.send(
      "operator",
      chain.prepare("attestationModule", "createVerifierSet", [stack.wallets.operator.account.address], {
        description: "create set",
      }),
    );
    const [set] = parseEventLogs({ abi: attestationModuleAbi, logs: created.logs, eventName: "VerifierSetCreated" });
    const setId = set!.args.setId;
    await stack.send(
      "operator",
      chain.prepare("attestationModule", "addVerifier", [setId, verifier], { description: "add" }),
    );
    await stack.send(
      "verifier",
      chain.prepare("attestationModule", "bond", [setId], { value: VERIFIER_BOND, description: "bond" }),
    );
    attestationConfig = {
      verifierSetId: setId,
      quorum: 1,
      scored: false,
      methodId: SERVICE_METHOD_ID,
      minBond: VERIFIER_BOND / 2n,
      arbitrator: zeroAddress,
      contestWindow: 0,
      slashBps: 0,
    };
    await stack.send(
      "poster",
      chain.prepare("attestationModule", "publishConfig", [attestationConfig], { description: "publish" }),
    );
    const attestationConfigHash = await stack.publicClient.readContract({
      address: chain.address("attestationModule"),
      abi: attestationModuleAbi,
      functionName: "configHash",
      args: [attestationConfig],
    });

    optimisticConfig = { arbitrator: chain.address("panelArbitrator"), challengeBond: CHALLENGE_BOND };
    await stack.send(
      "poster",
      chain.prepare("optimisticModule", "publishConfig", [optimisticConfig], { description: "publish" }),
    );
    const optimisticConfigHash = await stack.publicClient.readContract({
      address: chain.address("optimisticModule"),
      abi: optimisticModuleAbi,
      functionName: "configHash",
      args: [optimisticConfig],
    });
    arbitrationFee = await stack.publicClient.readContract({
      address: chain.address("panelArbitrator"),
      abi: panelArbitratorAbi,
      functionName: "arbitrationCost",
      args: ["0x"],
    });

    // The poster commits to the output it expects; HashCommitmentVerifier would accept it as its own proof.
    const proofConfig = {
      proofVerifier: chain.address("hashCommitmentVerifier"),
      commitment: outputHash({ encoding: "json", value: GOOD_OUTPUT }),
    };
    await stack.send(
      "poster",
      chain.prepare("proofModule", "publishConfig", [proofConfig], { description: "publish" }),
    );
    const proofConfigHash = await stack.publicClient.readContract({
      address: chain.address("proofModule"),
      abi: proofModuleAbi,
      functionName: "configHash",
      args: [proofConfig],
    });

    await stack.send(
      "human",
      chain.prepare("executorRegistry", "register", [ExecutorKind.Human, zeroAddress, [], "ipfs://human"], {
        description: "register",
      }),
    );

    const module = chain.address("attestationModule");
    tasks.passing = await postTask(module, attestationConfigHash, documentWith("attestation", LINES_SUITE));
    tasks.failing = await postTask(module, attestationConfigHash, documentWith("attestation", LINES_SUITE));
    tasks.loop = await postTask(module, attestationConfigHash, documentWith("attestation", ENDLESS_LOOP_SUITE));
    tasks.bomb = await postTask(module, attestationConfigHash, documentWith("attestation", MEMORY_BOMB_SUITE));
    tasks.open = await postTask(module, attestationConfigHash, documentWith("attestation", LINES_SUITE));
    tasks.optimistic = await postTask(
      chain.address("optimisticModule"),
      optimisticConfigHash,
      documentWith("optimistic", LINES_SUITE),
    );
    tasks.proof = await postTask(
      chain.address("proofModule"),
      proofConfigHash,
      taskDocument({ method: "proof", proof: { scheme: "hash-commitment", commitment: proofConfig.commitment } }),
    );
    await claimAndSubmit(tasks.proof, proofConfig.commitment);
    await claimAndSubmit(tasks.passing, outputHash({ encoding: "json", value: GOOD_OUTPUT }));
    await claimAndSubmit(tasks.failing, keccak256(failingBytes));
    await claimAndSubmit(tasks.loop, outputHash({ encoding: "json", value: GOOD_OUTPUT }));
    await claimAndSubmit(tasks.bomb, outputHash({ encoding: "json", value: GOOD_OUTPUT }));
    const last = await claimAndSubmit(tasks.optimistic, outputHash({ encoding: "json", value: SHORT_OUTPUT }));
    await stack.indexed(last);
  });

  after(async () => {
    await stack?.stop();
  });

  describe("POST /verify", () => {
    it("answers 401 without an API key, or with a wrong one, and 403 for a key without the verify scope", async () => {
      const body = { taskId: tasks.passing.taskId.toString(), output: { encoding: "json", value: GOOD_OUTPUT } };
      const none = await post("/verify", body, null);
      assert.equal(none.status, 401);
      assert.equal((await json(none)).code, "unauthorized");
      assert.equal((await post("/verify", body, "tmk_0000000000000000_" + "A".repeat(43))).status, 401);
      const relayKey = (await stack.services.apiKeys.create({ name: "relay only", scopes: ["relay"] })).key;
      const forbidden = await post("/verify", body, relayKey);
      assert.equal(forbidden.status, 403);
      assert.equal((await json(forbidden)).code, "forbidden");
    });

    it("answers 400 for a malformed request", async () => {
      const cases: unknown[] = [
        {},
        { taskId: "1" },
        { taskId: "0", output: { encoding: "json", value: 1 } },
        { taskId: "1", output: { encoding: "json" } },
        { taskId: "1", output: { encoding: "yaml", value: "a: 1" } },
        { taskId: "1", output: { encoding: "hex", value: "0x123" } },
        { taskId: "1", output: { encoding: "base64", value: "not base64!" } },
        { taskId: "1", output: { encoding: "text", value: "x" }, signer: verifier },
        { taskId: "1", output: { encoding: "text", value: "x", approved: true } },
      ];
      for (const body of cases) {
        const response = await post("/verify", body);
        assert.equal(response.status, 400, JSON.stringify(body));
        assert.equal((await json(response)).code, "invalid_request");
      }
      const notJson = await stack.request("POST", "/verify", undefined, {
        "x-api-key": apiKey,
        "content-type": "text/plain",
      });
      assert.equal(notJson.status, 415);
    });

    it("signs an attestation of a passing output, built from live chain state, checkable with viem and ethers", async () => {
      // Two requests at once: one signs, the other gets its record.
      const responses = await Promise.all(
        [1, 2].map(() =>
          post("/verify", {
            taskId: tasks.passing.taskId.toString(),
            output: { encoding: "json", value: GOOD_OUTPUT },
          }),
        ),
      );
      assert.deepEqual(responses.map((response) => response.status).sort(), [200, 201]);
      const [first, second] = await Promise.all(responses.map((response) => json<RecordJson>(response)));
      assert.deepEqual(first, second);
      passingRecord = first!;
      const record = passingRecord;
      assert.equal(record.taskId, tasks.passing.taskId.toString());
      assert.equal(record.method, "attestation");
      assert.equal(record.signer, verifier);
      assert.deepEqual(record.verdict, {
        approved: true,
        scoreBps: 10_000,
        conclusive: true,
        summary: "Approved: every check passed.",
      });
      assert.deepEqual(
        record.checks.map((check) => [check.check, check.passed, check.conclusive]),
        [
          ["output-hash", true, true],
          ["json-schema", true, true],
          ["acceptance-suite", true, true],
        ],
      );
      assert.equal(record.signing.status, "signed");
      assert.equal(record.evidenceHash, keccak256(stringToHex(canonicalJson(record.evidence as unknown as JsonValue))));

      // Every field of the message is the chain's, or the checks'.
      const { chain } = stack.services;
      const live = await chain.readTask(tasks.passing.taskId);
      const attestation = record.attestation!;
      assert.equal(attestation.message.taskId, tasks.passing.taskId.toString());
      assert.equal(attestation.message.milestone, 0);
      assert.equal(attestation.message.submissionHash, live.submissionHash);
      assert.equal(attestation.message.reviewDeadline, live.state.reviewDeadline);
      assert.equal(attestation.message.approved, true);
      assert.equal(attestation.message.scoreBps, 10_000);
      assert.equal(attestation.message.methodId, SERVICE_METHOD_ID);
      assert.equal(attestation.message.evidenceHash, record.evidenceHash);
      const deadline = Number(attestation.message.deadline);
      assert.ok(deadline <= live.state.reviewDeadline);
      assert.ok(deadline <= live.block.timestamp + stack.services.verification.attestationTtlSeconds);
      assert.ok(deadline > live.block.timestamp);

      const domain = moduleDomain("attestation", chain.chainId, chain.address("attestationModule"));
      assert.deepEqual(attestation.domain, domain);
      const message: AttestationMessage = {
        ...attestation.message,
        taskId: BigInt(attestation.message.taskId),
        deadline: BigInt(attestation.message.deadline),
        nonce: BigInt(attestation.message.nonce),
      };
      const typedData = attestationTypedData(domain, message);
      assert.equal(await verifyTypedData({ address: verifier, ...typedData, signature: attestation.signature }), true);
      const ethersTypes = { Attestation: ATTESTATION_TYPES.Attestation.map((field) => ({ ...field })) };
      assert.equal(ethersVerifyTypedData(domain, ethersTypes, message, attestation.signature), verifier);
      assert.equal(attestation.digest, hashTypedData(typedData));
      assert.equal(
        attestation.digest,
        await stack.publicClient.readContract({
          address: chain.address("attestationModule"),
          abi: attestationModuleAbi,
          functionName: "attestationDigest",
          args: [
            message.taskId,
            message.milestone,
            message.submissionHash,
            message.reviewDeadline,
            message.approved,
            message.scoreBps,
            message.methodId,
            message.evidenceHash,
            message.deadline,
            message.nonce,
          ],
        }),
      );

      const audit = await auditEntries(attestation.digest);
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.action, "attestation.sign");
      assert.equal(audit[0]!.api_key_id, apiKey.split("_")[1]);
      assert.equal(audit[0]!.signer, verifier);
      assert.equal(audit[0]!.signature, attestation.signature);

      const stored = await stack.services.db.query(
        `SELECT v.*, a.* FROM ${API_SCHEMA}.verifications v, ${API_SCHEMA}.audit_log a`,
      );
      assert.ok(stored.length > 0);
      assert.ok(
        !JSON.stringify(stored, (_, value) => (typeof value === "bigint" ? `${value}` : value)).includes(
          VERIFIER_KEY.slice(2),
        ),
      );
    });

    it("returns the same record and signature when asked again, and signs nothing more", async () => {
      const response = await post("/verify", {
        taskId: tasks.passing.taskId.toString(),
        output: { encoding: "json", value: { lines: ["alpha", "beta"] } },
      });
      assert.equal(response.status, 200);
      assert.deepEqual(await json(response), passingRecord);
      assert.equal((await auditEntries(passingRecord.attestation!.digest)).length, 1);
    });

    it("refuses an output that is not the submission under review (422)", async () => {
      for (const output of [
        { encoding: "json", value: { lines: ["alpha", "gamma"] } },
        // Text is hashed as it is: pretty-printed JSON is not the canonical form that was submitted.
        { encoding: "text", value: JSON.stringify(GOOD_OUTPUT, null, 2) },
      ]) {
        const response = await post("/verify", { taskId: tasks.passing.taskId.toString(), output });
        assert.equal(response.status, 422);
        const problem = await json(response);
        assert.equal(problem.code, "unprocessable");
        assert.equal(problem.expected, passingRecord.submissionHash);
      }
    });

    it("answers 404 for a task the market does not have and 409 for one that is not under review", async () => {
      const missing = await post("/verify", { taskId: "999999", output: { encoding: "json", value: GOOD_OUTPUT } });
      assert.equal(missing.status, 404);
      const open = await post("/verify", {
        taskId: tasks.open.taskId.toString(),
        output: { encoding: "json", value: GOOD_OUTPUT },
      });
      assert.equal(open.status, 409);
      const problem = await json(open);
      assert.equal(problem.code, "conflict");
      assert.equal(problem.currentStatus, "Posted");
    });
  });

  describe("on-chain", () => {
    it("the attestation settles the task, and the same signature replayed is rejected", async () => {
      const receipt = await stack.send("other", passingRecord.attestation!.transaction!);
      const accepted = parseEventLogs({
        abi: attestationModuleAbi,
        logs: receipt.logs,
        eventName: "AttestationAccepted",
      });
      assert.equal(accepted.length, 1);
      assert.equal(accepted[0]!.args.signer, verifier);
      assert.equal(accepted[0]!.args.evidenceHash, passingRecord.evidenceHash);
      const { chain } = stack.services;
      assert.equal((await chain.readTask(tasks.passing.taskId)).status, TaskStatus.Settled);

      assert.equal(
        await revertName(simulateVerdict(tasks.passing, passingRecord.attestation!)),
        "AttestationModule_NotUnderReview",
      );
      const again = await post("/verify", {
        taskId: tasks.passing.taskId.toString(),
        output: { encoding: "json", value: GOOD_OUTPUT },
      });
      assert.equal(again.status, 409);
      assert.equal((await json(again)).currentStatus, "Settled");
    });

    it("signs a rejection of a failing output (sent as the bytes of a JSON file)", async () => {
      const response = await post("/verify", {
        taskId: tasks.failing.taskId.toString(),
        output: { encoding: "hex", value: failingBytes },
      });
      assert.equal(response.status, 201);
      failingRecord = await json(response);
      assert.equal(failingRecord.verdict.approved, false);
      assert.equal(failingRecord.verdict.conclusive, true);
      assert.equal(failingRecord.verdict.scoreBps, 5_000);
      const suite = failingRecord.checks.find((check) => check.check === "acceptance-suite")!;
      assert.equal(suite.details.status, "failed");
      assert.deepEqual(
        (suite.details.tests as { name: string; passed: boolean }[]).map((test) => [test.name, test.passed]),
        [
          ["has at least two lines", false],
          ["no line is empty", true],
        ],
      );
      assert.equal(failingRecord.signing.status, "signed");
      assert.equal(failingRecord.attestation!.message.approved, false);
      assert.equal((failingRecord.evidence.output as { encoding: string }).encoding, "hex");
      // The same bytes in base64 are the same output.
      const base64 = Buffer.from(failingBytes.slice(2), "hex").toString("base64");
      const replay = await post("/verify", {
        taskId: tasks.failing.taskId.toString(),
        output: { encoding: "base64", value: base64 },
      });
      assert.equal(replay.status, 200);
      assert.equal((await json(replay)).attestation.signature, failingRecord.attestation!.signature);
    });

    it("rejects an attestation signed for another chain or another contract", async () => {
      const { chain } = stack.services;
      const attestation = failingRecord.attestation!;
      const message: AttestationMessage = {
        ...attestation.message,
        taskId: BigInt(attestation.message.taskId),
        deadline: BigInt(attestation.message.deadline),
        nonce: BigInt(attestation.message.nonce),
      };
      const module = chain.address("attestationModule");
      for (const domain of [
        moduleDomain("attestation", chain.chainId + 1, module),
        moduleDomain("attestation", chain.chainId, chain.address("optimisticModule")),
      ]) {
        const forged = await new AttestationSigner(VERIFIER_KEY, domain).sign(message);
        const name = await revertName(
          simulateVerdict(tasks.failing, {
            ...attestation,
            signature: forged.signature,
            signedAttestation: { ...attestation.signedAttestation, signature: forged.signature },
          }),
        );
        assert.equal(name, "AttestationModule_InvalidSignature");
      }
    });

    it("rejects an expired attestation, and a new request renews it while the review window is open", async () => {
      const ttl = stack.services.verification.attestationTtlSeconds;
      await stack.publicClient.request({ method: "evm_increaseTime" as never, params: [ttl + 60] as never });
      await stack.publicClient.request({ method: "evm_mine" as never, params: [] as never });
      assert.equal(
        await revertName(simulateVerdict(tasks.failing, failingRecord.attestation!)),
        "AttestationModule_AttestationExpired",
      );

      const response = await post("/verify", {
        taskId: tasks.failing.taskId.toString(),
        output: { encoding: "hex", value: failingBytes },
      });
      assert.equal(response.status, 200);
      const renewed: RecordJson = await json(response);
      assert.equal(renewed.id, failingRecord.id);
      assert.equal(renewed.attestation!.message.nonce, failingRecord.attestation!.message.nonce);
      assert.equal(renewed.attestation!.message.evidenceHash, failingRecord.attestation!.message.evidenceHash);
      assert.ok(BigInt(renewed.attestation!.message.deadline) > BigInt(failingRecord.attestation!.message.deadline));
      assert.deepEqual(
        (await auditEntries(renewed.attestation!.digest)).map((entry) => entry.action),
        ["attestation.renew"],
      );

      await stack.send("other", renewed.attestation!.transaction!);
      assert.equal((await stack.services.chain.readTask(tasks.failing.taskId)).status, TaskStatus.InProgress);
    });
  });

  describe("a new round", () => {
    it("signs the same output resubmitted after its rejection afresh, for the new review deadline", async () => {
      const before = await json<RecordJson>(await stack.request("GET", `/verify/${failingRecord.id}`));
      await stack.send(
        "human",
        stack.services.chain.prepare(
          "taskMarket",
          "submit",
          [tasks.failing.taskId, tasks.failing.terms, keccak256(failingBytes), "ipfs://result"],
          { description: "resubmit" },
        ),
      );
      const live = await stack.services.chain.readTask(tasks.failing.taskId);
      assert.notEqual(live.state.reviewDeadline, before.reviewDeadline);

      const response = await post("/verify", {
        taskId: tasks.failing.taskId.toString(),
        output: { encoding: "hex", value: failingBytes },
      });
      assert.equal(response.status, 200);
      const record: RecordJson = await json(response);
      assert.equal(record.id, before.id);
      assert.equal(record.reviewDeadline, live.state.reviewDeadline);
      assert.equal(record.attestation!.message.reviewDeadline, live.state.reviewDeadline);
      assert.notEqual(record.attestation!.message.nonce, before.attestation!.message.nonce);
      assert.equal(record.verdict.approved, false);
      assert.equal(
        await revertName(simulateVerdict(tasks.failing, before.attestation!)),
        // The module checks signatures over the live review deadline: the earlier round's recovers to someone else.
        "AttestationModule_InvalidSignature",
        "a signature of the earlier round is no use in this one",
      );
      await stack.send("other", record.attestation!.transaction!);
      assert.equal((await stack.services.chain.readTask(tasks.failing.taskId)).status, TaskStatus.InProgress);
    });
  });

  describe("the sandbox", () => {
    it("stops an endless loop: the verdict says so, nothing is signed, the API stays up", async () => {
      const response = await post("/verify", {
        taskId: tasks.loop.taskId.toString(),
        output: { encoding: "json", value: GOOD_OUTPUT },
      });
      assert.equal(response.status, 201);
      const record: RecordJson = await json(response);
      const suite = record.checks.find((check) => check.check === "acceptance-suite")!;
      assert.equal(suite.details.status, "timeout");
      assert.equal(suite.conclusive, false);
      assert.deepEqual([record.verdict.approved, record.verdict.conclusive], [false, false]);
      assert.match(record.verdict.summary, /^Inconclusive: .*time limit of 2000 ms/);
      assert.equal(record.signing.status, "withheld");
      assert.equal(record.attestation, null);
      assert.equal((await stack.request("GET", "/health")).status, 200);
    });

    it("stops a memory bomb the same way", async () => {
      const response = await post("/verify", {
        taskId: tasks.bomb.taskId.toString(),
        output: { encoding: "json", value: GOOD_OUTPUT },
      });
      assert.equal(response.status, 201);
      const record: RecordJson = await json(response);
      const suite = record.checks.find((check) => check.check === "acceptance-suite")!;
      assert.equal(suite.details.status, "memory");
      assert.deepEqual([record.verdict.approved, record.verdict.conclusive], [false, false]);
      assert.equal(record.attestation, null);
      assert.equal((await stack.request("GET", "/health")).status, 200);
    });
  });

  describe("other methods", () => {
    it("checks a hash-commitment proof task against its commitment, without signing", async () => {
      const response = await post("/verify", {
        taskId: tasks.proof.taskId.toString(),
        output: { encoding: "json", value: GOOD_OUTPUT },
      });
      assert.equal(response.status, 201);
      const record: RecordJson = await json(response);
      assert.equal(record.method, "proof");
      assert.deepEqual(
        record.checks.map((check) => [check.check, check.passed]),
        [
          ["output-hash", true],
          ["hash-commitment", true],
        ],
      );
      assert.equal(record.verdict.approved, true);
      assert.equal(record.signing.status, "not-applicable");
      assert.equal(record.attestation, null);
    });
  });

  describe("GET /verify/{id} and GET /verify/methods", () => {
    it("reads a record (200), an unknown id (404) and a malformed one (400)", async () => {
      const found = await stack.request("GET", `/verify/${failingRecord.id}`);
      assert.equal(found.status, 200);
      const record: RecordJson = await json(found);
      assert.equal(record.id, failingRecord.id);
      assert.equal(record.verdict.approved, false);
      assert.equal((await stack.request("GET", `/verify/0x${"ab".repeat(32)}`)).status, 404);
      for (const id of ["123", "0x1234", `0x${"zz".repeat(32)}`]) {
        const response = await stack.request("GET", `/verify/${id}`);
        assert.equal(response.status, 400, id);
      }
    });

    it("lists the methods and the service's checks with the sandbox's limits", async () => {
      const response = await stack.request("GET", "/verify/methods");
      assert.equal(response.status, 200);
      const methods = await json(response);
      assert.deepEqual(
        methods.methods.map((method: { id: string }) => method.id),
        ["review", "attestation", "optimistic", "proof"],
      );
      assert.equal(methods.service.signer, verifier);
      assert.equal(methods.service.methodId, SERVICE_METHOD_ID);
      const suite = methods.checks.find((check: { id: string }) => check.id === "acceptance-suite");
      assert.equal(suite.limits.timeMs.value, SERVICE_SUITE_LIMITS.timeMs);
      assert.equal(suite.limits.memoryBytes.value, SERVICE_SUITE_LIMITS.memoryBytes);
      assert.deepEqual(
        methods.checks.map((check: { id: string }) => check.id),
        ["output-hash", "json-schema", "hash-commitment", "acceptance-suite"],
      );
    });

    it("describes the four routes in the OpenAPI document, POST /verify behind the API key", async () => {
      const document = await json(await stack.request("GET", "/openapi.json"));
      assert.ok(document.paths["/verify"].post);
      assert.deepEqual(document.paths["/verify"].post.security, [{ ApiKey: [] }]);
      assert.ok(document.paths["/verify/methods"].get);
      assert.ok(document.paths["/verify/{id}"].get);
      assert.ok(document.paths["/verify/{id}/challenge"].post);
      assert.ok(document.components.schemas.VerificationRecord);
      assert.ok(document.components.schemas.SubmittedOutput);
    });
  });

  describe("POST /verify/{id}/challenge", () => {
    it("prepares the optimistic challenge, which the module accepts, and answers 409 once challenged", async () => {
      const verified = await post("/verify", {
        taskId: tasks.optimistic.taskId.toString(),
        output: { encoding: "json", value: SHORT_OUTPUT },
      });
      assert.equal(verified.status, 201);
      const record: RecordJson = await json(verified);
      assert.equal(record.method, "optimistic");
      assert.equal(record.signing.status, "not-applicable");
      assert.equal(record.signer, null);
      assert.equal(record.verdict.approved, false);

      const path = `/verify/${record.id}/challenge`;
      const byExecutor = await stack.request("POST", path, { challenger: stack.wallets.human.account.address });
      assert.equal(byExecutor.status, 422);
      assert.equal((await stack.request("POST", path, { challenger: "nobody" })).status, 400);
      assert.equal((await stack.request("POST", path, {})).status, 400);
      assert.equal(
        (await stack.request("POST", `/verify/${passingRecord.id}/challenge`, { challenger: verifier })).status,
        422,
      );

      const challenger = stack.wallets.other.account.address;
      const prepared = await stack.request("POST", path, { challenger: challenger.toLowerCase() });
      assert.equal(prepared.status, 200);
      const challenge = await json(prepared);
      assert.equal(challenge.challenger, challenger);
      assert.equal(challenge.deposit.total, (arbitrationFee + CHALLENGE_BOND).toString());
      assert.equal(challenge.transaction.value, challenge.deposit.total);
      assert.equal(challenge.transaction.to, stack.services.chain.address("optimisticModule"));
      assert.equal(challenge.transaction.from, challenger);

      await stack.send("other", challenge.transaction);
      const live = await stack.services.chain.readTask(tasks.optimistic.taskId);
      assert.equal(live.state.status, TaskStatus.Disputed);

      const again = await stack.request("POST", path, { challenger });
      assert.equal(again.status, 409);
      assert.match((await json(again)).detail, /already been challenged/);
      assert.equal((await stack.request("POST", `/verify/0x${"cd".repeat(32)}/challenge`, { challenger })).status, 404);
    });
  });
});

describe("AttestationSigner", () => {
  it("computes the digest viem and ethers compute, and signs it with a low-s signature", async () => {
    const domain = moduleDomain("attestation", 31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3");
    const signer = new AttestationSigner(VERIFIER_KEY, domain);
    const message: AttestationMessage = {
      taskId: 2n ** 63n + 5n,
      milestone: 15,
      submissionHash: keccak256(stringToHex("result")),
      reviewDeadline: 2 ** 40 - 1,
      approved: false,
      scoreBps: 6_789,
      methodId: SERVICE_METHOD_ID,
      evidenceHash: keccak256(stringToHex("evidence")),
      deadline: 2n ** 64n - 1n,
      nonce: 2n ** 256n - 1n,
    };
    const { signature, digest } = await signer.sign(message);
    const typedData = attestationTypedData(domain, message);
    assert.equal(digest, hashTypedData(typedData));
    const ethersTypes = { Attestation: ATTESTATION_TYPES.Attestation.map((field) => ({ ...field })) };
    assert.equal(digest, TypedDataEncoder.hash(domain, ethersTypes, message));
    assert.equal(await verifyTypedData({ address: signer.address, ...typedData, signature }), true);
    const s = BigInt(`0x${signature.slice(66, 130)}`);
    assert.ok(s <= 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n);
    assert.throws(() => signer.digest({ ...message, scoreBps: 10_001 }), RangeError);
    assert.throws(() => signer.digest({ ...message, milestone: 256 }));
    // Printing the signer shows its address, never its key.
    const printed = `${JSON.stringify(signer)} ${(await import("node:util")).inspect(signer)}`;
    assert.ok(!printed.includes(VERIFIER_KEY.slice(2)));
    assert.ok(printed.includes(signer.address));
  });
});

describe("verifier keystore", () => {
  it("loads the key from an encrypted JSON keystore and never echoes the password", async () => {
    const directory = await mkdtemp(join(tmpdir(), "verifier-keystore-"));
    try {
      const path = join(directory, "verifier.json");
      const address = privateKeyToAddress(VERIFIER_KEY);
      await writeFile(
        path,
        await encryptKeystoreJson({ address, privateKey: VERIFIER_KEY }, "correct horse", { scrypt: { N: 1 << 10 } }),
      );
      assert.equal(await loadVerifierKeystore({ path, password: "correct horse" }), VERIFIER_KEY);
      const env = { VERIFIER_KEYSTORE: path, VERIFIER_KEYSTORE_PASSWORD: "correct horse" };
      assert.equal(await resolveVerifierKey(undefined, env), VERIFIER_KEY);
      assert.equal(await resolveVerifierKey(VERIFIER_KEY, {}), VERIFIER_KEY);
      assert.equal(await resolveVerifierKey(undefined, {}), undefined);

      await assert.rejects(loadVerifierKeystore({ path, password: "wrong horse" }), (error: Error) => {
        assert.match(error.message, /wrong password/);
        assert.ok(!error.message.includes("wrong horse"));
        return true;
      });
      await assert.rejects(
        loadVerifierKeystore({ path: join(directory, "missing.json"), password: "x" }),
        /cannot read/,
      );
      await writeFile(join(directory, "plain.json"), JSON.stringify({ privateKey: VERIFIER_KEY }));
      await assert.rejects(
        loadVerifierKeystore({ path: join(directory, "plain.json"), password: "x" }),
        (error: Error) => {
          assert.match(error.message, /not an encrypted JSON keystore/);
          assert.ok(!error.message.includes(VERIFIER_KEY.slice(2)));
          return true;
        },
      );
      assert.throws(() => readVerifierKeystoreEnv({ VERIFIER_KEYSTORE: path }), /VERIFIER_KEYSTORE_PASSWORD/);
      assert.throws(
        () => readVerifierKeystoreEnv({ ...env, VERIFIER_PRIVATE_KEY: VERIFIER_KEY }),
        /either VERIFIER_PRIVATE_KEY or VERIFIER_KEYSTORE/,
      );
      assert.throws(() => readVerifierKeystoreEnv({ VERIFIER_KEYSTORE_PASSWORD: "x" }), /VERIFIER_KEYSTORE \(/);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
