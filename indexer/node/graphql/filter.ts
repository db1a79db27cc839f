// `where: Foo_filter` to SQL, with graph-node's semantics (store/postgres/src/relational_queries.rs):
// - `field: null` / `field_not: null` test for NULL; comparisons with null are refused.
// - `_in: []` and `_not_in: []` match nothing.
// - `_contains`, `_starts_with`, `_ends_with` (and `_not`, `_nocase` variants) are SQL LIKE / ILIKE patterns: the
//   value is wrapped in `%` (unless it already starts or ends with one) and `%` and `_` inside it keep their LIKE
//   meaning, as in graph-node.
// - On Bytes, `_contains` looks for the bytes inside the value.
// - On lists, `_contains` means the list holds every given item, `_not_contains` that it holds none of them, and
//   `_contains_nocase` that some item matches some given pattern case-insensitively.
// - `field_: {...}` filters on the referenced (or deriving) entities at the same block; it may not be nested inside
//   another `field_`.
// - `and` / `or` combine filters; an `or` may not sit beside column filters (graph-node's rule and message).
import type { ASTNode } from "graphql";

import type { EntityModel, FieldModel, SchemaModel } from "../schema.ts";
import { BLOCK_FROM, quote } from "../store/layout.ts";
import type { ApiSchema, FilterOp, FilterSpec } from "./api-schema.ts";
import { QueryError } from "./errors.ts";
import { parseBigDecimal, parseBigInt, parseBytes, parseInt8, valueTypeOf, type ValueType } from "./scalars.ts";
import type { Statement } from "./sql.ts";

export interface FilterContext {
  api: ApiSchema;
  model: SchemaModel;
  statement: Statement;
  /** Where the filter is written, for error locations. */
  nodes: readonly ASTNode[];
}

/** graph-node's message for a filter whose value is not an object (its wording, typo included). */
const NOT_AN_OBJECT = "Filter must by an object";

/** Checks and converts one GraphQL input value of a type into what `Statement.value` binds. */
export function bindable(type: ValueType, value: unknown): unknown {
  switch (type) {
    case "Bytes":
      return parseBytes(value as string);
    case "BigInt":
      return parseBigInt(value as string);
    case "BigDecimal":
      return parseBigDecimal(value as string);
    case "Int8":
      return parseInt8(value as string, "Int8");
    case "Timestamp":
      return parseInt8(value as string, "Timestamp");
    default:
      return value;
  }
}

export function whereSql(
  context: FilterContext,
  entity: EntityModel,
  alias: string,
  where: Record<string, unknown>,
  insideChild = false,
): string {
  const filters = context.api.entities.get(entity.name)!.filters;
  const keys = Object.keys(where);
  checkStructure(keys, context);
  const clauses = keys.map((key) => clauseSql(context, entity, alias, key, filters.get(key)!, where[key], insideChild));
  return clauses.length === 0 ? "TRUE" : clauses.length === 1 ? clauses[0]! : `(${clauses.join(" AND ")})`;
}

function checkStructure(keys: string[], context: FilterContext) {
  if (keys.includes("or")) {
    const columns = keys.filter((key) => key !== "or" && key !== "and" && key !== "_change_block").sort();
    if (columns.length > 0) {
      const list = columns.map((column) => `'${column}'`).join(", ");
      throw new QueryError(
        `Cannot mix column filters with 'or' operator at the same level. Found column filter(s) ${list} alongside ` +
          `'or' operator.\n\nInstead of:\nwhere: { ${list}, or: [...] }\n\nUse:\nwhere: { or: [{ ${list}, ... }, ` +
          `{ ${list}, ... }] }`,
        context.nodes,
      );
    }
  }
  // graph-node reads every value beside an `and` or `or` as a list of filters: `_change_block` there is an error, and
  // `and` beside `or` silently turns the `or` into an `and`. Both are refused here, with a way out.
  const combinators = keys.filter((key) => key === "and" || key === "or");
  if (combinators.length > 0 && keys.length > 1) {
    throw new QueryError(
      `\`${combinators.join("` and `")}\` cannot be combined with other filters (${keys
        .filter((key) => key !== combinators[0])
        .map((key) => `\`${key}\``)
        .join(", ")}) at the same level: nest them, as in where: { and: [{ or: [...] }, { ... }] }`,
      context.nodes,
    );
  }
}

function clauseSql(
  context: FilterContext,
  entity: EntityModel,
  alias: string,
  key: string,
  spec: FilterSpec,
  value: unknown,
  insideChild: boolean,
): string {
  switch (spec.kind) {
    case "and":
    case "or": {
      if (!Array.isArray(value)) throw new QueryError(NOT_AN_OBJECT, context.nodes);
      const parts = value.map((item) => {
        if (item === null || typeof item !== "object") throw new QueryError(NOT_AN_OBJECT, context.nodes);
        return whereSql(context, entity, alias, item as Record<string, unknown>, insideChild);
      });
      if (parts.length === 0) return spec.kind === "and" ? "TRUE" : "FALSE";
      return `(${parts.join(spec.kind === "and" ? " AND " : " OR ")})`;
    }
    case "changeBlock": {
      const number = (value as { number_gte?: unknown } | null)?.number_gte;
      if (typeof number !== "number") throw new QueryError(NOT_AN_OBJECT, context.nodes);
      return `${alias}.${BLOCK_FROM} >= ${context.statement.param(number, "int4")}`;
    }
    case "child":
      return childSql(context, alias, key, spec.field, value, insideChild);
    case "value":
      return valueSql(context, alias, key, spec.field, spec.op, value);
  }
}

function childSql(
  context: FilterContext,
  alias: string,
  key: string,
  field: FieldModel,
  value: unknown,
  insideChild: boolean,
): string {
  if (value === null || typeof value !== "object") {
    throw new QueryError(
      `Query contains value with invalid type \`${typeString(field)}\`: \`${JSON.stringify(value)}\``,
      context.nodes,
    );
  }
  if (insideChild) {
    throw new QueryError(
      `Child filter nesting not supported by value \`${key}\`: filters on related entities (\`field_\`) can only be ` +
        `one level deep`,
      context.nodes,
    );
  }
  const { statement, model } = context;
  const target = model.entities.get(field.type)!;
  const child = statement.alias();
  const join = relationJoin(alias, field, target, child);
  const filter = whereSql(context, target, child, value as Record<string, unknown>, true);
  return `EXISTS (SELECT 1 FROM ${statement.table(target)} ${child} WHERE ${join} AND ${statement.atBlock(child)} AND ${filter})`;
}

/** The join between an entity (`parent`) and the entities one of its fields refers to (`child`). */
export function relationJoin(parent: string, field: FieldModel, target: EntityModel, child: string): string {
  if (field.derivedFrom !== undefined) {
    const back = target.fieldsByName.get(field.derivedFrom)!;
    return back.list
      ? `${parent}."id" = ANY(${child}.${quote(back.name)})`
      : `${child}.${quote(back.name)} = ${parent}."id"`;
  }
  return field.list
    ? `${child}."id" = ANY(${parent}.${quote(field.name)})`
    : `${child}."id" = ${parent}.${quote(field.name)}`;
}

function typeString(field: FieldModel): string {
  let type = field.type;
  if (field.list) type = `[${type}${field.itemNullable ? "" : "!"}]`;
  return field.nullable ? type : `${type}!`;
}

const LIKE: Partial<Record<FilterOp, { op: string; pattern: (value: string) => string }>> = {
  contains: { op: "LIKE", pattern: containsPattern },
  not_contains: { op: "NOT LIKE", pattern: containsPattern },
  contains_nocase: { op: "ILIKE", pattern: containsPattern },
  not_contains_nocase: { op: "NOT ILIKE", pattern: containsPattern },
  starts_with: { op: "LIKE", pattern: (value) => `${value}%` },
  starts_with_nocase: { op: "ILIKE", pattern: (value) => `${value}%` },
  not_starts_with: { op: "NOT LIKE", pattern: (value) => `${value}%` },
  not_starts_with_nocase: { op: "NOT ILIKE", pattern: (value) => `${value}%` },
  ends_with: { op: "LIKE", pattern: (value) => `%${value}` },
  ends_with_nocase: { op: "ILIKE", pattern: (value) => `%${value}` },
  not_ends_with: { op: "NOT LIKE", pattern: (value) => `%${value}` },
  not_ends_with_nocase: { op: "NOT ILIKE", pattern: (value) => `%${value}` },
};

function containsPattern(value: string): string {
  return value.startsWith("%") || value.endsWith("%") ? value : `%${value}%`;
}

/** Above this many items, `_in` and `_not_in` test membership in a set rather than in an array. */
const HASHED_IN_ITEMS = 16;

const COMPARISONS: Partial<Record<FilterOp, string>> = { gt: ">", lt: "<", gte: ">=", lte: "<=" };

function unsupported(key: string, value: unknown, nodes: readonly ASTNode[]): QueryError {
  return new QueryError(`unsupported filter \`${key}\` for value \`${JSON.stringify(value)}\``, nodes);
}

function valueSql(
  context: FilterContext,
  alias: string,
  key: string,
  field: FieldModel,
  op: FilterOp,
  value: unknown,
): string {
  const { statement, nodes } = context;
  const type = valueTypeOf(field, context.model);
  const column = statement.column(alias, field.name);
  const bind = (item: unknown) => {
    try {
      return bindable(type, item);
    } catch (error) {
      throw error instanceof QueryError ? new QueryError(error.message, nodes) : error;
    }
  };

  if (op === "" || op === "not") {
    if (value === null) return `${column} IS ${op === "" ? "" : "NOT "}NULL`;
    const bound = field.list
      ? statement.array(type, (value as unknown[]).map(bind))
      : statement.value(type, bind(value));
    return `${column} ${op === "" ? "=" : "<>"} ${bound}`;
  }

  if (field.list) {
    if (value === null) throw unsupported(key, value, nodes);
    const items = (value as unknown[]).map(bind);
    switch (op) {
      case "contains":
        return `${column} @> ${statement.array(type, items)}`;
      case "not_contains":
        return `NOT (${column} && ${statement.array(type, items)})`;
      case "contains_nocase":
      case "not_contains_nocase": {
        const exists = `EXISTS (SELECT 1 FROM unnest(${column}) AS item(v) WHERE item.v ILIKE ANY(${statement.param(items, "text[]")}))`;
        return op === "contains_nocase" ? exists : `NOT ${exists}`;
      }
      default:
        throw unsupported(key, value, nodes);
    }
  }

  const comparison = COMPARISONS[op];
  if (comparison !== undefined) {
    if (value === null) throw unsupported(key, value, nodes);
    return `${statement.ordered(alias, field.name, type)} ${comparison} ${statement.value(type, bind(value))}`;
  }

  if (op === "in" || op === "not_in") {
    if (!Array.isArray(value)) throw new QueryError(`Non-list value passed to \`_${op}\` filter`, nodes);
    if (value.length === 0) return "FALSE";
    // A long list is a set the planner can hash (or look up by index), so each row costs one probe rather than a
    // comparison with every item; a short one is cheapest as an array. Items are never null, so both mean the same.
    const any =
      value.length > HASHED_IN_ITEMS
        ? `${column} IN ${statement.keySet(type, value.map(bind))}`
        : `${column} = ANY(${statement.array(type, value.map(bind))})`;
    return op === "in" ? any : `NOT (${any})`;
  }

  if (typeof value !== "string") throw unsupported(key, value, nodes);
  if (type === "Bytes" && (op === "contains" || op === "not_contains")) {
    // Bytes (and references to entities with Bytes ids) contain a byte sequence.
    return `position(${statement.value("Bytes", bind(value))} in ${column}) ${op === "contains" ? ">" : "="} 0`;
  }
  const like = LIKE[op];
  if (like === undefined) throw unsupported(key, value, nodes);
  // A reference to an entity with a Bytes id is matched as graph-node prints it: 0x-prefixed lowercase hex.
  const text = type === "Bytes" ? `('0x' || encode(${column}, 'hex'))` : column;
  return `${text} ${like.op} ${statement.param(like.pattern(value), "text")}`;
}
