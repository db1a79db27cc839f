// `npm run indexer:abis`: writes indexer/abis/<Contract>.json, the ABI of every contract the subgraph manifest names,
// from the Hardhat artifacts (`npx hardhat build --no-tests` first). The ABIs are never copied by hand, so the
// subgraph decodes exactly what the compiled contracts emit. It then checks the manifest against them: every event
// of every data source's ABI must have a handler, and every handler must name an event of the ABI, or the build stops
// here rather than indexing with an event silently ignored.
//
// Erasable TypeScript, run directly by Node 22.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { parse as parseYaml } from "yaml";

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const INDEXER_DIRECTORY = join(ROOT, "indexer");
export const MANIFEST_TEMPLATE_PATH = join(INDEXER_DIRECTORY, "subgraph.yaml");
/** Where Hardhat writes the artifacts of the sources under contracts/. */
export const CONTRACT_ARTIFACTS_DIRECTORY = join(ROOT, "artifacts", "contracts");

export interface AbiParameter {
  name?: string;
  type: string;
  indexed?: boolean;
  components?: AbiParameter[];
}

export interface AbiEntry {
  type: string;
  name?: string;
  inputs?: AbiParameter[];
  anonymous?: boolean;
}

/** What the checks read of a data source in the manifest. */
export interface ManifestDataSource {
  name: string;
  abi: string;
  /** ABI name → file, as listed under `mapping.abis` (relative to the manifest). */
  abiFiles: Map<string, string>;
  /** The `event` of each entry of `mapping.eventHandlers`. */
  events: string[];
  /** `mapping.file`, as the manifest writes it. */
  mappingFile: string;
  /** The `handler` of each entry of `mapping.eventHandlers`, in the order of `events`. */
  handlers: string[];
}

/** The data sources of a manifest (the committed template, or a network manifest generated from it). */
export function readManifestDataSources(manifestText: string, source = "subgraph.yaml"): ManifestDataSource[] {
  const manifest = parseYaml(manifestText) as { dataSources?: unknown };
  if (!Array.isArray(manifest.dataSources) || manifest.dataSources.length === 0) {
    throw new Error(`${source}: no dataSources.`);
  }
  return manifest.dataSources.map((entry: Record<string, any>, index: number) => {
    const name = entry?.name;
    if (typeof name !== "string" || name === "") throw new Error(`${source}: dataSources[${index}] has no name.`);
    const abi = entry.source?.abi;
    if (typeof abi !== "string") throw new Error(`${source}: data source ${name} has no source.abi.`);
    const abiFiles = new Map<string, string>();
    for (const file of entry.mapping?.abis ?? []) {
      if (typeof file?.name !== "string" || typeof file?.file !== "string") {
        throw new Error(`${source}: data source ${name} has a malformed mapping.abis entry.`);
      }
      abiFiles.set(file.name, file.file);
    }
    if (!abiFiles.has(abi)) throw new Error(`${source}: data source ${name} does not list its ABI ${abi}.`);
    const mappingFile = entry.mapping?.file;
    if (typeof mappingFile !== "string") throw new Error(`${source}: data source ${name} has no mapping.file.`);
    const entries: Record<string, unknown>[] = entry.mapping?.eventHandlers ?? [];
    for (const handler of entries) {
      if (typeof handler?.event !== "string" || typeof handler?.handler !== "string") {
        throw new Error(`${source}: data source ${name} has a malformed eventHandlers entry.`);
      }
    }
    const events = entries.map((handler) => (handler.event as string).replace(/\s+/g, ""));
    const handlers = entries.map((handler) => handler.handler as string);
    return { name, abi, abiFiles, events, mappingFile, handlers };
  });
}

/**
 * The artifact of contract `name` under artifacts/contracts/: exactly one must exist. Two contracts of one name would
 * make the choice of ABI a guess.
 */
export function findArtifact(name: string, artifactsDirectory = CONTRACT_ARTIFACTS_DIRECTORY): string {
  let exists = false;
  try {
    exists = statSync(artifactsDirectory).isDirectory();
  } catch {
    exists = false;
  }
  if (!exists) {
    throw new Error(
      `No contract artifacts at ${relative(ROOT, artifactsDirectory)}: compile first with \`npx hardhat build --no-tests\`.`,
    );
  }
  const matches: string[] = [];
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name === `${name}.json`) matches.push(path);
    }
  };
  walk(artifactsDirectory);
  if (matches.length === 0) {
    throw new Error(
      `No artifact for contract ${name} under ${relative(ROOT, artifactsDirectory)}: compile first with ` +
        "`npx hardhat build --no-tests`.",
    );
  }
  if (matches.length > 1) {
    throw new Error(
      `More than one artifact named ${name}.json: ${matches.map((path) => relative(ROOT, path)).join(", ")}.`,
    );
  }
  return matches[0]!;
}

/** The ABI of an artifact, checked to be one. */
export function readArtifactAbi(path: string): AbiEntry[] {
  const artifact = JSON.parse(readFileSync(path, "utf8")) as { abi?: unknown; contractName?: unknown };
  if (!Array.isArray(artifact.abi)) throw new Error(`${relative(ROOT, path)} is not a contract artifact (no abi).`);
  return artifact.abi as AbiEntry[];
}

/** An event's signature as the manifest writes it: `Name(indexed uint256,(address,uint96),string)`. */
export function manifestEventSignature(event: AbiEntry): string {
  const type = (parameter: AbiParameter): string => {
    if (!parameter.type.startsWith("tuple")) return parameter.type;
    const inner = (parameter.components ?? []).map(type).join(",");
    return `(${inner})${parameter.type.slice("tuple".length)}`;
  };
  const inputs = (event.inputs ?? []).map((input) => `${input.indexed ? "indexed " : ""}${type(input)}`);
  return `${event.name}(${inputs.join(",")})`;
}

/** Every event of an ABI, in manifest form. */
export function abiEventSignatures(abi: AbiEntry[]): string[] {
  return abi.filter((entry) => entry.type === "event").map(manifestEventSignature);
}

/**
 * What is wrong with the manifest's handlers against the ABIs: an ABI event without a handler, a handler for an
 * event the ABI does not have, an event handled twice. Empty when the manifest covers every event exactly once.
 */
export function eventCoverageProblems(dataSources: ManifestDataSource[], abis: Map<string, AbiEntry[]>): string[] {
  const problems: string[] = [];
  for (const dataSource of dataSources) {
    const abi = abis.get(dataSource.abi);
    if (!abi) {
      problems.push(`data source ${dataSource.name}: no ABI ${dataSource.abi}.`);
      continue;
    }
    const declared = abiEventSignatures(abi);
    const declaredSet = new Set(declared.map((signature) => signature.replace(/\s+/g, "")));
    const handled = new Set<string>();
    for (const event of dataSource.events) {
      if (handled.has(event)) problems.push(`data source ${dataSource.name}: ${event} is handled twice.`);
      handled.add(event);
      if (!declaredSet.has(event)) {
        problems.push(
          `data source ${dataSource.name}: handler for ${event}, which ABI ${dataSource.abi} does not declare.`,
        );
      }
    }
    for (const signature of declared) {
      if (!handled.has(signature.replace(/\s+/g, ""))) {
        problems.push(`data source ${dataSource.name}: event ${signature} of ABI ${dataSource.abi} has no handler.`);
      }
    }
  }
  return problems;
}

/**
 * Handler names that data sources sharing a mapping file give to different events. A mapping file exports one
 * function per name, so such a name would run one data source's handler on another's events, which decode alike
 * only when the signatures are the same.
 */
export function sharedHandlerProblems(dataSources: ManifestDataSource[]): string[] {
  const problems: string[] = [];
  const byFile = new Map<string, Map<string, { event: string; dataSource: string }>>();
  for (const dataSource of dataSources) {
    const file = dataSource.mappingFile.replace(/^\.\//, "");
    let handlers = byFile.get(file);
    if (!handlers) byFile.set(file, (handlers = new Map()));
    dataSource.handlers.forEach((handler, index) => {
      const event = dataSource.events[index]!;
      const first = handlers.get(handler);
      if (!first) handlers.set(handler, { event, dataSource: dataSource.name });
      else if (first.event !== event) {
        problems.push(
          `data sources ${first.dataSource} and ${dataSource.name} share ${file} but both name ${handler}, for ` +
            `${first.event} and ${event}: name one of them apart.`,
        );
      }
    });
  }
  return problems;
}

export interface WrittenAbi {
  name: string;
  /** Where the ABI was read: an artifact, or the ABI module. */
  source: string;
  output: string;
  events: number;
}

/** Where the ABIs come from: the Hardhat artifacts, or src/protocol/abis.ts. */
export type AbiOrigin = "artifacts" | "module";

/** src/protocol/abis.ts: written from the artifacts by `npm run abis`, and checked against them by its test. */
export const ABIS_MODULE = join(ROOT, "src", "protocol", "abis.ts");

/**
 * The ABIs of src/protocol/abis.ts by contract name. They are the artifacts' ABIs as of the last `npm run abis`, so a
 * subgraph can be built from them while the contracts still compile; {@link staleAbis} tells afterwards whether they
 * still match what compiled.
 */
async function moduleAbis(): Promise<Map<string, AbiEntry[]>> {
  const [{ PROTOCOL_ABIS }, { PROTOCOL_CONTRACTS }] = await Promise.all([
    import(ABIS_MODULE) as Promise<{ PROTOCOL_ABIS: Record<string, readonly unknown[]> }>,
    import(join(ROOT, "scripts", "deployment.ts")) as Promise<{ PROTOCOL_CONTRACTS: Record<string, string> }>,
  ]);
  const byName = new Map<string, AbiEntry[]>();
  for (const [key, name] of Object.entries(PROTOCOL_CONTRACTS)) {
    const abi = PROTOCOL_ABIS[key];
    if (abi) byName.set(name, abi as unknown as AbiEntry[]);
  }
  return byName;
}

/** Every ABI file the manifest lists under `mapping.abis`: contract name → file, relative to the manifest. */
function manifestAbiFiles(manifestPath: string): { dataSources: ManifestDataSource[]; files: Map<string, string> } {
  const dataSources = readManifestDataSources(readFileSync(manifestPath, "utf8"), relative(ROOT, manifestPath));
  const files = new Map<string, string>();
  for (const dataSource of dataSources) {
    for (const [name, file] of dataSource.abiFiles) {
      const previous = files.get(name);
      if (previous !== undefined && previous !== file) {
        throw new Error(`ABI ${name} is listed with two files: ${previous} and ${file}.`);
      }
      files.set(name, file);
    }
  }
  return { dataSources, files };
}

/**
 * Writes the ABI of every contract the manifest lists under `mapping.abis`, then checks the handlers against them.
 * Throws with every problem listed if the manifest does not cover the ABIs' events exactly.
 */
export async function writeAbis(
  manifestPath = MANIFEST_TEMPLATE_PATH,
  artifactsDirectory = CONTRACT_ARTIFACTS_DIRECTORY,
  origin: AbiOrigin = "artifacts",
): Promise<WrittenAbi[]> {
  const manifestDirectory = dirname(manifestPath);
  const { dataSources, files } = manifestAbiFiles(manifestPath);
  const fromModule = origin === "module" ? await moduleAbis() : undefined;

  const abis = new Map<string, AbiEntry[]>();
  const written: WrittenAbi[] = [];
  for (const [name, file] of files) {
    let abi: AbiEntry[];
    let source: string;
    if (fromModule) {
      const found = fromModule.get(name);
      if (!found) throw new Error(`${relative(ROOT, ABIS_MODULE)} has no ABI for contract ${name}.`);
      abi = found;
      source = relative(ROOT, ABIS_MODULE);
    } else {
      const artifact = findArtifact(name, artifactsDirectory);
      abi = readArtifactAbi(artifact);
      source = relative(ROOT, artifact);
    }
    const output = resolve(manifestDirectory, file);
    mkdirSync(dirname(output), { recursive: true });
    writeFileSync(output, `${JSON.stringify(abi, null, 2)}\n`);
    abis.set(name, abi);
    written.push({
      name,
      source,
      output: relative(ROOT, output),
      events: abi.filter((entry) => entry.type === "event").length,
    });
  }

  const problems = [...eventCoverageProblems(dataSources, abis), ...sharedHandlerProblems(dataSources)];
  if (problems.length > 0) {
    throw new Error(
      `The manifest ${relative(ROOT, manifestPath)} does not match the compiled contracts or its mapping:\n` +
        problems.map((problem) => `  - ${problem}`).join("\n"),
    );
  }
  return written;
}

/**
 * The contracts whose ABI file under indexer/abis/ (what the built subgraph decodes with) differs from its artifact,
 * or is missing. Empty when a subgraph built from src/protocol/abis.ts matches the contracts as compiled.
 */
export function staleAbis(
  manifestPath = MANIFEST_TEMPLATE_PATH,
  artifactsDirectory = CONTRACT_ARTIFACTS_DIRECTORY,
): string[] {
  const { files } = manifestAbiFiles(manifestPath);
  const stale: string[] = [];
  for (const [name, file] of files) {
    const compiled = JSON.stringify(readArtifactAbi(findArtifact(name, artifactsDirectory)));
    let used: string | undefined;
    try {
      used = JSON.stringify(JSON.parse(readFileSync(resolve(dirname(manifestPath), file), "utf8")));
    } catch {
      used = undefined;
    }
    if (used !== compiled) stale.push(name);
  }
  return stale;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // `--from-module`: from src/protocol/abis.ts instead of the artifacts (see moduleAbis).
  const origin: AbiOrigin = process.argv.includes("--from-module") ? "module" : "artifacts";
  try {
    for (const abi of await writeAbis(MANIFEST_TEMPLATE_PATH, CONTRACT_ARTIFACTS_DIRECTORY, origin)) {
      console.log(`${abi.output}  ← ${abi.source} (${abi.events} events)`);
    }
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
