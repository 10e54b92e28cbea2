// One conformance suite for every runtime (Node, Deno, workerd, Chromium). It receives the
// package's exports and returns [{ name, ok, assertions, error }]. No runtime-specific APIs.
// Synthetic PHI only.

const ID = "2f4c1d11-3f42-44d3-83a0-1d3f7e1d2b1c";
const T0 = Date.UTC(2026, 2, 11, 18, 41, 55, 123);
const PHI = ["123-45-6789", "jane.doe@example.com", "555-867-5309", "Jane Q Public", "00123456789012"];

function deepEqual(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
}

export async function runConformance(api) {
  const { AuditLogger, validateEvent, assertValidEvent, ValidationError, sanitizeErrorMessage, memorySink, consoleSink, SCHEMA_VERSIONS } = api;
  const results = [];
  let count = 0;
  const ok = (cond, msg) => {
    count++;
    if (!cond) throw new Error(`assertion failed: ${msg}`);
  };
  const eq = (actual, expected, msg) => {
    count++;
    if (!deepEqual(actual, expected)) throw new Error(`${msg}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  };
  const throws = (fn, Cls, re, msg) => {
    count++;
    try {
      fn();
    } catch (e) {
      if (Cls && !(e instanceof Cls)) throw new Error(`${msg}: threw ${e && e.name}, expected ${Cls.name}`);
      if (re && !re.test(String(e.message))) throw new Error(`${msg}: message ${JSON.stringify(e.message)} does not match ${re}`);
      return e;
    }
    throw new Error(`${msg}: did not throw`);
  };
  const noPhi = (text, msg) => {
    for (const token of PHI) ok(!String(text).includes(token), `${msg}: must not contain a PHI token`);
  };
  const test = async (name, fn) => {
    const before = count;
    try {
      await fn();
      results.push({ name, ok: true, assertions: count - before });
    } catch (e) {
      results.push({ name, ok: false, assertions: count - before, error: String((e && e.stack) || e) });
    }
  };
  const make = (extra = {}) => {
    const sink = memorySink();
    const diags = [];
    let n = 0;
    const logger = new AuditLogger({
      serviceName: "bh-notes-api",
      sink,
      timeSource: () => T0 + n,
      idFactory: () => `${ID.slice(0, 24)}${String(++n).padStart(12, "0")}`,
      onDiagnostic: (level, message) => diags.push({ level, message }),
      ...extra,
    });
    return { logger, sink, diags };
  };

  await test("exports are present", () => {
    for (const name of ["AuditLogger", "validateEvent", "assertValidEvent", "ValidationError", "sanitizeErrorMessage", "memorySink", "consoleSink", "SCHEMA_VERSIONS"]) {
      ok(api[name] !== undefined, `export ${name}`);
    }
    eq([...SCHEMA_VERSIONS], ["1.0", "1.1", "2.0", "2.1"], "SCHEMA_VERSIONS");
  });

  await test("audit builds the reference's event with injected time and id", () => {
    const { logger, sink } = make();
    const ev = logger.audit("READ", {
      actor: { subject_id: "user_789", subject_type: "human", roles: ["therapist"] },
      resource: { type: "Patient", id: "pat_456", patient_id: "pat_456" },
      correlation: { request_id: "req_1" },
      phiTouched: true,
      dataClassification: "PHI",
    });
    eq(ev.timestamp, "2026-03-11T18:41:55.123Z", "timestamp from timeSource, ms precision");
    eq(ev.event_id, "2f4c1d11-3f42-44d3-83a0-000000000001", "event_id from idFactory");
    eq(Object.keys(ev), ["schema_version", "event_id", "timestamp", "service", "actor", "action", "resource", "outcome", "correlation"], "the reference's key order");
    eq(ev.service, { name: "bh-notes-api", environment: "unknown" }, "service block");
    eq(ev.action, { type: "READ", phi_touched: true, data_classification: "PHI" }, "action block");
    eq(ev.outcome, { status: "SUCCESS" }, "default outcome");
    eq(sink.length, 1, "sink received the event");
    eq(sink.events[0], ev, "sink got the same event");
    eq(validateEvent(ev).valid, true, "emitted event is valid");
    const { validation_time_ms_total: ms, ...counts } = logger.stats;
    eq(counts, { events_emitted_total: 1, emit_failures_total: 0, events_dropped_total: 0, validation_failures_total: 0, integrity_events_total: 0, chain_gaps_total: 0 }, "stats");
    ok(typeof ms === "number" && ms >= 0, "validation_time_ms_total is a duration");
  });

  await test("time source may return a Date; defaults fill actor and resource", () => {
    const { logger } = make({ timeSource: () => new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 999)), defaultActorId: "svc_x", defaultActorType: "human" });
    const ev = logger.audit("EXPORT", {});
    eq(ev.timestamp, "2024-02-29T23:59:59.999Z", "Date time source");
    eq(ev.actor, { subject_id: "svc_x", subject_type: "human" }, "default actor");
    eq(ev.resource, { type: "unknown" }, "default resource");
    eq(ev.action.data_classification, "UNKNOWN", "default classification");
  });

  await test("errors: Error class name and string, sanitized", () => {
    const { logger } = make();
    class NoteLockedError extends Error {}
    let ev = logger.audit("UPDATE", { error: new NoteLockedError("note locked for jane.doe@example.com") });
    eq(ev.outcome, { status: "FAILURE", error_type: "NoteLockedError", error_message: "note locked for [REDACTED-EMAIL]" }, "Error subclass");
    ev = logger.audit("UPDATE", { error: "ssn 123-45-6789 and\n phone 555-867-5309" });
    eq(ev.outcome, { status: "FAILURE", error_type: "ApplicationError", error_message: "ssn [REDACTED-SSN] and phone [REDACTED-PHONE]" }, "string error");
    ev = logger.audit("UPDATE", { error: new TypeError("x".repeat(300)) });
    eq(ev.outcome.error_message.length, 200, "capped at errorMessageMaxLen");
    ok(ev.outcome.error_message.endsWith("..."), "cap ends with ...");
  });

  await test("helpers: login success/failure, access, access denied", () => {
    const { logger } = make();
    eq(logger.auditLoginSuccess({}).resource, { type: "Session" }, "login success resource");
    const f = logger.auditLoginFailure({});
    eq([f.action.type, f.outcome.status, f.outcome.error_message], ["LOGIN", "FAILURE", "Login failed"], "login failure default");
    eq(logger.auditAccess("DELETE", { resource: { type: "Note" } }).action.type, "DELETE", "access");
    const d = logger.auditAccessDenied("READ", { errorType: "CrossOrgDenied" });
    eq(d.outcome, { status: "DENIED", error_type: "CrossOrgDenied" }, "access denied");
    const { logger: v10 } = make({ schemaVersion: "1.0" });
    const d10 = v10.auditAccessDenied("READ", {});
    eq([d10.schema_version, d10.outcome.status, d10.outcome.error_message], ["1.0", "FAILURE", "AccessDenied"], "1.0: DENIED emitted as FAILURE");
  });

  await test("metadata allowlist, scalars only, truncation in code points", () => {
    const { logger, diags } = make({ metadataAllowlist: new Set(["note", "count", "flag", "nested"]), maxMetadataValueLength: 3 });
    const ev = logger.audit("READ", { metadata: { note: "😀😀😀😀", count: 7, flag: false, nested: { a: 1 }, patient_name: "Jane Q Public" } });
    eq(ev.metadata, { note: "😀😀😀...", count: 7, flag: false }, "filtered metadata");
    ok(diags.some((d) => d.message.includes("'patient_name'")), "dropped key reported by name");
    noPhi(JSON.stringify(diags), "diagnostics");
    const { logger: none } = make();
    eq("metadata" in none.audit("READ", { metadata: { note: "x" } }), false, "empty allowlist drops all metadata");
  });

  await test("unknown keys fail validation by path, never by value", () => {
    const { logger, sink, diags } = make();
    const ev = logger.audit("READ", { actor: { subject_id: "u1", subject_type: "human", ssn: "123-45-6789" } });
    eq(ev, null, "dropped");
    eq(sink.length, 0, "nothing emitted");
    eq(logger.stats.validation_failures_total, 1, "validation failure counted");
    eq(logger.stats.events_dropped_total, 1, "drop counted");
    ok(diags.some((d) => d.message.includes("/actor/ssn")), "diagnostic names the path");
    noPhi(JSON.stringify(diags), "diagnostics");
  });

  await test("validationFailureMode raise and log_and_emit", () => {
    const { logger } = make({ validationFailureMode: "raise" });
    const e = throws(() => logger.audit("PEEK", {}), ValidationError, /\/action\/type/, "raise");
    ok(Array.isArray(e.errors) && e.errors[0].instancePath === "/action/type", "errors carried");
    const { logger: le, sink } = make({ validationFailureMode: "log_and_emit" });
    const ev = le.audit("READ", { resource: { type: "Patient", dob: "1990-01-01" } });
    eq(ev.resource, { type: "Patient" }, "unknown key stripped when emitting anyway");
    eq([sink.length, le.stats.validation_failures_total, le.stats.events_emitted_total], [1, 1, 1], "counted and emitted");
  });

  await test("sink failures per emitFailureMode", async () => {
    const boom = () => {
      throw new Error("disk full for jane.doe@example.com");
    };
    const { logger, diags } = make({ sink: boom });
    ok(logger.audit("READ", {}) !== null, "log mode: event still returned");
    eq(logger.stats.emit_failures_total, 1, "failure counted");
    ok(diags.some((d) => d.level === "warn" && d.message.includes("sink")), "warn diagnostic");
    noPhi(JSON.stringify(diags), "sink failure diagnostic");
    const { logger: silent, diags: sd } = make({ sink: boom, emitFailureMode: "silent" });
    silent.audit("READ", {});
    ok(sd.some((d) => d.level === "debug"), "silent mode reports at debug");
    const err = new Error("sink down");
    const { logger: raise } = make({ sink: () => { throw err; }, emitFailureMode: "raise" });
    count++;
    try {
      raise.audit("READ", {});
      throw new Error("raise mode did not throw");
    } catch (e) {
      if (e !== err) throw new Error("raise mode must rethrow the sink's own error intact");
    }
    eq(raise.stats.emit_failures_total, 1, "raise mode counts");
  });

  await test("async sinks: pending, flush, rejections never escape", async () => {
    const resolvers = [];
    const { logger } = make({ sink: () => new Promise((r) => resolvers.push(r)) });
    logger.audit("READ", {});
    logger.audit("READ", {});
    eq(logger.pending, 2, "two pending");
    resolvers.forEach((r) => r());
    await logger.flush(1000);
    eq([logger.pending, logger.stats.events_emitted_total], [0, 2], "flushed and counted");
    const { logger: rej, diags } = make({ sink: async () => { throw new Error("upstream 503"); }, emitFailureMode: "raise" });
    rej.audit("READ", {});
    await rej.flush(1000);
    eq(rej.stats.emit_failures_total, 1, "rejection counted");
    ok(diags.some((d) => d.level === "error"), "rejection reported");
    const { logger: hang, diags: hangDiags } = make({ sink: () => new Promise(() => {}) });
    hang.audit("READ", {});
    await hang.flush(20);
    eq([hang.pending, hang.stats.events_dropped_total], [0, 1], "timed-out call counted as dropped");
    ok(hang.stats.events_dropped_total === 1 && hangDiags.some((d) => d.level === "error" && /did not settle/.test(d.message)), "timeout reported");
    const { logger: lim } = make({ sink: () => new Promise(() => {}), maxPending: 2 });
    lim.audit("READ", {});
    lim.audit("READ", {});
    eq(lim.audit("READ", {}), null, "beyond maxPending the event is dropped");
    eq(lim.stats.events_dropped_total, 1, "counted");
    await lim.flush(5);
  });

  await test("options are validated and frozen", () => {
    throws(() => new AuditLogger({}), TypeError, /serviceName/, "missing serviceName");
    throws(() => new AuditLogger({ serviceName: "  " }), RangeError, /serviceName/, "blank serviceName");
    throws(() => new AuditLogger({ serviceName: "s", errorMessageMaxLen: 9 }), RangeError, /errorMessageMaxLen/, "errorMessageMaxLen >= 10");
    throws(() => new AuditLogger({ serviceName: "s", maxMetadataValueLength: 0 }), RangeError, /maxMetadataValueLength/, "maxMetadataValueLength >= 1");
    throws(() => new AuditLogger({ serviceName: "s", emitFailureMode: "loud" }), RangeError, /emitFailureMode/, "emitFailureMode enum");
    throws(() => new AuditLogger({ serviceName: "s", sanitizeErrors: "yes" }), TypeError, /sanitizeErrors/, "sanitizeErrors type");
    throws(() => new AuditLogger({ serviceName: "s", sink: 42 }), TypeError, /sink/, "sink type");
    throws(() => new AuditLogger({ serviceName: "s", metadataAllowlist: "abc" }), TypeError, /metadataAllowlist/, "allowlist not a string");
    throws(() => new AuditLogger({ serviceName: "s", schemaVersion: "3.0" }), RangeError, /schemaVersion/, "schemaVersion 1.0, 1.1, 2.0 or 2.1");
    throws(() => new AuditLogger({ serviceName: "s", defaultActorType: "agent" }), RangeError, /defaultActorType/, "agent actors need a 2.x schemaVersion");
    throws(() => new AuditLogger({ serviceName: "s", agentEventDowngradeMode: "drop" }), RangeError, /agentEventDowngradeMode/, "downgrade mode raise or strip");
    throws(() => new AuditLogger({ serviceName: "s", serviceEnviroment: "prod" }), TypeError, /serviceEnviroment/, "a misspelt option is named");
    const { logger: dflt } = make({ idFactory: undefined });
    ok(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(dflt.audit("READ", {}).event_id), "default id is a UUID v4");
    const { logger } = make();
    ok(Object.isFrozen(logger.config), "config frozen");
    eq([logger.config.serviceEnvironment, logger.config.errorMessageMaxLen, logger.config.validationFailureMode], ["unknown", 200, "drop"], "defaults");
  });

  await test("emit() of a pre-built event", () => {
    const { logger, sink } = make({ metadataAllowlist: ["ok"] });
    const ev = {
      schema_version: "1.1", event_id: ID, timestamp: "2026-03-11T18:41:55.123Z",
      outcome: { status: "FAILURE", error_type: "E", error_message: "ssn 123-45-6789" },
      service: { name: "svc" }, actor: { subject_id: "u", subject_type: "human" },
      action: { type: "READ" }, resource: { type: "Note" }, metadata: { ok: 1, bad: 2 },
    };
    eq(logger.emit(ev), true, "emitted");
    eq(sink.events[0].outcome.error_message, "ssn [REDACTED-SSN]", "sanitized");
    eq(sink.events[0].metadata, { ok: 1 }, "allowlisted");
    eq(Object.keys(sink.events[0]), ["schema_version", "event_id", "timestamp", "outcome", "service", "actor", "action", "resource", "metadata"], "the caller's key order kept");
    eq(logger.emit({ ...ev, event_id: "nope" }), false, "invalid event not emitted");
  });

  await test("validateEvent: objects, strings, syntax errors, versions", () => {
    const good = { schema_version: "1.1", event_id: ID, timestamp: "2026-03-11T18:41:55Z", service: { name: "s" }, actor: { subject_id: "u", subject_type: "human" }, action: { type: "READ" }, resource: { type: "Note" }, outcome: { status: "SUCCESS" } };
    eq(validateEvent(good), { valid: true, errors: [] }, "valid object");
    eq(validateEvent(JSON.stringify(good)).valid, true, "valid string");
    const bad = validateEvent({ ...good, actor: { subject_id: "Jane Q Public", subject_type: "123-45-6789" } });
    eq(bad.valid, false, "invalid");
    eq(bad.errors.map((e) => e.instancePath), ["/actor/subject_type"], "error path");
    ok(["instancePath", "schemaPath", "keyword", "message"].every((k) => typeof bad.errors[0][k] === "string"), "error shape");
    noPhi(JSON.stringify(bad), "validation errors");
    const syn = validateEvent('{\n  "a": ,\n}');
    eq([syn.valid, syn.errors[0].keyword, syn.errors[0].line, syn.errors[0].column], [false, "syntax", 2, 8], "syntax error line/column");
    eq(validateEvent({ ...good, schema_version: "1.0" }, { schemaVersion: "1.1" }).valid, false, "explicit version");
    throws(() => validateEvent(good, { schemaVersion: "9.9" }), RangeError, /schemaVersion/, "unknown version");
    throws(() => assertValidEvent({ ...good, outcome: { status: "DENIED" } }), ValidationError, /outcome/, "assertValidEvent");
    // Results are fresh objects: mutating one changes no later result.
    const v1 = validateEvent(good);
    v1.valid = false;
    v1.errors.push("x");
    eq(validateEvent(good), { valid: true, errors: [] }, "valid result is a fresh object");
    const weird = { ...good, resource: { type: "Note", 'a/b~"c\n': 1 }, extra: 1 };
    const first = validateEvent(weird);
    first.errors[0].message = "changed";
    const again = validateEvent(JSON.stringify(weird));
    eq(again.errors.map((e) => [e.instancePath, e.keyword]), [["/extra", "additionalProperties"], ["/resource/a~1b~0\"c\n", "additionalProperties"]], "escaped names in paths");
    eq(again.errors[0].message, "is not allowed here", "issue objects are fresh (shared strings only)");
    eq(again.errors[1].schemaPath, "/properties/resource/additionalProperties", "schema path");
  });

  await test("sanitizeErrorMessage matches the reference", () => {
    eq(sanitizeErrorMessage("  a\t\tb\n c  "), "a b c", "whitespace");
    eq(sanitizeErrorMessage("x 123-45-6789 y"), "x [REDACTED-SSN] y", "ssn");
    eq(sanitizeErrorMessage("é123-45-6789"), "é123-45-6789", "unicode word boundary");
    eq(sanitizeErrorMessage("١٢٣-٤٥-٦٧٨٩"), "[REDACTED-SSN]", "unicode digits");
    eq(sanitizeErrorMessage("call 5551234567"), "call [REDACTED-PHONE]", "phone");
    eq(sanitizeErrorMessage("mrn 12345678901234"), "mrn [REDACTED-ID]", "long id");
    eq(sanitizeErrorMessage("a".repeat(20), 10), "aaaaaaa...", "cap");
    eq(sanitizeErrorMessage(null), "", "null");
    eq(sanitizeErrorMessage("id5101880252732687x", 200, { redaction: "strict" }), "id[REDACTED-ID]x", "strict profile");
  });

  await test("a destination receives the emitted line, byte for byte, and audit() still returns the event", () => {
    const lines = [];
    const dest = { write(line) { lines.push(line); } };
    const logger = new AuditLogger({ serviceName: "s", sink: dest, timeSource: () => T0, idFactory: () => ID, metadataAllowlist: ["route", "n"] });
    const ev = logger.audit("READ", {
      correlation: { request_id: "r1" },
      resource: { id: "p1", type: "Patient" },
      metadata: { route: "/p/{id}", n: 1.5, dropped: "x" },
      phiTouched: true,
    });
    eq(lines, [`{"schema_version":"1.1","event_id":"${ID}","timestamp":"2026-03-11T18:41:55.123Z","service":{"name":"s","environment":"unknown"},"actor":{"subject_id":"unknown","subject_type":"service"},"action":{"type":"READ","phi_touched":true,"data_classification":"UNKNOWN"},"resource":{"id":"p1","type":"Patient"},"outcome":{"status":"SUCCESS"},"correlation":{"request_id":"r1"},"metadata":{"route":"/p/{id}","n":1.5}}\n`], "the line, in the reference's order, caller blocks in the caller's order");
    eq(ev, JSON.parse(lines[0]), "audit() returns the event of the line");
    eq(logger.emit(ev), true, "emit() takes it back");
    eq(lines[1], lines[0], "and writes the same line");
    eq(logger.stats.events_emitted_total, 2, "counted");
    throws(() => new AuditLogger({ serviceName: "s", sink: { write: 1 } }), TypeError, /`sink`/, "a sink must be a function or have write()");
    throws(() => new AuditLogger({ serviceName: "s", sink: { get write() { throw new Error("123-45-6789"); } } }), TypeError, /`sink`/, "a throwing write getter is refused at construction");
  });

  await test("a destination's async write is tracked and its failure counted", async () => {
    const diags = [];
    const dest = { write: () => Promise.reject(new Error("disk full")) };
    const logger = new AuditLogger({ serviceName: "s", sink: dest, idFactory: () => ID, onDiagnostic: (level, message) => diags.push(message) });
    ok(logger.audit("READ", {}) !== null, "returns the event");
    eq(logger.pending, 1, "pending");
    await logger.flush(1000);
    eq([logger.pending, logger.stats.emit_failures_total, logger.stats.events_emitted_total], [0, 1, 0], "counted once as a failure");
    ok(diags.some((m) => m.includes("promise rejected")), "reported");
  });

  await test("log_and_emit masks invalid values whatever their type", () => {
    const { logger, sink } = make({ validationFailureMode: "log_and_emit" });
    logger.audit("READ", { resource: { type: { name: "Jane Q Public", ssn: "123-45-6789" } } });
    logger.audit("READ", { outcome: { status: "FAILURE", error_type: "E", error_message: { text: "SSN 123-45-6789" } } });
    logger.audit("READ", { actor: { subject_id: ["Jane Q Public"], subject_type: "human" } });
    eq(sink.length, 3, "emitted anyway");
    noPhi(JSON.stringify(sink.events), "masked events");
    eq(sink.events[0].resource.type, "[INVALID]", "object where a string belongs");
    eq(sink.events[1].outcome.error_message, "[INVALID]", "object error_message");
    eq(sink.events[2].actor.subject_id, "[INVALID]", "array where a string belongs");
    eq(logger.stats.validation_failures_total, 3, "counted as validation failures");
  });

  await test("consoleSink writes one JSON line", () => {
    const lines = [];
    const orig = console.info;
    console.info = (line) => lines.push(line);
    try {
      const logger = new AuditLogger({ serviceName: "s", sink: consoleSink(), idFactory: () => ID });
      logger.audit("READ", {});
    } finally {
      console.info = orig;
    }
    eq(lines.length, 1, "one line");
    eq(JSON.parse(lines[0]).event_id, ID, "JSON event");
    const m = memorySink({ maxlen: 2 });
    m({ a: 1 }); m({ a: 2 }); m({ a: 3 });
    eq([m.length, m.events[0].a], [2, 2], "memorySink maxlen keeps the last");
    m.clear();
    eq(m.length, 0, "clear");
  });

  await test("integrity: chained events verify; the head resumes a chain", () => {
    const { logger, sink } = make({ enableIntegrity: true, hashAlgorithm: "sha384" });
    logger.audit("READ", {});
    logger.audit("UPDATE", {});
    const [a, b] = sink.events;
    eq(Object.keys(b.integrity), ["event_hash", "hash_alg", "prev_event_hash"], "integrity block in the reference 1.1.1 order");
    eq([a.integrity.prev_event_hash, b.integrity.prev_event_hash, b.integrity.hash_alg], [undefined, a.integrity.event_hash, "sha384"], "links");
    eq(logger.chainHead, b.integrity.event_hash, "chainHead reads the last hash");
    const { logger: resumed, sink: s2 } = make({ enableIntegrity: true, hashAlgorithm: "sha384" });
    resumed.chainHead = logger.chainHead;
    resumed.audit("READ", {});
    const jsonl = [...sink.events, ...s2.events].map((e) => JSON.stringify(e)).join("\n");
    eq(api.verifyChain(jsonl).ok, true, "resumed chain verifies across loggers");
    const tampered = jsonl.replace('"UPDATE"', '"DELETE"');
    const report = api.verifyChain(tampered);
    eq([report.ok, report.failures[0].line], [false, 2], "a changed field is reported at its line");
    noPhi(JSON.stringify(report), "verifier report");
  });

  await test("hostile input never breaks the logger", () => {
    const { logger } = make();
    const cyclic = {};
    cyclic.self = cyclic;
    const throwing = {};
    Object.defineProperty(throwing, "actor", { enumerable: true, get() { throw new Error("getter 123-45-6789"); } });
    const protoKey = JSON.parse('{"__proto__": {"polluted": true}, "type": "Note"}');
    const inputs = [
      ["READ", { metadata: cyclic }],
      ["READ", { resource: { type: "Note", id: 10n } }],
      ["READ", { actor: { subject_id: Symbol("x"), subject_type: "human" } }],
      ["READ", throwing],
      ["READ", { resource: { type: "\ud800" } }],
      ["READ", { resource: { type: "x".repeat(1 << 20) } }],
      ["READ", { metadata: JSON.parse("[".repeat(5000) + "]".repeat(5000)) }],
      ["READ", { resource: protoKey }],
      [undefined, null],
      [{ toString() { throw new Error("x"); } }, 42],
    ];
    for (const [action, opts] of inputs) {
      ok(logger.audit(action, opts) === null, "hostile call dropped, not thrown");
    }
    eq(({}).polluted, undefined, "no prototype pollution");
    const s = logger.stats;
    eq(s.events_emitted_total + s.events_dropped_total + s.emit_failures_total, inputs.length, "every call accounted for");
    eq(logger.audit("READ", {}).outcome.status, "SUCCESS", "logger still works");
    eq(validateEvent(cyclic).valid, false, "validateEvent on cyclic input");
    const { logger: lenient, sink: lsink } = make({ validationFailureMode: "log_and_emit" });
    eq(lenient.audit("READ", { resource: { type: "\ud800" } }), null, "log_and_emit: input that is not JSON text is still dropped");
    eq(lsink.length, 0, "nothing reaches the sink for unusable input");
    eq(logger.emit(cyclic), false, "emit on cyclic input");
  });

  return results;
}
