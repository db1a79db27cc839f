// Chain data as a JSON-RPC node returns it: hex quantities, untouched. The chain source fetches these and the mapping
// runtime converts them into graph-ts's `ethereum.Block`, `ethereum.Transaction` and `ethereum.Event`; nothing in
// between reinterprets them.
export type Hex = `0x${string}`;

export interface RpcLog {
  address: Hex;
  topics: Hex[];
  data: Hex;
  blockNumber: Hex;
  blockHash: Hex;
  transactionHash: Hex;
  transactionIndex: Hex;
  logIndex: Hex;
  removed?: boolean;
}

export interface RpcTransaction {
  hash: Hex;
  nonce: Hex;
  blockHash: Hex;
  blockNumber: Hex;
  transactionIndex: Hex;
  from: Hex;
  to: Hex | null;
  value: Hex;
  gas: Hex;
  gasPrice?: Hex;
  input: Hex;
}

export interface RpcBlock {
  number: Hex;
  hash: Hex;
  parentHash: Hex;
  sha3Uncles: Hex;
  miner: Hex;
  stateRoot: Hex;
  transactionsRoot: Hex;
  receiptsRoot: Hex;
  gasUsed: Hex;
  gasLimit: Hex;
  timestamp: Hex;
  difficulty?: Hex;
  totalDifficulty?: Hex | null;
  size?: Hex;
  baseFeePerGas?: Hex | null;
  /** Full transaction objects: blocks are always fetched with `eth_getBlockByNumber(n, true)`. */
  transactions: RpcTransaction[];
}

/** A block the subgraph has work in: the block with its transactions, and the matching logs in log-index order. */
export interface ChainBlock {
  block: RpcBlock;
  logs: RpcLog[];
}
