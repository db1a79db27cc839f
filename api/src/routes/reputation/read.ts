// `GET /reputation/{id}`: an account's reputation as an executor — the score and the weights it is computed from,
// with the formula and its parameters, so that a client can check it — and as a poster, with the market's records
// and the ratings each side gave it.
import { createRoute, z } from "@hono/zod-openapi";

import type { ApiApp } from "../../app.ts";
import { ApiProblem, problemResponses } from "../../problems.ts";
import { AddressParamsSchema, ReadBlockSchema } from "../../schemas.ts";
import type { ApiServices } from "../../services.ts";
import {
  ExecutorRecordSchema,
  PosterRecordSchema,
  REPUTATION_FORMULA,
  REPUTATION_PARAMETERS,
  fetchAccountCore,
  toExecutorRecord,
  toPosterRecord,
} from "../../subgraph/account-queries.ts";
import { AddressJson, ExecutorKindNameSchema, blockReference } from "../../subgraph/task-views.ts";
import { checksum } from "../../subgraph/values.ts";

const Decimal = z.string().openapi({ example: "0.625" });

const RatingSchema = z
  .object({
    average: Decimal.nullable().openapi({ description: "ratingSum / ratingCount (1–5); null without ratings." }),
    count: z.number().int(),
    sum: z.number().int(),
  })
  .openapi("Rating");

const ReputationSchema = z
  .object({
    account: AddressJson,
    asExecutor: z.object({
      registered: z.boolean(),
      kind: ExecutorKindNameSchema.nullable(),
      active: z.boolean(),
      score: Decimal.openapi({ description: "Value-weighted success with a prior, from 0 to 1." }),
      scoreBps: z.number().int().openapi({ description: "The same score in basis points." }),
      inputs: z
        .object({
          successWeight: z.string().openapi({ description: "S, in millionths of a typical task." }),
          failureWeight: z.string().openapi({ description: "F, in millionths of a typical task." }),
          penaltyWeight: z.string().openapi({ description: "P, in millionths of a typical task." }),
          outcomes: z.number().int().openapi({ description: "How many outcomes entered the score." }),
        })
        .openapi("ReputationInputs"),
      record: ExecutorRecordSchema,
      rating: RatingSchema,
    }),
    asPoster: z.object({ record: PosterRecordSchema, rating: RatingSchema }),
    formula: z
      .object({
        expression: z.string(),
        weightUnit: z.number().int().openapi({ description: "The weight of one typical task of a token." }),
        maxOutcomeWeight: z.number().int(),
        priorWeight: z.number().int(),
        priorMeanBps: z.number().int(),
        disputeLossPenaltyBps: z.number().int(),
      })
      .openapi("ReputationFormula", {
        description:
          'How the score is computed (docs/subgraph.md, "Reputation score"): each outcome weighs its amount over ' +
          "the average reward of its token, capped; ratings do not enter the score.",
      }),
    block: ReadBlockSchema,
  })
  .openapi("Reputation");

const route = createRoute({
  method: "get",
  path: "/reputation/{id}",
  tags: ["Reputation"],
  summary: "Read an account's reputation score and its inputs, as executor and as poster",
  description:
    "The executor score the indexer keeps (basis points and decimal) with the success, failure and penalty weights " +
    "it is computed from and the formula's parameters; the market's executor and poster records; the average " +
    "ratings received in each role. 404 for an address the protocol has never named.",
  request: { params: AddressParamsSchema },
  responses: {
    200: { description: "The account's reputation", content: { "application/json": { schema: ReputationSchema } } },
    ...problemResponses(400, 404, 502, 503, 504),
  },
});

export function registerReputationReadRoute(app: ApiApp, services: ApiServices): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const { account, block } = await fetchAccountCore(services.subgraph, id);
    if (account === null) throw new ApiProblem("not_found", `The protocol has never seen the account ${id}.`);
    const executorRecord = account.executorRecord;
    const posterRecord = account.posterRecord;
    return c.json(
      {
        account: checksum(account.id),
        asExecutor: {
          registered: account.isExecutor,
          kind: account.isExecutor ? account.executorKind : null,
          active: account.active,
          score: account.reputationScore,
          scoreBps: account.reputationScoreBps,
          inputs: {
            successWeight: account.reputationSuccessWeight,
            failureWeight: account.reputationFailureWeight,
            penaltyWeight: account.reputationPenaltyWeight,
            outcomes: account.reputationOutcomes,
          },
          record: toExecutorRecord(executorRecord),
          rating: {
            average: account.executorRating,
            count: executorRecord.ratingCount,
            sum: executorRecord.ratingSum,
          },
        },
        asPoster: {
          record: toPosterRecord(posterRecord),
          rating: { average: account.posterRating, count: posterRecord.ratingCount, sum: posterRecord.ratingSum },
        },
        formula: { expression: REPUTATION_FORMULA, ...REPUTATION_PARAMETERS },
        block: { indexed: blockReference(block) },
      },
      200,
    );
  });
}
