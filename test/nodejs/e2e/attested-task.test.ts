// Journey 1, against the started stack: a person posts a task through the API and their wallet; an agent finds it
// through search, claims it, reports progress and submits through the SDK; the API's verification service checks the
// output and signs an attestation; a third party submits it and the task settles; the executor's reputation moves in
// the graph node and in the API, and every wei of the escrow ends with the executor, the verifier or the fee recipient.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { parseEther, parseEventLogs, type Abi, type Hex } from "viem";

import {
  TASK_DOCUMENT_VERSION,
  documentTimestamp,
  TaskMarketApiError,
  attestationModuleAbi,
  contentHash,
  submittedOutput,
  type AttestationConfig,
  type TaskDocument,
} from "../../../sdk/src/index.ts";
import {
  Books,
  DAY,
  ETH,
  assertReputationAgrees,
  assertTaskAgrees,
  chainStatus,
  feeOf,
  startJourney,
  sweepFees,
  type Journey,
} from "./journey.ts";

const REWARD = parseEther("1");
const CLAIM_BOND = parseEther("0.1");
const VERIFIER_FEE = parseEther("0.01") + 3n;
const VERIFIER_BOND = parseEther("1");
const CAPABILITIES = ["lang:en", "skill:summarisation"];

const GOOD_OUTPUT = {
  bullets: [
    "Refund requests doubled after the March price change.",
    "Most login problems come from expired reset links.",
    "Customers ask for an export of their invoices.",
  ],
};

function summaryDocument(claimDeadline: number): TaskDocument {
  return {
    version: TASK_DOCUMENT_VERSION,
    objective: "Summarise this quarter's support tickets into exactly three bullet points for the product team.",
    input_constraints: { schema: { type: "object", properties: { tickets: { type: "array" } } } },
    execution_requirements: {
      executor_kind: "agent",
      max_duration_seconds: DAY,
      claim_deadline: documentTimestamp(claimDeadline),
      required_capabilities: CAPABILITIES,
    },
    verification_criteria: {
      method: "attestation",
      output_schema: {
        type: "object",
        required: ["bullets"],
        additionalProperties: false,
        properties: { bullets: { type: "array", items: { type: "string", minLength: 1 } } },
      },
      acceptance_tests: {
        language: "javascript",
        source:
          'test("three bullets", () => assert(output.bullets.length === 3, output.bullets.length + " bullets"));\n' +
          'test("each ends a sentence", () => { for (const b of output.bullets) assert(b.endsWith("."), b); });',
      },
    },
    compensation: {
      token: "ETH",
      reward: REWARD.toString(),
      claim_bond: CLAIM_BOND.toString(),
      verifier_fee: VERIFIER_FEE.toString(),
    },
    dependencies: [],
    metadata: { category: "writing/summary", tags: ["quarterly", "support"] },
  };
}

describe("Journey 1: posted through the API, found, claimed and submitted by an agent, attested, settled", () => {
  let journey: Journey;

  before(async () => {
    journey = await startJourney("journey 1");
  });

  after(async () => {
    await journey?.stop();
  });

  it("pays the agent, the verification service and the fee recipient, and every view agrees", async () => {
    const { api } = journey;
    const agentAddress = journey.address("agent");
    const serviceAddress = journey.address("verificationService");
    const attestationModule = journey.contract("attestationModule");

    // The verification service announces its method and signer over HTTP; its operator gives it a verifier set of its
    // own in the attestation module and bonds it.
    const methods = await api.verificationMethods();
    assert.equal(methods.service.signs, true);
    assert.equal(methods.service.signer, serviceAddress);
    const created = await journey.write("verificationService", {
      address: attestationModule,
      abi: attestationModuleAbi as Abi,
      functionName: "createVerifierSet",
      args: [serviceAddress],
    });
    const [setCreated] = parseEventLogs({
      abi: attestationModuleAbi,
      logs: created.logs,
      eventName: "VerifierSetCreated",
    });
    const verifierSetId = setCreated!.args.setId;
    for (const [functionName, args, value] of [
      ["addVerifier", [verifierSetId, serviceAddress], undefined],
      ["bond", [verifierSetId], VERIFIER_BOND],
    ] as const) {
      await journey.write("verificationService", {
        address: attestationModule,
        abi: attestationModuleAbi as Abi,
        functionName,
        args,
        value,
      });
    }

    // The agent registers through the API, for its operator, and signs the prepared registration.
    const registration = await api.registerAgent({
      executor: agentAddress,
      kind: "agent",
      operator: journey.address("operator"),
      capabilities: CAPABILITIES,
      metadataURI: "ipfs://bafy-summary-agent",
    });
    await journey.sendPrepared("agent", registration.transactions);
    const fresh = await assertReputationAgrees(journey, agentAddress);
    assert.equal(fresh.asExecutor.registered, true);
    assert.equal(fresh.asExecutor.kind, "Agent");
    assert.equal(fresh.asExecutor.scoreBps, 5_000, "no outcomes yet: the prior alone");

    const books = await Books.open(journey, ETH, {
      poster: journey.address("poster"),
      agent: agentAddress,
      verificationService: serviceAddress,
      anyone: journey.address("anyone"),
      feeRecipient: journey.address("feeRecipient"),
      market: journey.contract("taskMarket"),
      attestationModule,
    });

    // The person posts through the API: it validates and stores the document and prepares the configuration's
    // publication and the funded creation, which the poster's wallet signs.
    const config: AttestationConfig = {
      verifierSetId,
      quorum: 1,
      scored: false,
      methodId: methods.service.methodId,
      minBond: VERIFIER_BOND / 2n,
      arbitrator: journey.contract("panelArbitrator"),
      contestWindow: 0,
      slashBps: 0,
    };
    const document = summaryDocument((await journey.latestTimestamp()) + 7 * DAY);
    const posted = await api.postTask(
      journey.wallet("poster"),
      { document, reviewWindow: DAY, verification: { method: "attestation", config } },
      { publicClient: journey.publicClient },
    );
    const { taskId } = posted;
    assert.deepEqual(
      posted.sent.map((sent) => sent.transaction.to),
      [attestationModule, journey.contract("taskMarket")],
      "the configuration's publication, then the creation",
    );
    assert.equal(posted.creation.escrow.amount, (REWARD + VERIFIER_FEE).toString());
    assert.equal(posted.creation.terms.verifier, attestationModule);

    // The agent looks for work it can do: full-text search with filters, and the open tasks it qualifies for.
    await journey.indexed();
    const found = await api.searchTasks({ q: "support tickets", state: "Posted", capability: "lang:en" });
    const hit = found.items.find((item) => item.task.id === taskId.toString());
    assert.ok(hit, `search found ${JSON.stringify(found.items.map((item) => item.task.id))}`);
    assert.equal(hit.task.reward, REWARD.toString());
    assert.equal(hit.task.verificationMethod, "Attestation");
    assert.deepEqual(hit.document?.capabilities, CAPABILITIES);
    const eligible = await api.getAgentTasks(agentAddress, { eligible: true });
    assert.ok(eligible.items.some((item) => item.task.id === taskId.toString()));

    // It reads the task from the chain alone (terms and configuration from their events), claims and works on it.
    const agent = journey.market("agent");
    assert.deepEqual(await agent.getVerifierConfig(taskId), { method: "attestation", config });
    assert.equal(await agent.eligibilityFor(taskId), "Eligible");
    await agent.claim(taskId);
    await agent.start(taskId);
    await agent.checkpoint(taskId, { percentComplete: 50, content: { done: "tickets grouped" }, uri: "ipfs://p50" });
    const submitted = await agent.submit(taskId, { content: GOOD_OUTPUT, uri: "ipfs://bafy-summary" });
    assert.equal(submitted.resultHash, contentHash(GOOD_OUTPUT));
    await journey.indexed(submitted.receipt);
    // The service checks only the submission under review: an output that does not hash to it is refused.
    await assert.rejects(
      api.verify({ taskId, output: submittedOutput({ bullets: ["Only one."] }) }),
      (error: unknown) => error instanceof TaskMarketApiError && error.status === 422,
    );

    // The verification service runs the schema and the acceptance tests and signs the attestation. A suite cut short
    // by its time limit on a busy machine is inconclusive and nothing is signed: a client asks again, as the API says.
    let record = await api.verify({ taskId, output: submittedOutput(GOOD_OUTPUT) });
    for (let attempt = 1; !record.verdict.conclusive && attempt < 3; attempt++) {
      record = await api.verify({ taskId, output: submittedOutput(GOOD_OUTPUT) });
    }
    assert.equal(record.verdict.conclusive, true, record.verdict.summary);
    assert.equal(record.verdict.approved, true);
    assert.deepEqual(
      record.checks.map((check) => [check.check, check.passed]),
      [
        ["output-hash", true],
        ["json-schema", true],
        ["acceptance-suite", true],
      ],
    );
    assert.equal(record.submissionHash, submitted.resultHash);
    assert.ok(record.attestation, "an attestation-verified task gets a signed attestation");
    assert.equal(record.attestation.signedAttestation.signer, serviceAddress);
    assert.deepEqual(await api.getVerification(record.id as Hex), record);
    // A settlement route cannot decide for a module: it names the module instead.
    await assert.rejects(api.settle({ taskId }), (error: unknown) => {
      assert.ok(error instanceof TaskMarketApiError);
      assert.equal(error.status, 409);
      assert.match(error.detail, /AttestationModule/);
      return true;
    });

    // Anyone submits the signed verdict; the task settles in the same transaction.
    const settled = await journey.market("anyone").submitVerdict(taskId, [record.attestation]);
    assert.equal(await chainStatus(journey, taskId), "Settled");
    await journey.indexed(settled.receipt);

    const fee = feeOf(REWARD, posted.creation.terms.feeBps);
    const { indexed, read, settlement } = await assertTaskAgrees(journey, taskId, "Settled");
    assert.deepEqual(
      {
        price: indexed.price,
        escrowRemaining: indexed.escrowRemaining,
        paidToExecutor: indexed.paidToExecutor,
        protocolFees: indexed.protocolFees,
        refunded: indexed.refunded,
        verifierFeeAmountPaid: indexed.verifierFeeAmountPaid,
        bondsReturned: indexed.bondsReturned,
        bondsForfeited: indexed.bondsForfeited,
      },
      {
        price: REWARD.toString(),
        escrowRemaining: "0",
        paidToExecutor: (REWARD - fee).toString(),
        protocolFees: fee.toString(),
        refunded: "0",
        verifierFeeAmountPaid: VERIFIER_FEE.toString(),
        bondsReturned: CLAIM_BOND.toString(),
        bondsForfeited: "0",
      },
    );
    assert.equal(settlement.executor, agentAddress);
    assert.equal(settlement.verifierFee.paid, VERIFIER_FEE.toString());
    assert.equal(read.indexed?.latestSubmission?.resultHash, submitted.resultHash);
    assert.equal(read.indexed?.latestSubmission?.decision, "Approved");
    assert.equal(read.indexed?.figures.checkpointCount, 1);
    const kinds = settlement.payments.map((payment) => payment.kind).sort();
    assert.deepEqual(kinds, [
      "ClaimBondLocked",
      "ClaimBondReturned",
      "EscrowDeposit",
      "ExecutorPayout",
      "ProtocolFee",
      "VerifierFee",
      "VerifierFeeForwarded",
    ]);
    const { task: attested } = await journey.graphql(
      `query ($id: ID!) { task(id: $id) { verificationMethod attestations { signer { id } approved evidenceHash } } }`,
      { id: taskId.toString() },
    );
    assert.deepEqual(attested, {
      verificationMethod: "Attestation",
      attestations: [
        {
          signer: { id: serviceAddress.toLowerCase() },
          approved: true,
          evidenceHash: record.attestation.signedAttestation.evidenceHash.toLowerCase(),
        },
      ],
    });

    // The poster rates the agent through the API's lifecycle route.
    const rating = await api.updateTaskState(taskId, {
      transition: "rate",
      from: journey.address("poster"),
      params: { rating: 5 },
    });
    await journey.sendPrepared("poster", rating.transactions);

    // Reputation: one typical task settled in full takes the score from the prior's 5,000 to 6,250 (docs/subgraph.md),
    // and the chain, the graph node and the API agree on every record.
    const reputation = await assertReputationAgrees(journey, agentAddress);
    assert.equal(reputation.asExecutor.scoreBps, 6_250);
    assert.deepEqual(reputation.asExecutor.record, {
      completed: 1,
      expired: 0,
      rejected: 0,
      disputesWon: 0,
      disputesLost: 0,
      ratingSum: 5,
      ratingCount: 1,
    });
    assert.equal(reputation.asExecutor.rating.average, "5");
    const posterReputation = await assertReputationAgrees(journey, journey.address("poster"));
    assert.deepEqual(posterReputation.asPoster.record, {
      posted: 1,
      settled: 1,
      cancelled: 0,
      expired: 0,
      ratingSum: 0,
      ratingCount: 0,
    });
    const history = await api.getReputationHistory(agentAddress);
    const completed = history.items.find((event) => event.kind === "Completed");
    assert.ok(completed, JSON.stringify(history.items));
    assert.equal(completed.scoreBpsBefore, 5_000);
    assert.equal(completed.scoreBpsAfter, 6_250);
    const leaderboard = await api.getLeaderboard({ role: "executor", kind: "Agent" });
    assert.equal(leaderboard.items[0]?.account, agentAddress);

    // The books: the escrow went to the agent (its bond back), the verifier and the fees; the fees to their recipient.
    await sweepFees(journey, ETH, fee);
    await books.assertDeltas({
      poster: -(REWARD + VERIFIER_FEE),
      agent: REWARD - fee,
      verificationService: VERIFIER_FEE,
      anyone: 0n,
      feeRecipient: fee,
      market: 0n,
      attestationModule: 0n,
    });
  });
});
