// The task document library of the API: strict validation with a JSON pointer and an actionable message for every
// rejected field, the safety checks that run before the schema (plain JSON, prototype keys, lone surrogates, size and
// depth), the JSON Schemas a document embeds, and the canonical form, keccak256 commitment and CID derived from it,
// cross-checked against independent computations.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";

import { Ajv2020 } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import { keccak256 as ethersKeccak256, toUtf8Bytes } from "ethers";

import {
  EXECUTOR_KIND_VALUES,
  MAX_TASK_DOCUMENT_JSON_BYTES,
  TASK_DOCUMENT_LIMITS,
  TASK_DOCUMENT_SCHEMA,
  TASK_DOCUMENT_VERSION,
  canonicalJson,
  canonicalizeTaskDocument,
  commitTaskDocument,
  parseTaskDocument,
  taskDocumentBytes,
  taskDocumentCid,
  taskDocumentHash,
  taskDocumentUri,
  validateTaskDocument,
  type JsonValue,
  type TaskDocument,
  type TaskDocumentError,
} from "../../../src/documents/index.ts";
import { ExecutorKind } from "../../../src/protocol/terms.ts";

const USDC = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48";

/** An agent extracting invoice lines: ERC-20 reward in milestones, automated checks, attestation, dependencies. */
function agentTask(): TaskDocument {
  return {
    version: TASK_DOCUMENT_VERSION,
    objective:
      "Extract every line item from the attached supplier invoices into structured JSON: description, quantity, " +
      "unit price and currency. Skip subtotal and tax lines.",
    input_constraints: {
      schema: {
        type: "object",
        required: ["invoices"],
        additionalProperties: false,
        properties: {
          invoices: {
            type: "array",
            minItems: 1,
            maxItems: 500,
            items: {
              type: "object",
              required: ["uri", "sha256"],
              additionalProperties: false,
              properties: {
                uri: { type: "string", format: "uri" },
                sha256: { type: "string", pattern: "^[0-9a-f]{64}$" },
              },
            },
          },
        },
      },
      media_types: ["application/pdf"],
      notes: "Scanned invoices from 2024, mostly in German; some pages are rotated.",
    },
    execution_requirements: {
      executor_kind: "agent",
      max_duration_seconds: 6 * 3600,
      claim_deadline: "2026-06-30T17:00:00Z",
      required_capabilities: ["lang:de", "skill:document-extraction"],
      tooling: ["ocr", "pdf-parser"],
      quality_thresholds: [
        { metric: "field-accuracy", min: 0.98 },
        { metric: "missing-lines", max: 0 },
      ],
    },
    verification_criteria: {
      method: "attestation",
      output_schema: {
        type: "object",
        required: ["lines"],
        additionalProperties: false,
        properties: {
          lines: {
            type: "array",
            items: {
              type: "object",
              required: ["invoice", "description", "quantity", "unit_price", "currency"],
              additionalProperties: false,
              properties: {
                invoice: { type: "integer", minimum: 0 },
                description: { type: "string", minLength: 1 },
                quantity: { type: "number" },
                unit_price: { type: "string", pattern: "^-?[0-9]+(\\.[0-9]+)?$" },
                currency: { type: "string", enum: ["EUR", "USD", "GBP"] },
              },
            },
          },
        },
      },
      acceptance_tests: {
        language: "javascript",
        source:
          'export default function test(output) {\n  if (output.lines.length === 0) throw new Error("no lines");\n}\n',
      },
      quality_metrics: [
        {
          name: "field-accuracy",
          description: "Share of extracted fields that match a verifier's own extraction of a 5% sample.",
          unit: "ratio",
        },
        { name: "missing-lines", description: "Line items in the invoices that are absent from the output." },
      ],
    },
    compensation: {
      token: USDC,
      reward: "250000000",
      claim_bond: "10000000",
      verifier_fee: "5000000",
      milestones: [
        { share_bps: 3000, deliverable: "The first 100 invoices" },
        { share_bps: 7000, deliverable: "The remaining invoices" },
      ],
    },
    dependencies: [
      { task_id: "41", relation: "requires" },
      { task_id: "57", relation: "enables" },
    ],
    metadata: {
      category: "data/extraction",
      tags: ["accounting", "invoices", "ocr"],
      difficulty: "medium",
      language: "de",
      extra: { client_reference: "PO-2026-0117", priority: 2 },
    },
  };
}

/** A person translating a leaflet: paid in ETH, reviewed by the poster, no automated checks. */
function humanTask(): TaskDocument {
  return {
    version: TASK_DOCUMENT_VERSION,
    objective:
      "Translate the attached product safety leaflet (about 1,800 words) from German into British English, keeping " +
      "the layout and the legal wording of the warnings.",
    input_constraints: {
      schema: {
        type: "object",
        required: ["leaflet"],
        additionalProperties: false,
        properties: { leaflet: { type: "string", format: "uri" } },
      },
      media_types: ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"],
      notes: "The glossary of the previous edition is linked from the leaflet's first page.",
    },
    execution_requirements: {
      executor_kind: "human",
      max_duration_seconds: 3 * 24 * 3600,
      claim_deadline: "2026-05-15T09:00:00Z",
      required_capabilities: ["skill:translation/de-en"],
    },
    verification_criteria: {
      method: "review",
      notes: "The poster compares the translation with the original, warning by warning.",
    },
    compensation: { token: "ETH", reward: "150000000000000000", claim_bond: "10000000000000000" },
    dependencies: [],
    metadata: { category: "translation", tags: ["de-en", "safety"], difficulty: "medium", language: "en-GB" },
  };
}

/** Only the required fields. */
function minimalTask(): TaskDocument {
  return {
    version: TASK_DOCUMENT_VERSION,
    objective: "Say hello.",
    input_constraints: { schema: {} },
    execution_requirements: { executor_kind: "any", max_duration_seconds: 60 },
    verification_criteria: { method: "optimistic" },
    compensation: { token: "ETH", reward: "1" },
    dependencies: [],
    metadata: { category: "test" },
  };
}

/** A document typed loosely, so that a test can write into it what `TaskDocument` forbids. */
type LooseDocument = any;

/** The agent task (or `base`) with `change` applied to a copy. */
function changed(change: (document: LooseDocument) => void, base: () => TaskDocument = agentTask): unknown {
  const document = structuredClone(base());
  change(document);
  return document;
}

function errorsOf(value: unknown): TaskDocumentError[] {
  const result = validateTaskDocument(value);
  assert.equal(result.ok, false, "expected the document to be rejected");
  return result.ok ? [] : result.errors;
}

/** Asserts that `value` is rejected with an error at `path` whose message matches `message`. */
function assertRejected(value: unknown, path: string, message: RegExp): void {
  const errors = errorsOf(value);
  const atPath = errors.find((error) => error.path === path);
  assert.ok(atPath, `expected an error at "${path}", got ${JSON.stringify(errors)}`);
  assert.match(atPath.message, message);
}

/** A JSON value nested `levels` arrays deep around `inner`. */
function nested(levels: number, inner: JsonValue = 0): JsonValue {
  let value = inner;
  for (let level = 0; level < levels; level++) value = [value];
  return value;
}

/** RFC 4648 base32, lowercase and unpadded, as multibase `b` writes it. */
function base32(bytes: Uint8Array): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  let buffer = 0;
  let bits = 0;
  let text = "";
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      text += alphabet[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) text += alphabet[(buffer << (5 - bits)) & 31];
  return text;
}

/** The CIDv1 of `bytes` with the raw codec and sha2-256, assembled by hand from its specification. */
function expectedCid(bytes: Uint8Array): string {
  const digest = createHash("sha256").update(bytes).digest();
  // CIDv1 = <version 0x01><codec raw 0x55><multihash: sha2-256 0x12, length 0x20, digest>.
  const cid = Uint8Array.from([0x01, 0x55, 0x12, 0x20, ...digest]);
  return `b${base32(cid)}`;
}

/** An Ajv configured as the library documents it, to learn the error message a schema compiles with. */
function ajvCompileError(schema: object): string {
  const ajv = new Ajv2020({ strict: true, logger: false });
  ajvFormats.default(ajv);
  try {
    ajv.compile(schema);
  } catch (error) {
    return (error as Error).message;
  }
  assert.fail("expected the schema not to compile");
}

describe("task document: valid documents", () => {
  for (const [name, build] of [
    ["an agent task", agentTask],
    ["a human task", humanTask],
    ["a task with only the required fields", minimalTask],
  ] as const) {
    it(`accepts ${name} and returns it unchanged`, () => {
      const document = build();
      const result = validateTaskDocument(document);
      assert.deepEqual(result, { ok: true, document });
      assert.equal(result.ok && result.document, document);
    });
  }

  it("accepts a proof task with its commitment", () => {
    const document = changed((task) => {
      task.verification_criteria.method = "proof";
      task.verification_criteria.proof = { scheme: "merkle-inclusion", commitment: `0x${"ab".repeat(32)}` };
    });
    assert.equal(validateTaskDocument(document).ok, true);
  });

  it("accepts a document sent as JSON text", () => {
    const result = parseTaskDocument(JSON.stringify(humanTask(), null, 2));
    assert.deepEqual(result, { ok: true, document: humanTask() });
  });

  it("accepts values at their bounds", () => {
    const document = changed((task) => {
      task.objective = "x".repeat(TASK_DOCUMENT_LIMITS.maxObjectiveLength);
      task.execution_requirements.max_duration_seconds = 2 ** 32 - 1;
      task.compensation.reward = (2n ** 128n - 1n).toString();
      task.compensation.claim_bond = "0";
      task.dependencies = [{ task_id: (2n ** 64n - 1n).toString(), relation: "requires" }];
      task.metadata.extra = { deep: nested(TASK_DOCUMENT_LIMITS.maxExtraDepth - 1) };
      task.input_constraints.schema = { type: "array", items: nested(0, {}) };
    });
    const result = validateTaskDocument(document);
    assert.equal(result.ok, true, JSON.stringify(!result.ok && result.errors));
  });

  it("names executor kinds as the contracts number them", () => {
    assert.deepEqual(EXECUTOR_KIND_VALUES, {
      any: ExecutorKind.Any,
      human: ExecutorKind.Human,
      agent: ExecutorKind.Agent,
    });
  });

  it("publishes a schema that is plain JSON and compiles on its own in strict mode", () => {
    assert.deepEqual(JSON.parse(JSON.stringify(TASK_DOCUMENT_SCHEMA)), TASK_DOCUMENT_SCHEMA);
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    ajvFormats.default(ajv, ["date-time"]);
    const validate = ajv.compile(TASK_DOCUMENT_SCHEMA);
    assert.equal(validate(agentTask()), true);
    assert.equal(validate(humanTask()), true);
  });
});

describe("task document: rejected fields", () => {
  const cases: [name: string, change: (document: LooseDocument) => void, path: string, message: RegExp][] = [
    // version and objective
    ["another version", (task) => (task.version = "taskmarket/task-document@2"), "/version", /only version/],
    ["no version", (task) => delete task.version, "/version", /^is required$/],
    ["an empty objective", (task) => (task.objective = ""), "/objective", /must not be empty/],
    ["a blank objective", (task) => (task.objective = " \n\t"), "/objective", /more than whitespace/],
    ["an objective that is not a string", (task) => (task.objective = ["do it"]), "/objective", /must be a string/],
    [
      "an objective that is too long",
      (task) => (task.objective = "x".repeat(TASK_DOCUMENT_LIMITS.maxObjectiveLength + 1)),
      "/objective",
      /at most 20000 characters/,
    ],
    // input_constraints
    ["no input constraints", (task) => delete task.input_constraints, "/input_constraints", /^is required$/],
    [
      "input constraints that are a string",
      (task) => (task.input_constraints = "json"),
      "/input_constraints",
      /must be an object/,
    ],
    ["no input schema", (task) => delete task.input_constraints.schema, "/input_constraints/schema", /^is required$/],
    [
      "an input schema that is an array",
      (task) => (task.input_constraints.schema = []),
      "/input_constraints/schema",
      /must be an object/,
    ],
    [
      "an input schema that is a boolean",
      (task) => (task.input_constraints.schema = true),
      "/input_constraints/schema",
      /must be an object/,
    ],
    [
      "a media type in capitals",
      (task) => (task.input_constraints.media_types = ["Text/CSV"]),
      "/input_constraints/media_types/0",
      /lowercase media type/,
    ],
    [
      "no media types in a list",
      (task) => (task.input_constraints.media_types = []),
      "/input_constraints/media_types",
      /at least 1 item$/,
    ],
    ["empty notes", (task) => (task.input_constraints.notes = ""), "/input_constraints/notes", /must not be empty/],
    [
      "an unknown input field",
      (task) => (task.input_constraints.format = "csv"),
      "/input_constraints/format",
      /not a field of \/input_constraints; expected "schema", "media_types", "notes"/,
    ],
    // execution_requirements
    [
      "an unknown executor kind",
      (task) => (task.execution_requirements.executor_kind = "robot"),
      "/execution_requirements/executor_kind",
      /must be one of "any", "human", "agent"/,
    ],
    [
      "an executor kind as its number",
      (task) => (task.execution_requirements.executor_kind = 2),
      "/execution_requirements/executor_kind",
      /must be a string/,
    ],
    [
      "a zero duration",
      (task) => (task.execution_requirements.max_duration_seconds = 0),
      "/execution_requirements/max_duration_seconds",
      /at least 1/,
    ],
    [
      "a fractional duration",
      (task) => (task.execution_requirements.max_duration_seconds = 1.5),
      "/execution_requirements/max_duration_seconds",
      /must be an integer/,
    ],
    [
      "a duration as a string",
      (task) => (task.execution_requirements.max_duration_seconds = "3600"),
      "/execution_requirements/max_duration_seconds",
      /must be an integer/,
    ],
    [
      "a duration beyond uint32",
      (task) => (task.execution_requirements.max_duration_seconds = 2 ** 32),
      "/execution_requirements/max_duration_seconds",
      /at most 4294967295/,
    ],
    [
      "no duration",
      (task) => delete task.execution_requirements.max_duration_seconds,
      "/execution_requirements/max_duration_seconds",
      /^is required$/,
    ],
    [
      "a deadline without a time",
      (task) => (task.execution_requirements.claim_deadline = "2026-06-30"),
      "/execution_requirements/claim_deadline",
      /UTC time to the second/,
    ],
    [
      "a deadline with an offset",
      (task) => (task.execution_requirements.claim_deadline = "2026-06-30T19:00:00+02:00"),
      "/execution_requirements/claim_deadline",
      /UTC time to the second/,
    ],
    [
      "a deadline with fractions of a second",
      (task) => (task.execution_requirements.claim_deadline = "2026-06-30T17:00:00.5Z"),
      "/execution_requirements/claim_deadline",
      /UTC time to the second/,
    ],
    [
      "a deadline that does not exist",
      (task) => (task.execution_requirements.claim_deadline = "2026-02-30T17:00:00Z"),
      "/execution_requirements/claim_deadline",
      /date and time that exists/,
    ],
    [
      "a deadline as a Unix time",
      (task) => (task.execution_requirements.claim_deadline = 1_782_838_800),
      "/execution_requirements/claim_deadline",
      /must be a string/,
    ],
    [
      "a capability in capitals",
      (task) => (task.execution_requirements.required_capabilities = ["Lang:Solidity"]),
      "/execution_requirements/required_capabilities/0",
      /namespaced lowercase capability/,
    ],
    [
      "a capability without a namespace",
      (task) => (task.execution_requirements.required_capabilities = ["solidity"]),
      "/execution_requirements/required_capabilities/0",
      /namespaced lowercase capability/,
    ],
    [
      "more capabilities than the market takes",
      (task) =>
        (task.execution_requirements.required_capabilities = Array.from(
          { length: 17 },
          (_, i) => `skill:s${String(i).padStart(2, "0")}`,
        )),
      "/execution_requirements/required_capabilities",
      /at most 16 items/,
    ],
    [
      "capabilities out of order",
      (task) => (task.execution_requirements.required_capabilities = ["skill:document-extraction", "lang:de"]),
      "/execution_requirements/required_capabilities/1",
      /must come before "skill:document-extraction"/,
    ],
    [
      "a repeated capability",
      (task) => (task.execution_requirements.required_capabilities = ["lang:de", "lang:de"]),
      "/execution_requirements/required_capabilities/1",
      /repeats item 0/,
    ],
    [
      "a tool with surrounding whitespace",
      (task) => (task.execution_requirements.tooling = [" ocr"]),
      "/execution_requirements/tooling/0",
      /whitespace/,
    ],
    [
      "a threshold without a bound",
      (task) => (task.execution_requirements.quality_thresholds = [{ metric: "field-accuracy" }]),
      "/execution_requirements/quality_thresholds/0",
      /needs a min, a max or both/,
    ],
    [
      "a threshold whose min exceeds its max",
      (task) => (task.execution_requirements.quality_thresholds = [{ metric: "field-accuracy", min: 0.9, max: 0.5 }]),
      "/execution_requirements/quality_thresholds/0/min",
      /greater than max \(0\.5\)/,
    ],
    [
      "a threshold on an undefined metric",
      (task) => (task.execution_requirements.quality_thresholds = [{ metric: "speed", min: 1 }]),
      "/execution_requirements/quality_thresholds/0/metric",
      /names no metric of \/verification_criteria\/quality_metrics/,
    ],
    [
      "two thresholds on one metric",
      (task) => task.execution_requirements.quality_thresholds.push({ metric: "field-accuracy", max: 1 }),
      "/execution_requirements/quality_thresholds/2/metric",
      /repeats the threshold for "field-accuracy"/,
    ],
    [
      "a threshold given as a string",
      (task) => (task.execution_requirements.quality_thresholds = [{ metric: "field-accuracy", min: "0.98" }]),
      "/execution_requirements/quality_thresholds/0/min",
      /must be a number/,
    ],
    // verification_criteria
    [
      "an unknown method",
      (task) => (task.verification_criteria.method = "vote"),
      "/verification_criteria/method",
      /must be one of "review", "attestation", "optimistic", "proof"/,
    ],
    ["no method", (task) => delete task.verification_criteria.method, "/verification_criteria/method", /^is required$/],
    [
      "the proof method without a commitment",
      (task) => (task.verification_criteria.method = "proof"),
      "/verification_criteria/proof",
      /required when method is "proof"/,
    ],
    [
      "a commitment for another method",
      (task) => (task.verification_criteria.proof = { scheme: "hash-commitment", commitment: `0x${"00".repeat(32)}` }),
      "/verification_criteria/proof",
      /only used with method "proof"/,
    ],
    [
      "a commitment in capitals",
      (task) =>
        (task.verification_criteria = {
          method: "proof",
          proof: { scheme: "hash-commitment", commitment: `0x${"AB".repeat(32)}` },
        }),
      "/verification_criteria/proof/commitment",
      /64 lowercase hexadecimal digits/,
    ],
    [
      "a short commitment",
      (task) =>
        (task.verification_criteria = { method: "proof", proof: { scheme: "hash-commitment", commitment: "0xabcd" } }),
      "/verification_criteria/proof/commitment",
      /64 lowercase hexadecimal digits/,
    ],
    [
      "an unknown proof scheme",
      (task) =>
        (task.verification_criteria = { method: "proof", proof: { scheme: "zk", commitment: `0x${"ab".repeat(32)}` } }),
      "/verification_criteria/proof/scheme",
      /must be one of "hash-commitment", "merkle-inclusion", "custom"/,
    ],
    [
      "tests in another language",
      (task) => (task.verification_criteria.acceptance_tests.language = "python"),
      "/verification_criteria/acceptance_tests/language",
      /must be "javascript"/,
    ],
    [
      "tests without source",
      (task) => (task.verification_criteria.acceptance_tests.source = ""),
      "/verification_criteria/acceptance_tests/source",
      /must not be empty/,
    ],
    [
      "tests that are too long",
      (task) =>
        (task.verification_criteria.acceptance_tests.source = "/".repeat(
          TASK_DOCUMENT_LIMITS.maxAcceptanceTestSourceLength + 1,
        )),
      "/verification_criteria/acceptance_tests/source",
      /at most 131072 characters/,
    ],
    [
      "an output schema that is a string",
      (task) => (task.verification_criteria.output_schema = "{}"),
      "/verification_criteria/output_schema",
      /must be an object/,
    ],
    [
      "a metric name in capitals",
      (task) => (task.verification_criteria.quality_metrics[0].name = "Accuracy"),
      "/verification_criteria/quality_metrics/0/name",
      /lowercase letters and digits/,
    ],
    [
      "a metric without a description",
      (task) => delete task.verification_criteria.quality_metrics[1].description,
      "/verification_criteria/quality_metrics/1/description",
      /^is required$/,
    ],
    [
      "a repeated metric",
      (task) => (task.verification_criteria.quality_metrics[1].name = "field-accuracy"),
      "/verification_criteria/quality_metrics/1/name",
      /repeats the metric "field-accuracy"/,
    ],
    // compensation
    [
      "a token in lowercase words",
      (task) => (task.compensation.token = "eth"),
      "/compensation/token",
      /"ETH" or an ERC-20 token address/,
    ],
    [
      "a token address without its checksum",
      (task) => (task.compensation.token = USDC.toLowerCase()),
      "/compensation/token",
      new RegExp(`checksummed form, "${USDC}"`),
    ],
    [
      "a token address that fails its checksum",
      (task) => (task.compensation.token = USDC.replace("A0b", "A0B")),
      "/compensation/token",
      /fails its EIP-55 checksum/,
    ],
    [
      "the zero address for ETH",
      (task) => (task.compensation.token = `0x${"0".repeat(40)}`),
      "/compensation/token",
      /write "ETH" instead/,
    ],
    [
      "a reward as a number",
      (task) => (task.compensation.reward = 250000000),
      "/compensation/reward",
      /decimal string such as "1000000", not a JSON number/,
    ],
    ["a zero reward", (task) => (task.compensation.reward = "0"), "/compensation/reward", /positive whole number/],
    [
      "a reward with a leading zero",
      (task) => (task.compensation.reward = "0250"),
      "/compensation/reward",
      /without leading zeros/,
    ],
    [
      "a reward with decimals",
      (task) => (task.compensation.reward = "2.5"),
      "/compensation/reward",
      /whole number of base units/,
    ],
    [
      "a reward beyond uint128",
      (task) => (task.compensation.reward = (2n ** 128n).toString()),
      "/compensation/reward",
      /exceeds 2\^128 - 1/,
    ],
    ["no reward", (task) => delete task.compensation.reward, "/compensation/reward", /^is required$/],
    [
      "a negative bond",
      (task) => (task.compensation.claim_bond = "-1"),
      "/compensation/claim_bond",
      /whole number of base units/,
    ],
    [
      "a bond as a number",
      (task) => (task.compensation.claim_bond = 0),
      "/compensation/claim_bond",
      /not a JSON number/,
    ],
    [
      "a verifier fee beyond uint128",
      (task) => (task.compensation.verifier_fee = "9".repeat(39)),
      "/compensation/verifier_fee",
      /exceeds 2\^128 - 1/,
    ],
    [
      "milestones that do not sum to 10,000",
      (task) => (task.compensation.milestones[1].share_bps = 6999),
      "/compensation/milestones",
      /sum to 9999 basis points; they must sum to 10000/,
    ],
    [
      "a single milestone",
      (task) => (task.compensation.milestones = [{ share_bps: 10000, deliverable: "All" }]),
      "/compensation/milestones",
      /at least 2 items/,
    ],
    [
      "a zero milestone",
      (task) => (task.compensation.milestones[0].share_bps = 0),
      "/compensation/milestones/0/share_bps",
      /at least 1/,
    ],
    [
      "a milestone share as a string",
      (task) => (task.compensation.milestones[0].share_bps = "3000"),
      "/compensation/milestones/0/share_bps",
      /must be an integer/,
    ],
    [
      "a milestone without a deliverable",
      (task) => delete task.compensation.milestones[0].deliverable,
      "/compensation/milestones/0/deliverable",
      /^is required$/,
    ],
    // dependencies
    ["dependencies that are not a list", (task) => (task.dependencies = "41"), "/dependencies", /must be an array/],
    ["no dependencies field", (task) => delete task.dependencies, "/dependencies", /^is required$/],
    [
      "task 0",
      (task) => (task.dependencies = [{ task_id: "0", relation: "requires" }]),
      "/dependencies/0/task_id",
      /task id in decimal/,
    ],
    [
      "a task id as a number",
      (task) => (task.dependencies[0].task_id = 41),
      "/dependencies/0/task_id",
      /decimal string such as "42", not a JSON number/,
    ],
    [
      "a task id beyond uint64",
      (task) => (task.dependencies = [{ task_id: (2n ** 64n).toString(), relation: "requires" }]),
      "/dependencies/0/task_id",
      /exceeds 2\^64 - 1/,
    ],
    ["dependencies out of order", (task) => task.dependencies.reverse(), "/dependencies/1", /must come before task 57/],
    [
      "one task with two relations",
      (task) => (task.dependencies[1].task_id = "41"),
      "/dependencies/1",
      /lists task 41 again/,
    ],
    [
      "a repeated dependency",
      (task) => task.dependencies.push({ task_id: "57", relation: "enables" }),
      "/dependencies/2",
      /repeats an earlier dependency/,
    ],
    [
      "an unknown relation",
      (task) => (task.dependencies[0].relation = "blocks"),
      "/dependencies/0/relation",
      /must be one of "requires", "enables"/,
    ],
    [
      "a dependency without a relation",
      (task) => delete task.dependencies[0].relation,
      "/dependencies/0/relation",
      /^is required$/,
    ],
    [
      "more dependencies than a module takes",
      (task) =>
        (task.dependencies = Array.from({ length: 9 }, (_, i) => ({ task_id: String(i + 1), relation: "requires" }))),
      "/dependencies",
      /at most 8 items/,
    ],
    // metadata
    ["no metadata", (task) => delete task.metadata, "/metadata", /^is required$/],
    ["a category in capitals", (task) => (task.metadata.category = "Data"), "/metadata/category", /lowercase words/],
    [
      "a category with an empty level",
      (task) => (task.metadata.category = "data//extraction"),
      "/metadata/category",
      /lowercase words/,
    ],
    ["a tag in capitals", (task) => (task.metadata.tags = ["OCR"]), "/metadata/tags/0", /lowercase letters and digits/],
    [
      "a tag that is too long",
      (task) => (task.metadata.tags = ["a".repeat(33)]),
      "/metadata/tags/0",
      /at most 32 characters/,
    ],
    [
      "tags out of order",
      (task) => (task.metadata.tags = ["ocr", "accounting"]),
      "/metadata/tags/1",
      /must come before "ocr"/,
    ],
    ["a repeated tag", (task) => (task.metadata.tags = ["ocr", "ocr"]), "/metadata/tags/1", /repeats item 0/],
    [
      "too many tags",
      (task) => (task.metadata.tags = Array.from({ length: 17 }, (_, i) => `t${String(i).padStart(2, "0")}`)),
      "/metadata/tags",
      /at most 16 items/,
    ],
    [
      "an unknown difficulty",
      (task) => (task.metadata.difficulty = "impossible"),
      "/metadata/difficulty",
      /must be one of "trivial", "easy", "medium", "hard", "expert"/,
    ],
    [
      "a language tag in the wrong case",
      (task) => (task.metadata.language = "en-gb"),
      "/metadata/language",
      /BCP 47 language tag in canonical case/,
    ],
    ["a language name", (task) => (task.metadata.language = "German"), "/metadata/language", /BCP 47/],
    [
      "extra data that is not an object",
      (task) => (task.metadata.extra = ["x"]),
      "/metadata/extra",
      /must be an object/,
    ],
    [
      "extra data with too many fields",
      (task) => (task.metadata.extra = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i]))),
      "/metadata/extra",
      /at most 64 fields/,
    ],
  ];

  for (const [name, change, path, message] of cases) {
    it(`rejects ${name} at ${path}`, () => assertRejected(changed(change), path, message));
  }

  it("reports every error of a document at once, one per field", () => {
    const errors = errorsOf(
      changed((task) => {
        task.objective = "";
        task.compensation.reward = 1;
        task.metadata.tags = ["b", "a"];
        task.unknown = true;
      }),
    );
    assert.deepEqual(errors.map((error) => error.path).sort(), [
      "/compensation/reward",
      "/metadata/tags/1",
      "/objective",
      "/unknown",
    ]);
  });
});

describe("task document: fields that are not the document's", () => {
  for (const field of ["id", "state", "created_at", "updated_at"]) {
    it(`rejects "${field}", which the chain assigns`, () =>
      assertRejected(
        changed((task) => (task[field] = "1")),
        `/${field}`,
        /not part of the task document: the market assigns a task's id, state and timestamps on-chain/,
      ));
  }

  for (const [path, expected] of [
    ["/inputConstraints", "/input_constraints"],
    ["/execution_requirements/maxDurationSeconds", "/execution_requirements/max_duration_seconds"],
    ["/compensation/claimBond", "/compensation/claim_bond"],
    ["/compensation/bond", "/compensation/claim_bond"],
    ["/execution_requirements/deadline", "/execution_requirements/claim_deadline"],
    ["/description", "/objective"],
    ["/metadata/required_capabilities", "/execution_requirements/required_capabilities"],
  ]) {
    it(`points ${path} to ${expected}, the one name for its meaning`, () => {
      const [, ...segments] = path.split("/");
      const document = changed((task) => {
        const parent = segments.slice(0, -1).reduce((object, key) => object[key], task);
        parent[segments.at(-1)!] = "x";
      });
      assertRejected(document, path, new RegExp(`says this with "${expected}"`));
    });
  }
});

describe("task document: values that are not plain, safe JSON", () => {
  for (const [name, value] of [
    ["null", null],
    ["an array", [agentTask()]],
    ["a string", JSON.stringify(agentTask())],
    ["a number", 1],
    ["undefined", undefined],
    ["a Map", new Map(Object.entries(agentTask()))],
  ] as const) {
    it(`rejects ${name} as a document`, () => {
      assert.deepEqual(errorsOf(value), [{ path: "", message: "must be a JSON object: the task document" }]);
    });
  }

  it("rejects JavaScript values that JSON cannot carry", () => {
    const date = new Date(0);
    const errors = errorsOf(
      changed((task) => {
        task.metadata.extra = { when: date, big: 1n, nothing: undefined, ratio: Number.NaN, far: Infinity };
      }),
    );
    assert.deepEqual(errors, [
      { path: "/metadata/extra/when", message: "must be a plain JSON object, not a Date" },
      { path: "/metadata/extra/big", message: "must be a JSON value, not a bigint" },
      { path: "/metadata/extra/nothing", message: "must be a JSON value, not undefined" },
      { path: "/metadata/extra/ratio", message: "must be a finite number, not NaN" },
      { path: "/metadata/extra/far", message: "must be a finite number, not Infinity" },
    ]);
  });

  for (const key of ["__proto__", "constructor", "prototype"]) {
    it(`rejects "${key}" keys anywhere, without touching Object.prototype`, () => {
      const text = JSON.stringify(agentTask())
        .replace('"extra":{', `"extra":{"${key}":{"polluted":true},`)
        .replace('"properties":{"lines"', `"properties":{"${key}":{"type":"string"},"lines"`);
      const document = JSON.parse(text) as unknown;
      const errors = errorsOf(document);
      assert.deepEqual(
        errors.map((error) => error.path),
        [`/verification_criteria/output_schema/properties/${key}`, `/metadata/extra/${key}`],
      );
      assert.match(errors[0].message, /JavaScript prototype property/);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
      assertRejected(JSON.parse(`{"${key}":{}}`), `/${key}`, /not allowed as a key/);
    });
  }

  it("rejects strings and keys with lone surrogates, and accepts surrogate pairs", () => {
    const text = JSON.stringify(agentTask())
      .replace('"objective":"', '"objective":"\\ud800')
      .replace('"extra":{', '"extra":{"\\udc00":1,"emoji":"\\ud83d\\ude00",');
    const errors = errorsOf(JSON.parse(text));
    assert.deepEqual(
      errors.map((error) => error.path),
      ["/objective", "/metadata/extra/\udc00"],
    );
    assert.match(errors[0].message, /lone UTF-16 surrogate/);

    const pairs = changed((task) => (task.objective = "Describe 😀 in one word"));
    assert.equal(validateTaskDocument(pairs).ok, true);
  });

  it("rejects a document over 256 KiB of canonical JSON before validating its fields", () => {
    // 2-byte characters: within the length limit of the field, over the size limit of the document.
    const errors = errorsOf(
      changed((task) => {
        task.verification_criteria.acceptance_tests.source = "é".repeat(
          TASK_DOCUMENT_LIMITS.maxAcceptanceTestSourceLength,
        );
        task.version = "wrong";
      }),
    );
    assert.equal(errors.length, 1);
    assert.equal(errors[0].path, "");
    assert.match(errors[0].message, /^is \d+ bytes in canonical form; a task document is at most 262144$/);
  });

  it("measures the size limit on the canonical form, not the text sent", () => {
    // Pretty-printed JSON has newlines only between tokens, never inside strings (which escape them).
    const padded = JSON.stringify(agentTask(), null, 2).replaceAll("\n", `\n${" ".repeat(4096)}`);
    assert.ok(padded.length > TASK_DOCUMENT_LIMITS.maxDocumentBytes);
    assert.equal(parseTaskDocument(padded).ok, true);
  });

  it("rejects nesting deeper than 32 levels wherever it is", () => {
    const errors = errorsOf(changed((task) => (task.metadata.extra = { deep: nested(40) })));
    assert.equal(errors.length, 1);
    assert.equal(errors[0].path, `/metadata/extra/deep${"/0".repeat(29)}`);
    assert.match(errors[0].message, /nests deeper than 32 levels/);
  });

  it("bounds the depth and size of the extra metadata", () => {
    assertRejected(
      changed((task) => (task.metadata.extra = { deep: nested(TASK_DOCUMENT_LIMITS.maxExtraDepth) })),
      "/metadata/extra",
      /nests 9 levels of objects and arrays deep; at most 8/,
    );
    assertRejected(
      changed((task) => (task.metadata.extra = { text: "x".repeat(TASK_DOCUMENT_LIMITS.maxExtraBytes) })),
      "/metadata/extra",
      /^is 16395 bytes in canonical form; at most 16384$/,
    );
  });

  it("bounds the depth and size of embedded schemas", () => {
    let deep: JsonValue = { type: "string" };
    for (let level = 0; level < 16; level++) deep = { type: "array", items: deep };
    assertRejected(
      changed((task) => (task.input_constraints.schema = deep)),
      "/input_constraints/schema",
      /nests 17 levels of objects and arrays deep; at most 16/,
    );
    const large = { type: "string", enum: Array.from({ length: 8000 }, (_, i) => `value-${i}`) };
    assertRejected(
      changed((task) => (task.verification_criteria.output_schema = large)),
      "/verification_criteria/output_schema",
      /^is \d+ bytes in canonical form; at most 65536$/,
    );
  });
});

describe("task document: embedded JSON Schemas", () => {
  const invalidSchemas: [string, object][] = [
    ["a type that does not exist", { type: "object", properties: { count: { type: "int" } } }],
    ["an unknown keyword", { type: "object", properties: { count: { type: "integer", minimal: 1 } } }],
    ["keywords without their type (strict types)", { properties: { count: { type: "integer" } } }],
    ["a required field it does not define (strict required)", { type: "object", required: ["count"] }],
    ["an unknown format", { type: "string", format: "postcode" }],
    ["a pattern that is not a regular expression", { type: "string", pattern: "([a-z]" }],
    ["a remote reference", { $ref: "https://example.com/schemas/invoice.json" }],
    ["another draft", { $schema: "http://json-schema.org/draft-07/schema#", type: "object" }],
  ];

  for (const [name, schema] of invalidSchemas) {
    for (const path of ["/input_constraints/schema", "/verification_criteria/output_schema"]) {
      it(`rejects ${name} at ${path} with Ajv's compile error`, () => {
        const document = changed((task) => {
          if (path === "/input_constraints/schema") task.input_constraints.schema = schema;
          else task.verification_criteria.output_schema = schema;
        });
        const error = errorsOf(document).find((candidate) => candidate.path === path);
        assert.ok(error);
        assert.equal(error.message, `is not a valid JSON Schema (draft 2020-12, strict): ${ajvCompileError(schema)}`);
      });
    }
  }

  it("compiles each poster's schema apart, so one's $id cannot serve another's $ref", () => {
    const withId = {
      type: "object",
      properties: { item: { $id: "urn:example:item", type: "string" } },
    };
    assert.equal(validateTaskDocument(changed((task) => (task.input_constraints.schema = withId))).ok, true);
    assertRejected(
      changed((task) => (task.input_constraints.schema = { $ref: "urn:example:item" })),
      "/input_constraints/schema",
      /can't resolve reference urn:example:item/,
    );
  });

  it("accepts a schema that names draft 2020-12 and uses formats", () => {
    const schema = {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      properties: { contact: { type: "string", format: "email" }, when: { type: "string", format: "date" } },
    };
    assert.equal(validateTaskDocument(changed((task) => (task.input_constraints.schema = schema))).ok, true);
  });
});

describe("task document: JSON text", () => {
  it("rejects text that is not JSON", () => {
    const result = parseTaskDocument('{"version": ');
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.errors[0].path, "");
    assert.match(!result.ok ? result.errors[0].message : "", /^is not valid JSON: /);
  });

  it("rejects text too large to parse", () => {
    const result = parseTaskDocument(" ".repeat(MAX_TASK_DOCUMENT_JSON_BYTES + 1));
    assert.deepEqual(result, {
      ok: false,
      errors: [{ path: "", message: `is ${MAX_TASK_DOCUMENT_JSON_BYTES + 1} bytes of JSON; at most 1048576` }],
    });
  });

  it("rejects repeated keys, pointing at the second copy", () => {
    const text = JSON.stringify(agentTask())
      .replace('"reward":"250000000"', '"reward":"250000000","reward":"1"')
      .replace('"extra":{', '"extra":{"a/b~c":1,"a/b~c":2,')
      .replace('"objective":"', '"objective":"1",\n  "objective" : "');
    const result = parseTaskDocument(text);
    assert.equal(result.ok, false);
    assert.deepEqual(!result.ok && result.errors.map((error) => error.path), [
      "/objective",
      "/compensation/reward",
      "/metadata/extra/a~1b~0c",
    ]);
    assert.match(!result.ok ? result.errors[0].message : "", /appears twice in the same object/);
  });

  it("is not misled by keys in strings, escapes or the same key in different objects", () => {
    const document = changed((task) => {
      task.objective = 'Return {"a":1,"a":2} verbatim, with "quotes" and a backslash \\';
      task.metadata.extra = { a: { a: { a: [{ a: 1 }, { a: 2 }] } }, 'quote"key': 1, 'quote\\"key': 2 };
    });
    assert.deepEqual(parseTaskDocument(JSON.stringify(document)), { ok: true, document });
  });
});

describe("task document: canonical form", () => {
  /** The document with the keys of every object in reverse order. */
  function reversedKeys(value: JsonValue): JsonValue {
    if (Array.isArray(value)) return value.map(reversedKeys);
    if (value === null || typeof value !== "object") return value;
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([key, child]) => [key, reversedKeys(child)]),
    );
  }

  function assertSameCommitment(first: TaskDocument, second: TaskDocument): void {
    assert.equal(canonicalizeTaskDocument(first), canonicalizeTaskDocument(second));
    assert.equal(taskDocumentHash(first), taskDocumentHash(second));
  }

  it("does not depend on key order or whitespace", async () => {
    const document = agentTask();
    const pretty = JSON.stringify(reversedKeys(document as unknown as JsonValue), null, "\t");
    const reparsed = parseTaskDocument(pretty);
    assert.ok(reparsed.ok);
    assertSameCommitment(document, reparsed.document);
    assert.equal(await taskDocumentCid(document), await taskDocumentCid(reparsed.document));
  });

  it("sorts keys and drops whitespace outside strings", () => {
    const canonical = canonicalizeTaskDocument(humanTask());
    assert.ok(canonical.startsWith('{"compensation":{"claim_bond":"10000000000000000","reward":'));
    assert.ok(canonical.endsWith(',"version":"taskmarket/task-document@1"}'));
    assert.doesNotMatch(canonical.replace(/"(?:[^"\\]|\\.)*"/g, '""'), /\s/);
  });

  it("writes each string one way, whatever escapes the text used", () => {
    const escaped = JSON.stringify(minimalTask()).replace(
      '"Say hello."',
      '"Caf\\u00e9 \\u20ac \\ud83d\\ude00 \\u0041\\/"',
    );
    const literal = JSON.stringify(minimalTask()).replace('"Say hello."', '"Café € 😀 A/"');
    const [first, second] = [parseTaskDocument(escaped), parseTaskDocument(literal)];
    assert.ok(first.ok && second.ok);
    assertSameCommitment(first.document, second.document);
    assert.match(canonicalizeTaskDocument(first.document), /"objective":"Café € 😀 A\/"/);

    const controls = changed((task) => (task.objective = 'tab\there\u001f\u2028"quoted"\\'), minimalTask);
    assert.match(
      canonicalizeTaskDocument(controls as TaskDocument),
      /"objective":"tab\\there\\u001f\u2028\\"quoted\\"\\\\"/,
    );
  });

  it("writes each number one way, whatever form the text used", () => {
    const spell = (min: string, value: string): TaskDocument => {
      const text = JSON.stringify(agentTask())
        .replace('"min":0.98', `"min":${min}`)
        .replace('"priority":2', `"priority":${value}`);
      const result = parseTaskDocument(text);
      assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
      return result.document;
    };
    const plain = spell("0.98", "1");
    for (const [min, value] of [
      ["0.980", "1.0"],
      ["98e-2", "1e0"],
      ["9.8E-1", "10e-1"],
      ["0.98000000000000000001", "1.00"],
    ]) {
      assertSameCommitment(plain, spell(min, value));
    }
    assert.match(canonicalizeTaskDocument(plain), /"min":0\.98/);
    assert.match(canonicalizeTaskDocument(plain), /"priority":1[,}]/);
  });

  it("follows the number and string examples of RFC 8785 (section 3.2.2)", () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    const expected = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;
    assert.equal(canonicalJson(JSON.parse(input) as JsonValue), expected);
  });

  it("sorts keys by UTF-16 code units, as RFC 8785 does (section 3.2.3)", () => {
    const keys = ["\u20ac", "\r", "\ufb33", "1", "\ud83d\ude00", "\u0080", "\u00f6"];
    const document = changed((task) => (task.metadata.extra = Object.fromEntries(keys.map((key, i) => [key, i]))));
    const canonical = canonicalizeTaskDocument(document as TaskDocument);
    const expected = '"extra":{"\\r":1,"1":3,"\u0080":5,"\u00f6":6,"\u20ac":0,"\ud83d\ude00":4,"\ufb33":2}';
    assert.ok(canonical.includes(expected), canonical);
  });

  it("keeps the order of arrays, nested ones included", () => {
    const document = changed((task) => {
      task.execution_requirements.tooling = ["pdf-parser", "ocr"];
      task.metadata.extra = { matrix: [[3, 1], [2], []] };
    });
    const canonical = canonicalizeTaskDocument(document as TaskDocument);
    assert.match(canonical, /"tooling":\["pdf-parser","ocr"\]/);
    assert.match(canonical, /"matrix":\[\[3,1\],\[2\],\[\]\]/);
    assert.notEqual(taskDocumentHash(document as TaskDocument), taskDocumentHash(agentTask()));
  });

  it("changes the canonical form, hash and CID with any value", async () => {
    const original = agentTask();
    /** The path of every string, number and boolean in `value`. */
    const leafPaths = (value: JsonValue, path: string[] = []): string[][] =>
      value !== null && typeof value === "object"
        ? Object.entries(value).flatMap(([key, child]) => leafPaths(child, [...path, key]))
        : [path];
    const variants = leafPaths(original as unknown as JsonValue).map((path) => {
      const variant: LooseDocument = structuredClone(original);
      const parent = path.slice(0, -1).reduce((object, key) => object[key], variant);
      const key = path.at(-1)!;
      const value = parent[key];
      parent[key] = typeof value === "string" ? `${value}.` : typeof value === "number" ? value + 1 : !value;
      return variant as TaskDocument;
    });
    assert.ok(variants.length > 70, `only ${variants.length} values visited`);

    const hashes = new Set([taskDocumentHash(original), ...variants.map(taskDocumentHash)]);
    assert.equal(hashes.size, variants.length + 1);
    const cids = new Set(await Promise.all([original, ...variants].map(taskDocumentCid)));
    assert.equal(cids.size, variants.length + 1);
  });
});

describe("task document: commitment hash and content address", () => {
  const document = minimalTask();
  const canonical =
    '{"compensation":{"reward":"1","token":"ETH"},"dependencies":[],' +
    '"execution_requirements":{"executor_kind":"any","max_duration_seconds":60},' +
    '"input_constraints":{"schema":{}},"metadata":{"category":"test"},"objective":"Say hello.",' +
    '"verification_criteria":{"method":"optimistic"},"version":"taskmarket/task-document@1"}';

  it("canonicalizes a document to the expected bytes", () => {
    assert.equal(canonicalizeTaskDocument(document), canonical);
    assert.deepEqual(taskDocumentBytes(document), new TextEncoder().encode(canonical));
  });

  it("hashes the canonical UTF-8 bytes with keccak256", () => {
    const expected = "0xd7f0f319c669b4a45bfc7d48e7991df4e4479115e1b33330fab70bf0f37f490d";
    assert.equal(taskDocumentHash(document), ethersKeccak256(toUtf8Bytes(canonical)));
    assert.equal(taskDocumentHash(document), expected);
  });

  it("addresses the canonical bytes with a CIDv1 of the raw codec and sha2-256", async () => {
    const cid = await taskDocumentCid(document);
    assert.equal(cid, expectedCid(new TextEncoder().encode(canonical)));
    assert.equal(cid, "bafkreidxkjzhlkjv5n3ht2m5qlshbtqlqculz7rf7hkuv3qtgomowy7wbq");
    assert.match(cid, /^bafkrei[a-z2-7]{52}$/);
    assert.equal(await taskDocumentUri(document), `ipfs://${cid}`);
  });

  it("hashes and addresses non-ASCII documents by their UTF-8 bytes", async () => {
    const document = humanTask();
    document.objective = "Übersetzen Sie „Achtung“ — 注意 — ⚠️";
    const bytes = Buffer.from(canonicalizeTaskDocument(document), "utf8");
    assert.equal(taskDocumentHash(document), ethersKeccak256(bytes));
    assert.equal(await taskDocumentCid(document), expectedCid(bytes));
  });

  it("derives everything for POST /tasks from one serialization", async () => {
    const commitment = await commitTaskDocument(agentTask());
    assert.equal(commitment.canonical, canonicalizeTaskDocument(agentTask()));
    assert.deepEqual(commitment.bytes, taskDocumentBytes(agentTask()));
    assert.equal(commitment.documentHash, taskDocumentHash(agentTask()));
    assert.equal(commitment.cid, await taskDocumentCid(agentTask()));
    assert.equal(commitment.documentURI, await taskDocumentUri(agentTask()));
  });
});
