// The request and response pieces that several routes share, as zod schemas that both validate and describe the API
// in its OpenAPI document. Amounts and ids are decimal strings: JSON numbers cannot carry uint256.
import { z } from "@hono/zod-openapi";
import { getAddress, isAddress, type Address, type Hex } from "viem";

const MAX_UINT256 = 2n ** 256n - 1n;

/** An EVM address in any case; parsed to its checksummed form. */
export const AddressSchema = z
  .string()
  .refine((value) => isAddress(value, { strict: false }), { message: "must be a 0x-prefixed 20-byte hex address" })
  .transform((value) => getAddress(value) as Address)
  .openapi({ type: "string", pattern: "^0x[0-9a-fA-F]{40}$", example: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" });

/** 32 bytes in hex: a hash, a commitment. Parsed to lower case. */
export const Bytes32Schema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x followed by 64 hex digits")
  .transform((value) => value.toLowerCase() as Hex)
  .openapi({ type: "string", pattern: "^0x[0-9a-fA-F]{64}$" });

/** Any byte string in hex, e.g. a signed transaction or calldata. */
export const HexSchema = z
  .string()
  .regex(/^0x([0-9a-fA-F]{2})*$/, "must be 0x followed by an even number of hex digits")
  .transform((value) => value.toLowerCase() as Hex)
  .openapi({ type: "string", pattern: "^0x([0-9a-fA-F]{2})*$" });

/** A uint256 in decimal, parsed to a bigint. */
export const Uint256Schema = z
  .string()
  // `abort`: zod runs later checks after a failed one, and BigInt() throws on what the pattern refused.
  .regex(/^(0|[1-9][0-9]{0,77})$/, {
    message: "must be a non-negative integer in decimal, without leading zeros",
    abort: true,
  })
  .refine((value) => BigInt(value) <= MAX_UINT256, { message: "must fit in 256 bits" })
  .transform((value) => BigInt(value))
  .openapi({ type: "string", pattern: "^(0|[1-9][0-9]*)$", example: "1000000000000000000" });

/** A market task id in a path: a positive decimal integer (ids start at 1). */
export const TaskIdSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,19}$/, { message: "must be a task id: a positive integer in decimal", abort: true })
  .refine((value) => BigInt(value) < 2n ** 64n, { message: "must be below 2^64" })
  .transform((value) => BigInt(value))
  .openapi({ type: "string", pattern: "^[1-9][0-9]*$", example: "1" });

export const TaskIdParamsSchema = z.object({
  id: TaskIdSchema.openapi({ param: { name: "id", in: "path" } }),
});

export const AddressParamsSchema = z.object({
  id: AddressSchema.openapi({ param: { name: "id", in: "path" } }),
});

/** A transaction for a wallet or an agent to sign and send: the API never holds a user's key. */
export const PreparedTransactionSchema = z
  .object({
    chainId: z.number().int(),
    to: z.string().openapi({ description: "The contract to call." }),
    data: z.string().openapi({ description: "The calldata." }),
    value: z.string().openapi({ description: "Wei to send with the call, in decimal." }),
    description: z.string().openapi({ description: "What the transaction does, for the person or agent signing it." }),
    from: z.string().optional().openapi({ description: "The account that must send it, when only one may." }),
  })
  .openapi("PreparedTransaction");

export interface PreparedTransaction {
  chainId: number;
  to: Address;
  data: Hex;
  value: string;
  description: string;
  from?: Address;
}

/** Pagination for list routes: `first` items after skipping `skip`, as in the indexer's GraphQL. */
export const PaginationQuerySchema = z.object({
  first: z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 }),
  skip: z.coerce.number().int().min(0).max(5000).default(0).openapi({ example: 0 }),
});

/** Which block a read reflects: the indexer's head and, when the chain was read live, the chain's block. */
export const ReadBlockSchema = z
  .object({
    indexed: z.object({ number: z.number().int(), hash: z.string() }).nullable(),
    chain: z.object({ number: z.number().int(), hash: z.string() }).optional(),
  })
  .openapi("ReadBlock");
