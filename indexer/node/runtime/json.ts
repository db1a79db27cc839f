// JSON as graph-node's `json.fromBytes` reads it: serde_json built with `arbitrary_precision` and without
// `preserve_order`. So numbers keep their exact source text (graph-ts converts them later with json.toI64 & co.),
// object keys come back sorted (a BTreeMap), a repeated key keeps its last value, nesting stops at depth 127, and
// anything serde_json rejects (trailing commas, leading zeros, control characters in strings, lone surrogates,
// a byte order mark, trailing text) is rejected here too. JSON.parse cannot be used: it loses the number text.
import { MappingError } from "./big-number.ts";

export type JsonValue =
  | { kind: "null" }
  | { kind: "bool"; value: boolean }
  | { kind: "number"; text: string }
  | { kind: "string"; value: string }
  | { kind: "array"; items: JsonValue[] }
  | { kind: "object"; entries: [string, JsonValue][] };

/** graph-ts's `JSONValueKind`. */
export const JSON_KIND = { null: 0, bool: 1, number: 2, string: 3, array: 4, object: 5 } as const;

const MAX_JSON_SIZE = 10_000_000;
const RECURSION_LIMIT = 128;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** serde_json's error for `bytes`; graph-node's message wraps it. */
export class JsonSyntaxError extends Error {
  override name = "JsonSyntaxError";
}

export function parseJson(bytes: Uint8Array): JsonValue {
  if (bytes.length > MAX_JSON_SIZE) throw new MappingError(`JSON size exceeds max size of ${MAX_JSON_SIZE}`);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new JsonSyntaxError("invalid UTF-8");
  }
  const parser = new Parser(text);
  parser.skipWhitespace();
  const value = parser.value(RECURSION_LIMIT);
  parser.skipWhitespace();
  if (parser.at < text.length) parser.fail("trailing characters");
  return value;
}

/** Rust's `String` order: by UTF-8 bytes, which is code point order. */
function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

class Parser {
  at = 0;
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }

  fail(message: string): never {
    let line = 1;
    let column = 1;
    for (let i = 0; i < this.at && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 0x0a) {
        line++;
        column = 1;
      } else column++;
    }
    throw new JsonSyntaxError(`${message} at line ${line} column ${column}`);
  }

  skipWhitespace(): void {
    for (;;) {
      const code = this.text.charCodeAt(this.at);
      if (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) this.at++;
      else return;
    }
  }

  expectWord(word: string): void {
    if (this.text.startsWith(word, this.at)) this.at += word.length;
    else this.fail("expected value");
  }

  value(depth: number): JsonValue {
    const code = this.text.charCodeAt(this.at);
    switch (code) {
      case 0x6e: // n
        this.expectWord("null");
        return { kind: "null" };
      case 0x74: // t
        this.expectWord("true");
        return { kind: "bool", value: true };
      case 0x66: // f
        this.expectWord("false");
        return { kind: "bool", value: false };
      case 0x22: // "
        return { kind: "string", value: this.string() };
      case 0x5b: {
        // [
        if (--depth === 0) this.fail("recursion limit exceeded");
        this.at++;
        const items: JsonValue[] = [];
        this.skipWhitespace();
        if (this.text.charCodeAt(this.at) === 0x5d) {
          this.at++;
          return { kind: "array", items };
        }
        for (;;) {
          this.skipWhitespace();
          items.push(this.value(depth));
          this.skipWhitespace();
          const next = this.text.charCodeAt(this.at++);
          if (next === 0x5d) return { kind: "array", items };
          if (next !== 0x2c) this.fail(Number.isNaN(next) ? "EOF while parsing a list" : "expected `,` or `]`");
        }
      }
      case 0x7b: {
        // {
        if (--depth === 0) this.fail("recursion limit exceeded");
        this.at++;
        const map = new Map<string, JsonValue>();
        this.skipWhitespace();
        if (this.text.charCodeAt(this.at) === 0x7d) {
          this.at++;
          return { kind: "object", entries: [] };
        }
        for (;;) {
          this.skipWhitespace();
          if (this.text.charCodeAt(this.at) !== 0x22) this.fail("key must be a string");
          const key = this.string();
          this.skipWhitespace();
          if (this.text.charCodeAt(this.at++) !== 0x3a) this.fail("expected `:`");
          this.skipWhitespace();
          map.set(key, this.value(depth));
          this.skipWhitespace();
          const next = this.text.charCodeAt(this.at++);
          if (next === 0x7d) break;
          if (next !== 0x2c) this.fail(Number.isNaN(next) ? "EOF while parsing an object" : "expected `,` or `}`");
        }
        const entries = [...map.entries()].sort(([a], [b]) => compareKeys(a, b));
        return { kind: "object", entries };
      }
      default:
        if (code === 0x2d || (code >= 0x30 && code <= 0x39)) return { kind: "number", text: this.number() };
        return this.fail(Number.isNaN(code) ? "EOF while parsing a value" : "expected value");
    }
  }

  number(): string {
    const match = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
    match.lastIndex = this.at;
    const found = match.exec(this.text);
    if (!found || found[0] === "-") this.fail("invalid number");
    const text = found[0];
    // What follows must end the number: "01", "1." and "1e" are errors in serde_json, not two tokens.
    const after = this.text.charCodeAt(this.at + text.length);
    if ((after >= 0x30 && after <= 0x39) || after === 0x2e || after === 0x65 || after === 0x45) {
      this.at += text.length;
      this.fail("invalid number");
    }
    this.at += text.length;
    return text;
  }

  string(): string {
    this.at++; // opening quote
    let out = "";
    let chunkStart = this.at;
    for (;;) {
      const code = this.text.charCodeAt(this.at);
      if (Number.isNaN(code)) this.fail("EOF while parsing a string");
      if (code === 0x22) {
        out += this.text.slice(chunkStart, this.at);
        this.at++;
        return out;
      }
      if (code < 0x20) this.fail("control character (\\u0000-\\u001F) found while parsing a string");
      if (code !== 0x5c) {
        this.at++;
        continue;
      }
      out += this.text.slice(chunkStart, this.at);
      this.at++;
      const escape = this.text[this.at++];
      switch (escape) {
        case '"':
          out += '"';
          break;
        case "\\":
          out += "\\";
          break;
        case "/":
          out += "/";
          break;
        case "b":
          out += "\b";
          break;
        case "f":
          out += "\f";
          break;
        case "n":
          out += "\n";
          break;
        case "r":
          out += "\r";
          break;
        case "t":
          out += "\t";
          break;
        case "u": {
          const unit = this.hex4();
          if (unit >= 0xdc00 && unit <= 0xdfff) this.fail("lone leading surrogate in hex escape");
          if (unit >= 0xd800 && unit <= 0xdbff) {
            if (this.text[this.at] !== "\\" || this.text[this.at + 1] !== "u") {
              this.fail("unexpected end of hex escape");
            }
            this.at += 2;
            const low = this.hex4();
            if (low < 0xdc00 || low > 0xdfff) this.fail("lone leading surrogate in hex escape");
            out += String.fromCharCode(unit, low);
          } else {
            out += String.fromCharCode(unit);
          }
          break;
        }
        default:
          this.fail("invalid escape");
      }
      chunkStart = this.at;
    }
  }

  hex4(): number {
    const digits = this.text.slice(this.at, this.at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) this.fail("invalid escape");
    this.at += 4;
    return parseInt(digits, 16);
  }
}
