// A local chain for development and tests: `hardhat node` on 127.0.0.1 and a free port, run as a child process of
// the caller and stopped by its own PID, so that nothing outlives the process that started it.
//
// Written in erasable TypeScript with no relative imports, so that it runs unchanged under `hardhat run`, under
// `hardhat test nodejs`, and on plain Node 22 with type stripping (`node scripts/…ts`, the indexer).
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";

import type { Hex } from "viem";
import { mnemonicToAccount } from "viem/accounts";

/** The only interface the chain listens on: never 0.0.0.0. */
export const LOCAL_CHAIN_HOSTNAME = "127.0.0.1";

/** Hardhat's well-known dev mnemonic, whose accounts `hardhat node` funds: its keys are public. */
export const DEV_MNEMONIC = "test test test test test test test test test test test junk";

/** The private key of dev account `index` (public knowledge, like the mnemonic). */
export function devPrivateKey(index: number): Hex {
  const key = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index }).getHdKey().privateKey!;
  return `0x${Buffer.from(key).toString("hex")}`;
}

const SCRIPTS_DIRECTORY = dirname(fileURLToPath(import.meta.url));
/** The repository root: `hardhat node` reads hardhat.config.ts from its working directory. */
const REPOSITORY_ROOT = join(SCRIPTS_DIRECTORY, "..");
const EXIT_WITH_PARENT = pathToFileURL(join(SCRIPTS_DIRECTORY, "exit-with-parent.mjs")).href;
const DEFAULT_READY_TIMEOUT_MS = 120_000;
const DEFAULT_STOP_TIMEOUT_MS = 5_000;
const DEFAULT_PORT_ATTEMPTS = 3;

const require = createRequire(import.meta.url);

/** How the node process ended: an exit code, or the signal that ended it. */
export interface ChainExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartLocalChainOptions {
  /** The port to listen on. Default: a free port chosen by the system (retried if another process takes it first). */
  port?: number;
  /** Where the node writes its output. Default: `<tmpdir>/taskmarket-node-<port>.log`. */
  logPath?: string;
  /** Keep the log file when `stop()` is called (it is always kept when the chain fails to start). Default: false. */
  keepLog?: boolean;
  /** How long to wait for the node to answer JSON-RPC. Default: 120 s (a loaded machine can take a minute). */
  readyTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before sending SIGKILL. Default: 5 s. */
  stopTimeoutMs?: number;
}

/** A running `hardhat node`, answering JSON-RPC. */
export interface LocalChain {
  /** `http://127.0.0.1:<port>`. */
  readonly rpcUrl: string;
  readonly port: number;
  /** The PID of the node process itself (not of a wrapper): stopping it stops the chain. */
  readonly pid: number;
  /** The chain id the node reported when it first answered (31337 unless the config says otherwise). */
  readonly chainId: number;
  readonly logPath: string;
  /** Settles when the node process has exited, for whatever reason; never rejects. */
  readonly exited: Promise<ChainExit>;
  /** Whether the node process has exited. */
  readonly hasExited: boolean;
  /**
   * Stops the node: SIGTERM, then SIGKILL if it is still running after the grace period. Resolves once the process
   * has exited. Safe to call more than once and after the node has exited on its own. Removes the log file unless
   * `keepLog` was set.
   */
  stop(): Promise<void>;
  /** The last lines of the node's output, for error messages. */
  logTail(lines?: number): string;
  /** Removes the log file. */
  removeLog(): void;
}

/** The node exited before it answered JSON-RPC. */
export class LocalChainExitedError extends Error {
  readonly exit: ChainExit;
  readonly port: number;
  readonly logPath: string;
  readonly logTail: string;

  constructor(exit: ChainExit, port: number, logPath: string, logTail: string) {
    const reason = exit.signal ?? (exit.code === null ? "could not be started" : `code ${exit.code}`);
    super(
      isPortTaken(logTail)
        ? `The local chain could not listen on 127.0.0.1:${port}: the port is in use. The end of ${logPath}:\n${logTail}`
        : `The local chain exited (${reason}) before it answered. The end of ${logPath}:\n${logTail}`,
    );
    this.name = "LocalChainExitedError";
    this.exit = exit;
    this.port = port;
    this.logPath = logPath;
    this.logTail = logTail;
  }

  get portWasTaken(): boolean {
    return isPortTaken(this.logTail);
  }
}

function isPortTaken(log: string): boolean {
  return log.includes("EADDRINUSE");
}

/**
 * Starts `hardhat node --hostname 127.0.0.1 --port <port>` and resolves once it answers `eth_chainId`.
 *
 * The node runs with the Node.js executable of the calling process (Hardhat needs Node >= 22.13), from the repository
 * root. It exits on its own if the calling process dies without stopping it, even by SIGKILL: a preloaded watchdog
 * notices that it has been re-parented. If the calling process exits normally, the node is killed on its way out.
 *
 * Rejects with `LocalChainExitedError` if the node exits before answering, or with a timeout error; in both cases no
 * process is left running.
 */
export async function startLocalChain(options: StartLocalChainOptions = {}): Promise<LocalChain> {
  const pinned = options.port;
  if (pinned !== undefined && (!Number.isInteger(pinned) || pinned < 1 || pinned > 65_535)) {
    throw new Error(`The local chain's port must be an integer from 1 to 65535, got ${pinned}.`);
  }
  for (let attempt = 1; ; attempt++) {
    const port = pinned ?? (await findFreePort());
    const chain = new NodeProcess(port, options);
    try {
      await chain.waitUntilReady(options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
      return chain;
    } catch (error) {
      await chain.terminate();
      // A free port can be taken by another process between the probe and the node's bind: try another one.
      const retry = error instanceof LocalChainExitedError && error.portWasTaken && pinned === undefined;
      if (!retry || attempt === DEFAULT_PORT_ATTEMPTS) throw error;
      chain.removeLog();
    }
  }
}

/** The Hardhat CLI entry point, so that the node is spawned directly rather than through the `npx` wrapper. */
function hardhatCli(): string {
  const packageJsonPath = require.resolve("hardhat/package.json");
  const { bin } = JSON.parse(readFileSync(packageJsonPath, "utf8")) as { bin: { hardhat: string } };
  return join(dirname(packageJsonPath), bin.hardhat);
}

async function findFreePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, LOCAL_CHAIN_HOSTNAME, () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null
          ? resolve(address.port)
          : reject(new Error("Could not find a free port.")),
      );
    });
  });
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

class NodeProcess implements LocalChain {
  readonly rpcUrl: string;
  readonly port: number;
  readonly logPath: string;
  readonly exited: Promise<ChainExit>;
  #child: ChildProcess;
  #exit: ChainExit | undefined;
  #chainId: number | undefined;
  #keepLog: boolean;
  #stopTimeoutMs: number;
  #stopping: Promise<void> | undefined;
  #killOnExit: () => void;

  constructor(port: number, options: StartLocalChainOptions) {
    this.port = port;
    this.rpcUrl = `http://${LOCAL_CHAIN_HOSTNAME}:${port}`;
    this.logPath = options.logPath ?? join(tmpdir(), `taskmarket-node-${port}.log`);
    this.#keepLog = options.keepLog ?? false;
    this.#stopTimeoutMs = options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    // The node writes straight to its log file: no pipe through this process that could fill up or break.
    const log = openSync(this.logPath, "w");
    // `process.execPath` is the Node running the caller; the child is the node process itself, not a wrapper, so its
    // PID is the chain's. The preloaded watchdog makes it exit if the caller dies without stopping it.
    const args = [
      "--import",
      EXIT_WITH_PARENT,
      hardhatCli(),
      "node",
      "--hostname",
      LOCAL_CHAIN_HOSTNAME,
      "--port",
      String(port),
    ];
    try {
      this.#child = spawn(process.execPath, args, { cwd: REPOSITORY_ROOT, stdio: ["ignore", log, log] });
    } finally {
      closeSync(log);
    }
    // A caller that exits without stopping the chain (an uncaught error, `process.exit`) still takes it along; the
    // watchdog covers the cases where no exit handler runs.
    this.#killOnExit = () => {
      this.#child.kill("SIGKILL");
    };
    process.once("exit", this.#killOnExit);
    this.exited = new Promise((resolve) => {
      const exited = (exit: ChainExit) => {
        this.#exit ??= exit;
        process.removeListener("exit", this.#killOnExit);
        resolve(this.#exit);
      };
      // `error` without `exit` means the process could not be started at all.
      this.#child.once("error", () => exited({ code: null, signal: null }));
      this.#child.once("exit", (code, signal) => exited({ code, signal }));
    });
  }

  get pid(): number {
    const pid = this.#child.pid;
    if (pid === undefined) throw new Error("The local chain process was never started.");
    return pid;
  }

  get chainId(): number {
    if (this.#chainId === undefined) throw new Error("The local chain has not answered yet.");
    return this.#chainId;
  }

  get hasExited(): boolean {
    return this.#exit !== undefined;
  }

  /** Polls the JSON-RPC endpoint until it answers. Rejects if the node exits first or the time runs out. */
  async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (this.#exit !== undefined) {
        throw new LocalChainExitedError(this.#exit, this.port, this.logPath, this.logTail());
      }
      try {
        this.#chainId = Number(await rpc<string>(this.rpcUrl, "eth_chainId"));
        return;
      } catch {
        // Hardhat reports a taken port as an uncaught exception but may keep running: do not wait for it to exit.
        if (isPortTaken(this.logTail())) {
          await this.terminate();
          throw new LocalChainExitedError(await this.exited, this.port, this.logPath, this.logTail());
        }
        await Promise.race([sleep(100), this.exited]);
      }
    }
    throw new Error(
      `The local chain did not answer at ${this.rpcUrl} within ${timeoutMs / 1000} s. The end of ${this.logPath}:\n` +
        this.logTail(),
    );
  }

  /** Ends the process without touching the log: used when starting fails, where the log explains why. */
  async terminate(): Promise<void> {
    this.#stopping ??= this.#kill();
    await this.#stopping;
  }

  async stop(): Promise<void> {
    await this.terminate();
    if (!this.#keepLog) this.removeLog();
  }

  async #kill(): Promise<void> {
    if (this.#exit !== undefined || this.#child.pid === undefined) return;
    this.#child.kill("SIGTERM");
    const stopped = await Promise.race([this.exited.then(() => true), sleep(this.#stopTimeoutMs, false)]);
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
