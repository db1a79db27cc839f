// The protocol's contracts as their events describe them, and the record of their administrative and informational
// events (ownership, pause, fee settings, ERC-1497 links), which change no other entity or only a setting.
import { BigInt, Bytes } from "@graphprotocol/graph-ts";

import { ContractEvent, ProtocolContract } from "../../generated/schema";
import { Context } from "./context";

export function protocolContract(ctx: Context, name: string): ProtocolContract {
  let contract = ProtocolContract.load(ctx.contract);
  if (contract === null) {
    contract = new ProtocolContract(ctx.contract);
    contract.name = name;
    contract.paused = false;
    contract.eventCount = BigInt.zero();
  }
  return contract;
}

/**
 * Records the event as a `ContractEvent` and counts it on its contract; returns the contract so that the caller can
 * update a setting before saving it.
 */
export function recordContractEvent(
  ctx: Context,
  contractName: string,
  eventName: string,
  args: string,
  task: string | null,
): ProtocolContract {
  const contract = protocolContract(ctx, contractName);
  contract.eventCount = contract.eventCount.plus(BigInt.fromI32(1));
  const entry = new ContractEvent(ctx.nextRecordId());
  entry.contract = contract.id;
  entry.name = eventName;
  entry.arguments = args;
  entry.task = task;
  entry.timestamp = ctx.timestamp;
  entry.blockNumber = ctx.blockNumber;
  entry.transaction = ctx.transactionHash();
  entry.save();
  return contract;
}

export function ownershipTransferStarted(ctx: Context, name: string, previousOwner: Bytes, newOwner: Bytes): void {
  const contract = recordContractEvent(
    ctx,
    name,
    "OwnershipTransferStarted",
    "previousOwner=" + previousOwner.toHexString() + ", newOwner=" + newOwner.toHexString(),
    null,
  );
  contract.owner = previousOwner;
  contract.pendingOwner = newOwner;
  contract.save();
}

export function ownershipTransferred(ctx: Context, name: string, previousOwner: Bytes, newOwner: Bytes): void {
  const contract = recordContractEvent(
    ctx,
    name,
    "OwnershipTransferred",
    "previousOwner=" + previousOwner.toHexString() + ", newOwner=" + newOwner.toHexString(),
    null,
  );
  contract.owner = newOwner;
  contract.pendingOwner = null;
  contract.save();
}
