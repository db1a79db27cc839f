// Checks that what a mapping stores fits the schema, and the small value helpers the store needs (ids, equality,
// display). Everything a database write could reject is rejected here, at `store.set()`, with a message that names the
// entity, the field and the value: a bad value must fail the handler that produced it, never a later batch commit that
// mixes it with hundreds of good blocks.
import type { EntityModel, FieldModel, SchemaModel } from "../schema.ts";
import { StoreError, type Entity, type Value } from "./types.ts";

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** Plain decimal notation: what `numeric` stores and returns digit for digit (an exponent would come back expanded). */
const DECIMAL = /^-?\d+(\.\d+)?$/;
const HEX_ID = /^0x(?:[0-9a-fA-F]{2})*$/;

/** The `Value` kinds a field's items hold. */
type ItemKind = Exclude<Value["kind"], "Array" | "Null">;

/** A field with what validation and conversion need about it, computed once per schema. */
export interface FieldInfo {
  field: FieldModel;
  /** The kind every (item) value must have. */
  kind: ItemKind;
  /** The allowed strings of an enum field. */
  enumValues?: ReadonlySet<string>;
  /** The field's GraphQL type as written in the schema, e.g. `[Task!]!`, for messages. */
  typeName: string;
  /** The type of one item of a list field, e.g. `Task!`; the field's type otherwise. */
  itemTypeName: string;
}

export function fieldInfo(field: FieldModel, model: SchemaModel): FieldInfo {
  let kind: ItemKind;
  let enumValues: ReadonlySet<string> | undefined;
  if (field.kind === "enum") {
    kind = "String";
    enumValues = new Set(model.enums.get(field.type));
  } else {
    const scalar = field.kind === "entity" ? model.entities.get(field.type)!.idType : field.type;
    kind = SCALAR_KINDS[scalar]!;
    if (!kind) throw new Error(`No value kind for ${field.name}: ${scalar}`);
  }
  const item = `${field.type}${field.list && !field.itemNullable ? "!" : ""}`;
  const typeName = `${field.list ? `[${item}]` : item}${field.nullable ? "" : "!"}`;
  return { field, kind, enumValues, typeName, itemTypeName: field.list ? item : typeName };
}

const SCALAR_KINDS: Record<string, ItemKind> = {
  ID: "String",
  String: "String",
  Bytes: "Bytes",
  Int: "Int",
  Int8: "Int8",
  Timestamp: "Timestamp",
  BigInt: "BigInt",
  BigDecimal: "BigDecimal",
  Boolean: "Bool",
};

/**
 * The key an entity is kept under: the id itself for `ID`/`String` ids, the lowercase 0x hex for `Bytes` ids, so that
 * `0xAB` and `0xab` name the same entity as they do in graph-node.
 */
export function entityKey(entity: EntityModel, id: string): string {
  if (typeof id !== "string") throw new StoreError(`Entity ${entity.name}: the id must be a string, got ${typeof id}.`);
  if (entity.idType === "Bytes") {
    if (!HEX_ID.test(id)) {
      throw new StoreError(`Entity ${entity.name}[${id}]: Bytes ids must be 0x-prefixed hex with whole bytes.`);
    }
    return id.toLowerCase();
  }
  const problem = textProblem(id);
  if (problem !== undefined) throw new StoreError(`Entity ${entity.name}[${printable(id)}]: the id ${problem}`);
  return id;
}

/** The `id` value of the entity stored under `key`. */
export function idValue(entity: EntityModel, key: string): Value {
  return entity.idType === "Bytes" ? { kind: "Bytes", value: hexToBytes(key) } : { kind: "String", value: key };
}

/** The key of a reference value (an entity id as stored in another entity's field). */
export function referenceKey(value: Value): string {
  return value.kind === "Bytes" ? bytesToHex(value.value) : (value as { value: string }).value;
}

/**
 * Merges `data` into `existing` as graph-node does: fields in `data` replace, fields absent from it keep their value, a
 * `Null` clears the field. Returns the merged entity, or `existing` itself when nothing changed. Throws a
 * {@link StoreError} for anything the schema does not allow.
 *
 * Neither argument is changed, unless the caller hands `data` over (`owned`): then, when it names every field
 * `existing` holds (mappings save whole entities), it becomes the merged entity itself, its values equal to stored
 * ones replaced by those, which saves copying the stored version field by field.
 */
export function mergeEntity(
  entity: EntityModel,
  fields: ReadonlyMap<string, FieldInfo>,
  key: string,
  data: Entity,
  existing: Entity | undefined,
  owned = false,
): Entity {
  if (!(data instanceof Map)) throw new StoreError(`Entity ${entity.name}[${key}]: the data to store is not a Map.`);
  const inPlace = owned && (existing === undefined || coversAll(data, existing));
  // Mappings save whole entities, mostly with the values they loaded: a field equal to the stored one is neither
  // checked again (it passed when stored) nor copied, and an entity saved unchanged comes back as it was, so that the
  // store sees at once that nothing changed.
  let merged: Entity | undefined = existing || inPlace ? undefined : new Map();
  let changed = existing === undefined;
  // forEach rather than for…of: no [name, value] pair is allocated per field.
  data.forEach((value, name) => {
    const info = fields.get(name);
    if (!info) {
      if (entity.fieldsByName.get(name)?.derivedFrom !== undefined) {
        throw new StoreError(`Entity ${entity.name}[${key}]: field \`${name}\` is derived and cannot be set.`);
      }
      throw new StoreError(
        `Entity ${entity.name}[${key}]: unknown field \`${name}\`: it is not part of the schema of ${entity.name}.`,
      );
    }
    if (value === null || typeof value !== "object" || typeof value.kind !== "string") {
      throw new StoreError(`Entity ${entity.name}[${key}]: field \`${name}\` holds no Value.`);
    }
    if (value.kind === "Null") {
      if (!info.field.nullable) {
        throw new StoreError(
          `Entity ${entity.name}[${key}]: field \`${name}\` is non-nullable (${info.typeName}) and cannot be set to null.`,
        );
      }
      if (inPlace) {
        // Deleting the entry being visited is allowed: forEach goes on with the next one.
        data.delete(name);
        if (existing?.has(name)) changed = true;
        return;
      }
      if (merged === undefined) {
        if (!existing!.has(name)) return;
        merged = new Map(existing);
      }
      merged.delete(name);
      return;
    }
    if (existing !== undefined) {
      const stored = existing.get(name);
      if (stored !== undefined && (stored === value || valuesEqual(stored, value))) {
        if (inPlace && stored !== value) data.set(name, stored);
        return;
      }
    }
    checkFieldValue(entity, key, info, value);
    if (name === "id" && referenceKey(value) !== key) {
      throw new StoreError(
        `Value of ${entity.name} attribute 'id' conflicts with ID passed to \`store.set()\`: ${formatValue(value)} != ${key}.`,
      );
    }
    if (inPlace) {
      changed = true;
      return;
    }
    merged ??= new Map(existing);
    merged.set(name, value);
  });
  if (inPlace) {
    if (!changed) return existing!;
    merged = data;
  }
  if (merged === undefined) return existing!;
  if (!merged.has("id")) merged.set("id", idValue(entity, key));
  // An existing entity already has its required fields, and a Null for one of them was refused above.
  if (existing) return merged;
  for (const info of fields.values()) {
    if (!info.field.nullable && !merged.has(info.field.name)) {
      throw new StoreError(
        `Entity ${entity.name}[${key}]: missing value for non-nullable field \`${info.field.name}\` (${info.typeName}).`,
      );
    }
  }
  return merged;
}

/** Whether `data` has a field of every name `existing` has. */
function coversAll(data: Entity, existing: Entity): boolean {
  if (data.size < existing.size) return false;
  let covered = true;
  existing.forEach((_, name) => {
    if (!data.has(name)) covered = false;
  });
  return covered;
}

function checkFieldValue(entity: EntityModel, key: string, info: FieldInfo, value: Value): void {
  if (!info.field.list) {
    checkItem(info, value, entity, key, undefined, -1);
    return;
  }
  if (value.kind !== "Array" || !Array.isArray(value.value)) {
    throw new StoreError(
      `Entity ${entity.name}[${key}]: the value \`${formatValue(value)}\` for field \`${info.field.name}\` must have type ${info.typeName} but has type ${valueTypeName(value)}.`,
    );
  }
  const items = value.value;
  for (let index = 0; index < items.length; index++) {
    const item = items[index]!;
    if (item?.kind === "Null") {
      if (info.field.itemNullable) continue;
      throw new StoreError(
        `Entity ${entity.name}[${key}]: field \`${info.field.name}\` is of type ${info.typeName}, but the value \`${formatValue(value)}\` contains a null at index ${index}.`,
      );
    }
    checkItem(info, item, entity, key, value, index);
  }
}

/**
 * How an error message about a value starts. Built only when a check fails: the checks run for every field of every
 * `store.set()`, and a message (or a closure to make one) built up front would cost more than the checks.
 */
function subjectOf(
  entity: EntityModel,
  key: string,
  info: FieldInfo,
  value: Value,
  list: Value | undefined,
  index: number,
) {
  const where = `Entity ${entity.name}[${key}]`;
  if (list === undefined) return `${where}: the value \`${formatValue(value)}\` for field \`${info.field.name}\``;
  return `${where}: field \`${info.field.name}\` is of type ${info.typeName}, but the value \`${formatValue(list)}\` holds \`${formatValue(value)}\` at index ${index}, which`;
}

/**
 * Checks one scalar (or list item `index` of `list`) against the field's kind; the error names the entity `key` of
 * type `entity`.
 */
function checkItem(
  info: FieldInfo,
  value: Value,
  entity: EntityModel,
  key: string,
  list: Value | undefined,
  index: number,
): void {
  const problem = itemProblem(info, value);
  if (problem !== undefined) throw new StoreError(`${subjectOf(entity, key, info, value, list, index)} ${problem}`);
}

/** What is wrong with a scalar (or list item) for the field's kind, if anything: the end of an error message. */
function itemProblem(info: FieldInfo, value: Value): string | undefined {
  if (value?.kind !== info.kind) return `must have type ${info.itemTypeName} but has type ${valueTypeName(value)}.`;
  switch (value.kind) {
    case "String":
      if (typeof value.value !== "string") return "is not a string.";
      return (
        textProblem(value.value) ??
        (info.enumValues && !info.enumValues.has(value.value)
          ? `is not a value of enum ${info.field.type} (${[...info.enumValues].join(", ")}).`
          : undefined)
      );
    case "Int":
      return !Number.isInteger(value.value) || value.value < INT32_MIN || value.value > INT32_MAX
        ? "is not a 32-bit integer, as Int must be."
        : undefined;
    case "Int8":
    case "Timestamp":
      return typeof value.value !== "bigint" || value.value < INT64_MIN || value.value > INT64_MAX
        ? `is not a 64-bit integer, as ${value.kind} must be.`
        : undefined;
    case "BigInt":
      return typeof value.value !== "bigint" ? "is not a bigint." : undefined;
    case "BigDecimal":
      return typeof value.value !== "string" || !DECIMAL.test(value.value)
        ? "is not a decimal number in plain notation."
        : undefined;
    case "Bool":
      return typeof value.value !== "boolean" ? "is not a boolean." : undefined;
    case "Bytes":
      return !(value.value instanceof Uint8Array) ? "is not a Uint8Array." : undefined;
  }
  return undefined;
}

/** PostgreSQL text holds neither NUL characters nor unpaired UTF-16 surrogates (they have no UTF-8 encoding). */
function textProblem(text: string): string | undefined {
  if (text.includes("\0")) return "contains a NUL character, which PostgreSQL cannot store.";
  if (!isWellFormed(text)) return "contains an unpaired UTF-16 surrogate, which has no UTF-8 encoding.";
  return undefined;
}

// `String.prototype.isWellFormed` and `toWellFormed` exist from Node 20; the project's TypeScript lib (ES2023) does not
// declare them yet.
type WellFormedText = { isWellFormed(): boolean; toWellFormed(): string };

export function isWellFormed(text: string): boolean {
  return (text as unknown as WellFormedText).isWellFormed();
}

/** `text` with every unpaired surrogate replaced by U+FFFD. */
export function toWellFormed(text: string): string {
  return (text as unknown as WellFormedText).toWellFormed();
}

/** The type of a value as graph-node names it in messages. */
export function valueTypeName(value: Value | undefined): string {
  if (!value || typeof value !== "object") return String(value);
  switch (value.kind) {
    case "Bool":
      return "Boolean";
    case "Array":
      return value.value.length > 0 ? `[${valueTypeName(value.value[0])}]` : "[Any]";
    default:
      return String(value.kind);
  }
}

/** A value as graph-node prints it: strings bare, bytes as 0x hex, lists in brackets. Long values are cut short. */
export function formatValue(value: Value | undefined): string {
  const text = formatFull(value);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

function formatFull(value: Value | undefined): string {
  if (!value || typeof value !== "object") return String(value);
  switch (value.kind) {
    case "Null":
      return "null";
    case "Bytes":
      return value.value instanceof Uint8Array ? bytesToHex(value.value) : String(value.value);
    case "Array":
      return Array.isArray(value.value) ? `[${value.value.map(formatFull).join(", ")}]` : String(value.value);
    default:
      return printable(String(value.value));
  }
}

function printable(text: string): string {
  return text.replace(/\0/g, "\\0");
}

export function valuesEqual(a: Value, b: Value): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "Null":
      return true;
    case "Bytes": {
      const x = a.value;
      const y = (b as typeof a).value;
      if (x.length !== y.length) return false;
      for (let index = 0; index < x.length; index++) if (x[index] !== y[index]) return false;
      return true;
    }
    case "Array": {
      const x = a.value;
      const y = (b as typeof a).value;
      if (x.length !== y.length) return false;
      for (let index = 0; index < x.length; index++) if (!valuesEqual(x[index]!, y[index]!)) return false;
      return true;
    }
    default:
      return a.value === (b as typeof a).value;
  }
}

export function entitiesEqual(a: Entity | undefined, b: Entity | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.size !== b.size) return false;
  // forEach rather than for…of: no [name, value] pair per field. Versions share most of their values.
  let equal = true;
  a.forEach((value, name) => {
    if (!equal) return;
    const other = b.get(name);
    if (other === undefined || (other !== value && !valuesEqual(value, other))) equal = false;
  });
  return equal;
}

const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

export function bytesToHex(bytes: Uint8Array): string {
  // Ids and references are short: a table lookup beats allocating a Buffer for them.
  if (bytes.length > 64) return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
  let hex = "0x";
  for (let index = 0; index < bytes.length; index++) hex += HEX_BYTES[bytes[index]!];
  return hex;
}

export function hexToBytes(hex: string): Uint8Array {
  // A copy: small Buffers are views into a shared pool, and a stored value must own its memory.
  return new Uint8Array(Buffer.from(hex.slice(2), "hex"));
}
