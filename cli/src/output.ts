// What the command line prints. Results go to stdout: text for people, or with `--json` one JSON document for scripts
// and agents (bigints as decimal strings), and nothing else. Progress — transactions sent, confirmations, indexing —
// goes to stderr, so that it never mixes with a result a script parses; `--quiet` silences it.
import { formatEther, zeroAddress } from "viem";

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

/** A result: the JSON document for `--json`, and the lines a person reads. */
export interface CommandResult {
  json: unknown;
  text: string | readonly string[];
}

export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly #stdout: NodeJS.WritableStream;
  readonly #stderr: NodeJS.WritableStream;

  constructor(options: OutputOptions) {
    this.json = options.json;
    this.quiet = options.quiet;
    this.#stdout = options.stdout ?? process.stdout;
    this.#stderr = options.stderr ?? process.stderr;
  }

  /** A line of progress on stderr. */
  progress(line: string): void {
    if (!this.quiet) this.#stderr.write(`${line}\n`);
  }

  /** A warning on stderr, printed even with `--quiet`: something the user should know that is not a failure. */
  warn(line: string): void {
    this.#stderr.write(`warning: ${line}\n`);
  }

  result(result: CommandResult): void {
    if (this.json) {
      this.#stdout.write(`${toJson(result.json)}\n`);
      return;
    }
    const lines = typeof result.text === "string" ? [result.text] : result.text;
    if (lines.length > 0) this.#stdout.write(`${lines.join("\n")}\n`);
  }

  /** A failure: one line on stderr, and with `--json` its JSON form on stdout. */
  failure(line: string, json: unknown): void {
    if (this.json) this.#stdout.write(`${toJson({ error: json })}\n`);
    this.#stderr.write(`taskmarket: ${line}\n`);
  }
}

/** JSON with bigints as decimal strings, indented for people who read `--json` output too. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? inner.toString() : inner), 2);
}

/** An amount in a token's base units: ETH in ether, any other token in base units with its address. */
export function formatAmount(amount: bigint | string, token: string): string {
  const value = BigInt(amount);
  return token.toLowerCase() === zeroAddress ? `${formatEther(value)} ETH` : `${value} (token ${token})`;
}

/** Unix seconds as an ISO date in UTC; "-" for 0 (not set). */
export function formatTime(seconds: number | bigint | null | undefined): string {
  if (seconds === null || seconds === undefined || Number(seconds) === 0) return "-";
  return new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");
}

/** `label: value` lines with the labels aligned. */
export function fields(rows: readonly (readonly [string, unknown])[]): string[] {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width + 1)} ${value ?? "-"}`);
}

/** A plain table: a header and rows, columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** `text` cut to `length` characters, with "…" when cut. */
export function truncate(text: string, length: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= length ? flat : `${flat.slice(0, length - 1)}…`;
}
