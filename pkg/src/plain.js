// The input rule both entries apply before a value becomes JSON text for the core: plain data
// only (nothing JSON.stringify would silently drop), within the input limit. Internal.

/**
 * Largest text, in UTF-16 code units, that enters the core in one call (the JSON of an
 * `audit()` call or of an event, a `validateEvent` string, a `sanitizeErrorMessage` text).
 * Larger input is refused before the core is entered (a counted validation failure).
 */
export const MAX_INPUT_LENGTH = 1 << 20;

/**
 * JSON.stringify silently drops symbol- and function-valued properties; a call's data must not
 * change shape on the way in, so such values are refused. A plain walk (own enumerable keys,
 * as JSON.stringify sees them) keeps JSON.stringify on its fast path, unlike a replacer.
 * Cycles and excessive depth are left to JSON.stringify and the core, which reject them.
 */
function assertPlain(value, depth = 0) {
  const t = typeof value;
  // Every value takes at least one character of JSON, a string at least its length: input
  // far over the limit is refused before JSON.stringify builds it (hundreds of MB, say).
  if (--budget < 0) throw TOO_BIG;
  if (t === "string") {
    if ((budget -= value.length) < 0) throw TOO_BIG;
    return;
  }
  if (t === "symbol" || t === "function") throw new TypeError("unsupported value");
  if (t !== "object" || value === null || depth > 64 || typeof value.toJSON === "function") return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) assertPlain(value[i], depth + 1);
  } else {
    for (const k in value) {
      if (Object.prototype.hasOwnProperty.call(value, k)) {
        budget -= k.length;
        assertPlain(value[k], depth + 1);
      }
    }
  }
}

/** What assertPlain throws when the data is over the input limit (checked again on the JSON). */
export const TOO_BIG = new RangeError("input too large");
let budget = 0;

/** assertPlain over a call's or an event's data, with the input limit as budget. */
export function assertPlainInput(value) {
  budget = MAX_INPUT_LENGTH;
  assertPlain(value);
}
