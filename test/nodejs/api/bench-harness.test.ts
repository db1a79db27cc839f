// The API benchmark's pure helpers (bench/api/): the seeded task documents it posts through POST /tasks must all be
// valid and varied, its search queries must only use the route's parameters, and both must come out the same from one
// run to the next. No timing is asserted here: the benchmark writes its figures to bench/results/api.json.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { getAddress, type Address } from "viem";

import {
  ALL_CAPABILITIES,
  benchmarkDocument,
  benchmarkSearchPath,
  seededRandom,
} from "../../../bench/api/documents.ts";
import { cpuSeconds } from "../../../bench/api/processes.ts";
import { validateTaskDocument } from "../../../src/documents/index.ts";

const DEV_TOKEN: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const NOW = 1_800_000_000;
const SEARCH_PARAMETERS = new Set([
  "q",
  "state",
  "capability",
  "executorKind",
  "token",
  "minReward",
  "maxReward",
  "category",
  "tag",
  "claimDeadlineAfter",
  "claimDeadlineBefore",
  "poster",
  "sort",
  "order",
  "first",
  "skip",
]);

describe("benchmark task documents", () => {
  const documents = Array.from({ length: 300 }, (_, index) =>
    benchmarkDocument(1, index, { devToken: DEV_TOKEN, now: NOW }),
  );

  it("are all valid task documents", () => {
    for (const [index, document] of documents.entries()) {
      const validation = validateTaskDocument(document);
      assert.ok(validation.ok, `document ${index}: ${JSON.stringify(!validation.ok && validation.errors)}`);
    }
  });

  it("are the same for the same seed and index, and differ between seeds", () => {
    assert.deepEqual(benchmarkDocument(1, 7, { devToken: DEV_TOKEN, now: NOW }), documents[7]);
    assert.notDeepEqual(benchmarkDocument(2, 7, { devToken: DEV_TOKEN, now: NOW }), documents[7]);
  });

  it("vary in category, executor kind, token, bond and milestones", () => {
    const categories = new Set(documents.map((document) => document.metadata.category));
    const kinds = new Set(documents.map((document) => document.execution_requirements.executor_kind));
    const tokens = new Set(documents.map((document) => document.compensation.token));
    assert.ok(categories.size >= 8, `${categories.size} categories`);
    assert.deepEqual([...kinds].sort(), ["agent", "any", "human"]);
    assert.deepEqual([...tokens].sort(), [getAddress(DEV_TOKEN), "ETH"].sort());
    assert.ok(documents.some((document) => document.compensation.claim_bond !== undefined));
    assert.ok(documents.some((document) => document.compensation.milestones !== undefined));
    assert.ok(documents.some((document) => document.compensation.milestones === undefined));
  });

  it("claim deadlines lie ahead of the time given, and capabilities are all ones the executors register", () => {
    for (const document of documents) {
      const deadline = Date.parse(document.execution_requirements.claim_deadline!) / 1000;
      assert.ok(deadline > NOW + 13 * 24 * 3600);
      for (const capability of document.execution_requirements.required_capabilities ?? []) {
        assert.ok(ALL_CAPABILITIES.includes(capability), capability);
      }
    }
    assert.ok(ALL_CAPABILITIES.length <= 32, "the executor registry takes at most 32 capabilities");
  });
});

describe("benchmark search queries", () => {
  const paths = Array.from({ length: 400 }, (_, index) =>
    benchmarkSearchPath(1, index, { devToken: DEV_TOKEN, now: NOW }),
  );

  it("use only the parameters of GET /tasks/search", () => {
    for (const path of paths) {
      const url = new URL(path, "http://127.0.0.1");
      assert.equal(url.pathname, "/tasks/search");
      for (const key of url.searchParams.keys()) assert.ok(SEARCH_PARAMETERS.has(key), `${key} in ${path}`);
      assert.ok(url.searchParams.has("first"));
      if (url.searchParams.get("sort") === "relevance") assert.ok(url.searchParams.has("q"));
    }
  });

  it("are reproducible and varied: text, each filter and each sort appear", () => {
    assert.equal(benchmarkSearchPath(1, 42, { devToken: DEV_TOKEN, now: NOW }), paths[42]);
    assert.ok(new Set(paths).size > 300, `${new Set(paths).size} distinct queries`);
    const keys = new Set(paths.flatMap((path) => [...new URL(path, "http://127.0.0.1").searchParams.keys()]));
    for (const key of ["q", "state", "capability", "executorKind", "token", "minReward", "category", "tag", "sort"]) {
      assert.ok(keys.has(key), key);
    }
  });
});

describe("benchmark helpers", () => {
  it("seededRandom repeats its sequence and stays in [0, 1)", () => {
    const first = seededRandom(9);
    const second = seededRandom(9);
    for (let index = 0; index < 1000; index++) {
      const value = first();
      assert.equal(value, second());
      assert.ok(value >= 0 && value < 1);
    }
  });

  it("cpuSeconds reads this process's CPU time where /proc exists", () => {
    const seconds = cpuSeconds(process.pid);
    if (process.platform === "linux") assert.ok(seconds !== undefined && seconds >= 0);
    assert.equal(cpuSeconds(2 ** 22 + 12_345), undefined);
  });
});
