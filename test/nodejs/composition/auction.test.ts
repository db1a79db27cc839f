/**
 * Hiring through the real `ReverseAuction` and `ApplicationBoard` on Hardhat's network: a sealed auction in ETH that
 * the poster awards to the bid it likes, an open auction that a third party finalizes with the automatic rule, and an
 * application round in which the poster picks one of two applicants. Every deposit, refund and payment is checked
 * against the modules' rules, and each module ends holding nothing.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { keccak256, parseEther, stringToHex } from "viem";
import type { Address } from "viem";

import { CAPABILITIES, type Party } from "../helpers/fixtures.js";
import {
  BOND,
  EXECUTION_WINDOW,
  REWARD,
  buildTerms,
  claimTask,
  latestTimestamp,
  marketEvents,
  postTask,
  submitWork,
  timestampOf,
  type PostedTask,
  type SentTransaction,
} from "../helpers/lifecycle.js";
import {
  EMPTY_EXECUTOR_RECORD,
  EMPTY_POSTER_RECORD,
  ETH,
  Eligibility,
  ExecutorKind,
  TaskStatus,
  accruedFeesOf,
  executorRecordOf,
  feeOf,
  posterRecordOf,
  statusOf,
  type TaskFunding,
  type TaskTerms,
} from "../helpers/protocol.js";
import { eventsOf } from "../verification/helpers.js";
import {
  AuctionPhase,
  BidStatus,
  DAY,
  Ledger,
  auctionConfigHash,
  auctionScoreOf,
  boardConfigHash,
  completeTask,
  deployCompositionMarket,
  openRequirements,
  postTaskWithOptions,
  reputationBpsOf,
  sealedBidCommitment,
  type AuctionConfig,
  type Bid,
  type BoardConfig,
  type CompositionFixture,
} from "./helpers.js";

const { viem, networkHelpers } = await network.create();

/** The poster's budget: the reward it escrows, and the most a bid may ask. Uneven, so that every share rounds. */
const BUDGET = parseEther("2") + 1n;
/** What a sealed bid deposits on top of the claim bond, lost to the poster if the bid is not revealed. */
const BID_BOND = parseEther("0.05") + 5n;
const HALF = 5_000;

async function agentTaskTerms(fixture: CompositionFixture, overrides: Partial<TaskTerms> = {}): Promise<TaskTerms> {
  return buildTerms(fixture, { reward: BUDGET, claimBond: BOND, executorKind: ExecutorKind.Agent, ...overrides });
}

async function postAuction(fixture: CompositionFixture, ledger: Ledger, config: AuctionConfig): Promise<PostedTask> {
  const { reverseAuction, poster } = fixture;
  const assignerConfigHash = auctionConfigHash(config);
  assert.equal(await reverseAuction.read.configHash([config]), assignerConfigHash, "the client's hash is the module's");
  const task = await postTaskWithOptions(fixture, ledger, await agentTaskTerms(fixture), {
    assigner: reverseAuction.address,
    subtaskBudget: 0n,
    assignerConfigHash,
  });
  const published = await ledger.send(
    poster,
    reverseAuction.write.publishConfig([task.taskId, task.terms, config], { account: poster.wallet.account }),
  );
  assert.deepEqual(eventsOf(reverseAuction, published.receipt), [
    { eventName: "AuctionConfigPublished", args: { taskId: task.taskId, configHash: assignerConfigHash, config } },
  ]);
  return task;
}

async function phaseOf(fixture: CompositionFixture, task: PostedTask, config: AuctionConfig): Promise<number> {
  return Number(await fixture.reverseAuction.read.phaseOf([task.taskId, config]));
}

async function bidsOf(fixture: CompositionFixture, taskId: bigint): Promise<Bid[]> {
  return ((await fixture.reverseAuction.read.bidsOf([taskId])) as readonly Bid[]).map((entry) => ({ ...entry }));
}

async function fundingOf(fixture: CompositionFixture, taskId: bigint): Promise<TaskFunding> {
  return { ...((await fixture.market.read.fundingOf([taskId])) as TaskFunding) };
}

/** The market's `TaskClaimed` for a claim made in `sent`. */
async function taskClaimed(fixture: CompositionFixture, sent: SentTransaction, taskId: bigint, executor: Address) {
  return {
    eventName: "TaskClaimed",
    args: {
      taskId,
      executor,
      executionDeadline: (await timestampOf(fixture, sent)) + EXECUTION_WINDOW,
      bond: BOND,
    },
  };
}

describe("Reverse auction: a sealed auction awarded by the poster", () => {
  it("refunds the unused budget, pays the winner its price, and returns or forfeits every deposit", async () => {
    const fixture = await networkHelpers.loadFixture(deployCompositionMarket);
    const { market, reverseAuction, poster, agent, secondAgent, thirdAgent, stranger, feeRecipient } = fixture;
    const ledger = await Ledger.open(fixture, [
      poster.address,
      agent.address,
      secondAgent.address,
      thirdAgent.address,
      stranger.address,
      market.address,
      reverseAuction.address,
      feeRecipient,
    ]);
    const now = await latestTimestamp(fixture);
    const config: AuctionConfig = {
      requirements: openRequirements(),
      biddingEnd: now + DAY,
      revealEnd: now + 2 * DAY,
      bidBond: BID_BOND,
      priceWeightBps: HALF,
      awardWindow: DAY,
    };
    const task = await postAuction(fixture, ledger, config);
    const { taskId, terms } = task;
    assert.equal(await phaseOf(fixture, task, config), AuctionPhase.Bidding);

    // Three agents commit sealed bids. The cheapest is slow, the second is fast, the third will never reveal.
    const chainId = await fixture.publicClient.getChainId();
    const sealed = [
      { bidder: agent, price: (BUDGET * 6n) / 10n, eta: 2 * DAY, salt: keccak256(stringToHex("salt 1")) },
      { bidder: secondAgent, price: (BUDGET * 7n) / 10n + 13n, eta: DAY / 2, salt: keccak256(stringToHex("salt 2")) },
      { bidder: thirdAgent, price: BUDGET / 2n, eta: DAY, salt: keccak256(stringToHex("salt 3")) },
    ];
    const [cheapest, fastest, silent] = sealed;
    for (const [sequence, { bidder, price, eta, salt }] of sealed.entries()) {
      const commitment = sealedBidCommitment(chainId, reverseAuction.address, taskId, bidder.address, price, eta, salt);
      assert.equal(await reverseAuction.read.commitmentFor([taskId, bidder.address, price, eta, salt]), commitment);
      const committed = await ledger.send(
        bidder,
        reverseAuction.write.commitBid([taskId, terms, config, commitment, CAPABILITIES], {
          account: bidder.wallet.account,
          value: BOND + BID_BOND,
        }),
      );
      assert.deepEqual(eventsOf(reverseAuction, committed.receipt), [
        {
          eventName: "BidCommitted",
          args: { taskId, bidder: bidder.address, commitment, sequence, deposit: BOND + BID_BOND },
        },
      ]);
    }
    const reveal = ({ bidder, price, eta, salt }: (typeof sealed)[number]) =>
      reverseAuction.write.revealBid([taskId, terms, config, price, eta, salt, CAPABILITIES], {
        account: bidder.wallet.account,
      });
    await viem.assertions.revertWithCustomErrorWithArgs(
      reveal(cheapest),
      reverseAuction,
      "ReverseAuction_RevealWindowClosed",
      [taskId, config.biddingEnd, config.revealEnd],
    );

    // Two of them reveal; the third stays silent.
    await networkHelpers.time.increaseTo(config.biddingEnd);
    assert.equal(await phaseOf(fixture, task, config), AuctionPhase.Revealing);
    for (const entry of [cheapest, fastest]) {
      const revealed = await ledger.send(entry.bidder, reveal(entry));
      assert.deepEqual(eventsOf(reverseAuction, revealed.receipt), [
        {
          eventName: "BidRevealed",
          args: { taskId, bidder: entry.bidder.address, price: entry.price, eta: entry.eta },
        },
      ]);
    }
    await viem.assertions.revertWithCustomErrorWithArgs(
      reverseAuction.write.award([taskId, terms, config, fastest.bidder.address, CAPABILITIES], {
        account: poster.wallet.account,
      }),
      reverseAuction,
      "ReverseAuction_AuctionNotClosed",
      [taskId, config.revealEnd],
    );

    // At close, the silent commitment reads as forfeited; during the award window only the poster decides.
    await networkHelpers.time.increaseTo(config.revealEnd);
    assert.equal(await phaseOf(fixture, task, config), AuctionPhase.Awarding);
    assert.deepEqual(
      (await bidsOf(fixture, taskId)).map(({ bidder, status, price, deposit }) => ({ bidder, status, price, deposit })),
      [
        { bidder: cheapest.bidder.address, status: BidStatus.Placed, price: cheapest.price, deposit: BOND + BID_BOND },
        { bidder: fastest.bidder.address, status: BidStatus.Placed, price: fastest.price, deposit: BOND + BID_BOND },
        { bidder: silent.bidder.address, status: BidStatus.Forfeited, price: 0n, deposit: BOND + BID_BOND },
      ],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      reverseAuction.write.finalize([taskId, terms, config, CAPABILITIES], { account: stranger.wallet.account }),
      reverseAuction,
      "ReverseAuction_AwardWindowNotOver",
      [taskId, BigInt(config.revealEnd + config.awardWindow)],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      reverseAuction.write.award([taskId, terms, config, fastest.bidder.address, CAPABILITIES], {
        account: stranger.wallet.account,
      }),
      reverseAuction,
      "ReverseAuction_CallerNotPoster",
      [taskId, stranger.address],
    );

    // The poster prefers the fast bid to the cheap one; the rest of its budget comes back at once.
    const price = fastest.price;
    const released = BUDGET - price;
    const posterBeforeAward = await fixture.publicClient.getBalance({ address: poster.address });
    const awarded = await ledger.send(
      poster,
      reverseAuction.write.award([taskId, terms, config, fastest.bidder.address, CAPABILITIES], {
        account: poster.wallet.account,
      }),
    );
    assert.equal(
      await fixture.publicClient.getBalance({ address: poster.address }),
      posterBeforeAward - awarded.gasCost + released,
      "the unused budget is pushed to the poster in the award",
    );
    assert.deepEqual(eventsOf(reverseAuction, awarded.receipt), [
      {
        eventName: "BidBondForfeited",
        args: { taskId, bidder: silent.bidder.address, poster: poster.address, amount: BID_BOND },
      },
      {
        eventName: "AuctionAwarded",
        args: { taskId, winner: fastest.bidder.address, price, automatic: false, score: 0n },
      },
    ]);
    assert.deepEqual(marketEvents(fixture, awarded.receipt), [
      { eventName: "RewardLowered", args: { taskId, poster: poster.address, price, released } },
      await taskClaimed(fixture, awarded, taskId, fastest.bidder.address),
    ]);
    assert.deepEqual(await fundingOf(fixture, taskId), { released, drawn: 0n, openSubtasks: 0 });
    assert.equal(await reverseAuction.read.winnerOf([taskId]), fastest.bidder.address);
    assert.equal(await phaseOf(fixture, task, config), AuctionPhase.Awarded);
    assert.equal(await reverseAuction.read.creditOf([poster.address, ETH]), BID_BOND);

    // The winner delivers; the poster approves and the winner is paid the price it asked, not the budget.
    await ledger.charge(fastest.bidder, submitWork(fixture, task, fastest.bidder));
    const approved = await ledger.send(
      poster,
      market.write.approve([taskId, terms], { account: poster.wallet.account }),
    );
    const fee = feeOf(price, terms.feeBps);
    assert.deepEqual(marketEvents(fixture, approved.receipt), [
      {
        eventName: "TaskSettled",
        args: {
          taskId,
          executor: fastest.bidder.address,
          token: ETH,
          payout: price - fee,
          fee,
          bondReturned: BOND,
        },
      },
    ]);

    // Deposits: the loser takes back both bonds, the silent bidder its claim bond only, the winner its bid bond.
    const withdrawals: ReadonlyArray<readonly [Party, bigint]> = [
      [cheapest.bidder, BOND + BID_BOND],
      [silent.bidder, BOND],
      [fastest.bidder, BID_BOND],
    ];
    for (const [bidder, amount] of withdrawals) {
      const withdrawn = await ledger.send(
        bidder,
        reverseAuction.write.withdrawDeposit([taskId], { account: bidder.wallet.account }),
      );
      assert.deepEqual(eventsOf(reverseAuction, withdrawn.receipt), [
        { eventName: "DepositWithdrawn", args: { taskId, bidder: bidder.address, token: ETH, amount } },
      ]);
      await viem.assertions.revertWithCustomErrorWithArgs(
        reverseAuction.write.withdrawDeposit([taskId], { account: bidder.wallet.account }),
        reverseAuction,
        "ReverseAuction_NothingToWithdraw",
        [taskId, bidder.address],
      );
    }
    // The silent bidder's bid bond is the poster's, to pull.
    const pulled = await ledger.send(
      poster,
      reverseAuction.write.withdraw([ETH, poster.address], { account: poster.wallet.account }),
    );
    assert.deepEqual(eventsOf(reverseAuction, pulled.receipt), [
      {
        eventName: "CreditWithdrawn",
        args: { account: poster.address, token: ETH, to: poster.address, amount: BID_BOND },
      },
    ]);
    assert.equal(await reverseAuction.read.creditOf([poster.address, ETH]), 0n);

    await ledger.assertDeltas([
      [poster.address, -price + BID_BOND],
      [agent.address, 0n],
      [secondAgent.address, price - fee],
      [thirdAgent.address, -BID_BOND],
      [stranger.address, 0n],
      [market.address, fee],
      [reverseAuction.address, 0n],
      [feeRecipient, 0n],
    ]);
    assert.equal(await accruedFeesOf(market, ETH), fee);
    assert.equal(await statusOf(market, taskId), TaskStatus.Settled);
    assert.deepEqual(await executorRecordOf(market, secondAgent.address), { ...EMPTY_EXECUTOR_RECORD, completed: 1 });
    for (const loser of [agent, thirdAgent]) {
      assert.deepEqual(await executorRecordOf(market, loser.address), EMPTY_EXECUTOR_RECORD);
    }
    assert.deepEqual(await posterRecordOf(market, poster.address), { ...EMPTY_POSTER_RECORD, posted: 1, settled: 1 });
  });
});

describe("Reverse auction: an open auction finalized by the automatic rule", () => {
  it("awards the bid the published rule ranks first when a third party finalizes after the award window", async () => {
    const fixture = await networkHelpers.loadFixture(deployCompositionMarket);
    const { market, reverseAuction, poster, agent, secondAgent, thirdAgent, stranger, feeRecipient } = fixture;
    const [newcomer, uneven, veteran] = [agent, secondAgent, thirdAgent];
    const ledger = await Ledger.open(fixture, [
      poster.address,
      newcomer.address,
      uneven.address,
      veteran.address,
      stranger.address,
      market.address,
      reverseAuction.address,
      feeRecipient,
    ]);

    // Track records: the veteran completed a task; the uneven agent completed one and let another claim lapse.
    await completeTask(fixture, ledger, veteran, { executorKind: ExecutorKind.Agent });
    await completeTask(fixture, ledger, uneven, { executorKind: ExecutorKind.Agent });
    const lapsed = await postTask(fixture, await buildTerms(fixture, { executorKind: ExecutorKind.Agent }));
    await ledger.charge(poster, Promise.resolve(lapsed.posted));
    await ledger.charge(uneven, claimTask(fixture, lapsed, uneven));
    await networkHelpers.time.increase(EXECUTION_WINDOW + 1);
    await ledger.send(poster, market.write.cancel([lapsed.taskId, lapsed.terms], { account: poster.wallet.account }));
    assert.deepEqual(await executorRecordOf(market, uneven.address), {
      ...EMPTY_EXECUTOR_RECORD,
      completed: 1,
      expired: 1,
    });

    const now = await latestTimestamp(fixture);
    const config: AuctionConfig = {
      requirements: openRequirements(),
      biddingEnd: now + DAY,
      revealEnd: 0,
      bidBond: 0n,
      priceWeightBps: HALF,
      awardWindow: DAY,
    };
    const task = await postAuction(fixture, ledger, config);
    const { taskId, terms } = task;
    const placeBid = (bidder: Party, price: bigint, eta: number, value: bigint) =>
      ledger.send(
        bidder,
        reverseAuction.write.bid([taskId, terms, config, price, eta, CAPABILITIES], {
          account: bidder.wallet.account,
          value,
        }),
      );

    // Open bids: the newcomer is cheapest; the uneven agent lowers its first price; the veteran asks the most.
    await placeBid(veteran, (BUDGET * 9n) / 10n, DAY, BOND);
    await placeBid(uneven, (BUDGET * 7n) / 10n, DAY, BOND);
    await placeBid(newcomer, BUDGET / 2n, DAY, BOND);
    await viem.assertions.revertWithCustomErrorWithArgs(
      reverseAuction.write.bid([taskId, terms, config, BUDGET, DAY, CAPABILITIES], {
        account: uneven.wallet.account,
      }),
      reverseAuction,
      "ReverseAuction_PriceRaised",
      [taskId, (BUDGET * 7n) / 10n, BUDGET],
    );
    const lowered = await placeBid(uneven, (BUDGET * 6n) / 10n + 1n, DAY, 0n);
    assert.deepEqual(eventsOf(reverseAuction, lowered.receipt), [
      {
        eventName: "BidPlaced",
        args: { taskId, bidder: uneven.address, price: (BUDGET * 6n) / 10n + 1n, eta: DAY, sequence: 3, deposit: 0n },
      },
    ]);

    // After bidding ends the poster alone may decide, for the award window; then anyone may finalize.
    await networkHelpers.time.increaseTo(config.biddingEnd);
    assert.equal(await phaseOf(fixture, task, config), AuctionPhase.Awarding);
    await viem.assertions.revertWithCustomErrorWithArgs(
      reverseAuction.write.finalize([taskId, terms, config, CAPABILITIES], { account: stranger.wallet.account }),
      reverseAuction,
      "ReverseAuction_AwardWindowNotOver",
      [taskId, BigInt(config.biddingEnd + config.awardWindow)],
    );
    await networkHelpers.time.increaseTo(config.biddingEnd + config.awardWindow);
    assert.equal(await phaseOf(fixture, task, config), AuctionPhase.Finalizable);

    // The winner by the published rule, from each bidder's record in the market: the highest score, then the lower
    // price, then the earlier sequence.
    const ranked = await Promise.all(
      (await bidsOf(fixture, taskId)).map(async (entry) => {
        const reputationBps = reputationBpsOf(await executorRecordOf(market, entry.bidder));
        assert.equal(await reverseAuction.read.reputationOf([entry.bidder]), reputationBps);
        const score = auctionScoreOf(reputationBps, entry.price, BUDGET, config.priceWeightBps);
        assert.equal(
          await reverseAuction.read.scoreOf([entry.bidder, entry.price, BUDGET, config.priceWeightBps]),
          score,
        );
        return { ...entry, reputationBps, score };
      }),
    );
    assert.deepEqual(
      ranked.map(({ bidder, reputationBps }) => [bidder, reputationBps]),
      [
        [veteran.address, 10_000n],
        [uneven.address, 5_000n],
        [newcomer.address, 0n],
      ],
    );
    ranked.sort((a, b) =>
      a.score !== b.score
        ? Number(b.score - a.score)
        : a.price !== b.price
          ? Number(a.price - b.price)
          : a.sequence - b.sequence,
    );
    const expected = ranked[0];
    assert.equal(expected.bidder, veteran.address, "at half weight the veteran's record outweighs its price");
    assert.deepEqual(await reverseAuction.read.previewWinner([taskId, terms, config, CAPABILITIES]), [
      true,
      expected.bidder,
      expected.price,
      expected.score,
    ]);

    const finalized = await ledger.send(
      stranger,
      reverseAuction.write.finalize([taskId, terms, config, CAPABILITIES], { account: stranger.wallet.account }),
    );
    const released = BUDGET - expected.price;
    assert.deepEqual(eventsOf(reverseAuction, finalized.receipt), [
      {
        eventName: "AuctionAwarded",
        args: { taskId, winner: expected.bidder, price: expected.price, automatic: true, score: expected.score },
      },
    ]);
    assert.deepEqual(marketEvents(fixture, finalized.receipt), [
      { eventName: "RewardLowered", args: { taskId, poster: poster.address, price: expected.price, released } },
      await taskClaimed(fixture, finalized, taskId, expected.bidder),
    ]);
    assert.deepEqual(await fundingOf(fixture, taskId), { released, drawn: 0n, openSubtasks: 0 });
    assert.equal(await statusOf(market, taskId), TaskStatus.Claimed);

    // The losers take their claim bonds back; the winner's is in the market now.
    for (const loser of [uneven, newcomer]) {
      await ledger.send(loser, reverseAuction.write.withdrawDeposit([taskId], { account: loser.wallet.account }));
    }
    await viem.assertions.revertWithCustomErrorWithArgs(
      reverseAuction.write.withdrawDeposit([taskId], { account: veteran.wallet.account }),
      reverseAuction,
      "ReverseAuction_NothingToWithdraw",
      [taskId, veteran.address],
    );

    const reward = lapsed.terms.reward;
    const fee = feeOf(reward, terms.feeBps);
    await ledger.assertDeltas([
      // Two earlier tasks paid, one refunded with the lapsed claim's bond, and the auction's price escrowed.
      [poster.address, -2n * reward + BOND - expected.price],
      [newcomer.address, 0n],
      [uneven.address, reward - fee - BOND],
      [veteran.address, reward - fee - BOND],
      [stranger.address, 0n],
      [market.address, 2n * fee + expected.price + BOND],
      [reverseAuction.address, 0n],
      [feeRecipient, 0n],
    ]);
    assert.equal(reward, REWARD);
    assert.deepEqual(await posterRecordOf(market, poster.address), {
      ...EMPTY_POSTER_RECORD,
      posted: 4,
      settled: 2,
      cancelled: 1,
    });
  });
});

describe("Application board: the poster picks one of two applicants", () => {
  it("assigns the chosen applicant with its deposit as the bond, and returns the other's deposit", async () => {
    const fixture = await networkHelpers.loadFixture(deployCompositionMarket);
    const { market, applicationBoard, poster, human, secondHuman, agent, stranger, feeRecipient } = fixture;
    const [chosen, other] = [human, secondHuman];
    const ledger = await Ledger.open(fixture, [
      poster.address,
      chosen.address,
      other.address,
      stranger.address,
      market.address,
      applicationBoard.address,
      feeRecipient,
    ]);
    const config: BoardConfig = {
      requirements: openRequirements(),
      applicationDeadline: (await latestTimestamp(fixture)) + DAY,
    };
    const assignerConfigHash = boardConfigHash(config);
    assert.equal(await applicationBoard.read.configHash([config]), assignerConfigHash);
    const task = await postTaskWithOptions(
      fixture,
      ledger,
      await buildTerms(fixture, { executorKind: ExecutorKind.Human }),
      { assigner: applicationBoard.address, subtaskBudget: 0n, assignerConfigHash },
    );
    const { taskId, terms } = task;

    const note = (applicant: Party) => ({
      uri: `ipfs://bafy-note-${applicant.address.toLowerCase()}`,
      hash: keccak256(stringToHex(`cover letter of ${applicant.address}`)),
    });
    const submitApplication = (applicant: Party) =>
      applicationBoard.write.submitApplication(
        [taskId, terms, config, note(applicant).uri, note(applicant).hash, CAPABILITIES],
        { account: applicant.wallet.account, value: BOND },
      );
    for (const applicant of [chosen, other]) {
      const applied = await ledger.send(applicant, submitApplication(applicant));
      assert.deepEqual(eventsOf(applicationBoard, applied.receipt), [
        {
          eventName: "Applied",
          args: { taskId, applicant: applicant.address, noteURI: note(applicant).uri, noteHash: note(applicant).hash },
        },
      ]);
    }
    // The task is for a human: an agent cannot apply.
    await viem.assertions.revertWithCustomErrorWithArgs(
      submitApplication(agent),
      applicationBoard,
      "AssignmentModule_NotEligible",
      [taskId, agent.address, Eligibility.KindMismatch],
    );
    assert.equal(await applicationBoard.read.applicantCountOf([taskId]), 2n);
    assert.equal(await applicationBoard.read.totalDepositsOf([ETH]), 2n * BOND);

    // Only the poster picks.
    const assign = (caller: Party) =>
      applicationBoard.write.assign([taskId, terms, config, chosen.address, CAPABILITIES], {
        account: caller.wallet.account,
      });
    await viem.assertions.revertWithCustomErrorWithArgs(
      assign(stranger),
      applicationBoard,
      "ApplicationBoard_CallerNotPoster",
      [taskId, stranger.address],
    );
    const assigned = await ledger.send(poster, assign(poster));
    assert.deepEqual(eventsOf(applicationBoard, assigned.receipt), [
      { eventName: "ApplicantAssigned", args: { taskId, applicant: chosen.address } },
    ]);
    assert.deepEqual(marketEvents(fixture, assigned.receipt), [
      await taskClaimed(fixture, assigned, taskId, chosen.address),
    ]);

    // The chosen applicant's deposit is its bond now; the other takes its own back, once.
    await viem.assertions.revertWithCustomErrorWithArgs(
      applicationBoard.write.withdrawApplication([taskId, terms], { account: chosen.wallet.account }),
      applicationBoard,
      "ApplicationBoard_NoApplication",
      [taskId, chosen.address],
    );
    const withdrawn = await ledger.send(
      other,
      applicationBoard.write.withdrawApplication([taskId, terms], { account: other.wallet.account }),
    );
    assert.deepEqual(eventsOf(applicationBoard, withdrawn.receipt), [
      { eventName: "ApplicationWithdrawn", args: { taskId, applicant: other.address, deposit: BOND } },
    ]);
    await viem.assertions.revertWithCustomErrorWithArgs(
      applicationBoard.write.withdrawApplication([taskId, terms], { account: other.wallet.account }),
      applicationBoard,
      "ApplicationBoard_NoApplication",
      [taskId, other.address],
    );
    assert.equal(await applicationBoard.read.applicantCountOf([taskId]), 0n);
    assert.equal(await applicationBoard.read.totalDepositsOf([ETH]), 0n);

    // The chosen applicant delivers and is paid; its bond comes back with the payment.
    await ledger.charge(chosen, submitWork(fixture, task, chosen));
    await ledger.send(poster, market.write.approve([taskId, terms], { account: poster.wallet.account }));
    const fee = feeOf(terms.reward, terms.feeBps);
    await ledger.assertDeltas([
      [poster.address, -terms.reward],
      [chosen.address, terms.reward - fee],
      [other.address, 0n],
      [stranger.address, 0n],
      [market.address, fee],
      [applicationBoard.address, 0n],
      [feeRecipient, 0n],
    ]);
    assert.deepEqual(await executorRecordOf(market, chosen.address), { ...EMPTY_EXECUTOR_RECORD, completed: 1 });
    assert.deepEqual(await executorRecordOf(market, other.address), EMPTY_EXECUTOR_RECORD);
    assert.deepEqual(await posterRecordOf(market, poster.address), { ...EMPTY_POSTER_RECORD, posted: 1, settled: 1 });
  });
});
