// `npm run indexer`: runs the embedded local graph node on the built subgraph.
//
//   npm run indexer -- [--deployment deployments/localhost.json] [--rpc-url URL] [--data-dir DIR] [--port N]
//
// Configuration by flag or environment variable (flags win): see `--help`.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { readDeployment, type Deployment } from "../../scripts/deployment.ts";
import { DEFAULT_SUBGRAPH_NAME, startGraphNode } from "./index.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const DEFAULT_MANIFEST = join(root, "indexer", "build", "subgraph.yaml");
const DEFAULT_DEPLOYMENT = join(root, "deployments", "localhost.json");
const DEFAULT_DATA_DIR = join(root, ".data", "graph-node");
const DEFAULT_PORT = 8000;

const HELP = `Usage: npm run indexer -- [options]

Runs the TaskMarket subgraph on an embedded graph node: follows the chain, runs the mappings, serves GraphQL at
http://HOST:PORT/subgraphs/name/NAME (and /graphql).

Options (environment variable in brackets):
  --manifest PATH      built subgraph manifest [GRAPH_NODE_MANIFEST] (default indexer/build/subgraph.yaml)
  --deployment PATH    deployment record filling in addresses and start blocks [TASKMARKET_DEPLOYMENT]
                       (default deployments/localhost.json, written by npm start)
  --rpc-url URL        JSON-RPC endpoint [TASKMARKET_RPC_URL] (default: the deployment's rpcUrl)
  --name NAME          subgraph name [SUBGRAPH_NAME] (default ${DEFAULT_SUBGRAPH_NAME})
  --data-dir DIR       PGlite data directory [GRAPH_NODE_DATA_DIR] (default .data/graph-node)
                       ignored when DATABASE_URL is set: PostgreSQL is used instead
  --memory             keep PGlite in memory (nothing survives a restart)
  --reset              drop what the database holds for this subgraph first
  --host HOST          listen address [GRAPH_NODE_HOST] (default 127.0.0.1)
  --port N             listen port [GRAPH_NODE_PORT] (default ${DEFAULT_PORT}; 0 picks a free one)
  --help               this text
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      manifest: { type: "string" },
      deployment: { type: "string" },
      "rpc-url": { type: "string" },
      name: { type: "string" },
      "data-dir": { type: "string" },
      memory: { type: "boolean" },
      reset: { type: "boolean" },
      host: { type: "string" },
      port: { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const env = process.env;
  const manifest = resolve(values.manifest ?? env.GRAPH_NODE_MANIFEST ?? DEFAULT_MANIFEST);
  if (!existsSync(manifest)) {
    throw new Error(`No built subgraph at ${manifest}: run \`npm run indexer:build\` first.`);
  }
  const deploymentPath = values.deployment ?? env.TASKMARKET_DEPLOYMENT;
  let deployment: Deployment | undefined;
  if (deploymentPath !== undefined || existsSync(DEFAULT_DEPLOYMENT)) {
    deployment = readDeployment(resolve(deploymentPath ?? DEFAULT_DEPLOYMENT));
  }
  const rpcUrl = values["rpc-url"] ?? env.TASKMARKET_RPC_URL ?? deployment?.rpcUrl;
  if (!rpcUrl)
    throw new Error("No chain to index: pass --rpc-url (or TASKMARKET_RPC_URL), or start one with `npm start`.");
  if (!URL.canParse(rpcUrl)) throw new Error(`The chain's RPC URL is not a URL: "${rpcUrl}".`);
  const portText = values.port ?? env.GRAPH_NODE_PORT ?? String(DEFAULT_PORT);
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`Bad port: ${portText}`);
  const databaseUrl = env.DATABASE_URL;
  const dataDir = values.memory
    ? undefined
    : resolve(values["data-dir"] ?? env.GRAPH_NODE_DATA_DIR ?? DEFAULT_DATA_DIR);

  const node = await startGraphNode({
    manifest,
    deployment,
    rpcUrl,
    subgraphName: values.name ?? env.SUBGRAPH_NAME ?? DEFAULT_SUBGRAPH_NAME,
    database: databaseUrl ? { url: databaseUrl } : { dataDir },
    reset: values.reset,
    host: values.host ?? env.GRAPH_NODE_HOST ?? "127.0.0.1",
    port,
  });
  const where = databaseUrl ? "PostgreSQL (DATABASE_URL)" : dataDir ? `PGlite in ${dataDir}` : "PGlite in memory";
  console.log(`Graph node serving ${node.graphqlUrl}`);
  // The origin only: a provider's RPC URL carries its API key in the path, and this output ends up in logs.
  console.log(`  chain     ${new URL(rpcUrl).origin}`);
  console.log(`  store     ${where}`);
  console.log(`  status    ${node.url}/status`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the graph node.`);
    await node.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
