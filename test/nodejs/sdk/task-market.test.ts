// The SDK's direct client end to end on a real local chain (`hardhat node` with the protocol deployed): agents post,
// claim, work on and settle ETH and ERC-20 tasks with their own wallets, nothing but the contracts in between. Terms
// come back from the `TaskCreated` log, events from the market and the modules, and reverts as named contract errors.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import {
  createPublicClient,
  createWalletClient,
  erc20Abi,
  bytesToHex,
  http,
  keccak256,
  parseAbi,
  parseEventLogs,
  stringToBytes,
  stringToHex,
  zeroAddress,
  zeroHash,
  type Account,
  type Address,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";

import { deployProtocol } from "../../../scripts/deploy-protocol.js";
import type { Deployment } from "../../../scripts/deployment.js";
import { DEV_MNEMONIC, startLocalChain, type LocalChain } from "../../../scripts/local-chain.js";
import {
  ExecutorKind,
  InvalidTaskDocumentError,
  NO_MILESTONES,
  PROTOCOL_ABIS,
  TASK_DOCUMENT_VERSION,
  TaskMarket,
  TaskMarketContractError,
  TaskNotFoundError,
  TaskStatus,
  TaskTermsError,
  attestationTypedData,
  capabilityId,
  capabilityIds,
  contentHash,
  moduleDomain,
  packMilestoneShares,
  verifierConfigHash,
  type TaskDocument,
  type TaskEvent,
} from "../../../sdk/src/index.ts";

/** Accounts the deployment leaves alone (0 deploys and owns, 1 takes fees, 17–19 are the arbiters). */
const ACCOUNT = { poster: 2, human: 3, agent: 4, operator: 5, verifier: 6, other: 7 } as const;
const MINTABLE_ABI = parseAbi(["function mint(address to, uint256 amount)"]);

const REWARD = 1_000_000_000_000_000_003n; // not a multiple of 10 000, so the fee rounds down
const BOND = 100_000_000_000_000_000n;
const TOKEN_REWARD = 5_000_000_000_000_000_000n;
const TOKEN_BOND = 250_000_000_000_000_000n;

function summaryDocument(overrides: { compensation?: TaskDocument["compensation"] } = {}): TaskDocument {
  return {
    version: TASK_DOCUMENT_VERSION,
    objective: "Summarize the article at the given URL in at most three sentences of plain English.",
    input_constraints: {
      schema: {
        type: "object",
        required: ["url"],
        additionalProperties: false,
        properties: { url: { type: "string" } },
      },
    },
    execution_requirements: {
      executor_kind: "agent",
      max_duration_seconds: 6 * 3600,
      required_capabilities: ["lang:en", "skill:summarization"],
    },
    verification_criteria: {
      method: "review",
      output_schema: {
        type: "object",
        required: ["summary"],
        additionalProperties: false,
        properties: { summary: { type: "string" } },
      },
    },
    compensation: overrides.compensation ?? { token: "ETH", reward: REWARD.toString(), claim_bond: BOND.toString() },
    dependencies: [],
    metadata: { category: "writing/summaries", tags: ["news"] },
  };
}

describe("SDK: TaskMarket directly against the contracts", () => {
  let chain: LocalChain;
  let deployment: Deployment;
  let publicClient: PublicClient;
  let wallets: Record<keyof typeof ACCOUNT, WalletClient & { account: Account }>;
  /** The poster's and the executing agent's clients. */
  let poster: TaskMarket;
  let agent: TaskMarket;
  let devToken: Address;
  let feeBps: number;

  before(async () => {
    chain = await startLocalChain();
    deployment = await deployProtocol(chain.rpcUrl);
    const transport = http(chain.rpcUrl);
    publicClient = createPublicClient({ transport, pollingInterval: 50 }) as PublicClient;
    wallets = Object.fromEntries(
      Object.entries(ACCOUNT).map(([role, addressIndex]) => [
        role,
        createWalletClient({ account: mnemonicToAccount(DEV_MNEMONIC, { addressIndex }), transport }),
      ]),
    ) as unknown as typeof wallets;
    const client = (role: keyof typeof ACCOUNT) =>
      new TaskMarket({ publicClient, walletClient: wallets[role], deployment, pollingInterval: 50 });
    poster = client("poster");
    agent = client("agent");
    devToken = deployment.contracts.devToken!.address;
    feeBps = Number(
      await publicClient.readContract({
        address: deployment.contracts.taskMarket.address,
        abi: PROTOCOL_ABIS.taskMarket,
        functionName: "protocolFeeBps",
      }),
    );
    for (const role of ["poster", "agent"] as const) {
      const hash = await wallets[role].writeContract({
        chain: null,
        account: wallets[role].account,
        address: devToken,
        abi: MINTABLE_ABI,
        functionName: "mint",
        args: [wallets[role].account.address, 1_000_000n * 10n ** 18n],
      });
      await publicClient.waitForTransactionReceipt({ hash });
    }
    await agent.registerExecutor({
      kind: "agent",
      operator: wallets.operator.account.address,
      capabilities: ["skill:summarization", "lang:en", "lang:de"],
      metadataURI: "ipfs://bafyagentprofile",
    });
  });

  after(async () => {
    await chain?.stop();
  });

  it("posts an ETH task from a document, and an executor claims, works, submits and is paid on approval", async () => {
    const document = summaryDocument();
    const posterBefore = await balance(wallets.poster.account.address);
    const posted = await poster.postTask({ document, reviewWindow: 2 * 24 * 3600 });
    let posterGas = gasOf(posted.receipt);

    // The terms say what the document says, and the capability ids are sorted as the market requires.
    assert.equal(posted.terms.poster, wallets.poster.account.address);
    assert.equal(posted.terms.token, zeroAddress);
    assert.equal(posted.terms.reward, REWARD);
    assert.equal(posted.terms.claimBond, BOND);
    assert.equal(posted.terms.executionWindow, 6 * 3600);
    assert.equal(posted.terms.reviewWindow, 2 * 24 * 3600);
    assert.equal(posted.terms.feeBps, feeBps);
    assert.equal(posted.terms.executorKind, ExecutorKind.Agent);
    assert.equal(posted.terms.verifier, zeroAddress);
    assert.equal(posted.terms.verifierConfigHash, zeroHash);
    assert.equal(posted.terms.milestoneShares, NO_MILESTONES);
    assert.equal(posted.terms.documentHash, posted.documentHash);
    assert.deepEqual(posted.capabilities, capabilityIds(["lang:en", "skill:summarization"]));
    assert.match(posted.documentURI, /^ipfs:\/\/bafkrei[a-z2-7]+$/);
    assert.equal(await balance(wallets.poster.account.address), posterBefore - REWARD - posterGas);

    // A client that did not post the task reads its terms back from the TaskCreated log alone.
    const reader = new TaskMarket({ publicClient, deployment });
    assert.deepEqual(await reader.getTerms(posted.taskId), posted.terms);
    const created = await reader.getPostedTask(posted.taskId);
    assert.deepEqual(created.capabilities, posted.capabilities);
    assert.equal(created.documentURI, posted.documentURI);
    assert.equal(created.transactionHash, posted.transactionHash);
    assert.equal((await reader.getTask(posted.taskId)).statusName, "Posted");
    assert.equal(await agent.eligibilityFor(posted.taskId), "Eligible");
    assert.equal(await reader.eligibilityFor(posted.taskId, wallets.other.account.address), "NotRegistered");

    const events: TaskEvent[] = [];
    const unwatch = reader.watchTask(posted.taskId, (event) => events.push(event), { pollingInterval: 50 });
    try {
      const agentAddress = wallets.agent.account.address;
      const agentBefore = await balance(agentAddress);
      const claimed = await agent.claim(posted.taskId);
      const started = await agent.start(posted.taskId);
      const checkpoint = await agent.checkpoint(posted.taskId, {
        percentComplete: 50,
        content: { done: ["read"], next: ["write"] },
        uri: "ipfs://bafyprogress",
      });
      assert.equal(checkpoint.progressHash, contentHash({ next: ["write"], done: ["read"] }));
      const output = {
        summary: "The article explains escrow for tasks. It covers verification. It ends on reputation.",
      };
      const submitted = await agent.submit(posted.taskId, { content: output, uri: "ipfs://bafyresult" });
      assert.equal(submitted.resultHash, contentHash(output));

      const underReview = await reader.getTask(posted.taskId);
      assert.equal(underReview.status, TaskStatus.Submitted);
      assert.equal(underReview.state.executor, agentAddress);
      assert.ok(underReview.state.reviewDeadline > 0);

      const approved = await poster.approve(posted.taskId);
      posterGas += gasOf(approved.receipt);
      assert.equal((await reader.getTask(posted.taskId)).statusName, "Settled");

      const agentGas =
        gasOf(claimed.receipt) + gasOf(started.receipt) + gasOf(checkpoint.receipt) + gasOf(submitted.receipt);
      const fee = (REWARD * BigInt(feeBps)) / 10_000n;
      // The bond went in with the claim and came back with the settlement.
      assert.equal(await balance(agentAddress), agentBefore + REWARD - fee - agentGas);
      assert.equal(await balance(wallets.poster.account.address), posterBefore - REWARD - posterGas);

      await waitFor(() => events.some((event) => event.eventName === "TaskSettled"));
      // The watch starts at the chain's head, which may still be the block that created the task.
      assert.deepEqual(
        events.map((event) => event.eventName).filter((name) => name !== "TaskCreated"),
        ["TaskClaimed", "TaskStarted", "CheckpointPosted", "WorkSubmitted", "TaskSettled"],
      );
      assert.ok(events.every((event) => event.source === "taskMarket" && event.args.taskId === posted.taskId));
      const submittedEvent = events.find((event) => event.eventName === "WorkSubmitted")!;
      assert.equal(submittedEvent.args.resultHash, contentHash(output));
      assert.equal(submittedEvent.transactionHash, submitted.transactionHash);
    } finally {
      unwatch();
    }
  });

  it("posts an ERC-20 task paid in two milestones, approving the escrow and the bond in the token", async () => {
    const document = summaryDocument({
      compensation: {
        token: devToken,
        reward: TOKEN_REWARD.toString(),
        claim_bond: TOKEN_BOND.toString(),
        milestones: [
          { share_bps: 4_000, deliverable: "An outline of the summary." },
          { share_bps: 6_000, deliverable: "The final summary." },
        ],
      },
    });
    const posterAddress = wallets.poster.account.address;
    const agentAddress = wallets.agent.account.address;
    const market = deployment.contracts.taskMarket.address;
    const [posterBefore, agentBefore, marketBefore] = await Promise.all(
      [posterAddress, agentAddress, market].map((account) => tokenBalance(account)),
    );

    const claimDeadline = Number((await publicClient.getBlock()).timestamp) + 3 * 24 * 3600;
    const posted = await poster.postTask({ document, claimDeadline });
    assert.equal(posted.terms.token, devToken);
    assert.equal(posted.terms.claimDeadline, claimDeadline);
    assert.equal(posted.terms.milestoneShares, packMilestoneShares([4_000, 6_000]));
    assert.equal(await tokenBalance(market), marketBefore + TOKEN_REWARD);
    assert.equal(await tokenBalance(posterAddress), posterBefore - TOKEN_REWARD);
    // The market was approved for exactly the escrow, all of which it pulled.
    assert.equal(await tokenAllowance(posterAddress, market), 0n);

    await agent.claim(posted.taskId);
    assert.equal(await tokenBalance(agentAddress), agentBefore - TOKEN_BOND);
    await agent.submit(posted.taskId, { content: { summary: "Outline." } });
    await poster.approve(posted.taskId);
    const afterFirst = await agent.getTask(posted.taskId);
    assert.equal(afterFirst.statusName, "InProgress");
    assert.equal(afterFirst.milestonesVerified, 1);
    await agent.submit(posted.taskId, { content: { summary: "The final summary." } });
    await poster.approve(posted.taskId);
    assert.equal((await agent.getTask(posted.taskId)).statusName, "Settled");

    const fee = (first: bigint) => (first * BigInt(feeBps)) / 10_000n;
    const firstAmount = (TOKEN_REWARD * 4_000n) / 10_000n;
    const lastAmount = TOKEN_REWARD - firstAmount;
    assert.equal(
      await tokenBalance(agentAddress),
      agentBefore + firstAmount - fee(firstAmount) + lastAmount - fee(lastAmount),
    );
    assert.equal(await tokenBalance(posterAddress), posterBefore - TOKEN_REWARD);
  });

  it("surfaces a revert as a TaskMarketContractError with the custom error's name and arguments", async () => {
    const posted = await poster.postTask({ document: summaryDocument() });
    await agent.claim(posted.taskId);
    await assert.rejects(agent.claim(posted.taskId), (error: unknown) => {
      assert.ok(error instanceof TaskMarketContractError);
      assert.equal(error.errorName, "TaskMarket_InvalidStatus");
      assert.deepEqual(error.args, [posted.taskId, TaskStatus.Claimed]);
      assert.equal(error.contract, "taskMarket");
      assert.equal(error.functionName, "claim");
      return true;
    });
    // Only the verifier (here the poster) decides; the executor may not approve its own work.
    await agent.submit(posted.taskId, { hash: `0x${"ab".repeat(32)}` });
    await assert.rejects(agent.approve(posted.taskId), (error: unknown) => {
      assert.ok(error instanceof TaskMarketContractError);
      assert.equal(error.errorName, "TaskMarket_CallerNotVerifier");
      assert.deepEqual(error.args, [posted.taskId, wallets.agent.account.address]);
      return true;
    });
  });

  it("refuses an invalid document, and terms the document contradicts, before sending anything", async () => {
    const before = await publicClient.getTransactionCount({ address: wallets.poster.account.address });
    const invalid = { ...summaryDocument(), objective: "   " };
    await assert.rejects(poster.postTask({ document: invalid }), (error: unknown) => {
      assert.ok(error instanceof InvalidTaskDocumentError);
      assert.deepEqual(
        error.errors.map((entry) => entry.path),
        ["/objective"],
      );
      return true;
    });
    const withFee = summaryDocument({
      compensation: { token: "ETH", reward: "1000", verifier_fee: "10" },
    });
    await assert.rejects(poster.postTask({ document: withFee }), TaskTermsError);
    await assert.rejects(
      poster.postTask({ document: summaryDocument(), verification: { method: "proof" } }),
      /verification method is "review", not "proof"/,
    );
    const dependent = { ...summaryDocument(), dependencies: [{ task_id: "1", relation: "requires" as const }] };
    await assert.rejects(
      poster.postTask({ document: dependent }),
      (error: unknown) => error instanceof TaskTermsError && error.path === "options.assigner",
    );
    assert.equal(await publicClient.getTransactionCount({ address: wallets.poster.account.address }), before);
    await assert.rejects(agent.getTask(10_000n), TaskNotFoundError);
    await assert.rejects(agent.getTerms(10_000n), TaskNotFoundError);
  });

  it("commits to an optimistic module's configuration, publishes it, and challenges through the module", async () => {
    const config = { arbitrator: deployment.contracts.panelArbitrator.address, challengeBond: 10n ** 16n };
    const contractHash = await publicClient.readContract({
      address: deployment.contracts.optimisticModule.address,
      abi: PROTOCOL_ABIS.optimisticModule,
      functionName: "configHash",
      args: [config],
    });
    assert.equal(verifierConfigHash({ method: "optimistic", config }), contractHash);

    const document = summaryDocument();
    document.verification_criteria.method = "optimistic";
    const posted = await poster.postTask({ document, verification: { method: "optimistic", config } });
    assert.equal(posted.terms.verifier, deployment.contracts.optimisticModule.address);
    assert.equal(posted.terms.verifierConfigHash, contractHash);

    // Another client finds the configuration from the module's event, by the hash in the terms.
    const other = new TaskMarket({
      publicClient,
      walletClient: wallets.other,
      deployment,
      pollingInterval: 50,
    });
    assert.deepEqual(await other.getVerifierConfig(posted.taskId), { method: "optimistic", config });

    await agent.claim(posted.taskId);
    await agent.submit(posted.taskId, { content: { summary: "Questionable." } });
    const events: TaskEvent[] = [];
    const unwatch = other.watchTask(posted.taskId, (event) => events.push(event), { pollingInterval: 50 });
    try {
      await other.dispute(posted.taskId);
      assert.equal((await other.getTask(posted.taskId)).statusName, "Disputed");
      await waitFor(() => events.some((event) => event.eventName === "SubmissionHeld"));
      const names = events.map((event) => `${event.source}.${event.eventName}`);
      assert.ok(names.includes("optimisticModule.SubmissionChallenged"), names.join(", "));
      assert.ok(names.includes("optimisticModule.DisputeRaised"), names.join(", "));
    } finally {
      unwatch();
    }
    // The poster cannot approve an optimistic task: nobody reviews it.
    await assert.rejects(poster.approve(posted.taskId), /verified by the optimistic module/);
  });

  it("applies a quorum's signed attestation with submitVerdict, reading the configuration from its event", async () => {
    const module = deployment.contracts.attestationModule.address;
    const verifier = wallets.verifier;
    const send = async (
      functionName: "createVerifierSet" | "addVerifier" | "bond",
      args: readonly unknown[],
      value?: bigint,
    ) => {
      const hash = await verifier.writeContract({
        chain: null,
        account: verifier.account,
        address: module,
        abi: PROTOCOL_ABIS.attestationModule,
        functionName,
        args,
        value,
      } as never);
      return publicClient.waitForTransactionReceipt({ hash });
    };
    const created = await send("createVerifierSet", [verifier.account.address]);
    const [setCreated] = parseEventLogs({
      abi: PROTOCOL_ABIS.attestationModule,
      logs: created.logs,
      eventName: "VerifierSetCreated",
    });
    const verifierSetId = setCreated.args.setId;
    await send("addVerifier", [verifierSetId, verifier.account.address]);
    await send("bond", [verifierSetId], 10n ** 18n);

    const methodId = keccak256(stringToHex("taskmarket/automated-checks/v1"));
    const config = {
      verifierSetId,
      quorum: 1,
      scored: false,
      methodId,
      minBond: 10n ** 17n,
      arbitrator: zeroAddress,
      contestWindow: 0,
      slashBps: 0,
    };
    const document = summaryDocument({
      compensation: { token: "ETH", reward: REWARD.toString(), claim_bond: BOND.toString(), verifier_fee: "1000" },
    });
    document.verification_criteria.method = "attestation";
    const posted = await poster.postTask({ document, verification: { method: "attestation", config } });
    assert.equal(posted.terms.verifier, module);
    assert.equal(posted.terms.verifierFee, 1000n);
    await agent.claim(posted.taskId);
    const output = { summary: "Checked by a quorum of one." };
    await agent.submit(posted.taskId, { content: output });

    const task = await agent.getTask(posted.taskId);
    assert.equal(task.submissionHash, contentHash(output));
    const deadline = BigInt(Number((await publicClient.getBlock()).timestamp) + 3600);
    const message = {
      taskId: posted.taskId,
      milestone: task.milestonesVerified,
      submissionHash: task.submissionHash,
      reviewDeadline: task.state.reviewDeadline,
      approved: true,
      scoreBps: 10_000,
      methodId,
      evidenceHash: keccak256(stringToHex("evidence")),
      deadline,
      nonce: 7n,
    };
    const signature = await verifier.signTypedData({
      account: verifier.account,
      ...attestationTypedData(moduleDomain("attestation", deployment.chainId, module), message),
    });

    // Anyone submits it: a client that knows nothing of the task but its id, in the API's JSON form.
    const relayer = new TaskMarket({ publicClient, walletClient: wallets.other, deployment, pollingInterval: 50 });
    await relayer.submitVerdict(posted.taskId, [
      {
        verdict: { approved: true, methodId },
        signedAttestation: {
          signer: verifier.account.address,
          scoreBps: 10_000,
          evidenceHash: message.evidenceHash,
          deadline: deadline.toString(),
          nonce: "7",
          signature,
        },
      },
    ]);
    assert.equal((await relayer.getTask(posted.taskId)).statusName, "Settled");
  });

  it("settles a proof-verified task in the transaction that submits a valid proof", async () => {
    // A hash commitment: the result is the preimage of the poster's commitment, and the proof is the preimage itself.
    const preimage = stringToBytes("the answer is 42");
    const document = summaryDocument();
    document.verification_criteria = {
      method: "proof",
      proof: { scheme: "hash-commitment", commitment: keccak256(preimage) },
    };
    const posted = await poster.postTask({ document, verification: { method: "proof" } });
    assert.equal(posted.terms.verifier, deployment.contracts.proofModule.address);
    assert.deepEqual(posted.verification, {
      method: "proof",
      config: { proofVerifier: deployment.contracts.hashCommitmentVerifier.address, commitment: keccak256(preimage) },
    });

    await agent.claim(posted.taskId);
    await assert.rejects(
      agent.submit(posted.taskId, { content: stringToBytes("a guess"), proof: bytesToHex(stringToBytes("a guess")) }),
      (error: unknown) => error instanceof TaskMarketContractError && error.contract === "proofModule",
    );
    const submitted = await agent.submit(posted.taskId, { content: preimage, proof: bytesToHex(preimage) });
    assert.equal(submitted.resultHash, keccak256(preimage));
    assert.equal((await agent.getTask(posted.taskId)).statusName, "Settled");
  });

  it("hashes capabilities as the executor registry stores them", async () => {
    const ids = await publicClient.readContract({
      address: deployment.contracts.executorRegistry.address,
      abi: PROTOCOL_ABIS.executorRegistry,
      functionName: "capabilitiesOf",
      args: [wallets.agent.account.address],
    });
    assert.deepEqual([...ids].sort(), ["lang:de", "lang:en", "skill:summarization"].map(capabilityId).sort());
    const profile = await agent.getExecutor();
    assert.equal(profile.kind, ExecutorKind.Agent);
    assert.equal(profile.operator, wallets.operator.account.address);
    assert.equal(profile.registered, true);
  });

  async function balance(address: Address): Promise<bigint> {
    return publicClient.getBalance({ address });
  }

  async function tokenBalance(address: Address): Promise<bigint> {
    return publicClient.readContract({ address: devToken, abi: erc20Abi, functionName: "balanceOf", args: [address] });
  }

  async function tokenAllowance(owner: Address, spender: Address): Promise<bigint> {
    return publicClient.readContract({
      address: devToken,
      abi: erc20Abi,
      functionName: "allowance",
      args: [owner, spender],
    });
  }
});

function gasOf(receipt: TransactionReceipt): bigint {
  return receipt.gasUsed * receipt.effectiveGasPrice;
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the watched events");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
