/**
 * Load generation with autocannon, in the benchmark's process: fixed-rate runs for latency (every response timed, p95
 * computed from the individual times) and maximum-throughput runs for req/s.
 *
 * autocannon paces a fixed rate per connection and per wall-clock second: each connection sends its share of the
 * second's requests one after the other from the start of the second, then waits for the next one. One instance at
 * 200 req/s therefore sends its 200 requests in a burst at the top of every second, and what it measures is mostly
 * how long the burst takes to drain, not the latency at 200 req/s. So a fixed rate is split over `phases` instances
 * started `1 / phases` s apart, each at `rate / phases` req/s: the bursts become `phases` small ones spread over the
 * second. The latency figures come only from responses received in the steady window, once every phase is running
 * and before any has stopped.
 */
import autocannon, { type AutocannonResult } from "autocannon";

import { distribution, type Distribution } from "../indexer/measure.ts";

export interface FixedRateOptions {
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** The path of the `index`-th request (query string included): varied ids and queries. */
  path: (index: number) => string;
  /** Requests per second, all phases together. */
  rate: number;
  /** The steady window measured, in seconds. */
  durationSeconds: number;
  /** autocannon instances started 1/phases s apart; `rate` must be a multiple. Default 10. */
  phases?: number;
  connectionsPerPhase?: number;
  /** Seconds before a request counts as timed out. Default 10. */
  timeoutSeconds?: number;
}

export interface FixedRateResult {
  targetRate: number;
  /** Responses received in the steady window per second. */
  achievedRate: number;
  durationSeconds: number;
  phases: number;
  connections: number;
  /** Responses received in the steady window. */
  responses: number;
  /** Responses received over the whole run, ramp and tail included. */
  totalResponses: number;
  /** Responses in the steady window by HTTP status. */
  statusCodes: Record<string, number>;
  non2xx: number;
  /** Connection errors and timeouts over the whole run. */
  errors: number;
  timeouts: number;
  /** Every response of the steady window, 2xx or not, timed from the request's write to the response's last byte. */
  latency: Distribution;
  /** autocannon's own summary over the whole run, corrected for coordinated omission. */
  autocannonLatency: { p50Ms: number; p97_5Ms: number; p99Ms: number; maxMs: number };
}

/** Sends `rate` requests per second for the steady window and times every response. */
export async function runFixedRate(options: FixedRateOptions): Promise<FixedRateResult> {
  const phases = options.phases ?? 10;
  const connectionsPerPhase = options.connectionsPerPhase ?? 2;
  if (!Number.isInteger(options.rate / phases) || options.rate / phases < connectionsPerPhase) {
    throw new Error(`A rate of ${options.rate} req/s cannot be split into ${phases} phases of ${connectionsPerPhase}.`);
  }
  const phaseGapMs = 1000 / phases;
  // The last phase starts (phases - 1) gaps after the first; one more second lets its first burst pass.
  const rampMs = (phases - 1) * phaseGapMs + 1000;
  const runSeconds = (rampMs + options.durationSeconds * 1000 + 500) / 1000;

  let requestIndex = 0;
  const started = performance.now();
  const windowStart = started + rampMs;
  const windowEnd = windowStart + options.durationSeconds * 1000;
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  let totalResponses = 0;

  const runs: Promise<AutocannonResult>[] = [];
  for (let phase = 0; phase < phases; phase++) {
    const delay = started + phase * phaseGapMs - performance.now();
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const instance = autocannon({
      url: options.origin,
      connections: connectionsPerPhase,
      pipelining: 1,
      overallRate: options.rate / phases,
      duration: runSeconds - (phase * phaseGapMs) / 1000,
      timeout: options.timeoutSeconds ?? 10,
      requests: [{ method: "GET", setupRequest: (request) => ({ ...request, path: options.path(requestIndex++) }) }],
    });
    instance.on("response", (_client, statusCode, _bytes, ms) => {
      totalResponses++;
      const now = performance.now();
      if (now < windowStart || now > windowEnd) return;
      latencies.push(ms);
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
    });
    instance.on("reqError", () => {
      errors++;
    });
    runs.push(Promise.resolve(instance));
  }
  const results = await Promise.all(runs);

  const responses = latencies.length;
  if (responses === 0) throw new Error(`No response from ${options.origin} in the steady window.`);
  const non2xx = Object.entries(statusCodes)
    .filter(([code]) => !code.startsWith("2"))
    .reduce((sum, [, count]) => sum + count, 0);
  const worst = (pick: (result: AutocannonResult) => number) => Math.max(...results.map(pick));
  return {
    targetRate: options.rate,
    achievedRate: Math.round((responses / options.durationSeconds) * 10) / 10,
    durationSeconds: options.durationSeconds,
    phases,
    connections: phases * connectionsPerPhase,
    responses,
    totalResponses,
    statusCodes,
    non2xx,
    errors,
    timeouts: results.reduce((sum, result) => sum + result.timeouts, 0),
    latency: distribution(latencies),
    // Per phase, so the worst phase stands for the run: the histograms cannot be merged after the fact.
    autocannonLatency: {
      p50Ms: worst((result) => result.latency.p50),
      p97_5Ms: worst((result) => result.latency.p97_5),
      p99Ms: worst((result) => result.latency.p99),
      maxMs: worst((result) => result.latency.max),
    },
  };
}

export interface ThroughputOptions {
  origin: string;
  connections: number;
  pipelining: number;
  durationSeconds: number;
}

export interface ThroughputResult {
  requestsPerSec: number;
  responses: number;
  non2xx: number;
  errors: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

/** As many GET / as the server answers: the mean of autocannon's per-second counts. */
export async function runThroughput(options: ThroughputOptions): Promise<ThroughputResult> {
  const result = await autocannon({
    url: options.origin,
    connections: options.connections,
    pipelining: options.pipelining,
    duration: options.durationSeconds,
  });
  return {
    requestsPerSec: Math.round(result.requests.average),
    responses: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
  };
}
