// bh-audit-logger/cloudflare in real workerd (miniflare 4 from npm, started and stopped here):
// one AuditChain fed by 8 concurrent request streams, with and without faults; the Queue path
// into D1 with failing consumer batches and a poison message; d1Store's queries against plain
// SQL. Needs `npm ci`, `./scripts/build-pkg.sh` and the 1.1.1 reference (the venv .venv-ref111 from scripts/setup.sh, or $BH_REF111_PYTHON).
import { venvPython } from "./python.mjs";
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./harness.mjs";
import { bundleWorker, startMiniflare, call } from "./miniflare-harness.mjs";
import { verifyChain } from "../../pkg/src/trail-node.mjs";

let mf;

before(async () => {
  const dir = await bundleWorker(join(ROOT, "tests/js/cloudflare-worker.mjs"));
  mf = await startMiniflare(dir, {
    durableObjects: { AUDIT_CHAIN: { className: "TestChain", useSQLite: true } },
    d1Databases: ["DB"],
    queueProducers: { AUDIT_QUEUE: { queueName: "audit" }, CHAIN_QUEUE: { queueName: "audit-chain" } },
    queueConsumers: {
      audit: { maxBatchSize: 100, maxBatchTimeout: 0.05, maxRetries: 10, deadLetterQueue: "audit-dlq", retryDelay: 0 },
      "audit-dlq": { maxBatchSize: 10, maxBatchTimeout: 0.05 },
      "audit-chain": { maxBatchSize: 100, maxBatchTimeout: 0.05, maxRetries: 10, retryDelay: 0 },
    },
  });
});

after(async () => {
  await mf?.dispose();
});

/** Python bh-audit-logger 1.1.1's verify_chain over a JSONL file. */
function pythonVerify(jsonl) {
  const py = venvPython("BH_REF111_PYTHON", ".venv-ref111", "bh-audit-logger[cli]==1.1.1");
  const file = join(mkdtempSync(join(tmpdir(), "bh-chain-")), "trail.jsonl");
  writeFileSync(file, jsonl);
  const script = `
import json, sys, bh_audit_logger
from bh_audit_logger import verify_chain
assert bh_audit_logger.__version__ == "1.1.1", bh_audit_logger.__version__
with open(sys.argv[1], encoding="utf-8") as f:
    r = verify_chain(json.loads(l) for l in f if l.strip())
print(json.dumps({"result": r.result, "events_scanned": r.events_scanned, "chain_length": r.chain_length, "chain_gaps": r.chain_gaps, "hash_mismatches": r.hash_mismatches, "unchained_events": r.unchained_events}))
`;
  const out = spawnSync(py, ["-c", script, file], { encoding: "utf8", maxBuffer: 1 << 26 });
  assert.equal(out.status, 0, `python verify_chain failed: ${out.stderr}`);
  return JSON.parse(out.stdout);
}

/** 8 concurrent request streams, `perRequest` events per request, `requests` requests each. */
async function emitStreams(chain, { requests, perRequest, fail = 0, during }) {
  const streams = Array.from({ length: 8 }, async (_, s) => {
    const ids = [];
    let dropped = 0;
    let faults = 0;
    for (let r = 0; r < requests; r++) {
      const res = await call(mf, `/chain/emit?chain=${chain}&stream=s${s}&n=${perRequest}&fail=${fail}`);
      ids.push(...res.ids);
      dropped += res.stats.events_dropped_total;
      faults += res.faults.before + res.faults.after;
      await during?.(s, r);
    }
    return { ids, dropped, faults };
  });
  const results = await Promise.all(streams);
  return { ids: results.flatMap((r) => r.ids), dropped: results.reduce((n, r) => n + r.dropped, 0), faults: results.reduce((n, r) => n + r.faults, 0) };
}

/** The export must be one chain holding exactly `ids`, each once, verified by both verifiers. */
async function assertOneChain(chain, ids) {
  const jsonl = await call(mf, `/chain/export?chain=${chain}`);
  const lines = jsonl.split("\n").filter(Boolean);
  const events = lines.map((l) => JSON.parse(l));
  const exported = events.map((e) => e.event_id);
  assert.equal(new Set(exported).size, exported.length, "no event appears twice in the trail");
  assert.equal(exported.length, ids.length, "every emitted event is in the trail");
  assert.deepEqual(new Set(exported), new Set(ids), "the trail holds exactly the emitted events");
  for (let i = 1; i < events.length; i++) {
    if (events[i].integrity.prev_event_hash !== events[i - 1].integrity.event_hash) assert.fail(`line ${i + 1} does not link to line ${i}: the chain forked or has a gap`);
  }
  assert.equal(events[0].integrity.prev_event_hash, undefined, "the chain starts at the first event");
  const js = verifyChain(jsonl);
  assert.equal(js.ok, true, JSON.stringify(js.failures.slice(0, 3)));
  assert.equal(js.chain_length, ids.length);
  const py = pythonVerify(jsonl);
  assert.deepEqual(py, { result: "PASS", events_scanned: ids.length, chain_length: ids.length, chain_gaps: 0, hash_mismatches: 0, unchained_events: 0 });
  const served = await call(mf, `/chain/verify?chain=${chain}`);
  assert.equal(served.ok, true);
  assert.equal(served.checked, ids.length);
  const head = await call(mf, `/chain/head?chain=${chain}`);
  assert.deepEqual(head, { event_hash: events.at(-1).integrity.event_hash, seq: ids.length });
  return { jsonl, events };
}

test("10,000 events from 8 concurrent request streams form one AuditChain, verified by verifyChain and Python 1.1.1", async () => {
  const { ids, dropped } = await emitStreams("clean", { requests: 10, perRequest: 125 });
  assert.equal(ids.length, 10000);
  assert.equal(dropped, 0);
  const { jsonl } = await assertOneChain("clean", ids);
  // As the README says: the exported trail passes `bh-audit verify`.
  const file = join(mkdtempSync(join(tmpdir(), "bh-trail-")), "trail.jsonl");
  writeFileSync(file, jsonl);
  const cli = spawnSync(process.execPath, [join(ROOT, "pkg/bin/bh-audit.mjs"), "verify", file, "--format", "json"], { encoding: "utf8" });
  assert.equal(cli.status, 0, cli.stdout + cli.stderr);
  // GET /export?from=N serves the trail from sequence number N.
  const tail = await call(mf, "/chain/export?chain=clean&from=9991");
  assert.equal(tail, jsonl.split("\n").slice(9990).join("\n"));
  assert.equal(await call(mf, "/chain/export?chain=clean&from=10001"), "");
});

test("with the object reset mid-run and 10% of deliveries failing, the trail is still one chain with every event exactly once", async () => {
  let resets = 0;
  const { ids, dropped, faults } = await emitStreams("faulty", {
    requests: 10,
    perRequest: 125,
    fail: 0.1,
    during: async (s, r) => {
      if (s === 0 && (r === 3 || r === 6)) {
        const r = await call(mf, "/chain/reset?chain=faulty");
        assert.equal(r.reset, true, "the object was reset (ctx.abort)");
        resets++;
      }
    },
  });
  assert.equal(resets, 2);
  assert.ok(faults >= 10, `deliveries failed (${faults})`);
  assert.equal(ids.length, 10000);
  assert.equal(dropped, 0, "nothing given up: every failed delivery was retried");
  await assertOneChain("faulty", ids);
});

test("a retried batch neither duplicates nor forks; lines that are not events are refused", async () => {
  const { ids } = await emitStreams("retry", { requests: 1, perRequest: 5 });
  const jsonl = await call(mf, "/chain/export?chain=retry");
  const before = await call(mf, "/chain/head?chain=retry");
  // The same events again (as a retry after a lost ack would send them), plus two bad lines.
  const again = jsonl.split("\n").filter(Boolean).map((l) => {
    const e = JSON.parse(l);
    delete e.integrity;
    return JSON.stringify(e);
  });
  const r = await call(mf, "/chain/append?chain=retry", { method: "POST", body: `${again.join("\n")}\nnot json\n{"no":"event_id"}\n` });
  assert.equal(r.stored, 0);
  assert.equal(r.duplicates, ids.length);
  assert.deepEqual(r.rejected, [ids.length, ids.length + 1]);
  assert.deepEqual(await call(mf, "/chain/head?chain=retry"), before);
  assert.equal(await call(mf, "/chain/export?chain=retry"), jsonl);
});

test("queue path: with 10% of consumer batches throwing, every event lands in D1 exactly once; a poison message is dead-lettered", async () => {
  await call(mf, "/d1/migrate");
  const emitted = [];
  await call(mf, "/queue/poison");
  for (let r = 0; r < 10; r++) {
    const res = await call(mf, "/queue/emit?n=200");
    assert.equal(res.stats.events_dropped_total, 0);
    emitted.push(...res.ids);
  }
  let state;
  const deadline = Date.now() + 60000;
  for (;;) {
    state = await call(mf, "/d1/ids");
    if ((state.ids.length >= emitted.length && state.dead >= 1) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(state.ids.length, emitted.length, "every event is in D1");
  assert.deepEqual(new Set(state.ids), new Set(emitted), "exactly the emitted events (event_id is the primary key: at most once)");
  assert.equal(state.dead, 1, "the poison message ends in the dead-letter queue");
  const stats = await call(mf, "/queue/stats");
  assert.ok(stats.poison >= 1, `the consumer counted the poison message's deliveries (${stats.poison})`);
  assert.ok(stats.stored >= 1 && stats.retried >= 0);
  assert.ok(state.faults.before >= 1 && state.faults.after >= 1, `consumer batches failed before and after storing (${JSON.stringify(state.faults)})`);
});

test("queue path into an AuditChain: one chain holding every queued event once", async () => {
  const emitted = [];
  for (let r = 0; r < 5; r++) emitted.push(...(await call(mf, "/queue/emit?queue=chain&n=200")).ids);
  const deadline = Date.now() + 60000;
  while ((await call(mf, "/chain/head?chain=queued")).seq < emitted.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await assertOneChain("queued", emitted);
});

test("d1Store's queries return what plain SQL over the same rows returns, on a generated trail", async () => {
  await call(mf, "/d1/migrate");
  // A generated trail: 600 events, timestamps spread (and repeated) over a day, out of order.
  const lines = [];
  for (let i = 0; i < 600; i++) {
    const ts = new Date(Date.UTC(2026, 0, 2, (i * 7) % 24, (i * 13) % 60, i % 3)).toISOString();
    const e = {
      schema_version: "1.1",
      event_id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
      timestamp: ts,
      service: { name: "gen", environment: "test" },
      actor: { subject_id: `actor-${i % 9}`, subject_type: "human" },
      action: { type: ["READ", "UPDATE", "EXPORT"][i % 3], phi_touched: true },
      resource: i % 10 === 0 ? { type: "Report" } : { type: "Note", patient_id: `pt-${i % 17}` },
      outcome: i % 7 === 0 ? { status: "DENIED", error_type: "Forbidden" } : { status: "SUCCESS" },
    };
    lines.push(JSON.stringify(e));
  }
  const w = await call(mf, "/d1/write", { method: "POST", body: `${lines.join("\n")}\n` });
  assert.equal(w.delivered, 600);
  const questions = [
    ["byPatient", "pt-3", {}],
    ["byPatient", "pt-3", { from: "2026-01-02T05:00:00.000Z", to: "2026-01-02T17:30:00.000Z" }],
    ["byPatient", "pt-5", { limit: 7 }],
    ["byPatient", "pt-none", {}],
    ["byActor", "actor-4", {}],
    ["byActor", "actor-4", { from: "2026-01-02T12:00:00.000Z", limit: 5 }],
    ["denials", null, {}],
    ["denials", null, { to: "2026-01-02T08:00:00.000Z" }],
    ["export", null, {}],
    ["export", null, { from: "2026-01-02T10:00:00.000Z", to: "2026-01-02T11:59:59.999Z" }],
  ];
  for (const [kind, id, o] of questions) {
    const r = await call(mf, `/d1/query?kind=${kind}${id ? `&id=${id}` : ""}&o=${encodeURIComponent(JSON.stringify(o))}`);
    assert.deepEqual(r.got, r.want, `${kind} ${id} ${JSON.stringify(o)}`);
    if (id !== "pt-none" && kind !== "export") assert.ok(r.want.length > 0, `${kind} ${JSON.stringify(o)} matches some rows`);
  }
});

test("httpSink inside workerd: batches to a local collector answering 503 and 429 at times, each event once", async () => {
  const got = [];
  let calls = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      calls++;
      if (calls % 4 === 1) return res.writeHead(503).end();
      if (calls % 4 === 2) return res.writeHead(429, { "retry-after": "0" }).end();
      assert.equal(req.headers["content-type"], "application/x-ndjson");
      got.push(...body.split("\n").filter(Boolean).map((l) => JSON.parse(l).event_id));
      res.writeHead(204).end();
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  try {
    const r = await call(mf, `/http/emit?n=400&url=${encodeURIComponent(`http://127.0.0.1:${server.address().port}/ingest`)}`);
    assert.equal(r.stats.events_dropped_total, 0);
    assert.equal(r.sink.retries, calls - 10, "each of the 10 batches retried until accepted");
    assert.equal(got.length, 400);
    assert.deepEqual(new Set(got), new Set(r.ids));
  } finally {
    server.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Issue 21 (items 4, 5, 9, 10, 11 and the chaos suite), in workerd.

/** A schema-valid 1.1 event line with the given id, timestamp and resource id. */
function eventLine(id, { ts = "2026-03-11T18:41:55Z", res = "n-1", patient } = {}) {
  return JSON.stringify({
    schema_version: "1.1", event_id: id, timestamp: ts, service: { name: "gen", environment: "test" },
    actor: { subject_id: "clin-1", subject_type: "human" }, action: { type: "READ" },
    resource: patient ? { type: "Note", id: res, patient_id: patient } : { type: "Note", id: res }, outcome: { status: "SUCCESS" },
  });
}
const uuid = (n) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

test("item 4: AuditChain.storeLines skips an identical line and refuses a different line with a stored event_id as a conflict", async () => {
  const a = eventLine(uuid(1), { res: "first" });
  const b = eventLine(uuid(1), { res: "second" });
  const c = eventLine(uuid(2));
  const r1 = await call(mf, "/chain/store?chain=conflict", { method: "POST", body: JSON.stringify([a, c, a, b]) });
  assert.deepEqual([r1.stored, r1.duplicates, r1.conflicts, r1.rejected], [2, 1, [3], []]);
  const r2 = await call(mf, "/chain/store?chain=conflict", { method: "POST", body: JSON.stringify([b, a, c]) });
  assert.deepEqual([r2.stored, r2.duplicates, r2.conflicts], [0, 2, [0]]);
  const trail = (await call(mf, "/chain/export?chain=conflict")).split("\n").filter(Boolean).map((l) => JSON.parse(l));
  assert.deepEqual(trail.map((e) => e.resource.id), ["first", "n-1"]);
});

test("item 4: through chainSink and d1Store().sink the second event with one id is counted dropped and reported by position", async () => {
  for (const [kind, extra] of [["chain", "&chain=sinkconflict"], ["d1", "&table=conflict_sink"]]) {
    const r = await call(mf, `/sink/conflict?kind=${kind}&id=${uuid(77)}${extra}`);
    assert.deepEqual([r.stats.events_emitted_total, r.stats.events_dropped_total], [1, 1], `${kind}: ${JSON.stringify(r)}`);
    assert.equal(r.sink.conflicts, 1);
    assert.ok(r.diagnostics.some((d) => /position 2 of a batch of 2 was refused as a conflict/.test(d)), r.diagnostics.join(" | "));
    for (const d of r.diagnostics) assert.ok(!d.includes(uuid(77)) && !d.includes("second"), `no content in diagnostics: ${d}`);
  }
});

test("item 4: d1Store.storeLines: a retried line is skipped, a different line with the same id is a conflict (no silent INSERT OR IGNORE)", async () => {
  const a = eventLine(uuid(5), { res: "first" });
  const b = eventLine(uuid(5), { res: "second" });
  const r1 = await call(mf, "/d1/store?table=conflict_rows&migrate=1", { method: "POST", body: JSON.stringify([a, b, a]) });
  assert.deepEqual([r1.stored, r1.duplicates, r1.conflicts], [1, 1, [1]]);
  const r2 = await call(mf, "/d1/store?table=conflict_rows", { method: "POST", body: JSON.stringify([b, a]) });
  assert.deepEqual([r2.stored, r2.duplicates, r2.conflicts], [0, 1, [0]]);
});

test("item 11: AuditChain and the stores take event lines only, by one rule", async () => {
  const bad = ['{"event_id":"x"}', "not json", "[1]", '{"event_id":"y","timestamp":"2026-03-11T18:41:55Z"}', ""];
  const chain = await call(mf, "/chain/store?chain=onlyevents", { method: "POST", body: JSON.stringify(bad) });
  assert.deepEqual([chain.stored, chain.rejected], [0, [0, 1, 2, 3, 4]]);
  const d1 = await call(mf, "/d1/store?table=only_events&migrate=1", { method: "POST", body: JSON.stringify(bad) });
  assert.deepEqual([d1.stored, d1.rejected], [0, [0, 1, 2, 3, 4]]);
});

test("item 5: a line over 1 MiB in UTF-8 bytes (but under 1 Mi UTF-16 units) is refused by AuditChain, so /verify stays ok", async () => {
  const big = JSON.parse(eventLine(uuid(9)));
  big.metadata = { note: "\u00e9".repeat(800_000) }; // 1.6 MB as UTF-8, 800,000 units
  const line = JSON.stringify(big);
  assert.ok(line.length < 1 << 20);
  const r = await call(mf, "/chain/store?chain=toolong", { method: "POST", body: JSON.stringify([line, eventLine(uuid(10))]) });
  assert.deepEqual([r.stored, r.rejected], [1, [0]]);
  const v = await call(mf, "/chain/verify?chain=toolong");
  assert.equal(v.ok, true, JSON.stringify(v));
  const d1 = await call(mf, "/d1/store?table=too_long&migrate=1", { method: "POST", body: JSON.stringify([line]) });
  assert.deepEqual(d1.rejected, [0]);
});

test("item 10: POST /append splits lines as the verifiers do (\\n, \\r\\n, \\r)", async () => {
  const lines = [eventLine(uuid(21)), eventLine(uuid(22)), eventLine(uuid(23)), eventLine(uuid(24))];
  const r = await call(mf, "/chain/append?chain=crlf", { method: "POST", body: `${lines[0]}\r${lines[1]}\r\n${lines[2]}\n${lines[3]}\r` });
  assert.deepEqual([r.stored, r.rejected], [4, []]);
});

test("item 11: d1Store's ranges compare instants, not text (events with UTC offsets)", async () => {
  const lines = [
    eventLine(uuid(31), { ts: "2026-01-02T10:30:00+02:00" }), // 08:30Z
    eventLine(uuid(32), { ts: "2026-01-02T08:00:00Z" }),
    eventLine(uuid(33), { ts: "2026-01-02T03:15:00.5-05:00" }), // 08:15:00.5Z
    eventLine(uuid(34), { ts: "2026-01-02T09:30:00.000Z" }),
    eventLine(uuid(35), { ts: "2026-01-01T23:59:00-09:00" }), // 2026-01-02T08:59Z
  ];
  await call(mf, "/d1/store?table=offsets&migrate=1", { method: "POST", body: JSON.stringify(lines) });
  const o = encodeURIComponent(JSON.stringify({ from: "2026-01-02T08:10:00Z", to: "2026-01-02T09:00:00+00:00" }));
  assert.deepEqual(await call(mf, `/d1/range?table=offsets&o=${o}`), [uuid(33), uuid(31), uuid(35)], "in the range, in instant order");
  assert.deepEqual(await call(mf, "/d1/range?table=offsets"), [uuid(32), uuid(33), uuid(31), uuid(35), uuid(34)]);
  // A table made before the utc column: migrate() adds and fills it.
  await call(mf, "/d1/legacy?table=offsets_legacy", { method: "POST", body: JSON.stringify(lines) });
  assert.deepEqual(await call(mf, `/d1/range?table=offsets_legacy&o=${o}`), [uuid(33), uuid(31), uuid(35)]);
});

test("item 9: auditorAuth refuses every request when the credential is unset or short, and compares the token", async () => {
  const token = "synthetic-auditor-token-0123456789";
  const ask = async (expected, header) => (await call(mf, `/auth${expected === undefined ? "" : `?expected=${encodeURIComponent(expected)}`}`, { headers: header === undefined ? {} : { authorization: header } })).ok;
  assert.equal(await ask(undefined, "Bearer undefined"), false, "unset (no AUDITOR_TOKEN binding): refused");
  assert.equal(await ask(undefined, "Bearer "), false);
  assert.equal(await ask("", "Bearer "), false);
  assert.equal(await ask("short", "Bearer short"), false, "a credential under 16 characters counts as unset");
  assert.equal(await ask(token, `Bearer ${token}`), true);
  assert.equal(await ask(token, `bearer ${token}`), true);
  assert.equal(await ask(token, `Bearer ${token}x`), false);
  assert.equal(await ask(token, `Bearer ${token.slice(0, -1)}`), false);
  assert.equal(await ask(token, token), false);
  assert.equal(await ask(token, undefined), false);
});

/** Every stored line once; the stored events are the first-written line of each id. */
function assertStoredOnce(stored, written, label) {
  const first = new Map();
  for (const l of written) {
    const e = JSON.parse(l);
    if (!first.has(e.event_id)) first.set(e.event_id, e);
  }
  const ids = stored.map((e) => e.event_id);
  assert.equal(new Set(ids).size, ids.length, `${label}: no event stored twice`);
  assert.equal(ids.length, first.size, `${label}: every distinct event stored`);
  for (const e of stored) {
    const { integrity, ...body } = e;
    assert.deepEqual(body, first.get(e.event_id), `${label}: the stored event is the first written with its id`);
  }
}

/** The per-logger balance the chaos suite asserts: each call counted once, each conflict reported. */
function assertBalance(r, label, { conflictsDropped = true, destinations = 1 } = {}) {
  const s = r.stats;
  assert.equal(s.events_emitted_total + s.events_dropped_total + s.emit_failures_total, r.calls, `${label}: emitted + dropped + failed = calls (${JSON.stringify(s)})`);
  assert.equal(r.pending, 0, `${label}: nothing pending after flush`);
  if (conflictsDropped) {
    const reported = r.diagnostics.filter((d) => d.includes("refused as a conflict")).length;
    assert.equal(s.events_dropped_total, r.conflicting, `${label}: the conflicts, and only they, are dropped`);
    assert.equal(reported, r.conflicting * destinations, `${label}: every dropped event is reported (by each destination that refused it)`);
  }
  assert.ok(r.faults.before + r.faults.after > 0 || label === "http", `${label}: deliveries failed (${JSON.stringify(r.faults)})`);
}

test("chaos: 10,000 events through chainSink (10% failed deliveries, conflicting ids, a flush every 100): one chain, verified by verifyChain and Python 1.1.1", async () => {
  const r = await call(mf, "/chaos?kind=chain&chain=chaos&n=10000&seed=11");
  assert.ok(r.conflicting >= 50, `conflicting ids were written (${r.conflicting})`);
  assertBalance(r, "chain");
  const jsonl = await call(mf, "/chain/export?chain=chaos");
  const stored = jsonl.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  assert.equal(stored.length, r.stats.events_emitted_total, "every emitted event is stored");
  assertStoredOnce(stored, r.written, "chain");
  assert.equal(verifyChain(jsonl).ok, true);
  const py = pythonVerify(jsonl);
  assert.deepEqual(py, { result: "PASS", events_scanned: stored.length, chain_length: stored.length, chain_gaps: 0, hash_mismatches: 0, unchained_events: 0 });
});

test("chaos: 10,000 events through d1Store().sink (10% failed D1 batches, before and after the write; conflicting ids)", async () => {
  const r = await call(mf, "/chaos?kind=d1&table=chaos_d1&n=10000&seed=12");
  assertBalance(r, "d1");
  const stored = (await call(mf, "/d1/lines?table=chaos_d1")).map((l) => JSON.parse(l));
  assert.equal(stored.length, r.stats.events_emitted_total);
  assertStoredOnce(stored, r.written, "d1");
});

test("chaos: a fanout of an AuditChain and D1: each event counted once, stored once in each", async () => {
  const r = await call(mf, "/chaos?kind=fanout&chain=chaosfan&table=chaos_fan&n=3000&seed=13");
  assertBalance(r, "fanout", { destinations: 2 });
  const chain = (await call(mf, "/chain/export?chain=chaosfan")).split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const d1 = (await call(mf, "/d1/lines?table=chaos_fan")).map((l) => JSON.parse(l));
  assertStoredOnce(chain, r.written, "fanout chain");
  assertStoredOnce(d1, r.written, "fanout d1");
  assert.equal(chain.length, r.stats.events_emitted_total);
});

test("chaos: 10,000 events through queueSink (10% failed sendBatch, conflicting ids): the consumer stores each id once and dead-letters the conflicts", async () => {
  await call(mf, "/d1/migrate");
  const before = await call(mf, "/d1/ids");
  const r = await call(mf, "/chaos?kind=queue&n=10000&seed=14");
  // The queue cannot know a conflict: the logger counts what the queue accepted; the consumer refuses the rest.
  assertBalance(r, "queue", { conflictsDropped: false });
  assert.equal(r.stats.events_dropped_total, 0);
  const want = new Set(r.written.map((l) => JSON.parse(l).event_id));
  let state;
  const deadline = Date.now() + 120000;
  for (;;) {
    state = await call(mf, "/d1/ids");
    if ((state.ids.length - before.ids.length >= want.size && state.dead - before.dead >= r.conflicting) || Date.now() > deadline) break;
    await new Promise((res) => setTimeout(res, 200));
  }
  const added = state.ids.filter((id) => want.has(id));
  assert.equal(added.length, want.size, "every distinct queued event is in D1");
  assert.equal(new Set(state.ids).size, state.ids.length, "each once");
  // Each conflicting message is dead-lettered; one re-sent after a lost sendBatch answer is there twice.
  const dead = state.dead - before.dead;
  assert.ok(dead >= r.conflicting && dead <= r.conflicting + 50 * r.faults.after, `every conflicting message is dead-lettered (${dead} for ${r.conflicting})`);
  const stats = await call(mf, "/queue/stats");
  assert.ok(stats.conflicts >= r.conflicting, `the consumer counted the conflicts (${stats.conflicts})`);
});

test("chaos: 10,000 events through httpSink in workerd (10% 503, 5% redirects, lost answers): delivered once or counted dropped, nothing reaches a redirect's target", async () => {
  const keys = new Map();
  let landed = 0;
  let n = 0;
  const landing = createServer((req, res) => {
    landed++;
    res.writeHead(200).end("landing");
  });
  await new Promise((r) => landing.listen(0, "127.0.0.1", r));
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const k = ++n;
      if (k % 10 === 3) return res.writeHead(503).end();
      if (k % 20 === 7) return res.writeHead(k % 40 === 7 ? 302 : 307, { location: `http://127.0.0.1:${landing.address().port}/x` }).end();
      const key = req.headers["idempotency-key"];
      if (!keys.has(key)) keys.set(key, body);
      if (k % 10 === 5) return req.socket.destroy(); // accepted, answer lost: the retry has the same key
      res.writeHead(200).end();
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  try {
    const r = await call(mf, `/chaos?kind=http&n=10000&seed=15&url=${encodeURIComponent(`http://127.0.0.1:${server.address().port}/ingest`)}`);
    const s = r.stats;
    assert.equal(s.events_emitted_total + s.events_dropped_total + s.emit_failures_total, r.calls);
    assert.equal(r.pending, 0);
    const delivered = [...keys.values()].flatMap((b) => b.split("\n").filter(Boolean));
    assert.equal(delivered.length, s.events_emitted_total, "emitted = delivered, once each");
    assert.equal(landed, 0, "no redirect was followed");
    assert.ok(s.events_dropped_total > 0 && s.events_dropped_total % 50 === 0, `redirected batches are dropped whole (${s.events_dropped_total})`);
    const reported = r.diagnostics.filter((d) => d.includes("redirects are not followed")).reduce((a, d) => a + Number(/(\d+) event\(s\) dropped/.exec(d)?.[1] ?? 0), 0);
    assert.equal(reported, s.events_dropped_total, "every dropped event is reported");
  } finally {
    server.close();
    landing.close();
  }
});
