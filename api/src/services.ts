// What the routes work with: the chain, the indexer, the API's database and the services built on them. One instance
// per API process, made by `openServices` from the configuration and closed with it; tests build their own against a
// local chain and a local graph node.
import type { Deployment } from "../../scripts/deployment.ts";
import type { ApiConfig } from "./config.ts";
import { ProtocolChain } from "./chain/protocol-chain.ts";
import { DocumentStore } from "./documents/document-store.ts";
import { ApiKeyStore } from "./security/api-keys.ts";
import { createRateLimiter, type RateLimiter } from "./security/rate-limit.ts";
import { openApiDatabase, type Database } from "./store/api-database.ts";
import { SubgraphClient } from "./subgraph/subgraph-client.ts";
import { VerificationService } from "./verification/verification-service.ts";
import { loadVerifierKeystore } from "./verification/verifier-key.ts";

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** One JSON line per entry on stderr; nothing secret is ever passed to it. */
export const jsonLogger: Logger = {
  info: (message, fields) => console.error(JSON.stringify({ level: "info", message, ...fields })),
  warn: (message, fields) => console.error(JSON.stringify({ level: "warn", message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: "error", message, ...fields })),
};

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface ApiServices {
  config: ApiConfig;
  db: Database;
  chain: ProtocolChain;
  subgraph: SubgraphClient;
  documents: DocumentStore;
  verification: VerificationService;
  apiKeys: ApiKeyStore;
  rateLimiter: RateLimiter;
  log: Logger;
  close(): Promise<void>;
}

export interface OpenServicesOptions {
  log?: Logger;
  /** The deployment to use instead of reading `config.deploymentPath` (tests, `npm start`). */
  deployment?: Deployment;
  /**
   * The API database already being opened by `openApiDatabase`, instead of opening `config.database` here: `npm start`
   * opens it while the contracts compile, since PGlite takes seconds to set up. The services own it and close it.
   */
  database?: Promise<Database>;
}

export async function openServices(config: ApiConfig, options: OpenServicesOptions = {}): Promise<ApiServices> {
  const log = options.log ?? jsonLogger;
  const chainOptions = { rpcUrl: config.rpcUrl, timeoutMs: config.upstreamTimeoutMs };
  const chain = options.deployment
    ? new ProtocolChain(options.deployment, chainOptions)
    : ProtocolChain.fromFile(config.deploymentPath, chainOptions);
  const subgraph = new SubgraphClient(config.subgraphUrl, { timeoutMs: config.upstreamTimeoutMs });
  const db = await (options.database ?? openApiDatabase(config.database));
  const documents = new DocumentStore(db, { ipfsApiUrl: config.ipfsApiUrl, log });
  const verification = new VerificationService({
    db,
    chain,
    subgraph,
    documents,
    privateKey:
      config.verifierPrivateKey ??
      (config.verifierKeystore === undefined ? undefined : await loadVerifierKeystore(config.verifierKeystore)),
    log,
  });
  const apiKeys = new ApiKeyStore(db);
  const rateLimiter = createRateLimiter(config, db);
  return {
    config,
    db,
    chain,
    subgraph,
    documents,
    verification,
    apiKeys,
    rateLimiter,
    log,
    async close() {
      await verification.close();
      await rateLimiter.close();
      await db.close();
    },
  };
}
