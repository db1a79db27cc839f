// Whether block headers form one chain: each header's parent hash is the hash of the block right before it. The
// indexer stores the hash of every block it indexed; a header whose parent hash differs from the stored one means the
// chain reorganised under the indexer, and the indexer must go back to the last block both agree on.
import type { BlockHeader, BlockPointer } from "../store/types.ts";

/** A header does not follow the block the indexer holds before it. */
export class ChainDiscontinuity extends Error {
  override name = "ChainDiscontinuity";
  /** The header that does not link. */
  readonly block: number;
  /** The hash the indexer holds for the block before it. */
  readonly expectedParentHash: string;
  /** The parent hash the header carries. */
  readonly actualParentHash: string;

  constructor(block: number, expectedParentHash: string, actualParentHash: string) {
    super(
      `Block ${block} does not follow the indexed block ${block - 1}: its parent hash is ${actualParentHash}, the indexed block's hash is ${expectedParentHash}.`,
    );
    this.block = block;
    this.expectedParentHash = expectedParentHash;
    this.actualParentHash = actualParentHash;
  }
}

/** Whether `child` is the block right after `parent` on the same chain (hashes compared without regard to case). */
export function linksTo(child: BlockHeader, parent: BlockPointer): boolean {
  return child.number === parent.number + 1 && child.parentHash.toLowerCase() === parent.hash.toLowerCase();
}

/**
 * Throws a {@link ChainDiscontinuity} unless `child` follows `parent`. `child` must be the block numbered right after
 * `parent`: comparing headers that are not neighbours is a caller's mistake, not a reorg.
 */
export function assertLinks(child: BlockHeader, parent: BlockPointer): void {
  if (child.number !== parent.number + 1) {
    throw new Error(`Block ${child.number} cannot be checked against block ${parent.number}: they are not neighbours.`);
  }
  if (!linksTo(child, parent)) throw new ChainDiscontinuity(child.number, parent.hash, child.parentHash);
}

/**
 * The index of the first header in `headers` (consecutive block numbers, ascending) that does not follow the one
 * before it, the first checked against `parent` when given; -1 when they all link.
 */
export function firstBreak(headers: readonly BlockHeader[], parent?: BlockPointer): number {
  let previous = parent;
  for (let index = 0; index < headers.length; index++) {
    const header = headers[index];
    if (previous !== undefined) {
      if (header.number !== previous.number + 1) {
        throw new Error(`The headers are not consecutive: block ${header.number} follows block ${previous.number}.`);
      }
      if (!linksTo(header, previous)) return index;
    }
    previous = header;
  }
  return -1;
}
