import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { ContractReturnType } from "@nomicfoundation/hardhat-viem/types";
import { network } from "hardhat";
import { encodeFunctionData, getAddress, hashTypedData } from "viem";
import type { Address, Hex } from "viem";

import { attestationTypedData, type AttestationMessage } from "../../../../src/protocol/eip712.js";
import {
  BPS,
  CLAIM_BOND,
  REWARD,
  TaskStatus,
  UNBONDING_PERIOD,
  VERIFIER_BOND,
  VERIFIER_FEE,
  assertBalanceDeltas,
  attest,
  balancesOf,
  currentRound,
  deployAttestationFixture,
  domainOf,
  feeShares,
  immediateConfig,
  memberOf,
  send,
  sortAttestations,
  split,
  statusOf,
  submitVerdict,
  taskUnderReview,
  verdictOf,
  type AttestationFixture,
  type Verifier,
} from "./helpers.js";

const { viem, networkHelpers } = await network.create();

type WalletContract = ContractReturnType<"MockERC1271Wallet">;

const ERC1271_MAGIC_VALUE: Hex = "0x1626ba7e";

/** Deploys a smart account owned by `fixture.walletOwner`, adds it to the set and bonds it through `execute`. */
async function smartAccountVerifier(
  fixture: AttestationFixture,
  contractName: "MockERC1271Wallet" | "MockWrongMagicERC1271Wallet" = "MockERC1271Wallet",
): Promise<{ wallet: WalletContract; verifier: Verifier }> {
  const { module, setId, setAdmin, walletOwner } = fixture;
  const deployed = await viem.deployContract(contractName, [walletOwner.address]);
  const wallet: WalletContract = await viem.getContractAt("MockERC1271Wallet", getAddress(deployed.address));
  await module.write.addVerifier([setId, wallet.address], { account: setAdmin.wallet.account });
  await walletCall(fixture, wallet, module.address, VERIFIER_BOND, bondCall(fixture, setId));
  assert.equal(await module.read.isActiveVerifier([setId, wallet.address, VERIFIER_BOND]), true);
  return { wallet, verifier: { address: wallet.address, keys: walletOwner } };
}

function bondCall(fixture: AttestationFixture, setId: bigint): Hex {
  return encodeFunctionData({ abi: fixture.module.abi, functionName: "bond", args: [setId] });
}

/** Has the wallet's owner make the wallet call `target`. */
async function walletCall(
  fixture: AttestationFixture,
  wallet: WalletContract,
  target: Address,
  value: bigint,
  data: Hex,
) {
  return send(
    fixture,
    wallet.write.execute([target, value, data], { account: fixture.walletOwner.wallet.account, value }),
  );
}

describe("AttestationModule: ERC-1271 smart-account verifiers", () => {
  it("accepts a smart account's attestation signed by its owner, and pays it its share of the fee", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { market, module, poster, executor, relayer, feeRecipient, walletOwner } = fixture;
    const { wallet, verifier } = await smartAccountVerifier(fixture);
    const eoa = fixture.verifiers[0];
    const task = await taskUnderReview(fixture, immediateConfig(fixture, { quorum: 2 }), { verifierFee: VERIFIER_FEE });

    // The wallet answers for its owner's signature of the attestation digest.
    const attestation = await attest(fixture, task, verifier, { library: "ethers" });
    const round = await currentRound(fixture, task);
    const message: AttestationMessage = {
      ...round,
      approved: true,
      scoreBps: attestation.scoreBps,
      methodId: task.config.methodId,
      evidenceHash: attestation.evidenceHash,
      deadline: attestation.deadline,
      nonce: attestation.nonce,
    };
    const digest = hashTypedData(attestationTypedData(domainOf(fixture), message));
    assert.equal(await wallet.read.isValidSignature([digest, attestation.signature]), ERC1271_MAGIC_VALUE);

    const attestations = sortAttestations([attestation, await attest(fixture, task, eoa, { library: "viem-rpc" })]);
    const accounts = [
      market.address,
      module.address,
      poster.address,
      executor.address,
      relayer.address,
      feeRecipient,
      wallet.address,
      walletOwner.address,
      eoa.address,
    ];
    const before = await balancesOf(fixture, accounts);
    const settled = await send(fixture, submitVerdict(fixture, task, verdictOf(true), attestations));
    const { payout } = split(REWARD, BPS);
    const shares = feeShares(VERIFIER_FEE, 2);
    const shareOf = (address: Address) => shares[attestations.findIndex((entry) => entry.signer === address)];
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
        [wallet.address, shareOf(wallet.address)],
        [walletOwner.address, 0n],
        [eoa.address, shareOf(eoa.address)],
      ],
      settled.gasCost,
    );
    assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Settled);
  });

  it("settles a 1-of-N quorum of the smart account alone", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { verifier } = await smartAccountVerifier(fixture);
    const task = await taskUnderReview(fixture, immediateConfig(fixture, { quorum: 1 }));
    await send(fixture, submitVerdict(fixture, task, verdictOf(true), [await attest(fixture, task, verifier)]));
    assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Settled);
  });

  it("rejects a signature the smart account does not recognise, and its owner signing as itself", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { verifier } = await smartAccountVerifier(fixture);
    const task = await taskUnderReview(fixture, immediateConfig(fixture, { quorum: 1 }));
    // Signed by a key that does not own the wallet.
    const byStranger = await attest(fixture, task, { address: verifier.address, keys: fixture.outsider });
    await viem.assertions.revertWithCustomErrorWithArgs(
      submitVerdict(fixture, task, verdictOf(true), [byStranger]),
      fixture.module,
      "AttestationModule_InvalidSignature",
      [verifier.address],
    );
    // The owner's key is not a verifier by itself: membership is the wallet's.
    const asOwner = await attest(fixture, task, { address: fixture.walletOwner.address, keys: fixture.walletOwner });
    await viem.assertions.revertWithCustomErrorWithArgs(
      submitVerdict(fixture, task, verdictOf(true), [asOwner]),
      fixture.module,
      "AttestationModule_NotActiveVerifier",
      [fixture.setId, fixture.walletOwner.address],
    );
  });

  it("rejects a smart account that answers with another value than the ERC-1271 magic value", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { wallet, verifier } = await smartAccountVerifier(fixture, "MockWrongMagicERC1271Wallet");
    const task = await taskUnderReview(fixture, immediateConfig(fixture, { quorum: 1 }));
    const attestation = await attest(fixture, task, verifier);
    const digest = hashTypedData(
      attestationTypedData(domainOf(fixture), {
        ...(await currentRound(fixture, task)),
        approved: true,
        scoreBps: attestation.scoreBps,
        methodId: task.config.methodId,
        evidenceHash: attestation.evidenceHash,
        deadline: attestation.deadline,
        nonce: attestation.nonce,
      }),
    );
    // It recognises its owner's signature, but answers with the legacy magic value.
    assert.equal(await wallet.read.isValidSignature([digest, attestation.signature]), "0x20c13b0b");
    await viem.assertions.revertWithCustomErrorWithArgs(
      submitVerdict(fixture, task, verdictOf(true), [attestation]),
      fixture.module,
      "AttestationModule_InvalidSignature",
      [verifier.address],
    );
  });

  it("lets a smart account leave its set and withdraw its bond after the unbonding period", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { module, setId } = fixture;
    const { wallet } = await smartAccountVerifier(fixture);
    const leaveCall = encodeFunctionData({ abi: module.abi, functionName: "leave", args: [setId] });
    const withdrawCall = encodeFunctionData({ abi: module.abi, functionName: "withdrawBond", args: [setId] });
    const left = await walletCall(fixture, wallet, module.address, 0n, leaveCall);
    const leftAt = Number((await fixture.publicClient.getBlock({ blockNumber: left.receipt.blockNumber })).timestamp);
    assert.deepEqual(await memberOf(module, setId, wallet.address), { bond: VERIFIER_BOND, active: false, leftAt });
    await viem.assertions.revertWithCustomErrorWithArgs(
      wallet.write.execute([module.address, 0n, withdrawCall], { account: fixture.walletOwner.wallet.account }),
      module,
      "AttestationModule_BondLocked",
      [setId, wallet.address, BigInt(leftAt + UNBONDING_PERIOD)],
    );
    await networkHelpers.time.setNextBlockTimestamp(leftAt + UNBONDING_PERIOD);
    const before = await balancesOf(fixture, [module.address, wallet.address]);
    await walletCall(fixture, wallet, module.address, 0n, withdrawCall);
    await assertBalanceDeltas(fixture, before, [
      [module.address, -VERIFIER_BOND],
      [wallet.address, VERIFIER_BOND],
    ]);
  });
});
