/**
 * Ending a contest of a held verdict by agreement: the poster and the executor sign the same EIP-712 `Settlement`
 * (typed with src/protocol/eip712.ts), one with ethers and the other with viem, and anyone submits both signatures.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { network } from "hardhat";
import { hashTypedData } from "viem";
import type { Hex } from "viem";

import { SETTLEMENT_TYPES, settlementTypedData, type SettlementMessage } from "../../../../src/protocol/eip712.js";
import {
  ARBITRATION_FEE,
  BPS,
  CLAIM_BOND,
  ContestOutcome,
  ContestPhase,
  ETH,
  REWARD,
  TaskStatus,
  VERIFIER_BOND,
  accountsOf,
  assertBalanceDeltas,
  balancesOf,
  contestOf,
  contestedConfig,
  deployAttestationFixture,
  dispute,
  domainOf,
  eventsOf,
  holdVerdict,
  latestTimestamp,
  memberOf,
  respond,
  send,
  split,
  statusOf,
  taskUnderReview,
  type AttestationFixture,
  type Keys,
  type Task,
} from "./helpers.js";

const { viem, networkHelpers } = await network.create();

/** Signs `message` with viem (local account) or ethers. */
async function signSettlement(
  fixture: AttestationFixture,
  keys: Keys,
  message: SettlementMessage,
  library: "viem" | "ethers",
): Promise<Hex> {
  const domain = domainOf(fixture);
  if (library === "viem") return keys.account.signTypedData(settlementTypedData(domain, message));
  const ethersDomain = {
    name: domain.name,
    version: domain.version,
    chainId: domain.chainId,
    verifyingContract: domain.verifyingContract,
  };
  return (await keys.ethers.signTypedData(
    ethersDomain,
    { Settlement: [...SETTLEMENT_TYPES.Settlement] },
    message,
  )) as Hex;
}

/** The poster's (ethers) and the executor's (viem) signatures of a split of the current submission. */
async function agree(fixture: AttestationFixture, task: Task, executorShareBps: number) {
  const message: SettlementMessage = {
    taskId: task.taskId,
    submissionHash: (await fixture.market.read.submissionOf([task.taskId])) as Hex,
    executorShareBps,
    deadline: BigInt((await latestTimestamp(fixture)) + 3600),
  };
  return {
    message,
    posterSignature: await signSettlement(fixture, fixture.poster, message, "ethers"),
    executorSignature: await signSettlement(fixture, fixture.executor, message, "viem"),
  };
}

function settleByAgreement(
  fixture: AttestationFixture,
  task: Task,
  agreement: Awaited<ReturnType<typeof agree>>,
  overrides: Partial<{ posterSignature: Hex; executorSignature: Hex; executorShareBps: number }> = {},
) {
  return fixture.module.write.settleByAgreement(
    [
      task.taskId,
      task.terms,
      overrides.executorShareBps ?? agreement.message.executorShareBps,
      agreement.message.deadline,
      overrides.posterSignature ?? agreement.posterSignature,
      overrides.executorSignature ?? agreement.executorSignature,
    ],
    { account: fixture.relayer.wallet.account },
  );
}

describe("AttestationModule: settling a contest by agreement", () => {
  it("settles a held scored verdict at the split both parties signed (ethers and viem)", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { market, module, poster, executor, relayer } = fixture;
    const signers = fixture.verifiers.slice(0, 2);
    const task = await taskUnderReview(fixture, contestedConfig(fixture, { scored: true }));
    await holdVerdict(fixture, task, signers, true, [6_000, 6_000]);
    const agreement = await agree(fixture, task, 7_500);
    const digest = await module.read.settlementDigest([
      task.taskId,
      agreement.message.submissionHash,
      7_500,
      agreement.message.deadline,
    ]);
    assert.equal(digest, hashTypedData(settlementTypedData(domainOf(fixture), agreement.message)));

    const before = await balancesOf(fixture, accountsOf(fixture, signers));
    const settled = await send(fixture, settleByAgreement(fixture, task, agreement));
    const { payout, fee, refund } = split(REWARD, 7_500);
    await assertBalanceDeltas(
      fixture,
      before,
      [
        [market.address, -(payout + CLAIM_BOND + refund)],
        [module.address, 0n],
        [fixture.arbitrator.address, 0n],
        [poster.address, refund],
        [executor.address, payout + CLAIM_BOND],
        [relayer.address, -settled.gasCost],
        [fixture.feeRecipient, 0n],
        ...signers.map((signer) => [signer.address, 0n] as const),
      ],
      settled.gasCost,
    );
    assert.equal(await market.read.accruedFeesOf([ETH]), fee);
    assert.equal(await statusOf(fixture, task.taskId), TaskStatus.Settled);
    assert.deepEqual(eventsOf(module, settled.receipt), [
      {
        eventName: "ContestEnded",
        args: { taskId: task.taskId, outcome: ContestOutcome.Agreed, executorShareBps: 7_500 },
      },
    ]);
    const record = (await market.read.executorRecordOf([executor.address])) as { disputesWon: number };
    assert.equal(record.disputesWon, 1);
  });

  it("splits the claimant's deposit and slashes no one when the parties agree during arbitration", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { market, module, poster, executor, relayer } = fixture;
    const signers = fixture.verifiers.slice(0, 2);
    const task = await taskUnderReview(fixture, contestedConfig(fixture));
    await holdVerdict(fixture, task, signers, false);
    await dispute(fixture, task, executor);
    await respond(fixture, task, poster);
    assert.equal((await contestOf(fixture, task.taskId)).phase, ContestPhase.Arbitrating);
    const agreement = await agree(fixture, task, 5_000);
    const before = await balancesOf(fixture, accountsOf(fixture, signers));
    const settled = await send(fixture, settleByAgreement(fixture, task, agreement));
    const { payout, refund } = split(REWARD, 5_000);
    const half = ARBITRATION_FEE / 2n;
    await assertBalanceDeltas(
      fixture,
      before,
      [
        [market.address, -(payout + CLAIM_BOND + refund)],
        [module.address, -ARBITRATION_FEE],
        [fixture.arbitrator.address, 0n],
        [poster.address, refund + (ARBITRATION_FEE - half)],
        [executor.address, payout + CLAIM_BOND + half],
        [relayer.address, -settled.gasCost],
        [fixture.feeRecipient, 0n],
        ...signers.map((signer) => [signer.address, 0n] as const),
      ],
      settled.gasCost,
    );
    for (const signer of signers) {
      assert.equal((await memberOf(module, fixture.setId, signer.address)).bond, VERIFIER_BOND);
    }
  });

  it("refuses a split not signed by both parties, past its deadline, or above 100 %", async () => {
    const fixture = await networkHelpers.loadFixture(deployAttestationFixture);
    const { module, poster, executor } = fixture;
    const task = await taskUnderReview(fixture, contestedConfig(fixture));
    // Nothing to settle before a contest.
    const early = await agree(fixture, task, 5_000);
    await viem.assertions.revertWithCustomErrorWithArgs(
      settleByAgreement(fixture, task, early),
      module,
      "DisputableModule_InvalidPhase",
      [task.taskId],
    );
    await holdVerdict(fixture, task, fixture.verifiers.slice(0, 2), false);
    const agreement = await agree(fixture, task, 5_000);
    // The executor's signature in the poster's place, and the other way round.
    await viem.assertions.revertWithCustomErrorWithArgs(
      settleByAgreement(fixture, task, agreement, { posterSignature: agreement.executorSignature }),
      module,
      "DisputableModule_InvalidSignature",
      [poster.address],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      settleByAgreement(fixture, task, agreement, { executorSignature: agreement.posterSignature }),
      module,
      "DisputableModule_InvalidSignature",
      [executor.address],
    );
    // Another share than signed.
    await viem.assertions.revertWithCustomErrorWithArgs(
      settleByAgreement(fixture, task, agreement, { executorShareBps: 6_000 }),
      module,
      "DisputableModule_InvalidSignature",
      [poster.address],
    );
    await viem.assertions.revertWithCustomErrorWithArgs(
      settleByAgreement(fixture, task, agreement, { executorShareBps: BPS + 1 }),
      module,
      "DisputableModule_InvalidShare",
      [BigInt(BPS + 1)],
    );
    await networkHelpers.time.setNextBlockTimestamp(agreement.message.deadline + 1n);
    await viem.assertions.revertWithCustomErrorWithArgs(
      settleByAgreement(fixture, task, agreement),
      module,
      "DisputableModule_DeadlinePassed",
      [task.taskId, agreement.message.deadline],
    );
  });
});
