// `npm run deploy -- --network <name>` (the `deploy` task, scripts/deploy-task.ts): deploys the whole protocol to a
// public network through its Ignition modules, writes the deployment record deployments/<name>.json and the subgraph
// manifest indexer/subgraph.<name>.yaml generated from it, and optionally verifies the contracts.
//
// The RPC URL and the deployer's key are configuration variables (hardhat.config.ts): the environment first, then
// Hardhat's encrypted keystore, which asks for its password here. Nothing secret is written anywhere: the record holds
// the chain's public RPC URL, never the one deployed through. See docs/deployment.md.
import { existsSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

import { HardhatArtifactResolver, readDeploymentParameters } from "@nomicfoundation/hardhat-ignition/helpers";
import { listTransactions, TransactionStatus } from "@nomicfoundation/ignition-core";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { formatEther, getAddress, isAddress, zeroAddress, type Address, type Hash } from "viem";

import { networkManifestPath, writeNetworkManifest } from "../indexer/scripts/manifest.ts";
import { buildArbitrationPanelModule } from "../ignition/modules/ArbitrationPanel.ts";
import { PROTOCOL_ABIS } from "../src/protocol/abis.ts";
import { addressOf } from "./deploy-protocol.ts";
import {
  DEPLOYMENT_FORMAT_VERSION,
  LOCAL_DEPLOYMENT_PATH,
  PROTOCOL_CONTRACTS,
  PROTOCOL_CONTRACT_KEYS,
  deploymentPath,
  writeDeployment,
  type DeployedContract,
  type Deployment,
} from "./deployment.ts";
import { CUSTOM_NETWORK, publicNetworkByChainId, publicNetworkByName } from "./networks.ts";

export interface DeployArguments {
  deploymentName?: string;
  parameters?: string;
  publicRpcUrl?: string;
  graphNetwork?: string;
  output?: string;
  verify: boolean;
  noCompile: boolean;
}

/** The parameters of the `Protocol` module (ignition/modules/Protocol.ts) a parameters file may set. */
const PROTOCOL_PARAMETERS = [
  "owner",
  "feeBps",
  "feeRecipient",
  "reviewMetaEvidenceURI",
  "attestationMetaEvidenceURI",
  "optimisticMetaEvidenceURI",
  "arbitrationFee",
  "votingPeriod",
] as const;
/** The market's hard cap on the protocol fee, in basis points. */
const MAX_FEE_BPS = 500;
/** The panel arbitrator's bounds on its voting period, in seconds. */
const MIN_VOTING_PERIOD = 60 * 60;
const MAX_VOTING_PERIOD = 90 * 24 * 60 * 60;

/** A parameters file, checked: what goes to Ignition, and the arbiters to seat. */
export interface DeploymentParameters {
  /** The `Protocol` module's parameters, as Ignition takes them. */
  protocol: Record<string, unknown>;
  owner: Address;
  feeRecipient: Address;
  /** Seated on the panel arbitrator by the deploying account, which must then be the owner. */
  arbiters: Address[];
}

/**
 * Checks a parameters file read by Ignition's reader (bigints written as `"123n"`): only the known modules and
 * parameters, an explicit owner and fee recipient (on a public network the module's defaults, the node's accounts 0
 * and 1, mean nothing), and values within the contracts' bounds, so that a mistake stops the command before anything
 * is sent. `source` names the file in the errors.
 */
export function checkDeploymentParameters(value: unknown, source: string): DeploymentParameters {
  const fail = (problem: string): never => {
    throw new Error(`${source}: ${problem}`);
  };
  if (!isRecord(value)) return fail("must hold a JSON object.");
  for (const moduleId of Object.keys(value)) {
    if (moduleId !== "Protocol" && moduleId !== "ArbitrationPanel") {
      fail(`unknown module "${moduleId}": the modules are Protocol and ArbitrationPanel.`);
    }
  }
  const protocol = value.Protocol;
  if (!isRecord(protocol)) return fail("`Protocol` must be an object with at least `owner` and `feeRecipient`.");
  for (const name of Object.keys(protocol)) {
    if (!(PROTOCOL_PARAMETERS as readonly string[]).includes(name)) {
      fail(`unknown parameter Protocol.${name}: the parameters are ${PROTOCOL_PARAMETERS.join(", ")}.`);
    }
  }
  const address = (field: string, raw: unknown): Address => {
    if (typeof raw !== "string" || !isAddress(raw)) {
      return fail(`${field} must be an address (0x and 40 hex digits, with a valid checksum if mixed-case).`);
    }
    if (raw.toLowerCase() === zeroAddress) fail(`${field} must not be the zero address.`);
    return getAddress(raw);
  };
  const owner = address("Protocol.owner", protocol.owner);
  const feeRecipient = address("Protocol.feeRecipient", protocol.feeRecipient);
  if (protocol.feeBps !== undefined) {
    const feeBps = protocol.feeBps;
    if (typeof feeBps !== "number" || !Number.isInteger(feeBps) || feeBps < 0 || feeBps > MAX_FEE_BPS) {
      fail(`Protocol.feeBps must be an integer from 0 to ${MAX_FEE_BPS} (basis points).`);
    }
  }
  if (protocol.arbitrationFee !== undefined) {
    const fee = protocol.arbitrationFee;
    const valid =
      (typeof fee === "bigint" && fee >= 0n) || (typeof fee === "number" && Number.isSafeInteger(fee) && fee >= 0);
    if (!valid)
      fail('Protocol.arbitrationFee must be an amount in wei, written as a string such as "10000000000000000n".');
  }
  if (protocol.votingPeriod !== undefined) {
    const period = protocol.votingPeriod;
    if (
      typeof period !== "number" ||
      !Number.isInteger(period) ||
      period < MIN_VOTING_PERIOD ||
      period > MAX_VOTING_PERIOD
    ) {
      fail(
        `Protocol.votingPeriod must be a number of seconds from ${MIN_VOTING_PERIOD} (1 hour) to ${MAX_VOTING_PERIOD} (90 days).`,
      );
    }
  }
  for (const name of ["reviewMetaEvidenceURI", "attestationMetaEvidenceURI", "optimisticMetaEvidenceURI"] as const) {
    const uri = protocol[name];
    if (uri !== undefined && (typeof uri !== "string" || uri.trim() === "")) fail(`Protocol.${name} must be a URI.`);
  }

  let arbiters: Address[] = [];
  const panel = value.ArbitrationPanel;
  if (panel !== undefined) {
    if (!isRecord(panel)) return fail("`ArbitrationPanel` must be an object with `arbiters`.");
    for (const name of Object.keys(panel)) {
      if (name !== "arbiters") fail(`unknown parameter ArbitrationPanel.${name}: the only one is arbiters.`);
    }
    if (!Array.isArray(panel.arbiters)) return fail("ArbitrationPanel.arbiters must be a list of addresses.");
    arbiters = panel.arbiters.map((arbiter, index) => address(`ArbitrationPanel.arbiters[${index}]`, arbiter));
    const distinct = new Set(arbiters.map((arbiter) => arbiter.toLowerCase()));
    if (distinct.size !== arbiters.length) fail("ArbitrationPanel.arbiters lists an address twice.");
  }
  return { protocol: { ...protocol }, owner, feeRecipient, arbiters };
}

/**
 * The deploy task's action: see the header comment and docs/deployment.md. A mistake (a missing variable, a wrong
 * parameter, a chain that does not match) is printed as one line and fails the command with exit code 1.
 */
export default async function deployAction(args: DeployArguments, hre: HardhatRuntimeEnvironment): Promise<void> {
  try {
    await deploy(args, hre);
  } catch (error) {
    // Hardhat's own errors (a configuration variable that is not set, a keystore password that is wrong) say what to
    // do already; anything else is ours, and its message says it.
    const message = error instanceof Error ? error.message : String(error);
    console.error(`\nerror: ${hre.globalOptions.showStackTraces && error instanceof Error ? error.stack : message}`);
    process.exitCode = 1;
  }
}

async function deploy(args: DeployArguments, hre: HardhatRuntimeEnvironment): Promise<void> {
  const networkName = hre.globalOptions.network;
  if (networkName === undefined) {
    throw new Error("Name the network to deploy to: `npm run deploy -- --network <name>` (see docs/deployment.md).");
  }
  const networkConfig = hre.config.networks[networkName];
  if (networkConfig === undefined) throw new Error(`No network "${networkName}" in hardhat.config.ts.`);
  if (networkConfig.type !== "http") {
    throw new Error(
      `"${networkName}" is Hardhat's in-process simulated network, which ends with this command: use \`npm start\` ` +
        `for a local chain, or --network ${CUSTOM_NETWORK} with CUSTOM_RPC_URL for any other chain.`,
    );
  }
  const name = args.deploymentName ?? networkName;
  const recordPath = args.output === undefined ? deploymentPath(name) : resolve(args.output);
  if (recordPath === LOCAL_DEPLOYMENT_PATH) {
    throw new Error("deployments/localhost.json belongs to `npm start`: pass another --deployment-name.");
  }
  const manifestPath = networkManifestPath(name);
  const parametersPath = resolve(args.parameters ?? join(hre.config.paths.ignition, "parameters", `${name}.json`));
  if (!existsSync(parametersPath)) {
    throw new Error(
      `No parameters file at ${relative(process.cwd(), parametersPath)}: copy ignition/parameters/example.json ` +
        "there and set at least the owner and the fee recipient (docs/deployment.md), or pass --parameters <file>.",
    );
  }
  const parameters = checkDeploymentParameters(await readDeploymentParameters(parametersPath), parametersPath);

  if (!args.noCompile) await hre.tasks.getTask("build").run({ quiet: true, noTests: true });

  const connection = await hre.network.create();
  try {
    const publicClient = await connection.viem.getPublicClient();
    const [wallet] = await connection.viem.getWalletClients();
    if (wallet === undefined) {
      throw new Error(`No deploying account on "${networkName}": set DEPLOYER_PRIVATE_KEY (docs/deployment.md).`);
    }
    const deployer = getAddress(wallet.account.address);
    const chainId = await publicClient.getChainId();
    const named = publicNetworkByName(networkName);
    if (named !== undefined && named.chainId !== chainId) {
      throw new Error(
        `${named.rpcUrlVariable} answers for chain ${chainId}, but ${networkName} is chain ${named.chainId}: ` +
          "check the URL.",
      );
    }
    const listed = publicNetworkByChainId(chainId);
    const publicRpcUrl = args.publicRpcUrl ?? listed?.publicRpcUrl;
    if (publicRpcUrl === undefined || !isHttpUrl(publicRpcUrl)) {
      throw new Error(
        `Chain ${chainId} has no public RPC URL in scripts/networks.ts: pass --public-rpc-url <url>, the endpoint ` +
          "written into the deployment record (which is committed, so it must not carry a provider's key).",
      );
    }
    const graphNetwork = args.graphNetwork ?? listed?.graphNetwork ?? name;
    checkExistingRecord(recordPath, chainId);
    if (parameters.arbiters.length > 0 && parameters.owner !== deployer) {
      throw new Error(
        `ArbitrationPanel.arbiters are seated by the deploying account (${deployer}), which must then be the owner, ` +
          `but Protocol.owner is ${parameters.owner}: leave the arbiters out and have the owner call addArbiter.`,
      );
    }

    const balance = await publicClient.getBalance({ address: deployer });
    console.log(`Deploying TaskMarket to ${networkName} (chain ${chainId}) as ${name}`);
    console.log(`  deployer        ${deployer} (${formatEther(balance)} native)`);
    console.log(`  owner           ${parameters.owner}`);
    console.log(`  fee recipient   ${parameters.feeRecipient}`);
    console.log(`  parameters      ${relative(process.cwd(), parametersPath)}`);
    console.log(`  arbiters        ${parameters.arbiters.length === 0 ? "none" : parameters.arbiters.join(", ")}`);
    if (balance === 0n) throw new Error(`The deploying account ${deployer} holds nothing to pay for gas.`);

    // The deployment id is the deployment's name: its journal in ignition/deployments/<name>/ lets an interrupted
    // deployment resume where it stopped, and is what `hardhat ignition verify <name>` reads.
    const result = (await connection.ignition.deploy(buildArbitrationPanelModule(parameters.arbiters), {
      deploymentId: name,
      parameters: { Protocol: parameters.protocol as Record<string, never> },
      displayUi: true,
    })) as Record<string, unknown>;

    const journal = join(hre.config.paths.ignition, "deployments", name);
    const creations = await creationsFromJournal(journal, hre);
    const contracts = {} as Deployment["contracts"];
    for (const key of PROTOCOL_CONTRACT_KEYS) {
      const address = addressOf(result[key], key);
      const transactionHash = creations.get(address.toLowerCase());
      if (transactionHash === undefined) {
        throw new Error(`The Ignition journal ${journal} has no transaction creating ${key} (${address}).`);
      }
      const receipt = await publicClient.getTransactionReceipt({ hash: transactionHash });
      contracts[key] = { address, blockNumber: Number(receipt.blockNumber), transactionHash } as DeployedContract;
    }
    const deployment: Deployment = {
      formatVersion: DEPLOYMENT_FORMAT_VERSION,
      network: name,
      chainId,
      rpcUrl: publicRpcUrl,
      deploymentBlock: Math.min(...Object.values(contracts).map((contract) => contract.blockNumber)),
      contracts,
    };
    writeDeployment(deployment, recordPath);
    writeNetworkManifest(recordPath, graphNetwork, manifestPath);

    console.log(`\nDeployed. Deployment block ${deployment.deploymentBlock}.`);
    const width = Math.max(...Object.values(PROTOCOL_CONTRACTS).map((contract) => contract.length)) + 2;
    for (const key of PROTOCOL_CONTRACT_KEYS) {
      console.log(`  ${PROTOCOL_CONTRACTS[key].padEnd(width)} ${contracts[key].address}`);
    }
    console.log(`  ${"record".padEnd(width)} ${relative(process.cwd(), recordPath)}`);
    console.log(`  ${"subgraph".padEnd(width)} ${relative(process.cwd(), manifestPath)} (network ${graphNetwork})`);
    console.log(`  ${"ignition".padEnd(width)} ${relative(process.cwd(), journal)}`);

    if (args.verify) {
      console.log("\nVerifying the contracts on the configured block explorers…");
      await hre.tasks.getTask(["ignition", "verify"]).run({ deploymentId: name, force: false });
    } else {
      console.log(`\nVerify them with: npx hardhat ignition verify ${name} --network ${networkName}`);
    }
    // The market deploys its extension in its constructor: Ignition does not know it, so it is verified on its own.
    const extension = await publicClient.readContract({
      address: contracts.taskMarket.address,
      abi: PROTOCOL_ABIS.taskMarket,
      functionName: "extension",
    });
    console.log(
      "The market's extension, which its constructor deployed, with: npx hardhat verify --network " +
        `${networkName} --contract contracts/TaskMarketExtension.sol:TaskMarketExtension ${extension} ` +
        contracts.executorRegistry.address,
    );
  } finally {
    await connection.close();
  }
}

/** Refuses to overwrite a record of another chain: the deployment name was meant for that one. */
function checkExistingRecord(path: string, chainId: number): void {
  if (!existsSync(path)) return;
  let existing: { chainId?: unknown };
  try {
    existing = JSON.parse(readFileSync(path, "utf8")) as { chainId?: unknown };
  } catch {
    return;
  }
  if (existing.chainId !== undefined && existing.chainId !== chainId) {
    throw new Error(
      `${relative(process.cwd(), path)} records chain ${String(existing.chainId)}, not chain ${chainId}: ` +
        "pass another --deployment-name.",
    );
  }
}

/**
 * The transaction that created each contract of the deployment, by lower-case address, from Ignition's journal: it
 * holds every transaction of the deployment, those of earlier runs a resumed deployment skipped included.
 */
async function creationsFromJournal(journal: string, hre: HardhatRuntimeEnvironment): Promise<Map<string, Hash>> {
  const creations = new Map<string, Hash>();
  for (const transaction of await listTransactions(journal, new HardhatArtifactResolver(hre.artifacts))) {
    if (transaction.status !== TransactionStatus.SUCCESS || transaction.address === undefined) continue;
    creations.set(transaction.address.toLowerCase(), transaction.txHash as Hash);
  }
  return creations;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}
