/**
 * `npm run bench:api`: the API benchmark.
 *
 * 1. Its own stack, each part in its own process (bench/api/stack.ts): a fresh local chain with the protocol deployed,
 *    the local graph node indexing it and the API (`api/src/main.ts serve`), all on 127.0.0.1.
 * 2. The market is seeded through the API (bench/api/seed.ts): every task document goes through `POST /tasks`, and the
 *    transactions it prepares are signed by dev accounts and mined; some tasks are then claimed, started, submitted,
 *    approved or cancelled. The run waits until the graph node has indexed the last block, then reads a sample of
 *    the tasks and runs every search query once, one request at a time, to check the answers and time them unloaded.
 * 3. autocannon, in this process, loads the API at fixed rates (bench/api/load.ts): `GET /tasks/{id}` at 200 req/s on
 *    random seeded ids, then `GET /tasks/search` at 100 req/s over a pool of varied queries (text, filters, sorts,
 *    pages), each after a warm-up at the same rate. Meanwhile the chain mines an empty block every 2 s, as a live
 *    chain would, so that nothing the API keeps per block outlives a block. Every response in the steady window is
 *    timed; p95 comes from those times. The CPU time each process used during each run says where the time went.
 * 4. With the stack stopped: signed attestations per second, the verification service's `AttestationSigner` in one
 *    worker thread per core (bench/api/attestations.ts), and the framework's overhead, the same hello-world on bare
 *    `node:http` and on Hono, each at maximum throughput (bench/api/overhead.ts).
 *
 * Writes bench/results/api.json and prints the figures beside their targets. A latency measured with errors, non-2xx
 * responses or below the rate asked for is reported as not valid and not met. It never fails on a figure, only when
 * a step cannot run. Environment overrides: TASKMARKET_BENCH_API_TASKS (default 1,000, the least the issue asks
 * for), TASKMARKET_BENCH_API_SECONDS (each measured window, default 20), TASKMARKET_BENCH_API_WARMUP_SECONDS
 * (default 5), TASKMARKET_BENCH_API_BLOCK_MS (the block interval during the load, default 2,000; 0 keeps the chain
 * still); TASKMARKET_BENCH_API_CPU_PROFILE=DIR profiles the API and the graph node (`--cpu-prof`) into DIR.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg, platform, release, totalmem } from "node:os";
import { resolve } from "node:path";

import { privateKeyToAddress } from "viem/accounts";

import { moduleDomain } from "../src/protocol/eip712.ts";
import { measureAttestations, type AttestationRun } from "./api/attestations.ts";
import { benchmarkSearchPath, seededRandom } from "./api/documents.ts";
import { runFixedRate, type FixedRateResult } from "./api/load.ts";
import { measureFrameworkOverhead, type OverheadResult } from "./api/overhead.ts";
import { cpuSeconds, runDirectory } from "./api/processes.ts";
import { seedMarket, type SeedSummary } from "./api/seed.ts";
import {
  produceBlocks,
  startBenchStack,
  VERIFIER_ACCOUNT_INDEX,
  waitForIndexed,
  type BenchStack,
} from "./api/stack.ts";
import { devPrivateKey } from "../scripts/local-chain.ts";
import { distribution, type Distribution } from "./indexer/measure.ts";

const TARGETS = {
  taskReadP95Ms: 50,
  searchP95Ms: 100,
  attestationsPerSec: 1_000,
  honoOverheadRatio: 0.8,
  machine: "2-core",
};
const TASK_READ_RATE = 200;
const SEARCH_RATE = 100;
/** A run that answers fewer than this share of the rate asked for did not hold the rate: its latency is not valid. */
const MIN_RATE_SHARE = 0.95;
const SEED = 1;
const SEARCH_QUERY_POOL = 400;
/** Reads of the seeded tasks made one at a time before the load, to check them and time them unloaded. */
const SEQUENTIAL_READS = 200;

function positiveInteger(variable: string, fallback: number): number {
  const value = process.env[variable];
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0)
    throw new Error(`${variable} must be a positive integer, got "${value}".`);
  return parsed;
}

function nonNegativeInteger(variable: string, fallback: number): number {
  const value = process.env[variable];
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 0)
    throw new Error(`${variable} must be a non-negative integer, got "${value}".`);
  return parsed;
}

const TASKS = positiveInteger("TASKMARKET_BENCH_API_TASKS", 1_000);
const BLOCK_INTERVAL_MS = nonNegativeInteger("TASKMARKET_BENCH_API_BLOCK_MS", 2_000);
const MEASURE_SECONDS = positiveInteger("TASKMARKET_BENCH_API_SECONDS", 20);
const WARMUP_SECONDS = positiveInteger("TASKMARKET_BENCH_API_WARMUP_SECONDS", 5);
const CPU_PROFILE = process.env.TASKMARKET_BENCH_API_CPU_PROFILE || undefined;

const log = (message: string) => console.log(`  ${message}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const round2 = (value: number) => Math.round(value * 100) / 100;

interface CpuShare {
  /** CPU seconds per second of the run: 1 is one core busy all along. */
  cores: number | null;
  /** CPU time per response of the run, in ms. */
  msPerRequest: number | null;
}

/** How the CPU time of a load run was shared between the processes. */
interface ProcessCpu {
  api: CpuShare;
  graphNode: CpuShare;
  chain: CpuShare;
  /** This process: autocannon. */
  loadGenerator: CpuShare;
}

/** Runs `work` and measures the CPU time each process of the stack used meanwhile. */
async function withCpu<T extends { totalResponses: number }>(
  stack: BenchStack,
  work: () => Promise<T>,
): Promise<T & { cpu: ProcessCpu }> {
  const pids = { api: stack.api.pid, graphNode: stack.graphNode.pid, chain: stack.chain.pid };
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const ownBefore = process.cpuUsage();
  const started = performance.now();
  const result = await work();
  const elapsed = (performance.now() - started) / 1000;
  const own = process.cpuUsage(ownBefore);
  const share = (used: number | null): CpuShare => ({
    cores: used === null ? null : round2(used / elapsed),
    msPerRequest: used === null ? null : round2((used * 1000) / result.totalResponses),
  });
  const of = (name: keyof typeof pids) => {
    const after = cpuSeconds(pids[name]);
    const earlier = before[name];
    return share(after === undefined || earlier === undefined ? null : after - earlier);
  };
  return {
    ...result,
    cpu: {
      api: of("api"),
      graphNode: of("graphNode"),
      chain: of("chain"),
      loadGenerator: share((own.user + own.system) / 1e6),
    },
  };
}

/** Whether a fixed-rate run is a valid measurement: no error, every response 2xx, the rate held. */
function validRun(run: FixedRateResult): boolean {
  return run.errors === 0 && run.non2xx === 0 && run.achievedRate >= run.targetRate * MIN_RATE_SHARE;
}

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  return { status: response.status, body: (await response.json()) as T };
}

/**
 * Reads `count` seeded tasks one after the other, before any load: each must be found, with its document and its
 * indexed record. Their times are the route's latency without concurrency.
 */
async function checkTaskReads(origin: string, ids: readonly bigint[], count: number): Promise<Distribution> {
  const times: number[] = [];
  for (let index = 0; index < count; index++) {
    const id = ids[Math.floor((index * ids.length) / count)]!;
    const started = performance.now();
    const { status, body } = await getJson<{ id?: string; document?: unknown; indexed?: unknown; detail?: string }>(
      `${origin}/tasks/${id}`,
    );
    times.push(performance.now() - started);
    if (status !== 200) throw new Error(`GET /tasks/${id} answered ${status}: ${body.detail}`);
    if (body.id !== id.toString() || body.document == null || body.indexed == null) {
      throw new Error(`GET /tasks/${id} lacks the task's document or its indexed record.`);
    }
  }
  return distribution(times);
}

/**
 * Runs every query of the pool once, one after the other: each must answer 200. Returns how many found at least one
 * task, and their times.
 */
async function checkSearches(
  origin: string,
  paths: readonly string[],
): Promise<{ withResults: number; sequential: Distribution }> {
  let withResults = 0;
  const times: number[] = [];
  for (const path of paths) {
    const started = performance.now();
    const { status, body } = await getJson<{ items?: unknown[]; detail?: string }>(`${origin}${path}`);
    times.push(performance.now() - started);
    if (status !== 200) throw new Error(`GET ${path} answered ${status}: ${body.detail}`);
    if ((body.items?.length ?? 0) > 0) withResults++;
  }
  return { withResults, sequential: distribution(times) };
}

const loadAtStart = loadavg();
const started = performance.now();
console.log("API benchmark\n");

const run = runDirectory();
let stack: BenchStack | undefined;
let failed = true;
let interrupted = false;
const stopStack = async () => {
  const stopping = stack;
  stack = undefined;
  await stopping?.stop();
};
process.once("SIGINT", () => {
  interrupted = true;
  console.log(`\nSIGINT: stopping the benchmark's processes; their logs are kept in ${run.path}.`);
  // Whatever else is running (hello-world servers, signing threads) is killed on exit by its own handler.
  void stopStack().finally(() => process.exit(130));
});

try {
  // 1. The stack.
  if (CPU_PROFILE !== undefined) await mkdir(resolve(CPU_PROFILE), { recursive: true });
  stack = await startBenchStack({
    runDirectory: run.path,
    log,
    cpuProfileDirectory: CPU_PROFILE === undefined ? undefined : resolve(CPU_PROFILE),
  });
  const { deployment, apiOrigin } = stack;
  const chainId = stack.chain.chainId;
  // The profiles' file names carry the PID of the process they profile.
  const pids = { api: stack.api.pid, graphNode: stack.graphNode.pid, chain: stack.chain.pid };

  // 2. The market.
  const seedStarted = performance.now();
  const seed: SeedSummary = await seedMarket({
    apiOrigin,
    rpcUrl: stack.chain.rpcUrl,
    deployment,
    tasks: TASKS,
    seed: SEED,
    concurrency: 8,
    log,
  });
  const indexStarted = performance.now();
  await waitForIndexed(stack.graphqlUrl, seed.lastBlock);
  const indexMs = performance.now() - indexStarted;
  log(
    `seeded ${seed.tasks} tasks (${seed.transactions} transactions, ${seed.blocks} blocks): POST /tasks ` +
      `${seconds(seed.postMs)}, sending ${seconds(seed.sendMs)}, indexing to block ${seed.lastBlock} ${seconds(indexMs)}`,
  );
  const devToken = deployment.contracts.devToken!.address;
  const now = Math.floor(Date.now() / 1000);
  const sequentialReads = await checkTaskReads(apiOrigin, seed.taskIds, SEQUENTIAL_READS);
  const searchPaths = Array.from({ length: SEARCH_QUERY_POOL }, (_, index) =>
    benchmarkSearchPath(SEED, index, { devToken, now }),
  );
  const searchCheck = await checkSearches(apiOrigin, searchPaths);
  log(
    `one at a time: GET /tasks/{id} p50 ${sequentialReads.p50Ms} ms (${sequentialReads.count} reads), ` +
      `GET /tasks/search p50 ${searchCheck.sequential.p50Ms} ms; ${searchCheck.withResults} of ` +
      `${searchPaths.length} search queries find tasks`,
  );

  // 3. The load.
  const idRandom = seededRandom(SEED + 101);
  const taskPath = () => `/tasks/${seed.taskIds[Math.floor(idRandom() * seed.taskIds.length)]}`;
  const searchRandom = seededRandom(SEED + 202);
  const searchPath = () => searchPaths[Math.floor(searchRandom() * searchPaths.length)]!;
  const measure = async (label: string, rate: number, path: () => string) => {
    const blocks = produceBlocks(stack!.chain.rpcUrl, BLOCK_INTERVAL_MS);
    const warmup = await runFixedRate({ origin: apiOrigin, path, rate, durationSeconds: WARMUP_SECONDS });
    const result = await withCpu(stack!, () =>
      runFixedRate({ origin: apiOrigin, path, rate, durationSeconds: MEASURE_SECONDS }),
    );
    const blocksMined = await blocks.stop();
    log(
      `${label} at ${rate} req/s: p50 ${result.latency.p50Ms} ms, p95 ${result.latency.p95Ms} ms, p99 ` +
        `${result.latency.p99Ms} ms; ${result.achievedRate} req/s answered, ${result.non2xx} non-2xx, ` +
        `${result.errors} errors; CPU ms per request: API ${result.cpu.api.msPerRequest}, graph node ` +
        `${result.cpu.graphNode.msPerRequest}, chain ${result.cpu.chain.msPerRequest}`,
    );
    return {
      ...result,
      warmup: { seconds: WARMUP_SECONDS, non2xx: warmup.non2xx, errors: warmup.errors },
      chainBlocksMined: blocksMined,
    };
  };
  const taskRead = await measure("GET /tasks/{id}", TASK_READ_RATE, taskPath);
  const search = await measure("GET /tasks/search", SEARCH_RATE, searchPath);
  const loadAfterApi = loadavg();
  await stopStack();

  // 4. Attestations and the framework's overhead, on a machine the stack no longer uses.
  const workers = Math.max(1, cpus().length);
  const verifierKey = devPrivateKey(VERIFIER_ACCOUNT_INDEX);
  const attestationOptions = {
    privateKey: verifierKey,
    verifier: privateKeyToAddress(verifierKey),
    domain: moduleDomain("attestation", chainId, deployment.contracts.attestationModule.address),
    warmupMs: 2_000,
    durationMs: 10_000,
  };
  const attestations: AttestationRun = await measureAttestations({ ...attestationOptions, workers });
  const oneThread: AttestationRun = await measureAttestations({ ...attestationOptions, workers: 1 });
  log(
    `attestations: ${attestations.attestationsPerSec}/s on ${workers} threads (${oneThread.attestationsPerSec}/s on one), ` +
      `${attestations.samplesChecked} signatures checked`,
  );
  const overhead: OverheadResult = await measureFrameworkOverhead({
    runDirectory: run.path,
    rounds: 5,
    durationSeconds: 5,
    warmupSeconds: 3,
    connections: 50,
    pipelining: 10,
    log,
  });
  log(
    `hello-world: Hono ${overhead.honoReqPerSec} req/s, node:http ${overhead.nodeHttpReqPerSec} req/s ` +
      `(ratio ${overhead.reqPerSecRatio}); per CPU second Hono ${overhead.honoReqPerCpuSecond}, node:http ` +
      `${overhead.nodeHttpReqPerCpuSecond} (ratio ${overhead.cpuRatio})`,
  );

  const taskReadValid = validRun(taskRead);
  const searchValid = validRun(search);
  const overheadValid = overhead.errors === 0 && overhead.non2xx === 0;
  const results = {
    benchmark: "api",
    generatedAt: new Date().toISOString(),
    taskReadP95Ms: taskRead.latency.p95Ms,
    searchP95Ms: search.latency.p95Ms,
    attestationsPerSec: attestations.attestationsPerSec,
    honoOverheadRatio: overhead.ratio,
    targets: TARGETS,
    meetsTargets: {
      taskReadP95Ms: taskReadValid && taskRead.latency.p95Ms <= TARGETS.taskReadP95Ms,
      searchP95Ms: searchValid && search.latency.p95Ms <= TARGETS.searchP95Ms,
      attestationsPerSec: attestations.attestationsPerSec >= TARGETS.attestationsPerSec,
      honoOverheadRatio: overheadValid && overhead.ratio >= TARGETS.honoOverheadRatio,
      seedSize: seed.tasks >= 1_000,
    },
    valid: { taskRead: taskReadValid, search: searchValid, honoOverhead: overheadValid },
    validity:
      "a latency run is valid with no connection error, no timeout, no non-2xx response, and at least " +
      `${MIN_RATE_SHARE * 100}% of the rate asked for answered in the steady window`,
    seed: {
      tasks: seed.tasks,
      byToken: seed.byToken,
      lifecycle: seed.lifecycle,
      posters: seed.posters,
      executors: seed.executors,
      transactions: seed.transactions,
      blocks: seed.blocks,
      lastBlock: seed.lastBlock,
      path: "POST /tasks on the API, then the prepared transactions signed by dev accounts and mined",
      postMs: seed.postMs,
      sendMs: seed.sendMs,
      indexMs: Math.round(indexMs),
      totalMs: Math.round(performance.now() - seedStarted),
    },
    taskRead: {
      route: "GET /tasks/{id}",
      ids: `uniformly random among the ${seed.tasks} seeded tasks`,
      sequential: sequentialReads,
      ...taskRead,
    },
    search: {
      route: "GET /tasks/search",
      queries: `uniformly random among ${searchPaths.length} varied queries (text, filters, sorts, pages)`,
      queriesWithResults: searchCheck.withResults,
      sequential: searchCheck.sequential,
      exampleQueries: searchPaths.slice(0, 8),
      ...search,
    },
    cpuDefinition:
      "cpu: the CPU time (user + system, all threads, from /proc) each process used during the measured run, as " +
      "cores (CPU seconds per second) and as ms per response of the run; sequential: the route's latency one " +
      "request at a time before the load, over the same ids or query pool",
    loadMethod:
      "autocannon 8 in the benchmark's process, the API in a child process; each rate split over " +
      "10 autocannon instances of 2 connections started 100 ms apart (autocannon sends each second's requests in " +
      "a burst per connection); latency of every response received in the steady window (all phases running), from " +
      "the request's write to the response's last byte",
    attestations: {
      signer: "AttestationSigner (api/src/verification/attestation-signer.ts)",
      verifier: attestationOptions.verifier,
      domain: { ...attestationOptions.domain, chainId: Number(attestationOptions.domain.chainId) },
      ...attestations,
      oneThreadPerSec: oneThread.attestationsPerSec,
      warmupMs: attestationOptions.warmupMs,
    },
    honoOverhead: {
      definition:
        "Hono hello-world req/s ÷ node:http hello-world req/s, each server in its own process, same payload (13 " +
        "bytes, text/plain), loaded by autocannon at maximum throughput in alternating rounds; each figure the median " +
        "of its rounds. The headline ratio compares the servers' capacities, requests per CPU second of the server " +
        "(what each answers with a core to itself), because on this machine the load generator saturates first " +
        "(generatorBound) and measured req/s then drift towards the generator's ceiling; reqPerSecRatio is the ratio " +
        "of measured req/s",
      ...overhead,
      connections: 50,
      pipelining: 10,
      durationSecondsPerRound: 5,
    },
    stack: {
      pids,
      chain:
        "hardhat node (EDR), automine (off while seeding); during each load run (warm-up included) an empty block " +
        (BLOCK_INTERVAL_MS === 0 ? "is never mined: the chain stands still" : `is mined every ${BLOCK_INTERVAL_MS} ms`),
      chainBlockIntervalMs: BLOCK_INTERVAL_MS,
      graphNode: "indexer/node/main.ts in a child process, PGlite in memory",
      api: "api/src/main.ts serve in a child process, PGlite in a fresh directory of the run, rate limit 1,000,000/min (in memory)",
      cpuProfiles:
        CPU_PROFILE === undefined
          ? null
          : { directory: resolve(CPU_PROFILE), apiPid: pids.api, graphNodePid: pids.graphNode },
    },
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      memoryGb: Math.round(totalmem() / 2 ** 30),
      platform: `${platform()} ${release()}`,
      node: process.version,
      loadAverageAtStart: loadAtStart.map(round2),
      loadAverageAfterApiLoad: loadAfterApi.map(round2),
      loadAverageAtEnd: loadavg().map(round2),
    },
    durationMs: Math.round(performance.now() - started),
  };

  const resultsDirectory = new URL("./results/", import.meta.url);
  await mkdir(resultsDirectory, { recursive: true });
  const resultsFile = new URL("api.json", resultsDirectory);
  await writeFile(resultsFile, `${JSON.stringify(results, null, 2)}\n`);

  const row = (label: string, value: string, target: string, met: boolean) =>
    console.log(`  ${label.padEnd(34)} ${value.padStart(10)}   ${target.padEnd(10)} ${met ? "met" : "NOT MET"}`);
  console.log(`\n${seed.tasks} tasks seeded:\n`);
  console.log(`  ${"figure".padEnd(34)} ${"measured".padStart(10)}   target`);
  row(
    `task read p95 at ${TASK_READ_RATE} req/s (ms)`,
    String(results.taskReadP95Ms),
    `≤ ${TARGETS.taskReadP95Ms}`,
    results.meetsTargets.taskReadP95Ms,
  );
  row(
    `search p95 at ${SEARCH_RATE} req/s (ms)`,
    String(results.searchP95Ms),
    `≤ ${TARGETS.searchP95Ms}`,
    results.meetsTargets.searchP95Ms,
  );
  row(
    "attestations per second",
    String(results.attestationsPerSec),
    `≥ ${TARGETS.attestationsPerSec}`,
    results.meetsTargets.attestationsPerSec,
  );
  row(
    "Hono ÷ node:http (capacity)",
    String(results.honoOverheadRatio),
    `≥ ${TARGETS.honoOverheadRatio}`,
    results.meetsTargets.honoOverheadRatio,
  );
  for (const [name, valid] of Object.entries(results.valid)) {
    if (!valid) console.log(`  ${name}: the measurement is not valid (${results.validity}).`);
  }
  for (const [label, run] of [
    ["GET /tasks/{id}", taskRead],
    ["GET /tasks/search", search],
  ] as const) {
    const { api, graphNode, chain, loadGenerator } = run.cpu;
    console.log(
      `  ${label}: CPU ms per request: API ${api.msPerRequest}, graph node ${graphNode.msPerRequest}, chain ` +
        `${chain.msPerRequest}, load generator ${loadGenerator.msPerRequest}; one request at a time p50 ` +
        `${run === taskRead ? sequentialReads.p50Ms : searchCheck.sequential.p50Ms} ms.`,
    );
  }
  console.log(
    `\n  ${results.machine.cpus} CPUs (${results.machine.cpuModel}), load average ` +
      `${results.machine.loadAverageAtStart.join(" ")} at start. Targets are for a ${TARGETS.machine} machine.`,
  );
  console.log(`\nWritten to ${resultsFile.pathname} (${seconds(results.durationMs)}).`);
  failed = false;
} catch (error) {
  // Once interrupted, the steps under way fail as their processes go: that is not worth reporting.
  if (!interrupted) throw error;
} finally {
  await stopStack();
  if (failed && !interrupted) {
    console.error(`\nThe benchmark stopped early; the processes' logs are kept in ${run.path}.`);
  } else {
    run.remove();
  }
}
