// The two ways an entity table takes versions: the JSON rows of `insertSql` (json_to_recordset, the PostgreSQL server
// path) and the text rows of `copySql` (COPY FROM a blob, the PGlite path). Both must store exactly the same thing for
// every value kind, so the same awkward versions go through each into its own subgraph schema of one in-memory
// PGlite, and everything is read back and compared: the decoded entities with each other and with what was written,
// and the raw rows (closed versions and the generated full-text column included) with each other.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { PGlite } from "@electric-sql/pglite";

import { parseSchema } from "../../../indexer/node/schema.ts";
import { BLOCK_FROM, BLOCK_TO, VID, createTablesSql, tableRef } from "../../../indexer/node/store/layout.ts";
import { CopyTextWriter } from "../../../indexer/node/store/copy-text.ts";
import { EntityTable } from "../../../indexer/node/store/table.ts";
import type { Entity, Value } from "../../../indexer/node/store/types.ts";
import { mergeEntity } from "../../../indexer/node/store/values.ts";

/** The scalar types a field can have, with the field name stem used for each. */
const SCALARS = [
  ["string", "String"],
  ["int", "Int"],
  ["int8", "Int8"],
  ["timestamp", "Timestamp"],
  ["bigInt", "BigInt"],
  ["decimal", "BigDecimal"],
  ["bool", "Boolean"],
  ["bytes", "Bytes"],
  // An enum is stored as text; references are stored as their entity's id (String for Kitchen, Bytes for Account).
  ["color", "Color"],
  ["kitchen", "Kitchen"],
  ["account", "Account"],
] as const;

/**
 * Every type in the four shapes a field can take: `x: T!`, `xMaybe: T`, `xs: [T!]!` and `xsMaybe: [T]` (a nullable
 * list of nullable items). A full-text search adds a generated column, which neither insert lists.
 */
const SCHEMA = parseSchema(`
  enum Color {
    Red
    Green
    Blue
  }

  type Account @entity {
    id: Bytes!
    label: String
  }

  type Kitchen @entity {
    id: ID!
    ${SCALARS.map(
      ([stem, type]) => `${stem}: ${type}!\n${stem}Maybe: ${type}\n${stem}s: [${type}!]!\n${stem}sMaybe: [${type}]`,
    ).join("\n")}
  }

  type _Schema_
    @fulltext(
      name: "kitchenSearch"
      language: en
      algorithm: rank
      include: [{ entity: "Kitchen", fields: [{ name: "string" }, { name: "stringMaybe" }] }]
    )
`);

// Value builders.
const str = (value: string): Value => ({ kind: "String", value });
const int = (value: number): Value => ({ kind: "Int", value });
const int8 = (value: bigint): Value => ({ kind: "Int8", value });
const timestamp = (value: bigint): Value => ({ kind: "Timestamp", value });
const bigInt = (value: bigint): Value => ({ kind: "BigInt", value });
const decimal = (value: string): Value => ({ kind: "BigDecimal", value });
const bool = (value: boolean): Value => ({ kind: "Bool", value });
const bytes = (hex: string): Value => ({ kind: "Bytes", value: new Uint8Array(Buffer.from(hex.slice(2), "hex")) });
const list = (...values: Value[]): Value => ({ kind: "Array", value: values });
const NULL: Value = { kind: "Null" };

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Strings that are special somewhere on the way: to COPY, to an array literal, to JSON, or to UTF-8. */
const TRICKY_STRINGS = [
  "",
  " ",
  "  padded  ",
  "tab\there",
  "line\nbreak",
  "carriage\rreturn",
  "crlf\r\n",
  "\t\n\r",
  "back\\slash",
  "\\",
  "\\\\",
  "ends with a backslash\\",
  "\\N",
  "\\.",
  "\\x0102",
  "\\t not a tab",
  "NULL",
  "null",
  'double "quotes"',
  '"',
  "'single'",
  "{braces}",
  "{",
  "}",
  "{}",
  "a,b,c",
  ",",
  "emoji 🚀🦄 outside the BMP 𝄞 \u{10FFFF}",
  "Ünïcödé, 中文, עברית, e\u0301, zero\u200bwidth, \uFEFFbom",
  `a long string past the short-text threshold, with every special at the end: \\ \t \n \r " { } , NULL`,
  "a long string past the short-text threshold, with nothing to escape anywhere in it at all",
  "x".repeat(10_000),
];

const ALICE = "0x00000000000000000000000000000000000a11ce";
const BOB = "0x0000000000000000000000000000000000000b0b";
const HASH = `0x${"5c09".repeat(16)}`;

/** Kitchens whose every field holds an awkward value; the first one is also referenced by the others. */
const KITCHENS: Record<string, Value>[] = [
  {
    id: str("everything"),
    string: str('all at once: \\ \t \n \r " { } , NULL \\N 🚀'),
    stringMaybe: str("NULL"),
    strings: list(...TRICKY_STRINGS.map(str)),
    stringsMaybe: list(NULL, str("NULL"), str(""), NULL, str('"'), str("\\"), NULL),
    int: int(INT32_MIN),
    intMaybe: int(INT32_MAX),
    ints: list(int(0), int(-1), int(INT32_MAX), int(INT32_MIN)),
    intsMaybe: list(NULL, int(7), NULL),
    int8: int8(INT64_MIN),
    int8Maybe: int8(INT64_MAX),
    int8s: list(int8(INT64_MIN), int8(INT64_MAX), int8(0n)),
    int8sMaybe: list(int8(-1n), NULL),
    timestamp: timestamp(INT64_MAX),
    timestampMaybe: timestamp(INT64_MIN),
    timestamps: list(timestamp(1_700_000_000_000_000n), timestamp(-1n)),
    timestampsMaybe: list(NULL),
    bigInt: bigInt(-(10n ** 80n) + 1n),
    bigIntMaybe: bigInt(2n ** 256n),
    bigInts: list(bigInt(10n ** 80n - 1n), bigInt(-(10n ** 80n) + 1n), bigInt(0n)),
    bigIntsMaybe: list(bigInt(-(2n ** 255n)), NULL, bigInt(1n)),
    // The store keeps decimals in plain notation: 1e40 arrives as a 1 and forty zeros, 1e-30 as thirty decimals.
    decimal: decimal(`1${"0".repeat(40)}`),
    decimalMaybe: decimal("-0.000000000000000000000000000001"),
    decimals: list(decimal("0"), decimal("-12345678901234567890.000000000000000000001"), decimal("0.5")),
    decimalsMaybe: list(NULL, decimal(`-9${"9".repeat(79)}.25`), NULL),
    bool: bool(false),
    boolMaybe: bool(true),
    bools: list(bool(true), bool(false), bool(true)),
    boolsMaybe: list(bool(false), NULL, bool(true)),
    bytes: bytes("0x"),
    bytesMaybe: bytes(`0x${"ff00".repeat(600)}`),
    bytess: list(bytes("0x0102"), bytes("0x"), bytes(HASH), bytes("0x5c")),
    bytessMaybe: list(NULL, bytes("0x00"), NULL),
    color: str("Red"),
    colorMaybe: str("Blue"),
    colors: list(str("Green"), str("Green"), str("Red")),
    colorsMaybe: list(NULL, str("Blue")),
    kitchen: str("tab\there"),
    kitchenMaybe: str("everything"),
    kitchens: list(str("everything"), str("a,b"), str('"quoted"'), str("{}")),
    kitchensMaybe: list(NULL, str("NULL")),
    account: bytes(ALICE),
    accountMaybe: bytes(BOB),
    accounts: list(bytes(ALICE), bytes(BOB)),
    accountsMaybe: list(bytes(BOB), NULL),
  },
  // Only the required fields, each as empty as it can be.
  {
    id: str(""),
    string: str(""),
    strings: list(),
    int: int(0),
    ints: list(),
    int8: int8(0n),
    int8s: list(),
    timestamp: timestamp(0n),
    timestamps: list(),
    bigInt: bigInt(0n),
    bigInts: list(),
    decimal: decimal("0"),
    decimals: list(),
    bool: bool(true),
    bools: list(),
    bytes: bytes("0x"),
    bytess: list(),
    color: str("Green"),
    colors: list(),
    kitchen: str(""),
    kitchens: list(),
    account: bytes("0x"),
    accounts: list(),
  },
  // Nullable lists that are empty, or hold nothing but nulls.
  {
    id: str("tab\there"),
    string: str("\\N"),
    stringMaybe: str("\\"),
    strings: list(str(""), str("NULL"), str("\\N")),
    stringsMaybe: list(),
    int: int(1),
    ints: list(int(1)),
    intsMaybe: list(NULL, NULL),
    int8: int8(-1n),
    int8s: list(int8(1n)),
    int8sMaybe: list(),
    timestamp: timestamp(1n),
    timestamps: list(timestamp(0n)),
    timestampsMaybe: list(NULL, NULL, NULL),
    bigInt: bigInt(-1n),
    bigInts: list(bigInt(-1n)),
    bigIntsMaybe: list(),
    decimal: decimal("-1.5"),
    decimals: list(decimal("1")),
    decimalsMaybe: list(NULL),
    bool: bool(false),
    bools: list(bool(false)),
    boolsMaybe: list(NULL),
    bytes: bytes("0x00"),
    bytess: list(bytes("0x")),
    bytessMaybe: list(),
    color: str("Blue"),
    colors: list(str("Blue")),
    colorsMaybe: list(),
    kitchen: str("everything"),
    kitchens: list(str("")),
    kitchensMaybe: list(NULL),
    account: bytes(BOB),
    accounts: list(bytes(BOB)),
    accountsMaybe: list(),
  },
  // Every tricky string in every string-like place, ids and references included.
  ...TRICKY_STRINGS.map((text, index) => ({
    id: str(`tricky ${index}: ${text}`),
    string: str(text),
    stringMaybe: str(`${text}${text}`),
    strings: list(str(text), str(text)),
    stringsMaybe: list(str(text), NULL),
    int: int(index),
    ints: list(),
    int8: int8(BigInt(index)),
    int8s: list(),
    timestamp: timestamp(BigInt(index)),
    timestamps: list(),
    bigInt: bigInt(BigInt(index)),
    bigInts: list(),
    decimal: decimal(`${index}.1`),
    decimals: list(),
    bool: bool(index % 2 === 0),
    bools: list(),
    bytes: bytes(`0x${index.toString(16).padStart(2, "0")}`),
    bytess: list(),
    color: str("Red"),
    colors: list(),
    kitchen: str(text),
    kitchenMaybe: str(text),
    kitchens: list(str(text)),
    kitchensMaybe: list(NULL, str(text)),
    account: bytes(ALICE),
    accounts: list(),
  })),
];

const ACCOUNTS: Record<string, Value>[] = [
  { id: bytes(ALICE), label: str("Alice\t\\") },
  { id: bytes(BOB) },
  { id: bytes("0x"), label: str("") },
  { id: bytes(HASH), label: str("NULL") },
];

/** An entity as the store holds it after `store.set()`: checked against the schema, nulls left out. */
function stored(type: string, fields: Record<string, Value>): Entity {
  const model = SCHEMA.entities.get(type)!;
  const table = new EntityTable("unused", model, SCHEMA);
  const id = fields.id!;
  const key = id.kind === "Bytes" ? `0x${Buffer.from(id.value).toString("hex")}` : (id as { value: string }).value;
  return mergeEntity(model, table.fields, key, new Map(Object.entries(fields)), undefined);
}

/**
 * The history every table gets: each entity first as written above for blocks 1 to 2, then changed from block 2 on
 * (the next entity's fields under its own id), so that closed and open versions both hold every awkward value.
 */
function history(type: string, entities: Record<string, Value>[]) {
  const first = entities.map((fields) => stored(type, fields));
  const second = entities.map((fields, index) =>
    stored(type, { ...entities[(index + 1) % entities.length]!, id: fields.id! }),
  );
  const versions = [
    ...first.map((entity) => ({ from: 1, to: 2 as number | null, entity })),
    ...second.map((entity) => ({ from: 2, to: null as number | null, entity })),
  ];
  return { first, second, versions };
}

const JSON_SCHEMA = "subgraph_json";
const COPY_SCHEMA = "subgraph_copy";
const INT8_OID = 20;
const NUMERIC_OID = 1700;

describe("entity table: COPY rows store what JSON rows store", () => {
  let db: PGlite;

  before(async () => {
    // The parsers of the store's own PGlite (database.ts): int8 as bigint, numeric as its exact text.
    db = new PGlite({
      parsers: { [INT8_OID]: (value: string) => BigInt(value), [NUMERIC_OID]: (value: string) => value },
    });
    await db.waitReady;
    await db.exec(createTablesSql(JSON_SCHEMA, SCHEMA) + createTablesSql(COPY_SCHEMA, SCHEMA));
  });

  after(async () => {
    await db?.close();
  });

  const tables = (type: string) => ({
    json: new EntityTable(JSON_SCHEMA, SCHEMA.entities.get(type)!, SCHEMA),
    copy: new EntityTable(COPY_SCHEMA, SCHEMA.entities.get(type)!, SCHEMA),
  });

  async function current(table: EntityTable): Promise<Entity[]> {
    const result = await db.query<{ rows: string | null }>(table.selectCurrentSql, [0, 1_000_000]);
    const rows = result.rows[0]!.rows;
    return rows === null ? [] : (JSON.parse(rows) as unknown[][]).map((row) => table.decodeRow(row));
  }

  /** One version as {@link EntityTable.writeCopyRow} writes it, read back as text. */
  function copyRow(table: EntityTable, from: number, to: number | null, entity: Entity): string {
    const out = new CopyTextWriter(16);
    table.writeCopyRow(out, from, to, entity);
    return new TextDecoder("utf-8", { fatal: true }).decode(out.take());
  }

  /** Every version as PGlite's own parsers return it, `__vid` left out, in insertion order. */
  async function rawVersions(table: EntityTable): Promise<Record<string, unknown>[]> {
    const result = await db.query<Record<string, unknown>>(`SELECT * FROM ${table.ref} ORDER BY ${VID}`);
    return result.rows.map(({ [VID]: _, ...row }) => row);
  }

  for (const [type, entities] of [
    ["Kitchen", KITCHENS],
    ["Account", ACCOUNTS],
  ] as const) {
    it(`${type}: both ways read back as the entities written, open and closed versions alike`, async () => {
      const { json, copy } = tables(type);
      const { first, second, versions } = history(type, entities);
      await db.query(json.insertSql, [
        `[${versions.map(({ from, to, entity }) => json.encodeVersion(from, to, entity)).join(",")}]`,
      ]);
      // A writer that starts small, so that rows cross the points where its buffer grows.
      const out = new CopyTextWriter(16);
      for (const { from, to, entity } of versions) copy.writeCopyRow(out, from, to, entity);
      await db.query(copy.copySql, [], { blob: new Blob([out.take()]) });

      // The raw rows, closed versions and the full-text column included, are the same both ways.
      const jsonVersions = await rawVersions(json);
      assert.equal(jsonVersions.length, versions.length);
      assert.deepEqual(await rawVersions(copy), jsonVersions);

      assert.deepEqual(await current(json), second);
      assert.deepEqual(await current(copy), second);

      // Reverting to block 1 reopens the first versions: they read back as written too.
      for (const table of [json, copy]) {
        await db.query(table.deleteAfterSql, [1]);
        await db.query(table.reopenAfterSql, [1]);
      }
      assert.deepEqual(await current(json), first);
      assert.deepEqual(await current(copy), first);
    });
  }

  it("lists every stored column once, in insertSql's order, and leaves out __vid and the generated column", () => {
    const { copy } = tables("Kitchen");
    const columns = (sql: string) => sql.slice(sql.indexOf("(") + 1, sql.indexOf(")")).split(", ");
    assert.deepEqual(columns(copy.copySql), columns(copy.insertSql));
    assert.equal(columns(copy.copySql).length, 2 + SCHEMA.entities.get("Kitchen")!.storedFields.length);
    assert.equal(copy.copySql.includes("kitchenSearch") || copy.copySql.includes(VID), false);
    assert.match(copy.copySql, new RegExp(`^COPY ${escapeRegExp(tableRef(COPY_SCHEMA, "Kitchen"))} \\(`));
    assert.ok(copy.copySql.endsWith(" FROM '/dev/blob'"));
    assert.deepEqual(columns(copy.copySql).slice(0, 2), [BLOCK_FROM, BLOCK_TO]);
  });

  it("writes the COPY text format byte for byte", () => {
    const { copy } = tables("Account");
    assert.equal(
      copyRow(copy, 3, null, stored("Account", { id: bytes("0x0102"), label: str('a\tb\\c\n"d"\r') })),
      '3\t\\N\t\\\\x0102\ta\\tb\\\\c\\n"d"\\r\n',
    );
    assert.equal(copyRow(copy, 3, 9, stored("Account", { id: bytes("0x") })), "3\t9\t\\\\x\t\\N\n");
    const kitchen = tables("Kitchen").copy;
    const row = copyRow(kitchen, 1, null, stored("Kitchen", { ...KITCHENS[0]!, bytess: list(bytes("0x0102")) }));
    assert.ok(row.includes('\t{"\\\\\\\\x0102"}\t'), "a bytea item is quoted, its backslash doubled twice");
    const strings = copyRow(
      kitchen,
      1,
      null,
      stored("Kitchen", { ...KITCHENS[1]!, strings: list(str('q"\\\t')), stringsMaybe: list(NULL, str("NULL")) }),
    );
    assert.ok(strings.includes('\t{"q\\\\"\\\\\\\\\\t"}\t'), "a quote and a backslash escaped twice, a tab once");
    assert.ok(strings.includes('\t{NULL,"NULL"}\t'), "a null item is bare, the text NULL quoted");
    assert.equal(row.split("\n").length, 2, "one line per version");
  });

  it("the store refuses the values COPY text could not carry, before they reach an encoder", () => {
    assert.throws(() => stored("Account", { id: bytes(ALICE), label: str("nul\0") }), /NUL character/);
    assert.throws(() => stored("Account", { id: bytes(ALICE), label: str("lone \ud800") }), /unpaired UTF-16/);
    assert.throws(() => stored("Kitchen", { ...KITCHENS[1]!, decimal: decimal("1e40") }), /plain notation/);
  });

  it("measures encoding and writing both ways (printed, not asserted)", async () => {
    const { json, copy } = tables("Kitchen");
    const wide = stored("Kitchen", {
      ...KITCHENS[1]!,
      id: str("wide"),
      string: str("A task description of ordinary length, with nothing to escape in it"),
      stringMaybe: str("Open"),
      strings: list(str("solidity"), str("audit"), str("urgent")),
      int8: int8(1_700_000_000n),
      timestamp: timestamp(1_700_000_000_000_000n),
      bigInt: bigInt(10n ** 21n),
      bigIntMaybe: bigInt(123_456_789n),
      decimal: decimal("1234.5678"),
      bytes: bytes(HASH),
      bytesMaybe: bytes(ALICE),
      kitchen: str("everything"),
      account: bytes(ALICE),
      accounts: list(bytes(ALICE), bytes(BOB)),
      intsMaybe: list(int(1), int(2), NULL),
    });
    // Batches of rows joined into one payload, as a write sends them: joining flattens the strings the encoders
    // build piece by piece, a cost that belongs to the encoding.
    const BATCH = 1_000;
    const rate = (encodeBatch: () => { length: number }): number => {
      for (let warm = 0; warm < 5; warm++) encodeBatch();
      let rows = 0;
      let length = 0;
      const start = performance.now();
      while (performance.now() - start < 500) {
        length += encodeBatch().length;
        rows += BATCH;
      }
      assert.ok(length > 0);
      return Math.round(rows / ((performance.now() - start) / 1_000));
    };
    const batch = (encode: () => string) => Array.from({ length: BATCH }, encode);
    const jsonRate = rate(() => `[${batch(() => json.encodeVersion(5, null, wide)).join(",")}]`);
    const out = new CopyTextWriter();
    const copyRate = rate(() => {
      for (let row = 0; row < BATCH; row++) copy.writeCopyRow(out, 5, null, wide);
      return out.take();
    });
    console.log(
      `    encode a ${wide.size}-field Kitchen: writeCopyRow ${copyRate.toLocaleString("en")} rows/s, ` +
        `encodeVersion ${jsonRate.toLocaleString("en")} rows/s (${(copyRate / jsonRate).toFixed(2)}x)`,
    );

    // And the whole write, encoding included, of the same rows each way.
    const count = 10_000;
    const entities = Array.from({ length: count }, (_, index) => {
      const entity = new Map(wide);
      entity.set("id", str(`wide ${index}`));
      return entity;
    });
    const timed = async (write: () => Promise<unknown>): Promise<number> => {
      const start = performance.now();
      await write();
      return Math.round(count / ((performance.now() - start) / 1_000));
    };
    const jsonWrite = await timed(() =>
      db.query(json.insertSql, [`[${entities.map((entity) => json.encodeVersion(10, null, entity)).join(",")}]`]),
    );
    const copyWrite = await timed(() => {
      for (const entity of entities) copy.writeCopyRow(out, 10, null, entity);
      return db.query(copy.copySql, [], { blob: new Blob([out.take()]) });
    });
    console.log(
      `    write ${count.toLocaleString("en")} Kitchens: COPY ${copyWrite.toLocaleString("en")} rows/s, ` +
        `json_to_recordset ${jsonWrite.toLocaleString("en")} rows/s (${(copyWrite / jsonWrite).toFixed(2)}x)`,
    );
    const counted = await db.query<{ count: number }>(
      `SELECT (SELECT count(*)::int4 FROM ${json.ref} WHERE ${BLOCK_FROM} = 10) + ` +
        `(SELECT count(*)::int4 FROM ${copy.ref} WHERE ${BLOCK_FROM} = 10) AS count`,
    );
    assert.equal(counted.rows[0]!.count, 2 * count);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
