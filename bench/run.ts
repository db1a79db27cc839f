/**
 * `npm run bench`: every benchmark in turn (gas, indexer, API, start-up), each as its own `npm run bench:<name>`
 * process so that nothing one leaves in memory or running weighs on the next, then bench/results/SUMMARY.md from their
 * result files (bench/summary.ts).
 *
 * A benchmark that fails does not stop the others: the run goes on, records how each ended in bench/results/run.json
 * (the summary says which results are from an earlier run), and exits non-zero at the end naming the ones that failed.
 * Ctrl-C reaches the benchmark under way (it is in this process's group) and ends the run without a summary.
 *
 * TASKMARKET_BENCH_ONLY=startup,api runs only the benchmarks named (the summary still covers every result file).
 */
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";

import { BENCHMARKS, RESULTS_DIRECTORY, RUN_FILE, SUMMARY_FILE, writeSummary, type RunRecord } from "./summary.ts";

const round2 = (value: number) => Math.round(value * 100) / 100;
const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;

/** The benchmarks to run: all of them, or those TASKMARKET_BENCH_ONLY names. */
function selectedBenchmarks(): typeof BENCHMARKS {
  const only = process.env.TASKMARKET_BENCH_ONLY;
  if (only === undefined || only.trim() === "") return BENCHMARKS;
  const names = only.split(",").map((name) => name.trim());
  const known = BENCHMARKS.map((benchmark) => benchmark.name as string);
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    console.error(
      `TASKMARKET_BENCH_ONLY names unknown benchmarks: ${unknown.join(", ")} (known: ${known.join(", ")}).`,
    );
    process.exit(2);
  }
  return BENCHMARKS.filter((benchmark) => names.includes(benchmark.name));
}
const selected = selectedBenchmarks();

let interrupted = false;
process.on("SIGINT", () => {
  // The benchmark under way got the same SIGINT and stops itself; only the rest of the run is called off here.
  interrupted = true;
});

/** Runs `npm run <script>` with this process's output; resolves with how it ended. */
function runScript(script: string): Promise<{ exit: string; succeeded: boolean }> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", script], { stdio: "inherit" });
    child.once("error", (error) => resolve({ exit: `could not start: ${error.message}`, succeeded: false }));
    child.once("exit", (code, signal) =>
      resolve({ exit: signal ?? `code ${code}`, succeeded: signal === null && code === 0 }),
    );
  });
}

const run: RunRecord = {
  startedAt: new Date().toISOString(),
  finishedAt: "",
  benchmarks: [],
  machine: {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    loadAverageAtStart: loadavg().map(round2),
    loadAverageAtEnd: [],
  },
};

for (const benchmark of selected) {
  if (interrupted) break;
  console.log(`\n=== npm run ${benchmark.script} (${new Date().toISOString()})\n`);
  const startedAt = new Date();
  const loadAverageAtStart = loadavg().map(round2);
  const started = performance.now();
  const { exit, succeeded } = await runScript(benchmark.script);
  const durationMs = Math.round(performance.now() - started);
  run.benchmarks.push({
    name: benchmark.name,
    script: benchmark.script,
    startedAt: startedAt.toISOString(),
    durationMs,
    exit,
    succeeded,
    loadAverageAtStart,
  });
  console.log(
    `\n=== npm run ${benchmark.script}: ${succeeded ? "done" : `FAILED (${exit})`} in ${minutes(durationMs)}`,
  );
}

if (interrupted) {
  console.log("\nInterrupted: the remaining benchmarks were not run and no summary was written.");
  process.exit(130);
}

run.finishedAt = new Date().toISOString();
run.machine.loadAverageAtEnd = loadavg().map(round2);
await mkdir(RESULTS_DIRECTORY, { recursive: true });
await writeFile(join(RESULTS_DIRECTORY, RUN_FILE), `${JSON.stringify(run, null, 2)}\n`);
const summary = await writeSummary();
console.log(`\n${summary.markdown}`);
console.log(`Written to ${join(RESULTS_DIRECTORY, SUMMARY_FILE)}.`);

const failed = run.benchmarks.filter((each) => !each.succeeded);
if (failed.length > 0 || summary.problems.length > 0) {
  console.error(
    [
      ...failed.map((each) => `npm run ${each.script} failed (${each.exit}).`),
      ...summary.problems.map((problem) => `Unreadable result: ${problem}.`),
    ].join("\n"),
  );
  process.exit(1);
}
