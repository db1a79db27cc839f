// The part of the WebAssembly JavaScript API the runtime uses, typed here because the project's TypeScript libraries
// (ES2023 without DOM, @types/node 22) do not declare the WebAssembly global.

export interface WasmModule {
  readonly __brand: "WebAssembly.Module";
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface WasmGlobal {
  value: number | bigint;
}

export type WasmExports = Record<string, unknown>;

export interface WasmInstance {
  readonly exports: WasmExports;
}

export type WasmImports = Record<string, Record<string, unknown>>;

export interface WasmModuleEntry {
  module: string;
  name: string;
  kind: "function" | "table" | "memory" | "global" | "tag";
}

interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  validate(bytes: Uint8Array): boolean;
  Module: {
    new (bytes: Uint8Array): WasmModule;
    imports(module: WasmModule): WasmModuleEntry[];
    exports(module: WasmModule): { name: string; kind: WasmModuleEntry["kind"] }[];
  };
  Instance: new (module: WasmModule, imports: WasmImports) => WasmInstance;
  /** A trap: unreachable, out-of-bounds memory access, division by zero... */
  RuntimeError: new (message?: string) => Error;
}

export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
