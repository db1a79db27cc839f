// The indexing loop: follows the chain from the subgraph's start block to the head and then block by block, runs the
// mapping handlers of every matching log in chain order, commits the entity changes in batches, undoes reorgs, and
// stops at the first handler failure, as graph-node does, leaving the data up to the block before it queryable.
import { setImmediate, setTimeout as sleep } from "node:timers/promises";

import type { ChainBlock, Hex, RpcBlock } from "./chain/types.ts";
import { ReorgDuringFetch, type ChainSource, type LogFilter } from "./chain/source.ts";
import { HandlerError, type MappingRuntime } from "./runtime/index.ts";
import type { EntityStore } from "./store/entity-store.ts";
import type { BlockHeader } from "./store/types.ts";
import type { DataSource, EventHandler, Subgraph } from "./subgraph.ts";

export interface IndexerOptions {
  /** How often to ask for a new head once caught up. */
  pollIntervalMs: number;
  /** How far back a reorg may reach before the node gives up (graph-node's reorg threshold plays this part). */
  maxReorgDepth: number;
  /**
   * While backfilling, a batch is committed once the commit before it has ended and at least this long after it
   * began: the database works on one batch while the handlers produce the next, and batches stay large enough to
   * write efficiently (each commit closes again the versions that the one before it opened).
   */
  minCommitIntervalMs: number;
  /**
   * The most blocks with changes that may wait for the database: at this many, the loop waits for the commit under
   * way and commits them before it goes on.
   */
  commitEveryBlocks: number;
  log: (level: "info" | "warning" | "error", message: string) => void;
}

/** How long handlers run before the loop lets other work (database replies, chain answers) through. */
const YIELD_EVERY_MS = 2;

/** What the store is reverted to when nothing indexed survives: every entity goes. */
const BEFORE_GENESIS: BlockHeader = {
  number: -1,
  hash: `0x${"0".repeat(64)}`,
  parentHash: `0x${"0".repeat(64)}`,
  timestamp: 0,
};

export type IndexerState = "starting" | "backfilling" | "following" | "failed" | "stopped";

interface Route {
  dataSource: DataSource;
  handler: EventHandler;
}

export class Indexer {
  readonly #subgraph: Subgraph;
  readonly #source: ChainSource;
  readonly #runtime: MappingRuntime;
  readonly #store: EntityStore;
  readonly #options: IndexerOptions;
  /** Handlers by `address:topic0`, in manifest order (graph-node runs them in that order for one log). */
  readonly #routes = new Map<string, Route[]>();
  readonly #filter: LogFilter;
  readonly #waiters = new Set<{ block: number; resolve: () => void }>();
  #state: IndexerState = "starting";
  #stopping = false;
  #fatal: Error | undefined;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  /**
   * The commit under way, if any. The loop does not wait for a commit: it goes on fetching and running handlers
   * while the database writes, and waits only before the next commit, a revert, or going idle.
   */
  #commit: Promise<void> | undefined;
  /** Whether the commit in `#commit` is still writing. */
  #committing = false;
  /** When the last commit began (`performance.now()`). */
  #lastCommitStart = Number.NEGATIVE_INFINITY;
  /** How the last commit failed, until the loop takes notice. */
  #commitError: { error: unknown } | undefined;

  constructor(
    subgraph: Subgraph,
    source: ChainSource,
    runtime: MappingRuntime,
    store: EntityStore,
    options: IndexerOptions,
  ) {
    this.#subgraph = subgraph;
    this.#source = source;
    this.#runtime = runtime;
    this.#store = store;
    this.#options = options;
    const addresses = new Set<Hex>();
    const topics = new Set<Hex>();
    for (const dataSource of subgraph.dataSources) {
      addresses.add(dataSource.address);
      for (const handler of dataSource.eventHandlers) {
        topics.add(handler.topic0);
        const key = `${dataSource.address}:${handler.topic0}`;
        const routes = this.#routes.get(key) ?? [];
        routes.push({ dataSource, handler });
        this.#routes.set(key, routes);
      }
    }
    this.#filter = { addresses: [...addresses], topics0: [...topics] };
  }

  get state(): IndexerState {
    return this.#state;
  }

  /** The last error that interrupted the loop (not a handler failure, which is data: see the store's failure). */
  get fatalError(): Error | undefined {
    return this.#fatal;
  }

  start(): void {
    if (this.#loop) return;
    this.#loop = this.#runWithRetries();
  }

  /**
   * A handler failure is deterministic and ends indexing (it is recorded in the store). Anything else (the chain's
   * RPC unreachable, the database briefly gone) may pass: the loop logs it loudly and starts again from the last
   * committed block after a growing pause, never skipping a block.
   */
  async #runWithRetries(): Promise<void> {
    let pause = 1_000;
    while (!this.#stopping) {
      try {
        await this.#run();
        return;
      } catch (error) {
        // An RPC call cut short by stopping is not a failure.
        if (this.#stopping) return;
        this.#fatal = error instanceof Error ? error : new Error(String(error));
        this.#options.log("error", `Indexing interrupted: ${this.#fatal.message}. Retrying in ${pause / 1000} s.`);
        this.#releaseWaiters();
        // The loop has waited for its last commit; whether that one failed too, the revert below starts over.
        this.#commitError = undefined;
        await this.#idle(pause);
        pause = Math.min(pause * 2, 30_000);
        // Changes not committed when the error struck are dropped: the blocks behind them are processed again.
        await this.#store
          .revertTo(this.#store.pointer ?? BEFORE_GENESIS)
          .catch((revertError: unknown) =>
            this.#options.log("error", `Could not reset the store: ${(revertError as Error).message}`),
          );
      }
    }
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
    this.#state = "stopped";
    this.#releaseWaiters();
  }

  /** Resolves once block `number` is indexed; rejects if indexing fails or stops first. */
  waitForBlock(number: number, timeoutMs = 30_000): Promise<void> {
    if ((this.#store.pointer?.number ?? -1) >= number) return Promise.resolve();
    const failure = this.#store.failure;
    if (failure) return Promise.reject(new Error(`Indexing failed at block ${failure.block}: ${failure.message}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(
          new Error(`Block ${number} was not indexed within ${timeoutMs} ms (at ${this.#store.pointer?.number}).`),
        );
      }, timeoutMs);
      const waiter = {
        block: number,
        resolve: () => {
          clearTimeout(timer);
          const failure = this.#store.failure;
          if ((this.#store.pointer?.number ?? -1) >= number) resolve();
          else if (failure) reject(new Error(`Indexing failed at block ${failure.block}: ${failure.message}`));
          else reject(this.#fatal ?? new Error("The indexer stopped."));
        },
      };
      this.#waiters.add(waiter);
    });
  }

  async #run(): Promise<void> {
    if (this.#store.failure) {
      this.#state = "failed";
      this.#options.log(
        "error",
        `The subgraph failed at block ${this.#store.failure.block} and does not index further: ${this.#store.failure.message}`,
      );
      return;
    }
    const chainId = await this.#source.chainId();
    this.#options.log("info", `Indexing chain ${chainId} from block ${this.#nextBlock()}.`);
    this.#state = "backfilling";

    let interrupted = true;
    try {
      await this.#follow();
      interrupted = false;
    } finally {
      // Never leave a commit behind. When an error is already on its way out, a failed commit is left for the
      // retry to clear rather than thrown in its place.
      await this.#commit;
      this.#commit = undefined;
      if (!interrupted) this.#checkCommit();
    }
  }

  async #follow(): Promise<void> {
    while (!this.#stopping) {
      const head = await this.#source.head();
      this.#checkCommit();
      // The last block processed, committed or not: where the chain must connect.
      const processed = this.#store.processed;
      if (
        processed &&
        (head.number < processed.number || (head.number === processed.number && head.hash !== processed.hash))
      ) {
        await this.#handleReorg(head);
        continue;
      }
      const next = this.#nextBlock();
      if (head.number < next) {
        await this.#settleCommit();
        this.#state = "following";
        await this.#idle();
        continue;
      }
      const to = Math.min(head.number, next + this.#source.nextRange() - 1);
      if (processed) {
        const first = to === head.number && next === head.number ? head : await this.#source.header(next);
        if (!first) continue; // the chain moved under us; ask again
        if (first.parentHash !== processed.hash) {
          await this.#handleReorg(head);
          continue;
        }
      }
      let blocks: ChainBlock[];
      let end: number;
      try {
        // A range with many logs may come in parts: handlers run on the first while the rest loads.
        ({ blocks, to: end } = await this.#source.nextBlocks(this.#filter, next, to));
      } catch (error) {
        if (error instanceof ReorgDuringFetch) continue;
        throw error;
      }
      const lastBlock = blocks.at(-1)?.block;
      const last =
        end === head.number
          ? head
          : lastBlock !== undefined && Number(lastBlock.number) === end
            ? headerOf(lastBlock)
            : await this.#source.header(end);
      if (!last) continue;
      const ok = await this.#processRange(blocks, last, end === head.number);
      if (!ok) return;
    }
  }

  /** Starts committing the blocks processed up to `head`, after the commit under way, if any, has ended. */
  async #startCommit(head: BlockHeader): Promise<void> {
    await this.#settleCommit();
    this.#committing = true;
    this.#lastCommitStart = performance.now();
    this.#commit = this.#store.commit(head).then(
      () => {
        this.#committing = false;
        this.#fatal = undefined;
        this.#releaseWaiters();
      },
      (error: unknown) => {
        this.#committing = false;
        this.#commitError = { error };
      },
    );
  }

  /** Waits for the commit under way, if any, and throws if it failed. */
  async #settleCommit(): Promise<void> {
    await this.#commit;
    this.#commit = undefined;
    this.#checkCommit();
  }

  /** Throws the error of a commit that failed: the store is in doubt, and the loop must start over from a revert. */
  #checkCommit(): void {
    const failed = this.#commitError;
    if (failed === undefined) return;
    this.#commitError = undefined;
    throw failed.error;
  }

  /**
   * Runs the handlers of every block in the range, up to `last`; at the chain head, commits up to it. False when a
   * handler failed.
   */
  async #processRange(blocks: ChainBlock[], last: BlockHeader, atHead: boolean): Promise<boolean> {
    let previous: BlockHeader | null = this.#store.processed;
    let lastYield = performance.now();
    for (const chainBlock of blocks) {
      // Handlers are synchronous: without a pause now and then, the commit under way and the blocks being fetched
      // ahead would not hear back from the database and the chain until the whole range is done.
      if (performance.now() - lastYield >= YIELD_EVERY_MS) {
        await setImmediate();
        lastYield = performance.now();
      }
      this.#checkCommit();
      const header = headerOf(chainBlock.block);
      const failure = this.#processBlock(chainBlock, header);
      if (failure) {
        // Everything before the failing block stays: commit it, then record where and why indexing stopped.
        await this.#settleCommit();
        const before = header.number - 1;
        const beforeHeader = previous?.number === before ? previous : await this.#source.header(before);
        if (
          this.#store.pendingBlocks > 0 ||
          (beforeHeader && beforeHeader.number > (this.#store.pointer?.number ?? -1))
        ) {
          if (beforeHeader) {
            await this.#startCommit(beforeHeader);
            await this.#settleCommit();
          }
        }
        await this.#store.recordFailure({ block: header.number, message: failure.message });
        this.#state = "failed";
        this.#options.log("error", `Subgraph failed at block ${header.number}: ${failure.message}`);
        this.#releaseWaiters();
        return false;
      }
      previous = header;
      await this.#commitIfDue(header);
    }
    // The blocks after the last one with logs are processed too: they have nothing to change.
    if (last.number > (this.#store.processed?.number ?? -1)) {
      this.#store.beginBlock(last);
      this.#store.endBlock();
    }
    // At the head every block is committed at once, for queries to see it; before, the next range goes on.
    if (atHead) await this.#startCommit(last);
    else await this.#commitIfDue(last);
    return true;
  }

  /**
   * Starts a commit up to `header`, the last block processed, when one is due (see the options), waiting for the one
   * under way if need be. Blocks without changes are committed too, so that the pointer moves on through stretches of
   * the chain without events and a restart resumes from there.
   */
  async #commitIfDue(header: BlockHeader): Promise<void> {
    const pending = this.#store.pendingBlocks;
    if (pending === 0 && header.number <= (this.#store.pointer?.number ?? -1)) return;
    const due = !this.#committing && performance.now() - this.#lastCommitStart >= this.#options.minCommitIntervalMs;
    if (due || pending >= this.#options.commitEveryBlocks) await this.#startCommit(header);
  }

  #processBlock(chainBlock: ChainBlock, header: BlockHeader): HandlerError | undefined {
    const transactions = new Map(chainBlock.block.transactions.map((transaction) => [transaction.hash, transaction]));
    this.#store.beginBlock(header);
    try {
      for (const log of chainBlock.logs) {
        const routes = this.#routes.get(`${log.address.toLowerCase()}:${log.topics[0]}`);
        if (!routes) continue;
        const transaction = transactions.get(log.transactionHash);
        if (!transaction) {
          throw new Error(
            `Block ${header.number} does not hold transaction ${log.transactionHash} of log ${log.logIndex}.`,
          );
        }
        for (const { dataSource, handler } of routes) {
          if (header.number < dataSource.startBlock) continue;
          this.#runtime.runEventHandler(
            { dataSource, handler, log, block: chainBlock.block, transaction },
            this.#store,
          );
        }
      }
    } catch (error) {
      this.#store.discardBlock();
      if (error instanceof HandlerError) return error;
      throw error;
    }
    this.#store.endBlock();
    return undefined;
  }

  /** Finds the last block both the store and the chain agree on, and reverts the store to it. */
  async #handleReorg(head: BlockHeader): Promise<void> {
    await this.#settleCommit();
    const pointer = this.#store.pointer!;
    const lowest = Math.max(this.#subgraph.startBlock - 1, pointer.number - this.#options.maxReorgDepth);
    for (let number = Math.min(pointer.number, head.number); number >= lowest; number--) {
      const stored = this.#store.blockHash(number);
      if (stored === null) continue;
      const onChain = await this.#source.header(number);
      if (onChain && onChain.hash === stored) {
        this.#options.log("warning", `Reorg: reverting from block ${pointer.number} to ${number}.`);
        await this.#store.revertTo(onChain);
        return;
      }
    }
    if (lowest < this.#subgraph.startBlock) {
      // Nothing indexed survives: start over from the beginning.
      const before = this.#subgraph.startBlock - 1;
      const header = before >= 0 ? await this.#source.header(before) : null;
      this.#options.log(
        "warning",
        `Reorg below every indexed block: reindexing from block ${this.#subgraph.startBlock}.`,
      );
      await this.#store.revertTo(
        header ?? { number: -1, hash: `0x${"0".repeat(64)}`, parentHash: `0x${"0".repeat(64)}`, timestamp: 0 },
      );
      return;
    }
    throw new Error(
      `A reorg deeper than ${this.#options.maxReorgDepth} blocks below block ${pointer.number}: no common ancestor found. Reindex from scratch.`,
    );
  }

  #nextBlock(): number {
    const processed = this.#store.processed;
    return processed ? processed.number + 1 : this.#subgraph.startBlock;
  }

  async #idle(milliseconds = this.#options.pollIntervalMs): Promise<void> {
    const wake = new Promise<void>((resolve) => (this.#wake = resolve));
    await Promise.race([sleep(milliseconds), wake]);
    this.#wake = undefined;
  }

  #releaseWaiters(): void {
    const indexed = this.#store.pointer?.number ?? -1;
    const done = this.#state === "failed" || this.#state === "stopped";
    for (const waiter of this.#waiters) {
      if (waiter.block <= indexed || done) {
        this.#waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}

export function headerOf(block: RpcBlock): BlockHeader {
  return {
    number: Number(block.number),
    hash: block.hash.toLowerCase() as Hex,
    parentHash: block.parentHash.toLowerCase() as Hex,
    timestamp: Number(block.timestamp),
  };
}
