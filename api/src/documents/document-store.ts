// Task documents, content-addressed: stored under their keccak256 commitment (what the chain holds) with the `ipfs://`
// CID computed from the same canonical bytes, and pinned to an IPFS HTTP API when one is configured. The columns beside
// the document are what search filters on without parsing JSON per row; `search` is the full-text vector over what a
// person or an agent would search for.
import type { Hex } from "viem";

import type { Database } from "../store/api-database.ts";
import { API_SCHEMA } from "../store/api-database.ts";
import type { Logger } from "../services.ts";
import type { TaskDocumentCommitment } from "../../../src/documents/task-document-commitment.ts";
import type { TaskDocument } from "../../../src/documents/task-document-schema.ts";

export interface StoredDocument {
  documentHash: Hex;
  documentURI: string;
  document: TaskDocument;
  pinned: boolean;
  createdAt: Date;
}

/** The words a document is found by: its objective, category, tags, capabilities and the deliverables of milestones. */
function searchText(document: TaskDocument): { weighted: [string, "A" | "B" | "C"][] } {
  return {
    weighted: [
      [document.objective, "A"],
      [[document.metadata.category, ...(document.metadata.tags ?? [])].join(" "), "B"],
      [
        [
          ...(document.execution_requirements.required_capabilities ?? []),
          ...(document.compensation.milestones ?? []).map((milestone) => milestone.deliverable),
        ].join(" "),
        "C",
      ],
    ],
  };
}

/**
 * How many times documents were stored in each database through a DocumentStore of this process. What is derived
 * from the documents a database holds (search matches) stays valid while this count does not move, provided this
 * process is the only one that writes them: true of PGlite, which one process opens at a time.
 */
const storedCounts = new WeakMap<Database, number>();

export function documentsStoredCount(db: Database): number {
  return storedCounts.get(db) ?? 0;
}

export class DocumentStore {
  readonly #db: Database;
  readonly #ipfsApiUrl: string | undefined;
  readonly #log: Logger;

  constructor(db: Database, options: { ipfsApiUrl?: string; log: Logger }) {
    this.#db = db;
    this.#ipfsApiUrl = options.ipfsApiUrl;
    this.#log = options.log;
  }

  /**
   * Stores a valid document under its commitment; storing the same document again changes nothing. Pins it when an
   * IPFS API is configured: a pinning failure is logged and leaves `pinned` false, the document is still served here.
   */
  async put(document: TaskDocument, commitment: TaskDocumentCommitment): Promise<StoredDocument> {
    const { weighted } = searchText(document);
    const vector = weighted.map(
      (_, index) => `setweight(to_tsvector('simple', $${11 + index}), '${weighted[index]![1]}')`,
    );
    const rows = await this.#db.query<{ created_at: Date; pinned: boolean }>(
      `INSERT INTO ${API_SCHEMA}.documents
         (hash, uri, canonical, document, category, tags, capabilities, executor_kind, token, reward, claim_deadline,
          search)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10::numeric, $${11 + weighted.length},
               ${vector.join(" || ")})
       ON CONFLICT (hash) DO UPDATE SET hash = EXCLUDED.hash
       RETURNING created_at, pinned`,
      [
        commitment.documentHash,
        commitment.documentURI,
        commitment.canonical,
        commitment.canonical,
        document.metadata.category,
        document.metadata.tags ?? [],
        document.execution_requirements.required_capabilities ?? [],
        document.execution_requirements.executor_kind,
        document.compensation.token,
        document.compensation.reward,
        ...weighted.map(([text]) => text),
        document.execution_requirements.claim_deadline === undefined
          ? null
          : Math.floor(Date.parse(document.execution_requirements.claim_deadline) / 1000),
      ],
    );
    storedCounts.set(this.#db, documentsStoredCount(this.#db) + 1);
    let pinned = rows[0]!.pinned;
    if (!pinned && this.#ipfsApiUrl !== undefined) {
      pinned = await this.#pin(commitment);
      if (pinned) {
        await this.#db.query(`UPDATE ${API_SCHEMA}.documents SET pinned = true WHERE hash = $1`, [
          commitment.documentHash,
        ]);
      }
    }
    return {
      documentHash: commitment.documentHash,
      documentURI: commitment.documentURI,
      document,
      pinned,
      createdAt: rows[0]!.created_at,
    };
  }

  async get(documentHash: Hex): Promise<StoredDocument | undefined> {
    const [row] = await this.#db.query<{ uri: string; canonical: string; pinned: boolean; created_at: Date }>(
      `SELECT uri, canonical, pinned, created_at FROM ${API_SCHEMA}.documents WHERE hash = $1`,
      [documentHash.toLowerCase()],
    );
    if (!row) return undefined;
    return {
      documentHash: documentHash.toLowerCase() as Hex,
      documentURI: row.uri,
      // The canonical text, not the jsonb column: jsonb does not keep the key order the hash was taken over.
      document: JSON.parse(row.canonical) as TaskDocument,
      pinned: row.pinned,
      createdAt: row.created_at,
    };
  }

  /** The documents among `documentHashes` that this API stores, by hash (for list reads). */
  async getMany(documentHashes: readonly Hex[]): Promise<Map<Hex, StoredDocument>> {
    const found = new Map<Hex, StoredDocument>();
    if (documentHashes.length === 0) return found;
    const rows = await this.#db.query<{ hash: Hex; uri: string; canonical: string; pinned: boolean; created_at: Date }>(
      `SELECT hash, uri, canonical, pinned, created_at FROM ${API_SCHEMA}.documents WHERE hash = ANY($1::text[])`,
      [documentHashes.map((hash) => hash.toLowerCase())],
    );
    for (const row of rows) {
      found.set(row.hash, {
        documentHash: row.hash,
        documentURI: row.uri,
        document: JSON.parse(row.canonical) as TaskDocument,
        pinned: row.pinned,
        createdAt: row.created_at,
      });
    }
    return found;
  }

  /** Adds the canonical bytes to IPFS through Kubo's HTTP API with the CID options that reproduce our CID. */
  async #pin(commitment: TaskDocumentCommitment): Promise<boolean> {
    const url = new URL("api/v0/add", this.#ipfsApiUrl!.endsWith("/") ? this.#ipfsApiUrl : `${this.#ipfsApiUrl}/`);
    url.search = new URLSearchParams({
      "cid-version": "1",
      "raw-leaves": "true",
      hash: "sha2-256",
      pin: "true",
    }).toString();
    const form = new FormData();
    form.append("file", new Blob([commitment.bytes as Uint8Array<ArrayBuffer>]), commitment.cid);
    try {
      const response = await fetch(url, { method: "POST", body: form, signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const { Hash: cid } = (await response.json()) as { Hash?: string };
      if (cid !== commitment.cid) throw new Error(`IPFS stored the document as ${cid}, expected ${commitment.cid}`);
      return true;
    } catch (error) {
      this.#log.warn("pinning a task document failed", {
        documentHash: commitment.documentHash,
        error: (error as Error).message,
      });
      return false;
    }
  }
}
