// `npm run api -- <command>`: serves the API, and manages its API keys.
//
//   npm run api                                         serve (configured by the environment: see --help)
//   npm run api -- keys create --name ci --scope verify  make a key; the key is printed once
//   npm run api -- keys list                            every key, revoked ones included
//   npm run api -- keys revoke <id>                     revoke a key
//
// Exit codes: 0 done, 1 a configuration or runtime error, 2 a command line that is not understood.
import { isAbsolute, resolve } from "node:path";
import { parseArgs } from "node:util";

import { DEFAULT_API_DATA_DIR, readApiConfig } from "./config.ts";
import { API_KEY_SCOPES, ApiKeyStore, type ApiKeyInfo } from "./security/api-keys.ts";
import { openApiDatabase } from "./store/api-database.ts";

const HELP = `Usage: npm run api -- [command]

Commands:
  serve                                  serve the API (the default)
  keys create --name NAME --scope SCOPE  make an API key; repeat --scope for several (${API_KEY_SCOPES.join(", ")}).
                                         The key is printed once: only its hash is stored.
  keys list                              list the keys (id, name, scopes, created, revoked)
  keys revoke ID                         revoke a key; requests with it fail with 401 from then on
  help                                   this text

  --json with keys create and keys list prints JSON instead of text.

Configuration (environment):
  SUBGRAPH_URL           the indexer's GraphQL endpoint (required to serve)
  TASKMARKET_DEPLOYMENT  the deployment record (default deployments/localhost.json)
  TASKMARKET_RPC_URL     overrides the deployment's RPC URL
  DATABASE_URL           PostgreSQL for the API's data; otherwise PGlite in API_DATA_DIR
  API_DATA_DIR           PGlite's directory when DATABASE_URL is unset (default .data/api)
  API_HOST, API_PORT     where to listen (default 127.0.0.1:8787; port 0 picks a free one)
  VERIFIER_PRIVATE_KEY   the key that signs attestations (without one, POST /verify checks but cannot sign)
  CORS_ORIGINS           comma-separated origins browsers may call from (* for any)
  BODY_LIMIT_BYTES       the largest request body (default 262144)
  RATE_LIMIT_PER_MINUTE  requests per minute per API key or client address (default 600)
  RATE_LIMIT_STORE       memory (default) or database (shared between instances)
  IPFS_API_URL           a Kubo HTTP API to pin task documents to
  UPSTREAM_TIMEOUT_MS    how long an indexer or chain read may take (default 10000)

The keys commands open the API's database directly: DATABASE_URL, or API_DATA_DIR (a standalone API's is
.data/api). PGlite allows one process at a time, so with PGlite stop the API first; with PostgreSQL, keys made or
revoked apply to a running API within seconds.
`;

/** A command line that is not understood: exit code 2. */
class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [command = "serve", ...rest] = argv;
  switch (command) {
    case "serve":
      noArguments(rest, "serve");
      return serve();
    case "keys":
      return keys(rest);
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(HELP);
      return;
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

function noArguments(args: string[], command: string): void {
  if (args.length > 0) throw new UsageError(`"${command}" takes no arguments, got "${args.join(" ")}".`);
}

/** Runs node:util's `parseArgs`, turning what it rejects into a usage error. */
function understood<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function expectPositionals(positionals: string[], count: number): void {
  if (positionals.length === count) return;
  throw new UsageError(
    count === 0
      ? `Unexpected argument "${positionals.join(" ")}".`
      : `Expected ${count} argument(s), got ${positionals.length}.`,
  );
}

/*//////////////////////////////////////////////////////////////
                              SERVE
//////////////////////////////////////////////////////////////*/

async function serve(): Promise<void> {
  const config = readApiConfig(process.env);
  // Loaded here, so that the keys commands do not load the routes and everything under them.
  const { startApi } = await import("./server.ts");
  const api = await startApi(config);
  console.log(`TaskMarket API listening on ${api.url}`);
  console.log(`  docs      ${api.url}/docs`);
  console.log(`  OpenAPI   ${api.url}/openapi.json`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal while stopping: the operator wants out now.
      process.exit(1);
    }
    stopping = true;
    console.log(`\n${signal}: stopping the API.`);
    api.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`error: stopping failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

/*//////////////////////////////////////////////////////////////
                              KEYS
//////////////////////////////////////////////////////////////*/

/**
 * The database the keys commands manage, named by the same variables as the server's. Never a default: a key made in a
 * database no API reads would look made and never work.
 */
function keysDatabase(env: NodeJS.ProcessEnv): { url?: string; dataDir?: string } {
  const url = env.DATABASE_URL || undefined;
  const dataDir = env.API_DATA_DIR || undefined;
  if (url === undefined && dataDir === undefined) {
    throw new Error(
      `Set DATABASE_URL or API_DATA_DIR to the API's database (a standalone API uses ${DEFAULT_API_DATA_DIR} unless ` +
        "told otherwise; npm start's keeps its keys in memory and prints a dev key).",
    );
  }
  return { url, dataDir: dataDir === undefined ? undefined : isAbsolute(dataDir) ? dataDir : resolve(dataDir) };
}

async function keys(args: string[]): Promise<void> {
  const [subcommand, ...rest] = args;
  let run: (store: ApiKeyStore) => Promise<void>;
  switch (subcommand) {
    case "create": {
      const { values, positionals } = understood(() =>
        parseArgs({
          args: rest,
          options: { name: { type: "string" }, scope: { type: "string", multiple: true }, json: { type: "boolean" } },
          allowPositionals: true,
        }),
      );
      expectPositionals(positionals, 0);
      if (!values.name?.trim()) throw new UsageError("keys create needs --name NAME.");
      const scopes = values.scope ?? [];
      if (scopes.length === 0) {
        throw new UsageError(`keys create needs at least one --scope (${API_KEY_SCOPES.join(", ")}).`);
      }
      const unknown = scopes.filter((scope) => !(API_KEY_SCOPES as readonly string[]).includes(scope));
      if (unknown.length > 0) {
        throw new UsageError(`Unknown scope "${unknown.join('", "')}": the scopes are ${API_KEY_SCOPES.join(", ")}.`);
      }
      run = async (store) => {
        const created = await store.create({ name: values.name!, scopes });
        if (values.json) {
          console.log(JSON.stringify({ ...created, createdAt: created.createdAt.toISOString() }));
          return;
        }
        console.log(`Created API key ${created.id} "${created.name}" (scopes: ${created.scopes.join(", ")}).`);
        console.log("The key is shown this once; only its hash is stored:");
        console.log(created.key);
      };
      break;
    }
    case "list": {
      const { values, positionals } = understood(() =>
        parseArgs({ args: rest, options: { json: { type: "boolean" } }, allowPositionals: true }),
      );
      expectPositionals(positionals, 0);
      run = async (store) => {
        const all = await store.list();
        if (values.json) {
          console.log(JSON.stringify(all.map(jsonInfo)));
          return;
        }
        if (all.length === 0) {
          console.log("No API keys.");
          return;
        }
        printTable(all);
      };
      break;
    }
    case "revoke": {
      const { positionals } = understood(() => parseArgs({ args: rest, options: {}, allowPositionals: true }));
      expectPositionals(positionals, 1);
      const id = positionals[0]!;
      if (!/^[0-9a-f]{16}$/.test(id)) {
        throw new UsageError(`"${id}" is not an API key id (16 hex digits; the part after "tmk_").`);
      }
      run = async (store) => {
        const revoked = await store.revoke(id);
        if (!revoked) throw new Error(`No API key ${id}.`);
        console.log(`Revoked API key ${id} "${revoked.name}" (at ${revoked.revokedAt!.toISOString()}).`);
      };
      break;
    }
    case undefined:
      throw new UsageError("keys needs a subcommand: create, list or revoke.");
    default:
      throw new UsageError(`Unknown keys subcommand "${subcommand}": create, list or revoke.`);
  }
  const db = await openApiDatabase(keysDatabase(process.env));
  try {
    await run(new ApiKeyStore(db, { cacheTtlMs: 0 }));
  } finally {
    await db.close();
  }
}

function jsonInfo(info: ApiKeyInfo) {
  return { ...info, createdAt: info.createdAt.toISOString(), revokedAt: info.revokedAt?.toISOString() ?? null };
}

function printTable(all: ApiKeyInfo[]): void {
  const rows = [
    ["ID", "NAME", "SCOPES", "CREATED", "REVOKED"],
    ...all.map((info) => [
      info.id,
      info.name,
      info.scopes.join(","),
      info.createdAt.toISOString(),
      info.revokedAt?.toISOString() ?? "-",
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows)
    console.log(
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join("  ")
        .trimEnd(),
    );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`error: ${error.message}\nRun \`npm run api -- help\` for usage.`);
    process.exit(2);
  }
  console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
