// `npm start`: a local chain with the protocol deployed on it, for development.
//
// Runs inside `hardhat run`. It compiles, starts `hardhat node` as a child process on 127.0.0.1 and a free port,
// deploys the Ignition modules to it, records the addresses in deployments/localhost.json and keeps the chain
// running until Ctrl-C or SIGTERM. The chain is a child process of this one, stopped by its own PID, so that no
// process outlives `npm start`.
import { spawn, type ChildProcess } from "node:child_process";
import { pbkdf2Sync } from "node:crypto";
import { closeSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { tmpdir } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";

import hre from "hardhat";
import { formatEther, isAddress, parseAbi, parseUnits, toHex, type Address, type Hash, type PublicClient } from "viem";
import { HDKey, hdKeyToAccount } from "viem/accounts";

import DevTokenModule from "../ignition/modules/DevToken.js";
import TaskMarketModule from "../ignition/modules/TaskMarket.js";
import {
  DEPLOYMENT_FORMAT_VERSION,
  LOCAL_DEPLOYMENT_PATH,
  readDeployment,
  removeDeployment,
  writeDeployment,
  type DeployedContract,
  type Deployment,
} from "./deployment.js";

const HOSTNAME = "127.0.0.1";
/** Set it to pin the port (a wallet remembers its RPC URL); by default any free port is used. */
const PORT_VARIABLE = "TASKMARKET_PORT";
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;
const PORT_ATTEMPTS = 3;
/** Hardhat's default dev mnemonic: its keys are public, so printing them gives nothing away. */
const WELL_KNOWN_MNEMONIC = "test test test test test test test test test test test junk";
const DEV_TOKEN_AMOUNT_PER_ACCOUNT = "1000000";
/** The sources of what the Ignition modules deploy: compiled before starting, and nothing else. */
const DEPLOYED_SOURCES = [
  "contracts/ExecutorRegistry.sol",
  "contracts/TaskMarket.sol",
  "test/solidity/mocks/MockERC20.sol",
];

const root = hre.config.paths.root;
const EXIT_WITH_PARENT = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), "exit-with-parent.mjs")).href;
const require = createRequire(import.meta.url);

/*//////////////////////////////////////////////////////////////
                           THE CHAIN PROCESS
//////////////////////////////////////////////////////////////*/

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

class LocalChain {
  readonly rpcUrl: string;
  readonly exited: Promise<Exit>;
  #child: ChildProcess;
  #exit: Exit | undefined;

  private constructor(
    readonly port: number,
    readonly logPath: string,
  ) {
    this.rpcUrl = `http://${HOSTNAME}:${port}`;
    // The node writes straight to its log file: no pipe through this process that could fill up or break.
    const log = openSync(logPath, "w");
    // `process.execPath` is the Node 22 running this script; the child is the node process itself, not a wrapper,
    // so its PID is the chain's. The preloaded watchdog makes it exit if this process dies without stopping it.
    const args = ["--import", EXIT_WITH_PARENT, hardhatCli(), "node", "--hostname", HOSTNAME, "--port", String(port)];
    this.#child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", log, log] });
    closeSync(log);
    this.exited = new Promise((resolve) => {
      const exited = (exit: Exit) => {
        this.#exit ??= exit;
        resolve(this.#exit);
      };
      // `error` without `exit` means the process could not be started at all.
      this.#child.once("error", () => exited({ code: null, signal: null }));
      this.#child.once("exit", (code, signal) => exited({ code, signal }));
    });
  }

  static spawn(port: number): LocalChain {
    return new LocalChain(port, join(tmpdir(), `taskmarket-node-${port}.log`));
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Polls the JSON-RPC endpoint until it answers; returns the chain id. Rejects if the node exits first. */
  async waitUntilReady(): Promise<number> {
    const deadline = performance.now() + READY_TIMEOUT_MS;
    while (performance.now() < deadline) {
      if (this.#exit !== undefined) throw new ChainExitedError(this, this.#exit);
      try {
        const chainId = await rpc<string>(this.rpcUrl, "eth_chainId");
        return Number(chainId);
      } catch {
        await Promise.race([sleep(100), this.exited]);
      }
    }
    throw new Error(`The local chain did not answer at ${this.rpcUrl} within ${READY_TIMEOUT_MS / 1000} s.`);
  }

  /** Stops the node by its PID: SIGTERM, then SIGKILL if it has not exited after a grace period. */
  async stop(): Promise<void> {
    if (this.#exit !== undefined || this.#child.pid === undefined) return;
    this.#child.kill("SIGTERM");
    const stopped = await Promise.race([this.exited.then(() => true), sleep(STOP_TIMEOUT_MS, false)]);
    if (!stopped) {
      this.#child.kill("SIGKILL");
      await this.exited;
    }
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.logPath, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  }

  removeLog(): void {
    rmSync(this.logPath, { force: true });
  }
}

class ChainExitedError extends Error {
  constructor(
    readonly chain: LocalChain,
    readonly exit: Exit,
  ) {
    super(`The local chain exited (${exit.signal ?? `code ${exit.code}`}).`);
  }

  get portWasTaken(): boolean {
    return this.chain.logTail().includes("EADDRINUSE");
  }
}

function hardhatCli(): string {
  const packageJsonPath = require.resolve("hardhat/package.json");
  const { bin } = JSON.parse(readFileSync(packageJsonPath, "utf8")) as { bin: { hardhat: string } };
  return join(dirname(packageJsonPath), bin.hardhat);
}

async function findFreePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, HOSTNAME, () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject()));
    });
  });
}

function pinnedPort(): number | undefined {
  const value = process.env[PORT_VARIABLE];
  if (value === undefined || value === "") return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`${PORT_VARIABLE} must be a port number, got "${value}".`);
  }
  return port;
}

/** Starts the node; when no port is pinned, tries again on another free port if one was taken in the meantime. */
async function startChain(): Promise<{ chain: LocalChain; chainId: number }> {
  const pinned = pinnedPort();
  for (let attempt = 1; ; attempt++) {
    const chain = LocalChain.spawn(pinned ?? (await findFreePort()));
    state.chain = chain;
    try {
      return { chain, chainId: await chain.waitUntilReady() };
    } catch (error) {
      await chain.stop();
      const retry = error instanceof ChainExitedError && error.portWasTaken && pinned === undefined;
      if (!retry || attempt === PORT_ATTEMPTS) {
        if (error instanceof ChainExitedError) {
          const hint = error.portWasTaken ? ` Port ${chain.port} is in use.` : "";
          throw new Error(`${error.message}${hint} The end of ${chain.logPath}:\n${chain.logTail()}`);
        }
        throw error;
      }
      chain.removeLog();
    }
  }
}

async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(2_000),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/*//////////////////////////////////////////////////////////////
                          SHUTDOWN AND PROGRESS
//////////////////////////////////////////////////////////////*/

const state: { chain?: LocalChain; deploymentWritten: boolean; stopping: boolean } = {
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
  process.on(signal, () => void shutdown(0, `\nStopping the local chain (${signal})…`));
}

// npm runs this script through `sh -c`, and on SIGTERM npm signals that shell, which exits without passing the
// signal on. Being re-parented is how this process learns that it was asked to stop.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) void shutdown(0, "\nThe process that started the local chain exited: stopping it.");
}, 500).unref();

/*//////////////////////////////////////////////////////////////
                               DEPLOYMENT
//////////////////////////////////////////////////////////////*/

/** Finds the block and transaction that created each contract deployed in blocks `fromBlock`..latest. */
async function findCreations(
  publicClient: PublicClient,
  fromBlock: bigint,
): Promise<Map<string, Omit<DeployedContract, "address">>> {
  const creations = new Map<string, Omit<DeployedContract, "address">>();
  const latest = await publicClient.getBlockNumber();
  for (let blockNumber = fromBlock; blockNumber <= latest; blockNumber++) {
    const block = await publicClient.getBlock({ blockNumber, includeTransactions: true });
    for (const transaction of block.transactions) {
      if (transaction.to !== null) continue;
      const receipt = await publicClient.getTransactionReceipt({ hash: transaction.hash });
      if (receipt.contractAddress) {
        creations.set(receipt.contractAddress.toLowerCase(), {
          blockNumber: Number(blockNumber),
          transactionHash: transaction.hash,
        });
      }
    }
  }
  return creations;
}

function located(creations: Map<string, Omit<DeployedContract, "address">>, address: Address): DeployedContract {
  const creation = creations.get(address.toLowerCase());
  if (creation === undefined) throw new Error(`No creation transaction found for ${address}.`);
  return { address, ...creation };
}

// Only what this script reads and calls. Written out rather than taken from the artifacts so that it type-checks
// before the first compile.
const TASK_MARKET_ABI = parseAbi([
  "function owner() view returns (address)",
  "function protocolFeeBps() view returns (uint16)",
  "function feeRecipient() view returns (address)",
]);
const DEV_TOKEN_ABI = parseAbi([
  "function name() view returns (string)",
  "function symbol() view returns (string)",
  "function decimals() view returns (uint8)",
  "function mint(address to, uint256 amount)",
]);

/** The address of a contract returned by an Ignition deployment. */
function addressOf(contract: unknown): Address {
  const address = (contract as { address?: unknown } | undefined)?.address;
  if (typeof address !== "string" || !isAddress(address)) throw new Error("Ignition returned no contract address.");
  return address;
}

interface DevAccount {
  address: Address;
  privateKey?: Hash;
}

/** The node's accounts, with their private keys when they are Hardhat's well-known dev keys. */
function describeAccounts(addresses: Address[]): DevAccount[] {
  // BIP-39 seed, derived once rather than once per account.
  const seed = pbkdf2Sync(WELL_KNOWN_MNEMONIC.normalize("NFKD"), "mnemonic", 2048, 64, "sha512");
  const master = HDKey.fromMasterSeed(seed);
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
  console.log("Starting TaskMarket on a local chain\n");

  // Only what gets deployed (with its imports): the rest of the contracts and the Solidity tests are not needed to
  // run the chain and take far longer to build. The compiler prints its own warnings and errors, so no spinner runs
  // over them.
  const files = DEPLOYED_SOURCES.map((source) => join(root, source));
  await progress.step("Compiling contracts", () => hre.tasks.getTask("build").run({ quiet: true, files }), {
    mayPrint: true,
  });

  const { chain, chainId } = await progress.step("Starting the local chain", startChain, {
    summary: ({ chain }) => `Local chain answering at ${chain.rpcUrl} (pid ${chain.pid})`,
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

  const connection = await hre.network.create({ network: "localhost", override: { url: chain.rpcUrl } });
  const publicClient = await connection.viem.getPublicClient();
  const addresses = await connection.provider.request({ method: "eth_accounts" });
  const accounts = describeAccounts(addresses as Address[]);

  // Ignition keeps a journal per chain id. The chain is new, so a journal left by an earlier run describes
  // contracts that no longer exist: start from an empty one.
  rmSync(join(hre.config.paths.ignition, "deployments", `chain-${chainId}`), { recursive: true, force: true });
  const firstBlock = (await publicClient.getBlockNumber()) + 1n;

  const taskMarketResult = await progress.step("Deploying ExecutorRegistry and TaskMarket", () =>
    connection.ignition.deploy(TaskMarketModule),
  );
  const devTokenResult = await progress.step("Deploying the dev token", () =>
    connection.ignition.deploy(DevTokenModule),
  );
  const executorRegistry = addressOf(taskMarketResult.executorRegistry);
  const taskMarket = addressOf(taskMarketResult.taskMarket);
  const devToken = addressOf(devTokenResult.devToken);

  const readToken = <F extends "name" | "symbol" | "decimals">(functionName: F) =>
    publicClient.readContract({ address: devToken, abi: DEV_TOKEN_ABI, functionName });
  const [tokenName, tokenSymbol, tokenDecimals] = await Promise.all([
    readToken("name"),
    readToken("symbol"),
    readToken("decimals"),
  ]);
  const mintAmount = parseUnits(DEV_TOKEN_AMOUNT_PER_ACCOUNT, tokenDecimals);
  const [walletClient] = await connection.viem.getWalletClients();
  await progress.step(`Minting ${DEV_TOKEN_AMOUNT_PER_ACCOUNT} ${tokenSymbol} to each dev account`, async () => {
    const hashes: Hash[] = [];
    for (const { address } of accounts) {
      hashes.push(
        await walletClient.writeContract({
          address: devToken,
          abi: DEV_TOKEN_ABI,
          functionName: "mint",
          args: [address, mintAmount],
        }),
      );
    }
    await Promise.all(hashes.map((hash) => publicClient.waitForTransactionReceipt({ hash })));
  });

  const creations = await findCreations(publicClient, firstBlock);
  const contracts: Deployment["contracts"] = {
    executorRegistry: located(creations, executorRegistry),
    taskMarket: located(creations, taskMarket),
    devToken: {
      ...located(creations, devToken),
      name: tokenName,
      symbol: tokenSymbol,
      decimals: tokenDecimals,
    },
  };
  const deployment: Deployment = {
    formatVersion: DEPLOYMENT_FORMAT_VERSION,
    network: "localhost",
    chainId,
    rpcUrl: chain.rpcUrl,
    deploymentBlock: Math.min(...Object.values(contracts).map((contract) => contract.blockNumber)),
    contracts,
  };
  writeDeployment(deployment);
  state.deploymentWritten = true;

  const [owner, feeBps, feeRecipient, balance] = await Promise.all([
    publicClient.readContract({ address: taskMarket, abi: TASK_MARKET_ABI, functionName: "owner" }),
    publicClient.readContract({ address: taskMarket, abi: TASK_MARKET_ABI, functionName: "protocolFeeBps" }),
    publicClient.readContract({ address: taskMarket, abi: TASK_MARKET_ABI, functionName: "feeRecipient" }),
    // The last account has sent no transaction: its balance is what every account started with.
    publicClient.getBalance({ address: accounts[accounts.length - 1].address }),
  ]);
  const accountIndex = (address: Address) => {
    const index = accounts.findIndex((account) => account.address.toLowerCase() === address.toLowerCase());
    return index === -1 ? address : `${address} (account #${index})`;
  };

  const row = (label: string, value: string) => console.log(`  ${label.padEnd(18)} ${value}`);
  console.log(`\nReady in ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
  row("RPC URL", `${chain.rpcUrl}  (chain id ${chainId})`);
  row("TaskMarket", `${taskMarket}  (block ${contracts.taskMarket.blockNumber})`);
  row("ExecutorRegistry", `${executorRegistry}  (block ${contracts.executorRegistry.blockNumber})`);
  row(`Dev token ${tokenSymbol}`, `${devToken}  (${tokenDecimals} decimals, anyone can mint)`);
  row("Owner", accountIndex(owner));
  row("Fee", `${feeBps} bps, paid to ${accountIndex(feeRecipient)}`);
  row("Deployment file", relative(process.cwd(), LOCAL_DEPLOYMENT_PATH));
  row("Chain log", chain.logPath);

  const withKeys = accounts.some((account) => account.privateKey !== undefined);
  console.log(
    `\nDev accounts, each funded with ${formatEther(balance)} ETH and ${DEV_TOKEN_AMOUNT_PER_ACCOUNT} ${tokenSymbol}` +
      (withKeys ? " (well-known keys: never use them on a real network):" : ":"),
  );
  accounts.forEach((account, index) => {
    console.log(`  #${String(index).padEnd(3)} ${account.address}  ${account.privateKey ?? ""}`.trimEnd());
  });
  console.log(
    `\nTo use Hardhat against it from another terminal: TASKMARKET_RPC_URL=${chain.rpcUrl} npx hardhat <task> --network localhost`,
  );
  console.log("Press Ctrl-C to stop the chain.");

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
