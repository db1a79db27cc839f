/**
 * Strict validation of task documents, in three passes:
 *
 * 1. The value must be plain JSON that is safe to handle: objects, arrays, strings, finite numbers, booleans and null
 *    only; no `__proto__`, `constructor` or `prototype` keys (code that copies or merges the document into other
 *    objects could otherwise reach `Object.prototype`); no lone UTF-16 surrogates (they have no UTF-8 encoding, so the
 *    document would have no bytes to hash); bounded nesting. Nothing else runs on a value that fails here.
 * 2. Its canonical form must fit `TASK_DOCUMENT_LIMITS.maxDocumentBytes`, before any schema work is spent on it.
 * 3. `TASK_DOCUMENT_SCHEMA`, then the rules the schema states in words but cannot express (see its descriptions).
 *
 * Errors from every rule are collected, at most one per JSON pointer, each phrased so that a client can fix the field
 * without reading the schema.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import ajvFormats from "ajv-formats";
import { getAddress } from "viem";

import { BPS } from "../protocol/terms.ts";
import { embeddedSchemaError } from "./embedded-schema.ts";
import { canonicalJson } from "./task-document-commitment.ts";
import {
  MAX_TASK_ID,
  MAX_UINT128,
  TASK_DOCUMENT_LIMITS,
  TASK_DOCUMENT_SCHEMA,
  TASK_DOCUMENT_VERSION,
  type JsonValue,
  type TaskDocument,
} from "./task-document-schema.ts";
import { isPlainObject } from "../json.ts";

export interface TaskDocumentError {
  /** RFC 6901 JSON pointer to the offending value (or to the missing or unknown field); "" for the whole document. */
  path: string;
  message: string;
}

export type TaskDocumentValidation = { ok: true; document: TaskDocument } | { ok: false; errors: TaskDocumentError[] };

const addFormats = ajvFormats.default;
let compiledShape: ValidateFunction<TaskDocument> | undefined;

/**
 * `TASK_DOCUMENT_SCHEMA` compiled, on first use rather than on import: compiling it is a noticeable part of every CLI
 * command's start-up, and most commands never validate a document.
 */
function shapeValidator(): ValidateFunction<TaskDocument> {
  if (compiledShape === undefined) {
    const documentAjv = new Ajv2020({ allErrors: true, strict: true, verbose: true, logger: false });
    addFormats(documentAjv, ["date-time"]);
    compiledShape = documentAjv.compile<TaskDocument>(TASK_DOCUMENT_SCHEMA);
  }
  return compiledShape;
}

const UTF8 = new TextEncoder();

/** The largest JSON text `parseTaskDocument` reads: room for generous whitespace around the largest document. */
export const MAX_TASK_DOCUMENT_JSON_BYTES = 4 * TASK_DOCUMENT_LIMITS.maxDocumentBytes;

/**
 * Parses and validates a task document sent as JSON text. Beyond `validateTaskDocument`, rejects text too large to
 * parse and objects that repeat a key: `JSON.parse` keeps the last copy while other parsers keep the first or fail,
 * so such a text would mean different documents to different readers of the same bytes.
 */
export function parseTaskDocument(text: string): TaskDocumentValidation {
  const textBytes = utf8Length(text);
  if (textBytes > MAX_TASK_DOCUMENT_JSON_BYTES) {
    return failure([{ path: "", message: `is ${textBytes} bytes of JSON; at most ${MAX_TASK_DOCUMENT_JSON_BYTES}` }]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return failure([{ path: "", message: `is not valid JSON: ${error instanceof Error ? error.message : error}` }]);
  }
  const repeated = repeatedKeys(text);
  if (repeated.length > 0) return failure(repeated);
  return validateTaskDocument(value);
}

/** Checks `value` against the task document format; on success `document` is `value` itself, typed. */
export function validateTaskDocument(value: unknown): TaskDocumentValidation {
  if (!isPlainObject(value)) return failure([{ path: "", message: "must be a JSON object: the task document" }]);

  const unsafe: TaskDocumentError[] = [];
  checkPlainJson(value, "", 0, unsafe);
  if (unsafe.length > 0) return failure(unsafe);

  const documentBytes = utf8Length(canonicalJson(value as JsonValue));
  if (documentBytes > TASK_DOCUMENT_LIMITS.maxDocumentBytes) {
    return failure([
      {
        path: "",
        message: `is ${documentBytes} bytes in canonical form; a task document is at most ${TASK_DOCUMENT_LIMITS.maxDocumentBytes}`,
      },
    ]);
  }

  const errors: TaskDocumentError[] = [];
  const validateShape = shapeValidator();
  if (!validateShape(value)) errors.push(...schemaErrors(validateShape.errors ?? []));
  checkRules(value, errors);
  if (errors.length > 0) return failure(errors);
  return { ok: true, document: value as unknown as TaskDocument };
}

function failure(errors: TaskDocumentError[]): TaskDocumentValidation {
  const seen = new Set<string>();
  // The first error found at a path is the most basic one (a wrong type before a wrong pattern); the others would
  // only restate it.
  return { ok: false, errors: errors.filter((error) => !seen.has(error.path) && seen.add(error.path)) };
}

/*//////////////////////////////////////////////////////////////
                      PASS 1: PLAIN, SAFE JSON
//////////////////////////////////////////////////////////////*/

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

function checkPlainJson(value: unknown, path: string, depth: number, errors: TaskDocumentError[]): void {
  switch (typeof value) {
    case "string":
      if (hasLoneSurrogate(value)) errors.push({ path, message: LONE_SURROGATE });
      return;
    case "number":
      if (!Number.isFinite(value)) errors.push({ path, message: `must be a finite number, not ${value}` });
      return;
    case "boolean":
      return;
    case "object":
      break;
    default:
      errors.push({
        path,
        message: `must be a JSON value, not ${typeof value === "undefined" ? "undefined" : `a ${typeof value}`}`,
      });
      return;
  }
  if (value === null) return;
  if (depth >= TASK_DOCUMENT_LIMITS.maxDepth) {
    errors.push({ path, message: `nests deeper than ${TASK_DOCUMENT_LIMITS.maxDepth} levels of objects and arrays` });
    return;
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      if (index in value) {
        checkPlainJson(value[index], `${path}/${index}`, depth + 1, errors);
      } else {
        errors.push({ path: `${path}/${index}`, message: "is a hole in the array; JSON has none" });
      }
    }
    return;
  }
  if (!isPlainObject(value)) {
    errors.push({ path, message: `must be a plain JSON object, not a ${value.constructor?.name ?? "special object"}` });
    return;
  }
  for (const key of Object.keys(value)) {
    const keyPath = `${path}/${escapePointer(key)}`;
    if (FORBIDDEN_KEYS.has(key)) {
      errors.push({
        path: keyPath,
        message: `is not allowed as a key: "${key}" is a JavaScript prototype property, and code that copies the document could modify shared objects through it`,
      });
    } else if (hasLoneSurrogate(key)) {
      errors.push({ path: keyPath, message: `is a key that ${LONE_SURROGATE}` });
    } else {
      checkPlainJson((value as Record<string, unknown>)[key], keyPath, depth + 1, errors);
    }
  }
}

const LONE_SURROGATE =
  "contains a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff escape), which has no UTF-8 encoding and so cannot be hashed";

function hasLoneSurrogate(text: string): boolean {
  // With the `u` flag a well-formed pair is one code point, so only an unpaired half matches.
  return /\p{Surrogate}/u.test(text);
}

/*//////////////////////////////////////////////////////////////
                     PASS 3a: THE JSON SCHEMA
//////////////////////////////////////////////////////////////*/

/** Fields the market assigns on-chain, which a client may send by mistake. */
const CHAIN_FIELDS = new Set(["id", "task_id", "state", "status", "created_at", "updated_at"]);

/** Other names clients use for a field, by the pointer of the object that has the field. */
const SYNONYMS: Record<string, Record<string, string>> = {
  "": { description: "objective", title: "objective", inputs: "input_constraints", tags: "metadata/tags" },
  "/execution_requirements": {
    deadline: "claim_deadline",
    timeout_seconds: "max_duration_seconds",
    execution_window: "max_duration_seconds",
    capabilities: "required_capabilities",
    tools: "tooling",
  },
  "/verification_criteria": { tests: "acceptance_tests", metrics: "quality_metrics" },
  "/compensation": { bond: "claim_bond", amount: "reward", fee: "verifier_fee", currency: "token" },
  "/metadata": {
    required_capabilities: "/execution_requirements/required_capabilities",
    capabilities: "/execution_requirements/required_capabilities",
  },
};

const defs = TASK_DOCUMENT_SCHEMA.$defs;
const DECIMAL_NOT_NUMBER = "not a JSON number: amounts in base units exceed what JSON numbers hold exactly";
const NOT_BLANK = "must contain more than whitespace";
const TRIMMED = "must not begin or end with whitespace";

/**
 * Messages for particular rules of the schema, by the schema object that holds the rule's keyword and then by the
 * keyword. Keyed by object, not by Ajv's schema path, because Ajv reports paths relative to whichever `$ref` target
 * it compiled separately, which depends on its inlining heuristics.
 */
const SCHEMA_MESSAGES = new Map<object, Record<string, string>>([
  [
    TASK_DOCUMENT_SCHEMA.properties.version,
    { const: `must be "${TASK_DOCUMENT_VERSION}", the only version of the task document this API reads` },
  ],
  [TASK_DOCUMENT_SCHEMA.properties.objective, { pattern: NOT_BLANK }],
  [TASK_DOCUMENT_SCHEMA.properties.dependencies, { uniqueItems: "repeats an earlier dependency" }],
  [
    defs.compensation.properties.token,
    { pattern: 'must be "ETH" or an ERC-20 token address (0x followed by 40 hexadecimal digits)' },
  ],
  [
    defs.compensation.properties.reward,
    {
      type: `must be a decimal string such as "1000000", ${DECIMAL_NOT_NUMBER}`,
      pattern: 'must be a positive whole number of base units in decimal, without leading zeros, e.g. "1000000"',
    },
  ],
  [
    defs.uint128,
    {
      type: `must be a decimal string such as "5000", ${DECIMAL_NOT_NUMBER}`,
      pattern: 'must be a whole number of base units in decimal, without leading zeros, e.g. "0" or "5000"',
    },
  ],
  [
    defs.taskReference.properties.task_id,
    {
      type: 'must be a decimal string such as "42", not a JSON number: task ids exceed what JSON numbers hold exactly',
      pattern: 'must be a task id in decimal, without leading zeros, e.g. "42"',
    },
  ],
  [defs.bytes32, { pattern: "must be 0x followed by 64 lowercase hexadecimal digits" }],
  [
    defs.utcTimestamp,
    {
      pattern: 'must be a UTC time to the second in RFC 3339 form, e.g. "2026-06-30T17:00:00Z"',
      format: "must be a date and time that exists",
    },
  ],
  [
    defs.capability,
    { pattern: 'must be a namespaced lowercase capability name such as "lang:solidity" or "skill:translation/de-en"' },
  ],
  [defs.mediaType, { pattern: 'must be a lowercase media type such as "application/json" or "text/csv"' }],
  [
    defs.name,
    { pattern: 'must be lowercase letters and digits in words joined by single hyphens, e.g. "smart-contracts"' },
  ],
  [defs.description, { pattern: NOT_BLANK }],
  [defs.notes, { pattern: NOT_BLANK }],
  [
    defs.metadata.properties.category,
    {
      pattern: 'must be lowercase words joined by hyphens, optionally nested with "/", e.g. "software/smart-contracts"',
    },
  ],
  [
    defs.metadata.properties.language,
    { pattern: 'must be a BCP 47 language tag in canonical case, e.g. "en", "pt-BR" or "zh-Hant-TW"' },
  ],
  [defs.executionRequirements.properties.tooling.items, { pattern: TRIMMED }],
  [defs.qualityMetric.properties.unit, { pattern: TRIMMED }],
  [defs.qualityThreshold, { minProperties: "needs a min, a max or both" }],
  [defs.verificationCriteria.then, { required: 'is required when method is "proof"' }],
  [defs.verificationCriteria.else, { not: 'is only used with method "proof"' }],
]);

function schemaErrors(ajvErrors: readonly ErrorObject[]): TaskDocumentError[] {
  const errors: TaskDocumentError[] = [];
  for (const error of ajvErrors) {
    // An `if` error only says that its `then` or `else` failed, which has its own error.
    if (error.keyword === "if") continue;
    const path = errorPath(error);
    const message = SCHEMA_MESSAGES.get(error.parentSchema as object)?.[error.keyword] ?? genericMessage(error);
    errors.push({ path, message });
  }
  return errors;
}

/** Ajv reports a missing or unknown field at its parent; a client fixes it at the field itself. */
function errorPath(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return `${error.instancePath}/${escapePointer(String(params.missingProperty))}`;
    case "additionalProperties":
      return `${error.instancePath}/${escapePointer(String(params.additionalProperty))}`;
    case "not":
      // The only `not` is the one that keeps `proof` to the proof method.
      return `${error.instancePath}/proof`;
    case "uniqueItems":
      return `${error.instancePath}/${Math.max(Number(params.i), Number(params.j))}`;
    default:
      return error.instancePath;
  }
}

function genericMessage(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return "is required";
    case "additionalProperties":
      return unknownFieldMessage(error.instancePath, String(params.additionalProperty), error.parentSchema);
    case "type":
      return `must be ${withArticle(String(params.type))}`;
    case "const":
      return `must be ${JSON.stringify(params.allowedValue)}`;
    case "enum":
      return `must be one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(", ")}`;
    case "minLength":
      return params.limit === 1 ? "must not be empty" : `must be at least ${params.limit} characters long`;
    case "maxLength":
      return `must be at most ${params.limit} characters long`;
    case "minimum":
      return `must be at least ${params.limit}`;
    case "maximum":
      return `must be at most ${params.limit}`;
    case "minItems":
      return `must have at least ${params.limit} ${params.limit === 1 ? "item" : "items"}`;
    case "maxItems":
      return `must have at most ${params.limit} items`;
    case "maxProperties":
      return `must have at most ${params.limit} fields`;
    case "uniqueItems":
      return `repeats item ${Math.min(Number(params.i), Number(params.j))}; list each value once`;
    case "pattern":
      return `must match the pattern ${params.pattern}`;
    case "format":
      return `must be a valid ${params.format}`;
    default:
      return error.message ?? "is invalid";
  }
}

function unknownFieldMessage(parentPath: string, field: string, parentSchema: unknown): string {
  if (parentPath === "" && CHAIN_FIELDS.has(field)) {
    return "is not part of the task document: the market assigns a task's id, state and timestamps on-chain, after the poster has committed to the document";
  }
  const allowed = Object.keys((parentSchema as { properties?: object } | undefined)?.properties ?? {});
  const snakeCase = field
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[-\s]+/g, "_")
    .toLowerCase();
  const replacement =
    snakeCase !== field && allowed.includes(snakeCase) ? snakeCase : SYNONYMS[parentPath]?.[field.toLowerCase()];
  if (replacement !== undefined) {
    const where = replacement.startsWith("/") ? replacement : `${parentPath}/${replacement}`;
    return `is not a field; the task document says this with "${where}" (fields are snake_case and each meaning has one name)`;
  }
  return `is not a field of ${parentPath === "" ? "the task document" : parentPath}; expected ${allowed.map((name) => `"${name}"`).join(", ")}`;
}

function withArticle(typeName: string): string {
  return /^[aeiou]/.test(typeName) ? `an ${typeName}` : `a ${typeName}`;
}

/*//////////////////////////////////////////////////////////////
              PASS 3b: RULES BEYOND THE JSON SCHEMA
//////////////////////////////////////////////////////////////*/

/**
 * The rules the schema's descriptions state. Each looks only at values that already have the shape it needs, so a
 * field with a schema error is not reported twice.
 */
function checkRules(document: Record<string, unknown>, errors: TaskDocumentError[]): void {
  const inputConstraints = objectAt(document, "input_constraints");
  const execution = objectAt(document, "execution_requirements");
  const verification = objectAt(document, "verification_criteria");
  const compensation = objectAt(document, "compensation");
  const metadata = objectAt(document, "metadata");

  checkEmbeddedSchema(inputConstraints?.schema, "/input_constraints/schema", errors);
  checkEmbeddedSchema(verification?.output_schema, "/verification_criteria/output_schema", errors);

  checkAscending(execution?.required_capabilities, "/execution_requirements/required_capabilities", errors);
  checkAscending(metadata?.tags, "/metadata/tags", errors);
  checkDependencies(document.dependencies, errors);
  checkQuality(execution?.quality_thresholds, verification?.quality_metrics, errors);

  if (compensation !== undefined) checkCompensation(compensation, errors);

  const extra = metadata?.extra;
  if (isPlainObject(extra)) {
    checkBounded(
      extra,
      "/metadata/extra",
      TASK_DOCUMENT_LIMITS.maxExtraBytes,
      TASK_DOCUMENT_LIMITS.maxExtraDepth,
      errors,
    );
  }
}

function checkEmbeddedSchema(schema: unknown, path: string, errors: TaskDocumentError[]): void {
  if (!isPlainObject(schema)) return;
  const bounded = checkBounded(
    schema,
    path,
    TASK_DOCUMENT_LIMITS.maxEmbeddedSchemaBytes,
    TASK_DOCUMENT_LIMITS.maxEmbeddedSchemaDepth,
    errors,
  );
  if (!bounded) return;
  const compileError = embeddedSchemaError(schema);
  if (compileError !== undefined) {
    errors.push({ path, message: `is not a valid JSON Schema (draft 2020-12, strict): ${compileError}` });
  }
}

/** Checks the canonical size and the nesting depth of `value`; false if either is exceeded. */
function checkBounded(
  value: Record<string, unknown>,
  path: string,
  maxBytes: number,
  maxDepth: number,
  errors: TaskDocumentError[],
): boolean {
  const depth = nestingDepth(value);
  if (depth > maxDepth) {
    errors.push({ path, message: `nests ${depth} levels of objects and arrays deep; at most ${maxDepth}` });
    return false;
  }
  const bytes = utf8Length(canonicalJson(value as JsonValue));
  if (bytes > maxBytes) {
    errors.push({ path, message: `is ${bytes} bytes in canonical form; at most ${maxBytes}` });
    return false;
  }
  return true;
}

/** Sets are written in ascending order (as the market requires of capability ids), so that each has one spelling. */
function checkAscending(list: unknown, path: string, errors: TaskDocumentError[]): void {
  if (!Array.isArray(list)) return;
  for (let index = 1; index < list.length; index++) {
    const previous: unknown = list[index - 1];
    const current: unknown = list[index];
    // RFC 8785 orders keys by UTF-16 code units, which is also what `<` compares; equal items are uniqueItems errors.
    if (typeof previous === "string" && typeof current === "string" && current < previous) {
      errors.push({
        path: `${path}/${index}`,
        message: `must come before "${previous}": the list is a set, written in ascending order`,
      });
    }
  }
}

function checkDependencies(dependencies: unknown, errors: TaskDocumentError[]): void {
  if (!Array.isArray(dependencies)) return;
  let previous: bigint | undefined;
  dependencies.forEach((dependency, index) => {
    const taskId = decimalAt(dependency, "task_id");
    if (taskId === undefined) return;
    if (taskId > MAX_TASK_ID) {
      errors.push({
        path: `/dependencies/${index}/task_id`,
        message: "exceeds 2^64 - 1, the largest task id the market assigns",
      });
      return;
    }
    if (previous !== undefined && taskId === previous) {
      errors.push({
        path: `/dependencies/${index}`,
        message: `lists task ${taskId} again; a task is referenced once, with one relation`,
      });
    } else if (previous !== undefined && taskId < previous) {
      errors.push({
        path: `/dependencies/${index}`,
        message: `must come before task ${previous}: dependencies are written in ascending order of task id`,
      });
    }
    previous = taskId;
  });
}

function checkQuality(thresholds: unknown, metrics: unknown, errors: TaskDocumentError[]): void {
  const metricNames = new Set<string>();
  if (Array.isArray(metrics)) {
    metrics.forEach((metric, index) => {
      const name = isPlainObject(metric) ? metric.name : undefined;
      if (typeof name !== "string") return;
      if (metricNames.has(name)) {
        errors.push({
          path: `/verification_criteria/quality_metrics/${index}/name`,
          message: `repeats the metric "${name}"`,
        });
      }
      metricNames.add(name);
    });
  }
  if (!Array.isArray(thresholds)) return;
  const thresholdMetrics = new Set<string>();
  thresholds.forEach((threshold, index) => {
    if (!isPlainObject(threshold)) return;
    const fields = threshold;
    const path = `/execution_requirements/quality_thresholds/${index}`;
    if (typeof fields.metric === "string") {
      if (!metricNames.has(fields.metric)) {
        errors.push({
          path: `${path}/metric`,
          message: `names no metric of /verification_criteria/quality_metrics; define "${fields.metric}" there`,
        });
      } else if (thresholdMetrics.has(fields.metric)) {
        errors.push({ path: `${path}/metric`, message: `repeats the threshold for "${fields.metric}"` });
      }
      thresholdMetrics.add(fields.metric);
    }
    if (typeof fields.min === "number" && typeof fields.max === "number" && fields.min > fields.max) {
      errors.push({ path: `${path}/min`, message: `is greater than max (${fields.max})` });
    }
  });
}

function checkCompensation(compensation: Record<string, unknown>, errors: TaskDocumentError[]): void {
  for (const field of ["reward", "claim_bond", "verifier_fee"]) {
    const amount = decimalAt(compensation, field);
    if (amount !== undefined && amount > MAX_UINT128) {
      errors.push({
        path: `/compensation/${field}`,
        message: "exceeds 2^128 - 1, the largest amount TaskTerms can hold",
      });
    }
  }

  const token = compensation.token;
  if (typeof token === "string" && /^0x[0-9a-fA-F]{40}$/.test(token)) {
    const checksummed = getAddress(token.toLowerCase());
    if (BigInt(token) === 0n) {
      errors.push({
        path: "/compensation/token",
        message: 'is the zero address, which the market reads as native ETH; write "ETH" instead',
      });
    } else if (token !== checksummed) {
      const digits = token.slice(2);
      const carriesChecksum = digits !== digits.toLowerCase() && digits !== digits.toUpperCase();
      errors.push({
        path: "/compensation/token",
        message: carriesChecksum
          ? "fails its EIP-55 checksum; check the address for a typo"
          : `must be written in its EIP-55 checksummed form, "${checksummed}", so that each token has one spelling`,
      });
    }
  }

  const milestones = compensation.milestones;
  if (Array.isArray(milestones)) {
    const shares = milestones.map((milestone) => (isPlainObject(milestone) ? milestone.share_bps : undefined));
    if (shares.every((share) => Number.isInteger(share))) {
      const total = (shares as number[]).reduce((sum, share) => sum + share, 0);
      if (total !== BPS) {
        errors.push({
          path: "/compensation/milestones",
          message: `shares sum to ${total} basis points; they must sum to ${BPS}`,
        });
      }
    }
  }
}

/*//////////////////////////////////////////////////////////////
                             HELPERS
//////////////////////////////////////////////////////////////*/

function objectAt(parent: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
  const value = parent[key];
  return isPlainObject(value) ? value : undefined;
}

/** The decimal number in `parent[key]`, if it is a string of digits. */
function decimalAt(parent: unknown, key: string): bigint | undefined {
  if (!isPlainObject(parent)) return undefined;
  const value = parent[key];
  return typeof value === "string" && /^[0-9]+$/.test(value) ? BigInt(value) : undefined;
}

function nestingDepth(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  let deepest = 0;
  for (const child of children) deepest = Math.max(deepest, nestingDepth(child));
  return deepest + 1;
}

function utf8Length(text: string): number {
  // TextEncoder rather than Buffer: the SDK validates documents in browsers too.
  return UTF8.encode(text).length;
}

/** RFC 6901: "~" and "/" in a key are written "~0" and "~1". */
export function escapePointer(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

/**
 * The objects of a JSON text (already known to parse) that repeat a key, by the pointer of the repeated key. Scans
 * the text once, tracking only strings and brackets, since JSON.parse has already checked the rest of the grammar.
 */
function repeatedKeys(text: string): TaskDocumentError[] {
  type Container =
    | { kind: "object"; path: string; keys: Set<string>; key: string; expectingKey: boolean }
    | { kind: "array"; path: string; index: number };
  const stack: Container[] = [];
  const errors: TaskDocumentError[] = [];
  const childPath = (): string => {
    const parent = stack.at(-1);
    if (parent === undefined) return "";
    return parent.kind === "object" ? `${parent.path}/${escapePointer(parent.key)}` : `${parent.path}/${parent.index}`;
  };
  for (let position = 0; position < text.length; position++) {
    const character = text[position];
    if (character === '"') {
      let end = position + 1;
      while (text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      const top = stack.at(-1);
      if (top?.kind === "object" && top.expectingKey) {
        const key = JSON.parse(text.slice(position, end + 1)) as string;
        if (top.keys.has(key)) {
          errors.push({
            path: `${top.path}/${escapePointer(key)}`,
            message:
              "appears twice in the same object; parsers disagree on which copy wins, so the document would be ambiguous",
          });
        }
        top.keys.add(key);
        top.key = key;
        top.expectingKey = false;
      }
      position = end;
    } else if (character === "{") {
      stack.push({ kind: "object", path: childPath(), keys: new Set(), key: "", expectingKey: true });
    } else if (character === "[") {
      stack.push({ kind: "array", path: childPath(), index: 0 });
    } else if (character === "}" || character === "]") {
      stack.pop();
    } else if (character === ",") {
      const top = stack.at(-1);
      if (top?.kind === "object") top.expectingKey = true;
      else if (top?.kind === "array") top.index += 1;
    }
  }
  return errors;
}
