// `POST /verify/{id}/challenge`: the OptimisticModule challenge of the submission a verification record checked, as a
// transaction for the challenger's wallet. The window and the deposit come from live state: the task must still be
// under review and unchallenged, and the deposit is the arbitrator's current cost plus the configured challenge bond.
import { createRoute } from "@hono/zod-openapi";

import type { ApiApp } from "../../app.ts";
import { problemResponses } from "../../problems.ts";
import type { ApiServices } from "../../services.ts";
import { ChallengeRequestSchema, ChallengeSchema, VerificationIdParamsSchema, challengeJson } from "./schemas.ts";

const route = createRoute({
  method: "post",
  path: "/verify/{id}/challenge",
  tags: ["Verification"],
  summary: "Prepare the optimistic challenge of a verified submission",
  description:
    "For a task verified by the OptimisticModule, prepares `challenge(taskId, terms, config)` for the submission the " +
    "verification record checked, with `value` the arbitrator's `arbitrationCost` plus the configuration's " +
    "`challengeBond`. 409 when the record is of an earlier submission, when the submission is already challenged, " +
    "or when its challenge window (the review window) has ended; 422 when the task is not verified optimistically " +
    "or the challenger is its executor. The executor then has 3 days to match the deposit.",
  request: {
    params: VerificationIdParamsSchema,
    body: { required: true, content: { "application/json": { schema: ChallengeRequestSchema } } },
  },
  responses: {
    200: { description: "The prepared challenge", content: { "application/json": { schema: ChallengeSchema } } },
    ...problemResponses(400, 404, 409, 422, 429, 502, 503, 504),
  },
});

export function registerChallengeRoute(app: ApiApp, services: ApiServices): void {
  app.openapi(route, async (c) => {
    const { id } = c.req.valid("param");
    const { challenger } = c.req.valid("json");
    const challenge = await services.verification.prepareChallenge(id, challenger);
    return c.json(challengeJson(challenge), 200);
  });
}
