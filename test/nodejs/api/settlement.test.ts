// The Settlement API against one real stack: POST /escrow funds a stored document's task (with an approval, or with a
// permit), GET /escrow/{id}/release says when an escrow can be released and prepares the release when it can,
// POST /settle prepares what settles a task in its live state (an approval, a release after a silent review window,
// the refund of an expired task, each milestone in turn), and GET /settle/{id} reads the settlement and its payment
// ledger from the indexer. Every prepared transaction is sent with a dev wallet and checked on the chain.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { erc20Abi, keccak256, parseAbi, stringToHex, type Hex } from "viem";

import { TASK_DOCUMENT_VERSION, type TaskDocument } from "../../../src/documents/index.ts";
import { taskMarketAbi } from "../../../src/protocol/abis.ts";
import { TaskStatus } from "../../../src/protocol/terms.ts";
import { startStack, type Stack } from "./helpers/stack.ts";
import { DAY, assertInvalidRequest, createdTaskId, json, writeHelpers } from "./helpers/writes.ts";

const REWARD = 1_000_000_000_000_000_000n;
const BOND = 10_000_000_000_000_000n;
const DEV_TOKEN_ABI = parseAbi([
  "function nonces(address owner) view returns (uint256)",
  "function name() view returns (string)",
]);
const RESULT = { resultHash: keccak256(stringToHex("labels.csv")), resultURI: "ipfs://labels" };

let stack: Stack;
let chainNow: number;
const { address, sendAll, sign, postTask, move, registerExecutor, mintDevToken, statusOf, increaseTime } = writeHelpers(
  () => stack,
);

function taskDocument(options: { token?: string; claimDeadline?: number; milestones?: number[] } = {}): TaskDocument {
  return {
    version: TASK_DOCUMENT_VERSION,
    objective: `Label product photos (${Math.random().toString(36).slice(2)}).`,
    input_constraints: { schema: { type: "object" } },
    execution_requirements: {
      executor_kind: "human",
      max_duration_seconds: 5 * DAY,
      claim_deadline: new Date((options.claimDeadline ?? chainNow + 60 * DAY) * 1000)
        .toISOString()
        .replace(".000Z", "Z"),
      required_capabilities: ["skill:image-labelling"],
    },
    verification_criteria: { method: "review" },
    compensation: {
      token: options.token ?? "ETH",
      reward: REWARD.toString(),
      claim_bond: BOND.toString(),
      ...(options.milestones
        ? {
            milestones: options.milestones.map((share, index) => ({
              share_bps: share,
              deliverable: `Part ${index + 1}`,
            })),
          }
        : {}),
    },
    dependencies: [],
    metadata: { category: "data/labelling" },
  };
}

async function settle(body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
  return stack.request("POST", "/settle", body, headers);
}

describe("Settlement API", () => {
  before(async () => {
    stack = await startStack();
    chainNow = Number((await stack.publicClient.getBlock()).timestamp);
    await mintDevToken("poster");
    await registerExecutor("human", "human", ["skill:image-labelling"]);
  });

  after(async () => {
    await stack?.stop();
  });

  describe("POST /escrow", () => {
    it("prepares the same create-and-fund transactions for a stored document from the terms POST /tasks returned", async () => {
      const posted = await json(
        await stack.request("POST", "/tasks", {
          document: taskDocument(),
          terms: { poster: address("poster"), reviewWindow: DAY },
        }),
      );
      const response = await stack.request("POST", "/escrow", {
        documentHash: posted.documentHash,
        terms: posted.terms,
      });
      const body = await json(response);
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.deepEqual(body.terms, posted.terms);
      assert.deepEqual(body.transactions, posted.transactions);
      assert.equal(body.documentURI, posted.documentURI);
      const receipt = await sendAll("poster", body.transactions);
      assert.equal(await statusOf(createdTaskId(receipt)), TaskStatus.Posted);
    });

    it("funds an ERC-20 escrow with a permit in one transaction", async () => {
      const token = stack.deployment.contracts.devToken!.address;
      const market = stack.deployment.contracts.taskMarket.address;
      const posted = await json(
        await stack.request("POST", "/tasks", {
          document: taskDocument({ token }),
          terms: { poster: address("poster"), reviewWindow: DAY },
        }),
      );
      const [nonce, name] = await Promise.all([
        stack.publicClient.readContract({
          address: token,
          abi: DEV_TOKEN_ABI,
          functionName: "nonces",
          args: [address("poster")],
        }),
        stack.publicClient.readContract({ address: token, abi: DEV_TOKEN_ABI, functionName: "name" }),
      ]);
      const deadline = BigInt(chainNow + DAY);
      const signature = await stack.wallets.poster.signTypedData({
        account: stack.wallets.poster.account,
        domain: { name, version: "1", chainId: stack.chain.chainId, verifyingContract: token },
        types: {
          Permit: [
            { name: "owner", type: "address" },
            { name: "spender", type: "address" },
            { name: "value", type: "uint256" },
            { name: "nonce", type: "uint256" },
            { name: "deadline", type: "uint256" },
          ],
        },
        primaryType: "Permit",
        message: { owner: address("poster"), spender: market, value: REWARD, nonce, deadline },
      });
      const response = await stack.request("POST", "/escrow", {
        documentHash: posted.documentHash,
        terms: posted.terms,
        permit: { deadline: deadline.toString(), signature },
      });
      const body = await json(response);
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.equal(body.transactions.length, 1);
      const balance = () =>
        stack.publicClient.readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [market] });
      const before = await balance();
      await sendAll("poster", body.transactions);
      assert.equal((await balance()) - before, REWARD);
    });

    it("answers 404 for a document not stored here and terms_mismatch for terms the document contradicts", async () => {
      const unknown = await stack.request("POST", "/escrow", {
        documentHash: keccak256(stringToHex("nothing")),
        terms: { poster: address("poster"), reviewWindow: DAY },
      });
      assert.equal(unknown.status, 404);
      const posted = await json(
        await stack.request("POST", "/tasks", {
          document: taskDocument(),
          terms: { poster: address("poster"), reviewWindow: DAY },
        }),
      );
      const mismatch = await stack.request("POST", "/escrow", {
        documentHash: posted.documentHash,
        terms: { ...posted.terms, reward: "1" },
      });
      const problem = await json(mismatch);
      assert.equal(mismatch.status, 400);
      assert.equal(problem.code, "terms_mismatch");
      assert.equal(problem.field, "terms.reward");
      const badBody = await stack.request("POST", "/escrow", { documentHash: "0x12", terms: posted.terms });
      assert.equal(badBody.status, 400);
    });
  });

  describe("POST /settle, GET /escrow/{id}/release and GET /settle/{id}", () => {
    let approved: bigint;
    let released: bigint;
    let milestones: bigint;
    let expiring: bigint;
    let posted: bigint;

    before(async () => {
      approved = (await postTask({ document: taskDocument() })).taskId;
      released = (
        await postTask({
          document: { ...taskDocument(), verification_criteria: { method: "optimistic" } },
          verification: {
            method: "optimistic",
            config: { arbitrator: stack.deployment.contracts.panelArbitrator.address, challengeBond: "1" },
          },
        })
      ).taskId;
      milestones = (await postTask({ document: taskDocument({ milestones: [4000, 6000] }) })).taskId;
      expiring = (await postTask({ document: taskDocument({ claimDeadline: chainNow + DAY }) })).taskId;
      posted = (await postTask({ document: taskDocument() })).taskId;
      for (const taskId of [approved, released, milestones]) {
        await move(taskId, "human", { transition: "claim" });
        await move(taskId, "human", { transition: "submit", params: RESULT });
      }
    });

    it("prepares the poster's approval of a submission under review, and says when anyone could release it", async () => {
      const outlook = await json(await stack.request("GET", `/escrow/${approved}/release`));
      assert.equal(outlook.currentState, "Submitted");
      assert.equal(outlook.releasable, false);
      assert.equal(outlook.outcome, "executor-payout");
      assert.equal(outlook.decidedBy, address("poster"));
      const state = await stack.publicClient.readContract({
        address: stack.deployment.contracts.taskMarket.address,
        abi: taskMarketAbi,
        functionName: "stateOf",
        args: [approved],
      });
      assert.equal(outlook.releasableAt, Number(state.reviewDeadline) + 1);
      assert.deepEqual(outlook.transactions, []);

      const forbidden = await settle({ taskId: approved.toString(), from: address("other") });
      assert.equal(forbidden.status, 403);

      const response = await settle({ taskId: approved.toString() });
      const body = await json(response);
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.equal(body.action, "approve");
      assert.equal(body.currentState, "Submitted");
      assert.equal(body.transactions[0].from, address("poster"));
      await stack.indexed(await sendAll("poster", body.transactions));
      assert.equal(await statusOf(approved), TaskStatus.Settled);

      const again = await json(await settle({ taskId: approved.toString() }));
      assert.equal(again.code, "invalid_transition");
      assert.equal(again.currentState, "Settled");
    });

    it("reads the settlement and its payment ledger from the indexer", async () => {
      const response = await stack.request("GET", `/settle/${approved}`);
      const body = await json(response);
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.equal(body.status, "Settled");
      assert.equal(body.executor, address("human"));
      assert.equal(body.escrowRemaining, "0");
      assert.equal(body.paidToExecutor, ((REWARD * 99n) / 100n).toString());
      assert.equal(body.protocolFees, (REWARD / 100n).toString());
      assert.equal(body.refunded, "0");
      assert.deepEqual(body.claimBond, { amount: BOND.toString(), forfeited: "0", returned: BOND.toString() });
      const kinds = body.payments.map((payment: { kind: string }) => payment.kind);
      for (const kind of ["EscrowDeposit", "ClaimBondLocked", "ExecutorPayout", "ProtocolFee", "ClaimBondReturned"]) {
        assert.ok(kinds.includes(kind), `${kind} in ${kinds.join(", ")}`);
      }
      const payout = body.payments.find((payment: { kind: string }) => payment.kind === "ExecutorPayout");
      assert.equal(payout.to, address("human"));
      assert.equal(payout.amount, body.paidToExecutor);
      assert.equal(typeof body.block.indexed.number, "number");

      assert.equal((await stack.request("GET", "/settle/987654")).status, 404);
      assert.equal((await stack.request("GET", "/settle/abc")).status, 400);
    });

    it("settles each milestone in turn with the poster's approval", async () => {
      const first = await json(await settle({ taskId: milestones.toString() }));
      assert.equal(first.action, "approve");
      assert.match(first.transactions[0].description, /milestone 1 of 2/);
      await stack.indexed(await sendAll("poster", first.transactions));
      assert.equal(await statusOf(milestones), TaskStatus.InProgress);

      const between = await json(await settle({ taskId: milestones.toString() }));
      assert.equal(between.code, "invalid_transition");
      assert.equal(between.currentState, "InProgress");

      await move(milestones, "human", { transition: "submit", params: RESULT });
      const second = await json(await settle({ taskId: milestones.toString() }));
      assert.match(second.transactions[0].description, /milestone 2 of 2/);
      await stack.indexed(await sendAll("poster", second.transactions));
      assert.equal(await statusOf(milestones), TaskStatus.Settled);

      const settlement = await json(await stack.request("GET", `/settle/${milestones}`));
      assert.deepEqual(settlement.milestones, { count: 2, settled: 2 });
      assert.equal(settlement.paidToExecutor, ((REWARD * 99n) / 100n).toString());
    });

    it("sends a module-verified submission to its module until the review window ends, then releases it", async () => {
      const early = await json(await settle({ taskId: released.toString() }));
      assert.equal(early.code, "invalid_transition");
      assert.equal(early.currentState, "Submitted");
      assert.match(early.detail, /optimisticModule/);
      const unclaimed = await json(await settle({ taskId: posted.toString() }));
      assert.equal(unclaimed.currentState, "Posted");

      await increaseTime(2 * DAY);

      const outlook = await json(await stack.request("GET", `/escrow/${released}/release`));
      assert.equal(outlook.currentState, "Verified");
      assert.equal(outlook.releasable, true);
      assert.equal(outlook.releasableBy, "anyone");
      assert.equal(outlook.executorShareBps, 10_000);
      assert.equal(outlook.transactions.length, 1);
      assert.equal(outlook.transactions[0].from, undefined);

      const response = await settle({ taskId: released.toString() });
      const body = await json(response);
      assert.equal(body.action, "release");
      assert.deepEqual(body.transactions, outlook.transactions);
      // Anyone may release: a stranger sends it.
      await stack.indexed(await sendAll("other", body.transactions));
      assert.equal(await statusOf(released), TaskStatus.Settled);
    });

    it("refunds an expired task to its poster once, and relays a signed refund with a relay key", async () => {
      const outlook = await json(await stack.request("GET", `/escrow/${expiring}/release`));
      assert.equal(outlook.currentState, "Expired");
      assert.equal(outlook.outcome, "poster-refund");
      assert.equal(outlook.releasable, true);

      const body = await json(await settle({ taskId: expiring.toString() }));
      assert.equal(body.action, "refund-expired");
      const signedTransaction = await sign("other", body.transactions[0]);
      assert.equal((await settle({ signedTransaction })).status, 401);
      const { key } = await stack.services.apiKeys.create({ name: "settlement relay", scopes: ["relay"] });
      const posterBefore = await stack.publicClient.getBalance({ address: address("poster") });
      const relayed = await settle({ signedTransaction }, { "x-api-key": key });
      const relayedBody = await json(relayed);
      assert.equal(relayed.status, 202, JSON.stringify(relayedBody));
      assert.equal(relayedBody.functionName, "refundExpired");
      const receipt = await stack.publicClient.waitForTransactionReceipt({ hash: relayedBody.transactionHash as Hex });
      await stack.indexed(receipt);
      assert.equal((await stack.publicClient.getBalance({ address: address("poster") })) - posterBefore, REWARD);

      const again = await json(await settle({ taskId: expiring.toString() }));
      assert.equal(again.code, "invalid_transition");
      assert.equal(again.currentState, "Expired");
      const closed = await json(await stack.request("GET", `/escrow/${expiring}/release`));
      assert.equal(closed.releasable, false);
      assert.equal(closed.outcome, null);

      const settlement = await json(await stack.request("GET", `/settle/${expiring}`));
      assert.equal(settlement.status, "Expired");
      assert.equal(settlement.refunded, REWARD.toString());
      assert.ok(settlement.payments.some((payment: { kind: string }) => payment.kind === "ExpiryRefund"));
    });

    it("answers 400 for bad bodies and 404 for unknown tasks", async () => {
      const bodies: [unknown, string][] = [
        [{}, "json.taskId"],
        [{ taskId: "x" }, "json.taskId"],
        [{ taskId: "1", from: "0x1" }, "json.from"],
        [{ taskId: "1", signedTransaction: "0x00" }, "json.taskId"],
        [{ taskId: "1", tip: "1" }, "json"],
      ];
      for (const [body, path] of bodies) {
        await assertInvalidRequest(settle(body as Record<string, unknown>), path, body);
      }
      assert.equal((await settle({ taskId: "999999" })).status, 404);
      assert.equal((await stack.request("GET", "/escrow/999999/release")).status, 404);
    });
  });
});
