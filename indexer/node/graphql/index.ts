// The GraphQL query engine of the local graph node: serves queries in graph-node's dialect over the entity tables
// of store/layout.ts, so that a query written for a subgraph on The Graph runs here unchanged and gets the same
// answer, and anything outside that dialect is an error that says so.
//
// A request goes through: parse and validate (cached per query text), pick the operation (queries only), coerce the
// variables, check depth/size limits, resolve each top-level field's block (`block: {number|hash|number_gte}`),
// read the data level by level (fetch.ts), then let graphql-js shape the response from what was read (so that
// fragments, aliases, `__typename` and introspection behave exactly as GraphQL specifies), and finally apply
// graph-node's `subgraphError` policy.
//
// Indexing errors: this node stops at the first failing handler and keeps the data up to the block before it, the
// way graph-node does with a fatal error. The failure is attached to the head it stopped at: a query at the head
// (the default) sees `hasIndexingErrors: true` and, under `subgraphError: deny` (the default), gets graph-node's
// `indexing_error` instead of data; a query at an earlier block reads data indexed before the failure and sees none.
import {
  GraphQLError,
  Kind,
  defaultFieldResolver,
  execute as executeGraphQL,
  getVariableValues,
  parse,
  validate,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLFieldResolver,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";

import type { SchemaModel } from "../schema.ts";
import type { Database, Queryable, Row } from "../store/database.ts";
import { BLOCKS_TABLE, META_TABLE, tableRef } from "../store/layout.ts";
import { buildApiSchema, type ApiSchema, type RootFieldSpec } from "./api-schema.ts";
import { INDEXING_ERROR, QueryError, blockNotIndexed, notStartedError, valueParseError } from "./errors.ts";
import { EntityNode, argumentValues, collectFields, resolveRootField, type FetchContext } from "./fetch.ts";
import { checkLimits, type QueryLimits } from "./limits.ts";
import { LruCache } from "./lru.ts";
import { coerceVariables, executionDocument } from "./variables.ts";
import { bytesToHex, formatScalar, parseBytes, valueTypeOf } from "./scalars.ts";
import type { Collation } from "./sql.ts";

export interface QueryEngineOptions {
  db: Database;
  model: SchemaModel;
  /** The PostgreSQL schema holding the subgraph's tables: `schemaName(subgraphName)`. */
  dbSchema: string;
  deploymentId: string;
  /** Largest `first` (graph-node's `GRAPH_GRAPHQL_MAX_FIRST`, 1000 by default). */
  maxFirst?: number;
  /** Largest `skip` (5000 by default, The Graph's hosted limit). */
  maxSkip?: number;
  /** Deepest nesting of selection sets, fragments counting as a level (64 by default). */
  maxDepth?: number;
  /** Most field selections once fragments are expanded (10 000 by default). */
  maxSelections?: number;
  /** graph-node's complexity limit; unlimited by default, as in graph-node. */
  maxComplexity?: number;
  /** Most entities in one response, counting an entity once per place it appears (1 000 000 by default). */
  maxResultEntities?: number;
  /** Parsed and validated documents kept, by query text (500 by default). */
  documentCacheSize?: number;
  /** Where internal failures are reported; `console.error` by default. */
  logger?: (level: "error" | "warning", message: string) => void;
}

export interface QueryRequest {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

export interface QueryResponse {
  data?: unknown;
  errors?: { message: string; locations?: unknown; path?: unknown }[];
}

interface CachedDocument {
  document?: DocumentNode;
  errors?: GraphQLFormattedError[];
  fragments: Map<string, FragmentDefinitionNode>;
  /** Outcome of the static limit checks, per operation. */
  limits: Map<OperationDefinitionNode, QueryError | null>;
  /** What graphql-js executes to shape each operation's response (see variables.ts). */
  executionDocuments: Map<OperationDefinitionNode, DocumentNode>;
}

/** The head of the subgraph and its failure, read once per request from `__meta`. */
interface DeploymentState {
  latest: number;
  latestHash: string | null;
  latestTimestamp: number | null;
  failed: boolean;
  failureBlock: number | null;
  /** The head's row in `__blocks`, read with the head (what `_meta` at the head answers); null when it is gone. */
  latestBlock: { timestamp: number; parentHash: string } | null;
}

type BlockConstraint =
  | { kind: "latest" }
  | { kind: "number"; number: number }
  | { kind: "hash"; hash: string }
  | { kind: "min"; number: number };

interface ResolvedBlock {
  number: number;
  /** Hex without 0x; unknown (null) when the query named the block by number, as in graph-node. */
  hash: string | null;
}

interface RootFieldEntry {
  responseKey: string;
  name: string;
  nodes: FieldNode[];
  spec: RootFieldSpec | undefined;
  args: Record<string, unknown>;
  constraint: BlockConstraint;
  deny: boolean;
}

interface FieldGroup {
  constraint: BlockConstraint;
  deny: boolean;
  fields: RootFieldEntry[];
  block?: ResolvedBlock;
}

/** Top-level values, by response key, for graphql-js to shape. */
class RootData {
  readonly values = new Map<string, unknown>();
}

/** Every query runs the same few statements: each is parsed and planned once (see `QueryOptions.prepare`). */
const PREPARED = { prepare: true } as const;

/** graph-node keeps these response keys when `subgraphError: deny` drops data. */
const KEPT_ON_DENY = new Set(["_meta", "__schema", "__type"]);

export class QueryEngine {
  /** The full API schema, generated like graph-node's from the subgraph schema. */
  readonly schema: GraphQLSchema;
  readonly #api: ApiSchema;
  readonly #options: QueryEngineOptions;
  readonly #limits: QueryLimits;
  readonly #maxFirst: number;
  readonly #maxSkip: number;
  readonly #maxResultEntities: number;
  readonly #documents: LruCache<string, CachedDocument>;
  readonly #log: (level: "error" | "warning", message: string) => void;
  #collation: Promise<Collation> | undefined;

  constructor(options: QueryEngineOptions) {
    this.#options = options;
    this.#api = buildApiSchema(options.model);
    this.schema = this.#api.schema;
    this.#maxFirst = options.maxFirst ?? 1000;
    this.#maxSkip = options.maxSkip ?? 5000;
    this.#maxResultEntities = options.maxResultEntities ?? 1_000_000;
    this.#limits = {
      maxDepth: options.maxDepth ?? 64,
      maxSelections: options.maxSelections ?? 10_000,
      maxComplexity: options.maxComplexity,
    };
    this.#documents = new LruCache(options.documentCacheSize ?? 500);
    this.#log = options.logger ?? ((level, message) => console.error(`[graphql] ${level}: ${message}`));
  }

  /**
   * Executes one request body. Never throws: a bad request, a query outside the dialect or a failure inside come back
   * as `errors` (graph-node's messages where it has one).
   */
  async execute(request: QueryRequest): Promise<QueryResponse> {
    try {
      return await this.#execute(request);
    } catch (error) {
      if (error instanceof QueryError) return { errors: [formatError(error)] };
      if (error instanceof GraphQLError) return { errors: [error.toJSON()] };
      const message = error instanceof Error ? error.message : String(error);
      this.#log("error", `query failed: ${error instanceof Error && error.stack ? error.stack : message}`);
      return { errors: [{ message: `Store error: ${message}` }] };
    }
  }

  async #execute(request: QueryRequest): Promise<QueryResponse> {
    if (request === null || typeof request !== "object") {
      throw new QueryError("The request must be an object with a `query` string.");
    }
    const { query, variables, operationName } = request;
    if (typeof query !== "string") throw new QueryError("The request has no `query` string.");
    if (query.trim().length === 0) throw new QueryError("The query is empty");
    if (variables !== undefined && variables !== null && (typeof variables !== "object" || Array.isArray(variables))) {
      throw new QueryError("`variables` must be a JSON object.");
    }
    if (operationName !== undefined && operationName !== null && typeof operationName !== "string") {
      throw new QueryError("`operationName` must be a string.");
    }

    const cached = this.#document(query);
    if (cached.errors) return { errors: cached.errors };
    const document = cached.document!;
    const operation = selectOperation(document, operationName ?? undefined);
    if (operation.operation === "mutation") throw new QueryError("Not supported: Mutations are not supported");
    if (operation.operation === "subscription") {
      throw new QueryError("Not supported: Subscriptions are not supported");
    }

    const inputs = (variables ?? {}) as Record<string, unknown>;
    let variableValues = coerceVariables(this.schema, operation.variableDefinitions ?? [], inputs);
    if (variableValues === undefined) {
      const coerced = getVariableValues(this.schema, operation.variableDefinitions ?? [], inputs);
      if (coerced.errors) return { errors: coerced.errors.map((error) => error.toJSON()) };
      variableValues = coerced.coerced;
    }

    let limitError = cached.limits.get(operation);
    if (limitError === undefined) {
      try {
        checkLimits(this.schema, operation, cached.fragments, this.#limits);
        limitError = null;
      } catch (error) {
        if (!(error instanceof QueryError)) throw error;
        limitError = error;
      }
      cached.limits.set(operation, limitError);
    }
    if (limitError) throw limitError;

    const groups = this.#groupRootFields(operation, variableValues, cached.fragments);
    const readsStore = groups.some((group) => group.fields.some((field) => field.spec !== undefined));
    const collation = await this.#collationOf();
    // The head and every entity are read in one snapshot, so that a commit landing between two statements cannot
    // mix two blocks into one answer.
    const { state, root, errors } = await this.#options.db.snapshot(async (db) => {
      const state = await this.#deploymentState(db);
      if (state === null && readsStore) throw notStartedError(this.#options.deploymentId);
      if (state !== null) {
        for (const group of groups) group.block = await this.#resolveBlock(db, group.constraint, state);
      }
      const root = new RootData();
      const context: FetchContext = {
        db,
        head: state?.latest ?? null,
        model: this.#options.model,
        api: this.#api,
        dbSchema: this.#options.dbSchema,
        collation,
        maxFirst: this.#maxFirst,
        maxSkip: this.#maxSkip,
        variables: variableValues,
        fragments: cached.fragments,
      };
      const errors: QueryError[] = [];
      await Promise.all(
        groups.flatMap((group) =>
          group.fields.map(async (field) => {
            if (field.spec === undefined) return;
            try {
              const value =
                field.spec.kind === "meta"
                  ? await this.#meta(db, group.block!, state!)
                  : await resolveRootField(context, field.spec, field.args, field.nodes, group.block!.number);
              root.values.set(field.responseKey, value);
            } catch (error) {
              if (!(error instanceof QueryError)) throw error;
              errors.push(error);
            }
          }),
        ),
      );
      return { state, root, errors };
    });
    if (errors.length > 0) return { errors: errors.map(formatError) };

    const size = resultSize(root);
    if (size > this.#maxResultEntities) {
      throw new QueryError(
        `the result size of ${size} entities is larger than the allowed limit of ${this.#maxResultEntities}; ` +
          `use \`first\` and fewer nested collections to return less`,
      );
    }

    let shaping = cached.executionDocuments.get(operation);
    if (shaping === undefined) {
      shaping = executionDocument(this.schema, document, operation);
      cached.executionDocuments.set(operation, shaping);
    }
    const result = await executeGraphQL({
      schema: this.schema,
      document: shaping,
      rootValue: root,
      variableValues: (variables ?? {}) as Record<string, unknown>,
      operationName: operation.name?.value,
      fieldResolver: this.#fieldResolver,
    });
    // graph-node answers a query with an error in it with the errors alone.
    if (result.errors && result.errors.length > 0) return { errors: result.errors.map((error) => error.toJSON()) };

    const data = { ...(result.data as Record<string, unknown>) };
    const response: QueryResponse = {};
    const indexingErrors: { message: string }[] = [];
    let dropped = false;
    if (state !== null) {
      const errorBlock = indexingErrorBlock(state);
      for (const group of groups) {
        if (group.block!.number < errorBlock) continue;
        // A query for `_meta` alone is how one looks at a failed subgraph: it gets no error.
        if (group.fields.every((field) => field.name === "_meta")) continue;
        indexingErrors.push({ message: INDEXING_ERROR });
        if (!group.deny) continue;
        for (const field of group.fields) {
          if (!KEPT_ON_DENY.has(field.responseKey)) {
            delete data[field.responseKey];
            dropped = true;
          }
        }
      }
    }
    if (!dropped || Object.keys(data).length > 0) response.data = data;
    if (indexingErrors.length > 0) response.errors = indexingErrors;
    return response;
  }

  #document(query: string): CachedDocument {
    let cached = this.#documents.get(query);
    if (cached) return cached;
    cached = { fragments: new Map(), limits: new Map(), executionDocuments: new Map() };
    try {
      const document = parse(query);
      const errors = validate(this.schema, document);
      if (errors.length > 0) cached.errors = errors.map((error) => error.toJSON());
      else {
        cached.document = document;
        for (const definition of document.definitions) {
          if (definition.kind === Kind.FRAGMENT_DEFINITION) cached.fragments.set(definition.name.value, definition);
        }
      }
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      cached.errors = [error.toJSON()];
    }
    this.#documents.set(query, cached);
    return cached;
  }

  /** Top-level fields in query order, grouped as graph-node groups them: consecutive fields at the same block. */
  #groupRootFields(
    operation: OperationDefinitionNode,
    variables: Record<string, unknown>,
    fragments: Map<string, FragmentDefinitionNode>,
  ): FieldGroup[] {
    const queryFields = this.schema.getQueryType()!.getFields();
    const groups: FieldGroup[] = [];
    for (const [responseKey, nodes] of collectFields("Query", [operation.selectionSet], variables, fragments)) {
      const name = nodes[0]!.name.value;
      const spec = this.#api.rootFields.get(name);
      const args = spec ? argumentValues(queryFields[name]!, nodes[0]!, variables) : {};
      const constraint = blockConstraint(args.block, nodes);
      const deny = args.subgraphError !== "allow";
      const entry: RootFieldEntry = { responseKey, name, nodes, spec, args, constraint, deny };
      const last = groups.at(-1);
      if (last && sameConstraint(last.constraint, constraint)) {
        last.fields.push(entry);
        last.deny ||= deny;
      } else {
        groups.push({ constraint, deny, fields: [entry] });
      }
    }
    return groups;
  }

  async #deploymentState(db: Queryable): Promise<DeploymentState | null> {
    let rows: Row[];
    try {
      // The head's block comes with it: `_meta` at the head, which nearly every query asks for, needs no statement.
      rows = await db.query(
        `SELECT m.latest_number, m.latest_hash, m.latest_timestamp, m.failed, m.failure_block, b.timestamp AS block_timestamp,` +
          ` b.parent_hash AS block_parent_hash FROM ${tableRef(this.#options.dbSchema, META_TABLE)} m` +
          ` LEFT JOIN ${tableRef(this.#options.dbSchema, BLOCKS_TABLE)} b ON b.hash = m.latest_hash LIMIT 1`,
        [],
        PREPARED,
      );
    } catch (error) {
      // Before the store has created its tables, nothing is indexed yet.
      const code = (error as { code?: string }).code;
      if (code === "42P01" || code === "3F000") return null;
      throw error;
    }
    const row = rows[0];
    if (!row || row.latest_number === null || row.latest_number === undefined) return null;
    return {
      latest: row.latest_number as number,
      latestHash: row.latest_hash instanceof Uint8Array ? bytesToHex(row.latest_hash) : null,
      latestTimestamp:
        row.latest_timestamp === null || row.latest_timestamp === undefined ? null : Number(row.latest_timestamp),
      failed: row.failed === true,
      failureBlock: (row.failure_block as number | null) ?? null,
      latestBlock:
        row.block_parent_hash instanceof Uint8Array
          ? { timestamp: Number(row.block_timestamp), parentHash: `0x${bytesToHex(row.block_parent_hash)}` }
          : null,
    };
  }

  async #resolveBlock(db: Queryable, constraint: BlockConstraint, state: DeploymentState): Promise<ResolvedBlock> {
    const deployment = this.#options.deploymentId;
    switch (constraint.kind) {
      case "latest":
        return { number: state.latest, hash: state.latestHash };
      case "min":
        if (state.latest < constraint.number) {
          throw valueParseError("block.number_gte", blockNotIndexed(deployment, state.latest, constraint.number));
        }
        return { number: state.latest, hash: state.latestHash };
      case "number":
        if (constraint.number > state.latest) {
          throw valueParseError("block.number", blockNotIndexed(deployment, state.latest, constraint.number));
        }
        return { number: constraint.number, hash: null };
      case "hash": {
        const rows = await db.query(
          `SELECT number FROM ${tableRef(this.#options.dbSchema, BLOCKS_TABLE)} WHERE hash = decode($1::text, 'hex')`,
          [constraint.hash],
        );
        if (rows.length === 0) throw valueParseError("block.hash", "no block with that hash found");
        const number = rows[0]!.number as number;
        if (number > state.latest) {
          throw valueParseError("block.number", blockNotIndexed(deployment, state.latest, number));
        }
        return { number, hash: constraint.hash };
      }
    }
  }

  async #meta(db: Queryable, block: ResolvedBlock, state: DeploymentState): Promise<Record<string, unknown>> {
    let timestamp: number | null = null;
    let parentHash: string | null = null;
    if (block.hash !== null && block.hash === state.latestHash) {
      // Read with the head. The head's timestamp is also kept with the head itself, for when its block is no longer
      // in `__blocks`.
      if (state.latestBlock !== null) ({ timestamp, parentHash } = state.latestBlock);
      else timestamp = state.latestTimestamp;
    } else if (block.hash !== null) {
      const rows = await db.query(
        `SELECT timestamp, parent_hash FROM ${tableRef(this.#options.dbSchema, BLOCKS_TABLE)} WHERE hash = decode($1::text, 'hex')`,
        [block.hash],
        PREPARED,
      );
      if (rows[0]) {
        timestamp = Number(rows[0].timestamp);
        parentHash = `0x${bytesToHex(rows[0].parent_hash as Uint8Array)}`;
      }
    }
    return {
      block: { number: block.number, hash: block.hash === null ? null : `0x${block.hash}`, timestamp, parentHash },
      deployment: this.#options.deploymentId,
      hasIndexingErrors: block.number >= indexingErrorBlock(state),
    };
  }

  async #collationOf(): Promise<Collation> {
    this.#collation ??= this.#options.db
      .query(`SELECT datcollate FROM pg_database WHERE datname = current_database()`)
      .then((rows) => {
        const collate = String(rows[0]?.datcollate ?? "");
        return { text: collate === "C" || collate === "POSIX" ? "" : ` COLLATE "C"` };
      });
    try {
      return await this.#collation;
    } catch (error) {
      this.#collation = undefined;
      throw error;
    }
  }

  readonly #fieldResolver: GraphQLFieldResolver<unknown, unknown> = (source, args, context, info) => {
    if (source instanceof EntityNode) {
      const field = source.entity.fieldsByName.get(info.fieldName)!;
      if (field.kind === "entity") {
        const value = source.relations.get(info.path.key as string) ?? null;
        if (value === null && !field.nullable) {
          throw new QueryError(`Null value resolved for non-null field \`${info.fieldName}\``);
        }
        return value;
      }
      const raw = source.row[field.name];
      const type = valueTypeOf(field, this.#options.model);
      if (field.list && Array.isArray(raw)) return raw.map((item) => formatScalar(type, item));
      return formatScalar(type, raw);
    }
    if (source instanceof RootData) return source.values.get(info.path.key as string) ?? null;
    return defaultFieldResolver(source, args, context, info);
  };
}

function formatError(error: QueryError): GraphQLFormattedError {
  return new GraphQLError(error.message, { nodes: error.nodes }).toJSON();
}

function selectOperation(document: DocumentNode, operationName: string | undefined): OperationDefinitionNode {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (operationName !== undefined) {
    const operation = operations.find((candidate) => candidate.name?.value === operationName);
    if (!operation) throw new QueryError(`Operation name not found \`${operationName}\``);
    return operation;
  }
  if (operations.length !== 1) throw new QueryError("Operation name required");
  return operations[0]!;
}

function blockConstraint(value: unknown, nodes: readonly FieldNode[]): BlockConstraint {
  if (value === undefined || value === null) return { kind: "latest" };
  const block = value as { hash?: string | null; number?: number | null; number_gte?: number | null };
  // graph-node's precedence when several are given: hash, then number, then number_gte.
  if (block.hash !== undefined && block.hash !== null) {
    try {
      return { kind: "hash", hash: parseBytes(block.hash) };
    } catch (error) {
      throw error instanceof QueryError ? new QueryError(error.message, nodes) : error;
    }
  }
  if (block.number !== undefined && block.number !== null) return { kind: "number", number: block.number };
  if (block.number_gte !== undefined && block.number_gte !== null) return { kind: "min", number: block.number_gte };
  throw new QueryError(
    "Invalid value provided for argument `block`: give one of `hash`, `number` or `number_gte`",
    nodes,
  );
}

function sameConstraint(a: BlockConstraint, b: BlockConstraint): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "hash") return a.hash === (b as { hash: string }).hash;
  if (a.kind === "latest") return true;
  return a.number === (b as { number: number }).number;
}

/** The first block whose data an indexing error affects (see the top of this file); never when healthy. */
function indexingErrorBlock(state: DeploymentState): number {
  if (!state.failed) return Number.POSITIVE_INFINITY;
  return Math.min(state.failureBlock ?? state.latest, state.latest);
}

/** The number of entity objects in a response, an entity counted once per place it appears. */
function resultSize(root: RootData): number {
  const sizes = new WeakMap<EntityNode, number>();
  const sizeOf = (node: EntityNode): number => {
    let size = sizes.get(node);
    if (size !== undefined) return size;
    size = 1;
    for (const value of node.relations.values()) size += valueSize(value);
    sizes.set(node, size);
    return size;
  };
  const valueSize = (value: unknown): number => {
    if (value instanceof EntityNode) return sizeOf(value);
    if (Array.isArray(value)) return value.reduce((total: number, item) => total + valueSize(item), 0);
    return 0;
  };
  let total = 0;
  for (const value of root.values.values()) total += valueSize(value);
  return total;
}
