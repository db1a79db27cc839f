// `npm start`: the whole marketplace on this machine, for development.
//
// Runs inside `hardhat run`. It compiles what gets deployed, starts `hardhat node` on 127.0.0.1 and a free port
// (scripts/local-chain.ts), deploys every protocol contract and the dev token through the Ignition modules
// (scripts/deploy-protocol.ts), records them in deployments/localhost.json, builds the subgraph if its inputs changed,
// and starts the embedded graph node and the API in this process, both on free ports of 127.0.0.1 and both in memory
// (the chain lives for this run only, and so does everything derived from it). It keeps running until Ctrl-C or
// SIGTERM, then stops the API, the graph node and the chain, a child process stopped by its own PID, so that no
// process outlives `npm start`.
//
// With `npm start -- --demo` (scripts/start-cli.ts passes it on as TASKMARKET_DEMO=1, since `hardhat run` takes no
// arguments of its own) it also seeds a demo marketplace through the API before it reports ready (scripts/demo/).
import { execFile } from "node:child_process";
import { pbkdf2Sync } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { performance } from "node:perf_hooks";

import hre from "hardhat";
import { createPublicClient, formatEther, http, parseAbi, parseUnits, toHex, type Address, type Hash } from "viem";
import { HDKey, hdKeyToAccount, privateKeyToAccount, privateKeyToAddress } from "viem/accounts";

import { readApiConfig } from "../api/src/config.ts";
import { startApi, type RunningApi } from "../api/src/server.ts";
import { jsonLogger } from "../api/src/services.ts";
import { startGraphNode, type GraphNode } from "../indexer/node/index.ts";
import { openDatabase } from "../indexer/node/store/database.ts";
import { openApiDatabase } from "../api/src/store/api-database.ts";
import { staleAbis } from "../indexer/scripts/abis.ts";
import { deployProtocol } from "./deploy-protocol.js";
import {
  LOCAL_DEPLOYMENT_PATH,
  PROTOCOL_CONTRACTS,
  PROTOCOL_CONTRACT_KEYS,
  readDeployment,
  removeDeployment,
  writeDeployment,
} from "./deployment.js";
import { seedDemoMarketplace, type DemoMarketplace } from "./demo/seed.ts";
import { demoSummary, readDemoStatuses } from "./demo/summary.ts";
import { DEV_MNEMONIC, startLocalChain, type LocalChain } from "./local-chain.js";

/** Set it to pin the port (a wallet remembers its RPC URL); by default any free port is used. */
const PORT_VARIABLE = "TASKMARKET_PORT";
/** The same for the API and the graph node's GraphQL. */
const API_PORT_VARIABLE = "TASKMARKET_API_PORT";
const GRAPH_PORT_VARIABLE = "TASKMARKET_GRAPH_PORT";
/** Set to 1 (by `npm start -- --demo`) to seed a demo marketplace. */
const DEMO_VARIABLE = "TASKMARKET_DEMO";
/** The dev account whose key the API's verification service signs with: not the deployer, owner or an arbiter. */
const VERIFIER_ACCOUNT_INDEX = 16;
const DEV_TOKEN_AMOUNT_PER_ACCOUNT = "1000000";
/**
 * The sources of everything the Ignition modules deploy (ignition/modules/Protocol.ts and DevToken.ts): compiled
 * before starting, and nothing else. TaskMarket.sol brings TaskMarketExtension.sol, which its constructor deploys.
 */
const DEPLOYED_SOURCES = [
  "contracts/ExecutorRegistry.sol",
  "contracts/TaskMarket.sol",
  "contracts/verification/ReviewModule.sol",
  "contracts/verification/AttestationModule.sol",
  "contracts/verification/OptimisticModule.sol",
  "contracts/verification/ProofModule.sol",
  "contracts/arbitration/PanelArbitrator.sol",
  "contracts/assignment/GatedClaim.sol",
  "contracts/assignment/ApplicationBoard.sol",
  "contracts/assignment/ReverseAuction.sol",
  "contracts/verification/proofs/HashCommitmentVerifier.sol",
  "contracts/verification/proofs/MerkleInclusionVerifier.sol",
  "test/solidity/mocks/MockERC20.sol",
];

const root = hre.config.paths.root;
const SUBGRAPH_MANIFEST = join(root, "indexer", "build", "subgraph.yaml");

function pinnedPort(variable = PORT_VARIABLE): number | undefined {
  const value = process.env[variable];
  if (value === undefined || value === "") return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`${variable} must be a port number, got "${value}".`);
  }
  return port;
}

function demoRequested(): boolean {
  const value = process.env[DEMO_VARIABLE];
  if (value === undefined || value === "" || value === "0" || value === "false") return false;
  if (value === "1" || value === "true") return true;
  throw new Error(`${DEMO_VARIABLE} must be 1 or 0, got "${value}".`);
}

let wellKnownMaster: HDKey | undefined;

/** The master key of the well-known mnemonic: its BIP-39 seed (2,048 PBKDF2 rounds) is derived once per run. */
function wellKnownMasterKey(): HDKey {
  return (wellKnownMaster ??= HDKey.fromMasterSeed(
    pbkdf2Sync(DEV_MNEMONIC.normalize("NFKD"), "mnemonic", 2048, 64, "sha512"),
  ));
}

/** The private key of dev account `index` of the well-known mnemonic. */
function devAccountKey(index: number): Hash {
  return toHex(hdKeyToAccount(wellKnownMasterKey(), { addressIndex: index }).getHdKey().privateKey!);
}

async function publicClientBlock(rpcUrl: string): Promise<bigint> {
  return createPublicClient({ transport: http(rpcUrl) }).getBlockNumber();
}

/** The API's log, minus the per-request noise: warnings and errors only, printed above the spinner. */
const quietApiLog = {
  info: () => undefined,
  warn: (message: string, fields?: Record<string, unknown>) =>
    progress.note(`[api] ${message} ${JSON.stringify(fields ?? {})}`),
  error: jsonLogger.error,
};

/** The newest modification time under `path` (a file or a directory tree). */
function newestChange(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestChange(join(path, entry))));
}

/** What the built subgraph is made of, besides the contracts' ABIs. */
const SUBGRAPH_INPUTS = ["indexer/schema.graphql", "indexer/subgraph.yaml", "indexer/src", "indexer/abis"];

/** Runs `node args…` in the repository and resolves when it exits; rejects with its output if it fails. */
function runNode(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`Building the subgraph failed at \`node ${args.join(" ")}\`:\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

/** ABIs (from the artifacts, or with `--from-module` from src/protocol/abis.ts), codegen, AssemblyScript. */
async function buildSubgraph(abiArgs: string[]): Promise<void> {
  await runNode(["indexer/scripts/abis.ts", ...abiArgs]);
  await runNode(["indexer/scripts/graph.ts", "codegen"]);
  await runNode(["indexer/scripts/graph.ts", "build"]);
}

/**
 * Starts building the subgraph, unless indexer/build is newer than all of its inputs, while the contracts compile:
 * its ABIs come from src/protocol/abis.ts, which the artifacts are not needed for. {@link finishSubgraphBuild} then
 * checks them against what compiled. Resolves to whether it built.
 */
function startSubgraphBuild(): Promise<boolean> {
  const built = newestChange(SUBGRAPH_MANIFEST);
  if (built !== 0 && SUBGRAPH_INPUTS.every((input) => newestChange(join(root, input)) < built)) {
    return Promise.resolve(false);
  }
  return buildSubgraph(["--from-module"]).then(() => true);
}

/**
 * Waits for the build {@link startSubgraphBuild} began, then makes sure the subgraph decodes with the ABIs the
 * contracts compiled to: when src/protocol/abis.ts is behind a contract change (`npm run abis` not run yet), or the
 * subgraph was built from older artifacts, it is built again from the artifacts, as `npm run indexer:build` does.
 */
async function finishSubgraphBuild(started: Promise<boolean>): Promise<"built" | "rebuilt" | "current"> {
  const built = await started;
  const stale = staleAbis();
  if (stale.length === 0) return built ? "built" : "current";
  progress.note(
    `  The subgraph's ABIs of ${stale.join(", ")} differ from the compiled contracts (\`npm run abis\` updates ` +
      "src/protocol/abis.ts): building it from the artifacts.",
  );
  await buildSubgraph([]);
  return "rebuilt";
}

/*//////////////////////////////////////////////////////////////
                          SHUTDOWN AND PROGRESS
//////////////////////////////////////////////////////////////*/

const state: {
  chain?: LocalChain;
  graphNode?: GraphNode;
  api?: RunningApi;
  deploymentWritten: boolean;
  stopping: boolean;
} = {
  deploymentWritten: false,
  stopping: false,
};

const progress = {
  spinner: undefined as NodeJS.Timeout | undefined,
  line: "",

  /** Runs `action` under a spinner (a plain line when the step may print, or stdout is not a terminal). */
  async step<T>(
    label: string,
    action: () => Promise<T>,
    { summary, mayPrint = false }: { summary?: (result: T) => string; mayPrint?: boolean } = {},
  ): Promise<T> {
    const started = performance.now();
    const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
    if (process.stdout.isTTY && !mayPrint) {
      const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
      let frame = 0;
      const draw = () => {
        this.line = `  ${frames[frame++ % frames.length]} ${label}… ${elapsed()}`;
        process.stdout.write(`\r\x1b[2K${this.line}`);
      };
      draw();
      this.spinner = setInterval(draw, 100);
    } else {
      console.log(`  … ${label}`);
    }
    try {
      const result = await action();
      this.finish(`  ✓ ${summary?.(result) ?? label} (${elapsed()})`);
      return result;
    } catch (error) {
      this.finish(`  ✗ ${label} (${elapsed()})`);
      throw error;
    }
  },

  /** A line of output while a step may be running: printed above the spinner, which redraws below it. */
  note(text: string): void {
    if (this.spinner !== undefined) process.stdout.write("\r\x1b[2K");
    console.log(text);
  },

  finish(text: string): void {
    this.clear();
    console.log(text);
  },

  interrupt(): void {
    if (this.spinner !== undefined) {
      this.clear();
      console.log(this.line.trimEnd());
    }
  },

  clear(): void {
    if (this.spinner !== undefined) {
      clearInterval(this.spinner);
      this.spinner = undefined;
      process.stdout.write("\r\x1b[2K");
    }
  },
};

/** The one way out: stop the chain, remove what described it, exit. Safe to call more than once. */
async function shutdown(exitCode: number, message?: string): Promise<never> {
  if (!state.stopping) {
    state.stopping = true;
    progress.interrupt();
    if (message !== undefined) console.log(message);
    // The file describes a chain that is about to disappear: readers must not find it.
    if (state.deploymentWritten && state.chain !== undefined) removeOwnDeployment(state.chain.rpcUrl);
    // Top down: the API reads the graph node and the chain, the graph node reads the chain.
    await state.api?.stop().catch((error) => console.error(`Stopping the API: ${(error as Error).message}`));
    await state.graphNode
      ?.stop()
      .catch((error) => console.error(`Stopping the graph node: ${(error as Error).message}`));
    const chain = state.chain;
    if (chain !== undefined) {
      await chain.stop();
      if (exitCode === 0) chain.removeLog();
    }
    // Anything else this process started (the compiler, when interrupted during the build) goes too.
    for (const pid of childProcessIds()) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // Already gone.
      }
    }
    process.exit(exitCode);
  }
  return await new Promise<never>(() => {});
}

/** Removes deployments/localhost.json unless another run has replaced it since. */
function removeOwnDeployment(rpcUrl: string): void {
  try {
    if (readDeployment().rpcUrl !== rpcUrl) return;
  } catch {
    // Missing or unreadable: nothing of ours to keep.
  }
  removeDeployment();
}

/** The PIDs of this process's children, from /proc (Linux only; empty elsewhere). */
function childProcessIds(): number[] {
  if (process.platform !== "linux") return [];
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name in parentheses may hold spaces: the parent PID is the second field after it.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid) children.push(Number(entry));
    } catch {
      // The process exited while we looked.
    }
  }
  return children;
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => void shutdown(0, `\nStopping TaskMarket (${signal})…`));
}

// npm runs the launcher (scripts/start-cli.ts) through `sh -c`, and on SIGTERM npm signals that shell, which exits
// without passing the signal on; the launcher passes on what it hears, but if it dies, being re-parented is how this
// process learns that it was asked to stop.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) void shutdown(0, "\nThe process that started the local chain exited: stopping it.");
}, 500).unref();

/*//////////////////////////////////////////////////////////////
                           READING THE CHAIN
//////////////////////////////////////////////////////////////*/

// Only what this script reads and calls. Written out rather than taken from the artifacts so that it type-checks
// before the first compile.
const TASK_MARKET_ABI = parseAbi([
  "function owner() view returns (address)",
  "function protocolFeeBps() view returns (uint16)",
  "function feeRecipient() view returns (address)",
]);
const PANEL_ARBITRATOR_ABI = parseAbi([
  "function arbiters() view returns (address[])",
  "function arbitrationCost(bytes) view returns (uint256)",
  "function votingPeriod() view returns (uint32)",
]);
const DEV_TOKEN_ABI = parseAbi(["function mint(address to, uint256 amount)"]);

interface DevAccount {
  address: Address;
  privateKey?: Hash;
}

/** The node's accounts, with their private keys when they are Hardhat's well-known dev keys. */
function describeAccounts(addresses: Address[]): DevAccount[] {
  const master = wellKnownMasterKey();
  return addresses.map((address, addressIndex) => {
    const account = hdKeyToAccount(master, { addressIndex });
    const privateKey = account.getHdKey().privateKey;
    const wellKnown = account.address.toLowerCase() === address.toLowerCase() && privateKey !== null;
    return wellKnown ? { address: account.address, privateKey: toHex(privateKey) } : { address };
  });
}

/*//////////////////////////////////////////////////////////////
                                  MAIN
//////////////////////////////////////////////////////////////*/

async function main(): Promise<void> {
  const started = performance.now();
  const demo = demoRequested();
  console.log(`Starting TaskMarket on a local chain${demo ? ", with a demo marketplace" : ""}\n`);
  const port = pinnedPort();

  // Only what gets deployed (with its imports): the rest of the contracts and the Solidity tests are not needed to
  // run the chain and take far longer to build. The compiler prints its own warnings and errors, so no spinner runs
  // over them.
  const files = DEPLOYED_SOURCES.map((source) => join(root, source));
  // Meanwhile, what needs nothing compiled: the subgraph builds in processes of its own (see startSubgraphBuild), the
  // chain starts (it reads the build's debug information as it appears; its log is kept when it fails, to be read, and
  // `shutdown` removes it after a clean stop), and the graph node's and the API's in-memory databases are set up, each
  // in a PGlite worker of its own. Each is reported when its step comes; until then a failure must not end the process
  // as an unhandled rejection.
  const subgraphBuild = startSubgraphBuild();
  const chainStarting = startLocalChain({ port, keepLog: true }).then((chain) => (state.chain = chain));
  const graphDatabase = openDatabase();
  const apiDatabase = openApiDatabase();
  for (const started of [subgraphBuild, chainStarting, graphDatabase, apiDatabase]) started.catch(() => undefined);
  await progress.step("Compiling contracts", () => hre.tasks.getTask("build").run({ quiet: true, files }), {
    mayPrint: true,
  });

  const chain = await progress.step("Starting the local chain", () => chainStarting, {
    summary: (chain) => `Local chain answering at ${chain.rpcUrl} (pid ${chain.pid})`,
  });
  // A node that dies while we run is reported, and takes this script down with it.
  void chain.exited.then((exit) => {
    if (state.stopping) return;
    if (exit.signal === "SIGINT" || exit.signal === "SIGTERM" || exit.signal === "SIGHUP") {
      // Ctrl-C reaches the whole process group: the node may hear it first.
      return shutdown(0, `\nThe local chain stopped (${exit.signal}).`);
    }
    return shutdown(
      1,
      `\nThe local chain exited unexpectedly (code ${exit.code}). The end of ${chain.logPath}:\n${chain.logTail()}`,
    );
  });

  const deployment = await progress.step("Deploying the protocol and the dev token", () =>
    deployProtocol(chain.rpcUrl),
  );
  const { taskMarket, panelArbitrator } = deployment.contracts;
  const devToken = deployment.contracts.devToken!;

  const connection = await hre.network.create({ network: "localhost", override: { url: chain.rpcUrl } });
  const publicClient = await connection.viem.getPublicClient();
  const accounts = describeAccounts((await connection.provider.request({ method: "eth_accounts" })) as Address[]);

  const mintAmount = parseUnits(DEV_TOKEN_AMOUNT_PER_ACCOUNT, devToken.decimals);
  const [walletClient] = await connection.viem.getWalletClients();
  await progress.step(`Minting ${DEV_TOKEN_AMOUNT_PER_ACCOUNT} ${devToken.symbol} to each dev account`, async () => {
    const hashes: Hash[] = [];
    for (const { address } of accounts) {
      hashes.push(
        await walletClient.writeContract({
          address: devToken.address,
          abi: DEV_TOKEN_ABI,
          functionName: "mint",
          args: [address, mintAmount],
        }),
      );
    }
    await Promise.all(hashes.map((hash) => publicClient.waitForTransactionReceipt({ hash })));
  });

  writeDeployment(deployment);
  state.deploymentWritten = true;

  await progress.step("Building the subgraph", () => finishSubgraphBuild(subgraphBuild), {
    summary: (outcome) =>
      outcome === "current"
        ? "Subgraph up to date"
        : `Subgraph built${outcome === "rebuilt" ? " from the artifacts" : ""}`,
  });
  const graphNode = await progress.step(
    "Starting the graph node",
    async () => {
      // In memory: the chain lives for this run only, and so does what was indexed from it.
      const node = await startGraphNode({
        manifest: SUBGRAPH_MANIFEST,
        deployment,
        rpcUrl: chain.rpcUrl,
        database: { opening: graphDatabase },
        port: pinnedPort(GRAPH_PORT_VARIABLE) ?? 0,
        logger: (level, message) => {
          if (level !== "info") progress.note(`[graph-node] ${level}: ${message}`);
        },
      });
      state.graphNode = node;
      await node.waitForBlock(Number(await publicClientBlock(chain.rpcUrl)), 60_000);
      return node;
    },
    { summary: (node) => `Graph node serving ${node.graphqlUrl}` },
  );
  const api = await progress.step(
    "Starting the API",
    async () => {
      const config = readApiConfig(
        {},
        {
          port: pinnedPort(API_PORT_VARIABLE) ?? 0,
          subgraphUrl: graphNode.graphqlUrl,
          rpcUrl: chain.rpcUrl,
          database: {},
          verifierPrivateKey: devAccountKey(VERIFIER_ACCOUNT_INDEX),
          corsOrigins: ["*"],
        },
      );
      const running = await startApi(config, { deployment, log: quietApiLog, database: apiDatabase });
      state.api = running;
      return running;
    },
    { summary: (running) => `API answering at ${running.url}` },
  );
  let marketplace: DemoMarketplace | undefined;
  if (demo) {
    const byIndex = (index: number) => {
      const privateKey = accounts[index]?.privateKey;
      if (privateKey === undefined) {
        throw new Error(
          `The demo needs dev account #${index} with the well-known dev key; the node has no such account.`,
        );
      }
      return privateKeyToAccount(privateKey);
    };
    marketplace = await progress.step(
      "Seeding the demo marketplace",
      () =>
        seedDemoMarketplace({
          apiUrl: api.url,
          rpcUrl: chain.rpcUrl,
          deployment,
          accountOf: byIndex,
          waitForIndexed: (blockNumber) => graphNode.waitForBlock(Number(blockNumber), 60_000),
          log: (line) => progress.note(`    ${line}`),
        }),
      { summary: (seeded) => `Demo marketplace seeded: ${seeded.tasks.length} tasks` },
    );
  }
  const apiKey = await api.services.apiKeys.create({ name: "npm start", scopes: ["verify", "relay", "admin"] });

  const readMarket = <F extends "owner" | "protocolFeeBps" | "feeRecipient">(functionName: F) =>
    publicClient.readContract({ address: taskMarket.address, abi: TASK_MARKET_ABI, functionName });
  const [owner, feeBps, feeRecipient, arbiters, arbitrationFee, votingPeriod, balance] = await Promise.all([
    readMarket("owner"),
    readMarket("protocolFeeBps"),
    readMarket("feeRecipient"),
    publicClient.readContract({
      address: panelArbitrator.address,
      abi: PANEL_ARBITRATOR_ABI,
      functionName: "arbiters",
    }),
    publicClient.readContract({
      address: panelArbitrator.address,
      abi: PANEL_ARBITRATOR_ABI,
      functionName: "arbitrationCost",
      args: ["0x"],
    }),
    publicClient.readContract({
      address: panelArbitrator.address,
      abi: PANEL_ARBITRATOR_ABI,
      functionName: "votingPeriod",
    }),
    // The last account has sent no transaction: its balance is what every account started with.
    publicClient.getBalance({ address: accounts[accounts.length - 1].address }),
  ]);
  await connection.close();
  const accountIndex = (address: Address) => {
    const index = accounts.findIndex((account) => account.address.toLowerCase() === address.toLowerCase());
    return index === -1 ? address : `${address} (account #${index})`;
  };

  const width = Math.max(...Object.values(PROTOCOL_CONTRACTS).map((name) => name.length)) + 2;
  const row = (label: string, value: string) => console.log(`  ${label.padEnd(width)} ${value}`);
  console.log(`\nReady in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
  row("RPC URL", `${chain.rpcUrl}  (chain id ${deployment.chainId})`);
  row("Deployment file", relative(process.cwd(), LOCAL_DEPLOYMENT_PATH));
  row("Chain log", chain.logPath);
  console.log("\nContracts:");
  for (const key of PROTOCOL_CONTRACT_KEYS) {
    const contract = deployment.contracts[key];
    row(PROTOCOL_CONTRACTS[key], `${contract.address}  (block ${contract.blockNumber})`);
  }
  row(`Dev token ${devToken.symbol}`, `${devToken.address}  (${devToken.decimals} decimals, anyone can mint)`);
  console.log("\nSettings:");
  row("Owner", accountIndex(owner));
  row("Protocol fee", `${feeBps} bps, paid to ${accountIndex(feeRecipient)}`);
  row("Arbitration fee", `${formatEther(arbitrationFee)} ETH per dispute, voting for ${votingPeriod / 3600} h`);
  row("Arbiters", arbiters.map((arbiter) => accountIndex(arbiter)).join(", ") || "none");

  const withKeys = accounts.some((account) => account.privateKey !== undefined);
  console.log(
    `\nDev accounts, each funded with ${formatEther(balance)} ETH and ${DEV_TOKEN_AMOUNT_PER_ACCOUNT} ${devToken.symbol}` +
      (withKeys ? " (well-known keys: never use them on a real network):" : ":"),
  );
  accounts.forEach((account, index) => {
    console.log(`  #${String(index).padEnd(3)} ${account.address}  ${account.privateKey ?? ""}`.trimEnd());
  });
  console.log(
    `\nTo use Hardhat against it from another terminal: TASKMARKET_RPC_URL=${chain.rpcUrl} npx hardhat <task> --network localhost`,
  );
  console.log("\nServices:");
  row("API", `${api.url}  (docs ${api.url}/docs, OpenAPI ${api.url}/openapi.json)`);
  row("API key", `${apiKey.key}  (scopes verify, relay, admin; in memory, for this run)`);
  row("Verifier", `${accountIndex(privateKeyToAddress(devAccountKey(VERIFIER_ACCOUNT_INDEX)))} signs attestations`);
  row("GraphQL", `${graphNode.graphqlUrl}`);
  if (marketplace !== undefined) {
    console.log("\nDemo marketplace:");
    const statuses = await readDemoStatuses(api.url, marketplace);
    for (const line of demoSummary(marketplace, statuses, { api: api.url, graphql: graphNode.graphqlUrl })) {
      console.log(line === "" ? "" : `  ${line}`);
    }
  }
  console.log("Press Ctrl-C to stop everything.");

  await new Promise<never>(() => {
    // Runs until a signal or the node's exit calls `shutdown`.
    setInterval(() => {}, 1 << 30);
  });
}

try {
  await main();
} catch (error) {
  progress.clear();
  console.error(`\n${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
}
