// Deploys the whole protocol to a running chain through its Ignition modules (the one definition of what the protocol
// is made of) and returns the deployment record: every contract with the block and transaction that created it.
//
// Runs in-process wherever Hardhat's runtime environment is available: under `hardhat run` (scripts/start.ts) and
// under `hardhat test nodejs`. The contracts must have been compiled (`npx hardhat build`; the test runner builds
// before running).
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";

import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import hre from "hardhat";
import { isAddress, parseAbi, type Address, type Hash, type PublicClient } from "viem";

import DevTokenModule from "../ignition/modules/DevToken.js";
import LocalArbitrationPanelModule from "../ignition/modules/LocalArbitrationPanel.js";
import ProtocolModule from "../ignition/modules/Protocol.js";
import {
  DEPLOYMENT_FORMAT_VERSION,
  PROTOCOL_CONTRACTS,
  PROTOCOL_CONTRACT_KEYS,
  type DeployedContract,
  type Deployment,
  type ProtocolContracts,
} from "./deployment.js";

/** The parameters of the `Protocol` Ignition module; see ignition/modules/Protocol.ts for their meaning and defaults. */
export interface ProtocolParameters {
  owner?: Address;
  feeBps?: number;
  feeRecipient?: Address;
  reviewMetaEvidenceURI?: string;
  attestationMetaEvidenceURI?: string;
  optimisticMetaEvidenceURI?: string;
  /** In wei. */
  arbitrationFee?: bigint;
  /** In seconds. */
  votingPeriod?: number;
}

export interface DeployProtocolOptions {
  /** The network name recorded in the deployment. Default: `"localhost"`. */
  network?: string;
  /** Parameters of the `Protocol` module; anything left out takes the module's local default. */
  parameters?: ProtocolParameters;
  /**
   * Seat the local three-member arbitration panel (ignition/modules/LocalArbitrationPanel.ts: accounts 17 to 19,
   * added by account 0, which must then be the owner). Default: true.
   */
  arbitrationPanel?: boolean;
  /** Also deploy the freely mintable dev token (ignition/modules/DevToken.ts). Default: true. */
  devToken?: boolean;
}

/** What Ignition needs compiled, by the name it resolves them with. */
const PROTOCOL_ARTIFACTS = Object.values(PROTOCOL_CONTRACTS);
const DEV_TOKEN_ARTIFACT = "test/solidity/mocks/MockERC20.sol:MockERC20";

// Only what is read here. Written out rather than taken from the artifacts so that it type-checks before a build.
const DEV_TOKEN_ABI = parseAbi([
  "function name() view returns (string)",
  "function symbol() view returns (string)",
  "function decimals() view returns (uint8)",
]);

/**
 * One module per combination of options, so that everything deploys in a single Ignition run: independent
 * contracts go out in the same batch instead of one module after another.
 */
function deploymentModule(arbitrationPanel: boolean, devToken: boolean) {
  const id = `LocalDeployment${arbitrationPanel ? "WithPanel" : ""}${devToken ? "WithDevToken" : ""}`;
  return buildModule(id, (m) => {
    const protocol = m.useModule(arbitrationPanel ? LocalArbitrationPanelModule : ProtocolModule);
    return devToken ? { ...protocol, devToken: m.useModule(DevTokenModule).devToken } : protocol;
  });
}

/**
 * Deploys every protocol contract (and, by default, the local arbitration panel and the dev token) to the chain at
 * `rpcUrl`, from its first account, and returns the deployment record, ready for `writeDeployment`.
 *
 * Ignition keeps a journal of each deployment so that an interrupted one can resume. A chain deployed to through this
 * function is a throw-away local chain: its journal goes to a directory of its own under ignition/deployments/ and is
 * removed when the deployment ends, so that concurrent deployments (parallel test files, all on chain id 31337) never
 * share or resume one another's journal.
 */
export async function deployProtocol(rpcUrl: string, options: DeployProtocolOptions = {}): Promise<Deployment> {
  const { network = "localhost", parameters = {}, arbitrationPanel = true, devToken = true } = options;
  await assertCompiled(devToken ? [...PROTOCOL_ARTIFACTS, DEV_TOKEN_ARTIFACT] : PROTOCOL_ARTIFACTS);

  // Only the parameters given reach Ignition: every other one takes the module's default.
  const protocolParameters = Object.fromEntries(
    Object.entries(parameters).filter(([, value]) => value !== undefined),
  ) as ProtocolParameters;

  const connection = await hre.network.create({ network: "localhost", override: { url: rpcUrl } });
  try {
    const publicClient = await connection.viem.getPublicClient();
    if (arbitrationPanel && protocolParameters.owner !== undefined) {
      const [firstAccount] = (await connection.provider.request({ method: "eth_accounts" })) as Address[];
      if (firstAccount === undefined || firstAccount.toLowerCase() !== protocolParameters.owner.toLowerCase()) {
        throw new Error(
          `The local arbitration panel is seated by account 0 (${firstAccount ?? "none"}), which must then own the ` +
            `protocol, but the owner is ${protocolParameters.owner}: pass \`arbitrationPanel: false\` or leave the owner out.`,
        );
      }
    }
    const chainId = await publicClient.getChainId();
    const firstBlock = (await publicClient.getBlockNumber()) + 1n;

    const deploymentId = `local-${chainId}-${randomUUID()}`;
    const journal = join(hre.config.paths.ignition, "deployments", deploymentId);
    // Also when the process exits mid-deployment (Ctrl-C during `npm start`), where `finally` would not run.
    const removeJournal = () => rmSync(journal, { recursive: true, force: true });
    process.once("exit", removeJournal);
    let result: Record<string, unknown>;
    try {
      result = await connection.ignition.deploy(deploymentModule(arbitrationPanel, devToken), {
        deploymentId,
        parameters: { Protocol: { ...protocolParameters } },
        // A local chain mines each transaction at once: poll for it often, and one confirmation is final.
        config: { blockPollingInterval: 50, requiredConfirmations: 1 },
      });
    } finally {
      process.removeListener("exit", removeJournal);
      removeJournal();
    }

    const addresses = new Map<string, Address>();
    for (const key of [...PROTOCOL_CONTRACT_KEYS, ...(devToken ? ["devToken"] : [])]) {
      addresses.set(key, addressOf(result[key], key));
    }
    const creations = await findCreations(publicClient, firstBlock, new Set(addresses.values()));
    const located = (key: string): DeployedContract => {
      const address = addresses.get(key)!;
      const creation = creations.get(address.toLowerCase());
      if (creation === undefined) {
        throw new Error(`No transaction creating ${key} (${address}) found from block ${firstBlock} on.`);
      }
      return { address, ...creation };
    };

    const contracts = Object.fromEntries(
      PROTOCOL_CONTRACT_KEYS.map((key) => [key, located(key)]),
    ) as Deployment["contracts"];
    if (devToken) {
      const token = located("devToken");
      const read = <F extends "name" | "symbol" | "decimals">(functionName: F) =>
        publicClient.readContract({ address: token.address, abi: DEV_TOKEN_ABI, functionName });
      const [name, symbol, decimals] = await Promise.all([read("name"), read("symbol"), read("decimals")]);
      contracts.devToken = { ...token, name, symbol, decimals };
    }
    return {
      formatVersion: DEPLOYMENT_FORMAT_VERSION,
      network,
      chainId,
      rpcUrl,
      deploymentBlock: Math.min(...Object.values(contracts).map((contract) => contract.blockNumber)),
      contracts,
    };
  } finally {
    await connection.close();
  }
}

async function assertCompiled(names: string[]): Promise<void> {
  const missing: string[] = [];
  for (const name of names) {
    if (!(await hre.artifacts.artifactExists(name))) missing.push(name);
  }
  if (missing.length > 0) {
    throw new Error(`Not compiled: ${missing.join(", ")}. Run \`npx hardhat build\` first.`);
  }
}

/** The address of a contract returned by an Ignition deployment. */
export function addressOf(contract: unknown, key: string): Address {
  const address = (contract as { address?: unknown } | undefined)?.address;
  if (typeof address !== "string" || !isAddress(address)) throw new Error(`Ignition returned no address for ${key}.`);
  return address;
}

/**
 * Finds the block and transaction that created each of `addresses`, among the contract creations in blocks
 * `fromBlock`..latest. A contract created by another contract (the market's extension) is not looked for.
 */
async function findCreations(
  publicClient: PublicClient,
  fromBlock: bigint,
  addresses: Set<Address>,
): Promise<Map<string, Omit<DeployedContract, "address">>> {
  const wanted = new Set([...addresses].map((address) => address.toLowerCase()));
  const creations = new Map<string, Omit<DeployedContract, "address">>();
  const latest = await publicClient.getBlockNumber();
  const blockNumbers: bigint[] = [];
  for (let blockNumber = fromBlock; blockNumber <= latest; blockNumber++) blockNumbers.push(blockNumber);
  await Promise.all(
    blockNumbers.map(async (blockNumber) => {
      const block = await publicClient.getBlock({ blockNumber, includeTransactions: true });
      for (const transaction of block.transactions) {
        if (transaction.to !== null) continue;
        const receipt = await publicClient.getTransactionReceipt({ hash: transaction.hash });
        const address = receipt.contractAddress?.toLowerCase();
        if (receipt.status === "success" && address !== undefined && wanted.has(address)) {
          creations.set(address, { blockNumber: Number(blockNumber), transactionHash: transaction.hash as Hash });
        }
      }
    }),
  );
  return creations;
}
