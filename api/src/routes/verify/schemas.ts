// The Verification API's request and response shapes, shared by its routes: the output a caller sends, the
// verification record (checks, verdict, evidence and the signed attestation) and the prepared challenge.
import { z } from "@hono/zod-openapi";

import { AddressSchema, Bytes32Schema, HexSchema, PreparedTransactionSchema, TaskIdSchema } from "../../schemas.ts";
import type { ChallengePreparation, VerificationRecord } from "../../verification/verification-service.ts";

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const AddressJson = z.string().openapi({ description: "A checksummed address." });
const HashJson = z.string().openapi({ description: "32 bytes in lower-case hex.", pattern: "^0x[0-9a-f]{64}$" });
const DecimalJson = z.string().openapi({ pattern: "^[0-9]+$" });

export const VerificationIdParamsSchema = z.object({
  id: Bytes32Schema.openapi({
    param: { name: "id", in: "path" },
    description: "A verification id, as `POST /verify` returned it.",
    example: "0x5f0d3c1c4b2f1ae4f2fd6d1d1e7a0c58f3e7f1b0d1a6f5b2e1c9d8a7b6c5d4e3",
  }),
});

export const OutputSchema = z
  .discriminatedUnion("encoding", [
    z
      .object({
        encoding: z.literal("json"),
        value: z
          .unknown()
          .refine((value) => value !== undefined, { message: "is required (null is a JSON value)" })
          .openapi({ description: "Any JSON value; its hash is keccak256 of its RFC 8785 canonical JSON." }),
      })
      .strict(),
    z
      .object({
        encoding: z.literal("text"),
        value: z.string().openapi({ description: "Text; its hash is keccak256 of its UTF-8 bytes." }),
      })
      .strict(),
    z
      .object({
        encoding: z.literal("hex"),
        value: HexSchema.openapi({ description: "Raw bytes; their hash is keccak256 of the bytes." }),
      })
      .strict(),
    z
      .object({
        encoding: z.literal("base64"),
        value: z
          .string()
          .regex(BASE64, "must be padded standard base64")
          .openapi({ description: "Raw bytes in base64; their hash is keccak256 of the bytes." }),
      })
      .strict(),
  ])
  .openapi("SubmittedOutput", {
    description:
      "The output the executor submitted, in the form its `resultHash` was computed over: a JSON value (hashed in " +
      "canonical form), text (UTF-8) or raw bytes (hex or base64).",
  });

export const VerifyRequestSchema = z
  .object({
    taskId: TaskIdSchema.openapi({ description: "The task whose submission under review to verify, in decimal." }),
    output: OutputSchema,
  })
  .strict()
  .openapi("VerifyRequest");

const CheckSchema = z
  .object({
    check: z.enum(["output-hash", "json-schema", "hash-commitment", "acceptance-suite"]),
    passed: z.boolean(),
    conclusive: z.boolean().openapi({ description: "False when the check could not reach a verdict." }),
    summary: z.string(),
    details: z.record(z.string(), z.unknown()).openapi({
      description:
        "What the check found: the output's hash and size, schema errors, the commitment, or each acceptance test's result.",
    }),
  })
  .openapi("VerificationCheck");

const VerdictSchema = z
  .object({
    approved: z.boolean(),
    scoreBps: z.number().int().openapi({ description: "0 to 10000: the share of acceptance tests passed." }),
    conclusive: z
      .boolean()
      .openapi({ description: "Whether the checks reached a verdict; nothing is signed otherwise." }),
    summary: z.string(),
  })
  .openapi("VerificationVerdict");

const AttestationSchema = z
  .object({
    domain: z.object({
      name: z.string(),
      version: z.string(),
      chainId: z.number().int(),
      verifyingContract: AddressJson,
    }),
    message: z
      .object({
        taskId: DecimalJson,
        milestone: z.number().int(),
        submissionHash: HashJson,
        reviewDeadline: z.number().int(),
        approved: z.boolean(),
        scoreBps: z.number().int(),
        methodId: HashJson,
        evidenceHash: HashJson,
        deadline: DecimalJson,
        nonce: DecimalJson,
      })
      .openapi({ description: "The EIP-712 `Attestation` signed (primary type `Attestation`, IAttestationModule)." }),
    signer: AddressJson,
    digest: HashJson,
    signature: z.string().openapi({ description: "65 bytes, low s." }),
    verdict: z.object({ approved: z.boolean(), methodId: HashJson }),
    signedAttestation: z
      .object({
        signer: AddressJson,
        scoreBps: z.number().int(),
        evidenceHash: HashJson,
        deadline: DecimalJson,
        nonce: DecimalJson,
        signature: z.string(),
      })
      .openapi({ description: "`IAttestationModule.SignedAttestation`, as `submitVerdict` takes it." }),
    quorum: z.number().int(),
    transaction: PreparedTransactionSchema.nullable().openapi({
      description: "`submitVerdict` with this attestation alone, for a quorum of one; anyone may send it.",
    }),
    signedAt: z.string(),
  })
  .openapi("SignedAttestation");

export const VerificationRecordSchema = z
  .object({
    id: HashJson.openapi({ description: "The verification id (unique per task, milestone, submission and signer)." }),
    taskId: DecimalJson,
    milestone: z.number().int(),
    submissionHash: HashJson,
    reviewDeadline: z.number().int(),
    method: z.enum(["poster", "delegated", "review", "attestation", "optimistic", "proof"]),
    verifier: AddressJson.openapi({ description: "`terms.verifier`." }),
    signer: AddressJson.nullable(),
    verdict: VerdictSchema,
    checks: z.array(CheckSchema),
    evidence: z.record(z.string(), z.unknown()).openapi({
      description: "The evidence document; `evidenceHash` is keccak256 of its RFC 8785 canonical JSON.",
    }),
    evidenceHash: HashJson,
    signing: z.object({
      status: z.enum(["signed", "withheld", "unavailable", "not-applicable"]),
      reason: z.string().optional(),
    }),
    attestation: AttestationSchema.nullable(),
    createdAt: z.string(),
    evaluatedAt: z.string(),
  })
  .openapi("VerificationRecord");

export type VerificationRecordJson = z.infer<typeof VerificationRecordSchema>;

export function recordJson(record: VerificationRecord): VerificationRecordJson {
  return {
    ...record,
    taskId: record.taskId.toString(),
    checks: record.checks.map((check) => ({ ...check })),
    evidence: { ...record.evidence },
  };
}

export const ChallengeRequestSchema = z
  .object({
    challenger: AddressSchema.openapi({
      description: "The account that will send the challenge: anyone but the executor.",
    }),
  })
  .strict()
  .openapi("ChallengeRequest");

export const ChallengeSchema = z
  .object({
    verificationId: HashJson,
    taskId: DecimalJson,
    milestone: z.number().int(),
    submissionHash: HashJson,
    verdict: VerdictSchema,
    challenger: AddressJson,
    windowEnd: z.number().int().openapi({ description: "The end of the challenge window (the review deadline)." }),
    deposit: z.object({
      arbitrationCost: DecimalJson,
      challengeBond: DecimalJson,
      total: DecimalJson.openapi({ description: "What the transaction sends: arbitration cost plus challenge bond." }),
    }),
    arbitrator: AddressJson,
    transaction: PreparedTransactionSchema,
    block: z.object({ number: z.number().int(), hash: z.string(), timestamp: z.number().int() }),
  })
  .openapi("PreparedChallenge");

export function challengeJson(challenge: ChallengePreparation): z.infer<typeof ChallengeSchema> {
  return {
    ...challenge,
    taskId: challenge.taskId.toString(),
    deposit: {
      arbitrationCost: challenge.deposit.arbitrationCost.toString(),
      challengeBond: challenge.deposit.challengeBond.toString(),
      total: challenge.deposit.total.toString(),
    },
  };
}
