// One interface over the two databases the node can keep its entities in: embedded PGlite (the default: real
// PostgreSQL compiled to WebAssembly, nothing to install) and a PostgreSQL server (`DATABASE_URL`). Both return
// values in the same JavaScript types, so that nothing above this file knows which one it talks to:
//   int4 → number, int8 → bigint, numeric → string, bytea → Uint8Array, bool → boolean, text → string,
//   arrays of those → arrays.
// PGlite runs on a worker thread by default (see pglite-worker.ts), so that its CPU time does not block the mapping
// handlers; rows and errors cross the thread boundary by structured clone, which keeps bigints and byte arrays.
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

import pg from "pg";

import { runStatements, type BatchStatement, type BatchTarget, type Row } from "./batch.ts";
import type { ErrorDescription, PgliteRequest, PgliteWorkerData, PgliteWorkerMessage } from "./pglite-worker.ts";
import { INT8, INT8_ARRAY, NUMERIC, NUMERIC_ARRAY, TEXT_ARRAY } from "./type-oids.ts";

export type { BatchStatement, Row };

export interface QueryOptions {
  /**
   * Keep the statement prepared, by its text, and run it through the prepared statement from then on: for statements
   * run many times with different parameters (the GraphQL server's). PGlite only; PostgreSQL ignores it.
   */
  prepare?: boolean;
}

export interface Queryable {
  /** One statement with `$1`-style parameters. */
  query<T extends Row = Row>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]>;
  /** Several statements without parameters (DDL). */
  exec(sql: string): Promise<void>;
  /**
   * Bulk insert: runs `sql`, a `COPY "schema"."table" (columns) FROM '/dev/blob'` statement, over `data` in COPY's
   * text format (a string, or its UTF-8 bytes). PGlite only; absent on PostgreSQL, where the caller inserts instead.
   */
  copyFrom?(sql: string, data: Uint8Array | string): Promise<void>;
}

export interface Database extends Queryable {
  readonly kind: "pglite" | "postgres";
  /** Runs `work` in one transaction: every write lands or none does. Transactions never nest. */
  transaction<T>(work: (transaction: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `statements` in order in one transaction, as {@link transaction} would, but without a round trip to the
   * caller between them: on PGlite the batch is one request to the worker. Optional, so that any `Database` can stand
   * in for one in tests; the store falls back to {@link transaction}.
   */
  writeBatch?(statements: readonly BatchStatement[]): Promise<void>;
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
  /**
   * Where PGlite runs: on a worker thread (the default), or on the calling thread, for comparison and debugging.
   * Ignored with `url`.
   */
  thread?: "worker" | "main";
}

export async function openDatabase(options: DatabaseOptions = {}): Promise<Database> {
  if (options.url) return openPostgres(options.url);
  if (options.thread === "main") {
    // Loaded only here: in worker mode, the main thread never loads PGlite at all.
    const { PgliteSession } = await import("./pglite-worker.ts");
    const session = await PgliteSession.open(options.dataDir);
    return pgliteDatabase({
      run: (request) => session.run(request),
      close: async () => void (await session.run({ op: "close" })),
    });
  }
  return pgliteDatabase(await PgliteWorker.start(options.dataDir));
}

/** Where PGlite's requests go: the in-process session, or the worker that holds one. */
interface PgliteConnection {
  /**
   * Rejects with an Error, or with the {@link ErrorDescription} of one raised on the worker. `transfer`: buffers of
   * the request that may be handed over rather than copied.
   */
  run(request: PgliteRequest, transfer?: ArrayBuffer[]): Promise<Row[] | undefined>;
  close(): Promise<void>;
}

// Resolved next to this file, whatever the working directory. `hardhat test` and `hardhat run` load TypeScript through
// tsx, whose hooks are registered on the main thread only: a worker starts with Node's own loader. That loader strips
// types itself (by default from Node 22.18, which package.json requires), so the worker file loads the same way under
// plain Node and under Hardhat, provided it keeps to erasable syntax and imports nothing that needs tsx (its import
// of database.ts is type-only, and erased).
const WORKER_URL = new URL("./pglite-worker.ts", import.meta.url);

/** The main thread's end of a PGlite worker: requests go out with an id, and each reply settles the request by id. */
class PgliteWorker implements PgliteConnection {
  readonly #worker: Worker;
  readonly #pending = new Map<
    number,
    { resolve: (rows: Row[] | undefined) => void; reject: (error: unknown) => void }
  >();
  #lastId = 0;
  /** Why no request can run any more: the database was closed, or the worker died. */
  #unavailable: ErrorDescription | null = null;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on("message", (message: PgliteWorkerMessage) => this.#settle(message));
    worker.on("error", (error) =>
      this.#fail(`The PGlite worker failed (${error.message}); the database is no longer available.`),
    );
    worker.on("messageerror", (error) => {
      this.#fail(`A reply from the PGlite worker could not be read (${error.message}); the database was closed.`);
      void worker.terminate();
    });
    worker.on("exit", (code) =>
      this.#fail(`The PGlite worker exited (code ${code}); the database is no longer available.`),
    );
    // Idle, the worker does not keep the process alive, any more than PGlite on the main thread would; it does
    // while a request waits for its reply.
    worker.unref();
  }

  /** Starts a worker and waits until PGlite is ready in it; rejects with the error that kept it from opening. */
  static start(dataDir: string | undefined): Promise<PgliteWorker> {
    const workerData: PgliteWorkerData = { pgliteWorker: true, dataDir };
    const worker = new Worker(WORKER_URL, { workerData });
    return new Promise((resolve, reject) => {
      const stopListening = () => {
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
      };
      const onMessage = (message: PgliteWorkerMessage) => {
        stopListening();
        if ("ready" in message) return resolve(new PgliteWorker(worker));
        reject(errorFrom("openError" in message ? message.openError : unexpected(message)));
        void worker.terminate();
      };
      const onError = (error: Error & { code?: string }) => {
        stopListening();
        reject(
          error.code === "ERR_UNKNOWN_FILE_EXTENSION"
            ? new Error(
                `The PGlite worker could not load ${fileURLToPath(WORKER_URL)}: Node's type stripping is off. ` +
                  `Run Node without --no-experimental-strip-types, or open the database with thread: "main".`,
                { cause: error },
              )
            : error,
        );
        void worker.terminate();
      };
      const onExit = (code: number) => {
        stopListening();
        reject(new Error(`The PGlite worker exited (code ${code}) before the database was open.`));
      };
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
    });
  }

  /** Sends `request` to the worker; the buffers in `transfer` go with it, detached here. */
  run(request: PgliteRequest, transfer?: ArrayBuffer[]): Promise<Row[] | undefined> {
    if (this.#unavailable) return Promise.reject(this.#unavailable);
    const id = ++this.#lastId;
    return new Promise((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve, reject });
      try {
        this.#worker.postMessage({ ...request, id }, transfer);
      } catch (error) {
        // A parameter that cannot be cloned (a function, say) fails this request only.
        this.#pending.delete(id);
        if (this.#pending.size === 0) this.#worker.unref();
        reject(error);
      }
    });
  }

  async close(): Promise<void> {
    if (this.#unavailable) return;
    try {
      await this.run({ op: "close" });
    } finally {
      this.#fail("The database is closed.");
      await this.#worker.terminate();
    }
  }

  #settle(message: PgliteWorkerMessage): void {
    if (!("id" in message)) return;
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if ("error" in message) pending.reject(message.error);
    else pending.resolve(message.rows);
  }

  /** Makes every pending and later request reject with `message`, once: the first cause is the one reported. */
  #fail(message: string): void {
    if (this.#unavailable) return;
    this.#unavailable = { name: "Error", message, fields: {} };
    for (const { reject } of this.#pending.values()) reject(this.#unavailable);
    this.#pending.clear();
    this.#worker.unref();
  }
}

function unexpected(message: unknown): ErrorDescription {
  return {
    name: "Error",
    message: `Unexpected message from the PGlite worker: ${JSON.stringify(message)}`,
    fields: {},
  };
}

/** Rebuilds an error described on the worker, with PostgreSQL's fields (`code`, `detail`, `position`...). */
function errorFrom(description: ErrorDescription): Error {
  const error = Object.assign(new Error(description.message), description.fields);
  if (description.name !== "Error") error.name = description.name;
  return error;
}

/**
 * Runs one request and rethrows its failure as an Error. The Error is built here, in the caller's async chain, so that
 * its stack shows the statement's caller rather than the message handler that received the reply.
 */
async function perform(
  connection: PgliteConnection,
  request: PgliteRequest,
  transfer?: ArrayBuffer[],
): Promise<Row[] | undefined> {
  try {
    return await connection.run(request, transfer);
  } catch (failure) {
    throw failure instanceof Error ? failure : errorFrom(failure as ErrorDescription);
  }
}

/** The buffers of a batch's COPY data that hold nothing else: they move to the worker instead of being copied. */
function ownBuffers(statements: readonly BatchStatement[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const { copyData } of statements) {
    if (
      copyData instanceof Uint8Array &&
      copyData.buffer instanceof ArrayBuffer &&
      copyData.byteOffset === 0 &&
      copyData.byteLength === copyData.buffer.byteLength
    ) {
      buffers.add(copyData.buffer);
    }
  }
  return [...buffers];
}

function pgliteDatabase(connection: PgliteConnection): Database {
  const lock = new ReadWriteLock();
  let closing: Promise<void> | null = null;
  const rejectClosed = () => Promise.reject(new Error("The database is closed."));

  // Statements run through these do not take the lock: their caller holds it already (a snapshot or a transaction),
  // or takes it around them (the database's own query and exec). Taking it again here could deadlock behind a
  // waiting transaction.
  const statements = (inTransaction: boolean, isOpen: () => boolean = () => true): Required<Queryable> => {
    const ended = () => Promise.reject(new Error("Transaction is closed: its statements must run inside its work."));
    return {
      async query<T extends Row>(sql: string, params: readonly unknown[] = [], options?: QueryOptions) {
        if (!isOpen()) return ended();
        const prepare = options?.prepare === true;
        return (await perform(connection, { op: "query", sql, params, inTransaction, prepare })) as T[];
      },
      async exec(sql: string) {
        if (!isOpen()) return ended();
        await perform(connection, { op: "exec", sql, inTransaction });
      },
      async copyFrom(sql: string, data: Uint8Array | string) {
        if (!isOpen()) return ended();
        await perform(connection, { op: "copy", sql, data, inTransaction });
      },
    };
  };
  const unlocked = statements(false);

  const runTransaction = async <T>(work: (transaction: Queryable) => Promise<T>): Promise<T> => {
    await perform(connection, { op: "begin" });
    let open = true;
    let result: T;
    try {
      result = await work(statements(true, () => open));
    } catch (error) {
      open = false;
      await connection.run({ op: "rollback" }).catch(() => undefined);
      throw error;
    }
    open = false;
    // Rejects when a statement failed inside `work` and `work` went on: COMMIT then rolls back.
    await perform(connection, { op: "commit" });
    return result;
  };

  return {
    kind: "pglite",
    // Plain statements share the lock with snapshots, so that none lands in the middle of a transaction.
    query: <T extends Row>(sql: string, params?: readonly unknown[], options?: QueryOptions) =>
      closing ? rejectClosed() : lock.read(() => unlocked.query<T>(sql, params, options)),
    exec: (sql) => (closing ? rejectClosed() : lock.read(() => unlocked.exec(sql))),
    copyFrom: (sql, data) => (closing ? rejectClosed() : lock.read(() => unlocked.copyFrom(sql, data))),
    transaction: (work) => (closing ? rejectClosed() : lock.write(() => runTransaction(work))),
    writeBatch: (statements) =>
      closing
        ? rejectClosed()
        : lock.write(async () => void (await perform(connection, { op: "batch", statements }, ownBuffers(statements)))),
    snapshot: (work) => (closing ? rejectClosed() : lock.read(() => work(unlocked))),
    // Waits for the transactions and snapshots already started or queued, like PGlite's own close (so it must not be
    // called from inside one).
    close: () => (closing ??= lock.write(() => connection.close())),
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
  // An idle connection the server ends (a restart, an administrator, a dropped database) is already out of the pool
  // when this fires; the next query opens a fresh one and fails there, with the cause, if the server is gone. Without a
  // listener the pool would throw it from the socket's callback and bring the whole process down.
  pool.on("error", () => undefined);
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
  const runTransaction = async <T>(work: (transaction: Queryable) => Promise<T>): Promise<T> => {
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
    transaction: (work) => lock.write(() => runTransaction(work)),
    writeBatch: (statements) =>
      lock.write(() => runTransaction((transaction) => runStatements(transaction as BatchTarget, statements))),
    snapshot: (work) => lock.read(() => work(queryable(pool))),
    close: () => endPool(pool),
  };
}

/**
 * Ends the pool and waits until every connection has said goodbye to the server: pg's own `end` resolves once no
 * client is checked out, while their sockets may still be closing, and a database dropped in that moment would
 * terminate them mid-goodbye.
 */
async function endPool(pool: pg.Pool): Promise<void> {
  let open = pool.totalCount;
  const closed = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    pool.on("remove", () => {
      if (--open === 0) resolve();
    });
  });
  await pool.end();
  await closed;
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
