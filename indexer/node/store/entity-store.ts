// The entity store of the local graph node. Mapping handlers call it synchronously (a WebAssembly host function
// cannot await), so it keeps the current version of every entity in memory and answers from there; the database
// receives the changes later, when the indexer commits a batch of blocks.
//
// Four layers of changes, oldest first:
//   committed  — in the database; memory holds the current version of every entity.
//   committing — the batch a commit under way is writing. Blocks go on being processed meanwhile, so that the
//                database works on one batch while the handlers produce the next.
//   pending    — blocks ended since the last commit began, each with its changes, in block order.
//   open block — the block whose handlers are running; dropped as a whole if one of them fails.
// `#types[*].current` always shows the sum of all of them, so that `get` is one map lookup. Every change remembers the
// version it replaced, which is what undoes a failed block or an uncommitted batch without touching the database.
//
// Versions follow graph-node: an entity changed in blocks 5, 9 and 12 has the rows [5,9), [9,12) and [12,∞). Changes
// within one block collapse into one version; a block that leaves an entity as it found it writes nothing for it.
import type { SchemaModel } from "../schema.ts";
import { runStatements, type BatchStatement, type BatchTarget } from "./batch.ts";
import type { Database } from "./database.ts";
import { BLOCKS_TABLE, META_TABLE, createTablesSql, quote, schemaName, tableRef } from "./layout.ts";
import { CopyTextWriter } from "./copy-text.ts";
import { EntityTable } from "./table.ts";
import { StoreError, type BlockHeader, type Entity, type HostStore, type StoredEntity, type Value } from "./types.ts";
import {
  bytesToHex,
  entitiesEqual,
  entityKey,
  mergeEntity,
  referenceKey,
  toWellFormed,
  valuesEqual,
} from "./values.ts";

export interface StoreMeta {
  subgraphName: string;
  deploymentId: string;
  startBlock: number;
}

export interface StoreOptions {
  /** How many current versions one query loads at open and after a revert (default 50,000). */
  loadPageRows?: number;
}

export interface IndexingFailure {
  block: number;
  message: string;
}

/** How far below the pointer block hashes stay in memory: well beyond any reorg depth the indexer follows. */
const RECENT_BLOCKS = 5_000;
/** How many current versions one query loads: a page is one JSON text, so this bounds its size. */
const DEFAULT_LOAD_PAGE_ROWS = 50_000;
/** The largest payload (JSON rows, or COPY lines) of one statement; a larger batch is written in several. */
const CHUNK_BYTES = 4 * 1024 * 1024;

/** One entity's change in one block: what it was before the block and what it is after (undefined: absent). */
interface Change {
  before: Entity | undefined;
  after: Entity | undefined;
}

interface BlockChanges {
  header: BlockHeader;
  changes: Map<TypeState, Map<string, Change>>;
}

/** The in-memory state of one entity type. */
interface TypeState {
  table: EntityTable;
  /** The latest version of every existing entity, by key (see {@link entityKey}). */
  current: Map<string, Entity>;
  /**
   * For every field some `@derivedFrom` points back through: referenced id → keys of the entities referencing it. This
   * is what answers `loadRelated` without scanning the type.
   */
  references: Map<string, Map<string, Set<string>>>;
  /** The names of the stored fields, sorted: see {@link HostStore.sortedFieldNames}. */
  sortedFieldNames: readonly string[];
}

export class EntityStore implements HostStore {
  readonly dbSchema: string;
  readonly #db: Database;
  readonly #meta: StoreMeta;
  readonly #loadPageRows: number;
  readonly #types = new Map<string, TypeState>();
  #pointer: BlockHeader | null = null;
  #failure: IndexingFailure | null = null;
  #block: BlockChanges | null = null;
  #pending: BlockChanges[] = [];
  /**
   * The last block ended (with or without changes), or the head of the last commit begun, whichever is later: the
   * next block must come after it. Null after a revert: the pointer plays its part then.
   */
  #lastHeader: BlockHeader | null = null;
  #hashes = new Map<number, `0x${string}`>();
  /** Set while a revert talks to the database: nothing else may change the store meanwhile. */
  #reverting = false;
  /** Set while a commit writes its batch: blocks may be processed meanwhile, but no other commit or revert. */
  #committing = false;
  /**
   * Set when a write failed in a way that leaves memory and database possibly out of step: a commit whose outcome is
   * unknown (the connection can drop after the server committed), or a reload that did not finish. Only a
   * {@link revertTo} clears it, by resetting both sides to a block.
   */
  #stale = false;
  /** Where commits write their COPY rows: one buffer, grown once to the size of the largest table's share. */
  readonly #copyText = new CopyTextWriter();

  private constructor(db: Database, model: SchemaModel, meta: StoreMeta, options: StoreOptions) {
    this.#db = db;
    this.#meta = meta;
    this.#loadPageRows = options.loadPageRows ?? DEFAULT_LOAD_PAGE_ROWS;
    this.dbSchema = schemaName(meta.subgraphName);
    for (const entity of model.entities.values()) {
      const table = new EntityTable(this.dbSchema, entity, model);
      this.#types.set(entity.name, {
        table,
        current: new Map(),
        references: new Map(),
        sortedFieldNames: [...table.fields.keys()].sort(),
      });
    }
    for (const entity of model.entities.values()) {
      for (const field of entity.fields) {
        if (field.derivedFrom !== undefined) this.#types.get(field.type)!.references.set(field.derivedFrom, new Map());
      }
    }
  }

  /**
   * Opens the store of a subgraph deployment: creates its tables if needed, refuses a database that holds another
   * deployment under the same name, and loads the current version of every entity into memory.
   */
  static async open(
    db: Database,
    model: SchemaModel,
    meta: StoreMeta,
    options: StoreOptions = {},
  ): Promise<EntityStore> {
    if (typeof meta.deploymentId !== "string" || meta.deploymentId.length === 0) {
      throw new Error("The store needs a deployment id.");
    }
    if (!Number.isInteger(meta.startBlock) || meta.startBlock < 0) {
      throw new Error(`Bad start block: ${meta.startBlock}.`);
    }
    if (options.loadPageRows !== undefined && !(Number.isInteger(options.loadPageRows) && options.loadPageRows > 0)) {
      throw new Error(`Bad loadPageRows: ${options.loadPageRows}.`);
    }
    const store = new EntityStore(db, model, meta, options);
    const metaTable = tableRef(store.dbSchema, META_TABLE);
    const [{ exists }] = await db.query<{ exists: string | null }>(`SELECT to_regclass($1)::text AS exists`, [
      metaTable,
    ]);
    // Checked before creating anything, so that a refused database is left exactly as it was.
    let stored: Row | undefined;
    if (exists) {
      [stored] = await db.query(`SELECT * FROM ${metaTable}`);
      if (stored) store.#checkDeployment(stored);
    }
    await db.exec(createTablesSql(store.dbSchema, model));
    if (!stored) {
      await db.query(`INSERT INTO ${metaTable} (subgraph_name, deployment_id, start_block) VALUES ($1, $2, $3)`, [
        meta.subgraphName,
        meta.deploymentId,
        meta.startBlock,
      ]);
    } else {
      await store.#loadProgress(stored);
    }
    await store.#loadEntities();
    return store;
  }

  /** The last committed block; null before the first commit. */
  get pointer(): BlockHeader | null {
    return this.#pointer;
  }

  /** Why and where indexing stopped, if it did. */
  get failure(): IndexingFailure | null {
    return this.#failure;
  }

  /**
   * The last block processed or committed: where the next block must connect. Ahead of {@link pointer} while blocks
   * wait for a commit or a commit is under way.
   */
  get processed(): BlockHeader | null {
    return this.#lastHeader ?? this.#pointer;
  }

  /** How many ended blocks with changes wait for the next {@link commit}. */
  get pendingBlocks(): number {
    return this.#pending.length;
  }

  /** The hash of an indexed block, for reorg detection; null when it is not among the recent blocks stored. */
  blockHash(number: number): `0x${string}` | null {
    return this.#hashes.get(number) ?? null;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Blocks

  /** Starts a block: the handlers of `block` run next. */
  beginBlock(block: BlockHeader): void {
    if (this.#reverting) throw new Error("Cannot begin a block while a revert is in progress.");
    this.#checkFresh("begin a block");
    if (this.#block) throw new Error(`Block ${this.#block.header.number} is still open: end or discard it first.`);
    if (this.#failure) {
      throw new Error(`The subgraph failed at block ${this.#failure.block}; it does not index further.`);
    }
    checkHeader(block);
    const last = this.processed?.number ?? -1;
    if (block.number <= last) {
      throw new Error(`Block ${block.number} does not come after block ${last}, the last one processed.`);
    }
    this.#block = { header: block, changes: new Map() };
  }

  /** Ends the open block: its changes join the batch that the next {@link commit} writes. */
  endBlock(): void {
    const block = this.#openBlock("end a block");
    for (const [state, changes] of block.changes) {
      // graph-node writes no version for an entity that a block leaves as it found it.
      for (const [key, change] of changes) if (entitiesEqual(change.before, change.after)) changes.delete(key);
      if (changes.size === 0) block.changes.delete(state);
    }
    if (block.changes.size > 0) this.#pending.push(block);
    this.#lastHeader = block.header;
    this.#block = null;
  }

  /** Drops every change of the open block (one of its handlers failed), as if it had never begun. */
  discardBlock(): void {
    const block = this.#openBlock("discard a block");
    this.#undo(block);
    this.#block = null;
  }

  /**
   * Writes every pending block in one transaction and moves the pointer to `head`, which may be later than the last
   * block with changes (blocks without events advance it too). `head` and every block with changes are recorded in
   * `__blocks`. Blocks after `head` may be processed while the commit is under way; they wait for the next one. On
   * failure nothing is written, the batch goes back to the pending blocks, and the store is in doubt until a revert.
   */
  async commit(head: BlockHeader): Promise<void> {
    this.#checkIdle("commit");
    this.#checkFresh("commit");
    if (this.#block) throw new Error(`Cannot commit while block ${this.#block.header.number} is open.`);
    checkHeader(head);
    const last = this.processed?.number ?? -1;
    if (head.number < last) {
      throw new Error(`Cannot commit up to block ${head.number}: block ${last} was already processed.`);
    }
    // The head must be the very block processed (or committed) under its number, not a sibling from a reorg.
    const known = this.processed;
    if (known?.number === head.number && known.hash !== head.hash) {
      throw new Error(
        `Cannot commit up to block ${head.number} with hash ${head.hash}: that block was processed with hash ${known.hash}.`,
      );
    }
    if (this.#pending.length === 0 && this.#pointer?.number === head.number) return;
    const batch = this.#pending;
    this.#pending = [];
    this.#lastHeader = head;
    const blocks = new Map(batch.map((block) => [block.header.number, block.header]));
    blocks.set(head.number, head);
    this.#committing = true;
    try {
      const statements: BatchStatement[] = [];
      for (const state of this.#types.values()) this.#typeStatements(statements, state, batch);
      statements.push(...this.#blocksStatements([...blocks.values()]), this.#pointerStatement(head));
      if (this.#db.writeBatch) await this.#db.writeBatch(statements);
      else await this.#db.transaction((transaction) => runStatements(transaction as BatchTarget, statements));
    } catch (error) {
      this.#pending = batch.concat(this.#pending);
      this.#stale = true;
      throw error;
    } finally {
      this.#committing = false;
    }
    this.#pointer = head;
    for (const block of blocks.values()) this.#hashes.set(block.number, block.hash);
    this.#forgetOldHashes();
  }

  /**
   * Reverts the store to `block` (a reorg, or a restart after an error): drops the open block and the pending batch,
   * deletes the versions that start after `block`, reopens those that ended after it, forgets the later blocks, moves
   * the pointer and reloads memory. A block number below zero reverts to before any block: everything goes. A failure
   * recorded at a later block is cleared, since that block is no longer part of the chain. Reverting to the pointer
   * itself only drops what is not committed, unless a failed write left the database in doubt.
   */
  async revertTo(block: BlockHeader): Promise<void> {
    this.#checkIdle("revert");
    checkHeader(block, true);
    const pointer = this.#pointer?.number ?? -1;
    const target = Math.max(block.number, -1);
    if (target > pointer) throw new Error(`Cannot revert forward, to block ${target}: the store is at ${pointer}.`);
    if (this.#block) {
      this.#undo(this.#block);
      this.#block = null;
    }
    for (let index = this.#pending.length - 1; index >= 0; index--) this.#undo(this.#pending[index]!);
    this.#pending = [];
    this.#lastHeader = null;
    if (target === pointer && !this.#stale) return;

    this.#reverting = true;
    this.#stale = true;
    try {
      const clearFailure = this.#failure !== null && this.#failure.block > target;
      await this.#db.transaction(async (transaction) => {
        for (const { table } of this.#types.values()) {
          await transaction.query(table.deleteAfterSql, [target]);
          await transaction.query(table.reopenAfterSql, [target]);
        }
        await transaction.query(`DELETE FROM ${this.#ref(BLOCKS_TABLE)} WHERE number > $1`, [target]);
        if (target >= 0) {
          await runStatements(transaction as BatchTarget, [
            ...this.#blocksStatements([block]),
            this.#pointerStatement(block),
          ]);
        } else {
          await transaction.query(
            `UPDATE ${this.#ref(META_TABLE)} SET latest_number = NULL, latest_hash = NULL, latest_timestamp = NULL`,
          );
        }
        if (clearFailure) {
          await transaction.query(
            `UPDATE ${this.#ref(META_TABLE)} SET failed = false, failure_block = NULL, failure_message = NULL`,
          );
        }
      });
      if (clearFailure) this.#failure = null;
      this.#pointer = target >= 0 ? block : null;
      for (const number of [...this.#hashes.keys()]) if (number > target) this.#hashes.delete(number);
      if (target >= 0) this.#hashes.set(block.number, block.hash);
      await this.#loadEntities();
      this.#stale = false;
    } finally {
      this.#reverting = false;
    }
  }

  /**
   * Records that indexing failed at `failure.block`. The pointer stays at the last good block, the failure survives
   * restarts, and the store refuses new blocks until a revert below the failed block.
   */
  async recordFailure(failure: IndexingFailure): Promise<void> {
    this.#checkIdle("record a failure");
    this.#checkFresh("record a failure");
    if (this.#block) throw new Error(`Cannot record a failure while block ${this.#block.header.number} is open.`);
    if (this.#pending.length > 0) {
      throw new Error(`Cannot record a failure with ${this.#pending.length} blocks not committed: commit them first.`);
    }
    const pointer = this.#pointer?.number ?? -1;
    if (!Number.isInteger(failure.block) || failure.block <= pointer) {
      throw new Error(`A failure at block ${failure.block} must come after the last indexed block, ${pointer}.`);
    }
    // The message comes from a mapping: keep it storable whatever it holds.
    const message = toWellFormed(String(failure.message).replace(/\0/g, "\\0"));
    await this.#db.query(
      `UPDATE ${this.#ref(META_TABLE)} SET failed = true, failure_block = $1, failure_message = $2`,
      [failure.block, message],
    );
    this.#failure = { block: failure.block, message };
  }

  // ---------------------------------------------------------------------------------------------------------------
  // HostStore

  get(entityType: string, id: string): StoredEntity | null {
    const state = this.#type(entityType);
    // Not copied: entities are never changed in place (a `set` that changes something makes a new one, see
    // mergeEntity), so the one returned never changes under the caller, and the runtime only reads it into the
    // mapping's memory. Copying wide entities was a tenth of the handlers' time.
    return state.current.get(entityKey(state.table.entity, id)) ?? null;
  }

  getInBlock(entityType: string, id: string): Entity | null {
    const state = this.#type(entityType);
    const key = entityKey(state.table.entity, id);
    const entity = this.#block?.changes.get(state)?.get(key)?.after;
    return entity ? new Map(entity) : null;
  }

  set(entityType: string, id: string, data: Entity, handedOver = false): void {
    const state = this.#type(entityType);
    const entity = state.table.entity;
    const key = entityKey(entity, id);
    const block = this.#openBlock(`set ${entityType}[${key}]`);
    const existing = state.current.get(key);
    if (entity.immutable && this.#existedBefore(block, state, key, existing)) {
      throw new StoreError(
        `Entity ${entityType}[${key}] already exists and ${entityType} is immutable: its entities cannot be updated.`,
      );
    }
    this.#change(block, state, key, existing, mergeEntity(entity, state.table.fields, key, data, existing, handedOver));
  }

  remove(entityType: string, id: string): void {
    const state = this.#type(entityType);
    const key = entityKey(state.table.entity, id);
    const block = this.#openBlock(`remove ${entityType}[${key}]`);
    const existing = state.current.get(key);
    if (state.table.entity.immutable && this.#existedBefore(block, state, key, existing)) {
      throw new StoreError(`Entity ${entityType}[${key}] is immutable: entities of ${entityType} cannot be removed.`);
    }
    // Removing what does not exist changes nothing, as in graph-node.
    if (existing !== undefined) this.#change(block, state, key, existing, undefined);
  }

  sortedFieldNames(entityType: string): readonly string[] | undefined {
    return this.#types.get(entityType)?.sortedFieldNames;
  }

  loadRelated(entityType: string, id: string, field: string): Entity[] {
    const state = this.#type(entityType);
    const key = entityKey(state.table.entity, id);
    const model = state.table.entity.fieldsByName.get(field);
    if (!model) throw new StoreError(`Entity ${entityType}[${key}]: unknown field \`${field}\`.`);
    if (model.derivedFrom === undefined) {
      throw new StoreError(
        `Entity ${entityType}[${key}]: field \`${field}\` is not derived: it has no related entities.`,
      );
    }
    const target = this.#types.get(model.type)!;
    const keys = target.references.get(model.derivedFrom)!.get(key);
    if (!keys) return [];
    // Ordered by id, as graph-node returns them.
    return [...keys].sort(compareKeys).map((related) => new Map(target.current.get(related)!));
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Internals

  #type(entityType: string): TypeState {
    const state = this.#types.get(entityType);
    if (!state) throw new StoreError(`Unknown entity type \`${entityType}\`: it is not part of the schema.`);
    return state;
  }

  #openBlock(action: string): BlockChanges {
    if (!this.#block) throw new Error(`Cannot ${action}: no block is open (beginBlock first).`);
    return this.#block;
  }

  #checkIdle(action: string): void {
    if (this.#reverting || this.#committing) {
      throw new Error(`Cannot ${action} while a commit or revert is in progress.`);
    }
  }

  #checkFresh(action: string): void {
    if (this.#stale) {
      throw new Error(`Cannot ${action}: a failed database write left the store in doubt; revertTo a block first.`);
    }
  }

  /** Whether the entity existed before the open block began. */
  #existedBefore(block: BlockChanges, state: TypeState, key: string, existing: Entity | undefined): boolean {
    const change = block.changes.get(state)?.get(key);
    return (change ? change.before : existing) !== undefined;
  }

  #change(
    block: BlockChanges,
    state: TypeState,
    key: string,
    previous: Entity | undefined,
    next: Entity | undefined,
  ): void {
    let changes = block.changes.get(state);
    if (!changes) block.changes.set(state, (changes = new Map()));
    const change = changes.get(key);
    if (change) change.after = next;
    else changes.set(key, { before: previous, after: next });
    this.#apply(state, key, previous, next);
  }

  /** Makes `next` the current version (undefined: absent) and keeps the back-reference index in step. */
  #apply(state: TypeState, key: string, previous: Entity | undefined, next: Entity | undefined): void {
    if (next) state.current.set(key, next);
    else state.current.delete(key);
    for (const [field, index] of state.references) {
      const before = previous?.get(field);
      const after = next?.get(field);
      // Most changes leave references alone; comparing values is cheaper than computing keys.
      if (before === after || (before !== undefined && after !== undefined && valuesEqual(before, after))) continue;
      if (before?.kind !== "Array" && after?.kind !== "Array") {
        const from = before === undefined ? undefined : referenceKey(before);
        const to = after === undefined ? undefined : referenceKey(after);
        if (from === to) continue;
        if (from !== undefined) unlink(index, from, key);
        if (to !== undefined) link(index, to, key);
        continue;
      }
      for (const reference of references(before)) unlink(index, reference, key);
      for (const reference of references(after)) link(index, reference, key);
    }
  }

  /** Restores what every change of `block` replaced. */
  #undo(block: BlockChanges): void {
    for (const [state, changes] of block.changes) {
      for (const [key, change] of changes) this.#apply(state, key, change.after, change.before);
    }
  }

  /** Adds the statements of one type's share of the batch: closing the versions it supersedes, then its new ones. */
  #typeStatements(statements: BatchStatement[], state: TypeState, batch: BlockChanges[]): void {
    const closes: string[] = [];
    const versions: { from: number; to: number | null; entity: Entity }[] = [];
    /** The version of each entity that is open so far in this batch. */
    const open = new Map<string, { from: number; to: number | null; entity: Entity }>();
    for (const block of batch) {
      const changes = block.changes.get(state);
      if (!changes) continue;
      const number = block.header.number;
      for (const [key, change] of changes) {
        const previous = open.get(key);
        if (previous) {
          previous.to = number;
        } else if (change.before !== undefined) {
          // Nothing open in this batch, yet something existed before the block: this is the entity's first change in
          // the batch (a later one would find it open, or removed and so absent), and it supersedes the database's
          // current version.
          closes.push(state.table.encodeClose(key, number));
        }
        if (change.after) {
          const version = { from: number, to: null, entity: change.after };
          versions.push(version);
          open.set(key, version);
        } else {
          open.delete(key);
        }
      }
    }
    for (const { text, count } of chunks(closes)) {
      statements.push({
        sql: state.table.closeSql,
        params: [text],
        // Memory and database disagree about which entities exist otherwise: writing on would corrupt the version
        // history.
        expect: {
          column: "closed",
          equals: count,
          message:
            `${state.table.entity.name}: expected to close ${count} current versions in the database. ` +
            "Another process may be writing to this subgraph's tables",
        },
      });
    }
    if (versions.length === 0) return;
    if (this.#db.copyFrom) {
      // COPY parses rows about twice as fast as json_to_recordset where the database offers it (PGlite).
      const out = this.#copyText;
      for (const version of versions) {
        state.table.writeCopyRow(out, version.from, version.to, version.entity);
        if (out.length >= CHUNK_BYTES) statements.push({ sql: state.table.copySql, copyData: out.take() });
      }
      if (out.length > 0) statements.push({ sql: state.table.copySql, copyData: out.take() });
      return;
    }
    const rows = versions.map((version) => state.table.encodeVersion(version.from, version.to, version.entity));
    for (const { text } of chunks(rows)) statements.push({ sql: state.table.insertSql, params: [text] });
  }

  #blocksStatements(headers: BlockHeader[]): BatchStatement[] {
    const rows = headers.map(
      (header) =>
        `{"n":${header.number},"h":"\\\\x${header.hash.slice(2)}","p":"\\\\x${header.parentHash.slice(2)}","t":${header.timestamp}}`,
    );
    return [...chunks(rows)].map(({ text }) => ({
      sql:
        `INSERT INTO ${this.#ref(BLOCKS_TABLE)} (number, hash, parent_hash, timestamp) ` +
        `SELECT n, h, p, t FROM json_to_recordset($1::json) AS r(n int4, h bytea, p bytea, t int8) ` +
        `ON CONFLICT (number) DO UPDATE SET hash = excluded.hash, parent_hash = excluded.parent_hash, timestamp = excluded.timestamp`,
      params: [text],
    }));
  }

  #pointerStatement(head: BlockHeader): BatchStatement {
    return {
      sql: `UPDATE ${this.#ref(META_TABLE)} SET latest_number = $1, latest_hash = decode($2, 'hex'), latest_timestamp = $3`,
      params: [head.number, head.hash.slice(2), head.timestamp],
    };
  }

  #checkDeployment(stored: Row): void {
    const { subgraphName, deploymentId, startBlock } = this.#meta;
    if (stored.subgraph_name !== subgraphName) {
      throw new Error(
        `The database schema ${this.dbSchema} holds the subgraph "${stored.subgraph_name}", not "${subgraphName}". ` +
          "Choose another subgraph name, data directory or database.",
      );
    }
    if (stored.deployment_id !== deploymentId || stored.start_block !== startBlock) {
      throw new Error(
        `The database schema ${this.dbSchema} holds another deployment of the subgraph "${subgraphName}" ` +
          `(${stored.deployment_id} from block ${stored.start_block}), not ${deploymentId} from block ${startBlock}: ` +
          "it was indexed from a different build of the subgraph. Use another data directory or database, " +
          `or drop the schema to index from scratch (--reset, or DROP SCHEMA ${quote(this.dbSchema)} CASCADE).`,
      );
    }
  }

  async #loadProgress(stored: Row): Promise<void> {
    if (stored.failed) {
      this.#failure = { block: stored.failure_block as number, message: stored.failure_message as string };
    }
    if (stored.latest_number === null) return;
    const number = stored.latest_number as number;
    const rows = await this.#db.query<{ number: number; hash: Uint8Array; parent_hash: Uint8Array; timestamp: bigint }>(
      `SELECT number, hash, parent_hash, timestamp FROM ${this.#ref(BLOCKS_TABLE)} WHERE number > $1 ORDER BY number`,
      [number - RECENT_BLOCKS],
    );
    for (const row of rows) this.#hashes.set(row.number, toHex(row.hash));
    const head = rows.find((row) => row.number === number);
    if (!head) {
      throw new Error(
        `The database schema ${this.dbSchema} is inconsistent: its last block, ${number}, is not recorded.`,
      );
    }
    this.#pointer = {
      number,
      hash: toHex(head.hash),
      parentHash: toHex(head.parent_hash),
      timestamp: Number(head.timestamp),
    };
  }

  async #loadEntities(): Promise<void> {
    for (const state of this.#types.values()) {
      state.current.clear();
      for (const index of state.references.values()) index.clear();
      const bytesIds = state.table.entity.idType === "Bytes";
      let after = 0;
      for (;;) {
        const [{ rows }] = await this.#db.query<{ rows: string | null }>(state.table.selectCurrentSql, [
          after,
          this.#loadPageRows,
        ]);
        if (rows === null) break;
        const page = JSON.parse(rows) as [number, ...unknown[]][];
        for (const row of page) {
          const entity = state.table.decodeRow(row);
          const id = entity.get("id")! as { value: string | Uint8Array };
          const key = bytesIds ? bytesToHex(id.value as Uint8Array) : (id.value as string);
          this.#apply(state, key, undefined, entity);
        }
        if (page.length < this.#loadPageRows) break;
        after = page.at(-1)![0];
      }
    }
  }

  #forgetOldHashes(): void {
    const oldest = (this.#pointer?.number ?? 0) - RECENT_BLOCKS;
    // Pruned in bulk: one pass per RECENT_BLOCKS new entries, not one per commit.
    if (this.#hashes.size < 2 * RECENT_BLOCKS) return;
    for (const number of [...this.#hashes.keys()]) if (number <= oldest) this.#hashes.delete(number);
  }

  #ref(table: string): string {
    return tableRef(this.dbSchema, table);
  }
}

type Row = Record<string, unknown>;

function checkHeader(header: BlockHeader, allowBeforeGenesis = false): void {
  if (!Number.isInteger(header?.number) || (header.number < 0 && !allowBeforeGenesis)) {
    throw new Error(`Bad block number: ${header?.number}.`);
  }
  if (header.number < 0) return;
  for (const hash of [header.hash, header.parentHash]) {
    if (typeof hash !== "string" || !/^0x[0-9a-f]{64}$/.test(hash)) {
      throw new Error(`Block ${header.number}: bad hash ${hash} (0x and 64 lowercase hex digits expected).`);
    }
  }
  if (!Number.isInteger(header.timestamp) || header.timestamp < 0) {
    throw new Error(`Block ${header.number}: bad timestamp ${header.timestamp}.`);
  }
}

function toHex(bytes: Uint8Array): `0x${string}` {
  return bytesToHex(bytes) as `0x${string}`;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function references(value: Value | undefined): string[] {
  if (value === undefined) return [];
  if (value.kind !== "Array") return [referenceKey(value)];
  const keys: string[] = [];
  for (const item of value.value) if (item.kind !== "Null") keys.push(referenceKey(item));
  return keys;
}

function link(index: Map<string, Set<string>>, reference: string, key: string): void {
  let keys = index.get(reference);
  if (!keys) index.set(reference, (keys = new Set()));
  keys.add(key);
}

function unlink(index: Map<string, Set<string>>, reference: string, key: string): void {
  const keys = index.get(reference);
  if (!keys) return;
  keys.delete(key);
  if (keys.size === 0) index.delete(reference);
}

/** Joins JSON rows into arrays of about {@link CHUNK_BYTES} each. */
function* chunks(rows: string[]): Generator<{ text: string; count: number }> {
  let start = 0;
  let size = 0;
  for (let index = 0; index < rows.length; index++) {
    size += rows[index]!.length + 1;
    if (size >= CHUNK_BYTES) {
      yield { text: `[${rows.slice(start, index + 1).join(",")}]`, count: index + 1 - start };
      start = index + 1;
      size = 0;
    }
  }
  if (start < rows.length) yield { text: `[${rows.slice(start).join(",")}]`, count: rows.length - start };
}
