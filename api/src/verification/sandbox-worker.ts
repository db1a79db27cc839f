// A sandbox worker thread, started by SandboxPool (sandbox.ts). It loads the QuickJS WebAssembly module once, with a
// capped WebAssembly memory of its own, then runs one suite at a time, each in a fresh runtime, and posts each result
// back. It asks to be retired (replaced by a fresh worker) when the engine faults, when its WebAssembly memory has
// grown large (WebAssembly memory never shrinks, so one memory-hungry suite would otherwise pin it for the worker's
// lifetime), or after many runs.

import { parentPort } from "node:worker_threads";

import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC } from "quickjs-emscripten";

import type { SandboxWorkerMessage, SandboxWorkerRequest } from "./sandbox.ts";
import { executeAcceptanceSuite, SandboxEngineFault, type AcceptanceSuiteResult } from "./sandbox-engine.ts";

// The project's TypeScript configuration has no WebAssembly types (they come with the DOM library), so the one
// constructor used here is described locally; the declaration is erased and the global is used at run time.
declare const WebAssembly: { Memory: new (descriptor: { initial: number; maximum: number }) => object };

const MiB = 1024 * 1024;
const WASM_PAGE_BYTES = 64 * 1024;

// The hard ceiling on this worker's WebAssembly heap: twice the largest memoryBytes a run may ask for. QuickJS's own
// memory limit misses some allocations (see sandbox-engine.ts), and without a ceiling a suite could grow the heap to
// WebAssembly's 2 GiB maximum; at the ceiling allocations fail and QuickJS reports "out of memory".
const WASM_MEMORY_MAXIMUM_BYTES = 512 * MiB;
const WASM_MEMORY_INITIAL_BYTES = 16 * MiB;

const RETIRE_ABOVE_WASM_BYTES = 128 * MiB;
const RETIRE_AFTER_RUNS = 1000;

if (!parentPort) {
  throw new Error("sandbox-worker.ts runs as a worker thread started by SandboxPool; import sandbox.ts instead");
}
const port = parentPort;
const quickjs = newQuickJSWASMModuleFromVariant(
  newVariant(RELEASE_SYNC, {
    wasmMemory: new WebAssembly.Memory({
      initial: WASM_MEMORY_INITIAL_BYTES / WASM_PAGE_BYTES,
      maximum: WASM_MEMORY_MAXIMUM_BYTES / WASM_PAGE_BYTES,
    }),
  }),
);
let runsCompleted = 0;

// A failure to load the module surfaces as an unhandled rejection, which ends the worker; the pool then rejects the
// run it had assigned with a "failed to start" error.
void quickjs.then(() => post({ type: "ready" }));

port.on("message", (request: SandboxWorkerRequest) => {
  void quickjs.then((module) => {
    let result: AcceptanceSuiteResult;
    let retire: boolean;
    try {
      result = executeAcceptanceSuite(module, request.run);
      runsCompleted++;
      retire = module.getWasmMemory().buffer.byteLength > RETIRE_ABOVE_WASM_BYTES || runsCompleted >= RETIRE_AFTER_RUNS;
    } catch (error) {
      if (!(error instanceof SandboxEngineFault)) throw error;
      result = error.result;
      retire = true;
    }
    post({ type: "result", id: request.id, result, retire });
  });
});

function post(message: SandboxWorkerMessage): void {
  port.postMessage(message);
}
