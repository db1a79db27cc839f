// How many blocks one eth_getLogs request spans. Providers cap it in two ways: by block span ("block range too large",
// often with the limit in the message) and by result count ("query returned more than 10000 results", often with a
// range that would work). The range controller starts where it is told, halves on every refusal or timeout (taking
// the provider's hint when the message carries one), and doubles again while answers come back quick and small.

/** What a provider's refusal of an eth_getLogs range said. */
export interface RangeRefusal {
  /** How many blocks the provider says it accepts, when its message says. */
  suggestedSpan?: number;
  /**
   * Whether the limit is on the span itself, which holds for every later request, rather than on how many logs this
   * particular span matched.
   */
  spanLimit: boolean;
}

/** Logs one answer should hold at most: half the common 10,000-result cap, so that dense regions rarely hit it. */
export const TARGET_LOGS_PER_REQUEST = 5_000;
/**
 * Blocks with logs one answer should hold at most. Each of them is then fetched whole, transactions included, and
 * held until the caller has processed the range: on a busy chain a thousand blocks are already some hundred
 * megabytes.
 */
export const TARGET_BLOCKS_PER_REQUEST = 1_000;
/** An answer this fast (and small) means the range can grow. */
const FAST_ANSWER_MS = 1_000;
/** An answer this slow means the range should shrink before the provider starts timing out. */
const SLOW_ANSWER_MS = 8_000;
/** After a timeout, the range stays below the span that timed out for this many answers. */
const TIMEOUT_MEMORY = 50;

const RATE_LIMIT = /rate.?limit|per second|too many requests|request (count|rate)|daily|credits|compute units|quota/i;

/** A hex pair `[0x1a, 0x2f]` (Infura, Alchemy, zkSync): the range to ask for instead. */
const HEX_RANGE_HINT = /\[\s*(0x[0-9a-f]+)\s*,\s*(0x[0-9a-f]+)\s*\]/i;
/** A decimal pair `retry with the range 24383075-24383096` (llamarpc, Ankr). */
const DECIMAL_RANGE_HINT = /range\s+(\d+)\s*-\s*(\d+)/i;

/** Messages that state the provider's span limit, its number in the first group (`k` multiplies by 1,000). */
const SPAN_LIMITS: RegExp[] = [
  /maximum is set to ([\d,]+)/i, // Avalanche
  /max(?:imum)? range:? ([\d,]+k?)/i, // Cloudflare
  /maximum allowed number of requested blocks is ([\d,]+)/i, // thirdweb
  /limited to (?:an? )?([\d,]+k?)/i, // QuickNode, 1RPC, Blast, BlockPI
  /at most ([\d,]+k?) blocks/i, // Coinbase
  /max(?:imum)? block range:? (?:of |is )?([\d,]+k?)/i, // PublicNode, geth-style
  /max block range ([\d,]+k?)/i, // Hyperliquid
  /block range greater than ([\d,]+k?)/i,
  /block range exceeds ([\d,]+k?)/i,
  /max is ([\d,]+k?) blocks/i,
  /smaller than size ([\d,]+k?)/i, // Harmony
  /too wide \(maximum ([\d,]+k?)\)/i, // Moonbeam
  /up to a ([\d,]+k?) block range/i, // Aurora, Alchemy
  /blocks distance:? ([\d,]+k?)/i,
  /allowed for your plan \(\d+ > ([\d,]+)\)/i,
  /block range (?:limit|size) (?:is |of )?\(?([\d,]+k?)\)?/i,
];

/** Refusals that name no number: the span or the result set is too large, and halving is all there is to do. */
const SPAN_REFUSAL = /block range|range (is )?too (large|wide|big)|range limit|too many blocks|blocks? distance/i;
const RESULT_REFUSAL =
  /more than \d+ results|exceeds max results|too many (results|logs)|logs matched by query exceeds|response size|response too large|result(s| set)? (is )?too large|limit exceeded|exceed(s|ed)? (the )?limit/i;
/** The node gave up on a heavy query: a smaller range is lighter. */
const QUERY_TIMEOUT = /timeout|timed out|deadline exceeded|took too long|execution aborted/i;

/**
 * Reads a provider's answer to an eth_getLogs request as a refusal of its range, or returns undefined when it is
 * something else (a rate limit, a bad filter, a node down).
 */
export function rangeRefusal(code: number | undefined, message: string): RangeRefusal | undefined {
  if (RATE_LIMIT.test(message)) return undefined;

  const hex = HEX_RANGE_HINT.exec(message);
  if (hex) {
    const span = Number(BigInt(hex[2]) - BigInt(hex[1])) + 1;
    if (span >= 1) return { suggestedSpan: span, spanLimit: false };
  }
  const decimal = DECIMAL_RANGE_HINT.exec(message);
  if (decimal) {
    const span = Number(decimal[2]) - Number(decimal[1]) + 1;
    if (span >= 1) return { suggestedSpan: span, spanLimit: false };
  }
  for (const pattern of SPAN_LIMITS) {
    const match = pattern.exec(message);
    if (match) {
      const span = parseCount(match[1]);
      if (span !== undefined && span >= 1) return { suggestedSpan: span, spanLimit: true };
    }
  }
  if (SPAN_REFUSAL.test(message)) return { spanLimit: true };
  if (RESULT_REFUSAL.test(message) || QUERY_TIMEOUT.test(message)) return { spanLimit: false };
  // EIP-1474's "limit exceeded": providers use it for log limits they do not explain.
  if (code === -32005) return { spanLimit: false };
  return undefined;
}

function parseCount(text: string): number | undefined {
  const thousands = /k$/i.test(text);
  const value = Number(text.replace(/[,k]/gi, ""));
  if (!Number.isSafeInteger(value)) return undefined;
  return thousands ? value * 1_000 : value;
}

/** The span of the next eth_getLogs request, adjusted to what the provider's recent answers showed. */
export class AdaptiveRange {
  #current: number;
  #max: number;
  /** The provider's own span limit, once it has told one. */
  #providerLimit = Number.POSITIVE_INFINITY;
  /** Below the last span that timed out, for a while: growing straight back into it would time out again. */
  #timeoutCeiling = Number.POSITIVE_INFINITY;
  #answersSinceTimeout = 0;

  constructor(initial: number, max: number) {
    if (!Number.isSafeInteger(initial) || initial < 1) {
      throw new Error(`The initial block range must be a positive integer, got ${initial}.`);
    }
    if (!Number.isSafeInteger(max) || max < initial) {
      throw new Error(
        `The maximum block range must be an integer of at least the initial range ${initial}, got ${max}.`,
      );
    }
    this.#current = initial;
    this.#max = max;
  }

  get current(): number {
    return this.#current;
  }

  /** The largest span the range grows to now. */
  get limit(): number {
    return Math.min(this.#max, this.#providerLimit, this.#timeoutCeiling);
  }

  /** An answer for `span` blocks came back after `durationMs` with `logs` logs in `blocks` different blocks. */
  answered(span: number, logs: number, blocks: number, durationMs: number): void {
    if (++this.#answersSinceTimeout >= TIMEOUT_MEMORY) this.#timeoutCeiling = Number.POSITIVE_INFINITY;
    if (logs > TARGET_LOGS_PER_REQUEST || blocks > TARGET_BLOCKS_PER_REQUEST || durationMs > SLOW_ANSWER_MS) {
      this.#current = Math.max(1, Math.min(this.#current, Math.floor(span / 2)));
    } else if (
      span >= this.#current &&
      logs <= TARGET_LOGS_PER_REQUEST / 2 &&
      blocks <= TARGET_BLOCKS_PER_REQUEST / 2 &&
      durationMs <= FAST_ANSWER_MS
    ) {
      // Only a full-size request says the current span is comfortable; the short last piece of a range does not.
      this.#current = Math.min(this.limit, this.#current * 2);
    }
  }

  /** The provider refused `span` blocks (more than one). Returns the span to try next, always less than `span`. */
  refused(span: number, refusal: RangeRefusal): number {
    // A suggestion no smaller than the refused span is no help: halve instead.
    const suggested =
      refusal.suggestedSpan !== undefined && refusal.suggestedSpan < span ? refusal.suggestedSpan : undefined;
    if (refusal.spanLimit) {
      // A span limit holds for every later request: never grow back to a span the provider refused, or to more than
      // it says it takes.
      this.#providerLimit = Math.min(this.#providerLimit, suggested ?? span - 1);
    }
    const next = suggested ?? Math.floor(span / 2);
    this.#current = Math.max(1, Math.min(next, span - 1, this.limit));
    return this.#current;
  }

  /** A request for `span` blocks timed out. Returns the span to try next. */
  timedOut(span: number): number {
    this.#timeoutCeiling = Math.max(1, Math.min(this.#timeoutCeiling, span - 1));
    this.#answersSinceTimeout = 0;
    this.#current = Math.max(1, Math.min(this.#current, Math.floor(span / 2)));
    return this.#current;
  }
}
