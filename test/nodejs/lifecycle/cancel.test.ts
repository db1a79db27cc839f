import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";

import { deployTaskMarket } from "../helpers/fixtures.js";
import {
  BOND,
  EXECUTION_WINDOW,
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
  executorRecordOf,
  posterRecordOf,
  stateOf,
  statusOf,
} from "../helpers/protocol.js";

const { viem, networkHelpers } = await network.create();

const FLAG_POSTER_CONSENTED = 1 << 1;
const FLAG_EXECUTOR_CONSENTED = 1 << 2;

describe("Cancel", () => {
  describe("before a claim", () => {
    it("refunds the poster in full and closes the task", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human } = fixture;
      const task = await postTask(fixture, await buildTerms(fixture));
      const { taskId, terms } = task;

      const before = await balancesOf(fixture, ETH, [market.address, poster.address, human.address]);
      const cancelled = await send(fixture, market.write.cancel([taskId, terms], { account: poster.wallet.account }));
      assertMarketEvents(fixture, cancelled.receipt, [
        {
          eventName: "TaskCancelled",
          args: { taskId, poster: poster.address, refund: terms.reward, bondReturned: 0n },
        },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, -terms.reward],
        [poster.address, terms.reward - cancelled.gasCost],
        [human.address, 0n],
      ]);
      assert.equal(await balanceOf(fixture, ETH, market.address), 0n);
      assert.equal(await statusOf(market, taskId), TaskStatus.Cancelled);
      assert.deepEqual(await posterRecordOf(market, poster.address), {
        ...EMPTY_POSTER_RECORD,
        posted: 1,
        cancelled: 1,
      });
      assert.equal(await accruedFeesOf(market, ETH), 0n);

      // Cancelled is final: no claim, no second refund, not even after the claim deadline.
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.claim([taskId, terms, task.capabilities], { account: human.wallet.account, value: BOND }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Cancelled],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.cancel([taskId, terms], { account: poster.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Cancelled],
      );
      await networkHelpers.time.increaseTo(terms.claimDeadline + 1);
      assert.equal(await statusOf(market, taskId), TaskStatus.Cancelled);
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.refundExpired([taskId, terms], { account: poster.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Cancelled],
      );
    });

    it("refunds an ERC-20 task in its token", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, token, poster } = fixture;
      const task = await postTokenTask(fixture, await buildTerms(fixture, { token: token.address }));

      const before = await balancesOf(fixture, token.address, [market.address, poster.address]);
      await send(fixture, market.write.cancel([task.taskId, task.terms], { account: poster.wallet.account }));
      await assertBalanceDeltas(fixture, token.address, before, [
        [market.address, -task.terms.reward],
        [poster.address, task.terms.reward],
      ]);
      assert.equal(await statusOf(market, task.taskId), TaskStatus.Cancelled);
    });

    it("refuses a claimed task, and lets only the poster cancel", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human, stranger } = fixture;
      const task = await postTask(fixture, await buildTerms(fixture));
      const { taskId, terms } = task;

      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.cancel([taskId, terms], { account: stranger.wallet.account }),
        market,
        "TaskMarket_CallerNotPoster",
        [taskId, stranger.address],
      );
      await claimTask(fixture, task, human);
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.cancel([taskId, terms], { account: poster.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Claimed],
      );
      assert.equal(await statusOf(market, taskId), TaskStatus.Claimed);
    });

    it("refunds the reward and the forfeited bond when the poster cancels after a claim lapsed", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human } = fixture;
      const task = await postTask(fixture, await buildTerms(fixture));
      const { taskId, terms } = task;
      const claimed = await claimTask(fixture, task, human);
      await networkHelpers.time.increaseTo((await timestampOf(fixture, claimed)) + EXECUTION_WINDOW + 1);
      assert.equal(await statusOf(market, taskId), TaskStatus.Posted);

      const before = await balancesOf(fixture, ETH, [market.address, poster.address, human.address]);
      const cancelled = await send(fixture, market.write.cancel([taskId, terms], { account: poster.wallet.account }));
      assertMarketEvents(fixture, cancelled.receipt, [
        {
          eventName: "ClaimLapsed",
          args: { taskId, executor: human.address, afterRejection: false, bondForfeited: BOND },
        },
        {
          eventName: "TaskCancelled",
          args: { taskId, poster: poster.address, refund: terms.reward, bondReturned: 0n },
        },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, -(terms.reward + BOND)],
        [poster.address, terms.reward + BOND - cancelled.gasCost],
        [human.address, 0n],
      ]);
      assert.equal(await balanceOf(fixture, ETH, market.address), 0n);
      assert.equal(await statusOf(market, taskId), TaskStatus.Cancelled);
      assert.deepEqual(await executorRecordOf(market, human.address), { ...EMPTY_EXECUTOR_RECORD, expired: 1 });
    });
  });

  describe("by mutual consent after a claim", () => {
    it("cancels on the second consent (poster first), returning the reward and the bond", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human, stranger } = fixture;
      const task = await postTask(fixture, await buildTerms(fixture));
      const { taskId, terms } = task;
      await claimTask(fixture, task, human);
      await send(fixture, market.write.start([taskId], { account: human.wallet.account }));
      const parties = [market.address, poster.address, human.address];

      // First step: the poster's consent changes nothing but a flag.
      let before = await balancesOf(fixture, ETH, parties);
      const posterConsent = await send(
        fixture,
        market.write.consentToCancel([taskId, terms], { account: poster.wallet.account }),
      );
      assertMarketEvents(fixture, posterConsent.receipt, [
        { eventName: "CancellationConsented", args: { taskId, party: poster.address } },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, 0n],
        [poster.address, -posterConsent.gasCost],
        [human.address, 0n],
      ]);
      assert.equal(await statusOf(market, taskId), TaskStatus.InProgress);
      assert.equal((await stateOf(market, taskId)).flags, FLAG_POSTER_CONSENTED);

      // Consenting again is harmless and still needs the other side.
      await send(fixture, market.write.consentToCancel([taskId, terms], { account: poster.wallet.account }));
      assert.equal(await statusOf(market, taskId), TaskStatus.InProgress);
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.consentToCancel([taskId, terms], { account: stranger.wallet.account }),
        market,
        "TaskMarket_CallerNotParty",
        [taskId, stranger.address],
      );

      // Second step: the executor agrees and the task is cancelled.
      before = await balancesOf(fixture, ETH, parties);
      const executorConsent = await send(
        fixture,
        market.write.consentToCancel([taskId, terms], { account: human.wallet.account }),
      );
      assertMarketEvents(fixture, executorConsent.receipt, [
        { eventName: "CancellationConsented", args: { taskId, party: human.address } },
        {
          eventName: "TaskCancelled",
          args: { taskId, poster: poster.address, refund: terms.reward, bondReturned: BOND },
        },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, -(terms.reward + BOND)],
        [poster.address, terms.reward],
        [human.address, BOND - executorConsent.gasCost],
      ]);
      assert.equal(await balanceOf(fixture, ETH, market.address), 0n);
      assert.equal(await statusOf(market, taskId), TaskStatus.Cancelled);
      assert.deepEqual(await posterRecordOf(market, poster.address), {
        ...EMPTY_POSTER_RECORD,
        posted: 1,
        cancelled: 1,
      });
      // A cancellation both sides agreed to is not a mark against the executor.
      assert.deepEqual(await executorRecordOf(market, human.address), EMPTY_EXECUTOR_RECORD);
      assert.equal(await accruedFeesOf(market, ETH), 0n);
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.consentToCancel([taskId, terms], { account: poster.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Cancelled],
      );
    });

    it("cancels an ERC-20 task under review when the executor consents first", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, token, poster, agent } = fixture;
      const task = await postTokenTask(fixture, await buildTerms(fixture, { token: token.address }));
      const { taskId, terms } = task;
      await claimTask(fixture, task, agent);
      await submitWork(fixture, task, agent);
      assert.equal(await statusOf(market, taskId), TaskStatus.Submitted);

      await send(fixture, market.write.consentToCancel([taskId, terms], { account: agent.wallet.account }));
      assert.equal(await statusOf(market, taskId), TaskStatus.Submitted);
      assert.equal((await stateOf(market, taskId)).flags, FLAG_EXECUTOR_CONSENTED);

      const before = await balancesOf(fixture, token.address, [market.address, poster.address, agent.address]);
      const posterConsent = await send(
        fixture,
        market.write.consentToCancel([taskId, terms], { account: poster.wallet.account }),
      );
      assertMarketEvents(fixture, posterConsent.receipt, [
        { eventName: "CancellationConsented", args: { taskId, party: poster.address } },
        {
          eventName: "TaskCancelled",
          args: { taskId, poster: poster.address, refund: terms.reward, bondReturned: BOND },
        },
      ]);
      await assertBalanceDeltas(fixture, token.address, before, [
        [market.address, -(terms.reward + BOND)],
        [poster.address, terms.reward],
        [agent.address, BOND],
      ]);
      assert.equal(await statusOf(market, taskId), TaskStatus.Cancelled);
    });

    it("forgets a consent when the claim lapses and another executor claims", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human, secondHuman } = fixture;
      const task = await postTask(fixture, await buildTerms(fixture));
      const { taskId, terms } = task;
      const claimed = await claimTask(fixture, task, human);
      await send(fixture, market.write.consentToCancel([taskId, terms], { account: poster.wallet.account }));
      await networkHelpers.time.increaseTo((await timestampOf(fixture, claimed)) + EXECUTION_WINDOW + 1);

      // Nobody holds the claim any more: there is no one to agree with.
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.consentToCancel([taskId, terms], { account: human.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Posted],
      );
      await claimTask(fixture, task, secondHuman);
      assert.equal((await stateOf(market, taskId)).flags, 0);

      // The new executor's consent alone does not cancel.
      await send(fixture, market.write.consentToCancel([taskId, terms], { account: secondHuman.wallet.account }));
      assert.equal(await statusOf(market, taskId), TaskStatus.Claimed);
    });
  });
});
