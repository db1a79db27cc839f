// POST /tasks: post a task. The caller sends the task document of the product page and what the document does not
// carry (the poster, the review window, who verifies, how the task is given out); the API validates the document,
// canonicalizes and hashes it into the commitment, derives the on-chain terms from it, checks every term the caller
// states against the document's copy, stores the document content-addressed and returns the transactions that create
// and fund the task. Nothing is sent: the poster's wallet signs them. `prepareTaskCreation` is shared with
// POST /escrow, which prepares the same transactions for a document stored earlier.
import { createRoute, z } from "@hono/zod-openapi";
import { getAddress, parseSignature, zeroAddress, zeroHash, type Abi, type Address, type Hex } from "viem";

import {
  MAX_DEPENDENCIES,
  MAX_TASK_CAPABILITIES,
  commitTaskDocument,
  validateTaskDocument,
  type TaskDocument,
  type VerificationMethod,
} from "../../../../src/documents/index.ts";
import { PROTOCOL_ABIS } from "../../../../src/protocol/abis.ts";
import type { NamedCapability } from "../../../../src/protocol/capabilities.ts";
import { documentTerms } from "../../../../src/protocol/document-terms.ts";
import {
  BPS,
  NO_MILESTONES,
  type ExecutorKind,
  type TaskOptions,
  type TaskTerms,
} from "../../../../src/protocol/terms.ts";
import {
  MODULE_CONTRACT_KEYS,
  moduleConfigHash,
  readPublishedConfig,
  verifierConfigHash,
  type ModuleVerification,
} from "../../../../src/protocol/verification-configs.ts";
import type { ApiApp } from "../../app.ts";
import { readLive } from "../../chain/protocol-chain.ts";
import { TaskOptionsSchema, TaskTermsSchema, isContract, optionsToJson, termsToJson } from "../../chain/task-terms.ts";
import { prepareTokenApproval } from "../../chain/transitions.ts";
import { ApiProblem, problemResponses } from "../../problems.ts";
import {
  AddressSchema,
  Bytes32Schema,
  HexSchema,
  PreparedTransactionSchema,
  TaskIdSchema,
  Uint256Schema,
  type PreparedTransaction,
} from "../../schemas.ts";
import type { ApiServices } from "../../services.ts";

const MAX_UINT32 = 2 ** 32 - 1;
const MAX_UINT40 = 2 ** 40 - 1;
const MAX_UINT128 = 2n ** 128n - 1n;
const MAX_UINT96 = 2n ** 96n - 1n;

/*//////////////////////////////////////////////////////////////
                          REQUEST
//////////////////////////////////////////////////////////////*/

const Uint128Schema = Uint256Schema.refine((value) => value <= MAX_UINT128, { message: "must fit in 128 bits" });
const Uint32Schema = z.number().int().min(0).max(MAX_UINT32);
const Uint40Schema = z.number().int().min(0).max(MAX_UINT40);
const BpsSchema = z.number().int().min(0).max(BPS);

const RequestedTermsSchema = z
  .object({
    poster: AddressSchema.openapi({
      description: "The account that creates and funds the task, and sends the transactions.",
    }),
    reviewWindow: Uint32Schema.min(1).openapi({
      description: "Seconds the verifier has to decide on each submission.",
    }),
    claimDeadline: Uint40Schema.min(1).optional().openapi({
      description: "Unix seconds; required when the document has no execution_requirements.claim_deadline.",
    }),
    token: AddressSchema.optional().openapi({ description: "The zero address for ETH." }),
    reward: Uint128Schema.optional(),
    claimBond: Uint128Schema.optional(),
    executionWindow: Uint32Schema.min(1).optional(),
    feeBps: BpsSchema.optional().openapi({
      description: "The protocol fee you agree to; must be the market's current fee.",
    }),
    executorKind: z.number().int().min(0).max(2).optional().openapi({ description: "0 any, 1 human, 2 agent." }),
    verifier: AddressSchema.optional().openapi({
      description: "A delegated reviewer account or a verification contract; the zero address for the poster's review.",
    }),
    verifierFee: Uint128Schema.optional(),
    verifierConfigHash: Bytes32Schema.optional(),
    capabilitiesHash: Bytes32Schema.optional(),
    documentHash: Bytes32Schema.optional(),
    milestoneShares: Bytes32Schema.optional(),
  })
  .strict()
  .openapi("RequestedTaskTerms", {
    description:
      "The task's terms as the poster wants them. `poster` and `reviewWindow` are required; every other field is " +
      "derived from the document (and the chain) when left out, and checked against it when given: a difference is " +
      "a 400 `terms_mismatch` naming the field. The `terms` of an earlier answer can be sent back as they are.",
  });

const RequirementsSchema = z
  .object({
    minCompleted: Uint32Schema,
    maxDisputesLostBps: BpsSchema,
    dependencies: z
      .array(TaskIdSchema)
      .max(MAX_DEPENDENCIES)
      .openapi({ description: "Ids of earlier tasks, strictly ascending: the document's `requires` dependencies." }),
  })
  .strict()
  .openapi("AssignmentRequirements");

const AssignmentSchema = z
  .discriminatedUnion("module", [
    z
      .object({ module: z.literal("gatedClaim"), config: z.object({ requirements: RequirementsSchema }).strict() })
      .strict(),
    z
      .object({
        module: z.literal("applicationBoard"),
        config: z.object({ requirements: RequirementsSchema, applicationDeadline: Uint40Schema }).strict(),
      })
      .strict(),
    z
      .object({
        module: z.literal("reverseAuction"),
        config: z
          .object({
            requirements: RequirementsSchema,
            biddingEnd: Uint40Schema,
            revealEnd: Uint40Schema,
            bidBond: Uint128Schema,
            priceWeightBps: BpsSchema,
            awardWindow: Uint32Schema,
          })
          .strict(),
      })
      .strict(),
    z.object({ module: z.literal("custom"), assigner: AddressSchema, configHash: Bytes32Schema }).strict(),
  ])
  .openapi("TaskAssignment", {
    description:
      "How the task is given out when not by a first-come claim: a protocol assignment module with its configuration " +
      "(the API computes `assignerConfigHash`), or any other module with its hash.",
  });

const ArbitratorSchema = AddressSchema.openapi({
  description: "An `IArbitrator`, e.g. the deployment's panelArbitrator.",
});

const VerificationSchema = z
  .discriminatedUnion("method", [
    z.object({ method: z.literal("poster") }).strict(),
    z.object({ method: z.literal("reviewer"), reviewer: AddressSchema }).strict(),
    z
      .object({
        method: z.literal("review"),
        config: z
          .object({ reviewer: AddressSchema, arbitrator: ArbitratorSchema, contestWindow: Uint32Schema })
          .strict(),
      })
      .strict(),
    z
      .object({
        method: z.literal("attestation"),
        config: z
          .object({
            verifierSetId: Uint256Schema.refine((value) => value < 2n ** 64n, { message: "must fit in 64 bits" }),
            quorum: z.number().int().min(1).max(255),
            scored: z.boolean(),
            methodId: Bytes32Schema,
            minBond: Uint128Schema,
            arbitrator: ArbitratorSchema,
            contestWindow: Uint32Schema,
            slashBps: BpsSchema,
          })
          .strict(),
      })
      .strict(),
    z
      .object({
        method: z.literal("optimistic"),
        config: z.object({ arbitrator: ArbitratorSchema, challengeBond: Uint128Schema }).strict(),
      })
      .strict(),
    z
      .object({
        method: z.literal("proof"),
        config: z.object({ proofVerifier: AddressSchema, commitment: Bytes32Schema }).strict(),
      })
      .strict(),
  ])
  .openapi("TaskVerification", {
    description:
      "Who decides on submissions: the poster (`poster`, the default), a delegated reviewer account deciding on the " +
      "market (`reviewer`), or a verification module with its configuration, whose hash the API computes. Another " +
      "verifier contract can be named with `terms.verifier` and `terms.verifierConfigHash`.",
  });

const RequestedOptionsSchema = z
  .object({
    assigner: AddressSchema.optional(),
    subtaskBudget: Uint256Schema.optional().openapi({ description: "How much of the reward may fund subtasks." }),
    assignerConfigHash: Bytes32Schema.optional(),
  })
  .strict()
  .openapi("RequestedTaskOptions", {
    description:
      "`TaskOptions`. `assigner` and `assignerConfigHash` are checked against `assignment` when both are given.",
  });

const PermitSchema = z
  .object({
    deadline: Uint256Schema,
    signature: HexSchema.refine((value) => value.length === 132 && isSignature(value), {
      message: "must be a 65-byte signature (r, s, v)",
    }),
  })
  .strict()
  .openapi("PermitSignature", {
    description:
      "An ERC-2612 permit of the escrow (reward + verifier fee) to the market, signed by the poster: the task is " +
      "created with `createTaskWithPermit` in one transaction, without an `approve`. Not with options.",
  });

function isSignature(value: Hex): boolean {
  try {
    parseSignature(value);
    return true;
  } catch {
    return false;
  }
}

/** What both POST /tasks and POST /escrow take beside the document. */
export const TaskCreationFields = {
  terms: RequestedTermsSchema,
  verification: VerificationSchema.optional(),
  options: RequestedOptionsSchema.optional(),
  assignment: AssignmentSchema.optional(),
  permit: PermitSchema.optional(),
};

const TaskCreationRequestSchema = z.object(TaskCreationFields).strict();
export type TaskCreationRequest = z.infer<typeof TaskCreationRequestSchema>;

const CreateTaskBodySchema = z
  .object({
    // Passed through untouched: `validateTaskDocument` is the document's judge, and a zod record would silently drop
    // a `__proto__` key that the validator must see and refuse.
    document: z
      .custom<unknown>((value) => value !== undefined, { message: "is required: the task document" })
      .openapi({
        type: "object",
        description: "The task document (the Task object of the product page), version taskmarket/task-document@1.",
      }),
    ...TaskCreationFields,
  })
  .strict()
  .openapi("CreateTaskRequest");

/*//////////////////////////////////////////////////////////////
                          RESPONSE
//////////////////////////////////////////////////////////////*/

const CapabilitySchema = z.object({ name: z.string(), id: z.string() }).openapi("Capability");

export const TaskCreationSchema = z
  .object({
    documentHash: z.string(),
    documentURI: z.string(),
    pinned: z.boolean().openapi({ description: "Whether the document was pinned to the configured IPFS API." }),
    terms: TaskTermsSchema,
    options: TaskOptionsSchema,
    capabilities: z
      .array(CapabilitySchema)
      .openapi({ description: "The required capabilities in the order the market takes them (ascending id)." }),
    escrow: z
      .object({ token: z.string(), amount: z.string() })
      .openapi({ description: "What the poster funds: the reward plus the verifier fee." }),
    verification: z.object({
      method: z.string(),
      verifier: z.string(),
      configHash: z.string(),
      config: z.record(z.string(), z.unknown()).nullable(),
    }),
    assignment: z
      .object({
        module: z.string(),
        assigner: z.string(),
        configHash: z.string(),
        config: z.record(z.string(), z.unknown()).nullable(),
      })
      .nullable(),
    transactions: z.array(PreparedTransactionSchema),
  })
  .openapi("TaskCreation");

export type TaskCreation = z.infer<typeof TaskCreationSchema>;

/*//////////////////////////////////////////////////////////////
                          TERMS
//////////////////////////////////////////////////////////////*/

type VerificationRequest = z.infer<typeof VerificationSchema>;
type AssignmentRequest = z.infer<typeof AssignmentSchema>;

function termsMismatch(
  field: string,
  requested: unknown,
  documentPath: string,
  fromDocument: unknown,
  detail?: string,
): ApiProblem {
  return new ApiProblem(
    "terms_mismatch",
    detail ??
      `${field} is ${JSON.stringify(requested)} but the document's ${documentPath} makes it ${JSON.stringify(fromDocument)}.`,
    { extensions: { field, documentPath, requested, document: fromDocument } },
  );
}

function invalidTerms(field: string, detail: string): ApiProblem {
  return new ApiProblem("invalid_request", detail, {
    extensions: { errors: [{ path: `json.${field}`, message: detail }] },
  });
}

/** A requested term, checked against the value the document makes it. */
function agree<T extends string | number | bigint>(
  field: keyof TaskTerms,
  requested: T | undefined,
  fromDocument: T,
  documentPath: string,
): T {
  if (requested === undefined || String(requested).toLowerCase() === String(fromDocument).toLowerCase()) {
    return fromDocument;
  }
  const show = (value: T) => (typeof value === "bigint" ? value.toString() : value);
  throw termsMismatch(`terms.${field}`, show(requested), documentPath, show(fromDocument));
}

/** A configuration in JSON, as the answer echoes it: bigints in decimal. */
function configJson(config: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(config, (_key, value) => (typeof value === "bigint" ? value.toString() : value)));
}

interface ResolvedVerification {
  method: string;
  verifier: Address;
  configHash: Hex;
  config: Record<string, unknown> | null;
  /** The proof commitment a `proof` configuration names, to check against the document's copy. */
  proofCommitment?: Hex;
  /** A protocol module's configuration, which the module publishes (`publishConfig`) for executors to read. */
  module?: ModuleVerification;
}

function resolveVerification(
  services: ApiServices,
  request: VerificationRequest | undefined,
  terms: TaskCreationRequest["terms"],
): ResolvedVerification {
  let resolved: ResolvedVerification;
  if (request === undefined) {
    const verifier = terms.verifier ?? zeroAddress;
    const module = verifier === zeroAddress ? undefined : services.chain.contractAt(verifier);
    return {
      method: verifier === zeroAddress ? "poster" : (module ?? "custom"),
      verifier,
      configHash: terms.verifierConfigHash ?? zeroHash,
      config: null,
    };
  }
  switch (request.method) {
    case "poster":
      resolved = { method: "poster", verifier: zeroAddress, configHash: zeroHash, config: null };
      break;
    case "reviewer":
      if (request.reviewer === zeroAddress || services.chain.contractAt(request.reviewer) !== undefined) {
        throw invalidTerms(
          "verification.reviewer",
          "verification.reviewer must be an account that decides on the market itself; use method review for the ReviewModule.",
        );
      }
      resolved = { method: "reviewer", verifier: request.reviewer, configHash: zeroHash, config: null };
      break;
    default: {
      const module = { method: request.method, config: request.config } as ModuleVerification;
      resolved = {
        method: request.method,
        verifier: services.chain.address(MODULE_CONTRACT_KEYS[request.method]),
        configHash: verifierConfigHash(module),
        config: configJson(request.config),
        ...(request.method === "proof" ? { proofCommitment: request.config.commitment } : {}),
        module,
      };
    }
  }
  if (terms.verifier !== undefined && terms.verifier !== resolved.verifier) {
    throw new ApiProblem(
      "terms_mismatch",
      `terms.verifier is ${terms.verifier} but verification (${resolved.method}) makes it ${resolved.verifier}.`,
      { extensions: { field: "terms.verifier", requested: terms.verifier, verification: resolved.verifier } },
    );
  }
  if (terms.verifierConfigHash !== undefined && terms.verifierConfigHash !== resolved.configHash) {
    throw new ApiProblem(
      "terms_mismatch",
      `terms.verifierConfigHash is ${terms.verifierConfigHash} but the verification configuration hashes to ` +
        `${resolved.configHash}.`,
      {
        extensions: {
          field: "terms.verifierConfigHash",
          requested: terms.verifierConfigHash,
          verification: resolved.configHash,
        },
      },
    );
  }
  return resolved;
}

/**
 * The verifier must implement the document's verification method: `review` is the poster, a delegated reviewer or the
 * ReviewModule (or another reviewing contract); `attestation`, `optimistic` and `proof` are the deployment's modules.
 */
function checkVerificationMethod(
  services: ApiServices,
  document: TaskDocument,
  verification: ResolvedVerification,
): void {
  const method = document.verification_criteria.method;
  const module = verification.verifier === zeroAddress ? undefined : services.chain.contractAt(verification.verifier);
  const moduleMethod = (Object.keys(MODULE_CONTRACT_KEYS) as VerificationMethod[]).find(
    (name) => MODULE_CONTRACT_KEYS[name] === module,
  );
  const implemented: VerificationMethod = moduleMethod ?? "review";
  if (implemented !== method) {
    const wanted =
      method === "review"
        ? "the poster (zero), a reviewer or the ReviewModule"
        : `the ${MODULE_CONTRACT_KEYS[method]} (${services.chain.address(MODULE_CONTRACT_KEYS[method])})`;
    throw termsMismatch(
      "terms.verifier",
      getAddress(verification.verifier),
      "/verification_criteria/method",
      method,
      `The document is verified by ${method}, so the verifier must be ${wanted}; ${verification.verifier} ` +
        `verifies by ${implemented}.`,
    );
  }
  const documentCommitment = document.verification_criteria.proof?.commitment;
  if (verification.proofCommitment !== undefined && documentCommitment !== undefined) {
    if (verification.proofCommitment !== documentCommitment.toLowerCase()) {
      throw termsMismatch(
        "verification.config.commitment",
        verification.proofCommitment,
        "/verification_criteria/proof/commitment",
        documentCommitment,
      );
    }
  }
}

interface ResolvedAssignment {
  module: string;
  assigner: Address;
  configHash: Hex;
  config: Record<string, unknown> | null;
  dependencies: bigint[] | undefined;
}

function resolveAssignment(
  services: ApiServices,
  request: AssignmentRequest | undefined,
  options: TaskCreationRequest["options"],
  claimDeadline: number,
): ResolvedAssignment | null {
  let resolved: ResolvedAssignment | null;
  if (request === undefined) {
    const assigner = options?.assigner ?? zeroAddress;
    const configHash = options?.assignerConfigHash ?? zeroHash;
    resolved =
      assigner === zeroAddress && configHash === zeroHash
        ? null
        : {
            module: services.chain.contractAt(assigner) ?? "custom",
            assigner,
            configHash,
            config: null,
            dependencies: undefined,
          };
  } else if (request.module === "custom") {
    resolved = {
      module: services.chain.contractAt(request.assigner) ?? "custom",
      assigner: request.assigner,
      configHash: request.configHash,
      config: null,
      dependencies: undefined,
    };
  } else {
    const config = request.config;
    const dependencies = config.requirements.dependencies;
    dependencies.forEach((dependency, index) => {
      if (index > 0 && dependency <= dependencies[index - 1]!) {
        throw invalidTerms(
          `assignment.config.requirements.dependencies.${index}`,
          "assignment.config.requirements.dependencies must be strictly ascending task ids.",
        );
      }
    });
    if (request.module === "reverseAuction") checkAuctionSchedule(request.config, claimDeadline);
    resolved = {
      module: request.module,
      assigner: services.chain.address(request.module),
      configHash: moduleConfigHash(PROTOCOL_ABIS[request.module] as Abi, config),
      config: configJson(config),
      dependencies,
    };
  }
  if (resolved) {
    if (resolved.assigner === zeroAddress) {
      throw invalidTerms("options.assignerConfigHash", "options.assignerConfigHash needs an assigner.");
    }
    if (options?.assigner !== undefined && options.assigner !== resolved.assigner) {
      throw new ApiProblem(
        "terms_mismatch",
        `options.assigner is ${options.assigner} but assignment (${resolved.module}) makes it ${resolved.assigner}.`,
        { extensions: { field: "options.assigner", requested: options.assigner, assignment: resolved.assigner } },
      );
    }
    if (options?.assignerConfigHash !== undefined && options.assignerConfigHash !== resolved.configHash) {
      throw new ApiProblem(
        "terms_mismatch",
        `options.assignerConfigHash is ${options.assignerConfigHash} but the assignment configuration hashes to ` +
          `${resolved.configHash}.`,
        {
          extensions: {
            field: "options.assignerConfigHash",
            requested: options.assignerConfigHash,
            assignment: resolved.configHash,
          },
        },
      );
    }
  }
  return resolved;
}

/** The ReverseAuction's schedule rules, which it checks only once the task exists (docs/assignment.md). */
function checkAuctionSchedule(
  config: Extract<AssignmentRequest, { module: "reverseAuction" }>["config"],
  claimDeadline: number,
): void {
  const field = (name: string) => `assignment.config.${name}`;
  if (config.revealEnd === 0 && config.bidBond !== 0n) {
    throw invalidTerms(field("bidBond"), "An open auction (revealEnd 0) takes no bid bond.");
  }
  if (config.revealEnd !== 0) {
    if (config.biddingEnd >= config.revealEnd) {
      throw invalidTerms(field("revealEnd"), "A sealed auction's revealEnd must be after its biddingEnd.");
    }
    if (config.bidBond === 0n) throw invalidTerms(field("bidBond"), "A sealed auction needs a non-zero bid bond.");
  }
  const close = config.revealEnd === 0 ? config.biddingEnd : config.revealEnd;
  if (close >= claimDeadline || close + config.awardWindow > claimDeadline) {
    throw invalidTerms(
      field("awardWindow"),
      `The auction must close and its award window end by the claim deadline (${claimDeadline}); it closes at ` +
        `${close} and its award window ends at ${close + config.awardWindow}.`,
    );
  }
}

/** The document's `requires` dependencies must be exactly the assignment module's, which enforces them. */
function checkDependencies(document: TaskDocument, assignment: ResolvedAssignment | null): void {
  const required = document.dependencies
    .filter((reference) => reference.relation === "requires")
    .map((reference) => BigInt(reference.task_id));
  const configured = assignment?.dependencies;
  if (configured === undefined) {
    if (required.length === 0) return;
    throw termsMismatch(
      "assignment",
      assignment ? assignment.assigner : null,
      "/dependencies",
      required.map(String),
      `The document requires task(s) ${required.join(", ")}, which only an assignment module enforces: name ` +
        "gatedClaim, applicationBoard or reverseAuction in assignment with these dependencies in its requirements.",
    );
  }
  const same = required.length === configured.length && required.every((id, index) => id === configured[index]);
  if (!same) {
    throw termsMismatch(
      "assignment.config.requirements.dependencies",
      configured.map(String),
      "/dependencies",
      required.map(String),
    );
  }
}

/** A task ready to be created: its terms, options and the transactions that create and fund it. */
export interface PreparedTaskCreation {
  terms: TaskTerms;
  options: TaskOptions;
  capabilities: NamedCapability[];
  escrow: bigint;
  verification: ResolvedVerification;
  assignment: ResolvedAssignment | null;
  transactions: PreparedTransaction[];
}

/**
 * The terms `document` (committed as `documentHash`, served at `documentURI`) and `request` make, checked against each
 * other and against the chain, and the transactions that create and fund the task.
 */
export async function prepareTaskCreation(
  services: ApiServices,
  document: TaskDocument,
  commitment: { documentHash: Hex; documentURI: string },
  request: TaskCreationRequest,
): Promise<PreparedTaskCreation> {
  const requested = request.terms;
  if (requested.poster === zeroAddress) {
    throw invalidTerms(
      "terms.poster",
      "terms.poster must be the account that sends the creation, not the zero address.",
    );
  }

  const stated = documentTerms(document);
  const token = agree("token", requested.token, stated.token, "/compensation/token");
  const reward = agree("reward", requested.reward, stated.reward, "/compensation/reward");
  const claimBond =
    stated.claimBond === undefined
      ? (requested.claimBond ?? 0n)
      : agree("claimBond", requested.claimBond, stated.claimBond, "/compensation/claim_bond");
  const verifierFee =
    stated.verifierFee === undefined
      ? (requested.verifierFee ?? 0n)
      : agree("verifierFee", requested.verifierFee, stated.verifierFee, "/compensation/verifier_fee");
  const executorKind = agree(
    "executorKind",
    requested.executorKind,
    stated.executorKind,
    "/execution_requirements/executor_kind",
  );
  const executionWindow = agree(
    "executionWindow",
    requested.executionWindow,
    stated.executionWindow,
    "/execution_requirements/max_duration_seconds",
  );
  let claimDeadline: number;
  if (stated.claimDeadline !== undefined) {
    claimDeadline = agree(
      "claimDeadline",
      requested.claimDeadline,
      stated.claimDeadline,
      "/execution_requirements/claim_deadline",
    );
  } else if (requested.claimDeadline !== undefined) {
    claimDeadline = requested.claimDeadline;
  } else {
    throw invalidTerms(
      "terms.claimDeadline",
      "terms.claimDeadline is required: the document has no execution_requirements.claim_deadline.",
    );
  }
  const milestoneShares = agree(
    "milestoneShares",
    requested.milestoneShares,
    stated.milestoneShares,
    "/compensation/milestones",
  );
  const capabilities = stated.capabilities;
  if (capabilities.length > MAX_TASK_CAPABILITIES) {
    throw invalidTerms("document", `A task requires at most ${MAX_TASK_CAPABILITIES} capabilities.`);
  }
  const capabilitiesHash = agree(
    "capabilitiesHash",
    requested.capabilitiesHash,
    stated.capabilitiesHash,
    "/execution_requirements/required_capabilities",
  );
  const documentHash = agree("documentHash", requested.documentHash, commitment.documentHash, "(canonical form)");

  const verification = resolveVerification(services, request.verification, requested);
  checkVerificationMethod(services, document, verification);
  if (verifierFee !== 0n && verification.verifier === zeroAddress) {
    throw invalidTerms(
      "terms.verifierFee",
      "A verifier fee needs a delegated verifier: the poster who reviews its own task is not paid for it.",
    );
  }

  const assignment = resolveAssignment(services, request.assignment, request.options, claimDeadline);
  checkDependencies(document, assignment);
  const subtaskBudget = request.options?.subtaskBudget ?? 0n;
  if (subtaskBudget > MAX_UINT96)
    throw invalidTerms("options.subtaskBudget", "options.subtaskBudget must fit in 96 bits.");
  if (subtaskBudget > reward) {
    throw invalidTerms("options.subtaskBudget", `options.subtaskBudget may be at most the reward (${reward}).`);
  }
  if (subtaskBudget !== 0n && milestoneShares !== NO_MILESTONES) {
    throw invalidTerms("options.subtaskBudget", "A task paid in milestones has no subtask budget.");
  }
  const options: TaskOptions = {
    assigner: assignment?.assigner ?? zeroAddress,
    subtaskBudget,
    assignerConfigHash: assignment?.configHash ?? zeroHash,
  };
  const withOptions = assignment !== null || subtaskBudget !== 0n;
  if (request.permit && (token === zeroAddress || withOptions)) {
    throw invalidTerms(
      "permit",
      token === zeroAddress
        ? "A permit funds ERC-20 tasks only; an ETH task is funded with the transaction's value."
        : "createTaskWithPermit takes no options: approve the token instead of sending a permit.",
    );
  }

  // What only the chain can say: the current fee, the time, which task ids exist, whether the token is a contract,
  // and whether the module configuration has been published.
  const market = { address: services.chain.address("taskMarket"), abi: PROTOCOL_ABIS.taskMarket } as const;
  const [feeBps, nextTaskId, block, tokenIsContract, configPublished] = await Promise.all([
    readLive(() => services.chain.client.readContract({ ...market, functionName: "protocolFeeBps" })),
    readLive(() => services.chain.client.readContract({ ...market, functionName: "nextTaskId" })),
    readLive(() => services.chain.client.getBlock({ blockTag: "latest" })),
    token === zeroAddress ? Promise.resolve(true) : isContract(services, token),
    verification.module === undefined
      ? Promise.resolve(true)
      : isConfigPublished(services, verification.module, verification.configHash),
  ]);
  if (requested.feeBps !== undefined && requested.feeBps !== feeBps) {
    throw new ApiProblem(
      "terms_mismatch",
      `terms.feeBps is ${requested.feeBps} but the market's protocol fee is ${feeBps} basis points now.`,
      { extensions: { field: "terms.feeBps", requested: requested.feeBps, market: feeBps } },
    );
  }
  if (claimDeadline <= Number(block.timestamp)) {
    throw new ApiProblem(
      "unprocessable",
      `The claim deadline ${claimDeadline} has passed: the chain's time is ${block.timestamp}.`,
      { extensions: { field: "terms.claimDeadline" } },
    );
  }
  if (!tokenIsContract) {
    throw invalidTerms("terms.token", `The token ${token} has no contract on chain ${services.chain.chainId}.`);
  }
  const unknownDependency = assignment?.dependencies?.find((dependency) => dependency >= nextTaskId);
  if (unknownDependency !== undefined) {
    throw invalidTerms(
      "assignment.config.requirements.dependencies",
      `Task ${unknownDependency} does not exist yet; a task depends only on earlier tasks (the next id is ${nextTaskId}).`,
    );
  }

  const terms: TaskTerms = {
    poster: requested.poster,
    token,
    reward,
    claimBond,
    claimDeadline,
    executionWindow,
    reviewWindow: requested.reviewWindow,
    feeBps,
    executorKind: executorKind as ExecutorKind,
    verifier: verification.verifier,
    verifierFee,
    verifierConfigHash: verification.configHash,
    capabilitiesHash,
    documentHash,
    milestoneShares,
  };
  const escrow = reward + verifierFee;
  const capabilityIds = capabilities.map((capability) => capability.id);
  const poster = requested.poster;
  const what = `task ${documentHash.slice(0, 10)}…`;
  const transactions: PreparedTransaction[] = [];
  if (verification.module !== undefined && !configPublished) {
    transactions.push(preparePublishConfig(services, verification.module, verification.configHash, poster));
  }
  if (token !== zeroAddress && !request.permit) {
    transactions.push(
      prepareTokenApproval(
        services,
        token,
        market.address,
        escrow,
        `Allow the market to take the escrow of ${what}: ${escrow} base units of ${token}.`,
        poster,
      ),
    );
  }
  const value = token === zeroAddress ? escrow : 0n;
  const funds = token === zeroAddress ? `${escrow} wei` : `${escrow} base units of ${token}`;
  if (request.permit) {
    const signature = parseSignature(request.permit.signature);
    transactions.push(
      services.chain.prepare(
        "taskMarket",
        "createTaskWithPermit",
        [
          terms,
          capabilityIds,
          commitment.documentURI,
          {
            deadline: request.permit.deadline,
            v: Number(signature.v ?? BigInt((signature.yParity ?? 0) + 27)),
            r: signature.r,
            s: signature.s,
          },
        ],
        { description: `Create ${what} and escrow ${funds} through the permit.`, from: poster },
      ),
    );
  } else if (withOptions) {
    transactions.push(
      services.chain.prepare(
        "taskMarket",
        "createTaskWithOptions",
        [terms, options, capabilityIds, commitment.documentURI],
        {
          value,
          description: `Create ${what} with its options and escrow ${funds}.`,
          from: poster,
        },
      ),
    );
  } else {
    transactions.push(
      services.chain.prepare("taskMarket", "createTask", [terms, capabilityIds, commitment.documentURI], {
        value,
        description: `Create ${what} and escrow ${funds}.`,
        from: poster,
      }),
    );
  }
  return { terms, options, capabilities, escrow, verification, assignment, transactions };
}

/**
 * Whether the module has published the configuration with hash `configHash`: it stores nothing, so the only record is
 * its `…ConfigPublished` event, read from the module's deployment block on.
 */
async function isConfigPublished(services: ApiServices, module: ModuleVerification, configHash: Hex): Promise<boolean> {
  const key = MODULE_CONTRACT_KEYS[module.method];
  const published = await readLive(() =>
    readPublishedConfig(services.chain.client, {
      method: module.method,
      address: services.chain.address(key),
      configHash,
      fromBlock: BigInt(services.chain.deployment.contracts[key].blockNumber),
    }),
  );
  return published !== undefined;
}

/**
 * `publishConfig(config)` on the module: it changes nothing on-chain but emits the configuration, which is how
 * executors (and their clients) learn what the terms' `verifierConfigHash` commits to.
 */
function preparePublishConfig(
  services: ApiServices,
  module: ModuleVerification,
  configHash: Hex,
  poster: Address,
): PreparedTransaction {
  const options = {
    description:
      `Publish the ${module.method} configuration ${configHash} that the task's terms commit to, ` +
      "for executors to read.",
    from: poster,
  };
  switch (module.method) {
    case "review":
      return services.chain.prepare("reviewModule", "publishConfig", [module.config], options);
    case "attestation":
      return services.chain.prepare("attestationModule", "publishConfig", [module.config], options);
    case "optimistic":
      return services.chain.prepare("optimisticModule", "publishConfig", [module.config], options);
    case "proof":
      return services.chain.prepare("proofModule", "publishConfig", [module.config], options);
  }
}

/** The JSON answer for a prepared creation. */
export function taskCreationJson(
  prepared: PreparedTaskCreation,
  stored: { documentHash: Hex; documentURI: string; pinned: boolean },
): TaskCreation {
  const { verification, assignment } = prepared;
  return {
    documentHash: stored.documentHash,
    documentURI: stored.documentURI,
    pinned: stored.pinned,
    terms: termsToJson(prepared.terms),
    options: optionsToJson(prepared.options),
    capabilities: prepared.capabilities,
    escrow: { token: getAddress(prepared.terms.token), amount: prepared.escrow.toString() },
    verification: {
      method: verification.method,
      verifier: getAddress(verification.verifier),
      configHash: verification.configHash,
      config: verification.config,
    },
    assignment: assignment && {
      module: assignment.module,
      assigner: getAddress(assignment.assigner),
      configHash: assignment.configHash,
      config: assignment.config,
    },
    transactions: prepared.transactions,
  };
}

/*//////////////////////////////////////////////////////////////
                          ROUTE
//////////////////////////////////////////////////////////////*/

const createTask = createRoute({
  method: "post",
  path: "/tasks",
  tags: ["Tasks"],
  summary: "Post a task: store its document and prepare the create-and-fund transactions",
  description:
    "Validates the task document strictly (400 `invalid_document` with every error in `errors`), canonicalizes it " +
    "(RFC 8785) and hashes it into `TaskTerms.documentHash` (keccak256), stores it under its `ipfs://` CID (pinned " +
    "when an IPFS API is configured) and derives the terms from it: token (`ETH` is the zero address), reward, claim " +
    "bond, verifier fee, executor kind, execution window (`max_duration_seconds`), claim deadline, milestone shares " +
    "and the capability list (keccak256 ids of the names, ascending, hashed into `capabilitiesHash`). `feeBps` is " +
    "the market's current protocol fee. Every term given in `terms` must agree with the document (400 " +
    "`terms_mismatch` naming the field); the verifier must implement the document's verification method, and the " +
    "document's `requires` dependencies must be those of the assignment module's configuration.\n\n" +
    "Returns 201 with the commitment, the terms and options as the market will hold them, and the transactions for " +
    "the poster's wallet, in order: the module's `publishConfig(config)` when `verification` names a protocol module " +
    "whose configuration is not published on-chain yet (executors read it from the event); for an ERC-20 task " +
    "`approve(market, reward + verifierFee)` then `createTask` (or `createTaskWithOptions` with an assigner or a " +
    "subtask budget); for an ETH task one `createTask` whose value is the escrow; with a permit, one " +
    "`createTaskWithPermit`. Keep `terms` and `capabilities`: every later call passes them back (the API reads them " +
    "from the indexer).",
  request: { body: { required: true, content: { "application/json": { schema: CreateTaskBodySchema } } } },
  responses: {
    201: { description: "Stored and prepared", content: { "application/json": { schema: TaskCreationSchema } } },
    ...problemResponses(400, 413, 422, 429, 502, 503, 504),
  },
});

export function registerCreateTaskRoute(app: ApiApp, services: ApiServices): void {
  app.openapi(createTask, async (c) => {
    const { document: candidate, ...request } = c.req.valid("json");
    const validation = validateTaskDocument(candidate);
    if (!validation.ok) {
      throw new ApiProblem(
        "invalid_document",
        `The task document has ${validation.errors.length} error(s): ` +
          validation.errors
            .slice(0, 3)
            .map((error) => `${error.path || "(document)"} ${error.message}`)
            .join("; ") +
          (validation.errors.length > 3 ? "; …" : ""),
        { extensions: { errors: validation.errors } },
      );
    }
    const document = validation.document;
    const commitment = await commitTaskDocument(document);
    const prepared = await prepareTaskCreation(services, document, commitment, request);
    const stored = await services.documents.put(document, commitment);
    return c.json(taskCreationJson(prepared, stored), 201);
  });
}
