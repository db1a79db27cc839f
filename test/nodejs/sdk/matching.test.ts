// The SDK's direct client for what comes after posting beyond a first-come claim, on a real local chain with the
// protocol deployed: reverse auctions (open and sealed), the application board, gated claims, subtasks, and the
// dispute calls (challenge, panel vote, executed ruling, settlement by agreement). Each call's configuration comes
// back from the module's event, and each refusal surfaces as the contract's named error.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import {
  createPublicClient,
  createWalletClient,
  erc20Abi,
  http,
  parseAbi,
  parseEther,
  parseEventLogs,
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
  PROTOCOL_ABIS,
  TASK_DOCUMENT_VERSION,
  TaskMarket,
  TaskMarketContractError,
  TaskTermsError,
  contentHash,
  rulingForShare,
  type AuctionConfig,
  type TaskDocument,
} from "../../../sdk/src/index.ts";

/** Accounts the deployment leaves alone (0 deploys and owns, 1 takes fees, 17–19 are the arbiters). */
const ACCOUNT = {
  poster: 2,
  agent: 4,
  operator: 5,
  other: 7,
  secondAgent: 8,
  thirdAgent: 9,
  coordinator: 10,
  arbiter: 17,
  secondArbiter: 18,
} as const;
type Role = keyof typeof ACCOUNT;
const AGENTS = ["agent", "secondAgent", "thirdAgent", "coordinator"] as const;
const MINTABLE_ABI = parseAbi(["function mint(address to, uint256 amount)"]);

const DAY = 24 * 3600;
const REWARD = parseEther("1");
const BOND = parseEther("0.1");
const TOKEN_REWARD = parseEther("5");
const TOKEN_BOND = parseEther("0.25");
const OPEN_GATE = { minCompleted: 0, maxDisputesLostBps: 10_000, dependencies: [] as bigint[] };

function summaryDocument(
  overrides: {
    compensation?: TaskDocument["compensation"];
    method?: TaskDocument["verification_criteria"]["method"];
    requires?: bigint[];
    objective?: string;
  } = {},
): TaskDocument {
  return {
    version: TASK_DOCUMENT_VERSION,
    objective: overrides.objective ?? "Summarize the article at the given URL in at most three sentences.",
    input_constraints: { schema: { type: "object" } },
    execution_requirements: {
      executor_kind: "agent",
      max_duration_seconds: 6 * 3600,
      required_capabilities: ["lang:en", "skill:summarization"],
    },
    verification_criteria: { method: overrides.method ?? "review" },
    compensation: overrides.compensation ?? { token: "ETH", reward: REWARD.toString(), claim_bond: BOND.toString() },
    dependencies: (overrides.requires ?? []).map((id) => ({ task_id: id.toString(), relation: "requires" as const })),
    metadata: { category: "writing/summaries", tags: ["news"] },
  };
}

/** Asserts that `promise` rejects with the contract's custom error `errorName`, and its arguments when given. */
async function rejectsWith(promise: Promise<unknown>, errorName: string, args?: readonly unknown[]): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof TaskMarketContractError, `expected ${errorName}, got ${String(error)}`);
    assert.equal(error.errorName, errorName);
    if (args !== undefined) assert.deepEqual(error.args, args);
    return true;
  });
}

describe("SDK: matching, composition and arbitration through TaskMarket", () => {
  let chain: LocalChain;
  let deployment: Deployment;
  let publicClient: PublicClient;
  let wallets: Record<Role, WalletClient & { account: Account }>;
  let market: Record<Role, TaskMarket>;
  let address: Record<Role, Address>;
  let devToken: Address;

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
    market = Object.fromEntries(
      Object.keys(ACCOUNT).map((role) => [
        role,
        new TaskMarket({ publicClient, walletClient: wallets[role as Role], deployment, pollingInterval: 50 }),
      ]),
    ) as Record<Role, TaskMarket>;
    address = Object.fromEntries(
      Object.entries(wallets).map(([role, wallet]) => [role, wallet.account.address]),
    ) as Record<Role, Address>;
    devToken = deployment.contracts.devToken!.address;
    for (const role of ["poster", ...AGENTS] as const) {
      const hash = await wallets[role].writeContract({
        chain: null,
        account: wallets[role].account,
        address: devToken,
        abi: MINTABLE_ABI,
        functionName: "mint",
        args: [address[role], 1_000n * 10n ** 18n],
      });
      await publicClient.waitForTransactionReceipt({ hash });
    }
    for (const role of AGENTS) {
      await market[role].registerExecutor({
        kind: "agent",
        operator: address.operator,
        capabilities: ["lang:en", "skill:summarization"],
      });
    }
  });

  after(async () => {
    await chain?.stop();
  });

  it("runs an open reverse auction: bids, a finalization by anyone, and the losers' deposits back", async () => {
    const now = await latestTimestamp();
    const config: AuctionConfig = {
      requirements: OPEN_GATE,
      biddingEnd: now + DAY,
      revealEnd: 0,
      bidBond: 0n,
      priceWeightBps: 10_000,
      awardWindow: DAY,
    };
    const posted = await market.poster.postTask({
      document: summaryDocument(),
      assignment: { module: "reverseAuction", config },
    });
    const { taskId } = posted;
    assert.equal(posted.options?.assigner, deployment.contracts.reverseAuction.address);
    // Another client reads the configuration back from the module's event, by the task id and the hash.
    const reader = new TaskMarket({ publicClient, deployment });
    assert.deepEqual(await reader.getAssignmentConfig(taskId), { module: "reverseAuction", config });

    await assert.rejects(market.agent.claim(taskId), /given out by the reverseAuction module \(use bid or commitBid\)/);
    await assert.rejects(market.agent.commitBid(taskId, { price: REWARD, eta: 3600 }), /takes open bids/);
    await rejectsWith(market.agent.bid(taskId, { price: REWARD + 1n, eta: 3600 }), "ReverseAuction_InvalidPrice", [
      taskId,
      REWARD + 1n,
      REWARD,
    ]);

    const agentBefore = await balance(address.agent);
    const first = await market.agent.bid(taskId, { price: parseEther("0.8"), eta: 3600 });
    // A lower price is a new bid that deposits nothing more.
    const lowered = await market.agent.bid(taskId, { price: parseEther("0.7"), eta: 1800 });
    assert.equal(await balance(address.agent), agentBefore - BOND - gasOf(first.receipt) - gasOf(lowered.receipt));
    await market.secondAgent.bid(taskId, { price: parseEther("0.6"), eta: 7200 });
    const auction = await reader.getAuction(taskId);
    assert.equal(auction.phase, "Bidding");
    assert.deepEqual(
      auction.bids.map((bid) => [bid.bidder, bid.statusName, bid.price, bid.eta, bid.deposit]),
      [
        [address.agent, "Placed", parseEther("0.7"), 1800, BOND],
        [address.secondAgent, "Placed", parseEther("0.6"), 7200, BOND],
      ],
    );

    await rejectsWith(market.other.finalizeAuction(taskId), "ReverseAuction_AuctionNotClosed");
    await increaseTime(2 * DAY + 1);
    assert.deepEqual(await reader.previewAuctionWinner(taskId), {
      winner: address.secondAgent,
      price: parseEther("0.6"),
      score: 10_000n * 4_000n,
    });
    const finalized = await market.other.finalizeAuction(taskId);
    const [awarded] = parseEventLogs({
      abi: PROTOCOL_ABIS.reverseAuction,
      logs: finalized.receipt.logs,
      eventName: "AuctionAwarded",
    });
    assert.equal(awarded?.args.winner, address.secondAgent);
    assert.equal(awarded?.args.automatic, true);
    const task = await reader.getTask(taskId);
    assert.equal(task.statusName, "Claimed");
    assert.equal(task.state.executor, address.secondAgent);
    assert.equal((await reader.getAuction(taskId)).winner, address.secondAgent);
    // The task's history tells the auction too, in chain order, from the module that ran it.
    const auctionEvents = (await reader.getTaskHistory(taskId)).filter((event) => event.source === "reverseAuction");
    assert.deepEqual(
      auctionEvents.map((event) => event.eventName),
      ["AuctionConfigPublished", "BidPlaced", "BidPlaced", "BidPlaced", "AuctionAwarded"],
    );

    const beforeWithdrawal = await balance(address.agent);
    const withdrawn = await market.agent.withdrawBidDeposit(taskId);
    assert.equal(await balance(address.agent), beforeWithdrawal + BOND - gasOf(withdrawn.receipt));
    await rejectsWith(market.agent.withdrawBidDeposit(taskId), "ReverseAuction_NothingToWithdraw", [
      taskId,
      address.agent,
    ]);
  });

  it("runs a sealed ERC-20 auction: a commitment computed locally, a checked reveal, and the poster's award", async () => {
    const now = await latestTimestamp();
    const bidBond = parseEther("0.05");
    const config: AuctionConfig = {
      requirements: OPEN_GATE,
      biddingEnd: now + DAY,
      revealEnd: now + 2 * DAY,
      bidBond,
      priceWeightBps: 5_000,
      awardWindow: DAY,
    };
    const { taskId } = await market.poster.postTask({
      document: summaryDocument({
        compensation: { token: devToken, reward: TOKEN_REWARD.toString(), claim_bond: TOKEN_BOND.toString() },
      }),
      assignment: { module: "reverseAuction", config },
    });
    const auction = deployment.contracts.reverseAuction.address;
    const price = parseEther("4");
    const agentBefore = await tokenBalance(address.agent);
    const committed = await market.agent.commitBid(taskId, { price, eta: 3600 });
    assert.equal(
      committed.commitment,
      await publicClient.readContract({
        address: auction,
        abi: PROTOCOL_ABIS.reverseAuction,
        functionName: "commitmentFor",
        args: [taskId, address.agent, price, 3600, committed.salt],
      }),
    );
    // The claim bond and the bid bond, in the task's token, pulled by the module on an allowance approved for it.
    assert.equal(await tokenBalance(address.agent), agentBefore - TOKEN_BOND - bidBond);
    assert.equal(await tokenBalance(auction), TOKEN_BOND + bidBond);

    await assert.rejects(market.agent.bid(taskId, { price, eta: 3600 }), /takes sealed bids/);
    await rejectsWith(
      market.agent.revealBid(taskId, { price, eta: 3600, salt: committed.salt }),
      "ReverseAuction_RevealWindowClosed",
    );
    await increaseTime(DAY + 1);
    await rejectsWith(
      market.agent.revealBid(taskId, { price, eta: 3600, salt: zeroHash }),
      "ReverseAuction_CommitmentMismatch",
    );
    await market.agent.revealBid(taskId, { price, eta: 3600, salt: committed.salt });
    const [bid] = (await market.poster.getAuction(taskId)).bids;
    assert.equal(bid?.statusName, "Placed");
    assert.equal(bid?.price, price);

    await increaseTime(DAY);
    await rejectsWith(market.secondAgent.awardBid(taskId, address.agent), "ReverseAuction_CallerNotPoster", [
      taskId,
      address.secondAgent,
    ]);
    await market.poster.awardBid(taskId, address.agent);
    const task = await market.poster.getTask(taskId);
    assert.equal(task.statusName, "Claimed");
    assert.equal(task.state.executor, address.agent);
    assert.equal((await market.poster.getAuction(taskId)).phase, "Awarded");
  });

  it("takes applications with notes, dismisses one, assigns one, and returns a withdrawn deposit", async () => {
    const config = { requirements: OPEN_GATE, applicationDeadline: 0 };
    const { taskId } = await market.poster.postTask({
      document: summaryDocument(),
      assignment: { module: "applicationBoard", config },
    });
    const board = deployment.contracts.applicationBoard.address;
    const note = { content: { pitch: "I summarize news daily." }, uri: "ipfs://bafynote" };
    const applied = await market.agent.applyToTask(taskId, note);
    assert.equal(applied.noteHash, contentHash(note.content));
    const [event] = parseEventLogs({
      abi: PROTOCOL_ABIS.applicationBoard,
      logs: applied.receipt.logs,
      eventName: "Applied",
    });
    assert.deepEqual(event?.args, {
      taskId,
      applicant: address.agent,
      noteURI: "ipfs://bafynote",
      noteHash: applied.noteHash,
    });
    await rejectsWith(market.agent.applyToTask(taskId), "ApplicationBoard_AlreadyApplied", [taskId, address.agent]);
    await market.secondAgent.applyToTask(taskId);
    await market.thirdAgent.applyToTask(taskId);
    assert.equal(await balance(board), 3n * BOND);

    await market.poster.dismissApplication(taskId, address.thirdAgent);
    await rejectsWith(market.thirdAgent.applyToTask(taskId), "ApplicationBoard_Dismissed", [
      taskId,
      address.thirdAgent,
    ]);
    await rejectsWith(
      market.secondAgent.assignApplicant(taskId, address.secondAgent),
      "ApplicationBoard_CallerNotPoster",
      [taskId, address.secondAgent],
    );
    await market.poster.assignApplicant(taskId, address.agent);
    const task = await market.poster.getTask(taskId);
    assert.equal(task.statusName, "Claimed");
    assert.equal(task.state.executor, address.agent);

    const before = await balance(address.secondAgent);
    const withdrawn = await market.secondAgent.withdrawApplication(taskId);
    assert.equal(await balance(address.secondAgent), before + BOND - gasOf(withdrawn.receipt));
    await market.thirdAgent.withdrawApplication(taskId);
    assert.equal(await balance(board), 0n);
    await rejectsWith(market.agent.withdrawApplication(taskId), "ApplicationBoard_NoApplication", [
      taskId,
      address.agent,
    ]);
  });

  it("funds subtasks from the parent's budget and gives a dependent one out through the GatedClaim", async () => {
    const parent = await market.poster.postTask({
      document: summaryDocument({ objective: "Write a weekly digest of five articles." }),
      options: { subtaskBudget: REWARD / 2n },
    });
    const parentId = parent.taskId;
    await market.coordinator.claim(parentId);

    const partReward = parseEther("0.2");
    const part = await market.coordinator.createSubtask(parentId, {
      document: summaryDocument({
        objective: "Summarize the first article.",
        compensation: { token: "ETH", reward: partReward.toString() },
      }),
    });
    assert.equal(part.parentId, parentId);
    assert.equal(part.terms.poster, address.coordinator);
    assert.deepEqual(await market.other.getParent(part.taskId), {
      parentId,
      parentPoster: address.poster,
      depth: 1,
    });
    assert.equal(await market.other.getParent(parentId), undefined);
    const tooLarge = parseEther("0.4");
    await rejectsWith(
      market.coordinator.createSubtask(parentId, {
        document: summaryDocument({ compensation: { token: "ETH", reward: tooLarge.toString() } }),
      }),
      "TaskMarket_SubtaskBudgetExceeded",
      [parentId, tooLarge, REWARD / 2n - partReward],
    );

    // The merge step requires the part: only the GatedClaim enforces it, and only once the part is done.
    const mergeReward = parseEther("0.1");
    const gate = { requirements: { ...OPEN_GATE, dependencies: [part.taskId] } };
    const merge = await market.coordinator.createSubtask(parentId, {
      document: summaryDocument({
        objective: "Merge the summaries into the digest.",
        compensation: { token: "ETH", reward: mergeReward.toString(), claim_bond: BOND.toString() },
        requires: [part.taskId],
      }),
      assignment: { module: "gatedClaim", config: gate },
    });
    assert.deepEqual(await new TaskMarket({ publicClient, deployment }).getAssignmentConfig(merge.taskId), {
      module: "gatedClaim",
      config: gate,
    });
    assert.deepEqual(await market.other.getFunding(parentId), {
      released: 0n,
      drawn: partReward + mergeReward,
      openSubtasks: 2,
    });
    await rejectsWith(market.thirdAgent.claim(merge.taskId), "AssignmentModule_DependenciesNotMet", [merge.taskId]);
    await assert.rejects(market.other.cancelForFailedDependency(merge.taskId), /no cancelled or expired dependency/);
    await rejectsWith(market.other.cancelForFailedDependency(merge.taskId, 0), "AssignmentModule_DependencyNotFailed");

    await market.agent.claim(part.taskId);
    await market.agent.submit(part.taskId, { content: { summary: "Part one." } });
    await market.coordinator.approve(part.taskId);
    const claimed = await market.thirdAgent.claim(merge.taskId);
    const [met] = parseEventLogs({
      abi: PROTOCOL_ABIS.gatedClaim,
      logs: claimed.receipt.logs,
      eventName: "DependenciesMet",
    });
    assert.deepEqual(met?.args, { taskId: merge.taskId, dependencies: [part.taskId] });
    assert.equal((await market.other.getTask(merge.taskId)).state.executor, address.thirdAgent);
  });

  it("cancels a gated task whose dependency was cancelled, finding the failed dependency itself", async () => {
    const dependency = await market.poster.postTask({ document: summaryDocument() });
    await market.poster.cancel(dependency.taskId);
    const { taskId } = await market.poster.postTask({
      document: summaryDocument({ requires: [dependency.taskId] }),
      assignment: {
        module: "gatedClaim",
        config: { requirements: { ...OPEN_GATE, dependencies: [dependency.taskId] } },
      },
    });
    const posterBefore = await balance(address.poster);
    await market.other.cancelForFailedDependency(taskId);
    assert.equal((await market.other.getTask(taskId)).statusName, "Cancelled");
    assert.equal(await balance(address.poster), posterBefore + REWARD);
  });

  it("refuses an assignment the document or the schedule contradicts before sending, and publishes one once", async () => {
    const before = await publicClient.getTransactionCount({ address: address.poster });
    const dependency = await market.poster.postTask({ document: summaryDocument() });
    const sentBefore = await publicClient.getTransactionCount({ address: address.poster });
    assert.equal(sentBefore, before + 1);
    await assert.rejects(
      market.poster.postTask({
        document: summaryDocument({ requires: [dependency.taskId] }),
        assignment: { module: "gatedClaim", config: { requirements: OPEN_GATE } },
      }),
      (error: unknown) =>
        error instanceof TaskTermsError && error.path === "assignment.config.requirements.dependencies",
    );
    const now = await latestTimestamp();
    await assert.rejects(
      market.poster.postTask({
        document: summaryDocument(),
        claimDeadline: now + DAY,
        assignment: {
          module: "reverseAuction",
          config: {
            requirements: OPEN_GATE,
            biddingEnd: now + DAY / 2,
            revealEnd: 0,
            bidBond: 0n,
            priceWeightBps: 5_000,
            awardWindow: DAY,
          },
        },
      }),
      (error: unknown) => error instanceof TaskTermsError && error.path === "assignment.config.awardWindow",
    );
    assert.equal(await publicClient.getTransactionCount({ address: address.poster }), sentBefore);

    // Unpublished, the configuration is an error that says what to do; anyone may then publish it, once.
    const assignment = { module: "gatedClaim" as const, config: { requirements: OPEN_GATE } };
    const { taskId } = await market.poster.postTask({ document: summaryDocument(), assignment, publishConfig: false });
    await assert.rejects(market.agent.claim(taskId), /nobody has published: ask the poster for it/);
    assert.ok(await market.other.publishAssignmentConfig(taskId, assignment));
    assert.equal(await market.other.publishAssignmentConfig(taskId, assignment), undefined);
    await rejectsWith(
      market.other.publishAssignmentConfig(taskId, {
        module: "gatedClaim",
        config: { requirements: { ...OPEN_GATE, minCompleted: 1 } },
      }),
      "AssignmentModule_ConfigMismatch",
    );
    await market.agent.claim(taskId);
    assert.equal((await market.agent.getTask(taskId)).state.executor, address.agent);
  });

  it("challenges an optimistic submission, has the panel vote, and executes the ruling", async () => {
    const taskId = await optimisticTaskUnderReview();
    await rejectsWith(market.agent.challenge(taskId), "OptimisticModule_ExecutorCannotChallenge", [taskId]);
    await market.other.challenge(taskId);
    await rejectsWith(market.other.executeRuling(taskId), "DisputableModule_InvalidPhase", [taskId]);
    await market.agent.respondToDispute(taskId);
    const contest = await market.other.getContest(taskId);
    assert.equal(contest.phaseName, "Arbitrating");
    assert.equal(contest.claimant, address.other);
    const disputeId = contest.arbitratorDisputeId;

    const evidence = await market.agent.submitEvidence(taskId, {
      content: { log: "all sources cited" },
      uri: "ipfs://bafylog",
    });
    assert.equal(evidence.evidenceHash, contentHash({ log: "all sources cited" }));
    await rejectsWith(market.poster.submitEvidence(taskId, { hash: zeroHash }), "DisputableModule_CallerNotParty", [
      taskId,
      address.poster,
    ]);

    await rejectsWith(market.other.vote(disputeId, rulingForShare(0)), "PanelArbitrator_CallerNotArbiter", [
      address.other,
    ]);
    await market.arbiter.vote(disputeId, rulingForShare(10_000));
    await rejectsWith(market.arbiter.vote(disputeId, rulingForShare(10_000)), "PanelArbitrator_AlreadyVoted", [
      disputeId,
      address.arbiter,
    ]);
    await market.secondArbiter.vote(disputeId, rulingForShare(10_000));
    assert.equal((await market.other.getContest(taskId)).phaseName, "Ruled");

    const executed = await market.other.executeRuling(taskId);
    const [ended] = parseEventLogs({
      abi: PROTOCOL_ABIS.optimisticModule,
      logs: executed.receipt.logs,
      eventName: "ContestEnded",
    });
    assert.deepEqual(ended?.args, { taskId, outcome: 2, executorShareBps: 10_000 });
    assert.equal((await market.other.getTask(taskId)).statusName, "Settled");
    const credit = await publicClient.readContract({
      address: deployment.contracts.panelArbitrator.address,
      abi: PROTOCOL_ABIS.panelArbitrator,
      functionName: "creditOf",
      args: [address.arbiter],
    });
    assert.ok(credit > 0n, "the arbiters who voted with the majority share the fee");
    const before = await balance(address.arbiter);
    const withdrawn = await market.arbiter.withdrawArbitrationCredit();
    assert.equal(await balance(address.arbiter), before + credit - gasOf(withdrawn.receipt));
  });

  it("settles a challenged submission at the split both parties signed", async () => {
    const taskId = await optimisticTaskUnderReview();
    await market.other.challenge(taskId);
    const deadline = (await latestTimestamp()) + 3600;
    const fromPoster = await market.poster.signSettlement(taskId, { executorShareBps: 6_000, deadline });
    const fromExecutor = await market.agent.signSettlement(taskId, { executorShareBps: 6_000, deadline });
    assert.equal(fromPoster.signer, address.poster);
    assert.deepEqual(fromPoster.message, fromExecutor.message);
    assert.equal(
      fromPoster.message.submissionHash,
      await publicClient.readContract({
        address: deployment.contracts.taskMarket.address,
        abi: PROTOCOL_ABIS.taskMarket,
        functionName: "submissionOf",
        args: [taskId],
      }),
    );

    await rejectsWith(
      market.other.settleByAgreement(taskId, {
        executorShareBps: 6_000,
        deadline,
        posterSignature: fromExecutor.signature,
        executorSignature: fromPoster.signature,
      }),
      "DisputableModule_InvalidSignature",
      [address.poster],
    );
    const settled = await market.other.settleByAgreement(taskId, {
      executorShareBps: 6_000,
      deadline,
      posterSignature: fromPoster.signature,
      executorSignature: fromExecutor.signature,
    });
    const [ended] = parseEventLogs({
      abi: PROTOCOL_ABIS.optimisticModule,
      logs: settled.receipt.logs,
      eventName: "ContestEnded",
    });
    assert.deepEqual(ended?.args, { taskId, outcome: 4, executorShareBps: 6_000 });
    assert.equal((await market.other.getTask(taskId)).statusName, "Settled");
    assert.throws(() => rulingForShare(6_500), RangeError);
  });

  /** An optimistic task, claimed by the agent, whose submission is in its challenge window. */
  async function optimisticTaskUnderReview(): Promise<bigint> {
    const config = { arbitrator: deployment.contracts.panelArbitrator.address, challengeBond: parseEther("0.01") };
    const { taskId } = await market.poster.postTask({
      document: summaryDocument({ method: "optimistic" }),
      verification: { method: "optimistic", config },
      reviewWindow: DAY,
    });
    await market.agent.claim(taskId);
    await market.agent.submit(taskId, { content: { summary: "Contested." } });
    return taskId;
  }

  async function latestTimestamp(): Promise<number> {
    return Number((await publicClient.getBlock({ blockTag: "latest" })).timestamp);
  }

  async function increaseTime(seconds: number): Promise<void> {
    await publicClient.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
    await publicClient.request({ method: "evm_mine" as never, params: [] as never });
  }

  async function balance(account: Address): Promise<bigint> {
    return publicClient.getBalance({ address: account });
  }

  async function tokenBalance(account: Address): Promise<bigint> {
    return publicClient.readContract({ address: devToken, abi: erc20Abi, functionName: "balanceOf", args: [account] });
  }
});

function gasOf(receipt: TransactionReceipt): bigint {
  return receipt.gasUsed * receipt.effectiveGasPrice;
}
