// API keys and rate limits: keys are stored hashed and checked in constant time, `requireApiKey` answers 401 and 403
// before the handler runs, the rate limiter counts per window in memory and in the database (PGlite and a PostgreSQL
// server, counters shared between limiters), the middleware keys its buckets by API key or by the socket's address and
// never by `x-forwarded-for`, and the API's command line makes, lists and revokes keys.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import crypto, { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it, mock } from "node:test";

import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import pg from "pg";

import type { ApiEnv } from "../../../api/src/app.ts";
import { ApiProblem, PROBLEM_MEDIA_TYPE, respondWithProblem } from "../../../api/src/problems.ts";
import { ApiKeyStore, requireApiKey, type ApiKeyRecord, type ApiKeyScope } from "../../../api/src/security/api-keys.ts";
import {
  RATE_LIMIT_WINDOW_MS,
  addressBucket,
  createRateLimiter,
  rateLimit,
  type RateLimiter,
} from "../../../api/src/security/rate-limit.ts";
import { silentLogger, type ApiServices } from "../../../api/src/services.ts";
import { API_SCHEMA, openApiDatabase, type Database } from "../../../api/src/store/api-database.ts";

const MAIN = join(import.meta.dirname, "..", "..", "..", "api", "src", "main.ts");
const POSTGRES = "postgres://postgres@127.0.0.1:5432";

/** A clock the test moves by hand; it starts 10 s into a window. */
function manualClock(start = 1_800_000_000_000 + 10_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** The services the security middleware reads; nothing else is touched. */
function servicesOf(apiKeys: ApiKeyStore, rateLimiter: RateLimiter): ApiServices {
  return { apiKeys, rateLimiter, log: silentLogger } as unknown as ApiServices;
}

/** A bare app answering problems the way api/src/app.ts does; a 500 here means an error escaped the middleware. */
function bareApp(): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>();
  app.onError((error, c) =>
    error instanceof ApiProblem ? respondWithProblem(c, error) : c.json({ escaped: String(error) }, 500),
  );
  return app;
}

async function problem(response: Response, status: number, code: string): Promise<Record<string, unknown>> {
  assert.equal(response.status, status);
  assert.equal(response.headers.get("content-type"), PROBLEM_MEDIA_TYPE);
  const body = (await response.json()) as Record<string, unknown>;
  assert.equal(body.code, code);
  assert.equal(body.status, status);
  return body;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest();

let db: Database;
before(async () => {
  db = await openApiDatabase({});
});
after(() => db?.close());

describe("ApiKeyStore", () => {
  it("makes a key tmk_<id>_<secret> that authenticates to its id, name and scopes", async () => {
    const store = new ApiKeyStore(db);
    const created = await store.create({ name: "ci", scopes: ["verify", "relay", "verify"] });
    assert.match(created.key, /^tmk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    assert.ok(created.key.startsWith(`tmk_${created.id}_`));
    assert.deepEqual(created.scopes, ["verify", "relay"]);
    assert.ok(created.createdAt instanceof Date && Date.now() - created.createdAt.getTime() < 60_000);
    const record = await new ApiKeyStore(db).authenticate(created.key);
    assert.deepEqual(record, { id: created.id, name: "ci", scopes: ["verify", "relay"] });
  });

  it("stores only the SHA-256 of the secret: the secret appears nowhere in the table", async () => {
    const store = new ApiKeyStore(db);
    const created = await store.create({ name: "hashed", scopes: ["admin"] });
    const secret = created.key.slice(`tmk_${created.id}_`.length);
    const rows = await db.query<{ secret_hash: Uint8Array; everything: string }>(
      `SELECT secret_hash, row_to_json(k)::text AS everything FROM ${API_SCHEMA}.api_keys k WHERE id = $1`,
      [created.id],
    );
    assert.equal(rows.length, 1);
    assert.deepEqual(Buffer.from(rows[0]!.secret_hash), sha256(secret));
    assert.ok(!rows[0]!.everything.includes(secret));
    assert.ok(!rows[0]!.everything.includes(Buffer.from(secret).toString("hex")));
  });

  it("rejects a wrong secret, an unknown id and malformed keys", async () => {
    const store = new ApiKeyStore(db);
    const { id, key } = await store.create({ name: "target", scopes: ["verify"] });
    const secret = key.slice(`tmk_${id}_`.length);
    const flipped = secret.slice(0, -1) + (secret.endsWith("A") ? "B" : "A");
    const rejected = [
      `tmk_${id}_${flipped}`,
      `tmk_${"0".repeat(16)}_${secret}`,
      "",
      "tmk_",
      `tmk_${id}_`,
      `tmk_${id}`,
      `${key}x`,
      ` ${key}`,
      `TMK_${id}_${secret}`,
      `tmk_${id.toUpperCase()}_${secret}`,
      `tmk_${id}_${secret.slice(1)}`,
      `tmk_${id}_${"é".repeat(43)}`,
      `tmk_${id}_${secret}\n`,
      "tmk_' OR 1=1 --_" + "a".repeat(43),
      "x".repeat(100_000),
    ];
    for (const presented of rejected) {
      assert.equal(await store.authenticate(presented), undefined, JSON.stringify(presented.slice(0, 80)));
    }
    assert.equal(await store.authenticate(undefined as unknown as string), undefined);
    assert.equal(await store.authenticate(42 as unknown as string), undefined);
    assert.ok(await store.authenticate(key));
  });

  it("compares in constant time on every path past the format: known, unknown and revoked ids alike", async () => {
    const store = new ApiKeyStore(db);
    const { id, key } = await store.create({ name: "timing", scopes: ["verify"] });
    const secret = key.slice(`tmk_${id}_`.length);
    const spy = mock.method(crypto, "timingSafeEqual");
    syncBuiltinESMExports();
    try {
      const comparisons = async (presented: string) => {
        spy.mock.resetCalls();
        await store.authenticate(presented);
        return spy.mock.calls.map((call) => call.arguments.map((buffer) => (buffer as Buffer).length));
      };
      assert.deepEqual(await comparisons(key), [[32, 32]]);
      assert.deepEqual(await comparisons(`tmk_${id}_${"A".repeat(43)}`), [[32, 32]]);
      // The unknown id takes the same comparison, against a dummy hash, instead of returning early.
      assert.deepEqual(await comparisons(`tmk_${"f".repeat(16)}_${secret}`), [[32, 32]]);
      await store.revoke(id);
      assert.deepEqual(await comparisons(key), [[32, 32]]);
    } finally {
      spy.mock.restore();
      syncBuiltinESMExports();
    }
  });

  it("revokes at once through the same store, and through another store within its cache bound", async () => {
    const clock = manualClock();
    const issuer = new ApiKeyStore(db);
    const elsewhere = new ApiKeyStore(db, { cacheTtlMs: 5_000, now: clock.now });
    const { id, key } = await issuer.create({ name: "revoked", scopes: ["relay"] });
    assert.ok(await issuer.authenticate(key));
    assert.ok(await elsewhere.authenticate(key));

    const revoked = await issuer.revoke(id);
    assert.equal(revoked?.id, id);
    assert.ok(revoked?.revokedAt instanceof Date);
    assert.equal(await issuer.authenticate(key), undefined);
    // Another instance trusts its cached read for at most cacheTtlMs...
    clock.advance(4_999);
    assert.ok(await elsewhere.authenticate(key));
    // ...and reads the revocation once it is older.
    clock.advance(1);
    assert.equal(await elsewhere.authenticate(key), undefined);

    // Revoking again keeps the first time; an unknown id is undefined.
    const again = await issuer.revoke(id);
    assert.equal(again?.revokedAt?.getTime(), revoked.revokedAt.getTime());
    assert.equal(await issuer.revoke("0".repeat(16)), undefined);
  });

  it("does not remember unknown ids: a key made elsewhere works at once", async () => {
    const clock = manualClock();
    const reader = new ApiKeyStore(db, { cacheTtlMs: 60_000, now: clock.now });
    const id = crypto.randomBytes(8).toString("hex");
    const secret = crypto.randomBytes(32).toString("base64url");
    assert.equal(await reader.authenticate(`tmk_${id}_${secret}`), undefined);
    await db.query(`INSERT INTO ${API_SCHEMA}.api_keys (id, secret_hash, name, scopes) VALUES ($1, $2, $3, $4)`, [
      id,
      sha256(secret),
      "made elsewhere",
      ["verify"],
    ]);
    assert.deepEqual(await reader.authenticate(`tmk_${id}_${secret}`), {
      id,
      name: "made elsewhere",
      scopes: ["verify"],
    });
  });

  it("lists every key without secrets, revoked ones with when", async () => {
    const store = new ApiKeyStore(db);
    const kept = await store.create({ name: "listed", scopes: ["verify"] });
    const gone = await store.create({ name: "listed-revoked", scopes: ["admin", "relay"] });
    await store.revoke(gone.id);
    const all = await store.list();
    const byId = new Map(all.map((info) => [info.id, info]));
    assert.deepEqual(Object.keys(byId.get(kept.id)!).sort(), ["createdAt", "id", "name", "revokedAt", "scopes"]);
    assert.equal(byId.get(kept.id)!.revokedAt, null);
    assert.deepEqual(byId.get(gone.id)!.scopes, ["admin", "relay"]);
    assert.ok(byId.get(gone.id)!.revokedAt instanceof Date);
    assert.ok(!JSON.stringify(all).includes(kept.key.slice(21)));
  });

  it("refuses a key without a name or with unknown scopes", async () => {
    const store = new ApiKeyStore(db);
    await assert.rejects(store.create({ name: " ", scopes: ["verify"] }), /name/);
    await assert.rejects(store.create({ name: "x".repeat(101), scopes: ["verify"] }), /name/);
    await assert.rejects(store.create({ name: "none", scopes: [] }), /at least one scope/);
    await assert.rejects(store.create({ name: "bad", scopes: ["verify", "root"] }), /Unknown scope root/);
  });
});

describe("requireApiKey", () => {
  let store: ApiKeyStore;
  let app: Hono<ApiEnv>;
  const seen: ApiKeyRecord[] = [];
  const keys: Record<"verify" | "relay" | "revoked", { id: string; key: string }> = {} as never;

  before(async () => {
    store = new ApiKeyStore(db);
    keys.verify = await store.create({ name: "verifier", scopes: ["verify"] });
    keys.relay = await store.create({ name: "relayer", scopes: ["relay", "admin"] });
    keys.revoked = await store.create({ name: "revoked", scopes: ["verify"] });
    await store.revoke(keys.revoked.id);
    const services = servicesOf(store, createRateLimiter({ rateLimitPerMinute: 1000, rateLimitStore: "memory" }, db));
    app = bareApp();
    for (const scope of ["verify", "relay", "admin"] as ApiKeyScope[]) {
      app.post(`/${scope}`, requireApiKey(services, scope), (c) => {
        seen.push(c.get("apiKey")!);
        return c.json({ ok: true });
      });
    }
  });

  const post = (path: string, headers: Record<string, string> = {}) => app.request(path, { method: "POST", headers });

  it("answers 401 with WWW-Authenticate when no key is presented, without running the handler", async () => {
    seen.length = 0;
    const response = await post("/verify");
    const body = await problem(response, 401, "unauthorized");
    assert.match(String(body.detail), /"verify" scope/);
    assert.equal(response.headers.get("www-authenticate"), 'Bearer realm="TaskMarket API"');
    assert.equal(seen.length, 0);
  });

  it("answers 401 for a wrong, malformed, revoked or non-Bearer key", async () => {
    seen.length = 0;
    const secret = keys.verify.key.slice(21);
    const wrong = `tmk_${keys.verify.id}_${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`;
    for (const headers of <Record<string, string>[]>[
      { "x-api-key": wrong },
      { "x-api-key": "" },
      { "x-api-key": "tmk_nope" },
      { "x-api-key": keys.revoked.key },
      { authorization: `Bearer ${keys.revoked.key}` },
      { authorization: `Basic ${Buffer.from(`user:${keys.verify.key}`).toString("base64")}` },
      { authorization: keys.verify.key },
      { authorization: "Bearer" },
    ]) {
      const response = await post("/verify", headers);
      await problem(response, 401, "unauthorized");
      assert.match(response.headers.get("www-authenticate")!, /^Bearer realm="TaskMarket API", error="invalid_token"$/);
    }
    assert.equal(seen.length, 0);
  });

  it("answers 403 when the key lacks the scope", async () => {
    seen.length = 0;
    const response = await post("/relay", { "x-api-key": keys.verify.key });
    const body = await problem(response, 403, "forbidden");
    assert.equal(body.requiredScope, "relay");
    assert.match(response.headers.get("www-authenticate")!, /error="insufficient_scope", scope="relay"/);
    assert.ok(!JSON.stringify(body).includes(keys.verify.key.slice(21)));
    assert.equal(seen.length, 0);
  });

  it("lets a key with the scope through, by x-api-key or Bearer token, and sets c.get('apiKey')", async () => {
    seen.length = 0;
    assert.equal((await post("/verify", { "x-api-key": keys.verify.key })).status, 200);
    assert.equal((await post("/relay", { authorization: `Bearer ${keys.relay.key}` })).status, 200);
    assert.equal((await post("/admin", { authorization: `bearer  ${keys.relay.key}` })).status, 200);
    assert.deepEqual(seen, [
      { id: keys.verify.id, name: "verifier", scopes: ["verify"] },
      { id: keys.relay.id, name: "relayer", scopes: ["relay", "admin"] },
      { id: keys.relay.id, name: "relayer", scopes: ["relay", "admin"] },
    ]);
  });

  it("answers 503, not 500, when the key store cannot be read", async () => {
    const broken = new ApiKeyStore({
      query: () => Promise.reject(new Error("connection refused")),
    } as unknown as Database);
    const brokenApp = bareApp();
    brokenApp.post("/verify", requireApiKey(servicesOf(broken, undefined as never), "verify"), (c) => c.json({}));
    const response = await brokenApp.request("/verify", { method: "POST", headers: { "x-api-key": keys.verify.key } });
    const body = await problem(response, 503, "unavailable");
    assert.ok(!JSON.stringify(body).includes("connection refused"));
  });
});

describe("memory rate limiter", () => {
  it("allows the limit per window, refuses the rest without counting them, and starts over in the next window", async () => {
    const clock = manualClock();
    const limiter = createRateLimiter({ rateLimitPerMinute: 3, rateLimitStore: "memory" }, db, { now: clock.now });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await limiter.hit("a"));
    assert.deepEqual(
      results.map((result) => [result.allowed, result.remaining]),
      [
        [true, 2],
        [true, 1],
        [true, 0],
        [false, 0],
        [false, 0],
      ],
    );
    assert.ok(results.every((result) => result.limit === 3 && result.resetSeconds === 50));
    assert.equal((await limiter.hit("b")).allowed, true);
    clock.advance(49_500);
    assert.equal((await limiter.hit("a")).resetSeconds, 1);
    clock.advance(500);
    assert.deepEqual(await limiter.hit("a"), { allowed: true, limit: 3, remaining: 2, resetSeconds: 60 });
    assert.deepEqual(await limiter.hit("a", 2), { allowed: true, limit: 3, remaining: 0, resetSeconds: 60 });
    assert.equal((await limiter.hit("c", 4)).allowed, false);
    assert.equal((await limiter.hit("c", 3)).allowed, true);
    await assert.rejects(limiter.hit("a", 0), RangeError);
    await assert.rejects(limiter.hit("a", 1.5), RangeError);
    await limiter.close();
  });

  it("holds at most maxBuckets buckets, dropping the earliest", async () => {
    const clock = manualClock();
    const limiter = createRateLimiter({ rateLimitPerMinute: 1, rateLimitStore: "memory" }, db, {
      now: clock.now,
      maxBuckets: 3,
    });
    for (const bucket of ["a", "b", "c"]) assert.equal((await limiter.hit(bucket)).allowed, true);
    assert.equal((await limiter.hit("a")).allowed, false);
    assert.equal((await limiter.hit("d")).allowed, true);
    // "a" was dropped to make room for "d"; "b" and "c" still count.
    assert.equal((await limiter.hit("a")).allowed, true);
    assert.equal((await limiter.hit("c")).allowed, false);
  });
});

/** The database store's behaviour, run on PGlite and on a PostgreSQL server. */
function databaseRateLimiterTests(open: () => Promise<{ first: Database; second: Database }>) {
  let first: Database;
  let second: Database;
  before(async () => ({ first, second } = await open()));

  const limiterOn = (database: Database, clock: { now: () => number }, limit = 3) =>
    createRateLimiter({ rateLimitPerMinute: limit, rateLimitStore: "database" }, database, { now: clock.now });

  it("allows the limit per window and starts over in the next window", async () => {
    const clock = manualClock();
    const limiter = limiterOn(first, clock);
    const bucket = `limit-${Math.random()}`;
    const allowed = [];
    for (let i = 0; i < 5; i++) allowed.push((await limiter.hit(bucket)).allowed);
    assert.deepEqual(allowed, [true, true, true, false, false]);
    assert.deepEqual(await limiter.hit(`${bucket}-other`), { allowed: true, limit: 3, remaining: 2, resetSeconds: 50 });
    clock.advance(50_000);
    assert.deepEqual(await limiter.hit(bucket), { allowed: true, limit: 3, remaining: 2, resetSeconds: 60 });
    assert.equal((await limiter.hit(bucket, 4)).allowed, false);
    await limiter.close();
  });

  it("shares its counters between limiters on the same database, also under concurrent hits", async () => {
    const clock = manualClock();
    const one = limiterOn(first, clock, 10);
    const other = limiterOn(second, clock, 10);
    const bucket = `shared-${Math.random()}`;
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? one : other).hit(bucket)));
    assert.equal(results.filter((result) => result.allowed).length, 10);
    assert.deepEqual(
      results
        .filter((result) => result.allowed)
        .map((result) => result.remaining)
        .sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    );
    assert.equal((await other.hit(bucket)).allowed, false);
    await Promise.all([one.close(), other.close()]);
  });

  it("prunes the windows before the current one", async () => {
    const clock = manualClock();
    const limiter = limiterOn(first, clock);
    const bucket = `prune-${Math.random()}`;
    await limiter.hit(bucket);
    clock.advance(RATE_LIMIT_WINDOW_MS);
    await limiter.hit(bucket);
    await limiter.close();
    const rows = await first.query<{ window_start: bigint }>(
      `SELECT window_start FROM ${API_SCHEMA}.rate_limits WHERE bucket = $1`,
      [bucket],
    );
    assert.deepEqual(
      rows.map((row) => Number(row.window_start)),
      [Math.floor(clock.now() / RATE_LIMIT_WINDOW_MS) * 60],
    );
  });
}

describe("database rate limiter on PGlite", () => {
  databaseRateLimiterTests(async () => ({ first: db, second: db }));
});

describe("database rate limiter on PostgreSQL", () => {
  const name = `taskmarket_api_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: `${POSTGRES}/postgres` });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const opened: Database[] = [];
  before(() => admin(`CREATE DATABASE ${name}`));
  after(async () => {
    for (const database of opened) await database.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  // Two databases, two connection pools: two API instances sharing one server.
  databaseRateLimiterTests(async () => {
    const first = await openApiDatabase({ url: `${POSTGRES}/${name}` });
    opened.push(first);
    const second = await openApiDatabase({ url: `${POSTGRES}/${name}` });
    opened.push(second);
    return { first, second };
  });
});

describe("rateLimit middleware", () => {
  let store: ApiKeyStore;
  let key: { id: string; key: string };
  let otherKey: { id: string; key: string };
  const limited = (limit: number) => {
    const services = servicesOf(store, createRateLimiter({ rateLimitPerMinute: limit, rateLimitStore: "memory" }, db));
    const app = bareApp();
    app.use("*", rateLimit(services));
    app.get("/health", (c) => c.json({ status: "ok" }));
    app.get("/ready", (c) => c.json({ ready: true }));
    app.get("/thing", (c) => c.json({ ok: true }));
    app.get("/fails", () => {
      throw new ApiProblem("not_found", "nothing here");
    });
    return app;
  };

  before(async () => {
    store = new ApiKeyStore(db);
    key = await store.create({ name: "limited", scopes: ["verify"] });
    otherKey = await store.create({ name: "limited-too", scopes: ["relay"] });
  });

  it("sets RateLimit headers on every response and answers 429 with Retry-After past the limit", async () => {
    const app = limited(2);
    const first = await app.request("/thing");
    assert.equal(first.status, 200);
    assert.equal(first.headers.get("ratelimit-limit"), "2");
    assert.equal(first.headers.get("ratelimit-remaining"), "1");
    assert.match(first.headers.get("ratelimit-reset")!, /^\d+$/);
    const error = await app.request("/fails");
    assert.equal(error.status, 404);
    assert.equal(error.headers.get("ratelimit-remaining"), "0");
    const refused = await app.request("/thing");
    const body = await problem(refused, 429, "rate_limited");
    const retryAfter = Number(refused.headers.get("retry-after"));
    assert.ok(retryAfter >= 1 && retryAfter <= 60);
    assert.equal(refused.headers.get("ratelimit-reset"), String(retryAfter));
    assert.equal(refused.headers.get("ratelimit-remaining"), "0");
    assert.equal(body.limit, 2);
  });

  it("does not count /health and /ready", async () => {
    const app = limited(1);
    for (let i = 0; i < 3; i++) {
      const response = await app.request("/health");
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("ratelimit-limit"), null);
      assert.equal((await app.request("/ready")).status, 200);
    }
    assert.equal((await app.request("/thing")).status, 200);
    assert.equal((await app.request("/thing")).status, 429);
  });

  it("counts a valid key in its own bucket, and an invalid key against the client's address", async () => {
    const app = limited(1);
    assert.equal((await app.request("/thing")).status, 200);
    assert.equal((await app.request("/thing")).status, 429);
    assert.equal((await app.request("/thing", { headers: { "x-api-key": key.key } })).status, 200);
    assert.equal((await app.request("/thing", { headers: { authorization: `Bearer ${key.key}` } })).status, 429);
    assert.equal((await app.request("/thing", { headers: { "x-api-key": otherKey.key } })).status, 200);
    const forged = `tmk_${key.id}_${"A".repeat(43)}`;
    assert.equal((await app.request("/thing", { headers: { "x-api-key": forged } })).status, 429);
    assert.equal((await app.request("/thing", { headers: { "x-api-key": "garbage" } })).status, 429);
  });

  it("ignores x-forwarded-for: in process every request shares one bucket", async () => {
    const app = limited(2);
    for (const forwarded of ["203.0.113.1", "203.0.113.2"]) {
      assert.equal((await app.request("/thing", { headers: { "x-forwarded-for": forwarded } })).status, 200);
    }
    assert.equal((await app.request("/thing", { headers: { "x-forwarded-for": "203.0.113.3" } })).status, 429);
  });

  it("keys on the socket's address when served, whatever x-forwarded-for and x-real-ip say", async () => {
    const app = limited(2);
    const server = await new Promise<ServerType>((resolve) => {
      const started = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(started));
    });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/thing`;
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        const response = await fetch(url, {
          headers: {
            "x-forwarded-for": `198.51.100.${i}`,
            "x-real-ip": `198.51.100.${i}`,
            forwarded: `for=10.0.0.${i}`,
          },
        });
        statuses.push(response.status);
        await response.arrayBuffer();
      }
      assert.deepEqual(statuses, [200, 200, 429, 429]);
      // A key gets its own bucket over the socket too.
      const withKey = await fetch(url, { headers: { "x-api-key": key.key } });
      assert.equal(withKey.status, 200);
      await withKey.arrayBuffer();
    } finally {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    }
  });

  it("answers 503, not 500, when the limiter's store fails", async () => {
    const failing: RateLimiter = { hit: () => Promise.reject(new Error("db down")), close: async () => undefined };
    const app = bareApp();
    app.use("*", rateLimit(servicesOf(store, failing)));
    app.get("/thing", (c) => c.json({}));
    const body = await problem(await app.request("/thing"), 503, "unavailable");
    assert.ok(!JSON.stringify(body).includes("db down"));
  });

  it("counts IPv6 clients per /64 and IPv4-mapped addresses as IPv4", () => {
    assert.equal(addressBucket("203.0.113.7"), "203.0.113.7");
    assert.equal(addressBucket("::ffff:203.0.113.7"), "203.0.113.7");
    assert.equal(addressBucket("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
    assert.equal(addressBucket("2001:0DB8:0001:0002:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
    assert.equal(addressBucket("2001:db8::1"), "2001:db8:0:0::/64");
    assert.equal(addressBucket("fe80::1%eth0"), "fe80:0:0:0::/64");
    assert.equal(addressBucket("::1"), "0:0:0:0::/64");
    assert.equal(addressBucket("64:ff9b::192.0.2.33"), "64:ff9b:0:0::/64");
  });
});

describe("the API's command line", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "taskmarket-api-keys-"));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  function run(args: string[], env: Record<string, string> = { API_DATA_DIR: dataDir }) {
    const child = spawn(process.execPath, [MAIN, ...args], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    const timeout = setTimeout(() => child.kill(), 60_000);
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      child.on("exit", (code) => {
        clearTimeout(timeout);
        resolve({ code, stdout, stderr });
      }),
    );
  }

  it("makes a key (printed once), lists it without the secret, and revokes it", async () => {
    const created = await run(["keys", "create", "--name", "cli", "--scope", "verify", "--scope", "relay"]);
    assert.equal(created.code, 0, created.stderr);
    const key = /^(tmk_([0-9a-f]{16})_[A-Za-z0-9_-]{43})$/m.exec(created.stdout);
    assert.ok(key, created.stdout);
    const [, secretKey, id] = key as unknown as [string, string, string];

    const listed = await run(["keys", "list", "--json"]);
    assert.equal(listed.code, 0, listed.stderr);
    const list = JSON.parse(listed.stdout) as { id: string; name: string; scopes: string[]; revokedAt: null }[];
    assert.deepEqual(
      list.map(({ id, name, scopes, revokedAt }) => ({ id, name, scopes, revokedAt })),
      [{ id, name: "cli", scopes: ["verify", "relay"], revokedAt: null }],
    );
    assert.ok(!listed.stdout.includes(secretKey.slice(21)));

    const revoked = await run(["keys", "revoke", id]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, new RegExp(`Revoked API key ${id}`));
    const table = await run(["keys", "list"]);
    assert.match(table.stdout, new RegExp(`^${id}\\s+cli\\s+verify,relay\\s+\\S+Z\\s+\\S+Z$`, "m"));

    // The key the command printed is the one stored: it authenticates until revoked.
    const database = await openApiDatabase({ dataDir });
    try {
      assert.equal(await new ApiKeyStore(database).authenticate(secretKey), undefined);
      await database.query(`UPDATE ${API_SCHEMA}.api_keys SET revoked_at = NULL WHERE id = $1`, [id]);
      assert.equal((await new ApiKeyStore(database).authenticate(secretKey))?.id, id);
    } finally {
      await database.close();
    }
  });

  it("exits 2 on a command line it does not understand, 1 on a configuration error", async () => {
    for (const args of [
      ["frobnicate"],
      ["keys"],
      ["keys", "create", "--scope", "verify"],
      ["keys", "create", "--name", "x"],
      ["keys", "create", "--name", "x", "--scope", "root"],
      ["keys", "create", "--name", "x", "--scope", "verify", "--colour", "red"],
      ["keys", "revoke"],
      ["keys", "revoke", "not-an-id"],
      ["serve", "extra"],
    ]) {
      const result = await run(args);
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, /^error: .+\nRun `npm run api -- help` for usage\.\n$/);
    }
    const unknown = await run(["keys", "revoke", "0".repeat(16)]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No API key 0{16}/);
    const noDatabase = await run(["keys", "list"], {});
    assert.equal(noDatabase.code, 1);
    assert.match(noDatabase.stderr, /DATABASE_URL or API_DATA_DIR/);
    const noSubgraph = await run(["serve"], {});
    assert.equal(noSubgraph.code, 1);
    assert.match(noSubgraph.stderr, /SUBGRAPH_URL/);
    const badPort = await run([], { SUBGRAPH_URL: "http://127.0.0.1:1/graphql", API_PORT: "70000" });
    assert.equal(badPort.code, 1);
    assert.match(badPort.stderr, /API_PORT must be an integer/);
    assert.doesNotMatch(badPort.stderr, /\n\s+at /);
  });
});
