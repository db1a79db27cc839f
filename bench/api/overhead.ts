/**
 * The framework's overhead: the same hello-world served by a bare `node:http` handler and by Hono on
 * `@hono/node-server` (bench/api/hello-server.ts), each in its own child process, each loaded by autocannon at
 * maximum throughput with the same connections, pipelining and duration. The servers take turns, the order
 * alternating from one round to the next so that neither always runs first (or on a warmer, or a busier, machine);
 * each server's figures are the medians of its rounds.
 *
 * On two cores the load generator (one thread, costlier per request than either server) saturates before the server
 * does: both servers then answer about as many requests per second as autocannon can send, and the ratio of measured
 * req/s drifts towards 1 whatever the framework costs. So the CPU time each server used during its runs is read from
 * /proc, and each server's capacity is its requests per second of CPU time: what it answers with one core to itself.
 * The headline ratio is the ratio of capacities (where /proc is readable); the ratio of measured req/s is kept beside
 * it. When the servers do saturate, the two agree.
 */
import { join } from "node:path";

import { runThroughput, type ThroughputResult } from "./load.ts";
import { answers, cpuSeconds, freePort, LOOPBACK, startChildService, type ChildService } from "./processes.ts";

export type HelloKind = "node" | "hono";

export interface OverheadOptions {
  runDirectory: string;
  rounds: number;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  pipelining: number;
  log: (message: string) => void;
}

export interface OverheadRound extends ThroughputResult {
  server: HelloKind;
  round: number;
  /** CPU seconds the server process used per second of the run: 1 is one core fully busy. */
  serverCpuCores: number | null;
  /** Requests answered per second of the server's CPU time. */
  requestsPerCpuSecond: number | null;
}

export interface OverheadResult {
  /** Hono ÷ node:http, by `basis`. */
  ratio: number;
  basis: "requests per CPU second of the server" | "requests per second";
  /** Hono's measured req/s ÷ node:http's. */
  reqPerSecRatio: number;
  /** Hono's requests per CPU second ÷ node:http's; null without /proc. */
  cpuRatio: number | null;
  nodeHttpReqPerSec: number;
  honoReqPerSec: number;
  nodeHttpReqPerCpuSecond: number | null;
  honoReqPerCpuSecond: number | null;
  /** Whether a server stayed below 0.9 of a core in the median round: the load generator was the bottleneck. */
  generatorBound: boolean | null;
  rounds: OverheadRound[];
  errors: number;
  non2xx: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const round3 = (value: number) => Math.round(value * 1000) / 1000;

export async function measureFrameworkOverhead(options: OverheadOptions): Promise<OverheadResult> {
  const servers = new Map<HelloKind, { service: ChildService; origin: string }>();
  try {
    for (const kind of ["node", "hono"] as const) {
      const port = await freePort();
      const origin = `http://${LOOPBACK}:${port}`;
      const service = await startChildService({
        name: `${kind} hello-world server`,
        script: "bench/api/hello-server.ts",
        args: [kind, String(port)],
        logPath: join(options.runDirectory, `hello-${kind}.log`),
        ready: () => answers(`${origin}/`),
        readyTimeoutMs: 30_000,
      });
      servers.set(kind, { service, origin });
    }
    const load = (kind: HelloKind, durationSeconds: number) =>
      runThroughput({
        origin: servers.get(kind)!.origin,
        connections: options.connections,
        pipelining: options.pipelining,
        durationSeconds,
      });

    // Warm both up (JIT, connection pools) before anything is counted.
    for (const kind of ["node", "hono"] as const) await load(kind, options.warmupSeconds);

    const rounds: OverheadRound[] = [];
    for (let round = 0; round < options.rounds; round++) {
      const order: HelloKind[] = round % 2 === 0 ? ["node", "hono"] : ["hono", "node"];
      for (const kind of order) {
        const pid = servers.get(kind)!.service.pid;
        const cpuBefore = cpuSeconds(pid);
        const started = performance.now();
        const result = await load(kind, options.durationSeconds);
        const elapsedSeconds = (performance.now() - started) / 1000;
        const cpuAfter = cpuSeconds(pid);
        const cpu = cpuBefore === undefined || cpuAfter === undefined ? null : cpuAfter - cpuBefore;
        rounds.push({
          server: kind,
          round: round + 1,
          ...result,
          serverCpuCores: cpu === null ? null : Math.round((cpu / elapsedSeconds) * 100) / 100,
          requestsPerCpuSecond: cpu === null || cpu === 0 ? null : Math.round(result.responses / cpu),
        });
        options.log(
          `${kind === "node" ? "node:http" : "Hono"} round ${round + 1}: ${result.requestsPerSec} req/s` +
            (cpu === null
              ? ""
              : `, server CPU ${(cpu / elapsedSeconds).toFixed(2)} cores, ` +
                `${Math.round(result.responses / cpu)} requests per CPU second`),
        );
      }
    }

    const of = (kind: HelloKind) => rounds.filter((round) => round.server === kind);
    const medianOf = (kind: HelloKind, pick: (round: OverheadRound) => number | null): number | null => {
      const values = of(kind).map(pick);
      return values.every((value) => value !== null) ? median(values as number[]) : null;
    };
    const nodeHttpReqPerSec = Math.round(medianOf("node", (round) => round.requestsPerSec)!);
    const honoReqPerSec = Math.round(medianOf("hono", (round) => round.requestsPerSec)!);
    const nodeCapacity = medianOf("node", (round) => round.requestsPerCpuSecond);
    const honoCapacity = medianOf("hono", (round) => round.requestsPerCpuSecond);
    const nodeCores = medianOf("node", (round) => round.serverCpuCores);
    const honoCores = medianOf("hono", (round) => round.serverCpuCores);
    const reqPerSecRatio = round3(honoReqPerSec / nodeHttpReqPerSec);
    const cpuRatio = nodeCapacity === null || honoCapacity === null ? null : round3(honoCapacity / nodeCapacity);
    return {
      ratio: cpuRatio ?? reqPerSecRatio,
      basis: cpuRatio === null ? "requests per second" : "requests per CPU second of the server",
      reqPerSecRatio,
      cpuRatio,
      nodeHttpReqPerSec,
      honoReqPerSec,
      nodeHttpReqPerCpuSecond: nodeCapacity === null ? null : Math.round(nodeCapacity),
      honoReqPerCpuSecond: honoCapacity === null ? null : Math.round(honoCapacity),
      generatorBound: nodeCores === null || honoCores === null ? null : Math.min(nodeCores, honoCores) < 0.9,
      rounds,
      errors: rounds.reduce((sum, round) => sum + round.errors, 0),
      non2xx: rounds.reduce((sum, round) => sum + round.non2xx, 0),
    };
  } finally {
    for (const { service } of servers.values()) await service.stop();
  }
}
