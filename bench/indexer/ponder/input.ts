/**
 * What the benchmark tells the Ponder app: the chain, where to keep the database, and each indexed contract with its
 * address, start block and ABI (from the Hardhat artifacts). The benchmark writes it to a JSON file and passes the
 * path in `TASKMARKET_PONDER_INPUT`; the config and the handlers read it from there.
 */
import { readFileSync } from "node:fs";

import type { Abi, Address } from "viem";

export const PONDER_INPUT_VARIABLE = "TASKMARKET_PONDER_INPUT";

export interface PonderContractInput {
  /** The Solidity contract name, which is also the subgraph's data source name. */
  name: string;
  address: Address;
  startBlock: number;
  abi: Abi;
}

export interface PonderInput {
  chainId: number;
  rpcUrl: string;
  /** PGlite's data directory: a fresh one per run, so that nothing is cached from an earlier run. */
  databaseDirectory: string;
  contracts: PonderContractInput[];
}

export function readPonderInput(): PonderInput {
  const path = process.env[PONDER_INPUT_VARIABLE];
  if (path === undefined || path === "") {
    throw new Error(
      `${PONDER_INPUT_VARIABLE} is not set: this app is run by the indexer benchmark (npm run bench:indexer).`,
    );
  }
  return JSON.parse(readFileSync(path, "utf8")) as PonderInput;
}
