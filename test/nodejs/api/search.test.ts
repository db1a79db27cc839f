// `GET /tasks/search` against a real stack seeded with tasks that differ in every filtered field: the text match and
// its ranking, each filter alone and combined, the sort orders, pagination, the block the answer reflects, the path
// that intersects a document match too large to send to the indexer, and the 400s of bad parameters. Every answer is
// checked against the seeded data: no matching task missing, none extra.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { getAddress, zeroAddress, type Address } from "viem";

import { commitTaskDocument } from "../../../src/documents/index.ts";
import { ExecutorKind } from "../../../src/protocol/terms.ts";
import { startStack, type Stack } from "./helpers/stack.ts";
import {
  DAY,
  addressOf,
  cancelTask,
  claimTask,
  devToken,
  increaseTime,
  latestTimestamp,
  postTask,
  registerExecutor,
  taskDocumentFor,
  type SeededTask,
  type TaskSpec,
} from "./helpers/seed.ts";

type State = "Posted" | "Claimed" | "Cancelled" | "Expired";

/** A seeded task with what the search should know of it. */
interface Seeded {
  name: string;
  task: SeededTask;
  spec: TaskSpec;
  state: State;
}

type Query = Record<string, string | number | (string | number)[]>;

function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

describe("GET /tasks/search", () => {
  let stack: Stack;
  const seeded: Seeded[] = [];
  const byName = new Map<string, Seeded>();
  let lastBlock = 0n;
  let token: Address;

  async function search(query: Query) {
    const response = await stack.request("GET", `/tasks/search${queryString(query)}`);
    return { status: response.status, body: (await response.json()) as any };
  }

  /** The ids of every page of `query`, walked `first` at a time. */
  async function allPages(query: Query, first: number): Promise<string[]> {
    const ids: string[] = [];
    for (let skip = 0; ; skip += first) {
      const { status, body } = await search({ ...query, first, skip });
      assert.equal(status, 200, JSON.stringify(body));
      assert.ok(body.items.length <= first);
      ids.push(...body.items.map((item: any) => item.task.id));
      if (!body.hasMore) break;
      assert.equal(body.items.length, first);
    }
    return ids;
  }

  async function ids(query: Query): Promise<string[]> {
    const { status, body } = await search({ ...query, first: 100 });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.hasMore, false);
    return body.items.map((item: any) => item.task.id);
  }

  const idsOf = (...names: string[]) => names.map((name) => byName.get(name)!.task.id);
  /** The seeded tasks that pass `predicate`, newest first (the default order). */
  const expected = (predicate: (task: Seeded) => boolean) =>
    seeded
      .filter(predicate)
      .sort((a, b) => Number(b.task.taskId - a.task.taskId))
      .map((entry) => entry.task.id);

  async function seed(name: string, spec: TaskSpec, state: State = "Posted") {
    const task = await postTask(stack, spec);
    const entry = { name, task, spec, state };
    seeded.push(entry);
    byName.set(name, entry);
    lastBlock = task.receipt.blockNumber;
    return task;
  }

  before(async () => {
    stack = await startStack();
    token = getAddress(devToken(stack));
    await registerExecutor(stack, "human", { kind: ExecutorKind.Human, capabilities: ["skill:translation/de-en"] });
    await seed("A", {
      objective: "Translate a product safety leaflet from German into English.",
      category: "translation",
      tags: ["de-en", "safety"],
      capabilities: ["skill:translation/de-en"],
      executorKind: ExecutorKind.Human,
      reward: 1_000_000_000_000_000n,
      claimPeriod: 10 * DAY,
    });
    await seed("B", {
      objective: "Extract the line items of supplier invoices into JSON.",
      category: "data/extraction",
      tags: ["invoices", "ocr"],
      capabilities: ["lang:de", "skill:document-extraction"],
      executorKind: ExecutorKind.Agent,
      token,
      reward: 5n * 10n ** 18n,
      claimPeriod: 5 * DAY,
    });
    await seed("C", {
      objective: "Label photos of receipts and invoices by vendor.",
      category: "data/labeling",
      tags: ["images"],
      reward: 3_000_000_000_000_000n,
      claimPeriod: 8 * DAY,
    });
    await seed("D", {
      objective: "A task whose document this API never stored: invoices.",
      category: "translation",
      reward: 2_000_000_000_000_000n,
      claimPeriod: 6 * DAY,
      storeDocument: false,
    });
    const e = await seed(
      "E",
      {
        objective: "Proofread a German translation of a user manual.",
        category: "translation",
        tags: ["de-en"],
        capabilities: ["skill:translation/de-en"],
        executorKind: ExecutorKind.Human,
        reward: 4_000_000_000_000_000n,
        claimPeriod: 9 * DAY,
      },
      "Claimed",
    );
    await claimTask(stack, e, "human");
    await seed("F", { objective: "Summarise a quarterly report.", category: "writing", claimPeriod: 3_600 }, "Expired");
    const g = await seed(
      "G",
      { objective: "Write release notes for version two.", category: "writing", tags: ["docs"], claimPeriod: 4 * DAY },
      "Cancelled",
    );
    await cancelTask(stack, g);
    await seed("H", {
      poster: "other",
      objective: "Review a Solidity contract for reentrancy.",
      category: "software/audit",
      tags: ["security"],
      capabilities: ["lang:solidity"],
      token,
      reward: 2n * 10n ** 18n,
      claimPeriod: 12 * DAY,
    });
    await seed("I", {
      objective: "Reconcile bank statements with the ledger.",
      category: "finance",
      reward: 6_000_000_000_000_000n,
      milestoneSharesBps: [5_000, 5_000],
      claimPeriod: 11 * DAY,
      editDocument: (document) => {
        document.compensation.milestones = [
          { share_bps: 5_000, deliverable: "Matched invoices" },
          { share_bps: 5_000, deliverable: "Final report" },
        ];
      },
    });
    // F's claim deadline passes; every other task stays open as far as time goes.
    lastBlock = await increaseTime(stack, 2 * 3_600);
    await stack.indexed(lastBlock);
  });

  after(async () => {
    await stack?.stop();
  });

  const rewardOf = (entry: Seeded) => entry.task.terms.reward;
  const hasDocument = (entry: Seeded) => entry.spec.storeDocument !== false;
  const kindOf = (entry: Seeded) => entry.spec.executorKind ?? ExecutorKind.Any;
  const inCategory = (entry: Seeded, ...categories: string[]) =>
    hasDocument(entry) &&
    categories.some((category) => entry.spec.category === category || entry.spec.category!.startsWith(`${category}/`));

  it("lists every task newest first without filters, with document summaries and the indexed block", async () => {
    const { status, body } = await search({});
    assert.equal(status, 200);
    assert.deepEqual(
      body.items.map((item: any) => item.task.id),
      expected(() => true),
    );
    assert.equal(body.hasMore, false);
    assert.ok(body.block.indexed.number >= Number(lastBlock));
    assert.match(body.block.indexed.hash, /^0x[0-9a-f]{64}$/);
    const a = body.items.find((item: any) => item.task.id === byName.get("A")!.task.id);
    assert.deepEqual(a.document, {
      documentHash: byName.get("A")!.task.commitment.documentHash,
      documentURI: byName.get("A")!.task.commitment.documentURI,
      objective: "Translate a product safety leaflet from German into English.",
      category: "translation",
      tags: ["de-en", "safety"],
      capabilities: ["skill:translation/de-en"],
      executorKind: "human",
      verificationMethod: "review",
      difficulty: null,
      language: null,
    });
    assert.equal(a.relevance, null);
    assert.equal(a.task.status, "Posted");
    assert.equal(a.task.executorKind, "Human");
    assert.equal(a.task.poster, addressOf(stack, "poster"));
    const d = body.items.find((item: any) => item.task.id === byName.get("D")!.task.id);
    assert.equal(d.document, null);
    assert.equal(d.task.documentURI, byName.get("D")!.task.commitment.documentURI);
    const f = body.items.find((item: any) => item.task.id === byName.get("F")!.task.id);
    assert.equal(f.task.status, "Expired");
    assert.equal(f.task.storedStatus, "Posted");
  });

  it("finds text in the documents and ranks the objective above tags above deliverables", async () => {
    const { status, body } = await search({ q: "invoices" });
    assert.equal(status, 200);
    assert.deepEqual(
      body.items.map((item: any) => item.task.id),
      idsOf("B", "C", "I"),
    );
    const relevance = body.items.map((item: any) => item.relevance);
    assert.ok(relevance.every((value: number) => value > 0));
    assert.ok(relevance[0] > relevance[1] && relevance[1] > relevance[2], JSON.stringify(relevance));
    // D's document says "invoices" too, but this API does not hold it.
    assert.deepEqual(await ids({ q: "INVOICES" }), idsOf("B", "C", "I"));
  });

  it("takes web-search syntax: quoted phrases, alternatives and exclusions", async () => {
    assert.deepEqual(await ids({ q: '"safety leaflet"' }), idsOf("A"));
    assert.deepEqual(await ids({ q: '"leaflet safety"' }), []);
    assert.deepEqual(await ids({ q: "invoices -receipts", sort: "newest" }), idsOf("I", "B"));
    assert.deepEqual(await ids({ q: "reentrancy or haiku", sort: "newest" }), idsOf("H"));
    assert.deepEqual(await ids({ q: "nothing-matches-this" }), []);
    assert.deepEqual(await ids({ q: "!!!" }), []);
  });

  it("filters by state as statusOf says it at the indexed block's time", async () => {
    assert.deepEqual(
      await ids({ state: "Posted" }),
      expected((entry) => entry.state === "Posted"),
    );
    assert.deepEqual(await ids({ state: "claimed" }), idsOf("E"));
    assert.deepEqual(await ids({ state: "Expired" }), idsOf("F"));
    assert.deepEqual(
      await ids({ state: "Cancelled,Claimed" }),
      expected((e) => ["Cancelled", "Claimed"].includes(e.state)),
    );
    assert.deepEqual(await ids({ state: ["Cancelled", "Claimed"] }), idsOf("G", "E"));
    assert.deepEqual(await ids({ state: ["Settled", "Submitted,Verified"] }), []);
  });

  it("filters by required capabilities, all of them", async () => {
    assert.deepEqual(await ids({ capability: "skill:translation/de-en" }), idsOf("E", "A"));
    assert.deepEqual(await ids({ capability: "lang:de,skill:document-extraction" }), idsOf("B"));
    assert.deepEqual(await ids({ capability: ["lang:de", "skill:translation/de-en"] }), []);
    assert.deepEqual(await ids({ capability: "lang:solidity" }), idsOf("H"));
  });

  it("filters by executor kind, token and poster", async () => {
    assert.deepEqual(await ids({ executorKind: "agent" }), idsOf("B"));
    assert.deepEqual(
      await ids({ executorKind: ["human", "Any"] }),
      expected((entry) => entry.spec.executorKind !== ExecutorKind.Agent),
    );
    assert.deepEqual(await ids({ token: token.toLowerCase() }), idsOf("H", "B"));
    assert.deepEqual(
      await ids({ token: "eth" }),
      expected((entry) => entry.task.terms.token === zeroAddress),
    );
    assert.deepEqual(
      await ids({ token: `ETH,${token}` }),
      expected(() => true),
    );
    assert.deepEqual(await ids({ poster: addressOf(stack, "other") }), idsOf("H"));
    assert.deepEqual(await ids({ poster: addressOf(stack, "other").toLowerCase() }), idsOf("H"));
  });

  it("filters by reward range, inclusive", async () => {
    const min = 3_000_000_000_000_000n;
    const max = 6_000_000_000_000_000n;
    assert.deepEqual(
      await ids({ minReward: min.toString(), maxReward: max.toString() }),
      expected((entry) => rewardOf(entry) >= min && rewardOf(entry) <= max),
    );
    assert.deepEqual(await ids({ minReward: (5n * 10n ** 18n).toString() }), idsOf("B"));
    assert.deepEqual(
      await ids({ maxReward: "1000000000000000" }),
      expected((entry) => rewardOf(entry) <= 10n ** 15n),
    );
    assert.deepEqual(await ids({ minReward: "4000000000000000", maxReward: "4000000000000000" }), idsOf("E"));
  });

  it("filters by category with its subcategories, and by tags, all of them", async () => {
    assert.deepEqual(await ids({ category: "data" }), idsOf("C", "B"));
    assert.deepEqual(await ids({ category: "data/extraction" }), idsOf("B"));
    assert.deepEqual(await ids({ category: "dat" }), []);
    assert.deepEqual(await ids({ category: "TRANSLATION" }), idsOf("E", "A"));
    assert.deepEqual(await ids({ category: "writing,finance" }), idsOf("I", "G", "F"));
    assert.deepEqual(await ids({ tag: "invoices,ocr" }), idsOf("B"));
    assert.deepEqual(await ids({ tag: "de-en" }), idsOf("E", "A"));
    assert.deepEqual(await ids({ tag: ["de-en", "ocr"] }), []);
  });

  it("filters by claim deadline, before and after", async () => {
    const now = await latestTimestamp(stack);
    const after = now + 7 * DAY;
    const before = now + 11 * DAY - 60;
    const deadline = (entry: Seeded) => entry.task.terms.claimDeadline;
    assert.deepEqual(
      await ids({ claimDeadlineAfter: after }),
      expected((entry) => deadline(entry) > after),
    );
    assert.deepEqual(
      await ids({ claimDeadlineBefore: before }),
      expected((entry) => deadline(entry) < before),
    );
    assert.deepEqual(
      await ids({
        claimDeadlineAfter: new Date(after * 1000).toISOString(),
        claimDeadlineBefore: new Date(before * 1000).toISOString().replace(/\.\d{3}Z$/, "+00:00"),
      }),
      expected((entry) => deadline(entry) > after && deadline(entry) < before),
    );
  });

  it("combines filters: a task must meet every one", async () => {
    assert.deepEqual(await ids({ q: "invoices", token: "ETH", state: "Posted" }), idsOf("C", "I"));
    assert.deepEqual(await ids({ category: "translation", state: "Posted", executorKind: "human" }), idsOf("A"));
    assert.deepEqual(
      await ids({ q: "invoices", executorKind: "agent", capability: "lang:de", tag: "ocr" }),
      idsOf("B"),
    );
    assert.deepEqual(await ids({ q: "invoices", poster: addressOf(stack, "other") }), []);
    const combos: [Query, (entry: Seeded) => boolean][] = [
      [{ state: "Posted", token: "ETH" }, (e) => e.state === "Posted" && e.task.terms.token === zeroAddress],
      [
        { state: "Posted,Expired", minReward: "2000000000000000" },
        (e) => ["Posted", "Expired"].includes(e.state) && rewardOf(e) >= 2_000_000_000_000_000n,
      ],
      [
        { executorKind: "any", category: "writing,data,finance" },
        (e) => kindOf(e) === ExecutorKind.Any && inCategory(e, "writing", "data", "finance"),
      ],
    ];
    for (const [query, predicate] of combos) {
      assert.deepEqual(await ids(query), expected(predicate), JSON.stringify(query));
    }
  });

  it("sorts by reward, deadline and newest, in either direction", async () => {
    const byReward = await search({ sort: "reward", first: 100 });
    const rewards = byReward.body.items.map((item: any) => BigInt(item.task.reward));
    assert.equal(rewards.length, seeded.length);
    assert.ok(rewards.every((reward: bigint, index: number) => index === 0 || rewards[index - 1] >= reward));
    const ascending = await search({ sort: "reward", order: "asc", first: 100 });
    assert.deepEqual(
      ascending.body.items.map((item: any) => BigInt(item.task.reward)),
      [...rewards].reverse(),
    );

    const byDeadline = await ids({ sort: "deadline" });
    assert.deepEqual(
      byDeadline,
      [...seeded].sort((a, b) => a.task.terms.claimDeadline - b.task.terms.claimDeadline).map((entry) => entry.task.id),
    );
    assert.deepEqual(await ids({ sort: "deadline", order: "desc" }), [...byDeadline].reverse());
    assert.deepEqual(await ids({ sort: "newest", order: "asc" }), expected(() => true).reverse());
    assert.deepEqual(await ids({ q: "invoices", sort: "reward" }), idsOf("B", "I", "C"));
    assert.deepEqual(await ids({ q: "invoices", order: "asc" }), idsOf("I", "C", "B"));
  });

  it("pages with first and skip: pages join up to the whole answer, and hasMore says when to stop", async () => {
    assert.deepEqual(
      await allPages({}, 2),
      expected(() => true),
    );
    assert.deepEqual(await allPages({ sort: "reward" }, 4), await ids({ sort: "reward" }));
    assert.deepEqual(await allPages({ q: "invoices" }, 1), idsOf("B", "C", "I"));
    assert.deepEqual(
      await allPages({ state: "Posted", token: "ETH" }, 3),
      await ids({ state: "Posted", token: "ETH" }),
    );
    const past = await search({ skip: 50 });
    assert.equal(past.status, 200);
    assert.deepEqual(past.body.items, []);
    assert.equal(past.body.hasMore, false);
    const second = await search({ q: "invoices", first: 1, skip: 1 });
    assert.deepEqual(
      second.body.items.map((item: any) => item.task.id),
      idsOf("C"),
    );
    assert.equal(second.body.hasMore, true);
  });

  it("reports the block a state-filtered answer was read at, and derives states at its time", async () => {
    const { body } = await search({ state: "Expired" });
    const block = await stack.publicClient.getBlock({ blockNumber: BigInt(body.block.indexed.number) });
    assert.equal(body.block.indexed.hash, block.hash);
    assert.ok(Number(block.timestamp) > byName.get("F")!.task.terms.claimDeadline);
  });

  it("is 400 for parameters it does not understand, naming the parameter", async () => {
    const bad: [Query, string][] = [
      [{ state: "Bogus" }, "query.state.0"],
      [{ state: "Posted,,Claimed" }, "query.state.1"],
      [{ state: "None" }, "query.state.0"],
      [{ minReward: "5", maxReward: "1" }, "query.minReward"],
      [{ minReward: "abc" }, "query.minReward"],
      [{ maxReward: "-1" }, "query.maxReward"],
      [{ minReward: "1".repeat(80) }, "query.minReward"],
      [{ sort: "relevance" }, "query.sort"],
      [{ sort: "popularity" }, "query.sort"],
      [{ order: "up" }, "query.order"],
      [{ first: 0 }, "query.first"],
      [{ first: 101 }, "query.first"],
      [{ first: "ten" }, "query.first"],
      [{ skip: -1 }, "query.skip"],
      [{ capability: "Solidity" }, "query.capability.0"],
      [{ executorKind: "robot" }, "query.executorKind.0"],
      [{ token: "dollars" }, "query.token.0"],
      [{ poster: "0x1234" }, "query.poster.0"],
      [{ category: "Data Extraction" }, "query.category.0"],
      [{ tag: "two words" }, "query.tag.0"],
      [{ claimDeadlineAfter: "yesterday" }, "query.claimDeadlineAfter"],
      [{ claimDeadlineBefore: "2026-06-30" }, "query.claimDeadlineBefore"],
      [{ claimDeadlineBefore: "2026-02-30T00:00:00Z" }, "query.claimDeadlineBefore"],
      [{ claimDeadlineBefore: "2026-06-30T24:00:00Z" }, "query.claimDeadlineBefore"],
      [{ q: "a\u0000b" }, "query.q"],
      [{ claimDeadlineAfter: 200, claimDeadlineBefore: 100 }, "query.claimDeadlineAfter"],
      [{ q: "" }, "query.q"],
      [{ q: ["one", "two"] }, "query.q"],
      [{ q: "x".repeat(257) }, "query.q"],
      [{ stat: "Posted" }, "query"],
    ];
    for (const [query, path] of bad) {
      const { status, body } = await search(query);
      assert.equal(status, 400, `${JSON.stringify(query)}: ${JSON.stringify(body)}`);
      assert.equal(body.code, "invalid_request");
      assert.ok(
        body.errors.some((error: any) => error.path === path),
        `${JSON.stringify(query)}: expected an error at ${path}, got ${JSON.stringify(body.errors)}`,
      );
    }
  });

  it("reads a state filter at the head after the head moved, though the last answer named an earlier one", async () => {
    const earlier = await search({ state: "Posted" });
    assert.equal(earlier.status, 200);
    const moved = await increaseTime(stack, 1);
    await stack.indexed(moved);
    const later = await search({ state: "Posted" });
    assert.equal(later.status, 200);
    assert.equal(later.body.block.indexed.number, Number(moved));
    assert.equal(later.body.block.indexed.hash, (await stack.publicClient.getBlock({ blockNumber: moved })).hash);
    assert.deepEqual(
      later.body.items.map((item: any) => item.task.id),
      earlier.body.items.map((item: any) => item.task.id),
    );
  });

  it("finds a document stored after a search that did not find it", async () => {
    assert.deepEqual(await ids({ q: "lighthouse" }), []);
    assert.deepEqual(await ids({ q: "lighthouse", category: "photography" }), []);
    await seed("J", { objective: "Photograph the lighthouse at dawn.", category: "photography", claimPeriod: 7 * DAY });
    await stack.indexed(lastBlock);
    assert.deepEqual(await ids({ q: "lighthouse" }), idsOf("J"));
    assert.deepEqual(await ids({ q: "lighthouse", category: "photography" }), idsOf("J"));
  });

  describe("with more matching documents than a query to the indexer carries", () => {
    const bulk: SeededTask[] = [];

    before(async () => {
      // Documents without tasks (as `POST /tasks` leaves them until the poster sends the transaction).
      const claimDeadline = (await latestTimestamp(stack)) + 30 * DAY;
      for (let index = 0; index < 1_050; index++) {
        const document = taskDocumentFor({
          objective: `Bulk document number ${index} about lighthouses.`,
          category: "bulk/archive",
          reward: BigInt(index + 1),
          claimBond: 0n,
          executionWindow: DAY,
          claimDeadline,
        });
        await stack.services.documents.put(document, await commitTaskDocument(document));
      }
      for (const reward of [7n, 9n, 8n]) {
        bulk.push(
          await postTask(stack, {
            objective: "A bulk task about lighthouses with a task on-chain.",
            category: "bulk",
            reward,
            claimBond: 0n,
          }),
        );
      }
      await stack.indexed(bulk.at(-1)!.receipt);
    });

    it("intersects the document match with the indexer's tasks and still filters, sorts and pages", async () => {
      const newest = bulk.map((task) => task.id).reverse();
      assert.deepEqual(await ids({ category: "bulk" }), newest);
      assert.deepEqual(await ids({ q: "lighthouses", sort: "newest" }), newest);
      assert.deepEqual(await ids({ category: "bulk", sort: "reward" }), [bulk[1]!.id, bulk[2]!.id, bulk[0]!.id]);
      assert.deepEqual(await ids({ category: "bulk", maxReward: "8" }), [bulk[2]!.id, bulk[0]!.id]);
      assert.deepEqual(await allPages({ category: "bulk", sort: "reward", order: "asc" }, 2), [
        bulk[0]!.id,
        bulk[2]!.id,
        bulk[1]!.id,
      ]);
      assert.deepEqual(await ids({ q: "lighthouses", state: "Posted", token: "ETH" }).then((found) => found.length), 3);
    });

    it("ranks by relevance across more documents than one read of the indexer names, and pages the ranking", async () => {
      const { status, body } = await search({ q: "lighthouses", first: 100 });
      assert.equal(status, 200);
      const found = body.items.map((item: any) => item.task.id);
      assert.deepEqual(new Set(found), new Set(bulk.map((task) => task.id)));
      const relevance = body.items.map((item: any) => item.relevance);
      assert.ok(relevance.every((value: number, index: number) => index === 0 || relevance[index - 1] >= value));
      assert.deepEqual(await allPages({ q: "lighthouses" }, 1), found);
      assert.deepEqual(await ids({ q: "lighthouses", order: "asc" }), [...found].reverse());
      assert.deepEqual(
        await ids({ q: "lighthouses", maxReward: "8" }),
        found.filter((id: string) => id !== bulk[1]!.id),
      );
    });
  });
});
