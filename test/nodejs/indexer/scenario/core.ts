/**
 * The core lifecycle of `TaskMarket`, in ETH and in ERC-20s: every transition of docs/protocol.md, the deadlines that
 * decide for a silent party, milestones, ratings, protocol fee changes, push payments that fail and become credits,
 * and creation with a permit. Each flow ends its tasks before the next one moves the clock.
 */
import assert from "node:assert/strict";

import { encodeFunctionData, parseSignature, zeroAddress } from "viem";
import type { Address, Hex } from "viem";

import {
  BPS,
  ETH,
  ExecutorKind,
  TaskStatus,
  milestoneAmounts,
  packMilestoneShares,
  sortCapabilities,
  type TaskTerms,
} from "../../helpers/protocol.js";
import {
  CAPABILITIES,
  CAPABILITY_REVIEW,
  EXECUTION_WINDOW,
  ETH_VERIFIER_FEE,
  HANA_SAFE,
  LATER_TREASURY,
  OPERATORS,
  REVIEW_WINDOW,
  TOKEN_VERIFIER_FEE,
  labelHash,
  splitOf,
  type Party,
  type Scenario,
  type ScenarioTask,
} from "./scenario.js";

async function statusOf(scenario: Scenario, task: ScenarioTask): Promise<number> {
  return Number(await scenario.market.read.statusOf([task.taskId]));
}

async function expectStatus(scenario: Scenario, task: ScenarioTask, status: number): Promise<void> {
  assert.equal(await statusOf(scenario, task), status, `status of task ${task.taskId} (${task.label})`);
}

/** A claim that clears a lapsed one: `ClaimLapsed` of the previous executor comes first. */
function lapse(
  scenario: Scenario,
  task: ScenarioTask,
  executor: Address,
  afterRejection: boolean,
  bondForfeited: bigint,
) {
  return scenario.m("ClaimLapsed", { taskId: task.taskId, executor, afterRejection, bondForfeited });
}

export async function runCoreFlows(scenario: Scenario): Promise<void> {
  const { cast, c } = scenario;
  const { alice, bob, carol, hana, hugo, ada, bert, cyd, rita, wally, owner } = cast;
  const market = scenario.market;
  const token = c.devToken.address;

  // --- An ETH task from claim to settlement, with a start, checkpoints and both ratings. ---
  {
    const task = await scenario.post(
      "core/happy-eth",
      alice,
      await scenario.terms(alice, { executorKind: ExecutorKind.Human }),
    );
    await scenario.claim(task, hana);
    await scenario.start(task, hana);
    await scenario.checkpoint(task, hana, 40);
    await scenario.checkpoint(task, hana, 80);
    await scenario.submit(task, hana);
    await scenario.approve(task, alice);
    await expectStatus(scenario, task, TaskStatus.Settled);
    await scenario.rate(task, alice, hana.address, 5);
    await scenario.rate(task, hana, alice.address, 4);
  }

  // --- An ERC-20 task for an agent, submitted straight from Claimed; then the agent updates its profile. ---
  {
    const task = await scenario.post(
      "core/happy-token",
      bob,
      await scenario.terms(bob, { token, executorKind: ExecutorKind.Agent }),
    );
    await scenario.claim(task, ada);
    await scenario.submit(task, ada);
    await scenario.approve(task, bob);
    await scenario.rate(task, bob, ada.address, 3);
    const capabilities = sortCapabilities([...CAPABILITIES, CAPABILITY_REVIEW]);
    await scenario.send(
      ada,
      c.executorRegistry.write.updateProfile([OPERATORS.adaLater, capabilities, "ipfs://bafyprofile/ada-v2"], {
        account: ada.wallet.account,
      }),
      [
        scenario.ev(c.executorRegistry, "ExecutorUpdated", {
          executor: ada.address,
          operator: OPERATORS.adaLater,
          capabilities,
          metadataURI: "ipfs://bafyprofile/ada-v2",
        }),
      ],
    );
    scenario.note(OPERATORS.adaLater, "new operator of ada");
  }

  // --- Rejected, resubmitted, approved. ---
  {
    const task = await scenario.post("core/reject-resubmit", alice, await scenario.terms(alice));
    await scenario.claim(task, hugo);
    await scenario.start(task, hugo);
    await scenario.submit(task, hugo, 1);
    await scenario.reject(task, alice);
    await expectStatus(scenario, task, TaskStatus.InProgress);
    await scenario.submit(task, hugo, 2);
    await scenario.approve(task, alice);
  }

  // --- Rejected, not resubmitted: the claim lapses as `rejected`, the bond goes to the poster, and another executor
  //     claims the reopened task. ---
  {
    const task = await scenario.post("core/reject-lapse", carol, await scenario.terms(carol, { token }));
    await scenario.claim(task, bert);
    await scenario.submit(task, bert);
    await scenario.reject(task, carol);
    await scenario.chain.increaseTime(EXECUTION_WINDOW + 1);
    await expectStatus(scenario, task, TaskStatus.Posted);
    await scenario.claim(task, hana, [lapse(scenario, task, bert.address, true, task.terms.claimBond)]);
    await scenario.submit(task, hana);
    await scenario.approve(task, carol);
  }

  // --- A silent poster: the review window runs out and anyone releases the payment. ---
  {
    const task = await scenario.post("core/auto-release", bob, await scenario.terms(bob));
    await scenario.claim(task, cyd);
    await scenario.submit(task, cyd);
    await scenario.chain.increaseTime(REVIEW_WINDOW + 1);
    await expectStatus(scenario, task, TaskStatus.Verified);
    await scenario.release(task, wally);
    await scenario.rate(task, cyd, bob.address, 2);
  }

  // --- A silent executor: the claim times out, the task reads Posted again, and another agent takes it. ---
  {
    const task = await scenario.post(
      "core/claim-timeout",
      alice,
      await scenario.terms(alice, { executorKind: ExecutorKind.Agent }),
    );
    await scenario.claim(task, ada);
    await scenario.start(task, ada);
    await scenario.chain.increaseTime(EXECUTION_WINDOW + 1);
    await expectStatus(scenario, task, TaskStatus.Posted);
    await scenario.claim(task, bert, [lapse(scenario, task, ada.address, false, task.terms.claimBond)]);
    await scenario.submit(task, bert);
    await scenario.approve(task, alice);
  }

  // --- A verifier that rejects at the execution deadline: the claim lapses at once and the bond goes back to the
  //     executor, paid by the next claim that clears it. ---
  {
    const task = await scenario.post(
      "core/late-rejection",
      bob,
      await scenario.terms(bob, { executionWindow: 2 * 3600 }),
    );
    const claimed = await scenario.claim(task, hugo);
    // Ten minutes of margin: the node's clock keeps running between the jump and the next transaction.
    const deadline = claimed.timestamp + 2 * 3600;
    await scenario.chain.increaseTo(deadline - 600);
    await scenario.submit(task, hugo);
    await scenario.chain.increaseTo(deadline + 1);
    await scenario.reject(task, bob);
    await expectStatus(scenario, task, TaskStatus.Posted);
    await scenario.claim(task, cyd, [lapse(scenario, task, hugo.address, true, 0n)]);
    await scenario.submit(task, cyd);
    await scenario.approve(task, bob);
  }

  // --- Expiry: one task nobody claims, one whose executor vanishes; anyone refunds them past the claim deadline. ---
  {
    const unclaimed = await scenario.post("core/expired-unclaimed", carol, await scenario.terms(carol, { token }));
    const abandoned = await scenario.post("core/expired-claimed", bob, await scenario.terms(bob));
    await scenario.claim(abandoned, hugo);
    await scenario.chain.increaseTo(Math.max(unclaimed.terms.claimDeadline, abandoned.terms.claimDeadline) + 1);
    await expectStatus(scenario, unclaimed, TaskStatus.Expired);
    await expectStatus(scenario, abandoned, TaskStatus.Expired);
    await scenario.send(
      wally,
      market.write.refundExpired([unclaimed.taskId, unclaimed.terms], { account: wally.wallet.account }),
      [
        scenario.m("TaskExpired", {
          taskId: unclaimed.taskId,
          poster: carol.address,
          refund: unclaimed.terms.reward,
          bondForfeited: 0n,
        }),
      ],
    );
    await scenario.send(
      wally,
      market.write.refundExpired([abandoned.taskId, abandoned.terms], { account: wally.wallet.account }),
      [
        lapse(scenario, abandoned, hugo.address, false, abandoned.terms.claimBond),
        scenario.m("TaskExpired", {
          taskId: abandoned.taskId,
          poster: bob.address,
          refund: abandoned.terms.reward,
          bondForfeited: abandoned.terms.claimBond,
        }),
      ],
    );
  }

  // --- The protocol fee changes: tasks created from now on snapshot the new fee; earlier fees are paid out. ---
  await scenario.send(owner, market.write.setProtocolFee([300], { account: owner.wallet.account }), [
    scenario.m("ProtocolFeeUpdated", { previousFeeBps: 250, newFeeBps: 300 }),
  ]);
  for (const feeToken of [ETH, token]) {
    const accrued = (await market.read.accruedFeesOf([feeToken])) as bigint;
    await scenario.send(wally, market.write.withdrawProtocolFees([feeToken], { account: wally.wallet.account }), [
      scenario.m("ProtocolFeesWithdrawn", {
        token: feeToken,
        recipient: await market.read.feeRecipient(),
        amount: accrued,
      }),
    ]);
  }

  // --- Cancellations: by the poster alone before a claim; by both parties after one. ---
  {
    const task = await scenario.post("core/cancel-posted", alice, await scenario.terms(alice));
    await scenario.send(alice, market.write.cancel([task.taskId, task.terms], { account: alice.wallet.account }), [
      scenario.m("TaskCancelled", {
        taskId: task.taskId,
        poster: alice.address,
        refund: task.terms.reward,
        bondReturned: 0n,
      }),
    ]);
  }
  {
    const task = await scenario.post("core/cancel-mutual", bob, await scenario.terms(bob, { token }));
    await scenario.claim(task, hana);
    await scenario.start(task, hana);
    await scenario.send(bob, market.write.consentToCancel([task.taskId, task.terms], { account: bob.wallet.account }), [
      scenario.m("CancellationConsented", { taskId: task.taskId, party: bob.address }),
    ]);
    await scenario.send(
      hana,
      market.write.consentToCancel([task.taskId, task.terms], { account: hana.wallet.account }),
      [
        scenario.m("CancellationConsented", { taskId: task.taskId, party: hana.address }),
        scenario.m("TaskCancelled", {
          taskId: task.taskId,
          poster: bob.address,
          refund: task.terms.reward,
          bondReturned: task.terms.claimBond,
        }),
      ],
    );
  }

  // --- Milestones: three parts, one of them rejected and resubmitted. ---
  {
    const task = await scenario.post(
      "core/milestones",
      carol,
      await scenario.terms(carol, { milestoneShares: packMilestoneShares([2_000, 3_000, 5_000]) }),
    );
    await scenario.claim(task, ada);
    await scenario.submit(task, ada, 1);
    await scenario.approve(task, carol);
    await expectStatus(scenario, task, TaskStatus.InProgress);
    await scenario.submit(task, ada, 2);
    await scenario.reject(task, carol);
    await scenario.submit(task, ada, 3);
    await scenario.approve(task, carol);
    await scenario.submit(task, ada, 4);
    await scenario.approve(task, carol);
    await expectStatus(scenario, task, TaskStatus.Settled);
    await scenario.rate(task, carol, ada.address, 4);
    await scenario.rate(task, ada, carol.address, 5);
  }

  // --- A delegated reviewer with a fee splits the first of two milestones; the executor then vanishes and the rest
  //     is refunded at expiry. ---
  {
    const task = await scenario.post(
      "core/delegated-milestones-expired",
      alice,
      await scenario.terms(alice, {
        token,
        verifier: rita.address,
        verifierFee: TOKEN_VERIFIER_FEE,
        milestoneShares: packMilestoneShares([4_000, 6_000]),
      }),
    );
    await scenario.claim(task, hugo);
    await scenario.submit(task, hugo);
    const settlement = await scenario.settlementEvents(task, hugo.address, 6_000, { verifierPaid: true });
    await scenario.send(
      rita,
      market.write.resolve([task.taskId, task.terms, 6_000], { account: rita.wallet.account }),
      [
        scenario.m("SubmissionResolved", { taskId: task.taskId, verifier: rita.address, executorShareBps: 6_000 }),
        ...settlement,
      ],
    );
    const [, second] = milestoneAmounts(task.terms.reward, task.terms.milestoneShares);
    await scenario.chain.increaseTo(task.terms.claimDeadline + 1);
    await scenario.send(
      wally,
      market.write.refundExpired([task.taskId, task.terms], { account: wally.wallet.account }),
      [
        lapse(scenario, task, hugo.address, false, task.terms.claimBond),
        scenario.m("TaskExpired", {
          taskId: task.taskId,
          poster: alice.address,
          refund: second,
          bondForfeited: task.terms.claimBond,
        }),
      ],
    );
  }

  // --- A delegated reviewer holds a submission and lets the hold run out: released at the hold's default share. ---
  {
    const task = await scenario.post(
      "core/hold-released",
      bob,
      await scenario.terms(bob, { verifier: rita.address, verifierFee: ETH_VERIFIER_FEE }),
    );
    await scenario.claim(task, cyd);
    const submitted = await scenario.submit(task, cyd);
    const until = submitted.timestamp + 24 * 3600;
    await scenario.send(
      rita,
      market.write.hold([task.taskId, task.terms, until, 7_000], { account: rita.wallet.account }),
      [
        scenario.m("SubmissionHeld", { taskId: task.taskId, verifier: rita.address, until, defaultShareBps: 7_000 }),
        scenario.m("VerifierPaid", { taskId: task.taskId, verifier: rita.address, amount: ETH_VERIFIER_FEE }),
      ],
    );
    await expectStatus(scenario, task, TaskStatus.Disputed);
    await scenario.chain.increaseTo(until + 1);
    await scenario.release(task, wally, 7_000);
  }

  // --- A held submission the delegated reviewer then resolves below half: a dispute lost. ---
  {
    const task = await scenario.post(
      "core/hold-resolved",
      carol,
      await scenario.terms(carol, { verifier: rita.address, verifierFee: ETH_VERIFIER_FEE }),
    );
    await scenario.claim(task, bert);
    const submitted = await scenario.submit(task, bert);
    const until = submitted.timestamp + 24 * 3600;
    await scenario.send(
      rita,
      market.write.hold([task.taskId, task.terms, until, 5_000], { account: rita.wallet.account }),
      [
        scenario.m("SubmissionHeld", { taskId: task.taskId, verifier: rita.address, until, defaultShareBps: 5_000 }),
        scenario.m("VerifierPaid", { taskId: task.taskId, verifier: rita.address, amount: ETH_VERIFIER_FEE }),
      ],
    );
    const settlement = await scenario.settlementEvents(task, bert.address, 3_000);
    await scenario.send(
      rita,
      market.write.resolve([task.taskId, task.terms, 3_000], { account: rita.wallet.account }),
      [
        scenario.m("SubmissionResolved", { taskId: task.taskId, verifier: rita.address, executorShareBps: 3_000 }),
        ...settlement,
      ],
    );
    await scenario.rate(task, carol, bert.address, 1);
  }

  // --- A delegated verifier records a result for the executor and settles it at once. ---
  {
    const task = await scenario.post(
      "core/submit-verified",
      alice,
      await scenario.terms(alice, { verifier: rita.address }),
    );
    await scenario.claim(task, hana);
    const resultHash = labelHash(`verified result ${task.taskId}`);
    const settlement = await scenario.settlementEvents(task, hana.address, BPS);
    await scenario.send(
      rita,
      market.write.submitVerified([task.taskId, task.terms, resultHash, "ipfs://bafyverified"], {
        account: rita.wallet.account,
      }),
      [scenario.m("WorkSubmitted", { taskId: task.taskId, executor: hana.address, resultHash }), ...settlement],
    );
  }

  // --- Payments that fail are credited: an executor contract that refuses ETH withdraws its credit elsewhere. ---
  {
    const { rejecting } = scenario;
    const controller = cast.cora;
    const task = await scenario.post("core/credit-executor", alice, await scenario.terms(alice));
    await scenario.send(
      controller,
      rejecting.write.claim([task.taskId, task.terms, task.capabilities], {
        account: controller.wallet.account,
        value: task.terms.claimBond,
      }),
      [scenario.m("TaskClaimed", { taskId: task.taskId, executor: rejecting.address })],
    );
    await scenario.send(controller, rejecting.write.start([task.taskId], { account: controller.wallet.account }));
    await scenario.send(
      controller,
      rejecting.write.submit([task.taskId, task.terms, labelHash("contract result"), "ipfs://bafycontract"], {
        account: controller.wallet.account,
      }),
    );
    const { payout, fee } = splitOf(task.terms.reward, BPS, task.terms.feeBps);
    await scenario.send(alice, market.write.approve([task.taskId, task.terms], { account: alice.wallet.account }), [
      scenario.m("TaskSettled", { taskId: task.taskId, executor: rejecting.address, payout, fee }),
      scenario.m("PaymentCredited", { account: rejecting.address, token: ETH, amount: payout + task.terms.claimBond }),
    ]);
    await scenario.send(
      controller,
      rejecting.write.withdraw([ETH, controller.address], { account: controller.wallet.account }),
      [
        scenario.m("CreditWithdrawn", {
          account: rejecting.address,
          token: ETH,
          to: controller.address,
          amount: payout + task.terms.claimBond,
        }),
      ],
    );
  }

  // --- A poster contract that refuses ETH cancels its task: the refund is credited and stays there. ---
  {
    const { refusing } = scenario;
    const controller = cast.cora;
    const terms = await scenario.terms(refusing.address);
    const taskId = (await market.read.nextTaskId()) as bigint;
    const documentURI = `ipfs://bafyreconciliationtask/${taskId}`;
    await scenario.send(
      controller,
      refusing.write.execute(
        [
          market.address,
          terms.reward,
          encodeFunctionData({ abi: market.abi, functionName: "createTask", args: [terms, CAPABILITIES, documentURI] }),
        ],
        { account: controller.wallet.account, value: terms.reward },
      ),
      [scenario.m("TaskCreated", { taskId, poster: refusing.address })],
    );
    const task = scenario.enter({
      taskId,
      label: "core/credit-poster",
      terms,
      capabilities: CAPABILITIES,
      documentURI,
      options: { assigner: zeroAddress, subtaskBudget: 0n, assignerConfigHash: `0x${"0".repeat(64)}` },
    });
    await scenario.send(
      controller,
      refusing.write.execute(
        [
          market.address,
          0n,
          encodeFunctionData({ abi: market.abi, functionName: "cancel", args: [task.taskId, terms] }),
        ],
        { account: controller.wallet.account },
      ),
      [
        scenario.m("TaskCancelled", { taskId, poster: refusing.address, refund: terms.reward }),
        scenario.m("PaymentCredited", { account: refusing.address, token: ETH, amount: terms.reward }),
      ],
    );
  }

  // --- A blocklisting token: a blocked executor is credited and withdraws to an address of its choosing. ---
  {
    const blockable = scenario.blockable;
    const task = await scenario.post(
      "core/credit-blocked",
      bob,
      await scenario.terms(bob, { token: blockable.address }),
    );
    await scenario.claim(task, hana);
    await scenario.submit(task, hana);
    await scenario.send(
      cast.cora,
      blockable.write.setBlocked([hana.address, true], { account: cast.cora.wallet.account }),
    );
    const { payout, fee } = splitOf(task.terms.reward, BPS, task.terms.feeBps);
    const credited = payout + task.terms.claimBond;
    await scenario.send(bob, market.write.approve([task.taskId, task.terms], { account: bob.wallet.account }), [
      scenario.m("TaskSettled", { taskId: task.taskId, executor: hana.address, payout, fee }),
      scenario.m("PaymentCredited", { account: hana.address, token: blockable.address, amount: credited }),
    ]);
    await scenario.send(hana, market.write.withdraw([blockable.address, HANA_SAFE], { account: hana.wallet.account }), [
      scenario.m("CreditWithdrawn", {
        account: hana.address,
        token: blockable.address,
        to: HANA_SAFE,
        amount: credited,
      }),
    ]);
    scenario.note(HANA_SAFE, "hana's other wallet");
    await scenario.send(
      cast.cora,
      blockable.write.setBlocked([hana.address, false], { account: cast.cora.wallet.account }),
    );
  }

  // --- ERC-2612: a task funded with a permit instead of an allowance. ---
  {
    const task = await postWithPermit(scenario, "core/permit", carol, await scenario.terms(carol, { token }));
    await scenario.claim(task, bert);
    await scenario.submit(task, bert);
    await scenario.approve(task, carol);
  }

  // --- Administration: a pause stops creation only; the fee recipient moves; the fee changes again. ---
  await scenario.send(owner, market.write.pause([], { account: owner.wallet.account }), [scenario.m("Paused")]);
  await scenario.send(owner, market.write.unpause([], { account: owner.wallet.account }), [scenario.m("Unpaused")]);
  const previousRecipient = (await market.read.feeRecipient()) as Address;
  await scenario.send(owner, market.write.setFeeRecipient([LATER_TREASURY], { account: owner.wallet.account }), [
    scenario.m("FeeRecipientUpdated", { previousRecipient, newRecipient: LATER_TREASURY }),
  ]);
  scenario.note(LATER_TREASURY, "second fee recipient");
  await scenario.send(owner, market.write.setProtocolFee([150], { account: owner.wallet.account }), [
    scenario.m("ProtocolFeeUpdated", { previousFeeBps: 300, newFeeBps: 150 }),
  ]);
}

/** Creates an ERC-20 task with `createTaskWithPermit`, the poster signing the permit through the node. */
export async function postWithPermit(
  scenario: Scenario,
  label: string,
  poster: Party,
  terms: TaskTerms,
  capabilities: Hex[] = CAPABILITIES,
): Promise<ScenarioTask> {
  const { chain, market } = scenario;
  const token = scenario.tokenContract(terms.token);
  const value = terms.reward + terms.verifierFee;
  const nonce = (await token.read.nonces([poster.address])) as bigint;
  const deadline = BigInt((await chain.latestTimestamp()) + 3600);
  const signature = await poster.wallet.signTypedData({
    account: poster.wallet.account,
    domain: {
      name: (await token.read.name()) as string,
      version: "1",
      chainId: chain.chainId,
      verifyingContract: token.address,
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
    message: { owner: poster.address, spender: market.address, value, nonce, deadline },
  });
  const { r, s, v, yParity } = parseSignature(signature);
  const permit = { deadline, v: v !== undefined ? Number(v) : yParity + 27, r, s };
  const taskId = (await market.read.nextTaskId()) as bigint;
  const documentURI = `ipfs://bafyreconciliationtask/${taskId}`;
  await scenario.send(
    poster,
    market.write.createTaskWithPermit([terms, capabilities, documentURI, permit], { account: poster.wallet.account }),
    [scenario.m("TaskCreated", { taskId, poster: poster.address, token: terms.token, terms })],
  );
  return scenario.enter({
    taskId,
    label,
    terms,
    capabilities,
    documentURI,
    options: { assigner: zeroAddress, subtaskBudget: 0n, assignerConfigHash: `0x${"0".repeat(64)}` },
  });
}
