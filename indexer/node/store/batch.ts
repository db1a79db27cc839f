// A batch of writes that runs as one transaction: what the store sends for each commit. On PGlite the whole batch is
// one request to the worker thread, which runs its statements back to back: sent one at a time, each statement would
// wait for the main thread to hear that the previous one is done, and the main thread is busy running handlers.
//
// Like pglite-worker.ts, which runs it, this file keeps to erasable syntax and imports nothing at run time.

export type Row = Record<string, unknown>;

/** One statement of a batch. */
export interface BatchStatement {
  sql: string;
  params?: readonly unknown[];
  /**
   * Rows in COPY's text format for `sql`, a `COPY … FROM '/dev/blob'` statement: only where `copyFrom` exists. As
   * UTF-8 bytes, a buffer of their own is handed over to the database's thread rather than copied: the batch's owner
   * must not use it afterwards.
   */
  copyData?: Uint8Array | string;
  /**
   * The statement must return one row whose `column` equals `equals`; otherwise the batch fails with `message` and
   * nothing of it is written.
   */
  expect?: { column: string; equals: number; message: string };
}

/** What runs a batch's statements: a transaction. */
export interface BatchTarget {
  query(sql: string, params: readonly unknown[]): Promise<Row[]>;
  copyFrom?(sql: string, data: Uint8Array | string): Promise<void>;
}

/** Runs `statements` in order on `target`, checking each expectation; throws at the first failure. */
export async function runStatements(target: BatchTarget, statements: readonly BatchStatement[]): Promise<void> {
  for (const statement of statements) {
    if (statement.copyData !== undefined) {
      if (!target.copyFrom) throw new Error("This database does not take COPY data.");
      await target.copyFrom(statement.sql, statement.copyData);
      continue;
    }
    const rows = await target.query(statement.sql, statement.params ?? []);
    const expect = statement.expect;
    if (expect !== undefined) {
      const actual = rows.length === 1 ? rows[0]![expect.column] : undefined;
      if (actual !== expect.equals) throw new Error(`${expect.message} (found ${String(actual)})`);
    }
  }
}
