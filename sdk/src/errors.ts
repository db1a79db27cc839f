// The SDK's errors. A contract revert becomes a `TaskMarketContractError` carrying the custom error's name and
// arguments, decoded against every error of the protocol: a call through a module can revert with the market's error
// (the module calls the market), so the ABI of the contract called is not enough to name it.
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  parseAbi,
  type Abi,
  type AbiItem,
  type Hex,
} from "viem";
import { formatAbiItem } from "viem/utils";

import { PROTOCOL_ABIS } from "../../src/protocol/abis.ts";

/** The ERC-6093 errors OpenZeppelin tokens revert with; a token's revert surfaces through the market's transfer. */
const TOKEN_ERRORS_ABI = parseAbi([
  "error ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)",
  "error ERC20InvalidSender(address sender)",
  "error ERC20InvalidReceiver(address receiver)",
  "error ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)",
  "error ERC20InvalidApprover(address approver)",
  "error ERC20InvalidSpender(address spender)",
]);

/** Every custom error of the protocol's contracts, each once, and the standard token errors. */
export const PROTOCOL_ERRORS_ABI: Abi = (() => {
  const errors = new Map<string, AbiItem>();
  for (const abi of [...Object.values(PROTOCOL_ABIS), TOKEN_ERRORS_ABI] as readonly Abi[]) {
    for (const item of abi) {
      if (item.type === "error") errors.set(formatAbiItem(item), item);
    }
  }
  return [...errors.values()] as Abi;
})();

/** A call to a protocol contract reverted with `errorName(args)`. */
export class TaskMarketContractError extends Error {
  /** The custom error, e.g. `TaskMarket_InvalidStatus`; `Error` for a reason string, `Panic` for a panic code. */
  readonly errorName: string;
  /** Its arguments as viem decodes them (uint256 as bigint, small integers as number). */
  readonly args: readonly unknown[];
  /** The contract called (its key in the deployment, e.g. `taskMarket`, or `token`). */
  readonly contract: string;
  readonly functionName: string;
  /** The raw revert data. */
  readonly data: Hex;

  constructor(
    details: { errorName: string; args: readonly unknown[]; contract: string; functionName: string; data: Hex },
    options: { cause?: unknown } = {},
  ) {
    super(
      `${details.contract}.${details.functionName} reverted with ${details.errorName}(${details.args.map(formatArgument).join(", ")})`,
      { cause: options.cause },
    );
    this.name = "TaskMarketContractError";
    this.errorName = details.errorName;
    this.args = details.args;
    this.contract = details.contract;
    this.functionName = details.functionName;
    this.data = details.data;
  }
}

/** The market has no task with this id (or none created since the block the client reads its events from). */
export class TaskNotFoundError extends Error {
  readonly taskId: bigint;

  constructor(taskId: bigint, detail = "") {
    super(`The market has no task ${taskId}${detail}.`);
    this.name = "TaskNotFoundError";
    this.taskId = taskId;
  }
}

/** A task document failed `validateTaskDocument`; `errors` says which field and why, as the API would. */
export class InvalidTaskDocumentError extends Error {
  readonly errors: readonly { path: string; message: string }[];

  constructor(errors: readonly { path: string; message: string }[]) {
    const summary = errors
      .slice(0, 3)
      .map((error) => `${error.path || "(document)"} ${error.message}`)
      .join("; ");
    super(`The task document is not valid: ${summary}${errors.length > 3 ? "; …" : ""}`);
    this.name = "InvalidTaskDocumentError";
    this.errors = errors;
  }
}

/** A transaction was mined but reverted (the state changed between its simulation and its inclusion). */
export class TaskMarketTransactionError extends Error {
  readonly transactionHash: Hex;

  constructor(message: string, transactionHash: Hex) {
    super(message);
    this.name = "TaskMarketTransactionError";
    this.transactionHash = transactionHash;
  }
}

/**
 * The `TaskMarketContractError` that `error` (thrown by a viem contract action) stands for, or undefined when it is
 * not a revert the protocol's ABIs can decode (a network failure, a rejected signature request, an unknown selector).
 */
export function contractErrorFrom(
  error: unknown,
  contract: string,
  functionName: string,
): TaskMarketContractError | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((cause) => cause instanceof ContractFunctionRevertedError);
  if (!(reverted instanceof ContractFunctionRevertedError)) return undefined;
  const data = reverted.raw;
  if (data !== undefined && data !== "0x") {
    try {
      const decoded = decodeErrorResult({ abi: PROTOCOL_ERRORS_ABI, data });
      return new TaskMarketContractError(
        { errorName: decoded.errorName, args: decoded.args ?? [], contract, functionName, data },
        { cause: error },
      );
    } catch {
      return undefined;
    }
  }
  if (reverted.reason !== undefined) {
    return new TaskMarketContractError(
      { errorName: "Error", args: [reverted.reason], contract, functionName, data: "0x" },
      { cause: error },
    );
  }
  return undefined;
}

/** The RFC 9457 problem document the TaskMarket API answers errors with. */
export interface ApiProblemDocument {
  type: string;
  title: string;
  status: number;
  /** Stable: clients branch on it (`not_found`, `invalid_transition`, `invalid_document`, …). */
  code: string;
  detail: string;
  instance?: string;
  [extension: string]: unknown;
}

/** The API answered with a non-2xx status. */
export class TaskMarketApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  /** The problem's extension members, e.g. `currentState` with `invalid_transition`, `errors` with `invalid_request`. */
  readonly extensions: Record<string, unknown>;
  readonly problem: ApiProblemDocument;
  readonly method: string;
  readonly path: string;

  constructor(problem: ApiProblemDocument, request: { method: string; path: string }) {
    super(`${request.method} ${request.path} failed with ${problem.status} ${problem.code}: ${problem.detail}`);
    this.name = "TaskMarketApiError";
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail;
    const {
      type: _type,
      title: _title,
      status: _status,
      code: _code,
      detail: _detail,
      instance: _instance,
      ...rest
    } = problem;
    this.extensions = rest;
    this.problem = problem;
    this.method = request.method;
    this.path = request.path;
  }
}

function formatArgument(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return value;
  return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? inner.toString() : inner));
}
