// Embedded PGlite behind a small request protocol, so that it can run on a worker thread: PGlite is PostgreSQL compiled
// to WebAssembly, and every statement it runs on the main thread is CPU time taken from the indexer's mapping
// handlers. database.ts starts this file as a worker and sends it requests, or runs the same `PgliteSession`
// in-process (`thread: "main"`), so that both modes share one implementation and differ only in where it runs.
//
// This file only imports Node built-ins, PGlite and type-oids.ts: a worker does not inherit the TypeScript loader
// that Hardhat registers on the main thread, so the worker has to load through Node's own type stripping alone.
import { mkdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { isMainThread, parentPort, receiveMessageOnPort, workerData, type MessagePort } from "node:worker_threads";

import { PGlite, parse as pgliteParse, protocol, type Transaction } from "@electric-sql/pglite";

import { runStatements, type BatchStatement, type Row } from "./batch.ts";
import { INT8, NUMERIC } from "./type-oids.ts";

/**
 * How long the worker keeps polling for the next request after its last reply, before it goes back to sleep in its
 * event loop. Statements often come in quick succession (a transaction, a query's resolvers); waking a sleeping thread
 * costs tens of microseconds each way, which polling saves at the price of this much CPU time on the worker's own
 * core. With a single core, that time would be taken from the main thread: no polling then.
 */
const POLL_MS = availableParallelism() > 1 ? 0.1 : 0;

/**
 * What the database asks of PGlite. Statements marked `inTransaction` belong to the transaction opened by `begin`;
 * the others run on their own, after any open transaction has ended.
 */
export type PgliteRequest =
  | { op: "query"; sql: string; params: readonly unknown[]; inTransaction: boolean; prepare?: boolean }
  | { op: "exec"; sql: string; inTransaction: boolean }
  | { op: "copy"; sql: string; data: Uint8Array | string; inTransaction: boolean }
  /** Statements run back to back in a transaction of their own: see batch.ts. */
  | { op: "batch"; statements: readonly BatchStatement[] }
  | { op: "begin" | "commit" | "rollback" | "close" };

/**
 * An error as it crosses the thread boundary. Structured clone keeps an Error's message but drops the fields
 * PostgreSQL errors carry (`code`, `detail`, `position`...), which callers test, so they travel separately.
 */
export interface ErrorDescription {
  name: string;
  message: string;
  fields: Record<string, string | number | boolean>;
}

/** The data a worker is started with; the marker tells this file it was started to serve requests. */
export interface PgliteWorkerData {
  pgliteWorker: true;
  dataDir: string | undefined;
}

/** Worker to main thread: `ready` or `openError` once, then one reply per request, by id: its rows or its error. */
export type PgliteWorkerMessage =
  | { ready: true }
  | { openError: ErrorDescription }
  | { id: number; rows: Row[] | undefined }
  | { id: number; error: ErrorDescription };

/**
 * Statements kept prepared, by text. PGlite's own `query` parses, describes, binds, describes again and executes a
 * statement in five calls into PostgreSQL, each parsing and planning it anew; a prepared statement is parsed and
 * described once and then bound and executed in one call, with PostgreSQL's plan cache. The least recently used are
 * closed past this many.
 */
const MAX_PREPARED = 256;

interface PreparedStatement {
  name: string;
  /** The parameters' type oids, which pick each value's text form (arrays, bytea, booleans). */
  parameterTypes: number[];
  /** What every execution returns its rows as; undefined for a statement that returns none. */
  rowDescription: BackendMessage | undefined;
}

type BackendMessage = Awaited<ReturnType<PGlite["execProtocolStream"]>>[number];

function concatenate(parts: readonly Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/** A transaction held open across requests: PGlite's own, which settles once `decide` says commit or roll back. */
interface OpenTransaction {
  transaction: Transaction;
  decide: (commit: boolean) => void;
  finished: Promise<void>;
}

export class PgliteSession {
  readonly #db: PGlite;
  #open: OpenTransaction | null = null;
  /** In use order, the most recent last. */
  readonly #prepared = new Map<string, PreparedStatement>();
  #statements = 0;

  private constructor(db: PGlite) {
    this.#db = db;
  }

  static async open(dataDir: string | undefined): Promise<PgliteSession> {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    const db = new PGlite({
      dataDir,
      parsers: {
        [INT8]: (value: string) => BigInt(value),
        [NUMERIC]: (value: string) => value,
      },
    });
    await db.waitReady;
    return new PgliteSession(db);
  }

  /** Runs one request; rows for a query, nothing for the others. */
  async run(request: PgliteRequest): Promise<Row[] | undefined> {
    switch (request.op) {
      case "query":
        if (request.prepare) return await this.#preparedQuery(request.sql, request.params, request.inTransaction);
        return (await this.#target(request.inTransaction).query<Row>(request.sql, request.params as unknown[])).rows;
      case "exec":
        await this.#target(request.inTransaction).exec(request.sql);
        return undefined;
      case "copy":
        // COPY ... FROM '/dev/blob' reads the blob attached to the statement.
        await this.#target(request.inTransaction).query(request.sql, [], { blob: new Blob([request.data]) });
        return undefined;
      case "batch":
        // PGlite's transaction() commits when the callback returns and rolls back when it throws.
        await this.#db.transaction((transaction) =>
          runStatements(
            {
              query: async (sql, params) => (await transaction.query<Row>(sql, params as unknown[])).rows,
              copyFrom: async (sql, data) => void (await transaction.query(sql, [], { blob: new Blob([data]) })),
            },
            request.statements,
          ),
        );
        return undefined;
      case "begin":
        await this.#begin();
        return undefined;
      case "commit":
        await this.#end(true);
        return undefined;
      case "rollback":
        await this.#end(false);
        return undefined;
      case "close":
        // PGlite's close waits for the open transaction to end, which no request would do any more.
        if (this.#open) await this.#end(false).catch(() => undefined);
        await this.#db.close();
        return undefined;
    }
  }

  /**
   * Statements outside a transaction go through PGlite's own queue, which holds them back while a transaction is
   * open: even a statement that arrived out of turn could not land inside someone else's transaction.
   */
  #target(inTransaction: boolean): Pick<PGlite, "query" | "exec"> {
    if (!inTransaction) return this.#db;
    if (!this.#open) throw new Error("Transaction is closed: its statements must run before it commits or rolls back.");
    return this.#open.transaction;
  }

  /**
   * Runs a statement through a prepared statement of the same text, with PGlite's locking: inside the open
   * transaction, or outside any, like `#target`.
   */
  async #preparedQuery(sql: string, params: readonly unknown[], inTransaction: boolean): Promise<Row[]> {
    const db = this.#db;
    const run = () => db._runExclusiveQuery(() => this.#execute(sql, params));
    if (inTransaction) {
      if (!this.#open) {
        throw new Error("Transaction is closed: its statements must run before it commits or rolls back.");
      }
      return await run();
    }
    return await db._runExclusiveTransaction(async () => {
      const rows = await run();
      // As PGlite's own `query` does after a statement outside a transaction (a no-op for a database in memory).
      await db.syncToFs();
      return rows;
    });
  }

  async #execute(sql: string, params: readonly unknown[]): Promise<Row[]> {
    const db = this.#db;
    const statement = await this.#statement(sql);
    const values = params.map((param, index) => {
      if (param === null || param === undefined) return null;
      const serialize = db.serializers[statement.parameterTypes[index]!];
      return serialize ? serialize(param) : String(param);
    });
    // Bind, execute and sync in one call: on an error PostgreSQL skips to the sync, which ends the implicit
    // transaction (or leaves the open one failed), and PGlite throws the error once all of it has run.
    const messages = await db.execProtocolStream(
      concatenate([
        protocol.serialize.bind({ statement: statement.name, values: values as string[] }),
        protocol.serialize.execute({}),
        protocol.serialize.sync(),
      ]),
      { syncToFs: false },
    );
    if (statement.rowDescription === undefined) return [];
    return pgliteParse.parseResults([statement.rowDescription, ...messages] as never, db.parsers)[0]!.rows as Row[];
  }

  /** The prepared statement of `sql`, prepared now if it is not yet. */
  async #statement(sql: string): Promise<PreparedStatement> {
    const kept = this.#prepared.get(sql);
    if (kept !== undefined) {
      this.#prepared.delete(sql);
      this.#prepared.set(sql, kept);
      return kept;
    }
    const name = `graphql_${++this.#statements}`;
    const messages = await this.#db.execProtocolStream(
      concatenate([
        protocol.serialize.parse({ name, text: sql }),
        protocol.serialize.describe({ type: "S", name }),
        protocol.serialize.sync(),
      ]),
      { syncToFs: false },
    );
    const parameters = messages.find((message) => message.name === "parameterDescription") as
      { dataTypeIDs: number[] } | undefined;
    const statement: PreparedStatement = {
      name,
      parameterTypes: parameters?.dataTypeIDs ?? [],
      rowDescription: messages.find((message) => message.name === "rowDescription"),
    };
    this.#prepared.set(sql, statement);
    if (this.#prepared.size > MAX_PREPARED) {
      const [oldestSql, oldest] = this.#prepared.entries().next().value!;
      this.#prepared.delete(oldestSql);
      await this.#db.execProtocolStream(
        concatenate([protocol.serialize.close({ type: "S", name: oldest.name }), protocol.serialize.sync()]),
        { syncToFs: false },
      );
    }
    return statement;
  }

  async #begin(): Promise<void> {
    if (this.#open) throw new Error("A transaction is already open: transactions never nest.");
    let opened!: (transaction: Transaction) => void;
    let decide!: (commit: boolean) => void;
    const started = new Promise<Transaction>((resolve) => (opened = resolve));
    const decided = new Promise<boolean>((resolve) => (decide = resolve));
    // PGlite's transaction() runs BEGIN, and on COMMIT checks that the transaction did not turn into a rollback
    // because a statement inside failed: keep that logic rather than redo it.
    const finished = this.#db.transaction(async (transaction) => {
      opened(transaction);
      if (!(await decided)) await transaction.rollback();
    });
    // `finished` settles first only when BEGIN itself fails.
    const transaction = await Promise.race([started, finished.then(() => started)]);
    this.#open = { transaction, decide, finished };
  }

  async #end(commit: boolean): Promise<void> {
    const open = this.#open;
    if (!open) throw new Error("No transaction is open.");
    this.#open = null;
    open.decide(commit);
    await open.finished;
  }
}

/** Describes any thrown value, keeping the primitive fields of PostgreSQL and Node errors (`code`, `detail`...). */
export function describeError(error: unknown): ErrorDescription {
  if (!(error instanceof Error)) return { name: "Error", message: String(error), fields: {} };
  const fields: ErrorDescription["fields"] = {};
  for (const [key, value] of Object.entries(error)) {
    if (key === "name" || key === "message" || key === "stack") continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") fields[key] = value;
  }
  return { name: error.name, message: error.message, fields };
}

function serve(port: MessagePort, dataDir: string | undefined): void {
  const reply = (message: PgliteWorkerMessage) => {
    try {
      port.postMessage(message);
    } catch (error) {
      // A value that cannot be cloned must fail its request, not the worker.
      if (!("id" in message)) throw error;
      port.postMessage({ id: message.id, error: describeError(error) } satisfies PgliteWorkerMessage);
    }
  };
  PgliteSession.open(dataDir).then(
    (session) => {
      let running = 0;
      const handle = (message: PgliteRequest & { id: number }) => {
        running += 1;
        session.run(message).then(
          (rows) => finish({ id: message.id, rows }),
          (error: unknown) => finish({ id: message.id, error: describeError(error) }),
        );
      };
      const finish = (message: PgliteWorkerMessage) => {
        reply(message);
        running -= 1;
        if (running > 0 || POLL_MS === 0) return;
        const deadline = performance.now() + POLL_MS;
        do {
          // Takes the next message off the port in order, just as the "message" event would have.
          const next = receiveMessageOnPort(port);
          if (next) return handle(next.message as PgliteRequest & { id: number });
        } while (performance.now() < deadline);
      };
      port.on("message", handle);
      reply({ ready: true });
    },
    (error: unknown) => reply({ openError: describeError(error) }),
  );
}

if (!isMainThread && parentPort && (workerData as Partial<PgliteWorkerData> | null)?.pgliteWorker === true) {
  serve(parentPort, (workerData as PgliteWorkerData).dataDir);
}
