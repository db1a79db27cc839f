// The direct client: an agent or a dApp drives the protocol's contracts with its own viem wallet, no API in between.
// Everything the contracts need that a client cannot read from storage — a task's terms and capability list, a
// module's configuration — is read back from the events that published it, so no indexer is needed either.
import {
  erc20Abi,
  getAbiItem,
  getAddress,
  parseEventLogs,
  zeroAddress,
  zeroHash,
  type Abi,
  type AbiEvent,
  type Account,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type ContractFunctionReturnType,
  type Hash,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
} from "viem";

import type { Deployment, ProtocolContractKey } from "../../scripts/deployment.ts";
import {
  commitTaskDocument,
  validateTaskDocument,
  type JsonValue,
  type TaskDocument,
} from "../../src/documents/index.ts";
import { PROTOCOL_ABIS, panelArbitratorAbi, taskMarketAbi } from "../../src/protocol/abis.ts";
import { capabilityIds } from "../../src/protocol/capabilities.ts";
import { arbitratorExtraData } from "../../src/protocol/disputes.ts";
import { contentHash } from "../../src/protocol/results.ts";
import { readTaskState, type TaskStateAt } from "../../src/protocol/task-state.ts";
import {
  ExecutorKind,
  taskStatusName,
  type TaskOptions,
  type TaskStatusName,
  type TaskTerms,
} from "../../src/protocol/terms.ts";
import {
  MODULE_ABIS,
  MODULE_CONTRACT_KEYS,
  moduleAt,
  readPublishedConfig,
  verifierConfigHash,
  type AttestationConfig,
  type ModuleVerification,
  type VerificationModuleName,
} from "../../src/protocol/verification-configs.ts";
import {
  InvalidTaskDocumentError,
  TaskMarketTransactionError,
  TaskNotFoundError,
  contractErrorFrom,
} from "./errors.ts";
import { TASK_EVENTS_ABI, TASK_EVENT_SOURCES, namesTask, type TaskEvent, type TaskEventSource } from "./task-events.ts";
import { TaskTermsError, deriveTaskTerms, type TaskTermsChoices } from "./task-terms.ts";

/** Where the protocol's contracts are: the market at least; the others as far as the calls made need them. */
export type TaskMarketAddresses = { taskMarket: Address } & Partial<Record<ProtocolContractKey, Address>>;

export interface TaskMarketOptions {
  publicClient: PublicClient;
  /** Needed for writes: its account signs every transaction. */
  walletClient?: WalletClient;
  /** The deployment record (`deployments/<network>.json`); or give `addresses` and `chainId`. */
  deployment?: Deployment;
  addresses?: TaskMarketAddresses;
  chainId?: number;
  /**
   * The first block to read a task's creation and module configurations from. Default: the market's deployment block
   * from `deployment`, otherwise 0. RPC providers that bound `eth_getLogs` ranges need a recent one.
   */
  fromBlock?: bigint;
  /** How often to poll for receipts and events, in ms. Default: the public client's. */
  pollingInterval?: number;
}

/** The outcome of a transaction the client sent. */
export interface SentTransaction {
  transactionHash: Hash;
  receipt: TransactionReceipt;
}

/** A task as it was created: what `TaskCreated` carries. Immutable, so the client keeps it once read. */
export interface PostedTask {
  taskId: bigint;
  terms: TaskTerms;
  /** The required capability ids, strictly ascending, as `claim` needs them. */
  capabilities: Hex[];
  documentURI: string;
  blockNumber: bigint;
  transactionHash: Hash;
}

export interface PostTaskInput extends TaskTermsChoices {
  /** The task document; validated and committed to here (its RFC 8785 canonical form, hashed with keccak256). */
  document: TaskDocument;
  /** Where the document can be fetched. Default: `ipfs://<cid>` of its canonical bytes (the same as the API's). */
  documentURI?: string;
  /** An assignment module and a subtask budget (`createTaskWithOptions`); left out, the task is first come. */
  options?: TaskOptions;
  /**
   * Publish the module configuration (`publishConfig`) unless it already is, so that executors can read what the
   * terms commit to. Default: true.
   */
  publishConfig?: boolean;
}

export interface PostTaskResult extends SentTransaction {
  taskId: bigint;
  terms: TaskTerms;
  capabilities: Hex[];
  documentHash: Hex;
  documentURI: string;
  /** The RFC 8785 canonical JSON of the document: the bytes to store wherever `documentURI` points. */
  canonicalDocument: string;
  verification?: ModuleVerification;
}

/** A task's live state, every field read at one block. */
export interface TaskSnapshot extends TaskStateAt {
  taskId: bigint;
  statusName: TaskStatusName;
  /** The block every view was read at. */
  blockNumber: bigint;
}

export { taskStatusName, type TaskStatusName };

/** One signed attestation of a verdict: the signed message's fields and the signature. */
export interface VerdictAttestation {
  signer: Address;
  approved: boolean;
  methodId: Hex;
  scoreBps: number;
  evidenceHash: Hex;
  deadline: bigint | string | number;
  nonce: bigint | string | number;
  signature: Hex;
}

/** An attestation as the API's verification record carries it (`record.attestation`). */
export interface ApiAttestation {
  verdict: { approved: boolean; methodId: string };
  signedAttestation: {
    signer: string;
    scoreBps: number;
    evidenceHash: string;
    deadline: string;
    nonce: string;
    signature: string;
  };
}

/** Content and its location, hashed by the `contentHash` convention unless the hash is given. */
export interface ContentReference {
  /** JSON, hashed as its RFC 8785 canonical form, or raw bytes. */
  content?: JsonValue | Uint8Array;
  hash?: Hex;
  uri?: string;
}

export const ELIGIBILITY_NAMES = [
  "Eligible",
  "NotRegistered",
  "Inactive",
  "KindMismatch",
  "MissingCapability",
] as const;
export type EligibilityName = (typeof ELIGIBILITY_NAMES)[number];

type WriteFunction<K extends ProtocolContractKey> = ContractFunctionName<
  (typeof PROTOCOL_ABIS)[K],
  "nonpayable" | "payable"
>;
type WriteArgs<K extends ProtocolContractKey, F extends WriteFunction<K>> = ContractFunctionArgs<
  (typeof PROTOCOL_ABIS)[K],
  "nonpayable" | "payable",
  F
>;

const taskCreatedEvent = getAbiItem({ abi: taskMarketAbi, name: "TaskCreated" });

export class TaskMarket {
  readonly publicClient: PublicClient;
  readonly walletClient: WalletClient | undefined;
  readonly chainId: number;
  readonly addresses: TaskMarketAddresses;
  readonly fromBlock: bigint;
  readonly #pollingInterval: number | undefined;
  readonly #posted = new Map<bigint, PostedTask>();
  readonly #configs = new Map<Hex, ModuleVerification>();
  #publicChainChecked: Promise<void> | undefined;

  constructor(options: TaskMarketOptions) {
    const { deployment } = options;
    const fromDeployment =
      deployment === undefined
        ? undefined
        : (Object.fromEntries(
            Object.entries(deployment.contracts).map(([key, contract]) => [key, contract.address]),
          ) as TaskMarketAddresses);
    const addresses = { ...fromDeployment, ...options.addresses } as TaskMarketAddresses;
    if (addresses.taskMarket === undefined) {
      throw new TypeError("TaskMarket needs `deployment` or `addresses.taskMarket`.");
    }
    const chainId = options.chainId ?? deployment?.chainId;
    if (chainId === undefined) throw new TypeError("TaskMarket needs `chainId` (or a `deployment`, which carries it).");
    if (deployment !== undefined && options.chainId !== undefined && options.chainId !== deployment.chainId) {
      throw new TypeError(`chainId ${options.chainId} differs from the deployment's chain ${deployment.chainId}.`);
    }
    this.publicClient = options.publicClient;
    this.walletClient = options.walletClient;
    this.chainId = chainId;
    this.addresses = addresses;
    this.fromBlock = options.fromBlock ?? BigInt(deployment?.contracts.taskMarket.blockNumber ?? 0);
    this.#pollingInterval = options.pollingInterval;
  }

  /** The address of a protocol contract; throws if this client was not given it. */
  address(key: ProtocolContractKey): Address {
    const address = this.addresses[key];
    if (address === undefined) {
      throw new TypeError(`No address for ${key}: pass it in \`addresses\` or a \`deployment\`.`);
    }
    return address;
  }

  /** The account that signs this client's transactions. */
  get account(): Address {
    return this.#walletAccount().address;
  }

  /*//////////////////////////////////////////////////////////////
                               POSTING
  //////////////////////////////////////////////////////////////*/

  /**
   * Validates and commits to a task document, derives the terms from it, and creates and funds the task in one
   * transaction (after approving the market for an ERC-20 escrow, and publishing a module configuration, when needed).
   */
  async postTask(input: PostTaskInput): Promise<PostTaskResult> {
    const validation = validateTaskDocument(input.document);
    if (!validation.ok) throw new InvalidTaskDocumentError(validation.errors);
    const document = validation.document;
    const required = document.dependencies.filter((dependency) => dependency.relation === "requires");
    if (required.length > 0 && (input.options?.assigner ?? zeroAddress) === zeroAddress) {
      throw new TaskTermsError(
        "options.assigner",
        `is required: the document requires task(s) ${required.map((dependency) => dependency.task_id).join(", ")}, ` +
          "which only an assignment module (gatedClaim, applicationBoard, reverseAuction) enforces",
      );
    }
    const commitment = await commitTaskDocument(document);
    const poster = this.#walletAccount().address;
    const [feeBps, block] = await Promise.all([this.#readMarket("protocolFeeBps", []), this.publicClient.getBlock()]);
    const { terms, capabilities, verification } = deriveTaskTerms(
      document,
      input,
      {
        poster,
        feeBps: Number(feeBps),
        now: Number(block.timestamp),
        documentHash: commitment.documentHash,
        addresses: {
          review: this.addresses.reviewModule,
          attestation: this.addresses.attestationModule,
          optimistic: this.addresses.optimisticModule,
          proof: this.addresses.proofModule,
          hashCommitmentVerifier: this.addresses.hashCommitmentVerifier,
          merkleInclusionVerifier: this.addresses.merkleInclusionVerifier,
        },
      },
      verifierConfigHash,
    );
    if (verification !== undefined) {
      this.#configs.set(terms.verifierConfigHash, verification);
      if (input.publishConfig !== false) await this.publishVerifierConfig(verification);
    }

    const documentURI = input.documentURI ?? commitment.documentURI;
    const escrow = terms.reward + terms.verifierFee;
    const isEth = terms.token === zeroAddress;
    if (!isEth) await this.#ensureAllowance(terms.token, this.address("taskMarket"), escrow);
    const sent =
      input.options === undefined
        ? await this.#write("taskMarket", "createTask", [terms, capabilities, documentURI], isEth ? escrow : undefined)
        : await this.#write(
            "taskMarket",
            "createTaskWithOptions",
            [terms, input.options, capabilities, documentURI],
            isEth ? escrow : undefined,
          );

    const [created] = parseEventLogs({ abi: taskMarketAbi, logs: sent.receipt.logs, eventName: "TaskCreated" }).filter(
      (log) => log.address.toLowerCase() === this.address("taskMarket").toLowerCase(),
    );
    if (created === undefined) throw new Error(`Transaction ${sent.transactionHash} created no task.`);
    const taskId = created.args.taskId;
    this.#posted.set(taskId, {
      taskId,
      terms,
      capabilities,
      documentURI,
      blockNumber: sent.receipt.blockNumber,
      transactionHash: sent.transactionHash,
    });
    return {
      ...sent,
      taskId,
      terms,
      capabilities,
      documentHash: commitment.documentHash,
      documentURI,
      canonicalDocument: commitment.canonical,
      ...(verification === undefined ? {} : { verification }),
    };
  }

  /**
   * Publishes a module configuration (the module emits it with its hash, changing nothing else) unless it already is.
   * Returns the transaction, or undefined when the configuration was already published.
   */
  async publishVerifierConfig(verification: ModuleVerification): Promise<SentTransaction | undefined> {
    const hash = verifierConfigHash(verification);
    this.#configs.set(hash, verification);
    if ((await this.#publishedConfig(verification.method, hash)) !== undefined) return undefined;
    const key = MODULE_CONTRACT_KEYS[verification.method];
    return this.#send(key, this.address(key), MODULE_ABIS[verification.method], "publishConfig", [verification.config]);
  }

  /*//////////////////////////////////////////////////////////////
                              EXECUTORS
  //////////////////////////////////////////////////////////////*/

  /** Registers the wallet's account as an executor. An agent names the operator accountable for it. */
  async registerExecutor(input: {
    kind: "human" | "agent";
    operator?: Address;
    /** Capability names (`lang:solidity`) or their ids. */
    capabilities?: readonly string[];
    metadataURI?: string;
  }): Promise<SentTransaction> {
    const kind = input.kind === "human" ? ExecutorKind.Human : ExecutorKind.Agent;
    return this.#write("executorRegistry", "register", [
      kind,
      input.operator ?? zeroAddress,
      capabilityIds(input.capabilities ?? []),
      input.metadataURI ?? "",
    ]);
  }

  /** An executor's registered profile and capability ids. */
  async getExecutor(executor: Address = this.account) {
    const registry = { address: this.address("executorRegistry"), abi: PROTOCOL_ABIS.executorRegistry } as const;
    const [profile, capabilities] = await Promise.all([
      this.publicClient.readContract({ ...registry, functionName: "profileOf", args: [executor] }),
      this.publicClient.readContract({ ...registry, functionName: "capabilitiesOf", args: [executor] }),
    ]);
    return {
      address: getAddress(executor),
      ...profile,
      registered: profile.registeredAt !== 0,
      capabilities: [...capabilities],
    };
  }

  /** Whether `executor` may claim the task, and if not, the first reason the registry gives. */
  async eligibilityFor(taskId: bigint, executor: Address = this.account): Promise<EligibilityName> {
    const { terms, capabilities } = await this.getPostedTask(taskId);
    const eligibility = await this.publicClient.readContract({
      address: this.address("executorRegistry"),
      abi: PROTOCOL_ABIS.executorRegistry,
      functionName: "eligibilityOf",
      args: [executor, terms.executorKind, capabilities],
    });
    return ELIGIBILITY_NAMES[eligibility];
  }

  /*//////////////////////////////////////////////////////////////
                              LIFECYCLE
  //////////////////////////////////////////////////////////////*/

  /** Claims a posted task, locking its claim bond (sent with the call for ETH, approved first for an ERC-20). */
  async claim(taskId: bigint): Promise<SentTransaction> {
    const { terms, capabilities } = await this.getPostedTask(taskId);
    const isEth = terms.token === zeroAddress;
    if (!isEth && terms.claimBond > 0n) {
      await this.#ensureAllowance(terms.token, this.address("taskMarket"), terms.claimBond);
    }
    return this.#write("taskMarket", "claim", [taskId, terms, capabilities], isEth ? terms.claimBond : undefined);
  }

  async start(taskId: bigint): Promise<SentTransaction> {
    return this.#write("taskMarket", "start", [taskId]);
  }

  /** Posts a progress checkpoint: the percentage done and, optionally, a report (hashed) and where to read it. */
  async checkpoint(
    taskId: bigint,
    progress: { percentComplete: number } & ContentReference,
  ): Promise<SentTransaction & { progressHash: Hex }> {
    const progressHash = hashOf(progress) ?? zeroHash;
    const sent = await this.#write("taskMarket", "checkpoint", [
      taskId,
      progress.percentComplete,
      progressHash,
      progress.uri ?? "",
    ]);
    return { ...sent, progressHash };
  }

  /**
   * Submits a result: its hash (`contentHash` of `content`, or `hash`) and where to read it. With a `proof`, on a task
   * verified by the proof module, the result is submitted through the module and settled at once if the proof holds.
   */
  async submit(
    taskId: bigint,
    result: ContentReference & { proof?: Hex },
  ): Promise<SentTransaction & { resultHash: Hex }> {
    const resultHash = hashOf(result);
    if (resultHash === undefined) throw new TypeError("submit needs the result's `content` or its `hash`.");
    const { terms } = await this.getPostedTask(taskId);
    const uri = result.uri ?? "";
    if (result.proof !== undefined) {
      const verification = await this.#moduleVerification(taskId, "submit with a proof", ["proof"]);
      const sent = await this.#write("proofModule", "submitWithProof", [
        taskId,
        terms,
        verification.config,
        resultHash,
        uri,
        result.proof,
      ]);
      return { ...sent, resultHash };
    }
    const sent = await this.#write("taskMarket", "submit", [taskId, terms, resultHash, uri]);
    return { ...sent, resultHash };
  }

  /** Accepts the submission under review, as the task's verifier: the poster, a reviewer account or the review module's reviewer. */
  async approve(taskId: bigint): Promise<SentTransaction> {
    const { terms } = await this.getPostedTask(taskId);
    const module = this.#moduleOf(terms);
    if (module === undefined) return this.#write("taskMarket", "approve", [taskId, terms]);
    const verification = await this.#moduleVerification(taskId, "approve", ["review"]);
    return this.#write("reviewModule", "approve", [taskId, terms, verification.config]);
  }

  /**
   * Rejects the submission under review with the hash of a reason (`contentHash` of `content`, or `hash`); the
   * executor may resubmit until its deadline. On a proof-verified task anyone rejects an unproven submission.
   */
  async reject(taskId: bigint, reason: ContentReference = {}): Promise<SentTransaction & { reasonHash: Hex }> {
    const reasonHash = hashOf(reason) ?? zeroHash;
    const { terms } = await this.getPostedTask(taskId);
    const module = this.#moduleOf(terms);
    let sent: SentTransaction;
    if (module === undefined) {
      sent = await this.#write("taskMarket", "reject", [taskId, terms, reasonHash]);
    } else {
      const verification = await this.#moduleVerification(taskId, "reject", ["review", "proof"]);
      sent =
        verification.method === "review"
          ? await this.#write("reviewModule", "reject", [taskId, terms, verification.config, reasonHash])
          : await this.#write("proofModule", "rejectUnproven", [taskId, terms, verification.config]);
    }
    return { ...sent, reasonHash };
  }

  /** Settles a submission whose review window (or hold) ran out. Anyone may call it. */
  async release(taskId: bigint): Promise<SentTransaction> {
    const { terms } = await this.getPostedTask(taskId);
    return this.#write("taskMarket", "release", [taskId, terms]);
  }

  /** Cancels an unclaimed task and refunds its escrow. The poster only. */
  async cancel(taskId: bigint): Promise<SentTransaction> {
    const { terms } = await this.getPostedTask(taskId);
    return this.#write("taskMarket", "cancel", [taskId, terms]);
  }

  /** Agrees to cancel a claimed task; it is cancelled once both the poster and the executor agree. */
  async consentToCancel(taskId: bigint): Promise<SentTransaction> {
    const { terms } = await this.getPostedTask(taskId);
    return this.#write("taskMarket", "consentToCancel", [taskId, terms]);
  }

  /** Refunds the poster of an expired task. Anyone may call it. */
  async refundExpired(taskId: bigint): Promise<SentTransaction> {
    const { terms } = await this.getPostedTask(taskId);
    return this.#write("taskMarket", "refundExpired", [taskId, terms]);
  }

  /** Rates the other side of a settled task, from 1 to 5. */
  async rate(taskId: bigint, rating: number): Promise<SentTransaction> {
    const { terms } = await this.getPostedTask(taskId);
    return this.#write("taskMarket", "rate", [taskId, terms, rating]);
  }

  /** Withdraws what the market credited the account after a failed payment, in `token` (the zero address for ETH). */
  async withdraw(token: Address = zeroAddress, to: Address = this.account): Promise<SentTransaction> {
    return this.#write("taskMarket", "withdraw", [token, to]);
  }

  /*//////////////////////////////////////////////////////////////
                        VERIFICATION AND DISPUTES
  //////////////////////////////////////////////////////////////*/

  /**
   * Applies a quorum's verdict on a task verified by the attestation module: the signed attestations the verification
   * service returned, for one verdict. Anyone may submit them.
   */
  async submitVerdict(
    taskId: bigint,
    attestationsGiven: readonly (VerdictAttestation | ApiAttestation)[],
  ): Promise<SentTransaction> {
    if (attestationsGiven.length === 0) throw new TypeError("submitVerdict needs at least one attestation.");
    const attestations = attestationsGiven.map(flatAttestation);
    const [first] = attestations;
    const verdict = { approved: first.approved, methodId: first.methodId.toLowerCase() as Hex };
    for (const attestation of attestations) {
      if (attestation.approved !== verdict.approved || attestation.methodId.toLowerCase() !== verdict.methodId) {
        throw new TypeError("Every attestation of a verdict must agree on `approved` and `methodId`.");
      }
    }
    const { terms } = await this.getPostedTask(taskId);
    const verification = await this.#moduleVerification(taskId, "submit a verdict", ["attestation"]);
    const signed = attestations
      .map((attestation) => ({
        signer: getAddress(attestation.signer),
        scoreBps: attestation.scoreBps,
        evidenceHash: attestation.evidenceHash,
        deadline: BigInt(attestation.deadline),
        nonce: BigInt(attestation.nonce),
        signature: attestation.signature,
      }))
      // The module requires distinct signers in ascending order.
      .sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
    return this.#write("attestationModule", "submitVerdict", [
      taskId,
      terms,
      verification.config as AttestationConfig,
      verdict,
      signed,
    ]);
  }

  /**
   * Disputes the decision held for contest on a task verified by the review or attestation module (the executor
   * disputes a rejection or partial score, the poster an approval or partial score), or challenges a submission on an
   * optimistic task. Sends the deposit the module requires: the arbitrator's fee, plus the challenge bond for a
   * challenge; pass `deposit` to override it.
   */
  async dispute(taskId: bigint, options: { deposit?: bigint } = {}): Promise<SentTransaction> {
    const { terms } = await this.getPostedTask(taskId);
    const verification = await this.#moduleVerification(taskId, "dispute", ["review", "attestation", "optimistic"]);
    const caller = this.account;
    const executor = (await this.#readMarket("stateOf", [taskId])).executor;
    if (verification.method === "optimistic") {
      const deposit =
        options.deposit ??
        (await this.#arbitrationCost(verification.config.arbitrator, terms.poster, caller, executor, executor)) +
          verification.config.challengeBond;
      return this.#write("optimisticModule", "challenge", [taskId, terms, verification.config], deposit);
    }
    const respondent = caller.toLowerCase() === executor.toLowerCase() ? terms.poster : executor;
    const deposit =
      options.deposit ??
      (await this.#arbitrationCost(verification.config.arbitrator, terms.poster, caller, respondent, executor));
    return verification.method === "review"
      ? this.#write("reviewModule", "dispute", [taskId, terms, verification.config], deposit)
      : this.#write("attestationModule", "dispute", [taskId, terms, verification.config], deposit);
  }

  /** Matches the claimant's deposit as the respondent of a dispute, which seizes the arbitrator. */
  async respondToDispute(taskId: bigint, options: { deposit?: bigint } = {}): Promise<SentTransaction> {
    const { terms } = await this.getPostedTask(taskId);
    const verification = await this.#moduleVerification(taskId, "respond to a dispute", [
      "review",
      "attestation",
      "optimistic",
    ]);
    const key = MODULE_CONTRACT_KEYS[verification.method];
    // `contestOf` is `IDisputableModule`'s, the same in each of the three modules.
    const contest = await this.publicClient.readContract({
      address: this.address(key),
      abi: PROTOCOL_ABIS.reviewModule,
      functionName: "contestOf",
      args: [taskId],
    });
    const executor = contest.claimantForExecutor ? contest.claimant : contest.respondent;
    const deposit =
      options.deposit ??
      (await this.#arbitrationCost(contest.arbitrator, terms.poster, contest.claimant, contest.respondent, executor)) +
        contest.bond;
    return this.#send(key, this.address(key), MODULE_ABIS[verification.method], "respond", [taskId, terms], deposit);
  }

  /** Creates a verifier set of the attestation module, administered by `admin` (default: the wallet's account). */
  async createVerifierSet(admin: Address = this.account): Promise<SentTransaction & { setId: bigint }> {
    const sent = await this.#write("attestationModule", "createVerifierSet", [admin]);
    const [created] = parseEventLogs({
      abi: PROTOCOL_ABIS.attestationModule,
      logs: sent.receipt.logs,
      eventName: "VerifierSetCreated",
    });
    if (created === undefined) throw new Error(`Transaction ${sent.transactionHash} created no verifier set.`);
    return { ...sent, setId: created.args.setId };
  }

  /** Adds a verifier to a set of the attestation module. The set's admin only. */
  async addVerifier(setId: bigint, verifier: Address): Promise<SentTransaction> {
    return this.#write("attestationModule", "addVerifier", [setId, verifier]);
  }

  /** Bonds `amount` wei as a verifier of a set, from the wallet's account. */
  async bondVerifier(setId: bigint, amount: bigint): Promise<SentTransaction> {
    return this.#write("attestationModule", "bond", [setId], amount);
  }

  /*//////////////////////////////////////////////////////////////
                                READS
  //////////////////////////////////////////////////////////////*/

  /** The task's live state, read at one block. Throws `TaskNotFoundError` if the market has no such task. */
  async getTask(taskId: bigint): Promise<TaskSnapshot> {
    await this.#checkPublicChain();
    const blockNumber = await this.publicClient.getBlockNumber({ cacheTime: 0 });
    const task = await readTaskState(this.publicClient, this.address("taskMarket"), taskId, blockNumber);
    if (task === undefined) throw new TaskNotFoundError(taskId);
    return { taskId, ...task, statusName: taskStatusName(task.status), blockNumber };
  }

  /** The task's terms, read from its `TaskCreated` event. */
  async getTerms(taskId: bigint): Promise<TaskTerms> {
    return (await this.getPostedTask(taskId)).terms;
  }

  /**
   * The task as it was created — terms, capability ids, document URI — from the `TaskCreated` log filtered by its
   * indexed id (`eth_getLogs` from `fromBlock`). Kept once read: none of it ever changes.
   */
  async getPostedTask(taskId: bigint): Promise<PostedTask> {
    const known = this.#posted.get(taskId);
    if (known !== undefined) return known;
    await this.#checkPublicChain();
    const logs = await this.publicClient.getLogs({
      address: this.address("taskMarket"),
      event: taskCreatedEvent,
      args: { taskId },
      fromBlock: this.fromBlock,
      toBlock: "latest",
      strict: true,
    });
    const log = logs[0];
    if (log === undefined) throw new TaskNotFoundError(taskId, ` created since block ${this.fromBlock}`);
    const posted: PostedTask = {
      taskId,
      terms: { ...log.args.terms, executorKind: log.args.terms.executorKind as ExecutorKind },
      capabilities: [...log.args.capabilities],
      documentURI: log.args.documentURI,
      blockNumber: log.blockNumber,
      transactionHash: log.transactionHash,
    };
    this.#posted.set(taskId, posted);
    return posted;
  }

  /**
   * The verification module the task names and the configuration its terms commit to: known to this client if it
   * posted or published it, otherwise read from the module's `…ConfigPublished` event for the hash. Undefined when the
   * poster or an account verifies.
   */
  async getVerifierConfig(taskId: bigint): Promise<ModuleVerification | undefined> {
    const { terms } = await this.getPostedTask(taskId);
    const module = this.#moduleOf(terms);
    if (module === undefined) return undefined;
    const known = this.#configs.get(terms.verifierConfigHash);
    if (known !== undefined && known.method === module) return known;
    const published = await this.#publishedConfig(module, terms.verifierConfigHash);
    if (published === undefined) {
      throw new Error(
        `Task ${taskId} is verified by the ${module} module under configuration ${terms.verifierConfigHash}, which ` +
          "nobody has published: ask the poster for it and call publishVerifierConfig.",
      );
    }
    this.#configs.set(terms.verifierConfigHash, published);
    return published;
  }

  /**
   * Calls `onEvent` with each event of the market and the verification modules that names the task, as blocks arrive
   * from the chain's current head on (`getPostedTask` and `getTask` say what happened before). Returns the function that
   * stops watching.
   */
  watchTask(
    taskId: bigint,
    onEvent: (event: TaskEvent) => void,
    options: { onError?: (error: Error) => void; pollingInterval?: number } = {},
  ): () => void {
    const sources = this.#taskEventSources();
    return this.publicClient.watchContractEvent({
      address: [...sources.keys()] as Address[],
      abi: TASK_EVENTS_ABI,
      pollingInterval: options.pollingInterval ?? this.#pollingInterval,
      onError: options.onError,
      onLogs: (logs) => {
        for (const log of logs) {
          const decoded = log as unknown as { eventName?: string; args?: Record<string, unknown> };
          if (decoded.eventName === undefined || !namesTask(decoded.args, taskId)) continue;
          onEvent({
            eventName: decoded.eventName,
            args: decoded.args ?? {},
            source: sources.get(log.address.toLowerCase())!,
            address: getAddress(log.address),
            blockNumber: log.blockNumber!,
            transactionHash: log.transactionHash!,
            logIndex: log.logIndex!,
          });
        }
      },
    });
  }

  /**
   * Every event of the market and the verification modules that names the task (`taskId`, or `parentId`/`subtaskId`),
   * oldest first, from the block it was created in to the chain's head: the task's history as the chain tells it, with
   * no indexer. Throws `TaskNotFoundError` if the market has no such task.
   */
  async getTaskHistory(taskId: bigint): Promise<TaskEvent[]> {
    const { blockNumber: createdAt } = await this.getPostedTask(taskId);
    const sources = this.#taskEventSources();
    const logs = await this.publicClient.getLogs({
      address: [...sources.keys()] as Address[],
      events: TASK_EVENTS_ABI as readonly AbiEvent[],
      fromBlock: createdAt,
      toBlock: "latest",
      strict: true,
    });
    const events: TaskEvent[] = [];
    for (const log of logs) {
      const decoded = log as unknown as { eventName?: string; args?: Record<string, unknown> };
      if (decoded.eventName === undefined || !namesTask(decoded.args, taskId)) continue;
      events.push({
        eventName: decoded.eventName,
        args: decoded.args ?? {},
        source: sources.get(log.address.toLowerCase())!,
        address: getAddress(log.address),
        blockNumber: log.blockNumber,
        transactionHash: log.transactionHash,
        logIndex: log.logIndex,
      });
    }
    return events.sort((a, b) =>
      a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
    );
  }

  /*//////////////////////////////////////////////////////////////
                              INTERNALS
  //////////////////////////////////////////////////////////////*/

  /** The contracts whose events tell a task's story that this client has addresses for, by lower-case address. */
  #taskEventSources(): Map<string, TaskEventSource> {
    const sources = new Map<string, TaskEventSource>();
    for (const key of Object.keys(TASK_EVENT_SOURCES) as TaskEventSource[]) {
      const address = this.addresses[key];
      if (address !== undefined) sources.set(address.toLowerCase(), key);
    }
    return sources;
  }

  #moduleOf(terms: TaskTerms): VerificationModuleName | undefined {
    return moduleAt(terms.verifier, {
      review: this.addresses.reviewModule,
      attestation: this.addresses.attestationModule,
      optimistic: this.addresses.optimisticModule,
      proof: this.addresses.proofModule,
    });
  }

  /** The task's module configuration, which must be of one of `modules` for `action`. */
  async #moduleVerification<const M extends VerificationModuleName>(
    taskId: bigint,
    action: string,
    modules: readonly M[],
  ): Promise<Extract<ModuleVerification, { method: M }>> {
    const verification = await this.getVerifierConfig(taskId);
    if (verification === undefined || !(modules as readonly string[]).includes(verification.method)) {
      const by = verification === undefined ? "its poster or a reviewer account" : `the ${verification.method} module`;
      throw new Error(
        `Cannot ${action} on task ${taskId}: it is verified by ${by}, and only a task verified by the ` +
          `${modules.join(" or ")} module allows it through this call.`,
      );
    }
    return verification as Extract<ModuleVerification, { method: M }>;
  }

  #publishedConfig(module: VerificationModuleName, configHash: Hex): Promise<ModuleVerification | undefined> {
    return readPublishedConfig(this.publicClient, {
      method: module,
      address: this.address(MODULE_CONTRACT_KEYS[module]),
      configHash,
      fromBlock: this.fromBlock,
    });
  }

  /**
   * What an ERC-792 arbitrator charges for a dispute between these parties, asked with the extra data the disputable
   * modules send it (`DisputableModule._arbitratorExtraData`): the poster, the claimant, the respondent and the
   * executor's operator.
   */
  async #arbitrationCost(
    arbitrator: Address,
    poster: Address,
    claimant: Address,
    respondent: Address,
    executor: Address,
  ): Promise<bigint> {
    const operator = await this.publicClient.readContract({
      address: this.address("executorRegistry"),
      abi: PROTOCOL_ABIS.executorRegistry,
      functionName: "operatorOf",
      args: [executor],
    });
    const extraData = arbitratorExtraData({ poster, claimant, respondent, operator });
    return this.publicClient.readContract({
      address: arbitrator,
      abi: panelArbitratorAbi,
      functionName: "arbitrationCost",
      args: [extraData],
    });
  }

  async #readMarket<const F extends ContractFunctionName<typeof taskMarketAbi, "view" | "pure">>(
    functionName: F,
    args: ContractFunctionArgs<typeof taskMarketAbi, "view" | "pure", F>,
  ) {
    return this.publicClient.readContract({
      address: this.address("taskMarket"),
      abi: taskMarketAbi,
      functionName,
      args,
    } as never) as Promise<ContractFunctionReturnType<typeof taskMarketAbi, "view" | "pure", F>>;
  }

  async #ensureAllowance(token: Address, spender: Address, amount: bigint): Promise<void> {
    const owner = this.#walletAccount().address;
    const allowance = await this.publicClient.readContract({
      address: token,
      abi: erc20Abi,
      functionName: "allowance",
      args: [owner, spender],
    });
    if (allowance >= amount) return;
    await this.#send("token", token, erc20Abi, "approve", [spender, amount]);
  }

  #walletAccount(): Account {
    const account = this.walletClient?.account;
    if (account === undefined) {
      throw new TypeError("This call sends a transaction: give TaskMarket a `walletClient` with an account.");
    }
    return account;
  }

  async #checkPublicChain(): Promise<void> {
    this.#publicChainChecked ??= this.publicClient.getChainId().then((chainId) => {
      if (chainId !== this.chainId) {
        throw new Error(
          `The public client is on chain ${chainId}; the TaskMarket deployment is on chain ${this.chainId}.`,
        );
      }
    });
    try {
      await this.#publicChainChecked;
    } catch (error) {
      this.#publicChainChecked = undefined;
      throw error;
    }
  }

  #write<const K extends ProtocolContractKey, const F extends WriteFunction<K>>(
    key: K,
    functionName: F,
    args: WriteArgs<K, F>,
    value?: bigint,
  ): Promise<SentTransaction> {
    return this.#send(
      key,
      this.address(key),
      PROTOCOL_ABIS[key] as Abi,
      functionName,
      args as readonly unknown[],
      value,
    );
  }

  /**
   * Simulates the call first, so that a revert is reported with the contract's error before anything is signed; then
   * signs, sends, and waits for the receipt.
   */
  async #send(
    contract: string,
    address: Address,
    abi: Abi,
    functionName: string,
    args: readonly unknown[],
    value?: bigint,
  ): Promise<SentTransaction> {
    const wallet = this.walletClient!;
    const account = this.#walletAccount();
    await this.#checkPublicChain();
    const walletChainId = await wallet.getChainId();
    if (walletChainId !== this.chainId) {
      throw new Error(
        `The wallet is on chain ${walletChainId}; the TaskMarket deployment is on chain ${this.chainId}.`,
      );
    }
    let transactionHash: Hash;
    try {
      const { request } = await this.publicClient.simulateContract({
        address,
        abi,
        functionName,
        args,
        account,
        ...(value === undefined ? {} : { value }),
      });
      transactionHash = await wallet.writeContract({ ...request, account, chain: wallet.chain ?? null } as Parameters<
        WalletClient["writeContract"]
      >[0]);
    } catch (error) {
      throw contractErrorFrom(error, contract, functionName) ?? error;
    }
    const receipt = await this.publicClient.waitForTransactionReceipt({
      hash: transactionHash,
      ...(this.#pollingInterval === undefined ? {} : { pollingInterval: this.#pollingInterval }),
    });
    if (receipt.status !== "success") {
      throw new TaskMarketTransactionError(
        `${contract}.${functionName} was mined but reverted (transaction ${transactionHash})`,
        transactionHash,
      );
    }
    return { transactionHash, receipt };
  }
}

function flatAttestation(attestation: VerdictAttestation | ApiAttestation): VerdictAttestation {
  if (!("signedAttestation" in attestation)) return attestation;
  const { verdict, signedAttestation: signed } = attestation;
  return {
    signer: getAddress(signed.signer),
    approved: verdict.approved,
    methodId: verdict.methodId as Hex,
    scoreBps: signed.scoreBps,
    evidenceHash: signed.evidenceHash as Hex,
    deadline: signed.deadline,
    nonce: signed.nonce,
    signature: signed.signature as Hex,
  };
}

function hashOf(reference: ContentReference): Hex | undefined {
  if (reference.hash !== undefined) return reference.hash.toLowerCase() as Hex;
  if (reference.content !== undefined) return contentHash(reference.content);
  return undefined;
}
