// The assignment modules' configurations, as the verification modules' are in src/protocol/verification-configs.ts:
// their types taken from each module's generated ABI (the `configHash` parameter), the `assignerConfigHash` a task's
// options commit to, and the event with which a module publishes a task's configuration, indexed by the task id and
// the hash. The modules store no configuration: that event is the only record anyone can read it back from.
import {
  encodeAbiParameters,
  getAbiItem,
  keccak256,
  type Abi,
  type AbiEvent,
  type Address,
  type ContractFunctionArgs,
  type Hex,
  type PublicClient,
} from "viem";

import { applicationBoardAbi, gatedClaimAbi, reverseAuctionAbi } from "../../src/protocol/abis.ts";
import { moduleConfigHash } from "../../src/protocol/verification-configs.ts";

/** `IGatedClaim.GateConfig`. */
export type GateConfig = ContractFunctionArgs<typeof gatedClaimAbi, "pure", "configHash">[0];
/** `IApplicationBoard.BoardConfig`. */
export type BoardConfig = ContractFunctionArgs<typeof applicationBoardAbi, "pure", "configHash">[0];
/** `IReverseAuction.AuctionConfig`. */
export type AuctionConfig = ContractFunctionArgs<typeof reverseAuctionAbi, "pure", "configHash">[0];

/** An assignment module, by its key in the deployment, and its configuration for one task. */
export type TaskAssignment =
  | { module: "gatedClaim"; config: GateConfig }
  | { module: "applicationBoard"; config: BoardConfig }
  | { module: "reverseAuction"; config: AuctionConfig };

export type AssignmentModuleName = TaskAssignment["module"];

export const ASSIGNMENT_MODULE_NAMES = [
  "gatedClaim",
  "applicationBoard",
  "reverseAuction",
] as const satisfies readonly AssignmentModuleName[];

export const ASSIGNMENT_ABIS = {
  gatedClaim: gatedClaimAbi,
  applicationBoard: applicationBoardAbi,
  reverseAuction: reverseAuctionAbi,
} as const;

/** The event with which each module publishes a task's configuration, indexed by the task id and its hash. */
export const ASSIGNMENT_CONFIG_PUBLISHED_EVENTS = {
  gatedClaim: "GateConfigPublished",
  applicationBoard: "BoardConfigPublished",
  reverseAuction: "AuctionConfigPublished",
} as const satisfies Record<AssignmentModuleName, string>;

/** `IReverseAuction.AuctionPhase`, by value. */
export const AUCTION_PHASE_NAMES = ["Bidding", "Revealing", "Awarding", "Finalizable", "Awarded", "Cancelled"] as const;
export type AuctionPhaseName = (typeof AUCTION_PHASE_NAMES)[number];

/** `IReverseAuction.BidStatus`, by value. */
export const BID_STATUS_NAMES = ["None", "Committed", "Placed", "Forfeited", "Withdrawn", "Awarded"] as const;
export type BidStatusName = (typeof BID_STATUS_NAMES)[number];

/** The `assignerConfigHash` of an assignment configuration, computed as the module's `configHash(config)` does. */
export function assignerConfigHash(assignment: TaskAssignment): Hex {
  return moduleConfigHash(ASSIGNMENT_ABIS[assignment.module] as Abi, assignment.config);
}

/** The module an assigner address is, among the deployment's assignment modules; undefined for none of them. */
export function assignmentModuleAt(
  assigner: Address,
  modules: Partial<Record<AssignmentModuleName, Address>>,
): AssignmentModuleName | undefined {
  const lower = assigner.toLowerCase();
  return ASSIGNMENT_MODULE_NAMES.find((name) => modules[name]?.toLowerCase() === lower);
}

/**
 * The commitment of a sealed bid, as `IReverseAuction.commitmentFor` computes it:
 * `keccak256(abi.encode(chainId, auction, taskId, bidder, price, eta, salt))`. Computed here rather than asked of the
 * module, so that a sealed price never leaves the bidder before its reveal (an `eth_call` would show it to the node).
 */
export function sealedBidCommitment(bid: {
  chainId: number | bigint;
  auction: Address;
  taskId: bigint;
  bidder: Address;
  price: bigint;
  eta: number;
  salt: Hex;
}): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        { type: "uint256" },
        { type: "address" },
        { type: "uint256" },
        { type: "address" },
        { type: "uint128" },
        { type: "uint32" },
        { type: "bytes32" },
      ],
      [BigInt(bid.chainId), bid.auction, bid.taskId, bid.bidder, bid.price, bid.eta, bid.salt],
    ),
  );
}

/**
 * The configuration with hash `configHash` that someone published for task `taskId` on the `module` at `address`,
 * read from its `…ConfigPublished` event from block `fromBlock` on; undefined when nobody has published it.
 */
export async function readPublishedAssignment(
  client: PublicClient,
  request: { module: AssignmentModuleName; address: Address; taskId: bigint; configHash: Hex; fromBlock: bigint },
): Promise<TaskAssignment | undefined> {
  const { module } = request;
  const event = getAbiItem({
    abi: ASSIGNMENT_ABIS[module] as Abi,
    name: ASSIGNMENT_CONFIG_PUBLISHED_EVENTS[module],
  }) as AbiEvent;
  const logs = await client.getLogs({
    address: request.address,
    event,
    args: { taskId: request.taskId, configHash: request.configHash } as never,
    fromBlock: request.fromBlock,
    toBlock: "latest",
    strict: true,
  });
  const config = (logs[0]?.args as { config?: unknown } | undefined)?.config;
  return config === undefined ? undefined : ({ module, config } as TaskAssignment);
}
