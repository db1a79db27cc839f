// Building one SQL statement: values go in as `$n` parameters, identifiers come only from the schema through
// `quote()`. Values are bound as text or numbers and cast in SQL, so that PGlite and node-postgres bind them the same
// way; bytes travel as hex and are decoded in SQL.
import type { EntityModel } from "../schema.ts";
import { BLOCK_FROM, BLOCK_TO, quote, tableRef } from "../store/layout.ts";
import type { ValueType } from "./scalars.ts";

export const SQL_TYPES: Record<ValueType, string> = {
  ID: "text",
  String: "text",
  Enum: "text",
  Bytes: "bytea",
  Int: "int4",
  Int8: "int8",
  Timestamp: "int8",
  BigInt: "numeric",
  BigDecimal: "numeric",
  Boolean: "boolean",
};

/** How the query engine compares strings: byte order, as graph-node's databases (created with the C locale) do. */
export interface Collation {
  /** `COLLATE "C"` where the database's default collation sorts differently, nothing where it is already C. */
  text: string;
}

export class Statement {
  readonly params: unknown[] = [];
  #aliases = 0;
  readonly dbSchema: string;
  readonly collation: Collation;
  #blockParam: string | undefined;
  readonly block: number;
  /** Whether `block` is the indexed head of the snapshot the statement runs in. */
  readonly #atHead: boolean;

  constructor(dbSchema: string, block: number, collation: Collation, head: number | null = null) {
    this.dbSchema = dbSchema;
    this.block = block;
    this.collation = collation;
    this.#atHead = block === head;
  }

  /** A fresh table alias, so that nested filters and joins never shadow each other. */
  alias(): string {
    this.#aliases += 1;
    return `t${this.#aliases}`;
  }

  table(entity: EntityModel): string {
    return tableRef(this.dbSchema, entity.name);
  }

  param(value: unknown, cast: string): string {
    this.params.push(value);
    return `$${this.params.length}::${cast}`;
  }

  /** One value of a type, already checked and in the form `parse*` returns (bytes as bare hex). */
  value(type: ValueType, value: unknown): string {
    if (type === "Bytes") return `decode(${this.param(value, "text")}, 'hex')`;
    return this.param(value, SQL_TYPES[type]);
  }

  /** An array of values of a type, in order. */
  array(type: ValueType, values: readonly unknown[]): string {
    if (type === "Bytes") {
      return `ARRAY(SELECT decode(h.v, 'hex') FROM unnest(${this.param(values, "text[]")}) WITH ORDINALITY AS h(v, i) ORDER BY h.i)`;
    }
    return this.param(values, `${SQL_TYPES[type]}[]`);
  }

  /**
   * A set of values to test membership with `IN`. Bytes go through a subquery that the planner can hash or look up
   * by index; an array expression built from them would be opaque to it.
   */
  keySet(type: ValueType, values: readonly unknown[]): string {
    if (type === "Bytes") return `(SELECT decode(h.v, 'hex') FROM unnest(${this.param(values, "text[]")}) AS h(v))`;
    return `(SELECT unnest(${this.param(values, `${SQL_TYPES[type]}[]`)}))`;
  }

  /** `alias` holds the version of its entity that is current at the statement's block. */
  atBlock(alias: string): string {
    // At the head, the versions current at the block are exactly the open ones: every committed version starts at or
    // below the head, and none has closed above it. That form is what the partial index on open versions serves.
    if (this.#atHead) return `${alias}.${BLOCK_TO} IS NULL`;
    this.#blockParam ??= this.param(this.block, "int4");
    return `${alias}.${BLOCK_FROM} <= ${this.#blockParam} AND (${alias}.${BLOCK_TO} IS NULL OR ${alias}.${BLOCK_TO} > ${this.#blockParam})`;
  }

  column(alias: string, field: string): string {
    return `${alias}.${quote(field)}`;
  }

  /** A column as it is compared with `<`/`>` or sorted: text in byte order. */
  ordered(alias: string, field: string, type: ValueType): string {
    const column = this.column(alias, field);
    return SQL_TYPES[type] === "text" ? `${column}${this.collation.text}` : column;
  }
}
