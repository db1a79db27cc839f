import { createRequire } from "node:module";

import hardhatToolboxViem from "@nomicfoundation/hardhat-toolbox-viem";
import { defineConfig } from "hardhat/config";

// Compile with the solc-js build shipped in the `solc` npm package, so that nothing is downloaded. The version is
// read from that package: a mismatch with the configured version would not be caught.
const require = createRequire(import.meta.url);
const SOLC_PATH = require.resolve("solc/soljson.js");
const SOLC_VERSION: string = require("solc/package.json").version;

const optimizedSettings = { optimizer: { enabled: true, runs: 10_000 }, viaIR: true };

export default defineConfig({
  plugins: [hardhatToolboxViem],
  solidity: {
    profiles: {
      default: { version: SOLC_VERSION, path: SOLC_PATH, settings: optimizedSettings },
      production: { version: SOLC_VERSION, path: SOLC_PATH, settings: optimizedSettings },
    },
  },
  paths: {
    sources: "./contracts",
    tests: {
      solidity: "./test/solidity",
      nodejs: "./test/nodejs",
    },
  },
  test: {
    solidity: {
      fuzz: { runs: 256 },
      invariant: { runs: 64, depth: 64, failOnRevert: false },
    },
  },
  networks: {
    localhost: {
      type: "http",
      chainType: "l1",
      url: process.env.TASKMARKET_RPC_URL ?? "http://127.0.0.1:8545",
    },
  },
});
