// PHI in names (issue 13, API.md "Failure rules"): a key name, an option name or an error
// class name that is an identifier never appears verbatim in a diagnostic, a thrown error's
// message, a validateEvent error or an event's error_type; control characters are escaped;
// diagnostics and messages are capped. Synthetic PHI only.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as api from "../../pkg/src/node.mjs";

const { AuditLogger, validateEvent, assertValidEvent, ValidationError } = api;
const ID = "2f4c1d11-3f42-44d3-83a0-1d3f7e1d2b1c";
const EVENT = { schema_version: "1.1", event_id: ID, timestamp: "2026-03-11T18:41:55Z", service: { name: "s" }, actor: { subject_id: "u", subject_type: "human" }, action: { type: "READ" }, resource: { type: "Note" }, outcome: { status: "SUCCESS" } };

/** Identifier-shaped key names and the text that must never come out. */
const KEYS = [
  ["123-45-6789", "123-45-6789"],
  ["jane.doe@example.org", "jane.doe@example.org"],
  ["(555) 123-4567", "123-4567"],
  ["5551234567", "5551234567"],
  ["patient_123456789", "123456789"],
  ["MRN 1234567", "1234567"],
  ["10.20.30.40", "10.20.30.40"],
];
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function leaks(text, secret) {
  return typeof text === "string" && text.includes(secret);
}

function collecting(extra = {}) {
  const diags = [];
  const logger = new AuditLogger({ serviceName: "phi", idFactory: () => ID, sink: () => {}, onDiagnostic: (l, m) => diags.push(m), ...extra });
  return { logger, diags };
}

for (const [key, secret] of KEYS) {
  test(`key name ${JSON.stringify(key)}: not in drop diagnostics, ValidationError.message or validateEvent errors`, () => {
    const { logger, diags } = collecting();
    assert.equal(logger.audit("READ", { resource: { type: "Note", [key]: 1 } }), null);
    assert.equal(logger.emit({ ...EVENT, actor: { ...EVENT.actor, [key]: "x" } }), false);
    assert.ok(diags.length >= 2, "the drops were reported");
    for (const d of diags) assert.ok(!leaks(d, secret), `diagnostic: ${d}`);
    assert.ok(diags.some((d) => d.includes("[REDACTED-")), `the key shows redacted: ${diags.join(" | ")}`);

    const raising = collecting({ validationFailureMode: "raise" }).logger;
    let err;
    try {
      raising.audit("READ", { resource: { type: "Note", [key]: 1 } });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ValidationError);
    assert.ok(!leaks(err.message, secret), `ValidationError.message: ${err.message}`);
    for (const e of err.errors) assert.ok(!leaks(e.instancePath, secret) && !leaks(e.message, secret), JSON.stringify(e));

    for (const input of [{ ...EVENT, resource: { type: "Note", [key]: 1 } }, JSON.stringify({ ...EVENT, [key]: 1 })]) {
      const res = validateEvent(input);
      assert.equal(res.valid, false);
      for (const e of res.errors) assert.ok(!leaks(e.instancePath, secret) && !leaks(e.message, secret), JSON.stringify(e));
      assert.ok(res.errors.some((e) => e.instancePath.includes("[REDACTED-")), JSON.stringify(res.errors));
      assert.throws(() => assertValidEvent(input), (e) => e instanceof ValidationError && !leaks(e.message, secret));
    }
  });
}

test("an unknown option named after an identifier is not echoed", () => {
  for (const [key, secret] of KEYS) {
    assert.throws(() => new AuditLogger({ serviceName: "s", [key]: 1 }), (e) => e instanceof TypeError && /unknown option/.test(e.message) && !leaks(e.message, secret), key);
  }
});

test("an error class named after an identifier: redacted in error_type and in sink-failure diagnostics", async () => {
  class PatientNotFound_123456789 extends Error {}
  class Lookup_jane_doe_at_example_org extends Error {}
  const ev = collecting().logger.audit("UPDATE", { error: new PatientNotFound_123456789("lookup failed") });
  assert.equal(ev.outcome.status, "FAILURE");
  assert.ok(!leaks(ev.outcome.error_type, "123456789"), ev.outcome.error_type);
  assert.match(ev.outcome.error_type, /^PatientNotFound_\[REDACTED-/);
  assert.equal(validateEvent(ev).valid, true);
  const plain = collecting().logger.audit("UPDATE", { error: new Lookup_jane_doe_at_example_org("x") });
  assert.equal(plain.outcome.error_type, "Lookup_jane_doe_at_example_org", "a class name without an identifier is kept");
  for (const mode of ["log", "silent"]) {
    for (const sink of [() => { throw new PatientNotFound_123456789("x"); }, async () => { throw new PatientNotFound_123456789("x"); }]) {
      const diags = [];
      const logger = new AuditLogger({ serviceName: "phi", emitFailureMode: mode, idFactory: () => ID, sink, onDiagnostic: (l, m) => diags.push(m) });
      logger.audit("READ", {});
      await logger.flush(100);
      assert.ok(diags.some((d) => d.startsWith("audit sink")), diags.join(" | "));
      for (const d of diags) assert.ok(!leaks(d, "123456789"), d);
    }
  }
});

test("control characters in key names are escaped in diagnostics, messages and instancePath", () => {
  const key = "x\u001b[2J\u001b]0;PASS\u0007\u202e";
  const { logger, diags } = collecting();
  logger.audit("READ", { resource: { type: "Note", [key]: 1 } });
  assert.ok(diags.length > 0);
  for (const d of diags) assert.ok(!CONTROL.test(d), JSON.stringify(d));
  const res = validateEvent({ ...EVENT, [key]: 1 });
  for (const e of res.errors) assert.ok(!CONTROL.test(e.instancePath) && !CONTROL.test(e.message), JSON.stringify(e));
  assert.throws(() => assertValidEvent({ ...EVENT, [key]: 1 }), (e) => !CONTROL.test(e.message));
});

test("diagnostics and messages are capped: one emit() with 100,000 invalid roles", () => {
  const { logger, diags } = collecting();
  const roles = Array.from({ length: 100_000 }, () => 1);
  logger.emit({ ...EVENT, actor: { ...EVENT.actor, roles } });
  assert.ok(diags.length > 0);
  for (const d of diags) assert.ok(d.length <= 2000, `diagnostic of ${d.length} characters`);
  let err;
  try {
    collecting({ validationFailureMode: "raise" }).logger.emit({ ...EVENT, actor: { ...EVENT.actor, roles } });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ValidationError);
  assert.ok(err.message.length <= 2000, `ValidationError.message of ${err.message.length} characters`);
});

// Issue 21 item 8: every path that names a key goes through the one redaction step (the core's
// `redact_name`), including the compatibility forms of the strict corpus. Synthetic PHI only.
const LEAKED = [
  ["MRN 12345678", ["12345678"]],
  ["MRN:A1234567", ["1234567"]],
  ["123\u201045\u20106789", ["6789", "123\u201045"]],
  ["john.doe\uff20example.com", ["john.doe", "example.com"]],
  ["(555) 123-4567", ["123-4567", "555"]],
  ["192.168.1.10", ["192.168", "168.1.10"]],
  ["Smith, John", ["Smith", "John"]],
  ["DOB 1980-01-02", ["1980-01-02"]],
  ["\uff10\uff15\uff15\uff11\uff12\uff13\uff14\uff15\uff16\uff17", ["\uff15\uff16\uff17"]],
  ["105\u221262\u22123269", ["3269"]],
  ["acct\uff03X1477356", ["1477356"]],
  ["pt 819\u201071\u20108871", ["8871"]],
];

for (const redaction of ["reference", "strict"]) {
  test(`item 8: the allowlist's dropped-key diagnostics redact key names (redaction: ${redaction})`, () => {
    for (const [key, secrets] of LEAKED) {
      const { logger, diags } = collecting({ metadataAllowlist: ["route"], redaction });
      const e = logger.audit("READ", { metadata: { route: "/notes", [key]: 1 } });
      assert.ok(e, "the event is emitted without the key");
      assert.deepEqual(Object.keys(e.metadata), ["route"]);
      const drop = diags.filter((d) => d.includes("not in the allowlist"));
      assert.equal(drop.length, 1, diags.join(" | "));
      assert.ok(drop[0].includes("[REDACTED-"), drop[0]);
      for (const d of diags) for (const s of secrets) assert.ok(!leaks(d, s), `${key}: ${d}`);
      // A key the allowlist names, holding a non-scalar: named through the same step.
      const { logger: l2, diags: d2 } = collecting({ metadataAllowlist: [key], redaction });
      l2.audit("READ", { metadata: { [key]: { nested: 1 } } });
      assert.ok(d2.some((d) => d.includes("not a scalar")), d2.join(" | "));
      for (const d of d2) for (const s of secrets) assert.ok(!leaks(d, s), `${key}: ${d}`);
    }
  });
}

test("item 8: an unknown agent-descriptor key is redacted in the TypeError", () => {
  for (const [key, secrets] of LEAKED) {
    const { logger } = collecting({ schemaVersion: "2.0" });
    let err;
    try {
      logger.auditAgentAction("READ", { agentSubjectId: "agent-1", authorizingSubjectId: "user_1", agentSessionId: "s-1", delegationType: "supervised", agent: { interface: "mcp", [key]: "x" } });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof TypeError, key);
    assert.match(err.message, /unknown key/);
    assert.ok(err.message.includes("[REDACTED-"), err.message);
    for (const s of secrets) assert.ok(!leaks(err.message, s), `${key}: ${err.message}`);
  }
});

test("item 8: the same names in validation paths, unknown options and emit() diagnostics", () => {
  for (const [key, secrets] of LEAKED) {
    const { logger, diags } = collecting();
    logger.emit({ ...EVENT, actor: { ...EVENT.actor, [key]: "x" } });
    const res = validateEvent({ ...EVENT, resource: { type: "Note", [key]: 1 } });
    let opt;
    try {
      new AuditLogger({ serviceName: "s", [key]: 1 });
    } catch (e) {
      opt = e.message;
    }
    const texts = [...diags, ...res.errors.map((e) => `${e.instancePath} ${e.message}`), opt];
    for (const t of texts) for (const s of secrets) assert.ok(!leaks(t, s), `${key}: ${t}`);
  }
});
