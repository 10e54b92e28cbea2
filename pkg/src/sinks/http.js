// httpSink: a batching destination that POSTs NDJSON to a collector. Works wherever `fetch`
// does (Node >= 20, Deno, browsers, Workers). See batch.js for buffering, retry and counting.
import { batchOptions, batchingDestination, DeliveryError } from "./batch.js";

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

/**
 * `httpSink({ url, headers, batchSize = 100, flushIntervalMs = 1000, maxRetries = 5,
 * maxBufferedEvents = 10000, fetch, timeoutMs = 10000, backoffMs = 200, maxBackoffMs = 30000 })`.
 * Each batch carries an `Idempotency-Key` header, the same on every retry of that batch.
 */
export function httpSink(options) {
  if (options === null || typeof options !== "object") throw new TypeError("httpSink: options must be an object with `url`");
  const url = options.url;
  if (typeof url !== "string" && !(url instanceof URL)) throw new TypeError("httpSink: `url` must be a string or URL");
  const target = String(url);
  try {
    new URL(target, globalThis.location?.href);
  } catch {
    throw new TypeError("httpSink: `url` is not a valid URL");
  }
  const doFetch = options.fetch ?? globalThis.fetch;
  if (typeof doFetch !== "function") throw new TypeError("httpSink: no `fetch` available; pass one as the `fetch` option");
  const headers = {};
  if (options.headers !== undefined && options.headers !== null) {
    if (typeof options.headers !== "object") throw new TypeError("httpSink: `headers` must be an object of strings");
    for (const [k, v] of Object.entries(options.headers)) {
      if (typeof v !== "string") throw new TypeError("httpSink: `headers` values must be strings");
      headers[k] = v;
    }
  }
  const timeoutMs = options.timeoutMs ?? 10000;
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
    const status = Number(res?.status);
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
      const lines = sink._takeBuffered();
      if (lines.length === 0) return;
      let sent = false;
      try {
        sent = nav.sendBeacon(target, new Blob([`${lines.join("\n")}\n`], { type: "application/x-ndjson" }));
      } catch {
        sent = false;
      }
      if (!sent) {
        sink._report.drop(lines.length, "beacon refused");
        sink._report.diagnostic("error", `${lines.length} event(s) dropped at pagehide: sendBeacon refused the batch`);
      } else {
        sink._report.stats.beaconed = (sink._report.stats.beaconed ?? 0) + lines.length;
      }
    });
  }
  return sink;
}
