// Journey 5, against the started stack: a task graph. A person posts a research task for an agent, reviewed by a
// human, with part of the reward open to subtasks. A coordinating agent claims it and splits the work: two parts for two
// agents, first come, and a merge step for a third agent that the GatedClaim gives out only once both parts are done.
// The coordinator reviews its subtasks, merges, and submits; the human approves; every task settles, and the escrow the
// poster paid ends with the coordinator, the three agents, the reviewer and the fee recipient.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { getAddress, parseEther, parseEventLogs, type Hex } from "viem";

import {
  TASK_DOCUMENT_VERSION,
  documentTimestamp,
  NO_OPTIONS,
  TaskMarketContractError,
  taskMarketAbi,
  type TaskAssignment,
  type TaskCreation,
  type TaskDocument,
  type TaskOptions,
  type TaskTerms,
} from "../../../sdk/src/index.ts";
import {
  Books,
  DAY,
  ETH,
  assertReputationAgrees,
  assertTaskAgrees,
  feeOf,
  startJourney,
  sweepFees,
  type Actor,
  type Journey,
} from "./journey.ts";

const PARENT_REWARD = parseEther("10");
const PARENT_BOND = parseEther("0.5");
const REVIEWER_FEE = parseEther("0.1");
const SUBTASK_BUDGET = parseEther("6");
const CAPABILITIES = ["skill:research"];
const PARTS: { worker: Actor; reward: bigint; objective: string }[] = [
  { worker: "agent", reward: parseEther("2"), objective: "Collect every public tender for school buses in 2025." },
  { worker: "secondAgent", reward: parseEther("1.5") + 1n, objective: "Collect the bus operators' fleet sizes." },
];
const MERGE = { worker: "thirdAgent" as const, reward: parseEther("1") + 3n };

function researchDocument(input: {
  objective: string;
  reward: bigint;
  claimDeadline: number;
  executionWindow: number;
  claimBond?: bigint;
  verifierFee?: bigint;
  requires?: bigint[];
}): TaskDocument {
  return {
    version: TASK_DOCUMENT_VERSION,
    objective: input.objective,
    input_constraints: { schema: { type: "object" } },
    execution_requirements: {
      executor_kind: "agent",
      max_duration_seconds: input.executionWindow,
      claim_deadline: documentTimestamp(input.claimDeadline),
      required_capabilities: CAPABILITIES,
    },
    verification_criteria: { method: "review" },
    compensation: {
      token: "ETH",
      reward: input.reward.toString(),
      ...(input.claimBond ? { claim_bond: input.claimBond.toString() } : {}),
      ...(input.verifierFee ? { verifier_fee: input.verifierFee.toString() } : {}),
    },
    dependencies: (input.requires ?? []).map((id) => ({ task_id: id.toString(), relation: "requires" as const })),
    metadata: { category: "research/market", tags: ["school-buses"] },
  };
}

/** The terms and options of `POST /tasks`'s answer, as the market takes them. */
function fromCreation(creation: TaskCreation): { terms: TaskTerms; options: TaskOptions; capabilities: Hex[] } {
  const terms = creation.terms;
  return {
    terms: {
      poster: getAddress(terms.poster),
      token: getAddress(terms.token),
      reward: BigInt(terms.reward),
      claimBond: BigInt(terms.claimBond),
      claimDeadline: terms.claimDeadline,
      executionWindow: terms.executionWindow,
      reviewWindow: terms.reviewWindow,
      feeBps: terms.feeBps,
      executorKind: terms.executorKind as TaskTerms["executorKind"],
      verifier: getAddress(terms.verifier),
      verifierFee: BigInt(terms.verifierFee),
      verifierConfigHash: terms.verifierConfigHash as Hex,
      capabilitiesHash: terms.capabilitiesHash as Hex,
      documentHash: terms.documentHash as Hex,
      milestoneShares: terms.milestoneShares as Hex,
    },
    options: {
      assigner: getAddress(creation.options.assigner),
      subtaskBudget: BigInt(creation.options.subtaskBudget),
      assignerConfigHash: creation.options.assignerConfigHash as Hex,
    },
    capabilities: creation.capabilities.map((capability) => capability.id as Hex),
  };
}

describe("Journey 5: a coordinator splits a task among three agents, a human reviews, everything settles", () => {
  let journey: Journey;

  before(async () => {
    journey = await startJourney("journey 5");
  });

  after(async () => {
    await journey?.stop();
  });

  it("settles the graph and every wei of the parent's escrow ends with a worker, the reviewer or the fees", async () => {
    const { api } = journey;
    const market = journey.contract("taskMarket");
    const gatedClaim = journey.contract("gatedClaim");
    const coordinator = journey.address("coordinator");
    for (const actor of ["coordinator", ...PARTS.map((part) => part.worker), MERGE.worker] as const) {
      const registration = await api.registerAgent({
        executor: journey.address(actor),
        kind: "agent",
        operator: journey.address("operator"),
        capabilities: CAPABILITIES,
      });
      await journey.sendPrepared(actor, registration.transactions);
    }
    const books = await Books.open(journey, ETH, {
      poster: journey.address("poster"),
      reviewer: journey.address("human"),
      coordinator,
      agent: journey.address("agent"),
      secondAgent: journey.address("secondAgent"),
      thirdAgent: journey.address("thirdAgent"),
      anyone: journey.address("anyone"),
      feeRecipient: journey.address("feeRecipient"),
      market,
      gatedClaim,
    });

    // The person posts the parent through the API: reviewed by a human, 6 of its 10 ETH open to subtasks.
    const now = await journey.latestTimestamp();
    const parent = await api.postTask(
      journey.wallet("poster"),
      {
        document: researchDocument({
          objective: "Write a market study of school bus procurement in 2025, with sources.",
          reward: PARENT_REWARD,
          claimBond: PARENT_BOND,
          verifierFee: REVIEWER_FEE,
          claimDeadline: now + 2 * DAY,
          executionWindow: 10 * DAY,
        }),
        reviewWindow: 2 * DAY,
        verification: { method: "reviewer", reviewer: journey.address("human") },
        options: { subtaskBudget: SUBTASK_BUDGET },
      },
      { publicClient: journey.publicClient },
    );
    const parentId = parent.taskId;
    const parentTerms = fromCreation(parent.creation).terms;
    await journey.indexed();
    await journey.sendPrepared("coordinator", (await api.claimTask(coordinator, { taskId: parentId })).transactions);

    // The coordinator splits the work. The API stores each subtask's document and derives its terms; the coordinator
    // funds it from the parent's escrow with the SDK's `createSubtask`, which derives the same terms from the same
    // document (and, for an assignment module, publishes its configuration once the subtask exists).
    const createSubtask = async (input: { document: TaskDocument; assignment?: TaskAssignment }): Promise<bigint> => {
      const creation = await api.createTask({
        document: input.document,
        terms: { poster: coordinator, reviewWindow: DAY },
        ...(input.assignment === undefined ? {} : { assignment: input.assignment }),
      });
      const created = await journey.market("coordinator").createSubtask(parentId, {
        ...input,
        reviewWindow: DAY,
        documentURI: creation.documentURI,
      });
      const expected = fromCreation(creation);
      assert.deepEqual(created.terms, expected.terms, "the SDK and the API derive the same terms");
      assert.deepEqual(created.options ?? NO_OPTIONS, expected.options);
      assert.deepEqual(created.capabilities, expected.capabilities);
      const [event] = parseEventLogs({
        abi: taskMarketAbi,
        logs: created.receipt.logs,
        eventName: "SubtaskCreated",
      });
      assert.equal(event?.args.parentId, parentId);
      assert.equal(event?.args.subtaskId, created.taskId);
      return created.taskId;
    };
    const subtaskTimes = { claimDeadline: now + 5 * DAY, executionWindow: 2 * DAY };
    const partIds: bigint[] = [];
    for (const part of PARTS) {
      partIds.push(await createSubtask({ document: researchDocument({ ...part, ...subtaskTimes }) }));
    }
    // The merge step depends on both parts: the GatedClaim gives it out only once they are verified or settled.
    const gate = { requirements: { minCompleted: 0, maxDisputesLostBps: 10_000, dependencies: partIds } };
    const mergeId = await createSubtask({
      document: researchDocument({
        objective: "Merge the tenders and the fleet sizes into one table and chart.",
        reward: MERGE.reward,
        requires: partIds,
        ...subtaskTimes,
      }),
      assignment: { module: "gatedClaim", config: gate },
    });
    assert.equal((await journey.market("thirdAgent").getTaskOptions(mergeId)).assigner, gatedClaim);
    assert.deepEqual(await journey.market("thirdAgent").getAssignmentConfig(mergeId), {
      module: "gatedClaim",
      config: gate,
    });

    const drawn = PARTS.reduce((sum, part) => sum + part.reward, 0n) + MERGE.reward;
    assert.deepEqual(
      await journey.publicClient.readContract({
        address: market,
        abi: taskMarketAbi,
        functionName: "fundingOf",
        args: [parentId],
      }),
      { released: 0n, drawn, openSubtasks: 3 },
    );
    await journey.indexed();
    const parentRead = await api.getTask(parentId);
    assert.deepEqual(parentRead.indexed?.funding, { released: "0", drawn: drawn.toString(), openSubtasks: 3 });
    assert.deepEqual(
      parentRead.indexed?.subtasks.map((subtask) => subtask.id),
      [...partIds, mergeId].map(String),
    );
    const mergeRead = await api.getTask(mergeId);
    assert.equal(mergeRead.indexed?.parent?.id, parentId.toString());
    assert.equal(mergeRead.indexed?.assignmentMode, "GatedClaim");
    assert.deepEqual(
      mergeRead.indexed?.dependencies.map((dependency) => [dependency.task.id, dependency.met]),
      partIds.map((id) => [id.toString(), false]),
    );

    // The merge step cannot be claimed before its inputs exist.
    await assert.rejects(
      journey.market("thirdAgent").claim(mergeId),
      (error: unknown) =>
        error instanceof TaskMarketContractError &&
        error.errorName === "AssignmentModule_DependenciesNotMet" &&
        error.contract === "gatedClaim",
    );

    // The two parts: found among the tasks each agent qualifies for, claimed through the API, delivered through the
    // SDK, and approved by the coordinator through POST /settle.
    for (const [index, part] of PARTS.entries()) {
      const taskId = partIds[index]!;
      const eligible = await api.getAgentTasks(journey.address(part.worker), { eligible: true });
      assert.ok(eligible.items.some((item) => item.task.id === taskId.toString()));
      await journey.sendPrepared(
        part.worker,
        (await api.claimTask(journey.address(part.worker), { taskId })).transactions,
      );
      await journey
        .market(part.worker)
        .submit(taskId, { content: { rows: index + 1 }, uri: `ipfs://bafy-part-${index}` });
    }
    await assert.rejects(
      journey.market("coordinator").submit(parentId, { content: { study: "early" } }),
      (error: unknown) => error instanceof TaskMarketContractError && error.errorName === "TaskMarket_SubtasksOpen",
    );
    for (const taskId of partIds) {
      const settle = await api.settle({ taskId, from: coordinator });
      assert.equal(settle.action, "approve");
      await journey.sendPrepared("coordinator", settle.transactions);
    }

    // The merge step: the third agent reads its inputs' state from the API and claims through the GatedClaim.
    await journey.indexed();
    const ready = await api.getTask(mergeId);
    assert.deepEqual(
      ready.indexed?.dependencies.map((dependency) => dependency.task.status),
      ["Settled", "Settled"],
    );
    await journey.market("thirdAgent").claim(mergeId);
    await journey.market("thirdAgent").submit(mergeId, { content: { table: "merged" }, uri: "ipfs://bafy-merged" });
    await journey.market("coordinator").approve(mergeId);

    // The coordinator delivers the study; the human reviewer approves it through the API.
    await journey.market("coordinator").submit(parentId, { content: { study: "final" }, uri: "ipfs://bafy-study" });
    const approval = await api.updateTaskState(parentId, { transition: "approve", from: journey.address("human") });
    await journey.sendPrepared("human", approval.transactions);

    // Every task settled, and every view agrees on each of them.
    const feeBps = parentTerms.feeBps;
    const coordinatorAmount = PARENT_REWARD - drawn;
    const settledParent = await assertTaskAgrees(journey, parentId, "Settled");
    assert.equal(
      settledParent.indexed.paidToExecutor,
      (coordinatorAmount - feeOf(coordinatorAmount, feeBps)).toString(),
    );
    assert.equal(settledParent.indexed.verifierFeeAmountPaid, REVIEWER_FEE.toString());
    assert.equal(settledParent.indexed.bondsReturned, PARENT_BOND.toString());
    const workers = [...PARTS, MERGE];
    for (const [index, taskId] of [...partIds, mergeId].entries()) {
      const { indexed, read } = await assertTaskAgrees(journey, taskId, "Settled");
      const reward = workers[index]!.reward;
      assert.equal(indexed.executor.id, journey.address(workers[index]!.worker).toLowerCase());
      assert.equal(indexed.paidToExecutor, (reward - feeOf(reward, feeBps)).toString());
      assert.equal(read.indexed?.parent?.id, parentId.toString());
      assert.equal(read.indexed?.parentPoster, journey.address("poster"));
      assert.equal(read.indexed?.subtaskFunding, reward.toString());
    }
    const { taskDependencies } = await journey.graphql(
      `query ($task: String!) { taskDependencies(where: { task: $task }, orderBy: index) { dependency { id } met failed } }`,
      { task: mergeId.toString() },
    );
    assert.deepEqual(
      taskDependencies,
      partIds.map((id) => ({ dependency: { id: id.toString() }, met: true, failed: false })),
    );

    // Reputation: each agent completed its task; the coordinator also posted and settled three.
    for (const actor of ["coordinator", "agent", "secondAgent", "thirdAgent"] as const) {
      const reputation = await assertReputationAgrees(journey, journey.address(actor));
      assert.equal(reputation.asExecutor.record.completed, 1, actor);
    }
    const asPoster = await assertReputationAgrees(journey, coordinator);
    assert.equal(asPoster.asPoster.record.posted, 3);
    assert.equal(asPoster.asPoster.record.settled, 3);

    // The books: the poster paid the reward and the reviewer's fee; the coordinator kept what it did not spend on
    // subtasks; each agent its reward; every fee reached the fee recipient; the market and the gate hold nothing.
    const fees =
      feeOf(coordinatorAmount, feeBps) + workers.reduce((sum, { reward }) => sum + feeOf(reward, feeBps), 0n);
    await sweepFees(journey, ETH, fees);
    const paid = (reward: bigint) => reward - feeOf(reward, feeBps);
    await books.assertDeltas({
      poster: -(PARENT_REWARD + REVIEWER_FEE),
      reviewer: REVIEWER_FEE,
      coordinator: paid(coordinatorAmount),
      agent: paid(PARTS[0]!.reward),
      secondAgent: paid(PARTS[1]!.reward),
      thirdAgent: paid(MERGE.reward),
      anyone: 0n,
      feeRecipient: fees,
      market: 0n,
      gatedClaim: 0n,
    });
  });
});
