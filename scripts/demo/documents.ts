// The task documents of the demo marketplace: what each task asks for, written as a poster would, in the
// taskmarket/task-document@1 format that `POST /tasks` validates, stores and commits to. Deadlines are counted from the
// chain's clock, which the demo moves ahead of the wall clock.
import { getAddress, parseEther, type Address } from "viem";

import {
  TASK_DOCUMENT_VERSION,
  documentTimestamp,
  validateTaskDocument,
  type Difficulty,
  type ExecutorKindName,
  type TaskDocument,
  type VerificationMethod,
} from "../../src/documents/index.ts";

export const HOUR = 3600;
export const DAY = 24 * HOUR;

export interface DemoDocumentSpec {
  objective: string;
  category: string;
  tags: string[];
  capabilities: string[];
  executorKind: ExecutorKindName;
  /** In ETH (or whole dev tokens when `inDevToken`). */
  reward: string;
  /** A tenth of the reward unless given; "0" for none. */
  claimBond?: string;
  inDevToken?: boolean;
  /** Seconds the executor has from its claim. */
  executionWindow: number;
  /** Seconds from now until nobody can claim it any more. */
  claimPeriod: number;
  method?: VerificationMethod;
  difficulty?: Difficulty;
  notes?: string;
  /** Ids of tasks whose accepted results this one needs (enforced by an assignment module). */
  requires?: bigint[];
}

/** The document for `spec`, with its deadlines counted from `now` (the chain's time); throws if it is not valid. */
export function demoDocument(spec: DemoDocumentSpec, now: number, devToken: Address): TaskDocument {
  const reward = parseEther(spec.reward);
  const claimBond = spec.claimBond === undefined ? reward / 10n : parseEther(spec.claimBond);
  const document: TaskDocument = {
    version: TASK_DOCUMENT_VERSION,
    objective: spec.objective,
    input_constraints: {
      schema: { type: "object", properties: { uri: { type: "string" } }, required: ["uri"] },
      notes: spec.notes ?? "The inputs are linked from the task thread once the task is claimed.",
    },
    execution_requirements: {
      executor_kind: spec.executorKind,
      max_duration_seconds: spec.executionWindow,
      claim_deadline: documentTimestamp(now + spec.claimPeriod),
      required_capabilities: [...spec.capabilities].sort(),
    },
    verification_criteria: { method: spec.method ?? "review" },
    compensation: {
      token: spec.inDevToken ? getAddress(devToken) : "ETH",
      reward: reward.toString(),
      ...(claimBond === 0n ? {} : { claim_bond: claimBond.toString() }),
    },
    dependencies: (spec.requires ?? []).map((taskId) => ({ task_id: taskId.toString(), relation: "requires" })),
    metadata: {
      category: spec.category,
      tags: [...spec.tags].sort(),
      difficulty: spec.difficulty ?? "medium",
      language: "en",
    },
  };
  const validation = validateTaskDocument(document);
  if (!validation.ok) {
    throw new Error(`The demo document "${spec.objective}" is not valid: ${JSON.stringify(validation.errors)}`);
  }
  return document;
}
