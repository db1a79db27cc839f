/**
 * Our indexer in the benchmark: the built subgraph (indexer/build/subgraph.yaml) run by the embedded graph node
 * (indexer/node) over the benchmark's chain, on PGlite in a fresh temporary directory.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import type { Deployment } from "../../scripts/deployment.js";
import { startGraphNode, type GraphNode } from "../../indexer/node/index.ts";
import { loadSubgraph } from "../../indexer/node/subgraph.ts";

const REPOSITORY_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BUILT_MANIFEST = join(REPOSITORY_ROOT, "indexer", "build", "subgraph.yaml");

/** Builds the subgraph (`npm run indexer:build`) unless indexer/build/subgraph.yaml exists. */
export function ensureSubgraphBuilt(log: (message: string) => void = () => {}): string {
  if (existsSync(BUILT_MANIFEST)) return BUILT_MANIFEST;
  log("indexer/build/subgraph.yaml is missing: running npm run indexer:build…");
  const npm = process.env.npm_execpath;
  const [command, args] =
    npm !== undefined && npm.endsWith(".js") ? [process.execPath, [npm]] : ["npm", [] as string[]];
  const result = spawnSync(command, [...args, "run", "indexer:build"], {
    cwd: REPOSITORY_ROOT,
    stdio: "inherit",
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}` },
  });
  if (result.status !== 0 || !existsSync(BUILT_MANIFEST)) {
    throw new Error(`npm run indexer:build did not produce ${BUILT_MANIFEST} (exit ${result.status}).`);
  }
  return BUILT_MANIFEST;
}

/**
 * The names of the manifest's data sources (the contracts the subgraph indexes), read by the node's own loader: a
 * manifest the node cannot load fails here, before the traffic is generated.
 */
export function dataSourceNames(manifestPath: string): string[] {
  const names = loadSubgraph(manifestPath).dataSources.map((source) => source.name);
  if (names.length === 0) throw new Error(`${manifestPath} lists no data source.`);
  return names;
}

export interface StartedNode {
  node: GraphNode;
  dataDirectory: string;
  /** Stops the node and removes its database. */
  stop(): Promise<void>;
}

export async function startNode(options: {
  manifest: string;
  deployment: Deployment;
  rpcUrl: string;
  log: (message: string) => void;
}): Promise<StartedNode> {
  const dataDirectory = mkdtempSync(join(tmpdir(), "taskmarket-bench-node-"));
  try {
    const node = await startGraphNode({
      manifest: options.manifest,
      deployment: options.deployment,
      rpcUrl: options.rpcUrl,
      subgraphName: "taskmarket",
      database: { dataDir: dataDirectory },
      host: "127.0.0.1",
      port: 0,
      logger: (level, message) => {
        if (level !== "info") options.log(`graph node ${level}: ${message}`);
      },
    });
    return {
      node,
      dataDirectory,
      async stop() {
        await node.stop();
        rmSync(dataDirectory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dataDirectory, { recursive: true, force: true });
    throw error;
  }
}
