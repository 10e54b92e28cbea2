// The JS facade over the wasm core. Loaders (node.mjs, deno.mjs, workerd.mjs, browser.mjs)
// instantiate the wasm module, then re-export this file. Nothing here runs wasm at import time.
import { Core, inputBuffer, outputBuffer, validateInput, issueTemplate, sanitizeMessage, verifyChainJson } from "../dist/glue.js";
import { wasmState } from "./memory.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** Write `text` as UTF-8 into the core's input buffer; returns the byte length. */
function toWasm(text) {
  const max = text.length * 3;
  const ptr = inputBuffer(max);
  return encoder.encodeInto(text, new Uint8Array(wasmState.memory.buffer, ptr, max)).written;
}

/** The last `auditInput` / `emitInput` / `validateInput` result: `len` UTF-8 bytes at `outputBuffer()` in wasm memory. */
function resultFromWasm(len) {
  return decoder.decode(new Uint8Array(wasmState.memory.buffer, outputBuffer(), len));
}

/** Vendored bh-audit-schema versions (tests/js/runtime-node.test.mjs checks it equals the core's). */
export const SCHEMA_VERSIONS = Object.freeze(["1.0", "1.1", "2.0", "2.1"]);

const FUNCTION_OPTIONS = ["timeSource", "idFactory", "onDiagnostic"];
const KIND = { EMIT: 69, WARN: 87, DROP: 68, RAISE: 82, REFUSE: 84, DIAG: 100 }; // 'E' 'W' 'D' 'R' 'T' 'd'
/** Milliseconds for `validation_time_ms_total` (the core call's duration). */
const monotonic = typeof performance !== "undefined" && typeof performance.now === "function" ? () => performance.now() : () => Date.now();
const AGENT_HELPERS = new Set(["agentAction", "humanOverride", "agentSessionStart", "agentSessionEnd"]);

/** Schema 2.1 attribution levels, weakest first (RFC 0003 section 4.4). */
export const ATTRIBUTION_LEVELS = Object.freeze(["unattributed", "asserted", "bound", "verified"]);

/**
 * Compare two attribution levels by their order (unattributed < asserted < bound < verified),
 * never as strings: negative, 0 or positive. Throws a TypeError for a value that is not a level.
 */
export function compareAttributionLevels(a, b) {
  const x = ATTRIBUTION_LEVELS.indexOf(a);
  const y = ATTRIBUTION_LEVELS.indexOf(b);
  if (x < 0) throw new TypeError("compareAttributionLevels: the first argument is not an attribution level");
  if (y < 0) throw new TypeError("compareAttributionLevels: the second argument is not an attribution level");
  return x - y;
}
const SENT = 1;
const FAILED = 2;
const DROPPED = 0;
const INPUT_FAILURE = "the call's arguments could not be converted to JSON (a cyclic structure, a BigInt, a symbol, a function, or a getter that throws)";

/** Thrown by `assertValidEvent` and by `audit`/`emit` with `validationFailureMode: "raise"`. */
export class ValidationError extends Error {
  constructor(errors) {
    const summary = errors.map((e) => `${e.instancePath || "/"}: ${e.message} (${e.keyword})`).join("; ");
    super(`event failed validation: ${summary}`);
    this.name = "ValidationError";
    /** `[{ instancePath, schemaPath, keyword, message }]` */
    this.errors = errors;
  }
}

/**
 * JSON.stringify silently drops symbol- and function-valued properties; a call's data must not
 * change shape on the way in, so such values are refused. A plain walk (own enumerable keys,
 * as JSON.stringify sees them) keeps JSON.stringify on its fast path, unlike a replacer.
 * Cycles and excessive depth are left to JSON.stringify and the core, which reject them.
 */
function assertPlain(value, depth = 0) {
  const t = typeof value;
  if (t === "symbol" || t === "function") throw new TypeError("unsupported value");
  if (t !== "object" || value === null || depth > 64 || typeof value.toJSON === "function") return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) assertPlain(value[i], depth + 1);
  } else {
    for (const k in value) if (Object.prototype.hasOwnProperty.call(value, k)) assertPlain(value[k], depth + 1);
  }
}

function safeString(value) {
  try {
    return String(value);
  } catch {
    return "(unprintable)";
  }
}

function errorClassName(err) {
  try {
    const ctor = err.constructor;
    if (ctor && typeof ctor.name === "string" && ctor.name) return ctor.name;
    if (typeof err.name === "string" && err.name) return err.name;
  } catch {
    // fall through
  }
  return "Error";
}

function isErrorLike(v) {
  return v instanceof Error || Object.prototype.toString.call(v) === "[object Error]";
}

function errorInput(err) {
  if (err === undefined || err === null) return undefined;
  if (typeof err === "string") return err;
  if (isErrorLike(err)) {
    let message;
    try {
      message = err.message === undefined ? "" : String(err.message);
    } catch {
      message = "";
    }
    return { name: errorClassName(err), message };
  }
  return safeString(err);
}

function defaultDiagnostic(level, message) {
  const fn = level === "error" ? console.error : level === "warn" ? console.warn : console.debug;
  fn.call(console, `bh-audit-logger ${level}: ${message}`);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** Random UUID v4. `crypto.randomUUID` needs a secure context in browsers; `getRandomValues` does not. */
function randomId() {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === "function") return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => HEX[x]);
  return `${h.slice(0, 4).join("")}-${h.slice(4, 6).join("")}-${h.slice(6, 8).join("")}-${h.slice(8, 10).join("")}-${h.slice(10).join("")}`;
}

function readOption(options, key) {
  try {
    return options[key];
  } catch {
    throw new TypeError(`invalid option \`${key}\`: reading it threw`);
  }
}

/**
 * Emits PHI-safe audit events conforming to bh-audit-schema 1.1 (or 1.0).
 * See API.md: `new AuditLogger({ serviceName, ... })`.
 */
export class AuditLogger {
  #core;
  #sink;
  /** The sink's `write` when it is a destination (an object with `write(line)`), else null. */
  #write = null;
  #timeSource;
  #idFactory;
  #onDiagnostic;
  #emitMode;
  #maxPending;
  #pending = new Map();
  #config;
  #lastSent = false;
  #stats = {
    events_emitted_total: 0,
    emit_failures_total: 0,
    events_dropped_total: 0,
    validation_failures_total: 0,
    integrity_events_total: 0,
    chain_gaps_total: 0,
    validation_time_ms_total: 0,
  };

  constructor(options) {
    if (options === null || typeof options !== "object") {
      throw new TypeError("invalid option `options`: must be an object with at least `serviceName`");
    }
    const plain = {};
    const fns = {};
    for (const key of Object.keys(options)) {
      const value = readOption(options, key);
      if (value === undefined) continue;
      if (key === "sink") {
        const write = typeof value === "function" ? null : destinationWrite(value);
        if (typeof value !== "function" && write === null) {
          throw new TypeError("invalid option `sink`: must be a function or a destination (an object with a `write(line)` method)");
        }
        fns.sink = value;
        fns.write = write;
        continue;
      }
      if (FUNCTION_OPTIONS.includes(key)) {
        if (typeof value !== "function") throw new TypeError(`invalid option \`${key}\`: must be a function`);
        fns[key] = value;
        continue;
      }
      if (key === "metadataAllowlist" && value !== null) {
        if (typeof value === "string" || typeof value[Symbol.iterator] !== "function") {
          throw new TypeError("invalid option `metadataAllowlist`: must be an iterable of strings");
        }
        const keys = Array.from(value);
        if (!keys.every((k) => typeof k === "string")) {
          throw new TypeError("invalid option `metadataAllowlist`: must contain only strings");
        }
        plain[key] = keys;
        continue;
      }
      const t = typeof value;
      if (t === "function") {
        // Not JSON: sent as {} so the core names the option (unknown, or of the wrong type).
        plain[key] = {};
        continue;
      }
      if (t === "bigint" || t === "symbol") {
        throw new TypeError(`invalid option \`${key}\`: has an unsupported type (${t})`);
      }
      if (t === "number" && !Number.isFinite(value)) {
        throw new RangeError(`invalid option \`${key}\`: must be a finite number`);
      }
      plain[key] = value;
    }
    let text;
    try {
      text = JSON.stringify(plain);
    } catch {
      throw new TypeError("invalid option `options`: values must be plain JSON data (strings, numbers, booleans)");
    }
    this.#core = new Core(text); // throws TypeError / RangeError naming the option
    const resolved = JSON.parse(this.#core.configJson());
    this.#sink = fns.sink ?? consoleSink();
    this.#write = fns.sink === undefined ? this.#sink.write : fns.write;
    this.#timeSource = fns.timeSource ?? Date.now;
    this.#idFactory = fns.idFactory ?? randomId;
    this.#onDiagnostic = fns.onDiagnostic ?? defaultDiagnostic;
    this.#emitMode = resolved.emitFailureMode;
    this.#maxPending = resolved.maxPending;
    resolved.metadataAllowlist = Object.freeze(resolved.metadataAllowlist);
    this.#config = Object.freeze({
      ...resolved,
      timeSource: this.#timeSource,
      idFactory: this.#idFactory,
      sink: this.#sink,
      onDiagnostic: this.#onDiagnostic,
    });
    if (resolved.emitFailureMode === "silent") {
      this.#diagnostic("warn", "emitFailureMode 'silent' reports sink failures at debug level only; consider 'log' for HIPAA deployments");
    }
  }

  /** The frozen, resolved configuration. */
  get config() {
    return this.#config;
  }

  /** A fresh snapshot of the counters (the reference 2.0.0's seven). */
  get stats() {
    return { ...this.#stats };
  }

  /** The last chained event's `event_hash` (with `enableIntegrity`), else `undefined`. */
  get chainHead() {
    return this.#core.chainHead;
  }

  /** Resume a chain (e.g. from durable storage between Worker invocations). */
  set chainHead(head) {
    if (head !== undefined && head !== null && (typeof head !== "string" || head.length === 0 || head.length > 256)) {
      throw new TypeError("chainHead must be a non-empty hash string (at most 256 characters), or null");
    }
    if (!this.#core.setChainHead(head ?? undefined)) throw new TypeError("chainHead can only be set with enableIntegrity: true");
  }

  /** Async sink calls not yet settled. */
  get pending() {
    return this.#pending.size;
  }

  #diagnostic(level, message) {
    try {
      this.#onDiagnostic(level, message);
    } catch {
      // A failing diagnostics callback must not break auditing.
    }
  }

  #now() {
    let t;
    try {
      t = this.#timeSource();
    } catch {
      this.#diagnostic("error", "the time source threw; the event's timestamp is invalid");
      return NaN;
    }
    if (typeof t === "number") return t;
    if (t instanceof Date) return t.getTime();
    return NaN;
  }

  #nextId() {
    try {
      const id = this.#idFactory();
      return typeof id === "string" ? id : null;
    } catch {
      this.#diagnostic("error", "the id factory threw; the event's event_id is invalid");
      return null;
    }
  }

  /**
   * Build, validate and emit one event. Returns the event, or `null` when it was dropped.
   * @param {string} actionType READ, CREATE, UPDATE, DELETE, EXPORT, LOGIN, LOGOUT, PRINT, OTHER
   */
  audit(actionType, opts) {
    return this.#audit(actionType, opts);
  }

  /** LOGIN / SUCCESS; resource defaults to `{ type: "Session" }`. */
  auditLoginSuccess(opts) {
    return this.#audit("LOGIN", opts, "loginSuccess");
  }

  /** LOGIN / FAILURE; error defaults to "Login failed". */
  auditLoginFailure(opts) {
    return this.#audit("LOGIN", opts, "loginFailure");
  }

  /** A generic access event (READ / CREATE / UPDATE / DELETE ...). */
  auditAccess(actionType, opts) {
    return this.#audit(actionType, opts);
  }

  /** Access denied: outcome DENIED with `errorType` (default "AccessDenied") and optional `errorMessage`. */
  auditAccessDenied(actionType, opts) {
    return this.#audit(actionType, opts, "accessDenied");
  }

  /**
   * Schema 2.x: an AI agent acting on a human's authority (actor `subject_type: "agent"`, a
   * `delegation` block built from `agent`, `authorizingSubjectId`, `agentSessionId`,
   * `delegationType`, ...). Throws a TypeError naming the field for a bad agent descriptor,
   * agent data on a 1.x target (downgrade mode "raise"), or a broken 2.1 attribution rule.
   */
  auditAgentAction(actionType, opts) {
    return this.#audit(actionType, opts, "agentAction");
  }

  /** OVERRIDE: a human (`actor.subject_type: "human"`) interrupts the agent session. */
  auditHumanOverride(agentSessionId, opts) {
    return this.#audit("OVERRIDE", { ...(opts ?? {}), agentSessionId }, "humanOverride");
  }

  /** CREATE on the AgentSession, `action.name: "agent_session_start"`, chain depth 1 by default. */
  auditAgentSessionStart(opts) {
    return this.#audit("CREATE", opts, "agentSessionStart");
  }

  /** UPDATE on the AgentSession, `action.name: "agent_session_end"`. */
  auditAgentSessionEnd(opts) {
    return this.#audit("UPDATE", opts, "agentSessionEnd");
  }

  /** One call into the core; `helper` names the helper whose rules the core applies. */
  #audit(actionType, opts, helper) {
    const now = this.#now();
    const id = this.#nextId();
    let input;
    try {
      const o = opts ?? {};
      const call = {
        action: actionType,
        id,
        actor: o.actor,
        resource: o.resource,
        outcome: o.outcome,
        correlation: o.correlation,
        metadata: o.metadata,
        phiTouched: o.phiTouched,
        dataClassification: o.dataClassification,
        actionName: o.actionName,
        // The reference's `error or "Login failed"`: any falsy error takes the default.
        error: errorInput(helper === "loginFailure" ? o.error || undefined : o.error),
        helper,
        errorType: helper === "accessDenied" ? o.errorType : undefined,
        errorMessage: helper === "accessDenied" ? o.errorMessage : undefined,
        delegation: o.delegation,
        attribution: o.attribution,
      };
      if (AGENT_HELPERS.has(helper)) {
        // The agent helpers' arguments (agentAction, humanOverride, agentSession*).
        call.agentSubjectId = o.agentSubjectId;
        call.agent = o.agent;
        call.authorizingSubjectId = o.authorizingSubjectId;
        call.agentSessionId = o.agentSessionId;
        call.delegationType = o.delegationType;
        call.chainDepth = o.chainDepth;
        call.parentAgentSessionId = o.parentAgentSessionId;
        call.authorizingOrgId = o.authorizingOrgId;
        call.actingSubjectId = o.actingSubjectId;
      }
      assertPlain(call);
      input = JSON.stringify(call);
    } catch {
      return this.#inputFailure();
    }
    const started = monotonic();
    const out = resultFromWasm(this.#core.auditInput(toWasm(input), now));
    this.#stats.validation_time_ms_total += monotonic() - started;
    return this.#handle(out);
  }

  /** Prepare (allowlist, sanitize), validate and emit a pre-built event. `true` when emitted. */
  emit(event) {
    let text;
    try {
      assertPlain(event);
      text = JSON.stringify(event);
    } catch {
      return this.#inputFailure() !== null;
    }
    if (text === undefined) text = "null";
    this.#lastSent = false;
    const started = monotonic();
    const out = resultFromWasm(this.#core.emitInput(toWasm(text)));
    this.#stats.validation_time_ms_total += monotonic() - started;
    this.#handle(out);
    return this.#lastSent;
  }

  #inputFailure() {
    this.#stats.validation_failures_total++;
    this.#stats.events_dropped_total++;
    const errors = [{ instancePath: "", schemaPath: "", keyword: "input", message: INPUT_FAILURE }];
    this.#diagnostic("warn", `audit event dropped: ${INPUT_FAILURE}`);
    if (this.#config.validationFailureMode === "raise") throw new ValidationError(errors);
    return null;
  }

  #handle(out) {
    const status = out.charCodeAt(0);
    let body;
    if (out.charCodeAt(1) === KIND.DIAG) {
      // `d`, the diagnostics' JSON, a newline, then the body (the line never holds a raw newline).
      const nl = out.indexOf("\n", 2);
      body = out.slice(nl + 1);
      for (const [level, message] of JSON.parse(out.slice(2, nl))) this.#diagnostic(level, message);
    } else {
      body = out.slice(2);
    }
    if (status === KIND.REFUSE) {
      // The reference raises ValueError here, in every failure mode; nothing is counted.
      const refusal = JSON.parse(body);
      const err = new TypeError(refusal.message);
      err.field = refusal.field;
      if (refusal.rule) err.rule = refusal.rule;
      throw err;
    }
    if (status === KIND.EMIT || status === KIND.WARN) {
      if (status === KIND.WARN) this.#stats.validation_failures_total++;

      // The line is made once, in the core: a destination receives it as is; a function sink
      // and the caller receive the event it encodes (one JSON.parse; see README "Figures").
      const event = JSON.parse(body);
      if (this.#config.enableIntegrity) {
        if (event.integrity !== undefined) this.#stats.integrity_events_total++;
        else this.#stats.chain_gaps_total++;
      }
      const outcome = this.#dispatch(event, body);
      this.#lastSent = outcome === SENT;
      return outcome === DROPPED ? null : event;
    }
    this.#stats.validation_failures_total++;
    this.#stats.events_dropped_total++;
    if (status === KIND.RAISE) throw new ValidationError(JSON.parse(body));
    return null;
  }

  #label(event) {
    const id = typeof event.event_id === "string" ? event.event_id : "(invalid)";
    return `event_id=${id} action=${event.action?.type ?? "(invalid)"}`;
  }

  #sinkFailed(err, event, async) {
    this.#stats.emit_failures_total++;
    const text = sanitizeMessage(isErrorLike(err) ? `${errorClassName(err)}: ${safeString(err.message)}` : safeString(err), 200, this.#config.redaction === "strict");
    const line = `audit sink ${async ? "promise rejected" : "emit failed"}: ${this.#label(event)}: ${text}`;
    if (this.#emitMode === "raise" && !async) throw err;
    this.#diagnostic(this.#emitMode === "silent" ? "debug" : async && this.#emitMode === "raise" ? "error" : "warn", line);
  }

  /**
   * Hand the event to the sink (a destination gets `line` + "\n", a function the event):
   * SENT, FAILED (the sink threw) or DROPPED (maxPending reached).
   */
  #dispatch(event, line) {
    if (this.#pending.size >= this.#maxPending) {
      this.#stats.events_dropped_total++;
      this.#diagnostic("warn", `audit event dropped: ${this.#maxPending} async sink calls already pending (maxPending): ${this.#label(event)}`);
      return DROPPED;
    }
    let result;
    try {
      result = this.#write === null ? this.#sink(event) : this.#write.call(this.#sink, line + "\n");
    } catch (err) {
      this.#sinkFailed(err, event, false);
      return FAILED;
    }
    let then;
    try {
      then = result !== null && (typeof result === "object" || typeof result === "function") ? result.then : undefined;
    } catch {
      then = undefined;
    }
    if (typeof then !== "function") {
      this.#stats.events_emitted_total++;
      return SENT;
    }
    const entry = { abandoned: false };
    const settle = (ok, err) => {
      if (entry.abandoned) return;
      this.#pending.delete(promise);
      if (ok) this.#stats.events_emitted_total++;
      else this.#sinkFailed(err, event, true);
    };
    const promise = new Promise((resolve) => {
      try {
        then.call(result, () => resolve(settle(true)), (err) => resolve(settle(false, err)));
      } catch (err) {
        resolve(settle(false, err));
      }
    });
    this.#pending.set(promise, entry);
    return SENT;
  }

  /**
   * Resolves when every pending async sink call has settled, or after `timeoutMs`; calls still
   * unsettled then are counted in `events_dropped_total`. Never rejects.
   */
  async flush(timeoutMs = 5000) {
    const ms = typeof timeoutMs === "number" && timeoutMs >= 0 ? Math.min(timeoutMs, 2 ** 31 - 1) : 5000;
    const waiting = [...this.#pending.keys()];
    if (waiting.length === 0) return;
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    });
    try {
      await Promise.race([Promise.allSettled(waiting), timeout]);
    } finally {
      clearTimeout(timer);
    }
    let abandoned = 0;
    for (const p of waiting) {
      const entry = this.#pending.get(p);
      if (entry) {
        entry.abandoned = true;
        this.#pending.delete(p);
        this.#stats.events_dropped_total++;
        abandoned++;
      }
    }
    if (abandoned > 0) {
      this.#diagnostic("error", `${abandoned} async sink call(s) did not settle within ${ms} ms; counted as dropped`);
    }
    if (this.#pending.size > 0) await this.flush(ms);
  }
}


/**
 * Validate an event (object or JSON text) against the vendored schema.
 * @returns {{ valid: boolean, errors: { instancePath: string, schemaPath: string, keyword: string, message: string }[] }}
 */
export function validateEvent(event, options) {
  let version = 0; // the event's own schema_version; else 1 + the index in SCHEMA_VERSIONS
  if (options !== undefined && options !== null) {
    const v = options.schemaVersion;
    if (v !== undefined && v !== null) {
      if (typeof v !== "string") throw new TypeError("invalid option `schemaVersion`: must be a string");
      version = SCHEMA_VERSIONS.indexOf(v) + 1;
      if (version === 0) throw new RangeError(`invalid option \`schemaVersion\`: must be one of ${SCHEMA_VERSIONS.join(", ")}`);
    }
  }
  let text = event;
  if (typeof event !== "string") {
    try {
      assertPlain(event);
      text = JSON.stringify(event);
    } catch {
      return { valid: false, errors: [{ instancePath: "", schemaPath: "", keyword: "input", message: "the event could not be converted to JSON (a cyclic structure, a BigInt, a symbol, a function, or a getter that throws)" }] };
    }
    if (text === undefined) text = "null";
  }
  const len = validateInput(toWasm(text), version);
  // 0 = valid: a new object per call, as JSON.parse would give (callers may mutate it).
  if (len === 0) return { valid: true, errors: [] };
  const out = resultFromWasm(len);
  if (out.charCodeAt(0) !== 91) return JSON.parse(out); // not "[": the full result
  return { valid: false, errors: issuesFrom(JSON.parse(out)) };
}

/** Template number -> [schemaPath, keyword, message, rule], fetched from the core once each. */
const templates = [];

/** Issue objects from the core's compact `[template, instancePath, ...]`. */
function issuesFrom(compact) {
  const errors = [];
  for (let i = 0; i < compact.length; i += 2) {
    const id = compact[i];
    const t = templates[id] ?? (templates[id] = JSON.parse(issueTemplate(id)));
    const e = { instancePath: compact[i + 1], schemaPath: t[0], keyword: t[1], message: t[2] };
    if (t[3]) e.rule = t[3];
    errors.push(e);
  }
  return errors;
}

/** Like `validateEvent`, but throws `ValidationError` when the event is invalid. */
export function assertValidEvent(event, options) {
  const result = validateEvent(event, options);
  if (!result.valid) throw new ValidationError(result.errors);
}

/**
 * Trim, collapse whitespace, redact SSN / email / phone / 10+ digit ids, cap at `maxLen`
 * code points, exactly as the reference does (`redaction: "strict"` for the strict profile).
 */
export function sanitizeErrorMessage(message, maxLen = 200, options) {
  if (message === undefined || message === null) return "";
  if (typeof message !== "string") throw new TypeError("sanitizeErrorMessage: `message` must be a string");
  if (!Number.isInteger(maxLen) || maxLen < 0 || maxLen > 0xffffffff) throw new RangeError("sanitizeErrorMessage: `maxLen` must be a non-negative integer");
  const redaction = options?.redaction ?? "reference";
  if (redaction !== "reference" && redaction !== "strict") throw new RangeError('sanitizeErrorMessage: `redaction` must be "reference" or "strict"');
  return sanitizeMessage(message, maxLen, redaction === "strict");
}

/**
 * The `write` method of a destination (API.md "Sinks": an object with `write(line)`, e.g.
 * `process.stdout`), read once; `null` when `value` is not one.
 */
function destinationWrite(value) {
  if (value === null || typeof value !== "object") return null;
  try {
    const write = value.write;
    return typeof write === "function" ? write : null;
  } catch {
    return null;
  }
}

/**
 * A destination printing one line per event via `console[level]`: the emitted line itself
 * (the reference's LoggingSink text), without its newline.
 */
export function consoleSink(options) {
  const level = options?.level ?? "info";
  if (typeof console[level] !== "function") throw new RangeError("consoleSink: `level` must name a console method (debug, info, log, warn, error)");
  return {
    write(line) {
      console[level](line.endsWith("\n") ? line.slice(0, -1) : line);
    },
  };
}

/** Keeps events in memory (the last `maxlen` when given): `.events` (a copy), `.length`, `.clear()`. */
export function memorySink(options) {
  const maxlen = options?.maxlen;
  if (maxlen !== undefined && maxlen !== null && (!Number.isInteger(maxlen) || maxlen < 0)) {
    throw new RangeError("memorySink: `maxlen` must be a non-negative integer");
  }
  let events = [];
  const sink = (event) => {
    if (maxlen === 0) return;
    events.push(event);
    if (maxlen && events.length > maxlen) events.splice(0, events.length - maxlen);
  };
  Object.defineProperties(sink, {
    events: { get: () => events.slice() },
    length: { get: () => events.length },
    clear: { value: () => { events = []; } },
  });
  return sink;
}

/**
 * Verify a JSON-lines audit trail's hash chain (as bh-audit-logger 1.1.1 chains it).
 * @returns {{ ok: boolean, checked: number, failures: { line: number, event_id: string | null, reason: string }[] }}
 */
export function verifyChain(jsonl) {
  if (typeof jsonl !== "string") throw new TypeError("verifyChain: `jsonl` must be a string of JSON lines");
  return JSON.parse(verifyChainJson(jsonl));
}
