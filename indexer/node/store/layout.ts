// How a subgraph's entities are laid out in PostgreSQL. The store writes this layout and the GraphQL server reads
// it; this file is the one place that defines it.
//
// - Every subgraph lives in its own PostgreSQL schema, `subgraph_<name>`.
// - Every entity type is a table named exactly like the type; every stored field is a column named exactly like the
//   field (both quoted). Derived fields have no column.
// - Every row is one version of an entity, valid for blocks `__block_from <= b < __block_to`; `__block_to` is NULL
//   for the current version. `__vid` orders versions. Immutable entities only ever have one version.
// - A full-text search is a generated `tsvector` column on its entity's table, named like the search.
// - `__meta` holds one row: the subgraph, the last indexed block and the indexing failure, if any.
// - `__blocks` holds the hash, parent hash and timestamp of indexed blocks, for reorg detection and `_meta`.
import type { EntityModel, FieldModel, FulltextModel, SchemaModel } from "../schema.ts";

export const VID = "__vid";
export const BLOCK_FROM = "__block_from";
export const BLOCK_TO = "__block_to";
export const META_TABLE = "__meta";
export const BLOCKS_TABLE = "__blocks";

/** Double-quotes an identifier for SQL. Names come from the schema, which only allows GraphQL names. */
export function quote(identifier: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(identifier)) throw new Error(`Not a valid identifier: ${identifier}`);
  return `"${identifier}"`;
}

/** The PostgreSQL schema of a subgraph name such as `taskmarket` or `org/taskmarket`. */
export function schemaName(subgraphName: string): string {
  const sanitized = subgraphName.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  if (sanitized.length === 0 || sanitized.length > 50) throw new Error(`Bad subgraph name: ${subgraphName}`);
  return `subgraph_${sanitized}`;
}

/** `"schema"."Entity"` */
export function tableRef(schema: string, entity: string): string {
  return `${quote(schema)}.${quote(entity)}`;
}

/** The column type of a field's value (one item, for a list). */
export function scalarColumnType(field: FieldModel, model: SchemaModel): string {
  const type = field.kind === "entity" ? model.entities.get(field.type)!.idType : field.type;
  if (field.kind === "enum") return "text";
  switch (type) {
    case "ID":
    case "String":
      return "text";
    case "Bytes":
      return "bytea";
    case "Int":
      return "int4";
    case "Int8":
    case "Timestamp":
      return "int8";
    case "BigInt":
    case "BigDecimal":
      return "numeric";
    case "Boolean":
      return "boolean";
    default:
      throw new Error(`No column type for ${field.name}: ${type}`);
  }
}

export function columnType(field: FieldModel, model: SchemaModel): string {
  return scalarColumnType(field, model) + (field.list ? "[]" : "");
}

/** The DDL creating a subgraph's tables and indexes; idempotent. */
export function createTablesSql(schema: string, model: SchemaModel): string {
  const statements = [
    `CREATE SCHEMA IF NOT EXISTS ${quote(schema)}`,
    `CREATE TABLE IF NOT EXISTS ${tableRef(schema, META_TABLE)} (
      singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
      subgraph_name text NOT NULL,
      deployment_id text NOT NULL,
      start_block int4 NOT NULL,
      latest_number int4,
      latest_hash bytea,
      latest_timestamp int8,
      failed boolean NOT NULL DEFAULT false,
      failure_block int4,
      failure_message text
    )`,
    `CREATE TABLE IF NOT EXISTS ${tableRef(schema, BLOCKS_TABLE)} (
      number int4 PRIMARY KEY,
      hash bytea NOT NULL,
      parent_hash bytea NOT NULL,
      timestamp int8 NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS ${quote(`${BLOCKS_TABLE}_hash`)} ON ${tableRef(schema, BLOCKS_TABLE)} (hash)`,
  ];
  for (const entity of model.entities.values()) statements.push(...entityTableSql(schema, entity, model));
  return statements.join(";\n") + ";";
}

function entityTableSql(schema: string, entity: EntityModel, model: SchemaModel): string[] {
  const table = tableRef(schema, entity.name);
  const columns = [
    `${VID} bigserial PRIMARY KEY`,
    `${BLOCK_FROM} int4 NOT NULL`,
    `${BLOCK_TO} int4`,
    ...entity.storedFields.map(
      (field) => `${quote(field.name)} ${columnType(field, model)}${field.nullable ? "" : " NOT NULL"}`,
    ),
    ...model.fulltext.filter((search) => search.entity === entity.name).map(fulltextColumnSql),
  ];
  const index = (suffix: string) => quote(`${entity.name}_${suffix}`.slice(0, 63));
  const statements = [
    `CREATE TABLE IF NOT EXISTS ${table} (\n  ${columns.join(",\n  ")}\n)`,
    `CREATE UNIQUE INDEX IF NOT EXISTS ${index("id_block")} ON ${table} (id, ${BLOCK_FROM})`,
    `CREATE UNIQUE INDEX IF NOT EXISTS ${index("id_current")} ON ${table} (id) WHERE ${BLOCK_TO} IS NULL`,
  ];
  // References are what nested filters, derived fields and joins look up; the other columns are scanned.
  for (const field of entity.storedFields) {
    if (field.kind === "entity" && !field.list && field.name !== "id") {
      statements.push(`CREATE INDEX IF NOT EXISTS ${index(field.name)} ON ${table} (${quote(field.name)})`);
    }
  }
  for (const search of model.fulltext.filter((candidate) => candidate.entity === entity.name)) {
    statements.push(`CREATE INDEX IF NOT EXISTS ${index(search.name)} ON ${table} USING gin (${quote(search.name)})`);
  }
  return statements;
}

function fulltextColumnSql(search: FulltextModel): string {
  const document = search.fields.map((field) => `coalesce(${quote(field)}, '')`).join(" || ' ' || ");
  return `${quote(search.name)} tsvector GENERATED ALWAYS AS (to_tsvector('${search.language}'::regconfig, ${document})) STORED`;
}
