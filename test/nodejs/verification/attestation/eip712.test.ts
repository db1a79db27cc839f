import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { TypedDataEncoder } from "ethers";
import { network } from "hardhat";
import { hashTypedData, keccak256, maxUint256, recoverTypedDataAddress, stringToHex } from "viem";
import type { Hex } from "viem";

import {
  ATTESTATION_TYPES,
  DOMAIN_VERSION,
  MODULE_DOMAIN_NAMES,
  SETTLEMENT_TYPES,
  attestationTypedData,
  encodeTypeString,
  moduleDomain,
  settlementTypedData,
  type AttestationMessage,
  type SettlementMessage,
} from "../../../../src/protocol/eip712.js";
import { EVIDENCE_HASH, METHOD_ID, RESULT_HASH, deployAttestationFixture, signAttestation } from "./helpers.js";

const { networkHelpers } = await network.create();

/** Messages chosen to exercise every field: zeros, maxima of each width, and ordinary values. */
const ATTESTATIONS: AttestationMessage[] = [
  {
    taskId: 1n,
    milestone: 0,
    submissionHash: RESULT_HASH,
    reviewDeadline: 1_700_000_000,
    approved: true,
    scoreBps: 10_000,
    methodId: METHOD_ID,
    evidenceHash: EVIDENCE_HASH,
    deadline: 1_700_086_400n,
    nonce: 1n,
  },
  {
    taskId: 0n,
    milestone: 0,
    submissionHash: `0x${"00".repeat(32)}`,
    reviewDeadline: 0,
    approved: false,
    scoreBps: 0,
    methodId: `0x${"00".repeat(32)}`,
    evidenceHash: `0x${"00".repeat(32)}`,
    deadline: 0n,
    nonce: 0n,
  },
  {
    taskId: maxUint256,
    milestone: 255,
    submissionHash: `0x${"ff".repeat(32)}`,
    reviewDeadline: 2 ** 40 - 1,
    approved: true,
    scoreBps: 65_535,
    methodId: `0x${"ff".repeat(32)}`,
    evidenceHash: `0x${"ee".repeat(32)}`,
    deadline: 2n ** 64n - 1n,
    nonce: maxUint256,
  },
];

const SETTLEMENTS: SettlementMessage[] = [
  { taskId: 1n, submissionHash: RESULT_HASH, executorShareBps: 6_000, deadline: 1_700_086_400n },
  { taskId: maxUint256, submissionHash: `0x${"ff".repeat(32)}`, executorShareBps: 65_535, deadline: 2n ** 64n - 1n },
];

function attestationDigestArgs(message: AttestationMessage) {
  return [
    message.taskId,
    message.milestone,
    message.submissionHash,
    message.reviewDeadline,
    message.approved,
    message.scoreBps,
    message.methodId,
    message.evidenceHash,
    message.deadline,
    message.nonce,
  ] as const;
}

describe("AttestationModule: EIP-712 agreement with src/protocol/eip712.ts", () => {
  it("has the typehashes of the shared type definitions", async () => {
    const { module } = await networkHelpers.loadFixture(deployAttestationFixture);
    const attestationType = encodeTypeString("Attestation", ATTESTATION_TYPES.Attestation);
    const settlementType = encodeTypeString("Settlement", SETTLEMENT_TYPES.Settlement);
    // The strings themselves, so that a change to either side shows in review.
    assert.equal(
      attestationType,
      "Attestation(uint256 taskId,uint8 milestone,bytes32 submissionHash,uint40 reviewDeadline,bool approved," +
        "uint16 scoreBps,bytes32 methodId,bytes32 evidenceHash,uint64 deadline,uint256 nonce)",
    );
    assert.equal(
      settlementType,
      "Settlement(uint256 taskId,bytes32 submissionHash,uint16 executorShareBps,uint64 deadline)",
    );
    assert.equal(await module.read.ATTESTATION_TYPEHASH(), keccak256(stringToHex(attestationType)));
    assert.equal(await module.read.SETTLEMENT_TYPEHASH(), keccak256(stringToHex(settlementType)));
  });

  it("has the domain that moduleDomain('attestation', …) describes (ERC-5267)", async () => {
    const { module, chainId } = await networkHelpers.loadFixture(deployAttestationFixture);
    const [fields, name, version, domainChainId, verifyingContract, salt, extensions] =
      (await module.read.eip712Domain()) as readonly [Hex, string, string, bigint, Hex, Hex, readonly bigint[]];
    const expected = moduleDomain("attestation", chainId, module.address);
    assert.equal(fields, "0x0f", "name, version, chainId and verifyingContract");
    assert.equal(name, MODULE_DOMAIN_NAMES.attestation);
    assert.equal(name, expected.name);
    assert.equal(version, DOMAIN_VERSION);
    assert.equal(Number(domainChainId), expected.chainId);
    assert.equal(verifyingContract, expected.verifyingContract);
    assert.equal(salt, `0x${"00".repeat(32)}`);
    assert.deepEqual(extensions, []);
  });

  it("computes attestationDigest as viem's and ethers' hashTypedData do", async () => {
    const { module, chainId } = await networkHelpers.loadFixture(deployAttestationFixture);
    const domain = moduleDomain("attestation", chainId, module.address);
    for (const message of ATTESTATIONS) {
      const onChain = await module.read.attestationDigest([...attestationDigestArgs(message)]);
      assert.equal(onChain, hashTypedData(attestationTypedData(domain, message)));
      const ethersDomain = { ...domain, salt: undefined };
      const ethersTypes = { Attestation: [...ATTESTATION_TYPES.Attestation] };
      assert.equal(onChain, TypedDataEncoder.hash(ethersDomain, ethersTypes, message));
    }
  });

  it("computes settlementDigest as viem's and ethers' hashTypedData do", async () => {
    const { module, chainId } = await networkHelpers.loadFixture(deployAttestationFixture);
    const domain = moduleDomain("attestation", chainId, module.address);
    for (const message of SETTLEMENTS) {
      const onChain = await module.read.settlementDigest([
        message.taskId,
        message.submissionHash,
        message.executorShareBps,
        message.deadline,
      ]);
      assert.equal(onChain, hashTypedData(settlementTypedData(domain, message)));
      const ethersTypes = { Settlement: [...SETTLEMENT_TYPES.Settlement] };
      assert.equal(onChain, TypedDataEncoder.hash({ ...domain, salt: undefined }, ethersTypes, message));
    }
  });

  it("binds the digest to every field, the chain and the contract", async () => {
    const { module, chainId, arbitrator } = await networkHelpers.loadFixture(deployAttestationFixture);
    const [base] = ATTESTATIONS;
    const digest = await module.read.attestationDigest([...attestationDigestArgs(base)]);
    const variants: AttestationMessage[] = [
      { ...base, taskId: base.taskId + 1n },
      { ...base, milestone: 1 },
      { ...base, submissionHash: keccak256(base.submissionHash) },
      { ...base, reviewDeadline: base.reviewDeadline + 1 },
      { ...base, approved: false },
      { ...base, scoreBps: 9_999 },
      { ...base, methodId: keccak256(base.methodId) },
      { ...base, evidenceHash: keccak256(base.evidenceHash) },
      { ...base, deadline: base.deadline + 1n },
      { ...base, nonce: base.nonce + 1n },
    ];
    const seen = new Set<Hex>([digest as Hex]);
    for (const variant of variants) {
      const other = (await module.read.attestationDigest([...attestationDigestArgs(variant)])) as Hex;
      assert.ok(!seen.has(other), "a change to one field left the digest unchanged");
      seen.add(other);
    }
    const domain = moduleDomain("attestation", chainId, module.address);
    assert.notEqual(hashTypedData(attestationTypedData({ ...domain, chainId: chainId + 1 }, base)), digest);
    assert.notEqual(
      hashTypedData(attestationTypedData({ ...domain, verifyingContract: arbitrator.address }, base)),
      digest,
    );
  });

  it("recovers the same signer from viem (local and node) and ethers signatures over the on-chain digest", async () => {
    const { module, chainId, members } = await networkHelpers.loadFixture(deployAttestationFixture);
    const domain = moduleDomain("attestation", chainId, module.address);
    const [keys] = members;
    for (const message of ATTESTATIONS) {
      const digest = (await module.read.attestationDigest([...attestationDigestArgs(message)])) as Hex;
      const signatures = await Promise.all(
        (["viem-local", "viem-rpc", "ethers"] as const).map((library) =>
          signAttestation(keys, domain, message, library),
        ),
      );
      // RFC 6979 signatures are deterministic: the three libraries produce the same bytes.
      assert.equal(new Set(signatures).size, 1);
      const recovered = await recoverTypedDataAddress({
        ...attestationTypedData(domain, message),
        signature: signatures[0],
      });
      assert.equal(recovered, keys.address);
      assert.equal(hashTypedData(attestationTypedData(domain, message)), digest);
    }
  });
});
