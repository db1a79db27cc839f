// Every error the API answers with has one shape: an RFC 9457 problem document (`application/problem+json`) with a
// stable `code` that clients branch on, a `title` that says what kind of problem it is, and a `detail` that says what
// went wrong with this request. Codes never change meaning; titles and details may be reworded.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The problems the API can answer with: each code, its HTTP status and its title. */
export const PROBLEMS = {
  invalid_request: { status: 400, title: "The request is not valid" },
  malformed_json: { status: 400, title: "The request body is not valid JSON" },
  invalid_document: { status: 400, title: "The task document is not valid" },
  terms_mismatch: { status: 400, title: "The task document and the requested terms disagree" },
  unauthorized: { status: 401, title: "A valid API key is required" },
  forbidden: { status: 403, title: "The API key may not do this" },
  not_found: { status: 404, title: "No such resource" },
  route_not_found: { status: 404, title: "No such route" },
  method_not_allowed: { status: 405, title: "The route does not accept this method" },
  invalid_transition: { status: 409, title: "The task cannot make this transition in its current state" },
  conflict: { status: 409, title: "The request conflicts with the current state" },
  payload_too_large: { status: 413, title: "The request body is too large" },
  unsupported_media_type: { status: 415, title: "The request body must be JSON" },
  unprocessable: { status: 422, title: "The request is well formed but cannot be carried out" },
  rate_limited: { status: 429, title: "Too many requests" },
  internal: { status: 500, title: "Internal error" },
  upstream_failed: { status: 502, title: "A service the API depends on failed" },
  unavailable: { status: 503, title: "A service the API depends on is unavailable" },
  upstream_timeout: { status: 504, title: "A service the API depends on did not answer in time" },
} as const satisfies Record<string, { status: ContentfulStatusCode; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

/** The problem document's `type`: a URN per code, stable and resolvable to docs/api.md#problems. */
export const problemType = (code: ProblemCode) => `urn:taskmarket:problem:${code}`;

export const PROBLEM_MEDIA_TYPE = "application/problem+json";

/** Thrown anywhere below a route; the app's error handler turns it into the response. */
export class ApiProblem extends Error {
  readonly code: ProblemCode;
  readonly status: ContentfulStatusCode;
  /** Extension members of the problem document (RFC 9457 §3.2), e.g. `currentState` or `errors`. */
  readonly extensions: Record<string, unknown>;
  /** Response headers that go with it, e.g. `Retry-After`. */
  readonly headers: Record<string, string>;

  constructor(
    code: ProblemCode,
    detail: string,
    options: { extensions?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = "ApiProblem";
    this.code = code;
    this.status = PROBLEMS[code].status;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail: string;
  instance?: string;
  [extension: string]: unknown;
}

export function problemDocument(problem: ApiProblem, instance?: string): ProblemDocument {
  return {
    ...problem.extensions,
    type: problemType(problem.code),
    title: PROBLEMS[problem.code].title,
    status: problem.status,
    code: problem.code,
    detail: problem.message,
    ...(instance === undefined ? {} : { instance }),
  };
}

/** Answers `c` with `problem`. */
export function respondWithProblem(c: Context, problem: ApiProblem): Response {
  const headers = new Headers(problem.headers);
  headers.set("content-type", PROBLEM_MEDIA_TYPE);
  return new Response(JSON.stringify(problemDocument(problem, c.req.path)), { status: problem.status, headers });
}

/** The problem document, for the OpenAPI description of every error response. */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: problemType("invalid_request") }),
    title: z.string(),
    status: z.number().int(),
    code: z.enum(Object.keys(PROBLEMS) as [ProblemCode, ...ProblemCode[]]),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: "With `invalid_request`: each invalid field and why." }),
  })
  .catchall(z.unknown())
  .openapi("Problem");

/** An OpenAPI response entry per status, all with the problem document. */
export function problemResponses<const S extends readonly number[]>(...statuses: S) {
  const responses: Record<string, { description: string; content: Record<string, { schema: typeof ProblemSchema }> }> =
    {};
  for (const status of statuses) {
    const titles = Object.values(PROBLEMS)
      .filter((problem) => problem.status === status)
      .map((problem) => problem.title);
    responses[status] = {
      description: titles.join("; ") || "Problem",
      content: { [PROBLEM_MEDIA_TYPE]: { schema: ProblemSchema } },
    };
  }
  return responses as {
    [K in S[number]]: { description: string; content: { [PROBLEM_MEDIA_TYPE]: { schema: typeof ProblemSchema } } };
  };
}
