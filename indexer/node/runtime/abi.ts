// Ethereum ABI values as graph-node hands them to mappings: event parameters decoded from a log (viem decodes,
// graph-node's rules decide what each value becomes), and the `ethereum.encode` / `ethereum.decode` host functions.
import {
  decodeAbiParameters,
  parseAbiParameter,
  toEventSelector,
  type AbiEvent,
  type AbiParameter,
  type Hex,
} from "viem";

/** graph-ts's `ethereum.ValueKind`, plus graph-node's FUNCTION (10) for Solidity function pointers. */
export type EthereumValue =
  | { kind: 0 | 1 | 2 | 10; bytes: Uint8Array }
  | { kind: 3 | 4; value: bigint }
  | { kind: 5; value: boolean }
  | { kind: 6; value: string }
  | { kind: 7 | 8 | 9; items: EthereumValue[] };

export const EthereumKind = {
  Address: 0,
  FixedBytes: 1,
  Bytes: 2,
  Int: 3,
  Uint: 4,
  Bool: 5,
  String: 6,
  FixedArray: 7,
  Array: 8,
  Tuple: 9,
  Function: 10,
} as const;

export interface EventParam {
  name: string;
  value: EthereumValue;
}

/** Turns one value viem decoded into the ethereum.Value graph-node makes of it; built once per ABI parameter. */
type Converter = (value: unknown) => EthereumValue;

/**
 * Decodes a parameter of an elementary static type from the 32-byte word at `offset` of a 0x-prefixed hex string,
 * exactly as viem's decoding followed by the parameter's converter does; undefined when the word is one viem
 * refuses (a boolean other than 0 or 1), which the caller then leaves to viem for its error.
 */
type WordDecoder = (hex: string, offset: number) => EthereumValue | undefined;

/** An event's ABI, split once into what the topics and the data hold, with a converter per parameter. */
export interface PreparedEvent {
  event: AbiEvent;
  selector: Hex;
  indexed: AbiParameter[];
  body: AbiParameter[];
  inputs: {
    name: string;
    indexed: boolean;
    wordTopic: boolean;
    type: string;
    convert: Converter;
    word: WordDecoder | undefined;
  }[];
  /** Whether every parameter read from the data or a topic has a {@link WordDecoder}: the fast path applies. */
  wordsOnly: boolean;
}

export function prepareEvent(event: AbiEvent): PreparedEvent {
  const inputs = event.inputs.map((input) => ({
    name: input.name ?? "",
    indexed: input.indexed === true,
    wordTopic: isWordType(input.type),
    type: input.type,
    convert: converter(input),
    word: wordDecoder(input.type),
  }));
  return {
    event,
    selector: toEventSelector(event),
    indexed: event.inputs.filter((input) => input.indexed),
    body: event.inputs.filter((input) => !input.indexed),
    inputs,
    // An indexed parameter of another type arrives as its hash, as fixed bytes: no decoding either way.
    wordsOnly: inputs.every((input) => input.word !== undefined || (input.indexed && !input.wordTopic)),
  };
}

const WORD_CHARS = 64;
const TWO_POW_255 = 1n << 255n;
const TWO_POW_256 = 1n << 256n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const HEX_DATA = /^0x(?:[0-9a-fA-F]{2})*$/;

/** The word decoder of an elementary static type; undefined for every other type (viem decodes those). */
function wordDecoder(type: string): WordDecoder | undefined {
  const integer = /^(u?)int(\d*)$/.exec(type);
  if (integer) {
    const signed = integer[1] === "";
    const bits = integer[2] === "" ? 256 : Number(integer[2]);
    // viem reads the whole word, signed over 256 bits, and returns types of 48 bits or less as (safe) numbers.
    return (hex, offset) => {
      let value = BigInt(`0x${hex.slice(offset, offset + WORD_CHARS)}`);
      if (signed && value >= TWO_POW_255) value -= TWO_POW_256;
      // viem refuses a word beyond a safe integer for those (dirty padding): its error, then, not a value.
      if (bits <= 48 && (value > MAX_SAFE || value < -MAX_SAFE)) return undefined;
      return signed ? { kind: EthereumKind.Int, value } : { kind: EthereumKind.Uint, value };
    };
  }
  if (type === "address") {
    return (hex, offset) => ({ kind: EthereumKind.Address, bytes: hexBytes(hex, offset + 24, 20) });
  }
  const fixed = FIXED_BYTES_TYPE.exec(type);
  if (fixed) {
    const size = Number(fixed[1]);
    return (hex, offset) => ({ kind: EthereumKind.FixedBytes, bytes: hexBytes(hex, offset, size) });
  }
  if (type === "bool") {
    return (hex, offset) => {
      for (let at = offset; at < offset + WORD_CHARS - 1; at++) if (hex.charCodeAt(at) !== 0x30) return undefined;
      const last = hex.charCodeAt(offset + WORD_CHARS - 1);
      return last === 0x30 || last === 0x31 ? { kind: EthereumKind.Bool, value: last === 0x31 } : undefined;
    };
  }
  return undefined;
}

/**
 * The fast path of {@link decodeEventLog} for events of elementary static types only: the words are read straight
 * from the hex, without viem's intermediate bytes, numbers and checksummed addresses. Undefined whenever viem could
 * see anything other than well-formed words (bad hex, too little data, a boolean out of range): the caller then
 * decodes with viem, which gives the same values or the error.
 */
function decodeWords(
  prepared: PreparedEvent,
  topics: readonly Hex[],
  data: Hex,
  topicOffset: number,
): EventParam[] | undefined {
  if (!HEX_DATA.test(data) || data.length < 2 + WORD_CHARS * prepared.body.length) return undefined;
  const params: EventParam[] = [];
  let nextIndexed = 0;
  let nextBody = 0;
  for (const input of prepared.inputs) {
    let value: EthereumValue | undefined;
    if (input.indexed) {
      const topic = topics[topicOffset + nextIndexed++]!;
      if (!input.wordTopic) value = { kind: EthereumKind.FixedBytes, bytes: hexBytes(topic) };
      else if (topic.length === 2 + WORD_CHARS && HEX_DATA.test(topic)) value = input.word!(topic, 2);
    } else {
      value = input.word!(data, 2 + WORD_CHARS * nextBody++);
    }
    if (value === undefined) return undefined;
    params.push({ name: input.name, value });
  }
  return params;
}

/** `bytes1` to `bytes32`, the size in the first group. */
const FIXED_BYTES_TYPE = /^bytes([1-9]|[12][0-9]|3[0-2])$/;

/** Types a topic holds as they are; every other indexed type arrives as its keccak hash. */
function isWordType(type: string): boolean {
  return (
    type === "address" ||
    type === "bool" ||
    /^u?int(\d+)?$/.test(type) ||
    FIXED_BYTES_TYPE.test(type) ||
    type === "function"
  );
}

const HEX_VALUES = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUES["0123456789abcdef".charCodeAt(i)] = i;
  HEX_VALUES["0123456789ABCDEF".charCodeAt(i)] = i;
}

/**
 * Hex (as viem returns bytes and addresses) to bytes, without viem's per-byte parsing: all of it after the `0x`, or
 * `length` bytes from the digit at `offset`.
 */
export function hexBytes(hex: string, offset = 2, length = (hex.length - offset) >> 1): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    out[i] = (HEX_VALUES[hex.charCodeAt(offset + 2 * i)]! << 4) | HEX_VALUES[hex.charCodeAt(offset + 2 * i + 1)]!;
  }
  return out;
}

/**
 * The log's parameters in declaration order, or the reason it does not match the event: graph-node then skips the
 * handler (it happens when an overloaded event has the same topic0 but other indexed parameters).
 */
export function decodeEventLog(prepared: PreparedEvent, topics: readonly Hex[], data: Hex): EventParam[] | string {
  const { event, indexed } = prepared;
  const topicOffset = event.anonymous ? 0 : 1;
  if (!event.anonymous && topics[0]?.toLowerCase() !== prepared.selector) {
    return `topic0 ${topics[0]} is not the selector of ${event.name}`;
  }
  if (topics.length !== indexed.length + topicOffset) {
    return `the log has ${topics.length} topics, ${event.name} expects ${indexed.length + topicOffset}`;
  }
  if (prepared.wordsOnly) {
    const params = decodeWords(prepared, topics, data, topicOffset);
    if (params !== undefined) return params;
  }
  let body: readonly unknown[] = [];
  if (prepared.body.length > 0) {
    try {
      body = decodeAbiParameters(prepared.body, data);
    } catch (error) {
      return `the log data does not decode as ${event.name}: ${(error as Error).message.split("\n")[0]}`;
    }
  }
  const params: EventParam[] = [];
  let nextIndexed = 0;
  let nextBody = 0;
  for (let i = 0; i < prepared.inputs.length; i++) {
    const input = prepared.inputs[i]!;
    let value: EthereumValue;
    if (input.indexed) {
      const topic = topics[topicOffset + nextIndexed++]!;
      if (input.wordTopic) {
        try {
          value = input.convert(decodeAbiParameters([prepared.event.inputs[i]!], topic)[0]);
        } catch (error) {
          return `topic ${topic} does not decode as ${input.type}: ${(error as Error).message.split("\n")[0]}`;
        }
      } else {
        value = { kind: EthereumKind.FixedBytes, bytes: hexBytes(topic) };
      }
    } else {
      value = input.convert(body[nextBody++]);
    }
    params.push({ name: input.name, value });
  }
  return params;
}

/** The converter for values of `param`'s type. */
function converter(param: AbiParameter): Converter {
  const type = param.type;
  const array = /^(.*)\[(\d*)\]$/.exec(type);
  if (array) {
    const item = converter({ ...param, type: array[1]! } as AbiParameter);
    const kind = array[2] === "" ? EthereumKind.Array : EthereumKind.FixedArray;
    return (value) => ({ kind, items: (value as readonly unknown[]).map(item) });
  }
  if (type === "tuple") {
    const components = (param as { components: readonly AbiParameter[] }).components;
    const converters = components.map(converter);
    const keys = components.map((component, index) => component.name ?? String(index));
    return (value) => ({
      kind: EthereumKind.Tuple,
      // viem returns a struct with named components as an object, otherwise as an array.
      items: converters.map((convert, index) =>
        convert(Array.isArray(value) ? value[index] : (value as Record<string, unknown>)[keys[index]!]),
      ),
    });
  }
  if (type === "address") return (value) => ({ kind: EthereumKind.Address, bytes: hexBytes(value as Hex) });
  if (type === "bool") return (value) => ({ kind: EthereumKind.Bool, value: value as boolean });
  if (type === "string") return (value) => ({ kind: EthereumKind.String, value: value as string });
  if (type === "bytes") return (value) => ({ kind: EthereumKind.Bytes, bytes: hexBytes(value as Hex) });
  if (type === "function") return (value) => ({ kind: EthereumKind.Function, bytes: hexBytes(value as Hex) });
  if (/^bytes\d+$/.test(type)) return (value) => ({ kind: EthereumKind.FixedBytes, bytes: hexBytes(value as Hex) });
  // viem returns integers of 48 bits or less as numbers.
  if (/^uint\d*$/.test(type)) return (value) => ({ kind: EthereumKind.Uint, value: BigInt(value as bigint | number) });
  if (/^int\d*$/.test(type)) return (value) => ({ kind: EthereumKind.Int, value: BigInt(value as bigint | number) });
  throw new Error(`Unsupported ABI type ${type}`);
}

/** A value viem decoded, typed the way graph-node types the same ABI value. */
export function fromViem(param: AbiParameter, value: unknown): EthereumValue {
  return converter(param)(value);
}

/**
 * `ethereum.decode(types, data)`: decodes `data` as one value of the Solidity type `types` (as alloy's
 * `DynSolType::abi_decode`, i.e. `abi.decode(data, (T))`). Undefined when the type or the data is invalid; the
 * mapping then receives null.
 */
export function decodeValue(types: string, data: Uint8Array): EthereumValue | undefined {
  let param: AbiParameter;
  try {
    param = parseAbiParameter(types.trim()) as AbiParameter;
  } catch {
    return undefined;
  }
  try {
    return fromViem(param, decodeAbiParameters([param], data)[0]);
  } catch {
    return undefined;
  }
}

function isDynamic(value: EthereumValue): boolean {
  switch (value.kind) {
    case EthereumKind.Bytes:
    case EthereumKind.String:
    case EthereumKind.Array:
      return true;
    case EthereumKind.FixedArray:
    case EthereumKind.Tuple:
      return value.items.some(isDynamic);
    default:
      return false;
  }
}

function word(value: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let rest = BigInt.asUintN(256, value);
  for (let i = 31; i >= 0 && rest !== 0n; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

function padded(bytes: Uint8Array, alignLeft: boolean): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.length / 32) * 32);
  out.set(bytes, alignLeft ? 0 : out.length - bytes.length);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function encodeSequence(items: EthereumValue[]): Uint8Array {
  const heads: Uint8Array[] = [];
  const tails: Uint8Array[] = [];
  let headLength = 0;
  for (const item of items) headLength += isDynamic(item) ? 32 : encodeValue(item).length;
  let tailLength = 0;
  for (const item of items) {
    const encoded = encodeValue(item);
    if (isDynamic(item)) {
      heads.push(word(BigInt(headLength + tailLength)));
      tails.push(encoded);
      tailLength += encoded.length;
    } else {
      heads.push(encoded);
    }
  }
  return concat([...heads, ...tails]);
}

function encodeValue(value: EthereumValue): Uint8Array {
  switch (value.kind) {
    case EthereumKind.Address:
      return padded(value.bytes, false);
    case EthereumKind.FixedBytes:
      return value.bytes.length === 0 ? new Uint8Array(32) : padded(value.bytes, true);
    case EthereumKind.Function:
      return padded(value.bytes, true);
    case EthereumKind.Int:
    case EthereumKind.Uint:
      return word(value.value);
    case EthereumKind.Bool:
      return word(value.value ? 1n : 0n);
    case EthereumKind.Bytes:
      return concat([word(BigInt(value.bytes.length)), padded(value.bytes, true)]);
    case EthereumKind.String: {
      const bytes = new TextEncoder().encode(value.value);
      return concat([word(BigInt(bytes.length)), padded(bytes, true)]);
    }
    case EthereumKind.Array:
      return concat([word(BigInt(value.items.length)), encodeSequence(value.items)]);
    default:
      return encodeSequence(value.items);
  }
}

/** `ethereum.encode(value)`: `abi.encode(value)`, the value as the only element of a tuple. */
export function encodeValueAsTuple(value: EthereumValue): Uint8Array {
  return encodeSequence([value]);
}
