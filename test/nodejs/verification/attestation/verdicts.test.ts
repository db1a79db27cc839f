import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import type { Address } from "viem";

import {
  BPS,
  CLAIM_BOND,
  ETH,
  QUORUM_REJECTION_REASON,
  REWARD,
  SECOND_RESULT_HASH,
  TaskStatus,
  VERIFIER_FEE,
  assertBalanceDeltas,
  attestAll,
  balancesOf,
  deployAttestationFixture,
  eventsOf,
  feeShares,
  immediateConfig,
  send,
  sortAttestations,
  split,
  stateOf,
  statusOf,
  submitVerdict,
  submitWork,
  taskUnderReview,
  verdictOf,
  type AttestationFixture,
  type Task,
  type Verifier,
} from "./helpers.js";

const { viem, networkHelpers } = await network.create();

const FLAG_REJECTED = 1;
const FLAG_VERIFIER_PAID = 1 << 6;

/** Every account a verdict can pay, in a fixed order: the market, the module, the parties, the treasury, the set. */
function accountsOf(fixture: AttestationFixture): Address[] {
  const { market, module, poster, executor, relayer, feeRecipient, verifiers } = fixture;
  return [
    market.address,
    module.address,
    poster.address,
    executor.address,
    relayer.address,
    feeRecipient,
    ...verifiers.map((verifier) => verifier.address),
  ];
}

/**
 * Submits a verdict and checks every balance: the executor gets `shareBps` of the reward net of the protocol fee
 * (with its bond when the task ends), the poster the rest, the signers `feePaid` shared evenly, and the relayer pays
 * only gas. Returns the transaction.
 */
async function verdictWithBalances(
  fixture: AttestationFixture,
  task: Task,
  approved: boolean,
  signers: readonly Verifier[],
  expected: { shareBps: number | null; feePaid: bigint; scores?: readonly number[] },
) {
  const attestations = await attestAll(fixture, task, signers, { approved, scores: expected.scores });
  const before = await balancesOf(fixture, accountsOf(fixture));
  const sent = await send(fixture, submitVerdict(fixture, task, verdictOf(approved), attestations));
  const settles = expected.shareBps !== null;
  const { payout, refund } = settles ? split(task.terms.reward, expected.shareBps!) : { payout: 0n, refund: 0n };
  const bond = settles ? CLAIM_BOND : 0n;
  const shares = feeShares(expected.feePaid, attestations.length);
  const feeOf = (address: Address) => {
    const index = attestations.findIndex((attestation) => attestation.signer === address);
    return index === -1 ? 0n : shares[index];
  };
  await assertBalanceDeltas(
    fixture,
    before,
    [
      [fixture.market.address, -(payout + bond + refund + expected.feePaid)],
      [fixture.module.address, 0n],
      [fixture.poster.address, refund],
      [fixture.executor.address, payout + bond],
      [fixture.relayer.address, -sent.gasCost],
      [fixture.feeRecipient, 0n],
      ...fixture.verifiers.map((verifier) => [verifier.address, feeOf(verifier.address)] as const),
    ],
    sent.gasCost,
  );
  return sent;
}

describe("AttestationModule: verdicts that take effect at once", () => {
  it("approves in full: the executor is paid the reward net of the protocol fee, with its bond", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const task = await taskUnderReview(fixture, immediateConfig(fixture, { quorum: 2 }));
    // Scores are signed but ignored by an unscored configuration.
    const sent = await verdictWithBalances(fixture, task, true, fixture.verifiers.slice(0, 2), {
      shareBps: BPS,
      feePaid: 0n,
      scores: [1_000, 2_000],
    });
    assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Settled);
    const { payout, fee } = split(REWARD, BPS);
    assert.deepEqual(eventsOf(fixture.market, sent.receipt), [
      {
        eventName: "TaskSettled",
        args: {
          taskId: task.taskId,
          executor: fixture.executor.address,
          token: ETH,
          payout,
          fee,
          bondReturned: CLAIM_BOND,
        },
      },
    ]);
    assert.deepEqual(
      eventsOf(fixture.module, sent.receipt).map((event) => [event.eventName, event.args.approved]),
      [
        ["AttestationAccepted", true],
        ["AttestationAccepted", true],
      ],
    );
    assert.equal(await fixture.market.read.accruedFeesOf([ETH]), fee);
    const record = (await fixture.market.read.executorRecordOf([fixture.executor.address])) as { completed: number };
    assert.equal(record.completed, 1);
  });

  describe("scored", () => {
    const cases = [
      { name: "an odd number of scores: the middle one", scores: [7_000, 3_000, 9_000], median: 7_000 },
      { name: "an even number of scores: the lower middle one", scores: [8_000, 2_000, 6_000, 4_000], median: 4_000 },
      { name: "a single score", scores: [6_500], median: 6_500 },
      { name: "duplicate scores", scores: [5_000, 5_000, 9_000, 1_000, 5_000], median: 5_000 },
      { name: "rounding: 33.33 % of an odd reward", scores: [3_333, 3_333, 10_000], median: 3_333 },
    ];
    for (const { name, scores, median } of cases) {
      it(`pays the executor the median score of ${name}`, async () => {
        const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
        const config = immediateConfig(fixture, { quorum: scores.length, scored: true });
        const task = await taskUnderReview(fixture, config, { verifierFee: VERIFIER_FEE });
        const signers = fixture.verifiers.slice(0, scores.length);
        const sent = await verdictWithBalances(fixture, task, true, signers, {
          shareBps: median,
          feePaid: VERIFIER_FEE,
          scores,
        });
        assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Settled);
        const { payout, fee, refund } = split(REWARD, median);
        assert.deepEqual(
          eventsOf(fixture.market, sent.receipt).map((event) => event.eventName),
          ["SubmissionResolved", "TaskSettled", "SettlementRefunded", "VerifierPaid"],
        );
        const [resolved, settled, refunded, paid] = eventsOf(fixture.market, sent.receipt);
        assert.deepEqual(resolved.args, {
          taskId: task.taskId,
          verifier: fixture.module.address,
          executorShareBps: median,
        });
        assert.equal(settled.args.payout, payout);
        assert.equal(settled.args.fee, fee);
        assert.equal(refunded.args.refund, refund);
        assert.deepEqual(paid.args, { taskId: task.taskId, verifier: fixture.module.address, amount: VERIFIER_FEE });
        // Each signer's score is in its AttestationAccepted event, in signer order.
        const accepted = eventsOf(fixture.module, sent.receipt).filter(
          (event) => event.eventName === "AttestationAccepted",
        );
        assert.deepEqual(
          accepted.map((event) => [event.args.signer, event.args.scoreBps]),
          signers.map((signer, index) => [signer.address, scores[index]]),
        );
        assert.equal(await fixture.market.read.accruedFeesOf([ETH]), fee);
      });
    }

    it("takes the median of the attestations submitted: of two valid quorums, the first submitted decides", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const config = immediateConfig(fixture, { quorum: 3, scored: true });
      const task = await taskUnderReview(fixture, config);
      // Five members score the submission; any three of them are a quorum.
      const signers = fixture.verifiers.slice(0, 5);
      const all = await attestAll(fixture, task, signers, { scores: [1_000, 9_500, 2_000, 9_000, 8_000] });
      const byScore = [...all].sort((a, b) => a.scoreBps - b.scoreBps);
      const low = sortAttestations(byScore.slice(0, 3)); // median 2 000
      const high = sortAttestations(byScore.slice(2, 5)); // median 9 000
      // The executor relays the three highest scores first; the poster's three lowest come too late.
      const sent = await send(
        fixture,
        submitVerdict(fixture, task, verdictOf(true), high, { sender: fixture.executor }),
      );
      const [resolved] = eventsOf(fixture.market, sent.receipt);
      assert.deepEqual(resolved, {
        eventName: "SubmissionResolved",
        args: { taskId: task.taskId, verifier: fixture.module.address, executorShareBps: 9_000 },
      });
      await viem.assertions.revertWithCustomErrorWithArgs(
        submitVerdict(fixture, task, verdictOf(true), low, { sender: fixture.poster }),
        fixture.module,
        "AttestationModule_NotUnderReview",
        [task.taskId],
      );
      // All five would have given the median of the set, 8 000.
      assert.deepEqual(
        sortAttestations(all)
          .map((attestation) => attestation.scoreBps)
          .sort((a, b) => a - b)[2],
        8_000,
      );
    });

    it("approves in full when the median is 100 %", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const task = await taskUnderReview(fixture, immediateConfig(fixture, { quorum: 3, scored: true }));
      const sent = await verdictWithBalances(fixture, task, true, fixture.verifiers.slice(0, 3), {
        shareBps: BPS,
        feePaid: 0n,
        scores: [BPS, 2_000, BPS],
      });
      assert.deepEqual(
        eventsOf(fixture.market, sent.receipt).map((event) => event.eventName),
        ["TaskSettled"],
      );
    });

    it("settles with nothing for the executor but its bond when the median is 0", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const task = await taskUnderReview(fixture, immediateConfig(fixture, { quorum: 3, scored: true }));
      await verdictWithBalances(fixture, task, true, fixture.verifiers.slice(0, 3), {
        shareBps: 0,
        feePaid: 0n,
        scores: [0, 0, 9_000],
      });
      assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Settled);
      const record = (await fixture.market.read.executorRecordOf([fixture.executor.address])) as { completed: number };
      assert.equal(record.completed, 0, "no payment, no completion");
    });

    it("rejects regardless of scores when the verdict is a rejection", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const task = await taskUnderReview(fixture, immediateConfig(fixture, { quorum: 2, scored: true }));
      const sent = await verdictWithBalances(fixture, task, false, fixture.verifiers.slice(0, 2), {
        shareBps: null,
        feePaid: 0n,
        scores: [BPS, BPS],
      });
      assert.equal(await statusOf(fixture, task.taskId), TaskStatus.InProgress);
      assert.deepEqual(
        eventsOf(fixture.market, sent.receipt).map((event) => event.eventName),
        ["SubmissionRejected"],
      );
      assert.deepEqual(
        eventsOf(fixture.module, sent.receipt).map((event) => [event.eventName, event.args.approved]),
        [
          ["AttestationAccepted", false],
          ["AttestationAccepted", false],
        ],
      );
    });
  });

  it("rejects: the task goes back in progress, the fee is earned once, and the resubmission is judged afresh", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const config = immediateConfig(fixture, { quorum: 3 });
    const task = await taskUnderReview(fixture, config, { verifierFee: VERIFIER_FEE });
    const rejectors = fixture.verifiers.slice(0, 3);
    const rejected = await verdictWithBalances(fixture, task, false, rejectors, {
      shareBps: null,
      feePaid: VERIFIER_FEE,
    });
    assert.deepEqual(eventsOf(fixture.market, rejected.receipt), [
      {
        eventName: "SubmissionRejected",
        args: { taskId: task.taskId, verifier: fixture.module.address, reasonHash: QUORUM_REJECTION_REASON },
      },
      {
        eventName: "VerifierPaid",
        args: { taskId: task.taskId, verifier: fixture.module.address, amount: VERIFIER_FEE },
      },
    ]);
    const state = await stateOf(fixture, task.taskId);
    assert.equal(state.status, TaskStatus.InProgress);
    assert.equal(state.reviewDeadline, 0);
    assert.equal(state.flags, FLAG_REJECTED | FLAG_VERIFIER_PAID);

    // The executor resubmits; another quorum, of other signers, approves. The fee was paid already.
    await submitWork(fixture, task, SECOND_RESULT_HASH);
    assert.equal(await fixture.market.read.submissionOf([task.taskId]), SECOND_RESULT_HASH);
    await verdictWithBalances(fixture, task, true, fixture.verifiers.slice(3, 6), { shareBps: BPS, feePaid: 0n });
    assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Settled);
    const record = (await fixture.market.read.executorRecordOf([fixture.executor.address])) as {
      completed: number;
      rejected: number;
    };
    assert.equal(record.completed, 1);
    assert.equal(record.rejected, 0, "a rejection followed by an accepted resubmission is not a lapse");
  });

  it("shares an ERC-20 verifier fee between the signers and settles the task in the token", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { market, module, poster, executor, relayer, feeRecipient, viem } = fixture;
    const token = await viem.deployContract("MockERC20", ["Test USD", "TUSD", 6]);
    const [reward, bond, verifierFee] = [250_000_001n, 25_000_000n, 1_000_003n];
    await token.write.mint([poster.address, reward + verifierFee]);
    await token.write.mint([executor.address, bond]);
    await token.write.approve([market.address, reward + verifierFee], { account: poster.wallet.account });
    await token.write.approve([market.address, bond], { account: executor.wallet.account });
    const config = immediateConfig(fixture, { quorum: 3 });
    const terms = { token: token.address, reward, claimBond: bond, verifierFee };
    const task = await taskUnderReview(fixture, config, terms);
    const signers = fixture.verifiers.slice(0, 3);
    const attestations = await attestAll(fixture, task, signers);

    const accounts = [market.address, module.address, poster.address, executor.address, relayer.address, feeRecipient];
    const tokenBalances = async () =>
      Promise.all([...accounts, ...signers.map((signer) => signer.address)].map((a) => token.read.balanceOf([a])));
    const before = (await tokenBalances()) as bigint[];
    const ethBefore = await balancesOf(fixture, accountsOf(fixture));
    const sent = await send(fixture, submitVerdict(fixture, task, verdictOf(true), attestations));
    const after = (await tokenBalances()) as bigint[];
    const { payout, fee } = split(reward, BPS);
    const shares = feeShares(verifierFee, 3);
    assert.deepEqual(
      after.map((balance, index) => balance - before[index]),
      [-(payout + bond + verifierFee), 0n, 0n, payout + bond, 0n, 0n, ...shares],
    );
    assert.equal(await token.read.balanceOf([market.address]), fee);
    assert.equal(await market.read.accruedFeesOf([token.address]), fee);
    // No ETH moves but the relayer's gas.
    await assertBalanceDeltas(
      fixture,
      ethBefore,
      accountsOf(fixture).map((account) => [account, account === relayer.address ? -sent.gasCost : 0n] as const),
      sent.gasCost,
    );
  });

  it("shares the fee evenly between however many signers there are, the first taking the remainder", async () => {
    for (const count of [1, 2, 4, 6]) {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const task = await taskUnderReview(fixture, immediateConfig(fixture, { quorum: 1 }), {
        verifierFee: VERIFIER_FEE,
      });
      await verdictWithBalances(fixture, task, true, fixture.verifiers.slice(0, count), {
        shareBps: BPS,
        feePaid: VERIFIER_FEE,
      });
      const shares = feeShares(VERIFIER_FEE, count);
      assert.equal(
        shares.reduce((sum, share) => sum + share, 0n),
        VERIFIER_FEE,
      );
      assert.equal(shares[0] - shares[count - 1], VERIFIER_FEE % BigInt(count));
    }
  });
});
