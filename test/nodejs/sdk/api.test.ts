// The SDK's API client against the whole stack served over real HTTP (a local chain with the protocol, the graph node
// indexing it, the API on 127.0.0.1): an agent registers and claims through the API, posters post in one call (the API
// prepares, the wallet signs with `sendPrepared`), the verification service's attestation settles a task through the
// direct client, and the API's problems surface as `TaskMarketApiError`.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import {
  createPublicClient,
  http,
  keccak256,
  parseAbi,
  parseEventLogs,
  stringToHex,
  zeroAddress,
  type PublicClient,
} from "viem";

import {
  PROTOCOL_ABIS,
  TASK_DOCUMENT_VERSION,
  TaskMarket,
  TaskMarketApi,
  TaskMarketApiError,
  TaskMarketContractError,
  contentHash,
  sendPrepared,
  submittedOutput,
  type TaskDocument,
} from "../../../sdk/src/index.ts";
import { ACCOUNT_INDEX, devPrivateKey, startStack, type Stack } from "../api/helpers/stack.ts";

const ETH = 10n ** 18n;
const MINTABLE_ABI = parseAbi(["function mint(address to, uint256 amount)"]);
const METHOD_ID = keccak256(stringToHex("taskmarket/automated-checks/v1"));

function translationDocument(overrides: Partial<Pick<TaskDocument, "compensation" | "verification_criteria">> = {}) {
  return {
    version: TASK_DOCUMENT_VERSION,
    objective: "Translate the product announcement into German, keeping the product names in English.",
    input_constraints: {
      schema: {
        type: "object",
        required: ["text"],
        additionalProperties: false,
        properties: { text: { type: "string" } },
      },
    },
    execution_requirements: {
      executor_kind: "agent",
      max_duration_seconds: 4 * 3600,
      required_capabilities: ["lang:de", "skill:translation"],
    },
    verification_criteria: overrides.verification_criteria ?? { method: "review" },
    compensation: overrides.compensation ?? { token: "ETH", reward: (ETH / 2n).toString(), claim_bond: "1000" },
    dependencies: [],
    metadata: { category: "translation/marketing", tags: ["german", "launch"] },
  } satisfies TaskDocument;
}

describe("SDK: TaskMarketApi against the API served over HTTP", () => {
  let stack: Stack;
  let api: TaskMarketApi;
  let publicClient: PublicClient;
  let agent: TaskMarket;
  let poster: TaskMarket;

  before(async () => {
    stack = await startStack({
      serve: true,
      config: { verifierPrivateKey: devPrivateKey(ACCOUNT_INDEX.verifier) },
    });
    const { key } = await stack.services.apiKeys.create({ name: "sdk tests", scopes: ["verify"] });
    api = new TaskMarketApi({ baseUrl: stack.server!.url, apiKey: key });
    publicClient = createPublicClient({ transport: http(stack.chain.rpcUrl), pollingInterval: 50 }) as PublicClient;
    const market = (role: "agent" | "poster") =>
      new TaskMarket({
        publicClient,
        walletClient: stack.wallets[role],
        deployment: stack.deployment,
        pollingInterval: 50,
      });
    agent = market("agent");
    poster = market("poster");
  });

  after(async () => {
    await stack?.stop();
  });

  it("registers an agent through the API and reads its profile back", async () => {
    const registration = await api.registerAgent({
      executor: stack.wallets.agent.account.address,
      kind: "agent",
      operator: stack.wallets.operator.account.address,
      capabilities: ["skill:translation", "lang:de"],
      metadataURI: "ipfs://bafyagent",
    });
    assert.equal(registration.transactions.length, 1);
    const [sent] = await sendPrepared(stack.wallets.agent, registration.transactions, { publicClient });
    await stack.indexed(sent!.receipt);
    const profile = await api.getAgent(stack.wallets.agent.account.address);
    assert.equal(profile.executor?.kind, "Agent");
    assert.equal(profile.executor?.operator, stack.wallets.operator.account.address);

    // Registering twice is a conflict the API answers before anything is signed.
    await assert.rejects(
      api.registerAgent({
        executor: stack.wallets.agent.account.address,
        kind: "agent",
        operator: stack.wallets.operator.account.address,
        capabilities: ["lang:de"],
      }),
      (error: unknown) => error instanceof TaskMarketApiError && error.status === 409 && error.code === "conflict",
    );
  });

  it("posts an ETH task through the API in one call, reads it back, finds it and claims it", async () => {
    const document = translationDocument();
    const posted = await api.postTask(stack.wallets.poster, { document, reviewWindow: 24 * 3600 }, { publicClient });
    assert.equal(posted.sent.length, 1);
    assert.equal(posted.creation.terms.reviewWindow, 24 * 3600);
    assert.equal(posted.creation.documentHash, (await poster.getPostedTask(posted.taskId)).terms.documentHash);
    await stack.indexed(posted.sent.at(-1)!.receipt);

    const read = await api.getTask(posted.taskId);
    assert.equal(read.id, posted.taskId.toString());
    assert.equal(read.status, "Posted");
    assert.deepEqual(read.document, document);
    assert.equal(read.indexed?.reward, (ETH / 2n).toString());

    // The direct client agrees with the API on the terms, read from the chain's log alone.
    const terms = await agent.getTerms(posted.taskId);
    assert.equal(terms.reviewWindow, posted.creation.terms.reviewWindow);
    assert.equal(terms.capabilitiesHash, posted.creation.terms.capabilitiesHash);

    const found = await api.searchTasks({ q: "German announcement", state: "Posted", capability: "lang:de" });
    assert.ok(found.items.some((item) => item.task.id === posted.taskId.toString()));
    const eligible = await api.getAgentTasks(stack.wallets.agent.account.address, { eligible: true });
    assert.ok(eligible.items.some((item) => item.task.id === posted.taskId.toString()));

    const claim = await api.claimTask(stack.wallets.agent.account.address, { taskId: posted.taskId });
    assert.equal(claim.currentState, "Posted");
    const [claimed] = await sendPrepared(stack.wallets.agent, claim.transactions, { publicClient });
    assert.equal(claimed!.receipt.status, "success");
    assert.equal((await api.getTask(posted.taskId)).chain.status, "Claimed");

    // Claiming again: the API checks the live state first and answers 409 with it.
    await assert.rejects(api.claimTask(stack.wallets.agent.account.address, { taskId: posted.taskId }), (error) => {
      assert.ok(error instanceof TaskMarketApiError);
      assert.equal(error.status, 409);
      assert.equal(error.code, "invalid_transition");
      assert.equal(error.extensions.currentState, "Claimed");
      return true;
    });

    // The executor works through the API's lifecycle route, the poster settles through POST /settle.
    const start = await api.updateTaskState(posted.taskId, {
      transition: "start",
      from: stack.wallets.agent.account.address,
    });
    await sendPrepared(stack.wallets.agent, start.transactions, { publicClient });
    const output = { text: "Wir stellen vor: TaskMarket Cloud." };
    const submit = await api.updateTaskState(posted.taskId, {
      transition: "submit",
      from: stack.wallets.agent.account.address,
      params: { resultHash: contentHash(output), resultURI: "ipfs://bafytranslation" },
    });
    await sendPrepared(stack.wallets.agent, submit.transactions, { publicClient });
    const settle = await api.settle({ taskId: posted.taskId, from: stack.wallets.poster.account.address });
    assert.equal(settle.action, "approve");
    const [settled] = await sendPrepared(stack.wallets.poster, settle.transactions, { publicClient });
    assert.equal((await agent.getTask(posted.taskId)).statusName, "Settled");
    await stack.indexed(settled!.receipt);
    const settlement = await api.getSettlement(posted.taskId);
    assert.equal(settlement.status, "Settled");
    assert.equal(settlement.executor, stack.wallets.agent.account.address);
  });

  it("posts an ERC-20 task through the API: the wallet sends the approval, then the creation", async () => {
    const token = stack.deployment.contracts.devToken!.address;
    const mint = await stack.wallets.poster.writeContract({
      chain: null,
      account: stack.wallets.poster.account,
      address: token,
      abi: MINTABLE_ABI,
      functionName: "mint",
      args: [stack.wallets.poster.account.address, 1_000n * ETH],
    });
    await publicClient.waitForTransactionReceipt({ hash: mint });
    const document = translationDocument({
      compensation: { token, reward: (25n * ETH).toString(), claim_bond: ETH.toString() },
    });
    const descriptions: string[] = [];
    const posted = await api.postTask(
      stack.wallets.poster,
      { document },
      { publicClient, onSent: (sent) => descriptions.push(sent.transaction.description) },
    );
    assert.equal(posted.sent.length, 2);
    assert.match(descriptions[0]!, /^Allow the market/);
    assert.equal((await poster.getTask(posted.taskId)).statusName, "Posted");
    const terms = await poster.getTerms(posted.taskId);
    assert.equal(terms.token, token);
    assert.equal(terms.reward, 25n * ETH);
  });

  it("verifies a submission with the API's verifier and settles it with the attestation it signed", async () => {
    const operator = stack.wallets.operator;
    const module = stack.deployment.contracts.attestationModule.address;
    const call = async (wallet: typeof operator, functionName: string, args: readonly unknown[], value?: bigint) => {
      const hash = await wallet.writeContract({
        chain: null,
        account: wallet.account,
        address: module,
        abi: PROTOCOL_ABIS.attestationModule,
        functionName,
        args,
        value,
      } as never);
      return publicClient.waitForTransactionReceipt({ hash });
    };
    const created = await call(operator, "createVerifierSet", [operator.account.address]);
    const [set] = parseEventLogs({
      abi: PROTOCOL_ABIS.attestationModule,
      logs: created.logs,
      eventName: "VerifierSetCreated",
    });
    await call(operator, "addVerifier", [set!.args.setId, stack.wallets.verifier.account.address]);
    await call(stack.wallets.verifier, "bond", [set!.args.setId], ETH);

    const config = {
      verifierSetId: set!.args.setId,
      quorum: 1,
      scored: false,
      methodId: METHOD_ID,
      minBond: ETH / 10n,
      arbitrator: zeroAddress,
      contestWindow: 0,
      slashBps: 0,
    };
    const document = translationDocument({
      verification_criteria: {
        method: "attestation",
        output_schema: {
          type: "object",
          required: ["text"],
          additionalProperties: false,
          properties: { text: { type: "string", minLength: 1 } },
        },
      },
    });
    // Through the API, which stores the document the verification service checks against and prepares the
    // configuration's publishConfig before the creation, so that the direct client below finds it by the hash in the
    // terms.
    const posted = await api.postTask(
      stack.wallets.poster,
      { document, verification: { method: "attestation", config } },
      { publicClient },
    );
    assert.equal(posted.sent.length, 2);
    assert.equal(posted.creation.transactions[0]!.to, stack.deployment.contracts.attestationModule.address);
    assert.deepEqual(await agent.getVerifierConfig(posted.taskId), { method: "attestation", config });
    await agent.claim(posted.taskId);
    const output = { text: "Jetzt verfügbar." };
    const submitted = await agent.submit(posted.taskId, { content: output, uri: "ipfs://bafyoutput" });
    // The service reads the task's terms from the indexer: it answers 503 until the indexer has the task.
    await stack.indexed(submitted.receipt);

    const record = await api.verify({ taskId: posted.taskId, output: submittedOutput(output) });
    assert.equal(record.verdict.approved, true);
    assert.equal(record.submissionHash, contentHash(output));
    assert.ok(record.attestation !== null);
    assert.deepEqual(await api.getVerification(record.id as `0x${string}`), record);

    await poster.submitVerdict(posted.taskId, [record.attestation]);
    assert.equal((await poster.getTask(posted.taskId)).statusName, "Settled");
  });

  it("surfaces the API's problems and a wallet on the wrong chain before anything is signed", async () => {
    await assert.rejects(api.getTask(999_999n), (error: unknown) => {
      assert.ok(error instanceof TaskMarketApiError);
      assert.equal(error.status, 404);
      assert.equal(error.code, "not_found");
      assert.match(error.detail, /999999/);
      return true;
    });
    await assert.rejects(
      api.searchTasks({ first: 1_000 }),
      (error: unknown) =>
        error instanceof TaskMarketApiError && error.status === 400 && error.code === "invalid_request",
    );
    await assert.rejects(
      new TaskMarketApi({ baseUrl: stack.server!.url }).verify({
        taskId: 1n,
        output: submittedOutput({ text: "x" }),
      }),
      (error: unknown) => error instanceof TaskMarketApiError && error.status === 401,
    );
    const invalid = { ...translationDocument(), objective: "" };
    await assert.rejects(
      api.createTask({ document: invalid, terms: { poster: stack.wallets.poster.account.address, reviewWindow: 60 } }),
      (error: unknown) => {
        assert.ok(error instanceof TaskMarketApiError);
        assert.equal(error.code, "invalid_document");
        assert.ok(Array.isArray(error.extensions.errors));
        return true;
      },
    );

    const { transactions } = await api.createTask({
      document: translationDocument(),
      terms: {
        poster: stack.wallets.poster.account.address,
        reviewWindow: 60,
        claimDeadline: Math.floor(Date.now() / 1000) + 3600,
      },
    });
    const nonce = await publicClient.getTransactionCount({ address: stack.wallets.poster.account.address });
    await assert.rejects(
      sendPrepared(stack.wallets.poster, { ...transactions[0]!, chainId: 1 }, { publicClient }),
      /for chain 1, but the wallet is on chain 31337/,
    );
    await assert.rejects(
      sendPrepared(stack.wallets.other, transactions, { publicClient }),
      /must be sent by 0x[0-9a-fA-F]{40}, not by/,
    );
    // A call that would revert is refused with the contract's error before it is signed.
    await assert.rejects(
      sendPrepared(stack.wallets.poster, { ...transactions[0]!, value: "1" }, { publicClient }),
      (error: unknown) => {
        assert.ok(error instanceof TaskMarketContractError, String(error));
        assert.equal(error.errorName, "TaskMarket_IncorrectPayment");
        assert.equal(error.functionName, "createTask");
        return true;
      },
    );
    assert.equal(await publicClient.getTransactionCount({ address: stack.wallets.poster.account.address }), nonce);
  });
});
