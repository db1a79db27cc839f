/**
 * The scenario's view of a real chain reached over JSON-RPC: a Hardhat network connection to the node's URL, the
 * protocol's contracts at the addresses of a `Deployment`, the node's dev accounts as named parties, and the steps every
 * flow is made of — send a transaction, check the events it emitted, move the clock.
 *
 * Every transaction is sent by the node's unlocked dev accounts (`eth_sendTransaction`), and typed data is signed by
 * the node (`eth_signTypedData_v4`), exactly as a wallet connected to the chain would.
 */
import assert from "node:assert/strict";

import type { ContractReturnType, PublicClient, WalletClient } from "@nomicfoundation/hardhat-viem/types";
import type { NetworkConnection } from "hardhat/types/network";
import { getAddress, keccak256, parseEventLogs, stringToHex } from "viem";
import type { Abi, Address, Hash, TransactionReceipt } from "viem";

import type { Deployment } from "../../../../scripts/deployment.js";

export type TaskMarketContract = ContractReturnType<"TaskMarket">;
export type ExecutorRegistryContract = ContractReturnType<"ExecutorRegistry">;
export type ReviewModuleContract = ContractReturnType<"ReviewModule">;
export type AttestationModuleContract = ContractReturnType<"AttestationModule">;
export type OptimisticModuleContract = ContractReturnType<"OptimisticModule">;
export type ProofModuleContract = ContractReturnType<"ProofModule">;
export type PanelArbitratorContract = ContractReturnType<"PanelArbitrator">;
export type GatedClaimContract = ContractReturnType<"GatedClaim">;
export type ApplicationBoardContract = ContractReturnType<"ApplicationBoard">;
export type ReverseAuctionContract = ContractReturnType<"ReverseAuction">;
export type MockERC20Contract = ContractReturnType<"MockERC20">;
export type BlockableTokenContract = ContractReturnType<"BlockableToken">;
export type RejectingExecutorContract = ContractReturnType<"RejectingExecutor">;
export type EthRefusingAccountContract = ContractReturnType<"EthRefusingAccount">;

/** An account the scenario signs with: one of the node's dev accounts, under the name of its role. */
export interface Party {
  name: string;
  address: Address;
  wallet: WalletClient;
}

/** The protocol's contracts, by the keys of `Deployment.contracts`. */
export interface ProtocolContracts {
  taskMarket: TaskMarketContract;
  executorRegistry: ExecutorRegistryContract;
  reviewModule: ReviewModuleContract;
  attestationModule: AttestationModuleContract;
  optimisticModule: OptimisticModuleContract;
  proofModule: ProofModuleContract;
  panelArbitrator: PanelArbitratorContract;
  gatedClaim: GatedClaimContract;
  applicationBoard: ApplicationBoardContract;
  reverseAuction: ReverseAuctionContract;
  devToken: MockERC20Contract;
}

export type ContractKey = keyof ProtocolContracts;

/** A contract whose events a step may expect: its address and ABI. */
export interface EventSource {
  address: Address;
  abi: Abi;
}

export interface SentTransaction {
  hash: Hash;
  receipt: TransactionReceipt;
  /** What the sender paid for gas, in wei. */
  gasCost: bigint;
  /** The timestamp of the block that included it. */
  timestamp: number;
}

/** An event as a step expects it: the contract that emits it, its name and (some of) its arguments. */
export interface ExpectedEvent {
  source: EventSource;
  eventName: string;
  args?: Record<string, unknown>;
}

export interface DecodedEvent {
  source: EventSource;
  eventName: string;
  args: Record<string, unknown>;
}

/** An address nobody signs for, so that its balance only moves when someone pays it. */
export function passiveAddress(label: string): Address {
  return getAddress(`0x${keccak256(stringToHex(`taskmarket reconciliation: ${label}`)).slice(26)}`);
}

export class ScenarioChain {
  readonly connection: NetworkConnection;
  readonly deployment: Deployment;
  readonly publicClient: PublicClient;
  readonly contracts: ProtocolContracts;
  readonly wallets: readonly WalletClient[];
  readonly chainId: number;
  /** Every contract whose events steps check, beyond the protocol's: the mocks the scenario deploys add themselves. */
  readonly #sources: EventSource[];

  private constructor(
    connection: NetworkConnection,
    deployment: Deployment,
    publicClient: PublicClient,
    contracts: ProtocolContracts,
    wallets: readonly WalletClient[],
    chainId: number,
  ) {
    this.connection = connection;
    this.deployment = deployment;
    this.publicClient = publicClient;
    this.contracts = contracts;
    this.wallets = wallets;
    this.chainId = chainId;
    this.#sources = Object.values(contracts);
  }

  /** Attaches to the contracts of `deployment` through a connection to its chain. */
  static async attach(connection: NetworkConnection, deployment: Deployment): Promise<ScenarioChain> {
    const { viem } = connection;
    const publicClient = await viem.getPublicClient();
    const wallets = await viem.getWalletClients();
    const chainId = await publicClient.getChainId();
    assert.equal(chainId, deployment.chainId, "the connection reaches the chain the deployment describes");
    const { contracts } = deployment;
    if (contracts.devToken === undefined)
      throw new Error("The scenario needs the dev token: deploy it with the protocol.");
    // Re-attached at checksummed addresses, so that they compare equal to the addresses events decode to.
    const at = <Name extends string>(name: Name, address: Address) => viem.getContractAt(name, getAddress(address));
    const attached: ProtocolContracts = {
      taskMarket: await at("TaskMarket", contracts.taskMarket.address),
      executorRegistry: await at("ExecutorRegistry", contracts.executorRegistry.address),
      reviewModule: await at("ReviewModule", contracts.reviewModule.address),
      attestationModule: await at("AttestationModule", contracts.attestationModule.address),
      optimisticModule: await at("OptimisticModule", contracts.optimisticModule.address),
      proofModule: await at("ProofModule", contracts.proofModule.address),
      panelArbitrator: await at("PanelArbitrator", contracts.panelArbitrator.address),
      gatedClaim: await at("GatedClaim", contracts.gatedClaim.address),
      applicationBoard: await at("ApplicationBoard", contracts.applicationBoard.address),
      reverseAuction: await at("ReverseAuction", contracts.reverseAuction.address),
      devToken: await at("test/solidity/mocks/MockERC20.sol:MockERC20", contracts.devToken.address),
    };
    return new ScenarioChain(connection, deployment, publicClient, attached, wallets, chainId);
  }

  /** The node's dev account `index`, named after the role it plays. */
  party(index: number, name: string): Party {
    const wallet = this.wallets[index];
    assert.ok(wallet !== undefined, `the node has no dev account ${index}`);
    return { name, address: getAddress(wallet.account.address), wallet };
  }

  /** Lets steps check the events of a contract the scenario deployed itself. */
  addEventSource(source: EventSource): void {
    this.#sources.push(source);
  }

  /**
   * Waits for a transaction, checks that it succeeded and that `from` sent it, and, when `expected` is given, that the
   * events it emitted from the protocol's contracts (and the scenario's mocks) are exactly those, in that order, with
   * at least the arguments listed. Token `Transfer`/`Approval` logs are not part of the comparison.
   */
  async send(from: Party, pending: Promise<Hash>, expected?: readonly ExpectedEvent[]): Promise<SentTransaction> {
    const hash = await pending;
    const receipt = await this.publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, "success", `transaction ${hash} from ${from.name} reverted`);
    assert.equal(getAddress(receipt.from), from.address, `transaction ${hash} was sent by ${from.name}`);
    const block = await this.publicClient.getBlock({ blockNumber: receipt.blockNumber });
    const sent: SentTransaction = {
      hash,
      receipt,
      gasCost: receipt.gasUsed * receipt.effectiveGasPrice,
      timestamp: Number(block.timestamp),
    };
    if (expected !== undefined) this.expectEvents(sent, expected);
    return sent;
  }

  /** The events of the known contracts in a receipt, in log order. */
  decode(receipt: TransactionReceipt): DecodedEvent[] {
    const decoded: DecodedEvent[] = [];
    for (const log of receipt.logs) {
      const source = this.#sources.find((candidate) => candidate.address.toLowerCase() === log.address.toLowerCase());
      if (source === undefined || source === this.contracts.devToken) continue;
      const [parsed] = parseEventLogs({ abi: source.abi, logs: [log] });
      if (parsed === undefined) continue;
      if (parsed.eventName === "Transfer" || parsed.eventName === "Approval") continue;
      decoded.push({ source, eventName: parsed.eventName, args: { ...(parsed.args as Record<string, unknown>) } });
    }
    return decoded;
  }

  expectEvents(sent: SentTransaction, expected: readonly ExpectedEvent[]): void {
    const actual = this.decode(sent.receipt);
    const describe = (events: readonly { source: EventSource; eventName: string }[]) =>
      events.map((event) => `${this.nameOf(event.source)}.${event.eventName}`);
    assert.deepEqual(describe(actual), describe(expected), `the events of ${sent.hash}`);
    expected.forEach((event, index) => {
      for (const [name, value] of Object.entries(event.args ?? {})) {
        assert.deepEqual(
          actual[index]!.args[name],
          value,
          `${this.nameOf(event.source)}.${event.eventName}.${name} in ${sent.hash}`,
        );
      }
    });
  }

  /** The key of a protocol contract, or the address of another contract, for messages. */
  nameOf(source: EventSource): string {
    const entry = Object.entries(this.contracts).find(([, contract]) => contract === source);
    return entry?.[0] ?? source.address;
  }

  async latestTimestamp(): Promise<number> {
    return Number((await this.publicClient.getBlock()).timestamp);
  }

  async blockNumber(): Promise<bigint> {
    return this.publicClient.getBlockNumber();
  }

  /** Mines a block `seconds` after the latest one. */
  async increaseTime(seconds: number): Promise<void> {
    await this.connection.networkHelpers.time.increase(seconds);
  }

  /** Mines a block at `timestamp` (which must be later than the latest block). */
  async increaseTo(timestamp: number): Promise<void> {
    await this.connection.networkHelpers.time.increaseTo(timestamp);
  }
}
