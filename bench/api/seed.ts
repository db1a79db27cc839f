/**
 * Seeds the benchmark's market through the API's own write path: each task document is posted to `POST /tasks`, which
 * validates and stores it and returns the prepared create-and-fund transaction(s); those are signed here with the
 * posters' dev keys and sent. Then executors claim some tasks, start and submit some of those, posters approve some
 * submissions and cancel some unclaimed tasks, so that the market holds tasks in every common state.
 *
 * Sending is packed: automine is off while seeding, each round's transactions are signed locally with explicit nonces,
 * sent in JSON-RPC batches and mined with `evm_mine`, as many per block as the block's gas limit holds. Every
 * transaction must succeed: a revert stops the run and names the transaction.
 */
import {
  decodeFunctionData,
  encodeFunctionData,
  erc20Abi,
  getAddress,
  keccak256,
  maxUint256,
  parseAbi,
  parseEther,
  parseEventLogs,
  toHex,
  zeroAddress,
  type Address,
  type Hex,
  type RpcLog,
} from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";

import type { TaskDocument } from "../../src/documents/index.ts";
import { executorRegistryAbi, taskMarketAbi } from "../../src/protocol/abis.ts";
import { ExecutorKind, type TaskTerms } from "../../src/protocol/terms.ts";
import type { Deployment } from "../../scripts/deployment.ts";
import { hex, JsonRpc, RpcError, type RpcCall } from "../indexer/rpc.ts";
import { ALL_CAPABILITIES, benchmarkDocument, seededRandom } from "./documents.ts";
import { devPrivateKey } from "../../scripts/local-chain.ts";

/** Dev accounts by role. 0 deploys and owns, 1 takes fees, 6 is the API's verifier, 17–19 are the arbiters. */
const POSTER_ACCOUNTS = [2, 7, 8, 9, 10, 11, 12, 13];
const HUMAN_ACCOUNTS = [3, 14];
const AGENT_ACCOUNTS = [4, 15];
const OPERATOR_ACCOUNT = 5;

const MAX_FEE_PER_GAS = 100_000_000_000n;
const MAX_PRIORITY_FEE_PER_GAS = 1_000_000_000n;
/** Declared gas per call: about twice what each takes on its costliest path here. */
const GAS: Record<string, bigint> = {
  mint: 120_000n,
  approve: 100_000n,
  createTask: 600_000n,
  createTaskWithOptions: 700_000n,
  register: 1_500_000n,
  claim: 300_000n,
  start: 100_000n,
  submit: 250_000n,
  approveSubmission: 350_000n,
  cancel: 250_000n,
};
const MINE_ATTEMPTS = 4;
/** The dev token's public `mint` (test/solidity/mocks/MockERC20.sol): nobody holds any until they mint. */
const DEV_TOKEN_MINT_ABI = parseAbi(["function mint(address to, uint256 amount)"]);
const DEV_TOKEN_MINT = parseEther("100000000");
/** Seconds the poster has to review each submission. */
const REVIEW_WINDOW = 2 * 24 * 3600;
const RPC_BATCH = 200;

export interface SeedOptions {
  apiOrigin: string;
  rpcUrl: string;
  deployment: Deployment;
  tasks: number;
  seed: number;
  /** POST /tasks requests in flight at once. */
  concurrency: number;
  log: (message: string) => void;
}

export interface SeedSummary {
  tasks: number;
  taskIds: bigint[];
  byToken: { ETH: number; devToken: number };
  /** What the seeding did to tasks after creating them. */
  lifecycle: { claimed: number; started: number; submitted: number; approved: number; cancelled: number };
  transactions: number;
  blocks: number;
  lastBlock: number;
  postMs: number;
  sendMs: number;
  posters: number;
  executors: number;
}

interface Signer {
  account: PrivateKeyAccount;
  nonce: number;
}

interface Transaction {
  from: Signer;
  to: Address;
  data: Hex;
  value: bigint;
  gas: bigint;
  label: string;
}

interface PreparedTransaction {
  chainId: number;
  to: Address;
  data: Hex;
  value: string;
  description: string;
}

interface SeededTask {
  index: number;
  document: TaskDocument;
  poster: Signer;
  terms?: TaskTerms;
  capabilities?: readonly Hex[];
  documentHash?: Hex;
  prepared?: PreparedTransaction[];
  id?: bigint;
}

/**
 * `POST /tasks` for one document: the API validates, stores and commits to it and returns the transactions the
 * poster signs (an allowance first for a token reward, then the creation).
 */
async function prepareTask(apiOrigin: string, task: SeededTask): Promise<PreparedTransaction[]> {
  const response = await fetch(`${apiOrigin}/tasks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      document: task.document,
      terms: { poster: task.poster.account.address, reviewWindow: REVIEW_WINDOW },
    }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await response.json()) as { transactions?: PreparedTransaction[]; detail?: string };
  if (response.status !== 201) {
    throw new Error(`POST /tasks for benchmark task ${task.index + 1} failed (${response.status}): ${body.detail}`);
  }
  if (!Array.isArray(body.transactions) || body.transactions.length === 0) {
    throw new Error(`POST /tasks for benchmark task ${task.index + 1} returned no transaction.`);
  }
  return body.transactions;
}

/** Runs `work` over `items` with at most `concurrency` at once. */
async function forEachConcurrently<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

class Miner {
  readonly #rpc: JsonRpc;
  readonly #chainId: number;
  readonly #blockGasLimit: bigint;
  transactions = 0;
  blocks = 0;
  lastBlock = 0;

  constructor(rpc: JsonRpc, chainId: number, blockGasLimit: bigint) {
    this.#rpc = rpc;
    this.#chainId = chainId;
    this.#blockGasLimit = blockGasLimit;
  }

  /** Signs, sends and mines `transactions` in order, as many per block as fit; returns their receipts' logs. */
  async mine(transactions: Transaction[]): Promise<RpcLog[][]> {
    const logs: RpcLog[][] = [];
    let start = 0;
    while (start < transactions.length) {
      let gas = 0n;
      let end = start;
      while (end < transactions.length && gas + transactions[end]!.gas <= this.#blockGasLimit) {
        gas += transactions[end]!.gas;
        end++;
      }
      logs.push(...(await this.#mineBlock(transactions.slice(start, Math.max(end, start + 1)))));
      start = Math.max(end, start + 1);
    }
    return logs;
  }

  async #mineBlock(transactions: Transaction[]) {
    const raw: Hex[] = [];
    for (const transaction of transactions) {
      raw.push(
        await transaction.from.account.signTransaction({
          type: "eip1559",
          chainId: this.#chainId,
          nonce: transaction.from.nonce++,
          to: transaction.to,
          data: transaction.data,
          value: transaction.value,
          gas: transaction.gas,
          maxFeePerGas: MAX_FEE_PER_GAS,
          maxPriorityFeePerGas: MAX_PRIORITY_FEE_PER_GAS,
        }),
      );
    }
    const hashes = raw.map((transaction) => keccak256(transaction));
    for (let offset = 0; offset < raw.length; offset += RPC_BATCH) {
      const calls: RpcCall[] = raw
        .slice(offset, offset + RPC_BATCH)
        .map((transaction) => ({ method: "eth_sendRawTransaction", params: [transaction] }));
      const sent = await this.#rpc.batchSettled<Hex>(calls);
      sent.forEach((outcome, index) => {
        if (outcome instanceof RpcError && !/already known|known transaction/i.test(outcome.message)) {
          throw new Error(`Sending "${transactions[offset + index]!.label}" failed: ${outcome.message}`);
        }
      });
    }
    const remaining = new Set(hashes);
    for (let attempt = 1; remaining.size > 0; attempt++) {
      if (attempt > MINE_ATTEMPTS) {
        throw new Error(`${remaining.size} transactions were still pending after ${MINE_ATTEMPTS} blocks.`);
      }
      const number = await this.#rpc.mine();
      this.blocks++;
      this.lastBlock = number;
      const block = await this.#rpc.call<{ transactions: Hex[] }>("eth_getBlockByNumber", [hex(number), false]);
      for (const hash of block.transactions) remaining.delete(hash);
    }
    const logs: RpcLog[][] = [];
    for (let offset = 0; offset < hashes.length; offset += RPC_BATCH) {
      const receipts = await this.#rpc.batch<{
        status: Hex;
        transactionHash: Hex;
        logs: RpcLog[];
      }>(
        hashes
          .slice(offset, offset + RPC_BATCH)
          .map((hash) => ({ method: "eth_getTransactionReceipt", params: [hash] })),
      );
      receipts.forEach((receipt, index) => {
        if (receipt.status !== "0x1") {
          throw new Error(`"${transactions[offset + index]!.label}" reverted (${receipt.transactionHash}).`);
        }
        logs.push(receipt.logs);
      });
    }
    this.transactions += transactions.length;
    return logs;
  }
}

/** Seeds `options.tasks` tasks and moves some of them on; leaves automine on. */
export async function seedMarket(options: SeedOptions): Promise<SeedSummary> {
  const rpc = new JsonRpc(options.rpcUrl);
  const { contracts } = options.deployment;
  const devToken = contracts.devToken?.address;
  if (devToken === undefined) throw new Error("The benchmark needs the dev token: deploy it with the protocol.");
  const market = contracts.taskMarket.address;
  const chainId = Number(await rpc.call<Hex>("eth_chainId"));
  const latest = await rpc.call<{ gasLimit: Hex; timestamp: Hex }>("eth_getBlockByNumber", ["latest", false]);
  const now = Number(latest.timestamp);

  const signer = async (index: number): Promise<Signer> => {
    const account = privateKeyToAccount(devPrivateKey(index));
    return { account, nonce: Number(await rpc.call<Hex>("eth_getTransactionCount", [account.address, "pending"])) };
  };
  const posters = await Promise.all(POSTER_ACCOUNTS.map(signer));
  const humans = await Promise.all(HUMAN_ACCOUNTS.map(signer));
  const agents = await Promise.all(AGENT_ACCOUNTS.map(signer));
  const operator = privateKeyToAccount(devPrivateKey(OPERATOR_ACCOUNT)).address;

  await rpc.call("evm_setAutomine", [false]);
  const miner = new Miner(rpc, chainId, BigInt(latest.gasLimit));
  try {
    // Posters and executors mint dev tokens (rewards and claim bonds); executors register with every capability the
    // documents use and allow the market their claim bonds in the dev token.
    const capabilityIds = ALL_CAPABILITIES.map((name) => keccak256(toHex(name)));
    const setup: Transaction[] = [...posters, ...humans, ...agents].map((account) => ({
      from: account,
      to: devToken,
      data: encodeFunctionData({
        abi: DEV_TOKEN_MINT_ABI,
        functionName: "mint",
        args: [account.account.address, DEV_TOKEN_MINT],
      }),
      value: 0n,
      gas: GAS.mint!,
      label: `${account.account.address} mints dev tokens`,
    }));
    for (const [executors, kind] of [
      [humans, ExecutorKind.Human],
      [agents, ExecutorKind.Agent],
    ] as const) {
      for (const executor of executors) {
        setup.push({
          from: executor,
          to: contracts.executorRegistry.address,
          data: encodeFunctionData({
            abi: executorRegistryAbi,
            functionName: "register",
            args: [
              kind,
              kind === ExecutorKind.Agent ? operator : zeroAddress,
              capabilityIds,
              `ipfs://bench-executor/${executor.account.address}`,
            ],
          }),
          value: 0n,
          gas: GAS.register!,
          label: `executor ${executor.account.address} registers`,
        });
        setup.push({
          from: executor,
          to: devToken,
          data: encodeFunctionData({ abi: erc20Abi, functionName: "approve", args: [market, maxUint256] }),
          value: 0n,
          gas: GAS.approve!,
          label: `executor ${executor.account.address} approves the market`,
        });
      }
    }
    await miner.mine(setup);

    // The documents, posted to the API.
    const tasks: SeededTask[] = Array.from({ length: options.tasks }, (_, index) => ({
      index,
      document: benchmarkDocument(options.seed, index, { devToken, now }),
      poster: posters[index % posters.length]!,
    }));
    const postStarted = performance.now();
    let posted = 0;
    await forEachConcurrently(tasks, options.concurrency, async (task) => {
      task.prepared = await prepareTask(options.apiOrigin, task);
      if (++posted % 250 === 0) options.log(`POST /tasks: ${posted} of ${tasks.length}`);
    });
    const postMs = performance.now() - postStarted;

    // The prepared transactions, signed by their posters, in task order.
    const sendStarted = performance.now();
    const creations: Transaction[] = [];
    const byDocumentHash = new Map<Hex, SeededTask>();
    for (const task of tasks) {
      for (const prepared of task.prepared!) {
        if (prepared.chainId !== chainId)
          throw new Error(`POST /tasks prepared a transaction for chain ${prepared.chainId}.`);
        let functionName: string;
        if (getAddress(prepared.to) === getAddress(market)) {
          const call = decodeFunctionData({ abi: taskMarketAbi, data: prepared.data });
          functionName = call.functionName;
          if (call.functionName === "createTask" || call.functionName === "createTaskWithOptions") {
            const args = call.args as readonly unknown[];
            const capabilities = args[call.functionName === "createTask" ? 1 : 2] as readonly Hex[];
            task.terms = args[0] as TaskTerms;
            task.capabilities = capabilities;
            task.documentHash = task.terms.documentHash.toLowerCase() as Hex;
            byDocumentHash.set(task.documentHash, task);
          }
        } else {
          functionName = decodeFunctionData({ abi: erc20Abi, data: prepared.data }).functionName;
        }
        const gas = GAS[functionName];
        if (gas === undefined) throw new Error(`POST /tasks prepared an unexpected call: ${prepared.description}.`);
        creations.push({
          from: task.poster,
          to: prepared.to,
          data: prepared.data,
          value: BigInt(prepared.value),
          gas,
          label: `${prepared.description} (benchmark task ${task.index + 1})`,
        });
      }
      if (task.terms === undefined) throw new Error(`POST /tasks prepared no creation for task ${task.index + 1}.`);
    }
    const creationLogs = await miner.mine(creations);
    for (const logs of creationLogs) {
      for (const event of parseEventLogs({ abi: taskMarketAbi, logs, eventName: "TaskCreated" })) {
        if (getAddress(event.address) !== getAddress(market)) continue;
        const task = byDocumentHash.get(event.args.terms.documentHash.toLowerCase() as Hex);
        if (task !== undefined) task.id = event.args.taskId;
      }
    }
    const missing = tasks.filter((task) => task.id === undefined);
    if (missing.length > 0)
      throw new Error(`${missing.length} tasks have no TaskCreated event, the first task ${missing[0]!.index + 1}.`);
    options.log(`${tasks.length} tasks created in ${miner.blocks} blocks`);

    // Then some move on: a quarter are claimed (half of those started, half of those submitted, a third of the
    // submissions approved), and one in twenty of the unclaimed is cancelled by its poster.
    const random = seededRandom(options.seed + 17);
    const lifecycle = { claimed: 0, started: 0, submitted: 0, approved: 0, cancelled: 0 };
    const claimed: { task: SeededTask; executor: Signer }[] = [];
    const claims: Transaction[] = [];
    const cancels: Transaction[] = [];
    for (const task of tasks) {
      const terms = task.terms!;
      const roll = random();
      if (roll < 0.25) {
        const pool =
          terms.executorKind === ExecutorKind.Human
            ? humans
            : terms.executorKind === ExecutorKind.Agent
              ? agents
              : [...humans, ...agents];
        const executor = pool[Math.floor(random() * pool.length)]!;
        claimed.push({ task, executor });
        claims.push({
          from: executor,
          to: market,
          data: encodeFunctionData({
            abi: taskMarketAbi,
            functionName: "claim",
            args: [task.id!, terms, [...task.capabilities!]],
          }),
          value: terms.token === zeroAddress ? terms.claimBond : 0n,
          gas: GAS.claim!,
          label: `claim of task ${task.id}`,
        });
      } else if (roll > 0.95) {
        cancels.push({
          from: task.poster,
          to: market,
          data: encodeFunctionData({ abi: taskMarketAbi, functionName: "cancel", args: [task.id!, terms] }),
          value: 0n,
          gas: GAS.cancel!,
          label: `cancel of task ${task.id}`,
        });
      }
    }
    await miner.mine([...claims, ...cancels]);
    lifecycle.claimed = claims.length;
    lifecycle.cancelled = cancels.length;

    const started = claimed.filter(() => random() < 0.5);
    await miner.mine(
      started.map(({ task, executor }) => ({
        from: executor,
        to: market,
        data: encodeFunctionData({ abi: taskMarketAbi, functionName: "start", args: [task.id!] }),
        value: 0n,
        gas: GAS.start!,
        label: `start of task ${task.id}`,
      })),
    );
    lifecycle.started = started.length;

    const submitted = started.filter(() => random() < 0.5);
    await miner.mine(
      submitted.map(({ task, executor }) => ({
        from: executor,
        to: market,
        data: encodeFunctionData({
          abi: taskMarketAbi,
          functionName: "submit",
          args: [
            task.id!,
            task.terms!,
            keccak256(toHex(`result of task ${task.id}`)),
            `ipfs://bench-result/${task.id}`,
          ],
        }),
        value: 0n,
        gas: GAS.submit!,
        label: `submission of task ${task.id}`,
      })),
    );
    lifecycle.submitted = submitted.length;

    const approved = submitted.filter(() => random() < 1 / 3);
    await miner.mine(
      approved.map(({ task }) => ({
        from: task.poster,
        to: market,
        data: encodeFunctionData({ abi: taskMarketAbi, functionName: "approve", args: [task.id!, task.terms!] }),
        value: 0n,
        gas: GAS.approveSubmission!,
        label: `approval of task ${task.id}`,
      })),
    );
    lifecycle.approved = approved.length;

    const eth = tasks.filter((task) => task.terms!.token === zeroAddress).length;
    return {
      tasks: tasks.length,
      taskIds: tasks.map((task) => task.id!),
      byToken: { ETH: eth, devToken: tasks.length - eth },
      lifecycle,
      transactions: miner.transactions,
      blocks: miner.blocks,
      lastBlock: miner.lastBlock,
      postMs: Math.round(postMs),
      sendMs: Math.round(performance.now() - sendStarted),
      posters: posters.length,
      executors: humans.length + agents.length,
    };
  } finally {
    await rpc.call("evm_setAutomine", [true]);
  }
}
