import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";

import { deployTaskMarket } from "../helpers/fixtures.js";
import {
  BOND,
  EXECUTION_WINDOW,
  RESULT_HASH,
  RESULT_URI,
  REVIEW_WINDOW,
  assertBalanceDeltas,
  assertMarketEvents,
  balancesOf,
  buildTerms,
  claimTask,
  postTask,
  send,
  submitWork,
  timestampOf,
} from "../helpers/lifecycle.js";
import {
  EMPTY_EXECUTOR_RECORD,
  EMPTY_POSTER_RECORD,
  ETH,
  TaskStatus,
  accruedFeesOf,
  earnedOf,
  executorRecordOf,
  feeOf,
  posterRecordOf,
  stateOf,
  statusOf,
} from "../helpers/protocol.js";

const { viem, networkHelpers } = await network.create();

const FLAG_REJECTED = 1;
const REASON_HASH = "0x4444444444444444444444444444444444444444444444444444444444444444";
const SECOND_RESULT_HASH = "0x5555555555555555555555555555555555555555555555555555555555555555";
const SECOND_RESULT_URI = "ipfs://bafyresultv2";

describe("Review", () => {
  it("lets the poster reject a submission, the executor resubmit, and the poster approve", async () => {
    const fixture = await networkHelpers.loadFixture(deployTaskMarket);
    const { market, poster, human, feeRecipient } = fixture;
    const parties = [market.address, poster.address, human.address, feeRecipient];
    const task = await postTask(fixture, await buildTerms(fixture));
    const { taskId, terms } = task;
    const claimed = await claimTask(fixture, task, human);
    const executionDeadline = (await timestampOf(fixture, claimed)) + EXECUTION_WINDOW;
    await send(fixture, market.write.start([taskId], { account: human.wallet.account }));
    await submitWork(fixture, task, human);
    assert.equal(await statusOf(market, taskId), TaskStatus.Submitted);

    // Reject: back to work, nothing paid, the execution deadline unchanged.
    let before = await balancesOf(fixture, ETH, parties);
    const rejected = await send(
      fixture,
      market.write.reject([taskId, terms, REASON_HASH], { account: poster.wallet.account }),
    );
    assertMarketEvents(fixture, rejected.receipt, [
      { eventName: "SubmissionRejected", args: { taskId, verifier: poster.address, reasonHash: REASON_HASH } },
    ]);
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, 0n],
      [poster.address, -rejected.gasCost],
      [human.address, 0n],
      [feeRecipient, 0n],
    ]);
    assert.equal(await statusOf(market, taskId), TaskStatus.InProgress);
    assert.deepEqual(await stateOf(market, taskId), {
      executor: human.address,
      status: TaskStatus.InProgress,
      executionDeadline,
      reviewDeadline: 0,
      flags: FLAG_REJECTED,
    });

    // Resubmit: a new review window starts from the resubmission.
    const resubmitted = await submitWork(fixture, task, human, SECOND_RESULT_HASH, SECOND_RESULT_URI);
    const reviewDeadline = (await timestampOf(fixture, resubmitted)) + REVIEW_WINDOW;
    assertMarketEvents(fixture, resubmitted.receipt, [
      {
        eventName: "WorkSubmitted",
        args: {
          taskId,
          executor: human.address,
          resultHash: SECOND_RESULT_HASH,
          resultURI: SECOND_RESULT_URI,
          reviewDeadline,
        },
      },
    ]);
    assert.equal(await statusOf(market, taskId), TaskStatus.Submitted);

    // Approve the resubmission.
    const fee = feeOf(terms.reward, terms.feeBps);
    const payout = terms.reward - fee;
    before = await balancesOf(fixture, ETH, parties);
    const approved = await send(fixture, market.write.approve([taskId, terms], { account: poster.wallet.account }));
    assertMarketEvents(fixture, approved.receipt, [
      {
        eventName: "TaskSettled",
        args: { taskId, executor: human.address, token: ETH, payout, fee, bondReturned: BOND },
      },
    ]);
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, -(payout + BOND)],
      [poster.address, -approved.gasCost],
      [human.address, payout + BOND],
      [feeRecipient, 0n],
    ]);
    assert.equal(await statusOf(market, taskId), TaskStatus.Settled);
    assert.equal(await accruedFeesOf(market, ETH), fee);
    assert.equal(await earnedOf(market, human.address, ETH), payout);
    // A rejection that ends in an accepted resubmission is not a mark against the executor.
    assert.deepEqual(await executorRecordOf(market, human.address), { ...EMPTY_EXECUTOR_RECORD, completed: 1 });
    assert.deepEqual(await posterRecordOf(market, poster.address), { ...EMPTY_POSTER_RECORD, posted: 1, settled: 1 });
  });

  it("lets only the delegated verifier decide, not the poster", async () => {
    const fixture = await networkHelpers.loadFixture(deployTaskMarket);
    const { market, poster, human, reviewer } = fixture;
    const task = await postTask(fixture, await buildTerms(fixture, { verifier: reviewer.address }));
    const { taskId, terms } = task;
    await claimTask(fixture, task, human);
    await submitWork(fixture, task, human);

    await viem.assertions.revertWithCustomErrorWithArgs(
      market.write.approve([taskId, terms], { account: poster.wallet.account }),
      market,
      "TaskMarket_CallerNotVerifier",
      [taskId, poster.address],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      market.write.reject([taskId, terms, REASON_HASH], { account: poster.wallet.account }),
      market,
      "TaskMarket_CallerNotVerifier",
      [taskId, poster.address],
    );

    const rejected = await send(
      fixture,
      market.write.reject([taskId, terms, REASON_HASH], { account: reviewer.wallet.account }),
    );
    assertMarketEvents(fixture, rejected.receipt, [
      { eventName: "SubmissionRejected", args: { taskId, verifier: reviewer.address, reasonHash: REASON_HASH } },
    ]);
    await submitWork(fixture, task, human, SECOND_RESULT_HASH, SECOND_RESULT_URI);

    const before = await balancesOf(fixture, ETH, [market.address, poster.address, human.address, reviewer.address]);
    const approved = await send(fixture, market.write.approve([taskId, terms], { account: reviewer.wallet.account }));
    const fee = feeOf(terms.reward, terms.feeBps);
    assertMarketEvents(fixture, approved.receipt, [
      {
        eventName: "TaskSettled",
        args: { taskId, executor: human.address, token: ETH, payout: terms.reward - fee, fee, bondReturned: BOND },
      },
    ]);
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, -(terms.reward - fee + BOND)],
      [poster.address, 0n],
      [human.address, terms.reward - fee + BOND],
      [reviewer.address, -approved.gasCost],
    ]);
    assert.equal(await statusOf(market, taskId), TaskStatus.Settled);
  });

  it("counts a rejected executor who does not resubmit in time as rejected, forfeits its bond, and reopens the task", async () => {
    const fixture = await networkHelpers.loadFixture(deployTaskMarket);
    const { market, poster, human, secondHuman } = fixture;
    const task = await postTask(fixture, await buildTerms(fixture));
    const { taskId, terms } = task;
    const claimed = await claimTask(fixture, task, human);
    const executionDeadline = (await timestampOf(fixture, claimed)) + EXECUTION_WINDOW;
    await submitWork(fixture, task, human);
    await send(fixture, market.write.reject([taskId, terms, REASON_HASH], { account: poster.wallet.account }));
    // A rejected task goes back to work, even if the executor had never marked it started.
    assert.equal(await statusOf(market, taskId), TaskStatus.InProgress);

    await networkHelpers.time.increaseTo(executionDeadline);
    assert.equal(await statusOf(market, taskId), TaskStatus.InProgress);
    await networkHelpers.time.increaseTo(executionDeadline + 1);
    assert.equal(await statusOf(market, taskId), TaskStatus.Posted);
    await viem.assertions.revertWithCustomErrorWithArgs(
      market.write.submit([taskId, terms, RESULT_HASH, RESULT_URI], { account: human.wallet.account }),
      market,
      "TaskMarket_InvalidStatus",
      [taskId, TaskStatus.Posted],
    );

    // Another executor claims. The lapse is recorded against the first as a rejection; it had time to resubmit and did
    // not, so its bond is forfeited to the poster.
    const before = await balancesOf(fixture, ETH, [market.address, poster.address, human.address, secondHuman.address]);
    const reclaimed = await claimTask(fixture, task, secondHuman);
    assertMarketEvents(fixture, reclaimed.receipt, [
      {
        eventName: "ClaimLapsed",
        args: { taskId, executor: human.address, afterRejection: true, bondForfeited: BOND },
      },
      {
        eventName: "TaskClaimed",
        args: {
          taskId,
          executor: secondHuman.address,
          executionDeadline: (await timestampOf(fixture, reclaimed)) + EXECUTION_WINDOW,
          bond: BOND,
        },
      },
    ]);
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, 0n],
      [poster.address, BOND],
      [human.address, 0n],
      [secondHuman.address, -BOND - reclaimed.gasCost],
    ]);
    assert.deepEqual(await executorRecordOf(market, human.address), { ...EMPTY_EXECUTOR_RECORD, rejected: 1 });
    assert.equal((await stateOf(market, taskId)).flags, 0, "the new claim starts without the old rejection");
    assert.equal(await statusOf(market, taskId), TaskStatus.Claimed);
  });

  it("refunds the reward and the forfeited bond to the poster when a rejected executor lets the task expire", async () => {
    const fixture = await networkHelpers.loadFixture(deployTaskMarket);
    const { market, poster, human, stranger } = fixture;
    const task = await postTask(fixture, await buildTerms(fixture));
    const { taskId, terms } = task;
    await claimTask(fixture, task, human);
    await submitWork(fixture, task, human);
    await send(fixture, market.write.reject([taskId, terms, REASON_HASH], { account: poster.wallet.account }));
    await networkHelpers.time.increaseTo(terms.claimDeadline + 1);
    assert.equal(await statusOf(market, taskId), TaskStatus.Expired);

    const parties = [market.address, poster.address, human.address, stranger.address];
    const before = await balancesOf(fixture, ETH, parties);
    const refunded = await send(
      fixture,
      market.write.refundExpired([taskId, terms], { account: stranger.wallet.account }),
    );
    assertMarketEvents(fixture, refunded.receipt, [
      {
        eventName: "ClaimLapsed",
        args: { taskId, executor: human.address, afterRejection: true, bondForfeited: BOND },
      },
      {
        eventName: "TaskExpired",
        args: { taskId, poster: poster.address, refund: terms.reward, bondForfeited: BOND },
      },
    ]);
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, -(terms.reward + BOND)],
      [poster.address, terms.reward + BOND],
      [human.address, 0n],
      [stranger.address, -refunded.gasCost],
    ]);
    assert.equal(await statusOf(market, taskId), TaskStatus.Expired);
    assert.deepEqual(await executorRecordOf(market, human.address), { ...EMPTY_EXECUTOR_RECORD, rejected: 1 });
    assert.deepEqual(await posterRecordOf(market, poster.address), { ...EMPTY_POSTER_RECORD, posted: 1, expired: 1 });
  });

  it("returns the bond of an executor rejected after its execution deadline when the poster cancels", async () => {
    const fixture = await networkHelpers.loadFixture(deployTaskMarket);
    const { market, poster, human } = fixture;
    const task = await postTask(fixture, await buildTerms(fixture));
    const { taskId, terms } = task;
    const claimed = await claimTask(fixture, task, human);
    const executionDeadline = (await timestampOf(fixture, claimed)) + EXECUTION_WINDOW;
    // The executor delivers at the last moment; the review window runs past the execution deadline, and the poster
    // rejects only then, leaving no time to resubmit: the claim lapses at once and the bond is not forfeited.
    await networkHelpers.time.increaseTo(executionDeadline - 10);
    await submitWork(fixture, task, human);
    await networkHelpers.time.increaseTo(executionDeadline + 1);
    await send(fixture, market.write.reject([taskId, terms, REASON_HASH], { account: poster.wallet.account }));
    assert.equal(await statusOf(market, taskId), TaskStatus.Posted);

    const before = await balancesOf(fixture, ETH, [market.address, poster.address, human.address]);
    const cancelled = await send(fixture, market.write.cancel([taskId, terms], { account: poster.wallet.account }));
    assertMarketEvents(fixture, cancelled.receipt, [
      {
        eventName: "ClaimLapsed",
        args: { taskId, executor: human.address, afterRejection: true, bondForfeited: 0n },
      },
      {
        eventName: "TaskCancelled",
        args: { taskId, poster: poster.address, refund: terms.reward, bondReturned: BOND },
      },
    ]);
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, -(terms.reward + BOND)],
      [poster.address, terms.reward - cancelled.gasCost],
      [human.address, BOND],
    ]);
    assert.equal(await statusOf(market, taskId), TaskStatus.Cancelled);
  });
});
