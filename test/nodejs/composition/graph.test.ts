/**
 * A task graph on Hardhat's network, with the real `GatedClaim` as the assigner of its dependent step: two agent steps
 * claimed first come on the market, then a human step that depends on both, behind a reputation gate. The human step
 * is given out only once both agent steps are verified or settled, only to a human with a completed task, and its
 * inputs are the agent steps' accepted results read back from the market's events. A second graph shows a failed
 * dependency cancelling its dependent task, by anyone, with the poster refunded exactly.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { concat, keccak256, parseEther, stringToHex } from "viem";
import type { Hex } from "viem";

import { CAPABILITIES, type Party } from "../helpers/fixtures.js";
import {
  BOND,
  EXECUTION_WINDOW,
  REWARD,
  buildTerms,
  claimTask,
  latestTimestamp,
  marketEvents,
  postTask,
  submitWork,
  timestampOf,
  type PostedTask,
} from "../helpers/lifecycle.js";
import {
  EMPTY_EXECUTOR_RECORD,
  EMPTY_POSTER_RECORD,
  ETH,
  Eligibility,
  ExecutorKind,
  TaskStatus,
  accruedFeesOf,
  executorRecordOf,
  feeOf,
  posterRecordOf,
  stateOf,
  statusOf,
  type TaskOptions,
  type TaskTerms,
} from "../helpers/protocol.js";
import { eventsOf } from "../verification/helpers.js";
import {
  Ledger,
  completeTask,
  deployCompositionMarket,
  gateConfigHash,
  openRequirements,
  postTaskWithOptions,
  workSubmissionsOf,
  type CompositionFixture,
  type GateConfig,
} from "./helpers.js";

const { viem, networkHelpers } = await network.create();

// Distinct, uneven amounts, so that a payment sent to the wrong step shows in a balance.
const STEP_A_REWARD = parseEther("1.2") + 7n;
const STEP_B_REWARD = parseEther("0.8") + 3n;
const STEP_C_REWARD = parseEther("0.5") + 11n;

function documentHashOf(label: string): Hex {
  return keccak256(stringToHex(`task document: ${label}`));
}

function resultHashOf(label: string): Hex {
  return keccak256(stringToHex(`result: ${label}`));
}

async function agentStepTerms(fixture: CompositionFixture, label: string, reward: bigint): Promise<TaskTerms> {
  return buildTerms(fixture, { reward, executorKind: ExecutorKind.Agent, documentHash: documentHashOf(label) });
}

/** The options of a task given out by `GatedClaim` with `gate`. */
function gatedOptions(fixture: CompositionFixture, gate: GateConfig): TaskOptions {
  return { assigner: fixture.gatedClaim.address, subtaskBudget: 0n, assignerConfigHash: gateConfigHash(gate) };
}

describe("Task graph: two agent steps feed a human step behind a reputation gate", () => {
  it("gives the human step to a qualified human once both dependencies are verified or settled, with their outputs", async () => {
    const fixture = await networkHelpers.loadFixture(deployCompositionMarket);
    const { market, gatedClaim, poster, human, secondHuman, agent, secondAgent, stranger, feeRecipient } = fixture;
    const [agentA, agentB, qualifiedHuman, newcomer] = [agent, secondAgent, human, secondHuman];
    const ledger = await Ledger.open(fixture, [
      poster.address,
      agentA.address,
      agentB.address,
      qualifiedHuman.address,
      newcomer.address,
      stranger.address,
      market.address,
      gatedClaim.address,
      feeRecipient,
    ]);

    // The qualified human's track record: one task completed before the graph. The newcomer has none.
    const earlier = await completeTask(fixture, ledger, qualifiedHuman, { executorKind: ExecutorKind.Human });
    assert.deepEqual(await executorRecordOf(market, qualifiedHuman.address), {
      ...EMPTY_EXECUTOR_RECORD,
      completed: 1,
    });

    // A and B: independent agent steps, open to a first-come claim on the market.
    const postAgentStep = async (label: string, reward: bigint): Promise<PostedTask> => {
      const task = await postTask(fixture, await agentStepTerms(fixture, label, reward));
      await ledger.charge(poster, Promise.resolve(task.posted));
      return task;
    };
    const stepA = await postAgentStep("step A", STEP_A_REWARD);
    const stepB = await postAgentStep("step B", STEP_B_REWARD);

    // C: for a human with at least one completed task, once A and B are done; given out only by GatedClaim.
    const gate: GateConfig = {
      requirements: openRequirements({ minCompleted: 1, dependencies: [stepA.taskId, stepB.taskId] }),
    };
    const options = gatedOptions(fixture, gate);
    assert.equal(
      await gatedClaim.read.configHash([gate]),
      options.assignerConfigHash,
      "the client's hash is the module's",
    );
    const stepC = await postTaskWithOptions(
      fixture,
      ledger,
      await buildTerms(fixture, {
        reward: STEP_C_REWARD,
        executorKind: ExecutorKind.Human,
        documentHash: documentHashOf("step C: human review of A and B"),
      }),
      options,
    );
    const published = await ledger.send(
      stranger,
      gatedClaim.write.publishConfig([stepC.taskId, stepC.terms, gate], { account: stranger.wallet.account }),
    );
    assert.deepEqual(eventsOf(gatedClaim, published.receipt), [
      {
        eventName: "GateConfigPublished",
        args: { taskId: stepC.taskId, configHash: options.assignerConfigHash, config: gate },
      },
    ]);

    const claimC = (claimant: Party) =>
      gatedClaim.write.claim([stepC.taskId, stepC.terms, gate, CAPABILITIES], {
        account: claimant.wallet.account,
        value: stepC.terms.claimBond,
      });

    // C has an assigner: the market's own claim is closed to everyone.
    await viem.assertions.revertWithCustomErrorWithArgs(
      market.write.claim([stepC.taskId, stepC.terms, CAPABILITIES], {
        account: qualifiedHuman.wallet.account,
        value: stepC.terms.claimBond,
      }),
      market,
      "TaskMarket_CallerNotAssigner",
      [stepC.taskId, qualifiedHuman.address],
    );
    // Through the module, a human who passes the gate still waits for A and B.
    await viem.assertions.revertWithCustomErrorWithArgs(
      claimC(qualifiedHuman),
      gatedClaim,
      "AssignmentModule_DependenciesNotMet",
      [stepC.taskId],
    );

    // A: the agent's draft is rejected, and its second result is accepted.
    await ledger.charge(agentA, claimTask(fixture, stepA, agentA));
    await ledger.charge(agentA, submitWork(fixture, stepA, agentA, resultHashOf("A draft"), "ipfs://bafy-a-draft"));
    await ledger.send(
      poster,
      market.write.reject([stepA.taskId, stepA.terms, keccak256(stringToHex("incomplete"))], {
        account: poster.wallet.account,
      }),
    );
    await ledger.charge(agentA, submitWork(fixture, stepA, agentA, resultHashOf("A final"), "ipfs://bafy-a-final"));
    await ledger.send(poster, market.write.approve([stepA.taskId, stepA.terms], { account: poster.wallet.account }));
    assert.equal(await statusOf(market, stepA.taskId), TaskStatus.Settled);

    // B: submitted; while its review window runs, C still waits.
    await ledger.charge(agentB, claimTask(fixture, stepB, agentB));
    await ledger.charge(agentB, submitWork(fixture, stepB, agentB, resultHashOf("B"), "ipfs://bafy-b"));
    assert.equal(await statusOf(market, stepB.taskId), TaskStatus.Submitted);
    assert.equal(await gatedClaim.read.dependenciesMet([gate.requirements]), false);
    await viem.assertions.revertWithCustomErrorWithArgs(
      claimC(qualifiedHuman),
      gatedClaim,
      "AssignmentModule_DependenciesNotMet",
      [stepC.taskId],
    );

    // The poster lets B's review window pass without a decision: B reads as Verified, which is enough for C.
    const { reviewDeadline } = await stateOf(market, stepB.taskId);
    await networkHelpers.time.increase(reviewDeadline - (await latestTimestamp(fixture)) + 1);
    assert.equal(await statusOf(market, stepB.taskId), TaskStatus.Verified);
    assert.equal(await gatedClaim.read.dependenciesMet([gate.requirements]), true);

    // An agent cannot take C, whatever its record: C is for a human.
    assert.equal(await gatedClaim.read.meetsGate([agentA.address, gate.requirements]), true);
    await viem.assertions.revertWithCustomErrorWithArgs(claimC(agentA), gatedClaim, "AssignmentModule_NotEligible", [
      stepC.taskId,
      agentA.address,
      Eligibility.KindMismatch,
    ]);
    // A human without a completed task fails the gate.
    assert.equal(await gatedClaim.read.meetsGate([newcomer.address, gate.requirements]), false);
    await viem.assertions.revertWithCustomErrorWithArgs(claimC(newcomer), gatedClaim, "AssignmentModule_GateNotMet", [
      stepC.taskId,
      newcomer.address,
    ]);

    // The qualified human claims C; the module passes its bond straight to the market.
    const claimed = await ledger.send(qualifiedHuman, claimC(qualifiedHuman));
    assert.deepEqual(eventsOf(gatedClaim, claimed.receipt), [
      { eventName: "DependenciesMet", args: { taskId: stepC.taskId, dependencies: [stepA.taskId, stepB.taskId] } },
    ]);
    assert.deepEqual(marketEvents(fixture, claimed.receipt), [
      {
        eventName: "TaskClaimed",
        args: {
          taskId: stepC.taskId,
          executor: qualifiedHuman.address,
          executionDeadline: (await timestampOf(fixture, claimed)) + EXECUTION_WINDOW,
          bond: BOND,
        },
      },
    ]);
    assert.equal(await fixture.publicClient.getBalance({ address: gatedClaim.address }), 0n);

    // C's inputs: for each dependency DependenciesMet lists, its accepted result is its last WorkSubmitted.
    const { dependencies } = eventsOf(gatedClaim, claimed.receipt)[0].args as { dependencies: readonly bigint[] };
    const submissions = await Promise.all(dependencies.map((taskId) => workSubmissionsOf(fixture, taskId)));
    assert.deepEqual(
      submissions.map((list) => list.map(({ executor, resultHash }) => ({ executor, resultHash }))),
      [
        [
          { executor: agentA.address, resultHash: resultHashOf("A draft") },
          { executor: agentA.address, resultHash: resultHashOf("A final") },
        ],
        [{ executor: agentB.address, resultHash: resultHashOf("B") }],
      ],
    );
    const inputs = submissions.map((list) => list[list.length - 1]);
    assert.deepEqual(
      inputs.map(({ resultHash, resultURI }) => ({ resultHash, resultURI })),
      [
        { resultHash: resultHashOf("A final"), resultURI: "ipfs://bafy-a-final" },
        { resultHash: resultHashOf("B"), resultURI: "ipfs://bafy-b" },
      ],
    );

    // The human's result commits to its inputs; the poster accepts it, and anyone releases B's payment.
    const reviewOfInputs = keccak256(concat([...inputs.map((input) => input.resultHash), resultHashOf("C verdict")]));
    await ledger.charge(qualifiedHuman, submitWork(fixture, stepC, qualifiedHuman, reviewOfInputs, "ipfs://bafy-c"));
    const [submissionC] = await workSubmissionsOf(fixture, stepC.taskId);
    assert.equal(submissionC.resultHash, reviewOfInputs);
    await ledger.send(poster, market.write.approve([stepC.taskId, stepC.terms], { account: poster.wallet.account }));
    const released = await ledger.send(
      stranger,
      market.write.release([stepB.taskId, stepB.terms], { account: stranger.wallet.account }),
    );
    assert.deepEqual(
      marketEvents(fixture, released.receipt).map(({ eventName }) => eventName),
      ["TaskVerified", "TaskSettled"],
    );
    for (const task of [earlier, stepA, stepB, stepC]) {
      assert.equal(await statusOf(market, task.taskId), TaskStatus.Settled);
    }

    // Every wei the poster escrowed went to an executor or to the protocol's fees; the module holds nothing.
    const net = (reward: bigint): bigint => reward - feeOf(reward, stepC.terms.feeBps);
    const fees = [REWARD, STEP_A_REWARD, STEP_B_REWARD, STEP_C_REWARD].reduce(
      (sum, reward) => sum + feeOf(reward, stepC.terms.feeBps),
      0n,
    );
    await ledger.assertDeltas([
      [poster.address, -(REWARD + STEP_A_REWARD + STEP_B_REWARD + STEP_C_REWARD)],
      [agentA.address, net(STEP_A_REWARD)],
      [agentB.address, net(STEP_B_REWARD)],
      [qualifiedHuman.address, net(REWARD) + net(STEP_C_REWARD)],
      [newcomer.address, 0n],
      [stranger.address, 0n],
      [market.address, fees],
      [gatedClaim.address, 0n],
      [feeRecipient, 0n],
    ]);
    assert.equal(await accruedFeesOf(market, ETH), fees);

    // Reputation: a rejection that was followed by an accepted result leaves no mark.
    assert.deepEqual(await executorRecordOf(market, agentA.address), { ...EMPTY_EXECUTOR_RECORD, completed: 1 });
    assert.deepEqual(await executorRecordOf(market, agentB.address), { ...EMPTY_EXECUTOR_RECORD, completed: 1 });
    assert.deepEqual(await executorRecordOf(market, qualifiedHuman.address), {
      ...EMPTY_EXECUTOR_RECORD,
      completed: 2,
    });
    assert.deepEqual(await executorRecordOf(market, newcomer.address), EMPTY_EXECUTOR_RECORD);
    assert.deepEqual(await posterRecordOf(market, poster.address), { ...EMPTY_POSTER_RECORD, posted: 4, settled: 4 });
  });

  it("lets anyone cancel a task whose dependency was cancelled, refunding its poster exactly", async () => {
    const fixture = await networkHelpers.loadFixture(deployCompositionMarket);
    const { market, gatedClaim, poster, human, stranger, feeRecipient } = fixture;
    const ledger = await Ledger.open(fixture, [
      poster.address,
      human.address,
      stranger.address,
      market.address,
      gatedClaim.address,
      feeRecipient,
    ]);

    const stillOpen = await postTask(fixture, await agentStepTerms(fixture, "step X", STEP_A_REWARD));
    const abandoned = await postTask(fixture, await agentStepTerms(fixture, "step Y", STEP_B_REWARD));
    await ledger.charge(poster, Promise.resolve(stillOpen.posted));
    await ledger.charge(poster, Promise.resolve(abandoned.posted));
    const gate: GateConfig = { requirements: openRequirements({ dependencies: [stillOpen.taskId, abandoned.taskId] }) };
    const dependent = await postTaskWithOptions(
      fixture,
      ledger,
      await buildTerms(fixture, {
        reward: STEP_C_REWARD,
        executorKind: ExecutorKind.Human,
        documentHash: documentHashOf("step Z"),
      }),
      gatedOptions(fixture, gate),
    );
    const cancelDependent = (index: bigint) =>
      gatedClaim.write.cancelForFailedDependency([dependent.taskId, dependent.terms, gate, index], {
        account: stranger.wallet.account,
      });

    // Nothing has failed yet.
    await viem.assertions.revertWithCustomErrorWithArgs(
      cancelDependent(1n),
      gatedClaim,
      "AssignmentModule_DependencyNotFailed",
      [dependent.taskId, abandoned.taskId, TaskStatus.Posted],
    );

    // The poster gives up on Y; the dependent task can now never be given out.
    await ledger.send(
      poster,
      market.write.cancel([abandoned.taskId, abandoned.terms], { account: poster.wallet.account }),
    );
    assert.equal(await statusOf(market, abandoned.taskId), TaskStatus.Cancelled);
    await viem.assertions.revertWithCustomErrorWithArgs(
      gatedClaim.write.claim([dependent.taskId, dependent.terms, gate, CAPABILITIES], {
        account: human.wallet.account,
        value: dependent.terms.claimBond,
      }),
      gatedClaim,
      "AssignmentModule_DependenciesNotMet",
      [dependent.taskId],
    );
    // The index must name the failed dependency.
    await viem.assertions.revertWithCustomErrorWithArgs(
      cancelDependent(0n),
      gatedClaim,
      "AssignmentModule_DependencyNotFailed",
      [dependent.taskId, stillOpen.taskId, TaskStatus.Posted],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      cancelDependent(2n),
      gatedClaim,
      "GatedClaim_DependencyIndexOutOfRange",
      [dependent.taskId, 2n, 2n],
    );

    // A stranger cancels it: the poster, who sends nothing, receives exactly the escrow of the dependent task.
    const posterBefore = await fixture.publicClient.getBalance({ address: poster.address });
    const cancelled = await ledger.send(stranger, cancelDependent(1n));
    assert.equal(await fixture.publicClient.getBalance({ address: poster.address }), posterBefore + STEP_C_REWARD);
    assert.deepEqual(eventsOf(gatedClaim, cancelled.receipt), [
      { eventName: "DependencyFailed", args: { taskId: dependent.taskId, dependency: abandoned.taskId } },
    ]);
    assert.deepEqual(marketEvents(fixture, cancelled.receipt), [
      {
        eventName: "TaskCancelled",
        args: { taskId: dependent.taskId, poster: poster.address, refund: STEP_C_REWARD, bondReturned: 0n },
      },
    ]);
    assert.equal(await statusOf(market, dependent.taskId), TaskStatus.Cancelled);
    // Once only.
    await viem.assertions.revertWithCustomErrorWithArgs(cancelDependent(1n), market, "TaskMarket_InvalidStatus", [
      dependent.taskId,
      TaskStatus.Cancelled,
    ]);

    // Only X's escrow is still in the market, waiting for an executor.
    await ledger.assertDeltas([
      [poster.address, -STEP_A_REWARD],
      [human.address, 0n],
      [stranger.address, 0n],
      [market.address, STEP_A_REWARD],
      [gatedClaim.address, 0n],
      [feeRecipient, 0n],
    ]);
    assert.equal(await statusOf(market, stillOpen.taskId), TaskStatus.Posted);
    assert.deepEqual(await posterRecordOf(market, poster.address), {
      ...EMPTY_POSTER_RECORD,
      posted: 3,
      cancelled: 2,
    });
    assert.deepEqual(await executorRecordOf(market, human.address), EMPTY_EXECUTOR_RECORD);
  });
});
