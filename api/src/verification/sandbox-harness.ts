// The test harness that runs inside the QuickJS sandbox, ahead of the poster's suite.
//
// It is plain ES2020 source evaluated as a function expression; the engine calls that function once with the host's
// log callback, the submission's output and the task's input (as JSON text) and a few settings, and gets back an
// object of functions it drives the run with. The harness defines the suite's globals: `test`, `assert`, `console`,
// `output` and `input`.
//
// Everything the harness relies on is captured before the suite runs, and every value it hands back to the host is a
// string it built itself from primitives (never an object the suite could have touched), so a suite that replaces
// built-ins such as `Array.prototype.push`, `JSON.stringify` or `Object.prototype.toJSON` can break its own tests but
// not the host's reading of the results.

/** The file name the suite is evaluated under; error locations are reported against it. */
export const SUITE_FILENAME = "suite.js";

/** The file name the harness is evaluated under, so its own stack frames are distinguishable from the suite's. */
export const HARNESS_FILENAME = "harness.js";

/** Settings the engine passes to the harness, as JSON text. */
export interface HarnessSettings {
  maxTests: number;
  maxLogBytes: number;
  maxNameChars: number;
  maxMessageChars: number;
  suiteFilename: string;
}

/**
 * How a thrown value is described to the host. `kind` separates the engine's own resource errors (which QuickJS raises
 * as `InternalError`) from the suite's errors:
 * - "assertion": an `assert` call failed; `message` is the assertion's message.
 * - "error": any other Error object.
 * - "memory": QuickJS ran out of memory (`InternalError: out of memory`).
 * - "null": `null` was thrown. QuickJS throws `null` when it cannot even allocate the out-of-memory error.
 * - "stack": QuickJS's stack limit was hit (`InternalError: stack overflow`).
 * - "interrupted": the engine's watchdog interrupted the run (deadline reached or heap outgrown).
 * - "value": something other than an Error was thrown; `message` is a short rendering of it.
 */
export interface ThrownDescription {
  kind: "assertion" | "error" | "memory" | "null" | "stack" | "interrupted" | "value";
  name: string;
  message: string;
  line: number;
  column: number;
}

/** A test's outcome as reported by the harness's `runTest`. */
export interface HarnessTestOutcome {
  passed: boolean;
  thrown?: ThrownDescription;
}

// Kept free of backticks (even in comments) so that it can live inside this template string.
export const HARNESS_SOURCE = String.raw`(function installHarness(hostLog, outputJson, inputJson, settingsJson) {
  "use strict";

  var global = globalThis;
  var apply = Reflect.apply;
  var ObjectCreate = Object.create;
  var ObjectDefineProperty = Object.defineProperty;
  var ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  var ObjectGetPrototypeOf = Object.getPrototypeOf;
  var ObjectIs = Object.is;
  var ObjectKeys = Object.keys;
  var ObjectPrototype = Object.prototype;
  var ArrayIsArray = Array.isArray;
  var arraySort = Array.prototype.sort;
  var JSONParse = JSON.parse;
  var JSONStringify = JSON.stringify;
  var StringConstructor = String;
  var stringSlice = String.prototype.slice;
  var regExpExec = RegExp.prototype.exec;
  var regExpTest = RegExp.prototype.test;
  var RegExpPrototype = RegExp.prototype;
  var PromiseConstructor = Promise;
  var promiseResolve = Promise.resolve;
  var promiseThen = Promise.prototype.then;
  var MapConstructor = Map;
  var mapGet = Map.prototype.get;
  var mapSet = Map.prototype.set;
  var ErrorConstructor = Error;
  var ErrorPrototype = Error.prototype;
  var InternalErrorPrototype = InternalError.prototype;
  var TypeErrorConstructor = TypeError;
  var RangeErrorConstructor = RangeError;

  var settings = JSONParse(settingsJson);
  var locationPattern = new RegExp(settings.suiteFilename.replace(/[.]/g, "[.]") + ":(\\d+):(\\d+)");
  var identifierPattern = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

  // ---- small, tamper-proof helpers --------------------------------------------------------------------------------

  function slice(text, start, end) {
    return apply(stringSlice, text, [start, end]);
  }

  function clip(text, maxChars) {
    return text.length > maxChars ? slice(text, 0, maxChars - 1) + "\u2026" : text;
  }

  function safeString(value) {
    try {
      return StringConstructor(value);
    } catch (error) {
      return "[value that cannot be converted to a string]";
    }
  }

  function readProperty(object, key) {
    try {
      return object[key];
    } catch (error) {
      return undefined;
    }
  }

  // A short, single-line rendering of a value for assertion messages and logs.
  function render(value, maxChars) {
    var text;
    try {
      if (typeof value === "string") text = JSONStringify(value);
      else if (value === undefined) text = "undefined";
      else if (typeof value === "number") text = ObjectIs(value, -0) ? "-0" : StringConstructor(value);
      else if (typeof value === "bigint") text = StringConstructor(value) + "n";
      else if (typeof value === "function") text = "[Function " + (safeString(readProperty(value, "name")) || "anonymous") + "]";
      else if (typeof value !== "object" || value === null) text = safeString(value);
      else if (isError(value)) text = safeString(readProperty(value, "name")) + ": " + safeString(readProperty(value, "message"));
      else {
        text = JSONStringify(value);
        if (typeof text !== "string") text = safeString(value);
      }
    } catch (error) {
      text = safeString(value);
    }
    return clip(text, maxChars);
  }

  // Walks the prototype chain with captured functions; instanceof would consult a replaceable Symbol.hasInstance.
  function hasPrototype(value, prototype) {
    try {
      var current = ObjectGetPrototypeOf(value);
      for (var depth = 0; current !== null && depth < 100; depth++) {
        if (current === prototype) return true;
        current = ObjectGetPrototypeOf(current);
      }
    } catch (error) {}
    return false;
  }

  function isError(value) {
    return (typeof value === "object" || typeof value === "function") && value !== null && hasPrototype(value, ErrorPrototype);
  }

  function ownDataValue(object, key) {
    try {
      var descriptor = ObjectGetOwnPropertyDescriptor(object, key);
      return descriptor && "value" in descriptor ? descriptor.value : undefined;
    } catch (error) {
      return undefined;
    }
  }

  // JSON for a flat record of primitives, built by hand: JSON.stringify of an object would consult a toJSON method the
  // suite may have added to Object.prototype.
  function encodeRecord(keys, values) {
    var json = "{";
    for (var index = 0; index < keys.length; index++) {
      if (index > 0) json += ",";
      json += JSONStringify(keys[index]) + ":" + (values[index] === undefined ? "null" : JSONStringify(values[index]));
    }
    return json + "}";
  }

  // ---- describing thrown values -----------------------------------------------------------------------------------

  function describeThrown(thrown) {
    var kind = "value";
    var name = "";
    var message = "";
    var line = 0;
    var column = 0;
    if (thrown === null) {
      kind = "null";
      message = "null";
    } else if (isError(thrown)) {
      kind = "error";
      name = safeString(readProperty(thrown, "name"));
      message = safeString(readProperty(thrown, "message"));
      if (hasPrototype(thrown, AssertionError.prototype)) kind = "assertion";
      else if (hasPrototype(thrown, InternalErrorPrototype)) {
        var ownMessage = ownDataValue(thrown, "message");
        if (ownMessage === "out of memory") kind = "memory";
        else if (ownMessage === "stack overflow") kind = "stack";
        else if (ownMessage === "interrupted") kind = "interrupted";
      }
      var stack = readProperty(thrown, "stack");
      if (typeof stack === "string") {
        var match = apply(regExpExec, locationPattern, [stack]);
        if (match) {
          line = +match[1];
          column = +match[2];
        }
      }
    } else {
      message = render(thrown, settings.maxMessageChars);
    }
    return encodeRecord(
      ["kind", "name", "message", "line", "column"],
      [kind, clip(name, 100), clip(message, settings.maxMessageChars), line, column]
    );
  }

  // ---- assert -----------------------------------------------------------------------------------------------------

  class AssertionError extends ErrorConstructor {
    constructor(message) {
      super(message);
      this.name = "AssertionError";
    }
  }

  function fail(message, fallback) {
    throw new AssertionError(message === undefined ? fallback : safeString(message));
  }

  function assert(condition, message) {
    if (!condition) fail(message, "expected a truthy value, got " + render(condition, 120));
  }

  function formatPath(path, key) {
    return apply(regExpTest, identifierPattern, [key]) ? path + "." + key : path + "[" + JSONStringify(key) + "]";
  }

  function sortedKeys(object) {
    return apply(arraySort, ObjectKeys(object), []);
  }

  // Structural equality for JSON-like values, iterative so that deep values cannot overflow the stack. Returns a
  // description of the first difference, or undefined when the values are equal. Objects are compared by their own
  // enumerable string keys, arrays by length and elements, and everything else with Object.is.
  function findDifference(actual, expected) {
    var pending = ObjectCreate(null);
    var pendingCount = 0;
    var compared = new MapConstructor();
    pending[pendingCount++] = [actual, expected, "$"];
    while (pendingCount > 0) {
      var entry = pending[--pendingCount];
      var left = entry[0];
      var right = entry[1];
      var path = entry[2];
      if (ObjectIs(left, right)) continue;
      var leftIsObject = typeof left === "object" && left !== null;
      var rightIsObject = typeof right === "object" && right !== null;
      if (!leftIsObject || !rightIsObject) {
        return path + ": expected " + render(right, 120) + ", got " + render(left, 120);
      }
      // Comparing a pair again (a cycle, or shared structure) adds nothing.
      if (apply(mapGet, compared, [left]) === right) continue;
      apply(mapSet, compared, [left, right]);
      var leftIsArray = ArrayIsArray(left);
      if (leftIsArray !== ArrayIsArray(right)) {
        return path + ": expected " + (leftIsArray ? "an object" : "an array") + ", got " + render(left, 120);
      }
      if (leftIsArray) {
        if (left.length !== right.length) {
          return path + ": expected an array of length " + right.length + ", got length " + left.length;
        }
        // Pushed in reverse so that the first differing element is reported first.
        for (var index = left.length - 1; index >= 0; index--) {
          pending[pendingCount++] = [left[index], right[index], path + "[" + index + "]"];
        }
        continue;
      }
      var leftKeys = sortedKeys(left);
      var rightKeys = sortedKeys(right);
      for (var position = 0; position < rightKeys.length; position++) {
        if (ObjectGetOwnPropertyDescriptor(left, rightKeys[position]) === undefined) {
          return formatPath(path, rightKeys[position]) + ": missing; expected " + render(right[rightKeys[position]], 120);
        }
      }
      for (position = 0; position < leftKeys.length; position++) {
        if (ObjectGetOwnPropertyDescriptor(right, leftKeys[position]) === undefined) {
          return formatPath(path, leftKeys[position]) + ": unexpected property with value " + render(left[leftKeys[position]], 120);
        }
      }
      for (position = rightKeys.length - 1; position >= 0; position--) {
        var key = rightKeys[position];
        pending[pendingCount++] = [left[key], right[key], formatPath(path, key)];
      }
    }
    return undefined;
  }

  function matchesExpectation(thrown, expected) {
    if (expected === undefined) return true;
    if (typeof expected === "function") return hasPrototype(thrown, expected.prototype);
    if (typeof expected === "object" && expected !== null && hasPrototype(expected, RegExpPrototype)) {
      return apply(regExpTest, expected, [isError(thrown) ? safeString(readProperty(thrown, "message")) : safeString(thrown)]);
    }
    throw new TypeErrorConstructor("assert.throws/rejects: expected must be an Error class or a RegExp, got " + render(expected, 120));
  }

  assert.ok = function ok(condition, message) {
    if (!condition) fail(message, "expected a truthy value, got " + render(condition, 120));
  };
  assert.equal = function equal(actual, expected, message) {
    if (!ObjectIs(actual, expected)) fail(message, "expected " + render(actual, 120) + " to equal " + render(expected, 120));
  };
  assert.notEqual = function notEqual(actual, expected, message) {
    if (ObjectIs(actual, expected)) fail(message, "expected a value other than " + render(expected, 120));
  };
  assert.deepEqual = function deepEqual(actual, expected, message) {
    var difference = findDifference(actual, expected);
    if (difference !== undefined) fail(message, "values differ at " + difference);
  };
  assert.notDeepEqual = function notDeepEqual(actual, expected, message) {
    if (findDifference(actual, expected) === undefined) fail(message, "expected the values to differ, both are " + render(actual, 120));
  };
  assert.match = function match(text, pattern, message) {
    if (typeof text !== "string" || !apply(regExpTest, pattern, [text])) {
      fail(message, "expected " + render(text, 120) + " to match " + safeString(pattern));
    }
  };
  assert.throws = function throws(fn, expected, message) {
    if (typeof fn !== "function") throw new TypeErrorConstructor("assert.throws: the first argument must be a function");
    try {
      fn();
    } catch (thrown) {
      if (!matchesExpectation(thrown, expected)) fail(message, "the function threw an unexpected error: " + render(thrown, 200));
      return thrown;
    }
    fail(message, "expected the function to throw");
  };
  assert.rejects = function rejects(promiseOrFn, expected, message) {
    var promise;
    try {
      promise = typeof promiseOrFn === "function" ? promiseOrFn() : promiseOrFn;
    } catch (thrown) {
      return apply(promiseThen, apply(promiseResolve, PromiseConstructor, [undefined]), [
        function () {
          fail(message, "expected a rejected promise, but the function threw synchronously: " + render(thrown, 200));
        },
      ]);
    }
    return apply(promiseThen, apply(promiseResolve, PromiseConstructor, [promise]), [
      function () {
        fail(message, "expected the promise to reject");
      },
      function (thrown) {
        if (!matchesExpectation(thrown, expected)) fail(message, "the promise rejected with an unexpected error: " + render(thrown, 200));
        return thrown;
      },
    ]);
  };
  assert.fail = function assertFail(message) {
    fail(message, "assert.fail() was called");
  };
  assert.AssertionError = AssertionError;

  // ---- console ----------------------------------------------------------------------------------------------------

  var logBudget = settings.maxLogBytes;

  function emit(args) {
    if (logBudget <= 0) return;
    var line = "";
    for (var index = 0; index < args.length && line.length <= logBudget; index++) {
      if (index > 0) line += " ";
      line += typeof args[index] === "string" ? args[index] : render(args[index], logBudget + 1);
    }
    // One character past the budget tells the host the line was cut; the host measures bytes and marks the cut.
    var remaining = hostLog(slice(line, 0, logBudget + 1));
    logBudget = typeof remaining === "number" ? remaining : 0;
  }

  var console = {
    log: function log() { emit(arguments); },
    info: function info() { emit(arguments); },
    warn: function warn() { emit(arguments); },
    error: function error() { emit(arguments); },
    debug: function debug() { emit(arguments); },
  };

  // ---- test registry ----------------------------------------------------------------------------------------------

  var tests = ObjectCreate(null);
  var testCount = 0;
  var loading = true;

  function test(name, fn) {
    if (!loading) {
      throw new ErrorConstructor("test() was called while the tests were running; register every test at the top level of the suite");
    }
    if (typeof name !== "string" || name.length === 0) {
      throw new TypeErrorConstructor("test(name, fn): name must be a non-empty string, got " + render(name, 120));
    }
    if (typeof fn !== "function") {
      throw new TypeErrorConstructor("test(name, fn): fn must be a function, got " + render(fn, 120) + " for test " + render(name, 120));
    }
    if (testCount >= settings.maxTests) {
      throw new RangeErrorConstructor("test(name, fn): the suite registered more than " + settings.maxTests + " tests (limits.maxTests)");
    }
    tests[testCount++] = [clip(name, settings.maxNameChars), fn];
  }

  function outcome(passed, thrown) {
    return passed ? '{"passed":true}' : '{"passed":false,"thrown":' + describeThrown(thrown) + "}";
  }

  function onPassed() {
    return outcome(true);
  }

  function onFailed(thrown) {
    return outcome(false, thrown);
  }

  // ---- globals and the engine's controls --------------------------------------------------------------------------

  function defineGlobal(name, value) {
    ObjectDefineProperty(global, name, { value: value, writable: true, configurable: true, enumerable: false });
  }

  defineGlobal("test", test);
  defineGlobal("assert", assert);
  defineGlobal("console", console);
  defineGlobal("output", JSONParse(outputJson));
  defineGlobal("input", inputJson === undefined ? undefined : JSONParse(inputJson));

  return {
    // Ends registration and returns the registered names as a JSON array.
    testNames: function testNames() {
      loading = false;
      var json = "[";
      for (var index = 0; index < testCount; index++) json += (index > 0 ? "," : "") + JSONStringify(tests[index][0]);
      return json + "]";
    },
    // Runs one test and returns a promise of its outcome as JSON. Synchronous tests settle at once; asynchronous ones
    // settle as the engine runs the pending jobs.
    runTest: function runTest(index) {
      var fn = tests[index][1];
      try {
        var returned = apply(fn, undefined, []);
        if ((typeof returned === "object" || typeof returned === "function") && returned !== null && typeof returned.then === "function") {
          return apply(promiseThen, apply(promiseResolve, PromiseConstructor, [returned]), [onPassed, onFailed]);
        }
        return apply(promiseResolve, PromiseConstructor, [outcome(true)]);
      } catch (thrown) {
        return apply(promiseResolve, PromiseConstructor, [outcome(false, thrown)]);
      }
    },
    describe: describeThrown,
  };
})`;
