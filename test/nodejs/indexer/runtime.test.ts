// The mapping runtime against the fixture subgraph (test/fixtures/indexer/runtime-subgraph), compiled by graph-cli:
// each handler drives a group of graph-ts host functions and stores what they returned; the tests compute every
// expected value on their own (viem for ABI and keccak, @scure/base for base58, hand-derived decimals) and compare.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

import { base58 } from "@scure/base";
import {
  bytesToHex,
  encodeAbiParameters,
  encodeEventTopics,
  getCreate2Address,
  hexToBytes,
  keccak256,
  stringToBytes,
  toHex,
  type Hex,
} from "viem";

import type { RpcBlock, RpcLog, RpcTransaction } from "../../../indexer/node/chain/types.ts";
import { HandlerError, MappingRuntime, type EventTrigger } from "../../../indexer/node/runtime/index.ts";
import type { SchemaModel } from "../../../indexer/node/schema.ts";
import { StoreError, type Entity, type HostStore, type Value } from "../../../indexer/node/store/types.ts";
import { loadSubgraph, type DataSource } from "../../../indexer/node/subgraph.ts";
import { implementedHostFunctions } from "../../../indexer/node/runtime/host.ts";
import { wasm, type WasmImports } from "../../../indexer/node/runtime/wasm-api.ts";
import { buildRuntimeFixture } from "../../fixtures/indexer/runtime-subgraph/build.ts";

// ---- the fixture --------------------------------------------------------------------------------------------------

/** An in-memory HostStore with graph-node's rules that the fixture exercises: types, ids, merges, required fields. */
class MemoryStore implements HostStore {
  readonly tables = new Map<string, Map<string, Entity>>();
  readonly #schema: SchemaModel;
  #inBlock = new Set<string>();

  constructor(schema: SchemaModel) {
    this.#schema = schema;
  }

  startBlock(): void {
    this.#inBlock = new Set();
  }

  #table(type: string): Map<string, Entity> {
    if (!this.#schema.entities.has(type)) throw new StoreError(`Unknown entity type \`${type}\``);
    let table = this.tables.get(type);
    if (!table) this.tables.set(type, (table = new Map()));
    return table;
  }

  get(type: string, id: string): Entity | null {
    const entity = this.#table(type).get(id);
    return entity ? new Map(entity) : null;
  }

  getInBlock(type: string, id: string): Entity | null {
    return this.#inBlock.has(`${type}:${id}`) ? this.get(type, id) : null;
  }

  /** As graph-node: the data is merged into the stored entity, a Null removes a field, required fields must be set. */
  set(type: string, id: string, data: Entity): void {
    const table = this.#table(type);
    const model = this.#schema.entities.get(type)!;
    const idValue = data.get("id");
    const given =
      idValue?.kind === "Bytes" ? bytesToHex(idValue.value) : idValue?.kind === "String" ? idValue.value : undefined;
    if (given !== id) throw new StoreError(`${type} id ${JSON.stringify(given)} does not match ${id}`);
    const merged = new Map(table.get(id) ?? []);
    for (const [name, value] of data) {
      if (!model.fieldsByName.has(name)) throw new StoreError(`${type} has no field ${name}`);
      if (value.kind === "Null") merged.delete(name);
      else merged.set(name, value);
    }
    for (const field of model.storedFields) {
      if (!field.nullable && !merged.has(field.name)) {
        throw new StoreError(`Entity ${type}[${id}]: missing value for non-nullable field \`${field.name}\``);
      }
    }
    table.set(id, merged);
    this.#inBlock.add(`${type}:${id}`);
  }

  remove(type: string, id: string): void {
    this.#table(type).delete(id);
    this.#inBlock.delete(`${type}:${id}`);
  }

  loadRelated(type: string, id: string, field: string): Entity[] {
    const derived = this.#schema.entities.get(type)?.fieldsByName.get(field);
    if (!derived?.derivedFrom) throw new StoreError(`${type}.${field} is not a derived field`);
    const pointsHere = (value: Value | undefined): boolean =>
      value?.kind === "Bytes"
        ? bytesToHex(value.value) === id
        : value?.kind === "String"
          ? value.value === id
          : value?.kind === "Array"
            ? value.value.some(pointsHere)
            : false;
    return [...this.#table(derived.type).values()].filter((entity) => pointsHere(entity.get(derived.derivedFrom!)));
  }
}

// ---- chain data ---------------------------------------------------------------------------------------------------

const hash = (label: string): Hex => keccak256(stringToBytes(label));
const ALICE = "0x00000000000000000000000000000000000a11ce" as Hex;
const BOB = "0x0000000000000000000000000000000000000b0b" as Hex;

function chainBlock(number: number): RpcBlock {
  return {
    number: toHex(number),
    hash: hash(`block ${number}`),
    parentHash: hash(`block ${number - 1}`),
    sha3Uncles: hash("uncles"),
    miner: "0x00000000000000000000000000000000000000c0",
    stateRoot: hash(`state ${number}`),
    transactionsRoot: hash(`transactions ${number}`),
    receiptsRoot: hash(`receipts ${number}`),
    gasUsed: "0x5208",
    gasLimit: "0x1c9c380",
    timestamp: toHex(1_700_000_000 + number * 12),
    difficulty: "0x0",
    size: "0x2a0",
    baseFeePerGas: "0x3b9aca00",
    transactions: [],
  };
}

function chainTransaction(block: RpcBlock, index: number): RpcTransaction {
  return {
    hash: hash(`transaction ${block.number} ${index}`),
    nonce: toHex(40 + index),
    blockHash: block.hash,
    blockNumber: block.number,
    transactionIndex: toHex(index),
    from: ALICE,
    to: "0x00000000000000000000000000000000000f1a7e",
    value: "0xde0b6b3a7640000",
    gas: "0x30d40",
    gasPrice: "0x3b9aca07",
    input: "0xdeadbeef",
  };
}

let dataSource: DataSource;
let unsupported: DataSource;
let schema: SchemaModel;

function trigger(
  eventName: string,
  args: Record<string, unknown>,
  body: readonly unknown[],
  at: { block: RpcBlock; transaction?: RpcTransaction; logIndex?: number },
): EventTrigger {
  const handler = dataSource.eventHandlers.find((entry) => entry.abiEvent.name === eventName)!;
  const event = handler.abiEvent;
  const transaction = at.transaction ?? chainTransaction(at.block, 0);
  const log: RpcLog = {
    address: dataSource.address,
    topics: encodeEventTopics({ abi: [event], eventName, args } as never) as Hex[],
    data: encodeAbiParameters(
      event.inputs.filter((input) => !input.indexed),
      body as never,
    ),
    blockNumber: at.block.number,
    blockHash: at.block.hash,
    transactionHash: transaction.hash,
    transactionIndex: transaction.transactionIndex,
    logIndex: toHex(at.logIndex ?? 3),
  };
  return { dataSource, handler, log, block: at.block, transaction };
}

// ---- expected values ----------------------------------------------------------------------------------------------

const S = (value: string): Value => ({ kind: "String", value });
const I = (value: number): Value => ({ kind: "Int", value });
const I8 = (value: bigint): Value => ({ kind: "Int8", value });
const T = (value: bigint): Value => ({ kind: "Timestamp", value });
const N = (value: bigint): Value => ({ kind: "BigInt", value });
const D = (value: string): Value => ({ kind: "BigDecimal", value });
const B = (value: boolean): Value => ({ kind: "Bool", value });
const X = (value: Hex): Value => ({ kind: "Bytes", value: hexToBytes(value) });
const L = (value: Value[]): Value => ({ kind: "Array", value });

function entity(fields: Record<string, Value>): Entity {
  return new Map(Object.entries(fields));
}

/** Entities compare field by field, in any order. */
function assertEntity(actual: Entity | null, expected: Entity): void {
  assert.ok(actual, "the entity was not stored");
  const sort = (value: Entity) => new Map([...value.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  assert.deepEqual(sort(actual), sort(expected));
}

interface Logged {
  level: string;
  message: string;
  context: { dataSource: string; handler?: string; block?: number };
}

async function loadRuntime(logs: Logged[] = [], limits?: { gas?: bigint; memoryPages?: number }) {
  return MappingRuntime.load([dataSource], {
    logger: (level, message, context) => logs.push({ level, message, context }),
    limits,
  });
}

// ---- tests --------------------------------------------------------------------------------------------------------

describe("MappingRuntime", () => {
  before(async () => {
    const subgraph = loadSubgraph(await buildRuntimeFixture());
    [dataSource, unsupported] = subgraph.dataSources as [DataSource, DataSource];
    schema = subgraph.schema;
  });

  describe("load", () => {
    it("is given a fixture that imports every host function the runtime implements", () => {
      const imported = wasm.Module.imports(new wasm.Module(dataSource.wasm)).map((entry) => entry.name);
      assert.deepEqual(new Set(imported), implementedHostFunctions());
    });

    it("refuses a mapping that imports host functions it does not implement, naming them", async () => {
      await assert.rejects(MappingRuntime.load([dataSource, unsupported]), (error: Error) =>
        /Data source Unsupported .*does not implement: ethereum\.call \(.*\), ipfs\.cat \(.*\)\.$/.test(error.message),
      );
    });

    it("refuses a handler the mapping does not export", async () => {
      const broken = {
        ...dataSource,
        eventHandlers: [{ ...dataSource.eventHandlers[0]!, handler: "handleNothing" }],
      };
      await assert.rejects(MappingRuntime.load([broken]), /does not export the handler handleNothing/);
    });

    it("refuses an apiVersion other than the ones it implements", async () => {
      await assert.rejects(
        MappingRuntime.load([{ ...dataSource, apiVersion: "0.0.6" }]),
        /apiVersion 0\.0\.6 is not supported/,
      );
    });

    it("refuses bytes that are not a WebAssembly module", async () => {
      await assert.rejects(
        MappingRuntime.load([{ ...dataSource, wasm: new Uint8Array([1, 2, 3]), wasmPath: "/nowhere.wasm" }]),
        /the mapping is not a WebAssembly module\.$/,
      );
    });
  });

  describe("event parameters, chain data and every store value kind", () => {
    const block = chainBlock(7);
    const transaction = chainTransaction(block, 2);
    const note = "héllo ✓ 𝄞"; // two-byte, three-byte and four-byte UTF-8 (a surrogate pair in UTF-16)
    const everything = () =>
      trigger(
        "Everything",
        { id: 123456789012345678901234567890n, sender: BOB, tag: "a tag" },
        [
          { amount: 123456789n, payees: [ALICE, BOB], note, key: hash("key") },
          [0n, 1n, 2n ** 256n - 1n],
          "0x00ff10",
          -42n,
          true,
          "label",
          [-3, 300],
          [
            { who: ALICE, share: 7 },
            { who: BOB, share: 255 },
          ],
        ],
        { block, transaction, logIndex: 5 },
      );
    const id = `${transaction.hash}-5`;

    const chainFields = (at: RpcBlock): Record<string, Value> => ({
      blockNumber: N(BigInt(at.number)),
      blockHash: X(at.hash),
      parentHash: X(at.parentHash),
      unclesHash: X(at.sha3Uncles),
      author: X(at.miner),
      stateRoot: X(at.stateRoot),
      transactionsRoot: X(at.transactionsRoot),
      receiptsRoot: X(at.receiptsRoot),
      gasUsed: N(21000n),
      gasLimit: N(30_000_000n),
      blockTimestamp: N(BigInt(at.timestamp)),
      difficulty: N(0n),
      totalDifficulty: N(0n), // absent from the block: graph-node uses zero
      size: N(672n),
      baseFeePerGas: N(1_000_000_000n),
      txHash: X(transaction.hash),
      txIndex: N(2n),
      txFrom: X(ALICE),
      txTo: X(transaction.to!),
      txValue: N(10n ** 18n),
      txGasLimit: N(200_000n),
      txGasPrice: N(1_000_000_007n),
      txInput: X("0xdeadbeef"),
      txNonce: N(42n),
      emitter: X(dataSource.address),
      logIndex: N(5n),
      transactionLogIndex: N(5n), // graph-node repeats the log index here
      logTypeIsNull: B(true),
      receiptIsNull: B(true),
      // Module state changed by the previous trigger is back to its post-start value.
      globalCounter: I(1),
      staticCounter: I(1),
    });

    const eventFields: Record<string, Value> = {
      sender: X(BOB),
      tagHash: X(keccak256(stringToBytes("a tag"))), // an indexed string arrives as its hash
      note: S(note),
      key: X(hash("key")),
      amount: N(123456789n),
      legWho: L([X(ALICE), X(BOB)]),
      legShares: L([I(7), I(255)]),
      paramNames: L(["id", "sender", "tag", "info", "values", "blob", "delta", "flag", "label", "pair", "legs"].map(S)),
      // ethereum.ValueKind: UINT, ADDRESS, FIXED_BYTES (the hash), TUPLE, ARRAY, BYTES, INT, BOOL, STRING,
      // FIXED_ARRAY, ARRAY.
      paramKinds: L([4, 0, 1, 9, 8, 2, 3, 5, 6, 7, 8].map(I)),
    };

    it("stores what the handler built from the decoded event and the block", async () => {
      const store = new MemoryStore(schema);
      const runtime = await loadRuntime();
      runtime.runEventHandler(everything(), store);
      assertEntity(
        store.get("Record", id),
        entity({
          id: S(id),
          version: I(1),
          text: S("label"),
          count: I(297),
          big: N(123456789012345678901234567890n),
          ratio: D("123456.789"),
          flag: B(true),
          blob: X("0x00ff10"),
          delta: I8(-42n),
          at: T(BigInt(block.timestamp) * 1_000_000n),
          labels: L([S("label"), S(note)]),
          values: L([N(0n), N(1n), N(2n ** 256n - 1n)]),
          ratios: L([D("1.5"), D("-0.000123")]),
          flags: L([B(true), B(false)]),
          counts: L([I(-3), I(300)]),
          payees: L([X(ALICE), X(BOB)]),
          missing: S("set by version 1"),
          patched: X("0x0102"),
          patchedBig: N(1000n),
          kept: N(123456789012345678901234567890n),
          ...eventFields,
          ...chainFields(block),
        }),
      );
    });

    it("hands stored values of every kind back to the mapping unchanged (store.get)", async () => {
      const store = new MemoryStore(schema);
      const runtime = await loadRuntime();
      runtime.runEventHandler(everything(), store);
      store.startBlock();
      runtime.runEventHandler(everything(), store);
      // The second run derives each field from the loaded record (see handleEverything) and unsets `missing`: the
      // store receives a Null value for it, which removes the field.
      assertEntity(
        store.get("Record", id),
        entity({
          id: S(id),
          version: I(2),
          text: S("label+"),
          count: I(298),
          big: N(123456789012345678901234567891n),
          ratio: D("123457.289"),
          flag: B(false),
          blob: X("0x00ff10ff"),
          delta: I8(-43n),
          at: T(BigInt(block.timestamp) * 1_000_000n + 1n),
          labels: L([S("label"), S(note), S("again")]),
          values: L([N(0n), N(1n), N(2n ** 256n - 1n), N(1n)]),
          ratios: L([D("1.5"), D("-0.000123"), D("0.25")]),
          flags: L([B(true), B(false), B(true)]),
          counts: L([I(-3), I(300), I(-1)]),
          payees: L([X(ALICE), X(BOB), X("0x01")]),
          // 1000 is 0xe8 0x03 little-endian; its second byte became 0x04: 0x04e8.
          patched: X("0xaa02"),
          patchedBig: N(1256n),
          kept: N(123456789012345678901234567890n),
          ...eventFields,
          ...chainFields(block),
        }),
      );
    });

    it("starts every trigger from a fresh state: results do not depend on what ran before", async () => {
      const fresh = new MemoryStore(schema);
      (await loadRuntime()).runEventHandler(everything(), fresh);

      const store = new MemoryStore(schema);
      const runtime = await loadRuntime();
      const failure = (mode: number) => trigger("Failure", { mode }, ["boom"], { block: chainBlock(3) });
      for (const mode of [1, 3, 6, 8]) assert.throws(() => runtime.runEventHandler(failure(mode), store), HandlerError);
      runtime.runEventHandler(
        trigger("Arithmetic", {}, [5n, 3n, 1, "1", "2"], { block: chainBlock(4) }),
        new MemoryStore(schema),
      );
      runtime.runEventHandler(everything(), store);
      assertEntity(store.get("Record", id), fresh.get("Record", id)!);
    });

    it("skips a log that does not decode as the handler's event, as graph-node does, and says so", async () => {
      const logs: Logged[] = [];
      const runtime = await loadRuntime(logs);
      const store = new MemoryStore(schema);
      const valid = everything();
      const truncated = { ...valid, log: { ...valid.log, topics: valid.log.topics.slice(0, 3) } };
      runtime.runEventHandler(truncated, store);
      assert.equal(store.tables.size, 0);
      assert.equal(logs.length, 1);
      assert.equal(logs[0]!.level, "warning");
      assert.match(logs[0]!.message, /Skipped log 5 .*the log has 3 topics, Everything expects 4/);
    });
  });

  describe("BigInt and BigDecimal", () => {
    async function calculate(a: bigint, b: bigint, bits: number, x: string, y: string): Promise<Entity> {
      const store = new MemoryStore(schema);
      const at = { block: chainBlock(9), logIndex: 1 };
      const event = trigger("Arithmetic", {}, [a, b, bits, x, y], at);
      (await loadRuntime()).runEventHandler(event, store);
      const calculation = store.get("Calculation", `${event.transaction.hash}-1`);
      assert.ok(calculation);
      return calculation;
    }

    /** The BigInt fields, with JavaScript's BigInt semantics (truncating division, floor shifts, two's complement). */
    function integers(a: bigint, b: bigint, bits: number): Record<string, Value> {
      const magnitude = a < 0n ? -a : a;
      return {
        sum: N(a + b),
        difference: N(a - b),
        product: N(a * b),
        ...(b === 0n ? {} : { quotient: N(a / b), remainder: N(a % b) }),
        power: N(a ** BigInt(bits & 7)),
        bitOr: N(a | b),
        bitAnd: N(a & b),
        leftShift: N(a << BigInt(bits)),
        rightShift: N(a >> BigInt(bits)),
        parsed: N(a),
        text: S(a.toString()),
        hex: S(`0x${magnitude.toString(16)}`), // graph-node prints the magnitude
      };
    }

    it("computes with negative numbers: truncating division, floor shifts, 34-digit quotients", async () => {
      const a = -12345678901234567890123n;
      const b = 987654321n;
      const calculation = await calculate(a, b, 70, "2", "3");
      assertEntity(
        calculation,
        entity({
          id: calculation.get("id")!,
          ...integers(a, b, 70),
          decimalSum: D("5"),
          decimalDifference: D("-1"),
          decimalProduct: D("6"),
          // 34 significant digits, the last rounded half up.
          decimalQuotient: D("0.6666666666666666666666666666666667"),
          decimalEquals: B(false),
          decimalText: S("2"),
          // a / 3 is exact: -4115226300411522630041.
          intDividedByDecimal: D("-4115226300411522630041"),
          truncated: D("2"),
          compared: I(-1),
        }),
      );
    });

    it("truncates negative quotients where positive ones round up (bigdecimal 0.1.2, as in graph-node)", async () => {
      const calculation = await calculate(7n, -2n, 1, "-2", "3");
      assertEntity(
        calculation,
        entity({
          id: calculation.get("id")!,
          ...integers(7n, -2n, 1),
          decimalSum: D("1"),
          decimalDifference: D("-5"),
          decimalProduct: D("-6"),
          // The dividend's 100-digit quotient is negative: its digits are counted by an estimate that says 99, so 35
          // significant digits stay, truncated.
          decimalQuotient: D(`-0.${"6".repeat(35)}`),
          decimalEquals: B(false),
          decimalText: S("-2"),
          intDividedByDecimal: D(`2.${"3".repeat(33)}`),
          truncated: D("-2"),
          compared: I(-1),
        }),
      );
    });

    it("normalizes decimals and leaves quotients out when dividing by zero", async () => {
      const calculation = await calculate(0n, 0n, 0, "1.50e3", "0");
      assertEntity(
        calculation,
        entity({
          id: calculation.get("id")!,
          ...integers(0n, 0n, 0),
          decimalSum: D("1500"),
          decimalDifference: D("1500"),
          decimalProduct: D("0"),
          decimalEquals: B(false),
          decimalText: S("1500"),
          truncated: D("1500"),
          compared: I(1),
        }),
      );
    });

    it("rounds values past 34 significant digits when they reach the host", async () => {
      // x has 39 digits: the host reads it as 34, rounding half up on the 35th (5) for a positive value.
      const calculation = await calculate(
        2n ** 255n - 1n,
        -(2n ** 255n),
        255,
        "123456789012345678901234567890.123456789",
        "1e-9",
      );
      assertEntity(
        calculation,
        entity({
          id: calculation.get("id")!,
          ...integers(2n ** 255n - 1n, -(2n ** 255n), 255),
          decimalSum: D("123456789012345678901234567890.1235"),
          decimalDifference: D("123456789012345678901234567890.1235"),
          decimalProduct: D("123456789012345678901.2345678901235"),
          decimalQuotient: D("123456789012345678901234567890123500000"),
          decimalEquals: B(false),
          decimalText: S("123456789012345678901234567890.1235"),
          // 2^255 - 1 has 77 digits; the host reads its first 34 (the 35th is a 3: no rounding up).
          intDividedByDecimal: D(`5789604461865809771178549250434395${"0".repeat(52)}`),
          truncated: D("123456789012345678901234567890.12"),
          compared: I(1),
        }),
      );
    });
  });

  describe("conversions, JSON, keccak, ABI coding and data source properties", () => {
    it("returns what graph-node returns", async () => {
      const document =
        '{"zeta":1,"exact":1.50e+3,"i64":-9223372036854775808,"u64":18446744073709551615,"f64":0.1,' +
        '"big":123456789012345678901234567890,"list":[1,[2],{}],"nested":{"s":"\\u00fcn\\u00efcode \\ud834\\udd1e"},' +
        '"flag":true,"nothing":null,"alpha":0,"Zed":2,"é":3,"zeta":4}';
      const documentBytes = stringToBytes(document);
      const text = new Uint8Array([...stringToBytes("héllo"), 0xff, ...stringToBytes(" wörld"), 0, 0]);
      const addressText = "0xAbCdEf0123456789aBcDeF0123456789AbCdEf01";
      const event = trigger("Utilities", {}, [bytesToHex(documentBytes), bytesToHex(text), addressText], {
        block: chainBlock(11),
      });
      const store = new MemoryStore(schema);
      (await loadRuntime()).runEventHandler(event, store);

      const digest = keccak256(documentBytes);
      const address = addressText.toLowerCase() as Hex;
      const f64 = new DataView(new ArrayBuffer(8));
      f64.setFloat64(0, 0.1, true);
      assertEntity(
        store.get("Utility", digest),
        entity({
          id: X(digest),
          keccak: X(digest),
          base58: S(base58.encode(hexToBytes(digest))),
          // Invalid UTF-8 becomes U+FFFD; trailing NULs are dropped.
          text: S("héllo\ufffd wörld"),
          hexText: S(bytesToHex(text)),
          address: X(address),
          jsonKind: I(5),
          // serde_json's map is a BTreeMap: keys sorted by their UTF-8 bytes; the repeated "zeta" keeps its last value.
          jsonKeys: L(
            ["Zed", "alpha", "big", "exact", "f64", "flag", "i64", "list", "nested", "nothing", "u64", "zeta", "é"].map(
              S,
            ),
          ),
          jsonNumberText: S("1.50e+3"), // numbers keep their source text (arbitrary_precision)
          jsonI64: I8(-9223372036854775808n),
          jsonU64: N(18446744073709551615n),
          jsonF64Bits: I8(f64.getBigInt64(0, true)),
          jsonBigInt: N(123456789012345678901234567890n),
          jsonArrayLength: I(3),
          jsonNested: S("ünïcode 𝄞"),
          jsonFlag: B(true),
          jsonNullIsNull: B(true),
          tryFailed: B(true),
          tryParsedKind: I(4),
          encoded: X(
            encodeAbiParameters(
              [{ type: "tuple", components: [{ type: "uint256" }, { type: "string" }, { type: "address" }] }],
              [[42n, "hi", address]],
            ),
          ),
          decodedNumber: N(42n),
          decodedText: S("hi"),
          decodedFailedIsNull: B(true),
          dataSourceAddress: X(dataSource.address),
          dataSourceNetwork: S("hardhat"),
          dataSourceContextSize: I(0),
          create2: X(getCreate2Address({ from: address, salt: digest, bytecodeHash: digest }).toLowerCase() as Hex),
        }),
      );
    });
  });

  describe("loadRelated, get_in_block and remove", () => {
    const parent = hash("parent");
    const family = (children: number, removeChild: number, block: RpcBlock, logIndex: number) =>
      trigger("Family", { parent }, [children, removeChild], { block, logIndex });

    it("sees entities of the block being processed, related entities and removals", async () => {
      const store = new MemoryStore(schema);
      const runtime = await loadRuntime();
      const first = chainBlock(20);
      runtime.runEventHandler(family(3, 1, first, 0), store);
      const parentFields = (fields: Record<string, Value>) => entity({ id: X(parent), ...fields });
      assertEntity(
        store.get("Parent", parent),
        parentFields({
          childCount: I(3),
          relatedBeforeRemove: I(3),
          relatedAfterRemove: I(2),
          foundInBlock: B(true),
          previousInBlock: B(false),
          removedLoaded: B(false),
        }),
      );
      assert.deepEqual([...store.tables.get("Child")!.keys()], [`${parent}-0`, `${parent}-2`]);
      assertEntity(
        store.get("Child", `${parent}-2`),
        entity({ id: S(`${parent}-2`), parent: X(parent), position: I(2) }),
      );

      // Same block: the parent was set in it. Children 0 and 1 are written again, 2 is still there, 0 is removed.
      runtime.runEventHandler(family(2, 0, first, 1), store);
      assertEntity(
        store.get("Parent", parent),
        parentFields({
          childCount: I(2),
          relatedBeforeRemove: I(3),
          relatedAfterRemove: I(2),
          foundInBlock: B(true),
          previousInBlock: B(true),
          removedLoaded: B(false),
        }),
      );

      // Next block: get_in_block no longer sees the parent.
      store.startBlock();
      runtime.runEventHandler(family(1, 5, chainBlock(21), 0), store);
      assert.deepEqual(store.get("Parent", parent)!.get("previousInBlock"), B(false));
    });
  });

  describe("handler failures", () => {
    const block = chainBlock(30);
    const failure = (mode: number, reason = "boom") => trigger("Failure", { mode }, [reason], { block, logIndex: 4 });

    async function failWith(mode: number, limits?: { gas?: bigint; memoryPages?: number }): Promise<HandlerError> {
      const runtime = await loadRuntime([], limits);
      const event = failure(mode);
      try {
        runtime.runEventHandler(event, new MemoryStore(schema));
      } catch (error) {
        assert.ok(error instanceof HandlerError, `expected a HandlerError, got ${error}`);
        assert.equal(error.dataSource, "RuntimeFixture");
        assert.equal(error.handler, "handleFailure");
        assert.equal(error.blockNumber, 30);
        assert.equal(error.transactionHash, event.transaction.hash);
        assert.equal(error.logIndex, 4);
        return error;
      }
      assert.fail(`mode ${mode} did not fail`);
    }

    it("fails on log.critical, with the message", async () => {
      const error = await failWith(0);
      assert.match(error.message, /Critical error logged in mapping with log message: Critical: boom \(block 30\)$/);
      assert.match(
        error.message,
        /^Handler handleFailure of data source RuntimeFixture failed at block 30, transaction 0x/,
      );
    });

    it("fails on an assertion, with the message and where it was", async () => {
      const error = await failWith(1);
      assert.match(error.message, /Mapping aborted at src\/mapping\.ts, line \d+, column \d+, with message: boom$/);
    });

    it("fails on a store error", async () => {
      const error = await failWith(2);
      assert.match(error.message, /store error: Unknown entity type `Unknown`$/);
      assert.ok(error.cause instanceof StoreError);
    });

    it("fails on a host function error (BigInt division by zero)", async () => {
      assert.match((await failWith(3)).message, /attempted to divide BigInt `7` by zero$/);
    });

    it("fails deterministically when a handler runs out of gas", async () => {
      const first = await failWith(4, { gas: 50_000_000n });
      const second = await failWith(4, { gas: 50_000_000n });
      assert.match(first.message, /the handler ran out of gas \(limit 50000000\)$/);
      assert.equal(first.message, second.message);
    });

    it("fails when a handler exhausts its memory limit", async () => {
      const error = await failWith(5, { memoryPages: 64 });
      assert.match(
        error.message,
        /wasm trap: unreachable, with memory at \d+ of its 64 pages: most likely out of memory$/,
      );
    });

    it("fails on an AssemblyScript runtime error (index out of range)", async () => {
      assert.match(
        (await failWith(6)).message,
        /Mapping aborted at ~lib\/array\.ts, line \d+, column \d+, with message: Index out of range$/,
      );
    });

    it("fails on a trap", async () => {
      assert.match((await failWith(8)).message, /wasm trap: unreachable$/);
    });

    it("fails on a string that is not a BigInt", async () => {
      assert.match((await failWith(9)).message, /string is not a BigInt: `boom`/);
    });

    it("passes log messages at each level to the logger", async () => {
      const logs: Logged[] = [];
      const runtime = await loadRuntime(logs);
      runtime.runEventHandler(failure(7, "note"), new MemoryStore(schema));
      const context = { dataSource: "RuntimeFixture", handler: "handleFailure", block: 30 };
      assert.deepEqual(logs, [
        { level: "debug", message: "debug note", context },
        { level: "info", message: "info note", context },
        { level: "warning", message: "warning note", context },
        { level: "error", message: "error note", context },
      ]);
    });
  });

  describe("the project's subgraph", () => {
    const manifest = resolve(fileURLToPath(import.meta.url), "../../../../indexer/build/subgraph.yaml");
    it(
      "loads every data source of indexer/build: every import implemented, every handler exported",
      { skip: existsSync(manifest) ? false : "indexer/build is absent: `npm run indexer:build` builds it" },
      async () => {
        const subgraph = loadSubgraph(manifest);
        assert.ok(subgraph.dataSources.length > 0);
        await MappingRuntime.load(subgraph.dataSources);
      },
    );
  });

  describe("throughput", () => {
    it("runs handlers fast enough to index thousands of events per second, and reuses instances cheaply", async (t) => {
      const runtime = await loadRuntime();
      const store = new MemoryStore(schema);
      const block = chainBlock(40);
      const events = {
        Arithmetic: trigger("Arithmetic", {}, [-12345678901234567890123n, 987654321n, 70, "2", "3"], { block }),
        Everything: trigger(
          "Everything",
          { id: 1n, sender: BOB, tag: "t" },
          [{ amount: 5n, payees: [ALICE], note: "n", key: hash("k") }, [1n], "0x01", 1n, true, "l", [1, 2], []],
          { block },
        ),
        // Mode 10 does nothing: what is left is the runtime's own cost per trigger.
        "Failure (no-op)": trigger("Failure", { mode: 10 }, ["x"], { block }),
      };
      const cpuMicroseconds = (run: () => void, count: number) => {
        const start = process.cpuUsage();
        for (let i = 0; i < count; i++) run();
        const used = process.cpuUsage(start);
        return (used.user + used.system) / count;
      };
      for (const [name, event] of Object.entries(events)) {
        const run = () => {
          store.tables.clear();
          runtime.runEventHandler(event, store);
        };
        cpuMicroseconds(run, 200); // warm-up: V8 tiers the code up
        const perEvent = cpuMicroseconds(run, 2000);
        t.diagnostic(`${name}: ${perEvent.toFixed(1)} µs of CPU per event, ${Math.round(1e6 / perEvent)} events/s`);
        // A floor far below the measured figures, so that a loaded machine does not fail the test.
        assert.ok(perEvent < 1000, `${name} takes ${perEvent} µs per event`);
      }

      // What graph-node does instead: a fresh instance (and `_start`) per trigger.
      const module = new wasm.Module(dataSource.wasm);
      const imports: WasmImports = {};
      for (const { module: from, name } of wasm.Module.imports(module)) (imports[from] ??= {})[name] = () => {};
      const fresh = cpuMicroseconds(() => (new wasm.Instance(module, imports).exports._start as () => void)(), 200);
      t.diagnostic(`a fresh instance and _start: ${fresh.toFixed(1)} µs of CPU`);

      // The figures depend on the machine and its load: a fixed loop gives them a scale.
      let x = 0;
      const reference = cpuMicroseconds(() => {
        for (let i = 0; i < 10_000_000; i++) x = (x * 31 + i) | 0;
      }, 1);
      t.diagnostic(
        `for scale, 10^7 iterations of an integer loop: ${(reference / 1000).toFixed(1)} ms of CPU (${x & 1})`,
      );
    });
  });
});
