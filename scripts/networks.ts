// The public chains TaskMarket knows how to deploy to: one row per chain, read by hardhat.config.ts (its networks) and
// by `npm run deploy` (the chain id to expect, the public RPC URL to record, the chain's name in a subgraph manifest).
// Any other EVM chain is reached through the generic `custom` network.
//
// Erasable TypeScript with no relative imports: hardhat.config.ts imports it, and so can plain Node 22.

/** The configuration variable that holds the deploying account's private key, on every network. */
export const DEPLOYER_KEY_VARIABLE = "DEPLOYER_PRIVATE_KEY";

/** The configuration variable that holds the block explorers' (Etherscan's) API key. */
export const ETHERSCAN_KEY_VARIABLE = "ETHERSCAN_API_KEY";

/** The Hardhat network that reaches any other EVM chain, through `CUSTOM_RPC_URL`. */
export const CUSTOM_NETWORK = "custom";
export const CUSTOM_RPC_URL_VARIABLE = "CUSTOM_RPC_URL";

export interface PublicNetwork {
  /** The Hardhat network name (`--network`), and by default the deployment's name (`deployments/<name>.json`). */
  name: string;
  chainId: number;
  /** Hardhat's chain type: `op` for OP Stack chains (their L1 data fee), `l1` or `generic` otherwise. */
  chainType: "l1" | "op" | "generic";
  /**
   * The configuration variable holding the JSON-RPC URL the deployment sends through. A provider's URL usually carries
   * an API key, so it lives in the keystore or the environment, never in a file.
   */
  rpcUrlVariable: string;
  /**
   * The chain's public JSON-RPC endpoint, written into the committed deployment record as `rpcUrl` in place of the
   * URL above, which may carry a key. Readers override it (`TASKMARKET_RPC_URL`) with a provider of their own.
   */
  publicRpcUrl: string;
  /** The chain's name in a subgraph manifest, as The Graph knows it. */
  graphNetwork: string;
  testnet: boolean;
}

export const PUBLIC_NETWORKS: readonly PublicNetwork[] = [
  {
    name: "mainnet",
    chainId: 1,
    chainType: "l1",
    rpcUrlVariable: "MAINNET_RPC_URL",
    publicRpcUrl: "https://ethereum-rpc.publicnode.com",
    graphNetwork: "mainnet",
    testnet: false,
  },
  {
    name: "sepolia",
    chainId: 11155111,
    chainType: "l1",
    rpcUrlVariable: "SEPOLIA_RPC_URL",
    publicRpcUrl: "https://ethereum-sepolia-rpc.publicnode.com",
    graphNetwork: "sepolia",
    testnet: true,
  },
  {
    name: "base",
    chainId: 8453,
    chainType: "op",
    rpcUrlVariable: "BASE_RPC_URL",
    publicRpcUrl: "https://mainnet.base.org",
    graphNetwork: "base",
    testnet: false,
  },
  {
    name: "base-sepolia",
    chainId: 84532,
    chainType: "op",
    rpcUrlVariable: "BASE_SEPOLIA_RPC_URL",
    publicRpcUrl: "https://sepolia.base.org",
    graphNetwork: "base-sepolia",
    testnet: true,
  },
  {
    name: "optimism",
    chainId: 10,
    chainType: "op",
    rpcUrlVariable: "OPTIMISM_RPC_URL",
    publicRpcUrl: "https://mainnet.optimism.io",
    graphNetwork: "optimism",
    testnet: false,
  },
  {
    name: "optimism-sepolia",
    chainId: 11155420,
    chainType: "op",
    rpcUrlVariable: "OPTIMISM_SEPOLIA_RPC_URL",
    publicRpcUrl: "https://sepolia.optimism.io",
    graphNetwork: "optimism-sepolia",
    testnet: true,
  },
  {
    name: "arbitrum-one",
    chainId: 42161,
    chainType: "generic",
    rpcUrlVariable: "ARBITRUM_ONE_RPC_URL",
    publicRpcUrl: "https://arb1.arbitrum.io/rpc",
    graphNetwork: "arbitrum-one",
    testnet: false,
  },
  {
    name: "arbitrum-sepolia",
    chainId: 421614,
    chainType: "generic",
    rpcUrlVariable: "ARBITRUM_SEPOLIA_RPC_URL",
    publicRpcUrl: "https://sepolia-rollup.arbitrum.io/rpc",
    graphNetwork: "arbitrum-sepolia",
    testnet: true,
  },
  {
    name: "polygon",
    chainId: 137,
    chainType: "generic",
    rpcUrlVariable: "POLYGON_RPC_URL",
    publicRpcUrl: "https://polygon-rpc.com",
    graphNetwork: "matic",
    testnet: false,
  },
  {
    name: "polygon-amoy",
    chainId: 80002,
    chainType: "generic",
    rpcUrlVariable: "POLYGON_AMOY_RPC_URL",
    publicRpcUrl: "https://rpc-amoy.polygon.technology",
    graphNetwork: "polygon-amoy",
    testnet: true,
  },
];

/** The known network of that Hardhat name, if any. */
export function publicNetworkByName(name: string): PublicNetwork | undefined {
  return PUBLIC_NETWORKS.find((network) => network.name === name);
}

/** The known network of that chain id, if any. */
export function publicNetworkByChainId(chainId: number): PublicNetwork | undefined {
  return PUBLIC_NETWORKS.find((network) => network.chainId === chainId);
}
