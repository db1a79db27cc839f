// Capabilities as the executor registry and the market hold them: a capability is named by a namespaced, lower-case
// name (`lang:solidity`, `skill:translation/de-en`) and stored as the keccak256 of that name. A task's list of ids must
// be strictly ascending (the market compares bytes32 values as unsigned integers, which also rules out duplicates),
// and `TaskTerms.capabilitiesHash` is the keccak256 of the packed list.
import { concat, keccak256, stringToHex, type Hex } from "viem";

const BYTES32 = /^0x[0-9a-fA-F]{64}$/;

/** A capability id: keccak256 of the UTF-8 bytes of its name. */
export function capabilityId(name: string): Hex {
  return keccak256(stringToHex(name));
}

/** Orders two bytes32 values as the contracts compare them: as unsigned integers. */
export function compareBytes32(a: Hex, b: Hex): number {
  const left = BigInt(a);
  const right = BigInt(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** `ids` lower-cased, each once, in strictly ascending order: the only order the market accepts. */
export function sortCapabilityIds(ids: readonly Hex[]): Hex[] {
  return [...new Set(ids.map((id) => id.toLowerCase() as Hex))].sort(compareBytes32);
}

/** The ids of `capabilities` (names, or ids already hashed, mixed freely), strictly ascending, each once. */
export function capabilityIds(capabilities: readonly string[]): Hex[] {
  return sortCapabilityIds(
    capabilities.map((capability) => (BYTES32.test(capability) ? (capability as Hex) : capabilityId(capability))),
  );
}

export interface NamedCapability {
  name: string;
  id: Hex;
}

/** `names` with their ids, strictly ascending by id; a name listed twice is listed once. */
export function sortedCapabilities(names: readonly string[]): NamedCapability[] {
  const byId = new Map<Hex, NamedCapability>();
  for (const name of names) {
    const id = capabilityId(name);
    byId.set(id, { name, id });
  }
  return [...byId.values()].sort((a, b) => compareBytes32(a.id, b.id));
}

/**
 * `TaskTerms.capabilitiesHash` of a strictly ascending id list:
 * `keccak256(abi.encodePacked(ids))`, as the market computes it.
 */
export function capabilitiesHash(sortedIds: readonly Hex[]): Hex {
  return keccak256(sortedIds.length === 0 ? "0x" : concat([...sortedIds]));
}
