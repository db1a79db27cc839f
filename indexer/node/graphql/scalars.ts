// The Graph's scalars as graph-node serves them: BigInt, BigDecimal, Int8 and Timestamp (microseconds) go out as
// strings, Bytes as 0x-prefixed lowercase hex. Going in, each scalar accepts the literal kinds graph-node's coercion
// accepts (a BigInt may be written as a string or an integer, a Timestamp only as a string, ...); whether the text is
// a valid number or valid hex is checked where the value is used, with graph-node's `Failed to decode` messages.
import { GraphQLScalarType, Kind, type ValueNode } from "graphql";

import type { FieldModel, SchemaModel } from "../schema.ts";
import { valueParseError } from "./errors.ts";

/** How a value is compared and bound in SQL: the scalar type of a field, of a referenced entity's id, or `Enum`. */
export type ValueType =
  "ID" | "String" | "Bytes" | "Int" | "Int8" | "Timestamp" | "BigInt" | "BigDecimal" | "Boolean" | "Enum";

export function valueTypeOf(field: FieldModel, model: SchemaModel): ValueType {
  if (field.kind === "enum") return "Enum";
  if (field.kind === "entity") return model.entities.get(field.type)!.idType;
  return field.type as ValueType;
}

function literalScalar(
  name: string,
  description: string,
  kinds: readonly Kind[],
  acceptsNumber: boolean,
): GraphQLScalarType<unknown, string> {
  const what = kinds.map((kind) => (kind === Kind.STRING ? "a string" : kind === Kind.INT ? "an integer" : "a float"));
  const expected = `${name} must be given as ${what.join(" or ")}`;
  return new GraphQLScalarType<unknown, string>({
    name,
    description,
    // Values are formatted when they are read from the database; by the time they get here they are strings.
    serialize: (value) => {
      if (typeof value !== "string") throw new TypeError(`${name} cannot represent value: ${String(value)}`);
      return value;
    },
    parseValue: (value) => {
      if (typeof value === "string") return value;
      if (acceptsNumber && typeof value === "number" && Number.isFinite(value)) {
        if (kinds.includes(Kind.FLOAT) || Number.isSafeInteger(value)) return String(value);
        throw new TypeError(`${name} integers beyond 2^53 must be given as strings`);
      }
      throw new TypeError(`${expected}, not ${JSON.stringify(value)}`);
    },
    parseLiteral: (node: ValueNode) => {
      if (
        (node.kind === Kind.STRING || node.kind === Kind.INT || node.kind === Kind.FLOAT) &&
        kinds.includes(node.kind)
      ) {
        return node.value;
      }
      throw new TypeError(expected);
    },
  });
}

export const BigIntScalar = literalScalar(
  "BigInt",
  "An integer of any size, as a decimal string",
  [Kind.STRING, Kind.INT],
  true,
);
export const BigDecimalScalar = literalScalar(
  "BigDecimal",
  "A decimal number of arbitrary precision, as a string",
  [Kind.STRING, Kind.INT, Kind.FLOAT],
  true,
);
export const BytesScalar = literalScalar("Bytes", "A byte array, as 0x-prefixed hex", [Kind.STRING], false);
export const Int8Scalar = literalScalar("Int8", "8 bytes signed integer", [Kind.STRING, Kind.INT], true);
export const TimestampScalar = literalScalar(
  "Timestamp",
  "A string representation of microseconds UNIX timestamp (16 digits)",
  [Kind.STRING],
  false,
);

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

/** Checks a BigInt as graph-node (Rust's `num-bigint`) parses it; returns the text to bind as `numeric`. */
export function parseBigInt(text: string): string {
  if (text.length === 0) throw valueParseError("BigInt", "cannot parse integer from empty string");
  if (!/^[+-]?[0-9]+$/.test(text)) throw valueParseError("BigInt", "invalid digit found in string");
  return text;
}

export function parseBigDecimal(text: string): string {
  if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text)) {
    throw valueParseError("BigDecimal", text.length === 0 ? "empty string" : "invalid digit found in string");
  }
  return text;
}

/** Checks an Int8 or Timestamp (microseconds): a signed 64-bit integer in decimal. */
export function parseInt8(text: string, what: "Int8" | "Timestamp"): string {
  if (!/^[+-]?[0-9]+$/.test(text)) throw valueParseError(what, text);
  const value = BigInt(text);
  if (value < INT8_MIN || value > INT8_MAX) throw valueParseError(what, text);
  return value.toString();
}

/**
 * Checks hex bytes as graph-node does (leading `0x` stripped, then Rust's `hex::decode`, with its messages) and returns
 * the bare lowercase hex, to bind through `decode(…, 'hex')`.
 */
export function parseBytes(text: string): string {
  let hex = text;
  while (hex.startsWith("0x")) hex = hex.slice(2);
  if (hex.length % 2 !== 0) throw valueParseError("Bytes", "Odd number of digits");
  const bad = /[^0-9a-fA-F]/.exec(hex);
  if (bad) throw valueParseError("Bytes", `Invalid character '${bad[0]}' at position ${bad.index}`);
  return hex.toLowerCase();
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

export function bytesToHex(bytes: Uint8Array): string {
  let hex = "";
  for (const byte of bytes) hex += HEX[byte];
  return hex;
}

/** A BigDecimal as graph-node prints a normalized one: no trailing zeros after the point, `0` for zero. */
export function normalizeDecimal(text: string): string {
  if (!text.includes(".")) return text === "-0" ? "0" : text;
  let result = text.replace(/0+$/, "");
  if (result.endsWith(".")) result = result.slice(0, -1);
  return result === "-0" || result === "" ? "0" : result;
}

/** Formats one database value of a scalar type as graph-node serializes it. */
export function formatScalar(type: ValueType, raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  switch (type) {
    case "Bytes":
      // Single values are read as hex text, list items as bytes.
      return `0x${typeof raw === "string" ? raw : bytesToHex(raw as Uint8Array)}`;
    case "Int8":
    case "Timestamp":
      return String(raw);
    case "BigInt":
      return String(raw);
    case "BigDecimal":
      return normalizeDecimal(String(raw));
    default:
      return raw;
  }
}
