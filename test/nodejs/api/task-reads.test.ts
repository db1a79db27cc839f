// `GET /tasks/{id}` against a real stack: the task document from the API's database, the indexed record and the live
// on-chain state composed in one answer, for tasks in ETH and in an ERC-20, with milestones, settled, behind a gate
// with a dependency, without a stored document, past their claim deadline, and not yet indexed; and the 400 and 404
// paths.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { getAddress, zeroHash } from "viem";

import { createApp } from "../../../api/src/app.ts";
import { SubgraphClient, type SubgraphAnswer } from "../../../api/src/subgraph/subgraph-client.ts";
import { readTaskState } from "../../../src/protocol/task-state.ts";
import { ExecutorKind } from "../../../src/protocol/terms.ts";
import { startStack, type Stack } from "./helpers/stack.ts";
import {
  addressOf,
  claimTask,
  completeTask,
  devToken,
  gatedClaimOptions,
  increaseTime,
  postTask,
  publishGateConfig,
  registerExecutor,
  submitWork,
  type GateConfig,
  type SeededTask,
} from "./helpers/seed.ts";

/** The indexer as it was at an earlier block: reads of one task are made at that block and say so. */
class IndexerAtBlock extends SubgraphClient {
  readonly #block: { number: number; hash: string; timestamp: number };

  constructor(url: string, block: { number: number; hash: string; timestamp: number }) {
    super(url);
    this.#block = block;
  }

  override async query<T>(
    selection: string,
    variables: Record<string, unknown> = {},
    variableDefinitions = "",
  ): Promise<SubgraphAnswer<T>> {
    const pinned = selection.replace("task(id: $id)", `task(id: $id, block: { number: ${this.#block.number} })`);
    const answer = await super.query<T>(pinned, variables, variableDefinitions);
    return { ...answer, block: this.#block };
  }
}

describe("GET /tasks/{id}", () => {
  let stack: Stack;
  let open: SeededTask;
  let inMilestones: SeededTask;
  let settled: SeededTask;
  let withoutDocument: SeededTask;
  let expiring: SeededTask;
  let dependency: SeededTask;
  let gated: SeededTask;
  const gate: GateConfig = { requirements: { minCompleted: 0, maxDisputesLostBps: 10_000, dependencies: [] } };

  async function read(id: string | bigint) {
    const response = await stack.request("GET", `/tasks/${id}`);
    return { status: response.status, body: (await response.json()) as any };
  }

  before(async () => {
    stack = await startStack();
    await registerExecutor(stack, "human", { kind: ExecutorKind.Human, capabilities: ["skill:translation/de-en"] });
    open = await postTask(stack, {
      objective: "Translate a product safety leaflet from German into English.",
      capabilities: ["skill:translation/de-en"],
      tags: ["de-en", "safety"],
      executorKind: ExecutorKind.Human,
    });
    inMilestones = await postTask(stack, {
      token: devToken(stack),
      reward: 5n * 10n ** 18n,
      claimBond: 10n ** 17n,
      milestoneSharesBps: [4_000, 6_000],
      category: "data/extraction",
    });
    await claimTask(stack, inMilestones, "human");
    await submitWork(stack, inMilestones, "human");
    settled = await postTask(stack, { reward: 2_000_000_000_000_000n });
    await completeTask(stack, settled, "human");
    withoutDocument = await postTask(stack, { storeDocument: false });
    expiring = await postTask(stack, { claimPeriod: 3_600 });
    dependency = await postTask(stack, {});
    gate.requirements.dependencies = [dependency.taskId];
    gated = await postTask(stack, { options: await gatedClaimOptions(stack, gate) });
    await stack.indexed(await publishGateConfig(stack, gated, gate));
  });

  after(async () => {
    await stack?.stop();
  });

  it("composes an open task's document, indexed record and live state, and says which blocks they reflect", async () => {
    const { status, body } = await read(open.taskId);
    assert.equal(status, 200);
    assert.equal(body.id, open.id);
    assert.equal(body.status, "Posted");
    assert.equal(body.poster, addressOf(stack, "poster"));
    assert.equal(body.documentHash, open.commitment.documentHash);
    assert.equal(body.documentURI, open.commitment.documentURI);
    assert.deepEqual(body.document, open.document);

    assert.deepEqual(body.chain, {
      status: "Posted",
      storedStatus: "Posted",
      executor: null,
      executionDeadline: 0,
      reviewDeadline: 0,
      flags: 0,
      submissionHash: zeroHash,
      milestonesVerified: 0,
      heldAt: 0,
      holdShareBps: 0,
    });

    const indexed = body.indexed;
    assert.equal(indexed.status, "Posted");
    assert.equal(indexed.storedStatus, "Posted");
    assert.deepEqual(indexed.terms, {
      poster: open.terms.poster,
      token: open.terms.token,
      reward: open.terms.reward.toString(),
      claimBond: open.terms.claimBond.toString(),
      claimDeadline: open.terms.claimDeadline,
      executionWindow: open.terms.executionWindow,
      reviewWindow: open.terms.reviewWindow,
      feeBps: open.terms.feeBps,
      executorKind: "Human",
      verifier: open.terms.verifier,
      verifierFee: "0",
      verifierConfigHash: open.terms.verifierConfigHash,
      capabilitiesHash: open.terms.capabilitiesHash,
      documentHash: open.terms.documentHash,
      milestoneShares: open.terms.milestoneShares,
    });
    assert.deepEqual(indexed.capabilities, open.capabilities);
    assert.equal(indexed.executorKind, "Human");
    assert.equal(indexed.verifier, null);
    assert.equal(indexed.verificationMethod, "Poster");
    assert.equal(indexed.assignmentMode, "FirstCome");
    assert.equal(indexed.assigner, null);
    assert.equal(indexed.executor, null);
    assert.equal(indexed.figures.escrowRemaining, open.terms.reward.toString());
    assert.equal(indexed.createdAtBlock, Number(open.receipt.blockNumber));
    assert.equal(indexed.createdTransaction, open.receipt.transactionHash);
    assert.deepEqual(indexed.subtasks, []);
    assert.deepEqual(indexed.dependencies, []);
    assert.deepEqual(indexed.milestones, []);
    assert.equal(indexed.latestSubmission, null);
    assert.equal(indexed.currentDispute, null);
    assert.equal(indexed.parent, null);

    assert.ok(body.block.indexed.number >= Number(open.receipt.blockNumber));
    assert.match(body.block.indexed.hash, /^0x[0-9a-f]{64}$/);
    assert.ok(body.block.chain.number >= body.block.indexed.number);
    const chainBlock = await stack.publicClient.getBlock({ blockNumber: BigInt(body.block.chain.number) });
    assert.equal(body.block.chain.hash, chainBlock.hash);
  });

  it("answers an ERC-20 task paid in milestones with its executor, latest submission and milestones", async () => {
    const { status, body } = await read(inMilestones.id);
    assert.equal(status, 200);
    assert.equal(body.status, "Submitted");
    assert.equal(body.chain.status, "Submitted");
    assert.equal(body.chain.executor, addressOf(stack, "human"));
    const indexed = body.indexed;
    assert.equal(indexed.token, getAddress(devToken(stack)));
    assert.equal(indexed.reward, (5n * 10n ** 18n).toString());
    assert.equal(indexed.status, "Submitted");
    assert.equal(indexed.executor, addressOf(stack, "human"));
    assert.deepEqual(indexed.milestoneSharesBps, [4_000, 6_000]);
    assert.deepEqual(
      indexed.milestones.map((milestone: any) => [milestone.index, milestone.shareBps, milestone.settled]),
      [
        [0, 4_000, false],
        [1, 6_000, false],
      ],
    );
    assert.equal(indexed.latestSubmission.number, 1);
    assert.equal(indexed.latestSubmission.milestone, 0);
    assert.equal(indexed.latestSubmission.executor, addressOf(stack, "human"));
    assert.equal(indexed.latestSubmission.status, "UnderReview");
    assert.equal(indexed.latestSubmission.resultURI, `ipfs://result-${inMilestones.id}`);
    assert.equal(indexed.reviewDeadline, body.chain.reviewDeadline);
    assert.equal(indexed.executionDeadline, body.chain.executionDeadline);
    assert.equal(indexed.figures.claimCount, 1);
    assert.equal(body.document.compensation.milestones.length, 2);
  });

  it("answers a settled task with what it paid", async () => {
    const { status, body } = await read(settled.id);
    assert.equal(status, 200);
    assert.equal(body.status, "Settled");
    const indexed = body.indexed;
    assert.equal(indexed.status, "Settled");
    assert.equal(indexed.latestSubmission.decision, "Approved");
    assert.equal(indexed.latestSubmission.status, "Settled");
    assert.equal(indexed.acceptedSubmission, 1);
    const fee = (settled.terms.reward * BigInt(settled.terms.feeBps)) / 10_000n;
    assert.equal(indexed.figures.paidToExecutor, (settled.terms.reward - fee).toString());
    assert.equal(indexed.figures.protocolFees, fee.toString());
    assert.equal(indexed.figures.escrowRemaining, "0");
    assert.equal(indexed.figures.bondsReturned, settled.terms.claimBond.toString());
    assert.equal(typeof indexed.endedAt, "number");
  });

  it("answers document: null with the chain's document URI when the API does not hold the document", async () => {
    const { status, body } = await read(withoutDocument.id);
    assert.equal(status, 200);
    assert.equal(body.document, null);
    assert.equal(body.documentHash, withoutDocument.commitment.documentHash);
    assert.equal(body.documentURI, withoutDocument.commitment.documentURI);
    assert.equal(body.indexed.documentURI, withoutDocument.commitment.documentURI);
  });

  it("lists a gated task's dependency, the dependency's dependent and the published gate", async () => {
    const gatedRead = await read(gated.id);
    assert.equal(gatedRead.status, 200);
    assert.equal(gatedRead.body.indexed.assignmentMode, "GatedClaim");
    assert.equal(gatedRead.body.indexed.assigner, stack.deployment.contracts.gatedClaim.address);
    assert.deepEqual(
      gatedRead.body.indexed.dependencies.map((edge: any) => [edge.task.id, edge.task.status, edge.met, edge.failed]),
      [[dependency.id, "Posted", false, false]],
    );
    const config = gatedRead.body.indexed.assignmentConfig;
    assert.equal(config.mode, "GatedClaim");
    assert.equal(config.minCompleted, 0);
    assert.equal(config.maxDisputesLostBps, 10_000);
    assert.deepEqual(config.dependencyIds, [dependency.id]);
    assert.equal(config.configHash, gated.options.assignerConfigHash);

    const dependencyRead = await read(dependency.id);
    assert.deepEqual(
      dependencyRead.body.indexed.dependents.map((edge: any) => [edge.task.id, edge.index]),
      [[gated.id, 0]],
    );
  });

  it("applies the time-based outcome the chain's statusOf applies: a task past its claim deadline is Expired", async () => {
    const before = await read(expiring.id);
    assert.equal(before.body.status, "Posted");
    await stack.indexed(await increaseTime(stack, 2 * 3_600));
    const { status, body } = await read(expiring.id);
    assert.equal(status, 200);
    assert.equal(body.status, "Expired");
    assert.equal(body.chain.status, "Expired");
    assert.equal(body.chain.storedStatus, "Posted");
    // The indexer stores what the events said; the API derives the status at the indexed block's time.
    assert.equal(body.indexed.storedStatus, "Posted");
    assert.equal(body.indexed.status, "Expired");
    // A task with a longer claim period is still open.
    assert.equal((await read(open.id)).body.status, "Posted");
  });

  it("answers from the chain and the document with indexed: null when the indexer has not reached the task", async () => {
    const late = await postTask(stack, { objective: "A task the indexer has not reached yet." });
    const earlier = await stack.publicClient.getBlock({ blockNumber: late.receipt.blockNumber - 1n });
    await stack.indexed(late.receipt);
    const lagging = new IndexerAtBlock(stack.config.subgraphUrl, {
      number: Number(earlier.number),
      hash: earlier.hash,
      timestamp: Number(earlier.timestamp),
    });
    const app = createApp({ ...stack.services, subgraph: lagging });
    const response = await app.request(`/tasks/${late.id}`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as any;
    assert.equal(body.indexed, null);
    assert.equal(body.status, "Posted");
    assert.equal(body.poster, addressOf(stack, "poster"));
    assert.equal(body.documentHash, late.commitment.documentHash);
    assert.equal(body.documentURI, late.commitment.documentURI);
    assert.deepEqual(body.document, late.document);
    assert.deepEqual(body.block.indexed, { number: Number(earlier.number), hash: earlier.hash });
    assert.ok(body.block.chain.number >= Number(late.receipt.blockNumber));

    // The same app still reads an older task from the indexer at that block.
    const older = (await (await app.request(`/tasks/${open.id}`)).json()) as any;
    assert.equal(older.indexed.id, open.id);
  });

  it("answers the same at the same chain head, and the task's new state once the chain moves", async () => {
    const task = await postTask(stack, { objective: "A task read, then claimed, then read again." });
    await stack.indexed(task.receipt);
    const first = await read(task.id);
    const again = await read(task.id);
    assert.deepEqual(again.body, first.body);
    assert.equal(first.body.indexed.status, "Posted");
    await stack.indexed(await claimTask(stack, task, "human"));
    const { body } = await read(task.id);
    assert.equal(body.status, "Claimed");
    assert.equal(body.indexed.status, "Claimed");
    assert.equal(body.indexed.executor, addressOf(stack, "human"));
    assert.ok(body.block.indexed.number > first.body.block.indexed.number);
    assert.deepEqual(body.document, task.document);
  });

  it("is 404 for a task id the market never created", async () => {
    const { status, body } = await read(1_000_000n);
    assert.equal(status, 404);
    assert.equal(body.code, "not_found");
    assert.match(body.detail, /1000000/);
  });

  it("is 400 for an id that is not a task id", async () => {
    for (const id of ["abc", "0", "-1", "1.5", "0x01", "01", "18446744073709551616", "1e3"]) {
      const { status, body } = await read(id);
      assert.equal(status, 400, `GET /tasks/${id}`);
      assert.equal(body.code, "invalid_request");
      assert.equal(body.errors[0].path, "param.id");
    }
  });

  it("reads a task's four views in one call, as each view read on its own answers them at the same block", async () => {
    const { chain } = stack.services;
    const market = chain.address("taskMarket");
    for (const task of [open, inMilestones, settled, withoutDocument, expiring, dependency, gated]) {
      const live = await chain.readTask(task.taskId);
      const block = await stack.publicClient.getBlock({ blockNumber: BigInt(live.block.number) });
      assert.deepEqual(live.block, {
        number: Number(block.number),
        hash: block.hash,
        timestamp: Number(block.timestamp),
      });
      const { block: _, taskId, ...views } = live;
      assert.equal(taskId, task.taskId);
      assert.deepEqual(views, await readTaskState(stack.publicClient, market, task.taskId, block.number));
      // At a block the caller names, the same.
      assert.deepEqual(await chain.readTask(task.taskId, live.block), live);
    }
    await assert.rejects(chain.readTask(1_000_000n), { code: "not_found" });
  });

  it("reads a task while the chain moves on: the live state is at least as new as the indexed one", async () => {
    const answers = await Promise.all([read(open.id), read(settled.id), read(inMilestones.id)]);
    for (const { status, body } of answers) {
      assert.equal(status, 200);
      assert.ok(body.block.chain.number >= body.block.indexed.number);
    }
  });
});
