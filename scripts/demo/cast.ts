// The people, organisations and agents of the demo marketplace, each a dev account of the local chain (Hardhat's
// well-known mnemonic). Accounts 0 (deployer and owner), 1 (fee recipient), 16 (the API's verifier) and 17–19 (the
// arbitration panel) have roles in the deployment and are left out, so that nobody here is a party to a dispute they
// judge.
import type { ExecutorKindName } from "../../src/documents/index.ts";

/** Someone who posts tasks: a person or an organisation with a wallet. */
export interface DemoPoster {
  accountIndex: number;
  name: string;
  about: string;
}

/** An executor the demo registers in the ExecutorRegistry (through `POST /agents`). */
export interface DemoExecutor {
  accountIndex: number;
  /** A person's name, or an agent's handle. */
  name: string;
  kind: Exclude<ExecutorKindName, "any">;
  /** Who answers for an agent: an operator of `DEMO_OPERATORS`. */
  operator?: keyof typeof DEMO_OPERATORS;
  capabilities: readonly string[];
  about: string;
  /** Where it works from, or the model and runtime of an agent: shown in its profile. */
  detail: string;
}

export const DEMO_POSTERS = {
  maya: {
    accountIndex: 2,
    name: "Maya Okafor (Orbit Finance)",
    about: "Engineering lead at Orbit Finance, a small DeFi lending protocol.",
  },
  eva: {
    accountIndex: 3,
    name: "Eva Lindqvist (Lindqvist Legal)",
    about: "Partner at Lindqvist Legal, a Stockholm law firm working in four languages.",
  },
  helio: {
    accountIndex: 4,
    name: "Helio Labs",
    about: "A mapping start-up that trains vision models on street-level imagery.",
  },
} as const satisfies Record<string, DemoPoster>;

/** The organisations accountable for the agents (`ExecutorRegistry` operators); they never post, so never conflict. */
export const DEMO_OPERATORS = {
  quill: { accountIndex: 5, name: "Quill Systems", about: "Runs document and research agents for accounting firms." },
  fernhill: { accountIndex: 10, name: "Fernhill AI", about: "Runs software engineering agents." },
} as const satisfies Record<string, DemoPoster>;

export const DEMO_EXECUTORS = {
  ana: {
    accountIndex: 6,
    name: "Ana Souza",
    kind: "human",
    capabilities: ["lang:de", "lang:en", "lang:pt", "skill:proofreading", "skill:translation"],
    about: "Sworn translator, Portuguese, German and English; legal and medical texts.",
    detail: "Lisbon",
  },
  tomasz: {
    accountIndex: 7,
    name: "Tomasz Nowak",
    kind: "human",
    capabilities: ["lang:solidity", "skill:code-review", "skill:security-audit"],
    about: "Independent smart contract auditor; 40 public audit reports since 2021.",
    detail: "Kraków",
  },
  priya: {
    accountIndex: 8,
    name: "Priya Raman",
    kind: "human",
    capabilities: ["lang:en", "skill:design", "skill:illustration", "skill:proofreading", "skill:technical-writing"],
    about: "Illustrator and technical writer; onboarding flows, icon sets and developer guides.",
    detail: "Bangalore",
  },
  kenji: {
    accountIndex: 9,
    name: "Kenji Watanabe",
    kind: "human",
    capabilities: ["lang:en", "lang:ja", "skill:data-labeling", "skill:vision"],
    about: "Annotation lead; bounding boxes, segmentation and quality review of image data sets.",
    detail: "Osaka",
  },
  ledgerLens: {
    accountIndex: 11,
    name: "ledger-lens",
    kind: "agent",
    operator: "quill",
    capabilities: ["lang:de", "lang:en", "skill:accounting", "skill:document-extraction", "skill:ocr"],
    about: "Reads invoices, receipts and statements into structured ledgers.",
    detail: "OCR pipeline with a fine-tuned extraction model",
  },
  testsmith: {
    accountIndex: 12,
    name: "testsmith",
    kind: "agent",
    operator: "fernhill",
    capabilities: ["lang:python", "lang:typescript", "skill:code-review", "skill:testing"],
    about: "Writes unit and property-based tests until the coverage target is met.",
    detail: "Coding agent with a sandboxed test runner",
  },
  atlas: {
    accountIndex: 13,
    name: "atlas-research",
    kind: "agent",
    operator: "quill",
    capabilities: [
      "lang:en",
      "skill:document-extraction",
      "skill:research",
      "skill:technical-writing",
      "skill:writing",
    ],
    about: "Literature reviews, summaries and reference documentation with citations.",
    detail: "Research agent with a citation checker",
  },
  coordinator: {
    accountIndex: 14,
    name: "relay-coordinator",
    kind: "agent",
    operator: "fernhill",
    capabilities: [
      "lang:en",
      "lang:typescript",
      "skill:document-extraction",
      "skill:project-management",
      "skill:technical-writing",
      "skill:testing",
    ],
    about: "Splits large jobs into subtasks for other agents and people, then assembles and checks the result.",
    detail: "Planner agent that posts and reviews subtasks",
  },
  lintwise: {
    accountIndex: 15,
    name: "lintwise",
    kind: "agent",
    operator: "fernhill",
    capabilities: ["lang:rust", "lang:typescript", "skill:code-review", "skill:testing"],
    about: "Reviews pull requests for race conditions, error handling and needless allocations.",
    detail: "Review agent that writes each finding with a suggested patch",
  },
} as const satisfies Record<string, DemoExecutor>;

export type DemoPosterName = keyof typeof DEMO_POSTERS;
export type DemoExecutorName = keyof typeof DEMO_EXECUTORS;
/** Everyone who sends transactions in the demo. */
export type DemoActorName = DemoPosterName | DemoExecutorName;

export function accountIndexOf(actor: DemoActorName): number {
  return actor in DEMO_POSTERS
    ? DEMO_POSTERS[actor as DemoPosterName].accountIndex
    : DEMO_EXECUTORS[actor as DemoExecutorName].accountIndex;
}

export function nameOf(actor: DemoActorName): string {
  return actor in DEMO_POSTERS
    ? DEMO_POSTERS[actor as DemoPosterName].name
    : DEMO_EXECUTORS[actor as DemoExecutorName].name;
}

/**
 * The executor's public profile, as the registry's `metadataURI`: a `data:` URI, so that it can be read without a
 * service behind it.
 */
export function profileURI(executor: DemoExecutor): string {
  const profile = {
    name: executor.name,
    kind: executor.kind,
    about: executor.about,
    ...(executor.kind === "human" ? { location: executor.detail } : { runtime: executor.detail }),
    ...(executor.operator === undefined ? {} : { operator: DEMO_OPERATORS[executor.operator].name }),
  };
  return `data:application/json,${encodeURIComponent(JSON.stringify(profile))}`;
}
