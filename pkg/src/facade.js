// The JS facade over the wasm core. Loaders (node.mjs, deno.mjs, workerd.mjs, browser.mjs)
// instantiate the wasm module, then re-export this file. Nothing here runs wasm at import time.
import { Core, inputBuffer, outputBuffer, validateInput, issueTemplate, sanitizeMessage } from "../dist/glue.js";
import { wasmState } from "./memory.js";
import {
  publicText, errorInput, describeError, report, silence, timeValue, Deliveries, NOT_THENABLE, THEN_THREW,
  MAX_INPUT_LENGTH, healthy, afterLargeCall, onReset, CoreCell, readOptions, optionError,
  assertPlainInput, TOO_BIG,
} from "./guard.js";
import { own } from "./sinks/batch.js";
export { httpSink } from "./sinks/http.js";
import { ValidationError } from "./errors.js";
export { ValidationError };

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

import { SCHEMA_VERSIONS } from "./errors.js";
export { SCHEMA_VERSIONS };

const FUNCTION_OPTIONS = ["timeSource", "idFactory", "onDiagnostic"];
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const ACTION = /^[A-Z_]{1,32}$/;
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
const TOO_LARGE = `the call's data is larger than the input limit (${MAX_INPUT_LENGTH} characters as JSON)`;
const TRAP = "the wasm core failed during this call (a trap or a stack overflow); it is replaced before the next call; event dropped";
/** Console methods consoleSink may print with. */
const CONSOLE_LEVELS = ["debug", "info", "log", "warn", "error"];

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

/**
 * Emits PHI-safe audit events conforming to bh-audit-schema 1.1 (or 1.0).
 * See API.md: `new AuditLogger({ serviceName, ... })`.
 */
export class AuditLogger {
  #cell;
  #sink;
  /** The sink's `write` when it is a destination (an object with `write(line)`), else null. */
  #write = null;
  /** With a batching destination: the port the logger writes through (see `attach`), else null. */
  #port = null;
  /** Events written through the port and not settled yet (delivered or given up). */
  #batched = { pending: 0 };
  #timeSource;
  #idFactory;
  #onDiagnostic;
  #emitMode;
  #deliveries;
  #integrity;
  #config;
  #lastSent = false;
  #unreported = 0; // trapped calls whose diagnostic could not be delivered yet (out of stack)
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
    const { text, fns } = readOptions(options, FUNCTION_OPTIONS);
    let resolved;
    try {
      this.#cell = new CoreCell(Core, text); // throws TypeError / RangeError naming the option
      resolved = JSON.parse(this.#cell.core.configJson());
    } catch (err) {
      throw optionError(err);
    }
    this.#sink = fns.sink ?? consoleSink();
    this.#write = fns.sink === undefined ? this.#sink.write : fns.write;
    this.#timeSource = fns.timeSource ?? Date.now;
    this.#idFactory = fns.idFactory ?? randomId;
    this.#onDiagnostic = fns.onDiagnostic ?? defaultDiagnostic;
    this.#emitMode = resolved.emitFailureMode;
    this.#integrity = resolved.enableIntegrity;
    this.#cell.head = resolved.chainHead ?? undefined;
    this.#deliveries = new Deliveries(resolved.maxPending, (ok, err, event) => this.#settled(ok, err, event));
    resolved.metadataAllowlist = Object.freeze(resolved.metadataAllowlist);
    this.#config = Object.freeze({
      ...resolved,
      timeSource: this.#timeSource,
      idFactory: this.#idFactory,
      sink: this.#sink,
      onDiagnostic: this.#onDiagnostic,
    });
    if (fns.sink !== undefined && this.#write !== null) {
      // A batching destination: each event written through its port is pending until the
      // destination settles it (delivered: emitted; given up: dropped), one counter per event.
      // The reporter holds the counters and the diagnostic callback, never the logger, so a
      // destination shared by many loggers keeps none of them alive once their events settle.
      const port = attachDestination(this.#sink, deliveryReporter(this.#stats, this.#batched, this.#onDiagnostic, resolved.redaction === "strict"));
      if (port !== null) {
        this.#port = port;
        this.#write = port.write;
      }
    }
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
    return this.#cell.head;
  }

  /** Resume a chain (e.g. from durable storage between Worker invocations). */
  set chainHead(head) {
    if (head !== undefined && head !== null && (typeof head !== "string" || head.length === 0 || head.length > 256)) {
      throw new TypeError("chainHead must be a non-empty hash string (at most 256 characters), or null");
    }
    if (!this.#cell.core.setChainHead(head ?? undefined)) throw new TypeError("chainHead can only be set with enableIntegrity: true");
    this.#cell.head = head ?? undefined;
  }

  /** Async sink calls (and events written to a batching destination) not yet settled. */
  get pending() {
    return this.#deliveries.size + this.#batched.pending;
  }

  #diagnostic(level, message) {
    report(this.#onDiagnostic, level, message); // nothing the callback does breaks auditing
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
    silence(t);
    return timeValue(t);
  }

  #nextId() {
    try {
      const id = this.#idFactory();
      if (typeof id === "string") return id;
      silence(id);
      return null;
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
    return this.#audit("OVERRIDE", opts, "humanOverride", agentSessionId);
  }

  /** CREATE on the AgentSession, `action.name: "agent_session_start"`, chain depth 1 by default. */
  auditAgentSessionStart(opts) {
    return this.#audit("CREATE", opts, "agentSessionStart");
  }

  /** UPDATE on the AgentSession, `action.name: "agent_session_end"`. */
  auditAgentSessionEnd(opts) {
    return this.#audit("UPDATE", opts, "agentSessionEnd");
  }

  /**
   * One call into the core; `helper` names the helper whose rules the core applies;
   * `sessionId`: auditHumanOverride's first argument. Options are read here, inside the
   * guarded section, as own properties only (a polluted Object.prototype never flows in).
   */
  #audit(actionType, opts, helper, sessionId) {
    if (this.#unreported !== 0) this.#reportTraps();
    const now = this.#now();
    const id = this.#nextId();
    let input;
    try {
      const o = opts ?? {};
      const get = (k) => own(o, k);
      const error = get("error");
      const call = {
        action: actionType,
        id,
        actor: get("actor"),
        resource: get("resource"),
        outcome: get("outcome"),
        correlation: get("correlation"),
        metadata: get("metadata"),
        phiTouched: get("phiTouched"),
        dataClassification: get("dataClassification"),
        actionName: get("actionName"),
        // The reference's `error or "Login failed"`: any falsy error takes the default.
        error: errorInput(helper === "loginFailure" ? error || undefined : error),
        helper,
        errorType: helper === "accessDenied" ? get("errorType") : undefined,
        errorMessage: helper === "accessDenied" ? get("errorMessage") : undefined,
        delegation: get("delegation"),
        attribution: get("attribution"),
      };
      if (AGENT_HELPERS.has(helper)) {
        // The agent helpers' arguments (agentAction, humanOverride, agentSession*).
        call.agentSubjectId = get("agentSubjectId");
        call.agent = get("agent");
        call.authorizingSubjectId = get("authorizingSubjectId");
        call.agentSessionId = helper === "humanOverride" ? sessionId : get("agentSessionId");
        call.delegationType = get("delegationType");
        call.chainDepth = get("chainDepth");
        call.parentAgentSessionId = get("parentAgentSessionId");
        call.authorizingOrgId = get("authorizingOrgId");
        call.actingSubjectId = get("actingSubjectId");
      }
      assertPlainInput(call);
      input = JSON.stringify(call);
    } catch (e) {
      return this.#inputFailure(e === TOO_BIG ? TOO_LARGE : INPUT_FAILURE);
    }
    if (input.length > MAX_INPUT_LENGTH) return this.#inputFailure(TOO_LARGE);
    let out;
    try {
      const core = this.#cell.core;
      const started = monotonic();
      out = this.#reply(resultFromWasm(core.auditInput(toWasm(input), now)), core);
      this.#stats.validation_time_ms_total += monotonic() - started;
    } catch (err) {
      wasmState.poisoned = true; // first, with no call: the stack may be exhausted
      this.#stats.events_dropped_total++;
      return this.#trapped(err, input.length);
    }
    if (input.length > 65536) afterLargeCall();
    return this.#handle(out);
  }

  /** Prepare (allowlist, sanitize), validate and emit a pre-built event. `true` when emitted. */
  emit(event) {
    if (this.#unreported !== 0) this.#reportTraps();
    let text;
    try {
      assertPlainInput(event);
      text = JSON.stringify(event);
    } catch (e) {
      return this.#inputFailure(e === TOO_BIG ? TOO_LARGE : INPUT_FAILURE) !== null;
    }
    if (text === undefined) text = "null";
    if (text.length > MAX_INPUT_LENGTH) return this.#inputFailure(TOO_LARGE) !== null;
    this.#lastSent = false;
    let out;
    try {
      const core = this.#cell.core;
      const started = monotonic();
      out = this.#reply(resultFromWasm(core.emitInput(toWasm(text))), core);
      this.#stats.validation_time_ms_total += monotonic() - started;
    } catch (err) {
      wasmState.poisoned = true; // first, with no call: the stack may be exhausted
      this.#stats.events_dropped_total++;
      return this.#trapped(err, text.length) !== null;
    }
    if (text.length > 65536) afterLargeCall();
    this.#handle(out);
    return this.#lastSent;
  }

  /**
   * The rest of a call's wasm work, so a trap anywhere in it is caught in one place: the
   * reply's parts and the chain head. The reply is the status, then `d`, the diagnostics'
   * JSON and a newline (or `-`), then the body (the line never holds a raw newline).
   * Returns `[status, body, diagnostics]`.
   */
  #reply(out, core) {
    let diags = null;
    let body;
    if (out.charCodeAt(1) === KIND.DIAG) {
      const nl = out.indexOf("\n", 2);
      diags = JSON.parse(out.slice(2, nl));
      body = out.slice(nl + 1);
    } else {
      body = out.slice(2);
    }
    if (this.#integrity) this.#cell.head = core.chainHead;
    return [out.charCodeAt(0), body, diags];
  }

  /** The core failed during a call (never by design): counted as dropped; replaced before the next call. */
  #trapped(_err, inputLength) {
    this.#unreported++;
    try {
      if (inputLength > 65536) afterLargeCall();
      this.#reportTraps();
    } catch {
      // out of stack: the count stands; reported on the next call
    }
    return null;
  }

  #reportTraps() {
    const n = this.#unreported;
    this.#unreported = 0;
    this.#diagnostic("error", n === 1 ? TRAP : `${TRAP} (${n} calls)`);
  }

  #inputFailure(message) {
    this.#stats.validation_failures_total++;
    this.#stats.events_dropped_total++;
    const errors = [{ instancePath: "", schemaPath: "", keyword: "input", message }];
    this.#diagnostic("warn", `audit event dropped: ${message}`);
    if (this.#config.validationFailureMode === "raise") throw new ValidationError(errors);
    return null;
  }

  #handle([status, body, diags]) {
    if (diags !== null) {
      for (const [level, message] of diags) this.#diagnostic(level, message);
    }
    if (status === KIND.REFUSE) {
      // The reference raises ValueError here, in every failure mode; nothing is counted.
      const refusal = JSON.parse(body);
      const err = new TypeError(publicText(refusal.message));
      err.field = refusal.field;
      if (refusal.rule) err.rule = refusal.rule;
      throw err;
    }
    if (status === KIND.EMIT || status === KIND.WARN) {
      if (status === KIND.WARN) this.#stats.validation_failures_total++;
      // The line is made once, in the core: a destination receives it as is; a function sink
      // and the caller receive the event it encodes (one JSON.parse; see README "Figures").
      const event = JSON.parse(body);
      if (this.#integrity) {
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
    const id = typeof event.event_id === "string" && UUID.test(event.event_id) ? event.event_id : "(invalid)";
    const action = typeof event.action?.type === "string" && ACTION.test(event.action.type) ? event.action.type : "(invalid)";
    return `event_id=${id} action=${action}`;
  }

  /** A sink failure, already counted by the caller (first, with no call: the stack may be exhausted). */
  #sinkFailed(err, event, async) {
    if (this.#emitMode === "raise" && !async) throw err;
    const text = describeError(err, this.#config.redaction === "strict");
    const line = `audit sink ${async ? "promise rejected" : "emit failed"}: ${this.#label(event)}: ${text}`;
    this.#diagnostic(this.#emitMode === "silent" ? "debug" : async && this.#emitMode === "raise" ? "error" : "warn", line);
  }

  /** An async sink call settled (exactly once per call; see Deliveries). */
  #settled(ok, err, event) {
    if (ok) {
      this.#stats.events_emitted_total++;
    } else {
      this.#stats.emit_failures_total++;
      this.#sinkFailed(err, event, true);
    }
  }

  /**
   * Hand the event to the sink (a destination gets `line` + "\n", a function the event):
   * SENT, FAILED (the sink threw) or DROPPED (maxPending reached).
   */
  #dispatch(event, line) {
    if (this.#deliveries.size + this.#batched.pending >= this.#config.maxPending) {
      this.#stats.events_dropped_total++;
      this.#diagnostic("warn", `audit event dropped: ${this.#config.maxPending} async sink calls already pending (maxPending): ${this.#label(event)}`);
      return DROPPED;
    }
    if (this.#port !== null) {
      // Pending until the destination settles it (see deliveryReporter).
      this.#batched.pending++;
      try {
        this.#write.call(this.#port, line + "\n");
      } catch (err) {
        this.#batched.pending--; // a port never throws; a foreign one's throw is a sink failure
        this.#stats.emit_failures_total++;
        this.#sinkFailed(err, event, false);
        return FAILED;
      }
      return SENT;
    }
    let result;
    try {
      result = this.#write === null ? this.#sink(event) : this.#write.call(this.#sink, line + "\n");
    } catch (err) {
      this.#stats.emit_failures_total++;
      this.#sinkFailed(err, event, false);
      return FAILED;
    }
    const kind = this.#deliveries.track(result, event);
    if (kind === NOT_THENABLE) {
      this.#stats.events_emitted_total++;
    } else if (kind === THEN_THREW) {
      // A thenable whose `then` cannot be read is a rejected promise, as Promise.resolve sees it.
      const err = this.#deliveries.lastError;
      this.#deliveries.lastError = undefined;
      this.#stats.emit_failures_total++;
      this.#sinkFailed(err, event, true);
    }
    return SENT;
  }

  /**
   * Resolves when every async sink call made before it (and every event written before it to
   * a batching destination) has settled, or after `timeoutMs`; those still unsettled then are
   * counted in `events_dropped_total` (a batching destination gives them up and reports them).
   * Calls made during the flush are not touched. Never rejects.
   */
  async flush(timeoutMs = 5000) {
    const ms = typeof timeoutMs === "number" && timeoutMs >= 0 ? Math.min(timeoutMs, 2 ** 31 - 1) : 5000;
    // Both marks are taken now: what was written before this call, nothing later.
    const [abandoned] = await Promise.all([this.#deliveries.flush(ms), flushDestination(this.#sink, ms)]);
    if (abandoned > 0) {
      this.#stats.events_dropped_total += abandoned;
      this.#diagnostic("error", `${abandoned} async sink call(s) did not settle within ${ms} ms; counted as dropped`);
    }
  }
}

/**
 * A batching destination (`Destination.attach` in index.d.ts): the logger calls its
 * `attach(reporter)` once and writes through the port it returns (`{ write(line) }`); `null`
 * when the sink has no `attach` or it returns no port (then `write` returning counts as emitted).
 */
function attachDestination(sink, reporter) {
  try {
    const attach = sink.attach;
    if (typeof attach !== "function") return null;
    const port = attach.call(sink, reporter);
    if (port !== null && typeof port === "object" && typeof port.write === "function") return port;
  } catch {
    // a sink whose attach throws is written to as a plain destination
  }
  return null;
}

/**
 * The reporter a logger gives a batching destination: `settled(delivered, dropped)` moves
 * events from pending to `events_emitted_total` / `events_dropped_total`;
 * `diagnostic(level, message)` goes to `onDiagnostic`, sanitized like any exception text.
 * It closes over the counters and the callback only, not over the logger.
 */
function deliveryReporter(stats, batched, onDiagnostic, strict) {
  const n = (v) => (Number.isInteger(v) && v > 0 ? Math.min(v, batched.pending) : 0);
  return Object.freeze({
    settled(delivered, dropped) {
      const d = n(delivered);
      batched.pending -= d;
      stats.events_emitted_total += d;
      const x = n(dropped);
      batched.pending -= x;
      stats.events_dropped_total += x;
    },
    diagnostic(level, message) {
      const text = describeError(typeof message === "string" ? message : "(non-string diagnostic)", strict);
      report(onDiagnostic ?? defaultDiagnostic, level === "debug" || level === "error" ? level : "warn", text);
    },
  });
}

/** `logger.flush()` also waits for the destination's `flush(timeoutMs)` (buffered batches). */
async function flushDestination(sink, ms) {
  let flush;
  try {
    flush = sink.flush;
  } catch {
    return;
  }
  if (typeof flush !== "function") return;
  let timer;
  try {
    // Called now, not in a later microtask: the destination marks what was written before this flush.
    let result;
    try {
      result = Promise.resolve(flush.call(sink, ms));
    } catch {
      return;
    }
    await Promise.race([
      result,
      new Promise((resolve) => {
        timer = setTimeout(resolve, ms + 50);
      }),
    ]);
  } catch {
    // flush never rejects for our destinations; a foreign one's rejection is not the caller's
  } finally {
    clearTimeout(timer);
  }
}


/**
 * Validate an event (object or JSON text) against the vendored schema.
 * @returns {{ valid: boolean, errors: { instancePath: string, schemaPath: string, keyword: string, message: string }[] }}
 */
export function validateEvent(event, options) {
  const version = validationVersion(options); // 0: the event's own schema_version; else 1 + the index in SCHEMA_VERSIONS
  if (typeof version === "string") return invalid("options", version);
  let text = event;
  if (typeof event !== "string") {
    try {
      assertPlainInput(event);
      text = JSON.stringify(event);
    } catch (e) {
      if (e === TOO_BIG) return invalid("input", `the event is larger than the input limit (${MAX_INPUT_LENGTH} characters as JSON)`);
      return invalid("input", "the event could not be converted to JSON (a cyclic structure, a BigInt, a symbol, a function, or a getter that throws)");
    }
    if (text === undefined) text = "null";
  }
  if (text.length > MAX_INPUT_LENGTH) return invalid("input", `the event is larger than the input limit (${MAX_INPUT_LENGTH} characters as JSON)`);
  let out;
  try {
    healthy();
    const len = validateInput(toWasm(text), version);
    // 0 = valid: a new object per call, as JSON.parse would give (callers may mutate it).
    if (len === 0) return { valid: true, errors: [] };
    out = resultFromWasm(len);
    if (out.charCodeAt(0) !== 91) return JSON.parse(out); // not "[": the full result
    return { valid: false, errors: issuesFrom(JSON.parse(out)) };
  } catch (err) {
    wasmState.poisoned = true;
    if (text.length > 65536) afterLargeCall();
    return invalid("input", "the wasm core failed during this call (a trap or a stack overflow); it is replaced before the next call");
  }
}

/** `validateEvent`'s result for input or options it cannot validate. */
function invalid(keyword, message) {
  return { valid: false, errors: [{ instancePath: "", schemaPath: "", keyword, message }] };
}

/** The `schemaVersion` option as the core's number, or the message saying what is wrong (never throws). */
function validationVersion(options) {
  if (options === undefined || options === null) return 0;
  let v;
  try {
    v = own(options, "schemaVersion");
  } catch {
    return "invalid option `schemaVersion`: reading it threw";
  }
  if (v === undefined || v === null) return 0;
  if (typeof v !== "string") return "invalid option `schemaVersion`: must be a string";
  const version = SCHEMA_VERSIONS.indexOf(v) + 1;
  return version === 0 ? `invalid option \`schemaVersion\`: must be one of ${SCHEMA_VERSIONS.join(", ")}` : version;
}

/** Template number -> [schemaPath, keyword, message, rule], fetched from the core once each. */
const templates = [];
onReset(() => {
  templates.length = 0; // numbers belong to the replaced instance
});

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
  let redaction;
  try {
    redaction = own(options, "redaction") ?? "reference";
  } catch {
    throw new TypeError("sanitizeErrorMessage: reading `redaction` threw");
  }
  if (redaction !== "reference" && redaction !== "strict") throw new RangeError('sanitizeErrorMessage: `redaction` must be "reference" or "strict"');
  if (message.length > MAX_INPUT_LENGTH) throw new RangeError(`sanitizeErrorMessage: \`message\` is longer than the input limit (${MAX_INPUT_LENGTH} characters)`);
  try {
    healthy();
    return sanitizeMessage(message, maxLen, redaction === "strict");
  } catch (err) {
    wasmState.poisoned = true;
    throw new RangeError("sanitizeErrorMessage: the wasm core failed on this input; it is replaced before the next call");
  }
}

/**
 * A destination printing one line per event via `console[level]`: the emitted line itself
 * (the reference's LoggingSink text), without its newline.
 */
export function consoleSink(options) {
  let level;
  try {
    level = own(options, "level") ?? "info";
  } catch {
    throw new TypeError("consoleSink: reading `level` threw");
  }
  if (!CONSOLE_LEVELS.includes(level)) throw new RangeError("consoleSink: `level` must be one of debug, info, log, warn, error");
  return {
    write(line) {
      console[level](line.endsWith("\n") ? line.slice(0, -1) : line);
    },
  };
}

/** Keeps events in memory (the last `maxlen` when given): `.events` (a copy), `.length`, `.clear()`. */
export function memorySink(options) {
  let maxlen;
  try {
    maxlen = own(options, "maxlen");
  } catch {
    throw new TypeError("memorySink: reading `maxlen` threw");
  }
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
