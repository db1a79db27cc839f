/**
 * The gas snapshot: re-measures every lifecycle operation through bench/gas-scenarios.ts and fails when one costs
 * more than 2 % above bench/gas-snapshot.json, or more than its target from the protocol-core issue.
 *
 * After a change that moves gas on purpose, refresh the snapshot with `npm run gas:snapshot` (which sets
 * UPDATE_GAS_SNAPSHOT=1) and commit it with the change, so the cost shows in review.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";

import { network } from "hardhat";

import {
  SNAPSHOT_TOLERANCE_PERCENT,
  formatGasTable,
  readSnapshot,
  snapshotImprovements,
  snapshotRegressions,
  targetsExceeded,
  writeSnapshot,
} from "../../bench/gas-report.js";
import type { GasSnapshot } from "../../bench/gas-report.js";
import { measureGas } from "../../bench/gas-scenarios.js";
import type { GasFigures } from "../../bench/gas-scenarios.js";

const updatingSnapshot = process.env.UPDATE_GAS_SNAPSHOT === "1";

describe("Gas", () => {
  let figures: GasFigures;
  let snapshot: GasSnapshot | undefined;

  before(async () => {
    const connection = await network.create();
    try {
      figures = await measureGas(connection);
    } finally {
      await connection.close();
    }
    snapshot = await readSnapshot();
    if (updatingSnapshot) await writeSnapshot(figures);
    const improvements = snapshot === undefined || updatingSnapshot ? [] : snapshotImprovements(figures, snapshot);
    const note = updatingSnapshot
      ? "\nWritten to bench/gas-snapshot.json."
      : improvements.length > 0
        ? `\nCheaper than the snapshot; run \`npm run gas:snapshot\` so that it holds the new figures:\n  ${improvements.join("\n  ")}`
        : "";
    console.log(`${formatGasTable(figures, snapshot)}${note}\n`);
  });

  it(`should cost at most ${SNAPSHOT_TOLERANCE_PERCENT} % more than the committed snapshot for every operation`, () => {
    if (updatingSnapshot) return;
    assert.ok(snapshot !== undefined, "bench/gas-snapshot.json is missing: run `npm run gas:snapshot` and commit it");
    const regressions = snapshotRegressions(figures, snapshot);
    assert.deepEqual(
      regressions,
      [],
      `Gas grew beyond the snapshot:\n  ${regressions.join("\n  ")}\n` +
        "If the increase is intended, run `npm run gas:snapshot` and commit bench/gas-snapshot.json with the change.",
    );
  });

  it("should stay within the gas targets of the protocol-core issue", () => {
    const exceeded = targetsExceeded(figures);
    assert.deepEqual(exceeded, [], `Gas targets exceeded:\n  ${exceeded.join("\n  ")}`);
  });
});
