/**
 * The benchmark's task documents and search queries, from a seeded generator so that every run posts the same market:
 * tasks in a dozen categories (translation, code review, smart-contract audits, data labeling, extraction, research,
 * design, writing), each with an objective written from its category's templates, tags and capabilities from its
 * category's pools, an executor kind, a reward in ETH or in the dev token (some with a claim bond, some in
 * milestones) and a claim deadline weeks ahead. The search queries combine words those objectives contain with the
 * filters of `GET /tasks/search`, so that most of them find tasks and each exercises a different path of the route.
 */
import { getAddress, parseEther, type Address } from "viem";

import {
  TASK_DOCUMENT_VERSION,
  type ExecutorKindName,
  type Milestone,
  type TaskDocument,
} from "../../src/documents/index.ts";

/** Mulberry32: small, fast and good enough to vary documents reproducibly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const between = (random: Random, low: number, high: number): number => low + Math.floor(random() * (high - low + 1));

function sample<T>(random: Random, items: readonly T[], count: number): T[] {
  const pool = [...items];
  const chosen: T[] = [];
  while (chosen.length < count && pool.length > 0) chosen.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
  return chosen;
}

const LANGUAGES = [
  ["German", "de"],
  ["French", "fr"],
  ["Spanish", "es"],
  ["Japanese", "ja"],
  ["Portuguese", "pt"],
  ["Italian", "it"],
  ["Dutch", "nl"],
  ["Polish", "pl"],
] as const;

const PROJECTS = ["vault", "lending pool", "staking", "bridge", "auction house", "payroll", "escrow", "governance"];
const DOCUMENTS = [
  "product safety leaflet",
  "employment contract",
  "user manual",
  "press release",
  "privacy policy",
  "museum audio guide",
  "clinical trial consent form",
  "board meeting minutes",
];
const DATASETS = ["street scenes", "x-ray images", "bird songs", "support tickets", "receipts", "satellite tiles"];
const TOPICS = ["rollups", "zero-knowledge proofs", "carbon markets", "battery chemistry", "protein folding"];

interface Category {
  name: string;
  kinds: readonly ExecutorKindName[];
  capabilities: readonly string[];
  tags: readonly string[];
  objective: (random: Random) => string;
  deliverables: readonly string[];
}

const CATEGORIES: readonly Category[] = [
  {
    name: "translation",
    kinds: ["human", "any"],
    capabilities: ["lang:de", "lang:en", "lang:fr", "lang:es", "skill:translation"],
    tags: ["legal", "marketing", "medical", "technical", "urgent"],
    objective: (random) => {
      const [from] = pick(random, LANGUAGES);
      return (
        `Translate the attached ${pick(random, DOCUMENTS)} (about ${between(random, 5, 40) * 100} words) from ` +
        `${from} into British English, keeping the layout and the wording of every warning.`
      );
    },
    deliverables: ["The first half of the translation", "The complete, proofread translation"],
  },
  {
    name: "code/review",
    kinds: ["any", "agent", "human"],
    capabilities: ["lang:typescript", "lang:rust", "lang:python", "skill:code-review"],
    tags: ["backend", "performance", "refactoring", "typescript", "rust"],
    objective: (random) =>
      `Review the pull request that rewrites the ${pick(random, PROJECTS)} service's caching layer: look for race ` +
      `conditions, missing error handling and needless allocations, and write each finding with a suggested patch.`,
    deliverables: ["A first pass over the diff", "The full review with patches"],
  },
  {
    name: "code/testing",
    kinds: ["agent", "any"],
    capabilities: ["lang:typescript", "lang:python", "skill:testing"],
    tags: ["coverage", "fuzzing", "unit-tests", "typescript"],
    objective: (random) =>
      `Write unit tests for the ${pick(random, PROJECTS)} TypeScript library until branch coverage reaches ` +
      `${between(random, 80, 98)} percent, with property-based tests for the parsing functions.`,
    deliverables: ["Tests for the parsers", "Tests for the rest of the library"],
  },
  {
    name: "security/audit",
    kinds: ["human", "any", "agent"],
    capabilities: ["lang:solidity", "skill:security-audit", "skill:code-review"],
    tags: ["defi", "erc20", "reentrancy", "solidity", "upgradeable"],
    objective: (random) =>
      `Audit the Solidity smart contracts of the ${pick(random, PROJECTS)} protocol (about ` +
      `${between(random, 4, 30) * 100} lines): reentrancy, access control, rounding and oracle manipulation, with a ` +
      `proof of concept for every high-severity finding.`,
    deliverables: ["The preliminary report", "The final report after fixes"],
  },
  {
    name: "data/labeling",
    kinds: ["human", "agent", "any"],
    capabilities: ["skill:data-labeling", "skill:vision"],
    tags: ["audio", "bounding-boxes", "images", "quality-control"],
    objective: (random) =>
      `Label ${between(random, 5, 50) * 100} ${pick(random, DATASETS)} with bounding boxes and one of twelve ` +
      `classes, flagging anything ambiguous for a second look.`,
    deliverables: ["The first half of the labels", "The remaining labels"],
  },
  {
    name: "data/extraction",
    kinds: ["agent", "any"],
    capabilities: ["lang:de", "skill:document-extraction", "skill:ocr"],
    tags: ["accounting", "invoices", "ocr", "pdf"],
    objective: (random) =>
      `Extract every line item from ${between(random, 2, 40) * 10} scanned supplier invoices into structured JSON: ` +
      `description, quantity, unit price and currency. Skip subtotal and tax lines.`,
    deliverables: ["The first batch of invoices", "The remaining invoices"],
  },
  {
    name: "research/summary",
    kinds: ["agent", "human", "any"],
    capabilities: ["lang:en", "skill:research", "skill:writing"],
    tags: ["literature", "papers", "summary"],
    objective: (random) =>
      `Summarise the ${between(random, 5, 30)} most cited research papers of the last two years on ` +
      `${pick(random, TOPICS)}, one page each, with the open questions they leave.`,
    deliverables: ["The summaries", "The synthesis of open questions"],
  },
  {
    name: "design/illustration",
    kinds: ["human"],
    capabilities: ["skill:design", "skill:illustration"],
    tags: ["branding", "icons", "illustration", "ux"],
    objective: (random) =>
      `Design a set of ${between(random, 8, 40)} line icons for the ${pick(random, PROJECTS)} dashboard in two ` +
      `weights, delivered as SVG with a usage sheet.`,
    deliverables: ["Sketches of every icon", "The final SVG set"],
  },
  {
    name: "writing/documentation",
    kinds: ["any", "agent", "human"],
    capabilities: ["lang:en", "skill:writing", "skill:technical-writing"],
    tags: ["api", "docs", "tutorial"],
    objective: (random) =>
      `Write the developer documentation of the ${pick(random, PROJECTS)} HTTP API: a getting-started tutorial, ` +
      `a reference of every route with examples, and an error-handling guide.`,
    deliverables: ["The tutorial", "The reference and the guide"],
  },
];

/** Every capability the documents may require: the benchmark's executors register all of them. */
export const ALL_CAPABILITIES: readonly string[] = [...new Set(CATEGORIES.flatMap((category) => category.capabilities))]
  .sort()
  .slice(0, 32);

export interface DocumentOptions {
  /** The dev token's address: tasks paid in it name it; the others are paid in ETH. */
  devToken: Address;
  /** The time deadlines are counted from, in Unix seconds (the chain's latest block). */
  now: number;
  /** The share of tasks paid in the dev token. Default 0.4. */
  tokenShare?: number;
}

/** The `index`-th document of the market seeded with `seed`: the same inputs give the same document. */
export function benchmarkDocument(seed: number, index: number, options: DocumentOptions): TaskDocument {
  const random = seededRandom(seed * 1_000_003 + index);
  const category = pick(random, CATEGORIES);
  const inToken = random() < (options.tokenShare ?? 0.4);
  const reward = inToken
    ? parseEther(String(between(random, 10, 5_000)))
    : parseEther(String(between(random, 1, 200))) / 100n;
  const milestoneCount = random() < 0.2 ? 2 : 0;
  const milestones: Milestone[] | undefined =
    milestoneCount === 0
      ? undefined
      : (() => {
          const first = between(random, 2, 8) * 1000;
          return [
            { share_bps: first, deliverable: category.deliverables[0]! },
            { share_bps: 10_000 - first, deliverable: category.deliverables[1]! },
          ];
        })();
  const claimDeadline = new Date((options.now + between(random, 14, 60) * 24 * 3600) * 1000);
  claimDeadline.setUTCMilliseconds(0);
  return {
    version: TASK_DOCUMENT_VERSION,
    objective: `${category.objective(random)} (Benchmark task ${index + 1}.)`,
    input_constraints: {
      schema: { type: "object", properties: { uri: { type: "string" } }, required: ["uri"] },
      ...(random() < 0.5 ? { notes: "The inputs are linked from the task thread once the task is claimed." } : {}),
    },
    execution_requirements: {
      executor_kind: pick(random, category.kinds),
      max_duration_seconds: between(random, 1, 7) * 24 * 3600,
      claim_deadline: claimDeadline.toISOString().replace(".000Z", "Z"),
      required_capabilities: sample(random, category.capabilities, between(random, 1, 2)).sort(),
    },
    verification_criteria: { method: "review" },
    compensation: {
      token: inToken ? getAddress(options.devToken) : "ETH",
      reward: reward.toString(),
      ...(random() < 0.5 ? { claim_bond: (reward / 10n).toString() } : {}),
      ...(milestones === undefined ? {} : { milestones }),
    },
    dependencies: [],
    metadata: {
      category: category.name,
      tags: sample(random, category.tags, between(random, 1, 3)).sort(),
      difficulty: pick(random, ["easy", "medium", "hard"] as const),
      language: "en",
    },
  };
}

const TEXTS = [
  "invoice",
  "invoices extraction",
  "translate leaflet",
  "privacy policy",
  "solidity audit",
  "reentrancy",
  '"smart contracts"',
  "unit tests coverage",
  "bounding boxes",
  "research papers",
  "icons svg",
  "documentation tutorial",
  "caching race conditions",
  "employment contract",
  "zero-knowledge",
  "audit -bridge",
  "labels or labeling",
  "vault",
];
const STATES = ["Posted", "Claimed", "Posted,Claimed", "InProgress", "Submitted"];
const KINDS = ["Any", "Human", "Agent"];
const SORTS = ["newest", "reward", "deadline"];

/**
 * The `index`-th search query (path and query string) of `GET /tasks/search`: a text alone or with filters, filters
 * alone (state, capability, executor kind, token, reward range, category, tags, deadline), sorted and paged in the
 * ways the route offers.
 */
export function benchmarkSearchPath(seed: number, index: number, options: { devToken: Address; now: number }): string {
  const random = seededRandom(seed * 7_919 + index);
  const params = new URLSearchParams();
  const category = pick(random, CATEGORIES);
  const shape = index % 8;
  if (shape <= 2) params.set("q", pick(random, TEXTS));
  if (shape === 1 || shape === 4) params.set("state", pick(random, STATES));
  if (shape === 2 || shape === 5) params.set("category", category.name.split("/")[0]!);
  if (shape === 3) params.set("capability", pick(random, category.capabilities));
  if (shape === 3 || shape === 6) params.set("executorKind", pick(random, KINDS));
  if (shape === 4 || shape === 7) params.set("token", random() < 0.5 ? "ETH" : getAddress(options.devToken));
  if (shape === 5) params.set("tag", pick(random, category.tags));
  if (shape === 6) {
    params.set("minReward", (parseEther("0.05") * BigInt(between(random, 1, 10))).toString());
    params.set("maxReward", parseEther("5000").toString());
  }
  if (shape === 7) params.set("claimDeadlineAfter", String(options.now + between(random, 14, 40) * 24 * 3600));
  if (shape !== 0 && random() < 0.5) params.set("sort", pick(random, SORTS));
  params.set("first", String(pick(random, [10, 20, 50])));
  if (random() < 0.2) params.set("skip", String(pick(random, [10, 20])));
  return `/tasks/search?${params.toString()}`;
}
