// Reading what the user gives: task ids, numbers, durations, dates, and files (`-` for stdin). A bad value is a usage
// error that names the option and what it expected; nothing is sent before every input has been read and checked.
import { readFileSync } from "node:fs";

import { bytesToHex, isHex, type Hex } from "viem";

import { contentHash, submittedOutput, type JsonValue, type SubmittedOutput } from "../../sdk/src/index.ts";
import { UsageError } from "./failures.ts";

export function parseTaskId(value: string): bigint {
  if (!/^[0-9]+$/.test(value) || BigInt(value) === 0n) {
    throw new UsageError(`A task id is a positive decimal number, got "${value}".`);
  }
  return BigInt(value);
}

export function parseInteger(value: string, what: string, range: { min?: number; max?: number } = {}): number {
  const number = Number(value);
  if (!/^-?[0-9]+$/.test(value.trim()) || !Number.isSafeInteger(number)) {
    throw new UsageError(`${what} must be a whole number, got "${value}".`);
  }
  if (range.min !== undefined && number < range.min) throw new UsageError(`${what} must be at least ${range.min}.`);
  if (range.max !== undefined && number > range.max) throw new UsageError(`${what} must be at most ${range.max}.`);
  return number;
}

/** A decimal amount in base units (wei for ETH). */
export function parseAmount(value: string, what: string): bigint {
  if (!/^[0-9]+$/.test(value)) throw new UsageError(`${what} must be a decimal amount in base units, got "${value}".`);
  return BigInt(value);
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds, or a number with a unit: `90`, `90s`, `15m`, `4h`, `3d`. */
export function parseDuration(value: string, what: string): number {
  const match = /^([0-9]+)([smhd]?)$/.exec(value.trim());
  if (match === null) throw new UsageError(`${what} must be seconds or a duration like 15m, 4h or 3d, got "${value}".`);
  return Number(match[1]) * DURATION_UNITS[match[2] || "s"]!;
}

/** Unix seconds, or an ISO 8601 date and time. */
export function parseTime(value: string, what: string): number {
  if (/^[0-9]+$/.test(value)) return Number(value);
  const milliseconds = Date.parse(value);
  if (Number.isNaN(milliseconds)) {
    throw new UsageError(`${what} must be Unix seconds or an ISO 8601 date, got "${value}".`);
  }
  return Math.floor(milliseconds / 1000);
}

export function parseHash(value: string, what: string): Hex {
  if (!isHex(value, { strict: true }) || value.length !== 66) {
    throw new UsageError(`${what} must be 32 bytes in hex (0x and 64 digits), got "${value}".`);
  }
  return value.toLowerCase() as Hex;
}

/** The bytes of a file, or of stdin for `-`. */
export function readInput(path: string, what: string): Buffer {
  try {
    return readFileSync(path === "-" ? 0 : path);
  } catch (error) {
    throw new UsageError(`Cannot read the ${what} from ${path === "-" ? "stdin" : path}: ${(error as Error).message}`);
  }
}

/** A JSON file, parsed. */
export function readJson(path: string, what: string): JsonValue {
  const text = readInput(path, what).toString("utf8");
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new UsageError(`The ${what} in ${path === "-" ? "stdin" : path} is not JSON: ${(error as Error).message}`);
  }
}

/** A JSON value given inline (`{…}`) or as `@file`. */
export function readJsonArgument(value: string, what: string): JsonValue {
  if (value.startsWith("@")) return readJson(value.slice(1), what);
  try {
    return JSON.parse(value) as JsonValue;
  } catch (error) {
    throw new UsageError(`The ${what} is not JSON (give it inline or as @file): ${(error as Error).message}`);
  }
}

export const OUTPUT_ENCODINGS = ["json", "text", "bytes"] as const;
export type OutputEncodingChoice = (typeof OUTPUT_ENCODINGS)[number];

/**
 * A submission's output read from a file, with its hash by the protocol's convention (`contentHash`) and the form the
 * verification service is sent it in: JSON as canonical JSON, text as its UTF-8 bytes, anything else as raw bytes.
 */
export function readOutput(path: string, encoding: OutputEncodingChoice): { output: SubmittedOutput; hash: Hex } {
  if (!(OUTPUT_ENCODINGS as readonly string[]).includes(encoding)) {
    throw new UsageError(`--encoding must be one of ${OUTPUT_ENCODINGS.join(", ")}, got "${encoding}".`);
  }
  if (encoding === "json") {
    const value = readJson(path, "output");
    return { output: submittedOutput(value), hash: contentHash(value) };
  }
  const bytes = new Uint8Array(readInput(path, "output"));
  if (encoding === "text") {
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      throw new UsageError(`The output in ${path} is not UTF-8 text: read it with --encoding bytes.`);
    }
    return { output: { encoding: "text", value: text }, hash: contentHash(bytes) };
  }
  return { output: { encoding: "hex", value: bytesToHex(bytes) }, hash: contentHash(bytes) };
}

/** Collects a repeatable option's values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Content referred to on-chain by its hash: a JSON file (hashed by the protocol's convention, `contentHash`) or a hash
 * computed elsewhere, with where to read it.
 */
export function readContentReference(
  options: { file?: string; hash?: string; uri?: string },
  what: string,
  names: { file: string; hash: string },
): { content?: JsonValue; hash?: Hex; uri: string } {
  if (options.file !== undefined && options.hash !== undefined) {
    throw new UsageError(`Give the ${what} as ${names.file} <file> or as ${names.hash} <hash>, not both.`);
  }
  return {
    ...(options.file === undefined ? {} : { content: readJson(options.file, what) }),
    ...(options.hash === undefined ? {} : { hash: parseHash(options.hash, names.hash) }),
    uri: options.uri ?? "",
  };
}

/** A share of the payment for the executor, in percent (0 to 100 in steps of `step`), as basis points. */
export function parseSharePercent(value: string, what: string, step = 1): number {
  const percent = parseInteger(value.replace(/%$/, ""), what, { min: 0, max: 100 });
  if (percent % step !== 0) throw new UsageError(`${what} must be a multiple of ${step} percent, got "${value}".`);
  return percent * 100;
}

export function parseHex(value: string, what: string): Hex {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(value)) throw new UsageError(`${what} must be bytes in hex (0x…), got "${value}".`);
  return value as Hex;
}
