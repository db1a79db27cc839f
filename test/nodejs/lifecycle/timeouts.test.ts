import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { zeroAddress, zeroHash } from "viem";

import { deployTaskMarket } from "../helpers/fixtures.js";
import {
  BOND,
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
  postTask,
  postTokenTask,
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

const DAY = 24 * 3600;

describe("Timeouts", () => {
  describe("auto-release", () => {
    it("pays the executor when the poster stays silent past the review window; a stranger triggers it", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human, stranger, feeRecipient } = fixture;
      const task = await postTask(fixture, await buildTerms(fixture));
      const { taskId, terms } = task;
      await claimTask(fixture, task, human);
      await send(fixture, market.write.start([taskId], { account: human.wallet.account }));
      const submitted = await submitWork(fixture, task, human);
      const reviewDeadline = (await timestampOf(fixture, submitted)) + REVIEW_WINDOW;

      // Until the window closes nobody can release.
      await networkHelpers.time.increaseTo(reviewDeadline - 10);
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.release([taskId, terms], { account: stranger.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Submitted],
      );
      await networkHelpers.time.increaseTo(reviewDeadline);
      assert.equal(await statusOf(market, taskId), TaskStatus.Submitted);

      // One second later silence has verified the submission; the poster can no longer decide.
      await networkHelpers.time.increaseTo(reviewDeadline + 1);
      assert.equal(await statusOf(market, taskId), TaskStatus.Verified);
      assert.equal((await stateOf(market, taskId)).status, TaskStatus.Submitted, "derived, not stored");
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.approve([taskId, terms], { account: poster.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Verified],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.reject([taskId, terms, zeroHash], {
          account: poster.wallet.account,
        }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Verified],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.refundExpired([taskId, terms], { account: poster.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Verified],
      );

      const fee = feeOf(terms.reward, terms.feeBps);
      const payout = terms.reward - fee;
      const parties = [market.address, poster.address, human.address, stranger.address, feeRecipient];
      const before = await balancesOf(fixture, ETH, parties);
      const released = await send(fixture, market.write.release([taskId, terms], { account: stranger.wallet.account }));
      assertMarketEvents(fixture, released.receipt, [
        { eventName: "TaskVerified", args: { taskId } },
        {
          eventName: "TaskSettled",
          args: { taskId, executor: human.address, token: ETH, payout, fee, bondReturned: BOND },
        },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, -(payout + BOND)],
        [poster.address, 0n],
        [human.address, payout + BOND],
        [stranger.address, -released.gasCost],
        [feeRecipient, 0n],
      ]);
      assert.equal(await statusOf(market, taskId), TaskStatus.Settled);
      assert.equal(await accruedFeesOf(market, ETH), fee);
      assert.equal(await earnedOf(market, human.address, ETH), payout);
      assert.deepEqual(await executorRecordOf(market, human.address), { ...EMPTY_EXECUTOR_RECORD, completed: 1 });
      assert.deepEqual(await posterRecordOf(market, poster.address), {
        ...EMPTY_POSTER_RECORD,
        posted: 1,
        settled: 1,
      });
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.release([taskId, terms], { account: stranger.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Settled],
      );
    });
  });

  describe("expiry refund", () => {
    it("refunds the poster of an unclaimed task once the claim deadline passes; anyone may trigger it", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human, stranger } = fixture;
      const task = await postTask(fixture, await buildTerms(fixture));
      const { taskId, terms } = task;

      await networkHelpers.time.increaseTo(terms.claimDeadline);
      assert.equal(await statusOf(market, taskId), TaskStatus.Posted);
      await networkHelpers.time.increaseTo(terms.claimDeadline + 1);
      assert.equal(await statusOf(market, taskId), TaskStatus.Expired);
      assert.equal((await stateOf(market, taskId)).status, TaskStatus.Posted, "derived, not stored");
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.claim([taskId, terms, task.capabilities], { account: human.wallet.account, value: BOND }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Expired],
      );

      const parties = [market.address, poster.address, stranger.address];
      const before = await balancesOf(fixture, ETH, parties);
      const refunded = await send(
        fixture,
        market.write.refundExpired([taskId, terms], { account: stranger.wallet.account }),
      );
      assertMarketEvents(fixture, refunded.receipt, [
        {
          eventName: "TaskExpired",
          args: { taskId, poster: poster.address, refund: terms.reward, bondForfeited: 0n },
        },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, -terms.reward],
        [poster.address, terms.reward],
        [stranger.address, -refunded.gasCost],
      ]);
      assert.equal(await balanceOf(fixture, ETH, market.address), 0n);
      assert.equal(await statusOf(market, taskId), TaskStatus.Expired);
      assert.equal((await stateOf(market, taskId)).status, TaskStatus.Expired, "now stored");
      assert.deepEqual(await posterRecordOf(market, poster.address), {
        ...EMPTY_POSTER_RECORD,
        posted: 1,
        expired: 1,
      });
      assert.equal(await accruedFeesOf(market, ETH), 0n);

      // A refunded task cannot be refunded twice.
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.refundExpired([taskId, terms], { account: stranger.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Expired],
      );
    });

    it("refunds an unclaimed ERC-20 task in its token", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, token, poster, stranger } = fixture;
      const task = await postTokenTask(fixture, await buildTerms(fixture, { token: token.address }));
      await networkHelpers.time.increaseTo(task.terms.claimDeadline + 1);

      const before = await balancesOf(fixture, token.address, [market.address, poster.address, stranger.address]);
      await send(fixture, market.write.refundExpired([task.taskId, task.terms], { account: stranger.wallet.account }));
      await assertBalanceDeltas(fixture, token.address, before, [
        [market.address, -task.terms.reward],
        [poster.address, task.terms.reward],
        [stranger.address, 0n],
      ]);
      assert.equal(await statusOf(market, task.taskId), TaskStatus.Expired);
    });

    it("refunds the reward and the forfeited bond when the executor submits nothing before both deadlines", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human, stranger } = fixture;
      const task = await postTask(fixture, await buildTerms(fixture));
      const { taskId, terms } = task;

      // Claimed a day before the claim deadline: the execution deadline falls two days after it.
      await networkHelpers.time.increaseTo(terms.claimDeadline - DAY);
      const claimed = await claimTask(fixture, task, human);
      const executionDeadline = (await timestampOf(fixture, claimed)) + EXECUTION_WINDOW;
      assert.ok(executionDeadline > terms.claimDeadline);
      await send(fixture, market.write.start([taskId], { account: human.wallet.account }));

      // Past the claim deadline the executor still has its own deadline to deliver.
      await networkHelpers.time.increaseTo(terms.claimDeadline + 1);
      assert.equal(await statusOf(market, taskId), TaskStatus.InProgress);
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.refundExpired([taskId, terms], { account: stranger.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.InProgress],
      );
      await networkHelpers.time.increaseTo(executionDeadline);
      assert.equal(await statusOf(market, taskId), TaskStatus.InProgress);

      // Both deadlines passed without a submission.
      await networkHelpers.time.increaseTo(executionDeadline + 1);
      assert.equal(await statusOf(market, taskId), TaskStatus.Expired);
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.submit([taskId, terms, RESULT_HASH, RESULT_URI], {
          account: human.wallet.account,
        }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Expired],
      );

      const parties = [market.address, poster.address, human.address, stranger.address];
      const before = await balancesOf(fixture, ETH, parties);
      const refunded = await send(
        fixture,
        market.write.refundExpired([taskId, terms], { account: stranger.wallet.account }),
      );
      assertMarketEvents(fixture, refunded.receipt, [
        {
          eventName: "ClaimLapsed",
          args: { taskId, executor: human.address, afterRejection: false, bondForfeited: BOND },
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
      assert.equal(await balanceOf(fixture, ETH, market.address), 0n);
      assert.equal(await statusOf(market, taskId), TaskStatus.Expired);
      assert.deepEqual(await executorRecordOf(market, human.address), { ...EMPTY_EXECUTOR_RECORD, expired: 1 });
      assert.deepEqual(await posterRecordOf(market, poster.address), {
        ...EMPTY_POSTER_RECORD,
        posted: 1,
        expired: 1,
      });
      assert.equal(await earnedOf(market, human.address, ETH), 0n);
    });
  });

  describe("claim timeout and reopen", () => {
    it("reopens a task whose executor missed its deadline; the next executor's claim pays the bond to the poster", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human, secondHuman, feeRecipient } = fixture;
      const task = await postTask(fixture, await buildTerms(fixture));
      const { taskId, terms } = task;
      const parties = [market.address, poster.address, human.address, secondHuman.address, feeRecipient];

      const claimed = await claimTask(fixture, task, human);
      const executionDeadline = (await timestampOf(fixture, claimed)) + EXECUTION_WINDOW;
      assert.ok(executionDeadline + 1 < terms.claimDeadline);

      await networkHelpers.time.increaseTo(executionDeadline);
      assert.equal(await statusOf(market, taskId), TaskStatus.Claimed);
      await networkHelpers.time.increaseTo(executionDeadline + 1);
      assert.equal(await statusOf(market, taskId), TaskStatus.Posted);
      assert.equal((await stateOf(market, taskId)).status, TaskStatus.Claimed, "derived, not stored");
      // The lapsed executor can no longer act on it.
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.start([taskId], { account: human.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Posted],
      );

      // Another executor claims: the lapse is recorded and the old bond goes to the poster.
      let before = await balancesOf(fixture, ETH, parties);
      const reclaimed = await claimTask(fixture, task, secondHuman);
      const secondDeadline = (await timestampOf(fixture, reclaimed)) + EXECUTION_WINDOW;
      assertMarketEvents(fixture, reclaimed.receipt, [
        {
          eventName: "ClaimLapsed",
          args: { taskId, executor: human.address, afterRejection: false, bondForfeited: BOND },
        },
        {
          eventName: "TaskClaimed",
          args: { taskId, executor: secondHuman.address, executionDeadline: secondDeadline, bond: BOND },
        },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, 0n],
        [poster.address, BOND],
        [human.address, 0n],
        [secondHuman.address, -BOND - reclaimed.gasCost],
        [feeRecipient, 0n],
      ]);
      assert.equal(await statusOf(market, taskId), TaskStatus.Claimed);
      assert.deepEqual(await stateOf(market, taskId), {
        executor: secondHuman.address,
        status: TaskStatus.Claimed,
        executionDeadline: secondDeadline,
        reviewDeadline: 0,
        flags: 0,
      });
      assert.deepEqual(await executorRecordOf(market, human.address), { ...EMPTY_EXECUTOR_RECORD, expired: 1 });
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.start([taskId], { account: human.wallet.account }),
        market,
        "TaskMarket_CallerNotExecutor",
        [taskId, human.address],
      );

      // The second executor finishes and is paid.
      await send(fixture, market.write.start([taskId], { account: secondHuman.wallet.account }));
      await submitWork(fixture, task, secondHuman);
      assert.equal(await statusOf(market, taskId), TaskStatus.Submitted);
      const fee = feeOf(terms.reward, terms.feeBps);
      const payout = terms.reward - fee;
      before = await balancesOf(fixture, ETH, parties);
      const approved = await send(fixture, market.write.approve([taskId, terms], { account: poster.wallet.account }));
      assertMarketEvents(fixture, approved.receipt, [
        {
          eventName: "TaskSettled",
          args: { taskId, executor: secondHuman.address, token: ETH, payout, fee, bondReturned: BOND },
        },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, -(payout + BOND)],
        [poster.address, -approved.gasCost],
        [human.address, 0n],
        [secondHuman.address, payout + BOND],
        [feeRecipient, 0n],
      ]);
      assert.equal(await statusOf(market, taskId), TaskStatus.Settled);
      assert.equal(await balanceOf(fixture, ETH, market.address), fee);
      assert.equal(await accruedFeesOf(market, ETH), fee);
      assert.equal(await earnedOf(market, secondHuman.address, ETH), payout);
      assert.equal(await earnedOf(market, human.address, ETH), 0n);
      assert.deepEqual(await executorRecordOf(market, secondHuman.address), {
        ...EMPTY_EXECUTOR_RECORD,
        completed: 1,
      });
      assert.deepEqual(await executorRecordOf(market, human.address), { ...EMPTY_EXECUTOR_RECORD, expired: 1 });
      assert.deepEqual(await posterRecordOf(market, poster.address), {
        ...EMPTY_POSTER_RECORD,
        posted: 1,
        settled: 1,
      });
    });
  });
});
