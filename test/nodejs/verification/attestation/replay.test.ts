/**
 * Replays: an attestation is good for one submission round only. Each test builds a second round that matches the
 * first in everything but the one thing that must tell them apart (the task, the milestone, the review deadline of a
 * resubmission, the chain, the contract), settles the first with its attestations, and shows that they do not settle
 * the second.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";

import { network } from "hardhat";
import { getAddress, recoverTypedDataAddress } from "viem";

import { attestationTypedData, moduleDomain, type AttestationMessage } from "../../../../src/protocol/eip712.js";
import { packMilestoneShares } from "../../../../src/protocol/terms.js";
import {
  BPS,
  CLAIM_BOND,
  ETH,
  FEE_BPS,
  META_EVIDENCE_URI,
  QUORUM_REJECTION_REASON,
  REVIEW_WINDOW,
  REWARD,
  RESULT_HASH,
  TaskStatus,
  VERIFIER_BOND,
  assertBalanceDeltas,
  attestAll,
  balancesOf,
  claimTask,
  createVerifierSet,
  currentRound,
  deployAttestationFixture,
  domainOf,
  eventsOf,
  immediateConfig,
  latestTimestamp,
  postTask,
  send,
  split,
  stateOf,
  statusOf,
  submitVerdict,
  submitWork,
  verdictOf,
  type AttestationFixture,
  type Round,
  type SignedAttestation,
  type Task,
} from "./helpers.js";

const { viem, networkHelpers } = await network.create();

const OTHER_CHAIN_ID = 31_338;

async function assertInvalidSignature(
  fixture: AttestationFixture,
  task: Task,
  attestations: readonly SignedAttestation[],
  approved = true,
): Promise<void> {
  await viem.assertions.revertWithCustomErrorWithArgs(
    submitVerdict(fixture, task, verdictOf(approved), attestations),
    fixture.module,
    "AttestationModule_InvalidSignature",
    [attestations[0].signer],
  );
}

/** Posts a task and has the executor claim it. */
async function claimedTask(
  fixture: AttestationFixture,
  config: Task["config"],
  overrides: Partial<Task["terms"]> = {},
): Promise<Task> {
  const { taskId, terms } = await postTask(fixture, config, overrides);
  const task = { taskId, terms, config };
  await claimTask(fixture, task);
  return task;
}

/** Submits `RESULT_HASH` in a block with timestamp `at`. */
async function submitAt(fixture: AttestationFixture, helpers: typeof networkHelpers, task: Task, at: number) {
  await helpers.time.setNextBlockTimestamp(at);
  await submitWork(fixture, task);
}

describe("AttestationModule: attestations cannot be replayed", () => {
  it("across tasks: an attestation of task A does not settle task B with the same result and deadlines", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const config = immediateConfig(fixture, { quorum: 2 });
    // A's review window is a second longer and B is submitted a second later: both reviews end together.
    const taskA = await claimedTask(fixture, config, { reviewWindow: REVIEW_WINDOW + 1 });
    const taskB = await claimedTask(fixture, config);
    const start = (await latestTimestamp(fixture)) + 1_000;
    await submitAt(fixture, networkHelpers, taskA, start);
    await submitAt(fixture, networkHelpers, taskB, start + 1);
    const [roundA, roundB] = [await currentRound(fixture, taskA), await currentRound(fixture, taskB)];
    assert.notEqual(roundA.taskId, roundB.taskId);
    assert.deepEqual({ ...roundA, taskId: 0n }, { ...roundB, taskId: 0n }, "the rounds differ only in the task");

    const signers = fixture.verifiers.slice(0, 2);
    const forA = await attestAll(fixture, taskA, signers);
    await send(fixture, submitVerdict(fixture, taskA, verdictOf(true), forA));
    assert.equal(await statusOf(fixture, taskA.taskId), TaskStatus.Settled);

    await assertInvalidSignature(fixture, taskB, forA);
    // Nor before A is settled, had it been tried first: the task id alone tells the rounds apart.
    await assertInvalidSignature(
      fixture,
      taskB,
      await attestAll(fixture, taskB, signers, { round: { taskId: taskA.taskId } }),
    );
    await send(fixture, submitVerdict(fixture, taskB, verdictOf(true), await attestAll(fixture, taskB, signers)));
    assert.equal(await statusOf(fixture, taskB.taskId), TaskStatus.Settled);
  });

  it("across milestones: an attestation of milestone 0 does not settle milestone 1 with the same result", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { market, module, poster, executor, relayer, feeRecipient } = fixture;
    const config = immediateConfig(fixture, { quorum: 2 });
    const { taskId, terms } = await postTask(fixture, config, { milestoneShares: packMilestoneShares([4_000, 6_000]) });
    const task: Task = { taskId, terms, config };
    await claimTask(fixture, task);
    await submitWork(fixture, task);
    const signers = fixture.verifiers.slice(0, 2);
    const forMilestone0 = await attestAll(fixture, task, signers);
    assert.equal((await currentRound(fixture, task)).milestone, 0);

    const accounts = [market.address, module.address, poster.address, executor.address, relayer.address, feeRecipient];
    let before = await balancesOf(fixture, accounts);
    const first = await send(fixture, submitVerdict(fixture, task, verdictOf(true), forMilestone0));
    const milestone0 = (REWARD * 4_000n) / BigInt(BPS);
    const paid0 = split(milestone0, BPS);
    await assertBalanceDeltas(
      fixture,
      before,
      [
        [market.address, -paid0.payout],
        [module.address, 0n],
        [poster.address, 0n],
        [executor.address, paid0.payout],
        [relayer.address, -first.gasCost],
        [feeRecipient, 0n],
      ],
      first.gasCost,
    );
    assert.equal(await statusOf(fixture, taskId), TaskStatus.InProgress);

    // The same result again for milestone 1.
    await submitWork(fixture, task, RESULT_HASH);
    const round1 = await currentRound(fixture, task);
    assert.equal(round1.milestone, 1);
    assert.equal(round1.submissionHash, RESULT_HASH);
    await assertInvalidSignature(fixture, task, forMilestone0);
    // Signed for this round in every field but the milestone: still refused.
    await assertInvalidSignature(fixture, task, await attestAll(fixture, task, signers, { round: { milestone: 0 } }));

    before = await balancesOf(fixture, accounts);
    const second = await send(
      fixture,
      submitVerdict(fixture, task, verdictOf(true), await attestAll(fixture, task, signers)),
    );
    const paid1 = split(REWARD - milestone0, BPS);
    await assertBalanceDeltas(
      fixture,
      before,
      [
        [market.address, -(paid1.payout + CLAIM_BOND)],
        [module.address, 0n],
        [poster.address, 0n],
        [executor.address, paid1.payout + CLAIM_BOND],
        [relayer.address, -second.gasCost],
        [feeRecipient, 0n],
      ],
      second.gasCost,
    );
    assert.equal(await statusOf(fixture, taskId), TaskStatus.Settled);
    assert.equal(await market.read.accruedFeesOf([ETH]), paid0.fee + paid1.fee);
  });

  it("across resubmissions: after a rejection, attestations of the first round do not match the resubmission", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { market } = fixture;
    const config = immediateConfig(fixture, { quorum: 2 });
    const { taskId, terms } = await postTask(fixture, config);
    const task: Task = { taskId, terms, config };
    await claimTask(fixture, task);
    await submitWork(fixture, task);
    const round1 = await currentRound(fixture, task);

    // Round 1: two verifiers approve, three reject; the rejection is submitted.
    const approvals = await attestAll(fixture, task, fixture.verifiers.slice(0, 2), { approved: true });
    const rejections = await attestAll(fixture, task, fixture.verifiers.slice(2, 5), { approved: false });
    const rejected = await send(fixture, submitVerdict(fixture, task, verdictOf(false), rejections));
    assert.deepEqual(
      eventsOf(market, rejected.receipt).map((event) => [event.eventName, event.args.reasonHash]),
      [["SubmissionRejected", QUORUM_REJECTION_REASON]],
    );
    assert.equal((await stateOf(fixture, taskId)).status, TaskStatus.InProgress);

    // Round 2: the very same result, resubmitted.
    await submitWork(fixture, task, RESULT_HASH);
    const round2 = await currentRound(fixture, task);
    assert.notEqual(round2.reviewDeadline, round1.reviewDeadline);
    assert.deepEqual({ ...round2, reviewDeadline: 0 }, { ...round1, reviewDeadline: 0 }, "only the deadline changed");

    await assertInvalidSignature(fixture, task, approvals);
    await assertInvalidSignature(fixture, task, rejections.slice(0, 2), false);
    // The approvals re-signed with the new review deadline, and nothing else changed, settle.
    const resigned = await attestAll(fixture, task, fixture.verifiers.slice(0, 2), { approved: true });
    assert.deepEqual(
      resigned.map(({ signer, scoreBps, evidenceHash, nonce }) => ({ signer, scoreBps, evidenceHash, nonce })),
      approvals.map(({ signer, scoreBps, evidenceHash, nonce }) => ({ signer, scoreBps, evidenceHash, nonce })),
    );
    await send(fixture, submitVerdict(fixture, task, verdictOf(true), resigned));
    assert.equal(await statusOf(fixture, taskId), TaskStatus.Settled);
  });

  it("across contracts: an attestation for another module's identical round does not settle this one", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { publicClient, owner, registry, setAdmin } = fixture;
    // A second market and module: task 1 on each, with the same result and review deadline.
    const market2 = await viem.deployContract("TaskMarket", [
      owner.address,
      registry.address,
      FEE_BPS,
      fixture.feeRecipient,
    ]);
    const module2 = await viem.deployContract("AttestationModule", [market2.address, META_EVIDENCE_URI]);
    const setId2 = await createVerifierSet(publicClient, module2, setAdmin);
    assert.equal(setId2, fixture.setId);
    const signers = fixture.verifiers.slice(0, 2);
    for (const signer of signers) {
      await module2.write.addVerifier([setId2, signer.address], { account: setAdmin.wallet.account });
      await module2.write.bond([setId2], { account: signer.keys.wallet.account, value: VERIFIER_BOND });
    }
    const fixture2: AttestationFixture = { ...fixture, market: market2, module: module2 };
    const config = immediateConfig(fixture, { quorum: 2 });
    const here = await claimedTask(fixture, config, { reviewWindow: REVIEW_WINDOW + 1 });
    const there = await claimedTask(fixture2, config);
    const start = (await latestTimestamp(fixture)) + 1_000;
    await submitAt(fixture, networkHelpers, here, start);
    await submitAt(fixture2, networkHelpers, there, start + 1);
    const [roundHere, roundThere] = [await currentRound(fixture, here), await currentRound(fixture2, there)];
    assert.deepEqual(roundHere, roundThere, "the same round on both modules");
    assert.notEqual(getAddress(module2.address), fixture.module.address);

    const forModule2 = await attestAll(fixture2, there, signers);
    await send(fixture2, submitVerdict(fixture2, there, verdictOf(true), forModule2));
    assert.equal(await statusOf(fixture2, there.taskId), TaskStatus.Settled);
    await assertInvalidSignature(fixture, here, forModule2);
    // Signed in the other module's domain, for this round: refused too.
    await assertInvalidSignature(
      fixture,
      here,
      await attestAll(fixture, here, signers, { domain: domainOf(fixture, module2.address) }),
    );
    await send(fixture, submitVerdict(fixture, here, verdictOf(true), await attestAll(fixture, here, signers)));
    assert.equal(await statusOf(fixture, here.taskId), TaskStatus.Settled);
  });

  describe("across chains", () => {
    const connections: { close(): Promise<void> }[] = [];
    after(async () => {
      for (const connection of connections) await connection.close();
    });

    it("an attestation made on another chain for the same deployment and round does not settle here", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      // The same deployment, by the same accounts in the same order, on a chain with another id: same addresses.
      const other = await network.create({ override: { chainId: OTHER_CHAIN_ID } });
      connections.push(other);
      const fixture2 = await deployAttestationFixture(other);
      assert.equal(fixture2.chainId, OTHER_CHAIN_ID);
      assert.notEqual(fixture.chainId, OTHER_CHAIN_ID);
      assert.equal(fixture2.module.address, fixture.module.address);
      assert.equal(fixture2.market.address, fixture.market.address);

      const config = immediateConfig(fixture, { quorum: 2 });
      const here = await claimedTask(fixture, config);
      const there = await claimedTask(fixture2, config);
      const start = Math.max(await latestTimestamp(fixture), await latestTimestamp(fixture2)) + 1_000;
      await submitAt(fixture, networkHelpers, here, start);
      await submitAt(fixture2, other.networkHelpers, there, start);
      const [roundHere, roundThere]: Round[] = [await currentRound(fixture, here), await currentRound(fixture2, there)];
      assert.deepEqual(roundHere, roundThere, "the same round on both chains");

      const signers = fixture.verifiers.slice(0, 2);
      const onOtherChain = await attestAll(fixture2, there, signers);
      await send(fixture2, submitVerdict(fixture2, there, verdictOf(true), onOtherChain));
      assert.equal(await statusOf(fixture2, there.taskId), TaskStatus.Settled);

      // Each is a good signature in the other chain's domain…
      const message: AttestationMessage = {
        ...roundThere,
        approved: true,
        scoreBps: onOtherChain[0].scoreBps,
        methodId: config.methodId,
        evidenceHash: onOtherChain[0].evidenceHash,
        deadline: onOtherChain[0].deadline,
        nonce: onOtherChain[0].nonce,
      };
      const otherDomain = moduleDomain("attestation", OTHER_CHAIN_ID, fixture.module.address);
      assert.equal(
        await recoverTypedDataAddress({
          ...attestationTypedData(otherDomain, message),
          signature: onOtherChain[0].signature,
        }),
        onOtherChain[0].signer,
      );
      // …and none here.
      await assertInvalidSignature(fixture, here, onOtherChain);
      await send(fixture, submitVerdict(fixture, here, verdictOf(true), await attestAll(fixture, here, signers)));
      assert.equal(await statusOf(fixture, here.taskId), TaskStatus.Settled);
    });
  });
});
