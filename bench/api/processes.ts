/**
 * The benchmark's own child processes (the graph node, the API, the hello-world servers): each runs on the Node.js of
 * the benchmark, from the repository root, listening on 127.0.0.1 only, writing to a log file of its own, and is
 * stopped by its PID. A preloaded watchdog (scripts/exit-with-parent.mjs) makes a child exit if the benchmark dies
 * without stopping it, and an `exit` handler kills whatever is still running when the benchmark exits on its own.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";

export const REPOSITORY_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const EXIT_WITH_PARENT = pathToFileURL(join(REPOSITORY_ROOT, "scripts", "exit-with-parent.mjs")).href;
export const LOOPBACK = "127.0.0.1";

/** A free TCP port on the loopback interface, as the system hands them out. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null
          ? resolve(address.port)
          : reject(new Error("Could not find a free port.")),
      );
    });
  });
}

/** A temporary directory for the run's logs, deployment file and profiles; removed by `remove()`. */
export function runDirectory(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), "taskmarket-bench-api-"));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface ChildServiceOptions {
  /** Says which process a message is about. */
  name: string;
  /** The script to run, relative to the repository root. */
  script: string;
  args?: string[];
  /** Added to the benchmark's environment. */
  env?: Record<string, string>;
  /** Variables of the benchmark's environment the child must not inherit (`env` may still set them). */
  removeEnv?: readonly string[];
  /** Node.js flags placed before the script (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /** Where the child's stdout and stderr go. */
  logPath: string;
  /** Resolves true once the child serves; polled until it does. */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL. */
  stopTimeoutMs?: number;
}

export interface ChildService {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  readonly hasExited: boolean;
  /** SIGTERM, then SIGKILL after the grace period; resolves once the process has exited. Safe to call twice. */
  stop(): Promise<void>;
  logTail(lines?: number): string;
}

/** Starts a Node.js child process and waits until `ready()` holds; kills it and throws if it exits or times out. */
export async function startChildService(options: ChildServiceOptions): Promise<ChildService> {
  const child = new ChildServiceProcess(options);
  try {
    await child.waitUntilReady(options.ready, options.readyTimeoutMs ?? 120_000);
    return child;
  } catch (error) {
    await child.stop();
    throw error;
  }
}

class ChildServiceProcess implements ChildService {
  readonly name: string;
  readonly logPath: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<void>;
  readonly #stopTimeoutMs: number;
  readonly #killOnExit: () => void;
  #exit: string | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: ChildServiceOptions) {
    this.name = options.name;
    this.logPath = options.logPath;
    this.#stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of options.removeEnv ?? []) delete env[name];
    Object.assign(env, options.env);
    const log = openSync(options.logPath, "w");
    try {
      this.#child = spawn(
        process.execPath,
        [...(options.nodeArgs ?? []), "--import", EXIT_WITH_PARENT, options.script, ...(options.args ?? [])],
        { cwd: REPOSITORY_ROOT, env, stdio: ["ignore", log, log] },
      );
    } finally {
      closeSync(log);
    }
    this.#killOnExit = () => {
      this.#child.kill("SIGKILL");
    };
    process.once("exit", this.#killOnExit);
    this.#exited = new Promise((resolve) => {
      const exited = (description: string) => {
        this.#exit ??= description;
        process.removeListener("exit", this.#killOnExit);
        resolve();
      };
      this.#child.once("error", (error) => exited(`could not start: ${error.message}`));
      this.#child.once("exit", (code, signal) => exited(signal ?? `code ${code}`));
    });
  }

  get pid(): number {
    const pid = this.#child.pid;
    if (pid === undefined) throw new Error(`The ${this.name} process was never started.`);
    return pid;
  }

  get hasExited(): boolean {
    return this.#exit !== undefined;
  }

  async waitUntilReady(ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (this.#exit !== undefined) {
        throw new Error(
          `The ${this.name} exited (${this.#exit}) before it served. ${this.logPath}:\n${this.logTail()}`,
        );
      }
      if (await ready().catch(() => false)) return;
      await Promise.race([sleep(100), this.#exited]);
    }
    throw new Error(`The ${this.name} did not serve within ${timeoutMs / 1000} s. ${this.logPath}:\n${this.logTail()}`);
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      if (this.#exit !== undefined || this.#child.pid === undefined) return;
      this.#child.kill("SIGTERM");
      const stopped = await Promise.race([this.#exited.then(() => true), sleep(this.#stopTimeoutMs, false)]);
      if (!stopped) {
        this.#child.kill("SIGKILL");
        await this.#exited;
      }
    })();
    return this.#stopping;
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.logPath, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  }
}

/** Whether `url` answers a GET with a 2xx status. */
export async function answers(url: string, timeoutMs = 2_000): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await response.arrayBuffer();
  return response.ok;
}

let clockTicksPerSecond: number | undefined;

/**
 * CPU time a process has used so far (user + system, all its threads), in seconds, from /proc/PID/stat; undefined
 * where there is no /proc. Read before and after a load phase, it says how the CPU was shared between processes.
 */
export function cpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name, in parentheses, may hold spaces: count fields from after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  clockTicksPerSecond ??= Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
  // Fields 14 and 15 of stat (utime, stime), the 12th and 13th after the state.
  return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
}
