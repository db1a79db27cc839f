// One entity table of the layout (see layout.ts) as the store reads and writes it: the SQL of its bulk statements,
// and the conversion of an entity to the rows those statements take and from the row a query returns.
//
// Writes go through `json_to_recordset($1::json)`: a whole batch of rows is one parameter, PostgreSQL parses it into
// typed columns (JSON arrays become SQL arrays, strings go through each type's input function), and one statement per
// table writes it. That is one round trip per chunk on both PGlite and a server, with no driver-specific array or
// bytea encoding. The JSON keys are short aliases (`f`, `t`, `c0`, …) so that the payload is mostly data.
//
// On PGlite, `COPY … FROM '/dev/blob'` takes the same rows 1.5 to 2 times as fast: they travel as COPY text (one line
// per version, see {@link EntityTable.writeCopyRow} and copy-text.ts) in a Blob handed to the query, with no JSON to parse. The blob
// is PGlite's own device, which a server does not have, so the server path keeps to json_to_recordset; both write
// identical rows.
//
// Reads come back the same way: a page of current versions as one JSON text (`json_agg`), parsed by V8's JSON.parse.
// On PGlite that is several times faster than letting the driver decode row by row (bytea and arrays above all), and
// it reads the same on every driver.
import type { EntityModel, SchemaModel } from "../schema.ts";
import { BLOCK_FROM, BLOCK_TO, VID, columnType, quote, scalarColumnType, tableRef } from "./layout.ts";
import type { Entity, Value } from "./types.ts";
import { fieldInfo, type FieldInfo } from "./values.ts";
import type { CopyTextWriter } from "./copy-text.ts";

type Encode = (value: Value) => string;
/** Decodes a column as {@link selectCurrentSql} renders it in JSON. */
type Decode = (value: unknown) => Value;

/** json_build_array takes at most 100 arguments: wider rows are built from groups of columns. */
const COLUMNS_PER_GROUP = 90;

interface Column {
  info: FieldInfo;
  name: string;
  alias: string;
  encode: Encode;
  /** Writes the value in COPY text format, escaped and ready to go between tabs. */
  writeCopy: WriteCopy;
  decode: Decode;
}

export class EntityTable {
  readonly entity: EntityModel;
  readonly ref: string;
  /** The stored fields by name. */
  readonly fields: ReadonlyMap<string, FieldInfo>;
  /** Inserts versions: `$1` is a JSON array of {@link encodeVersion} rows. */
  readonly insertSql: string;
  /**
   * Inserts versions on PGlite: the rows are {@link writeCopyRow} lines, passed as the query's `blob` option.
   * `__vid` and the generated full-text columns fill themselves.
   */
  readonly copySql: string;
  /** Closes current versions at a block: `$1` is a JSON array of {@link encodeClose} rows; returns `closed`. */
  readonly closeSql: string;
  /**
   * A page of current versions after `__vid` `$1`, at most `$2` of them, as the JSON text `rows` (null when there are
   * none): an array of `[__vid, [column, …], …]` in `__vid` order; see {@link decodeRow}.
   */
  readonly selectCurrentSql: string;
  /** Removes versions that start after block `$1`. */
  readonly deleteAfterSql: string;
  /** Reopens versions that ended after block `$1`. */
  readonly reopenAfterSql: string;
  readonly #columns: Column[];
  readonly #idColumn: Column;

  constructor(schema: string, entity: EntityModel, model: SchemaModel) {
    this.entity = entity;
    this.ref = tableRef(schema, entity.name);
    this.#columns = entity.storedFields.map((field, index) => {
      const info = fieldInfo(field, model);
      return {
        info,
        name: quote(field.name),
        alias: `c${index}`,
        encode: field.list ? listEncoder(ENCODERS[info.kind]) : ENCODERS[info.kind],
        writeCopy: field.list ? copyListWriter(COPY_ITEM_WRITERS[info.kind]) : COPY_WRITERS[info.kind],
        decode: field.list ? listDecoder(TEXT_DECODERS[info.kind]) : JSON_DECODERS[info.kind],
      };
    });
    this.#idColumn = this.#columns.find((column) => column.info.field.name === "id")!;
    this.fields = new Map(this.#columns.map((column) => [column.info.field.name, column.info]));

    const definitions = this.#columns.map((column) => `${column.alias} ${columnType(column.info.field, model)}`);
    const columnList = `${BLOCK_FROM}, ${BLOCK_TO}, ${this.#columns.map((column) => column.name).join(", ")}`;
    this.insertSql =
      `INSERT INTO ${this.ref} (${columnList}) ` +
      `SELECT f, t, ${this.#columns.map((column) => column.alias).join(", ")} ` +
      `FROM json_to_recordset($1::json) AS r(f int4, t int4, ${definitions.join(", ")})`;
    this.copySql = `COPY ${this.ref} (${columnList}) FROM '/dev/blob'`;
    const idType = scalarColumnType(this.#idColumn.info.field, model);
    this.closeSql =
      `WITH closed AS (UPDATE ${this.ref} AS e SET ${BLOCK_TO} = r.t ` +
      `FROM json_to_recordset($1::json) AS r(i ${idType}, t int4) ` +
      `WHERE e.id = r.i AND e.${BLOCK_TO} IS NULL RETURNING 1) SELECT count(*)::int4 AS closed FROM closed`;
    const rendered = this.#columns.map((column) => renderColumn(column.name, column.info));
    const groups: string[] = [];
    for (let start = 0; start < rendered.length; start += COLUMNS_PER_GROUP) {
      groups.push(`json_build_array(${rendered.slice(start, start + COLUMNS_PER_GROUP).join(", ")})`);
    }
    this.selectCurrentSql =
      `SELECT json_agg(json_build_array(${VID}, ${groups.join(", ")}) ORDER BY ${VID})::text AS rows ` +
      `FROM (SELECT * FROM ${this.ref} WHERE ${BLOCK_TO} IS NULL AND ${VID} > $1 ORDER BY ${VID} LIMIT $2) AS page`;
    this.deleteAfterSql = `DELETE FROM ${this.ref} WHERE ${BLOCK_FROM} > $1`;
    this.reopenAfterSql = `UPDATE ${this.ref} SET ${BLOCK_TO} = NULL WHERE ${BLOCK_TO} > $1`;
  }

  /** One row of {@link insertSql}: a version valid for blocks `from <= b < to` (`to` null: the current version). */
  encodeVersion(from: number, to: number | null, entity: Entity): string {
    let json = to === null ? `{"f":${from}` : `{"f":${from},"t":${to}`;
    for (const column of this.#columns) {
      const value = entity.get(column.info.field.name);
      if (value !== undefined && value.kind !== "Null") json += `,"${column.alias}":${column.encode(value)}`;
    }
    return json + "}";
  }

  /**
   * Writes one row of {@link copySql}, newline included: the same version as {@link encodeVersion}, in COPY's text
   * format (tab-separated, `\N` for null).
   */
  writeCopyRow(out: CopyTextWriter, from: number, to: number | null, entity: Entity): void {
    out.integer(from);
    out.tab();
    if (to === null) out.ascii(COPY_NULL);
    else out.integer(to);
    for (const column of this.#columns) {
      out.tab();
      const value = entity.get(column.info.field.name);
      if (value === undefined || value.kind === "Null") out.ascii(COPY_NULL);
      else column.writeCopy(out, value);
    }
    out.newline();
  }

  /** One row of {@link closeSql}: the current version of the entity stored under `key` ends before `block`. */
  encodeClose(key: string, block: number): string {
    // A Bytes key is already the lowercase 0x hex of the id.
    const id = this.entity.idType === "Bytes" ? `${BYTEA_PREFIX}${key.slice(2)}"` : JSON.stringify(key);
    return `{"i":${id},"t":${block}}`;
  }

  /** The entity in a row of {@link selectCurrentSql}'s JSON; null columns are left out, as graph-node's entities do. */
  decodeRow(row: unknown[]): Entity {
    const values = row.length === 2 ? (row[1] as unknown[]) : row.slice(1).flat();
    const entity: Entity = new Map();
    for (let index = 0; index < this.#columns.length; index++) {
      const value = values[index];
      if (value !== null) entity.set(this.#columns[index]!.info.field.name, this.#columns[index]!.decode(value));
    }
    return entity;
  }
}

/**
 * A column as JSON that parses back without loss: 64-bit and arbitrary-size numbers as text (a JSON number would
 * round them), bytes as hex, lists as arrays of their items' text.
 */
function renderColumn(name: string, info: FieldInfo): string {
  if (info.field.list && info.kind === "Bytes") {
    // Hex items whatever the server's `bytea_output` (a bytea[] cast to text[] would follow it).
    return (
      `CASE WHEN ${name} IS NULL THEN NULL ELSE coalesce((SELECT array_agg(encode(item, 'hex') ORDER BY position) ` +
      `FROM unnest(${name}) WITH ORDINALITY AS items(item, position)), '{}') END`
    );
  }
  if (info.field.list) return `${name}::text[]`;
  switch (info.kind) {
    case "Bytes":
      return `encode(${name}, 'hex')`;
    case "Int8":
    case "Timestamp":
    case "BigInt":
    case "BigDecimal":
      return `${name}::text`;
    default:
      return name;
  }
}

const BYTEA_PREFIX = '"\\\\x';
/** COPY text's null field. */
const COPY_NULL = "\\N";

const ENCODERS: Record<FieldInfo["kind"], Encode> = {
  String: (value) => JSON.stringify(payload<string>(value)),
  Int: (value) => String(payload<number>(value)),
  // 64-bit and arbitrary-size numbers travel as strings: a JSON number would lose precision on the way.
  Int8: (value) => `"${payload<bigint>(value)}"`,
  Timestamp: (value) => `"${payload<bigint>(value)}"`,
  BigInt: (value) => `"${payload<bigint>(value)}"`,
  BigDecimal: (value) => `"${payload<string>(value)}"`,
  Bool: (value) => (payload<boolean>(value) ? "true" : "false"),
  // bytea's hex input format, `\x0102`; the backslash is escaped for JSON.
  Bytes: (value) => {
    const bytes = payload<Uint8Array>(value);
    return `${BYTEA_PREFIX}${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}"`;
  },
};

/** The payload of a value whose kind the caller has already checked. */
function payload<T>(value: Value): T {
  return (value as unknown as { value: T }).value;
}

function listEncoder(encodeItem: Encode): Encode {
  return (value) =>
    `[${payload<Value[]>(value)
      .map((item) => (item.kind === "Null" ? "null" : encodeItem(item)))
      .join(",")}]`;
}

type WriteCopy = (out: CopyTextWriter, value: Value) => void;

/** Scalars as a COPY field. Numbers, decimals (plain notation, checked by the store) and booleans need no escaping. */
const COPY_WRITERS: Record<FieldInfo["kind"], WriteCopy> = {
  String: (out, value) => out.text(payload<string>(value)),
  Int: (out, value) => out.integer(payload<number>(value)),
  Int8: (out, value) => out.integer(payload<bigint>(value)),
  Timestamp: (out, value) => out.integer(payload<bigint>(value)),
  BigInt: (out, value) => out.integer(payload<bigint>(value)),
  BigDecimal: (out, value) => out.ascii(payload<string>(value)),
  Bool: (out, value) => out.ascii(payload<boolean>(value) ? "t" : "f"),
  // bytea's hex input format, `\x0102`, with the backslash escaped for COPY.
  Bytes: (out, value) => {
    out.ascii("\\\\x");
    out.hex(payload<Uint8Array>(value));
  },
};

/** List items in an array literal inside a COPY field. */
const COPY_ITEM_WRITERS: Record<FieldInfo["kind"], WriteCopy> = {
  ...COPY_WRITERS,
  String: (out, value) => out.arrayItemText(payload<string>(value)),
  // `"\\x0102"` in the array literal, each of its two backslashes escaped for COPY.
  Bytes: (out, value) => {
    out.ascii('"\\\\\\\\x');
    out.hex(payload<Uint8Array>(value));
    out.ascii('"');
  },
};

function copyListWriter(writeItem: WriteCopy): WriteCopy {
  return (out, value) => {
    const items = payload<Value[]>(value);
    out.ascii("{");
    for (let index = 0; index < items.length; index++) {
      const item = items[index]!;
      if (index > 0) out.ascii(",");
      if (item.kind === "Null") out.ascii("NULL");
      else writeItem(out, item);
    }
    out.ascii("}");
  };
}

/** Scalars as {@link renderColumn} renders them. */
const JSON_DECODERS: Record<FieldInfo["kind"], Decode> = {
  String: (value) => ({ kind: "String", value: value as string }),
  Int: (value) => ({ kind: "Int", value: value as number }),
  Int8: (value) => ({ kind: "Int8", value: BigInt(value as string) }),
  Timestamp: (value) => ({ kind: "Timestamp", value: BigInt(value as string) }),
  BigInt: (value) => ({ kind: "BigInt", value: BigInt(value as string) }),
  BigDecimal: (value) => ({ kind: "BigDecimal", value: value as string }),
  Bool: (value) => ({ kind: "Bool", value: value as boolean }),
  Bytes: (value) => ({ kind: "Bytes", value: new Uint8Array(Buffer.from(value as string, "hex")) }),
};

/** List items in their text form (lists are read as text[]; bytes as plain hex). */
const TEXT_DECODERS: Record<FieldInfo["kind"], (text: string) => Value> = {
  String: (text) => ({ kind: "String", value: text }),
  Int: (text) => ({ kind: "Int", value: Number(text) }),
  Int8: (text) => ({ kind: "Int8", value: BigInt(text) }),
  Timestamp: (text) => ({ kind: "Timestamp", value: BigInt(text) }),
  BigInt: (text) => ({ kind: "BigInt", value: BigInt(text) }),
  BigDecimal: (text) => ({ kind: "BigDecimal", value: text }),
  // A boolean[] cast to text[] spells its items `true`/`false`; `t`/`f` is its array literal form.
  Bool: (text) => ({ kind: "Bool", value: text === "true" || text === "t" }),
  Bytes: (text) => ({ kind: "Bytes", value: new Uint8Array(Buffer.from(text, "hex")) }),
};

function listDecoder(decodeItem: (text: string) => Value): Decode {
  return (value) => ({
    kind: "Array",
    value: (value as (string | null)[]).map((item): Value => (item === null ? { kind: "Null" } : decodeItem(item))),
  });
}
