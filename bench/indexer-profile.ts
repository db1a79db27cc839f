/**
 * `npx hardhat run --no-compile bench/indexer-profile.ts`: where the graph node's backfill time goes, measured
 * independently of the machine's load. It builds the benchmark's chain once (the same traffic as bench/indexer.ts,
 * without Ponder), then backfills it several times, each time into a fresh PGlite directory, and reports per run the
 * wall time and the CPU time of the node's main thread, of its other threads (the PGlite worker, V8's helpers) and of
 * the chain process, per event. CPU time is what the backfill costs; on a shared machine wall time also measures the
 * neighbours.
 *
 * With TASKMARKET_PROFILE_CPU=1 the main thread of the last run is sampled with V8's profiler and the functions with
 * the most self time are listed (the full profile is written to the temporary directory, for Chrome's DevTools).
 *
 * Environment: TASKMARKET_BENCH_EVENTS (default 20,000), TASKMARKET_PROFILE_RUNS (default 3).
 */
import { readFileSync, readdirSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";

import hre from "hardhat";
import type { Abi } from "viem";

import { deployProtocol } from "../scripts/deploy-protocol.js";
import { PROTOCOL_CONTRACTS, PROTOCOL_CONTRACT_KEYS } from "../scripts/deployment.js";
import { startLocalChain } from "../scripts/local-chain.js";
import { countEvents } from "./indexer/events.js";
import { dataSourceNames, ensureSubgraphBuilt, startNode } from "./indexer/graph-node.js";
import { PONDER_FINALITY_BLOCKS } from "./indexer/ponder-peer.js";
import { hex, JsonRpc } from "./indexer/rpc.js";
import { generateTraffic } from "./indexer/traffic.js";

function positiveInteger(variable: string, fallback: number): number {
  const value = process.env[variable];
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0)
    throw new Error(`${variable} must be a positive integer, got "${value}".`);
  return parsed;
}

const TARGET_EVENTS = positiveInteger("TASKMARKET_BENCH_EVENTS", 20_000);
const RUNS = positiveInteger("TASKMARKET_PROFILE_RUNS", 3);
const PROFILE_CPU = process.env.TASKMARKET_PROFILE_CPU === "1";
/** Clock ticks per second of /proc's CPU times: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

const log = (message: string) => console.log(`  ${message}`);

/** CPU milliseconds (user + system) of one process or thread, from its /proc stat line. */
function cpuMsOf(statPath: string): number {
  const stat = readFileSync(statPath, "utf8");
  // The command name may hold spaces: the fields that follow it start after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** This process's CPU time: its main thread, and every other thread together. */
function ownCpu(): { main: number; others: number } {
  let others = 0;
  for (const task of readdirSync("/proc/self/task")) {
    if (task === String(process.pid)) continue;
    try {
      others += cpuMsOf(`/proc/self/task/${task}/stat`);
    } catch {
      // A thread that ended between the listing and the read.
    }
  }
  return { main: cpuMsOf(`/proc/self/task/${process.pid}/stat`), others };
}

/** CPU milliseconds of a process and all its threads. */
const processCpu = (pid: number) => cpuMsOf(`/proc/${pid}/stat`);

async function abiOf(name: string): Promise<Abi> {
  return (await hre.artifacts.readArtifact(name)).abi as Abi;
}

const manifest = ensureSubgraphBuilt(log);
const dataSources = dataSourceNames(manifest);
const chain = await startLocalChain();
try {
  const rpc = new JsonRpc(chain.rpcUrl);
  const deployment = await deployProtocol(chain.rpcUrl);
  const keyOf = new Map(PROTOCOL_CONTRACT_KEYS.map((key) => [PROTOCOL_CONTRACTS[key] as string, key]));
  const indexed = await Promise.all(
    dataSources.map(async (name) => {
      const contract = deployment.contracts[keyOf.get(name)!];
      return { name, address: contract.address, abi: await abiOf(name) };
    }),
  );
  const traffic = await generateTraffic({
    rpcUrl: chain.rpcUrl,
    deployment,
    abis: {
      taskMarket: await abiOf("TaskMarket"),
      executorRegistry: await abiOf("ExecutorRegistry"),
      attestationModule: await abiOf("AttestationModule"),
      optimisticModule: await abiOf("OptimisticModule"),
      token: await abiOf("test/solidity/mocks/MockERC20.sol:MockERC20"),
    },
    targetEvents: TARGET_EVENTS,
    indexedAddresses: indexed.map((contract) => contract.address),
    log,
  });
  // Empty blocks after the last event, as bench/indexer.ts mines them for Ponder: the backfill reads up to the head.
  await rpc.call("hardhat_mine", [hex(2 * PONDER_FINALITY_BLOCKS)]);
  const headBlock = await rpc.blockNumber();
  const events = await countEvents(rpc, indexed, deployment.deploymentBlock, headBlock);
  log(
    `${events.total} events in ${events.blocksWithEvents} blocks (${traffic.transactions} transactions), head ${headBlock}`,
  );

  const runs = [];
  for (let run = 1; run <= RUNS; run++) {
    const profile = PROFILE_CPU && run === RUNS ? new Session() : undefined;
    if (profile) {
      profile.connect();
      await profile.post("Profiler.enable");
      await profile.post("Profiler.setSamplingInterval", { interval: 200 });
      await profile.post("Profiler.start");
    }
    const load = loadavg()[0]!;
    const node = await startNode({ manifest, deployment, rpcUrl: chain.rpcUrl, log });
    try {
      const cpuBefore = ownCpu();
      const chainBefore = processCpu(chain.pid);
      const started = performance.now();
      await node.node.waitForBlock(headBlock, 30 * 60_000);
      const wallMs = performance.now() - started;
      const cpuAfter = ownCpu();
      const chainMs = processCpu(chain.pid) - chainBefore;
      const status = node.node.status();
      if (status.failed) throw new Error(`The graph node failed while backfilling: ${JSON.stringify(status)}`);
      const figures = {
        run,
        loadAverage1m: Math.round(load * 100) / 100,
        wallMs: Math.round(wallMs),
        eventsPerSec: Math.round(events.total / (wallMs / 1000)),
        mainThreadCpuMs: Math.round(cpuAfter.main - cpuBefore.main),
        otherThreadsCpuMs: Math.round(cpuAfter.others - cpuBefore.others),
        chainCpuMs: Math.round(chainMs),
      };
      const perEvent = (ms: number) => `${((ms * 1000) / events.total).toFixed(0)} µs/event`;
      log(
        `run ${run}: ${figures.wallMs} ms wall (${figures.eventsPerSec} events/s, load ${figures.loadAverage1m}); ` +
          `CPU: main thread ${perEvent(figures.mainThreadCpuMs)}, other threads ${perEvent(figures.otherThreadsCpuMs)}, ` +
          `chain ${perEvent(figures.chainCpuMs)}`,
      );
      runs.push(figures);
    } finally {
      await node.stop();
    }
    if (profile) {
      const { profile: cpuProfile } = await profile.post("Profiler.stop");
      profile.disconnect();
      const file = join(tmpdir(), `taskmarket-indexer-backfill-${process.pid}.cpuprofile`);
      await writeFile(file, JSON.stringify(cpuProfile));
      printTopFunctions(cpuProfile, 40);
      log(`profile written to ${file}`);
    }
  }
  const directory = new URL("./results/", import.meta.url);
  await mkdir(directory, { recursive: true });
  await writeFile(
    new URL("indexer-profile.json", directory),
    `${JSON.stringify({ events: events.total, blocksWithEvents: events.blocksWithEvents, runs }, null, 2)}\n`,
  );
} finally {
  await chain.stop();
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** The functions with the most samples of their own, as a share of all samples. */
function printTopFunctions(profile: { nodes: ProfileNode[] }, count: number): void {
  const selfHits = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url === "" ? "" : ` ${url.replace(/^.*\/(indexer|node_modules)\//, "$1/")}:${lineNumber + 1}`;
    const key = `${functionName || "(anonymous)"}${where}`;
    selfHits.set(key, (selfHits.get(key) ?? 0) + hits);
  }
  const top = [...selfHits].sort((a, b) => b[1] - a[1]).slice(0, count);
  for (const [name, hits] of top) log(`${((100 * hits) / total).toFixed(1).padStart(5)}%  ${name}`);
}
