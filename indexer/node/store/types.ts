// The values a mapping stores, as the runtime hands them to the store and the store hands them back. They mirror
// graph-ts's `Value` kinds one to one, so that converting between the mapping's memory and the store loses nothing.

/** graph-ts `ValueKind` discriminants, in its order. */
export const ValueKind = {
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

export type Value =
  | { kind: "String"; value: string }
  /** A signed 32-bit integer. */
  | { kind: "Int"; value: number }
  | { kind: "Int8"; value: bigint }
  /** Microseconds since the Unix epoch, as graph-ts's `Timestamp`. */
  | { kind: "Timestamp"; value: bigint }
  | { kind: "BigInt"; value: bigint }
  /** The decimal in its canonical text form (no exponent, no trailing zeros after the point, "0" for zero). */
  | { kind: "BigDecimal"; value: string }
  | { kind: "Bool"; value: boolean }
  | { kind: "Bytes"; value: Uint8Array }
  | { kind: "Array"; value: Value[] }
  | { kind: "Null" };

/** An entity's fields by name. The `id` field is always present. */
export type Entity = Map<string, Value>;
/** An entity the store lends out: the version it holds, never to be changed (a change is a `set`). */
export type StoredEntity = ReadonlyMap<string, Value>;

/** Where a chain is: a block by number and hash. */
export interface BlockPointer {
  number: number;
  /** 0x-prefixed, 32 bytes. */
  hash: `0x${string}`;
}

export interface BlockHeader extends BlockPointer {
  parentHash: `0x${string}`;
  /** Seconds since the Unix epoch. */
  timestamp: number;
}

/**
 * What the mapping runtime calls while a handler runs. Every call is synchronous (a WebAssembly host function cannot
 * await): the store answers from memory and writes to the database later, when the block is committed.
 *
 * `id` is the entity id as graph-ts passes it: the string itself for `ID`/`String` ids, the 0x-prefixed lowercase
 * hex of the bytes for `Bytes` ids.
 *
 * A call that breaks the schema (unknown type, missing required field, wrong value kind, id mismatch, change to an
 * immutable entity) throws a {@link StoreError}: the runtime turns it into a handler failure, which stops indexing.
 */
export interface HostStore {
  /** The current version, as the store holds it (not a copy: `set` replaces versions, it never changes one). */
  get(entityType: string, id: string): StoredEntity | null;
  /** Only entities set in the block being processed, as graph-ts's `store.get_in_block`. */
  getInBlock(entityType: string, id: string): Entity | null;
  /**
   * Stores `entity` as the new version (merged onto the current one). With `handedOver`, the caller gives the map up
   * and the store may keep it as the new version instead of copying.
   */
  set(entityType: string, id: string, entity: Entity, handedOver?: boolean): void;
  remove(entityType: string, id: string): void;
  /** The entities whose `derivedFrom` field points at this one, for graph-ts's `loadRelated`. */
  loadRelated(entityType: string, id: string, field: string): Entity[];
  /**
   * Every field name an entity of the type can hold, sorted (the order graph-node hands an entity's fields to a
   * mapping in); undefined for an unknown type. Optional: without it, each entity's own names are sorted.
   */
  sortedFieldNames?(entityType: string): readonly string[] | undefined;
}

export class StoreError extends Error {
  override name = "StoreError";
}
