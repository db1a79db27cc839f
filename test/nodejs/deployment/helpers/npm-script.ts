// Runs one of the package's npm scripts (`npm run deploy`, `npm run indexer`, `npm run api`), or the Hardhat CLI, the
// way npm would, but as a direct child of the test: the command line is read from package.json and started with this process's Node, so that
// the child's PID is the process itself (not an npm or shell wrapper that would leave it orphaned) and it can be
// stopped by that PID. A preloaded watchdog makes it exit if the test process dies without stopping it.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";

export const REPOSITORY_ROOT = join(import.meta.dirname, "..", "..", "..", "..");
const EXIT_WITH_PARENT = pathToFileURL(join(REPOSITORY_ROOT, "scripts", "exit-with-parent.mjs")).href;
const require = createRequire(import.meta.url);

export interface ScriptExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningScript {
  readonly pid: number;
  readonly exited: Promise<ScriptExit>;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects if the process exits or the time runs out. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** Waits for `prompt` in the output, then types `answer` and Enter (for a process started with `input`). */
  answer(prompt: RegExp, answer: string, timeoutMs: number): Promise<void>;
  /** Ends the standard input: a process that read a prompt keeps waiting for more input until then. */
  closeInput(): void;
  /** SIGTERM to the process's own PID, SIGKILL after `graceMs`; resolves with how it exited. */
  stop(graceMs?: number): Promise<ScriptExit>;
}

/** The command line of `npm run <name>`, as argv for this process's Node. Only `node …` and `hardhat …` scripts. */
export function npmScriptArguments(name: string): string[] {
  const { scripts } = JSON.parse(readFileSync(join(REPOSITORY_ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const script = scripts[name];
  if (script === undefined) throw new Error(`package.json has no "${name}" script.`);
  const [command, ...args] = script.split(/\s+/);
  if (command === "node") return args;
  if (command === "hardhat") return [hardhatCli(), ...args];
  throw new Error(`npm run ${name} runs "${script}", which this helper cannot start directly.`);
}

/** The Hardhat CLI's entry point, to run with this process's Node. */
export function hardhatCli(): string {
  const packageJsonPath = require.resolve("hardhat/package.json");
  const { bin } = JSON.parse(readFileSync(packageJsonPath, "utf8")) as { bin: { hardhat: string } };
  return join(dirname(packageJsonPath), bin.hardhat);
}

export interface RunOptions {
  /** Give the process a standard input to answer its prompts on (`answer`); otherwise it reads nothing. */
  input?: boolean;
}

/**
 * Starts `npm run <name> -- <args>` with exactly `env` as its environment (plus PATH, which Node's child tools need).
 */
export function runNpmScript(
  name: string,
  args: string[],
  env: Record<string, string>,
  options: RunOptions = {},
): RunningScript {
  return runNode(`npm run ${name}`, [...npmScriptArguments(name), ...args], env, options);
}

/** Starts `node <args>` with this process's Node and exactly `env` (plus PATH); `label` names it in errors. */
export function runNode(
  label: string,
  args: string[],
  env: Record<string, string>,
  options: RunOptions = {},
): RunningScript {
  const child: ChildProcess = spawn(process.execPath, ["--import", EXIT_WITH_PARENT, ...args], {
    cwd: REPOSITORY_ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: [options.input ? "pipe" : "ignore", "pipe", "pipe"],
  });
  let output = "";
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    for (const listener of listeners) listener();
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  let exit: ScriptExit | undefined;
  const exited = new Promise<ScriptExit>((resolve) => {
    child.once("error", () => resolve((exit ??= { code: null, signal: null })));
    child.once("exit", (code, signal) => resolve((exit ??= { code, signal })));
  });
  // A test that fails before stopping the child still takes it along when the test process exits.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  void exited.then(() => process.removeListener("exit", killOnExit));
  if (child.pid === undefined) throw new Error(`${label} could not be started.`);
  const pid = child.pid;

  return {
    pid,
    exited,
    output: () => output,
    async waitFor(pattern, timeoutMs) {
      return await new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (match !== null) finish(() => resolve(match));
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`${label}: no ${pattern} within ${timeoutMs} ms:\n${output}`))),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          settle();
        };
        listeners.add(check);
        void exited.then((how) =>
          finish(() => reject(new Error(`${label} exited (${how.signal ?? how.code}) early:\n${output}`))),
        );
        check();
      });
    },
    async answer(prompt, answer, timeoutMs) {
      if (child.stdin === null) throw new Error(`${label} was started without an input to answer on.`);
      await this.waitFor(prompt, timeoutMs);
      child.stdin.write(`${answer}\n`);
    },
    closeInput() {
      child.stdin?.end();
    },
    async stop(graceMs = 10_000) {
      if (exit !== undefined) return exit;
      process.kill(pid, "SIGTERM");
      const stopped = await Promise.race([exited.then(() => true), sleep(graceMs, false)]);
      if (!stopped) process.kill(pid, "SIGKILL");
      return await exited;
    },
  };
}
