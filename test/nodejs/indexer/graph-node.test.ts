// The embedded graph node end to end: the real subgraph, built by `npm run indexer:build`, indexing a real local
// chain. Restart and resume, a reorg, and the PostgreSQL store. (The handler-failure path is in failure.test.ts; the
// full reconciliation with the chain's views is in reconciliation.test.ts.)
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import hre from "hardhat";
import pg from "pg";
import {
  createWalletClient,
  http,
  keccak256,
  toHex,
  type Address,
  type Hash,
  type PublicClient,
  type WalletClient,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";

import { deployProtocol } from "../../../scripts/deploy-protocol.js";
import type { Deployment } from "../../../scripts/deployment.js";
import { DEV_MNEMONIC, startLocalChain, type LocalChain } from "../../../scripts/local-chain.js";
import { startGraphNode, type GraphNode } from "../../../indexer/node/index.ts";

const MANIFEST = join(import.meta.dirname, "..", "..", "..", "indexer", "build", "subgraph.yaml");
const POSTGRES_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";
/** Dev accounts #10.. are unused by the deployment. */
const DEV_ACCOUNT_INDEXES = [10, 11, 12];
const REGISTRY_ABI = [
  {
    type: "function",
    name: "register",
    stateMutability: "nonpayable",
    inputs: [
      { name: "kind", type: "uint8" },
      { name: "operator", type: "address" },
      { name: "capabilities", type: "bytes32[]" },
      { name: "metadataURI", type: "string" },
    ],
    outputs: [],
  },
  {
    type: "function",
    name: "updateProfile",
    stateMutability: "nonpayable",
    inputs: [
      { name: "operator", type: "address" },
      { name: "capabilities", type: "bytes32[]" },
      { name: "metadataURI", type: "string" },
    ],
    outputs: [],
  },
] as const;
const HUMAN = 1;

describe("graph node", () => {
  let chain: LocalChain;
  let deployment: Deployment;
  let publicClient: PublicClient;
  const wallets: WalletClient[] = [];
  const nodes: GraphNode[] = [];
  const directories: string[] = [];

  before(async () => {
    chain = await startLocalChain();
    deployment = await deployProtocol(chain.rpcUrl);
    const connection = await hre.network.create({ network: "localhost", override: { url: chain.rpcUrl } });
    publicClient = (await connection.viem.getPublicClient()) as unknown as PublicClient;
    for (const addressIndex of DEV_ACCOUNT_INDEXES) {
      const account = mnemonicToAccount(DEV_MNEMONIC, { addressIndex });
      wallets.push(createWalletClient({ account, transport: http(chain.rpcUrl) }));
    }
  });

  after(async () => {
    for (const node of nodes) await node.stop();
    await chain?.stop();
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  });

  async function start(options: { dataDir?: string; url?: string } = {}): Promise<GraphNode> {
    const node = await startGraphNode({
      manifest: MANIFEST,
      deployment,
      rpcUrl: chain.rpcUrl,
      database: options,
      port: 0,
      logger: () => undefined,
    });
    nodes.push(node);
    return node;
  }

  async function stop(node: GraphNode): Promise<void> {
    nodes.splice(nodes.indexOf(node), 1);
    await node.stop();
  }

  async function send(wallet: WalletClient, functionName: "register" | "updateProfile", uri: string): Promise<bigint> {
    const capabilities = [keccak256(toHex("code.review"))];
    const hash = await wallet.writeContract({
      chain: null,
      account: wallet.account!,
      address: deployment.contracts.executorRegistry.address,
      abi: REGISTRY_ABI,
      functionName,
      args:
        functionName === "register"
          ? ([HUMAN, "0x0000000000000000000000000000000000000000", capabilities, uri] as const)
          : (["0x0000000000000000000000000000000000000000", capabilities, uri] as const),
    } as never);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, "success");
    return receipt.blockNumber;
  }

  async function query<T>(node: GraphNode, text: string): Promise<T> {
    const response = await fetch(node.graphqlUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ query: text }),
    });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    return body.data!;
  }

  const address = (wallet: WalletClient): Address => wallet.account!.address;

  it("resumes from the last indexed block after a restart, without indexing anything twice", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "taskmarket-graph-node-"));
    directories.push(dataDir);
    const first = await start({ dataDir });
    const registered = await send(wallets[0], "register", "ipfs://first-profile");
    await first.waitForBlock(Number(registered));
    const before = await query<{ account: { metadataURI: string } }>(
      first,
      `{ account(id: "${address(wallets[0]).toLowerCase()}") { metadataURI } }`,
    );
    assert.equal(before.account.metadataURI, "ipfs://first-profile");
    const pointerBefore = first.status().pointer!;
    await stop(first);

    // While the node is down the chain moves on.
    const updated = await send(wallets[0], "updateProfile", "ipfs://second-profile");
    const second = await start({ dataDir });
    assert.ok(second.status().pointer!.number >= pointerBefore.number, "the pointer survives the restart");
    await second.waitForBlock(Number(updated));
    const after = await query<{
      account: { metadataURI: string };
      old: { metadataURI: string };
      _meta: { block: { number: number }; hasIndexingErrors: boolean };
    }>(
      second,
      `{
        account(id: "${address(wallets[0]).toLowerCase()}") { metadataURI }
        old: account(id: "${address(wallets[0]).toLowerCase()}", block: { number: ${registered} }) { metadataURI }
        _meta { block { number } hasIndexingErrors }
      }`,
    );
    assert.equal(after.account.metadataURI, "ipfs://second-profile");
    assert.equal(after.old.metadataURI, "ipfs://first-profile", "the version before the restart is kept");
    assert.ok(after._meta.block.number >= Number(updated));
    assert.equal(after._meta.hasIndexingErrors, false);
    await stop(second);
  });

  it("undoes a reorg made with evm_snapshot and evm_revert, then indexes the new branch", async () => {
    const node = await start();
    const base = await send(wallets[1], "register", "ipfs://before-the-fork");
    await node.waitForBlock(Number(base));
    const snapshot = (await publicClient.request({ method: "evm_snapshot" as never })) as Hash;

    const orphaned = await send(wallets[1], "updateProfile", "ipfs://orphaned-branch");
    await send(wallets[2], "register", "ipfs://orphaned-executor");
    await node.waitForBlock(Number(orphaned) + 1);
    const onOrphan = await query<{ account: { metadataURI: string } }>(
      node,
      `{ account(id: "${address(wallets[1]).toLowerCase()}") { metadataURI } }`,
    );
    assert.equal(onOrphan.account.metadataURI, "ipfs://orphaned-branch");

    assert.equal(await publicClient.request({ method: "evm_revert" as never, params: [snapshot] as never }), true);
    // The new branch is longer than the orphaned one, so that the node sees it move past its pointer.
    await publicClient.request({ method: "evm_mine" as never });
    await publicClient.request({ method: "evm_mine" as never });
    const replacement = await send(wallets[1], "updateProfile", "ipfs://canonical-branch");
    await node.waitForBlock(Number(replacement));

    const result = await query<{
      one: { metadataURI: string };
      two: { metadataURI: string } | null;
      _meta: { block: { number: number; hash: string } };
    }>(
      node,
      `{
        one: account(id: "${address(wallets[1]).toLowerCase()}") { metadataURI }
        two: account(id: "${address(wallets[2]).toLowerCase()}") { metadataURI }
        _meta { block { number hash } }
      }`,
    );
    assert.equal(result.one.metadataURI, "ipfs://canonical-branch");
    assert.equal(result.two, null, "the executor registered only on the orphaned branch is gone");
    const head = await publicClient.getBlock({ blockNumber: BigInt(result._meta.block.number) });
    assert.equal(result._meta.block.hash, head.hash, "the node stands on the canonical chain");
    await stop(node);
  });

  it("keeps its entities in PostgreSQL when given a database URL", async () => {
    const database = `taskmarket_graph_node_${process.pid}`;
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.query(`CREATE DATABASE ${database}`);
    try {
      const url = `postgres://postgres@127.0.0.1:5432/${database}`;
      const node = await start({ url });
      const head = await publicClient.getBlockNumber();
      await node.waitForBlock(Number(head));
      const data = await query<{ accounts: { id: string; metadataURI: string }[] }>(
        node,
        `{ accounts(where: { isExecutor: true }, orderBy: metadataURI) { id metadataURI } }`,
      );
      assert.deepEqual(
        data.accounts.map((account) => account.metadataURI),
        ["ipfs://canonical-branch", "ipfs://second-profile"],
      );
      await stop(node);

      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const rows = await client.query(
        `SELECT count(*)::int AS n FROM subgraph_taskmarket."Account" WHERE __block_to IS NULL`,
      );
      await client.end();
      assert.ok(rows.rows[0].n >= 2, "the entities are rows of the server's database");
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
  });

  it("stops at once when its chain has gone, instead of waiting out the RPC retries", async () => {
    // A chain of its own, stopped under the node: what happens when `npm start` is interrupted and the chain dies first.
    const doomedChain = await startLocalChain();
    try {
      const doomedDeployment = await deployProtocol(doomedChain.rpcUrl);
      const messages: string[] = [];
      const node = await startGraphNode({
        manifest: MANIFEST,
        deployment: doomedDeployment,
        rpcUrl: doomedChain.rpcUrl,
        database: {},
        port: 0,
        logger: (_level, message) => messages.push(message),
      });
      nodes.push(node);
      await doomedChain.stop();
      const isRetry = (message: string) => message.includes("retrying in");
      const deadline = Date.now() + 30_000;
      while (!messages.some(isRetry)) {
        assert.ok(Date.now() < deadline, `the node never retried: ${messages.join(" | ")}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const loggedBeforeStop = messages.length;
      await stop(node);
      // The backoff in progress is cut short: no further attempt, and no "indexing interrupted" error for a stop.
      assert.deepEqual(messages.slice(loggedBeforeStop).filter(isRetry), []);
      assert.equal(
        messages.some((message) => message.startsWith("Indexing interrupted")),
        false,
      );
    } finally {
      await doomedChain.stop();
    }
  });
});
