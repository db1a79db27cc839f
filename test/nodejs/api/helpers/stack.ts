// A whole TaskMarket stack for the API's integration tests, all of it real: a `hardhat node` on a free port with the
// protocol deployed, the embedded graph node indexing it from an in-memory PGlite, and the API's services (in-memory
// PGlite too) with the Hono app, called in process through `app.request` or served on 127.0.0.1 when `serve` is set.
// `stop()` stops each part by its own handle, the chain by its PID.
import { join } from "node:path";

import {
  createPublicClient,
  createWalletClient,
  http,
  type Account,
  type Address,
  type Hash,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";

import { createApp, type ApiApp } from "../../../../api/src/app.ts";
import { readApiConfig, type ApiConfig } from "../../../../api/src/config.ts";
import type { PreparedTransaction } from "../../../../api/src/schemas.ts";
import { serveApi, type RunningApi } from "../../../../api/src/server.ts";
import { openServices, silentLogger, type ApiServices } from "../../../../api/src/services.ts";
import { startGraphNode, type GraphNode } from "../../../../indexer/node/index.ts";
import { deployProtocol } from "../../../../scripts/deploy-protocol.js";
import type { Deployment } from "../../../../scripts/deployment.js";
import { DEV_MNEMONIC, startLocalChain, type LocalChain } from "../../../../scripts/local-chain.js";

export { DEV_MNEMONIC, devPrivateKey } from "../../../../scripts/local-chain.js";

export const MANIFEST = join(import.meta.dirname, "..", "..", "..", "..", "indexer", "build", "subgraph.yaml");

/** Dev accounts the deployment leaves alone (0 deploys and owns, 1 takes fees, 17–19 are the arbiters). */
export const ACCOUNT_INDEX = { poster: 2, human: 3, agent: 4, operator: 5, verifier: 6, other: 7 } as const;
export type Role = keyof typeof ACCOUNT_INDEX;

export function devAccount(index: number): Account {
  return mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index });
}

export interface Stack {
  chain: LocalChain;
  deployment: Deployment;
  graphNode: GraphNode;
  services: ApiServices;
  app: ApiApp;
  config: ApiConfig;
  publicClient: PublicClient;
  wallets: Record<Role, WalletClient & { account: Account }>;
  /** Served on 127.0.0.1 when `serve` was set. */
  server?: RunningApi;
  /** Signs `prepared` with `role`'s key, sends it, waits for the receipt and fails loudly on a revert. */
  send(role: Role, prepared: PreparedTransaction): Promise<TransactionReceipt>;
  /** Waits until the graph node has indexed the block of `receipt` (or `blockNumber`). */
  indexed(receiptOrBlock: TransactionReceipt | bigint | number): Promise<void>;
  /** `app.request` with a JSON body. */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Overrides of the API configuration (the environment is not read). */
  config?: Partial<ApiConfig>;
  serve?: boolean;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const chain = await startLocalChain();
    stops.push(() => chain.stop());
    const deployment = await deployProtocol(chain.rpcUrl);
    const graphNode = await startGraphNode({
      manifest: MANIFEST,
      deployment,
      rpcUrl: chain.rpcUrl,
      database: {},
      port: 0,
      pollIntervalMs: 50,
      logger: () => undefined,
    });
    stops.push(() => graphNode.stop());
    const config = readApiConfig(
      {},
      {
        port: 0,
        subgraphUrl: graphNode.graphqlUrl,
        rpcUrl: chain.rpcUrl,
        database: {},
        upstreamTimeoutMs: 10_000,
        ...options.config,
      },
    );
    const services = await openServices(config, { deployment, log: silentLogger });
    let server: RunningApi | undefined;
    if (options.serve) {
      server = await serveApi(services, { host: "127.0.0.1", port: 0 });
      stops.push(() => server!.stop());
    } else {
      stops.push(() => services.close());
    }
    const app = server?.app ?? createApp(services);
    const transport = http(chain.rpcUrl);
    const publicClient = createPublicClient({ transport }) as PublicClient;
    const wallets = Object.fromEntries(
      Object.entries(ACCOUNT_INDEX).map(([role, index]) => [
        role,
        createWalletClient({ account: devAccount(index), transport }),
      ]),
    ) as Stack["wallets"];

    return {
      chain,
      deployment,
      graphNode,
      services,
      app,
      config,
      publicClient,
      wallets,
      server,
      async send(role, prepared) {
        const wallet = wallets[role];
        const hash: Hash = await wallet.sendTransaction({
          chain: null,
          account: wallet.account,
          to: prepared.to,
          data: prepared.data,
          value: BigInt(prepared.value),
        });
        const receipt = await publicClient.waitForTransactionReceipt({ hash });
        if (receipt.status !== "success") throw new Error(`${prepared.description}: reverted (${hash})`);
        return receipt;
      },
      async indexed(receiptOrBlock) {
        const block =
          typeof receiptOrBlock === "object" ? receiptOrBlock.blockNumber : BigInt(receiptOrBlock as number | bigint);
        await graphNode.waitForBlock(Number(block), 30_000);
      },
      request(method, path, body, headers = {}) {
        return Promise.resolve(
          app.request(path, {
            method,
            headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
            body: body === undefined ? undefined : JSON.stringify(body),
          }),
        );
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

export const ZERO_ADDRESS: Address = "0x0000000000000000000000000000000000000000";
