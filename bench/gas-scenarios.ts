/**
 * Gas scenarios: every lifecycle operation of the task market, measured as receipt `gasUsed` in steady state.
 *
 * Shared by the benchmark (`npm run bench:gas`, bench/gas.ts) and the snapshot test (test/nodejs/gas.test.ts).
 *
 * Steady state. The whole scenario below runs twice on a fresh network with the same accounts and the same token;
 * only the second pass is recorded. By then every counter and balance an operation touches is already non-zero,
 * as on a live market: the task id counter, the poster's and executor's reputation counters, the executor's earned
 * totals, the accrued protocol fees (never withdrawn here), the token nonce of the permit poster and every token and
 * ETH balance involved. What remains is what every real call pays: the two new storage slots of a new task, cold
 * accesses, calldata, events and transfers.
 *
 * Determinism. Every transaction is mined at a timestamp set by the scenario (from a fixed start, 12 s apart, plus
 * the waits it needs), and the accounts are Hardhat's default ones, so calldata, signatures and so the figures are
 * the same on every run.
 *
 * Inputs (common to every key):
 * - protocol fee 2.5 % (250 bps), snapshotted into the terms; verifier unset (the poster reviews), so no verifier fee
 *   and no verifier configuration;
 * - a single deliverable (no milestones), except for the milestone task of `milestoneSettle`;
 * - executor kind `Agent`; the executor is an agent registered with an operator and three capabilities, and every
 *   task requires one of them, so `claim` checks kind and capability in the registry;
 * - claim period 7 days, execution window 3 days, review window 2 days;
 * - ETH tasks: reward 0.5 ETH and claim bond 0.05 ETH (paid in `msg.value` on claim);
 * - ERC-20 tasks: MockERC20 "Test USD" (6 decimals, ERC-2612), reward 250 TUSD and claim bond 25 TUSD (pulled from
 *   the executor on claim); the poster and the executor have approved the market for the maximum amount once, so
 *   OpenZeppelin's ERC-20 never writes the allowance;
 * - document URI, result URI and progress URI: 66-character `ipfs://` URIs; hashes are 32 random-looking bytes.
 *
 * Keys:
 * - `createTask_eth`       createTask on an ETH task.
 * - `createTask_erc20`     createTask on an ERC-20 task (standing approval).
 * - `createTask_permit`    createTaskWithPermit on an ERC-20 task, by a second poster who never approved the market:
 *                          the permit sets the allowance to exactly the reward and the transfer spends it.
 * - `claim`                claim of the ETH task above, bond in `msg.value`.
 * - `start`, `checkpoint`  on a second claimed ETH task (checkpoint: 50 %, progress hash and URI).
 * - `submit`               submit on the claimed ETH task (straight from `Claimed`, without `start`).
 * - `approve_settle_eth`   approve by the poster: settles, pays reward minus fee plus bond to the executor in ETH.
 * - `approve_settle_erc20` the same on a claimed and submitted ERC-20 task.
 * - `milestoneSettle`      approve by the poster of the first milestone of an ETH task paid in two milestones (40 % and
 *                          60 %): pays that milestone minus fee to the executor, records the milestone and returns the
 *                          task to work with a fresh execution window (the task's first milestone, so its progress slot
 *                          is written from zero, as on every milestone task).
 * - `autoRelease`          release of the second ETH task by a third party after its review window elapsed.
 * - `refundExpired`        refundExpired of an ETH task never claimed, past its claim deadline, by a third party.
 * - `cancel`               cancel of an unclaimed ETH task by its poster (full refund in ETH).
 * - `lifecycle_eth`        the sum of the four receipts createTask_eth + claim + submit + approve_settle_eth, all of
 *                          the same ETH task.
 *
 * Verification modules (ETH tasks as above whose verifier is a module; the submission hash is then stored on submit):
 * - `verifyAttest1_settle` submitVerdict by a third party on the AttestationModule with one approving attestation of
 *                          a 1-of-3 verifier set (no contest window, no score): checks the signature and the signer's
 *                          membership and bond, then settles the task in the market.
 * - `verifyAttest3_settle` the same with three attestations of a 3-of-3 quorum.
 * - `optimisticFinalize`   release by a third party of an OptimisticModule task whose challenge window passed
 *                          unchallenged.
 * - `disputeOpen`          dispute by the executor of a rejection that a ReviewModule reviewer put up for contest:
 *                          deposits the PanelArbitrator's fee and moves the market's hold to the fee deadline.
 * - `disputeRule`          the deciding vote of a three-arbiter PanelArbitrator panel (the second of three), which
 *                          delivers the ruling to the module.
 * - `disputeExecute`       executeRuling by a third party: settles the escrow with the ruled split (60 % to the
 *                          executor) and pays out the deposits.
 *
 * Matching and composition (ETH tasks created with `createTaskWithOptions`; a bidder or applicant deposits the claim
 * bond with the module, which pays it to the market at the assignment):
 * - `createSubtask`        createSubtask by the executor of a claimed task with a subtask budget of half its reward:
 *                          a subtask of a quarter of the reward, the first of its parent (so the parent's funding
 *                          record is written from zero, as on every parent), with its own link to the parent.
 * - `claimWithDeps3`       claim through GatedClaim of a task that depends on three settled tasks, with a reputation
 *                          gate of one completed task: checks the terms, the options, the candidate and its record,
 *                          the three dependencies, and assigns it in the market with the bond.
 * - `apply`                submitApplication on the ApplicationBoard, with a note URI and hash and the bond.
 * - `assign`               assign by the poster of that applicant through the ApplicationBoard.
 * - `bid`                  an open bid on a ReverseAuction that already holds nine bids, with the bond.
 * - `auctionFinalize_10bids` finalize by a third party after the award window of an open auction with ten bids
 *                          (price weight 50 %): scores every bid, checks the winner and assigns it at its price,
 *                          refunding the unused budget to the poster.
 */
import type { NetworkConnection } from "hardhat/types/network";
import { concat, keccak256, maxUint256, parseEther, parseUnits, toHex, zeroAddress, zeroHash } from "viem";
import type { Address, Hex } from "viem";

import { attestationTypedData, moduleDomain } from "../src/protocol/eip712.js";
import { ExecutorKind, NO_MILESTONES, NO_OPTIONS, TaskStatus, packMilestoneShares } from "../src/protocol/terms.js";
import type { TaskOptions, TaskTerms } from "../src/protocol/terms.js";

export const GAS_KEYS = [
  "createTask_eth",
  "createTask_erc20",
  "createTask_permit",
  "claim",
  "start",
  "checkpoint",
  "submit",
  "approve_settle_eth",
  "approve_settle_erc20",
  "milestoneSettle",
  "autoRelease",
  "refundExpired",
  "cancel",
  "lifecycle_eth",
  "verifyAttest1_settle",
  "verifyAttest3_settle",
  "optimisticFinalize",
  "disputeOpen",
  "disputeRule",
  "disputeExecute",
  "createSubtask",
  "claimWithDeps3",
  "apply",
  "assign",
  "bid",
  "auctionFinalize_10bids",
] as const;

export type GasKey = (typeof GAS_KEYS)[number];

/** Receipt `gasUsed` of each operation. */
export type GasFigures = Record<GasKey, number>;

const FEE_BPS = 250;
const DAY = 24 * 60 * 60;
const CLAIM_PERIOD = 7 * DAY;
const EXECUTION_WINDOW = 3 * DAY;
const REVIEW_WINDOW = 2 * DAY;
const BLOCK_INTERVAL = 12;
/** Far enough ahead of any wall clock this runs on for years, so every run mines at the same timestamps. */
const START_TIME = 2_000_000_000;

const ETH_REWARD = parseEther("0.5");
const ETH_BOND = parseEther("0.05");
const TOKEN_DECIMALS = 6;
const TOKEN_REWARD = parseUnits("250", TOKEN_DECIMALS);
const TOKEN_BOND = parseUnits("25", TOKEN_DECIMALS);
const TOKEN_NAME = "Test USD";

const DOCUMENT_URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
const RESULT_URI = "ipfs://bafybeihkoviema7g3gxyt6la7vd5ho32ictqbilu3wnlo3rs7ewhnp7lly";
const PROGRESS_URI = "ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq";

/** The milestones of the milestone task: 40 % then 60 % of the reward. */
const MILESTONE_SHARES = packMilestoneShares([4_000, 6_000]);

/** The PanelArbitrator's fee per dispute, its voting period, and the ReviewModule's contest window. */
const ARBITRATION_FEE = parseEther("0.01");
const VOTING_PERIOD = 5 * DAY;
const CONTEST_WINDOW = 2 * DAY;
const OPTIMISTIC_BOND = parseEther("0.05");
/** Ruling 7 of 11: 60 % of the escrow to the executor. */
const RULING_SIXTY_PERCENT = 7n;

const capabilityId = (name: string): Hex => keccak256(toHex(name));
const EXECUTOR_CAPABILITIES = ["lang:solidity", "skill:code-review", "skill:translation/de-en"].map(capabilityId);
const REQUIRED_CAPABILITIES: Hex[] = [capabilityId("lang:solidity")];

/**
 * Deploys the protocol on `connection` (which must be a fresh network with Hardhat's default accounts), runs the
 * scenario twice and returns the figures of the second pass.
 */
export async function measureGas(connection: NetworkConnection): Promise<GasFigures> {
  const { viem, networkHelpers } = connection;
  const publicClient = await viem.getPublicClient();
  const wallets = await viem.getWalletClients();
  const [deployer, feeRecipient, poster, executor, operator, permitPoster, keeper, reviewer] = wallets;
  if (reviewer === undefined || wallets.length < 14)
    throw new Error("The gas scenarios need fourteen funded accounts.");
  // Attestations list their signers in ascending order.
  const verifiers = wallets
    .slice(8, 11)
    .sort((a, b) => (BigInt(a.account.address) < BigInt(b.account.address) ? -1 : 1));
  const arbiters = wallets.slice(11, 14);

  let clock = Math.max(START_TIME, (await networkHelpers.time.latest()) + 1);
  /** Sets the timestamp of the next block; `clock` then holds it. */
  async function nextBlockAt(secondsLater: number = BLOCK_INTERVAL): Promise<void> {
    clock += secondsLater;
    await networkHelpers.time.setNextBlockTimestamp(clock);
  }
  /** Mines one transaction at the next timestamp and returns its receipt's `gasUsed`. */
  async function mine(transaction: () => Promise<Hex>): Promise<number> {
    await nextBlockAt();
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await transaction() });
    if (receipt.status !== "success") throw new Error(`Transaction ${receipt.transactionHash} reverted.`);
    return Number(receipt.gasUsed);
  }

  await nextBlockAt();
  const registryAddress = (await viem.deployContract("ExecutorRegistry")).address;
  await nextBlockAt();
  const marketAddress = (
    await viem.deployContract("TaskMarket", [
      deployer.account.address,
      registryAddress,
      FEE_BPS,
      feeRecipient.account.address,
    ])
  ).address;
  await nextBlockAt();
  const tokenAddress = (await viem.deployContract("MockERC20", [TOKEN_NAME, "TUSD", TOKEN_DECIMALS])).address;
  await nextBlockAt();
  const attestation = await viem.deployContract("AttestationModule", [marketAddress, "ipfs://attestation-disputes"]);
  await nextBlockAt();
  const optimistic = await viem.deployContract("OptimisticModule", [marketAddress, "ipfs://optimistic-disputes"]);
  await nextBlockAt();
  const review = await viem.deployContract("ReviewModule", [marketAddress, "ipfs://review-disputes"]);
  await nextBlockAt();
  const gatedClaim = await viem.deployContract("GatedClaim", [marketAddress]);
  await nextBlockAt();
  const applicationBoard = await viem.deployContract("ApplicationBoard", [marketAddress]);
  await nextBlockAt();
  const auction = await viem.deployContract("ReverseAuction", [marketAddress]);
  await nextBlockAt();
  const arbitrator = await viem.deployContract("PanelArbitrator", [
    deployer.account.address,
    ARBITRATION_FEE,
    VOTING_PERIOD,
  ]);

  const marketAs = (wallet: typeof deployer) =>
    viem.getContractAt("TaskMarket", marketAddress, { client: { public: publicClient, wallet } });
  const tokenAs = (wallet: typeof deployer) =>
    viem.getContractAt("MockERC20", tokenAddress, { client: { public: publicClient, wallet } });
  const marketByPoster = await marketAs(poster);
  const marketByExecutor = await marketAs(executor);
  const marketByPermitPoster = await marketAs(permitPoster);
  const marketByKeeper = await marketAs(keeper);
  const registryByExecutor = await viem.getContractAt("ExecutorRegistry", registryAddress, {
    client: { public: publicClient, wallet: executor },
  });

  await mine(() =>
    registryByExecutor.write.register([
      ExecutorKind.Agent,
      operator.account.address,
      EXECUTOR_CAPABILITIES,
      "ipfs://bafkreidvbhs33ighmljlvr7zbv2ywwzcmp5adtf4kqvlly67cy56bdtmve",
    ]),
  );
  // Ten bidders: the executor and nine more agents with the same operator.
  const otherBidders = wallets.slice(10, 19);
  for (const bidder of otherBidders) {
    await mine(async () =>
      (
        await viem.getContractAt("ExecutorRegistry", registryAddress, {
          client: { public: publicClient, wallet: bidder },
        })
      ).write.register([ExecutorKind.Agent, operator.account.address, EXECUTOR_CAPABILITIES, "ipfs://bafybidder"]),
    );
  }
  for (const holder of [poster, executor, permitPoster]) {
    await mine(async () =>
      (await tokenAs(holder)).write.mint([holder.account.address, parseUnits("1000000", TOKEN_DECIMALS)]),
    );
  }
  for (const holder of [poster, executor]) {
    await mine(async () => (await tokenAs(holder)).write.approve([marketAddress, maxUint256]));
  }

  const verifierSetId = 1n;
  await mine(() => attestation.write.createVerifierSet([deployer.account.address], { account: deployer.account }));
  for (const verifier of verifiers) {
    await mine(() =>
      attestation.write.addVerifier([verifierSetId, verifier.account.address], { account: deployer.account }),
    );
    await mine(() => attestation.write.bond([verifierSetId], { account: verifier.account, value: ETH_BOND }));
  }
  for (const arbiter of arbiters) {
    await mine(() => arbitrator.write.addArbiter([arbiter.account.address], { account: deployer.account }));
  }
  const attestationConfig = (quorum: number) => ({
    verifierSetId,
    quorum,
    scored: false,
    methodId: zeroHash,
    minBond: ETH_BOND,
    arbitrator: zeroAddress,
    contestWindow: 0,
    slashBps: 0,
  });
  const optimisticConfig = { arbitrator: arbitrator.address, challengeBond: OPTIMISTIC_BOND };
  const reviewConfig = {
    reviewer: reviewer.account.address,
    arbitrator: arbitrator.address,
    contestWindow: CONTEST_WINDOW,
  };
  const chainId = await publicClient.getChainId();

  const terms = (
    token: Address,
    posterAddress: Address,
    createdAt: number,
    milestoneShares: Hex = NO_MILESTONES,
    verifier: Address = zeroAddress,
    verifierConfigHash: Hex = zeroHash,
  ): TaskTerms => {
    const isEth = token === zeroAddress;
    return {
      poster: posterAddress,
      token,
      reward: isEth ? ETH_REWARD : TOKEN_REWARD,
      claimBond: isEth ? ETH_BOND : TOKEN_BOND,
      claimDeadline: createdAt + CLAIM_PERIOD,
      executionWindow: EXECUTION_WINDOW,
      reviewWindow: REVIEW_WINDOW,
      feeBps: FEE_BPS,
      executorKind: ExecutorKind.Agent,
      verifier,
      verifierFee: 0n,
      verifierConfigHash,
      capabilitiesHash: keccak256(concat(REQUIRED_CAPABILITIES)),
      documentHash: keccak256(toHex(`task document ${createdAt}`)),
      milestoneShares,
    };
  };

  interface Task {
    id: bigint;
    terms: TaskTerms;
    gasUsed: number;
  }

  async function createTask(
    token: Address,
    milestoneShares: Hex = NO_MILESTONES,
    verifier: Address = zeroAddress,
    verifierConfigHash: Hex = zeroHash,
  ): Promise<Task> {
    const id = (await marketByPoster.read.nextTaskId()) as bigint;
    const createdAt = clock + BLOCK_INTERVAL;
    const taskTerms = terms(token, poster.account.address, createdAt, milestoneShares, verifier, verifierConfigHash);
    // The escrow: the reward and the verifier fee (zero here).
    const value = token === zeroAddress ? taskTerms.reward + taskTerms.verifierFee : 0n;
    const gasUsed = await mine(() =>
      marketByPoster.write.createTask([taskTerms, REQUIRED_CAPABILITIES, DOCUMENT_URI], { value }),
    );
    return { id, terms: taskTerms, gasUsed };
  }

  /** Creates an ETH task with `options`, as `createTask` does without. */
  async function createTaskWithOptions(options: TaskOptions): Promise<Task> {
    const id = (await marketByPoster.read.nextTaskId()) as bigint;
    const taskTerms = terms(zeroAddress, poster.account.address, clock + BLOCK_INTERVAL);
    const gasUsed = await mine(() =>
      marketByPoster.write.createTaskWithOptions([taskTerms, options, REQUIRED_CAPABILITIES, DOCUMENT_URI], {
        value: taskTerms.reward,
      }),
    );
    return { id, terms: taskTerms, gasUsed };
  }

  const requirements = (dependencies: bigint[], minCompleted = 0) => ({
    minCompleted,
    maxDisputesLostBps: 10_000,
    dependencies,
  });

  async function createTaskWithPermit(): Promise<Task> {
    const id = (await marketByPermitPoster.read.nextTaskId()) as bigint;
    const owner = permitPoster.account.address;
    const taskTerms = terms(tokenAddress, owner, clock + BLOCK_INTERVAL);
    const deadline = BigInt(clock + BLOCK_INTERVAL + 60 * 60);
    const nonce = (await (await tokenAs(permitPoster)).read.nonces([owner])) as bigint;
    const signature = await permitPoster.signTypedData({
      domain: {
        name: TOKEN_NAME,
        version: "1",
        chainId: await publicClient.getChainId(),
        verifyingContract: tokenAddress,
      },
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
      message: { owner, spender: marketAddress, value: taskTerms.reward + taskTerms.verifierFee, nonce, deadline },
    });
    const permit = {
      deadline,
      v: Number.parseInt(signature.slice(130, 132), 16),
      r: `0x${signature.slice(2, 66)}` as Hex,
      s: `0x${signature.slice(66, 130)}` as Hex,
    };
    const gasUsed = await mine(() =>
      marketByPermitPoster.write.createTaskWithPermit([taskTerms, REQUIRED_CAPABILITIES, DOCUMENT_URI, permit]),
    );
    return { id, terms: taskTerms, gasUsed };
  }

  const claim = (task: Task) =>
    mine(() =>
      marketByExecutor.write.claim([task.id, task.terms, REQUIRED_CAPABILITIES], {
        value: task.terms.token === zeroAddress ? task.terms.claimBond : 0n,
      }),
    );
  const submit = (task: Task) =>
    mine(() =>
      marketByExecutor.write.submit([task.id, task.terms, keccak256(toHex(`result of task ${task.id}`)), RESULT_URI]),
    );
  const approve = (task: Task) => mine(() => marketByPoster.write.approve([task.id, task.terms]));

  /** Creates, claims and submits an ETH task verified by `module` with the configuration hashed to `configHash`. */
  async function submittedModuleTask(module: Address, configHash: Hex): Promise<Task> {
    const task = await createTask(zeroAddress, NO_MILESTONES, module, configHash);
    await claim(task);
    await submit(task);
    return task;
  }

  /** A quorum of `count` approving attestations of the task's current submission, signed by the first verifiers. */
  async function attestations(task: Task, count: number) {
    const state = (await marketByKeeper.read.stateOf([task.id])) as { reviewDeadline: number };
    const submissionHash = (await marketByKeeper.read.submissionOf([task.id])) as Hex;
    const domain = moduleDomain("attestation", chainId, attestation.address);
    return Promise.all(
      verifiers.slice(0, count).map(async (verifier, index) => {
        const message = {
          taskId: task.id,
          milestone: 0,
          submissionHash,
          reviewDeadline: state.reviewDeadline,
          approved: true,
          scoreBps: 10_000,
          methodId: zeroHash,
          evidenceHash: keccak256(toHex(`evidence ${task.id} ${index}`)),
          deadline: BigInt(clock + DAY),
          nonce: BigInt(index),
        };
        const signature = await verifier.signTypedData({
          account: verifier.account,
          ...attestationTypedData(domain, message),
        });
        return {
          signer: verifier.account.address,
          scoreBps: message.scoreBps,
          evidenceHash: message.evidenceHash,
          deadline: message.deadline,
          nonce: message.nonce,
          signature,
        };
      }),
    );
  }

  async function verifyByAttestation(quorum: number): Promise<number> {
    const config = attestationConfig(quorum);
    const task = await submittedModuleTask(attestation.address, (await attestation.read.configHash([config])) as Hex);
    const signed = await attestations(task, quorum);
    const gasUsed = await mine(() =>
      attestation.write.submitVerdict([task.id, task.terms, config, { approved: true, methodId: zeroHash }, signed], {
        account: keeper.account,
      }),
    );
    await expectStatus(task, TaskStatus.Settled);
    return gasUsed;
  }

  async function expectStatus(task: Task, expected: TaskStatus): Promise<void> {
    const status = Number(await marketByKeeper.read.statusOf([task.id]));
    if (status !== expected) throw new Error(`Task ${task.id} ended in status ${status}, expected ${expected}.`);
  }

  async function runPass(): Promise<GasFigures> {
    // The full ETH lifecycle, without `start`: create, claim, submit, approve.
    const ethTask = await createTask(zeroAddress);
    const claimGas = await claim(ethTask);
    const submitGas = await submit(ethTask);
    const approveEthGas = await approve(ethTask);

    // A second ETH task goes through `start` and a checkpoint, and is later released in silence.
    const releasedTask = await createTask(zeroAddress);
    await claim(releasedTask);
    const startGas = await mine(() => marketByExecutor.write.start([releasedTask.id]));
    const checkpointGas = await mine(() =>
      marketByExecutor.write.checkpoint([
        releasedTask.id,
        50,
        keccak256(toHex(`progress of task ${releasedTask.id}`)),
        PROGRESS_URI,
      ]),
    );
    await submit(releasedTask);

    const tokenTask = await createTask(tokenAddress);
    await claim(tokenTask);
    await submit(tokenTask);
    const approveTokenGas = await approve(tokenTask);

    const permitTask = await createTaskWithPermit();
    await mine(() => marketByPermitPoster.write.cancel([permitTask.id, permitTask.terms]));

    const cancelledTask = await createTask(zeroAddress);
    const cancelGas = await mine(() => marketByPoster.write.cancel([cancelledTask.id, cancelledTask.terms]));

    const expiredTask = await createTask(zeroAddress);

    // A task paid in two milestones: the first approval settles the first milestone and sends the executor back to
    // work; the second settles the task.
    const milestoneTask = await createTask(zeroAddress, MILESTONE_SHARES);
    await claim(milestoneTask);
    await submit(milestoneTask);
    const milestoneSettleGas = await approve(milestoneTask);
    await expectStatus(milestoneTask, TaskStatus.InProgress);
    await submit(milestoneTask);
    await approve(milestoneTask);

    const verifyAttest1Gas = await verifyByAttestation(1);
    const verifyAttest3Gas = await verifyByAttestation(3);

    // A swarm parent: half of its reward may fund subtasks.
    const parent = await createTaskWithOptions({
      assigner: zeroAddress,
      subtaskBudget: ETH_REWARD / 2n,
      assignerConfigHash: zeroHash,
    });
    await claim(parent);
    const subtaskTerms = {
      ...terms(zeroAddress, executor.account.address, clock + BLOCK_INTERVAL),
      reward: ETH_REWARD / 4n,
      claimBond: 0n,
    };
    const createSubtaskGas = await mine(() =>
      marketByExecutor.write.createSubtask([
        parent.id,
        parent.terms,
        subtaskTerms,
        NO_OPTIONS,
        REQUIRED_CAPABILITIES,
        DOCUMENT_URI,
      ]),
    );

    // A task behind a reputation gate and three settled dependencies, claimed through GatedClaim.
    const gateConfig = { requirements: requirements([ethTask.id, tokenTask.id, milestoneTask.id], 1) };
    const gatedTask = await createTaskWithOptions({
      assigner: gatedClaim.address,
      subtaskBudget: 0n,
      assignerConfigHash: (await gatedClaim.read.configHash([gateConfig])) as Hex,
    });
    const claimWithDeps3Gas = await mine(() =>
      gatedClaim.write.claim([gatedTask.id, gatedTask.terms, gateConfig, REQUIRED_CAPABILITIES], {
        account: executor.account,
        value: gatedTask.terms.claimBond,
      }),
    );

    // Applications: the executor applies, the poster assigns it.
    const boardConfig = { requirements: requirements([]), applicationDeadline: 0 };
    const boardTask = await createTaskWithOptions({
      assigner: applicationBoard.address,
      subtaskBudget: 0n,
      assignerConfigHash: (await applicationBoard.read.configHash([boardConfig])) as Hex,
    });
    const applyGas = await mine(() =>
      applicationBoard.write.submitApplication(
        [
          boardTask.id,
          boardTask.terms,
          boardConfig,
          RESULT_URI,
          keccak256(toHex(`application to ${boardTask.id}`)),
          REQUIRED_CAPABILITIES,
        ],
        { account: executor.account, value: boardTask.terms.claimBond },
      ),
    );
    const assignGas = await mine(() =>
      applicationBoard.write.assign(
        [boardTask.id, boardTask.terms, boardConfig, executor.account.address, REQUIRED_CAPABILITIES],
        { account: poster.account },
      ),
    );

    // An open reverse auction with ten bids, finalized by a keeper after the award window.
    const auctionConfig = {
      requirements: requirements([]),
      biddingEnd: clock + BLOCK_INTERVAL + DAY,
      revealEnd: 0,
      bidBond: 0n,
      priceWeightBps: 5_000,
      awardWindow: DAY / 2,
    };
    const auctionTask = await createTaskWithOptions({
      assigner: auction.address,
      subtaskBudget: 0n,
      assignerConfigHash: (await auction.read.configHash([auctionConfig])) as Hex,
    });
    const bidOf = (bidder: typeof executor, index: number) =>
      auction.write.bid(
        [
          auctionTask.id,
          auctionTask.terms,
          auctionConfig,
          auctionTask.terms.reward - BigInt(index + 1) * parseEther("0.01"),
          EXECUTION_WINDOW / 2,
          REQUIRED_CAPABILITIES,
        ],
        { account: bidder.account, value: auctionTask.terms.claimBond },
      );
    for (const [index, bidder] of otherBidders.entries()) await mine(() => bidOf(bidder, index));
    const bidGas = await mine(() => bidOf(executor, otherBidders.length));
    if (((await auction.read.bidsOf([auctionTask.id])) as unknown[]).length !== 10) {
      throw new Error("The auction does not hold ten bids.");
    }
    for (const task of [parent, gatedTask, boardTask]) await expectStatus(task, TaskStatus.Claimed);

    const optimisticTask = await submittedModuleTask(
      optimistic.address,
      (await optimistic.read.configHash([optimisticConfig])) as Hex,
    );

    // A rejection put up for contest, disputed by the executor, ruled 60 % by the panel and carried out.
    const reviewConfigHash = (await review.read.configHash([reviewConfig])) as Hex;
    const disputedTask = await submittedModuleTask(review.address, reviewConfigHash);
    await mine(() =>
      review.write.reject([disputedTask.id, disputedTask.terms, reviewConfig, keccak256(toHex("not done"))], {
        account: reviewer.account,
      }),
    );
    const disputeOpenGas = await mine(() =>
      review.write.dispute([disputedTask.id, disputedTask.terms, reviewConfig], {
        account: executor.account,
        value: ARBITRATION_FEE,
      }),
    );
    await mine(() =>
      review.write.respond([disputedTask.id, disputedTask.terms], { account: poster.account, value: ARBITRATION_FEE }),
    );
    const { arbitratorDisputeId } = (await review.read.contestOf([disputedTask.id])) as {
      arbitratorDisputeId: bigint;
    };
    await mine(() =>
      arbitrator.write.vote([arbitratorDisputeId, RULING_SIXTY_PERCENT], { account: arbiters[0]!.account }),
    );
    const disputeRuleGas = await mine(() =>
      arbitrator.write.vote([arbitratorDisputeId, RULING_SIXTY_PERCENT], { account: arbiters[1]!.account }),
    );
    const disputeExecuteGas = await mine(() =>
      review.write.executeRuling([disputedTask.id, disputedTask.terms], { account: keeper.account }),
    );

    await nextBlockAt(REVIEW_WINDOW);
    const releaseGas = await mine(() => marketByKeeper.write.release([releasedTask.id, releasedTask.terms]));
    const optimisticFinalizeGas = await mine(() =>
      marketByKeeper.write.release([optimisticTask.id, optimisticTask.terms]),
    );
    const auctionFinalizeGas = await mine(() =>
      auction.write.finalize([auctionTask.id, auctionTask.terms, auctionConfig, REQUIRED_CAPABILITIES], {
        account: keeper.account,
      }),
    );
    await expectStatus(auctionTask, TaskStatus.Claimed);

    await nextBlockAt(CLAIM_PERIOD);
    const refundGas = await mine(() => marketByKeeper.write.refundExpired([expiredTask.id, expiredTask.terms]));

    // A figure taken from a path other than the one named would be worse than none.
    for (const task of [ethTask, releasedTask, tokenTask, milestoneTask, optimisticTask, disputedTask]) {
      await expectStatus(task, TaskStatus.Settled);
    }
    for (const task of [permitTask, cancelledTask]) await expectStatus(task, TaskStatus.Cancelled);

    await expectStatus(expiredTask, TaskStatus.Expired);

    return {
      createTask_eth: ethTask.gasUsed,
      createTask_erc20: tokenTask.gasUsed,
      createTask_permit: permitTask.gasUsed,
      claim: claimGas,
      start: startGas,
      checkpoint: checkpointGas,
      submit: submitGas,
      approve_settle_eth: approveEthGas,
      approve_settle_erc20: approveTokenGas,
      milestoneSettle: milestoneSettleGas,
      autoRelease: releaseGas,
      refundExpired: refundGas,
      cancel: cancelGas,
      lifecycle_eth: ethTask.gasUsed + claimGas + submitGas + approveEthGas,
      verifyAttest1_settle: verifyAttest1Gas,
      verifyAttest3_settle: verifyAttest3Gas,
      optimisticFinalize: optimisticFinalizeGas,
      disputeOpen: disputeOpenGas,
      disputeRule: disputeRuleGas,
      disputeExecute: disputeExecuteGas,
      createSubtask: createSubtaskGas,
      claimWithDeps3: claimWithDeps3Gas,
      apply: applyGas,
      assign: assignGas,
      bid: bidGas,
      auctionFinalize_10bids: auctionFinalizeGas,
    };
  }

  await runPass(); // warm-up: the first call of every kind pays for slots that a live market has already written
  return runPass();
}
