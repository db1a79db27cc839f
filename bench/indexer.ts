/**
 * `npm run bench:indexer`: the indexer benchmark, with Ponder as a peer on the same chain data in the same run.
 *
 * 1. A fresh local chain (`hardhat node`) with the whole protocol deployed; the traffic generator
 *    (bench/indexer/traffic.ts) drives lifecycle traffic until the indexed contracts (the subgraph's data sources) have
 *    emitted the target number of events, then mines empty blocks so that every event is final for Ponder (see
 *    ponder-peer.ts). The events are counted with `eth_getLogs` over the data sources' addresses: that count is the
 *    denominator of both backfills. The bare JSON-RPC reads of those events are timed too: the chain's read floor.
 * 2. Ponder 0.16.10 (bench/indexer/ponder, PGlite) backfills the chain: events / its backfill time.
 * 3. Our graph node (indexer/node, PGlite in a fresh directory) backfills the same chain: events / the time from its
 *    start to its pointer reaching the head. Then, with one block mined every 500 ms, each holding a `createTask`:
 *    block mined → the task visible through GraphQL. Then a task by id, and a filtered, ordered page of 100 tasks with
 *    nested fields, each timed request after request.
 *
 * Writes bench/results/indexer.json and prints the figures beside their targets. It never fails on a figure, only when
 * a step cannot run. Environment overrides, for quicker runs while developing: TASKMARKET_BENCH_EVENTS (target event
 * count, default 20,000), TASKMARKET_BENCH_HEAD_BLOCKS (default 120), TASKMARKET_BENCH_QUERIES (default 1,000).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg, platform, release, totalmem } from "node:os";

import hre from "hardhat";
import type { Abi, Address } from "viem";

import { deployProtocol } from "../scripts/deploy-protocol.js";
import { PROTOCOL_CONTRACTS, PROTOCOL_CONTRACT_KEYS, type ProtocolContractName } from "../scripts/deployment.js";
import { startLocalChain } from "../scripts/local-chain.js";
import { countEvents, measureChainRead, type IndexedContract } from "./indexer/events.js";
import { dataSourceNames, ensureSubgraphBuilt, startNode, type StartedNode } from "./indexer/graph-node.js";
import { measureHeadLatency, measureQueries, type HeadLatency, type QueryLatency } from "./indexer/measure.js";
import { ensurePonderInstalled, PONDER_FINALITY_BLOCKS, runPonder, type PonderRun } from "./indexer/ponder-peer.js";
import { hex, JsonRpc } from "./indexer/rpc.js";
import { generateTraffic } from "./indexer/traffic.js";

const TARGETS = {
  backfillEventsPerSec: 5_000,
  headLatencyP95Ms: 250,
  queryByIdP95Ms: 10,
  queryListP95Ms: 30,
  machine: "2-core",
};

function positiveInteger(variable: string, fallback: number): number {
  const value = process.env[variable];
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0)
    throw new Error(`${variable} must be a positive integer, got "${value}".`);
  return parsed;
}

const TARGET_EVENTS = positiveInteger("TASKMARKET_BENCH_EVENTS", 20_000);
const HEAD_BLOCKS = positiveInteger("TASKMARKET_BENCH_HEAD_BLOCKS", 120);
const QUERY_REQUESTS = positiveInteger("TASKMARKET_BENCH_QUERIES", 1_000);
const HEAD_INTERVAL_MS = 500;

const log = (message: string) => console.log(`  ${message}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function abiOf(name: string): Promise<Abi> {
  return (await hre.artifacts.readArtifact(name)).abi as Abi;
}

const loadAtStart = loadavg();
const started = performance.now();
console.log("Indexer benchmark\n");

const manifest = ensureSubgraphBuilt(log);
const dataSources = dataSourceNames(manifest);
const protocolNames = new Set<string>(Object.values(PROTOCOL_CONTRACTS));
const unknown = dataSources.filter((name) => !protocolNames.has(name));
if (unknown.length > 0)
  throw new Error(`The manifest indexes contracts the deployment does not know: ${unknown.join(", ")}.`);
ensurePonderInstalled(log);

const chain = await startLocalChain();
let ourNode: StartedNode | undefined;
try {
  log(`local chain at ${chain.rpcUrl} (pid ${chain.pid})`);
  const rpc = new JsonRpc(chain.rpcUrl);
  const deployment = await deployProtocol(chain.rpcUrl);
  log(`protocol deployed (blocks ${deployment.deploymentBlock}–${await rpc.blockNumber()})`);

  const keyOf = new Map(PROTOCOL_CONTRACT_KEYS.map((key) => [PROTOCOL_CONTRACTS[key] as string, key]));
  const indexed: (IndexedContract & { startBlock: number })[] = await Promise.all(
    dataSources.map(async (name) => {
      const contract = deployment.contracts[keyOf.get(name)!];
      return { name, address: contract.address, startBlock: contract.blockNumber, abi: await abiOf(name) };
    }),
  );

  // 1. Traffic.
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
  // Empty blocks past Ponder's finality distance, so that it backfills every event instead of indexing the last
  // ones live.
  await rpc.call("hardhat_mine", [hex(2 * PONDER_FINALITY_BLOCKS)]);
  const headBlock = await rpc.blockNumber();
  const events = await countEvents(rpc, indexed, deployment.deploymentBlock, headBlock);
  const lastEventBlock = traffic.lastBlock;
  log(
    `traffic: ${events.total} events of the indexed contracts in ${events.blocksWithEvents} blocks ` +
      `(${traffic.transactions} transactions, ${traffic.tasks} tasks) in ${seconds(traffic.durationMs)}; head ${headBlock}`,
  );
  if (events.total < TARGET_EVENTS)
    throw new Error(`Only ${events.total} events were emitted, fewer than ${TARGET_EVENTS}.`);
  // Both backfills read this chain over JSON-RPC: how long the bare reads take is their common floor. Reading once
  // here also leaves the node in the same state for both.
  const chainRead = await measureChainRead(
    rpc,
    indexed.map((contract) => contract.address),
    deployment.deploymentBlock,
    headBlock,
  );
  log(`chain read floor: ${seconds(chainRead.ms)} for ${chainRead.logsRead} logs and ${chainRead.blocksRead} blocks`);

  // 2. Ponder.
  const ponder: PonderRun = await runPonder({
    chainId: chain.chainId,
    rpcUrl: chain.rpcUrl,
    contracts: indexed.map(({ name, address, startBlock, abi }) => ({ name, address, startBlock, abi })),
    targetBlock: lastEventBlock,
    log,
  });
  if (ponder.eventsIndexed !== events.total) {
    throw new Error(`Ponder reports ${ponder.eventsIndexed} events indexed, the chain holds ${events.total}.`);
  }
  const ponderEventsPerSec = events.total / (ponder.backfillMs / 1000);
  log(
    `ponder: backfill ${seconds(ponder.backfillMs)} (${Math.round(ponderEventsPerSec)} events/s), wall ${seconds(ponder.wallMs)}`,
  );

  // 3. Our node: backfill.
  const nodeStarting = performance.now();
  ourNode = await startNode({ manifest, deployment, rpcUrl: chain.rpcUrl, log });
  const nodeStarted = performance.now();
  await ourNode.node.waitForBlock(headBlock, 30 * 60_000);
  const caughtUp = performance.now();
  const status = ourNode.node.status();
  if (status.failed) throw new Error(`The graph node failed while backfilling: ${JSON.stringify(status)}`);
  const backfillMs = caughtUp - nodeStarted;
  const backfillEventsPerSec = events.total / (backfillMs / 1000);
  log(
    `graph node: backfill ${seconds(backfillMs)} (${Math.round(backfillEventsPerSec)} events/s), wall ${seconds(caughtUp - nodeStarting)}`,
  );

  // Head latency, then query latency.
  const [sender] = (await rpc.call<Address[]>("eth_accounts")).slice(2);
  if (sender === undefined) throw new Error("The chain has no unlocked dev account to send the head-latency tasks.");
  const headLatency: HeadLatency = await measureHeadLatency({
    rpc,
    graphqlUrl: ourNode.node.graphqlUrl,
    taskMarket: deployment.contracts.taskMarket.address,
    taskMarketAbi: await abiOf("TaskMarket"),
    sender,
    blocks: HEAD_BLOCKS,
    intervalMs: HEAD_INTERVAL_MS,
  });
  log(`head latency over ${headLatency.count} blocks: p50 ${headLatency.p50Ms} ms, p95 ${headLatency.p95Ms} ms`);
  const taskIds = Array.from({ length: traffic.tasks }, (_, index) => BigInt(index + 1));
  const queries: QueryLatency = await measureQueries(ourNode.node.graphqlUrl, taskIds, QUERY_REQUESTS);
  log(`queries: by id p95 ${queries.byId.p95Ms} ms, list of 100 p95 ${queries.list.p95Ms} ms`);

  const results = {
    benchmark: "indexer",
    generatedAt: new Date().toISOString(),
    backfillEventsPerSec: Math.round(backfillEventsPerSec),
    headLatencyP95Ms: headLatency.p95Ms,
    queryByIdP95Ms: queries.byId.p95Ms,
    queryListP95Ms: queries.list.p95Ms,
    ponderBackfillEventsPerSec: Math.round(ponderEventsPerSec),
    targets: { ...TARGETS, backfillVersusPonder: "faster than Ponder on the same chain data" },
    meetsTargets: {
      backfillEventsPerSec: backfillEventsPerSec >= TARGETS.backfillEventsPerSec,
      backfillFasterThanPonder: backfillEventsPerSec > ponderEventsPerSec,
      headLatencyP95Ms: headLatency.p95Ms <= TARGETS.headLatencyP95Ms,
      queryByIdP95Ms: queries.byId.p95Ms <= TARGETS.queryByIdP95Ms,
      queryListP95Ms: queries.list.p95Ms <= TARGETS.queryListP95Ms,
    },
    events: {
      total: events.total,
      blocksWithEvents: events.blocksWithEvents,
      fromBlock: events.fromBlock,
      toBlock: events.toBlock,
      lastEventBlock,
      byEvent: events.byEvent,
      indexedContracts: indexed.map(({ name, address, startBlock }) => ({ name, address, startBlock })),
    },
    chainReadFloor: {
      ...chainRead,
      ms: Math.round(chainRead.ms),
      definition:
        "eth_getLogs over the indexed contracts, then eth_getBlockByNumber with transactions for each block holding " +
        "a log, 4 at a time: the JSON-RPC reads any backfill of these events needs, without indexing anything",
    },
    traffic: {
      transactions: traffic.transactions,
      blocksMined: traffic.blocks,
      tasks: traffic.tasks,
      waves: traffic.waves,
      paths: traffic.paths,
      accounts: traffic.accounts,
      durationMs: Math.round(traffic.durationMs),
    },
    ourNode: {
      database: "PGlite (fresh temporary directory)",
      backfillMs: Math.round(backfillMs),
      backfillDefinition: "from startGraphNode() returning (indexing started) to the node's pointer at the head block",
      startupMs: Math.round(nodeStarted - nodeStarting),
      wallMs: Math.round(caughtUp - nodeStarting),
      wallEventsPerSec: Math.round(events.total / ((caughtUp - nodeStarting) / 1000)),
      headLatency,
      headLatencyDefinition:
        "one createTask per block, a block mined every 500 ms with evm_mine; from evm_mine returning to the first " +
        "GraphQL answer holding the task, polling every 5 ms",
      queries: {
        byId: queries.byId,
        list: queries.list,
        requestsEach: QUERY_REQUESTS,
        warmupRequestsEach: queries.warmupRequests,
        sequential: true,
      },
    },
    ponder: {
      version: ponder.version,
      database: "PGlite (fresh temporary directory)",
      backfillMs: ponder.backfillMs,
      backfillDefinition:
        'from Ponder\'s "Started fetching backfill JSON-RPC data" log line to its "Started returning 200 responses" ' +
        "for /ready (the historical sync, the indexing and the creation of indexes), by the log's timestamps",
      wallMs: ponder.wallMs,
      wallEventsPerSec: Math.round(events.total / (ponder.wallMs / 1000)),
      eventsIndexed: ponder.eventsIndexed,
      phasesMsFromSpawn: ponder.phases,
    },
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? "unknown",
      memoryGb: Math.round(totalmem() / 2 ** 30),
      platform: `${platform()} ${release()}`,
      node: process.version,
      chain: "hardhat node (EDR), automine off while generating traffic",
      loadAverageAtStart: loadAtStart.map((value) => Math.round(value * 100) / 100),
      loadAverageAtEnd: loadavg().map((value) => Math.round(value * 100) / 100),
    },
    durationMs: Math.round(performance.now() - started),
  };

  const resultsDirectory = new URL("./results/", import.meta.url);
  await mkdir(resultsDirectory, { recursive: true });
  const resultsFile = new URL("indexer.json", resultsDirectory);
  await writeFile(resultsFile, `${JSON.stringify(results, null, 2)}\n`);

  const row = (label: string, value: string, target: string, met: boolean | undefined) =>
    console.log(
      `  ${label.padEnd(30)} ${value.padStart(14)}   ${target.padEnd(22)} ${met === undefined ? "" : met ? "met" : "NOT MET"}`,
    );
  console.log(`\n${events.total} events, ${traffic.tasks} tasks, ${events.blocksWithEvents} blocks with events:\n`);
  console.log(`  ${"figure".padEnd(30)} ${"measured".padStart(14)}   target`);
  row(
    "backfill (events/s)",
    String(results.backfillEventsPerSec),
    `≥ ${TARGETS.backfillEventsPerSec}, > Ponder`,
    results.meetsTargets.backfillEventsPerSec && results.meetsTargets.backfillFasterThanPonder,
  );
  row("Ponder backfill (events/s)", String(results.ponderBackfillEventsPerSec), `Ponder ${ponder.version}`, undefined);
  row(
    "head latency p95 (ms)",
    String(results.headLatencyP95Ms),
    `≤ ${TARGETS.headLatencyP95Ms}`,
    results.meetsTargets.headLatencyP95Ms,
  );
  row(
    "task by id p95 (ms)",
    String(results.queryByIdP95Ms),
    `≤ ${TARGETS.queryByIdP95Ms}`,
    results.meetsTargets.queryByIdP95Ms,
  );
  row(
    "list of 100 p95 (ms)",
    String(results.queryListP95Ms),
    `≤ ${TARGETS.queryListP95Ms}`,
    results.meetsTargets.queryListP95Ms,
  );
  console.log(
    `\n  ${results.machine.cpus} CPUs (${results.machine.cpuModel}), load average ${results.machine.loadAverageAtStart.join(" ")} at start. ` +
      `Targets are for a ${TARGETS.machine} machine.`,
  );
  console.log(`\nWritten to ${resultsFile.pathname} (${seconds(results.durationMs)}).`);
} finally {
  await ourNode?.stop();
  await chain.stop();
}
