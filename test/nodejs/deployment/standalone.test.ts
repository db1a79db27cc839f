// The graph node (`npm run indexer`) and the API (`npm run api`) each run on their own, as an operator runs them next to
// a public chain: separate processes, configured by environment variables only, pointed at a chain's RPC endpoint, a
// deployment record, a GraphQL endpoint and PostgreSQL (one database each, made for this test and dropped after). A
// task posted through the API must come back through the API and through GraphQL, from rows in those databases.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import pg from "pg";
import { createPublicClient, createWalletClient, http, type Hash, type PublicClient } from "viem";

import type { PreparedTransaction } from "../../../api/src/schemas.ts";
import { deployProtocol } from "../../../scripts/deploy-protocol.ts";
import { writeDeployment, type Deployment } from "../../../scripts/deployment.ts";
import { startLocalChain, type LocalChain } from "../../../scripts/local-chain.ts";
import { TASK_DOCUMENT_VERSION, type TaskDocument } from "../../../src/documents/index.ts";
import { devAccount } from "../api/helpers/stack.ts";
import { createdTaskId } from "../api/helpers/writes.ts";
import { runNpmScript, type RunningScript } from "./helpers/npm-script.ts";

const POSTGRES = "postgres://postgres@127.0.0.1:5432";
const DAY = 24 * 60 * 60;
const START_TIMEOUT_MS = 180_000;
const INDEXED_TIMEOUT_MS = 60_000;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${POSTGRES}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function queryDatabase<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

describe("the graph node and the API run on their own, configured by environment variables", () => {
  const suffix = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const graphDatabase = `taskmarket_standalone_graph_${suffix}`;
  const apiDatabase = `taskmarket_standalone_api_${suffix}`;
  const directory = mkdtempSync(join(tmpdir(), "taskmarket-standalone-"));
  const recordPath = join(directory, "external.json");
  const poster = devAccount(2);
  const databasesCreated: string[] = [];
  let chain: LocalChain;
  let client: PublicClient;
  let deployment: Deployment;
  let indexer: RunningScript | undefined;
  let api: RunningScript | undefined;
  let graphqlUrl: string;
  let apiUrl: string;

  async function graphql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await fetch(graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    return body.data!;
  }

  async function waitUntilIndexed(blockNumber: bigint): Promise<void> {
    const deadline = Date.now() + INDEXED_TIMEOUT_MS;
    for (;;) {
      const { _meta } = await graphql<{ _meta: { block: { number: number } } }>("{ _meta { block { number } } }");
      if (BigInt(_meta.block.number) >= blockNumber) return;
      if (Date.now() > deadline) throw new Error(`The graph node did not reach block ${blockNumber}.`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  before(async () => {
    chain = await startLocalChain();
    client = createPublicClient({ transport: http(chain.rpcUrl) });
    // The record of a chain that is not `npm start`'s: written where the parts are told to look, nowhere else.
    deployment = await deployProtocol(chain.rpcUrl, { network: "external" });
    writeDeployment(deployment, recordPath);
    for (const database of [graphDatabase, apiDatabase]) {
      await admin(`CREATE DATABASE ${database}`);
      databasesCreated.push(database);
    }

    indexer = runNpmScript("indexer", [], {
      TASKMARKET_RPC_URL: chain.rpcUrl,
      TASKMARKET_DEPLOYMENT: recordPath,
      DATABASE_URL: `${POSTGRES}/${graphDatabase}`,
      GRAPH_NODE_HOST: "127.0.0.1",
      GRAPH_NODE_PORT: "0",
    });
    graphqlUrl = (await indexer.waitFor(/Graph node serving (\S+)/, START_TIMEOUT_MS))[1]!;

    api = runNpmScript("api", [], {
      SUBGRAPH_URL: graphqlUrl,
      TASKMARKET_DEPLOYMENT: recordPath,
      TASKMARKET_RPC_URL: chain.rpcUrl,
      DATABASE_URL: `${POSTGRES}/${apiDatabase}`,
      API_HOST: "127.0.0.1",
      API_PORT: "0",
    });
    apiUrl = (await api.waitFor(/TaskMarket API listening on (\S+)/, START_TIMEOUT_MS))[1]!;
  });

  after(async () => {
    await api?.stop();
    await indexer?.stop();
    await chain?.stop();
    for (const database of databasesCreated) await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    rmSync(directory, { recursive: true, force: true });
  });

  it("the API is ready: PostgreSQL, the chain and the graph node all answer", async () => {
    const response = await fetch(`${apiUrl}/ready`);
    const body = (await response.json()) as { ready: boolean; checks: Record<string, { ok: boolean; detail: string }> };
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.equal(body.checks.database!.detail, "postgres");
    assert.match(body.checks.chain!.detail, new RegExp(`on chain ${chain.chainId}$`));
  });

  it("posts a task through the API and reads it back through the API and GraphQL", async () => {
    const now = Number((await client.getBlock()).timestamp);
    const document: TaskDocument = {
      version: TASK_DOCUMENT_VERSION,
      objective: "Summarise the attached incident report in five bullet points for the operations team.",
      input_constraints: { schema: { type: "object", properties: { report: { type: "string" } } } },
      execution_requirements: {
        executor_kind: "any",
        max_duration_seconds: DAY,
        claim_deadline: new Date((now + 7 * DAY) * 1000).toISOString().replace(".000Z", "Z"),
        required_capabilities: ["skill:summarisation"],
      },
      verification_criteria: { method: "review" },
      compensation: { token: "ETH", reward: "200000000000000000", claim_bond: "0" },
      dependencies: [],
      metadata: { category: "writing", tags: ["summary"] },
    };
    const posted = await fetch(`${apiUrl}/tasks`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ document, terms: { poster: poster.address, reviewWindow: DAY } }),
    });
    const creation = (await posted.json()) as { documentHash: string; transactions: PreparedTransaction[] };
    assert.equal(posted.status, 201, JSON.stringify(creation));

    const wallet = createWalletClient({ account: poster, transport: http(chain.rpcUrl) });
    let hash: Hash | undefined;
    for (const transaction of creation.transactions) {
      hash = await wallet.sendTransaction({
        chain: null,
        to: transaction.to,
        data: transaction.data,
        value: BigInt(transaction.value),
      });
      const receipt = await client.waitForTransactionReceipt({ hash });
      assert.equal(receipt.status, "success", transaction.description);
    }
    const receipt = await client.getTransactionReceipt({ hash: hash! });
    const taskId = createdTaskId(receipt);
    await waitUntilIndexed(receipt.blockNumber);

    const { task } = await graphql<{
      task: { status: string; reward: string; poster: { id: string }; documentHash: string };
    }>("query ($id: ID!) { task(id: $id) { status reward poster { id } documentHash } }", { id: taskId.toString() });
    assert.deepEqual(task, {
      status: "Posted",
      reward: "200000000000000000",
      poster: { id: poster.address.toLowerCase() },
      documentHash: creation.documentHash,
    });

    const read = await fetch(`${apiUrl}/tasks/${taskId}`);
    const body = (await read.json()) as {
      document: TaskDocument | null;
      chain: { status: string };
      indexed: { status: string } | null;
    };
    assert.equal(read.status, 200, JSON.stringify(body));
    assert.equal(body.document?.objective, document.objective);
    assert.equal(body.chain.status, "Posted");
    assert.equal(body.indexed?.status, "Posted");

    // Each part kept what it stores in its own database.
    const indexedRows = await queryDatabase(
      `${POSTGRES}/${graphDatabase}`,
      'SELECT id FROM subgraph_taskmarket."Task" WHERE id = $1',
      [taskId.toString()],
    );
    assert.equal(indexedRows.length, 1, "the graph node's PostgreSQL holds the task");
    const documentRows = await queryDatabase(
      `${POSTGRES}/${apiDatabase}`,
      "SELECT objective FROM (SELECT document->>'objective' AS objective, hash FROM taskmarket_api.documents) d WHERE hash = $1",
      [creation.documentHash],
    );
    assert.deepEqual(documentRows, [{ objective: document.objective }], "the API's PostgreSQL holds the document");
  });

  it("each part stops on SIGTERM, sent to its own PID, with exit code 0", async () => {
    const apiExit = await api!.stop();
    assert.deepEqual(apiExit, { code: 0, signal: null }, api!.output());
    const indexerExit = await indexer!.stop();
    assert.deepEqual(indexerExit, { code: 0, signal: null }, indexer!.output());
  });
});
