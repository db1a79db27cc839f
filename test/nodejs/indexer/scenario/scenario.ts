/**
 * The cast of the reconciliation scenario, the book of every task it creates, and the client steps its flows are
 * made of. Each step sends one transaction and checks the events it emitted, so that the scenario fails at the first
 * step where the chain does not behave as the protocol documents.
 */
import assert from "node:assert/strict";

import { getAddress, parseEventLogs, zeroAddress, zeroHash } from "viem";
import type { Address, Hash, Hex } from "viem";

import {
  BPS,
  ETH,
  ExecutorKind,
  NO_MILESTONES,
  NO_OPTIONS,
  capabilityId,
  hashCapabilities,
  milestoneAmounts,
  sortCapabilities,
  type TaskOptions,
  type TaskTerms,
} from "../../helpers/protocol.js";
import {
  passiveAddress,
  type BlockableTokenContract,
  type EthRefusingAccountContract,
  type RejectingExecutorContract,
  type ExpectedEvent,
  type EventSource,
  type Party,
  type ProtocolContracts,
  type ScenarioChain,
  type SentTransaction,
} from "./chain.js";

export const DAY = 24 * 3600;
export const CLAIM_PERIOD = 10 * DAY;
export const EXECUTION_WINDOW = 3 * DAY;
export const REVIEW_WINDOW = 2 * DAY;

/** Rewards, bonds and fees are uneven on purpose: a share, a fee or a refund computed the wrong way shows. */
export const ETH_REWARD = 1_000_000_000_000_000_003n;
export const ETH_BOND = 100_000_000_000_000_011n;
export const ETH_VERIFIER_FEE = 10_000_000_000_000_007n;
export const TOKEN_REWARD = 2_500_000_000_000_000_000_013n;
export const TOKEN_BOND = 250_000_000_000_000_000_017n;
export const TOKEN_VERIFIER_FEE = 30_000_000_000_000_000_019n;
export const TOKEN_MINT = 1_000_000n * 10n ** 18n;

export const CAPABILITY_SOLIDITY = capabilityId("lang:solidity");
export const CAPABILITY_TRANSLATION = capabilityId("skill:translation/de-en");
export const CAPABILITY_REVIEW = capabilityId("skill:code-review");
/** What most tasks require, and every executor offers. */
export const CAPABILITIES: Hex[] = sortCapabilities([CAPABILITY_SOLIDITY, CAPABILITY_TRANSLATION]);

export const DOCUMENT_URI = "ipfs://bafyreconciliationtask";

export type { Party } from "./chain.js";

/** A 32-byte value derived from a label, for document, result, reason and evidence hashes. */
export function labelHash(label: string): Hex {
  return capabilityId(`reconciliation:${label}`);
}

/** A task as the scenario knows it: what a client reads back from `TaskCreated` and `TaskOptionsSet`. */
export interface ScenarioTask {
  taskId: bigint;
  /** What the scenario does with it, for messages: `core/happy-eth`, `composition/auction-sealed`, ... */
  label: string;
  terms: TaskTerms;
  capabilities: Hex[];
  documentURI: string;
  options: TaskOptions;
  /** The parent of a subtask. */
  parentId?: bigint;
}

/** The dev accounts, by role. */
export interface Cast {
  owner: Party;
  alice: Party;
  bob: Party;
  carol: Party;
  /** Registered humans. */
  hana: Party;
  hugo: Party;
  /** Registered agents. */
  ada: Party;
  bert: Party;
  cyd: Party;
  /** A delegated reviewer, and the reviewer of `ReviewModule` tasks. */
  rita: Party;
  /** Attestation verifiers; `vito` is rotated in later. */
  vera: Party;
  vince: Party;
  viola: Party;
  vito: Party;
  /** Anyone: releases, finalizes, challenges, relays. */
  wally: Party;
  /** Controls the scenario's contract accounts and administers the verifier set. */
  cora: Party;
  arbiters: Party[];
}

/** Addresses nobody signs for. */
export const OPERATORS = {
  hugo: passiveAddress("operator of hugo"),
  ada: passiveAddress("operator of ada"),
  adaLater: passiveAddress("new operator of ada"),
  bert: passiveAddress("operator of bert"),
  cyd: passiveAddress("operator of cyd"),
} as const;
export const TREASURY = passiveAddress("first fee recipient");
export const LATER_TREASURY = passiveAddress("second fee recipient");
/** Where a blocked executor withdraws its token credit. */
export const HANA_SAFE = passiveAddress("hana's other wallet");

export function castOf(chain: ScenarioChain): Cast {
  const party = (index: number, name: string) => chain.party(index, name);
  return {
    owner: party(0, "owner"),
    alice: party(2, "alice"),
    bob: party(3, "bob"),
    carol: party(4, "carol"),
    hana: party(5, "hana"),
    hugo: party(6, "hugo"),
    ada: party(7, "ada"),
    bert: party(8, "bert"),
    cyd: party(9, "cyd"),
    rita: party(10, "rita"),
    vera: party(11, "vera"),
    vince: party(12, "vince"),
    viola: party(13, "viola"),
    vito: party(14, "vito"),
    wally: party(15, "wally"),
    cora: party(16, "cora"),
    arbiters: [party(17, "arbiter 1"), party(18, "arbiter 2"), party(19, "arbiter 3")],
  };
}

/** How a settlement with `shareBps` for the executor divides `amount`, as the market computes it. */
export function splitOf(amount: bigint, shareBps: number, feeBps: number) {
  const gross = shareBps === BPS ? amount : (amount * BigInt(shareBps)) / BigInt(BPS);
  const fee = (gross * BigInt(feeBps)) / BigInt(BPS);
  return { payout: gross - fee, fee, refund: amount - gross };
}

/**
 * The scenario's state: the chain, the cast, the contracts the scenario deployed itself, and the book of tasks. Flows
 * add to it; the reconciliation reads it.
 */
export class Scenario {
  readonly chain: ScenarioChain;
  readonly c: ProtocolContracts;
  readonly cast: Cast;
  readonly tasks = new Map<bigint, ScenarioTask>();
  /** Every account that took part, by address, with a name for messages. */
  readonly accounts = new Map<Address, string>();
  /** The tokens of the scenario's tasks: ETH, the dev token and the blockable token. */
  readonly tokens: Address[] = [ETH];
  /** Verifier sets created in the attestation module. */
  readonly verifierSetIds: bigint[] = [];
  /** Disputes raised at the panel, by the module and task they came from. */
  readonly panelDisputes: { disputeId: bigint; module: Address; taskId: bigint }[] = [];
  /** Set once the setup has deployed them. */
  blockable!: BlockableTokenContract;
  /** An executor contract that refuses ETH, driven by `cast.cora`. */
  rejecting!: RejectingExecutorContract;
  /** A poster contract that refuses ETH, driven by `cast.cora`. */
  refusing!: EthRefusingAccountContract;

  constructor(chain: ScenarioChain) {
    this.chain = chain;
    this.c = chain.contracts;
    this.cast = castOf(chain);
    for (const party of Object.values(this.cast).flat() as Party[]) this.note(party.address, party.name);
  }

  /** Records an account as a participant. */
  note(address: Address, name: string): void {
    this.accounts.set(getAddress(address), name);
  }

  get market() {
    return this.c.taskMarket;
  }

  task(taskId: bigint): ScenarioTask {
    const task = this.tasks.get(taskId);
    assert.ok(task !== undefined, `the scenario has no task ${taskId}`);
    return task;
  }

  /** Sends a transaction and checks its events (see `ScenarioChain.send`). */
  send(from: Party, pending: Promise<Hash>, expected?: readonly ExpectedEvent[]): Promise<SentTransaction> {
    return this.chain.send(from, pending, expected);
  }

  /** An expected event of one of the protocol's contracts. */
  ev(source: EventSource, eventName: string, args?: Record<string, unknown>): ExpectedEvent {
    return { source, eventName, args };
  }

  /** An expected event of the market. */
  m(eventName: string, args?: Record<string, unknown>): ExpectedEvent {
    return { source: this.market, eventName, args };
  }

  /* ------------------------------------------------------------------------------------------------------------ */
  /*                                                  Posting                                                      */
  /* ------------------------------------------------------------------------------------------------------------ */

  /** Terms of a task reviewed by its poster, open to any executor offering `CAPABILITIES`, paid in one deliverable. */
  async terms(poster: Party | Address, overrides: Partial<TaskTerms> = {}): Promise<TaskTerms> {
    const token = overrides.token ?? ETH;
    const eth = token === ETH;
    return {
      poster: typeof poster === "string" ? poster : poster.address,
      token,
      reward: eth ? ETH_REWARD : TOKEN_REWARD,
      claimBond: eth ? ETH_BOND : TOKEN_BOND,
      claimDeadline: (await this.chain.latestTimestamp()) + CLAIM_PERIOD,
      executionWindow: EXECUTION_WINDOW,
      reviewWindow: REVIEW_WINDOW,
      feeBps: Number(await this.market.read.protocolFeeBps()),
      executorKind: ExecutorKind.Any,
      verifier: zeroAddress,
      verifierFee: 0n,
      verifierConfigHash: zeroHash,
      capabilitiesHash: hashCapabilities(CAPABILITIES),
      documentHash: labelHash(`document ${this.tasks.size + 1}`),
      milestoneShares: NO_MILESTONES,
      ...overrides,
    };
  }

  /** Approves `spender` for `amount` of an ERC-20 (nothing for ETH). */
  async approveToken(owner: Party, token: Address, spender: Address, amount: bigint): Promise<void> {
    if (token === ETH || amount === 0n) return;
    const contract = this.tokenContract(token);
    await this.send(owner, contract.write.approve([spender, amount], { account: owner.wallet.account }));
  }

  tokenContract(token: Address) {
    if (token === this.c.devToken.address) return this.c.devToken;
    if (this.blockable !== undefined && token === this.blockable.address) return this.blockable;
    throw new Error(`not a token of the scenario: ${token}`);
  }

  /**
   * Creates a task with `createTask`, or `createTaskWithOptions` when options are given, funding it in ETH or by
   * allowance, checks `TaskCreated` (and `TaskOptionsSet`) and enters it in the book.
   */
  async post(
    label: string,
    poster: Party,
    terms: TaskTerms,
    options: TaskOptions | null = null,
    capabilities: Hex[] = CAPABILITIES,
  ): Promise<ScenarioTask> {
    const escrow = terms.reward + terms.verifierFee;
    await this.approveToken(poster, terms.token, this.market.address, escrow);
    const taskId = (await this.market.read.nextTaskId()) as bigint;
    const value = terms.token === ETH ? escrow : 0n;
    const documentURI = `${DOCUMENT_URI}/${taskId}`;
    const created = this.m("TaskCreated", { taskId, poster: poster.address, token: terms.token, terms, capabilities });
    if (options === null) {
      await this.send(
        poster,
        this.market.write.createTask([terms, capabilities, documentURI], { account: poster.wallet.account, value }),
        [created],
      );
    } else {
      const expected = [created];
      if (options.assigner !== zeroAddress || options.subtaskBudget !== 0n) {
        expected.push(this.m("TaskOptionsSet", { taskId, assigner: options.assigner, options }));
      }
      await this.send(
        poster,
        this.market.write.createTaskWithOptions([terms, options, capabilities, documentURI], {
          account: poster.wallet.account,
          value,
        }),
        expected,
      );
    }
    return this.enter({ taskId, label, terms, capabilities, documentURI, options: options ?? NO_OPTIONS });
  }

  enter(task: ScenarioTask): ScenarioTask {
    assert.ok(!this.tasks.has(task.taskId), `task ${task.taskId} entered twice`);
    this.tasks.set(task.taskId, task);
    return task;
  }

  /** Reads the id of the task a receipt created. */
  createdTaskId(sent: SentTransaction): bigint {
    const logs = parseEventLogs({ abi: this.market.abi, logs: sent.receipt.logs, eventName: "TaskCreated" });
    assert.equal(logs.length, 1, "one task created");
    return (logs[0]!.args as unknown as { taskId: bigint }).taskId;
  }

  /* ------------------------------------------------------------------------------------------------------------ */
  /*                                                 Execution                                                     */
  /* ------------------------------------------------------------------------------------------------------------ */

  /** Claims on the market, paying the bond in ETH or by allowance; `before` lists events a lapsed claim emits first. */
  async claim(task: ScenarioTask, executor: Party, before: ExpectedEvent[] = []): Promise<SentTransaction> {
    const { taskId, terms } = task;
    await this.approveToken(executor, terms.token, this.market.address, terms.claimBond);
    return this.send(
      executor,
      this.market.write.claim([taskId, terms, task.capabilities], {
        account: executor.wallet.account,
        value: terms.token === ETH ? terms.claimBond : 0n,
      }),
      [...before, this.m("TaskClaimed", { taskId, executor: executor.address, bond: terms.claimBond })],
    );
  }

  async start(task: ScenarioTask, executor: Party): Promise<SentTransaction> {
    return this.send(executor, this.market.write.start([task.taskId], { account: executor.wallet.account }), [
      this.m("TaskStarted", { taskId: task.taskId, executor: executor.address }),
    ]);
  }

  async checkpoint(task: ScenarioTask, executor: Party, percent: number): Promise<SentTransaction> {
    const progressHash = labelHash(`progress ${task.taskId} ${percent}`);
    const progressURI = `ipfs://bafyprogress/${task.taskId}/${percent}`;
    return this.send(
      executor,
      this.market.write.checkpoint([task.taskId, percent, progressHash, progressURI], {
        account: executor.wallet.account,
      }),
      [
        this.m("CheckpointPosted", {
          taskId: task.taskId,
          executor: executor.address,
          percentComplete: percent,
          progressHash,
          progressURI,
        }),
      ],
    );
  }

  /** Submits a result; returns the transaction and the result hash. */
  async submit(task: ScenarioTask, executor: Party, round = 1): Promise<SentTransaction & { resultHash: Hex }> {
    const resultHash = labelHash(`result ${task.taskId} round ${round}`);
    const resultURI = `ipfs://bafyresult/${task.taskId}/${round}`;
    const sent = await this.send(
      executor,
      this.market.write.submit([task.taskId, task.terms, resultHash, resultURI], { account: executor.wallet.account }),
      [this.m("WorkSubmitted", { taskId: task.taskId, executor: executor.address, resultHash, resultURI })],
    );
    return { ...sent, resultHash };
  }

  /* ------------------------------------------------------------------------------------------------------------ */
  /*                                       Decisions of a poster or an account                                     */
  /* ------------------------------------------------------------------------------------------------------------ */

  /** The amount the submission under review settles: the reward, or the current milestone's part of it. */
  async amountUnderReview(task: ScenarioTask): Promise<bigint> {
    const funding = (await this.market.read.fundingOf([task.taskId])) as { released: bigint; drawn: bigint };
    const reward = task.terms.reward - funding.released - funding.drawn;
    if (task.terms.milestoneShares === NO_MILESTONES) return reward;
    const [milestone] = (await this.market.read.progressOf([task.taskId])) as readonly [number, number, number];
    return milestoneAmounts(reward, task.terms.milestoneShares)[milestone]!;
  }

  /**
   * The market events of settling the submission under review with `shareBps`: `TaskSettled` (and
   * `SettlementRefunded`) for the last or only one, `MilestoneSettled` for an earlier milestone, and `VerifierPaid`
   * when this decision is the verifier's first.
   */
  async settlementEvents(
    task: ScenarioTask,
    executor: Address,
    shareBps: number,
    options: { verifierPaid?: boolean; released?: boolean; refundExtra?: bigint } = {},
  ): Promise<ExpectedEvent[]> {
    const { taskId, terms } = task;
    const amount = await this.amountUnderReview(task);
    const { payout, fee, refund } = splitOf(amount, shareBps, terms.feeBps);
    const events: ExpectedEvent[] = [];
    const milestones = terms.milestoneShares === NO_MILESTONES ? 1 : milestoneAmounts(1n, terms.milestoneShares).length;
    const [verified] = (await this.market.read.progressOf([taskId])) as readonly [number, number, number];
    const isLast = terms.milestoneShares === NO_MILESTONES || verified + 1 === milestones;
    if (isLast) {
      events.push(
        this.m("TaskSettled", { taskId, executor, token: terms.token, payout, fee, bondReturned: terms.claimBond }),
      );
      const totalRefund = refund + (options.refundExtra ?? 0n);
      if (totalRefund !== 0n)
        events.push(this.m("SettlementRefunded", { taskId, poster: terms.poster, refund: totalRefund }));
    } else {
      events.push(this.m("MilestoneSettled", { taskId, executor, milestone: BigInt(verified), payout, fee, refund }));
    }
    if (options.verifierPaid) {
      events.push(this.m("VerifierPaid", { taskId, verifier: terms.verifier, amount: terms.verifierFee }));
    }
    return events;
  }

  /** The verifier (the poster, or a delegated account) approves in full. */
  async approve(
    task: ScenarioTask,
    verifier: Party,
    options: { verifierPaid?: boolean } = {},
  ): Promise<SentTransaction> {
    const expected = await this.settlementEvents(task, await this.executorOf(task), BPS, options);
    return this.send(
      verifier,
      this.market.write.approve([task.taskId, task.terms], { account: verifier.wallet.account }),
      expected,
    );
  }

  async reject(
    task: ScenarioTask,
    verifier: Party,
    options: { verifierPaid?: boolean } = {},
  ): Promise<SentTransaction> {
    const reasonHash = labelHash(`rejected ${task.taskId}`);
    const expected = [this.m("SubmissionRejected", { taskId: task.taskId, verifier: verifier.address, reasonHash })];
    if (options.verifierPaid) {
      expected.push(
        this.m("VerifierPaid", { taskId: task.taskId, verifier: task.terms.verifier, amount: task.terms.verifierFee }),
      );
    }
    return this.send(
      verifier,
      this.market.write.reject([task.taskId, task.terms, reasonHash], { account: verifier.wallet.account }),
      expected,
    );
  }

  /** Anyone releases a submission whose review window or hold ran out. */
  async release(task: ScenarioTask, keeper: Party, shareBps: number = BPS): Promise<SentTransaction> {
    const flags = ((await this.market.read.stateOf([task.taskId])) as { flags: number }).flags;
    const feeUnpaid = task.terms.verifierFee !== 0n && (flags & (1 << 6)) === 0;
    const settlement = await this.settlementEvents(task, await this.executorOf(task), shareBps, {
      refundExtra: feeUnpaid ? task.terms.verifierFee : 0n,
    });
    return this.send(keeper, this.market.write.release([task.taskId, task.terms], { account: keeper.wallet.account }), [
      this.m("TaskVerified", { taskId: task.taskId }),
      ...settlement,
    ]);
  }

  async rate(task: ScenarioTask, rater: Party, ratee: Address, rating: number): Promise<SentTransaction> {
    return this.send(
      rater,
      this.market.write.rate([task.taskId, task.terms, rating], { account: rater.wallet.account }),
      [this.m("PartyRated", { taskId: task.taskId, rater: rater.address, ratee, rating })],
    );
  }

  async executorOf(task: ScenarioTask): Promise<Address> {
    return ((await this.market.read.stateOf([task.taskId])) as { executor: Address }).executor;
  }

  /** Registers an executor in the registry and records it as a participant. */
  async register(
    executor: Party,
    kind: ExecutorKind,
    operator: Address,
    capabilities: Hex[],
    metadataURI: string,
  ): Promise<void> {
    await this.send(
      executor,
      this.c.executorRegistry.write.register([kind, operator, capabilities, metadataURI], {
        account: executor.wallet.account,
      }),
      [
        this.ev(this.c.executorRegistry, "ExecutorRegistered", {
          executor: executor.address,
          kind,
          operator,
          capabilities,
          metadataURI,
        }),
      ],
    );
    if (operator !== zeroAddress) this.note(operator, `operator of ${executor.name}`);
  }
}
