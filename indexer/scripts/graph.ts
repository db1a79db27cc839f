// `npm run indexer:codegen` and `npm run indexer:build`: runs graph-cli's `codegen` or `build` on a manifest in
// indexer/, offline. graph-cli's update check is switched off (it would reach for the network), migrations are skipped
// (they rewrite files in place), and the inputs each step needs are checked first so that a missing step says which
// command to run. `graph build --network` is never used: it rewrites the manifest in place; network manifests come
// from `npm run indexer:manifest` instead.
//
// Usage: node indexer/scripts/graph.ts codegen|build [manifest]   (default manifest: subgraph.yaml)
//
// Erasable TypeScript, run directly by Node 22.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { INDEXER_DIRECTORY, readManifestDataSources, ROOT } from "./abis.ts";

export type GraphCommand = "codegen" | "build";

/** Where graph-cli's entry point lives; run with this Node so that no other Node on PATH is picked up. */
const GRAPH_CLI = join(ROOT, "node_modules", "@graphprotocol", "graph-cli", "bin", "run.js");

/**
 * The WebAssembly build of the Binaryen that graph-cli's AssemblyScript compiler loads (see binaryen-wasm.cjs), or
 * undefined where that package has none: graph-cli then uses the JavaScript build, slower but producing the same.
 */
export function binaryenWasmBuild(): string | undefined {
  try {
    const asc = createRequire(GRAPH_CLI).resolve("assemblyscript/cli/asc");
    const wasmBuild = join(dirname(createRequire(asc).resolve("binaryen")), "wasm.js");
    return existsSync(wasmBuild) ? wasmBuild : undefined;
  } catch {
    return undefined;
  }
}

/** Checks that what `command` reads exists, naming the command that produces what is missing. */
export function assertInputs(command: GraphCommand, manifestPath: string): void {
  if (!existsSync(manifestPath)) throw new Error(`No manifest at ${relative(ROOT, manifestPath)}.`);
  const dataSources = readManifestDataSources(readFileSync(manifestPath, "utf8"), relative(ROOT, manifestPath));
  for (const dataSource of dataSources) {
    for (const file of dataSource.abiFiles.values()) {
      if (!existsSync(resolve(INDEXER_DIRECTORY, file))) {
        throw new Error(
          `Missing ${relative(ROOT, resolve(INDEXER_DIRECTORY, file))}: run \`npm run indexer:abis\` first ` +
            "(after `npx hardhat build --no-tests`).",
        );
      }
    }
  }
  if (command === "build" && !existsSync(join(INDEXER_DIRECTORY, "generated", "schema.ts"))) {
    throw new Error("Missing indexer/generated/: run `npm run indexer:codegen` first.");
  }
}

/** Runs `graph <command>` in indexer/ on `manifest` (a file name in indexer/). Returns its exit code. */
export function runGraph(command: GraphCommand, manifest = "subgraph.yaml"): number {
  const manifestPath = resolve(INDEXER_DIRECTORY, manifest);
  // The manifest's paths (./schema.graphql, ./abis, ./src) are relative to indexer/.
  if (dirname(manifestPath) !== INDEXER_DIRECTORY) {
    throw new Error(`The manifest must be a file in indexer/, got ${manifest}.`);
  }
  assertInputs(command, manifestPath);
  const args = [GRAPH_CLI, command, basename(manifestPath), "--skip-migrations"];
  if (command === "codegen") args.push("--output-dir", "generated/");
  else args.push("--output-dir", "build/");
  const env: NodeJS.ProcessEnv = { ...process.env, GRAPH_SKIP_NEW_VERSION_CHECK: "true" };
  const binaryenWasm = command === "build" ? binaryenWasmBuild() : undefined;
  if (binaryenWasm) {
    args.unshift("--require", join(INDEXER_DIRECTORY, "scripts", "binaryen-wasm.cjs"));
    env.TASKMARKET_BINARYEN_WASM = binaryenWasm;
  }
  const result = spawnSync(process.execPath, args, { cwd: INDEXER_DIRECTORY, stdio: "inherit", env });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [command, manifest] = process.argv.slice(2);
  if (command !== "codegen" && command !== "build") {
    console.error("Usage: node indexer/scripts/graph.ts codegen|build [manifest in indexer/]");
    process.exitCode = 2;
  } else {
    try {
      process.exitCode = runGraph(command, manifest);
    } catch (error) {
      console.error((error as Error).message);
      process.exitCode = 1;
    }
  }
}
