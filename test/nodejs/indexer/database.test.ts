// The embedded database, PGlite, on its worker thread (the default) and on the main thread: both must behave the same
// way for callers (value types, errors, transactions, ordering against transactions, COPY, close), and the worker
// must never leave a caller hanging, whether the database is closed or the worker dies.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Worker } from "node:worker_threads";

import pg from "pg";

import { openDatabase, type Database } from "../../../indexer/node/store/database.ts";

const DATABASE_MODULE = new URL("../../../indexer/node/store/database.ts", import.meta.url).href;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise and the function that resolves it, to hold work at a chosen point. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

/** One value in COPY's text format: backslash escapes, and \N for NULL. */
function copyValue(value: string | number | bigint | boolean | Uint8Array | null): string {
  if (value === null) return "\\N";
  // bytea's own text form, \x followed by hex digits, has a backslash that COPY needs escaped in turn.
  if (value instanceof Uint8Array) return `\\\\x${Buffer.from(value).toString("hex")}`;
  return String(value).replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
}

function copyRows(rows: (string | number | bigint | boolean | Uint8Array | null)[][]): string {
  return rows.map((row) => row.map(copyValue).join("\t") + "\n").join("");
}

for (const thread of ["worker", "main"] as const) {
  describe(`PGlite database on the ${thread} thread`, () => {
    let db: Database;
    before(async () => {
      db = await openDatabase({ thread });
    });
    after(() => db.close());

    it("returns every value type as the PostgreSQL server path does", async () => {
      const bytes = new Uint8Array([0, 1, 127, 255]);
      const [row] = await db.query(
        `SELECT $1::int4 AS int4, $2::int8 AS int8, $3::numeric AS numeric, $4::bytea AS bytea, $5::bool AS bool,
                $6::text AS text, $7::int8[] AS int8s, $8::numeric[] AS numerics, $9::text[] AS texts,
                $10::int4[] AS int4s, $11::bool[] AS bools, NULL::text AS nothing, 2.50::numeric AS literal`,
        [
          -7,
          9223372036854775807n,
          "123456789012345678901234567890.000000000000000001",
          bytes,
          true,
          "tab\there\nnewline \\ backslash é",
          [1n, -9223372036854775808n],
          ["1.5", "-0.000000000000000000001"],
          ["a", "b c", ""],
          [1, 2],
          [true, false],
        ],
      );
      assert.deepEqual(row, {
        int4: -7,
        int8: 9223372036854775807n,
        numeric: "123456789012345678901234567890.000000000000000001",
        bytea: bytes,
        bool: true,
        text: "tab\there\nnewline \\ backslash é",
        int8s: [1n, -9223372036854775808n],
        numerics: ["1.5", "-0.000000000000000000001"],
        texts: ["a", "b c", ""],
        int4s: [1, 2],
        bools: [true, false],
        nothing: null,
        literal: "2.50",
      });
      assert.ok(row!.bytea instanceof Uint8Array);
    });

    it("rejects a failing statement with PostgreSQL's message, code and details", async () => {
      await assert.rejects(db.query("SELECT * FROM missing_table"), (error: Error & Record<string, unknown>) => {
        assert.ok(error instanceof Error);
        assert.equal(error.message, 'relation "missing_table" does not exist');
        assert.equal(error.code, "42P01");
        assert.equal(error.position, "15");
        return true;
      });
      await assert.rejects(db.exec("SELEC 1"), { code: "42601", message: /syntax error at or near "SELEC"/ });
      await db.exec("CREATE TABLE unique_keys (id int4 PRIMARY KEY)");
      await db.query("INSERT INTO unique_keys VALUES ($1)", [1]);
      await assert.rejects(db.query("INSERT INTO unique_keys VALUES ($1)", [1]), {
        code: "23505",
        detail: "Key (id)=(1) already exists.",
        constraint: "unique_keys_pkey",
      });
      if (thread === "worker") {
        // The error is rebuilt on this side: its stack leads back to the caller, not to the code that got the reply.
        const error = await db.query("SELECT * FROM missing_table").catch((error: Error) => error);
        assert.match((error as Error).stack!, /database\.test\.ts/);
      }
    });

    it("runs a prepared statement as it runs a plain one: values, failures, transactions, many statements", async () => {
      const sql = `SELECT $1::int8 AS int8, $2::numeric[] AS numerics, $3::bytea AS bytea, $4::text[] AS texts,
                          $5::bool AS bool, $6::int4 AS nothing`;
      const params = [-9223372036854775808n, ["1.5", "-2"], new Uint8Array([0, 255]), ["a", "b c"], false, null];
      const plain = await db.query(sql, params);
      for (let run = 0; run < 3; run++) assert.deepEqual(await db.query(sql, params, { prepare: true }), plain);
      assert.deepEqual(await db.query("SELECT 1 AS one WHERE false", [], { prepare: true }), []);

      await assert.rejects(db.query("SELECT * FROM missing_prepared", [], { prepare: true }), { code: "42P01" });
      const divide = "SELECT 10 / $1::int4 AS quotient";
      assert.deepEqual(await db.query(divide, [5], { prepare: true }), [{ quotient: 2 }]);
      await assert.rejects(db.query(divide, [0], { prepare: true }), { code: "22012" });
      assert.deepEqual(await db.query(divide, [2], { prepare: true }), [{ quotient: 5 }]);

      await db.exec("CREATE TABLE prepared_rows (id int4 PRIMARY KEY)");
      const insert = "INSERT INTO prepared_rows VALUES ($1) RETURNING id";
      await assert.rejects(
        db.transaction(async (transaction) => {
          assert.deepEqual(await transaction.query(insert, [1], { prepare: true }), [{ id: 1 }]);
          throw new Error("roll back");
        }),
        /roll back/,
      );
      assert.deepEqual(await db.query("SELECT count(*)::int4 AS rows FROM prepared_rows"), [{ rows: 0 }]);
      await db.transaction((transaction) => transaction.query(insert, [2], { prepare: true }));
      assert.deepEqual(await db.query("SELECT id FROM prepared_rows", [], { prepare: true }), [{ id: 2 }]);

      // More statements than are kept prepared: the least recently used are closed and prepared again when needed.
      for (let round = 0; round < 2; round++) {
        for (let index = 0; index < 300; index++) {
          const [row] = await db.query(`SELECT $1::int4 + ${index} AS value`, [round], { prepare: true });
          assert.equal(row!.value, round + index);
        }
      }
    });

    it("rolls a transaction back when its work throws", async () => {
      await db.exec("CREATE TABLE atomic (n int4)");
      await assert.rejects(
        db.transaction(async (transaction) => {
          await transaction.query("INSERT INTO atomic VALUES (1)");
          assert.equal((await transaction.query("SELECT count(*)::int4 AS n FROM atomic"))[0]!.n, 1);
          throw new Error("undo");
        }),
        /undo/,
      );
      assert.deepEqual(await db.query("SELECT * FROM atomic"), []);
      assert.equal(
        await db.transaction(async (transaction) => {
          await transaction.query("INSERT INTO atomic VALUES (2)");
          return "done";
        }),
        "done",
      );
      assert.deepEqual(await db.query("SELECT * FROM atomic"), [{ n: 2 }]);
    });

    it("rejects a transaction whose work swallowed a failed statement", async () => {
      await db.exec("CREATE TABLE swallowed (n int4)");
      let leaked: Parameters<Parameters<Database["transaction"]>[0]>[0] | undefined;
      await assert.rejects(
        db.transaction(async (transaction) => {
          leaked = transaction;
          await transaction.query("INSERT INTO swallowed VALUES (1)");
          await assert.rejects(transaction.query("SELECT * FROM missing_table"), { code: "42P01" });
        }),
        { code: "25P02", message: "Transaction was rolled back instead of committed" },
      );
      assert.deepEqual(await db.query("SELECT * FROM swallowed"), []);
      // The transaction's statements cannot run once it is over.
      await assert.rejects(leaked!.query("SELECT 1"), /Transaction is closed/);
      // The connection is usable again.
      assert.deepEqual(await db.query("SELECT 1 AS n"), [{ n: 1 }]);
    });

    it("holds plain statements back until the open transaction ends", async () => {
      await db.exec("CREATE TABLE waits (n int4)");
      const order: string[] = [];
      const inserted = gate();
      const release = gate();
      const transaction = db.transaction(async (transaction) => {
        await transaction.query("INSERT INTO waits VALUES (1)");
        inserted.open();
        await release.opened;
        await transaction.query("INSERT INTO waits VALUES (2)");
        order.push("transaction");
        throw new Error("undo");
      });
      await inserted.opened;
      const count = db.query<{ n: number }>("SELECT count(*)::int4 AS n FROM waits").then((rows) => {
        order.push("query");
        return rows[0]!.n;
      });
      const exec = db.exec("INSERT INTO waits VALUES (3)").then(() => order.push("exec"));
      await sleep(50);
      assert.deepEqual(order, []);
      release.open();
      await assert.rejects(transaction, /undo/);
      // Had the query landed inside the transaction, it would have counted its row; it ran after the rollback.
      assert.equal(await count, 0);
      await exec;
      assert.deepEqual(order, ["transaction", "query", "exec"]);
      assert.deepEqual(await db.query("SELECT n FROM waits"), [{ n: 3 }]);
    });

    it("runs a snapshot's statements while a transaction waits for it", async () => {
      const order: string[] = [];
      let write: Promise<void> | undefined;
      await db.snapshot(async (snapshot) => {
        write = db.transaction(async (transaction) => {
          await transaction.query("SELECT 1");
          order.push("transaction");
        });
        // The snapshot's own statements do not queue behind the waiting transaction.
        await snapshot.query("SELECT 1");
        await snapshot.exec("SELECT 1");
        order.push("snapshot");
      });
      await write;
      assert.deepEqual(order, ["snapshot", "transaction"]);
    });

    it("copies rows in COPY text format, inside a transaction and out of one", async () => {
      await db.exec(
        `CREATE SCHEMA copied;
         CREATE TABLE copied.rows (id int4, big int8, amount numeric, data bytea, label text, flag bool, tags text[])`,
      );
      const rows = [
        [
          1,
          9223372036854775807n,
          "123456789012345678901234567890.5",
          new Uint8Array([0, 9, 10, 92, 255]),
          "plain",
          true,
          "{a,b}",
        ],
        [2, -1n, "0.000000000000000001", new Uint8Array([]), "tab\tnewline\nreturn\rbackslash\\ \\N", false, "{}"],
        [3, null, null, null, null, null, null],
      ] as const;
      const sql = `COPY "copied"."rows" (id, big, amount, data, label, flag, tags) FROM '/dev/blob'`;
      await db.transaction(async (transaction) => {
        assert.ok(transaction.copyFrom);
        await transaction.copyFrom(sql, copyRows(rows.map((row) => [...row])));
      });
      assert.deepEqual(await db.query(`SELECT * FROM copied.rows ORDER BY id`), [
        {
          id: 1,
          big: 9223372036854775807n,
          amount: "123456789012345678901234567890.5",
          data: new Uint8Array([0, 9, 10, 92, 255]),
          label: "plain",
          flag: true,
          tags: ["a", "b"],
        },
        {
          id: 2,
          big: -1n,
          amount: "0.000000000000000001",
          data: new Uint8Array([]),
          label: "tab\tnewline\nreturn\rbackslash\\ \\N",
          flag: false,
          tags: [],
        },
        { id: 3, big: null, amount: null, data: null, label: null, flag: null, tags: null },
      ]);
      // A rolled back transaction takes its copied rows with it.
      await assert.rejects(
        db.transaction(async (transaction) => {
          await transaction.copyFrom!(sql, copyRows([[4, 4n, "4", null, "four", true, null]]));
          throw new Error("undo");
        }),
        /undo/,
      );
      await db.copyFrom!(sql, copyRows([[5, 5n, "5", null, "five", true, null]]));
      assert.deepEqual(await db.query<{ id: number }>(`SELECT id FROM copied.rows ORDER BY id`), [
        { id: 1 },
        { id: 2 },
        { id: 3 },
        { id: 5 },
      ]);
      // Malformed data fails the statement like any other.
      await assert.rejects(db.copyFrom!(sql, "not a number\n"), { code: "22P02" });
    });

    it("writes a batch in one transaction: all of it, or nothing when a statement or an expectation fails", async () => {
      assert.ok(db.writeBatch);
      await db.exec(`CREATE SCHEMA batched; CREATE TABLE batched.rows (id int4 PRIMARY KEY, label text)`);
      const copy = `COPY batched.rows (id, label) FROM '/dev/blob'`;
      const count = `WITH closed AS (UPDATE batched.rows SET label = 'closed' WHERE id <= $1 RETURNING 1) SELECT count(*)::int4 AS closed FROM closed`;
      const ids = async () =>
        (await db.query<{ id: number }>(`SELECT id FROM batched.rows ORDER BY id`)).map((row) => row.id);
      await db.writeBatch([
        {
          sql: copy,
          copyData: copyRows([
            [1, "one"],
            [2, "two"],
          ]),
        },
        { sql: `INSERT INTO batched.rows SELECT $1, $2`, params: [3, "three"] },
        { sql: count, params: [2], expect: { column: "closed", equals: 2, message: "expected two rows" } },
      ]);
      assert.deepEqual(await ids(), [1, 2, 3]);
      assert.deepEqual(await db.query(`SELECT label FROM batched.rows WHERE id = 1`), [{ label: "closed" }]);
      // An expectation that does not hold undoes the statements before it.
      await assert.rejects(
        db.writeBatch([
          { sql: copy, copyData: copyRows([[4, "four"]]) },
          { sql: count, params: [4], expect: { column: "closed", equals: 3, message: "expected three rows" } },
        ]),
        /expected three rows \(found 4\)/,
      );
      // So does a failing statement, and the database goes on working.
      await assert.rejects(
        db.writeBatch([
          { sql: copy, copyData: copyRows([[5, "five"]]) },
          { sql: `INSERT INTO batched.rows SELECT $1, $2`, params: [1, "duplicate"] },
        ]),
        { code: "23505" },
      );
      assert.deepEqual(await ids(), [1, 2, 3]);
    });

    it("finishes what was issued before close, then rejects every later call", async () => {
      const closing = await openDatabase({ thread });
      const issued = closing.query<{ n: number }>("SELECT pg_sleep(0.05), 1 AS n");
      const closed = closing.close();
      assert.equal((await issued)[0]!.n, 1);
      await closed;
      await assert.rejects(closing.query("SELECT 1"), /The database is closed/);
      await assert.rejects(closing.exec("SELECT 1"), /The database is closed/);
      await assert.rejects(closing.copyFrom!("COPY x FROM '/dev/blob'", ""), /The database is closed/);
      await assert.rejects(
        closing.transaction(async () => undefined),
        /The database is closed/,
      );
      await assert.rejects(
        closing.snapshot(async () => undefined),
        /The database is closed/,
      );
      await closing.close();
    });

    it("keeps its data directory across close and reopen", async () => {
      const dataDir = mkdtempSync(join(tmpdir(), "taskmarket-database-"));
      try {
        const first = await openDatabase({ dataDir, thread });
        await first.exec("CREATE TABLE kept (id int8, data bytea)");
        await first.transaction((transaction) =>
          transaction.query("INSERT INTO kept VALUES ($1, $2)", [1n, new Uint8Array([1, 2])]),
        );
        await first.close();
        // The other mode reads the same directory: only the thread differs, not the storage.
        const second = await openDatabase({ dataDir, thread: thread === "worker" ? "main" : "worker" });
        assert.deepEqual(await second.query("SELECT * FROM kept"), [{ id: 1n, data: new Uint8Array([1, 2]) }]);
        await second.close();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });

    it("rejects opening a data directory that cannot be used", async () => {
      const parent = mkdtempSync(join(tmpdir(), "taskmarket-database-"));
      try {
        writeFileSync(join(parent, "file"), "");
        await assert.rejects(openDatabase({ dataDir: join(parent, "file", "data"), thread }), {
          code: "ENOTDIR",
          message: /ENOTDIR: not a directory/,
        });
      } finally {
        rmSync(parent, { recursive: true, force: true });
      }
    });
  });
}

describe("PGlite worker", () => {
  it("rejects pending and later calls once the worker has died", async () => {
    const db = await openDatabase();
    // Reach the worker the way a crash would: from outside the database, which does not expose it.
    let worker: Worker | undefined;
    const postMessage = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (this: Worker, ...args: Parameters<Worker["postMessage"]>) {
      worker = this;
      return postMessage.apply(this, args);
    };
    try {
      await db.query("SELECT 1");
    } finally {
      Worker.prototype.postMessage = postMessage;
    }
    assert.ok(worker);

    const running = gate();
    const transaction = db.transaction(async (transaction) => {
      await transaction.query("SELECT 1");
      running.open();
      await transaction.query("SELECT pg_sleep(5)");
    });
    await running.opened;
    const queued = db.query("SELECT 1");
    await worker.terminate();
    await assert.rejects(transaction, /The PGlite worker exited \(code 1\); the database is no longer available/);
    await assert.rejects(queued, /The PGlite worker exited/);
    await assert.rejects(db.query("SELECT 1"), /The PGlite worker exited/);
    await assert.rejects(
      db.transaction(async () => undefined),
      /The PGlite worker exited/,
    );
    await db.close();
  });

  it("lets the process exit: after close, and even when a database is left open and idle", async () => {
    const directory = mkdtempSync(join(tmpdir(), "taskmarket-database-"));
    const script = join(directory, "exits.ts");
    writeFileSync(
      script,
      `import { openDatabase } from ${JSON.stringify(DATABASE_MODULE)};
      const closed = await openDatabase();
      await closed.query("SELECT 1");
      await closed.close();
      const idle = await openDatabase();
      await idle.query("SELECT 1");
      console.log("done");`,
    );
    const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk));
    const timeout = setTimeout(() => child.kill(), 60_000);
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    clearTimeout(timeout);
    rmSync(directory, { recursive: true, force: true });
    assert.equal(code, 0, output);
    assert.match(output, /done/);
  });
});

describe("PostgreSQL database", () => {
  const server = "postgres://postgres@127.0.0.1:5432";
  const name = `taskmarket_database_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = async (sql: string, params: unknown[] = []) => {
    const client = new pg.Client({ connectionString: `${server}/postgres` });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows;
    } finally {
      await client.end();
    }
  };
  before(() => admin(`CREATE DATABASE ${name}`));
  after(() => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));

  it("survives the server ending its idle connections, and opens new ones for the next statements", async () => {
    const db = await openDatabase({ url: `${server}/${name}` });
    try {
      await Promise.all([db.query("SELECT 1"), db.query("SELECT 2")]);
      // Without a listener for the pool's idle-client errors, this would be an uncaught exception.
      const [{ count }] = (await admin(
        "SELECT count(pg_terminate_backend(pid))::int AS count FROM pg_stat_activity WHERE datname = $1",
        [name],
      )) as [{ count: number }];
      assert.ok(count >= 1);
      await sleep(100);
      assert.deepEqual(await db.query("SELECT 3 AS three"), [{ three: 3 }]);
    } finally {
      await db.close();
    }
  });

  it("writes a batch in one transaction, and undoes it when an expectation fails", async () => {
    const db = await openDatabase({ url: `${server}/${name}` });
    try {
      assert.ok(db.writeBatch);
      await db.exec(`CREATE TABLE batched (id int4 PRIMARY KEY)`);
      const insert = { sql: `INSERT INTO batched SELECT unnest($1::int4[])`, params: [[1, 2]] };
      const count = (equals: number) => ({
        sql: `SELECT count(*)::int4 AS rows FROM batched`,
        expect: { column: "rows", equals, message: `expected ${equals} rows` },
      });
      await db.writeBatch([insert, count(2)]);
      await assert.rejects(
        db.writeBatch([{ sql: `INSERT INTO batched VALUES (3)` }, count(2)]),
        /expected 2 rows \(found 3\)/,
      );
      assert.deepEqual(await db.query(`SELECT id FROM batched ORDER BY id`), [{ id: 1 }, { id: 2 }]);
    } finally {
      await db.close();
    }
  });

  it("has said goodbye on every connection when close resolves, so the database can be dropped at once", async () => {
    const db = await openDatabase({ url: `${server}/${name}` });
    await Promise.all([1, 2, 3, 4].map((n) => db.query(`SELECT ${n}`)));
    await db.close();
    const [{ open }] = (await admin(
      "SELECT count(*)::int AS open FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
      [name],
    )) as [{ open: number }];
    assert.equal(open, 0);
  });
});
