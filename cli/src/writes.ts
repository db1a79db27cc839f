// Sending: the API's prepared transactions signed with the local key (`sendPrepared` simulates each first, so that a
// revert is reported with the contract's error before anything is signed), or the direct client's calls. Either way
// each transaction is reported as it is sent and mined, and through an API the command then waits for the indexer to
// reach the last block, so that what it prints next, and the next command's reads, include the write.
import type { Hash } from "viem";

import {
  sendPrepared,
  type PreparedTransaction,
  type SentPreparedTransaction,
  type SentTransaction,
  type TaskTransitionRequest,
} from "../../sdk/src/index.ts";
import type { Context } from "./context.ts";
import type { CommandResult } from "./output.ts";

export interface SentSummary {
  transactionHash: Hash;
  blockNumber: bigint;
  description: string;
}

export interface WriteOutcome {
  transactions: SentSummary[];
  /** Whether the API's indexer has reached the last transaction's block. */
  indexed: boolean;
}

/** Signs and sends transactions the API prepared, in order, then waits for the indexer. */
export async function sendPreparedTransactions(
  context: Context,
  transactions: readonly PreparedTransaction[],
): Promise<WriteOutcome> {
  const sent = await sendPrepared(context.walletClient, transactions, {
    publicClient: context.publicClient,
    onSent: context.mined,
  });
  return afterPrepared(context, sent);
}

/** Summarises transactions `sendPrepared` sent, and waits for the indexer to reach the last one. */
export async function afterPrepared(context: Context, sent: readonly SentPreparedTransaction[]): Promise<WriteOutcome> {
  const summaries = sent.map((item) => ({
    transactionHash: item.transactionHash,
    blockNumber: item.receipt.blockNumber,
    description: item.transaction.description,
  }));
  return { transactions: summaries, indexed: await waitForLast(context, summaries) };
}

/** Runs a direct client's call (which sends and waits for its receipt), reports it, then waits for the indexer. */
export async function sendDirect<T extends SentTransaction>(
  context: Context,
  description: string,
  call: () => Promise<T>,
): Promise<{ outcome: WriteOutcome; result: T }> {
  // The configuration is checked before anything is reported as under way: the key, the addresses, the chain.
  void context.account;
  await context.market();
  context.output.progress(`${description}…`);
  const result = await call();
  context.output.progress(`mined in block ${result.receipt.blockNumber}: ${description}`);
  const summary = {
    transactionHash: result.transactionHash,
    blockNumber: result.receipt.blockNumber,
    description,
  };
  return { outcome: { transactions: [summary], indexed: await waitForLast(context, [summary]) }, result };
}

/**
 * A lifecycle transition: through the API (`PATCH /tasks/{id}/state`, which checks it against the live state first
 * and answers 409 with the task's state when it is not allowed), or directly.
 */
export async function transition(
  context: Context,
  taskId: bigint,
  request: Omit<TaskTransitionRequest, "from">,
  description: string,
  direct: () => Promise<SentTransaction>,
): Promise<WriteOutcome> {
  if (context.throughApi) {
    const prepared = await context
      .api("This transition")
      .updateTaskState(taskId, { ...request, from: context.account.address } as TaskTransitionRequest);
    return sendPreparedTransactions(context, prepared.transactions);
  }
  return (await sendDirect(context, description, direct)).outcome;
}

/** The task's status after a write: the chain's, through the API when there is one. */
export async function statusAfter(context: Context, taskId: bigint): Promise<string> {
  if (context.apiUrl !== undefined) return (await context.api("Reading the task").getTask(taskId)).chain.status;
  return (await (await context.market()).getTask(taskId)).statusName;
}

/** Lines describing sent transactions. */
export function transactionLines(outcome: WriteOutcome): string[] {
  return outcome.transactions.map(
    (sent) => `  ${sent.transactionHash}  block ${sent.blockNumber}  ${sent.description}`,
  );
}

async function waitForLast(context: Context, sent: readonly SentSummary[]): Promise<boolean> {
  const last = sent.at(-1);
  return last === undefined ? false : context.waitForIndexer(last.blockNumber);
}

/** The result of a write on a task: what happened, the status after it, and the transactions. */
export async function written(
  context: Context,
  taskId: bigint,
  done: string,
  outcome: WriteOutcome,
): Promise<CommandResult> {
  const status = await statusAfter(context, taskId);
  return {
    json: { taskId, status, ...outcome },
    text: [`Task ${taskId} ${done}; it is ${status}.`, ...transactionLines(outcome)],
  };
}
