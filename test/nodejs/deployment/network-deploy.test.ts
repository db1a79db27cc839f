// `npm run deploy`, the path to a public network, run against a real `hardhat node` reached as an external chain: the
// generic `custom` network with its URL in CUSTOM_RPC_URL and the deployer's key in DEPLOYER_PRIVATE_KEY, the same
// configuration variables an operator sets. The first deployment takes the key from Hardhat's encrypted keystore (in a
// home directory of the test's own), answering its password prompt as an operator would; the later runs take it from
// the environment. The command must write the deployment record and the subgraph manifest, and deploy contracts wired
// as the parameters file says.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { createPublicClient, http, parseAbiItem, type Address, type PublicClient } from "viem";
import { parse as parseYaml } from "yaml";

import { networkManifestPath } from "../../../indexer/scripts/manifest.ts";
import { checkDeploymentParameters } from "../../../scripts/deploy.ts";
import {
  DEPLOYMENT_FORMAT_VERSION,
  PROTOCOL_CONTRACTS,
  PROTOCOL_CONTRACT_KEYS,
  contractsByName,
  readDeployment,
  type Deployment,
} from "../../../scripts/deployment.ts";
import { startLocalChain, type LocalChain } from "../../../scripts/local-chain.ts";
import { PROTOCOL_ABIS } from "../../../src/protocol/abis.ts";
import { devAccount, devPrivateKey } from "../api/helpers/stack.ts";
import { REPOSITORY_ROOT, hardhatCli, runNode, runNpmScript, type ScriptExit } from "./helpers/npm-script.ts";

/** Dev accounts with roles in this deployment; none of them is the node's account 0, which deploys `npm start`. */
const DEPLOYER = devAccount(7).address;
const FEE_RECIPIENT = devAccount(8).address;
const ARBITERS = [devAccount(9).address, devAccount(10).address, devAccount(11).address];
const REVIEW_META_EVIDENCE = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/review.json";
const PARAMETERS = {
  Protocol: {
    owner: DEPLOYER,
    feeBps: 250,
    feeRecipient: FEE_RECIPIENT,
    reviewMetaEvidenceURI: REVIEW_META_EVIDENCE,
    arbitrationFee: "20000000000000000n",
    votingPeriod: 2 * 24 * 60 * 60,
  },
  ArbitrationPanel: { arbiters: ARBITERS },
};
const DEPLOY_TIMEOUT_MS = 240_000;
const PROMPT_TIMEOUT_MS = 120_000;
const KEYSTORE_PASSWORD = "a keystore password for this test only";

interface DeployRun {
  exit: ScriptExit;
  output: string;
}

describe("npm run deploy to an external chain", () => {
  const name = `test-deploy-${randomUUID().slice(0, 8)}`;
  const directory = mkdtempSync(join(tmpdir(), "taskmarket-deploy-"));
  const recordPath = join(directory, `${name}.json`);
  const manifestPath = networkManifestPath(name);
  const journal = join(REPOSITORY_ROOT, "ignition", "deployments", name);
  // Hardhat keeps its keystore under the home directory: the test's own, so that the operator's is never touched.
  const home = join(directory, "home");
  let chain: LocalChain;
  let client: PublicClient;
  let run: DeployRun;
  let deployment: Deployment;

  /**
   * `npm run deploy -- --network custom …` with the variables an operator sets, and nothing else. With `keystore`, the
   * key is not in the environment: Hardhat reads it from the keystore, and the password prompt is answered.
   */
  async function deploy(parametersPath: string, { keystore = false } = {}): Promise<DeployRun> {
    const script = runNpmScript(
      "deploy",
      [
        "--network",
        "custom",
        "--deployment-name",
        name,
        "--parameters",
        parametersPath,
        "--public-rpc-url",
        chain.rpcUrl,
        "--output",
        recordPath,
        // The test runner has built the contracts already.
        "--no-compile",
      ],
      { HOME: home, CUSTOM_RPC_URL: chain.rpcUrl, ...(keystore ? {} : { DEPLOYER_PRIVATE_KEY: devPrivateKey(7) }) },
      { input: keystore },
    );
    const timer = setTimeout(() => void script.stop(), DEPLOY_TIMEOUT_MS);
    if (keystore) {
      await script.answer(/Enter the password:/, KEYSTORE_PASSWORD, PROMPT_TIMEOUT_MS);
      script.closeInput();
    }
    const exit = await script.exited;
    clearTimeout(timer);
    return { exit, output: script.output() };
  }

  /** `npx hardhat keystore set DEPLOYER_PRIVATE_KEY`, answering its prompts: a new password, again, the key. */
  async function storeDeployerKey(): Promise<void> {
    const keystore = runNode(
      "hardhat keystore set",
      [hardhatCli(), "keystore", "set", "DEPLOYER_PRIVATE_KEY"],
      { HOME: home },
      { input: true },
    );
    const timer = setTimeout(() => void keystore.stop(), PROMPT_TIMEOUT_MS);
    await keystore.answer(/Enter the password:/, KEYSTORE_PASSWORD, PROMPT_TIMEOUT_MS);
    await keystore.answer(/confirm your password:/, KEYSTORE_PASSWORD, PROMPT_TIMEOUT_MS);
    await keystore.answer(/Enter secret to store/, devPrivateKey(7), PROMPT_TIMEOUT_MS);
    keystore.closeInput();
    const exit = await keystore.exited;
    clearTimeout(timer);
    assert.equal(exit.code, 0, keystore.output());
  }

  function writeParameters(fileName: string, parameters: unknown): string {
    const path = join(directory, fileName);
    writeFileSync(path, JSON.stringify(parameters, null, 2));
    return path;
  }

  before(async () => {
    chain = await startLocalChain();
    client = createPublicClient({ transport: http(chain.rpcUrl) });
    mkdirSync(home);
    await storeDeployerKey();
    run = await deploy(writeParameters("parameters.json", PARAMETERS), { keystore: true });
    assert.equal(run.exit.code, 0, `npm run deploy failed:\n${run.output}`);
    deployment = readDeployment(recordPath);
  });

  after(async () => {
    await chain?.stop();
    rmSync(directory, { recursive: true, force: true });
    rmSync(journal, { recursive: true, force: true });
    rmSync(manifestPath, { force: true });
  });

  it("writes a deployment record of the chain, with the public RPC URL it was given", async () => {
    assert.equal(deployment.formatVersion, DEPLOYMENT_FORMAT_VERSION);
    assert.equal(deployment.network, name);
    assert.equal(deployment.chainId, await client.getChainId());
    assert.equal(deployment.rpcUrl, chain.rpcUrl);
    assert.equal(deployment.contracts.devToken, undefined, "no dev token on a public network");
  });

  it("records each contract with the transaction, sent by the key in the keystore, that created it", async () => {
    const blocks: number[] = [];
    for (const key of PROTOCOL_CONTRACT_KEYS) {
      const contract = deployment.contracts[key];
      const receipt = await client.getTransactionReceipt({ hash: contract.transactionHash });
      assert.equal(receipt.status, "success", key);
      assert.equal(receipt.contractAddress?.toLowerCase(), contract.address.toLowerCase(), `${key} creation`);
      assert.equal(Number(receipt.blockNumber), contract.blockNumber, `${key} block`);
      assert.equal(receipt.from.toLowerCase(), DEPLOYER.toLowerCase(), `${key} deployed by the stored key`);
      blocks.push(contract.blockNumber);
    }
    assert.equal(deployment.deploymentBlock, Math.min(...blocks));
  });

  it("configures the market and the arbitrator as the parameters file says", async () => {
    const market = deployment.contracts.taskMarket.address;
    const readMarket = <F extends "owner" | "protocolFeeBps" | "feeRecipient" | "executorRegistry">(functionName: F) =>
      client.readContract({ address: market, abi: PROTOCOL_ABIS.taskMarket, functionName });
    assert.equal(await readMarket("owner"), DEPLOYER);
    assert.equal(await readMarket("protocolFeeBps"), 250);
    assert.equal(await readMarket("feeRecipient"), FEE_RECIPIENT);
    assert.equal(await readMarket("executorRegistry"), deployment.contracts.executorRegistry.address);

    const arbitrator = { address: deployment.contracts.panelArbitrator.address, abi: PROTOCOL_ABIS.panelArbitrator };
    assert.equal(await client.readContract({ ...arbitrator, functionName: "owner" }), DEPLOYER);
    assert.equal(
      await client.readContract({ ...arbitrator, functionName: "arbitrationCost", args: ["0x"] }),
      2n * 10n ** 16n,
    );
    assert.equal(await client.readContract({ ...arbitrator, functionName: "votingPeriod" }), 2 * 24 * 60 * 60);
    const seated = (await client.readContract({ ...arbitrator, functionName: "arbiters" })) as readonly Address[];
    assert.deepEqual([...seated].sort(), [...ARBITERS].sort(), "the parameters' arbiters are seated");
  });

  it("points every module at the market, and publishes the meta-evidence URI it was given", async () => {
    for (const key of [
      "reviewModule",
      "attestationModule",
      "optimisticModule",
      "proofModule",
      "gatedClaim",
      "applicationBoard",
      "reverseAuction",
    ] as const) {
      const market = await client.readContract({
        address: deployment.contracts[key].address,
        abi: PROTOCOL_ABIS[key],
        functionName: "market",
      });
      assert.equal(market, deployment.contracts.taskMarket.address, `${key}.market()`);
    }
    const [metaEvidence] = await client.getLogs({
      address: deployment.contracts.reviewModule.address,
      event: parseAbiItem("event MetaEvidence(uint256 indexed metaEvidenceId, string evidence)"),
      fromBlock: BigInt(deployment.deploymentBlock),
      strict: true,
    });
    assert.equal(metaEvidence?.args.evidence, REVIEW_META_EVIDENCE);
  });

  it("generates the subgraph manifest for the deployment", () => {
    const manifest = parseYaml(readFileSync(manifestPath, "utf8")) as {
      dataSources: { name: string; network: string; source: { address: string; startBlock: number } }[];
    };
    const located = contractsByName(deployment) as Record<string, { address: string; startBlock: number }>;
    const names = manifest.dataSources.map((source) => source.name);
    assert.ok(names.includes(PROTOCOL_CONTRACTS.taskMarket) && names.length >= 10, `data sources: ${names.join(", ")}`);
    for (const source of manifest.dataSources) {
      // Chain 31337 is no chain The Graph knows: the manifest names it after the deployment.
      assert.equal(source.network, name, source.name);
      assert.equal(source.source.address, located[source.name]!.address, source.name);
      assert.equal(source.source.startBlock, located[source.name]!.startBlock, source.name);
    }
  });

  it("prints how to verify every contract, the extension the market's constructor deployed included", async () => {
    const extension = await client.readContract({
      address: deployment.contracts.taskMarket.address,
      abi: PROTOCOL_ABIS.taskMarket,
      functionName: "extension",
    });
    assert.match(run.output, new RegExp(`npx hardhat ignition verify ${name} --network custom`));
    assert.match(
      run.output,
      new RegExp(`TaskMarketExtension ${extension} ${deployment.contracts.executorRegistry.address}`),
    );
  });

  it("keeps Ignition's journal, so that the deployment resumes instead of deploying twice", async () => {
    const blockBefore = await client.getBlockNumber();
    // The key from the environment this time, which Hardhat reads before the keystore: no password is asked for.
    const again = await deploy(writeParameters("parameters.json", PARAMETERS));
    assert.equal(again.exit.code, 0, again.output);
    assert.doesNotMatch(again.output, /Enter the password/);
    assert.match(again.output, new RegExp(`deployer +${DEPLOYER}`));
    assert.equal(await client.getBlockNumber(), blockBefore, "nothing was sent the second time");
    assert.deepEqual(readDeployment(recordPath), deployment);
  });

  it("refuses a parameters file without an owner before sending anything", async () => {
    const blockBefore = await client.getBlockNumber();
    const { owner: _owner, ...withoutOwner } = PARAMETERS.Protocol;
    const refused = await deploy(writeParameters("no-owner.json", { Protocol: withoutOwner }));
    assert.notEqual(refused.exit.code, 0);
    assert.match(refused.output, /Protocol\.owner must be an address/);
    assert.equal(await client.getBlockNumber(), blockBefore);
  });
});

describe("checkDeploymentParameters", () => {
  const owner = devAccount(1).address;
  const feeRecipient = devAccount(2).address;
  const check = (value: unknown) => checkDeploymentParameters(value, "parameters.json");

  it("passes the Protocol parameters on and returns the arbiters", () => {
    const checked = check({ Protocol: { owner, feeRecipient, feeBps: 0 }, ArbitrationPanel: { arbiters: [owner] } });
    assert.deepEqual(checked.protocol, { owner, feeRecipient, feeBps: 0 });
    assert.deepEqual(checked.arbiters, [owner]);
  });

  it("names the field that is wrong", () => {
    const cases: [unknown, RegExp][] = [
      [{ Protocol: { owner } }, /Protocol\.feeRecipient must be an address/],
      [{ Protocol: { owner: "0x0000000000000000000000000000000000000000", feeRecipient } }, /must not be the zero/],
      [{ Protocol: { owner, feeRecipient, feeBps: 501 } }, /feeBps must be an integer from 0 to 500/],
      [{ Protocol: { owner, feeRecipient, votingPeriod: 60 } }, /votingPeriod must be a number of seconds/],
      [{ Protocol: { owner, feeRecipient, arbitrationFee: "0.01" } }, /arbitrationFee must be an amount in wei/],
      [{ Protocol: { owner, feeRecipient, fee: 1 } }, /unknown parameter Protocol\.fee\b/],
      [{ Protocol: { owner, feeRecipient }, LocalArbitrationPanel: {} }, /unknown module "LocalArbitrationPanel"/],
      [{ Protocol: { owner, feeRecipient }, ArbitrationPanel: { arbiters: [owner, owner] } }, /lists an address twice/],
    ];
    for (const [value, message] of cases) assert.throws(() => check(value), message, JSON.stringify(value));
  });
});
