// The API's view of the chain: a viem public client on the deployment's RPC endpoint and the protocol's contracts,
// typed by the generated ABIs. Live reads go through here where freshness matters (a transition's precondition, the
// message a verifier signs); everything else reads the indexer.
import {
  createPublicClient,
  decodeFunctionResult,
  encodeFunctionData,
  http,
  type Abi,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hex,
  type PublicClient,
  type RpcBlock,
} from "viem";

import { readDeployment, type Deployment, type ProtocolContractKey } from "../../../scripts/deployment.ts";
import { PROTOCOL_ABIS, taskMarketAbi } from "../../../src/protocol/abis.ts";
import { taskStateFromViews, type TaskStateAt } from "../../../src/protocol/task-state.ts";
import { ApiProblem } from "../problems.ts";
import { liveTaskCallData, splitLiveTaskViews, type LiveTaskViews } from "./live-task-call.ts";
import type { PreparedTransaction } from "../schemas.ts";

/** A task as the chain has it now: the stored state, the status with time-based outcomes applied, and the block. */
export interface LiveTask extends TaskStateAt {
  taskId: bigint;
  block: { number: number; hash: Hex; timestamp: number };
}

export class ProtocolChain {
  readonly deployment: Deployment;
  readonly client: PublicClient;
  readonly chainId: number;

  constructor(deployment: Deployment, options: { rpcUrl?: string; timeoutMs?: number } = {}) {
    this.deployment = deployment;
    this.chainId = deployment.chainId;
    this.client = createPublicClient({
      // Batched: the reads of one request (a task's four views at one block) go out as one JSON-RPC batch.
      transport: http(options.rpcUrl ?? deployment.rpcUrl, {
        timeout: options.timeoutMs ?? 10_000,
        retryCount: 1,
        batch: { wait: 0 },
      }),
    });
  }

  static fromFile(path: string, options: { rpcUrl?: string; timeoutMs?: number } = {}): ProtocolChain {
    return new ProtocolChain(readDeployment(path), options);
  }

  address(key: ProtocolContractKey): Address {
    return this.deployment.contracts[key].address;
  }

  /** Which protocol contract is at `address`, if any. */
  contractAt(address: Address): ProtocolContractKey | undefined {
    const lower = address.toLowerCase();
    return (Object.keys(PROTOCOL_ABIS) as ProtocolContractKey[]).find(
      (key) => this.deployment.contracts[key].address.toLowerCase() === lower,
    );
  }

  /** A call of `functionName` on the protocol contract `key`, ready for a wallet to sign. */
  prepare<
    const K extends ProtocolContractKey,
    const F extends ContractFunctionName<(typeof PROTOCOL_ABIS)[K], "nonpayable" | "payable">,
  >(
    key: K,
    functionName: F,
    args: ContractFunctionArgs<(typeof PROTOCOL_ABIS)[K], "nonpayable" | "payable", F>,
    options: { value?: bigint; description: string; from?: Address },
  ): PreparedTransaction {
    // The signature above types the call against the contract's ABI; encoding needs no more than the plain ABI.
    const data = encodeFunctionData({
      abi: PROTOCOL_ABIS[key] as Abi,
      functionName: functionName as string,
      args: args as readonly unknown[],
    });
    return {
      chainId: this.chainId,
      to: this.address(key),
      data,
      value: (options.value ?? 0n).toString(),
      description: options.description,
      ...(options.from === undefined ? {} : { from: options.from }),
    };
  }

  /**
   * The task's live state, every field read at one block: `at`, when the caller has read the chain's head, or the head
   * now. 404 when the market has no such task.
   *
   * The four views come from one `eth_call` (see live-task-call.ts). Without `at`, the head and that call at `latest`
   * go out in one JSON-RPC batch, one round trip: the call says which block it ran at, and when that is the block the
   * head names (no block came in between), its answer is the head's; otherwise it is read again at the head's number.
   */
  async readTask(taskId: bigint, at?: LiveTask["block"]): Promise<LiveTask> {
    const data = liveTaskCallData(this.address("taskMarket"), taskId);
    const call = (block: Hex | "latest") =>
      this.client.request({ method: "eth_call", params: [{ data }, block] }) as Promise<Hex>;
    let block = at;
    if (block === undefined) {
      const [head, result] = await readLive(() =>
        // Asked in the same tick, both go out in one batch.
        Promise.all([
          this.client.request({
            method: "eth_getBlockByNumber",
            params: ["latest", false],
          }) as Promise<RpcBlock | null>,
          call("latest"),
        ]),
      );
      if (head === null || head.number === null || head.hash === null) {
        throw new ApiProblem("upstream_failed", "The chain's RPC endpoint has no latest block.");
      }
      block = { number: Number(head.number), hash: head.hash, timestamp: Number(head.timestamp) };
      const views = splitLiveTaskViews(result);
      if (views.blockNumber === block.number && views.blockTimestamp === block.timestamp) {
        return this.#liveTask(taskId, views, block);
      }
    }
    const result = await readLive(() => call(`0x${block.number.toString(16)}` as Hex));
    return this.#liveTask(taskId, splitLiveTaskViews(result), block);
  }

  #liveTask(taskId: bigint, { views }: LiveTaskViews, block: LiveTask["block"]): LiveTask {
    const abi = taskMarketAbi;
    const task = taskStateFromViews(
      decodeFunctionResult({ abi, functionName: "statusOf", data: views.statusOf }),
      decodeFunctionResult({ abi, functionName: "stateOf", data: views.stateOf }),
      decodeFunctionResult({ abi, functionName: "submissionOf", data: views.submissionOf }),
      decodeFunctionResult({ abi, functionName: "progressOf", data: views.progressOf }),
    );
    if (task === undefined) throw new ApiProblem("not_found", `The market has no task ${taskId}.`);
    return { taskId, ...task, block };
  }

  /** The chain's head: its number, hash and time. */
  async head(): Promise<LiveTask["block"]> {
    const block = await readLive(() => this.client.getBlock({ blockTag: "latest" }));
    return { number: Number(block.number), hash: block.hash, timestamp: Number(block.timestamp) };
  }

  /** Broadcasts a transaction a wallet signed. The chain's own rejection comes back as a 422 with its reason. */
  async broadcast(signedTransaction: Hex): Promise<Hex> {
    try {
      return await this.client.sendRawTransaction({ serializedTransaction: signedTransaction });
    } catch (error) {
      const reason = (error as { shortMessage?: string; details?: string }).details ?? (error as Error).message;
      if (isUnreachable(error)) {
        throw new ApiProblem("unavailable", "The chain's RPC endpoint cannot be reached.", { cause: error });
      }
      throw new ApiProblem("unprocessable", `The chain refused the transaction: ${reason}`, { cause: error });
    }
  }

  /** Whether the RPC endpoint answers (for `/ready`). */
  async ping(): Promise<number> {
    return Number(await this.client.getBlockNumber({ cacheTime: 0 }));
  }
}

/*//////////////////////////////////////////////////////////////
                          READ FAILURES
//////////////////////////////////////////////////////////////*/

/**
 * Runs a read of the chain, answering a failure with `chainProblem`: every live read of the API goes through here, so
 * that a failing RPC endpoint reads the same whichever route met it.
 */
export async function readLive<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw chainProblem(error);
  }
}

/**
 * The problem a failed read of the chain is answered with: 504 when the RPC endpoint did not answer in time, 503 when
 * it cannot be reached, and 502 for anything else, a failed call included (a view of a protocol contract is not
 * expected to revert). A problem passes through as it is.
 */
export function chainProblem(error: unknown): ApiProblem {
  if (error instanceof ApiProblem) return error;
  const text = errorText(error);
  if ((error as Error)?.name === "TimeoutError" || /timed? ?out/i.test(text)) {
    return new ApiProblem("upstream_timeout", "The chain's RPC endpoint did not answer in time.", { cause: error });
  }
  if (isUnreachable(error)) {
    return new ApiProblem("unavailable", "The chain's RPC endpoint cannot be reached.", { cause: error });
  }
  const message = (
    (error as { shortMessage?: string })?.shortMessage ??
    (error as Error)?.message ??
    String(error)
  ).split("\n")[0];
  return new ApiProblem("upstream_failed", `Reading the chain failed: ${message}`, { cause: error });
}

function isUnreachable(error: unknown): boolean {
  return /ECONNREFUSED|fetch failed|ENOTFOUND|EHOSTUNREACH|socket hang up/i.test(errorText(error));
}

function errorText(error: unknown): string {
  return `${(error as Error)?.message ?? ""} ${String((error as { cause?: unknown })?.cause ?? "")}`;
}
