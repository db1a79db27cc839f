// Entity ids. History entities get Bytes ids that sort in chain order (block, log index, sequence within the event);
// composite ids of current-state entities concatenate their parts.
import { BigInt, Bytes, ethereum } from "@graphprotocol/graph-ts";

/** `value` as `length` big-endian bytes; `value` must fit. */
export function bigEndian(value: u64, length: i32): Bytes {
  const bytes = new Bytes(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = <u8>(rest & 0xff);
    rest = rest >> 8;
  }
  return bytes;
}

/** A uint256 as 32 big-endian bytes (graph-ts keeps BigInt little-endian, two's complement). */
export function uint256Bytes(value: BigInt): Bytes {
  const bytes = new Bytes(32);
  const length = value.length;
  for (let i = 0; i < 32 && i < length; i++) {
    bytes[31 - i] = value[i];
  }
  return bytes;
}

/** block (8 bytes) ++ log index (4 bytes) ++ sequence (1 byte): unique per record, sorting in chain order. */
export function eventRecordId(event: ethereum.Event, sequence: i32): Bytes {
  return bigEndian(event.block.number.toU64(), 8)
    .concat(bigEndian(event.logIndex.toU64(), 4))
    .concat(bigEndian(<u64>sequence, 1));
}

export function taskKey(taskId: BigInt): string {
  return taskId.toString();
}

export function claimKey(taskId: BigInt, number: i32): string {
  return taskId.toString() + "-" + number.toString();
}

export function submissionKey(taskId: BigInt, number: i32): string {
  return taskId.toString() + "-" + number.toString();
}

export function milestoneKey(taskId: BigInt, index: i32): string {
  return taskId.toString() + "-" + index.toString();
}

export function dependencyKey(taskId: BigInt, dependency: BigInt): string {
  return taskId.toString() + "-" + dependency.toString();
}

export function disputeKey(module: Bytes, taskId: BigInt, number: i32): string {
  return module.toHexString() + "-" + taskId.toString() + "-" + number.toString();
}

export function bidKey(taskId: BigInt, bidder: Bytes): string {
  return taskId.toString() + "-" + bidder.toHexString();
}

export function applicationKey(taskId: BigInt, applicant: Bytes): string {
  return taskId.toString() + "-" + applicant.toHexString();
}

export function verifierKey(setId: BigInt, verifier: Bytes): string {
  return setId.toString() + "-" + verifier.toHexString();
}

export function arbitratorDisputeKey(arbitrator: Bytes, disputeId: BigInt): Bytes {
  return arbitrator.concat(uint256Bytes(disputeId));
}

export function pairKey(first: Bytes, second: Bytes): Bytes {
  return first.concat(second);
}

export function creditKey(contract: Bytes, account: Bytes, token: Bytes): Bytes {
  return contract.concat(account).concat(token);
}
