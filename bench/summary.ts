/**
 * `npm run bench:summary`: writes bench/results/SUMMARY.md from the benchmarks' JSON results, one table per benchmark
 * with each measured figure beside its target and whether it is met, and when and under what machine load it ran.
 * `npm run bench` (bench/run.ts) writes it after running every benchmark; it also runs alone over whatever results
 * exist.
 *
 * The targets come from the results themselves: each benchmark records its `targets` and its own verdict in
 * `meetsTargets` (which also accounts for runs it judged not valid). gas.json holds only the figures, as the
 * protocol-core issue specifies; its targets come from bench/gas-report.ts, which the gas benchmark and the snapshot
 * test read too. A result file that is missing is reported as missing, never filled in.
 *
 * How a figure compares with its target follows from its name: a duration (`…Ms`) must be at most the target, a rate
 * (`…PerSec`) or a ratio (`…Ratio`) at least the target, and a boolean must equal it.
 */
import { readFile, stat, writeFile } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { GAS_TARGETS, OPEN_TARGETS } from "./gas-report.ts";

export type BenchmarkName = "gas" | "indexer" | "api" | "startup";

export interface Benchmark {
  name: BenchmarkName;
  title: string;
  /** The npm script that runs it. */
  script: string;
  /** Its result file in bench/results/. */
  file: string;
  /** The issue its targets come from. */
  issue: string;
}

/** Every benchmark, in the order `npm run bench` runs them. */
export const BENCHMARKS: readonly Benchmark[] = [
  { name: "gas", title: "Gas", script: "bench:gas", file: "gas.json", issue: "issues 2 and 3" },
  { name: "indexer", title: "Indexer", script: "bench:indexer", file: "indexer.json", issue: "issue 5" },
  { name: "api", title: "API", script: "bench:api", file: "api.json", issue: "issue 6" },
  { name: "startup", title: "Start-up (`npm start`)", script: "bench:startup", file: "startup.json", issue: "issue 7" },
];

const REPOSITORY_ROOT = fileURLToPath(new URL("..", import.meta.url));
export const RESULTS_DIRECTORY = fileURLToPath(new URL("./results/", import.meta.url));
export const SUMMARY_FILE = "SUMMARY.md";
/** What bench/run.ts records about its last run: which benchmarks it ran, when, and how each ended. */
export const RUN_FILE = "run.json";

export interface RunRecord {
  startedAt: string;
  finishedAt: string;
  benchmarks: {
    name: BenchmarkName;
    script: string;
    startedAt: string;
    durationMs: number;
    /** `code N` or the signal that ended it. */
    exit: string;
    succeeded: boolean;
    loadAverageAtStart: number[];
  }[];
  machine: { cpus: number; cpuModel: string; loadAverageAtStart: number[]; loadAverageAtEnd: number[] };
}

/** "not judged": a target whose comparison neither the result file nor the figure's name gives. */
export type Verdict = "met" | "missed" | "missed (open)" | "no target" | "not judged";

export interface SummaryRow {
  figure: string;
  measured: string;
  target: string;
  verdict: Verdict;
}

export interface BenchmarkSummary {
  benchmark: Benchmark;
  state: "ok" | "missing" | "unreadable";
  rows: SummaryRow[];
  /** When it ran, on what machine and load, and anything that qualifies its figures. */
  notes: string[];
}

export interface Summary {
  markdown: string;
  benchmarks: BenchmarkSummary[];
  /** Result files that exist but cannot be read: bad input, reported in the summary and by the command. */
  problems: string[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const number = (value: number) => value.toLocaleString("en-US", { maximumFractionDigits: 2 });

type Direction = "at most" | "at least" | "equal";

/** How a figure compares with its target, from its name; undefined when the name does not say. */
function directionOf(key: string): Direction | undefined {
  if (key.endsWith("Ms")) return "at most";
  if (key.endsWith("PerSec") || key.endsWith("Ratio")) return "at least";
  return undefined;
}

function formatValue(key: string, value: number): string {
  if (key.endsWith("Ms")) return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${number(value)} ms`;
  if (key.endsWith("PerSec")) return `${number(value)}/s`;
  return number(value);
}

function formatMeasured(key: string, value: unknown): string {
  if (typeof value === "number") return formatValue(key, value);
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (value === null || value === undefined) return "not measured";
  return String(value);
}

function formatTarget(key: string, target: number | boolean, direction: Direction | undefined): string {
  if (typeof target === "boolean") return target ? "yes" : "no";
  const value = formatValue(key, target);
  return direction === "at most" ? `≤ ${value}` : direction === "at least" ? `≥ ${value}` : value;
}

/** The benchmark's own verdict when it gives one, else the comparison the figure's name implies. */
function verdictOf(
  measured: unknown,
  target: number | boolean,
  direction: Direction | undefined,
  own: unknown,
): Verdict {
  if (typeof own === "boolean") return own ? "met" : "missed";
  if (typeof target === "boolean") return measured === target ? "met" : "missed";
  if (typeof measured !== "number") return "missed";
  if (direction === "at most") return measured <= target ? "met" : "missed";
  if (direction === "at least") return measured >= target ? "met" : "missed";
  return "not judged";
}

/**
 * Checks a benchmark records without a target of the same name: what they compare, shown with the target they
 * describe where the result file gives one.
 */
const NAMED_CHECKS: Partial<
  Record<BenchmarkName, Record<string, (result: Json) => { measured: string; target: string }>>
> = {
  indexer: {
    backfillFasterThanPonder: (result) => ({
      measured:
        typeof result.backfillEventsPerSec === "number" && typeof result.ponderBackfillEventsPerSec === "number"
          ? `${number(result.backfillEventsPerSec)}/s vs Ponder ${number(result.ponderBackfillEventsPerSec)}/s`
          : "not measured",
      target: isObject(result.targets) ? String(result.targets.backfillVersusPonder ?? "faster than Ponder") : "",
    }),
  },
  api: {
    seedSize: (result) => ({
      measured:
        isObject(result.seed) && typeof result.seed.tasks === "number"
          ? `${number(result.seed.tasks)} tasks seeded`
          : "not measured",
      target: "the issue's seed size (api.json records only the verdict)",
    }),
  },
};

/**
 * What qualifies a benchmark's figures beyond its targets. Start-up: the wall time depends on what else the machine
 * runs, the CPU time the start used hardly does, so both are shown, with how long Ctrl-C took to stop everything.
 */
const DETAIL_NOTES: Partial<Record<BenchmarkName, (result: Json) => string[]>> = {
  startup: (result) => {
    if (!isObject(result.conditions)) return [];
    const ms = (value: unknown) => (typeof value === "number" ? formatValue("Ms", value) : undefined);
    return Object.entries(result.conditions).flatMap(([condition, figures]) => {
      if (!isObject(figures)) return [];
      const parts = [
        `${figures.ready ?? "?"} of ${figures.runs ?? "?"} starts ready`,
        ms(figures.medianMs) && `median ${ms(figures.medianMs)} (${ms(figures.minMs)} to ${ms(figures.maxMs)})`,
        typeof figures.medianCpuSecondsToReady === "number" &&
          `median CPU time to ready ${number(figures.medianCpuSecondsToReady)} s`,
        ms(figures.medianStopMs) &&
          `stopped by Ctrl-C in a median ${ms(figures.medianStopMs)} (at most ${ms(figures.maxStopMs)})`,
      ].filter(Boolean);
      const description = typeof figures.description === "string" ? figures.description : condition;
      return [`${description[0]!.toUpperCase()}${description.slice(1)}: ${parts.join(", ")}.`];
    });
  },
};

/** Rows of a result that records `targets` and `meetsTargets`. */
function rowsFromTargets(benchmark: Benchmark, result: Json): SummaryRow[] {
  const targets = isObject(result.targets) ? result.targets : {};
  const own = isObject(result.meetsTargets) ? result.meetsTargets : {};
  const rows: SummaryRow[] = [];
  for (const [key, target] of Object.entries(targets)) {
    if (typeof target !== "number" && typeof target !== "boolean") continue;
    const direction = typeof target === "boolean" ? "equal" : directionOf(key);
    rows.push({
      figure: `\`${key}\``,
      measured: formatMeasured(key, result[key]),
      target: formatTarget(key, target, direction),
      verdict: verdictOf(result[key], target, direction, own[key]),
    });
  }
  for (const [key, verdict] of Object.entries(own)) {
    if (key in targets || typeof verdict !== "boolean") continue;
    const described = NAMED_CHECKS[benchmark.name]?.[key]?.(result);
    rows.push({
      figure: `\`${key}\``,
      measured: described?.measured ?? "",
      target: described?.target ?? "",
      verdict: verdict ? "met" : "missed",
    });
  }
  return rows;
}

/** Rows of gas.json: every operation measured, with the targets of bench/gas-report.ts. */
function gasRows(result: Json): { rows: SummaryRow[]; problems: string[] } {
  const rows: SummaryRow[] = [];
  const problems: string[] = [];
  for (const [key, gas] of Object.entries(result)) {
    if (typeof gas !== "number") {
      problems.push(`"${key}" is not a number of gas units`);
      continue;
    }
    const target = GAS_TARGETS[key as keyof typeof GAS_TARGETS];
    rows.push({
      figure: `\`${key}\``,
      measured: number(gas),
      target: target === undefined ? "" : `≤ ${number(target)}`,
      verdict:
        target === undefined
          ? "no target"
          : gas <= target
            ? "met"
            : (OPEN_TARGETS as readonly string[]).includes(key)
              ? "missed (open)"
              : "missed",
    });
  }
  for (const [key, target] of Object.entries(GAS_TARGETS)) {
    if (key in result || target === undefined) continue;
    rows.push({ figure: `\`${key}\``, measured: "not measured", target: `≤ ${number(target)}`, verdict: "missed" });
  }
  return { rows, problems };
}

function machineNotes(result: Json): string[] {
  const notes: string[] = [];
  const machine = isObject(result.machine) ? result.machine : undefined;
  if (machine !== undefined) {
    const load = (value: unknown) => (Array.isArray(value) ? value.join(" ") : undefined);
    const loads = [
      load(machine.loadAverageAtStart) && `${load(machine.loadAverageAtStart)} at start`,
      load(machine.loadAverageAfterApiLoad) && `${load(machine.loadAverageAfterApiLoad)} after the API load`,
      load(machine.loadAverageAtEnd) && `${load(machine.loadAverageAtEnd)} at the end`,
    ].filter(Boolean);
    notes.push(
      `Machine: ${machine.cpus ?? "?"} CPUs (${machine.cpuModel ?? "unknown model"})` +
        (typeof machine.memoryGb === "number" ? `, ${machine.memoryGb} GB` : "") +
        (typeof machine.node === "string" ? `, Node.js ${machine.node}` : "") +
        `; load average (1, 5, 15 min) ${loads.length > 0 ? loads.join(", ") : "not recorded"}.`,
    );
  } else {
    notes.push("Machine and load: not recorded by this benchmark.");
  }
  if (isObject(result.targets) && typeof result.targets.machine === "string") {
    notes.push(`Targets are for: ${result.targets.machine}.`);
  }
  return notes;
}

/** Notes on a result file from the last `npm run bench`: whether it failed there, and whether the file predates it. */
function runNotes(benchmark: Benchmark, run: RunRecord | undefined, writtenAt: Date | undefined): string[] {
  const entry = run?.benchmarks.find((each) => each.name === benchmark.name);
  if (run === undefined || entry === undefined) return [];
  const predates = writtenAt === undefined || writtenAt.getTime() < Date.parse(entry.startedAt);
  if (!entry.succeeded) {
    return [
      `**The last \`npm run bench\` failed on this benchmark** (\`npm run ${entry.script}\` ended with ${entry.exit} at ` +
        `${entry.startedAt})` +
        (writtenAt === undefined ? "." : predates ? ": the figures below are from an earlier run." : "."),
    ];
  }
  return predates && writtenAt !== undefined
    ? [`The result file is older than the last \`npm run bench\` (${run.startedAt}): it is from an earlier run.`]
    : [];
}

async function readJson(path: string): Promise<{ value?: unknown; writtenAt?: Date; error?: string }> {
  let text: string;
  let writtenAt: Date;
  try {
    [text, writtenAt] = await Promise.all([readFile(path, "utf8"), stat(path).then((info) => info.mtime)]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    return { error: (error as Error).message };
  }
  try {
    return { value: JSON.parse(text), writtenAt };
  } catch (error) {
    return { writtenAt, error: `not valid JSON (${(error as Error).message})` };
  }
}

async function readRunRecord(resultsDirectory: string): Promise<{ run?: RunRecord; problem?: string }> {
  const { value, error } = await readJson(join(resultsDirectory, RUN_FILE));
  if (error !== undefined) return { problem: `${RUN_FILE}: ${error}` };
  if (value === undefined) return {};
  if (!isObject(value) || !Array.isArray(value.benchmarks) || typeof value.startedAt !== "string") {
    return { problem: `${RUN_FILE}: not a record of \`npm run bench\` (no startedAt or benchmarks)` };
  }
  return { run: value as unknown as RunRecord };
}

async function summarizeBenchmark(
  benchmark: Benchmark,
  resultsDirectory: string,
  run: RunRecord | undefined,
): Promise<{ summary: BenchmarkSummary; problems: string[] }> {
  const path = join(resultsDirectory, benchmark.file);
  const { value, writtenAt, error } = await readJson(path);
  if (error !== undefined || (value !== undefined && !isObject(value))) {
    const problem = `${benchmark.file}: ${error ?? "not a JSON object"}`;
    return {
      summary: { benchmark, state: "unreadable", rows: [], notes: [`**Unreadable result**: ${problem}.`] },
      problems: [problem],
    };
  }
  if (value === undefined) {
    return {
      summary: {
        benchmark,
        state: "missing",
        rows: [],
        notes: [
          `**No result**: bench/results/${benchmark.file} does not exist (run \`npm run ${benchmark.script}\`).`,
          ...runNotes(benchmark, run, undefined),
        ],
      },
      problems: [],
    };
  }
  const result = value as Json;
  const notes: string[] = [];
  let rows: SummaryRow[];
  let problems: string[] = [];
  if (benchmark.name === "gas") {
    ({ rows, problems } = gasRows(result));
    notes.push(
      `Written ${writtenAt!.toISOString()} (the file's time: gas.json records only the figures). Receipt \`gasUsed\` ` +
        "in steady state does not depend on the machine or its load.",
    );
    if (problems.length > 0) notes.push(`**Unreadable entries**: ${problems.join("; ")}.`);
    problems = problems.map((problem) => `${benchmark.file}: ${problem}`);
  } else {
    rows = rowsFromTargets(benchmark, result);
    const ran = typeof result.generatedAt === "string" ? result.generatedAt : `${writtenAt!.toISOString()} (file time)`;
    const took = typeof result.durationMs === "number" ? `, took ${(result.durationMs / 60_000).toFixed(1)} min` : "";
    notes.push(`Ran ${ran}${took}.`, ...machineNotes(result), ...(DETAIL_NOTES[benchmark.name]?.(result) ?? []));
    if (rows.length === 0) notes.push("**No targets recorded** in this result file.");
    if (isObject(result.valid)) {
      const invalid = Object.entries(result.valid).filter(([, valid]) => valid === false);
      if (invalid.length > 0) {
        notes.push(
          `Not valid, so counted as missed: ${invalid.map(([name]) => `\`${name}\``).join(", ")}` +
            (typeof result.validity === "string" ? ` (${result.validity})` : "") +
            ".",
        );
      }
    }
    if (result.complete === false) {
      notes.push(
        `**Incomplete run**: ${typeof result.failure === "string" ? result.failure.split("\n")[0] : "see the file"}.`,
      );
    }
  }
  notes.push(...runNotes(benchmark, run, writtenAt));
  return { summary: { benchmark, state: "ok", rows, notes }, problems };
}

function table(rows: readonly SummaryRow[]): string {
  const header = ["figure", "measured", "target", "result"];
  const cells = rows.map((row) =>
    [row.figure, row.measured, row.target || "–", row.verdict === "no target" ? "–" : row.verdict].map((cell) =>
      cell.replaceAll("|", "\\|"),
    ),
  );
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => row[column]!.length)));
  const line = (row: readonly string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...cells.map(line)].join("\n");
}

/** Reads every benchmark's result in `resultsDirectory` and renders the summary. Writes nothing. */
export async function summarizeResults(resultsDirectory = RESULTS_DIRECTORY, now = new Date()): Promise<Summary> {
  const { run, problem: runProblem } = await readRunRecord(resultsDirectory);
  const problems: string[] = runProblem === undefined ? [] : [runProblem];
  const benchmarks: BenchmarkSummary[] = [];
  for (const benchmark of BENCHMARKS) {
    const { summary, problems: found } = await summarizeBenchmark(benchmark, resultsDirectory, run);
    benchmarks.push(summary);
    problems.push(...found);
  }

  const all = benchmarks.flatMap((each) => each.rows);
  const count = (verdicts: Verdict[]) => all.filter((row) => verdicts.includes(row.verdict)).length;
  const open = count(["missed (open)"]);
  const relativeDirectory = relative(REPOSITORY_ROOT, resultsDirectory);
  const shownDirectory =
    relativeDirectory.startsWith("..") || isAbsolute(relativeDirectory) ? resultsDirectory : relativeDirectory;
  const absent = benchmarks.filter((each) => each.state !== "ok").map((each) => `\`${each.benchmark.file}\``);
  const lines = [
    "# Benchmark results",
    "",
    `Written ${now.toISOString()} by \`npm run bench:summary\` from the result files in \`${shownDirectory}/\`. ` +
      `Targets met: ${count(["met"])} of ${count(["met", "missed", "missed (open)"])}` +
      (open > 0 ? ` (${open} of those missed ${open === 1 ? "is" : "are"} known and open)` : "") +
      `. ${absent.length === 0 ? "Every benchmark has a result." : `Without a result: ${absent.join(", ")}.`}`,
  ];
  if (run !== undefined) {
    const failed = run.benchmarks.filter((each) => !each.succeeded).map((each) => `\`${each.script}\` (${each.exit})`);
    lines.push(
      "",
      `Last \`npm run bench\`: ${run.startedAt} to ${run.finishedAt}, each benchmark in its own process, load ` +
        `average ${run.machine.loadAverageAtStart.join(" ")} at start and ${run.machine.loadAverageAtEnd.join(" ")} at ` +
        `the end on ${run.machine.cpus} CPUs; ${failed.length === 0 ? "every benchmark succeeded" : `failed: ${failed.join(", ")}`}.`,
    );
  }
  for (const { benchmark, rows, notes } of benchmarks) {
    lines.push(
      "",
      `## ${benchmark.title}`,
      "",
      `\`npm run ${benchmark.script}\` → \`bench/results/${benchmark.file}\`; targets from ${benchmark.issue}.`,
    );
    lines.push("", ...notes.map((note) => `- ${note}`));
    if (rows.length > 0) lines.push("", table(rows));
  }
  if (problems.length > 0) lines.push("", "## Problems", "", ...problems.map((problem) => `- ${problem}`));
  return { markdown: `${lines.join("\n")}\n`, benchmarks, problems };
}

/** Writes SUMMARY.md into `resultsDirectory` and returns what it wrote. */
export async function writeSummary(resultsDirectory = RESULTS_DIRECTORY, now = new Date()): Promise<Summary> {
  const summary = await summarizeResults(resultsDirectory, now);
  await writeFile(join(resultsDirectory, SUMMARY_FILE), summary.markdown);
  return summary;
}

// Run as a script (`npm run bench:summary` is `hardhat run --no-compile bench/summary.ts`; `node bench/summary.ts`
// cannot load bench/gas-report.ts), not when imported by bench/run.ts or a test.
const thisFile = fileURLToPath(import.meta.url);
if (process.argv.slice(1).some((argument) => resolve(argument) === thisFile)) {
  const summary = await writeSummary();
  console.log(summary.markdown);
  console.log(`Written to ${join(RESULTS_DIRECTORY, SUMMARY_FILE)}.`);
  if (summary.problems.length > 0) {
    console.error(`Result files that could not be read:\n${summary.problems.map((each) => `  ${each}`).join("\n")}`);
    process.exitCode = 1;
  }
}
