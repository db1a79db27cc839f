// Journey 2, against the started stack, in the dev ERC-20: nobody has to act for the escrow to move. A poster who
// never reviews a submission pays it in full once the review window ends, released by anyone; an executor who never
// delivers loses its claim at the execution deadline, the task opens again, another executor claims and finishes it,
// and the silent executor's bond goes to the poster. The chain, the graph node and the API say the same at each step.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { erc20Abi, parseAbi, parseEther, type Abi, type Address } from "viem";

import {
  TASK_DOCUMENT_VERSION,
  documentTimestamp,
  TaskMarketApiError,
  contentHash,
  type TaskDocument,
} from "../../../sdk/src/index.ts";
import {
  Books,
  DAY,
  assertReputationAgrees,
  assertTaskAgrees,
  chainStatus,
  feeOf,
  startJourney,
  sweepFees,
  type Actor,
  type Journey,
} from "./journey.ts";

const REWARD = parseEther("40");
const CLAIM_BOND = parseEther("4");
const REVIEW_WINDOW = 2 * DAY;
const EXECUTION_WINDOW = 3 * DAY;
const MINT_ABI = parseAbi(["function mint(address to, uint256 amount)"]);

function document(token: Address, objective: string, claimDeadline: number): TaskDocument {
  return {
    version: TASK_DOCUMENT_VERSION,
    objective,
    input_constraints: { schema: { type: "object" } },
    execution_requirements: {
      executor_kind: "any",
      max_duration_seconds: EXECUTION_WINDOW,
      claim_deadline: documentTimestamp(claimDeadline),
      required_capabilities: ["lang:fr"],
    },
    verification_criteria: { method: "review" },
    compensation: { token, reward: REWARD.toString(), claim_bond: CLAIM_BOND.toString() },
    dependencies: [],
    metadata: { category: "translation", tags: ["french"] },
  };
}

describe("Journey 2: a silent poster and a silent executor", () => {
  let journey: Journey;

  before(async () => {
    journey = await startJourney("journey 2");
  });

  after(async () => {
    await journey?.stop();
  });

  it("releases an unreviewed submission to its executor, and reopens a task whose executor went silent", async () => {
    const { api } = journey;
    const token = journey.contract("devToken");
    const executors: Actor[] = ["human", "agent", "secondHuman"];
    for (const actor of ["poster", ...executors] as const) {
      await journey.write(actor, {
        address: token,
        abi: MINT_ABI,
        functionName: "mint",
        args: [journey.address(actor), parseEther("100")],
      });
    }
    for (const actor of executors) {
      const registration = await api.registerAgent({
        executor: journey.address(actor),
        kind: actor === "agent" ? "agent" : "human",
        ...(actor === "agent" ? { operator: journey.address("operator") } : {}),
        capabilities: ["lang:fr"],
      });
      await journey.sendPrepared(actor, registration.transactions);
    }
    const books = await Books.open(journey, token, {
      poster: journey.address("poster"),
      human: journey.address("human"),
      agent: journey.address("agent"),
      secondHuman: journey.address("secondHuman"),
      anyone: journey.address("anyone"),
      feeRecipient: journey.address("feeRecipient"),
      market: journey.contract("taskMarket"),
    });

    // Two tasks in the dev token, posted through the API: the wallet approves the escrow, then creates each.
    const claimDeadline = (await journey.latestTimestamp()) + 30 * DAY;
    const post = async (objective: string) => {
      const posted = await api.postTask(
        journey.wallet("poster"),
        { document: document(token, objective, claimDeadline), reviewWindow: REVIEW_WINDOW },
        { publicClient: journey.publicClient },
      );
      assert.deepEqual(
        posted.sent.map((sent) => sent.transaction.to),
        [token, journey.contract("taskMarket")],
        "the approval of the escrow, then the creation",
      );
      return posted.taskId;
    };
    const unreviewed = await post("Translate the spring newsletter into French.");
    const abandoned = await post("Translate the onboarding checklist into French.");
    await journey.indexed();

    const claimThroughApi = async (actor: Actor, taskId: bigint) => {
      const claim = await api.claimTask(journey.address(actor), { taskId });
      assert.deepEqual(claim.bond, { token, amount: CLAIM_BOND.toString() });
      assert.equal(claim.transactions.length, 2, "the approval of the bond, then the claim");
      await journey.sendPrepared(actor, claim.transactions);
    };
    const submitThroughApi = async (actor: Actor, taskId: bigint, output: string) => {
      const submit = await api.updateTaskState(taskId, {
        transition: "submit",
        from: journey.address(actor),
        params: { resultHash: contentHash(output), resultURI: `ipfs://${actor}-${taskId}` },
      });
      await journey.sendPrepared(actor, submit.transactions);
    };

    // The human delivers the first task; the agent claims the second through the SDK and is never heard of again.
    await claimThroughApi("human", unreviewed);
    await submitThroughApi("human", unreviewed, "La lettre de printemps.");
    await journey.market("agent").claim(abandoned);
    await journey.indexed();
    const pending = await api.getEscrowRelease(unreviewed);
    const { reviewDeadline } = (await api.getTask(unreviewed)).chain;
    assert.equal(pending.releasable, false);
    assert.equal(pending.releasableAt, reviewDeadline + 1);
    assert.equal(pending.outcome, "executor-payout");

    // Both fall silent past the review window and the execution window.
    await journey.increaseTime(Math.max(REVIEW_WINDOW, EXECUTION_WINDOW) + 1);

    // The poster's silence: the submission reads Verified everywhere, and anyone may release it.
    await assertTaskAgrees(journey, unreviewed, "Verified");
    const release = await api.getEscrowRelease(unreviewed);
    assert.equal(release.releasable, true);
    assert.equal(release.releasableBy, "anyone");
    assert.equal(release.executorShareBps, 10_000);
    await journey.sendPrepared("anyone", release.transactions);
    const releasedTask = await assertTaskAgrees(journey, unreviewed, "Settled");
    const fee = feeOf(REWARD, releasedTask.read.indexed!.terms.feeBps);
    assert.equal(releasedTask.indexed.paidToExecutor, (REWARD - fee).toString());
    assert.equal(releasedTask.indexed.bondsReturned, CLAIM_BOND.toString());
    assert.equal(releasedTask.read.indexed?.latestSubmission?.decision, "Released");

    // The executor's silence: its claim lapsed, so the task is open again; the indexer still stores the claim (nothing
    // has been sent since) and the API derives the status the chain reads.
    assert.equal(await chainStatus(journey, abandoned), "Posted");
    const reopened = await api.getTask(abandoned);
    assert.equal(reopened.status, "Posted");
    assert.equal(reopened.chain.storedStatus, "Claimed");
    assert.equal(reopened.indexed?.state.status, "Claimed");
    const found = await api.searchTasks({ q: "onboarding checklist", state: "Posted" });
    assert.ok(
      found.items.some((item) => item.task.id === abandoned.toString()),
      "the reopened task is found again",
    );
    await assert.rejects(
      api.updateTaskState(abandoned, {
        transition: "submit",
        from: journey.address("agent"),
        params: { resultHash: contentHash("late"), resultURI: "ipfs://late" },
      }),
      (error: unknown) => {
        assert.ok(error instanceof TaskMarketApiError);
        assert.equal(error.status, 409);
        assert.equal(error.extensions.currentState, "Posted");
        return true;
      },
    );

    // Another executor claims it (the lapse is recorded then, the bond forfeited to the poster) and finishes it; the
    // poster approves through POST /settle.
    await claimThroughApi("secondHuman", abandoned);
    await submitThroughApi("secondHuman", abandoned, "La liste d'accueil.");
    const settle = await api.settle({ taskId: abandoned, from: journey.address("poster") });
    assert.equal(settle.action, "approve");
    await journey.sendPrepared("poster", settle.transactions);
    const finished = await assertTaskAgrees(journey, abandoned, "Settled");
    assert.deepEqual(
      {
        claimCount: finished.indexed.claimCount,
        lapseCount: finished.indexed.lapseCount,
        bondsForfeited: finished.indexed.bondsForfeited,
        bondsReturned: finished.indexed.bondsReturned,
        paidToExecutor: finished.indexed.paidToExecutor,
        executor: finished.indexed.executor.id,
      },
      {
        claimCount: 2,
        lapseCount: 1,
        bondsForfeited: CLAIM_BOND.toString(),
        bondsReturned: CLAIM_BOND.toString(),
        paidToExecutor: (REWARD - fee).toString(),
        executor: journey.address("secondHuman").toLowerCase(),
      },
    );
    const agentTasks = await api.getAgentTasks(journey.address("agent"));
    const lapsedClaim = agentTasks.items.find((item) => item.task.id === abandoned.toString());
    assert.ok(lapsedClaim);
    assert.equal(lapsedClaim.holding, false);
    assert.deepEqual(
      lapsedClaim.claims.map((claim) => [claim.lapsed, claim.lapsedAfterRejection, claim.bondForfeited]),
      [[true, false, CLAIM_BOND.toString()]],
    );

    // Reputation: a completed task each for the two humans, an expiry for the agent (one typical task each way).
    for (const [actor, record, scoreBps] of [
      ["human", { completed: 1, expired: 0 }, 6_250],
      ["secondHuman", { completed: 1, expired: 0 }, 6_250],
      ["agent", { completed: 0, expired: 1 }, 3_750],
    ] as const) {
      const reputation = await assertReputationAgrees(journey, journey.address(actor));
      assert.equal(reputation.asExecutor.record.completed, record.completed, actor);
      assert.equal(reputation.asExecutor.record.expired, record.expired, actor);
      assert.equal(reputation.asExecutor.scoreBps, scoreBps, actor);
    }
    const poster = await assertReputationAgrees(journey, journey.address("poster"));
    assert.equal(poster.asPoster.record.posted, 2);
    assert.equal(poster.asPoster.record.settled, 2);

    // The books, in the token: the market keeps nothing, the fees reach their recipient, the lost bond the poster.
    await sweepFees(journey, token, 2n * fee);
    await books.assertDeltas({
      poster: -2n * REWARD + CLAIM_BOND,
      human: REWARD - fee,
      agent: -CLAIM_BOND,
      secondHuman: REWARD - fee,
      anyone: 0n,
      feeRecipient: 2n * fee,
      market: 0n,
    });
    const marketBalance = await journey.publicClient.readContract({
      address: token,
      abi: erc20Abi as Abi,
      functionName: "balanceOf",
      args: [journey.contract("taskMarket")],
    });
    assert.equal(marketBalance, 0n, "the market holds none of the token");
  });
});
