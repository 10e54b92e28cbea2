// The one batching destination behind httpSink, chainSink, d1Store().sink and queueSink:
// `write(line)` buffers emitted lines (bounded), full batches (or the interval) go to
// `deliver(lines)`, failures retry with exponential backoff and full jitter (honouring a
// server's Retry-After), and whatever is given up is counted as dropped. Diagnostics carry
// counts, statuses and error class names only, never a line's content.
//
// Reporting interface (documented in index.d.ts, `Destination`): a logger given a sink with
// `attach(reporter)` calls it once with `{ dropped(count, reason), diagnostic(level, message) }`;
// the destination reports every event it gives up on through `dropped`, and its diagnostics
// through `diagnostic`. Without a reporter, diagnostics go to the console. `stats` counts too.

/** A delivery failure with what the batcher needs to decide: retry or give up, and when. */
export class DeliveryError extends Error {
  constructor(reason, { retryable = true, retryAfterMs } = {}) {
    super(reason);
    this.name = "DeliveryError";
    this.retryable = retryable;
    this.retryAfterMs = retryAfterMs;
  }
}

function className(err) {
  try {
    const n = err?.constructor?.name ?? err?.name;
    if (typeof n === "string" && /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(n)) return n;
  } catch {
    // hostile error object
  }
  return "Error";
}

/** The reason for a failure, fit for a diagnostic: our own reasons, else the error's class name. */
export function reasonOf(err) {
  if (err instanceof DeliveryError) return err.message;
  return `${className(err)} thrown`;
}

function intOption(options, key, def, min, max = Number.MAX_SAFE_INTEGER) {
  const v = options?.[key];
  if (v === undefined || v === null) return def;
  if (typeof v !== "number" || !Number.isInteger(v)) throw new TypeError(`${key} must be an integer`);
  if (v < min || v > max) throw new RangeError(`${key} must be between ${min} and ${max}`);
  return v;
}

/** Options every batching destination shares, read and checked in one place. */
export function batchOptions(name, options, defaults = {}) {
  const o = options ?? {};
  if (typeof o !== "object") throw new TypeError(`${name}: options must be an object`);
  const random = o.random ?? Math.random;
  if (typeof random !== "function") throw new TypeError(`${name}: random must be a function`);
  return {
    name,
    batchSize: intOption(o, "batchSize", defaults.batchSize ?? 100, 1, 100000),
    flushIntervalMs: intOption(o, "flushIntervalMs", defaults.flushIntervalMs ?? 1000, 0, 2 ** 31 - 1),
    maxRetries: intOption(o, "maxRetries", defaults.maxRetries ?? 5, 0, 1000),
    maxBufferedEvents: intOption(o, "maxBufferedEvents", defaults.maxBufferedEvents ?? 10000, 1, 100000000),
    backoffMs: intOption(o, "backoffMs", defaults.backoffMs ?? 200, 0, 2 ** 31 - 1),
    maxBackoffMs: intOption(o, "maxBackoffMs", defaults.maxBackoffMs ?? 30000, 0, 2 ** 31 - 1),
    maxRetryAfterMs: intOption(o, "maxRetryAfterMs", defaults.maxRetryAfterMs ?? 60000, 0, 2 ** 31 - 1),
    concurrency: intOption(o, "concurrency", defaults.concurrency ?? 1, 1, 64),
    random,
  };
}

function sleep(ms) {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    if (typeof t === "object" && typeof t?.unref === "function") t.unref();
  });
}

function consoleDiagnostic(level, message) {
  const fn = level === "error" ? console.error : level === "warn" ? console.warn : console.debug;
  fn.call(console, `bh-audit-logger ${level}: ${message}`);
}

/**
 * A batching destination. `deliver(lines, attempt)` sends one batch (lines without their
 * newline); it resolves (optionally to `{ rejected }`, lines the receiver refused for good,
 * counted as dropped) or throws (a `DeliveryError` says whether to retry and when; anything
 * else is retried as a network error).
 */
export function batchingDestination(opts, deliver, extra = {}) {
  const { name, batchSize, flushIntervalMs, maxRetries, maxBufferedEvents, backoffMs, maxBackoffMs, maxRetryAfterMs, concurrency, random } = opts;
  let buffer = [];
  let inFlightLines = 0;
  let inFlight = 0;
  let timer = null;
  let flushing = 0; // flush() calls waiting: send partial batches at once
  let overflowing = 0; // events dropped in the current buffer-full run
  const reporters = [];
  const waiters = new Set(); // resolve functions of flush() calls, run whenever work settles
  const active = new Set(); // batches being delivered: { lines, abandoned }
  const stats = { written: 0, delivered: 0, dropped: 0, retries: 0, batches: 0 };

  const diagnostic = (level, message) => {
    const text = `${name}: ${message}`;
    if (reporters.length === 0) return consoleDiagnostic(level, text);
    for (const r of reporters) {
      try {
        r.diagnostic(level, text);
      } catch {
        // a failing reporter must not break delivery
      }
    }
  };

  const drop = (count, reason) => {
    if (count <= 0) return;
    stats.dropped += count;
    for (const r of reporters) {
      try {
        r.dropped(count, reason);
      } catch {
        // as above
      }
    }
  };

  const settled = () => {
    if (buffer.length === 0 && inFlight === 0) {
      for (const w of [...waiters]) w();
    }
  };

  const clearTimer = () => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
  };

  const armTimer = () => {
    if (timer !== null || buffer.length === 0) return;
    timer = setTimeout(() => {
      timer = null;
      pump(true);
    }, flushIntervalMs);
    if (typeof timer === "object" && typeof timer?.unref === "function") timer.unref();
  };

  async function run(batch) {
    const n = batch.lines.length;
    for (let attempt = 0; ; attempt++) {
      let result;
      try {
        result = await deliver(batch.lines, attempt);
      } catch (err) {
        if (batch.abandoned) return;
        const retryable = !(err instanceof DeliveryError) || err.retryable;
        if (retryable && attempt < maxRetries) {
          stats.retries++;
          const cap = Math.min(maxBackoffMs, backoffMs * 2 ** attempt);
          let wait = Math.floor(random() * cap);
          const after = err instanceof DeliveryError ? err.retryAfterMs : undefined;
          if (typeof after === "number" && after > wait) wait = Math.min(after, maxRetryAfterMs);
          await sleep(wait);
          if (batch.abandoned) return;
          continue;
        }
        drop(n, reasonOf(err));
        diagnostic("error", `${n} event(s) dropped: ${reasonOf(err)}${retryable ? ` (after ${attempt} retries)` : ""}`);
        return;
      }
      if (batch.abandoned) return;
      let rejected = 0;
      try {
        const r = result?.rejected;
        if (Number.isInteger(r) && r > 0) rejected = Math.min(r, n);
      } catch {
        rejected = 0;
      }
      stats.delivered += n - rejected;
      stats.batches++;
      if (rejected > 0) {
        drop(rejected, "refused by the receiver (not an event line)");
        diagnostic("error", `${rejected} line(s) refused by the receiver (not an event line); counted as dropped`);
      }
      return;
    }
  }

  function start(lines) {
    const batch = { lines, abandoned: false };
    inFlight++;
    inFlightLines += lines.length;
    active.add(batch);
    run(batch)
      .catch(() => {})
      .finally(() => {
        if (!batch.abandoned) {
          inFlight--;
          inFlightLines -= lines.length;
        }
        active.delete(batch);
        pump(false);
        settled();
      });
  }

  /** Start batches while slots are free: full ones always, partial ones when `partial`. */
  function pump(partial) {
    const sendPartial = partial || flushing > 0;
    while (inFlight < concurrency && buffer.length > 0 && (buffer.length >= batchSize || sendPartial)) {
      const lines = buffer.length <= batchSize ? buffer : buffer.slice(0, batchSize);
      buffer = buffer.length <= batchSize ? [] : buffer.slice(batchSize);
      start(lines);
    }
    if (buffer.length === 0) clearTimer();
    else armTimer();
  }

  const destination = {
    /** Take one emitted line (with or without its trailing newline). Never throws. */
    write(line) {
      if (typeof line !== "string") {
        drop(1, "not a string");
        diagnostic("error", "a write() argument was not a string; counted as dropped");
        return;
      }
      stats.written++;
      if (buffer.length + inFlightLines >= maxBufferedEvents) {
        if (overflowing++ === 0) diagnostic("error", `buffer full (${maxBufferedEvents} events, maxBufferedEvents): dropping events until deliveries catch up`);
        drop(1, "buffer full");
        return;
      }
      if (overflowing > 0) {
        diagnostic("warn", `buffer has room again; ${overflowing} event(s) were dropped while it was full`);
        overflowing = 0;
      }
      buffer.push(line.endsWith("\n") ? line.slice(0, -1) : line);
      if (buffer.length >= batchSize) pump(false);
      else armTimer();
    },

    /**
     * Send what is buffered now and resolve once every batch is delivered or given up. With
     * `timeoutMs`, what is still undelivered then is abandoned and counted as dropped (a batch
     * already sent may still arrive). Never rejects.
     */
    flush(timeoutMs) {
      flushing++;
      pump(true);
      const done = new Promise((resolve) => {
        if (buffer.length === 0 && inFlight === 0) return resolve(true);
        const w = () => {
          waiters.delete(w);
          resolve(true);
        };
        waiters.add(w);
      });
      let timeout = null;
      const limited =
        typeof timeoutMs === "number" && timeoutMs >= 0 && Number.isFinite(timeoutMs)
          ? Promise.race([done, new Promise((resolve) => (timeout = setTimeout(() => resolve(false), Math.min(timeoutMs, 2 ** 31 - 1))))])
          : done;
      return limited.then((ok) => {
        if (timeout !== null) clearTimeout(timeout);
        flushing--;
        if (!ok) {
          let lost = buffer.length;
          buffer = [];
          clearTimer();
          for (const b of active) {
            if (!b.abandoned) {
              b.abandoned = true;
              lost += b.lines.length;
            }
          }
          inFlight = 0;
          inFlightLines = 0;
          if (lost > 0) {
            drop(lost, "flush timeout");
            diagnostic("error", `${lost} event(s) not delivered within ${timeoutMs} ms (flush timeout); counted as dropped`);
          }
          settled();
        }
      });
    },

    /** Called once by a logger (see the reporting interface above). */
    attach(reporter) {
      if (reporter && typeof reporter.dropped === "function" && typeof reporter.diagnostic === "function") reporters.push(reporter);
    },

    /** Counters: `written`, `delivered`, `dropped`, `retries`, `batches`, and `buffered` (held now). */
    get stats() {
      return { ...stats, buffered: buffer.length + inFlightLines };
    },
  };
  for (const [k, v] of Object.entries(extra)) Object.defineProperty(destination, k, { value: v, enumerable: true });
  /** Internal: the lines still buffered (for a `pagehide` beacon), removed from the buffer. */
  Object.defineProperty(destination, "_takeBuffered", {
    value: () => {
      const lines = buffer;
      buffer = [];
      clearTimer();
      return lines;
    },
  });
  Object.defineProperty(destination, "_report", { value: { drop, diagnostic, stats } });
  return destination;
}
