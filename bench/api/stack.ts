/**
 * The benchmark's own stack, every part in its own process so that the load generator shares an event loop with none
 * of them: a fresh local chain (`hardhat node`, scripts/local-chain.ts) with the protocol deployed, the local graph node
 * (`indexer/node/main.ts`, PGlite in memory) indexing it, and the API (`api/src/main.ts serve`, PGlite in a fresh
 * directory of the run's own, since a standalone API keeps its data on disk) reading both. Everything listens on 127.0.0.1 and is stopped by its own PID, the API first.
 */
import { join } from "node:path";

import { deployProtocol } from "../../scripts/deploy-protocol.ts";
import { writeDeployment, type Deployment } from "../../scripts/deployment.ts";
import { devPrivateKey, startLocalChain, type LocalChain } from "../../scripts/local-chain.ts";
import { JsonRpc } from "../indexer/rpc.ts";
import { answers, freePort, LOOPBACK, startChildService, type ChildService } from "./processes.ts";

/** The dev account the API's verification service signs with (the role the API tests give account 6). */
export const VERIFIER_ACCOUNT_INDEX = 6;

/** Settings of the environment the stack's processes must not pick up from the benchmark's. */
const FOREIGN_SETTINGS = [
  "DATABASE_URL",
  "API_DATA_DIR",
  "API_HOST",
  "API_PORT",
  "CORS_ORIGINS",
  "IPFS_API_URL",
  "RATE_LIMIT_STORE",
  "GRAPH_NODE_DATA_DIR",
  "GRAPH_NODE_HOST",
  "GRAPH_NODE_PORT",
  "GRAPH_NODE_MANIFEST",
  "SUBGRAPH_NAME",
  "TASKMARKET_DEPLOYMENT",
  "TASKMARKET_RPC_URL",
];

export interface BenchStack {
  chain: LocalChain;
  deployment: Deployment;
  graphNode: ChildService;
  graphqlUrl: string;
  api: ChildService;
  /** `http://127.0.0.1:PORT` of the API. */
  apiOrigin: string;
  stop(): Promise<void>;
}

export interface BenchStackOptions {
  runDirectory: string;
  log: (message: string) => void;
  /** Profile the API and graph node processes with `--cpu-prof` into this directory (written when they stop). */
  cpuProfileDirectory?: string;
}

/** The indexer's head, from `_meta`, or undefined when it does not answer. */
export async function indexedBlock(graphqlUrl: string): Promise<number | undefined> {
  const response = await fetch(graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ _meta { block { number } hasIndexingErrors } }" }),
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await response.json()) as {
    data?: { _meta: { block: { number: number }; hasIndexingErrors: boolean } | null };
  };
  const meta = body.data?._meta;
  if (meta == null) return undefined;
  if (meta.hasIndexingErrors) throw new Error(`The graph node reports indexing errors at block ${meta.block.number}.`);
  return meta.block.number;
}

/** Waits until the graph node has indexed block `number`. */
export async function waitForIndexed(graphqlUrl: string, number: number, timeoutMs = 600_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const head = await indexedBlock(graphqlUrl).catch((error: unknown) => {
      if (error instanceof Error && error.message.includes("indexing errors")) throw error;
      return undefined;
    });
    if (head !== undefined && head >= number) return;
    if (performance.now() > deadline) {
      throw new Error(`The graph node had not indexed block ${number} after ${timeoutMs / 1000} s (head ${head}).`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stops.splice(0).reverse()) await stopOne().catch(() => undefined);
  };
  try {
    const chain = await startLocalChain();
    stops.push(() => chain.stop());
    options.log(`local chain at ${chain.rpcUrl} (pid ${chain.pid})`);
    const deployment = await deployProtocol(chain.rpcUrl);
    const deploymentPath = join(options.runDirectory, "deployment.json");
    writeDeployment(deployment, deploymentPath);
    options.log(`protocol deployed (block ${deployment.deploymentBlock} on)`);

    const profile = options.cpuProfileDirectory;
    const profiling = profile === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", profile];
    const graphPort = await freePort();
    const graphqlUrl = `http://${LOOPBACK}:${graphPort}/subgraphs/name/taskmarket`;
    const graphNode = await startChildService({
      name: "graph node",
      script: "indexer/node/main.ts",
      args: [
        "--deployment",
        deploymentPath,
        "--rpc-url",
        chain.rpcUrl,
        "--memory",
        "--host",
        LOOPBACK,
        "--port",
        String(graphPort),
      ],
      nodeArgs: profiling,
      removeEnv: FOREIGN_SETTINGS,
      logPath: join(options.runDirectory, "graph-node.log"),
      ready: async () => (await indexedBlock(graphqlUrl)) !== undefined,
    });
    stops.push(() => graphNode.stop());
    options.log(`graph node at ${graphqlUrl} (pid ${graphNode.pid})`);

    const apiPort = await freePort();
    const apiOrigin = `http://${LOOPBACK}:${apiPort}`;
    const api = await startChildService({
      name: "API",
      script: "api/src/main.ts",
      args: ["serve"],
      nodeArgs: profiling,
      env: {
        TASKMARKET_DEPLOYMENT: deploymentPath,
        TASKMARKET_RPC_URL: chain.rpcUrl,
        SUBGRAPH_URL: graphqlUrl,
        API_HOST: LOOPBACK,
        API_PORT: String(apiPort),
        API_DATA_DIR: join(options.runDirectory, "api-data"),
        VERIFIER_PRIVATE_KEY: devPrivateKey(VERIFIER_ACCOUNT_INDEX),
        // The load comes from one client address at 200 req/s: the limiter still counts every request (its cost is
        // part of the figures) but must not refuse them.
        RATE_LIMIT_PER_MINUTE: "1000000",
      },
      removeEnv: FOREIGN_SETTINGS,
      logPath: join(options.runDirectory, "api.log"),
      ready: () => answers(`${apiOrigin}/health`),
    });
    stops.push(() => api.stop());
    options.log(`API at ${apiOrigin} (pid ${api.pid})`);

    return { chain, deployment, graphNode, graphqlUrl, api, apiOrigin, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface BlockProducer {
  /** Stops mining; resolves with the number of blocks mined. */
  stop(): Promise<number>;
}

/**
 * Mines an empty block every `intervalMs` (`evm_mine`), as a live chain keeps producing blocks while the API is read:
 * whatever the API keeps per block (the chain's head, what the indexer answered at it) lasts one block, not the whole
 * run. 0 leaves the chain still.
 */
export function produceBlocks(rpcUrl: string, intervalMs: number): BlockProducer {
  if (intervalMs === 0) return { stop: async () => 0 };
  const rpc = new JsonRpc(rpcUrl);
  let mined = 0;
  let failure: unknown;
  let pending: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    pending = rpc.call("evm_mine").then(
      () => mined++,
      (error: unknown) => {
        failure ??= error;
      },
    );
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      if (failure !== undefined) throw new Error("Mining a block during the load failed.", { cause: failure });
      return mined;
    },
  };
}
