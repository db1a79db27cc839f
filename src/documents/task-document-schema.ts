/**
 * The task document: the off-chain description of a task that its poster commits to on-chain through
 * `TaskTerms.documentHash` (see src/protocol/terms.ts). `TASK_DOCUMENT_SCHEMA` is the single definition of its shape;
 * the TypeScript types below restate it for readers and editors, and the type-level checks at the end of this file
 * fail to compile if the two drift apart.
 *
 * The document is the Task object of the product page without `id`, `state`, `created_at` and `updated_at`. Those come
 * from the chain: the id is assigned by the market when the task is created, the state is the market's `TaskState`
 * (and the status it derives from the clock), and the timestamps are those of the blocks that created or changed the
 * task. A poster cannot know the id before the transaction is mined, and the other three change after the document
 * is committed to, so none of them can be part of what the poster signs.
 *
 * Some rules cannot be written in JSON Schema (numeric ranges beyond 2^53, address checksums, sums, sort orders,
 * whether an embedded schema compiles, serialized sizes). Each is stated in the `description` of the field it applies
 * to and enforced by `validateTaskDocument`.
 */
import type { ModuleKind } from "../protocol/eip712.ts";
import { BPS, ExecutorKind, MAX_MILESTONES } from "../protocol/terms.ts";

export const TASK_DOCUMENT_VERSION = "taskmarket/task-document@1";

/** The most capabilities a task may require: `TaskMarket.MAX_TASK_CAPABILITIES`. */
export const MAX_TASK_CAPABILITIES = 16;
/** The most dependencies an assignment module accepts for a task: `AssignmentModule.MAX_DEPENDENCIES`. */
export const MAX_DEPENDENCIES = 8;

/**
 * Bounds on a document. Sizes are in bytes of RFC 8785 canonical JSON (UTF-8), the form that is hashed and stored;
 * lengths are in Unicode code points, as JSON Schema counts them; depth counts nested objects and arrays.
 */
export const TASK_DOCUMENT_LIMITS = {
  maxDocumentBytes: 256 * 1024,
  /** Bounds the recursion of every walk over a document before its size is known. */
  maxDepth: 32,
  maxEmbeddedSchemaBytes: 64 * 1024,
  maxEmbeddedSchemaDepth: 16,
  maxExtraBytes: 16 * 1024,
  maxExtraDepth: 8,
  maxObjectiveLength: 20_000,
  maxNotesLength: 4_000,
  maxDescriptionLength: 1_000,
  maxAcceptanceTestSourceLength: 128 * 1024,
} as const;

/** The EVM's largest `uint128` and `uint64`: the types of the amounts in `TaskTerms` and of the market's task ids. */
export const MAX_UINT128 = 2n ** 128n - 1n;
export const MAX_TASK_ID = 2n ** 64n - 1n;

/** Unix seconds as a document timestamp (`claim_deadline`): RFC 3339 in UTC to the second, the one spelling it takes. */
export function documentTimestamp(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The names a document uses for `ExecutorKind`, with the value each stands for in `TaskTerms.executorKind`. */
export const EXECUTOR_KIND_VALUES = {
  any: ExecutorKind.Any,
  human: ExecutorKind.Human,
  agent: ExecutorKind.Agent,
} as const satisfies Record<string, ExecutorKind>;
export type ExecutorKindName = keyof typeof EXECUTOR_KIND_VALUES;

/**
 * How submissions are decided, one per verification method of the protocol: the poster's or a delegated reviewer's
 * review (`ReviewModule`), a quorum's attestations (`AttestationModule`), acceptance unless challenged
 * (`OptimisticModule`), and an on-chain proof (`ProofModule`).
 */
export type VerificationMethod = "review" | "attestation" | "optimistic" | "proof";

/** The proof verifiers of contracts/verification/proofs, and `custom` for any other `IProofVerifier`. */
export type ProofScheme = "hash-commitment" | "merkle-inclusion" | "custom";

export type Difficulty = "trivial" | "easy" | "medium" | "hard" | "expert";
export type DependencyRelation = "requires" | "enables";

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export interface TaskDocument {
  version: typeof TASK_DOCUMENT_VERSION;
  /** What needs to be done, in words both people and agents can act on. */
  objective: string;
  input_constraints: InputConstraints;
  execution_requirements: ExecutionRequirements;
  verification_criteria: VerificationCriteria;
  compensation: Compensation;
  dependencies: TaskReference[];
  metadata: TaskMetadata;
}

export interface InputConstraints {
  /** A JSON Schema (draft 2020-12) that the inputs handed to the executor satisfy. */
  schema: JsonObject;
  /** Media types the inputs come in, e.g. `text/csv`. */
  media_types?: string[];
  /** What the schema cannot say: provenance, data quality, how inputs are delivered. */
  notes?: string;
}

export interface ExecutionRequirements {
  executor_kind: ExecutorKindName;
  /** How long the executor has from its claim to submit: `TaskTerms.executionWindow`. */
  max_duration_seconds: number;
  /** When the task stops being claimable, in UTC to the second: `TaskTerms.claimDeadline`. */
  claim_deadline?: string;
  /** Namespaced capability names, e.g. `lang:solidity`; their keccak256 ids make up `TaskTerms.capabilitiesHash`. */
  required_capabilities?: string[];
  /** Tools the executor must use or have, e.g. `node>=22` or `foundry`. */
  tooling?: string[];
  quality_thresholds?: QualityThreshold[];
}

export interface QualityThreshold {
  /** The name of one of `verification_criteria.quality_metrics`. */
  metric: string;
  min?: number;
  max?: number;
}

export interface VerificationCriteria {
  method: VerificationMethod;
  /** A JSON Schema (draft 2020-12) that the submitted output satisfies. */
  output_schema?: JsonObject;
  acceptance_tests?: AcceptanceTests;
  /** What a `proof` task's `ProofConfig.commitment` is; required for that method and only allowed with it. */
  proof?: ProofCommitment;
  quality_metrics?: QualityMetric[];
  notes?: string;
}

export interface AcceptanceTests {
  language: "javascript";
  source: string;
}

export interface ProofCommitment {
  scheme: ProofScheme;
  /** The expected result hash, the hash of the required items' leaves, or a verifier-specific value. */
  commitment: string;
}

export interface QualityMetric {
  name: string;
  description: string;
  unit?: string;
}

export interface Compensation {
  /** `ETH` for native ETH, otherwise the ERC-20 token's checksummed address: `TaskTerms.token`. */
  token: string;
  /** Base units of the token, in decimal: `TaskTerms.reward`. */
  reward: string;
  /** `TaskTerms.claimBond`, in base units. */
  claim_bond?: string;
  /** `TaskTerms.verifierFee`, in base units. */
  verifier_fee?: string;
  /** The milestones the reward is paid in, in order: `TaskTerms.milestoneShares`. */
  milestones?: Milestone[];
}

export interface Milestone {
  share_bps: number;
  deliverable: string;
}

export interface TaskReference {
  /** A market task id, in decimal. */
  task_id: string;
  relation: DependencyRelation;
}

export interface TaskMetadata {
  category: string;
  tags?: string[];
  difficulty?: Difficulty;
  /** A BCP 47 language tag in its canonical case, e.g. `en` or `de-CH`: the language the work is done in. */
  language?: string;
  /** Anything else a poster or a client wants to keep with the task. */
  extra?: JsonObject;
}

const lowercaseWords = "[a-z0-9]+(?:-[a-z0-9]+)*";

export const TASK_DOCUMENT_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "urn:taskmarket:schema:task-document:1",
  title: "TaskMarket task document",
  description:
    "The off-chain description of a task. Its RFC 8785 canonical form, at most 256 KiB, is what TaskTerms.documentHash commits to (keccak256) and what is stored under an ipfs:// CID (sha2-256, raw codec).",
  type: "object",
  additionalProperties: false,
  required: [
    "version",
    "objective",
    "input_constraints",
    "execution_requirements",
    "verification_criteria",
    "compensation",
    "dependencies",
    "metadata",
  ],
  properties: {
    version: { type: "string", const: TASK_DOCUMENT_VERSION },
    objective: {
      type: "string",
      minLength: 1,
      maxLength: TASK_DOCUMENT_LIMITS.maxObjectiveLength,
      pattern: "\\S",
      description: "What needs to be done, in natural language or a structured form that people and agents can read.",
    },
    input_constraints: { $ref: "#/$defs/inputConstraints" },
    execution_requirements: { $ref: "#/$defs/executionRequirements" },
    verification_criteria: { $ref: "#/$defs/verificationCriteria" },
    compensation: { $ref: "#/$defs/compensation" },
    dependencies: {
      type: "array",
      maxItems: MAX_DEPENDENCIES,
      uniqueItems: true,
      items: { $ref: "#/$defs/taskReference" },
      description: "Other tasks of the market, in strictly ascending order of task id (each task at most once).",
    },
    metadata: { $ref: "#/$defs/metadata" },
  },
  $defs: {
    inputConstraints: {
      type: "object",
      additionalProperties: false,
      required: ["schema"],
      properties: {
        schema: { $ref: "#/$defs/embeddedSchema" },
        media_types: {
          type: "array",
          minItems: 1,
          maxItems: 16,
          uniqueItems: true,
          items: { $ref: "#/$defs/mediaType" },
        },
        notes: { $ref: "#/$defs/notes" },
      },
    },
    executionRequirements: {
      type: "object",
      additionalProperties: false,
      required: ["executor_kind", "max_duration_seconds"],
      properties: {
        executor_kind: { type: "string", enum: ["any", "human", "agent"] },
        max_duration_seconds: { type: "integer", minimum: 1, maximum: 2 ** 32 - 1 },
        claim_deadline: { $ref: "#/$defs/utcTimestamp" },
        required_capabilities: {
          type: "array",
          maxItems: MAX_TASK_CAPABILITIES,
          uniqueItems: true,
          items: { $ref: "#/$defs/capability" },
          description: "In strictly ascending order, so that a set of capabilities has one spelling.",
        },
        tooling: {
          type: "array",
          maxItems: 32,
          uniqueItems: true,
          items: { type: "string", minLength: 1, maxLength: 128, pattern: "^\\S(?:.*\\S)?$" },
        },
        quality_thresholds: {
          type: "array",
          maxItems: 16,
          items: { $ref: "#/$defs/qualityThreshold" },
          description:
            "Each names a different one of verification_criteria.quality_metrics; min is at most max where both are given.",
        },
      },
    },
    qualityThreshold: {
      type: "object",
      additionalProperties: false,
      required: ["metric"],
      minProperties: 2,
      properties: {
        metric: { $ref: "#/$defs/name" },
        min: { type: "number" },
        max: { type: "number" },
      },
    },
    verificationCriteria: {
      type: "object",
      additionalProperties: false,
      required: ["method"],
      properties: {
        method: { type: "string", enum: ["review", "attestation", "optimistic", "proof"] },
        output_schema: { $ref: "#/$defs/embeddedSchema" },
        acceptance_tests: { $ref: "#/$defs/acceptanceTests" },
        proof: { $ref: "#/$defs/proofCommitment" },
        quality_metrics: {
          type: "array",
          minItems: 1,
          maxItems: 16,
          items: { $ref: "#/$defs/qualityMetric" },
          description: "Each with a different name.",
        },
        notes: { $ref: "#/$defs/notes" },
      },
      if: { type: "object", required: ["method"], properties: { method: { type: "string", const: "proof" } } },
      // `proof: true` only declares the field for Ajv's strictRequired; its shape is checked under `properties`.
      then: { type: "object", required: ["proof"], properties: { proof: true } },
      else: { type: "object", not: { type: "object", required: ["proof"], properties: { proof: true } } },
    },
    acceptanceTests: {
      type: "object",
      additionalProperties: false,
      required: ["language", "source"],
      properties: {
        language: { type: "string", const: "javascript" },
        source: { type: "string", minLength: 1, maxLength: TASK_DOCUMENT_LIMITS.maxAcceptanceTestSourceLength },
      },
    },
    proofCommitment: {
      type: "object",
      additionalProperties: false,
      required: ["scheme", "commitment"],
      properties: {
        scheme: { type: "string", enum: ["hash-commitment", "merkle-inclusion", "custom"] },
        commitment: { $ref: "#/$defs/bytes32" },
      },
      description:
        "Must equal the commitment of the ProofConfig that TaskTerms.verifierConfigHash commits to; the chain checks the config, not this copy.",
    },
    qualityMetric: {
      type: "object",
      additionalProperties: false,
      required: ["name", "description"],
      properties: {
        name: { $ref: "#/$defs/name" },
        description: { $ref: "#/$defs/description" },
        unit: { type: "string", minLength: 1, maxLength: 32, pattern: "^\\S(?:.*\\S)?$" },
      },
    },
    compensation: {
      type: "object",
      additionalProperties: false,
      required: ["token", "reward"],
      properties: {
        token: {
          type: "string",
          pattern: "^(?:ETH|0x[0-9a-fA-F]{40})$",
          description:
            "ETH, or a non-zero ERC-20 address in its EIP-55 checksummed form (the zero address would be a second spelling of ETH).",
        },
        reward: {
          type: "string",
          pattern: "^[1-9][0-9]{0,38}$",
          description: "A positive decimal number of base units, at most 2^128 - 1.",
        },
        claim_bond: { $ref: "#/$defs/uint128" },
        verifier_fee: { $ref: "#/$defs/uint128" },
        milestones: {
          type: "array",
          minItems: 2,
          maxItems: MAX_MILESTONES,
          items: { $ref: "#/$defs/milestone" },
          description: `Shares summing to ${BPS} basis points.`,
        },
      },
    },
    milestone: {
      type: "object",
      additionalProperties: false,
      required: ["share_bps", "deliverable"],
      properties: {
        share_bps: { type: "integer", minimum: 1, maximum: BPS },
        deliverable: { $ref: "#/$defs/description" },
      },
    },
    taskReference: {
      type: "object",
      additionalProperties: false,
      required: ["task_id", "relation"],
      properties: {
        task_id: {
          type: "string",
          pattern: "^[1-9][0-9]{0,19}$",
          description: "A task id of the market in decimal, from 1 to 2^64 - 1.",
        },
        relation: { type: "string", enum: ["requires", "enables"] },
      },
    },
    metadata: {
      type: "object",
      additionalProperties: false,
      required: ["category"],
      properties: {
        category: {
          type: "string",
          maxLength: 64,
          pattern: `^${lowercaseWords}(?:/${lowercaseWords})*$`,
        },
        tags: {
          type: "array",
          maxItems: 16,
          uniqueItems: true,
          items: { $ref: "#/$defs/name" },
          description: "In strictly ascending order, so that a set of tags has one spelling.",
        },
        difficulty: { type: "string", enum: ["trivial", "easy", "medium", "hard", "expert"] },
        language: { type: "string", pattern: "^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?$" },
        extra: {
          type: "object",
          maxProperties: 64,
          description: "Any JSON object of at most 16 KiB in canonical form, nested at most 8 levels deep.",
        },
      },
    },
    embeddedSchema: {
      type: "object",
      description:
        "A JSON Schema (draft 2020-12) that compiles in Ajv's strict mode without fetching anything, of at most 64 KiB in canonical form, nested at most 16 levels deep.",
    },
    uint128: {
      type: "string",
      pattern: "^(?:0|[1-9][0-9]{0,38})$",
      description: "A decimal number of base units, at most 2^128 - 1.",
    },
    bytes32: { type: "string", pattern: "^0x[0-9a-f]{64}$" },
    utcTimestamp: {
      type: "string",
      format: "date-time",
      pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
    },
    capability: {
      type: "string",
      maxLength: 64,
      pattern: `^${lowercaseWords}:[a-z0-9]+(?:[-./][a-z0-9]+)*$`,
    },
    mediaType: {
      type: "string",
      maxLength: 127,
      pattern: "^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$",
    },
    name: { type: "string", maxLength: 32, pattern: `^${lowercaseWords}$` },
    description: {
      type: "string",
      minLength: 1,
      maxLength: TASK_DOCUMENT_LIMITS.maxDescriptionLength,
      pattern: "\\S",
    },
    notes: { type: "string", minLength: 1, maxLength: TASK_DOCUMENT_LIMITS.maxNotesLength, pattern: "\\S" },
  },
} as const;

/*
 * Type-level checks that the interfaces above say what the schema says: `SchemaType` reads the schema's types,
 * required fields, enums and constants, and each pair must be assignable both ways. A field added to one and not the
 * other, a field made optional in one only, or an enum value missing on either side fails to compile here.
 */
type Defs = (typeof TASK_DOCUMENT_SCHEMA)["$defs"];

type SchemaType<Schema> = Schema extends { $ref: `#/$defs/${infer Name extends keyof Defs}` }
  ? SchemaType<Defs[Name]>
  : Schema extends { const: infer Value }
    ? Value
    : Schema extends { enum: readonly (infer Value)[] }
      ? Value
      : Schema extends { type: "string" }
        ? string
        : Schema extends { type: "integer" | "number" }
          ? number
          : Schema extends { type: "array"; items: infer Items }
            ? SchemaType<Items>[]
            : Schema extends { type: "object"; properties: infer Properties }
              ? ObjectType<Properties, Schema extends { required: readonly (infer Key)[] } ? Key : never>
              : Schema extends { type: "object" }
                ? JsonObject
                : never;

type ObjectType<Properties, RequiredKey> = {
  -readonly [Key in keyof Properties & RequiredKey]: SchemaType<Properties[Key]>;
} & {
  -readonly [Key in Exclude<keyof Properties, RequiredKey>]?: SchemaType<Properties[Key]>;
};

type SameShape<A, B> = [A] extends [B] ? ([B] extends [A] ? KeysMatch<A, B> : false) : false;

/** Assignability overlooks an optional field present on one side only; this compares the fields at every level. */
type KeysMatch<A, B> = [A] extends [readonly (infer ItemA)[]]
  ? [B] extends [readonly (infer ItemB)[]]
    ? KeysMatch<ItemA, ItemB>
    : false
  : [A] extends [object]
    ? string extends keyof A
      ? string extends keyof B
        ? true
        : false
      : [keyof A] extends [keyof B]
        ? [keyof B] extends [keyof A]
          ? false extends {
              [Key in keyof A & keyof B]-?: KeysMatch<NonNullable<A[Key]>, NonNullable<B[Key]>>;
            }[keyof A & keyof B]
            ? false
            : true
          : false
        : false
    : true;
type Holds<Check extends true> = Check;

type SchemaAgreement = [
  Holds<SameShape<SchemaType<typeof TASK_DOCUMENT_SCHEMA>, TaskDocument>>,
  Holds<SameShape<SchemaType<Defs["inputConstraints"]>, InputConstraints>>,
  Holds<SameShape<SchemaType<Defs["executionRequirements"]>, ExecutionRequirements>>,
  Holds<SameShape<SchemaType<Defs["verificationCriteria"]>, VerificationCriteria>>,
  Holds<SameShape<SchemaType<Defs["compensation"]>, Compensation>>,
  Holds<SameShape<SchemaType<Defs["taskReference"]>, TaskReference>>,
  Holds<SameShape<SchemaType<Defs["metadata"]>, TaskMetadata>>,
  // The schema's names for executor kinds are exactly those mapped to `ExecutorKind` values.
  Holds<SameShape<SchemaType<Defs["executionRequirements"]["properties"]["executor_kind"]>, ExecutorKindName>>,
  // Every module with an EIP-712 domain is a verification method a document can name.
  Holds<ModuleKind extends VerificationMethod ? true : false>,
];
