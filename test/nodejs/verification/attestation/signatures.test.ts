import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";

import {
  BPS,
  CLAIM_BOND,
  ETH,
  EVIDENCE_HASH,
  REWARD,
  TaskStatus,
  VERIFIER_BOND,
  VERIFIER_FEE,
  assertBalanceDeltas,
  attestAll,
  balancesOf,
  createVerifierSet,
  deployAttestationFixture,
  eventsOf,
  feeShares,
  immediateConfig,
  send,
  split,
  statusOf,
  submitVerdict,
  taskUnderReview,
  verdictOf,
  type AttestationFixture,
  type SigningLibrary,
  type Verifier,
} from "./helpers.js";

const { networkHelpers } = await network.create();

const LIBRARIES: readonly SigningLibrary[] = ["viem-local", "viem-rpc", "ethers"];

/** A set of exactly three bonded members (the fixture's first three), for a 2-of-3 and a 3-of-3 quorum. */
async function setOfThree(fixture: AttestationFixture): Promise<{ setId: bigint; verifiers: Verifier[] }> {
  const { publicClient, module, setAdmin } = fixture;
  const setId = await createVerifierSet(publicClient, module, setAdmin);
  const verifiers = fixture.verifiers.slice(0, 3);
  for (const verifier of verifiers) {
    await module.write.addVerifier([setId, verifier.address], { account: setAdmin.wallet.account });
    await module.write.bond([setId], { account: verifier.keys.wallet.account, value: VERIFIER_BOND });
  }
  const set = (await module.read.verifierSetOf([setId])) as { memberCount: number };
  assert.equal(set.memberCount, 3);
  return { setId, verifiers };
}

describe("AttestationModule: signatures from viem and ethers", () => {
  for (const library of LIBRARIES) {
    it(`settles a 1-of-6 quorum signed with ${library}`, async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const { market, module, executor, poster, relayer, feeRecipient, verifiers } = fixture;
      const task = await taskUnderReview(fixture, immediateConfig(fixture, { quorum: 1 }));
      const signer = verifiers[3];
      const attestations = await attestAll(fixture, task, [signer], { library });

      const accounts = [
        market.address,
        module.address,
        poster.address,
        executor.address,
        relayer.address,
        feeRecipient,
        ...verifiers.map((verifier) => verifier.address),
      ];
      const before = await balancesOf(fixture, accounts);
      const settled = await send(fixture, submitVerdict(fixture, task, verdictOf(true), attestations));
      const { payout, fee } = split(REWARD, BPS);
      await assertBalanceDeltas(
        fixture,
        before,
        [
          [market.address, -(payout + CLAIM_BOND)],
          [module.address, 0n],
          [poster.address, 0n],
          [executor.address, payout + CLAIM_BOND],
          [relayer.address, -settled.gasCost],
          [feeRecipient, 0n],
          ...verifiers.map((verifier) => [verifier.address, 0n] as const),
        ],
        settled.gasCost,
      );
      assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Settled);
      assert.equal(await market.read.accruedFeesOf([ETH]), fee);
      assert.deepEqual(eventsOf(module, settled.receipt), [
        {
          eventName: "AttestationAccepted",
          args: {
            taskId: task.taskId,
            signer: signer.address,
            approved: true,
            scoreBps: BPS,
            evidenceHash: EVIDENCE_HASH,
          },
        },
      ]);
      assert.deepEqual(
        eventsOf(market, settled.receipt).map((event) => event.eventName),
        ["TaskSettled"],
      );
    });
  }

  it("settles a 2-of-3 quorum with one viem and one ethers signature", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { market, module, executor, poster, relayer, feeRecipient } = fixture;
    const { setId, verifiers } = await setOfThree(fixture);
    const config = immediateConfig(fixture, { verifierSetId: setId, quorum: 2 });
    const task = await taskUnderReview(fixture, config);
    const signers = [verifiers[2], verifiers[0]];
    const attestations = await attestAll(fixture, task, signers, { libraries: ["ethers", "viem-local"] });
    assert.deepEqual(
      attestations.map((attestation) => attestation.signer),
      [verifiers[0].address, verifiers[2].address],
      "sorted by signer",
    );

    const accounts = [
      market.address,
      module.address,
      poster.address,
      executor.address,
      relayer.address,
      feeRecipient,
      ...verifiers.map((verifier) => verifier.address),
    ];
    const before = await balancesOf(fixture, accounts);
    const settled = await send(fixture, submitVerdict(fixture, task, verdictOf(true), attestations));
    const { payout, fee } = split(REWARD, BPS);
    await assertBalanceDeltas(
      fixture,
      before,
      [
        [market.address, -(payout + CLAIM_BOND)],
        [module.address, 0n],
        [poster.address, 0n],
        [executor.address, payout + CLAIM_BOND],
        [relayer.address, -settled.gasCost],
        [feeRecipient, 0n],
        ...verifiers.map((verifier) => [verifier.address, 0n] as const),
      ],
      settled.gasCost,
    );
    assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Settled);

    // The protocol fee is all that is left of the task in the market, and it reaches the treasury exactly.
    const treasuryBefore = await balancesOf(fixture, [market.address, feeRecipient, relayer.address]);
    const withdrawn = await send(
      fixture,
      market.write.withdrawProtocolFees([ETH], { account: relayer.wallet.account }),
    );
    await assertBalanceDeltas(
      fixture,
      treasuryBefore,
      [
        [market.address, -fee],
        [feeRecipient, fee],
        [relayer.address, -withdrawn.gasCost],
      ],
      withdrawn.gasCost,
    );
    assert.equal(await fixture.publicClient.getBalance({ address: market.address }), 0n);
  });

  it("settles a 3-of-3 quorum signed by viem (local), the node (eth_signTypedData_v4) and ethers, sharing the fee", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { market, module, executor, poster, relayer, feeRecipient } = fixture;
    const { setId, verifiers } = await setOfThree(fixture);
    const config = immediateConfig(fixture, { verifierSetId: setId, quorum: 3 });
    const task = await taskUnderReview(fixture, config, { verifierFee: VERIFIER_FEE });
    const attestations = await attestAll(fixture, task, verifiers, { libraries: LIBRARIES });

    const accounts = [
      market.address,
      module.address,
      poster.address,
      executor.address,
      relayer.address,
      feeRecipient,
      ...verifiers.map((verifier) => verifier.address),
    ];
    const before = await balancesOf(fixture, accounts);
    const settled = await send(fixture, submitVerdict(fixture, task, verdictOf(true), attestations));
    const { payout } = split(REWARD, BPS);
    const shares = feeShares(VERIFIER_FEE, 3);
    assert.deepEqual(shares, [3_333_333_333_333_337n, 3_333_333_333_333_335n, 3_333_333_333_333_335n]);
    await assertBalanceDeltas(
      fixture,
      before,
      [
        [market.address, -(payout + CLAIM_BOND + VERIFIER_FEE)],
        [module.address, 0n],
        [poster.address, 0n],
        [executor.address, payout + CLAIM_BOND],
        [relayer.address, -settled.gasCost],
        [feeRecipient, 0n],
        // `verifiers` is sorted, as the attestations are: the first signer takes the remainder.
        ...verifiers.map((verifier, index) => [verifier.address, shares[index]] as const),
      ],
      settled.gasCost,
    );
    const forwarded = eventsOf(module, settled.receipt).filter((event) => event.eventName === "VerifierFeeForwarded");
    assert.deepEqual(
      forwarded.map((event) => event.args),
      verifiers.map((verifier, index) => ({ token: ETH, to: verifier.address, amount: shares[index] })),
    );
  });
});
