// One interface over the two databases the node can keep its entities in: embedded PGlite (the default: real
// PostgreSQL compiled to WebAssembly, nothing to install) and a PostgreSQL server (`DATABASE_URL`). Both return
// values in the same JavaScript types, so that nothing above this file knows which one it talks to:
//   int4 → number, int8 → bigint, numeric → string, bytea → Uint8Array, bool → boolean, text → string,
//   arrays of those → arrays.
import { mkdirSync } from "node:fs";

import { PGlite } from "@electric-sql/pglite";
import pg from "pg";

export type Row = Record<string, unknown>;

export interface Queryable {
  /** One statement with `$1`-style parameters. */
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Several statements without parameters (DDL). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: "pglite" | "postgres";
  /** Runs `work` in one transaction: every write lands or none does. Transactions never nest. */
  transaction<T>(work: (transaction: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs read-only `work` so that every statement in it sees the same committed state: no transaction of this
   * database commits until it is done (several snapshots run at once). The node's store is the only writer of its
   * subgraph, so holding its commits back is a snapshot, without the round trips and the abort-on-error of a
   * database transaction. This is what lets a query read the indexed head once and then every entity as of it.
   */
  snapshot<T>(work: (snapshot: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A PostgreSQL connection string; when set, the server is used instead of PGlite. */
  url?: string;
  /** PGlite's data directory; in memory when absent. Ignored with `url`. */
  dataDir?: string;
}

const INT8 = 20;
const INT8_ARRAY = 1016;
const NUMERIC = 1700;
const NUMERIC_ARRAY = 1231;
const TEXT_ARRAY = 1009;

export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  return options.url ? openPostgres(options.url) : openPglite(options.dataDir);
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const db = new PGlite({
    dataDir,
    parsers: {
      [INT8]: (value: string) => BigInt(value),
      [NUMERIC]: (value: string) => value,
    },
  });
  await db.waitReady;
  const lock = new ReadWriteLock();
  const queryable = (target: Pick<PGlite, "query" | "exec">): Queryable => ({
    async query<T extends Row>(sql: string, params: readonly unknown[] = []) {
      const result = await target.query<T>(sql, params as unknown[]);
      return result.rows;
    },
    async exec(sql: string) {
      await target.exec(sql);
    },
  });
  return {
    kind: "pglite",
    ...queryable(db),
    transaction: (work) => lock.write(() => db.transaction((transaction) => work(queryable(transaction)))),
    snapshot: (work) => lock.read(() => work(queryable(db))),
    close: () => db.close(),
  };
}

async function openPostgres(url: string): Promise<Database> {
  const defaultParser = (oid: number) => pg.types.getTypeParser(oid as never) as (text: string) => unknown;
  const typeParsers = new Map<number, (value: string) => unknown>([
    [INT8, (value) => BigInt(value)],
    [INT8_ARRAY, (value) => (defaultParser(INT8_ARRAY)(value) as string[]).map(BigInt)],
    [NUMERIC, (value) => value],
    // pg parses numeric[] as floats by default, which loses BigInt and BigDecimal digits: read it as text[].
    [NUMERIC_ARRAY, (value) => defaultParser(TEXT_ARRAY)(value)],
  ]);
  const types = {
    getTypeParser: (oid: number, format?: "text" | "binary") =>
      typeParsers.get(oid) ?? pg.types.getTypeParser(oid as never, format as "text"),
  } as pg.CustomTypesConfig;
  const pool = new pg.Pool({ connectionString: url, types, max: 4 });
  // A failing connection must surface here, at start-up, not at the first query.
  (await pool.connect()).release();
  // pg hands bytea back as a Buffer: a Uint8Array subclass, so it already fits the contract above.
  const queryable = (target: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T extends Row>(sql: string, params: readonly unknown[] = []) {
      const result = await target.query<T>(sql, params as unknown[]);
      return result.rows;
    },
    async exec(sql: string) {
      await target.query(sql);
    },
  });
  const lock = new ReadWriteLock();
  const inTransaction = async <T>(work: (transaction: Queryable) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work(queryable(client));
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
  return {
    kind: "postgres",
    ...queryable(pool),
    transaction: (work) => lock.write(() => inTransaction(work)),
    snapshot: (work) => lock.read(() => work(queryable(pool))),
    close: () => pool.end(),
  };
}

/**
 * Transactions against snapshots: readers share the lock, a writer holds it alone, and a writer that waits goes before
 * the readers that come after it, so that a steady stream of queries cannot hold commits back for long.
 */
class ReadWriteLock {
  #readers = 0;
  #writing = false;
  readonly #queue: { write: boolean; grant: () => void }[] = [];

  async read<T>(work: () => Promise<T>): Promise<T> {
    if (this.#writing || this.#queue.length > 0) await this.#wait(false);
    else this.#readers += 1;
    try {
      return await work();
    } finally {
      this.#readers -= 1;
      this.#grant();
    }
  }

  async write<T>(work: () => Promise<T>): Promise<T> {
    if (this.#writing || this.#readers > 0 || this.#queue.length > 0) await this.#wait(true);
    else this.#writing = true;
    try {
      return await work();
    } finally {
      this.#writing = false;
      this.#grant();
    }
  }

  /** Queues the caller; {@link #grant} counts it in before it resumes. */
  #wait(write: boolean): Promise<void> {
    return new Promise((grant) => this.#queue.push({ write, grant }));
  }

  #grant(): void {
    while (!this.#writing && this.#queue.length > 0) {
      const next = this.#queue[0]!;
      if (next.write) {
        if (this.#readers > 0) return;
        this.#writing = true;
      } else {
        this.#readers += 1;
      }
      this.#queue.shift();
      next.grant();
    }
  }
}
