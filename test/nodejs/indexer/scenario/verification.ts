/**
 * The verification modules on the market's verifier hooks: `ReviewModule` (a reviewer's approval, partial acceptance
 * and rejection, and every way a contest ends: a ruling, an accepted rejection, an agreement, a respondent that does
 * not pay, an arbitrator that does not rule), `OptimisticModule` (an unchallenged window, a challenge ruled by the
 * panel), `AttestationModule` (quorum verdicts with shared fees, a median score, a rejection, an overturned verdict
 * whose signers are slashed, and the verifier set's rotation, departures and unbonding) and `ProofModule` (a hash
 * commitment, a Merkle multiproof over milestones, an unproven submission rejected by a watcher).
 */
import assert from "node:assert/strict";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { encodeAbiParameters, encodeFunctionData, keccak256, stringToHex, toHex, zeroAddress } from "viem";
import type { Address, Hex } from "viem";

import { attestationTypedData, moduleDomain, settlementTypedData } from "../../../../src/protocol/eip712.js";
import { BPS, ETH, NO_MILESTONES, TaskStatus, packMilestoneShares } from "../../helpers/protocol.js";
import { VERIFIER_BOND } from "./setup.js";
import {
  DAY,
  ETH_VERIFIER_FEE,
  REVIEW_WINDOW,
  TOKEN_VERIFIER_FEE,
  labelHash,
  type Party,
  type Scenario,
  type ScenarioTask,
} from "./scenario.js";
import type { EventSource, ExpectedEvent } from "./chain.js";

/** An arbitration fee whose halves differ, so that a split of it shows. */
export const ARBITRATION_FEE = 30_000_000_000_000_001n;
export const LATER_ARBITRATION_FEE = 40_000_000_000_000_003n;
export const CHALLENGE_BOND = 200_000_000_000_000_007n;
export const CONTEST_WINDOW = 2 * DAY;
export const VOTING_PERIOD = 2 * DAY + 3_600;
export const SLASH_BPS = 2_500;
export const MIN_BOND = 500_000_000_000_000_000n;
export const METHOD_ID: Hex = keccak256(stringToHex("test-suite/v1"));
const FEE_PAYMENT_PERIOD = 3 * DAY;
const RULING_PERIOD = 30 * DAY;
const UNBONDING_PERIOD = 90 * DAY;

/** `IDisputableModule.ContestOutcome`. */
const Outcome = { Accepted: 0, RespondentDefaulted: 1, Ruled: 2, ArbitratorSilent: 3, Agreed: 4, Lapsed: 5 } as const;

interface Contest {
  phase: number;
  arbitratorDisputeId: bigint;
  deadline: number;
}

export async function runVerificationFlows(scenario: Scenario): Promise<void> {
  const { cast, c, chain } = scenario;
  const { alice, bob, carol, hana, hugo, ada, bert, cyd, rita, wally, owner, cora } = cast;
  const [arbiter1, arbiter2, arbiter3] = cast.arbiters as [Party, Party, Party];
  const market = scenario.market;
  const review = c.reviewModule;
  const optimistic = c.optimisticModule;
  const attestation = c.attestationModule;
  const proof = c.proofModule;
  const panel = c.panelArbitrator;
  const token = c.devToken.address;
  const fee = (await panel.read.arbitrationCost(["0x"])) as bigint;
  assert.equal(fee, ARBITRATION_FEE, "the panel was deployed with the scenario's arbitration fee");
  // The constructor emits no event: setting the voting period here is what lets an indexer know each dispute's
  // voting deadline (`disputeOf(id).votingDeadline`).
  const previousPeriod = Number(await panel.read.votingPeriod());
  await scenario.send(owner, panel.write.setVotingPeriod([VOTING_PERIOD], { account: owner.wallet.account }), [
    scenario.ev(panel, "VotingPeriodUpdated", { previousPeriod, newPeriod: VOTING_PERIOD }),
  ]);

  const contestOf = async (
    module: EventSource & { read: { contestOf: (args: [bigint]) => Promise<unknown> } },
    taskId: bigint,
  ) => (await module.read.contestOf([taskId])) as Contest;

  /** Two arbiters vote `ruling`: the majority of three delivers it to the module at once. */
  const rule = async (module: EventSource, disputeId: bigint, ruling: bigint, voters: [Party, Party]) => {
    await scenario.send(voters[0], panel.write.vote([disputeId, ruling], { account: voters[0].wallet.account }), [
      scenario.ev(panel, "VoteCast", { disputeId, arbiter: voters[0].address, ruling }),
    ]);
    await scenario.send(voters[1], panel.write.vote([disputeId, ruling], { account: voters[1].wallet.account }), [
      scenario.ev(panel, "VoteCast", { disputeId, arbiter: voters[1].address, ruling }),
      scenario.ev(panel, "DisputeSolved", { disputeId, ruling, votesForRuling: 2n }),
      scenario.ev(module, "Ruling", { arbitrator: panel.address, disputeId, ruling }),
    ]);
  };

  /** The respondent pays: the panel creates the dispute and the market's hold moves to the ruling deadline. */
  const respond = async (
    module: EventSource & { write: any; read: any },
    task: ScenarioTask,
    respondent: Party,
    value: bigint,
    defaultShareBps: number,
  ) => {
    const sent = await scenario.send(
      respondent,
      module.write.respond([task.taskId, task.terms], { account: respondent.wallet.account, value }),
      [
        scenario.ev(panel, "DisputeCreation", { arbitrable: module.address }),
        scenario.ev(module, "ArbitrationStarted", { taskId: task.taskId, arbitrator: panel.address }),
        scenario.ev(module, "Dispute", { arbitrator: panel.address, metaEvidenceId: 0n, evidenceGroupId: task.taskId }),
        scenario.m("SubmissionHeld", { taskId: task.taskId, verifier: module.address, defaultShareBps }),
      ],
    );
    const contest = await contestOf(module, task.taskId);
    scenario.panelDisputes.push({
      disputeId: contest.arbitratorDisputeId,
      module: module.address,
      taskId: task.taskId,
    });
    return { sent, disputeId: contest.arbitratorDisputeId };
  };

  const evidence = async (module: EventSource & { write: any }, task: ScenarioTask, party: Party) => {
    const evidenceHash = labelHash(`evidence ${task.taskId} ${party.name}`);
    const evidenceURI = `ipfs://bafyevidence/${task.taskId}/${party.name}`;
    await scenario.send(
      party,
      module.write.submitEvidence([task.taskId, evidenceHash, evidenceURI], { account: party.wallet.account }),
      [
        scenario.ev(module, "EvidenceSubmitted", {
          taskId: task.taskId,
          party: party.address,
          evidenceHash,
          evidenceURI,
        }),
        scenario.ev(module, "Evidence", {
          arbitrator: panel.address,
          evidenceGroupId: task.taskId,
          party: party.address,
          evidence: evidenceURI,
        }),
      ],
    );
  };

  const withdrawPanelCredits = async () => {
    for (const arbiter of cast.arbiters) {
      const credit = (await panel.read.creditOf([arbiter.address])) as bigint;
      if (credit === 0n) continue;
      await scenario.send(arbiter, panel.write.withdraw([], { account: arbiter.wallet.account }), [
        scenario.ev(panel, "Withdrawn", { account: arbiter.address, amount: credit }),
      ]);
    }
  };

  /* ---------------------------------------------------------------------------------------------------------- */
  /*                                              ReviewModule                                                  */
  /* ---------------------------------------------------------------------------------------------------------- */

  const quickReview = { reviewer: rita.address, arbitrator: panel.address, contestWindow: 0 };
  const contestedReview = { reviewer: rita.address, arbitrator: panel.address, contestWindow: CONTEST_WINDOW };
  for (const config of [quickReview, contestedReview]) {
    const configHash = (await review.read.configHash([config])) as Hex;
    await scenario.send(alice, review.write.publishConfig([config], { account: alice.wallet.account }), [
      scenario.ev(review, "ReviewConfigPublished", { configHash, config }),
    ]);
  }
  const reviewTerms = async (poster: Party, config: typeof quickReview, overrides = {}) =>
    scenario.terms(poster, {
      verifier: review.address,
      verifierConfigHash: (await review.read.configHash([config])) as Hex,
      ...overrides,
    });
  const forwarded = (module: EventSource, tokenAddress: Address, to: Address, amount: bigint) =>
    scenario.ev(module, "VerifierFeeForwarded", { token: tokenAddress, to, amount });

  // The reviewer approves, earning the fee, which the module forwards to it.
  {
    const task = await scenario.post(
      "verification/review-approve",
      alice,
      await reviewTerms(alice, quickReview, { verifierFee: ETH_VERIFIER_FEE }),
    );
    await scenario.claim(task, hana);
    await scenario.submit(task, hana);
    const settlement = await scenario.settlementEvents(task, hana.address, BPS, { verifierPaid: true });
    await scenario.send(
      rita,
      review.write.approve([task.taskId, task.terms, quickReview], { account: rita.wallet.account }),
      [...settlement, forwarded(review, ETH, rita.address, ETH_VERIFIER_FEE)],
    );
  }

  // A partial acceptance, in an ERC-20, taking effect at once.
  {
    const task = await scenario.post(
      "verification/review-partial",
      bob,
      await reviewTerms(bob, quickReview, { token, verifierFee: TOKEN_VERIFIER_FEE }),
    );
    await scenario.claim(task, ada);
    await scenario.submit(task, ada);
    const settlement = await scenario.settlementEvents(task, ada.address, 6_000, { verifierPaid: true });
    await scenario.send(
      rita,
      review.write.acceptPartially([task.taskId, task.terms, quickReview, 6_000], { account: rita.wallet.account }),
      [
        scenario.ev(review, "ReviewPartiallyAccepted", {
          taskId: task.taskId,
          reviewer: rita.address,
          executorShareBps: 6_000,
        }),
        scenario.m("SubmissionResolved", { taskId: task.taskId, verifier: review.address, executorShareBps: 6_000 }),
        ...settlement,
        forwarded(review, token, rita.address, TOKEN_VERIFIER_FEE),
      ],
    );
  }

  // A rejection taking effect at once; the executor resubmits and is approved.
  {
    const task = await scenario.post("verification/review-reject", carol, await reviewTerms(carol, quickReview));
    await scenario.claim(task, bert);
    await scenario.submit(task, bert, 1);
    const reasonHash = labelHash("review rejected");
    await scenario.send(
      rita,
      review.write.reject([task.taskId, task.terms, quickReview, reasonHash], { account: rita.wallet.account }),
      [
        scenario.ev(review, "ReviewRejected", { taskId: task.taskId, reviewer: rita.address, reasonHash }),
        scenario.m("SubmissionRejected", { taskId: task.taskId, verifier: review.address, reasonHash }),
      ],
    );
    await scenario.submit(task, bert, 2);
    const settlement = await scenario.settlementEvents(task, bert.address, BPS);
    await scenario.send(
      rita,
      review.write.approve([task.taskId, task.terms, quickReview], { account: rita.wallet.account }),
      settlement,
    );
  }

  /** The reviewer rejects under a contest window: the submission is held at 0 % until the window ends. */
  const contestedRejection = async (task: ScenarioTask, options: { verifierPaid?: boolean } = {}) => {
    const reasonHash = labelHash(`contested rejection ${task.taskId}`);
    const expected: ExpectedEvent[] = [
      scenario.ev(review, "ReviewRejected", { taskId: task.taskId, reviewer: rita.address, reasonHash }),
      scenario.ev(review, "ContestOpened", { taskId: task.taskId, decisionShareBps: 0, rejection: true }),
      scenario.m("SubmissionHeld", { taskId: task.taskId, verifier: review.address, defaultShareBps: 0 }),
    ];
    if (options.verifierPaid) {
      expected.push(
        scenario.m("VerifierPaid", { taskId: task.taskId, verifier: review.address, amount: task.terms.verifierFee }),
        forwarded(review, task.terms.token, rita.address, task.terms.verifierFee),
      );
    }
    return scenario.send(
      rita,
      review.write.reject([task.taskId, task.terms, contestedReview, reasonHash], { account: rita.wallet.account }),
      expected,
    );
  };

  /** A party disputes the contested decision, depositing the arbitration fee. */
  const disputeDecision = async (task: ScenarioTask, claimant: Party, respondent: Address, claimantWinShare: number) =>
    scenario.send(
      claimant,
      review.write.dispute([task.taskId, task.terms, contestedReview], {
        account: claimant.wallet.account,
        value: fee,
      }),
      [
        scenario.ev(review, "DisputeRaised", {
          taskId: task.taskId,
          claimant: claimant.address,
          respondent,
          arbitrator: panel.address,
          deposit: fee,
        }),
        scenario.m("SubmissionHeld", {
          taskId: task.taskId,
          verifier: review.address,
          defaultShareBps: claimantWinShare,
        }),
      ],
    );

  // A contested rejection the executor disputes; the poster responds; both file evidence; the panel rules 60 %.
  {
    const task = await scenario.post(
      "verification/review-ruled",
      alice,
      await reviewTerms(alice, contestedReview, { verifierFee: ETH_VERIFIER_FEE }),
    );
    await scenario.claim(task, hugo);
    await scenario.submit(task, hugo);
    await contestedRejection(task, { verifierPaid: true });
    await disputeDecision(task, hugo, alice.address, BPS);
    await evidence(review, task, hugo);
    const { disputeId } = await respond(review, task, alice, fee, 0);
    await evidence(review, task, alice);
    await rule(review, disputeId, 7n, [arbiter1, arbiter2]);
    const settlement = await scenario.settlementEvents(task, hugo.address, 6_000);
    await scenario.send(
      wally,
      review.write.executeRuling([task.taskId, task.terms], { account: wally.wallet.account }),
      [
        scenario.ev(review, "ContestEnded", { taskId: task.taskId, outcome: Outcome.Ruled, executorShareBps: 6_000 }),
        scenario.m("SubmissionResolved", { taskId: task.taskId, verifier: review.address, executorShareBps: 6_000 }),
        ...settlement,
      ],
    );
    await withdrawPanelCredits();
  }

  // A contested rejection the executor accepts: it resubmits and is approved.
  {
    const task = await scenario.post(
      "verification/review-accepted-rejection",
      bob,
      await reviewTerms(bob, contestedReview, { token }),
    );
    await scenario.claim(task, cyd);
    await scenario.submit(task, cyd, 1);
    await contestedRejection(task);
    await scenario.send(cyd, review.write.acceptRejection([task.taskId, task.terms], { account: cyd.wallet.account }), [
      scenario.ev(review, "ContestEnded", { taskId: task.taskId, outcome: Outcome.Accepted, executorShareBps: 0 }),
      scenario.m("SubmissionRejected", {
        taskId: task.taskId,
        verifier: review.address,
        reasonHash: keccak256(stringToHex("taskmarket.contest.rejection-accepted")),
      }),
    ]);
    await scenario.submit(task, cyd, 2);
    const settlement = await scenario.settlementEvents(task, cyd.address, BPS);
    await scenario.send(
      rita,
      review.write.approve([task.taskId, task.terms, contestedReview], { account: rita.wallet.account }),
      settlement,
    );
  }

  // A partial acceptance the executor disputes, then settles by an agreement both parties sign.
  {
    const task = await scenario.post("verification/review-agreement", carol, await reviewTerms(carol, contestedReview));
    await scenario.claim(task, hana);
    const submitted = await scenario.submit(task, hana);
    await scenario.send(
      rita,
      review.write.acceptPartially([task.taskId, task.terms, contestedReview, 3_000], { account: rita.wallet.account }),
      [
        scenario.ev(review, "ReviewPartiallyAccepted", {
          taskId: task.taskId,
          reviewer: rita.address,
          executorShareBps: 3_000,
        }),
        scenario.ev(review, "ContestOpened", { taskId: task.taskId, decisionShareBps: 3_000, rejection: false }),
        scenario.m("SubmissionHeld", { taskId: task.taskId, verifier: review.address, defaultShareBps: 3_000 }),
      ],
    );
    await disputeDecision(task, hana, carol.address, BPS);
    const message = {
      taskId: task.taskId,
      submissionHash: submitted.resultHash,
      executorShareBps: 5_000,
      deadline: BigInt((await chain.latestTimestamp()) + 3600),
    };
    const typed = settlementTypedData(moduleDomain("review", chain.chainId, review.address), message);
    const posterSignature = await carol.wallet.signTypedData({ account: carol.wallet.account, ...typed });
    const executorSignature = await hana.wallet.signTypedData({ account: hana.wallet.account, ...typed });
    const settlement = await scenario.settlementEvents(task, hana.address, 5_000);
    await scenario.send(
      wally,
      review.write.settleByAgreement(
        [task.taskId, task.terms, 5_000, message.deadline, posterSignature, executorSignature],
        {
          account: wally.wallet.account,
        },
      ),
      [
        scenario.ev(review, "ContestEnded", { taskId: task.taskId, outcome: Outcome.Agreed, executorShareBps: 5_000 }),
        scenario.m("SubmissionResolved", { taskId: task.taskId, verifier: review.address, executorShareBps: 5_000 }),
        ...settlement,
      ],
    );
  }

  // A poster that does not pay its arbitration fee in time loses: the executor is paid in full.
  {
    const task = await scenario.post(
      "verification/review-respondent-default",
      alice,
      await reviewTerms(alice, contestedReview, { token }),
    );
    await scenario.claim(task, bert);
    await scenario.submit(task, bert);
    await contestedRejection(task);
    await disputeDecision(task, bert, alice.address, BPS);
    await chain.increaseTime(FEE_PAYMENT_PERIOD + 1);
    const settlement = await scenario.settlementEvents(task, bert.address, BPS);
    await scenario.send(
      wally,
      review.write.timeoutRespondent([task.taskId, task.terms], { account: wally.wallet.account }),
      [
        scenario.ev(review, "ContestEnded", {
          taskId: task.taskId,
          outcome: Outcome.RespondentDefaulted,
          executorShareBps: BPS,
        }),
        scenario.m("SubmissionResolved", { taskId: task.taskId, verifier: review.address, executorShareBps: BPS }),
        ...settlement,
      ],
    );
  }

  // An arbitrator that never rules: the contested rejection stands; the panel closes the dispute unresolved and the
  // respondent reclaims its fee through the module.
  {
    const task = await scenario.post(
      "verification/review-arbitrator-silent",
      bob,
      await reviewTerms(bob, contestedReview),
    );
    await scenario.claim(task, ada);
    await scenario.submit(task, ada);
    await contestedRejection(task);
    await disputeDecision(task, ada, bob.address, BPS);
    const { disputeId } = await respond(review, task, bob, fee, 0);
    await chain.increaseTime(RULING_PERIOD + 1);
    const settlement = await scenario.settlementEvents(task, ada.address, 0);
    await scenario.send(
      wally,
      review.write.timeoutArbitration([task.taskId, task.terms], { account: wally.wallet.account }),
      [
        scenario.ev(review, "ContestEnded", {
          taskId: task.taskId,
          outcome: Outcome.ArbitratorSilent,
          executorShareBps: 0,
        }),
        scenario.m("SubmissionResolved", { taskId: task.taskId, verifier: review.address, executorShareBps: 0 }),
        ...settlement,
      ],
    );
    await scenario.send(wally, panel.write.closeUnresolved([disputeId], { account: wally.wallet.account }), [
      scenario.ev(panel, "DisputeClosedUnresolved", { disputeId, refund: fee }),
    ]);
    await scenario.send(
      wally,
      review.write.reclaimArbitrationFee([panel.address, disputeId], { account: wally.wallet.account }),
      [
        scenario.ev(panel, "Withdrawn", { account: review.address, amount: fee }),
        scenario.ev(review, "ArbitrationFeeReclaimed", {
          arbitrator: panel.address,
          disputeId,
          payer: bob.address,
          amount: fee,
        }),
      ],
    );
  }

  // The panel's fee changes; later disputes pay the new one.
  await scenario.send(
    owner,
    panel.write.setArbitrationFee([LATER_ARBITRATION_FEE], { account: owner.wallet.account }),
    [scenario.ev(panel, "ArbitrationFeeUpdated", { previousFee: ARBITRATION_FEE, newFee: LATER_ARBITRATION_FEE })],
  );
  const laterFee = LATER_ARBITRATION_FEE;

  /* ---------------------------------------------------------------------------------------------------------- */
  /*                                             OptimisticModule                                               */
  /* ---------------------------------------------------------------------------------------------------------- */

  const optimisticConfig = { arbitrator: panel.address, challengeBond: CHALLENGE_BOND };
  const optimisticHash = (await optimistic.read.configHash([optimisticConfig])) as Hex;
  await scenario.send(carol, optimistic.write.publishConfig([optimisticConfig], { account: carol.wallet.account }), [
    scenario.ev(optimistic, "OptimisticConfigPublished", { configHash: optimisticHash, config: optimisticConfig }),
  ]);
  const optimisticTerms = (poster: Party, overrides = {}) =>
    scenario.terms(poster, { verifier: optimistic.address, verifierConfigHash: optimisticHash, ...overrides });

  // Nobody challenges within the window: released in full, the unearned verifier fee back to the poster.
  {
    const task = await scenario.post(
      "verification/optimistic-unchallenged",
      carol,
      await optimisticTerms(carol, { token, verifierFee: TOKEN_VERIFIER_FEE }),
    );
    await scenario.claim(task, hugo);
    await scenario.submit(task, hugo);
    await chain.increaseTime(REVIEW_WINDOW + 1);
    await scenario.release(task, wally);
  }

  // A watcher challenges; the executor defends; the panel gives the executor 30 % and the challenger wins the bonds.
  {
    const task = await scenario.post(
      "verification/optimistic-ruled",
      alice,
      await optimisticTerms(alice, { verifierFee: ETH_VERIFIER_FEE }),
    );
    await scenario.claim(task, cyd);
    await scenario.submit(task, cyd);
    const deposit = laterFee + CHALLENGE_BOND;
    await scenario.send(
      wally,
      optimistic.write.challenge([task.taskId, task.terms, optimisticConfig], {
        account: wally.wallet.account,
        value: deposit,
      }),
      [
        scenario.ev(optimistic, "SubmissionChallenged", {
          taskId: task.taskId,
          challenger: wally.address,
          bond: CHALLENGE_BOND,
        }),
        scenario.ev(optimistic, "DisputeRaised", {
          taskId: task.taskId,
          claimant: wally.address,
          respondent: cyd.address,
          deposit,
        }),
        scenario.m("SubmissionHeld", { taskId: task.taskId, verifier: optimistic.address, defaultShareBps: 0 }),
        scenario.m("VerifierPaid", { taskId: task.taskId, verifier: optimistic.address, amount: ETH_VERIFIER_FEE }),
        forwarded(optimistic, ETH, alice.address, ETH_VERIFIER_FEE),
      ],
    );
    await evidence(optimistic, task, wally);
    const { disputeId } = await respond(optimistic, task, cyd, deposit, BPS);
    await evidence(optimistic, task, cyd);
    await rule(optimistic, disputeId, 4n, [arbiter1, arbiter3]);
    const settlement = await scenario.settlementEvents(task, cyd.address, 3_000);
    await scenario.send(
      wally,
      optimistic.write.executeRuling([task.taskId, task.terms], { account: wally.wallet.account }),
      [
        scenario.ev(optimistic, "ContestEnded", {
          taskId: task.taskId,
          outcome: Outcome.Ruled,
          executorShareBps: 3_000,
        }),
        scenario.m("SubmissionResolved", {
          taskId: task.taskId,
          verifier: optimistic.address,
          executorShareBps: 3_000,
        }),
        ...settlement,
      ],
    );
    await withdrawPanelCredits();
  }

  // A contract account that refuses ETH challenges and wins: the module cannot push its award and credits it. The
  // credit stays in the module (`DisputableModule.withdraw` emits no event, so no indexer could follow a withdrawal).
  {
    const { refusing } = scenario;
    const task = await scenario.post("verification/optimistic-credited-challenger", bob, await optimisticTerms(bob));
    await scenario.claim(task, hana);
    await scenario.submit(task, hana);
    const deposit = laterFee + CHALLENGE_BOND;
    await scenario.send(
      cora,
      refusing.write.execute(
        [
          optimistic.address,
          deposit,
          encodeFunctionData({
            abi: optimistic.abi,
            functionName: "challenge",
            args: [task.taskId, task.terms, optimisticConfig],
          }),
        ],
        { account: cora.wallet.account, value: deposit },
      ),
      [
        scenario.ev(optimistic, "SubmissionChallenged", { taskId: task.taskId, challenger: refusing.address }),
        scenario.ev(optimistic, "DisputeRaised", {
          taskId: task.taskId,
          claimant: refusing.address,
          respondent: hana.address,
        }),
        scenario.m("SubmissionHeld", { taskId: task.taskId, verifier: optimistic.address, defaultShareBps: 0 }),
      ],
    );
    const { disputeId } = await respond(optimistic, task, hana, deposit, BPS);
    await rule(optimistic, disputeId, 1n, [arbiter2, arbiter3]);
    const treasuryShare = (CHALLENGE_BOND * 1_000n) / 10_000n;
    const settlement = await scenario.settlementEvents(task, hana.address, 0);
    await scenario.send(
      wally,
      optimistic.write.executeRuling([task.taskId, task.terms], { account: wally.wallet.account }),
      [
        scenario.ev(optimistic, "ContestEnded", { taskId: task.taskId, outcome: Outcome.Ruled, executorShareBps: 0 }),
        scenario.m("SubmissionResolved", { taskId: task.taskId, verifier: optimistic.address, executorShareBps: 0 }),
        ...settlement,
        scenario.ev(optimistic, "PaymentCredited", {
          account: refusing.address,
          amount: laterFee + 2n * CHALLENGE_BOND - treasuryShare,
        }),
      ],
    );
    await withdrawPanelCredits();
  }

  /* ---------------------------------------------------------------------------------------------------------- */
  /*                                            AttestationModule                                               */
  /* ---------------------------------------------------------------------------------------------------------- */

  const [setId] = scenario.verifierSetIds as [bigint];
  const attestationConfig = (overrides: Partial<AttestationConfigShape> = {}): AttestationConfigShape => ({
    verifierSetId: setId,
    quorum: 2,
    scored: false,
    methodId: METHOD_ID,
    minBond: MIN_BOND,
    arbitrator: zeroAddress,
    contestWindow: 0,
    slashBps: 0,
    ...overrides,
  });
  const immediate = attestationConfig();
  const scored = attestationConfig({ quorum: 3, scored: true });
  const contested = attestationConfig({
    arbitrator: panel.address,
    contestWindow: CONTEST_WINDOW,
    slashBps: SLASH_BPS,
  });
  for (const config of [immediate, scored, contested]) {
    await scenario.send(wally, attestation.write.publishConfig([config], { account: wally.wallet.account }), [
      scenario.ev(attestation, "AttestationConfigPublished", {
        configHash: await attestation.read.configHash([config]),
      }),
    ]);
  }
  const attestationTerms = async (poster: Party, config: AttestationConfigShape, overrides = {}) =>
    scenario.terms(poster, {
      verifier: attestation.address,
      verifierConfigHash: (await attestation.read.configHash([config])) as Hex,
      ...overrides,
    });

  /** Signers sign the round under review; returned sorted by address, as the module requires. */
  const attest = async (task: ScenarioTask, signers: { party: Party; scoreBps: number }[], approved: boolean) => {
    const state = (await market.read.stateOf([task.taskId])) as { reviewDeadline: number };
    const submissionHash = (await market.read.submissionOf([task.taskId])) as Hex;
    const [milestonesVerified] = (await market.read.progressOf([task.taskId])) as readonly [number, number, number];
    const domain = moduleDomain("attestation", chain.chainId, attestation.address);
    const signed = [];
    for (const [index, { party, scoreBps }] of signers.entries()) {
      const message = {
        taskId: task.taskId,
        milestone: task.terms.milestoneShares === NO_MILESTONES ? 0 : milestonesVerified,
        submissionHash,
        reviewDeadline: state.reviewDeadline,
        approved,
        scoreBps,
        methodId: METHOD_ID,
        evidenceHash: labelHash(`report ${task.taskId} ${party.name}`),
        deadline: BigInt(state.reviewDeadline),
        nonce: BigInt(index + 1),
      };
      const signature = await party.wallet.signTypedData({
        account: party.wallet.account,
        ...attestationTypedData(domain, message),
      });
      signed.push({
        signer: party.address,
        scoreBps,
        evidenceHash: message.evidenceHash,
        deadline: message.deadline,
        nonce: message.nonce,
        signature,
      });
    }
    return signed.sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
  };
  const accepted = (task: ScenarioTask, signed: { signer: Address; scoreBps: number }[], approved: boolean) =>
    signed.map(({ signer, scoreBps }) =>
      scenario.ev(attestation, "AttestationAccepted", { taskId: task.taskId, signer, approved, scoreBps }),
    );
  /** The fee shared between the signers, the first taking the remainder. */
  const shares = (task: ScenarioTask, signed: { signer: Address }[]) => {
    const count = BigInt(signed.length);
    const each = task.terms.verifierFee / count;
    return signed.map(({ signer }, index) =>
      forwarded(
        attestation,
        task.terms.token,
        signer,
        index === 0 ? task.terms.verifierFee - each * (count - 1n) : each,
      ),
    );
  };

  // A 2-of-3 approval relayed by a third party; the fee is shared between the two signers.
  {
    const task = await scenario.post(
      "verification/attestation-approved",
      bob,
      await attestationTerms(bob, immediate, { verifierFee: ETH_VERIFIER_FEE }),
    );
    await scenario.claim(task, hana);
    await scenario.submit(task, hana);
    const signed = await attest(
      task,
      [
        { party: cast.vera, scoreBps: BPS },
        { party: cast.vince, scoreBps: BPS },
      ],
      true,
    );
    const settlement = await scenario.settlementEvents(task, hana.address, BPS, { verifierPaid: true });
    await scenario.send(
      wally,
      attestation.write.submitVerdict(
        [task.taskId, task.terms, immediate, { approved: true, methodId: METHOD_ID }, signed],
        {
          account: wally.wallet.account,
        },
      ),
      [...accepted(task, signed, true), ...settlement, ...shares(task, signed)],
    );
  }

  // A scored 3-of-3 verdict in an ERC-20: the executor gets the median score.
  {
    const task = await scenario.post(
      "verification/attestation-scored",
      alice,
      await attestationTerms(alice, scored, { token, verifierFee: TOKEN_VERIFIER_FEE }),
    );
    await scenario.claim(task, ada);
    await scenario.submit(task, ada);
    const signed = await attest(
      task,
      [
        { party: cast.vera, scoreBps: 9_000 },
        { party: cast.vince, scoreBps: 6_000 },
        { party: cast.viola, scoreBps: 7_500 },
      ],
      true,
    );
    const settlement = await scenario.settlementEvents(task, ada.address, 7_500, { verifierPaid: true });
    await scenario.send(
      ada,
      attestation.write.submitVerdict(
        [task.taskId, task.terms, scored, { approved: true, methodId: METHOD_ID }, signed],
        {
          account: ada.wallet.account,
        },
      ),
      [
        ...accepted(task, signed, true),
        scenario.m("SubmissionResolved", {
          taskId: task.taskId,
          verifier: attestation.address,
          executorShareBps: 7_500,
        }),
        ...settlement,
        ...shares(task, signed),
      ],
    );
  }

  // A quorum rejects; the executor resubmits and a quorum approves.
  {
    const task = await scenario.post(
      "verification/attestation-rejected",
      carol,
      await attestationTerms(carol, immediate),
    );
    await scenario.claim(task, bert);
    await scenario.submit(task, bert, 1);
    const rejection = await attest(
      task,
      [
        { party: cast.vince, scoreBps: 0 },
        { party: cast.viola, scoreBps: 0 },
      ],
      false,
    );
    await scenario.send(
      bert,
      attestation.write.submitVerdict(
        [task.taskId, task.terms, immediate, { approved: false, methodId: METHOD_ID }, rejection],
        {
          account: bert.wallet.account,
        },
      ),
      [
        ...accepted(task, rejection, false),
        scenario.m("SubmissionRejected", {
          taskId: task.taskId,
          verifier: attestation.address,
          reasonHash: keccak256(stringToHex("taskmarket.attestation.rejected")),
        }),
      ],
    );
    await scenario.submit(task, bert, 2);
    const approval = await attest(
      task,
      [
        { party: cast.vera, scoreBps: BPS },
        { party: cast.viola, scoreBps: BPS },
      ],
      true,
    );
    const settlement = await scenario.settlementEvents(task, bert.address, BPS);
    await scenario.send(
      bert,
      attestation.write.submitVerdict(
        [task.taskId, task.terms, immediate, { approved: true, methodId: METHOD_ID }, approval],
        {
          account: bert.wallet.account,
        },
      ),
      [...accepted(task, approval, true), ...settlement],
    );
  }

  // A contested approval the poster disputes; the panel overturns it and the signers are slashed, the slashed bonds
  // going to the poster the verdict wronged.
  {
    const task = await scenario.post("verification/attestation-slashed", bob, await attestationTerms(bob, contested));
    await scenario.claim(task, hugo);
    await scenario.submit(task, hugo);
    const signed = await attest(
      task,
      [
        { party: cast.vera, scoreBps: BPS },
        { party: cast.viola, scoreBps: BPS },
      ],
      true,
    );
    await scenario.send(
      wally,
      attestation.write.submitVerdict(
        [task.taskId, task.terms, contested, { approved: true, methodId: METHOD_ID }, signed],
        {
          account: wally.wallet.account,
        },
      ),
      [
        ...accepted(task, signed, true),
        scenario.ev(attestation, "ContestOpened", { taskId: task.taskId, decisionShareBps: BPS, rejection: false }),
        scenario.m("SubmissionHeld", { taskId: task.taskId, verifier: attestation.address, defaultShareBps: BPS }),
      ],
    );
    await scenario.send(
      bob,
      attestation.write.dispute([task.taskId, task.terms, contested], { account: bob.wallet.account, value: laterFee }),
      [
        scenario.ev(attestation, "DisputeRaised", {
          taskId: task.taskId,
          claimant: bob.address,
          respondent: hugo.address,
          deposit: laterFee,
        }),
        scenario.m("SubmissionHeld", { taskId: task.taskId, verifier: attestation.address, defaultShareBps: 0 }),
      ],
    );
    const { disputeId } = await respond(attestation, task, hugo, laterFee, BPS);
    await evidence(attestation, task, bob);
    await rule(attestation, disputeId, 1n, [arbiter2, arbiter3]);
    const slashes = [];
    for (const { signer } of signed) {
      const member = (await attestation.read.memberOf([setId, signer])) as { bond: bigint };
      slashes.push(
        scenario.ev(attestation, "VerifierSlashed", {
          setId,
          verifier: signer,
          taskId: task.taskId,
          amount: (member.bond * BigInt(SLASH_BPS)) / 10_000n,
        }),
      );
    }
    const settlement = await scenario.settlementEvents(task, hugo.address, 0);
    await scenario.send(
      wally,
      attestation.write.executeRuling([task.taskId, task.terms], { account: wally.wallet.account }),
      [
        scenario.ev(attestation, "ContestEnded", { taskId: task.taskId, outcome: Outcome.Ruled, executorShareBps: 0 }),
        scenario.m("SubmissionResolved", { taskId: task.taskId, verifier: attestation.address, executorShareBps: 0 }),
        ...settlement,
        ...slashes,
      ],
    );
    await withdrawPanelCredits();
  }

  // The set changes: a key rotation, a top-up, a departure; after the unbonding period the leavers withdraw.
  await scenario.send(
    cora,
    attestation.write.rotateVerifier([setId, cast.vince.address, cast.vito.address], { account: cora.wallet.account }),
    [
      scenario.ev(attestation, "VerifierRemoved", { setId, verifier: cast.vince.address, byAdmin: true }),
      scenario.ev(attestation, "VerifierAdded", { setId, verifier: cast.vito.address }),
    ],
  );
  await scenario.send(
    cast.vito,
    attestation.write.bond([setId], { account: cast.vito.wallet.account, value: VERIFIER_BOND }),
    [
      scenario.ev(attestation, "VerifierBonded", {
        setId,
        verifier: cast.vito.address,
        amount: VERIFIER_BOND,
        totalBond: VERIFIER_BOND,
      }),
    ],
  );
  const veraBond = ((await attestation.read.memberOf([setId, cast.vera.address])) as { bond: bigint }).bond;
  await scenario.send(
    cast.vera,
    attestation.write.bond([setId], { account: cast.vera.wallet.account, value: VERIFIER_BOND }),
    [
      scenario.ev(attestation, "VerifierBonded", {
        setId,
        verifier: cast.vera.address,
        amount: VERIFIER_BOND,
        totalBond: veraBond + VERIFIER_BOND,
      }),
    ],
  );
  await scenario.send(cast.viola, attestation.write.leave([setId], { account: cast.viola.wallet.account }), [
    scenario.ev(attestation, "VerifierRemoved", { setId, verifier: cast.viola.address, byAdmin: false }),
  ]);

  /* ---------------------------------------------------------------------------------------------------------- */
  /*                                               ProofModule                                                  */
  /* ---------------------------------------------------------------------------------------------------------- */

  const hashVerifier = scenario.chain.deployment.contracts.hashCommitmentVerifier.address;
  const merkleVerifier = scenario.chain.deployment.contracts.merkleInclusionVerifier.address;

  // A deterministic output proven by its bytes: settled as it is submitted, the fee forwarded to the executor.
  {
    const output = toHex("reproducible build output: 4f2a9c");
    const config = { proofVerifier: hashVerifier, commitment: keccak256(output) };
    const configHash = (await proof.read.configHash([config])) as Hex;
    await scenario.send(alice, proof.write.publishConfig([config], { account: alice.wallet.account }), [
      scenario.ev(proof, "ProofConfigPublished", { configHash }),
    ]);
    const task = await scenario.post(
      "verification/proof-hash",
      alice,
      await scenario.terms(alice, {
        verifier: proof.address,
        verifierConfigHash: configHash,
        verifierFee: ETH_VERIFIER_FEE,
      }),
    );
    await scenario.claim(task, hana);
    const settlement = await scenario.settlementEvents(task, hana.address, BPS, { verifierPaid: true });
    await scenario.send(
      hana,
      proof.write.submitWithProof([task.taskId, task.terms, config, keccak256(output), "ipfs://bafybuild", output], {
        account: hana.wallet.account,
      }),
      [
        scenario.ev(proof, "ProofAccepted", {
          taskId: task.taskId,
          executor: hana.address,
          resultHash: keccak256(output),
        }),
        scenario.m("WorkSubmitted", { taskId: task.taskId, executor: hana.address, resultHash: keccak256(output) }),
        ...settlement,
        scenario.ev(proof, "VerifierFeeForwarded", {
          taskId: task.taskId,
          to: hana.address,
          token: ETH,
          amount: ETH_VERIFIER_FEE,
        }),
      ],
    );
  }

  // A contract account that refuses ETH rejects an unproven submission: the fee it earned is credited in the proof
  // module, and withdrawn to its controller once the executor has proven its result.
  {
    const { refusing } = scenario;
    const output = toHex("deterministic output: 77e1");
    const config = { proofVerifier: hashVerifier, commitment: keccak256(output) };
    const configHash = (await proof.read.configHash([config])) as Hex;
    const task = await scenario.post(
      "verification/proof-credited-watcher",
      carol,
      await scenario.terms(carol, {
        verifier: proof.address,
        verifierConfigHash: configHash,
        verifierFee: ETH_VERIFIER_FEE,
      }),
    );
    await scenario.claim(task, bert);
    await scenario.submit(task, bert, 1);
    await scenario.send(
      cora,
      refusing.write.execute(
        [
          proof.address,
          0n,
          encodeFunctionData({
            abi: proof.abi,
            functionName: "rejectUnproven",
            args: [task.taskId, task.terms, config],
          }),
        ],
        { account: cora.wallet.account },
      ),
      [
        scenario.ev(proof, "UnprovenSubmissionRejected", {
          taskId: task.taskId,
          executor: bert.address,
          caller: refusing.address,
        }),
        scenario.m("SubmissionRejected", { taskId: task.taskId, verifier: proof.address }),
        scenario.m("VerifierPaid", { taskId: task.taskId, verifier: proof.address, amount: ETH_VERIFIER_FEE }),
        scenario.ev(proof, "VerifierFeeForwarded", {
          taskId: task.taskId,
          to: refusing.address,
          token: ETH,
          amount: ETH_VERIFIER_FEE,
        }),
        scenario.ev(proof, "PaymentCredited", { account: refusing.address, token: ETH, amount: ETH_VERIFIER_FEE }),
      ],
    );
    const settlement = await scenario.settlementEvents(task, bert.address, BPS);
    await scenario.send(
      bert,
      proof.write.submitWithProof([task.taskId, task.terms, config, keccak256(output), "ipfs://bafyoutput", output], {
        account: bert.wallet.account,
      }),
      [
        scenario.ev(proof, "ProofAccepted", { taskId: task.taskId, executor: bert.address }),
        scenario.m("WorkSubmitted", { taskId: task.taskId, executor: bert.address }),
        ...settlement,
      ],
    );
    await scenario.send(
      cora,
      refusing.write.execute(
        [
          proof.address,
          0n,
          encodeFunctionData({ abi: proof.abi, functionName: "withdraw", args: [ETH, cora.address] }),
        ],
        { account: cora.wallet.account },
      ),
      [
        scenario.ev(proof, "CreditWithdrawn", {
          account: refusing.address,
          token: ETH,
          to: cora.address,
          amount: ETH_VERIFIER_FEE,
        }),
      ],
    );
  }

  // Two milestones proven by Merkle multiproofs; a plain submission before them is rejected by a watcher, who earns
  // the fee with that first decision.
  {
    const encodeLeaf = (item: string) => keccak256(keccak256(encodeAbiParameters([{ type: "string" }], [item])));
    const required = ["LICENSE", "src/index.ts"];
    const sortedLeaves = required.map(encodeLeaf).sort();
    const commitment = keccak256(encodeAbiParameters([{ type: "bytes32[]" }], [sortedLeaves]));
    const config = { proofVerifier: merkleVerifier, commitment };
    const configHash = (await proof.read.configHash([config])) as Hex;
    const task = await scenario.post(
      "verification/proof-merkle-milestones",
      bob,
      await scenario.terms(bob, {
        token,
        verifier: proof.address,
        verifierConfigHash: configHash,
        verifierFee: TOKEN_VERIFIER_FEE,
        milestoneShares: packMilestoneShares([5_000, 5_000]),
      }),
    );
    await scenario.claim(task, ada);
    const plain = await scenario.submit(task, ada, 1);
    await scenario.send(
      wally,
      proof.write.rejectUnproven([task.taskId, task.terms, config], { account: wally.wallet.account }),
      [
        scenario.ev(proof, "UnprovenSubmissionRejected", {
          taskId: task.taskId,
          executor: ada.address,
          caller: wally.address,
          resultHash: plain.resultHash,
        }),
        scenario.m("SubmissionRejected", { taskId: task.taskId, verifier: proof.address }),
        scenario.m("VerifierPaid", { taskId: task.taskId, verifier: proof.address, amount: TOKEN_VERIFIER_FEE }),
        scenario.ev(proof, "VerifierFeeForwarded", {
          taskId: task.taskId,
          to: wally.address,
          token,
          amount: TOKEN_VERIFIER_FEE,
        }),
      ],
    );
    const deliverables: [number, string[]][] = [
      [0, ["README.md", "LICENSE", "src/index.ts", "src/util.ts"]],
      [1, ["LICENSE", "src/index.ts", "src/cli.ts"]],
    ];
    for (const [milestone, files] of deliverables) {
      const tree = StandardMerkleTree.of(
        files.map((file) => [file]),
        ["string"],
      );
      const multiproof = tree.getMultiProof(required.map((item) => [item]));
      const encoded = encodeAbiParameters(
        [{ type: "bytes32[]" }, { type: "bytes32[]" }, { type: "bool[]" }],
        [multiproof.leaves.map((leaf) => tree.leafHash(leaf) as Hex), multiproof.proof as Hex[], multiproof.proofFlags],
      );
      const settlement = await scenario.settlementEvents(task, ada.address, BPS);
      await scenario.send(
        ada,
        proof.write.submitWithProof(
          [task.taskId, task.terms, config, tree.root as Hex, `ipfs://bafytree/${milestone}`, encoded],
          {
            account: ada.wallet.account,
          },
        ),
        [
          scenario.ev(proof, "ProofAccepted", { taskId: task.taskId, executor: ada.address, resultHash: tree.root }),
          scenario.m("WorkSubmitted", { taskId: task.taskId, executor: ada.address, resultHash: tree.root }),
          ...settlement,
        ],
      );
    }
    assert.equal(Number(await market.read.statusOf([task.taskId])), TaskStatus.Settled);
  }

  // The unbonding period passes: the rotated-out and the departed verifiers take their bonds back.
  await chain.increaseTime(UNBONDING_PERIOD + 1);
  for (const leaver of [cast.vince, cast.viola]) {
    const { bond } = (await attestation.read.memberOf([setId, leaver.address])) as { bond: bigint };
    await scenario.send(leaver, attestation.write.withdrawBond([setId], { account: leaver.wallet.account }), [
      scenario.ev(attestation, "VerifierBondWithdrawn", { setId, verifier: leaver.address, amount: bond }),
    ]);
  }
}

/** `IAttestationModule.AttestationConfig`. */
export interface AttestationConfigShape {
  verifierSetId: bigint;
  quorum: number;
  scored: boolean;
  methodId: Hex;
  minBond: bigint;
  arbitrator: Address;
  contestWindow: number;
  slashBps: number;
}
