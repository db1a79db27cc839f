/**
 * Collects the differences between what the chain says and what the indexer says, field by field, so that one run
 * reports every wrong field at once: which entity, which id, which field, the chain's value and the indexed value.
 */

export interface Mismatch {
  entity: string;
  id: string;
  field: string;
  chain: string;
  indexed: string;
}

/** A value in a form both sides can be compared in: addresses and bytes lower-case, numbers in decimal. */
export function canonical(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (typeof value === "bigint" || typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") return /^0x[0-9a-fA-F]*$/.test(value) ? value.toLowerCase() : value;
  if (Array.isArray(value)) return `[${value.map(canonical).join(", ")}]`;
  if (typeof value === "object" && "id" in value) return canonical((value as { id: unknown }).id);
  return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? inner.toString() : inner));
}

export class Discrepancies {
  readonly mismatches: Mismatch[] = [];
  /** How many values were compared, for the report. */
  comparisons = 0;

  /** Compares one field. Both sides go through `canonical`. */
  compare(entity: string, id: string, field: string, chain: unknown, indexed: unknown): void {
    this.comparisons += 1;
    const [expected, actual] = [canonical(chain), canonical(indexed)];
    if (expected !== actual) this.mismatches.push({ entity, id, field, chain: expected, indexed: actual });
  }

  /**
   * Compares a field of the indexer with what the indexer's own records add up to (`source` says which), where no
   * contract view holds the value: a field and the payments behind it must agree.
   */
  consistent(entity: string, id: string, field: string, source: string, derived: unknown, indexed: unknown): void {
    this.comparisons += 1;
    const [expected, actual] = [canonical(derived), canonical(indexed)];
    if (expected !== actual) {
      this.mismatches.push({ entity, id, field, chain: `${expected} (${source}, indexed)`, indexed: actual });
    }
  }

  /** Compares every field of `chain` with the same field of `indexed`. */
  compareFields(
    entity: string,
    id: string,
    chain: Record<string, unknown>,
    indexed: Record<string, unknown> | null,
  ): void {
    if (indexed === null) {
      this.missing(
        entity,
        id,
        JSON.stringify(Object.fromEntries(Object.entries(chain).map(([k, v]) => [k, canonical(v)]))),
      );
      return;
    }
    for (const [field, value] of Object.entries(chain)) this.compare(entity, id, field, value, indexed[field]);
  }

  /** The chain has something the indexer does not. */
  missing(entity: string, id: string, chain: string): void {
    this.comparisons += 1;
    this.mismatches.push({ entity, id, field: "(entity)", chain, indexed: "missing" });
  }

  /** The indexer has something the chain does not. */
  unexpected(entity: string, id: string, indexed: string): void {
    this.comparisons += 1;
    this.mismatches.push({ entity, id, field: "(entity)", chain: "absent", indexed });
  }

  /** One line per mismatch, grouped by entity. */
  format(limit = 200): string {
    const lines = this.mismatches
      .slice(0, limit)
      .map((m) => `  ${m.entity} ${m.id} .${m.field}: chain ${m.chain}, indexed ${m.indexed}`);
    const more = this.mismatches.length > limit ? `\n  … and ${this.mismatches.length - limit} more` : "";
    return `${this.mismatches.length} of ${this.comparisons} compared values differ:\n${lines.join("\n")}${more}`;
  }
}
