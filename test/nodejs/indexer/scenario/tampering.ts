/**
 * A check of the check: the reconciliation must fail when the indexer is wrong. `TamperedSubgraph` serves the rows the
 * graph node really indexed with a few deliberate errors, each of the kind a faulty mapping makes (a status not
 * updated, a counter incremented twice, a payment a wei off, a missed `PaymentCredited`, a credit not cleared, a fee not
 * accrued, a slash not applied, an operator not recorded, escrow not released, a deadline not derived), and
 * `uncaught` lists the errors the reconciliation did not report.
 */
import type { Mismatch } from "./discrepancies.js";
import { SubgraphClient, type Row } from "./subgraph-client.js";

export interface Tampering {
  description: string;
  /** The query field whose rows are tampered with (`tasks`, `payments`, …). */
  collection: string;
  /** The first row this accepts is the one tampered with. */
  select: (row: Row) => boolean;
  /** The wrong row, or `drop` to leave the row out. */
  mutate: ((row: Row) => Row) | "drop";
  /** Whether a mismatch reports this error, given the id of the row tampered with. */
  caught: (mismatch: Mismatch, id: string) => boolean;
}

const plus = (value: unknown, delta: bigint) => (BigInt(value as string) + delta).toString();
const sameId = (text: string, id: string) => text.toLowerCase().includes(id.toLowerCase());

export const TAMPERINGS: Tampering[] = [
  {
    description: "a settled task still reads Verified",
    collection: "tasks",
    select: (row) => row.status === "Settled",
    mutate: (row) => ({ ...row, status: "Verified" }),
    caught: (m, id) => m.entity === "Task" && m.id === id && m.field === "status",
  },
  {
    description: "an open task's escrow is a wei too high",
    collection: "tasks",
    select: (row) => row.status === "InProgress",
    mutate: (row) => ({ ...row, escrowRemaining: plus(row.escrowRemaining, 1n) }),
    caught: (m, id) => m.entity === "Task" && m.id === id && m.field === "escrowRemaining",
  },
  {
    description: "an executor's completed count is incremented twice",
    collection: "accounts",
    select: (row) => Number((row.executorRecord as Row | null)?.completed ?? 0) > 0,
    mutate: (row) => ({
      ...row,
      executorRecord: { ...(row.executorRecord as Row), completed: Number((row.executorRecord as Row).completed) + 1 },
    }),
    caught: (m, id) => m.entity === "ExecutorRecord" && sameId(m.id, id) && m.field === "completed",
  },
  {
    description: "an agent's operator is not recorded",
    collection: "accounts",
    select: (row) => row.executorKind === "Agent" && row.operator !== null,
    mutate: (row) => ({ ...row, operator: null }),
    caught: (m, id) => m.entity === "Account" && sameId(m.id, id) && m.field === "operator",
  },
  {
    description: "an executor payout is recorded a wei short",
    collection: "payments",
    select: (row) => row.kind === "ExecutorPayout",
    mutate: (row) => ({ ...row, amount: plus(row.amount, -1n) }),
    caught: (m) => m.entity === "Payment ledger",
  },
  {
    description: "a failed push is not reversed (PaymentCredited missed)",
    collection: "payments",
    select: (row) => row.kind === "Credit",
    mutate: "drop",
    caught: (m) => m.entity === "Payment ledger",
  },
  {
    description: "a credit is not cleared by its withdrawal",
    collection: "credits",
    select: (row) => BigInt(row.amount as string) === 0n,
    mutate: (row) => ({ ...row, amount: "1" }),
    caught: (m) => m.entity === "Credit" && m.field.startsWith("amount"),
  },
  {
    description: "a protocol fee is not accrued",
    collection: "tokens",
    select: (row) => BigInt(row.accruedFees as string) > 0n,
    mutate: (row) => ({ ...row, accruedFees: plus(row.accruedFees, -1n) }),
    caught: (m, id) => m.entity === "Token" && sameId(m.id, id) && m.field.startsWith("accruedFees"),
  },
  {
    description: "a verifier's slash is not applied to its bond",
    collection: "verifiers",
    select: (row) => BigInt(row.bond as string) > 0n,
    mutate: (row) => ({ ...row, bond: plus(row.bond, 7n) }),
    caught: (m) => m.entity === "Verifier" && m.field === "bond",
  },
  {
    description: "a panel dispute's voting deadline is not derived",
    collection: "arbitratorDisputes",
    select: (row) => row.votingDeadline !== null,
    mutate: (row) => ({ ...row, votingDeadline: null }),
    caught: (m) => m.entity === "ArbitratorDispute" && m.field === "votingDeadline",
  },
];

export class TamperedSubgraph extends SubgraphClient {
  readonly tamperings: readonly Tampering[];
  /** The id of the row each tampering changed. */
  readonly applied = new Map<Tampering, string>();

  constructor(url: string, block: number, tamperings: readonly Tampering[] = TAMPERINGS) {
    super(url, block);
    this.tamperings = tamperings;
  }

  override async all(collection: string, selection: string, where = ""): Promise<Row[]> {
    const rows = await super.all(collection, selection, where);
    let result = rows;
    for (const tampering of this.tamperings.filter((entry) => entry.collection === collection)) {
      // The same row every time the collection is read, so that every part of the reconciliation sees one indexer.
      const target = this.applied.get(tampering) ?? result.find(tampering.select)?.id;
      if (target === undefined) continue;
      this.applied.set(tampering, target as string);
      result =
        tampering.mutate === "drop"
          ? result.filter((row) => row.id !== target)
          : result.map((row) => (row.id === target ? (tampering.mutate as (row: Row) => Row)(row) : row));
    }
    return result;
  }

  /** The tamperings that were applied but that no mismatch reports, and those that found no row to change. */
  uncaught(mismatches: readonly Mismatch[]): string[] {
    return this.tamperings.flatMap((tampering) => {
      const id = this.applied.get(tampering);
      if (id === undefined) return [`${tampering.description}: no row to tamper with`];
      return mismatches.some((mismatch) => tampering.caught(mismatch, id)) ? [] : [`${tampering.description} (${id})`];
    });
  }
}
