// The indexer's GraphQL values as the API answers with them: BigInt amounts stay decimal strings, BigInt times and
// block numbers become numbers (Unix seconds and block heights fit in 2^53), Bytes stay lower-case hex, and addresses
// are checksummed (EIP-55). Checksumming costs a keccak256 per address, and list reads repeat the same few posters,
// tokens and executors, so checksums are remembered.
import { getAddress, zeroAddress, type Address, type Hex } from "viem";

const CHECKSUM_CACHE_LIMIT = 10_000;
const checksums = new Map<string, Address>();

/** `address` (any case) in its checksummed form. */
export function checksum(address: string): Address {
  const lower = address.toLowerCase();
  let checksummed = checksums.get(lower);
  if (checksummed === undefined) {
    checksummed = getAddress(lower);
    if (checksums.size >= CHECKSUM_CACHE_LIMIT) checksums.clear();
    checksums.set(lower, checksummed);
  }
  return checksummed;
}

/** A checksummed address, or null for the zero address (no executor, no verifier, no assigner). */
export function addressOrNull(address: string | null | undefined): Address | null {
  if (address == null || address.toLowerCase() === zeroAddress) return null;
  return checksum(address);
}

/** A BigInt time or block number from the indexer, as a number. */
export function toNumber(value: string | number): number {
  return typeof value === "number" ? value : Number(value);
}

export function toNumberOrNull(value: string | number | null | undefined): number | null {
  return value == null ? null : toNumber(value);
}

/** An entity reference as the indexer returns it when only its id is selected. */
export interface Ref {
  id: string;
}

export function refId(ref: Ref | null | undefined): string | null {
  return ref?.id ?? null;
}

export function hex(value: string): Hex {
  return value.toLowerCase() as Hex;
}
