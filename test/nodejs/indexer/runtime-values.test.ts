// The mapping runtime's value semantics on their own: graph-node's BigInt encoding and parsing, its BigDecimal
// (bigdecimal 0.1.2, checked against a literal port of that crate's algorithms and hand-derived values), JSON as
// serde_json reads it, ABI encoding (checked against viem) and the gas instrumentation of WebAssembly modules.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { decodeAbiParameters, encodeAbiParameters, hexToBytes, parseAbiParameter, type AbiParameter } from "viem";

import {
  decodeEventLog,
  decodeValue,
  encodeValueAsTuple,
  prepareEvent,
  type EthereumValue,
} from "../../../indexer/node/runtime/abi.ts";
import {
  bigIntFromString,
  checkBigInt,
  decimalAdd,
  decimalDivide,
  decimalFromString,
  decimalMultiply,
  decimalSubtract,
  decimalToString,
  fromSignedBytesLE,
  MappingError,
  normalize,
  parseDecimal,
  toSignedBytesLE,
  type Decimal,
} from "../../../indexer/node/runtime/big-number.ts";
import { AscHeap } from "../../../indexer/node/runtime/heap.ts";
import type { Value } from "../../../indexer/node/store/types.ts";
import { parseJson, type JsonValue } from "../../../indexer/node/runtime/json.ts";
import { wasm } from "../../../indexer/node/runtime/wasm-api.ts";
import { instrumentModule } from "../../../indexer/node/runtime/wasm-instrument.ts";

// ---- a literal port of bigdecimal 0.1.2 (src/lib.rs), the reference for the runtime's faster version ------------

function referenceBits(n: bigint): number {
  return (n < 0n ? -n : n).toString(2).replace(/^0$/, "").length;
}

function referenceCountDecimalDigits(n: bigint): number {
  if (n === 0n) return 1;
  let digits = Math.floor(referenceBits(n) / 3.3219280949);
  let num = 10n ** BigInt(digits);
  while (n >= num) {
    num *= 10n;
    digits++;
  }
  return digits;
}

function referenceRoundingTerm(n: bigint): bigint {
  if (n === 0n) return 0n;
  let power = 10n ** BigInt(Math.floor(referenceBits(n) / 3.3219280949));
  for (;;) {
    if (n < power) return 1n;
    power *= 5n;
    if (n < power) return 0n;
    power *= 2n;
  }
}

function referenceWithPrecision(value: Decimal, precision: number): Decimal {
  const digits = referenceCountDecimalDigits(value.digits);
  if (digits > precision) {
    const diff = digits - precision;
    const power = 10n ** BigInt(diff);
    let quotient = value.digits / power;
    const remainder = value.digits % power;
    if (power < 10n * remainder) quotient += referenceRoundingTerm(remainder);
    return { digits: quotient, scale: value.scale - BigInt(diff) };
  }
  if (digits < precision) {
    const diff = precision - digits;
    return { digits: value.digits * 10n ** BigInt(diff), scale: value.scale + BigInt(diff) };
  }
  return value;
}

/** graph-node's `normalized()`: with_prec(34), then `to_radix_be` and the trailing zeros counted off. */
function referenceNormalize(value: Decimal): Decimal {
  if (value.digits === 0n) return { digits: 0n, scale: 0n };
  const rounded = referenceWithPrecision(value, 34);
  const negative = rounded.digits < 0n;
  const digits = (negative ? -rounded.digits : rounded.digits).toString();
  const trailing = digits.length - digits.replace(/0+$/, "").length;
  const kept = BigInt(digits.slice(0, digits.length - trailing) || "0");
  return { digits: negative ? -kept : kept, scale: rounded.scale - BigInt(trailing) };
}

function referenceImplDivision(num: bigint, den: bigint, scale: bigint, maxPrecision: number): Decimal {
  if (num === 0n) return { digits: 0n, scale: 0n };
  if (num < 0n && den < 0n) return referenceImplDivision(-num, -den, scale, maxPrecision);
  if (num < 0n || den < 0n) {
    const result = referenceImplDivision(num < 0n ? -num : num, den < 0n ? -den : den, scale, maxPrecision);
    return { digits: -result.digits, scale: result.scale };
  }
  while (num < den) {
    scale += 1n;
    num *= 10n;
  }
  let quotient = num / den;
  let remainder = num % den;
  if (remainder === 0n) return { digits: quotient, scale };
  let precision = referenceCountDecimalDigits(quotient);
  remainder *= 10n;
  while (remainder !== 0n && precision < maxPrecision) {
    const q = remainder / den;
    const r = remainder % den;
    quotient = quotient * 10n + q;
    remainder = r * 10n;
    precision++;
    scale++;
  }
  if (remainder !== 0n) quotient += referenceRoundingTerm(remainder / den);
  return { digits: quotient, scale };
}

function referenceEquals(x: Decimal, y: Decimal): boolean {
  if (x.scale > y.scale) return x.digits === y.digits * 10n ** (x.scale - y.scale);
  if (x.scale < y.scale) return x.digits * 10n ** (y.scale - x.scale) === y.digits;
  return x.digits === y.digits;
}

/** graph-node's `Div` for normalized operands: bigdecimal's division, then normalized. */
function referenceDivide(x: Decimal, y: Decimal): Decimal {
  if (x.digits === 0n || referenceEquals(y, { digits: 1n, scale: 0n })) return referenceNormalize(x);
  const scale = x.scale - y.scale;
  if (x.digits === y.digits) return referenceNormalize({ digits: 1n, scale });
  return referenceNormalize(referenceImplDivision(x.digits, y.digits, scale, 100));
}

/** A deterministic pseudo-random source, so that a failure reproduces. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function randomInteger(next: () => number, maxDigits: number): bigint {
  const length = 1 + Math.floor(next() * maxDigits);
  let text = "";
  for (let i = 0; i < length; i++) text += Math.floor(next() * 10);
  // Runs of zeros and nines stress rounding carries and trailing-zero removal.
  if (next() < 0.2) text = text.replace(/[0-4]/g, "0");
  if (next() < 0.2) text = text.replace(/[5-8]/g, "9");
  const value = BigInt(text);
  return next() < 0.5 ? -value : value;
}

const decimal = (text: string) => decimalToString(decimalFromString(text));

describe("graph-node's BigInt", () => {
  it("encodes as the shortest little-endian two's complement, zero as one byte", () => {
    const cases: [bigint, number[]][] = [
      [0n, [0]],
      [1n, [1]],
      [-1n, [0xff]],
      [127n, [0x7f]],
      [128n, [0x80, 0x00]],
      [-128n, [0x80]],
      [-129n, [0x7f, 0xff]],
      [255n, [0xff, 0x00]],
      [256n, [0x00, 0x01]],
      [-32768n, [0x00, 0x80]],
      [-32769n, [0xff, 0x7f, 0xff]],
      [2n ** 63n, [0, 0, 0, 0, 0, 0, 0, 0x80, 0]],
    ];
    for (const [value, bytes] of cases) {
      assert.deepEqual([...toSignedBytesLE(value)], bytes, `${value}`);
      assert.equal(fromSignedBytesLE(Uint8Array.from(bytes)), value);
    }
    const next = random(1);
    for (let i = 0; i < 2000; i++) {
      const value = randomInteger(next, 90);
      assert.equal(fromSignedBytesLE(toSignedBytesLE(value)), value);
    }
  });

  it("parses decimal text as num-bigint 0.2 does", () => {
    assert.equal(bigIntFromString("+5"), 5n);
    assert.equal(bigIntFromString("-0"), 0n);
    assert.equal(bigIntFromString("1_000_000"), 1_000_000n);
    assert.equal(bigIntFromString("-12_3"), -123n);
    for (const bad of ["", "-", "+", "-+5", "+-5", "--5", "++5", "_1", "-_1", "1.5", "0x10", " 1", "1e3", "١"]) {
      assert.throws(() => bigIntFromString(bad), MappingError, JSON.stringify(bad));
    }
  });

  it("refuses values beyond 131072 decimal digits (435412 bits with the sign)", () => {
    assert.equal(checkBigInt(2n ** 435410n), 2n ** 435410n);
    assert.equal(checkBigInt(-(2n ** 435411n) + 1n), -(2n ** 435411n) + 1n);
    assert.throws(() => checkBigInt(2n ** 435411n), /BigInt is too big, total bits 435413 \(max 435412\)/);
  });
});

/**
 * Memory as the heap sees it, with a bump allocator as AssemblyScript's stub runtime has: 16-byte aligned blocks after
 * a 4-byte mmInfo. `restart` starts the next value on a fresh arena at the same place.
 */
function testHeap(): { memory: { buffer: ArrayBuffer }; heap: AscHeap; restart: () => void } {
  const memory = { buffer: new ArrayBuffer(1 << 20), grow: () => assert.fail("no growth expected") };
  let next = 16;
  const allocate = (size: number) => {
    const pointer = next + 4;
    next = (pointer + size + 15) & ~15;
    return pointer;
  };
  const heap = new AscHeap(memory, allocate, (index) => 100 + index, new Map());
  const restart = () => {
    heap.resetArena();
    next = 16;
  };
  return { memory, heap, restart };
}

describe("BigInts written into a mapping's memory", () => {
  it("are the shortest little-endian two's complement, on every path (small, safe integer, wide)", () => {
    const { memory, heap, restart } = testHeap();
    const values = [0n, 1n, -1n, 127n, 128n, -128n, -129n, 255n, 256n, 32767n, 32768n, -32768n, -32769n];
    for (let bits = 16n; bits <= 70n; bits++) {
      for (const delta of [-1n, 0n, 1n]) values.push((1n << bits) + delta, -(1n << bits) + delta);
    }
    values.push(2n ** 53n - 1n, -(2n ** 53n - 1n), 2n ** 53n, -(2n ** 53n), 10n ** 18n, -(10n ** 30n), 2n ** 255n);
    for (const value of values) {
      restart();
      const pointer = heap.bigInt(value);
      const view = new DataView(memory.buffer);
      const dataStart = view.getUint32(pointer + 4, true);
      const length = view.getUint32(pointer + 8, true);
      assert.deepEqual(
        new Uint8Array(memory.buffer, dataStart, length),
        toSignedBytesLE(value),
        `the bytes of ${value}`,
      );
      assert.equal(heap.readBigInt(pointer), value);
    }
  });
});

describe("Entities written into a mapping's memory", () => {
  it("hold their fields sorted by name and leave nulls out, whatever the order of the map they come from", () => {
    const { heap, restart } = testHeap();
    const sortedFields = ["amount", "id", "label", "owner", "zeta"];
    const values: Record<string, Value> = {
      amount: { kind: "BigInt", value: 10n ** 20n },
      id: { kind: "String", value: "t-1" },
      label: { kind: "Null" },
      owner: { kind: "Bytes", value: Uint8Array.of(1, 2, 3) },
      zeta: { kind: "Int", value: -7 },
    };
    const orders = [
      ["amount", "id", "label", "owner", "zeta"],
      ["id", "owner"],
      ["zeta", "id", "amount", "owner", "label"],
      ["id", "zeta", "amount"],
    ];
    for (const order of orders) {
      const entity = new Map(order.map((name) => [name, values[name]!]));
      const expected = sortedFields.filter((name) => order.includes(name) && name !== "label");
      for (const fields of [sortedFields, undefined]) {
        restart();
        const written = heap.readEntity(heap.entity(entity, fields));
        assert.deepEqual([...written.keys()], expected, `from ${order.join(", ")}`);
        for (const name of expected) assert.deepEqual(written.get(name), values[name], name);
      }
    }
  });
});

describe("graph-node's BigDecimal", () => {
  it("parses and prints like bigdecimal 0.1.2, normalized", () => {
    const cases: [string, string][] = [
      ["0", "0"],
      ["-0", "0"],
      ["0.000", "0"],
      ["1.50", "1.5"],
      ["1.50e3", "1500"],
      ["1.50E+3", "1500"],
      ["1e++3", "1000"], // one '+' is removed, then i64::from_str accepts another
      ["1e-5", "0.00001"],
      ["-.5", "-0.5"],
      ["+.5", "0.5"],
      ["5.", "5"],
      ["1._5", "0.15"], // "1_5" parses (num-bigint skips underscores) but the "_" counts as a decimal place
      ["100", "100"],
      ["-123.4560", "-123.456"],
      // 39 digits, positive: 34 kept, rounded half up on the 35th.
      ["123456789012345678901234567890123456789", "123456789012345678901234567890123500000"],
      [`${"9".repeat(34)}50`, `1${"0".repeat(36)}`], // the rounding carries into a 35th digit
      // Negative: truncated, and the digit count is an estimate (38 here for 39 digits), so 35 digits stay.
      ["-123456789012345678901234567890123456789", "-123456789012345678901234567890123450000"],
    ];
    for (const [input, output] of cases) assert.equal(decimal(input), output, input);
    for (const bad of ["", ".", "e5", "1e", "abc", "1.2.3", "1e5.5", "1 ", "_1", "--1", "1e99999999999999999999"]) {
      assert.equal(parseDecimal(bad), undefined, JSON.stringify(bad));
    }
  });

  it("divides as bigdecimal 0.1.2: 100 digits, rounded, then cut to 34 (positive) or truncated (negative)", () => {
    const divide = (x: string, y: string) => decimalToString(decimalDivide(decimalFromString(x), decimalFromString(y)));
    assert.equal(divide("2", "3"), "0.6666666666666666666666666666666667");
    assert.equal(divide("-2", "3"), `-0.${"6".repeat(35)}`);
    assert.equal(divide("2", "-3"), `-0.${"6".repeat(35)}`);
    assert.equal(divide("-2", "-3"), "0.6666666666666666666666666666666667");
    assert.equal(divide("1", "8"), "0.125");
    assert.equal(divide("-1", "8"), "-0.125");
    assert.equal(divide("10", "4"), "2.5");
    assert.equal(divide("1.5", "1"), "1.5");
    assert.equal(divide("7", "7"), "1");
    assert.equal(divide("0", "7"), "0");
    assert.throws(() => divide("1", "0"), /attempted to divide BigDecimal `1` by zero/);
  });

  it("adds, subtracts and multiplies exactly, then normalizes", () => {
    const x = decimalFromString("0.1");
    const y = decimalFromString("0.2");
    assert.equal(decimalToString(decimalAdd(x, y)), "0.3");
    assert.equal(decimalToString(decimalSubtract(x, y)), "-0.1");
    assert.equal(decimalToString(decimalMultiply(x, y)), "0.02");
    assert.equal(
      decimalToString(decimalMultiply(decimalFromString("1e20"), decimalFromString("1e20"))),
      `1${"0".repeat(40)}`,
    );
  });

  it("matches a literal port of bigdecimal 0.1.2 on random values", () => {
    const next = random(7);
    for (let i = 0; i < 3000; i++) {
      const value = { digits: randomInteger(next, 110), scale: BigInt(Math.floor(next() * 80) - 40) };
      assert.deepEqual(normalize(value), referenceNormalize(value), `normalize ${value.digits}e${-value.scale}`);
    }
    for (let i = 0; i < 1500; i++) {
      const x = normalize({ digits: randomInteger(next, 60), scale: BigInt(Math.floor(next() * 40) - 20) });
      const y = normalize({ digits: randomInteger(next, 40) || 1n, scale: BigInt(Math.floor(next() * 40) - 20) });
      assert.deepEqual(decimalDivide(x, y), referenceDivide(x, y), `${decimalToString(x)} / ${decimalToString(y)}`);
    }
  });
});

describe("JSON as serde_json reads it", () => {
  const parse = (text: string) => parseJson(new TextEncoder().encode(text));

  it("keeps number text, sorts keys, keeps the last of repeated keys", () => {
    const value = parse(' {"b": 1.50e+3, "a": [true, false, null, -0, "x\\u00e9\\ud834\\udd1e"], "b": 2, "B": {}} ');
    const expected: JsonValue = {
      kind: "object",
      entries: [
        ["B", { kind: "object", entries: [] }],
        [
          "a",
          {
            kind: "array",
            items: [
              { kind: "bool", value: true },
              { kind: "bool", value: false },
              { kind: "null" },
              { kind: "number", text: "-0" },
              { kind: "string", value: "xé𝄞" },
            ],
          },
        ],
        ["b", { kind: "number", text: "2" }],
      ],
    };
    assert.deepEqual(value, expected);
    assert.deepEqual(parse('{"é":1,"z":2,"𝄞":3,"\uffff":4}'), {
      kind: "object",
      entries: [
        ["z", { kind: "number", text: "2" }],
        ["é", { kind: "number", text: "1" }],
        ["\uffff", { kind: "number", text: "4" }],
        ["𝄞", { kind: "number", text: "3" }], // code point order, not UTF-16 order
      ],
    });
  });

  it("rejects what serde_json rejects", () => {
    const bad = [
      "",
      " ",
      "01",
      "1.",
      ".5",
      "-",
      "1e",
      "+1",
      "[1,]",
      '{"a":1,}',
      "[1 2]",
      '{"a" 1}',
      "{a:1}",
      "'x'",
      '"\\ud800"',
      '"\\udc00"',
      '"\\x"',
      '"a\tb"',
      "nul",
      "truex",
      "1 2",
      "NaN",
      "\ufeff1",
      "[".repeat(128) + "]".repeat(128),
    ];
    for (const text of bad) assert.throws(() => parse(text), Error, JSON.stringify(text));
    assert.deepEqual(parse("[".repeat(127) + "]".repeat(127)).kind, "array");
    assert.throws(() => parseJson(new Uint8Array([0x22, 0xff, 0x22])), /invalid UTF-8/);
  });
});

describe("ethereum.encode and ethereum.decode", () => {
  const word = (value: bigint): EthereumValue => ({ kind: 4, value });
  const cases: { type: string; value: EthereumValue; viem: unknown }[] = [
    { type: "uint256", value: word(42n), viem: 42n },
    { type: "int256", value: { kind: 3, value: -5n }, viem: -5n },
    { type: "bool", value: { kind: 5, value: true }, viem: true },
    { type: "address", value: { kind: 0, bytes: new Uint8Array(20).fill(0xab) }, viem: `0x${"ab".repeat(20)}` },
    { type: "bytes3", value: { kind: 1, bytes: Uint8Array.of(1, 2, 3) }, viem: "0x010203" },
    { type: "bytes", value: { kind: 2, bytes: new Uint8Array(40).fill(7) }, viem: `0x${"07".repeat(40)}` },
    { type: "string", value: { kind: 6, value: "héllo" }, viem: "héllo" },
    { type: "uint8[]", value: { kind: 8, items: [word(1n), word(2n)] }, viem: [1, 2] },
    { type: "uint8[2]", value: { kind: 7, items: [word(1n), word(2n)] }, viem: [1, 2] },
    {
      type: "(uint256,string,bool[])",
      value: {
        kind: 9,
        items: [word(7n), { kind: 6, value: "x" }, { kind: 8, items: [{ kind: 5, value: false }] }],
      },
      viem: [7n, "x", [false]],
    },
    {
      type: "(uint256,bytes)[2]",
      value: {
        kind: 7,
        items: [
          { kind: 9, items: [word(1n), { kind: 2, bytes: Uint8Array.of(9) }] },
          { kind: 9, items: [word(2n), { kind: 2, bytes: new Uint8Array() }] },
        ],
      },
      viem: [
        [1n, "0x09"],
        [2n, "0x"],
      ],
    },
  ];

  it("encodes a value as abi.encode(value) does", () => {
    for (const { type, value, viem } of cases) {
      const param = parseAbiParameter(type) as AbiParameter;
      assert.deepEqual(encodeValueAsTuple(value), hexToBytes(encodeAbiParameters([param], [viem as never])), type);
    }
  });

  it("decodes back, and gives null for a bad type or bad data", () => {
    for (const { type, value } of cases) assert.deepEqual(decodeValue(type, encodeValueAsTuple(value)), value, type);
    assert.equal(decodeValue("uint256", Uint8Array.of(1)), undefined);
    assert.equal(decodeValue("notatype", new Uint8Array(32)), undefined);
    const decoded = decodeAbiParameters([{ type: "uint256" }], encodeValueAsTuple(word(2n ** 256n - 1n)));
    assert.equal(decoded[0], 2n ** 256n - 1n);
  });
});

describe("event logs of elementary static types", () => {
  const event = {
    type: "event",
    name: "Words",
    inputs: [
      { name: "id", type: "uint256", indexed: true },
      { name: "who", type: "address", indexed: true },
      { name: "label", type: "string", indexed: true },
      { name: "small", type: "uint8", indexed: false },
      { name: "medium", type: "uint48", indexed: false },
      { name: "wide", type: "uint64", indexed: false },
      { name: "delta", type: "int16", indexed: false },
      { name: "balance", type: "int256", indexed: false },
      { name: "flag", type: "bool", indexed: false },
      { name: "tag", type: "bytes4", indexed: false },
      { name: "hash", type: "bytes32", indexed: false },
      { name: "payee", type: "address", indexed: false },
    ],
  } as const;
  const fast = prepareEvent(event);
  // The same event decoded by viem alone: what the words must give, values and refusals alike.
  const reference = { ...fast, wordsOnly: false };
  const word = (hex: string) => hex.padStart(64, "0");

  it("takes the fast path, and decodes every word as viem does, refusals included", () => {
    assert.equal(fast.wordsOnly, true);
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    const randomWord = () => {
      let hex = "";
      for (let i = 0; i < 8; i++) hex += random().toString(16).padStart(8, "0").slice(0, 8);
      // Mostly small values, sometimes full words (beyond the type's range, negative, dirty padding).
      return random() % 3 === 0 ? hex : word(hex.slice(0, random() % 20));
    };
    for (let round = 0; round < 400; round++) {
      const words = Array.from({ length: 9 }, randomWord);
      // A boolean is 0 or 1 unless a round says otherwise; viem refuses the others.
      words[5] = round % 10 === 0 ? word("2") : word(String(round % 2));
      const topics = [fast.selector, `0x${randomWord()}`, `0x${randomWord()}`, `0x${randomWord()}`] as `0x${string}`[];
      let data = `0x${words.join("")}`;
      if (round % 25 === 1) data = data.slice(0, -2); // too short
      if (round % 25 === 2) data = `${data.slice(0, 10)}zz${data.slice(12)}`; // not hex
      if (round % 25 === 3) data = `${data}00`; // trailing bytes, ignored
      assert.deepEqual(
        decodeEventLog(fast, topics, data as `0x${string}`),
        decodeEventLog(reference, topics, data as `0x${string}`),
        `round ${round}: ${data}`,
      );
    }
  });

  it("decodes the extremes of each type", () => {
    const topics = [fast.selector, `0x${"f".repeat(64)}`, `0x${word("ab")}`, `0x${"12".repeat(32)}`] as `0x${string}`[];
    const data = `0x${[
      word("ff"),
      word("f".repeat(12)),
      "f".repeat(64),
      "f".repeat(64),
      "8" + "0".repeat(63),
      word("1"),
      "deadbeef" + "0".repeat(56),
      "ff".repeat(32),
      "11".repeat(12) + "22".repeat(20),
    ].join("")}` as `0x${string}`;
    const params = decodeEventLog(fast, topics, data);
    assert.deepEqual(params, decodeEventLog(reference, topics, data));
    assert.ok(Array.isArray(params));
    assert.deepEqual(params[3]!.value, { kind: 4, value: 255n });
    assert.deepEqual(params[4]!.value, { kind: 4, value: 2n ** 48n - 1n });
    assert.deepEqual(params[5]!.value, { kind: 4, value: 2n ** 256n - 1n });
    assert.deepEqual(params[6]!.value, { kind: 3, value: -1n });
    assert.deepEqual(params[7]!.value, { kind: 3, value: -(2n ** 255n) });
    assert.deepEqual(params[11]!.value, { kind: 0, bytes: new Uint8Array(20).fill(0x22) });
  });
});

describe("gas instrumentation", () => {
  // (module (memory 1) (func (export "spin") (param i32) (result i32) (loop (br_if 0 (local.tee 0 (i32.sub (local.get 0)
  // (i32.const 1))))) (local.get 0)) (global (mut i32) (i32.const 5)))
  const module = Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x03, 0x02, 0x01,
    0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x06, 0x06, 0x01, 0x7f, 0x01, 0x41, 0x05, 0x0b, 0x07, 0x08, 0x01, 0x04, 0x73,
    0x70, 0x69, 0x6e, 0x00, 0x00, 0x0a, 0x12, 0x01, 0x10, 0x00, 0x03, 0x40, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x22, 0x00,
    0x0d, 0x00, 0x0b, 0x20, 0x00, 0x0b,
  ]);

  it("charges each loop iteration, traps when the budget is spent, and is deterministic", () => {
    assert.ok(wasm.validate(module));
    const instrumented = instrumentModule(module, { maxMemoryPages: 4 });
    assert.ok(wasm.validate(instrumented.binary));
    assert.deepEqual(instrumented.functions.get("spin"), { params: ["i32"], results: ["i32"] });
    assert.deepEqual(instrumented.globalExports, ["__graph_node_global_0"]);
    const instance = new wasm.Instance(new wasm.Module(instrumented.binary), {});
    const gas = instance.exports[instrumented.gasExport] as { value: bigint };
    const spin = instance.exports.spin as (n: number) => number;

    gas.value = 1_000_000n;
    assert.equal(spin(10), 0);
    const perTen = 1_000_000n - gas.value;
    gas.value = 1_000_000n;
    spin(20);
    const perTwenty = 1_000_000n - gas.value;
    // Each iteration costs the loop body: local.get 18, i32.const 16, i32.sub 26, local.tee 21, br_if 63, end 100
    // (the end is charged with the body's segment).
    assert.equal(perTwenty - perTen, 10n * (18n + 16n + 26n + 21n + 63n + 100n));

    gas.value = 5_000n;
    assert.throws(() => spin(1_000_000), wasm.RuntimeError);
    assert.ok(gas.value < 0n);
    const stoppedAt = gas.value;
    gas.value = 5_000n;
    assert.throws(() => spin(1_000_000), wasm.RuntimeError);
    assert.equal(gas.value, stoppedAt);
  });

  it("caps the memory", () => {
    const instrumented = instrumentModule(module, { maxMemoryPages: 4 });
    assert.ok(wasm.validate(instrumented.binary));
    // A memory section with one memory of 1 page at most 4 (flags 1: a maximum follows).
    assert.ok(Buffer.from(instrumented.binary).includes(Buffer.from([0x05, 0x04, 0x01, 0x01, 0x01, 0x04])));
  });
});
