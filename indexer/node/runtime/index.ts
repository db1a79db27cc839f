// The mapping runtime: runs a subgraph's compiled AssemblyScript handlers (graph-cli 0.98 / graph-ts 0.38,
// apiVersion 0.0.8–0.0.9, AssemblyScript 0.19 stub runtime) the way graph-node does, with the host functions of
// host.ts and the memory layout of heap.ts.
//
// Instance model. graph-node gives every trigger a fresh instance, so that nothing a handler leaves in memory or in
// globals can reach the next one. In V8 a fresh instance of a graph-cli mapping plus its `_start` costs about ten
// times what a whole trigger costs otherwise (measured in test/nodejs/indexer/runtime.test.ts: ~260 µs of CPU and
// ~1 ms of wall time against ~35 µs for an empty handler, on the same loaded machine), and every instance reserves
// a memory that only the garbage collector gives back. So each compiled module keeps one instance and puts it back,
// before every trigger, into the state a fresh instance has after `_start`: the memory below the allocator's
// post-`_start` offset (static data, and objects built by global initializers) is restored from a snapshot, the
// memory allocated since (up to the allocator's offset at the end of the trigger) is zeroed, and every mutable global
// (the allocator's offset included) is restored. Pointers, allocation order and every value a handler can read are
// then those of a fresh instance. What can differ is invisible to AssemblyScript code: the page count can stay
// larger, and a block the allocator handed out and took back within the trigger keeps its bytes (AssemblyScript
// initializes every allocation). An instance whose memory grew past RECYCLE_MEMORY_BYTES is replaced by a fresh one
// so that one big handler does not pin memory.
//
// Limits. Handlers are metered with graph-node's instruction costs and stop deterministically past its budget
// (wasm-instrument.ts; host functions are not charged, so the budget is never tighter than graph-node's), and the
// memory of each module is capped (DEFAULT_MAX_MEMORY_PAGES), so a runaway handler fails instead of hanging the
// node or exhausting the machine.
import type { RpcBlock, RpcLog, RpcTransaction } from "../chain/types.ts";
import type { HostStore } from "../store/types.ts";
import { StoreError } from "../store/types.ts";
import type { DataSource, EventHandler } from "../subgraph.ts";
import { decodeEventLog, hexBytes, prepareEvent, type EventParam, type PreparedEvent } from "./abi.ts";
import { MappingError, toSignedBytesLE } from "./big-number.ts";
import { AscHeap, TypeIndex } from "./heap.ts";
import {
  hostFunctions,
  implementedHostFunctions,
  UNSUPPORTED_HOST_FUNCTIONS,
  type HostContext,
  type LogLevel,
} from "./host.ts";
import {
  wasm,
  type WasmExports,
  type WasmGlobal,
  type WasmImports,
  type WasmMemory,
  type WasmModule,
} from "./wasm-api.ts";
import { instrumentModule, WasmModuleError, type InstrumentedModule } from "./wasm-instrument.ts";

export interface EventTrigger {
  dataSource: DataSource;
  handler: EventHandler;
  log: RpcLog;
  block: RpcBlock;
  transaction: RpcTransaction;
}

export type MappingLogger = (
  level: LogLevel,
  message: string,
  context: { dataSource: string; handler?: string; block?: number },
) => void;

export interface RuntimeLimits {
  /** Gas per handler, in graph-node's units. Default: graph-node's 10^13 (about 1,000 s of its estimated time). */
  gas?: bigint;
  /** Memory cap per mapping, in 64 KiB pages. Default: DEFAULT_MAX_MEMORY_PAGES. */
  memoryPages?: number;
}

/** graph-node's CONST_MAX_GAS_PER_HANDLER. */
export const DEFAULT_GAS_LIMIT = 10_000_000_000_000n;
/** 512 MiB: far above what an event handler needs, far below what would endanger the machine. */
export const DEFAULT_MAX_MEMORY_PAGES = 8192;
/** An instance whose memory grew beyond this is replaced rather than reset. */
const RECYCLE_MEMORY_BYTES = 64 * 1024 * 1024;
const SUPPORTED_API_VERSIONS = new Set(["0.0.8", "0.0.9"]);

/** A handler failed deterministically: the same block will fail the same way again, so indexing stops there. */
export class HandlerError extends Error {
  override name = "HandlerError";
  readonly dataSource: string;
  readonly handler: string;
  readonly blockNumber: number;
  readonly transactionHash: string;
  readonly logIndex: number;

  constructor(
    trigger: { dataSource: string; handler: string; blockNumber: number; transactionHash: string; logIndex: number },
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Handler ${trigger.handler} of data source ${trigger.dataSource} failed at block ${trigger.blockNumber}, ` +
        `transaction ${trigger.transactionHash}, log ${trigger.logIndex}: ${reason}`,
      options,
    );
    this.dataSource = trigger.dataSource;
    this.handler = trigger.handler;
    this.blockNumber = trigger.blockNumber;
    this.transactionHash = trigger.transactionHash;
    this.logIndex = trigger.logIndex;
  }
}

interface CompiledMapping {
  module: WasmModule;
  instrumented: InstrumentedModule;
  /** Class ids by graph-node type index, filled on first use. */
  classIds: Map<number, number>;
  /** Which exported global is the allocator's bump pointer, found once per module (see `probeOffsetGlobal`). */
  offsetGlobal: string | undefined;
  instance: MappingInstance | undefined;
}

interface LoadedDataSource {
  dataSource: DataSource;
  compiled: CompiledMapping;
  address: Uint8Array;
  handlers: Map<string, PreparedEvent>;
}

function quantity(value: string | undefined | null, field: string): bigint {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]+$/.test(value)) {
    throw new Error(`The chain returned ${JSON.stringify(value)} as ${field}, not a hex quantity.`);
  }
  return BigInt(value);
}

function data(value: string | undefined | null, field: string, length?: number): string {
  const valid =
    typeof value === "string" &&
    /^0x([0-9a-fA-F]{2})*$/.test(value) &&
    (length === undefined || value.length === 2 + length * 2);
  if (!valid) throw new Error(`The chain returned ${JSON.stringify(value)} as ${field}.`);
  return value;
}

/** One live instance of a compiled mapping, reset to its post-`_start` state before each trigger. */
class MappingInstance {
  readonly exports: WasmExports;
  readonly heap: AscHeap;
  readonly context: HostContext;
  readonly #memory: WasmMemory;
  readonly #gas: WasmGlobal;
  readonly #globals: WasmGlobal[];
  readonly #globalValues: (number | bigint)[];
  readonly #offset: WasmGlobal | undefined;
  readonly #snapshot: Uint8Array;
  /** Memory from here up to `#dirtyEnd` may have been written since the snapshot. */
  #dirtyEnd: number;

  constructor(compiled: CompiledMapping, gasLimit: bigint, log: (level: LogLevel, message: string) => void) {
    // The context is filled in per trigger; the host functions read it when they are called. Until then (while
    // `_start` runs global initializers) there is no store to use.
    this.context = { heap: undefined!, store: NO_STORE, dataSource: undefined!, address: new Uint8Array(), log };
    const functions = hostFunctions(this.context);
    const imports: WasmImports = {};
    for (const { module, name } of wasm.Module.imports(compiled.module)) {
      (imports[module] ??= {})[name] = functions[name]!;
    }
    const instance = new wasm.Instance(compiled.module, imports);
    this.exports = instance.exports;
    this.#memory = instance.exports.memory as WasmMemory;
    this.#gas = instance.exports[compiled.instrumented.gasExport] as WasmGlobal;
    this.#globals = compiled.instrumented.globalExports.map((name) => instance.exports[name] as WasmGlobal);
    this.#offset = compiled.offsetGlobal ? (instance.exports[compiled.offsetGlobal] as WasmGlobal) : undefined;
    this.heap = new AscHeap(
      this.#memory,
      instance.exports.allocate as (size: number) => number,
      instance.exports.id_of_type as (index: number) => number,
      compiled.classIds,
    );
    this.context.heap = this.heap;

    this.#gas.value = gasLimit;
    (instance.exports._start as () => void)();
    this.#globalValues = this.#globals.map((global) => global.value);
    const buffer = new Uint8Array(this.#memory.buffer);
    const extent = this.#offset ? (this.#offset.value as number) >>> 0 : lastNonZeroByte(buffer);
    this.#snapshot = buffer.slice(0, extent);
    this.heap.setStaticEnd(extent);
    this.#dirtyEnd = buffer.length;
  }

  get memoryBytes(): number {
    return this.#memory.buffer.byteLength;
  }

  /** Puts the instance back into its post-`_start` state, with a full gas budget. */
  reset(gasLimit: bigint): void {
    const u8 = new Uint8Array(this.#memory.buffer);
    u8.set(this.#snapshot, 0);
    const end = Math.min(this.#dirtyEnd, u8.length);
    if (end > this.#snapshot.length) u8.fill(0, this.#snapshot.length, end);
    for (let i = 0; i < this.#globals.length; i++) this.#globals[i]!.value = this.#globalValues[i]!;
    this.#gas.value = gasLimit;
    this.heap.refresh();
    this.heap.resetArena();
  }

  /** After a trigger: how far this trigger may have written. Without a known allocator offset, all of memory. */
  markDirty(): void {
    this.#dirtyEnd = this.#offset
      ? Math.max((this.#offset.value as number) >>> 0, this.heap.arenaEnd)
      : this.#memory.buffer.byteLength;
  }

  /**
   * Finds the stub allocator's bump pointer among the mutable globals: the one that moves to just past the block
   * `allocate` returns. Leaves this instance unusable for triggers (it has allocated).
   */
  probeOffsetGlobal(names: string[]): string | undefined {
    const size = 64;
    const pointer = (this.exports.allocate as (size: number) => number)(size) >>> 0;
    // The stub allocator's block payload: size plus the 4-byte block header, rounded to 16, minus the header.
    const expected = pointer + (((size + 4 + 15) & ~15) - 4);
    const matches = names.filter((name, index) => {
      const value = this.#globals[index]!.value;
      return typeof value === "number" && value >>> 0 === expected;
    });
    return matches.length === 1 ? matches[0] : undefined;
  }

  get gasLeft(): bigint {
    return this.#gas.value as bigint;
  }

  get memoryPages(): number {
    return this.#memory.buffer.byteLength / 65536;
  }
}

function storeUnavailable(): never {
  throw new MappingError("the store cannot be used while the mapping starts (in a global initializer)");
}
const NO_STORE: HostStore = {
  get: storeUnavailable,
  getInBlock: storeUnavailable,
  set: storeUnavailable,
  remove: storeUnavailable,
  loadRelated: storeUnavailable,
};

function lastNonZeroByte(buffer: Uint8Array): number {
  let end = buffer.length;
  while (end > 0 && buffer[end - 1] === 0) end--;
  return (end + 15) & ~15;
}

/** Runs a subgraph's event handlers. Load once; `runEventHandler` is synchronous and cheap per call. */
export class MappingRuntime {
  readonly #dataSources: Map<string, LoadedDataSource>;
  readonly #logger: MappingLogger;
  readonly #gasLimit: bigint;
  readonly #memoryPages: number;
  #currentLogContext: { dataSource: string; handler?: string; block?: number } = { dataSource: "" };

  private constructor(
    dataSources: Map<string, LoadedDataSource>,
    logger: MappingLogger,
    gasLimit: bigint,
    memoryPages: number,
  ) {
    this.#dataSources = dataSources;
    this.#logger = logger;
    this.#gasLimit = gasLimit;
    this.#memoryPages = memoryPages;
  }

  /**
   * Compiles each distinct wasm once and checks it: every import must be a host function implemented here (an
   * unimplemented one is named in the error, never stubbed), every handler must be exported as `(i32) => void`, and
   * the allocator exports graph-node relies on must be present.
   */
  static async load(
    dataSources: DataSource[],
    options: { logger?: MappingLogger; limits?: RuntimeLimits } = {},
  ): Promise<MappingRuntime> {
    const logger = options.logger ?? defaultLogger;
    const gasLimit = options.limits?.gas ?? DEFAULT_GAS_LIMIT;
    const memoryPages = options.limits?.memoryPages ?? DEFAULT_MAX_MEMORY_PAGES;
    if (gasLimit <= 0n) throw new Error("The gas limit must be positive.");
    if (!Number.isInteger(memoryPages) || memoryPages < 1 || memoryPages > 65536) {
      throw new Error("The memory limit must be between 1 and 65536 pages.");
    }
    const implemented = implementedHostFunctions();

    const compiledByPath = new Map<string, CompiledMapping>();
    const loaded = new Map<string, LoadedDataSource>();
    for (const dataSource of dataSources) {
      const where = `Data source ${dataSource.name} (${dataSource.wasmPath})`;
      if (!SUPPORTED_API_VERSIONS.has(dataSource.apiVersion)) {
        throw new Error(
          `${where}: apiVersion ${dataSource.apiVersion} is not supported; this graph node runs ` +
            `${[...SUPPORTED_API_VERSIONS].join(" and ")} (what graph-cli 0.98 builds).`,
        );
      }
      let compiled = compiledByPath.get(dataSource.wasmPath);
      if (!compiled) {
        compiled = await compile(dataSource, where, implemented, memoryPages);
        compiledByPath.set(dataSource.wasmPath, compiled);
      }
      const handlers = new Map<string, PreparedEvent>();
      for (const handler of dataSource.eventHandlers) {
        const signature = compiled.instrumented.functions.get(handler.handler);
        if (!signature) throw new Error(`${where}: the mapping does not export the handler ${handler.handler}.`);
        if (signature.params.join() !== "i32" || signature.results.length !== 0) {
          throw new Error(
            `${where}: the handler ${handler.handler} takes (${signature.params.join(", ")}) and returns ` +
              `(${signature.results.join(", ")}); an event handler takes one event and returns nothing.`,
          );
        }
        handlers.set(handlerKey(handler), prepareEvent(handler.abiEvent));
      }
      if (loaded.has(dataSource.name)) throw new Error(`Two data sources are named ${dataSource.name}.`);
      loaded.set(dataSource.name, { dataSource, compiled, address: hexBytes(dataSource.address), handlers });
    }
    return new MappingRuntime(loaded, logger, gasLimit, memoryPages);
  }

  /** Runs one event handler against the store. Throws a HandlerError when the handler fails. */
  runEventHandler(trigger: EventTrigger, store: HostStore): void {
    const { dataSource, handler, log, block, transaction } = trigger;
    const loaded = this.#dataSources.get(dataSource.name);
    if (!loaded || loaded.dataSource.wasmPath !== dataSource.wasmPath) {
      throw new Error(`Data source ${dataSource.name} was not loaded into this mapping runtime.`);
    }
    const prepared = loaded.handlers.get(handlerKey(handler));
    if (!prepared)
      throw new Error(`Data source ${dataSource.name} has no handler ${handler.handler} for ${handler.event}.`);
    const blockNumber = Number(quantity(block.number, "block.number"));
    const failure = {
      dataSource: dataSource.name,
      handler: handler.handler,
      blockNumber,
      transactionHash: log.transactionHash,
      logIndex: Number(quantity(log.logIndex, "log.logIndex")),
    };
    const logContext = { dataSource: dataSource.name, handler: handler.handler, block: blockNumber };

    const params = decodeEventLog(prepared, log.topics, log.data);
    if (typeof params === "string") {
      // graph-node skips a handler whose event cannot decode the log (an overloaded event with the same topic0).
      this.#logger(
        "warning",
        `Skipped log ${failure.logIndex} of transaction ${log.transactionHash}: ${params}`,
        logContext,
      );
      return;
    }

    const compiled = loaded.compiled;
    this.#currentLogContext = logContext;
    let instance = compiled.instance;
    if (!instance || instance.memoryBytes > RECYCLE_MEMORY_BYTES) {
      compiled.instance = undefined;
      instance = compiled.instance = new MappingInstance(compiled, this.#gasLimit, (level, message) =>
        this.#logger(level, message, this.#currentLogContext),
      );
    } else {
      instance.reset(this.#gasLimit);
    }
    const context = instance.context;
    context.store = store;
    context.dataSource = dataSource;
    context.address = loaded.address;

    try {
      const event = writeEvent(instance.heap, trigger, params);
      (instance.exports[handler.handler] as (event: number) => void)(event);
    } catch (error) {
      throw this.#classify(error, instance, failure);
    } finally {
      instance.markDirty();
    }
  }

  /** Deterministic failures become HandlerErrors; anything else (a store outage, a bug) is passed on as it is. */
  #classify(
    error: unknown,
    instance: MappingInstance,
    failure: ConstructorParameters<typeof HandlerError>[0],
  ): unknown {
    if (error instanceof MappingError) return new HandlerError(failure, error.message, { cause: error });
    if (error instanceof StoreError)
      return new HandlerError(failure, `store error: ${error.message}`, { cause: error });
    if (error instanceof wasm.RuntimeError) {
      if (instance.gasLeft < 0n) {
        return new HandlerError(failure, `the handler ran out of gas (limit ${this.#gasLimit})`, { cause: error });
      }
      // The allocator executes `unreachable` when memory cannot grow; say so when memory is near its limit.
      const pages = instance.memoryPages;
      const reason =
        error.message === "unreachable" && pages * 2 > this.#memoryPages
          ? `wasm trap: unreachable, with memory at ${pages} of its ${this.#memoryPages} pages: most likely out of memory`
          : `wasm trap: ${error.message}`;
      return new HandlerError(failure, reason, { cause: error });
    }
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      // graph-node treats a stack overflow as non-deterministic: it depends on the machine, not on the input.
      return new Error(`Handler ${failure.handler} of data source ${failure.dataSource} overflowed the call stack.`, {
        cause: error,
      });
    }
    return error;
  }
}

function handlerKey(handler: EventHandler): string {
  return `${handler.handler}\u0000${handler.event}`;
}

function defaultLogger(
  level: LogLevel,
  message: string,
  context: { dataSource: string; handler?: string; block?: number },
): void {
  const where = `${context.dataSource}${context.handler ? `.${context.handler}` : ""}${context.block !== undefined ? ` @${context.block}` : ""}`;
  console.error(`[mapping] ${level} ${where}: ${message}`);
}

async function compile(
  dataSource: DataSource,
  where: string,
  implemented: Set<string>,
  memoryPages: number,
): Promise<CompiledMapping> {
  let instrumented: InstrumentedModule;
  try {
    instrumented = instrumentModule(dataSource.wasm, { maxMemoryPages: memoryPages });
  } catch (error) {
    if (error instanceof WasmModuleError) throw new Error(`${where}: the mapping ${error.message}.`, { cause: error });
    throw error;
  }
  let module: WasmModule;
  try {
    module = await wasm.compile(instrumented.binary);
  } catch (error) {
    throw new Error(`${where}: the mapping does not compile: ${(error as Error).message}`, { cause: error });
  }

  const missing: string[] = [];
  for (const entry of wasm.Module.imports(module)) {
    if (entry.kind !== "function") {
      throw new Error(`${where}: the mapping imports a ${entry.kind} (${entry.module}.${entry.name}); only functions.`);
    }
    if (!implemented.has(entry.name)) missing.push(entry.name);
  }
  if (missing.length > 0) {
    const described = [...new Set(missing)].map((name) =>
      UNSUPPORTED_HOST_FUNCTIONS[name] ? `${name} (${UNSUPPORTED_HOST_FUNCTIONS[name]})` : name,
    );
    throw new Error(
      `${where}: the mapping imports host functions this graph node does not implement: ${described.join(", ")}.`,
    );
  }
  const exported = new Map(wasm.Module.exports(module).map((entry) => [entry.name, entry.kind]));
  for (const [name, kind] of [
    ["memory", "memory"],
    ["allocate", "function"],
    ["id_of_type", "function"],
    ["_start", "function"],
  ] as const) {
    if (exported.get(name) !== kind) {
      throw new Error(`${where}: the mapping does not export the ${kind} ${name} that graph-node requires.`);
    }
  }

  const compiled: CompiledMapping = {
    module,
    instrumented,
    classIds: new Map(),
    offsetGlobal: undefined,
    instance: undefined,
  };
  try {
    const scratch = new MappingInstance(compiled, DEFAULT_GAS_LIMIT, () => {});
    compiled.offsetGlobal = scratch.probeOffsetGlobal(instrumented.globalExports);
  } catch (error) {
    throw new Error(`${where}: the mapping failed to start: ${(error as Error).message}`, { cause: error });
  }
  return compiled;
}

/**
 * A block's or transaction's fields as the bytes the mapping receives (BigInts already in their signed encoding),
 * computed once per object: every log of a block shares them. Null for graph-ts's nullable fields.
 */
type FieldBytes = (Uint8Array | null)[];
const blockFields = new WeakMap<RpcBlock, FieldBytes>();
const transactionFields = new WeakMap<RpcTransaction, FieldBytes>();

function hexField(value: string | undefined | null, field: string, length?: number): Uint8Array {
  return hexBytes(data(value, field, length));
}

function bigIntField(value: string | undefined | null, field: string): Uint8Array {
  return toSignedBytesLE(quantity(value, field));
}

function blockBytes(block: RpcBlock): FieldBytes {
  let fields = blockFields.get(block);
  if (!fields) {
    fields = [
      hexField(block.hash, "block.hash", 32),
      hexField(block.parentHash, "block.parentHash", 32),
      hexField(block.sha3Uncles, "block.sha3Uncles", 32),
      hexField(block.miner, "block.miner", 20),
      hexField(block.stateRoot, "block.stateRoot", 32),
      hexField(block.transactionsRoot, "block.transactionsRoot", 32),
      hexField(block.receiptsRoot, "block.receiptsRoot", 32),
      bigIntField(block.number, "block.number"),
      bigIntField(block.gasUsed, "block.gasUsed"),
      bigIntField(block.gasLimit, "block.gasLimit"),
      bigIntField(block.timestamp, "block.timestamp"),
      block.difficulty == null ? toSignedBytesLE(0n) : bigIntField(block.difficulty, "block.difficulty"),
      // Post-merge nodes leave totalDifficulty out; graph-node then uses zero.
      block.totalDifficulty == null ? toSignedBytesLE(0n) : bigIntField(block.totalDifficulty, "block.totalDifficulty"),
      block.size == null ? null : bigIntField(block.size, "block.size"),
      block.baseFeePerGas == null ? null : bigIntField(block.baseFeePerGas, "block.baseFeePerGas"),
    ];
    blockFields.set(block, fields);
  }
  return fields;
}

function transactionBytes(transaction: RpcTransaction): FieldBytes {
  let fields = transactionFields.get(transaction);
  if (!fields) {
    if (transaction.gasPrice == null) {
      // graph-node passes the effective gas price, which nodes report as `gasPrice` for mined transactions.
      throw new Error(`The chain returned transaction ${transaction.hash} without a gasPrice.`);
    }
    fields = [
      hexField(transaction.hash, "transaction.hash", 32),
      bigIntField(transaction.transactionIndex, "transaction.transactionIndex"),
      hexField(transaction.from, "transaction.from", 20),
      transaction.to == null ? null : hexField(transaction.to, "transaction.to", 20),
      bigIntField(transaction.value, "transaction.value"),
      bigIntField(transaction.gas, "transaction.gas"),
      bigIntField(transaction.gasPrice, "transaction.gasPrice"),
      hexField(transaction.input, "transaction.input"),
      bigIntField(transaction.nonce, "transaction.nonce"),
    ];
    transactionFields.set(transaction, fields);
  }
  return fields;
}

/** Writes each field as a Uint8Array (graph-ts Bytes, Address or BigInt) and the struct holding them. */
function writeFields(heap: AscHeap, typeIndex: number, fields: FieldBytes): number {
  const pointers = new Array<number>(fields.length);
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    pointers[i] = field === null ? 0 : heap.bytes(field);
  }
  return heap.struct(typeIndex, pointers);
}

/** graph-node's `ethereum.Event` for apiVersion >= 0.0.7, with Block and Transaction of apiVersion 0.0.6. */
function writeEvent(heap: AscHeap, trigger: EventTrigger, params: EventParam[]): number {
  const { log, block, transaction } = trigger;
  const blockFieldBytes = blockBytes(block);
  const transactionFieldBytes = transactionBytes(transaction);
  const address = heap.hexBytes(data(log.address, "log.address", 20));
  const logIndex = quantity(log.logIndex, "log.logIndex");
  const logIndexPointer = heap.bigInt(logIndex);
  // graph-node fills transactionLogIndex with the log index too: Geth has no per-transaction index.
  const transactionLogIndexPointer = heap.bigInt(logIndex);
  const blockPointer = writeFields(heap, TypeIndex.EthereumBlock, blockFieldBytes);
  const transactionPointer = writeFields(heap, TypeIndex.EthereumTransaction, transactionFieldBytes);
  const paramPointers = params.map((param) => {
    const name = heap.string(param.name);
    const value = heap.ethereumValue(param.value);
    return heap.struct(TypeIndex.EventParam, [name, value]);
  });
  const paramsPointer = heap.array(TypeIndex.ArrayEventParam, paramPointers);
  return heap.struct(TypeIndex.EthereumEvent, [
    address,
    logIndexPointer,
    transactionLogIndexPointer,
    0, // logType: graph-node's alloy logs have none
    blockPointer,
    transactionPointer,
    paramsPointer,
    0, // receipt: only with `receipt: true`, which the manifest loader refuses
  ]);
}
