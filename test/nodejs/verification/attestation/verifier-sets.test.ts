import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { zeroAddress } from "viem";

import {
  ARBITRATION_FEE,
  BPS,
  DAY,
  SLASH_BPS,
  UNBONDING_PERIOD,
  VERIFIER_BOND,
  assertBalanceDeltas,
  attestAll,
  balancesOf,
  configHashOf,
  contestedConfig,
  createVerifierSet,
  deployAttestationFixture,
  eventsOf,
  immediateConfig,
  memberOf,
  send,
  submitVerdict,
  taskUnderReview,
  timestampOf,
  verdictOf,
  type AttestationConfig,
  type AttestationFixture,
  type VerifierSet,
} from "./helpers.js";

const { viem, networkHelpers } = await network.create();

async function verifierSetOf(fixture: AttestationFixture, setId: bigint): Promise<VerifierSet> {
  return (await fixture.module.read.verifierSetOf([setId])) as VerifierSet;
}

describe("AttestationModule: verifier sets", () => {
  describe("createVerifierSet and transferVerifierSetAdmin", () => {
    it("creates sets with increasing ids for any admin, anyone may create one", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { module, publicClient, stranger, setAdmin } = fixture;
      assert.equal(fixture.setId, 1n);
      const hash = await module.write.createVerifierSet([setAdmin.address], { account: stranger.wallet.account });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      assert.deepEqual(eventsOf(module, receipt), [
        { eventName: "VerifierSetCreated", args: { setId: 2n, admin: setAdmin.address } },
      ]);
      assert.deepEqual(await verifierSetOf(fixture, 2n), { admin: setAdmin.address, memberCount: 0 });
      assert.equal(await createVerifierSet(publicClient, module, stranger), 3n);
      assert.deepEqual(await verifierSetOf(fixture, 1n), {
        admin: setAdmin.address,
        memberCount: fixture.verifiers.length,
      });
      assert.deepEqual(await verifierSetOf(fixture, 99n), { admin: zeroAddress, memberCount: 0 });
      await viem.assertions.revertWithCustomError(
        module.write.createVerifierSet([zeroAddress], { account: stranger.wallet.account }),
        module,
        "VerificationModule_ZeroAddress",
      );
    });

    it("transfers the admin role; only the admin may, and never to zero", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { module, setId, setAdmin, stranger, outsider } = fixture;
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.transferVerifierSetAdmin([setId, stranger.address], { account: stranger.wallet.account }),
        module,
        "AttestationModule_CallerNotAdmin",
        [setId, stranger.address],
      );
      await viem.assertions.revertWithCustomError(
        module.write.transferVerifierSetAdmin([setId, zeroAddress], { account: setAdmin.wallet.account }),
        module,
        "VerificationModule_ZeroAddress",
      );
      const sent = await send(
        fixture,
        module.write.transferVerifierSetAdmin([setId, stranger.address], { account: setAdmin.wallet.account }),
      );
      assert.deepEqual(eventsOf(module, sent.receipt), [
        {
          eventName: "VerifierSetAdminTransferred",
          args: { setId, previousAdmin: setAdmin.address, newAdmin: stranger.address },
        },
      ]);
      assert.equal((await verifierSetOf(fixture, setId)).admin, stranger.address);
      // The old admin has lost every power; the new one has them.
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.addVerifier([setId, outsider.address], { account: setAdmin.wallet.account }),
        module,
        "AttestationModule_CallerNotAdmin",
        [setId, setAdmin.address],
      );
      await module.write.addVerifier([setId, outsider.address], { account: stranger.wallet.account });
      assert.equal((await memberOf(module, setId, outsider.address)).active, true);
      // A set that does not exist has no admin anyone could be.
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.transferVerifierSetAdmin([42n, stranger.address], { account: stranger.wallet.account }),
        module,
        "AttestationModule_CallerNotAdmin",
        [42n, stranger.address],
      );
    });
  });

  describe("membership", () => {
    it("adds verifiers: admin only, not zero, not twice", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { module, setId, setAdmin, stranger, outsider, verifiers } = fixture;
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.addVerifier([setId, outsider.address], { account: stranger.wallet.account }),
        module,
        "AttestationModule_CallerNotAdmin",
        [setId, stranger.address],
      );
      await viem.assertions.revertWithCustomError(
        module.write.addVerifier([setId, zeroAddress], { account: setAdmin.wallet.account }),
        module,
        "VerificationModule_ZeroAddress",
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.addVerifier([setId, verifiers[0].address], { account: setAdmin.wallet.account }),
        module,
        "AttestationModule_AlreadyMember",
        [setId, verifiers[0].address],
      );
      const sent = await send(
        fixture,
        module.write.addVerifier([setId, outsider.address], { account: setAdmin.wallet.account }),
      );
      assert.deepEqual(eventsOf(module, sent.receipt), [
        { eventName: "VerifierAdded", args: { setId, verifier: outsider.address } },
      ]);
      assert.deepEqual(await memberOf(module, setId, outsider.address), { bond: 0n, active: true, leftAt: 0 });
      assert.equal((await verifierSetOf(fixture, setId)).memberCount, verifiers.length + 1);
      // Active but unbonded: good only for tasks that require no bond.
      assert.equal(await module.read.isActiveVerifier([setId, outsider.address, 0n]), true);
      assert.equal(await module.read.isActiveVerifier([setId, outsider.address, 1n]), false);
    });

    it("revokes a verifier: its bond starts unbonding, and it can be added back", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { module, setId, setAdmin, stranger, outsider, verifiers } = fixture;
      const [verifier] = verifiers;
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.revokeVerifier([setId, verifier.address], { account: stranger.wallet.account }),
        module,
        "AttestationModule_CallerNotAdmin",
        [setId, stranger.address],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.revokeVerifier([setId, outsider.address], { account: setAdmin.wallet.account }),
        module,
        "AttestationModule_NotMember",
        [setId, outsider.address],
      );
      const revoked = await send(
        fixture,
        module.write.revokeVerifier([setId, verifier.address], { account: setAdmin.wallet.account }),
      );
      const revokedAt = await timestampOf(fixture, revoked);
      assert.deepEqual(eventsOf(module, revoked.receipt), [
        { eventName: "VerifierRemoved", args: { setId, verifier: verifier.address, byAdmin: true } },
      ]);
      assert.deepEqual(await memberOf(module, setId, verifier.address), {
        bond: VERIFIER_BOND,
        active: false,
        leftAt: revokedAt,
      });
      assert.equal((await verifierSetOf(fixture, setId)).memberCount, verifiers.length - 1);
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.revokeVerifier([setId, verifier.address], { account: setAdmin.wallet.account }),
        module,
        "AttestationModule_NotMember",
        [setId, verifier.address],
      );
      // Added back, it is active again with its bond, and no longer unbonding.
      await module.write.addVerifier([setId, verifier.address], { account: setAdmin.wallet.account });
      assert.deepEqual(await memberOf(module, setId, verifier.address), {
        bond: VERIFIER_BOND,
        active: true,
        leftAt: 0,
      });
      assert.equal((await verifierSetOf(fixture, setId)).memberCount, verifiers.length);
    });

    it("rotates a verifier's key in one step", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { module, setId, setAdmin, stranger, outsider, walletOwner, verifiers } = fixture;
      const [verifier, other] = verifiers;
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.rotateVerifier([setId, verifier.address, outsider.address], { account: stranger.wallet.account }),
        module,
        "AttestationModule_CallerNotAdmin",
        [setId, stranger.address],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.rotateVerifier([setId, walletOwner.address, outsider.address], {
          account: setAdmin.wallet.account,
        }),
        module,
        "AttestationModule_NotMember",
        [setId, walletOwner.address],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.rotateVerifier([setId, verifier.address, other.address], { account: setAdmin.wallet.account }),
        module,
        "AttestationModule_AlreadyMember",
        [setId, other.address],
      );
      await viem.assertions.revertWithCustomError(
        module.write.rotateVerifier([setId, verifier.address, zeroAddress], { account: setAdmin.wallet.account }),
        module,
        "VerificationModule_ZeroAddress",
      );
      // Nothing changed by the failed rotations.
      assert.equal((await memberOf(module, setId, verifier.address)).active, true);

      const rotated = await send(
        fixture,
        module.write.rotateVerifier([setId, verifier.address, outsider.address], { account: setAdmin.wallet.account }),
      );
      assert.deepEqual(eventsOf(module, rotated.receipt), [
        { eventName: "VerifierRemoved", args: { setId, verifier: verifier.address, byAdmin: true } },
        { eventName: "VerifierAdded", args: { setId, verifier: outsider.address } },
      ]);
      assert.deepEqual(await memberOf(module, setId, verifier.address), {
        bond: VERIFIER_BOND,
        active: false,
        leftAt: await timestampOf(fixture, rotated),
      });
      assert.deepEqual(await memberOf(module, setId, outsider.address), { bond: 0n, active: true, leftAt: 0 });
      assert.equal((await verifierSetOf(fixture, setId)).memberCount, verifiers.length);
    });
  });

  describe("bonds", () => {
    it("takes bonds in ETH, adding up, for existing sets only", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { module, setId, outsider } = fixture;
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.bond([7n], { account: outsider.wallet.account, value: 1n }),
        module,
        "AttestationModule_UnknownVerifierSet",
        [7n],
      );
      await viem.assertions.revertWithCustomError(
        module.write.bond([setId], { account: outsider.wallet.account, value: 0n }),
        module,
        "AttestationModule_ZeroBond",
      );
      const before = await balancesOf(fixture, [module.address, outsider.address]);
      const first = await send(fixture, module.write.bond([setId], { account: outsider.wallet.account, value: 3n }));
      const second = await send(
        fixture,
        module.write.bond([setId], { account: outsider.wallet.account, value: VERIFIER_BOND }),
      );
      assert.deepEqual(eventsOf(module, second.receipt), [
        {
          eventName: "VerifierBonded",
          args: { setId, verifier: outsider.address, amount: VERIFIER_BOND, totalBond: VERIFIER_BOND + 3n },
        },
      ]);
      await assertBalanceDeltas(
        fixture,
        before,
        [
          [module.address, VERIFIER_BOND + 3n],
          [outsider.address, -(VERIFIER_BOND + 3n) - first.gasCost - second.gasCost],
        ],
        first.gasCost + second.gasCost,
      );
      assert.deepEqual(await memberOf(module, setId, outsider.address), {
        bond: VERIFIER_BOND + 3n,
        active: false,
        leftAt: 0,
      });
    });

    it("lets a member leave, then withdraw exactly its bond UNBONDING_PERIOD later, not before", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { module, setId, verifiers } = fixture;
      const [verifier] = verifiers;
      const account = verifier.keys.wallet.account;
      assert.equal(await module.read.UNBONDING_PERIOD(), BigInt(UNBONDING_PERIOD));
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.withdrawBond([setId], { account }),
        module,
        "AttestationModule_StillActive",
        [setId, verifier.address],
      );
      const left = await send(fixture, module.write.leave([setId], { account }));
      const leftAt = await timestampOf(fixture, left);
      assert.deepEqual(eventsOf(module, left.receipt), [
        { eventName: "VerifierRemoved", args: { setId, verifier: verifier.address, byAdmin: false } },
      ]);
      assert.equal((await verifierSetOf(fixture, setId)).memberCount, verifiers.length - 1);
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.leave([setId], { account }),
        module,
        "AttestationModule_NotMember",
        [setId, verifier.address],
      );
      const unlocksAt = BigInt(leftAt + UNBONDING_PERIOD);
      await networkHelpers.time.setNextBlockTimestamp(unlocksAt - 1n);
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.withdrawBond([setId], { account }),
        module,
        "AttestationModule_BondLocked",
        [setId, verifier.address, unlocksAt],
      );
      await networkHelpers.time.setNextBlockTimestamp(unlocksAt);
      const before = await balancesOf(fixture, [module.address, verifier.address]);
      const withdrawn = await send(fixture, module.write.withdrawBond([setId], { account }));
      await assertBalanceDeltas(
        fixture,
        before,
        [
          [module.address, -VERIFIER_BOND],
          [verifier.address, VERIFIER_BOND - withdrawn.gasCost],
        ],
        withdrawn.gasCost,
      );
      assert.deepEqual(eventsOf(module, withdrawn.receipt), [
        { eventName: "VerifierBondWithdrawn", args: { setId, verifier: verifier.address, amount: VERIFIER_BOND } },
      ]);
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.withdrawBond([setId], { account }),
        module,
        "DisputableModule_NothingToWithdraw",
        [verifier.address],
      );
    });

    it("lets a bonded non-member withdraw at once, or after leaving if it asked to unbond", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { module, setId, outsider, stranger } = fixture;
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.leave([setId], { account: stranger.wallet.account }),
        module,
        "AttestationModule_NotMember",
        [setId, stranger.address],
      );
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.withdrawBond([setId], { account: stranger.wallet.account }),
        module,
        "DisputableModule_NothingToWithdraw",
        [stranger.address],
      );
      // Never a member, never able to sign: nothing to keep slashable.
      await module.write.bond([setId], { account: outsider.wallet.account, value: VERIFIER_BOND });
      const before = await balancesOf(fixture, [module.address, outsider.address]);
      const withdrawn = await send(fixture, module.write.withdrawBond([setId], { account: outsider.wallet.account }));
      await assertBalanceDeltas(
        fixture,
        before,
        [
          [module.address, -VERIFIER_BOND],
          [outsider.address, VERIFIER_BOND - withdrawn.gasCost],
        ],
        withdrawn.gasCost,
      );
      // Bonded again, it leaves: the unbonding clock starts.
      await module.write.bond([setId], { account: outsider.wallet.account, value: VERIFIER_BOND });
      const left = await send(fixture, module.write.leave([setId], { account: outsider.wallet.account }));
      const leftAt = await timestampOf(fixture, left);
      assert.equal(eventsOf(module, left.receipt).length, 0);
      assert.deepEqual(await memberOf(module, setId, outsider.address), {
        bond: VERIFIER_BOND,
        active: false,
        leftAt,
      });
      await viem.assertions.revertWithCustomErrorWithArgs(
        module.write.withdrawBond([setId], { account: outsider.wallet.account }),
        module,
        "AttestationModule_BondLocked",
        [setId, outsider.address, BigInt(leftAt + UNBONDING_PERIOD)],
      );
    });

    it("keeps a signer that left slashable until its contested verdict is decided", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { module, setId, poster, executor, arbiters } = fixture;
      const signers = fixture.verifiers.slice(0, 2);
      const task = await taskUnderReview(fixture, contestedConfig(fixture, { quorum: 2 }));
      await send(
        fixture,
        submitVerdict(fixture, task, verdictOf(false), await attestAll(fixture, task, signers, { approved: false })),
      );
      // Both signers leave at once, hoping to get their bonds out before a ruling.
      const left = await send(fixture, module.write.leave([setId], { account: signers[0].keys.wallet.account }));
      await module.write.leave([setId], { account: signers[1].keys.wallet.account });
      // A panel that takes all the ruling period to vote.
      await fixture.arbitrator.write.setVotingPeriod([30 * DAY], { account: fixture.owner.wallet.account });
      await module.write.dispute([task.taskId, task.terms, task.config], {
        account: executor.wallet.account,
        value: ARBITRATION_FEE,
      });
      await module.write.respond([task.taskId, task.terms], { account: poster.wallet.account, value: ARBITRATION_FEE });
      // The slowest a contest can be: the ruling comes at the end of the ruling period, carried out at the last moment.
      const { arbitratorDisputeId, deadline } = (await module.read.contestOf([task.taskId])) as {
        arbitratorDisputeId: bigint;
        deadline: number;
      };
      await networkHelpers.time.setNextBlockTimestamp(deadline - 2);
      for (const arbiter of arbiters.slice(0, 2)) {
        await fixture.arbitrator.write.vote([arbitratorDisputeId, 11n], { account: arbiter.wallet.account });
      }
      await networkHelpers.time.setNextBlockTimestamp(deadline + 7 * DAY);
      for (const signer of signers) {
        await viem.assertions.revertWithCustomError(
          module.write.withdrawBond([setId], { account: signer.keys.wallet.account }),
          module,
          "AttestationModule_BondLocked",
        );
      }
      await send(fixture, module.write.executeRuling([task.taskId, task.terms], { account: executor.wallet.account }));
      assert.ok(deadline + 7 * DAY < (await timestampOf(fixture, left)) + UNBONDING_PERIOD);
      const slashedBond = VERIFIER_BOND - (VERIFIER_BOND * BigInt(SLASH_BPS)) / BigInt(BPS);
      for (const signer of signers) {
        assert.equal((await memberOf(module, setId, signer.address)).bond, slashedBond);
      }
    });
  });

  describe("configurations", () => {
    it("hashes a configuration as the terms commit to it, and publishes only valid ones", async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { module, stranger } = fixture;
      const configs = [immediateConfig(fixture), contestedConfig(fixture, { scored: true, quorum: 16 })];
      for (const config of configs) {
        assert.equal(await module.read.configHash([config]), configHashOf(config));
        const published = await send(
          fixture,
          module.write.publishConfig([config], { account: stranger.wallet.account }),
        );
        assert.deepEqual(eventsOf(module, published.receipt), [
          { eventName: "AttestationConfigPublished", args: { configHash: configHashOf(config), config } },
        ]);
      }
      const invalid: [AttestationConfig, string, unknown[]][] = [
        [immediateConfig(fixture, { quorum: 0 }), "AttestationModule_InvalidQuorum", [0n, 16n]],
        [immediateConfig(fixture, { quorum: 17 }), "AttestationModule_InvalidQuorum", [17n, 16n]],
        [contestedConfig(fixture, { slashBps: BPS + 1 }), "DisputableModule_InvalidShare", [BigInt(BPS + 1)]],
        [
          contestedConfig(fixture, { contestWindow: 30 * DAY + 1 }),
          "DisputableModule_ContestWindowTooLong",
          [BigInt(30 * DAY + 1), BigInt(30 * DAY)],
        ],
        [contestedConfig(fixture, { arbitrator: zeroAddress }), "VerificationModule_ZeroAddress", []],
      ];
      for (const [config, error, args] of invalid) {
        await viem.assertions.revertWithCustomErrorWithArgs(
          module.write.publishConfig([config], { account: stranger.wallet.account }),
          module,
          error,
          args,
        );
      }
    });
  });
});
