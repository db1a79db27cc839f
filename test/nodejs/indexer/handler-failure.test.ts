// A handler that fails stops indexing at its block, as in graph-node: what came before stays queryable, `_meta`
// reports `hasIndexingErrors`, queries refuse data under the default `subgraphError: deny`, later blocks are not
// indexed, and the failure survives a restart. Driven through the whole node on a real chain, with the runtime's
// fixture subgraph and a contract that emits its events.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";

import hre from "hardhat";
import { createWalletClient, getContract, http, keccak256, toHex, type Address, type PublicClient } from "viem";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";

import { startLocalChain, type LocalChain } from "../../../scripts/local-chain.js";
import { startGraphNode, type GraphNode } from "../../../indexer/node/index.ts";
import { buildRuntimeFixture } from "../../fixtures/indexer/runtime-subgraph/build.ts";

/** graph-node's wording for a query refused because the subgraph failed. */
const INDEXING_ERROR = "indexing_error";

describe("graph node: a failing handler", () => {
  let chain: LocalChain;
  let publicClient: PublicClient;
  let emitter: { address: Address; write: Record<string, (args: readonly unknown[]) => Promise<`0x${string}`>> };
  let manifest: string;
  const dataDir = mkdtempSync(join(tmpdir(), "taskmarket-graph-node-failure-"));
  const nodes: GraphNode[] = [];

  before(async () => {
    // The fixture's second data source imports host functions on purpose to test load-time rejection; the node
    // runs the first one only.
    const built = await buildRuntimeFixture();
    const document = parseYaml(readFileSync(built, "utf8"));
    document.dataSources = document.dataSources.filter((source: { name: string }) => source.name === "RuntimeFixture");
    manifest = join(dirname(built), "subgraph.failure-test.yaml");
    writeFileSync(manifest, stringifyYaml(document));

    chain = await startLocalChain();
    const connection = await hre.network.create({ network: "localhost", override: { url: chain.rpcUrl } });
    publicClient = (await connection.viem.getPublicClient()) as unknown as PublicClient;
    const deployed = await connection.viem.deployContract("RuntimeFixtureEmitter");
    // Writes go through viem's HTTP transport, which retries a request on a connection the chain closed while idle.
    const [sender] = await connection.viem.getWalletClients();
    const walletClient = createWalletClient({
      account: sender.account,
      chain: sender.chain,
      transport: http(chain.rpcUrl),
    });
    emitter = getContract({ address: deployed.address, abi: deployed.abi, client: walletClient }) as never;
  });

  after(async () => {
    for (const node of nodes) await node.stop();
    await chain?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<GraphNode> {
    const node = await startGraphNode({
      manifest,
      overrides: { RuntimeFixture: { address: emitter.address.toLowerCase() as `0x${string}`, startBlock: 0 } },
      rpcUrl: chain.rpcUrl,
      database: { dataDir },
      port: 0,
      logger: () => undefined,
    });
    nodes.push(node);
    return node;
  }

  async function mined(hash: `0x${string}`): Promise<number> {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    assert.equal(receipt.status, "success");
    return Number(receipt.blockNumber);
  }

  async function query(node: GraphNode, text: string): Promise<{ data?: any; errors?: { message: string }[] }> {
    const response = await fetch(node.graphqlUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ query: text }),
    });
    assert.equal(response.status, 200);
    return (await response.json()) as never;
  }

  it("stops at the failing block, keeps what came before, and stays failed across a restart", async () => {
    const parent = keccak256(toHex("parent"));
    const node = await start();
    const good = await mined(await emitter.write.family([parent, 3, 1]));
    await node.waitForBlock(good);

    const failing = await mined(await emitter.write.fail([1, "the deliverable hash does not match"]));
    await assert.rejects(node.waitForBlock(failing, 60_000), /the deliverable hash does not match/);
    const status = node.status();
    assert.equal(status.failed, true);
    assert.equal(status.failure!.block, failing);
    assert.match(status.failure!.message, /handleFailure/);
    assert.equal(status.pointer!.number, failing - 1, "the pointer stays on the block before the failure");

    // Blocks after the failure are not indexed.
    const later = await mined(await emitter.write.family([keccak256(toHex("later")), 1, 0]));
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(node.status().pointer!.number, failing - 1);
    assert.ok(later > failing);

    const meta = await query(node, "{ _meta { hasIndexingErrors block { number } } }");
    assert.equal(meta.data._meta.hasIndexingErrors, true);
    assert.equal(meta.data._meta.block.number, failing - 1);

    const denied = await query(node, "{ parents { id childCount } }");
    assert.ok(
      denied.errors?.some((error) => error.message.includes(INDEXING_ERROR)),
      JSON.stringify(denied),
    );
    const allowed = await query(node, "{ parents(subgraphError: allow) { id childCount } }");
    assert.deepEqual(allowed.data.parents, [{ id: parent, childCount: 3 }]);
    assert.ok(allowed.errors?.some((error) => error.message.includes(INDEXING_ERROR)));

    nodes.splice(nodes.indexOf(node), 1);
    await node.stop();
    const restarted = await start();
    const again = restarted.status();
    assert.equal(again.failed, true);
    assert.equal(again.failure!.block, failing);
    assert.equal(again.pointer!.number, failing - 1);
    await assert.rejects(restarted.waitForBlock(later, 5_000), /the deliverable hash does not match/);
  });
});
