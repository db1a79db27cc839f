// Runs one acceptance test suite inside a fresh QuickJS runtime.
//
// This is the synchronous core of the sandbox: it takes an already validated run (see `normalizeAcceptanceSuiteRequest`
// in sandbox.ts) and a loaded QuickJS WebAssembly module, and returns a plain-JSON result. It never evaluates the
// suite with the host's JavaScript engine: all suite code runs in QuickJS, under an interrupt handler that enforces the
// deadline and watches the heap, a QuickJS memory limit and a QuickJS stack limit.
//
// Memory has two guards because QuickJS's allocator limit (runtime.setMemoryLimit) undercounts in this build: buffers
// grown with realloc (strings built by Array.prototype.join, concatenation or JSON.parse) and small typed arrays
// barely register, so a suite under an 8 MiB limit can grow the WebAssembly heap to its 2 GiB maximum. The engine
// therefore also watches the WebAssembly heap from the interrupt handler and stops a run whose heap grows by more than
// `wasmGrowthAllowance(memoryBytes)`; the worker additionally caps its WebAssembly memory (see sandbox-worker.ts).
//
// Call it on a thread with a large native stack (the sandbox's worker threads have 64 MiB). QuickJS's stack limit
// counts the WebAssembly shadow stack, but some QuickJS paths (the parser above all) use roughly 20 to 25 times as
// much of the host's native stack as they do of the shadow stack. On Node's main thread (about 1 MB of native stack)
// a limit above about 32 KiB lets deeply nested source overflow the host stack inside WebAssembly, which leaves the
// module in an unusable state. The worker's stack keeps the QuickJS limit the one that trips, up to the 1 MiB maximum.

import { Buffer } from "node:buffer";

import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from "quickjs-emscripten";

import {
  HARNESS_FILENAME,
  HARNESS_SOURCE,
  SUITE_FILENAME,
  type HarnessSettings,
  type HarnessTestOutcome,
  type ThrownDescription,
} from "./sandbox-harness.ts";

/** The parts of a QuickJS module the engine uses; a test can wrap a module to watch what the engine does with it. */
export type QuickJSModuleForEngine = Pick<QuickJSWASMModule, "newRuntime" | "getWasmMemory">;

/** What the watchdog reads of the module's WebAssembly.Memory (the project's TypeScript setup has no WebAssembly types). */
interface WasmHeap {
  readonly buffer: { readonly byteLength: number };
}

/** Resource limits for one run. sandbox.ts documents each limit with its default and bounds. */
export interface AcceptanceSuiteLimits {
  /** Wall-clock budget for the whole run (loading the output, evaluating the suite, running every test). */
  timeMs: number;
  /** QuickJS heap limit for the run; the WebAssembly heap may grow by at most `wasmGrowthAllowance` of it. */
  memoryBytes: number;
  /** QuickJS stack limit; deeper recursion fails with "stack overflow". */
  maxStackBytes: number;
  /** How many tests the suite may register. */
  maxTests: number;
  /** How much `console` output is kept, in UTF-8 bytes (each entry also counts one byte for its line break). */
  maxLogBytes: number;
}

/**
 * How a run ended:
 * - "passed": at least one test ran and every test passed.
 * - "failed": every test ran (or the run stopped on a test's own error) and at least one failed.
 * - "error": the suite could not be run to a verdict: it threw while loading, registered no tests, overflowed the
 *   stack, or the sandbox itself failed. `error` says which.
 * - "timeout": the run reached `limits.timeMs`.
 * - "memory": the run reached `limits.memoryBytes`.
 */
export type AcceptanceSuiteStatus = "passed" | "failed" | "error" | "timeout" | "memory";

/** One registered test, in registration order. */
export interface AcceptanceTestResult {
  name: string;
  /** Whether the test ran to completion without throwing. False for tests that did not run. */
  passed: boolean;
  /** False when the run stopped (time, memory or stack limit) before this test started. */
  ran: boolean;
  /** Why the test failed or did not run. */
  message?: string;
  /** The suite line the failure was thrown from, when QuickJS reports one. */
  line?: number;
  durationMs: number;
}

export interface AcceptanceSuiteResult {
  status: AcceptanceSuiteStatus;
  tests: AcceptanceTestResult[];
  /** Tests that ran and passed. */
  passed: number;
  /** Tests that ran and failed. */
  failed: number;
  /** Registered tests that did not run because the run stopped early. */
  notRun: number;
  /** Time spent in the sandbox for this run (excluding any wait for a free worker). */
  durationMs: number;
  /** What the suite wrote with console.log/info/warn/error/debug, one entry per call, bounded by limits.maxLogBytes. */
  logs: string[];
  /** Why the run ended as "error", "timeout" or "memory". */
  error?: string;
  /** The limits the run was held to. */
  limits: AcceptanceSuiteLimits;
}

/** A validated request, ready for the engine: the output and input are already JSON text. */
export interface SuiteRun {
  source: string;
  outputJson: string;
  inputJson: string | undefined;
  limits: AcceptanceSuiteLimits;
}

/**
 * Thrown by `executeAcceptanceSuite` when a QuickJS call failed on the host side rather than inside the sandbox (for
 * example a WebAssembly trap or an exhausted host stack). The module's state can no longer be trusted, so the
 * runtime is abandoned rather than disposed and the caller must stop using the module; `result` is what to report
 * for the run.
 */
export class SandboxEngineFault extends Error {
  readonly result: AcceptanceSuiteResult;

  constructor(result: AcceptanceSuiteResult, cause: unknown) {
    super(result.error ?? "the sandbox engine failed", { cause });
    this.name = "SandboxEngineFault";
    this.result = result;
  }
}

/** Test names and failure messages are cut to these lengths (with an ellipsis) before they leave the sandbox. */
export const MAX_TEST_NAME_CHARS = 200;
export const MAX_MESSAGE_CHARS = 2000;

// Jobs are run in batches so that the host can check the deadline between them even if every job is tiny.
const JOBS_PER_BATCH = 256;

// Upper bound on any string the harness hands back (JSON escaping can grow a character to six).
const MAX_THROWN_JSON_CHARS = (MAX_MESSAGE_CHARS + 200) * 6;

/**
 * How much the WebAssembly heap may grow during a run with the given memory limit before the run is stopped as
 * "memory". Generous, because the heap grows in steps and also holds QuickJS's own structures; its job is to catch the
 * allocations QuickJS's accounting misses, which are otherwise bounded only by the heap's maximum.
 */
export function wasmGrowthAllowance(memoryBytes: number): number {
  return 2 * memoryBytes + 32 * 1024 * 1024;
}

/**
 * Runs one suite in a new QuickJS runtime of `quickjs` and returns its result. The runtime and its context are
 * disposed before returning, whatever the suite did; a failure to dispose them is reported as a SandboxEngineFault.
 */
export function executeAcceptanceSuite(quickjs: QuickJSModuleForEngine, run: SuiteRun): AcceptanceSuiteResult {
  const startedAt = performance.now();
  const watchdog = new Watchdog(
    startedAt + run.limits.timeMs,
    quickjs.getWasmMemory(),
    wasmGrowthAllowance(run.limits.memoryBytes),
  );
  const logs = new LogCollector(run.limits.maxLogBytes);
  let session: SuiteSession | undefined;
  let runtime: QuickJSRuntime | undefined;
  let context: QuickJSContext | undefined;
  try {
    runtime = quickjs.newRuntime();
    runtime.setMaxStackSize(run.limits.maxStackBytes);
    runtime.setInterruptHandler(() => watchdog.check());
    context = runtime.newContext();
    session = new SuiteSession(runtime, context, run, watchdog, logs);
    session.execute();
  } catch (error) {
    // Disposing now could trip QuickJS's own assertions on a half-updated heap, so the runtime is left to the module,
    // which the caller has to discard.
    throw new SandboxEngineFault(faultResult(run, logs, startedAt, "the sandbox engine failed", error), error);
  }
  try {
    context.dispose();
    runtime.dispose();
  } catch (error) {
    throw new SandboxEngineFault(
      faultResult(run, logs, startedAt, "the sandbox engine failed to release the run's runtime", error),
      error,
    );
  }
  return session.result(performance.now() - startedAt);
}

function faultResult(
  run: SuiteRun,
  logs: LogCollector,
  startedAt: number,
  what: string,
  error: unknown,
): AcceptanceSuiteResult {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    status: "error",
    tests: [],
    passed: 0,
    failed: 0,
    notRun: 0,
    durationMs: roundMs(performance.now() - startedAt),
    logs: logs.entries,
    error: `${what} (${clip(detail, 300)}); the run was abandoned and the sandbox restarted, so running the suite again may succeed`,
    limits: run.limits,
  };
}

/**
 * Watches the run's deadline and the WebAssembly heap's growth. `check` is the interrupt handler, which QuickJS calls
 * regularly while it executes code; once it returns true, every further attempt to run code in the sandbox is
 * interrupted too, with an error the suite cannot catch.
 */
class Watchdog {
  readonly deadline: number;
  readonly memory: WasmHeap;
  readonly growthAllowance: number;
  /** The heap's size when the suite's own work began; undefined until then. */
  heapBaseline: number | undefined;
  expired = false;
  outgrewHeap = false;

  constructor(deadline: number, memory: WasmHeap, growthAllowance: number) {
    this.deadline = deadline;
    this.memory = memory;
    this.growthAllowance = growthAllowance;
  }

  /**
   * Starts measuring heap growth. Called once the sandbox is set up, so that growth caused by creating the runtime
   * (large on a fresh module, especially a debug build) is not charged to the suite.
   */
  watchHeapFromNow(): void {
    this.heapBaseline = this.memory.buffer.byteLength;
  }

  check(): boolean {
    if (!this.expired && !this.outgrewHeap) {
      if (performance.now() > this.deadline) this.expired = true;
      else if (
        this.heapBaseline !== undefined &&
        this.memory.buffer.byteLength - this.heapBaseline > this.growthAllowance
      ) {
        this.outgrewHeap = true;
      }
    }
    return this.tripped;
  }

  /** Whether a limit was reached at some check: the run has been, or is being, interrupted. */
  get tripped(): boolean {
    return this.expired || this.outgrewHeap;
  }
}

/** Keeps console output within limits.maxLogBytes, marking the point where it was cut. */
class LogCollector {
  readonly entries: string[] = [];
  readonly limitBytes: number;
  remainingBytes: number;
  truncated = false;

  constructor(limitBytes: number) {
    this.limitBytes = limitBytes;
    this.remainingBytes = limitBytes;
  }

  /** Appends one entry and returns how many bytes remain. */
  append(text: string): number {
    if (this.truncated) return 0;
    const cost = Buffer.byteLength(text, "utf8") + 1;
    if (cost <= this.remainingBytes) {
      this.entries.push(text);
      this.remainingBytes -= cost;
      return this.remainingBytes;
    }
    if (this.remainingBytes > 1) this.entries.push(truncateUtf8(text, this.remainingBytes - 1));
    return this.cut();
  }

  /** Stops collecting, leaving a marker entry that says where and why the logs end. */
  cut(): number {
    if (!this.truncated) {
      this.entries.push(`[logs truncated: the suite logged more than limits.maxLogBytes = ${this.limitBytes} bytes]`);
      this.truncated = true;
      this.remainingBytes = 0;
    }
    return 0;
  }
}

interface HarnessControls {
  testNames: QuickJSHandle;
  runTest: QuickJSHandle;
  describe: QuickJSHandle;
}

interface RunStop {
  status: "timeout" | "memory" | "error";
  error: string;
  /** What to record against the test that was running, if any. */
  testMessage: string;
}

/** The state of one run inside one runtime and context. */
class SuiteSession {
  readonly runtime: QuickJSRuntime;
  readonly context: QuickJSContext;
  readonly run: SuiteRun;
  readonly watchdog: Watchdog;
  readonly logs: LogCollector;
  controls: HarnessControls | undefined;
  names: string[] = [];
  tests: AcceptanceTestResult[] = [];
  stop: RunStop | undefined;

  constructor(runtime: QuickJSRuntime, context: QuickJSContext, run: SuiteRun, watchdog: Watchdog, logs: LogCollector) {
    this.runtime = runtime;
    this.context = context;
    this.run = run;
    this.watchdog = watchdog;
    this.logs = logs;
  }

  execute(): void {
    try {
      if (!this.installHarness()) return;
      if (!this.evaluateSuite()) return;
      if (!this.readTestNames()) return;
      for (let index = 0; index < this.names.length; index++) {
        if (!this.runTest(index)) return;
      }
    } finally {
      if (this.controls) {
        this.controls.testNames.dispose();
        this.controls.runTest.dispose();
        this.controls.describe.dispose();
        this.controls = undefined;
      }
    }
  }

  result(durationMs: number): AcceptanceSuiteResult {
    const tests = this.names.map(
      (name, index): AcceptanceTestResult =>
        this.tests[index] ?? {
          name,
          passed: false,
          ran: false,
          message: `not run: ${this.stop?.testMessage ?? "the run stopped early"}`,
          durationMs: 0,
        },
    );
    const passed = tests.filter((test) => test.passed).length;
    const failed = tests.filter((test) => test.ran && !test.passed).length;
    const notRun = tests.length - passed - failed;
    const result: AcceptanceSuiteResult = {
      status: this.stop?.status ?? (failed > 0 ? "failed" : "passed"),
      tests,
      passed,
      failed,
      notRun,
      durationMs: roundMs(durationMs),
      logs: this.logs.entries,
      limits: this.run.limits,
    };
    if (this.stop) result.error = this.stop.error;
    return result;
  }

  // ---- phases ---------------------------------------------------------------------------------------------------

  /** Installs the harness and copies the output and input in; false if the run stopped. */
  private installHarness(): boolean {
    const { context, run } = this;
    const owned: QuickJSHandle[] = [];
    try {
      const factory = context.evalCode(HARNESS_SOURCE, HARNESS_FILENAME, { type: "global", strict: true });
      // A very small time limit can run out while the harness compiles; that is the run's timeout, not a fault.
      if (factory.error && this.watchdog.check()) {
        return this.stopRun(this.describeAndDispose(factory.error), "while starting the sandbox");
      }
      if (factory.error) {
        const detail = context.dump(factory.error);
        factory.error.dispose();
        throw new Error(`the sandbox harness failed to compile: ${JSON.stringify(detail)}`);
      }
      owned.push(factory.value);
      const hostLog = context.newFunction("hostLog", (line) => context.newNumber(this.receiveLog(line)));
      owned.push(hostLog);
      const output = context.newString(run.outputJson);
      owned.push(output);
      let input = context.undefined;
      if (run.inputJson !== undefined) {
        input = context.newString(run.inputJson);
        owned.push(input);
      }
      const settings: HarnessSettings = {
        maxTests: run.limits.maxTests,
        maxLogBytes: run.limits.maxLogBytes,
        maxNameChars: MAX_TEST_NAME_CHARS,
        maxMessageChars: MAX_MESSAGE_CHARS,
        suiteFilename: SUITE_FILENAME,
      };
      const settingsJson = context.newString(JSON.stringify(settings));
      owned.push(settingsJson);

      // From here on everything the suite can influence, starting with parsing the output, counts against its limit.
      this.runtime.setMemoryLimit(run.limits.memoryBytes);
      this.watchdog.watchHeapFromNow();

      const installed = context.callFunction(factory.value, context.undefined, hostLog, output, input, settingsJson);
      if (installed.error) {
        return this.stopRun(this.describeAndDispose(installed.error), "while loading the output and input");
      }
      try {
        this.controls = {
          testNames: context.getProp(installed.value, "testNames"),
          runTest: context.getProp(installed.value, "runTest"),
          describe: context.getProp(installed.value, "describe"),
        };
      } finally {
        installed.value.dispose();
      }
      return true;
    } finally {
      for (const handle of owned.reverse()) handle.dispose();
    }
  }

  /** Evaluates the suite so that it registers its tests, then settles any jobs it queued; false if the run stopped. */
  private evaluateSuite(): boolean {
    const evaluated = this.context.evalCode(this.run.source, SUITE_FILENAME, { type: "global" });
    if (evaluated.error) return this.stopRun(this.describeAndDispose(evaluated.error), "while loading the suite");
    evaluated.value.dispose();
    // Settling here lets a suite register tests after an await (an async wrapper at the top level).
    const unsettled = this.settleJobs();
    if (unsettled) return this.stopRun(unsettled.thrown, "while loading the suite");
    return true;
  }

  private readTestNames(): boolean {
    const controls = this.requireControls();
    const maxChars = this.run.limits.maxTests * (MAX_TEST_NAME_CHARS * 6 + 3) + 2;
    const call = this.context.callFunction(controls.testNames, this.context.undefined);
    if (call.error) return this.stopRun(this.describeAndDispose(call.error), "while listing the suite's tests");
    const text = this.readStringAndDispose(call.value, maxChars);
    const names = text === undefined ? undefined : parseJson(text);
    if (!Array.isArray(names) || !names.every((name) => typeof name === "string")) {
      return this.stopWithError("the test harness returned an unreadable list of tests");
    }
    if (names.length === 0) {
      return this.stopWithError(
        "the suite registered no tests: call test(name, fn) at the top level of the suite for each check",
      );
    }
    this.names = names.map((name: string) => clip(name, MAX_TEST_NAME_CHARS));
    return true;
  }

  /** Runs test `index` to completion; false if the run stopped. */
  private runTest(index: number): boolean {
    const { context } = this;
    const controls = this.requireControls();
    const name = this.names[index];
    const phase = `in test ${JSON.stringify(name)}`;
    const startedAt = performance.now();
    if (this.watchdog.check()) return this.stopRun(undefined, `before test ${JSON.stringify(name)}`);

    const indexHandle = context.newNumber(index);
    const call = context.callFunction(controls.runTest, context.undefined, indexHandle);
    indexHandle.dispose();
    if (call.error) {
      const thrown = this.describeAndDispose(call.error);
      return this.stopRun(thrown, phase, index, startedAt);
    }

    const promise = call.value;
    try {
      const unsettled = this.settleJobs();
      if (unsettled) return this.stopRun(unsettled.thrown, phase, index, startedAt);

      const state = context.getPromiseState(promise);
      if (state.type === "pending") {
        this.record(index, startedAt, {
          passed: false,
          message:
            "the test's promise never settled: it waits for something that never happens (the sandbox has no timers or I/O)",
        });
        return true;
      }
      if (state.type === "rejected") {
        // The harness turns every failure into an outcome, so a rejection means the harness itself could not finish.
        return this.stopRun(this.describeAndDispose(state.error), phase, index, startedAt);
      }
      const text = state.notAPromise ? undefined : this.readStringAndDispose(state.value, MAX_THROWN_JSON_CHARS + 100);
      const outcome = text === undefined ? undefined : parseTestOutcome(text);
      if (!outcome) {
        this.record(index, startedAt, { passed: false, message: "the test harness returned an unreadable result" });
        return this.stopWithError(`the test harness returned an unreadable result ${phase}`);
      }
      if (outcome.passed) {
        this.record(index, startedAt, { passed: true });
        return true;
      }
      const thrown = outcome.thrown!;
      if (isResourceLimit(thrown) || this.watchdog.check()) return this.stopRun(thrown, phase, index, startedAt);
      this.record(index, startedAt, { passed: false, message: formatThrown(thrown), line: thrown.line });
      return true;
    } finally {
      promise.dispose();
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------------------------

  /**
   * Runs pending jobs (promise reactions) until none remain. Returns undefined once settled, or what stopped it: the
   * watchdog (no `thrown`), or an error that escaped a job, which QuickJS only lets happen for errors the suite cannot
   * catch (interrupts, out of memory) or for errors in callbacks with no promise to reject (FinalizationRegistry).
   */
  private settleJobs(): { thrown: ThrownDescription | undefined } | undefined {
    while (this.runtime.hasPendingJob()) {
      if (this.watchdog.check()) return { thrown: undefined };
      const executed = this.runtime.executePendingJobs(JOBS_PER_BATCH);
      if (executed.error) return { thrown: this.describeAndDispose(executed.error) };
    }
    // The watchdog can trip inside the last batch without an error coming out of it: the interrupted job ends, nothing
    // queues another, and the queue drains with the suite's promise never settled. That run was stopped by its limit.
    if (this.watchdog.tripped) return { thrown: undefined };
    return undefined;
  }

  /** Describes a thrown value with the harness; undefined if even that failed (out of memory or past the deadline). */
  private describeAndDispose(thrownHandle: QuickJSHandle): ThrownDescription | undefined {
    try {
      if (!this.controls || this.watchdog.check()) return undefined;
      const call = this.context.callFunction(this.controls.describe, this.context.undefined, thrownHandle);
      if (call.error) {
        call.error.dispose();
        return undefined;
      }
      const text = this.readStringAndDispose(call.value, MAX_THROWN_JSON_CHARS);
      const parsed = text === undefined ? undefined : parseJson(text);
      return isThrownDescription(parsed) ? parsed : undefined;
    } finally {
      thrownHandle.dispose();
    }
  }

  /** Reads a string the harness produced, refusing anything that is not a string or is longer than expected. */
  private readStringAndDispose(handle: QuickJSHandle, maxChars: number): string | undefined {
    try {
      if (this.context.typeof(handle) !== "string") return undefined;
      const lengthHandle = this.context.getProp(handle, "length");
      const length = this.context.getNumber(lengthHandle);
      lengthHandle.dispose();
      return length <= maxChars ? this.context.getString(handle) : undefined;
    } finally {
      handle.dispose();
    }
  }

  /** The host side of console.*: keeps the line if it fits and returns the remaining budget to the harness. */
  private receiveLog(line: QuickJSHandle): number {
    if (this.logs.truncated || this.context.typeof(line) !== "string") return this.logs.remainingBytes;
    const lengthHandle = this.context.getProp(line, "length");
    const length = this.context.getNumber(lengthHandle);
    lengthHandle.dispose();
    // The harness never sends more than the remaining budget plus one character; anything longer is cut unread.
    if (length > this.logs.remainingBytes + 1) return this.logs.cut();
    return this.logs.append(this.context.getString(line));
  }

  private record(
    index: number,
    startedAt: number,
    outcome: { passed: boolean; message?: string; line?: number },
  ): void {
    const test: AcceptanceTestResult = {
      name: this.names[index],
      passed: outcome.passed,
      ran: true,
      durationMs: roundMs(performance.now() - startedAt),
    };
    if (outcome.message !== undefined) test.message = clip(outcome.message, MAX_MESSAGE_CHARS);
    if (outcome.line) test.line = outcome.line;
    this.tests[index] = test;
  }

  /**
   * Ends the run because of a thrown value (or a missing one: the watchdog tripped, or the error could not even be
   * described, which happens when the sandbox is out of memory). If a test was running, it is recorded as failed.
   */
  private stopRun(thrown: ThrownDescription | undefined, phase: string, testIndex?: number, startedAt = 0): false {
    const { limits } = this.run;
    const location = thrown && thrown.line > 0 ? ` (line ${thrown.line}, column ${thrown.column})` : "";
    let stop: RunStop;
    this.watchdog.check();
    if (this.watchdog.outgrewHeap) {
      stop = {
        status: "memory",
        error: `the suite exceeded its memory limit of ${limits.memoryBytes} bytes (limits.memoryBytes) ${phase}: the sandbox heap grew by more than ${wasmGrowthAllowance(limits.memoryBytes)} bytes; use less memory or raise the limit`,
        testMessage: `stopped at the memory limit of ${limits.memoryBytes} bytes`,
      };
    } else if (this.watchdog.expired) {
      stop = {
        status: "timeout",
        error: `the suite exceeded its time limit of ${limits.timeMs} ms (limits.timeMs) ${phase}; make the suite do less work or raise the limit`,
        testMessage: `stopped at the time limit of ${limits.timeMs} ms`,
      };
    } else if (!thrown || thrown.kind === "memory") {
      stop = {
        status: "memory",
        error: `the suite exceeded its memory limit of ${limits.memoryBytes} bytes (limits.memoryBytes) ${phase}; use less memory or raise the limit`,
        testMessage: `stopped at the memory limit of ${limits.memoryBytes} bytes`,
      };
    } else if (thrown.kind === "null") {
      // QuickJS throws null when it cannot even allocate the "out of memory" error, so null is read as running out.
      stop = {
        status: "memory",
        error: `the suite ran out of memory (limits.memoryBytes = ${limits.memoryBytes} bytes) ${phase}: QuickJS signals that by throwing null, so a suite that throws null itself is reported the same way; throw an Error instead`,
        testMessage: `stopped at the memory limit of ${limits.memoryBytes} bytes (null was thrown)`,
      };
    } else if (thrown.kind === "stack") {
      stop = {
        status: "error",
        error: `stack overflow ${phase}${location}: the suite recursed deeper than its stack limit of ${limits.maxStackBytes} bytes (limits.maxStackBytes) allows`,
        testMessage: formatThrown(thrown),
      };
    } else {
      stop = {
        status: "error",
        error: `${formatThrown(thrown)} ${phase}${location}`,
        testMessage: formatThrown(thrown),
      };
    }
    this.stop = stop;
    if (testIndex !== undefined) {
      this.record(testIndex, startedAt, { passed: false, message: stop.testMessage, line: thrown?.line });
    }
    return false;
  }

  private stopWithError(error: string): false {
    this.stop = { status: "error", error, testMessage: "the run stopped early" };
    return false;
  }

  private requireControls(): HarnessControls {
    if (!this.controls) throw new Error("the sandbox harness is not installed");
    return this.controls;
  }
}

function isResourceLimit(thrown: ThrownDescription): boolean {
  return thrown.kind === "memory" || thrown.kind === "null" || thrown.kind === "stack" || thrown.kind === "interrupted";
}

function formatThrown(thrown: ThrownDescription): string {
  switch (thrown.kind) {
    case "assertion":
      return thrown.message;
    case "null":
      return "threw null";
    case "value":
      return `threw a value that is not an Error: ${thrown.message}`;
    default:
      return thrown.name ? `${thrown.name}: ${thrown.message}` : thrown.message;
  }
}

const THROWN_KINDS = new Set(["assertion", "error", "memory", "null", "stack", "interrupted", "value"]);

function isThrownDescription(value: unknown): value is ThrownDescription {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.kind === "string" &&
    THROWN_KINDS.has(candidate.kind) &&
    typeof candidate.name === "string" &&
    typeof candidate.message === "string" &&
    typeof candidate.line === "number" &&
    typeof candidate.column === "number"
  );
}

function parseTestOutcome(text: string): HarnessTestOutcome | undefined {
  const parsed = parseJson(text);
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const candidate = parsed as Record<string, unknown>;
  if (candidate.passed === true) return { passed: true };
  if (candidate.passed === false && isThrownDescription(candidate.thrown)) {
    return { passed: false, thrown: candidate.thrown };
  }
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function clip(text: string, maxChars: number): string {
  return text.length > maxChars ? `${text.slice(0, maxChars - 1)}\u2026` : text;
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8 without splitting a character. */
function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const character of text) {
    const size = Buffer.byteLength(character, "utf8");
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += character.length;
  }
  return text.slice(0, end);
}

function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
