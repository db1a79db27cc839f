// Reading what a query selects, in as few SQL statements as the selection allows: the top-level field is one
// statement, and each entity-valued field below it is read inside that statement, as a JSON value per parent row (a
// correlated subquery: the referenced entity, the entities pointing back, or a collection's window per parent with
// its `first`/`skip`/`orderBy`/`where`; see `inlineSql`), so that a whole selection tree is one statement. A field
// that cannot be inlined (an entity too wide for one JSON array, or arguments out of range, reported only where a
// parent needs them) is one more statement for all the parents at once (`= ANY(…)` over their ids, or a window per
// parent), never one per parent. A single reference that selects only `id` takes neither: its parents' statement
// answers it (see `fromParent`).
//
// Semantics follow graph-node (store/postgres/src/relational_queries.rs, graphql/src/store/prefetch.rs):
// - every statement reads the versions current at the query's block, nested levels included;
// - a collection is ordered by `id` unless `orderBy` says otherwise, and ties are broken by `id` in the same
//   direction; `orderDirection` without `orderBy` changes nothing;
// - a list of references is a collection: its entities come back in collection order (by `id` by default), each
//   once, without the ids that point at nothing;
// - a `@derivedFrom` field holding one entity is an error when several entities point back at its parent.
import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  getArgumentValues,
  getDirectiveValues,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type SelectionSetNode,
} from "graphql";

import type { EntityModel, FieldModel, FulltextModel, SchemaModel } from "../schema.ts";
import type { Queryable, Row } from "../store/database.ts";
import { quote } from "../store/layout.ts";
import type { ApiSchema } from "./api-schema.ts";
import { QueryError, orderByNotSupported, rangeError } from "./errors.ts";
import { bindable, relationJoin, whereSql, type FilterContext } from "./filter.ts";
import { bytesToHex, valueTypeOf } from "./scalars.ts";
import { SQL_TYPES, Statement, type Collation } from "./sql.ts";

export interface FetchContext {
  db: Queryable;
  /** The indexed head in the snapshot `db` reads (null: nothing indexed); statements at it read open versions. */
  head: number | null;
  model: SchemaModel;
  api: ApiSchema;
  dbSchema: string;
  collation: Collation;
  maxFirst: number;
  maxSkip: number;
  variables: Record<string, unknown>;
  fragments: ReadonlyMap<string, FragmentDefinitionNode>;
}

/** One entity version read from the database, and what its entity-valued fields resolved to, by response key. */
export class EntityNode {
  readonly entity: EntityModel;
  readonly row: Row;
  readonly relations = new Map<string, EntityNode | EntityNode[] | null>();

  constructor(entity: EntityModel, row: Row) {
    this.entity = entity;
    this.row = row;
  }
}

interface SelectionPlan {
  entity: EntityModel;
  /** The stored fields to read: `id`, the selected scalars and the references that nested fields follow. */
  columns: FieldModel[];
  relations: RelationPlan[];
}

interface RelationPlan {
  responseKey: string;
  field: FieldModel;
  target: EntityModel;
  args: Record<string, unknown>;
  nodes: readonly FieldNode[];
  selection: SelectionPlan;
  /**
   * A single stored reference that selects nothing but the referenced entity's `id` (`poster { id }`): the parent's
   * column holds that id, so the parent's own statement answers it, with whether the entity exists at the block (see
   * {@link existsColumn}), and it costs no statement of its own.
   */
  fromParent: boolean;
  /**
   * Read inside the parent's statement, as a JSON value per parent row (see {@link inlineSql}), rather than by a
   * statement of its own; cleared when its arguments are out of range, so that the error comes as it would without.
   */
  inline: boolean;
  /** The parent row's column (or item) holding the inlined value. */
  inlineKey: string;
  /** The names of the items of each inlined entity's JSON array, in order (see {@link rowItems}). */
  inlineItems?: string[];
}

/**
 * PostgreSQL passes at most 100 arguments to a function: an entity is inlined as `json_build_array(...)` only when its
 * items fit.
 */
const MAX_INLINE_ITEMS = 100;

/** The fields a selection set selects on a type, by response key, with fragments and `@skip`/`@include` applied. */
export function collectFields(
  typeName: string,
  selectionSets: readonly SelectionSetNode[],
  variables: Record<string, unknown>,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): Map<string, FieldNode[]> {
  const fields = new Map<string, FieldNode[]>();
  const visited = new Set<string>();
  const included = (node: Parameters<typeof getDirectiveValues>[1]) =>
    getDirectiveValues(GraphQLSkipDirective, node, variables)?.if !== true &&
    getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
  const collect = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (!included(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const existing = fields.get(key);
        if (existing) existing.push(selection);
        else fields.set(key, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (selection.typeCondition && selection.typeCondition.name.value !== typeName) continue;
        collect(selection.selectionSet);
      } else {
        const name = selection.name.value;
        if (visited.has(name)) continue;
        visited.add(name);
        const fragment = fragments.get(name);
        if (!fragment || fragment.typeCondition.name.value !== typeName) continue;
        collect(fragment.selectionSet);
      }
    }
  };
  for (const selectionSet of selectionSets) collect(selectionSet);
  return fields;
}

function planSelection(context: FetchContext, entity: EntityModel, fieldNodes: readonly FieldNode[]): SelectionPlan {
  const selectionSets = fieldNodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
  const fields = collectFields(entity.name, selectionSets, context.variables, context.fragments);
  const definitions = context.api.entities.get(entity.name)!.objectType.getFields();
  const columns = new Map<string, FieldModel>([["id", entity.fieldsByName.get("id")!]]);
  const relations: RelationPlan[] = [];
  for (const [responseKey, nodes] of fields) {
    const name = nodes[0]!.name.value;
    if (name === "__typename") continue;
    const field = entity.fieldsByName.get(name)!;
    if (field.kind !== "entity") {
      columns.set(field.name, field);
      continue;
    }
    if (field.derivedFrom === undefined) columns.set(field.name, field);
    const target = context.model.entities.get(field.type)!;
    const selection = planSelection(context, target, nodes);
    const fromParent =
      !field.list &&
      field.derivedFrom === undefined &&
      selection.columns.length === 1 &&
      selection.relations.length === 0;
    relations.push({
      responseKey,
      field,
      target,
      args: field.list ? argumentValues(definitions[name]!, nodes[0]!, context.variables) : {},
      nodes,
      selection,
      fromParent,
      inline: !fromParent && itemCount(selection) <= MAX_INLINE_ITEMS,
      inlineKey: `__inline_${relations.length}`,
    });
  }
  return { entity, columns: [...columns.values()], relations };
}

export function argumentValues(
  definition: GraphQLField<unknown, unknown>,
  node: FieldNode,
  variables: Record<string, unknown>,
): Record<string, unknown> {
  // Validation has checked literals; variables were coerced by their declared types. What is left to throw is a
  // variable that does not fit where it is used, which GraphQL reports as an error on the field.
  try {
    return getArgumentValues(definition, node, variables);
  } catch (error) {
    throw new QueryError((error as Error).message, [node]);
  }
}

/**
 * The column of a parent's row that says whether the entity its reference `field` names exists at the statement's
 * block. graph-node reads the referenced entity, so a reference to an entity that does not exist (yet, or any more)
 * resolves to null; the existence test keeps that answer without a statement for the referenced entities.
 */
function existsColumn(field: FieldModel): string {
  // No field name can clash: GraphQL reserves names that start with `__`.
  return `__exists_${field.name}`;
}

/** How many items a selection's row has: its columns, one existence test per referenced field, its inlined relations. */
function itemCount(plan: SelectionPlan): number {
  const existence = new Set(
    plan.relations.filter((relation) => relation.fromParent).map((relation) => relation.field.name),
  );
  return plan.columns.length + existence.size + plan.relations.filter((relation) => relation.inline).length;
}

interface RowItem {
  name: string;
  sql: string;
}

/**
 * What a statement reads of each entity of `plan` (at `alias`): its columns, whether each entity a reference names
 * exists at the block (for the references answered from the parent), and the inlined relations. `json` gives values
 * as they are put into JSON, where a number loses digits past 2^53: int8 and numeric as text.
 */
function rowItems(
  context: FetchContext,
  plan: SelectionPlan,
  alias: string,
  statement: Statement,
  json: boolean,
): RowItem[] {
  const items: RowItem[] = plan.columns.map((field) => {
    const column = `${alias}.${quote(field.name)}`;
    const type = valueTypeOf(field, context.model);
    // Bytes travel as hex text, which both drivers read faster than bytea, and which is what ids are keyed by.
    if (!field.list && type === "Bytes") return { name: field.name, sql: `encode(${column}, 'hex')` };
    const sqlType = SQL_TYPES[type];
    // node-postgres parses numeric[] into floats; text keeps every digit.
    if (field.list && sqlType === "numeric") return { name: field.name, sql: `${column}::text[]` };
    if (json) {
      if (field.list && type === "Bytes") {
        return {
          name: field.name,
          sql:
            `CASE WHEN ${column} IS NULL THEN NULL ELSE ARRAY(SELECT encode(b.v, 'hex') FROM unnest(${column})` +
            ` WITH ORDINALITY AS b(v, i) ORDER BY b.i) END`,
        };
      }
      if (sqlType === "int8" || sqlType === "numeric") {
        return { name: field.name, sql: `${column}::text${field.list ? "[]" : ""}` };
      }
    }
    return { name: field.name, sql: column };
  });
  const existence = new Set<string>();
  for (const relation of plan.relations) {
    if (!relation.fromParent || existence.has(relation.field.name)) continue;
    existence.add(relation.field.name);
    const entity = statement.alias();
    const reference = `${alias}.${quote(relation.field.name)}`;
    // A null reference needs no lookup; CASE keeps the subquery from running for it.
    items.push({
      name: existsColumn(relation.field),
      sql:
        `CASE WHEN ${reference} IS NULL THEN false ELSE EXISTS (SELECT 1 FROM ${statement.table(relation.target)} ${entity}` +
        ` WHERE ${entity}."id" = ${reference} AND ${statement.atBlock(entity)}) END`,
    });
  }
  for (const relation of plan.relations) {
    if (!relation.inline) continue;
    let sql: string;
    try {
      sql = inlineSql(context, relation, alias, statement);
    } catch (error) {
      // An argument out of range, a filter or an ordering refused: the relation's own statement reports it, if any
      // parent needs it, as it would without inlining.
      if (!(error instanceof QueryError)) throw error;
      relation.inline = false;
      continue;
    }
    items.push({ name: relation.inlineKey, sql: `(${sql})` });
  }
  return items;
}

function selectList(context: FetchContext, plan: SelectionPlan, alias: string, statement: Statement): string {
  return rowItems(context, plan, alias, statement, false)
    .map((item) => (item.sql === `${alias}.${quote(item.name)}` ? item.sql : `${item.sql} AS ${quote(item.name)}`))
    .join(", ");
}

/**
 * A relation read inside its parent's statement, for the parent at `parentAlias`: a JSON array per entity (its
 * {@link rowItems}, nested inlined relations included), so that a whole selection tree can come back in one
 * statement. A reference gives one entity or null; a derived field holding one entity, an array of those pointing
 * back (more than one is an error); a collection, its window in order: the same filter, order, `first` and `skip`,
 * applied per parent, as the relation's own statement would.
 */
function inlineSql(context: FetchContext, relation: RelationPlan, parentAlias: string, statement: Statement): string {
  const { field, target, selection } = relation;
  const alias = statement.alias();
  const table = `${statement.table(target)} ${alias}`;
  const items = rowItems(context, selection, alias, statement, true);
  relation.inlineItems = items.map((item) => item.name);
  const row = `json_build_array(${items.map((item) => item.sql).join(", ")})`;
  const atBlock = statement.atBlock(alias);
  if (!field.list && field.derivedFrom === undefined) {
    return `SELECT ${row} FROM ${table} WHERE ${alias}."id" = ${parentAlias}.${quote(field.name)} AND ${atBlock}`;
  }
  let pointsBack: string;
  if (field.derivedFrom === undefined) {
    pointsBack = `${alias}."id" = ANY(${parentAlias}.${quote(field.name)})`;
  } else {
    const back = target.fieldsByName.get(field.derivedFrom)!;
    pointsBack = back.list
      ? `${parentAlias}."id" = ANY(${alias}.${quote(back.name)})`
      : `${alias}.${quote(back.name)} = ${parentAlias}."id"`;
  }
  if (!field.list) return `SELECT json_agg(${row}) FROM ${table} WHERE ${pointsBack} AND ${atBlock}`;
  const { first, skip } = range(context, relation.args, relation.nodes);
  const where = whereOf(context, statement, target, alias, relation.args, relation.nodes);
  const order = orderSql(context, statement, target, alias, relation.args, relation.nodes);
  const keys = order.keys.join(", ");
  return (
    `SELECT coalesce(json_agg(w.j ORDER BY w.r), '[]'::json) FROM (SELECT ${row} AS j, row_number() OVER` +
    ` (ORDER BY ${keys}) AS r FROM ${table}${order.joins} WHERE ${pointsBack} AND ${atBlock} AND ${where}` +
    ` ORDER BY ${keys} LIMIT ${statement.param(first, "int8")} OFFSET ${statement.param(skip, "int8")}) w`
  );
}

function range(context: FetchContext, args: Record<string, unknown>, nodes: readonly FieldNode[]) {
  const first = args.first ?? 100;
  const skip = args.skip ?? 0;
  if (typeof first !== "number" || first <= 0 || first > context.maxFirst) {
    throw rangeError("first", context.maxFirst, Number(first), nodes);
  }
  if (typeof skip !== "number" || skip < 0 || skip > context.maxSkip) {
    throw rangeError("skip", context.maxSkip, Number(skip), nodes);
  }
  return { first, skip };
}

/** The `ORDER BY` keys of a collection (and the join a `field__child` order needs), `id` last as graph-node does. */
function orderSql(
  context: FetchContext,
  statement: Statement,
  entity: EntityModel,
  alias: string,
  args: Record<string, unknown>,
  nodes: readonly FieldNode[],
): { joins: string; keys: string[] } {
  const idKey = (direction: string) => `${statement.ordered(alias, "id", entity.idType)} ${direction}`;
  if (args.orderBy === undefined || args.orderBy === null) return { joins: "", keys: [idKey("ASC")] };
  const direction = args.orderDirection === "desc" ? "DESC" : "ASC";
  const spec = context.api.entities.get(entity.name)!.orderBy.get(args.orderBy as string)!;
  const sortable = (field: FieldModel) => field.kind === "scalar" && !field.list && field.derivedFrom === undefined;
  if (!spec.child) {
    if (spec.field.name === "id") return { joins: "", keys: [idKey(direction)] };
    if (!sortable(spec.field)) throw orderByNotSupported(entity.name, spec.field.name, nodes);
    const type = valueTypeOf(spec.field, context.model);
    return { joins: "", keys: [`${statement.ordered(alias, spec.field.name, type)} ${direction}`, idKey(direction)] };
  }
  const target = context.model.entities.get(spec.field.type)!;
  if (!sortable(spec.child)) throw orderByNotSupported(target.name, spec.child.name, nodes);
  const child = statement.alias();
  const join =
    ` LEFT JOIN ${statement.table(target)} ${child}` +
    ` ON (${relationJoin(alias, spec.field, target, child)} AND ${statement.atBlock(child)})`;
  const type = valueTypeOf(spec.child, context.model);
  return { joins: join, keys: [`${statement.ordered(child, spec.child.name, type)} ${direction}`, idKey(direction)] };
}

function filterContext(context: FetchContext, statement: Statement, nodes: readonly FieldNode[]): FilterContext {
  return { api: context.api, model: context.model, statement, nodes };
}

function whereOf(
  context: FetchContext,
  statement: Statement,
  entity: EntityModel,
  alias: string,
  args: Record<string, unknown>,
  nodes: readonly FieldNode[],
): string {
  const where = args.where;
  if (where === undefined || where === null) return "TRUE";
  return whereSql(filterContext(context, statement, nodes), entity, alias, where as Record<string, unknown>);
}

function idKeyOf(raw: unknown): string {
  return raw instanceof Uint8Array ? bytesToHex(raw) : String(raw);
}

/** Binds an id given in the query (hex for Bytes ids, checked). */
function queryId(entity: EntityModel, id: unknown, nodes: readonly FieldNode[]): unknown {
  try {
    return bindable(entity.idType, id);
  } catch (error) {
    throw error instanceof QueryError ? new QueryError(error.message, nodes) : error;
  }
}

export type RootSpec =
  | { kind: "byId"; entity: EntityModel }
  | { kind: "collection"; entity: EntityModel }
  | { kind: "fulltext"; entity: EntityModel; search: FulltextModel };

/** Resolves one top-level entity field at a block: the entity (or list) and everything nested under it. */
export async function resolveRootField(
  context: FetchContext,
  spec: RootSpec,
  args: Record<string, unknown>,
  nodes: readonly FieldNode[],
  block: number,
): Promise<EntityNode | EntityNode[] | null> {
  const plan = planSelection(context, spec.entity, nodes);
  const statement = new Statement(context.dbSchema, block, context.collation, context.head);
  const table = statement.table(spec.entity);
  const columns = selectList(context, plan, "c", statement);
  let sql: string;
  if (spec.kind === "byId") {
    const id = statement.value(spec.entity.idType, queryId(spec.entity, args.id, nodes));
    sql = `SELECT ${columns} FROM ${table} c WHERE c."id" = ${id} AND ${statement.atBlock("c")}`;
  } else {
    const { first, skip } = range(context, args, nodes);
    const where = whereOf(context, statement, spec.entity, "c", args, nodes);
    if (spec.kind === "collection") {
      const order = orderSql(context, statement, spec.entity, "c", args, nodes);
      sql =
        `SELECT ${columns} FROM ${table} c${order.joins} WHERE ${statement.atBlock("c")} AND ${where}` +
        ` ORDER BY ${order.keys.join(", ")} LIMIT ${statement.param(first, "int8")} OFFSET ${statement.param(skip, "int8")}`;
    } else {
      // graph-node orders a search by rank in its default direction, ascending, then by id.
      const query = `to_tsquery(${statement.param(spec.search.language, "regconfig")}, ${statement.param(args.text, "text")})`;
      const document = `c.${quote(spec.search.name)}`;
      const rank = spec.search.algorithm === "proximityRank" ? "ts_rank_cd" : "ts_rank";
      sql =
        `SELECT ${columns} FROM ${table} c WHERE ${statement.atBlock("c")} AND ${document} @@ ${query} AND ${where}` +
        ` ORDER BY ${rank}(${document}, ${query}), ${statement.ordered("c", "id", spec.entity.idType)}` +
        ` LIMIT ${statement.param(first, "int8")} OFFSET ${statement.param(skip, "int8")}`;
    }
  }
  const rows = await run(context, sql, statement.params);
  const entities = rows.map((row) => new EntityNode(spec.entity, row));
  await resolveRelations(context, block, entities, plan);
  if (spec.kind === "byId") return entities[0] ?? null;
  return entities;
}

const PREPARED = { prepare: true } as const;

async function run(context: FetchContext, sql: string, params: unknown[]): Promise<Row[]> {
  try {
    // The same selections come back with other values: each statement text is parsed and planned once.
    return await context.db.query(sql, params, PREPARED);
  } catch (error) {
    const message = (error as Error).message ?? "";
    // graph-node turns PostgreSQL's tsquery syntax errors into this message; "no operand" ones too, here.
    if ((error as { code?: string }).code === "42601" && message.includes("in tsquery")) {
      throw new QueryError(
        `Invalid fulltext search query syntax. Error: ${message}. Hint: Search terms with spaces need to be enclosed in single quotes`,
      );
    }
    throw error;
  }
}

async function resolveRelations(
  context: FetchContext,
  block: number,
  parents: EntityNode[],
  plan: SelectionPlan,
): Promise<void> {
  if (parents.length === 0) return;
  await Promise.all(
    plan.relations.map(async (relation) => {
      const children = await fetchRelation(context, block, parents, relation);
      await resolveRelations(context, block, children, relation.selection);
    }),
  );
}

/**
 * Reads the entities one entity-valued field points at, for all parents at once, and attaches them to each parent.
 * Returns each child once, for the next level.
 */
async function fetchRelation(
  context: FetchContext,
  block: number,
  parents: EntityNode[],
  relation: RelationPlan,
): Promise<EntityNode[]> {
  const { field, target, selection, responseKey } = relation;
  const statement = new Statement(context.dbSchema, block, context.collation, context.head);
  const table = statement.table(target);
  const children = new Map<string, EntityNode>();
  const childOf = (row: Row) => {
    const key = idKeyOf(row.id);
    let node = children.get(key);
    if (!node) {
      node = new EntityNode(target, row);
      children.set(key, node);
    }
    return node;
  };

  if (relation.inline) {
    // The parents' statement read the entities, as JSON: no statement.
    const names = relation.inlineItems!;
    const entityOf = (item: unknown[]) => {
      const row: Row = {};
      for (let index = 0; index < names.length; index++) row[names[index]!] = item[index];
      return childOf(row);
    };
    for (const parent of parents) {
      const raw = parent.row[relation.inlineKey] as unknown[] | unknown[][] | null | undefined;
      if (field.list) {
        parent.relations.set(responseKey, ((raw as unknown[][] | null) ?? []).map(entityOf));
      } else if (field.derivedFrom === undefined) {
        parent.relations.set(responseKey, raw == null ? null : entityOf(raw as unknown[]));
      } else {
        const pointing = (raw as unknown[][] | null) ?? [];
        if (pointing.length > 1) throw ambiguousDerived(relation);
        parent.relations.set(responseKey, pointing.length === 0 ? null : entityOf(pointing[0]!));
      }
    }
    return [...children.values()];
  }

  const columns = selectList(context, selection, "c", statement);
  if (relation.fromParent) {
    // The parents' rows hold the ids, and whether each entity exists at the block: no statement.
    for (const parent of parents) {
      const raw = parent.row[field.name];
      const exists = raw !== null && raw !== undefined && parent.row[existsColumn(field)] === true;
      parent.relations.set(responseKey, exists ? childOf({ id: raw }) : null);
    }
    return [...children.values()];
  }

  if (!field.list && field.derivedFrom === undefined) {
    // A reference: the parents hold the ids.
    const ids = new Set<string>();
    for (const parent of parents) {
      const raw = parent.row[field.name];
      if (raw !== null && raw !== undefined) ids.add(idKeyOf(raw));
    }
    if (ids.size > 0) {
      const rows = await run(
        context,
        `SELECT ${columns} FROM ${table} c WHERE c."id" IN ${statement.keySet(target.idType, [...ids])} AND ${statement.atBlock("c")}`,
        statement.params,
      );
      for (const row of rows) childOf(row);
    }
    for (const parent of parents) {
      const raw = parent.row[field.name];
      parent.relations.set(
        responseKey,
        raw === null || raw === undefined ? null : (children.get(idKeyOf(raw)) ?? null),
      );
    }
    return [...children.values()];
  }

  const page = field.list ? range(context, relation.args, relation.nodes) : undefined;
  if (page && field.derivedFrom === undefined && plainListWindow(parents, relation, page)) {
    // A list of references with no arguments that change what a window holds (no filter or order, nothing skipped,
    // no list longer than `first`): each parent gets all its entities, ordered by id. One lookup by id serves all
    // parents, and each parent's list is ordered here, in the byte order the database sorts ids in.
    const ids = new Set<string>();
    for (const parent of parents) {
      for (const raw of (parent.row[field.name] as unknown[] | null) ?? []) {
        if (raw !== null && raw !== undefined) ids.add(idKeyOf(raw));
      }
    }
    if (ids.size > 0) {
      const rows = await run(
        context,
        `SELECT ${columns} FROM ${table} c WHERE c."id" IN ${statement.keySet(target.idType, [...ids])} AND ${statement.atBlock("c")}`,
        statement.params,
      );
      for (const row of rows) childOf(row);
    }
    for (const parent of parents) {
      const keys = new Set<string>();
      for (const raw of (parent.row[field.name] as unknown[] | null) ?? []) {
        if (raw !== null && raw !== undefined) keys.add(idKeyOf(raw));
      }
      const list = [...keys].flatMap((key) => children.get(key) ?? []);
      list.sort((a, b) => compareCodePoints(idKeyOf(a.row.id), idKeyOf(b.row.id)));
      parent.relations.set(responseKey, list);
    }
    return [...children.values()];
  }

  // Everything else is joined against (parent index, key) pairs: the ids a parent lists, or the parent's own id
  // that derived entities point back at.
  const parentIndexes: number[] = [];
  const keys: string[] = [];
  let keyType: ValueTypeOfId;
  let join: string;
  if (field.derivedFrom === undefined) {
    keyType = target.idType;
    parents.forEach((parent, index) => {
      const seen = new Set<string>();
      for (const raw of (parent.row[field.name] as unknown[] | null) ?? []) {
        if (raw === null || raw === undefined) continue;
        const key = idKeyOf(raw);
        if (seen.has(key)) continue;
        seen.add(key);
        parentIndexes.push(index);
        keys.push(key);
      }
    });
    join = `c."id" = ${keyExpression(keyType)}`;
  } else {
    const parentEntity = parents[0]!.entity;
    keyType = parentEntity.idType;
    parents.forEach((parent, index) => {
      parentIndexes.push(index);
      keys.push(idKeyOf(parent.row.id));
    });
    const back = target.fieldsByName.get(field.derivedFrom)!;
    join = back.list
      ? `${keyExpression(keyType)} = ANY(c.${quote(back.name)})`
      : `c.${quote(back.name)} = ${keyExpression(keyType)}`;
  }
  const empty = () => (field.list ? [] : null);
  if (keys.length === 0) {
    for (const parent of parents) parent.relations.set(responseKey, empty());
    return [];
  }
  const pairs = `unnest(${statement.param(parentIndexes, "int4[]")}, ${statement.param(keys, "text[]")}) AS p(parent, key)`;

  const byParent = new Map<number, EntityNode[]>();
  const add = (row: Row) => {
    const parent = row.__parent as number;
    const list = byParent.get(parent);
    if (list) list.push(childOf(row));
    else byParent.set(parent, [childOf(row)]);
  };

  if (!field.list) {
    // A derived field holding one entity: at most one may point back at each parent.
    const rows = await run(
      context,
      `SELECT p.parent AS "__parent", ${columns} FROM ${pairs} JOIN ${table} c ON ${join} WHERE ${statement.atBlock("c")}`,
      statement.params,
    );
    for (const row of rows) add(row);
    if ([...byParent.values()].some((list) => list.length > 1)) throw ambiguousDerived(relation);
    parents.forEach((parent, index) => parent.relations.set(responseKey, byParent.get(index)?.[0] ?? null));
    return [...children.values()];
  }

  const { first, skip } = page!;
  const where = whereOf(context, statement, target, "c", relation.args, relation.nodes);
  const order = orderSql(context, statement, target, "c", relation.args, relation.nodes);
  const sortKeys = order.keys.join(", ");
  // Entities that point back at their parent: one ordered, limited lookup per parent (through the index on the
  // reference). Listed ids: one window over the (parent, id) pairs.
  const sql =
    field.derivedFrom !== undefined
      ? `SELECT p.parent AS "__parent", w.* FROM ${pairs} CROSS JOIN LATERAL (` +
        `SELECT ${columns}, row_number() OVER (ORDER BY ${sortKeys}) AS "__rank" FROM ${table} c${order.joins}` +
        ` WHERE ${join} AND ${statement.atBlock("c")} AND ${where}` +
        ` ORDER BY ${sortKeys} LIMIT ${statement.param(first, "int8")} OFFSET ${statement.param(skip, "int8")}) w` +
        ` ORDER BY p.parent, w."__rank"`
      : `SELECT * FROM (SELECT p.parent AS "__parent", ${columns},` +
        ` row_number() OVER (PARTITION BY p.parent ORDER BY ${sortKeys}) AS "__rank"` +
        ` FROM ${pairs} JOIN ${table} c ON ${join}${order.joins}` +
        ` WHERE ${statement.atBlock("c")} AND ${where}) w` +
        ` WHERE w."__rank" > ${statement.param(skip, "int8")} AND w."__rank" <= ${statement.param(skip + first, "int8")}` +
        ` ORDER BY w."__parent", w."__rank"`;
  const rows = await run(context, sql, statement.params);
  for (const row of rows) add(row);
  parents.forEach((parent, index) => parent.relations.set(responseKey, byParent.get(index) ?? []));
  return [...children.values()];
}

type ValueTypeOfId = EntityModel["idType"];

function ambiguousDerived(relation: RelationPlan): QueryError {
  const { field, target } = relation;
  return new QueryError(
    `Ambiguous result for derived field \`${field.name}\`: Multiple \`${target.name}\` entities refer back via \`${field.derivedFrom}\``,
    relation.nodes,
  );
}

/** Whether a list of references needs no per-parent window: default arguments and every list within `first`. */
function plainListWindow(
  parents: EntityNode[],
  relation: RelationPlan,
  page: { first: number; skip: number },
): boolean {
  const { where, orderBy } = relation.args;
  if ((where !== undefined && where !== null) || (orderBy !== undefined && orderBy !== null)) return false;
  if (page.skip !== 0) return false;
  return parents.every((parent) => {
    const list = parent.row[relation.field.name];
    return !Array.isArray(list) || list.length <= page.first;
  });
}

/**
 * Compares strings by code point, which is the order of their UTF-8 bytes: how PostgreSQL sorts text in the C
 * collation, and how hex of bytes sorts.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const x = a.codePointAt(index)!;
    const y = b.codePointAt(index)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) index++;
  }
  return a.length - b.length;
}

/** The pair's key as the column type it is compared with: ids of Bytes travel as hex. */
function keyExpression(type: ValueTypeOfId): string {
  return type === "Bytes" ? `decode(p.key, 'hex')` : `p.key`;
}
