/**
 * A worker thread of the attestation figure: signs attestations with the verification service's `AttestationSigner`
 * as fast as it can. It warms up, reports ready, waits for the start signal (so that every worker measures the same
 * stretch of time), signs for the given duration and reports how many it signed, with a few signed messages for the
 * main thread to check.
 *
 * Only the signer runs here: the messages are built from a small pool of prepared values, as the service builds them
 * from chain reads it has already made.
 */
import { parentPort, workerData } from "node:worker_threads";

import { keccak256, toHex, type Hex, type TypedDataDomain } from "viem";

import { AttestationSigner } from "../../api/src/verification/attestation-signer.ts";
import type { AttestationMessage } from "../../src/protocol/eip712.ts";

export interface AttestationWorkerData {
  privateKey: Hex;
  domain: TypedDataDomain;
  /** Distinguishes the workers' messages. */
  worker: number;
  warmupMs: number;
  durationMs: number;
  /** Int32Array over it: index 0 turns 1 when the measurement starts. */
  start: SharedArrayBuffer;
}

export interface SignedSample {
  message: AttestationMessage;
  signature: Hex;
  digest: Hex;
}

export type AttestationWorkerMessage =
  { type: "ready" } | { type: "done"; signatures: number; elapsedMs: number; samples: SignedSample[] };

const data = workerData as AttestationWorkerData;
const port = parentPort!;
const signer = new AttestationSigner(data.privateKey, data.domain);
const hashes: Hex[] = Array.from({ length: 64 }, (_, index) => keccak256(toHex(`submission ${data.worker} ${index}`)));
const evidence: Hex[] = Array.from({ length: 64 }, (_, index) => keccak256(toHex(`evidence ${data.worker} ${index}`)));
const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);

function message(index: number): AttestationMessage {
  return {
    taskId: BigInt(data.worker * 1_000_000_000 + index + 1),
    milestone: index % 3,
    submissionHash: hashes[index % hashes.length]!,
    reviewDeadline: 1_900_000_000 + (index % 86_400),
    approved: index % 5 !== 0,
    scoreBps: (index * 37) % 10_001,
    methodId: hashes[(index + 7) % hashes.length]!,
    evidenceHash: evidence[index % evidence.length]!,
    deadline,
    nonce: BigInt(index),
  };
}

let index = 0;
const warmupEnd = performance.now() + data.warmupMs;
while (performance.now() < warmupEnd) await signer.sign(message(index++));
port.postMessage({ type: "ready" } satisfies AttestationWorkerMessage);

const start = new Int32Array(data.start);
Atomics.wait(start, 0, 0);

const samples: SignedSample[] = [];
let signatures = 0;
const started = performance.now();
const end = started + data.durationMs;
while (performance.now() < end) {
  const signed = await signer.sign(message(index));
  if (signatures % 997 === 0 && samples.length < 5) samples.push({ message: message(index), ...signed });
  index++;
  signatures++;
}
const elapsedMs = performance.now() - started;
port.postMessage({ type: "done", signatures, elapsedMs, samples } satisfies AttestationWorkerMessage);
