// Preloaded into graph-cli's process by indexer/scripts/graph.ts (`node --require`). AssemblyScript 0.19, which
// graph-cli compiles the mappings with, takes its Binaryen from `global.binaryen` when one is set and otherwise loads
// the package's JavaScript build. The same package ships the same Binaryen compiled to WebAssembly (`wasm.js`): it
// produces byte-identical modules and optimizes them in about two thirds of the CPU time, most of the subgraph build.
// Which file to load is passed in TASKMARKET_BINARYEN_WASM: graph.ts resolves it from graph-cli's own AssemblyScript.
"use strict";

const path = process.env.TASKMARKET_BINARYEN_WASM;
if (path) globalThis.binaryen = require(path);
