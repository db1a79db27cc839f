// The chain source against a real local chain (`hardhat node`, a separate process): ERC-20 events spread over
// hundreds of blocks, some packed hundreds to a block with automining off, fetched through the source and compared
// with what eth_getLogs and eth_getBlockByNumber answer directly. A small JSON-RPC proxy in front of the chain plays
// the parts of real providers: it refuses large ranges with their error messages, fails transiently, answers wrongly,
// stalls, and reorganises the chain between two requests of one fetch.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { after, before, describe, it } from "node:test";

import { encodeDeployData, encodeFunctionData, toEventSelector, type Abi, type Address } from "viem";

import { ChainSource, ReorgDuringFetch, RpcError, type LogFilter } from "../../../indexer/node/chain/source.ts";
import type { ChainBlock, Hex, RpcBlock, RpcLog } from "../../../indexer/node/chain/types.ts";
import { startLocalChain, type LocalChain } from "../../../scripts/local-chain.ts";

const ARTIFACT = new URL("../../../artifacts/test/solidity/mocks/MockERC20.sol/MockERC20.json", import.meta.url);
const TRANSFER = toEventSelector("Transfer(address,address,uint256)");
const APPROVAL = toEventSelector("Approval(address,address,uint256)");
/** Transactions packed into each block mined with automining off. */
const TRANSACTIONS_PER_PACKED_BLOCK = 250;
const PACKED_BLOCKS = 12;
const AUTOMINED_TRANSACTIONS = 200;

interface JsonRpcRequest {
  jsonrpc: "2.0";
  id: number | string | null;
  method: string;
  params?: unknown[];
}

interface JsonRpcResponse {
  jsonrpc: "2.0";
  id: number | string | null;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

let chain: LocalChain;
let proxy: RpcProxy;
let token: Address;
/** A second token: its events share the topics but not the address, and must never show up. */
let otherToken: Address;
let accounts: Address[];
let abi: Abi;
let bytecode: Hex;
/** The dataset every reading test works on: blocks [firstBlock, lastBlock]. */
let firstBlock: number;
let lastBlock: number;
let transferFilter: LogFilter;

async function rpc<T>(method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(chain.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as JsonRpcResponse;
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

async function rpcBatch<T>(calls: { method: string; params: unknown[] }[]): Promise<T[]> {
  const response = await fetch(chain.rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(calls.map((call, id) => ({ jsonrpc: "2.0", id, ...call }))),
  });
  const answers = (await response.json()) as JsonRpcResponse[];
  const byId = new Map(answers.map((answer) => [answer.id, answer]));
  return calls.map((call, id) => {
    const answer = byId.get(id);
    if (!answer || answer.error) throw new Error(`${call.method}: ${answer?.error?.message ?? "no answer"}`);
    return answer.result as T;
  });
}

const hex = (value: number | bigint): Hex => `0x${value.toString(16)}`;

async function blockNumber(): Promise<number> {
  return Number(await rpc<Hex>("eth_blockNumber"));
}

async function deploy(name: string): Promise<Address> {
  const data = encodeDeployData({ abi, bytecode, args: [name, name, 18] });
  const hash = await rpc<Hex>("eth_sendTransaction", [{ from: accounts[0], data, gas: hex(3_000_000) }]);
  const receipt = await rpc<{ contractAddress: Address; status: Hex }>("eth_getTransactionReceipt", [hash]);
  assert.equal(receipt.status, "0x1");
  return receipt.contractAddress;
}

/** Sends one transaction per call from the first account; with automining off they wait for the next `evm_mine`. */
async function send(calls: { to: Address; data: Hex; from?: Address; value?: Hex }[]): Promise<Hex[]> {
  return await rpcBatch<Hex>(
    calls.map((call) => ({
      method: "eth_sendTransaction",
      params: [{ from: call.from ?? accounts[0], to: call.to, data: call.data, value: call.value, gas: hex(120_000) }],
    })),
  );
}

function mint(contract: Address, to: Address, amount: bigint): { to: Address; data: Hex } {
  return { to: contract, data: encodeFunctionData({ abi, functionName: "mint", args: [to, amount] }) };
}

function approve(contract: Address, spender: Address, amount: bigint): { to: Address; data: Hex } {
  return { to: contract, data: encodeFunctionData({ abi, functionName: "approve", args: [spender, amount] }) };
}

/** What the chain itself answers for the filter over [from, to], in one eth_getLogs request. */
async function directLogs(filter: LogFilter, from: number, to: number): Promise<RpcLog[]> {
  return await rpc<RpcLog[]>("eth_getLogs", [
    { fromBlock: hex(from), toBlock: hex(to), address: filter.addresses, topics: [filter.topics0] },
  ]);
}

async function directBlocks(numbers: number[]): Promise<RpcBlock[]> {
  return await rpcBatch<RpcBlock>(
    numbers.map((number) => ({ method: "eth_getBlockByNumber", params: [hex(number), true] })),
  );
}

/** Checks `blocks` against the chain's own answers: the same logs in the same order, the same full blocks. */
async function assertMatchesChain(blocks: ChainBlock[], filter: LogFilter, from: number, to: number): Promise<void> {
  const expected = await directLogs(filter, from, to);
  assert.ok(expected.length > 0, "the range should hold logs");
  assert.deepEqual(
    blocks.flatMap((block) => block.logs),
    expected,
  );
  const numbers = blocks.map((block) => Number(block.block.number));
  assert.deepEqual(numbers, [...new Set(expected.map((log) => Number(log.blockNumber)))]);
  assert.deepEqual(
    blocks.map((block) => block.block),
    await directBlocks(numbers),
  );
  for (const { block, logs } of blocks) {
    assert.ok(logs.every((log) => log.blockHash === block.hash));
    assert.ok(typeof block.transactions[0] === "object", "blocks carry full transactions");
    const hashes = new Set(block.transactions.map((transaction) => transaction.hash));
    assert.ok(logs.every((log) => hashes.has(log.transactionHash)));
  }
}

/** Reads [from, to] the way the indexer does: one call per suggested range, each starting where the last ended. */
async function readLikeTheIndexer(source: ChainSource, filter: LogFilter, from: number, to: number) {
  const blocks: ChainBlock[] = [];
  const ranges: number[] = [];
  for (let next = from; next <= to;) {
    const end = Math.min(to, next + source.nextRange() - 1);
    ranges.push(end - next + 1);
    blocks.push(...(await source.blocksWithLogs(filter, next, end)));
    next = end + 1;
  }
  return { blocks, ranges };
}

// -------------------------------------------------------------------------------------------------------------------
// The proxy

type ProxyReply =
  | { status?: number; headers?: Record<string, string>; body: unknown }
  /** Close the connection without an answer. */
  | "destroy"
  /** Never answer (until the proxy closes). */
  | "stall";

type Forward = (payload: JsonRpcRequest | JsonRpcRequest[]) => Promise<unknown>;
type ProxyHandler = (payload: JsonRpcRequest | JsonRpcRequest[], forward: Forward) => Promise<ProxyReply>;

/** A JSON-RPC endpoint on 127.0.0.1 in front of the chain; each test sets how it treats the requests. */
class RpcProxy {
  readonly url: string;
  readonly #server: Server;
  /** Every request it received (batches as lists), in order. */
  requests: (JsonRpcRequest | JsonRpcRequest[])[] = [];
  handler: ProxyHandler = async (payload, forward) => ({ body: await forward(payload) });

  private constructor(server: Server, url: string) {
    this.#server = server;
    this.url = url;
  }

  static async start(target: string): Promise<RpcProxy> {
    const forward: Forward = async (payload) => {
      const response = await fetch(target, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(payload),
      });
      return await response.json();
    };
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const proxy = new RpcProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on("request", (request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        const payload = JSON.parse(Buffer.concat(chunks).toString("utf8")) as JsonRpcRequest | JsonRpcRequest[];
        proxy.requests.push(payload);
        proxy.handler(payload, forward).then(
          (reply) => {
            if (reply === "stall") return;
            if (reply === "destroy") {
              request.socket.destroy();
              return;
            }
            response.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
            response.end(typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body));
          },
          (error: unknown) => {
            response.writeHead(500);
            response.end(String(error));
          },
        );
      });
    });
    return proxy;
  }

  reset(): void {
    this.requests = [];
    this.handler = async (payload, forward) => ({ body: await forward(payload) });
  }

  /** Every single request received, batches unpacked. */
  get calls(): JsonRpcRequest[] {
    return this.requests.flat();
  }

  count(method: string): number {
    return this.calls.filter((call) => call.method === method).length;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/**
 * A handler that decides request by request: `decide` returns the error (or result) to answer with, or undefined to
 * forward the request to the chain. Batches are answered item by item, forwarded items in one batch.
 */
function perRequest(
  decide: (request: JsonRpcRequest) => Promise<Omit<JsonRpcResponse, "jsonrpc" | "id"> | undefined> | undefined,
): ProxyHandler {
  return async (payload, forward) => {
    const requests = Array.isArray(payload) ? payload : [payload];
    const answers = new Map<JsonRpcRequest, unknown>();
    const forwarded: JsonRpcRequest[] = [];
    for (const request of requests) {
      const decision = await decide(request);
      if (decision === undefined) forwarded.push(request);
      else answers.set(request, { jsonrpc: "2.0", id: request.id, ...decision });
    }
    if (forwarded.length > 0) {
      const results = (await forward(forwarded)) as JsonRpcResponse[];
      for (const request of forwarded) {
        answers.set(
          request,
          results.find((result) => result.id === request.id),
        );
      }
    }
    const body = requests.map((request) => answers.get(request));
    return { body: Array.isArray(payload) ? body : body[0] };
  };
}

function logRange(request: JsonRpcRequest): { from: number; to: number } {
  const [filter] = request.params as [{ fromBlock: Hex; toBlock: Hex }];
  return { from: Number(filter.fromBlock), to: Number(filter.toBlock) };
}

/** The eth_getLogs requests among `calls` cover [from, to] exactly, each block once. */
function assertLogsAskedOnce(calls: readonly JsonRpcRequest[], from: number, to: number): void {
  const covered = calls
    .filter((call) => call.method === "eth_getLogs")
    .map(logRange)
    .sort((a, b) => a.from - b.from);
  assert.equal(covered[0].from, from);
  assert.equal(covered.at(-1)!.to, to);
  for (let index = 1; index < covered.length; index++) assert.equal(covered[index].from, covered[index - 1].to + 1);
}

// -------------------------------------------------------------------------------------------------------------------

before(async () => {
  assert.ok(existsSync(ARTIFACT), "The MockERC20 artifact is missing: run `npx hardhat build --no-tests` first.");
  const artifact = JSON.parse(readFileSync(ARTIFACT, "utf8")) as { abi: Abi; bytecode: Hex };
  abi = artifact.abi;
  bytecode = artifact.bytecode;

  chain = await startLocalChain();
  proxy = await RpcProxy.start(chain.rpcUrl);
  accounts = await rpc<Address[]>("eth_accounts");
  token = await deploy("Token");
  otherToken = await deploy("Other");
  firstBlock = (await blockNumber()) + 1;
  transferFilter = { addresses: [token], topics0: [TRANSFER] };

  // One event per block, with the other token's events and approvals in between, and stretches of empty blocks.
  for (let start = 0; start < AUTOMINED_TRANSACTIONS; start += 50) {
    const calls = [];
    for (let index = start; index < start + 50; index++) {
      calls.push(mint(token, accounts[1 + (index % 9)], BigInt(index + 1)));
      if (index % 3 === 0) calls.push(mint(otherToken, accounts[1], 1n));
      if (index % 5 === 0) calls.push(approve(token, accounts[2], BigInt(index)));
    }
    await send(calls);
    await rpc("hardhat_mine", [hex(37)]);
  }

  // Hundreds of events per block: the shape of a busy contract on a real chain.
  await rpc("evm_setAutomine", [false]);
  try {
    for (let block = 0; block < PACKED_BLOCKS; block++) {
      const calls = [];
      for (let index = 0; index < TRANSACTIONS_PER_PACKED_BLOCK; index++) {
        calls.push(mint(token, accounts[(block + index) % 10], BigInt(block * 1_000 + index)));
        if (index % 10 === 0) calls.push(approve(token, accounts[3], BigInt(index)));
        if (index % 25 === 0) calls.push(mint(otherToken, accounts[4], BigInt(index)));
      }
      await send(calls);
      await rpc("evm_mine");
      if (block % 4 === 3) await rpc("hardhat_mine", [hex(100)]);
    }
  } finally {
    await rpc("evm_setAutomine", [true]);
  }
  lastBlock = await blockNumber();
  const packed = await directBlocks([lastBlock - 100]);
  assert.ok(packed[0].transactions.length > TRANSACTIONS_PER_PACKED_BLOCK, "the packed blocks hold every transaction");
});

after(async () => {
  await proxy?.close();
  await chain?.stop();
});

describe("ChainSource.blocksWithLogs", () => {
  it("returns exactly the logs eth_getLogs gives, in order, with their full blocks", async () => {
    const source = new ChainSource({ rpcUrl: chain.rpcUrl });
    try {
      const blocks = await source.blocksWithLogs(transferFilter, firstBlock, lastBlock);
      assert.equal(
        blocks.reduce((sum, block) => sum + block.logs.length, 0),
        AUTOMINED_TRANSACTIONS + PACKED_BLOCKS * TRANSACTIONS_PER_PACKED_BLOCK,
      );
      await assertMatchesChain(blocks, transferFilter, firstBlock, lastBlock);
    } finally {
      source.close();
    }
  });

  it("gives the same answer when read range by range from a small initial range, fetching ahead", async () => {
    const source = new ChainSource({ rpcUrl: chain.rpcUrl, initialRange: 8, batchSize: 7 });
    try {
      await source.head();
      const { blocks, ranges } = await readLikeTheIndexer(source, transferFilter, firstBlock, lastBlock);
      await assertMatchesChain(blocks, transferFilter, firstBlock, lastBlock);
      assert.equal(ranges[0], 8);
      assert.ok(Math.max(...ranges) > 8, `the range grows on quick small answers: ${ranges.join(", ")}`);
    } finally {
      source.close();
    }
  });

  it("fetches each block once and asks for the logs of each block once", async () => {
    proxy.reset();
    const source = new ChainSource({ rpcUrl: proxy.url, initialRange: 64, batchSize: 10 });
    try {
      await source.head();
      const { blocks } = await readLikeTheIndexer(source, transferFilter, firstBlock, lastBlock);
      const fullBlocks = proxy.calls.filter(
        (call) => call.method === "eth_getBlockByNumber" && (call.params as unknown[])[1] === true,
      );
      assert.deepEqual(
        fullBlocks.map((call) => Number((call.params as Hex[])[0])).sort((a, b) => a - b),
        blocks.map((block) => Number(block.block.number)),
      );
      assertLogsAskedOnce(proxy.calls, firstBlock, lastBlock);
      // Batches: many blocks per HTTP request.
      assert.ok(proxy.requests.filter(Array.isArray).length >= Math.ceil(blocks.length / 10));
    } finally {
      source.close();
    }
  });

  it("returns a range with many logs in two parts, the rest loading while the first is processed", async () => {
    proxy.reset();
    const source = new ChainSource({ rpcUrl: proxy.url, initialRange: 100_000, firstPartLogs: 500 });
    try {
      await source.head();
      const first = await source.nextBlocks(transferFilter, firstBlock, lastBlock);
      assert.ok(first.to < lastBlock, `the first part ends early, at ${first.to}`);
      assert.equal(Number(first.blocks.at(-1)!.block.number), first.to, "at its last block with logs");
      const firstLogs = first.blocks.reduce((sum, block) => sum + block.logs.length, 0);
      assert.ok(firstLogs >= 500 && firstLogs < 1_000, `about 500 logs first: ${firstLogs}`);
      assert.equal(source.nextRange(), lastBlock - first.to, "the rest is what is fetched ahead");
      const rest = await source.nextBlocks(transferFilter, first.to + 1, lastBlock);
      assert.equal(rest.to, lastBlock);
      await assertMatchesChain([...first.blocks, ...rest.blocks], transferFilter, firstBlock, lastBlock);
      // The logs of each block asked for once, and every block fetched once.
      assertLogsAskedOnce(proxy.calls, firstBlock, lastBlock);
      const fullBlocks = proxy.calls.filter(
        (call) => call.method === "eth_getBlockByNumber" && (call.params as unknown[])[1] === true,
      );
      assert.equal(fullBlocks.length, first.blocks.length + rest.blocks.length);
      // A range with fewer logs comes whole, and blocksWithLogs never splits.
      const few = new ChainSource({ rpcUrl: chain.rpcUrl, firstPartLogs: 5_000 });
      const whole = await few.nextBlocks(transferFilter, firstBlock, lastBlock);
      few.close();
      assert.equal(whole.to, lastBlock);
      const unsplit = new ChainSource({ rpcUrl: chain.rpcUrl, firstPartLogs: 1 });
      assert.equal((await unsplit.blocksWithLogs(transferFilter, firstBlock, lastBlock)).length, whole.blocks.length);
      unsplit.close();
    } finally {
      source.close();
    }
  });

  it("filters by every address and topic given, and by nothing else", async () => {
    const source = new ChainSource({ rpcUrl: chain.rpcUrl });
    try {
      const filter: LogFilter = { addresses: [token, otherToken], topics0: [TRANSFER, APPROVAL] };
      const blocks = await source.blocksWithLogs(filter, firstBlock, lastBlock);
      await assertMatchesChain(blocks, filter, firstBlock, lastBlock);
      const logs = blocks.flatMap((block) => block.logs);
      assert.ok(logs.some((log) => log.address === otherToken.toLowerCase()));
      assert.ok(logs.some((log) => log.topics[0] === APPROVAL));

      const approvals = await source.blocksWithLogs({ addresses: [token], topics0: [APPROVAL] }, firstBlock, lastBlock);
      assert.ok(approvals.flatMap((block) => block.logs).every((log) => log.topics[0] === APPROVAL));

      // A range without matching logs: nothing, not an error.
      assert.deepEqual(await source.blocksWithLogs(transferFilter, 0, firstBlock - 3), []);
    } finally {
      source.close();
    }
  });

  it("rejects bad input with a clear error", async () => {
    const source = new ChainSource({ rpcUrl: chain.rpcUrl });
    try {
      await assert.rejects(
        source.blocksWithLogs({ addresses: [], topics0: [TRANSFER] }, 0, 1),
        /at least one contract address/,
      );
      await assert.rejects(
        source.blocksWithLogs({ addresses: [token], topics0: [] }, 0, 1),
        /at least one event topic/,
      );
      await assert.rejects(
        source.blocksWithLogs({ addresses: ["0x1234"], topics0: [TRANSFER] }, 0, 1),
        /not a 20-byte hex address/,
      );
      await assert.rejects(source.blocksWithLogs(transferFilter, 5, 4), /empty/);
      await assert.rejects(source.blocksWithLogs(transferFilter, -1, 4), /non-negative integer/);
      await assert.rejects(source.blocksWithLogs(transferFilter, 0, lastBlock + 1_000), /beyond the chain head/);
      assert.throws(() => new ChainSource({ rpcUrl: "ws://127.0.0.1:1" }), /http or https/);
      assert.throws(() => new ChainSource({ rpcUrl: chain.rpcUrl, initialRange: 0 }), /initial block range/);
      assert.throws(() => new ChainSource({ rpcUrl: chain.rpcUrl, batchSize: 0 }), /batch size/);
    } finally {
      source.close();
    }
  });

  it("measures its throughput", async (context) => {
    const events = AUTOMINED_TRANSACTIONS + PACKED_BLOCKS * TRANSACTIONS_PER_PACKED_BLOCK;
    const blocks = lastBlock - firstBlock + 1;
    const measure = async (label: string, read: (source: ChainSource) => Promise<unknown>) => {
      const source = new ChainSource({ rpcUrl: chain.rpcUrl });
      try {
        await source.head();
        const started = performance.now();
        await read(source);
        const seconds = (performance.now() - started) / 1000;
        context.diagnostic(
          `${label}: ${events} events in ${blocks} blocks (${PACKED_BLOCKS + AUTOMINED_TRANSACTIONS} with events) ` +
            `in ${(seconds * 1000).toFixed(0)} ms: ${Math.round(events / seconds)} events/s, ${Math.round(blocks / seconds)} blocks/s`,
        );
        return events / seconds;
      } finally {
        source.close();
      }
    };
    await measure("one call", (source) => source.blocksWithLogs(transferFilter, firstBlock, lastBlock));
    const rate = await measure("range by range", (source) =>
      readLikeTheIndexer(source, transferFilter, firstBlock, lastBlock),
    );
    // The node serializing full blocks is most of the cost, and it varies with the machine's load; this floor is far
    // below what the source does even on a loaded machine, and far above what fetching blocks one by one would give.
    assert.ok(rate > 1_000, `${Math.round(rate)} events/s`);
  });
});

describe("ChainSource against a provider with limits", () => {
  it("splits refused ranges, follows range hints, retries transient failures, and gives the same answer", async () => {
    proxy.reset();
    const maxSpan = 40;
    // More than any one block holds (a single block cannot be split), less than the packed blocks hold together.
    const maxResults = 400;
    const refusals: string[] = [];
    const injected: string[] = [];
    // Each distinct request fails at most once, so that no retry limit is reached by bad luck: what is tested is that
    // every kind of failure is retried, and that the answer comes out whole.
    const failedOnce = new Set<string>();
    const key = (request: JsonRpcRequest) => JSON.stringify([request.method, request.params]);
    const mayFail = (payload: JsonRpcRequest | JsonRpcRequest[]) => {
      const requests = Array.isArray(payload) ? payload : [payload];
      if (requests.some((request) => failedOnce.has(key(request)))) return false;
      for (const request of requests) failedOnce.add(key(request));
      return true;
    };
    const messages = [
      { code: -32602, message: `block range too large, max range: ${maxSpan}` },
      { code: -32005, message: "limit exceeded" },
      { code: -32000, message: `eth_getLogs is limited to a ${maxSpan} range` },
    ];
    let blockRequest = 0;
    const limited = perRequest(async (request) => {
      if (request.method === "eth_getBlockByNumber" && ++blockRequest % 9 === 0 && mayFail(request)) {
        injected.push("item rate limit");
        return { error: { code: -32005, message: "rate limit exceeded, retry later" } };
      }
      if (request.method !== "eth_getLogs") return undefined;
      const { from, to } = logRange(request);
      if (to - from + 1 > maxSpan) {
        refusals.push("span");
        return { error: messages[refusals.length % messages.length] };
      }
      const logs = await directLogs(transferFilter, from, to);
      if (logs.length > maxResults) {
        refusals.push("results");
        const suggestion = `[${hex(from)}, ${hex(from + 1)}]`;
        return {
          error: {
            code: -32005,
            message: `query returned more than ${maxResults} results. Try with this block range ${suggestion}.`,
          },
        };
      }
      return undefined;
    });
    let httpRequest = 0;
    let dropsDue = 0;
    proxy.handler = async (payload, forward) => {
      httpRequest++;
      if (httpRequest % 7 === 0 && mayFail(payload)) {
        injected.push("503");
        return { status: 503, body: "Service Unavailable" };
      }
      if (httpRequest % 11 === 0 && mayFail(payload)) {
        injected.push("429");
        return {
          status: 429,
          headers: { "retry-after": "0" },
          body: { jsonrpc: "2.0", id: null, error: { code: 429, message: "Too many requests" } },
        };
      }
      if (httpRequest % 13 === 0 && mayFail(payload)) {
        injected.push("reset");
        return "destroy";
      }
      // Every 17th request a dropped item falls due, and the next batch of several requests gets it: which requests
      // are batches depends on how they interleave.
      if (httpRequest % 17 === 0) dropsDue++;
      if (dropsDue > 0 && Array.isArray(payload) && payload.length > 1 && mayFail(payload[0])) {
        dropsDue--;
        // Some endpoints drop requests from a batch answer instead of answering them with an error.
        injected.push("dropped item");
        const answer = (await forward(payload)) as JsonRpcResponse[];
        return { body: answer.filter((item) => item.id !== payload[0].id) };
      }
      return await limited(payload, forward);
    };
    const logLines: string[] = [];
    const source = new ChainSource({
      rpcUrl: proxy.url,
      initialRange: 1_000,
      batchSize: 16,
      retryBaseDelayMs: 1,
      logger: (line) => logLines.push(line),
    });
    try {
      await source.head();
      const { blocks } = await readLikeTheIndexer(source, transferFilter, firstBlock, lastBlock);
      await assertMatchesChain(blocks, transferFilter, firstBlock, lastBlock);
      assert.ok(refusals.includes("span") && refusals.includes("results"), refusals.join(", "));
      for (const kind of ["503", "429", "reset", "item rate limit", "dropped item"]) {
        assert.ok(injected.includes(kind), `no ${kind} was injected`);
      }
      assert.ok(source.nextRange() <= maxSpan, `the provider's span limit holds afterwards: ${source.nextRange()}`);
      assert.ok(logLines.some((line) => /asking for \d+ blocks/.test(line)));
      assert.ok(logLines.some((line) => /retrying in/.test(line)));
      assert.ok(
        logLines.every((line) => !line.includes(proxy.url)),
        "the endpoint URL is never logged",
      );
    } finally {
      source.close();
    }
  });

  it("takes the range a provider suggests instead of halving", async () => {
    proxy.reset();
    proxy.handler = perRequest(async (request) => {
      if (request.method !== "eth_getLogs") return undefined;
      const { from, to } = logRange(request);
      if (to - from + 1 <= 3) return undefined;
      return {
        error: {
          code: -32602,
          message: `Log response size exceeded. Based on your parameters, this block range should work: [${hex(from)}, ${hex(from + 2)}]`,
        },
      };
    });
    const source = new ChainSource({ rpcUrl: proxy.url, initialRange: 1_000 });
    try {
      const from = firstBlock + 10;
      const blocks = await source.blocksWithLogs(transferFilter, from, from + 5);
      const spans = proxy.calls.filter((call) => call.method === "eth_getLogs").map((call) => logRange(call));
      assert.deepEqual(
        spans.map(({ from: start, to }) => to - start + 1),
        [6, 3, 3],
      );
      await assertMatchesChain(blocks, transferFilter, from, from + 5);
    } finally {
      source.close();
    }
  });

  it("sends smaller batches to an endpoint that refuses large ones, and remembers", async () => {
    proxy.reset();
    const maxBatch = 3;
    const sizes: number[] = [];
    proxy.handler = async (payload, forward) => {
      if (Array.isArray(payload)) {
        sizes.push(payload.length);
        if (payload.length > 8) return { status: 413, body: "Payload Too Large" };
        if (payload.length > maxBatch) {
          return { body: { jsonrpc: "2.0", id: null, error: { code: -32600, message: "batch too large" } } };
        }
      }
      return { body: await forward(payload) };
    };
    const logLines: string[] = [];
    const source = new ChainSource({ rpcUrl: proxy.url, batchSize: 20, logger: (line) => logLines.push(line) });
    try {
      const blocks = await source.blocksWithLogs(transferFilter, firstBlock, firstBlock + 150);
      await assertMatchesChain(blocks, transferFilter, firstBlock, firstBlock + 150);
      const refused = sizes.findIndex((size) => size > maxBatch);
      const firstAccepted = sizes.findIndex((size, index) => index > refused && size <= maxBatch);
      assert.ok(refused >= 0 && firstAccepted > refused);
      // Once the endpoint has shown its limit, later batches are sent within it.
      const later = sizes.slice(sizes.findLastIndex((size) => size > maxBatch) + 1);
      assert.ok(later.length > 3 && later.every((size) => size <= maxBatch), sizes.join(", "));
      assert.ok(
        logLines.some((line) => /at most 3 at a time/.test(line)),
        logLines.join("\n"),
      );
    } finally {
      source.close();
    }
  });

  it("sends a batch that timed out again in smaller pieces", async () => {
    proxy.reset();
    proxy.handler = async (payload, forward) => {
      if (Array.isArray(payload) && payload.length > 4) return "stall";
      return { body: await forward(payload) };
    };
    const source = new ChainSource({ rpcUrl: proxy.url, batchSize: 16, requestTimeoutMs: 300, retryBaseDelayMs: 1 });
    try {
      const blocks = await source.blocksWithLogs(transferFilter, firstBlock, firstBlock + 30);
      await assertMatchesChain(blocks, transferFilter, firstBlock, firstBlock + 30);
      const sizes = proxy.requests.filter(Array.isArray).map((batch) => batch.length);
      assert.ok(sizes.includes(16) && sizes.includes(4), sizes.join(", "));
    } finally {
      source.close();
    }
  });

  it("shrinks the range when eth_getLogs times out", async () => {
    proxy.reset();
    proxy.handler = async (payload, forward) => {
      if (!Array.isArray(payload) && payload.method === "eth_getLogs") {
        const { from, to } = logRange(payload);
        if (to - from + 1 > 20) return "stall";
      }
      return { body: await forward(payload) };
    };
    const source = new ChainSource({ rpcUrl: proxy.url, initialRange: 100, requestTimeoutMs: 300 });
    try {
      const blocks = await source.blocksWithLogs(transferFilter, firstBlock, firstBlock + 99);
      await assertMatchesChain(blocks, transferFilter, firstBlock, firstBlock + 99);
      assert.ok(source.nextRange() <= 20 * 2);
    } finally {
      source.close();
    }
  });
});

describe("ChainSource errors", () => {
  it("throws an RpcError once the retries are exhausted, never retrying forever", async () => {
    proxy.reset();
    proxy.handler = async () => ({ status: 503, body: "Service Unavailable" });
    const source = new ChainSource({ rpcUrl: proxy.url, retries: 3, retryBaseDelayMs: 1 });
    try {
      const error = await source.head().then(
        () => assert.fail("head() should fail"),
        (error: unknown) => error,
      );
      assert.ok(error instanceof RpcError);
      assert.equal(error.method, "eth_getBlockByNumber");
      assert.equal(error.httpStatus, 503);
      assert.equal(error.attempts, 4);
      assert.match(error.message, /eth_getBlockByNumber failed after 4 attempts: HTTP 503/);
      assert.equal(proxy.requests.length, 4);
    } finally {
      source.close();
    }
  });

  it("does not retry an error that will not pass, and keeps its code", async () => {
    proxy.reset();
    proxy.handler = perRequest(async (request) =>
      request.method === "eth_chainId"
        ? { error: { code: -32601, message: "the method eth_chainId does not exist" } }
        : undefined,
    );
    const source = new ChainSource({ rpcUrl: proxy.url, retryBaseDelayMs: 1 });
    try {
      await assert.rejects(source.chainId(), (error: unknown) => {
        assert.ok(error instanceof RpcError);
        assert.equal(error.code, -32601);
        assert.equal(error.attempts, 1);
        return true;
      });
      assert.equal(proxy.requests.length, 1);
    } finally {
      source.close();
    }
  });

  it("fails when the endpoint cannot be reached", async () => {
    const closed = await RpcProxy.start(chain.rpcUrl);
    await closed.close();
    const source = new ChainSource({ rpcUrl: closed.url, retries: 2, retryBaseDelayMs: 1 });
    try {
      await assert.rejects(source.chainId(), (error: unknown) => {
        assert.ok(error instanceof RpcError);
        assert.equal(error.kind, "network");
        assert.equal(error.attempts, 3);
        assert.match(error.message, /ECONNREFUSED/);
        return true;
      });
    } finally {
      source.close();
    }
  });

  it("aborts the requests under way when closed", async () => {
    proxy.reset();
    proxy.handler = async () => "stall";
    const source = new ChainSource({ rpcUrl: proxy.url });
    const pending = source.head();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    source.close();
    await assert.rejects(pending, (error: unknown) => error instanceof RpcError && error.kind === "closed");
    assert.ok(performance.now() - started < 1_000);
  });

  it("never skips a block the node fails to return", async () => {
    proxy.reset();
    const missing = lastBlock - 101;
    proxy.handler = perRequest(async (request) =>
      request.method === "eth_getBlockByNumber" &&
      Number((request.params as Hex[])[0]) === missing &&
      request.params![1]
        ? { result: null }
        : undefined,
    );
    const source = new ChainSource({ rpcUrl: proxy.url, retries: 2, retryBaseDelayMs: 1 });
    try {
      await assert.rejects(source.blocksWithLogs(transferFilter, missing - 5, missing + 5), (error: unknown) => {
        assert.ok(error instanceof RpcError);
        assert.match(error.message, new RegExp(`no block ${missing}`));
        assert.equal(error.attempts, 3);
        return true;
      });
    } finally {
      source.close();
    }
  });

  it("rejects an answer that breaks the filter or the range", async () => {
    proxy.reset();
    proxy.handler = async (payload, forward) => {
      const answer = await forward(payload);
      if (!Array.isArray(payload) && payload.method === "eth_getLogs") {
        const logs = (answer as JsonRpcResponse).result as RpcLog[];
        logs.push({ ...logs[0], address: otherToken.toLowerCase() as Hex });
      }
      return { body: answer };
    };
    const source = new ChainSource({ rpcUrl: proxy.url });
    try {
      await assert.rejects(
        source.blocksWithLogs(transferFilter, firstBlock, firstBlock + 50),
        /which the filter does not match/,
      );
    } finally {
      source.close();
    }
  });

  it("gives up on a provider that refuses even a single block", async () => {
    proxy.reset();
    proxy.handler = perRequest(async (request) =>
      request.method === "eth_getLogs"
        ? { error: { code: -32005, message: "query returned more than 10000 results" } }
        : undefined,
    );
    const source = new ChainSource({ rpcUrl: proxy.url, initialRange: 16 });
    try {
      await assert.rejects(
        source.blocksWithLogs(transferFilter, firstBlock, firstBlock + 15),
        /refuses even the single block/,
      );
      assert.equal(proxy.count("eth_getLogs"), 5); // 16, 8, 4, 2, 1
    } finally {
      source.close();
    }
  });
});

describe("ChainSource and reorgs", () => {
  it("throws ReorgDuringFetch when a block changes between its logs and its fetch", async () => {
    const snapshot = await rpc<Hex>("evm_snapshot");
    const from = (await blockNumber()) + 1;
    for (let index = 0; index < 5; index++) await send([mint(token, accounts[5], 1n)]);
    const to = await blockNumber();

    proxy.reset();
    let reorganised = false;
    proxy.handler = async (payload, forward) => {
      const requests = Array.isArray(payload) ? payload : [payload];
      if (
        !reorganised &&
        requests.some((request) => request.method === "eth_getBlockByNumber" && request.params![1] === true)
      ) {
        reorganised = true;
        // The chain switches to another branch of the same height, with other events in it.
        await rpc("evm_revert", [snapshot]);
        for (let index = 0; index < 5; index++) await send([mint(token, accounts[6], 2n)]);
      }
      return { body: await forward(payload) };
    };
    const source = new ChainSource({ rpcUrl: proxy.url, prefetch: false });
    try {
      await assert.rejects(source.blocksWithLogs(transferFilter, from, to), ReorgDuringFetch);
      assert.ok(reorganised);
      // Asked again, the answer is the new branch.
      const blocks = await source.blocksWithLogs(transferFilter, from, to);
      await assertMatchesChain(blocks, transferFilter, from, to);
      assert.ok(
        blocks
          .flatMap((block) => block.logs)
          .every((log) => log.topics[2].endsWith(accounts[6].slice(2).toLowerCase())),
      );
    } finally {
      source.close();
    }
  });

  it("notices a reorg of blocks without logs through the last block of the range", async () => {
    const from = (await blockNumber()) + 1;
    await send([mint(token, accounts[5], 1n)]);
    const snapshot = await rpc<Hex>("evm_snapshot");
    await rpc("hardhat_mine", [hex(3)]);
    const to = await blockNumber();

    proxy.reset();
    let reorganised = false;
    proxy.handler = async (payload, forward) => {
      const answer = await forward(payload);
      const requests = Array.isArray(payload) ? payload : [payload];
      if (
        !reorganised &&
        requests.some((request) => request.method === "eth_getBlockByNumber" && request.params![1] === true)
      ) {
        // After the block with the log is fetched, the empty blocks after it are replaced.
        reorganised = true;
        await rpc("evm_revert", [snapshot]);
        await send([{ to: accounts[7], data: "0x", value: hex(1) }]);
        await rpc("hardhat_mine", [hex(2)]);
      }
      return { body: answer };
    };
    const source = new ChainSource({ rpcUrl: proxy.url, prefetch: false });
    try {
      await assert.rejects(source.blocksWithLogs(transferFilter, from, to), (error: unknown) => {
        assert.ok(error instanceof ReorgDuringFetch);
        assert.equal(error.block, to);
        return true;
      });
      assert.ok(reorganised);
    } finally {
      source.close();
    }
  });

  it("checks a range fetched ahead against the chain again when it is taken", async () => {
    const from = (await blockNumber()) + 1;
    for (let index = 0; index < 4; index++) await send([mint(token, accounts[8], 3n)]);
    const middle = await blockNumber();
    const snapshot = await rpc<Hex>("evm_snapshot");
    for (let index = 0; index < 4; index++) await send([mint(token, accounts[8], 4n)]);
    const to = await blockNumber();

    const source = new ChainSource({ rpcUrl: chain.rpcUrl, initialRange: middle - from + 1 });
    try {
      await source.head();
      await source.blocksWithLogs(transferFilter, from, middle);
      assert.equal(source.nextRange(), to - middle, "the rest of the chain is fetched ahead");
      // Give the fetch ahead time to finish, then replace what it fetched.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await rpc("evm_revert", [snapshot]);
      for (let index = 0; index < 4; index++) await send([mint(token, accounts[9], 5n)]);
      await assert.rejects(source.blocksWithLogs(transferFilter, middle + 1, to), ReorgDuringFetch);
      const blocks = await source.blocksWithLogs(transferFilter, middle + 1, to);
      await assertMatchesChain(blocks, transferFilter, middle + 1, to);
    } finally {
      source.close();
    }
  });
});

describe("ChainSource headers", () => {
  it("reads the head and any header, and null past the head", async () => {
    const source = new ChainSource({ rpcUrl: chain.rpcUrl });
    try {
      assert.equal(await source.chainId(), chain.chainId);
      const head = await source.head();
      const block = await rpc<RpcBlock>("eth_getBlockByNumber", ["latest", false]);
      assert.deepEqual(head, {
        number: Number(block.number),
        hash: block.hash,
        parentHash: block.parentHash,
        timestamp: Number(block.timestamp),
      });
      const parent = await source.header(head.number - 1);
      assert.equal(parent?.hash, head.parentHash);
      assert.equal(await source.header(head.number + 1_000), null);
    } finally {
      source.close();
    }
  });

  it("refuses every call once closed", async () => {
    const source = new ChainSource({ rpcUrl: chain.rpcUrl });
    source.close();
    await assert.rejects(source.head(), /closed/);
    await assert.rejects(source.blocksWithLogs(transferFilter, 0, 1), /closed/);
  });
});

describe("ChainSource on the blocks hardhat_mine reserves", () => {
  it("gives each its parent's hash, which the node reports as zero, so the chain still links", async () => {
    const own = await startLocalChain();
    const source = new ChainSource({ rpcUrl: own.rpcUrl });
    try {
      const call = async (method: string, params: unknown[]) => {
        const response = await fetch(own.rpcUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
        });
        return ((await response.json()) as { result: RpcBlock }).result;
      };
      // 1,000 blocks in one call: the node reserves them and reports a zero parent hash for the ones in between.
      await call("hardhat_mine", ["0x3e8", "0xc"]);
      const raw = await call("eth_getBlockByNumber", ["0x1f4", false]);
      assert.equal(raw.parentHash, `0x${"0".repeat(64)}`, "the node no longer reports a zero parent hash here");

      for (const number of [1, 500, 501, 999, 1000]) {
        const header = (await source.header(number))!;
        const parent = (await source.header(number - 1))!;
        assert.equal(header.parentHash, parent.hash, `block ${number}`);
      }
      const head = await source.head();
      assert.equal(head.number, 1000);
      assert.equal(head.parentHash, (await source.header(999))!.hash);
    } finally {
      source.close();
      await own.stop();
    }
  });
});
