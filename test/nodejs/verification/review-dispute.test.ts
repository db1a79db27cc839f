/**
 * Review with recourse end to end: a reviewer's rejection or partial acceptance is put up for contest; the executor
 * disputes it before a panel of arbiters, or the poster and the executor settle it with an EIP-712 `Settlement` they
 * both sign and anyone submits.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { hashTypedData, keccak256, stringToHex } from "viem";
import type { Hex } from "viem";

import {
  MODULE_DOMAIN_NAMES,
  SETTLEMENT_TYPES,
  encodeTypeString,
  moduleDomain,
  settlementTypedData,
  type SettlementMessage,
} from "../../../src/protocol/eip712.js";
import {
  BOND,
  RESULT_HASH,
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
  type PostedTask,
} from "../helpers/lifecycle.js";
import {
  BPS,
  EMPTY_EXECUTOR_RECORD,
  ETH,
  TaskStatus,
  executorRecordOf,
  feeOf,
  progressOf,
  statusOf,
  submissionOf,
  type TaskTerms,
} from "../helpers/protocol.js";
import {
  ARBITRATION_FEE,
  ContestOutcome,
  ContestPhase,
  DAY,
  EXECUTION_PERIOD,
  FEE_PAYMENT_PERIOD,
  RULING_PERIOD,
  contestOf,
  deployVerificationMarket,
  eventsOf,
  reviewConfigHash,
  rulingFor,
  type ReviewConfig,
  type VerificationFixture,
} from "./helpers.js";

const { viem, networkHelpers } = await network.create();

/** 0.01 ETH + 7 wei, earned by the reviewer for its first decision. */
const VERIFIER_FEE = 10_000_000_000_000_007n;
const CONTEST_WINDOW = 2 * DAY;
const REASON_HASH: Hex = "0x4444444444444444444444444444444444444444444444444444444444444444";

function configOf(fixture: VerificationFixture): ReviewConfig {
  return { reviewer: fixture.reviewer.address, arbitrator: fixture.panel.address, contestWindow: CONTEST_WINDOW };
}

/** Terms reviewed by `fixture.reviewer` through the review module, for a verifier fee, with a contest window. */
function reviewTerms(fixture: VerificationFixture): Promise<TaskTerms> {
  return buildTerms(fixture, {
    verifier: fixture.review.address,
    verifierFee: VERIFIER_FEE,
    verifierConfigHash: reviewConfigHash(configOf(fixture)),
  });
}

async function postClaimAndSubmit(fixture: VerificationFixture): Promise<PostedTask> {
  const task = await postTask(fixture, await reviewTerms(fixture));
  await claimTask(fixture, task, fixture.human);
  await submitWork(fixture, task, fixture.human);
  return task;
}

/** How a settlement with `shareBps` for the executor divides `amount`, as the market computes it. */
function split(amount: bigint, shareBps: number, feeBps: number) {
  const gross = (amount * BigInt(shareBps)) / BigInt(BPS);
  const fee = feeOf(gross, feeBps);
  return { payout: gross - fee, fee, refund: amount - gross };
}

/** The settlement both parties sign, in the review module's EIP-712 domain. */
async function settlementFor(fixture: VerificationFixture, message: SettlementMessage) {
  const chainId = await fixture.publicClient.getChainId();
  return settlementTypedData(moduleDomain("review", chainId, fixture.review.address), message);
}

describe("Review with a dispute", () => {
  it("lets the executor dispute a rejection, the poster answer, and the panel award the executor 60 %", async () => {
    const fixture = await networkHelpers.loadFixture(deployVerificationMarket);
    const { market, review, panel, arbiters, poster, human, reviewer, controller, feeRecipient } = fixture;
    const config = configOf(fixture);
    assert.equal(await review.read.configHash([config]), reviewConfigHash(config));
    const { taskId, terms } = await postClaimAndSubmit(fixture);
    const parties = [
      market.address,
      review.address,
      panel.address,
      poster.address,
      human.address,
      reviewer.address,
      controller.address,
      feeRecipient,
    ];

    // Reject: the decision is held for the contest window; the reviewer earns the verifier fee now.
    let before = await balancesOf(fixture, ETH, parties);
    const rejected = await send(
      fixture,
      review.write.reject([taskId, terms, config, REASON_HASH], { account: reviewer.wallet.account }),
    );
    const windowEnd = (await timestampOf(fixture, rejected)) + CONTEST_WINDOW;
    assert.deepEqual(eventsOf(review, rejected.receipt), [
      { eventName: "ReviewRejected", args: { taskId, reviewer: reviewer.address, reasonHash: REASON_HASH } },
      { eventName: "ContestOpened", args: { taskId, decisionShareBps: 0, rejection: true, windowEnd } },
      { eventName: "VerifierFeeForwarded", args: { token: ETH, to: reviewer.address, amount: VERIFIER_FEE } },
    ]);
    assertMarketEvents(fixture, rejected.receipt, [
      { eventName: "SubmissionHeld", args: { taskId, verifier: review.address, until: windowEnd, defaultShareBps: 0 } },
      { eventName: "VerifierPaid", args: { taskId, verifier: review.address, amount: VERIFIER_FEE } },
    ]);
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, -VERIFIER_FEE],
      [review.address, 0n],
      [panel.address, 0n],
      [poster.address, 0n],
      [human.address, 0n],
      [reviewer.address, VERIFIER_FEE - rejected.gasCost],
      [controller.address, 0n],
      [feeRecipient, 0n],
    ]);
    assert.equal(await statusOf(market, taskId), TaskStatus.Disputed);

    // Dispute: the executor deposits the arbitration fee (review disputes carry no bond).
    await viem.assertions.revertWithCustomErrorWithArgs(
      review.write.dispute([taskId, terms, config], { account: poster.wallet.account, value: ARBITRATION_FEE }),
      review,
      "DisputableModule_CallerNotParty",
      [taskId, poster.address],
    );
    before = await balancesOf(fixture, ETH, parties);
    const disputed = await send(
      fixture,
      review.write.dispute([taskId, terms, config], { account: human.wallet.account, value: ARBITRATION_FEE }),
    );
    const feeDeadline = (await timestampOf(fixture, disputed)) + FEE_PAYMENT_PERIOD;
    assert.deepEqual(eventsOf(review, disputed.receipt), [
      {
        eventName: "DisputeRaised",
        args: {
          taskId,
          claimant: human.address,
          respondent: poster.address,
          arbitrator: panel.address,
          deposit: ARBITRATION_FEE,
          feeDeadline,
        },
      },
    ]);
    // Should the poster not answer, the executor wins in full.
    assertMarketEvents(fixture, disputed.receipt, [
      {
        eventName: "SubmissionHeld",
        args: { taskId, verifier: review.address, until: feeDeadline + EXECUTION_PERIOD, defaultShareBps: BPS },
      },
    ]);
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, 0n],
      [review.address, ARBITRATION_FEE],
      [panel.address, 0n],
      [poster.address, 0n],
      [human.address, -ARBITRATION_FEE - disputed.gasCost],
      [reviewer.address, 0n],
      [controller.address, 0n],
      [feeRecipient, 0n],
    ]);

    // Respond: the poster matches the fee, which pays the panel.
    before = await balancesOf(fixture, ETH, parties);
    const responded = await send(
      fixture,
      review.write.respond([taskId, terms], { account: poster.wallet.account, value: ARBITRATION_FEE }),
    );
    const rulingDeadline = (await timestampOf(fixture, responded)) + RULING_PERIOD;
    assert.deepEqual(
      eventsOf(review, responded.receipt).map((event) => event.eventName),
      ["ArbitrationStarted", "Dispute"],
    );
    // Should no one carry out the ruling, the rejection stands.
    assertMarketEvents(fixture, responded.receipt, [
      {
        eventName: "SubmissionHeld",
        args: { taskId, verifier: review.address, until: rulingDeadline + EXECUTION_PERIOD, defaultShareBps: 0 },
      },
    ]);
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, 0n],
      [review.address, 0n],
      [panel.address, ARBITRATION_FEE],
      [poster.address, -ARBITRATION_FEE - responded.gasCost],
      [human.address, 0n],
      [reviewer.address, 0n],
      [controller.address, 0n],
      [feeRecipient, 0n],
    ]);
    const contest = await contestOf(review, taskId);
    assert.equal(contest.phase, ContestPhase.Arbitrating);
    assert.equal(contest.claimantForExecutor, true);
    assert.equal(contest.deadline, rulingDeadline);

    // Vote: two arbiters award the executor 60 %.
    const ruling = rulingFor(60);
    assert.equal(ruling, 7n);
    for (const arbiter of arbiters.slice(0, 2)) {
      await send(fixture, panel.write.vote([contest.arbitratorDisputeId, ruling], { account: arbiter.wallet.account }));
    }
    assert.equal((await contestOf(review, taskId)).rulingShareBps, 6_000);

    // Execute.
    before = await balancesOf(fixture, ETH, parties);
    const executed = await send(
      fixture,
      review.write.executeRuling([taskId, terms], { account: controller.wallet.account }),
    );
    const { payout, fee, refund } = split(terms.reward, 6_000, terms.feeBps);
    assert.deepEqual(eventsOf(review, executed.receipt), [
      { eventName: "ContestEnded", args: { taskId, outcome: ContestOutcome.Ruled, executorShareBps: 6_000 } },
    ]);
    assertMarketEvents(fixture, executed.receipt, [
      { eventName: "SubmissionResolved", args: { taskId, verifier: review.address, executorShareBps: 6_000 } },
      {
        eventName: "TaskSettled",
        args: { taskId, executor: human.address, token: ETH, payout, fee, bondReturned: BOND },
      },
      { eventName: "SettlementRefunded", args: { taskId, poster: poster.address, refund } },
    ]);
    // The executor won on the merits (60 % ≥ 50 %): it gets its claimant fee back; there are no bonds to share.
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, -(payout + BOND + refund)],
      [review.address, -ARBITRATION_FEE],
      [panel.address, 0n],
      [poster.address, refund],
      [human.address, payout + BOND + ARBITRATION_FEE],
      [reviewer.address, 0n],
      [controller.address, -executed.gasCost],
      [feeRecipient, 0n],
    ]);
    assert.equal(await statusOf(market, taskId), TaskStatus.Settled);
    assert.equal(await balanceOf(fixture, ETH, market.address), fee);
    assert.equal(await balanceOf(fixture, ETH, review.address), 0n);
    assert.deepEqual(await executorRecordOf(market, human.address), {
      ...EMPTY_EXECUTOR_RECORD,
      completed: 1,
      disputesWon: 1,
    });
  });

  it("ends a disputed partial acceptance with a split both parties sign and a stranger submits", async () => {
    const fixture = await networkHelpers.loadFixture(deployVerificationMarket);
    const { market, review, panel, poster, human, reviewer, stranger, feeRecipient } = fixture;
    const config = configOf(fixture);
    const { taskId, terms } = await postClaimAndSubmit(fixture);

    // The reviewer accepts 30 %, the executor disputes; before the poster answers, the two settle on 55 %.
    const partial = await send(
      fixture,
      review.write.acceptPartially([taskId, terms, config, 3_000], { account: reviewer.wallet.account }),
    );
    assert.deepEqual(eventsOf(review, partial.receipt).slice(0, 2), [
      { eventName: "ReviewPartiallyAccepted", args: { taskId, reviewer: reviewer.address, executorShareBps: 3_000 } },
      {
        eventName: "ContestOpened",
        args: {
          taskId,
          decisionShareBps: 3_000,
          rejection: false,
          windowEnd: (await timestampOf(fixture, partial)) + CONTEST_WINDOW,
        },
      },
    ]);
    await send(
      fixture,
      review.write.dispute([taskId, terms, config], { account: human.wallet.account, value: ARBITRATION_FEE }),
    );
    assert.equal((await contestOf(review, taskId)).phase, ContestPhase.AwaitingRespondent);

    // The signed message binds the submission the split is for.
    const submissionHash = await submissionOf(market, taskId);
    assert.equal(submissionHash, RESULT_HASH);
    const message: SettlementMessage = {
      taskId,
      submissionHash,
      executorShareBps: 5_500,
      deadline: BigInt((await latestTimestamp(fixture)) + DAY),
    };
    const typedData = await settlementFor(fixture, message);
    assert.equal(typedData.domain.name, MODULE_DOMAIN_NAMES.review);
    assert.equal(
      await review.read.SETTLEMENT_TYPEHASH(),
      keccak256(stringToHex(encodeTypeString("Settlement", SETTLEMENT_TYPES.Settlement))),
    );
    assert.equal(
      await review.read.settlementDigest([taskId, submissionHash, message.executorShareBps, message.deadline]),
      hashTypedData(typedData),
    );
    const posterSignature = await poster.wallet.signTypedData({ account: poster.wallet.account, ...typedData });
    const executorSignature = await human.wallet.signTypedData({ account: human.wallet.account, ...typedData });

    // A signature over another split does not pass.
    const otherSplit = await settlementFor(fixture, { ...message, executorShareBps: 9_000 });
    const greedySignature = await human.wallet.signTypedData({ account: human.wallet.account, ...otherSplit });
    await viem.assertions.revertWithCustomErrorWithArgs(
      review.write.settleByAgreement(
        [taskId, terms, message.executorShareBps, message.deadline, posterSignature, greedySignature],
        { account: stranger.wallet.account },
      ),
      review,
      "DisputableModule_InvalidSignature",
      [human.address],
    );

    const parties = [
      market.address,
      review.address,
      panel.address,
      poster.address,
      human.address,
      reviewer.address,
      stranger.address,
      feeRecipient,
    ];
    const before = await balancesOf(fixture, ETH, parties);
    const settled = await send(
      fixture,
      review.write.settleByAgreement(
        [taskId, terms, message.executorShareBps, message.deadline, posterSignature, executorSignature],
        { account: stranger.wallet.account },
      ),
    );
    const { payout, fee, refund } = split(terms.reward, 5_500, terms.feeBps);
    assert.deepEqual(eventsOf(review, settled.receipt), [
      { eventName: "ContestEnded", args: { taskId, outcome: ContestOutcome.Agreed, executorShareBps: 5_500 } },
    ]);
    assertMarketEvents(fixture, settled.receipt, [
      { eventName: "SubmissionResolved", args: { taskId, verifier: review.address, executorShareBps: 5_500 } },
      {
        eventName: "TaskSettled",
        args: { taskId, executor: human.address, token: ETH, payout, fee, bondReturned: BOND },
      },
      { eventName: "SettlementRefunded", args: { taskId, poster: poster.address, refund } },
    ]);
    // Agreed before the poster paid anything: the executor's deposit returns whole. The reviewer keeps its fee.
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, -(payout + BOND + refund)],
      [review.address, -ARBITRATION_FEE],
      [panel.address, 0n],
      [poster.address, refund],
      [human.address, payout + BOND + ARBITRATION_FEE],
      [reviewer.address, 0n],
      [stranger.address, -settled.gasCost],
      [feeRecipient, 0n],
    ]);
    assert.equal(await statusOf(market, taskId), TaskStatus.Settled);
    assert.equal(await balanceOf(fixture, ETH, market.address), fee);
    assert.equal(await balanceOf(fixture, ETH, review.address), 0n);
    assert.equal((await contestOf(review, taskId)).phase, ContestPhase.None);
    assert.deepEqual(await executorRecordOf(market, human.address), {
      ...EMPTY_EXECUTOR_RECORD,
      completed: 1,
      disputesWon: 1,
    });

    // The signatures cannot be used again: the contest is over.
    await viem.assertions.revertWithCustomErrorWithArgs(
      review.write.settleByAgreement(
        [taskId, terms, message.executorShareBps, message.deadline, posterSignature, executorSignature],
        { account: stranger.wallet.account },
      ),
      review,
      "DisputableModule_InvalidPhase",
      [taskId],
    );
  });

  it("ends a rejection's contest window with a signed split before anyone disputes", async () => {
    const fixture = await networkHelpers.loadFixture(deployVerificationMarket);
    const { market, review, poster, human, reviewer, stranger, feeRecipient } = fixture;
    const config = configOf(fixture);
    const { taskId, terms } = await postClaimAndSubmit(fixture);
    await send(
      fixture,
      review.write.reject([taskId, terms, config, REASON_HASH], { account: reviewer.wallet.account }),
    );
    assert.equal((await contestOf(review, taskId)).phase, ContestPhase.Open);
    assert.equal((await progressOf(market, taskId)).holdShareBps, 0, "unsettled, the rejection would stand");

    const message: SettlementMessage = {
      taskId,
      submissionHash: await submissionOf(market, taskId),
      executorShareBps: 2_500,
      deadline: BigInt((await latestTimestamp(fixture)) + DAY),
    };
    const typedData = await settlementFor(fixture, message);
    const posterSignature = await poster.wallet.signTypedData({ account: poster.wallet.account, ...typedData });
    const executorSignature = await human.wallet.signTypedData({ account: human.wallet.account, ...typedData });

    const parties = [market.address, review.address, poster.address, human.address, stranger.address, feeRecipient];
    const before = await balancesOf(fixture, ETH, parties);
    const settled = await send(
      fixture,
      review.write.settleByAgreement(
        [taskId, terms, message.executorShareBps, message.deadline, posterSignature, executorSignature],
        { account: stranger.wallet.account },
      ),
    );
    const { payout, fee, refund } = split(terms.reward, 2_500, terms.feeBps);
    assert.deepEqual(eventsOf(review, settled.receipt), [
      { eventName: "ContestEnded", args: { taskId, outcome: ContestOutcome.Agreed, executorShareBps: 2_500 } },
    ]);
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, -(payout + BOND + refund)],
      [review.address, 0n],
      [poster.address, refund],
      [human.address, payout + BOND],
      [stranger.address, -settled.gasCost],
      [feeRecipient, 0n],
    ]);
    assert.equal(await balanceOf(fixture, ETH, market.address), fee);
    // No dispute was raised, but the hold it ends was one: the smaller share counts as a dispute lost.
    assert.deepEqual(await executorRecordOf(market, human.address), {
      ...EMPTY_EXECUTOR_RECORD,
      completed: 1,
      disputesLost: 1,
    });
  });
});
