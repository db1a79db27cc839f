/**
 * Verification by Merkle-inclusion proof, end to end, as clients would run it: the poster commits to the items a
 * deliverable must contain without seeing the deliverable, the executor builds its deliverable as an OpenZeppelin
 * `StandardMerkleTree` and proves the required items with `getMultiProof`, and the proof module settles the task when
 * the `MerkleInclusionVerifier` accepts the proof.
 *
 * Self-contained: it deploys what it needs and takes only the protocol's types from src/protocol/terms.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import {
  encodeAbiParameters,
  getAddress,
  keccak256,
  parseEventLogs,
  stringToHex,
  toHex,
  zeroAddress,
  type Address,
  type Hash,
  type Hex,
  type TransactionReceipt,
} from "viem";

import { ExecutorKind, NO_MILESTONES, TaskStatus, type TaskTerms } from "../../../src/protocol/terms.js";

const { viem, networkHelpers } = await network.create();

const FEE_BPS = 250;
const BPS = 10_000n;
const REWARD = 1_000_000_000_000_000_003n; // not a multiple of 10 000, so the fee rounds down
const BOND = 100_000_000_000_000_000n;
const VERIFIER_FEE = 50_000_000_000_000_000n;
const CLAIM_PERIOD = 7 * 24 * 3600;
const EXECUTION_WINDOW = 3 * 24 * 3600;
const REVIEW_WINDOW = 2 * 24 * 3600;
const DOCUMENT_URI = "ipfs://bafytaskdocument";
const RESULT_URI = "ipfs://bafydeliverable";
/** `keccak256(abi.encodePacked(bytes32[]))` of no capabilities. */
const NO_CAPABILITIES_HASH = keccak256("0x");

/** A deliverable item: a file's path and the hash of its content. */
type Item = [path: string, contentHash: Hex];
const ITEM_ENCODING = ["string", "bytes32"];

function item(path: string): Item {
  return [path, keccak256(stringToHex(`content of ${path}`))];
}

/** The executor's whole deliverable. */
const DELIVERABLE: Item[] = [
  item("README.md"),
  item("src/index.ts"),
  item("src/parser.ts"),
  item("test/parser.test.ts"),
  item("LICENSE"),
  item("docs/report.pdf"),
  item("CHANGELOG.md"),
];
/** What the poster requires the deliverable to contain (the executor may deliver more). */
const REQUIRED: Item[] = [item("LICENSE"), item("src/parser.ts"), item("test/parser.test.ts")];

/** A `StandardMerkleTree` leaf, computed as the poster would: without the executor's tree. */
function leafHash(value: Item): Hex {
  return keccak256(keccak256(encodeAbiParameters([{ type: "string" }, { type: "bytes32" }], value)));
}

/** The poster's commitment: `keccak256(abi.encode(bytes32[]))` of the required leaf hashes in ascending order. */
function commitmentOf(items: readonly Item[]): Hex {
  const sorted = items.map(leafHash).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  return keccak256(encodeAbiParameters([{ type: "bytes32[]" }], [sorted]));
}

/** The proof `MerkleInclusionVerifier` takes: `abi.encode(bytes32[] leaves, bytes32[] proof, bool[] proofFlags)`. */
function encodeMultiProof(leaves: readonly Hex[], proof: readonly Hex[], proofFlags: readonly boolean[]): Hex {
  return encodeAbiParameters(
    [{ type: "bytes32[]" }, { type: "bytes32[]" }, { type: "bool[]" }],
    [[...leaves], [...proof], [...proofFlags]],
  );
}

/** Proves `items` of `tree`: the leaves in the order the multiproof consumes them, hashed with `leafHash`. */
function proveItems(tree: StandardMerkleTree<Item>, items: readonly Item[]): Hex {
  const multiProof = tree.getMultiProof([...items]);
  return encodeMultiProof(
    multiProof.leaves.map((leaf) => tree.leafHash(leaf) as Hex),
    multiProof.proof as Hex[],
    multiProof.proofFlags,
  );
}

/** `ProofConfig` from `IProofModule.sol`. */
interface ProofConfig {
  proofVerifier: Address;
  commitment: Hex;
}

function configHashOf(config: ProofConfig): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "tuple", components: [{ type: "address" }, { type: "bytes32" }] }],
      [[config.proofVerifier, config.commitment]],
    ),
  );
}

async function deployProofMarket(connection: NetworkConnection) {
  const { viem } = connection;
  const publicClient = await viem.getPublicClient();
  const [ownerWallet, posterWallet, executorWallet, strangerWallet] = await viem.getWalletClients();
  const feeRecipient = getAddress(`0x${"fe".repeat(20)}`);

  // Re-attached at their checksummed addresses, so that they compare equal to the addresses events decode to.
  const deploy = async (name: string, args: unknown[] = []) =>
    viem.getContractAt(name, getAddress((await viem.deployContract(name, args)).address));
  const registry = await deploy("ExecutorRegistry");
  const market = await deploy("TaskMarket", [ownerWallet.account.address, registry.address, FEE_BPS, feeRecipient]);
  const module = await deploy("ProofModule", [market.address]);
  const merkleVerifier = await deploy("MerkleInclusionVerifier");

  await registry.write.register([ExecutorKind.Human, zeroAddress, [], "ipfs://bafyexecutorprofile"], {
    account: executorWallet.account,
  });

  return {
    publicClient,
    registry,
    market,
    module,
    merkleVerifier,
    poster: posterWallet,
    executor: executorWallet,
    stranger: strangerWallet,
    feeRecipient,
  };
}

type Fixture = Awaited<ReturnType<typeof deployProofMarket>>;

interface Sent {
  receipt: TransactionReceipt;
  gasCost: bigint;
}

async function send(fixture: Fixture, pending: Promise<Hash>): Promise<Sent> {
  const receipt = await fixture.publicClient.waitForTransactionReceipt({ hash: await pending });
  assert.equal(receipt.status, "success");
  return { receipt, gasCost: receipt.gasUsed * receipt.effectiveGasPrice };
}

async function balancesOf(fixture: Fixture, accounts: readonly Address[]): Promise<bigint[]> {
  return Promise.all(accounts.map((address) => fixture.publicClient.getBalance({ address })));
}

/** The poster publishes its configuration, creates the task under it, and the executor claims it. */
async function postAndClaim(fixture: Fixture, config: ProofConfig, verifierFee: bigint = 0n) {
  const { market, module, poster, executor, publicClient } = fixture;

  const published = await send(fixture, module.write.publishConfig([config], { account: poster.account }));
  const [publishedLog] = parseEventLogs({
    abi: module.abi,
    logs: published.receipt.logs,
    eventName: "ProofConfigPublished",
  }) as unknown as { args: { configHash: Hex; config: ProofConfig } }[];
  const configHash = (await module.read.configHash([config])) as Hex;
  assert.equal(configHash, configHashOf(config), "configHash is keccak256(abi.encode(config))");
  assert.equal(publishedLog.args.configHash, configHash);
  assert.deepEqual(publishedLog.args.config, config);

  const now = Number((await publicClient.getBlock()).timestamp);
  const terms: TaskTerms = {
    poster: getAddress(poster.account.address),
    token: zeroAddress,
    reward: REWARD,
    claimBond: BOND,
    claimDeadline: now + CLAIM_PERIOD,
    executionWindow: EXECUTION_WINDOW,
    reviewWindow: REVIEW_WINDOW,
    feeBps: FEE_BPS,
    executorKind: ExecutorKind.Any,
    verifier: module.address,
    verifierFee,
    verifierConfigHash: configHash,
    capabilitiesHash: NO_CAPABILITIES_HASH,
    documentHash: keccak256(stringToHex("deliver the parser with its tests and a licence")),
    milestoneShares: NO_MILESTONES,
  };
  const created = await send(
    fixture,
    market.write.createTask([terms, [], DOCUMENT_URI], { account: poster.account, value: REWARD + verifierFee }),
  );
  const [createdLog] = parseEventLogs({
    abi: market.abi,
    logs: created.receipt.logs,
    eventName: "TaskCreated",
  }) as unknown as { args: { taskId: bigint } }[];
  const taskId = createdLog.args.taskId;

  await send(fixture, market.write.claim([taskId, terms, []], { account: executor.account, value: BOND }));
  assert.equal(await market.read.statusOf([taskId]), TaskStatus.Claimed);
  return { taskId, terms };
}

describe("Proof module with Merkle inclusion proofs", () => {
  it("settles a task whose deliverable proves every required item, paying exact amounts", async () => {
    const fixture = await networkHelpers.loadFixture(deployProofMarket);
    const { market, module, merkleVerifier, poster, executor, feeRecipient } = fixture;

    // The poster commits to the required items only; the executor's tree is built later, over more items.
    const config: ProofConfig = { proofVerifier: merkleVerifier.address, commitment: commitmentOf(REQUIRED) };
    const { taskId, terms } = await postAndClaim(fixture, config, VERIFIER_FEE);

    const tree = StandardMerkleTree.of(DELIVERABLE, ITEM_ENCODING);
    for (const required of REQUIRED) assert.equal(tree.leafHash(required), leafHash(required));
    const proof = proveItems(tree, REQUIRED);
    const resultHash = tree.root as Hex;
    assert.equal(await merkleVerifier.read.verifyProof([config.commitment, resultHash, proof]), true);

    const parties = [market.address, module.address, poster.account.address, executor.account.address, feeRecipient];
    const before = await balancesOf(fixture, parties);
    const proven = await send(
      fixture,
      module.write.submitWithProof([taskId, terms, config, resultHash, RESULT_URI, proof], {
        account: executor.account,
      }),
    );
    const after = await balancesOf(fixture, parties);

    const fee = (REWARD * BigInt(FEE_BPS)) / BPS;
    const payout = REWARD - fee;
    assert.deepEqual(
      after.map((balance, i) => balance - before[i]),
      [
        -(payout + BOND + VERIFIER_FEE), // market: keeps only the protocol fee of the escrow
        0n, // module: passes the verifier fee on
        0n, // poster: nothing back
        payout + BOND + VERIFIER_FEE - proven.gasCost, // executor: payout, bond, and the fee for proving
        0n, // fee recipient: the fee accrues until withdrawn
      ],
    );
    assert.equal(after[0], fee);
    assert.equal(await market.read.accruedFeesOf([zeroAddress]), fee);
    assert.equal(await market.read.statusOf([taskId]), TaskStatus.Settled);
    assert.equal(await market.read.submissionOf([taskId]), resultHash);

    const moduleEvents = parseEventLogs({ abi: module.abi, logs: proven.receipt.logs }).map((log) => log.eventName);
    assert.deepEqual(moduleEvents, ["ProofAccepted", "VerifierFeeForwarded"]);
    const marketEvents = parseEventLogs({ abi: market.abi, logs: proven.receipt.logs }).map((log) => log.eventName);
    assert.deepEqual(marketEvents, ["WorkSubmitted", "TaskSettled", "VerifierPaid"]);
  });

  it("proves the required items in any order the executor lists them", async () => {
    const fixture = await networkHelpers.loadFixture(deployProofMarket);
    const { module, merkleVerifier, executor, market } = fixture;
    const config: ProofConfig = { proofVerifier: merkleVerifier.address, commitment: commitmentOf(REQUIRED) };
    const { taskId, terms } = await postAndClaim(fixture, config);

    // Another deliverable, listed in another order, holding the required items among others.
    const tree = StandardMerkleTree.of([...DELIVERABLE].reverse().concat([item("extra/notes.txt")]), ITEM_ENCODING);
    const proof = proveItems(tree, [...REQUIRED].reverse());

    await send(
      fixture,
      module.write.submitWithProof([taskId, terms, config, tree.root as Hex, RESULT_URI, proof], {
        account: executor.account,
      }),
    );
    assert.equal(await market.read.statusOf([taskId]), TaskStatus.Settled);
  });

  it("refuses a deliverable that misses a required item, then settles once the item is delivered", async () => {
    const fixture = await networkHelpers.loadFixture(deployProofMarket);
    const { market, module, merkleVerifier, executor, stranger } = fixture;
    const config: ProofConfig = { proofVerifier: merkleVerifier.address, commitment: commitmentOf(REQUIRED) };
    const { taskId, terms } = await postAndClaim(fixture, config);
    const [missing, ...present] = REQUIRED;
    const incomplete = DELIVERABLE.filter(([path]) => path !== missing[0]);
    const tree = StandardMerkleTree.of(incomplete, ITEM_ENCODING);
    const root = tree.root as Hex;
    const submit = (resultHash: Hex, proof: Hex, account = executor.account) =>
      module.write.submitWithProof([taskId, terms, config, resultHash, RESULT_URI, proof], { account });
    const invalid = [taskId, merkleVerifier.address];

    // Proving what it has, with another item in the missing one's place: the items are not the committed ones.
    await viem.assertions.revertWithCustomErrorWithArgs(
      submit(root, proveItems(tree, [...present, incomplete[0]])),
      module,
      "ProofModule_InvalidProof",
      invalid,
    );
    // Claiming the missing item's leaf with the path of another: the proof does not lead to the root.
    const multiProof = tree.getMultiProof([...present, incomplete[0]]);
    const forgedLeaves = multiProof.leaves.map((leaf) => leafHash(leaf[0] === incomplete[0][0] ? missing : leaf));
    await viem.assertions.revertWithCustomErrorWithArgs(
      submit(root, encodeMultiProof(forgedLeaves, multiProof.proof as Hex[], multiProof.proofFlags)),
      module,
      "ProofModule_InvalidProof",
      invalid,
    );
    // Only the required items it has: fewer than committed.
    await viem.assertions.revertWithCustomErrorWithArgs(
      submit(root, proveItems(tree, present)),
      module,
      "ProofModule_InvalidProof",
      invalid,
    );
    // Not decodable as a multiproof: the verifier reverts, which the module treats as an invalid proof.
    await viem.assertions.revertWithCustomErrorWithArgs(
      submit(root, toHex("not a proof")),
      module,
      "ProofModule_InvalidProof",
      invalid,
    );
    // Someone else with a valid proof.
    const complete = StandardMerkleTree.of(DELIVERABLE, ITEM_ENCODING);
    await viem.assertions.revertWithCustomErrorWithArgs(
      submit(complete.root as Hex, proveItems(complete, REQUIRED), stranger.account),
      module,
      "ProofModule_CallerNotExecutor",
      [taskId, getAddress(stranger.account.address)],
    );
    assert.equal(await market.read.statusOf([taskId]), TaskStatus.Claimed);

    await send(fixture, submit(complete.root as Hex, proveItems(complete, REQUIRED)));
    assert.equal(await market.read.statusOf([taskId]), TaskStatus.Settled);
  });

  it("lets anyone reject a result submitted without a proof, and the executor then proves it", async () => {
    const fixture = await networkHelpers.loadFixture(deployProofMarket);
    const { market, module, merkleVerifier, executor, stranger } = fixture;
    const config: ProofConfig = { proofVerifier: merkleVerifier.address, commitment: commitmentOf(REQUIRED) };
    const { taskId, terms } = await postAndClaim(fixture, config);
    const tree = StandardMerkleTree.of(DELIVERABLE, ITEM_ENCODING);
    const root = tree.root as Hex;

    await send(fixture, market.write.submit([taskId, terms, root, RESULT_URI], { account: executor.account }));
    assert.equal(await market.read.statusOf([taskId]), TaskStatus.Submitted);

    const rejected = await send(
      fixture,
      module.write.rejectUnproven([taskId, terms, config], { account: stranger.account }),
    );
    const [rejection] = parseEventLogs({
      abi: market.abi,
      logs: rejected.receipt.logs,
      eventName: "SubmissionRejected",
    }) as unknown as { args: { verifier: Address; reasonHash: Hex } }[];
    assert.equal(rejection.args.verifier, module.address);
    assert.equal(rejection.args.reasonHash, keccak256(stringToHex("taskmarket.proof.unproven")));
    assert.equal(await market.read.statusOf([taskId]), TaskStatus.InProgress);

    await send(
      fixture,
      module.write.submitWithProof([taskId, terms, config, root, RESULT_URI, proveItems(tree, REQUIRED)], {
        account: executor.account,
      }),
    );
    assert.equal(await market.read.statusOf([taskId]), TaskStatus.Settled);
  });
});
