// The on-chain terms of a task, derived from its document: every field the document states (token, reward, bond,
// verifier fee, executor kind, execution window, claim deadline, milestones, capabilities) is taken from it, so that the
// terms a poster funds cannot disagree with the document it commits to. The rest — the review window, who verifies and
// under which configuration — the poster chooses here.
import { getAddress, zeroAddress, zeroHash, type Address, type Hex } from "viem";

import type { TaskDocument } from "../../src/documents/index.ts";
import { documentTerms } from "../../src/protocol/document-terms.ts";
import { NO_OPTIONS, type TaskOptions, type TaskTerms } from "../../src/protocol/terms.ts";
import type {
  ModuleVerification,
  ProofConfig,
  VerificationModuleName,
} from "../../src/protocol/verification-configs.ts";
import { assignerConfigHash, type AssignmentModuleName, type TaskAssignment } from "./assignment-configs.ts";

/** Used when the document names no claim deadline and the poster gives none. */
export const DEFAULT_CLAIM_PERIOD_SECONDS = 7 * 24 * 3600;
/** Used when the poster gives no review window: how long the verifier has to decide before silence pays. */
export const DEFAULT_REVIEW_WINDOW_SECONDS = 3 * 24 * 3600;

/**
 * Who decides on submissions, in the API's shape (`POST /tasks` takes the same object): the poster (the default), a
 * delegated reviewer account deciding on the market, or a verification module with its configuration. In this client
 * a `proof` configuration may leave out the commitment (taken from the document) and the proof verifier (the
 * deployment's verifier for the document's scheme).
 */
export type TaskVerification =
  | { method: "poster" }
  | { method: "reviewer"; reviewer: Address }
  | Exclude<ModuleVerification, { method: "proof" }>
  | { method: "proof"; config?: Partial<ProofConfig> };

/** What the poster chooses beyond the document. */
export interface TaskTermsChoices {
  /**
   * When the task stops being claimable: a `Date` or Unix seconds. Must equal the document's `claim_deadline` when it
   * has one; defaults to it, or to `DEFAULT_CLAIM_PERIOD_SECONDS` from now.
   */
  claimDeadline?: Date | number;
  /** Seconds the verifier has to decide on each submission. Default: `DEFAULT_REVIEW_WINDOW_SECONDS`. */
  reviewWindow?: number;
  verification?: TaskVerification;
}

export interface TaskTermsContext {
  poster: Address;
  /** The market's `protocolFeeBps`, which the terms must repeat. */
  feeBps: number;
  /** Unix seconds of the chain's latest block. */
  now: number;
  documentHash: Hex;
  /** The deployment's modules and proof verifiers. */
  addresses: Partial<Record<VerificationModuleName, Address>> & {
    hashCommitmentVerifier?: Address;
    merkleInclusionVerifier?: Address;
  };
}

export interface DerivedTaskTerms {
  terms: TaskTerms;
  /** The required capability ids, strictly ascending: passed with the terms to `createTask` and `claim`. */
  capabilities: Hex[];
  /** The module configuration `terms.verifierConfigHash` commits to, when a module verifies. */
  verification?: ModuleVerification;
}

/** The terms disagree with the document, or a choice is not possible for it. */
export class TaskTermsError extends Error {
  readonly path: string;

  constructor(path: string, message: string) {
    super(`${path === "" ? "The task" : path} ${message}`);
    this.name = "TaskTermsError";
    this.path = path;
  }
}

/**
 * The terms of a task for a valid `document` (see `validateTaskDocument`). `verifierConfigHash` of a module
 * configuration is filled in by the caller, which knows how to hash it (see `verifierConfigHash`).
 */
export function deriveTaskTerms(
  document: TaskDocument,
  choices: TaskTermsChoices,
  context: TaskTermsContext,
  hashConfig: (verification: ModuleVerification) => Hex,
): DerivedTaskTerms {
  const criteria = document.verification_criteria;
  const stated = documentTerms(document);
  const capabilities = stated.capabilities.map((capability) => capability.id);
  const verifierFee = stated.verifierFee ?? 0n;

  const claimDeadline = resolveClaimDeadline(
    document.execution_requirements.claim_deadline,
    stated.claimDeadline,
    choices.claimDeadline,
    context.now,
  );
  const reviewWindow = choices.reviewWindow ?? DEFAULT_REVIEW_WINDOW_SECONDS;
  if (!Number.isInteger(reviewWindow) || reviewWindow < 1 || reviewWindow > 2 ** 32 - 1) {
    throw new TaskTermsError(
      "reviewWindow",
      `must be a whole number of seconds from 1 to 2^32 - 1, got ${reviewWindow}`,
    );
  }

  const verification = resolveVerification(document, choices.verification ?? { method: "poster" }, context);
  let verifier: Address = zeroAddress;
  let configHash: Hex = zeroHash;
  if (verification.method === "reviewer") {
    verifier = getAddress(verification.reviewer);
    if (verifier === zeroAddress) throw new TaskTermsError("verification.reviewer", "must not be the zero address");
  } else if (verification.method !== "poster") {
    const address = context.addresses[verification.method];
    if (address === undefined) {
      throw new TaskTermsError(
        "verification",
        `names the ${verification.method} module, which this client has no address for`,
      );
    }
    verifier = address;
    configHash = hashConfig(verification);
  }
  if (verifierFee > 0n && verifier === zeroAddress) {
    throw new TaskTermsError(
      "/compensation/verifier_fee",
      "is set, but the poster reviews this task: a verifier fee needs a delegated reviewer or a verification module",
    );
  }

  const terms: TaskTerms = {
    poster: getAddress(context.poster),
    token: stated.token,
    reward: stated.reward,
    claimBond: stated.claimBond ?? 0n,
    claimDeadline,
    executionWindow: stated.executionWindow,
    reviewWindow,
    feeBps: context.feeBps,
    executorKind: stated.executorKind,
    verifier,
    verifierFee,
    verifierConfigHash: configHash,
    capabilitiesHash: stated.capabilitiesHash,
    documentHash: context.documentHash,
    milestoneShares: stated.milestoneShares,
  };
  return {
    terms,
    capabilities,
    ...(verification.method === "poster" || verification.method === "reviewer" ? {} : { verification }),
  };

  function resolveVerification(
    taskDocument: TaskDocument,
    chosen: TaskVerification,
    { addresses }: TaskTermsContext,
  ): { method: "poster" } | { method: "reviewer"; reviewer: Address } | ModuleVerification {
    const method = criteria.method;
    const allowed =
      method === "review" ? "the poster, a reviewer account or the review module" : `the ${method} module`;
    const fits =
      method === "review" ? ["poster", "reviewer", "review"].includes(chosen.method) : chosen.method === method;
    if (!fits) {
      throw new TaskTermsError(
        "verification",
        `must be ${allowed}: the document's verification method is "${method}", not "${chosen.method}"`,
      );
    }
    if (chosen.method !== "proof") return chosen;
    const proof = taskDocument.verification_criteria.proof!;
    const commitment = (chosen.config?.commitment ?? proof.commitment).toLowerCase() as Hex;
    if (commitment !== proof.commitment.toLowerCase()) {
      throw new TaskTermsError(
        "verification.config.commitment",
        `is ${commitment}, but the document commits to ${proof.commitment} (/verification_criteria/proof/commitment)`,
      );
    }
    const defaultVerifier =
      proof.scheme === "hash-commitment"
        ? addresses.hashCommitmentVerifier
        : proof.scheme === "merkle-inclusion"
          ? addresses.merkleInclusionVerifier
          : undefined;
    const proofVerifier = chosen.config?.proofVerifier ?? defaultVerifier;
    if (proofVerifier === undefined) {
      throw new TaskTermsError(
        "verification.config.proofVerifier",
        `is required: no proof verifier is known for the "${proof.scheme}" scheme`,
      );
    }
    return { method: "proof", config: { proofVerifier: getAddress(proofVerifier), commitment } };
  }
}

function resolveClaimDeadline(
  fromDocument: string | undefined,
  documentDeadline: number | undefined,
  chosen: Date | number | undefined,
  now: number,
): number {
  const chosenDeadline = chosen instanceof Date ? Math.floor(chosen.getTime() / 1000) : chosen;
  if (documentDeadline !== undefined && chosenDeadline !== undefined && documentDeadline !== chosenDeadline) {
    throw new TaskTermsError(
      "claimDeadline",
      `is ${chosenDeadline}, but the document's claim_deadline ${fromDocument} is ${documentDeadline}`,
    );
  }
  const deadline = documentDeadline ?? chosenDeadline ?? now + DEFAULT_CLAIM_PERIOD_SECONDS;
  if (!Number.isInteger(deadline) || deadline <= now || deadline >= 2 ** 40) {
    throw new TaskTermsError("claimDeadline", `must be a Unix time in the future, got ${deadline} (now ${now})`);
  }
  return deadline;
}

/**
 * The options a task is created with (`createTaskWithOptions`, `createSubtask`), or undefined for none: `assignment`
 * names the assignment module and its configuration, which `assigner` and `assignerConfigHash` are derived from (and
 * must agree with when given too). Checks what the module checks only once the task exists, so that no escrow is
 * locked behind a configuration that can never be published: the document's `requires` dependencies must be the
 * configuration's, and a reverse auction must close, and its award window end, by the claim deadline.
 */
export function resolveTaskOptions(
  document: TaskDocument,
  chosen: { options?: Partial<TaskOptions>; assignment?: TaskAssignment },
  claimDeadline: number,
  addresses: Partial<Record<AssignmentModuleName, Address>>,
): TaskOptions | undefined {
  const required = document.dependencies
    .filter((dependency) => dependency.relation === "requires")
    .map((dependency) => BigInt(dependency.task_id));
  const { assignment } = chosen;
  if (assignment === undefined) {
    if (required.length > 0 && (chosen.options?.assigner ?? zeroAddress) === zeroAddress) {
      throw new TaskTermsError(
        "options.assigner",
        `is required: the document requires task(s) ${required.join(", ")}, which only an assignment module ` +
          "(gatedClaim, applicationBoard, reverseAuction) enforces",
      );
    }
    return chosen.options === undefined ? undefined : { ...NO_OPTIONS, ...chosen.options };
  }

  const address = addresses[assignment.module];
  if (address === undefined) {
    throw new TaskTermsError(
      "assignment",
      `names the ${assignment.module} module, which this client has no address for`,
    );
  }
  const configHash = assignerConfigHash(assignment);
  const given = chosen.options ?? {};
  if (given.assigner !== undefined && getAddress(given.assigner) !== getAddress(address)) {
    throw new TaskTermsError(
      "options.assigner",
      `is ${given.assigner}, but assignment names ${assignment.module} at ${address}`,
    );
  }
  if (given.assignerConfigHash !== undefined && given.assignerConfigHash.toLowerCase() !== configHash) {
    throw new TaskTermsError(
      "options.assignerConfigHash",
      `is ${given.assignerConfigHash}, but the assignment configuration hashes to ${configHash}`,
    );
  }
  const configured = assignment.config.requirements.dependencies;
  if (required.length !== configured.length || required.some((id, index) => id !== configured[index])) {
    throw new TaskTermsError(
      "assignment.config.requirements.dependencies",
      `are [${configured.join(", ")}], but the document requires [${required.join(", ")}] (/dependencies)`,
    );
  }
  if (assignment.module === "reverseAuction") {
    const { biddingEnd, revealEnd, bidBond, awardWindow } = assignment.config;
    if (revealEnd === 0 && bidBond !== 0n) {
      throw new TaskTermsError("assignment.config.bidBond", "must be zero for an open auction (revealEnd 0)");
    }
    if (revealEnd !== 0 && (revealEnd <= biddingEnd || bidBond === 0n)) {
      throw new TaskTermsError(
        "assignment.config.revealEnd",
        "of a sealed auction must come after its biddingEnd, and its bidBond must not be zero",
      );
    }
    const close = revealEnd === 0 ? biddingEnd : revealEnd;
    if (close >= claimDeadline || close + awardWindow > claimDeadline) {
      throw new TaskTermsError(
        "assignment.config.awardWindow",
        `must end by the claim deadline ${claimDeadline}: the auction closes at ${close} and its award window ends ` +
          `at ${close + awardWindow}`,
      );
    }
  }
  return { ...NO_OPTIONS, ...given, assigner: getAddress(address), assignerConfigHash: configHash };
}
