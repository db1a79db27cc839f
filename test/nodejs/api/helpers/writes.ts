// What the write-route tests (tasks, agents, settlement) do over and over against their stack: post a task through
// POST /tasks and send what it prepares, move a task through PATCH /tasks/{id}/state, sign a prepared transaction
// without sending it (for the relay), mint the dev token, read a task's status. Every test file starts its own stack
// in `before()`, so the helpers take a function that returns it rather than the stack itself.
import assert from "node:assert/strict";

import { parseAbi, parseEventLogs, type Address, type Hex, type TransactionReceipt } from "viem";

import type { PreparedTransaction } from "../../../../api/src/schemas.ts";
import { taskMarketAbi } from "../../../../src/protocol/abis.ts";
import type { Role, Stack } from "./stack.ts";

export const DAY = 24 * 3600;

const DEV_TOKEN_MINT_ABI = parseAbi(["function mint(address to, uint256 amount)"]);

/** A JSON answer, loosely typed: the tests assert its shape. */
export async function json(response: Response): Promise<Record<string, any>> {
  return (await response.json()) as Record<string, any>;
}

/** Asserts that `answer` is a 400 `invalid_request` problem whose `errors` name `path`; `sent` is what was sent. */
export async function assertInvalidRequest(
  answer: Response | Promise<Response>,
  path: string,
  sent: unknown,
): Promise<void> {
  const response = await answer;
  const problem = await json(response);
  assert.equal(response.status, 400, JSON.stringify(sent));
  assert.equal(problem.code, "invalid_request");
  assert.ok(
    problem.errors.some((error: { path: string }) => error.path === path),
    `${path} in ${JSON.stringify(problem.errors)}`,
  );
}

/** The id of the task the `TaskCreated` event in `receipt` announces. */
export function createdTaskId(receipt: TransactionReceipt): bigint {
  const [event] = parseEventLogs({ abi: taskMarketAbi, logs: receipt.logs, eventName: "TaskCreated" });
  assert.ok(event, `transaction ${receipt.transactionHash} created no task`);
  return event.args.taskId;
}

/** A task posted through POST /tasks, created on the chain and indexed. */
export interface PostedTask {
  taskId: bigint;
  /** The `terms` of the answer, in JSON. */
  terms: Record<string, unknown>;
  /** The whole answer of POST /tasks. */
  creation: Record<string, any>;
  /** The receipt of the last transaction sent: the creation. */
  receipt: TransactionReceipt;
}

export function writeHelpers(currentStack: () => Stack) {
  const address = (role: Role): Address => currentStack().wallets[role].account.address;

  /** Sends `transactions` in order as `role`; the receipt of the last one. */
  async function sendAll(role: Role, transactions: PreparedTransaction[]): Promise<TransactionReceipt> {
    let receipt: TransactionReceipt | undefined;
    for (const transaction of transactions) receipt = await currentStack().send(role, transaction);
    return receipt!;
  }

  /** `prepared` signed by `role` (nonce, gas and fees filled in by the wallet) but not sent. */
  async function sign(role: Role, prepared: PreparedTransaction): Promise<Hex> {
    const wallet = currentStack().wallets[role];
    const request = await wallet.prepareTransactionRequest({
      chain: null,
      account: wallet.account,
      to: prepared.to,
      data: prepared.data,
      value: BigInt(prepared.value),
    });
    return wallet.signTransaction({ ...(request as object), chain: null } as never);
  }

  /**
   * POST /tasks with `body` (`terms` default to `poster`'s with a review window of a day), then every prepared
   * transaction sent by `poster`, and the new task indexed.
   */
  async function postTask(body: Record<string, unknown>, poster: Role = "poster"): Promise<PostedTask> {
    const stack = currentStack();
    const response = await stack.request("POST", "/tasks", {
      terms: { poster: address(poster), reviewWindow: DAY },
      ...body,
    });
    const creation = await json(response);
    assert.equal(response.status, 201, JSON.stringify(creation));
    const receipt = await sendAll(poster, creation.transactions);
    await stack.indexed(receipt);
    return { taskId: createdTaskId(receipt), terms: creation.terms, creation, receipt };
  }

  /** PATCH /tasks/{id}/state with `request` from `role`, sends what it prepares as `role`, waits for the indexer. */
  async function move(
    taskId: bigint,
    role: Role,
    request: { transition: string; params?: unknown },
  ): Promise<Record<string, any>> {
    const stack = currentStack();
    const response = await stack.request("PATCH", `/tasks/${taskId}/state`, { from: address(role), ...request });
    const prepared = await json(response);
    assert.equal(response.status, 200, JSON.stringify(prepared));
    await stack.indexed(await sendAll(role, prepared.transactions));
    return prepared;
  }

  /** POST /agents for `role`, an agent operated by the operator account, and the registration sent and indexed. */
  async function registerExecutor(role: Role, kind: "human" | "agent", capabilities: string[]): Promise<void> {
    const stack = currentStack();
    const response = await stack.request("POST", "/agents", {
      executor: address(role),
      kind,
      ...(kind === "agent" ? { operator: address("operator") } : {}),
      capabilities,
      metadataURI: `ipfs://profile-${role}`,
    });
    const body = await json(response);
    assert.equal(response.status, 200, JSON.stringify(body));
    await stack.indexed(await sendAll(role, body.transactions));
  }

  /** Mints `amount` of the dev token to `role`. */
  async function mintDevToken(role: Role, amount: bigint = 10n ** 24n): Promise<void> {
    const stack = currentStack();
    const hash = await stack.wallets[role].writeContract({
      chain: null,
      account: stack.wallets[role].account,
      address: stack.deployment.contracts.devToken!.address,
      abi: DEV_TOKEN_MINT_ABI,
      functionName: "mint",
      args: [address(role), amount],
    });
    await stack.publicClient.waitForTransactionReceipt({ hash });
  }

  /** `statusOf(taskId)` on the market, now. */
  function statusOf(taskId: bigint): Promise<number> {
    const stack = currentStack();
    return stack.publicClient.readContract({
      address: stack.deployment.contracts.taskMarket.address,
      abi: taskMarketAbi,
      functionName: "statusOf",
      args: [taskId],
    });
  }

  /** Moves the chain's clock `seconds` ahead and mines a block at the new time. */
  async function increaseTime(seconds: number): Promise<void> {
    const { publicClient } = currentStack();
    await publicClient.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
    await publicClient.request({ method: "evm_mine" as never });
  }

  return { address, sendAll, sign, postTask, move, registerExecutor, mintDevToken, statusOf, increaseTime };
}
