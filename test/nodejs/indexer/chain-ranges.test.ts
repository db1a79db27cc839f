// The pieces of the chain source that need no chain: reading providers' eth_getLogs refusals, the adaptive block
// range, and the header linkage check the indexer uses to notice reorgs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ChainDiscontinuity, assertLinks, firstBreak, linksTo } from "../../../indexer/node/chain/linkage.ts";
import {
  AdaptiveRange,
  TARGET_BLOCKS_PER_REQUEST,
  TARGET_LOGS_PER_REQUEST,
  rangeRefusal,
} from "../../../indexer/node/chain/ranges.ts";
import { isTransientResponse } from "../../../indexer/node/chain/rpc.ts";
import type { BlockHeader } from "../../../indexer/node/store/types.ts";

describe("rangeRefusal", () => {
  it("takes the range a provider suggests", () => {
    assert.deepEqual(
      rangeRefusal(-32005, "query returned more than 10000 results. Try with this block range [0x10, 0x1f]."),
      { suggestedSpan: 16, spanLimit: false },
    );
    assert.deepEqual(
      rangeRefusal(
        -32602,
        "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size, or you can request any block range with a cap of 10K logs in the response. Based on your parameters and the response size limit, this block range should work: [0xc5dc00, 0xc614a7]",
      ),
      { suggestedSpan: 0xc614a7 - 0xc5dc00 + 1, spanLimit: false },
    );
    assert.deepEqual(rangeRefusal(-32602, "query exceeds max results 20000, retry with the range 24383075-24383096"), {
      suggestedSpan: 22,
      spanLimit: false,
    });
  });

  it("reads a provider's span limit from its message", () => {
    const cases: [string, number][] = [
      ["eth_getLogs is limited to a 10,000 range", 10_000],
      ["eth_getLogs and eth_newFilter are limited to 1,000 block range", 1_000],
      ["requested too many blocks from 0 to 16000, maximum is set to 2048", 2_048],
      ["Max range: 3500", 3_500],
      ["exceed maximum block range: 5000", 5_000],
      ["block range is too wide (maximum 1024)", 1_024],
      ["please limit the query to at most 1000 blocks", 1_000],
      ["eth_getLogs range is too large, max is 10k blocks", 10_000],
      ["Maximum allowed number of requested blocks is 1000", 1_000],
    ];
    for (const [message, span] of cases) {
      assert.deepEqual(rangeRefusal(-32000, message), { suggestedSpan: span, spanLimit: true }, message);
    }
  });

  it("halves on refusals that name no number", () => {
    assert.deepEqual(rangeRefusal(-32600, "block range is too wide"), { spanLimit: true });
    assert.deepEqual(rangeRefusal(-32000, "Block range limit exceeded."), { spanLimit: true });
    assert.deepEqual(rangeRefusal(-32000, "block range too large"), { spanLimit: true });
    assert.deepEqual(rangeRefusal(-32005, "limit exceeded"), { spanLimit: false });
    assert.deepEqual(rangeRefusal(-32000, "backend response too large"), { spanLimit: false });
    assert.deepEqual(rangeRefusal(-32000, "logs matched by query exceeds limit of 10000"), { spanLimit: false });
    assert.deepEqual(rangeRefusal(-32000, "query timeout exceeded"), { spanLimit: false });
    assert.deepEqual(rangeRefusal(-32005, "something the provider does not explain"), { spanLimit: false });
  });

  it("leaves rate limits and other errors alone", () => {
    assert.equal(rangeRefusal(-32005, "daily request count exceeded, request rate limited"), undefined);
    assert.equal(rangeRefusal(429, "Too many requests, please slow down"), undefined);
    assert.equal(rangeRefusal(-32602, "invalid argument 0: hex string without 0x prefix"), undefined);
    assert.equal(rangeRefusal(-32601, "the method eth_getLogs does not exist/is not available"), undefined);
    // Rate limits are retried with a pause instead.
    assert.ok(isTransientResponse(-32005, "daily request count exceeded, request rate limited"));
    assert.ok(isTransientResponse(-32000, "rate limit exceeded"));
    assert.ok(!isTransientResponse(-32602, "invalid argument 0: hex string without 0x prefix"));
  });
});

describe("AdaptiveRange", () => {
  it("grows on quick small answers up to the maximum, and only on full-size requests", () => {
    const range = new AdaptiveRange(100, 500);
    range.answered(100, 10, 10, 5);
    assert.equal(range.current, 200);
    range.answered(50, 10, 10, 5); // the short end of a range says nothing
    assert.equal(range.current, 200);
    range.answered(200, 10, 10, 5);
    range.answered(400, 10, 10, 5);
    assert.equal(range.current, 500);
    range.answered(500, TARGET_LOGS_PER_REQUEST / 2 + 1, 1, 5); // neither small nor too large: stays
    assert.equal(range.current, 500);
  });

  it("shrinks on answers with too many logs and on slow answers", () => {
    const range = new AdaptiveRange(1_000, 10_000);
    range.answered(1_000, TARGET_LOGS_PER_REQUEST + 1, 1, 5);
    assert.equal(range.current, 500);
    range.answered(500, 10, 10, 20_000);
    assert.equal(range.current, 250);
    // Many blocks with one log each: every one of them is fetched whole.
    range.answered(250, TARGET_BLOCKS_PER_REQUEST + 1, TARGET_BLOCKS_PER_REQUEST + 1, 5);
    assert.equal(range.current, 125);
    range.answered(125, TARGET_BLOCKS_PER_REQUEST / 2 + 1, TARGET_BLOCKS_PER_REQUEST / 2 + 1, 5);
    assert.equal(range.current, 125, "no growth toward the block target");
  });

  it("halves on a refusal, takes a suggestion, and never grows past a stated span limit", () => {
    const range = new AdaptiveRange(1_000, 100_000);
    assert.equal(range.refused(1_000, { spanLimit: false }), 500);
    assert.equal(range.refused(500, { suggestedSpan: 37, spanLimit: false }), 37);
    // A suggestion no smaller than the refused span is no help: halve instead.
    assert.equal(range.refused(37, { suggestedSpan: 37, spanLimit: false }), 18);
    for (let index = 0; index < 20; index++) range.answered(range.current, 0, 0, 1);
    assert.equal(range.current, 100_000, "result refusals leave no lasting limit");

    assert.equal(range.refused(100_000, { suggestedSpan: 2_000, spanLimit: true }), 2_000);
    for (let index = 0; index < 20; index++) range.answered(range.current, 0, 0, 1);
    assert.equal(range.current, 2_000);
    assert.equal(range.limit, 2_000);

    const unexplained = new AdaptiveRange(800, 100_000);
    assert.equal(unexplained.refused(800, { spanLimit: true }), 400);
    for (let index = 0; index < 20; index++) unexplained.answered(unexplained.current, 0, 0, 1);
    assert.equal(unexplained.current, 799, "a refused span is never asked for again");
  });

  it("stays below a span that timed out for a while, then grows again", () => {
    const range = new AdaptiveRange(1_000, 100_000);
    assert.equal(range.timedOut(1_000), 500);
    for (let index = 0; index < 10; index++) range.answered(range.current, 0, 0, 1);
    assert.equal(range.current, 999);
    for (let index = 0; index < 60; index++) range.answered(range.current, 0, 0, 1);
    assert.equal(range.current, 100_000);
  });

  it("rejects nonsensical settings", () => {
    assert.throws(() => new AdaptiveRange(0, 10), /initial block range/);
    assert.throws(() => new AdaptiveRange(1.5, 10), /initial block range/);
    assert.throws(() => new AdaptiveRange(100, 10), /maximum block range/);
  });
});

describe("header linkage", () => {
  const hash = (digit: string): `0x${string}` => `0x${digit.repeat(64)}`;
  const header = (number: number, own: string, parent: string): BlockHeader => ({
    number,
    hash: hash(own),
    parentHash: hash(parent),
    timestamp: 1_700_000_000 + number,
  });

  it("links a header to the block before it by parent hash, in any letter case", () => {
    const parent = { number: 9, hash: hash("a") };
    assert.ok(linksTo(header(10, "b", "a"), parent));
    assert.ok(linksTo(header(10, "b", "A"), parent));
    assert.ok(!linksTo(header(10, "b", "c"), parent));
    assert.ok(!linksTo(header(11, "b", "a"), parent), "not the next block");
  });

  it("throws a ChainDiscontinuity naming both hashes when the parent hash differs", () => {
    assert.doesNotThrow(() => assertLinks(header(10, "b", "a"), { number: 9, hash: hash("a") }));
    assert.throws(
      () => assertLinks(header(10, "b", "c"), { number: 9, hash: hash("a") }),
      (error: unknown) =>
        error instanceof ChainDiscontinuity &&
        error.block === 10 &&
        error.expectedParentHash === hash("a") &&
        error.actualParentHash === hash("c"),
    );
    assert.throws(() => assertLinks(header(12, "b", "a"), { number: 9, hash: hash("a") }), /not neighbours/);
  });

  it("finds the first header of a run that does not link", () => {
    const run = [header(10, "b", "a"), header(11, "c", "b"), header(12, "d", "c")];
    assert.equal(firstBreak(run), -1);
    assert.equal(firstBreak(run, { number: 9, hash: hash("a") }), -1);
    assert.equal(firstBreak(run, { number: 9, hash: hash("f") }), 0);
    assert.equal(firstBreak([run[0], run[1], header(12, "d", "e")]), 2);
    assert.equal(firstBreak([]), -1);
    assert.throws(() => firstBreak([run[0], run[2]]), /not consecutive/);
  });
});
