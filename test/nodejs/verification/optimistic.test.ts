/**
 * Optimistic verification end to end: a submission is accepted when its challenge window — the task's review window —
 * passes unchallenged; a challenge puts it before a panel of arbiters, whose ruling splits the escrow and decides who
 * takes the deposits.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";

import {
  BOND,
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
  type PostedTask,
} from "../helpers/lifecycle.js";
import {
  BPS,
  EMPTY_EXECUTOR_RECORD,
  ETH,
  TaskStatus,
  accruedFeesOf,
  executorRecordOf,
  feeOf,
  progressOf,
  stateOf,
  statusOf,
  type TaskTerms,
} from "../helpers/protocol.js";
import {
  ARBITRATION_FEE,
  CHALLENGE_BOND,
  ContestOutcome,
  ContestPhase,
  EXECUTION_PERIOD,
  FEE_PAYMENT_PERIOD,
  RULING_PERIOD,
  contestOf,
  deployVerificationMarket,
  eventsOf,
  optimisticConfigHash,
  panelCreditOf,
  rulingFor,
  treasuryCutOf,
  type OptimisticConfig,
  type VerificationFixture,
} from "./helpers.js";

const { viem, networkHelpers } = await network.create();

/** 0.01 ETH + 7 wei: set by a poster on an optimistic task, where no one earns it. */
const VERIFIER_FEE = 10_000_000_000_000_007n;
const EVIDENCE_HASH = "0x7777777777777777777777777777777777777777777777777777777777777777";
const EVIDENCE_URI = "ipfs://bafychallengerevidence";
/** What a challenger, and then the executor, deposits: the arbitration fee and the challenge bond. */
const DEPOSIT = ARBITRATION_FEE + CHALLENGE_BOND;

function configOf(fixture: VerificationFixture): OptimisticConfig {
  return { arbitrator: fixture.panel.address, challengeBond: CHALLENGE_BOND };
}

/** Terms verified optimistically under `configOf(fixture)`. */
function optimisticTerms(fixture: VerificationFixture, overrides: Partial<TaskTerms> = {}): Promise<TaskTerms> {
  return buildTerms(fixture, {
    verifier: fixture.optimistic.address,
    verifierConfigHash: optimisticConfigHash(configOf(fixture)),
    ...overrides,
  });
}

/** Has `fixture.human` claim the task and submit; returns the end of the challenge window. */
async function claimAndSubmit(fixture: VerificationFixture, task: PostedTask): Promise<number> {
  await claimTask(fixture, task, fixture.human);
  const submitted = await submitWork(fixture, task, fixture.human);
  return (await timestampOf(fixture, submitted)) + REVIEW_WINDOW;
}

/** How a settlement with `shareBps` for the executor divides `amount`, as the market computes it. */
function split(amount: bigint, shareBps: number, feeBps: number) {
  const gross = (amount * BigInt(shareBps)) / BigInt(BPS);
  const fee = feeOf(gross, feeBps);
  return { payout: gross - fee, fee, refund: amount - gross };
}

describe("Optimistic verification", () => {
  it("settles an unchallenged submission in full once its challenge window has passed", async () => {
    const fixture = await networkHelpers.loadFixture(deployVerificationMarket);
    const { market, optimistic, poster, human, stranger, feeRecipient } = fixture;
    const config = configOf(fixture);

    // The poster commits to the module's configuration by its hash, which anyone can recompute off-chain.
    const configHash = optimisticConfigHash(config);
    assert.equal(await optimistic.read.configHash([config]), configHash);
    const published = await send(fixture, optimistic.write.publishConfig([config], { account: poster.wallet.account }));
    assert.deepEqual(eventsOf(optimistic, published.receipt), [
      { eventName: "OptimisticConfigPublished", args: { configHash, config } },
    ]);

    const task = await postTask(fixture, await optimisticTerms(fixture));
    const { taskId, terms } = task;
    assert.equal(terms.verifier, optimistic.address);
    assert.equal(terms.verifierConfigHash, configHash);
    const windowEnd = await claimAndSubmit(fixture, task);
    assert.equal((await stateOf(market, taskId)).reviewDeadline, windowEnd);

    // Within the window nothing can be released.
    await networkHelpers.time.increaseTo(windowEnd - 1);
    await viem.assertions.revertWithCustomErrorWithArgs(
      market.write.release([taskId, terms], { account: stranger.wallet.account }),
      market,
      "TaskMarket_InvalidStatus",
      [taskId, TaskStatus.Submitted],
    );

    // Past it, the silence is an acceptance: anyone releases the payment.
    await networkHelpers.time.increaseTo(windowEnd + 1);
    assert.equal(await statusOf(market, taskId), TaskStatus.Verified);
    const parties = [market.address, optimistic.address, poster.address, human.address, stranger.address, feeRecipient];
    const before = await balancesOf(fixture, ETH, parties);
    const released = await send(fixture, market.write.release([taskId, terms], { account: stranger.wallet.account }));

    const { payout, fee } = split(terms.reward, BPS, terms.feeBps);
    assertMarketEvents(fixture, released.receipt, [
      { eventName: "TaskVerified", args: { taskId } },
      {
        eventName: "TaskSettled",
        args: { taskId, executor: human.address, token: ETH, payout, fee, bondReturned: BOND },
      },
    ]);
    assert.deepEqual(eventsOf(optimistic, released.receipt), [], "the module takes no part");
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, -(payout + BOND)],
      [optimistic.address, 0n],
      [poster.address, 0n],
      [human.address, payout + BOND],
      [stranger.address, -released.gasCost],
      [feeRecipient, 0n],
    ]);
    assert.equal(await statusOf(market, taskId), TaskStatus.Settled);
    assert.equal(await balanceOf(fixture, ETH, market.address), fee);
    assert.equal(await accruedFeesOf(market, ETH), fee);
    assert.deepEqual(await executorRecordOf(market, human.address), { ...EMPTY_EXECUTOR_RECORD, completed: 1 });

    // Too late to challenge now.
    await viem.assertions.revertWithCustomErrorWithArgs(
      optimistic.write.challenge([taskId, terms, config], { account: stranger.wallet.account, value: DEPOSIT }),
      optimistic,
      "OptimisticModule_NotChallengeable",
      [taskId],
    );
  });

  it("puts a challenged submission before the panel: challenge, respond, vote, execute the ruling", async () => {
    const fixture = await networkHelpers.loadFixture(deployVerificationMarket);
    const { market, optimistic, panel, arbiters, poster, human, stranger, controller, feeRecipient } = fixture;
    const challenger = stranger;
    const config = configOf(fixture);
    const task = await postTask(fixture, await optimisticTerms(fixture));
    const { taskId, terms } = task;
    await claimAndSubmit(fixture, task);
    const parties = [
      market.address,
      optimistic.address,
      panel.address,
      poster.address,
      human.address,
      challenger.address,
      controller.address,
      feeRecipient,
    ];

    // Challenge: anyone but the executor, within the window, with the arbitration fee and the bond.
    await viem.assertions.revertWithCustomErrorWithArgs(
      optimistic.write.challenge([taskId, terms, config], { account: human.wallet.account, value: DEPOSIT }),
      optimistic,
      "OptimisticModule_ExecutorCannotChallenge",
      [taskId],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      optimistic.write.challenge([taskId, terms, config], { account: challenger.wallet.account, value: DEPOSIT - 1n }),
      optimistic,
      "DisputableModule_IncorrectDeposit",
      [DEPOSIT, DEPOSIT - 1n],
    );
    let before = await balancesOf(fixture, ETH, parties);
    const challenged = await send(
      fixture,
      optimistic.write.challenge([taskId, terms, config], { account: challenger.wallet.account, value: DEPOSIT }),
    );
    const feeDeadline = (await timestampOf(fixture, challenged)) + FEE_PAYMENT_PERIOD;
    assert.deepEqual(eventsOf(optimistic, challenged.receipt), [
      { eventName: "SubmissionChallenged", args: { taskId, challenger: challenger.address, bond: CHALLENGE_BOND } },
      {
        eventName: "DisputeRaised",
        args: {
          taskId,
          claimant: challenger.address,
          respondent: human.address,
          arbitrator: panel.address,
          deposit: DEPOSIT,
          feeDeadline,
        },
      },
    ]);
    // Until the executor answers, the hold's default is the challenger's win.
    assertMarketEvents(fixture, challenged.receipt, [
      {
        eventName: "SubmissionHeld",
        args: { taskId, verifier: optimistic.address, until: feeDeadline + EXECUTION_PERIOD, defaultShareBps: 0 },
      },
    ]);
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, 0n],
      [optimistic.address, DEPOSIT],
      [panel.address, 0n],
      [poster.address, 0n],
      [human.address, 0n],
      [challenger.address, -DEPOSIT - challenged.gasCost],
      [controller.address, 0n],
      [feeRecipient, 0n],
    ]);
    assert.equal(await statusOf(market, taskId), TaskStatus.Disputed);

    // Respond: the executor matches the deposit and the panel is seized.
    before = await balancesOf(fixture, ETH, parties);
    const responded = await send(
      fixture,
      optimistic.write.respond([taskId, terms], { account: human.wallet.account, value: DEPOSIT }),
    );
    const rulingDeadline = (await timestampOf(fixture, responded)) + RULING_PERIOD;
    assert.deepEqual(eventsOf(panel, responded.receipt), [
      { eventName: "DisputeCreation", args: { disputeId: 1n, arbitrable: optimistic.address } },
    ]);
    assert.deepEqual(eventsOf(optimistic, responded.receipt), [
      {
        eventName: "ArbitrationStarted",
        args: { taskId, arbitrator: panel.address, arbitratorDisputeId: 1n, rulingDeadline },
      },
      {
        eventName: "Dispute",
        args: { arbitrator: panel.address, disputeId: 1n, metaEvidenceId: 0n, evidenceGroupId: taskId },
      },
    ]);
    assertMarketEvents(fixture, responded.receipt, [
      {
        eventName: "SubmissionHeld",
        args: {
          taskId,
          verifier: optimistic.address,
          until: rulingDeadline + EXECUTION_PERIOD,
          defaultShareBps: BPS,
        },
      },
    ]);
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, 0n],
      [optimistic.address, CHALLENGE_BOND],
      [panel.address, ARBITRATION_FEE],
      [poster.address, 0n],
      [human.address, -DEPOSIT - responded.gasCost],
      [challenger.address, 0n],
      [controller.address, 0n],
      [feeRecipient, 0n],
    ]);
    const contest = await contestOf(optimistic, taskId);
    assert.equal(contest.phase, ContestPhase.Arbitrating);
    assert.equal(contest.arbitratorDisputeId, 1n);
    assert.equal((await progressOf(market, taskId)).holdShareBps, BPS);

    const evidence = await send(
      fixture,
      optimistic.write.submitEvidence([taskId, EVIDENCE_HASH, EVIDENCE_URI], { account: challenger.wallet.account }),
    );
    assert.deepEqual(eventsOf(optimistic, evidence.receipt), [
      {
        eventName: "EvidenceSubmitted",
        args: { taskId, party: challenger.address, evidenceHash: EVIDENCE_HASH, evidenceURI: EVIDENCE_URI },
      },
      {
        eventName: "Evidence",
        args: { arbitrator: panel.address, evidenceGroupId: taskId, party: challenger.address, evidence: EVIDENCE_URI },
      },
    ]);

    // Vote: two of the three arbiters agree that the work is worth nothing; the third wanted 20 %.
    const disputeId = contest.arbitratorDisputeId;
    const ruling = rulingFor(0);
    await send(fixture, panel.write.vote([disputeId, ruling], { account: arbiters[0].wallet.account }));
    await send(fixture, panel.write.vote([disputeId, rulingFor(20)], { account: arbiters[1].wallet.account }));
    const decided = await send(fixture, panel.write.vote([disputeId, ruling], { account: arbiters[2].wallet.account }));
    assert.deepEqual(
      eventsOf(panel, decided.receipt).map((event) => event.eventName),
      ["VoteCast", "DisputeSolved"],
    );
    assert.deepEqual(eventsOf(optimistic, decided.receipt), [
      { eventName: "Ruling", args: { arbitrator: panel.address, disputeId, ruling } },
    ]);
    assert.equal((await contestOf(optimistic, taskId)).phase, ContestPhase.Ruled);
    assert.equal(await statusOf(market, taskId), TaskStatus.Disputed, "nothing settles until someone executes");
    // The fee goes to the arbiters of the majority; the last of them gets the odd wei.
    const share = ARBITRATION_FEE / 2n;
    assert.equal(await panelCreditOf(panel, arbiters[0].address), share);
    assert.equal(await panelCreditOf(panel, arbiters[1].address), 0n);
    assert.equal(await panelCreditOf(panel, arbiters[2].address), ARBITRATION_FEE - share);

    // Execute: anyone carries the ruling out.
    before = await balancesOf(fixture, ETH, parties);
    const executed = await send(
      fixture,
      optimistic.write.executeRuling([taskId, terms], { account: controller.wallet.account }),
    );
    assert.deepEqual(eventsOf(optimistic, executed.receipt), [
      { eventName: "ContestEnded", args: { taskId, outcome: ContestOutcome.Ruled, executorShareBps: 0 } },
    ]);
    assertMarketEvents(fixture, executed.receipt, [
      { eventName: "SubmissionResolved", args: { taskId, verifier: optimistic.address, executorShareBps: 0 } },
      {
        eventName: "TaskSettled",
        args: { taskId, executor: human.address, token: ETH, payout: 0n, fee: 0n, bondReturned: BOND },
      },
      { eventName: "SettlementRefunded", args: { taskId, poster: poster.address, refund: terms.reward } },
    ]);
    // The challenger wins: the claimant's fee, its bond, and the executor's bond less the treasury's cut.
    const cut = treasuryCutOf(CHALLENGE_BOND);
    await assertBalanceDeltas(fixture, ETH, before, [
      [market.address, -(terms.reward + BOND)],
      [optimistic.address, -(ARBITRATION_FEE + 2n * CHALLENGE_BOND)],
      [panel.address, 0n],
      [poster.address, terms.reward],
      [human.address, BOND],
      [challenger.address, ARBITRATION_FEE + 2n * CHALLENGE_BOND - cut],
      [controller.address, -executed.gasCost],
      [feeRecipient, cut],
    ]);
    assert.equal(await statusOf(market, taskId), TaskStatus.Settled);
    assert.equal(await balanceOf(fixture, ETH, market.address), 0n, "no fee on a share of zero");
    assert.equal(await balanceOf(fixture, ETH, optimistic.address), 0n);
    assert.equal((await contestOf(optimistic, taskId)).phase, ContestPhase.None);
    assert.deepEqual(await executorRecordOf(market, human.address), { ...EMPTY_EXECUTOR_RECORD, disputesLost: 1 });

    // The arbiters withdraw their shares from the panel.
    const arbiterBefore = await balanceOf(fixture, ETH, arbiters[0].address);
    const withdrawn = await send(fixture, panel.write.withdraw([], { account: arbiters[0].wallet.account }));
    assert.equal(await balanceOf(fixture, ETH, arbiters[0].address), arbiterBefore + share - withdrawn.gasCost);
  });

  it("pays an ERC-20 task's executor after a failed challenge; fees and bonds stay in ETH", async () => {
    const fixture = await networkHelpers.loadFixture(deployVerificationMarket);
    const { market, optimistic, panel, arbiters, token, poster, human, stranger, controller, feeRecipient } = fixture;
    const challenger = stranger;
    const config = configOf(fixture);
    const task = await postTokenTask(
      fixture,
      await optimisticTerms(fixture, { token: token.address, verifierFee: VERIFIER_FEE }),
    );
    const { taskId, terms } = task;
    await claimAndSubmit(fixture, task);
    const tokenParties = [market.address, optimistic.address, poster.address, human.address, challenger.address];
    const ethParties = [
      market.address,
      optimistic.address,
      panel.address,
      poster.address,
      human.address,
      challenger.address,
      controller.address,
      feeRecipient,
    ];

    // No one reviews an optimistic task: the verifier fee the poster set goes back to it at the challenge.
    let tokensBefore = await balancesOf(fixture, token.address, tokenParties);
    const challenged = await send(
      fixture,
      optimistic.write.challenge([taskId, terms, config], { account: challenger.wallet.account, value: DEPOSIT }),
    );
    assertMarketEvents(fixture, challenged.receipt, [
      {
        eventName: "SubmissionHeld",
        args: {
          taskId,
          verifier: optimistic.address,
          until: (await timestampOf(fixture, challenged)) + FEE_PAYMENT_PERIOD + EXECUTION_PERIOD,
          defaultShareBps: 0,
        },
      },
      { eventName: "VerifierPaid", args: { taskId, verifier: optimistic.address, amount: VERIFIER_FEE } },
    ]);
    assert.deepEqual(eventsOf(optimistic, challenged.receipt).at(-1), {
      eventName: "VerifierFeeForwarded",
      args: { token: token.address, to: poster.address, amount: VERIFIER_FEE },
    });
    await assertBalanceDeltas(fixture, token.address, tokensBefore, [
      [market.address, -VERIFIER_FEE],
      [optimistic.address, 0n],
      [poster.address, VERIFIER_FEE],
      [human.address, 0n],
      [challenger.address, 0n],
    ]);

    await send(fixture, optimistic.write.respond([taskId, terms], { account: human.wallet.account, value: DEPOSIT }));
    const disputeId = (await contestOf(optimistic, taskId)).arbitratorDisputeId;
    for (const arbiter of arbiters.slice(0, 2)) {
      await send(fixture, panel.write.vote([disputeId, rulingFor(100)], { account: arbiter.wallet.account }));
    }

    tokensBefore = await balancesOf(fixture, token.address, tokenParties);
    const ethBefore = await balancesOf(fixture, ETH, ethParties);
    const executed = await send(
      fixture,
      optimistic.write.executeRuling([taskId, terms], { account: controller.wallet.account }),
    );
    const { payout, fee } = split(terms.reward, BPS, terms.feeBps);
    assertMarketEvents(fixture, executed.receipt, [
      { eventName: "SubmissionResolved", args: { taskId, verifier: optimistic.address, executorShareBps: BPS } },
      {
        eventName: "TaskSettled",
        args: { taskId, executor: human.address, token: token.address, payout, fee, bondReturned: BOND },
      },
    ]);
    await assertBalanceDeltas(fixture, token.address, tokensBefore, [
      [market.address, -(payout + BOND)],
      [optimistic.address, 0n],
      [poster.address, 0n],
      [human.address, payout + BOND],
      [challenger.address, 0n],
    ]);
    // The executor wins the deposits: the challenger's fee, its own bond, the challenger's bond less the cut.
    const cut = treasuryCutOf(CHALLENGE_BOND);
    await assertBalanceDeltas(fixture, ETH, ethBefore, [
      [market.address, 0n],
      [optimistic.address, -(ARBITRATION_FEE + 2n * CHALLENGE_BOND)],
      [panel.address, 0n],
      [poster.address, 0n],
      [human.address, ARBITRATION_FEE + 2n * CHALLENGE_BOND - cut],
      [challenger.address, 0n],
      [controller.address, -executed.gasCost],
      [feeRecipient, cut],
    ]);
    assert.equal(await balanceOf(fixture, token.address, market.address), fee);
    assert.equal(await accruedFeesOf(market, token.address), fee);
    assert.equal(await accruedFeesOf(market, ETH), 0n, "the treasury's cut is paid out, not accrued");
    assert.deepEqual(await executorRecordOf(market, human.address), {
      ...EMPTY_EXECUTOR_RECORD,
      completed: 1,
      disputesWon: 1,
    });
  });
});
