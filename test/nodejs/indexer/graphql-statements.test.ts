/**
 * The query engine's cost on PGlite with tens of thousands of rows, counted rather than timed: how many SQL statements
 * a query takes (one for the head and one per top-level field, whatever is nested under it, never one per parent). Latency is measured by `npm run bench:indexer`,
 * never by a test: these machines are shared and noisy.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { QueryEngine } from "../../../indexer/node/graphql/index.ts";
import { parseSchema } from "../../../indexer/node/schema.ts";
import { openDatabase, type Database, type Queryable } from "../../../indexer/node/store/database.ts";
import { createTablesSql, tableRef } from "../../../indexer/node/store/layout.ts";

const model = parseSchema(/* GraphQL */ `
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
  }
  type Task @entity {
    id: ID!
    title: String!
    status: TaskStatus!
    reward: BigInt!
    fee: BigDecimal!
    deadline: Timestamp!
    poster: User!
    tags: [Tag!]!
    bids: [Bid!]! @derivedFrom(field: "task")
  }
  type Tag @entity(immutable: true) {
    id: ID!
    name: String!
  }
  type Bid @entity {
    id: ID!
    task: Task!
    bidder: User!
    amount: BigInt!
  }
`);

const SCHEMA = "subgraph_graphql_performance";
const TASKS = 12_000;
const USERS = 1_200;
const BIDS = 24_000;
const table = (entity: string) => tableRef(SCHEMA, entity);
const userId = (expression: string) => `decode(lpad(to_hex(${expression}), 40, '0'), 'hex')`;

/** Tasks (every third one Done, in a second version from block 5), users, two bids per task, three tags. */
async function populate(db: Database) {
  await db.exec(createTablesSql(SCHEMA, model));
  await db.exec(`
    INSERT INTO ${table("__meta")} (subgraph_name, deployment_id, start_block, latest_number, latest_hash, latest_timestamp)
      VALUES ('performance', 'QmPerformance', 1, 10, decode(repeat('0a', 32), 'hex'), 1700000000);
    INSERT INTO ${table("Tag")} (__block_from, id, name) VALUES (1, 't-a', 'alpha'), (1, 't-b', 'beta'), (1, 't-c', 'gamma');
    INSERT INTO ${table("User")} (__block_from, id, name, reputation)
      SELECT 1, ${userId("g")}, 'user ' || g, g % 100 FROM generate_series(1, ${USERS}) AS g;
    INSERT INTO ${table("Task")} (__block_from, __block_to, id, title, status, reward, fee, deadline, poster, tags)
      SELECT 1, CASE WHEN g % 3 = 2 THEN 5 END, 'task-' || lpad(g::text, 6, '0'), 'Task number ' || g,
        (ARRAY['Open', 'Claimed', 'Done'])[1 + g % 3], g * 1000, g / 7.0, 1700000000000000 + g,
        ${userId(`1 + g % ${USERS}`)}, ARRAY['t-a', 't-b']
      FROM generate_series(1, ${TASKS}) AS g;
    INSERT INTO ${table("Task")} (__block_from, id, title, status, reward, fee, deadline, poster, tags)
      SELECT 5, 'task-' || lpad(g::text, 6, '0'), 'Task number ' || g || ', revised', 'Done', g * 1000, g / 7.0,
        1700000000000000 + g, ${userId(`1 + g % ${USERS}`)}, ARRAY['t-c']
      FROM generate_series(2, ${TASKS}, 3) AS g;
    INSERT INTO ${table("Bid")} (__block_from, id, task, bidder, amount)
      SELECT 2, 'bid-' || g, 'task-' || lpad((1 + g % ${TASKS})::text, 6, '0'), ${userId(`1 + g % ${USERS}`)}, g
      FROM generate_series(1, ${BIDS}) AS g;
    ANALYZE;
  `);
}

const byId = (i: number) =>
  `{ task(id: "task-${String(1 + ((i * 7919) % TASKS)).padStart(6, "0")}") { id title status reward fee deadline poster { id name } } }`;
const page = (i: number) =>
  `{ tasks(first: 100, where: { status: Open, reward_gt: "${(i % 50) * 1000}" }, orderBy: reward, orderDirection: desc) {
      id title reward poster { id name reputation } bids(first: 5) { id amount } tags { name }
    } }`;

describe("GraphQL query engine statements on PGlite", () => {
  let db: Database;
  let engine: QueryEngine;
  let statements: string[] = [];

  before(async () => {
    db = await openDatabase();
    await populate(db);
    // Counts the statements the engine sends.
    const counted = (target: Queryable): Queryable => ({
      query: (sql, params) => {
        statements.push(sql);
        return target.query(sql, params);
      },
      exec: (sql) => target.exec(sql),
    });
    const counting: Database = {
      ...db,
      ...counted(db),
      snapshot: (work) => db.snapshot((snapshot) => work(counted(snapshot))),
    };
    engine = new QueryEngine({ db: counting, model, dbSchema: SCHEMA, deploymentId: "QmPerformance" });
  });
  after(async () => {
    await db.close();
  });

  const execute = async (query: string) => {
    const result = await engine.execute({ query });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    return result.data as Record<string, unknown[]>;
  };

  it("reads a top-level field and everything nested under it in one statement, never one per parent", async () => {
    await execute(byId(0)); // resolves the collation once
    statements = [];
    await execute(byId(1));
    assert.equal(statements.length, 2, statements.join("\n")); // head, task with its poster
    statements = [];
    const { tasks } = await execute(page(0));
    assert.equal(tasks!.length, 100);
    assert.equal(statements.length, 2, statements.join("\n")); // head, tasks with posters, bids and tags
    statements = [];
    const { bids } = await execute(`{ bids(first: 1000) { id task { id poster { name tasks(first: 2) { id } } } } }`);
    assert.equal(bids!.length, 1000);
    assert.equal(statements.length, 2, statements.join("\n")); // head, bids with tasks, posters and posters' tasks
    statements = [];
    await execute(`{ _meta { block { number hash timestamp parentHash } } }`);
    assert.equal(statements.length, 1, statements.join("\n")); // the head, with its block
  });

  it("answers a reference that selects only its id from the parent's statement", async () => {
    statements = [];
    const { tasks } = await execute(`{ tasks(first: 100, orderBy: reward) { id poster { id } } }`);
    assert.equal(statements.length, 2, statements.join("\n")); // head, tasks (with whether each poster exists)
    statements = [];
    const read = await execute(`{ tasks(first: 100, orderBy: reward) { id poster { id reputation } } }`);
    assert.equal(statements.length, 2, statements.join("\n")); // head, tasks with their posters
    assert.deepEqual(
      JSON.parse(JSON.stringify(tasks)),
      (read.tasks as { id: string; poster: { id: string } }[]).map((task) => ({
        id: task.id,
        poster: { id: task.poster.id },
      })),
    );
  });

  it("reports a nested collection's range only where a parent needs it, as a statement of its own would", async () => {
    const missing = await engine.execute({ query: `{ task(id: "no-such-task") { id bids(first: 5000) { id } } }` });
    assert.deepEqual(missing, { data: { task: null } });
    const found = await engine.execute({ query: `{ task(id: "task-000001") { id bids(first: 5000) { id } } }` });
    assert.equal(found.data, undefined);
    assert.match(found.errors?.[0]?.message ?? "", /first/);
  });

  it("reads open versions at the head, and versions by block range below it", async () => {
    statements = [];
    await execute(`{ tasks(first: 5) { id } }`);
    const atHead = statements.find((sql) => sql.includes(`"Task"`))!;
    assert.match(atHead, /__block_to IS NULL/);
    assert.doesNotMatch(atHead, /__block_from <=/);
    const head = (await execute(`{ _meta { block { number } } }`))._meta as unknown as { block: { number: number } };
    statements = [];
    await execute(`{ tasks(first: 5, block: { number: ${head.block.number - 1} }) { id } }`);
    const below = statements.find((sql) => sql.includes(`"Task"`))!;
    assert.match(below, /__block_from <= \$\d+::int4 AND \(\w+\.__block_to IS NULL OR/);
  });
});
