// How fast the entity store takes a marketplace-like workload, on PGlite and on the PostgreSQL server: the store calls
// of the handlers (get, set with validation and merge, the back-reference index) plus the batch commits, and how fast
// a restart loads the result. The figures are printed, not asserted (they depend on the machine); what is asserted is
// that every version the workload produced is in the database, so a fast but wrong store fails here.
//
// Set STORE_BENCH_EVENTS to run a longer workload.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import pg from "pg";

import { parseSchema } from "../../../indexer/node/schema.ts";
import { openDatabase, type Database } from "../../../indexer/node/store/database.ts";
import { EntityStore, type StoreMeta } from "../../../indexer/node/store/entity-store.ts";
import type { BlockHeader, StoredEntity, Value } from "../../../indexer/node/store/types.ts";

const EVENTS = Number(process.env.STORE_BENCH_EVENTS ?? 6_000);
/** Events per block: a task is posted and claimed in each. */
const EVENTS_PER_BLOCK = 2;
/** The indexer commits at least once a second; at these rates that is a few thousand blocks. */
const COMMIT_EVERY_BLOCKS = 1_000;
const ACCOUNTS = 500;

const SCHEMA = parseSchema(`
  enum TaskStatus {
    Posted
    Claimed
    Submitted
    Settled
  }

  type Protocol @entity {
    id: ID!
    taskCount: Int!
    volume: BigInt!
    paymentCount: Int!
  }

  type Account @entity {
    id: Bytes!
    postedCount: Int!
    claimedCount: Int!
    escrowed: BigInt!
    earned: BigInt!
    lastActiveAt: BigInt!
    posted: [Task!]! @derivedFrom(field: "poster")
    claimed: [Task!]! @derivedFrom(field: "executor")
  }

  type Task @entity {
    id: ID!
    poster: Account!
    executor: Account
    status: TaskStatus!
    reward: BigInt!
    fee: BigInt!
    deadline: BigInt!
    specHash: Bytes!
    title: String!
    tags: [String!]!
    postedAt: BigInt!
    postedBlock: BigInt!
    claimedAt: BigInt
    payments: [Payment!]! @derivedFrom(field: "task")
  }

  type Payment @entity(immutable: true) {
    id: Bytes!
    task: Task!
    from: Account!
    to: Account!
    amount: BigInt!
    timestamp: BigInt!
    transaction: Bytes!
  }
`);

const str = (value: string): Value => ({ kind: "String", value });
const int = (value: number): Value => ({ kind: "Int", value });
const big = (value: bigint): Value => ({ kind: "BigInt", value });
const bytes = (value: Uint8Array): Value => ({ kind: "Bytes", value });
const list = (...values: Value[]): Value => ({ kind: "Array", value: values });

function header(number: number): BlockHeader {
  const hash = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as const;
  return { number, hash: hash(number), parentHash: hash(number - 1), timestamp: 1_700_000_000 + number };
}

function address(index: number): string {
  return `0x${index.toString(16).padStart(40, "0")}`;
}

function hexBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex.slice(2), "hex"));
}

function word(seed: number): Uint8Array {
  const out = new Uint8Array(32);
  for (let index = 0; index < 32; index++) out[index] = (seed * 31 + index * 17) & 0xff;
  return out;
}

function num(entity: StoredEntity, field: string): bigint {
  return (entity.get(field) as { value: bigint }).value;
}

function count(entity: StoredEntity, field: string): number {
  return (entity.get(field) as { value: number }).value;
}

/**
 * A handler-like use of the store for event `index`: even events post a task (4 entities: protocol, poster, task,
 * escrow payment), odd events claim the task posted just before (4 entities: protocol, executor, task, bond payment)
 * and read its payments back through `loadRelated`.
 */
function handleEvent(store: EntityStore, index: number, block: number): void {
  const taskId = `${index >> 1}`;
  const protocol =
    store.get("Protocol", "1") ??
    new Map([
      ["id", str("1")],
      ["taskCount", int(0)],
      ["volume", big(0n)],
      ["paymentCount", int(0)],
    ]);
  const now = big(BigInt(1_700_000_000 + block));
  const payment = new Uint8Array(13);
  new DataView(payment.buffer).setUint32(4, block);
  new DataView(payment.buffer).setUint32(8, index);
  if (index % 2 === 0) {
    const poster = address((index * 7) % ACCOUNTS);
    const account = store.get("Account", poster);
    const reward = BigInt(index) * 10n ** 18n;
    store.set(
      "Account",
      poster,
      new Map([
        ["id", bytes(hexBytes(poster))],
        ["postedCount", int(account ? count(account, "postedCount") + 1 : 1)],
        ["claimedCount", int(account ? count(account, "claimedCount") : 0)],
        ["escrowed", big((account ? num(account, "escrowed") : 0n) + reward)],
        ["earned", big(account ? num(account, "earned") : 0n)],
        ["lastActiveAt", now],
      ]),
    );
    store.set(
      "Task",
      taskId,
      new Map([
        ["id", str(taskId)],
        ["poster", bytes(hexBytes(poster))],
        ["status", str("Posted")],
        ["reward", big(reward)],
        ["fee", big(reward / 100n)],
        ["deadline", big(BigInt(1_800_000_000 + index))],
        ["specHash", bytes(word(index))],
        ["title", str(`Translate document ${index} from English to French`)],
        ["tags", list(str("translation"), str("fr"))],
        ["postedAt", now],
        ["postedBlock", big(BigInt(block))],
      ]),
    );
    store.set(
      "Payment",
      `0x${Buffer.from(payment).toString("hex")}`,
      new Map([
        ["task", str(taskId)],
        ["from", bytes(hexBytes(poster))],
        ["to", bytes(new Uint8Array(20))],
        ["amount", big(reward)],
        ["timestamp", now],
        ["transaction", bytes(word(index + 1))],
      ]),
    );
    store.set(
      "Protocol",
      "1",
      new Map([
        ["taskCount", int(count(protocol, "taskCount") + 1)],
        ["volume", big(num(protocol, "volume") + reward)],
        ["paymentCount", int(count(protocol, "paymentCount") + 1)],
      ]),
    );
  } else {
    const executor = address((index * 13) % ACCOUNTS);
    const account = store.get("Account", executor);
    const task = store.get("Task", taskId)!;
    store.set(
      "Account",
      executor,
      new Map([
        ["id", bytes(hexBytes(executor))],
        ["postedCount", int(account ? count(account, "postedCount") : 0)],
        ["claimedCount", int(account ? count(account, "claimedCount") + 1 : 1)],
        ["escrowed", big(account ? num(account, "escrowed") : 0n)],
        ["earned", big((account ? num(account, "earned") : 0n) + num(task, "reward"))],
        ["lastActiveAt", now],
      ]),
    );
    store.set(
      "Task",
      taskId,
      new Map([
        ["executor", bytes(hexBytes(executor))],
        ["status", str("Claimed")],
        ["claimedAt", now],
      ]),
    );
    store.set(
      "Payment",
      `0x${Buffer.from(payment).toString("hex")}`,
      new Map([
        ["task", str(taskId)],
        ["from", bytes(hexBytes(executor))],
        ["to", bytes(new Uint8Array(20))],
        ["amount", big(num(task, "fee"))],
        ["timestamp", now],
        ["transaction", bytes(word(index + 1))],
      ]),
    );
    assert.equal(store.loadRelated("Task", taskId, "payments").length, 2);
    store.set("Protocol", "1", new Map([["paymentCount", int(count(protocol, "paymentCount") + 1)]]));
  }
}

interface Backend {
  name: string;
  start(): Promise<Database>;
  stop(): Promise<void>;
}

const SERVER = "postgres://postgres@127.0.0.1:5432";
const DATABASE = `taskmarket_store_bench_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${SERVER}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let dataDir: string | undefined;

const BACKENDS: Backend[] = [
  // The node's default: PGlite keeping its files in a data directory.
  {
    name: "PGlite (data directory)",
    start: () => openDatabase({ dataDir: (dataDir = mkdtempSync(join(tmpdir(), "taskmarket-store-bench-"))) }),
    stop: async () => {
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  },
  { name: "PGlite (in memory)", start: () => openDatabase({}), stop: async () => undefined },
  {
    name: "PostgreSQL",
    async start() {
      await admin(`CREATE DATABASE ${DATABASE}`);
      return openDatabase({ url: `${SERVER}/${DATABASE}` });
    },
    stop: () => admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`),
  },
];

for (const backend of BACKENDS) {
  describe(`EntityStore throughput on ${backend.name}`, () => {
    let db: Database;
    before(async () => {
      db = await backend.start();
    });
    after(async () => {
      await db?.close();
      await backend.stop();
    });

    it(`indexes ${EVENTS} events and writes every version`, async (context) => {
      const meta: StoreMeta = { subgraphName: "throughput", deploymentId: "0xbench", startBlock: 1 };
      const store = await EntityStore.open(db, SCHEMA, meta);
      const handlers = new Stopwatch();
      const commits = new Stopwatch();
      let block = 0;
      for (let index = 0; index < EVENTS; index += EVENTS_PER_BLOCK) {
        block += 1;
        handlers.start();
        store.beginBlock(header(block));
        for (let event = index; event < Math.min(index + EVENTS_PER_BLOCK, EVENTS); event++) {
          handleEvent(store, event, block);
        }
        store.endBlock();
        handlers.stop();
        if (store.pendingBlocks >= COMMIT_EVERY_BLOCKS) {
          commits.start();
          await store.commit(header(block));
          commits.stop();
        }
      }
      commits.start();
      await store.commit(header(block));
      commits.stop();

      const [counts] = await db.query<{ versions: string; current: string }>(
        `SELECT sum(versions) AS versions, sum(current) AS current FROM (` +
          ["Task", "Account", "Payment", "Protocol"]
            .map(
              (type) =>
                `SELECT count(*) AS versions, count(*) FILTER (WHERE __block_to IS NULL) AS current FROM subgraph_throughput."${type}"`,
            )
            .join(" UNION ALL ") +
          `) AS tables`,
      );
      const versions = Number(counts!.versions);
      // Each block writes one version of every entity it touched: the task (posted and claimed in the same block), the
      // two payments, the protocol, and each account.
      const tasks = EVENTS / 2;
      const accountVersions = new Set<string>();
      const accounts = new Set<number>();
      for (let index = 0; index < EVENTS; index++) {
        const account = index % 2 === 0 ? (index * 7) % ACCOUNTS : (index * 13) % ACCOUNTS;
        accountVersions.add(`${Math.floor(index / EVENTS_PER_BLOCK)}:${account}`);
        accounts.add(account);
      }
      assert.equal(versions, tasks + EVENTS + block + accountVersions.size);
      assert.equal(Number(counts!.current), tasks + EVENTS + 1 + accounts.size);

      const reopening = new Stopwatch();
      reopening.start();
      const reopened = await EntityStore.open(db, SCHEMA, meta);
      reopening.stop();
      for (const [type, id] of [
        ["Protocol", "1"],
        ["Task", "0"],
        ["Account", address(7)],
      ] as const) {
        assert.deepEqual(reopened.get(type, id), store.get(type, id));
      }

      const both = handlers.plus(commits);
      context.diagnostic(
        [
          `${backend.name}: ${EVENTS} events in ${block} blocks, ${versions} versions written (wall time; CPU time of this process)`,
          `  handlers' store calls: ${handlers.report(EVENTS, "events")}`,
          `  commits:               ${commits.report(versions, "rows")}`,
          `  together:              ${both.report(EVENTS, "events")}`,
          `  reopen, loading ${counts!.current} current entities: ${reopening.report(Number(counts!.current), "entities")}`,
        ].join("\n"),
      );
    });
  });
}

/** Accumulates wall time and this process's CPU time (on PGlite that includes the database; on a server it does not). */
class Stopwatch {
  wallMs = 0;
  cpuMs = 0;
  #wall = 0;
  #cpu: NodeJS.CpuUsage | undefined;

  start(): void {
    this.#wall = performance.now();
    this.#cpu = process.cpuUsage();
  }

  stop(): void {
    this.wallMs += performance.now() - this.#wall;
    const cpu = process.cpuUsage(this.#cpu);
    this.cpuMs += (cpu.user + cpu.system) / 1000;
  }

  plus(other: Stopwatch): Stopwatch {
    const sum = new Stopwatch();
    sum.wallMs = this.wallMs + other.wallMs;
    sum.cpuMs = this.cpuMs + other.cpuMs;
    return sum;
  }

  report(count: number, unit: string): string {
    return `${this.wallMs.toFixed(0)} ms, ${rate(count, this.wallMs)} ${unit}/s; CPU ${this.cpuMs.toFixed(0)} ms, ${rate(count, this.cpuMs)} ${unit}/s`;
  }
}

function rate(count: number, milliseconds: number): string {
  return Math.round((count / milliseconds) * 1000).toLocaleString("en-US");
}
