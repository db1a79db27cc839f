// The Agent API's write routes against one real stack: POST /agents prepares (or relays) an executor's registration,
// POST /agents/{id}/claim checks a claim live — the task's state, the executor's registration, kind and capabilities,
// conflicts of interest, assignment modules — and prepares it with its bond. Every prepared transaction is sent with a
// dev wallet and its effect read back from the chain.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { erc20Abi, keccak256, stringToHex, zeroAddress, type Address } from "viem";

import { TASK_DOCUMENT_VERSION, type TaskDocument } from "../../../src/documents/index.ts";
import { executorRegistryAbi } from "../../../src/protocol/abis.ts";
import { ExecutorKind, TaskStatus } from "../../../src/protocol/terms.ts";
import type { PreparedTransaction } from "../../../api/src/schemas.ts";
import { startStack, type Stack } from "./helpers/stack.ts";
import { DAY, assertInvalidRequest, json, writeHelpers } from "./helpers/writes.ts";

let stack: Stack;
let chainNow: number;
let relayKey: string;
const { address, sendAll, sign, postTask, mintDevToken, statusOf, increaseTime } = writeHelpers(() => stack);

function taskDocument(
  options: { kind?: "human" | "agent" | "any"; token?: string; capabilities?: string[]; claimDeadline?: number } = {},
): TaskDocument {
  return {
    version: TASK_DOCUMENT_VERSION,
    objective: "Label 500 product photos with their category.",
    input_constraints: { schema: { type: "object" } },
    execution_requirements: {
      executor_kind: options.kind ?? "any",
      max_duration_seconds: DAY,
      claim_deadline: new Date((options.claimDeadline ?? chainNow + 30 * DAY) * 1000)
        .toISOString()
        .replace(".000Z", "Z"),
      required_capabilities: options.capabilities ?? ["skill:image-labelling"],
    },
    verification_criteria: { method: "review" },
    compensation: { token: options.token ?? "ETH", reward: "500000000000000000", claim_bond: "20000000000000000" },
    dependencies: [],
    metadata: { category: "data/labelling" },
  };
}

function claim(executor: Address, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return stack.request("POST", `/agents/${executor}/claim`, body, headers);
}

describe("Agent API writes", () => {
  before(async () => {
    stack = await startStack();
    chainNow = Number((await stack.publicClient.getBlock()).timestamp);
    relayKey = (await stack.services.apiKeys.create({ name: "agent-writes relay", scopes: ["relay"] })).key;
    for (const role of ["poster", "agent"] as const) await mintDevToken(role);
  });

  after(async () => {
    await stack?.stop();
  });

  describe("POST /agents", () => {
    it("prepares a human's registration with its capability ids in ascending order", async () => {
      const names = ["skill:image-labelling", "lang:de", "lang:en"];
      const response = await stack.request("POST", "/agents", {
        executor: address("human"),
        kind: "human",
        capabilities: names,
        metadataURI: "ipfs://profile-human",
      });
      const body = await json(response);
      assert.equal(response.status, 200, JSON.stringify(body));
      const ids = names.map((name) => keccak256(stringToHex(name))).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
      assert.deepEqual(
        body.capabilities.map((capability: { id: string }) => capability.id),
        ids,
      );
      assert.equal(body.operator, zeroAddress);
      assert.equal(body.transactions.length, 1);
      assert.equal(body.transactions[0].to, stack.deployment.contracts.executorRegistry.address);
      assert.equal(body.transactions[0].from, address("human"));
      await stack.indexed(await sendAll("human", body.transactions));

      const registry = {
        address: stack.deployment.contracts.executorRegistry.address,
        abi: executorRegistryAbi,
      } as const;
      const profile = await stack.publicClient.readContract({
        ...registry,
        functionName: "profileOf",
        args: [address("human")],
      });
      assert.equal(profile.kind, ExecutorKind.Human);
      assert.equal(profile.active, true);
      const stored = await stack.publicClient.readContract({
        ...registry,
        functionName: "capabilitiesOf",
        args: [address("human")],
      });
      assert.deepEqual(stored, ids);
    });

    it("requires an agent's operator, then registers the agent with it", async () => {
      const withoutOperator = { executor: address("agent"), kind: "agent", capabilities: ["skill:image-labelling"] };
      await assertInvalidRequest(stack.request("POST", "/agents", withoutOperator), "json.operator", withoutOperator);

      const response = await stack.request("POST", "/agents", {
        executor: address("agent"),
        kind: "agent",
        operator: address("operator"),
        capabilities: ["skill:image-labelling"],
        metadataURI: "ipfs://profile-agent",
      });
      const body = await json(response);
      assert.equal(response.status, 200, JSON.stringify(body));
      await stack.indexed(await sendAll("agent", body.transactions));
      const operator = await stack.publicClient.readContract({
        address: stack.deployment.contracts.executorRegistry.address,
        abi: executorRegistryAbi,
        functionName: "operatorOf",
        args: [address("agent")],
      });
      assert.equal(operator, address("operator"));
    });

    it("answers 409 for an account already registered", async () => {
      const response = await stack.request("POST", "/agents", {
        executor: address("human"),
        kind: "human",
        capabilities: [],
      });
      const problem = await json(response);
      assert.equal(response.status, 409);
      assert.equal(problem.code, "conflict");
      assert.equal(problem.kind, "human");
    });

    it("answers 400 for bad bodies", async () => {
      const bodies: [unknown, string][] = [
        [{ executor: address("other"), kind: "robot", capabilities: [] }, "json.kind"],
        [{ executor: "0xnope", kind: "human", capabilities: [] }, "json.executor"],
        [{ executor: address("other"), kind: "human", capabilities: ["Not A Capability"] }, "json.capabilities.0"],
        [{ executor: address("other"), kind: "human", capabilities: ["lang:de", "lang:de"] }, "json.capabilities.1"],
        [{ executor: address("other"), kind: "human", capabilities: [], nickname: "x" }, "json"],
        [{ kind: "human", capabilities: [] }, "json.executor"],
        [{ executor: address("other"), kind: "human", capabilities: [], signedTransaction: "0x00" }, "json.executor"],
        [{ executor: address("other"), kind: "human", capabilities: Array(33).fill("lang:de") }, "json.capabilities"],
      ];
      for (const [body, path] of bodies) {
        await assertInvalidRequest(stack.request("POST", "/agents", body), path, body);
      }
    });

    it("relays a registration the executor signed, with a relay key only", async () => {
      const prepared = await json(
        await stack.request("POST", "/agents", {
          executor: address("other"),
          kind: "human",
          capabilities: ["lang:fr"],
          metadataURI: "ipfs://profile-other",
        }),
      );
      const signedTransaction = await sign("other", prepared.transactions[0]);
      const anonymous = await stack.request("POST", "/agents", { signedTransaction });
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.headers.get("www-authenticate")?.startsWith("Bearer"), true);

      const wrongCall = await stack.request(
        "POST",
        "/agents",
        { signedTransaction: await sign("other", { ...prepared.transactions[0], to: address("poster") }) },
        { "x-api-key": relayKey },
      );
      assert.equal(wrongCall.status, 400);

      const relayed = await stack.request(
        "POST",
        "/agents",
        { signedTransaction },
        { authorization: `Bearer ${relayKey}` },
      );
      const body = await json(relayed);
      assert.equal(relayed.status, 202, JSON.stringify(body));
      assert.equal(body.from, address("other"));
      assert.equal(body.functionName, "register");
      await stack.publicClient.waitForTransactionReceipt({ hash: body.transactionHash });
      const profile = await stack.publicClient.readContract({
        address: stack.deployment.contracts.executorRegistry.address,
        abi: executorRegistryAbi,
        functionName: "profileOf",
        args: [address("other")],
      });
      assert.equal(profile.kind, ExecutorKind.Human);

      const again = await stack.request("POST", "/agents", { signedTransaction }, { "x-api-key": relayKey });
      assert.equal(again.status, 409);
    });
  });

  describe("POST /agents/{id}/claim", () => {
    it("claims an ETH task with the bond as value", async () => {
      const { taskId } = await postTask({ document: taskDocument({ kind: "human" }) });
      const response = await claim(address("human"), { taskId: taskId.toString() });
      const body = await json(response);
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.equal(body.currentState, "Posted");
      assert.deepEqual(body.bond, { token: zeroAddress, amount: "20000000000000000" });
      assert.equal(body.transactions.length, 1);
      assert.equal(body.transactions[0].value, "20000000000000000");
      assert.equal(body.transactions[0].from, address("human"));
      await stack.indexed(await sendAll("human", body.transactions));
      assert.equal(await statusOf(taskId), TaskStatus.Claimed);

      const again = await claim(address("agent"), { taskId: taskId.toString() });
      const problem = await json(again);
      assert.equal(again.status, 409);
      assert.equal(problem.code, "invalid_transition");
      assert.equal(problem.currentState, "Claimed");
    });

    it("claims an ERC-20 task by approving the bond first", async () => {
      const token = stack.deployment.contracts.devToken!.address;
      const { taskId } = await postTask({ document: taskDocument({ kind: "agent", token }) });
      const response = await claim(address("agent"), { taskId: taskId.toString() });
      const body = await json(response);
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.equal(body.transactions.length, 2);
      const [approve, claimCall] = body.transactions as PreparedTransaction[];
      assert.equal(approve!.to, token);
      assert.equal(claimCall!.to, stack.deployment.contracts.taskMarket.address);
      assert.equal(claimCall!.value, "0");
      const market = stack.deployment.contracts.taskMarket.address;
      const balance = () =>
        stack.publicClient.readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [market] });
      const before = await balance();
      await sendAll("agent", body.transactions);
      assert.equal((await balance()) - before, 20000000000000000n);
      assert.equal(await statusOf(taskId), TaskStatus.Claimed);
    });

    it("answers 409 with the registry's reason when the executor may not claim", async () => {
      const { taskId: humanOnly } = await postTask({ document: taskDocument({ kind: "human" }) });
      const notRegistered = await json(await claim(address("verifier"), { taskId: humanOnly.toString() }));
      assert.equal(notRegistered.code, "conflict");
      assert.equal(notRegistered.eligibility, "NotRegistered");

      const kindMismatch = await json(await claim(address("agent"), { taskId: humanOnly.toString() }));
      assert.equal(kindMismatch.eligibility, "KindMismatch");
      assert.match(kindMismatch.detail, /human/);

      const { taskId: japanese } = await postTask({
        document: taskDocument({ capabilities: ["lang:ja", "skill:image-labelling"] }),
      });
      const missing = await claim(address("human"), { taskId: japanese.toString() });
      const problem = await json(missing);
      assert.equal(missing.status, 409);
      assert.equal(problem.eligibility, "MissingCapability");
      assert.deepEqual(problem.missingCapabilities, [keccak256(stringToHex("lang:ja"))]);
    });

    it("answers 403 when a party of the task, or an agent operated by one, claims it", async () => {
      const { taskId } = await postTask({ document: taskDocument() });
      const byPoster = await claim(address("poster"), { taskId: taskId.toString() });
      assert.equal(byPoster.status, 403);
      assert.equal((await json(byPoster)).code, "forbidden");

      const { taskId: postedByOperator } = await postTask({ document: taskDocument() }, "operator");
      const byAgent = await claim(address("agent"), { taskId: postedByOperator.toString() });
      const problem = await json(byAgent);
      assert.equal(byAgent.status, 403);
      assert.match(problem.detail, /operated by/);
    });

    it("names the assignment module of a task that is not claimable on the market", async () => {
      const { taskId } = await postTask({
        document: taskDocument(),
        assignment: {
          module: "applicationBoard",
          config: {
            requirements: { minCompleted: 0, maxDisputesLostBps: 10_000, dependencies: [] },
            applicationDeadline: 0,
          },
        },
      });
      const response = await claim(address("human"), { taskId: taskId.toString() });
      const problem = await json(response);
      assert.equal(response.status, 409);
      assert.equal(problem.assignmentModule, "applicationBoard");
      assert.equal(problem.assigner, stack.deployment.contracts.applicationBoard.address);
      assert.match(problem.detail, /submitApplication/);
    });

    it("answers 404 for an unknown task and 400 for bad bodies", async () => {
      const unknown = await claim(address("human"), { taskId: "424242" });
      assert.equal(unknown.status, 404);
      const bodies: [string, unknown, string][] = [
        [address("human"), {}, "json.taskId"],
        [address("human"), { taskId: 1 }, "json.taskId"],
        [address("human"), { taskId: "0" }, "json.taskId"],
        [address("human"), { taskId: "1", signedTransaction: "0x00" }, "json.signedTransaction"],
        [address("human"), { taskId: "1", bond: "0" }, "json"],
        ["not-an-address", { taskId: "1" }, "param.id"],
      ];
      for (const [executor, body, path] of bodies) {
        await assertInvalidRequest(stack.request("POST", `/agents/${executor}/claim`, body), path, body);
      }
    });

    it("relays a claim signed by the executor the route names", async () => {
      const { taskId } = await postTask({ document: taskDocument() });
      const prepared = await json(await claim(address("human"), { taskId: taskId.toString() }));
      const signedTransaction = await sign("human", prepared.transactions[0]);

      assert.equal((await claim(address("human"), { signedTransaction })).status, 401);
      const forSomeoneElse = await claim(address("agent"), { signedTransaction }, { "x-api-key": relayKey });
      assert.equal(forSomeoneElse.status, 403);

      const relayed = await claim(address("human"), { signedTransaction }, { "x-api-key": relayKey });
      const body = await json(relayed);
      assert.equal(relayed.status, 202, JSON.stringify(body));
      assert.equal(body.currentState, "Posted");
      const receipt = await stack.publicClient.waitForTransactionReceipt({ hash: body.transactionHash });
      assert.equal(receipt.status, "success");
      assert.equal(await statusOf(taskId), TaskStatus.Claimed);
    });

    it("answers 409 Expired once the claim deadline has passed", async () => {
      const { taskId } = await postTask({ document: taskDocument({ claimDeadline: chainNow + 3600 }) });
      await increaseTime(2 * 3600);
      const response = await claim(address("human"), { taskId: taskId.toString() });
      const problem = await json(response);
      assert.equal(response.status, 409);
      assert.equal(problem.currentState, "Expired");
      assert.deepEqual(problem.allowed, ["refund-expired"]);
    });
  });
});
