/**
 * The gas of a `submitVerdict` that settles an ETH task (no contest window, no verifier fee, no milestones, an
 * unscored approval), with 1 and with 3 signatures, in steady state: each figure is measured on a second task after
 * a warm-up task went through the same path, so that every counter the settlement touches (the executor's earnings
 * and reputation, the poster's record, the accrued protocol fee) is already non-zero, as on a live market. A third
 * task checks that the figure has settled (only calldata can move it: signatures differ in their zero bytes).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";

import {
  TaskStatus,
  attestAll,
  deployAttestationFixture,
  immediateConfig,
  send,
  statusOf,
  submitVerdict,
  taskUnderReview,
  verdictOf,
  type AttestationFixture,
} from "./helpers.js";

const { networkHelpers } = await network.create();

/** Settles a fresh task with `count` signatures (quorum `count`) and returns the verdict's gasUsed. */
async function verdictGas(fixture: AttestationFixture, count: number): Promise<bigint> {
  const task = await taskUnderReview(fixture, immediateConfig(fixture, { quorum: count }));
  const attestations = await attestAll(fixture, task, fixture.verifiers.slice(0, count));
  const sent = await send(fixture, submitVerdict(fixture, task, verdictOf(true), attestations));
  assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Settled);
  return sent.receipt.gasUsed;
}

describe("AttestationModule: gas of a settling verdict", () => {
  for (const count of [1, 3]) {
    it(`submitVerdict with ${count} signature${count === 1 ? "" : "s"}`, async () => {
      const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
      const warmUp = await verdictGas(fixture, count);
      const steady = await verdictGas(fixture, count);
      const again = await verdictGas(fixture, count);
      console.log(`    submitVerdict, ${count} signature(s): warm-up ${warmUp}, steady ${steady}, again ${again}`);
      assert.ok(steady < warmUp, "the warm-up pays for the first writes of the counters");
      // Calldata alone: a few zero bytes more or less in the signatures.
      assert.ok(steady - again < 200n && again - steady < 200n, `${steady} and ${again} should be within 200 gas`);
    });
  }
});
