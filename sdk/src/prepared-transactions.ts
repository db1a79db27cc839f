// The API never holds a key: its write routes answer with transactions for the caller's wallet to sign. This signs
// and sends them in order, each after the one before it is mined (an approval before the call that spends it), after
// checking that the wallet is on the chain and is the account they were prepared for.
import {
  BaseError,
  decodeErrorResult,
  decodeFunctionData,
  erc20Abi,
  getAddress,
  publicActions,
  type Abi,
  type Account,
  type Address,
  type Hash,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
} from "viem";

import type { PreparedTransactionSchema } from "../../api/src/schemas.ts";
import { PROTOCOL_ABIS } from "../../src/protocol/abis.ts";
import { PROTOCOL_ERRORS_ABI, TaskMarketContractError, TaskMarketTransactionError } from "./errors.ts";

/**
 * A transaction the API prepared (`POST /tasks`, `PATCH /tasks/{id}/state`, `POST /agents/{id}/claim`, …) as it comes
 * over the wire: the API's `PreparedTransaction` schema, so that the two cannot drift.
 */
export type PreparedTransaction = (typeof PreparedTransactionSchema)["_output"];

export interface SentPreparedTransaction {
  transaction: PreparedTransaction;
  transactionHash: Hash;
  receipt: TransactionReceipt;
}

export interface SendPreparedOptions {
  /** Reads receipts and simulates. Default: the wallet client's own transport. */
  publicClient?: PublicClient;
  /** Called after each transaction is mined. */
  onSent?: (sent: SentPreparedTransaction) => void;
}

/**
 * Signs and sends `transactions` in order with the wallet's account, waiting for each to be mined. Each is simulated
 * first, so that a revert is thrown as a `TaskMarketContractError` before it is signed.
 */
export async function sendPrepared(
  walletClient: WalletClient,
  transactions: PreparedTransaction | readonly PreparedTransaction[],
  options: SendPreparedOptions = {},
): Promise<SentPreparedTransaction[]> {
  const account: Account | undefined = walletClient.account;
  if (account === undefined) throw new TypeError("sendPrepared needs a wallet client with an account.");
  const reader = options.publicClient ?? (walletClient.extend(publicActions) as unknown as PublicClient);
  const list = Array.isArray(transactions) ? transactions : [transactions as PreparedTransaction];
  const sent: SentPreparedTransaction[] = [];
  for (const transaction of list) {
    const walletChainId = await walletClient.getChainId();
    if (walletChainId !== transaction.chainId) {
      throw new Error(
        `"${transaction.description}" is for chain ${transaction.chainId}, but the wallet is on chain ${walletChainId}.`,
      );
    }
    if (transaction.from !== undefined && getAddress(transaction.from) !== getAddress(account.address)) {
      throw new Error(
        `"${transaction.description}" must be sent by ${getAddress(transaction.from)}, not by ${account.address}.`,
      );
    }
    const request = {
      account,
      to: getAddress(transaction.to) as Address,
      data: transaction.data as Hex,
      value: BigInt(transaction.value),
    };
    try {
      await reader.call(request);
    } catch (error) {
      throw revertError(error, transaction) ?? error;
    }
    const transactionHash = await walletClient.sendTransaction({ ...request, chain: walletClient.chain ?? null });
    const receipt = await reader.waitForTransactionReceipt({ hash: transactionHash });
    if (receipt.status !== "success") {
      throw new TaskMarketTransactionError(
        `"${transaction.description}" was mined but reverted (transaction ${transactionHash})`,
        transactionHash,
      );
    }
    const outcome = { transaction, transactionHash, receipt };
    options.onSent?.(outcome);
    sent.push(outcome);
  }
  return sent;
}

/** The protocol error a failed `eth_call` reverted with, if its data decodes against the protocol's errors. */
function revertError(error: unknown, transaction: PreparedTransaction): TaskMarketContractError | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const withData = error.walk((cause) => isHex((cause as { data?: unknown }).data)) as { data?: unknown } | null;
  const data = withData?.data;
  if (!isHex(data)) return undefined;
  try {
    const decoded = decodeErrorResult({ abi: PROTOCOL_ERRORS_ABI, data });
    return new TaskMarketContractError(
      {
        errorName: decoded.errorName,
        args: decoded.args ?? [],
        contract: getAddress(transaction.to),
        functionName: functionNameOf(transaction.data as Hex),
        data,
      },
      { cause: error },
    );
  } catch {
    return undefined;
  }
}

/** The protocol function `data` calls, by its selector; `call` when none of the protocol's ABIs has it. */
function functionNameOf(data: Hex): string {
  for (const abi of [...Object.values(PROTOCOL_ABIS), erc20Abi] as readonly Abi[]) {
    try {
      return decodeFunctionData({ abi, data }).functionName;
    } catch {
      // Not this contract's function.
    }
  }
  return "call";
}

function isHex(value: unknown): value is Hex {
  return typeof value === "string" && /^0x[0-9a-fA-F]{8,}$/.test(value);
}
