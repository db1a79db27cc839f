/**
 * The EIP-712 domains and types the verification modules check on-chain: one definition for the API that signs
 * attestations, the SDK that requests and submits them, and the tests. The type strings must match the
 * `*_TYPEHASH` constants of the contracts; the tests compare them.
 */
import type { Address, Hex, TypedDataDomain } from "viem";

/** The EIP-712 `name` of each module's domain (the version is always "1"). */
export const MODULE_DOMAIN_NAMES = {
  attestation: "TaskMarket AttestationModule",
  review: "TaskMarket ReviewModule",
  optimistic: "TaskMarket OptimisticModule",
} as const;
export type ModuleKind = keyof typeof MODULE_DOMAIN_NAMES;

export const DOMAIN_VERSION = "1";

/** The domain of the `kind` module deployed at `verifyingContract` on `chainId`. */
export function moduleDomain(kind: ModuleKind, chainId: number | bigint, verifyingContract: Address): TypedDataDomain {
  return { name: MODULE_DOMAIN_NAMES[kind], version: DOMAIN_VERSION, chainId: Number(chainId), verifyingContract };
}

/** A verifier's attestation of one submission round (see `IAttestationModule`). */
export const ATTESTATION_TYPES = {
  Attestation: [
    { name: "taskId", type: "uint256" },
    { name: "milestone", type: "uint8" },
    { name: "submissionHash", type: "bytes32" },
    { name: "reviewDeadline", type: "uint40" },
    { name: "approved", type: "bool" },
    { name: "scoreBps", type: "uint16" },
    { name: "methodId", type: "bytes32" },
    { name: "evidenceHash", type: "bytes32" },
    { name: "deadline", type: "uint64" },
    { name: "nonce", type: "uint256" },
  ],
} as const;

export interface AttestationMessage {
  taskId: bigint;
  milestone: number;
  submissionHash: Hex;
  reviewDeadline: number;
  approved: boolean;
  scoreBps: number;
  methodId: Hex;
  evidenceHash: Hex;
  deadline: bigint;
  nonce: bigint;
}

/** A split both parties of a contest agree to (see `IDisputableModule.settleByAgreement`). */
export const SETTLEMENT_TYPES = {
  Settlement: [
    { name: "taskId", type: "uint256" },
    { name: "submissionHash", type: "bytes32" },
    { name: "executorShareBps", type: "uint16" },
    { name: "deadline", type: "uint64" },
  ],
} as const;

export interface SettlementMessage {
  taskId: bigint;
  submissionHash: Hex;
  executorShareBps: number;
  deadline: bigint;
}

/** The canonical type string of `types[primaryType]` (no nested structs here), as hashed into a typehash. */
export function encodeTypeString(
  primaryType: string,
  fields: readonly { readonly name: string; readonly type: string }[],
): string {
  return `${primaryType}(${fields.map((field) => `${field.type} ${field.name}`).join(",")})`;
}

/** Ready-made arguments for viem's `signTypedData`. */
export function attestationTypedData(domain: TypedDataDomain, message: AttestationMessage) {
  return { domain, types: ATTESTATION_TYPES, primaryType: "Attestation" as const, message };
}

export function settlementTypedData(domain: TypedDataDomain, message: SettlementMessage) {
  return { domain, types: SETTLEMENT_TYPES, primaryType: "Settlement" as const, message };
}
