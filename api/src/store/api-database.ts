// The API's own data: task documents, verification records, the audit log of every signature, API keys and shared
// rate-limit counters. Embedded PGlite by default, PostgreSQL with `DATABASE_URL` (the same interface as the graph
// node's store). Everything lives in the `taskmarket_api` schema, so the API can share a database with the indexer.
// Migrations are numbered and applied in order, each in its own transaction; a database newer than this code is
// refused rather than guessed at.
import { openDatabase, type Database } from "../../../indexer/node/store/database.ts";

export type { Database, Queryable } from "../../../indexer/node/store/database.ts";

export const API_SCHEMA = "taskmarket_api";

const MIGRATIONS: readonly string[] = [
  // 1: the first layout.
  `
  CREATE TABLE ${API_SCHEMA}.documents (
    -- keccak256 of the canonical JSON (RFC 8785): TaskTerms.documentHash.
    hash text PRIMARY KEY CHECK (hash ~ '^0x[0-9a-f]{64}$'),
    uri text NOT NULL UNIQUE,
    canonical text NOT NULL,
    document jsonb NOT NULL,
    category text NOT NULL,
    tags text[] NOT NULL,
    capabilities text[] NOT NULL,
    executor_kind text NOT NULL,
    token text NOT NULL,
    reward numeric(78, 0) NOT NULL,
    claim_deadline bigint,
    pinned boolean NOT NULL DEFAULT false,
    search tsvector NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX documents_search ON ${API_SCHEMA}.documents USING gin (search);
  CREATE INDEX documents_tags ON ${API_SCHEMA}.documents USING gin (tags);
  CREATE INDEX documents_capabilities ON ${API_SCHEMA}.documents USING gin (capabilities);
  CREATE INDEX documents_category ON ${API_SCHEMA}.documents (category);

  CREATE TABLE ${API_SCHEMA}.verifications (
    id text PRIMARY KEY,
    task_id numeric(78, 0) NOT NULL,
    milestone integer NOT NULL,
    submission_hash text NOT NULL,
    signer text,
    -- What the checks found; the attestation signed from it (null when no key is configured or a check errored).
    result jsonb NOT NULL,
    attestation jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- Signing is idempotent per (task, milestone, submission, signer): a second request returns the first record.
    UNIQUE (task_id, milestone, submission_hash, signer)
  );
  CREATE INDEX verifications_task ON ${API_SCHEMA}.verifications (task_id);

  -- Append-only: every signature the service makes, with who asked for it.
  CREATE TABLE ${API_SCHEMA}.audit_log (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    action text NOT NULL,
    api_key_id text,
    task_id numeric(78, 0),
    submission_hash text,
    signer text,
    digest text,
    signature text,
    detail jsonb NOT NULL DEFAULT '{}'::jsonb
  );

  CREATE TABLE ${API_SCHEMA}.api_keys (
    id text PRIMARY KEY,
    -- SHA-256 of the secret part; the secret itself is shown once, when the key is made, and never stored.
    secret_hash bytea NOT NULL,
    name text NOT NULL,
    scopes text[] NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
  );

  CREATE TABLE ${API_SCHEMA}.rate_limits (
    bucket text NOT NULL,
    window_start bigint NOT NULL,
    count integer NOT NULL,
    PRIMARY KEY (bucket, window_start)
  );
  `,
];

/** Opens the API database and brings its schema up to date. */
export async function openApiDatabase(options: { url?: string; dataDir?: string } = {}): Promise<Database> {
  const db = await openDatabase(options);
  try {
    await migrate(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return db;
}

export async function migrate(db: Database): Promise<void> {
  await db.exec(
    `CREATE SCHEMA IF NOT EXISTS ${API_SCHEMA};
     CREATE TABLE IF NOT EXISTS ${API_SCHEMA}.migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());`,
  );
  const [row] = await db.query<{ version: number | null }>(
    `SELECT max(version) AS version FROM ${API_SCHEMA}.migrations`,
  );
  const current = row?.version ?? 0;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `The API database is at schema version ${current}, newer than this API (${MIGRATIONS.length}): upgrade the API.`,
    );
  }
  for (let version = current + 1; version <= MIGRATIONS.length; version++) {
    await db.transaction(async (transaction) => {
      // Two instances starting at once: the second waits here, then finds the version applied and stops.
      await transaction.exec(`LOCK TABLE ${API_SCHEMA}.migrations IN EXCLUSIVE MODE`);
      const [applied] = await transaction.query(`SELECT 1 FROM ${API_SCHEMA}.migrations WHERE version = $1`, [version]);
      if (applied) return;
      await transaction.exec(MIGRATIONS[version - 1]!);
      await transaction.query(`INSERT INTO ${API_SCHEMA}.migrations (version) VALUES ($1)`, [version]);
    });
  }
}
