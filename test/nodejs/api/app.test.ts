// What every request passes through, over one real stack (local chain, local graph node, API): liveness and
// readiness, the OpenAPI 3.1 document with every route of the product page, the docs page, problem documents for
// unknown routes, malformed JSON, wrong content types and oversized bodies, the rate limit through the whole app,
// the CORS allowlist, secure headers, error bodies without internals, and `npm run api` serving the stack.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { createApp } from "../../../api/src/app.ts";
import { PROBLEM_MEDIA_TYPE } from "../../../api/src/problems.ts";
import { createRateLimiter } from "../../../api/src/security/rate-limit.ts";
import { openServices, silentLogger, type ApiServices } from "../../../api/src/services.ts";
import type { Database } from "../../../api/src/store/api-database.ts";
import { writeDeployment } from "../../../scripts/deployment.js";
import { startStack, type Stack } from "./helpers/stack.ts";

const MAIN = join(import.meta.dirname, "..", "..", "..", "api", "src", "main.ts");
const ALLOWED_ORIGIN = "https://app.taskmarket.example";
const BODY_LIMIT = 2048;

/** The routes of the product page, as OpenAPI spells them. */
const PRODUCT_ROUTES = [
  "post /tasks",
  "get /tasks/{id}",
  "patch /tasks/{id}/state",
  "get /tasks/search",
  "post /agents",
  "get /agents/{id}",
  "post /agents/{id}/claim",
  "get /agents/{id}/tasks",
  "post /verify",
  "get /verify/{id}",
  "post /verify/{id}/challenge",
  "get /verify/methods",
  "get /reputation/{id}",
  "get /reputation/{id}/history",
  "get /reputation/leaderboard",
  "post /settle",
  "get /settle/{id}",
  "post /escrow",
  "get /escrow/{id}/release",
];

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Text that would mean an error body leaks internals: stack frames, source paths, dependency names. */
const INTERNALS = /\n\s+at |\bat .+:\d+:\d+|\.ts:\d+|node_modules|\/work\/|file:\/\/|Error: /;

type Json = Record<string, unknown>;

let stack: Stack;
/** Every error body this file saw, checked for internals at the end. */
const errorBodies: string[] = [];

async function send(path: string, init: RequestInit = {}, app = stack.app): Promise<Response> {
  const response = await app.request(path, init);
  if (response.status >= 400) {
    const text = await response.clone().text();
    errorBodies.push(text);
  }
  return response;
}

async function assertProblem(response: Response, status: number, code: string): Promise<Json> {
  assert.equal(response.status, status, `expected ${status} ${code}, got ${response.status}`);
  assert.equal(response.headers.get("content-type"), PROBLEM_MEDIA_TYPE);
  const body = (await response.json()) as Json;
  assert.equal(body.code, code, JSON.stringify(body));
  assert.equal(body.status, status);
  assert.equal(body.type, `urn:taskmarket:problem:${code}`);
  assert.equal(typeof body.title, "string");
  assert.equal(typeof body.detail, "string");
  assert.doesNotMatch(JSON.stringify(body), INTERNALS);
  return body;
}

/** A port nothing listens on: bound, then released. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

before(async () => {
  stack = await startStack({ config: { corsOrigins: [ALLOWED_ORIGIN], bodyLimitBytes: BODY_LIMIT } });
});
after(() => stack?.stop());

describe("health and readiness", () => {
  it("GET /health answers 200 without touching a dependency or the rate limit", async () => {
    const response = await send("/health");
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: "ok" });
    assert.equal(response.headers.get("ratelimit-limit"), null);
  });

  it("GET /ready answers 200 when the database, the chain and the indexer all answer", async () => {
    const response = await send("/ready");
    assert.equal(response.status, 200);
    const body = (await response.json()) as { ready: boolean; checks: Record<string, { ok: boolean }> };
    assert.equal(body.ready, true);
    assert.deepEqual(Object.keys(body.checks).sort(), ["chain", "database", "indexer"]);
    assert.ok(Object.values(body.checks).every((check) => check.ok));
  });

  it("GET /ready answers 503 naming the indexer when the indexer does not answer", async () => {
    const port = await deadPort();
    const services = await openServices(
      { ...stack.config, subgraphUrl: `http://127.0.0.1:${port}/subgraphs/name/taskmarket`, upstreamTimeoutMs: 2_000 },
      { deployment: stack.deployment, log: silentLogger },
    );
    try {
      const response = await send("/ready", {}, createApp(services));
      assert.equal(response.status, 503);
      const body = (await response.json()) as { ready: boolean; checks: Record<string, { ok: boolean }> };
      assert.equal(body.ready, false);
      assert.equal(body.checks.indexer!.ok, false);
      assert.equal(body.checks.database!.ok, true);
      assert.equal(body.checks.chain!.ok, true);
    } finally {
      await services.close();
    }
  });
});

describe("the OpenAPI document and the docs", () => {
  let document: Json & {
    openapi: string;
    info: Json;
    paths: Record<string, Record<string, Json>>;
    components?: Record<string, Record<string, unknown>>;
  };
  before(async () => {
    const response = await send("/openapi.json");
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type")!, /^application\/json/);
    document = (await response.json()) as typeof document;
  });

  it("is OpenAPI 3.1 with the API's info", () => {
    assert.match(document.openapi, /^3\.1\.\d+$/);
    assert.equal(document.info.title, "TaskMarket API");
    assert.match(String(document.info.version), /^\d+\.\d+\.\d+/);
    assert.equal(typeof document.info.description, "string");
    assert.deepEqual(document.components?.securitySchemes?.ApiKey, {
      type: "apiKey",
      in: "header",
      name: "x-api-key",
      description: (document.components!.securitySchemes!.ApiKey as Json).description,
    });
  });

  it("lists every route of the product page", () => {
    const listed = new Set(
      Object.entries(document.paths).flatMap(([path, item]) =>
        Object.keys(item)
          .filter((method) => HTTP_METHODS.includes(method))
          .map((method) => `${method} ${path}`),
      ),
    );
    const missing = PRODUCT_ROUTES.filter((route) => !listed.has(route));
    assert.deepEqual(missing, [], `missing from /openapi.json: ${missing.join(", ")}`);
  });

  it("is well formed: documented operations, declared path parameters, resolvable references", () => {
    const operationIds = new Set<string>();
    for (const [path, item] of Object.entries(document.paths)) {
      assert.match(path, /^\//);
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
      for (const [method, operation] of Object.entries(item)) {
        if (!HTTP_METHODS.includes(method)) continue;
        const where = `${method.toUpperCase()} ${path}`;
        assert.ok(Array.isArray(operation.tags) && operation.tags.length > 0, `${where}: no tags`);
        assert.ok(typeof operation.summary === "string" && operation.summary.length > 0, `${where}: no summary`);
        const responses = operation.responses as Record<string, Json> | undefined;
        assert.ok(responses && Object.keys(responses).length > 0, `${where}: no responses`);
        for (const [status, response] of Object.entries(responses)) {
          assert.match(status, /^([1-5]\d\d|[1-5]XX|default)$/, `${where}: response ${status}`);
          assert.equal(typeof response.description, "string", `${where} ${status}: no description`);
          // /ready answers 503 with its readiness document, which says which check failed.
          if (/^[45]/.test(status) && response.content && where !== "GET /ready") {
            assert.ok(
              (response.content as Json)[PROBLEM_MEDIA_TYPE],
              `${where} ${status}: errors are problem documents`,
            );
          }
        }
        if (typeof operation.operationId === "string") {
          assert.ok(!operationIds.has(operation.operationId), `${where}: duplicate operationId`);
          operationIds.add(operation.operationId);
        }
        const parameters = (operation.parameters ?? []) as { name: string; in: string; required?: boolean }[];
        for (const parameter of parameters) {
          assert.ok(["path", "query", "header", "cookie"].includes(parameter.in), `${where}: ${parameter.in}`);
        }
        const pathParameters = parameters.filter((parameter) => parameter.in === "path");
        assert.deepEqual(
          pathParameters.map((parameter) => parameter.name).sort(),
          [...templated].sort(),
          `${where}: path parameters`,
        );
        assert.ok(
          pathParameters.every((parameter) => parameter.required === true),
          `${where}: path parameters are required`,
        );
        const body = operation.requestBody as Json | undefined;
        if (body) {
          assert.equal(body.required, true, `${where}: a request body must be required (else validation is skipped)`);
          assert.ok((body.content as Json)["application/json"], `${where}: a JSON request body`);
        }
        for (const requirement of (operation.security ?? []) as Json[]) {
          for (const scheme of Object.keys(requirement)) {
            assert.ok(document.components?.securitySchemes?.[scheme], `${where}: unknown security scheme ${scheme}`);
          }
        }
      }
    }
    const references = [...JSON.stringify(document).matchAll(/"\$ref":"([^"]+)"/g)].map((match) => match[1]!);
    for (const reference of new Set(references)) {
      const match = /^#\/components\/([^/]+)\/([^/]+)$/.exec(reference);
      assert.ok(match, `unexpected $ref ${reference}`);
      assert.ok(document.components?.[match[1]!]?.[match[2]!], `unresolved $ref ${reference}`);
    }
  });

  it("GET /docs serves the interactive docs as HTML, pointing at /openapi.json", async () => {
    const response = await send("/docs");
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type")!, /^text\/html/);
    const html = await response.text();
    assert.match(html, /<html/i);
    assert.match(html, /\/openapi\.json/);
  });
});

describe("errors every route shares", () => {
  it("an unknown route is a 404 problem", async () => {
    const body = await assertProblem(await send("/no/such/route"), 404, "route_not_found");
    assert.match(String(body.detail), /GET \/no\/such\/route/);
    await assertProblem(await send("/tasks", { method: "DELETE" }), 404, "route_not_found");
  });

  it("malformed JSON is a 400 malformed_json problem", async () => {
    for (const [path, method] of [
      ["/tasks", "POST"],
      ["/agents", "POST"],
    ] as const) {
      for (const text of ["{", '{"objective": }', "[1, 2", "\u0000", "{'single': 'quotes'}"]) {
        const response = await send(path, { method, headers: { "content-type": "application/json" }, body: text });
        await assertProblem(response, 400, "malformed_json");
      }
    }
  });

  it("a body that is not JSON is refused with 415, and a missing body with 400", async () => {
    for (const contentType of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
      const response = await send("/tasks", { method: "POST", headers: { "content-type": contentType }, body: "a=1" });
      await assertProblem(response, 415, "unsupported_media_type");
    }
    const untyped = await send("/tasks", { method: "POST", body: new TextEncoder().encode("{}") });
    await assertProblem(untyped, 415, "unsupported_media_type");
    const missing = await send("/tasks", { method: "POST" });
    const body = await assertProblem(missing, 400, "invalid_request");
    assert.ok(Array.isArray(body.errors) && body.errors.length > 0);
  });

  it("a body over the limit is a 413 problem, with or without a content-length", async () => {
    const big = JSON.stringify({ objective: "x".repeat(BODY_LIMIT) });
    const declared = await send("/tasks", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(big)) },
      body: big,
    });
    await assertProblem(declared, 413, "payload_too_large");
    const chunks = [big.slice(0, 1000), big.slice(1000)];
    const streamed = await send("/tasks", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({
        pull(controller) {
          const chunk = chunks.shift();
          if (chunk === undefined) controller.close();
          else controller.enqueue(new TextEncoder().encode(chunk));
        },
      }),
      duplex: "half",
    } as RequestInit);
    await assertProblem(streamed, 413, "payload_too_large");
  });

  it("past the rate limit the whole app answers 429 with Retry-After and RateLimit headers", async () => {
    const services: ApiServices = {
      ...stack.services,
      rateLimiter: createRateLimiter(
        { rateLimitPerMinute: 2, rateLimitStore: "memory" },
        undefined as unknown as Database,
      ),
    };
    const app = createApp(services);
    const statuses = [];
    for (let i = 0; i < 2; i++) {
      const response = await send("/verify/methods", {}, app);
      statuses.push(response.status);
      assert.equal(response.headers.get("ratelimit-limit"), "2");
      assert.equal(response.headers.get("ratelimit-remaining"), String(1 - i));
    }
    assert.deepEqual(statuses, [200, 200]);
    const refused = await send("/verify/methods", { headers: { "x-forwarded-for": "198.51.100.9" } }, app);
    await assertProblem(refused, 429, "rate_limited");
    assert.match(refused.headers.get("retry-after")!, /^\d+$/);
    assert.equal(refused.headers.get("ratelimit-remaining"), "0");
    assert.equal(refused.headers.get("x-content-type-options"), "nosniff");
    assert.equal((await send("/health", {}, app)).status, 200);
  });
});

describe("CORS and secure headers", () => {
  it("an allowed origin gets access-control-allow-origin, on requests and preflights", async () => {
    const response = await send("/health", { headers: { origin: ALLOWED_ORIGIN } });
    assert.equal(response.headers.get("access-control-allow-origin"), ALLOWED_ORIGIN);
    assert.match(response.headers.get("access-control-expose-headers") ?? "", /ratelimit-remaining/i);
    const preflight = await send("/tasks", {
      method: "OPTIONS",
      headers: {
        origin: ALLOWED_ORIGIN,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, x-api-key",
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), ALLOWED_ORIGIN);
    assert.match(preflight.headers.get("access-control-allow-methods")!, /POST/);
    assert.match(preflight.headers.get("access-control-allow-headers")!, /x-api-key/);
  });

  it("any other origin gets no access-control-allow-origin", async () => {
    for (const origin of [
      "https://evil.example",
      "null",
      `${ALLOWED_ORIGIN}.evil.example`,
      "http://app.taskmarket.example",
    ]) {
      const response = await send("/health", { headers: { origin } });
      assert.equal(response.headers.get("access-control-allow-origin"), null, origin);
      const preflight = await send("/tasks", {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST" },
      });
      assert.equal(preflight.headers.get("access-control-allow-origin"), null, origin);
    }
  });

  it("secure headers and a request id are on successes and on every kind of error", async () => {
    const responses = [
      await send("/health"),
      await send("/no/such/route"),
      await send("/tasks", { method: "POST", headers: { "content-type": "application/json" }, body: "{" }),
      await send("/tasks", {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": String(BODY_LIMIT + 1) },
        body: "x".repeat(BODY_LIMIT + 1),
      }),
    ];
    for (const response of responses) {
      const where = `${response.status}`;
      assert.equal(response.headers.get("x-content-type-options"), "nosniff", where);
      assert.equal(response.headers.get("x-frame-options"), "SAMEORIGIN", where);
      assert.match(response.headers.get("strict-transport-security") ?? "", /max-age=\d+/, where);
      assert.equal(response.headers.get("referrer-policy"), "no-referrer", where);
      assert.equal(response.headers.get("cross-origin-resource-policy"), "same-origin", where);
      assert.match(response.headers.get("x-request-id") ?? "", /^[\w-]+$/, where);
      assert.equal(response.headers.get("x-powered-by"), null, where);
    }
  });
});

describe("errors without internals", () => {
  it("an unexpected failure is a 500 internal problem without the message or a stack", async () => {
    const secret = "boom in /work/main/api/src/secret-place.ts:12:34";
    const failing = async () => {
      throw new TypeError(secret);
    };
    // The indexer and the chain fail in a way no route expects: a TypeError, not an upstream problem.
    const broken: ApiServices = {
      ...stack.services,
      subgraph: Object.create(stack.services.subgraph, { query: { value: failing }, head: { value: failing } }),
      chain: Object.create(stack.services.chain, { readTask: { value: failing }, ping: { value: failing } }),
    };
    const app = createApp(broken);
    let reached = 0;
    for (const path of [
      "/tasks/1",
      "/tasks/search?text=x",
      "/agents/0x0000000000000000000000000000000000000001",
      "/reputation/leaderboard",
    ]) {
      const response = await send(path, {}, app);
      const text = await response.text();
      assert.ok(!text.includes("boom"), `${path} leaks the message: ${text}`);
      assert.doesNotMatch(text, INTERNALS);
      if (response.status >= 500) {
        reached += 1;
        assert.equal(response.headers.get("content-type"), PROBLEM_MEDIA_TYPE);
        if (response.status === 500) assert.equal(JSON.parse(text).code, "internal");
      }
    }
    assert.ok(reached > 0, "no route reached the broken services");
  });

  it("no error body seen in this file carries a stack trace or a source path", () => {
    assert.ok(errorBodies.length > 10);
    for (const body of errorBodies) assert.doesNotMatch(body, INTERNALS, body);
  });
});

describe("npm run api", () => {
  it("serves the stack from the environment, and stops cleanly on SIGTERM", async () => {
    const directory = mkdtempSync(join(tmpdir(), "taskmarket-api-serve-"));
    const deploymentPath = join(directory, "deployment.json");
    writeDeployment(stack.deployment, deploymentPath);
    const child = spawn(process.execPath, [MAIN, "serve"], {
      env: {
        PATH: process.env.PATH,
        SUBGRAPH_URL: stack.config.subgraphUrl,
        TASKMARKET_RPC_URL: stack.chain.rpcUrl,
        TASKMARKET_DEPLOYMENT: deploymentPath,
        API_PORT: "0",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    const timeout = setTimeout(() => child.kill("SIGKILL"), 60_000);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk;
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
          if (match) resolve(match[1]!);
        });
        void exited.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)));
      });
      const health = await fetch(`${url}/health`);
      assert.equal(health.status, 200);
      const ready = await fetch(`${url}/ready`);
      assert.equal(ready.status, 200, await ready.clone().text());
      await ready.arrayBuffer();
      child.kill("SIGTERM");
      assert.equal(await exited, 0, stderr);
      assert.match(stdout, /SIGTERM: stopping the API/);
    } finally {
      clearTimeout(timeout);
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
