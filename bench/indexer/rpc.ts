/**
 * A minimal JSON-RPC client for the benchmark's local chain: single calls and batches (one HTTP request carrying many
 * calls, which the traffic generator needs to send a block's worth of transactions without one round trip each), and
 * the Hardhat node's chain-control methods.
 */

export interface RpcCall {
  method: string;
  params?: unknown[];
}

export class RpcError extends Error {
  readonly method: string;
  readonly code: number | undefined;
  readonly data: unknown;

  constructor(method: string, message: string, code?: number, data?: unknown) {
    super(`${method}: ${message}`);
    this.name = "RpcError";
    this.method = method;
    this.code = code;
    this.data = data;
  }
}

interface RpcResponse {
  id: number;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

const REQUEST_TIMEOUT_MS = 120_000;

export class JsonRpc {
  readonly url: string;
  #nextId = 1;

  constructor(url: string) {
    this.url = url;
  }

  async call<T>(method: string, params: unknown[] = []): Promise<T> {
    const [result] = await this.batch<T>([{ method, params }]);
    return result as T;
  }

  /** Sends every call in one HTTP request and returns the results in order. Throws on the first call that failed. */
  async batch<T = unknown>(calls: readonly RpcCall[]): Promise<T[]> {
    const settled = await this.batchSettled<T>(calls);
    return settled.map((outcome) => {
      if (outcome instanceof RpcError) throw outcome;
      return outcome;
    });
  }

  /** As `batch`, with each failed call's error in its place instead of thrown. */
  async batchSettled<T = unknown>(calls: readonly RpcCall[]): Promise<(T | RpcError)[]> {
    if (calls.length === 0) return [];
    const firstId = this.#nextId;
    this.#nextId += calls.length;
    const body = calls.map((call, index) => ({
      jsonrpc: "2.0",
      id: firstId + index,
      method: call.method,
      params: call.params ?? [],
    }));
    const response = await this.#post(JSON.stringify(body));
    if (!response.ok) {
      throw new Error(`JSON-RPC request to ${this.url} failed: HTTP ${response.status} ${await response.text()}`);
    }
    const parsed = (await response.json()) as RpcResponse[] | RpcResponse;
    const responses = Array.isArray(parsed) ? parsed : [parsed];
    const byId = new Map(responses.map((entry) => [entry.id, entry]));
    return calls.map((call, index) => {
      const entry = byId.get(firstId + index);
      if (entry === undefined) return new RpcError(call.method, "no response in the batch");
      if (entry.error !== undefined) {
        return new RpcError(call.method, entry.error.message, entry.error.code, entry.error.data);
      }
      return entry.result as T;
    });
  }

  /**
   * Posts once more when the connection was closed under the request: the node closes idle keep-alive connections,
   * and a request sent at that moment fails without having been read. Every call the benchmark batches can be sent
   * twice (a transaction sent again is refused as known, which the caller accepts).
   */
  async #post(body: string): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fetch(this.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
      } catch (error) {
        const code = (error as { cause?: { code?: string } }).cause?.code;
        if (attempt >= 3 || (code !== "UND_ERR_SOCKET" && code !== "ECONNRESET")) throw error;
      }
    }
  }

  async blockNumber(): Promise<number> {
    return Number(await this.call<string>("eth_blockNumber"));
  }

  /** Mines one block (with the given timestamp, when set) and returns the new head's number. */
  async mine(timestamp?: number): Promise<number> {
    await this.call("evm_mine", timestamp === undefined ? [] : [timestamp]);
    return this.blockNumber();
  }
}

export const hex = (value: bigint | number): string => `0x${value.toString(16)}`;
