// PostgreSQL's COPY text format, written straight into bytes: what the store hands PGlite's `COPY … FROM '/dev/blob'`.
//
// COPY reads a backslash as the start of an escape and a tab, newline or carriage return as the end of a field or row,
// so those four are escaped in every field; nothing else is special (the store refuses NUL characters and unpaired
// surrogates at `store.set()`, so every string has a UTF-8 encoding). Arrays are PostgreSQL array literals, which have
// their own quoting inside the field: an item is double-quoted with `"` and `\` backslash-escaped, and those
// backslashes are then escaped again for COPY.
//
// Rows are written as UTF-8 into one growing buffer rather than built as strings: a batch of versions is megabytes of
// text, and strings built piece by piece would be flattened, copied to the database's thread and encoded to UTF-8
// there, each a pass over all of it. The bytes of a batch go over as they are, their buffer transferred, not copied.

const TAB = 0x09;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The ASCII codes of each byte's two lowercase hex digits. */
const HEX_HIGH = new Uint8Array(256);
const HEX_LOW = new Uint8Array(256);
for (let byte = 0; byte < 256; byte++) {
  const digits = byte.toString(16).padStart(2, "0");
  HEX_HIGH[byte] = digits.charCodeAt(0);
  HEX_LOW[byte] = digits.charCodeAt(1);
}

const COPY_ESCAPES: Record<string, string> = { "\t": "\\t", "\n": "\\n", "\r": "\\r", "\\": "\\\\" };
const COPY_SPECIAL_ALL = /[\t\n\r\\]/g;
/** A quoted array item in a COPY field: `"` and `\` escaped for the array literal, then every backslash for COPY. */
const ARRAY_ITEM_ESCAPES: Record<string, string> = { ...COPY_ESCAPES, '"': '\\\\"', "\\": "\\\\\\\\" };
const ARRAY_ITEM_SPECIAL_ALL = /["\t\n\r\\]/g;

const utf8 = new TextEncoder();

/** Rows of COPY text accumulating in one buffer; {@link take} hands over what was written. */
export class CopyTextWriter {
  #bytes: Uint8Array<ArrayBuffer>;
  #length = 0;

  constructor(initialCapacity = 64 * 1024) {
    this.#bytes = new Uint8Array(initialCapacity);
  }

  /** How many bytes were written since the last {@link take}. */
  get length(): number {
    return this.#length;
  }

  /** What was written, in a buffer of its own (safe to transfer), and starts over. */
  take(): Uint8Array<ArrayBuffer> {
    const taken = this.#bytes.slice(0, this.#length);
    this.#length = 0;
    return taken;
  }

  /** Room for `count` more bytes. */
  #reserve(count: number): Uint8Array<ArrayBuffer> {
    const needed = this.#length + count;
    if (needed > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(this.#bytes.length * 2, needed));
      grown.set(this.#bytes.subarray(0, this.#length));
      this.#bytes = grown;
    }
    return this.#bytes;
  }

  #byte(code: number): void {
    this.#reserve(1)[this.#length++] = code;
  }

  /** A field separator. */
  tab(): void {
    this.#byte(TAB);
  }

  /** The end of a row. */
  newline(): void {
    this.#byte(NEWLINE);
  }

  /** Text that is ASCII with nothing to escape: numbers, `\N`, booleans, fixed syntax. */
  ascii(text: string): void {
    const bytes = this.#reserve(text.length);
    let at = this.#length;
    for (let index = 0; index < text.length; index++) bytes[at++] = text.charCodeAt(index);
    this.#length = at;
  }

  /** An integer (a number or a bigint). */
  integer(value: number | bigint): void {
    if (typeof value === "number" && value >= 0 && value < 10) this.#byte(0x30 + value);
    else this.ascii(String(value));
  }

  /** `bytes` as lowercase hex digits. */
  hex(bytes: Uint8Array): void {
    const out = this.#reserve(bytes.length * 2);
    let at = this.#length;
    for (let index = 0; index < bytes.length; index++) {
      const byte = bytes[index]!;
      out[at++] = HEX_HIGH[byte]!;
      out[at++] = HEX_LOW[byte]!;
    }
    this.#length = at;
  }

  /** A text field: escaped for COPY and encoded as UTF-8. */
  text(text: string): void {
    if (!this.#plainAscii(text, false)) this.#utf8(text.replace(COPY_SPECIAL_ALL, (special) => COPY_ESCAPES[special]!));
  }

  /** A text item of an array literal inside a field: quoted, escaped for the literal and then for COPY. */
  arrayItemText(text: string): void {
    this.#byte(QUOTE);
    if (!this.#plainAscii(text, true)) {
      this.#utf8(text.replace(ARRAY_ITEM_SPECIAL_ALL, (special) => ARRAY_ITEM_ESCAPES[special]!));
    }
    this.#byte(QUOTE);
  }

  /**
   * Writes `text` and returns true when it is ASCII with nothing to escape (in an array item, no quote either), the
   * common case; otherwise writes nothing and returns false.
   */
  #plainAscii(text: string, inArray: boolean): boolean {
    const bytes = this.#reserve(text.length);
    let at = this.#length;
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (
        code >= 0x80 ||
        code === BACKSLASH ||
        code === TAB ||
        code === NEWLINE ||
        code === CARRIAGE_RETURN ||
        (inArray && code === QUOTE)
      ) {
        return false;
      }
      bytes[at++] = code;
    }
    this.#length = at;
    return true;
  }

  #utf8(text: string): void {
    // At most three bytes per UTF-16 code unit.
    const bytes = this.#reserve(text.length * 3);
    this.#length += utf8.encodeInto(text, bytes.subarray(this.#length)).written;
  }
}
