// Find where things are in JSON *text* (not in a parsed value): the span of the value a JSON
// pointer names, and the offset a parser's line/column names. Pure functions, no DOM, so
// they run under Node too. Offsets are UTF-16 indices into the string, as a <textarea> counts.

const WS = new Set([" ", "\t", "\n", "\r"]);

/** Split an RFC 6901 pointer into its unescaped reference tokens. */
export function pointerTokens(pointer) {
  if (pointer === "" || pointer === undefined || pointer === null) return [];
  const parts = String(pointer).split("/");
  if (parts[0] !== "") throw new Error(`not a JSON pointer: ${pointer}`);
  return parts.slice(1).map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function skipWs(text, pos) {
  while (pos < text.length && WS.has(text[pos])) pos++;
  return pos;
}

/** End (exclusive) of the string starting at `pos` (a `"`), or text.length when unclosed. */
function skipString(text, pos) {
  let i = pos + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === "\\") i += 2;
    else if (c === '"') return i + 1;
    else if (c === "\n") return i; // an unclosed string stops at the line's end
    else i++;
  }
  return text.length;
}

/** End (exclusive) of the value starting at `pos`; tolerant of broken input. */
function skipValue(text, pos) {
  const c = text[pos];
  if (c === '"') return skipString(text, pos);
  if (c === "{" || c === "[") {
    let depth = 0;
    let i = pos;
    while (i < text.length) {
      const d = text[i];
      if (d === '"') {
        i = skipString(text, i);
        continue;
      }
      if (d === "{" || d === "[") depth++;
      else if (d === "}" || d === "]") {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return text.length;
  }
  let i = pos;
  while (i < text.length && !WS.has(text[i]) && !",]}:".includes(text[i])) i++;
  return i === pos ? Math.min(pos + 1, text.length) : i;
}

function decodeKey(text, start, end) {
  const raw = text.slice(start, end);
  try {
    return JSON.parse(raw);
  } catch {
    return raw.slice(1, raw.endsWith('"') && raw.length > 1 ? -1 : undefined);
  }
}

/**
 * Locate the value a JSON pointer names.
 * Returns `{ found, start, end, keyStart, keyEnd, kind, depth }`: `start`/`end` span the value
 * (or, when `found` is false, the deepest value reached); `keyStart`/`keyEnd` span its member
 * name when it is an object member (else -1); `kind` is "object", "array" or "scalar";
 * `depth` counts the tokens matched. With duplicate keys the last one wins, as in parsers.
 */
export function locatePointer(text, pointer) {
  const tokens = pointerTokens(pointer);
  let pos = skipWs(text, 0);
  let keyStart = -1;
  let keyEnd = -1;
  let depth = 0;
  const result = (found) => {
    const start = Math.min(pos, text.length);
    const end = start < text.length ? skipValue(text, start) : start;
    const c = text[start];
    return { found, start, end, keyStart, keyEnd, depth, kind: c === "{" ? "object" : c === "[" ? "array" : "scalar" };
  };
  for (const token of tokens) {
    const c = text[pos];
    let next = -1;
    let nextKeyStart = -1;
    let nextKeyEnd = -1;
    if (c === "{") {
      let i = skipWs(text, pos + 1);
      while (i < text.length && text[i] === '"') {
        const ks = i;
        const ke = skipString(text, i);
        i = skipWs(text, ke);
        if (text[i] !== ":") break;
        i = skipWs(text, i + 1);
        if (decodeKey(text, ks, ke) === token) {
          next = i;
          nextKeyStart = ks;
          nextKeyEnd = ke;
        }
        if (i >= text.length) break;
        i = skipWs(text, skipValue(text, i));
        if (text[i] !== ",") break;
        i = skipWs(text, i + 1);
      }
    } else if (c === "[" && /^(0|[1-9][0-9]*)$/.test(token)) {
      const want = Number(token);
      let i = skipWs(text, pos + 1);
      for (let n = 0; i < text.length && text[i] !== "]"; n++) {
        if (n === want) {
          next = i;
          break;
        }
        i = skipWs(text, skipValue(text, i));
        if (text[i] !== ",") break;
        i = skipWs(text, i + 1);
      }
    }
    if (next < 0) return result(false);
    pos = next;
    keyStart = nextKeyStart;
    keyEnd = nextKeyEnd;
    depth++;
  }
  return result(true);
}

/**
 * The UTF-16 offset of a parser position given as a 1-based line and a 1-based column that
 * counts UTF-8 bytes (serde_json's convention; column 0 means the start of the line).
 * Returns `{ offset, line, column }` with `column` counted in code points (1-based).
 */
export function offsetOfLineColumn(text, line, byteColumn) {
  let lineStart = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf("\n", lineStart);
    if (nl < 0) {
      lineStart = text.length;
      break;
    }
    lineStart = nl + 1;
  }
  let lineEnd = text.indexOf("\n", lineStart);
  if (lineEnd < 0) lineEnd = text.length;
  let offset = lineStart;
  let bytes = 0;
  let points = 0;
  const want = Math.max(0, (byteColumn | 0) - 1);
  while (offset < lineEnd && bytes < want) {
    const cp = text.codePointAt(offset);
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    offset += cp > 0xffff ? 2 : 1;
    points++;
  }
  return { offset, line, column: points + 1 };
}

/** 1-based line and code-point column of a UTF-16 offset. */
export function lineColumnOf(text, offset) {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: [...text.slice(lineStart, offset)].length + 1 };
}
