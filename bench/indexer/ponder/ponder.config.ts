import { createConfig } from "ponder";

import { readPonderInput } from "./input.ts";

const input = readPonderInput();

export default createConfig({
  database: { kind: "pglite", directory: input.databaseDirectory },
  chains: {
    // A local chain mines only when the benchmark says so: poll it often, and cache nothing between runs.
    localhost: { id: input.chainId, rpc: input.rpcUrl, pollingInterval: 100, disableCache: true },
  },
  contracts: Object.fromEntries(
    input.contracts.map((contract) => [
      contract.name,
      { chain: "localhost", abi: contract.abi, address: contract.address, startBlock: contract.startBlock },
    ]),
  ),
});
