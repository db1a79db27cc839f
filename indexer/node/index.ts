// The embedded local graph node: loads a built subgraph, indexes it from a JSON-RPC chain into PGlite or PostgreSQL
// and serves it over GraphQL in The Graph's dialect. `startGraphNode` wires the parts together; `main.ts` is the
// command line around it.
import { createHash } from "node:crypto";
import { isIP } from "node:net";

import { contractsByName, type Deployment } from "../../scripts/deployment.ts";
import { ChainSource } from "./chain/source.ts";
import { QueryEngine } from "./graphql/index.ts";
import { Indexer, type IndexerState } from "./indexer.ts";
import { MappingRuntime } from "./runtime/index.ts";
import { startServer } from "./server.ts";
import { openDatabase, type Database } from "./store/database.ts";
import { EntityStore } from "./store/entity-store.ts";
import { schemaName } from "./store/layout.ts";
import { loadSubgraph, type DataSourceOverride, type Subgraph } from "./subgraph.ts";

export const DEFAULT_SUBGRAPH_NAME = "taskmarket";

export interface GraphNodeOptions {
  /** The built manifest: `indexer/build/subgraph.yaml`. */
  manifest: string;
  /** Fills in each data source's address and start block, by contract name. */
  deployment?: Deployment;
  /** Per data source name, applied over what the deployment says: for subgraphs other than the protocol's. */
  overrides?: Record<string, DataSourceOverride>;
  rpcUrl: string;
  subgraphName?: string;
  /**
   * PostgreSQL with `url`; otherwise PGlite, in `dataDir` or in memory. Or a database already being opened (by
   * {@link openDatabase}): `npm start` opens it while the contracts compile, since PGlite takes seconds to set up. The
   * node owns it either way, and closes it when it stops.
   */
  database?: { url?: string; dataDir?: string } | { opening: Promise<Database> };
  /** Drop what the database holds for this subgraph name before starting. */
  reset?: boolean;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  pollIntervalMs?: number;
  logger?: (level: "info" | "warning" | "error", message: string) => void;
}

export interface GraphNodeStatus {
  subgraph: string;
  deployment: string;
  state: IndexerState;
  pointer: { number: number; hash: string } | null;
  failed: boolean;
  failure: { block: number; message: string } | null;
  fatalError: string | null;
}

export interface GraphNode {
  url: string;
  graphqlUrl: string;
  subgraph: Subgraph;
  deploymentId: string;
  status(): GraphNodeStatus;
  waitForBlock(number: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startGraphNode(options: GraphNodeOptions): Promise<GraphNode> {
  const log = options.logger ?? ((level, message) => console.error(`[graph-node] ${level}: ${message}`));
  const subgraphName = options.subgraphName ?? DEFAULT_SUBGRAPH_NAME;
  const subgraph = loadSubgraph(options.manifest, {
    ...(options.deployment ? overridesFrom(options.deployment) : {}),
    ...options.overrides,
  });
  const deploymentId = deploymentIdOf(subgraph);
  const runtime = await MappingRuntime.load(subgraph.dataSources, {
    logger: (level, message, context) =>
      log(
        level === "critical" || level === "error" ? "error" : level === "warning" ? "warning" : "info",
        `${context.dataSource}${context.handler ? `.${context.handler}` : ""}${context.block !== undefined ? ` @${context.block}` : ""}: ${message}`,
      ),
  });

  const database = options.database ?? {};
  const db = await ("opening" in database ? database.opening : openDatabase(database));
  const stopAll: (() => Promise<void>)[] = [() => db.close()];
  const cleanUp = async () => {
    for (const stop of stopAll.reverse()) await stop().catch(() => undefined);
  };
  try {
    const dbSchema = schemaName(subgraphName);
    if (options.reset) await db.exec(`DROP SCHEMA IF EXISTS "${dbSchema}" CASCADE`);
    const store = await EntityStore.open(db, subgraph.schema, {
      subgraphName,
      deploymentId,
      startBlock: subgraph.startBlock,
    });
    const source = new ChainSource({ rpcUrl: options.rpcUrl, logger: (message) => log("info", message) });
    stopAll.push(async () => source.close());
    const indexer = new Indexer(subgraph, source, runtime, store, {
      pollIntervalMs: options.pollIntervalMs ?? (isLoopback(options.rpcUrl) ? 50 : 1_000),
      maxReorgDepth: 250,
      minCommitIntervalMs: 500,
      commitEveryBlocks: 2_000,
      log,
    });
    const engine = new QueryEngine({ db, model: subgraph.schema, dbSchema, deploymentId });
    const status = (): GraphNodeStatus => ({
      subgraph: subgraphName,
      deployment: deploymentId,
      state: indexer.state,
      pointer: store.pointer ? { number: store.pointer.number, hash: store.pointer.hash } : null,
      failed: store.failure !== null,
      failure: store.failure,
      fatalError: indexer.fatalError?.message ?? null,
    });
    const server = await startServer({
      host: options.host ?? "127.0.0.1",
      port: options.port ?? 0,
      subgraphName,
      deploymentId,
      engine,
      status,
    });
    stopAll.push(() => server.close());
    indexer.start();
    stopAll.push(async () => {
      // Closing the chain source right after asking the loop to stop cuts short an RPC call it is retrying (the chain
      // may already be gone when everything shuts down together): the loop would otherwise wait out every backoff.
      const stopped = indexer.stop();
      source.close();
      await stopped;
    });
    return {
      url: server.url,
      graphqlUrl: server.graphqlUrl,
      subgraph,
      deploymentId,
      status,
      waitForBlock: (number, timeoutMs) => indexer.waitForBlock(number, timeoutMs),
      stop: cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** Each data source is named after the contract it indexes, which is how the deployment lists them too. */
export function overridesFrom(deployment: Deployment): Record<string, DataSourceOverride> {
  return Object.fromEntries(
    Object.entries(contractsByName(deployment)).map(([name, location]) => [
      name,
      {
        network: deployment.network,
        address: location.address.toLowerCase() as `0x${string}`,
        startBlock: location.startBlock,
      },
    ]),
  );
}

/**
 * Identifies what is indexed: the compiled mappings, the schema and where they read from. A database that holds
 * another deployment under the same name is refused rather than mixed.
 */
export function deploymentIdOf(subgraph: Subgraph): string {
  const hash = createHash("sha256");
  hash.update(subgraph.schemaText);
  for (const source of subgraph.dataSources) {
    hash.update(`${source.name}|${source.network}|${source.address}|${source.startBlock}|`);
    for (const handler of source.eventHandlers) hash.update(`${handler.event}>${handler.handler}|`);
    hash.update(source.wasm);
  }
  return `0x${hash.digest("hex")}`;
}

function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
    return host === "localhost" || (isIP(host) !== 0 && (host.startsWith("127.") || host === "::1"));
  } catch {
    return false;
  }
}

export type { Database };
