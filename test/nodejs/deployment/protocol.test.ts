// The whole protocol deployed to a real local chain (`hardhat node`, a separate process) through its Ignition modules,
// the deployment record that results, and the chain's clean stop.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { after, before, describe, it } from "node:test";

import {
  createPublicClient,
  createWalletClient,
  decodeEventLog,
  encodeAbiParameters,
  http,
  keccak256,
  parseAbi,
  parseAbiItem,
  stringToHex,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";

import { deployProtocol } from "../../../scripts/deploy-protocol.js";
import {
  DEPLOYMENT_FORMAT_VERSION,
  LOCAL_DEPLOYMENT_PATH,
  PROTOCOL_CONTRACTS,
  PROTOCOL_CONTRACT_KEYS,
  assertDeployment,
  contractsByName,
  deploymentPath,
  readDeployment,
  writeDeployment,
  type Deployment,
} from "../../../scripts/deployment.js";
import { startLocalChain, type LocalChain } from "../../../scripts/local-chain.js";

const MARKET_ABI = parseAbi([
  "function owner() view returns (address)",
  "function protocolFeeBps() view returns (uint16)",
  "function feeRecipient() view returns (address)",
  "function executorRegistry() view returns (address)",
  "function extension() view returns (address)",
]);
const MODULE_ABI = parseAbi(["function market() view returns (address)"]);
const ARBITRATOR_ABI = parseAbi([
  "function owner() view returns (address)",
  "function arbitrationCost(bytes) view returns (uint256)",
  "function votingPeriod() view returns (uint32)",
  "function arbiters() view returns (address[])",
]);
const VERIFIER_ABI = parseAbi([
  "function verifyProof(bytes32 commitment, bytes32 resultHash, bytes proof) view returns (bool)",
]);
const META_EVIDENCE = parseAbiItem("event MetaEvidence(uint256 indexed metaEvidenceId, string evidence)");

describe("deployProtocol on a local chain", () => {
  let chain: LocalChain;
  let client: PublicClient;
  let deployment: Deployment;
  let accounts: Address[];
  let startSeconds: number;
  let deploySeconds: number;

  before(async () => {
    const starting = performance.now();
    chain = await startLocalChain();
    startSeconds = (performance.now() - starting) / 1000;
    client = createPublicClient({ transport: http(chain.rpcUrl) });
    const started = performance.now();
    deployment = await deployProtocol(chain.rpcUrl);
    deploySeconds = (performance.now() - started) / 1000;
    accounts = await createWalletClient({ transport: http(chain.rpcUrl) }).getAddresses();
  });

  after(async () => {
    await chain?.stop();
  });

  it("deploys within a few seconds", (t) => {
    t.diagnostic(`chain started in ${startSeconds.toFixed(1)} s, protocol deployed in ${deploySeconds.toFixed(1)} s`);
    assert.ok(deploySeconds < 15, `deployProtocol took ${deploySeconds.toFixed(1)} s`);
  });

  it("records the chain it deployed to", async () => {
    assert.equal(deployment.formatVersion, DEPLOYMENT_FORMAT_VERSION);
    assert.equal(deployment.network, "localhost");
    assert.equal(deployment.chainId, chain.chainId);
    assert.equal(deployment.chainId, await client.getChainId());
    assert.equal(deployment.rpcUrl, chain.rpcUrl);
    assertDeployment(deployment);
  });

  it("records every protocol contract with the transaction and block that created it", async () => {
    const blocks: number[] = [];
    for (const key of [...PROTOCOL_CONTRACT_KEYS, "devToken" as const]) {
      const contract = deployment.contracts[key];
      assert.ok(contract !== undefined, `${key} is recorded`);
      const code = await client.getCode({ address: contract.address });
      assert.ok(code !== undefined && code.length > 2, `${key} has code at ${contract.address}`);
      const receipt = await client.getTransactionReceipt({ hash: contract.transactionHash });
      assert.equal(receipt.status, "success", key);
      assert.equal(receipt.contractAddress?.toLowerCase(), contract.address.toLowerCase(), `${key} creation`);
      assert.equal(Number(receipt.blockNumber), contract.blockNumber, `${key} block`);
      blocks.push(contract.blockNumber);
    }
    assert.equal(deployment.deploymentBlock, Math.min(...blocks));
    const addresses = new Set(Object.values(deployment.contracts).map((contract) => contract.address.toLowerCase()));
    assert.equal(addresses.size, PROTOCOL_CONTRACT_KEYS.length + 1, "every contract has its own address");
  });

  it("configures the market with the local defaults and the deployed registry", async () => {
    const { taskMarket, executorRegistry } = deployment.contracts;
    const read = (functionName: "owner" | "protocolFeeBps" | "feeRecipient" | "executorRegistry" | "extension") =>
      client.readContract({ address: taskMarket.address, abi: MARKET_ABI, functionName });
    assert.equal((await read("owner")) as Address, accounts[0]);
    assert.equal(await read("protocolFeeBps"), 100);
    assert.equal((await read("feeRecipient")) as Address, accounts[1]);
    assert.equal(await read("executorRegistry"), executorRegistry.address);
    // The market deploys its extension in its constructor, in the same transaction.
    const extension = (await read("extension")) as Address;
    const extensionCode = await client.getCode({ address: extension });
    assert.ok(extensionCode !== undefined && extensionCode.length > 2, "the market's extension has code");
  });

  it("points every verification and assignment module at the market", async () => {
    const modules = [
      "reviewModule",
      "attestationModule",
      "optimisticModule",
      "proofModule",
      "gatedClaim",
      "applicationBoard",
      "reverseAuction",
    ] as const;
    for (const key of modules) {
      const market = await client.readContract({
        address: deployment.contracts[key].address,
        abi: MODULE_ABI,
        functionName: "market",
      });
      assert.equal(market, deployment.contracts.taskMarket.address, `${key}.market()`);
    }
  });

  it("publishes ERC-1497 meta-evidence from each disputable module", async () => {
    for (const key of ["reviewModule", "attestationModule", "optimisticModule"] as const) {
      const contract = deployment.contracts[key];
      const receipt = await client.getTransactionReceipt({ hash: contract.transactionHash });
      const logs = receipt.logs.filter((log) => log.address.toLowerCase() === contract.address.toLowerCase());
      assert.equal(logs.length, 1, `${key} emits one event at deployment`);
      const { eventName, args } = decodeEventLog({ abi: [META_EVIDENCE], ...logs[0] });
      assert.equal(eventName, "MetaEvidence");
      assert.equal(args.metaEvidenceId, 0n);
      const prefix = "data:application/json,";
      assert.ok(args.evidence.startsWith(prefix), `${key} meta-evidence is a JSON data URI`);
      const document = JSON.parse(decodeURIComponent(args.evidence.slice(prefix.length))) as {
        title: string;
        rulingOptions: { titles: string[]; descriptions: string[] };
      };
      assert.match(document.title, new RegExp(PROTOCOL_CONTRACTS[key]));
      // Rulings 1 to 11 give the executor 0 % to 100 % (RULING_OPTIONS = 11).
      assert.equal(document.rulingOptions.titles.length, 11);
      assert.equal(document.rulingOptions.titles[10], "Executor gets 100 %");
    }
  });

  it("seats a usable arbitration panel", async () => {
    const address = deployment.contracts.panelArbitrator.address;
    assert.equal(await client.readContract({ address, abi: ARBITRATOR_ABI, functionName: "owner" }), accounts[0]);
    assert.equal(
      await client.readContract({ address, abi: ARBITRATOR_ABI, functionName: "arbitrationCost", args: ["0x"] }),
      10n ** 16n,
    );
    assert.equal(await client.readContract({ address, abi: ARBITRATOR_ABI, functionName: "votingPeriod" }), 86_400);
    assert.deepEqual(await client.readContract({ address, abi: ARBITRATOR_ABI, functionName: "arbiters" }), [
      accounts[17],
      accounts[18],
      accounts[19],
    ]);
  });

  it("deploys working proof verifiers", async () => {
    const verify = (key: "hashCommitmentVerifier" | "merkleInclusionVerifier", args: [Hex, Hex, Hex]) =>
      client.readContract({
        address: deployment.contracts[key].address,
        abi: VERIFIER_ABI,
        functionName: "verifyProof",
        args,
      });
    const result = stringToHex("the build artifact");
    assert.equal(await verify("hashCommitmentVerifier", [keccak256(result), keccak256(result), result]), true);
    assert.equal(await verify("hashCommitmentVerifier", [keccak256(result), keccak256(result), "0x00"]), false);

    // A one-item deliverable: its tree's root is the item's leaf, and the multiproof is empty.
    const leaf = keccak256(stringToHex("the only required item"));
    const commitment = keccak256(encodeAbiParameters([{ type: "bytes32[]" }], [[leaf]]));
    const proof = encodeAbiParameters(
      [{ type: "bytes32[]" }, { type: "bytes32[]" }, { type: "bool[]" }],
      [[leaf], [], []],
    );
    assert.equal(await verify("merkleInclusionVerifier", [commitment, leaf, proof]), true);
    assert.equal(await verify("merkleInclusionVerifier", [keccak256(leaf), leaf, proof]), false);
  });

  it("records the dev token with its metadata", () => {
    const token = deployment.contracts.devToken;
    assert.ok(token !== undefined);
    assert.equal(token.name, "TaskMarket Dev Token");
    assert.equal(token.symbol, "TMDEV");
    assert.equal(token.decimals, 18);
  });

  it("maps subgraph data source names to addresses and start blocks", () => {
    const byName = contractsByName(deployment);
    assert.deepEqual(Object.keys(byName).sort(), Object.values(PROTOCOL_CONTRACTS).sort());
    assert.deepEqual(byName.TaskMarket, {
      address: deployment.contracts.taskMarket.address,
      startBlock: deployment.contracts.taskMarket.blockNumber,
    });
    assert.deepEqual(byName.MerkleInclusionVerifier, {
      address: deployment.contracts.merkleInclusionVerifier.address,
      startBlock: deployment.contracts.merkleInclusionVerifier.blockNumber,
    });
  });

  it("deploys again with other parameters, without the panel and the dev token", async () => {
    const again = await deployProtocol(chain.rpcUrl, {
      network: "staging",
      arbitrationPanel: false,
      devToken: false,
      parameters: {
        owner: accounts[2],
        feeBps: 250,
        feeRecipient: accounts[3],
        arbitrationFee: 5n,
        votingPeriod: 3_600,
      },
    });
    assert.equal(again.network, "staging");
    assert.equal(again.contracts.devToken, undefined);
    assert.ok(again.deploymentBlock > deployment.contracts.taskMarket.blockNumber, "a new set of contracts");
    assertDeployment(again);
    const market = again.contracts.taskMarket.address;
    assert.equal(await client.readContract({ address: market, abi: MARKET_ABI, functionName: "owner" }), accounts[2]);
    assert.equal(await client.readContract({ address: market, abi: MARKET_ABI, functionName: "protocolFeeBps" }), 250);
    assert.equal(
      await client.readContract({ address: market, abi: MARKET_ABI, functionName: "feeRecipient" }),
      accounts[3],
    );
    const arbitrator = again.contracts.panelArbitrator.address;
    const readArbitrator = <F extends "owner" | "votingPeriod" | "arbiters">(functionName: F) =>
      client.readContract({ address: arbitrator, abi: ARBITRATOR_ABI, functionName });
    assert.equal(await readArbitrator("owner"), accounts[2]);
    assert.equal(await readArbitrator("votingPeriod"), 3_600);
    assert.deepEqual(await readArbitrator("arbiters"), []);
    assert.equal(
      await client.readContract({
        address: arbitrator,
        abi: ARBITRATOR_ABI,
        functionName: "arbitrationCost",
        args: ["0x"],
      }),
      5n,
    );
  });

  it("refuses to seat the local panel for an owner other than account 0", async () => {
    await assert.rejects(
      deployProtocol(chain.rpcUrl, { devToken: false, parameters: { owner: accounts[2] } }),
      /must then own the protocol, but the owner is 0x/,
    );
  });

  describe("the deployment file", () => {
    let directory: string;

    before(() => {
      directory = mkdtempSync(join(tmpdir(), "taskmarket-deployment-"));
    });

    after(() => {
      rmSync(directory, { recursive: true, force: true });
    });

    it("round-trips through writeDeployment and readDeployment", () => {
      const path = join(directory, "localhost.json");
      writeDeployment(deployment, path);
      assert.deepEqual(readDeployment(path), deployment);
    });

    it("lives at deployments/<network>.json", () => {
      assert.equal(deploymentPath("localhost"), LOCAL_DEPLOYMENT_PATH);
      assert.match(deploymentPath("sepolia"), /deployments[/\\]sepolia\.json$/);
      assert.throws(() => deploymentPath("../elsewhere"), /network name/);
    });

    const malformed: [string, (copy: Record<string, any>) => void, RegExp][] = [
      ["a protocol contract is missing", (copy) => delete copy.contracts.reviewModule, /`contracts\.reviewModule`/],
      [
        "an address is not an address",
        (copy) => (copy.contracts.gatedClaim.address = "0x1234"),
        /`contracts\.gatedClaim\.address`/,
      ],
      [
        "a transaction hash is missing",
        (copy) => delete copy.contracts.proofModule.transactionHash,
        /`contracts\.proofModule\.transactionHash`/,
      ],
      [
        "a block number is negative",
        (copy) => (copy.contracts.reverseAuction.blockNumber = -1),
        /`contracts\.reverseAuction\.blockNumber`/,
      ],
      [
        "two contracts share an address",
        (copy) => (copy.contracts.applicationBoard.address = copy.contracts.gatedClaim.address),
        /repeats the address of `contracts\.gatedClaim`/,
      ],
      [
        "a contract precedes the deployment block",
        (copy) => (copy.deploymentBlock = copy.contracts.taskMarket.blockNumber + 100),
        /is before `deploymentBlock`/,
      ],
      ["the dev token lacks its decimals", (copy) => delete copy.contracts.devToken.decimals, /devToken\.decimals/],
      ["the RPC URL is not a URL", (copy) => (copy.rpcUrl = "localhost"), /`rpcUrl`/],
      ["it is a version 1 file", (copy) => (copy.formatVersion = 1), /has format 1; this version reads format 2/],
    ];
    for (const [situation, corrupt, message] of malformed) {
      it(`is rejected when ${situation}`, () => {
        const copy = structuredClone(deployment) as Record<string, any>;
        corrupt(copy);
        const path = join(directory, "malformed.json");
        writeFileSync(path, JSON.stringify(copy));
        assert.throws(() => readDeployment(path), message);
        assert.throws(() => writeDeployment(copy as Deployment, join(directory, "never-written.json")), message);
        assert.throws(() => readDeployment(join(directory, "never-written.json")), /No deployment at/);
      });
    }

    it("is rejected when it is not JSON", () => {
      const path = join(directory, "truncated.json");
      writeFileSync(path, JSON.stringify(deployment).slice(0, 100));
      assert.throws(() => readDeployment(path), /not JSON/);
    });

    it("accepts a deployment without a dev token", () => {
      const { devToken: _, ...contracts } = deployment.contracts;
      const path = join(directory, "without-token.json");
      writeDeployment({ ...deployment, contracts }, path);
      assert.equal(readDeployment(path).contracts.devToken, undefined);
    });
  });

  it("stops the chain and leaves no process behind", async () => {
    const pid = chain.pid;
    await chain.stop();
    assert.ok(chain.hasExited);
    assert.throws(() => process.kill(pid, 0), { code: "ESRCH" });
    // Stopping again is harmless.
    await chain.stop();
  });
});
