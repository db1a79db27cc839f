// One `eth_call` for a task's four views and the block they were read at. A node spends about as much on each call as
// on the work inside it, and a task read needs four views (`statusOf`, `stateOf`, `submissionOf`, `progressOf`): this
// sends creation code that makes the four calls from its constructor and returns their results with the block's
// number and time, so that one call answers them all. Nothing is deployed: an `eth_call` without `to` runs the code
// and returns what it returns, which every node supports (no multicall contract or state override needed).
//
// Returned, 32-byte words: statusOf (1), stateOf (5: the TaskState struct, all static), submissionOf (1), progressOf
// (3), block.number, block.timestamp. A call that fails, or answers with another size than its ABI says, reverts.
import { encodeFunctionData, type Address, type Hex } from "viem";

import { LruCache } from "../../../indexer/node/graphql/lru.ts";
import { taskMarketAbi } from "../../../src/protocol/abis.ts";

const VIEWS = [
  { functionName: "statusOf", words: 1 },
  { functionName: "stateOf", words: 5 },
  { functionName: "submissionOf", words: 1 },
  { functionName: "progressOf", words: 3 },
] as const;

/** Where the constructor builds each call's calldata; the results go from 0 up, well below it. */
const CALLDATA_AT = 0x1000;

const OP = {
  STOP: 0x00,
  EQ: 0x14,
  ISZERO: 0x15,
  RETURNDATASIZE: 0x3d,
  NUMBER: 0x43,
  TIMESTAMP: 0x42,
  MSTORE: 0x52,
  JUMPI: 0x57,
  GAS: 0x5a,
  JUMPDEST: 0x5b,
  PUSH1: 0x60,
  RETURN: 0xf3,
  STATICCALL: 0xfa,
  REVERT: 0xfd,
} as const;

function push(bytes: number[], value: bigint | number, size: number): void {
  bytes.push(OP.PUSH1 + size - 1);
  const hex = BigInt(value)
    .toString(16)
    .padStart(size * 2, "0");
  if (hex.length > size * 2) throw new RangeError(`${value} does not fit in ${size} bytes`);
  for (let index = 0; index < size; index++) {
    bytes.push(Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16));
  }
}

const built = new LruCache<string, Hex>(10_000);

/** The creation code reading task `taskId`'s views on the market at `market` (kept: the same for every read). */
export function liveTaskCallData(market: Address, taskId: bigint): Hex {
  const key = `${market}:${taskId}`;
  let data = built.get(key);
  if (data === undefined) {
    data = buildCallData(market, taskId);
    built.set(key, data);
  }
  return data;
}

function buildCallData(market: Address, taskId: bigint): Hex {
  const code: number[] = [];
  const revertJumps: number[] = [];
  const jumpToRevertIf = () => {
    // PUSH2 of the revert's offset, patched once the code is laid out.
    revertJumps.push(code.length + 1);
    push(code, 0, 2);
    code.push(OP.JUMPI);
  };
  let out = 0;
  for (const view of VIEWS) {
    const calldata = encodeFunctionData({ abi: taskMarketAbi, functionName: view.functionName, args: [taskId] });
    // selector (4 bytes) then the id (32): the second word overwrites all but the first four bytes of the first.
    push(code, BigInt(calldata.slice(0, 10)) << 224n, 32);
    push(code, CALLDATA_AT, 2);
    code.push(OP.MSTORE);
    push(code, taskId, 32);
    push(code, CALLDATA_AT + 4, 2);
    code.push(OP.MSTORE);
    // STATICCALL(gas, market, CALLDATA_AT, 36, out, size)
    const size = view.words * 32;
    push(code, size, 2);
    push(code, out, 2);
    push(code, 36, 1);
    push(code, CALLDATA_AT, 2);
    push(code, BigInt(market), 20);
    code.push(OP.GAS, OP.STATICCALL, OP.ISZERO);
    jumpToRevertIf();
    code.push(OP.RETURNDATASIZE);
    push(code, size, 2);
    code.push(OP.EQ, OP.ISZERO);
    jumpToRevertIf();
    out += size;
  }
  code.push(OP.NUMBER);
  push(code, out, 2);
  code.push(OP.MSTORE, OP.TIMESTAMP);
  push(code, out + 32, 2);
  code.push(OP.MSTORE);
  push(code, out + 64, 2);
  push(code, 0, 1);
  code.push(OP.RETURN);
  const revertAt = code.length;
  code.push(OP.JUMPDEST);
  push(code, 0, 1);
  push(code, 0, 1);
  code.push(OP.REVERT, OP.STOP);
  for (const at of revertJumps) {
    code[at] = revertAt >> 8;
    code[at + 1] = revertAt & 0xff;
  }
  return `0x${Buffer.from(code).toString("hex")}`;
}

export interface LiveTaskViews {
  /** Each view's return data, as the view itself would have answered an `eth_call`, by function name. */
  views: Record<(typeof VIEWS)[number]["functionName"], Hex>;
  /** The block the views were read at, as the code saw it. */
  blockNumber: number;
  blockTimestamp: number;
}

/** Splits what the code of {@link liveTaskCallData} returned into the views' own return data and the block. */
export function splitLiveTaskViews(data: Hex): LiveTaskViews {
  const words = VIEWS.reduce((total, view) => total + view.words, 0) + 2;
  if (data.length !== 2 + words * 64) throw new Error(`The task's views came back as ${(data.length - 2) / 2} bytes.`);
  const views = {} as LiveTaskViews["views"];
  let at = 2;
  for (const view of VIEWS) {
    views[view.functionName] = `0x${data.slice(at, at + view.words * 64)}`;
    at += view.words * 64;
  }
  return {
    views,
    blockNumber: Number(BigInt(`0x${data.slice(at, at + 64)}`)),
    blockTimestamp: Number(BigInt(`0x${data.slice(at + 64, at + 128)}`)),
  };
}
