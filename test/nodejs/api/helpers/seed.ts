// Seeding a stack (helpers/stack.ts) with real protocol data for the API's integration tests: task documents stored
// in the API's database and committed to on-chain, tasks posted in ETH or an ERC-20 (with options, e.g. behind
// `GatedClaim`), executors registered, and each step of a task's lifecycle — claim, start, submit, approve, reject,
// cancel, rate, release after the review window. Everything goes through viem with the generated ABIs, signed by the
// stack's dev accounts, exactly as a wallet or an agent would do it.
import {
  concat,
  createWalletClient,
  erc20Abi,
  http,
  keccak256,
  parseEventLogs,
  stringToHex,
  zeroAddress,
  zeroHash,
  type Abi,
  type Account,
  type Address,
  type Hex,
  type TransactionReceipt,
  type WalletClient,
} from "viem";

import {
  TASK_DOCUMENT_VERSION,
  documentTimestamp,
  commitTaskDocument,
  validateTaskDocument,
  type TaskDocument,
  type TaskDocumentCommitment,
} from "../../../../src/documents/index.ts";
import { executorRegistryAbi, gatedClaimAbi, taskMarketAbi } from "../../../../src/protocol/abis.ts";
import {
  ExecutorKind,
  NO_MILESTONES,
  NO_OPTIONS,
  packMilestoneShares,
  type TaskOptions,
  type TaskTerms,
} from "../../../../src/protocol/terms.ts";
import { devAccount, type Role, type Stack } from "./stack.ts";

export const ETH: Address = zeroAddress;
export const DAY = 24 * 3600;
export const ZERO_RESULT_HASH: Hex = zeroHash;

/** A role of the stack, or the index of another dev account (8–16 are free; see `ACCOUNT_INDEX`). */
export type Signer = Role | number;

const wallets = new WeakMap<Stack, Map<number, WalletClient & { account: Account }>>();

/** The wallet of `signer` on the stack's chain. */
export function walletOf(stack: Stack, signer: Signer): WalletClient & { account: Account } {
  if (typeof signer !== "number") return stack.wallets[signer];
  let byIndex = wallets.get(stack);
  if (byIndex === undefined) wallets.set(stack, (byIndex = new Map()));
  let wallet = byIndex.get(signer);
  if (wallet === undefined) {
    wallet = createWalletClient({ account: devAccount(signer), transport: http(stack.chain.rpcUrl) });
    byIndex.set(signer, wallet);
  }
  return wallet;
}

export function addressOf(stack: Stack, signer: Signer): Address {
  return walletOf(stack, signer).account.address;
}

/** Calls `functionName` on `address` from `signer`, waits for the receipt and fails loudly on a revert. */
export async function write(
  stack: Stack,
  signer: Signer,
  call: { address: Address; abi: Abi; functionName: string; args: readonly unknown[]; value?: bigint },
): Promise<TransactionReceipt> {
  const wallet = walletOf(stack, signer);
  const hash = await wallet.writeContract({
    chain: null,
    account: wallet.account,
    address: call.address,
    abi: call.abi,
    functionName: call.functionName,
    args: call.args,
    value: call.value,
  } as Parameters<typeof wallet.writeContract>[0]);
  const receipt = await stack.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${call.functionName} from ${String(signer)} reverted (${hash})`);
  return receipt;
}

const market = (stack: Stack) => ({
  address: stack.deployment.contracts.taskMarket.address,
  abi: taskMarketAbi as Abi,
});

/** The dev token (an ERC-20 every dev account holds 1,000,000 of). */
export function devToken(stack: Stack): Address {
  const token = stack.deployment.contracts.devToken;
  if (token === undefined) throw new Error("the stack was deployed without the dev token");
  return token.address;
}

const MINT_ABI = [
  {
    type: "function",
    name: "mint",
    stateMutability: "nonpayable",
    inputs: [
      { name: "to", type: "address" },
      { name: "amount", type: "uint256" },
    ],
    outputs: [],
  },
] as const;

/**
 * Makes sure `signer` holds at least `amount` of `token` before it pays with it: the dev token is freely mintable, so
 * the shortfall is minted to it. Another token is left as it is.
 */
export async function ensureTokenBalance(stack: Stack, signer: Signer, token: Address, amount: bigint): Promise<void> {
  if (token.toLowerCase() !== devToken(stack).toLowerCase()) return;
  const holder = addressOf(stack, signer);
  const balance = await stack.publicClient.readContract({
    address: token,
    abi: erc20Abi,
    functionName: "balanceOf",
    args: [holder],
  });
  if (balance >= amount) return;
  await write(stack, signer, { address: token, abi: MINT_ABI, functionName: "mint", args: [holder, amount - balance] });
}

/** A capability id: keccak256 of its namespaced, lower-case name. */
export function capabilityId(name: string): Hex {
  return keccak256(stringToHex(name));
}

/** Capability ids in the strictly ascending order the market requires. */
export function sortedCapabilityIds(names: readonly string[]): Hex[] {
  return [...new Set(names.map(capabilityId))].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
}

export async function latestTimestamp(stack: Stack): Promise<number> {
  return Number((await stack.publicClient.getBlock()).timestamp);
}

/** Moves the chain's clock forward by `seconds` and mines a block at the new time. */
export async function increaseTime(stack: Stack, seconds: number): Promise<bigint> {
  await stack.publicClient.request({ method: "evm_increaseTime" as never, params: [seconds] as never });
  await stack.publicClient.request({ method: "evm_mine" as never, params: [] as never });
  return stack.publicClient.getBlockNumber({ cacheTime: 0 });
}

export interface TaskSpec {
  poster?: Signer;
  objective?: string;
  category?: string;
  /** Written into the document in ascending order. */
  tags?: string[];
  /** Capability names. */
  capabilities?: string[];
  executorKind?: ExecutorKind;
  /** `ETH` (default) or an ERC-20 address. */
  token?: Address;
  reward?: bigint;
  claimBond?: bigint;
  /** Seconds from the latest block to the claim deadline (default 7 days); ignored with `claimDeadline`. */
  claimPeriod?: number;
  claimDeadline?: number;
  executionWindow?: number;
  reviewWindow?: number;
  /** A delegated verifier (the poster verifies by default). */
  verifier?: Address;
  verifierFee?: bigint;
  milestoneSharesBps?: number[];
  options?: TaskOptions;
  /** Whether the API's database gets the document (default true): false makes a task whose document it lacks. */
  storeDocument?: boolean;
  /** Changes to the document after it is built from the spec (it must stay valid). */
  editDocument?: (document: TaskDocument) => void;
}

export interface SeededTask {
  taskId: bigint;
  id: string;
  terms: TaskTerms;
  options: TaskOptions;
  capabilities: Hex[];
  document: TaskDocument;
  commitment: TaskDocumentCommitment;
  receipt: TransactionReceipt;
}

const EXECUTOR_KIND_NAMES = {
  [ExecutorKind.Any]: "any",
  [ExecutorKind.Human]: "human",
  [ExecutorKind.Agent]: "agent",
} as const;

/** A valid task document that says what `spec` says, as `POST /tasks` would accept it with the matching terms. */
export function taskDocumentFor(
  spec: Required<Pick<TaskSpec, "reward" | "claimBond" | "executionWindow">> & TaskSpec & { claimDeadline: number },
): TaskDocument {
  const token = spec.token ?? ETH;
  const document: TaskDocument = {
    version: TASK_DOCUMENT_VERSION,
    objective: spec.objective ?? "Translate the attached leaflet from German into English.",
    input_constraints: { schema: { type: "object" } },
    execution_requirements: {
      executor_kind: EXECUTOR_KIND_NAMES[spec.executorKind ?? ExecutorKind.Any],
      max_duration_seconds: spec.executionWindow,
      claim_deadline: documentTimestamp(spec.claimDeadline),
      ...(spec.capabilities?.length ? { required_capabilities: [...new Set(spec.capabilities)].sort() } : {}),
    },
    verification_criteria: { method: "review" },
    compensation: {
      token: token === ETH ? "ETH" : token,
      reward: spec.reward.toString(),
      ...(spec.claimBond === 0n ? {} : { claim_bond: spec.claimBond.toString() }),
      ...(spec.verifierFee ? { verifier_fee: spec.verifierFee.toString() } : {}),
      ...(spec.milestoneSharesBps
        ? {
            milestones: spec.milestoneSharesBps.map((share, index) => ({
              share_bps: share,
              deliverable: `Milestone ${index + 1}`,
            })),
          }
        : {}),
    },
    dependencies: [],
    metadata: {
      category: spec.category ?? "translation",
      ...(spec.tags?.length ? { tags: [...new Set(spec.tags)].sort() } : {}),
    },
  };
  spec.editDocument?.(document);
  const result = validateTaskDocument(document);
  if (!result.ok) throw new Error(`the seeded document is not valid: ${JSON.stringify(result.errors)}`);
  return document;
}

const protocolFees = new WeakMap<Stack, number>();

async function protocolFeeBpsOf(stack: Stack): Promise<number> {
  let feeBps = protocolFees.get(stack);
  if (feeBps === undefined) {
    feeBps = Number(await stack.publicClient.readContract({ ...market(stack), functionName: "protocolFeeBps" }));
    protocolFees.set(stack, feeBps);
  }
  return feeBps;
}

/**
 * Posts a task: builds its document, stores it in the API's database (unless `storeDocument` is false), and creates
 * the task on-chain with the document's hash and URI, funding it in ETH or approving the ERC-20 escrow first.
 */
export async function postTask(stack: Stack, spec: TaskSpec = {}): Promise<SeededTask> {
  const poster = spec.poster ?? "poster";
  const token = spec.token ?? ETH;
  const reward = spec.reward ?? 1_000_000_000_000_000n;
  const claimBond = spec.claimBond ?? reward / 10n;
  const executionWindow = spec.executionWindow ?? 3 * DAY;
  const reviewWindow = spec.reviewWindow ?? 2 * DAY;
  const verifierFee = spec.verifierFee ?? 0n;
  const claimDeadline = spec.claimDeadline ?? (await latestTimestamp(stack)) + (spec.claimPeriod ?? 7 * DAY);
  const document = taskDocumentFor({ ...spec, reward, claimBond, executionWindow, claimDeadline });
  const commitment = await commitTaskDocument(document);
  if (spec.storeDocument !== false) await stack.services.documents.put(document, commitment);

  const capabilities = sortedCapabilityIds(spec.capabilities ?? []);
  const terms: TaskTerms = {
    poster: addressOf(stack, poster),
    token,
    reward,
    claimBond,
    claimDeadline,
    executionWindow,
    reviewWindow,
    feeBps: await protocolFeeBpsOf(stack),
    executorKind: spec.executorKind ?? ExecutorKind.Any,
    verifier: spec.verifier ?? zeroAddress,
    verifierFee,
    verifierConfigHash: zeroHash,
    capabilitiesHash: keccak256(capabilities.length === 0 ? "0x" : concat(capabilities)),
    documentHash: commitment.documentHash,
    milestoneShares: spec.milestoneSharesBps ? packMilestoneShares(spec.milestoneSharesBps) : NO_MILESTONES,
  };
  const escrow = reward + verifierFee;
  if (token !== ETH) {
    await ensureTokenBalance(stack, poster, token, escrow);
    await write(stack, poster, {
      address: token,
      abi: erc20Abi,
      functionName: "approve",
      args: [stack.deployment.contracts.taskMarket.address, escrow],
    });
  }
  const options = spec.options ?? NO_OPTIONS;
  const receipt = await write(stack, poster, {
    ...market(stack),
    functionName: spec.options ? "createTaskWithOptions" : "createTask",
    args: spec.options
      ? [terms, options, capabilities, commitment.documentURI]
      : [terms, capabilities, commitment.documentURI],
    value: token === ETH ? escrow : 0n,
  });
  const [created] = parseEventLogs({ abi: taskMarketAbi, logs: receipt.logs, eventName: "TaskCreated" });
  if (created === undefined) throw new Error("createTask emitted no TaskCreated");
  const taskId = created.args.taskId;
  return { taskId, id: taskId.toString(), terms, options, capabilities, document, commitment, receipt };
}

/** Registers `signer` as an executor of `kind` offering the named capabilities (an agent needs an operator). */
export async function registerExecutor(
  stack: Stack,
  signer: Signer,
  profile: { kind: ExecutorKind; capabilities?: string[]; operator?: Address; metadataURI?: string },
): Promise<TransactionReceipt> {
  const operator =
    profile.operator ?? (profile.kind === ExecutorKind.Agent ? addressOf(stack, "operator") : zeroAddress);
  return write(stack, signer, {
    address: stack.deployment.contracts.executorRegistry.address,
    abi: executorRegistryAbi as Abi,
    functionName: "register",
    args: [
      profile.kind,
      operator,
      (profile.capabilities ?? []).map(capabilityId),
      profile.metadataURI ?? `ipfs://executor-${addressOf(stack, signer).toLowerCase()}`,
    ],
  });
}

export async function setExecutorActive(stack: Stack, signer: Signer, active: boolean): Promise<TransactionReceipt> {
  return write(stack, signer, {
    address: stack.deployment.contracts.executorRegistry.address,
    abi: executorRegistryAbi as Abi,
    functionName: "setActive",
    args: [active],
  });
}

/** Claims a first-come task, paying the ETH bond in the call or approving the token bond first. */
export async function claimTask(stack: Stack, task: SeededTask, executor: Signer): Promise<TransactionReceipt> {
  const { terms } = task;
  if (terms.token !== ETH && terms.claimBond !== 0n) {
    await ensureTokenBalance(stack, executor, terms.token, terms.claimBond);
    await write(stack, executor, {
      address: terms.token,
      abi: erc20Abi,
      functionName: "approve",
      args: [stack.deployment.contracts.taskMarket.address, terms.claimBond],
    });
  }
  return write(stack, executor, {
    ...market(stack),
    functionName: "claim",
    args: [task.taskId, terms, task.capabilities],
    value: terms.token === ETH ? terms.claimBond : 0n,
  });
}

export function startTask(stack: Stack, task: SeededTask, executor: Signer): Promise<TransactionReceipt> {
  return write(stack, executor, { ...market(stack), functionName: "start", args: [task.taskId] });
}

export function submitWork(
  stack: Stack,
  task: SeededTask,
  executor: Signer,
  result: { hash?: Hex; uri?: string } = {},
): Promise<TransactionReceipt> {
  return write(stack, executor, {
    ...market(stack),
    functionName: "submit",
    args: [
      task.taskId,
      task.terms,
      result.hash ?? keccak256(stringToHex(`result of ${task.id}`)),
      result.uri ?? `ipfs://result-${task.id}`,
    ],
  });
}

/** The verifier (the poster, unless the task names one) approves the submission under review. */
export function approveSubmission(stack: Stack, task: SeededTask, verifier: Signer = "poster") {
  return write(stack, verifier, { ...market(stack), functionName: "approve", args: [task.taskId, task.terms] });
}

export function rejectSubmission(stack: Stack, task: SeededTask, verifier: Signer = "poster") {
  return write(stack, verifier, {
    ...market(stack),
    functionName: "reject",
    args: [task.taskId, task.terms, keccak256(stringToHex("not good enough"))],
  });
}

export function cancelTask(stack: Stack, task: SeededTask, poster: Signer = "poster") {
  return write(stack, poster, { ...market(stack), functionName: "cancel", args: [task.taskId, task.terms] });
}

/** A party of a settled task rates the other side (1–5). */
export function rateParty(stack: Stack, task: SeededTask, rater: Signer, rating: number) {
  return write(stack, rater, { ...market(stack), functionName: "rate", args: [task.taskId, task.terms, rating] });
}

/** Claims, submits and has the poster approve: the task ends `Settled`, paid in full. */
export async function completeTask(stack: Stack, task: SeededTask, executor: Signer): Promise<TransactionReceipt> {
  await claimTask(stack, task, executor);
  await submitWork(stack, task, executor);
  return approveSubmission(stack, task);
}

/** `IGatedClaim.GateConfig`: the reputation gate and the dependencies of a task given out by `GatedClaim`. */
export interface GateConfig {
  requirements: { minCompleted: number; maxDisputesLostBps: number; dependencies: bigint[] };
}

/** The options of a task behind `GatedClaim` with `config`: its `configHash`, read from the module itself. */
export async function gatedClaimOptions(stack: Stack, config: GateConfig): Promise<TaskOptions> {
  const gatedClaim = stack.deployment.contracts.gatedClaim.address;
  const configHash = (await stack.publicClient.readContract({
    address: gatedClaim,
    abi: gatedClaimAbi as Abi,
    functionName: "configHash",
    args: [config],
  })) as Hex;
  return { assigner: gatedClaim, subtaskBudget: 0n, assignerConfigHash: configHash };
}

/** Publishes a `GatedClaim` task's configuration, so that indexers (and the API) learn its gate. */
export function publishGateConfig(stack: Stack, task: SeededTask, config: GateConfig, signer: Signer = "poster") {
  return write(stack, signer, {
    address: stack.deployment.contracts.gatedClaim.address,
    abi: gatedClaimAbi as Abi,
    functionName: "publishConfig",
    args: [task.taskId, task.terms, config],
  });
}

/** Claims a `GatedClaim` task through the module (the ETH bond passes through it to the market). */
export function claimGatedTask(stack: Stack, task: SeededTask, config: GateConfig, executor: Signer) {
  return write(stack, executor, {
    address: stack.deployment.contracts.gatedClaim.address,
    abi: gatedClaimAbi as Abi,
    functionName: "claim",
    args: [task.taskId, task.terms, config, task.capabilities],
    value: task.terms.token === ETH ? task.terms.claimBond : 0n,
  });
}
