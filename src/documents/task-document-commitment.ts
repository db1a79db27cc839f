/**
 * How a validated task document becomes bytes, the on-chain commitment to those bytes, and their content address.
 *
 * The bytes are the document's RFC 8785 (JSON Canonicalization Scheme) serialization in UTF-8: object keys sorted by
 * UTF-16 code units, no whitespace, strings and numbers in ECMAScript's shortest form. Two parties that hold equal
 * documents, however each was spelled on the wire, derive the same bytes, so the poster, the API, indexers and
 * executors can each recompute the hash and the CID instead of trusting someone else's copy.
 *
 * Two digests of the same bytes serve two readers:
 * - `documentHash`, keccak256, goes into `TaskTerms.documentHash` (a `bytes32`, typed `Hex` in src/protocol/terms.ts).
 *   keccak256 is the hash the EVM computes natively and the one every other commitment in the terms uses
 *   (`capabilitiesHash`, `verifierConfigHash`, the terms digest itself), so a contract, a module or a client with viem
 *   can check a document against a task with the same primitive.
 * - The CID, whose multihash is sha2-256, names the bytes on IPFS: it is what gateways and pinning services verify,
 *   and keccak256 has no place in a default IPFS setup. The raw codec (0x55) makes the CID address exactly the
 *   canonical bytes, not a re-encoding of them, so fetching `ipfs://<cid>` returns the bytes `documentHash` is over.
 *
 * The chain stores only `documentHash`; the URI is merely emitted in `TaskCreated`. Whoever reads a document from its
 * URI must check it against `documentHash` (see `taskDocumentHash`) before relying on it.
 */
import canonicalize from "canonicalize";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import { keccak256, type Hex } from "viem";

import type { JsonValue, TaskDocument } from "./task-document-schema.ts";

/** The RFC 8785 canonical JSON of `value`. Throws on what JSON cannot hold: lone surrogates, NaN, infinities. */
export function canonicalJson(value: JsonValue): string {
  const canonical = canonicalize(value);
  // `canonicalize` returns undefined only for values JSON has no text for (undefined, functions, symbols).
  if (canonical === undefined) throw new TypeError("not a JSON value");
  return canonical;
}

/** The document's canonical JSON: the text that is hashed and stored. */
export function canonicalizeTaskDocument(document: TaskDocument): string {
  return canonicalJson(document as unknown as JsonValue);
}

/** The UTF-8 bytes of the document's canonical JSON. */
export function taskDocumentBytes(document: TaskDocument): Uint8Array {
  return new TextEncoder().encode(canonicalizeTaskDocument(document));
}

/** keccak256 of the canonical bytes: the value of `TaskTerms.documentHash`. */
export function taskDocumentHash(document: TaskDocument): Hex {
  return keccak256(taskDocumentBytes(document));
}

/** The CIDv1 (raw codec, sha2-256, base32) of the canonical bytes, e.g. `bafkrei…`. */
export async function taskDocumentCid(document: TaskDocument): Promise<string> {
  return cidOfBytes(taskDocumentBytes(document));
}

/** `ipfs://<cid>`: the `documentURI` to pass to `createTask` and its variants. */
export async function taskDocumentUri(document: TaskDocument): Promise<string> {
  return `ipfs://${await taskDocumentCid(document)}`;
}

/** Everything `POST /tasks` needs from one serialization of the document. */
export interface TaskDocumentCommitment {
  canonical: string;
  bytes: Uint8Array;
  documentHash: Hex;
  cid: string;
  documentURI: string;
}

export async function commitTaskDocument(document: TaskDocument): Promise<TaskDocumentCommitment> {
  const canonical = canonicalizeTaskDocument(document);
  const bytes = new TextEncoder().encode(canonical);
  const cid = await cidOfBytes(bytes);
  return { canonical, bytes, documentHash: keccak256(bytes), cid, documentURI: `ipfs://${cid}` };
}

async function cidOfBytes(bytes: Uint8Array): Promise<string> {
  // CIDv1 renders in base32 (multibase prefix "b") by default.
  return CID.create(1, raw.code, await sha256.digest(bytes)).toString();
}
