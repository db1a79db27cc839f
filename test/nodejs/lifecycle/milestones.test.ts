import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { zeroAddress, zeroHash } from "viem";
import type { Hex } from "viem";

import { CAPABILITIES, deployTaskMarket } from "../helpers/fixtures.js";
import {
  BOND,
  DOCUMENT_URI,
  EXECUTION_WINDOW,
  REVIEW_WINDOW,
  assertBalanceDeltas,
  assertMarketEvents,
  balanceOf,
  balancesOf,
  buildTerms,
  claimTask,
  latestTimestamp,
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
  milestoneAmounts,
  packMilestoneShares,
  posterRecordOf,
  progressOf,
  stateOf,
  statusOf,
  submissionOf,
  unpaidRewardOf,
} from "../helpers/protocol.js";

const { viem, networkHelpers } = await network.create();

const DAY = 24 * 3600;
const FLAG_REJECTED = 1;
const FLAG_VERIFIER_PAID = 1 << 6;
const VERIFIER_FEE = 10_000_000_000_000_007n;
const REASON_HASH: Hex = "0x4444444444444444444444444444444444444444444444444444444444444444";
/** 20 %, 30 % and 50 % of the reward. */
const THREE_MILESTONES = [2_000, 3_000, 5_000];

const resultHashOf = (milestone: number): Hex => `0x${(0xa0 + milestone).toString(16).repeat(32)}`;
const resultURIOf = (milestone: number): string => `ipfs://bafymilestone${milestone}`;

/** Milestone lanes built by hand, for shares that `packMilestoneShares` refuses to pack. */
const rawLanes = (...lanes: number[]): Hex =>
  `0x${lanes
    .map((lane) => lane.toString(16).padStart(4, "0"))
    .join("")
    .padEnd(64, "0")}`;

describe("Milestones", () => {
  it("pays a three-milestone task one milestone at a time, each with a fresh execution window, then settles it", async () => {
    const fixture = await networkHelpers.loadFixture(deployTaskMarket);
    const { market, poster, human, feeRecipient } = fixture;
    const parties = [market.address, poster.address, human.address, feeRecipient];

    const milestoneShares = packMilestoneShares(THREE_MILESTONES);
    // 16-bit lanes from the most significant: 0x07d0 = 2,000, 0x0bb8 = 3,000, 0x1388 = 5,000, then zero lanes.
    assert.equal(milestoneShares, `0x07d00bb81388${"0".repeat(52)}`);
    const localTerms = await buildTerms(fixture, { milestoneShares });
    // The reward is 1 ETH + 3 wei: the first two milestones round down, the last takes the rest.
    const amounts = milestoneAmounts(localTerms.reward, milestoneShares);
    assert.deepEqual(amounts, [200_000_000_000_000_000n, 300_000_000_000_000_000n, 500_000_000_000_000_003n]);
    const fees = amounts.map((amount) => feeOf(amount, localTerms.feeBps));
    const payouts = amounts.map((amount, milestone) => amount - fees[milestone]!);

    // The whole reward is escrowed at creation, as for a single deliverable.
    let before = await balancesOf(fixture, ETH, parties);
    const task = await postTask(fixture, localTerms);
    const { taskId, terms } = task;
    assert.deepEqual(terms, localTerms);
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, terms.reward],
      [poster.address, -terms.reward - task.posted.gasCost],
      [human.address, 0n],
      [feeRecipient, 0n],
    ]);
    assert.deepEqual(await progressOf(market, taskId), { milestonesVerified: 0, heldAt: 0, holdShareBps: 0 });
    assert.equal(await unpaidRewardOf(market, taskId, terms), terms.reward);

    const claimed = await claimTask(fixture, task, human);
    const firstExecutionDeadline = (await timestampOf(fixture, claimed)) + EXECUTION_WINDOW;
    let executionDeadline = firstExecutionDeadline;
    // A day of work on the first milestone, so that the next milestone's window ends a day after the claim's first.
    await networkHelpers.time.increase(DAY);

    for (let milestone = 0; milestone < amounts.length; milestone++) {
      const isLast = milestone === amounts.length - 1;
      if (milestone === 1) {
        // The claim's first execution window has passed: only the fresh window of this milestone keeps the task alive.
        await networkHelpers.time.increaseTo(firstExecutionDeadline + 1);
        assert.ok(firstExecutionDeadline < executionDeadline);
        assert.equal(await statusOf(market, taskId), TaskStatus.InProgress);
      }

      const submitted = await submitWork(fixture, task, human, resultHashOf(milestone), resultURIOf(milestone));
      assertMarketEvents(fixture, submitted.receipt, [
        {
          eventName: "WorkSubmitted",
          args: {
            taskId,
            executor: human.address,
            resultHash: resultHashOf(milestone),
            resultURI: resultURIOf(milestone),
            reviewDeadline: (await timestampOf(fixture, submitted)) + REVIEW_WINDOW,
          },
        },
      ]);
      assert.equal(await statusOf(market, taskId), TaskStatus.Submitted);

      if (milestone === 1) {
        // A rejection within a milestone works as it does for a single deliverable, and does not outlive it.
        await send(fixture, market.write.reject([taskId, terms, REASON_HASH], { account: poster.wallet.account }));
        assert.equal((await stateOf(market, taskId)).flags, FLAG_REJECTED);
        assert.equal(await statusOf(market, taskId), TaskStatus.InProgress);
        await submitWork(fixture, task, human, resultHashOf(milestone), resultURIOf(milestone));
      }

      before = await balancesOf(fixture, ETH, parties);
      const approved = await send(fixture, market.write.approve([taskId, terms], { account: poster.wallet.account }));
      const approvedAt = await timestampOf(fixture, approved);
      const payout = payouts[milestone]!;
      const fee = fees[milestone]!;
      if (isLast) {
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
      } else {
        assertMarketEvents(fixture, approved.receipt, [
          {
            eventName: "MilestoneSettled",
            args: { taskId, executor: human.address, milestone: BigInt(milestone), payout, fee, refund: 0n },
          },
        ]);
        // The milestone's payout, and nothing else: the bond stays locked until the last milestone.
        await assertBalanceDeltas(fixture, ETH, before, [
          [market.address, -payout],
          [poster.address, -approved.gasCost],
          [human.address, payout],
          [feeRecipient, 0n],
        ]);
        // Back to work on the next milestone with a fresh execution window, the rejection forgotten.
        executionDeadline = approvedAt + EXECUTION_WINDOW;
        assert.equal(await statusOf(market, taskId), TaskStatus.InProgress);
        assert.deepEqual(await stateOf(market, taskId), {
          executor: human.address,
          status: TaskStatus.InProgress,
          executionDeadline,
          reviewDeadline: 0,
          flags: 0,
        });
      }
      assert.deepEqual(await progressOf(market, taskId), {
        milestonesVerified: milestone + 1,
        heldAt: 0,
        holdShareBps: 0,
      });
      const paidSoFar = amounts.slice(0, milestone + 1).reduce((sum, amount) => sum + amount, 0n);
      assert.equal(await unpaidRewardOf(market, taskId, terms), terms.reward - paidSoFar);
    }

    // Only the protocol fees are left in the market; the executor got the reward net of them, and its bond back.
    const totalFees = fees.reduce((sum, fee) => sum + fee, 0n);
    const totalPayout = payouts.reduce((sum, payout) => sum + payout, 0n);
    assert.equal(totalFees + totalPayout, terms.reward);
    assert.equal(await balanceOf(fixture, ETH, market.address), totalFees);
    assert.equal(await accruedFeesOf(market, ETH), totalFees);
    assert.equal(await earnedOf(market, human.address, ETH), totalPayout);
    // A poster-reviewed task records no submission hash.
    assert.equal(await submissionOf(market, taskId), zeroHash);
    // One task, one completion: milestones are not counted separately.
    assert.deepEqual(await executorRecordOf(market, human.address), { ...EMPTY_EXECUTOR_RECORD, completed: 1 });
    assert.deepEqual(await posterRecordOf(market, poster.address), { ...EMPTY_POSTER_RECORD, posted: 1, settled: 1 });
  });

  it("keeps a settled milestone paid when the task is cancelled by consent, and refunds the rest", async () => {
    const fixture = await networkHelpers.loadFixture(deployTaskMarket);
    const { market, poster, human } = fixture;
    const task = await postTask(
      fixture,
      await buildTerms(fixture, { milestoneShares: packMilestoneShares(THREE_MILESTONES) }),
    );
    const { taskId, terms } = task;
    const [firstAmount] = milestoneAmounts(terms.reward, terms.milestoneShares);
    await claimTask(fixture, task, human);
    await submitWork(fixture, task, human);
    await send(fixture, market.write.approve([taskId, terms], { account: poster.wallet.account }));

    await send(fixture, market.write.consentToCancel([taskId, terms], { account: human.wallet.account }));
    const before = await balancesOf(fixture, ETH, [market.address, poster.address, human.address]);
    const cancelled = await send(
      fixture,
      market.write.consentToCancel([taskId, terms], { account: poster.wallet.account }),
    );
    const refund = terms.reward - firstAmount!;
    assertMarketEvents(fixture, cancelled.receipt, [
      { eventName: "CancellationConsented", args: { taskId, party: poster.address } },
      { eventName: "TaskCancelled", args: { taskId, poster: poster.address, refund, bondReturned: BOND } },
    ]);
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, -(refund + BOND)],
      [poster.address, refund - cancelled.gasCost],
      [human.address, BOND],
    ]);
    assert.equal(await statusOf(market, taskId), TaskStatus.Cancelled);
    assert.equal(await balanceOf(fixture, ETH, market.address), feeOf(firstAmount!, terms.feeBps));
  });

  it("settles a held milestone with its default share and sends the executor on to the next", async () => {
    const fixture = await networkHelpers.loadFixture(deployTaskMarket);
    const { market, poster, human, reviewer, stranger } = fixture;
    const parties = [market.address, poster.address, human.address, reviewer.address, stranger.address];
    const task = await postTask(
      fixture,
      await buildTerms(fixture, {
        verifier: reviewer.address,
        verifierFee: VERIFIER_FEE,
        milestoneShares: packMilestoneShares([4_000, 6_000]),
      }),
    );
    const { taskId, terms } = task;
    const [first, last] = milestoneAmounts(terms.reward, terms.milestoneShares) as [bigint, bigint];
    await claimTask(fixture, task, human);
    await submitWork(fixture, task, human);
    const until = (await latestTimestamp(fixture)) + 5 * DAY;
    await send(fixture, market.write.hold([taskId, terms, until, 2_500], { account: reviewer.wallet.account }));
    await networkHelpers.time.increaseTo(until + 1);
    assert.equal(await statusOf(market, taskId), TaskStatus.Verified);

    // A quarter of the first milestone to the executor, the rest of it back to the poster; the bond stays locked.
    const gross = (first * 2_500n) / 10_000n;
    const fee = feeOf(gross, terms.feeBps);
    const payout = gross - fee;
    const refund = first - gross;
    let before = await balancesOf(fixture, ETH, parties);
    const released = await send(fixture, market.write.release([taskId, terms], { account: stranger.wallet.account }));
    assertMarketEvents(fixture, released.receipt, [
      { eventName: "TaskVerified", args: { taskId } },
      {
        eventName: "MilestoneSettled",
        args: { taskId, executor: human.address, milestone: 0n, payout, fee, refund },
      },
    ]);
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, -(payout + refund)],
      [poster.address, refund],
      [human.address, payout],
      [reviewer.address, 0n],
      [stranger.address, -released.gasCost],
    ]);
    assert.deepEqual(await stateOf(market, taskId), {
      executor: human.address,
      status: TaskStatus.InProgress,
      executionDeadline: (await timestampOf(fixture, released)) + EXECUTION_WINDOW,
      reviewDeadline: 0,
      flags: FLAG_VERIFIER_PAID,
    });
    assert.equal(await unpaidRewardOf(market, taskId, terms), last);

    // The next milestone is reviewed afresh, in full: the old hold's default share does not carry over.
    await submitWork(fixture, task, human, resultHashOf(1), resultURIOf(1));
    const lastFee = feeOf(last, terms.feeBps);
    before = await balancesOf(fixture, ETH, parties);
    const approved = await send(fixture, market.write.approve([taskId, terms], { account: reviewer.wallet.account }));
    assertMarketEvents(fixture, approved.receipt, [
      {
        eventName: "TaskSettled",
        args: { taskId, executor: human.address, token: ETH, payout: last - lastFee, fee: lastFee, bondReturned: BOND },
      },
    ]);
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, -(last - lastFee + BOND)],
      [poster.address, 0n],
      [human.address, last - lastFee + BOND],
      [reviewer.address, -approved.gasCost],
      [stranger.address, 0n],
    ]);
    assert.equal(await balanceOf(fixture, ETH, market.address), fee + lastFee);
  });

  it("releases milestones in silence and refunds the unearned verifier fee with the last", async () => {
    const fixture = await networkHelpers.loadFixture(deployTaskMarket);
    const { market, poster, human, reviewer, stranger } = fixture;
    const parties = [market.address, poster.address, human.address, reviewer.address, stranger.address];
    const task = await postTask(
      fixture,
      await buildTerms(fixture, {
        verifier: reviewer.address,
        verifierFee: VERIFIER_FEE,
        milestoneShares: packMilestoneShares([5_000, 5_000]),
      }),
    );
    const { taskId, terms } = task;
    const amounts = milestoneAmounts(terms.reward, terms.milestoneShares);
    await claimTask(fixture, task, human);

    let marketFees = 0n;
    for (const [milestone, amount] of amounts.entries()) {
      const isLast = milestone === amounts.length - 1;
      const submitted = await submitWork(fixture, task, human, resultHashOf(milestone), resultURIOf(milestone));
      await networkHelpers.time.increaseTo((await timestampOf(fixture, submitted)) + REVIEW_WINDOW + 1);
      const fee = feeOf(amount, terms.feeBps);
      marketFees += fee;
      const before = await balancesOf(fixture, ETH, parties);
      const released = await send(fixture, market.write.release([taskId, terms], { account: stranger.wallet.account }));
      assertMarketEvents(fixture, released.receipt, [
        { eventName: "TaskVerified", args: { taskId } },
        isLast
          ? {
              eventName: "TaskSettled",
              args: { taskId, executor: human.address, token: ETH, payout: amount - fee, fee, bondReturned: BOND },
            }
          : {
              eventName: "MilestoneSettled",
              args: { taskId, executor: human.address, milestone: 0n, payout: amount - fee, fee, refund: 0n },
            },
        // The fee stays in escrow while the verifier may still earn it, and goes back with the last milestone.
        ...(isLast
          ? [{ eventName: "SettlementRefunded", args: { taskId, poster: poster.address, refund: VERIFIER_FEE } }]
          : []),
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, -(amount - fee + (isLast ? BOND + VERIFIER_FEE : 0n))],
        [poster.address, isLast ? VERIFIER_FEE : 0n],
        [human.address, amount - fee + (isLast ? BOND : 0n)],
        [reviewer.address, 0n],
        [stranger.address, -released.gasCost],
      ]);
    }
    assert.equal(await statusOf(market, taskId), TaskStatus.Settled);
    assert.equal(await balanceOf(fixture, ETH, market.address), marketFees);
  });

  it("lets a new executor take over the remaining milestones when a claim lapses between them", async () => {
    const fixture = await networkHelpers.loadFixture(deployTaskMarket);
    const { market, poster, human, secondHuman } = fixture;
    const task = await postTask(
      fixture,
      await buildTerms(fixture, { milestoneShares: packMilestoneShares(THREE_MILESTONES) }),
    );
    const { taskId, terms } = task;
    const amounts = milestoneAmounts(terms.reward, terms.milestoneShares);
    await claimTask(fixture, task, human);
    await submitWork(fixture, task, human);
    const approved = await send(fixture, market.write.approve([taskId, terms], { account: poster.wallet.account }));

    // The first executor stops after the first milestone; its fresh window runs out and the task opens again.
    await networkHelpers.time.increaseTo((await timestampOf(fixture, approved)) + EXECUTION_WINDOW + 1);
    assert.equal(await statusOf(market, taskId), TaskStatus.Posted);
    const before = await balancesOf(fixture, ETH, [market.address, poster.address, human.address, secondHuman.address]);
    const reclaimed = await claimTask(fixture, task, secondHuman);
    assertMarketEvents(fixture, reclaimed.receipt, [
      {
        eventName: "ClaimLapsed",
        args: { taskId, executor: human.address, afterRejection: false, bondForfeited: BOND },
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

    // The paid milestone stays paid; the new executor delivers the second.
    assert.deepEqual(await progressOf(market, taskId), { milestonesVerified: 1, heldAt: 0, holdShareBps: 0 });
    assert.equal(await unpaidRewardOf(market, taskId, terms), terms.reward - amounts[0]!);
    await submitWork(fixture, task, secondHuman, resultHashOf(1), resultURIOf(1));
    const second = await send(fixture, market.write.approve([taskId, terms], { account: poster.wallet.account }));
    const fee = feeOf(amounts[1]!, terms.feeBps);
    assertMarketEvents(fixture, second.receipt, [
      {
        eventName: "MilestoneSettled",
        args: { taskId, executor: secondHuman.address, milestone: 1n, payout: amounts[1]! - fee, fee, refund: 0n },
      },
    ]);
    assert.deepEqual(await executorRecordOf(market, human.address), { ...EMPTY_EXECUTOR_RECORD, expired: 1 });
  });

  it("refuses milestone shares that are not 2 to 16 leading non-zero lanes summing to 10,000", async () => {
    const fixture = await networkHelpers.loadFixture(deployTaskMarket);
    const { market, poster } = fixture;
    for (const milestoneShares of [
      rawLanes(10_000), // a single milestone
      rawLanes(5_000, 4_999), // short of the whole reward
      rawLanes(5_000, 5_001), // more than the whole reward
      rawLanes(5_000, 0, 5_000), // a share after a zero lane
      rawLanes(0, 5_000, 5_000), // a leading zero lane
    ]) {
      const terms = await buildTerms(fixture, { milestoneShares });
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.createTask([terms, CAPABILITIES, DOCUMENT_URI], {
          account: poster.wallet.account,
          value: terms.reward,
        }),
        market,
        "TaskMarket_InvalidMilestoneShares",
        [milestoneShares],
      );
    }
    // Sixteen milestones is the most, and valid.
    const sixteen = packMilestoneShares(Array<number>(16).fill(625));
    const task = await postTask(fixture, await buildTerms(fixture, { milestoneShares: sixteen }));
    assert.equal(task.terms.milestoneShares, sixteen);
  });
});
