// The indexer's GraphQL, as the API reads it: the local graph node or a Graph gateway, the same queries either way.
// Every query asks for `_meta` beside its data, so each answer says which block it reflects. Failures become problems:
// the indexer unreachable is a 503, slow a 504, and an error in its answer a 502, never a silent empty result.
//
// Requests go through node:http(s) on kept-alive connections rather than `fetch`: every read of the API makes one, and
// fetch's streams and header objects cost more CPU than the rest of the exchange.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

import { ApiProblem } from "../problems.ts";

export interface IndexedBlock {
  number: number;
  hash: string;
  timestamp: number | null;
}

export interface SubgraphAnswer<T> {
  data: T;
  block: IndexedBlock;
  hasIndexingErrors: boolean;
}

const META_SELECTION = "_meta { block { number hash timestamp } hasIndexingErrors }";

export class SubgraphClient {
  readonly url: string;
  readonly #target: URL;
  readonly #timeoutMs: number;
  #lastHead: IndexedBlock | undefined;

  constructor(url: string, options: { timeoutMs?: number } = {}) {
    this.url = url;
    this.#target = new URL(url);
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * Runs `selection` (the fields inside the query's braces, with `$variables` declared in `variableDefinitions`,
   * e.g. `($id: ID!)`) together with `_meta`, in one request, so that the data and the block come from one snapshot.
   */
  async query<T>(
    selection: string,
    variables: Record<string, unknown> = {},
    variableDefinitions = "",
  ): Promise<SubgraphAnswer<T>> {
    const query = `query ${variableDefinitions} { ${selection} ${META_SELECTION} }`;
    const payload = await this.#post({ query, variables });
    const { _meta: meta, ...data } = payload as { _meta?: { block: IndexedBlock; hasIndexingErrors: boolean } };
    if (!meta?.block) throw new ApiProblem("upstream_failed", "The indexer's answer has no _meta block.");
    const block = {
      number: Number(meta.block.number),
      hash: meta.block.hash,
      timestamp: meta.block.timestamp == null ? null : Number(meta.block.timestamp),
    };
    this.#lastHead = block;
    return { data: data as T, block, hasIndexingErrors: meta.hasIndexingErrors };
  }

  /**
   * The indexed head the last answer reported, if any: a guess at the head that saves asking for it first, for a
   * read that checks the `_meta` of its answer against it (see `sameBlock`).
   */
  get lastHead(): IndexedBlock | undefined {
    return this.#lastHead;
  }

  /** The indexed head alone (for `/ready`). */
  async head(): Promise<{ block: IndexedBlock; hasIndexingErrors: boolean }> {
    const answer = await this.query<Record<string, never>>("");
    return { block: answer.block, hasIndexingErrors: answer.hasIndexingErrors };
  }

  async #post(body: { query: string; variables: Record<string, unknown> }): Promise<Record<string, unknown>> {
    let response: { status: number; text: string };
    try {
      response = await this.#send(JSON.stringify(body));
    } catch (error) {
      if ((error as Error).name === "TimeoutError") {
        throw new ApiProblem("upstream_timeout", `The indexer did not answer within ${this.#timeoutMs} ms.`, {
          cause: error,
        });
      }
      // The origin only: this detail goes to clients, and a Graph gateway's URL carries its API key in the path.
      const origin = new URL(this.url).origin;
      throw new ApiProblem("unavailable", `The indexer at ${origin} cannot be reached.`, { cause: error });
    }
    const ok = response.status >= 200 && response.status < 300;
    let payload: { data?: Record<string, unknown> | null; errors?: { message: string }[] };
    try {
      payload = JSON.parse(response.text) as typeof payload;
    } catch (error) {
      throw new ApiProblem("upstream_failed", `The indexer answered ${response.status} without JSON.`, {
        cause: error,
      });
    }
    if (payload?.errors?.length) {
      const messages = payload.errors.map((error) => error.message).join("; ");
      throw new ApiProblem("upstream_failed", `The indexer rejected the query: ${messages}`);
    }
    if (!ok || !payload?.data) {
      throw new ApiProblem("upstream_failed", `The indexer answered ${response.status} without data.`);
    }
    return payload.data;
  }

  /** POSTs `body` as JSON and reads the whole answer, within the timeout (a `TimeoutError` past it). */
  #send(body: string): Promise<{ status: number; text: string }> {
    const url = this.#target;
    return new Promise((resolve, reject) => {
      const request = (url.protocol === "https:" ? httpsRequest : httpRequest)(
        url,
        {
          method: "POST",
          agent: url.protocol === "https:" ? httpsAgent : httpAgent,
          headers: {
            "content-type": "application/json",
            accept: "application/json",
            "content-length": Buffer.byteLength(body),
          },
        },
        (response: IncomingMessage) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            clearTimeout(timer);
            resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") });
          });
          response.on("error", fail);
        },
      );
      const timer = setTimeout(() => {
        const error = new Error(`No answer within ${this.#timeoutMs} ms.`);
        error.name = "TimeoutError";
        request.destroy(error);
      }, this.#timeoutMs);
      function fail(error: Error) {
        clearTimeout(timer);
        reject(error);
      }
      request.on("error", fail);
      request.end(body);
    });
  }
}

/** Connections to the indexer are kept open between requests, as fetch keeps them. */
const httpAgent = new HttpAgent({ keepAlive: true });
const httpsAgent = new HttpsAgent({ keepAlive: true });

/** Whether two answers describe the same indexed block. */
export function sameBlock(a: IndexedBlock, b: IndexedBlock): boolean {
  return a.number === b.number && a.hash === b.hash;
}
