/**
 * The Ponder peer's handlers: for the events the benchmark's traffic produces, the same bookkeeping as the subgraph's
 * mappings (indexer/src) — task state and figures, claims, submissions, checkpoints, milestones, executor and poster
 * records, per-token account figures, the payment ledger, token totals, attestations, verifier sets, reputation
 * events, protocol and daily statistics. Every other event of every protocol contract is recorded as a contract event,
 * as the subgraph does for administrative events, so that both indexers read and handle the same logs.
 *
 * The ABIs come from the Hardhat artifacts at run time (see input.ts), so Ponder cannot type the event arguments;
 * each handler names the arguments it reads.
 */
import { ponder, type Context } from "ponder:registry";
import {
  account,
  accountToken,
  attestation,
  checkpoint,
  claim,
  contractEvent,
  dailyStats,
  dailyTokenStats,
  milestone,
  payment,
  protocolContract,
  protocolStats,
  reputationEvent,
  submission,
  task,
  token,
  verifier,
  verifierSet,
} from "ponder:schema";
import type { Address, Hex } from "viem";

import { readPonderInput } from "../input.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see the header: the ABIs are not known to the types.
type Args = Record<string, any>;
type Db = Context["db"];

interface EventInfo {
  args: Args;
  contract: Address;
  blockNumber: bigint;
  timestamp: bigint;
  logIndex: number;
  transaction: Hex;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Ponder's event type depends on the (untyped) ABI.
function info(event: any): EventInfo {
  return {
    args: event.args as Args,
    contract: event.log.address as Address,
    blockNumber: event.block.number as bigint,
    timestamp: event.block.timestamp as bigint,
    logIndex: event.log.logIndex as number,
    transaction: event.transaction.hash as Hex,
  };
}

const ZERO_ADDRESS: Address = "0x0000000000000000000000000000000000000000";
const STATS_ID = "protocol";
const KIND_NAMES = ["Any", "Human", "Agent"] as const;

const input = readPonderInput();
const contractNames = new Map(input.contracts.map((contract) => [contract.address.toLowerCase(), contract.name]));
const marketAddress = input.contracts.find((contract) => contract.name === "TaskMarket")!.address.toLowerCase() as Hex;

/** Block number (8 bytes) ++ log index (4 bytes) ++ sequence (1 byte): sorts in chain order, as the subgraph's ids. */
function historyId(event: EventInfo, sequence = 0): Hex {
  return `0x${event.blockNumber.toString(16).padStart(16, "0")}${event.logIndex.toString(16).padStart(8, "0")}${sequence
    .toString(16)
    .padStart(2, "0")}`;
}

function unpackShares(packed: Hex): number[] {
  const digits = packed.slice(2).padStart(64, "0");
  const shares: number[] = [];
  for (let lane = 0; lane < 16; lane++) {
    const share = Number.parseInt(digits.slice(lane * 4, lane * 4 + 4), 16);
    if (share === 0) break;
    shares.push(share);
  }
  return shares;
}

function verificationMethodOf(verifierAddress: string): string {
  if (verifierAddress.toLowerCase() === ZERO_ADDRESS) return "Poster";
  const name = contractNames.get(verifierAddress.toLowerCase());
  if (name === "ReviewModule") return "Review";
  if (name === "AttestationModule") return "Attestation";
  if (name === "OptimisticModule") return "Optimistic";
  if (name === "ProofModule") return "Proof";
  return "Delegated";
}

/*//////////////////////////////////////////////////////////////
                               HELPERS
//////////////////////////////////////////////////////////////*/

/** Counts an administrative or informational event on its contract (`ProtocolContract.eventCount`). */
async function countEvent(db: Db, event: EventInfo): Promise<void> {
  const id = event.contract.toLowerCase() as Hex;
  await db
    .insert(protocolContract)
    .values({ id, name: contractNames.get(id) ?? "unknown", eventCount: 1n })
    .onConflictDoUpdate((row) => ({ eventCount: row.eventCount + 1n }));
}

async function stats(
  db: Db,
  update: (row: typeof protocolStats.$inferSelect) => Partial<typeof protocolStats.$inferInsert>,
) {
  const existing = await db.find(protocolStats, { id: STATS_ID });
  if (existing === null) {
    await db.insert(protocolStats).values({
      id: STATS_ID,
      taskCount: 0,
      tasksSettled: 0,
      tasksCancelled: 0,
      tasksExpired: 0,
      claimCount: 0,
      claimsLapsed: 0,
      submissionCount: 0,
      accountCount: 0,
      executorCount: 0,
      humanExecutorCount: 0,
      agentExecutorCount: 0,
      paymentCount: 0n,
      reputationEventCount: 0n,
    });
  }
  await db.update(protocolStats, { id: STATS_ID }).set(update);
}

async function daily(
  db: Db,
  event: EventInfo,
  update: (row: typeof dailyStats.$inferSelect) => Partial<typeof dailyStats.$inferInsert>,
) {
  const day = Number(event.timestamp / 86_400n);
  await db
    .insert(dailyStats)
    .values({
      id: day,
      dayStart: BigInt(day) * 86_400n,
      tasksCreated: 0,
      tasksClaimed: 0,
      tasksSettled: 0,
      tasksCancelled: 0,
      tasksExpired: 0,
      submissions: 0,
      executorsRegistered: 0,
      payments: 0,
    })
    .onConflictDoNothing();
  await db.update(dailyStats, { id: day }).set(update);
}

async function dailyToken(
  db: Db,
  event: EventInfo,
  tokenAddress: Hex,
  update: (row: typeof dailyTokenStats.$inferSelect) => Partial<typeof dailyTokenStats.$inferInsert>,
) {
  const day = Number(event.timestamp / 86_400n);
  const id = `${day}-${tokenAddress.toLowerCase()}`;
  await db
    .insert(dailyTokenStats)
    .values({ id, day, token: tokenAddress, escrowed: 0n, paidToExecutors: 0n, protocolFees: 0n, refunded: 0n })
    .onConflictDoNothing();
  await db.update(dailyTokenStats, { id }).set(update);
}

async function ensureAccount(db: Db, address: Hex, event: EventInfo): Promise<void> {
  const id = address.toLowerCase() as Hex;
  if ((await db.find(account, { id })) !== null) return;
  await db.insert(account).values({
    id,
    isExecutor: false,
    executorKind: "Any",
    capabilities: [],
    active: false,
    completed: 0,
    expired: 0,
    rejected: 0,
    disputesWon: 0,
    disputesLost: 0,
    ratingSum: 0,
    ratingCount: 0,
    posted: 0,
    postsSettled: 0,
    postsCancelled: 0,
    postsExpired: 0,
    posterRatingSum: 0,
    posterRatingCount: 0,
    tasksClaimed: 0,
    submissionCount: 0,
    attestationCount: 0,
    reputationOutcomes: 0,
    firstSeenAt: event.timestamp,
    firstSeenAtBlock: event.blockNumber,
    updatedAt: event.timestamp,
  });
  await stats(db, (row) => ({ accountCount: row.accountCount + 1 }));
}

async function updateAccount(
  db: Db,
  address: Hex,
  event: EventInfo,
  update: (row: typeof account.$inferSelect) => Partial<typeof account.$inferInsert>,
) {
  await ensureAccount(db, address, event);
  await db
    .update(account, { id: address.toLowerCase() as Hex })
    .set((row) => ({ ...update(row), updatedAt: event.timestamp }));
}

async function updateAccountToken(
  db: Db,
  address: Hex,
  tokenAddress: Hex,
  event: EventInfo,
  update: (row: typeof accountToken.$inferSelect) => Partial<typeof accountToken.$inferInsert>,
) {
  await ensureAccount(db, address, event);
  const id = `${address.toLowerCase()}-${tokenAddress.toLowerCase()}`;
  await db
    .insert(accountToken)
    .values({
      id,
      account: address.toLowerCase() as Hex,
      token: tokenAddress.toLowerCase() as Hex,
      earned: 0n,
      valueSettledAsExecutor: 0n,
      feesPaidAsExecutor: 0n,
      escrowedAsPoster: 0n,
      paidAsPoster: 0n,
      refundedAsPoster: 0n,
      bondsLocked: 0n,
      bondsForfeited: 0n,
      bondsReturned: 0n,
      bondsReceived: 0n,
      verifierFeesEarned: 0n,
    })
    .onConflictDoNothing();
  await db.update(accountToken, { id }).set(update);
}

async function updateToken(
  db: Db,
  tokenAddress: Hex,
  update: (row: typeof token.$inferSelect) => Partial<typeof token.$inferInsert>,
) {
  const id = tokenAddress.toLowerCase() as Hex;
  await db
    .insert(token)
    .values({
      id,
      taskCount: 0,
      totalRewardPosted: 0n,
      totalEscrowed: 0n,
      escrowBalance: 0n,
      totalPaidToExecutors: 0n,
      totalProtocolFees: 0n,
      totalRefunded: 0n,
      totalVerifierFees: 0n,
      accruedFees: 0n,
      totalFeesWithdrawn: 0n,
      totalBondsLocked: 0n,
      totalBondsForfeited: 0n,
    })
    .onConflictDoNothing();
  await db.update(token, { id }).set(update);
}

let paymentSequence = 0n;

async function recordPayment(
  db: Db,
  event: EventInfo,
  sequence: number,
  kind: string,
  from: Hex,
  to: Hex | null,
  tokenAddress: Hex,
  amount: bigint,
  taskId: bigint | null,
): Promise<void> {
  if (amount === 0n) return;
  paymentSequence++;
  await db.insert(payment).values({
    id: historyId(event, sequence),
    kind,
    contract: event.contract,
    from,
    to,
    token: tokenAddress,
    amount,
    task: taskId,
    sequence: paymentSequence,
    timestamp: event.timestamp,
    blockNumber: event.blockNumber,
    logIndex: BigInt(event.logIndex),
    transaction: event.transaction,
  });
  await stats(db, (row) => ({ paymentCount: row.paymentCount + 1n }));
  await daily(db, event, (row) => ({ payments: row.payments + 1 }));
}

async function recordReputation(
  db: Db,
  event: EventInfo,
  sequence: number,
  address: Hex,
  kind: string,
  taskId: bigint | null,
  value: number,
): Promise<void> {
  await db.insert(reputationEvent).values({
    id: historyId(event, sequence),
    account: address.toLowerCase() as Hex,
    kind,
    task: taskId,
    value,
    timestamp: event.timestamp,
    blockNumber: event.blockNumber,
    transaction: event.transaction,
  });
  await updateAccount(db, address, event, (row) => ({ reputationOutcomes: row.reputationOutcomes + 1 }));
  await stats(db, (row) => ({ reputationEventCount: row.reputationEventCount + 1n }));
}

async function loadTask(db: Db, taskId: bigint) {
  const row = await db.find(task, { id: taskId });
  if (row === null) throw new Error(`Task ${taskId} is not indexed: an event refers to a task never created.`);
  return row;
}

async function updateTask(
  db: Db,
  taskId: bigint,
  event: EventInfo,
  update: (row: typeof task.$inferSelect) => Partial<typeof task.$inferInsert>,
) {
  await db
    .update(task, { id: taskId })
    .set((row) => ({ ...update(row), updatedAt: event.timestamp, updatedAtBlock: event.blockNumber }));
}

async function updateLatestSubmission(
  db: Db,
  taskRow: typeof task.$inferSelect,
  update: (row: typeof submission.$inferSelect) => Partial<typeof submission.$inferInsert>,
) {
  if (taskRow.latestSubmission === null) return;
  await db.update(submission, { id: taskRow.latestSubmission }).set(update);
}

async function endClaim(db: Db, taskRow: typeof task.$inferSelect, event: EventInfo, endStatus: string) {
  if (taskRow.claimCount === 0) return;
  await db.update(claim, { id: `${taskRow.id}-${taskRow.claimCount}` }).set({ endedAt: event.timestamp, endStatus });
}

/*//////////////////////////////////////////////////////////////
                            TASK MARKET
//////////////////////////////////////////////////////////////*/

const handled = new Set<string>();
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Ponder's handler types depend on the (untyped) ABI.
function on(name: string, handler: (event: EventInfo, db: Db) => Promise<void>): void {
  handled.add(name);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  (ponder.on as any)(name, async ({ event, context }: { event: unknown; context: Context }) => {
    await handler(info(event), context.db);
  });
}

on("TaskMarket:TaskCreated", async (event, db) => {
  const { taskId, poster, token: tokenAddress, terms, capabilities, documentURI } = event.args;
  const shares = unpackShares(terms.milestoneShares);
  const escrow = (terms.reward as bigint) + (terms.verifierFee as bigint);
  await ensureAccount(db, poster, event);
  await db.insert(task).values({
    id: taskId,
    poster: poster.toLowerCase(),
    token: tokenAddress.toLowerCase(),
    reward: terms.reward,
    claimBond: terms.claimBond,
    claimDeadline: BigInt(terms.claimDeadline),
    executionWindow: BigInt(terms.executionWindow),
    reviewWindow: BigInt(terms.reviewWindow),
    feeBps: Number(terms.feeBps),
    executorKind: KIND_NAMES[Number(terms.executorKind)] ?? "Any",
    verifier: terms.verifier.toLowerCase(),
    verifierFee: terms.verifierFee,
    verifierConfigHash: terms.verifierConfigHash,
    capabilitiesHash: terms.capabilitiesHash,
    documentHash: terms.documentHash,
    milestoneShares: terms.milestoneShares,
    milestoneSharesBps: shares,
    capabilities: [...capabilities],
    documentURI,
    assigner: ZERO_ADDRESS,
    subtaskBudget: 0n,
    status: "Posted",
    executionDeadline: 0n,
    reviewDeadline: 0n,
    rejected: false,
    posterConsentedToCancel: false,
    executorConsentedToCancel: false,
    posterRated: false,
    executorRated: false,
    verifierFeePaid: false,
    milestonesVerified: 0,
    heldAt: 0n,
    holdShareBps: 0,
    submissionHash: "0x0000000000000000000000000000000000000000000000000000000000000000",
    unpaidReward: terms.reward,
    price: terms.reward,
    escrowRemaining: escrow,
    paidToExecutor: 0n,
    protocolFees: 0n,
    refunded: 0n,
    verifierFeeAmountPaid: 0n,
    bondsForfeited: 0n,
    bondsReturned: 0n,
    claimCount: 0,
    lapseCount: 0,
    submissionCount: 0,
    checkpointCount: 0,
    verificationMethod: verificationMethodOf(terms.verifier),
    pendingShareBps: 10_000,
    createdAt: event.timestamp,
    createdAtBlock: event.blockNumber,
    createdTransaction: event.transaction,
    updatedAt: event.timestamp,
    updatedAtBlock: event.blockNumber,
  });
  for (const [index, shareBps] of shares.entries()) {
    await db.insert(milestone).values({ id: `${taskId}-${index}`, task: taskId, index, shareBps, settled: false });
  }
  await updateAccount(db, poster, event, (row) => ({ posted: row.posted + 1 }));
  await updateAccountToken(db, poster, tokenAddress, event, (row) => ({
    escrowedAsPoster: row.escrowedAsPoster + escrow,
  }));
  await updateToken(db, tokenAddress, (row) => ({
    taskCount: row.taskCount + 1,
    totalRewardPosted: row.totalRewardPosted + (terms.reward as bigint),
    totalEscrowed: row.totalEscrowed + escrow,
    escrowBalance: row.escrowBalance + escrow,
  }));
  await recordPayment(db, event, 0, "EscrowDeposit", poster, marketAddress, tokenAddress, escrow, taskId);
  await recordReputation(db, event, 1, poster, "TaskPosted", taskId, 0);
  await stats(db, (row) => ({ taskCount: row.taskCount + 1 }));
  await daily(db, event, (row) => ({ tasksCreated: row.tasksCreated + 1 }));
  await dailyToken(db, event, tokenAddress, (row) => ({ escrowed: row.escrowed + escrow }));
});

on("TaskMarket:TaskOptionsSet", async (event, db) => {
  const { taskId, assigner, options } = event.args;
  await updateTask(db, taskId, event, () => ({
    assigner: assigner.toLowerCase(),
    subtaskBudget: options.subtaskBudget,
  }));
});

on("TaskMarket:TaskClaimed", async (event, db) => {
  const { taskId, executor, executionDeadline, bond } = event.args;
  const row = await loadTask(db, taskId);
  const number = row.claimCount + 1;
  await updateTask(db, taskId, event, () => ({
    status: "Claimed",
    executor: executor.toLowerCase(),
    executionDeadline: BigInt(executionDeadline),
    claimCount: number,
    claimedAt: event.timestamp,
    rejected: false,
  }));
  await db.insert(claim).values({
    id: `${taskId}-${number}`,
    task: taskId,
    executor: executor.toLowerCase(),
    number,
    bond,
    price: row.price,
    executionDeadline: BigInt(executionDeadline),
    claimedAt: event.timestamp,
    claimedAtBlock: event.blockNumber,
    transaction: event.transaction,
    lapsed: false,
  });
  await updateAccount(db, executor, event, (account) => ({ tasksClaimed: account.tasksClaimed + 1 }));
  await updateAccountToken(db, executor, row.token, event, (entry) => ({ bondsLocked: entry.bondsLocked + bond }));
  await updateToken(db, row.token, (entry) => ({ totalBondsLocked: entry.totalBondsLocked + bond }));
  await recordPayment(db, event, 0, "ClaimBondLocked", executor, marketAddress, row.token, bond, taskId);
  await stats(db, (entry) => ({ claimCount: entry.claimCount + 1 }));
  await daily(db, event, (entry) => ({ tasksClaimed: entry.tasksClaimed + 1 }));
});

on("TaskMarket:ClaimLapsed", async (event, db) => {
  const { taskId, executor, afterRejection, bondForfeited } = event.args;
  const row = await loadTask(db, taskId);
  await updateTask(db, taskId, event, (entry) => ({
    status: "Posted",
    lapseCount: entry.lapseCount + 1,
    bondsForfeited: entry.bondsForfeited + bondForfeited,
  }));
  await db.update(claim, { id: `${taskId}-${row.claimCount}` }).set({
    lapsed: true,
    lapsedAfterRejection: afterRejection,
    bondForfeited,
    lapsedAt: event.timestamp,
    endedAt: event.timestamp,
    endStatus: "Posted",
  });
  await updateAccount(db, executor, event, (entry) =>
    afterRejection ? { rejected: entry.rejected + 1 } : { expired: entry.expired + 1 },
  );
  if (bondForfeited > 0n) {
    await updateAccountToken(db, executor, row.token, event, (entry) => ({
      bondsForfeited: entry.bondsForfeited + bondForfeited,
    }));
    await updateAccountToken(db, row.poster, row.token, event, (entry) => ({
      bondsReceived: entry.bondsReceived + bondForfeited,
    }));
    await updateToken(db, row.token, (entry) => ({ totalBondsForfeited: entry.totalBondsForfeited + bondForfeited }));
    await recordPayment(
      db,
      event,
      0,
      "ClaimBondForfeited",
      marketAddress,
      row.poster,
      row.token,
      bondForfeited,
      taskId,
    );
  } else {
    await recordPayment(db, event, 0, "ClaimBondReturned", marketAddress, executor, row.token, row.claimBond, taskId);
  }
  await recordReputation(db, event, 1, executor, afterRejection ? "ClaimRejected" : "ClaimExpired", taskId, 0);
  await stats(db, (entry) => ({ claimsLapsed: entry.claimsLapsed + 1 }));
});

on("TaskMarket:TaskStarted", async (event, db) => {
  await updateTask(db, event.args.taskId, event, () => ({ status: "InProgress" }));
});

on("TaskMarket:CheckpointPosted", async (event, db) => {
  const { taskId, executor, percentComplete, progressHash, progressURI } = event.args;
  await db.insert(checkpoint).values({
    id: historyId(event),
    task: taskId,
    executor: executor.toLowerCase(),
    percentComplete: Number(percentComplete),
    progressHash,
    progressURI,
    timestamp: event.timestamp,
    blockNumber: event.blockNumber,
    transaction: event.transaction,
  });
  await updateTask(db, taskId, event, (row) => ({ checkpointCount: row.checkpointCount + 1 }));
});

on("TaskMarket:WorkSubmitted", async (event, db) => {
  const { taskId, executor, resultHash, resultURI, reviewDeadline } = event.args;
  const row = await loadTask(db, taskId);
  const number = row.submissionCount + 1;
  const id = `${taskId}-${number}`;
  await db.insert(submission).values({
    id,
    task: taskId,
    executor: executor.toLowerCase(),
    number,
    milestone: row.milestonesVerified,
    resultHash,
    resultURI,
    reviewDeadline: BigInt(reviewDeadline),
    submittedAt: event.timestamp,
    submittedAtBlock: event.blockNumber,
    transaction: event.transaction,
    status: "UnderReview",
  });
  await updateTask(db, taskId, event, () => ({
    status: "Submitted",
    reviewDeadline: BigInt(reviewDeadline),
    submissionCount: number,
    latestSubmission: id,
    submittedAt: event.timestamp,
    submissionHash: row.verifier === ZERO_ADDRESS ? row.submissionHash : resultHash,
  }));
  await updateAccount(db, executor, event, (entry) => ({ submissionCount: entry.submissionCount + 1 }));
  await stats(db, (entry) => ({ submissionCount: entry.submissionCount + 1 }));
  await daily(db, event, (entry) => ({ submissions: entry.submissions + 1 }));
});

on("TaskMarket:SubmissionRejected", async (event, db) => {
  const { taskId, verifier: decidedBy, reasonHash } = event.args;
  const row = await loadTask(db, taskId);
  await updateLatestSubmission(db, row, () => ({
    status: "Rejected",
    decision: "Rejected",
    decidedBy: decidedBy.toLowerCase(),
    decidedAt: event.timestamp,
    rejectionReason: reasonHash,
  }));
  await updateTask(db, taskId, event, () => ({ status: "InProgress", rejected: true }));
});

on("TaskMarket:TaskVerified", async (event, db) => {
  const row = await loadTask(db, event.args.taskId);
  await updateLatestSubmission(db, row, () => ({ decision: "Released", decidedAt: event.timestamp }));
  await updateTask(db, row.id, event, () => ({ status: "Verified" }));
});

on("TaskMarket:SubmissionHeld", async (event, db) => {
  const { taskId, until, defaultShareBps } = event.args;
  const row = await loadTask(db, taskId);
  await updateLatestSubmission(db, row, () => ({
    status: "Held",
    heldUntil: BigInt(until),
    holdShareBps: Number(defaultShareBps),
  }));
  await updateTask(db, taskId, event, () => ({
    status: "Disputed",
    heldAt: event.timestamp,
    holdShareBps: Number(defaultShareBps),
  }));
});

on("TaskMarket:SubmissionResolved", async (event, db) => {
  const { taskId, verifier: decidedBy, executorShareBps } = event.args;
  const row = await loadTask(db, taskId);
  await updateLatestSubmission(db, row, () => ({
    decision: "Resolved",
    decidedBy: decidedBy.toLowerCase(),
    decidedAt: event.timestamp,
    executorShareBps: Number(executorShareBps),
  }));
  await updateTask(db, taskId, event, () => ({ pendingShareBps: Number(executorShareBps) }));
});

/** What every settlement (the last one, or a milestone) records for the executor, the poster and the token. */
async function recordSettlement(
  db: Db,
  event: EventInfo,
  row: typeof task.$inferSelect,
  executor: Hex,
  payout: bigint,
  fee: bigint,
) {
  const gross = payout + fee;
  await updateLatestSubmission(db, row, (entry) => ({
    status: "Settled",
    decision: entry.decision ?? "Approved",
    decidedAt: entry.decidedAt ?? event.timestamp,
    executorShareBps: entry.executorShareBps ?? row.pendingShareBps,
    amount: gross,
    payout,
    fee,
  }));
  await updateAccountToken(db, executor, row.token, event, (entry) => ({
    earned: entry.earned + payout,
    valueSettledAsExecutor: entry.valueSettledAsExecutor + gross,
    feesPaidAsExecutor: entry.feesPaidAsExecutor + fee,
  }));
  await updateAccountToken(db, row.poster, row.token, event, (entry) => ({ paidAsPoster: entry.paidAsPoster + gross }));
  await updateToken(db, row.token, (entry) => ({
    totalPaidToExecutors: entry.totalPaidToExecutors + payout,
    totalProtocolFees: entry.totalProtocolFees + fee,
    accruedFees: entry.accruedFees + fee,
    escrowBalance: entry.escrowBalance - gross,
  }));
  await recordPayment(db, event, 0, "ExecutorPayout", marketAddress, executor, row.token, payout, row.id);
  await recordPayment(db, event, 1, "ProtocolFee", marketAddress, marketAddress, row.token, fee, row.id);
  await dailyToken(db, event, row.token, (entry) => ({
    paidToExecutors: entry.paidToExecutors + payout,
    protocolFees: entry.protocolFees + fee,
  }));
}

on("TaskMarket:TaskSettled", async (event, db) => {
  const { taskId, executor, payout, fee, bondReturned } = event.args;
  const row = await loadTask(db, taskId);
  await recordSettlement(db, event, row, executor, payout, fee);
  if (row.milestoneSharesBps.length > 0) {
    const index = row.milestoneSharesBps.length - 1;
    await db.update(milestone, { id: `${taskId}-${index}` }).set({
      settled: true,
      submission: row.latestSubmission,
      executor: executor.toLowerCase(),
      amount: payout + fee,
      payout,
      fee,
      settledAt: event.timestamp,
      transaction: event.transaction,
    });
  }
  await updateTask(db, taskId, event, (entry) => ({
    status: "Settled",
    paidToExecutor: entry.paidToExecutor + payout,
    protocolFees: entry.protocolFees + fee,
    bondsReturned: entry.bondsReturned + bondReturned,
    escrowRemaining: 0n,
    unpaidReward: 0n,
    milestonesVerified:
      entry.milestoneSharesBps.length > 0 ? entry.milestoneSharesBps.length : entry.milestonesVerified,
    acceptedSubmission: entry.latestSubmission,
    endedAt: event.timestamp,
  }));
  await endClaim(db, row, event, "Settled");
  await updateAccountToken(db, executor, row.token, event, (entry) => ({
    bondsReturned: entry.bondsReturned + bondReturned,
  }));
  await recordPayment(db, event, 2, "ClaimBondReturned", marketAddress, executor, row.token, bondReturned, taskId);
  await updateAccount(db, executor, event, (entry) => (payout > 0n ? { completed: entry.completed + 1 } : {}));
  await updateAccount(db, row.poster, event, (entry) => ({ postsSettled: entry.postsSettled + 1 }));
  await recordReputation(
    db,
    event,
    3,
    executor,
    payout > 0n ? "Completed" : "SettledWithoutPayout",
    taskId,
    row.pendingShareBps,
  );
  await recordReputation(db, event, 4, row.poster, "TaskSettledAsPoster", taskId, 0);
  await stats(db, (entry) => ({ tasksSettled: entry.tasksSettled + 1 }));
  await daily(db, event, (entry) => ({ tasksSettled: entry.tasksSettled + 1 }));
});

on("TaskMarket:SettlementRefunded", async (event, db) => {
  const { taskId, poster, refund } = event.args;
  const row = await loadTask(db, taskId);
  await updateTask(db, taskId, event, (entry) => ({ refunded: entry.refunded + refund }));
  await updateLatestSubmission(db, row, () => ({ refund }));
  await updateAccountToken(db, poster, row.token, event, (entry) => ({
    refundedAsPoster: entry.refundedAsPoster + refund,
  }));
  await updateToken(db, row.token, (entry) => ({
    totalRefunded: entry.totalRefunded + refund,
    escrowBalance: entry.escrowBalance - refund,
  }));
  await recordPayment(db, event, 0, "SettlementRefund", marketAddress, poster, row.token, refund, taskId);
  await dailyToken(db, event, row.token, (entry) => ({ refunded: entry.refunded + refund }));
});

on("TaskMarket:MilestoneSettled", async (event, db) => {
  const { taskId, executor, milestone: index, payout, fee, refund } = event.args;
  const row = await loadTask(db, taskId);
  await recordSettlement(db, event, row, executor, payout, fee);
  await db.update(milestone, { id: `${taskId}-${Number(index)}` }).set({
    settled: true,
    submission: row.latestSubmission,
    executor: executor.toLowerCase(),
    amount: payout + fee + refund,
    payout,
    fee,
    refund,
    executorShareBps: row.pendingShareBps,
    settledAt: event.timestamp,
    transaction: event.transaction,
  });
  await updateTask(db, taskId, event, (entry) => ({
    status: "InProgress",
    milestonesVerified: entry.milestonesVerified + 1,
    paidToExecutor: entry.paidToExecutor + payout,
    protocolFees: entry.protocolFees + fee,
    refunded: entry.refunded + refund,
    unpaidReward: entry.unpaidReward - payout - fee - refund,
    pendingShareBps: 10_000,
  }));
  if (refund > 0n) {
    await recordPayment(db, event, 2, "SettlementRefund", marketAddress, row.poster, row.token, refund, taskId);
  }
  await recordReputation(db, event, 3, executor, "MilestoneSettled", taskId, row.pendingShareBps);
});

on("TaskMarket:VerifierPaid", async (event, db) => {
  const { taskId, verifier: paidTo, amount } = event.args;
  const row = await loadTask(db, taskId);
  await updateTask(db, taskId, event, (entry) => ({
    verifierFeePaid: true,
    verifierFeeAmountPaid: entry.verifierFeeAmountPaid + amount,
  }));
  await updateAccountToken(db, paidTo, row.token, event, (entry) => ({
    verifierFeesEarned: entry.verifierFeesEarned + amount,
  }));
  await updateToken(db, row.token, (entry) => ({
    totalVerifierFees: entry.totalVerifierFees + amount,
    escrowBalance: entry.escrowBalance - amount,
  }));
  await recordPayment(db, event, 0, "VerifierFee", marketAddress, paidTo, row.token, amount, taskId);
});

on("TaskMarket:CancellationConsented", async (event, db) => {
  const { taskId, party } = event.args;
  const row = await loadTask(db, taskId);
  const byPoster = party.toLowerCase() === row.poster;
  await updateTask(db, taskId, event, () =>
    byPoster ? { posterConsentedToCancel: true } : { executorConsentedToCancel: true },
  );
});

on("TaskMarket:TaskCancelled", async (event, db) => {
  const { taskId, poster, refund, bondReturned } = event.args;
  const row = await loadTask(db, taskId);
  await updateTask(db, taskId, event, (entry) => ({
    status: "Cancelled",
    refunded: entry.refunded + refund,
    bondsReturned: entry.bondsReturned + bondReturned,
    escrowRemaining: 0n,
    endedAt: event.timestamp,
  }));
  await updateLatestSubmission(db, row, (entry) =>
    entry.status === "UnderReview" || entry.status === "Held" ? { status: "Cancelled" } : {},
  );
  await endClaim(db, row, event, "Cancelled");
  await updateAccountToken(db, poster, row.token, event, (entry) => ({
    refundedAsPoster: entry.refundedAsPoster + refund,
  }));
  await updateToken(db, row.token, (entry) => ({
    totalRefunded: entry.totalRefunded + refund,
    escrowBalance: entry.escrowBalance - refund,
  }));
  await recordPayment(db, event, 0, "CancellationRefund", marketAddress, poster, row.token, refund, taskId);
  if (row.executor !== null) {
    await recordPayment(
      db,
      event,
      1,
      "ClaimBondReturned",
      marketAddress,
      row.executor,
      row.token,
      bondReturned,
      taskId,
    );
  }
  await updateAccount(db, poster, event, (entry) => ({ postsCancelled: entry.postsCancelled + 1 }));
  await recordReputation(db, event, 2, poster, "TaskCancelledAsPoster", taskId, 0);
  await stats(db, (entry) => ({ tasksCancelled: entry.tasksCancelled + 1 }));
  await daily(db, event, (entry) => ({ tasksCancelled: entry.tasksCancelled + 1 }));
  await dailyToken(db, event, row.token, (entry) => ({ refunded: entry.refunded + refund }));
});

on("TaskMarket:TaskExpired", async (event, db) => {
  const { taskId, poster, refund, bondForfeited } = event.args;
  const row = await loadTask(db, taskId);
  await updateTask(db, taskId, event, (entry) => ({
    status: "Expired",
    refunded: entry.refunded + refund,
    escrowRemaining: 0n,
    endedAt: event.timestamp,
  }));
  await endClaim(db, row, event, "Expired");
  await updateAccountToken(db, poster, row.token, event, (entry) => ({
    refundedAsPoster: entry.refundedAsPoster + refund,
  }));
  await updateToken(db, row.token, (entry) => ({
    totalRefunded: entry.totalRefunded + refund,
    escrowBalance: entry.escrowBalance - refund,
  }));
  await recordPayment(db, event, 0, "ExpiryRefund", marketAddress, poster, row.token, refund, taskId);
  // A forfeited bond is recorded by the `ClaimLapsed` that precedes this event in the same transaction.
  void bondForfeited;
  await updateAccount(db, poster, event, (entry) => ({ postsExpired: entry.postsExpired + 1 }));
  await recordReputation(db, event, 1, poster, "TaskExpiredAsPoster", taskId, 0);
  await stats(db, (entry) => ({ tasksExpired: entry.tasksExpired + 1 }));
  await daily(db, event, (entry) => ({ tasksExpired: entry.tasksExpired + 1 }));
  await dailyToken(db, event, row.token, (entry) => ({ refunded: entry.refunded + refund }));
});

on("TaskMarket:PartyRated", async (event, db) => {
  const { taskId, rater, ratee, rating } = event.args;
  const row = await loadTask(db, taskId);
  const byPoster = rater.toLowerCase() === row.poster;
  await updateTask(db, taskId, event, () =>
    byPoster
      ? { posterRated: true, executorRating: Number(rating) }
      : { executorRated: true, posterRating: Number(rating) },
  );
  await updateAccount(db, ratee, event, (entry) =>
    byPoster
      ? { ratingSum: entry.ratingSum + Number(rating), ratingCount: entry.ratingCount + 1 }
      : { posterRatingSum: entry.posterRatingSum + Number(rating), posterRatingCount: entry.posterRatingCount + 1 },
  );
  await recordReputation(db, event, 0, ratee, byPoster ? "RatedAsExecutor" : "RatedAsPoster", taskId, Number(rating));
});

on("TaskMarket:PaymentCredited", async (event, db) => {
  const { account: credited, token: tokenAddress, amount } = event.args;
  await recordPayment(db, event, 0, "Credit", credited, marketAddress, tokenAddress, amount, null);
});

on("TaskMarket:CreditWithdrawn", async (event, db) => {
  const { token: tokenAddress, to, amount } = event.args;
  await recordPayment(db, event, 0, "CreditWithdrawal", marketAddress, to, tokenAddress, amount, null);
});

on("TaskMarket:ProtocolFeesWithdrawn", async (event, db) => {
  const { token: tokenAddress, recipient, amount } = event.args;
  await updateToken(db, tokenAddress, (entry) => ({
    accruedFees: entry.accruedFees - amount,
    totalFeesWithdrawn: entry.totalFeesWithdrawn + amount,
  }));
  await recordPayment(db, event, 0, "ProtocolFeesWithdrawn", marketAddress, recipient, tokenAddress, amount, null);
});

on("TaskMarket:ProtocolFeeUpdated", async (event, db) => {
  await stats(db, () => ({ protocolFeeBps: Number(event.args.newFeeBps) }));
});

on("TaskMarket:FeeRecipientUpdated", async (event, db) => {
  await stats(db, () => ({ feeRecipient: event.args.newRecipient.toLowerCase() }));
});

/*//////////////////////////////////////////////////////////////
                          EXECUTOR REGISTRY
//////////////////////////////////////////////////////////////*/

on("ExecutorRegistry:ExecutorRegistered", async (event, db) => {
  const { executor, kind, operator, capabilities, metadataURI } = event.args;
  const kindName = KIND_NAMES[Number(kind)] ?? "Any";
  if (operator !== ZERO_ADDRESS) await ensureAccount(db, operator, event);
  await updateAccount(db, executor, event, () => ({
    isExecutor: true,
    executorKind: kindName,
    operator: operator === ZERO_ADDRESS ? null : operator.toLowerCase(),
    capabilities: [...capabilities],
    metadataURI,
    active: true,
    registeredAt: event.timestamp,
    registeredAtBlock: event.blockNumber,
    profileUpdatedAt: event.timestamp,
  }));
  await stats(db, (entry) => ({
    executorCount: entry.executorCount + 1,
    humanExecutorCount: entry.humanExecutorCount + (kindName === "Human" ? 1 : 0),
    agentExecutorCount: entry.agentExecutorCount + (kindName === "Agent" ? 1 : 0),
  }));
  await daily(db, event, (entry) => ({ executorsRegistered: entry.executorsRegistered + 1 }));
});

on("ExecutorRegistry:ExecutorUpdated", async (event, db) => {
  const { executor, operator, capabilities, metadataURI } = event.args;
  if (operator !== ZERO_ADDRESS) await ensureAccount(db, operator, event);
  await updateAccount(db, executor, event, () => ({
    operator: operator === ZERO_ADDRESS ? null : operator.toLowerCase(),
    capabilities: [...capabilities],
    metadataURI,
    profileUpdatedAt: event.timestamp,
  }));
});

on("ExecutorRegistry:ExecutorActivationChanged", async (event, db) => {
  await updateAccount(db, event.args.executor, event, () => ({ active: event.args.active as boolean }));
});

/*//////////////////////////////////////////////////////////////
                          ATTESTATION MODULE
//////////////////////////////////////////////////////////////*/

on("AttestationModule:VerifierSetCreated", async (event, db) => {
  const { setId, admin } = event.args;
  await ensureAccount(db, admin, event);
  await db.insert(verifierSet).values({
    id: BigInt(setId),
    module: event.contract.toLowerCase() as Hex,
    admin: admin.toLowerCase(),
    memberCount: 0,
    createdAt: event.timestamp,
  });
});

async function updateVerifier(
  db: Db,
  event: EventInfo,
  setId: bigint,
  address: Hex,
  update: (row: typeof verifier.$inferSelect) => Partial<typeof verifier.$inferInsert>,
) {
  await ensureAccount(db, address, event);
  const id = `${setId}-${address.toLowerCase()}`;
  await db
    .insert(verifier)
    .values({
      id,
      set: setId,
      account: address.toLowerCase() as Hex,
      status: "NotMember",
      active: false,
      bond: 0n,
      totalBonded: 0n,
      totalWithdrawn: 0n,
      updatedAt: event.timestamp,
    })
    .onConflictDoNothing();
  await db.update(verifier, { id }).set((row) => ({ ...update(row), updatedAt: event.timestamp }));
}

on("AttestationModule:VerifierAdded", async (event, db) => {
  const { setId, verifier: added } = event.args;
  await updateVerifier(db, event, BigInt(setId), added, () => ({
    status: "Active",
    active: true,
    addedAt: event.timestamp,
  }));
  await db.update(verifierSet, { id: BigInt(setId) }).set((row) => ({ memberCount: row.memberCount + 1 }));
});

on("AttestationModule:VerifierBonded", async (event, db) => {
  const { setId, verifier: bonded, amount, totalBond } = event.args;
  await updateVerifier(db, event, BigInt(setId), bonded, (row) => ({
    bond: totalBond,
    totalBonded: row.totalBonded + amount,
  }));
  await recordPayment(db, event, 0, "VerifierBond", bonded, event.contract, ZERO_ADDRESS, amount, null);
});

on("AttestationModule:AttestationAccepted", async (event, db) => {
  const { taskId, signer, approved, scoreBps, evidenceHash } = event.args;
  const row = await loadTask(db, taskId);
  await ensureAccount(db, signer, event);
  await db.insert(attestation).values({
    id: historyId(event),
    task: taskId,
    submission: row.latestSubmission,
    signer: signer.toLowerCase(),
    approved,
    scoreBps: Number(scoreBps),
    evidenceHash,
    timestamp: event.timestamp,
    blockNumber: event.blockNumber,
    transaction: event.transaction,
  });
  await updateAccount(db, signer, event, (entry) => ({ attestationCount: entry.attestationCount + 1 }));
});

for (const moduleName of ["AttestationModule", "OptimisticModule", "ReviewModule"]) {
  on(`${moduleName}:VerifierFeeForwarded`, async (event, db) => {
    const { token: tokenAddress, to, amount } = event.args;
    await updateAccountToken(db, to, tokenAddress, event, (entry) => ({
      verifierFeesEarned: entry.verifierFeesEarned + amount,
    }));
    await recordPayment(db, event, 0, "VerifierFeeForwarded", event.contract, to, tokenAddress, amount, null);
  });
}

/*//////////////////////////////////////////////////////////////
                    EVERY OTHER EVENT OF THE PROTOCOL
//////////////////////////////////////////////////////////////*/

function render(value: unknown): string {
  return JSON.stringify(value, (_, item) => (typeof item === "bigint" ? item.toString() : item));
}

for (const contract of input.contracts) {
  const names = new Map<string, number>();
  for (const item of contract.abi) if (item.type === "event") names.set(item.name, (names.get(item.name) ?? 0) + 1);
  for (const [eventName, overloads] of names) {
    const name = `${contract.name}:${eventName}`;
    if (handled.has(name)) continue;
    if (overloads > 1) throw new Error(`${name} is overloaded: register each signature by its full name.`);
    // As the subgraph's `recordContractEvent`: the event as text, counted on its contract.
    on(name, async (event, db) => {
      await countEvent(db, event);
      await db.insert(contractEvent).values({
        id: historyId(event),
        contract: event.contract.toLowerCase() as Hex,
        name: eventName,
        arguments: render(event.args),
        timestamp: event.timestamp,
        blockNumber: event.blockNumber,
        transaction: event.transaction,
      });
    });
  }
}
