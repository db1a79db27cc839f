// Query-string parameters of the reads over the indexer, as zod schemas that validate strictly and describe the
// parameters in the OpenAPI document. A parameter that takes several values accepts them repeated
// (`state=Posted&state=Claimed`), as a comma-separated list (`state=Posted,Claimed`), or both; an empty value is an
// error rather than "no filter".
import { z } from "@hono/zod-openapi";
import { keccak256, stringToHex, type Hex } from "viem";

import { AddressSchema } from "../schemas.ts";
import { EXISTING_TASK_STATUS_NAMES, type ExistingTaskStatusName } from "./task-status.ts";

/** The most values one list parameter takes. */
export const MAX_LIST_VALUES = 16;

/** A parameter with one or more values of `item`, repeated or comma-separated. */
export function listParam<T extends z.ZodType<unknown, string>>(item: T, description: string, example: string) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((value) => (Array.isArray(value) ? value : [value]).flatMap((part) => part.split(",")))
    .pipe(z.array(item).min(1).max(MAX_LIST_VALUES))
    .openapi({
      description: `${description} Several values: repeat the parameter or separate them with commas.`,
      example,
      param: { style: "form", explode: true },
    });
}

/** One of `names`, matched without regard to case, parsed to its canonical spelling. */
export function nameOf<const N extends string>(names: readonly N[], what: string) {
  const byLowerCase = new Map(names.map((name) => [name.toLowerCase(), name]));
  return z.string().transform((value, context) => {
    const name = byLowerCase.get(value.trim().toLowerCase());
    if (name === undefined) {
      context.addIssue({ code: "custom", message: `unknown ${what} "${value}": expected one of ${names.join(", ")}` });
      return z.NEVER;
    }
    return name;
  });
}

export const TaskStateNameSchema = nameOf<ExistingTaskStatusName>(EXISTING_TASK_STATUS_NAMES, "state");

export const EXECUTOR_KIND_NAMES = ["Any", "Human", "Agent"] as const;
export type ExecutorKindName = (typeof EXECUTOR_KIND_NAMES)[number];
export const ExecutorKindParamSchema = nameOf<ExecutorKindName>(EXECUTOR_KIND_NAMES, "executor kind");

/** A capability name as task documents write it (`lang:solidity`, `skill:translation/de-en`), parsed to its id. */
export const CapabilityParamSchema = z
  .string()
  .max(64)
  .regex(
    /^[a-z0-9]+(?:-[a-z0-9]+)*:[a-z0-9]+(?:[-./][a-z0-9]+)*$/,
    'must be a namespaced lower-case capability name such as "lang:solidity"',
  )
  .transform((name) => ({ name, id: capabilityId(name) }));

/** A capability id: keccak256 of its name, as the registry and the market store it. */
export function capabilityId(name: string): Hex {
  return keccak256(stringToHex(name));
}

/** A token: `ETH` (any case) or an ERC-20 address, parsed to the lower-case address the indexer stores. */
export const TokenParamSchema = z
  .string()
  .transform((value) => (value.trim().toUpperCase() === "ETH" ? "0x0000000000000000000000000000000000000000" : value))
  .pipe(AddressSchema)
  .transform((address) => address.toLowerCase());

export const AddressParamListItemSchema = AddressSchema.transform((address) => address.toLowerCase());

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|[+-](\d{2}):(\d{2}))$/i;

/** Unix milliseconds of an RFC 3339 date-time, or NaN when it is not one (Date.parse would take February 30th). */
function parseRfc3339(value: string): number {
  const match = RFC3339.exec(value);
  if (match === null) return Number.NaN;
  const [year, month, day, hour, minute, second, offsetHour = 0, offsetMinute = 0] = match
    .slice(1)
    .map((part) => (part === undefined ? undefined : Number(part)));
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  const valid =
    month! >= 1 &&
    month! <= 12 &&
    day! >= 1 &&
    day! <= daysInMonth &&
    hour! < 24 &&
    minute! < 60 &&
    second! < 60 &&
    offsetHour < 24 &&
    offsetMinute < 60;
  return valid ? Date.parse(value) : Number.NaN;
}

/** A time: Unix seconds, or an RFC 3339 date-time with its offset (`2026-06-30T17:00:00Z`); parsed to Unix seconds. */
export const TimeParamSchema = z
  .string()
  .transform((value, context) => {
    if (/^(0|[1-9][0-9]{0,11})$/.test(value)) return Number(value);
    const millis = parseRfc3339(value);
    if (Number.isNaN(millis) || millis < 0) {
      context.addIssue({
        code: "custom",
        message: "must be Unix seconds or an RFC 3339 date-time with an offset, e.g. 2026-06-30T17:00:00Z",
      });
      return z.NEVER;
    }
    return Math.floor(millis / 1000);
  })
  .openapi({ type: "string", example: "2026-06-30T17:00:00Z" });

/** `true` or `false`, as a query string spells them. */
export const BooleanParamSchema = z
  .enum(["true", "false"])
  .transform((value) => value === "true")
  .openapi({ type: "string", enum: ["true", "false"] });
