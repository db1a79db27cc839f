// graph-ts's BigInt and BigDecimal as graph-node computes them. graph-node's arithmetic is num-bigint 0.2 and the
// `bigdecimal` crate pinned at 0.1.2 (graph/Cargo.toml: "We require this precise version of bigdecimal"), whose
// rounding is its own: results are cut to 34 significant digits, rounding half up for positive values and
// truncating negative ones, whose digit count is moreover an estimate (see `normalize`). Not half-even. Every quirk
// is reproduced on purpose: entity values must be identical to what graph-node stores.

/** A failure that graph-node reports as a deterministic error: the handler fails. */
export class MappingError extends Error {
  override name = "MappingError";
}

/** graph-node's BigInt limit: 131072 decimal digits, in bits, sign bit included (graph/src/data/store/scalar/bigint.rs). */
export const BIG_INT_MAX_BITS = 435_412;

/** Number of bits of |n| (num-bigint's `bits()`); 0 for 0. */
export function bitLength(n: bigint): number {
  if (n < 0n) n = -n;
  if (n === 0n) return 0;
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0]!, 16)));
}

const BIG_INT_LIMIT = 1n << BigInt(BIG_INT_MAX_BITS - 1);

/** Throws as graph-node's `BigInt::new` does when a value is out of its range (|n| needs more bits than allowed). */
export function checkBigInt(n: bigint): bigint {
  if (n >= BIG_INT_LIMIT || -n >= BIG_INT_LIMIT) {
    throw new MappingError(`BigInt is too big, total bits ${bitLength(n) + 1} (max ${BIG_INT_MAX_BITS})`);
  }
  return n;
}

/** Little-endian two's complement, as `num_bigint::BigInt::from_signed_bytes_le`. Empty input is zero. */
export function fromSignedBytesLE(bytes: Uint8Array): bigint {
  const length = bytes.length;
  if (length === 0) return 0n;
  if (length <= 6) {
    let value = 0;
    for (let i = length - 1; i >= 0; i--) value = value * 256 + bytes[i]!;
    if (bytes[length - 1]! & 0x80) value -= 2 ** (8 * length);
    return BigInt(value);
  }
  let hex = "";
  for (let i = length - 1; i >= 0; i--) hex += HEX_BYTE[bytes[i]!];
  const unsigned = BigInt(`0x${hex}`);
  return bytes[length - 1]! & 0x80 ? unsigned - (1n << BigInt(8 * length)) : unsigned;
}

/** The shortest little-endian two's complement encoding, `[0]` for zero, as `to_signed_bytes_le`. */
export function toSignedBytesLE(n: bigint): Uint8Array {
  if (n >= -0x80n && n < 0x80n) return Uint8Array.of(Number(n) & 0xff);
  if (n >= -0x8000_0000_0000n && n < 0x8000_0000_0000n) {
    // Up to 6 bytes: plain arithmetic on a double is exact.
    let value = Number(n);
    let length = 1;
    while (value >= 2 ** (8 * length - 1) || value < -(2 ** (8 * length - 1))) length++;
    if (value < 0) value += 2 ** (8 * length);
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      out[i] = value % 256;
      value = Math.floor(value / 256);
    }
    return out;
  }
  const magnitude = n < 0n ? -n : n;
  let hex = magnitude.toString(16);
  let length = (hex.length + 1) >> 1;
  const top = 1n << BigInt(8 * length - 1);
  // One more byte when the magnitude reaches the sign bit, except for the most negative value of that width.
  if (n >= 0n ? magnitude >= top : magnitude > top) length++;
  const value = n < 0n ? (1n << BigInt(8 * length)) + n : n;
  hex = value.toString(16).padStart(length * 2, "0");
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const at = (length - 1 - i) * 2;
    out[i] = parseInt(hex.slice(at, at + 2), 16);
  }
  return out;
}

export const HEX_BYTE: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Parses a decimal integer as num-bigint 0.2's `FromStr`: an optional sign, digits and underscores after the first
 * digit. Returns undefined when the text is not one.
 */
export function parseBigIntText(text: string): bigint | undefined {
  let negative = false;
  let rest = text;
  // A "-" followed by "+" stays in the text, to be rejected as a digit, as num-bigint does.
  if (rest.startsWith("-") && !rest.startsWith("-+")) {
    negative = true;
    rest = rest.slice(1);
  }
  if (rest.startsWith("+") && !rest.startsWith("++")) rest = rest.slice(1);
  if (rest === "" || rest.startsWith("_")) return undefined;
  let digits = "";
  for (let i = 0; i < rest.length; i++) {
    const code = rest.charCodeAt(i);
    if (code === 0x5f) continue;
    if (code < 0x30 || code > 0x39) return undefined;
    digits += rest[i];
  }
  const value = BigInt(digits);
  return negative ? -value : value;
}

/** `BigInt::from_str` in graph-node: parse, then the size check. */
export function bigIntFromString(text: string): bigint {
  const value = parseBigIntText(text);
  if (value === undefined) throw new MappingError(`string is not a BigInt: \`${text}\`: invalid digit found in string`);
  return checkBigInt(value);
}

/** Rust's `i64::from_str` / `u64::from_str`: an optional sign and decimal digits, in range. */
export function parseRustInteger(text: string, signed: boolean): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  if (!signed && text.startsWith("-")) return undefined;
  const value = BigInt(text);
  const [min, max] = signed ? [-(1n << 63n), (1n << 63n) - 1n] : [0n, (1n << 64n) - 1n];
  return value < min || value > max ? undefined : value;
}

const TEN = 10n;
const powersOfTen: bigint[] = [1n];
function tenToThe(power: number): bigint {
  if (power < 64) {
    while (powersOfTen.length <= power) powersOfTen.push(powersOfTen[powersOfTen.length - 1]! * TEN);
    return powersOfTen[power]!;
  }
  return TEN ** BigInt(power);
}

/**
 * bigdecimal 0.1.2's `count_decimal_digits` for a negative value: it estimates the count from the bit length and
 * only corrects the estimate upwards while `value >= 10^count`, which never holds for a negative value. So negative
 * values are counted as floor(bits / log2(10)) digits, one less than they have for some magnitudes.
 */
function estimatedDigitsOfNegative(magnitude: bigint): number {
  return Math.floor(bitLength(magnitude) / 3.3219280949);
}

/** A decimal `digits × 10^-scale`, as bigdecimal's `BigDecimal { int_val, scale }`. */
export interface Decimal {
  digits: bigint;
  /** Positive scale: digits after the point. */
  scale: bigint;
}

export const BIG_DECIMAL_MIN_EXP = -6143n;
export const BIG_DECIMAL_MAX_EXP = 6144n;
const MAX_SIGNIFICANT_DIGITS = 34;

/**
 * graph-node's `BigDecimal::normalized`: bigdecimal 0.1.2's `with_prec(34)`, then trailing zeros removed.
 *
 * `with_prec` cuts the value to 34 digits by its digit count. A positive value is rounded half up: up when the first
 * digit cut is 5 or more (`get_rounding_term` looks at that digit alone). For a negative value the cut truncates
 * towards zero and the remainder, negative, never triggers rounding; and as its digit count is the estimate above,
 * it keeps 34 or 35 significant digits. A value with fewer digits is padded with zeros, which are removed again.
 */
export function normalize(value: Decimal): Decimal {
  if (value.digits === 0n) return { digits: 0n, scale: 0n };
  const negative = value.digits < 0n;
  const magnitude = negative ? -value.digits : value.digits;
  let text = magnitude.toString();
  let scale = value.scale;
  const count = negative ? estimatedDigitsOfNegative(magnitude) : text.length;
  if (count > MAX_SIGNIFICANT_DIGITS) {
    const cut = count - MAX_SIGNIFICANT_DIGITS;
    const kept = text.slice(0, text.length - cut);
    const roundUp = !negative && text.charCodeAt(MAX_SIGNIFICANT_DIGITS) >= 0x35;
    text = roundUp ? (BigInt(kept) + 1n).toString() : kept;
    scale -= BigInt(cut);
  }
  let trailing = 0;
  while (trailing < text.length - 1 && text.charCodeAt(text.length - 1 - trailing) === 0x30) trailing++;
  if (trailing > 0) {
    text = text.slice(0, text.length - trailing);
    scale -= BigInt(trailing);
  }
  const digits = BigInt(text);
  return { digits: negative ? -digits : digits, scale };
}

function rescale(value: Decimal, scale: bigint): bigint {
  return value.digits * tenToThe(Number(scale - value.scale));
}

export function decimalEquals(x: Decimal, y: Decimal): boolean {
  if (x.scale > y.scale) return x.digits === rescale(y, x.scale);
  if (x.scale < y.scale) return rescale(x, y.scale) === y.digits;
  return x.digits === y.digits;
}

export function decimalAdd(x: Decimal, y: Decimal): Decimal {
  if (x.scale === y.scale) return normalize({ digits: x.digits + y.digits, scale: x.scale });
  if (x.scale < y.scale) return normalize({ digits: rescale(x, y.scale) + y.digits, scale: y.scale });
  return normalize({ digits: x.digits + rescale(y, x.scale), scale: x.scale });
}

export function decimalSubtract(x: Decimal, y: Decimal): Decimal {
  return decimalAdd(x, { digits: -y.digits, scale: y.scale });
}

export function decimalMultiply(x: Decimal, y: Decimal): Decimal {
  return normalize({ digits: x.digits * y.digits, scale: x.scale + y.scale });
}

const ONE: Decimal = { digits: 1n, scale: 0n };

/** bigdecimal 0.1.2's division: up to 100 digits, the last one rounded half up; then normalized. */
export function decimalDivide(x: Decimal, y: Decimal): Decimal {
  if (y.digits === 0n) throw new MappingError(`attempted to divide BigDecimal \`${decimalToString(x)}\` by zero`);
  if (x.digits === 0n || decimalEquals(y, ONE)) return normalize(x);
  const scale = x.scale - y.scale;
  if (x.digits === y.digits) return normalize({ digits: 1n, scale });
  return normalize(divideDigits(x.digits, y.digits, scale, 100));
}

/**
 * bigdecimal 0.1.2's `impl_division`: after a first integer division it appends quotient digits one at a time until
 * the remainder is zero or the quotient has `maxPrecision` digits, then rounds the last digit half up on the next
 * one. The same quotient is computed here with one division. When the digit loop would have stopped early because
 * the remainder reached zero, the extra digits are zeros; they are removed so that the scale (and with it the digit
 * count that normalization sees, which matters for negative values) is exactly the loop's.
 */
function divideDigits(numerator: bigint, denominator: bigint, scale: bigint, maxPrecision: number): Decimal {
  if (numerator === 0n) return { digits: 0n, scale: 0n };
  if (numerator < 0n || denominator < 0n) {
    const negate = numerator < 0n !== denominator < 0n;
    const result = divideDigits(
      numerator < 0n ? -numerator : numerator,
      denominator < 0n ? -denominator : denominator,
      scale,
      maxPrecision,
    );
    return negate ? { digits: -result.digits, scale: result.scale } : result;
  }
  while (numerator < denominator) {
    scale += 1n;
    numerator *= TEN;
  }
  const first = numerator / denominator;
  if (numerator % denominator === 0n) return { digits: first, scale };
  const extra = Math.max(0, maxPrecision - first.toString().length);
  const shifted = numerator * tenToThe(extra);
  let quotient = shifted / denominator;
  const remainder = shifted % denominator;
  if (remainder === 0n) {
    let text = quotient.toString();
    let zeros = 0;
    while (zeros < extra && text.charCodeAt(text.length - 1 - zeros) === 0x30) zeros++;
    if (zeros > 0) {
      text = text.slice(0, text.length - zeros);
      quotient = BigInt(text);
    }
    return { digits: quotient, scale: scale + BigInt(extra - zeros) };
  }
  // The next digit decides (`get_rounding_term` of a single digit is 1 from 5 up).
  if ((remainder * TEN) / denominator >= 5n) quotient += 1n;
  return { digits: quotient, scale: scale + BigInt(extra) };
}

/** bigdecimal 0.1.2's `Display`: plain digits, never an exponent. */
export function decimalToString(value: Decimal): string {
  const negative = value.digits < 0n;
  const absolute = (negative ? -value.digits : value.digits).toString();
  const scale = value.scale;
  let before: string;
  let after: string;
  if (scale >= BigInt(absolute.length)) {
    before = "0";
    after = "0".repeat(Number(scale) - absolute.length) + absolute;
  } else if (scale < 0n) {
    before = absolute + "0".repeat(Number(-scale));
    after = "";
  } else {
    const point = absolute.length - Number(scale);
    before = absolute.slice(0, point);
    after = absolute.slice(point);
  }
  const text = after === "" ? before : `${before}.${after}`;
  return negative ? `-${text}` : text;
}

/** bigdecimal 0.1.2's `from_str`, then normalized; undefined when the text is not a decimal. */
export function parseDecimal(text: string): Decimal | undefined {
  let base = text;
  let exponent = 0n;
  const e = text.search(/[eE]/);
  if (e >= 0) {
    base = text.slice(0, e);
    let exponentText = text.slice(e + 1);
    if (exponentText.startsWith("+")) exponentText = exponentText.slice(1);
    const parsed = parseRustInteger(exponentText, true);
    if (parsed === undefined) return undefined;
    exponent = parsed;
  }
  if (base === "") return undefined;
  let digitsText = base;
  let decimals = 0;
  const point = base.indexOf(".");
  if (point >= 0) {
    const trail = base.slice(point + 1);
    digitsText = base.slice(0, point) + trail;
    decimals = new TextEncoder().encode(trail).length;
  }
  const digits = parseBigIntText(digitsText);
  if (digits === undefined) return undefined;
  return normalize({ digits, scale: BigInt(decimals) - exponent });
}

/** `BigDecimal::from_str` in graph-node, with its error. */
export function decimalFromString(text: string): Decimal {
  const value = parseDecimal(text);
  if (value === undefined) throw new MappingError(`string  is not a BigDecimal: '${text}'`);
  return value;
}

/** Parses the canonical text the store holds; a malformed one is a store bug, not a mapping failure. */
export function decimalFromCanonical(text: string): Decimal {
  const value = parseDecimal(text);
  if (value === undefined) throw new Error(`The store returned ${JSON.stringify(text)} as a BigDecimal.`);
  return value;
}
