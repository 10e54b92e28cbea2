// The one place where values from user code (sinks and what they return, thrown errors,
// onDiagnostic, timeSource, idFactory) become counted, sanitized outcomes, where every text
// that leaves the package gets its last step (publicText), and where a trapped wasm instance
// is replaced (recoverable). Internal: not part of the public API. Nothing here lets an
// exception from user code escape, and nothing here leaves a promise rejection unhandled.
import { sanitizeMessage, reinstantiate, unregisterFinalizer } from "../dist/glue.js";
import { wasmState, recover } from "./memory.js";
import { MAX_INPUT_LENGTH } from "./plain.js";
export { MAX_INPUT_LENGTH, TOO_BIG, assertPlainInput } from "./plain.js";

// ---------------------------------------------------------------------------------------
// Text that leaves the package

import { publicText } from "./text.js";
export { MAX_TEXT_LENGTH, publicText } from "./text.js";

/** `sanitizeErrorMessage` through the wasm core, trap-safe (a fixed text when it fails). */
export function sanitize(text, maxLen, strict) {
  if (typeof text !== "string") return "";
  if (text.length > MAX_INPUT_LENGTH) return "(text too long to report)";
  try {
    healthy();
    return sanitizeMessage(text, maxLen, strict);
  } catch {
    wasmState.poisoned = true;
    return "(text could not be sanitized)";
  }
}

// ---------------------------------------------------------------------------------------
// Errors and other values thrown or returned by user code

/** `v instanceof Error` without running user code that can throw (revoked Proxies). */
export function isErrorLike(v) {
  if (v === null || typeof v !== "object") return false;
  try {
    return v instanceof Error || Object.prototype.toString.call(v) === "[object Error]";
  } catch {
    return false;
  }
}

/** An error's class name (constructor name, else `name`), or "Error"; never throws. */
export function errorClassName(err) {
  try {
    const ctor = err.constructor;
    const name = ctor === null || ctor === undefined ? undefined : ctor.name;
    if (typeof name === "string" && name) return name;
  } catch {
    // fall through
  }
  try {
    const name = err.name;
    if (typeof name === "string" && name) return name;
  } catch {
    // fall through
  }
  return "Error";
}

/** An error's `message` as a string ("" when absent, unreadable or not a primitive). */
function errorMessage(err) {
  let m;
  try {
    m = err.message;
  } catch {
    return "";
  }
  if (typeof m === "string") return m;
  if (m === undefined || m === null || typeof m === "object" || typeof m === "function" || typeof m === "symbol") return "";
  return String(m);
}

/**
 * The `error` argument of `audit()` for the core: a string, `{ name, message }` for an
 * Error, a fixed text for any other value; `undefined` when absent. Never throws and never
 * runs user code other than the error's own property getters.
 */
export function errorInput(err) {
  if (err === undefined || err === null) return undefined;
  if (typeof err === "string") return err;
  if (isErrorLike(err)) return { name: errorClassName(err), message: errorMessage(err) };
  if (typeof err === "object" || typeof err === "function") return `a non-Error value (${typeof err}) was given as the error`;
  if (typeof err === "symbol") return "a symbol was given as the error";
  return String(err);
}

/**
 * A sanitized one-line description of anything thrown or rejected by user code: class name
 * (redacted as key names are) and message (redacted with the logger's profile).
 */
export function describeError(err, strict) {
  if (typeof err === "string") return sanitize(err, 200, strict);
  if (isErrorLike(err)) {
    const name = sanitize(errorClassName(err), 64, true);
    const message = sanitize(errorMessage(err), 200, strict);
    return message ? `${name}: ${message}` : name;
  }
  if (err === undefined || err === null) return String(err);
  if (typeof err === "object" || typeof err === "function") return `a non-Error value (${typeof err})`;
  if (typeof err === "symbol") return "a symbol";
  return sanitize(String(err), 200, strict);
}

/** Attach a no-op rejection handler to `value` if it is a thenable nobody else will read. */
export function silence(value) {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return;
  try {
    const then = value.then;
    if (typeof then === "function") then.call(value, undefined, () => {});
  } catch {
    // a thenable that cannot even be subscribed to cannot reject unhandled either
  }
}

/** Call a user callback; `undefined` when it throws; a returned thenable is silenced. */
export function callUser(fn, ...args) {
  try {
    const r = fn(...args);
    silence(r);
    return { ok: true, value: r };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Deliver a diagnostic through the user's callback; nothing it does escapes. */
export function report(onDiagnostic, level, message) {
  callUser(onDiagnostic, level, publicText(message));
}

/** A time source's value as epoch milliseconds (NaN when it is neither a number nor a real Date). */
export function timeValue(t) {
  if (typeof t === "number") return t;
  try {
    // Reads the internal time value: runs no user code; throws for non-Dates (proxies too).
    return Date.prototype.getTime.call(t);
  } catch {
    return NaN;
  }
}

// ---------------------------------------------------------------------------------------
// Async sink calls

/** What `Deliveries.track` did with a sink's return value. */
export const NOT_THENABLE = 0;
export const TRACKED = 1;
export const THEN_THREW = 2;

const PENDING = 0;
const FULFILLED = 1;
const REJECTED = 2;

/**
 * The async sink calls of one logger. Each event is settled exactly once: by its thenable
 * (the first callback wins, later ones are ignored), or by `flush` giving up on it. One
 * subscription per distinct thenable (kept in a WeakMap keyed by it), so a sink returning
 * one shared promise that never settles costs one handler, not one per event; entries flush
 * gave up on are unlinked, so nothing keeps their events alive.
 */
export class Deliveries {
  #max;
  #settled;
  #entries = new Set();
  #records = new WeakMap();
  #waiters = new Set(); // flush() calls: { mark, remaining, finish }
  #seq = 0; // calls tracked so far; an entry's seq orders it against flush() calls
  /** The error `track` saw when reading or calling `then` threw before any settlement. */
  lastError = undefined;

  /** `settled(ok, error, event)` is called once per tracked event. */
  constructor(maxPending, settled) {
    this.#max = maxPending;
    this.#settled = settled;
  }

  /** Async sink calls not yet settled. */
  get size() {
    return this.#entries.size;
  }

  /** Whether `maxPending` calls are in flight. */
  get full() {
    return this.#entries.size >= this.#max;
  }

  /**
   * Take a sink's return value: NOT_THENABLE (delivered now), THEN_THREW (reading `then`
   * threw; the error is in `lastError`), or TRACKED (settled later through `settled`, or
   * already, when the thenable settled synchronously or had settled before).
   */
  track(result, event) {
    if (result === null || (typeof result !== "object" && typeof result !== "function")) return NOT_THENABLE;
    let then;
    try {
      then = result.then;
    } catch (err) {
      this.lastError = err;
      return THEN_THREW;
    }
    if (typeof then !== "function") return NOT_THENABLE;
    let rec = this.#records.get(result);
    if (rec !== undefined && rec.state !== PENDING) {
      this.#settled(rec.state === FULFILLED, rec.error, event);
      return TRACKED;
    }
    const entry = { event, rec: null, seq: this.#seq++ };
    if (rec === undefined) {
      rec = { state: PENDING, error: undefined, entries: new Set() };
      this.#records.set(result, rec);
      entry.rec = rec;
      rec.entries.add(entry);
      this.#entries.add(entry);
      // Never throw from a reaction (that would reject the derived promise, unhandled).
      const onOk = () => {
        try {
          this.#settle(rec, FULFILLED, undefined);
        } catch {
          // counted already; only the report failed (out of stack)
        }
      };
      const onErr = (err) => {
        try {
          this.#settle(rec, REJECTED, err);
        } catch {
          // as above
        }
      };
      try {
        silence(then.call(result, onOk, onErr)); // an async `then` may itself reject
      } catch (err) {
        this.#settle(rec, REJECTED, err);
      }
      return TRACKED;
    }
    entry.rec = rec;
    rec.entries.add(entry);
    this.#entries.add(entry);
    return TRACKED;
  }

  #settle(rec, state, error) {
    if (rec.state !== PENDING) return;
    rec.state = state;
    rec.error = state === REJECTED ? error : undefined;
    const entries = rec.entries;
    rec.entries = null;
    for (const entry of entries) {
      if (!this.#entries.delete(entry)) continue;
      const event = entry.event;
      entry.event = null;
      entry.rec = null;
      this.#done(entry);
      this.#settled(state === FULFILLED, error, event);
    }
  }

  /** An entry left the pending set: the flush() calls made after it wait for one call less. */
  #done(entry) {
    if (this.#waiters.size === 0) return;
    for (const w of this.#waiters) if (entry.seq < w.mark && --w.remaining === 0) w.finish();
  }

  /**
   * Wait until every call pending now has settled, or `ms` milliseconds passed; then give up
   * on those of them still pending (calls made after this one are not touched). Resolves to
   * how many calls were given up on. Never rejects.
   */
  flush(ms) {
    if (this.#entries.size === 0) return Promise.resolve(0);
    const mark = this.#seq;
    return new Promise((resolve) => {
      const w = { mark, remaining: this.#entries.size, finish: null };
      const timer = setTimeout(() => {
        if (!this.#waiters.delete(w)) return;
        let abandoned = 0;
        for (const entry of [...this.#entries]) {
          if (entry.seq >= mark) continue;
          this.#entries.delete(entry);
          entry.rec?.entries?.delete(entry);
          entry.rec = null;
          entry.event = null;
          abandoned++;
          this.#done(entry);
        }
        resolve(abandoned);
      }, ms);
      w.finish = () => {
        if (!this.#waiters.delete(w)) return;
        clearTimeout(timer);
        resolve(0);
      };
      this.#waiters.add(w);
    });
  }
}

// ---------------------------------------------------------------------------------------
// Input size and trap recovery

/** Wasm memory past this after a call: the instance is replaced to give the memory back. */
const MEMORY_HIGH_WATER = 64 << 20;

const resetHooks = [];

/** Run `hook` after every instance replacement (caches tied to the old instance). */
export function onReset(hook) {
  resetHooks.push(hook);
}

/**
 * Any exception out of a wasm call other than the errors the core returns by design means
 * the instance may be poisoned (a trap or a stack overflow inside it unwinds wasm frames
 * without running their cleanup: borrowed cells, the shadow stack pointer). It is replaced
 * before the next call.
 */
export function trapped(_err) {
  wasmState.poisoned = true;
}

/** After a large call: replace the instance if its memory grew past the high-water mark. */
export function afterLargeCall() {
  const memory = wasmState.memory;
  if (memory && memory.buffer.byteLength > MEMORY_HIGH_WATER) wasmState.poisoned = true;
}

/** Make sure the instance is usable: replace it when it was marked poisoned. */
export function healthy() {
  if (recover(wasmState, reinstantiate)) for (const hook of resetHooks) hook();
}

// Cores are freed here, per generation: a Core of a replaced instance is never freed into
// the new instance (its pointer means nothing there).
const coreRegistry = typeof FinalizationRegistry === "undefined"
  ? { register() {}, unregister() {} }
  : new FinalizationRegistry((held) => {
    if (held.generation === wasmState.generation && !wasmState.poisoned) {
      try {
        held.core.free();
      } catch {
        // nothing to do
      }
    }
  });

/**
 * One logger's wasm engine: built from the logger's options text, rebuilt in the current
 * instance after a replacement (its chain head restored from the last value read).
 */
export class CoreCell {
  #Core;
  #text;
  #core;
  #generation;
  #token = {};
  /** The chain head to restore into a rebuilt engine (kept current by the facade). */
  head = undefined;

  /** Build the engine; throws what the core throws for bad options. */
  constructor(Core, text) {
    this.#Core = Core;
    this.#text = text;
    this.#build(false);
  }

  #build(restore) {
    healthy();
    let core;
    try {
      core = new this.#Core(this.#text);
    } catch (err) {
      if (isConfigError(err)) throw err;
      wasmState.poisoned = true;
      healthy();
      core = new this.#Core(this.#text); // once more, in a fresh instance
    }
    unregisterFinalizer(core);
    if (restore && this.head !== undefined) core.setChainHead(this.head);
    this.#core = core;
    this.#generation = wasmState.generation;
    coreRegistry.unregister(this.#token);
    // Freed when this cell (owned by one logger, never shared) is collected.
    coreRegistry.register(this, { core, generation: this.#generation }, this.#token);
  }

  /** The engine, usable now (the instance healthy, the engine of the current instance). */
  get core() {
    healthy();
    if (this.#generation !== wasmState.generation) this.#build(true);
    return this.#core;
  }
}

function isConfigError(err) {
  try {
    return (err instanceof TypeError || err instanceof RangeError) && /^(invalid option `|unknown option `|options must be)/.test(err.message);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// Options

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, "g");
/** Most entries a metadataAllowlist may have (schema 1.1 allows 20 metadata properties). */
const MAX_ALLOWLIST = 10000;

/** An option's name for a message: its own when it has an option's shape, never an identifier. */
function optionLabel(key) {
  return /^[A-Za-z]{1,40}$/.test(key) ? `\`${key}\`` : "(an option)";
}

/** The entries of a metadataAllowlist iterable; errors name the option, never echo it. */
function allowlistEntries(value) {
  const bad = () => new TypeError("invalid option `metadataAllowlist`: must be an iterable of strings");
  if (typeof value === "string" || value === null || (typeof value !== "object" && typeof value !== "function")) throw bad();
  let iter;
  try {
    const f = value[Symbol.iterator];
    if (typeof f !== "function") throw bad();
    iter = f.call(value);
  } catch {
    throw bad();
  }
  const keys = [];
  try {
    for (;;) {
      const step = iter.next();
      if (step.done) break;
      keys.push(step.value);
      if (keys.length > MAX_ALLOWLIST) break;
    }
  } catch {
    throw new TypeError("invalid option `metadataAllowlist`: iterating it threw");
  }
  if (keys.length > MAX_ALLOWLIST) throw new RangeError(`invalid option \`metadataAllowlist\`: must have at most ${MAX_ALLOWLIST} entries`);
  for (const k of keys) {
    if (typeof k !== "string") throw new TypeError("invalid option `metadataAllowlist`: must contain only strings");
    if (LONE_SURROGATE.test(k)) throw new RangeError("invalid option `metadataAllowlist`: entries must be well-formed Unicode strings");
  }
  return keys;
}

/**
 * Read a logger's options object (any value, Proxies and throwing getters included) into
 * `{ text, fns }`: the JSON text of the plain options for the core, and the function-valued
 * ones. Throws a TypeError / RangeError that names the option and never echoes its value;
 * the core checks names, types and ranges of what reaches it.
 */
export function readOptions(options, functionOptions) {
  if (options === null || typeof options !== "object") {
    throw new TypeError("invalid option `options`: must be an object with at least `serviceName`");
  }
  let keys;
  try {
    keys = Object.keys(options);
  } catch {
    throw new TypeError("invalid option `options`: its keys cannot be read");
  }
  const plain = {};
  const fns = {};
  for (const rawKey of keys) {
    let value;
    try {
      value = options[rawKey];
    } catch {
      throw new TypeError(`invalid option ${optionLabel(rawKey)}: reading it threw`);
    }
    if (value === undefined) continue;
    const key = rawKey.replace(LONE_SURROGATES, "\ufffd");
    const t = typeof value;
    if (key === "sink") {
      // A function (receives the event) or a destination (an object with `write(line)`, read
      // once here, through a getter or a Proxy as any other user value).
      fns.sink = value;
      fns.write = t === "function" ? null : destinationWrite(value);
      if (fns.write === null && t !== "function") {
        throw new TypeError("invalid option `sink`: must be a function or a destination (an object with a `write(line)` method)");
      }
    } else if (functionOptions.includes(key)) {
      if (t !== "function") throw new TypeError(`invalid option \`${key}\`: must be a function`);
      fns[key] = value;
    } else if (key === "metadataAllowlist" && value !== null) {
      plain[key] = allowlistEntries(value);
    } else if (t === "string") {
      if (LONE_SURROGATE.test(value)) throw new RangeError(`invalid option ${optionLabel(key)}: must be a well-formed Unicode string`);
      plain[key] = value;
    } else if (t === "number") {
      if (!Number.isFinite(value)) throw new RangeError(`invalid option ${optionLabel(key)}: must be a finite number`);
      plain[key] = value;
    } else if (t === "bigint" || t === "symbol") {
      throw new TypeError(`invalid option ${optionLabel(key)}: has an unsupported type (${t})`);
    } else if (t === "object" || t === "function") {
      // Sent as {} (never its contents) so the core names the option (unknown, or wrong type).
      plain[key] = value === null ? null : {};
    } else {
      plain[key] = value;
    }
  }
  return { text: JSON.stringify(plain), fns };
}

/** The `write` method of a destination (`value.write`, read once), or `null` when it has none. */
function destinationWrite(value) {
  if (value === null || typeof value !== "object") return null;
  try {
    const write = value.write;
    return typeof write === "function" ? write : null;
  } catch {
    return null;
  }
}

/** A constructor error from the core, its message through the last text step. */
export function optionError(err) {
  let message;
  try {
    message = err.message;
  } catch {
    message = "";
  }
  const text = publicText(typeof message === "string" ? message : "invalid options");
  return err instanceof RangeError ? new RangeError(text) : new TypeError(text);
}
