import { createRequire } from "node:module";

import hardhatToolboxViem from "@nomicfoundation/hardhat-toolbox-viem";
import { defineConfig } from "hardhat/config";

// Compile with the solc-js build shipped in the `solc` npm package, so that nothing is downloaded. The version is
// read from that package: a mismatch with the configured version would not be caught.
const require = createRequire(import.meta.url);
const SOLC_PATH = require.resolve("solc/soljson.js");
const SOLC_VERSION: string = require("solc/package.json").version;

// Deployed contracts are built through the IR pipeline: it is what keeps the lifecycle within its gas targets, and
// it is what the gas snapshot measures. Everything else (Solidity tests, mocks, forge-std) compiles with the legacy
// pipeline, which is several times faster; a test that imports a deployed contract compiles its own copy with that
// pipeline, which changes gas figures but not behaviour.
const deployedSettings = { optimizer: { enabled: true, runs: 1_000 }, viaIR: true };
const testSettings = { optimizer: { enabled: true, runs: 200 } };
// Modules whose gas is measured by the benchmark go through the IR pipeline too, at fewer runs to keep them small.
const moduleSettings = { optimizer: { enabled: true, runs: 200 }, viaIR: true };
const DEPLOYED_SOURCES = [
  "contracts/TaskMarket.sol",
  "contracts/TaskMarketExtension.sol",
  "contracts/ExecutorRegistry.sol",
];
const MODULE_SOURCES = [
  "contracts/verification/AttestationModule.sol",
  "contracts/assignment/GatedClaim.sol",
  "contracts/assignment/ApplicationBoard.sol",
  "contracts/assignment/ReverseAuction.sol",
];

export default defineConfig({
  plugins: [hardhatToolboxViem],
  solidity: {
    profiles: {
      default: {
        compilers: [{ version: SOLC_VERSION, path: SOLC_PATH, settings: testSettings }],
        overrides: Object.fromEntries([
          ...DEPLOYED_SOURCES.map((source) => [
            source,
            { version: SOLC_VERSION, path: SOLC_PATH, settings: deployedSettings },
          ]),
          ...MODULE_SOURCES.map((source) => [
            source,
            { version: SOLC_VERSION, path: SOLC_PATH, settings: moduleSettings },
          ]),
        ]),
      },
      production: { version: SOLC_VERSION, path: SOLC_PATH, settings: deployedSettings },
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
