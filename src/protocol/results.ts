// How content is named on-chain: the hash an executor passes as `resultHash` to `submit` (and a progress report's or a
// reason's hash), which the verification service recomputes from the output it is sent. The market stores the result
// hash as `submissionOf(taskId)` for a task with a delegated verifier, so everyone who checks a result must hash it by
// the same convention:
// - a JSON value: keccak256 of the UTF-8 bytes of its RFC 8785 canonical JSON (the canonical form of task documents),
//   so that every party holding an equal value derives the same hash however it was spelled on the wire;
// - text: keccak256 of its UTF-8 bytes;
// - raw bytes (sent in hex or base64): keccak256 of the bytes.
import { bytesToHex, hexToBytes, isHex, keccak256, type Hex } from "viem";

import { canonicalJson } from "../documents/task-document-commitment.ts";
import type { JsonValue } from "../documents/task-document-schema.ts";

/** An output as it is sent to be checked (`POST /verify`), with how its hashed bytes are to be read from `value`. */
export type SubmittedOutput =
  | { encoding: "json"; value: JsonValue }
  | { encoding: "text"; value: string }
  | { encoding: "hex"; value: Hex }
  | { encoding: "base64"; value: string };

export type OutputEncoding = SubmittedOutput["encoding"];

/** An output whose `value` has no bytes under its `encoding`. */
export class InvalidOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidOutputError";
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The UTF-8 bytes of the RFC 8785 canonical JSON of `value`. Throws on what JSON cannot hold. */
export function canonicalJsonBytes(value: JsonValue): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}

/** The bytes an output's hash is taken over. Throws `InvalidOutputError` for an output that has no such bytes. */
export function outputBytes(output: SubmittedOutput): Uint8Array {
  switch (output.encoding) {
    case "json":
      try {
        return canonicalJsonBytes(output.value);
      } catch (error) {
        throw new InvalidOutputError(`output.value has no canonical JSON form: ${messageOf(error)}.`);
      }
    case "text":
      if (LONE_SURROGATE.test(output.value)) {
        throw new InvalidOutputError("output.value holds a lone surrogate, which has no UTF-8 encoding.");
      }
      return new TextEncoder().encode(output.value);
    case "hex":
      if (!isHex(output.value, { strict: true }) || output.value.length % 2 !== 0) {
        throw new InvalidOutputError("output.value must be 0x followed by an even number of hex digits.");
      }
      return hexToBytes(output.value);
    case "base64":
      if (!BASE64.test(output.value)) {
        throw new InvalidOutputError("output.value must be padded standard base64 (RFC 4648 §4).");
      }
      // `atob` rather than Node's Buffer, so that browsers can hash outputs too; the pattern above admits only
      // padded standard base64, which both decode alike.
      return Uint8Array.from(atob(output.value), (character) => character.charCodeAt(0));
  }
}

/** keccak256 of `outputBytes(output)`: the `resultHash` an executor submits for it. */
export function outputHash(output: SubmittedOutput): Hex {
  return keccak256(outputBytes(output));
}

/**
 * The hash of `content` by the convention above: raw bytes as they are, any other value as JSON. A string is JSON
 * too: pass `hexToBytes(…)` or `stringToBytes(…)` to hash a hex or text payload as raw bytes.
 */
export function contentHash(content: JsonValue | Uint8Array): Hex {
  return keccak256(content instanceof Uint8Array ? content : canonicalJsonBytes(content));
}

/** The `SubmittedOutput` that hashes as `contentHash(content)` does: JSON as JSON, bytes as hex. */
export function submittedOutput(content: JsonValue | Uint8Array): SubmittedOutput {
  return content instanceof Uint8Array
    ? { encoding: "hex", value: bytesToHex(content) }
    : { encoding: "json", value: content };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? ((error as { shortMessage?: string }).shortMessage ?? error.message) : String(error);
}
