import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";

import { packMilestoneShares } from "../../../../src/protocol/terms.js";
import {
  ACCEPTED_REJECTION_REASON,
  ARBITRATION_FEE,
  BPS,
  CLAIM_BOND,
  CONTEST_WINDOW,
  ContestOutcome,
  ContestPhase,
  DAY,
  ETH,
  REWARD,
  SECOND_RESULT_HASH,
  SLASH_BPS,
  TaskStatus,
  VERIFIER_BOND,
  VERIFIER_FEE,
  accountsOf,
  assertBalanceDeltas,
  attestAll,
  balancesOf,
  claimTask,
  configHashOf,
  contestOf,
  contestedConfig,
  deployAttestationFixture,
  dispute,
  eventsOf,
  feeShares,
  holdVerdict,
  memberOf,
  postTask,
  respond,
  send,
  split,
  stateOf,
  statusOf,
  submitVerdict,
  submitWork,
  taskUnderReview,
  timestampOf,
  verdictOf,
  type AttestationConfig,
  type AttestationFixture,
  type SentTransaction,
  type Task,
  type Verifier,
} from "./helpers.js";

const { viem, networkHelpers } = await network.create();

const FEE_PAYMENT_PERIOD = 3 * DAY;
const RULING_PERIOD = 30 * DAY;
const EXECUTION_PERIOD = 7 * DAY;

/** The ruling that gives the executor `shareBps` (a multiple of 10 %). */
function rulingFor(shareBps: number): bigint {
  return BigInt(shareBps / 1_000 + 1);
}

/** A task under review with a contested configuration, and the signers of its verdict (the first two members). */
async function contestedTask(
  fixture: AttestationFixture,
  overrides: Partial<AttestationConfig> = {},
  verifierFee = 0n,
): Promise<{ task: Task; signers: Verifier[] }> {
  const task = await taskUnderReview(fixture, contestedConfig(fixture, overrides), { verifierFee });
  return { task, signers: fixture.verifiers.slice(0, 2) };
}

/** Two of the three arbiters vote `ruling`: a majority, delivered to the module at once. */
async function rule(fixture: AttestationFixture, task: Task, ruling: bigint): Promise<SentTransaction[]> {
  const { arbitratorDisputeId } = await contestOf(fixture, task.taskId);
  const votes: SentTransaction[] = [];
  for (const arbiter of fixture.arbiters.slice(0, 2)) {
    votes.push(
      await send(
        fixture,
        fixture.arbitrator.write.vote([arbitratorDisputeId, ruling], { account: arbiter.wallet.account }),
      ),
    );
  }
  const contest = await contestOf(fixture, task.taskId);
  assert.equal(contest.phase, ContestPhase.Ruled);
  return votes;
}

async function executeRuling(fixture: AttestationFixture, task: Task): Promise<SentTransaction> {
  return send(
    fixture,
    fixture.module.write.executeRuling([task.taskId, task.terms], { account: fixture.relayer.wallet.account }),
  );
}

/** Each signer's bond in the set. */
async function bondsOf(fixture: AttestationFixture, signers: readonly Verifier[]): Promise<bigint[]> {
  return Promise.all(
    signers.map(async (signer) => (await memberOf(fixture.module, fixture.setId, signer.address)).bond),
  );
}

/** The arbiters who voted for the ruling withdraw their shares of the fee: every wei of it, the last the remainder. */
async function arbitersWithdraw(fixture: AttestationFixture): Promise<void> {
  const voters = fixture.arbiters.slice(0, 2);
  const half = ARBITRATION_FEE / 2n;
  const expected = [half, ARBITRATION_FEE - half];
  for (const [index, arbiter] of voters.entries()) {
    assert.equal(await fixture.arbitrator.read.creditOf([arbiter.address]), expected[index]);
  }
  const before = await balancesOf(fixture, [fixture.arbitrator.address, ...voters.map((arbiter) => arbiter.address)]);
  const gas: bigint[] = [];
  for (const arbiter of voters) {
    gas.push((await send(fixture, fixture.arbitrator.write.withdraw([], { account: arbiter.wallet.account }))).gasCost);
  }
  await assertBalanceDeltas(
    fixture,
    before,
    [
      [fixture.arbitrator.address, -ARBITRATION_FEE],
      ...voters.map((arbiter, index) => [arbiter.address, expected[index] - gas[index]] as const),
    ],
    gas[0] + gas[1],
  );
}

describe("AttestationModule: held verdicts, contests and disputes", () => {
  it("holds a contested verdict in the market for the contest window and pays the signers the fee at once", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { module } = fixture;
    assert.deepEqual(
      await Promise.all([
        module.read.MAX_CONTEST_WINDOW(),
        module.read.FEE_PAYMENT_PERIOD(),
        module.read.RULING_PERIOD(),
        module.read.EXECUTION_PERIOD(),
        module.read.RULING_OPTIONS(),
      ]),
      [BigInt(30 * DAY), BigInt(FEE_PAYMENT_PERIOD), BigInt(RULING_PERIOD), BigInt(EXECUTION_PERIOD), 11n],
    );
    const { task, signers } = await contestedTask(fixture, {}, VERIFIER_FEE);
    const before = await balancesOf(fixture, accountsOf(fixture, signers));
    const held = await holdVerdict(fixture, task, signers, false);
    const heldAt = await timestampOf(fixture, held);
    const windowEnd = heldAt + CONTEST_WINDOW;
    const shares = feeShares(VERIFIER_FEE, 2);
    await assertBalanceDeltas(
      fixture,
      before,
      [
        [fixture.market.address, -VERIFIER_FEE],
        [fixture.module.address, 0n],
        [fixture.arbitrator.address, 0n],
        [fixture.poster.address, 0n],
        [fixture.executor.address, 0n],
        [fixture.relayer.address, -held.gasCost],
        [fixture.feeRecipient, 0n],
        [signers[0].address, shares[0]],
        [signers[1].address, shares[1]],
      ],
      held.gasCost,
    );
    assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Disputed);
    const state = await stateOf(fixture, task.taskId);
    assert.equal(state.reviewDeadline, windowEnd);
    assert.deepEqual(await fixture.market.read.progressOf([task.taskId]), [0, heldAt, 0]);
    const contest = await contestOf(fixture, task.taskId);
    assert.equal(contest.phase, ContestPhase.Open);
    assert.equal(contest.rejection, true);
    assert.equal(contest.decisionShareBps, 0);
    assert.equal(contest.deadline, windowEnd);
    assert.deepEqual(
      eventsOf(fixture.module, held.receipt).map((event) => [event.eventName, event.args.taskId]),
      [
        ["AttestationAccepted", task.taskId],
        ["AttestationAccepted", task.taskId],
        ["ContestOpened", task.taskId],
        ["VerifierFeeForwarded", undefined],
        ["VerifierFeeForwarded", undefined],
      ],
    );
    assert.deepEqual(eventsOf(fixture.module, held.receipt)[2].args, {
      taskId: task.taskId,
      decisionShareBps: 0,
      rejection: true,
      windowEnd,
    });
    assert.deepEqual(
      eventsOf(fixture.market, held.receipt).map((event) => event.eventName),
      ["SubmissionHeld", "VerifierPaid"],
    );
  });

  it("executor disputes a rejection, the panel overturns it: full pay, each signer slashed to the executor", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { market, module, arbitrator, poster, executor, relayer, feeRecipient } = fixture;
    const { task, signers } = await contestedTask(fixture);
    await holdVerdict(fixture, task, signers, false);
    const accounts = accountsOf(fixture, signers);
    assert.equal(await arbitrator.read.arbitrationCost(["0x"]), ARBITRATION_FEE);

    // The executor disputes, depositing the arbitration cost.
    let before = await balancesOf(fixture, accounts);
    const disputed = await dispute(fixture, task, executor);
    await assertBalanceDeltas(
      fixture,
      before,
      [
        [market.address, 0n],
        [module.address, ARBITRATION_FEE],
        [arbitrator.address, 0n],
        [poster.address, 0n],
        [executor.address, -ARBITRATION_FEE - disputed.gasCost],
        [relayer.address, 0n],
        [feeRecipient, 0n],
        ...signers.map((signer) => [signer.address, 0n] as const),
      ],
      disputed.gasCost,
    );
    let contest = await contestOf(fixture, task.taskId);
    const disputedAt = await timestampOf(fixture, disputed);
    assert.equal(contest.phase, ContestPhase.AwaitingRespondent);
    assert.equal(contest.claimant, executor.address);
    assert.equal(contest.respondent, poster.address);
    assert.equal(contest.claimantForExecutor, true);
    assert.equal(contest.claimantFee, ARBITRATION_FEE);
    assert.equal(contest.deadline, disputedAt + FEE_PAYMENT_PERIOD);
    // Until the poster pays, the hold defaults to the executor's win.
    assert.equal(
      (await stateOf(fixture, task.taskId)).reviewDeadline,
      disputedAt + FEE_PAYMENT_PERIOD + EXECUTION_PERIOD,
    );
    const [, , holdShareBps] = (await fixture.market.read.progressOf([task.taskId])) as readonly number[];
    assert.equal(holdShareBps, BPS);

    // The poster matches the deposit; it goes to the arbitrator.
    before = await balancesOf(fixture, accounts);
    const responded = await respond(fixture, task, poster);
    await assertBalanceDeltas(
      fixture,
      before,
      [
        [market.address, 0n],
        [module.address, 0n],
        [arbitrator.address, ARBITRATION_FEE],
        [poster.address, -ARBITRATION_FEE - responded.gasCost],
        [executor.address, 0n],
        [relayer.address, 0n],
        [feeRecipient, 0n],
        ...signers.map((signer) => [signer.address, 0n] as const),
      ],
      responded.gasCost,
    );
    contest = await contestOf(fixture, task.taskId);
    const respondedAt = await timestampOf(fixture, responded);
    assert.equal(contest.phase, ContestPhase.Arbitrating);
    assert.equal(contest.deadline, respondedAt + RULING_PERIOD);
    // The poster, the claimant, the respondent, and the executor's operator (none: the executor is not an agent).
    assert.deepEqual(await arbitrator.read.partiesOf([contest.arbitratorDisputeId]), [
      poster.address,
      executor.address,
      poster.address,
      "0x0000000000000000000000000000000000000000",
    ]);
    // Evidence from both sides.
    await module.write.submitEvidence([task.taskId, SECOND_RESULT_HASH, "ipfs://bafyevidence"], {
      account: executor.wallet.account,
    });
    await viem.assertions.revertWithCustomErrorWithArgs(
      module.write.submitEvidence([task.taskId, SECOND_RESULT_HASH, "ipfs://x"], { account: relayer.wallet.account }),
      module,
      "DisputableModule_CallerNotParty",
      [task.taskId, relayer.address],
    );

    // The panel rules 100 % for the executor.
    await rule(fixture, task, rulingFor(BPS));
    assert.equal((await contestOf(fixture, task.taskId)).rulingShareBps, BPS);

    const bondsBefore = await bondsOf(fixture, signers);
    const slashes = bondsBefore.map((bond) => (bond * BigInt(SLASH_BPS)) / BigInt(BPS));
    const slashed = slashes.reduce((sum, amount) => sum + amount, 0n);
    assert.equal(slashed, (2n * VERIFIER_BOND * BigInt(SLASH_BPS)) / BigInt(BPS));
    before = await balancesOf(fixture, accounts);
    const executed = await executeRuling(fixture, task);
    const { payout, fee } = split(REWARD, BPS);
    await assertBalanceDeltas(
      fixture,
      before,
      [
        [market.address, -(payout + CLAIM_BOND)],
        [module.address, -(slashed + ARBITRATION_FEE)],
        [arbitrator.address, 0n],
        [poster.address, 0n],
        [executor.address, payout + CLAIM_BOND + slashed + ARBITRATION_FEE],
        [relayer.address, -executed.gasCost],
        [feeRecipient, 0n],
        ...signers.map((signer) => [signer.address, 0n] as const),
      ],
      executed.gasCost,
    );
    assert.deepEqual(
      await bondsOf(fixture, signers),
      bondsBefore.map((bond, index) => bond - slashes[index]),
    );
    assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Settled);
    assert.equal((await contestOf(fixture, task.taskId)).phase, ContestPhase.None);
    const record = (await market.read.executorRecordOf([executor.address])) as {
      disputesWon: number;
      disputesLost: number;
    };
    assert.equal(record.disputesWon, 1);
    assert.deepEqual(
      eventsOf(module, executed.receipt).map((event) => [event.eventName, event.args]),
      [
        ["ContestEnded", { taskId: task.taskId, outcome: ContestOutcome.Ruled, executorShareBps: BPS }],
        ...signers.map((signer, index) => [
          "VerifierSlashed",
          { setId: fixture.setId, verifier: signer.address, taskId: task.taskId, amount: slashes[index] },
        ]),
      ],
    );
    // 0.75 ETH remains: enough for tasks requiring 0.5 ETH, not for those requiring the full 1 ETH.
    assert.equal(await module.read.isActiveVerifier([fixture.setId, signers[0].address, task.config.minBond]), true);
    assert.equal(await module.read.isActiveVerifier([fixture.setId, signers[0].address, VERIFIER_BOND]), false);

    // Nothing of the dispute is left in the module; the arbiters take the fee; the treasury takes the protocol fee.
    assert.equal(
      await fixture.publicClient.getBalance({ address: module.address }),
      BigInt(fixture.verifiers.length) * VERIFIER_BOND - slashed,
    );
    await arbitersWithdraw(fixture);
    await send(fixture, market.write.withdrawProtocolFees([ETH], { account: relayer.wallet.account }));
    assert.equal(await fixture.publicClient.getBalance({ address: feeRecipient }), fee);
    assert.equal(await fixture.publicClient.getBalance({ address: market.address }), 0n);
  });

  it("executor disputes a rejection, the panel upholds it: no slash, the poster takes the deposit", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { market, module, arbitrator, poster, executor, relayer, feeRecipient } = fixture;
    const { task, signers } = await contestedTask(fixture);
    await holdVerdict(fixture, task, signers, false);
    await dispute(fixture, task, executor);
    await respond(fixture, task, poster);
    await rule(fixture, task, rulingFor(0));

    const bondsBefore = await bondsOf(fixture, signers);
    const before = await balancesOf(fixture, accountsOf(fixture, signers));
    const executed = await executeRuling(fixture, task);
    await assertBalanceDeltas(
      fixture,
      before,
      [
        [market.address, -(REWARD + CLAIM_BOND)],
        [module.address, -ARBITRATION_FEE],
        [arbitrator.address, 0n],
        [poster.address, REWARD + ARBITRATION_FEE],
        [executor.address, CLAIM_BOND],
        [relayer.address, -executed.gasCost],
        [feeRecipient, 0n],
        ...signers.map((signer) => [signer.address, 0n] as const),
      ],
      executed.gasCost,
    );
    assert.deepEqual(await bondsOf(fixture, signers), bondsBefore);
    assert.ok(!eventsOf(module, executed.receipt).some((event) => event.eventName === "VerifierSlashed"));
    const record = (await market.read.executorRecordOf([executor.address])) as { disputesLost: number };
    assert.equal(record.disputesLost, 1);
    assert.equal(await market.read.accruedFeesOf([ETH]), 0n);
    assert.equal(
      await fixture.publicClient.getBalance({ address: module.address }),
      BigInt(fixture.verifiers.length) * VERIFIER_BOND,
    );
    await arbitersWithdraw(fixture);
  });

  it("treats the panel's refusal (ruling 0) as upholding the verdict: no slash", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { task, signers } = await contestedTask(fixture);
    await holdVerdict(fixture, task, signers, false);
    await dispute(fixture, task, fixture.executor);
    await respond(fixture, task, fixture.poster);
    await rule(fixture, task, 0n);
    assert.equal((await contestOf(fixture, task.taskId)).rulingShareBps, 0);
    const bondsBefore = await bondsOf(fixture, signers);
    const before = await balancesOf(fixture, accountsOf(fixture, signers));
    const executed = await executeRuling(fixture, task);
    await assertBalanceDeltas(
      fixture,
      before,
      [
        [fixture.market.address, -(REWARD + CLAIM_BOND)],
        [fixture.module.address, -ARBITRATION_FEE],
        [fixture.arbitrator.address, 0n],
        [fixture.poster.address, REWARD + ARBITRATION_FEE],
        [fixture.executor.address, CLAIM_BOND],
        [fixture.relayer.address, -executed.gasCost],
        [fixture.feeRecipient, 0n],
        ...signers.map((signer) => [signer.address, 0n] as const),
      ],
      executed.gasCost,
    );
    assert.deepEqual(await bondsOf(fixture, signers), bondsBefore);
  });

  it("poster disputes a full approval, the panel overturns it: the poster is refunded and paid the slashed bonds", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { market, module, arbitrator, poster, executor, relayer, feeRecipient } = fixture;
    const { task, signers } = await contestedTask(fixture);
    await holdVerdict(fixture, task, signers, true);
    // The executor has nothing to dispute in a full approval.
    await viem.assertions.revertWithCustomErrorWithArgs(
      module.write.dispute([task.taskId, task.terms, task.config], {
        account: executor.wallet.account,
        value: ARBITRATION_FEE,
      }),
      module,
      "DisputableModule_CallerNotParty",
      [task.taskId, executor.address],
    );
    await dispute(fixture, task, poster);
    const contest = await contestOf(fixture, task.taskId);
    assert.equal(contest.claimant, poster.address);
    assert.equal(contest.respondent, executor.address);
    assert.equal(contest.claimantForExecutor, false);
    await respond(fixture, task, executor);
    await rule(fixture, task, rulingFor(0));

    const slashed = (2n * VERIFIER_BOND * BigInt(SLASH_BPS)) / BigInt(BPS);
    const before = await balancesOf(fixture, accountsOf(fixture, signers));
    const executed = await executeRuling(fixture, task);
    await assertBalanceDeltas(
      fixture,
      before,
      [
        [market.address, -(REWARD + CLAIM_BOND)],
        [module.address, -(slashed + ARBITRATION_FEE)],
        [arbitrator.address, 0n],
        [poster.address, REWARD + slashed + ARBITRATION_FEE],
        [executor.address, CLAIM_BOND],
        [relayer.address, -executed.gasCost],
        [feeRecipient, 0n],
        ...signers.map((signer) => [signer.address, 0n] as const),
      ],
      executed.gasCost,
    );
    assert.deepEqual(await bondsOf(fixture, signers), [VERIFIER_BOND - slashed / 2n, VERIFIER_BOND - slashed / 2n]);
  });

  it("executor disputes a partial score and the panel raises it: the verdict favoured the executor, so no slash", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { market, module, poster, executor } = fixture;
    const { task, signers } = await contestedTask(fixture, { scored: true });
    await holdVerdict(fixture, task, signers, true, [6_000, 7_000]);
    assert.equal((await contestOf(fixture, task.taskId)).decisionShareBps, 6_000);
    assert.equal((await contestOf(fixture, task.taskId)).rejection, false);
    await dispute(fixture, task, executor);
    await respond(fixture, task, poster);
    await rule(fixture, task, rulingFor(8_000));
    const bondsBefore = await bondsOf(fixture, signers);
    const before = await balancesOf(fixture, accountsOf(fixture, signers));
    const executed = await executeRuling(fixture, task);
    const { payout, fee, refund } = split(REWARD, 8_000);
    await assertBalanceDeltas(
      fixture,
      before,
      [
        [market.address, -(payout + CLAIM_BOND + refund)],
        [module.address, -ARBITRATION_FEE],
        [fixture.arbitrator.address, 0n],
        [poster.address, refund],
        [executor.address, payout + CLAIM_BOND + ARBITRATION_FEE],
        [fixture.relayer.address, -executed.gasCost],
        [fixture.feeRecipient, 0n],
        ...signers.map((signer) => [signer.address, 0n] as const),
      ],
      executed.gasCost,
    );
    assert.equal(await market.read.accruedFeesOf([ETH]), fee);
    assert.deepEqual(await bondsOf(fixture, signers), bondsBefore);
  });

  it("settles an undisputed held verdict after the window through market.release, with the verdict's share", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { market, module, poster, executor, relayer, feeRecipient } = fixture;
    const { task, signers } = await contestedTask(fixture, { scored: true }, VERIFIER_FEE);
    const held = await holdVerdict(fixture, task, signers, true, [6_000, 9_000]);
    const windowEnd = (await timestampOf(fixture, held)) + CONTEST_WINDOW;

    // Not before the window ends.
    await networkHelpers.time.setNextBlockTimestamp(windowEnd);
    await viem.assertions.revertWithCustomErrorWithArgs(
      market.write.release([task.taskId, task.terms], { account: relayer.wallet.account }),
      market,
      "TaskMarket_InvalidStatus",
      [task.taskId, TaskStatus.Disputed],
    );
    await networkHelpers.time.setNextBlockTimestamp(windowEnd + 1);
    // Nor can it be disputed once the window is over.
    await viem.assertions.revertWithCustomErrorWithArgs(
      module.write.dispute([task.taskId, task.terms, task.config], {
        account: executor.wallet.account,
        value: ARBITRATION_FEE,
      }),
      module,
      "DisputableModule_DeadlinePassed",
      [task.taskId, BigInt(windowEnd)],
    );
    await networkHelpers.mine();
    assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Verified);

    const accounts = accountsOf(fixture, signers);
    const before = await balancesOf(fixture, accounts);
    const released = await send(
      fixture,
      market.write.release([task.taskId, task.terms], { account: relayer.wallet.account }),
    );
    const { payout, refund } = split(REWARD, 6_000);
    await assertBalanceDeltas(
      fixture,
      before,
      [
        [market.address, -(payout + CLAIM_BOND + refund)],
        [module.address, 0n],
        [fixture.arbitrator.address, 0n],
        [poster.address, refund],
        [executor.address, payout + CLAIM_BOND],
        [relayer.address, -released.gasCost],
        [feeRecipient, 0n],
        ...signers.map((signer) => [signer.address, 0n] as const),
      ],
      released.gasCost,
    );
    assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Settled);
    assert.deepEqual(eventsOf(market, released.receipt)[0], {
      eventName: "TaskVerified",
      args: { taskId: task.taskId },
    });

    // The contest it leaves behind holds no deposit; anyone may clear it.
    assert.equal((await contestOf(fixture, task.taskId)).phase, ContestPhase.Open);
    const closed = await send(
      fixture,
      module.write.closeLapsedContest([task.taskId], { account: relayer.wallet.account }),
    );
    assert.deepEqual(eventsOf(module, closed.receipt), [
      {
        eventName: "ContestEnded",
        args: { taskId: task.taskId, outcome: ContestOutcome.Lapsed, executorShareBps: 6_000 },
      },
    ]);
    assert.equal((await contestOf(fixture, task.taskId)).phase, ContestPhase.None);
  });

  it("lets the executor accept a held rejection and resubmit at once", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { market, module, poster, executor, relayer } = fixture;
    const { task, signers } = await contestedTask(fixture);
    const held = await holdVerdict(fixture, task, signers, false);
    const heldAt = await timestampOf(fixture, held);
    const { executionDeadline } = await stateOf(fixture, task.taskId);

    await viem.assertions.revertWithCustomErrorWithArgs(
      module.write.acceptRejection([task.taskId, task.terms], { account: poster.wallet.account }),
      module,
      "DisputableModule_CallerNotParty",
      [task.taskId, poster.address],
    );
    await networkHelpers.time.setNextBlockTimestamp(heldAt + DAY);
    const accepted = await send(
      fixture,
      module.write.acceptRejection([task.taskId, task.terms], { account: executor.wallet.account }),
    );
    assert.deepEqual(eventsOf(module, accepted.receipt), [
      {
        eventName: "ContestEnded",
        args: { taskId: task.taskId, outcome: ContestOutcome.Accepted, executorShareBps: 0 },
      },
    ]);
    assert.deepEqual(eventsOf(market, accepted.receipt), [
      {
        eventName: "SubmissionRejected",
        args: { taskId: task.taskId, verifier: module.address, reasonHash: ACCEPTED_REJECTION_REASON },
      },
    ]);
    const state = await stateOf(fixture, task.taskId);
    assert.equal(state.status, TaskStatus.InProgress);
    // The day on hold is given back to the executor.
    assert.equal(state.executionDeadline, executionDeadline + DAY);
    assert.equal((await contestOf(fixture, task.taskId)).phase, ContestPhase.None);
    await viem.assertions.revertWithCustomErrorWithArgs(
      module.write.acceptRejection([task.taskId, task.terms], { account: executor.wallet.account }),
      module,
      "DisputableModule_InvalidPhase",
      [task.taskId],
    );

    // The resubmission is approved; the approval is held too, and settles in full after its window.
    await submitWork(fixture, task, SECOND_RESULT_HASH);
    const approved = await holdVerdict(fixture, task, fixture.verifiers.slice(2, 4), true);
    await viem.assertions.revertWithCustomErrorWithArgs(
      module.write.acceptRejection([task.taskId, task.terms], { account: executor.wallet.account }),
      module,
      "DisputableModule_InvalidPhase",
      [task.taskId],
    );
    await networkHelpers.time.setNextBlockTimestamp((await timestampOf(fixture, approved)) + CONTEST_WINDOW + 1);
    const approvers = fixture.verifiers.slice(2, 4);
    const before = await balancesOf(fixture, accountsOf(fixture, approvers));
    const released = await send(
      fixture,
      market.write.release([task.taskId, task.terms], { account: relayer.wallet.account }),
    );
    const { payout } = split(REWARD, BPS);
    await assertBalanceDeltas(
      fixture,
      before,
      [
        [market.address, -(payout + CLAIM_BOND)],
        [module.address, 0n],
        [fixture.arbitrator.address, 0n],
        [poster.address, 0n],
        [executor.address, payout + CLAIM_BOND],
        [relayer.address, -released.gasCost],
        [fixture.feeRecipient, 0n],
        ...approvers.map((signer) => [signer.address, 0n] as const),
      ],
      released.gasCost,
    );
    assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Settled);
  });

  it("settles an unaccepted, undisputed held rejection with nothing for the executor when the window ends", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { market, poster, executor, relayer } = fixture;
    const { task, signers } = await contestedTask(fixture);
    const held = await holdVerdict(fixture, task, signers, false);
    await networkHelpers.time.setNextBlockTimestamp((await timestampOf(fixture, held)) + CONTEST_WINDOW + 1);
    const before = await balancesOf(fixture, accountsOf(fixture, signers));
    const released = await send(
      fixture,
      market.write.release([task.taskId, task.terms], { account: relayer.wallet.account }),
    );
    await assertBalanceDeltas(
      fixture,
      before,
      [
        [market.address, -(REWARD + CLAIM_BOND)],
        [fixture.module.address, 0n],
        [fixture.arbitrator.address, 0n],
        [poster.address, REWARD],
        [executor.address, CLAIM_BOND],
        [relayer.address, -released.gasCost],
        [fixture.feeRecipient, 0n],
        ...signers.map((signer) => [signer.address, 0n] as const),
      ],
      released.gasCost,
    );
    assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Settled);
  });

  it("lets the claimant win by default when the respondent does not pay, without slashing the signers", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { market, module, poster, executor, relayer } = fixture;
    const { task, signers } = await contestedTask(fixture);
    await holdVerdict(fixture, task, signers, false);
    const disputed = await dispute(fixture, task, executor);
    const feeDeadline = (await timestampOf(fixture, disputed)) + FEE_PAYMENT_PERIOD;
    await viem.assertions.revertWithCustomErrorWithArgs(
      module.write.timeoutRespondent([task.taskId, task.terms], { account: relayer.wallet.account }),
      module,
      "DisputableModule_DeadlineNotPassed",
      [task.taskId, BigInt(feeDeadline)],
    );
    await networkHelpers.time.setNextBlockTimestamp(feeDeadline + 1);
    await viem.assertions.revertWithCustomErrorWithArgs(
      module.write.respond([task.taskId, task.terms], { account: poster.wallet.account, value: ARBITRATION_FEE }),
      module,
      "DisputableModule_DeadlinePassed",
      [task.taskId, BigInt(feeDeadline)],
    );
    const bondsBefore = await bondsOf(fixture, signers);
    const before = await balancesOf(fixture, accountsOf(fixture, signers));
    const timedOut = await send(
      fixture,
      module.write.timeoutRespondent([task.taskId, task.terms], { account: relayer.wallet.account }),
    );
    const { payout } = split(REWARD, BPS);
    await assertBalanceDeltas(
      fixture,
      before,
      [
        [market.address, -(payout + CLAIM_BOND)],
        [module.address, -ARBITRATION_FEE],
        [fixture.arbitrator.address, 0n],
        [poster.address, 0n],
        [executor.address, payout + CLAIM_BOND + ARBITRATION_FEE],
        [relayer.address, -timedOut.gasCost],
        [fixture.feeRecipient, 0n],
        ...signers.map((signer) => [signer.address, 0n] as const),
      ],
      timedOut.gasCost,
    );
    // Only an arbitrator's ruling slashes: a respondent that defaults does not prove the verdict wrong.
    assert.deepEqual(await bondsOf(fixture, signers), bondsBefore);
  });

  it("lets a ruling nobody carries out in time lapse: the verdict stands, the claimant's deposit returns, no slash", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { market, module, poster, executor, relayer } = fixture;
    const { task, signers } = await contestedTask(fixture);
    await holdVerdict(fixture, task, signers, false);
    await dispute(fixture, task, executor);
    const responded = await respond(fixture, task, poster);
    const holdEnd = (await timestampOf(fixture, responded)) + RULING_PERIOD + EXECUTION_PERIOD;
    assert.equal((await stateOf(fixture, task.taskId)).reviewDeadline, holdEnd);
    await rule(fixture, task, rulingFor(BPS));

    await networkHelpers.time.setNextBlockTimestamp(holdEnd + 1);
    await viem.assertions.revertWithCustomErrorWithArgs(
      module.write.executeRuling([task.taskId, task.terms], { account: relayer.wallet.account }),
      module,
      "DisputableModule_ContestLapsed",
      [task.taskId],
    );
    // The market settles with the contested decision (a rejection: nothing for the executor but its bond).
    const bondsBefore = await bondsOf(fixture, signers);
    let before = await balancesOf(fixture, accountsOf(fixture, signers));
    const released = await send(
      fixture,
      market.write.release([task.taskId, task.terms], { account: relayer.wallet.account }),
    );
    await assertBalanceDeltas(
      fixture,
      before,
      [
        [market.address, -(REWARD + CLAIM_BOND)],
        [module.address, 0n],
        [fixture.arbitrator.address, 0n],
        [poster.address, REWARD],
        [executor.address, CLAIM_BOND],
        [relayer.address, -released.gasCost],
        [fixture.feeRecipient, 0n],
        ...signers.map((signer) => [signer.address, 0n] as const),
      ],
      released.gasCost,
    );
    // Closing the contest returns the executor's deposit; the poster's paid the arbiters.
    before = await balancesOf(fixture, accountsOf(fixture, signers));
    const closed = await send(
      fixture,
      module.write.closeLapsedContest([task.taskId], { account: relayer.wallet.account }),
    );
    await assertBalanceDeltas(
      fixture,
      before,
      [
        [market.address, 0n],
        [module.address, -ARBITRATION_FEE],
        [fixture.arbitrator.address, 0n],
        [poster.address, 0n],
        [executor.address, ARBITRATION_FEE],
        [relayer.address, -closed.gasCost],
        [fixture.feeRecipient, 0n],
        ...signers.map((signer) => [signer.address, 0n] as const),
      ],
      closed.gasCost,
    );
    assert.deepEqual(await bondsOf(fixture, signers), bondsBefore);
    await arbitersWithdraw(fixture);
  });

  describe("errors", () => {
    it("checks who disputes, with what deposit, when, and who responds", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { module, poster, executor, stranger } = fixture;
      const { task, signers } = await contestedTask(fixture);
      // No contest before a verdict.
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.dispute([task.taskId, task.terms, task.config], {
          account: executor.wallet.account,
          value: ARBITRATION_FEE,
        }),
        module,
        "DisputableModule_InvalidPhase",
        [task.taskId],
      );
      await holdVerdict(fixture, task, signers, false);
      // The poster has nothing to dispute in a rejection; a stranger is no party.
      for (const party of [poster, stranger]) {
        await viem.assertions.revertWithCustomErrorWithArgs(
          module.write.dispute([task.taskId, task.terms, task.config], {
            account: party.wallet.account,
            value: ARBITRATION_FEE,
          }),
          module,
          "DisputableModule_CallerNotParty",
          [task.taskId, party.address],
        );
      }
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.dispute([task.taskId, task.terms, task.config], {
          account: executor.wallet.account,
          value: ARBITRATION_FEE - 1n,
        }),
        module,
        "DisputableModule_IncorrectDeposit",
        [ARBITRATION_FEE, ARBITRATION_FEE - 1n],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.dispute([task.taskId, task.terms, { ...task.config, slashBps: 0 }], {
          account: executor.wallet.account,
          value: ARBITRATION_FEE,
        }),
        module,
        "VerificationModule_ConfigMismatch",
        [task.taskId, task.terms.verifierConfigHash, configHashOf({ ...task.config, slashBps: 0 })],
      );
      await dispute(fixture, task, executor);
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.dispute([task.taskId, task.terms, task.config], {
          account: executor.wallet.account,
          value: ARBITRATION_FEE,
        }),
        module,
        "DisputableModule_InvalidPhase",
        [task.taskId],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.respond([task.taskId, task.terms], { account: executor.wallet.account, value: ARBITRATION_FEE }),
        module,
        "DisputableModule_CallerNotRespondent",
        [task.taskId, executor.address],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.respond([task.taskId, task.terms], {
          account: poster.wallet.account,
          value: ARBITRATION_FEE + 1n,
        }),
        module,
        "DisputableModule_IncorrectDeposit",
        [ARBITRATION_FEE, ARBITRATION_FEE + 1n],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.executeRuling([task.taskId, task.terms], { account: poster.wallet.account }),
        module,
        "DisputableModule_InvalidPhase",
        [task.taskId],
      );
      await respond(fixture, task, poster);
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.executeRuling([task.taskId, task.terms], { account: poster.wallet.account }),
        module,
        "DisputableModule_InvalidPhase",
        [task.taskId],
      );
      // Only the arbitrator seized can rule.
      const { arbitratorDisputeId } = await contestOf(fixture, task.taskId);
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.rule([arbitratorDisputeId, 11n], { account: stranger.wallet.account }),
        module,
        "DisputableModule_UnknownDispute",
        [stranger.address, arbitratorDisputeId],
      );
    });
  });

  describe("a contest that lapsed in the market, on a task with milestones and a verifier fee", () => {
    /**
     * Milestone 0's approval is disputed by the poster, who then lets the contest run out (nobody calls
     * `timeoutRespondent`): the market's hold settles milestone 0 and the task moves on, while the module still holds
     * the poster's deposit. Milestone 1 is submitted, and a quorum's contested verdict on it is submitted.
     */
    async function lapsedContest(fixture: AttestationFixture) {
      const config = contestedConfig(fixture);
      const { taskId, terms } = await postTask(fixture, config, {
        verifierFee: VERIFIER_FEE,
        milestoneShares: packMilestoneShares([5_000, 5_000]),
      });
      const task: Task = { taskId, terms, config };
      await claimTask(fixture, task);
      await submitWork(fixture, task);
      const signers = fixture.verifiers.slice(0, 2);
      await holdVerdict(fixture, task, signers, true);
      const disputed = await dispute(fixture, task, fixture.poster);
      const holdEnd = (await timestampOf(fixture, disputed)) + FEE_PAYMENT_PERIOD + EXECUTION_PERIOD;
      await networkHelpers.time.setNextBlockTimestamp(holdEnd + 1);
      await send(
        fixture,
        fixture.market.write.release([task.taskId, task.terms], { account: fixture.relayer.wallet.account }),
      );
      assert.equal(await statusOf(fixture, taskId), TaskStatus.InProgress);
      assert.equal((await contestOf(fixture, taskId)).phase, ContestPhase.AwaitingRespondent);
      await submitWork(fixture, task, SECOND_RESULT_HASH);
      return { task, signers };
    }

    it("closes the lapsed contest, refunding its deposit, when the next contested verdict is submitted", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { module, poster, relayer } = fixture;
      const { task, signers } = await lapsedContest(fixture);
      const attestations = await attestAll(fixture, task, signers);
      const before = await balancesOf(fixture, accountsOf(fixture, signers));
      const held = await send(fixture, submitVerdict(fixture, task, verdictOf(true), attestations));
      // The poster's deposit from the lapsed contest comes back; the verifier fee was paid for milestone 0 already.
      await assertBalanceDeltas(
        fixture,
        before,
        [
          [fixture.market.address, 0n],
          [module.address, -ARBITRATION_FEE],
          [fixture.arbitrator.address, 0n],
          [poster.address, ARBITRATION_FEE],
          [fixture.executor.address, 0n],
          [relayer.address, -held.gasCost],
          [fixture.feeRecipient, 0n],
          ...signers.map((signer) => [signer.address, 0n] as const),
        ],
        held.gasCost,
      );
      assert.deepEqual(
        eventsOf(module, held.receipt)
          .filter((event) => event.eventName === "ContestEnded" || event.eventName === "ContestOpened")
          .map((event) => [event.eventName, event.args.taskId, event.args.outcome]),
        [
          ["ContestEnded", task.taskId, ContestOutcome.Lapsed],
          ["ContestOpened", task.taskId, undefined],
        ],
      );
      assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Disputed);
      assert.equal((await contestOf(fixture, task.taskId)).phase, ContestPhase.Open);
    });

    it("also accepts the verdict after anyone has closed the lapsed contest", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { task, signers } = await lapsedContest(fixture);
      const before = await balancesOf(fixture, [fixture.module.address, fixture.poster.address]);
      await send(
        fixture,
        fixture.module.write.closeLapsedContest([task.taskId], { account: fixture.relayer.wallet.account }),
      );
      await assertBalanceDeltas(
        fixture,
        before,
        [
          [fixture.module.address, -ARBITRATION_FEE],
          [fixture.poster.address, ARBITRATION_FEE],
        ],
        0n,
      );
      await holdVerdict(fixture, task, signers, true);
      assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Disputed);
    });

    it("does not let the lapsed contest decide the next milestone", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { module, executor, relayer } = fixture;
      const { task } = await lapsedContest(fixture);
      for (const call of [
        module.write.respond([task.taskId, task.terms], { account: executor.wallet.account, value: ARBITRATION_FEE }),
        module.write.timeoutRespondent([task.taskId, task.terms], { account: relayer.wallet.account }),
      ]) {
        await viem.assertions.revertWithCustomErrorWithArgs(call, module, "DisputableModule_ContestLapsed", [
          task.taskId,
        ]);
      }
    });
  });
});
