// API keys for the routes that act on the service's behalf: signing attestations (`verify`), broadcasting signed
// transactions (`relay`) and managing the service (`admin`). A key reads `tmk_<id>_<secret>`: the id is public and
// names the key in logs, the audit log and the rate limiter; the secret is 32 random bytes, shown once when the key is
// made. Only the SHA-256 of the secret is stored, and it is compared in constant time, also when the id is unknown,
// so that the time a request takes says nothing about which keys exist.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

import type { Context, MiddlewareHandler } from "hono";

import type { ApiEnv } from "../app.ts";
import { ApiProblem } from "../problems.ts";
import type { ApiServices } from "../services.ts";
import { API_SCHEMA, type Database } from "../store/api-database.ts";

export const API_KEY_SCOPES = ["verify", "relay", "admin"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** What a request authenticated with: never the secret. */
export type ApiKeyRecord = { id: string; name: string; scopes: ApiKeyScope[] };

/** A key as `list()` shows it. */
export type ApiKeyInfo = ApiKeyRecord & { createdAt: Date; revokedAt: Date | null };

/** A key just made: `key` is the only time the secret is ever shown. */
export type CreatedApiKey = { id: string; key: string; name: string; scopes: ApiKeyScope[]; createdAt: Date };

const KEY_PREFIX = "tmk_";
const ID_BYTES = 8;
const SECRET_BYTES = 32;
// The id is hex so that it never contains the `_` that separates it from the secret (base64url may).
const KEY_PATTERN = /^tmk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
const MAX_NAME_LENGTH = 100;
/** Long enough to spare the database a lookup per request; short enough that a revocation elsewhere lands soon. */
export const DEFAULT_API_KEY_CACHE_TTL_MS = 5_000;
const MAX_CACHED_KEYS = 1_000;

/** Compared against when the id is unknown or malformed, so that those paths take as long as a wrong secret. */
const DUMMY_SECRET_HASH = sha256(randomBytes(SECRET_BYTES).toString("base64url"));

interface StoredKey {
  record: ApiKeyRecord;
  secretHash: Buffer;
  revoked: boolean;
}

type ApiKeyRow = {
  id: string;
  name: string;
  scopes: string[];
  created_at: Date | string;
  revoked_at: Date | string | null;
};

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function isScope(value: unknown): value is ApiKeyScope {
  return (API_KEY_SCOPES as readonly unknown[]).includes(value);
}

export interface ApiKeyStoreOptions {
  /**
   * How long a key read from the database is trusted before it is read again. A revocation made through this store
   * takes effect at once; one made by another process (another API instance, `npm run api -- keys revoke`) within
   * this bound. 0 reads the database on every request.
   */
  cacheTtlMs?: number;
  /** The clock, in milliseconds (tests). */
  now?: () => number;
}

/** The `api_keys` table: make, list, revoke and check keys. */
export class ApiKeyStore {
  readonly #db: Database;
  readonly #cacheTtlMs: number;
  readonly #now: () => number;
  /** Keys by id, each with when it was read; lookups in flight share one query. */
  readonly #cache = new Map<string, { readAt: number; stored: Promise<StoredKey | undefined> }>();

  constructor(db: Database, options: ApiKeyStoreOptions = {}) {
    this.#db = db;
    this.#cacheTtlMs = options.cacheTtlMs ?? DEFAULT_API_KEY_CACHE_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Makes a key; the returned `key` is the secret and is not kept anywhere. */
  async create(options: { name: string; scopes: readonly string[] }): Promise<CreatedApiKey> {
    const name = typeof options.name === "string" ? options.name.trim() : "";
    if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
      throw new RangeError(`An API key needs a name of 1 to ${MAX_NAME_LENGTH} characters.`);
    }
    const scopes = [...new Set(options.scopes)];
    if (scopes.length === 0) {
      throw new RangeError(`An API key needs at least one scope (${API_KEY_SCOPES.join(", ")}).`);
    }
    const unknown = scopes.filter((scope) => !isScope(scope));
    if (unknown.length > 0) {
      throw new RangeError(`Unknown scope ${unknown.join(", ")}: the scopes are ${API_KEY_SCOPES.join(", ")}.`);
    }
    const id = randomBytes(ID_BYTES).toString("hex");
    const secret = randomBytes(SECRET_BYTES).toString("base64url");
    const [row] = await this.#db.query<{ created_at: Date | string }>(
      `INSERT INTO ${API_SCHEMA}.api_keys (id, secret_hash, name, scopes) VALUES ($1, $2, $3, $4) RETURNING created_at`,
      [id, sha256(secret), name, scopes],
    );
    return {
      id,
      key: `${KEY_PREFIX}${id}_${secret}`,
      name,
      scopes: scopes as ApiKeyScope[],
      createdAt: toDate(row!.created_at),
    };
  }

  /** Every key, revoked ones included, oldest first. */
  async list(): Promise<ApiKeyInfo[]> {
    const rows = await this.#db.query<ApiKeyRow>(
      `SELECT id, name, scopes, created_at, revoked_at FROM ${API_SCHEMA}.api_keys ORDER BY created_at, id`,
    );
    return rows.map(infoFromRow);
  }

  /** Revokes key `id` (again is harmless); undefined when there is no such key. */
  async revoke(id: string): Promise<ApiKeyInfo | undefined> {
    const [row] = await this.#db.query<ApiKeyRow>(
      `UPDATE ${API_SCHEMA}.api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1
       RETURNING id, name, scopes, created_at, revoked_at`,
      [id],
    );
    this.#cache.delete(id);
    return row ? infoFromRow(row) : undefined;
  }

  /** The key `presented` stands for, if it is well formed, known, not revoked and its secret matches. */
  async authenticate(presented: string): Promise<ApiKeyRecord | undefined> {
    const match = typeof presented === "string" ? KEY_PATTERN.exec(presented) : null;
    // The format is public: rejecting a malformed key before any lookup tells nothing about which keys exist.
    if (!match) return undefined;
    const [, id, secret] = match as unknown as [string, string, string];
    const stored = await this.#lookup(id);
    const matches = timingSafeEqual(sha256(secret), stored?.secretHash ?? DUMMY_SECRET_HASH);
    if (!stored || !matches || stored.revoked) return undefined;
    return stored.record;
  }

  #lookup(id: string): Promise<StoredKey | undefined> {
    const now = this.#now();
    const cached = this.#cache.get(id);
    if (cached && now - cached.readAt < this.#cacheTtlMs) return cached.stored;
    const stored = this.#read(id);
    if (this.#cacheTtlMs > 0) {
      this.#cache.delete(id);
      if (this.#cache.size >= MAX_CACHED_KEYS) this.#evict(now);
      this.#cache.set(id, { readAt: now, stored });
      // Only keys that exist are remembered (unknown ids would crowd them out), and a failed read is retried.
      const forget = () => {
        if (this.#cache.get(id)?.stored === stored) this.#cache.delete(id);
      };
      stored.then((found) => {
        if (!found) forget();
      }, forget);
    }
    return stored;
  }

  /** Drops expired entries, then the oldest ones (insertion order) if the cache is still full. */
  #evict(now: number): void {
    for (const [id, entry] of this.#cache) {
      if (now - entry.readAt >= this.#cacheTtlMs) this.#cache.delete(id);
    }
    for (const id of this.#cache.keys()) {
      if (this.#cache.size < MAX_CACHED_KEYS) break;
      this.#cache.delete(id);
    }
  }

  async #read(id: string): Promise<StoredKey | undefined> {
    const [row] = await this.#db.query<Omit<ApiKeyRow, "created_at"> & { secret_hash: Uint8Array }>(
      `SELECT id, name, scopes, secret_hash, revoked_at FROM ${API_SCHEMA}.api_keys WHERE id = $1`,
      [id],
    );
    if (!row) return undefined;
    const hash = Buffer.from(row.secret_hash);
    return {
      record: { id: row.id, name: row.name, scopes: row.scopes.filter(isScope) },
      // A hash of another length would make timingSafeEqual throw: treat it as a key that never matches.
      secretHash: hash.length === DUMMY_SECRET_HASH.length ? hash : DUMMY_SECRET_HASH,
      revoked: row.revoked_at !== null || hash.length !== DUMMY_SECRET_HASH.length,
    };
  }
}

function infoFromRow(row: ApiKeyRow): ApiKeyInfo {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes.filter(isScope),
    createdAt: toDate(row.created_at),
    revokedAt: row.revoked_at === null ? null : toDate(row.revoked_at),
  };
}

/*//////////////////////////////////////////////////////////////
                          REQUESTS
//////////////////////////////////////////////////////////////*/

const REALM = 'Bearer realm="TaskMarket API"';

/**
 * The key a request presents: `x-api-key: <key>` or `authorization: Bearer <key>`. Undefined when it presents none;
 * an empty string when a header is there but holds no usable key (it then fails authentication like a wrong key).
 */
export function presentedApiKey(c: Context): string | undefined {
  const header = c.req.header("x-api-key");
  if (header !== undefined) return header.trim();
  const authorization = c.req.header("authorization");
  if (authorization === undefined) return undefined;
  const bearer = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
  return bearer ? bearer[1]! : "";
}

/** One authentication per request, shared by the rate limiter and `requireApiKey`. */
const authenticated = new WeakMap<Request, Promise<ApiKeyRecord | undefined>>();

/** The key the request authenticates with, or undefined (none presented, or not valid). */
export function authenticateRequest(services: ApiServices, c: Context): Promise<ApiKeyRecord | undefined> {
  let result = authenticated.get(c.req.raw);
  if (!result) {
    const presented = presentedApiKey(c);
    result =
      presented === undefined
        ? Promise.resolve(undefined)
        : services.apiKeys.authenticate(presented).catch((error: unknown) => {
            services.log.error("API key lookup failed", {
              error: error instanceof Error ? error.message : String(error),
            });
            throw new ApiProblem("unavailable", "API keys cannot be checked right now; try again shortly.", {
              headers: { "Retry-After": "1" },
            });
          });
    authenticated.set(c.req.raw, result);
  }
  return result;
}

/**
 * Lets through only requests with a valid key that has `scope`: 401 `unauthorized` without one (or with a wrong or
 * revoked one), 403 `forbidden` when the key lacks the scope. The key is then `c.get("apiKey")`.
 */
export function requireApiKey(services: ApiServices, scope: ApiKeyScope): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const presented = presentedApiKey(c);
    if (presented === undefined) {
      throw new ApiProblem(
        "unauthorized",
        `This route needs an API key with the "${scope}" scope, in the x-api-key header or as a Bearer token.`,
        { headers: { "WWW-Authenticate": REALM } },
      );
    }
    const record = await authenticateRequest(services, c);
    if (!record) {
      throw new ApiProblem("unauthorized", "The API key is not valid: it is malformed, unknown or revoked.", {
        headers: { "WWW-Authenticate": `${REALM}, error="invalid_token"` },
      });
    }
    if (!record.scopes.includes(scope)) {
      throw new ApiProblem("forbidden", `The API key ${record.id} does not have the "${scope}" scope.`, {
        headers: { "WWW-Authenticate": `${REALM}, error="insufficient_scope", scope="${scope}"` },
        extensions: { requiredScope: scope },
      });
    }
    c.set("apiKey", record);
    await next();
  };
}
