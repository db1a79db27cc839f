// Where the verification service's signing key comes from when it is not given in the environment as
// VERIFIER_PRIVATE_KEY: an encrypted JSON keystore (Web3 Secret Storage, as geth, ethers, Foundry's `cast wallet` and
// Hardhat write it), named by VERIFIER_KEYSTORE and unlocked with VERIFIER_KEYSTORE_PASSWORD. The key, the password and
// the keystore's contents never appear in an error message or a log; errors name the variable to fix.
import { readFile } from "node:fs/promises";
import { isAbsolute, resolve } from "node:path";

import type { Hex } from "viem";

export interface VerifierKeystore {
  /** The keystore file. */
  path: string;
  password: string;
}

/** The largest keystore file read: real ones are under 1 KiB (scrypt parameters, ciphertext, MAC). */
const MAX_KEYSTORE_BYTES = 64 * 1024;

/**
 * The keystore the environment names, or `undefined` when VERIFIER_KEYSTORE is unset. Throws when it is set without a
 * password, or together with VERIFIER_PRIVATE_KEY (two keys, and no telling which one signs).
 */
export function readVerifierKeystoreEnv(env: NodeJS.ProcessEnv = process.env): VerifierKeystore | undefined {
  const path = env.VERIFIER_KEYSTORE || undefined;
  if (path === undefined) {
    if (env.VERIFIER_KEYSTORE_PASSWORD) {
      throw new Error("VERIFIER_KEYSTORE_PASSWORD is set but VERIFIER_KEYSTORE (the keystore file) is not.");
    }
    return undefined;
  }
  if (env.VERIFIER_PRIVATE_KEY) {
    throw new Error("Set either VERIFIER_PRIVATE_KEY or VERIFIER_KEYSTORE, not both.");
  }
  const password = env.VERIFIER_KEYSTORE_PASSWORD;
  if (password === undefined) {
    throw new Error("VERIFIER_KEYSTORE is set: VERIFIER_KEYSTORE_PASSWORD must hold its password.");
  }
  return { path: isAbsolute(path) ? path : resolve(path), password };
}

/** Decrypts the keystore and returns its private key. Takes about a second with the usual scrypt parameters. */
export async function loadVerifierKeystore(keystore: VerifierKeystore): Promise<Hex> {
  let json: string;
  try {
    const bytes = await readFile(keystore.path);
    if (bytes.byteLength > MAX_KEYSTORE_BYTES) {
      throw new Error(`it is ${bytes.byteLength} bytes, more than a keystore's ${MAX_KEYSTORE_BYTES}`);
    }
    json = bytes.toString("utf8");
  } catch (error) {
    throw new Error(`VERIFIER_KEYSTORE: cannot read ${keystore.path} (${describe(error)}).`);
  }
  // Loaded only here: an API that takes its key from the environment never loads ethers.
  const { Wallet, isKeystoreJson } = await import("ethers");
  if (!isKeystoreJson(json)) {
    throw new Error(`VERIFIER_KEYSTORE: ${keystore.path} is not an encrypted JSON keystore (Web3 Secret Storage v3).`);
  }
  try {
    const wallet = await Wallet.fromEncryptedJson(json, keystore.password);
    return wallet.privateKey as Hex;
  } catch (error) {
    const reason = /password/i.test(describe(error)) ? "wrong password" : "the keystore is damaged or unsupported";
    throw new Error(`VERIFIER_KEYSTORE: cannot decrypt ${keystore.path} with VERIFIER_KEYSTORE_PASSWORD (${reason}).`);
  }
}

/**
 * The verifier key from the environment: VERIFIER_PRIVATE_KEY as already checked by the configuration
 * (`configuredKey`), or the keystore VERIFIER_KEYSTORE names; `undefined` when neither is set.
 */
export async function resolveVerifierKey(
  configuredKey: Hex | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Hex | undefined> {
  const keystore = readVerifierKeystoreEnv(env);
  if (keystore === undefined) return configuredKey;
  if (configuredKey !== undefined) throw new Error("Set either VERIFIER_PRIVATE_KEY or VERIFIER_KEYSTORE, not both.");
  return loadVerifierKeystore(keystore);
}

function describe(error: unknown): string {
  // ethers' and Node's messages name the problem (ENOENT, "incorrect password"), never the secret.
  return error instanceof Error
    ? ((error as { shortMessage?: string }).shortMessage ?? error.message)
    : "unknown error";
}
