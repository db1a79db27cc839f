/**
 * What the end-to-end tests of the dispute-based verification modules share: the market of `deployTaskMarket` with an
 * `OptimisticModule`, a `ReviewModule` and a `PanelArbitrator` of three arbiters on top, the modules' configuration
 * hashes computed as a client would, and readers over the modules' and the panel's views and events.
 *
 * The protocol's own types come from src/protocol (through test/nodejs/helpers); only the modules' configuration and
 * contest structs, which have no shared definition yet, are described here.
 */
import type { ContractReturnType } from "@nomicfoundation/hardhat-viem/types";
import type { NetworkConnection } from "hardhat/types/network";
import { encodeAbiParameters, getAddress, keccak256, parseEventLogs } from "viem";
import type { Abi, Address, Hex, TransactionReceipt } from "viem";

import { deployTaskMarket, type Party } from "../helpers/fixtures.js";
import type { MarketEvent } from "../helpers/lifecycle.js";

export type OptimisticModuleContract = ContractReturnType<"OptimisticModule">;
export type ReviewModuleContract = ContractReturnType<"ReviewModule">;
export type PanelArbitratorContract = ContractReturnType<"PanelArbitrator">;

export const DAY = 24 * 3600;

/** Neither is a round figure, so that a fee mixed up with a bond (or half of either) shows in a balance. */
export const ARBITRATION_FEE = 30_000_000_000_000_001n; // 0.03 ETH + 1 wei: its halves differ
export const CHALLENGE_BOND = 200_000_000_000_000_007n; // 0.2 ETH + 7 wei
export const VOTING_PERIOD = 3 * DAY;
export const META_EVIDENCE_URI = "ipfs://bafymetaevidence";

/** The constants of `DisputableModule`, restated so that a change shows. */
export const FEE_PAYMENT_PERIOD = 3 * DAY;
export const RULING_PERIOD = 30 * DAY;
export const EXECUTION_PERIOD = 7 * DAY;
export const TREASURY_SHARE_BPS = 1_000n;

/** `IDisputableModule.ContestPhase`. */
export const ContestPhase = { None: 0, Open: 1, AwaitingRespondent: 2, Arbitrating: 3, Ruled: 4 } as const;
/** `IDisputableModule.ContestOutcome`. */
export const ContestOutcome = {
  Accepted: 0,
  RespondentDefaulted: 1,
  Ruled: 2,
  ArbitratorSilent: 3,
  Agreed: 4,
  Lapsed: 5,
} as const;

/** The ruling that gives the executor `percent` % (a multiple of 10): rulings 1 to 11 give 0 % to 100 %. */
export function rulingFor(percent: number): bigint {
  return BigInt(percent / 10 + 1);
}

/** `IOptimisticModule.OptimisticConfig`. */
export interface OptimisticConfig {
  arbitrator: Address;
  challengeBond: bigint;
}

/** `IReviewModule.ReviewConfig`. */
export interface ReviewConfig {
  reviewer: Address;
  arbitrator: Address;
  contestWindow: number;
}

/** `IDisputableModule.Contest`, as viem decodes it. */
export interface Contest {
  phase: number;
  rejection: boolean;
  claimantForExecutor: boolean;
  decisionShareBps: number;
  rulingShareBps: number;
  deadline: number;
  claimant: Address;
  respondent: Address;
  arbitrator: Address;
  arbitratorDisputeId: bigint;
  claimantFee: bigint;
  bond: bigint;
}

/** `keccak256(abi.encode(config))`, the `verifierConfigHash` of an optimistic task, computed off-chain. */
export function optimisticConfigHash(config: OptimisticConfig): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "tuple", components: [{ type: "address" }, { type: "uint128" }] }],
      [[config.arbitrator, config.challengeBond]],
    ),
  );
}

/** `keccak256(abi.encode(config))`, the `verifierConfigHash` of a reviewed task, computed off-chain. */
export function reviewConfigHash(config: ReviewConfig): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "tuple", components: [{ type: "address" }, { type: "address" }, { type: "uint32" }] }],
      [[config.reviewer, config.arbitrator, config.contestWindow]],
    ),
  );
}

/**
 * `deployTaskMarket`, plus both dispute-based modules and a panel of three arbiters (wallets 8 to 10, who are no
 * party to any task). Pass it itself to `networkHelpers.loadFixture`.
 */
export async function deployVerificationMarket(connection: NetworkConnection) {
  const fixture = await deployTaskMarket(connection);
  const { viem } = connection;
  const wallets = await viem.getWalletClients();
  const arbiters: Party[] = [8, 9, 10].map((index) => ({
    address: getAddress(wallets[index].account.address),
    wallet: wallets[index],
  }));
  const market = fixture.market.address;

  const optimistic: OptimisticModuleContract = await viem.getContractAt(
    "OptimisticModule",
    getAddress((await viem.deployContract("OptimisticModule", [market, META_EVIDENCE_URI])).address),
  );
  const review: ReviewModuleContract = await viem.getContractAt(
    "ReviewModule",
    getAddress((await viem.deployContract("ReviewModule", [market, META_EVIDENCE_URI])).address),
  );
  const panel: PanelArbitratorContract = await viem.getContractAt(
    "PanelArbitrator",
    getAddress(
      (await viem.deployContract("PanelArbitrator", [fixture.owner.address, ARBITRATION_FEE, VOTING_PERIOD])).address,
    ),
  );
  for (const arbiter of arbiters) {
    await panel.write.addArbiter([arbiter.address], { account: fixture.owner.wallet.account });
  }

  return { ...fixture, optimistic, review, panel, arbiters };
}

export type VerificationFixture = Awaited<ReturnType<typeof deployVerificationMarket>>;

/** The events `contract` emitted in a receipt, in order, with their named arguments. */
export function eventsOf(contract: { address: Address; abi: Abi }, receipt: TransactionReceipt): MarketEvent[] {
  const logs = receipt.logs.filter((log) => log.address.toLowerCase() === contract.address.toLowerCase());
  return parseEventLogs({ abi: contract.abi, logs }).map((log) => ({
    eventName: log.eventName,
    args: { ...(log.args as unknown as Record<string, unknown>) },
  }));
}

export async function contestOf(
  module: OptimisticModuleContract | ReviewModuleContract,
  taskId: bigint,
): Promise<Contest> {
  return { ...((await module.read.contestOf([taskId])) as Contest) };
}

export async function panelCreditOf(panel: PanelArbitratorContract, account: Address): Promise<bigint> {
  return (await panel.read.creditOf([account])) as bigint;
}

/** The part of a losing side's `bond` paid to the market's fee recipient. */
export function treasuryCutOf(bond: bigint): bigint {
  return (bond * TREASURY_SHARE_BPS) / 10_000n;
}
