// Malformed input of every shape, thrown at every route the OpenAPI document lists, against one healthy stack: the
// API must answer each request with a success or a 4xx problem document, never a 5xx (502, 503 and 504 included: the
// chain and the indexer are up), and never with internals in the body. fast-check generates the requests from a fixed
// seed; a failure prints the seed and the request, and PROPERTY_SEED / PROPERTY_RUNS replay or widen a run.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import fc from "fast-check";

import { PROBLEM_MEDIA_TYPE } from "../../../api/src/problems.ts";
import { startStack, type Stack } from "./helpers/stack.ts";

const SEED = Number(process.env.PROPERTY_SEED ?? 20_260_601);
const RUNS_PER_ROUTE = Number(process.env.PROPERTY_RUNS ?? 60);
const BODY_METHODS = new Set(["post", "put", "patch", "delete"]);
const HTTP_METHODS = ["get", "post", "put", "patch", "delete"];
const INTERNALS = /\n\s+at |\bat .+:\d+:\d+|\.ts:\d+|node_modules|\/work\/|file:\/\//;

type Json = Record<string, unknown>;

interface Operation {
  method: string;
  path: string;
  pathParameters: string[];
  queryParameters: string[];
  /** The top-level fields of the JSON body, when the schema names them. */
  bodyFields: string[];
  hasBody: boolean;
}

interface GeneratedRequest {
  path: string;
  query: [string, string][];
  key: "none" | "valid" | "bearer" | "invalid";
  contentType: string | undefined;
  body: string | undefined;
}

let stack: Stack;
let operations: Operation[];
let validKey: string;

/** Resolves a local `$ref` against the document's components. */
function resolve(document: Json, schema: Json | undefined): Json | undefined {
  let current = schema;
  for (let depth = 0; current && typeof current.$ref === "string" && depth < 10; depth++) {
    const [, kind, name] = /^#\/components\/([^/]+)\/([^/]+)$/.exec(current.$ref) ?? [];
    current = ((document.components as Json | undefined)?.[kind!] as Json | undefined)?.[name!] as Json | undefined;
  }
  return current;
}

function fieldsOf(document: Json, schema: Json | undefined): string[] {
  const resolved = resolve(document, schema);
  if (!resolved) return [];
  const fields = new Set(Object.keys((resolved.properties as Json | undefined) ?? {}));
  for (const variant of [...((resolved.oneOf as Json[]) ?? []), ...((resolved.anyOf as Json[]) ?? [])]) {
    for (const field of fieldsOf(document, variant)) fields.add(field);
  }
  return [...fields];
}

function operationsOf(document: Json): Operation[] {
  const found: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, Json>>)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!HTTP_METHODS.includes(method)) continue;
      const parameters = (operation.parameters ?? []) as { name: string; in: string }[];
      const body = operation.requestBody as Json | undefined;
      const jsonSchema = ((body?.content as Json | undefined)?.["application/json"] as Json | undefined)?.schema as
        Json | undefined;
      found.push({
        method,
        path,
        pathParameters: [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!),
        queryParameters: parameters.filter((parameter) => parameter.in === "query").map((parameter) => parameter.name),
        bodyFields: fieldsOf(document, jsonSchema),
        hasBody: body !== undefined,
      });
    }
  }
  return found;
}

/*//////////////////////////////////////////////////////////////
                          ARBITRARIES
//////////////////////////////////////////////////////////////*/

const hexString = fc
  .uint8Array({ minLength: 0, maxLength: 40 })
  .map((bytes) => `0x${Buffer.from(bytes).toString("hex")}`);

/** Text that looks like an id, an amount or an address, or is nothing like one. */
const scalarText = fc.oneof(
  fc.nat().map(String),
  fc.constantFrom("0", "1", "2", "-1", "-0", "1e3", "1.5", "0x0", "0x1", "00", "NaN", "Infinity", "true", "null"),
  fc.bigInt({ min: 0n, max: 2n ** 300n }).map(String),
  fc.bigInt({ min: -(2n ** 256n), max: -1n }).map(String),
  hexString,
  fc.constant("0x0000000000000000000000000000000000000001"),
  fc.constant("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
  fc.constant("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.constantFrom("", " ", "é", "💥", "\u0000", "\uD800", "../..", "%", "a/b", "?x=1", "#frag", "__proto__"),
  fc.constant("9".repeat(200)),
);

/** Percent-encodes `text` as a client would; a lone surrogate becomes the (invalid UTF-8) bytes a sloppy one sends. */
function encodeSegment(text: string): string {
  let encoded = "";
  for (const codePoint of text) {
    try {
      encoded += encodeURIComponent(codePoint);
    } catch {
      encoded += "%ED%A0%80";
    }
  }
  return encoded;
}

/** A path segment: encoded as a client would, or raw with broken percent escapes. */
const pathSegment = fc.oneof(
  { weight: 4, arbitrary: scalarText.map(encodeSegment) },
  { weight: 1, arbitrary: fc.constantFrom("%", "%zz", "%E0%A4%A", "%00", "%2F", "%2e%2e", "%C0%AF", "..", ".") },
);

const jsonValue = fc.jsonValue({ maxDepth: 3 });

/** A value for a named field: of the right kind, the wrong kind, or anything. */
const fieldValue = fc.oneof(
  scalarText,
  jsonValue,
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.array(scalarText, { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), scalarText, { maxKeys: 4 }),
);

function deeplyNested(depth: number, open: string, close: string): string {
  return open.repeat(depth) + close.repeat(depth);
}

function bodyArbitrary(operation: Operation): fc.Arbitrary<string | undefined> {
  const shaped =
    operation.bodyFields.length > 0
      ? fc.record(Object.fromEntries(operation.bodyFields.map((field) => [field, fieldValue])), { requiredKeys: [] })
      : fc.object();
  return fc.oneof(
    { weight: 4, arbitrary: shaped.map((value) => JSON.stringify(value)) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(shaped, fc.dictionary(fc.string({ maxLength: 10 }), jsonValue, { maxKeys: 3 }))
        .map(([value, extra]) => JSON.stringify({ ...extra, ...value })),
    },
    { weight: 2, arbitrary: jsonValue.map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        "",
        "{",
        "}",
        "[1,",
        "{'a': 1}",
        "\uFEFF{}",
        "null",
        "1e999",
        '"\\uD800"',
        '{"__proto__": {"polluted": true}}',
        '{"constructor": {"prototype": {"polluted": true}}}',
        deeplyNested(5_000, "[", "]"),
        deeplyNested(2_000, '{"a":', "}").replace(/\}+$/, (closing) => `1${closing}`),
      ),
    },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant("application/json") },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      "application/json; charset=utf-8",
      "APPLICATION/JSON",
      "application/merge-patch+json",
      "application/jsonx",
      "text/plain",
      "text/html",
      "application/xml",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=----x",
      "application/octet-stream",
      "",
      ";;;",
    ),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

function requestArbitrary(operation: Operation): fc.Arbitrary<GeneratedRequest> {
  const segments = fc.tuple(...operation.pathParameters.map(() => pathSegment));
  const queryName = fc.oneof(
    ...(operation.queryParameters.length > 0 ? [fc.constantFrom(...operation.queryParameters)] : []),
    fc.string({ maxLength: 10 }),
    fc.constantFrom("__proto__", "constructor", "first", "skip", "orderBy", "where"),
  );
  const query = fc.array(fc.tuple(queryName, scalarText), { maxLength: 5 });
  const key = fc.constantFrom("none", "valid", "bearer", "invalid") as fc.Arbitrary<GeneratedRequest["key"]>;
  const withBody = BODY_METHODS.has(operation.method);
  return fc
    .record({
      segments: operation.pathParameters.length > 0 ? segments : fc.constant([] as string[]),
      query,
      key,
      contentType: withBody ? contentType : fc.constant(undefined),
      body: withBody ? bodyArbitrary(operation) : fc.constant(undefined),
    })
    .map(({ segments, query, key, contentType, body }) => {
      let index = 0;
      const path = operation.path.replace(/\{[^}]+\}/g, () => segments[index++]!);
      return { path, query, key, contentType, body };
    });
}

/*//////////////////////////////////////////////////////////////
                            CHECK
//////////////////////////////////////////////////////////////*/

function describeRequest(operation: Operation, request: GeneratedRequest, url: string): string {
  return JSON.stringify({
    operation: `${operation.method.toUpperCase()} ${operation.path}`,
    url,
    key: request.key,
    contentType: request.contentType,
    body: request.body === undefined ? undefined : request.body.slice(0, 300),
  });
}

async function check(operation: Operation, request: GeneratedRequest): Promise<void> {
  const search = new URLSearchParams(request.query).toString();
  const url = `${request.path}${search ? `?${search}` : ""}`;
  const headers: Record<string, string> = {};
  if (request.contentType !== undefined) headers["content-type"] = request.contentType;
  if (request.key === "valid") headers["x-api-key"] = validKey;
  if (request.key === "bearer") headers.authorization = `Bearer ${validKey}`;
  if (request.key === "invalid") headers["x-api-key"] = `tmk_${"0".repeat(16)}_${"A".repeat(43)}`;
  const response = await stack.app.request(url, {
    method: operation.method.toUpperCase(),
    headers,
    body: request.body,
  });
  const text = await response.text();
  const context = () => `${describeRequest(operation, request, url)}\n→ ${response.status} ${text.slice(0, 500)}`;
  assert.ok(response.status < 500, `a ${response.status}: ${context()}`);
  assert.doesNotMatch(text, INTERNALS, `internals in the body: ${context()}`);
  if (response.status < 400) return;
  assert.equal(response.headers.get("content-type"), PROBLEM_MEDIA_TYPE, `not a problem document: ${context()}`);
  let problem: Json;
  try {
    problem = JSON.parse(text) as Json;
  } catch {
    assert.fail(`a problem that is not JSON: ${context()}`);
  }
  assert.equal(problem.status, response.status, context());
  assert.equal(typeof problem.code, "string", context());
  assert.equal(problem.type, `urn:taskmarket:problem:${String(problem.code)}`, context());
  assert.equal(typeof problem.title, "string", context());
  assert.equal(typeof problem.detail, "string", context());
}

before(async () => {
  stack = await startStack({ config: { rateLimitPerMinute: 1_000_000 } });
  validKey = (await stack.services.apiKeys.create({ name: "property", scopes: ["verify", "relay", "admin"] })).key;
  const response = await stack.app.request("/openapi.json");
  assert.equal(response.status, 200);
  operations = operationsOf((await response.json()) as Json);
});
after(() => stack?.stop());

describe("malformed input at every route of /openapi.json", () => {
  it("finds the routes of the product page in the document", () => {
    assert.ok(operations.length >= 19, `only ${operations.length} operations in /openapi.json`);
  });

  it("answers every request with a success or a 4xx problem document, never a 5xx", async () => {
    const failures: string[] = [];
    for (const operation of operations) {
      try {
        await fc.assert(
          fc.asyncProperty(requestArbitrary(operation), (request) => check(operation, request)),
          { seed: SEED, numRuns: RUNS_PER_ROUTE, endOnFailure: false },
        );
      } catch (error) {
        const cause = (error as Error & { cause?: unknown }).cause;
        failures.push(
          `${operation.method.toUpperCase()} ${operation.path} (replay with PROPERTY_SEED=${SEED}):\n` +
            `${(error as Error).message}\n${cause instanceof Error ? cause.message : ""}`,
        );
      }
    }
    assert.deepEqual(failures, [], failures.join("\n\n"));
  });
});
