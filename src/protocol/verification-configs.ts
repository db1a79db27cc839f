// The verification modules' configurations: their types, taken from the `configHash` parameter of each module's
// generated ABI so that the struct layout has one definition (the Solidity interface), the `verifierConfigHash` a
// task's terms commit to (`keccak256(abi.encode(config))`, as the module's `configHash(config)` computes it), and the
// event with which a module publishes a configuration, indexed by its hash. A module stores nothing when it publishes
// a configuration: the event is the only record that anyone can read the configuration back from.
import {
  encodeAbiParameters,
  getAbiItem,
  keccak256,
  type Abi,
  type AbiEvent,
  type AbiFunction,
  type Address,
  type ContractFunctionArgs,
  type Hex,
  type PublicClient,
} from "viem";

import { attestationModuleAbi, optimisticModuleAbi, proofModuleAbi, reviewModuleAbi } from "./abis.ts";

/** `IReviewModule.ReviewConfig`. */
export type ReviewConfig = ContractFunctionArgs<typeof reviewModuleAbi, "pure", "configHash">[0];
/** `IAttestationModule.AttestationConfig`. */
export type AttestationConfig = ContractFunctionArgs<typeof attestationModuleAbi, "pure", "configHash">[0];
/** `IOptimisticModule.OptimisticConfig`. */
export type OptimisticConfig = ContractFunctionArgs<typeof optimisticModuleAbi, "pure", "configHash">[0];
/** `ProofConfig`. */
export type ProofConfig = ContractFunctionArgs<typeof proofModuleAbi, "pure", "configHash">[0];

/** A verification module, by the method it implements, and its configuration for one task. */
export type ModuleVerification =
  | { method: "review"; config: ReviewConfig }
  | { method: "attestation"; config: AttestationConfig }
  | { method: "optimistic"; config: OptimisticConfig }
  | { method: "proof"; config: ProofConfig };

export type VerificationModuleName = ModuleVerification["method"];

/** Each module's key in the deployment. */
export const MODULE_CONTRACT_KEYS = {
  review: "reviewModule",
  attestation: "attestationModule",
  optimistic: "optimisticModule",
  proof: "proofModule",
} as const satisfies Record<VerificationModuleName, string>;

export const MODULE_ABIS = {
  review: reviewModuleAbi,
  attestation: attestationModuleAbi,
  optimistic: optimisticModuleAbi,
  proof: proofModuleAbi,
} as const;

/** The event with which each module publishes a configuration, indexed by its hash. */
export const CONFIG_PUBLISHED_EVENTS = {
  review: "ReviewConfigPublished",
  attestation: "AttestationConfigPublished",
  optimistic: "OptimisticConfigPublished",
  proof: "ProofConfigPublished",
} as const satisfies Record<VerificationModuleName, string>;

/**
 * `keccak256(abi.encode(config))` with the parameter type of the `configHash(config)` function in `abi`: the hash a
 * module (a verification module, or an assignment module alike) computes for a configuration.
 */
export function moduleConfigHash(abi: Abi, config: unknown): Hex {
  const configHash = abi.find((item): item is AbiFunction => item.type === "function" && item.name === "configHash");
  if (configHash === undefined || configHash.inputs.length !== 1) {
    throw new Error("the ABI has no configHash(config) function");
  }
  return keccak256(encodeAbiParameters(configHash.inputs, [config]));
}

/** The `verifierConfigHash` of a module configuration, computed as the module's `configHash(config)` does. */
export function verifierConfigHash(verification: ModuleVerification): Hex {
  return moduleConfigHash(MODULE_ABIS[verification.method] as Abi, verification.config);
}

/** The module a verifier address is, among the deployment's modules; undefined for the poster or a plain account. */
export function moduleAt(
  verifier: Address,
  modules: Partial<Record<VerificationModuleName, Address>>,
): VerificationModuleName | undefined {
  const lower = verifier.toLowerCase();
  return (Object.keys(modules) as VerificationModuleName[]).find((name) => modules[name]?.toLowerCase() === lower);
}

/**
 * The configuration with hash `configHash` that the `method` module at `address` published, read from its
 * `…ConfigPublished` event from block `fromBlock` on; undefined when nobody has published it.
 */
export async function readPublishedConfig(
  client: PublicClient,
  request: { method: VerificationModuleName; address: Address; configHash: Hex; fromBlock: bigint },
): Promise<ModuleVerification | undefined> {
  const { method } = request;
  const event = getAbiItem({ abi: MODULE_ABIS[method] as Abi, name: CONFIG_PUBLISHED_EVENTS[method] }) as AbiEvent;
  const logs = await client.getLogs({
    address: request.address,
    event,
    args: { configHash: request.configHash } as never,
    fromBlock: request.fromBlock,
    toBlock: "latest",
    strict: true,
  });
  const config = (logs[0]?.args as { config?: unknown } | undefined)?.config;
  return config === undefined ? undefined : ({ method, config } as ModuleVerification);
}
