// The sandbox that runs a task's acceptance tests against a submission's output.
//
// A task's poster can verify submissions with an acceptance test suite: JavaScript that registers tests with
// `test(name, fn)` and checks the executor's output (the `output` global) with `assert`. The suite and the output are
// both untrusted, so the suite runs in QuickJS compiled to WebAssembly, never in the API's own JavaScript engine:
//
//   const result = await runAcceptanceSuite({
//     source: 'test("has three records", () => assert.equal(output.records.length, 3));',
//     output: { records: [...] },
//     input: { ... },                       // optional: the task's inputs, available as the `input` global
//     limits: { timeMs: 1000 },             // optional: any of ACCEPTANCE_SUITE_LIMITS
//   });
//   // result.status: "passed" | "failed" | "error" | "timeout" | "memory"
//
// Isolation, in layers:
// - Each run gets a fresh QuickJS runtime and context, disposed afterwards whatever happened, so nothing leaks from
//   one run into the next. The sandbox has no host bindings at all: no require, process, fetch, timers or file system.
//   The output and input are copied in as JSON text and parsed inside, so the suite gets deep copies.
// - Time is bounded by a deadline checked from QuickJS's interrupt handler (which the suite cannot catch) and between
//   batches of promise jobs; recursion by QuickJS's stack limit; memory by QuickJS's allocator limit, backed by a
//   watch on the WebAssembly heap's growth (QuickJS's accounting misses some buffers) and by a cap on each worker's
//   WebAssembly memory.
// - Runs execute in worker threads (SandboxPool), each loading the QuickJS module once and running one suite at a
//   time. The workers have a 64 MiB native stack, which keeps QuickJS's own stack limit the one that trips (see
//   sandbox-engine.ts), keep the API's event loop free while suites run, and can be terminated outright if a run
//   ever fails to stop at its deadline. A worker whose engine faults, or whose WebAssembly memory has grown large, is
//   replaced.
//
// Not deterministic inside the sandbox: `Date.now()`/`new Date()` read the real clock and `Math.random()` is
// unseeded. Suites should not make verdicts depend on either.

import { Buffer } from "node:buffer";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";

import type { AcceptanceSuiteLimits, AcceptanceSuiteResult, SuiteRun } from "./sandbox-engine.ts";
import { MAX_MESSAGE_CHARS, MAX_TEST_NAME_CHARS } from "./sandbox-engine.ts";

export type {
  AcceptanceSuiteLimits,
  AcceptanceSuiteResult,
  AcceptanceSuiteStatus,
  AcceptanceTestResult,
} from "./sandbox-engine.ts";
import { isPlainObject } from "../../../src/json.ts";
export { MAX_MESSAGE_CHARS, MAX_TEST_NAME_CHARS };

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface AcceptanceSuiteRequest {
  /** The suite: JavaScript (a script, not a module) that registers tests with `test(name, fn)`. */
  source: string;
  /** The submission's output, handed to the suite as the `output` global (a deep copy). */
  output: JsonValue;
  /** The task's inputs, handed to the suite as the `input` global (a deep copy); `undefined` when omitted. */
  input?: JsonValue;
  /** Overrides for any of the limits; the rest take their defaults. */
  limits?: Partial<AcceptanceSuiteLimits>;
}

export interface LimitSpecification {
  default: number;
  minimum: number;
  maximum: number;
  unit: string;
  description: string;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** The largest suite accepted, in UTF-8 bytes. */
export const MAX_SOURCE_BYTES = 256 * KiB;
/** The largest output or input accepted, in bytes of its JSON text. */
export const MAX_JSON_BYTES = 1 * MiB;
/** How deeply arrays and objects may nest in the output or input. */
export const MAX_JSON_DEPTH = 64;

/** Every limit a run is held to, with its default and the range a request may set it to. */
export const ACCEPTANCE_SUITE_LIMITS: Readonly<Record<keyof AcceptanceSuiteLimits, Readonly<LimitSpecification>>> =
  Object.freeze({
    timeMs: Object.freeze({
      default: 1000,
      minimum: 10,
      maximum: 60_000,
      unit: "milliseconds",
      description:
        "Wall-clock budget for the whole run: loading the output, evaluating the suite and running every test.",
    }),
    memoryBytes: Object.freeze({
      default: 32 * MiB,
      minimum: 1 * MiB,
      maximum: 256 * MiB,
      unit: "bytes",
      description:
        "QuickJS heap limit for the run. QuickJS's accounting misses some buffers, so a run is also stopped when the sandbox heap grows by more than twice this plus 32 MiB.",
    }),
    maxStackBytes: Object.freeze({
      default: 512 * KiB,
      minimum: 32 * KiB,
      maximum: 1 * MiB,
      unit: "bytes",
      description: "QuickJS stack limit; deeper recursion ends the run with status error (stack overflow).",
    }),
    maxTests: Object.freeze({
      default: 1000,
      minimum: 1,
      maximum: 10_000,
      unit: "tests",
      description: "How many tests the suite may register.",
    }),
    maxLogBytes: Object.freeze({
      default: 64 * KiB,
      minimum: 0,
      maximum: 1 * MiB,
      unit: "bytes",
      description:
        "How much console output is kept, in UTF-8 bytes plus one per entry; the rest is cut with a marker entry.",
    }),
  });

const LIMIT_NAMES = Object.keys(ACCEPTANCE_SUITE_LIMITS) as (keyof AcceptanceSuiteLimits)[];

export const DEFAULT_ACCEPTANCE_SUITE_LIMITS: Readonly<AcceptanceSuiteLimits> = Object.freeze(
  Object.fromEntries(
    LIMIT_NAMES.map((name) => [name, ACCEPTANCE_SUITE_LIMITS[name].default]),
  ) as unknown as AcceptanceSuiteLimits,
);

export interface VerificationMethodParameter {
  name: string;
  type: "string" | "json" | "integer";
  required: boolean;
  description: string;
  default?: number;
  minimum?: number;
  maximum?: number;
  unit?: string;
  maxBytes?: number;
  maxDepth?: number;
}

/** Describes this verification method for `GET /verify/methods`. */
export const ACCEPTANCE_SUITE_METHOD = deepFreeze({
  id: "acceptance-tests",
  description:
    "Runs the poster's JavaScript acceptance tests against the submission's output in an isolated QuickJS (WebAssembly) sandbox with time, memory and stack limits.",
  engine: "QuickJS compiled to WebAssembly (quickjs-emscripten), a fresh runtime per run",
  parameters: [
    {
      name: "source",
      type: "string",
      required: true,
      description:
        "The suite: JavaScript (ES2020 or later, evaluated as a script, not a module) that registers tests with test(name, fn) and checks `output` with assert.",
      maxBytes: MAX_SOURCE_BYTES,
    },
    {
      name: "output",
      type: "json",
      required: true,
      description: "The submission's output, available to the suite as the `output` global (a deep copy).",
      maxBytes: MAX_JSON_BYTES,
      maxDepth: MAX_JSON_DEPTH,
    },
    {
      name: "input",
      type: "json",
      required: false,
      description:
        "The task's inputs, available to the suite as the `input` global (a deep copy; undefined if omitted).",
      maxBytes: MAX_JSON_BYTES,
      maxDepth: MAX_JSON_DEPTH,
    },
    ...LIMIT_NAMES.map((name): VerificationMethodParameter => ({
      name: `limits.${name}`,
      type: "integer",
      required: false,
      description: ACCEPTANCE_SUITE_LIMITS[name].description,
      default: ACCEPTANCE_SUITE_LIMITS[name].default,
      minimum: ACCEPTANCE_SUITE_LIMITS[name].minimum,
      maximum: ACCEPTANCE_SUITE_LIMITS[name].maximum,
      unit: ACCEPTANCE_SUITE_LIMITS[name].unit,
    })),
  ] satisfies VerificationMethodParameter[],
  globals: {
    test: "test(name, fn) registers a test; fn may return a promise (async tests). Register every test at the top level.",
    assert:
      "assert(value, message), assert.ok, assert.equal / notEqual (Object.is), assert.deepEqual / notDeepEqual (structural, for JSON values), assert.match(string, regexp), assert.throws(fn, ErrorClass | RegExp), assert.rejects(promise | fn, ErrorClass | RegExp), assert.fail(message).",
    console: "console.log / info / warn / error / debug are captured into the result's logs, up to limits.maxLogBytes.",
    output: "The submission's output.",
    input: "The task's inputs, or undefined.",
  },
  statuses: {
    passed: "At least one test ran and every test passed.",
    failed: "At least one test failed; each failing test carries the thrown message.",
    error:
      "The suite could not reach a verdict: it threw while loading (with the line), registered no tests, or overflowed the stack.",
    timeout: "The run reached limits.timeMs.",
    memory: "The run reached limits.memoryBytes.",
  },
  notes: [
    "There are no timers, network, file system or module imports in the sandbox; a promise that waits on nothing fails its test.",
    "Date.now() and Math.random() are real and unseeded; verdicts should not depend on them.",
    "Pending promise jobs are run to completion after the suite loads and after each test.",
    `Test names are cut to ${MAX_TEST_NAME_CHARS} characters and failure messages to ${MAX_MESSAGE_CHARS}.`,
  ],
});

// ---- validation -------------------------------------------------------------------------------------------------

const REQUEST_KEYS = new Set(["source", "output", "input", "limits"]);

/**
 * Checks a request and turns it into a run for the engine. Throws a TypeError for a value of the wrong kind and a
 * RangeError for one out of bounds; either message starts with the parameter's name (source, output, input,
 * limits.timeMs, ...), so the API can return it as a 400.
 */
export function normalizeAcceptanceSuiteRequest(request: unknown): SuiteRun {
  if (!isPlainObject(request)) {
    throw new TypeError(
      `the request must be an object with source, output and optionally input and limits; got ${describeType(request)}`,
    );
  }
  for (const key of Object.keys(request)) {
    if (!REQUEST_KEYS.has(key)) {
      throw new TypeError(`${key} is not a parameter of this method; the parameters are source, output, input, limits`);
    }
  }

  const { source } = request;
  if (typeof source !== "string") {
    throw new TypeError(`source must be a string of JavaScript; got ${describeType(source)}`);
  }
  const sourceBytes = Buffer.byteLength(source, "utf8");
  if (sourceBytes > MAX_SOURCE_BYTES) {
    throw new RangeError(`source is ${sourceBytes} bytes; the limit is ${MAX_SOURCE_BYTES} bytes (256 KiB)`);
  }
  if (source.trim() === "") {
    throw new RangeError("source is empty; it must register at least one test with test(name, fn)");
  }

  if (request.output === undefined) {
    throw new TypeError("output is required: the submission's output as a JSON value (null is allowed)");
  }
  const outputJson = encodeJsonParameter(request.output, "output");
  const inputJson = request.input === undefined ? undefined : encodeJsonParameter(request.input, "input");

  return { source, outputJson, inputJson, limits: normalizeLimits(request.limits) };
}

function normalizeLimits(limits: unknown): AcceptanceSuiteLimits {
  if (limits === undefined) return { ...DEFAULT_ACCEPTANCE_SUITE_LIMITS };
  if (!isPlainObject(limits)) {
    throw new TypeError(`limits must be an object such as { timeMs: 1000 }; got ${describeType(limits)}`);
  }
  for (const key of Object.keys(limits)) {
    if (!Object.hasOwn(ACCEPTANCE_SUITE_LIMITS, key)) {
      throw new TypeError(`limits.${key} is not a known limit; the limits are ${LIMIT_NAMES.join(", ")}`);
    }
  }
  const normalized = { ...DEFAULT_ACCEPTANCE_SUITE_LIMITS };
  for (const name of LIMIT_NAMES) {
    const value = limits[name];
    if (value === undefined) continue;
    const { minimum, maximum, unit } = ACCEPTANCE_SUITE_LIMITS[name];
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw new TypeError(`limits.${name} must be a whole number of ${unit}; got ${describeValue(value)}`);
    }
    if (value < minimum || value > maximum) {
      throw new RangeError(`limits.${name} must be between ${minimum} and ${maximum} ${unit}; got ${value}`);
    }
    normalized[name] = value;
  }
  return normalized;
}

/**
 * Checks that `value` is JSON (plain objects, arrays, strings, finite numbers, booleans, null), within the size and
 * depth limits, and returns its JSON text. Rejects rather than silently converts what JSON.stringify would change
 * (undefined, NaN, Dates, Maps, class instances, sparse arrays), so that the suite sees exactly what was submitted.
 */
function encodeJsonParameter(value: unknown, parameter: "output" | "input"): string {
  let approximateBytes = 0;
  const ancestors = new Set<object>();

  const visit = (current: unknown, path: string, depth: number): void => {
    approximateBytes += typeof current === "string" ? current.length + 2 : 1;
    if (approximateBytes > MAX_JSON_BYTES) {
      throw new RangeError(`${parameter} is larger than ${MAX_JSON_BYTES} bytes (1 MiB) as JSON`);
    }
    switch (typeof current) {
      case "string":
      case "boolean":
        return;
      case "number":
        if (!Number.isFinite(current)) {
          throw new TypeError(`${path} is ${current}, which JSON cannot represent; use a finite number or a string`);
        }
        return;
      case "object":
        break;
      default:
        throw new TypeError(`${path} is ${describeType(current)}, which is not a JSON value`);
    }
    if (current === null) return;
    if (depth >= MAX_JSON_DEPTH) {
      throw new RangeError(`${path} is nested more than ${MAX_JSON_DEPTH} levels deep; flatten the ${parameter}`);
    }
    if (ancestors.has(current)) {
      throw new TypeError(
        `${path} refers back to a value that contains it (a circular reference), which JSON cannot represent`,
      );
    }
    ancestors.add(current);
    if (Array.isArray(current)) {
      for (let index = 0; index < current.length; index++) {
        if (!(index in current))
          throw new TypeError(`${path}[${index}] is a hole in a sparse array, which is not JSON`);
        visit(current[index], `${path}[${index}]`, depth + 1);
      }
    } else if (isPlainObject(current)) {
      for (const key of Object.keys(current)) {
        approximateBytes += key.length + 3;
        visit(current[key], formatPath(path, key), depth + 1);
      }
    } else {
      throw new TypeError(
        `${path} is ${describeType(current)}; only plain objects, arrays, strings, finite numbers, booleans and null are JSON values`,
      );
    }
    ancestors.delete(current);
  };

  visit(value, parameter, 0);
  const json = JSON.stringify(value);
  const bytes = Buffer.byteLength(json, "utf8");
  if (bytes > MAX_JSON_BYTES) {
    throw new RangeError(`${parameter} is ${bytes} bytes as JSON; the limit is ${MAX_JSON_BYTES} bytes (1 MiB)`);
  }
  return json;
}

function formatPath(path: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") {
    const name = Object.getPrototypeOf(value)?.constructor?.name;
    return typeof name === "string" && name !== "Object" ? `a ${name}` : "an object";
  }
  if (typeof value === "undefined") return "undefined";
  return `a ${typeof value}`;
}

function describeValue(value: unknown): string {
  return typeof value === "number" ? String(value) : describeType(value);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const nested of Object.values(value)) deepFreeze(nested);
  }
  return value;
}

// ---- worker pool ------------------------------------------------------------------------------------------------

/** Messages from SandboxPool to sandbox-worker.ts. */
export interface SandboxWorkerRequest {
  type: "run";
  id: number;
  run: SuiteRun;
}

/** Messages from sandbox-worker.ts to SandboxPool. */
export type SandboxWorkerMessage =
  { type: "ready" } | { type: "result"; id: number; result: AcceptanceSuiteResult; retire: boolean };

export interface SandboxPoolOptions {
  /** How many worker threads may run suites at once. Default: one fewer than the CPUs, between 1 and 4. */
  workers?: number;
  /** How many runs may wait for a free worker before `run` rejects with SandboxBusyError. Default: 100. */
  maxQueuedRuns?: number;
}

/** Every worker is busy and the queue is full; the API should answer 503 and the caller retry later. */
export class SandboxBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SandboxBusyError";
  }
}

const WORKER_URL = new URL("./sandbox-worker.ts", import.meta.url);

// See sandbox-engine.ts: QuickJS's parser needs up to about 25 times its stack limit in native stack.
const WORKER_STACK_MB = 64;
const WORKER_HEAP_MB = 256;

// How long past a run's time limit the pool waits (counting from when the worker is ready) before terminating the
// worker. The interrupt handler stops a suite within milliseconds of its deadline while QuickJS runs bytecode, but not
// inside a single long call to a built-in: JSON.stringify of a deeply nested array, for one, takes time quadratic in
// the depth and can run for many seconds at the larger stack limits.
const HARD_STOP_GRACE_MS = 1000;

interface QueuedRun {
  run: SuiteRun;
  resolve: (result: AcceptanceSuiteResult) => void;
  reject: (error: Error) => void;
}

interface ActiveRun extends QueuedRun {
  id: number;
  startedAt: number;
  /** Set once the worker is ready to run it. */
  hardStop: NodeJS.Timeout | undefined;
}

interface PoolWorker {
  worker: Worker;
  ready: boolean;
  active: ActiveRun | undefined;
}

/**
 * A pool of sandbox worker threads. Each worker loads the QuickJS module once and runs one suite at a time in a fresh
 * runtime, so runs on different workers proceed in parallel. Idle workers do not keep the process alive.
 */
export class SandboxPool {
  readonly size: number;
  readonly maxQueuedRuns: number;
  private readonly workers = new Set<PoolWorker>();
  private readonly queue: QueuedRun[] = [];
  private nextRunId = 1;
  private closed = false;

  constructor(options: SandboxPoolOptions = {}) {
    const { workers = Math.max(1, Math.min(4, availableParallelism() - 1)), maxQueuedRuns = 100 } = options;
    if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
      throw new RangeError(`workers must be a whole number between 1 and 64; got ${describeValue(workers)}`);
    }
    if (!Number.isInteger(maxQueuedRuns) || maxQueuedRuns < 0) {
      throw new RangeError(`maxQueuedRuns must be a whole number of at least 0; got ${describeValue(maxQueuedRuns)}`);
    }
    this.size = workers;
    this.maxQueuedRuns = maxQueuedRuns;
  }

  /** Validates the request (throwing TypeError/RangeError as normalizeAcceptanceSuiteRequest does) and runs it. */
  async run(request: AcceptanceSuiteRequest): Promise<AcceptanceSuiteResult> {
    const run = normalizeAcceptanceSuiteRequest(request);
    if (this.closed) throw new Error("the acceptance-test sandbox pool has been closed; create a new SandboxPool");
    if (this.idleCapacity() === 0 && this.queue.length >= this.maxQueuedRuns) {
      throw new SandboxBusyError(
        `all ${this.size} acceptance-test sandboxes are busy and ${this.queue.length} runs are already waiting; try again shortly`,
      );
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ run, resolve, reject });
      this.dispatch();
    });
  }

  /** Terminates the workers. Queued and running runs reject; the pool cannot be used afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    const closedError = () => new Error("the acceptance-test sandbox pool was closed before the run finished");
    for (const queued of this.queue.splice(0)) queued.reject(closedError());
    const terminations: Promise<number>[] = [];
    for (const entry of [...this.workers]) {
      this.workers.delete(entry);
      if (entry.active) {
        clearTimeout(entry.active.hardStop);
        entry.active.reject(closedError());
        entry.active = undefined;
      }
      terminations.push(entry.worker.terminate());
    }
    await Promise.all(terminations);
  }

  /** How many worker threads are currently alive (for monitoring). */
  get workerCount(): number {
    return this.workers.size;
  }

  private idleCapacity(): number {
    let busy = 0;
    for (const entry of this.workers) if (entry.active) busy++;
    return this.size - busy;
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let idle: PoolWorker | undefined;
      for (const entry of this.workers) {
        if (!entry.active) {
          idle = entry;
          break;
        }
      }
      if (!idle) {
        if (this.workers.size >= this.size) return;
        try {
          idle = this.spawn();
        } catch (error) {
          this.queue
            .shift()!
            .reject(new Error(`the acceptance-test sandbox could not start a worker: ${errorText(error)}`));
          continue;
        }
      }
      this.assign(idle, this.queue.shift()!);
    }
  }

  private spawn(): PoolWorker {
    const worker = new Worker(WORKER_URL, {
      resourceLimits: { stackSizeMb: WORKER_STACK_MB, maxOldGenerationSizeMb: WORKER_HEAP_MB },
    });
    worker.unref();
    const entry: PoolWorker = { worker, ready: false, active: undefined };
    this.workers.add(entry);
    worker.on("message", (message: SandboxWorkerMessage) => this.onMessage(entry, message));
    worker.on("error", (error) => this.onWorkerLost(entry, error));
    worker.on("exit", (code) => this.onWorkerLost(entry, new Error(`the worker exited with code ${code}`)));
    return entry;
  }

  private assign(entry: PoolWorker, queued: QueuedRun): void {
    const id = this.nextRunId++;
    entry.active = { ...queued, id, startedAt: performance.now(), hardStop: undefined };
    if (entry.ready) this.armHardStop(entry);
    // A busy worker keeps the process alive until its result arrives; an idle one does not.
    entry.worker.ref();
    const request: SandboxWorkerRequest = { type: "run", id, run: queued.run };
    entry.worker.postMessage(request);
  }

  /** Starts the clock on the worker's current run; a new worker's start-up is not counted. */
  private armHardStop(entry: PoolWorker): void {
    const active = entry.active;
    if (!active || active.hardStop) return;
    const { id } = active;
    active.hardStop = setTimeout(() => this.hardStop(entry, id), active.run.limits.timeMs + HARD_STOP_GRACE_MS);
  }

  private onMessage(entry: PoolWorker, message: SandboxWorkerMessage): void {
    if (message.type === "ready") {
      entry.ready = true;
      this.armHardStop(entry);
      return;
    }
    const active = entry.active;
    if (!active || active.id !== message.id) return;
    clearTimeout(active.hardStop);
    entry.active = undefined;
    entry.worker.unref();
    if (message.retire) this.retire(entry);
    active.resolve(message.result);
    this.dispatch();
  }

  private hardStop(entry: PoolWorker, id: number): void {
    const active = entry.active;
    if (!active || active.id !== id) return;
    entry.active = undefined;
    this.retire(entry);
    active.resolve(
      failureResult(
        active,
        "timeout",
        `the suite did not stop at its time limit of ${active.run.limits.timeMs} ms (limits.timeMs), so its sandbox was terminated`,
      ),
    );
    this.dispatch();
  }

  private onWorkerLost(entry: PoolWorker, error: Error): void {
    if (!this.workers.delete(entry)) return;
    const active = entry.active;
    entry.active = undefined;
    if (active) {
      clearTimeout(active.hardStop);
      if (entry.ready) {
        active.resolve(
          failureResult(active, "error", `the sandbox worker crashed while running the suite (${errorText(error)})`),
        );
      } else {
        active.reject(new Error(`the acceptance-test sandbox failed to start: ${errorText(error)}`));
      }
    }
    this.dispatch();
  }

  private retire(entry: PoolWorker): void {
    this.workers.delete(entry);
    void entry.worker.terminate();
  }
}

function failureResult(active: ActiveRun, status: "timeout" | "error", error: string): AcceptanceSuiteResult {
  return {
    status,
    tests: [],
    passed: 0,
    failed: 0,
    notRun: 0,
    durationMs: Math.round((performance.now() - active.startedAt) * 1000) / 1000,
    logs: [],
    error,
    limits: active.run.limits,
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---- the shared pool --------------------------------------------------------------------------------------------

let sharedPool: SandboxPool | undefined;

/**
 * Runs an acceptance test suite in the process-wide sandbox pool (created on first use with the default options).
 * Rejects with a TypeError or RangeError naming the parameter when the request is invalid, and with
 * SandboxBusyError when the pool's queue is full; every outcome of the suite itself is a resolved result.
 */
export async function runAcceptanceSuite(request: AcceptanceSuiteRequest): Promise<AcceptanceSuiteResult> {
  sharedPool ??= new SandboxPool();
  return sharedPool.run(request);
}

/** Terminates the shared pool's workers, for a graceful shutdown; the next run starts a new pool. */
export async function closeSharedSandboxPool(): Promise<void> {
  const pool = sharedPool;
  sharedPool = undefined;
  await pool?.close();
}
