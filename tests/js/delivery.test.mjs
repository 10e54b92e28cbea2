// The delivery model of batching destinations and async sinks (issue 21 items 2, 3, 6, 7, 11;
// API.md "Sinks", "Failure rules"), in Node: httpSink against a local collector, one counter per
// event, per-logger reporting on a shared destination, flush() that waits for exactly what was
// written before it, redirects never followed, bad configuration refused at construction,
// auditHumanOverride's options read in the guarded section, own properties only.
// No timed assertions: stalls are released by the test, not by the clock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { AuditLogger, httpSink } from "../../pkg/src/node.mjs";

const ID = "2f4c1d11-3f42-44d3-83a0-1d3f7e1d2b1c";

/** A local HTTP server: `handle(req, res, body)`; returns { url(path), close }. */
async function server(handle) {
  const sockets = new Set();
  const s = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => handle(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  s.on("connection", (c) => {
    sockets.add(c);
    c.on("close", () => sockets.delete(c));
  });
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  return {
    url: (path = "/") => `http://127.0.0.1:${s.address().port}${path}`,
    close: () => new Promise((r) => {
      for (const c of sockets) c.destroy();
      s.close(r);
    }),
  };
}

function events(logger, n, tag = "x") {
  for (let i = 0; i < n; i++) logger.audit("READ", { actor: { subject_id: `clin-${tag}`, subject_type: "human" }, resource: { type: "Note", id: `n-${tag}-${i}` } });
}

const total = (s) => s.events_emitted_total + s.events_dropped_total + s.emit_failures_total;

/** A fetch the test drives: each call waits until the test answers it. */
function manualFetch() {
  const calls = [];
  const fetch = (url, init) => new Promise((resolve, reject) => calls.push({ url, init, lines: init.body.split("\n").filter(Boolean), resolve, reject }));
  return { fetch, calls };
}

const ok = () => new Response("ok", { status: 200 });
const until = async (cond) => {
  while (!cond()) await new Promise((r) => setImmediate(r));
};

test("item 6: a batch given up on counts each event once, as dropped (never emitted and dropped)", async () => {
  const dest = httpSink({ url: "https://collector.example/ingest", batchSize: 5, maxRetries: 0, fetch: async () => new Response("no", { status: 500 }) });
  const diagnostics = [];
  const logger = new AuditLogger({ serviceName: "once", sink: dest, onDiagnostic: (l, m) => diagnostics.push(m) });
  events(logger, 10);
  assert.equal(logger.pending, 10, "pending until the batches settle");
  await logger.flush(10000);
  const s = logger.stats;
  assert.equal(s.events_emitted_total, 0);
  assert.equal(s.events_dropped_total, 10);
  assert.equal(total(s), 10, "one counter per call");
  assert.equal(logger.pending, 0);
  assert.ok(diagnostics.some((d) => d.includes("5 event(s) dropped: collector answered 500")), diagnostics.join("\n"));
});

test("item 6: a destination shared by two loggers reports each event to the logger that wrote it", async () => {
  // The collector refuses every batch holding logger A's events (batchSize 1: one event per batch).
  const dest = httpSink({
    url: "https://collector.example/ingest",
    batchSize: 1,
    maxRetries: 0,
    fetch: async (url, init) => new Response("", { status: init.body.includes('"name":"svc-a"') ? 400 : 200 }),
  });
  const da = [];
  const db = [];
  const a = new AuditLogger({ serviceName: "svc-a", sink: dest, onDiagnostic: (l, m) => da.push(m) });
  const b = new AuditLogger({ serviceName: "svc-b", sink: dest, onDiagnostic: (l, m) => db.push(m) });
  for (let i = 0; i < 5; i++) {
    events(a, 1, "a");
    events(b, 1, "b");
  }
  await Promise.all([a.flush(10000), b.flush(10000)]);
  assert.deepEqual([a.stats.events_emitted_total, a.stats.events_dropped_total], [0, 5], "A: its own drops");
  assert.deepEqual([b.stats.events_emitted_total, b.stats.events_dropped_total], [5, 0], "B: none of A's drops");
  assert.ok(da.some((d) => d.includes("dropped")));
  assert.ok(!db.some((d) => d.includes("dropped")), db.join("\n"));
});

test("item 6: README's fanout of two destinations counts each event once", async () => {
  const { fanout } = await import("../../pkg/src/sinks/batch.js");
  const good = httpSink({ url: "https://a.example/", batchSize: 2, fetch: async () => ok() });
  const bad = httpSink({ url: "https://b.example/", batchSize: 2, maxRetries: 0, fetch: async () => new Response("", { status: 400 }) });
  const both = fanout(good, bad);
  const logger = new AuditLogger({ serviceName: "fan", sink: both, onDiagnostic: () => {} });
  events(logger, 4);
  await logger.flush(10000);
  assert.deepEqual([logger.stats.events_emitted_total, logger.stats.events_dropped_total], [0, 4]);
  const fine = new AuditLogger({ serviceName: "fan", sink: fanout(good, httpSink({ url: "https://c.example/", fetch: async () => ok() })), onDiagnostic: () => {} });
  events(fine, 4);
  await fine.flush(10000);
  assert.deepEqual([fine.stats.events_emitted_total, fine.stats.events_dropped_total], [4, 0]);
});

test("item 3: flush(timeout) gives up only on events written before it; events written during it are kept and delivered", async () => {
  const m = manualFetch();
  const dest = httpSink({ url: "https://collector.example/ingest", batchSize: 5, flushIntervalMs: 60000, fetch: m.fetch });
  const logger = new AuditLogger({ serviceName: "steady", sink: dest, onDiagnostic: () => {} });
  events(logger, 5, "before"); // one full batch: in flight, its answer held back
  await until(() => m.calls.length === 1);
  const flushed = logger.flush(50);
  events(logger, 5, "during"); // written during the flush: a full batch, waiting for the slot
  await flushed;
  assert.equal(logger.stats.events_dropped_total, 5, "the 5 earlier events were given up on");
  assert.equal(logger.stats.events_emitted_total, 0);
  assert.equal(logger.pending, 5, "the 5 written during the flush are still pending, not discarded");
  m.calls[0].resolve(ok()); // the abandoned batch arrives after all: still counted once, as dropped
  await until(() => m.calls.length === 2);
  assert.ok(m.calls[1].lines.every((l) => l.includes("n-during-")), "the later batch holds the later events");
  m.calls[1].resolve(ok());
  await logger.flush(10000);
  assert.deepEqual([logger.stats.events_emitted_total, logger.stats.events_dropped_total], [5, 5]);
  assert.equal(total(logger.stats), 10);
});

test("item 3: on timeout, events already delivered are not counted as dropped", async () => {
  const m = manualFetch();
  const dest = httpSink({ url: "https://collector.example/ingest", batchSize: 5, flushIntervalMs: 60000, fetch: m.fetch });
  const logger = new AuditLogger({ serviceName: "steady", sink: dest, onDiagnostic: () => {} });
  events(logger, 10);
  await until(() => m.calls.length === 1);
  const flushed = logger.flush(100);
  m.calls[0].resolve(ok()); // the first batch is delivered
  await until(() => m.calls.length === 2); // the second is sent and never answered
  await flushed;
  assert.deepEqual([logger.stats.events_emitted_total, logger.stats.events_dropped_total], [5, 5]);
});

test("item 3: an async function sink: flush(timeout) abandons only the calls made before it", async () => {
  const pending = [];
  const logger = new AuditLogger({ serviceName: "async", sink: () => new Promise((resolve) => pending.push(resolve)), onDiagnostic: () => {} });
  events(logger, 5);
  const flushed = logger.flush(30);
  events(logger, 5);
  await flushed;
  assert.equal(logger.stats.events_dropped_total, 5);
  assert.equal(logger.pending, 5, "the later calls are still tracked");
  for (const r of pending) r();
  await logger.flush(1000);
  assert.deepEqual([logger.stats.events_emitted_total, logger.stats.events_dropped_total], [5, 5]);
});

for (const status of [301, 302, 303, 307, 308]) {
  test(`item 2: a ${status} is never followed and the batch is never counted delivered`, async () => {
    const landing = [];
    const other = await server((req, res, body) => {
      landing.push({ method: req.method, body, key: req.headers["x-api-key"] });
      res.writeHead(200).end("welcome");
    });
    const origin = await server((req, res) => res.writeHead(status, { location: other.url("/landing") }).end());
    try {
      const diagnostics = [];
      const dest = httpSink({ url: origin.url("/ingest"), headers: { "x-api-key": "synthetic-key-0001" }, batchSize: 10, backoffMs: 1 });
      const logger = new AuditLogger({ serviceName: "redirect", sink: dest, onDiagnostic: (l, m) => diagnostics.push(m) });
      events(logger, 10);
      await logger.flush(10000);
      assert.equal(landing.length, 0, "nothing reached the redirect's target (no GET, no re-POST, no header)");
      assert.deepEqual([logger.stats.events_emitted_total, logger.stats.events_dropped_total], [0, 10]);
      assert.ok(diagnostics.some((d) => d.includes(`collector answered ${status} (redirects are not followed)`)), diagnostics.join("\n"));
    } finally {
      await origin.close();
      await other.close();
    }
  });
}

test("item 2: an opaque redirect (a browser's answer to redirect: manual) is a failed delivery", async () => {
  let init;
  const fetch = async (url, i) => {
    init = i;
    return { type: "opaqueredirect", status: 0, headers: new Headers(), arrayBuffer: async () => new ArrayBuffer(0) };
  };
  const logger = new AuditLogger({ serviceName: "opaque", sink: httpSink({ url: "https://c.example/", fetch }), onDiagnostic: () => {} });
  events(logger, 3);
  await logger.flush(10000);
  assert.equal(init.redirect, "manual");
  assert.deepEqual([logger.stats.events_emitted_total, logger.stats.events_dropped_total], [0, 3]);
});

test("item 11: httpSink refuses credentials in the URL, non-http(s) URLs and bad headers at construction, never echoing them", () => {
  const secret = "s3cr3t-synthetic";
  const cases = [
    [{ url: `https://user:${secret}@collector.example/ingest` }, RangeError, "`url`"],
    [{ url: `https://${secret}@collector.example/ingest` }, RangeError, "`url`"],
    [{ url: `ftp://collector.example/${secret}` }, RangeError, "`url`"],
    [{ url: `javascript:${secret}` }, RangeError, "`url`"],
    [{ url: "https://c.example/", headers: { "x-api-key": `${secret}\nx-injected: 1` } }, RangeError, "`headers`"],
    [{ url: "https://c.example/", headers: { "x-api-key": `${secret}\r` } }, RangeError, "`headers`"],
    [{ url: "https://c.example/", headers: { "x-api-key": `${secret}\u0000` } }, RangeError, "`headers`"],
    [{ url: "https://c.example/", headers: { "x-api-key": `${secret}\u2028` } }, RangeError, "`headers`"],
    [{ url: "https://c.example/", headers: { [`bad name ${secret}`]: "v" } }, RangeError, "`headers`"],
    [{ url: "https://c.example/", headers: { [`x-${secret}\n`]: "v" } }, RangeError, "`headers`"],
  ];
  for (const [options, type, names] of cases) {
    assert.throws(() => httpSink(options), (e) => e instanceof type && e.message.includes(names) && !e.message.includes(secret) && !e.message.includes("synthetic"), JSON.stringify(options));
  }
  assert.ok(httpSink({ url: "https://c.example/ingest", headers: { authorization: "Bearer abc", "x-api-key": "k" } }));
  assert.ok(httpSink({ url: "http://127.0.0.1:8080/ingest" }));
});

test("item 7: auditHumanOverride reads its options in the guarded section (throwing getter, revoked Proxy)", () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  const throwing = {
    get actor() {
      throw new Error("patient Jane Q Synthetic, SSN 123-45-6789");
    },
  };
  for (const opts of [throwing, proxy]) {
    const diagnostics = [];
    const logger = new AuditLogger({ serviceName: "override", schemaVersion: "2.0", sink: () => {}, onDiagnostic: (l, m) => diagnostics.push(m) });
    let result;
    assert.doesNotThrow(() => (result = logger.auditHumanOverride("sess-1", opts)));
    assert.equal(result, null);
    assert.equal(logger.stats.validation_failures_total, 1);
    assert.equal(logger.stats.events_dropped_total, 1);
    for (const d of diagnostics) assert.ok(!d.includes("Jane") && !d.includes("123-45-6789"), d);
  }
  // As audit() and auditAgentAction() do with the same input.
  const logger = new AuditLogger({ serviceName: "override", schemaVersion: "2.0", sink: () => {}, onDiagnostic: () => {} });
  assert.equal(logger.auditAgentAction("READ", throwing), null);
  assert.equal(logger.audit("READ", proxy), null);
  assert.equal(logger.stats.validation_failures_total, 2);
  // The session argument still wins over an option of the same name.
  const ok = new AuditLogger({ serviceName: "override", schemaVersion: "2.0", sink: () => {}, onDiagnostic: () => {} });
  const e = ok.auditHumanOverride("sess-arg", { agentSessionId: "sess-opt", actor: { subject_id: "user_123", subject_type: "human" } });
  assert.ok(JSON.stringify(e).includes("sess-arg") && !JSON.stringify(e).includes("sess-opt"));
});

test("item 11: a polluted Object.prototype never flows into audit() or the helpers", () => {
  const keys = ["actor", "metadata", "resource", "outcome", "correlation", "error", "agent", "agentSessionId", "phiTouched"];
  const values = {
    actor: { subject_id: "polluted-actor", subject_type: "human" },
    metadata: { polluted: "yes" },
    resource: { type: "Polluted" },
    outcome: { status: "FAILURE", error_type: "Polluted" },
    correlation: { request_id: "polluted-request" },
    error: "polluted error",
    agent: { interface: "polluted" },
    agentSessionId: "polluted-session",
    phiTouched: true,
  };
  try {
    for (const k of keys) Object.prototype[k] = values[k];
    const logger = new AuditLogger({ serviceName: "clean", schemaVersion: "2.0", metadataAllowlist: ["polluted"], sink: () => {}, onDiagnostic: () => {} });
    const events = [
      logger.audit("READ", {}),
      logger.audit("READ"),
      logger.auditAccess("READ", {}),
      logger.auditLoginSuccess({}),
      logger.auditHumanOverride("sess-1", { actor: { subject_id: "user_1", subject_type: "human" } }),
    ];
    for (const e of events) {
      assert.ok(e, "emitted");
      assert.ok(!JSON.stringify(e).includes("olluted"), JSON.stringify(e));
    }
  } finally {
    for (const k of keys) delete Object.prototype[k];
  }
});

test("item 6: 20,000 loggers created and discarded on one shared destination keep the heap flat (--expose-gc)", () => {
  const script = fileURLToPath(new URL("./heap-loggers.mjs", import.meta.url));
  const r = spawnSync(process.execPath, ["--expose-gc", script, "20000"], { encoding: "utf8", timeout: 300_000 });
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout.trim().split("\n").at(-1));
  // Before the fix each discarded logger stayed reachable through the destination (~2.3 KB: +44 MiB).
  assert.ok(m.growthBytes < 4 * 1024 * 1024, `heap grew by ${m.growthBytes} bytes over ${m.loggers} loggers`);
  assert.equal(m.delivered, m.loggers);
});
