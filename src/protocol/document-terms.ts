// The terms a task document states: a poster funds the terms its document commits to, so every field the document
// names (token, reward, bond, verifier fee, executor kind, execution window, claim deadline, milestones, capabilities)
// is read from it the same way by every client that builds terms from it (the API's POST /tasks and the SDK). What
// the document leaves out — the review window, who verifies — the poster chooses.
import { getAddress, zeroAddress, type Address, type Hex } from "viem";

import { EXECUTOR_KIND_VALUES, type TaskDocument } from "../documents/task-document-schema.ts";
import { capabilitiesHash, sortedCapabilities, type NamedCapability } from "./capabilities.ts";
import { NO_MILESTONES, packMilestoneShares, type ExecutorKind } from "./terms.ts";

/** The `TaskTerms` fields a valid task document states; undefined where the document leaves the field to the poster. */
export interface DocumentTerms {
  /** The zero address for `ETH`. */
  token: Address;
  reward: bigint;
  claimBond: bigint | undefined;
  verifierFee: bigint | undefined;
  executorKind: ExecutorKind;
  /** `execution_requirements.max_duration_seconds`. */
  executionWindow: number;
  /** Unix seconds of `execution_requirements.claim_deadline`. */
  claimDeadline: number | undefined;
  /** The packed milestone shares, or `NO_MILESTONES`. */
  milestoneShares: Hex;
  /** The required capabilities in the order the market takes them (strictly ascending id). */
  capabilities: NamedCapability[];
  capabilitiesHash: Hex;
}

/** What `document` (valid: see `validateTaskDocument`) states of its task's terms. */
export function documentTerms(document: TaskDocument): DocumentTerms {
  const { compensation, execution_requirements: execution } = document;
  const capabilities = sortedCapabilities(execution.required_capabilities ?? []);
  return {
    token: compensation.token === "ETH" ? zeroAddress : getAddress(compensation.token),
    reward: BigInt(compensation.reward),
    claimBond: compensation.claim_bond === undefined ? undefined : BigInt(compensation.claim_bond),
    verifierFee: compensation.verifier_fee === undefined ? undefined : BigInt(compensation.verifier_fee),
    executorKind: EXECUTOR_KIND_VALUES[execution.executor_kind],
    executionWindow: execution.max_duration_seconds,
    // The document's timestamps are whole seconds (`…:ssZ`), so nothing is rounded away.
    claimDeadline:
      execution.claim_deadline === undefined ? undefined : Math.floor(Date.parse(execution.claim_deadline) / 1000),
    milestoneShares:
      compensation.milestones === undefined
        ? NO_MILESTONES
        : packMilestoneShares(compensation.milestones.map((milestone) => milestone.share_bps)),
    capabilities,
    capabilitiesHash: capabilitiesHash(capabilities.map((capability) => capability.id)),
  };
}
