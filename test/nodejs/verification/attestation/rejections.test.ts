import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import {
  concat,
  encodeAbiParameters,
  keccak256,
  parseSignature,
  serializeCompactSignature,
  signatureToCompactSignature,
  zeroAddress,
} from "viem";
import type { Address, Hex } from "viem";

import {
  BPS,
  DAY,
  MIN_BOND,
  OTHER_METHOD_ID,
  REVIEW_WINDOW,
  TaskStatus,
  VERIFIER_BOND,
  attest,
  attestAll,
  claimTask,
  configHashOf,
  contestedConfig,
  createVerifierSet,
  currentRound,
  deployAttestationFixture,
  eventsOf,
  immediateConfig,
  latestTimestamp,
  postTask,
  send,
  statusOf,
  submitVerdict,
  submitWork,
  taskUnderReview,
  toHighS,
  verdictOf,
  type AttestationFixture,
  type AttestationConfig,
  type SignedAttestation,
  type Task,
  type Verifier,
} from "./helpers.js";

const { viem, networkHelpers } = await network.create();

/** A 1-of-N task under review, and a verifier of the set ready to sign for it. */
async function singleSignerTask(fixture: AttestationFixture): Promise<{ task: Task; verifier: Verifier }> {
  const task = await taskUnderReview(fixture, immediateConfig(fixture, { quorum: 1 }));
  return { task, verifier: fixture.verifiers[0] };
}

/** Asserts that `submitVerdict` reverts with the module's `error(args)`. */
async function assertVerdictReverts(
  fixture: AttestationFixture,
  task: Task,
  attestations: readonly SignedAttestation[],
  error: string,
  args: readonly unknown[],
  approved = true,
): Promise<void> {
  await viem.assertions.revertWithCustomErrorWithArgs(
    submitVerdict(fixture, task, verdictOf(approved), attestations),
    fixture.module,
    error,
    [...args],
  );
}

/** Settles the task with `attestations`: the control that shows a failure came from the one thing changed. */
async function assertSettles(
  fixture: AttestationFixture,
  task: Task,
  attestations: readonly SignedAttestation[],
): Promise<void> {
  await send(fixture, submitVerdict(fixture, task, verdictOf(true), attestations));
  assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Settled);
}

/** What the ecrecover precompile returns for `digest` and a 65-byte signature (zero when it cannot recover). */
async function ecrecover(fixture: AttestationFixture, digest: Hex, signature: Hex): Promise<Address> {
  const { r, s, v } = parseSignature(signature);
  const { data } = await fixture.publicClient.call({
    to: "0x0000000000000000000000000000000000000001",
    data: concat([
      digest,
      encodeAbiParameters([{ type: "uint8" }, { type: "bytes32" }, { type: "bytes32" }], [Number(v), r, s]),
    ]),
  });
  return data === undefined || data === "0x" ? zeroAddress : (`0x${data.slice(26)}` as Address);
}

describe("AttestationModule: rejected signatures and verdicts", () => {
  describe("signers", () => {
    it("rejects a signature made by another key than the named signer", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { task, verifier } = await singleSignerTask(fixture);
      const byOther = await attest(fixture, task, { address: verifier.address, keys: fixture.verifiers[1].keys });
      await assertVerdictReverts(fixture, task, [byOther], "AttestationModule_InvalidSignature", [verifier.address]);
      // Signed by a key from outside the set, in a member's name.
      const byOutsider = await attest(fixture, task, { address: verifier.address, keys: fixture.outsider });
      await assertVerdictReverts(fixture, task, [byOutsider], "AttestationModule_InvalidSignature", [verifier.address]);
      await assertSettles(fixture, task, [await attest(fixture, task, verifier)]);
    });

    it("rejects a duplicate signer and signers out of ascending order", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const task = await taskUnderReview(fixture, immediateConfig(fixture, { quorum: 2 }));
      const [first, second, third] = await attestAll(fixture, task, fixture.verifiers.slice(0, 3));
      await assertVerdictReverts(fixture, task, [first, first], "AttestationModule_SignersNotAscending", [1n]);
      await assertVerdictReverts(fixture, task, [second, first], "AttestationModule_SignersNotAscending", [1n]);
      await assertVerdictReverts(fixture, task, [first, third, second], "AttestationModule_SignersNotAscending", [2n]);
      // The same attestation twice, separated by another: still a duplicate, caught by the order.
      await assertVerdictReverts(fixture, task, [first, second, first], "AttestationModule_SignersNotAscending", [2n]);
      // The zero address can never come first.
      await assertVerdictReverts(
        fixture,
        task,
        [{ ...first, signer: zeroAddress }, second],
        "AttestationModule_SignersNotAscending",
        [0n],
      );
      await assertSettles(fixture, task, [first, third]);
    });

    it("rejects a signer that is not in the verifier set", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { task } = await singleSignerTask(fixture);
      const { outsider, setId } = fixture;
      const attestation = await attest(fixture, task, { address: outsider.address, keys: outsider });
      await assertVerdictReverts(fixture, task, [attestation], "AttestationModule_NotActiveVerifier", [
        setId,
        outsider.address,
      ]);
      // A bond alone does not make a member.
      await fixture.module.write.bond([setId], { account: outsider.wallet.account, value: VERIFIER_BOND });
      assert.equal(await fixture.module.read.isActiveVerifier([setId, outsider.address, 0n]), false);
      await assertVerdictReverts(fixture, task, [attestation], "AttestationModule_NotActiveVerifier", [
        setId,
        outsider.address,
      ]);
    });

    it("rejects a member of another verifier set than the configuration's", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { module, setAdmin, outsider, publicClient } = fixture;
      const otherSet = await createVerifierSet(publicClient, module, setAdmin);
      await module.write.addVerifier([otherSet, outsider.address], { account: setAdmin.wallet.account });
      const { task } = await singleSignerTask(fixture);
      const attestation = await attest(fixture, task, { address: outsider.address, keys: outsider });
      await assertVerdictReverts(fixture, task, [attestation], "AttestationModule_NotActiveVerifier", [
        fixture.setId,
        outsider.address,
      ]);
    });

    it("rejects a revoked signer", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { task, verifier } = await singleSignerTask(fixture);
      const attestation = await attest(fixture, task, verifier);
      await fixture.module.write.revokeVerifier([fixture.setId, verifier.address], {
        account: fixture.setAdmin.wallet.account,
      });
      await assertVerdictReverts(fixture, task, [attestation], "AttestationModule_NotActiveVerifier", [
        fixture.setId,
        verifier.address,
      ]);
      await assertSettles(fixture, task, [await attest(fixture, task, fixture.verifiers[1])]);
    });

    it("rejects a rotated-out signer and accepts the key it was rotated to", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { module, setId, setAdmin, outsider } = fixture;
      const { task, verifier } = await singleSignerTask(fixture);
      const oldKey = await attest(fixture, task, verifier);
      await module.write.rotateVerifier([setId, verifier.address, outsider.address], {
        account: setAdmin.wallet.account,
      });
      await assertVerdictReverts(fixture, task, [oldKey], "AttestationModule_NotActiveVerifier", [
        setId,
        verifier.address,
      ]);
      const newKey = await attest(fixture, task, { address: outsider.address, keys: outsider });
      // The new key must post its own bond before it can sign.
      await assertVerdictReverts(fixture, task, [newKey], "AttestationModule_NotActiveVerifier", [
        setId,
        outsider.address,
      ]);
      await module.write.bond([setId], { account: outsider.wallet.account, value: MIN_BOND });
      await assertSettles(fixture, task, [newKey]);
    });

    it("rejects a signer bonded below the task's minimum bond, until it tops its bond up", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { module, setId } = fixture;
      const verifier = fixture.verifiers[0];
      // A task that wants more at stake than the members have bonded.
      const minBond = VERIFIER_BOND + 1n;
      const task = await taskUnderReview(fixture, immediateConfig(fixture, { quorum: 1, minBond }));
      const attestation = await attest(fixture, task, verifier);
      assert.equal(await module.read.isActiveVerifier([setId, verifier.address, minBond]), false);
      assert.equal(await module.read.isActiveVerifier([setId, verifier.address, VERIFIER_BOND]), true);
      await assertVerdictReverts(fixture, task, [attestation], "AttestationModule_NotActiveVerifier", [
        setId,
        verifier.address,
      ]);
      // The same signer, with the same bond, is good for a task asking less.
      const modest = await taskUnderReview(fixture, immediateConfig(fixture, { quorum: 1, minBond: VERIFIER_BOND }));
      await assertSettles(fixture, modest, [await attest(fixture, modest, verifier)]);
      // One more wei of bond and it may sign for the first task.
      await module.write.bond([setId], { account: verifier.keys.wallet.account, value: 1n });
      assert.equal(await module.read.isActiveVerifier([setId, verifier.address, minBond]), true);
      await assertSettles(fixture, task, [attestation]);
    });

    it("rejects a signer that left the set and is unbonding", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { task, verifier } = await singleSignerTask(fixture);
      const attestation = await attest(fixture, task, verifier);
      await fixture.module.write.leave([fixture.setId], { account: verifier.keys.wallet.account });
      await assertVerdictReverts(fixture, task, [attestation], "AttestationModule_NotActiveVerifier", [
        fixture.setId,
        verifier.address,
      ]);
    });

    it("rejects the poster and the executor as signers, even as bonded members", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { module, setId, setAdmin, poster, executor } = fixture;
      for (const party of [poster, executor]) {
        await module.write.addVerifier([setId, party.address], { account: setAdmin.wallet.account });
        await module.write.bond([setId], { account: party.wallet.account, value: VERIFIER_BOND });
        assert.equal(await module.read.isActiveVerifier([setId, party.address, VERIFIER_BOND]), true);
      }
      const { task } = await singleSignerTask(fixture);
      for (const party of [poster, executor]) {
        const attestation = await attest(fixture, task, { address: party.address, keys: party });
        await assertVerdictReverts(fixture, task, [attestation], "AttestationModule_SignerIsParty", [
          task.taskId,
          party.address,
        ]);
      }
    });
  });

  describe("signature encoding", () => {
    it("rejects the high-s twin of a valid signature, which ecrecover itself accepts", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { task, verifier } = await singleSignerTask(fixture);
      const attestation = await attest(fixture, task, verifier);
      const highS = toHighS(attestation.signature);
      assert.ok(
        BigInt(`0x${highS.slice(66, 130)}`) > 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n,
      );
      const round = await currentRound(fixture, task);
      const digest = (await fixture.module.read.attestationDigest([
        round.taskId,
        round.milestone,
        round.submissionHash,
        round.reviewDeadline,
        true,
        attestation.scoreBps,
        task.config.methodId,
        attestation.evidenceHash,
        attestation.deadline,
        attestation.nonce,
      ])) as Hex;
      assert.equal(await ecrecover(fixture, digest, attestation.signature), verifier.address.toLowerCase());
      assert.equal(await ecrecover(fixture, digest, highS), verifier.address.toLowerCase(), "malleable twin");
      await assertVerdictReverts(
        fixture,
        task,
        [{ ...attestation, signature: highS }],
        "AttestationModule_InvalidSignature",
        [verifier.address],
      );
      await assertSettles(fixture, task, [attestation]);
    });

    it("rejects signatures of the wrong length: empty, EIP-2098 compact (64 bytes), and 66 bytes", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { task, verifier } = await singleSignerTask(fixture);
      const attestation = await attest(fixture, task, verifier);
      const compact = serializeCompactSignature(signatureToCompactSignature(parseSignature(attestation.signature)));
      assert.equal((compact.length - 2) / 2, 64);
      for (const signature of ["0x", compact, concat([attestation.signature, "0x00"])] as Hex[]) {
        await assertVerdictReverts(
          fixture,
          task,
          [{ ...attestation, signature }],
          "AttestationModule_InvalidSignature",
          [verifier.address],
        );
      }
      // A wrong recovery byte.
      const badV = `${attestation.signature.slice(0, 130)}1d` as Hex;
      await assertVerdictReverts(
        fixture,
        task,
        [{ ...attestation, signature: badV }],
        "AttestationModule_InvalidSignature",
        [verifier.address],
      );
      await assertSettles(fixture, task, [attestation]);
    });
  });

  describe("what an attestation binds", () => {
    it("rejects an attestation past its deadline, and accepts one in the block of its deadline", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { task, verifier } = await singleSignerTask(fixture);
      const deadline = BigInt((await latestTimestamp(fixture)) + 3600);
      const attestation = await attest(fixture, task, verifier, { deadline });
      await networkHelpers.time.setNextBlockTimestamp(deadline + 1n);
      await assertVerdictReverts(fixture, task, [attestation], "AttestationModule_AttestationExpired", [
        verifier.address,
        deadline,
      ]);

      const second = await taskUnderReview(fixture, immediateConfig(fixture, { quorum: 1 }));
      const onTime = BigInt((await latestTimestamp(fixture)) + 3600);
      const inTime = await attest(fixture, second, verifier, { deadline: onTime });
      await networkHelpers.time.setNextBlockTimestamp(onTime);
      await assertSettles(fixture, second, [inTime]);
    });

    it("rejects attestations of another verdict, score or method than the one submitted", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { task, verifier } = await singleSignerTask(fixture);
      // Signed as an approval, submitted as a rejection.
      const approval = await attest(fixture, task, verifier, { approved: true });
      await assertVerdictReverts(
        fixture,
        task,
        [approval],
        "AttestationModule_InvalidSignature",
        [verifier.address],
        false,
      );
      // Signed with a score of 60 %, submitted as 100 %.
      const partial = await attest(fixture, task, verifier, { scoreBps: 6_000 });
      await assertVerdictReverts(fixture, task, [{ ...partial, scoreBps: BPS }], "AttestationModule_InvalidSignature", [
        verifier.address,
      ]);
      // Another nonce, evidence or deadline than signed.
      await assertVerdictReverts(fixture, task, [{ ...approval, nonce: 2n }], "AttestationModule_InvalidSignature", [
        verifier.address,
      ]);
      await assertVerdictReverts(
        fixture,
        task,
        [{ ...approval, evidenceHash: keccak256(approval.evidenceHash) }],
        "AttestationModule_InvalidSignature",
        [verifier.address],
      );
      await assertVerdictReverts(
        fixture,
        task,
        [{ ...approval, deadline: approval.deadline + 1n }],
        "AttestationModule_InvalidSignature",
        [verifier.address],
      );
      // Signed for another method than the configuration's: the verdict must name the configured method, and the
      // attestations must sign the method the verdict names.
      const otherMethod = await attest(fixture, task, verifier, { methodId: OTHER_METHOD_ID });
      await assertVerdictReverts(fixture, task, [otherMethod], "AttestationModule_InvalidSignature", [
        verifier.address,
      ]);
      await viem.assertions.revertWithCustomErrorWithArgs(
        submitVerdict(fixture, task, verdictOf(true, OTHER_METHOD_ID), [otherMethod]),
        fixture.module,
        "AttestationModule_WrongMethod",
        [task.config.methodId, OTHER_METHOD_ID],
      );
      await assertSettles(fixture, task, [approval]);
    });

    it("accepts any method when the configuration names none, bound to the method the verdict names", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const config = immediateConfig(fixture, { quorum: 1, methodId: `0x${"00".repeat(32)}` });
      const task = await taskUnderReview(fixture, config);
      const verifier = fixture.verifiers[0];
      const attestation = await attest(fixture, task, verifier, { methodId: OTHER_METHOD_ID });
      await viem.assertions.revertWithCustomErrorWithArgs(
        submitVerdict(fixture, task, verdictOf(true), [attestation]),
        fixture.module,
        "AttestationModule_InvalidSignature",
        [verifier.address],
      );
      await send(fixture, submitVerdict(fixture, task, verdictOf(true, OTHER_METHOD_ID), [attestation]));
      assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Settled);
    });

    it("rejects a score above 100 %", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const task = await taskUnderReview(fixture, immediateConfig(fixture, { quorum: 1, scored: true }));
      const attestation = await attest(fixture, task, fixture.verifiers[0], { scoreBps: BPS + 1 });
      await assertVerdictReverts(fixture, task, [attestation], "DisputableModule_InvalidShare", [BigInt(BPS + 1)]);
    });
  });

  describe("quorum, configuration and task state", () => {
    it("rejects fewer attestations than the quorum, and more than MAX_QUORUM", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const task = await taskUnderReview(fixture, immediateConfig(fixture, { quorum: 3 }));
      const attestations = await attestAll(fixture, task, fixture.verifiers.slice(0, 3));
      await assertVerdictReverts(fixture, task, [], "AttestationModule_QuorumNotMet", [task.taskId, 0n, 3n]);
      await assertVerdictReverts(fixture, task, attestations.slice(0, 2), "AttestationModule_QuorumNotMet", [
        task.taskId,
        2n,
        3n,
      ]);
      assert.equal(await fixture.module.read.MAX_QUORUM(), 16n);
      const tooMany = Array.from({ length: 17 }, () => attestations[0]);
      await assertVerdictReverts(fixture, task, tooMany, "AttestationModule_QuorumNotMet", [task.taskId, 17n, 3n]);
      // More than the quorum (up to MAX_QUORUM) is fine: every attestation is checked and counted.
      const all = await attestAll(fixture, task, fixture.verifiers);
      const sent = await send(fixture, submitVerdict(fixture, task, verdictOf(true), all));
      const accepted = eventsOf(fixture.module, sent.receipt).filter(
        (event) => event.eventName === "AttestationAccepted",
      );
      assert.deepEqual(
        accepted.map((event) => event.args.signer),
        all.map((attestation) => attestation.signer),
      );
    });

    it("rejects a configuration or a module the terms do not commit to", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { task, verifier } = await singleSignerTask(fixture);
      const attestation = await attest(fixture, task, verifier);
      const lowered = { ...task.config, quorum: 0 };
      await viem.assertions.revertWithCustomErrorWithArgs(
        submitVerdict(fixture, task, verdictOf(true), [attestation], { config: lowered }),
        fixture.module,
        "VerificationModule_ConfigMismatch",
        [task.taskId, task.terms.verifierConfigHash, configHashOf(lowered)],
      );
      const otherModule = await viem.deployContract("AttestationModule", [fixture.market.address, "ipfs://other"]);
      await viem.assertions.revertWithCustomErrorWithArgs(
        submitVerdict(fixture, task, verdictOf(true), [attestation], { module: otherModule }),
        fixture.module,
        "VerificationModule_NotVerifier",
        [task.taskId, fixture.module.address],
      );
      // Terms that differ from the task's are refused by the market.
      await viem.assertions.revertWithCustomErrorWithArgs(
        submitVerdict(fixture, { ...task, terms: { ...task.terms, reward: task.terms.reward + 1n } }, verdictOf(true), [
          attestation,
        ]),
        fixture.market,
        "TaskMarket_TermsMismatch",
        [task.taskId],
      );
    });

    it("checks the configuration a task committed to: at least one attestation, and a valid contest", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const [verifier] = fixture.verifiers;
      // The market does not read the configuration, so a task can commit to any; the module refuses a quorum of 0 or
      // above MAX_QUORUM on every verdict, so such a task is settled by its review window, never by a verdict.
      const noQuorum = await taskUnderReview(fixture, immediateConfig(fixture, { quorum: 0 }));
      await assertVerdictReverts(
        fixture,
        noQuorum,
        [await attest(fixture, noQuorum, verifier)],
        "AttestationModule_InvalidQuorum",
        [0n, 16n],
      );
      const huge = await taskUnderReview(fixture, immediateConfig(fixture, { quorum: 17 }));
      const six = await attestAll(fixture, huge, fixture.verifiers);
      await assertVerdictReverts(fixture, huge, six, "AttestationModule_InvalidQuorum", [17n, 16n]);
      const one = await taskUnderReview(fixture, immediateConfig(fixture, { quorum: 1 }));
      await assertVerdictReverts(fixture, one, [], "AttestationModule_QuorumNotMet", [one.taskId, 0n, 1n]);

      // A held verdict needs a valid contest configuration.
      const invalid: [Partial<AttestationConfig>, string, unknown[]][] = [
        [{ quorum: 0 }, "AttestationModule_InvalidQuorum", [0n, 16n]],
        [{ quorum: 1, slashBps: BPS + 1 }, "DisputableModule_InvalidShare", [BigInt(BPS + 1)]],
        [
          { quorum: 1, contestWindow: 30 * DAY + 1 },
          "DisputableModule_ContestWindowTooLong",
          [BigInt(30 * DAY + 1), BigInt(30 * DAY)],
        ],
        [{ quorum: 1, arbitrator: zeroAddress }, "VerificationModule_ZeroAddress", []],
      ];
      for (const [overrides, error, args] of invalid) {
        const task = await taskUnderReview(fixture, contestedConfig(fixture, overrides));
        await assertVerdictReverts(fixture, task, [await attest(fixture, task, verifier)], error, args);
      }
    });

    it("rejects a verdict on a task that is not under review", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const config = immediateConfig(fixture, { quorum: 1 });
      const verifier = fixture.verifiers[0];

      // Posted, then claimed and in progress: nothing submitted yet.
      const posted = await postTask(fixture, config);
      const task: Task = { taskId: posted.taskId, terms: posted.terms, config };
      const round = {
        taskId: task.taskId,
        milestone: 0,
        submissionHash: `0x${"00".repeat(32)}` as Hex,
        reviewDeadline: 0,
      };
      const early = await attest(fixture, task, verifier, { fixedRound: round });
      await assertVerdictReverts(fixture, task, [early], "AttestationModule_NotUnderReview", [task.taskId]);
      await claimTask(fixture, task);
      await assertVerdictReverts(fixture, task, [early], "AttestationModule_NotUnderReview", [task.taskId]);

      // Submitted, but the review window has run out: the submission is released in full, not judged.
      await submitWork(fixture, task);
      const late = await attest(fixture, task, verifier, {
        deadline: BigInt((await latestTimestamp(fixture)) + 10 * DAY),
      });
      await networkHelpers.time.increase(REVIEW_WINDOW + 1);
      assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Verified);
      await assertVerdictReverts(fixture, task, [late], "AttestationModule_NotUnderReview", [task.taskId]);

      // Settled.
      await fixture.market.write.release([task.taskId, task.terms], { account: fixture.relayer.wallet.account });
      assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Settled);
      await assertVerdictReverts(fixture, task, [late], "AttestationModule_NotUnderReview", [task.taskId]);
    });

    it("rejects a second verdict on a submission whose verdict is held for contest", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const task = await taskUnderReview(fixture, contestedConfig(fixture, { quorum: 1 }));
      const [verifier, other] = fixture.verifiers;
      const first = await attest(fixture, task, verifier, { approved: false });
      const second = await attest(fixture, task, other, { approved: true });
      await send(fixture, submitVerdict(fixture, task, verdictOf(false), [first]));
      assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Disputed);
      await assertVerdictReverts(fixture, task, [second], "AttestationModule_NotUnderReview", [task.taskId]);
    });
  });
});
