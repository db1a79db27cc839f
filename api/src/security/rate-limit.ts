// Rate limits: `rateLimitPerMinute` requests per fixed one-minute window, per API key when the request presents a
// valid one, otherwise per client address as the socket reports it. A fixed window lets a client that times its
// requests send up to twice the limit across a window boundary; that is the price of one counter per client, which is
// what lets several API instances share their counters through one upsert in the database.
//
// The address is the connection's, never `x-forwarded-for`, which any client can set. IPv6 clients are counted per
// /64, the block one subscriber usually holds, so that a client cannot multiply its limit by rotating addresses in it.
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";

import type { ApiEnv } from "../app.ts";
import type { ApiConfig } from "../config.ts";
import { ApiProblem } from "../problems.ts";
import type { ApiServices } from "../services.ts";
import { API_SCHEMA, type Database } from "../store/api-database.ts";
import { authenticateRequest } from "./api-keys.ts";

export interface RateLimitResult {
  /** Whether the hit fits in the window; a refused hit is not counted. */
  allowed: boolean;
  limit: number;
  /** Hits left in the current window. */
  remaining: number;
  /** Seconds until the window ends and the count starts over (at least 1). */
  resetSeconds: number;
}

export interface RateLimiter {
  hit(bucket: string, cost?: number): Promise<RateLimitResult>;
  close(): Promise<void>;
}

export const RATE_LIMIT_WINDOW_MS = 60_000;
/** The memory store's bound: past it, the buckets that started counting earliest in the window are dropped. */
export const DEFAULT_MAX_MEMORY_BUCKETS = 100_000;

export interface RateLimiterOptions {
  /** The clock, in milliseconds since the epoch (tests). */
  now?: () => number;
  /** The memory store's bound on buckets counted at once. */
  maxBuckets?: number;
}

/** The limiter `config` asks for: in this process's memory, or in the database, shared by every instance using it. */
export function createRateLimiter(
  config: Pick<ApiConfig, "rateLimitPerMinute" | "rateLimitStore">,
  db: Database,
  options: RateLimiterOptions = {},
): RateLimiter {
  const now = options.now ?? Date.now;
  return config.rateLimitStore === "database"
    ? new DatabaseRateLimiter(db, config.rateLimitPerMinute, now)
    : new MemoryRateLimiter(config.rateLimitPerMinute, now, options.maxBuckets ?? DEFAULT_MAX_MEMORY_BUCKETS);
}

function checkedCost(cost: number): number {
  if (!Number.isSafeInteger(cost) || cost < 1) throw new RangeError(`A rate-limit cost is a positive integer: ${cost}`);
  return cost;
}

function windowOf(now: number): { start: number; resetSeconds: number } {
  const start = Math.floor(now / RATE_LIMIT_WINDOW_MS) * RATE_LIMIT_WINDOW_MS;
  return { start, resetSeconds: Math.max(1, Math.ceil((start + RATE_LIMIT_WINDOW_MS - now) / 1000)) };
}

class MemoryRateLimiter implements RateLimiter {
  readonly #limit: number;
  readonly #now: () => number;
  readonly #maxBuckets: number;
  /** Counts in the current window only: every bucket's window ends at once, so a new window starts them all over. */
  readonly #counts = new Map<string, number>();
  #windowStart = Number.NaN;

  constructor(limit: number, now: () => number, maxBuckets: number) {
    this.#limit = limit;
    this.#now = now;
    this.#maxBuckets = maxBuckets;
  }

  async hit(bucket: string, cost = 1): Promise<RateLimitResult> {
    checkedCost(cost);
    const window = windowOf(this.#now());
    if (window.start !== this.#windowStart) {
      this.#counts.clear();
      this.#windowStart = window.start;
    }
    const count = this.#counts.get(bucket) ?? 0;
    const result = { limit: this.#limit, resetSeconds: window.resetSeconds };
    if (count + cost > this.#limit) return { ...result, allowed: false, remaining: Math.max(0, this.#limit - count) };
    if (count === 0 && this.#counts.size >= this.#maxBuckets) {
      // Map order is insertion order: the first key is the bucket that started counting earliest.
      this.#counts.delete(this.#counts.keys().next().value!);
    }
    this.#counts.set(bucket, count + cost);
    return { ...result, allowed: true, remaining: this.#limit - count - cost };
  }

  async close(): Promise<void> {
    this.#counts.clear();
  }
}

class DatabaseRateLimiter implements RateLimiter {
  readonly #db: Database;
  readonly #limit: number;
  readonly #now: () => number;
  #prunedBefore = Number.NaN;
  #pruning: Promise<void> = Promise.resolve();

  constructor(db: Database, limit: number, now: () => number) {
    this.#db = db;
    this.#limit = limit;
    this.#now = now;
  }

  async hit(bucket: string, cost = 1): Promise<RateLimitResult> {
    checkedCost(cost);
    const window = windowOf(this.#now());
    const result = { limit: this.#limit, resetSeconds: window.resetSeconds };
    if (cost > this.#limit) return { ...result, allowed: false, remaining: 0 };
    // One statement, so concurrent hits from any number of instances serialize on the row: the conditional update
    // counts the hit only if it fits, and returns nothing when it does not.
    const [row] = await this.#db.query<{ count: number }>(
      `INSERT INTO ${API_SCHEMA}.rate_limits AS r (bucket, window_start, count) VALUES ($1, $2, $3)
       ON CONFLICT (bucket, window_start) DO UPDATE SET count = r.count + EXCLUDED.count
       WHERE r.count + EXCLUDED.count <= $4
       RETURNING count`,
      [bucket, window.start / 1000, cost, this.#limit],
    );
    if (window.start !== this.#prunedBefore) this.#prune(window.start);
    if (!row) return { ...result, allowed: false, remaining: 0 };
    return { ...result, allowed: true, remaining: this.#limit - Number(row.count) };
  }

  /** Drops the windows before `windowStart`, once per window per instance, off the request's path. */
  #prune(windowStart: number): void {
    this.#prunedBefore = windowStart;
    this.#pruning = this.#pruning
      .then(() => this.#db.query(`DELETE FROM ${API_SCHEMA}.rate_limits WHERE window_start < $1`, [windowStart / 1000]))
      .then(
        () => undefined,
        // Another window will try again; a leftover row only takes space until then.
        () => undefined,
      );
  }

  async close(): Promise<void> {
    await this.#pruning;
  }
}

/*//////////////////////////////////////////////////////////////
                          MIDDLEWARE
//////////////////////////////////////////////////////////////*/

/** Load balancers poll these; limiting them would take a healthy instance out of rotation. */
const EXEMPT_PATHS = new Set(["/health", "/ready"]);

/** The bucket of a client address: IPv4 as is (IPv4-mapped IPv6 included), IPv6 by its /64. */
export function addressBucket(address: string): string {
  const plain = address.split("%")[0]!.toLowerCase();
  if (!plain.includes(":")) return plain;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(plain);
  if (mapped) return mapped[1]!;
  const groups = ipv6Groups(plain);
  return groups ? `${groups.slice(0, 4).join(":")}::/64` : plain;
}

/** The eight groups of an IPv6 address, without leading zeros; undefined if it is not one. */
function ipv6Groups(address: string): string[] | undefined {
  let text = address;
  const embedded = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (embedded) {
    const [a, b, c, d] = embedded.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, embedded.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return undefined;
  return groups.map((group) => parseInt(group, 16).toString(16));
}

/** The client's address as the socket reports it; "unknown" without a socket (`app.request` in tests). */
function clientAddress(c: Context): string {
  try {
    const address = getConnInfo(c).remote.address;
    return address ? addressBucket(address) : "unknown";
  } catch {
    return "unknown";
  }
}

function rateLimitHeaders(result: RateLimitResult): Record<string, string> {
  return {
    "RateLimit-Limit": String(result.limit),
    "RateLimit-Remaining": String(result.remaining),
    "RateLimit-Reset": String(result.resetSeconds),
  };
}

/**
 * Counts every request but `/health` and `/ready` against its bucket: the API key's when the request presents a
 * valid one (a wrong key counts against the address, so that guessing keys is limited too), else the address's.
 * Every counted response carries `RateLimit-*` headers; past the limit, 429 `rate_limited` with `Retry-After`.
 */
export function rateLimit(services: ApiServices): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (EXEMPT_PATHS.has(c.req.path)) return next();
    const key = await authenticateRequest(services, c);
    const bucket = key ? `key:${key.id}` : `address:${clientAddress(c)}`;
    let result: RateLimitResult;
    try {
      result = await services.rateLimiter.hit(bucket);
    } catch (error) {
      services.log.error("rate limiter failed", {
        requestId: c.get("requestId"),
        error: error instanceof Error ? error.message : String(error),
      });
      throw new ApiProblem("unavailable", "The rate limiter cannot count requests right now; try again shortly.", {
        headers: { "Retry-After": "1" },
      });
    }
    const headers = rateLimitHeaders(result);
    if (!result.allowed) {
      throw new ApiProblem(
        "rate_limited",
        `More than ${result.limit} requests a minute from this ${key ? "API key" : "client"}; retry in ${result.resetSeconds} s.`,
        {
          headers: { ...headers, "Retry-After": String(result.resetSeconds) },
          extensions: { limit: result.limit, retryAfterSeconds: result.resetSeconds },
        },
      );
    }
    await next();
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}
