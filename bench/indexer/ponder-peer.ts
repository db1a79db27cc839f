/**
 * Runs the Ponder peer (bench/indexer/ponder/) over the benchmark's chain and measures its backfill.
 *
 * Ponder is installed on demand into bench/indexer/ponder/node_modules (`npm install --prefix`), outside the root
 * install, and runs as `ponder start` with PGlite in a fresh temporary directory, as a child process of this one
 * stopped by its own PID. Its JSON log gives the phases; its `/ready` endpoint (200 once historical indexing is
 * complete) and `/status` (the latest indexed block) tell when it has caught up.
 *
 * Ponder backfills only up to the chain's finalized block (the head less 30 blocks for an unknown chain id such as
 * 31337) and indexes the rest live: the caller mines enough empty blocks after the traffic that every event lies in
 * the finalized range, and `targetBlock` is the last block holding an event.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";

import { PONDER_INPUT_VARIABLE, type PonderContractInput, type PonderInput } from "./ponder/input.js";

export const PONDER_VERSION = "0.16.10";
/** Ponder's default for a chain it does not know: it backfills up to `head - 30` and indexes the rest live. */
export const PONDER_FINALITY_BLOCKS = 30;

const BENCH_DIRECTORY = dirname(fileURLToPath(import.meta.url));
export const PONDER_APP = join(BENCH_DIRECTORY, "ponder");
const REPOSITORY_ROOT = join(BENCH_DIRECTORY, "..", "..");
const EXIT_WITH_PARENT = pathToFileURL(join(REPOSITORY_ROOT, "scripts", "exit-with-parent.mjs")).href;
const PONDER_CLI = join(PONDER_APP, "node_modules", "ponder", "dist", "esm", "bin", "ponder.js");
const STOP_TIMEOUT_MS = 15_000;
const POLL_INTERVAL_MS = 50;
/** Ponder's log line that ends the backfill. */
const BACKFILL_END_LINE = "Started returning 200 responses /ready";
/** How long after catching up Ponder's log may take to show that line. */
const LOG_LINE_WAIT_MS = 10_000;

export interface PonderRunOptions {
  chainId: number;
  rpcUrl: string;
  contracts: PonderContractInput[];
  /** The last block holding an event: Ponder has caught up when `/status` reports it and `/ready` answers 200. */
  targetBlock: number;
  timeoutMs?: number;
  log?: (message: string) => void;
}

export interface PonderRun {
  version: string;
  /** From spawning `ponder start` to ready and caught up: includes Ponder's build, database setup and startup. */
  wallMs: number;
  /**
   * Ponder's own backfill: from its "Started fetching backfill JSON-RPC data" log line to its "Started returning 200
   * responses" for `/ready` (sync, indexing and the creation of the schema's indexes), by the log's timestamps.
   */
  backfillMs: number;
  /** The phases Ponder logged, in milliseconds from spawning it. */
  phases: Record<string, number>;
  /** The events Ponder reports it indexed during the backfill ("Indexed block range" lines). */
  eventsIndexed: number;
}

/** Installs the Ponder app's dependencies unless the pinned Ponder is already there. */
export function ensurePonderInstalled(log: (message: string) => void = () => {}): void {
  const installed = join(PONDER_APP, "node_modules", "ponder", "package.json");
  if (existsSync(installed)) {
    const { version } = JSON.parse(readFileSync(installed, "utf8")) as { version: string };
    if (version === PONDER_VERSION) return;
  }
  log(`installing ponder ${PONDER_VERSION} into ${join(PONDER_APP, "node_modules")} (npm install --prefix)…`);
  // Under `npm run`, npm_execpath is the npm that runs us; run it on this Node (22) so that engine checks agree.
  const npm = process.env.npm_execpath;
  const [command, args] =
    npm !== undefined && npm.endsWith(".js")
      ? [process.execPath, [npm]]
      : [process.platform === "win32" ? "npm.cmd" : "npm", [] as string[]];
  const result = spawnSync(command, [...args, "install", "--prefix", PONDER_APP, "--no-audit", "--no-fund"], {
    stdio: "inherit",
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}` },
  });
  if (result.status !== 0) {
    throw new Error(`npm install --prefix ${PONDER_APP} failed (${result.error?.message ?? `code ${result.status}`}).`);
  }
  if (!existsSync(PONDER_CLI)) throw new Error(`Ponder was installed but ${PONDER_CLI} is missing.`);
}

export async function runPonder(options: PonderRunOptions): Promise<PonderRun> {
  const log = options.log ?? (() => {});
  ensurePonderInstalled(log);
  const workDirectory = mkdtempSync(join(tmpdir(), "taskmarket-bench-ponder-"));
  const inputPath = join(workDirectory, "input.json");
  const logPath = join(workDirectory, "ponder.log");
  const input: PonderInput = {
    chainId: options.chainId,
    rpcUrl: options.rpcUrl,
    databaseDirectory: join(workDirectory, "pglite"),
    contracts: options.contracts,
  };
  writeFileSync(inputPath, JSON.stringify(input));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;

  const logFile = createWriteStream(logPath);
  const phases: Record<string, number> = {};
  const logTimes: Record<string, number> = {};
  let eventsIndexed = 0;
  const started = Date.now();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "--import",
      EXIT_WITH_PARENT,
      PONDER_CLI,
      "--root",
      PONDER_APP,
      "--log-format",
      "json",
      "start",
      "--port",
      String(port),
      "--hostname",
      "127.0.0.1",
      "--schema",
      "bench",
    ],
    {
      cwd: PONDER_APP,
      env: { ...process.env, PONDER_TELEMETRY_DISABLED: "1", [PONDER_INPUT_VARIABLE]: inputPath },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", () => resolve({ code: null, signal: null }));
  });
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((value) => (exit = value));
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  let buffered = "";
  const onOutput = (chunk: Buffer) => {
    logFile.write(chunk);
    buffered += chunk.toString("utf8");
    let newline: number;
    while ((newline = buffered.indexOf("\n")) !== -1) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      let entry: { msg?: string; time?: number; event_count?: number; endpoint?: string };
      try {
        entry = JSON.parse(line);
      } catch {
        continue;
      }
      if (entry.msg === undefined || entry.time === undefined) continue;
      const key = entry.endpoint === undefined ? entry.msg : `${entry.msg} ${entry.endpoint}`;
      logTimes[key] ??= entry.time;
      phases[key] ??= entry.time - started;
      if (entry.msg === "Indexed block range" && typeof entry.event_count === "number") {
        eventsIndexed += entry.event_count;
      }
    }
  };
  child.stdout!.on("data", onOutput);
  child.stderr!.on("data", (chunk: Buffer) => logFile.write(chunk));

  const tail = () => {
    try {
      return readFileSync(logPath, "utf8").trimEnd().split("\n").slice(-20).join("\n");
    } catch {
      return "";
    }
  };

  let succeeded = false;
  try {
    const deadline = started + (options.timeoutMs ?? 15 * 60_000);
    let readyAt: number | undefined;
    while (readyAt === undefined) {
      if (exit !== undefined) {
        throw new Error(
          `Ponder exited (${exit.signal ?? `code ${exit.code}`}) before it caught up. ${logPath}:\n${tail()}`,
        );
      }
      if (Date.now() > deadline) throw new Error(`Ponder did not catch up in time. ${logPath}:\n${tail()}`);
      if (await caughtUp(url, options.targetBlock)) readyAt = Date.now();
      else await sleep(POLL_INTERVAL_MS);
    }
    // Ponder can answer the query that shows it caught up a moment before its log line about /ready is read.
    const logDeadline = Date.now() + LOG_LINE_WAIT_MS;
    while (logTimes[BACKFILL_END_LINE] === undefined && exit === undefined && Date.now() < logDeadline) {
      await sleep(POLL_INTERVAL_MS);
    }
    const backfillStart = logTimes["Started fetching backfill JSON-RPC data"];
    const backfillEnd = logTimes[BACKFILL_END_LINE];
    if (backfillStart === undefined || backfillEnd === undefined) {
      throw new Error(`Ponder's log lacks the backfill's start or end line. ${logPath}:\n${tail()}`);
    }
    log(`ponder caught up with block ${options.targetBlock} in ${((readyAt - started) / 1000).toFixed(1)} s`);
    succeeded = true;
    return {
      version: installedVersion(),
      wallMs: readyAt - started,
      backfillMs: backfillEnd - backfillStart,
      phases,
      eventsIndexed,
    };
  } finally {
    if (exit === undefined) {
      child.kill("SIGTERM");
      const stopped = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS, false)]);
      if (!stopped) {
        child.kill("SIGKILL");
        await exited;
      }
    }
    process.removeListener("exit", killOnExit);
    await new Promise((resolve) => logFile.end(resolve));
    // The database and the input always go; the log stays when the run failed, for the error to point at.
    if (succeeded) {
      rmSync(workDirectory, { recursive: true, force: true });
    } else {
      rmSync(input.databaseDirectory, { recursive: true, force: true });
      rmSync(inputPath, { force: true });
    }
  }
}

function installedVersion(): string {
  const path = join(PONDER_APP, "node_modules", "ponder", "package.json");
  return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
}

async function caughtUp(url: string, targetBlock: number): Promise<boolean> {
  try {
    const ready = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(2_000) });
    if (ready.status !== 200) return false;
    const status = (await (await fetch(`${url}/status`, { signal: AbortSignal.timeout(2_000) })).json()) as Record<
      string,
      { block?: { number?: number } }
    >;
    return Object.values(status).some((chain) => (chain.block?.number ?? -1) >= targetBlock);
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("No free port.")),
      );
    });
  });
}
