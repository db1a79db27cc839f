import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { getAddress } from "viem";

import { CAPABILITIES, FEE_BPS, HUMAN_METADATA_URI, deployTaskMarket, passiveAddress } from "../helpers/fixtures.js";
import {
  BOND,
  EXECUTION_WINDOW,
  RESULT_HASH,
  RESULT_URI,
  assertBalanceDeltas,
  assertMarketEvents,
  balanceOf,
  balancesOf,
  buildTerms,
  claimTask,
  postTask,
  send,
  submitWork,
  timestampOf,
  type PostedTask,
} from "../helpers/lifecycle.js";
import {
  EMPTY_EXECUTOR_RECORD,
  ETH,
  ExecutorKind,
  TaskStatus,
  accruedFeesOf,
  creditOf,
  earnedOf,
  executorRecordOf,
  feeOf,
  statusOf,
  type RejectingExecutorContract,
} from "../helpers/protocol.js";

const { viem, networkHelpers } = await network.create();

/** The standard deployment plus a registered executor contract that refuses ETH, driven by `controller`. */
async function deployWithRejectingExecutor(connection: NetworkConnection) {
  const fixture = await deployTaskMarket(connection);
  const { registry, market, controller } = fixture;
  const deployed = await connection.viem.deployContract("RejectingExecutor", [registry.address, market.address], {
    client: { wallet: controller.wallet },
  });
  const rejectingExecutor: RejectingExecutorContract = await connection.viem.getContractAt(
    "RejectingExecutor",
    getAddress(deployed.address),
    { client: { wallet: controller.wallet } },
  );
  await rejectingExecutor.write.register([ExecutorKind.Human, controller.address, CAPABILITIES, HUMAN_METADATA_URI], {
    account: controller.wallet.account,
  });
  return { ...fixture, rejectingExecutor, payee: passiveAddress("payee of withdrawn credit") };
}

type RejectingFixture = Awaited<ReturnType<typeof deployWithRejectingExecutor>>;

async function claimStartSubmitThroughContract(fixture: RejectingFixture, task: PostedTask): Promise<void> {
  const { rejectingExecutor, controller } = fixture;
  const account = controller.wallet.account;
  await send(
    fixture,
    rejectingExecutor.write.claim([task.taskId, task.terms, task.capabilities], { account, value: BOND }),
  );
  await send(fixture, rejectingExecutor.write.start([task.taskId], { account }));
  await send(fixture, rejectingExecutor.write.submit([task.taskId, task.terms, RESULT_HASH, RESULT_URI], { account }));
}

describe("Payments", () => {
  describe("failed push payments", () => {
    it("credits a settlement that an executor contract refuses, and lets it withdraw the credit to an EOA", async () => {
      const fixture = await networkHelpers.loadFixture(deployWithRejectingExecutor);
      const { market, registry, poster, controller, rejectingExecutor, payee, feeRecipient } = fixture;
      const executor = rejectingExecutor.address;
      const profile = (await registry.read.profileOf([executor])) as { kind: number; active: boolean };
      assert.equal(profile.kind, ExecutorKind.Human);
      assert.equal(profile.active, true);

      // The contract really refuses plain ETH.
      await viem.assertions.revertWithCustomError(
        controller.wallet.sendTransaction({ account: controller.wallet.account, to: executor, value: 1n }),
        rejectingExecutor,
        "RejectingExecutor_EthRejected",
      );

      const task = await postTask(fixture, await buildTerms(fixture));
      const { taskId, terms } = task;
      const parties = [market.address, poster.address, executor, controller.address, payee, feeRecipient];
      await claimStartSubmitThroughContract(fixture, task);
      assert.equal(await statusOf(market, taskId), TaskStatus.Submitted);
      assert.equal(await balanceOf(fixture, ETH, market.address), terms.reward + BOND);

      // Settlement still goes through; the payment is credited instead of pushed.
      const fee = feeOf(terms.reward, terms.feeBps);
      const payout = terms.reward - fee;
      let before = await balancesOf(fixture, ETH, parties);
      const approved = await send(fixture, market.write.approve([taskId, terms], { account: poster.wallet.account }));
      assertMarketEvents(fixture, approved.receipt, [
        {
          eventName: "TaskSettled",
          args: { taskId, executor, token: ETH, payout, fee, bondReturned: BOND },
        },
        { eventName: "PaymentCredited", args: { account: executor, token: ETH, amount: payout + BOND } },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, 0n],
        [poster.address, -approved.gasCost],
        [executor, 0n],
        [controller.address, 0n],
        [payee, 0n],
        [feeRecipient, 0n],
      ]);
      assert.equal(await statusOf(market, taskId), TaskStatus.Settled);
      assert.equal(await creditOf(market, executor, ETH), payout + BOND);
      assert.equal(await earnedOf(market, executor, ETH), payout);
      assert.equal(await accruedFeesOf(market, ETH), fee);
      assert.equal(await balanceOf(fixture, ETH, market.address), payout + BOND + fee);
      assert.deepEqual(await executorRecordOf(market, executor), { ...EMPTY_EXECUTOR_RECORD, completed: 1 });

      // Withdrawing to itself fails as a whole and leaves the credit in place.
      await viem.assertions.revertWithCustomErrorWithArgs(
        rejectingExecutor.write.withdraw([ETH, executor], { account: controller.wallet.account }),
        market,
        "TaskMarket_EthTransferFailed",
        [executor, payout + BOND],
      );
      assert.equal(await creditOf(market, executor, ETH), payout + BOND);

      // Withdrawing to an EOA pays the whole credit out.
      before = await balancesOf(fixture, ETH, parties);
      const withdrawn = await send(
        fixture,
        rejectingExecutor.write.withdraw([ETH, payee], { account: controller.wallet.account }),
      );
      assertMarketEvents(fixture, withdrawn.receipt, [
        { eventName: "CreditWithdrawn", args: { account: executor, token: ETH, to: payee, amount: payout + BOND } },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, -(payout + BOND)],
        [poster.address, 0n],
        [executor, 0n],
        [controller.address, -withdrawn.gasCost],
        [payee, payout + BOND],
        [feeRecipient, 0n],
      ]);
      assert.equal(await creditOf(market, executor, ETH), 0n);
      assert.equal(await balanceOf(fixture, ETH, market.address), fee);

      // Nothing is left to withdraw.
      await viem.assertions.revertWithCustomErrorWithArgs(
        rejectingExecutor.write.withdraw([ETH, payee], { account: controller.wallet.account }),
        market,
        "TaskMarket_NothingToWithdraw",
        [executor, ETH],
      );
    });

    it("credits the bond returned by a mutual cancellation and still refunds the poster", async () => {
      const fixture = await networkHelpers.loadFixture(deployWithRejectingExecutor);
      const { market, poster, controller, rejectingExecutor } = fixture;
      const executor = rejectingExecutor.address;
      const task = await postTask(fixture, await buildTerms(fixture));
      const { taskId, terms } = task;
      await send(
        fixture,
        rejectingExecutor.write.claim([taskId, terms, task.capabilities], {
          account: controller.wallet.account,
          value: BOND,
        }),
      );
      await send(
        fixture,
        rejectingExecutor.write.consentToCancel([taskId, terms], { account: controller.wallet.account }),
      );

      const before = await balancesOf(fixture, ETH, [market.address, poster.address, executor]);
      const cancelled = await send(
        fixture,
        market.write.consentToCancel([taskId, terms], { account: poster.wallet.account }),
      );
      assertMarketEvents(fixture, cancelled.receipt, [
        { eventName: "CancellationConsented", args: { taskId, party: poster.address } },
        {
          eventName: "TaskCancelled",
          args: { taskId, poster: poster.address, refund: terms.reward, bondReturned: BOND },
        },
        { eventName: "PaymentCredited", args: { account: executor, token: ETH, amount: BOND } },
      ]);
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, -terms.reward],
        [poster.address, terms.reward - cancelled.gasCost],
        [executor, 0n],
      ]);
      assert.equal(await statusOf(market, taskId), TaskStatus.Cancelled);
      assert.equal(await creditOf(market, executor, ETH), BOND);
      assert.equal(await balanceOf(fixture, ETH, market.address), BOND);
    });

    it("refuses a withdrawal to the zero address and one with no credit", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, human } = fixture;
      await viem.assertions.revertWithCustomError(
        market.write.withdraw([ETH, "0x0000000000000000000000000000000000000000"], { account: human.wallet.account }),
        market,
        "TaskMarket_ZeroAddress",
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.withdraw([ETH, human.address], { account: human.wallet.account }),
        market,
        "TaskMarket_NothingToWithdraw",
        [human.address, ETH],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.withdrawProtocolFees([ETH], { account: human.wallet.account }),
        market,
        "TaskMarket_NoFeesAccrued",
        [ETH],
      );
    });
  });

  describe("protocol fee", () => {
    it("settles each task at the fee snapshotted when it was created", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, owner, poster, human, agent, feeRecipient } = fixture;
      const oldTask = await postTask(fixture, await buildTerms(fixture));
      assert.equal(oldTask.terms.feeBps, FEE_BPS);

      const raised = await send(fixture, market.write.setProtocolFee([500], { account: owner.wallet.account }));
      assertMarketEvents(fixture, raised.receipt, [
        { eventName: "ProtocolFeeUpdated", args: { previousFeeBps: FEE_BPS, newFeeBps: 500 } },
      ]);
      // A poster who signed for the old fee is not charged the new one.
      const staleTerms = await buildTerms(fixture, { feeBps: FEE_BPS });
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.createTask([staleTerms, CAPABILITIES, ""], {
          account: poster.wallet.account,
          value: staleTerms.reward,
        }),
        market,
        "TaskMarket_FeeMismatch",
        [500, FEE_BPS],
      );
      const newTask = await postTask(fixture, await buildTerms(fixture));
      assert.equal(newTask.terms.feeBps, 500);

      for (const [task, executor] of [
        [oldTask, human],
        [newTask, agent],
      ] as const) {
        await claimTask(fixture, task, executor);
        await submitWork(fixture, task, executor);
        await send(fixture, market.write.approve([task.taskId, task.terms], { account: poster.wallet.account }));
      }
      const oldFee = feeOf(oldTask.terms.reward, FEE_BPS);
      const newFee = feeOf(newTask.terms.reward, 500);
      assert.equal(await earnedOf(market, human.address, ETH), oldTask.terms.reward - oldFee);
      assert.equal(await earnedOf(market, agent.address, ETH), newTask.terms.reward - newFee);
      assert.equal(await accruedFeesOf(market, ETH), oldFee + newFee);

      const before = await balancesOf(fixture, ETH, [market.address, feeRecipient]);
      await send(fixture, market.write.withdrawProtocolFees([ETH], { account: human.wallet.account }));
      await assertBalanceDeltas(fixture, ETH, before, [
        [market.address, -(oldFee + newFee)],
        [feeRecipient, oldFee + newFee],
      ]);
      assert.equal(await balanceOf(fixture, ETH, market.address), 0n);
    });
  });

  describe("pause", () => {
    it("stops new tasks only: claims, settlement, refunds and withdrawals go on", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, owner, poster, human, stranger } = fixture;
      const settled = await postTask(fixture, await buildTerms(fixture));
      const expiring = await postTask(fixture, await buildTerms(fixture));
      // Contract instances send from the first account, the owner, unless told otherwise.
      assert.equal(await market.read.owner(), owner.address);
      await send(fixture, market.write.pause());

      const terms = await buildTerms(fixture);
      await viem.assertions.revertWithCustomError(
        market.write.createTask([terms, CAPABILITIES, ""], { account: poster.wallet.account, value: terms.reward }),
        market,
        "EnforcedPause",
      );

      await claimTask(fixture, settled, human);
      await send(fixture, market.write.start([settled.taskId], { account: human.wallet.account }));
      await submitWork(fixture, settled, human);
      await send(fixture, market.write.approve([settled.taskId, settled.terms], { account: poster.wallet.account }));
      assert.equal(await statusOf(market, settled.taskId), TaskStatus.Settled);

      const claimed = await timestampOf(fixture, await claimTask(fixture, expiring, human));
      await networkHelpers.time.increaseTo(Math.max(claimed + EXECUTION_WINDOW, expiring.terms.claimDeadline) + 1);
      await send(
        fixture,
        market.write.refundExpired([expiring.taskId, expiring.terms], { account: stranger.wallet.account }),
      );
      assert.equal(await statusOf(market, expiring.taskId), TaskStatus.Expired);
      await send(fixture, market.write.withdrawProtocolFees([ETH], { account: stranger.wallet.account }));
      assert.equal(await balanceOf(fixture, ETH, market.address), 0n);

      await send(fixture, market.write.unpause());
      await postTask(fixture, await buildTerms(fixture));
    });
  });
});
