// Journey 3, against the started stack: a task reviewed through the ReviewModule, with the deployment's panel
// arbitrator for disputes. The reviewer rejects the submission; the executor disputes the rejection, the poster answers,
// the three local arbiters vote and the majority splits the escrow 60/40; anyone carries out the ruling. Every deposit,
// fee and payout is checked in the balances, and the chain, the graph node and the API agree on the outcome.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { keccak256, parseEther, stringToHex, type Abi } from "viem";

import {
  TASK_DOCUMENT_VERSION,
  documentTimestamp,
  panelArbitratorAbi,
  reviewModuleAbi,
  type ReviewConfig,
  type TaskDocument,
} from "../../../sdk/src/index.ts";
import {
  Books,
  DAY,
  ETH,
  assertReputationAgrees,
  assertTaskAgrees,
  chainStatus,
  splitOf,
  startJourney,
  sweepFees,
  type Actor,
  type Journey,
} from "./journey.ts";

const REWARD = parseEther("3") + 7n;
const CLAIM_BOND = parseEther("0.3");
const VERIFIER_FEE = parseEther("0.05");
const CONTEST_WINDOW = 2 * DAY;
/** Ruling r gives the executor (r − 1) × 10 %: 7 is 60 %. */
const RULING = 7n;
const RULING_SHARE_BPS = 6_000;

function auditDocument(claimDeadline: number): TaskDocument {
  return {
    version: TASK_DOCUMENT_VERSION,
    objective: "Audit the access-control checks of the billing service and report every finding with a severity.",
    input_constraints: { schema: { type: "object" } },
    execution_requirements: {
      executor_kind: "human",
      max_duration_seconds: 5 * DAY,
      claim_deadline: documentTimestamp(claimDeadline),
      required_capabilities: ["skill:security-review"],
    },
    verification_criteria: { method: "review" },
    compensation: {
      token: "ETH",
      reward: REWARD.toString(),
      claim_bond: CLAIM_BOND.toString(),
      verifier_fee: VERIFIER_FEE.toString(),
    },
    dependencies: [],
    metadata: { category: "security/audit", tags: ["access-control", "billing"] },
  };
}

describe("Journey 3: a rejection disputed before the panel arbitrator", () => {
  let journey: Journey;

  before(async () => {
    journey = await startJourney("journey 3");
  });

  after(async () => {
    await journey?.stop();
  });

  it("splits the escrow as the panel rules, and pays every deposit and fee as the rules say", async () => {
    const { api } = journey;
    const human = journey.address("human");
    const poster = journey.address("poster");
    const reviewModule = journey.contract("reviewModule");
    const panel = journey.contract("panelArbitrator");
    const arbiters: Actor[] = ["arbiter1", "arbiter2", "arbiter3"];

    // The deployment seated accounts 17–19 on the panel.
    const seated = await journey.publicClient.readContract({
      address: panel,
      abi: panelArbitratorAbi,
      functionName: "arbiters",
    });
    assert.deepEqual(
      [...seated],
      arbiters.map((actor) => journey.address(actor)),
    );
    const arbitrationFee = await journey.publicClient.readContract({
      address: panel,
      abi: panelArbitratorAbi,
      functionName: "arbitrationCost",
      args: ["0x"],
    });

    const registration = await api.registerAgent({
      executor: human,
      kind: "human",
      capabilities: ["skill:security-review"],
      metadataURI: "ipfs://bafy-auditor",
    });
    await journey.sendPrepared("human", registration.transactions);

    const books = await Books.open(journey, ETH, {
      poster,
      human,
      reviewer: journey.address("reviewer"),
      arbiter1: journey.address("arbiter1"),
      arbiter2: journey.address("arbiter2"),
      arbiter3: journey.address("arbiter3"),
      anyone: journey.address("anyone"),
      feeRecipient: journey.address("feeRecipient"),
      market: journey.contract("taskMarket"),
      reviewModule,
      panel,
    });

    // Posted through the API with a reviewer, the panel as arbitrator and a contest window.
    const config: ReviewConfig = {
      reviewer: journey.address("reviewer"),
      arbitrator: panel,
      contestWindow: CONTEST_WINDOW,
    };
    const posted = await api.postTask(
      journey.wallet("poster"),
      {
        document: auditDocument((await journey.latestTimestamp()) + 7 * DAY),
        reviewWindow: 2 * DAY,
        verification: { method: "review", config },
      },
      { publicClient: journey.publicClient },
    );
    const { taskId } = posted;
    const feeBps = posted.creation.terms.feeBps;
    await journey.indexed();

    // The human claims through the API and submits through the SDK; the reviewer rejects through the module.
    const claim = await api.claimTask(human, { taskId });
    await journey.sendPrepared("human", claim.transactions);
    await journey.market("human").submit(taskId, { content: { findings: [] }, uri: "ipfs://bafy-audit-report" });
    await journey.market("reviewer").reject(taskId, { content: { reason: "The report lists no findings." } });
    assert.equal(await chainStatus(journey, taskId), "Disputed");
    let { read } = await assertTaskAgrees(journey, taskId, "Disputed");
    assert.equal(read.indexed?.currentDispute?.phase, "Open");
    assert.equal(read.indexed?.currentDispute?.rejection, true);
    assert.equal(read.indexed?.currentDispute?.decisionShareBps, 0);

    // The executor disputes (depositing the arbitration fee, which the SDK reads from the panel) and files evidence;
    // the poster answers with the same deposit, which seizes the panel.
    await journey.market("human").dispute(taskId);
    await journey.write("human", {
      address: reviewModule,
      abi: reviewModuleAbi as Abi,
      functionName: "submitEvidence",
      args: [taskId, keccak256(stringToHex("findings rebuttal")), "ipfs://bafy-rebuttal"],
    });
    await journey.market("poster").respondToDispute(taskId);
    ({ read } = await assertTaskAgrees(journey, taskId, "Disputed"));
    const dispute = read.indexed?.currentDispute;
    assert.ok(dispute);
    assert.equal(dispute.phase, "Arbitrating");
    assert.equal(dispute.claimant, human);
    assert.equal(dispute.respondent, poster);
    assert.equal(dispute.arbitrator, panel);
    const disputeId = BigInt(dispute.arbitratorDisputeId!);
    const contest = await journey.publicClient.readContract({
      address: reviewModule,
      abi: reviewModuleAbi,
      functionName: "contestOf",
      args: [taskId],
    });
    assert.equal(contest.arbitratorDisputeId, disputeId, "the API names the panel's dispute the module opened");

    // The panel votes: one arbiter for 100 %, then two for 60 %, which is the majority and final.
    for (const [actor, ruling] of [
      ["arbiter3", 11n],
      ["arbiter1", RULING],
      ["arbiter2", RULING],
    ] as const) {
      await journey.write(actor, {
        address: panel,
        abi: panelArbitratorAbi as Abi,
        functionName: "vote",
        args: [disputeId, ruling],
      });
    }
    ({ read } = await assertTaskAgrees(journey, taskId, "Disputed"));
    assert.equal(read.indexed?.currentDispute?.phase, "Ruled");
    assert.equal(read.indexed?.currentDispute?.ruling, RULING.toString());
    assert.equal(read.indexed?.currentDispute?.rulingShareBps, RULING_SHARE_BPS);

    // Anyone carries out the ruling: the submission settles with 60 % for the executor.
    const { terms } = await journey.market("anyone").getPostedTask(taskId);
    await journey.write("anyone", {
      address: reviewModule,
      abi: reviewModuleAbi as Abi,
      functionName: "executeRuling",
      args: [taskId, terms],
    });
    // The arbiters who voted for the ruling withdraw their shares of the fee.
    for (const actor of ["arbiter1", "arbiter2"] as const) {
      await journey.write(actor, {
        address: panel,
        abi: panelArbitratorAbi as Abi,
        functionName: "withdraw",
        args: [],
      });
    }

    const split = splitOf(REWARD, RULING_SHARE_BPS, feeBps);
    const settled = await assertTaskAgrees(journey, taskId, "Settled");
    assert.deepEqual(
      {
        paidToExecutor: settled.indexed.paidToExecutor,
        protocolFees: settled.indexed.protocolFees,
        refunded: settled.indexed.refunded,
        verifierFeeAmountPaid: settled.indexed.verifierFeeAmountPaid,
        bondsReturned: settled.indexed.bondsReturned,
        escrowRemaining: settled.indexed.escrowRemaining,
        disputeCount: settled.indexed.disputeCount,
      },
      {
        paidToExecutor: split.payout.toString(),
        protocolFees: split.fee.toString(),
        refunded: split.refund.toString(),
        verifierFeeAmountPaid: VERIFIER_FEE.toString(),
        bondsReturned: CLAIM_BOND.toString(),
        escrowRemaining: "0",
        disputeCount: 1,
      },
    );
    assert.equal(settled.read.indexed?.latestSubmission?.executorShareBps, RULING_SHARE_BPS);

    // The graph node's record of the dispute, the panel's votes and the arbiters' earnings.
    const half = arbitrationFee / 2n;
    const { disputes } = await journey.graphql(
      `query ($task: String!) { disputes(where: { task: $task }) {
        phase outcome ruling rulingShareBps finalShareBps winner claimantFee respondentFee
        claimant { id } respondent { id } evidence { party { id } evidenceURI }
        arbitratorDispute { solved delivered ruling votesForRuling fee votes(orderBy: timestamp) { arbiter { id } ruling } }
      } }`,
      { task: taskId.toString() },
    );
    assert.deepEqual(disputes, [
      {
        phase: "Ended",
        outcome: "Ruled",
        ruling: RULING.toString(),
        rulingShareBps: RULING_SHARE_BPS,
        finalShareBps: RULING_SHARE_BPS,
        winner: human.toLowerCase(),
        claimantFee: arbitrationFee.toString(),
        respondentFee: arbitrationFee.toString(),
        claimant: { id: human.toLowerCase() },
        respondent: { id: poster.toLowerCase() },
        evidence: [{ party: { id: human.toLowerCase() }, evidenceURI: "ipfs://bafy-rebuttal" }],
        arbitratorDispute: {
          solved: true,
          delivered: true,
          ruling: RULING.toString(),
          votesForRuling: "2",
          fee: arbitrationFee.toString(),
          votes: [
            { arbiter: { id: journey.address("arbiter3").toLowerCase() }, ruling: "11" },
            { arbiter: { id: journey.address("arbiter1").toLowerCase() }, ruling: RULING.toString() },
            { arbiter: { id: journey.address("arbiter2").toLowerCase() }, ruling: RULING.toString() },
          ],
        },
      },
    ]);
    const { arbiters: earnings } = await journey.graphql(
      `query ($panel: String!) { arbiters(where: { arbitrator: $panel }, orderBy: addedAt) { account { id } votes feesEarned } }`,
      { panel: panel.toLowerCase() },
    );
    assert.deepEqual(
      earnings.sort((a: any, b: any) => (a.account.id < b.account.id ? -1 : 1)),
      [
        { account: { id: journey.address("arbiter1").toLowerCase() }, votes: 1, feesEarned: half.toString() },
        {
          account: { id: journey.address("arbiter2").toLowerCase() },
          votes: 1,
          feesEarned: (arbitrationFee - half).toString(),
        },
        { account: { id: journey.address("arbiter3").toLowerCase() }, votes: 1, feesEarned: "0" },
      ].sort((a, b) => (a.account.id < b.account.id ? -1 : 1)),
    );

    // Reputation: the executor was paid for the submission and won its dispute; everyone agrees.
    const reputation = await assertReputationAgrees(journey, human);
    assert.equal(reputation.asExecutor.record.completed, 1);
    assert.equal(reputation.asExecutor.record.disputesWon, 1);
    assert.equal(reputation.asExecutor.record.disputesLost, 0);

    // The books: the escrow split between the executor, the poster and the fee; the reviewer earned its fee with the
    // rejection; the claimant got its deposit back; the respondent's fee paid the two arbiters of the majority.
    await sweepFees(journey, ETH, split.fee);
    await books.assertDeltas({
      poster: -(REWARD + VERIFIER_FEE) + split.refund - arbitrationFee,
      human: split.payout,
      reviewer: VERIFIER_FEE,
      arbiter1: half,
      arbiter2: arbitrationFee - half,
      arbiter3: 0n,
      anyone: 0n,
      feeRecipient: split.fee,
      market: 0n,
      reviewModule: 0n,
      panel: 0n,
    });
  });
});
