// The SDK's pure parts, without a chain: terms derived from a document, the hashing conventions (the ones the
// verification service checks results with), and the API client's requests and error handling over a stub `fetch`.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  bytesToHex,
  concat,
  getAddress,
  keccak256,
  stringToBytes,
  stringToHex,
  zeroAddress,
  zeroHash,
  type Hex,
} from "viem";

import {
  DEFAULT_CLAIM_PERIOD_SECONDS,
  DEFAULT_REVIEW_WINDOW_SECONDS,
  ExecutorKind,
  InvalidOutputError,
  NO_MILESTONES,
  TASK_DOCUMENT_VERSION,
  TaskMarketApi,
  TaskMarketApiError,
  TaskTermsError,
  capabilitiesHash,
  capabilityId,
  capabilityIds,
  contentHash,
  deriveTaskTerms,
  outputHash,
  packMilestoneShares,
  submittedOutput,
  verifierConfigHash,
  type TaskDocument,
  type TaskTermsChoices,
} from "../../../sdk/src/index.ts";

const POSTER = getAddress("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc");
const TOKEN = getAddress("0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48");
const MODULES = {
  review: getAddress("0x1000000000000000000000000000000000000001"),
  attestation: getAddress("0x1000000000000000000000000000000000000002"),
  optimistic: getAddress("0x1000000000000000000000000000000000000003"),
  proof: getAddress("0x1000000000000000000000000000000000000004"),
  hashCommitmentVerifier: getAddress("0x1000000000000000000000000000000000000005"),
};
const NOW = 1_900_000_000;
const DOCUMENT_HASH: Hex = `0x${"11".repeat(32)}`;

function documentWith(changes: (document: TaskDocument) => void = () => undefined): TaskDocument {
  const document: TaskDocument = {
    version: TASK_DOCUMENT_VERSION,
    objective: "Label each image as cat or dog.",
    input_constraints: { schema: { type: "object" } },
    execution_requirements: {
      executor_kind: "human",
      max_duration_seconds: 3600,
      required_capabilities: ["skill:labeling", "lang:en"].sort(),
    },
    verification_criteria: { method: "review" },
    compensation: { token: TOKEN, reward: "5000000", claim_bond: "100", verifier_fee: "0" },
    dependencies: [],
    metadata: { category: "data/labeling" },
  };
  changes(document);
  return document;
}

function derive(document: TaskDocument, choices: TaskTermsChoices = {}) {
  return deriveTaskTerms(
    document,
    choices,
    { poster: POSTER, feeBps: 100, now: NOW, documentHash: DOCUMENT_HASH, addresses: MODULES },
    verifierConfigHash,
  );
}

describe("SDK: terms derived from a document", () => {
  it("takes every term the document states, and the defaults for the rest", () => {
    const { terms, capabilities, verification } = derive(documentWith());
    assert.deepEqual(terms, {
      poster: POSTER,
      token: TOKEN,
      reward: 5_000_000n,
      claimBond: 100n,
      claimDeadline: NOW + DEFAULT_CLAIM_PERIOD_SECONDS,
      executionWindow: 3600,
      reviewWindow: DEFAULT_REVIEW_WINDOW_SECONDS,
      feeBps: 100,
      executorKind: ExecutorKind.Human,
      verifier: zeroAddress,
      verifierFee: 0n,
      verifierConfigHash: zeroHash,
      capabilitiesHash: keccak256(concat(capabilities)),
      documentHash: DOCUMENT_HASH,
      milestoneShares: NO_MILESTONES,
    });
    assert.equal(verification, undefined);
    // Ascending as unsigned integers, as the market compares bytes32 values.
    assert.deepEqual(
      capabilities,
      [capabilityId("lang:en"), capabilityId("skill:labeling")].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)),
    );
  });

  it("takes the claim deadline and milestones from the document, and refuses a deadline that contradicts it", () => {
    const document = documentWith((d) => {
      d.execution_requirements.claim_deadline = "2030-06-30T17:00:00Z";
      d.compensation.milestones = [
        { share_bps: 2_500, deliverable: "The first half of the images." },
        { share_bps: 7_500, deliverable: "The rest." },
      ];
    });
    const deadline = Date.UTC(2030, 5, 30, 17) / 1000;
    const { terms } = derive(document, { claimDeadline: new Date(deadline * 1000), reviewWindow: 60 });
    assert.equal(terms.claimDeadline, deadline);
    assert.equal(terms.reviewWindow, 60);
    assert.equal(terms.milestoneShares, packMilestoneShares([2_500, 7_500]));
    assert.throws(() => derive(document, { claimDeadline: deadline + 1 }), TaskTermsError);
    assert.throws(() => derive(documentWith(), { claimDeadline: NOW }), /must be a Unix time in the future/);
    assert.throws(() => derive(documentWith(), { reviewWindow: 0 }), TaskTermsError);
  });

  it("names the verifier the document's method calls for, and hashes a module's configuration", () => {
    const reviewer = getAddress("0x2000000000000000000000000000000000000002");
    assert.equal(derive(documentWith(), { verification: { method: "reviewer", reviewer } }).terms.verifier, reviewer);
    const config = { reviewer, arbitrator: zeroAddress, contestWindow: 0 };
    const reviewed = derive(documentWith(), { verification: { method: "review", config } });
    assert.equal(reviewed.terms.verifier, MODULES.review);
    assert.equal(reviewed.terms.verifierConfigHash, verifierConfigHash({ method: "review", config }));
    assert.deepEqual(reviewed.verification, { method: "review", config });

    // A verifier fee needs someone to pay; the poster's own review earns none.
    assert.throws(
      () => derive(documentWith((d) => (d.compensation.verifier_fee = "10"))),
      (error: unknown) => error instanceof TaskTermsError && error.path === "/compensation/verifier_fee",
    );
    assert.throws(
      () =>
        derive(documentWith(), {
          verification: { method: "optimistic", config: { arbitrator: reviewer, challengeBond: 1n } },
        }),
      /verification method is "review", not "optimistic"/,
    );

    const commitment = keccak256(stringToHex("preimage"));
    const proofDocument = documentWith((d) => {
      d.verification_criteria = { method: "proof", proof: { scheme: "hash-commitment", commitment } };
    });
    const proven = derive(proofDocument, { verification: { method: "proof" } });
    assert.deepEqual(proven.verification, {
      method: "proof",
      config: { proofVerifier: MODULES.hashCommitmentVerifier, commitment },
    });
    assert.throws(
      () => derive(proofDocument, { verification: { method: "proof", config: { commitment: zeroHash } } }),
      /the document commits to/,
    );
  });
});

describe("SDK: hashes", () => {
  it("hashes capabilities as the market does: keccak256 of the packed ascending ids", () => {
    assert.equal(capabilitiesHash([]), keccak256("0x"));
    const ids = capabilityIds(["skill:b", "skill:a", "skill:b"]);
    assert.equal(ids.length, 2);
    assert.equal(capabilitiesHash(ids), keccak256(concat(ids)));
    // Ids pass through unchanged (lower-cased), so lists of names and of ids can be mixed.
    assert.deepEqual(capabilityIds([capabilityId("skill:a").toUpperCase().replace("0X", "0x"), "skill:b"]), ids);
  });

  it("hashes a result exactly as the verification service checks it", () => {
    const output = { b: [1, 2.5, "ü"], a: { z: null, y: true } };
    assert.equal(contentHash(output), keccak256(stringToHex('{"a":{"y":true,"z":null},"b":[1,2.5,"ü"]}')));
    assert.equal(contentHash(output), outputHash({ encoding: "json", value: output }));
    assert.equal(contentHash({ a: { y: true, z: null }, b: [1, 2.5, "ü"] }), contentHash(output));
    assert.equal(contentHash("text"), keccak256(stringToHex('"text"')));
    assert.equal(outputHash({ encoding: "text", value: "text" }), keccak256(stringToHex("text")));
    const bytes = stringToBytes("raw bytes");
    assert.equal(contentHash(bytes), outputHash({ encoding: "hex", value: bytesToHex(bytes) }));
    assert.equal(contentHash(bytes), outputHash({ encoding: "base64", value: Buffer.from(bytes).toString("base64") }));
    assert.equal(contentHash(bytes), outputHash(submittedOutput(bytes)));
    assert.equal(contentHash(output), outputHash(submittedOutput(output)));
  });

  it("refuses an output that has no bytes under its encoding", () => {
    assert.throws(() => outputHash({ encoding: "hex", value: "0xabc" }), InvalidOutputError);
    assert.throws(() => outputHash({ encoding: "base64", value: "cmF3=" }), InvalidOutputError);
    assert.throws(() => outputHash({ encoding: "text", value: "\uD800" }), /lone surrogate/);
    assert.throws(() => outputHash({ encoding: "json", value: Number.NaN }), /no canonical JSON form/);
  });
});

describe("SDK: TaskMarketApi requests", () => {
  function stubbed(respond: (request: Request) => Response) {
    const requests: Request[] = [];
    const fetch = (async (input: URL | string | Request, init?: RequestInit) => {
      const request = new Request(input, init);
      requests.push(request.clone());
      return respond(request);
    }) as typeof globalThis.fetch;
    return { requests, api: new TaskMarketApi({ baseUrl: "http://api.test/v1/", apiKey: "tm_key", fetch }) };
  }

  it("sends query lists as repeated parameters, bigints as decimals, and the API key", async () => {
    const { requests, api } = stubbed(() => Response.json({ items: [], hasMore: false, block: { indexed: null } }));
    await api.searchTasks({ q: "label", state: ["Posted", "Claimed"], minReward: 10n ** 30n, first: 5 });
    const url = new URL(requests[0]!.url);
    assert.equal(url.pathname, "/v1/tasks/search");
    assert.deepEqual(url.searchParams.getAll("state"), ["Posted", "Claimed"]);
    assert.equal(url.searchParams.get("minReward"), (10n ** 30n).toString());
    assert.equal(requests[0]!.headers.get("x-api-key"), "tm_key");

    await api.claimTask(POSTER, { taskId: 7n }).catch(() => undefined);
    assert.equal(requests[1]!.method, "POST");
    assert.equal(new URL(requests[1]!.url).pathname, `/v1/agents/${POSTER}/claim`);
    assert.deepEqual(await requests[1]!.json(), { taskId: "7" });
  });

  it("throws the problem document of a failed answer, or describes an answer that is not one", async () => {
    const problem = {
      type: "urn:taskmarket:problem:invalid_transition",
      title: "The task cannot make this transition in its current state",
      status: 409,
      code: "invalid_transition",
      detail: "Task 7 is Claimed.",
      instance: "/tasks/7/state",
      currentState: "Claimed",
      allowed: ["start", "submit"],
    };
    const { api } = stubbed(() => Response.json(problem, { status: 409 }));
    await assert.rejects(api.updateTaskState(7n, { transition: "claim", from: POSTER }), (error: unknown) => {
      assert.ok(error instanceof TaskMarketApiError);
      assert.equal(error.status, 409);
      assert.equal(error.code, "invalid_transition");
      assert.deepEqual(error.extensions, { currentState: "Claimed", allowed: ["start", "submit"] });
      assert.equal(error.path, "/v1/tasks/7/state");
      return true;
    });

    const proxy = stubbed(() => new Response("<html>Bad gateway</html>", { status: 502, statusText: "Bad Gateway" }));
    await assert.rejects(proxy.api.getTask(1n), (error: unknown) => {
      assert.ok(error instanceof TaskMarketApiError);
      assert.equal(error.status, 502);
      assert.equal(error.code, "http_502");
      return true;
    });
  });
});
