// JSON-RPC over HTTP for the chain source: single calls and batches, each request bounded by a timeout, transient
// failures retried with exponential backoff a bounded number of times, and every failure surfaced as an `RpcError`
// that says which method failed, how, and after how many attempts.
//
// The endpoint URL is never written into an error or a log line: providers put API keys in it.
import { setTimeout as sleep } from "node:timers/promises";

/** How a request failed. */
export type RpcFailureKind =
  /** The node answered with a JSON-RPC error object. */
  | "response"
  /** The endpoint answered with an HTTP error status. */
  | "http"
  /** No answer: connection refused or reset, DNS failure, a body cut short. */
  | "network"
  /** No answer within the request timeout. */
  | "timeout"
  /** An answer that is not what JSON-RPC promises: not JSON, a batch answer that is not a list, a wrong result. */
  | "invalid"
  /** The client was closed while the request was under way. */
  | "closed";

export interface RpcErrorDetails {
  kind: RpcFailureKind;
  /** The JSON-RPC error code, when the node answered with an error object. */
  code?: number;
  /** The JSON-RPC error's `data`, when present. */
  data?: unknown;
  /** The HTTP status, when the endpoint answered with an error status. */
  httpStatus?: number;
  /** Whether trying again later may succeed. */
  transient: boolean;
  /** How many times the request was sent. */
  attempts?: number;
  /** How long the endpoint asked to wait before the next request (HTTP `Retry-After`). */
  retryAfterMs?: number;
  cause?: unknown;
}

export class RpcError extends Error {
  override name = "RpcError";
  readonly method: string;
  readonly kind: RpcFailureKind;
  readonly code: number | undefined;
  readonly data: unknown;
  readonly httpStatus: number | undefined;
  readonly transient: boolean;
  readonly attempts: number;
  readonly retryAfterMs: number | undefined;
  /** The failure without the method and attempt count around it, for classifying provider messages. */
  readonly reason: string;

  constructor(method: string, reason: string, details: RpcErrorDetails) {
    const attempts = details.attempts ?? 1;
    const after = attempts > 1 ? ` after ${attempts} attempts` : "";
    super(`${method} failed${after}: ${reason}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.method = method;
    this.reason = reason;
    this.kind = details.kind;
    this.code = details.code;
    this.data = details.data;
    this.httpStatus = details.httpStatus;
    this.transient = details.transient;
    this.attempts = attempts;
    this.retryAfterMs = details.retryAfterMs;
  }

  /** The same failure, counted over `attempts` sends. */
  withAttempts(attempts: number): RpcError {
    return new RpcError(this.method, this.reason, {
      kind: this.kind,
      code: this.code,
      data: this.data,
      httpStatus: this.httpStatus,
      transient: this.transient,
      attempts,
      retryAfterMs: this.retryAfterMs,
      cause: this.cause,
    });
  }
}

export interface RpcRequest {
  method: string;
  params: unknown[];
}

export interface RpcClientOptions {
  url: string;
  timeoutMs: number;
  /** How many times a transiently failing request is sent again before its error is thrown. */
  retries: number;
  /** The first backoff delay; each further retry doubles it, up to {@link MAX_BACKOFF_MS}. */
  retryBaseDelayMs: number;
  logger?: (message: string) => void;
}

export interface CallOptions {
  /**
   * Timeouts are retried unless this is false: a caller that can make the request lighter (a smaller log range)
   * wants to know at once.
   */
  retryTimeouts?: boolean;
  /** Failures the caller handles itself, thrown at once even when they look transient. */
  handledByCaller?: (error: RpcError) => boolean;
}

export interface BatchOptions {
  /**
   * Checks one result. A returned message marks the answer as wrong: the request is sent again like a transient
   * failure (a load-balanced endpoint may have asked a node that lags behind), and the message becomes the error once
   * the attempts run out.
   */
  validate?: (result: unknown, request: RpcRequest) => string | undefined;
}

const MAX_BACKOFF_MS = 10_000;
/** The longest pause a `Retry-After` header gets: one odd header must not stall indexing for hours. */
const MAX_RETRY_AFTER_MS = 60_000;
/** How much of an HTTP error body goes into the error message. */
const ERROR_BODY_PREVIEW = 300;

interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

interface JsonRpcResponse {
  id: unknown;
  result?: unknown;
  error?: JsonRpcErrorObject;
}

/** JSON-RPC error codes that mean "not now" rather than "never". */
const TRANSIENT_CODES = new Set([
  -32005, // limit exceeded (EIP-1474): rate limits, request quotas
  -32603, // internal error: a node under load, a backend briefly unavailable
  429,
]);
const TRANSIENT_MESSAGE =
  /rate.?limit|too many requests|request (count|rate)|exceeded .*(capacity|quota|throughput|credits)|try again|temporar|unavailable|timed? ?out|overloaded|busy|no backend|header not found/i;

export class JsonRpcClient {
  readonly #options: RpcClientOptions;
  /** Aborts every request under way and every backoff pause when the client closes. */
  readonly #closed = new AbortController();
  #nextId = 1;
  /** The largest batch the endpoint accepts, as far as its refusals showed. */
  #maxBatch = Number.POSITIVE_INFINITY;

  constructor(options: RpcClientOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new Error("The RPC URL is not a valid URL.");
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new Error(`The RPC URL must use http or https, not ${url.protocol.replace(/:$/, "")}.`);
    }
    for (const [name, value] of [
      ["timeout", options.timeoutMs],
      ["retry delay", options.retryBaseDelayMs],
    ] as const) {
      if (!Number.isFinite(value) || value <= 0) throw new Error(`The RPC ${name} must be a positive number.`);
    }
    if (!Number.isInteger(options.retries) || options.retries < 0) {
      throw new Error(`The RPC retry count must be a non-negative integer, got ${options.retries}.`);
    }
    this.#options = options;
  }

  get closed(): boolean {
    return this.#closed.signal.aborted;
  }

  close(): void {
    this.#closed.abort();
  }

  /** Sends one request; retries transient failures; throws an `RpcError` once they are exhausted or on any other. */
  async call<T>(method: string, params: unknown[], options: CallOptions = {}): Promise<T> {
    const attempts = this.#options.retries + 1;
    for (let attempt = 1; ; attempt++) {
      let error: RpcError;
      try {
        const id = this.#nextId++;
        const answer = await this.#post(method, { jsonrpc: "2.0", id, method, params });
        const response = checkResponse(method, answer, id);
        if (response.error) throw responseError(method, response.error);
        return response.result as T;
      } catch (caught) {
        if (!(caught instanceof RpcError)) throw caught;
        error = caught;
      }
      if (
        !error.transient ||
        attempt === attempts ||
        options.handledByCaller?.(error) === true ||
        (error.kind === "timeout" && options.retryTimeouts === false)
      ) {
        throw error.withAttempts(attempt);
      }
      await this.#backoff(error, attempt, attempts);
    }
  }

  /**
   * Sends the requests as one JSON-RPC batch and returns their results in request order. Requests that fail
   * transiently are sent again (only those), up to the retry limit; any other failure throws. An endpoint that
   * refuses the batch as a whole has it split in halves, down to single requests.
   */
  async batch<T>(requests: readonly RpcRequest[], options: BatchOptions = {}): Promise<T[]> {
    const results = new Array<T>(requests.length);
    /** Indexes still without a result. */
    let pending = requests.map((_, index) => index);
    const attempts = this.#options.retries + 1;
    /** The batch size of this round: halved after a timeout, since a batch too heavy to answer in time stays so. */
    let size = Number.POSITIVE_INFINITY;
    for (let attempt = 1; ; attempt++) {
      const failures: { index: number; error: RpcError }[] = [];
      await this.#sendRound(requests, pending, Math.min(size, this.#maxBatch), results, failures, options);
      if (failures.length === 0) return results;
      const fatal = failures.find(({ error }) => !error.transient);
      if (fatal) throw fatal.error.withAttempts(attempt);
      if (attempt === attempts) throw failures[0].error.withAttempts(attempt);
      if (failures.some(({ error }) => error.kind === "timeout")) size = Math.ceil(Math.min(size, failures.length) / 2);
      pending = failures.map(({ index }) => index);
      // Wait as long as the most demanding `Retry-After` among the failures asks.
      const slowest = failures.reduce((longest, failure) =>
        (failure.error.retryAfterMs ?? 0) > (longest.error.retryAfterMs ?? 0) ? failure : longest,
      );
      await this.#backoff(slowest.error, attempt, attempts, failures.length);
    }
  }

  async #sendBatch<T>(
    requests: readonly RpcRequest[],
    indexes: number[],
    results: T[],
    failures: { index: number; error: RpcError }[],
    options: BatchOptions,
  ): Promise<void> {
    const label = batchLabel(requests, indexes);
    if (indexes.length === 1) {
      // A batch of one is sent as a plain request: some endpoints accept those but no batches at all.
      const index = indexes[0];
      const { method, params } = requests[index];
      try {
        const id = this.#nextId++;
        const response = checkResponse(method, await this.#post(method, { jsonrpc: "2.0", id, method, params }), id);
        this.#settle(requests[index], index, response, results, failures, options);
      } catch (error) {
        if (!(error instanceof RpcError)) throw error;
        failures.push({ index, error });
      }
      return;
    }
    const ids = new Map<number, number>();
    const body = indexes.map((index) => {
      const id = this.#nextId++;
      ids.set(id, index);
      return { jsonrpc: "2.0", id, method: requests[index].method, params: requests[index].params };
    });
    let answer: unknown;
    try {
      answer = await this.#post(label, body);
    } catch (error) {
      if (!(error instanceof RpcError)) throw error;
      // 413 (payload too large) and 400 are how some endpoints refuse a batch that is too big.
      if (error.kind === "http" && (error.httpStatus === 413 || error.httpStatus === 400)) {
        return await this.#splitBatch(requests, indexes, results, failures, options);
      }
      for (const index of indexes) failures.push({ index, error });
      return;
    }
    if (!Array.isArray(answer)) {
      // One error object for the whole batch: batches refused, or this one too large.
      const refusal = isErrorObject(answer) ? responseError(label, answer.error) : undefined;
      if (refusal && !refusal.transient) return await this.#splitBatch(requests, indexes, results, failures, options);
      const error =
        refusal ?? new RpcError(label, "the batch answer is not a list", { kind: "invalid", transient: true });
      for (const index of indexes) failures.push({ index, error });
      return;
    }
    const answered = new Set<number>();
    for (const item of answer) {
      const id = typeof item === "object" && item !== null ? (item as JsonRpcResponse).id : undefined;
      const index = typeof id === "number" ? ids.get(id) : undefined;
      if (index === undefined || answered.has(index)) {
        throw new RpcError(label, `the batch answer holds an unknown or repeated id ${JSON.stringify(id)}`, {
          kind: "invalid",
          transient: false,
        });
      }
      answered.add(index);
      try {
        this.#settle(
          requests[index],
          index,
          checkResponse(requests[index].method, item, id as number),
          results,
          failures,
          options,
        );
      } catch (error) {
        if (!(error instanceof RpcError)) throw error;
        failures.push({ index, error });
      }
    }
    // Some endpoints drop the requests over their rate limit from a batch answer instead of answering them with an
    // error: send them again.
    for (const index of indexes) {
      if (!answered.has(index)) {
        failures.push({
          index,
          error: new RpcError(requests[index].method, "no answer to this request in the batch answer", {
            kind: "invalid",
            transient: true,
          }),
        });
      }
    }
  }

  async #splitBatch<T>(
    requests: readonly RpcRequest[],
    indexes: number[],
    results: T[],
    failures: { index: number; error: RpcError }[],
    options: BatchOptions,
  ): Promise<void> {
    this.#lowerBatchLimit(indexes.length);
    // Pieces of the size the endpoint is now believed to take: half of this batch, or less when a concurrent batch
    // has lowered the limit since this one was sent.
    const size = this.#maxBatch;
    for (let start = 0; start < indexes.length; start += size) {
      await this.#sendBatch(requests, indexes.slice(start, start + size), results, failures, options);
    }
  }

  /** Remembered, so that later batches do not have to fail first. */
  #lowerBatchLimit(failedSize: number): void {
    // A batch sent before the limit was lowered, and refused for being over it, says nothing new about the limit.
    if (failedSize > this.#maxBatch) return;
    const half = Math.ceil(failedSize / 2);
    if (half >= this.#maxBatch) return;
    this.#maxBatch = half;
    this.#options.logger?.(
      `The RPC endpoint refused a batch of ${failedSize} requests; sending at most ${half} at a time.`,
    );
  }

  /** Sends the requests at `indexes` in batches no larger than the endpoint has accepted so far. */
  async #sendRound<T>(
    requests: readonly RpcRequest[],
    indexes: number[],
    size: number,
    results: T[],
    failures: { index: number; error: RpcError }[],
    options: BatchOptions,
  ): Promise<void> {
    const chunks: number[][] = [];
    for (let start = 0; start < indexes.length; start += size) chunks.push(indexes.slice(start, start + size));
    await Promise.all(chunks.map((chunk) => this.#sendBatch(requests, chunk, results, failures, options)));
  }

  #settle<T>(
    request: RpcRequest,
    index: number,
    response: JsonRpcResponse,
    results: T[],
    failures: { index: number; error: RpcError }[],
    options: BatchOptions,
  ): void {
    if (response.error) {
      failures.push({ index, error: responseError(request.method, response.error) });
      return;
    }
    const problem = options.validate?.(response.result, request);
    if (problem !== undefined) {
      failures.push({ index, error: new RpcError(request.method, problem, { kind: "invalid", transient: true }) });
      return;
    }
    results[index] = response.result as T;
  }

  /** One HTTP round trip: the parsed JSON body, or an `RpcError` describing why there is none. */
  async #post(method: string, body: unknown): Promise<unknown> {
    if (this.closed) throw new RpcError(method, "the chain source is closed", { kind: "closed", transient: false });
    const timeout = AbortSignal.timeout(this.#options.timeoutMs);
    const signal = AbortSignal.any([timeout, this.#closed.signal]);
    let text: string;
    let response: Response;
    try {
      response = await fetch(this.#options.url, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(body),
        signal,
        // Connections are kept alive by fetch's default agent; nothing to set.
      });
      // The timeout covers the body too: a node that sends headers and then stalls must not hang the indexer.
      text = await response.text();
    } catch (error) {
      throw this.#transportError(method, error, timeout);
    }
    if (!response.ok) {
      const status = response.status;
      const transient = status === 408 || status === 425 || status === 429 || status >= 500;
      const preview = text.trim().slice(0, ERROR_BODY_PREVIEW);
      // Some endpoints answer a JSON-RPC error with an HTTP error status; keep its code and message.
      const parsed = tryParse(text);
      if (isErrorObject(parsed) && !transient) throw responseError(method, parsed.error, status);
      throw new RpcError(method, `HTTP ${status} ${response.statusText}${preview ? `: ${preview}` : ""}`, {
        kind: "http",
        httpStatus: status,
        transient,
        retryAfterMs: retryAfter(response.headers.get("retry-after")),
      });
    }
    try {
      return JSON.parse(text);
    } catch {
      // A proxy or gateway page in front of the node, or a body cut short: worth another try.
      throw new RpcError(method, `the answer is not JSON: ${text.trim().slice(0, ERROR_BODY_PREVIEW)}`, {
        kind: "invalid",
        transient: true,
      });
    }
  }

  #transportError(method: string, error: unknown, timeout: AbortSignal): RpcError {
    if (this.closed) return new RpcError(method, "the chain source is closed", { kind: "closed", transient: false });
    if (timeout.aborted) {
      return new RpcError(method, `no answer within ${this.#options.timeoutMs} ms`, {
        kind: "timeout",
        transient: true,
      });
    }
    // fetch reports every network failure as "fetch failed"; the reason (ECONNREFUSED, ECONNRESET…) is its cause.
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
    return new RpcError(method, `the endpoint could not be reached (${reason})`, {
      kind: "network",
      transient: true,
      cause: error,
    });
  }

  async #backoff(error: RpcError, attempt: number, attempts: number, requests = 1): Promise<void> {
    const exponential = Math.min(MAX_BACKOFF_MS, this.#options.retryBaseDelayMs * 2 ** (attempt - 1));
    // Jitter spreads the retries of concurrent requests so that they do not hit a rate limit together again.
    const delay = Math.max(exponential * (0.5 + Math.random() / 2), error.retryAfterMs ?? 0);
    const what = requests > 1 ? `${requests} requests of ${error.method}` : error.method;
    this.#options.logger?.(
      `${what}: ${error.reason}; retrying in ${(delay / 1000).toFixed(1)} s (attempt ${attempt + 1} of ${attempts}).`,
    );
    try {
      await sleep(delay, undefined, { signal: this.#closed.signal });
    } catch {
      throw new RpcError(error.method, "the chain source is closed", { kind: "closed", transient: false });
    }
  }
}

/** Whether a JSON-RPC error object means "not now" rather than "never". */
export function isTransientResponse(code: number | undefined, message: string): boolean {
  return (code !== undefined && TRANSIENT_CODES.has(code)) || TRANSIENT_MESSAGE.test(message);
}

function responseError(method: string, error: JsonRpcErrorObject, httpStatus?: number): RpcError {
  const code = typeof error.code === "number" ? error.code : undefined;
  const message = typeof error.message === "string" ? error.message : JSON.stringify(error);
  return new RpcError(method, `${message}${code === undefined ? "" : ` (code ${code})`}`, {
    kind: "response",
    code,
    data: error.data,
    httpStatus,
    transient: isTransientResponse(code, message),
  });
}

function checkResponse(method: string, answer: unknown, id: number): JsonRpcResponse {
  if (typeof answer !== "object" || answer === null || Array.isArray(answer)) {
    throw new RpcError(method, "the answer is not a JSON-RPC response object", { kind: "invalid", transient: true });
  }
  const response = answer as JsonRpcResponse;
  if (response.error !== undefined) {
    if (typeof response.error !== "object" || response.error === null) {
      throw new RpcError(method, `malformed JSON-RPC error ${JSON.stringify(response.error)}`, {
        kind: "invalid",
        transient: false,
      });
    }
    return response;
  }
  if (response.id !== id) {
    throw new RpcError(method, `the answer is for request ${JSON.stringify(response.id)}, not ${id}`, {
      kind: "invalid",
      transient: false,
    });
  }
  if (!("result" in response)) {
    throw new RpcError(method, "the answer has neither a result nor an error", { kind: "invalid", transient: true });
  }
  return response;
}

function isErrorObject(value: unknown): value is { error: JsonRpcErrorObject } {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { error?: unknown }).error === "object" &&
    (value as { error?: unknown }).error !== null
  );
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function retryAfter(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  const milliseconds = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  if (!Number.isFinite(milliseconds) || milliseconds <= 0) return undefined;
  return Math.min(milliseconds, MAX_RETRY_AFTER_MS);
}

/** Names a batch after the methods in it, for messages: `eth_getBlockByNumber ×50`. */
function batchLabel(requests: readonly RpcRequest[], indexes: number[]): string {
  const counts = new Map<string, number>();
  for (const index of indexes) counts.set(requests[index].method, (counts.get(requests[index].method) ?? 0) + 1);
  return [...counts].map(([method, count]) => (count === 1 ? method : `${method} ×${count}`)).join(", ");
}
