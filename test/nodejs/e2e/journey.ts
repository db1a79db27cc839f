// What every end-to-end journey shares: a started stack (a `hardhat node` with the protocol deployed, the embedded graph
// node indexing it, the API served on 127.0.0.1) reached only the way its users reach it — the API over HTTP through
// the SDK's `TaskMarketApi`, GraphQL over HTTP, the chain over JSON-RPC with the dev accounts' wallets and the SDK's
// direct `TaskMarket` client — and the books a journey keeps to prove that every wei ends with someone: balances net
// of the gas each account paid, and the same figures read from the chain, the graph node and the API.
import assert from "node:assert/strict";

import {
  createPublicClient,
  createWalletClient,
  erc20Abi,
  getAddress,
  http,
  zeroAddress,
  type Abi,
  type Account,
  type Address,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
} from "viem";

import {
  TaskMarket,
  TaskMarketApi,
  sendPrepared,
  type PreparedTransaction,
  type SentPreparedTransaction,
} from "../../../sdk/src/index.ts";
import { taskMarketAbi } from "../../../src/protocol/abis.ts";
import { BPS, taskStatusName, type TaskStatusName } from "../../../src/protocol/terms.ts";
import { ACCOUNT_INDEX, devAccount, devPrivateKey, startStack, type Stack } from "../api/helpers/stack.ts";

export const ETH: Address = zeroAddress;
export const DAY = 24 * 3600;

/**
 * The dev accounts the journeys act as. 0 deployed and owns the protocol, 1 receives its fees, 6 holds the API's
 * verifier key, 17–19 sit on the local arbitration panel; the others are free.
 */
export const ACTORS = {
  owner: 0,
  feeRecipient: 1,
  poster: ACCOUNT_INDEX.poster,
  human: ACCOUNT_INDEX.human,
  agent: ACCOUNT_INDEX.agent,
  operator: ACCOUNT_INDEX.operator,
  verificationService: ACCOUNT_INDEX.verifier,
  anyone: ACCOUNT_INDEX.other,
  secondAgent: 8,
  thirdAgent: 9,
  coordinator: 10,
  reviewer: 11,
  secondHuman: 12,
  arbiter1: 17,
  arbiter2: 18,
  arbiter3: 19,
} as const;
export type Actor = keyof typeof ACTORS;

export type Wallet = WalletClient & { account: Account };

/** A GraphQL answer's `data`, loosely typed: the journeys assert its shape. */
export type GraphQLData = Record<string, any>;

export interface Journey {
  stack: Stack;
  /** The API over HTTP, with a key that may ask the verification service for attestations. */
  api: TaskMarketApi;
  /** The chain over JSON-RPC. */
  publicClient: PublicClient;
  /** The graph node's GraphQL endpoint. */
  graphqlUrl: string;
  address(actor: Actor): Address;
  wallet(actor: Actor): Wallet;
  /** The SDK's direct client, signing as `actor`. */
  market(actor: Actor): TaskMarket;
  /** A protocol contract's address, from the deployment record. */
  contract(key: keyof Stack["deployment"]["contracts"]): Address;
  /** A GraphQL query over HTTP; fails on any error in the answer. */
  graphql(query: string, variables?: Record<string, unknown>): Promise<GraphQLData>;
  /** Waits until the graph node reports (over GraphQL) that it has indexed the chain's head, or `block`. */
  indexed(block?: bigint | TransactionReceipt): Promise<void>;
  /** Signs and sends transactions the API prepared, as `actor`'s wallet would. */
  sendPrepared(
    actor: Actor,
    transactions: PreparedTransaction | readonly PreparedTransaction[],
  ): Promise<SentPreparedTransaction[]>;
  /** A contract call signed by `actor`, for what neither the SDK nor the API prepares; fails loudly on a revert. */
  write(
    actor: Actor,
    call: { address: Address; abi: Abi; functionName: string; args: readonly unknown[]; value?: bigint },
  ): Promise<TransactionReceipt>;
  /** Moves the chain's clock `seconds` ahead and mines a block at the new time. */
  increaseTime(seconds: number): Promise<void>;
  latestTimestamp(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts the stack for one journey: a chain with the protocol (and its local arbitration panel and dev token), the
 * graph node, and the API served on 127.0.0.1 with account 6's key as the verification service's signing key.
 */
export async function startJourney(name: string): Promise<Journey> {
  const stack = await startStack({
    serve: true,
    config: { verifierPrivateKey: devPrivateKey(ACTORS.verificationService) },
  });
  try {
    // The operator's `npm run api -- keys create --scope verify`, made against the same database the served API
    // reads: the stack keeps it in memory, out of reach of a second process.
    const { key } = await stack.services.apiKeys.create({ name, scopes: ["verify"] });
    const api = new TaskMarketApi({ baseUrl: stack.server!.url, apiKey: key });
    const transport = http(stack.chain.rpcUrl);
    const publicClient = createPublicClient({ transport, pollingInterval: 50 }) as PublicClient;
    const graphqlUrl = stack.graphNode.graphqlUrl;
    const wallets = new Map<Actor, Wallet>();
    const markets = new Map<Actor, TaskMarket>();

    const wallet = (actor: Actor): Wallet => {
      let found = wallets.get(actor);
      if (found === undefined) {
        found = createWalletClient({ account: devAccount(ACTORS[actor]), transport }) as Wallet;
        wallets.set(actor, found);
      }
      return found;
    };

    const graphql = async (query: string, variables: Record<string, unknown> = {}): Promise<GraphQLData> => {
      const response = await fetch(graphqlUrl, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: GraphQLData; errors?: unknown[] };
      assert.equal(response.status, 200, JSON.stringify(body));
      assert.equal(body.errors, undefined, `GraphQL errors: ${JSON.stringify(body.errors)}`);
      return body.data!;
    };

    const journey: Journey = {
      stack,
      api,
      publicClient,
      graphqlUrl,
      address: (actor) => wallet(actor).account.address,
      wallet,
      market(actor) {
        let found = markets.get(actor);
        if (found === undefined) {
          found = new TaskMarket({
            publicClient,
            walletClient: wallet(actor),
            deployment: stack.deployment,
            pollingInterval: 50,
          });
          markets.set(actor, found);
        }
        return found;
      },
      contract(key) {
        const deployed = stack.deployment.contracts[key];
        assert.ok(deployed, `the deployment has no ${key}`);
        return deployed.address;
      },
      graphql,
      async indexed(block) {
        const target =
          block === undefined
            ? await publicClient.getBlockNumber({ cacheTime: 0 })
            : typeof block === "bigint"
              ? block
              : block.blockNumber;
        const deadline = Date.now() + 30_000;
        for (;;) {
          const { _meta } = await graphql("{ _meta { block { number } hasIndexingErrors } }");
          assert.equal(_meta.hasIndexingErrors, false, "the graph node stopped on an indexing error");
          if (BigInt(_meta.block.number) >= target) return;
          if (Date.now() > deadline) {
            throw new Error(`the graph node is at block ${_meta.block.number}, still short of ${target}`);
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
      sendPrepared: (actor, transactions) => sendPrepared(wallet(actor), transactions, { publicClient }),
      async write(actor, call) {
        const signer = wallet(actor);
        const hash = await signer.writeContract({
          chain: null,
          account: signer.account,
          address: call.address,
          abi: call.abi,
          functionName: call.functionName,
          args: call.args,
          value: call.value,
        } as Parameters<typeof signer.writeContract>[0]);
        const receipt = await publicClient.waitForTransactionReceipt({ hash });
        assert.equal(receipt.status, "success", `${call.functionName} from ${actor} reverted (${hash})`);
        return receipt;
      },
      async increaseTime(seconds) {
        await publicClient.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
        await publicClient.request({ method: "evm_mine" as never, params: [] as never });
      },
      async latestTimestamp() {
        return Number((await publicClient.getBlock({ blockTag: "latest" })).timestamp);
      },
      stop: () => stack.stop(),
    };
    return journey;
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

/** The protocol fee on `amount`, as the market takes it (rounded down). */
export function feeOf(amount: bigint, feeBps: number): bigint {
  return (amount * BigInt(feeBps)) / BigInt(BPS);
}

/** How a settlement giving the executor `shareBps` of `amount` divides it, as the market computes it. */
export function splitOf(amount: bigint, shareBps: number, feeBps: number) {
  const gross = (amount * BigInt(shareBps)) / BigInt(BPS);
  const fee = feeOf(gross, feeBps);
  return { payout: gross - fee, fee, refund: amount - gross };
}

/** The market's live status of a task (`statusOf`), by name. */
export async function chainStatus(journey: Journey, taskId: bigint): Promise<TaskStatusName> {
  const status = await journey.publicClient.readContract({
    address: journey.contract("taskMarket"),
    abi: taskMarketAbi,
    functionName: "statusOf",
    args: [taskId],
  });
  return taskStatusName(status);
}

/** The market's own records of an account, as plain numbers: `executorRecordOf` and `posterRecordOf`. */
export async function chainRecords(journey: Journey, account: Address) {
  const market = { address: journey.contract("taskMarket"), abi: taskMarketAbi } as const;
  const [executor, poster] = await Promise.all([
    journey.publicClient.readContract({ ...market, functionName: "executorRecordOf", args: [account] }),
    journey.publicClient.readContract({ ...market, functionName: "posterRecordOf", args: [account] }),
  ]);
  return {
    executor: Object.fromEntries(Object.entries(executor).map(([key, value]) => [key, Number(value)])),
    poster: Object.fromEntries(Object.entries(poster).map(([key, value]) => [key, Number(value)])),
  };
}

/**
 * Asserts that the chain, the graph node and the API agree on an account's records and reputation: the market's
 * `executorRecordOf`/`posterRecordOf`, the indexed `Account`, and `GET /reputation/{id}`. Returns the API's answer.
 */
export async function assertReputationAgrees(journey: Journey, account: Address) {
  await journey.indexed();
  const chain = await chainRecords(journey, account);
  const { account: indexed } = await journey.graphql(
    `query ($id: ID!) { account(id: $id) {
      reputationScoreBps
      executorRecord { completed expired rejected disputesWon disputesLost ratingSum ratingCount }
      posterRecord { posted settled cancelled expired ratingSum ratingCount }
    } }`,
    { id: account.toLowerCase() },
  );
  assert.ok(indexed, `the graph node has no account ${account}`);
  const reputation = await journey.api.getReputation(account);
  assert.deepEqual(indexed.executorRecord, chain.executor, `${account}: indexed executor record vs the chain`);
  assert.deepEqual(indexed.posterRecord, chain.poster, `${account}: indexed poster record vs the chain`);
  assert.deepEqual(reputation.asExecutor.record, chain.executor, `${account}: API executor record vs the chain`);
  assert.deepEqual(reputation.asPoster.record, chain.poster, `${account}: API poster record vs the chain`);
  assert.equal(reputation.asExecutor.scoreBps, indexed.reputationScoreBps, `${account}: API score vs GraphQL`);
  return reputation;
}

/**
 * Asserts that a task reads the same everywhere: the market's `statusOf` and `stateOf`, the indexed `Task` over
 * GraphQL, and `GET /tasks/{id}` and `GET /settle/{id}` over HTTP. Returns the indexed task, the API's reads and the
 * settlement so that the journey can check the figures it expects.
 */
export async function assertTaskAgrees(journey: Journey, taskId: bigint, expected: TaskStatusName) {
  await journey.indexed();
  const id = taskId.toString();
  const market = { address: journey.contract("taskMarket"), abi: taskMarketAbi } as const;
  const [status, state] = await Promise.all([
    chainStatus(journey, taskId),
    journey.publicClient.readContract({ ...market, functionName: "stateOf", args: [taskId] }),
  ]);
  assert.equal(status, expected, `task ${id} on the chain`);
  const { task: indexed } = await journey.graphql(
    `query ($id: ID!) { task(id: $id) {
      status executor { id } reward price escrowRemaining paidToExecutor protocolFees refunded
      verifierFeeAmountPaid bondsForfeited bondsReturned claimCount lapseCount submissionCount disputeCount
    } }`,
    { id },
  );
  assert.ok(indexed, `the graph node has no task ${id}`);
  assert.equal(indexed.status, taskStatusName(state.status), `task ${id}: indexed status vs stateOf`);
  assert.equal(
    indexed.executor?.id ?? zeroAddress,
    state.executor.toLowerCase(),
    `task ${id}: indexed executor vs stateOf`,
  );

  const read = await journey.api.getTask(taskId);
  assert.equal(read.status, expected, `task ${id}: GET /tasks/{id} status`);
  assert.equal(read.chain.status, expected, `task ${id}: GET /tasks/{id} live status`);
  assert.equal(read.chain.storedStatus, taskStatusName(state.status));
  assert.equal(read.indexed?.state.status, indexed.status);
  const settlement = await journey.api.getSettlement(taskId);
  assert.equal(settlement.status, expected, `task ${id}: GET /settle/{id} status`);
  for (const field of ["escrowRemaining", "paidToExecutor", "protocolFees", "refunded", "price"] as const) {
    assert.equal(settlement[field], indexed[field], `task ${id}: GET /settle/{id} ${field} vs GraphQL`);
  }
  assert.equal(settlement.verifierFee.paid, indexed.verifierFeeAmountPaid);
  assert.equal(settlement.claimBond.forfeited, indexed.bondsForfeited);
  assert.equal(settlement.claimBond.returned, indexed.bondsReturned);
  const figures = read.indexed?.figures;
  for (const field of ["escrowRemaining", "paidToExecutor", "protocolFees", "refunded"] as const) {
    assert.equal(figures?.[field], indexed[field], `task ${id}: GET /tasks/{id} ${field} vs GraphQL`);
  }
  assert.equal(read.indexed?.price, indexed.price);
  return { indexed, read, settlement, state };
}

/*//////////////////////////////////////////////////////////////
                             THE BOOKS
//////////////////////////////////////////////////////////////*/

/**
 * Every balance a journey moves, in ETH or an ERC-20, net of the gas each tracked account paid: the gas is read from
 * the receipts of every transaction the account sent since the books opened, so nothing has to be routed through
 * here. `assertDeltas` must list every tracked account, so that nobody can be paid unnoticed, and checks that the
 * deltas sum to zero: every wei that moved ended with one of them.
 */
export class Books {
  private constructor(
    private readonly journey: Journey,
    private readonly token: Address,
    private readonly accounts: ReadonlyMap<string, Address>,
    private readonly before: ReadonlyMap<string, bigint>,
    private readonly fromBlock: bigint,
  ) {}

  static async open(journey: Journey, token: Address, accounts: Record<string, Address>): Promise<Books> {
    const named = new Map(Object.entries(accounts).map(([name, address]) => [name, getAddress(address)] as const));
    assert.equal(new Set(named.values()).size, named.size, "each account is tracked once");
    const fromBlock = await journey.publicClient.getBlockNumber({ cacheTime: 0 });
    const before = new Map<string, bigint>();
    for (const [name, address] of named) before.set(name, await balanceOf(journey, token, address, fromBlock));
    return new Books(journey, token, named, before, fromBlock);
  }

  /** What each account gained (negative: lost) since the books opened, gas aside for ETH. */
  async deltas(): Promise<Record<string, bigint>> {
    const toBlock = await this.journey.publicClient.getBlockNumber({ cacheTime: 0 });
    const gas = this.token === ETH ? await this.gasPaid(toBlock) : new Map<Address, bigint>();
    const deltas: Record<string, bigint> = {};
    for (const [name, address] of this.accounts) {
      const after = await balanceOf(this.journey, this.token, address, toBlock);
      deltas[name] = after - this.before.get(name)! + (gas.get(address) ?? 0n);
    }
    return deltas;
  }

  /** Asserts each account's delta; every tracked account must be named, and the deltas must sum to zero. */
  async assertDeltas(expected: Record<string, bigint>): Promise<void> {
    assert.deepEqual(Object.keys(expected).sort(), [...this.accounts.keys()].sort(), "every tracked account listed");
    const actual = await this.deltas();
    assert.deepEqual(actual, expected);
    const total = Object.values(actual).reduce((sum, delta) => sum + delta, 0n);
    assert.equal(total, 0n, "every wei that moved ended with a tracked account");
  }

  /** The gas each tracked account paid for the transactions it sent in blocks after the books opened. */
  private async gasPaid(toBlock: bigint): Promise<Map<Address, bigint>> {
    const tracked = new Set(this.accounts.values());
    const paid = new Map<Address, bigint>();
    for (let number = this.fromBlock + 1n; number <= toBlock; number++) {
      const block = await this.journey.publicClient.getBlock({ blockNumber: number, includeTransactions: true });
      for (const transaction of block.transactions) {
        const from = getAddress(transaction.from);
        if (!tracked.has(from)) continue;
        const receipt = await this.journey.publicClient.getTransactionReceipt({ hash: transaction.hash });
        paid.set(from, (paid.get(from) ?? 0n) + receipt.gasUsed * receipt.effectiveGasPrice);
      }
    }
    return paid;
  }
}

export async function balanceOf(journey: Journey, token: Address, account: Address, blockNumber?: bigint) {
  if (token === ETH) return journey.publicClient.getBalance({ address: account, blockNumber });
  return journey.publicClient.readContract({
    address: token,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [account],
    blockNumber,
  });
}

/** The protocol fees the market holds for `token`, not yet paid to the fee recipient. */
export function accruedFees(journey: Journey, token: Address = ETH): Promise<bigint> {
  return journey.publicClient.readContract({
    address: journey.contract("taskMarket"),
    abi: taskMarketAbi,
    functionName: "accruedFeesOf",
    args: [token],
  });
}

/**
 * Pays the accrued fees to the fee recipient (anyone may), and checks that the market then holds no fees and the
 * indexer agrees: the token's escrow balance and accrued fees are zero, and its fee totals are `fees`.
 */
export async function sweepFees(journey: Journey, token: Address, fees: bigint): Promise<void> {
  assert.equal(await accruedFees(journey, token), fees, "the market accrued exactly the fees of the journey");
  await journey.write("anyone", {
    address: journey.contract("taskMarket"),
    abi: taskMarketAbi as Abi,
    functionName: "withdrawProtocolFees",
    args: [token],
  });
  assert.equal(await accruedFees(journey, token), 0n);
  await journey.indexed();
  const { token: indexed } = await journey.graphql(
    `query ($id: ID!) { token(id: $id) { escrowBalance accruedFees totalProtocolFees totalFeesWithdrawn } }`,
    { id: token.toLowerCase() },
  );
  assert.deepEqual(indexed, {
    escrowBalance: "0",
    accruedFees: "0",
    totalProtocolFees: fees.toString(),
    totalFeesWithdrawn: fees.toString(),
  });
}
