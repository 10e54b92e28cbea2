// httpSink: a batching destination that POSTs NDJSON to a collector. Works wherever `fetch`
// does (Node >= 20, Deno, browsers, Workers). See batch.js for buffering, retry and counting.
import { batchOptions, batchingDestination, DeliveryError, own } from "./batch.js";

/** Retry-After as milliseconds (delta-seconds or an HTTP date), or undefined. */
export function retryAfterMs(value, now = Date.now()) {
  if (typeof value !== "string" || value.length === 0 || value.length > 64) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function randomKey() {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === "function") return c.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** RFC 9110 token: what a header name may be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A header value fetch accepts as is: no CR, LF or NUL, no code unit above 0xFF, no edge whitespace. */
const FIELD_VALUE = /^(?:[\x21-\x7e\x80-\xff](?:[\t\x20-\x7e\x80-\xff]*[\x21-\x7e\x80-\xff])?)?$/;

/**
 * The collector's URL, checked at construction: absolute http(s) (relative to the page in a
 * browser), without credentials. Errors name the option, never its value.
 */
function collectorUrl(url) {
  if (typeof url !== "string" && !(url instanceof URL)) throw new TypeError("httpSink: `url` must be a string or URL");
  let parsed;
  try {
    parsed = new URL(String(url), globalThis.location?.href);
  } catch {
    throw new TypeError("httpSink: `url` is not a valid URL");
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") throw new RangeError("httpSink: `url` must be an http: or https: URL");
  if (parsed.username !== "" || parsed.password !== "") {
    throw new RangeError("httpSink: `url` must not contain credentials (pass them in `headers`, e.g. authorization)");
  }
  return parsed.href;
}

/** The `headers` option as a plain object of valid names and values (own properties only). */
function headerOption(value) {
  const headers = {};
  if (value === undefined || value === null) return headers;
  if (typeof value !== "object") throw new TypeError("httpSink: `headers` must be an object of strings");
  let keys;
  try {
    keys = Object.keys(value);
  } catch {
    throw new TypeError("httpSink: `headers` cannot be read");
  }
  for (const k of keys) {
    if (!TOKEN.test(k)) throw new RangeError("httpSink: a `headers` name is not a valid HTTP header name");
    let v;
    try {
      v = value[k];
    } catch {
      throw new TypeError("httpSink: a `headers` value cannot be read");
    }
    if (typeof v !== "string") throw new TypeError("httpSink: `headers` values must be strings");
    if (!FIELD_VALUE.test(v)) {
      throw new RangeError("httpSink: a `headers` value is not a valid HTTP header value (CR, LF, NUL, characters above U+00FF, or leading/trailing whitespace)");
    }
    const lower = k.toLowerCase();
    if (lower === "content-type" || lower === "idempotency-key") throw new RangeError("httpSink: `headers` must not set content-type or idempotency-key (the sink sets them)");
    headers[k] = v;
  }
  return headers;
}

/**
 * `httpSink({ url, headers, batchSize = 100, flushIntervalMs = 1000, maxRetries = 5,
 * maxBufferedEvents = 10000, fetch, timeoutMs = 10000, backoffMs = 200, maxBackoffMs = 30000 })`.
 * Each batch carries an `Idempotency-Key` header, the same on every retry of that batch.
 * Redirects are never followed: a 3xx answer is a failed delivery (a POST turned into a GET,
 * or a batch re-sent to another origin with its headers, is never "delivered").
 */
export function httpSink(options) {
  if (options === null || typeof options !== "object") throw new TypeError("httpSink: options must be an object with `url`");
  const target = collectorUrl(own(options, "url"));
  const doFetch = own(options, "fetch") ?? globalThis.fetch;
  if (typeof doFetch !== "function") throw new TypeError("httpSink: no `fetch` available; pass one as the `fetch` option");
  const headers = headerOption(own(options, "headers"));
  const timeoutMs = own(options, "timeoutMs") ?? 10000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new RangeError("httpSink: `timeoutMs` must be a positive integer");
  const opts = batchOptions("httpSink", options);

  const keys = new WeakMap(); // batch (its lines array) -> Idempotency-Key, stable across retries
  const deliver = async (lines) => {
    let key = keys.get(lines);
    if (key === undefined) keys.set(lines, (key = randomKey()));
    const controller = typeof AbortController === "function" ? new AbortController() : null;
    const timer = setTimeout(() => controller?.abort(), timeoutMs);
    let res;
    try {
      res = await doFetch.call(globalThis, target, {
        method: "POST",
        headers: { ...headers, "content-type": "application/x-ndjson", "idempotency-key": key },
        body: `${lines.join("\n")}\n`,
        redirect: "manual",
        signal: controller?.signal,
      });
      // The body is read (and discarded) so the connection can be reused.
      await res.arrayBuffer?.().catch(() => {});
    } catch (err) {
      if (controller?.signal.aborted) throw new DeliveryError(`no response within ${timeoutMs} ms`);
      throw new DeliveryError(`network error (${err?.name === "AbortError" ? "AbortError" : "fetch failed"})`);
    } finally {
      clearTimeout(timer);
    }
    let status;
    let opaque;
    try {
      status = Number(res?.status);
      opaque = res?.type === "opaqueredirect";
    } catch {
      status = NaN;
      opaque = false;
    }
    // A redirect is never followed (`redirect: "manual"`; a browser answers with an opaque
    // redirect, status 0) and never counts as delivered; it is not retried either.
    if (opaque || (status >= 300 && status < 400)) {
      throw new DeliveryError(`collector answered ${opaque ? "a redirect" : status} (redirects are not followed)`, { retryable: false });
    }
    if (status >= 200 && status < 300) return undefined;
    const retryable = status === 408 || status === 429 || status >= 500;
    let after;
    try {
      after = retryAfterMs(res.headers?.get?.("retry-after"));
    } catch {
      after = undefined;
    }
    throw new DeliveryError(`collector answered ${Number.isInteger(status) ? status : "an invalid status"}`, { retryable, retryAfterMs: after });
  };

  const sink = batchingDestination(opts, deliver);

  // Browsers: the page may go away before the timer fires; what is still buffered at
  // `pagehide` goes out with sendBeacon (it cannot carry headers, retry or report delivery).
  const nav = globalThis.navigator;
  if (typeof globalThis.addEventListener === "function" && typeof nav?.sendBeacon === "function" && typeof globalThis.document !== "undefined") {
    globalThis.addEventListener("pagehide", () => {
      const { lines, settle } = sink._takeBuffered();
      if (lines.length === 0) return;
      let sent = false;
      try {
        sent = nav.sendBeacon(target, new Blob([`${lines.join("\n")}\n`], { type: "application/x-ndjson" }));
      } catch {
        sent = false;
      }
      if (!sent) {
        settle("sendBeacon refused the batch at pagehide");
      } else {
        // Handed to the browser, which sends it after the page is gone: counted as delivered.
        sink._stats.beaconed = (sink._stats.beaconed ?? 0) + lines.length;
        settle();
      }
    });
  }
  return sink;
}
