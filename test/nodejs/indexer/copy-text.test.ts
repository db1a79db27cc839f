// The COPY text writer against the format's rules spelled out the slow way: escape with string replacements, then
// encode with TextEncoder. Random strings mix the characters COPY and array literals treat specially with multi-byte
// UTF-8 (two, three and four bytes), so both the plain-ASCII fast path and the fallback are compared.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { CopyTextWriter } from "../../../indexer/node/store/copy-text.ts";

const utf8 = new TextEncoder();

function copyEscaped(text: string): string {
  return text.replace(/[\t\n\r\\]/g, (special) => ({ "\t": "\\t", "\n": "\\n", "\r": "\\r", "\\": "\\\\" })[special]!);
}

function arrayItemEscaped(text: string): string {
  // The array literal's escapes first (`"` and `\`), then COPY's.
  return `"${copyEscaped(text.replace(/["\\]/g, (special) => `\\${special}`))}"`;
}

function written(write: (out: CopyTextWriter) => void, initialCapacity = 4): Uint8Array {
  const out = new CopyTextWriter(initialCapacity);
  write(out);
  return out.take();
}

/** A deterministic generator (xorshift32), so that a failure repeats. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

const PIECES = ["a", "Z", "0", " ", "\t", "\n", "\r", "\\", '"', "{", ",", "N", "é", "€", "🚀", "\u0080", "\uffff"];

describe("COPY text writer", () => {
  it("writes text fields and array items as the escaping rules and UTF-8 say", () => {
    const next = random(0x5eed);
    for (let round = 0; round < 2_000; round++) {
      let text = "";
      const length = Math.floor(next() * 40);
      // Mostly plain ASCII, as real values are, with a special or multi-byte character now and then.
      for (let index = 0; index < length; index++) {
        text += next() < 0.8 ? PIECES[Math.floor(next() * 4)]! : PIECES[Math.floor(next() * PIECES.length)]!;
      }
      assert.deepEqual(
        written((out) => out.text(text)),
        utf8.encode(copyEscaped(text)),
        JSON.stringify(text),
      );
      assert.deepEqual(
        written((out) => out.arrayItemText(text)),
        utf8.encode(arrayItemEscaped(text)),
        JSON.stringify(text),
      );
    }
    assert.equal(new TextDecoder().decode(written((out) => out.text('a\tb\\c\n"d"\r'))), 'a\\tb\\\\c\\n"d"\\r');
    assert.equal(new TextDecoder().decode(written((out) => out.arrayItemText('q"\\'))), '"q\\\\"\\\\\\\\"');
  });

  it("writes integers and hex digits", () => {
    const text = (write: (out: CopyTextWriter) => void) => new TextDecoder().decode(written(write));
    for (const value of [0, 7, 9, 10, -1, -9, 2_147_483_647, -2_147_483_648, 0n, 9n, -(2n ** 255n), 2n ** 256n]) {
      assert.equal(
        text((out) => out.integer(value)),
        String(value),
      );
    }
    assert.equal(
      text((out) => out.hex(Uint8Array.of(0x00, 0x0f, 0xa0, 0xff))),
      "000fa0ff",
    );
    assert.equal(
      text((out) => out.hex(new Uint8Array(0))),
      "",
    );
  });

  it("hands over what was written in a buffer of its own, and goes on from empty", () => {
    const out = new CopyTextWriter(2);
    out.ascii("1");
    out.tab();
    out.ascii("\\N");
    out.newline();
    const first = out.take();
    assert.equal(new TextDecoder().decode(first), "1\t\\N\n");
    assert.equal(first.byteOffset, 0);
    assert.equal(first.byteLength, first.buffer.byteLength, "the buffer holds the rows only: it can be transferred");
    assert.equal(out.length, 0);
    out.text("x".repeat(1_000));
    const second = out.take();
    assert.equal(second.length, 1_000);
    assert.equal(new TextDecoder().decode(first), "1\t\\N\n", "writing on leaves what was taken alone");
    assert.notEqual(first.buffer, second.buffer);
  });
});
