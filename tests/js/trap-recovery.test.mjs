// Trap recovery (issue 13, API.md "Failure rules"): after the wasm instance traps (a stack
// overflow inside it, from calls made near the stack limit or a sink that re-enters audit()
// until the stack runs out), the package replaces it before the next call: the next 1,000
// calls on loggers made before and after, and validateEvent, give exactly what a fresh
// instance gives; a chain continues from its head. Oversized input never enters the core.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as emitApi from "../../pkg/src/node.mjs";
import * as trailApi from "../../pkg/src/trail-node.mjs";
const api = { ...emitApi, ...trailApi };
import { wasmState, trailWasmState } from "../../pkg/src/memory.js";
import { generateTrail } from "../../scripts/gen-trail.mjs";

const { AuditLogger, validateEvent, verifyChain, sanitizeErrorMessage, ValidationError } = api;

function rng(seed) {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x % n;
  };
}

/** A deterministic logger: fixed ids and times, events collected. */
function logger(extra = {}) {
  let n = 0;
  const events = [];
  const diags = [];
  const l = new AuditLogger({
    serviceName: "trap", metadataAllowlist: ["count"], onDiagnostic: (level, m) => diags.push(`${level}: ${m}`),
    idFactory: () => `2f4c1d11-3f42-44d3-83a0-${String(++n).padStart(12, "0")}`,
    timeSource: () => 1773254515123 + n, sink: (e) => { events.push(e); }, ...extra,
  });
  return { l, events, diags };
}

/** 1,000 varied calls (valid, invalid, errors, metadata, emit); their results as JSON. */
function run(l, seed) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < 1000; i++) {
    let res;
    switch (r(5)) {
      case 0: res = l.audit("READ", { resource: { type: "Patient", id: `p${r(100)}` }, metadata: { count: r(9), drop: "x" } }); break;
      case 1: res = l.audit("UPDATE", { error: new Error(`write failed for 123-45-${String(1000 + r(9000))}`) }); break;
      case 2: res = l.audit(r(2) ? "PEEK" : "READ", { actor: { subject_id: r(2) ? "" : "u", subject_type: "human" } }); break;
      case 3: res = l.emit({ schema_version: "1.1", event_id: "2f4c1d11-3f42-44d3-83a0-1d3f7e1d2b1c", timestamp: "2026-03-11T18:41:55Z", service: { name: "s" }, actor: { subject_id: "u", subject_type: "human" }, action: { type: "READ" }, resource: { type: "Note", [r(2) ? "id" : "extra"]: "n" }, outcome: { status: "SUCCESS" } }); break;
      default: res = l.auditLoginFailure({ actor: { subject_id: `user_${r(50)}`, subject_type: "human" } });
    }
    out.push(JSON.stringify(res));
  }
  // Every counter but validation_time_ms_total, which is a duration (never equal twice).
  const { validation_time_ms_total: _ms, ...counts } = l.stats;
  out.push(JSON.stringify(counts));
  return out;
}

function validations(seed) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < 1000; i++) {
    const ev = { schema_version: r(2) ? "1.1" : "1.0", event_id: "2f4c1d11-3f42-44d3-83a0-1d3f7e1d2b1c", timestamp: "2026-03-11T18:41:55Z", service: { name: "s" }, actor: { subject_id: "u", subject_type: r(3) ? "human" : "robot" }, action: { type: "READ" }, resource: { type: "Note" }, outcome: { status: "SUCCESS" } };
    if (r(3) === 0) ev[`x${r(5)}`] = 1;
    out.push(JSON.stringify(validateEvent(r(2) ? ev : JSON.stringify(ev))));
  }
  return out;
}

/** Calls made ever closer to the stack limit until one overflows inside the wasm core. */
function trapNearStackLimit(l) {
  const before = l.stats;
  // The deepest frame calls audit() with almost no stack; when that throws (the overflow hit
  // the facade's own frames), the frame above tries with a little more, and so on, so some
  // call overflows inside the core.
  function dive() {
    try {
      dive();
    } catch {
      l.audit("READ", {});
    }
  }
  for (let k = 0; k < 20; k++) {
    try {
      dive();
    } catch {
      // thrown out of the outermost frame: the next round starts over
    }
  }
  const after = l.stats;
  // A trapped call is counted as dropped without a validation failure (nothing else does that here).
  return (after.events_dropped_total - before.events_dropped_total) - (after.validation_failures_total - before.validation_failures_total);
}

test("after a trap (stack overflow inside the core), old and new loggers and validateEvent behave as on a fresh instance", () => {
  const fresh = run(logger().l, 7);
  const freshValidations = validations(8);
  const old = logger();
  const chained = logger({ enableIntegrity: true });
  chained.l.audit("READ", {});
  chained.l.audit("READ", {});
  const head = chained.l.chainHead;
  const generation = wasmState.generation;

  const traps = trapNearStackLimit(old.l);
  assert.ok(traps > 0, "the stack overflow happened inside the core at least once");
  assert.ok(wasmState.generation > generation || wasmState.poisoned, "the instance was marked for replacement");

  // The chained logger's next event continues its chain from the head it had.
  const next = chained.l.audit("READ", {});
  assert.equal(next.integrity.prev_event_hash, head, "chain continues after the instance was replaced");
  const lines = chained.events.map((e) => JSON.stringify(e)).join("\n");
  assert.equal(verifyChain(lines).ok, true, "the whole chain verifies");

  const before = old.l.stats;
  const again = old.l;
  const oldRun = run(again, 7);
  const delta = JSON.parse(oldRun.pop());
  for (const k of Object.keys(delta)) delta[k] -= before[k];
  const freshStats = JSON.parse(fresh.at(-1));
  assert.deepEqual(oldRun.slice(0, 1000).map((s, i) => s.replace(/"event_id":"[^"]*"|"timestamp":"[^"]*"/g, "")), fresh.slice(0, 1000).map((s) => s.replace(/"event_id":"[^"]*"|"timestamp":"[^"]*"/g, "")), "old logger: same events");
  assert.deepEqual(delta, freshStats, "old logger: same counts");
  assert.deepEqual(run(logger().l, 7), fresh, "new logger: same events and counts");
  assert.deepEqual(validations(8), freshValidations, "validateEvent: same results");
  assert.ok(old.diags.some((d) => d.startsWith("error: the wasm core failed")), "the trap was reported");
});

test("a sink that re-enters audit() until the stack overflows: later calls unaffected", () => {
  const fresh = run(logger().l, 11);
  let l;
  let depth = 0;
  l = new AuditLogger({ serviceName: "trap", onDiagnostic: () => {}, sink: () => { depth++; l.audit("READ", {}); } });
  l.audit("READ", {});
  assert.ok(depth > 100, "the sink re-entered deeply");
  const s = l.stats;
  const counted = s.events_emitted_total + s.emit_failures_total + s.events_dropped_total;
  // A call that found no stack left to run in throws RangeError to its caller (the sink above it,
  // whose own call then counts as a sink failure); no call is counted twice.
  assert.ok(counted <= depth + 1 && counted >= depth - 5, `calls counted: ${counted} of ${depth + 1}`);
  assert.deepEqual(run(logger().l, 11), fresh);
});

test("oversized input is refused before the core (a counted validation failure), and the package stays usable", () => {
  const fresh = run(logger().l, 13);
  const huge = "x".repeat(2 ** 21);
  const { l, diags } = logger();
  assert.equal(l.audit("UPDATE", { error: huge }), null);
  assert.equal(l.emit({ schema_version: "1.1", metadata: { big: huge } }), false);
  assert.deepEqual([l.stats.validation_failures_total, l.stats.events_dropped_total], [2, 2]);
  assert.ok(diags.every((d) => /larger than the input limit \(1048576 characters as JSON\)/.test(d)), diags.join("\n"));
  const raising = logger({ validationFailureMode: "raise" }).l;
  assert.throws(() => raising.audit("READ", { resource: { type: huge } }), ValidationError);
  const v = validateEvent(huge);
  assert.equal(v.valid, false);
  assert.equal(v.errors[0].keyword, "input");
  assert.throws(() => sanitizeErrorMessage(huge), RangeError);
  // Far over the limit (50M characters): refused before JSON.stringify, the core never sees it.
  const giant = "g".repeat(5e7);
  assert.equal(l.audit("UPDATE", { error: new Error(giant) }), null);
  assert.equal(l.emit({ ...JSON.parse("{}"), outcome: { error_message: giant } }), false);
  assert.equal(validateEvent({ resource: { type: giant } }).errors[0].keyword, "input");
  assert.deepEqual([l.stats.validation_failures_total, l.stats.events_dropped_total], [4, 4]);
  assert.ok(wasmState.memory.buffer.byteLength <= 64 * 2 ** 20, "wasm memory did not grow with it");
  assert.equal(sanitizeErrorMessage(`${"y".repeat(2 ** 20 - 20)} 123-45-6789`, 20), "yyyyyyyyyyyyyyyyy...");
  // One call just under the limit: wasm memory does not stay huge.
  l.audit("UPDATE", { error: `${"z ".repeat(2 ** 19 - 200)}` });
  const mib = wasmState.memory.buffer.byteLength / 2 ** 20;
  console.log(`wasm memory after a ${2 ** 20}-character call: ${mib.toFixed(1)} MiB`);
  assert.ok(mib <= 64, `wasm memory ${mib} MiB`);
  assert.deepEqual(run(logger().l, 13), fresh);
});

test("a trap in the emitting module leaves a trail check in progress intact (two modules); new ones and toFhirAuditEvent work", () => {
  const { ChainVerifier, TrailReport, toFhirAuditEvent } = api;
  const chained = new AuditLogger({ serviceName: "svc", sink: () => {}, enableIntegrity: true });
  const lines = [0, 1, 2].map(() => JSON.stringify(chained.audit("READ", {})));
  const before = new ChainVerifier();
  before.push(`${lines[0]}\n${lines[1].slice(0, 40)}`); // mid-line
  const generation = wasmState.generation;
  const { l } = logger();
  assert.ok(trapNearStackLimit(l) > 0, "the stack overflow happened inside the core");
  l.audit("READ", {}); // the emitting instance is replaced before this call
  assert.equal(wasmState.poisoned, false);
  assert.equal(wasmState.generation, generation + 1, "the emitting module's instance was replaced");
  before.push(`${lines[1].slice(40)}\n${lines[2]}\n`);
  assert.deepEqual(before.finish(), verifyChain(lines.join("\n")), "the verifier in progress kept its state");
  const line = JSON.stringify(l.audit("READ", { resource: { type: "Note" } }));
  const v = new ChainVerifier();
  v.push(line);
  assert.equal(v.finish().checked, 1, "a new verifier works");
  const r = new TrailReport();
  r.push(`${line}\n`);
  assert.equal(r.finish().events, 1, "a new trail report works");
  const ev = { schema_version: "2.0", event_id: "2f4c1d11-3f42-44d3-83a0-1d3f7e1d2b1c", timestamp: "2026-03-11T18:41:55Z", service: { name: "s" }, actor: { subject_id: "u", subject_type: "human" }, action: { type: "READ" }, resource: { type: "Note" }, outcome: { status: "SUCCESS" } };
  assert.equal(toFhirAuditEvent(ev).resourceType, "AuditEvent", "toFhirAuditEvent works");
});

test("a trail check in progress survives a replacement of the auditor's instance: rebuilt from its snapshot, the bytes since pushed again", async () => {
  const { ChainVerifier, TrailReport, verifyChain, generateSignerKey, signCheckpoint } = api;
  let text = "";
  await generateTrail({ bytes: 9 << 20, write: (t) => void (text += t) }); // past two snapshots (every 4 MiB)
  const bytes = new TextEncoder().encode(text);
  const whole = verifyChain(text);
  assert.equal(whole.ok, true);
  const { signerKey, verifierKey } = await generateSignerKey("audit.example.org/replay");
  const note = await signCheckpoint({ origin: "audit.example.org/replay", size: whole.tree.size, root: whole.tree.root }, signerKey);
  const options = { checkpoints: [note], verifierKeys: [verifierKey] };
  const reference = await (() => { const v = new ChainVerifier(options); v.push(bytes); return v.finish(); })();
  const referenceReport = await (() => { const r = new TrailReport(options); r.push(bytes); return r.finish(); })();
  for (const cuts of [[1000], [5 << 20, 5 << 20], [(5 << 20) + 17, (8 << 20) + 3]]) {
    const v = new ChainVerifier(options);
    const r = new TrailReport(options);
    let at = 0;
    for (const cut of [...cuts, bytes.length]) {
      const piece = bytes.subarray(at, cut);
      v.push(piece);
      r.push(piece);
      at = cut;
      if (cut === bytes.length) break;
      // Another call traps the auditor's instance (forced here): it is replaced before the next call.
      const generation = trailWasmState.generation;
      trailWasmState.poisoned = true;
      assert.equal(verifyChain("").ok, true, "the next call runs in a fresh instance");
      assert.equal(trailWasmState.generation, generation + 1);
    }
    assert.deepEqual(await v.finish(), reference, `verifier replaced after ${cuts.join(", ")}`);
    assert.deepEqual(await r.finish(), referenceReport, `report replaced after ${cuts.join(", ")}`);
  }
});
