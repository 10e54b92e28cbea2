// The one batching destination behind httpSink, chainSink, d1Store().sink and queueSink:
// lines are buffered (bounded), full batches (or the interval) go to `deliver(lines)`,
// failures retry with exponential backoff and full jitter (honouring a server's
// Retry-After), and whatever is given up is counted as dropped. Diagnostics carry counts,
// statuses, positions in a batch and error class names only, never a line's content.
//
// Delivery model (API.md "Sinks"; documented in index.d.ts, `Destination.attach`): an event
// written to a batching destination is pending until its batch is delivered (the logger
// counts it emitted) or given up (dropped): exactly one counter per event. A logger calls
// `attach(reporter)` once and writes through the port it returns; every entry written
// through the port carries that logger's `reporter` ({ settled(delivered, dropped),
// diagnostic(level, message) }) until it settles, and nothing else keeps it: a destination
// shared by many loggers reports each event to the logger that wrote it and holds no
// reference to a logger whose events have all settled. `write(line)` without a port counts
// in `stats` only; its diagnostics go to the console.

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

/** `options[key]` when `options` has it as its own property (never a prototype's). */
export function own(options, key) {
  if (options === null || options === undefined || (typeof options !== "object" && typeof options !== "function")) return undefined;
  return Object.prototype.hasOwnProperty.call(options, key) ? options[key] : undefined;
}

function intOption(name, options, key, def, min, max = Number.MAX_SAFE_INTEGER) {
  const v = own(options, key);
  if (v === undefined || v === null) return def;
  if (typeof v !== "number" || !Number.isInteger(v)) throw new TypeError(`${name}: \`${key}\` must be an integer`);
  if (v < min || v > max) throw new RangeError(`${name}: \`${key}\` must be between ${min} and ${max}`);
  return v;
}

/** Options every batching destination shares, read (own properties only) and checked in one place. */
export function batchOptions(name, options, defaults = {}) {
  const o = options ?? {};
  if (typeof o !== "object") throw new TypeError(`${name}: options must be an object`);
  const random = own(o, "random") ?? Math.random;
  if (typeof random !== "function") throw new TypeError(`${name}: \`random\` must be a function`);
  return {
    name,
    batchSize: intOption(name, o, "batchSize", defaults.batchSize ?? 100, 1, 100000),
    flushIntervalMs: intOption(name, o, "flushIntervalMs", defaults.flushIntervalMs ?? 1000, 0, 2 ** 31 - 1),
    maxRetries: intOption(name, o, "maxRetries", defaults.maxRetries ?? 5, 0, 1000),
    maxBufferedEvents: intOption(name, o, "maxBufferedEvents", defaults.maxBufferedEvents ?? 10000, 1, 100000000),
    backoffMs: intOption(name, o, "backoffMs", defaults.backoffMs ?? 200, 0, 2 ** 31 - 1),
    maxBackoffMs: intOption(name, o, "maxBackoffMs", defaults.maxBackoffMs ?? 30000, 0, 2 ** 31 - 1),
    maxRetryAfterMs: intOption(name, o, "maxRetryAfterMs", defaults.maxRetryAfterMs ?? 60000, 0, 2 ** 31 - 1),
    concurrency: intOption(name, o, "concurrency", defaults.concurrency ?? 1, 1, 64),
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

/** A reporter as the logger passes it, or null when it is not one. */
function asReporter(r) {
  try {
    if (r && typeof r.settled === "function" && typeof r.diagnostic === "function") return r;
  } catch {
    // a hostile object is no reporter
  }
  return null;
}

/** Indexes in [0, n) from a receiver's answer (`rejected`, `conflicts`), each once. */
function indexesOf(v, n) {
  const out = new Set();
  try {
    if (!Array.isArray(v)) return out;
    for (const i of v) if (Number.isInteger(i) && i >= 0 && i < n) out.add(i);
  } catch {
    // an unreadable answer names no line
  }
  return out;
}

/** Internal: take a line for `reporter` (the lower level of `attach`'s port, used by `fanout`). */
export const TAKE = Symbol("bh-audit-logger.take");

/**
 * A batching destination. `deliver(lines, attempt)` sends one batch (lines without their
 * newline); it resolves (optionally to `{ rejected, conflicts }`: indexes of lines the
 * receiver refused for good, not event lines or an `event_id` already stored with other
 * content, each counted as dropped) or throws (a `DeliveryError` says whether to retry and
 * when; anything else is retried as a network error).
 */
export function batchingDestination(opts, deliver, extra = {}) {
  const { name, batchSize, flushIntervalMs, maxRetries, maxBufferedEvents, backoffMs, maxBackoffMs, maxRetryAfterMs, concurrency, random } = opts;
  let buffer = []; // entries not in a batch yet: { line, r (reporter or null), seq, done }
  let inFlight = 0; // batches being delivered (not abandoned)
  let inFlightLines = 0;
  let timer = null;
  let flushing = 0; // flush() calls waiting: send partial batches at once
  let overflowing = 0; // events dropped in the current buffer-full run
  let overflowRun = 0;
  const toldOverflow = new WeakMap(); // reporter -> the buffer-full run it was told about
  let nextSeq = 0; // entries taken so far; an entry's seq orders it against flush() calls
  let unsettled = 0; // entries neither delivered nor given up
  const waiters = new Set(); // flush() calls: { mark, remaining, finish }
  const active = new Set(); // batches being delivered: { entries, abandoned, released }
  const stats = { written: 0, delivered: 0, dropped: 0, conflicts: 0, retries: 0, batches: 0 };

  /** A diagnostic for the logger of `r` (the console when there is none). */
  const tell = (r, level, message) => {
    const text = `${name}: ${message}`;
    if (r === null) return consoleDiagnostic(level, text);
    try {
      r.diagnostic(level, text);
    } catch {
      // a failing reporter must not break delivery
    }
  };

  /** Counts to a reporter; nothing it does breaks delivery. */
  const count = (r, delivered, dropped) => {
    if (r === null) return;
    try {
      r.settled(delivered, dropped);
    } catch {
      // as above
    }
  };

  /**
   * Settle entries not settled yet: delivered (`why` undefined) or given up (`why`: the reason,
   * reported to each logger with its own count). Each entry is settled once.
   */
  function settle(entries, why) {
    const per = new Map(); // reporter -> events settled now
    let n = 0;
    for (const e of entries) {
      if (e.done) continue;
      e.done = true;
      e.line = null;
      n++;
      unsettled--;
      per.set(e.r, (per.get(e.r) ?? 0) + 1);
      if (waiters.size > 0) {
        for (const w of waiters) if (e.seq < w.mark && --w.remaining === 0) w.finish();
      }
    }
    if (n === 0) return;
    if (why === undefined) stats.delivered += n;
    else stats.dropped += n;
    for (const [r, k] of per) {
      if (why === undefined) count(r, k, 0);
      else {
        count(r, 0, k);
        tell(r, "error", `${k} event(s) dropped: ${why}`);
      }
    }
  }

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

  const release = (batch) => {
    if (batch.released) return;
    batch.released = true;
    inFlight--;
    inFlightLines -= batch.entries.length;
  };

  async function run(batch) {
    const lines = batch.entries.map((e) => e.line);
    const n = lines.length;
    for (let attempt = 0; ; attempt++) {
      let result;
      try {
        result = await deliver(lines, attempt);
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
        settle(batch.entries, `${reasonOf(err)}${retryable ? ` (after ${attempt} retries)` : ""}`);
        return;
      }
      if (batch.abandoned) return; // every entry was given up (flush timeout): counted once, as dropped
      let refused;
      let conflicts;
      try {
        refused = indexesOf(result?.rejected, n);
        conflicts = indexesOf(result?.conflicts, n);
      } catch {
        refused = new Set();
        conflicts = new Set();
      }
      for (const i of refused) {
        settle([batch.entries[i]], `the event at position ${i + 1} of a batch of ${n} was refused by the receiver (not an event line)`);
      }
      for (const i of conflicts) {
        if (refused.has(i) || batch.entries[i].done) continue;
        stats.conflicts++;
        settle([batch.entries[i]], `the event at position ${i + 1} of a batch of ${n} was refused as a conflict (its event_id is already stored with different content)`);
      }
      settle(batch.entries);
      stats.batches++;
      return;
    }
  }

  function start(entries) {
    const batch = { entries, abandoned: false, released: false };
    inFlight++;
    inFlightLines += entries.length;
    active.add(batch);
    run(batch)
      .catch(() => {})
      .finally(() => {
        release(batch);
        active.delete(batch);
        pump(false);
      });
  }

  /** Start batches while slots are free: full ones always, partial ones when `partial`. */
  function pump(partial) {
    const sendPartial = partial || flushing > 0;
    while (inFlight < concurrency && buffer.length > 0 && (buffer.length >= batchSize || sendPartial)) {
      const entries = buffer.length <= batchSize ? buffer : buffer.slice(0, batchSize);
      buffer = buffer.length <= batchSize ? [] : buffer.slice(batchSize);
      start(entries);
    }
    if (buffer.length === 0) clearTimer();
    else armTimer();
  }

  /** Take one line for `r` (a reporter, or null). Never throws. */
  function take(line, r) {
    if (typeof line !== "string") {
      stats.dropped++;
      count(r, 0, 1);
      tell(r, "error", "a write() argument was not a string; counted as dropped");
      return;
    }
    stats.written++;
    if (buffer.length + inFlightLines >= maxBufferedEvents) {
      stats.dropped++;
      overflowing++;
      count(r, 0, 1);
      // Each logger hears once per buffer-full run that its events are being dropped.
      const key = r ?? toldOverflow;
      if (toldOverflow.get(key) !== overflowRun) {
        toldOverflow.set(key, overflowRun);
        tell(r, "error", `buffer full (${maxBufferedEvents} events, maxBufferedEvents): dropping events until deliveries catch up`);
      }
      return;
    }
    if (overflowing > 0) {
      tell(r, "warn", `buffer has room again; ${overflowing} event(s) were dropped while it was full`);
      overflowing = 0;
      overflowRun++;
    }
    unsettled++;
    buffer.push({ line: line.endsWith("\n") ? line.slice(0, -1) : line, r, seq: nextSeq++, done: false });
    if (buffer.length >= batchSize) pump(false);
    else armTimer();
  }

  /** Give up on the entries written before `mark` that are still unsettled (a flush timeout). */
  function giveUp(mark, ms) {
    const why = `not delivered within ${ms} ms (flush timeout)`;
    const early = buffer.filter((e) => e.seq < mark);
    if (early.length > 0) {
      settle(early, why);
      buffer = buffer.filter((e) => !e.done);
    }
    for (const b of active) {
      if (b.abandoned) continue;
      settle(b.entries.filter((e) => e.seq < mark), why);
      if (b.entries.every((e) => e.done)) {
        b.abandoned = true; // a batch already sent may still arrive; its events stay counted as dropped
        release(b);
      }
    }
    pump(false);
  }

  const destination = {
    /** Take one emitted line (with or without its trailing newline). Never throws. */
    write(line) {
      take(line, null);
    },

    /**
     * Send what is buffered now and resolve once every event written before this call is
     * delivered or given up. With `timeoutMs`, those still unsettled then are given up and
     * counted as dropped (a batch already sent may still arrive); events written during the
     * flush are never discarded by it. Never rejects.
     */
    flush(timeoutMs) {
      if (unsettled === 0) return Promise.resolve();
      const mark = nextSeq;
      flushing++;
      return new Promise((resolve) => {
        let timeout = null;
        const w = { mark, remaining: unsettled, finish: null };
        w.finish = () => {
          if (!waiters.delete(w)) return;
          if (timeout !== null) clearTimeout(timeout);
          flushing--;
          resolve();
        };
        waiters.add(w);
        if (typeof timeoutMs === "number" && timeoutMs >= 0 && Number.isFinite(timeoutMs)) {
          const ms = Math.min(timeoutMs, 2 ** 31 - 1);
          timeout = setTimeout(() => {
            timeout = null;
            giveUp(mark, ms);
            w.finish();
          }, ms);
        }
        pump(true);
      });
    },

    /**
     * Called once by a logger (see the delivery model above): returns the port the logger
     * writes through, `{ write(line) }`, its events reported to `reporter`.
     */
    attach(reporter) {
      const r = asReporter(reporter);
      if (r === null) return undefined;
      return Object.freeze({ write: (line) => take(line, r) });
    },

    /** Counters: `written`, `delivered`, `dropped`, `conflicts`, `retries`, `batches`, `buffered` (held now), `pending` (not settled). */
    get stats() {
      return { ...stats, buffered: buffer.length + inFlightLines, pending: unsettled };
    },
  };
  for (const [k, v] of Object.entries(extra)) Object.defineProperty(destination, k, { value: v, enumerable: true });
  Object.defineProperty(destination, TAKE, { value: (line, reporter) => take(line, asReporter(reporter)) });
  /**
   * Internal: the entries still buffered (for a `pagehide` beacon), removed from the buffer:
   * `{ lines, settle(why) }` (`why` undefined: delivered; else given up for that reason).
   */
  Object.defineProperty(destination, "_takeBuffered", {
    value: () => {
      const entries = buffer;
      buffer = [];
      clearTimer();
      return { lines: entries.map((e) => e.line), settle: (why) => settle(entries, why) };
    },
  });
  Object.defineProperty(destination, "_stats", { value: stats });
  return destination;
}

/**
 * One destination writing each line to several (for example an AuditChain and a D1 store):
 * an event is delivered once every destination delivered it, dropped (once) if any gave up.
 * A destination that is not a batching destination counts as delivered when its `write`
 * returns. `flush(timeoutMs)` flushes them all.
 */
export function fanout(...destinations) {
  for (const d of destinations) {
    if (!d || typeof d.write !== "function") throw new TypeError("fanout: every argument must be a destination (an object with `write(line)`)");
  }
  const send = (d, line, ev) => {
    if (typeof d[TAKE] === "function") return d[TAKE](line, ev);
    try {
      d.write(line);
      ev.settled(1, 0);
    } catch {
      ev.settled(0, 1);
      ev.diagnostic("error", "fanout: a destination's write threw; counted as dropped");
    }
  };
  const port = (reporter) => (line) => {
    let left = destinations.length;
    let dropped = false;
    const ev = {
      settled(delivered, lost) {
        if (lost > 0) dropped = true;
        if (--left === 0) reporter.settled(dropped ? 0 : 1, dropped ? 1 : 0);
      },
      diagnostic: (level, message) => reporter.diagnostic(level, message),
    };
    for (const d of destinations) send(d, line, ev);
  };
  return {
    write(line) {
      for (const d of destinations) d.write(line);
    },
    flush: (ms) => Promise.all(destinations.map((d) => (typeof d.flush === "function" ? d.flush(ms) : undefined))).then(() => {}),
    attach(reporter) {
      const r = asReporter(reporter);
      return r === null ? undefined : Object.freeze({ write: port(r) });
    },
  };
}
