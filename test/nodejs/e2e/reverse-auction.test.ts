// Journey 4, against the started stack: a reverse auction among three agents. The poster posts the task through the
// API behind the deployment's ReverseAuction and publishes the auction's configuration; the agents read the task and the
// configuration from the API and the chain and bid; after the award window anyone finalizes, and the automatic rule
// gives the task to the agent with a track record although two others bid lower. The winner delivers, the losers take
// their deposits back, and the budget the auction saved returns to the poster.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { parseEther, parseEventLogs } from "viem";

import {
  TASK_DOCUMENT_VERSION,
  documentTimestamp,
  contentHash,
  reverseAuctionAbi,
  type AuctionConfig,
  type TaskDocument,
} from "../../../sdk/src/index.ts";
import {
  Books,
  DAY,
  ETH,
  assertReputationAgrees,
  assertTaskAgrees,
  feeOf,
  startJourney,
  sweepFees,
  type Actor,
  type Journey,
} from "./journey.ts";

const WARM_UP_REWARD = parseEther("0.5");
const BUDGET = parseEther("2");
const CLAIM_BOND = parseEther("0.2");
const PRICE_WEIGHT_BPS = 5_000;
const CAPABILITIES = ["skill:data-labelling"];
const BIDS: { bidder: Actor; price: bigint; eta: number }[] = [
  { bidder: "agent", price: parseEther("1.6"), eta: DAY },
  { bidder: "secondAgent", price: parseEther("1"), eta: 2 * DAY },
  { bidder: "thirdAgent", price: parseEther("1.2"), eta: DAY / 2 },
];

function labellingDocument(objective: string, reward: bigint, claimDeadline: number): TaskDocument {
  return {
    version: TASK_DOCUMENT_VERSION,
    objective,
    input_constraints: { schema: { type: "object" } },
    execution_requirements: {
      executor_kind: "agent",
      max_duration_seconds: 3 * DAY,
      claim_deadline: documentTimestamp(claimDeadline),
      required_capabilities: CAPABILITIES,
    },
    verification_criteria: { method: "review" },
    compensation: { token: "ETH", reward: reward.toString(), claim_bond: CLAIM_BOND.toString() },
    dependencies: [],
    metadata: { category: "data/labelling", tags: ["images"] },
  };
}

describe("Journey 4: a reverse auction among three agents, decided by the automatic rule", () => {
  let journey: Journey;

  before(async () => {
    journey = await startJourney("journey 4");
  });

  after(async () => {
    await journey?.stop();
  });

  it("awards the best score, refunds the unused budget, pays the winner its price and returns every deposit", async () => {
    const { api } = journey;
    const auction = journey.contract("reverseAuction");
    for (const { bidder } of BIDS) {
      const registration = await api.registerAgent({
        executor: journey.address(bidder),
        kind: "agent",
        operator: journey.address("operator"),
        capabilities: CAPABILITIES,
      });
      await journey.sendPrepared(bidder, registration.transactions);
    }
    const books = await Books.open(journey, ETH, {
      poster: journey.address("poster"),
      agent: journey.address("agent"),
      secondAgent: journey.address("secondAgent"),
      thirdAgent: journey.address("thirdAgent"),
      anyone: journey.address("anyone"),
      feeRecipient: journey.address("feeRecipient"),
      market: journey.contract("taskMarket"),
      auction,
    });

    // The first agent earns a track record on a small first-come task, entirely through the API.
    const now = await journey.latestTimestamp();
    const warmUp = await api.postTask(
      journey.wallet("poster"),
      {
        document: labellingDocument("Label 200 photos of street signs.", WARM_UP_REWARD, now + 7 * DAY),
        reviewWindow: DAY,
      },
      { publicClient: journey.publicClient },
    );
    await journey.indexed();
    await journey.sendPrepared(
      "agent",
      (await api.claimTask(journey.address("agent"), { taskId: warmUp.taskId })).transactions,
    );
    const delivered = await api.updateTaskState(warmUp.taskId, {
      transition: "submit",
      from: journey.address("agent"),
      params: { resultHash: contentHash({ labels: 200 }), resultURI: "ipfs://bafy-labels" },
    });
    await journey.sendPrepared("agent", delivered.transactions);
    await journey.sendPrepared("poster", (await api.settle({ taskId: warmUp.taskId })).transactions);
    await assertTaskAgrees(journey, warmUp.taskId, "Settled");

    // The auction: posted through the API with the ReverseAuction as its assigner; the configuration is published
    // once the task exists, since the module publishes it for a task id.
    const biddingEnd = now + DAY;
    const requested = {
      requirements: { minCompleted: 0, maxDisputesLostBps: 10_000, dependencies: [] },
      biddingEnd,
      revealEnd: 0,
      // A bigint: the SDK's `Decimal` admits a number here, but the API takes amounts only as decimal strings.
      bidBond: 0n,
      priceWeightBps: PRICE_WEIGHT_BPS,
      awardWindow: DAY,
    };
    const posted = await api.postTask(
      journey.wallet("poster"),
      {
        document: labellingDocument("Label 2,000 photos of shop fronts by opening hours.", BUDGET, now + 7 * DAY),
        reviewWindow: DAY,
        assignment: { module: "reverseAuction", config: requested },
      },
      { publicClient: journey.publicClient },
    );
    const { taskId } = posted;
    assert.equal(posted.creation.options.assigner, auction);
    const config: AuctionConfig = {
      ...requested,
      requirements: { ...requested.requirements, dependencies: [] },
    };
    assert.equal(
      await journey.publicClient.readContract({
        address: auction,
        abi: reverseAuctionAbi,
        functionName: "configHash",
        args: [config],
      }),
      posted.creation.options.assignerConfigHash,
    );
    const publication = await journey
      .market("poster")
      .publishAssignmentConfig(taskId, { module: "reverseAuction", config });
    assert.ok(publication, "the API's postTask leaves the assignment configuration to be published");

    // Each agent reads the auction from the API (the configuration the indexer saw published) and bids through the
    // SDK, which reads the terms and the configuration from the chain's events and deposits the claim bond.
    await journey.indexed();
    const read = await api.getTask(taskId);
    assert.equal(read.indexed?.assignmentMode, "ReverseAuction");
    const published = read.indexed?.assignmentConfig;
    assert.ok(published);
    const configRead: AuctionConfig = {
      requirements: {
        minCompleted: published.minCompleted,
        maxDisputesLostBps: published.maxDisputesLostBps,
        dependencies: published.dependencyIds.map(BigInt),
      },
      biddingEnd: published.biddingEnd!,
      revealEnd: published.revealEnd!,
      bidBond: BigInt(published.bidBond!),
      priceWeightBps: published.priceWeightBps!,
      awardWindow: published.awardWindow!,
    };
    assert.deepEqual(configRead, config, "the API gives the bidders the configuration the terms commit to");
    for (const { bidder, price, eta } of BIDS) {
      assert.deepEqual(await journey.market(bidder).getAssignmentConfig(taskId), {
        module: "reverseAuction",
        config: configRead,
      });
      await journey.market(bidder).bid(taskId, { price, eta });
    }

    // The rule: priceWeight × priceBps + (1 − priceWeight) × reputationBps. The first agent's record (one task
    // completed, nothing failed) outweighs the others' lower prices.
    const score = (price: bigint, reputationBps: bigint) =>
      BigInt(PRICE_WEIGHT_BPS) * (((BUDGET - price) * 10_000n) / BUDGET) +
      BigInt(10_000 - PRICE_WEIGHT_BPS) * reputationBps;
    const expectedScores = BIDS.map(({ bidder, price }) => score(price, bidder === "agent" ? 10_000n : 0n));
    for (const [index, { bidder, price }] of BIDS.entries()) {
      const onChain = await journey.publicClient.readContract({
        address: auction,
        abi: reverseAuctionAbi,
        functionName: "scoreOf",
        args: [journey.address(bidder), price, BUDGET, PRICE_WEIGHT_BPS],
      });
      assert.equal(onChain, expectedScores[index], `${bidder}'s score`);
    }
    const [winner] = BIDS;
    assert.ok(expectedScores[0]! > expectedScores[1]! && expectedScores[0]! > expectedScores[2]!);
    assert.deepEqual(await journey.market("anyone").previewAuctionWinner(taskId), {
      winner: journey.address("agent"),
      price: winner!.price,
      score: expectedScores[0],
    });

    // Nobody awards by hand: after the award window anyone finalizes.
    await journey.increaseTime(2 * DAY);
    const finalized = await journey.market("anyone").finalizeAuction(taskId);
    const [awarded] = parseEventLogs({
      abi: reverseAuctionAbi,
      logs: finalized.receipt.logs,
      eventName: "AuctionAwarded",
    });
    assert.deepEqual(awarded?.args, {
      taskId,
      winner: journey.address("agent"),
      price: winner!.price,
      automatic: true,
      score: expectedScores[0],
    });
    for (const { bidder } of BIDS.slice(1)) await journey.market(bidder).withdrawBidDeposit(taskId);

    const claimed = await assertTaskAgrees(journey, taskId, "Claimed");
    assert.equal(claimed.indexed.price, winner!.price.toString());
    assert.equal(claimed.indexed.refunded, (BUDGET - winner!.price).toString(), "the unused budget is back already");
    const { task: indexedAuction } = await journey.graphql(
      `query ($id: ID!) { task(id: $id) { auction {
        outcome automatic price score bidCount winner { id }
        bids(orderBy: sequence) { bidder { id } status price eta deposit }
      } } }`,
      { id: taskId.toString() },
    );
    assert.deepEqual(indexedAuction.auction, {
      outcome: "Awarded",
      automatic: true,
      price: winner!.price.toString(),
      score: expectedScores[0]!.toString(),
      bidCount: 3,
      winner: { id: journey.address("agent").toLowerCase() },
      bids: BIDS.map(({ bidder, price, eta }) => ({
        bidder: { id: journey.address(bidder).toLowerCase() },
        status: bidder === "agent" ? "Awarded" : "Withdrawn",
        price: price.toString(),
        eta: eta.toString(),
        deposit: "0",
      })),
    });

    // The winner delivers and the poster approves through the API's lifecycle route.
    await journey.market("agent").submit(taskId, { content: { labels: 2_000 }, uri: "ipfs://bafy-shopfronts" });
    const approval = await api.updateTaskState(taskId, { transition: "approve", from: journey.address("poster") });
    await journey.sendPrepared("poster", approval.transactions);
    const settled = await assertTaskAgrees(journey, taskId, "Settled");
    const feeBps = posted.creation.terms.feeBps;
    const auctionFee = feeOf(winner!.price, feeBps);
    const warmUpFee = feeOf(WARM_UP_REWARD, feeBps);
    assert.equal(settled.indexed.paidToExecutor, (winner!.price - auctionFee).toString());
    assert.equal(settled.settlement.payments.filter((payment) => payment.kind === "RewardReleased").length, 1);

    const reputation = await assertReputationAgrees(journey, journey.address("agent"));
    assert.equal(reputation.asExecutor.record.completed, 2);
    for (const bidder of ["secondAgent", "thirdAgent"] as const) {
      const untouched = await assertReputationAgrees(journey, journey.address(bidder));
      assert.equal(untouched.asExecutor.record.completed, 0);
    }

    await sweepFees(journey, ETH, auctionFee + warmUpFee);
    await books.assertDeltas({
      poster: -(WARM_UP_REWARD + winner!.price),
      agent: WARM_UP_REWARD - warmUpFee + winner!.price - auctionFee,
      secondAgent: 0n,
      thirdAgent: 0n,
      anyone: 0n,
      feeRecipient: auctionFee + warmUpFee,
      market: 0n,
      auction: 0n,
    });
  });
});
