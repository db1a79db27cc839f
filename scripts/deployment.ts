// The record of where the contracts live on the local chain: `npm start` writes it, and every tool that talks to the
// chain (tests against a running node, the indexer, the API) reads it from here instead of copying addresses by hand.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { isAddress, isHash, type Address, type Hash } from "viem";

/** `deployments/localhost.json` at the repository root (gitignored: it describes a chain that lives for one run). */
export const LOCAL_DEPLOYMENT_PATH = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "deployments",
  "localhost.json",
);

/** The version of the file layout below; bumped when a field changes meaning or disappears. */
export const DEPLOYMENT_FORMAT_VERSION = 1;

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

export interface Deployment {
  formatVersion: typeof DEPLOYMENT_FORMAT_VERSION;
  network: string;
  chainId: number;
  /** The JSON-RPC endpoint of the chain the contracts were deployed to. */
  rpcUrl: string;
  /** The earliest block among the contracts below. */
  deploymentBlock: number;
  contracts: {
    executorRegistry: DeployedContract;
    taskMarket: DeployedContract;
    /** A freely mintable ERC-20 with permit, deployed on the local chain only. */
    devToken?: DeployedToken;
  };
}

/** Writes the deployment atomically, so that a reader never sees a half-written file. */
export function writeDeployment(deployment: Deployment, path: string = LOCAL_DEPLOYMENT_PATH): void {
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
  const deployment: unknown = JSON.parse(text);
  assertDeployment(deployment, path);
  return deployment;
}

/** Removes the deployment file, if any. */
export function removeDeployment(path: string = LOCAL_DEPLOYMENT_PATH): void {
  rmSync(path, { force: true });
}

function assertDeployment(value: unknown, path: string): asserts value is Deployment {
  const fail = (field: string): never => {
    throw new Error(`Malformed deployment file ${path}: bad or missing \`${field}\`.`);
  };
  if (!isRecord(value)) return fail("(root)");
  if (value.formatVersion !== DEPLOYMENT_FORMAT_VERSION) return fail("formatVersion");
  if (typeof value.network !== "string") fail("network");
  if (!isBlockNumber(value.chainId) || value.chainId === 0) fail("chainId");
  if (typeof value.rpcUrl !== "string") fail("rpcUrl");
  if (!isBlockNumber(value.deploymentBlock)) fail("deploymentBlock");
  if (!isRecord(value.contracts)) return fail("contracts");
  for (const name of ["executorRegistry", "taskMarket", "devToken"]) {
    const contract = value.contracts[name];
    if (contract === undefined && name === "devToken") continue;
    if (!isRecord(contract)) return fail(`contracts.${name}`);
    if (typeof contract.address !== "string" || !isAddress(contract.address)) fail(`contracts.${name}.address`);
    if (!isBlockNumber(contract.blockNumber)) fail(`contracts.${name}.blockNumber`);
    if (typeof contract.transactionHash !== "string" || !isHash(contract.transactionHash)) {
      fail(`contracts.${name}.transactionHash`);
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isBlockNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}
