// Lines of a trail, as the core reads them (src/trail.rs `LineSplitter`): one limit on a line,
// in UTF-8 bytes, and one way to split text into lines. Used by the stores (cloudflare.js) and
// the CLI's `fhir` subcommand; no wasm here.

/**
 * The longest line the chain verifiers read, in UTF-8 bytes without its terminator: the core's
 * `MAX_LINE_BYTES` (src/integrity.rs). A store refuses a longer line; the logger never emits one
 * (its own limit, `MAX_EMITTED_LINE_BYTES`, leaves room for an integrity block).
 * tests/js/line-limit.test.mjs pins both against the core.
 */
export const MAX_LINE_BYTES = 1 << 20;
/** The core's `MAX_EMITTED_LINE_BYTES`: MAX_LINE_BYTES less room for the longest integrity block. */
export const MAX_EMITTED_LINE_BYTES = MAX_LINE_BYTES - 512;

/** UTF-8 length of a string (a lone surrogate counts 3 bytes, as U+FFFD), without encoding it. */
export function utf8Length(text) {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a pair: 4 bytes for 2 units
      i++;
    } else n += 2;
  }
  return n;
}

/**
 * Splits text given in pieces into lines as the core does: a line ends at "\n", "\r\n" or "\r"
 * (a "\r\n" split across two pieces is one terminator); the last line needs no terminator.
 * `push(piece)` returns the lines it completed; `end()` the last one, if any. Works on strings
 * or on bytes (Uint8Array pieces give Uint8Array lines). Lines are returned without terminator.
 */
export class LineSplitter {
  /** What `push`/`end` give for a line longer than `max` (its content is not kept). */
  static TOO_LONG = Symbol("line too long");
  #rest = null;
  #afterCr = false;
  #max;
  #over = false;

  /** `max`: the longest line kept, in units of the pieces (bytes for Uint8Array); default unbounded. */
  constructor({ max = Infinity } = {}) {
    this.#max = max;
  }

  push(piece) {
    const lines = [];
    const bytes = typeof piece !== "string";
    let start = 0;
    if (this.#afterCr && piece.length > 0) {
      this.#afterCr = false;
      if ((bytes ? piece[0] : piece.charCodeAt(0)) === 10) start = 1;
    }
    for (let i = start; i < piece.length; i++) {
      const c = bytes ? piece[i] : piece.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      lines.push(this.#take(piece, start, i, bytes));
      if (c === 13) {
        if (i + 1 === piece.length) this.#afterCr = true;
        else if ((bytes ? piece[i + 1] : piece.charCodeAt(i + 1)) === 10) i++;
      }
      start = i + 1;
    }
    if (start < piece.length) this.#keep(bytes ? piece.subarray(start) : piece.slice(start), bytes);
    return lines;
  }

  /** The last line (text after the last terminator), or nothing. */
  end() {
    const rest = this.#rest;
    const over = this.#over;
    this.#rest = null;
    this.#over = false;
    this.#afterCr = false;
    if (over) return [LineSplitter.TOO_LONG];
    return rest === null || rest.length === 0 ? [] : [rest];
  }

  #keep(part, bytes) {
    if (this.#over) return;
    if ((this.#rest?.length ?? 0) + part.length > this.#max) {
      this.#over = true;
      this.#rest = null;
      return;
    }
    this.#rest = this.#join(this.#rest, part, bytes);
  }

  #take(piece, from, to, bytes) {
    this.#keep(bytes ? piece.subarray(from, to) : piece.slice(from, to), bytes);
    const line = this.#over ? LineSplitter.TOO_LONG : (this.#rest ?? (bytes ? new Uint8Array(0) : ""));
    this.#rest = null;
    this.#over = false;
    return line;
  }

  #join(a, b, bytes) {
    if (a === null) return bytes ? b.slice() : b;
    if (!bytes) return a + b;
    const out = new Uint8Array(a.length + b.length);
    out.set(a, 0);
    out.set(b, a.length);
    return out;
  }
}

/** Every line of a whole text, split as the core splits (empty lines included). */
export function splitLines(text) {
  const s = new LineSplitter();
  return [...s.push(text), ...s.end()];
}
