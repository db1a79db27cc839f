// The Task API's write routes against one real stack (local chain, graph node, API in process): POST /tasks stores a
// document and prepares its create-and-fund transactions, PATCH /tasks/{id}/state prepares (or relays) each lifecycle
// transition after checking it against the live state. Every prepared transaction is signed with a dev wallet, sent,
// and its effect read back from the chain.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import {
  decodeFunctionData,
  erc20Abi,
  keccak256,
  parseEventLogs,
  stringToHex,
  zeroAddress,
  zeroHash,
  type Hex,
} from "viem";

import { commitTaskDocument, TASK_DOCUMENT_VERSION, type TaskDocument } from "../../../src/documents/index.ts";
import { PROTOCOL_ABIS, optimisticModuleAbi, taskMarketAbi } from "../../../src/protocol/abis.ts";
import { TaskStatus, packMilestoneShares, type TaskTerms } from "../../../src/protocol/terms.ts";
import type { PreparedTransaction } from "../../../api/src/schemas.ts";
import { startStack, type Stack } from "./helpers/stack.ts";
import { DAY, assertInvalidRequest, createdTaskId, json, writeHelpers, type PostedTask } from "./helpers/writes.ts";

const RESULT_HASH = keccak256(stringToHex("the translated leaflet"));

let stack: Stack;
let chainNow: number;
const { address, sendAll, sign, postTask, move, registerExecutor, mintDevToken, statusOf } = writeHelpers(() => stack);

/** A task document for a human translation paid in `token`, claimable until `claimDeadline`. */
function translationTask(
  overrides: { token?: string; claimDeadline?: number; milestones?: boolean } = {},
): TaskDocument {
  return {
    version: TASK_DOCUMENT_VERSION,
    objective: "Translate the attached product leaflet from German into British English.",
    input_constraints: { schema: { type: "object", properties: { leaflet: { type: "string" } } } },
    execution_requirements: {
      executor_kind: "human",
      max_duration_seconds: 2 * DAY,
      claim_deadline: new Date((overrides.claimDeadline ?? chainNow + 30 * DAY) * 1000)
        .toISOString()
        .replace(".000Z", "Z"),
      required_capabilities: ["lang:de", "skill:translation/de-en"],
    },
    verification_criteria: { method: "review" },
    compensation: {
      token: overrides.token ?? "ETH",
      reward: "1000000000000000000",
      claim_bond: "10000000000000000",
      ...(overrides.milestones
        ? {
            milestones: [
              { share_bps: 4000, deliverable: "The first half" },
              { share_bps: 6000, deliverable: "The second half" },
            ],
          }
        : {}),
    },
    dependencies: [],
    metadata: { category: "translation", tags: ["de-en", "leaflet"] },
  };
}

async function transition(taskId: bigint, body: Record<string, unknown>): Promise<Response> {
  return stack.request("PATCH", `/tasks/${taskId}/state`, body);
}

describe("Task API writes", () => {
  before(async () => {
    stack = await startStack();
    chainNow = Number((await stack.publicClient.getBlock()).timestamp);
    await registerExecutor("human", "human", ["lang:de", "skill:translation/de-en", "lang:fr"]);
  });

  after(async () => {
    await stack?.stop();
  });

  describe("POST /tasks", () => {
    it("stores the document, derives the terms from it and creates an ETH task with one funded createTask", async () => {
      const document = translationTask();
      const commitment = await commitTaskDocument(document);
      const response = await stack.request("POST", "/tasks", {
        document,
        terms: { poster: address("poster"), reviewWindow: 3 * DAY },
      });
      const body = await json(response);
      assert.equal(response.status, 201, JSON.stringify(body));
      assert.equal(body.documentHash, commitment.documentHash);
      assert.equal(body.documentURI, commitment.documentURI);
      assert.equal(body.pinned, false);
      const capabilityIds = ["lang:de", "skill:translation/de-en"]
        .map((name) => keccak256(stringToHex(name)))
        .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
      assert.deepEqual(
        body.capabilities.map((capability: { id: string }) => capability.id),
        capabilityIds,
      );
      assert.deepEqual(body.terms, {
        poster: address("poster"),
        token: zeroAddress,
        reward: "1000000000000000000",
        claimBond: "10000000000000000",
        claimDeadline: Math.floor(Date.parse(document.execution_requirements.claim_deadline!) / 1000),
        executionWindow: 2 * DAY,
        reviewWindow: 3 * DAY,
        feeBps: 100,
        executorKind: 1,
        verifier: zeroAddress,
        verifierFee: "0",
        verifierConfigHash: zeroHash,
        capabilitiesHash: keccak256(`0x${capabilityIds.map((id) => id.slice(2)).join("")}`),
        documentHash: commitment.documentHash,
        milestoneShares: zeroHash,
      });
      assert.deepEqual(body.escrow, { token: zeroAddress, amount: "1000000000000000000" });
      assert.equal(body.transactions.length, 1);
      const [create] = body.transactions as PreparedTransaction[];
      assert.equal(create!.to, stack.deployment.contracts.taskMarket.address);
      assert.equal(create!.value, "1000000000000000000");
      assert.equal(create!.from, address("poster"));
      assert.equal(create!.chainId, stack.chain.chainId);

      const stored = await stack.services.documents.get(commitment.documentHash);
      assert.deepEqual(stored?.document, document);

      const receipt = await stack.send("poster", create!);
      const [event] = parseEventLogs({ abi: taskMarketAbi, logs: receipt.logs, eventName: "TaskCreated" });
      assert.equal(event!.args.documentURI, commitment.documentURI);
      assert.deepEqual(event!.args.capabilities, capabilityIds);
      assert.equal(event!.args.terms.documentHash, commitment.documentHash);
      assert.equal(await statusOf(event!.args.taskId), TaskStatus.Posted);
    });

    it("prepares an ERC-20 task as approve(market, escrow) then createTask, and both go through", async () => {
      const token = stack.deployment.contracts.devToken!.address;
      await mintDevToken("poster");
      const document = translationTask({ token });
      document.compensation.verifier_fee = "50000";
      const response = await stack.request("POST", "/tasks", {
        document,
        terms: { poster: address("poster"), reviewWindow: DAY, verifier: address("verifier") },
      });
      const body = await json(response);
      assert.equal(response.status, 201, JSON.stringify(body));
      assert.equal(body.transactions.length, 2);
      const [approve, create] = body.transactions as PreparedTransaction[];
      assert.equal(approve!.to, token);
      assert.equal(approve!.value, "0");
      assert.equal(create!.value, "0");
      assert.deepEqual(body.escrow, { token, amount: "1000000000000050000" });
      assert.equal(body.verification.method, "custom");
      assert.equal(body.terms.verifier, address("verifier"));

      const market = stack.deployment.contracts.taskMarket.address;
      await stack.send("poster", approve!);
      const allowance = await stack.publicClient.readContract({
        address: token,
        abi: erc20Abi,
        functionName: "allowance",
        args: [address("poster"), market],
      });
      assert.equal(allowance, 1000000000000050000n);
      const before = await stack.publicClient.readContract({
        address: token,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [market],
      });
      await stack.send("poster", create!);
      const afterBalance = await stack.publicClient.readContract({
        address: token,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [market],
      });
      assert.equal(afterBalance - before, 1000000000000050000n);
    });

    it("prepares the module's publishConfig before the creation while the configuration is unpublished, and only then", async () => {
      const module = stack.deployment.contracts.optimisticModule.address;
      // A challenge bond no other test uses, so that this configuration starts out unpublished.
      const config = { arbitrator: stack.deployment.contracts.panelArbitrator.address, challengeBond: 4242n };
      const request = {
        document: { ...translationTask(), verification_criteria: { method: "optimistic" } },
        terms: { poster: address("poster"), reviewWindow: DAY },
        verification: { method: "optimistic", config: { ...config, challengeBond: config.challengeBond.toString() } },
      };
      const response = await stack.request("POST", "/tasks", request);
      const body = await json(response);
      assert.equal(response.status, 201, JSON.stringify(body));
      assert.equal(body.transactions.length, 2);
      const [publish, create] = body.transactions as PreparedTransaction[];
      assert.equal(publish!.to, module);
      assert.equal(publish!.from, address("poster"));
      assert.equal(publish!.value, "0");
      assert.deepEqual(decodeFunctionData({ abi: optimisticModuleAbi, data: publish!.data }), {
        functionName: "publishConfig",
        args: [config],
      });
      assert.equal(create!.to, stack.deployment.contracts.taskMarket.address);

      const receipt = await sendAll("poster", body.transactions);
      const [published] = await stack.publicClient.getContractEvents({
        address: module,
        abi: optimisticModuleAbi,
        eventName: "OptimisticConfigPublished",
        args: { configHash: body.terms.verifierConfigHash },
        fromBlock: 0n,
      });
      assert.deepEqual(published?.args.config, config);
      assert.equal(await statusOf(createdTaskId(receipt)), TaskStatus.Posted);

      // Published now: a second task under the same configuration is created without publishing it again.
      const again = await json(await stack.request("POST", "/tasks", request));
      assert.equal(again.terms.verifierConfigHash, body.terms.verifierConfigHash);
      assert.deepEqual(
        again.transactions.map((transaction: PreparedTransaction) => transaction.to),
        [stack.deployment.contracts.taskMarket.address],
      );
    });

    it("accepts terms that agree with the document and answers terms_mismatch naming the field that does not", async () => {
      const document = translationTask();
      const agreeing = await stack.request("POST", "/tasks", {
        document,
        terms: {
          poster: address("poster"),
          reviewWindow: DAY,
          token: zeroAddress,
          reward: "1000000000000000000",
          executorKind: 1,
          executionWindow: 2 * DAY,
          feeBps: 100,
        },
      });
      assert.equal(agreeing.status, 201);

      const cases: [Record<string, unknown>, string][] = [
        [{ reward: "2" }, "terms.reward"],
        [{ token: stack.deployment.contracts.devToken!.address }, "terms.token"],
        [{ claimBond: "0" }, "terms.claimBond"],
        [{ executorKind: 2 }, "terms.executorKind"],
        [{ executionWindow: 60 }, "terms.executionWindow"],
        [{ claimDeadline: chainNow + 99 * DAY }, "terms.claimDeadline"],
        [{ milestoneShares: packMilestoneShares([5000, 5000]) }, "terms.milestoneShares"],
        [{ capabilitiesHash: keccak256("0x") }, "terms.capabilitiesHash"],
        [{ documentHash: zeroHash }, "terms.documentHash"],
        [{ feeBps: 250 }, "terms.feeBps"],
      ];
      for (const [terms, field] of cases) {
        const response = await stack.request("POST", "/tasks", {
          document,
          terms: { poster: address("poster"), reviewWindow: DAY, ...terms },
        });
        const problem = await json(response);
        assert.equal(response.status, 400, `${field}: ${JSON.stringify(problem)}`);
        assert.equal(problem.code, "terms_mismatch");
        assert.equal(problem.field, field);
        assert.match(response.headers.get("content-type") ?? "", /application\/problem\+json/);
      }

      // The document's verification method and dependencies are terms too.
      const attested = { ...translationTask(), verification_criteria: { method: "attestation" as const } };
      const wrongVerifier = await json(
        await stack.request("POST", "/tasks", {
          document: attested,
          terms: { poster: address("poster"), reviewWindow: DAY },
        }),
      );
      assert.equal(wrongVerifier.code, "terms_mismatch");
      assert.equal(wrongVerifier.field, "terms.verifier");
      const dependent = { ...translationTask(), dependencies: [{ task_id: "1", relation: "requires" as const }] };
      const unenforced = await json(
        await stack.request("POST", "/tasks", {
          document: dependent,
          terms: { poster: address("poster"), reviewWindow: DAY },
        }),
      );
      assert.equal(unenforced.code, "terms_mismatch");
      assert.equal(unenforced.documentPath, "/dependencies");
      const otherDependency = await json(
        await stack.request("POST", "/tasks", {
          document: dependent,
          terms: { poster: address("poster"), reviewWindow: DAY },
          assignment: {
            module: "gatedClaim",
            config: { requirements: { minCompleted: 0, maxDisputesLostBps: 10_000, dependencies: ["2"] } },
          },
        }),
      );
      assert.equal(otherDependency.code, "terms_mismatch");
      assert.equal(otherDependency.field, "assignment.config.requirements.dependencies");
    });

    it("answers invalid_document with the validator's errors, and stores nothing", async () => {
      const document = translationTask() as unknown as Record<string, any>;
      document.objective = "";
      document.surprise = true;
      const response = await stack.request("POST", "/tasks", {
        document,
        terms: { poster: address("poster"), reviewWindow: DAY },
      });
      const problem = await json(response);
      assert.equal(response.status, 400);
      assert.equal(problem.code, "invalid_document");
      const paths = problem.errors.map((error: { path: string }) => error.path);
      assert.ok(paths.includes("/objective"), JSON.stringify(problem.errors));
      assert.ok(paths.includes("/surprise"), JSON.stringify(problem.errors));
      const { documentHash } = await commitTaskDocument(document as TaskDocument);
      assert.equal(await stack.services.documents.get(documentHash), undefined);

      for (const text of ['"a leaflet"', '{"__proto__": {"objective": "x"}}']) {
        const raw = await stack.app.request("/tasks", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: `{"document": ${text}, "terms": {"poster": "${address("poster")}", "reviewWindow": ${DAY}}}`,
        });
        assert.equal(raw.status, 400);
        assert.equal((await json(raw)).code, "invalid_document", text);
      }
    });

    it("answers 400 invalid_request for a bad body: missing fields, wrong types, unknown fields, not JSON", async () => {
      const document = translationTask();
      const bodies: [unknown, string][] = [
        [{ document }, "json.terms"],
        [{ document, terms: { poster: "0x123", reviewWindow: DAY } }, "json.terms.poster"],
        [{ document, terms: { poster: address("poster"), reviewWindow: "a day" } }, "json.terms.reviewWindow"],
        [{ document, terms: { poster: address("poster"), reviewWindow: DAY, reward: 5 } }, "json.terms.reward"],
        [{ document, terms: { poster: address("poster"), reviewWindow: DAY }, colour: "blue" }, "json"],
        [{ document, terms: { poster: address("poster"), reviewWindow: DAY, bonus: "1" } }, "json.terms"],
        [{ terms: { poster: address("poster"), reviewWindow: DAY } }, "json.document"],
        [
          { document, terms: { poster: address("poster"), reviewWindow: DAY }, verification: { method: "magic" } },
          "json.verification.method",
        ],
      ];
      for (const [body, path] of bodies) {
        await assertInvalidRequest(stack.request("POST", "/tasks", body), path, body);
      }
      const notJson = await stack.app.request("/tasks", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{not json",
      });
      assert.equal(notJson.status, 400);
    });

    it("refuses terms the market would refuse: a passed claim deadline (422), a verifier fee without a verifier", async () => {
      const past = await stack.request("POST", "/tasks", {
        document: translationTask({ claimDeadline: chainNow - DAY }),
        terms: { poster: address("poster"), reviewWindow: DAY },
      });
      assert.equal(past.status, 422);
      const document = translationTask();
      document.compensation.verifier_fee = "1";
      const feeWithoutVerifier = await stack.request("POST", "/tasks", {
        document,
        terms: { poster: address("poster"), reviewWindow: DAY },
      });
      assert.equal(feeWithoutVerifier.status, 400);
    });
  });

  describe("PATCH /tasks/{id}/state", () => {
    let task: PostedTask;

    before(async () => {
      task = await postTask({ document: translationTask(), terms: { poster: address("poster"), reviewWindow: DAY } });
    });

    it("takes a task through claim, start, checkpoint, submit and the poster's approval, then both sides rate", async () => {
      const claim = await move(task.taskId, "human", { transition: "claim" });
      assert.equal(claim.currentState, "Posted");
      assert.equal(claim.transactions.length, 1);
      assert.equal(claim.transactions[0].value, "10000000000000000");
      assert.equal(await statusOf(task.taskId), TaskStatus.Claimed);

      await move(task.taskId, "human", { transition: "start" });
      assert.equal(await statusOf(task.taskId), TaskStatus.InProgress);

      const checkpoint = await move(task.taskId, "human", {
        transition: "checkpoint",
        params: { percentComplete: 50, progressHash: zeroHash.replace(/0$/, "1"), progressURI: "ipfs://progress" },
      });
      const logs = await stack.publicClient.getContractEvents({
        address: stack.deployment.contracts.taskMarket.address,
        abi: taskMarketAbi,
        eventName: "CheckpointPosted",
        args: { taskId: task.taskId },
        fromBlock: 0n,
      });
      assert.equal(logs.length, 1);
      assert.equal(logs[0]!.args.percentComplete, 50);
      assert.equal(checkpoint.currentState, "InProgress");

      await move(task.taskId, "human", {
        transition: "submit",
        params: { resultHash: RESULT_HASH, resultURI: "ipfs://result" },
      });
      assert.equal(await statusOf(task.taskId), TaskStatus.Submitted);

      const balanceBefore = await stack.publicClient.getBalance({ address: address("human") });
      await move(task.taskId, "poster", { transition: "approve" });
      assert.equal(await statusOf(task.taskId), TaskStatus.Settled);
      const balanceAfter = await stack.publicClient.getBalance({ address: address("human") });
      // 1 ETH less the 1% fee, plus the bond back.
      assert.equal(balanceAfter - balanceBefore, 990000000000000000n + 10000000000000000n);

      await move(task.taskId, "poster", { transition: "rate", params: { rating: 5 } });
      await move(task.taskId, "human", { transition: "rate", params: { rating: 4 } });
      const again = await transition(task.taskId, {
        transition: "rate",
        from: address("human"),
        params: { rating: 3 },
      });
      assert.equal(again.status, 409);
    });

    it("answers 409 invalid_transition with the current state and what it allows", async () => {
      const fresh = await postTask({
        document: translationTask(),
        terms: { poster: address("poster"), reviewWindow: DAY },
      });
      const early = await transition(fresh.taskId, { transition: "approve", from: address("poster") });
      const problem = await json(early);
      assert.equal(early.status, 409);
      assert.equal(problem.code, "invalid_transition");
      assert.equal(problem.currentState, "Posted");
      assert.deepEqual(problem.allowed, ["claim", "cancel"]);

      await move(fresh.taskId, "human", { transition: "claim" });
      const twice = await json(await transition(fresh.taskId, { transition: "claim", from: address("other") }));
      assert.equal(twice.code, "invalid_transition");
      assert.equal(twice.currentState, "Claimed");
      assert.deepEqual(twice.allowed, ["start", "submit", "submit-verified", "consent-cancel"]);

      const beforeSubmission = await json(
        await transition(fresh.taskId, { transition: "approve", from: address("poster") }),
      );
      assert.equal(beforeSubmission.currentState, "Claimed");

      const settled = await json(await transition(task.taskId, { transition: "cancel", from: address("poster") }));
      assert.equal(settled.currentState, "Settled");
      assert.deepEqual(settled.allowed, ["rate"]);
    });

    it("answers 403 forbidden naming who may send the transition", async () => {
      const fresh = await postTask({
        document: translationTask(),
        terms: { poster: address("poster"), reviewWindow: DAY },
      });
      const cancelByOther = await transition(fresh.taskId, { transition: "cancel", from: address("other") });
      const problem = await json(cancelByOther);
      assert.equal(cancelByOther.status, 403);
      assert.equal(problem.code, "forbidden");
      assert.deepEqual(problem.allowedSenders, [address("poster")]);
      assert.match(problem.detail, new RegExp(address("poster")));

      const posterClaims = await transition(fresh.taskId, { transition: "claim", from: address("poster") });
      assert.equal(posterClaims.status, 403);

      await move(fresh.taskId, "human", { transition: "claim" });
      const startByPoster = await json(
        await transition(fresh.taskId, { transition: "start", from: address("poster") }),
      );
      assert.equal(startByPoster.code, "forbidden");
      assert.deepEqual(startByPoster.allowedSenders, [address("human")]);

      // The consent of both parties cancels the claimed task; the poster cannot consent twice.
      await move(fresh.taskId, "poster", { transition: "consent-cancel" });
      const twice = await transition(fresh.taskId, { transition: "consent-cancel", from: address("poster") });
      assert.equal(twice.status, 409);
      await move(fresh.taskId, "human", { transition: "consent-cancel" });
      assert.equal(await statusOf(fresh.taskId), TaskStatus.Cancelled);
    });

    it("lets only a delegated verifier decide, and sends the poster of a module-verified task to the module", async () => {
      const reviewed = await postTask({
        document: translationTask(),
        terms: { poster: address("poster"), reviewWindow: DAY },
        verification: { method: "reviewer", reviewer: address("verifier") },
      });
      await move(reviewed.taskId, "human", { transition: "claim" });
      await move(reviewed.taskId, "human", {
        transition: "submit",
        params: { resultHash: RESULT_HASH, resultURI: "ipfs://result" },
      });
      const byPoster = await json(
        await transition(reviewed.taskId, { transition: "approve", from: address("poster") }),
      );
      assert.equal(byPoster.code, "forbidden");
      assert.deepEqual(byPoster.allowedSenders, [address("verifier")]);
      await move(reviewed.taskId, "verifier", { transition: "reject", params: { reasonHash: RESULT_HASH } });
      assert.equal(await statusOf(reviewed.taskId), TaskStatus.InProgress);
      await move(reviewed.taskId, "human", {
        transition: "submit",
        params: { resultHash: RESULT_HASH, resultURI: "ipfs://result-2" },
      });
      await move(reviewed.taskId, "verifier", { transition: "resolve", params: { executorShareBps: 8000 } });
      assert.equal(await statusOf(reviewed.taskId), TaskStatus.Settled);

      const document = { ...translationTask(), verification_criteria: { method: "optimistic" as const } };
      const optimistic = await postTask({
        document,
        terms: { poster: address("poster"), reviewWindow: DAY },
        verification: {
          method: "optimistic",
          config: { arbitrator: stack.deployment.contracts.panelArbitrator.address, challengeBond: "1000" },
        },
      });
      const configHash = await stack.publicClient.readContract({
        address: stack.deployment.contracts.optimisticModule.address,
        abi: PROTOCOL_ABIS.optimisticModule,
        functionName: "configHash",
        args: [{ arbitrator: stack.deployment.contracts.panelArbitrator.address, challengeBond: 1000n }],
      });
      assert.equal(optimistic.terms.verifierConfigHash, configHash);
      await move(optimistic.taskId, "human", { transition: "claim" });
      await move(optimistic.taskId, "human", {
        transition: "submit",
        params: { resultHash: RESULT_HASH, resultURI: "ipfs://result" },
      });
      const posterApproves = await json(
        await transition(optimistic.taskId, { transition: "approve", from: address("poster") }),
      );
      assert.equal(posterApproves.code, "forbidden");
      assert.match(posterApproves.detail, /optimisticModule/);
      assert.deepEqual(posterApproves.allowedSenders, [stack.deployment.contracts.optimisticModule.address]);
    });

    it("says which module gives out a task with an assigner instead of preparing a claim", async () => {
      const gated = await postTask({
        document: translationTask(),
        terms: { poster: address("poster"), reviewWindow: DAY },
        assignment: {
          module: "gatedClaim",
          config: { requirements: { minCompleted: 0, maxDisputesLostBps: 10_000, dependencies: [] } },
        },
      });
      const gateHash = await stack.publicClient.readContract({
        address: stack.deployment.contracts.gatedClaim.address,
        abi: PROTOCOL_ABIS.gatedClaim,
        functionName: "configHash",
        args: [{ requirements: { minCompleted: 0, maxDisputesLostBps: 10_000, dependencies: [] } }],
      });
      const options = await stack.publicClient.readContract({
        address: stack.deployment.contracts.taskMarket.address,
        abi: taskMarketAbi,
        functionName: "optionsOf",
        args: [gated.taskId],
      });
      assert.equal(options.assigner, stack.deployment.contracts.gatedClaim.address);
      assert.equal(options.assignerConfigHash, gateHash);
      const claim = await transition(gated.taskId, { transition: "claim", from: address("human") });
      const problem = await json(claim);
      assert.equal(claim.status, 409);
      assert.equal(problem.code, "conflict");
      assert.equal(problem.assignmentModule, "gatedClaim");
      assert.match(problem.detail, /GatedClaim/);
    });

    it("answers 503 while the indexer has not seen a task the chain has, and 502 when its terms are wrong", async () => {
      const subgraph = stack.services.subgraph;
      const query = subgraph.query.bind(subgraph);
      const fresh = await postTask({
        document: translationTask(),
        terms: { poster: address("poster"), reviewWindow: DAY },
      });
      try {
        subgraph.query = (async (...args: Parameters<typeof query>) => {
          const answer = await query(...args);
          return { ...answer, data: { task: null } };
        }) as typeof query;
        const lagging = await transition(fresh.taskId, { transition: "claim", from: address("human") });
        const problem = await json(lagging);
        assert.equal(lagging.status, 503);
        assert.equal(problem.code, "unavailable");
        assert.match(problem.detail, /not indexed yet/);
        assert.equal(lagging.headers.get("retry-after"), "2");

        subgraph.query = (async (...args: Parameters<typeof query>) => {
          const answer = await query<{ task: Record<string, unknown> }>(...args);
          return { ...answer, data: { task: { ...answer.data.task, reward: "1" } } };
        }) as typeof query;
        const wrong = await transition(fresh.taskId, { transition: "claim", from: address("human") });
        assert.equal(wrong.status, 502);
        assert.equal((await json(wrong)).code, "upstream_failed");
      } finally {
        subgraph.query = query;
      }
      // Transitions that do not pass the terms need no indexer at all.
      const unknown = await transition(999_998n, { transition: "start", from: address("human") });
      assert.equal(unknown.status, 404);
    });

    it("describes every write route in the OpenAPI document", async () => {
      const document = await json(await stack.request("GET", "/openapi.json"));
      assert.ok(document.paths["/tasks"].post);
      assert.ok(document.paths["/tasks/{id}/state"].patch);
      assert.ok(document.paths["/agents"].post);
      assert.ok(document.paths["/agents/{id}/claim"].post);
      assert.ok(document.paths["/settle"].post);
      assert.ok(document.paths["/settle/{id}"].get);
      assert.ok(document.paths["/escrow"].post);
      assert.ok(document.paths["/escrow/{id}/release"].get);
      assert.match(document.paths["/tasks/{id}/state"].patch.description, /\| `consent-cancel` \|/);
    });

    it("answers 404 for an unknown task and 400 for bad bodies", async () => {
      const unknown = await transition(999_999n, { transition: "start", from: address("human") });
      assert.equal(unknown.status, 404);
      assert.equal((await json(unknown)).code, "not_found");

      const bodies: [unknown, string][] = [
        [{ transition: "teleport", from: address("human") }, "json.transition"],
        [{ transition: "start" }, "json.from"],
        [{ transition: "start", from: address("human"), params: { fast: true } }, "json.params"],
        [
          { transition: "checkpoint", from: address("human"), params: { percentComplete: 101 } },
          "json.params.percentComplete",
        ],
        [{ transition: "rate", from: address("human"), params: { rating: "5" } }, "json.params.rating"],
        [{ transition: "start", from: address("human"), extra: 1 }, "json"],
        [{}, "json.signedTransaction"],
      ];
      for (const [body, path] of bodies) {
        await assertInvalidRequest(transition(task.taskId, body as Record<string, unknown>), path, body);
      }
      const badId = await stack.request("PATCH", "/tasks/0/state", { transition: "start", from: address("human") });
      assert.equal(badId.status, 400);
    });

    it("relays a signed transition with a relay key, and refuses it without one (401) or for another task", async () => {
      const fresh = await postTask({
        document: translationTask(),
        terms: { poster: address("poster"), reviewWindow: DAY },
      });
      await move(fresh.taskId, "human", { transition: "claim" });
      const prepared = await json(await transition(fresh.taskId, { transition: "start", from: address("human") }));
      const signedTransaction = await sign("human", prepared.transactions[0]);

      const anonymous = await transition(fresh.taskId, { signedTransaction });
      assert.equal(anonymous.status, 401);
      assert.equal((await json(anonymous)).code, "unauthorized");

      const { key } = await stack.services.apiKeys.create({ name: "task-writes relay", scopes: ["relay"] });
      const { key: verifyKey } = await stack.services.apiKeys.create({
        name: "task-writes verify",
        scopes: ["verify"],
      });
      const wrongScope = await stack.request(
        "PATCH",
        `/tasks/${fresh.taskId}/state`,
        { signedTransaction },
        {
          "x-api-key": verifyKey,
        },
      );
      assert.equal(wrongScope.status, 403);
      const otherTask = await stack.request(
        "PATCH",
        `/tasks/${task.taskId}/state`,
        { signedTransaction },
        {
          "x-api-key": key,
        },
      );
      assert.equal(otherTask.status, 400);
      const garbage = await stack.request(
        "PATCH",
        `/tasks/${fresh.taskId}/state`,
        { signedTransaction: "0x1234" },
        {
          "x-api-key": key,
        },
      );
      assert.equal(garbage.status, 400);

      const relayed = await stack.request(
        "PATCH",
        `/tasks/${fresh.taskId}/state`,
        { signedTransaction },
        {
          "x-api-key": key,
        },
      );
      const body = await json(relayed);
      assert.equal(relayed.status, 202, JSON.stringify(body));
      assert.equal(body.from, address("human"));
      assert.equal(body.functionName, "start");
      const receipt = await stack.publicClient.waitForTransactionReceipt({ hash: body.transactionHash as Hex });
      assert.equal(receipt.status, "success");
      assert.equal(await statusOf(fresh.taskId), TaskStatus.InProgress);

      // The same bytes again: the task is InProgress now, so the relay refuses the start.
      const replayed = await stack.request(
        "PATCH",
        `/tasks/${fresh.taskId}/state`,
        { signedTransaction },
        {
          "x-api-key": key,
        },
      );
      assert.equal(replayed.status, 409);
      assert.equal((await json(replayed)).currentState, "InProgress");
    });
  });
});

export type { TaskTerms };
