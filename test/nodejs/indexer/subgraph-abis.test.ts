// The subgraph's ABIs come from the artifacts (`npm run indexer:abis`) or, while the contracts still compile, from
// src/protocol/abis.ts (`npm start`); `staleAbis` is what tells a subgraph built the second way that it must be built
// again. Both run against a copy of the manifest in a temporary directory, so indexer/abis/ is left alone.
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { MANIFEST_TEMPLATE_PATH, staleAbis, writeAbis } from "../../../indexer/scripts/abis.ts";

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
});
