/**
 * Latency measurements over a running indexer's GraphQL endpoint: head latency (a block is mined → the entity its
 * event creates is visible through GraphQL) and query latency (a task by id, a filtered and ordered page of 100 tasks
 * with nested fields). Each figure is a distribution of individually timed requests, summarised by percentiles.
 */
import {
  concat,
  encodeFunctionData,
  keccak256,
  parseEther,
  toHex,
  zeroAddress,
  zeroHash,
  type Abi,
  type Address,
  type Hex,
} from "viem";

import { ExecutorKind, NO_MILESTONES, type TaskTerms } from "../../src/protocol/terms.js";
import { hex, type JsonRpc } from "./rpc.js";

export interface Distribution {
  count: number;
  minMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/** Nearest-rank percentile of `sorted` (ascending). */
function percentile(sorted: readonly number[], fraction: number): number {
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1]!;
}

export function distribution(samples: readonly number[]): Distribution {
  if (samples.length === 0) throw new Error("No samples to summarise.");
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    count: sorted.length,
    minMs: round(sorted[0]!),
    p50Ms: round(percentile(sorted, 0.5)),
    p95Ms: round(percentile(sorted, 0.95)),
    p99Ms: round(percentile(sorted, 0.99)),
    maxMs: round(sorted[sorted.length - 1]!),
    meanMs: round(sorted.reduce((sum, value) => sum + value, 0) / sorted.length),
  };
}

interface GraphqlResponse<T> {
  data?: T;
  errors?: { message: string }[];
}

/** Posts a GraphQL query and returns its data; a response with errors is an error. */
export async function graphql<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as GraphqlResponse<T>;
  if (!response.ok || body.errors !== undefined || body.data === undefined) {
    throw new Error(
      `GraphQL query to ${url} failed (HTTP ${response.status}): ${body.errors?.map((error) => error.message).join("; ") ?? "no data"}`,
    );
  }
  return body.data;
}

/*//////////////////////////////////////////////////////////////
                            QUERY LATENCY
//////////////////////////////////////////////////////////////*/

export const TASK_BY_ID_QUERY = `query TaskById($id: ID!) {
  task(id: $id) {
    id
    taskId
    status
    token
    reward
    documentURI
    poster { id }
    executor { id executorKind }
    latestSubmission { id resultURI status }
  }
}`;

export const TASK_LIST_QUERY = `query SettledTasks($status: TaskStatus!, $minimumReward: BigInt!) {
  tasks(first: 100, where: { status: $status, reward_gte: $minimumReward }, orderBy: createdAt, orderDirection: desc) {
    id
    taskId
    status
    token
    reward
    createdAt
    poster { id posterRecord { posted settled } }
    executor { id executorKind executorRecord { completed ratingCount } }
  }
}`;

export interface QueryLatency {
  byId: Distribution;
  list: Distribution;
  warmupRequests: number;
}

/**
 * Times `requests` by-id queries and as many list queries, one at a time over HTTP, after a short warm-up that is not
 * counted. The ids cycle through `taskIds`; the list filter cycles through statuses and reward floors that all match
 * tasks in the traffic, so that every answer has rows to return.
 */
export async function measureQueries(url: string, taskIds: readonly bigint[], requests: number): Promise<QueryLatency> {
  if (taskIds.length === 0) throw new Error("No task ids to query.");
  const warmup = Math.min(50, requests);
  const filters = [
    { status: "Settled", minimumReward: "0" },
    { status: "Settled", minimumReward: parseEther("0.5").toString() },
    { status: "Cancelled", minimumReward: "0" },
    { status: "Expired", minimumReward: "0" },
  ];
  const timeById = async (index: number) => {
    const id = taskIds[(index * 7919) % taskIds.length]!.toString();
    const started = performance.now();
    const data = await graphql<{ task: { id: string } | null }>(url, TASK_BY_ID_QUERY, { id });
    const elapsed = performance.now() - started;
    if (data.task?.id !== id) throw new Error(`Task ${id} is missing from the indexer's answer.`);
    return elapsed;
  };
  const timeList = async (index: number) => {
    const filter = filters[index % filters.length]!;
    const started = performance.now();
    const data = await graphql<{ tasks: unknown[] }>(url, TASK_LIST_QUERY, filter);
    const elapsed = performance.now() - started;
    if (data.tasks.length === 0) throw new Error(`The list query returned no task for ${JSON.stringify(filter)}.`);
    return elapsed;
  };
  for (let index = 0; index < warmup; index++) {
    await timeById(index);
    await timeList(index);
  }
  const byId: number[] = [];
  for (let index = 0; index < requests; index++) byId.push(await timeById(index));
  const list: number[] = [];
  for (let index = 0; index < requests; index++) list.push(await timeList(index));
  return { byId: distribution(byId), list: distribution(list), warmupRequests: warmup };
}

/*//////////////////////////////////////////////////////////////
                             HEAD LATENCY
//////////////////////////////////////////////////////////////*/

export interface HeadLatencyOptions {
  rpc: JsonRpc;
  graphqlUrl: string;
  taskMarket: Address;
  taskMarketAbi: Abi;
  /** An account the node signs for (`eth_sendTransaction`): one of Hardhat's dev accounts. */
  sender: Address;
  blocks: number;
  /** The mining rhythm: one block every this many milliseconds. */
  intervalMs: number;
  /** How long an entity may take to appear before the run fails. */
  timeoutMs?: number;
  /** How often GraphQL is polled for the entity. */
  pollIntervalMs?: number;
}

export interface HeadLatency extends Distribution {
  intervalMs: number;
  pollIntervalMs: number;
  firstBlock: number;
  lastBlock: number;
}

/**
 * Mines `blocks` blocks at the given rhythm, each holding one `createTask`, and times from the moment `evm_mine`
 * returns (the block exists on the chain) until `task(id)` answers through GraphQL, polling at a fine interval. The
 * task's id is read from `nextTaskId` before its transaction is sent: one creation per block makes it certain.
 */
export async function measureHeadLatency(options: HeadLatencyOptions): Promise<HeadLatency> {
  const { rpc, graphqlUrl, taskMarket, taskMarketAbi, sender } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 5;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const capabilities: Hex[] = [keccak256(toHex("lang:solidity"))];
  const read = async (functionName: string): Promise<bigint> =>
    BigInt(
      await rpc.call<Hex>("eth_call", [
        { to: taskMarket, data: encodeFunctionData({ abi: taskMarketAbi, functionName }) },
        "latest",
      ]),
    );
  const feeBps = Number(await read("protocolFeeBps"));
  await rpc.call("evm_setAutomine", [false]);
  const samples: number[] = [];
  let firstBlock = 0;
  let lastBlock = 0;
  try {
    const started = performance.now();
    for (let index = 0; index < options.blocks; index++) {
      const taskId = await read("nextTaskId");
      const latest = await rpc.call<{ timestamp: Hex }>("eth_getBlockByNumber", ["latest", false]);
      const reward = parseEther("0.05");
      const terms: TaskTerms = {
        poster: sender,
        token: zeroAddress,
        reward,
        claimBond: reward / 10n,
        claimDeadline: Number(latest.timestamp) + 7 * 24 * 3600,
        executionWindow: 3 * 24 * 3600,
        reviewWindow: 2 * 24 * 3600,
        feeBps,
        executorKind: ExecutorKind.Any,
        verifier: zeroAddress,
        verifierFee: 0n,
        verifierConfigHash: zeroHash,
        capabilitiesHash: keccak256(concat(capabilities)),
        documentHash: keccak256(toHex(`head latency task ${index}`)),
        milestoneShares: NO_MILESTONES,
      };
      await rpc.call("eth_sendTransaction", [
        {
          from: sender,
          to: taskMarket,
          data: encodeFunctionData({
            abi: taskMarketAbi,
            functionName: "createTask",
            args: [terms, capabilities, `ipfs://bench-head/${index}`],
          }),
          value: hex(reward),
          gas: hex(450_000),
        },
      ]);
      // Keep the rhythm: mine at the next tick.
      const tick = started + (index + 1) * options.intervalMs;
      const wait = tick - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await rpc.call("evm_mine");
      const minedAt = performance.now();
      const number = await rpc.blockNumber();
      if (index === 0) firstBlock = number;
      lastBlock = number;
      const id = taskId.toString();
      for (;;) {
        const data = await graphql<{ task: { id: string } | null }>(graphqlUrl, `{ task(id: "${id}") { id } }`);
        if (data.task !== null) break;
        if (performance.now() - minedAt > timeoutMs) {
          throw new Error(`Task ${id} (block ${number}) was not visible through GraphQL ${timeoutMs} ms after mining.`);
        }
        await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
      }
      samples.push(performance.now() - minedAt);
    }
  } finally {
    await rpc.call("evm_setAutomine", [true]);
  }
  return { ...distribution(samples), intervalMs: options.intervalMs, pollIntervalMs, firstBlock, lastBlock };
}
