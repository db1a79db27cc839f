/**
 * Signed attestations per second: the verification service's `AttestationSigner` in worker threads, one per core by
 * default, all signing over the same stretch of time after a warm-up. A few signatures of each worker are checked here
 * with viem (the digest is the EIP-712 hash of the message, the signature recovers to the verifier) so that a fast
 * but wrong signer cannot pass.
 */
import { Worker } from "node:worker_threads";

import { hashTypedData, recoverTypedDataAddress, type Address, type Hex, type TypedDataDomain } from "viem";

import { attestationTypedData } from "../../src/protocol/eip712.ts";
import type { AttestationWorkerData, AttestationWorkerMessage } from "./attestation-worker.ts";

export interface AttestationRun {
  workers: number;
  signatures: number;
  durationMs: number;
  attestationsPerSec: number;
  perWorker: { signatures: number; elapsedMs: number; perSec: number }[];
  samplesChecked: number;
}

export interface AttestationOptions {
  privateKey: Hex;
  verifier: Address;
  domain: TypedDataDomain;
  workers: number;
  warmupMs: number;
  durationMs: number;
}

const WORKER_SCRIPT = new URL("./attestation-worker.ts", import.meta.url);

/** Runs `workers` signing threads at once and returns their combined rate. */
export async function measureAttestations(options: AttestationOptions): Promise<AttestationRun> {
  const start = new SharedArrayBuffer(4);
  const workers: Worker[] = [];
  try {
    const ready: Promise<void>[] = [];
    const done: Promise<Extract<AttestationWorkerMessage, { type: "done" }>>[] = [];
    for (let index = 0; index < options.workers; index++) {
      const workerData: AttestationWorkerData = {
        privateKey: options.privateKey,
        domain: options.domain,
        worker: index,
        warmupMs: options.warmupMs,
        durationMs: options.durationMs,
        start,
      };
      const worker = new Worker(WORKER_SCRIPT, { workerData });
      workers.push(worker);
      const failed = new Promise<never>((_, reject) => {
        worker.once("error", reject);
        worker.once("exit", (code) => reject(new Error(`Attestation worker ${index} exited (code ${code}) early.`)));
      });
      failed.catch(() => undefined);
      const next = <T extends AttestationWorkerMessage["type"]>(type: T) =>
        Promise.race([
          new Promise<Extract<AttestationWorkerMessage, { type: T }>>((resolve) => {
            const listener = (message: AttestationWorkerMessage) => {
              if (message.type !== type) return;
              worker.off("message", listener);
              resolve(message as Extract<AttestationWorkerMessage, { type: T }>);
            };
            worker.on("message", listener);
          }),
          failed,
        ]);
      ready.push(next("ready").then(() => undefined));
      done.push(next("done"));
    }
    await Promise.all(ready);
    const flag = new Int32Array(start);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    const results = await Promise.all(done);

    let samplesChecked = 0;
    for (const result of results) {
      for (const sample of result.samples) {
        const typedData = attestationTypedData(options.domain, sample.message);
        if (hashTypedData(typedData) !== sample.digest) {
          throw new Error(`The signer's digest of task ${sample.message.taskId} is not its EIP-712 hash.`);
        }
        const recovered = await recoverTypedDataAddress({ ...typedData, signature: sample.signature });
        if (recovered !== options.verifier) {
          throw new Error(`A signature of task ${sample.message.taskId} recovers to ${recovered}, not the verifier.`);
        }
        samplesChecked++;
      }
    }
    if (samplesChecked === 0) throw new Error("No signature was sampled to check.");

    const signatures = results.reduce((sum, result) => sum + result.signatures, 0);
    const durationMs = Math.max(...results.map((result) => result.elapsedMs));
    return {
      workers: options.workers,
      signatures,
      durationMs: Math.round(durationMs),
      attestationsPerSec: Math.round(signatures / (durationMs / 1000)),
      perWorker: results.map((result) => ({
        signatures: result.signatures,
        elapsedMs: Math.round(result.elapsedMs),
        perSec: Math.round(result.signatures / (result.elapsedMs / 1000)),
      })),
      samplesChecked,
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
