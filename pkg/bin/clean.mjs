// Output safety of the bh-audit CLI, shared by every subcommand (bh-audit.mjs, fhir.mjs): the
// one escaper, so no output line carries a character that could rewrite a terminal or a viewer.

// C0 and C1 controls, DEL, line/paragraph separators, bidi embeddings, overrides and isolates.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const hex4 = (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
/** One line of human output: every unsafe character written as a \uXXXX escape. */
export const clean = (text) => String(text).replace(UNSAFE, hex4);
// JSON.stringify escapes C0 controls inside strings; its raw newlines are only the layout's.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** JSON text (C0 controls already escaped, as JSON.stringify and the core write them): the remaining unsafe characters escaped the same way (still valid JSON, same values). */
export const cleanJsonText = (text) => text.replace(UNSAFE_IN_JSON, hex4);
/** JSON output of a value, escaped as cleanJsonText. */
export const cleanJson = (value) => cleanJsonText(JSON.stringify(value, null, 2));
