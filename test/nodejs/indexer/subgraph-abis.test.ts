// The subgraph's ABIs come from the artifacts (`npm run indexer:abis`) or, while the contracts still compile, from
// src/protocol/abis.ts (`npm start`); `staleAbis` is what tells a subgraph built the second way that it must be built
// again. Both run against a copy of the manifest in a temporary directory, so indexer/abis/ is left alone.
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import {
  MANIFEST_TEMPLATE_PATH,
  readManifestDataSources,
  sharedHandlerProblems,
  staleAbis,
  writeAbis,
} from "../../../indexer/scripts/abis.ts";

describe("subgraph ABIs", () => {
  let directory: string;
  let manifest: string;

  before(() => {
    directory = mkdtempSync(join(tmpdir(), "taskmarket-subgraph-abis-"));
    manifest = join(directory, "subgraph.yaml");
    copyFileSync(MANIFEST_TEMPLATE_PATH, manifest);
  });

  after(() => rmSync(directory, { recursive: true, force: true }));

  it("are the same from src/protocol/abis.ts as from the artifacts", async () => {
    const fromArtifacts = await writeAbis(manifest, undefined, "artifacts");
    assert.ok(fromArtifacts.length >= 10, `${fromArtifacts.length} ABIs`);
    assert.deepEqual(staleAbis(manifest), []);

    const fromModule = await writeAbis(manifest, undefined, "module");
    assert.deepEqual(
      fromModule.map((abi) => abi.name),
      fromArtifacts.map((abi) => abi.name),
    );
    for (const abi of fromModule) assert.ok(abi.source.endsWith("abis.ts"), abi.source);
    assert.deepEqual(staleAbis(manifest), []);
  });

  it("are stale when one differs from its artifact or is missing", async () => {
    await writeAbis(manifest, undefined, "module");
    const marketAbi = join(directory, "abis", "TaskMarket.json");
    const abi = JSON.parse(readFileSync(marketAbi, "utf8")) as { type: string; name?: string }[];
    writeFileSync(marketAbi, JSON.stringify(abi.filter((entry) => entry.name !== "TaskSettled")));
    rmSync(join(directory, "abis", "GatedClaim.json"));
    assert.deepEqual(staleAbis(manifest).sort(), ["GatedClaim", "TaskMarket"]);
  });

  it("share one mapping file, in which no handler name serves two different events", async () => {
    const template = readFileSync(MANIFEST_TEMPLATE_PATH, "utf8");
    const dataSources = readManifestDataSources(template);
    assert.deepEqual(new Set(dataSources.map((dataSource) => dataSource.mappingFile)), new Set(["./src/mappings.ts"]));
    assert.deepEqual(sharedHandlerProblems(dataSources), []);

    // The review module's ContestOpened handler given the market's TaskClaimed handler's name: one exported function
    // would run for both events.
    assert.match(template, /handler: handleReviewModuleContestOpened\n/);
    writeFileSync(
      manifest,
      template.replace("handler: handleReviewModuleContestOpened\n", "handler: handleTaskClaimed\n"),
    );
    try {
      await assert.rejects(
        writeAbis(manifest, undefined, "module"),
        /data sources TaskMarket and ReviewModule share src\/mappings\.ts but both name handleTaskClaimed/,
      );
    } finally {
      copyFileSync(MANIFEST_TEMPLATE_PATH, manifest);
    }
  });

  it("may share a handler between data sources for the same event", () => {
    const [first, second] = ["A", "B"].map((name) => ({
      name,
      abi: name,
      abiFiles: new Map([[name, `./abis/${name}.json`]]),
      events: ["Paid(indexed address,uint256)"],
      handlers: ["handlePaid"],
      mappingFile: "./src/mappings.ts",
    }));
    assert.deepEqual(sharedHandlerProblems([first!, second!]), []);
    assert.equal(sharedHandlerProblems([first!, { ...second!, events: ["Paid(address,uint256)"] }]).length, 1);
    assert.deepEqual(sharedHandlerProblems([first!, { ...second!, mappingFile: "./src/b.ts", events: ["X()"] }]), []);
  });
});
