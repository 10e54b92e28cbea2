// Hostile input (API.md failure rules) on audit, emit and validateEvent, then 100,000 random
// hostile calls (sinks returning thenables of every behaviour, throwing every kind of value): nothing throws (unless a "raise" mode asks for it), nothing traps the wasm
// instance, every call is accounted for, and the logger still emits correctly afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as api from "../../pkg/src/node.mjs";

const { AuditLogger, memorySink, validateEvent, ValidationError } = api;
const ID = "2f4c1d11-3f42-44d3-83a0-1d3f7e1d2b1c";

function rng(seed) {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x % n;
  };
}

/** One hostile value of each kind the failure rules name, plus ordinary junk. */
function hostileValues(r) {
  const cyclic = { a: 1 };
  cyclic.self = cyclic;
  const deep = [];
  let cur = deep;
  for (let i = 0; i < 300; i++) cur = cur[0] = [];
  const getter = {};
  Object.defineProperty(getter, "type", { enumerable: true, get() { throw new Error("getter boom 123-45-6789"); } });
  const protoOwn = JSON.parse('{"__proto__": {"isAdmin": true}, "type": "Note"}');
  const big = "x".repeat(1 + r(1 << 20));
  return [
    cyclic, deep, getter, protoOwn, big, 10n, Symbol("s"), () => 1, "\ud800", "a\udc00b", "\ud83d",
    NaN, Infinity, -0, 1e308, null, undefined, true, [], {}, new Date(NaN), new Date(8.64e15),
    { toJSON() { throw new Error("toJSON boom"); } }, { toJSON() { return { type: "Note" }; } },
    new Proxy({}, { ownKeys() { throw new Error("proxy boom"); } }), Object.create(null), new Map([[1, 2]]),
    { type: "Note", id: "\u0000\u001f" }, { subject_id: "u", subject_type: "human", roles: Array(30).fill("r") },
    "😀".repeat(300), "READ", "PEEK", 42, [1, [2, [3]]],
  ];
}

test("each failure-rule kind on audit, emit and validateEvent", () => {
  const r = rng(1);
  const sink = memorySink();
  const logger = new AuditLogger({ serviceName: "hostile", sink, idFactory: () => ID, onDiagnostic: () => {} });
  let calls = 0;
  for (const v of hostileValues(r)) {
    for (const key of ["actor", "resource", "outcome", "correlation", "metadata", "phiTouched", "dataClassification", "actionName", "error"]) {
      assert.doesNotThrow(() => logger.audit("READ", { [key]: v }), `audit ${key}`);
      calls++;
    }
    assert.doesNotThrow(() => logger.audit(v, {}), "audit action");
    assert.doesNotThrow(() => logger.emit(v), "emit");
    assert.doesNotThrow(() => logger.emit({ schema_version: "1.1", event_id: ID, timestamp: "2026-03-11T18:41:55Z", service: { name: "s" }, actor: v, action: { type: "READ" }, resource: { type: "Note" }, outcome: { status: "SUCCESS" } }), "emit with field");
    calls += 3;
    const res = validateEvent(v);
    assert.equal(typeof res.valid, "boolean");
    assert.ok(Array.isArray(res.errors));
  }
  const s = logger.stats;
  assert.equal(s.events_emitted_total + s.events_dropped_total + s.emit_failures_total, calls, "every call accounted for");
  assert.equal(({}).isAdmin, undefined, "no prototype pollution");
  assert.equal(logger.audit("READ", {}).outcome.status, "SUCCESS", "still emits");
});

test("raise mode throws ValidationError (never anything else) for hostile input", () => {
  const logger = new AuditLogger({ serviceName: "hostile", sink: memorySink(), validationFailureMode: "raise", onDiagnostic: () => {} });
  let raised = 0;
  for (const v of hostileValues(rng(2))) {
    try {
      logger.audit("READ", { resource: v });
    } catch (e) {
      raised++;
      assert.ok(e instanceof ValidationError, `threw ${e && e.name}`);
      assert.ok(Array.isArray(e.errors) && e.errors.length > 0);
    }
  }
  const s = logger.stats;
  assert.ok(raised >= 20, `most hostile resources are refused (${raised})`);
  assert.equal(raised, s.events_dropped_total, "every refusal raised, and was counted");
});

test("100,000 random hostile calls (thenables of every behaviour included), then the logger still emits correctly", async () => {
  const unhandled = [];
  const onUnhandled = (reason) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  const r = rng(20261128);
  const values = hostileValues(r);
  const { proxy: revoked, revoke } = Proxy.revocable({}, {});
  revoke();
  const never = new Promise(() => {});
  const thrown = () => [new Error("sink down 123-45-6789"), revoked, "string 123-45-6789", undefined, 42, Symbol("s"), Object.defineProperty(new Error("x"), "message", { get() { throw new Error("getter"); } })][r(7)];
  const sinks = [
    () => {},
    () => { throw thrown(); },
    async () => {},
    async () => { throw thrown(); },
    () => ({ then(ok) { ok(); } }),
    () => ({ then(_ok, err) { err(thrown()); } }),
    () => ({ then() { throw thrown(); } }),
    () => ({ get then() { throw thrown(); } }),
    () => ({ then(ok, err) { ok(); ok(); err(thrown()); } }),
    () => ({ then(ok, err) { queueMicrotask(() => { err(thrown()); ok(); }); } }),
    () => never,
    () => new Promise(() => {}),
    () => ({ then(ok) { setTimeout(ok, 1); } }),
    () => revoked,
    () => Promise.reject(revoked),
  ];
  let which = 0;
  let calm = false;
  const logger = new AuditLogger({
    serviceName: "hostile",
    sink: (e) => sinks[which](e),
    onDiagnostic: () => {},
    metadataAllowlist: ["a", "type", "self"],
    idFactory: () => (!calm && r(10) === 0 ? values[r(values.length)] : ID),
    timeSource: () => (!calm && r(10) === 0 ? values[r(values.length)] : Date.now()),
  });
  const pick = () => values[r(values.length)];
  const methods = [
    () => logger.audit(r(3) ? "READ" : pick(), { actor: pick(), resource: r(2) ? pick() : { type: "Note" }, metadata: pick(), error: r(4) ? undefined : pick() }),
    () => logger.auditLoginFailure({ error: pick(), actor: pick() }),
    () => logger.auditAccessDenied("READ", { errorType: pick(), errorMessage: pick() }),
    () => logger.auditLoginSuccess(pick()),
    () => logger.emit(r(2) ? pick() : { schema_version: "1.1", event_id: ID, timestamp: "2026-03-11T18:41:55Z", service: { name: "s" }, actor: { subject_id: "u", subject_type: "human" }, action: { type: "READ" }, resource: pick(), outcome: { status: "SUCCESS" } }),
  ];
  const N = 100_000;
  for (let i = 0; i < N; i++) {
    which = r(sinks.length);
    try {
      methods[r(methods.length)]();
    } catch (e) {
      assert.fail(`call ${i} threw ${e && e.name}`);
    }
    if (i % 1000 === 0) validateEvent(pick());
    if (i % 10_000 === 9_999) await logger.flush(r(2) ? 0 : 5);
  }
  await logger.flush(50);
  await new Promise((res) => setTimeout(res, 20));
  process.off("unhandledRejection", onUnhandled);
  assert.equal(unhandled.length, 0, "no unhandled rejection");
  const s = logger.stats;
  assert.equal(logger.pending, 0);
  assert.equal(s.events_emitted_total + s.events_dropped_total + s.emit_failures_total, N, `accounting: ${JSON.stringify(s)}`);
  which = 0;
  calm = true;
  const ev = logger.audit("READ", { resource: { type: "Patient", id: "p1" } });
  assert.equal(validateEvent(ev).valid, true, "a normal call after the storm emits a valid event");
});

test("20,000 random JSON-like texts never trap validateEvent", () => {
  const r = rng(4242);
  const pieces = ['{', '}', '[', ']', '"', '\\', '\\u', 'd83d', 'dc00', 'ud800', ':', ',', '1', '-', '0', '.', 'e', '+', '9999999999999999999999', '1e400',
    'true', 'null', 'fals', ' ', '\n', '\u0001', 'é', '😀', '"schema_version"', '"1.1"', '"2.1"', '"actor"', '{"a":1,"a":2}', '\ud800'];
  const base = JSON.stringify({ schema_version: "1.1", event_id: "2f4c1d11-3f42-44d3-83a0-1d3f7e1d2b1c", timestamp: "2026-03-11T18:41:55Z", service: { name: "s" }, actor: { subject_id: "u", subject_type: "human" }, action: { type: "READ" }, resource: { type: "Note" }, outcome: { status: "SUCCESS" } });
  for (let i = 0; i < 20_000; i++) {
    let text;
    if (r(2)) {
      text = Array.from({ length: 1 + r(30) }, () => pieces[r(pieces.length)]).join("");
    } else {
      const at = r(base.length);
      text = base.slice(0, at) + pieces[r(pieces.length)] + base.slice(at + r(3));
    }
    const res = validateEvent(text);
    assert.equal(typeof res.valid, "boolean");
    for (const e of res.errors) assert.equal(typeof e.message, "string");
  }
  assert.equal(validateEvent(base).valid, true, "still validates after the storm");
});
