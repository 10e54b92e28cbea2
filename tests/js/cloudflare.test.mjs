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
