// The acceptance-test sandbox: suites run in QuickJS (WebAssembly) worker threads, under time, memory and stack limits,
// with nothing of the host in reach. Most tests go through a SandboxPool as the API will; the leak tests drive the
// engine directly, in this thread, against a tracking wrapper and against QuickJS's debug build (which has a leak
// sanitizer), so that they can see every runtime the engine creates.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { DEBUG_SYNC, getQuickJS, newQuickJSWASMModule } from "quickjs-emscripten";
import type { QuickJSRuntime, QuickJSWASMModule } from "quickjs-emscripten";

import {
  ACCEPTANCE_SUITE_LIMITS,
  ACCEPTANCE_SUITE_METHOD,
  DEFAULT_ACCEPTANCE_SUITE_LIMITS,
  MAX_JSON_BYTES,
  MAX_JSON_DEPTH,
  MAX_MESSAGE_CHARS,
  MAX_SOURCE_BYTES,
  MAX_TEST_NAME_CHARS,
  SandboxBusyError,
  SandboxPool,
  closeSharedSandboxPool,
  normalizeAcceptanceSuiteRequest,
  runAcceptanceSuite,
  type AcceptanceSuiteLimits,
  type AcceptanceSuiteRequest,
  type JsonValue,
} from "../../../api/src/verification/sandbox.ts";
import {
  executeAcceptanceSuite,
  wasmGrowthAllowance,
  type QuickJSModuleForEngine,
} from "../../../api/src/verification/sandbox-engine.ts";

const MiB = 1024 * 1024;

/** A submission's output as an executor might return it: records a task asked for. */
const LISTINGS: JsonValue = {
  currency: "EUR",
  listings: [
    { id: "l-1", title: "Two-room flat, Kreuzberg", price: 1250, rooms: 2, listedAt: "2025-03-01", tags: ["balcony"] },
    { id: "l-2", title: "Studio near Ostkreuz", price: 890, rooms: 1, listedAt: "2025-03-04", tags: [] },
    { id: "l-3", title: "Three rooms with garden", price: 1710, rooms: 3, listedAt: "2025-03-09", tags: ["garden"] },
  ],
};

/** The poster's suite for it: constraints on every record, on the set, and against the task's input. */
const LISTINGS_SUITE = `
  const { listings } = output;

  test("returns between one and the requested number of listings", () => {
    assert(Array.isArray(listings), "listings must be an array");
    assert(listings.length >= 1 && listings.length <= input.maxResults, "expected 1.." + input.maxResults + " listings");
  });

  test("every listing has an id, a title, a positive whole price and an ISO date", () => {
    for (const listing of listings) {
      assert.equal(typeof listing.id, "string", "id of " + JSON.stringify(listing));
      assert(listing.title.length > 0, "empty title on " + listing.id);
      assert(Number.isInteger(listing.price) && listing.price > 0, "bad price on " + listing.id);
      assert.match(listing.listedAt, /^\\d{4}-\\d{2}-\\d{2}$/, "bad date on " + listing.id);
    }
  });

  test("ids are unique", () => {
    assert.equal(new Set(listings.map((listing) => listing.id)).size, listings.length, "duplicate ids");
  });

  test("prices are within the budget and in the requested currency", () => {
    assert.equal(output.currency, input.currency);
    for (const listing of listings) assert(listing.price <= input.maxPrice, listing.id + " costs " + listing.price);
  });

  test("the record layout matches the contract", () => {
    assert.deepEqual(Object.keys(listings[0]).sort(), ["id", "listedAt", "price", "rooms", "tags", "title"]);
  });

  test("async checks work too", async () => {
    const newest = await Promise.resolve(listings.map((listing) => listing.listedAt).sort().at(-1));
    assert.equal(newest, "2025-03-09");
  });
`;

const LISTINGS_INPUT: JsonValue = { maxResults: 5, maxPrice: 2000, currency: "EUR" };

describe("acceptance-test sandbox", () => {
  let pool: SandboxPool;

  /** Runs a suite in the pool. */
  const run = (
    source: string,
    output: JsonValue = null,
    limits: Partial<AcceptanceSuiteLimits> = {},
    input?: JsonValue,
  ) => pool.run({ source, output, limits, ...(input === undefined ? {} : { input }) });

  /** Runs a suite and reports how long the caller waited for its result. */
  async function timed(source: string, limits: Partial<AcceptanceSuiteLimits>) {
    const startedAt = performance.now();
    const result = await run(source, null, limits);
    return { result, elapsedMs: performance.now() - startedAt };
  }

  before(async () => {
    pool = new SandboxPool({ workers: 3 });
    // Start every worker up front, so that start-up does not count against the timing checks below.
    await Promise.all(
      [1, 2, 3].map(() => run(`test("warm-up", () => { const end = Date.now() + 50; while (Date.now() < end); })`)),
    );
  });

  after(async () => {
    await pool.close();
    await closeSharedSandboxPool();
  });

  describe("7. results, for realistic and broken suites", () => {
    it("passes a realistic suite over a realistic output", async () => {
      const result = await run(LISTINGS_SUITE, LISTINGS, {}, LISTINGS_INPUT);
      assert.equal(result.status, "passed", JSON.stringify(result));
      assert.equal(result.passed, 6);
      assert.equal(result.failed, 0);
      assert.equal(result.notRun, 0);
      assert.equal(result.error, undefined);
      assert.deepEqual(
        result.tests.map((test) => [test.name, test.passed, test.ran]),
        [
          ["returns between one and the requested number of listings", true, true],
          ["every listing has an id, a title, a positive whole price and an ISO date", true, true],
          ["ids are unique", true, true],
          ["prices are within the budget and in the requested currency", true, true],
          ["the record layout matches the contract", true, true],
          ["async checks work too", true, true],
        ],
      );
      assert.deepEqual(result.limits, DEFAULT_ACCEPTANCE_SUITE_LIMITS);
    });

    it("fails the suite when the output breaks a constraint, with the failing test's message and line", async () => {
      const overBudget = structuredClone(LISTINGS) as { listings: { price: number; id: string }[] };
      overBudget.listings[2].price = 2400;
      overBudget.listings[1].id = "l-1";
      const result = await run(LISTINGS_SUITE, overBudget as unknown as JsonValue, {}, LISTINGS_INPUT);
      assert.equal(result.status, "failed");
      assert.equal(result.passed, 4);
      assert.equal(result.failed, 2);
      const failures = result.tests.filter((test) => !test.passed);
      assert.deepEqual(
        failures.map((test) => [test.name, test.message]),
        [
          ["ids are unique", "duplicate ids"],
          ["prices are within the budget and in the requested currency", "l-3 costs 2400"],
        ],
      );
      // Lines count from the suite's first line, which is the blank line after the opening backtick.
      assert.equal(failures[0].line, 19);
      assert.equal(failures[1].line, 24);
    });

    it("reports each test in registration order with counts, and fails the run if any test fails", async () => {
      const result = await run(`
        test("first", () => {});
        test("second", () => { throw new TypeError("second broke"); });
        test("third", async () => {});
        test("fourth", () => assert.equal(1, 2));
      `);
      assert.equal(result.status, "failed");
      assert.deepEqual(
        result.tests.map(({ name, passed, message }) => ({ name, passed, message })),
        [
          { name: "first", passed: true, message: undefined },
          { name: "second", passed: false, message: "TypeError: second broke" },
          { name: "third", passed: true, message: undefined },
          { name: "fourth", passed: false, message: "expected 1 to equal 2" },
        ],
      );
      assert.equal(result.passed, 2);
      assert.equal(result.failed, 2);
      for (const test of result.tests) assert.ok(test.durationMs >= 0);
    });

    it("ends as an error, not a pass, when the suite registers no tests", async () => {
      const result = await run(`const nothing = 1;`);
      assert.equal(result.status, "error");
      assert.match(result.error!, /registered no tests/);
      assert.deepEqual(result.tests, []);
    });

    it("bounds test names and failure messages", async () => {
      const result = await run(`test("n".repeat(5000), () => { throw new Error("m".repeat(50000)); });`);
      const [test] = result.tests;
      assert.equal(test.name.length, MAX_TEST_NAME_CHARS);
      assert.ok(test.name.endsWith("\u2026"));
      assert.ok(test.message!.length <= MAX_MESSAGE_CHARS);
      assert.ok(test.message!.startsWith("Error: mmm"));
    });

    it("returns plain JSON, with no QuickJS handles or host objects in it", async () => {
      const results = [
        await run(LISTINGS_SUITE, LISTINGS, {}, LISTINGS_INPUT),
        await run(`test("a", () => { console.log("x", { y: 1 }); assert(false, "no"); });`),
        await run(`while (true) {}`, null, { timeMs: 50 }),
        await run(`syntax error here`),
      ];
      for (const result of results) {
        assert.deepEqual(JSON.parse(JSON.stringify(result)), result);
        assert.deepEqual(structuredClone(result), result);
        assert.equal(Object.getPrototypeOf(result), Object.prototype);
      }
    });
  });

  describe("1. a fresh runtime per run, always disposed", () => {
    it("leaves nothing behind from one run for the next", async () => {
      const single = new SandboxPool({ workers: 1 });
      try {
        const first = await single.run({
          output: null,
          source: `
            globalThis.leftOver = "from the first run";
            Object.prototype.polluted = true;
            Array.prototype.push = function () { return -1; };
            assert.equal = function () {};
            test("pollutes", () => {});
          `,
        });
        assert.equal(first.status, "passed");
        const second = await single.run({
          output: null,
          source: `
            test("sees a clean global", () => {
              if (typeof leftOver !== "undefined") throw new Error("leftOver survived");
              if (({}).polluted !== undefined) throw new Error("Object.prototype survived");
              const list = [];
              if (list.push(1) !== 1) throw new Error("Array.prototype.push survived");
            });
            test("sees a working assert", () => assert.throws(() => assert.equal(1, 2), assert.AssertionError));
          `,
        });
        assert.equal(second.status, "passed", JSON.stringify(second));
        assert.equal(single.workerCount, 1, "both runs used the same worker, and so the same QuickJS module");
      } finally {
        await single.close();
      }
    });

    it("disposes every runtime it creates, whatever the suite did", async () => {
      const quickjs = await getQuickJS();
      const tracked = trackRuntimes(quickjs);
      for (const [source, limits] of ADVERSE_SUITES) {
        const result = executeAcceptanceSuite(tracked, engineRun(source, limits));
        assert.ok(["passed", "failed", "error", "timeout", "memory"].includes(result.status));
        assert.equal(tracked.runtimes.length, 1);
        assert.equal(tracked.runtimes[0].alive, false, `runtime left alive after: ${source}`);
        tracked.runtimes.length = 0;
      }
    });

    it("frees every QuickJS allocation, as the debug build's leak sanitizer confirms", async () => {
      const debugBuild = await newQuickJSWASMModule(DEBUG_SYNC);
      const tracked = trackRuntimes(debugBuild);
      const statuses = new Set<string>();
      for (const [source, limits] of ADVERSE_SUITES) {
        statuses.add(executeAcceptanceSuite(tracked, engineRun(source, limits)).status);
      }
      assert.deepEqual([...statuses].sort(), ["error", "failed", "memory", "passed", "timeout"]);
      assert.ok(tracked.runtimes.every((runtime) => !runtime.alive));
      assert.equal(debugBuild.getFFI().QTS_RecoverableLeakCheck(), 0, "QuickJS memory was leaked");
    });
  });

  describe("2. the time limit", () => {
    const timeMs = 250;

    it("stops an endless loop in the suite's top level", async () => {
      const { result, elapsedMs } = await timed(`while (true) {}`, { timeMs });
      assert.equal(result.status, "timeout");
      assert.match(result.error!, /time limit of 250 ms \(limits\.timeMs\) while loading the suite/);
      assert.ok(elapsedMs < 5 * timeMs, `took ${elapsedMs} ms`);
    });

    it("stops an endless loop inside a test, keeping earlier results and marking later tests as not run", async () => {
      const { result, elapsedMs } = await timed(
        `test("quick", () => {}); test("spins", () => { for (;;) {} }); test("later", () => {});`,
        { timeMs },
      );
      assert.equal(result.status, "timeout");
      assert.ok(elapsedMs < 5 * timeMs, `took ${elapsedMs} ms`);
      assert.deepEqual(
        result.tests.map(({ name, passed, ran }) => ({ name, passed, ran })),
        [
          { name: "quick", passed: true, ran: true },
          { name: "spins", passed: false, ran: true },
          { name: "later", passed: false, ran: false },
        ],
      );
      assert.deepEqual([result.passed, result.failed, result.notRun], [1, 1, 1]);
      assert.match(result.tests[2].message!, /^not run: stopped at the time limit/);
    });

    it("stops an endless async loop", async () => {
      const { result, elapsedMs } = await timed(`test("awaits forever", async () => { for (;;) await null; });`, {
        timeMs,
      });
      assert.equal(result.status, "timeout");
      assert.ok(elapsedMs < 5 * timeMs, `took ${elapsedMs} ms`);
    });

    it("stops an endless async loop wherever in it the deadline passes", async () => {
      // A clock that moves on by a fixed step at every read puts the deadline at each point of the run in turn. At some
      // of them the interrupt ends a job without an error and nothing queues another: the run must still end as a
      // timeout, not as a test whose promise never settled.
      const quickjs = await getQuickJS();
      const suite = engineRun(`test("awaits forever", async () => { for (;;) await null; });`, { timeMs: 1_000 });
      const realNow = performance.now;
      const notTimeouts: string[] = [];
      for (let reads = 1; reads <= 60; reads++) {
        let clock = 0;
        performance.now = () => (clock += 1_000 / reads);
        let status: string;
        try {
          status = executeAcceptanceSuite(quickjs, suite).status;
        } finally {
          performance.now = realNow;
        }
        if (status !== "timeout") notTimeouts.push(`deadline after ${reads} clock reads: ${status}`);
      }
      assert.deepEqual(notTimeouts, []);
    });

    it("stops an endless chain of promise jobs started in the background", async () => {
      const { result, elapsedMs } = await timed(
        `(function again() { Promise.resolve().then(again); })(); test("never reached", () => {});`,
        { timeMs },
      );
      assert.equal(result.status, "timeout");
      assert.ok(elapsedMs < 5 * timeMs, `took ${elapsedMs} ms`);
    });

    it("cannot be caught and ignored by the suite", async () => {
      const { result, elapsedMs } = await timed(
        `test("swallows", () => { for (;;) { try { for (;;) {} } catch (error) {} } });`,
        { timeMs },
      );
      assert.equal(result.status, "timeout");
      assert.ok(elapsedMs < 5 * timeMs, `took ${elapsedMs} ms`);
    });

    it("terminates a run stuck in a built-in that does not check the deadline, and carries on", async () => {
      // JSON.stringify of a deeply nested array takes time quadratic in its depth and never yields to the interrupt
      // handler; at the largest stack limit it would run for many seconds. The pool stops the worker instead.
      const { result, elapsedMs } = await timed(
        `test("stringify", () => { let deep = []; for (let i = 0; i < 200000; i++) deep = [deep]; JSON.stringify(deep); });`,
        { timeMs, maxStackBytes: ACCEPTANCE_SUITE_LIMITS.maxStackBytes.maximum },
      );
      assert.equal(result.status, "timeout");
      assert.match(
        result.error!,
        /did not stop at its time limit of 250 ms \(limits\.timeMs\), so its sandbox was terminated/,
      );
      assert.ok(elapsedMs < 5 * (timeMs + 1000), `took ${elapsedMs} ms`);
      assert.equal((await run(`test("fine", () => {});`)).status, "passed");
      assert.ok(pool.workerCount <= pool.size);
    });

    it("fails a test whose promise waits on nothing, without waiting for the limit", async () => {
      const { result, elapsedMs } = await timed(`test("waits", () => new Promise(() => {})); test("next", () => {});`, {
        timeMs: 5000,
      });
      assert.equal(result.status, "failed");
      assert.match(result.tests[0].message!, /never settled/);
      assert.equal(result.tests[1].passed, true);
      assert.ok(elapsedMs < 2500, `took ${elapsedMs} ms`);
    });
  });

  describe("3. the memory limit", () => {
    const memoryBytes = 8 * MiB;

    for (const [kind, source] of [
      ["a growing array", `test("bomb", () => { const items = []; for (;;) items.push("item " + items.length); });`],
      ["a growing string", `test("bomb", () => { let text = "x"; for (;;) { text += text; text.charCodeAt(0); } });`],
      ["a growing map", `const map = new Map(); test("bomb", () => { for (let i = 0; ; i++) map.set(i, { i }); });`],
      ["a huge allocation", `test("bomb", () => new ArrayBuffer(64 * 1024 * 1024));`],
      // These two grow buffers that QuickJS's own accounting misses; the heap watchdog and the worker's cap stop them.
      [
        "joined strings",
        `const parts = Array(1000).fill("abcdefghij"); const kept = []; test("bomb", () => { for (;;) kept.push(parts.join("")); });`,
      ],
      ["typed arrays", `const kept = []; test("bomb", () => { for (;;) kept.push(new Uint8Array(100000)); });`],
    ] as const) {
      it(`stops ${kind}, and the sandbox runs the next suite normally`, async () => {
        const result = await run(source, null, { memoryBytes, timeMs: 10_000 });
        assert.equal(result.status, "memory", JSON.stringify(result));
        assert.match(result.error!, /memory/);
        assert.equal(result.tests[0].passed, false);
        const next = await run(LISTINGS_SUITE, LISTINGS, { memoryBytes }, LISTINGS_INPUT);
        assert.equal(next.status, "passed");
      });
    }

    it("stops growth that QuickJS's own accounting misses, within the heap allowance", async () => {
      // In this thread, on the shared module, whose WebAssembly memory may grow to 2 GiB: only the watchdog stands in
      // the way. It lets the heap grow by wasmGrowthAllowance(memoryBytes) and stops the run at the next check.
      const quickjs = await getQuickJS();
      const before = quickjs.getWasmMemory().buffer.byteLength;
      const result = executeAcceptanceSuite(
        quickjs,
        engineRun(
          `const parts = Array(1000).fill("abcdefghij"); const kept = []; for (;;) kept.push(parts.join(""));`,
          {
            memoryBytes: memoryBytes,
            timeMs: 20_000,
          },
        ),
      );
      assert.equal(result.status, "memory");
      assert.match(result.error!, /the sandbox heap grew by more than/);
      const growth = quickjs.getWasmMemory().buffer.byteLength - before;
      // The heap grows in steps of up to a fifth of its size, so the last step can overshoot the allowance a little.
      assert.ok(growth <= 2 * wasmGrowthAllowance(memoryBytes), `the heap grew by ${Math.round(growth / MiB)} MiB`);
    });

    it("fits an output close to the size limit within the default memory limit", async () => {
      const output = { rows: Array.from({ length: 5000 }, (_, index) => ({ index, text: "x".repeat(170) })) };
      assert.ok(JSON.stringify(output).length > 0.9 * MAX_JSON_BYTES);
      const result = await run(`test("all rows", () => assert.equal(output.rows.length, 5000));`, output);
      assert.equal(result.status, "passed");
    });
  });

  describe("4. the stack limit", () => {
    it("ends unbounded recursion as an error, and the sandbox keeps working", async () => {
      const result = await run(`test("recurses", () => { const down = (n) => down(n + 1) + 1; down(0); });`);
      assert.equal(result.status, "error");
      assert.match(result.error!, /^stack overflow in test "recurses" \(line 1, column \d+\)/);
      assert.match(result.error!, /limits\.maxStackBytes/);
      assert.equal(result.tests[0].message, "InternalError: stack overflow");
      assert.equal((await run(`test("fine", () => {});`)).status, "passed");
    });

    it("holds at the largest stack limit, including for deeply nested source and recursion through built-ins", async () => {
      // These paths use far more of the host's native stack per level than QuickJS counts; at this limit they would
      // crash a sandbox on Node's main thread, and must not in a worker.
      const limits = { maxStackBytes: ACCEPTANCE_SUITE_LIMITS.maxStackBytes.maximum, timeMs: 10_000 };
      const nestedSource = await run(
        `test("x", () => {}); const value = ${"[".repeat(60_000)}${"]".repeat(60_000)};`,
        null,
        limits,
      );
      assert.equal(nestedSource.status, "error", JSON.stringify(nestedSource));
      assert.match(nestedSource.error!, /^SyntaxError: stack overflow while loading the suite \(line 1, column \d+\)$/);

      const nestedEval = await run(
        `test("eval", () => eval("(".repeat(100000) + "1" + ")".repeat(100000)));`,
        null,
        limits,
      );
      assert.equal(nestedEval.status, "failed");
      assert.equal(nestedEval.tests[0].message, "SyntaxError: stack overflow");

      for (const source of [
        `test("plain", () => { function f() { return f() + 1; } f(); });`,
        `test("through map", () => { function f() { return [1].map(f); } f(); });`,
        `test("through getters", () => { const o = { get x() { return o.x; } }; o.x; });`,
        `test("through a proxy", () => { const p = new Proxy({}, { get: (t, k) => p[k] }); p.x; });`,
        `test("through JSON.parse", () => JSON.parse("[".repeat(200000) + "]".repeat(200000)));`,
      ]) {
        const result = await run(source, null, limits);
        assert.ok(["error", "failed"].includes(result.status), `${source}: ${JSON.stringify(result)}`);
        assert.match(result.error ?? result.tests[0].message!, /stack overflow/);
      }
      assert.equal((await run(`test("fine", () => {});`)).status, "passed");
    });
  });

  describe("5. no host access", () => {
    it("offers no require, process, fetch, timers, file system or module loading", async () => {
      const result = await run(`
        const absent = ["process", "require", "fetch", "setTimeout", "setInterval", "setImmediate", "queueMicrotask",
          "XMLHttpRequest", "WebSocket", "WebAssembly", "Buffer", "module", "exports", "__dirname", "std", "os", "Deno", "Bun"];
        test("host globals are undefined", () => {
          assert.equal(typeof process, "undefined");
          assert.equal(typeof require, "undefined");
          assert.equal(typeof fetch, "undefined");
          for (const name of absent) assert.equal(typeof globalThis[name], "undefined", name + " is present");
        });
        test("the Function constructor reaches only the sandbox", () => {
          assert.equal(Function("return typeof process")(), "undefined");
          assert.equal((() => {}).constructor("return this")(), globalThis);
        });
        test("dynamic import fails", async () => {
          await assert.rejects(() => import("node:fs"));
        });
        test("the clock and Math.random are available (and not deterministic)", () => {
          assert.equal(typeof Date.now(), "number");
          assert.equal(typeof Math.random(), "number");
        });
      `);
      assert.equal(result.status, "passed", JSON.stringify(result));
    });
  });

  describe("6. the test API inside the sandbox", () => {
    it("runs synchronous and asynchronous tests, settling their promises", async () => {
      const result = await run(`
        let order = [];
        test("sync", () => { order.push("sync"); });
        test("async", async () => {
          await null;
          const value = await new Promise((resolve) => resolve(41)).then((n) => n + 1);
          order.push("async");
          assert.equal(value, 42);
        });
        test("returns a rejected promise", () => Promise.reject(new RangeError("rejected on purpose")));
        test("async assertion failure", async () => { await null; assert.deepEqual({ a: [1, 2] }, { a: [1, 3] }); });
        test("ran in order", () => assert.deepEqual(order, ["sync", "async"]));
      `);
      assert.deepEqual(
        result.tests.map(({ name, passed, message }) => [name, passed, message]),
        [
          ["sync", true, undefined],
          ["async", true, undefined],
          ["returns a rejected promise", false, "RangeError: rejected on purpose"],
          ["async assertion failure", false, "values differ at $.a[1]: expected 3, got 2"],
          ["ran in order", true, undefined],
        ],
      );
    });

    it("provides assert, assert.equal (strict), assert.deepEqual (structural) and friends", async () => {
      const result = await run(`
        const fails = (fn) => assert.throws(fn, assert.AssertionError).message;
        test("assert", () => {
          assert(true);
          assert.equal(fails(() => assert(0, "zero is falsy")), "zero is falsy");
          assert.equal(fails(() => assert("")), 'expected a truthy value, got ""');
        });
        test("equal is strict", () => {
          assert.equal(NaN, NaN);
          assert.equal(fails(() => assert.equal(1, "1")), 'expected 1 to equal "1"');
          assert.equal(fails(() => assert.equal({}, {})), "expected {} to equal {}");
          assert.equal(fails(() => assert.notEqual(2, 2)), "expected a value other than 2");
        });
        test("deepEqual compares structure, not key order or identity", () => {
          assert.deepEqual({ a: 1, b: [1, { c: null }] }, { b: [1, { c: null }], a: 1 });
          assert.equal(fails(() => assert.deepEqual({ a: 1 }, { a: 1, b: 2 })), "values differ at $.b: missing; expected 2");
          assert.equal(fails(() => assert.deepEqual({ a: 1, z: 0 }, { a: 1 })), "values differ at $.z: unexpected property with value 0");
          assert.equal(fails(() => assert.deepEqual([1, 2], [1, 2, 3])), "values differ at $: expected an array of length 3, got length 2");
          assert.equal(fails(() => assert.deepEqual({ "a b": [1] }, { "a b": {} })), 'values differ at $["a b"]: expected an object, got [1]');
          assert.equal(fails(() => assert.deepEqual(1, 2, "custom")), "custom");
          assert.notDeepEqual({ a: 1 }, { a: 2 });
          let deep = {}; let same = {};
          for (let i = 0; i < 10000; i++) { deep = { next: deep }; same = { next: same }; }
          assert.deepEqual(deep, same);
        });
        test("match, throws, rejects and fail", async () => {
          assert.match("2025-03-01", /^\\d{4}-/);
          assert.throws(() => { throw new TypeError("boom"); }, TypeError);
          assert.throws(() => { throw new Error("boom"); }, /bo+m/);
          await assert.rejects(Promise.reject(new Error("later")), /later/);
          assert.equal(fails(() => assert.throws(() => {})), "expected the function to throw");
          assert.equal(fails(() => assert.fail("stop")), "stop");
        });
        test("a thrown message becomes the test's message", () => { throw new Error("the output is empty"); });
        test("so does a thrown non-Error", () => { throw { code: 42 }; });
      `);
      assert.deepEqual(
        result.tests.map(({ passed, message }) => [passed, message]),
        [
          [true, undefined],
          [true, undefined],
          [true, undefined],
          [true, undefined],
          [false, "Error: the output is empty"],
          [false, 'threw a value that is not an Error: {"code":42}'],
        ],
      );
    });

    it("captures console output into logs, bounded by maxLogBytes with a marker", async () => {
      const logged = await run(`
        console.log("plain", 1, true, null, undefined, { a: [1] }, [2], 3n);
        console.error("from error");
        test("logs too", () => console.info("inside a test"));
      `);
      assert.deepEqual(logged.logs, ['plain 1 true null undefined {"a":[1]} [2] 3n', "from error", "inside a test"]);

      const flooded = await run(
        `test("floods", () => { for (let i = 0; i < 100000; i++) console.log("line " + i); });`,
        null,
        {
          maxLogBytes: 1000,
        },
      );
      assert.equal(flooded.status, "passed");
      const marker = flooded.logs.at(-1)!;
      assert.equal(marker, "[logs truncated: the suite logged more than limits.maxLogBytes = 1000 bytes]");
      const kept = flooded.logs.slice(0, -1);
      assert.deepEqual(kept.slice(0, 2), ["line 0", "line 1"]);
      assert.ok(kept.reduce((bytes, line) => bytes + Buffer.byteLength(line) + 1, 0) <= 1000);

      const silent = await run(`console.log("dropped"); test("x", () => {});`, null, { maxLogBytes: 0 });
      assert.deepEqual(silent.logs, []);
    });

    it("gives the suite's top-level errors as status error with the message and line", async () => {
      const syntax = await run(`test("a", () => {});\nconst broken = ;\n`);
      assert.equal(syntax.status, "error");
      assert.equal(
        syntax.error,
        "SyntaxError: unexpected token in expression: ';' while loading the suite (line 2, column 16)",
      );
      assert.deepEqual(syntax.tests, []);

      const reference = await run(`test("a", () => {});\n\nundefinedHelper();`);
      assert.equal(reference.status, "error");
      assert.equal(
        reference.error,
        "ReferenceError: 'undefinedHelper' is not defined while loading the suite (line 3, column 1)",
      );

      const badRegistration = await run(`test(42, () => {});`);
      assert.equal(badRegistration.status, "error");
      assert.match(badRegistration.error!, /^TypeError: test\(name, fn\): name must be a non-empty string, got 42/);

      const tooMany = await run(`for (let i = 0; i < 4; i++) test("t" + i, () => {});`, null, { maxTests: 3 });
      assert.equal(tooMany.status, "error");
      assert.match(tooMany.error!, /more than 3 tests \(limits\.maxTests\)/);
    });

    it("refuses to register tests while tests are running", async () => {
      const result = await run(`test("outer", () => test("inner", () => {}));`);
      assert.equal(result.status, "failed");
      assert.match(result.tests[0].message!, /register every test at the top level/);
      assert.equal(result.tests.length, 1);
    });

    it("hands the suite deep copies of the output and input", async () => {
      const output = { records: [{ id: 1, tags: ["a"] }], total: 1 };
      const input = { limit: 10 };
      const before = structuredClone({ output, input });
      const result = await run(
        `
        test("mutates the output", () => {
          output.records[0].tags.push("b");
          output.records.push({ id: 2 });
          delete output.total;
          input.limit = 0;
          output.added = true;
        });
        test("sees its own mutations", () => {
          assert.equal(output.records.length, 2);
          assert.equal(input.limit, 0);
        });
      `,
        output,
        {},
        input,
      );
      assert.equal(result.status, "passed");
      assert.deepEqual({ output, input }, before);
    });

    it("leaves input undefined when the task gives none", async () => {
      const result = await run(`test("no input", () => assert.equal(input, undefined));`);
      assert.equal(result.status, "passed");
    });

    it("reports results correctly even when the suite replaces the built-ins the harness uses", async () => {
      const result = await run(`
        Object.prototype.toJSON = function () { return "tampered"; };
        Array.prototype.push = function () { return 0; };
        JSON.stringify = function () { return "{}"; };
        Promise.prototype.then = function () { return this; };
        Object.defineProperty(Array.prototype, "0", { set() {}, configurable: true });
        test("passes", () => {});
        test("fails", () => assert.equal(1, 2));
      `);
      assert.equal(result.status, "failed");
      assert.deepEqual(
        result.tests.map(({ name, passed, message }) => [name, passed, message]),
        [
          ["passes", true, undefined],
          ["fails", false, "expected 1 to equal 2"],
        ],
      );
    });
  });

  describe("8. input validation", () => {
    const valid: AcceptanceSuiteRequest = { source: `test("x", () => {});`, output: null };
    const rejects = (request: unknown, type: typeof TypeError | typeof RangeError, message: RegExp) =>
      assert.rejects(pool.run(request as AcceptanceSuiteRequest), (error: Error) => {
        assert.ok(error instanceof type, `expected a ${type.name}, got ${error.name}: ${error.message}`);
        assert.match(error.message, message);
        return true;
      });

    it("rejects a malformed request", async () => {
      await rejects(null, TypeError, /^the request must be an object/);
      await rejects([valid], TypeError, /^the request must be an object/);
      await rejects({ ...valid, timeout: 5 }, TypeError, /^timeout is not a parameter of this method/);
    });

    it("rejects a source that is not a string, is empty or is too large", async () => {
      await rejects({ output: null }, TypeError, /^source must be a string of JavaScript; got undefined/);
      await rejects({ ...valid, source: 42 }, TypeError, /^source must be a string/);
      await rejects({ ...valid, source: "  \n" }, RangeError, /^source is empty/);
      await rejects(
        { ...valid, source: "x".repeat(MAX_SOURCE_BYTES + 1) },
        RangeError,
        /^source is 262145 bytes; the limit is 262144/,
      );
      // The limit is in UTF-8 bytes, not characters.
      await rejects({ ...valid, source: "é".repeat(MAX_SOURCE_BYTES / 2 + 1) }, RangeError, /^source is 262146 bytes/);
    });

    it("rejects an output or input that is not JSON, with the path to the offending value", async () => {
      class Listing {}
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      await rejects({ source: valid.source }, TypeError, /^output is required/);
      await rejects(
        { ...valid, output: { a: [1, NaN] } },
        TypeError,
        /^output\.a\[1\] is NaN, which JSON cannot represent/,
      );
      await rejects(
        { ...valid, output: { when: new Date(0) } },
        TypeError,
        /^output\.when is a Date; only plain objects/,
      );
      await rejects({ ...valid, output: new Map() }, TypeError, /^output is a Map/);
      await rejects({ ...valid, output: [new Listing()] }, TypeError, /^output\[0\] is a Listing/);
      await rejects(
        { ...valid, output: { "odd key": undefined } },
        TypeError,
        /^output\["odd key"\] is undefined, which is not a JSON value/,
      );
      await rejects({ ...valid, output: { f: () => 1 } }, TypeError, /^output\.f is a function/);
      await rejects({ ...valid, output: { n: 1n } }, TypeError, /^output\.n is a bigint/);
      await rejects({ ...valid, output: [1, , 3] }, TypeError, /^output\[1\] is a hole in a sparse array/);
      await rejects({ ...valid, output: circular }, TypeError, /^output\.self refers back to a value that contains it/);
      await rejects({ ...valid, input: { bad: Infinity } }, TypeError, /^input\.bad is Infinity/);
    });

    it("rejects an output or input that is too large or too deep", async () => {
      let deep: JsonValue = [];
      for (let level = 0; level < MAX_JSON_DEPTH + 1; level++) deep = [deep];
      await rejects({ ...valid, output: deep }, RangeError, /^output(\[0\])+ is nested more than 64 levels deep/);
      await rejects(
        { ...valid, output: "x".repeat(MAX_JSON_BYTES) },
        RangeError,
        /^output is larger than 1048576 bytes/,
      );
      await rejects(
        { ...valid, input: { rows: Array.from({ length: 600_000 }, () => 1) } },
        RangeError,
        /^input is 1200010 bytes as JSON; the limit is 1048576/,
      );
      // Multi-byte characters count as the UTF-8 bytes they take.
      await rejects({ ...valid, output: "€".repeat(400_000) }, RangeError, /^output is 1200002 bytes as JSON/);

      let deepest: JsonValue = [];
      for (let level = 0; level < MAX_JSON_DEPTH - 1; level++) deepest = [deepest];
      const accepted = await pool.run({ ...valid, output: deepest });
      assert.equal(accepted.status, "passed");
    });

    it("rejects limits that are unknown, not whole numbers or out of range", async () => {
      await rejects({ ...valid, limits: 5 }, TypeError, /^limits must be an object/);
      await rejects(
        { ...valid, limits: { cpu: 1 } },
        TypeError,
        /^limits\.cpu is not a known limit; the limits are timeMs, memoryBytes/,
      );
      await rejects(
        { ...valid, limits: { timeMs: "1000" } },
        TypeError,
        /^limits\.timeMs must be a whole number of milliseconds; got a string/,
      );
      await rejects({ ...valid, limits: { timeMs: 1.5 } }, TypeError, /^limits\.timeMs must be a whole number/);
      await rejects(
        { ...valid, limits: { timeMs: 0 } },
        RangeError,
        /^limits\.timeMs must be between 10 and 60000 milliseconds; got 0/,
      );
      await rejects({ ...valid, limits: { memoryBytes: 2 ** 40 } }, RangeError, /^limits\.memoryBytes must be between/);
      await rejects(
        { ...valid, limits: { maxStackBytes: 512 * MiB } },
        RangeError,
        /^limits\.maxStackBytes must be between 32768 and 1048576/,
      );
      await rejects({ ...valid, limits: { maxTests: 0 } }, RangeError, /^limits\.maxTests/);
      await rejects({ ...valid, limits: { maxLogBytes: -1 } }, RangeError, /^limits\.maxLogBytes/);
    });

    it("fills in default limits and keeps the ones given", () => {
      const { limits } = normalizeAcceptanceSuiteRequest({ ...valid, limits: { timeMs: 20 } });
      assert.deepEqual(limits, { ...DEFAULT_ACCEPTANCE_SUITE_LIMITS, timeMs: 20 });
    });
  });

  describe("9. one module per worker, runs in parallel", () => {
    it("runs several suites at once, each against its own output", async () => {
      const results = await Promise.all(
        Array.from({ length: 9 }, (_, index) =>
          run(
            `test("busy for a while", () => { const end = Date.now() + 100; while (Date.now() < end); });
             test("sees its own output", () => assert.deepEqual(output, { run: ${index} }));
             globalThis.marker = ${index};
             test("sees its own globals", () => assert.equal(globalThis.marker, ${index}));`,
            { run: index },
          ),
        ),
      );
      assert.deepEqual(
        results.map((result) => result.status),
        Array.from({ length: 9 }, () => "passed"),
      );
      assert.ok(pool.workerCount <= pool.size);
    });

    it("queues runs beyond its workers and refuses new ones once the queue is full", async () => {
      const small = new SandboxPool({ workers: 1, maxQueuedRuns: 1 });
      try {
        const spin = `test("spin", () => { const end = Date.now() + 300; while (Date.now() < end); });`;
        const running = small.run({ source: spin, output: null });
        const queued = small.run({ source: spin, output: null });
        await assert.rejects(small.run({ source: spin, output: null }), SandboxBusyError);
        assert.deepEqual([(await running).status, (await queued).status], ["passed", "passed"]);
      } finally {
        await small.close();
      }
    });

    it("runs through the shared pool with runAcceptanceSuite", async () => {
      const result = await runAcceptanceSuite({ source: LISTINGS_SUITE, output: LISTINGS, input: LISTINGS_INPUT });
      assert.equal(result.status, "passed");
      await assert.rejects(runAcceptanceSuite({ source: 1 } as unknown as AcceptanceSuiteRequest), TypeError);
    });
  });

  describe("many runs", () => {
    it("does not grow memory over 200 sequential runs in one module", async () => {
      const quickjs = await getQuickJS();
      const tracked = trackRuntimes(quickjs);
      const runOnce = () => executeAcceptanceSuite(tracked, engineRun(LISTINGS_SUITE, {}));
      for (let warmUp = 0; warmUp < 20; warmUp++) assert.equal(runOnce().status, "passed");
      const wasmBytesBefore = quickjs.getWasmMemory().buffer.byteLength;
      const rssBefore = process.memoryUsage().rss;
      for (let index = 0; index < 200; index++) assert.equal(runOnce().status, "passed");
      assert.ok(
        tracked.runtimes.every((runtime) => !runtime.alive),
        "every runtime was disposed",
      );
      assert.equal(quickjs.getWasmMemory().buffer.byteLength, wasmBytesBefore, "the WebAssembly heap did not grow");
      const rssGrowth = process.memoryUsage().rss - rssBefore;
      assert.ok(rssGrowth < 64 * MiB, `rss grew by ${Math.round(rssGrowth / MiB)} MiB`);
    });

    it("does not grow the host's memory over 200 sequential runs through the pool", async () => {
      for (let warmUp = 0; warmUp < 20; warmUp++) await run(`test("x", () => assert.equal(output.n, 1));`, { n: 1 });
      const rssBefore = process.memoryUsage().rss;
      for (let index = 0; index < 200; index++) {
        const result = await run(`test("x", () => assert.equal(output.n, ${index}));`, { n: index });
        assert.equal(result.status, "passed");
      }
      const rssGrowth = process.memoryUsage().rss - rssBefore;
      assert.ok(rssGrowth < 64 * MiB, `rss grew by ${Math.round(rssGrowth / MiB)} MiB`);
      assert.ok(pool.workerCount <= pool.size);
    });
  });

  describe("method metadata", () => {
    it("describes the method, its parameters, defaults and bounds for GET /verify/methods", () => {
      assert.equal(ACCEPTANCE_SUITE_METHOD.id, "acceptance-tests");
      assert.ok(!ACCEPTANCE_SUITE_METHOD.description.includes("\n"));
      const byName = new Map(ACCEPTANCE_SUITE_METHOD.parameters.map((parameter) => [parameter.name, parameter]));
      assert.deepEqual(
        [...byName.keys()],
        [
          "source",
          "output",
          "input",
          "limits.timeMs",
          "limits.memoryBytes",
          "limits.maxStackBytes",
          "limits.maxTests",
          "limits.maxLogBytes",
        ],
      );
      assert.equal(byName.get("source")!.maxBytes, MAX_SOURCE_BYTES);
      assert.equal(byName.get("output")!.required, true);
      assert.equal(byName.get("input")!.required, false);
      for (const [name, specification] of Object.entries(ACCEPTANCE_SUITE_LIMITS)) {
        const parameter = byName.get(`limits.${name}`)!;
        assert.equal(parameter.type, "integer");
        assert.equal(parameter.default, specification.default);
        assert.equal(parameter.minimum, specification.minimum);
        assert.equal(parameter.maximum, specification.maximum);
        assert.ok(specification.minimum <= specification.default && specification.default <= specification.maximum);
      }
      assert.deepEqual(JSON.parse(JSON.stringify(ACCEPTANCE_SUITE_METHOD)), ACCEPTANCE_SUITE_METHOD);
      assert.ok(Object.isFrozen(ACCEPTANCE_SUITE_METHOD.parameters[0]));
    });
  });
});

// ---- helpers for driving the engine in this thread --------------------------------------------------------------

/**
 * In this (main) thread the engine must keep QuickJS's stack limit at its minimum: Node's main thread has about 1 MB
 * of native stack, which deep recursion inside WebAssembly could exhaust before QuickJS's own check trips. None of
 * these suites recurses deeply; the stack limit itself is tested through the pool, whose workers have 64 MiB.
 */
function engineRun(source: string, limits: Partial<AcceptanceSuiteLimits>) {
  return normalizeAcceptanceSuiteRequest({
    source,
    output: LISTINGS,
    input: LISTINGS_INPUT,
    limits: { maxStackBytes: ACCEPTANCE_SUITE_LIMITS.maxStackBytes.minimum, ...limits },
  });
}

/** One suite for each way a run can end, each tripping a different path through the engine. */
const ADVERSE_SUITES: [string, Partial<AcceptanceSuiteLimits>][] = [
  // Suites meant to end by themselves get a time limit the debug build cannot reach even on a loaded machine: ending
  // in a timeout instead would leave their own path through the engine unchecked.
  [LISTINGS_SUITE, { timeMs: 20_000 }],
  [`test("fails", () => assert.deepEqual(output.listings[0], {}));`, { timeMs: 20_000 }],
  [
    `test("throws", () => { throw new Error("no"); }); test("async throws", async () => { throw "no"; });`,
    { timeMs: 20_000 },
  ],
  [`const broken = ;`, { timeMs: 20_000 }],
  [`undefinedHelper();`, { timeMs: 20_000 }],
  [`const nothing = 1;`, { timeMs: 20_000 }],
  // The debug build is slow, so the time limits leave room for it to get the sandbox started.
  [`while (true) {}`, { timeMs: 300 }],
  [`test("spins", () => { for (;;) {} });`, { timeMs: 300 }],
  [`test("awaits forever", async () => { for (;;) await null; });`, { timeMs: 300 }],
  [`(function again() { Promise.resolve().then(again); })(); test("x", () => {});`, { timeMs: 300 }],
  [`test("never settles", () => new Promise(() => {}));`, {}],
  [
    `test("bomb", () => { const items = []; for (;;) items.push("item " + items.length); });`,
    { memoryBytes: 1 * MiB, timeMs: 20_000 },
  ],
  [
    `const map = new Map(); test("bomb", () => { for (let i = 0; ; i++) map.set(i, { i }); });`,
    { memoryBytes: 1 * MiB, timeMs: 20_000 },
  ],
  [
    `const kept = []; test("bomb", () => { for (;;) kept.push(new Uint8Array(100000)); });`,
    { memoryBytes: 1 * MiB, timeMs: 20_000 },
  ],
  [`test("logs", () => { for (let i = 0; i < 10000; i++) console.log("line", i, { i }); });`, { maxLogBytes: 200 }],
  [`Object.prototype.toJSON = () => 1; JSON.stringify = () => "{}"; test("tampers", () => assert(false));`, {}],
  [`test("outer", () => test("inner", () => {}));`, {}],
];

interface TrackedModule extends QuickJSModuleForEngine {
  runtimes: QuickJSRuntime[];
}

/** Wraps a module so that the test can check every runtime the engine created was disposed. */
function trackRuntimes(module: QuickJSWASMModule): TrackedModule {
  const runtimes: QuickJSRuntime[] = [];
  return {
    runtimes,
    newRuntime: (options) => {
      const runtime = module.newRuntime(options);
      runtimes.push(runtime);
      return runtime;
    },
    getWasmMemory: () => module.getWasmMemory(),
  };
}
