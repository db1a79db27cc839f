// The demo marketplace of `npm start -- --demo`, seeded on a whole stack served over HTTP (a local chain, the graph
// node indexing it, the API on 127.0.0.1): afterwards the API and GraphQL must show every task status at once, the two
// reverse auctions with their bids, the dispute before the panel arbitrator, and the task graph (subtasks and a chain
// of dependencies), and search must find the seeded documents.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { getAddress } from "viem";

import { capabilityId } from "../../../src/protocol/capabilities.ts";
import { EXISTING_TASK_STATUS_NAMES } from "../../../api/src/subgraph/task-status.ts";
import { DEMO_EXECUTORS, DEMO_OPERATORS } from "../../../scripts/demo/cast.ts";
import { seedDemoMarketplace, type DemoMarketplace } from "../../../scripts/demo/seed.ts";
import { demoSummary, readDemoStatuses } from "../../../scripts/demo/summary.ts";
import { devAccount, startStack, type Stack } from "../api/helpers/stack.ts";

let stack: Stack;
let marketplace: DemoMarketplace;
let apiUrl: string;
const progress: string[] = [];

async function getJson(path: string): Promise<any> {
  const response = await fetch(`${apiUrl}${path}`);
  const body = await response.json();
  assert.equal(response.status, 200, `${path}: ${JSON.stringify(body)}`);
  return body;
}

async function graphql(query: string): Promise<any> {
  const response = await fetch(stack.graphNode.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: unknown };
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

describe("the demo marketplace (npm start -- --demo)", () => {
  before(async () => {
    // The seeding sends a few hundred API requests from one address within a minute or two.
    stack = await startStack({ serve: true, config: { rateLimitPerMinute: 10_000 } });
    apiUrl = stack.server!.url;
    marketplace = await seedDemoMarketplace({
      apiUrl,
      rpcUrl: stack.chain.rpcUrl,
      deployment: stack.deployment,
      accountOf: devAccount,
      waitForIndexed: (blockNumber) => stack.indexed(blockNumber),
      log: (line) => progress.push(line),
    });
  });

  after(async () => {
    await stack?.stop();
  });

  it("reports its progress while it seeds", () => {
    assert.ok(progress.some((line) => line.startsWith("Registered agent ledger-lens")));
    assert.ok(progress.some((line) => line.includes("evm_increaseTime")));
    assert.ok(progress.filter((line) => line.startsWith("Task ")).length === marketplace.tasks.length);
  });

  it("leaves every seeded task in the state it meant, as the API reads it from the chain", async () => {
    const statuses = await readDemoStatuses(apiUrl, marketplace);
    for (const task of statuses) assert.equal(task.actual, task.expected, `task ${task.id}: ${task.title}`);
    const shown = new Set(statuses.map((task) => task.actual));
    assert.deepEqual(
      EXISTING_TASK_STATUS_NAMES.filter((status) => !shown.has(status)),
      [],
      "every status but None is shown",
    );
    const summary = demoSummary(marketplace, statuses, { api: apiUrl, graphql: stack.graphNode.graphqlUrl });
    assert.match(
      summary[1]!,
      /^Tasks by state: Posted \d+ · Claimed \d+ · InProgress \d+ · Submitted \d+ · Verified 1/,
    );
    assert.ok(!summary.some((line) => line.startsWith("Not in the state")), summary.join("\n"));
  });

  it("finds tasks in every state through the API's search, whose states come from the indexer", async () => {
    for (const state of EXISTING_TASK_STATUS_NAMES) {
      const result = await getJson(`/tasks/search?state=${state}&first=50`);
      const expected = marketplace.tasks.filter((task) => task.expected === state).map((task) => task.id.toString());
      assert.deepEqual(
        result.items.map((item: any) => item.task.id).sort(),
        expected.sort(),
        `the ${state} tasks in /tasks/search`,
      );
    }
  });

  it("stored each task's document, so that text search finds it", async () => {
    const invoices = marketplace.graph.dependencyChain[0]!.toString();
    const result = await getJson("/tasks/search?q=invoices");
    assert.ok(
      result.items.some((item: any) => item.task.id === invoices && item.document !== null),
      JSON.stringify(result.items.map((item: any) => item.task.id)),
    );
    for (const task of marketplace.tasks) {
      const read = await getJson(`/tasks/${task.id}`);
      assert.notEqual(read.document, null, `the document of task ${task.id}`);
    }
  });

  it("shows every stored status in GraphQL, and the Verified task as a submission whose review window is over", async () => {
    const data = await graphql(`
      {
        _meta {
          block {
            timestamp
          }
        }
        tasks(first: 100, orderBy: taskId) {
          id
          status
          reviewDeadline
          claimDeadline
        }
      }
    `);
    const byId = new Map<string, any>(data.tasks.map((task: any) => [task.id, task]));
    const stored = new Set(data.tasks.map((task: any) => task.status));
    for (const status of EXISTING_TASK_STATUS_NAMES.filter((status) => status !== "Verified")) {
      assert.ok(stored.has(status), `a task stored ${status} in GraphQL`);
    }
    const now = BigInt(data._meta.block.timestamp);
    const verified = marketplace.tasks.find((task) => task.expected === "Verified")!;
    const indexed = byId.get(verified.id.toString());
    assert.equal(indexed.status, "Submitted");
    assert.ok(BigInt(indexed.reviewDeadline) < now, "the review window ended before the indexed head");
    const unrefunded = marketplace.tasks.filter((task) => task.expected === "Expired");
    assert.ok(
      unrefunded.some((task) => {
        const record = byId.get(task.id.toString());
        return record.status === "Posted" && BigInt(record.claimDeadline) < now;
      }),
      "an expired task nobody refunded is stored Posted with its claim deadline passed",
    );
  });

  it("runs a reverse auction with bids, and another its poster awarded", async () => {
    const { open, awarded } = marketplace.auctions;
    const data = await graphql(`{
      open: auction(id: "${open}") { bidCount outcome bids { status price bidder { id } } task { assignmentMode } }
      awarded: auction(id: "${awarded}") { bidCount outcome automatic winner { id } task { status executor { id } } }
    }`);
    assert.equal(data.open.bidCount, 3);
    assert.equal(data.open.outcome, "None");
    assert.equal(data.open.task.assignmentMode, "ReverseAuction");
    assert.ok(data.open.bids.every((bid: any) => bid.status === "Placed" && BigInt(bid.price) > 0n));
    const lintwise = devAccount(DEMO_EXECUTORS.lintwise.accountIndex).address;
    assert.equal(data.awarded.bidCount, 3);
    assert.equal(data.awarded.outcome, "Awarded");
    assert.equal(data.awarded.automatic, false);
    assert.equal(getAddress(data.awarded.winner.id), lintwise);
    assert.equal(data.awarded.task.status, "Claimed");
    const read = await getJson(`/tasks/${awarded}`);
    assert.equal(read.status, "Claimed");
    assert.equal(read.chain.executor, lintwise);
  });

  it("holds a submission disputed before the panel arbitrator, with an arbiter's vote", async () => {
    const { taskId, arbitratorDisputeId } = marketplace.dispute;
    const data = await graphql(`{
      task(id: "${taskId}") {
        status verificationMethod
        currentDispute { phase arbitrator arbitratorDisputeId arbitratorDispute { voteCount solved panel { id } } }
      }
    }`);
    assert.equal(data.task.status, "Disputed");
    assert.equal(data.task.verificationMethod, "Optimistic");
    const dispute = data.task.currentDispute;
    assert.equal(dispute.phase, "Arbitrating");
    assert.equal(getAddress(dispute.arbitrator), stack.deployment.contracts.panelArbitrator.address);
    assert.equal(BigInt(dispute.arbitratorDisputeId), arbitratorDisputeId);
    assert.equal(dispute.arbitratorDispute.voteCount, 1);
    assert.equal(dispute.arbitratorDispute.solved, false);
    assert.equal((await getJson(`/tasks/${taskId}`)).status, "Disputed");
  });

  it("builds a task graph: a coordinator's subtasks and a chain of dependencies", async () => {
    const { parent, subtasks, dependencyChain } = marketplace.graph;
    const [first, second, third] = dependencyChain.map(String);
    const data = await graphql(`{
      parent: task(id: "${parent}") { status openSubtasks drawn subtasks(orderBy: taskId) { id status poster { id } } }
      memo: task(id: "${third}") { status dependencies(orderBy: index) { dependency { id } met } }
      reconciliation: task(id: "${second}") { status dependencies { dependency { id status } met } }
    }`);
    assert.equal(data.parent.status, "InProgress");
    assert.deepEqual(
      data.parent.subtasks.map((subtask: any) => subtask.id),
      subtasks.map(String),
    );
    assert.equal(data.parent.openSubtasks, 3);
    assert.ok(BigInt(data.parent.drawn) > 0n);
    const coordinator = devAccount(DEMO_EXECUTORS.coordinator.accountIndex).address;
    assert.ok(data.parent.subtasks.every((subtask: any) => getAddress(subtask.poster.id) === coordinator));
    assert.deepEqual(
      data.memo.dependencies.map((edge: any) => edge.dependency.id),
      [first, second],
    );
    assert.equal(data.reconciliation.status, "Claimed");
    assert.deepEqual(
      data.reconciliation.dependencies.map((edge: any) => [edge.dependency.id, edge.dependency.status, edge.met]),
      [[first, "Settled", true]],
    );
    const read = await getJson(`/tasks/${parent}`);
    assert.deepEqual(
      read.indexed.subtasks.map((subtask: any) => subtask.id),
      subtasks.map(String),
    );
  });

  it("registered people and agents with profiles and capabilities, and settled work shows in their reputation", async () => {
    assert.equal(marketplace.executors.length, Object.keys(DEMO_EXECUTORS).length);
    const ledgerLens = devAccount(DEMO_EXECUTORS.ledgerLens.accountIndex).address;
    const quill = devAccount(DEMO_OPERATORS.quill.accountIndex).address;
    const agent = await getJson(`/agents/${ledgerLens}`);
    assert.equal(agent.executor.kind.toLowerCase(), "agent");
    assert.equal(agent.executor.operator, quill);
    assert.ok(agent.executor.capabilities.includes(capabilityId("skill:ocr")));
    const profile = JSON.parse(decodeURIComponent(agent.executor.metadataURI.replace(/^data:application\/json,/, "")));
    assert.equal(profile.name, "ledger-lens");
    assert.equal(profile.operator, DEMO_OPERATORS.quill.name);
    assert.equal(agent.executorRecord.completed, 1);
    const operator = await getJson(`/agents/${quill}`);
    assert.ok(operator.agents.includes(ledgerLens));
    const person = await getJson(`/agents/${devAccount(DEMO_EXECUTORS.ana.accountIndex).address}`);
    assert.equal(person.executor.kind.toLowerCase(), "human");

    const leaderboard = await getJson("/reputation/leaderboard?first=50");
    const ranked = new Map(leaderboard.items.map((entry: any) => [entry.account, entry]));
    for (const executor of marketplace.executors) assert.ok(ranked.has(executor.address), executor.name);
    assert.equal((ranked.get(ledgerLens) as any).executorRecord.completed, 1);
  });
});
