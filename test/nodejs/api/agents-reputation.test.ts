// The Agent and Reputation read routes against a real stack: executors of both kinds with settled, held, lapsed and
// gated work, an operator, an inactive executor, and accounts the protocol never saw. `GET /agents/{id}`,
// `GET /agents/{id}/tasks` (held, and the open tasks an executor qualifies for), `GET /reputation/{id}`, its history
// and the leaderboard, with their 400 and 404 paths.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { ExecutorKind } from "../../../src/protocol/terms.ts";
import { startStack, type Stack } from "./helpers/stack.ts";
import {
  DAY,
  addressOf,
  capabilityId,
  claimTask,
  completeTask,
  gatedClaimOptions,
  increaseTime,
  postTask,
  publishGateConfig,
  rateParty,
  registerExecutor,
  setExecutorActive,
  type GateConfig,
  type SeededTask,
  type Signer,
} from "./helpers/seed.ts";

const LAPSER = 8;
const SECOND = 9;
const INACTIVE = 10;
const NEVER_SEEN = 15;

function gate(minCompleted: number): GateConfig {
  return { requirements: { minCompleted, maxDisputesLostBps: 10_000, dependencies: [] } };
}

describe("Agent and Reputation reads", () => {
  let stack: Stack;
  const tasks: Record<string, SeededTask> = {};

  async function get(path: string) {
    const response = await stack.request("GET", path);
    return { status: response.status, body: (await response.json()) as any };
  }
  const address = (signer: Signer) => addressOf(stack, signer);
  const itemIds = (body: any) => body.items.map((item: any) => item.task.id);
  const idsOf = (...names: string[]) => names.map((name) => tasks[name]!.id);

  before(async () => {
    stack = await startStack();
    await registerExecutor(stack, "human", {
      kind: ExecutorKind.Human,
      capabilities: ["skill:translation/de-en", "lang:de"],
      metadataURI: "ipfs://human-profile",
    });
    await registerExecutor(stack, "agent", {
      kind: ExecutorKind.Agent,
      capabilities: ["lang:solidity"],
      operator: address("operator"),
    });
    await registerExecutor(stack, LAPSER, { kind: ExecutorKind.Human });
    await registerExecutor(stack, SECOND, { kind: ExecutorKind.Human });
    await registerExecutor(stack, INACTIVE, { kind: ExecutorKind.Human });
    await setExecutorActive(stack, INACTIVE, false);

    tasks.settled = await postTask(stack, { capabilities: ["skill:translation/de-en"] });
    await completeTask(stack, tasks.settled, "human");
    await rateParty(stack, tasks.settled, "poster", 5);
    await rateParty(stack, tasks.settled, "human", 4);
    tasks.held = await postTask(stack, {});
    await claimTask(stack, tasks.held, "human");
    tasks.forHumans = await postTask(stack, { executorKind: ExecutorKind.Human, capabilities: ["lang:de"] });
    tasks.forAgents = await postTask(stack, { executorKind: ExecutorKind.Agent, capabilities: ["lang:solidity"] });
    tasks.missingCapability = await postTask(stack, { capabilities: ["skill:translation/de-en", "lang:fr"] });
    const oneCompleted = gate(1);
    tasks.gatedOne = await postTask(stack, { options: await gatedClaimOptions(stack, oneCompleted) });
    await publishGateConfig(stack, tasks.gatedOne, oneCompleted);
    const fiveCompleted = gate(5);
    tasks.gatedFive = await postTask(stack, { options: await gatedClaimOptions(stack, fiveCompleted) });
    await publishGateConfig(stack, tasks.gatedFive, fiveCompleted);
    tasks.gatedUnpublished = await postTask(stack, { options: await gatedClaimOptions(stack, gate(0)) });
    tasks.byOperator = await postTask(stack, {
      poster: "operator",
      executorKind: ExecutorKind.Agent,
      capabilities: ["lang:solidity"],
    });
    tasks.byHuman = await postTask(stack, { poster: "human" });
    tasks.expiring = await postTask(stack, { claimPeriod: 300 });
    tasks.lapsing = await postTask(stack, { executionWindow: 60, claimPeriod: 2 * DAY });
    await claimTask(stack, tasks.lapsing, LAPSER);
    tasks.open = await postTask(stack, {});
    await increaseTime(stack, 600);
    // The second claim clears the lapsed first one: the lapse enters the first executor's record and score.
    await stack.indexed(await claimTask(stack, tasks.lapsing, SECOND));
  });

  after(async () => {
    await stack?.stop();
  });

  describe("GET /agents/{id}", () => {
    it("answers a human executor's registration, records, reputation and figures per token", async () => {
      const { status, body } = await get(`/agents/${address("human").toLowerCase()}`);
      assert.equal(status, 200);
      assert.equal(body.id, address("human"));
      assert.deepEqual(body.executor, {
        kind: "Human",
        operator: null,
        capabilities: [capabilityId("skill:translation/de-en"), capabilityId("lang:de")],
        metadataURI: "ipfs://human-profile",
        active: true,
        registeredAt: body.executor.registeredAt,
        registeredAtBlock: body.executor.registeredAtBlock,
        profileUpdatedAt: body.executor.profileUpdatedAt,
      });
      assert.ok(body.executor.registeredAt > 0);
      assert.deepEqual(body.executorRecord, {
        completed: 1,
        expired: 0,
        rejected: 0,
        disputesWon: 0,
        disputesLost: 0,
        ratingSum: 5,
        ratingCount: 1,
      });
      assert.equal(body.posterRecord.posted, 1);
      assert.equal(body.posterRecord.ratingSum, 0);
      assert.ok(body.reputation.scoreBps > 5_000);
      assert.equal(body.reputation.executorRating, "5");
      assert.equal(body.reputation.outcomes, 1);
      assert.equal(body.activity.tasksClaimed, 2);
      assert.equal(body.activity.submissionCount, 1);
      const eth = body.tokens.find((entry: any) => entry.token === "0x0000000000000000000000000000000000000000");
      const { reward, feeBps } = tasks.settled!.terms;
      assert.equal(eth.earned, (reward - (reward * BigInt(feeBps)) / 10_000n).toString());
      assert.ok(body.block.indexed.number > 0);
    });

    it("answers an agent with its operator, and the operator (never registered) with the agents it operates", async () => {
      const agent = await get(`/agents/${address("agent")}`);
      assert.equal(agent.status, 200);
      assert.equal(agent.body.executor.kind, "Agent");
      assert.equal(agent.body.executor.operator, address("operator"));
      assert.deepEqual(agent.body.executor.capabilities, [capabilityId("lang:solidity")]);
      assert.equal(agent.body.reputation.scoreBps, 5_000);

      const operator = await get(`/agents/${address("operator")}`);
      assert.equal(operator.status, 200);
      assert.equal(operator.body.executor, null);
      assert.deepEqual(operator.body.agents, [address("agent")]);
      assert.equal(operator.body.posterRecord.posted, 1);
    });

    it("says when an executor is inactive", async () => {
      const { status, body } = await get(`/agents/${address(INACTIVE)}`);
      assert.equal(status, 200);
      assert.equal(body.executor.active, false);
    });

    it("is 404 for an address the protocol never saw and 400 for one that is not an address", async () => {
      const unseen = await get(`/agents/${address(NEVER_SEEN)}`);
      assert.equal(unseen.status, 404);
      assert.equal(unseen.body.code, "not_found");
      for (const id of ["0x1234", "alice", "0xZZ9fd9bF35D2d7A2a0bD1d7D0e2d2a9cbd6a3f3f", `${address("human")}00`]) {
        const { status, body } = await get(`/agents/${id}`);
        assert.equal(status, 400, id);
        assert.equal(body.errors[0].path, "param.id");
      }
    });
  });

  describe("GET /agents/{id}/tasks", () => {
    it("lists the tasks an executor holds or held, newest first, with its claims", async () => {
      const { status, body } = await get(`/agents/${address("human")}/tasks`);
      assert.equal(status, 200);
      assert.equal(body.executor, address("human"));
      assert.equal(body.eligible, false);
      assert.equal(body.ineligibleReason, null);
      assert.deepEqual(itemIds(body), idsOf("held", "settled"));
      const [held, settled] = body.items;
      assert.equal(held.task.status, "Claimed");
      assert.equal(held.holding, true);
      assert.equal(held.claims.length, 1);
      assert.equal(held.claims[0].number, 1);
      assert.equal(held.claims[0].lapsed, false);
      assert.equal(held.claims[0].bond, tasks.held!.terms.claimBond.toString());
      assert.equal(settled.task.status, "Settled");
      assert.equal(settled.holding, false);
      assert.equal(settled.claims[0].endStatus, "Settled");
      assert.equal(settled.document.documentHash, tasks.settled!.commitment.documentHash);
      assert.equal(body.hasMore, false);
    });

    it("shows a lapsed claim to the executor that lost it and the new claim to the one that holds it", async () => {
      const lapser = await get(`/agents/${address(LAPSER)}/tasks`);
      assert.deepEqual(itemIds(lapser.body), idsOf("lapsing"));
      assert.equal(lapser.body.items[0].holding, false);
      assert.deepEqual(
        lapser.body.items[0].claims.map((claim: any) => [claim.number, claim.lapsed]),
        [[1, true]],
      );
      const second = await get(`/agents/${address(SECOND)}/tasks`);
      assert.deepEqual(itemIds(second.body), idsOf("lapsing"));
      assert.equal(second.body.items[0].holding, true);
      assert.deepEqual(
        second.body.items[0].claims.map((claim: any) => [claim.number, claim.lapsed]),
        [[2, false]],
      );
    });

    it("filters held tasks by state and pages them", async () => {
      assert.deepEqual(itemIds((await get(`/agents/${address("human")}/tasks?state=claimed`)).body), idsOf("held"));
      assert.deepEqual(itemIds((await get(`/agents/${address("human")}/tasks?state=Settled`)).body), idsOf("settled"));
      assert.deepEqual(itemIds((await get(`/agents/${address("human")}/tasks?state=Posted,Expired`)).body), []);
      const first = await get(`/agents/${address("human")}/tasks?first=1`);
      assert.deepEqual(itemIds(first.body), idsOf("held"));
      assert.equal(first.body.hasMore, true);
      const second = await get(`/agents/${address("human")}/tasks?first=1&skip=1`);
      assert.deepEqual(itemIds(second.body), idsOf("settled"));
      assert.equal(second.body.hasMore, false);
      assert.deepEqual(itemIds((await get(`/agents/${address("poster")}/tasks`)).body), []);
    });

    it("lists the open tasks an executor qualifies for: kind, capabilities, parties, gates and deadlines", async () => {
      const human = await get(`/agents/${address("human")}/tasks?eligible=true`);
      assert.equal(human.status, 200);
      assert.equal(human.body.eligible, true);
      assert.equal(human.body.ineligibleReason, null);
      // Not: its own task, one needing lang:fr, agent tasks, gates it fails or cannot be judged, expired or taken.
      assert.deepEqual(itemIds(human.body), idsOf("open", "gatedOne", "forHumans"));
      assert.ok(human.body.items.every((item: any) => item.task.status === "Posted" && item.holding === false));

      const agent = await get(`/agents/${address("agent")}/tasks?eligible=true`);
      // Not: the task its operator posted, the gate of one completed task, tasks for humans.
      assert.deepEqual(itemIds(agent.body), idsOf("open", "byHuman", "forAgents"));

      const lapser = await get(`/agents/${address(LAPSER)}/tasks?eligible=true`);
      assert.deepEqual(itemIds(lapser.body), idsOf("open", "byHuman"));
    });

    it("pages the qualifying tasks", async () => {
      const first = await get(`/agents/${address("human")}/tasks?eligible=true&first=2`);
      assert.deepEqual(itemIds(first.body), idsOf("open", "gatedOne"));
      assert.equal(first.body.hasMore, true);
      const second = await get(`/agents/${address("human")}/tasks?eligible=true&first=2&skip=2`);
      assert.deepEqual(itemIds(second.body), idsOf("forHumans"));
      assert.equal(second.body.hasMore, false);
    });

    it("says why an account qualifies for nothing: not registered, or inactive", async () => {
      const poster = await get(`/agents/${address("poster")}/tasks?eligible=true`);
      assert.equal(poster.status, 200);
      assert.equal(poster.body.ineligibleReason, "NotRegistered");
      assert.deepEqual(poster.body.items, []);
      const inactive = await get(`/agents/${address(INACTIVE)}/tasks?eligible=true`);
      assert.equal(inactive.body.ineligibleReason, "Inactive");
      assert.deepEqual(inactive.body.items, []);
    });

    it("is 404 for an unseen account and 400 for bad parameters", async () => {
      assert.equal((await get(`/agents/${address(NEVER_SEEN)}/tasks`)).status, 404);
      assert.equal((await get(`/agents/${address(NEVER_SEEN)}/tasks?eligible=true`)).status, 404);
      for (const query of [
        "eligible=yes",
        "eligible=true&state=Posted",
        "state=Bogus",
        "first=0",
        "skip=x",
        "mine=1",
      ]) {
        const { status, body } = await get(`/agents/${address("human")}/tasks?${query}`);
        assert.equal(status, 400, query);
        assert.equal(body.code, "invalid_request");
      }
      assert.equal((await get("/agents/not-an-address/tasks")).status, 400);
    });
  });

  describe("GET /reputation/{id}", () => {
    it("gives the score with the weights it is computed from, as executor and as poster", async () => {
      const { status, body } = await get(`/reputation/${address("human")}`);
      assert.equal(status, 200);
      assert.equal(body.account, address("human"));
      const { asExecutor, formula } = body;
      assert.equal(asExecutor.registered, true);
      assert.equal(asExecutor.kind, "Human");
      const S = BigInt(asExecutor.inputs.successWeight);
      const F = BigInt(asExecutor.inputs.failureWeight);
      const P = BigInt(asExecutor.inputs.penaltyWeight);
      const prior = BigInt(formula.priorWeight);
      const expectedBps = ((S + (prior * BigInt(formula.priorMeanBps)) / 10_000n) * 10_000n) / (S + F + P + prior);
      assert.equal(asExecutor.scoreBps, Number(expectedBps));
      assert.ok(asExecutor.scoreBps > 5_000);
      assert.equal(Number(asExecutor.score), asExecutor.scoreBps / 10_000);
      assert.equal(asExecutor.inputs.outcomes, 1);
      assert.deepEqual(asExecutor.rating, { average: "5", count: 1, sum: 5 });
      assert.equal(asExecutor.record.completed, 1);
      assert.equal(body.asPoster.record.posted, 1);
      assert.deepEqual(body.asPoster.rating, { average: null, count: 0, sum: 0 });

      const poster = await get(`/reputation/${address("poster")}`);
      assert.equal(poster.body.asExecutor.registered, false);
      assert.equal(poster.body.asExecutor.scoreBps, 5_000);
      assert.deepEqual(poster.body.asPoster.rating, { average: "4", count: 1, sum: 4 });
      assert.equal(poster.body.asPoster.record.settled, 1);
    });

    it("counts a lapsed claim against the executor", async () => {
      const { body } = await get(`/reputation/${address(LAPSER)}`);
      assert.ok(body.asExecutor.scoreBps < 5_000);
      assert.ok(BigInt(body.asExecutor.inputs.failureWeight) > 0n);
      assert.equal(body.asExecutor.record.expired, 1);
    });

    it("is 404 for an unseen account and 400 for a bad address", async () => {
      assert.equal((await get(`/reputation/${address(NEVER_SEEN)}`)).status, 404);
      assert.equal((await get("/reputation/0xabc")).status, 400);
    });
  });

  describe("GET /reputation/{id}/history", () => {
    it("lists the account's reputation events newest first, with the score before and after", async () => {
      const { status, body } = await get(`/reputation/${address("human")}/history`);
      assert.equal(status, 200);
      assert.equal(body.account, address("human"));
      const kinds = body.items.map((event: any) => event.kind);
      assert.deepEqual(kinds, ["TaskPosted", "RatedAsExecutor", "Completed"]);
      const ids = body.items.map((event: any) => BigInt(event.id));
      assert.ok(ids.every((id: bigint, index: number) => index === 0 || ids[index - 1] > id));
      const completed = body.items[2];
      assert.equal(completed.task, tasks.settled!.id);
      assert.equal(completed.value, 10_000);
      assert.equal(completed.scoreBpsBefore, 5_000);
      assert.ok(completed.scoreBpsAfter > 5_000);
      assert.equal(body.items[1].value, 5);
      assert.equal(body.hasMore, false);
    });

    it("filters by kind and pages", async () => {
      const completed = await get(`/reputation/${address("human")}/history?kind=completed`);
      assert.deepEqual(
        completed.body.items.map((event: any) => event.kind),
        ["Completed"],
      );
      const two = await get(`/reputation/${address("human")}/history?kind=Completed,RatedAsExecutor&first=1`);
      assert.deepEqual(
        two.body.items.map((event: any) => event.kind),
        ["RatedAsExecutor"],
      );
      assert.equal(two.body.hasMore, true);
      const next = await get(
        `/reputation/${address("human")}/history?kind=Completed&kind=RatedAsExecutor&first=1&skip=1`,
      );
      assert.deepEqual(
        next.body.items.map((event: any) => event.kind),
        ["Completed"],
      );
      const lapser = await get(`/reputation/${address(LAPSER)}/history`);
      assert.deepEqual(
        lapser.body.items.map((event: any) => [event.kind, event.task]),
        [["ClaimExpired", tasks.lapsing!.id]],
      );
    });

    it("is 404 for an unseen account and 400 for a bad kind", async () => {
      assert.equal((await get(`/reputation/${address(NEVER_SEEN)}/history`)).status, 404);
      const bad = await get(`/reputation/${address("human")}/history?kind=Bogus`);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].path, "query.kind.0");
    });
  });

  describe("GET /reputation/leaderboard", () => {
    it("ranks executors by score, highest first", async () => {
      const { status, body } = await get("/reputation/leaderboard");
      assert.equal(status, 200);
      assert.equal(body.role, "executor");
      const accounts = body.items.map((entry: any) => entry.account);
      assert.deepEqual(
        new Set(accounts),
        new Set([address("human"), address("agent"), address(LAPSER), address(SECOND), address(INACTIVE)]),
      );
      assert.equal(accounts[0], address("human"));
      assert.equal(accounts.at(-1), address(LAPSER));
      const scores = body.items.map((entry: any) => entry.reputation.scoreBps);
      assert.ok(scores.every((score: number, index: number) => index === 0 || scores[index - 1] >= score));
      assert.deepEqual(
        body.items.map((entry: any) => entry.rank),
        [1, 2, 3, 4, 5],
      );
      assert.equal(body.items[0].executorKind, "Human");
      assert.equal(body.items[0].executorRecord.completed, 1);
    });

    it("filters by kind and pages", async () => {
      const agents = await get("/reputation/leaderboard?kind=agent");
      assert.deepEqual(
        agents.body.items.map((entry: any) => entry.account),
        [address("agent")],
      );
      const page = await get("/reputation/leaderboard?first=2&skip=1");
      assert.deepEqual(
        page.body.items.map((entry: any) => entry.rank),
        [2, 3],
      );
      assert.equal(page.body.hasMore, true);
      const whole = await get("/reputation/leaderboard");
      assert.deepEqual(
        page.body.items.map((entry: any) => entry.account),
        whole.body.items.slice(1, 3).map((entry: any) => entry.account),
      );
    });

    it("ranks posters by settled tasks", async () => {
      const { status, body } = await get("/reputation/leaderboard?role=poster");
      assert.equal(status, 200);
      assert.equal(body.role, "poster");
      assert.equal(body.items[0].account, address("poster"));
      assert.equal(body.items[0].posterRecord.settled, 1);
      assert.deepEqual(
        new Set(body.items.map((entry: any) => entry.account)),
        new Set([address("poster"), address("operator"), address("human")]),
      );
    });

    it("is 400 for bad parameters", async () => {
      for (const query of ["role=judge", "kind=robot", "role=poster&kind=agent", "first=1000", "limit=5"]) {
        const { status, body } = await get(`/reputation/leaderboard?${query}`);
        assert.equal(status, 400, query);
        assert.equal(body.code, "invalid_request");
      }
    });
  });
});
