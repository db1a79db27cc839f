/**
 * Counts the events the indexed contracts emitted, straight from the chain with `eth_getLogs`: the denominator of every
 * backfill figure, the same for our node and for Ponder.
 */
import { decodeEventLog, toEventSelector, type Abi, type AbiEvent, type Address, type Hex } from "viem";

import { hex, type JsonRpc } from "./rpc.js";

export interface RpcLog {
  address: Address;
  topics: Hex[];
  data: Hex;
  blockNumber: Hex;
  transactionHash: Hex;
  logIndex: Hex;
}

export interface EventCount {
  total: number;
  /** `Contract.Event` → count; `Contract.<unknown topic>` for a log no ABI describes. */
  byEvent: Record<string, number>;
  /** Blocks holding at least one of the counted logs. */
  blocksWithEvents: number;
  fromBlock: number;
  toBlock: number;
}

export interface IndexedContract {
  name: string;
  address: Address;
  abi: Abi;
}

/** How many blocks one `eth_getLogs` call covers: small enough that a response stays a few megabytes. */
const LOG_RANGE = 2_000;

export async function countEvents(
  rpc: JsonRpc,
  contracts: readonly IndexedContract[],
  fromBlock: number,
  toBlock: number,
): Promise<EventCount> {
  const names = new Map<string, string>();
  const eventNames = new Map<string, Map<string, string>>();
  for (const contract of contracts) {
    const address = contract.address.toLowerCase();
    names.set(address, contract.name);
    eventNames.set(address, eventSelectors(contract.abi));
  }
  const byEvent: Record<string, number> = {};
  const blocks = new Set<string>();
  let total = 0;
  for (let start = fromBlock; start <= toBlock; start += LOG_RANGE) {
    const end = Math.min(toBlock, start + LOG_RANGE - 1);
    const logs = await rpc.call<RpcLog[]>("eth_getLogs", [
      { fromBlock: hex(start), toBlock: hex(end), address: contracts.map((contract) => contract.address) },
    ]);
    for (const log of logs) {
      const address = log.address.toLowerCase();
      const contract = names.get(address);
      if (contract === undefined) continue;
      const event = eventNames.get(address)!.get(log.topics[0] ?? "") ?? "<unknown topic>";
      const key = `${contract}.${event}`;
      byEvent[key] = (byEvent[key] ?? 0) + 1;
      blocks.add(log.blockNumber);
      total++;
    }
  }
  return { total, byEvent: sortedRecord(byEvent), blocksWithEvents: blocks.size, fromBlock, toBlock };
}

export interface ChainReadFloor {
  /** Milliseconds to read every log of the indexed contracts and every block holding one, with its transactions. */
  ms: number;
  blocksRead: number;
  logsRead: number;
}

/**
 * How long the chain itself takes to hand over what any indexer must read for a backfill: the logs of the indexed
 * contracts (`eth_getLogs` in ranges) and each block holding one, with its transactions (`eth_getBlockByNumber`,
 * a few at a time). A floor for both backfills on this chain, reported beside them.
 */
export async function measureChainRead(
  rpc: JsonRpc,
  addresses: readonly Address[],
  fromBlock: number,
  toBlock: number,
): Promise<ChainReadFloor> {
  const started = performance.now();
  const blocks = new Set<number>();
  let logsRead = 0;
  for (let start = fromBlock; start <= toBlock; start += LOG_RANGE) {
    const end = Math.min(toBlock, start + LOG_RANGE - 1);
    const logs = await rpc.call<RpcLog[]>("eth_getLogs", [
      { fromBlock: hex(start), toBlock: hex(end), address: addresses },
    ]);
    logsRead += logs.length;
    for (const log of logs) blocks.add(Number(log.blockNumber));
  }
  const pending = [...blocks];
  const reader = async () => {
    for (let block = pending.pop(); block !== undefined; block = pending.pop()) {
      await rpc.call("eth_getBlockByNumber", [hex(block), true]);
    }
  };
  await Promise.all(Array.from({ length: 4 }, reader));
  return { ms: performance.now() - started, blocksRead: blocks.size, logsRead };
}

/** topic0 → event name, for every event of `abi`. */
export function eventSelectors(abi: Abi): Map<string, string> {
  const selectors = new Map<string, string>();
  for (const item of abi) {
    if (item.type === "event") selectors.set(toEventSelector(item as AbiEvent), item.name);
  }
  return selectors;
}

/** Decodes a log with `abi`, or returns undefined when no event of the ABI matches it. */
export function decodeLog(abi: Abi, log: Pick<RpcLog, "topics" | "data">) {
  try {
    return decodeEventLog({ abi, topics: log.topics as [Hex, ...Hex[]], data: log.data });
  } catch {
    return undefined;
  }
}

function sortedRecord(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
