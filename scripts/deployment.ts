// The record of where the protocol's contracts live on a chain: `npm start` writes deployments/localhost.json, a
// deployment to another network writes deployments/<network>.json, and every tool that talks to the chain (tests
// against a running node, the indexer, the API) reads it from there instead of copying addresses by hand.
//
// Erasable TypeScript with no relative imports: the indexer imports this file on plain Node 22.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { isAddress, isHash, type Address, type Hash } from "viem";

/** deployments/ at the repository root. */
export const DEPLOYMENTS_DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), "..", "deployments");

/** `deployments/localhost.json` (gitignored: it describes a chain that lives for one run). */
export const LOCAL_DEPLOYMENT_PATH = join(DEPLOYMENTS_DIRECTORY, "localhost.json");

/**
 * The version of the file layout below; bumped when a field changes meaning or disappears.
 * 2: every protocol contract is recorded (1 had the executor registry and the market only).
 */
export const DEPLOYMENT_FORMAT_VERSION = 2;

/**
 * Every contract of the protocol: its key in `Deployment.contracts` and its Solidity contract name, which is also the
 * name of the subgraph data source that indexes it. The order is the order in which they are printed.
 */
export const PROTOCOL_CONTRACTS = {
  taskMarket: "TaskMarket",
  executorRegistry: "ExecutorRegistry",
  reviewModule: "ReviewModule",
  attestationModule: "AttestationModule",
  optimisticModule: "OptimisticModule",
  proofModule: "ProofModule",
  panelArbitrator: "PanelArbitrator",
  gatedClaim: "GatedClaim",
  applicationBoard: "ApplicationBoard",
  reverseAuction: "ReverseAuction",
  hashCommitmentVerifier: "HashCommitmentVerifier",
  merkleInclusionVerifier: "MerkleInclusionVerifier",
} as const;

export type ProtocolContractKey = keyof typeof PROTOCOL_CONTRACTS;
export type ProtocolContractName = (typeof PROTOCOL_CONTRACTS)[ProtocolContractKey];

/** The keys of `PROTOCOL_CONTRACTS`, typed. */
export const PROTOCOL_CONTRACT_KEYS = Object.keys(PROTOCOL_CONTRACTS) as ProtocolContractKey[];

export interface DeployedContract {
  address: Address;
  /** The block holding the deployment transaction: where an indexer starts reading the contract's events. */
  blockNumber: number;
  transactionHash: Hash;
}

export interface DeployedToken extends DeployedContract {
  name: string;
  symbol: string;
  decimals: number;
}

export type ProtocolContracts = Record<ProtocolContractKey, DeployedContract>;

export interface Deployment {
  formatVersion: typeof DEPLOYMENT_FORMAT_VERSION;
  network: string;
  chainId: number;
  /** The JSON-RPC endpoint of the chain the contracts were deployed to. */
  rpcUrl: string;
  /** The earliest block among the contracts below. */
  deploymentBlock: number;
  contracts: ProtocolContracts & {
    /** A freely mintable ERC-20 with permit, deployed on the local chain only. */
    devToken?: DeployedToken;
  };
}

/** Where a deployment is read by contract name: the address and the block from which to read its events. */
export interface ContractLocation {
  address: Address;
  startBlock: number;
}

/**
 * The protocol's contracts by Solidity contract name (`"TaskMarket"`, `"ReviewModule"`, …), which is how the subgraph
 * names its data sources. The dev token is not a protocol contract and is not included.
 */
export function contractsByName(deployment: Deployment): Record<ProtocolContractName, ContractLocation> {
  const located = {} as Record<ProtocolContractName, ContractLocation>;
  for (const key of PROTOCOL_CONTRACT_KEYS) {
    const contract = deployment.contracts[key];
    located[PROTOCOL_CONTRACTS[key]] = { address: contract.address, startBlock: contract.blockNumber };
  }
  return located;
}

/** `deployments/<network>.json`. The network name must be a plain file name (letters, digits, `-`, `_`, `.`). */
export function deploymentPath(network: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(network)) {
    throw new Error(`A network name must be letters, digits, "-", "_" or ".", got "${network}".`);
  }
  return join(DEPLOYMENTS_DIRECTORY, `${network}.json`);
}

/**
 * Writes the deployment atomically, so that a reader never sees a half-written file. The deployment is validated
 * first: a malformed record is never written.
 */
export function writeDeployment(deployment: Deployment, path: string = LOCAL_DEPLOYMENT_PATH): void {
  assertDeployment(deployment, path);
  mkdirSync(dirname(path), { recursive: true });
  const temporaryPath = `${path}.${process.pid}.tmp`;
  writeFileSync(temporaryPath, `${JSON.stringify(deployment, null, 2)}\n`);
  renameSync(temporaryPath, path);
}

/** Reads and checks a deployment file. Throws an error that says what to do when the file is missing or malformed. */
export function readDeployment(path: string = LOCAL_DEPLOYMENT_PATH): Deployment {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(`No deployment at ${path}: start the local chain with \`npm start\` first.`);
    }
    throw error;
  }
  let deployment: unknown;
  try {
    deployment = JSON.parse(text);
  } catch (error) {
    throw new Error(`Malformed deployment file ${path}: not JSON (${(error as Error).message}).`);
  }
  assertDeployment(deployment, path);
  return deployment;
}

/** Removes the deployment file, if any. */
export function removeDeployment(path: string = LOCAL_DEPLOYMENT_PATH): void {
  rmSync(path, { force: true });
}

/**
 * Checks that `value` is a deployment record of the current format, with every protocol contract. `source` names where
 * it came from, for the error message.
 */
export function assertDeployment(value: unknown, source: string = "(in memory)"): asserts value is Deployment {
  const fail = (field: string, problem = "is missing or malformed"): never => {
    throw new Error(`Malformed deployment file ${source}: \`${field}\` ${problem}.`);
  };
  if (!isRecord(value)) return fail("(root)");
  if (value.formatVersion !== DEPLOYMENT_FORMAT_VERSION) {
    if (typeof value.formatVersion === "number") {
      throw new Error(
        `Deployment file ${source} has format ${value.formatVersion}; this version reads format ` +
          `${DEPLOYMENT_FORMAT_VERSION} only: deploy again to rewrite it (\`npm start\` for the local chain).`,
      );
    }
    return fail("formatVersion");
  }
  if (typeof value.network !== "string" || value.network === "") fail("network");
  if (!isBlockNumber(value.chainId) || value.chainId === 0) fail("chainId");
  if (typeof value.rpcUrl !== "string" || !isHttpUrl(value.rpcUrl)) fail("rpcUrl");
  if (!isBlockNumber(value.deploymentBlock)) fail("deploymentBlock");
  if (!isRecord(value.contracts)) return fail("contracts");
  const contracts = value.contracts;
  const checkContract = (key: string): Record<string, unknown> => {
    const contract = contracts[key];
    if (!isRecord(contract)) return fail(`contracts.${key}`);
    if (typeof contract.address !== "string" || !isAddress(contract.address)) fail(`contracts.${key}.address`);
    if (!isBlockNumber(contract.blockNumber)) fail(`contracts.${key}.blockNumber`);
    if (typeof contract.transactionHash !== "string" || !isHash(contract.transactionHash)) {
      fail(`contracts.${key}.transactionHash`);
    }
    if ((contract.blockNumber as number) < (value.deploymentBlock as number)) {
      fail(`contracts.${key}.blockNumber`, "is before `deploymentBlock`");
    }
    return contract;
  };
  const seen = new Map<string, string>();
  for (const key of [...PROTOCOL_CONTRACT_KEYS, ...(contracts.devToken === undefined ? [] : ["devToken"])]) {
    const contract = checkContract(key);
    // Two keys on one address is a copy-paste error that would make an indexer read one contract twice.
    const address = (contract.address as string).toLowerCase();
    const other = seen.get(address);
    if (other !== undefined) fail(`contracts.${key}.address`, `repeats the address of \`contracts.${other}\``);
    seen.set(address, key);
  }
  if (contracts.devToken !== undefined) {
    const token = contracts.devToken as Record<string, unknown>;
    if (typeof token.name !== "string") fail("contracts.devToken.name");
    if (typeof token.symbol !== "string") fail("contracts.devToken.symbol");
    if (!isBlockNumber(token.decimals) || token.decimals > 255) fail("contracts.devToken.decimals");
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isBlockNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "http:" || protocol === "https:" || protocol === "ws:" || protocol === "wss:";
  } catch {
    return false;
  }
}
