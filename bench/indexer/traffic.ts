/**
 * Lifecycle traffic for the indexer benchmark: many posters, human and agent executors and attestation verifiers drive
 * tasks through every path the market has (settled with checkpoints and ratings, rejected and resubmitted, paid in
 * milestones, cancelled before and after a claim, expired unclaimed, lapsed claims, silent releases, attestation
 * quorums and optimistic verification), in ETH and in the dev token, until the indexed contracts have emitted the
 * target number of events.
 *
 * Throughput comes from packing: automine is off, each block's transactions are signed locally with explicit nonces,
 * sent in one JSON-RPC batch and mined with `evm_mine`. Tasks run in waves: within a wave each task takes one step per
 * block (so a step only ever depends on blocks already mined) and new tasks start every block, so blocks hold a mix of
 * creations, claims, submissions and settlements as a live market would. At the end of a wave the clock jumps past
 * every deadline (`evm_increaseTime`) and the time-dependent steps run: refunds of expired tasks, lapsed claims and
 * releases after silent review windows.
 *
 * Every transaction must succeed: a revert is a bug in the generator and stops the run with the step that failed.
 * The choice of paths, parties and amounts comes from a seeded generator, so a run is the same from one time to the
 * next (block timestamps follow the wall clock, which only shifts deadlines).
 */
import {
  concat,
  encodeFunctionData,
  keccak256,
  maxUint256,
  parseEther,
  toHex,
  zeroAddress,
  zeroHash,
  type Abi,
  type Address,
  type Hex,
} from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";

import { attestationTypedData, moduleDomain } from "../../src/protocol/eip712.js";
import { ExecutorKind, NO_MILESTONES, packMilestoneShares, type TaskTerms } from "../../src/protocol/terms.js";
import type { Deployment } from "../../scripts/deployment.js";
import { decodeLog, type RpcLog } from "./events.js";
import { hex, JsonRpc, RpcError } from "./rpc.js";

/*//////////////////////////////////////////////////////////////
                              PUBLIC API
//////////////////////////////////////////////////////////////*/

export interface TrafficAbis {
  taskMarket: Abi;
  executorRegistry: Abi;
  attestationModule: Abi;
  optimisticModule: Abi;
  /** The dev token (MockERC20: public `mint`, ERC-20 `approve`). */
  token: Abi;
}

export interface TrafficOptions {
  rpcUrl: string;
  deployment: Deployment;
  abis: TrafficAbis;
  /** Keep starting waves until the indexed contracts have emitted at least this many events. */
  targetEvents: number;
  /** Addresses whose logs count towards the target: the indexed contracts. */
  indexedAddresses: readonly Address[];
  /** Seeds the choice of paths, parties and amounts. Default: 1. */
  seed?: number;
  /** Tasks per wave. Default: 600. */
  tasksPerWave?: number;
  /** New tasks started in each block of a wave. Default: 30. */
  tasksStartedPerBlock?: number;
  accounts?: { posters?: number; humans?: number; agents?: number };
  log?: (message: string) => void;
}

export type TaskPath =
  | "settled"
  | "rejectedThenSettled"
  | "milestones"
  | "cancelledUnclaimed"
  | "mutuallyCancelled"
  | "expiredUnclaimed"
  | "claimLapsed"
  | "silentRelease"
  | "attested"
  | "optimistic";

export interface TrafficSummary {
  /** Events of the indexed contracts seen in the receipts of the generated transactions (setup included). */
  eventsSeen: number;
  transactions: number;
  /** Blocks mined by the generator, the time jumps included. */
  blocks: number;
  firstBlock: number;
  lastBlock: number;
  tasks: number;
  waves: number;
  paths: Record<TaskPath, number>;
  accounts: { posters: number; humanExecutors: number; agentExecutors: number; verifiers: number; keepers: number };
  durationMs: number;
}

/*//////////////////////////////////////////////////////////////
                              PARAMETERS
//////////////////////////////////////////////////////////////*/

const DAY = 24 * 60 * 60;
const CLAIM_PERIOD = 7 * DAY;
const EXECUTION_WINDOW = 3 * DAY;
const REVIEW_WINDOW = 2 * DAY;
/** Past every deadline of a wave: the claim period is the longest. */
const TIME_JUMP = CLAIM_PERIOD + DAY;

const ACCOUNT_BALANCE = parseEther("1000000");
const TOKEN_MINT = parseEther("1000000000");
const VERIFIER_BOND = parseEther("1");
/** Committed to by optimistic tasks; nobody challenges in this traffic, so it is never paid. */
const OPTIMISTIC_CHALLENGE_BOND = parseEther("0.05");
const MAX_FEE_PER_GAS = 100_000_000_000n;
const MAX_PRIORITY_FEE_PER_GAS = 1_000_000_000n;
/** How many `evm_mine` calls a block's transactions may take to be included before the run gives up. */
const MINE_ATTEMPTS = 4;

/** Weighted paths: most tasks settle, as on a healthy market; every other path is there in numbers. */
const PATH_WEIGHTS: readonly (readonly [TaskPath, number])[] = [
  ["settled", 40],
  ["rejectedThenSettled", 9],
  ["milestones", 9],
  ["cancelledUnclaimed", 6],
  ["mutuallyCancelled", 5],
  ["expiredUnclaimed", 7],
  ["claimLapsed", 6],
  ["silentRelease", 7],
  ["attested", 6],
  ["optimistic", 5],
];

const CAPABILITY_NAMES = [
  "lang:solidity",
  "lang:typescript",
  "lang:rust",
  "skill:code-review",
  "skill:translation/de-en",
  "skill:data-labeling",
  "skill:design",
  "skill:security-audit",
];
const CAPABILITIES: Hex[] = CAPABILITY_NAMES.map((name) => keccak256(toHex(name)));

/**
 * Gas limits declared per operation: about twice the cold-path gas, so that none runs out and blocks are not
 * reserved for gas that is never used. A transaction that runs out reverts, and the run stops and says which.
 */
const GAS = {
  mint: 120_000n,
  approveToken: 80_000n,
  register: 400_000n,
  updateProfile: 300_000n,
  createTask: 450_000n,
  claim: 250_000n,
  start: 100_000n,
  checkpoint: 150_000n,
  submit: 200_000n,
  approve: 300_000n,
  reject: 150_000n,
  cancel: 200_000n,
  consent: 200_000n,
  rate: 150_000n,
  refundExpired: 250_000n,
  release: 300_000n,
  submitVerdict: 600_000n,
  withdrawFees: 150_000n,
  verifierSet: 150_000n,
  addVerifier: 150_000n,
  bond: 100_000n,
} as const;

/*//////////////////////////////////////////////////////////////
                               ACCOUNTS
//////////////////////////////////////////////////////////////*/

class Actor {
  readonly account: PrivateKeyAccount;
  readonly label: string;
  nonce = 0;

  constructor(label: string) {
    this.label = label;
    // Deterministic keys that belong to no one: the benchmark funds them itself on its own chain.
    this.account = privateKeyToAccount(keccak256(toHex(`taskmarket indexer benchmark: ${label}`)));
  }

  get address(): Address {
    return this.account.address;
  }
}

interface Executor extends Actor {
  kind: typeof ExecutorKind.Human | typeof ExecutorKind.Agent;
  capabilities: Hex[];
}

/** Mulberry32: small, fast and good enough to pick paths and amounts reproducibly. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Capability ids strictly ascending, as the market and the registry require. */
function sortIds(ids: readonly Hex[]): Hex[] {
  return [...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
}

/*//////////////////////////////////////////////////////////////
                                 TASKS
//////////////////////////////////////////////////////////////*/

interface Transaction {
  from: Actor;
  to: Address;
  data: Hex;
  value?: bigint;
  gas: bigint;
  /** Says what the transaction was for when it fails. */
  label: string;
}

/** Builds a task's next transaction from what the chain has told about the task so far. */
type Step = (task: Task) => Transaction | Promise<Transaction>;

interface Task {
  index: number;
  path: TaskPath;
  poster: Actor;
  executor: Executor;
  terms: TaskTerms;
  capabilities: Hex[];
  documentURI: string;
  milestones: number;
  id?: bigint;
  /** The review deadline of the latest submission, from `WorkSubmitted`. */
  reviewDeadline?: number;
  resultHash?: Hex;
  /** Steps before the wave's time jump, one per block, in order. */
  before: Step[];
  /** Steps after it. */
  after: Step[];
}

/*//////////////////////////////////////////////////////////////
                              GENERATOR
//////////////////////////////////////////////////////////////*/

export async function generateTraffic(options: TrafficOptions): Promise<TrafficSummary> {
  const generator = new TrafficGenerator(options);
  return generator.run();
}

class TrafficGenerator {
  readonly #options: TrafficOptions;
  readonly #rpc: JsonRpc;
  readonly #next: () => number;
  readonly #log: (message: string) => void;
  readonly #indexed: Set<string>;
  readonly #market: Address;
  readonly #registry: Address;
  readonly #attestation: Address;
  readonly #optimistic: Address;
  readonly #token: Address;
  readonly #arbitrator: Address;

  #chainId = 0;
  #feeBps = 0;
  #blockGasLimit = 0n;
  #posters: Actor[] = [];
  #humans: Executor[] = [];
  #agents: Executor[] = [];
  #operators: Actor[] = [];
  #verifiers: Actor[] = [];
  #keeper!: Actor;
  #verifierAdmin!: Actor;
  #attestationConfig!: {
    verifierSetId: bigint;
    quorum: number;
    scored: boolean;
    methodId: Hex;
    minBond: bigint;
    arbitrator: Address;
    contestWindow: number;
    slashBps: number;
  };
  #attestationConfigHash: Hex = zeroHash;
  #optimisticConfigHash: Hex = zeroHash;

  #eventsSeen = 0;
  #transactions = 0;
  #blocks = 0;
  #firstBlock = 0;
  #lastBlock = 0;
  #taskCount = 0;
  #paths = Object.fromEntries(PATH_WEIGHTS.map(([path]) => [path, 0])) as Record<TaskPath, number>;
  /** Tasks awaiting their id, by document hash (unique per task). */
  #awaitingId = new Map<Hex, Task>();
  #byId = new Map<bigint, Task>();

  constructor(options: TrafficOptions) {
    this.#options = options;
    this.#rpc = new JsonRpc(options.rpcUrl);
    this.#next = random(options.seed ?? 1);
    this.#log = options.log ?? (() => {});
    this.#indexed = new Set(options.indexedAddresses.map((address) => address.toLowerCase()));
    const { contracts } = options.deployment;
    if (contracts.devToken === undefined)
      throw new Error("The traffic needs the dev token: deploy it with the protocol.");
    this.#market = contracts.taskMarket.address;
    this.#registry = contracts.executorRegistry.address;
    this.#attestation = contracts.attestationModule.address;
    this.#optimistic = contracts.optimisticModule.address;
    this.#arbitrator = contracts.panelArbitrator.address;
    this.#token = contracts.devToken.address;
  }

  async run(): Promise<TrafficSummary> {
    const started = performance.now();
    await this.#prepareChain();
    await this.#setUpAccounts();
    let wave = 0;
    while (this.#eventsSeen < this.#options.targetEvents) {
      wave++;
      await this.#runWave(wave);
      this.#log(
        `wave ${wave}: ${this.#eventsSeen} events, ${this.#transactions} transactions, ${this.#blocks} blocks, ` +
          `${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }
    // Back to normal mining: later phases of the benchmark mine their own blocks.
    await this.#rpc.call("evm_setAutomine", [true]);
    return {
      eventsSeen: this.#eventsSeen,
      transactions: this.#transactions,
      blocks: this.#blocks,
      firstBlock: this.#firstBlock,
      lastBlock: this.#lastBlock,
      tasks: this.#taskCount,
      waves: wave,
      paths: this.#paths,
      accounts: {
        posters: this.#posters.length,
        humanExecutors: this.#humans.length,
        agentExecutors: this.#agents.length,
        verifiers: this.#verifiers.length,
        keepers: 1,
      },
      durationMs: performance.now() - started,
    };
  }

  /*//////////////////////////////////////////////////////////////
                                SETUP
  //////////////////////////////////////////////////////////////*/

  async #prepareChain(): Promise<void> {
    const rpc = this.#rpc;
    this.#chainId = Number(await rpc.call<string>("eth_chainId"));
    const latest = await rpc.call<{ gasLimit: Hex; number: Hex }>("eth_getBlockByNumber", ["latest", false]);
    this.#blockGasLimit = BigInt(latest.gasLimit);
    this.#firstBlock = Number(latest.number) + 1;
    const feeBps = await rpc.call<Hex>("eth_call", [
      {
        to: this.#market,
        data: encodeFunctionData({ abi: this.#options.abis.taskMarket, functionName: "protocolFeeBps" }),
      },
      "latest",
    ]);
    this.#feeBps = Number(BigInt(feeBps));
    await rpc.call("evm_setAutomine", [false]);
  }

  async #setUpAccounts(): Promise<void> {
    const counts = this.#options.accounts ?? {};
    const posterCount = counts.posters ?? 60;
    const humanCount = counts.humans ?? 50;
    const agentCount = counts.agents ?? 50;
    this.#posters = Array.from({ length: posterCount }, (_, index) => new Actor(`poster ${index}`));
    this.#operators = Array.from({ length: 10 }, (_, index) => new Actor(`agent operator ${index}`));
    const executor = (label: string, kind: Executor["kind"]): Executor => {
      const actor = new Actor(label) as Executor;
      actor.kind = kind;
      // Four of the eight capabilities.
      const pool = [...CAPABILITIES];
      const chosen: Hex[] = [];
      while (chosen.length < 4) chosen.push(pool.splice(Math.floor(this.#next() * pool.length), 1)[0]!);
      actor.capabilities = sortIds(chosen);
      return actor;
    };
    this.#humans = Array.from({ length: humanCount }, (_, index) => executor(`human ${index}`, ExecutorKind.Human));
    this.#agents = Array.from({ length: agentCount }, (_, index) => executor(`agent ${index}`, ExecutorKind.Agent));
    this.#verifiers = Array.from({ length: 3 }, (_, index) => new Actor(`verifier ${index}`));
    this.#keeper = new Actor("keeper");
    this.#verifierAdmin = new Actor("verifier set admin");

    const everyone = [
      ...this.#posters,
      ...this.#humans,
      ...this.#agents,
      ...this.#verifiers,
      this.#keeper,
      this.#verifierAdmin,
    ];
    await this.#rpc.batch(
      everyone.map((actor) => ({ method: "hardhat_setBalance", params: [actor.address, hex(ACCOUNT_BALANCE)] })),
    );
    const { executorRegistry, token, attestationModule, optimisticModule } = this.#options.abis;

    // Block 1: every party mints dev tokens and approves the market once; executors register; the verifier set
    // is created.
    const setup: Transaction[] = [];
    for (const actor of [...this.#posters, ...this.#humans, ...this.#agents]) {
      setup.push({
        from: actor,
        to: this.#token,
        data: encodeFunctionData({ abi: token, functionName: "mint", args: [actor.address, TOKEN_MINT] }),
        gas: GAS.mint,
        label: `${actor.label} mints dev tokens`,
      });
      setup.push({
        from: actor,
        to: this.#token,
        data: encodeFunctionData({ abi: token, functionName: "approve", args: [this.#market, maxUint256] }),
        gas: GAS.approveToken,
        label: `${actor.label} approves the market`,
      });
    }
    for (const executor of [...this.#humans, ...this.#agents]) {
      const operator =
        executor.kind === ExecutorKind.Agent
          ? this.#operators[Math.floor(this.#next() * this.#operators.length)]!.address
          : zeroAddress;
      setup.push({
        from: executor,
        to: this.#registry,
        data: encodeFunctionData({
          abi: executorRegistry,
          functionName: "register",
          args: [executor.kind, operator, executor.capabilities, `ipfs://bench-profile/${executor.label}`],
        }),
        gas: GAS.register,
        label: `${executor.label} registers`,
      });
    }
    setup.push({
      from: this.#verifierAdmin,
      to: this.#attestation,
      data: encodeFunctionData({
        abi: attestationModule,
        functionName: "createVerifierSet",
        args: [this.#verifierAdmin.address],
      }),
      gas: GAS.verifierSet,
      label: "the verifier set is created",
    });
    const setupLogs = await this.#mineBlock(setup);
    let verifierSetId: bigint | undefined;
    for (const log of setupLogs) {
      const decoded = decodeLog(attestationModule, log);
      if (decoded?.eventName === "VerifierSetCreated") {
        verifierSetId = (decoded.args as unknown as { setId: bigint }).setId;
      }
    }
    if (verifierSetId === undefined) throw new Error("No VerifierSetCreated event in the setup block.");

    // Block 2: the verifiers join the set; block 3: they bond.
    await this.#mineBlock(
      this.#verifiers.map((verifier) => ({
        from: this.#verifierAdmin,
        to: this.#attestation,
        data: encodeFunctionData({
          abi: attestationModule,
          functionName: "addVerifier",
          args: [verifierSetId, verifier.address],
        }),
        gas: GAS.addVerifier,
        label: `${verifier.label} is added to the set`,
      })),
    );
    await this.#mineBlock(
      this.#verifiers.map((verifier) => ({
        from: verifier,
        to: this.#attestation,
        data: encodeFunctionData({ abi: attestationModule, functionName: "bond", args: [verifierSetId] }),
        value: VERIFIER_BOND,
        gas: GAS.bond,
        label: `${verifier.label} bonds`,
      })),
    );

    this.#attestationConfig = {
      verifierSetId,
      quorum: 2,
      scored: false,
      methodId: zeroHash,
      minBond: VERIFIER_BOND,
      arbitrator: zeroAddress,
      contestWindow: 0,
      slashBps: 0,
    };
    this.#attestationConfigHash = await this.#readHash(this.#attestation, attestationModule, "configHash", [
      this.#attestationConfig,
    ]);
    this.#optimisticConfigHash = await this.#readHash(this.#optimistic, optimisticModule, "configHash", [
      { arbitrator: this.#arbitrator, challengeBond: OPTIMISTIC_CHALLENGE_BOND },
    ]);
  }

  async #readHash(to: Address, abi: Abi, functionName: string, args: unknown[]): Promise<Hex> {
    return this.#rpc.call<Hex>("eth_call", [{ to, data: encodeFunctionData({ abi, functionName, args }) }, "latest"]);
  }

  /*//////////////////////////////////////////////////////////////
                                WAVES
  //////////////////////////////////////////////////////////////*/

  async #runWave(wave: number): Promise<void> {
    const tasksPerWave = this.#options.tasksPerWave ?? 600;
    const startedPerBlock = this.#options.tasksStartedPerBlock ?? 30;
    const now = await this.#latestTimestamp();
    const tasks = Array.from({ length: tasksPerWave }, (_, index) => this.#planTask(wave, index, now));
    this.#taskCount += tasks.length;

    // Before the jump: task i starts in block floor(i / startedPerBlock) of the wave and takes one step per block.
    const cursor = new Map<Task, number>();
    let block = 0;
    for (;;) {
      const transactions: { task: Task; transaction: Transaction }[] = [];
      let pending = false;
      for (const task of tasks) {
        const startBlock = Math.floor(task.index / startedPerBlock);
        if (startBlock > block) {
          pending = true;
          continue;
        }
        const step = cursor.get(task) ?? 0;
        if (step >= task.before.length) continue;
        pending = true;
        transactions.push({ task, transaction: await task.before[step]!(task) });
        cursor.set(task, step + 1);
      }
      if (!pending) break;
      if (transactions.length > 0) await this.#mineSteps(transactions);
      else await this.#mineBlock([]);
      block++;
    }

    // Every deadline of the wave passes; then the time-dependent steps, one per block again, and the keeper sweeps
    // the protocol fees.
    await this.#rpc.call("evm_increaseTime", [TIME_JUMP]);
    const afterCursor = new Map<Task, number>();
    for (;;) {
      const transactions: { task: Task; transaction: Transaction }[] = [];
      for (const task of tasks) {
        const step = afterCursor.get(task) ?? 0;
        if (step >= task.after.length) continue;
        transactions.push({ task, transaction: await task.after[step]!(task) });
        afterCursor.set(task, step + 1);
      }
      if (transactions.length === 0) break;
      await this.#mineSteps(transactions);
    }
    const sweeps: Transaction[] = [zeroAddress, this.#token].map((token) => ({
      from: this.#keeper,
      to: this.#market,
      data: encodeFunctionData({
        abi: this.#options.abis.taskMarket,
        functionName: "withdrawProtocolFees",
        args: [token],
      }),
      gas: GAS.withdrawFees,
      label: `the keeper withdraws the protocol fees in ${token}`,
    }));
    // A few executors refresh their profiles between waves.
    for (let index = 0; index < 3; index++) {
      const executor = this.#pick([...this.#humans, ...this.#agents]);
      if (sweeps.some((sweep) => sweep.from === executor)) continue;
      sweeps.push({
        from: executor,
        to: this.#registry,
        data: encodeFunctionData({
          abi: this.#options.abis.executorRegistry,
          functionName: "updateProfile",
          args: [
            executor.kind === ExecutorKind.Agent ? this.#pick(this.#operators).address : zeroAddress,
            executor.capabilities,
            `ipfs://bench-profile/${executor.label}/wave-${wave}`,
          ],
        }),
        gas: GAS.updateProfile,
        label: `${executor.label} updates its profile`,
      });
    }
    await this.#mineBlock(sweeps);
  }

  async #latestTimestamp(): Promise<number> {
    const block = await this.#rpc.call<{ timestamp: Hex }>("eth_getBlockByNumber", ["latest", false]);
    return Number(block.timestamp);
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#next() * items.length)]!;
  }

  #choosePath(): TaskPath {
    const total = PATH_WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);
    let roll = this.#next() * total;
    for (const [path, weight] of PATH_WEIGHTS) {
      roll -= weight;
      if (roll < 0) return path;
    }
    return PATH_WEIGHTS[0]![0];
  }

  /** Chooses a task's path, parties and terms, and lists its steps. */
  #planTask(wave: number, index: number, now: number): Task {
    const path = this.#choosePath();
    this.#paths[path]++;
    const poster = this.#pick(this.#posters);
    const kindRoll = this.#next();
    const executorKind = kindRoll < 0.5 ? ExecutorKind.Any : kindRoll < 0.75 ? ExecutorKind.Human : ExecutorKind.Agent;
    const executor =
      executorKind === ExecutorKind.Human
        ? this.#pick(this.#humans)
        : executorKind === ExecutorKind.Agent
          ? this.#pick(this.#agents)
          : this.#pick([...this.#humans, ...this.#agents]);
    // One or two of the executor's capabilities.
    const required = sortIds(
      this.#next() < 0.5
        ? [this.#pick(executor.capabilities)]
        : [executor.capabilities[0]!, executor.capabilities[1 + Math.floor(this.#next() * 3)]!],
    );
    // Verification modules pay and hold in ETH; other tasks are in the dev token a third of the time.
    const moduleVerified = path === "attested" || path === "optimistic";
    const inToken = !moduleVerified && this.#next() < 0.33;
    const reward = inToken
      ? parseEther(String(10 + Math.floor(this.#next() * 990)))
      : parseEther((0.01 + Math.floor(this.#next() * 200) / 100).toFixed(2));
    const milestones = path === "milestones" ? 2 + Math.floor(this.#next() * 2) : 1;
    const shares = milestones === 2 ? [4_000, 6_000] : [3_000, 3_000, 4_000];
    const label = `wave ${wave} task ${index}`;
    const terms: TaskTerms = {
      poster: poster.address,
      token: inToken ? this.#token : zeroAddress,
      reward,
      claimBond: reward / 10n,
      claimDeadline: now + CLAIM_PERIOD,
      executionWindow: EXECUTION_WINDOW,
      reviewWindow: REVIEW_WINDOW,
      feeBps: this.#feeBps,
      executorKind,
      verifier: path === "attested" ? this.#attestation : path === "optimistic" ? this.#optimistic : zeroAddress,
      verifierFee: path === "attested" ? parseEther("0.003") : 0n,
      verifierConfigHash:
        path === "attested"
          ? this.#attestationConfigHash
          : path === "optimistic"
            ? this.#optimisticConfigHash
            : zeroHash,
      capabilitiesHash: keccak256(concat(required)),
      documentHash: keccak256(toHex(`taskmarket benchmark document: ${label}`)),
      milestoneShares: milestones > 1 ? packMilestoneShares(shares) : NO_MILESTONES,
    };
    const task: Task = {
      index,
      path,
      poster,
      executor,
      terms,
      capabilities: required,
      documentURI: `ipfs://bench-task/${wave}/${index}`,
      milestones,
      before: [],
      after: [],
    };
    this.#awaitingId.set(terms.documentHash, task);

    const s = this.#steps;
    const checkpoints = Math.floor(this.#next() * 3);
    const rateBoth = this.#next() < 0.6;
    const work = [s.claim, s.start, ...Array.from({ length: checkpoints }, () => s.checkpoint)];
    const ratings = rateBoth ? [s.ratePoster, s.rateExecutor] : this.#next() < 0.5 ? [s.ratePoster] : [];
    switch (path) {
      case "settled":
        task.before = [s.create, ...work, s.submit, s.approve, ...ratings];
        break;
      case "rejectedThenSettled":
        task.before = [s.create, ...work, s.submit, s.reject, s.submit, s.approve, ...ratings];
        break;
      case "milestones":
        task.before = [
          s.create,
          s.claim,
          s.start,
          ...Array.from({ length: milestones }, () => [s.checkpoint, s.submit, s.approve]).flat(),
          ...ratings,
        ];
        break;
      case "cancelledUnclaimed":
        task.before = [s.create, s.cancel];
        break;
      case "mutuallyCancelled":
        task.before = [s.create, s.claim, s.start, s.consentPoster, s.consentExecutor];
        break;
      case "expiredUnclaimed":
        task.before = [s.create];
        task.after = [s.refundExpired];
        break;
      case "claimLapsed":
        task.before = [s.create, ...work];
        task.after = [s.refundExpired];
        break;
      case "silentRelease":
        task.before = [s.create, ...work, s.submit];
        task.after = [s.release, ...ratings];
        break;
      case "attested":
        task.before = [s.create, s.claim, s.start, s.submit, s.submitVerdict, ...ratings];
        break;
      case "optimistic":
        task.before = [s.create, s.claim, s.submit];
        task.after = [s.release];
        break;
    }
    return task;
  }

  /** The steps of a task, each building its transaction from what the chain has told about the task so far. */
  readonly #steps = (() => {
    const market = () => this.#options.abis.taskMarket;
    const call = (
      task: Task,
      from: Actor,
      functionName: string,
      args: unknown[],
      gas: bigint,
      value = 0n,
    ): Transaction => ({
      from,
      to: this.#market,
      data: encodeFunctionData({ abi: market(), functionName, args }),
      value,
      gas,
      label: `${functionName} of task ${task.id ?? "(not yet created)"} (${task.path}) by ${from.label}`,
    });
    const id = (task: Task): bigint => {
      if (task.id === undefined) throw new Error(`Task ${task.terms.documentHash} has no id yet.`);
      return task.id;
    };
    let resultCounter = 0;
    return {
      create: (task: Task) =>
        call(
          task,
          task.poster,
          "createTask",
          [task.terms, task.capabilities, task.documentURI],
          GAS.createTask,
          task.terms.token === zeroAddress ? task.terms.reward + task.terms.verifierFee : 0n,
        ),
      claim: (task: Task) =>
        call(
          task,
          task.executor,
          "claim",
          [id(task), task.terms, task.capabilities],
          GAS.claim,
          task.terms.token === zeroAddress ? task.terms.claimBond : 0n,
        ),
      start: (task: Task) => call(task, task.executor, "start", [id(task)], GAS.start),
      checkpoint: (task: Task) =>
        call(
          task,
          task.executor,
          "checkpoint",
          [
            id(task),
            10 + Math.floor(this.#next() * 90),
            keccak256(toHex(`progress ${id(task)} ${resultCounter++}`)),
            `ipfs://bench-progress/${id(task)}/${resultCounter}`,
          ],
          GAS.checkpoint,
        ),
      submit: (task: Task) => {
        task.resultHash = keccak256(toHex(`result ${id(task)} ${resultCounter++}`));
        return call(
          task,
          task.executor,
          "submit",
          [id(task), task.terms, task.resultHash, `ipfs://bench-result/${id(task)}/${resultCounter}`],
          GAS.submit,
        );
      },
      approve: (task: Task) => call(task, task.poster, "approve", [id(task), task.terms], GAS.approve),
      reject: (task: Task) =>
        call(
          task,
          task.poster,
          "reject",
          [id(task), task.terms, keccak256(toHex(`rejection ${id(task)}`))],
          GAS.reject,
        ),
      cancel: (task: Task) => call(task, task.poster, "cancel", [id(task), task.terms], GAS.cancel),
      consentPoster: (task: Task) => call(task, task.poster, "consentToCancel", [id(task), task.terms], GAS.consent),
      consentExecutor: (task: Task) =>
        call(task, task.executor, "consentToCancel", [id(task), task.terms], GAS.consent),
      ratePoster: (task: Task) =>
        call(task, task.poster, "rate", [id(task), task.terms, 3 + Math.floor(this.#next() * 3)], GAS.rate),
      rateExecutor: (task: Task) =>
        call(task, task.executor, "rate", [id(task), task.terms, 2 + Math.floor(this.#next() * 4)], GAS.rate),
      refundExpired: (task: Task) =>
        call(task, this.#keeper, "refundExpired", [id(task), task.terms], GAS.refundExpired),
      release: (task: Task) => call(task, this.#keeper, "release", [id(task), task.terms], GAS.release),
      submitVerdict: async (task: Task): Promise<Transaction> => ({
        from: this.#keeper,
        to: this.#attestation,
        data: await this.#verdictData(task),
        gas: GAS.submitVerdict,
        label: `submitVerdict of task ${id(task)} (${task.path}) by ${this.#keeper.label}`,
      }),
    };
  })();

  /** Signs the quorum's attestations of a task's current submission and encodes `submitVerdict`. */
  async #verdictData(task: Task): Promise<Hex> {
    if (task.id === undefined || task.reviewDeadline === undefined || task.resultHash === undefined) {
      throw new Error(`Task ${task.index} has no submission under review to attest.`);
    }
    const domain = moduleDomain("attestation", this.#chainId, this.#attestation);
    const deadline = BigInt((await this.#latestTimestamp()) + DAY);
    const signers = [...this.#verifiers]
      .sort((a, b) => (BigInt(a.address) < BigInt(b.address) ? -1 : 1))
      .slice(0, this.#attestationConfig.quorum);
    const attestations = await Promise.all(
      signers.map(async (signer, index) => {
        const message = {
          taskId: task.id!,
          milestone: 0,
          submissionHash: task.resultHash!,
          reviewDeadline: task.reviewDeadline!,
          approved: true,
          scoreBps: 10_000,
          methodId: zeroHash,
          evidenceHash: keccak256(toHex(`evidence ${task.id} ${index}`)),
          deadline,
          nonce: BigInt(index),
        };
        const signature = await signer.account.signTypedData(attestationTypedData(domain, message));
        return {
          signer: signer.address,
          scoreBps: message.scoreBps,
          evidenceHash: message.evidenceHash,
          deadline: message.deadline,
          nonce: message.nonce,
          signature,
        };
      }),
    );
    return encodeFunctionData({
      abi: this.#options.abis.attestationModule,
      functionName: "submitVerdict",
      args: [task.id, task.terms, this.#attestationConfig, { approved: true, methodId: zeroHash }, attestations],
    });
  }

  /*//////////////////////////////////////////////////////////////
                               MINING
  //////////////////////////////////////////////////////////////*/

  /** Mines the steps' transactions and learns task ids and review deadlines from the market's events. */
  async #mineSteps(steps: { task: Task; transaction: Transaction }[]): Promise<void> {
    const logs = await this.#mineBlock(steps.map((step) => step.transaction));
    for (const log of logs) {
      if (log.address.toLowerCase() !== this.#market.toLowerCase()) continue;
      const decoded = decodeLog(this.#options.abis.taskMarket, log);
      if (decoded?.eventName === "TaskCreated") {
        const args = decoded.args as unknown as { taskId: bigint; terms: { documentHash: Hex } };
        const task = this.#awaitingId.get(args.terms.documentHash);
        if (task !== undefined) {
          task.id = args.taskId;
          this.#awaitingId.delete(args.terms.documentHash);
          this.#byId.set(args.taskId, task);
        }
      } else if (decoded?.eventName === "WorkSubmitted") {
        const args = decoded.args as unknown as { taskId: bigint; reviewDeadline: number };
        const task = this.#byId.get(args.taskId);
        if (task !== undefined) task.reviewDeadline = Number(args.reviewDeadline);
      }
    }
  }

  /**
   * Signs and sends the transactions, mines until every one is included, and returns the logs of their receipts.
   * Throws if any reverted or was not included.
   */
  async #mineBlock(transactions: Transaction[]): Promise<RpcLog[]> {
    const raw: Hex[] = [];
    let gasInBlock = 0n;
    for (const transaction of transactions) {
      gasInBlock += transaction.gas;
      raw.push(
        await transaction.from.account.signTransaction({
          type: "eip1559",
          chainId: this.#chainId,
          nonce: transaction.from.nonce++,
          to: transaction.to,
          data: transaction.data,
          value: transaction.value ?? 0n,
          gas: transaction.gas,
          maxFeePerGas: MAX_FEE_PER_GAS,
          maxPriorityFeePerGas: MAX_PRIORITY_FEE_PER_GAS,
        }),
      );
    }
    if (gasInBlock > this.#blockGasLimit * BigInt(MINE_ATTEMPTS - 1)) {
      throw new Error(
        `A block's transactions declare ${gasInBlock} gas, more than ${MINE_ATTEMPTS - 1} blocks of ` +
          `${this.#blockGasLimit} hold: start fewer tasks per block.`,
      );
    }
    const sent = await this.#rpc.batchSettled<Hex>(
      raw.map((transaction) => ({ method: "eth_sendRawTransaction", params: [transaction] })),
    );
    // Hashes computed here, so that a transaction the node already had (a batch sent again after a dropped
    // connection) is accepted as sent.
    const hashes = raw.map((transaction) => keccak256(transaction));
    sent.forEach((outcome, index) => {
      if (outcome instanceof RpcError && !/already known|known transaction/i.test(outcome.message)) {
        throw new Error(`Sending "${transactions[index]!.label}" failed: ${outcome.message}`);
      }
    });

    const remaining = new Set(hashes);
    for (let attempt = 1; remaining.size > 0 || attempt === 1; attempt++) {
      if (attempt > MINE_ATTEMPTS) {
        throw new Error(`${remaining.size} transactions were still pending after ${MINE_ATTEMPTS} blocks.`);
      }
      const number = await this.#rpc.mine();
      this.#blocks++;
      this.#lastBlock = number;
      const block = await this.#rpc.call<{ transactions: Hex[] }>("eth_getBlockByNumber", [hex(number), false]);
      for (const hash of block.transactions) remaining.delete(hash);
      if (remaining.size === 0) break;
    }

    const receipts = await this.#rpc.batch<{ status: Hex; logs: RpcLog[]; transactionHash: Hex }>(
      hashes.map((hash) => ({ method: "eth_getTransactionReceipt", params: [hash] })),
    );
    const logs: RpcLog[] = [];
    receipts.forEach((receipt, index) => {
      if (receipt.status !== "0x1") {
        throw new Error(`"${transactions[index]!.label}" reverted (transaction ${receipt.transactionHash}).`);
      }
      for (const log of receipt.logs) {
        logs.push(log);
        if (this.#indexed.has(log.address.toLowerCase())) this.#eventsSeen++;
      }
    });
    this.#transactions += transactions.length;
    return logs;
  }
}
