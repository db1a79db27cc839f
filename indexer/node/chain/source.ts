// The chain source of the local graph node: what the indexer knows of the chain comes through here. It asks any
// Ethereum JSON-RPC endpoint for the logs a subgraph handles (eth_getLogs over adaptive block ranges) and for the
// blocks those logs are in (eth_getBlockByNumber with full transactions, in JSON-RPC batches), and hands them over in
// chain order, checked for consistency.
//
// Throughput comes from overlapping the round trips: blocks load in concurrent batches while the logs of the next
// piece of the range are asked for, and once a range is returned the next one (up to the head known at the time) is
// fetched while the indexer runs the handlers of this one. No block is fetched twice, unless the chain changed under
// the first fetch.
//
// Consistency: every answer is taken from one chain or thrown away. Each log's block hash must be the hash of the
// block fetched for it, and the hash of the last block of the range is read before the logs are asked for and again
// before the range is returned: a reorg that touches any block of the range changes it, even in blocks without logs.
// Either check failing throws `ReorgDuringFetch`, and the caller asks again.
import { performance } from "node:perf_hooks";

import type { BlockHeader } from "../store/types.ts";
import { AdaptiveRange, rangeRefusal } from "./ranges.ts";
import { JsonRpcClient, RpcError, type RpcRequest } from "./rpc.ts";
import type { ChainBlock, Hex, RpcBlock, RpcLog } from "./types.ts";

export { RpcError } from "./rpc.ts";
export { ChainDiscontinuity, assertLinks, firstBreak, linksTo } from "./linkage.ts";

/** The logs a subgraph handles: emitted by one of `addresses` with one of `topics0` as their first topic. */
export interface LogFilter {
  addresses: Hex[];
  topics0: Hex[];
}

export interface ChainSourceOptions {
  /** The JSON-RPC endpoint (http or https). It may hold an API key: it is never logged. */
  rpcUrl: string;
  /** The block span of the first eth_getLogs request. Default: 1,000. */
  initialRange?: number;
  /** The largest block span an eth_getLogs request grows to. Default: 50,000. */
  maxRange?: number;
  /** Blocks per JSON-RPC batch request. Default: 100. */
  batchSize?: number;
  /** How long one HTTP request may take, answer included. Default: 30 s. */
  requestTimeoutMs?: number;
  /** How many times a transiently failing request is sent again before its error is thrown. Default: 5. */
  retries?: number;
  /** The first pause before a retry; each further retry doubles it (up to 10 s). Default: 500 ms. */
  retryBaseDelayMs?: number;
  /**
   * Fetch the next range while the caller processes this one. Default: true. Only ranges up to the last head seen are
   * fetched ahead, and they are checked against the chain again when taken.
   */
  prefetch?: boolean;
  /**
   * {@link ChainSource.nextBlocks} returns a range with more logs than this in two parts, the first holding about
   * this many. Default: 2,000.
   */
  firstPartLogs?: number;
  /** Receives one line per retry, refused range, and discarded prefetch. */
  logger?: (message: string) => void;
}

/** The chain changed while a range was being fetched: the answer mixes two chains. Ask again. */
export class ReorgDuringFetch extends Error {
  override name = "ReorgDuringFetch";
  /** The block where the change showed. */
  readonly block: number;

  constructor(block: number, message: string) {
    super(message);
    this.block = block;
  }
}

const DEFAULT_INITIAL_RANGE = 1_000;
const DEFAULT_MAX_RANGE = 50_000;
const DEFAULT_BATCH_SIZE = 100;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 5;
const DEFAULT_RETRY_BASE_DELAY_MS = 500;
/** Block batches in flight at once, across the range being fetched and the one fetched ahead. */
const CONCURRENT_BATCHES = 4;
/**
 * A batch of blocks closes once its blocks hold this many logs, even below the batch size. Every log's transaction
 * is in its block, so busy blocks are heavy: smaller batches of them keep answers moderate and let the first ones be
 * read while the node serializes the next.
 */
const BATCH_LOGS = 1_000;
/**
 * A range with more logs than this is returned in two parts by {@link ChainSource.nextBlocks}: the blocks holding
 * about this many logs first, for the caller to process while the rest loads. Without it, the first range of a
 * backfill (nothing fetched ahead yet) would be loaded whole before any handler runs.
 */
const DEFAULT_FIRST_PART_LOGS = 2_000;
/** Splitting a range, the first eth_getLogs asks for this fraction of it (see {@link ChainSource.nextBlocks}). */
const FIRST_SPAN_PARTS = 8;

const HASH = /^0x[0-9a-fA-F]{64}$/;
const ZERO_HASH = `0x${"0".repeat(64)}`;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const QUANTITY = /^0x[0-9a-fA-F]+$/;

/** A filter checked and in canonical form: lowercase, without duplicates, sorted. */
interface NormalizedFilter {
  key: string;
  addresses: Hex[];
  topics0: Hex[];
  addressSet: ReadonlySet<string>;
  topicSet: ReadonlySet<string>;
}

/** The logs of one block, as eth_getLogs returned them, before the block is fetched. */
interface LogGroup {
  number: number;
  /** Lowercase. */
  hash: string;
  logs: RpcLog[];
}

/**
 * A fetched range: its blocks with logs, and the hash that block `tip` (the last block of the range asked for, which
 * may lie beyond a first part returned early) had before the logs were asked for.
 */
interface FetchedRange {
  from: number;
  to: number;
  tip: number;
  tipHash: string;
  blocks: ChainBlock[];
}

interface Prefetch {
  filterKey: string;
  from: number;
  to: number;
  result: Promise<FetchedRange>;
}

export class ChainSource {
  readonly #rpc: JsonRpcClient;
  readonly #ranges: AdaptiveRange;
  readonly #batchSize: number;
  readonly #retries: number;
  readonly #prefetchEnabled: boolean;
  readonly #firstPartLogs: number;
  readonly #log: (message: string) => void;
  readonly #slots = new Slots(CONCURRENT_BATCHES);
  #chainId: number | undefined;
  /** The head as last seen: what may be fetched ahead. */
  #knownHead = -1;
  #prefetch: Prefetch | undefined;
  #closed = false;

  constructor(options: ChainSourceOptions) {
    const initial = options.initialRange ?? DEFAULT_INITIAL_RANGE;
    this.#ranges = new AdaptiveRange(initial, options.maxRange ?? Math.max(initial, DEFAULT_MAX_RANGE));
    this.#batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isSafeInteger(this.#batchSize) || this.#batchSize < 1) {
      throw new Error(`The batch size must be a positive integer, got ${options.batchSize}.`);
    }
    this.#retries = options.retries ?? DEFAULT_RETRIES;
    this.#prefetchEnabled = options.prefetch ?? true;
    this.#firstPartLogs = options.firstPartLogs ?? DEFAULT_FIRST_PART_LOGS;
    if (!Number.isSafeInteger(this.#firstPartLogs) || this.#firstPartLogs < 1) {
      throw new Error(`firstPartLogs must be a positive integer, got ${options.firstPartLogs}.`);
    }
    this.#log = options.logger ?? (() => {});
    this.#rpc = new JsonRpcClient({
      url: options.rpcUrl,
      timeoutMs: options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      retries: this.#retries,
      retryBaseDelayMs: options.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS,
      logger: this.#log,
    });
  }

  async chainId(): Promise<number> {
    this.#assertOpen();
    this.#chainId ??= quantity(await this.#rpc.call<unknown>("eth_chainId", []), "eth_chainId", "chain id");
    return this.#chainId;
  }

  /** The latest block header (eth_getBlockByNumber("latest", false)). */
  async head(): Promise<BlockHeader> {
    this.#assertOpen();
    const block = await this.#rpc.call<unknown>("eth_getBlockByNumber", ["latest", false]);
    if (block === null) {
      throw new RpcError("eth_getBlockByNumber", "the node has no latest block", { kind: "invalid", transient: false });
    }
    const header = await this.#withParentHash(headerOf(block, "latest"));
    this.#knownHead = header.number;
    return header;
  }

  /** The header of block `number`, or null when the chain has no such block (yet). */
  async header(number: number): Promise<BlockHeader | null> {
    this.#assertOpen();
    assertBlockNumber(number, "block number");
    const block = await this.#rpc.call<unknown>("eth_getBlockByNumber", [toQuantity(number), false]);
    if (block === null) return null;
    const header = await this.#withParentHash(headerOf(block, number));
    this.#knownHead = Math.max(this.#knownHead, header.number);
    return header;
  }

  /**
   * The header with its parent's hash read by number when the node reports none for a block after genesis: Hardhat's
   * EDR answers a zero parent hash for the blocks `hardhat_mine` reserves (all but the last of a batch), and a zero
   * parent hash never matches the indexed block, so every such block would look like a reorg. (Reserved blocks are
   * empty: the blocks with logs never need this.)
   */
  async #withParentHash(header: BlockHeader): Promise<BlockHeader> {
    if (header.number === 0 || header.parentHash !== ZERO_HASH) return header;
    const parent = await this.#rpc.call<unknown>("eth_getBlockByNumber", [toQuantity(header.number - 1), false]);
    // Gone meanwhile: the chain changed, and the zero parent hash left as it is makes the indexer look for a reorg.
    if (parent === null) return header;
    return { ...header, parentHash: headerOf(parent, header.number - 1).hash };
  }

  /**
   * Every block in [from, to] that has logs matching the filter, each with its full block (transactions included)
   * and its matching logs in log-index order; blocks in ascending order.
   *
   * Throws `ReorgDuringFetch` when the chain changed under the fetch (the caller asks again), `RpcError` when the
   * endpoint fails past its retries or answers wrongly, and `Error` for a range beyond the chain head.
   */
  async blocksWithLogs(filter: LogFilter, from: number, to: number): Promise<ChainBlock[]> {
    return (await this.#blocksWithLogs(filter, from, to, Number.POSITIVE_INFINITY)).blocks;
  }

  /**
   * {@link blocksWithLogs}, except that a range with many logs may come back in parts: the result's `to` says where
   * this part ends, and the next call, from `to + 1`, takes the rest, which loads meanwhile.
   */
  async nextBlocks(filter: LogFilter, from: number, to: number): Promise<{ blocks: ChainBlock[]; to: number }> {
    return this.#blocksWithLogs(filter, from, to, this.#prefetchEnabled ? this.#firstPartLogs : Infinity);
  }

  async #blocksWithLogs(
    filter: LogFilter,
    from: number,
    to: number,
    firstPartLogs: number,
  ): Promise<{ blocks: ChainBlock[]; to: number }> {
    this.#assertOpen();
    assertBlockNumber(from, "first block");
    assertBlockNumber(to, "last block");
    if (to < from) throw new Error(`The block range ${from}–${to} is empty: the last block comes before the first.`);
    const normalized = normalizeFilter(filter);
    if (to > this.#knownHead) {
      const head = await this.head();
      if (to > head.number) throw new Error(`Block ${to} is beyond the chain head ${head.number}.`);
    }

    const parts: FetchedRange[] = [];
    const ahead = this.#takePrefetch(normalized.key, from);
    if (ahead !== undefined) {
      try {
        const fetched = await ahead.result;
        if (fetched.to > to) {
          // The caller wants less than was fetched ahead: keep the rest for its next call.
          const rest = fetched.blocks.filter((block) => blockNumber(block) > to);
          this.#prefetch = {
            filterKey: normalized.key,
            from: to + 1,
            to: fetched.to,
            result: Promise.resolve({ ...fetched, from: to + 1, blocks: rest }),
          };
          parts.push({ ...fetched, to, blocks: fetched.blocks.filter((block) => blockNumber(block) <= to) });
        } else {
          parts.push(fetched);
        }
      } catch (error) {
        if (this.#closed) throw error;
        this.#log(
          `Fetching blocks ${ahead.from}–${ahead.to} ahead failed (${(error as Error).message}); fetching again.`,
        );
      }
    }
    const next = parts.length === 0 ? from : parts[0].to + 1;
    if (next <= to)
      parts.push(await this.#fetchRange(normalized, next, to, parts.length === 0 ? firstPartLogs : Infinity));
    await this.#verifyTips(parts);

    const blocks = parts.length === 1 ? parts[0].blocks : parts.flatMap((part) => part.blocks);
    const end = parts.at(-1)!.to;
    if (this.#prefetch === undefined) this.#startPrefetch(normalized, end + 1);
    return { blocks, to: end };
  }

  /**
   * The block span to ask for next, from what recent eth_getLogs answers showed: it grows while answers are quick and
   * small and shrinks on refusals ("too many results", "block range too large") and timeouts. While a range fetched
   * ahead waits to be taken, its span, so that the next call takes it whole.
   */
  nextRange(): number {
    const ahead = this.#prefetch;
    return ahead === undefined ? this.#ranges.current : ahead.to - ahead.from + 1;
  }

  /** Aborts every request under way; every later call throws. */
  close(): void {
    this.#closed = true;
    this.#prefetch = undefined;
    this.#rpc.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("The chain source is closed.");
  }

  #takePrefetch(filterKey: string, from: number): Prefetch | undefined {
    const ahead = this.#prefetch;
    this.#prefetch = undefined;
    if (ahead === undefined) return undefined;
    if (ahead.filterKey === filterKey && ahead.from === from) return ahead;
    // Another range or filter than expected (a reorg moved the caller back, say): what was fetched ahead is useless.
    this.#log(`Discarding blocks ${ahead.from}–${ahead.to} fetched ahead: the next call asked for block ${from}.`);
    return undefined;
  }

  #startPrefetch(filter: NormalizedFilter, from: number): void {
    // Near the head there is nothing settled to fetch ahead: the caller asks for new blocks as they come.
    if (!this.#prefetchEnabled || this.#closed || from > this.#knownHead) return;
    const to = Math.min(this.#knownHead, from + this.#ranges.current - 1);
    const result = this.#fetchRange(filter, from, to);
    // Its failure is handled when it is taken (it is fetched again) or never matters (it is discarded).
    result.catch(() => {});
    this.#prefetch = { filterKey: filter.key, from, to, result };
  }

  /**
   * Fetches the blocks with logs in [from, to], remembering the hash block `to` had before the logs were read. With a
   * finite `firstPartLogs`, once the logs read come to that many and more of the range follows, only the blocks
   * holding them come back (the result's `to` is the last of them); the rest goes on loading as the range fetched
   * ahead.
   */
  async #fetchRange(
    filter: NormalizedFilter,
    from: number,
    to: number,
    firstPartLogs = Infinity,
  ): Promise<FetchedRange> {
    const tip = await this.header(to);
    if (tip === null) throw new ReorgDuringFetch(to, `Block ${to} is no longer on the chain.`);
    const loader = this.#loader();
    // Splitting, the logs are first asked for over an eighth of the range: a first part is then in hand after a
    // smaller answer (the provider and the JSON parse take time in proportion), and the rest follows.
    let spanEnd = Number.isFinite(firstPartLogs)
      ? Math.min(to, from + Math.ceil((to - from + 1) / FIRST_SPAN_PARTS) - 1)
      : to;
    let logs = 0;
    for (let cursor = from; cursor <= to;) {
      const { groups, end } = await this.#nextLogs(filter, loader, cursor, spanEnd);
      spanEnd = to;
      const split = firstPartEnd(groups, firstPartLogs - logs, end < to);
      if (split !== undefined && this.#prefetch === undefined) {
        // The first part's blocks load first; the rest, as what is fetched ahead, right behind them.
        const last = groups[split]!.number;
        loader.load(groups.slice(0, split + 1));
        const restLoader = this.#loader();
        restLoader.load(groups.slice(split + 1));
        const rest = this.#finishRange(filter, restLoader, last + 1, end + 1, to, tip.hash);
        // Its failure is handled when it is taken (it is fetched again) or never matters (it is discarded).
        rest.catch(() => {});
        this.#prefetch = { filterKey: filter.key, from: last + 1, to, result: rest };
        return { from, to: last, tip: to, tipHash: tip.hash, blocks: await loader.finish() };
      }
      loader.load(groups);
      for (const group of groups) logs += group.logs.length;
      cursor = end + 1;
    }
    return { from, to, tip: to, tipHash: tip.hash, blocks: await loader.finish() };
  }

  #loader(): BlockLoader {
    return new BlockLoader(this.#rpc, this.#slots, this.#batchSize, async () => (await this.head()).number);
  }

  /** The logs of the next span from `cursor`, grouped by block, and where the span ended. */
  async #nextLogs(
    filter: NormalizedFilter,
    loader: BlockLoader,
    cursor: number,
    to: number,
  ): Promise<{ groups: LogGroup[]; end: number }> {
    loader.throwIfFailed();
    const { logs, end, durationMs } = await this.#getLogs(filter, cursor, to);
    const groups = groupLogs(logs, cursor, end, filter);
    this.#ranges.answered(end - cursor + 1, logs.length, groups.length, durationMs);
    return { groups, end };
  }

  /** Reads the logs of [cursor, to] into `loader` and returns the range [from, to] once all its blocks are in. */
  async #finishRange(
    filter: NormalizedFilter,
    loader: BlockLoader,
    from: number,
    cursor: number,
    to: number,
    tipHash: string,
  ): Promise<FetchedRange> {
    while (cursor <= to) {
      const { groups, end } = await this.#nextLogs(filter, loader, cursor, to);
      loader.load(groups);
      cursor = end + 1;
    }
    return { from, to, tip: to, tipHash, blocks: await loader.finish() };
  }

  /** One eth_getLogs answer for a span starting at `from`, as long as the provider accepts, up to `to`. */
  async #getLogs(
    filter: NormalizedFilter,
    from: number,
    to: number,
  ): Promise<{ logs: unknown[]; end: number; durationMs: number }> {
    let span = Math.min(this.#ranges.current, to - from + 1);
    let timeouts = 0;
    for (;;) {
      const end = from + span - 1;
      const started = performance.now();
      try {
        const logs = await this.#rpc.call<unknown>(
          "eth_getLogs",
          [
            {
              fromBlock: toQuantity(from),
              toBlock: toQuantity(end),
              address: filter.addresses,
              topics: [filter.topics0],
            },
          ],
          { retryTimeouts: false, handledByCaller: (error) => lighterRangeMayHelp(error) },
        );
        if (!Array.isArray(logs)) {
          throw new RpcError("eth_getLogs", "the result is not a list", { kind: "invalid", transient: false });
        }
        return { logs, end, durationMs: performance.now() - started };
      } catch (error) {
        if (!(error instanceof RpcError) || !lighterRangeMayHelp(error)) throw error;
        const previous = span;
        if (error.kind === "response") {
          if (span === 1) {
            throw new RpcError("eth_getLogs", `the node refuses even the single block ${from}: ${error.reason}`, {
              kind: error.kind,
              code: error.code,
              data: error.data,
              httpStatus: error.httpStatus,
              transient: false,
            });
          }
          span = this.#ranges.refused(span, rangeRefusal(error.code, error.reason)!);
        } else {
          // A timeout may be the range or the endpoint being down: shrink, but not forever.
          if (++timeouts > this.#retries) throw error.withAttempts(timeouts);
          span = this.#ranges.timedOut(span);
        }
        this.#log(`eth_getLogs for ${previous} blocks from ${from}: ${error.reason}; asking for ${span} blocks.`);
      }
    }
  }

  /** Checks that the last block of each part still has the hash it had before the part's logs were read. */
  async #verifyTips(parts: FetchedRange[]): Promise<void> {
    const requests = parts.map((part) => ({ method: "eth_getBlockByNumber", params: [toQuantity(part.tip), false] }));
    const answers = await this.#rpc.batch<unknown>(requests);
    for (const [index, part] of parts.entries()) {
      if (answers[index] === null) {
        throw new ReorgDuringFetch(
          part.tip,
          `Block ${part.tip} left the chain while blocks ${part.from}–${part.to} were fetched.`,
        );
      }
      const now = headerOf(answers[index], part.tip);
      if (now.hash !== part.tipHash) {
        throw new ReorgDuringFetch(
          part.tip,
          `Block ${part.tip} changed from ${part.tipHash} to ${now.hash} while blocks ${part.from}–${part.to} were fetched.`,
        );
      }
    }
  }
}

/**
 * Loads the blocks of log groups in batches, several batches at a time, while the caller goes on reading logs. The
 * first failure stops the loading; `finish` throws it.
 */
class BlockLoader {
  readonly #rpc: JsonRpcClient;
  readonly #slots: Slots;
  readonly #batchSize: number;
  readonly #headNumber: () => Promise<number>;
  readonly #batches: Promise<ChainBlock[]>[] = [];
  #failure: unknown;

  constructor(rpc: JsonRpcClient, slots: Slots, batchSize: number, headNumber: () => Promise<number>) {
    this.#rpc = rpc;
    this.#slots = slots;
    this.#batchSize = batchSize;
    this.#headNumber = headNumber;
  }

  load(groups: LogGroup[]): void {
    let batch: LogGroup[] = [];
    let logs = 0;
    for (const group of groups) {
      batch.push(group);
      logs += group.logs.length;
      if (batch.length === this.#batchSize || logs >= BATCH_LOGS) {
        this.#send(batch);
        batch = [];
        logs = 0;
      }
    }
    if (batch.length > 0) this.#send(batch);
  }

  #send(batch: LogGroup[]): void {
    const loaded = this.#slots.run(() => this.#loadBatch(batch));
    loaded.catch((error: unknown) => (this.#failure ??= error));
    this.#batches.push(loaded);
  }

  throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  async finish(): Promise<ChainBlock[]> {
    const batches = await Promise.all(this.#batches);
    return batches.length === 1 ? batches[0] : batches.flat();
  }

  async #loadBatch(groups: LogGroup[]): Promise<ChainBlock[]> {
    // A batch queued behind one that failed is not sent: the range is lost anyway.
    this.throwIfFailed();
    const requests: RpcRequest[] = groups.map((group) => ({
      method: "eth_getBlockByNumber",
      params: [toQuantity(group.number), true],
    }));
    let blocks: unknown[];
    try {
      blocks = await this.#rpc.batch<unknown>(requests, {
        // A node behind a load balancer may not have the block yet: asking again may reach one that has.
        validate: (result, request) =>
          result === null
            ? `the node has no block ${Number(request.params[0])}, though it returned its logs`
            : undefined,
      });
    } catch (error) {
      if (error instanceof RpcError && error.kind === "invalid") {
        // The block went missing for good: if the head went below it, the chain was reorganised to a shorter one.
        const headNumber = await this.#headNumber();
        if (headNumber < groups[groups.length - 1].number) {
          throw new ReorgDuringFetch(
            headNumber + 1,
            `The chain head went back to block ${headNumber} during the fetch.`,
          );
        }
      }
      throw error;
    }
    return groups.map((group, index) => checkBlock(group, blocks[index]));
  }
}

/** A counting semaphore: at most `size` tasks run at once, the others wait in order. */
class Slots {
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#free = size;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}

/**
 * The index of the last log group of a first part holding at least `partLogs` logs, when more of the range comes
 * after it (further groups, or `more` blocks beyond the answer); undefined otherwise.
 */
function firstPartEnd(groups: readonly LogGroup[], partLogs: number, more: boolean): number | undefined {
  if (!Number.isFinite(partLogs)) return undefined;
  let logs = 0;
  for (let index = 0; index < groups.length; index++) {
    logs += groups[index]!.logs.length;
    if (logs >= partLogs) return index < groups.length - 1 || more ? index : undefined;
  }
  return undefined;
}

/** Whether asking for fewer blocks may get the answer the provider just refused. */
function lighterRangeMayHelp(error: RpcError): boolean {
  if (error.kind === "timeout") return true;
  // A gateway that gave up waiting for the node behind it.
  if (error.kind === "http" && error.httpStatus === 504) return true;
  return error.kind === "response" && rangeRefusal(error.code, error.reason) !== undefined;
}

/** Checks one eth_getLogs answer and groups it by block, blocks ascending, logs by log index. */
function groupLogs(answer: unknown[], from: number, to: number, filter: NormalizedFilter): LogGroup[] {
  const groups = new Map<number, LogGroup & { indexes: number[] }>();
  for (const item of answer) {
    const log = checkLog(item);
    const number = quantity(log.blockNumber, "eth_getLogs", "log block number");
    if (number < from || number > to) {
      throw invalid("eth_getLogs", `it returned a log of block ${number}, outside the requested ${from}–${to}`);
    }
    if (log.removed === true) {
      throw new ReorgDuringFetch(number, `The node reports a log of block ${number} as removed by a reorg.`);
    }
    if (!filter.addressSet.has(log.address.toLowerCase()) || !filter.topicSet.has(log.topics[0]?.toLowerCase() ?? "")) {
      throw invalid(
        "eth_getLogs",
        `it returned a log of ${log.address} with topic ${log.topics[0]}, which the filter does not match`,
      );
    }
    const hash = log.blockHash.toLowerCase();
    let group = groups.get(number);
    if (group === undefined) {
      group = { number, hash, logs: [], indexes: [] };
      groups.set(number, group);
    } else if (group.hash !== hash) {
      throw new ReorgDuringFetch(
        number,
        `The logs of block ${number} come from two blocks, ${group.hash} and ${hash}.`,
      );
    }
    group.logs.push(log);
    group.indexes.push(quantity(log.logIndex, "eth_getLogs", "log index"));
  }
  const sorted = [...groups.values()].sort((a, b) => a.number - b.number);
  return sorted.map(({ number, hash, logs, indexes }) => {
    let ordered = true;
    for (let index = 1; index < indexes.length; index++) {
      if (indexes[index] <= indexes[index - 1]) ordered = false;
    }
    if (!ordered) {
      const order = indexes.map((_, position) => position).sort((a, b) => indexes[a] - indexes[b]);
      for (let position = 1; position < order.length; position++) {
        if (indexes[order[position]] === indexes[order[position - 1]]) {
          throw invalid("eth_getLogs", `it returned log ${indexes[order[position]]} of block ${number} twice`);
        }
      }
      logs = order.map((position) => logs[position]);
    }
    return { number, hash, logs };
  });
}

function checkLog(item: unknown): RpcLog {
  const log = item as RpcLog;
  if (
    typeof item !== "object" ||
    item === null ||
    typeof log.address !== "string" ||
    !ADDRESS.test(log.address) ||
    !Array.isArray(log.topics) ||
    typeof log.blockHash !== "string" ||
    !HASH.test(log.blockHash) ||
    typeof log.transactionHash !== "string" ||
    !HASH.test(log.transactionHash)
  ) {
    throw invalid("eth_getLogs", `it returned a malformed log ${JSON.stringify(item).slice(0, 300)}`);
  }
  return log;
}

/** Checks a full block fetched for a log group against its logs. */
function checkBlock(group: LogGroup, answer: unknown): ChainBlock {
  const header = headerOf(answer, group.number);
  const block = answer as RpcBlock;
  if (header.hash !== group.hash) {
    throw new ReorgDuringFetch(
      group.number,
      `Block ${group.number} is ${header.hash} now, but its logs came from ${group.hash}.`,
    );
  }
  if (!Array.isArray(block.transactions)) {
    throw invalid("eth_getBlockByNumber", `block ${group.number} has no transaction list`);
  }
  const hashes = new Set<string>();
  for (const transaction of block.transactions) {
    if (typeof transaction !== "object" || transaction === null || typeof transaction.hash !== "string") {
      throw invalid("eth_getBlockByNumber", `block ${group.number} lists transactions without their content`);
    }
    hashes.add(transaction.hash.toLowerCase());
  }
  for (const log of group.logs) {
    if (!hashes.has(log.transactionHash.toLowerCase())) {
      throw invalid(
        "eth_getBlockByNumber",
        `block ${group.number} does not hold transaction ${log.transactionHash} of log ${log.logIndex}`,
      );
    }
  }
  return { block, logs: group.logs };
}

/** A block header from a JSON-RPC block object; `expected` is the number asked for. */
function headerOf(answer: unknown, expected: number | "latest"): BlockHeader {
  const block = answer as RpcBlock;
  const label = expected === "latest" ? "the latest block" : `block ${expected}`;
  if (typeof answer !== "object" || answer === null) {
    throw invalid("eth_getBlockByNumber", `${label} is ${JSON.stringify(answer)}, not a block`);
  }
  if (typeof block.hash !== "string" || !HASH.test(block.hash)) {
    throw invalid("eth_getBlockByNumber", `${label} has no valid hash (a pending block?)`);
  }
  if (typeof block.parentHash !== "string" || !HASH.test(block.parentHash)) {
    throw invalid("eth_getBlockByNumber", `${label} has no valid parent hash`);
  }
  const number = quantity(block.number, "eth_getBlockByNumber", "block number");
  if (expected !== "latest" && number !== expected) {
    throw invalid("eth_getBlockByNumber", `asked for block ${expected}, it returned block ${number}`);
  }
  return {
    number,
    hash: block.hash.toLowerCase() as Hex,
    parentHash: block.parentHash.toLowerCase() as Hex,
    timestamp: quantity(block.timestamp, "eth_getBlockByNumber", "block timestamp"),
  };
}

function blockNumber(block: ChainBlock): number {
  return Number(block.block.number);
}

function normalizeFilter(filter: LogFilter): NormalizedFilter {
  if (!Array.isArray(filter?.addresses) || filter.addresses.length === 0) {
    // An empty address list would match the logs of every contract on the chain.
    throw new Error("The log filter needs at least one contract address.");
  }
  if (!Array.isArray(filter.topics0) || filter.topics0.length === 0) {
    // An empty topic list would match every event of those contracts.
    throw new Error("The log filter needs at least one event topic.");
  }
  for (const address of filter.addresses) {
    if (typeof address !== "string" || !ADDRESS.test(address)) {
      throw new Error(`The log filter's address ${JSON.stringify(address)} is not a 20-byte hex address.`);
    }
  }
  for (const topic of filter.topics0) {
    if (typeof topic !== "string" || !HASH.test(topic)) {
      throw new Error(`The log filter's topic ${JSON.stringify(topic)} is not a 32-byte hex value.`);
    }
  }
  const addresses = [...new Set(filter.addresses.map((address) => address.toLowerCase() as Hex))].sort();
  const topics0 = [...new Set(filter.topics0.map((topic) => topic.toLowerCase() as Hex))].sort();
  return {
    key: `${addresses.join(",")}|${topics0.join(",")}`,
    addresses,
    topics0,
    addressSet: new Set(addresses),
    topicSet: new Set(topics0),
  };
}

function assertBlockNumber(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`The ${what} must be a non-negative integer, got ${value}.`);
  }
}

function quantity(value: unknown, method: string, what: string): number {
  if (typeof value !== "string" || !QUANTITY.test(value)) {
    throw invalid(method, `the ${what} ${JSON.stringify(value)} is not a hex quantity`);
  }
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw invalid(method, `the ${what} ${value} is too large`);
  return number;
}

function toQuantity(value: number): Hex {
  return `0x${value.toString(16)}`;
}

function invalid(method: string, reason: string): RpcError {
  return new RpcError(method, reason, { kind: "invalid", transient: false });
}
