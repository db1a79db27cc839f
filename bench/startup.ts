/**
 * `npm run bench:startup`: how long `npm start` takes to bring the marketplace up, and whether Ctrl-C leaves nothing
 * behind.
 *
 * Each round copies the repository's working tree (the files `git ls-files --cached --others --exclude-standard`
 * lists: what a clone holds, plus uncommitted work, without any build output) into a temporary checkout whose
 * `node_modules` are links to the repository's, then starts the marketplace in it three times:
 *
 * 1. fresh clone: nothing built, so `npm start` compiles the contracts it deploys and builds the subgraph;
 * 2. warm: straight after, with everything that first start built;
 * 3. cold subgraph: the contracts compiled, the subgraph's build outputs (indexer/abis, indexer/generated,
 *    indexer/build) removed, so that `npm start` rebuilds them.
 *
 * The cold conditions delete build outputs, and every start writes deployments/localhost.json: a checkout of its own
 * keeps both away from the repository, where other work relies on them.
 *
 * Each start spawns `npm start` as a user runs it, in a process group of its own (a terminal's job), and times it from
 * the spawn to the ready line start.ts prints, then to the API's `/ready` answering 200 and a GraphQL query answering
 * on the graph node: that confirmed time is the figure. Then it sends SIGINT to the process group, which is what
 * Ctrl-C does in a terminal, and checks that every process of the tree seen at readiness has exited, with none left in
 * the group or working in the checkout.
 *
 * Writes bench/results/startup.json and prints the figures beside the target (ready within 60 s on this machine). It
 * never fails on a figure, only when a start cannot run at all or leaves processes behind (those it kills). Environment
 * overrides: TASKMARKET_BENCH_STARTUP_RUNS (rounds, default 3), TASKMARKET_BENCH_STARTUP_TIMEOUT_SECONDS (how long a
 * start may take before it counts as not ready, default 600).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { cpus, loadavg, platform, release, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

const REPOSITORY_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");

const TARGETS = {
  freshCloneReadyMs: 60_000,
  warmReadyMs: 60_000,
  coldSubgraphReadyMs: 60_000,
  noProcessLeftBehind: true,
  machine: "this machine (the issue's target: ready within 60 seconds)",
};

function positiveInteger(variable: string, fallback: number): number {
  const value = process.env[variable];
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0)
    throw new Error(`${variable} must be a positive integer, got "${value}".`);
  return parsed;
}

const ROUNDS = positiveInteger("TASKMARKET_BENCH_STARTUP_RUNS", 3);
const READY_TIMEOUT_MS = positiveInteger("TASKMARKET_BENCH_STARTUP_TIMEOUT_SECONDS", 600) * 1000;
/** After the ready line, how long the API and GraphQL have to answer before the start counts as not ready. */
const CONFIRM_TIMEOUT_MS = 60_000;
/** After SIGINT, how long npm has to exit, and then how long the rest of the tree has, before they are killed. */
const STOP_TIMEOUT_MS = 60_000;
const LINGER_TIMEOUT_MS = 15_000;
/** A pause between starts, so that one start's shutdown does not overlap the next one's work. */
const SETTLE_MS = 3_000;
const POLL_MS = 50;

type Condition = "freshClone" | "warm" | "coldSubgraph";
const CONDITIONS: Record<Condition, string> = {
  freshClone: "fresh clone: contracts compiled and subgraph built by npm start",
  warm: "warm: contracts compiled and subgraph built by an earlier start",
  coldSubgraph: "cold subgraph: contracts compiled, subgraph build outputs removed",
};
/** What `npm run indexer:build` writes and start.ts rebuilds when it is missing or older than its inputs. */
const SUBGRAPH_OUTPUTS = ["indexer/abis", "indexer/generated", "indexer/build"];

const log = (message: string) => console.log(`  ${message}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const round2 = (value: number) => Math.round(value * 100) / 100;

/*//////////////////////////////////////////////////////////////
                              PROCESSES
//////////////////////////////////////////////////////////////*/

interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** Clock ticks after boot: with the PID, it tells a process from a later one that reuses its PID. */
  startTime: number;
  /** CPU time in clock ticks, user + system, its own and that of the children it has waited for. */
  cpuTicks: number;
  command: string;
}

const CLOCK_TICKS_PER_SECOND = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout?.trim()) || 100;

/** Every process on the machine, from /proc. */
function readProcesses(): Map<number, ProcessInfo> {
  const processes = new Map<number, ProcessInfo>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name, in parentheses, may hold spaces: count the fields from after its closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const command = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim();
      processes.set(Number(entry), {
        pid: Number(entry),
        ppid: Number(fields[1]),
        pgid: Number(fields[2]),
        startTime: Number(fields[19]),
        // Fields 14 to 17 of stat: utime, stime, cutime, cstime.
        cpuTicks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]),
        command,
      });
    } catch {
      // The process exited while we looked.
    }
  }
  return processes;
}

/** `root` and every process below it, parents first. */
function processTree(root: number, processes: Map<number, ProcessInfo>): ProcessInfo[] {
  const tree: ProcessInfo[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    const info = processes.get(pid);
    if (info === undefined) continue;
    tree.push(info);
    for (const child of processes.values()) if (child.ppid === pid) queue.push(child.pid);
  }
  return tree;
}

/** Whether `/proc/<pid>/cwd` lies inside `directory`. */
function worksIn(pid: number, directory: string): boolean {
  try {
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    return cwd === directory || cwd.startsWith(`${directory}/`);
  } catch {
    return false;
  }
}

/**
 * The processes of a start still alive: those of the tree seen at readiness (same PID and start time), any other in
 * its process group, and any working in its checkout.
 */
function survivors(seen: readonly ProcessInfo[], pgid: number, checkout: string): ProcessInfo[] {
  const processes = readProcesses();
  const alive = new Map<number, ProcessInfo>();
  for (const info of seen) {
    const now = processes.get(info.pid);
    if (now !== undefined && now.startTime === info.startTime) alive.set(info.pid, now);
  }
  for (const info of processes.values()) {
    if (info.pid === process.pid) continue;
    if (info.pgid === pgid || worksIn(info.pid, checkout)) alive.set(info.pid, info);
  }
  return [...alive.values()];
}

/** A command line as recorded: the checkout's path (different every run) as `<checkout>`, at most 160 characters. */
function describeCommand(command: string, checkout: string): string {
  const short = command.split(checkout).join("<checkout>");
  return short.length > 160 ? `${short.slice(0, 157)}...` : short;
}

/*//////////////////////////////////////////////////////////////
                              CHECKOUTS
//////////////////////////////////////////////////////////////*/

/** A copy of the repository's working tree without build outputs, its `node_modules` linked to the repository's. */
function makeCheckout(): string {
  const checkout = mkdtempSync(join(tmpdir(), "taskmarket-bench-startup-"));
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: REPOSITORY_ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (listed.status !== 0) throw new Error(`git ls-files failed in ${REPOSITORY_ROOT}: ${listed.stderr}`);
  let copied = 0;
  for (const file of listed.stdout.split("\0")) {
    if (file === "") continue;
    const source = join(REPOSITORY_ROOT, file);
    // Listed by the index but deleted in the working tree, or a directory (a nested repository): not part of it.
    if (!existsSync(source) || !statSync(source).isFile()) continue;
    mkdirSync(dirname(join(checkout, file)), { recursive: true });
    copyFileSync(source, join(checkout, file));
    copied++;
  }
  if (copied === 0) throw new Error(`git ls-files listed no file in ${REPOSITORY_ROOT}.`);
  // The root's dependencies and those a workspace installs in a folder of its own (npm workspaces).
  for (const directory of ["", ...readdirSync(REPOSITORY_ROOT)]) {
    const modules = join(REPOSITORY_ROOT, directory, "node_modules");
    if (directory === "node_modules" || !existsSync(modules) || !existsSync(join(checkout, directory))) continue;
    symlinkSync(modules, join(checkout, directory, "node_modules"), "dir");
  }
  return checkout;
}

function removeSubgraphOutputs(checkout: string): void {
  for (const output of SUBGRAPH_OUTPUTS) rmSync(join(checkout, output), { recursive: true, force: true });
}

/*//////////////////////////////////////////////////////////////
                              ONE START
//////////////////////////////////////////////////////////////*/

/** A line of `npm start`'s output and when it arrived, in ms from the spawn. */
interface OutputLine {
  atMs: number;
  text: string;
}

/**
 * The ready line of start.ts ("Ready in 23.4 s."), matched loosely: a line that starts with "ready", or says that
 * TaskMarket or the marketplace is ready, with the seconds start.ts counted when it gives them.
 */
const READY_LINE = /^\s*(?:\S\s+)?(?:ready\b|.*\b(?:taskmarket|marketplace) is ready\b)/i;
const READY_SECONDS = /(\d+(?:\.\d+)?)\s*s\b/;
/** Where the API and GraphQL are, from the step lines and the table start.ts prints. */
const API_URL = /\bAPI\b.*?(https?:\/\/[^\s)]+)/;
const GRAPHQL_URL = /\b(?:GraphQL|Graph node)\b.*?(https?:\/\/[^\s)]+)/;
/** A finished step of start.ts's progress output: "✓ Subgraph up to date (0.1 s)". */
const STEP_LINE = /^\s*✓\s+(.+?)\s+\((\d+(?:\.\d+)?) s\)\s*$/;
/** The subgraph step's line says whether it built: "Subgraph built" or "Subgraph up to date". */
const SUBGRAPH_STEP = /^(?:building the )?subgraph\b/i;
const COMPILE_STEP = /^compil/i;

interface StartRun {
  condition: Condition;
  round: number;
  /** Spawn → the ready line. */
  readyLineMs: number | null;
  /** Spawn → the ready line, `/ready` 200 and a GraphQL answer: the figure. */
  readyMs: number | null;
  /** What start.ts itself reports ("Ready in … s"), from its own start, without npm's and Hardhat's start-up. */
  reportedByStartMs: number | null;
  steps: { step: string; seconds: number }[];
  /**
   * CPU time the tree used from the spawn to readiness: each live process's own and that of the children it has waited
   * for (the compiler, the subgraph build). Unlike the wall time, it hardly depends on what else the machine runs.
   */
  cpuSecondsToReady: number | null;
  /** Whether start.ts built the subgraph (from its step line), or null when the line is not found. */
  subgraphBuilt: boolean | null;
  /** Whether the start ran in the condition asked for (the subgraph built or not as the condition means). */
  conditionHeld: boolean | null;
  apiReady: { url: string; status: number } | null;
  graphql: { url: string; block: number } | null;
  processesAtReady: { pid: number; ppid: number; command: string }[];
  stop: {
    signal: "SIGINT";
    sentTo: string;
    npmExit: string | null;
    /** SIGINT → npm's exit. */
    npmExitedMs: number | null;
    /** SIGINT → the last process of the tree gone. */
    allGoneMs: number | null;
    leftBehind: { pid: number; command: string }[];
  } | null;
  loadAverageAtStart: number[];
  error?: string;
}

async function getStatus(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: kept as text.
  }
  return { status: response.status, body };
}

/** The indexed head, when the graph node answers a query on its `_meta` and on the Task entity without errors. */
async function graphqlHead(url: string): Promise<number | undefined> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ _meta { block { number } hasIndexingErrors } tasks(first: 1) { id } }" }),
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) return undefined;
  const answer = (await response.json()) as {
    data?: { _meta?: { block?: { number?: number }; hasIndexingErrors?: boolean }; tasks?: unknown[] };
    errors?: unknown[];
  };
  const meta = answer.data?._meta;
  if (answer.errors !== undefined || meta?.hasIndexingErrors !== false || !Array.isArray(answer.data?.tasks)) {
    return undefined;
  }
  return typeof meta.block?.number === "number" ? meta.block.number : undefined;
}

/** The environment a user's shell would give `npm start`: without what the `npm run` running this script added. */
function userEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith("npm_") || name === "INIT_CWD" || name === "NODE" || name.startsWith("TASKMARKET_")) continue;
    env[name] = value;
  }
  env.PATH = (process.env.PATH ?? "")
    .split(":")
    .filter((entry) => !entry.includes("node_modules/.bin") && !entry.includes("node-gyp-bin"))
    .join(":");
  return env;
}

/** The start under way, so that an interrupted benchmark can stop it. */
let current: { child: ChildProcess; pgid: number } | undefined;

async function startOnce(checkout: string, condition: Condition, round: number, logPath: string): Promise<StartRun> {
  const run: StartRun = {
    condition,
    round,
    readyLineMs: null,
    readyMs: null,
    reportedByStartMs: null,
    steps: [],
    cpuSecondsToReady: null,
    subgraphBuilt: null,
    conditionHeld: null,
    apiReady: null,
    graphql: null,
    processesAtReady: [],
    stop: null,
    loadAverageAtStart: loadavg().map(round2),
  };
  const lines: OutputLine[] = [];
  const spawned = performance.now();
  const child = spawn("npm", ["start"], {
    cwd: checkout,
    env: userEnvironment(),
    // A process group of its own, as a shell gives a job: Ctrl-C is then a SIGINT to that group.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pgid = child.pid;
  if (pgid === undefined) throw new Error("npm start could not be spawned.");
  current = { child, pgid };
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once("error", (error) => {
      exit ??= `could not start: ${error.message}`;
      resolve();
    });
    child.once("exit", (code, signal) => {
      exit ??= signal ?? `code ${code}`;
      resolve();
    });
  });
  let apiUrl: string | undefined;
  let graphqlUrl: string | undefined;
  const collect = (stream: NodeJS.ReadableStream) => {
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const atMs = performance.now() - spawned;
      const parts = (partial + chunk).split("\n");
      partial = parts.pop()!;
      for (const text of parts) {
        lines.push({ atMs, text });
        if (run.readyLineMs === null && READY_LINE.test(text)) {
          run.readyLineMs = Math.round(atMs);
          const reported = READY_SECONDS.exec(text);
          if (reported) run.reportedByStartMs = Math.round(Number(reported[1]) * 1000);
        }
        apiUrl = API_URL.exec(text)?.[1] ?? apiUrl;
        graphqlUrl = GRAPHQL_URL.exec(text)?.[1] ?? graphqlUrl;
        const step = STEP_LINE.exec(text);
        if (step) run.steps.push({ step: step[1]!, seconds: Number(step[2]) });
      }
    });
  };
  collect(child.stdout!);
  collect(child.stderr!);

  try {
    // 1. The ready line, or an exit, or the timeout.
    while (run.readyLineMs === null && exit === undefined && performance.now() - spawned < READY_TIMEOUT_MS) {
      await Promise.race([sleep(POLL_MS), exited]);
    }
    if (exit !== undefined) throw new Error(`npm start exited (${exit}) before it was ready.`);
    if (run.readyLineMs === null)
      throw new Error(`npm start printed no ready line within ${seconds(READY_TIMEOUT_MS)}.`);

    // 2. The API's /ready and a GraphQL answer, polled until both hold.
    const confirmBy = performance.now() + CONFIRM_TIMEOUT_MS;
    while (run.apiReady === null || run.graphql === null) {
      if (exit !== undefined) throw new Error(`npm start exited (${exit}) after its ready line.`);
      if (performance.now() > confirmBy) {
        throw new Error(
          `After the ready line, ${run.apiReady === null ? `the API's /ready (${apiUrl ?? "no API URL printed"})` : "GraphQL"} ` +
            `did not answer within ${seconds(CONFIRM_TIMEOUT_MS)}${graphqlUrl === undefined ? "; no GraphQL URL printed" : ""}.`,
        );
      }
      if (run.apiReady === null && apiUrl !== undefined) {
        const answer = await getStatus(`${apiUrl}/ready`).catch(() => undefined);
        if (answer?.status === 200 && (answer.body as { ready?: boolean }).ready === true) {
          run.apiReady = { url: `${apiUrl}/ready`, status: answer.status };
        }
      }
      if (run.graphql === null && graphqlUrl !== undefined) {
        const block = await graphqlHead(graphqlUrl).catch(() => undefined);
        if (block !== undefined) run.graphql = { url: graphqlUrl, block };
      }
      if (run.apiReady === null || run.graphql === null) await sleep(POLL_MS);
    }
    run.readyMs = Math.round(performance.now() - spawned);
  } catch (error) {
    run.error = (error as Error).message;
  }

  // 3. The tree at readiness (or at the failure), then Ctrl-C.
  const seen = processTree(pgid, readProcesses());
  if (run.readyMs !== null) {
    run.cpuSecondsToReady = round2(seen.reduce((sum, info) => sum + info.cpuTicks, 0) / CLOCK_TICKS_PER_SECOND);
  }
  run.processesAtReady = seen.map(({ pid, ppid, command }) => ({
    pid,
    ppid,
    command: describeCommand(command, checkout),
  }));
  run.stop = await stopStart(child, pgid, exited, () => exit, seen, checkout);
  current = undefined;

  writeFileSync(logPath, lines.map((line) => `[${(line.atMs / 1000).toFixed(2)} s] ${line.text}`).join("\n") + "\n");

  const subgraphStep = run.steps.find((step) => SUBGRAPH_STEP.test(step.step));
  run.subgraphBuilt =
    subgraphStep === undefined
      ? null
      : /up to date/i.test(subgraphStep.step)
        ? false
        : /built/i.test(subgraphStep.step);
  run.conditionHeld = run.subgraphBuilt === null ? null : run.subgraphBuilt === (condition !== "warm");
  if (run.error !== undefined) {
    const tail = lines
      .slice(-25)
      .map((line) => line.text)
      .join("\n");
    run.error += `\nThe end of its output (${logPath}):\n${tail}`;
  }
  return run;
}

/**
 * SIGINT to the start's process group, as Ctrl-C in a terminal; waits for npm, then for the rest of the tree. What is
 * still alive after that is recorded as left behind and killed by its PID (SIGKILL), so that no run leaks into the next.
 */
async function stopStart(
  child: ChildProcess,
  pgid: number,
  exited: Promise<void>,
  exitOf: () => string | undefined,
  seen: readonly ProcessInfo[],
  checkout: string,
): Promise<NonNullable<StartRun["stop"]>> {
  const signalled = performance.now();
  try {
    process.kill(-pgid, "SIGINT");
  } catch {
    // The group is gone already.
  }
  const npmExited = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS, false)]);
  const npmExitedMs = npmExited ? Math.round(performance.now() - signalled) : null;
  let alive = survivors(seen, pgid, checkout);
  const lingerUntil = performance.now() + LINGER_TIMEOUT_MS;
  while (alive.length > 0 && performance.now() < lingerUntil) {
    await sleep(POLL_MS);
    alive = survivors(seen, pgid, checkout);
  }
  const allGoneMs = alive.length === 0 ? Math.round(performance.now() - signalled) : null;
  for (const info of alive) {
    try {
      process.kill(info.pid, "SIGKILL");
    } catch {
      // Gone meanwhile.
    }
  }
  if (!npmExited) {
    child.kill("SIGKILL");
    await exited;
  }
  return {
    signal: "SIGINT",
    sentTo: `the process group of npm start (pgid ${pgid}), as Ctrl-C in a terminal`,
    npmExit: exitOf() ?? null,
    npmExitedMs,
    allGoneMs,
    leftBehind: alive.map(({ pid, command }) => ({ pid, command: describeCommand(command, checkout) })),
  };
}

/*//////////////////////////////////////////////////////////////
                                 MAIN
//////////////////////////////////////////////////////////////*/

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function summarise(runs: readonly StartRun[]) {
  const ready = runs.map((run) => run.readyMs).filter((ms): ms is number => ms !== null);
  const stopped = runs.map((run) => run.stop?.allGoneMs ?? null).filter((ms): ms is number => ms !== null);
  const cpu = runs.map((run) => run.cpuSecondsToReady).filter((value): value is number => value !== null);
  const stepSeconds = (pattern: RegExp) =>
    median(
      runs.flatMap((run) =>
        run.steps.filter((step) => pattern.test(step.step)).map((step) => Math.round(step.seconds * 1000)),
      ),
    );
  return {
    runs: runs.length,
    ready: ready.length,
    medianMs: ready.length === runs.length ? median(ready) : null,
    minMs: ready.length > 0 ? Math.min(...ready) : null,
    maxMs: ready.length === runs.length ? Math.max(...ready) : null,
    medianReadyLineMs: median(runs.map((run) => run.readyLineMs).filter((ms): ms is number => ms !== null)),
    medianReportedByStartMs: median(runs.map((run) => run.reportedByStartMs).filter((ms): ms is number => ms !== null)),
    medianCompileMs: stepSeconds(COMPILE_STEP),
    medianSubgraphMs: stepSeconds(SUBGRAPH_STEP),
    medianCpuSecondsToReady: cpu.length === runs.length ? median(cpu) : null,
    /** SIGINT → every process of the tree gone. */
    medianStopMs: stopped.length === runs.length ? median(stopped) : null,
    maxStopMs: stopped.length === runs.length ? Math.max(...stopped) : null,
    conditionHeld: runs.every((run) => run.conditionHeld === true),
  };
}

const loadAtStart = loadavg();
const started = performance.now();
console.log(`Start-up benchmark: ${ROUNDS} round(s) of ${Object.keys(CONDITIONS).length} starts\n`);

const logDirectory = mkdtempSync(join(tmpdir(), "taskmarket-bench-startup-logs-"));
const checkouts = new Set<string>();
let interrupted = false;
process.once("SIGINT", () => {
  interrupted = true;
  console.log("\nSIGINT: stopping the start under way.");
  if (current !== undefined) {
    try {
      process.kill(-current.pgid, "SIGINT");
    } catch {
      // Gone already.
    }
  }
});
process.once("exit", () => {
  // A start still running when this process exits (an uncaught error) is ended with it.
  if (current !== undefined) {
    try {
      process.kill(-current.pgid, "SIGKILL");
    } catch {
      // Gone already.
    }
  }
  for (const checkout of checkouts) rmSync(checkout, { recursive: true, force: true });
});

const runs: StartRun[] = [];
let failure: string | undefined;
rounds: for (let round = 1; round <= ROUNDS; round++) {
  const checkout = makeCheckout();
  checkouts.add(checkout);
  log(`round ${round}: checkout ${checkout}`);
  for (const condition of ["freshClone", "warm", "coldSubgraph"] as const) {
    if (interrupted) break rounds;
    if (condition === "coldSubgraph") removeSubgraphOutputs(checkout);
    const run = await startOnce(checkout, condition, round, join(logDirectory, `round${round}-${condition}.log`));
    runs.push(run);
    const leftBehind = run.stop?.leftBehind.length ?? 0;
    log(
      `${condition.padEnd(12)} ready ${run.readyMs === null ? "NOT READY" : seconds(run.readyMs)}` +
        (run.readyLineMs === null ? "" : ` (ready line ${seconds(run.readyLineMs)})`) +
        (run.cpuSecondsToReady === null ? "" : `, ${run.cpuSecondsToReady} CPU s`) +
        `; subgraph ${run.subgraphBuilt === null ? "?" : run.subgraphBuilt ? "built" : "up to date"}` +
        `; ${run.processesAtReady.length} processes, stopped in ` +
        `${run.stop?.allGoneMs === null || run.stop === null ? "?" : seconds(run.stop.allGoneMs)}` +
        `, ${leftBehind} left behind; load ${run.loadAverageAtStart.join(" ")}`,
    );
    if (run.error !== undefined && !interrupted) {
      failure = `Round ${round}, ${CONDITIONS[condition]}: ${run.error}`;
      break rounds;
    }
    await sleep(SETTLE_MS);
  }
  rmSync(checkout, { recursive: true, force: true });
  checkouts.delete(checkout);
}

if (interrupted) {
  console.log(`Interrupted: nothing written. The outputs of the starts are in ${logDirectory}.`);
  process.exit(130);
}

const byCondition = Object.fromEntries(
  (Object.keys(CONDITIONS) as Condition[]).map((condition) => [
    condition,
    { description: CONDITIONS[condition], ...summarise(runs.filter((run) => run.condition === condition)) },
  ]),
) as Record<Condition, { description: string } & ReturnType<typeof summarise>>;
const leftBehind = runs.flatMap((run) => run.stop?.leftBehind ?? []);
const npmVersion = spawnSync("npm", ["--version"], { encoding: "utf8", env: userEnvironment() }).stdout.trim();

const results = {
  benchmark: "startup",
  generatedAt: new Date().toISOString(),
  freshCloneReadyMs: byCondition.freshClone.medianMs,
  warmReadyMs: byCondition.warm.medianMs,
  coldSubgraphReadyMs: byCondition.coldSubgraph.medianMs,
  noProcessLeftBehind: leftBehind.length === 0,
  targets: TARGETS,
  meetsTargets: {
    freshCloneReadyMs:
      byCondition.freshClone.medianMs !== null && byCondition.freshClone.medianMs <= TARGETS.freshCloneReadyMs,
    warmReadyMs: byCondition.warm.medianMs !== null && byCondition.warm.medianMs <= TARGETS.warmReadyMs,
    coldSubgraphReadyMs:
      byCondition.coldSubgraph.medianMs !== null && byCondition.coldSubgraph.medianMs <= TARGETS.coldSubgraphReadyMs,
    noProcessLeftBehind: leftBehind.length === 0,
  },
  complete: failure === undefined,
  failure: failure ?? null,
  definition:
    "each figure: the median over the rounds of the time from spawning `npm start` (in a process group of its own, " +
    "in a copy of the working tree whose node_modules link to the repository's) to the ready line start.ts prints, " +
    "then the API's /ready answering 200 with ready: true and the graph node answering a GraphQL query on _meta and " +
    "Task without errors, polled every 50 ms; null when a start was not ready. Stopped by SIGINT to the process " +
    "group (Ctrl-C); a process left behind is one of the tree seen at readiness, or of the group, or working in the " +
    "checkout, still alive 15 s after npm exited",
  conditions: byCondition,
  runs,
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGb: Math.round(totalmem() / 2 ** 30),
    platform: `${platform()} ${release()}`,
    node: process.version,
    npm: npmVersion,
    loadAverageAtStart: loadAtStart.map(round2),
    loadAverageAtEnd: loadavg().map(round2),
  },
  durationMs: Math.round(performance.now() - started),
};

const resultsDirectory = new URL("./results/", import.meta.url);
mkdirSync(resultsDirectory, { recursive: true });
const resultsFile = new URL("startup.json", resultsDirectory);
writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);

const row = (label: string, value: string, target: string, met: boolean) =>
  console.log(`  ${label.padEnd(36)} ${value.padStart(10)}   ${target.padEnd(10)} ${met ? "met" : "NOT MET"}`);
console.log(`\n  ${"figure (median of the rounds)".padEnd(36)} ${"measured".padStart(10)}   target`);
for (const condition of Object.keys(CONDITIONS) as Condition[]) {
  const key = `${condition}ReadyMs` as const;
  const summary = byCondition[condition];
  row(
    `ready, ${condition}`,
    summary.medianMs === null ? "not ready" : seconds(summary.medianMs),
    `≤ ${seconds(TARGETS[key])}`,
    results.meetsTargets[key],
  );
}
row("processes left behind", String(leftBehind.length), "none", results.noProcessLeftBehind);
console.log(
  `\n  ${results.machine.cpus} CPUs (${results.machine.cpuModel}), load average ${results.machine.loadAverageAtStart.join(" ")} ` +
    `at start, ${results.machine.loadAverageAtEnd.join(" ")} at the end.`,
);
console.log(`\nWritten to ${fileURLToPath(resultsFile)} (${seconds(results.durationMs)}).`);

if (failure !== undefined) {
  console.error(`\nThe benchmark stopped early. ${failure}\nThe outputs of the starts are kept in ${logDirectory}.`);
  process.exit(1);
}
if (leftBehind.length > 0) {
  console.error(`\nProcesses were left behind (killed since): see "leftBehind" in ${fileURLToPath(resultsFile)}.`);
  process.exit(1);
}
rmSync(logDirectory, { recursive: true, force: true });
