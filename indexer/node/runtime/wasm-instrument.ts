// Rewrites a compiled mapping before V8 compiles it, for three things V8 cannot do from the outside:
//
// - Execution limit. A WebAssembly call cannot be interrupted from the thread that runs it, so a handler stuck in a
//   loop would stop the node for good. Like graph-node (which injects `gas` calls with wasm-instrument), every
//   straight-line segment of code is charged its instructions' cost on entry, with graph-node's cost table, into a
//   counter global; when the counter goes below zero the code traps. The check is deterministic: the same handler on
//   the same input always stops at the same instruction.
// - Memory limit. The module declares its own memory; its maximum is set here so that a runaway allocation traps
//   (the AssemblyScript allocator then executes `unreachable`) instead of exhausting the machine.
// - Instance reuse. Every mutable global is exported, so that the runtime can put an instance back into the state it
//   had right after `_start` before each trigger (see index.ts).
//
// Nothing else changes: function, global and type indices stay the same, so names and debug information still apply.

/** A function export's signature, for checking handlers at load time. */
export interface FunctionSignature {
  params: string[];
  results: string[];
}

export interface InstrumentedModule {
  binary: Uint8Array;
  /** The export holding the remaining gas (an `i64` global). */
  gasExport: string;
  /** The exports of the module's mutable globals, to snapshot and restore. */
  globalExports: string[];
  /** Every exported function with its signature. */
  functions: Map<string, FunctionSignature>;
}

export class WasmModuleError extends Error {
  override name = "WasmModuleError";
}

export const GAS_EXPORT = "__graph_node_gas";
const GLOBAL_EXPORT_PREFIX = "__graph_node_global_";

const VALUE_TYPES: Record<number, string> = {
  0x7f: "i32",
  0x7e: "i64",
  0x7d: "f32",
  0x7c: "f64",
  0x7b: "v128",
  0x70: "funcref",
  0x6f: "externref",
};

// graph-node's gas table (runtime/wasm/src/gas_rules.rs), by opcode. Opcodes it does not list (bulk memory,
// saturating truncation, reference types) are charged like the other "invented" weights there: 100.
const GAS_COST_LOAD = 1573;
const GAS_COST_STORE = 2263;
const DEFAULT_COST = 100;
const OPCODE_COSTS = new Uint32Array(256).fill(DEFAULT_COST);
{
  const set = (opcode: number, cost: number) => (OPCODE_COSTS[opcode] = cost);
  set(0x00, 1); // unreachable
  set(0x01, 1); // nop
  set(0x04, 79); // if
  set(0x0c, 30); // br
  set(0x0d, 63); // br_if
  set(0x0e, 146); // br_table, plus one per target (added where it is decoded)
  set(0x10, 951); // call
  set(0x11, 1995); // call_indirect
  set(0x1b, 61); // select
  set(0x1c, 61); // select with types
  set(0x20, 18);
  set(0x21, 21);
  set(0x22, 21);
  set(0x23, 66);
  set(0x24, 107);
  for (let opcode = 0x28; opcode <= 0x35; opcode++) set(opcode, GAS_COST_LOAD);
  for (let opcode = 0x36; opcode <= 0x3e; opcode++) set(opcode, GAS_COST_STORE);
  set(0x3f, 23); // memory.size
  set(0x40, 435_000); // memory.grow
  for (const opcode of [0x41, 0x42, 0x43, 0x44]) set(opcode, 16);
  const i32Compare = [26, 26, 25, 25, 26, 25, 25, 25, 26, 26, 25];
  i32Compare.forEach((cost, index) => set(0x45 + index, cost));
  const i64Compare = [24, 26, 25, 25, 26, 25, 25, 25, 26, 26, 25];
  i64Compare.forEach((cost, index) => set(0x50 + index, cost));
  const integerArithmetic = [23, 23, 29, 25, 26, 25, 82, 72, 81, 73, 25, 25, 26, 25, 26, 26, 25, 26];
  integerArithmetic.forEach((cost, index) => {
    set(0x67 + index, cost);
    set(0x79 + index, cost);
  });
  set(0xa7, 23); // i32.wrap_i64
  set(0xac, 22); // i64.extend_i32_s
  set(0xad, 22); // i64.extend_i32_u
}

/**
 * Instructions after which code may be reached other than by falling through: the start of a loop body (the target
 * of backward branches), of an `if` or `else` arm, and what follows an `end` (the target of forward branches). Each
 * starts a new metered segment. A `block` entry or a `br_if` fall-through does not: the segment before them is
 * charged for what follows too, which can charge a little more than is executed, never less.
 */
const SEGMENT_END = new Set([0x03, 0x04, 0x05, 0x0b]);

class Reader {
  offset: number;
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array, offset = 0) {
    this.bytes = bytes;
    this.offset = offset;
  }
  byte(): number {
    if (this.offset >= this.bytes.length) throw new WasmModuleError("ends unexpectedly");
    return this.bytes[this.offset++]!;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new WasmModuleError("has a malformed LEB128 integer");
    }
  }
  /** Skips a signed LEB128 of up to `bits` bits. */
  skipSigned(bits: number): void {
    const maxBytes = Math.ceil(bits / 7);
    for (let i = 0; i < maxBytes; i++) if ((this.byte() & 0x80) === 0) return;
    throw new WasmModuleError("has a malformed LEB128 integer");
  }
  name(): string {
    const length = this.u32();
    const start = this.offset;
    this.offset += length;
    return new TextDecoder().decode(this.bytes.subarray(start, this.offset));
  }
  limits(): { flags: number; min: number; max?: number } {
    const flags = this.byte();
    if (flags > 1) throw new WasmModuleError(`has unsupported memory or table limits (flags ${flags})`);
    const min = this.u32();
    return flags === 1 ? { flags, min, max: this.u32() } : { flags, min };
  }
}

function u32Leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function nameBytes(name: string): number[] {
  const encoded = new TextEncoder().encode(name);
  return [...u32Leb(encoded.length), ...encoded];
}

function section(id: number, content: ArrayLike<number>): Uint8Array {
  const header = [id, ...u32Leb(content.length)];
  const out = new Uint8Array(header.length + content.length);
  out.set(header, 0);
  out.set(content, header.length);
  return out;
}

/** Skips one constant expression (a global's initializer), up to and including its `end`. */
function skipConstantExpression(reader: Reader): void {
  for (;;) {
    const opcode = reader.byte();
    switch (opcode) {
      case 0x0b:
        return;
      case 0x41:
        reader.skipSigned(32);
        break;
      case 0x42:
        reader.skipSigned(64);
        break;
      case 0x43:
        reader.offset += 4;
        break;
      case 0x44:
        reader.offset += 8;
        break;
      case 0x23:
      case 0xd2:
        reader.u32();
        break;
      case 0xd0:
        reader.byte();
        break;
      default:
        throw new WasmModuleError(`uses the unsupported instruction 0x${opcode.toString(16)} in a constant expression`);
    }
  }
}

/**
 * Skips the immediates of the instruction whose opcode was just read and returns its cost. Throws on instructions
 * outside the MVP, sign extension, saturating truncation, bulk memory and reference types, which AssemblyScript 0.19
 * does not emit (SIMD, threads, exceptions).
 */
function skipImmediates(reader: Reader, opcode: number): number {
  let cost = OPCODE_COSTS[opcode]!;
  switch (opcode) {
    case 0x02:
    case 0x03:
    case 0x04: {
      // A block type: 0x40, a value type, or a signed 33-bit type index.
      const first = reader.bytes[reader.offset]!;
      if (first === 0x40 || VALUE_TYPES[first] !== undefined) reader.offset++;
      else reader.skipSigned(33);
      break;
    }
    case 0x0c:
    case 0x0d:
    case 0x10:
    case 0x12:
    case 0x20:
    case 0x21:
    case 0x22:
    case 0x23:
    case 0x24:
    case 0x25:
    case 0x26:
    case 0xd2:
      reader.u32();
      break;
    case 0x0e: {
      const targets = reader.u32();
      for (let i = 0; i <= targets; i++) reader.u32();
      cost += targets;
      break;
    }
    case 0x11:
    case 0x13:
      reader.u32();
      reader.u32();
      break;
    case 0x1c: {
      const count = reader.u32();
      reader.offset += count;
      break;
    }
    case 0x3f:
    case 0x40:
      reader.u32();
      break;
    case 0x41:
      reader.skipSigned(32);
      break;
    case 0x42:
      reader.skipSigned(64);
      break;
    case 0x43:
      reader.offset += 4;
      break;
    case 0x44:
      reader.offset += 8;
      break;
    case 0xd0:
      reader.byte();
      break;
    case 0xfc: {
      const sub = reader.u32();
      if (sub <= 7) break; // saturating truncation
      if (sub === 8 || sub === 10 || sub === 12 || sub === 14) {
        reader.u32();
        reader.u32();
      } else if (sub <= 17) {
        reader.u32();
      } else {
        throw new WasmModuleError(`uses the unsupported instruction 0xfc ${sub}`);
      }
      break;
    }
    default:
      if (opcode >= 0x28 && opcode <= 0x3e) {
        reader.u32(); // alignment
        reader.u32(); // offset
      } else if (
        !(opcode <= 0x01 || opcode === 0x05 || opcode === 0x0b || opcode === 0x0f) &&
        !(opcode === 0x1a || opcode === 0x1b) &&
        !(opcode >= 0x45 && opcode <= 0xc4) &&
        opcode !== 0xd1
      ) {
        throw new WasmModuleError(`uses the unsupported instruction 0x${opcode.toString(16)}`);
      }
  }
  return cost;
}

/** A growable byte buffer: the rewritten module is assembled in it. */
class Writer {
  bytes = new Uint8Array(1024);
  length = 0;
  #reserve(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }
  byte(value: number): void {
    this.#reserve(1);
    this.bytes[this.length++] = value;
  }
  append(bytes: ArrayLike<number>): void {
    this.#reserve(bytes.length);
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
  }
  /** A non-negative integer below 2^53 as a signed LEB128 (an `i64.const` immediate). */
  signedLeb(value: number): void {
    for (;;) {
      const byte = value % 128;
      value = Math.floor(value / 128);
      if (value === 0 && (byte & 0x40) === 0) {
        this.byte(byte);
        return;
      }
      this.byte(byte | 0x80);
    }
  }
  take(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

/** Rewrites one function body into `out`, charging each segment's cost on entry. */
function meterBody(body: Uint8Array, gasGlobal: number, out: Writer): void {
  const reader = new Reader(body);
  const localGroups = reader.u32();
  for (let i = 0; i < localGroups; i++) {
    reader.u32();
    reader.byte();
  }
  out.append(body.subarray(0, reader.offset));
  const gasIndex = u32Leb(gasGlobal);
  let segmentStart = reader.offset;
  let segmentCost = 0;
  const flush = (end: number) => {
    if (segmentCost > 0) {
      // global.get; i64.const cost; i64.sub; global.set; global.get; i64.const 0; i64.lt_s; if; unreachable; end
      out.byte(0x23);
      out.append(gasIndex);
      out.byte(0x42);
      out.signedLeb(segmentCost);
      out.byte(0x7d);
      out.byte(0x24);
      out.append(gasIndex);
      out.byte(0x23);
      out.append(gasIndex);
      out.append(CHECK_TAIL);
    }
    out.append(body.subarray(segmentStart, end));
    segmentStart = end;
    segmentCost = 0;
  };
  while (reader.offset < body.length) {
    const opcode = reader.byte();
    segmentCost += skipImmediates(reader, opcode);
    if (SEGMENT_END.has(opcode)) flush(reader.offset);
  }
  if (segmentStart !== body.length) flush(body.length);
}

/** i64.const 0; i64.lt_s; if (no result); unreachable; end */
const CHECK_TAIL = Uint8Array.of(0x42, 0x00, 0x53, 0x04, 0x40, 0x00, 0x0b);

/**
 * Instruments `wasm` as described at the top of this file. `maxMemoryPages` caps the module's memory; `gasGlobal`
 * starts at 0 and must be set by the runtime before each call.
 */
export function instrumentModule(wasm: Uint8Array, options: { maxMemoryPages: number }): InstrumentedModule {
  if (wasm.length < 8 || wasm[0] !== 0x00 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) {
    throw new WasmModuleError("is not a WebAssembly module");
  }
  if (wasm[4] !== 1 || wasm[5] !== 0 || wasm[6] !== 0 || wasm[7] !== 0) {
    throw new WasmModuleError("uses an unsupported WebAssembly binary version");
  }
  const types: FunctionSignature[] = [];
  const functionTypes: number[] = [];
  let importedGlobals = 0;
  let definedGlobals = 0;
  const mutableGlobals: number[] = [];
  const exportNames = new Set<string>();
  const functionExports: [string, number][] = [];
  let memorySeen = false;

  const parts: Uint8Array[] = [wasm.subarray(0, 8)];
  const reader = new Reader(wasm, 8);
  let globalSectionWritten = false;
  let exportSectionWritten = false;
  const newGlobal = () => [0x7e, 0x01, 0x42, 0x00, 0x0b]; // mutable i64 = 0
  const newExports = () => {
    const gasIndex = importedGlobals + definedGlobals;
    const entries = [
      [...nameBytes(GAS_EXPORT), 0x03, ...u32Leb(gasIndex)],
      ...mutableGlobals.map((index) => [...nameBytes(`${GLOBAL_EXPORT_PREFIX}${index}`), 0x03, ...u32Leb(index)]),
    ];
    for (const name of [GAS_EXPORT, ...mutableGlobals.map((index) => `${GLOBAL_EXPORT_PREFIX}${index}`)]) {
      if (exportNames.has(name)) throw new WasmModuleError(`already exports ${name}`);
    }
    return entries;
  };

  while (reader.offset < wasm.length) {
    const sectionStart = reader.offset;
    const id = reader.byte();
    const size = reader.u32();
    const contentStart = reader.offset;
    const contentEnd = contentStart + size;
    if (contentEnd > wasm.length) throw new WasmModuleError("has a section that runs past the end of the module");
    const content = new Reader(wasm, contentStart);

    // The global and export sections are rewritten when they come (or created where they belong when missing), and
    // the code section is rewritten once the gas global's index is known.
    if (id > 6 && id !== 0 && !globalSectionWritten) {
      parts.push(section(6, [...u32Leb(1), ...newGlobal()]));
      globalSectionWritten = true;
    }
    if (id > 7 && id !== 0 && !exportSectionWritten) {
      const entries = newExports();
      parts.push(section(7, [...u32Leb(entries.length), ...entries.flat()]));
      exportSectionWritten = true;
    }

    switch (id) {
      case 1: {
        const count = content.u32();
        for (let i = 0; i < count; i++) {
          if (content.byte() !== 0x60) throw new WasmModuleError("has an unsupported type section entry");
          const params = Array.from({ length: content.u32() }, () => VALUE_TYPES[content.byte()] ?? "?");
          const results = Array.from({ length: content.u32() }, () => VALUE_TYPES[content.byte()] ?? "?");
          types.push({ params, results });
        }
        parts.push(wasm.subarray(sectionStart, contentEnd));
        break;
      }
      case 2: {
        const count = content.u32();
        for (let i = 0; i < count; i++) {
          const module = content.name();
          const name = content.name();
          const kind = content.byte();
          if (kind === 0x00) functionTypes.push(content.u32());
          else if (kind === 0x03) {
            content.byte();
            content.byte();
            importedGlobals++;
          } else {
            throw new WasmModuleError(
              `imports ${kind === 0x02 ? "a memory" : "a table"} (${module}.${name}); a mapping must define its own`,
            );
          }
        }
        parts.push(wasm.subarray(sectionStart, contentEnd));
        break;
      }
      case 3: {
        const count = content.u32();
        for (let i = 0; i < count; i++) functionTypes.push(content.u32());
        parts.push(wasm.subarray(sectionStart, contentEnd));
        break;
      }
      case 5: {
        const count = content.u32();
        if (count !== 1) throw new WasmModuleError(`declares ${count} memories; exactly one is supported`);
        const limits = content.limits();
        const max = Math.min(limits.max ?? options.maxMemoryPages, options.maxMemoryPages);
        if (limits.min > max) {
          throw new WasmModuleError(`needs ${limits.min} memory pages at start, above the limit of ${max}`);
        }
        parts.push(section(5, [1, 0x01, ...u32Leb(limits.min), ...u32Leb(max)]));
        memorySeen = true;
        break;
      }
      case 6: {
        const count = content.u32();
        for (let i = 0; i < count; i++) {
          content.byte();
          const mutable = content.byte();
          if (mutable === 1) mutableGlobals.push(importedGlobals + i);
          skipConstantExpression(content);
        }
        definedGlobals = count;
        const rest = wasm.subarray(contentStart, contentEnd);
        const countBytes = u32Leb(count).length;
        parts.push(section(6, [...u32Leb(count + 1), ...rest.subarray(countBytes), ...newGlobal()]));
        globalSectionWritten = true;
        break;
      }
      case 7: {
        const count = content.u32();
        const existing = wasm.subarray(content.offset, contentEnd);
        for (let i = 0; i < count; i++) {
          const name = content.name();
          const kind = content.byte();
          const index = content.u32();
          exportNames.add(name);
          if (kind === 0x00) functionExports.push([name, index]);
        }
        const entries = newExports();
        parts.push(section(7, [...u32Leb(count + entries.length), ...existing, ...entries.flat()]));
        exportSectionWritten = true;
        break;
      }
      case 8:
        throw new WasmModuleError("has a start section; graph-cli builds mappings with an explicit _start export");
      case 10: {
        const gasGlobal = importedGlobals + definedGlobals;
        const count = content.u32();
        const code = new Writer();
        code.append(u32Leb(count));
        const body = new Writer();
        for (let i = 0; i < count; i++) {
          const bodySize = content.u32();
          body.length = 0;
          meterBody(wasm.subarray(content.offset, content.offset + bodySize), gasGlobal, body);
          content.offset += bodySize;
          code.append(u32Leb(body.length));
          code.append(body.take());
        }
        parts.push(section(10, code.take()));
        break;
      }
      default:
        parts.push(wasm.subarray(sectionStart, contentEnd));
    }
    reader.offset = contentEnd;
  }
  if (!memorySeen) throw new WasmModuleError("declares no memory");
  if (!globalSectionWritten) parts.push(section(6, [...u32Leb(1), ...newGlobal()]));
  if (!exportSectionWritten) {
    const entries = newExports();
    parts.push(section(7, [...u32Leb(entries.length), ...entries.flat()]));
  }

  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const binary = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    binary.set(part, offset);
    offset += part.length;
  }
  const functions = new Map<string, FunctionSignature>();
  for (const [name, index] of functionExports) {
    const type = types[functionTypes[index]!];
    if (type) functions.set(name, type);
  }
  return {
    binary,
    gasExport: GAS_EXPORT,
    globalExports: mutableGlobals.map((index) => `${GLOBAL_EXPORT_PREFIX}${index}`),
    functions,
  };
}
