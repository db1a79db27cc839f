/**
 * The scenario's last phase: tasks left in every state that is not final, so that the reconciliation compares escrow
 * still held, bonds still locked, deposits still in the modules and contests still open. Nothing moves the clock after
 * this phase.
 */
import { parseEther } from "viem";
import type { Hex } from "viem";

import { moduleDomain, attestationTypedData } from "../../../../src/protocol/eip712.js";
import { boardConfigHash, openRequirements, type AuctionConfig, type BoardConfig } from "../../composition/helpers.js";
import { ExecutorKind, NO_OPTIONS, packMilestoneShares } from "../../helpers/protocol.js";
import { apply, createSubtask, placeBid, postAuction, subtaskTerms } from "./composition.js";
import { postWithPermit } from "./core.js";
import { DAY, ETH_VERIFIER_FEE, TOKEN_VERIFIER_FEE, labelHash, type Scenario } from "./scenario.js";
import {
  CHALLENGE_BOND,
  CONTEST_WINDOW,
  METHOD_ID,
  MIN_BOND,
  SLASH_BPS,
  type AttestationConfigShape,
} from "./verification.js";

export async function leaveTasksOpen(scenario: Scenario): Promise<void> {
  const { cast, c, chain } = scenario;
  const { alice, bob, carol, hana, hugo, ada, bert, cyd, rita, wally } = cast;
  const token = c.devToken.address;
  const panel = c.panelArbitrator;

  // Posted: one in ETH with a delegated reviewer and its fee, one in an ERC-20 paid in milestones.
  await scenario.post(
    "open/posted-eth",
    alice,
    await scenario.terms(alice, { verifier: rita.address, verifierFee: ETH_VERIFIER_FEE }),
  );
  await scenario.post(
    "open/posted-token",
    bob,
    await scenario.terms(bob, { token, milestoneShares: packMilestoneShares([2_500, 2_500, 5_000]) }),
  );

  // Claimed: funded with a permit.
  {
    const task = await postWithPermit(scenario, "open/claimed-permit", carol, await scenario.terms(carol, { token }));
    await scenario.claim(task, ada);
  }

  // In progress, with a checkpoint.
  {
    const task = await scenario.post(
      "open/in-progress",
      bob,
      await scenario.terms(bob, { executorKind: ExecutorKind.Human }),
    );
    await scenario.claim(task, hana);
    await scenario.start(task, hana);
    await scenario.checkpoint(task, hana, 30);
  }

  // Submitted, awaiting review; and a milestone task between milestones.
  {
    const task = await scenario.post("open/submitted", alice, await scenario.terms(alice, { token }));
    await scenario.claim(task, bert);
    await scenario.submit(task, bert);
  }
  {
    const task = await scenario.post(
      "open/between-milestones",
      carol,
      await scenario.terms(carol, { milestoneShares: packMilestoneShares([3_000, 7_000]) }),
    );
    await scenario.claim(task, hugo);
    await scenario.submit(task, hugo);
    await scenario.approve(task, carol);
  }

  // Disputed: an optimistic challenge the executor has not answered yet; the challenger's deposit is in the module.
  {
    const optimistic = c.optimisticModule;
    const config = { arbitrator: panel.address, challengeBond: CHALLENGE_BOND };
    const task = await scenario.post(
      "open/challenged",
      carol,
      await scenario.terms(carol, {
        verifier: optimistic.address,
        verifierConfigHash: (await optimistic.read.configHash([config])) as Hex,
      }),
    );
    await scenario.claim(task, cyd);
    await scenario.submit(task, cyd);
    const deposit = ((await panel.read.arbitrationCost(["0x"])) as bigint) + CHALLENGE_BOND;
    await scenario.send(
      wally,
      optimistic.write.challenge([task.taskId, task.terms, config], { account: wally.wallet.account, value: deposit }),
    );
  }

  // Disputed: a contested rejection in its contest window.
  {
    const review = c.reviewModule;
    const config = { reviewer: rita.address, arbitrator: panel.address, contestWindow: CONTEST_WINDOW };
    const task = await scenario.post(
      "open/contested-rejection",
      alice,
      await scenario.terms(alice, {
        verifier: review.address,
        verifierConfigHash: (await review.read.configHash([config])) as Hex,
        verifierFee: ETH_VERIFIER_FEE,
      }),
    );
    await scenario.claim(task, hugo);
    await scenario.submit(task, hugo);
    await scenario.send(
      rita,
      review.write.reject([task.taskId, task.terms, config, labelHash("open rejection")], {
        account: rita.wallet.account,
      }),
    );
  }

  // Disputed: a contested attestation verdict in an ERC-20, its fee already shared between the signers.
  {
    const attestation = c.attestationModule;
    const [setId] = scenario.verifierSetIds as [bigint];
    const config: AttestationConfigShape = {
      verifierSetId: setId,
      quorum: 2,
      scored: true,
      methodId: METHOD_ID,
      minBond: MIN_BOND,
      arbitrator: panel.address,
      contestWindow: CONTEST_WINDOW,
      slashBps: SLASH_BPS,
    };
    const task = await scenario.post(
      "open/contested-verdict",
      bob,
      await scenario.terms(bob, {
        token,
        verifier: attestation.address,
        verifierConfigHash: (await attestation.read.configHash([config])) as Hex,
        verifierFee: TOKEN_VERIFIER_FEE,
      }),
    );
    await scenario.claim(task, ada);
    await scenario.submit(task, ada);
    const state = (await scenario.market.read.stateOf([task.taskId])) as { reviewDeadline: number };
    const submissionHash = (await scenario.market.read.submissionOf([task.taskId])) as Hex;
    const domain = moduleDomain("attestation", chain.chainId, attestation.address);
    const signed = [];
    for (const [index, [party, scoreBps]] of (
      [
        [cast.vera, 8_000],
        [cast.vito, 6_500],
      ] as const
    ).entries()) {
      const message = {
        taskId: task.taskId,
        milestone: 0,
        submissionHash,
        reviewDeadline: state.reviewDeadline,
        approved: true,
        scoreBps,
        methodId: METHOD_ID,
        evidenceHash: labelHash(`open report ${party.name}`),
        deadline: BigInt(state.reviewDeadline),
        nonce: BigInt(index + 1),
      };
      const signature = await party.wallet.signTypedData({
        account: party.wallet.account,
        ...attestationTypedData(domain, message),
      });
      signed.push({
        signer: party.address,
        scoreBps,
        evidenceHash: message.evidenceHash,
        deadline: message.deadline,
        nonce: message.nonce,
        signature,
      });
    }
    signed.sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
    await scenario.send(
      wally,
      attestation.write.submitVerdict(
        [task.taskId, task.terms, config, { approved: true, methodId: METHOD_ID }, signed],
        {
          account: wally.wallet.account,
        },
      ),
    );
  }

  // Applications still open: deposits held by the board, one of them from a dismissed applicant.
  {
    const board = c.applicationBoard;
    const config: BoardConfig = { requirements: openRequirements(), applicationDeadline: 0 };
    const task = await scenario.post("open/applications", alice, await scenario.terms(alice, { token }), {
      assigner: board.address,
      subtaskBudget: 0n,
      assignerConfigHash: boardConfigHash(config),
    });
    await apply(scenario, task, config, hana);
    await apply(scenario, task, config, hugo);
    await apply(scenario, task, config, bert);
    await scenario.send(
      alice,
      board.write.dismissApplication([task.taskId, task.terms, bert.address], { account: alice.wallet.account }),
    );
  }

  // An auction still taking bids: the bidders' bonds are held by the module.
  {
    const now = await chain.latestTimestamp();
    const config: AuctionConfig = {
      requirements: openRequirements(),
      biddingEnd: now + 2 * DAY,
      revealEnd: 0,
      bidBond: 0n,
      priceWeightBps: 8_000,
      awardWindow: DAY,
    };
    const task = await postAuction(scenario, "open/auction-bidding", bob, config);
    await placeBid(scenario, task, config, ada, (task.terms.reward * 8n) / 10n, task.terms.claimBond);
    await placeBid(scenario, task, config, cyd, (task.terms.reward * 3n) / 4n, task.terms.claimBond);
  }

  // A coordinator at work: its parent claimed, one subtask posted, another claimed.
  {
    const parent = await scenario.post(
      "open/swarm-parent",
      carol,
      await scenario.terms(carol, { executorKind: ExecutorKind.Agent }),
      { ...NO_OPTIONS, subtaskBudget: parseEther("0.5") },
    );
    await scenario.claim(parent, bert);
    await createSubtask(
      scenario,
      "open/swarm-posted",
      parent,
      bert,
      await subtaskTerms(scenario, bert, parseEther("0.1")),
    );
    const claimed = await createSubtask(
      scenario,
      "open/swarm-claimed",
      parent,
      bert,
      await subtaskTerms(scenario, bert, parseEther("0.2"), { executorKind: ExecutorKind.Human }),
    );
    await scenario.claim(claimed, hana);
  }

  // An agent deactivates: its record and past tasks stay.
  await scenario.send(cyd, c.executorRegistry.write.setActive([false], { account: cyd.wallet.account }), [
    scenario.ev(c.executorRegistry, "ExecutorActivationChanged", { executor: cyd.address, active: false }),
  ]);
}
