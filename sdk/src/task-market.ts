// The direct client: an agent or a dApp drives the protocol's contracts with its own viem wallet, no API in between.
// Everything the contracts need that a client cannot read from storage — a task's terms and capability list, a
// module's configuration — is read back from the events that published it, so no indexer is needed either.
import {
  bytesToHex,
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
import { PROTOCOL_ABIS, panelArbitratorAbi, reverseAuctionAbi, taskMarketAbi } from "../../src/protocol/abis.ts";
import { capabilityIds } from "../../src/protocol/capabilities.ts";
import { arbitratorExtraData } from "../../src/protocol/disputes.ts";
import { moduleDomain, settlementTypedData, type SettlementMessage } from "../../src/protocol/eip712.ts";
import { contentHash } from "../../src/protocol/results.ts";
import { readTaskState, type TaskStateAt } from "../../src/protocol/task-state.ts";
import {
  ExecutorKind,
  NO_OPTIONS,
  TaskStatus,
  taskStatusName,
  type TaskFunding,
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
import { deriveTaskTerms, resolveTaskOptions, type TaskTermsChoices } from "./task-terms.ts";
import {
  ASSIGNMENT_ABIS,
  AUCTION_PHASE_NAMES,
  BID_STATUS_NAMES,
  assignerConfigHash,
  assignmentModuleAt,
  readPublishedAssignment,
  sealedBidCommitment,
  type AssignmentModuleName,
  type AuctionPhaseName,
  type BidStatusName,
  type TaskAssignment,
} from "./assignment-configs.ts";

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
  /**
   * A subtask budget and an assignment module (`createTaskWithOptions`); left out, with no `assignment`, the task is
   * first come. Fields left out are zero.
   */
  options?: Partial<TaskOptions>;
  /**
   * The assignment module that gives the task out (`gatedClaim`, `applicationBoard`, `reverseAuction`) and its
   * configuration: sets `options.assigner` and `options.assignerConfigHash`. A document that `requires` other tasks
   * needs one, with exactly those dependencies in its requirements.
   */
  assignment?: TaskAssignment;
  /**
   * Publish the verification module's configuration unless it already is, and the assignment module's once the task
   * exists (`publishConfig`), so that executors can read what the terms and options commit to. Default: true.
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
  /** The options the task was created with; absent for a plain `createTask`. */
  options?: TaskOptions;
  assignment?: TaskAssignment;
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

/** `IDisputableModule.ContestPhase`, by value. */
export const CONTEST_PHASE_NAMES = ["None", "Open", "AwaitingRespondent", "Arbitrating", "Ruled"] as const;
export type ContestPhaseName = (typeof CONTEST_PHASE_NAMES)[number];

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

interface PreparedTask {
  terms: TaskTerms;
  capabilities: Hex[];
  options: TaskOptions | undefined;
  verification: ModuleVerification | undefined;
  documentHash: Hex;
  canonicalDocument: string;
  documentURI: string;
}

export class TaskMarket {
  readonly publicClient: PublicClient;
  readonly walletClient: WalletClient | undefined;
  readonly chainId: number;
  readonly addresses: TaskMarketAddresses;
  readonly fromBlock: bigint;
  readonly #pollingInterval: number | undefined;
  readonly #posted = new Map<bigint, PostedTask>();
  readonly #configs = new Map<Hex, ModuleVerification>();
  /** Options and assignment configurations: fixed when a task is created, so kept once read. */
  readonly #options = new Map<bigint, TaskOptions>();
  readonly #assignments = new Map<bigint, TaskAssignment>();
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
   * With an `assignment`, the task is created behind that module and its configuration is published once the task
   * exists (the modules publish a configuration for a task id).
   */
  async postTask(input: PostTaskInput): Promise<PostTaskResult> {
    const prepared = await this.#prepareTask(input);
    const { terms, capabilities, options, documentURI } = prepared;
    const escrow = terms.reward + terms.verifierFee;
    const isEth = terms.token === zeroAddress;
    if (!isEth) await this.#ensureAllowance(terms.token, this.address("taskMarket"), escrow);
    const sent =
      options === undefined
        ? await this.#write("taskMarket", "createTask", [terms, capabilities, documentURI], isEth ? escrow : undefined)
        : await this.#write(
            "taskMarket",
            "createTaskWithOptions",
            [terms, options, capabilities, documentURI],
            isEth ? escrow : undefined,
          );
    const [created] = this.#marketEvents(sent, "TaskCreated");
    if (created === undefined) throw new Error(`Transaction ${sent.transactionHash} created no task.`);
    return this.#recordCreated(created.args.taskId, prepared, input, sent);
  }

  /**
   * Creates a subtask of a task the wallet's account is executing, from its document as `postTask` does, funded from
   * the parent's escrow instead of by a payment: its reward and verifier fee come out of the parent's subtask budget,
   * in the parent's token. The account is the subtask's poster (it reviews it, or names its verifier); what the
   * subtask does not spend returns to the parent, which can be submitted only once every subtask has ended.
   */
  async createSubtask(parentId: bigint, input: PostTaskInput): Promise<PostTaskResult & { parentId: bigint }> {
    const { terms: parentTerms } = await this.getPostedTask(parentId);
    const prepared = await this.#prepareTask(input);
    const { terms, capabilities, options, documentURI } = prepared;
    const sent = await this.#write("taskMarket", "createSubtask", [
      parentId,
      parentTerms,
      terms,
      options ?? NO_OPTIONS,
      capabilities,
      documentURI,
    ]);
    const [created] = this.#marketEvents(sent, "SubtaskCreated");
    if (created === undefined) throw new Error(`Transaction ${sent.transactionHash} created no subtask.`);
    return { ...(await this.#recordCreated(created.args.subtaskId, prepared, input, sent)), parentId };
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

  /**
   * Claims a posted task, locking its claim bond (sent with the call for ETH, approved first for an ERC-20). A task
   * behind a `GatedClaim` is claimed through the module, which checks its reputation gate and dependencies and takes
   * the bond (so an ERC-20 bond is approved to the module).
   */
  async claim(taskId: bigint): Promise<SentTransaction> {
    const { terms, capabilities } = await this.getPostedTask(taskId);
    const { assigner } = await this.getTaskOptions(taskId);
    if (assigner !== zeroAddress) {
      const { config, address } = await this.#assignment(taskId, "claim", "gatedClaim");
      const value = await this.#deposit(terms, address, terms.claimBond);
      return this.#write("gatedClaim", "claim", [taskId, terms, config, capabilities], value);
    }
    const value = await this.#deposit(terms, this.address("taskMarket"), terms.claimBond);
    return this.#write("taskMarket", "claim", [taskId, terms, capabilities], value);
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
                              ASSIGNMENT
  //////////////////////////////////////////////////////////////*/

  /**
   * Publishes a task's assignment configuration (the module checks it against the task's options and emits it,
   * changing nothing else) unless it already is. Anyone may call it. Returns the transaction, or undefined when the
   * configuration was already published.
   */
  async publishAssignmentConfig(taskId: bigint, assignment: TaskAssignment): Promise<SentTransaction | undefined> {
    const { terms } = await this.getPostedTask(taskId);
    const address = this.address(assignment.module);
    const configHash = assignerConfigHash(assignment);
    const published = await readPublishedAssignment(this.publicClient, {
      module: assignment.module,
      address,
      taskId,
      configHash,
      fromBlock: this.fromBlock,
    });
    if (published !== undefined) {
      this.#assignments.set(taskId, published);
      return undefined;
    }
    const sent = await this.#send(assignment.module, address, ASSIGNMENT_ABIS[assignment.module], "publishConfig", [
      taskId,
      terms,
      assignment.config,
    ]);
    this.#assignments.set(taskId, assignment);
    return sent;
  }

  /**
   * Places an open bid on a reverse auction, or lowers the account's price (and updates its ETA) by bidding again.
   * The first bid deposits the task's claim bond.
   */
  async bid(taskId: bigint, bid: { price: bigint; eta: number }): Promise<SentTransaction> {
    const { terms, capabilities } = await this.getPostedTask(taskId);
    const { config } = await this.#assignment(taskId, "bid", "reverseAuction");
    if (config.revealEnd !== 0) {
      throw new TypeError(`Task ${taskId}'s auction takes sealed bids: commit with commitBid, then revealBid.`);
    }
    const existing = await this.#auctionRead("bidOf", [taskId, this.account]);
    const deposit = BID_STATUS_NAMES[existing.status] === "None" ? terms.claimBond : 0n;
    const value = await this.#deposit(terms, this.address("reverseAuction"), deposit);
    return this.#write("reverseAuction", "bid", [taskId, terms, config, bid.price, bid.eta, capabilities], value);
  }

  /**
   * Commits a sealed bid on a reverse auction, or replaces the account's commitment. The commitment is computed here,
   * so the price stays with the bidder until it reveals; keep the returned `salt` for `revealBid`. The first commitment
   * deposits the claim bond plus the auction's bid bond, which is lost to the poster if the bid is not revealed.
   */
  async commitBid(
    taskId: bigint,
    bid: { price: bigint; eta: number; salt?: Hex },
  ): Promise<SentTransaction & { commitment: Hex; salt: Hex }> {
    const { terms, capabilities } = await this.getPostedTask(taskId);
    const { config, address } = await this.#assignment(taskId, "commit a sealed bid", "reverseAuction");
    if (config.revealEnd === 0) throw new TypeError(`Task ${taskId}'s auction takes open bids: bid with bid.`);
    const salt = bid.salt ?? bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
    const commitment = sealedBidCommitment({
      chainId: this.chainId,
      auction: address,
      taskId,
      bidder: this.account,
      price: bid.price,
      eta: bid.eta,
      salt,
    });
    const existing = await this.#auctionRead("bidOf", [taskId, this.account]);
    const deposit = BID_STATUS_NAMES[existing.status] === "None" ? terms.claimBond + config.bidBond : 0n;
    const value = await this.#deposit(terms, address, deposit);
    const sent = await this.#write(
      "reverseAuction",
      "commitBid",
      [taskId, terms, config, commitment, capabilities],
      value,
    );
    return { ...sent, commitment, salt };
  }

  /** Reveals the account's sealed bid, in the reveal window: the price, ETA and salt it committed to. */
  async revealBid(taskId: bigint, bid: { price: bigint; eta: number; salt: Hex }): Promise<SentTransaction> {
    const { terms, capabilities } = await this.getPostedTask(taskId);
    const { config } = await this.#assignment(taskId, "reveal a bid", "reverseAuction");
    return this.#write("reverseAuction", "revealBid", [
      taskId,
      terms,
      config,
      bid.price,
      bid.eta,
      bid.salt,
      capabilities,
    ]);
  }

  /**
   * Gives the auctioned task to `bidder` at its price, the rest of the budget returning to the poster. The poster
   * only, from the auction's close.
   */
  async awardBid(taskId: bigint, bidder: Address): Promise<SentTransaction> {
    const { terms, capabilities } = await this.getPostedTask(taskId);
    const { config } = await this.#assignment(taskId, "award a bid", "reverseAuction");
    return this.#write("reverseAuction", "award", [taskId, terms, config, bidder, capabilities]);
  }

  /**
   * Ends an auction with the automatic rule: awards the best-scoring valid bid, or cancels the task and refunds the
   * poster when there is none. The poster from the close; anyone once the award window has passed.
   */
  async finalizeAuction(taskId: bigint): Promise<SentTransaction> {
    const { terms, capabilities } = await this.getPostedTask(taskId);
    const { config } = await this.#assignment(taskId, "finalize an auction", "reverseAuction");
    return this.#write("reverseAuction", "finalize", [taskId, terms, config, capabilities]);
  }

  /** Takes back what the auction holds for the account's bid, once it cannot be awarded (a winner: its bid bond). */
  async withdrawBidDeposit(taskId: bigint): Promise<SentTransaction> {
    return this.#write("reverseAuction", "withdrawDeposit", [taskId]);
  }

  /** Credits the poster with the bid bonds of commitments not revealed in time. Anyone may call it. */
  async sweepForfeitedBonds(taskId: bigint): Promise<SentTransaction> {
    return this.#write("reverseAuction", "sweepForfeitedBonds", [taskId]);
  }

  /** Withdraws the forfeited bid bonds the auction credited to the account (a poster), in `token`. */
  async withdrawAuctionCredit(token: Address = zeroAddress, to: Address = this.account): Promise<SentTransaction> {
    return this.#write("reverseAuction", "withdraw", [token, to]);
  }

  /** Applies to a task on the application board with a note (hashed, and where to read it), depositing its bond. */
  async applyToTask(taskId: bigint, note: ContentReference = {}): Promise<SentTransaction & { noteHash: Hex }> {
    const { terms, capabilities } = await this.getPostedTask(taskId);
    const { config, address } = await this.#assignment(taskId, "apply", "applicationBoard");
    const noteHash = hashOf(note) ?? zeroHash;
    const value = await this.#deposit(terms, address, terms.claimBond);
    const sent = await this.#write(
      "applicationBoard",
      "submitApplication",
      [taskId, terms, config, note.uri ?? "", noteHash, capabilities],
      value,
    );
    return { ...sent, noteHash };
  }

  /** Gives the task to an applicant, whose deposit becomes its claim bond. The poster only. */
  async assignApplicant(taskId: bigint, applicant: Address): Promise<SentTransaction> {
    const { terms, capabilities } = await this.getPostedTask(taskId);
    const { config } = await this.#assignment(taskId, "assign an applicant", "applicationBoard");
    return this.#write("applicationBoard", "assign", [taskId, terms, config, applicant, capabilities]);
  }

  /** Dismisses an application, freeing its place; the applicant may not apply again. The poster only. */
  async dismissApplication(taskId: bigint, applicant: Address): Promise<SentTransaction> {
    const { terms } = await this.getPostedTask(taskId);
    return this.#write("applicationBoard", "dismissApplication", [taskId, terms, applicant]);
  }

  /** Withdraws the account's application (or a dismissed one's deposit) and takes its deposit back. */
  async withdrawApplication(taskId: bigint): Promise<SentTransaction> {
    const { terms } = await this.getPostedTask(taskId);
    return this.#write("applicationBoard", "withdrawApplication", [taskId, terms]);
  }

  /**
   * Cancels a task given out by an assignment module because one of its dependencies was cancelled or expired,
   * refunding the poster. Anyone may call it. Without `index`, the first such dependency is found by its status.
   */
  async cancelForFailedDependency(taskId: bigint, index?: number): Promise<SentTransaction> {
    const { terms } = await this.getPostedTask(taskId);
    const assignment = await this.#assignment(
      taskId,
      "cancel for a failed dependency",
      "gatedClaim",
      "applicationBoard",
      "reverseAuction",
    );
    const dependencies = assignment.config.requirements.dependencies;
    let failed = index;
    if (failed === undefined) {
      const statuses = await Promise.all(dependencies.map((dependency) => this.#readMarket("statusOf", [dependency])));
      failed = statuses.findIndex((status) => status === TaskStatus.Cancelled || status === TaskStatus.Expired);
      if (failed === -1) {
        throw new Error(
          `Task ${taskId} has no cancelled or expired dependency among [${dependencies.join(", ")}]: nothing to ` +
            "cancel it for.",
        );
      }
    }
    return this.#send(
      assignment.module,
      assignment.address,
      ASSIGNMENT_ABIS[assignment.module],
      "cancelForFailedDependency",
      [taskId, terms, assignment.config, BigInt(failed)],
    );
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

  /**
   * Challenges the submission under review on a task verified by the optimistic module, within its challenge window,
   * sending the arbitration cost plus the challenge bond (or `deposit`). Anyone but the executor may challenge.
   */
  async challenge(taskId: bigint, options: { deposit?: bigint } = {}): Promise<SentTransaction> {
    await this.#moduleVerification(taskId, "challenge", ["optimistic"]);
    return this.dispute(taskId, options);
  }

  /** Submits evidence (hashed, and where to read it) for the task's dispute. The claimant or the respondent only. */
  async submitEvidence(taskId: bigint, evidence: ContentReference): Promise<SentTransaction & { evidenceHash: Hex }> {
    const evidenceHash = hashOf(evidence) ?? zeroHash;
    const module = await this.#disputable(taskId, "submit evidence");
    const sent = await this.#send(module.key, module.address, module.abi, "submitEvidence", [
      taskId,
      evidenceHash,
      evidence.uri ?? "",
    ]);
    return { ...sent, evidenceHash };
  }

  /** Carries out the arbitrator's ruling on the task's dispute, settling the held submission. Anyone may call it. */
  async executeRuling(taskId: bigint): Promise<SentTransaction> {
    return this.#settleContest(taskId, "executeRuling", "execute a ruling");
  }

  /** Ends a dispute whose respondent did not match the deposit in time: the claimant wins. Anyone may call it. */
  async timeoutRespondent(taskId: bigint): Promise<SentTransaction> {
    return this.#settleContest(taskId, "timeoutRespondent", "time out a respondent");
  }

  /** Ends a dispute the arbitrator did not rule on in time: the contested decision stands. Anyone may call it. */
  async timeoutArbitration(taskId: bigint): Promise<SentTransaction> {
    return this.#settleContest(taskId, "timeoutArbitration", "time out an arbitration");
  }

  /** Refunds the deposits of a contest whose hold ran out in the market before anyone carried it out. */
  async closeLapsedContest(taskId: bigint): Promise<SentTransaction> {
    const module = await this.#disputable(taskId, "close a lapsed contest");
    return this.#send(module.key, module.address, module.abi, "closeLapsedContest", [taskId]);
  }

  /**
   * Signs, with the wallet's account (the poster or the executor), a split of the task's contested submission: the
   * EIP-712 `Settlement` of the task's verification module, over the current submission, valid until `deadline`
   * (Unix seconds; default: a day after the latest block). Both parties' signatures end the contest through
   * `settleByAgreement`.
   */
  async signSettlement(
    taskId: bigint,
    split: { executorShareBps: number; deadline?: bigint | number },
  ): Promise<{ message: SettlementMessage; signer: Address; signature: Hex }> {
    const module = await this.#disputable(taskId, "sign a settlement");
    const [submissionHash, deadline] = await Promise.all([
      this.#readMarket("submissionOf", [taskId]),
      split.deadline === undefined
        ? this.publicClient.getBlock().then((block) => block.timestamp + 24n * 3600n)
        : Promise.resolve(BigInt(split.deadline)),
    ]);
    const message: SettlementMessage = { taskId, submissionHash, executorShareBps: split.executorShareBps, deadline };
    const account = this.#walletAccount();
    const signature = await this.walletClient!.signTypedData({
      account,
      ...settlementTypedData(moduleDomain(module.method, this.chainId, module.address), message),
    });
    return { message, signer: account.address, signature };
  }

  /** Ends the task's contest at the split the poster and the executor both signed (`signSettlement`). Anyone may. */
  async settleByAgreement(
    taskId: bigint,
    agreement: { executorShareBps: number; deadline: bigint | number; posterSignature: Hex; executorSignature: Hex },
  ): Promise<SentTransaction> {
    const { terms } = await this.getPostedTask(taskId);
    const module = await this.#disputable(taskId, "settle by agreement");
    return this.#send(module.key, module.address, module.abi, "settleByAgreement", [
      taskId,
      terms,
      agreement.executorShareBps,
      BigInt(agreement.deadline),
      agreement.posterSignature,
      agreement.executorSignature,
    ]);
  }

  /*//////////////////////////////////////////////////////////////
                             ARBITRATION
  //////////////////////////////////////////////////////////////*/

  /**
   * Votes on a dispute as an arbiter of the panel (`getContest(taskId).arbitratorDisputeId` names it): `ruling` 1 to
   * 11 gives the executor 0 % to 100 % in steps of 10 % (`rulingForShare`), 0 refuses to arbitrate. The vote that
   * reaches the majority delivers the ruling; `executeRuling(taskId)` then settles the task.
   */
  async vote(
    disputeId: bigint,
    ruling: number | bigint,
    options: { arbitrator?: Address } = {},
  ): Promise<SentTransaction> {
    return this.#send(
      "panelArbitrator",
      options.arbitrator ?? this.address("panelArbitrator"),
      panelArbitratorAbi,
      "vote",
      [disputeId, BigInt(ruling)],
    );
  }

  /** Retries the delivery of a panel's final ruling whose delivery failed. Anyone may call it. */
  async deliverRuling(disputeId: bigint, options: { arbitrator?: Address } = {}): Promise<SentTransaction> {
    return this.#send(
      "panelArbitrator",
      options.arbitrator ?? this.address("panelArbitrator"),
      panelArbitratorAbi,
      "executeRuling",
      [disputeId],
    );
  }

  /** Closes a dispute whose voting period ended without a majority, refunding the fee. Anyone may call it. */
  async closeUnresolvedDispute(disputeId: bigint, options: { arbitrator?: Address } = {}): Promise<SentTransaction> {
    return this.#send(
      "panelArbitrator",
      options.arbitrator ?? this.address("panelArbitrator"),
      panelArbitratorAbi,
      "closeUnresolved",
      [disputeId],
    );
  }

  /** Withdraws the arbiter's fee shares the panel credited to the account. */
  async withdrawArbitrationCredit(options: { arbitrator?: Address } = {}): Promise<SentTransaction> {
    return this.#send(
      "panelArbitrator",
      options.arbitrator ?? this.address("panelArbitrator"),
      panelArbitratorAbi,
      "withdraw",
      [],
    );
  }

  /*//////////////////////////////////////////////////////////////
                            VERIFIER SETS
  //////////////////////////////////////////////////////////////*/

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

  /** The task's options (`optionsOf`): its assignment module, subtask budget and configuration hash. Kept once read. */
  async getTaskOptions(taskId: bigint): Promise<TaskOptions> {
    const known = this.#options.get(taskId);
    if (known !== undefined) return known;
    await this.getPostedTask(taskId);
    const options = await this.#readMarket("optionsOf", [taskId]);
    const read: TaskOptions = {
      assigner: getAddress(options.assigner),
      subtaskBudget: options.subtaskBudget,
      assignerConfigHash: options.assignerConfigHash,
    };
    this.#options.set(taskId, read);
    return read;
  }

  /**
   * The assignment module the task's options name and the configuration they commit to: known to this client if it
   * posted or published it, otherwise read from the module's `…ConfigPublished` event for the task and hash. Undefined
   * for a first-come task.
   */
  async getAssignmentConfig(taskId: bigint): Promise<TaskAssignment | undefined> {
    const known = this.#assignments.get(taskId);
    if (known !== undefined) return known;
    const { assigner, assignerConfigHash: configHash } = await this.getTaskOptions(taskId);
    if (assigner === zeroAddress) return undefined;
    const module = assignmentModuleAt(assigner, {
      gatedClaim: this.addresses.gatedClaim,
      applicationBoard: this.addresses.applicationBoard,
      reverseAuction: this.addresses.reverseAuction,
    });
    if (module === undefined) {
      throw new Error(
        `Task ${taskId} is given out by ${assigner}, which is none of the assignment modules this client knows.`,
      );
    }
    const published = await readPublishedAssignment(this.publicClient, {
      module,
      address: assigner,
      taskId,
      configHash,
      fromBlock: this.fromBlock,
    });
    if (published === undefined) {
      throw new Error(
        `Task ${taskId} is given out by the ${module} module under configuration ${configHash}, which nobody has ` +
          "published: ask the poster for it and call publishAssignmentConfig.",
      );
    }
    this.#assignments.set(taskId, published);
    return published;
  }

  /** A reverse auction's phase, its bids in the order they were first placed, and its winner (if awarded). */
  async getAuction(taskId: bigint): Promise<{
    phase: AuctionPhaseName;
    bids: (ContractFunctionReturnType<typeof reverseAuctionAbi, "view", "bidOf"> & { statusName: BidStatusName })[];
    winner: Address | undefined;
  }> {
    const { config } = await this.#assignment(taskId, "read an auction", "reverseAuction");
    const [phase, bids, winner] = await Promise.all([
      this.#auctionRead("phaseOf", [taskId, config]),
      this.#auctionRead("bidsOf", [taskId]),
      this.#auctionRead("winnerOf", [taskId]),
    ]);
    return {
      phase: AUCTION_PHASE_NAMES[phase]!,
      bids: bids.map((bid) => ({ ...bid, statusName: BID_STATUS_NAMES[bid.status]! })),
      winner: winner === zeroAddress ? undefined : winner,
    };
  }

  /** The bid `finalizeAuction` would award now and its score, or undefined if it would cancel the task. */
  async previewAuctionWinner(taskId: bigint): Promise<{ winner: Address; price: bigint; score: bigint } | undefined> {
    const { terms, capabilities } = await this.getPostedTask(taskId);
    const { config } = await this.#assignment(taskId, "preview an auction", "reverseAuction");
    const [found, winner, price, score] = await this.#auctionRead("previewWinner", [
      taskId,
      terms,
      config,
      capabilities,
    ]);
    return found ? { winner, price, score } : undefined;
  }

  /** What left the task's escrow for subtasks (`drawn`, `openSubtasks`), or back to its poster early (`released`). */
  async getFunding(taskId: bigint): Promise<TaskFunding> {
    const funding = await this.#readMarket("fundingOf", [taskId]);
    return { released: funding.released, drawn: funding.drawn, openSubtasks: funding.openSubtasks };
  }

  /** The parent of a subtask and its depth in the graph; undefined for a task that is not a subtask. */
  async getParent(taskId: bigint): Promise<{ parentId: bigint; parentPoster: Address; depth: number } | undefined> {
    const link = await this.#readMarket("parentOf", [taskId]);
    return link.depth === 0
      ? undefined
      : { parentId: link.parentId, parentPoster: link.parentPoster, depth: link.depth };
  }

  /**
   * The task's contest in its verification module (review, attestation or optimistic): its phase, the parties, the
   * arbitrator and, once seized, the arbitrator's dispute id, which the panel's arbiters vote on.
   */
  async getContest(taskId: bigint) {
    const { address } = await this.#disputable(taskId, "read a contest");
    // `contestOf` is `IDisputableModule`'s, the same in each of the three modules.
    const contest = await this.publicClient.readContract({
      address,
      abi: PROTOCOL_ABIS.reviewModule,
      functionName: "contestOf",
      args: [taskId],
    });
    return { ...contest, phaseName: CONTEST_PHASE_NAMES[contest.phase]! };
  }

  /**
   * Calls `onEvent` with each event of the market, the verification modules and the assignment modules that names the
   * task, as blocks arrive from the chain's current head on (`getPostedTask` and `getTask` say what happened before).
   * Returns the function that stops watching.
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
   * Every event of the market, the verification modules and the assignment modules that names the task (`taskId`, or
   * `parentId`/`subtaskId`), oldest first, from the block it was created in to the chain's head: the task's history as
   * the chain tells it, with no indexer. Throws `TaskNotFoundError` if the market has no such task.
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

  /**
   * Everything `postTask` and `createSubtask` send, checked before anything is: the document validated and committed
   * to, the terms and options derived, and the verification module's configuration published when needed.
   */
  async #prepareTask(input: PostTaskInput): Promise<PreparedTask> {
    const validation = validateTaskDocument(input.document);
    if (!validation.ok) throw new InvalidTaskDocumentError(validation.errors);
    const document = validation.document;
    const poster = this.#walletAccount().address;
    const [commitment, feeBps, block] = await Promise.all([
      commitTaskDocument(document),
      this.#readMarket("protocolFeeBps", []),
      this.publicClient.getBlock(),
    ]);
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
    const options = resolveTaskOptions(document, input, terms.claimDeadline, {
      gatedClaim: this.addresses.gatedClaim,
      applicationBoard: this.addresses.applicationBoard,
      reverseAuction: this.addresses.reverseAuction,
    });
    if (verification !== undefined) {
      this.#configs.set(terms.verifierConfigHash, verification);
      if (input.publishConfig !== false) await this.publishVerifierConfig(verification);
    }
    return {
      terms,
      capabilities,
      options,
      verification,
      documentHash: commitment.documentHash,
      canonicalDocument: commitment.canonical,
      documentURI: input.documentURI ?? commitment.documentURI,
    };
  }

  /** Keeps what a creation fixed, publishes the assignment configuration, and answers as `postTask` does. */
  async #recordCreated(
    taskId: bigint,
    prepared: PreparedTask,
    input: PostTaskInput,
    sent: SentTransaction,
  ): Promise<PostTaskResult> {
    const { terms, capabilities, options, verification, documentURI } = prepared;
    this.#posted.set(taskId, {
      taskId,
      terms,
      capabilities,
      documentURI,
      blockNumber: sent.receipt.blockNumber,
      transactionHash: sent.transactionHash,
    });
    this.#options.set(taskId, options ?? NO_OPTIONS);
    if (input.assignment !== undefined) {
      this.#assignments.set(taskId, input.assignment);
      if (input.publishConfig !== false) await this.publishAssignmentConfig(taskId, input.assignment);
    }
    return {
      ...sent,
      taskId,
      terms,
      capabilities,
      documentHash: prepared.documentHash,
      documentURI,
      canonicalDocument: prepared.canonicalDocument,
      ...(verification === undefined ? {} : { verification }),
      ...(options === undefined ? {} : { options }),
      ...(input.assignment === undefined ? {} : { assignment: input.assignment }),
    };
  }

  /** The market's events of `eventName` in a receipt (a module's call logs the market's events beside its own). */
  #marketEvents<const E extends "TaskCreated" | "SubtaskCreated">(sent: SentTransaction, eventName: E) {
    return parseEventLogs({ abi: taskMarketAbi, logs: sent.receipt.logs, eventName }).filter(
      (log) => log.address.toLowerCase() === this.address("taskMarket").toLowerCase(),
    );
  }

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

  /** The task's assignment configuration, which must be of one of `modules` for `action`. */
  async #assignment<const M extends AssignmentModuleName>(
    taskId: bigint,
    action: string,
    ...modules: M[]
  ): Promise<Extract<TaskAssignment, { module: M }> & { address: Address }> {
    const assignment = await this.getAssignmentConfig(taskId);
    if (assignment === undefined || !(modules as readonly string[]).includes(assignment.module)) {
      const by = assignment === undefined ? "a first-come claim" : `the ${assignment.module} module`;
      const instead =
        assignment === undefined
          ? "claim"
          : { gatedClaim: "claim", applicationBoard: "applyToTask", reverseAuction: "bid or commitBid" }[
              assignment.module
            ];
      throw new Error(
        `Cannot ${action} on task ${taskId}: it is given out by ${by} (use ${instead}), and only a task given out by ` +
          `the ${modules.join(" or ")} module allows it.`,
      );
    }
    return { ...(assignment as Extract<TaskAssignment, { module: M }>), address: this.address(assignment.module) };
  }

  /**
   * What a deposit to `spender` takes: the ETH value to send with the call, or, for an ERC-20, nothing once the
   * spender's allowance covers it (approved here when short).
   */
  async #deposit(terms: TaskTerms, spender: Address, amount: bigint): Promise<bigint | undefined> {
    if (terms.token === zeroAddress) return amount;
    if (amount > 0n) await this.#ensureAllowance(terms.token, spender, amount);
    return undefined;
  }

  async #auctionRead<const F extends ContractFunctionName<typeof reverseAuctionAbi, "view" | "pure">>(
    functionName: F,
    args: ContractFunctionArgs<typeof reverseAuctionAbi, "view" | "pure", F>,
  ) {
    return this.publicClient.readContract({
      address: this.address("reverseAuction"),
      abi: reverseAuctionAbi,
      functionName,
      args,
    } as never) as Promise<ContractFunctionReturnType<typeof reverseAuctionAbi, "view" | "pure", F>>;
  }

  /** Sends a call of `IDisputableModule` that ends a contest, `(taskId, terms)`, to the task's module. */
  async #settleContest(
    taskId: bigint,
    functionName: "executeRuling" | "timeoutRespondent" | "timeoutArbitration",
    action: string,
  ): Promise<SentTransaction> {
    const { terms } = await this.getPostedTask(taskId);
    const module = await this.#disputable(taskId, action);
    return this.#send(module.key, module.address, module.abi, functionName, [taskId, terms]);
  }

  /** The module whose dispute process the task's verification module runs, for `action`. */
  async #disputable(taskId: bigint, action: string) {
    const verification = await this.#moduleVerification(taskId, action, ["review", "attestation", "optimistic"]);
    const key = MODULE_CONTRACT_KEYS[verification.method];
    return {
      method: verification.method,
      key,
      address: this.address(key),
      abi: MODULE_ABIS[verification.method] as Abi,
    };
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

/**
 * The panel ruling that gives the executor `executorShareBps` (0 to 10,000 in steps of 1,000): ruling `r` gives it
 * `(r - 1) * 10 %`, as `IDisputableModule` reads a ruling.
 */
export function rulingForShare(executorShareBps: number): number {
  if (
    !Number.isInteger(executorShareBps) ||
    executorShareBps < 0 ||
    executorShareBps > 10_000 ||
    executorShareBps % 1_000 !== 0
  ) {
    throw new RangeError(
      `a ruling gives the executor 0 to 10,000 basis points in steps of 1,000, not ${executorShareBps}`,
    );
  }
  return executorShareBps / 1_000 + 1;
}
