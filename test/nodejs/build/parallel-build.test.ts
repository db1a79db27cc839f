// The Solidity test files are spread over one compilation job per core (scripts/hardhat/parallel-build.ts): groups of
// about equal size, the same every time, each with its own copy of the default compiler configuration, and files with
// an override of their own left alone.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import hre from "hardhat";
import type { HardhatConfig } from "hardhat/types/config";

import { balancedGroups, spreadTestCompilation } from "../../../scripts/hardhat/parallel-build.ts";

describe("parallel build", () => {
  it("splits files into groups of about equal size, the same way every time", () => {
    const files = [
      { path: "a.sol", size: 10 },
      { path: "b.sol", size: 70 },
      { path: "c.sol", size: 30 },
      { path: "d.sol", size: 30 },
      { path: "e.sol", size: 20 },
    ];
    const groups = balancedGroups(files, 2);
    assert.deepEqual(
      groups.map((group) => group.map((file) => file.path)),
      [
        ["b.sol", "a.sol"],
        ["c.sol", "d.sol", "e.sol"],
      ],
    );
    assert.deepEqual(balancedGroups([...files].reverse(), 2), groups);
    assert.deepEqual(balancedGroups(files, 1), [
      [...files].sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1)),
    ]);
    assert.deepEqual(balancedGroups([], 3), [[], [], []]);
  });

  it("gives each group of Solidity test files but the first its own copy of the default compiler", () => {
    const config = structuredClone({
      paths: hre.config.paths,
      solidity: { profiles: { default: hre.config.solidity.profiles.default } },
    }) as unknown as HardhatConfig;
    const profile = config.solidity.profiles.default!;
    // What the resolved configuration held before the hook ran: the configured overrides only. The hook's group copies
    // share the default compiler's settings object, and structuredClone keeps that sharing.
    for (const [name, override] of Object.entries(profile.overrides)) {
      if (override.settings === profile.compilers[0]!.settings) delete profile.overrides[name];
    }
    const configured = { ...profile.overrides };
    spreadTestCompilation(config, 3);

    const added = Object.entries(profile.overrides).filter(([name]) => !(name in configured));
    assert.ok(added.length > 20, `${added.length} test files in the other groups`);
    for (const [name] of added) assert.match(name, /^test\/solidity\/.+\.sol$/);
    for (const [name, override] of Object.entries(configured)) assert.equal(profile.overrides[name], override);
    const groupConfigurations = new Set(added.map(([, override]) => override));
    assert.equal(groupConfigurations.size, 2);
    for (const override of groupConfigurations) {
      assert.notEqual(override, profile.compilers[0]);
      assert.deepEqual(override, profile.compilers[0]);
    }
  });
});
