// Signs `Attestation`s (IAttestationModule) with one verifier key in one EIP-712 domain. Nothing here reads the chain
// or the database: the verification service decides what to sign and calls this for the signature, and the benchmark
// runs it alone in worker threads to measure signatures per second.
//
// The digest is computed directly rather than through viem's generic `hashTypedData`: every field of an attestation
// is a static ABI type, so the struct hash is keccak256 of the typehash and the ten fields ABI-encoded in order, and
// the domain separator is fixed for the signer's lifetime. The type string comes from ATTESTATION_TYPES (the one
// definition the contract's ATTESTATION_TYPEHASH is tested against), and the tests compare this digest with viem's,
// ethers' and the contract's `attestationDigest`.
import { inspect } from "node:util";

import {
  concat,
  domainSeparator,
  encodeAbiParameters,
  isHex,
  keccak256,
  stringToHex,
  type Address,
  type Hex,
  type TypedDataDomain,
} from "viem";
import { privateKeyToAddress, sign } from "viem/accounts";

import { ATTESTATION_TYPES, encodeTypeString, type AttestationMessage } from "../../../src/protocol/eip712.ts";
import { BPS } from "../../../src/protocol/terms.ts";

/** keccak256 of `Attestation(uint256 taskId,…,uint256 nonce)`: the contract's `ATTESTATION_TYPEHASH`. */
export const ATTESTATION_TYPEHASH: Hex = keccak256(
  stringToHex(encodeTypeString("Attestation", ATTESTATION_TYPES.Attestation)),
);

const STRUCT_PARAMETERS = [
  { type: "bytes32" },
  ...ATTESTATION_TYPES.Attestation.map((field) => ({ type: field.type })),
] as const;

export interface SignedDigest {
  /** 65 bytes, `r ‖ s ‖ v`, low `s`: the form the module accepts. */
  signature: Hex;
  /** The EIP-712 digest signed: what `attestationDigest(...)` returns on-chain. */
  digest: Hex;
}

export class AttestationSigner {
  readonly address: Address;
  readonly domain: TypedDataDomain;
  readonly domainSeparator: Hex;
  readonly #privateKey: Hex;

  constructor(privateKey: Hex, domain: TypedDataDomain) {
    if (!isHex(privateKey) || privateKey.length !== 66) {
      // The value is never echoed: it is a key.
      throw new TypeError("the verifier key must be 32 bytes in hex (0x followed by 64 hex digits)");
    }
    this.#privateKey = privateKey;
    this.address = privateKeyToAddress(privateKey);
    this.domain = Object.freeze({ ...domain });
    this.domainSeparator = domainSeparator({ domain });
  }

  /** The EIP-712 digest of `message` in this signer's domain. Throws a RangeError for a field out of its type. */
  digest(message: AttestationMessage): Hex {
    if (!Number.isInteger(message.scoreBps) || message.scoreBps < 0 || message.scoreBps > BPS) {
      throw new RangeError(`scoreBps must be an integer from 0 to ${BPS}, got ${message.scoreBps}`);
    }
    const structHash = keccak256(
      encodeAbiParameters(STRUCT_PARAMETERS, [
        ATTESTATION_TYPEHASH,
        message.taskId,
        message.milestone,
        message.submissionHash,
        message.reviewDeadline,
        message.approved,
        message.scoreBps,
        message.methodId,
        message.evidenceHash,
        message.deadline,
        message.nonce,
      ]),
    );
    return keccak256(concat(["0x1901", this.domainSeparator, structHash]));
  }

  async sign(message: AttestationMessage): Promise<SignedDigest> {
    const digest = this.digest(message);
    const signature = await sign({ hash: digest, privateKey: this.#privateKey, to: "hex" });
    return { signature, digest };
  }

  /** Logs and error reports that print the signer show its address, never the key. */
  toJSON(): { address: Address; domain: TypedDataDomain } {
    return { address: this.address, domain: this.domain };
  }

  [inspect.custom](): string {
    return `AttestationSigner { address: ${this.address} }`;
  }
}
