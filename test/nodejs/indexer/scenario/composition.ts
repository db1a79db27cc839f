/**
 * Composition: tasks given out by the assignment modules (a `GatedClaim` task graph with a reputation gate and a
 * failed dependency, an `ApplicationBoard` round with a dismissal and withdrawals, an open `ReverseAuction` decided by
 * the automatic rule and a sealed one the poster awards after a bid bond is forfeited), and subtasks funded from a
 * parent's escrow, nested two levels deep, with funds returning to an open parent and, after a parent has ended, to
 * its poster.
 */
import assert from "node:assert/strict";

import { keccak256, parseEther, stringToHex } from "viem";
import type { Address, Hex } from "viem";

import {
  auctionConfigHash,
  boardConfigHash,
  gateConfigHash,
  openRequirements,
  sealedBidCommitment,
  type AuctionConfig,
  type BoardConfig,
  type GateConfig,
} from "../../composition/helpers.js";
import { ETH, ExecutorKind, NO_OPTIONS, TaskStatus, type TaskOptions, type TaskTerms } from "../../helpers/protocol.js";
import { DAY, REVIEW_WINDOW, type Party, type Scenario, type ScenarioTask } from "./scenario.js";

export async function runCompositionFlows(scenario: Scenario): Promise<void> {
  await gatedTaskGraph(scenario);
  await applicationRound(scenario);
  await openAuction(scenario);
  await sealedAuction(scenario);
  await swarm(scenario);
  await orphanedSubtask(scenario);
}

function withAssigner(assigner: Address, assignerConfigHash: Hex): TaskOptions {
  return { assigner, subtaskBudget: 0n, assignerConfigHash };
}

/** A first-come claim through `GatedClaim`: the module takes the bond and assigns at once. */
async function gatedClaim(scenario: Scenario, task: ScenarioTask, config: GateConfig, executor: Party) {
  const { gatedClaim: module } = scenario.c;
  const dependencies = config.requirements.dependencies;
  return scenario.send(
    executor,
    module.write.claim([task.taskId, task.terms, config, task.capabilities], {
      account: executor.wallet.account,
      value: task.terms.claimBond,
    }),
    [
      ...(dependencies.length === 0
        ? []
        : [scenario.ev(module, "DependenciesMet", { taskId: task.taskId, dependencies })]),
      scenario.m("TaskClaimed", { taskId: task.taskId, executor: executor.address, bond: task.terms.claimBond }),
    ],
  );
}

/** A small DAG: D1 behind a reputation gate, D2 after D1, D3 after D1 and D2; D4 depends on a cancelled task. */
async function gatedTaskGraph(scenario: Scenario): Promise<void> {
  const { cast, c } = scenario;
  const { alice, bob, carol, hana, bert, cyd, wally } = cast;
  const module = c.gatedClaim;

  const post = async (label: string, poster: Party, config: GateConfig, overrides: Partial<TaskTerms> = {}) => {
    const task = await scenario.post(
      label,
      poster,
      await scenario.terms(poster, overrides),
      withAssigner(module.address, gateConfigHash(config)),
    );
    await scenario.send(
      poster,
      module.write.publishConfig([task.taskId, task.terms, config], { account: poster.wallet.account }),
      [scenario.ev(module, "GateConfigPublished", { taskId: task.taskId, configHash: gateConfigHash(config), config })],
    );
    return task;
  };

  const failed = await scenario.post("composition/dag-failed-dependency", alice, await scenario.terms(alice));
  await scenario.send(
    alice,
    scenario.market.write.cancel([failed.taskId, failed.terms], { account: alice.wallet.account }),
  );

  const gate1: GateConfig = { requirements: openRequirements({ minCompleted: 1, maxDisputesLostBps: 5_000 }) };
  const d1 = await post("composition/dag-root", alice, gate1);
  const gate2: GateConfig = { requirements: openRequirements({ dependencies: [d1.taskId] }) };
  const d2 = await post("composition/dag-second", bob, gate2, { executorKind: ExecutorKind.Agent });
  const gate3: GateConfig = { requirements: openRequirements({ dependencies: [d1.taskId, d2.taskId] }) };
  const d3 = await post("composition/dag-join", carol, gate3, { executorKind: ExecutorKind.Agent });
  const gate4: GateConfig = { requirements: openRequirements({ dependencies: [failed.taskId] }) };
  const d4 = await post("composition/dag-cancelled", alice, gate4);

  await gatedClaim(scenario, d1, gate1, hana);
  await scenario.submit(d1, hana);
  await scenario.approve(d1, alice);

  await gatedClaim(scenario, d2, gate2, bert);
  await scenario.submit(d2, bert);
  // D2's poster stays silent: once its review window ends D2 reads Verified, which is enough for D3.
  await scenario.chain.increaseTime(REVIEW_WINDOW + 1);
  assert.equal(Number(await scenario.market.read.statusOf([d2.taskId])), TaskStatus.Verified);
  await gatedClaim(scenario, d3, gate3, cyd);
  await scenario.release(d2, wally);
  await scenario.submit(d3, cyd);
  await scenario.approve(d3, carol);

  await scenario.send(
    wally,
    module.write.cancelForFailedDependency([d4.taskId, d4.terms, gate4, 0n], { account: wally.wallet.account }),
    [
      scenario.ev(module, "DependencyFailed", { taskId: d4.taskId, dependency: failed.taskId }),
      scenario.m("TaskCancelled", {
        taskId: d4.taskId,
        poster: alice.address,
        refund: d4.terms.reward,
        bondReturned: 0n,
      }),
    ],
  );
}

/** Applications: three apply, one is dismissed, one withdraws, the poster assigns the third. */
async function applicationRound(scenario: Scenario): Promise<void> {
  const { cast, c } = scenario;
  const { alice, hana, hugo, bert } = cast;
  const board = c.applicationBoard;
  const config: BoardConfig = { requirements: openRequirements(), applicationDeadline: 0 };
  const configHash = boardConfigHash(config);
  const task = await scenario.post(
    "composition/board",
    alice,
    await scenario.terms(alice),
    withAssigner(board.address, configHash),
  );
  await scenario.send(
    alice,
    board.write.publishConfig([task.taskId, task.terms, config], { account: alice.wallet.account }),
    [scenario.ev(board, "BoardConfigPublished", { taskId: task.taskId, configHash })],
  );
  for (const applicant of [hana, bert, hugo]) {
    await apply(scenario, task, config, applicant);
  }
  await scenario.send(
    alice,
    board.write.dismissApplication([task.taskId, task.terms, hugo.address], { account: alice.wallet.account }),
    [scenario.ev(board, "ApplicationDismissed", { taskId: task.taskId, applicant: hugo.address })],
  );
  await scenario.send(
    bert,
    board.write.withdrawApplication([task.taskId, task.terms], { account: bert.wallet.account }),
    [
      scenario.ev(board, "ApplicationWithdrawn", {
        taskId: task.taskId,
        applicant: bert.address,
        deposit: task.terms.claimBond,
      }),
    ],
  );
  await scenario.send(
    alice,
    board.write.assign([task.taskId, task.terms, config, hana.address, task.capabilities], {
      account: alice.wallet.account,
    }),
    [
      scenario.ev(board, "ApplicantAssigned", { taskId: task.taskId, applicant: hana.address }),
      scenario.m("TaskClaimed", { taskId: task.taskId, executor: hana.address, bond: task.terms.claimBond }),
    ],
  );
  await scenario.send(
    hugo,
    board.write.withdrawApplication([task.taskId, task.terms], { account: hugo.wallet.account }),
    [
      scenario.ev(board, "ApplicationWithdrawn", {
        taskId: task.taskId,
        applicant: hugo.address,
        deposit: task.terms.claimBond,
      }),
    ],
  );
  await scenario.submit(task, hana);
  await scenario.approve(task, alice);
}

export async function apply(scenario: Scenario, task: ScenarioTask, config: BoardConfig, applicant: Party) {
  const board = scenario.c.applicationBoard;
  await scenario.approveToken(applicant, task.terms.token, board.address, task.terms.claimBond);
  const noteURI = `ipfs://bafynote/${task.taskId}/${applicant.name}`;
  const noteHash = keccak256(stringToHex(noteURI));
  return scenario.send(
    applicant,
    board.write.submitApplication([task.taskId, task.terms, config, noteURI, noteHash, task.capabilities], {
      account: applicant.wallet.account,
      value: task.terms.token === ETH ? task.terms.claimBond : 0n,
    }),
    [scenario.ev(board, "Applied", { taskId: task.taskId, applicant: applicant.address, noteURI, noteHash })],
  );
}

/** Posts an auction task for agents and publishes its configuration. */
export async function postAuction(
  scenario: Scenario,
  label: string,
  poster: Party,
  config: AuctionConfig,
  overrides: Partial<TaskTerms> = {},
): Promise<ScenarioTask> {
  const auction = scenario.c.reverseAuction;
  const configHash = auctionConfigHash(config);
  const task = await scenario.post(
    label,
    poster,
    await scenario.terms(poster, { executorKind: ExecutorKind.Agent, ...overrides }),
    withAssigner(auction.address, configHash),
  );
  await scenario.send(
    poster,
    auction.write.publishConfig([task.taskId, task.terms, config], { account: poster.wallet.account }),
    [scenario.ev(auction, "AuctionConfigPublished", { taskId: task.taskId, configHash })],
  );
  return task;
}

export async function placeBid(
  scenario: Scenario,
  task: ScenarioTask,
  config: AuctionConfig,
  bidder: Party,
  price: bigint,
  deposit: bigint,
) {
  const auction = scenario.c.reverseAuction;
  return scenario.send(
    bidder,
    auction.write.bid([task.taskId, task.terms, config, price, DAY, task.capabilities], {
      account: bidder.wallet.account,
      value: deposit,
    }),
    [scenario.ev(auction, "BidPlaced", { taskId: task.taskId, bidder: bidder.address, price, eta: DAY, deposit })],
  );
}

/** An open auction nobody awards: after the award window anyone finalizes it by the published rule. */
async function openAuction(scenario: Scenario): Promise<void> {
  const { cast, c, chain } = scenario;
  const { bob, ada, bert, cyd, wally } = cast;
  const auction = c.reverseAuction;
  const now = await chain.latestTimestamp();
  const config: AuctionConfig = {
    requirements: openRequirements(),
    biddingEnd: now + DAY,
    revealEnd: 0,
    bidBond: 0n,
    priceWeightBps: 5_000,
    awardWindow: DAY,
  };
  const task = await postAuction(scenario, "composition/auction-open", bob, config);
  const budget = task.terms.reward;
  const bond = task.terms.claimBond;
  await placeBid(scenario, task, config, ada, (budget * 9n) / 10n, bond);
  await placeBid(scenario, task, config, bert, (budget * 7n) / 10n, bond);
  await placeBid(scenario, task, config, cyd, (budget * 8n) / 10n, bond);
  await placeBid(scenario, task, config, bert, (budget * 6n) / 10n + 1n, 0n);

  await chain.increaseTo(config.biddingEnd + config.awardWindow);
  const [found, winner, price, score] = (await auction.read.previewWinner([
    task.taskId,
    task.terms,
    config,
    task.capabilities,
  ])) as readonly [boolean, Address, bigint, bigint];
  assert.ok(found, "the open auction has a winner");
  await scenario.send(
    wally,
    auction.write.finalize([task.taskId, task.terms, config, task.capabilities], { account: wally.wallet.account }),
    [
      scenario.ev(auction, "AuctionAwarded", { taskId: task.taskId, winner, price, automatic: true, score }),
      scenario.m("RewardLowered", { taskId: task.taskId, poster: bob.address, price, released: budget - price }),
      scenario.m("TaskClaimed", { taskId: task.taskId, executor: winner, bond }),
    ],
  );
  const byAddress = new Map([ada, bert, cyd].map((party) => [party.address, party]));
  const winnerParty = byAddress.get(winner)!;
  for (const loser of [ada, bert, cyd].filter((party) => party.address !== winner)) {
    await scenario.send(loser, auction.write.withdrawDeposit([task.taskId], { account: loser.wallet.account }), [
      scenario.ev(auction, "DepositWithdrawn", {
        taskId: task.taskId,
        bidder: loser.address,
        token: ETH,
        amount: bond,
      }),
    ]);
  }
  await scenario.submit(task, winnerParty);
  await scenario.approve(task, bob);
}

/** A sealed auction in an ERC-20: one commitment is never revealed and loses its bid bond to the poster. */
async function sealedAuction(scenario: Scenario): Promise<void> {
  const { cast, c, chain } = scenario;
  const { carol, ada, bert, cyd } = cast;
  const auction = c.reverseAuction;
  const token = c.devToken.address;
  const bidBond = 50_000_000_000_000_000_023n;
  const now = await chain.latestTimestamp();
  const config: AuctionConfig = {
    requirements: openRequirements(),
    biddingEnd: now + DAY,
    revealEnd: now + 2 * DAY,
    bidBond,
    priceWeightBps: 3_000,
    awardWindow: DAY,
  };
  const task = await postAuction(scenario, "composition/auction-sealed", carol, config, { token });
  const budget = task.terms.reward;
  const bond = task.terms.claimBond;
  const bids = [
    { bidder: ada, price: (budget * 6n) / 10n, salt: keccak256(stringToHex("ada's salt")) },
    { bidder: bert, price: (budget * 7n) / 10n + 13n, salt: keccak256(stringToHex("bert's salt")) },
    { bidder: cyd, price: budget / 2n, salt: keccak256(stringToHex("cyd's salt")) },
  ];
  for (const { bidder, price, salt } of bids) {
    const commitment = sealedBidCommitment(
      chain.chainId,
      auction.address,
      task.taskId,
      bidder.address,
      price,
      DAY,
      salt,
    );
    await scenario.approveToken(bidder, token, auction.address, bond + bidBond);
    await scenario.send(
      bidder,
      auction.write.commitBid([task.taskId, task.terms, config, commitment, task.capabilities], {
        account: bidder.wallet.account,
      }),
      [
        scenario.ev(auction, "BidCommitted", {
          taskId: task.taskId,
          bidder: bidder.address,
          commitment,
          deposit: bond + bidBond,
        }),
      ],
    );
  }
  await chain.increaseTo(config.biddingEnd);
  for (const { bidder, price, salt } of bids.slice(0, 2)) {
    await scenario.send(
      bidder,
      auction.write.revealBid([task.taskId, task.terms, config, price, DAY, salt, task.capabilities], {
        account: bidder.wallet.account,
      }),
      [scenario.ev(auction, "BidRevealed", { taskId: task.taskId, bidder: bidder.address, price, eta: DAY })],
    );
  }
  await chain.increaseTo(config.revealEnd);
  const winning = bids[1]!;
  await scenario.send(
    carol,
    auction.write.award([task.taskId, task.terms, config, bert.address, task.capabilities], {
      account: carol.wallet.account,
    }),
    [
      scenario.ev(auction, "BidBondForfeited", {
        taskId: task.taskId,
        bidder: cyd.address,
        poster: carol.address,
        amount: bidBond,
      }),
      scenario.ev(auction, "AuctionAwarded", {
        taskId: task.taskId,
        winner: bert.address,
        price: winning.price,
        automatic: false,
        score: 0n,
      }),
      scenario.m("RewardLowered", {
        taskId: task.taskId,
        poster: carol.address,
        price: winning.price,
        released: budget - winning.price,
      }),
      scenario.m("TaskClaimed", { taskId: task.taskId, executor: bert.address, bond }),
    ],
  );
  for (const [bidder, amount] of [
    [ada, bond + bidBond],
    [cyd, bond],
    [bert, bidBond],
  ] as const) {
    await scenario.send(bidder, auction.write.withdrawDeposit([task.taskId], { account: bidder.wallet.account }), [
      scenario.ev(auction, "DepositWithdrawn", { taskId: task.taskId, bidder: bidder.address, token, amount }),
    ]);
  }
  await scenario.send(carol, auction.write.withdraw([token, carol.address], { account: carol.wallet.account }), [
    scenario.ev(auction, "CreditWithdrawn", { account: carol.address, token, to: carol.address, amount: bidBond }),
  ]);
  await scenario.submit(task, bert);
  await scenario.approve(task, carol);
}

/** Terms of a subtask posted by `coordinator`: its own poster, paid from the parent's escrow. */
export async function subtaskTerms(
  scenario: Scenario,
  coordinator: Party,
  reward: bigint,
  overrides: Partial<TaskTerms> = {},
) {
  return scenario.terms(coordinator, { reward, claimBond: 0n, ...overrides });
}

/** Creates a subtask of `parent` and enters it in the book. */
export async function createSubtask(
  scenario: Scenario,
  label: string,
  parent: ScenarioTask,
  coordinator: Party,
  terms: TaskTerms,
  options: TaskOptions = NO_OPTIONS,
): Promise<ScenarioTask> {
  const market = scenario.market;
  const taskId = (await market.read.nextTaskId()) as bigint;
  const documentURI = `ipfs://bafyreconciliationtask/${taskId}`;
  const capabilities = parent.capabilities;
  const funding = terms.reward + terms.verifierFee;
  const expected = [scenario.m("TaskCreated", { taskId, poster: coordinator.address, token: terms.token, terms })];
  if (options.subtaskBudget !== 0n || options.assigner !== NO_OPTIONS.assigner) {
    expected.push(scenario.m("TaskOptionsSet", { taskId, options }));
  }
  expected.push(
    scenario.m("SubtaskCreated", {
      parentId: parent.taskId,
      subtaskId: taskId,
      coordinator: coordinator.address,
      funding,
    }),
  );
  await scenario.send(
    coordinator,
    market.write.createSubtask([parent.taskId, parent.terms, terms, options, capabilities, documentURI], {
      account: coordinator.wallet.account,
    }),
    expected,
  );
  return scenario.enter({ taskId, label, terms, capabilities, documentURI, options, parentId: parent.taskId });
}

/** A coordinator splits its task: a settled subtask, a cancelled one whose funds return, and a nested swarm. */
async function swarm(scenario: Scenario): Promise<void> {
  const { cast } = scenario;
  const { alice, ada, hana, bert, cyd } = cast;
  const market = scenario.market;
  const parent = await scenario.post(
    "composition/swarm-parent",
    alice,
    await scenario.terms(alice, { executorKind: ExecutorKind.Agent }),
    { ...NO_OPTIONS, subtaskBudget: parseEther("0.6") },
  );
  await scenario.claim(parent, ada);
  await scenario.start(parent, ada);

  const settled = await createSubtask(
    scenario,
    "composition/swarm-step",
    parent,
    ada,
    await subtaskTerms(scenario, ada, parseEther("0.2"), { executorKind: ExecutorKind.Human }),
  );
  await scenario.claim(settled, hana);
  await scenario.submit(settled, hana);
  await scenario.approve(settled, ada);

  const dropped = await createSubtask(
    scenario,
    "composition/swarm-dropped",
    parent,
    ada,
    await subtaskTerms(scenario, ada, parseEther("0.15")),
  );
  await scenario.send(ada, market.write.cancel([dropped.taskId, dropped.terms], { account: ada.wallet.account }), [
    scenario.m("TaskCancelled", { taskId: dropped.taskId, poster: ada.address, refund: dropped.terms.reward }),
    scenario.m("SubtaskFundsReturned", {
      parentId: parent.taskId,
      subtaskId: dropped.taskId,
      to: market.address,
      amount: dropped.terms.reward,
    }),
  ]);

  const nested = await createSubtask(
    scenario,
    "composition/swarm-nested-coordinator",
    parent,
    ada,
    await subtaskTerms(scenario, ada, parseEther("0.25"), { executorKind: ExecutorKind.Agent }),
    { ...NO_OPTIONS, subtaskBudget: parseEther("0.1") },
  );
  await scenario.claim(nested, bert);
  const leaf = await createSubtask(
    scenario,
    "composition/swarm-leaf",
    nested,
    bert,
    await subtaskTerms(scenario, bert, parseEther("0.05"), { executorKind: ExecutorKind.Agent }),
  );
  assert.equal(((await market.read.parentOf([leaf.taskId])) as { depth: number }).depth, 2);
  await scenario.claim(leaf, cyd);
  await scenario.submit(leaf, cyd);
  await scenario.approve(leaf, bert);
  await scenario.submit(nested, bert);
  await scenario.approve(nested, ada);

  await scenario.submit(parent, ada);
  await scenario.approve(parent, alice);
  await scenario.rate(parent, alice, ada.address, 5);
}

/** A parent cancelled by both parties while its subtask is open: the subtask's expiry refunds the parent's poster. */
async function orphanedSubtask(scenario: Scenario): Promise<void> {
  const { cast, chain } = scenario;
  const { bob, cyd, wally } = cast;
  const market = scenario.market;
  const parent = await scenario.post(
    "composition/orphan-parent",
    bob,
    await scenario.terms(bob, { executorKind: ExecutorKind.Agent }),
    { ...NO_OPTIONS, subtaskBudget: parseEther("0.3") },
  );
  await scenario.claim(parent, cyd);
  const child = await createSubtask(
    scenario,
    "composition/orphan-child",
    parent,
    cyd,
    await subtaskTerms(scenario, cyd, parseEther("0.1"), { claimDeadline: (await chain.latestTimestamp()) + DAY }),
  );
  await scenario.send(
    bob,
    market.write.consentToCancel([parent.taskId, parent.terms], { account: bob.wallet.account }),
  );
  await scenario.send(
    cyd,
    market.write.consentToCancel([parent.taskId, parent.terms], { account: cyd.wallet.account }),
    [
      scenario.m("CancellationConsented", { taskId: parent.taskId, party: cyd.address }),
      scenario.m("TaskCancelled", {
        taskId: parent.taskId,
        poster: bob.address,
        refund: parent.terms.reward - child.terms.reward,
        bondReturned: parent.terms.claimBond,
      }),
    ],
  );
  await chain.increaseTo(child.terms.claimDeadline + 1);
  await scenario.send(
    wally,
    market.write.refundExpired([child.taskId, child.terms], { account: wally.wallet.account }),
    [
      scenario.m("TaskExpired", {
        taskId: child.taskId,
        poster: cyd.address,
        refund: child.terms.reward,
        bondForfeited: 0n,
      }),
      scenario.m("SubtaskFundsReturned", {
        parentId: parent.taskId,
        subtaskId: child.taskId,
        to: bob.address,
        amount: child.terms.reward,
      }),
    ],
  );
}
