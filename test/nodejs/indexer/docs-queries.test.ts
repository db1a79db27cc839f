/**
 * The query examples of docs/subgraph.md, run as written: every ```graphql block of the page is sent to the embedded
 * graph node while it indexes a real local chain on which the reconciliation scenario has driven every lifecycle path
 * (tasks in every state, disputes and rulings, auctions, subtasks and dependencies). Each query must answer without
 * errors, and every top-level field it asks for must hold data, so that an example that no longer matches the schema,
 * the query dialect or the indexed data fails here instead of misleading a reader.
 *
 * The examples take their ids from variables; this test finds values for them in the indexed data with its own
 * queries. A new example with a variable this test does not know fails with a message naming it.
 *
 * Needs the contracts compiled (the test runner builds them) and the subgraph built: `npm run indexer:build`.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { Kind, parse, type OperationDefinitionNode } from "graphql";
import hre, { network } from "hardhat";
import { zeroAddress } from "viem";

import { startGraphNode, type GraphNode } from "../../../indexer/node/index.ts";
import { deployProtocol } from "../../../scripts/deploy-protocol.js";
import { startLocalChain, type LocalChain } from "../../../scripts/local-chain.js";
import { runScenario } from "./scenario/index.js";
import { CAPABILITY_SOLIDITY, TREASURY } from "./scenario/scenario.js";
import { ARBITRATION_FEE } from "./scenario/verification.js";

const DAY = 24 * 3600;
const ROOT = hre.config.paths.root;
const MANIFEST = join(ROOT, "indexer", "build", "subgraph.yaml");
const DOCS_PAGE = join(ROOT, "docs", "subgraph.md");
/** Generous: running and indexing the scenario takes minutes on a busy machine. */
const INDEXING_TIMEOUT_MS = 240_000;
/** The most rows a page may hold in The Graph's dialect, and the page size of the pagination example. */
const PAGE_SIZE = 1_000;
const SMALL_PAGE_SIZE = 50;

interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string }[];
}

interface DocsQuery {
  /** The operation's name: examples are named so that their variables can be found. */
  name: string;
  text: string;
  variables: string[];
  /** The line of docs/subgraph.md the block starts on, for messages. */
  line: number;
}

/** Every ```graphql block of the page, parsed: a block that is not valid GraphQL fails here. */
function docsQueries(markdown: string): DocsQuery[] {
  const queries: DocsQuery[] = [];
  for (const match of markdown.matchAll(/^```graphql\n([\s\S]*?)^```$/gm)) {
    const text = match[1]!;
    const line = markdown.slice(0, match.index).split("\n").length;
    const document = parse(text);
    const operations = document.definitions.filter(
      (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
    );
    assert.equal(operations.length, 1, `docs/subgraph.md:${line}: a block holds exactly one query`);
    const [operation] = operations;
    assert.ok(operation!.name, `docs/subgraph.md:${line}: the query is named`);
    queries.push({
      name: operation!.name.value,
      text,
      variables: (operation!.variableDefinitions ?? []).map((definition) => definition.variable.name.value),
      line,
    });
  }
  return queries;
}

/** A field value that holds no data: null, or an empty list. */
function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

describe("docs/subgraph.md query examples", () => {
  const queries = docsQueries(readFileSync(DOCS_PAGE, "utf8"));
  let chain: LocalChain | undefined;
  let graphNode: GraphNode | undefined;
  let closeConnection: (() => Promise<void>) | undefined;
  /** The values the examples' variables take, by operation name. */
  let variablesOf: Record<string, Record<string, unknown>> = {};
  /** The chain's time when the scenario ended, Unix seconds. */
  let chainNow = 0n;

  async function ask(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLAnswer> {
    const response = await fetch(graphNode!.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables }),
    });
    assert.equal(response.status, 200, `the graph node answered HTTP ${response.status}`);
    return (await response.json()) as GraphQLAnswer;
  }

  /** A query of this test's own, to find values for the examples' variables: it must answer with data. */
  async function find<T>(query: string): Promise<T> {
    const answer = await ask(query);
    assert.equal(answer.errors, undefined, `${query}\n${JSON.stringify(answer.errors)}`);
    return answer.data as T;
  }

  before(async () => {
    if (!existsSync(MANIFEST)) {
      throw new Error(`No built subgraph at ${MANIFEST}: run \`npm run indexer:build\` first.`);
    }
    chain = await startLocalChain();
    // The scenario's amounts assume these parameters, as in the reconciliation test.
    const deployment = await deployProtocol(chain.rpcUrl, {
      parameters: { feeBps: 250, feeRecipient: TREASURY, arbitrationFee: ARBITRATION_FEE, votingPeriod: 2 * DAY },
    });
    const connection = await network.create({ network: "localhost", override: { url: chain.rpcUrl } });
    closeConnection = () => connection.close();
    const result = await runScenario(connection, deployment);
    const publicClient = await connection.viem.getPublicClient();
    chainNow = (await publicClient.getBlock({ blockNumber: result.endBlock })).timestamp;

    graphNode = await startGraphNode({
      manifest: MANIFEST,
      deployment,
      rpcUrl: chain.rpcUrl,
      database: {},
      port: 0,
      logger: () => undefined,
    });
    await graphNode.waitForBlock(Number(result.endBlock), INDEXING_TIMEOUT_MS);
    assert.equal(graphNode.status().failed, false, `the graph node failed: ${JSON.stringify(graphNode.status())}`);

    // Values an explorer would have at hand: a settled task that went through a dispute, its executor, an auction
    // with several bids, a coordinator's task with subtasks.
    const { disputed } = await find<{ disputed: { id: string; createdAtBlock: string }[] }>(
      `{ disputed: tasks(first: 1, orderBy: taskId, where: { disputeCount_gt: 0, status: Settled }) { id createdAtBlock } }`,
    );
    const { records } = await find<{ records: { id: string }[] }>(
      `{ records: executorRecords(first: 1, orderBy: completed, orderDirection: desc) { id } }`,
    );
    const { auctions } = await find<{ auctions: { id: string }[] }>(
      `{ auctions(first: 1, orderBy: bidCount, orderDirection: desc, where: { bidCount_gt: 1 }) { id } }`,
    );
    const { subtasks } = await find<{ subtasks: { parent: { id: string } }[] }>(
      `{ subtasks: tasks(first: 1, orderBy: taskId, where: { depth: 1 }) { parent { id } } }`,
    );
    for (const [what, found] of Object.entries({ disputed, records, auctions, subtasks })) {
      assert.ok(found.length > 0, `the scenario left no ${what} to query`);
    }

    variablesOf = {
      OpenTasks: {
        capability: CAPABILITY_SOLIDITY.toLowerCase(),
        token: zeroAddress,
        minReward: "1",
        now: chainNow.toString(),
      },
      TaskHistory: { id: disputed[0]!.id },
      ExecutorReputation: { account: records[0]!.id },
      Leaderboard: {},
      Disputes: {},
      AuctionBids: { task: auctions[0]!.id },
      TaskGraph: { id: subtasks[0]!.parent.id },
      TaskAtBlock: { id: disputed[0]!.id, block: Number(disputed[0]!.createdAtBlock) },
      PaymentsPage: { after: "0x" },
    };
  });

  after(async () => {
    await graphNode?.stop();
    await closeConnection?.();
    await chain?.stop();
  });

  it("the page holds the examples: open tasks, history, reputation, disputes, auctions, graphs, blocks, pages", () => {
    const names = queries.map((query) => query.name);
    assert.equal(new Set(names).size, names.length, `two examples share a name: ${names.join(", ")}`);
    for (const name of [
      "OpenTasks",
      "TaskHistory",
      "ExecutorReputation",
      "Disputes",
      "AuctionBids",
      "TaskGraph",
      "TaskAtBlock",
      "PaymentsPage",
    ]) {
      assert.ok(names.includes(name), `docs/subgraph.md has no \`query ${name}\``);
    }
  });

  it("every example answers without errors, with data in every field it asks for", async () => {
    for (const query of queries) {
      const where = `docs/subgraph.md:${query.line} (${query.name})`;
      const variables = variablesOf[query.name];
      assert.ok(variables, `${where}: this test has no variables for the query; add them to \`variablesOf\``);
      for (const variable of query.variables) {
        assert.ok(variable in variables, `${where}: this test has no value for $${variable}`);
      }
      const answer = await ask(query.text, variables);
      assert.equal(answer.errors, undefined, `${where} answered with errors: ${JSON.stringify(answer.errors)}`);
      assert.ok(answer.data, `${where} answered without data`);
      for (const [field, value] of Object.entries(answer.data)) {
        assert.ok(!isEmpty(value), `${where}: \`${field}\` holds no data`);
      }
    }
  });

  it("the open tasks are open at the chain's time, in the token, with the capability, largest reward first", async () => {
    const query = queries.find((candidate) => candidate.name === "OpenTasks")!;
    const answer = await ask(query.text, variablesOf.OpenTasks);
    const tasks = answer.data!.tasks as {
      id: string;
      reward: string;
      claimDeadline: string;
      capabilities: string[];
    }[];
    for (const task of tasks) {
      assert.ok(BigInt(task.claimDeadline) >= chainNow, `task ${task.id} is past its claim deadline`);
      assert.ok(task.capabilities.includes(CAPABILITY_SOLIDITY.toLowerCase()), `task ${task.id} lacks the capability`);
    }
    const rewards = tasks.map((task) => BigInt(task.reward));
    assert.deepEqual(
      rewards,
      [...rewards].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)),
      "largest reward first",
    );
  });

  it("a task read at its creation block is still Posted", async () => {
    const query = queries.find((candidate) => candidate.name === "TaskAtBlock")!;
    const answer = await ask(query.text, variablesOf.TaskAtBlock);
    const task = answer.data!.task as { status: string };
    const meta = answer.data!._meta as { block: { number: number } };
    assert.equal(task.status, "Posted");
    assert.equal(meta.block.number, variablesOf.TaskAtBlock!.block);
  });

  it("paging on id_gt reads every payment once, in chain order", async () => {
    const query = queries.find((candidate) => candidate.name === "PaymentsPage")!;
    // The scenario records a few hundred payments: pages smaller than the example's make the walk take several.
    const smallPages = query.text.replace(`first: ${PAGE_SIZE}`, `first: ${SMALL_PAGE_SIZE}`);
    assert.notEqual(smallPages, query.text, `the example asks for pages of ${PAGE_SIZE}`);
    const ids: string[] = [];
    let afterId = "0x";
    let pages = 0;
    for (;;) {
      const answer = await ask(smallPages, { after: afterId });
      assert.equal(answer.errors, undefined, JSON.stringify(answer.errors));
      const page = answer.data!.payments as { id: string }[];
      ids.push(...page.map((payment) => payment.id));
      pages += 1;
      if (page.length < SMALL_PAGE_SIZE) break;
      afterId = page[page.length - 1]!.id;
    }
    assert.ok(pages > 2, `the walk took ${pages} pages`);
    assert.ok(ids.length > 0, "the scenario recorded payments");
    assert.equal(new Set(ids).size, ids.length, "no payment is read twice");
    assert.deepEqual(ids, [...ids].sort(), "ids come in ascending order (chain order)");
    assert.equal(ids.length, await countPayments(), "every payment is read");
  });

  /** How many payments the indexer holds, counted without `id_gt`: per kind, by `skip` within its limit. */
  async function countPayments(): Promise<number> {
    const { kinds } = await find<{ kinds: { enumValues: { name: string }[] } }>(
      `{ kinds: __type(name: "PaymentKind") { enumValues { name } } }`,
    );
    let count = 0;
    for (const { name } of kinds.enumValues) {
      for (let skip = 0; ; skip += PAGE_SIZE) {
        const { page } = await find<{ page: { id: string }[] }>(
          `{ page: payments(first: ${PAGE_SIZE}, skip: ${skip}, where: { kind: ${name} }) { id } }`,
        );
        count += page.length;
        if (page.length < PAGE_SIZE) break;
      }
    }
    return count;
  }
});
