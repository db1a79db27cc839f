// The verification service behind `POST /verify`: it checks a submission's output against the task's automated
// verification criteria and, for a task verified by the AttestationModule, signs the EIP-712 attestation of the
// result with the verifier key.
//
// What gets signed comes from two places only: the chain, read live at one block (the task's status, its submission
// hash, its review deadline and milestone, the terms it committed to, the signer's standing in the verifier set), and
// the checks' own result. The caller sends the output to check and nothing else; the output must hash to the
// submission the chain records, so a caller can only ever have the submission under review checked.
//
// Outputs are hashed by the convention of src/protocol/results.ts, which the SDK hashes results with too: a JSON output
// as keccak256 of its RFC 8785 canonical JSON, text as keccak256 of its UTF-8 bytes, raw bytes (hex or base64) as they
// are. The market stores the executor's `resultHash` as `submissionOf(taskId)` for a task with a delegated verifier, so
// result hash and submission hash are one.
//
// The checks, each recorded in the evidence document whose keccak256 is the attestation's `evidenceHash`:
// - output-hash: the output is the submission under review (a mismatch is refused with 422 before anything runs);
// - json-schema: `verification_criteria.output_schema`, with Ajv as task documents compile it;
// - hash-commitment: for a `hash-commitment` proof task, the output hashes to the poster's commitment;
// - acceptance-suite: the poster's JavaScript tests, in the QuickJS sandbox on worker threads (never on this thread).
// A failed schema or commitment check rejects. The suite decides by its tests; a suite that cannot reach a verdict (it
// does not load, times out or runs out of memory) makes the result inconclusive unless another check already failed:
// nothing is signed for an inconclusive result, and the next request runs the checks again.
//
// Signing is idempotent per (task, milestone, submission, signer): the record id is derived from them, so a repeated
// request returns the stored record and signature. The attestation nonce is derived from the record id and the review
// deadline, which together name one submission round; the same result resubmitted after a rejection is a new round,
// checked and signed afresh under the same record id. The attestation's deadline is the review deadline or
// `attestationTtlSeconds` from now, whichever comes first; a request for a record whose attestation has expired while
// the review window is still open signs it again with a new deadline (same nonce, same verdict).
// Every signature is written to the audit log with the API key that asked for it.
import {
  encodeAbiParameters,
  getAddress,
  keccak256,
  stringToHex,
  zeroAddress,
  zeroHash,
  type Address,
  type Hex,
  type TypedDataDomain,
} from "viem";

import { compileEmbeddedSchema } from "../../../src/documents/embedded-schema.ts";
import type { JsonObject, JsonValue, TaskDocument } from "../../../src/documents/task-document-schema.ts";
import { PROTOCOL_ABIS } from "../../../src/protocol/abis.ts";
import { arbitratorExtraData } from "../../../src/protocol/disputes.ts";
import { moduleDomain, type AttestationMessage } from "../../../src/protocol/eip712.ts";
import {
  InvalidOutputError,
  contentHash,
  outputBytes,
  type OutputEncoding,
  type SubmittedOutput,
} from "../../../src/protocol/results.ts";
import { BPS, NO_MILESTONES, TaskStatus, taskStatusName, type TaskTerms } from "../../../src/protocol/terms.ts";
import {
  verifierConfigHash,
  type AttestationConfig,
  type OptimisticConfig,
  type ProofConfig,
} from "../../../src/protocol/verification-configs.ts";
import { readLive, type LiveTask, type ProtocolChain } from "../chain/protocol-chain.ts";
import { readTaskTerms } from "../chain/task-terms.ts";
import type { DocumentStore } from "../documents/document-store.ts";
import { ApiProblem } from "../problems.ts";
import type { PreparedTransaction } from "../schemas.ts";
import type { Logger } from "../services.ts";
import { API_SCHEMA, type Database, type Queryable } from "../store/api-database.ts";
import type { SubgraphClient } from "../subgraph/subgraph-client.ts";
import { AttestationSigner } from "./attestation-signer.ts";
import {
  ACCEPTANCE_SUITE_LIMITS,
  ACCEPTANCE_SUITE_METHOD,
  DEFAULT_ACCEPTANCE_SUITE_LIMITS,
  MAX_JSON_BYTES,
  MAX_JSON_DEPTH,
  SandboxBusyError,
  SandboxPool,
  type AcceptanceSuiteLimits,
  type AcceptanceSuiteResult,
} from "./sandbox.ts";

/** The verification method this service follows, named in every attestation it signs (`methodId`). */
export const SERVICE_METHOD = "taskmarket/automated-checks/v1";
export const SERVICE_METHOD_ID: Hex = keccak256(stringToHex(SERVICE_METHOD));
export const EVIDENCE_VERSION = "taskmarket/verification-evidence@1";

export const DEFAULT_ATTESTATION_TTL_SECONDS = 15 * 60;
export const MIN_ATTESTATION_TTL_SECONDS = 60;
export const MAX_ATTESTATION_TTL_SECONDS = 24 * 3600;

/**
 * The limits the service runs acceptance suites under. Twice the sandbox's default time: the API shares its machine
 * with the chain and the indexer, and a suite that times out only because the machine was busy gets no verdict.
 */
export const SERVICE_SUITE_LIMITS: Readonly<AcceptanceSuiteLimits> = Object.freeze({
  ...DEFAULT_ACCEPTANCE_SUITE_LIMITS,
  timeMs: 2_000,
});

/** How many schema errors a record keeps (Ajv reports every one with `allErrors`). */
const MAX_SCHEMA_ERRORS = 20;
/** Compiled output schemas kept, by document hash: a document never changes under its hash. */
const SCHEMA_CACHE_SIZE = 64;

// ---- outputs -----------------------------------------------------------------------------------------------------

/** Outputs as callers send them, by the convention of src/protocol/results.ts; re-exported for the routes. */
export type { OutputEncoding, SubmittedOutput };

/** The bytes `output`'s hash is taken over; a 400 problem for an output that has none. */
function bytesOf(output: SubmittedOutput): Uint8Array {
  try {
    return outputBytes(output);
  } catch (error) {
    if (error instanceof InvalidOutputError) throw new ApiProblem("invalid_request", error.message);
    throw error;
  }
}

/**
 * The value the schema and the acceptance suite see: the JSON value, the text as a JSON string, or raw bytes read as
 * UTF-8 JSON text (a JSON file hashed as a file). Bytes that are not UTF-8 JSON have no such value.
 */
function valueToCheck(output: SubmittedOutput, bytes: Uint8Array): { value: JsonValue } | { error: string } {
  if (output.encoding === "json") return { value: output.value };
  if (output.encoding === "text") return { value: output.value };
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { error: "the output bytes are not UTF-8 text, so they hold no JSON value to check" };
  }
  try {
    return { value: JSON.parse(text) as JsonValue };
  } catch (error) {
    return { error: `the output bytes are not JSON text (${describe(error)})` };
  }
}

// ---- records -----------------------------------------------------------------------------------------------------

/** How the task is verified, from `terms.verifier`. */
export type VerifierMethod = "poster" | "delegated" | "review" | "attestation" | "optimistic" | "proof";

export type CheckName = "output-hash" | "json-schema" | "hash-commitment" | "acceptance-suite";

export interface CheckResult {
  check: CheckName;
  passed: boolean;
  /** False when the check could not reach a verdict (a suite that timed out, for one). */
  conclusive: boolean;
  summary: string;
  details: JsonObject;
}

export interface Verdict {
  approved: boolean;
  scoreBps: number;
  /** Whether the checks reached a verdict; nothing is signed for an inconclusive one. */
  conclusive: boolean;
  summary: string;
}

/** The evidence document: what the attestation's `evidenceHash` commits to (keccak256 of its canonical JSON). */
export interface VerificationEvidence {
  version: typeof EVIDENCE_VERSION;
  chainId: number;
  market: Address;
  taskId: string;
  milestone: number;
  submissionHash: Hex;
  reviewDeadline: number;
  documentHash: Hex;
  method: string;
  output: { encoding: OutputEncoding; bytes: number; hash: Hex };
  checks: CheckResult[];
  verdict: { approved: boolean; scoreBps: number; conclusive: boolean };
}

export type SigningStatus = "signed" | "withheld" | "unavailable" | "not-applicable";

export interface AttestationRecord {
  domain: { name: string; version: string; chainId: number; verifyingContract: Address };
  /** The EIP-712 `Attestation` message, with uint64/uint256 fields in decimal. */
  message: {
    taskId: string;
    milestone: number;
    submissionHash: Hex;
    reviewDeadline: number;
    approved: boolean;
    scoreBps: number;
    methodId: Hex;
    evidenceHash: Hex;
    deadline: string;
    nonce: string;
  };
  signer: Address;
  digest: Hex;
  signature: Hex;
  /** `IAttestationModule.Verdict` and `SignedAttestation`, as `submitVerdict` takes them. */
  verdict: { approved: boolean; methodId: Hex };
  signedAttestation: {
    signer: Address;
    scoreBps: number;
    evidenceHash: Hex;
    deadline: string;
    nonce: string;
    signature: Hex;
  };
  /** Signatures the task's configuration needs in one verdict. */
  quorum: number;
  /** `submitVerdict` with this attestation alone, for a quorum of one; anyone may send it. */
  transaction: PreparedTransaction | null;
  signedAt: string;
}

export interface VerificationRecord {
  id: Hex;
  taskId: bigint;
  milestone: number;
  submissionHash: Hex;
  reviewDeadline: number;
  method: VerifierMethod;
  /** `terms.verifier`. */
  verifier: Address;
  signer: Address | null;
  verdict: Verdict;
  checks: CheckResult[];
  evidence: VerificationEvidence;
  evidenceHash: Hex;
  signing: { status: SigningStatus; reason?: string };
  attestation: AttestationRecord | null;
  createdAt: string;
  evaluatedAt: string;
}

export interface VerifyRequest {
  taskId: bigint;
  output: SubmittedOutput;
  /** The API key that asked, for the audit log. */
  apiKeyId?: string;
}

export interface ChallengePreparation {
  verificationId: Hex;
  taskId: bigint;
  milestone: number;
  submissionHash: Hex;
  verdict: Verdict;
  challenger: Address;
  /** The end of the challenge window: the submission's review deadline. */
  windowEnd: number;
  deposit: { arbitrationCost: bigint; challengeBond: bigint; total: bigint };
  arbitrator: Address;
  transaction: PreparedTransaction;
  block: LiveTask["block"];
}

// ---- the indexer's view of a task --------------------------------------------------------------------------------

const CONFIG_FIELDS = `module method configHash arbitrator contestWindow verifierSet { setId } quorum scored methodId
  minBond slashBps challengeBond proofVerifier commitment`;

interface IndexedConfig {
  module: string;
  method: string;
  configHash: string;
  arbitrator: string | null;
  contestWindow: string | null;
  verifierSet: { setId: string } | null;
  quorum: number | null;
  scored: boolean | null;
  methodId: string | null;
  minBond: string | null;
  slashBps: number | null;
  challengeBond: string | null;
  proofVerifier: string | null;
  commitment: string | null;
}

/** What the service knows of a task: its live state and the terms the chain confirmed. */
interface TaskContext {
  live: LiveTask;
  terms: TaskTerms;
  method: VerifierMethod;
  milestone: number;
  config: IndexedConfig | null;
}

/** Who signs for a task, or why nobody does. */
type SigningPlan =
  | { kind: "sign"; signer: AttestationSigner; config: AttestationConfig; methodId: Hex }
  | { kind: "none"; status: "unavailable" | "not-applicable"; reason: string; config?: AttestationConfig };

interface VerificationRow extends Record<string, unknown> {
  id: string;
  task_id: string;
  milestone: number;
  submission_hash: string;
  signer: string | null;
  result: StoredResult;
  attestation: AttestationRecord | null;
  created_at: Date | string;
}

/** The `result` column. */
interface StoredResult {
  reviewDeadline: number;
  method: VerifierMethod;
  verifier: Address;
  verdict: Verdict;
  evidence: VerificationEvidence;
  evidenceHash: Hex;
  signing: { status: SigningStatus; reason?: string };
  evaluatedAt: string;
}

export interface VerificationServiceOptions {
  db: Database;
  chain: ProtocolChain;
  subgraph: SubgraphClient;
  documents: DocumentStore;
  /** The verifier key; without one the service checks but does not sign. */
  privateKey?: Hex;
  log: Logger;
  /** How long a signed attestation stays usable at most (60 s to 1 day); default 15 minutes. */
  attestationTtlSeconds?: number;
  /** Worker threads for acceptance suites; default as `SandboxPool`. */
  sandboxWorkers?: number;
}

export class VerificationService {
  readonly #db: Database;
  readonly #chain: ProtocolChain;
  readonly #subgraph: SubgraphClient;
  readonly #documents: DocumentStore;
  readonly #log: Logger;
  readonly #signer: AttestationSigner | undefined;
  readonly #sandbox: SandboxPool;
  readonly #schemas = new Map<Hex, ReturnType<typeof compileEmbeddedSchema>>();
  readonly attestationTtlSeconds: number;
  /** The AttestationModule's EIP-712 domain on this chain: the only domain the service signs in. */
  readonly domain: TypedDataDomain;

  constructor(options: VerificationServiceOptions) {
    this.#db = options.db;
    this.#chain = options.chain;
    this.#subgraph = options.subgraph;
    this.#documents = options.documents;
    this.#log = options.log;
    const ttl = options.attestationTtlSeconds ?? DEFAULT_ATTESTATION_TTL_SECONDS;
    if (!Number.isInteger(ttl) || ttl < MIN_ATTESTATION_TTL_SECONDS || ttl > MAX_ATTESTATION_TTL_SECONDS) {
      throw new RangeError(
        `attestationTtlSeconds must be a whole number from ${MIN_ATTESTATION_TTL_SECONDS} to ${MAX_ATTESTATION_TTL_SECONDS}`,
      );
    }
    this.attestationTtlSeconds = ttl;
    this.domain = moduleDomain("attestation", options.chain.chainId, options.chain.address("attestationModule"));
    this.#signer =
      options.privateKey === undefined ? undefined : new AttestationSigner(options.privateKey, this.domain);
    this.#sandbox = new SandboxPool(options.sandboxWorkers === undefined ? {} : { workers: options.sandboxWorkers });
  }

  /** The address attestations are signed with, or null without a key. */
  get signerAddress(): Address | null {
    return this.#signer?.address ?? null;
  }

  async close(): Promise<void> {
    await this.#sandbox.close();
  }

  /** Checks `request.output` against the task's submission under review and signs the result where it applies. */
  async verify(request: VerifyRequest): Promise<{ record: VerificationRecord; created: boolean }> {
    const bytes = bytesOf(request.output);
    const hash = keccak256(bytes);
    const task = await this.#loadTask(request.taskId);
    const { live, terms } = task;

    if (live.status !== TaskStatus.Submitted) {
      const name = taskStatusName(live.status);
      throw new ApiProblem(
        "conflict",
        `Task ${request.taskId} is ${name}: only a submission under review (Submitted, within its review window) can be verified.`,
        { extensions: { currentStatus: name, reviewDeadline: live.state.reviewDeadline, block: live.block.number } },
      );
    }
    if (task.method === "poster") {
      throw new ApiProblem(
        "unprocessable",
        `Task ${request.taskId} is reviewed by its poster: the chain records no submission hash to verify against.`,
      );
    }
    if (hash !== live.submissionHash) {
      throw new ApiProblem(
        "unprocessable",
        `The output does not hash to the submission under review: keccak256 of its ${hashedForm(request.output)} is ` +
          `${hash}, the chain records ${live.submissionHash}.`,
        { extensions: { expected: live.submissionHash, actual: hash, encoding: request.output.encoding } },
      );
    }

    const plan = await this.#signingPlan(task);
    const signer = plan.kind === "sign" ? plan.signer.address : null;
    const id = this.#recordId(request.taskId, task.milestone, live.submissionHash, signer);
    const existing = await this.#load(id);
    // A record signed for an earlier round (the same result resubmitted after a rejection) is checked and signed
    // again for this one: its signature cannot be used in a new round.
    if (existing?.attestation && existing.reviewDeadline === live.state.reviewDeadline) {
      const record =
        plan.kind === "sign" ? await this.#renewIfExpired(existing, task, plan, request.apiKeyId) : existing;
      return { record, created: false };
    }

    const stored = await this.#documents.get(terms.documentHash);
    if (!stored) {
      throw new ApiProblem(
        "unprocessable",
        `The API holds no task document for task ${request.taskId} (documentHash ${terms.documentHash}); its ` +
          "verification criteria are unknown. Documents are stored by POST /tasks.",
      );
    }
    const evaluation = await this.#evaluate(stored.document, request.output, bytes, hash, task, plan);
    return this.#store(id, evaluation, task, plan, request.apiKeyId);
  }

  /** The record with id `id`, or undefined. */
  async get(id: Hex): Promise<VerificationRecord | undefined> {
    return this.#load(id);
  }

  /**
   * Prepares `OptimisticModule.challenge` for the submission a verification record checked: the deposit is the
   * arbitrator's current cost plus the configured challenge bond, and the window is checked against live state.
   */
  async prepareChallenge(id: Hex, challenger: Address): Promise<ChallengePreparation> {
    const record = await this.#load(id);
    if (!record) throw new ApiProblem("not_found", `No verification ${id}.`);
    const task = await this.#loadTask(record.taskId);
    const { live, terms } = task;
    if (task.method !== "optimistic") {
      throw new ApiProblem(
        "unprocessable",
        `Task ${record.taskId} is not verified optimistically (its verifier is ${terms.verifier}): there is nothing to challenge.`,
      );
    }
    const earlierRound = () =>
      new ApiProblem(
        "conflict",
        `Verification ${id} checked an earlier submission of task ${record.taskId}; verify the current one first.`,
        { extensions: { currentSubmissionHash: live.submissionHash, reviewDeadline: live.state.reviewDeadline } },
      );
    if (live.submissionHash !== record.submissionHash || task.milestone !== record.milestone) throw earlierRound();
    if (live.status !== TaskStatus.Submitted || live.state.status !== TaskStatus.Submitted) {
      const name = taskStatusName(live.status);
      const why =
        live.state.status === TaskStatus.Disputed
          ? "it has already been challenged"
          : live.status === TaskStatus.Verified
            ? "its challenge window has ended"
            : `it is ${name}`;
      throw new ApiProblem("conflict", `The submission of task ${record.taskId} cannot be challenged: ${why}.`, {
        extensions: { currentStatus: name, windowEnd: live.state.reviewDeadline, block: live.block.number },
      });
    }
    // The same result resubmitted after a rejection is a new round, with a new review deadline.
    if (live.state.reviewDeadline !== record.reviewDeadline) throw earlierRound();
    const executor = live.state.executor;
    if (challenger === executor) {
      throw new ApiProblem("unprocessable", "The executor cannot challenge its own submission.");
    }
    const config = this.#optimisticConfig(task);
    const blockNumber = BigInt(live.block.number);
    const operator = await readLive(() =>
      this.#chain.client.readContract({
        address: this.#chain.address("executorRegistry"),
        abi: PROTOCOL_ABIS.executorRegistry,
        functionName: "operatorOf",
        args: [executor],
        blockNumber,
      }),
    );
    // What the module hands the arbitrator, so that an arbitrator that prices by parties quotes what `challenge` pays.
    const extraData = arbitratorExtraData({
      poster: terms.poster,
      claimant: challenger,
      respondent: executor,
      operator: operator as Address,
    });
    const arbitrationCost = (await readLive(() =>
      this.#chain.client.readContract({
        address: config.arbitrator,
        abi: PROTOCOL_ABIS.panelArbitrator,
        functionName: "arbitrationCost",
        args: [extraData],
        blockNumber,
      }),
    )) as bigint;
    const total = arbitrationCost + config.challengeBond;
    const transaction = this.#chain.prepare("optimisticModule", "challenge", [record.taskId, terms, config], {
      value: total,
      from: challenger,
      description:
        `Challenge the submission of task ${record.taskId} (milestone ${record.milestone}) before ` +
        `${new Date(live.state.reviewDeadline * 1000).toISOString()}, depositing the arbitration cost and the ` +
        "challenge bond; the executor must match the deposit within 3 days or lose.",
    });
    return {
      verificationId: id,
      taskId: record.taskId,
      milestone: record.milestone,
      submissionHash: record.submissionHash,
      verdict: record.verdict,
      challenger,
      windowEnd: live.state.reviewDeadline,
      deposit: { arbitrationCost, challengeBond: config.challengeBond, total },
      arbitrator: config.arbitrator,
      transaction,
      block: live.block,
    };
  }

  /** What `GET /verify/methods` describes: the protocol's methods and this service's checks, with their limits. */
  methods() {
    const address = (key: Parameters<ProtocolChain["address"]>[0]) => this.#chain.address(key);
    return {
      service: {
        method: SERVICE_METHOD,
        methodId: SERVICE_METHOD_ID,
        signer: this.signerAddress,
        signs: this.#signer !== undefined,
        attestationTtlSeconds: this.attestationTtlSeconds,
        domain: { ...this.domain, chainId: this.#chain.chainId },
        outputEncodings: {
          json: "Any JSON value; hashed as keccak256 of its RFC 8785 canonical JSON (UTF-8).",
          text: "A string; hashed as keccak256 of its UTF-8 bytes. The checks see it as a JSON string.",
          hex: "Raw bytes as 0x-prefixed hex; hashed as keccak256 of the bytes. The checks see the bytes parsed as UTF-8 JSON.",
          base64: "Raw bytes in padded base64; hashed and checked as hex is.",
        },
        verdict:
          "Approved when every check passes. A failed json-schema or hash-commitment check rejects; the acceptance " +
          "suite decides by its tests. With a scored attestation configuration, an approval only needs the schema " +
          "and commitment checks and at least one passing test, and the score is the share of tests passed. A suite " +
          "that cannot reach a verdict (it does not load, times out or runs out of memory) leaves the result " +
          "inconclusive unless another check failed: nothing is signed for it and the next request runs the checks again.",
      },
      methods: [
        {
          id: "review" as const,
          module: address("reviewModule"),
          description: "A named reviewer approves, rejects or accepts partially; contestable before an arbitrator.",
          configuration: { reviewer: "address", arbitrator: "address", contestWindow: "uint32 seconds" },
          service: "Checks only: POST /verify records the checks' result for the reviewer; nothing is signed.",
        },
        {
          id: "attestation" as const,
          module: address("attestationModule"),
          description: "A quorum of a verifier set's bonded verifiers signs EIP-712 attestations; anyone submits them.",
          configuration: {
            verifierSetId: "uint64",
            quorum: "uint8, 1 to 16",
            scored: "bool",
            methodId: `bytes32; zero or ${SERVICE_METHOD_ID} for this service`,
            minBond: "uint128 wei",
            arbitrator: "address",
            contestWindow: "uint32 seconds, at most 30 days",
            slashBps: "uint16, at most 10000",
          },
          service:
            "POST /verify signs an attestation when the service's key is an active verifier of the task's set " +
            "with at least minBond, and neither the poster nor the executor.",
        },
        {
          id: "optimistic" as const,
          module: address("optimisticModule"),
          description: "Accepted when the review window passes unchallenged; a challenge goes to an arbitrator.",
          configuration: { arbitrator: "address", challengeBond: "uint128 wei" },
          service:
            "POST /verify records the checks' result; POST /verify/{id}/challenge prepares the challenge transaction " +
            "(arbitration cost plus challenge bond) while the window is open.",
        },
        {
          id: "proof" as const,
          module: address("proofModule"),
          description: "The executor submits a proof that the proof verifier contract checks on-chain.",
          configuration: { proofVerifier: "address", commitment: "bytes32" },
          service:
            "Checks only. For a hash-commitment task, the hash-commitment check compares the output's hash with " +
            "the commitment, as HashCommitmentVerifier does on-chain.",
        },
      ],
      checks: [
        {
          id: "output-hash",
          description:
            "The output hashes to the submission under review (`submissionOf(taskId)`); a mismatch is refused with 422.",
          parameters: [
            { name: "output.encoding", type: "string", required: true, enum: ["json", "text", "hex", "base64"] },
            { name: "output.value", type: "json", required: true, maxBytes: MAX_JSON_BYTES },
          ],
        },
        {
          id: "json-schema",
          description:
            "Validates the output against verification_criteria.output_schema (JSON Schema draft 2020-12, Ajv strict " +
            "mode with ajv-formats, no remote $ref).",
          appliesWhen: "the task document has verification_criteria.output_schema",
          maxErrorsReported: MAX_SCHEMA_ERRORS,
        },
        {
          id: "hash-commitment",
          description: "The output's hash equals the committed hash (ProofConfig.commitment).",
          appliesWhen: "verification_criteria.proof.scheme is hash-commitment",
        },
        {
          id: "acceptance-suite",
          appliesWhen: "the task document has verification_criteria.acceptance_tests",
          description: ACCEPTANCE_SUITE_METHOD.description,
          engine: ACCEPTANCE_SUITE_METHOD.engine,
          limits: Object.fromEntries(
            (Object.keys(SERVICE_SUITE_LIMITS) as (keyof AcceptanceSuiteLimits)[]).map((name) => [
              name,
              { value: SERVICE_SUITE_LIMITS[name], unit: ACCEPTANCE_SUITE_LIMITS[name].unit },
            ]),
          ),
          outputLimits: { maxBytes: MAX_JSON_BYTES, maxDepth: MAX_JSON_DEPTH },
          globals: ACCEPTANCE_SUITE_METHOD.globals,
          statuses: ACCEPTANCE_SUITE_METHOD.statuses,
          notes: [
            ...ACCEPTANCE_SUITE_METHOD.notes,
            "The suite gets no `input`: the service checks the output alone.",
            "An output beyond the sandbox's size or depth limits fails the check.",
          ],
        },
      ],
    };
  }

  // ---- reading the task ------------------------------------------------------------------------------------------

  async #loadTask(taskId: bigint): Promise<TaskContext> {
    const live = await this.#chain.readTask(taskId);
    // The indexer supplies the terms (only their digest is on-chain); the market confirms them at the same block as
    // every other live read, so nothing signed rests on the indexer's word.
    const [{ terms }, linked] = await Promise.all([
      readTaskTerms({ chain: this.#chain, subgraph: this.#subgraph }, taskId, {
        blockNumber: BigInt(live.block.number),
      }),
      this.#subgraph.query<{ task: { verificationConfig: IndexedConfig | null } | null }>(
        `task(id: $id) { verificationConfig { ${CONFIG_FIELDS} } }`,
        { id: taskId.toString() },
        "($id: ID!)",
      ),
    ]);
    let config = linked.data.task?.verificationConfig ?? null;
    if (config === null && terms.verifier !== zeroAddress) {
      // A configuration published after the task was created is not linked to it by the indexer.
      const byId = await this.#subgraph.query<{ verificationConfig: IndexedConfig | null }>(
        `verificationConfig(id: $id) { ${CONFIG_FIELDS} }`,
        { id: `${terms.verifier.toLowerCase()}${terms.verifierConfigHash.slice(2)}` },
        "($id: ID!)",
      );
      config = byId.data.verificationConfig;
    }
    return {
      live,
      terms,
      method: this.#methodOf(terms.verifier),
      milestone: terms.milestoneShares.toLowerCase() === NO_MILESTONES ? 0 : live.milestonesVerified,
      config,
    };
  }

  #methodOf(verifier: Address): VerifierMethod {
    if (verifier === zeroAddress) return "poster";
    switch (this.#chain.contractAt(verifier)) {
      case "attestationModule":
        return "attestation";
      case "optimisticModule":
        return "optimistic";
      case "proofModule":
        return "proof";
      case "reviewModule":
        return "review";
      default:
        return "delegated";
    }
  }

  #attestationConfig(task: TaskContext): AttestationConfig {
    const indexed = task.config;
    if (!indexed || indexed.verifierSet === null) {
      throw this.#unpublished(task, "AttestationConfig");
    }
    const config: AttestationConfig = {
      verifierSetId: BigInt(indexed.verifierSet.setId),
      quorum: indexed.quorum ?? 0,
      scored: indexed.scored ?? false,
      methodId: (indexed.methodId ?? zeroHash) as Hex,
      minBond: BigInt(indexed.minBond ?? 0),
      arbitrator: getAddress(indexed.arbitrator ?? zeroAddress),
      contestWindow: Number(indexed.contestWindow ?? 0),
      slashBps: indexed.slashBps ?? 0,
    };
    this.#checkConfigHash(task, verifierConfigHash({ method: "attestation", config }));
    return config;
  }

  #optimisticConfig(task: TaskContext): OptimisticConfig {
    const indexed = task.config;
    if (!indexed || indexed.challengeBond === null || indexed.arbitrator === null) {
      throw this.#unpublished(task, "OptimisticConfig");
    }
    const config: OptimisticConfig = {
      arbitrator: getAddress(indexed.arbitrator),
      challengeBond: BigInt(indexed.challengeBond),
    };
    this.#checkConfigHash(task, verifierConfigHash({ method: "optimistic", config }));
    return config;
  }

  #proofConfig(task: TaskContext): ProofConfig | undefined {
    const indexed = task.config;
    if (!indexed || indexed.proofVerifier === null || indexed.commitment === null) return undefined;
    const config: ProofConfig = {
      proofVerifier: getAddress(indexed.proofVerifier),
      commitment: indexed.commitment as Hex,
    };
    this.#checkConfigHash(task, verifierConfigHash({ method: "proof", config }));
    return config;
  }

  #checkConfigHash(task: TaskContext, hash: Hex): void {
    if (hash !== task.terms.verifierConfigHash.toLowerCase()) {
      throw new ApiProblem(
        "upstream_failed",
        `The indexer's configuration of task ${task.live.taskId} does not hash to its terms' verifierConfigHash.`,
      );
    }
  }

  #unpublished(task: TaskContext, name: string): ApiProblem {
    return new ApiProblem(
      "unprocessable",
      `No published ${name} has the hash task ${task.live.taskId} commits to (${task.terms.verifierConfigHash}): ` +
        "the poster has not called publishConfig, or the indexer has not reached it yet.",
    );
  }

  async #signingPlan(task: TaskContext): Promise<SigningPlan> {
    if (task.method !== "attestation") {
      return {
        kind: "none",
        status: "not-applicable",
        reason: `The task is verified by ${describeMethod(task.method)}; attestations are signed only for tasks verified by the AttestationModule.`,
      };
    }
    const config = this.#attestationConfig(task);
    if (config.methodId !== zeroHash && config.methodId !== SERVICE_METHOD_ID) {
      throw new ApiProblem(
        "unprocessable",
        `Task ${task.live.taskId} requires attestations for method ${config.methodId}; this service follows ` +
          `${SERVICE_METHOD} (${SERVICE_METHOD_ID}).`,
      );
    }
    const signer = this.#signer;
    if (!signer) {
      return { kind: "none", status: "unavailable", reason: "The service has no verifier key configured.", config };
    }
    const { live, terms } = task;
    if (signer.address === terms.poster || signer.address === live.state.executor) {
      throw new ApiProblem(
        "unprocessable",
        `The service's verifier ${signer.address} is a party to task ${live.taskId} and may not attest to it.`,
      );
    }
    const active = await readLive(() =>
      this.#chain.client.readContract({
        address: this.#chain.address("attestationModule"),
        abi: PROTOCOL_ABIS.attestationModule,
        functionName: "isActiveVerifier",
        args: [config.verifierSetId, signer.address, config.minBond],
        blockNumber: BigInt(live.block.number),
      }),
    );
    if (!active) {
      throw new ApiProblem(
        "unprocessable",
        `The service's verifier ${signer.address} is not an active member of verifier set ${config.verifierSetId} ` +
          `with a bond of at least ${config.minBond} wei, so the module would refuse its attestation.`,
        { extensions: { signer: signer.address, verifierSetId: config.verifierSetId.toString() } },
      );
    }
    return { kind: "sign", signer, config, methodId: SERVICE_METHOD_ID };
  }

  // ---- the checks ------------------------------------------------------------------------------------------------

  async #evaluate(
    document: TaskDocument,
    output: SubmittedOutput,
    bytes: Uint8Array,
    hash: Hex,
    task: TaskContext,
    plan: SigningPlan,
  ): Promise<{ evidence: VerificationEvidence; verdict: Verdict; evidenceHash: Hex }> {
    const criteria = document.verification_criteria;
    const commitment =
      criteria.proof?.scheme === "hash-commitment"
        ? ((task.method === "proof" ? this.#proofConfig(task)?.commitment : undefined) ??
          (criteria.proof.commitment.toLowerCase() as Hex))
        : undefined;
    if (criteria.output_schema === undefined && criteria.acceptance_tests === undefined && commitment === undefined) {
      throw new ApiProblem(
        "unprocessable",
        `Task ${task.live.taskId} has no automated verification criteria (an output_schema, acceptance_tests or a ` +
          "hash commitment), so there is nothing for the service to check.",
      );
    }

    const checks: CheckResult[] = [
      {
        check: "output-hash",
        passed: true,
        conclusive: true,
        summary: `keccak256 of the output's ${hashedForm(output)} is the submission under review.`,
        details: { encoding: output.encoding, bytes: bytes.byteLength, hash },
      },
    ];
    const checked = valueToCheck(output, bytes);
    if (criteria.output_schema !== undefined) {
      checks.push(this.#schemaCheck(task.terms.documentHash, criteria.output_schema, checked));
    }
    if (commitment !== undefined) {
      const passed = hash === commitment;
      checks.push({
        check: "hash-commitment",
        passed,
        conclusive: true,
        summary: passed ? "The output hashes to the commitment." : "The output does not hash to the commitment.",
        details: { commitment, hash },
      });
    }
    if (criteria.acceptance_tests !== undefined) {
      checks.push(await this.#suiteCheck(criteria.acceptance_tests.source, checked));
    }

    const verdict = verdictOf(checks, plan.config?.scored ?? false);
    const evidence: VerificationEvidence = {
      version: EVIDENCE_VERSION,
      chainId: this.#chain.chainId,
      market: this.#chain.address("taskMarket"),
      taskId: task.live.taskId.toString(),
      milestone: task.milestone,
      submissionHash: task.live.submissionHash,
      reviewDeadline: task.live.state.reviewDeadline,
      documentHash: task.terms.documentHash.toLowerCase() as Hex,
      method: SERVICE_METHOD,
      output: { encoding: output.encoding, bytes: bytes.byteLength, hash },
      checks,
      verdict: { approved: verdict.approved, scoreBps: verdict.scoreBps, conclusive: verdict.conclusive },
    };
    return { evidence, verdict, evidenceHash: contentHash(evidence as unknown as JsonValue) };
  }

  #schemaCheck(documentHash: Hex, schema: JsonObject, checked: { value: JsonValue } | { error: string }): CheckResult {
    if ("error" in checked) {
      return {
        check: "json-schema",
        passed: false,
        conclusive: true,
        summary: `${capitalize(checked.error)}.`,
        details: {},
      };
    }
    let validate = this.#schemas.get(documentHash);
    if (!validate) {
      try {
        validate = compileEmbeddedSchema(schema);
      } catch (error) {
        return {
          check: "json-schema",
          passed: false,
          conclusive: false,
          summary: `The task's output_schema does not compile: ${describe(error)}.`,
          details: {},
        };
      }
      if (this.#schemas.size >= SCHEMA_CACHE_SIZE) this.#schemas.delete(this.#schemas.keys().next().value!);
      this.#schemas.set(documentHash, validate);
    }
    let valid: boolean;
    try {
      valid = validate(checked.value) as boolean;
    } catch (error) {
      // An output nested deeper than the validator can recurse: the executor's output, not the poster's schema.
      return {
        check: "json-schema",
        passed: false,
        conclusive: true,
        summary: `The output cannot be validated: ${describe(error)}.`,
        details: {},
      };
    }
    if (valid) {
      return {
        check: "json-schema",
        passed: true,
        conclusive: true,
        summary: "The output matches output_schema.",
        details: {},
      };
    }
    const errors = (validate.errors ?? []).map((error) => ({
      path: error.instancePath,
      message: `${error.message ?? "is invalid"}${error.keyword === "additionalProperties" ? ` (${String(error.params.additionalProperty)})` : ""}`,
    }));
    return {
      check: "json-schema",
      passed: false,
      conclusive: true,
      summary: `The output does not match output_schema (${errors.length} error${errors.length === 1 ? "" : "s"}).`,
      details: { errors: errors.slice(0, MAX_SCHEMA_ERRORS), errorCount: errors.length },
    };
  }

  async #suiteCheck(source: string, checked: { value: JsonValue } | { error: string }): Promise<CheckResult> {
    if ("error" in checked) {
      return {
        check: "acceptance-suite",
        passed: false,
        conclusive: true,
        summary: `The suite cannot run: ${checked.error}.`,
        details: {},
      };
    }
    let result: AcceptanceSuiteResult;
    try {
      result = await this.#sandbox.run({ source, output: checked.value, limits: SERVICE_SUITE_LIMITS });
    } catch (error) {
      if (error instanceof SandboxBusyError) {
        throw new ApiProblem("unavailable", `The acceptance-test sandbox is busy: ${error.message}.`, {
          headers: { "retry-after": "5" },
        });
      }
      if (error instanceof RangeError || error instanceof TypeError) {
        // The output is beyond what the sandbox takes (size, depth): the executor's output, not the poster's suite.
        return {
          check: "acceptance-suite",
          passed: false,
          conclusive: true,
          summary: `The output cannot be handed to the suite: ${error.message}.`,
          details: {},
        };
      }
      throw error;
    }
    const total = result.passed + result.failed + result.notRun;
    const conclusive = result.status === "passed" || result.status === "failed";
    const summaries: Record<AcceptanceSuiteResult["status"], string> = {
      passed: `All ${total} acceptance test${total === 1 ? "" : "s"} passed.`,
      failed: `${result.failed} of ${total} acceptance tests failed.`,
      error: `The suite could not reach a verdict: ${result.error ?? "error"}.`,
      timeout: `The suite was stopped at its time limit of ${result.limits.timeMs} ms: ${result.error ?? "timeout"}.`,
      memory: `The suite was stopped at its memory limit of ${result.limits.memoryBytes} bytes: ${result.error ?? "memory"}.`,
    };
    return {
      check: "acceptance-suite",
      passed: result.status === "passed",
      conclusive,
      summary: summaries[result.status],
      details: {
        status: result.status,
        passed: result.passed,
        failed: result.failed,
        notRun: result.notRun,
        tests: result.tests.map((test) => ({
          name: test.name,
          passed: test.passed,
          ran: test.ran,
          ...(test.message === undefined ? {} : { message: test.message }),
          ...(test.line === undefined ? {} : { line: test.line }),
        })),
        ...(result.error === undefined ? {} : { error: result.error }),
        limits: { ...result.limits },
      },
    };
  }

  // ---- records, signatures and the audit log ---------------------------------------------------------------------

  /** keccak256 of what makes a record unique: the chain, the market, the round's task, milestone and submission, the signer. */
  #recordId(taskId: bigint, milestone: number, submissionHash: Hex, signer: Address | null): Hex {
    return keccak256(
      encodeAbiParameters(
        [
          { type: "string" },
          { type: "uint256" },
          { type: "address" },
          { type: "uint256" },
          { type: "uint256" },
          { type: "bytes32" },
          { type: "address" },
        ],
        [
          "taskmarket/verification",
          BigInt(this.#chain.chainId),
          this.#chain.address("taskMarket"),
          taskId,
          BigInt(milestone),
          submissionHash,
          signer ?? zeroAddress,
        ],
      ),
    );
  }

  /** The attestation nonce: fixed per round and signer, so that every signature of one round names the same nonce. */
  #nonce(recordId: Hex, reviewDeadline: number): bigint {
    return BigInt(
      keccak256(encodeAbiParameters([{ type: "bytes32" }, { type: "uint40" }], [recordId, reviewDeadline])),
    );
  }

  async #store(
    id: Hex,
    evaluation: { evidence: VerificationEvidence; verdict: Verdict; evidenceHash: Hex },
    task: TaskContext,
    plan: SigningPlan,
    apiKeyId: string | undefined,
  ): Promise<{ record: VerificationRecord; created: boolean }> {
    const { live } = task;
    const { verdict } = evaluation;
    const signing: StoredResult["signing"] =
      plan.kind === "none"
        ? { status: plan.status, reason: plan.reason }
        : verdict.conclusive
          ? { status: "signed" }
          : { status: "withheld", reason: `The checks reached no verdict: ${verdict.summary}` };
    const result: StoredResult = {
      reviewDeadline: live.state.reviewDeadline,
      method: task.method,
      verifier: task.terms.verifier,
      verdict,
      evidence: evaluation.evidence,
      evidenceHash: evaluation.evidenceHash,
      signing,
      evaluatedAt: new Date().toISOString(),
    };
    return this.#db.transaction(async (transaction) => {
      // Two requests for one round race here: the second waits, then finds the first one's signature.
      await transaction.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [id]);
      const [current] = await transaction.query<VerificationRow>(`${SELECT_RECORD} WHERE id = $1 FOR UPDATE`, [id]);
      if (current?.attestation && current.result.reviewDeadline === live.state.reviewDeadline) {
        return { record: recordOf(current), created: false };
      }
      let attestation: AttestationRecord | null = null;
      if (plan.kind === "sign" && verdict.conclusive) {
        const deadline = Math.min(live.state.reviewDeadline, live.block.timestamp + this.attestationTtlSeconds);
        const message: AttestationMessage = {
          taskId: live.taskId,
          milestone: task.milestone,
          submissionHash: live.submissionHash,
          reviewDeadline: live.state.reviewDeadline,
          approved: verdict.approved,
          scoreBps: verdict.scoreBps,
          methodId: plan.methodId,
          evidenceHash: evaluation.evidenceHash,
          deadline: BigInt(deadline),
          nonce: this.#nonce(id, live.state.reviewDeadline),
        };
        attestation = await this.#sign(transaction, "attestation.sign", id, message, task, plan, apiKeyId);
      }
      const [row] = await transaction.query<VerificationRow>(
        `INSERT INTO ${API_SCHEMA}.verifications (id, task_id, milestone, submission_hash, signer, result, attestation)
         VALUES ($1, $2::numeric, $3, $4, $5, $6::jsonb, $7::jsonb)
         ON CONFLICT (id) DO UPDATE SET result = EXCLUDED.result, attestation = EXCLUDED.attestation
         RETURNING id, task_id::text AS task_id, milestone, submission_hash, signer, result, attestation, created_at`,
        [
          id,
          live.taskId.toString(),
          task.milestone,
          live.submissionHash,
          plan.kind === "sign" ? plan.signer.address : null,
          JSON.stringify(result),
          attestation === null ? null : JSON.stringify(attestation),
        ],
      );
      return { record: recordOf(row!), created: current === undefined };
    });
  }

  async #renewIfExpired(
    existing: VerificationRecord,
    task: TaskContext,
    plan: Extract<SigningPlan, { kind: "sign" }>,
    apiKeyId: string | undefined,
  ): Promise<VerificationRecord> {
    const now = task.live.block.timestamp;
    if (BigInt(existing.attestation!.message.deadline) >= BigInt(now)) return existing;
    const deadline = Math.min(task.live.state.reviewDeadline, now + this.attestationTtlSeconds);
    return this.#db.transaction(async (transaction) => {
      await transaction.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [existing.id]);
      const [current] = await transaction.query<VerificationRow>(`${SELECT_RECORD} WHERE id = $1 FOR UPDATE`, [
        existing.id,
      ]);
      const record = recordOf(current!);
      const previous = record.attestation!;
      if (BigInt(previous.message.deadline) >= BigInt(deadline)) return record;
      const message: AttestationMessage = {
        taskId: BigInt(previous.message.taskId),
        milestone: previous.message.milestone,
        submissionHash: previous.message.submissionHash,
        reviewDeadline: previous.message.reviewDeadline,
        approved: previous.message.approved,
        scoreBps: previous.message.scoreBps,
        methodId: previous.message.methodId,
        evidenceHash: previous.message.evidenceHash,
        deadline: BigInt(deadline),
        nonce: BigInt(previous.message.nonce),
      };
      const attestation = await this.#sign(transaction, "attestation.renew", record.id, message, task, plan, apiKeyId);
      const [row] = await transaction.query<VerificationRow>(
        `UPDATE ${API_SCHEMA}.verifications SET attestation = $2::jsonb WHERE id = $1
         RETURNING id, task_id::text AS task_id, milestone, submission_hash, signer, result, attestation, created_at`,
        [record.id, JSON.stringify(attestation)],
      );
      return recordOf(row!);
    });
  }

  /** Signs `message` and writes the signature to the audit log in the same transaction as the record. */
  async #sign(
    transaction: Queryable,
    action: "attestation.sign" | "attestation.renew",
    id: Hex,
    message: AttestationMessage,
    task: TaskContext,
    plan: Extract<SigningPlan, { kind: "sign" }>,
    apiKeyId: string | undefined,
  ): Promise<AttestationRecord> {
    const { signer, config } = plan;
    const { signature, digest } = await signer.sign(message);
    const signedAttestation = {
      signer: signer.address,
      scoreBps: message.scoreBps,
      evidenceHash: message.evidenceHash,
      deadline: message.deadline,
      nonce: message.nonce,
      signature,
    };
    const verdict = { approved: message.approved, methodId: message.methodId };
    const transactionToSend =
      config.quorum <= 1
        ? this.#chain.prepare(
            "attestationModule",
            "submitVerdict",
            [message.taskId, task.terms, config, verdict, [signedAttestation]],
            {
              description: `Submit the ${message.approved ? "approval" : "rejection"} of task ${message.taskId} (milestone ${message.milestone}) attested by ${signer.address}.`,
            },
          )
        : null;
    const record: AttestationRecord = {
      domain: {
        name: String(this.domain.name),
        version: String(this.domain.version),
        chainId: Number(this.domain.chainId),
        verifyingContract: this.domain.verifyingContract as Address,
      },
      message: {
        taskId: message.taskId.toString(),
        milestone: message.milestone,
        submissionHash: message.submissionHash,
        reviewDeadline: message.reviewDeadline,
        approved: message.approved,
        scoreBps: message.scoreBps,
        methodId: message.methodId,
        evidenceHash: message.evidenceHash,
        deadline: message.deadline.toString(),
        nonce: message.nonce.toString(),
      },
      signer: signer.address,
      digest,
      signature,
      verdict,
      signedAttestation: {
        ...signedAttestation,
        deadline: message.deadline.toString(),
        nonce: message.nonce.toString(),
      },
      quorum: config.quorum,
      transaction: transactionToSend,
      signedAt: new Date().toISOString(),
    };
    await transaction.query(
      `INSERT INTO ${API_SCHEMA}.audit_log (action, api_key_id, task_id, submission_hash, signer, digest, signature, detail)
       VALUES ($1, $2, $3::numeric, $4, $5, $6, $7, $8::jsonb)`,
      [
        action,
        apiKeyId ?? null,
        message.taskId.toString(),
        message.submissionHash,
        signer.address,
        digest,
        signature,
        JSON.stringify({
          verificationId: id,
          milestone: message.milestone,
          reviewDeadline: message.reviewDeadline,
          approved: message.approved,
          scoreBps: message.scoreBps,
          methodId: message.methodId,
          evidenceHash: message.evidenceHash,
          deadline: message.deadline.toString(),
          nonce: message.nonce.toString(),
          chainId: record.domain.chainId,
          verifyingContract: record.domain.verifyingContract,
        }),
      ],
    );
    this.#log.info("attestation signed", {
      action,
      verificationId: id,
      taskId: message.taskId.toString(),
      milestone: message.milestone,
      signer: signer.address,
      approved: message.approved,
      digest,
      apiKeyId: apiKeyId ?? null,
    });
    return record;
  }

  async #load(id: Hex): Promise<VerificationRecord | undefined> {
    const [row] = await this.#db.query<VerificationRow>(`${SELECT_RECORD} WHERE id = $1`, [id.toLowerCase()]);
    return row ? recordOf(row) : undefined;
  }
}

const SELECT_RECORD = `SELECT id, task_id::text AS task_id, milestone, submission_hash, signer, result, attestation, created_at
  FROM ${API_SCHEMA}.verifications`;

function recordOf(row: VerificationRow): VerificationRecord {
  const result = row.result;
  return {
    id: row.id as Hex,
    taskId: BigInt(row.task_id),
    milestone: Number(row.milestone),
    submissionHash: row.submission_hash as Hex,
    reviewDeadline: result.reviewDeadline,
    method: result.method,
    verifier: result.verifier,
    signer: row.signer === null ? null : getAddress(row.signer),
    verdict: result.verdict,
    checks: result.evidence.checks,
    evidence: result.evidence,
    evidenceHash: result.evidenceHash,
    signing: result.signing,
    attestation: row.attestation,
    createdAt: new Date(row.created_at).toISOString(),
    evaluatedAt: result.evaluatedAt,
  };
}

/** The verdict the checks add up to; see the service's `methods().service.verdict`. */
function verdictOf(checks: readonly CheckResult[], scored: boolean): Verdict {
  const failedConclusively = checks.filter((check) => check.conclusive && !check.passed);
  const conclusive = failedConclusively.length > 0 || checks.every((check) => check.conclusive);
  const hardChecksPass = checks.every((check) => check.check === "acceptance-suite" || check.passed);
  const suite = checks.find((check) => check.check === "acceptance-suite");
  const suitePassed = Number(suite?.details.passed ?? 0);
  const suiteTotal = suitePassed + Number(suite?.details.failed ?? 0) + Number(suite?.details.notRun ?? 0);
  const scoreBps = !hardChecksPass
    ? 0
    : suite === undefined
      ? BPS
      : suiteTotal === 0
        ? 0
        : Math.floor((suitePassed * BPS) / suiteTotal);
  const approved =
    conclusive &&
    hardChecksPass &&
    (suite === undefined || (scored ? suite.conclusive && suitePassed > 0 : suite.passed));
  let summary: string;
  if (!conclusive) {
    summary = `Inconclusive: ${checks
      .filter((check) => !check.conclusive)
      .map((check) => check.summary)
      .join(" ")}`;
  } else if (approved) {
    summary =
      scoreBps === BPS
        ? "Approved: every check passed."
        : `Approved with a score of ${scoreBps} bps (scored configuration).`;
  } else {
    summary = `Rejected: ${failedConclusively.map((check) => `${check.check}: ${check.summary}`).join(" ")}`;
  }
  return { approved, scoreBps, conclusive, summary };
}

function hashedForm(output: SubmittedOutput): string {
  return output.encoding === "json" ? "canonical JSON" : output.encoding === "text" ? "UTF-8 text" : "bytes";
}

function describeMethod(method: VerifierMethod): string {
  switch (method) {
    case "poster":
      return "its poster";
    case "delegated":
      return "a delegated account";
    default:
      return `the ${method[0]!.toUpperCase()}${method.slice(1)}Module`;
  }
}

function capitalize(text: string): string {
  return text.length === 0 ? text : `${text[0]!.toUpperCase()}${text.slice(1)}`;
}

function describe(error: unknown): string {
  return error instanceof Error ? ((error as { shortMessage?: string }).shortMessage ?? error.message) : String(error);
}
