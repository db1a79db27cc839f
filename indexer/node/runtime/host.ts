// The host functions a graph-ts mapping imports, with graph-node's semantics (runtime/wasm/src/host_exports.rs and
// module/context.rs): same results, same failures. Pointers arrive as i32 and are read as unsigned. A deterministic
// failure throws a MappingError, which fails the handler; a store failure arrives as the store's StoreError.
import { keccak256 } from "viem";

import { decodeValue, encodeValueAsTuple } from "./abi.ts";
import {
  bigIntFromString,
  checkBigInt,
  decimalAdd,
  decimalDivide,
  decimalEquals,
  decimalFromString,
  decimalMultiply,
  decimalSubtract,
  decimalToString,
  HEX_BYTE,
  MappingError,
  normalize,
  parseBigIntText,
  parseRustInteger,
} from "./big-number.ts";
import { TypeIndex, type AscHeap } from "./heap.ts";
import { JsonSyntaxError, parseJson, type JsonValue } from "./json.ts";
import type { DataSource } from "../subgraph.ts";
import type { HostStore } from "../store/types.ts";

export type LogLevel = "critical" | "error" | "warning" | "info" | "debug";

/** What the host functions act on during one trigger; the runtime fills it in before calling the handler. */
export interface HostContext {
  heap: AscHeap;
  store: HostStore;
  dataSource: DataSource;
  /** The data source's address as 20 bytes. */
  address: Uint8Array;
  log(level: LogLevel, message: string): void;
}

const LOG_LEVELS: LogLevel[] = ["critical", "error", "warning", "info", "debug"];

/** Host functions graph-node offers that this node does not: a module importing one is refused at load. */
export const UNSUPPORTED_HOST_FUNCTIONS: Record<string, string> = {
  "ethereum.call": "contract calls need an archive node at the block being indexed",
  "ethereum.getBalance": "balance lookups need an archive node at the block being indexed",
  "ethereum.hasCode": "code lookups need an archive node at the block being indexed",
  "ipfs.cat": "IPFS is not available",
  "ipfs.map": "IPFS is not available",
  "ipfs.getBlock": "IPFS is not available",
  "ens.nameByHash": "there is no ENS rainbow table",
  "dataSource.create": "data source templates are not supported",
  "dataSource.createWithContext": "data source templates are not supported",
  "arweave.transactionData": "removed from graph-node",
  "box.profile": "removed from graph-node",
  "yaml.fromBytes": "YAML parsing is not implemented",
  "yaml.try_fromBytes": "YAML parsing is not implemented",
};

const BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

function base58(bytes: Uint8Array): string {
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  let out = "";
  while (value > 0n) {
    out = BASE58_ALPHABET[Number(value % 58n)]! + out;
    value /= 58n;
  }
  return "1".repeat(zeros) + out;
}

function hex(bytes: Uint8Array): string {
  let out = "0x";
  for (let i = 0; i < bytes.length; i++) out += HEX_BYTE[bytes[i]!];
  return out;
}

const lossyUtf8 = new TextDecoder("utf-8");

/** The `u8` that graph-ts passes as an i32: graph-node refuses anything above 255. */
function u8(value: number): number {
  if (value >>> 0 > 255) throw new MappingError("out of range integral type conversion attempted");
  return value >>> 0;
}

function jsonFailure(bytes: Uint8Array, error: unknown): MappingError {
  const shown = Array.from(bytes.subarray(0, 1024)).join(", ");
  const reason = error instanceof Error ? error.message : String(error);
  return new MappingError(
    `Failed to parse JSON from byte array. Bytes (truncated to 1024 chars): \`[${shown}]\`: ${reason}`,
  );
}

function parseJsonBytes(bytes: Uint8Array): JsonValue {
  try {
    return parseJson(bytes);
  } catch (error) {
    if (error instanceof JsonSyntaxError || error instanceof MappingError) throw jsonFailure(bytes, error);
    throw error;
  }
}

/**
 * The implementations, by import name (graph-node links imports by name, whatever module AssemblyScript put them
 * in: `index`, `conversion`, `numbers`...). Each reads `context.heap` at call time.
 */
export function hostFunctions(context: HostContext): Record<string, (...args: number[]) => number | bigint | void> {
  const heap = () => context.heap;
  const str = (pointer: number) => context.heap.readString(pointer >>> 0);
  const bytes = (pointer: number) => context.heap.readBytes(pointer >>> 0);
  const bigInt = (pointer: number) => context.heap.readBigInt(pointer >>> 0);
  const decimal = (pointer: number) => context.heap.readBigDecimal(pointer >>> 0);
  const newBigInt = (value: bigint) => context.heap.bigInt(value);

  return {
    abort(messagePointer: number, filePointer: number, line: number, column: number): never {
      const message = messagePointer === 0 ? "no message" : `message: ${str(messagePointer)}`;
      const file = filePointer === 0 ? undefined : str(filePointer);
      let location = "an unknown location";
      if (file !== undefined) {
        location = file;
        if (line !== 0) location += `, line ${line >>> 0}`;
        if (line !== 0 && column !== 0) location += `, column ${column >>> 0}`;
      }
      throw new MappingError(`Mapping aborted at ${location}, with ${message}`);
    },

    "store.get": (entityPointer, idPointer) => {
      const entityType = str(entityPointer);
      const entity = context.store.get(entityType, str(idPointer));
      return entity === null ? 0 : heap().entity(entity, context.store.sortedFieldNames?.(entityType));
    },
    "store.get_in_block": (entityPointer, idPointer) => {
      const entityType = str(entityPointer);
      const entity = context.store.getInBlock(entityType, str(idPointer));
      return entity === null ? 0 : heap().entity(entity, context.store.sortedFieldNames?.(entityType));
    },
    "store.loadRelated": (entityPointer, idPointer, fieldPointer) => {
      const entities = context.store.loadRelated(str(entityPointer), str(idPointer), str(fieldPointer));
      const pointers = entities.map((entity) => heap().entity(entity));
      return heap().array(TypeIndex.ArrayTypedMapStringStoreValue, pointers);
    },
    "store.set": (entityPointer, idPointer, dataPointer) => {
      const entityType = str(entityPointer);
      const id = str(idPointer);
      // The entity read is the store's to keep.
      context.store.set(entityType, id, heap().readEntity(dataPointer >>> 0), true);
    },
    "store.remove": (entityPointer, idPointer) => {
      context.store.remove(str(entityPointer), str(idPointer));
    },

    "typeConversion.bytesToString": (pointer) => {
      // Invalid UTF-8 becomes U+FFFD (Rust's from_utf8_lossy); trailing NULs from fixed-size buffers are dropped.
      const text = lossyUtf8.decode(bytes(pointer)).replace(/\0+$/, "");
      return heap().string(text);
    },
    "typeConversion.bytesToHex": (pointer) => heap().string(hex(bytes(pointer))),
    "typeConversion.bigIntToString": (pointer) => heap().string(bigInt(pointer).toString()),
    "typeConversion.bigIntToHex": (pointer) => {
      // The magnitude, without leading zeros; "0x0" for zero (graph-node prints negative values unsigned).
      const value = bigInt(pointer);
      return heap().string(`0x${(value < 0n ? -value : value).toString(16)}`);
    },
    "typeConversion.stringToH160": (pointer) => {
      const text = str(pointer);
      if (!/^(0x)?[0-9a-fA-F]{40}$/.test(text)) {
        throw new MappingError(`Failed to convert string to Address: '${text}'`);
      }
      const digits = text.startsWith("0x") ? text.slice(2) : text;
      const address = new Uint8Array(20);
      for (let i = 0; i < 20; i++) address[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
      return heap().bytes(address);
    },
    "typeConversion.bytesToBase58": (pointer) => heap().string(base58(bytes(pointer))),

    "json.fromBytes": (pointer) => heap().json(parseJsonBytes(bytes(pointer))),
    "json.try_fromBytes": (pointer) => {
      const data = bytes(pointer);
      let value: JsonValue | undefined;
      try {
        value = parseJson(data);
      } catch (error) {
        if (!(error instanceof JsonSyntaxError || error instanceof MappingError)) throw error;
        context.log("warning", `Failed to parse JSON from byte array: ${(error as Error).message}`);
      }
      const h = heap();
      if (value === undefined) return h.struct(TypeIndex.ResultJsonValueBool, [0, h.wrappedBool(true)]);
      const inner = h.json(value);
      const wrapped = h.struct(TypeIndex.WrappedJsonValue, [inner]);
      return h.struct(TypeIndex.ResultJsonValueBool, [wrapped, 0]);
    },
    "json.toI64": (pointer) => {
      const text = str(pointer);
      const value = parseRustInteger(text, true);
      if (value === undefined) throw new MappingError(`JSON \`${text}\` cannot be parsed as i64`);
      return value;
    },
    "json.toU64": (pointer) => {
      const text = str(pointer);
      const value = parseRustInteger(text, false);
      if (value === undefined) throw new MappingError(`JSON \`${text}\` cannot be parsed as u64`);
      return BigInt.asIntN(64, value);
    },
    "json.toF64": (pointer) => {
      const text = str(pointer);
      // Rust's f64::from_str: decimal or exponent notation, or inf/infinity/nan in any case.
      if (!/^[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)$/i.test(text)) {
        throw new MappingError(`JSON \`${text}\` cannot be parsed as f64`);
      }
      const lower = text.toLowerCase().replace(/^[+-]/, "");
      const negative = text.startsWith("-");
      if (lower === "nan") return NaN;
      if (lower === "inf" || lower === "infinity") return negative ? -Infinity : Infinity;
      return parseFloat(text);
    },
    "json.toBigInt": (pointer) => {
      const text = str(pointer);
      const value = parseBigIntText(text);
      if (value === undefined) throw new MappingError(`JSON \`${text}\` is not a decimal string`);
      return newBigInt(checkBigInt(value));
    },

    "crypto.keccak256": (pointer) => heap().bytes(keccak256(bytes(pointer), "bytes")),

    "bigInt.plus": (x, y) => newBigInt(bigInt(x) + bigInt(y)),
    "bigInt.minus": (x, y) => newBigInt(bigInt(x) - bigInt(y)),
    "bigInt.times": (x, y) => newBigInt(bigInt(x) * bigInt(y)),
    "bigInt.dividedBy": (x, y) => {
      const dividend = bigInt(x);
      const divisor = bigInt(y);
      if (divisor === 0n) throw new MappingError(`attempted to divide BigInt \`${dividend}\` by zero`);
      return newBigInt(dividend / divisor);
    },
    "bigInt.dividedByDecimal": (x, y) => {
      const dividend = normalize({ digits: bigInt(x), scale: 0n });
      return heap().bigDecimal(decimalDivide(dividend, decimal(y)));
    },
    "bigInt.mod": (x, y) => {
      const dividend = bigInt(x);
      const divisor = bigInt(y);
      if (divisor === 0n) {
        throw new MappingError(`attempted to calculate the remainder of \`${dividend}\` with a divisor of zero`);
      }
      return newBigInt(dividend % divisor);
    },
    "bigInt.pow": (x, exponent) => {
      const power = u8(exponent);
      return newBigInt(checkBigInt(bigInt(x) ** BigInt(power)));
    },
    "bigInt.fromString": (pointer) => newBigInt(bigIntFromString(str(pointer))),
    "bigInt.bitOr": (x, y) => newBigInt(bigInt(x) | bigInt(y)),
    "bigInt.bitAnd": (x, y) => newBigInt(bigInt(x) & bigInt(y)),
    "bigInt.leftShift": (x, bits) => {
      const shift = u8(bits);
      return newBigInt(bigInt(x) << BigInt(shift));
    },
    "bigInt.rightShift": (x, bits) => {
      const shift = u8(bits);
      // num-bigint rounds negative values towards negative infinity, as JavaScript's >> does.
      return newBigInt(bigInt(x) >> BigInt(shift));
    },

    "bigDecimal.plus": (x, y) => heap().bigDecimal(decimalAdd(decimal(x), decimal(y))),
    "bigDecimal.minus": (x, y) => heap().bigDecimal(decimalSubtract(decimal(x), decimal(y))),
    "bigDecimal.times": (x, y) => heap().bigDecimal(decimalMultiply(decimal(x), decimal(y))),
    "bigDecimal.dividedBy": (x, y) => heap().bigDecimal(decimalDivide(decimal(x), decimal(y))),
    "bigDecimal.equals": (x, y) => (decimalEquals(decimal(x), decimal(y)) ? 1 : 0),
    "bigDecimal.toString": (pointer) => heap().string(decimalToString(decimal(pointer))),
    "bigDecimal.fromString": (pointer) => heap().bigDecimal(decimalFromString(str(pointer))),

    "dataSource.address": () => heap().bytes(context.address),
    "dataSource.network": () => heap().string(context.dataSource.network),
    // Only templates carry a context; a manifest data source has an empty one.
    "dataSource.context": () => heap().entity(new Map()),

    "log.log": (level, messagePointer) => {
      const message = str(messagePointer);
      const name = LOG_LEVELS[level >>> 0] ?? "debug";
      context.log(name, message);
      if (name === "critical") {
        throw new MappingError(`Critical error logged in mapping with log message: ${message}`);
      }
    },

    "ethereum.encode": (pointer) => {
      const value = heap().readEthereumValue(pointer >>> 0, 0);
      return heap().bytes(encodeValueAsTuple(value));
    },
    "ethereum.decode": (typesPointer, dataPointer) => {
      const types = str(typesPointer);
      const value = decodeValue(types, bytes(dataPointer));
      return value === undefined ? 0 : heap().ethereumValue(value);
    },
  };
}

/** The names of the host functions implemented here. */
export function implementedHostFunctions(): Set<string> {
  const unused = undefined as never;
  return new Set(
    Object.keys(hostFunctions({ heap: unused, store: unused, dataSource: unused, address: unused, log() {} })),
  );
}
