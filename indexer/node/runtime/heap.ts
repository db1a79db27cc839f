// The mapping's memory as graph-node sees it (runtime/wasm/src/asc_abi, apiVersion >= 0.0.5): AssemblyScript 0.19
// objects with a 20-byte header (mmInfo, gcInfo, gcInfo2, rtId, rtSize) in front of the payload, allocated the way
// graph-node allocates them, and read back with the same checks and the same error messages where it matters.
//
// Layouts (payload offsets, all little-endian):
// - String: UTF-16 code units; rtSize = byte length.
// - ArrayBuffer: bytes; rtSize = byte length.
// - Uint8Array (Bytes, Address, BigInt): buffer ptr @0, dataStart ptr @4, byteLength @8.
// - Array<T>: buffer ptr @0, dataStart ptr @4, byteLength @8, length @12; elements are u32 pointers here.
// - Enum values (store Value, ethereum.Value, JSONValue): kind u32 @0, padding @4, payload u64 @8.
// - TypedMap: entries ptr @0; TypedMapEntry: key ptr @0, value ptr @4.
// - BigDecimal: digits ptr @0, exp ptr @4 (BigInts). BigInt: signed little-endian two's complement bytes.
import {
  BIG_DECIMAL_MAX_EXP,
  BIG_DECIMAL_MIN_EXP,
  checkBigInt,
  decimalFromCanonical,
  HEX_BYTE,
  decimalToString,
  fromSignedBytesLE,
  MappingError,
  normalize,
  type Decimal,
} from "./big-number.ts";
import type { EthereumValue } from "./abi.ts";
import { JSON_KIND, type JsonValue } from "./json.ts";
import type { Entity, StoredEntity, Value } from "../store/types.ts";
import type { WasmMemory } from "./wasm-api.ts";

/** graph-node's `IndexForAscTypeId`: the argument to the module's `id_of_type` export. */
export const TypeIndex = {
  String: 0,
  ArrayBuffer: 1,
  Uint8Array: 6,
  BigDecimal: 12,
  ArrayEthereumValue: 15,
  ArrayStoreValue: 16,
  ArrayJsonValue: 17,
  ArrayEventParam: 19,
  ArrayTypedMapEntryStringJsonValue: 20,
  ArrayTypedMapEntryStringStoreValue: 21,
  EventParam: 23,
  EthereumTransaction: 24,
  EthereumBlock: 25,
  WrappedBool: 28,
  WrappedJsonValue: 29,
  EthereumValue: 30,
  StoreValue: 31,
  JsonValue: 32,
  EthereumEvent: 33,
  TypedMapEntryStringStoreValue: 34,
  TypedMapEntryStringJsonValue: 35,
  TypedMapStringStoreValue: 36,
  TypedMapStringJsonValue: 37,
  ResultJsonValueBool: 40,
  ArrayTypedMapStringStoreValue: 1004,
} as const;

/** graph-ts's `ValueKind` for store values. */
const StoreKind = {
  String: 0,
  Int: 1,
  BigDecimal: 2,
  Bool: 3,
  Array: 4,
  Null: 5,
  Bytes: 6,
  BigInt: 7,
  Int8: 8,
  Timestamp: 9,
} as const;

const HEADER_SIZE = 20;
const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);
/** WebAssembly memory is little-endian; typed-array views over it are too on every platform Node runs on. */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
/** graph-node takes arenas of at least this size from the module's allocator and carves its objects from them. */
const MIN_ARENA_SIZE = 10_000;

const NULL_POINTER_MESSAGE =
  "Tried to read AssemblyScript value that is 'null'. Suggestion: look into the function that the error happened " +
  "and add 'log' calls till you find where a 'null' value is being used as non-nullable. It's likely that you're " +
  "calling a 'graph-ts' function (or operator) with a 'null' value when it doesn't support it.";

/** graph-node's `padding_to_16`: objects keep 16-byte alignment. */
function paddingTo16(length: number): number {
  return (16 - ((HEADER_SIZE + length) % 16)) % 16;
}

function nextPowerOfTwo(n: number): number {
  return n <= 1 ? 1 : n <= 0x4000_0000 ? 1 << (32 - Math.clz32(n - 1)) : 2 ** Math.ceil(Math.log2(n));
}

/** Strings and buffers get spare capacity up to a power of two, as graph-node writes them. */
function bufferCapacity(contentLength: number): number {
  return nextPowerOfTwo(contentLength + HEADER_SIZE) - HEADER_SIZE;
}

const HEX_DIGITS = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_DIGITS[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_DIGITS[0x41 + i] = 10 + i;
  HEX_DIGITS[0x61 + i] = 10 + i;
}

/** Proleptic Gregorian date to days since 1970-01-01. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}
// The range of chrono 0.4's NaiveDate (Jan 1, 262145 BCE to Dec 31, 262143 CE), which graph-node's Timestamp checks.
const MIN_TIMESTAMP_SECONDS = BigInt(daysFromCivil(-262144, 1, 1)) * 86_400n;
const MAX_TIMESTAMP_SECONDS = BigInt(daysFromCivil(262143, 12, 31)) * 86_400n + 86_399n;

function checkTimestamp(micros: bigint): bigint {
  // graph-node converts with `DateTime::from_timestamp(micros / 1e6, (micros % 1e6) * 1000 as u32)`: a negative
  // value with a fraction of a second wraps the nanoseconds and is rejected.
  const seconds = micros / 1_000_000n;
  const valid =
    !(micros < 0n && micros % 1_000_000n !== 0n) &&
    seconds >= MIN_TIMESTAMP_SECONDS &&
    seconds <= MAX_TIMESTAMP_SECONDS;
  if (!valid) throw new MappingError("Invalid timestamp");
  return micros;
}

/** Strings up to this many UTF-16 code units are read code unit by code unit. */
const SHORT_STRING_UNITS = 32;

/** The field names of stored entities, sorted, by entity: for entities of a type the caller gives no order for. */
const sortedNames = new WeakMap<ReadonlyMap<string, unknown>, string[]>();

/** A copy of `array` with room for at least `length` elements. */
function grow(array: Int32Array<ArrayBuffer>, length: number): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(Math.max(array.length * 2, length));
  grown.set(array);
  return grown;
}

/** Whether a value written into memory may be handed back as the very same value when it reads the same. */
function rememberable(value: Value): boolean {
  // A BigDecimal read from memory comes back normalized, which a stored one (loaded from the database, say) may not
  // be: it is always read.
  if (value.kind === "BigDecimal") return false;
  if (value.kind !== "Array") return true;
  for (const item of value.value) if (!rememberable(item)) return false;
  return true;
}

/**
 * One instance's memory. Host functions read their arguments and write their results through it; it is reset with
 * the instance before every trigger (`resetArena`).
 */
export class AscHeap {
  readonly memory: WasmMemory;
  #buffer: ArrayBuffer;
  u8: Uint8Array;
  view: DataView;
  /** The same memory as 32-bit words (every object starts 4-byte aligned): headers, and comparing regions. */
  #i32: Int32Array;
  readonly #allocate: (size: number) => number;
  readonly #idOfType: (index: number) => number;
  /** Class ids by type index; shared by every instance of one compiled module, as graph-node caches them. */
  readonly #classIds: Map<number, number>;
  /** `#classIds` as an array by type index, for the allocation path. */
  readonly #classIdByIndex: number[] = [];
  #arenaStart = 0;
  #arenaFree = 0;
  /** How many arenas were taken: a value whose objects were all written in one arena lies in one region. */
  #arenas = 0;
  /**
   * The store values written into entities during this trigger (`store.get`), by pointer: the value the store holds,
   * where its objects lie, and a copy of their bytes in `#shadow`. A mapping saves entities mostly with the values it
   * loaded; when `store.set` finds such a value whose bytes still read as written, it hands the store the value it
   * came from instead of decoding it again: decoding the same bytes would give an equal value, and the store sees
   * at once, by identity, that the field did not change. Values are only remembered for the trigger they were written
   * in (the memory is reset after it).
   */
  #rememberedPointers = new Int32Array(256);
  readonly #rememberedValues: Value[] = [];
  /** Per remembered value: its region's start and length in memory, and the copy's start in `#shadow`, all in words. */
  #rememberedRegions = new Int32Array(3 * 256);
  #shadow = new Int32Array(16 * 1024);
  #shadowUsed = 0;
  /**
   * Where the memory restored before every trigger ends (see MappingInstance): objects below it are the module's own,
   * its string literals among them, and a string there holds the same text in every trigger (AssemblyScript strings
   * are immutable). Field names and entity type names are such literals: they are read once, and field names are
   * written back into entities as pointers to the literal instead of new copies. Values always get new strings, as
   * in graph-node: AssemblyScript 0.19's `===` compares strings by identity, so a literal handed back as a value would
   * compare differently.
   */
  #staticEnd = 0;
  readonly #staticText = new Map<number, string>();
  readonly #staticPointers = new Map<string, number>();

  constructor(
    memory: WasmMemory,
    allocate: (size: number) => number,
    idOfType: (index: number) => number,
    classIds: Map<number, number>,
  ) {
    this.memory = memory;
    this.#allocate = allocate;
    this.#idOfType = idOfType;
    this.#classIds = classIds;
    this.#buffer = memory.buffer;
    this.u8 = new Uint8Array(this.#buffer);
    this.view = new DataView(this.#buffer);
    this.#i32 = new Int32Array(this.#buffer);
  }

  /**
   * Memory growth (by the mapping's allocator, or by `allocate` called from here) detaches the old buffer, whose
   * length then reads 0; every access goes through views taken after the last growth.
   */
  refresh(): void {
    if (this.#buffer.byteLength === 0 || this.memory.buffer !== this.#buffer) {
      this.#buffer = this.memory.buffer;
      this.u8 = new Uint8Array(this.#buffer);
      this.view = new DataView(this.#buffer);
      this.#i32 = new Int32Array(this.#buffer);
    }
  }

  /** Sets where the module's own memory ends: see {@link #staticEnd}. */
  setStaticEnd(end: number): void {
    this.#staticEnd = end;
    this.#staticText.clear();
    this.#staticPointers.clear();
  }

  /** A map key holding `text`: the module's own literal when one was seen, a new string otherwise. */
  #key(text: string): number {
    return this.#staticPointers.get(text) ?? this.string(text);
  }

  resetArena(): void {
    this.#arenaStart = 0;
    this.#arenaFree = 0;
    this.#rememberedValues.length = 0;
    this.#shadowUsed = 0;
  }

  /** The end of the host's current arena: memory up to here may have been written during the trigger. */
  get arenaEnd(): number {
    return this.#arenaStart + this.#arenaFree;
  }

  // ---- allocation ------------------------------------------------------------------------------------------------

  classId(typeIndex: number): number {
    const known = this.#classIdByIndex[typeIndex];
    if (known !== undefined) return known;
    let id = this.#classIds.get(typeIndex);
    if (id === undefined) {
      id = this.#idOfType(typeIndex) >>> 0;
      this.#classIds.set(typeIndex, id);
    }
    this.#classIdByIndex[typeIndex] = id;
    return id;
  }

  /** graph-node's `raw_new`: carve `size` bytes from the current arena, taking a new one from `allocate` if needed. */
  #rawNew(size: number): number {
    if (size > this.#arenaFree) {
      let arenaSize = Math.max(size, MIN_ARENA_SIZE);
      // `allocate` returns a pointer just past the block's 4-byte mmInfo, 16-byte aligned; graph-node moves 12 bytes
      // on so that, after each 20-byte header, payloads stay 16-byte aligned.
      const start = (this.#allocate(arenaSize) >>> 0) + 12;
      arenaSize -= 12;
      this.#arenaStart = start;
      this.#arenaFree = arenaSize;
      this.#arenas++;
      // Objects are carved from the arena zeroed, as graph-node's are: zeroing it whole now is one call, not one per
      // object. (Only the host writes to its arenas.)
      this.refresh();
      this.u8.fill(0, start, start + arenaSize);
    }
    const pointer = this.#arenaStart;
    this.#arenaStart += size;
    this.#arenaFree -= size;
    return pointer;
  }

  /**
   * Allocates an object with `length` payload bytes (zeroed, padded to keep alignment) and writes its header.
   * `rtSize` is what the header reports: the content length for strings and buffers, the padded size for structs.
   */
  allocate(typeIndex: number, length: number, rtSize: number): number {
    const classId = this.classId(typeIndex);
    const padded = length + paddingTo16(length);
    const start = this.#rawNew(HEADER_SIZE + padded);
    if (this.#buffer.byteLength === 0) this.refresh();
    // The arena is zeroed: only the header's non-zero words are written. Arenas start 4 bytes short of 16-byte
    // alignment and objects keep 16-byte multiples, so the header is word-aligned.
    if (LITTLE_ENDIAN && (start & 3) === 0) {
      const words = this.#i32;
      const at = start >> 2;
      words[at] = 16 + padded;
      words[at + 3] = classId;
      words[at + 4] = rtSize;
    } else {
      const view = this.view;
      view.setUint32(start, 16 + padded, true);
      view.setUint32(start + 12, classId, true);
      view.setUint32(start + 16, rtSize, true);
    }
    return start + HEADER_SIZE;
  }

  /** A struct of u32 fields (pointers, mostly). */
  struct(typeIndex: number, fields: ArrayLike<number>): number {
    const length = fields.length * 4;
    const pointer = this.allocate(typeIndex, length, length + paddingTo16(length));
    const view = this.view;
    for (let i = 0; i < fields.length; i++) view.setUint32(pointer + i * 4, fields[i]!, true);
    return pointer;
  }

  /** {@link struct} with two fields, the hot path's: no array to allocate. */
  #struct2(typeIndex: number, first: number, second: number): number {
    const pointer = this.allocate(typeIndex, 8, 8 + paddingTo16(8));
    const view = this.view;
    view.setUint32(pointer, first, true);
    view.setUint32(pointer + 4, second, true);
    return pointer;
  }

  /** A `Uint8Array` viewing the first `length` bytes of `buffer`. */
  #typedArray(typeIndex: number, buffer: number, length: number): number {
    const pointer = this.allocate(typeIndex, 12, 12 + paddingTo16(12));
    const view = this.view;
    view.setUint32(pointer, buffer, true);
    view.setUint32(pointer + 4, buffer, true);
    view.setUint32(pointer + 8, length, true);
    return pointer;
  }

  /** An enum value (kind, payload). `payload` is a pointer, a number or an i64. */
  enumValue(typeIndex: number, kind: number, payload: number | bigint): number {
    const pointer = this.allocate(typeIndex, 16, 16 + paddingTo16(16));
    const view = this.view;
    view.setUint32(pointer, kind, true);
    if (typeof payload === "bigint") view.setBigInt64(pointer + 8, payload, true);
    else {
      view.setUint32(pointer + 8, payload >>> 0, true);
      // An i32 payload is sign-extended to 64 bits (`EnumPayload::from(i32)` is `x as u64`).
      view.setInt32(pointer + 12, payload < 0 ? -1 : 0, true);
    }
    return pointer;
  }

  string(text: string): number {
    const byteLength = text.length * 2;
    const pointer = this.allocate(TypeIndex.String, bufferCapacity(byteLength), byteLength);
    if (LITTLE_ENDIAN) {
      const u8 = this.u8;
      for (let i = 0, at = pointer; i < text.length; i++, at += 2) {
        const unit = text.charCodeAt(i);
        u8[at] = unit;
        u8[at + 1] = unit >> 8;
      }
    } else {
      const view = this.view;
      for (let i = 0; i < text.length; i++) view.setUint16(pointer + i * 2, text.charCodeAt(i), true);
    }
    return pointer;
  }

  arrayBuffer(bytes: Uint8Array): number {
    const pointer = this.allocate(TypeIndex.ArrayBuffer, bufferCapacity(bytes.length), bytes.length);
    this.u8.set(bytes, pointer);
    return pointer;
  }

  /** A `Uint8Array` over a new buffer: graph-ts's Bytes, Address and BigInt. */
  bytes(bytes: Uint8Array): number {
    const buffer = this.arrayBuffer(bytes);
    return this.#typedArray(TypeIndex.Uint8Array, buffer, bytes.length);
  }

  /** Bytes from 0x-prefixed hex, decoded straight into memory. */
  hexBytes(hex: string): number {
    const length = (hex.length - 2) >> 1;
    if (hex.length % 2 !== 0 || !hex.startsWith("0x")) throw new Error(`Malformed hex data from the chain: ${hex}`);
    const buffer = this.allocate(TypeIndex.ArrayBuffer, bufferCapacity(length), length);
    const u8 = this.u8;
    for (let i = 0; i < length; i++) {
      const high = HEX_DIGITS[hex.charCodeAt(2 + i * 2)] ?? -1;
      const low = HEX_DIGITS[hex.charCodeAt(3 + i * 2)] ?? -1;
      if (high < 0 || low < 0) throw new Error(`Malformed hex data from the chain: ${hex}`);
      u8[buffer + i] = (high << 4) | low;
    }
    return this.#typedArray(TypeIndex.Uint8Array, buffer, length);
  }

  /**
   * A BigInt as graph-node encodes it (the shortest little-endian two's complement, see `toSignedBytesLE`), written
   * straight from its hex digits. A negative n is written as the complement of m = -n - 1, which has the same
   * minimal length: floor(bits(m) / 8) + 1 bytes.
   */
  bigInt(value: bigint): number {
    if (value >= -0x80n && value < 0x80n) {
      const buffer = this.allocate(TypeIndex.ArrayBuffer, bufferCapacity(1), 1);
      this.u8[buffer] = Number(value) & 0xff;
      return this.#typedArray(TypeIndex.Uint8Array, buffer, 1);
    }
    if (value >= -MAX_SAFE_BIGINT && value <= MAX_SAFE_BIGINT) return this.#safeBigInt(Number(value));
    const negative = value < 0n;
    const hex = (negative ? -value - 1n : value).toString(16);
    const bits = (hex.length - 1) * 4 + (32 - Math.clz32(HEX_DIGITS[hex.charCodeAt(0)]!));
    const length = (bits >> 3) + 1;
    const buffer = this.allocate(TypeIndex.ArrayBuffer, bufferCapacity(length), length);
    const u8 = this.u8;
    const flip = negative ? 0xff : 0;
    let at = hex.length;
    for (let i = 0; i < length; i++) {
      const low = at > 0 ? HEX_DIGITS[hex.charCodeAt(--at)]! : 0;
      const high = at > 0 ? HEX_DIGITS[hex.charCodeAt(--at)]! : 0;
      u8[buffer + i] = ((high << 4) | low) ^ flip;
    }
    return this.#typedArray(TypeIndex.Uint8Array, buffer, length);
  }

  /** {@link bigInt} of a safe integer, with number arithmetic: no digits to allocate. */
  #safeBigInt(value: number): number {
    // Bytes of the magnitude m (for a negative value, m = -value - 1 and its bytes flipped): as many as bigInt writes.
    const negative = value < 0;
    let magnitude = negative ? -value - 1 : value;
    let length = 1;
    for (let rest = Math.floor(magnitude / 128); rest > 0; rest = Math.floor(rest / 256)) length++;
    const buffer = this.allocate(TypeIndex.ArrayBuffer, bufferCapacity(length), length);
    const u8 = this.u8;
    const flip = negative ? 0xff : 0;
    for (let i = 0; i < length; i++) {
      u8[buffer + i] = (magnitude % 256) ^ flip;
      magnitude = Math.floor(magnitude / 256);
    }
    return this.#typedArray(TypeIndex.Uint8Array, buffer, length);
  }

  array(typeIndex: number, pointers: ArrayLike<number>): number {
    const length = pointers.length;
    const buffer = this.allocate(TypeIndex.ArrayBuffer, bufferCapacity(length * 4), length * 4);
    const view = this.view;
    for (let i = 0; i < length; i++) view.setUint32(buffer + i * 4, pointers[i]!, true);
    const pointer = this.allocate(typeIndex, 16, 16 + paddingTo16(16));
    // Allocating may have grown memory: a view taken before it would write into the detached buffer.
    const header = this.view;
    header.setUint32(pointer, buffer, true);
    header.setUint32(pointer + 4, buffer, true);
    header.setUint32(pointer + 8, length * 4, true);
    header.setUint32(pointer + 12, length, true);
    return pointer;
  }

  bigDecimal(value: Decimal): number {
    // graph-node allocates the exponent before the digits.
    const exp = this.bigInt(-value.scale);
    const digits = this.bigInt(checkBigInt(value.digits));
    return this.#struct2(TypeIndex.BigDecimal, digits, exp);
  }

  wrappedBool(value: boolean): number {
    const pointer = this.allocate(TypeIndex.WrappedBool, 1, 1 + paddingTo16(1));
    this.u8[pointer] = value ? 1 : 0;
    return pointer;
  }

  storeValue(value: Value): number {
    switch (value.kind) {
      case "String":
        return this.enumValue(TypeIndex.StoreValue, StoreKind.String, this.string(value.value));
      case "Int":
        return this.enumValue(TypeIndex.StoreValue, StoreKind.Int, value.value);
      case "Int8":
        return this.enumValue(TypeIndex.StoreValue, StoreKind.Int8, value.value);
      case "Timestamp":
        return this.enumValue(TypeIndex.StoreValue, StoreKind.Timestamp, value.value);
      case "BigDecimal":
        return this.enumValue(
          TypeIndex.StoreValue,
          StoreKind.BigDecimal,
          this.bigDecimal(decimalFromCanonical(value.value)),
        );
      case "Bool":
        return this.enumValue(TypeIndex.StoreValue, StoreKind.Bool, value.value ? 1 : 0);
      case "Array": {
        const items = value.value.map((item) => this.storeValue(item));
        return this.enumValue(TypeIndex.StoreValue, StoreKind.Array, this.array(TypeIndex.ArrayStoreValue, items));
      }
      case "Null":
        return this.enumValue(TypeIndex.StoreValue, StoreKind.Null, 0);
      case "Bytes":
        return this.enumValue(TypeIndex.StoreValue, StoreKind.Bytes, this.bytes(value.value));
      case "BigInt":
        return this.enumValue(TypeIndex.StoreValue, StoreKind.BigInt, this.bigInt(value.value));
    }
  }

  /**
   * An entity as graph-node hands it to a mapping: fields sorted by name, and null fields left out (graph-node's
   * entities never hold nulls: a null write removes the field). `sortedFields`, every field name its type may hold
   * in sorted order, saves sorting the entity's own.
   */
  entity(entity: StoredEntity, sortedFields?: readonly string[]): number {
    let names = sortedFields;
    if (names === undefined) {
      // Stored entities never change (see EntityStore.get): their sorted field names are worked out once.
      names = sortedNames.get(entity);
      if (names === undefined) sortedNames.set(entity, (names = [...entity.keys()].sort()));
    }
    const entries: number[] = [];
    for (const name of names) {
      const value = entity.get(name);
      if (value === undefined || value.kind === "Null") continue;
      const key = this.#key(name);
      const arenas = this.#arenas;
      const start = this.#arenaStart;
      const stored = this.storeValue(value);
      if (arenas === this.#arenas && rememberable(value)) this.#remember(stored, value, start, this.#arenaStart);
      entries.push(this.#struct2(TypeIndex.TypedMapEntryStringStoreValue, key, stored));
    }
    const array = this.array(TypeIndex.ArrayTypedMapEntryStringStoreValue, entries);
    const map = this.allocate(TypeIndex.TypedMapStringStoreValue, 4, 4 + paddingTo16(4));
    this.view.setUint32(map, array, true);
    return map;
  }

  /**
   * Remembers that `value` was written at `pointer`, its objects filling [start, end): see {@link #rememberedValues}.
   * Pointers only grow within a trigger (arenas come from a bump allocator), so they are kept in order, for a binary
   * search.
   */
  #remember(pointer: number, value: Value, start: number, end: number): void {
    const words = (end - start) >> 2;
    const slot = this.#rememberedValues.length;
    if ((start & 3) !== 0 || words <= 0 || (slot > 0 && pointer <= this.#rememberedPointers[slot - 1]!)) return;
    if (slot === this.#rememberedPointers.length) {
      this.#rememberedPointers = grow(this.#rememberedPointers, slot + 1);
      this.#rememberedRegions = grow(this.#rememberedRegions, 3 * slot + 3);
    }
    if (this.#shadowUsed + words > this.#shadow.length) {
      this.#shadow = grow(this.#shadow, this.#shadowUsed + words);
    }
    const memory = this.#i32;
    const shadow = this.#shadow;
    const at = start >> 2;
    const copy = this.#shadowUsed;
    for (let i = 0; i < words; i++) shadow[copy + i] = memory[at + i]!;
    this.#rememberedPointers[slot] = pointer;
    this.#rememberedRegions[3 * slot] = at;
    this.#rememberedRegions[3 * slot + 1] = words;
    this.#rememberedRegions[3 * slot + 2] = copy;
    this.#shadowUsed += words;
    this.#rememberedValues.push(value);
  }

  /** The value remembered at `pointer` if its objects still read exactly as written; undefined otherwise. */
  #rememberedValue(pointer: number): Value | undefined {
    const pointers = this.#rememberedPointers;
    let low = 0;
    let high = this.#rememberedValues.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const candidate = pointers[middle]!;
      if (candidate < pointer) low = middle + 1;
      else if (candidate > pointer) high = middle - 1;
      else return this.#unchanged(middle) ? this.#rememberedValues[middle] : undefined;
    }
    return undefined;
  }

  #unchanged(slot: number): boolean {
    const regions = this.#rememberedRegions;
    const at = regions[3 * slot]!;
    const words = regions[3 * slot + 1]!;
    const copy = regions[3 * slot + 2]!;
    this.#check(at << 2, words << 2);
    const memory = this.#i32;
    const shadow = this.#shadow;
    for (let i = 0; i < words; i++) if (memory[at + i] !== shadow[copy + i]) return false;
    return true;
  }

  ethereumValue(value: EthereumValue): number {
    let payload: number;
    switch (value.kind) {
      case 0:
      case 1:
      case 2:
      case 10:
        payload = this.bytes(value.bytes);
        break;
      case 3:
      case 4:
        payload = this.bigInt(value.value);
        break;
      case 5:
        payload = value.value ? 1 : 0;
        break;
      case 6:
        payload = this.string(value.value);
        break;
      default: {
        const items = value.items.map((item) => this.ethereumValue(item));
        payload = this.array(TypeIndex.ArrayEthereumValue, items);
      }
    }
    return this.enumValue(TypeIndex.EthereumValue, value.kind, payload);
  }

  json(value: JsonValue): number {
    switch (value.kind) {
      case "null":
        return this.enumValue(TypeIndex.JsonValue, JSON_KIND.null, 0);
      case "bool":
        return this.enumValue(TypeIndex.JsonValue, JSON_KIND.bool, value.value ? 1 : 0);
      case "number":
        return this.enumValue(TypeIndex.JsonValue, JSON_KIND.number, this.string(value.text));
      case "string":
        return this.enumValue(TypeIndex.JsonValue, JSON_KIND.string, this.string(value.value));
      case "array": {
        const items = value.items.map((item) => this.json(item));
        return this.enumValue(TypeIndex.JsonValue, JSON_KIND.array, this.array(TypeIndex.ArrayJsonValue, items));
      }
      case "object": {
        const entries = value.entries.map(([key, item]) => {
          const keyPointer = this.string(key);
          const valuePointer = this.json(item);
          return this.struct(TypeIndex.TypedMapEntryStringJsonValue, [keyPointer, valuePointer]);
        });
        const array = this.array(TypeIndex.ArrayTypedMapEntryStringJsonValue, entries);
        const map = this.struct(TypeIndex.TypedMapStringJsonValue, [array]);
        return this.enumValue(TypeIndex.JsonValue, JSON_KIND.object, map);
      }
    }
  }

  // ---- reading ---------------------------------------------------------------------------------------------------

  #check(pointer: number, length: number): void {
    if (pointer + length > this.u8.length) {
      // The mapping's own code may have grown memory since the host last looked.
      this.refresh();
      if (pointer + length > this.u8.length) {
        throw new MappingError(`Heap access out of bounds. Offset: ${pointer} Size: ${length}`);
      }
    }
  }

  u32(pointer: number): number {
    this.#check(pointer, 4);
    return this.view.getUint32(pointer, true);
  }

  /** The object's `rtSize`: its payload length. */
  #length(pointer: number): number {
    if (pointer === 0) throw new MappingError(NULL_POINTER_MESSAGE);
    if (pointer < 4) throw new MappingError(`Subtract overflow on pointer: ${pointer}`);
    return this.u32(pointer - 4);
  }

  readString(pointer: number): string {
    if (pointer < this.#staticEnd) {
      const known = this.#staticText.get(pointer);
      if (known !== undefined) return known;
    }
    const byteLength = this.#length(pointer);
    if (byteLength % 2 !== 0) throw new MappingError("Attempted to read past end of string content bytes chunk");
    this.#check(pointer, byteLength);
    const units = byteLength / 2;
    let text = "";
    if (LITTLE_ENDIAN && pointer % 2 === 0 && units <= SHORT_STRING_UNITS) {
      // Field names, ids and enum values: a loop is cheaper than a typed-array view made for each of them.
      const u8 = this.u8;
      for (let at = pointer, end = pointer + byteLength; at < end; at += 2) {
        text += String.fromCharCode(u8[at]! | (u8[at + 1]! << 8));
      }
    } else if (LITTLE_ENDIAN && pointer % 2 === 0) {
      // Code units straight from memory, in chunks that stay below the engine's argument limit.
      const codeUnits = new Uint16Array(this.u8.buffer, pointer, units);
      for (let start = 0; start < units; start += 4096) {
        text += String.fromCharCode.apply(null, codeUnits.subarray(start, start + 4096) as unknown as number[]);
      }
    } else {
      const view = this.view;
      for (let i = 0; i < units; i++) text += String.fromCharCode(view.getUint16(pointer + i * 2, true));
    }
    if (!(text as unknown as { isWellFormed(): boolean }).isWellFormed())
      throw new MappingError("invalid utf-16: lone surrogate found");
    // graph-node strips NUL characters, which PostgreSQL does not accept.
    const result = text.includes("\0") ? text.replaceAll("\0", "") : text;
    if (pointer + byteLength <= this.#staticEnd) {
      this.#staticText.set(pointer, result);
      if (result === text && !this.#staticPointers.has(result)) this.#staticPointers.set(result, pointer);
    }
    return result;
  }

  /** The bytes a `Uint8Array` (Bytes, Address, BigInt) views, copied out. */
  readBytes(pointer: number): Uint8Array {
    if (pointer === 0) throw new MappingError(NULL_POINTER_MESSAGE);
    this.#check(pointer, 12);
    const view = this.view;
    const buffer = view.getUint32(pointer, true);
    const dataStart = view.getUint32(pointer + 4, true);
    const byteLength = view.getUint32(pointer + 8, true);
    return this.#bufferSlice(buffer, dataStart, byteLength);
  }

  /** graph-node reads from the view's start to at most the end of its buffer. */
  #bufferSlice(buffer: number, dataStart: number, byteLength: number): Uint8Array {
    const length = this.#viewLength(buffer, dataStart, byteLength);
    return this.u8.slice(dataStart, dataStart + length);
  }

  /** How many bytes of a view graph-node reads, checked to be in memory. */
  #viewLength(buffer: number, dataStart: number, byteLength: number): number {
    if (buffer === 0) throw new MappingError(NULL_POINTER_MESSAGE);
    if (dataStart < buffer) throw new MappingError(`Subtract overflow on pointer: ${dataStart}`);
    const bufferLength = this.#length(buffer);
    const offset = dataStart - buffer;
    if (offset > bufferLength) {
      throw new MappingError(`Array view starts ${offset} bytes into a buffer of ${bufferLength} bytes`);
    }
    const length = Math.min(byteLength, bufferLength - offset);
    this.#check(dataStart, length);
    return length;
  }

  /** The u32 elements (pointers) of an `Array<T>`. */
  readArray(pointer: number): number[] {
    if (pointer === 0) throw new MappingError(NULL_POINTER_MESSAGE);
    this.#check(pointer, 16);
    const view = this.view;
    const buffer = view.getUint32(pointer, true);
    const dataStart = view.getUint32(pointer + 4, true);
    const length = view.getInt32(pointer + 12, true);
    const count = this.#viewLength(buffer, dataStart, Math.max(0, length) * 4) >> 2;
    const out = new Array<number>(count);
    for (let i = 0; i < count; i++) out[i] = view.getUint32(dataStart + i * 4, true);
    return out;
  }

  /** A BigInt's signed little-endian bytes, read in place. */
  readBigInt(pointer: number): bigint {
    if (pointer === 0) throw new MappingError(NULL_POINTER_MESSAGE);
    this.#check(pointer, 12);
    const view = this.view;
    const buffer = view.getUint32(pointer, true);
    const dataStart = view.getUint32(pointer + 4, true);
    const length = this.#viewLength(buffer, dataStart, view.getUint32(pointer + 8, true));
    const u8 = this.u8;
    if (length === 0) return 0n;
    const negative = u8[dataStart + length - 1]! >= 0x80;
    if (length <= 6) {
      let value = 0;
      for (let i = length - 1; i >= 0; i--) value = value * 256 + u8[dataStart + i]!;
      return BigInt(negative ? value - 2 ** (8 * length) : value);
    }
    // A negative value is -(m + 1), m being the complement of its bytes.
    const flip = negative ? 0xff : 0;
    let hex = "0x";
    for (let i = length - 1; i >= 0; i--) hex += HEX_BYTE[u8[dataStart + i]! ^ flip];
    return checkBigInt(negative ? -BigInt(hex) - 1n : BigInt(hex));
  }

  readBigDecimal(pointer: number): Decimal {
    if (pointer === 0) throw new MappingError(NULL_POINTER_MESSAGE);
    this.#check(pointer, 8);
    const digits = this.readBigInt(this.view.getUint32(pointer, true));
    const exponentBytes = this.readBytes(this.view.getUint32(pointer + 4, true));
    if (exponentBytes.length > 8) throw new MappingError("big decimal exponent does not fit in 64 bits");
    const exponent = fromSignedBytesLE(exponentBytes);
    const value = normalize({ digits, scale: -exponent });
    const normalizedExponent = -value.scale;
    if (normalizedExponent < BIG_DECIMAL_MIN_EXP || normalizedExponent > BIG_DECIMAL_MAX_EXP) {
      throw new MappingError(
        `big decimal exponent \`${normalizedExponent}\` is outside the \`${BIG_DECIMAL_MIN_EXP}\` to \`${BIG_DECIMAL_MAX_EXP}\` range`,
      );
    }
    return value;
  }

  readStoreValue(pointer: number, depth: number): Value {
    if (pointer === 0) throw new MappingError(NULL_POINTER_MESSAGE);
    if (++depth > 128) throw new MappingError("recursion limit reached");
    this.#check(pointer, 16);
    const view = this.view;
    const kind = view.getUint32(pointer, true);
    const payload = view.getUint32(pointer + 8, true);
    switch (kind) {
      case StoreKind.String:
        return { kind: "String", value: this.readString(payload) };
      case StoreKind.Int:
        return { kind: "Int", value: view.getInt32(pointer + 8, true) };
      case StoreKind.Int8:
        return { kind: "Int8", value: view.getBigInt64(pointer + 8, true) };
      case StoreKind.Timestamp:
        return { kind: "Timestamp", value: checkTimestamp(view.getBigInt64(pointer + 8, true)) };
      case StoreKind.BigDecimal:
        return { kind: "BigDecimal", value: decimalToString(this.readBigDecimal(payload)) };
      case StoreKind.Bool:
        return { kind: "Bool", value: view.getBigUint64(pointer + 8, true) !== 0n };
      case StoreKind.Array:
        return { kind: "Array", value: this.readArray(payload).map((item) => this.readStoreValue(item, depth)) };
      case StoreKind.Null:
        return { kind: "Null" };
      case StoreKind.Bytes:
        return { kind: "Bytes", value: this.readBytes(payload) };
      case StoreKind.BigInt:
        return { kind: "BigInt", value: this.readBigInt(payload) };
      default:
        throw new MappingError(`invalid store value kind ${kind}`);
    }
  }

  /** An entity written by the mapping. A repeated field keeps its last value, as graph-node's HashMap does. */
  readEntity(pointer: number): Entity {
    if (pointer === 0) throw new MappingError(NULL_POINTER_MESSAGE);
    const entries = this.readArray(this.u32(pointer));
    const entity: Entity = new Map();
    for (const entry of entries) {
      if (entry === 0) throw new MappingError(NULL_POINTER_MESSAGE);
      this.#check(entry, 8);
      const key = this.readString(this.view.getUint32(entry, true));
      const valuePointer = this.view.getUint32(entry + 4, true);
      entity.set(key, this.#rememberedValue(valuePointer) ?? this.readStoreValue(valuePointer, 1));
    }
    return entity;
  }

  readEthereumValue(pointer: number, depth: number): EthereumValue {
    if (pointer === 0) throw new MappingError(NULL_POINTER_MESSAGE);
    if (++depth > 128) throw new MappingError("recursion limit reached");
    this.#check(pointer, 16);
    const view = this.view;
    const kind = view.getUint32(pointer, true);
    const payload = view.getUint32(pointer + 8, true);
    switch (kind) {
      case 0: {
        const bytes = this.readBytes(payload);
        if (bytes.length !== 20) throw new MappingError(`expected array of length 20, found length ${bytes.length}`);
        return { kind: 0, bytes };
      }
      case 1: {
        const bytes = this.readBytes(payload);
        if (bytes.length > 32) throw new MappingError(`invalid fixed bytes length: ${bytes.length}`);
        return { kind: 1, bytes };
      }
      case 2:
        return { kind: 2, bytes: this.readBytes(payload) };
      case 3: {
        const value = this.readBigInt(payload);
        if (value < -(1n << 255n) || value >= 1n << 255n) {
          throw new MappingError(`BigInt value \`${value}\` does not fit into int256`);
        }
        return { kind: 3, value };
      }
      case 4: {
        const value = this.readBigInt(payload);
        if (value < 0n) throw new MappingError(`BigInt value is negative, cannot convert to unsigned U256: ${value}`);
        if (value >= 1n << 256n) throw new MappingError(`BigInt value \`${value}\` does not fit into uint256`);
        return { kind: 4, value };
      }
      case 5:
        return { kind: 5, value: view.getBigUint64(pointer + 8, true) !== 0n };
      case 6:
        return { kind: 6, value: this.readString(payload) };
      case 7:
      case 8:
      case 9:
        return { kind, items: this.readArray(payload).map((item) => this.readEthereumValue(item, depth)) };
      case 10: {
        const bytes = this.readBytes(payload);
        if (bytes.length !== 24) throw new MappingError(`expected array of length 24, found length ${bytes.length}`);
        return { kind: 10, bytes };
      }
      default:
        throw new MappingError(`invalid ethereum value kind ${kind}`);
    }
  }
}
