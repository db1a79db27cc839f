import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";

import { CAPABILITIES, deployTaskMarket } from "../helpers/fixtures.js";
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
  postTask,
  readTaskCreated,
  send,
  signPermit,
  submitWork,
  timestampOf,
} from "../helpers/lifecycle.js";
import {
  EMPTY_EXECUTOR_RECORD,
  EMPTY_POSTER_RECORD,
  ETH,
  ExecutorKind,
  TaskStatus,
  accruedFeesOf,
  creditOf,
  earnedOf,
  executorRecordOf,
  feeOf,
  matchesTerms,
  posterRecordOf,
  stateOf,
  statusOf,
} from "../helpers/protocol.js";

const { viem, networkHelpers } = await network.create();

const PROGRESS_HASH = "0x3333333333333333333333333333333333333333333333333333333333333333";
const PROGRESS_URI = "ipfs://bafyprogress50";

describe("Happy path", () => {
  it("settles an ETH task end to end with the terms read back from TaskCreated, then both sides rate", async () => {
    const fixture = await networkHelpers.loadFixture(deployTaskMarket);
    const { market, poster, human, stranger, feeRecipient } = fixture;
    const parties = [market.address, poster.address, human.address, feeRecipient];

    // Create: the poster funds the reward in the same transaction.
    const localTerms = await buildTerms(fixture, { executorKind: ExecutorKind.Human });
    let before = await balancesOf(fixture, ETH, parties);
    const created = await postTask(fixture, localTerms);
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, localTerms.reward],
      [poster.address, -localTerms.reward - created.posted.gasCost],
      [human.address, 0n],
      [feeRecipient, 0n],
    ]);

    // From here on the test knows the task only as a client would: from the event.
    const { taskId, terms, capabilities, documentURI } = readTaskCreated(fixture, created.posted.receipt);
    assert.equal(taskId, 1n);
    assert.deepEqual(terms, localTerms);
    assert.deepEqual(capabilities, CAPABILITIES);
    assert.equal(documentURI, DOCUMENT_URI);
    assert.equal(await matchesTerms(market, taskId, terms), true);
    assert.equal(await market.read.nextTaskId(), 2n);
    assertMarketEvents(fixture, created.posted.receipt, [
      {
        eventName: "TaskCreated",
        args: { taskId, poster: poster.address, token: ETH, terms, capabilities, documentURI },
      },
    ]);
    assert.equal(await statusOf(market, taskId), TaskStatus.Posted);
    assert.deepEqual(await posterRecordOf(market, poster.address), { ...EMPTY_POSTER_RECORD, posted: 1 });
    const task = { taskId, terms, capabilities, documentURI, posted: created.posted };

    // Claim with the bond.
    before = await balancesOf(fixture, ETH, parties);
    const claimed = await claimTask(fixture, task, human);
    const executionDeadline = (await timestampOf(fixture, claimed)) + EXECUTION_WINDOW;
    assertMarketEvents(fixture, claimed.receipt, [
      {
        eventName: "TaskClaimed",
        args: { taskId, executor: human.address, executionDeadline, bond: BOND },
      },
    ]);
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, BOND],
      [poster.address, 0n],
      [human.address, -BOND - claimed.gasCost],
      [feeRecipient, 0n],
    ]);
    assert.equal(await statusOf(market, taskId), TaskStatus.Claimed);
    assert.deepEqual(await stateOf(market, taskId), {
      executor: human.address,
      status: TaskStatus.Claimed,
      executionDeadline,
      reviewDeadline: 0,
      flags: 0,
    });

    // Start and post a checkpoint.
    const started = await send(fixture, market.write.start([taskId], { account: human.wallet.account }));
    assertMarketEvents(fixture, started.receipt, [
      { eventName: "TaskStarted", args: { taskId, executor: human.address } },
    ]);
    assert.equal(await statusOf(market, taskId), TaskStatus.InProgress);

    const checkpointed = await send(
      fixture,
      market.write.checkpoint([taskId, 50, PROGRESS_HASH, PROGRESS_URI], { account: human.wallet.account }),
    );
    assertMarketEvents(fixture, checkpointed.receipt, [
      {
        eventName: "CheckpointPosted",
        args: {
          taskId,
          executor: human.address,
          percentComplete: 50,
          progressHash: PROGRESS_HASH,
          progressURI: PROGRESS_URI,
        },
      },
    ]);
    assert.equal(await statusOf(market, taskId), TaskStatus.InProgress);

    // Submit: the review window starts.
    const submitted = await submitWork(fixture, task, human);
    const reviewDeadline = (await timestampOf(fixture, submitted)) + REVIEW_WINDOW;
    assertMarketEvents(fixture, submitted.receipt, [
      {
        eventName: "WorkSubmitted",
        args: { taskId, executor: human.address, resultHash: RESULT_HASH, resultURI: RESULT_URI, reviewDeadline },
      },
    ]);
    assert.equal(await statusOf(market, taskId), TaskStatus.Submitted);
    assert.equal((await stateOf(market, taskId)).reviewDeadline, reviewDeadline);

    // Approve: verified and settled in one call; the executor gets reward minus fee plus its bond.
    const fee = feeOf(terms.reward, terms.feeBps);
    const payout = terms.reward - fee;
    assert.ok(fee > 0n && (terms.reward * BigInt(terms.feeBps)) % 10_000n !== 0n, "the fee must round down here");
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
    assert.equal(await creditOf(market, human.address, ETH), 0n);
    assert.equal(await creditOf(market, poster.address, ETH), 0n);
    assert.deepEqual(await executorRecordOf(market, human.address), { ...EMPTY_EXECUTOR_RECORD, completed: 1 });
    assert.deepEqual(await posterRecordOf(market, poster.address), { ...EMPTY_POSTER_RECORD, posted: 1, settled: 1 });

    // Anyone pays the accrued fee out to the fee recipient; the market then holds nothing for this task.
    before = await balancesOf(fixture, ETH, parties);
    const feesWithdrawn = await send(
      fixture,
      market.write.withdrawProtocolFees([ETH], { account: stranger.wallet.account }),
    );
    assertMarketEvents(fixture, feesWithdrawn.receipt, [
      { eventName: "ProtocolFeesWithdrawn", args: { token: ETH, recipient: feeRecipient, amount: fee } },
    ]);
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, -fee],
      [poster.address, 0n],
      [human.address, 0n],
      [feeRecipient, fee],
    ]);
    assert.equal(await balanceOf(fixture, ETH, market.address), 0n);
    assert.equal(await accruedFeesOf(market, ETH), 0n);

    // Ratings, once per side.
    const posterRated = await send(fixture, market.write.rate([taskId, terms, 5], { account: poster.wallet.account }));
    assertMarketEvents(fixture, posterRated.receipt, [
      { eventName: "PartyRated", args: { taskId, rater: poster.address, ratee: human.address, rating: 5 } },
    ]);
    const executorRated = await send(fixture, market.write.rate([taskId, terms, 4], { account: human.wallet.account }));
    assertMarketEvents(fixture, executorRated.receipt, [
      { eventName: "PartyRated", args: { taskId, rater: human.address, ratee: poster.address, rating: 4 } },
    ]);
    assert.deepEqual(await executorRecordOf(market, human.address), {
      ...EMPTY_EXECUTOR_RECORD,
      completed: 1,
      ratingSum: 5,
      ratingCount: 1,
    });
    assert.deepEqual(await posterRecordOf(market, poster.address), {
      ...EMPTY_POSTER_RECORD,
      posted: 1,
      settled: 1,
      ratingSum: 4,
      ratingCount: 1,
    });
    assert.equal(await statusOf(market, taskId), TaskStatus.Settled);
  });

  it("settles an ERC-20 task for an agent executor, with an ERC-20 claim bond", async () => {
    const fixture = await networkHelpers.loadFixture(deployTaskMarket);
    const { market, token, poster, agent, stranger, feeRecipient, operator } = fixture;
    const parties = [market.address, poster.address, agent.address, feeRecipient, operator];
    const localTerms = await buildTerms(fixture, { token: token.address, executorKind: ExecutorKind.Agent });

    // Create after approving exactly the reward; no ETH moves but gas.
    let before = await balancesOf(fixture, token.address, parties);
    const ethBefore = await balancesOf(fixture, ETH, [market.address]);
    await send(fixture, token.write.approve([market.address, localTerms.reward], { account: poster.wallet.account }));
    const created = await postTask(fixture, localTerms);
    const { taskId, terms, capabilities, documentURI } = readTaskCreated(fixture, created.posted.receipt);
    assert.deepEqual(terms, localTerms);
    assertMarketEvents(fixture, created.posted.receipt, [
      {
        eventName: "TaskCreated",
        args: { taskId, poster: poster.address, token: token.address, terms, capabilities, documentURI },
      },
    ]);
    await assertBalanceDeltas(fixture, token.address, before, [
      [market.address, terms.reward],
      [poster.address, -terms.reward],
      [agent.address, 0n],
      [feeRecipient, 0n],
      [operator, 0n],
    ]);
    assert.equal(await token.read.allowance([poster.address, market.address]), 0n);
    assert.equal(await statusOf(market, taskId), TaskStatus.Posted);
    const task = { taskId, terms, capabilities, documentURI, posted: created.posted };

    // Claim: the token bond is pulled by allowance.
    before = await balancesOf(fixture, token.address, parties);
    const claimed = await claimTask(fixture, task, agent);
    const executionDeadline = (await timestampOf(fixture, claimed)) + EXECUTION_WINDOW;
    assertMarketEvents(fixture, claimed.receipt, [
      { eventName: "TaskClaimed", args: { taskId, executor: agent.address, executionDeadline, bond: BOND } },
    ]);
    await assertBalanceDeltas(fixture, token.address, before, [
      [market.address, BOND],
      [poster.address, 0n],
      [agent.address, -BOND],
      [feeRecipient, 0n],
      [operator, 0n],
    ]);
    assert.equal(await statusOf(market, taskId), TaskStatus.Claimed);

    await send(fixture, market.write.start([taskId], { account: agent.wallet.account }));
    assert.equal(await statusOf(market, taskId), TaskStatus.InProgress);
    const checkpointed = await send(
      fixture,
      market.write.checkpoint([taskId, 100, PROGRESS_HASH, ""], { account: agent.wallet.account }),
    );
    assertMarketEvents(fixture, checkpointed.receipt, [
      {
        eventName: "CheckpointPosted",
        args: { taskId, executor: agent.address, percentComplete: 100, progressHash: PROGRESS_HASH, progressURI: "" },
      },
    ]);
    await submitWork(fixture, task, agent);
    assert.equal(await statusOf(market, taskId), TaskStatus.Submitted);

    // Approve and settle in the token.
    const fee = feeOf(terms.reward, terms.feeBps);
    const payout = terms.reward - fee;
    before = await balancesOf(fixture, token.address, parties);
    const approved = await send(fixture, market.write.approve([taskId, terms], { account: poster.wallet.account }));
    assertMarketEvents(fixture, approved.receipt, [
      {
        eventName: "TaskSettled",
        args: { taskId, executor: agent.address, token: token.address, payout, fee, bondReturned: BOND },
      },
    ]);
    await assertBalanceDeltas(fixture, token.address, before, [
      [market.address, -(payout + BOND)],
      [poster.address, 0n],
      [agent.address, payout + BOND],
      [feeRecipient, 0n],
      [operator, 0n],
    ]);
    assert.equal(await statusOf(market, taskId), TaskStatus.Settled);
    assert.equal(await accruedFeesOf(market, token.address), fee);
    assert.equal(await accruedFeesOf(market, ETH), 0n);
    assert.equal(await earnedOf(market, agent.address, token.address), payout);
    assert.equal(await earnedOf(market, agent.address, ETH), 0n);
    assert.deepEqual(await executorRecordOf(market, agent.address), { ...EMPTY_EXECUTOR_RECORD, completed: 1 });
    assert.deepEqual(await executorRecordOf(market, operator), EMPTY_EXECUTOR_RECORD);
    assert.deepEqual(await posterRecordOf(market, poster.address), { ...EMPTY_POSTER_RECORD, posted: 1, settled: 1 });

    before = await balancesOf(fixture, token.address, parties);
    await send(fixture, market.write.withdrawProtocolFees([token.address], { account: stranger.wallet.account }));
    await assertBalanceDeltas(fixture, token.address, before, [
      [market.address, -fee],
      [poster.address, 0n],
      [agent.address, 0n],
      [feeRecipient, fee],
      [operator, 0n],
    ]);
    assert.equal(await token.read.balanceOf([market.address]), 0n);
    await assertBalanceDeltas(fixture, ETH, ethBefore, [[market.address, 0n]]);

    // The agent rates the poster; the poster rates the agent.
    await send(fixture, market.write.rate([taskId, terms, 3], { account: agent.wallet.account }));
    await send(fixture, market.write.rate([taskId, terms, 1], { account: poster.wallet.account }));
    assert.deepEqual(await executorRecordOf(market, agent.address), {
      ...EMPTY_EXECUTOR_RECORD,
      completed: 1,
      ratingSum: 1,
      ratingCount: 1,
    });
    assert.deepEqual(await posterRecordOf(market, poster.address), {
      ...EMPTY_POSTER_RECORD,
      posted: 1,
      settled: 1,
      ratingSum: 3,
      ratingCount: 1,
    });
  });

  describe("createTaskWithPermit", () => {
    it("funds an ERC-20 task with an EIP-2612 permit signed with signTypedData, without a prior approve", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, token, poster, human, feeRecipient } = fixture;
      const localTerms = await buildTerms(fixture, { token: token.address });
      assert.equal(await token.read.allowance([poster.address, market.address]), 0n);
      const deadline = BigInt(localTerms.claimDeadline);
      const permit = await signPermit(fixture, poster, market.address, localTerms.reward, deadline);

      const parties = [market.address, poster.address, human.address, feeRecipient];
      let before = await balancesOf(fixture, token.address, parties);
      const created = await send(
        fixture,
        market.write.createTaskWithPermit([localTerms, CAPABILITIES, DOCUMENT_URI, permit], {
          account: poster.wallet.account,
        }),
      );
      const task = { ...readTaskCreated(fixture, created.receipt), posted: created };
      assert.deepEqual(task.terms, localTerms);
      assertMarketEvents(fixture, created.receipt, [
        {
          eventName: "TaskCreated",
          args: {
            taskId: task.taskId,
            poster: poster.address,
            token: token.address,
            terms: task.terms,
            capabilities: CAPABILITIES,
            documentURI: DOCUMENT_URI,
          },
        },
      ]);
      await assertBalanceDeltas(fixture, token.address, before, [
        [market.address, localTerms.reward],
        [poster.address, -localTerms.reward],
        [human.address, 0n],
        [feeRecipient, 0n],
      ]);
      // The permit was used: its nonce is spent and the allowance it granted was consumed by the transfer.
      assert.equal(await token.read.nonces([poster.address]), 1n);
      assert.equal(await token.read.allowance([poster.address, market.address]), 0n);
      assert.equal(await statusOf(market, task.taskId), TaskStatus.Posted);

      // The task then runs like any other.
      await claimTask(fixture, task, human);
      await submitWork(fixture, task, human);
      before = await balancesOf(fixture, token.address, parties);
      await send(fixture, market.write.approve([task.taskId, task.terms], { account: poster.wallet.account }));
      const fee = feeOf(task.terms.reward, task.terms.feeBps);
      await assertBalanceDeltas(fixture, token.address, before, [
        [market.address, -(task.terms.reward - fee + BOND)],
        [poster.address, 0n],
        [human.address, task.terms.reward - fee + BOND],
        [feeRecipient, 0n],
      ]);
      assert.equal(await statusOf(market, task.taskId), TaskStatus.Settled);
      assert.equal(await token.read.balanceOf([market.address]), fee);
    });

    it("still creates the task when someone front-ran the permit, since the allowance is in place", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, token, poster, stranger } = fixture;
      const terms = await buildTerms(fixture, { token: token.address });
      const permit = await signPermit(fixture, poster, market.address, terms.reward, BigInt(terms.claimDeadline));

      // A watcher of the mempool submits the permit to the token first.
      await send(
        fixture,
        token.write.permit(
          [poster.address, market.address, terms.reward, permit.deadline, permit.v, permit.r, permit.s],
          {
            account: stranger.wallet.account,
          },
        ),
      );
      assert.equal(await token.read.allowance([poster.address, market.address]), terms.reward);

      const before = await balancesOf(fixture, token.address, [market.address, poster.address]);
      const created = await send(
        fixture,
        market.write.createTaskWithPermit([terms, CAPABILITIES, DOCUMENT_URI, permit], {
          account: poster.wallet.account,
        }),
      );
      const { taskId } = readTaskCreated(fixture, created.receipt);
      await assertBalanceDeltas(fixture, token.address, before, [
        [market.address, terms.reward],
        [poster.address, -terms.reward],
      ]);
      assert.equal(await statusOf(market, taskId), TaskStatus.Posted);
    });

    it("reverts with the token's allowance error when the permit is invalid and no allowance exists", async () => {
      const fixture = await networkHelpers.loadFixture(deployTaskMarket);
      const { market, token, poster, stranger } = fixture;
      const terms = await buildTerms(fixture, { token: token.address });
      // Signed by someone else: the permit fails and is ignored, and the transfer then finds no allowance.
      const forged = await signPermit(fixture, stranger, market.address, terms.reward, BigInt(terms.claimDeadline));

      await viem.assertions.revertWithCustomErrorWithArgs(
        market.write.createTaskWithPermit([terms, CAPABILITIES, DOCUMENT_URI, forged], {
          account: poster.wallet.account,
        }),
        token,
        "ERC20InsufficientAllowance",
        [market.address, 0n, terms.reward],
      );
      assert.equal(await market.read.nextTaskId(), 1n);
    });
  });
});
