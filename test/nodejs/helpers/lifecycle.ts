/**
 * Client-side steps of a task's lifecycle: build terms, post a task and recover its terms from `TaskCreated` (the only
 * place a client can read them back), send a transaction and price its gas, read balances and the market's events.
 */
import assert from "node:assert/strict";

import { parseEventLogs, parseSignature, zeroAddress, zeroHash } from "viem";
import type { Address, Hash, Hex, TransactionReceipt } from "viem";

import { CAPABILITIES, TOKEN_NAME, type Party, type TaskMarketFixture } from "./fixtures.js";
import { ETH, ExecutorKind, NO_MILESTONES, hashCapabilities, type TaskTerms } from "./protocol.js";

export const REWARD = 1_000_000_000_000_000_003n; // not a multiple of 10 000, so the fee rounds down
export const BOND = 100_000_000_000_000_000n;
export const CLAIM_PERIOD = 7 * 24 * 3600;
export const EXECUTION_WINDOW = 3 * 24 * 3600;
export const REVIEW_WINDOW = 2 * 24 * 3600;
export const DOCUMENT_HASH: Hex = "0x1111111111111111111111111111111111111111111111111111111111111111";
export const DOCUMENT_URI = "ipfs://bafytaskdocument";
export const RESULT_HASH: Hex = "0x2222222222222222222222222222222222222222222222222222222222222222";
export const RESULT_URI = "ipfs://bafyresult";

export interface SentTransaction {
  hash: Hash;
  receipt: TransactionReceipt;
  /** What the sender paid for gas, in wei. */
  gasCost: bigint;
}

/** Waits for a transaction sent by a contract write and prices its gas. */
export async function send(fixture: TaskMarketFixture, pending: Promise<Hash>): Promise<SentTransaction> {
  const hash = await pending;
  const receipt = await fixture.publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, "success");
  return { hash, receipt, gasCost: receipt.gasUsed * receipt.effectiveGasPrice };
}

export async function latestTimestamp(fixture: TaskMarketFixture): Promise<number> {
  const block = await fixture.publicClient.getBlock();
  return Number(block.timestamp);
}

/** The timestamp of the block that included a transaction. */
export async function timestampOf(fixture: TaskMarketFixture, sent: SentTransaction): Promise<number> {
  const block = await fixture.publicClient.getBlock({ blockNumber: sent.receipt.blockNumber });
  return Number(block.timestamp);
}

/**
 * Terms for a task posted by `fixture.poster`, open to any executor with both test capabilities: reviewed by the poster
 * (no verifier, no verifier fee, no verifier configuration) and paid as a single deliverable (no milestones).
 */
export async function buildTerms(fixture: TaskMarketFixture, overrides: Partial<TaskTerms> = {}): Promise<TaskTerms> {
  return {
    poster: fixture.poster.address,
    token: ETH,
    reward: REWARD,
    claimBond: BOND,
    claimDeadline: (await latestTimestamp(fixture)) + CLAIM_PERIOD,
    executionWindow: EXECUTION_WINDOW,
    reviewWindow: REVIEW_WINDOW,
    feeBps: Number(await fixture.market.read.protocolFeeBps()),
    executorKind: ExecutorKind.Any,
    verifier: zeroAddress,
    verifierFee: 0n,
    verifierConfigHash: zeroHash,
    capabilitiesHash: hashCapabilities(CAPABILITIES),
    documentHash: DOCUMENT_HASH,
    milestoneShares: NO_MILESTONES,
    ...overrides,
  };
}

/** A task as a client knows it after reading `TaskCreated`. */
export interface PostedTask {
  taskId: bigint;
  terms: TaskTerms;
  capabilities: Hex[];
  documentURI: string;
  posted: SentTransaction;
}

interface TaskCreatedArgs {
  taskId: bigint;
  poster: Address;
  token: Address;
  terms: TaskTerms;
  capabilities: readonly Hex[];
  documentURI: string;
}

/** Reads a task's id, terms, capabilities and document URI back from the `TaskCreated` event of its creation. */
export function readTaskCreated(fixture: TaskMarketFixture, receipt: TransactionReceipt): Omit<PostedTask, "posted"> {
  const logs = parseEventLogs({ abi: fixture.market.abi, logs: receipt.logs, eventName: "TaskCreated" });
  assert.equal(logs.length, 1, "expected exactly one TaskCreated event");
  const args = logs[0].args as unknown as TaskCreatedArgs;
  return {
    taskId: args.taskId,
    terms: { ...args.terms },
    capabilities: [...args.capabilities],
    documentURI: args.documentURI,
  };
}

/** What the poster escrows when creating a task: the reward and the verifier fee. */
export function escrowOf(terms: TaskTerms): bigint {
  return terms.reward + terms.verifierFee;
}

/** Posts a task with `createTask` (sending its escrow for an ETH task) and recovers it from its event. */
export async function postTask(
  fixture: TaskMarketFixture,
  terms: TaskTerms,
  capabilities: readonly Hex[] = CAPABILITIES,
  documentURI: string = DOCUMENT_URI,
): Promise<PostedTask> {
  const poster = partyOf(fixture, terms.poster);
  const posted = await send(
    fixture,
    fixture.market.write.createTask([terms, [...capabilities], documentURI], {
      account: poster.wallet.account,
      value: terms.token === ETH ? escrowOf(terms) : 0n,
    }),
  );
  return { ...readTaskCreated(fixture, posted.receipt), posted };
}

/** Posts an ERC-20 task after approving exactly its escrow. */
export async function postTokenTask(fixture: TaskMarketFixture, terms: TaskTerms): Promise<PostedTask> {
  const poster = partyOf(fixture, terms.poster);
  await send(
    fixture,
    fixture.token.write.approve([fixture.market.address, escrowOf(terms)], { account: poster.wallet.account }),
  );
  return postTask(fixture, terms);
}

/** Claims a task, paying the ETH bond in the call or approving the token bond first. */
export async function claimTask(
  fixture: TaskMarketFixture,
  task: PostedTask,
  executor: Party,
): Promise<SentTransaction> {
  const { terms } = task;
  if (terms.token !== ETH && terms.claimBond !== 0n) {
    await send(
      fixture,
      fixture.token.write.approve([fixture.market.address, terms.claimBond], { account: executor.wallet.account }),
    );
  }
  return send(
    fixture,
    fixture.market.write.claim([task.taskId, terms, task.capabilities], {
      account: executor.wallet.account,
      value: terms.token === ETH ? terms.claimBond : 0n,
    }),
  );
}

export async function submitWork(
  fixture: TaskMarketFixture,
  task: PostedTask,
  executor: Party,
  resultHash: Hex = RESULT_HASH,
  resultURI: string = RESULT_URI,
): Promise<SentTransaction> {
  return send(
    fixture,
    fixture.market.write.submit([task.taskId, task.terms, resultHash, resultURI], {
      account: executor.wallet.account,
    }),
  );
}

export function partyOf(fixture: TaskMarketFixture, address: Address): Party {
  const parties = [
    fixture.owner,
    fixture.poster,
    fixture.human,
    fixture.agent,
    fixture.secondHuman,
    fixture.stranger,
    fixture.reviewer,
    fixture.controller,
  ];
  const found = parties.find((party) => party.address.toLowerCase() === address.toLowerCase());
  assert.ok(found !== undefined, `no test account signs for ${address}`);
  return found;
}

/** The ETH balance of `account`, or its balance of `token` for an ERC-20. */
export async function balanceOf(fixture: TaskMarketFixture, token: Address, account: Address): Promise<bigint> {
  if (token === ETH) return fixture.publicClient.getBalance({ address: account });
  return (await fixture.token.read.balanceOf([account])) as bigint;
}

/** Balances of several accounts at once, keyed by address. */
export async function balancesOf(
  fixture: TaskMarketFixture,
  token: Address,
  accounts: readonly Address[],
): Promise<Map<Address, bigint>> {
  const entries = await Promise.all(
    accounts.map(async (account) => [account, await balanceOf(fixture, token, account)] as const),
  );
  return new Map(entries);
}

/**
 * Asserts how each account's balance moved since `before`. Every account in `before` must be listed in `expected`, so a
 * party nobody thought about cannot be paid unnoticed.
 */
export async function assertBalanceDeltas(
  fixture: TaskMarketFixture,
  token: Address,
  before: Map<Address, bigint>,
  expected: ReadonlyArray<readonly [Address, bigint]>,
): Promise<void> {
  assert.deepEqual(new Set(expected.map(([account]) => account)), new Set(before.keys()));
  const after = await balancesOf(fixture, token, [...before.keys()]);
  const actual = expected.map(([account]) => [account, after.get(account)! - before.get(account)!] as const);
  assert.deepEqual(actual, expected);
}

export interface MarketEvent {
  eventName: string;
  args: Record<string, unknown>;
}

/** The market's events in a receipt, in order, with their named arguments. */
export function marketEvents(fixture: TaskMarketFixture, receipt: TransactionReceipt): MarketEvent[] {
  const logs = receipt.logs.filter((log) => log.address.toLowerCase() === fixture.market.address.toLowerCase());
  return parseEventLogs({ abi: fixture.market.abi, logs }).map((log) => ({
    eventName: log.eventName,
    args: { ...(log.args as unknown as Record<string, unknown>) },
  }));
}

/** Asserts the exact sequence of market events in a receipt, names and arguments. */
export function assertMarketEvents(
  fixture: TaskMarketFixture,
  receipt: TransactionReceipt,
  expected: readonly MarketEvent[],
): void {
  assert.deepEqual(marketEvents(fixture, receipt), expected);
}

/** `PermitSignature` from `TaskTypes.sol`. */
export interface PermitSignature {
  deadline: bigint;
  v: number;
  r: Hex;
  s: Hex;
}

/** Signs an EIP-2612 permit for the test token with `owner`'s wallet, as a wallet would with `eth_signTypedData_v4`. */
export async function signPermit(
  fixture: TaskMarketFixture,
  owner: Party,
  spender: Address,
  value: bigint,
  deadline: bigint,
): Promise<PermitSignature> {
  const nonce = (await fixture.token.read.nonces([owner.address])) as bigint;
  const signature = await owner.wallet.signTypedData({
    account: owner.wallet.account,
    domain: {
      name: TOKEN_NAME,
      version: "1",
      chainId: await fixture.publicClient.getChainId(),
      verifyingContract: fixture.token.address,
    },
    types: {
      Permit: [
        { name: "owner", type: "address" },
        { name: "spender", type: "address" },
        { name: "value", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint256" },
      ],
    },
    primaryType: "Permit",
    message: { owner: owner.address, spender, value, nonce, deadline },
  });
  const { r, s, v, yParity } = parseSignature(signature);
  return { deadline, v: v !== undefined ? Number(v) : yParity + 27, r, s };
}
