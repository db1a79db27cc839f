// How a failure ends the command: one line that says what went wrong, in the words of whoever refused (the API's
// problem code, the contract's custom error), and an exit code a script can branch on.
import { BaseError } from "viem";

import {
  InvalidTaskDocumentError,
  TaskMarketApiError,
  TaskMarketContractError,
  TaskMarketTransactionError,
  TaskNotFoundError,
  TaskTermsError,
} from "../../sdk/src/index.ts";

export const EXIT_CODES = {
  /** Done. */
  ok: 0,
  /** Something unexpected: a bug, or a failure none of the codes below describes. */
  unexpected: 1,
  /** The command line or the configuration is wrong: an unknown option, a missing key or URL, an unreadable file. */
  usage: 2,
  /** The request was refused before anything was sent: the API's 4xx problem, an invalid document, no such task. */
  refused: 3,
  /** The chain refused: the call would revert (nothing was signed), or a sent transaction reverted. */
  reverted: 4,
  /** A service did not answer: the API (5xx), the chain's RPC endpoint, or a wait that timed out. */
  unavailable: 5,
} as const;

/** A mistake in the command line or the configuration: exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A request the command refuses itself, for the same reasons the API would (exits 3 with `code`). */
export class RefusedError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = "RefusedError";
    this.code = code;
    this.details = details;
  }
}

/** A wait for a service that did not end in time (exits 5). */
export class UnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnavailableError";
  }
}

export interface DescribedFailure {
  exitCode: number;
  /** One line, for stderr. */
  line: string;
  /** The same for `--json`. */
  json: Record<string, unknown>;
}

export function describeFailure(error: unknown): DescribedFailure {
  if (error instanceof UsageError) {
    return { exitCode: EXIT_CODES.usage, line: error.message, json: { kind: "usage", message: error.message } };
  }
  if (error instanceof RefusedError) {
    return {
      exitCode: EXIT_CODES.refused,
      line: `${error.code}: ${error.message}`,
      json: { kind: "refused", code: error.code, message: error.message, ...error.details },
    };
  }
  if (error instanceof TaskMarketApiError) {
    const hints: string[] = [];
    const { extensions } = error;
    if (Array.isArray(extensions.allowed)) {
      hints.push(`Allowed now: ${extensions.allowed.length === 0 ? "none" : extensions.allowed.join(", ")}`);
    }
    if (Array.isArray(extensions.errors)) hints.push(`Fields: ${fieldErrors(extensions.errors)}`);
    const detail = [error.detail, ...hints]
      .filter((part) => part !== "")
      .map((part) => (/[.!?]$/.test(part) ? part : `${part}.`))
      .join(" ");
    return {
      exitCode: error.status >= 500 ? EXIT_CODES.unavailable : EXIT_CODES.refused,
      line: `the API refused with ${error.status} ${error.code}: ${detail}`,
      json: {
        kind: "api",
        status: error.status,
        code: error.code,
        title: error.title,
        detail: error.detail,
        ...extensions,
      },
    };
  }
  if (error instanceof TaskMarketContractError) {
    const args = error.args.map((argument) => (typeof argument === "bigint" ? argument.toString() : argument));
    return {
      exitCode: EXIT_CODES.reverted,
      line: `the chain would revert (nothing was sent): ${error.message}`,
      json: {
        kind: "revert",
        errorName: error.errorName,
        args,
        contract: error.contract,
        functionName: error.functionName,
        data: error.data,
      },
    };
  }
  if (error instanceof TaskMarketTransactionError) {
    return {
      exitCode: EXIT_CODES.reverted,
      line: error.message,
      json: { kind: "reverted", transactionHash: error.transactionHash, message: error.message },
    };
  }
  if (error instanceof InvalidTaskDocumentError) {
    return {
      exitCode: EXIT_CODES.refused,
      line: `invalid_document: ${error.message}`,
      json: { kind: "refused", code: "invalid_document", message: error.message, errors: error.errors },
    };
  }
  if (error instanceof TaskTermsError || error instanceof TaskNotFoundError) {
    const code = error instanceof TaskNotFoundError ? "not_found" : "terms_mismatch";
    return {
      exitCode: EXIT_CODES.refused,
      line: `${code}: ${error.message}`,
      json: { kind: "refused", code, message: error.message },
    };
  }
  if (error instanceof UnavailableError) {
    return {
      exitCode: EXIT_CODES.unavailable,
      line: error.message,
      json: { kind: "unavailable", message: error.message },
    };
  }
  if (isConnectionFailure(error)) {
    const message = `cannot reach ${connectionTarget(error)}: ${shortMessage(error)}`;
    return { exitCode: EXIT_CODES.unavailable, line: message, json: { kind: "unavailable", message } };
  }
  const message = shortMessage(error);
  return { exitCode: EXIT_CODES.unexpected, line: message, json: { kind: "unexpected", message } };
}

function fieldErrors(errors: readonly unknown[]): string {
  const listed = errors.slice(0, 3).map((entry) => {
    const { path, message } = entry as { path?: string; message?: string };
    return `${path || "(document)"} ${message ?? ""}`.trim();
  });
  return `${listed.join("; ")}${errors.length > 3 ? `; and ${errors.length - 3} more` : ""}`;
}

/** A failed `fetch` (Node's "fetch failed" with the socket error as its cause) or viem's HTTP request error. */
function isConnectionFailure(error: unknown): boolean {
  if (error instanceof BaseError) {
    return error.walk((cause) => (cause as { name?: string }).name === "HttpRequestError") !== null;
  }
  return error instanceof TypeError && error.message === "fetch failed";
}

function connectionTarget(error: unknown): string {
  if (error instanceof BaseError) {
    const http = error.walk((cause) => (cause as { name?: string }).name === "HttpRequestError") as {
      url?: string;
    } | null;
    return http?.url === undefined ? "the chain's RPC endpoint" : `the chain's RPC endpoint ${http.url}`;
  }
  return "the API";
}

function shortMessage(error: unknown): string {
  if (error instanceof BaseError) return error.shortMessage;
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}
