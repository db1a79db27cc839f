// The benchmark summary (bench/summary.ts) over small result files in a temporary folder: each figure beside its
// target with the right verdict, the benchmark's own verdict preferred to a plain comparison, and a missing or broken
// result file reported as such, never filled in.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { GAS_TARGETS, OPEN_TARGETS } from "../../../bench/gas-report.ts";
import {
  summarizeResults,
  writeSummary,
  type BenchmarkSummary,
  type RunRecord,
  type Summary,
} from "../../../bench/summary.ts";

const NOW = new Date("2026-11-27T10:00:00.000Z");

async function writeJson(directory: string, file: string, value: unknown): Promise<void> {
  await writeFile(join(directory, file), `${JSON.stringify(value, null, 2)}\n`);
}

function section(summary: Summary, name: BenchmarkSummary["benchmark"]["name"]): BenchmarkSummary {
  const found = summary.benchmarks.find((each) => each.benchmark.name === name);
  assert.ok(found, `no section for ${name}`);
  return found;
}

function row(summary: BenchmarkSummary, figure: string) {
  const found = summary.rows.find((each) => each.figure === `\`${figure}\``);
  assert.ok(found, `no row for ${figure} in ${summary.benchmark.name}: ${JSON.stringify(summary.rows)}`);
  return found;
}

const INDEXER_RESULT = {
  benchmark: "indexer",
  generatedAt: "2026-11-27T09:00:00.000Z",
  backfillEventsPerSec: 6_200,
  headLatencyP95Ms: 310,
  queryByIdP95Ms: 4,
  queryListP95Ms: 22,
  ponderBackfillEventsPerSec: 3_100,
  targets: {
    backfillEventsPerSec: 5_000,
    headLatencyP95Ms: 250,
    queryByIdP95Ms: 10,
    queryListP95Ms: 30,
    machine: "2-core",
    backfillVersusPonder: "faster than Ponder on the same chain data",
  },
  meetsTargets: {
    backfillEventsPerSec: true,
    backfillFasterThanPonder: true,
    headLatencyP95Ms: false,
    queryByIdP95Ms: true,
    queryListP95Ms: true,
  },
  machine: { cpus: 2, cpuModel: "Test CPU", loadAverageAtStart: [1.5, 1.2, 0.9], loadAverageAtEnd: [2.1, 1.4, 1] },
  durationMs: 185_000,
};

describe("benchmark summary", () => {
  let directory: string;
  let summary: Summary;
  const openKey = OPEN_TARGETS[0];
  const targetedKeys = Object.keys(GAS_TARGETS).filter((key) => !OPEN_TARGETS.includes(key as never));

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), "taskmarket-summary-test-"));
    await writeJson(directory, "indexer.json", INDEXER_RESULT);
    // A figure within its target that the benchmark itself judged missed (its run was not valid), and a result file
    // that records its targets but no verdicts: the comparison then follows the figure's name.
    await writeJson(directory, "api.json", {
      generatedAt: "2026-11-27T09:10:00.000Z",
      taskReadP95Ms: 20,
      searchP95Ms: 80,
      attestationsPerSec: 1_500,
      honoOverheadRatio: 0.7,
      targets: { taskReadP95Ms: 50, searchP95Ms: 100, attestationsPerSec: 1_000, honoOverheadRatio: 0.8 },
      meetsTargets: { taskReadP95Ms: false, searchP95Ms: true, attestationsPerSec: true, honoOverheadRatio: false },
      valid: { taskRead: false, search: true },
    });
    await writeJson(directory, "startup.json", {
      generatedAt: "2026-11-27T09:20:00.000Z",
      warmReadyMs: 24_000,
      freshCloneReadyMs: 75_000,
      noProcessLeftBehind: true,
      targets: { warmReadyMs: 60_000, freshCloneReadyMs: 60_000, noProcessLeftBehind: true },
      conditions: {
        warm: {
          description: "warm: built by an earlier start",
          runs: 3,
          ready: 3,
          medianMs: 24_000,
          minMs: 22_000,
          maxMs: 30_000,
          medianCpuSecondsToReady: 31.5,
          medianStopMs: 300,
          maxStopMs: 14_000,
        },
      },
    });
    // Gas: one targeted operation within its target, one over it, one without a target, the first open target over
    // it; every other targeted operation is left out of the file.
    const [withinKey, overKey] = targetedKeys;
    await writeJson(directory, "gas.json", {
      [withinKey!]: GAS_TARGETS[withinKey as keyof typeof GAS_TARGETS]! - 1,
      [overKey!]: GAS_TARGETS[overKey as keyof typeof GAS_TARGETS]! + 1,
      start: 28_000,
      ...(openKey === undefined ? {} : { [openKey]: GAS_TARGETS[openKey]! + 500 }),
    });
    summary = await summarizeResults(directory, NOW);
  });

  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("puts each figure beside its target and takes the benchmark's verdict", () => {
    const indexer = section(summary, "indexer");
    assert.deepEqual(row(indexer, "backfillEventsPerSec"), {
      figure: "`backfillEventsPerSec`",
      measured: "6,200/s",
      target: "≥ 5,000/s",
      verdict: "met",
    });
    assert.deepEqual(row(indexer, "headLatencyP95Ms"), {
      figure: "`headLatencyP95Ms`",
      measured: "310 ms",
      target: "≤ 250 ms",
      verdict: "missed",
    });
    assert.equal(row(indexer, "queryListP95Ms").verdict, "met");
    const ponder = row(indexer, "backfillFasterThanPonder");
    assert.equal(ponder.verdict, "met");
    assert.equal(ponder.measured, "6,200/s vs Ponder 3,100/s");
    assert.equal(ponder.target, "faster than Ponder on the same chain data");
    assert.ok(!indexer.rows.some((each) => each.figure.includes("machine")), "the machine is not a figure");
  });

  it("counts a figure the benchmark judged not valid as missed, even within its target", () => {
    const api = section(summary, "api");
    assert.equal(row(api, "taskReadP95Ms").verdict, "missed");
    assert.equal(row(api, "honoOverheadRatio").target, "≥ 0.8");
    assert.equal(row(api, "honoOverheadRatio").verdict, "missed");
    assert.ok(
      api.notes.some((note) => note.includes("`taskRead`")),
      api.notes.join("\n"),
    );
  });

  it("compares by the figure's name when the result records no verdict", () => {
    const startup = section(summary, "startup");
    assert.deepEqual(row(startup, "warmReadyMs"), {
      figure: "`warmReadyMs`",
      measured: "24.0 s",
      target: "≤ 60.0 s",
      verdict: "met",
    });
    assert.equal(row(startup, "freshCloneReadyMs").verdict, "missed");
    assert.ok(
      startup.notes.includes(
        "Warm: built by an earlier start: 3 of 3 starts ready, median 24.0 s (22.0 s to 30.0 s), median CPU time to " +
          "ready 31.5 s, stopped by Ctrl-C in a median 300 ms (at most 14.0 s).",
      ),
      startup.notes.join("\n"),
    );
    assert.deepEqual(row(startup, "noProcessLeftBehind"), {
      figure: "`noProcessLeftBehind`",
      measured: "yes",
      target: "yes",
      verdict: "met",
    });
  });

  it("takes the gas targets from bench/gas-report.ts, and reports targeted operations missing from gas.json", () => {
    const gas = section(summary, "gas");
    const [withinKey, overKey, ...absentKeys] = targetedKeys;
    assert.equal(row(gas, withinKey!).verdict, "met");
    assert.equal(row(gas, overKey!).verdict, "missed");
    assert.deepEqual(row(gas, "start"), { figure: "`start`", measured: "28,000", target: "", verdict: "no target" });
    if (openKey !== undefined) assert.equal(row(gas, openKey).verdict, "missed (open)");
    for (const key of absentKeys) {
      assert.equal(row(gas, key).measured, "not measured");
      assert.equal(row(gas, key).verdict, "missed");
    }
  });

  it("reports a missing result file without inventing its figures", async () => {
    await rm(join(directory, "api.json"));
    const withoutApi = await summarizeResults(directory, NOW);
    const api = section(withoutApi, "api");
    assert.equal(api.state, "missing");
    assert.deepEqual(api.rows, []);
    assert.ok(api.notes[0]!.includes("bench/results/api.json does not exist"), api.notes[0]);
    assert.ok(!withoutApi.markdown.includes("taskReadP95Ms"), "no figure of the missing API result");
    assert.match(withoutApi.markdown, /Without a result: `api.json`\./);
    assert.deepEqual(withoutApi.problems, [], "a missing result is not a problem of the summary");
  });

  it("reports a result file that is not valid JSON as a problem", async () => {
    await writeFile(join(directory, "startup.json"), "{ not json");
    const broken = await summarizeResults(directory, NOW);
    assert.equal(section(broken, "startup").state, "unreadable");
    assert.deepEqual(section(broken, "startup").rows, []);
    assert.equal(broken.problems.length, 1);
    assert.match(broken.problems[0]!, /^startup\.json: not valid JSON/);
    assert.match(broken.markdown, /## Problems/);
  });

  it("says when the last `npm run bench` failed on a benchmark whose result is older", async () => {
    await utimes(join(directory, "indexer.json"), new Date("2026-11-26T12:00:00Z"), new Date("2026-11-26T12:00:00Z"));
    const run: RunRecord = {
      startedAt: "2026-11-27T09:30:00.000Z",
      finishedAt: "2026-11-27T09:59:00.000Z",
      benchmarks: [
        {
          name: "indexer",
          script: "bench:indexer",
          startedAt: "2026-11-27T09:31:00.000Z",
          durationMs: 60_000,
          exit: "code 1",
          succeeded: false,
          loadAverageAtStart: [1, 1, 1],
        },
      ],
      machine: { cpus: 2, cpuModel: "Test CPU", loadAverageAtStart: [1, 1, 1], loadAverageAtEnd: [2, 2, 2] },
    };
    await writeJson(directory, "run.json", run);
    const written = await writeSummary(directory, NOW);
    const indexer = section(written, "indexer");
    assert.ok(
      indexer.notes.some((note) => note.includes("failed on this benchmark") && note.includes("from an earlier run")),
      indexer.notes.join("\n"),
    );
    assert.match(written.markdown, /failed: `bench:indexer` \(code 1\)/);
    assert.equal(await readFile(join(directory, "SUMMARY.md"), "utf8"), written.markdown);
  });
});
