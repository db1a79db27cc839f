/**
 * The payment ledger, reconciled with balances: for every account and token, what the indexer's payments put in and
 * took out over the scenario must equal how the account's balance actually changed between the ledger's start and end
 * blocks.
 *
 * On the chain side an ETH balance also moves by the gas its transactions paid (`gasUsed × effectiveGasPrice` of every
 * receipt it sent) and by the ETH it sent to or received from contracts that are not the protocol's (the scenario's
 * contract accounts, which pass it on to the protocol under their own name). Both are read from the chain itself, block
 * by block, not from the scenario's own bookkeeping.
 */
import { erc20Abi, getAddress } from "viem";
import type { Address, PublicClient } from "viem";

import { ETH } from "../../helpers/protocol.js";
import type { Row } from "./subgraph-client.js";

/** `token → account → amount`, accounts checksummed. */
export type Flows = Map<Address, Map<Address, bigint>>;

function add(flows: Flows, token: Address, account: Address, amount: bigint): void {
  const byAccount = flows.get(token) ?? new Map<Address, bigint>();
  byAccount.set(account, (byAccount.get(account) ?? 0n) + amount);
  flows.set(token, byAccount);
}

export function amountIn(flows: Flows, token: Address, account: Address): bigint {
  return flows.get(token)?.get(account) ?? 0n;
}

/** What the payments put into and took out of each account: `Σ to − Σ from`, per token. */
export function indexedNetFlows(payments: readonly Row[]): { flows: Flows; unaddressed: Row[] } {
  const flows: Flows = new Map();
  const unaddressed: Row[] = [];
  for (const payment of payments) {
    const token = getAddress(payment.token as string);
    const amount = BigInt(payment.amount as string);
    add(flows, token, getAddress(payment.from as string), -amount);
    if (payment.to === null || payment.to === undefined) unaddressed.push(payment);
    else add(flows, token, getAddress(payment.to as string), amount);
  }
  return { flows, unaddressed };
}

export interface GasAndTransfers {
  /** What each sender paid for gas. */
  gas: Map<Address, bigint>;
  /** ETH moved by transactions to contracts that are not the protocol's: negative for senders, positive for receivers. */
  external: Map<Address, bigint>;
  transactions: number;
}

/**
 * Reads every transaction mined in `(startBlock, endBlock]`: the gas each sender paid, and the ETH sent with calls to
 * addresses outside `protocol` (which the indexer, seeing only the protocol's events, cannot account for).
 */
export async function scanTransactions(
  client: PublicClient,
  startBlock: bigint,
  endBlock: bigint,
  protocol: ReadonlySet<Address>,
): Promise<GasAndTransfers> {
  const gas = new Map<Address, bigint>();
  const external = new Map<Address, bigint>();
  let transactions = 0;
  const blockNumbers: bigint[] = [];
  for (let number = startBlock + 1n; number <= endBlock; number++) blockNumbers.push(number);
  const CONCURRENCY = 16;
  for (let offset = 0; offset < blockNumbers.length; offset += CONCURRENCY) {
    const blocks = await Promise.all(
      blockNumbers
        .slice(offset, offset + CONCURRENCY)
        .map((blockNumber) => client.getBlock({ blockNumber, includeTransactions: true })),
    );
    for (const block of blocks) {
      const receipts = await Promise.all(
        block.transactions.map((transaction) => client.getTransactionReceipt({ hash: transaction.hash })),
      );
      block.transactions.forEach((transaction, index) => {
        transactions += 1;
        const receipt = receipts[index]!;
        const from = getAddress(transaction.from);
        gas.set(from, (gas.get(from) ?? 0n) + receipt.gasUsed * receipt.effectiveGasPrice);
        if (transaction.value === 0n || receipt.status !== "success") return;
        if (transaction.to === null)
          throw new Error(`contract creation ${transaction.hash} inside the ledger's window`);
        const to = getAddress(transaction.to);
        if (protocol.has(to)) return;
        external.set(from, (external.get(from) ?? 0n) - transaction.value);
        external.set(to, (external.get(to) ?? 0n) + transaction.value);
      });
    }
  }
  return { gas, external, transactions };
}

/** `balance(end) − balance(start)` of an account in a token (ETH for the zero address). */
export async function balanceChange(
  client: PublicClient,
  token: Address,
  account: Address,
  startBlock: bigint,
  endBlock: bigint,
): Promise<bigint> {
  const at = (blockNumber: bigint) =>
    token === ETH
      ? client.getBalance({ address: account, blockNumber })
      : client.readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [account], blockNumber });
  const [before, after] = await Promise.all([at(startBlock), at(endBlock)]);
  return after - before;
}
