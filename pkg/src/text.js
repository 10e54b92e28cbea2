// The last step of every text that leaves the package (diagnostics, error messages, CLI
// output): control characters escaped, length capped. Plain JS, shared by both entries.
// Internal: not part of the public API.

/** Cap, in UTF-16 code units, for any diagnostic or error message the package produces. */
export const MAX_TEXT_LENGTH = 2000;

// C0 and C1 controls, DEL, line/paragraph separators, bidirectional controls and lone
// surrogates: anything that could rewrite a terminal line or a log viewer's display.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const UNSAFE_TEST = new RegExp(UNSAFE.source);

function escapeChar(c) {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * The last step of every text that leaves the package (diagnostics, error messages):
 * control characters escaped as `\uXXXX`, at most MAX_TEXT_LENGTH code units (ending in
 * "..."). Values never reach it unsanitized; key names reach it redacted by the core.
 */
export function publicText(text) {
  let s = typeof text === "string" ? text : "(no text)";
  if (UNSAFE_TEST.test(s)) s = s.replace(UNSAFE, escapeChar);
  if (s.length > MAX_TEXT_LENGTH) {
    let end = MAX_TEXT_LENGTH - 3;
    const c = s.charCodeAt(end - 1);
    if (c >= 0xd800 && c <= 0xdbff) end--; // never split a surrogate pair
    s = `${s.slice(0, end)}...`;
  }
  return s;
}
