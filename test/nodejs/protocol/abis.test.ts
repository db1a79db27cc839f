// src/protocol/abis.ts is generated from the compiled contracts and committed, so that the API, the SDK and the
// scripts type their calls without a build. This fails when a contract changed and the file was not generated again.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

import { ABIS_MODULE_PATH, renderAbisModule } from "../../../scripts/generate-abis.ts";
import { PROTOCOL_ABIS, taskMarketAbi } from "../../../src/protocol/abis.ts";
import { PROTOCOL_CONTRACTS } from "../../../scripts/deployment.ts";

describe("generated ABIs", () => {
  it("match the compiled contracts (run `npm run abis` after changing a contract)", async () => {
    const expected = await renderAbisModule();
    assert.ok(readFileSync(ABIS_MODULE_PATH, "utf8") === expected, "src/protocol/abis.ts is stale: run `npm run abis`");
  });

  it("cover every protocol contract", () => {
    assert.deepEqual(Object.keys(PROTOCOL_ABIS), Object.keys(PROTOCOL_CONTRACTS));
  });

  it("give the market the errors and events of the extension it delegatecalls", () => {
    const errors = new Set(taskMarketAbi.filter((item) => item.type === "error").map((item) => item.name));
    const extension = JSON.parse(
      readFileSync(
        new URL("../../../artifacts/contracts/TaskMarketExtension.sol/TaskMarketExtension.json", import.meta.url),
        "utf8",
      ),
    ) as { abi: { type: string; name?: string }[] };
    for (const item of extension.abi.filter((entry) => entry.type === "error")) {
      assert.ok(errors.has(item.name as never), `TaskMarket's ABI lacks the extension's error ${item.name}`);
    }
  });
});
