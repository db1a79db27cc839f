// One handler's unit of work: the shared entities a handler touches (accounts and their records, tokens, balances,
// tasks, the statistics) are loaded at most once, created with their defaults when new, and saved once at the end by
// `save()`. Handlers go through it for these entities instead of loading and saving them themselves, so that two code
// paths in one handler never work on two copies of one entity.
import { BigInt, Bytes, ethereum, log } from "@graphprotocol/graph-ts";

import {
  Account,
  AccountToken,
  Credit,
  DailyStats,
  DailyTokenStats,
  ExecutorRecord,
  PosterRecord,
  ProtocolStats,
  Task,
  Token,
} from "../../generated/schema";
import { PRIOR_MEAN_BPS, PROTOCOL_STATS_ID, SECONDS_PER_DAY } from "./constants";
import { creditKey, eventRecordId, pairKey, taskKey } from "./ids";
import { bpsToDecimal } from "./numbers";

export class Context {
  event: ethereum.Event;
  timestamp: BigInt;
  blockNumber: BigInt;
  /** The contract that emitted the event. */
  contract: Bytes;
  private sequence: i32 = 0;

  private accounts: Account[] = [];
  private executorRecords: ExecutorRecord[] = [];
  private posterRecords: PosterRecord[] = [];
  private tokens: Token[] = [];
  private accountTokens: AccountToken[] = [];
  private credits: Credit[] = [];
  private tasks: Task[] = [];
  private dailyTokens: DailyTokenStats[] = [];
  private statsEntity: ProtocolStats | null = null;
  private dailyEntity: DailyStats | null = null;

  constructor(event: ethereum.Event) {
    this.event = event;
    this.timestamp = event.block.timestamp;
    this.blockNumber = event.block.number;
    this.contract = changetype<Bytes>(event.address);
  }

  /** The next id of a history record of this event (payments, reputation events, votes...). */
  nextRecordId(): Bytes {
    const id = eventRecordId(this.event, this.sequence);
    this.sequence += 1;
    return id;
  }

  transactionHash(): Bytes {
    return this.event.transaction.hash;
  }

  // --- Accounts and their records ---------------------------------------------------------------------------------

  account(address: Bytes): Account {
    for (let i = 0; i < this.accounts.length; i++) {
      if (this.accounts[i].id == address) return this.accounts[i];
    }
    let account = Account.load(address);
    if (account === null) {
      account = new Account(address);
      account.isExecutor = false;
      account.executorKind = "Any";
      account.capabilities = [];
      account.active = false;
      account.executorRecord = address;
      account.posterRecord = address;
      account.reputationScore = bpsToDecimal(<i32>PRIOR_MEAN_BPS);
      account.reputationScoreBps = <i32>PRIOR_MEAN_BPS;
      account.reputationSuccessWeight = BigInt.zero();
      account.reputationFailureWeight = BigInt.zero();
      account.reputationPenaltyWeight = BigInt.zero();
      account.reputationOutcomes = 0;
      account.tasksClaimed = 0;
      account.submissionCount = 0;
      account.disputesAsClaimant = 0;
      account.disputesAsRespondent = 0;
      account.attestationCount = 0;
      account.votesCast = 0;
      account.firstSeenAt = this.timestamp;
      account.firstSeenAtBlock = this.blockNumber;
      // The records exist from the start: `Account.executorRecord` and `posterRecord` are never dangling.
      this.executorRecords.push(newExecutorRecord(address));
      this.posterRecords.push(newPosterRecord(address));
      const stats = this.stats();
      stats.accountCount += 1;
    }
    account.updatedAt = this.timestamp;
    this.accounts.push(account);
    return account;
  }

  executorRecord(address: Bytes): ExecutorRecord {
    this.account(address);
    for (let i = 0; i < this.executorRecords.length; i++) {
      if (this.executorRecords[i].id == address) return this.executorRecords[i];
    }
    let record = ExecutorRecord.load(address);
    if (record === null) record = newExecutorRecord(address);
    this.executorRecords.push(record);
    return record;
  }

  posterRecord(address: Bytes): PosterRecord {
    this.account(address);
    for (let i = 0; i < this.posterRecords.length; i++) {
      if (this.posterRecords[i].id == address) return this.posterRecords[i];
    }
    let record = PosterRecord.load(address);
    if (record === null) record = newPosterRecord(address);
    this.posterRecords.push(record);
    return record;
  }

  // --- Tokens and balances ----------------------------------------------------------------------------------------

  token(address: Bytes): Token {
    for (let i = 0; i < this.tokens.length; i++) {
      if (this.tokens[i].id == address) return this.tokens[i];
    }
    let token = Token.load(address);
    if (token === null) {
      token = new Token(address);
      token.taskCount = 0;
      token.totalRewardPosted = BigInt.zero();
      token.totalEscrowed = BigInt.zero();
      token.escrowBalance = BigInt.zero();
      token.totalPaidToExecutors = BigInt.zero();
      token.totalProtocolFees = BigInt.zero();
      token.totalRefunded = BigInt.zero();
      token.totalVerifierFees = BigInt.zero();
      token.accruedFees = BigInt.zero();
      token.totalFeesWithdrawn = BigInt.zero();
      token.totalBondsLocked = BigInt.zero();
      token.totalBondsForfeited = BigInt.zero();
    }
    this.tokens.push(token);
    return token;
  }

  accountToken(account: Bytes, token: Bytes): AccountToken {
    const id = pairKey(account, token);
    for (let i = 0; i < this.accountTokens.length; i++) {
      if (this.accountTokens[i].id == id) return this.accountTokens[i];
    }
    let entry = AccountToken.load(id);
    if (entry === null) {
      this.account(account);
      this.token(token);
      entry = new AccountToken(id);
      entry.account = account;
      entry.token = token;
      entry.earned = BigInt.zero();
      entry.valueSettledAsExecutor = BigInt.zero();
      entry.feesPaidAsExecutor = BigInt.zero();
      entry.escrowedAsPoster = BigInt.zero();
      entry.paidAsPoster = BigInt.zero();
      entry.refundedAsPoster = BigInt.zero();
      entry.bondsLocked = BigInt.zero();
      entry.bondsForfeited = BigInt.zero();
      entry.bondsReturned = BigInt.zero();
      entry.bondsReceived = BigInt.zero();
      entry.verifierFeesEarned = BigInt.zero();
    }
    this.accountTokens.push(entry);
    return entry;
  }

  /** The credit of `account` in `token` at `contract` (which is the emitting contract unless stated). */
  credit(contract: Bytes, account: Bytes, token: Bytes): Credit {
    const id = creditKey(contract, account, token);
    for (let i = 0; i < this.credits.length; i++) {
      if (this.credits[i].id == id) return this.credits[i];
    }
    let credit = Credit.load(id);
    if (credit === null) {
      this.account(account);
      credit = new Credit(id);
      credit.contract = contract;
      credit.account = account;
      credit.token = token;
      credit.amount = BigInt.zero();
      credit.totalCredited = BigInt.zero();
      credit.totalWithdrawn = BigInt.zero();
    }
    credit.updatedAt = this.timestamp;
    this.credits.push(credit);
    return credit;
  }

  // --- Tasks ------------------------------------------------------------------------------------------------------

  /** Registers a task created by this handler, so that later calls of `task` return it and `save` saves it. */
  addTask(task: Task): void {
    this.tasks.push(task);
  }

  /**
   * The task `taskId`. Every task id an event names was created by an earlier `TaskCreated` of the market: a missing
   * one means the indexer missed events, and indexing must stop rather than go on with wrong state.
   */
  task(taskId: BigInt): Task {
    const id = taskKey(taskId);
    for (let i = 0; i < this.tasks.length; i++) {
      if (this.tasks[i].id == id) return this.tasks[i];
    }
    const task = Task.load(id);
    if (task === null) {
      log.critical("Task {} is not indexed, but an event of {} names it (transaction {}).", [
        id,
        this.contract.toHexString(),
        this.event.transaction.hash.toHexString(),
      ]);
      // Unreachable: log.critical aborts the handler.
      return changetype<Task>(0);
    }
    task.updatedAt = this.timestamp;
    task.updatedAtBlock = this.blockNumber;
    this.tasks.push(task);
    return task;
  }

  // --- Statistics -------------------------------------------------------------------------------------------------

  stats(): ProtocolStats {
    if (this.statsEntity !== null) return changetype<ProtocolStats>(this.statsEntity);
    let stats = ProtocolStats.load(PROTOCOL_STATS_ID);
    if (stats === null) {
      stats = new ProtocolStats(PROTOCOL_STATS_ID);
      stats.paused = false;
      stats.taskCount = 0;
      stats.subtaskCount = 0;
      stats.tasksSettled = 0;
      stats.tasksCancelled = 0;
      stats.tasksExpired = 0;
      stats.claimCount = 0;
      stats.claimsLapsed = 0;
      stats.submissionCount = 0;
      stats.disputeCount = 0;
      stats.accountCount = 0;
      stats.executorCount = 0;
      stats.humanExecutorCount = 0;
      stats.agentExecutorCount = 0;
      stats.paymentCount = BigInt.zero();
      stats.reputationEventCount = BigInt.zero();
    }
    this.statsEntity = stats;
    return stats;
  }

  daily(): DailyStats {
    if (this.dailyEntity !== null) return changetype<DailyStats>(this.dailyEntity);
    const day = <i32>(this.timestamp.toI64() / SECONDS_PER_DAY);
    const id = day.toString();
    let daily = DailyStats.load(id);
    if (daily === null) {
      daily = new DailyStats(id);
      daily.day = day;
      daily.dayStart = BigInt.fromI64(<i64>day * SECONDS_PER_DAY);
      daily.tasksCreated = 0;
      daily.tasksClaimed = 0;
      daily.tasksSettled = 0;
      daily.tasksCancelled = 0;
      daily.tasksExpired = 0;
      daily.submissions = 0;
      daily.disputesRaised = 0;
      daily.executorsRegistered = 0;
      daily.payments = 0;
    }
    this.dailyEntity = daily;
    return daily;
  }

  dailyToken(token: Bytes): DailyTokenStats {
    const daily = this.daily();
    const id = daily.id + "-" + token.toHexString();
    for (let i = 0; i < this.dailyTokens.length; i++) {
      if (this.dailyTokens[i].id == id) return this.dailyTokens[i];
    }
    let entry = DailyTokenStats.load(id);
    if (entry === null) {
      this.token(token);
      entry = new DailyTokenStats(id);
      entry.day = daily.id;
      entry.token = token;
      entry.escrowed = BigInt.zero();
      entry.paidToExecutors = BigInt.zero();
      entry.protocolFees = BigInt.zero();
      entry.refunded = BigInt.zero();
    }
    this.dailyTokens.push(entry);
    return entry;
  }

  /** Saves every entity the handler touched through this context. */
  save(): void {
    for (let i = 0; i < this.accounts.length; i++) this.accounts[i].save();
    for (let i = 0; i < this.executorRecords.length; i++) this.executorRecords[i].save();
    for (let i = 0; i < this.posterRecords.length; i++) this.posterRecords[i].save();
    for (let i = 0; i < this.tokens.length; i++) this.tokens[i].save();
    for (let i = 0; i < this.accountTokens.length; i++) this.accountTokens[i].save();
    for (let i = 0; i < this.credits.length; i++) this.credits[i].save();
    for (let i = 0; i < this.tasks.length; i++) this.tasks[i].save();
    for (let i = 0; i < this.dailyTokens.length; i++) this.dailyTokens[i].save();
    if (this.statsEntity !== null) changetype<ProtocolStats>(this.statsEntity).save();
    if (this.dailyEntity !== null) changetype<DailyStats>(this.dailyEntity).save();
  }
}

function newExecutorRecord(address: Bytes): ExecutorRecord {
  const record = new ExecutorRecord(address);
  record.account = address;
  record.completed = 0;
  record.expired = 0;
  record.rejected = 0;
  record.disputesWon = 0;
  record.disputesLost = 0;
  record.ratingSum = 0;
  record.ratingCount = 0;
  return record;
}

function newPosterRecord(address: Bytes): PosterRecord {
  const record = new PosterRecord(address);
  record.account = address;
  record.posted = 0;
  record.settled = 0;
  record.cancelled = 0;
  record.expired = 0;
  record.ratingSum = 0;
  record.ratingCount = 0;
  return record;
}
