/**
 * The deployment every lifecycle test starts from: the executor registry, the market, an ERC-2612 token, and a cast
 * of named accounts with a registered human and a registered agent.
 *
 * Pass `deployTaskMarket` itself (not a closure) to `networkHelpers.loadFixture` so that each test restarts from the
 * same snapshot.
 */
import type { WalletClient } from "@nomicfoundation/hardhat-viem/types";
import type { NetworkConnection } from "hardhat/types/network";
import { getAddress, keccak256, stringToHex, zeroAddress } from "viem";
import type { Address, Hex } from "viem";

import {
  ExecutorKind,
  capabilityId,
  sortCapabilities,
  type ExecutorRegistryContract,
  type MockERC20Contract,
  type TaskMarketContract,
} from "./protocol.js";

export const FEE_BPS = 250; // 2.5 %
export const TOKEN_NAME = "Test USD";
export const TOKEN_SYMBOL = "TUSD";
export const TOKEN_SUPPLY_PER_ACCOUNT = 1_000_000n * 10n ** 18n;

export const CAPABILITY_SOLIDITY = capabilityId("lang:solidity");
export const CAPABILITY_TRANSLATION = capabilityId("skill:translation/de-en");
/** Both capabilities, strictly ascending: what the human and the agent declare and what most tasks require. */
export const CAPABILITIES: Hex[] = sortCapabilities([CAPABILITY_SOLIDITY, CAPABILITY_TRANSLATION]);

export const HUMAN_METADATA_URI = "ipfs://bafyhumanprofile";
export const AGENT_METADATA_URI = "ipfs://bafyagentprofile";

/** An account the tests sign with. */
export interface Party {
  address: Address;
  wallet: WalletClient;
}

/** An address nobody signs for, so that its balance only moves when someone pays it. */
export function passiveAddress(label: string): Address {
  return getAddress(`0x${keccak256(stringToHex(`taskmarket test account: ${label}`)).slice(26)}`);
}

export async function deployTaskMarket(connection: NetworkConnection) {
  const { viem } = connection;
  const publicClient = await viem.getPublicClient();
  const wallets = await viem.getWalletClients();
  const party = (index: number): Party => ({
    address: getAddress(wallets[index].account.address),
    wallet: wallets[index],
  });

  const owner = party(0);
  const poster = party(1);
  const human = party(2);
  const agent = party(3);
  const secondHuman = party(4);
  const stranger = party(5);
  const reviewer = party(6);
  const controller = party(7);
  const operator = passiveAddress("agent operator");
  const feeRecipient = passiveAddress("fee recipient");

  // Re-attached at their checksummed addresses, so that they compare equal to the addresses events decode to.
  const registry: ExecutorRegistryContract = await viem.getContractAt(
    "ExecutorRegistry",
    getAddress((await viem.deployContract("ExecutorRegistry")).address),
  );
  const market: TaskMarketContract = await viem.getContractAt(
    "TaskMarket",
    getAddress(
      (await viem.deployContract("TaskMarket", [owner.address, registry.address, FEE_BPS, feeRecipient])).address,
    ),
  );
  const token: MockERC20Contract = await viem.getContractAt(
    "MockERC20",
    getAddress((await viem.deployContract("MockERC20", [TOKEN_NAME, TOKEN_SYMBOL, 18])).address),
  );

  for (const account of [poster, human, agent, secondHuman, stranger]) {
    await token.write.mint([account.address, TOKEN_SUPPLY_PER_ACCOUNT]);
  }

  await registry.write.register([ExecutorKind.Human, zeroAddress, CAPABILITIES, HUMAN_METADATA_URI], {
    account: human.wallet.account,
  });
  await registry.write.register([ExecutorKind.Agent, operator, CAPABILITIES, AGENT_METADATA_URI], {
    account: agent.wallet.account,
  });
  await registry.write.register([ExecutorKind.Human, zeroAddress, CAPABILITIES, HUMAN_METADATA_URI], {
    account: secondHuman.wallet.account,
  });

  return {
    viem,
    publicClient,
    registry,
    market,
    token,
    owner,
    poster,
    human,
    agent,
    secondHuman,
    stranger,
    reviewer,
    controller,
    operator,
    feeRecipient,
  };
}

export type TaskMarketFixture = Awaited<ReturnType<typeof deployTaskMarket>>;
