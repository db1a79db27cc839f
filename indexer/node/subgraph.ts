// Loads a built subgraph (the output of `graph build`: a manifest, the schema and the WebAssembly modules its data
// sources name) into what the node runs. Only what this node implements is accepted: block and call handlers, templates,
// receipts, topic filters and non-Ethereum data sources are rejected here, when the subgraph loads, rather than
// ignored while it indexes.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

import { toEventSelector, type Abi, type AbiEvent } from "viem";
import { parse as parseYaml } from "yaml";

import type { Hex } from "./chain/types.ts";
import { parseSchema, type SchemaModel } from "./schema.ts";

export interface EventHandler {
  /** The manifest's signature, with `indexed` markers: `TaskClaimed(indexed uint256,indexed address,uint40,uint128)`. */
  event: string;
  handler: string;
  /** keccak256 of the canonical signature: the log's first topic. */
  topic0: Hex;
  /** The ABI entry the log is decoded with. */
  abiEvent: AbiEvent;
}

export interface DataSource {
  name: string;
  network: string;
  /** Lowercase. */
  address: Hex;
  startBlock: number;
  apiVersion: string;
  /** The data source's main ABI (`source.abi`). */
  abi: Abi;
  wasm: Uint8Array;
  /** Where `wasm` was read from: data sources built from one mapping file share it, and one compiled module. */
  wasmPath: string;
  eventHandlers: EventHandler[];
}

export interface Subgraph {
  specVersion: string;
  schema: SchemaModel;
  schemaText: string;
  dataSources: DataSource[];
  features: string[];
  /** The lowest start block among the data sources. */
  startBlock: number;
}

/** Per data source, what a deployment changes: the network and contract addresses and blocks it was deployed to. */
export interface DataSourceOverride {
  network?: string;
  address?: Hex;
  startBlock?: number;
}

export class SubgraphError extends Error {
  override name = "SubgraphError";
}

/**
 * Loads `<buildDir>/subgraph.yaml`. `overrides`, by data source name, replace the manifest's network, address and
 * start block: one build serves every deployment, since none of them changes the compiled mappings.
 */
export function loadSubgraph(manifestPath: string, overrides: Record<string, DataSourceOverride> = {}): Subgraph {
  const base = dirname(resolve(manifestPath));
  const manifest = parseYaml(readFileSync(manifestPath, "utf8")) as Record<string, any>;
  const fail = (message: string): never => {
    throw new SubgraphError(`${manifestPath}: ${message}`);
  };

  if (manifest.templates?.length) fail("data source templates are not supported by this graph node.");
  const schemaFile = manifest.schema?.file;
  if (typeof schemaFile !== "string") fail("no schema file.");
  const schemaText = readFileSync(resolve(base, schemaFile), "utf8");
  const schema = parseSchema(schemaText);
  const features: string[] = manifest.features ?? [];
  const supportedFeatures = ["fullTextSearch", "nonFatalErrors"];
  for (const feature of features) {
    if (!supportedFeatures.includes(feature)) fail(`feature ${feature} is not supported by this graph node.`);
  }
  if (schema.fulltext.length > 0 && !features.includes("fullTextSearch")) {
    fail("the schema declares @fulltext but the manifest does not list the fullTextSearch feature.");
  }

  const names = new Set<string>();
  const wasmCache = new Map<string, Uint8Array>();
  const dataSources = ((manifest.dataSources ?? []) as Record<string, any>[]).map((source): DataSource => {
    const name: string = source.name;
    if (typeof name !== "string" || names.has(name)) fail(`missing or duplicate data source name ${name}.`);
    names.add(name);
    if (source.kind !== "ethereum" && source.kind !== "ethereum/contract") {
      fail(`data source ${name}: kind ${source.kind} is not supported.`);
    }
    if (source.context !== undefined) fail(`data source ${name}: a data source context is not supported.`);
    const mapping = source.mapping ?? {};
    if (mapping.kind !== "ethereum/events") fail(`data source ${name}: mapping kind ${mapping.kind} is not supported.`);
    if (mapping.blockHandlers?.length) fail(`data source ${name}: block handlers are not supported.`);
    if (mapping.callHandlers?.length) fail(`data source ${name}: call handlers are not supported.`);

    const override = overrides[name] ?? {};
    const address = (override.address ?? source.source?.address)?.toLowerCase();
    if (typeof address !== "string" || !/^0x[0-9a-f]{40}$/.test(address)) {
      fail(`data source ${name}: a source address is required (a deployment fills it in).`);
    }
    const startBlock = override.startBlock ?? source.source?.startBlock ?? 0;
    if (!Number.isSafeInteger(startBlock) || startBlock < 0) fail(`data source ${name}: bad startBlock.`);

    const abiName = source.source?.abi;
    const abiFile = (mapping.abis ?? []).find((entry: { name: string }) => entry.name === abiName)?.file;
    if (typeof abiFile !== "string") fail(`data source ${name}: ABI ${abiName} is not listed under mapping.abis.`);
    const abiJson = JSON.parse(readFileSync(resolve(base, abiFile), "utf8"));
    const abi = (Array.isArray(abiJson) ? abiJson : abiJson.abi) as Abi;

    const eventHandlers = ((mapping.eventHandlers ?? []) as Record<string, any>[]).map((entry): EventHandler => {
      if (entry.receipt) fail(`data source ${name}: receipt: true is not supported.`);
      if (entry.topic1 || entry.topic2 || entry.topic3) fail(`data source ${name}: topic filters are not supported.`);
      const event = String(entry.event);
      const abiEvent = findAbiEvent(abi, event);
      if (!abiEvent) fail(`data source ${name}: event ${event} is not in ABI ${abiName}.`);
      return { event, handler: String(entry.handler), topic0: toEventSelector(abiEvent!), abiEvent: abiEvent! };
    });

    const wasmPath = resolve(base, mapping.file);
    let wasm = wasmCache.get(wasmPath);
    if (!wasm) {
      wasm = new Uint8Array(readFileSync(wasmPath));
      wasmCache.set(wasmPath, wasm);
    }
    return {
      name,
      network: override.network ?? source.network,
      address: address as Hex,
      startBlock,
      apiVersion: String(mapping.apiVersion),
      abi,
      wasm,
      wasmPath,
      eventHandlers,
    };
  });
  if (dataSources.length === 0) fail("no data sources.");
  const networks = new Set(dataSources.map((source) => source.network));
  if (networks.size !== 1) fail(`data sources name more than one network: ${[...networks].join(", ")}.`);

  return {
    specVersion: String(manifest.specVersion),
    schema,
    schemaText,
    dataSources,
    features,
    startBlock: Math.min(...dataSources.map((source) => source.startBlock)),
  };
}

/** The ABI event a manifest signature names, matched as graph-node does: by the signature with `indexed` markers. */
function findAbiEvent(abi: Abi, signature: string): AbiEvent | undefined {
  return abi.find(
    (entry): entry is AbiEvent => entry.type === "event" && manifestSignature(entry) === normalizeSignature(signature),
  );
}

/** Collapses whitespace the way graph-cli writes signatures: one space after `indexed`, none elsewhere. */
function normalizeSignature(signature: string): string {
  return signature
    .replace(/\s+/g, " ")
    .replace(/\s*([(),\[\]])\s*/g, "$1")
    .trim();
}

/** `Name(indexed uint256,(uint128,address),string)`: graph-cli's form, tuples written out. */
export function manifestSignature(event: AbiEvent): string {
  const type = (parameter: { type: string; components?: readonly { type: string }[] }): string => {
    if (!parameter.type.startsWith("tuple")) return parameter.type;
    const inner = (parameter.components ?? []).map((component) => type(component as never)).join(",");
    return `(${inner})${parameter.type.slice("tuple".length)}`;
  };
  const inputs = event.inputs.map((input) => `${input.indexed ? "indexed " : ""}${type(input)}`);
  return `${event.name}(${inputs.join(",")})`;
}
