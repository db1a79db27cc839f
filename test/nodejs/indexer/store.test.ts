// The entity store of the local graph node, against both databases it runs on: embedded PGlite (in a temporary data
// directory, so that reopening reads what was written) and the PostgreSQL server (in a database of its own, created
// and dropped here).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import pg from "pg";

import { parseSchema } from "../../../indexer/node/schema.ts";
import { openDatabase, type Database } from "../../../indexer/node/store/database.ts";
import { EntityStore, type StoreMeta } from "../../../indexer/node/store/entity-store.ts";
import { schemaName } from "../../../indexer/node/store/layout.ts";
import {
  StoreError,
  type BlockHeader,
  type Entity,
  type StoredEntity,
  type Value,
} from "../../../indexer/node/store/types.ts";

const SCHEMA = parseSchema(`
  enum TaskStatus {
    Open
    Claimed
    Done
  }

  type Account @entity {
    id: Bytes!
    name: String
    posted: [Task!]! @derivedFrom(field: "poster")
    assigned: [Task!]! @derivedFrom(field: "workers")
    bids: [Bid!]! @derivedFrom(field: "bidder")
  }

  type Task @entity {
    id: ID!
    poster: Account!
    workers: [Account!]
    title: String!
    description: String
    status: TaskStatus!
    tags: [String!]!
    reward: BigInt!
    fee: BigDecimal
    count: Int!
    big: Int8
    createdAt: Timestamp!
    open: Boolean
    data: Bytes
    amounts: [BigInt]
    steps: [Int!]
    stamps: [Timestamp!]
    flags: [Boolean!]
    hashes: [Bytes!]
    decimals: [BigDecimal!]
    int8s: [Int8!]
    statuses: [TaskStatus!]
    bids: [Bid!]! @derivedFrom(field: "task")
  }

  type Bid @entity(immutable: true) {
    id: Bytes!
    task: Task!
    bidder: Account!
    amount: BigInt!
  }

  type _Schema_
    @fulltext(
      name: "taskSearch"
      language: en
      algorithm: rank
      include: [{ entity: "Task", fields: [{ name: "title" }, { name: "description" }] }]
    )
`);

// Value builders.
const str = (value: string): Value => ({ kind: "String", value });
const int = (value: number): Value => ({ kind: "Int", value });
const bigInt = (value: bigint): Value => ({ kind: "BigInt", value });
const decimal = (value: string): Value => ({ kind: "BigDecimal", value });
const int8 = (value: bigint): Value => ({ kind: "Int8", value });
const timestamp = (value: bigint): Value => ({ kind: "Timestamp", value });
const bool = (value: boolean): Value => ({ kind: "Bool", value });
const bytes = (hex: string): Value => ({ kind: "Bytes", value: new Uint8Array(Buffer.from(hex.slice(2), "hex")) });
const list = (...values: Value[]): Value => ({ kind: "Array", value: values });
const NULL: Value = { kind: "Null" };
const entity = (fields: Record<string, Value>): Entity => new Map(Object.entries(fields));

const ALICE = "0x00000000000000000000000000000000000a11ce";
const BOB = "0x0000000000000000000000000000000000000b0b";
const CAROL = "0x00000000000000000000000000000000000ca201";

const ZERO_HASH = `0x${"0".repeat(64)}` as const;

/** Block `number` of a chain; blocks of different forks have different hashes. */
function header(number: number, fork = 0): BlockHeader {
  const hash = (n: number): `0x${string}` =>
    n < 0 ? ZERO_HASH : `0x${fork.toString(16).padStart(2, "0")}${n.toString(16).padStart(62, "0")}`;
  return { number, hash: hash(number), parentHash: hash(number - 1), timestamp: 1_700_000_000 + number * 12 };
}

function account(id: string, name?: string): Entity {
  return entity({ id: bytes(id), ...(name === undefined ? {} : { name: str(name) }) });
}

function task(id: string, fields: Record<string, Value> = {}): Entity {
  return entity({
    id: str(id),
    poster: bytes(ALICE),
    title: str(`Task ${id}`),
    status: str("Open"),
    tags: list(),
    reward: bigInt(100n),
    count: int(0),
    createdAt: timestamp(1_700_000_000_000_000n),
    ...fields,
  });
}

function bid(id: string, taskId: string, bidder: string, amount: bigint): Entity {
  return entity({ id: bytes(id), task: str(taskId), bidder: bytes(bidder), amount: bigInt(amount) });
}

/** Every field of every kind, with the awkward values: extremes, negatives, empty and null list items. */
function fullTask(id: string): Entity {
  return task(id, {
    workers: list(bytes(BOB), bytes(CAROL)),
    description: str("Ünïcödé, emoji 🚀, quotes \" ' and a backslash \\ and {braces,} and a\nnewline"),
    status: str("Claimed"),
    tags: list(str("a"), str(""), str("with,comma"), str("{x}"), str('q"uote'), str("NULL")),
    reward: bigInt(-(2n ** 255n) + 7n),
    fee: decimal("-12345678901234567890.000000000000000000001"),
    count: int(-2_147_483_648),
    big: int8(9_223_372_036_854_775_807n),
    createdAt: timestamp(-9_223_372_036_854_775_808n),
    open: bool(false),
    data: bytes("0x"),
    amounts: list(bigInt(2n ** 256n), NULL, bigInt(-1n)),
    steps: list(int(2_147_483_647), int(0)),
    stamps: list(timestamp(1n), timestamp(-1n)),
    flags: list(bool(true), bool(false)),
    hashes: list(bytes("0x00ff"), bytes("0x"), bytes("0xdeadbeef")),
    decimals: list(decimal("0.5"), decimal("-3"), decimal("0")),
    int8s: list(int8(-9_223_372_036_854_775_808n)),
    statuses: list(str("Done"), str("Open")),
  });
}

/** A database that the suite can close and open again on the same data, to test what survives a restart. */
interface Backend {
  readonly name: string;
  db: Database;
  start(): Promise<void>;
  reopen(): Promise<void>;
  stop(): Promise<void>;
}

function pgliteBackend(): Backend {
  let dataDir = "";
  return {
    name: "PGlite",
    db: undefined as unknown as Database,
    async start() {
      dataDir = mkdtempSync(join(tmpdir(), "taskmarket-store-"));
      this.db = await openDatabase({ dataDir });
    },
    async reopen() {
      await this.db.close();
      this.db = await openDatabase({ dataDir });
    },
    async stop() {
      await this.db?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function postgresBackend(): Backend {
  const server = "postgres://postgres@127.0.0.1:5432";
  const database = `taskmarket_store_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: `${server}/postgres` });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    name: "PostgreSQL",
    db: undefined as unknown as Database,
    async start() {
      await admin(`CREATE DATABASE ${database}`);
      this.db = await openDatabase({ url: `${server}/${database}` });
    },
    async reopen() {
      await this.db.close();
      this.db = await openDatabase({ url: `${server}/${database}` });
    },
    async stop() {
      await this.db?.close();
      await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
  };
}

let subgraphs = 0;
function meta(overrides: Partial<StoreMeta> = {}): StoreMeta {
  subgraphs += 1;
  return { subgraphName: `store_test_${subgraphs}`, deploymentId: "0xdeployment", startBlock: 0, ...overrides };
}

/** Every row of every table of the subgraph, without `__vid` (which differs between equal histories). */
async function dump(db: Database, store: EntityStore): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {};
  for (const entity of SCHEMA.entities.values()) {
    const columns = ["__block_from", "__block_to", ...entity.storedFields.map((field) => `"${field.name}"`)];
    if (entity.name === "Task") columns.push(`"taskSearch"::text AS "taskSearch"`);
    tables[entity.name] = await db.query(
      `SELECT ${columns.join(", ")} FROM "${store.dbSchema}"."${entity.name}" ORDER BY id, __block_from`,
    );
  }
  tables.__blocks = await db.query(`SELECT * FROM "${store.dbSchema}".__blocks ORDER BY number`);
  tables.__meta = await db.query(`SELECT * FROM "${store.dbSchema}".__meta`);
  return JSON.parse(
    JSON.stringify(tables, (_, value) =>
      typeof value === "bigint"
        ? `${value}n`
        : value instanceof Uint8Array || value?.type === "Buffer"
          ? Buffer.from(value instanceof Uint8Array ? value : value.data).toString("hex")
          : value,
    ),
  );
}

/** Every current entity the store holds in memory, by type and id, as `get` returns them. */
function memory(store: EntityStore, ids: Record<string, string[]>): Record<string, (StoredEntity | null)[]> {
  return Object.fromEntries(Object.entries(ids).map(([type, list]) => [type, list.map((id) => store.get(type, id))]));
}

async function versions(db: Database, store: EntityStore, type: string, id: string | Uint8Array) {
  return db.query<{ from: number; to: number | null }>(
    `SELECT __block_from AS "from", __block_to AS "to" FROM "${store.dbSchema}"."${type}" WHERE id = $1 ORDER BY __vid`,
    [id],
  );
}

/** Runs `work` as the handlers of block `number`, then ends the block. */
function inBlock(store: EntityStore, block: BlockHeader, work: () => void): void {
  store.beginBlock(block);
  work();
  store.endBlock();
}

function suite(backend: Backend): void {
  describe(`EntityStore on ${backend.name}`, () => {
    before(() => backend.start());
    after(() => backend.stop());

    it("holds transactions back while snapshots read, and lets a waiting transaction go before later snapshots", async () => {
      const order: string[] = [];
      let releaseFirst!: () => void;
      const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
      let firstStarted!: () => void;
      const firstRunning = new Promise<void>((resolve) => (firstStarted = resolve));
      const first = backend.db.snapshot(async (db) => {
        order.push("snapshot 1 start");
        firstStarted();
        await firstHeld;
        await db.query("SELECT 1");
        order.push("snapshot 1 end");
      });
      await firstRunning;
      // Snapshots share: a second one runs while the first is held.
      await backend.db.snapshot(async (db) => {
        await db.query("SELECT 1");
        order.push("snapshot 2");
      });
      const write = backend.db.transaction(async (db) => {
        await db.query("SELECT 1");
        order.push("transaction");
      });
      const later = backend.db.snapshot(async () => {
        order.push("snapshot 3");
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.deepEqual(order, ["snapshot 1 start", "snapshot 2"]);
      releaseFirst();
      await Promise.all([first, write, later]);
      assert.deepEqual(order, ["snapshot 1 start", "snapshot 2", "snapshot 1 end", "transaction", "snapshot 3"]);
      // A failing transaction or snapshot releases the lock.
      await assert.rejects(
        backend.db.transaction(() => Promise.reject(new Error("boom"))),
        /boom/,
      );
      await assert.rejects(
        backend.db.snapshot(() => Promise.reject(new Error("bang"))),
        /bang/,
      );
      assert.equal(await backend.db.snapshot(async (db) => (await db.query<{ n: number }>("SELECT 7 AS n"))[0]!.n), 7);
    });

    it("creates the layout's tables and an empty __meta row on first open", async () => {
      const store = await EntityStore.open(backend.db, SCHEMA, meta({ startBlock: 7 }));
      assert.equal(store.dbSchema, `subgraph_store_test_${subgraphs}`);
      assert.equal(store.pointer, null);
      assert.equal(store.failure, null);
      assert.equal(store.pendingBlocks, 0);
      const [row] = await backend.db.query(`SELECT * FROM "${store.dbSchema}".__meta`);
      assert.equal(row!.start_block, 7);
      assert.equal(row!.deployment_id, "0xdeployment");
      assert.equal(row!.latest_number, null);
      assert.equal(row!.failed, false);
    });

    describe("set: validation against the schema", () => {
      let store: EntityStore;
      before(async () => {
        store = await EntityStore.open(backend.db, SCHEMA, meta());
        store.beginBlock(header(1));
        store.set("Account", ALICE, account(ALICE, "alice"));
        store.set("Task", "t1", task("t1"));
      });
      after(() => store.discardBlock());

      const rejects = (message: RegExp, work: () => void) => {
        const before = store.get("Task", "t1");
        assert.throws(work, (error: unknown) => {
          assert.ok(error instanceof StoreError, `expected a StoreError, got ${error}`);
          assert.match(error.message, message);
          return true;
        });
        assert.deepEqual(store.get("Task", "t1"), before, "a rejected set changes nothing");
      };

      it("rejects an unknown entity type", () =>
        rejects(/Unknown entity type `Nope`/, () => store.set("Nope", "x", entity({ id: str("x") }))));
      it("rejects an unknown field", () =>
        rejects(/Entity Task\[t1\]: unknown field `colour`/, () =>
          store.set("Task", "t1", entity({ colour: str("red") })),
        ));
      it("rejects a missing non-null field on a new entity", () =>
        rejects(/Entity Task\[t2\]: missing value for non-nullable field `poster` \(Account!\)/, () => {
          const data = task("t2");
          data.delete("poster");
          store.set("Task", "t2", data);
        }));
      it("rejects null for a non-null field", () =>
        rejects(/Entity Task\[t1\]: field `title` is non-nullable \(String!\) and cannot be set to null/, () =>
          store.set("Task", "t1", entity({ title: NULL })),
        ));
      it("rejects a value of the wrong kind", () =>
        rejects(/Entity Task\[t1\]: the value `32` for field `title` must have type String! but has type Int/, () =>
          store.set("Task", "t1", entity({ title: int(32) })),
        ));
      it("rejects a reference of the wrong id kind", () =>
        rejects(/the value `0x00ff` for field `task` must have type Task! but has type Bytes/, () =>
          store.set(
            "Bid",
            "0x01",
            entity({ id: bytes("0x01"), task: bytes("0x00ff"), bidder: bytes(ALICE), amount: bigInt(1n) }),
          ),
        ));
      it("rejects a scalar for a list field", () =>
        rejects(/the value `a` for field `tags` must have type \[String!\]! but has type String/, () =>
          store.set("Task", "t1", entity({ tags: str("a") })),
        ));
      it("rejects an item of the wrong kind in a list", () =>
        rejects(
          /field `steps` is of type \[Int!\], but the value `\[1, x\]` holds `x` at index 1, which must have type Int! but has type String/,
          () => store.set("Task", "t1", entity({ steps: list(int(1), str("x")) })),
        ));
      it("rejects a null item in a list of non-null items", () =>
        rejects(/field `tags` is of type \[String!\]!, but the value `\[a, null\]` contains a null at index 1/, () =>
          store.set("Task", "t1", entity({ tags: list(str("a"), NULL) })),
        ));
      it("rejects an id that differs from the id argument", () =>
        rejects(/Value of Task attribute 'id' conflicts with ID passed to `store.set\(\)`: t9 != t1/, () =>
          store.set("Task", "t1", task("t9")),
        ));
      it("rejects a Bytes id that differs from the id argument", () =>
        rejects(
          /Value of Account attribute 'id' conflicts with ID passed to `store.set\(\)`: 0x0b0b != 0x00000000000000000000000000000000000a11ce/,
          () => store.set("Account", ALICE, account("0x0b0b")),
        ));
      it("rejects a Bytes id argument that is not hex", () =>
        rejects(/Entity Account\[alice\]: Bytes ids must be 0x-prefixed hex/, () =>
          store.set("Account", "alice", entity({})),
        ));
      it("rejects an enum value outside the enum", () =>
        rejects(/the value `Lost` for field `status` is not a value of enum TaskStatus \(Open, Claimed, Done\)/, () =>
          store.set("Task", "t1", entity({ status: str("Lost") })),
        ));
      it("rejects an enum value outside the enum inside a list", () =>
        rejects(/holds `Lost` at index 0, which is not a value of enum TaskStatus/, () =>
          store.set("Task", "t1", entity({ statuses: list(str("Lost")) })),
        ));
      it("rejects an Int outside 32 bits", () => {
        rejects(/the value `2147483648` for field `count` is not a 32-bit integer/, () =>
          store.set("Task", "t1", entity({ count: int(2 ** 31) })),
        );
        rejects(/the value `1.5` for field `count` is not a 32-bit integer/, () =>
          store.set("Task", "t1", entity({ count: int(1.5) })),
        );
      });
      it("rejects an Int8 outside 64 bits", () =>
        rejects(/the value `9223372036854775808` for field `big` is not a 64-bit integer/, () =>
          store.set("Task", "t1", entity({ big: int8(2n ** 63n) })),
        ));
      it("rejects a BigDecimal that is not plain decimal notation", () =>
        rejects(/the value `1e5` for field `fee` is not a decimal number in plain notation/, () =>
          store.set("Task", "t1", entity({ fee: decimal("1e5") })),
        ));
      it("rejects text PostgreSQL cannot store", () => {
        rejects(/the value `a\\0b` for field `title` contains a NUL character/, () =>
          store.set("Task", "t1", entity({ title: str("a\0b") })),
        );
        rejects(/contains an unpaired UTF-16 surrogate/, () =>
          store.set("Task", "t1", entity({ title: str("\ud800") })),
        );
      });
      it("rejects setting a derived field", () =>
        rejects(/Entity Task\[t1\]: field `bids` is derived and cannot be set/, () =>
          store.set("Task", "t1", entity({ bids: list() })),
        ));
      it("accepts a partial update that leaves the required fields in place", () => {
        store.set("Task", "t1", entity({ title: str("Renamed") }));
        assert.deepEqual(store.get("Task", "t1")!.get("title"), str("Renamed"));
      });
    });

    it("merges a set into the existing entity; Null clears a field; a set leaves what get returned as it was", async () => {
      const store = await EntityStore.open(backend.db, SCHEMA, meta());
      inBlock(store, header(1), () => {
        store.set("Account", ALICE, account(ALICE, "alice"));
        store.set("Task", "t1", task("t1", { description: str("first"), fee: decimal("1.5") }));
      });
      store.beginBlock(header(2));
      store.set("Task", "t1", entity({ count: int(5), description: NULL }));
      const merged = store.get("Task", "t1")!;
      assert.deepEqual(merged, task("t1", { fee: decimal("1.5"), count: int(5) }));
      store.set("Task", "t1", entity({ title: str("retitled") }));
      assert.deepEqual(merged.get("title"), str("Task t1"));
      assert.deepEqual(store.get("Task", "t1")!.get("title"), str("retitled"));
      store.set("Task", "t1", entity({ title: str("Task t1") }));
      // Without an id in the data, the id comes from the argument.
      store.set("Account", BOB, entity({ name: str("bob") }));
      assert.deepEqual(store.get("Account", BOB), account(BOB, "bob"));
      // Bytes ids are case-insensitive, as in graph-node.
      assert.deepEqual(store.get("Account", ALICE.toUpperCase().replace("0X", "0x")), account(ALICE, "alice"));
      store.endBlock();
      await store.commit(header(2));
      assert.deepEqual(store.get("Task", "t1"), task("t1", { fee: decimal("1.5"), count: int(5) }));
    });

    it("keeps versions by block range: [5,9), [9,12), [12,∞), within one batch and across commits", async () => {
      for (const commitEach of [false, true]) {
        const store = await EntityStore.open(backend.db, SCHEMA, meta());
        for (const [number, title] of [
          [5, "five"],
          [9, "nine"],
          [12, "twelve"],
        ] as const) {
          inBlock(store, header(number), () => store.set("Task", "t1", task("t1", { title: str(title) })));
          if (commitEach) await store.commit(header(number));
        }
        assert.equal(store.pendingBlocks, commitEach ? 0 : 3);
        await store.commit(header(14));
        assert.deepEqual(await versions(backend.db, store, "Task", "t1"), [
          { from: 5, to: 9 },
          { from: 9, to: 12 },
          { from: 12, to: null },
        ]);
        const titles = await backend.db.query(`SELECT title FROM "${store.dbSchema}"."Task" ORDER BY __block_from`);
        assert.deepEqual(
          titles.map((row) => row.title),
          ["five", "nine", "twelve"],
        );
        assert.equal(store.pointer?.number, 14);
      }
    });

    it("collapses the changes of one block into one version, and writes nothing for a block that changes nothing", async () => {
      const store = await EntityStore.open(backend.db, SCHEMA, meta());
      inBlock(store, header(1), () => {
        store.set("Task", "t1", task("t1"));
        store.set("Task", "t1", entity({ count: int(1) }));
        store.set("Task", "t1", entity({ count: int(2), description: str("d") }));
        // Created and removed in the same block: never existed as far as the database is concerned.
        store.set("Task", "gone", task("gone"));
        store.remove("Task", "gone");
      });
      inBlock(store, header(2), () => {
        store.set("Task", "t1", entity({ count: int(3) }));
        store.set("Task", "t1", entity({ count: int(2) }));
      });
      assert.equal(store.pendingBlocks, 1, "block 2 left t1 as it was");
      await store.commit(header(2));
      const rows = await backend.db.query(
        `SELECT id, count, description, __block_from, __block_to FROM "${store.dbSchema}"."Task"`,
      );
      assert.deepEqual(rows, [{ id: "t1", count: 2, description: "d", __block_from: 1, __block_to: null }]);
    });

    it("remove closes the version without a new row; an entity can come back later", async () => {
      const store = await EntityStore.open(backend.db, SCHEMA, meta());
      inBlock(store, header(1), () => store.set("Task", "t1", task("t1")));
      await store.commit(header(1));
      inBlock(store, header(3), () => store.remove("Task", "t1"));
      assert.equal(store.get("Task", "t1"), null);
      inBlock(store, header(4), () => store.remove("Task", "never-existed"));
      assert.equal(store.pendingBlocks, 1);
      await store.commit(header(4));
      assert.deepEqual(await versions(backend.db, store, "Task", "t1"), [{ from: 1, to: 3 }]);
      // Back in a later batch, then removed and back again within one batch.
      inBlock(store, header(6), () => store.set("Task", "t1", task("t1", { count: int(6) })));
      inBlock(store, header(7), () => store.remove("Task", "t1"));
      inBlock(store, header(8), () => store.set("Task", "t1", task("t1", { count: int(8) })));
      await store.commit(header(8));
      assert.deepEqual(await versions(backend.db, store, "Task", "t1"), [
        { from: 1, to: 3 },
        { from: 6, to: 7 },
        { from: 8, to: null },
      ]);
      // A remove followed by a set in one block replaces the entity instead of merging into it.
      inBlock(store, header(9), () => {
        store.remove("Task", "t1");
        store.set("Task", "t1", task("t1"));
      });
      assert.deepEqual(store.get("Task", "t1"), task("t1"));
    });

    it("immutable entities: merge within their block, refuse updates and removal afterwards", async () => {
      const store = await EntityStore.open(backend.db, SCHEMA, meta());
      const id = "0xb1d0";
      inBlock(store, header(1), () => {
        store.set("Task", "t1", task("t1"));
        store.set("Bid", id, bid(id, "t1", ALICE, 1n));
        store.set("Bid", id, entity({ amount: bigInt(2n) }));
        store.set("Bid", "0xb1d1", bid("0xb1d1", "t1", ALICE, 1n));
        store.remove("Bid", "0xb1d1");
      });
      assert.deepEqual(store.get("Bid", id), bid(id, "t1", ALICE, 2n));
      assert.equal(store.get("Bid", "0xb1d1"), null);
      store.beginBlock(header(2));
      assert.throws(
        () => store.set("Bid", id, entity({ amount: bigInt(3n) })),
        /Entity Bid\[0xb1d0\] already exists and Bid is immutable: its entities cannot be updated/,
      );
      assert.throws(
        () => store.remove("Bid", id),
        /Entity Bid\[0xb1d0\] is immutable: entities of Bid cannot be removed/,
      );
      store.discardBlock();
      await store.commit(header(2));
      store.beginBlock(header(3));
      assert.throws(() => store.set("Bid", id, bid(id, "t1", ALICE, 2n)), /immutable/);
      store.discardBlock();
      assert.deepEqual(await versions(backend.db, store, "Bid", Buffer.from("b1d0", "hex")), [{ from: 1, to: null }]);
    });

    it("getInBlock sees only what the open block set", async () => {
      const store = await EntityStore.open(backend.db, SCHEMA, meta());
      inBlock(store, header(1), () => store.set("Task", "old", task("old")));
      store.beginBlock(header(2));
      assert.equal(store.getInBlock("Task", "old"), null);
      assert.deepEqual(store.get("Task", "old"), task("old"));
      store.set("Task", "new", task("new"));
      store.set("Task", "old", entity({ count: int(1) }));
      assert.deepEqual(store.getInBlock("Task", "new"), task("new"));
      assert.deepEqual(store.getInBlock("Task", "old"), task("old", { count: int(1) }));
      store.remove("Task", "new");
      assert.equal(store.getInBlock("Task", "new"), null);
      store.endBlock();
      assert.equal(store.getInBlock("Task", "old"), null, "no block is open");
      assert.throws(() => store.set("Task", "old", task("old")), /Cannot set Task\[old\]: no block is open/);
      assert.throws(() => store.remove("Task", "old"), /Cannot remove Task\[old\]: no block is open/);
    });

    it("loadRelated follows single and list back-references, uncommitted changes included, ordered by id", async () => {
      const store = await EntityStore.open(backend.db, SCHEMA, meta());
      const ids = (entities: Entity[]) => entities.map((e) => (e.get("id") as { value: string }).value);
      inBlock(store, header(1), () => {
        store.set("Account", ALICE, account(ALICE));
        store.set("Account", BOB, account(BOB));
        store.set("Task", "t3", task("t3", { workers: list(bytes(BOB)) }));
        store.set("Task", "t1", task("t1", { workers: list(bytes(BOB), bytes(CAROL)) }));
        store.set("Task", "t2", task("t2", { poster: bytes(BOB) }));
        store.set("Bid", "0x02", bid("0x02", "t1", BOB, 5n));
        store.set("Bid", "0x01", bid("0x01", "t1", CAROL, 4n));
      });
      assert.deepEqual(ids(store.loadRelated("Account", ALICE, "posted")), ["t1", "t3"]);
      assert.deepEqual(ids(store.loadRelated("Account", BOB, "posted")), ["t2"]);
      assert.deepEqual(ids(store.loadRelated("Account", BOB, "assigned")), ["t1", "t3"]);
      assert.deepEqual(ids(store.loadRelated("Account", CAROL, "assigned")), ["t1"]);
      assert.deepEqual(store.loadRelated("Task", "t1", "bids"), [
        bid("0x01", "t1", CAROL, 4n),
        bid("0x02", "t1", BOB, 5n),
      ]);
      assert.deepEqual(store.loadRelated("Task", "t2", "bids"), []);
      await store.commit(header(1));

      store.beginBlock(header(2));
      store.set("Task", "t1", entity({ poster: bytes(BOB), workers: list(bytes(CAROL)) }));
      store.remove("Task", "t3");
      assert.deepEqual(ids(store.loadRelated("Account", ALICE, "posted")), []);
      assert.deepEqual(ids(store.loadRelated("Account", BOB, "posted")), ["t1", "t2"]);
      assert.deepEqual(ids(store.loadRelated("Account", BOB, "assigned")), []);
      // A failed handler's changes leave the index too.
      store.discardBlock();
      assert.deepEqual(ids(store.loadRelated("Account", ALICE, "posted")), ["t1", "t3"]);
      assert.deepEqual(ids(store.loadRelated("Account", BOB, "assigned")), ["t1", "t3"]);

      assert.throws(() => store.loadRelated("Task", "t1", "title"), /field `title` is not derived/);
      assert.throws(() => store.loadRelated("Task", "t1", "nope"), /unknown field `nope`/);
    });

    it("discardBlock drops the open block's changes and nothing else", async () => {
      const store = await EntityStore.open(backend.db, SCHEMA, meta());
      inBlock(store, header(1), () => store.set("Task", "t1", task("t1")));
      store.beginBlock(header(2));
      store.set("Task", "t1", entity({ count: int(2) }));
      store.set("Task", "t2", task("t2"));
      store.remove("Task", "t1");
      store.discardBlock();
      assert.deepEqual(store.get("Task", "t1"), task("t1"));
      assert.equal(store.get("Task", "t2"), null);
      assert.equal(store.pendingBlocks, 1);
      // The same block may be processed again.
      inBlock(store, header(2), () => store.set("Task", "t1", entity({ count: int(2) })));
      await store.commit(header(2));
      assert.deepEqual(await versions(backend.db, store, "Task", "t1"), [
        { from: 1, to: 2 },
        { from: 2, to: null },
      ]);
    });

    it("processes blocks while a commit writes, and commits them with the next one", async () => {
      const store = await EntityStore.open(backend.db, SCHEMA, meta());
      inBlock(store, header(1), () => store.set("Task", "t1", task("t1")));
      const first = store.commit(header(1));
      inBlock(store, header(2), () => store.set("Task", "t1", entity({ count: int(2) })));
      inBlock(store, header(3), () => store.set("Task", "t2", task("t2")));
      assert.equal(store.pendingBlocks, 2);
      assert.deepEqual(store.processed, header(3));
      await assert.rejects(store.commit(header(3)), /while a commit or revert is in progress/);
      await assert.rejects(store.revertTo(header(1)), /while a commit or revert is in progress/);
      await first;
      assert.deepEqual(store.pointer, header(1));
      assert.deepEqual(await versions(backend.db, store, "Task", "t1"), [{ from: 1, to: null }]);
      await store.commit(header(3));
      assert.deepEqual(store.pointer, header(3));
      assert.deepEqual(await versions(backend.db, store, "Task", "t1"), [
        { from: 1, to: 2 },
        { from: 2, to: null },
      ]);
      assert.deepEqual(await versions(backend.db, store, "Task", "t2"), [{ from: 3, to: null }]);
    });

    it("puts a failed commit's batch back before the blocks processed meanwhile, and waits for a revert", async () => {
      let refuseCommits = false;
      const db = backend.db;
      const flaky: Database = {
        kind: db.kind,
        query: (sql, params) => db.query(sql, params),
        exec: (sql) => db.exec(sql),
        snapshot: (work) => db.snapshot(work),
        close: () => db.close(),
        transaction: (work) => (refuseCommits ? Promise.reject(new Error("connection lost")) : db.transaction(work)),
      };
      const store = await EntityStore.open(flaky, SCHEMA, meta());
      inBlock(store, header(1), () => store.set("Task", "t1", task("t1")));
      await store.commit(header(1));
      inBlock(store, header(2), () => store.set("Task", "t1", entity({ count: int(2) })));
      refuseCommits = true;
      const failing = store.commit(header(2));
      inBlock(store, header(3), () => store.set("Task", "t2", task("t2")));
      await assert.rejects(failing, /connection lost/);
      assert.equal(store.pendingBlocks, 2);
      assert.deepEqual(store.pointer, header(1));
      assert.throws(() => store.beginBlock(header(4)), /in doubt/);
      refuseCommits = false;
      await store.revertTo(header(1));
      assert.deepEqual(store.get("Task", "t1"), task("t1"));
      assert.equal(store.get("Task", "t2"), null);
      assert.equal(store.pendingBlocks, 0);
      assert.deepEqual(store.processed, header(1));
      inBlock(store, header(2), () => store.set("Task", "t2", task("t2")));
      await store.commit(header(2));
      assert.deepEqual(await versions(backend.db, store, "Task", "t1"), [{ from: 1, to: null }]);
      assert.deepEqual(await versions(backend.db, store, "Task", "t2"), [{ from: 2, to: null }]);
    });

    it("commit moves the pointer to a head past the last block with changes and records the blocks", async () => {
      const store = await EntityStore.open(backend.db, SCHEMA, meta());
      inBlock(store, header(3), () => store.set("Task", "t1", task("t1")));
      inBlock(store, header(4), () => undefined);
      inBlock(store, header(6), () => store.set("Task", "t2", task("t2")));
      assert.equal(store.pendingBlocks, 2);
      await store.commit(header(10));
      assert.deepEqual(store.pointer, header(10));
      assert.equal(store.blockHash(3), header(3).hash);
      assert.equal(store.blockHash(4), null, "a block without changes that is not a head is not recorded");
      assert.equal(store.blockHash(10), header(10).hash);
      const blocks = await backend.db.query(`SELECT number FROM "${store.dbSchema}".__blocks ORDER BY number`);
      assert.deepEqual(
        blocks.map((row) => row.number),
        [3, 6, 10],
      );
      const [row] = await backend.db.query(`SELECT * FROM "${store.dbSchema}".__meta`);
      assert.equal(row!.latest_number, 10);
      assert.equal(Buffer.from(row!.latest_hash as Uint8Array).toString("hex"), header(10).hash.slice(2));
      assert.equal(row!.latest_timestamp, BigInt(header(10).timestamp));
      // Out-of-order use is refused.
      assert.throws(() => store.beginBlock(header(10)), /Block 10 does not come after block 10/);
      await assert.rejects(store.commit(header(9)), /Cannot commit up to block 9: block 10 was already processed/);
      await assert.rejects(
        store.commit(header(10, 1)),
        new RegExp(`Cannot commit up to block 10 with hash ${header(10, 1).hash}: that block was processed with hash`),
      );
      store.beginBlock(header(11));
      await assert.rejects(store.commit(header(11)), /Cannot commit while block 11 is open/);
      assert.throws(() => store.beginBlock(header(12)), /Block 11 is still open/);
      store.endBlock();
    });

    it("stores every value kind faithfully and reads it back after a restart, with the same pointer and state", async () => {
      const subgraph = meta({ startBlock: 1 });
      let store = await EntityStore.open(backend.db, SCHEMA, subgraph);
      inBlock(store, header(1), () => {
        store.set("Account", ALICE, account(ALICE, "alice"));
        store.set("Account", BOB, account(BOB));
        store.set("Task", "full", fullTask("full"));
        store.set("Task", "t2", task("t2", { workers: list(bytes(ALICE)) }));
        store.set("Bid", "0xb1d0", bid("0xb1d0", "full", BOB, 3n));
      });
      inBlock(store, header(2), () => {
        store.set("Task", "t2", entity({ count: int(2) }));
        store.remove("Account", BOB);
      });
      await store.commit(header(3));
      const ids = { Account: [ALICE, BOB], Task: ["full", "t2", "t3"], Bid: ["0xb1d0"] };
      const before = memory(store, ids);
      assert.deepEqual(before.Task![0], fullTask("full"));
      const tables = await dump(backend.db, store);

      await backend.reopen();
      // One entity a page, so that loading goes through several pages.
      store = await EntityStore.open(backend.db, SCHEMA, subgraph, { loadPageRows: 1 });
      assert.deepEqual(memory(store, ids), before);
      assert.deepEqual(store.pointer, header(3));
      assert.equal(store.blockHash(1), header(1).hash);
      assert.equal(store.failure, null);
      assert.deepEqual(store.loadRelated("Account", ALICE, "assigned").length, 1);
      assert.deepEqual(store.loadRelated("Task", "full", "bids"), [bid("0xb1d0", "full", BOB, 3n)]);
      assert.deepEqual(await dump(backend.db, store), tables);
      // Indexing resumes after the pointer.
      assert.throws(() => store.beginBlock(header(3)), /does not come after block 3/);
      inBlock(store, header(4), () => store.set("Task", "t2", entity({ count: int(4) })));
      await store.commit(header(4));
      assert.deepEqual(await versions(backend.db, store, "Task", "t2"), [
        { from: 1, to: 2 },
        { from: 2, to: 4 },
        { from: 4, to: null },
      ]);
    });

    it("fills the full-text search column", async () => {
      const store = await EntityStore.open(backend.db, SCHEMA, meta());
      inBlock(store, header(1), () => {
        store.set(
          "Task",
          "t1",
          task("t1", { title: str("Translate the manual"), description: str("German to French") }),
        );
        store.set("Task", "t2", task("t2", { title: str("Audit contracts") }));
      });
      await store.commit(header(1));
      const rows = await backend.db.query(
        `SELECT id FROM "${store.dbSchema}"."Task" WHERE "taskSearch" @@ to_tsquery('english', 'translating & french')`,
      );
      assert.deepEqual(rows, [{ id: "t1" }]);
    });

    it("revertTo restores the exact earlier tables and memory, and indexing continues on the new branch", async () => {
      const store = await EntityStore.open(backend.db, SCHEMA, meta());
      inBlock(store, header(1), () => {
        store.set("Account", ALICE, account(ALICE, "alice"));
        store.set("Account", BOB, account(BOB, "bob"));
        store.set("Task", "t1", task("t1", { workers: list(bytes(BOB)) }));
        store.set("Task", "t2", task("t2"));
      });
      inBlock(store, header(2), () => store.set("Task", "t1", entity({ count: int(2) })));
      await store.commit(header(3));
      const ids = { Account: [ALICE, BOB, CAROL], Task: ["t1", "t2", "t3"], Bid: ["0x01"] };
      const tablesAt3 = await dump(backend.db, store);
      const memoryAt3 = memory(store, ids);

      // Blocks 4-7 of a branch that the chain abandons: updates, removals, creations, an immutable entity.
      inBlock(store, header(4, 1), () => {
        store.set("Task", "t1", entity({ count: int(4), poster: bytes(BOB) }));
        store.remove("Task", "t2");
        store.set("Account", CAROL, account(CAROL));
      });
      await store.commit(header(5, 1));
      inBlock(store, header(6, 1), () => {
        store.set("Task", "t3", task("t3"));
        store.set("Bid", "0x01", bid("0x01", "t1", CAROL, 1n));
        store.remove("Account", ALICE);
      });
      inBlock(store, header(7, 1), () => store.set("Task", "t1", entity({ count: int(7) })));
      await store.commit(header(7, 1));
      // And uncommitted work on top.
      inBlock(store, header(8, 1), () => store.set("Task", "t2", task("t2", { count: int(8) })));

      await store.revertTo(header(3));
      assert.deepEqual(store.pointer, header(3));
      assert.equal(store.pendingBlocks, 0);
      assert.deepEqual(await dump(backend.db, store), tablesAt3);
      assert.deepEqual(memory(store, ids), memoryAt3);
      assert.equal(store.blockHash(5), null);
      assert.equal(store.blockHash(3), header(3).hash);
      assert.deepEqual(
        store.loadRelated("Account", BOB, "assigned").map((e) => e.get("id")),
        [str("t1")],
      );
      assert.deepEqual(store.loadRelated("Account", BOB, "posted"), []);

      inBlock(store, header(4, 2), () => store.set("Task", "t1", entity({ count: int(40) })));
      await store.commit(header(4, 2));
      assert.deepEqual(await versions(backend.db, store, "Task", "t1"), [
        { from: 1, to: 2 },
        { from: 2, to: 4 },
        { from: 4, to: null },
      ]);
      assert.equal(store.blockHash(4), header(4, 2).hash);

      // Reverting to the pointer drops only what is not committed, without touching the database.
      inBlock(store, header(5, 2), () => store.set("Task", "t1", entity({ count: int(50) })));
      await store.revertTo(header(4, 2));
      assert.deepEqual(store.get("Task", "t1")!.get("count"), int(40));
      await assert.rejects(store.revertTo(header(9)), /Cannot revert forward, to block 9: the store is at 4/);

      // Before every block: nothing is left.
      await store.revertTo({ number: -1, hash: ZERO_HASH, parentHash: ZERO_HASH, timestamp: 0 });
      assert.equal(store.pointer, null);
      assert.equal(store.get("Task", "t1"), null);
      const emptied = await dump(backend.db, store);
      for (const type of ["Account", "Task", "Bid", "__blocks"]) assert.deepEqual(emptied[type], [], type);
      assert.equal((emptied.__meta![0] as { latest_number: unknown }).latest_number, null);
      inBlock(store, header(0), () => store.set("Task", "t1", task("t1")));
      await store.commit(header(0));
      assert.deepEqual(await versions(backend.db, store, "Task", "t1"), [{ from: 0, to: null }]);
    });

    it("after a commit whose outcome is unknown, refuses to go on until a revert resets both sides", async () => {
      // The transaction commits, then the caller sees an error: what a connection lost during COMMIT looks like.
      let loseConnection = false;
      const flaky: Database = {
        ...backend.db,
        async transaction(work) {
          const result = await backend.db.transaction(work);
          if (loseConnection) throw new Error("Connection terminated");
          return result;
        },
        // What commits use.
        async writeBatch(statements) {
          await backend.db.writeBatch!(statements);
          if (loseConnection) throw new Error("Connection terminated");
        },
      };
      const store = await EntityStore.open(flaky, SCHEMA, meta());
      inBlock(store, header(1), () => store.set("Task", "t1", task("t1")));
      await store.commit(header(1));
      inBlock(store, header(2), () => store.set("Task", "t1", entity({ count: int(2) })));
      loseConnection = true;
      await assert.rejects(store.commit(header(2)), /Connection terminated/);
      loseConnection = false;
      assert.throws(() => store.beginBlock(header(3)), /a failed database write left the store in doubt; revertTo/);
      await assert.rejects(store.commit(header(2)), /left the store in doubt/);

      await store.revertTo(header(1));
      assert.deepEqual(store.pointer, header(1));
      assert.deepEqual(store.get("Task", "t1"), task("t1"));
      assert.deepEqual(await versions(backend.db, store, "Task", "t1"), [{ from: 1, to: null }]);
      inBlock(store, header(2), () => store.set("Task", "t1", entity({ count: int(2) })));
      await store.commit(header(2));
      assert.deepEqual(await versions(backend.db, store, "Task", "t1"), [
        { from: 1, to: 2 },
        { from: 2, to: null },
      ]);
    });

    it("records a failure that survives a restart and stops further blocks", async () => {
      const subgraph = meta();
      let store = await EntityStore.open(backend.db, SCHEMA, subgraph);
      inBlock(store, header(1), () => store.set("Task", "t1", task("t1")));
      await store.commit(header(1));
      store.beginBlock(header(2));
      store.set("Task", "t1", entity({ count: int(2) }));
      store.discardBlock();
      await assert.rejects(
        store.recordFailure({ block: 1, message: "x" }),
        /must come after the last indexed block, 1/,
      );
      await store.recordFailure({ block: 2, message: "Mapping aborted at handleTaskPosted: \0 boom" });
      assert.deepEqual(store.failure, { block: 2, message: "Mapping aborted at handleTaskPosted: \\0 boom" });
      assert.throws(() => store.beginBlock(header(2)), /The subgraph failed at block 2/);

      await backend.reopen();
      store = await EntityStore.open(backend.db, SCHEMA, subgraph);
      assert.deepEqual(store.failure, { block: 2, message: "Mapping aborted at handleTaskPosted: \\0 boom" });
      assert.deepEqual(store.pointer, header(1));
      assert.deepEqual(store.get("Task", "t1"), task("t1"));
      const [row] = await backend.db.query(`SELECT failed, failure_block FROM "${store.dbSchema}".__meta`);
      assert.deepEqual(row, { failed: true, failure_block: 2 });

      // A reorg that takes the failed block away clears the failure.
      await store.revertTo(header(0));
      assert.equal(store.failure, null);
      const [cleared] = await backend.db.query(`SELECT failed, failure_block FROM "${store.dbSchema}".__meta`);
      assert.deepEqual(cleared, { failed: false, failure_block: null });
    });

    it("refuses a database that holds another deployment of the subgraph, leaving it untouched", async () => {
      const subgraph = meta();
      const store = await EntityStore.open(backend.db, SCHEMA, subgraph);
      inBlock(store, header(1), () => store.set("Task", "t1", task("t1")));
      await store.commit(header(1));
      const tables = await dump(backend.db, store);
      const otherSchema = parseSchema(`type Other @entity { id: ID! }`);
      await assert.rejects(
        EntityStore.open(backend.db, otherSchema, { ...subgraph, deploymentId: "0xother" }),
        new RegExp(
          `The database schema ${store.dbSchema} holds another deployment of the subgraph "${subgraph.subgraphName}" ` +
            `\\(0xdeployment from block 0\\), not 0xother from block 0: it was indexed from a different build of the subgraph. ` +
            "Use another data directory or database, or drop the schema",
        ),
      );
      await assert.rejects(
        EntityStore.open(backend.db, SCHEMA, { ...subgraph, startBlock: 5 }),
        /holds another deployment/,
      );
      const [{ exists }] = (await backend.db.query(`SELECT to_regclass($1)::text AS exists`, [
        `"${store.dbSchema}"."Other"`,
      ])) as [{ exists: string | null }];
      assert.equal(exists, null);
      assert.deepEqual(await dump(backend.db, store), tables);
      // The same subgraph name sanitized to the same schema is another subgraph.
      await assert.rejects(
        EntityStore.open(backend.db, SCHEMA, { ...subgraph, subgraphName: subgraph.subgraphName.toUpperCase() }),
        /holds the subgraph "store_test_\d+", not "STORE_TEST_\d+"/,
      );
      assert.equal(schemaName(subgraph.subgraphName.toUpperCase()), store.dbSchema);
    });

    it("writes a batch larger than one statement's chunk", async () => {
      const store = await EntityStore.open(backend.db, SCHEMA, meta());
      // About 4.5 MB of rows for one table, in a field the full-text column does not index.
      const tags = list(...Array.from({ length: 30 }, (_, index) => str(`${index}`.padEnd(100, "x"))));
      for (let number = 1; number <= 30; number++) {
        inBlock(store, header(number), () => {
          for (let index = 0; index < 50; index++) {
            store.set("Task", `t${index}`, task(`t${index}`, { count: int(number), tags }));
          }
        });
      }
      await store.commit(header(30));
      const [counts] = await backend.db.query(
        `SELECT count(*)::int4 AS versions, count(*) FILTER (WHERE __block_to IS NULL)::int4 AS current FROM "${store.dbSchema}"."Task"`,
      );
      assert.deepEqual(counts, { versions: 1_500, current: 50 });
      assert.deepEqual(await versions(backend.db, store, "Task", "t7").then((rows) => rows.slice(-2)), [
        { from: 29, to: 30 },
        { from: 30, to: null },
      ]);
      assert.deepEqual(store.get("Task", "t7"), task("t7", { count: int(30), tags }));
    });
  });
}

suite(pgliteBackend());
suite(postgresBackend());
