/**
 * A swarm on Hardhat's network: a coordinating agent claims a task, splits it among three agents through subtasks
 * funded from the task's escrow, adds a human review step, and the parent settles after its human reviewer approves.
 * Every balance and every reputation record is checked against what the escrow rules say.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { getAddress, keccak256, parseEther, parseEventLogs, stringToHex, zeroAddress } from "viem";
import type { Address, Hex, TransactionReceipt } from "viem";

import { CAPABILITIES, deployTaskMarket, passiveAddress, type Party } from "../helpers/fixtures.js";
import {
  DOCUMENT_URI,
  RESULT_URI,
  buildTerms,
  latestTimestamp,
  send,
  type SentTransaction,
} from "../helpers/lifecycle.js";
import {
  EMPTY_EXECUTOR_RECORD,
  EMPTY_POSTER_RECORD,
  ETH,
  ExecutorKind,
  NO_OPTIONS,
  TaskStatus,
  executorRecordOf,
  feeOf,
  posterRecordOf,
  statusOf,
  type TaskFunding,
  type TaskOptions,
  type TaskTerms,
} from "../helpers/protocol.js";

const { viem, networkHelpers } = await network.create();

const PARENT_REWARD = parseEther("10");
const SUBTASK_BUDGET = parseEther("7");
const AGENT_STEP_REWARD = parseEther("2");
const REVIEW_STEP_REWARD = parseEther("0.5");
const REVIEWER_FEE = parseEther("0.1");

async function deploySwarm(connection: Parameters<typeof deployTaskMarket>[0]) {
  const base = await deployTaskMarket(connection);
  const wallets = await connection.viem.getWalletClients();
  const party = (index: number): Party => ({
    address: getAddress(wallets[index].account.address),
    wallet: wallets[index],
  });
  const coordinator = party(8);
  const workers = [party(9), party(10), party(11)];
  const reviewStepHuman = party(12);
  // Each agent answers to an operator of its own, none of them a party to the tasks.
  for (const [index, agent] of [coordinator, ...workers].entries()) {
    await base.registry.write.register(
      [ExecutorKind.Agent, passiveAddress(`swarm operator ${index}`), CAPABILITIES, "ipfs://bafyswarmagent"],
      { account: agent.wallet.account },
    );
  }
  await base.registry.write.register([ExecutorKind.Human, zeroAddress, CAPABILITIES, "ipfs://bafyreviewstep"], {
    account: reviewStepHuman.wallet.account,
  });
  return { ...base, coordinator, workers, reviewStepHuman };
}

type SwarmFixture = Awaited<ReturnType<typeof deploySwarm>>;

interface Task {
  taskId: bigint;
  terms: TaskTerms;
}

function createdTaskId(fixture: SwarmFixture, receipt: TransactionReceipt): bigint {
  const logs = parseEventLogs({ abi: fixture.market.abi, logs: receipt.logs, eventName: "TaskCreated" });
  assert.equal(logs.length, 1);
  return (logs[0].args as unknown as { taskId: bigint }).taskId;
}

async function ethBalances(fixture: SwarmFixture, accounts: readonly Address[]): Promise<bigint[]> {
  return Promise.all(accounts.map((address) => fixture.publicClient.getBalance({ address })));
}

async function fundingOf(fixture: SwarmFixture, taskId: bigint): Promise<TaskFunding> {
  return (await fixture.market.read.fundingOf([taskId])) as TaskFunding;
}

describe("Swarm: a coordinator splits a task among agents and a human", () => {
  it("settles every subtask and the parent, and every balance and record adds up", async () => {
    const fixture = await networkHelpers.loadFixture(deploySwarm);
    const { market, poster, reviewer, coordinator, workers, reviewStepHuman } = fixture;
    const everyone: Address[] = [
      poster.address,
      reviewer.address,
      coordinator.address,
      ...workers.map((worker) => worker.address),
      reviewStepHuman.address,
      market.address,
    ];
    const gasPaid = new Map<Address, bigint>(everyone.map((address) => [address, 0n]));
    const track = async (sender: Party, pending: Promise<Hex>): Promise<SentTransaction> => {
      const sent = await send(fixture, pending);
      gasPaid.set(sender.address, gasPaid.get(sender.address)! + sent.gasCost);
      return sent;
    };
    const before = await ethBalances(fixture, everyone);
    const feesBefore = (await market.read.accruedFeesOf([ETH])) as bigint;

    // The poster posts the parent for an agent, reviewed by a human, with 7 of its 10 ETH open to subtasks.
    const parentTerms = await buildTerms(fixture, {
      reward: PARENT_REWARD,
      claimBond: parseEther("0.5"),
      executorKind: ExecutorKind.Agent,
      verifier: reviewer.address,
      verifierFee: REVIEWER_FEE,
    });
    const parentOptions: TaskOptions = { ...NO_OPTIONS, subtaskBudget: SUBTASK_BUDGET };
    const created = await track(
      poster,
      market.write.createTaskWithOptions([parentTerms, parentOptions, CAPABILITIES, DOCUMENT_URI], {
        account: poster.wallet.account,
        value: PARENT_REWARD + REVIEWER_FEE,
      }),
    );
    const parent: Task = { taskId: createdTaskId(fixture, created.receipt), terms: parentTerms };
    assert.deepEqual(await market.read.optionsOf([parent.taskId]), parentOptions);

    await track(
      coordinator,
      market.write.claim([parent.taskId, parent.terms, CAPABILITIES], {
        account: coordinator.wallet.account,
        value: parent.terms.claimBond,
      }),
    );

    // Three agent steps and a human review step, each posted by the coordinator from the parent's escrow.
    const subtask = async (executorKind: ExecutorKind, reward: bigint, label: string): Promise<Task> => {
      const terms: TaskTerms = {
        ...(await buildTerms(fixture, {
          poster: coordinator.address,
          reward,
          claimBond: 0n,
          executorKind,
          documentHash: keccak256(stringToHex(label)),
        })),
        claimDeadline: (await latestTimestamp(fixture)) + 24 * 3600,
      };
      const sent = await track(
        coordinator,
        market.write.createSubtask([parent.taskId, parent.terms, terms, NO_OPTIONS, CAPABILITIES, `ipfs://${label}`], {
          account: coordinator.wallet.account,
        }),
      );
      return { taskId: createdTaskId(fixture, sent.receipt), terms };
    };
    const agentSteps: Task[] = [];
    for (const [index] of workers.entries()) {
      agentSteps.push(await subtask(ExecutorKind.Agent, AGENT_STEP_REWARD, `part-${index}`));
    }
    const reviewStep = await subtask(ExecutorKind.Human, REVIEW_STEP_REWARD, "human-review");
    const drawn = 3n * AGENT_STEP_REWARD + REVIEW_STEP_REWARD;
    assert.deepEqual(await fundingOf(fixture, parent.taskId), { released: 0n, drawn, openSubtasks: 4 });
    for (const step of [...agentSteps, reviewStep]) {
      assert.deepEqual(await market.read.parentOf([step.taskId]), {
        parentId: parent.taskId,
        parentPoster: poster.address,
        depth: 1,
      });
    }

    // The budget is spent: a fifth step would exceed it.
    await viem.assertions.revertWithCustomError(
      subtask(ExecutorKind.Agent, SUBTASK_BUDGET - drawn + 1n, "too-much"),
      market,
      "TaskMarket_SubtaskBudgetExceeded",
    );
    // The human step is for a human: an agent cannot take it.
    await viem.assertions.revertWithCustomError(
      market.write.claim([reviewStep.taskId, reviewStep.terms, CAPABILITIES], {
        account: workers[0].wallet.account,
      }),
      market,
      "TaskMarket_ExecutorNotEligible",
    );

    // Each agent delivers its part; the coordinator approves it.
    for (const [index, worker] of workers.entries()) {
      const step = agentSteps[index];
      await track(
        worker,
        market.write.claim([step.taskId, step.terms, CAPABILITIES], { account: worker.wallet.account }),
      );
      await track(
        worker,
        market.write.submit([step.taskId, step.terms, keccak256(stringToHex(`result ${index}`)), RESULT_URI], {
          account: worker.wallet.account,
        }),
      );
    }
    // The parent waits for its subtasks.
    await viem.assertions.revertWithCustomError(
      market.write.submit([parent.taskId, parent.terms, keccak256(stringToHex("merged")), RESULT_URI], {
        account: coordinator.wallet.account,
      }),
      market,
      "TaskMarket_SubtasksOpen",
    );
    for (const step of agentSteps) {
      await track(
        coordinator,
        market.write.approve([step.taskId, step.terms], { account: coordinator.wallet.account }),
      );
    }

    // A human checks the merged result, then the coordinator delivers the parent.
    await track(
      reviewStepHuman,
      market.write.claim([reviewStep.taskId, reviewStep.terms, CAPABILITIES], {
        account: reviewStepHuman.wallet.account,
      }),
    );
    await track(
      reviewStepHuman,
      market.write.submit([reviewStep.taskId, reviewStep.terms, keccak256(stringToHex("review notes")), RESULT_URI], {
        account: reviewStepHuman.wallet.account,
      }),
    );
    await track(
      coordinator,
      market.write.approve([reviewStep.taskId, reviewStep.terms], { account: coordinator.wallet.account }),
    );
    assert.deepEqual(await fundingOf(fixture, parent.taskId), { released: 0n, drawn, openSubtasks: 0 });

    await track(
      coordinator,
      market.write.submit([parent.taskId, parent.terms, keccak256(stringToHex("merged")), RESULT_URI], {
        account: coordinator.wallet.account,
      }),
    );
    await track(reviewer, market.write.approve([parent.taskId, parent.terms], { account: reviewer.wallet.account }));

    for (const task of [parent, ...agentSteps, reviewStep]) {
      assert.equal(await statusOf(market, task.taskId), TaskStatus.Settled);
    }

    // Balances: every wei the poster escrowed went to the executors, the reviewer and the protocol.
    const feeBps = parent.terms.feeBps;
    const coordinatorAmount = PARENT_REWARD - drawn;
    const expectedFees =
      feeOf(coordinatorAmount, feeBps) + 3n * feeOf(AGENT_STEP_REWARD, feeBps) + feeOf(REVIEW_STEP_REWARD, feeBps);
    const after = await ethBalances(fixture, everyone);
    const delta = (index: number): bigint => after[index] - before[index] + gasPaid.get(everyone[index])!;
    assert.equal(delta(0), -(PARENT_REWARD + REVIEWER_FEE));
    assert.equal(delta(1), REVIEWER_FEE);
    assert.equal(delta(2), coordinatorAmount - feeOf(coordinatorAmount, feeBps));
    for (const index of [3, 4, 5]) assert.equal(delta(index), AGENT_STEP_REWARD - feeOf(AGENT_STEP_REWARD, feeBps));
    assert.equal(delta(6), REVIEW_STEP_REWARD - feeOf(REVIEW_STEP_REWARD, feeBps));
    assert.equal(delta(7), expectedFees, "the market keeps exactly the fees");
    assert.equal((await market.read.accruedFeesOf([ETH])) as bigint, feesBefore + expectedFees);

    // Reputation: each executor completed one task, the coordinator posted and settled four.
    for (const executor of [coordinator, ...workers, reviewStepHuman]) {
      assert.deepEqual(await executorRecordOf(market, executor.address), { ...EMPTY_EXECUTOR_RECORD, completed: 1 });
    }
    assert.deepEqual(await posterRecordOf(market, coordinator.address), {
      ...EMPTY_POSTER_RECORD,
      posted: 4,
      settled: 4,
    });
    assert.deepEqual(await posterRecordOf(market, poster.address), { ...EMPTY_POSTER_RECORD, posted: 1, settled: 1 });
  });

  it("returns a cancelled subtask's budget to the parent, and what the parent no longer needs to the poster", async () => {
    const fixture = await networkHelpers.loadFixture(deploySwarm);
    const { market, poster, coordinator } = fixture;
    const parentTerms = await buildTerms(fixture, {
      reward: PARENT_REWARD,
      claimBond: 0n,
      executorKind: ExecutorKind.Agent,
    });
    const created = await send(
      fixture,
      market.write.createTaskWithOptions(
        [parentTerms, { ...NO_OPTIONS, subtaskBudget: SUBTASK_BUDGET }, CAPABILITIES, DOCUMENT_URI],
        { account: poster.wallet.account, value: PARENT_REWARD },
      ),
    );
    const parent: Task = { taskId: createdTaskId(fixture, created.receipt), terms: parentTerms };
    await send(
      fixture,
      market.write.claim([parent.taskId, parent.terms, CAPABILITIES], { account: coordinator.wallet.account }),
    );

    const stepTerms = await buildTerms(fixture, {
      poster: coordinator.address,
      reward: SUBTASK_BUDGET,
      claimBond: 0n,
      executorKind: ExecutorKind.Agent,
    });
    const sent = await send(
      fixture,
      market.write.createSubtask([parent.taskId, parent.terms, stepTerms, NO_OPTIONS, CAPABILITIES, DOCUMENT_URI], {
        account: coordinator.wallet.account,
      }),
    );
    const step: Task = { taskId: createdTaskId(fixture, sent.receipt), terms: stepTerms };
    assert.deepEqual(await fundingOf(fixture, parent.taskId), { released: 0n, drawn: SUBTASK_BUDGET, openSubtasks: 1 });

    // The coordinator cancels the step: nothing leaves the market, the budget is the parent's again.
    const marketBefore = await fixture.publicClient.getBalance({ address: market.address });
    const cancelled = await send(
      fixture,
      market.write.cancel([step.taskId, step.terms], { account: coordinator.wallet.account }),
    );
    assert.equal(await fixture.publicClient.getBalance({ address: market.address }), marketBefore);
    const returned = parseEventLogs({
      abi: market.abi,
      logs: cancelled.receipt.logs,
      eventName: "SubtaskFundsReturned",
    });
    assert.equal(returned.length, 1);
    assert.deepEqual(returned[0].args, {
      parentId: parent.taskId,
      subtaskId: step.taskId,
      to: market.address,
      amount: SUBTASK_BUDGET,
    });
    assert.deepEqual(await fundingOf(fixture, parent.taskId), { released: 0n, drawn: 0n, openSubtasks: 0 });

    // Both sides agree to cancel the parent: the whole reward returns to the poster.
    const posterBefore = await fixture.publicClient.getBalance({ address: poster.address });
    const consent = await send(
      fixture,
      market.write.consentToCancel([parent.taskId, parent.terms], { account: poster.wallet.account }),
    );
    await send(
      fixture,
      market.write.consentToCancel([parent.taskId, parent.terms], { account: coordinator.wallet.account }),
    );
    assert.equal(
      await fixture.publicClient.getBalance({ address: poster.address }),
      posterBefore - consent.gasCost + PARENT_REWARD,
    );
    assert.equal(await statusOf(market, parent.taskId), TaskStatus.Cancelled);
  });
});
