// The API's configuration, from the environment: every variable is read and checked here, once, at start-up, so that
// a wrong value stops the server with a message naming the variable instead of failing on the first request.
import { isAbsolute, resolve } from "node:path";

import { isHex, type Hex } from "viem";

import { readVerifierKeystoreEnv, type VerifierKeystore } from "./verification/verifier-key.ts";

export interface ApiConfig {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** deployments/<network>.json: the chain and the protocol's addresses. */
  deploymentPath: string;
  /** Overrides the deployment's RPC URL. */
  rpcUrl?: string;
  /** The indexer's GraphQL endpoint: the local graph node's or a Graph gateway's subgraph URL. */
  subgraphUrl: string;
  /** The API's own database: PostgreSQL with a URL, otherwise PGlite in `dataDir` (in memory without one). */
  database: { url?: string; dataDir?: string };
  /** The verification service's signing key; without one, `POST /verify` checks but cannot sign. */
  verifierPrivateKey?: Hex;
  /** Or an encrypted JSON keystore holding it (`VERIFIER_KEYSTORE` + `VERIFIER_KEYSTORE_PASSWORD`); never logged. */
  verifierKeystore?: VerifierKeystore;
  /** Origins a browser may call the API from; empty for none, `*` for any. */
  corsOrigins: string[];
  /** The largest request body accepted, in bytes. */
  bodyLimitBytes: number;
  /** Requests per minute per API key (or per client address without one). */
  rateLimitPerMinute: number;
  /** The rate limiter's counters: this process's memory, or the database (shared between API instances). */
  rateLimitStore: "memory" | "database";
  /** An IPFS HTTP API (Kubo's `/api/v0`) to pin task documents to; documents are only stored locally without it. */
  ipfsApiUrl?: string;
  /** How long a read of the indexer or the chain may take before the request fails with 504. */
  upstreamTimeoutMs: number;
}

export const DEFAULT_API_PORT = 8787;
export const DEFAULT_API_DATA_DIR = ".data/api";

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}".`);
  }
  return value;
}

function url(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  try {
    const parsed = new URL(raw);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("not http(s)");
  } catch {
    throw new Error(`${name} must be an http(s) URL, got "${raw}".`);
  }
  return raw;
}

/** Reads the configuration from `env`; `defaults` fill what the environment leaves out (used by `npm start`). */
export function readApiConfig(env: NodeJS.ProcessEnv = process.env, defaults: Partial<ApiConfig> = {}): ApiConfig {
  const verifierPrivateKey = env.VERIFIER_PRIVATE_KEY || undefined;
  if (verifierPrivateKey !== undefined && !(isHex(verifierPrivateKey) && verifierPrivateKey.length === 66)) {
    // The value itself is never echoed: it is a key.
    throw new Error("VERIFIER_PRIVATE_KEY must be a 32-byte private key in hex (0x followed by 64 hex digits).");
  }
  const rateLimitStore = env.RATE_LIMIT_STORE || defaults.rateLimitStore || "memory";
  if (rateLimitStore !== "memory" && rateLimitStore !== "database") {
    throw new Error(`RATE_LIMIT_STORE must be "memory" or "database", got "${rateLimitStore}".`);
  }
  const subgraphUrl = url(env, "SUBGRAPH_URL") ?? defaults.subgraphUrl;
  if (subgraphUrl === undefined) {
    throw new Error("SUBGRAPH_URL must name the indexer's GraphQL endpoint (the local graph node's subgraph URL).");
  }
  // A standalone API keeps its documents, records and keys in .data/api; callers that pass `database` (npm start,
  // tests) choose for themselves, in memory included.
  const dataDir = env.API_DATA_DIR || (defaults.database ? defaults.database.dataDir : DEFAULT_API_DATA_DIR);
  return {
    host: env.API_HOST || defaults.host || "127.0.0.1",
    port: integer(env, "API_PORT", defaults.port ?? DEFAULT_API_PORT, 0, 65_535),
    deploymentPath: resolve(env.TASKMARKET_DEPLOYMENT || defaults.deploymentPath || "deployments/localhost.json"),
    rpcUrl: url(env, "TASKMARKET_RPC_URL") ?? defaults.rpcUrl,
    subgraphUrl,
    database: {
      url: env.DATABASE_URL || defaults.database?.url,
      dataDir: dataDir === undefined ? undefined : isAbsolute(dataDir) ? dataDir : resolve(dataDir),
    },
    verifierPrivateKey: (verifierPrivateKey as Hex | undefined) ?? defaults.verifierPrivateKey,
    verifierKeystore: readVerifierKeystoreEnv(env) ?? defaults.verifierKeystore,
    corsOrigins: (env.CORS_ORIGINS ?? defaults.corsOrigins?.join(",") ?? "")
      .split(",")
      .map((origin) => origin.trim())
      .filter(Boolean),
    bodyLimitBytes: integer(env, "BODY_LIMIT_BYTES", defaults.bodyLimitBytes ?? 256 * 1024, 1024, 16 * 1024 * 1024),
    rateLimitPerMinute: integer(env, "RATE_LIMIT_PER_MINUTE", defaults.rateLimitPerMinute ?? 600, 1, 1_000_000),
    rateLimitStore,
    ipfsApiUrl: url(env, "IPFS_API_URL") ?? defaults.ipfsApiUrl,
    upstreamTimeoutMs: integer(env, "UPSTREAM_TIMEOUT_MS", defaults.upstreamTimeoutMs ?? 10_000, 100, 300_000),
  };
}
