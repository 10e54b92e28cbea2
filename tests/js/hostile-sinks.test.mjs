// Hostile sinks (issue 13, API.md "Failure rules"): every kind of thenable a sink can return
// and every kind of value it can throw or reject with, in each emitFailureMode. Each call is
// counted exactly once, nothing escapes the caller except a synchronous sink error in mode
// "raise", the process never sees an unhandled rejection, and memory stays bounded when a
// sink returns one shared promise that never settles.
import { test } from "node:test";
import assert from "node:assert/strict";
import v8 from "node:v8";
import vm from "node:vm";
import * as api from "../../pkg/src/node.mjs";

const { AuditLogger, consoleSink } = api;
const ID = "2f4c1d11-3f42-44d3-83a0-1d3f7e1d2b1c";
// Identifiers the sanitizer redacts (a name in free text is not detectable, and is not claimed).
const PHI = ["123-45-6789", "123456789", "jane.doe@example.org"];
const MODES = ["silent", "log", "raise"];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const unhandled = [];
process.on("unhandledRejection", (reason) => unhandled.push(reason));
function assertNoUnhandled(label) {
  assert.equal(unhandled.length, 0, `${label}: ${unhandled.length} unhandled rejection(s)`);
}

function revoked() {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** Sink results: `make()` is called once per sink call; `outcome` is what each call must count as. */
const THENABLES = {
  "settles synchronously": { make: () => ({ then(ok) { ok(); } }), outcome: "emitted" },
  "rejects synchronously": { make: () => ({ then(_ok, err) { err(new Error("rejected for 123-45-6789")); } }), outcome: "failed" },
  "then throws": { make: () => ({ then() { throw new Error("then threw for jane.doe@example.org"); } }), outcome: "failed" },
  "then getter throws": { make: () => ({ get then() { throw new Error("getter 123-45-6789"); } }), outcome: "failed" },
  "then is a revoked proxy": { make: () => revoked(), outcome: "failed" },
  "resolves then throws": { make: () => ({ then(ok) { ok(); throw new Error("after 123-45-6789"); } }), outcome: "emitted" },
  "settles twice (ok, ok, err)": { make: () => ({ then(ok, err) { ok(); ok(); err(new Error("x")); } }), outcome: "emitted" },
  "settles twice (err, ok)": { make: () => ({ then(ok, err) { err(new Error("x")); ok(); } }), outcome: "failed" },
  "settles twice asynchronously": { make: () => ({ then(ok, err) { queueMicrotask(() => { ok(); err(new Error("x")); ok(); }); } }), outcome: "emitted" },
  "async then that rejects after resolving": { make: () => ({ then: async (ok) => { ok(); throw new Error("then's own promise 123-45-6789"); } }), outcome: "emitted" },
  "a function thenable": { make: () => Object.assign(() => {}, { then(ok) { ok(); } }), outcome: "emitted" },
  "async resolves": { make: () => Promise.resolve(), outcome: "emitted" },
  "async rejects": { make: () => Promise.reject(new Error("rejected for jane.doe@example.org")), outcome: "failed" },
  "async rejects later": { make: () => new Promise((_r, j) => setTimeout(() => j(new Error("late 123-45-6789")), 2)), outcome: "failed" },
  "async rejects with a revoked proxy": { make: () => Promise.reject(revoked()), outcome: "failed" },
  "never settles": { make: () => new Promise(() => {}), outcome: "dropped" },
  "shared, never settles": { make: ((p) => () => p)(new Promise(() => {})), outcome: "dropped" },
  "settles after flush gave up": { make: () => ({ then(ok) { setTimeout(ok, 30); } }), outcome: "dropped" },
  "rejects after flush gave up": { make: () => new Promise((_r, j) => setTimeout(() => j(new Error("late")), 30)), outcome: "dropped" },
};

function counts(s) {
  return { emitted: s.events_emitted_total, failed: s.emit_failures_total, dropped: s.events_dropped_total };
}

test("every kind of thenable, in every emitFailureMode: each call counted exactly once, nothing unhandled", async () => {
  const N = 7;
  for (const [name, { make, outcome }] of Object.entries(THENABLES)) {
    for (const mode of MODES) {
      const label = `${name} / ${mode}`;
      const diags = [];
      const logger = new AuditLogger({ serviceName: "hostile", emitFailureMode: mode, maxPending: 3, idFactory: () => ID, sink: () => make(), onDiagnostic: (l, m) => diags.push(m) });
      let dropped = 0;
      for (let i = 0; i < N; i++) {
        // Beyond maxPending (3) events are dropped before the sink is called: only for thenables that stay pending.
        const pendingBefore = logger.pending;
        assert.doesNotThrow(() => logger.audit("READ", { resource: { type: "Note" } }), label);
        if (pendingBefore >= 3) dropped++;
      }
      assert.ok(logger.pending <= 3, `${label}: maxPending bounds pending (${logger.pending})`);
      await logger.flush(outcome === "dropped" ? 0 : 200);
      await sleep(50); // late settlements (after flush gave up) must change nothing
      assert.equal(logger.pending, 0, `${label}: nothing left pending`);
      const c = counts(logger.stats);
      assert.equal(c.emitted + c.failed + c.dropped, N, `${label}: every call counted exactly once ${JSON.stringify(c)}`);
      // Calls refused at maxPending are dropped; the others count as the thenable settles (or not).
      const expected = { emitted: 0, failed: 0, dropped };
      expected[outcome] += N - dropped;
      assert.deepEqual(c, expected, label);
      for (const d of diags) for (const phi of PHI) assert.ok(!d.includes(phi), `${label}: diagnostic leaks ${phi}: ${d}`);
    }
  }
  await sleep(10);
  assertNoUnhandled("thenables");
});

/** Values a sink can throw or reject with. */
function thrownValues() {
  const getterMessage = new Error("x");
  Object.defineProperty(getterMessage, "message", { get() { throw new Error("message getter 123-45-6789"); } });
  const getterCtor = new Error("boom for 123-45-6789");
  Object.defineProperty(getterCtor, "constructor", { get() { throw new Error("ctor getter"); } });
  Object.defineProperty(getterCtor, "name", { get() { throw new Error("name getter"); } });
  const trapProxy = new Proxy(new Error("proxied 123-45-6789"), { getPrototypeOf() { throw new Error("trap"); }, get() { throw new Error("trap get"); } });
  class PatientNotFound_123456789 extends Error {}
  const toStringThrows = { toString() { throw new Error("toString 123-45-6789"); } };
  const objectMessage = new Error("m");
  objectMessage.message = { text: "SSN 123-45-6789" };
  return {
    "Error with a throwing message getter": getterMessage,
    "Error with throwing constructor and name getters": getterCtor,
    "revoked Proxy": revoked(),
    "Proxy of an Error whose traps throw": trapProxy,
    "Error subclass named after an identifier": new PatientNotFound_123456789("lookup failed"),
    "Error whose message is an object": objectMessage,
    "string with PHI": "write failed for 123-45-6789",
    number: 42,
    undefined,
    null: null,
    symbol: Symbol("s 123-45-6789"),
    "object whose toString throws": toStringThrows,
    function: () => "123-45-6789",
    bigint: 10n,
  };
}

test("every kind of thrown or rejected value, in every emitFailureMode: counted once, never escapes in log/silent, never leaks", async () => {
  for (const [name, value] of Object.entries(thrownValues())) {
    for (const mode of MODES) {
      for (const kind of ["throws", "rejects"]) {
        const label = `${kind} ${name} / ${mode}`;
        const diags = [];
        const sink = kind === "throws" ? () => { throw value; } : () => Promise.reject(value);
        const logger = new AuditLogger({ serviceName: "hostile", emitFailureMode: mode, idFactory: () => ID, sink, onDiagnostic: (l, m) => { if (m.startsWith("audit sink")) diags.push(m); } });
        let thrown = 0;
        for (let i = 0; i < 3; i++) {
          try {
            logger.audit("READ", {});
          } catch (e) {
            thrown++;
            assert.ok(e === value, `${label}: raise rethrows the sink's own value`);
          }
        }
        await logger.flush(200);
        assert.equal(thrown, mode === "raise" && kind === "throws" ? 3 : 0, `${label}: thrown to the caller`);
        assert.deepEqual(counts(logger.stats), { emitted: 0, failed: 3, dropped: 0 }, label);
        assert.equal(diags.length, thrown ? 0 : 3, `${label}: one diagnostic per failure`);
        for (const d of diags) {
          for (const phi of PHI) assert.ok(!d.includes(phi), `${label}: diagnostic leaks ${phi}: ${d}`);
          assert.ok(!/[\u0000-\u001f]/.test(d), `${label}: control character in diagnostic`);
        }
      }
    }
  }
  await sleep(10);
  assertNoUnhandled("thrown values");
});

test("hostile callbacks: onDiagnostic, timeSource and idFactory that throw, reject, re-enter or return odd values", async () => {
  const { proxy: revokedTime } = (() => { const r = Proxy.revocable(new Date(), {}); r.revoke(); return r; })();
  const times = [() => Object.create(Date.prototype), () => new Proxy(new Date(), {}), () => revokedTime, () => { throw new Error("clock 123-45-6789"); },
    async () => Date.now(), () => Promise.reject(new Error("r")), () => ({ valueOf() { throw new Error("v"); } }), () => "2026-01-01", () => 1e300, () => -1e20];
  const ids = [() => { throw new Error("id 123-45-6789"); }, () => Promise.reject(new Error("r")), () => new String(ID), () => revoked(), () => 42, () => "123-45-6789"];
  let calls = 0;
  for (const timeSource of times) {
    for (const idFactory of ids) {
      let logger;
      const onDiagnostic = [() => { throw new Error("diag"); }, () => Promise.reject(new Error("diag rejects")), () => { logger.stats; }][calls % 3];
      logger = new AuditLogger({ serviceName: "hostile", timeSource, idFactory, onDiagnostic, sink: () => {} });
      assert.equal(logger.audit("READ", {}), null, "an event without a valid time or id is dropped");
      const s = logger.stats;
      assert.deepEqual([s.validation_failures_total, s.events_dropped_total, s.events_emitted_total], [1, 1, 0], "counted as a validation failure");
      calls++;
    }
  }
  // Good time sources: a Date from another realm works (its internal time value is read).
  const otherRealmDate = vm.runInNewContext("new Date(1773254515123)");
  const logger = new AuditLogger({ serviceName: "hostile", timeSource: () => otherRealmDate, idFactory: () => ID, sink: () => {} });
  assert.equal(logger.audit("READ", {}).timestamp, "2026-03-11T18:41:55.123Z");
  await sleep(10);
  assertNoUnhandled("callbacks");
});

test("options: errors name the option and never echo input", () => {
  const throwingIterable = { *[Symbol.iterator]() { yield "ok"; throw new Error("allowlist failed for 123-45-6789"); } };
  const deep = {};
  let cur = deep;
  for (let i = 0; i < 200; i++) cur = cur.a = {};
  const getter = {};
  Object.defineProperty(getter, "serviceName", { enumerable: true, get() { throw new Error("getter 123-45-6789"); } });
  const cases = [
    [{ serviceName: "a\ud800b" }, RangeError, /`serviceName`/],
    [{ serviceName: "s", serviceVersion: "\udc00" }, RangeError, /`serviceVersion`/],
    [{ serviceName: "s", serviceEnvironment: deep }, TypeError, /`serviceEnvironment`/],
    [{ serviceName: deep }, TypeError, /`serviceName`/],
    [{ serviceName: "s", metadataAllowlist: throwingIterable }, TypeError, /`metadataAllowlist`/],
    [{ serviceName: "s", metadataAllowlist: revoked() }, TypeError, /`metadataAllowlist`/],
    [{ serviceName: "s", metadataAllowlist: ["ok", "\ud800"] }, RangeError, /`metadataAllowlist`/],
    [{ serviceName: "s", metadataAllowlist: (function* () { for (;;) yield "k"; })() }, RangeError, /`metadataAllowlist`/],
    [getter, TypeError, /`serviceName`/],
    [revoked(), TypeError, /`options`/],
    [{ serviceName: "s", "123-45-6789": 1 }, TypeError, /unknown option/],
    [{ serviceName: "x".repeat(129) }, RangeError, /`serviceName`.*128/],
    [{ serviceName: "s", serviceEnvironment: "e".repeat(65) }, RangeError, /`serviceEnvironment`.*64/],
    [{ serviceName: "s", serviceVersion: "v".repeat(65) }, RangeError, /`serviceVersion`.*64/],
    [{ serviceName: "s", defaultActorId: "" }, RangeError, /`defaultActorId`/],
    [{ serviceName: "s", defaultActorId: "a".repeat(257) }, RangeError, /`defaultActorId`.*256/],
    [{ serviceName: "s", errorMessageMaxLen: 2 ** 32 }, RangeError, /`errorMessageMaxLen`/],
    [{ serviceName: "s", maxPending: 2 ** 32 }, RangeError, /`maxPending`/],
    [{ serviceName: "s", maxPending: 2 ** 53 }, RangeError, /`maxPending`/],
    [{ serviceName: "s", maxMetadataValueLength: 2 ** 40 }, RangeError, /`maxMetadataValueLength`/],
  ];
  for (const [options, type, pattern] of cases) {
    let error;
    try {
      new AuditLogger(options);
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof type, `${pattern}: ${error?.name} ${error?.message}`);
    assert.match(error.message, pattern);
    for (const phi of ["123-45-6789", "allowlist failed", "getter"]) assert.ok(!error.message.includes(phi), `echoes input: ${error.message}`);
    assert.ok(!error.message.includes("invalid json"), error.message);
  }
  // The limits are the schema's: exactly at them is fine; schema 1.0 has no maximum.
  new AuditLogger({ serviceName: "x".repeat(128), serviceEnvironment: "e".repeat(64), serviceVersion: "v".repeat(64), defaultActorId: "a".repeat(256), maxPending: 2 ** 32 - 1 });
  new AuditLogger({ serviceName: "x".repeat(200), schemaVersion: "1.0" });
  for (const level of ["assert", "count", "time", "constructor", "table", "__proto__", 1]) {
    assert.throws(() => consoleSink({ level }), RangeError, `consoleSink level ${String(level)}`);
  }
  for (const level of ["debug", "info", "log", "warn", "error"]) consoleSink({ level });
  // validateEvent never throws for any options value.
  const { proxy: revokedOptions } = (() => { const r = Proxy.revocable({}, {}); r.revoke(); return r; })();
  const throwingOptions = { get schemaVersion() { throw new Error("boom 123-45-6789"); } };
  for (const options of [revokedOptions, throwingOptions, { schemaVersion: 1 }, { schemaVersion: "9.9" }, 42, "1.1", Symbol("s")]) {
    const res = api.validateEvent({}, options);
    assert.equal(res.valid, false);
    for (const e of res.errors) assert.ok(!e.message.includes("123-45-6789"));
  }
});

test("memory stays bounded: one shared never-settling promise, 200 rounds of 1,000 audits + flush(0)", async () => {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc");
  const never = new Promise(() => {});
  const logger = new AuditLogger({ serviceName: "hostile", sink: () => never, onDiagnostic: () => {}, idFactory: () => ID });
  const heap = () => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  let start = 0;
  for (let round = 0; round < 200; round++) {
    for (let i = 0; i < 1000; i++) logger.audit("READ", { resource: { type: "Note", id: `n${i}` }, metadata: { big: "x".repeat(100) } });
    await logger.flush(0);
    if (round === 9) start = heap();
  }
  const end = heap();
  const growthMiB = (end - start) / 2 ** 20;
  console.log(`heap after round 10: ${(start / 2 ** 20).toFixed(1)} MiB, after round 200: ${(end / 2 ** 20).toFixed(1)} MiB (growth ${growthMiB.toFixed(2)} MiB)`);
  const s = logger.stats;
  assert.equal(s.events_dropped_total, 200_000, "every abandoned call counted as dropped");
  assert.equal(logger.pending, 0);
  assert.ok(growthMiB < 20, `heap grew ${growthMiB.toFixed(1)} MiB over 190 rounds`);
});
