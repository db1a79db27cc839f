// Seeds a running TaskMarket stack with a believable marketplace, through the parts its users use: executors register
// and tasks are posted, claimed, started, submitted, approved, rated, cancelled and refunded through the API's
// prepared transactions (the SDK's `TaskMarketApi` and `sendPrepared`), signed by dev wallets; what the API does not
// prepare — bids in the reverse auction, gated claims, subtasks, the optimistic challenge and the panel's vote — is
// sent to the contracts with the SDK's `TaskMarket` or viem and the generated ABIs, as a wallet or an agent would.
//
// The final state shows every `TaskStatus` at once. `statusOf` derives Expired and Verified from the clock, so the
// tasks that must run out of time are started first with short deadlines, the chain's clock is moved past them
// (`evm_increaseTime`), and everything else is seeded afterwards with deadlines days ahead: nothing moves the clock
// again, so nothing else lapses.
import {
  createPublicClient,
  createWalletClient,
  erc20Abi,
  formatEther,
  getAddress,
  http,
  keccak256,
  parseAbi,
  parseEther,
  parseEventLogs,
  stringToHex,
  type Abi,
  type Account,
  type Address,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
} from "viem";

import {
  PROTOCOL_ABIS,
  TaskMarket,
  TaskMarketApi,
  sendPrepared,
  taskMarketAbi,
  type ExecutorKind,
  type PreparedTransaction,
  type TaskCreation,
  type TaskOptions,
  type TaskStatusName,
  type TaskTerms,
  type TaskTransitionRequest,
} from "../../sdk/src/index.ts";
import type { Deployment } from "../deployment.ts";
import {
  DEMO_EXECUTORS,
  DEMO_OPERATORS,
  DEMO_POSTERS,
  accountIndexOf,
  nameOf,
  profileURI,
  type DemoActorName,
  type DemoExecutorName,
  type DemoPosterName,
} from "./cast.ts";
import { DAY, HOUR, demoDocument, type DemoDocumentSpec } from "./documents.ts";

/** What the seeding needs of a running stack. */
export interface DemoTarget {
  /** The API's base URL, e.g. `http://127.0.0.1:8787`. */
  apiUrl: string;
  rpcUrl: string;
  deployment: Deployment;
  /** The dev account `index` with its key (the chain's funded accounts). */
  accountOf(index: number): Account;
  /** Resolves once the indexer the API reads has indexed block `blockNumber`. */
  waitForIndexed(blockNumber: bigint): Promise<void>;
  /** Where progress lines go. */
  log?(line: string): void;
}

/** A seeded task and the status the chain must report for it once the seeding is done. */
export interface DemoTask {
  id: bigint;
  title: string;
  expected: Exclude<TaskStatusName, "None">;
  poster: string;
  executor?: string;
}

export interface DemoMarketplace {
  tasks: DemoTask[];
  executors: { name: string; kind: "human" | "agent"; address: Address }[];
  /** The open auction (bids in, bidding still on) and the one its poster has awarded. */
  auctions: { open: bigint; awarded: bigint };
  /** The task whose submission is disputed before the panel arbitrator, and the panel's dispute id. */
  dispute: { taskId: bigint; arbitratorDisputeId: bigint };
  /** A parent task split into subtasks, and a chain of tasks each requiring the ones before it. */
  graph: { parent: bigint; subtasks: bigint[]; dependencyChain: bigint[] };
}

/** How far the clock is moved: past the short deadlines of the first round, well within every other. */
const TIME_TRAVEL_SECONDS = 2 * HOUR;
/** The claim deadlines, review window and bidding time of the tasks the clock overtakes. */
const SHORT_WINDOW = HOUR;
/** What each actor keeps in the dev token, for the tasks and bonds paid in it. */
const DEV_TOKEN_FLOAT = parseEther("10000");
const DEV_TOKEN_MINT_ABI = parseAbi(["function mint(address to, uint256 amount)"]);

/** Every assignment module configuration the demo uses lets anyone through the reputation gate. */
function openGate(dependencies: bigint[] = []) {
  return { minCompleted: 0, maxDisputesLostBps: 10_000, dependencies };
}

interface PostedDemoTask {
  id: bigint;
  terms: TaskTerms;
  capabilities: Hex[];
  creation: TaskCreation;
}

/** The reverse auction's configuration, typed as the contract takes it. */
interface AuctionConfig {
  requirements: ReturnType<typeof openGate>;
  biddingEnd: number;
  revealEnd: number;
  bidBond: bigint;
  priceWeightBps: number;
  awardWindow: number;
}

class DemoSeeder {
  readonly tasks: DemoTask[] = [];
  readonly #target: DemoTarget;
  readonly #api: TaskMarketApi;
  readonly #publicClient: PublicClient;
  readonly #wallets = new Map<number, WalletClient & { account: Account }>();
  readonly #sdks = new Map<number, TaskMarket>();

  constructor(target: DemoTarget) {
    this.#target = target;
    this.#api = new TaskMarketApi({ baseUrl: target.apiUrl });
    this.#publicClient = createPublicClient({ transport: http(target.rpcUrl) }) as PublicClient;
  }

  get publicClient(): PublicClient {
    return this.#publicClient;
  }

  log(line: string): void {
    this.#target.log?.(line);
  }

  /*//////////////////////////////////////////////////////////////
                               ACCOUNTS
  //////////////////////////////////////////////////////////////*/

  wallet(indexOrActor: number | DemoActorName): WalletClient & { account: Account } {
    const index = typeof indexOrActor === "number" ? indexOrActor : accountIndexOf(indexOrActor);
    let wallet = this.#wallets.get(index);
    if (wallet === undefined) {
      wallet = createWalletClient({ account: this.#target.accountOf(index), transport: http(this.#target.rpcUrl) });
      this.#wallets.set(index, wallet);
    }
    return wallet;
  }

  address(indexOrActor: number | DemoActorName): Address {
    return this.wallet(indexOrActor).account.address;
  }

  /** The SDK's direct client for `actor`'s wallet. */
  sdk(indexOrActor: number | DemoActorName): TaskMarket {
    const index = typeof indexOrActor === "number" ? indexOrActor : accountIndexOf(indexOrActor);
    let sdk = this.#sdks.get(index);
    if (sdk === undefined) {
      sdk = new TaskMarket({
        deployment: this.#target.deployment,
        publicClient: this.#publicClient,
        walletClient: this.wallet(index),
      });
      this.#sdks.set(index, sdk);
    }
    return sdk;
  }

  contract(key: keyof Deployment["contracts"]): Address {
    const contract = this.#target.deployment.contracts[key];
    if (contract === undefined) throw new Error(`The deployment has no ${key}.`);
    return contract.address;
  }

  /*//////////////////////////////////////////////////////////////
                             TRANSACTIONS
  //////////////////////////////////////////////////////////////*/

  /** Signs and sends what the API prepared, then waits until the indexer has it (later API calls read from it). */
  async send(actor: number | DemoActorName, transactions: PreparedTransaction[]): Promise<TransactionReceipt> {
    const sent = await sendPrepared(this.wallet(actor), transactions, { publicClient: this.#publicClient });
    const receipt = sent.at(-1)!.receipt;
    await this.#target.waitForIndexed(receipt.blockNumber);
    return receipt;
  }

  /** A contract call the API does not prepare, sent from `actor`'s wallet and indexed. */
  async write(
    actor: number | DemoActorName,
    call: { address: Address; abi: Abi; functionName: string; args: readonly unknown[]; value?: bigint },
  ): Promise<TransactionReceipt> {
    const wallet = this.wallet(actor);
    const hash = await wallet.writeContract({
      chain: null,
      account: wallet.account,
      ...call,
    } as Parameters<typeof wallet.writeContract>[0]);
    const receipt = await this.#publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") {
      throw new Error(`${call.functionName} from ${wallet.account.address} reverted (transaction ${hash}).`);
    }
    await this.#target.waitForIndexed(receipt.blockNumber);
    return receipt;
  }

  async now(): Promise<number> {
    return Number((await this.#publicClient.getBlock({ blockTag: "latest" })).timestamp);
  }

  /** Moves the chain's clock ahead and mines a block at the new time. */
  async increaseTime(seconds: number): Promise<void> {
    await this.#publicClient.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
    await this.#publicClient.request({ method: "evm_mine" as never, params: [] as never });
    await this.#target.waitForIndexed(await this.#publicClient.getBlockNumber({ cacheTime: 0 }));
  }

  /*//////////////////////////////////////////////////////////////
                           THE CAST ARRIVES
  //////////////////////////////////////////////////////////////*/

  /** Registers every executor through `POST /agents`. */
  async registerExecutors(): Promise<DemoMarketplace["executors"]> {
    const registered: DemoMarketplace["executors"] = [];
    for (const [name, executor] of Object.entries(DEMO_EXECUTORS) as [
      DemoExecutorName,
      (typeof DEMO_EXECUTORS)[DemoExecutorName],
    ][]) {
      const operator =
        "operator" in executor ? this.address(DEMO_OPERATORS[executor.operator].accountIndex) : undefined;
      const registration = await this.#api.registerAgent({
        executor: this.address(name),
        kind: executor.kind,
        ...(operator === undefined ? {} : { operator }),
        capabilities: executor.capabilities,
        metadataURI: profileURI(executor),
      });
      await this.send(name, registration.transactions);
      registered.push({ name: executor.name, kind: executor.kind, address: this.address(name) });
      const by = "operator" in executor ? `, operated by ${DEMO_OPERATORS[executor.operator].name}` : "";
      this.log(`Registered ${executor.kind} ${executor.name}${by}: ${executor.capabilities.join(", ")}`);
    }
    return registered;
  }

  /** Tops every actor up to `DEV_TOKEN_FLOAT` of the dev token, which anyone may mint, for the tasks paid in it. */
  async fundWithDevToken(): Promise<void> {
    const token = this.contract("devToken");
    const actors = [...Object.keys(DEMO_POSTERS), ...Object.keys(DEMO_EXECUTORS)] as DemoActorName[];
    for (const actor of actors) {
      const holder = this.address(actor);
      const balance = await this.#publicClient.readContract({
        address: token,
        abi: erc20Abi,
        functionName: "balanceOf",
        args: [holder],
      });
      if (balance >= DEV_TOKEN_FLOAT) continue;
      await this.write(actor, {
        address: token,
        abi: DEV_TOKEN_MINT_ABI,
        functionName: "mint",
        args: [holder, DEV_TOKEN_FLOAT - balance],
      });
    }
  }

  /*//////////////////////////////////////////////////////////////
                               POSTING
  //////////////////////////////////////////////////////////////*/

  /** `POST /tasks` with the document for `spec`, and the poster's wallet sends what it prepares. */
  async post(
    poster: DemoPosterName | DemoExecutorName,
    spec: DemoDocumentSpec,
    extra: Pick<Parameters<TaskMarketApi["createTask"]>[0], "verification" | "assignment" | "options"> & {
      reviewWindow?: number;
    } = {},
  ): Promise<PostedDemoTask> {
    const document = demoDocument(spec, await this.now(), this.contract("devToken"));
    const { taskId, creation, sent } = await this.#api.postTask(
      this.wallet(poster),
      { document, reviewWindow: extra.reviewWindow ?? 3 * DAY, ...withoutReviewWindow(extra) },
      { publicClient: this.#publicClient },
    );
    await this.#target.waitForIndexed(sent.at(-1)!.receipt.blockNumber);
    return { id: taskId, terms: termsFromJson(creation.terms), capabilities: capabilityIds(creation), creation };
  }

  /**
   * A subtask of `parent`, posted by its executor: `POST /tasks` stores the document and derives the terms, and the
   * executor sends `createSubtask` in place of the `createTask` the API prepared, funding it from the parent's escrow.
   */
  async postSubtask(
    coordinator: DemoExecutorName,
    parent: PostedDemoTask,
    spec: DemoDocumentSpec,
  ): Promise<PostedDemoTask> {
    const document = demoDocument(spec, await this.now(), this.contract("devToken"));
    const creation = await this.#api.createTask({
      document,
      terms: { poster: this.address(coordinator), reviewWindow: 2 * DAY },
    });
    const terms = termsFromJson(creation.terms);
    const options: TaskOptions = {
      assigner: getAddress(creation.options.assigner),
      subtaskBudget: BigInt(creation.options.subtaskBudget),
      assignerConfigHash: creation.options.assignerConfigHash as Hex,
    };
    const capabilities = capabilityIds(creation);
    const receipt = await this.write(coordinator, {
      address: this.contract("taskMarket"),
      abi: taskMarketAbi,
      functionName: "createSubtask",
      args: [parent.id, parent.terms, terms, options, capabilities, creation.documentURI],
    });
    const [created] = parseEventLogs({ abi: taskMarketAbi, logs: receipt.logs, eventName: "SubtaskCreated" });
    if (created === undefined) throw new Error(`createSubtask of task ${parent.id} created no subtask.`);
    return { id: created.args.subtaskId, terms, capabilities, creation };
  }

  /** Records what the task should show at the end, and prints it. */
  note(task: { id: bigint }, title: string, expected: DemoTask["expected"], poster: string, executor?: string): void {
    this.tasks.push({ id: task.id, title, expected, poster, ...(executor === undefined ? {} : { executor }) });
    this.log(`Task ${String(task.id).padStart(2)}  ${expected.padEnd(10)} ${title}${executor ? ` (${executor})` : ""}`);
  }

  /*//////////////////////////////////////////////////////////////
                         LIFECYCLE, THROUGH THE API
  //////////////////////////////////////////////////////////////*/

  async claim(task: { id: bigint }, executor: DemoExecutorName): Promise<void> {
    const claim = await this.#api.claimTask(this.address(executor), { taskId: task.id });
    await this.send(executor, claim.transactions);
  }

  async transition(
    task: { id: bigint },
    actor: DemoActorName,
    request: Omit<TaskTransitionRequest, "from"> & { transition: TaskTransitionRequest["transition"] },
  ): Promise<void> {
    const prepared = await this.#api.updateTaskState(task.id, {
      from: this.address(actor),
      ...request,
    } as TaskTransitionRequest);
    await this.send(actor, prepared.transactions);
  }

  async submit(task: { id: bigint }, executor: DemoExecutorName, what: string): Promise<void> {
    const resultURI = `ipfs://bafkrei${keccak256(stringToHex(what)).slice(2, 54)}`;
    await this.transition(task, executor, {
      transition: "submit",
      params: { resultHash: keccak256(stringToHex(what)), resultURI },
    });
  }

  /** Claim, submit, the poster approves, and both sides rate each other. */
  async completeAndRate(
    task: { id: bigint },
    poster: DemoPosterName,
    executor: DemoExecutorName,
    ratings: { byPoster: number; byExecutor: number },
  ): Promise<void> {
    await this.claim(task, executor);
    await this.transition(task, executor, { transition: "start" });
    await this.submit(task, executor, `the deliverable of task ${task.id}`);
    await this.transition(task, poster, { transition: "approve" });
    await this.transition(task, poster, { transition: "rate", params: { rating: ratings.byPoster } });
    await this.transition(task, executor, { transition: "rate", params: { rating: ratings.byExecutor } });
  }

  /*//////////////////////////////////////////////////////////////
                         ASSIGNMENT MODULES
  //////////////////////////////////////////////////////////////*/

  /** The poster publishes the auction's configuration, so that bidders and indexers can read it. */
  async publishAuction(poster: DemoPosterName, task: PostedDemoTask, config: AuctionConfig): Promise<void> {
    await this.write(poster, {
      address: this.contract("reverseAuction"),
      abi: PROTOCOL_ABIS.reverseAuction,
      functionName: "publishConfig",
      args: [task.id, task.terms, config],
    });
  }

  /** An open bid: a price below the budget and an ETA, with the claim bond as the deposit. */
  async bid(task: PostedDemoTask, config: AuctionConfig, bidder: DemoExecutorName, price: bigint, eta: number) {
    await this.write(bidder, {
      address: this.contract("reverseAuction"),
      abi: PROTOCOL_ABIS.reverseAuction,
      functionName: "bid",
      args: [task.id, task.terms, config, price, eta, task.capabilities],
      value: task.terms.claimBond,
    });
    this.log(`  ${DEMO_EXECUTORS[bidder].name} bids ${formatEther(price)} ETH, done in ${eta / DAY} days`);
  }

  async publishGate(poster: DemoPosterName, task: PostedDemoTask, dependencies: bigint[]): Promise<void> {
    await this.write(poster, {
      address: this.contract("gatedClaim"),
      abi: PROTOCOL_ABIS.gatedClaim,
      functionName: "publishConfig",
      args: [task.id, task.terms, { requirements: openGate(dependencies) }],
    });
  }

  async gatedClaim(task: PostedDemoTask, dependencies: bigint[], executor: DemoExecutorName): Promise<void> {
    await this.write(executor, {
      address: this.contract("gatedClaim"),
      abi: PROTOCOL_ABIS.gatedClaim,
      functionName: "claim",
      args: [task.id, task.terms, { requirements: openGate(dependencies) }, task.capabilities],
      value: task.terms.claimBond,
    });
  }
}

function withoutReviewWindow<T extends { reviewWindow?: number }>(extra: T): Omit<T, "reviewWindow"> {
  const { reviewWindow: _reviewWindow, ...rest } = extra;
  return rest;
}

/** The terms of `POST /tasks`'s answer, as the contracts take them back. */
function termsFromJson(json: TaskCreation["terms"]): TaskTerms {
  return {
    poster: getAddress(json.poster),
    token: getAddress(json.token),
    reward: BigInt(json.reward),
    claimBond: BigInt(json.claimBond),
    claimDeadline: json.claimDeadline,
    executionWindow: json.executionWindow,
    reviewWindow: json.reviewWindow,
    feeBps: json.feeBps,
    executorKind: json.executorKind as ExecutorKind,
    verifier: getAddress(json.verifier),
    verifierFee: BigInt(json.verifierFee),
    verifierConfigHash: json.verifierConfigHash as Hex,
    capabilitiesHash: json.capabilitiesHash as Hex,
    documentHash: json.documentHash as Hex,
    milestoneShares: json.milestoneShares as Hex,
  };
}

function capabilityIds(creation: TaskCreation): Hex[] {
  return creation.capabilities.map((capability) => capability.id as Hex);
}

/*//////////////////////////////////////////////////////////////
                            THE MARKETPLACE
//////////////////////////////////////////////////////////////*/

/** Seeds the marketplace on `target`; returns what was seeded and the status each task must end in. */
export async function seedDemoMarketplace(target: DemoTarget): Promise<DemoMarketplace> {
  const demo = new DemoSeeder(target);
  const executors = await demo.registerExecutors();
  await demo.fundWithDevToken();
  const poster = (name: DemoPosterName) => DEMO_POSTERS[name].name;
  const executor = (name: DemoExecutorName) => DEMO_EXECUTORS[name].name;

  // --- First round: the tasks the clock must overtake -------------------------------------------------------------

  demo.log("Posting the tasks whose deadlines will pass…");
  const transcription = await demo.post("helio", {
    objective:
      "Transcribe three hours of recorded field interviews with delivery drivers (English, some Spanish), with " +
      "speaker labels and timestamps every minute.",
    category: "writing/transcription",
    tags: ["audio", "interviews", "research"],
    capabilities: ["lang:en"],
    executorKind: "human",
    reward: "0.6",
    executionWindow: 3 * DAY,
    claimPeriod: SHORT_WINDOW,
  });
  const csvFix = await demo.post("maya", {
    objective:
      "Quick fix: the CSV import of the Orbit back office drops every row whose description holds a quoted comma. " +
      "Fix the parser and add a regression test.",
    category: "code/bugfix",
    tags: ["csv", "typescript", "urgent"],
    capabilities: ["lang:typescript", "skill:testing"],
    executorKind: "agent",
    reward: "0.25",
    executionWindow: DAY,
    claimPeriod: SHORT_WINDOW,
    difficulty: "easy",
  });
  const labels = await demo.post(
    "helio",
    {
      objective:
        "Label 2,000 street-scene images with bounding boxes for cyclists, scooters and pedestrians, flagging " +
        "anything ambiguous for a second look.",
      category: "data/labeling",
      tags: ["bounding-boxes", "images", "quality-control"],
      capabilities: ["skill:data-labeling", "skill:vision"],
      executorKind: "human",
      reward: "1.2",
      executionWindow: 5 * DAY,
      claimPeriod: 14 * DAY,
    },
    { reviewWindow: SHORT_WINDOW },
  );
  await demo.claim(labels, "kenji");
  await demo.transition(labels, "kenji", { transition: "start" });
  await demo.submit(labels, "kenji", "2,000 labelled street scenes in COCO format");

  demo.log("Opening a reverse auction among agents…");
  const testsAuctionConfig: AuctionConfig = {
    requirements: openGate(),
    biddingEnd: (await demo.now()) + SHORT_WINDOW,
    revealEnd: 0,
    bidBond: 0n,
    priceWeightBps: 6_000,
    awardWindow: 2 * DAY,
  };
  const testsAuction = await demo.post(
    "helio",
    {
      objective:
        "Write property-based tests for the map-tile parsing library (TypeScript) until branch coverage reaches " +
        "95 percent, and report every input that crashes the parser.",
      category: "code/testing",
      tags: ["coverage", "fuzzing", "typescript"],
      capabilities: ["lang:typescript", "skill:testing"],
      executorKind: "agent",
      reward: "2",
      executionWindow: 5 * DAY,
      claimPeriod: 10 * DAY,
    },
    { assignment: { module: "reverseAuction", config: testsAuctionConfig } },
  );
  await demo.publishAuction("helio", testsAuction, testsAuctionConfig);
  const budget = testsAuction.terms.reward;
  await demo.bid(testsAuction, testsAuctionConfig, "testsmith", (budget * 80n) / 100n, 3 * DAY);
  await demo.bid(testsAuction, testsAuctionConfig, "lintwise", (budget * 70n) / 100n, 4 * DAY);
  await demo.bid(testsAuction, testsAuctionConfig, "coordinator", (budget * 90n) / 100n, 2 * DAY);

  demo.log(`Moving the chain's clock ${TIME_TRAVEL_SECONDS / HOUR} hours ahead (evm_increaseTime)…`);
  await demo.increaseTime(TIME_TRAVEL_SECONDS);

  await demo.transition(transcription, "helio", { transition: "refund-expired" });
  demo.note(transcription, "Transcribe three hours of field interviews (refunded)", "Expired", poster("helio"));
  demo.note(csvFix, "Quick fix: CSV import drops rows with quoted commas", "Expired", poster("maya"));
  demo.note(
    labels,
    "Label 2,000 street-scene images (review window over)",
    "Verified",
    poster("helio"),
    executor("kenji"),
  );

  // The bidding has closed: the poster awards the cheapest bid rather than wait for the automatic rule.
  await demo.write("helio", {
    address: demo.contract("reverseAuction"),
    abi: PROTOCOL_ABIS.reverseAuction,
    functionName: "award",
    args: [
      testsAuction.id,
      testsAuction.terms,
      testsAuctionConfig,
      demo.address("lintwise"),
      testsAuction.capabilities,
    ],
  });
  demo.note(testsAuction, "Property-based tests for the tile parser (auction, awarded)", "Claimed", poster("helio"));

  // --- Second round: everything else, with deadlines days ahead ---------------------------------------------------

  demo.log("Posting open tasks…");
  const consentForm = await demo.post("eva", {
    objective:
      "Translate a clinical trial consent form (about 2,400 words) from German into British English, keeping the " +
      "layout and the wording of every warning; a sworn translator's certificate is required.",
    category: "translation/medical",
    tags: ["german", "legal", "medical"],
    capabilities: ["lang:de", "lang:en", "skill:translation"],
    executorKind: "human",
    reward: "0.9",
    executionWindow: 5 * DAY,
    claimPeriod: 21 * DAY,
  });
  demo.note(consentForm, "Translate a clinical trial consent form, German to English", "Posted", poster("eva"));
  const icons = await demo.post("helio", {
    objective:
      "Design a set of 24 line icons for the Helio map dashboard in two weights, delivered as SVG with a usage " +
      "sheet.",
    category: "design/illustration",
    tags: ["icons", "svg", "ux"],
    capabilities: ["skill:design", "skill:illustration"],
    executorKind: "human",
    reward: "1500",
    inDevToken: true,
    executionWindow: 10 * DAY,
    claimPeriod: 30 * DAY,
  });
  demo.note(icons, "Design 24 line icons for the map dashboard (paid in the dev token)", "Posted", poster("helio"));

  demo.log("Opening a second reverse auction, still taking bids…");
  const extractionAuctionConfig: AuctionConfig = {
    requirements: openGate(),
    biddingEnd: (await demo.now()) + 3 * DAY,
    revealEnd: 0,
    bidBond: 0n,
    priceWeightBps: 5_000,
    awardWindow: 2 * DAY,
  };
  const extractionAuction = await demo.post(
    "eva",
    {
      objective:
        "Extract the parties, term, termination and liability clauses of 60 supplier contracts (PDF, English) into " +
        "a structured register, one row per contract, citing the page of each clause.",
      category: "data/extraction",
      tags: ["contracts", "legal", "pdf"],
      capabilities: ["skill:document-extraction"],
      executorKind: "agent",
      reward: "1.5",
      executionWindow: 4 * DAY,
      claimPeriod: 14 * DAY,
    },
    { assignment: { module: "reverseAuction", config: extractionAuctionConfig } },
  );
  await demo.publishAuction("eva", extractionAuction, extractionAuctionConfig);
  const extractionBudget = extractionAuction.terms.reward;
  await demo.bid(extractionAuction, extractionAuctionConfig, "ledgerLens", (extractionBudget * 85n) / 100n, 2 * DAY);
  await demo.bid(extractionAuction, extractionAuctionConfig, "atlas", (extractionBudget * 75n) / 100n, 3 * DAY);
  await demo.bid(extractionAuction, extractionAuctionConfig, "coordinator", extractionBudget, DAY);
  demo.note(extractionAuction, "Extract clauses of 60 supplier contracts (auction, 3 bids)", "Posted", poster("eva"));

  demo.log("Tasks being worked on…");
  const cachingReview = await demo.post("maya", {
    objective:
      "Review the pull request that rewrites the Orbit rate service's caching layer: look for race conditions, " +
      "missing error handling and needless allocations, and write each finding with a suggested patch.",
    category: "code/review",
    tags: ["performance", "rust", "typescript"],
    capabilities: ["lang:rust", "skill:code-review"],
    executorKind: "any",
    reward: "0.8",
    executionWindow: 3 * DAY,
    claimPeriod: 10 * DAY,
  });
  await demo.claim(cachingReview, "lintwise");
  demo.note(cachingReview, "Review the caching layer rewrite", "Claimed", poster("maya"), executor("lintwise"));

  const onboarding = await demo.post("helio", {
    objective:
      "Illustrate the five onboarding screens of the Helio mobile app: one scene per screen in the brand palette, " +
      "with a dark-mode variant of each.",
    category: "design/illustration",
    tags: ["branding", "illustration", "mobile"],
    capabilities: ["skill:illustration"],
    executorKind: "human",
    reward: "1.1",
    executionWindow: 8 * DAY,
    claimPeriod: 14 * DAY,
  });
  await demo.claim(onboarding, "priya");
  await demo.transition(onboarding, "priya", { transition: "start" });
  await demo.transition(onboarding, "priya", {
    transition: "checkpoint",
    params: {
      percentComplete: 40,
      progressHash: keccak256(stringToHex("sketches of screens 1 and 2")),
      progressURI: "ipfs://bafkreionboardingsketches",
    },
  });
  demo.note(
    onboarding,
    "Illustrate five onboarding screens (40 % checkpoint)",
    "InProgress",
    poster("helio"),
    executor("priya"),
  );

  const papers = await demo.post("helio", {
    objective:
      "Summarise the 12 most cited research papers of the last two years on sodium-ion battery chemistry, one " +
      "page each, with the open questions they leave.",
    category: "research/summary",
    tags: ["batteries", "literature", "summary"],
    capabilities: ["skill:research", "skill:writing"],
    executorKind: "agent",
    reward: "0.7",
    executionWindow: 4 * DAY,
    claimPeriod: 10 * DAY,
  });
  await demo.claim(papers, "atlas");
  await demo.submit(papers, "atlas", "twelve one-page summaries with citations");
  demo.note(papers, "Summarise 12 papers on sodium-ion batteries", "Submitted", poster("helio"), executor("atlas"));

  demo.log("Settled work, rated by both sides…");
  const privacyPolicy = await demo.post("eva", {
    objective:
      "Translate the firm's privacy policy (about 1,800 words) from Portuguese into English for the new Lisbon " +
      "office's website.",
    category: "translation/legal",
    tags: ["legal", "portuguese", "website"],
    capabilities: ["lang:en", "lang:pt", "skill:translation"],
    executorKind: "human",
    reward: "0.5",
    executionWindow: 4 * DAY,
    claimPeriod: 10 * DAY,
  });
  await demo.completeAndRate(privacyPolicy, "eva", "ana", { byPoster: 5, byExecutor: 5 });
  demo.note(
    privacyPolicy,
    "Translate the privacy policy, Portuguese to English",
    "Settled",
    poster("eva"),
    executor("ana"),
  );

  const pricingTests = await demo.post("maya", {
    objective:
      "Write unit tests for the Orbit interest-rate library (TypeScript) until branch coverage reaches 90 percent, " +
      "with property-based tests for the compounding functions.",
    category: "code/testing",
    tags: ["coverage", "typescript", "unit-tests"],
    capabilities: ["lang:typescript", "skill:testing"],
    executorKind: "agent",
    reward: "0.9",
    executionWindow: 3 * DAY,
    claimPeriod: 10 * DAY,
  });
  await demo.completeAndRate(pricingTests, "maya", "testsmith", { byPoster: 4, byExecutor: 5 });
  demo.note(pricingTests, "Unit tests for the interest-rate library", "Settled", poster("maya"), executor("testsmith"));

  demo.log("A cancelled task…");
  const letterhead = await demo.post("eva", {
    objective: "Redraw the firm's letterhead and business card in vector form from the scanned originals.",
    category: "design/branding",
    tags: ["branding", "print", "vector"],
    capabilities: ["skill:design"],
    executorKind: "human",
    reward: "0.3",
    executionWindow: 4 * DAY,
    claimPeriod: 10 * DAY,
    difficulty: "easy",
  });
  await demo.transition(letterhead, "eva", { transition: "cancel" });
  demo.note(letterhead, "Redraw the letterhead in vector form (the poster withdrew it)", "Cancelled", poster("eva"));

  demo.log("A dispute before the panel arbitrator…");
  const arbitrator = demo.contract("panelArbitrator");
  const bridgeAudit = await demo.post(
    "maya",
    {
      objective:
        "Audit the Orbit cross-chain bridge escrow contracts (about 1,400 lines of Solidity): reentrancy, access " +
        "control, message replay and rounding, with a proof of concept for every high-severity finding.",
      category: "security/audit",
      tags: ["bridge", "defi", "solidity"],
      capabilities: ["lang:solidity", "skill:security-audit"],
      executorKind: "human",
      reward: "4",
      executionWindow: 10 * DAY,
      claimPeriod: 14 * DAY,
      method: "optimistic",
      difficulty: "expert",
    },
    { verification: { method: "optimistic", config: { arbitrator, challengeBond: parseEther("0.05") } } },
  );
  await demo.claim(bridgeAudit, "tomasz");
  await demo.transition(bridgeAudit, "tomasz", { transition: "start" });
  await demo.submit(bridgeAudit, "tomasz", "the bridge audit report, three medium findings");
  // The poster finds the report missed a replay issue and challenges it; the auditor stands by it and matches the
  // deposit, which takes the dispute to the panel. One arbiter has voted so far.
  await demo.sdk("maya").dispute(bridgeAudit.id);
  await demo.sdk("tomasz").respondToDispute(bridgeAudit.id);
  const contest = await demo.publicClient.readContract({
    address: demo.contract("optimisticModule"),
    abi: PROTOCOL_ABIS.optimisticModule,
    functionName: "contestOf",
    args: [bridgeAudit.id],
  });
  const arbiter = await firstDevArbiter(demo, arbitrator);
  await demo.write(arbiter, {
    address: arbitrator,
    abi: PROTOCOL_ABIS.panelArbitrator,
    functionName: "vote",
    args: [contest.arbitratorDisputeId, 8n],
  });
  demo.log(`  Panel dispute ${contest.arbitratorDisputeId}: arbiter #${arbiter} voted 70 % for the auditor`);
  demo.note(
    bridgeAudit,
    "Audit the bridge escrow contracts (challenged)",
    "Disputed",
    poster("maya"),
    executor("tomasz"),
  );

  demo.log("A task graph: a chain of dependencies…");
  const invoices = await demo.post("eva", {
    objective:
      "Extract every line item from 180 scanned Q3 supplier invoices (German and English) into structured JSON: " +
      "description, quantity, unit price, VAT rate and currency.",
    category: "data/extraction",
    tags: ["accounting", "invoices", "ocr"],
    capabilities: ["skill:document-extraction", "skill:ocr"],
    executorKind: "agent",
    reward: "800",
    inDevToken: true,
    executionWindow: 3 * DAY,
    claimPeriod: 10 * DAY,
  });
  await demo.completeAndRate(invoices, "eva", "ledgerLens", { byPoster: 5, byExecutor: 4 });
  demo.note(invoices, "Extract line items from 180 Q3 invoices", "Settled", poster("eva"), executor("ledgerLens"));

  const reconciliation = await demo.post(
    "eva",
    {
      objective:
        "Reconcile the Q3 general ledger against the extracted invoice lines of the previous task and list every " +
        "difference above 50 EUR with its likely cause.",
      category: "finance/reconciliation",
      tags: ["accounting", "invoices", "ledger"],
      capabilities: ["skill:accounting"],
      executorKind: "agent",
      reward: "0.6",
      executionWindow: 4 * DAY,
      claimPeriod: 14 * DAY,
      requires: [invoices.id],
    },
    { assignment: { module: "gatedClaim", config: { requirements: openGate([invoices.id]) } } },
  );
  await demo.publishGate("eva", reconciliation, [invoices.id]);
  await demo.gatedClaim(reconciliation, [invoices.id], "ledgerLens");
  demo.note(
    reconciliation,
    "Reconcile the Q3 ledger (requires the extraction)",
    "Claimed",
    poster("eva"),
    executor("ledgerLens"),
  );

  const closeMemo = await demo.post(
    "eva",
    {
      objective:
        "Write the Q3 closing memo for the partners from the extraction and the reconciliation: two pages, with the " +
        "open differences and who follows each up.",
      category: "writing/report",
      tags: ["accounting", "memo", "quarterly"],
      capabilities: ["lang:en", "skill:writing"],
      executorKind: "any",
      reward: "0.4",
      executionWindow: 3 * DAY,
      claimPeriod: 21 * DAY,
      requires: [invoices.id, reconciliation.id],
    },
    {
      assignment: {
        module: "gatedClaim",
        config: { requirements: openGate([invoices.id, reconciliation.id]) },
      },
    },
  );
  await demo.publishGate("eva", closeMemo, [invoices.id, reconciliation.id]);
  demo.note(closeMemo, "Write the Q3 closing memo (waits for the reconciliation)", "Posted", poster("eva"));

  demo.log("A task graph: a coordinator agent splits a task into subtasks…");
  const docsSite = await demo.post(
    "maya",
    {
      objective:
        "Ship the documentation site of the Orbit v2 SDK: an API reference generated from the OpenAPI document, a " +
        "runnable code sample for every SDK call, and guides proofread by a person.",
      category: "writing/documentation",
      tags: ["api", "docs", "sdk"],
      capabilities: ["skill:project-management", "skill:technical-writing"],
      executorKind: "agent",
      reward: "3",
      executionWindow: 12 * DAY,
      claimPeriod: 10 * DAY,
      difficulty: "hard",
    },
    { options: { subtaskBudget: parseEther("1.5") } },
  );
  await demo.claim(docsSite, "coordinator");
  await demo.transition(docsSite, "coordinator", { transition: "start" });
  demo.note(
    docsSite,
    "Ship the v2 SDK documentation site (split in 3)",
    "InProgress",
    poster("maya"),
    executor("coordinator"),
  );

  const reference = await demo.postSubtask("coordinator", docsSite, {
    objective: "Generate the API reference pages of the Orbit v2 SDK from its openapi.json, one page per route.",
    category: "writing/documentation",
    tags: ["api", "docs", "openapi"],
    capabilities: ["skill:technical-writing"],
    executorKind: "agent",
    reward: "0.5",
    executionWindow: 3 * DAY,
    claimPeriod: 7 * DAY,
  });
  await demo.claim(reference, "atlas");
  await demo.submit(reference, "atlas", "the generated API reference, 48 pages");
  demo.note(reference, "Subtask: generate the API reference", "Submitted", executor("coordinator"), executor("atlas"));

  const codeSamples = await demo.postSubtask("coordinator", docsSite, {
    objective: "Write a runnable TypeScript code sample for every call of the Orbit v2 SDK, each checked in CI.",
    category: "code/examples",
    tags: ["docs", "sdk", "typescript"],
    capabilities: ["lang:typescript", "skill:testing"],
    executorKind: "agent",
    reward: "0.4",
    executionWindow: 4 * DAY,
    claimPeriod: 7 * DAY,
  });
  await demo.claim(codeSamples, "testsmith");
  await demo.transition(codeSamples, "testsmith", { transition: "start" });
  demo.note(
    codeSamples,
    "Subtask: a code sample for every SDK call",
    "InProgress",
    executor("coordinator"),
    executor("testsmith"),
  );

  const proofreading = await demo.postSubtask("coordinator", docsSite, {
    objective: "Proofread the four getting-started guides of the Orbit v2 SDK for clarity and British spelling.",
    category: "writing/proofreading",
    tags: ["docs", "human-review"],
    capabilities: ["skill:proofreading"],
    executorKind: "human",
    reward: "0.3",
    executionWindow: 3 * DAY,
    claimPeriod: 7 * DAY,
  });
  demo.note(proofreading, "Subtask: a person proofreads the guides", "Posted", executor("coordinator"));

  return {
    tasks: demo.tasks,
    executors,
    auctions: { open: extractionAuction.id, awarded: testsAuction.id },
    dispute: { taskId: bridgeAudit.id, arbitratorDisputeId: contest.arbitratorDisputeId },
    graph: {
      parent: docsSite.id,
      subtasks: [reference.id, codeSamples.id, proofreading.id],
      dependencyChain: [invoices.id, reconciliation.id, closeMemo.id],
    },
  };
}

/** The dev account index of the first arbiter seated on the panel (the local deployment seats accounts 17–19). */
async function firstDevArbiter(demo: DemoSeeder, arbitrator: Address): Promise<number> {
  const arbiters = await demo.publicClient.readContract({
    address: arbitrator,
    abi: PROTOCOL_ABIS.panelArbitrator,
    functionName: "arbiters",
  });
  const seated = new Set(arbiters.map((arbiter) => getAddress(arbiter)));
  for (let index = 0; index < 20; index++) {
    if (seated.has(demo.address(index))) return index;
  }
  throw new Error("No dev account sits on the arbitration panel: deploy it with the local panel (accounts 17–19).");
}
