import { createRequire } from "node:module";

import hardhatToolboxViem from "@nomicfoundation/hardhat-toolbox-viem";
import { configVariable, defineConfig } from "hardhat/config";

import { deployTask } from "./scripts/deploy-task.ts";
import { parallelBuild } from "./scripts/hardhat/parallel-build.ts";
import {
  CUSTOM_NETWORK,
  CUSTOM_RPC_URL_VARIABLE,
  DEPLOYER_KEY_VARIABLE,
  ETHERSCAN_KEY_VARIABLE,
  PUBLIC_NETWORKS,
} from "./scripts/networks.ts";

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

// Public networks: the RPC URL and the deployer's key are configuration variables, read from the environment or, when
// unset there, from Hardhat's encrypted keystore (`npx hardhat keystore set NAME`); never from a file. They are read only
// when a task connects to that network. See docs/deployment.md.
const deployerAccounts = [configVariable(DEPLOYER_KEY_VARIABLE)];
const publicNetworks = Object.fromEntries(
  PUBLIC_NETWORKS.map((network) => [
    network.name,
    {
      type: "http" as const,
      chainType: network.chainType,
      chainId: network.chainId,
      url: configVariable(network.rpcUrlVariable),
      accounts: deployerAccounts,
    },
  ]),
);

export default defineConfig({
  plugins: [hardhatToolboxViem, parallelBuild],
  tasks: [deployTask],
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
    ...publicNetworks,
    // Any other EVM chain: its chain id is whatever the endpoint reports.
    [CUSTOM_NETWORK]: {
      type: "http",
      chainType: "generic",
      url: configVariable(CUSTOM_RPC_URL_VARIABLE),
      accounts: deployerAccounts,
    },
  },
  // `npx hardhat ignition verify <deployment>` and `npm run deploy -- --verify`: Etherscan (one API key for every chain
  // it serves), Blockscout and Sourcify, which need none.
  verify: {
    etherscan: { apiKey: configVariable(ETHERSCAN_KEY_VARIABLE) },
    blockscout: { enabled: true },
    sourcify: { enabled: true },
  },
});
