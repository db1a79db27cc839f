import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { zeroAddress } from "viem";

import { CAPABILITIES, CAPABILITY_SOLIDITY, FEE_BPS, deployTaskMarket } from "../helpers/fixtures.js";
import {
  BOND,
  DOCUMENT_URI,
  EXECUTION_WINDOW,
  RESULT_HASH,
  RESULT_URI,
  REVIEW_WINDOW,
  buildTerms,
  claimTask,
  postTask,
  send,
  submitWork,
  timestampOf,
} from "../helpers/lifecycle.js";
import {
  Eligibility,
  ExecutorKind,
  TaskStatus,
  hashCapabilities,
  statusOf,
  type TaskTerms,
} from "../helpers/protocol.js";

const { viem, networkHelpers } = await network.create();

const PROGRESS_HASH = "0x3333333333333333333333333333333333333333333333333333333333333333";

describe("Wrong-state and wrong-caller calls", () => {
  describe("createTask", () => {
    it("reverts when the ETH sent is not the reward, or the poster in the terms is not the sender", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, stranger } = fixture;
      const terms = await buildTerms(fixture);
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.createTask([terms, CAPABILITIES, DOCUMENT_URI], {
          account: poster.wallet.account,
          value: terms.reward - 1n,
        }),
        market,
        "TaskMarket_IncorrectPayment",
        [terms.reward, terms.reward - 1n],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.createTask([terms, CAPABILITIES, DOCUMENT_URI], {
          account: stranger.wallet.account,
          value: terms.reward,
        }),
        market,
        "TaskMarket_PosterNotSender",
        [poster.address, stranger.address],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.createTask([terms, [CAPABILITY_SOLIDITY], DOCUMENT_URI], {
          account: poster.wallet.account,
          value: terms.reward,
        }),
        market,
        "TaskMarket_CapabilitiesMismatch",
        [terms.capabilitiesHash, hashCapabilities([CAPABILITY_SOLIDITY])],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.createTask([terms, [CAPABILITIES[1], CAPABILITIES[0]], DOCUMENT_URI], {
          account: poster.wallet.account,
          value: terms.reward,
        }),
        market,
        "TaskMarket_CapabilitiesNotAscending",
        [1n],
      );
      assert.equal(await market.read.nextTaskId(), 1n);
    });
  });

  describe("claim", () => {
    it("reverts for the poster, the verifier, an unregistered account and an executor of the wrong kind", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, registry, poster, human, agent, reviewer, stranger } = fixture;
      const task = await postTask(
        fixture,
        await buildTerms(fixture, { executorKind: ExecutorKind.Agent, verifier: reviewer.address }),
      );
      const { taskId, terms, capabilities } = task;
      const claimAs = (account: typeof human) =>
        market.write.claim([taskId, terms, capabilities], { account: account.wallet.account, value: BOND });

      await viem.assertions.revertWithCustomErrorWithArgs(claimAs(poster), market, "TaskMarket_ConflictOfInterest", [
        taskId,
        poster.address,
      ]);
      await viem.assertions.revertWithCustomErrorWithArgs(claimAs(reviewer), market, "TaskMarket_ConflictOfInterest", [
        taskId,
        reviewer.address,
      ]);
      await viem.assertions.revertWithCustomErrorWithArgs(claimAs(stranger), market, "TaskMarket_ExecutorNotEligible", [
        taskId,
        stranger.address,
        Eligibility.NotRegistered,
      ]);
      await viem.assertions.revertWithCustomErrorWithArgs(claimAs(human), market, "TaskMarket_ExecutorNotEligible", [
        taskId,
        human.address,
        Eligibility.KindMismatch,
      ]);
      await send(fixture, registry.write.setActive([false], { account: agent.wallet.account }));
      await viem.assertions.revertWithCustomErrorWithArgs(claimAs(agent), market, "TaskMarket_ExecutorNotEligible", [
        taskId,
        agent.address,
        Eligibility.Inactive,
      ]);
      assert.equal(await statusOf(market, taskId), TaskStatus.Posted);
    });

    it("reverts for an agent whose operator is the poster", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, registry, poster, stranger } = fixture;
      await send(
        fixture,
        registry.write.register([ExecutorKind.Agent, poster.address, CAPABILITIES, ""], {
          account: stranger.wallet.account,
        }),
      );
      const task = await postTask(fixture, await buildTerms(fixture));
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.claim([task.taskId, task.terms, task.capabilities], {
          account: stranger.wallet.account,
          value: BOND,
        }),
        market,
        "TaskMarket_ConflictOfInterest",
        [task.taskId, stranger.address],
      );
      assert.equal(await statusOf(market, task.taskId), TaskStatus.Posted);
    });

    it("reverts for an executor lacking a required capability", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, registry, human } = fixture;
      const task = await postTask(fixture, await buildTerms(fixture));
      await send(
        fixture,
        registry.write.updateProfile([zeroAddress, [CAPABILITY_SOLIDITY], ""], { account: human.wallet.account }),
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.claim([task.taskId, task.terms, task.capabilities], {
          account: human.wallet.account,
          value: BOND,
        }),
        market,
        "TaskMarket_ExecutorNotEligible",
        [task.taskId, human.address, Eligibility.MissingCapability],
      );
    });

    it("reverts with tampered terms, a wrong bond, an unknown id, and once the task is claimed", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, human, agent } = fixture;
      const task = await postTask(fixture, await buildTerms(fixture));
      const { taskId, terms, capabilities } = task;

      // A client that lowers the bond in the terms it passes back is caught by the commitment.
      const tampered: TaskTerms = { ...terms, claimBond: 0n };
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.claim([taskId, tampered, capabilities], { account: human.wallet.account }),
        market,
        "TaskMarket_TermsMismatch",
        [taskId],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.claim([taskId, terms, capabilities], { account: human.wallet.account, value: BOND - 1n }),
        market,
        "TaskMarket_IncorrectPayment",
        [BOND, BOND - 1n],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.claim([99n, terms, capabilities], { account: human.wallet.account, value: BOND }),
        market,
        "TaskMarket_TaskNotFound",
        [99n],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.claim([taskId, terms, []], { account: human.wallet.account, value: BOND }),
        market,
        "TaskMarket_CapabilitiesMismatch",
        [terms.capabilitiesHash, hashCapabilities([])],
      );

      await claimTask(fixture, task, human);
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.claim([taskId, terms, capabilities], { account: agent.wallet.account, value: BOND }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Claimed],
      );
    });

    it("accepts a claim at the claim deadline and refuses one a second later", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, human } = fixture;
      const onTime = await postTask(fixture, await buildTerms(fixture));
      const late = await postTask(
        fixture,
        await buildTerms(fixture, { claimDeadline: onTime.terms.claimDeadline + 1 }),
      );

      await networkHelpers.time.setNextBlockTimestamp(onTime.terms.claimDeadline);
      const claimed = await claimTask(fixture, onTime, human);
      assert.equal(await timestampOf(fixture, claimed), onTime.terms.claimDeadline);
      assert.equal(await statusOf(market, onTime.taskId), TaskStatus.Claimed);

      await networkHelpers.time.setNextBlockTimestamp(late.terms.claimDeadline + 1);
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.claim([late.taskId, late.terms, late.capabilities], {
          account: human.wallet.account,
          value: BOND,
        }),
        market,
        "TaskMarket_InvalidStatus",
        [late.taskId, TaskStatus.Expired],
      );
    });
  });

  describe("start, checkpoint and submit", () => {
    it("reverts for anyone but the executor, and in the wrong state", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human, agent } = fixture;
      const task = await postTask(fixture, await buildTerms(fixture));
      const { taskId, terms } = task;

      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.start([taskId], { account: human.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Posted],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.start([42n], { account: human.wallet.account }),
        market,
        "TaskMarket_TaskNotFound",
        [42n],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.submit([taskId, terms, RESULT_HASH, RESULT_URI], { account: human.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Posted],
      );

      await claimTask(fixture, task, human);
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.start([taskId], { account: agent.wallet.account }),
        market,
        "TaskMarket_CallerNotExecutor",
        [taskId, agent.address],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.checkpoint([taskId, 10, PROGRESS_HASH, ""], { account: human.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Claimed],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.submit([taskId, terms, RESULT_HASH, RESULT_URI], { account: poster.wallet.account }),
        market,
        "TaskMarket_CallerNotExecutor",
        [taskId, poster.address],
      );

      await send(fixture, market.write.start([taskId], { account: human.wallet.account }));
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.start([taskId], { account: human.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.InProgress],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.checkpoint([taskId, 10, PROGRESS_HASH, ""], { account: agent.wallet.account }),
        market,
        "TaskMarket_CallerNotExecutor",
        [taskId, agent.address],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.checkpoint([taskId, 101, PROGRESS_HASH, ""], { account: human.wallet.account }),
        market,
        "TaskMarket_InvalidProgress",
        [101],
      );

      await submitWork(fixture, task, human);
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.submit([taskId, terms, RESULT_HASH, RESULT_URI], { account: human.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Submitted],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.checkpoint([taskId, 100, PROGRESS_HASH, ""], { account: human.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Submitted],
      );
    });

    it("accepts a submission at the execution deadline and refuses one a second later", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, human, agent } = fixture;
      const onTime = await postTask(fixture, await buildTerms(fixture));
      const late = await postTask(fixture, await buildTerms(fixture));
      const claimedOnTime = await claimTask(fixture, onTime, human);
      const claimedLate = await claimTask(fixture, late, agent);
      const onTimeDeadline = (await timestampOf(fixture, claimedOnTime)) + EXECUTION_WINDOW;
      const lateDeadline = (await timestampOf(fixture, claimedLate)) + EXECUTION_WINDOW;
      assert.ok(lateDeadline > onTimeDeadline);

      await networkHelpers.time.setNextBlockTimestamp(onTimeDeadline);
      await submitWork(fixture, onTime, human);
      assert.equal(await statusOf(market, onTime.taskId), TaskStatus.Submitted);

      await networkHelpers.time.setNextBlockTimestamp(lateDeadline + 1);
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.submit([late.taskId, late.terms, RESULT_HASH, RESULT_URI], { account: agent.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [late.taskId, TaskStatus.Posted],
      );
    });
  });

  describe("approve, reject, release and refund", () => {
    it("reverts for anyone but the verifier, before a submission, and after the review window", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human, stranger } = fixture;
      const task = await postTask(fixture, await buildTerms(fixture));
      const { taskId, terms } = task;

      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.approve([taskId, terms], { account: poster.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Posted],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.refundExpired([taskId, terms], { account: stranger.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Posted],
      );
      await claimTask(fixture, task, human);
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.reject([taskId, terms, RESULT_HASH], { account: poster.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Claimed],
      );
      const submitted = await submitWork(fixture, task, human);
      const reviewDeadline = (await timestampOf(fixture, submitted)) + REVIEW_WINDOW;

      // The executor cannot approve its own work; nor can a stranger.
      for (const caller of [human, stranger]) {
        await viem.assertions.revertWithCustomErrorWithArgs(
          market.write.approve([taskId, terms], { account: caller.wallet.account }),
          market,
          "TaskMarket_CallerNotVerifier",
          [taskId, caller.address],
        );
      }
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.approve([taskId, { ...terms, reward: terms.reward + 1n }], { account: poster.wallet.account }),
        market,
        "TaskMarket_TermsMismatch",
        [taskId],
      );

      // At the last second of the window the poster still decides.
      await networkHelpers.time.setNextBlockTimestamp(reviewDeadline);
      await send(fixture, market.write.approve([taskId, terms], { account: poster.wallet.account }));
      assert.equal(await statusOf(market, taskId), TaskStatus.Settled);
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.approve([taskId, terms], { account: poster.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Settled],
      );
    });
  });

  describe("rate", () => {
    it("reverts before settlement, for outsiders, out of range and on a second rating", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human, stranger } = fixture;
      const task = await postTask(fixture, await buildTerms(fixture));
      const { taskId, terms } = task;
      await claimTask(fixture, task, human);
      await submitWork(fixture, task, human);

      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.rate([taskId, terms, 5], { account: poster.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [taskId, TaskStatus.Submitted],
      );
      await send(fixture, market.write.approve([taskId, terms], { account: poster.wallet.account }));

      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.rate([taskId, terms, 5], { account: stranger.wallet.account }),
        market,
        "TaskMarket_CallerNotParty",
        [taskId, stranger.address],
      );
      for (const rating of [0, 6]) {
        await viem.assertions.revertWithCustomErrorWithArgs(
          market.write.rate([taskId, terms, rating], { account: poster.wallet.account }),
          market,
          "TaskMarket_InvalidRating",
          [rating],
        );
      }
      await send(fixture, market.write.rate([taskId, terms, 5], { account: poster.wallet.account }));
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.rate([taskId, terms, 1], { account: poster.wallet.account }),
        market,
        "TaskMarket_AlreadyRated",
        [taskId, poster.address],
      );
      // The other side's rating is independent of the first.
      await send(fixture, market.write.rate([taskId, terms, 2], { account: human.wallet.account }));
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.rate([taskId, terms, 2], { account: human.wallet.account }),
        market,
        "TaskMarket_AlreadyRated",
        [taskId, human.address],
      );
    });
    it("names the status statusOf reports when rating a task whose review window passed unreleased", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, poster, human } = fixture;
      const task = await postTask(fixture, await buildTerms(fixture));
      await claimTask(fixture, task, human);
      const submitted = await submitWork(fixture, task, human);
      await networkHelpers.time.increaseTo((await timestampOf(fixture, submitted)) + REVIEW_WINDOW + 1);
      assert.equal(await statusOf(market, task.taskId), TaskStatus.Verified);

      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.rate([task.taskId, task.terms, 5], { account: poster.wallet.account }),
        market,
        "TaskMarket_InvalidStatus",
        [task.taskId, TaskStatus.Verified],
      );
    });
  });

  describe("admin", () => {
    it("refuses fee and pause changes from anyone but the owner, and a fee above the cap", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, stranger } = fixture;
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.setProtocolFee([100], { account: stranger.wallet.account }),
        market,
        "OwnableUnauthorizedAccount",
        [stranger.address],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.setFeeRecipient([stranger.address], { account: stranger.wallet.account }),
        market,
        "OwnableUnauthorizedAccount",
        [stranger.address],
      );
      const marketAsStranger = await viem.getContractAt("TaskMarket", market.address, {
        client: { wallet: stranger.wallet },
      });
      await viem.assertions.revertWithCustomErrorWithArgs(
        marketAsStranger.write.pause(),
        market,
        "OwnableUnauthorizedAccount",
        [stranger.address],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        marketAsStranger.write.unpause(),
        market,
        "OwnableUnauthorizedAccount",
        [stranger.address],
      );
      // The market's default account is the owner.
      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.setProtocolFee([501]),
        market,
        "TaskMarket_FeeAboveCap",
        [501, 500],
      );
      assert.equal(await market.read.protocolFeeBps(), FEE_BPS);
    });
  });
});
