import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { zeroAddress } from "viem";
import type { Hex } from "viem";

import { CAPABILITIES, deployTaskMarket, type TaskMarketFixture } from "../helpers/fixtures.js";
import {
  BOND,
  DOCUMENT_URI,
  EXECUTION_WINDOW,
  RESULT_HASH,
  RESULT_URI,
  REVIEW_WINDOW,
  assertBalanceDeltas,
  assertMarketEvents,
  balanceOf,
  balancesOf,
  buildTerms,
  claimTask,
  escrowOf,
  latestTimestamp,
  postTask,
  postTokenTask,
  send,
  submitWork,
  timestampOf,
  type PostedTask,
} from "../helpers/lifecycle.js";
import {
  BPS,
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
  type TaskTerms,
} from "../helpers/protocol.js";

const { viem, networkHelpers } = await network.create();

const DAY = 24 * 3600;
const MAX_HOLD_DURATION = 180 * DAY;
const FLAG_REJECTED = 1;
const FLAG_VERIFIER_PAID = 1 << 6;
/** 0.01 ETH + 7 wei: not a round figure, so that a fee mixed up with another amount shows. */
const VERIFIER_FEE = 10_000_000_000_000_007n;
const VERIFIER_CONFIG_HASH: Hex = "0x6666666666666666666666666666666666666666666666666666666666666666";
const REASON_HASH: Hex = "0x4444444444444444444444444444444444444444444444444444444444444444";
const SECOND_RESULT_HASH: Hex = "0x5555555555555555555555555555555555555555555555555555555555555555";
const SECOND_RESULT_URI = "ipfs://bafyresultv2";

/** Terms of a task decided by `fixture.reviewer`, for a verifier fee on top of the reward. */
function reviewedTerms(fixture: TaskMarketFixture, overrides: Partial<TaskTerms> = {}): Promise<TaskTerms> {
  return buildTerms(fixture, {
    verifier: fixture.reviewer.address,
    verifierFee: VERIFIER_FEE,
    verifierConfigHash: VERIFIER_CONFIG_HASH,
    ...overrides,
  });
}

/** Posts a reviewed task, has `fixture.human` claim it and submit `RESULT_HASH`. */
async function postClaimAndSubmit(fixture: TaskMarketFixture, terms: TaskTerms): Promise<PostedTask> {
  const task = await postTask(fixture, terms);
  await claimTask(fixture, task, fixture.human);
  await submitWork(fixture, task, fixture.human);
  return task;
}

/** How a settlement with `shareBps` for the executor divides `amount`, as the contract computes it. */
function split(amount: bigint, shareBps: number, feeBps: number) {
  const gross = (amount * BigInt(shareBps)) / BigInt(BPS);
  const fee = feeOf(gross, feeBps);
  return { payout: gross - fee, fee, refund: amount - gross };
}

describe("Delegated verification", () => {
  describe("verifier fee", () => {
    it("escrows the fee on top of the reward and pays it to the reviewer for its first decision only", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human, reviewer, feeRecipient } = fixture;
      const parties = [market.address, poster.address, human.address, reviewer.address, feeRecipient];

      // Create: the poster escrows the reward and the verifier fee.
      const localTerms = await reviewedTerms(fixture);
      let before = await balancesOf(fixture, ETH, parties);
      const task = await postTask(fixture, localTerms);
      const { taskId, terms } = task;
      assert.deepEqual(terms, localTerms, "the fee and the configuration hash are part of the terms");
      assert.equal(escrowOf(terms), terms.reward + VERIFIER_FEE);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, terms.reward + VERIFIER_FEE],
        [poster.address, -(terms.reward + VERIFIER_FEE) - task.posted.gasCost],
        [human.address, 0n],
        [reviewer.address, 0n],
        [feeRecipient, 0n],
      ]);

      await claimTask(fixture, task, human);
      await submitWork(fixture, task, human);
      // A delegated verifier's decisions are bound to the result they judge.
      assert.equal(await submissionOf(market, taskId), RESULT_HASH);

      // The first decision, a rejection, earns the fee.
      before = await balancesOf(fixture, ETH, parties);
      const rejected = await send(
        fixture,
        market.write.reject([taskId, terms, REASON_HASH], { account: reviewer.wallet.account }),
      );
      assertMarketEvents(fixture, rejected.receipt, [
        { eventName: "SubmissionRejected", args: { taskId, verifier: reviewer.address, reasonHash: REASON_HASH } },
        { eventName: "VerifierPaid", args: { taskId, verifier: reviewer.address, amount: VERIFIER_FEE } },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, -VERIFIER_FEE],
        [poster.address, 0n],
        [human.address, 0n],
        [reviewer.address, VERIFIER_FEE - rejected.gasCost],
        [feeRecipient, 0n],
      ]);
      assert.equal((await stateOf(market, taskId)).flags, FLAG_REJECTED | FLAG_VERIFIER_PAID);

      // The next decision earns nothing more.
      await submitWork(fixture, task, human, SECOND_RESULT_HASH, SECOND_RESULT_URI);
      assert.equal(await submissionOf(market, taskId), SECOND_RESULT_HASH);
      const fee = feeOf(terms.reward, terms.feeBps);
      const payout = terms.reward - fee;
      before = await balancesOf(fixture, ETH, parties);
      const approved = await send(fixture, market.write.approve([taskId, terms], { account: reviewer.wallet.account }));
      assertMarketEvents(fixture, approved.receipt, [
        {
          eventName: "TaskSettled",
          args: { taskId, executor: human.address, token: ETH, payout, fee, bondReturned: BOND },
        },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, -(payout + BOND)],
        [poster.address, 0n],
        [human.address, payout + BOND],
        [reviewer.address, -approved.gasCost],
        [feeRecipient, 0n],
      ]);
      assert.equal(await statusOf(market, taskId), TaskStatus.Settled);
      assert.equal(await balanceOf(fixture, ETH, market.address), fee);
      assert.equal(await accruedFeesOf(market, ETH), fee);
      assert.equal(await earnedOf(market, human.address, ETH), payout);
      assert.equal(await earnedOf(market, reviewer.address, ETH), 0n, "the verifier fee is not executor earnings");
    });

    it("pays the fee with the settlement when the reviewer's first decision is an approval", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human, reviewer } = fixture;
      const { taskId, terms } = await postClaimAndSubmit(fixture, await reviewedTerms(fixture));
      const fee = feeOf(terms.reward, terms.feeBps);
      const payout = terms.reward - fee;

      const before = await balancesOf(fixture, ETH, [market.address, poster.address, human.address, reviewer.address]);
      const approved = await send(fixture, market.write.approve([taskId, terms], { account: reviewer.wallet.account }));
      assertMarketEvents(fixture, approved.receipt, [
        {
          eventName: "TaskSettled",
          args: { taskId, executor: human.address, token: ETH, payout, fee, bondReturned: BOND },
        },
        { eventName: "VerifierPaid", args: { taskId, verifier: reviewer.address, amount: VERIFIER_FEE } },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, -(payout + BOND + VERIFIER_FEE)],
        [poster.address, 0n],
        [human.address, payout + BOND],
        [reviewer.address, VERIFIER_FEE - approved.gasCost],
      ]);
      assert.equal(await balanceOf(fixture, ETH, market.address), fee);
    });

    it("escrows and pays the fee in the task's token for an ERC-20 task", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, token, poster, human, reviewer } = fixture;
      const parties = [market.address, poster.address, human.address, reviewer.address];
      const localTerms = await reviewedTerms(fixture, { token: token.address });

      // The poster approves exactly the reward plus the fee, and the market pulls all of it.
      let before = await balancesOf(fixture, token.address, parties);
      const task = await postTokenTask(fixture, localTerms);
      const { taskId, terms } = task;
      assert.deepEqual(terms, localTerms);
      await assertBalanceDeltas(fixture, token.address, before, [
        [market.address, terms.reward + VERIFIER_FEE],
        [poster.address, -(terms.reward + VERIFIER_FEE)],
        [human.address, 0n],
        [reviewer.address, 0n],
      ]);
      assert.equal(await token.read.allowance([poster.address, market.address]), 0n);

      await claimTask(fixture, task, human);
      await submitWork(fixture, task, human);
      const fee = feeOf(terms.reward, terms.feeBps);
      const payout = terms.reward - fee;
      before = await balancesOf(fixture, token.address, parties);
      const approved = await send(fixture, market.write.approve([taskId, terms], { account: reviewer.wallet.account }));
      assertMarketEvents(fixture, approved.receipt, [
        {
          eventName: "TaskSettled",
          args: { taskId, executor: human.address, token: token.address, payout, fee, bondReturned: BOND },
        },
        { eventName: "VerifierPaid", args: { taskId, verifier: reviewer.address, amount: VERIFIER_FEE } },
      ]);
      await assertBalanceDeltas(fixture, token.address, before, [
        [market.address, -(payout + BOND + VERIFIER_FEE)],
        [poster.address, 0n],
        [human.address, payout + BOND],
        [reviewer.address, VERIFIER_FEE],
      ]);
      assert.equal(await balanceOf(fixture, token.address, market.address), fee);
      assert.equal(await accruedFeesOf(market, token.address), fee);
    });

    it("refunds the fee to the poster when the reviewer lets the review window elapse", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human, reviewer, stranger } = fixture;
      const { taskId, terms } = await postClaimAndSubmit(fixture, await reviewedTerms(fixture));
      const { reviewDeadline } = await stateOf(market, taskId);
      await networkHelpers.time.increaseTo(reviewDeadline + 1);
      assert.equal(await statusOf(market, taskId), TaskStatus.Verified);
      const fee = feeOf(terms.reward, terms.feeBps);
      const payout = terms.reward - fee;

      const parties = [market.address, poster.address, human.address, reviewer.address, stranger.address];
      const before = await balancesOf(fixture, ETH, parties);
      const released = await send(fixture, market.write.release([taskId, terms], { account: stranger.wallet.account }));
      assertMarketEvents(fixture, released.receipt, [
        { eventName: "TaskVerified", args: { taskId } },
        {
          eventName: "TaskSettled",
          args: { taskId, executor: human.address, token: ETH, payout, fee, bondReturned: BOND },
        },
        { eventName: "SettlementRefunded", args: { taskId, poster: poster.address, refund: VERIFIER_FEE } },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, -(payout + BOND + VERIFIER_FEE)],
        [poster.address, VERIFIER_FEE],
        [human.address, payout + BOND],
        [reviewer.address, 0n],
        [stranger.address, -released.gasCost],
      ]);
      assert.equal(await balanceOf(fixture, ETH, market.address), fee);
    });

    it("refunds the fee with the reward when an unclaimed task is cancelled", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, reviewer } = fixture;
      const { taskId, terms } = await postTask(fixture, await reviewedTerms(fixture));
      const before = await balancesOf(fixture, ETH, [market.address, poster.address, reviewer.address]);
      const cancelled = await send(fixture, market.write.cancel([taskId, terms], { account: poster.wallet.account }));
      assertMarketEvents(fixture, cancelled.receipt, [
        {
          eventName: "TaskCancelled",
          args: { taskId, poster: poster.address, refund: terms.reward + VERIFIER_FEE, bondReturned: 0n },
        },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, -(terms.reward + VERIFIER_FEE)],
        [poster.address, terms.reward + VERIFIER_FEE - cancelled.gasCost],
        [reviewer.address, 0n],
      ]);
    });

    it("refuses a fee without a verifier, and an escrow that is not the reward plus the fee", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster } = fixture;
      const create = (terms: TaskTerms, value: bigint) =>
        market.write.createTask([terms, CAPABILITIES, DOCUMENT_URI], { account: poster.wallet.account, value });

      const unpaid = await reviewedTerms(fixture, { verifier: zeroAddress });
      await viem.assertions.revertWithCustomError(
        create(unpaid, escrowOf(unpaid)),
        market,
        "TaskMarket_VerifierFeeWithoutVerifier",
      );
      const terms = await reviewedTerms(fixture);
      for (const value of [terms.reward, escrowOf(terms) - 1n, escrowOf(terms) + 1n]) {
        await viem.assertions.revertWithCustomErrorWithArgs(
          create(terms, value),
          market,
          "TaskMarket_IncorrectPayment",
          [escrowOf(terms), value],
        );
      }
    });
  });

  describe("holds", () => {
    it("settles a held submission with the default share once the hold ends, after one extension", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human, reviewer, stranger, feeRecipient } = fixture;
      const parties = [market.address, poster.address, human.address, reviewer.address, stranger.address, feeRecipient];
      const { taskId, terms } = await postClaimAndSubmit(fixture, await reviewedTerms(fixture));
      const { executionDeadline } = await stateOf(market, taskId);

      // Only the delegated verifier may hold, with a share of at most 100 %.
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.hold([taskId, terms, (await latestTimestamp(fixture)) + DAY, 7_000], {
          account: poster.wallet.account,
        }),
        market,
        "TaskMarket_CallerNotVerifier",
        [taskId, poster.address],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.hold([taskId, terms, (await latestTimestamp(fixture)) + DAY, BPS + 1], {
          account: reviewer.wallet.account,
        }),
        market,
        "TaskMarket_InvalidShare",
        [BigInt(BPS + 1)],
      );

      // The hold: the review clock stops, and the reviewer earns its fee for this first decision.
      const until = (await latestTimestamp(fixture)) + 10 * DAY;
      let before = await balancesOf(fixture, ETH, parties);
      const held = await send(
        fixture,
        market.write.hold([taskId, terms, until, 7_000], { account: reviewer.wallet.account }),
      );
      const heldAt = await timestampOf(fixture, held);
      assertMarketEvents(fixture, held.receipt, [
        {
          eventName: "SubmissionHeld",
          args: { taskId, verifier: reviewer.address, until, defaultShareBps: 7_000 },
        },
        { eventName: "VerifierPaid", args: { taskId, verifier: reviewer.address, amount: VERIFIER_FEE } },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, -VERIFIER_FEE],
        [poster.address, 0n],
        [human.address, 0n],
        [reviewer.address, VERIFIER_FEE - held.gasCost],
        [stranger.address, 0n],
        [feeRecipient, 0n],
      ]);
      assert.equal(await statusOf(market, taskId), TaskStatus.Disputed);
      assert.deepEqual(await stateOf(market, taskId), {
        executor: human.address,
        status: TaskStatus.Disputed,
        executionDeadline,
        reviewDeadline: until,
        flags: FLAG_VERIFIER_PAID,
      });
      assert.deepEqual(await progressOf(market, taskId), { milestonesVerified: 0, heldAt, holdShareBps: 7_000 });
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.release([taskId, terms], { account: stranger.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Disputed],
      );

      // An extension keeps the time the hold was first placed, and earns no second fee. No hold reaches past
      // MAX_HOLD_DURATION from then.
      const latest = heldAt + MAX_HOLD_DURATION;
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.hold([taskId, terms, latest + 1, 6_000], { account: reviewer.wallet.account }),
        market,
        "TaskMarket_InvalidHoldEnd",
        [latest + 1, BigInt(latest)],
      );
      const extendedUntil = until + 5 * DAY;
      before = await balancesOf(fixture, ETH, parties);
      const extended = await send(
        fixture,
        market.write.hold([taskId, terms, extendedUntil, 6_000], { account: reviewer.wallet.account }),
      );
      assertMarketEvents(fixture, extended.receipt, [
        {
          eventName: "SubmissionHeld",
          args: { taskId, verifier: reviewer.address, until: extendedUntil, defaultShareBps: 6_000 },
        },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, 0n],
        [poster.address, 0n],
        [human.address, 0n],
        [reviewer.address, -extended.gasCost],
        [stranger.address, 0n],
        [feeRecipient, 0n],
      ]);
      assert.deepEqual(await progressOf(market, taskId), { milestonesVerified: 0, heldAt, holdShareBps: 6_000 });

      // The hold runs to its end inclusive, well past the review window it replaced.
      assert.ok(extendedUntil > (await timestampOf(fixture, held)) + REVIEW_WINDOW);
      await networkHelpers.time.increaseTo(extendedUntil);
      assert.equal(await statusOf(market, taskId), TaskStatus.Disputed);
      await networkHelpers.time.increaseTo(extendedUntil + 1);
      assert.equal(await statusOf(market, taskId), TaskStatus.Verified);
      // Too late for the reviewer to decide.
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.approve([taskId, terms], { account: reviewer.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Verified],
      );

      // Anyone releases it with the default share of the last hold: 60 % to the executor, 40 % back to the poster.
      const { payout, fee, refund } = split(terms.reward, 6_000, terms.feeBps);
      before = await balancesOf(fixture, ETH, parties);
      const released = await send(fixture, market.write.release([taskId, terms], { account: stranger.wallet.account }));
      assertMarketEvents(fixture, released.receipt, [
        { eventName: "TaskVerified", args: { taskId } },
        {
          eventName: "TaskSettled",
          args: { taskId, executor: human.address, token: ETH, payout, fee, bondReturned: BOND },
        },
        // The verifier fee was earned by the hold: nothing of it is refunded.
        { eventName: "SettlementRefunded", args: { taskId, poster: poster.address, refund } },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, -(payout + BOND + refund)],
        [poster.address, refund],
        [human.address, payout + BOND],
        [reviewer.address, 0n],
        [stranger.address, -released.gasCost],
        [feeRecipient, 0n],
      ]);
      assert.equal(await statusOf(market, taskId), TaskStatus.Settled);
      assert.equal(await balanceOf(fixture, ETH, market.address), fee);
      assert.equal(await accruedFeesOf(market, ETH), fee);
      assert.equal(await earnedOf(market, human.address, ETH), payout);
      // A hold that runs out is not a dispute resolved.
      assert.deepEqual(await executorRecordOf(market, human.address), { ...EMPTY_EXECUTOR_RECORD, completed: 1 });
      assert.deepEqual(await posterRecordOf(market, poster.address), { ...EMPTY_POSTER_RECORD, posted: 1, settled: 1 });
    });

    it("settles a held submission with the share the reviewer resolves, and records the dispute", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human, reviewer, feeRecipient } = fixture;
      const parties = [market.address, poster.address, human.address, reviewer.address, feeRecipient];
      const { taskId, terms } = await postClaimAndSubmit(fixture, await reviewedTerms(fixture));
      await send(
        fixture,
        market.write.hold([taskId, terms, (await latestTimestamp(fixture)) + 30 * DAY, BPS], {
          account: reviewer.wallet.account,
        }),
      );
      await networkHelpers.time.increase(20 * DAY);

      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.resolve([taskId, terms, 3_000], { account: poster.wallet.account }),
        market,
        "TaskMarket_CallerNotVerifier",
        [taskId, poster.address],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.resolve([taskId, terms, BPS + 1], { account: reviewer.wallet.account }),
        market,
        "TaskMarket_InvalidShare",
        [BigInt(BPS + 1)],
      );

      // 30 % to the executor, the rest to the poster; the fee was paid for the hold.
      const { payout, fee, refund } = split(terms.reward, 3_000, terms.feeBps);
      const before = await balancesOf(fixture, ETH, parties);
      const resolved = await send(
        fixture,
        market.write.resolve([taskId, terms, 3_000], { account: reviewer.wallet.account }),
      );
      assertMarketEvents(fixture, resolved.receipt, [
        { eventName: "SubmissionResolved", args: { taskId, verifier: reviewer.address, executorShareBps: 3_000 } },
        {
          eventName: "TaskSettled",
          args: { taskId, executor: human.address, token: ETH, payout, fee, bondReturned: BOND },
        },
        { eventName: "SettlementRefunded", args: { taskId, poster: poster.address, refund } },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, -(payout + BOND + refund)],
        [poster.address, refund],
        [human.address, payout + BOND],
        [reviewer.address, -resolved.gasCost],
        [feeRecipient, 0n],
      ]);
      assert.equal(payout + fee + refund, terms.reward);
      assert.equal(await statusOf(market, taskId), TaskStatus.Settled);
      assert.equal(await balanceOf(fixture, ETH, market.address), fee);
      assert.equal(await earnedOf(market, human.address, ETH), payout);
      // Less than half: a dispute lost, though the executor was paid for its part.
      assert.deepEqual(await executorRecordOf(market, human.address), {
        ...EMPTY_EXECUTOR_RECORD,
        completed: 1,
        disputesLost: 1,
      });
    });

    it("settles an unheld submission with a resolved share, paying the fee with it and recording no dispute", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human, reviewer } = fixture;
      const { taskId, terms } = await postClaimAndSubmit(fixture, await reviewedTerms(fixture));
      const { payout, fee, refund } = split(terms.reward, 5_000, terms.feeBps);

      const before = await balancesOf(fixture, ETH, [market.address, poster.address, human.address, reviewer.address]);
      const resolved = await send(
        fixture,
        market.write.resolve([taskId, terms, 5_000], { account: reviewer.wallet.account }),
      );
      assertMarketEvents(fixture, resolved.receipt, [
        { eventName: "SubmissionResolved", args: { taskId, verifier: reviewer.address, executorShareBps: 5_000 } },
        {
          eventName: "TaskSettled",
          args: { taskId, executor: human.address, token: ETH, payout, fee, bondReturned: BOND },
        },
        { eventName: "SettlementRefunded", args: { taskId, poster: poster.address, refund } },
        { eventName: "VerifierPaid", args: { taskId, verifier: reviewer.address, amount: VERIFIER_FEE } },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, -(payout + BOND + refund + VERIFIER_FEE)],
        [poster.address, refund],
        [human.address, payout + BOND],
        [reviewer.address, VERIFIER_FEE - resolved.gasCost],
      ]);
      assert.deepEqual(await executorRecordOf(market, human.address), { ...EMPTY_EXECUTOR_RECORD, completed: 1 });
    });

    it("gives the executor back the time a rejected submission spent on hold", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human, reviewer } = fixture;
      const task = await postTask(fixture, await reviewedTerms(fixture));
      const { taskId, terms } = task;
      const claimed = await claimTask(fixture, task, human);
      const executionDeadline = (await timestampOf(fixture, claimed)) + EXECUTION_WINDOW;

      // The executor submits a day before its deadline; the reviewer holds the submission for ten days, then rejects
      // it, well after the original deadline.
      await networkHelpers.time.increaseTo(executionDeadline - DAY);
      await submitWork(fixture, task, human);
      const held = await send(
        fixture,
        market.write.hold([taskId, terms, executionDeadline + 30 * DAY, 0], { account: reviewer.wallet.account }),
      );
      const heldAt = await timestampOf(fixture, held);
      await networkHelpers.time.increaseTo(heldAt + 10 * DAY);
      const before = await balancesOf(fixture, ETH, [market.address, poster.address, human.address, reviewer.address]);
      const rejected = await send(
        fixture,
        market.write.reject([taskId, terms, REASON_HASH], { account: reviewer.wallet.account }),
      );
      const rejectedAt = await timestampOf(fixture, rejected);
      assertMarketEvents(fixture, rejected.receipt, [
        { eventName: "SubmissionRejected", args: { taskId, verifier: reviewer.address, reasonHash: REASON_HASH } },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, 0n],
        [poster.address, 0n],
        [human.address, 0n],
        [reviewer.address, -rejected.gasCost],
      ]);
      const extendedDeadline = executionDeadline + (rejectedAt - heldAt);
      assert.ok(rejectedAt > executionDeadline);
      assert.deepEqual(await stateOf(market, taskId), {
        executor: human.address,
        status: TaskStatus.InProgress,
        executionDeadline: extendedDeadline,
        reviewDeadline: 0,
        flags: FLAG_REJECTED | FLAG_VERIFIER_PAID,
      });

      // The executor has the rest of its window to resubmit, up to the extended deadline inclusive: past the claim
      // deadline too, which only matters once the claim lapses.
      assert.ok(extendedDeadline > terms.claimDeadline);
      await networkHelpers.time.increaseTo(extendedDeadline - 1);
      assert.equal(await statusOf(market, taskId), TaskStatus.InProgress);
      await networkHelpers.time.setNextBlockTimestamp(extendedDeadline);
      await submitWork(fixture, task, human, SECOND_RESULT_HASH, SECOND_RESULT_URI);
      assert.equal(await statusOf(market, taskId), TaskStatus.Submitted);
      assert.equal(await submissionOf(market, taskId), SECOND_RESULT_HASH);
    });

    it("keeps holds and split resolutions for delegated verifiers", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster } = fixture;
      const task = await postClaimAndSubmit(fixture, await buildTerms(fixture));
      const { taskId, terms } = task;
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.hold([taskId, terms, (await latestTimestamp(fixture)) + DAY, 0], {
          account: poster.wallet.account,
        }),
        market,
        "TaskMarket_NoDelegatedVerifier",
        [taskId],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.resolve([taskId, terms, 5_000], { account: poster.wallet.account }),
        market,
        "TaskMarket_NoDelegatedVerifier",
        [taskId],
      );
    });
  });

  describe("verified submissions", () => {
    it("lets the verifier submit a checked result on the executor's behalf and settle it in one call", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human, reviewer, stranger, feeRecipient } = fixture;
      const parties = [market.address, poster.address, human.address, reviewer.address, feeRecipient];
      const task = await postTask(fixture, await reviewedTerms(fixture));
      const { taskId, terms } = task;

      // Not before a claim.
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.submitVerified([taskId, terms, RESULT_HASH, RESULT_URI], { account: reviewer.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Posted],
      );
      await claimTask(fixture, task, human);
      // Only the verifier: not the executor, the poster or anyone else.
      for (const caller of [human, poster, stranger]) {
        await viem.assertions.revertWithCustomErrorWithArgs(
          market.write.submitVerified([taskId, terms, RESULT_HASH, RESULT_URI], { account: caller.wallet.account }),
          market,
          "TaskMarket_CallerNotVerifier",
          [taskId, caller.address],
        );
      }

      const fee = feeOf(terms.reward, terms.feeBps);
      const payout = terms.reward - fee;
      const before = await balancesOf(fixture, ETH, parties);
      const verified = await send(
        fixture,
        market.write.submitVerified([taskId, terms, RESULT_HASH, RESULT_URI], { account: reviewer.wallet.account }),
      );
      assertMarketEvents(fixture, verified.receipt, [
        {
          eventName: "WorkSubmitted",
          args: {
            taskId,
            executor: human.address,
            resultHash: RESULT_HASH,
            resultURI: RESULT_URI,
            reviewDeadline: await timestampOf(fixture, verified),
          },
        },
        {
          eventName: "TaskSettled",
          args: { taskId, executor: human.address, token: ETH, payout, fee, bondReturned: BOND },
        },
        { eventName: "VerifierPaid", args: { taskId, verifier: reviewer.address, amount: VERIFIER_FEE } },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, -(payout + BOND + VERIFIER_FEE)],
        [poster.address, 0n],
        [human.address, payout + BOND],
        [reviewer.address, VERIFIER_FEE - verified.gasCost],
        [feeRecipient, 0n],
      ]);
      assert.equal(await statusOf(market, taskId), TaskStatus.Settled);
      assert.equal(await submissionOf(market, taskId), RESULT_HASH);
      assert.equal(await balanceOf(fixture, ETH, market.address), fee);
      assert.equal(await earnedOf(market, human.address, ETH), payout);
      assert.deepEqual(await executorRecordOf(market, human.address), { ...EMPTY_EXECUTOR_RECORD, completed: 1 });
      assert.deepEqual(await posterRecordOf(market, poster.address), { ...EMPTY_POSTER_RECORD, posted: 1, settled: 1 });
    });

    it("settles one milestone per verified submission, paying the verifier fee once", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human, reviewer } = fixture;
      const parties = [market.address, poster.address, human.address, reviewer.address];
      const task = await postTask(
        fixture,
        await reviewedTerms(fixture, { milestoneShares: packMilestoneShares([2_500, 7_500]) }),
      );
      const { taskId, terms } = task;
      const [first, last] = milestoneAmounts(terms.reward, terms.milestoneShares) as [bigint, bigint];
      await claimTask(fixture, task, human);

      const firstFee = feeOf(first, terms.feeBps);
      let before = await balancesOf(fixture, ETH, parties);
      const firstVerified = await send(
        fixture,
        market.write.submitVerified([taskId, terms, RESULT_HASH, RESULT_URI], { account: reviewer.wallet.account }),
      );
      assertMarketEvents(fixture, firstVerified.receipt, [
        {
          eventName: "WorkSubmitted",
          args: {
            taskId,
            executor: human.address,
            resultHash: RESULT_HASH,
            resultURI: RESULT_URI,
            reviewDeadline: await timestampOf(fixture, firstVerified),
          },
        },
        {
          eventName: "MilestoneSettled",
          args: { taskId, executor: human.address, milestone: 0n, payout: first - firstFee, fee: firstFee, refund: 0n },
        },
        { eventName: "VerifierPaid", args: { taskId, verifier: reviewer.address, amount: VERIFIER_FEE } },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, -(first - firstFee + VERIFIER_FEE)],
        [poster.address, 0n],
        [human.address, first - firstFee],
        [reviewer.address, VERIFIER_FEE - firstVerified.gasCost],
      ]);
      assert.deepEqual(await stateOf(market, taskId), {
        executor: human.address,
        status: TaskStatus.InProgress,
        executionDeadline: (await timestampOf(fixture, firstVerified)) + EXECUTION_WINDOW,
        reviewDeadline: 0,
        flags: FLAG_VERIFIER_PAID,
      });

      const lastFee = feeOf(last, terms.feeBps);
      before = await balancesOf(fixture, ETH, parties);
      const lastVerified = await send(
        fixture,
        market.write.submitVerified([taskId, terms, SECOND_RESULT_HASH, SECOND_RESULT_URI], {
          account: reviewer.wallet.account,
        }),
      );
      assertMarketEvents(fixture, lastVerified.receipt, [
        {
          eventName: "WorkSubmitted",
          args: {
            taskId,
            executor: human.address,
            resultHash: SECOND_RESULT_HASH,
            resultURI: SECOND_RESULT_URI,
            reviewDeadline: await timestampOf(fixture, lastVerified),
          },
        },
        {
          eventName: "TaskSettled",
          args: {
            taskId,
            executor: human.address,
            token: ETH,
            payout: last - lastFee,
            fee: lastFee,
            bondReturned: BOND,
          },
        },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, -(last - lastFee + BOND)],
        [poster.address, 0n],
        [human.address, last - lastFee + BOND],
        [reviewer.address, -lastVerified.gasCost],
      ]);
      assert.equal(await statusOf(market, taskId), TaskStatus.Settled);
      assert.equal(await balanceOf(fixture, ETH, market.address), firstFee + lastFee);
    });

    it("keeps verified submissions for delegated verifiers", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human } = fixture;
      const task = await postTask(fixture, await buildTerms(fixture));
      await claimTask(fixture, task, human);
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.submitVerified([task.taskId, task.terms, RESULT_HASH, RESULT_URI], {
          account: poster.wallet.account,
        }),
        market,
        "TaskMarket_NoDelegatedVerifier",
        [task.taskId],
      );
    });
  });
});
