/**
 * What the end-to-end tests of task graphs and assignment modules share: the market of `deployTaskMarket` with the
 * three assignment modules on top (`GatedClaim`, `ApplicationBoard`, `ReverseAuction`, each deployed for that market)
 * and two more registered agents; the modules' configurations and their hashes computed as a client would; a ledger
 * that checks every balance of a flow net of the gas each sender paid; and readers over the market's history.
 *
 * The protocol's own types come from src/protocol (through test/nodejs/helpers); only the modules' configuration
 * structs and enums, which have no shared definition yet, are described here.
 */
import assert from "node:assert/strict";

import type { ContractReturnType } from "@nomicfoundation/hardhat-viem/types";
import type { NetworkConnection } from "hardhat/types/network";
import { encodeAbiParameters, getAddress, keccak256, parseEventLogs } from "viem";
import type { Address, Hash, Hex } from "viem";

import { sealedBidCommitment as commitmentOfSealedBid } from "../../../sdk/src/assignment-configs.ts";
import { CAPABILITIES, deployTaskMarket, passiveAddress, type Party } from "../helpers/fixtures.js";
import {
  DOCUMENT_URI,
  buildTerms,
  claimTask,
  escrowOf,
  postTask,
  readTaskCreated,
  send,
  submitWork,
  type PostedTask,
  type SentTransaction,
} from "../helpers/lifecycle.js";
import { BPS, ETH, ExecutorKind, type TaskOptions, type TaskTerms } from "../helpers/protocol.js";

export type GatedClaimContract = ContractReturnType<"GatedClaim">;
export type ApplicationBoardContract = ContractReturnType<"ApplicationBoard">;
export type ReverseAuctionContract = ContractReturnType<"ReverseAuction">;

export const DAY = 24 * 3600;

/** `Requirements` from `AssignmentTypes.sol`. */
export interface Requirements {
  minCompleted: number;
  maxDisputesLostBps: number;
  dependencies: bigint[];
}

/** `IGatedClaim.GateConfig`. */
export interface GateConfig {
  requirements: Requirements;
}

/** `IApplicationBoard.BoardConfig`. */
export interface BoardConfig {
  requirements: Requirements;
  applicationDeadline: number;
}

/** `IReverseAuction.AuctionConfig`. */
export interface AuctionConfig {
  requirements: Requirements;
  biddingEnd: number;
  revealEnd: number;
  bidBond: bigint;
  priceWeightBps: number;
  awardWindow: number;
}

/** `IReverseAuction.BidStatus`. */
export const BidStatus = { None: 0, Committed: 1, Placed: 2, Forfeited: 3, Withdrawn: 4, Awarded: 5 } as const;
/** `IReverseAuction.AuctionOutcome`. */
export const AuctionOutcome = { None: 0, Awarded: 1, Cancelled: 2 } as const;
/** `IReverseAuction.AuctionPhase`. */
export const AuctionPhase = {
  Bidding: 0,
  Revealing: 1,
  Awarding: 2,
  Finalizable: 3,
  Awarded: 4,
  Cancelled: 5,
} as const;

/** `IReverseAuction.Bid`, as viem decodes it. */
export interface Bid {
  bidder: Address;
  status: number;
  eta: number;
  sequence: number;
  price: bigint;
  deposit: bigint;
  commitment: Hex;
}

/** No gate: any eligible executor, with any record, and no dependencies. */
export function openRequirements(overrides: Partial<Requirements> = {}): Requirements {
  return { minCompleted: 0, maxDisputesLostBps: BPS, dependencies: [], ...overrides };
}

const REQUIREMENTS_COMPONENTS = [
  { name: "minCompleted", type: "uint32" },
  { name: "maxDisputesLostBps", type: "uint16" },
  { name: "dependencies", type: "uint256[]" },
] as const;

function requirementsTuple(requirements: Requirements) {
  return {
    minCompleted: requirements.minCompleted,
    maxDisputesLostBps: requirements.maxDisputesLostBps,
    dependencies: requirements.dependencies,
  };
}

/** `keccak256(abi.encode(config))`, the `assignerConfigHash` of a task behind a `GatedClaim`, computed off-chain. */
export function gateConfigHash(config: GateConfig): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "tuple", components: [{ name: "requirements", type: "tuple", components: REQUIREMENTS_COMPONENTS }] }],
      [{ requirements: requirementsTuple(config.requirements) }],
    ),
  );
}

/** `keccak256(abi.encode(config))` for an `ApplicationBoard` task, computed off-chain. */
export function boardConfigHash(config: BoardConfig): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        {
          type: "tuple",
          components: [
            { name: "requirements", type: "tuple", components: REQUIREMENTS_COMPONENTS },
            { name: "applicationDeadline", type: "uint40" },
          ],
        },
      ],
      [{ requirements: requirementsTuple(config.requirements), applicationDeadline: config.applicationDeadline }],
    ),
  );
}

/** `keccak256(abi.encode(config))` for a `ReverseAuction` task, computed off-chain. */
export function auctionConfigHash(config: AuctionConfig): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        {
          type: "tuple",
          components: [
            { name: "requirements", type: "tuple", components: REQUIREMENTS_COMPONENTS },
            { name: "biddingEnd", type: "uint40" },
            { name: "revealEnd", type: "uint40" },
            { name: "bidBond", type: "uint128" },
            { name: "priceWeightBps", type: "uint16" },
            { name: "awardWindow", type: "uint32" },
          ],
        },
      ],
      [
        {
          requirements: requirementsTuple(config.requirements),
          biddingEnd: config.biddingEnd,
          revealEnd: config.revealEnd,
          bidBond: config.bidBond,
          priceWeightBps: config.priceWeightBps,
          awardWindow: config.awardWindow,
        },
      ],
    ),
  );
}

/** The commitment of a sealed bid, as the SDK computes it (`ReverseAuction.commitmentFor` checks it on reveal). */
export function sealedBidCommitment(
  chainId: number,
  module: Address,
  taskId: bigint,
  bidder: Address,
  price: bigint,
  eta: number,
  salt: Hex,
): Hex {
  return commitmentOfSealedBid({ chainId, auction: module, taskId, bidder, price, eta, salt });
}

/**
 * The automatic rule of `IReverseAuction`, restated from its documentation: `reputationBps` from the executor's record,
 * `priceBps` from the price against the budget, every division rounding down.
 */
export function reputationBpsOf(record: {
  completed: number;
  expired: number;
  rejected: number;
  disputesLost: number;
}): bigint {
  const outcomes = BigInt(record.completed + record.expired + record.rejected + record.disputesLost);
  return outcomes === 0n ? 0n : (BigInt(record.completed) * BigInt(BPS)) / outcomes;
}

export function auctionScoreOf(reputationBps: bigint, price: bigint, budget: bigint, priceWeightBps: number): bigint {
  const priceBps = ((budget - price) * BigInt(BPS)) / budget;
  const weight = BigInt(priceWeightBps);
  return weight * priceBps + (BigInt(BPS) - weight) * reputationBps;
}

/**
 * `deployTaskMarket`, plus the three assignment modules for its market and two more agents (wallets 8 and 9), each
 * answering to an operator of its own who is no party to any task. Pass it itself to `networkHelpers.loadFixture`.
 */
export async function deployCompositionMarket(connection: NetworkConnection) {
  const fixture = await deployTaskMarket(connection);
  const { viem } = connection;
  const wallets = await viem.getWalletClients();
  const market = fixture.market.address;

  const gatedClaim: GatedClaimContract = await viem.getContractAt(
    "GatedClaim",
    getAddress((await viem.deployContract("GatedClaim", [market])).address),
  );
  const applicationBoard: ApplicationBoardContract = await viem.getContractAt(
    "ApplicationBoard",
    getAddress((await viem.deployContract("ApplicationBoard", [market])).address),
  );
  const reverseAuction: ReverseAuctionContract = await viem.getContractAt(
    "ReverseAuction",
    getAddress((await viem.deployContract("ReverseAuction", [market])).address),
  );

  const [secondAgent, thirdAgent]: Party[] = [8, 9].map((index) => ({
    address: getAddress(wallets[index].account.address),
    wallet: wallets[index],
  }));
  for (const [index, agent] of [secondAgent, thirdAgent].entries()) {
    await fixture.registry.write.register(
      [ExecutorKind.Agent, passiveAddress(`composition operator ${index}`), CAPABILITIES, "ipfs://bafyagentprofile"],
      { account: agent.wallet.account },
    );
  }

  return { ...fixture, gatedClaim, applicationBoard, reverseAuction, secondAgent, thirdAgent };
}

export type CompositionFixture = Awaited<ReturnType<typeof deployCompositionMarket>>;

/**
 * Every balance a flow moves, checked net of gas: each transaction is sent through the ledger with its sender, which is
 * charged its gas, and `assertDeltas` compares what each account gained or lost since `open` with what the escrow rules
 * say. Every tracked account must be listed, so a party nobody thought about cannot be paid unnoticed.
 */
export class Ledger {
  private readonly gasPaid = new Map<Address, bigint>();
  private readonly before = new Map<Address, bigint>();

  private constructor(
    private readonly fixture: CompositionFixture,
    private readonly accounts: readonly Address[],
  ) {}

  static async open(fixture: CompositionFixture, accounts: readonly Address[]): Promise<Ledger> {
    const ledger = new Ledger(fixture, accounts);
    for (const account of accounts) {
      ledger.before.set(account, await fixture.publicClient.getBalance({ address: account }));
      ledger.gasPaid.set(account, 0n);
    }
    return ledger;
  }

  /** Waits for a contract write sent by `sender` and charges its gas. */
  async send(sender: Party, pending: Promise<Hash>): Promise<SentTransaction> {
    return this.charge(sender, send(this.fixture, pending));
  }

  /** Charges `sender` the gas of a transaction sent by a lifecycle helper. */
  async charge(sender: Party, pending: Promise<SentTransaction>): Promise<SentTransaction> {
    const sent = await pending;
    assert.equal(getAddress(sent.receipt.from), sender.address, "the ledger charges the account that sent it");
    const paid = this.gasPaid.get(sender.address);
    assert.ok(paid !== undefined, `the ledger does not track ${sender.address}`);
    this.gasPaid.set(sender.address, paid + sent.gasCost);
    return sent;
  }

  /** Asserts how much each tracked account gained (or lost, negative) since the ledger opened, gas aside. */
  async assertDeltas(expected: ReadonlyArray<readonly [Address, bigint]>): Promise<void> {
    assert.deepEqual(new Set(expected.map(([account]) => account)), new Set(this.accounts));
    const actual = await Promise.all(
      expected.map(async ([account]) => {
        const after = await this.fixture.publicClient.getBalance({ address: account });
        return [account, after - this.before.get(account)! + this.gasPaid.get(account)!] as const;
      }),
    );
    assert.deepEqual(actual, expected);
  }
}

/** Posts a task with `createTaskWithOptions`, sending its escrow, and checks the options the market stored. */
export async function postTaskWithOptions(
  fixture: CompositionFixture,
  ledger: Ledger,
  terms: TaskTerms,
  options: TaskOptions,
): Promise<PostedTask> {
  assert.equal(terms.poster, fixture.poster.address);
  assert.equal(terms.token, ETH);
  const posted = await ledger.send(
    fixture.poster,
    fixture.market.write.createTaskWithOptions([terms, options, CAPABILITIES, DOCUMENT_URI], {
      account: fixture.poster.wallet.account,
      value: escrowOf(terms),
    }),
  );
  const task = { ...readTaskCreated(fixture, posted.receipt), posted };
  const optionsSet = parseEventLogs({
    abi: fixture.market.abi,
    logs: posted.receipt.logs,
    eventName: "TaskOptionsSet",
  });
  assert.equal(optionsSet.length, 1);
  assert.deepEqual(optionsSet[0].args, { taskId: task.taskId, assigner: options.assigner, options });
  assert.deepEqual(await fixture.market.read.optionsOf([task.taskId]), options);
  return task;
}

/**
 * Gives `executor` a completed task on its record: the poster posts a first-come task, `executor` claims it and
 * delivers, and the poster approves. Returns the task; the balances it moves are the ledger's.
 */
export async function completeTask(
  fixture: CompositionFixture,
  ledger: Ledger,
  executor: Party,
  overrides: Partial<TaskTerms> = {},
): Promise<PostedTask> {
  const task = await postTask(fixture, await buildTerms(fixture, overrides));
  await ledger.charge(fixture.poster, Promise.resolve(task.posted));
  await ledger.charge(executor, claimTask(fixture, task, executor));
  await ledger.charge(executor, submitWork(fixture, task, executor));
  await ledger.send(
    fixture.poster,
    fixture.market.write.approve([task.taskId, task.terms], { account: fixture.poster.wallet.account }),
  );
  return task;
}

/** A task's `WorkSubmitted` events, oldest first, as an indexer reads them. */
export interface WorkSubmission {
  executor: Address;
  resultHash: Hex;
  resultURI: string;
  reviewDeadline: number;
}

export async function workSubmissionsOf(fixture: CompositionFixture, taskId: bigint): Promise<WorkSubmission[]> {
  const logs = await fixture.publicClient.getLogs({
    address: fixture.market.address,
    fromBlock: 0n,
    toBlock: "latest",
  });
  return parseEventLogs({ abi: fixture.market.abi, logs, eventName: "WorkSubmitted" })
    .map((log) => log.args as unknown as WorkSubmission & { taskId: bigint })
    .filter((args) => args.taskId === taskId)
    .map(({ executor, resultHash, resultURI, reviewDeadline }) => ({
      executor,
      resultHash,
      resultURI,
      reviewDeadline,
    }));
}
