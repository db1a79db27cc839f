// Relaying: a write route may take a transaction its sender has already signed instead of preparing one, and
// broadcast it. The API holds no key and pays no gas; what it adds is the same checks a prepared transaction gets.
// The signed bytes are parsed with viem and refused unless they were signed for this chain, call a protocol contract
// of the deployment, and call the function the route is about; the sender is recovered from the signature and the
// call goes through the lifecycle checks (409 for the task's state, 403 for the sender), then a simulation at the
// latest block (422 with the contract's error), and only then out to the chain. Relaying needs an API key with the
// `relay` scope: broadcasting is a service the API renders to callers it knows.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  BaseError,
  ContractFunctionRevertedError,
  decodeFunctionData,
  parseTransaction,
  recoverTransactionAddress,
  type Abi,
  type Address,
  type Hex,
  type TransactionSerialized,
} from "viem";

import type { ProtocolContractKey } from "../../../scripts/deployment.ts";
import { PROTOCOL_ABIS } from "../../../src/protocol/abis.ts";
import { type TaskTerms, taskStatusName } from "../../../src/protocol/terms.ts";
import type { ApiEnv } from "../app.ts";
import { ApiProblem } from "../problems.ts";
import { HexSchema } from "../schemas.ts";
import { requireApiKey } from "../security/api-keys.ts";
import type { ApiServices } from "../services.ts";

import { chainProblem } from "./protocol-chain.ts";
import { sameTerms } from "./task-terms.ts";
import {
  checkTransition,
  transitionContext,
  transitionForCall,
  TRANSITIONS,
  type TransitionName,
} from "./transitions.ts";

/** A signed transaction is a few hundred bytes; a task document travels in calldata only as its hash. */
const MAX_SIGNED_TRANSACTION_BYTES = 64 * 1024;

export const SignedTransactionSchema = z
  .string({
    error: (issue) =>
      issue.input === undefined
        ? "is required to relay a signed transaction (to have one prepared instead, send the route's other fields)"
        : undefined,
  })
  .max(2 + 2 * MAX_SIGNED_TRANSACTION_BYTES, `must be at most ${MAX_SIGNED_TRANSACTION_BYTES} bytes`)
  .pipe(HexSchema)
  .openapi({
    type: "string",
    pattern: "^0x([0-9a-fA-F]{2})*$",
    description:
      "A transaction signed by its sender (EIP-1559, EIP-2930 or EIP-155 legacy), serialized in hex, for the API to " +
      "check and broadcast. Needs an API key with the `relay` scope.",
  });

export const RelayedTransactionSchema = z
  .object({
    transactionHash: z.string(),
    from: z.string().openapi({ description: "The sender recovered from the signature." }),
    to: z.string(),
    functionName: z.string(),
    currentState: z.string().optional().openapi({ description: "The task's status before the transaction." }),
  })
  .openapi("RelayedTransaction", {
    description: "A signed transaction the API checked and broadcast; it is not mined yet.",
  });

export type RelayedTransaction = z.infer<typeof RelayedTransactionSchema>;

/** A signed transaction, parsed and decoded. */
export interface SignedCall {
  raw: Hex;
  from: Address;
  to: Address;
  contract: ProtocolContractKey;
  functionName: string;
  args: readonly unknown[];
  value: bigint;
}

/** Lets the request through only with an API key that has the `relay` scope (401 or 403 otherwise). */
export async function requireRelayKey(services: ApiServices, c: Context<ApiEnv>): Promise<void> {
  await requireApiKey(services, "relay")(c, async () => undefined);
}

function invalidSignedTransaction(detail: string): ApiProblem {
  return new ApiProblem("invalid_request", detail, {
    extensions: { errors: [{ path: "json.signedTransaction", message: detail }] },
  });
}

/**
 * Parses `raw` and checks that it is signed for this chain and calls one of `functions` on one of `contracts`;
 * 400 otherwise, saying which of these it fails.
 */
export async function decodeSignedCall(
  services: ApiServices,
  raw: Hex,
  expected: { contracts: readonly ProtocolContractKey[]; functions: readonly string[] },
): Promise<SignedCall> {
  let transaction: ReturnType<typeof parseTransaction>;
  try {
    transaction = parseTransaction(raw);
  } catch {
    throw invalidSignedTransaction("signedTransaction is not a serialized transaction.");
  }
  if (!["legacy", "eip2930", "eip1559"].includes(transaction.type ?? "")) {
    throw invalidSignedTransaction(`signedTransaction is a ${transaction.type} transaction; relay a plain call.`);
  }
  if (transaction.r === undefined || transaction.s === undefined) {
    throw invalidSignedTransaction("signedTransaction is not signed.");
  }
  if (transaction.chainId !== services.chain.chainId) {
    throw invalidSignedTransaction(
      transaction.chainId === undefined
        ? "signedTransaction carries no chain id (a pre-EIP-155 transaction could be replayed on any chain)."
        : `signedTransaction is signed for chain ${transaction.chainId}; this API relays for chain ${services.chain.chainId}.`,
    );
  }
  const to = transaction.to;
  const contract = to ? services.chain.contractAt(to) : undefined;
  if (!to || !contract || !expected.contracts.includes(contract)) {
    throw invalidSignedTransaction(
      `signedTransaction must call ${expected.contracts.map((key) => `${key} (${services.chain.address(key)})`).join(" or ")}` +
        `; it ${to ? `calls ${to}` : "deploys a contract"}.`,
    );
  }
  let decoded: { functionName: string; args?: readonly unknown[] };
  try {
    decoded = decodeFunctionData({ abi: PROTOCOL_ABIS[contract] as Abi, data: transaction.data ?? "0x" });
  } catch {
    throw invalidSignedTransaction(`signedTransaction's calldata is not a call of a ${contract} function.`);
  }
  if (!expected.functions.includes(decoded.functionName)) {
    throw invalidSignedTransaction(
      `signedTransaction calls ${contract}.${decoded.functionName}; this route relays ${expected.functions.join(", ")}.`,
    );
  }
  let from: Address;
  try {
    from = await recoverTransactionAddress({ serializedTransaction: raw as TransactionSerialized });
  } catch {
    throw invalidSignedTransaction("signedTransaction's signature does not recover to an address.");
  }
  return {
    raw,
    from,
    to,
    contract,
    functionName: decoded.functionName,
    args: decoded.args ?? [],
    value: transaction.value ?? 0n,
  };
}

/**
 * Simulates `call` from its sender at the latest block, then broadcasts it. A call that would revert is a 422 with
 * the contract's error instead of a transaction that burns its sender's gas.
 */
export async function broadcastSignedCall(services: ApiServices, call: SignedCall): Promise<Hex> {
  try {
    await services.chain.client.simulateContract({
      address: call.to,
      abi: PROTOCOL_ABIS[call.contract] as Abi,
      functionName: call.functionName,
      args: call.args as unknown[],
      value: call.value,
      account: call.from,
    });
  } catch (error) {
    const reverted =
      error instanceof BaseError ? error.walk((cause) => cause instanceof ContractFunctionRevertedError) : undefined;
    if (!(reverted instanceof ContractFunctionRevertedError)) throw chainProblem(error);
    const errorName = reverted.data?.errorName;
    const detail = reverted.data
      ? `${errorName}(${(reverted.data.args ?? []).map((arg) => String(arg)).join(", ")})`
      : (reverted.reason ?? reverted.shortMessage);
    throw new ApiProblem("unprocessable", `The transaction would revert: ${detail}`, {
      extensions: errorName ? { contractError: errorName } : {},
    });
  }
  return services.chain.broadcast(call.raw);
}

/**
 * Relays a lifecycle call of the task market: `transitions` are the ones the route is about, `taskId` (when the
 * route names one) must be the call's, and `sender` (when the route names one) must have signed it. The call goes
 * through the same checks as a prepared transition, with the sender recovered from the signature.
 */
export async function relayTransition(
  services: ApiServices,
  raw: Hex,
  route: { transitions?: readonly TransitionName[]; taskId?: bigint; sender?: Address } = {},
): Promise<RelayedTransaction> {
  const definitions = TRANSITIONS.filter(
    (definition) => route.transitions === undefined || route.transitions.includes(definition.name),
  );
  const call = await decodeSignedCall(services, raw, {
    contracts: ["taskMarket"],
    functions: definitions.map((definition) => definition.call),
  });
  const definition = transitionForCall(call.functionName)!;
  const taskId = call.args[0] as bigint;
  if (route.taskId !== undefined && taskId !== route.taskId) {
    throw invalidSignedTransaction(`signedTransaction is for task ${taskId}, not task ${route.taskId}.`);
  }
  if (route.sender !== undefined && call.from !== route.sender) {
    throw new ApiProblem("forbidden", `signedTransaction is signed by ${call.from}, not by ${route.sender}.`, {
      extensions: { allowedSenders: [route.sender] },
    });
  }
  const task = await services.chain.readTask(taskId);
  const context = transitionContext(services, task, call.from, definition.paramsFromCall(call.args.slice(1)));
  if (definition.termsArgument !== undefined) {
    const { terms } = await context.onChain();
    if (!sameTerms(call.args[definition.termsArgument] as TaskTerms, terms)) {
      throw new ApiProblem(
        "terms_mismatch",
        `signedTransaction passes terms that are not the terms of task ${taskId}.`,
        {
          extensions: { field: "terms" },
        },
      );
    }
  }
  await checkTransition(definition, context);
  const transactionHash = await broadcastSignedCall(services, call);
  return {
    transactionHash,
    from: call.from,
    to: call.to,
    functionName: call.functionName,
    currentState: taskStatusName(task.status),
  };
}
