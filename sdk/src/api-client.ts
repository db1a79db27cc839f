// The API client: one method per route of the product page, over fetch. Requests are JSON with bigints as decimal
// strings; an answer outside 2xx is thrown as a `TaskMarketApiError` carrying its RFC 9457 problem. Routes that write
// answer with prepared transactions, which `sendPrepared` signs and sends with the caller's wallet.
import { getAddress, parseEventLogs, type Address, type Hex, type WalletClient } from "viem";

import { taskMarketAbi } from "../../src/protocol/abis.ts";
import type { TaskDocument } from "../../src/documents/index.ts";
import type {
  AgentRead,
  AgentRegistration,
  EscrowRelease,
  FundEscrowRequest,
  RegisterAgentRequest,
  SettlementAction,
  TaskClaim,
  TaskSettlement,
  AgentTasks,
  AgentTasksQuery,
  CreateTaskRequest,
  Leaderboard,
  LeaderboardQuery,
  PreparedChallenge,
  RelayedTransaction,
  Reputation,
  ReputationHistory,
  ReputationHistoryQuery,
  SubmittedOutput,
  TaskCreation,
  TaskRead,
  TaskSearchQuery,
  TaskSearchResult,
  TaskStatusName,
  VerificationMethods,
  VerificationRecord,
} from "./api-types.ts";
import { TaskMarketApiError, type ApiProblemDocument } from "./errors.ts";
import {
  sendPrepared,
  type PreparedTransaction,
  type SendPreparedOptions,
  type SentPreparedTransaction,
} from "./prepared-transactions.ts";
import { DEFAULT_CLAIM_PERIOD_SECONDS, DEFAULT_REVIEW_WINDOW_SECONDS } from "./task-terms.ts";

export interface TaskMarketApiOptions {
  /** Where the API is served, e.g. `https://api.example.org` or `http://127.0.0.1:8787`. */
  baseUrl: string | URL;
  /** Sent as `x-api-key`; needed by the signing and relay routes. */
  apiKey?: string;
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Added to every request. */
  headers?: Record<string, string>;
}

/** A lifecycle transition for `PATCH /tasks/{id}/state`, prepared for `from` to sign. */
export type TaskTransitionRequest = { from: Address } & (
  | {
      transition: "claim" | "start" | "approve" | "cancel" | "consent-cancel" | "release" | "refund-expired";
      params?: Record<string, never>;
    }
  | { transition: "checkpoint"; params: { percentComplete: number; progressHash: Hex; progressURI: string } }
  | { transition: "submit" | "submit-verified"; params: { resultHash: Hex; resultURI: string } }
  | { transition: "reject"; params?: { reasonHash?: Hex } }
  | { transition: "hold"; params: { until: number; defaultShareBps: number } }
  | { transition: "resolve"; params: { executorShareBps: number } }
  | { transition: "rate"; params: { rating: number } }
);

/** A lifecycle call its sender signed, for the API to check and broadcast (an API key with the `relay` scope). */
export interface TaskRelayRequest {
  transition?: "relay";
  signedTransaction: Hex;
}

export interface TaskTransition {
  taskId: string;
  transition: string;
  /** The task's status (`statusOf`) when the API checked the transition. */
  currentState: TaskStatusName;
  transactions: PreparedTransaction[];
}

/** `postTask`'s input: `POST /tasks` with the SDK's defaults for what the API requires and the document may leave out. */
export interface ApiPostTaskInput {
  document: TaskDocument;
  /** Default: `DEFAULT_REVIEW_WINDOW_SECONDS`. */
  reviewWindow?: number;
  /** Default: the document's, else `DEFAULT_CLAIM_PERIOD_SECONDS` from now. */
  claimDeadline?: Date | number;
  verification?: CreateTaskRequest["verification"];
  options?: CreateTaskRequest["options"];
  assignment?: CreateTaskRequest["assignment"];
}

export interface ApiPostTaskResult {
  taskId: bigint;
  creation: TaskCreation;
  sent: SentPreparedTransaction[];
}

type QueryValue = string | number | bigint | boolean | readonly (string | number | bigint)[] | undefined;

export class TaskMarketApi {
  readonly baseUrl: URL;
  readonly #apiKey: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #headers: Record<string, string>;

  constructor(options: TaskMarketApiOptions) {
    this.baseUrl = new URL(options.baseUrl);
    this.#apiKey = options.apiKey;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#headers = options.headers ?? {};
  }

  /*//////////////////////////////////////////////////////////////
                                TASKS
  //////////////////////////////////////////////////////////////*/

  /** `POST /tasks`: stores the document and prepares the transactions that create and fund the task. */
  createTask(request: CreateTaskRequest): Promise<TaskCreation> {
    return this.#request("POST", "/tasks", { body: request });
  }

  /** `GET /tasks/{id}`: the document, the indexed record and the live state. */
  getTask(taskId: bigint | string): Promise<TaskRead> {
    return this.#request("GET", `/tasks/${taskId}`);
  }

  /**
   * `PATCH /tasks/{id}/state`: prepares a lifecycle transition for `from` (409 `invalid_transition` with
   * `currentState` when the task's status does not allow it), or relays a signed one.
   */
  updateTaskState(taskId: bigint | string, request: TaskTransitionRequest): Promise<TaskTransition>;
  updateTaskState(taskId: bigint | string, request: TaskRelayRequest): Promise<RelayedTransaction>;
  updateTaskState(
    taskId: bigint | string,
    request: TaskTransitionRequest | TaskRelayRequest,
  ): Promise<TaskTransition | RelayedTransaction> {
    return this.#request("PATCH", `/tasks/${taskId}/state`, { body: request });
  }

  /** `GET /tasks/search`: full-text search over the documents, with filters on the chain's side. */
  searchTasks(query: TaskSearchQuery = {}): Promise<TaskSearchResult> {
    return this.#request("GET", "/tasks/search", { query: query as Record<string, QueryValue> });
  }

  /*//////////////////////////////////////////////////////////////
                                AGENTS
  //////////////////////////////////////////////////////////////*/

  /** `POST /agents`: prepares the registration of an executor for its own wallet, or relays a signed one. */
  registerAgent(request: RegisterAgentRequest): Promise<AgentRegistration>;
  registerAgent(request: { signedTransaction: Hex }): Promise<RelayedTransaction>;
  registerAgent(
    request: RegisterAgentRequest | { signedTransaction: Hex },
  ): Promise<AgentRegistration | RelayedTransaction> {
    return this.#request("POST", "/agents", { body: request });
  }

  /** `GET /agents/{id}`: an account's executor profile, records, reputation and activity. */
  getAgent(address: Address): Promise<AgentRead> {
    return this.#request("GET", `/agents/${address}`);
  }

  /**
   * `POST /agents/{id}/claim`: prepares `executor`'s claim of an open task (an ERC-20 bond's approval, then the
   * claim), after checking live that the task is open and the executor eligible; or relays a signed claim.
   */
  claimTask(executor: Address, request: { taskId: bigint | string }): Promise<TaskClaim>;
  claimTask(executor: Address, request: { signedTransaction: Hex }): Promise<RelayedTransaction>;
  claimTask(
    executor: Address,
    request: { taskId: bigint | string } | { signedTransaction: Hex },
  ): Promise<TaskClaim | RelayedTransaction> {
    return this.#request("POST", `/agents/${executor}/claim`, { body: request });
  }

  /** `GET /agents/{id}/tasks`: the tasks an executor holds or held, or (`eligible: true`) the open tasks it qualifies for. */
  getAgentTasks(address: Address, query: AgentTasksQuery = {}): Promise<AgentTasks> {
    return this.#request("GET", `/agents/${address}/tasks`, { query: query as Record<string, QueryValue> });
  }

  /*//////////////////////////////////////////////////////////////
                             VERIFICATION
  //////////////////////////////////////////////////////////////*/

  /**
   * `POST /verify` (API key with the `verify` scope): checks the output of the task's submission under review and,
   * for an attestation-verified task, returns the attestation the service signed (`record.attestation`, ready for
   * `TaskMarket.submitVerdict`).
   */
  verify(request: { taskId: bigint | string; output: SubmittedOutput }): Promise<VerificationRecord> {
    return this.#request("POST", "/verify", { body: request });
  }

  /** `GET /verify/{id}`: a verification record. */
  getVerification(verificationId: Hex): Promise<VerificationRecord> {
    return this.#request("GET", `/verify/${verificationId}`);
  }

  /** `POST /verify/{id}/challenge`: prepares the challenge of an optimistic task's submission for `challenger`. */
  challenge(verificationId: Hex, request: { challenger: Address }): Promise<PreparedChallenge> {
    return this.#request("POST", `/verify/${verificationId}/challenge`, { body: request });
  }

  /** `GET /verify/methods`: the verification methods and the service's automated checks. */
  verificationMethods(): Promise<VerificationMethods> {
    return this.#request("GET", "/verify/methods");
  }

  /*//////////////////////////////////////////////////////////////
                              REPUTATION
  //////////////////////////////////////////////////////////////*/

  /** `GET /reputation/{id}`: the reputation score and its inputs, as executor and as poster. */
  getReputation(address: Address): Promise<Reputation> {
    return this.#request("GET", `/reputation/${address}`);
  }

  /** `GET /reputation/{id}/history`: the account's reputation events, newest first. */
  getReputationHistory(address: Address, query: ReputationHistoryQuery = {}): Promise<ReputationHistory> {
    return this.#request("GET", `/reputation/${address}/history`, { query: query as Record<string, QueryValue> });
  }

  /** `GET /reputation/leaderboard`. */
  getLeaderboard(query: LeaderboardQuery = {}): Promise<Leaderboard> {
    return this.#request("GET", "/reputation/leaderboard", { query: query as Record<string, QueryValue> });
  }

  /*//////////////////////////////////////////////////////////////
                              SETTLEMENT
  //////////////////////////////////////////////////////////////*/

  /** `POST /settle`: prepares what settles the task now (`release`, `approve` or `refundExpired`), or relays it. */
  settle(request: { taskId: bigint | string; from?: Address }): Promise<SettlementAction>;
  settle(request: { signedTransaction: Hex }): Promise<RelayedTransaction>;
  settle(
    request: { taskId: bigint | string; from?: Address } | { signedTransaction: Hex },
  ): Promise<SettlementAction | RelayedTransaction> {
    return this.#request("POST", "/settle", { body: request });
  }

  /** `GET /settle/{id}`: the task's settlement as the indexer recorded it, payment by payment. */
  getSettlement(taskId: bigint | string): Promise<TaskSettlement> {
    return this.#request("GET", `/settle/${taskId}`);
  }

  /** `POST /escrow`: the create-and-fund transactions for a document stored earlier, by its hash. */
  fundEscrow(request: FundEscrowRequest): Promise<TaskCreation> {
    return this.#request("POST", "/escrow", { body: request });
  }

  /** `GET /escrow/{id}/release`: whether, when and by whom the escrow can be released; the release when it can. */
  getEscrowRelease(taskId: bigint | string): Promise<EscrowRelease> {
    return this.#request("GET", `/escrow/${taskId}/release`);
  }

  /*//////////////////////////////////////////////////////////////
                              COMBINED
  //////////////////////////////////////////////////////////////*/

  /**
   * Posts a task through the API in one call: `POST /tasks` (the API validates, hashes and stores the document and
   * derives the terms), then the wallet signs and sends the prepared transactions in order: a module configuration's
   * `publishConfig` when it is not published yet, the approval of an ERC-20 escrow, and the creation. Returns the new
   * task's id, read from the `TaskCreated` event of the market the creation was sent to.
   */
  async postTask(
    walletClient: WalletClient,
    input: ApiPostTaskInput,
    options: SendPreparedOptions = {},
  ): Promise<ApiPostTaskResult> {
    const account = walletClient.account;
    if (account === undefined) throw new TypeError("postTask needs a wallet client with an account.");
    const claimDeadline =
      // Optional chaining: the API, not this client, validates the document and names what is wrong with it.
      input.document.execution_requirements?.claim_deadline === undefined
        ? input.claimDeadline === undefined
          ? Math.floor(Date.now() / 1000) + DEFAULT_CLAIM_PERIOD_SECONDS
          : input.claimDeadline instanceof Date
            ? Math.floor(input.claimDeadline.getTime() / 1000)
            : input.claimDeadline
        : undefined;
    const creation = await this.createTask({
      document: input.document,
      terms: {
        poster: account.address,
        reviewWindow: input.reviewWindow ?? DEFAULT_REVIEW_WINDOW_SECONDS,
        ...(claimDeadline === undefined ? {} : { claimDeadline }),
      },
      ...(input.verification === undefined ? {} : { verification: input.verification }),
      ...(input.options === undefined ? {} : { options: input.options }),
      ...(input.assignment === undefined ? {} : { assignment: input.assignment }),
    });
    const sent = await sendPrepared(walletClient, creation.transactions, options);
    const creating = creation.transactions.at(-1)!;
    const [created] = parseEventLogs({
      abi: taskMarketAbi,
      logs: sent.at(-1)!.receipt.logs,
      eventName: "TaskCreated",
    }).filter((log) => getAddress(log.address) === getAddress(creating.to));
    if (created === undefined) {
      throw new Error(`The creation transaction ${sent.at(-1)!.transactionHash} created no task.`);
    }
    return { taskId: created.args.taskId, creation, sent };
  }

  /*//////////////////////////////////////////////////////////////
                              TRANSPORT
  //////////////////////////////////////////////////////////////*/

  async #request<T>(
    method: string,
    path: string,
    options: { body?: unknown; query?: Record<string, QueryValue> } = {},
  ): Promise<T> {
    const url = new URL(
      path.replace(/^\//, ""),
      this.baseUrl.href.endsWith("/") ? this.baseUrl : `${this.baseUrl.href}/`,
    );
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value === undefined) continue;
      for (const item of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(item));
    }
    const headers: Record<string, string> = { accept: "application/json", ...this.#headers };
    if (this.#apiKey !== undefined) headers["x-api-key"] = this.#apiKey;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.body, (_key, value: unknown) =>
        typeof value === "bigint" ? value.toString() : value,
      );
    }
    const response = await this.#fetch(url, { method, headers, body });
    const text = await response.text();
    if (!response.ok) throw new TaskMarketApiError(problemOf(response, text), { method, path: url.pathname });
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }
}

/** The problem document of a failed answer; a body that is not one (a proxy's error page) is described as one. */
function problemOf(response: Response, text: string): ApiProblemDocument {
  try {
    const parsed = JSON.parse(text) as Partial<ApiProblemDocument>;
    if (typeof parsed === "object" && parsed !== null && typeof parsed.code === "string") {
      return { ...parsed, status: parsed.status ?? response.status } as ApiProblemDocument;
    }
  } catch {
    // Not JSON: described below.
  }
  return {
    type: "about:blank",
    title: response.statusText || `HTTP ${response.status}`,
    status: response.status,
    code: `http_${response.status}`,
    detail: text.slice(0, 500) || response.statusText || `HTTP ${response.status}`,
  };
}
