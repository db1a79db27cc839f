// The Hono application: middleware that every request passes (request id, secure headers, CORS allowlist, body
// limit, rate limit), the routes of the product page in their groups, the OpenAPI document they generate, and one error
// path that turns anything thrown into an RFC 9457 problem. `createApp` builds it over services; server.ts serves it.
import { OpenAPIHono, type Hook } from "@hono/zod-openapi";
import { swaggerUI } from "@hono/swagger-ui";
import type { Env } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { ContentfulStatusCode } from "hono/utils/http-status";

import { ApiProblem, PROBLEMS, respondWithProblem, type ProblemCode } from "./problems.ts";
import { registerAgentRoutes } from "./routes/agents/index.ts";
import { registerHealthRoutes } from "./routes/health.ts";
import { registerReputationRoutes } from "./routes/reputation/index.ts";
import { registerSettlementRoutes } from "./routes/settlement/index.ts";
import { registerTaskRoutes } from "./routes/tasks/index.ts";
import { registerVerificationRoutes } from "./routes/verify/index.ts";
import type { ApiKeyRecord } from "./security/api-keys.ts";
import { rateLimit } from "./security/rate-limit.ts";
import type { ApiServices } from "./services.ts";

export const API_VERSION = "0.1.0";

export interface ApiEnv extends Env {
  Variables: {
    requestId: string;
    /** The API key the request authenticated with, set by `requireApiKey`. */
    apiKey?: ApiKeyRecord;
  };
}

export type ApiApp = OpenAPIHono<ApiEnv>;

/** A request that fails its schema: 400 with every invalid field, never the handler. */
const validationHook: Hook<unknown, ApiEnv, string, unknown> = (result, c) => {
  if (result.success) return;
  const errors = result.error.issues.map((issue) => ({
    path: [result.target, ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
  const summary = errors
    .slice(0, 3)
    .map((error) => `${error.path}: ${error.message}`)
    .join("; ");
  return respondWithProblem(
    c,
    new ApiProblem("invalid_request", `Invalid ${result.target}: ${summary}${errors.length > 3 ? "; …" : ""}`, {
      extensions: { errors },
    }),
  );
};

/** A fresh application with its own routes, all sharing `services`. */
export function createApp(services: ApiServices): ApiApp {
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook });
  const { config } = services;

  app.use("*", requestId());
  app.use("*", secureHeaders());
  app.use(
    "*",
    cors({
      origin: config.corsOrigins.includes("*") ? "*" : config.corsOrigins,
      allowMethods: ["GET", "POST", "PATCH", "OPTIONS"],
      allowHeaders: ["content-type", "authorization", "x-api-key"],
      exposeHeaders: ["x-request-id", "retry-after", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"],
      maxAge: 600,
    }),
  );
  app.use(
    "*",
    bodyLimit({
      maxSize: config.bodyLimitBytes,
      onError: (c) =>
        respondWithProblem(
          c,
          new ApiProblem("payload_too_large", `Request bodies are limited to ${config.bodyLimitBytes} bytes.`),
        ),
    }),
  );
  app.use("*", rateLimit(services));

  registerHealthRoutes(app, services);
  registerTaskRoutes(app, services);
  registerAgentRoutes(app, services);
  registerVerificationRoutes(app, services);
  registerReputationRoutes(app, services);
  registerSettlementRoutes(app, services);

  app.openAPIRegistry.registerComponent("securitySchemes", "ApiKey", {
    type: "apiKey",
    in: "header",
    name: "x-api-key",
    description: "An API key made with `npm run api -- keys create`; required by the signing and relay routes.",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "TaskMarket API",
      version: API_VERSION,
      description:
        "Composed reads over the TaskMarket indexer and chain, prepared transactions for wallets and agents, task " +
        "documents, and the verification service that signs attestations. Errors are RFC 9457 problem documents.",
      license: { name: "MIT" },
    },
  });
  app.get("/docs", swaggerUI({ url: "/openapi.json", title: "TaskMarket API" }));

  app.notFound((c) =>
    respondWithProblem(c, new ApiProblem("route_not_found", `No route answers ${c.req.method} ${c.req.path}.`)),
  );
  app.onError((error, c) => {
    if (error instanceof ApiProblem) return respondWithProblem(c, error);
    if (error instanceof HTTPException) {
      // Hono's JSON validator throws this before the schema sees the body.
      const code = /malformed json/i.test(error.message) ? "malformed_json" : problemCodeForStatus(error.status);
      const detail =
        code === "unsupported_media_type"
          ? `Send the body as application/json (got ${c.req.header("content-type") ?? "no content type"}).`
          : error.message || PROBLEMS[code].title;
      return respondWithProblem(c, new ApiProblem(code, detail));
    }
    services.log.error("unhandled error", {
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      error: error instanceof Error ? error.stack : String(error),
    });
    return respondWithProblem(
      c,
      new ApiProblem("internal", `Something went wrong on our side (request ${c.get("requestId")}).`),
    );
  });
  return app;
}

function problemCodeForStatus(status: ContentfulStatusCode | number): ProblemCode {
  const exact = (Object.keys(PROBLEMS) as ProblemCode[]).find((code) => PROBLEMS[code].status === status);
  if (exact) return exact;
  return status >= 500 ? "internal" : "invalid_request";
}
