/**
 * The GraphQL query engine of the local graph node, against entity tables written directly in the store's layout:
 * several versions of entities across blocks, every scalar kind, enums, lists, references, derived fields, immutable
 * entities, Bytes ids and full-text searches. The same suite runs on PGlite and on a PostgreSQL database of its own.
 * Expected answers are graph-node's (graphql/src/store/query.rs, store/postgres/src/relational_queries.rs).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import pg from "pg";

import { QueryEngine, type QueryResponse } from "../../../indexer/node/graphql/index.ts";
import { parseSchema } from "../../../indexer/node/schema.ts";
import { openDatabase, type Database } from "../../../indexer/node/store/database.ts";
import { columnType, createTablesSql, quote, tableRef } from "../../../indexer/node/store/layout.ts";

const SCHEMA = /* GraphQL */ `
  type _Schema_
    @fulltext(
      name: "taskSearch"
      language: en
      algorithm: rank
      include: [{ entity: "Task", fields: [{ name: "title" }, { name: "description" }] }]
    )
    @fulltext(
      name: "userSearch"
      language: simple
      algorithm: proximityRank
      include: [{ entity: "User", fields: [{ name: "name" }] }]
    )

  "Where a task stands"
  enum TaskStatus {
    Open
    Claimed
    Done
  }

  type User @entity {
    id: Bytes!
    name: String!
    reputation: Int!
    tasks: [Task!]! @derivedFrom(field: "poster")
    bids: [Bid!]! @derivedFrom(field: "bidder")
    profile: Profile @derivedFrom(field: "user")
  }

  type Profile @entity(immutable: true) {
    id: ID!
    user: User!
    bio: String
  }

  "A unit of work"
  type Task @entity {
    id: ID!
    "Short title"
    title: String!
    description: String
    status: TaskStatus!
    reward: BigInt!
    fee: BigDecimal
    deadline: Timestamp!
    nonce: Int8!
    priority: Int
    urgent: Boolean!
    poster: User!
    assignee: User
    tags: [Tag!]!
    labels: [String!]
    amounts: [BigInt!]
    hashes: [Bytes!]
    statuses: [TaskStatus!]
    payload: Bytes
    bids: [Bid!]! @derivedFrom(field: "task")
  }

  type Tag @entity(immutable: true) {
    id: ID!
    name: String!
    tasks: [Task!]! @derivedFrom(field: "tags")
  }

  type Bid @entity {
    id: ID!
    task: Task!
    bidder: User!
    amount: BigInt!
    createdAt: Int!
  }

  type Counter @entity(immutable: true) {
    id: ID!
    value: Int!
  }
`;

const model = parseSchema(SCHEMA);
const DEPLOYMENT = "QmTestDeployment";
const HEALTHY = "subgraph_graphql_test";
const FAILED = "subgraph_graphql_test_failed";
const EMPTY = "subgraph_graphql_test_empty";

const ALICE = "0xaa01";
const BOB = "0xaa02";
const CAROL = "0xbb03";
const DAVE = "0xdd05";

/** Block n's hash: n in hex, 32 bytes. */
const hashOf = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
const timestampOf = (n: number) => 1_700_000_000 + n * 12;

type Values = Record<string, unknown>;

/** Writes one entity version straight into its table; bytes are given as 0x-hex. */
async function insert(db: Database, schema: string, entity: string, values: Values, from: number, to?: number) {
  const fields = model.entities.get(entity)!.fieldsByName;
  const columns = ["__block_from", "__block_to"];
  const expressions = ["$1::int4", "$2::int4"];
  const params: unknown[] = [from, to ?? null];
  for (const [name, value] of Object.entries(values)) {
    const type = columnType(fields.get(name)!, model);
    params.push(value);
    const param = `$${params.length}`;
    columns.push(quote(name));
    if (type === "bytea") expressions.push(`decode(substr(${param}::text, 3), 'hex')`);
    else if (type === "bytea[]") {
      expressions.push(
        `ARRAY(SELECT decode(substr(x, 3), 'hex') FROM unnest(${param}::text[]) WITH ORDINALITY AS u(x, i) ORDER BY i)`,
      );
    } else expressions.push(`${param}::${type}`);
  }
  await db.query(
    `INSERT INTO ${tableRef(schema, entity)} (${columns.join(", ")}) VALUES (${expressions.join(", ")})`,
    params,
  );
}

/**
 * The data, block by block (latest indexed block: 10):
 * - users: Alice (1-), Bob (1-4) renamed Robert (5-), carol (3-), Dave (1 only);
 * - profiles (immutable): p1 for Alice, p2 for Bob (from 2); p4 and p5 both for Dave (from 1), so Dave's `profile`
 *   is ambiguous at block 1 and p4/p5 point at nobody from block 2 on;
 * - task-1: Open (1-3), Claimed by Bob (4-7), Done (8-); task-2 (2-); task-3 (3-8, removed at 9); task-10 (6-);
 *   task_x (7-);
 * - bids on task-1: bid-1 (4-), bid-2 (5-), bid-4 (7-, amount 90 then 80 from 9); bid-3 on task-2 (6-);
 * - 120 counters, for pagination.
 */
async function populate(db: Database, schema: string, meta: { failed?: boolean; latest?: number | null }) {
  await db.exec(`DROP SCHEMA IF EXISTS ${quote(schema)} CASCADE`);
  await db.exec(createTablesSql(schema, model));
  for (let n = 0; n <= 12; n++) {
    await db.query(
      `INSERT INTO ${tableRef(schema, "__blocks")} (number, hash, parent_hash, timestamp)
       VALUES ($1, decode($2, 'hex'), decode($3, 'hex'), $4)`,
      [n, hashOf(n).slice(2), hashOf(Math.max(n - 1, 0)).slice(2), timestampOf(n)],
    );
  }
  const latest = meta.latest === undefined ? 10 : meta.latest;
  await db.query(
    `INSERT INTO ${tableRef(schema, "__meta")}
       (subgraph_name, deployment_id, start_block, latest_number, latest_hash, latest_timestamp, failed, failure_block,
        failure_message)
     VALUES ('graphql-test', $1, 1, $2, decode($3, 'hex'), $4, $5, $6, $7)`,
    [
      DEPLOYMENT,
      latest,
      latest === null ? null : hashOf(latest).slice(2),
      latest === null ? null : timestampOf(latest),
      meta.failed ?? false,
      meta.failed ? 11 : null,
      meta.failed ? "handler reverted" : null,
    ],
  );
  if (latest === null) return;
  const put = (entity: string, values: Values, from: number, to?: number) =>
    insert(db, schema, entity, values, from, to);
  await put("User", { id: ALICE, name: "Alice", reputation: 10 }, 1);
  await put("User", { id: BOB, name: "Bob", reputation: 5 }, 1, 5);
  await put("User", { id: BOB, name: "Robert", reputation: 7 }, 5);
  await put("User", { id: CAROL, name: "carol", reputation: 5 }, 3);
  await put("User", { id: DAVE, name: "Dave", reputation: 1 }, 1, 2);
  await put("Profile", { id: "p1", user: ALICE, bio: "Builds things" }, 2);
  await put("Profile", { id: "p2", user: BOB, bio: null }, 2);
  await put("Profile", { id: "p4", user: DAVE, bio: "first" }, 1);
  await put("Profile", { id: "p5", user: DAVE, bio: "second" }, 1);
  await put("Tag", { id: "t-rust", name: "rust" }, 1);
  await put("Tag", { id: "t-ts", name: "typescript" }, 1);
  await put("Tag", { id: "t-sql", name: "sql" }, 1);
  const task1 = {
    id: "task-1",
    title: "Write indexer",
    description: "Index the market events",
    reward: "1000000000000000000000",
    fee: "0.50",
    deadline: "1700000000000000",
    nonce: "9007199254740993",
    priority: 3,
    urgent: true,
    poster: ALICE,
    tags: ["t-ts", "t-sql"],
    labels: ["backend", "Indexer"],
    amounts: ["1", "20000000000000000000000"],
    hashes: ["0xdead", "0xbeef"],
    statuses: ["Open"],
    payload: "0x00ff10",
  };
  await put("Task", { ...task1, status: "Open", assignee: null }, 1, 4);
  await put("Task", { ...task1, status: "Claimed", assignee: BOB }, 4, 8);
  await put("Task", { ...task1, status: "Done", assignee: BOB }, 8);
  await put(
    "Task",
    {
      id: "task-2",
      title: "Fix UI bug",
      description: null,
      status: "Open",
      reward: "500",
      fee: "1.25",
      deadline: "1700000000000001",
      nonce: "-5",
      priority: null,
      urgent: false,
      poster: BOB,
      assignee: null,
      tags: ["t-ts"],
      labels: ["frontend"],
      amounts: [],
      hashes: [],
      statuses: [],
      payload: null,
    },
    2,
  );
  await put(
    "Task",
    {
      id: "task-3",
      title: "Query optimisation",
      description: "Tune the SQL planner",
      status: "Done",
      reward: "2500",
      fee: null,
      deadline: "1700000000000002",
      nonce: "0",
      priority: 1,
      urgent: false,
      poster: ALICE,
      assignee: CAROL,
      tags: ["t-sql", "t-rust", "t-sql"],
      labels: null,
      amounts: null,
      hashes: null,
      statuses: ["Open", "Done"],
      payload: "0xdead",
    },
    3,
    9,
  );
  await put(
    "Task",
    {
      id: "task-10",
      title: "write docs",
      description: "Document the indexer API",
      status: "Open",
      reward: "500",
      fee: "0.000001",
      deadline: "1700000000000003",
      nonce: "7",
      priority: 2,
      urgent: true,
      poster: CAROL,
      assignee: null,
      tags: [],
      labels: ["docs"],
      amounts: ["3"],
      hashes: ["0xbeef"],
      statuses: ["Claimed"],
      payload: "0xbeef00",
    },
    6,
  );
  await put(
    "Task",
    {
      id: "task_x",
      title: "100%_discount",
      description: "a_b",
      status: "Claimed",
      reward: "-1",
      fee: "-2.5",
      deadline: "1700000000000004",
      nonce: "1",
      priority: 5,
      urgent: false,
      poster: CAROL,
      assignee: ALICE,
      tags: ["t-rust"],
      labels: ["BACKEND"],
      amounts: ["1"],
      hashes: [],
      statuses: [],
      payload: "0x",
    },
    7,
  );
  await put("Bid", { id: "bid-1", task: "task-1", bidder: BOB, amount: "100", createdAt: 5 }, 4);
  await put("Bid", { id: "bid-2", task: "task-1", bidder: CAROL, amount: "150", createdAt: 6 }, 5);
  await put("Bid", { id: "bid-3", task: "task-2", bidder: ALICE, amount: "100", createdAt: 6 }, 6);
  await put("Bid", { id: "bid-4", task: "task-1", bidder: ALICE, amount: "90", createdAt: 7 }, 7, 9);
  await put("Bid", { id: "bid-4", task: "task-1", bidder: ALICE, amount: "80", createdAt: 7 }, 9);
  await db.query(
    `INSERT INTO ${tableRef(schema, "Counter")} (__block_from, id, value)
     SELECT 1, 'c' || lpad(g::text, 3, '0'), g FROM generate_series(0, 119) AS g`,
  );
}

const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const exec = async (target: QueryEngine, request: Parameters<QueryEngine["execute"]>[0]) =>
  json(await target.execute(request));

function engineFor(db: Database, dbSchema: string, limits: Partial<ConstructorParameters<typeof QueryEngine>[0]> = {}) {
  return new QueryEngine({ db, model, dbSchema, deploymentId: DEPLOYMENT, logger: () => undefined, ...limits });
}

function suite(name: string, open: () => Promise<{ db: Database; close: () => Promise<void> }>) {
  describe(name, () => {
    let db: Database;
    let close: () => Promise<void>;
    let engine: QueryEngine;
    let failed: QueryEngine;

    before(async () => {
      ({ db, close } = await open());
      await populate(db, HEALTHY, {});
      await populate(db, FAILED, { failed: true });
      await populate(db, EMPTY, { latest: null });
      engine = engineFor(db, HEALTHY);
      failed = engineFor(db, FAILED);
    });
    after(async () => {
      await close();
    });

    // graphql-js builds result objects without prototypes; compare them as the JSON a client receives.
    const run = async (query: string, variables?: unknown, target = () => engine): Promise<QueryResponse> =>
      json(await target().execute({ query, variables }));
    /** The data of a query that must succeed. */
    const data = async (query: string, variables?: unknown): Promise<Record<string, unknown>> => {
      const result = await run(query, variables);
      assert.equal(result.errors, undefined, `unexpected errors: ${JSON.stringify(result.errors)}`);
      return result.data as Record<string, unknown>;
    };
    /** The error messages of a query that must fail, with no data (graph-node's shape). */
    const errors = async (query: string, variables?: unknown): Promise<string[]> => {
      const result = await run(query, variables);
      assert.ok(result.errors && result.errors.length > 0, `expected errors, got ${JSON.stringify(result)}`);
      assert.equal(result.data, undefined);
      return result.errors.map((error) => error.message);
    };
    const ids = async (query: string, variables?: unknown): Promise<string[]> => {
      const result = await data(query, variables);
      const list = Object.values(result)[0] as { id: string }[];
      return list.map((item) => item.id);
    };

    describe("values", () => {
      it("serializes every scalar kind as graph-node does", async () => {
        const result = await data(`{
          task(id: "task-1") {
            id title description status reward fee deadline nonce priority urgent labels amounts hashes statuses
            payload poster { id name reputation } assignee { id } __typename
          }
        }`);
        assert.deepEqual(result, {
          task: {
            id: "task-1",
            title: "Write indexer",
            description: "Index the market events",
            status: "Done",
            reward: "1000000000000000000000",
            fee: "0.5",
            deadline: "1700000000000000",
            nonce: "9007199254740993",
            priority: 3,
            urgent: true,
            labels: ["backend", "Indexer"],
            amounts: ["1", "20000000000000000000000"],
            hashes: ["0xdead", "0xbeef"],
            statuses: ["Open"],
            payload: "0x00ff10",
            poster: { id: ALICE, name: "Alice", reputation: 10 },
            assignee: { id: BOB },
            __typename: "Task",
          },
        });
      });

      it("returns nulls, empty lists and empty bytes as stored", async () => {
        assert.deepEqual(await data(`{ task(id: "task-2") { description fee priority payload amounts hashes } }`), {
          task: { description: null, fee: "1.25", priority: null, payload: null, amounts: [], hashes: [] },
        });
        assert.deepEqual(await data(`{ task(id: "task_x") { payload fee reward } }`), {
          task: { payload: "0x", fee: "-2.5", reward: "-1" },
        });
      });

      it("looks entities up by id: Bytes ids in any case, unknown ids as null", async () => {
        assert.deepEqual(await data(`{ user(id: "0xAA01") { id name } }`), { user: { id: ALICE, name: "Alice" } });
        assert.deepEqual(await data(`{ user(id: "0xaa09") { id } task(id: "nope") { id } }`), {
          user: null,
          task: null,
        });
        assert.deepEqual(await errors(`{ user(id: "0xzz") { id } }`), [
          "Failed to decode `Bytes` value: `Invalid character 'z' at position 0`",
        ]);
      });
    });

    describe("pagination", () => {
      it("returns 100 entities by default and follows first and skip", async () => {
        const all = await ids(`{ counters { id } }`);
        assert.equal(all.length, 100);
        assert.equal(all[0], "c000");
        assert.equal(all[99], "c099");
        assert.equal((await ids(`{ counters(first: 1000) { id } }`)).length, 120);
        assert.deepEqual(await ids(`{ counters(first: 3, skip: 116) { id } }`), ["c116", "c117", "c118"]);
        assert.deepEqual(await ids(`{ counters(skip: 118) { id } }`), ["c118", "c119"]);
        assert.deepEqual(await ids(`{ counters(first: null, skip: null) { id } }`), all);
      });

      it("refuses first and skip out of range with graph-node's messages", async () => {
        assert.deepEqual(await errors(`{ counters(first: 1001) { id } }`), [
          "The `first` argument must be between 0 and 1000, but is 1001",
        ]);
        assert.deepEqual(await errors(`{ counters(first: 0) { id } }`), [
          "The `first` argument must be between 0 and 1000, but is 0",
        ]);
        assert.deepEqual(await errors(`{ counters(first: -1) { id } }`), [
          "The `first` argument must be between 0 and 1000, but is -1",
        ]);
        assert.deepEqual(await errors(`{ counters(skip: 5001) { id } }`), [
          "The `skip` argument must be between 0 and 5000, but is 5001",
        ]);
        assert.deepEqual(await errors(`{ counters(skip: -1) { id } }`), [
          "The `skip` argument must be between 0 and 5000, but is -1",
        ]);
        assert.deepEqual(await errors(`{ task(id: "task-1") { bids(first: 2000) { id } } }`), [
          "The `first` argument must be between 0 and 1000, but is 2000",
        ]);
      });
    });

    describe("ordering", () => {
      it("orders by id in byte order by default, ignoring orderDirection without orderBy", async () => {
        const expected = ["task-1", "task-10", "task-2", "task_x"];
        assert.deepEqual(await ids(`{ tasks { id } }`), expected);
        assert.deepEqual(await ids(`{ tasks(orderDirection: desc) { id } }`), expected);
        assert.deepEqual(await ids(`{ tasks(orderBy: id, orderDirection: desc) { id } }`), [...expected].reverse());
      });

      it("orders by every scalar kind, breaking ties by id in the same direction", async () => {
        const cases: [string, string[]][] = [
          ["orderBy: title", ["task_x", "task-2", "task-1", "task-10"]],
          ["orderBy: reward", ["task_x", "task-10", "task-2", "task-1"]],
          ["orderBy: reward, orderDirection: desc", ["task-1", "task-2", "task-10", "task_x"]],
          ["orderBy: fee", ["task_x", "task-10", "task-1", "task-2"]],
          ["orderBy: deadline, orderDirection: desc", ["task_x", "task-10", "task-2", "task-1"]],
          ["orderBy: nonce", ["task-2", "task_x", "task-10", "task-1"]],
          // NULLs last ascending, first descending (PostgreSQL's default, as graph-node).
          ["orderBy: priority", ["task-10", "task-1", "task_x", "task-2"]],
          ["orderBy: priority, orderDirection: desc", ["task-2", "task_x", "task-1", "task-10"]],
          ["orderBy: urgent", ["task-2", "task_x", "task-1", "task-10"]],
          ["orderBy: payload", ["task_x", "task-1", "task-10", "task-2"]],
          ["orderBy: description", ["task-10", "task-1", "task_x", "task-2"]],
        ];
        for (const [args, expected] of cases) {
          assert.deepEqual(await ids(`{ tasks(${args}) { id } }`), expected, args);
        }
        assert.deepEqual(await ids(`{ users(orderBy: name) { id } }`), [ALICE, BOB, CAROL]);
        assert.deepEqual(await ids(`{ users(orderBy: reputation, orderDirection: desc) { id } }`), [ALICE, BOB, CAROL]);
      });

      it("orders by a field of a referenced or deriving entity (field__child)", async () => {
        assert.deepEqual(await ids(`{ tasks(orderBy: poster__name) { id } }`), [
          "task-1",
          "task-2",
          "task-10",
          "task_x",
        ]);
        assert.deepEqual(await ids(`{ tasks(orderBy: poster__name, orderDirection: desc) { id } }`), [
          "task_x",
          "task-10",
          "task-2",
          "task-1",
        ]);
        assert.deepEqual(await ids(`{ tasks(orderBy: assignee__reputation) { id } }`), [
          "task-1",
          "task_x",
          "task-10",
          "task-2",
        ]);
        assert.deepEqual(await ids(`{ tasks(orderBy: poster__id, orderDirection: desc) { id } }`), [
          "task_x",
          "task-10",
          "task-2",
          "task-1",
        ]);
        assert.deepEqual(await ids(`{ users(orderBy: profile__bio) { id } }`), [ALICE, BOB, CAROL]);
        assert.deepEqual(await ids(`{ bids(orderBy: task__title, orderDirection: desc) { id } }`), [
          "bid-4",
          "bid-2",
          "bid-1",
          "bid-3",
        ]);
      });

      it("orders nested collections and refuses what graph-node cannot sort", async () => {
        assert.deepEqual(
          await data(`{ task(id: "task-1") { bids(orderBy: amount, orderDirection: desc) { id amount } } }`),
          {
            task: {
              bids: [
                { id: "bid-2", amount: "150" },
                { id: "bid-1", amount: "100" },
                { id: "bid-4", amount: "80" },
              ],
            },
          },
        );
        assert.deepEqual(await errors(`{ tasks(orderBy: status) { id } }`), [
          "Ordering by `status` is not supported for type `Task`",
        ]);
        assert.deepEqual(await errors(`{ tasks(orderBy: poster) { id } }`), [
          "Ordering by `poster` is not supported for type `Task`",
        ]);
        assert.deepEqual(await errors(`{ tasks(orderBy: labels) { id } }`), [
          "Ordering by `labels` is not supported for type `Task`",
        ]);
        assert.deepEqual(await errors(`{ users(orderBy: tasks) { id } }`), [
          "Ordering by `tasks` is not supported for type `User`",
        ]);
        assert.deepEqual(await errors(`{ bids(orderBy: task__status) { id } }`), [
          "Ordering by `status` is not supported for type `Task`",
        ]);
        assert.deepEqual(await errors(`{ tasks(orderBy: bids__amount) { id } }`), [
          'Value "bids__amount" does not exist in "Task_orderBy" enum.',
        ]);
      });
    });

    describe("filters", () => {
      const all = ["task-1", "task-10", "task-2", "task_x"];
      const check = async (cases: [string, string[]][]) => {
        for (const [where, expected] of cases) {
          assert.deepEqual(await ids(`{ tasks(where: { ${where} }) { id } }`), expected, where);
        }
      };

      it("compares strings with every String operator (LIKE patterns, as graph-node)", async () => {
        await check([
          [`title: "Fix UI bug"`, ["task-2"]],
          [`title_not: "Fix UI bug"`, ["task-1", "task-10", "task_x"]],
          [`title_gt: "Write"`, ["task-1", "task-10"]],
          [`title_gte: "Write indexer"`, ["task-1", "task-10"]],
          [`title_lt: "Fix UI bug"`, ["task_x"]],
          [`title_lte: "Fix UI bug"`, ["task-2", "task_x"]],
          [`title_in: ["write docs", "Fix UI bug", "missing"]`, ["task-10", "task-2"]],
          [`title_not_in: ["write docs", "Fix UI bug"]`, ["task-1", "task_x"]],
          [`title_contains: "ite"`, ["task-1", "task-10"]],
          [`title_contains_nocase: "WRITE"`, ["task-1", "task-10"]],
          [`title_not_contains: "ite"`, ["task-2", "task_x"]],
          [`title_not_contains_nocase: "WRITE"`, ["task-2", "task_x"]],
          [`title_starts_with: "Wri"`, ["task-1"]],
          [`title_starts_with_nocase: "wri"`, ["task-1", "task-10"]],
          [`title_not_starts_with: "Wri"`, ["task-10", "task-2", "task_x"]],
          [`title_not_starts_with_nocase: "wri"`, ["task-2", "task_x"]],
          [`title_ends_with: "bug"`, ["task-2"]],
          [`title_ends_with_nocase: "DOCS"`, ["task-10"]],
          [`title_not_ends_with: "bug"`, ["task-1", "task-10", "task_x"]],
          [`title_not_ends_with_nocase: "DOCS"`, ["task-1", "task-2", "task_x"]],
          // `%` and `_` keep their LIKE meaning; a value starting or ending with `%` is the whole pattern.
          [`title_contains: "0%_d"`, ["task_x"]],
          [`description_contains: "a_b"`, ["task_x"]],
          [`title_contains: "Fix%"`, ["task-2"]],
          [`title_contains: "%Fix"`, []],
          [`description: null`, ["task-2"]],
          [`description_not: null`, ["task-1", "task-10", "task_x"]],
          // NULL never matches a negated pattern either.
          [`description_contains: "dex"`, ["task-1", "task-10"]],
          [`description_not_contains: "dex"`, ["task_x"]],
        ]);
      });

      it("compares ids, numbers, timestamps, booleans and enums", async () => {
        await check([
          [`id: "task-2"`, ["task-2"]],
          [`id_gt: "task-10"`, ["task-2", "task_x"]],
          [`id_lte: "task-10"`, ["task-1", "task-10"]],
          [`id_in: ["task-2", "task_x", "task-3"]`, ["task-2", "task_x"]],
          [`id_not: "task-2"`, ["task-1", "task-10", "task_x"]],
          [`reward: "500"`, ["task-10", "task-2"]],
          [`reward: 500`, ["task-10", "task-2"]],
          [`reward_gt: "500"`, ["task-1"]],
          [`reward_gte: "500"`, ["task-1", "task-10", "task-2"]],
          [`reward_lt: "0"`, ["task_x"]],
          [`reward_in: ["-1", "1000000000000000000000"]`, ["task-1", "task_x"]],
          [`reward_not_in: ["500"]`, ["task-1", "task_x"]],
          [`fee_gt: "0.5"`, ["task-2"]],
          [`fee_lte: 0.5`, ["task-1", "task-10", "task_x"]],
          [`fee: "0.5000"`, ["task-1"]],
          [`fee: null`, []],
          [`priority: 2`, ["task-10"]],
          [`priority_gte: 3`, ["task-1", "task_x"]],
          [`priority_not: 3`, ["task-10", "task_x"]],
          [`priority: null`, ["task-2"]],
          [`priority_not_in: [2, 3]`, ["task_x"]],
          [`nonce_lt: "0"`, ["task-2"]],
          [`nonce_gt: 9007199254740992`, ["task-1"]],
          [`nonce_in: ["7", "1"]`, ["task-10", "task_x"]],
          [`deadline_gt: "1700000000000002"`, ["task-10", "task_x"]],
          [`deadline_lte: "1700000000000001"`, ["task-1", "task-2"]],
          [`urgent: true`, ["task-1", "task-10"]],
          [`urgent_not: true`, ["task-2", "task_x"]],
          [`urgent_in: [false]`, ["task-2", "task_x"]],
          [`status: Open`, ["task-10", "task-2"]],
          [`status_not: Open`, ["task-1", "task_x"]],
          [`status_in: [Done, Claimed]`, ["task-1", "task_x"]],
          [`status_not_in: [Done]`, ["task-10", "task-2", "task_x"]],
          // Empty lists match nothing, even negated (graph-node).
          [`id_in: []`, []],
          [`id_not_in: []`, []],
        ]);
      });

      it("compares bytes, by value and by contained bytes", async () => {
        await check([
          [`payload: "0x00FF10"`, ["task-1"]],
          [`payload: "0x"`, ["task_x"]],
          [`payload_not: "0x00ff10"`, ["task-10", "task_x"]],
          [`payload_gt: "0x00ff10"`, ["task-10"]],
          [`payload_lt: "0x01"`, ["task-1", "task_x"]],
          [`payload_in: ["0xbeef00", "0x"]`, ["task-10", "task_x"]],
          [`payload_not_in: ["0xbeef00"]`, ["task-1", "task_x"]],
          [`payload_contains: "0xff"`, ["task-1"]],
          [`payload_contains: "ef00"`, ["task-10"]],
          [`payload_not_contains: "0xff"`, ["task-10", "task_x"]],
        ]);
        assert.deepEqual(await errors(`{ tasks(where: { payload: "0x123" }) { id } }`), [
          "Failed to decode `Bytes` value: `Odd number of digits`",
        ]);
      });

      it("compares references by id, with the String operators", async () => {
        await check([
          [`poster: "${CAROL}"`, ["task-10", "task_x"]],
          [`poster: "0xBB03"`, ["task-10", "task_x"]],
          [`poster_not: "${CAROL}"`, ["task-1", "task-2"]],
          [`poster_in: ["${ALICE}", "${BOB}"]`, ["task-1", "task-2"]],
          [`poster_not_in: ["${ALICE}"]`, ["task-10", "task-2", "task_x"]],
          [`poster_gt: "${BOB}"`, ["task-10", "task_x"]],
          [`assignee: null`, ["task-10", "task-2"]],
          [`assignee_not: null`, ["task-1", "task_x"]],
          [`poster_contains: "bb"`, ["task-10", "task_x"]],
          [`poster_starts_with: "0xaa"`, ["task-1", "task-2"]],
          [`poster_starts_with_nocase: "0xAA"`, ["task-1", "task-2"]],
          [`poster_ends_with: "02"`, ["task-2"]],
          [`poster_not_ends_with: "02"`, ["task-1", "task-10", "task_x"]],
        ]);
        assert.deepEqual(await ids(`{ bids(where: { task: "task-2" }) { id } }`), ["bid-3"]);
        assert.deepEqual(await ids(`{ bids(where: { task_starts_with: "task-1" }) { id } }`), [
          "bid-1",
          "bid-2",
          "bid-4",
        ]);
        assert.deepEqual(await ids(`{ bids(where: { task_contains_nocase: "TASK-2" }) { id } }`), ["bid-3"]);
      });

      it("compares lists: equality, containment of all items, of none, case-insensitively of any", async () => {
        await check([
          [`tags: ["t-ts", "t-sql"]`, ["task-1"]],
          [`tags: ["t-sql", "t-ts"]`, []],
          [`tags: []`, ["task-10"]],
          [`tags_not: ["t-ts"]`, ["task-1", "task-10", "task_x"]],
          [`tags_contains: ["t-ts"]`, ["task-1", "task-2"]],
          [`tags_contains: ["t-sql", "t-ts"]`, ["task-1"]],
          [`tags_not_contains: ["t-ts", "t-rust"]`, ["task-10"]],
          [`tags_contains_nocase: ["T-RUST"]`, ["task_x"]],
          [`tags_not_contains_nocase: ["T-TS"]`, ["task-10", "task_x"]],
          [`labels_contains: ["backend"]`, ["task-1"]],
          [`labels_contains_nocase: ["backend"]`, ["task-1", "task_x"]],
          [`labels_contains_nocase: ["DOC%", "front%"]`, ["task-10", "task-2"]],
          [`labels_not_contains_nocase: ["BACKEND"]`, ["task-10", "task-2"]],
          [`labels: null`, []],
          [`amounts_contains: ["1"]`, ["task-1", "task_x"]],
          [`amounts_contains: [20000000000000000000000]`, ["task-1"]],
          [`amounts_contains: ["20000000000000000000000"]`, ["task-1"]],
          [`amounts: ["3"]`, ["task-10"]],
          [`amounts_not_contains: ["1"]`, ["task-10", "task-2"]],
          [`hashes_contains: ["0xBEEF"]`, ["task-1", "task-10"]],
          [`hashes_not_contains: ["0xbeef"]`, ["task-2", "task_x"]],
          [`hashes: ["0xdead", "0xbeef"]`, ["task-1"]],
          [`statuses_contains: [Claimed]`, ["task-10"]],
          [`statuses: []`, ["task-2", "task_x"]],
          [`statuses_not: []`, ["task-1", "task-10"]],
        ]);
        assert.deepEqual(await errors(`{ tasks(where: { amounts_contains: ["1.5"] }) { id } }`), [
          "Failed to decode `BigInt` value: `invalid digit found in string`",
        ]);
      });

      it("filters on referenced, listed and deriving entities one level deep", async () => {
        assert.deepEqual(await ids(`{ tasks(where: { poster_: { name_starts_with: "A" } }) { id } }`), ["task-1"]);
        assert.deepEqual(await ids(`{ tasks(where: { assignee_: { reputation_gt: 5 } }) { id } }`), [
          "task-1",
          "task_x",
        ]);
        assert.deepEqual(await ids(`{ tasks(where: { tags_: { name: "typescript" } }) { id } }`), ["task-1", "task-2"]);
        assert.deepEqual(await ids(`{ tasks(where: { bids_: { amount_gte: "150" } }) { id } }`), ["task-1"]);
        assert.deepEqual(await ids(`{ users(where: { tasks_: { status: Open } }) { id } }`), [BOB, CAROL]);
        assert.deepEqual(await ids(`{ users(where: { profile_: { bio_not: null } }) { id } }`), [ALICE]);
        assert.deepEqual(await ids(`{ tags(where: { tasks_: { urgent: true } }) { id } }`), ["t-sql", "t-ts"]);
        assert.deepEqual(
          await ids(`{ tasks(where: { poster_: { or: [{ name: "carol" }, { reputation: 10 }] } }) { id } }`),
          ["task-1", "task-10", "task_x"],
        );
        assert.deepEqual(await errors(`{ tasks(where: { poster_: { tasks_: { status: Open } } }) { id } }`), [
          "Child filter nesting not supported by value `tasks_`: filters on related entities (`field_`) can only be one level deep",
        ]);
        assert.deepEqual(await errors(`{ tasks(where: { poster_: null }) { id } }`), [
          "Query contains value with invalid type `User!`: `null`",
        ]);
      });

      it("combines filters with and / or, and refuses or beside column filters", async () => {
        await check([
          [`or: [{ status: Done }, { urgent: false }]`, ["task-1", "task-2", "task_x"]],
          [`or: [{ status: Open, urgent: true }, { id: "task_x" }]`, ["task-10", "task_x"]],
          [`and: [{ status: Open }, { urgent: true }]`, ["task-10"]],
          [`and: [{ or: [{ status: Open }, { status: Done }] }, { urgent: true }]`, ["task-1", "task-10"]],
          [`and: []`, all],
          [`or: []`, []],
          [`status: Open, urgent: false`, ["task-2"]],
        ]);
        assert.deepEqual(await errors(`{ tasks(where: { status: Open, or: [{ urgent: true }] }) { id } }`), [
          "Cannot mix column filters with 'or' operator at the same level. Found column filter(s) 'status' alongside " +
            "'or' operator.\n\nInstead of:\nwhere: { 'status', or: [...] }\n\nUse:\nwhere: { or: [{ 'status', ... }, " +
            "{ 'status', ... }] }",
        ]);
        const [message] = await errors(`{ tasks(where: { and: [{ urgent: true }], or: [{ status: Done }] }) { id } }`);
        assert.match(message!, /cannot be combined with other filters/);
      });

      it("selects versions changed since a block with _change_block", async () => {
        assert.deepEqual(await ids(`{ tasks(where: { _change_block: { number_gte: 7 } }) { id } }`), [
          "task-1",
          "task_x",
        ]);
        assert.deepEqual(await ids(`{ bids(where: { _change_block: { number_gte: 9 } }) { id } }`), ["bid-4"]);
        assert.deepEqual(await ids(`{ tasks(where: { _change_block: { number_gte: 11 } }) { id } }`), []);
      });

      it("filters nested collections", async () => {
        assert.deepEqual(
          await data(
            `{ users(orderBy: name) { name tasks(where: { urgent: true }) { id } bids(first: 1, skip: 1) { id } } }`,
          ),
          {
            users: [
              { name: "Alice", tasks: [{ id: "task-1" }], bids: [{ id: "bid-4" }] },
              { name: "Robert", tasks: [], bids: [] },
              { name: "carol", tasks: [{ id: "task-10" }], bids: [] },
            ],
          },
        );
      });

      it("checks values and refuses operators graph-node refuses", async () => {
        assert.deepEqual(await errors(`{ tasks(where: { reward_gt: "abc" }) { id } }`), [
          "Failed to decode `BigInt` value: `invalid digit found in string`",
        ]);
        assert.deepEqual(await errors(`{ tasks(where: { fee: "1.2.3" }) { id } }`), [
          "Failed to decode `BigDecimal` value: `invalid digit found in string`",
        ]);
        assert.deepEqual(await errors(`{ tasks(where: { nonce: "9223372036854775808" }) { id } }`), [
          "Failed to decode `Int8` value: `9223372036854775808`",
        ]);
        assert.deepEqual(await errors(`{ tasks(where: { deadline: "soon" }) { id } }`), [
          "Failed to decode `Timestamp` value: `soon`",
        ]);
        assert.deepEqual(await errors(`{ tasks(where: { priority_gt: null }) { id } }`), [
          "unsupported filter `priority_gt` for value `null`",
        ]);
        assert.deepEqual(await errors(`{ tasks(where: { deadline: 5 }) { id } }`), [
          'Expected value of type "Timestamp", found 5; Timestamp must be given as a string',
        ]);
        assert.deepEqual(await errors(`{ tasks(where: { writtenBy: "x" }) { id } }`), [
          'Field "writtenBy" is not defined by type "Task_filter".',
        ]);
        assert.deepEqual(await errors(`{ users(where: { tasks: ["task-1"] }) { id } }`), [
          'Field "tasks" is not defined by type "User_filter". Did you mean "tasks_"?',
        ]);
      });
    });

    describe("relations", () => {
      it("resolves references, lists of references (by id, each once) and derived fields", async () => {
        assert.deepEqual(
          await data(`{
            tasks(block: { number: 8 }) {
              id poster { name } assignee { name } tags { id } bids { id amount bidder { name } }
            }
          }`),
          {
            tasks: [
              {
                id: "task-1",
                poster: { name: "Alice" },
                assignee: { name: "Robert" },
                tags: [{ id: "t-sql" }, { id: "t-ts" }],
                bids: [
                  { id: "bid-1", amount: "100", bidder: { name: "Robert" } },
                  { id: "bid-2", amount: "150", bidder: { name: "carol" } },
                  { id: "bid-4", amount: "90", bidder: { name: "Alice" } },
                ],
              },
              {
                id: "task-10",
                poster: { name: "carol" },
                assignee: null,
                tags: [],
                bids: [],
              },
              {
                id: "task-2",
                poster: { name: "Robert" },
                assignee: null,
                tags: [{ id: "t-ts" }],
                bids: [{ id: "bid-3", amount: "100", bidder: { name: "Alice" } }],
              },
              {
                id: "task-3",
                poster: { name: "Alice" },
                assignee: { name: "carol" },
                tags: [{ id: "t-rust" }, { id: "t-sql" }],
                bids: [],
              },
              {
                id: "task_x",
                poster: { name: "carol" },
                assignee: { name: "Alice" },
                tags: [{ id: "t-rust" }],
                bids: [],
              },
            ],
          },
        );
      });

      it("gives nested collections their arguments, per parent", async () => {
        assert.deepEqual(
          await data(`{
            tags(orderBy: name) {
              id
              tasks(orderBy: reward, orderDirection: desc, first: 1) { id }
              all: tasks(where: { status_not: Done }) { id poster { name } }
            }
          }`),
          {
            tags: [
              { id: "t-rust", tasks: [{ id: "task_x" }], all: [{ id: "task_x", poster: { name: "carol" } }] },
              { id: "t-sql", tasks: [{ id: "task-1" }], all: [] },
              {
                id: "t-ts",
                tasks: [{ id: "task-1" }],
                all: [{ id: "task-2", poster: { name: "Robert" } }],
              },
            ],
          },
        );
        assert.deepEqual(
          await data(
            `{ task(id: "task-1") { tags(where: { name_not: "sql" }) { name } more: tags(skip: 1) { name } } }`,
          ),
          { task: { tags: [{ name: "typescript" }], more: [{ name: "typescript" }] } },
        );
        // A list longer than `first` is cut per parent, in collection order.
        assert.deepEqual(await data(`{ tasks(where: { id_in: ["task-1", "task-2"] }) { id tags(first: 1) { id } } }`), {
          tasks: [
            { id: "task-1", tags: [{ id: "t-sql" }] },
            { id: "task-2", tags: [{ id: "t-ts" }] },
          ],
        });
      });

      it("resolves derived single fields, and reports when several entities point back", async () => {
        assert.deepEqual(await data(`{ users(orderBy: name) { name profile { id bio } } }`), {
          users: [
            { name: "Alice", profile: { id: "p1", bio: "Builds things" } },
            { name: "Robert", profile: { id: "p2", bio: null } },
            { name: "carol", profile: null },
          ],
        });
        assert.deepEqual(await errors(`{ user(id: "${DAVE}", block: { number: 1 }) { profile { id } } }`), [
          "Ambiguous result for derived field `profile`: Multiple `Profile` entities refer back via `user`",
        ]);
      });

      it("fails a non-null reference that points at nothing, as graph-node does", async () => {
        assert.deepEqual(await data(`{ profiles(where: { id_in: ["p1", "p2"] }) { id user { name } } }`), {
          profiles: [
            { id: "p1", user: { name: "Alice" } },
            { id: "p2", user: { name: "Robert" } },
          ],
        });
        const result = await run(`{ profile(id: "p4") { id user { name } } }`);
        assert.equal(result.data, undefined);
        assert.equal(result.errors?.[0]?.message, "Null value resolved for non-null field `user`");
        assert.deepEqual(result.errors?.[0]?.path, ["profile", "user"]);
      });

      it("answers a reference that selects only its id from the parent's row, as if it read the entity", async () => {
        // Dave exists at block 1 only: p4 points at him then, and at nobody from block 2 on.
        assert.deepEqual(await data(`{ profile(id: "p4", block: { number: 1 }) { id user { id } } }`), {
          profile: { id: "p4", user: { id: DAVE } },
        });
        const dangling = await run(`{ profile(id: "p4") { id user { id } } }`);
        assert.equal(dangling.data, undefined);
        assert.equal(dangling.errors?.[0]?.message, "Null value resolved for non-null field `user`");
        assert.deepEqual(dangling.errors?.[0]?.path, ["profile", "user"]);
        // The same ids, nulls and aliases as when the referenced entities are read, at every block, nested too.
        for (const block of [1, 3, 4, 8, 10]) {
          const idOnly = await data(
            `{ tasks(first: 100, block: { number: ${block} }) { id poster { id } who: assignee { id __typename }
                 bids(first: 100) { id bidder { id } } } }`,
          );
          const read = await data(
            `{ tasks(first: 100, block: { number: ${block} }) { id poster { id name } who: assignee { id name }
                 bids(first: 100) { id bidder { id name } } } }`,
          );
          const withoutNames = JSON.parse(JSON.stringify(read), (key, value) => (key === "name" ? undefined : value));
          for (const task of withoutNames.tasks) if (task.who) task.who.__typename = "User";
          assert.deepEqual(idOnly, withoutNames, `at block ${block}`);
        }
      });

      it("reads aliases, fragments and directives", async () => {
        const result = await data(
          `query Tasks($skipTitle: Boolean!, $first: Int) {
            a: tasks(first: $first) { id ...Titles }
            b: tasks(first: 1, skip: 1) { key: id poster { n: name } ... on Task { urgent } }
          }
          fragment Titles on Task { title @skip(if: $skipTitle) poster { name @include(if: false) id } }`,
          { skipTitle: true, first: 2 },
        );
        assert.deepEqual(result, {
          a: [
            { id: "task-1", poster: { id: ALICE } },
            { id: "task-10", poster: { id: CAROL } },
          ],
          b: [{ key: "task-10", poster: { n: "carol" }, urgent: true }],
        });
      });
    });

    describe("time travel", () => {
      it("reads every level at the block given by number, hash or number_gte", async () => {
        const at = (block: string) =>
          data(`{ task(id: "task-1", block: ${block}) { status assignee { name } bids { id amount } } }`);
        assert.deepEqual(await at(`{ number: 3 }`), { task: { status: "Open", assignee: null, bids: [] } });
        assert.deepEqual(await at(`{ number: 5 }`), {
          task: {
            status: "Claimed",
            assignee: { name: "Robert" },
            bids: [
              { id: "bid-1", amount: "100" },
              { id: "bid-2", amount: "150" },
            ],
          },
        });
        assert.deepEqual(await at(`{ hash: "${hashOf(4)}" }`), {
          task: { status: "Claimed", assignee: { name: "Bob" }, bids: [{ id: "bid-1", amount: "100" }] },
        });
        assert.deepEqual(await at(`{ number_gte: 9 }`), {
          task: {
            status: "Done",
            assignee: { name: "Robert" },
            bids: [
              { id: "bid-1", amount: "100" },
              { id: "bid-2", amount: "150" },
              { id: "bid-4", amount: "80" },
            ],
          },
        });
        assert.deepEqual(await ids(`{ tasks(block: { number: 0 }) { id } }`), []);
        assert.deepEqual(await ids(`{ tasks(block: { number: 3 }) { id } }`), ["task-1", "task-2", "task-3"]);
        assert.deepEqual(await ids(`{ users(block: { number: 1 }) { id } }`), [ALICE, BOB, DAVE]);
      });

      it("reads each top-level field at its own block", async () => {
        assert.deepEqual(
          await data(`query ($block: Block_height) { before: users(block: $block) { name } now: users { name } }`, {
            block: { number: 4 },
          }),
          {
            before: [{ name: "Alice" }, { name: "Bob" }, { name: "carol" }],
            now: [{ name: "Alice" }, { name: "Robert" }, { name: "carol" }],
          },
        );
      });

      it("refuses blocks that are not indexed, with graph-node's messages", async () => {
        const notYet = (n: number) =>
          `subgraph ${DEPLOYMENT} has only indexed up to block number 10 and data for block number ${n} is therefore not yet available`;
        assert.deepEqual(await errors(`{ tasks(block: { number: 11 }) { id } }`), [
          `Failed to decode \`block.number\` value: \`${notYet(11)}\``,
        ]);
        assert.deepEqual(await errors(`{ tasks(block: { number_gte: 12 }) { id } }`), [
          `Failed to decode \`block.number_gte\` value: \`${notYet(12)}\``,
        ]);
        assert.deepEqual(await errors(`{ tasks(block: { hash: "${hashOf(12)}" }) { id } }`), [
          `Failed to decode \`block.number\` value: \`${notYet(12)}\``,
        ]);
        assert.deepEqual(await errors(`{ tasks(block: { hash: "${hashOf(99)}" }) { id } }`), [
          "Failed to decode `block.hash` value: `no block with that hash found`",
        ]);
        assert.deepEqual(await errors(`{ tasks(block: {}) { id } }`), [
          "Invalid value provided for argument `block`: give one of `hash`, `number` or `number_gte`",
        ]);
      });
    });

    describe("_meta", () => {
      it("describes the latest block, or the block asked for", async () => {
        assert.deepEqual(
          await data(
            `{ _meta { deployment hasIndexingErrors block { number hash timestamp parentHash __typename } } }`,
          ),
          {
            _meta: {
              deployment: DEPLOYMENT,
              hasIndexingErrors: false,
              block: {
                number: 10,
                hash: hashOf(10),
                timestamp: timestampOf(10),
                parentHash: hashOf(9),
                __typename: "_Block_",
              },
            },
          },
        );
        // By number, graph-node does not look the block up: no hash, timestamp or parent.
        assert.deepEqual(await data(`{ _meta(block: { number: 4 }) { block { number hash timestamp parentHash } } }`), {
          _meta: { block: { number: 4, hash: null, timestamp: null, parentHash: null } },
        });
        assert.deepEqual(await data(`{ _meta(block: { hash: "${hashOf(4)}" }) { block { number hash timestamp } } }`), {
          _meta: { block: { number: 4, hash: hashOf(4), timestamp: timestampOf(4) } },
        });
        assert.deepEqual(await data(`{ _meta(block: { number_gte: 2 }) { block { number hash } } }`), {
          _meta: { block: { number: 10, hash: hashOf(10) } },
        });
        assert.equal((await errors(`{ _meta(block: { number: 11 }) { deployment } }`)).length, 1);
      });

      it("refuses queries before anything is indexed, but answers introspection", async () => {
        const empty = engineFor(db, EMPTY);
        assert.deepEqual((await exec(empty, { query: `{ tasks { id } }` })).errors, [
          {
            message: `Subgraph \`${DEPLOYMENT}\` has not started syncing yet. Wait for it to ingest a few blocks before querying it`,
          },
        ]);
        assert.deepEqual(await exec(empty, { query: `{ __type(name: "Task") { name } }` }), {
          data: { __type: { name: "Task" } },
        });
        const missing = engineFor(db, "subgraph_graphql_test_missing");
        assert.match((await missing.execute({ query: `{ _meta { deployment } }` })).errors![0]!.message, /not started/);
      });
    });

    describe("subgraphError", () => {
      const onFailed = (query: string) => run(query, undefined, () => failed);

      it("denies data at the failed head by default, with graph-node's indexing_error", async () => {
        const indexingError = [{ message: "indexing_error" }];
        assert.deepEqual(await onFailed(`{ task(id: "task-1") { id } }`), { errors: indexingError });
        assert.deepEqual(await onFailed(`{ task(id: "task-1", subgraphError: deny) { id } }`), {
          errors: indexingError,
        });
        assert.deepEqual(await onFailed(`{ task(id: "task-1") { id } _meta { hasIndexingErrors } }`), {
          data: { _meta: { hasIndexingErrors: true } },
          errors: indexingError,
        });
        assert.deepEqual(await onFailed(`{ __type(name: "Task") { name } }`), {
          data: { __type: { name: "Task" } },
          errors: indexingError,
        });
      });

      it("returns data with the error under allow, and no error for _meta alone or earlier blocks", async () => {
        assert.deepEqual(await onFailed(`{ task(id: "task-1", subgraphError: allow) { id status } }`), {
          data: { task: { id: "task-1", status: "Done" } },
          errors: [{ message: "indexing_error" }],
        });
        assert.deepEqual(await onFailed(`{ _meta { hasIndexingErrors block { number } } }`), {
          data: { _meta: { hasIndexingErrors: true, block: { number: 10 } } },
        });
        assert.deepEqual(await onFailed(`{ tasks(block: { number: 9 }) { id } }`), {
          data: { tasks: [{ id: "task-1" }, { id: "task-10" }, { id: "task-2" }, { id: "task_x" }] },
        });
        assert.deepEqual(await onFailed(`{ _meta(block: { number: 9 }) { hasIndexingErrors } }`), {
          data: { _meta: { hasIndexingErrors: false } },
        });
        assert.deepEqual(
          await onFailed(`{ old: tasks(block: { number: 2 }) { id } now: tasks(subgraphError: deny) { id } }`),
          { data: { old: [{ id: "task-1" }, { id: "task-2" }] }, errors: [{ message: "indexing_error" }] },
        );
      });
    });

    describe("full-text search", () => {
      it("matches with graph-node's text syntax and orders by rank as graph-node does", async () => {
        // Stemmed English: "index" matches "indexer" and "Index"; graph-node sorts by rank ascending, then id.
        assert.deepEqual(await ids(`{ taskSearch(text: "index") { id } }`), ["task-10", "task-1"]);
        assert.deepEqual(await ids(`{ taskSearch(text: "index & market") { id } }`), ["task-1"]);
        assert.deepEqual(await ids(`{ taskSearch(text: "docs | bug") { id } }`), ["task-10", "task-2"]);
        assert.deepEqual(await ids(`{ taskSearch(text: "index & !market") { id } }`), ["task-10"]);
        assert.deepEqual(await ids(`{ taskSearch(text: "writ:*") { id } }`), ["task-1", "task-10"]);
        assert.deepEqual(await ids(`{ taskSearch(text: "'fix UI'") { id } }`), ["task-2"]);
        assert.deepEqual(
          await ids(`{ taskSearch(text: "index", where: { urgent: true, poster_: { name: "carol" } }) { id } }`),
          ["task-10"],
        );
        assert.deepEqual(await ids(`{ taskSearch(text: "index", first: 1, skip: 1) { id } }`), ["task-1"]);
        assert.deepEqual(await ids(`{ taskSearch(text: "index", block: { number: 5 }) { id } }`), ["task-1"]);
        // The `simple` configuration does not stem; proximityRank ranks with cover density.
        assert.deepEqual(await ids(`{ userSearch(text: "robert | carol") { id } }`), [BOB, CAROL]);
        assert.deepEqual(await ids(`{ userSearch(text: "rob") { id } }`), []);
      });

      it("turns text syntax errors into graph-node's message", async () => {
        assert.deepEqual(await errors(`{ taskSearch(text: "fix UI") { id } }`), [
          `Invalid fulltext search query syntax. Error: syntax error in tsquery: "fix UI". Hint: Search terms with spaces need to be enclosed in single quotes`,
        ]);
        assert.match(
          (await errors(`{ taskSearch(text: "index &") { id } }`))[0]!,
          /^Invalid fulltext search query syntax/,
        );
      });
    });

    describe("requests", () => {
      it("uses variables, defaults and operation names", async () => {
        const query = `
          query Open($status: TaskStatus = Open, $first: Int) { tasks(where: { status: $status }, first: $first) { id } }
          query Rewarded($min: BigInt!) { tasks(where: { reward_gte: $min }) { id } }`;
        assert.deepEqual(await exec(engine, { query, operationName: "Open" }), {
          data: { tasks: [{ id: "task-10" }, { id: "task-2" }] },
        });
        assert.deepEqual(
          await exec(engine, { query, operationName: "Open", variables: { status: "Done", first: 1 } }),
          { data: { tasks: [{ id: "task-1" }] } },
        );
        assert.deepEqual(await exec(engine, { query, operationName: "Rewarded", variables: { min: "600" } }), {
          data: { tasks: [{ id: "task-1" }] },
        });
        assert.deepEqual((await exec(engine, { query })).errors, [{ message: "Operation name required" }]);
        assert.deepEqual((await exec(engine, { query, operationName: "Nope" })).errors, [
          { message: "Operation name not found `Nope`" },
        ]);
        const invalid = await exec(engine, { query, operationName: "Rewarded", variables: { min: true } });
        assert.match(invalid.errors![0]!.message, /^Variable "\$min" got invalid value true/);
      });

      it("answers bad requests and unsupported operations with errors", async () => {
        const messages = async (request: Parameters<QueryEngine["execute"]>[0]) =>
          ((await engine.execute(request)) as QueryResponse).errors!.map((error) => error.message);
        assert.deepEqual(await messages({ query: `{ tasks { id nope } }` }), [
          'Cannot query field "nope" on type "Task". Did you mean "nonce"?',
        ]);
        assert.deepEqual(await messages({ query: `{ tasks(nope: 1) { id } }` }), [
          'Unknown argument "nope" on field "Query.tasks".',
        ]);
        assert.deepEqual(await messages({ query: `{ tasks { poster } }` }), [
          'Field "poster" of type "User!" must have a selection of subfields. Did you mean "poster { ... }"?',
        ]);
        assert.deepEqual(await messages({ query: `mutation { tasks { id } }` }), [
          "Not supported: Mutations are not supported",
        ]);
        assert.deepEqual(await messages({ query: `subscription { tasks { id } }` }), [
          "Not supported: Subscriptions are not supported",
        ]);
        assert.deepEqual(await messages({ query: 42 }), ["The request has no `query` string."]);
        assert.deepEqual(await messages({ query: " " }), ["The query is empty"]);
        assert.deepEqual(await messages({ query: `{ tasks { id } }`, variables: [1] }), [
          "`variables` must be a JSON object.",
        ]);
        const syntax = await exec(engine, { query: `{ tasks { id }` });
        assert.deepEqual(syntax.errors, [
          { message: "Syntax Error: Expected Name, found <EOF>.", locations: [{ line: 1, column: 15 }] },
        ]);
        // The cached document answers the same way the second time.
        assert.deepEqual(await exec(engine, { query: `{ tasks { id }` }), syntax);
      });

      it("rejects queries that are too deep, too large or too complex", async () => {
        const limited = engineFor(db, HEALTHY, { maxDepth: 4, maxSelections: 20, maxComplexity: 5_000 });
        const messages = async (query: string) =>
          (await limited.execute({ query })).errors?.map((error) => error.message);
        assert.deepEqual(await messages(`{ tasks { poster { tasks { poster { id } } } } }`), [
          "query has a depth that exceeds the limit of `4`",
        ]);
        assert.equal(await messages(`{ tasks(first: 10) { poster { tasks(first: 10) { id } } } }`), undefined);
        assert.deepEqual(
          await messages(`{ ${Array.from({ length: 21 }, (_, i) => `a${i}: _meta { deployment }`).join(" ")} }`),
          ["query selects more than `20` fields once its fragments are expanded, which exceeds the limit of this node"],
        );
        assert.match(
          (await messages(`{ tasks(first: 100) { bids(first: 100) { id } } }`))![0]!,
          /^query potentially returns `10100` entities or more and thereby exceeds the limit of `5000` entities/,
        );
        assert.equal(await messages(`{ tasks(first: 10) { bids(first: 100) { id } } }`), undefined);
        const small = engineFor(db, HEALTHY, { maxResultEntities: 10 });
        assert.match(
          (await small.execute({ query: `{ tasks { bids { bidder { id } } } }` })).errors![0]!.message,
          /^the result size of 12 entities is larger than the allowed limit of 10/,
        );
      });
    });
  });
}

suite("GraphQL query engine on PGlite", async () => {
  const db = await openDatabase();
  return { db, close: () => db.close() };
});

suite("GraphQL query engine on PostgreSQL", async () => {
  const admin = "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `graphql_test_${process.pid}_${Date.now()}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const db = await openDatabase({ url: `postgres://postgres@127.0.0.1:5432/${name}` });
  return {
    db,
    close: async () => {
      await db.close();
      const cleanup = new pg.Client({ connectionString: admin });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  };
});
