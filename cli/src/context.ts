// Where the command line talks to, and as whom. Configuration comes from flags and the environment; the signing key
// comes from the environment only (TASKMARKET_PRIVATE_KEY), never from a flag, which any user of the machine could read
// in the process list or the shell's history, and it never leaves this process: the API prepares transactions, this
// process signs them, and the chain's RPC endpoint receives them signed.
//
// With an API configured, reads and writes go through it (writes as the transactions it prepares); without one, the
// SDK's direct client drives the contracts, with the addresses of a deployment record. Calls only the direct client
// makes (verification modules, task history) find the addresses in the deployment record when one is given, or else
// ask the API: `GET /verify/methods` names the modules and the chain, each module names its market, and the market
// names its executor registry.
import { existsSync } from "node:fs";
import { resolve } from "node:path";

import {
  createPublicClient,
  createWalletClient,
  getAddress,
  http,
  isAddress,
  type Account,
  type Address,
  type EIP1193RequestFn,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";

import { LOCAL_DEPLOYMENT_PATH, readDeployment, type Deployment } from "../../scripts/deployment.ts";
import {
  PROTOCOL_ABIS,
  TaskMarket,
  TaskMarketApi,
  type SentPreparedTransaction,
  type TaskMarketAddresses,
} from "../../sdk/src/index.ts";
import { UsageError } from "./failures.ts";
import { Output } from "./output.ts";

/** The environment variables the command line reads. */
export const ENVIRONMENT = {
  apiUrl: "TASKMARKET_API_URL",
  apiKey: "TASKMARKET_API_KEY",
  rpcUrl: "TASKMARKET_RPC_URL",
  privateKey: "TASKMARKET_PRIVATE_KEY",
  deployment: "TASKMARKET_DEPLOYMENT",
  indexTimeout: "TASKMARKET_INDEX_TIMEOUT",
} as const;

/** The options every command takes. */
export interface GlobalOptions {
  apiUrl?: string;
  rpcUrl?: string;
  deployment?: string;
  direct?: boolean;
  json?: boolean;
  quiet?: boolean;
  /** `--no-wait-index` sets it to false. */
  waitIndex?: boolean;
}

/** How long writes wait for the API's indexer to reach their block, by default. */
const DEFAULT_INDEX_TIMEOUT_SECONDS = 60;

export class Context {
  readonly output: Output;
  readonly #options: GlobalOptions;
  readonly #environment: NodeJS.ProcessEnv;
  #api: TaskMarketApi | undefined;
  #deployment: Deployment | null | undefined;
  #publicClient: PublicClient | undefined;
  #account: Account | undefined;
  #walletClient: (WalletClient & { account: Account }) | undefined;
  #market: Promise<TaskMarket> | undefined;

  constructor(options: GlobalOptions, environment: NodeJS.ProcessEnv = process.env) {
    this.#options = options;
    this.#environment = environment;
    this.output = new Output({ json: options.json === true, quiet: options.quiet === true });
  }

  /*//////////////////////////////////////////////////////////////
                              THE API
  //////////////////////////////////////////////////////////////*/

  get apiUrl(): string | undefined {
    const url = this.#options.apiUrl ?? nonEmpty(this.#environment[ENVIRONMENT.apiUrl]);
    if (url !== undefined && !isHttpUrl(url)) {
      throw new UsageError(`The API URL must be an http(s) URL, got "${url}" (--api-url or ${ENVIRONMENT.apiUrl}).`);
    }
    return url;
  }

  /** Whether writes go through the API's prepared transactions. */
  get throughApi(): boolean {
    return this.apiUrl !== undefined && this.#options.direct !== true;
  }

  /** The API client; `purpose` says in the error what needs it when no API is configured. */
  api(purpose: string): TaskMarketApi {
    const baseUrl = this.apiUrl;
    if (baseUrl === undefined) {
      throw new UsageError(`${purpose} needs the TaskMarket API: set ${ENVIRONMENT.apiUrl} or pass --api-url.`);
    }
    this.#api ??= new TaskMarketApi({ baseUrl, apiKey: nonEmpty(this.#environment[ENVIRONMENT.apiKey]) });
    return this.#api;
  }

  /** The API client with an API key, for the routes that need one. */
  apiWithKey(purpose: string): TaskMarketApi {
    const api = this.api(purpose);
    if (nonEmpty(this.#environment[ENVIRONMENT.apiKey]) === undefined) {
      throw new UsageError(
        `${purpose} needs an API key: set ${ENVIRONMENT.apiKey} (an operator makes one with ` +
          "`npm run api -- keys create`).",
      );
    }
    return api;
  }

  /*//////////////////////////////////////////////////////////////
                              THE CHAIN
  //////////////////////////////////////////////////////////////*/

  /**
   * The deployment record: `--deployment` or TASKMARKET_DEPLOYMENT when given; without an API, the local one that
   * `npm start` writes; with an API, none (its addresses come from the API).
   */
  get deployment(): Deployment | undefined {
    if (this.#deployment === undefined) this.#deployment = this.#readDeployment() ?? null;
    return this.#deployment ?? undefined;
  }

  #readDeployment(): Deployment | undefined {
    const given = this.#options.deployment ?? nonEmpty(this.#environment[ENVIRONMENT.deployment]);
    if (given === undefined && this.apiUrl !== undefined) return undefined;
    if (given === undefined && !existsSync(LOCAL_DEPLOYMENT_PATH)) {
      throw new UsageError(
        `No API and no deployment record: set ${ENVIRONMENT.apiUrl}, or pass --deployment deployments/<network>.json ` +
          "(`npm start` writes deployments/localhost.json for the local marketplace).",
      );
    }
    try {
      return readDeployment(given === undefined ? LOCAL_DEPLOYMENT_PATH : resolve(given));
    } catch (error) {
      // A missing or malformed record is a configuration mistake; the reader's message says what to do.
      throw new UsageError((error as Error).message);
    }
  }

  /**
   * The deployment record, for calls to contracts the API does not name: the assignment modules (an auction, the
   * application board, the gated claim), whose addresses only a deployment record gives.
   */
  deploymentFor(purpose: string): Deployment {
    const deployment = this.deployment;
    if (deployment === undefined) {
      throw new UsageError(
        `${purpose} goes to the assignment modules, whose addresses only a deployment record names: pass ` +
          `--deployment deployments/<network>.json or set ${ENVIRONMENT.deployment}.`,
      );
    }
    return deployment;
  }

  get rpcUrl(): string {
    const url = this.#options.rpcUrl ?? nonEmpty(this.#environment[ENVIRONMENT.rpcUrl]) ?? this.deployment?.rpcUrl;
    if (url === undefined) {
      throw new UsageError(
        `No chain RPC endpoint: set ${ENVIRONMENT.rpcUrl} or pass --rpc-url (or --deployment, whose rpcUrl is used).`,
      );
    }
    if (!isHttpUrl(url)) throw new UsageError(`The RPC URL must be an http(s) URL, got "${url}".`);
    return url;
  }

  get publicClient(): PublicClient {
    this.#publicClient ??= createPublicClient({ transport: http(this.rpcUrl), pollingInterval: 250 }) as PublicClient;
    return this.#publicClient;
  }

  /** The signing account, from TASKMARKET_PRIVATE_KEY. */
  get account(): Account {
    if (this.#account === undefined) {
      const key = nonEmpty(this.#environment[ENVIRONMENT.privateKey]);
      if (key === undefined) {
        throw new UsageError(
          `This command signs transactions: set ${ENVIRONMENT.privateKey} to the signing account's private key ` +
            "(it is read from the environment only, never from a flag).",
        );
      }
      const normalized = key.startsWith("0x") ? key : `0x${key}`;
      // The key itself never appears in a message.
      if (!/^0x[0-9a-fA-F]{64}$/.test(normalized)) {
        throw new UsageError(`${ENVIRONMENT.privateKey} is not a private key: it must be 32 bytes in hex.`);
      }
      this.#account = privateKeyToAccount(normalized as `0x${string}`);
    }
    return this.#account;
  }

  /** Whether a signing key is configured (reads work without one). */
  get hasSigner(): boolean {
    return nonEmpty(this.#environment[ENVIRONMENT.privateKey]) !== undefined;
  }

  /** The signer's address, or the address given instead for reads about an account. */
  addressOr(given: string | undefined, what: string): Address {
    if (given !== undefined) return parseAddress(given, what);
    if (!this.hasSigner) {
      throw new UsageError(`Name the ${what}'s address, or set ${ENVIRONMENT.privateKey} to use the signer's.`);
    }
    return this.account.address;
  }

  /** The wallet that signs; its transport reports each transaction it sends. */
  get walletClient(): WalletClient & { account: Account } {
    this.#walletClient ??= createWalletClient({
      account: this.account,
      transport: reportingTransport(http(this.rpcUrl), (hash) => {
        this.output.progress(`sent ${hash}`);
        this.output.progress("waiting for 1 confirmation");
      }),
      pollingInterval: 250,
    }) as WalletClient & { account: Account };
    return this.#walletClient;
  }

  /** The direct client: signing when a key is set, read-only otherwise. */
  market(): Promise<TaskMarket> {
    this.#market ??= this.#openMarket();
    return this.#market;
  }

  async #openMarket(): Promise<TaskMarket> {
    const walletClient = this.hasSigner ? this.walletClient : undefined;
    const common = { publicClient: this.publicClient, pollingInterval: 250, ...(walletClient ? { walletClient } : {}) };
    const deployment = this.deployment;
    if (deployment !== undefined) return new TaskMarket({ ...common, deployment });
    const { addresses, chainId } = await this.#addressesFromApi();
    return new TaskMarket({ ...common, addresses, chainId });
  }

  async #addressesFromApi(): Promise<{ addresses: TaskMarketAddresses; chainId: number }> {
    const { service, methods } = await this.api("Finding the protocol's contracts").verificationMethods();
    const module = (id: string) => {
      const found = methods.find((method) => method.id === id);
      if (found === undefined || !isAddress(found.module)) {
        throw new Error(`The API does not name the ${id} module's address.`);
      }
      return getAddress(found.module);
    };
    const reviewModule = module("review");
    const taskMarket = await this.publicClient.readContract({
      address: reviewModule,
      abi: PROTOCOL_ABIS.reviewModule,
      functionName: "market",
    });
    const executorRegistry = await this.publicClient.readContract({
      address: taskMarket,
      abi: PROTOCOL_ABIS.taskMarket,
      functionName: "executorRegistry",
    });
    const chainId = Number(service.domain.chainId);
    if (!Number.isSafeInteger(chainId) || chainId <= 0) throw new Error("The API does not name its chain.");
    return {
      chainId,
      addresses: {
        taskMarket,
        executorRegistry,
        reviewModule,
        attestationModule: module("attestation"),
        optimisticModule: module("optimistic"),
        proofModule: module("proof"),
      },
    };
  }

  /*//////////////////////////////////////////////////////////////
                              PROGRESS
  //////////////////////////////////////////////////////////////*/

  /** Reports a mined prepared transaction. */
  mined = (sent: SentPreparedTransaction): void => {
    this.output.progress(`mined in block ${sent.receipt.blockNumber}: ${sent.transaction.description}`);
  };

  /**
   * Waits until the API's indexer has reached `blockNumber`, so that the next read through the API sees the write.
   * Without an API, or with `--no-wait-index`, it returns at once; a wait that times out is a warning, not a failure:
   * the transaction is mined whatever the indexer does.
   */
  async waitForIndexer(blockNumber: bigint): Promise<boolean> {
    if (this.apiUrl === undefined || this.#options.waitIndex === false) return false;
    const api = this.api("Waiting for the indexer");
    const timeoutSeconds = Number(this.#environment[ENVIRONMENT.indexTimeout] ?? DEFAULT_INDEX_TIMEOUT_SECONDS);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) {
      throw new UsageError(`${ENVIRONMENT.indexTimeout} must be a number of seconds.`);
    }
    const deadline = Date.now() + timeoutSeconds * 1000;
    this.output.progress(`waiting for the indexer to reach block ${blockNumber}`);
    for (;;) {
      const { block } = await api.searchTasks({ first: 1 });
      if (block.indexed !== null && BigInt(block.indexed.number) >= blockNumber) {
        this.output.progress(`indexed (block ${block.indexed.number})`);
        return true;
      }
      if (Date.now() >= deadline) {
        this.output.warn(
          `the indexer has not reached block ${blockNumber} after ${timeoutSeconds} s; the transaction is mined, ` +
            "but reads through the API may not show it yet",
        );
        return false;
      }
      await new Promise((resolveWait) => setTimeout(resolveWait, 250));
    }
  }
}

/** A transport that calls `onSent` with the hash of each transaction it sends, as soon as the node accepts it. */
function reportingTransport(transport: Transport, onSent: (hash: string) => void): Transport {
  return (parameters) => {
    const inner = transport(parameters);
    const request = (async (arguments_, options) => {
      const result = await inner.request(arguments_, options);
      if (arguments_.method === "eth_sendRawTransaction" || arguments_.method === "eth_sendTransaction") {
        onSent(String(result));
      }
      return result;
    }) as EIP1193RequestFn;
    return { ...inner, request };
  };
}

export function parseAddress(value: string, what: string): Address {
  if (!isAddress(value, { strict: false }))
    throw new UsageError(`The ${what} must be an address (0x…), got "${value}".`);
  return getAddress(value);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}
