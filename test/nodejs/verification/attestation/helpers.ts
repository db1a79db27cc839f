/**
 * Setup and client-side steps for the attestation-quorum tests: a deployment with the market, two attestation modules
 * and a panel arbitrator; a verifier set of bonded EOAs whose private keys are known, so that attestations can be
 * signed with viem (local account or the node's `eth_signTypedData_v4`) and with ethers; task and verdict helpers; and
 * exact balance bookkeeping.
 *
 * EIP-712 domains and types, and the task terms, come from src/protocol (the single definition every client shares);
 * nothing here redefines them. `AttestationConfig` is ABI-encoded (not signed), so its shape is declared here.
 *
 * Pass `deployAttestationFixture` itself to `networkHelpers.loadFixture` so that each test restarts from one snapshot.
 */
import assert from "node:assert/strict";

import type { ContractReturnType, WalletClient } from "@nomicfoundation/hardhat-viem/types";
import { Wallet as EthersWallet } from "ethers";
import type { NetworkConnection } from "hardhat/types/network";
import {
  concat,
  encodeAbiParameters,
  getAddress,
  keccak256,
  parseEventLogs,
  stringToHex,
  toHex,
  zeroAddress,
  zeroHash,
} from "viem";
import type { Address, Hash, Hex, PrivateKeyAccount, TransactionReceipt, TypedDataDomain } from "viem";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";

import { DEV_MNEMONIC } from "../../../../scripts/local-chain.js";
import {
  ATTESTATION_TYPES,
  attestationTypedData,
  moduleDomain,
  type AttestationMessage,
} from "../../../../src/protocol/eip712.js";
import { BPS, ExecutorKind, NO_MILESTONES, TaskStatus, type TaskTerms } from "../../../../src/protocol/terms.js";

export type TaskMarketContract = ContractReturnType<"TaskMarket">;
export type AttestationModuleContract = ContractReturnType<"AttestationModule">;
export type PanelArbitratorContract = ContractReturnType<"PanelArbitrator">;
export type ExecutorRegistryContract = ContractReturnType<"ExecutorRegistry">;

export const ETH: Address = zeroAddress;
export const DAY = 24 * 3600;

export const FEE_BPS = 250; // 2.5 %
/** Not a multiple of 10 000, so that every rounding down shows. */
export const REWARD = 1_000_000_000_000_000_003n;
export const CLAIM_BOND = 100_000_000_000_000_000n;
/** 0.01 ETH + 7 wei: does not divide evenly between 2, 3 or 4 signers. */
export const VERIFIER_FEE = 10_000_000_000_000_007n;
export const CLAIM_PERIOD = 7 * DAY;
export const EXECUTION_WINDOW = 3 * DAY;
export const REVIEW_WINDOW = 2 * DAY;
export const CONTEST_WINDOW = 2 * DAY;
/** What each member of the fixture's verifier set has bonded. */
export const VERIFIER_BOND = 1_000_000_000_000_000_000n;
/** The bond the default configurations require of a signer. */
export const MIN_BOND = 500_000_000_000_000_000n;
export const SLASH_BPS = 2_500;
/** An odd fee, so that sharing it between two arbiters leaves a remainder. */
export const ARBITRATION_FEE = 50_000_000_000_000_001n;
export const VOTING_PERIOD = 3 * DAY;
export const UNBONDING_PERIOD = 90 * DAY;
export const META_EVIDENCE_URI = "ipfs://bafyattestationmetaevidence";

export const METHOD_ID: Hex = keccak256(stringToHex("test-suite/v1"));
export const OTHER_METHOD_ID: Hex = keccak256(stringToHex("test-suite/v2"));
export const CAPABILITY: Hex = keccak256(stringToHex("lang:solidity"));
export const DOCUMENT_HASH: Hex = "0x1111111111111111111111111111111111111111111111111111111111111111";
export const RESULT_HASH: Hex = "0x2222222222222222222222222222222222222222222222222222222222222222";
export const SECOND_RESULT_HASH: Hex = "0x5555555555555555555555555555555555555555555555555555555555555555";
export const EVIDENCE_HASH: Hex = "0x7777777777777777777777777777777777777777777777777777777777777777";
export const RESULT_URI = "ipfs://bafyresult";

/** The reasons the module records in the market. */
export const QUORUM_REJECTION_REASON: Hex = keccak256(stringToHex("taskmarket.attestation.rejected"));
export const ACCEPTED_REJECTION_REASON: Hex = keccak256(stringToHex("taskmarket.contest.rejection-accepted"));

/** The order of the secp256k1 group: `s` and `n - s` are both valid ECDSA signatures of the same message. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** `IAttestationModule.AttestationConfig`. */
export interface AttestationConfig {
  verifierSetId: bigint;
  quorum: number;
  scored: boolean;
  methodId: Hex;
  minBond: bigint;
  arbitrator: Address;
  contestWindow: number;
  slashBps: number;
}

/** `IAttestationModule.Verdict`. */
export interface Verdict {
  approved: boolean;
  methodId: Hex;
}

/** `IAttestationModule.SignedAttestation`. */
export interface SignedAttestation {
  signer: Address;
  scoreBps: number;
  evidenceHash: Hex;
  deadline: bigint;
  nonce: bigint;
  signature: Hex;
}

export interface TaskState {
  executor: Address;
  status: TaskStatus;
  executionDeadline: number;
  reviewDeadline: number;
  flags: number;
}

export interface Member {
  bond: bigint;
  active: boolean;
  leftAt: number;
}

export interface VerifierSet {
  admin: Address;
  memberCount: number;
}

/** `IDisputableModule.ContestPhase`. */
export const ContestPhase = { None: 0, Open: 1, AwaitingRespondent: 2, Arbitrating: 3, Ruled: 4 } as const;
/** `IDisputableModule.ContestOutcome`. */
export const ContestOutcome = {
  Accepted: 0,
  RespondentDefaulted: 1,
  Ruled: 2,
  ArbitratorSilent: 3,
  Agreed: 4,
  Lapsed: 5,
} as const;

export interface Contest {
  phase: number;
  rejection: boolean;
  claimantForExecutor: boolean;
  decisionShareBps: number;
  rulingShareBps: number;
  deadline: number;
  claimant: Address;
  respondent: Address;
  arbitrator: Address;
  arbitratorDisputeId: bigint;
  claimantFee: bigint;
  bond: bigint;
}

/** An account that sends transactions through the node. */
export interface Party {
  address: Address;
  wallet: WalletClient;
}

/** A Hardhat account whose private key is known, so that it can sign with viem, the node, or ethers. */
export interface Keys extends Party {
  privateKey: Hex;
  account: PrivateKeyAccount;
  ethers: EthersWallet;
}

/** A verifier as the module sees it: `address` is checked, `keys` sign (its own for an EOA, its owner's for a wallet). */
export interface Verifier {
  address: Address;
  keys: Keys;
}

/** Which implementation of EIP-712 signs an attestation. */
export type SigningLibrary = "viem-local" | "viem-rpc" | "ethers";

/** An address nobody signs for, so that its balance only moves when someone pays it. */
export function passiveAddress(label: string): Address {
  return getAddress(`0x${keccak256(stringToHex(`attestation test account: ${label}`)).slice(26)}`);
}

export async function deployAttestationFixture(connection: NetworkConnection) {
  const { viem } = connection;
  const publicClient = await viem.getPublicClient();
  const wallets = await viem.getWalletClients();
  const chainId = await publicClient.getChainId();
  const party = (index: number): Party => ({
    address: getAddress(wallets[index].account.address),
    wallet: wallets[index],
  });
  const keys = (index: number): Keys => {
    const hdKey = mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index }).getHdKey();
    assert.ok(hdKey.privateKey !== null);
    const privateKey = toHex(hdKey.privateKey);
    const account = privateKeyToAccount(privateKey);
    const { address, wallet } = party(index);
    assert.equal(account.address, address, `account ${index} is not derived from the default mnemonic`);
    return { address, wallet, privateKey, account, ethers: new EthersWallet(privateKey) };
  };

  const owner = party(0);
  const poster = keys(1);
  const executor = keys(2);
  const relayer = party(3);
  const setAdmin = party(4);
  const stranger = party(5);
  const arbiters = [party(6), party(7), party(8)];
  /** Six bonded members of the verifier set, sorted by address (the order attestations must be in). */
  const members = [9, 10, 11, 12, 13, 14].map(keys).sort(compareAddresses);
  /** Keys that are never added to the set. */
  const outsider = keys(15);
  /** Owns the smart-account verifiers. */
  const walletOwner = keys(16);
  const feeRecipient = passiveAddress("fee recipient");

  const at = async <T extends string>(name: T, address: Address) => viem.getContractAt(name, getAddress(address));
  const registry: ExecutorRegistryContract = await at(
    "ExecutorRegistry",
    (await viem.deployContract("ExecutorRegistry")).address,
  );
  const market: TaskMarketContract = await at(
    "TaskMarket",
    (await viem.deployContract("TaskMarket", [owner.address, registry.address, FEE_BPS, feeRecipient])).address,
  );
  const module: AttestationModuleContract = await at(
    "AttestationModule",
    (await viem.deployContract("AttestationModule", [market.address, META_EVIDENCE_URI])).address,
  );
  const arbitrator: PanelArbitratorContract = await at(
    "PanelArbitrator",
    (await viem.deployContract("PanelArbitrator", [owner.address, ARBITRATION_FEE, VOTING_PERIOD])).address,
  );
  for (const arbiter of arbiters) {
    await arbitrator.write.addArbiter([arbiter.address], { account: owner.wallet.account });
  }

  await registry.write.register([ExecutorKind.Human, zeroAddress, [CAPABILITY], "ipfs://bafyexecutor"], {
    account: executor.wallet.account,
  });

  const setId = await createVerifierSet(publicClient, module, setAdmin);
  for (const member of members) {
    await module.write.addVerifier([setId, member.address], { account: setAdmin.wallet.account });
    await module.write.bond([setId], { account: member.wallet.account, value: VERIFIER_BOND });
  }

  const verifiers: Verifier[] = members.map((member) => ({ address: member.address, keys: member }));
  return {
    viem,
    publicClient,
    chainId,
    registry,
    market,
    module,
    arbitrator,
    owner,
    poster,
    executor,
    relayer,
    setAdmin,
    stranger,
    arbiters,
    members,
    verifiers,
    outsider,
    walletOwner,
    feeRecipient,
    setId,
  };
}

export type AttestationFixture = Awaited<ReturnType<typeof deployAttestationFixture>>;

/** Creates a verifier set and returns its id (read back from `VerifierSetCreated`). */
export async function createVerifierSet(
  publicClient: AttestationFixture["publicClient"],
  module: AttestationModuleContract,
  admin: Party,
  sender: Party = admin,
): Promise<bigint> {
  const hash = await module.write.createVerifierSet([admin.address], { account: sender.wallet.account });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  const [created] = parseEventLogs({ abi: module.abi, logs: receipt.logs, eventName: "VerifierSetCreated" });
  return (created.args as unknown as { setId: bigint }).setId;
}

export function compareAddresses(a: { address: Address }, b: { address: Address }): number {
  const [x, y] = [BigInt(a.address), BigInt(b.address)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/* -------------------------------------------------------------------------------------------------------------- */
/*                                              Configuration and terms                                             */
/* -------------------------------------------------------------------------------------------------------------- */

const CONFIG_ABI = [
  {
    type: "tuple",
    components: [
      { name: "verifierSetId", type: "uint64" },
      { name: "quorum", type: "uint8" },
      { name: "scored", type: "bool" },
      { name: "methodId", type: "bytes32" },
      { name: "minBond", type: "uint128" },
      { name: "arbitrator", type: "address" },
      { name: "contestWindow", type: "uint32" },
      { name: "slashBps", type: "uint16" },
    ],
  },
] as const;

/** `configHash(config)`: keccak256 of its ABI encoding, as `TaskTerms.verifierConfigHash` commits to it. */
export function configHashOf(config: AttestationConfig): Hex {
  return keccak256(encodeAbiParameters(CONFIG_ABI, [config]));
}

/** A 2-of-N quorum for `METHOD_ID` of signers bonded with `MIN_BOND`, verdicts taking effect at once, no arbitrator. */
export function immediateConfig(fixture: AttestationFixture, overrides: Partial<AttestationConfig> = {}) {
  return {
    verifierSetId: fixture.setId,
    quorum: 2,
    scored: false,
    methodId: METHOD_ID,
    minBond: MIN_BOND,
    arbitrator: zeroAddress,
    contestWindow: 0,
    slashBps: 0,
    ...overrides,
  } satisfies AttestationConfig;
}

/** Like {immediateConfig}, with verdicts held for `CONTEST_WINDOW` and the panel arbitrator, slashing `SLASH_BPS`. */
export function contestedConfig(fixture: AttestationFixture, overrides: Partial<AttestationConfig> = {}) {
  return immediateConfig(fixture, {
    arbitrator: fixture.arbitrator.address,
    contestWindow: CONTEST_WINDOW,
    slashBps: SLASH_BPS,
    ...overrides,
  });
}

/** Terms of an ETH task posted by the poster and verified by `module` under `config`. */
export async function attestationTerms(
  fixture: AttestationFixture,
  config: AttestationConfig,
  overrides: Partial<TaskTerms> = {},
): Promise<TaskTerms> {
  return {
    poster: fixture.poster.address,
    token: ETH,
    reward: REWARD,
    claimBond: CLAIM_BOND,
    claimDeadline: (await latestTimestamp(fixture)) + CLAIM_PERIOD,
    executionWindow: EXECUTION_WINDOW,
    reviewWindow: REVIEW_WINDOW,
    feeBps: FEE_BPS,
    executorKind: ExecutorKind.Any,
    verifier: fixture.module.address,
    verifierFee: 0n,
    verifierConfigHash: configHashOf(config),
    capabilitiesHash: keccak256(concat([CAPABILITY])),
    documentHash: DOCUMENT_HASH,
    milestoneShares: NO_MILESTONES,
    ...overrides,
  };
}

/* -------------------------------------------------------------------------------------------------------------- */
/*                                                  Task lifecycle                                                  */
/* -------------------------------------------------------------------------------------------------------------- */

export interface Task {
  taskId: bigint;
  terms: TaskTerms;
  config: AttestationConfig;
}

export interface SentTransaction {
  hash: Hash;
  receipt: TransactionReceipt;
  /** What the sender paid for gas, in wei. */
  gasCost: bigint;
}

/** Waits for a transaction sent by a contract write and prices its gas. */
export async function send(fixture: AttestationFixture, pending: Promise<Hash>): Promise<SentTransaction> {
  const hash = await pending;
  const receipt = await fixture.publicClient.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, "success");
  return { hash, receipt, gasCost: receipt.gasUsed * receipt.effectiveGasPrice };
}

export async function latestTimestamp(fixture: AttestationFixture): Promise<number> {
  return Number((await fixture.publicClient.getBlock()).timestamp);
}

export async function timestampOf(fixture: AttestationFixture, sent: SentTransaction): Promise<number> {
  return Number((await fixture.publicClient.getBlock({ blockNumber: sent.receipt.blockNumber })).timestamp);
}

/** Posts a task (escrowing reward and verifier fee: in ETH, or by allowance for a token) and returns its id. */
export async function postTask(
  fixture: AttestationFixture,
  config: AttestationConfig,
  overrides: Partial<TaskTerms> = {},
): Promise<Task & { posted: SentTransaction }> {
  const terms = await attestationTerms(fixture, config, overrides);
  const taskId = (await fixture.market.read.nextTaskId()) as bigint;
  const posted = await send(
    fixture,
    fixture.market.write.createTask([terms, [CAPABILITY], "ipfs://bafytask"], {
      account: fixture.poster.wallet.account,
      // An ERC-20 escrow is pulled by allowance: the test approves it first.
      value: terms.token === ETH ? terms.reward + terms.verifierFee : 0n,
    }),
  );
  return { taskId, terms, config, posted };
}

export async function claimTask(fixture: AttestationFixture, task: Task): Promise<SentTransaction> {
  return send(
    fixture,
    fixture.market.write.claim([task.taskId, task.terms, [CAPABILITY]], {
      account: fixture.executor.wallet.account,
      value: task.terms.token === ETH ? task.terms.claimBond : 0n,
    }),
  );
}

export async function submitWork(
  fixture: AttestationFixture,
  task: Task,
  resultHash: Hex = RESULT_HASH,
): Promise<SentTransaction> {
  return send(
    fixture,
    fixture.market.write.submit([task.taskId, task.terms, resultHash, RESULT_URI], {
      account: fixture.executor.wallet.account,
    }),
  );
}

/** Posts a task, has the executor claim it and submit `RESULT_HASH`: it is then under review. */
export async function taskUnderReview(
  fixture: AttestationFixture,
  config: AttestationConfig,
  overrides: Partial<TaskTerms> = {},
): Promise<Task> {
  const { taskId, terms } = await postTask(fixture, config, overrides);
  const task = { taskId, terms, config };
  await claimTask(fixture, task);
  await submitWork(fixture, task);
  return task;
}

export async function stateOf(fixture: AttestationFixture, taskId: bigint): Promise<TaskState> {
  return (await fixture.market.read.stateOf([taskId])) as TaskState;
}

export async function statusOf(fixture: AttestationFixture, taskId: bigint): Promise<TaskStatus> {
  return (await fixture.market.read.statusOf([taskId])) as TaskStatus;
}

export async function contestOf(fixture: AttestationFixture, taskId: bigint): Promise<Contest> {
  return (await fixture.module.read.contestOf([taskId])) as Contest;
}

export async function memberOf(module: AttestationModuleContract, setId: bigint, verifier: Address): Promise<Member> {
  return (await module.read.memberOf([setId, verifier])) as Member;
}

/* -------------------------------------------------------------------------------------------------------------- */
/*                                                   Attestations                                                   */
/* -------------------------------------------------------------------------------------------------------------- */

/** What every attestation of the submission under review binds to, read from the market as the module reads it. */
export interface Round {
  taskId: bigint;
  milestone: number;
  submissionHash: Hex;
  reviewDeadline: number;
}

export async function currentRound(fixture: AttestationFixture, task: Task): Promise<Round> {
  const state = await stateOf(fixture, task.taskId);
  const [milestonesVerified] = (await fixture.market.read.progressOf([task.taskId])) as readonly [
    number,
    number,
    number,
  ];
  return {
    taskId: task.taskId,
    milestone: task.terms.milestoneShares === NO_MILESTONES ? 0 : milestonesVerified,
    submissionHash: (await fixture.market.read.submissionOf([task.taskId])) as Hex,
    reviewDeadline: state.reviewDeadline,
  };
}

/** The domain of `fixture.module` (or another module) on this chain. */
export function domainOf(fixture: AttestationFixture, module: Address = fixture.module.address): TypedDataDomain {
  return moduleDomain("attestation", fixture.chainId, module);
}

/** Signs `message` in `domain` with `keys`, through the given EIP-712 implementation. */
export async function signAttestation(
  keys: Keys,
  domain: TypedDataDomain,
  message: AttestationMessage,
  library: SigningLibrary,
): Promise<Hex> {
  const typedData = attestationTypedData(domain, message);
  switch (library) {
    case "viem-local":
      return keys.account.signTypedData(typedData);
    case "viem-rpc":
      return keys.wallet.signTypedData({ account: keys.wallet.account, ...typedData });
    case "ethers": {
      const ethersDomain = {
        name: domain.name,
        version: domain.version,
        chainId: domain.chainId,
        verifyingContract: domain.verifyingContract,
      };
      const types = { Attestation: [...ATTESTATION_TYPES.Attestation] };
      return (await keys.ethers.signTypedData(ethersDomain, types, { ...message })) as Hex;
    }
  }
}

export interface AttestOptions {
  approved?: boolean;
  methodId?: Hex;
  scoreBps?: number;
  evidenceHash?: Hex;
  /** Defaults to a day from the latest block. */
  deadline?: bigint;
  nonce?: bigint;
  library?: SigningLibrary;
  /** Defaults to the domain of `fixture.module`. */
  domain?: TypedDataDomain;
  /** Replaces fields of the round read from the market, to sign for another round. */
  round?: Partial<Round>;
  /** Signs this round instead of reading the current one. */
  fixedRound?: Round;
}

/** `verifier`'s attestation of the submission under review (or of a round given in `options`). */
export async function attest(
  fixture: AttestationFixture,
  task: Task,
  verifier: Verifier,
  options: AttestOptions = {},
): Promise<SignedAttestation> {
  const round = { ...(options.fixedRound ?? (await currentRound(fixture, task))), ...options.round };
  const message: AttestationMessage = {
    ...round,
    approved: options.approved ?? true,
    scoreBps: options.scoreBps ?? BPS,
    methodId: options.methodId ?? METHOD_ID,
    evidenceHash: options.evidenceHash ?? EVIDENCE_HASH,
    deadline: options.deadline ?? BigInt((await latestTimestamp(fixture)) + DAY),
    nonce: options.nonce ?? 1n,
  };
  const signature = await signAttestation(
    verifier.keys,
    options.domain ?? domainOf(fixture),
    message,
    options.library ?? "viem-local",
  );
  return {
    signer: verifier.address,
    scoreBps: message.scoreBps,
    evidenceHash: message.evidenceHash,
    deadline: message.deadline,
    nonce: message.nonce,
    signature,
  };
}

/** Attestations by each of `verifiers` (sorted by signer, as the module requires), with a library per signer. */
export async function attestAll(
  fixture: AttestationFixture,
  task: Task,
  verifiers: readonly Verifier[],
  options: AttestOptions & { libraries?: readonly SigningLibrary[]; scores?: readonly number[] } = {},
): Promise<SignedAttestation[]> {
  const signed: SignedAttestation[] = [];
  for (const [index, verifier] of verifiers.entries()) {
    signed.push(
      await attest(fixture, task, verifier, {
        ...options,
        library: options.libraries?.[index] ?? options.library,
        scoreBps: options.scores?.[index] ?? options.scoreBps,
      }),
    );
  }
  return sortAttestations(signed);
}

export function sortAttestations(attestations: readonly SignedAttestation[]): SignedAttestation[] {
  return [...attestations].sort((a, b) => compareAddresses({ address: a.signer }, { address: b.signer }));
}

export function verdictOf(approved: boolean, methodId: Hex = METHOD_ID): Verdict {
  return { approved, methodId };
}

/** The `submitVerdict` call, not yet awaited: for `send` or a revert assertion. */
export function submitVerdict(
  fixture: AttestationFixture,
  task: Task,
  verdict: Verdict,
  attestations: readonly SignedAttestation[],
  options: { sender?: Party; module?: AttestationModuleContract; config?: AttestationConfig } = {},
): Promise<Hash> {
  const module = options.module ?? fixture.module;
  return module.write.submitVerdict(
    [task.taskId, task.terms, options.config ?? task.config, verdict, [...attestations]],
    { account: (options.sender ?? fixture.relayer).wallet.account },
  );
}

/** Flips a 65-byte signature to its high-s twin: `s' = n - s` and the other `v`. Still a valid ECDSA signature. */
export function toHighS(signature: Hex): Hex {
  const r = signature.slice(2, 66);
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = Number.parseInt(signature.slice(130, 132), 16);
  const flipped = (SECP256K1_N - s).toString(16).padStart(64, "0");
  const flippedV = (v === 27 ? 28 : 27).toString(16);
  return `0x${r}${flipped}${flippedV}`;
}

/* -------------------------------------------------------------------------------------------------------------- */
/*                                                     Contests                                                     */
/* -------------------------------------------------------------------------------------------------------------- */

/** Submits the verdict of `signers` (a contested configuration holds it for contest). */
export async function holdVerdict(
  fixture: AttestationFixture,
  task: Task,
  signers: readonly Verifier[],
  approved: boolean,
  scores?: readonly number[],
): Promise<SentTransaction> {
  const attestations = await attestAll(fixture, task, signers, { approved, scores });
  return send(fixture, submitVerdict(fixture, task, verdictOf(approved), attestations));
}

export async function dispute(fixture: AttestationFixture, task: Task, claimant: Party): Promise<SentTransaction> {
  return send(
    fixture,
    fixture.module.write.dispute([task.taskId, task.terms, task.config], {
      account: claimant.wallet.account,
      value: ARBITRATION_FEE,
    }),
  );
}

export async function respond(fixture: AttestationFixture, task: Task, respondent: Party): Promise<SentTransaction> {
  return send(
    fixture,
    fixture.module.write.respond([task.taskId, task.terms], {
      account: respondent.wallet.account,
      value: ARBITRATION_FEE,
    }),
  );
}

/* -------------------------------------------------------------------------------------------------------------- */
/*                                                  Money and events                                                */
/* -------------------------------------------------------------------------------------------------------------- */

/** Every account a contest can pay, in a fixed order: the market, the module, the arbitrator, the parties, the
 * relayer, the treasury, and the given signers. */
export function accountsOf(fixture: AttestationFixture, signers: readonly Verifier[]): Address[] {
  const { market, module, arbitrator, poster, executor, relayer, feeRecipient } = fixture;
  return [
    market.address,
    module.address,
    arbitrator.address,
    poster.address,
    executor.address,
    relayer.address,
    feeRecipient,
    ...signers.map((signer) => signer.address),
  ];
}

/** How a settlement with `shareBps` for the executor divides `amount`, as the market computes it. */
export function split(amount: bigint, shareBps: number, feeBps: number = FEE_BPS) {
  const gross = shareBps === BPS ? amount : (amount * BigInt(shareBps)) / BigInt(BPS);
  const fee = (gross * BigInt(feeBps)) / BigInt(BPS);
  return { gross, payout: gross - fee, fee, refund: amount - gross };
}

/** How the module shares `fee` between `count` signers: evenly, the first taking the remainder. */
export function feeShares(fee: bigint, count: number): bigint[] {
  const each = fee / BigInt(count);
  return Array.from({ length: count }, (_, index) => (index === 0 ? fee - each * BigInt(count - 1) : each));
}

export async function balancesOf(
  fixture: AttestationFixture,
  accounts: readonly Address[],
): Promise<Map<Address, bigint>> {
  assert.equal(new Set(accounts).size, accounts.length, "an account is listed twice");
  const entries = await Promise.all(
    accounts.map(async (account) => [account, await fixture.publicClient.getBalance({ address: account })] as const),
  );
  return new Map(entries);
}

/**
 * Asserts how each account's ETH balance moved since `before`; every account in `before` must be listed. With
 * `gasPaid` (what the senders of the transactions in between paid for gas), also asserts that the deltas add up to
 * zero: the listed accounts are all the money involved, and no wei appears or disappears.
 */
export async function assertBalanceDeltas(
  fixture: AttestationFixture,
  before: Map<Address, bigint>,
  expected: ReadonlyArray<readonly [Address, bigint]>,
  gasPaid?: bigint,
): Promise<void> {
  assert.deepEqual(new Set(expected.map(([account]) => account)), new Set(before.keys()));
  if (gasPaid !== undefined) {
    assert.equal(
      expected.reduce((sum, [, delta]) => sum + delta, 0n) + gasPaid,
      0n,
      "the expected deltas do not balance: some wei is unaccounted for",
    );
  }
  const after = await balancesOf(fixture, [...before.keys()]);
  const actual = expected.map(([account]) => [account, after.get(account)! - before.get(account)!] as const);
  assert.deepEqual(actual, expected);
}

export interface DecodedEvent {
  eventName: string;
  args: Record<string, unknown>;
}

/** The events `contract` emitted in a receipt, in order, with their named arguments. */
export function eventsOf(
  contract: { address: Address; abi: TaskMarketContract["abi"] | AttestationModuleContract["abi"] },
  receipt: TransactionReceipt,
): DecodedEvent[] {
  const logs = receipt.logs.filter((log) => log.address.toLowerCase() === contract.address.toLowerCase());
  return parseEventLogs({ abi: contract.abi, logs }).map((log) => ({
    eventName: log.eventName,
    args: { ...(log.args as unknown as Record<string, unknown>) },
  }));
}

export { BPS, NO_MILESTONES, TaskStatus, zeroHash };
