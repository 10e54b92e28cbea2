// httpSink against a local collector (node:http on an ephemeral port) that fails, stalls and
// answers 429/503 at random; a dead collector; Retry-After; flush(); the pagehide beacon.
// Lines are made by the logger itself (a function sink writes the emitted event's JSON line).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { join } from "node:path";
import { ROOT, runDeno } from "./harness.mjs";
import { AuditLogger, httpSink } from "../../pkg/src/node.mjs";

/** A collector: `behave(req, body)` answers; returns { url, batches, close }. */
async function collector(behave) {
  const batches = [];
  const sockets = new Set();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => behave(req, res, Buffer.concat(chunks).toString("utf8"), batches));
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}/ingest`,
    batches,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(r);
      }),
  };
}

/**
 * Record a batch and answer 200. Like any collector that wants each event once, it keeps a batch
 * once per Idempotency-Key: a client that timed out waiting for the answer to an accepted batch
 * retries it, and the retry must be the same batch (checked) under the same key.
 */
function accept(req, res, body, batches) {
  const key = req.headers["idempotency-key"];
  const earlier = batches.find((b) => b.key === key);
  if (earlier) {
    assert.equal(body, earlier.body, "a retry resends the same batch");
    earlier.replays++;
  } else batches.push({ body, type: req.headers["content-type"], key, replays: 0 });
  res.writeHead(200).end("ok");
}

/** A logger writing to the destination `dest` (its lines, through the port `attach` returns). */
function loggerOver(dest, diagnostics = []) {
  return new AuditLogger({ serviceName: "http-test", sink: dest, onDiagnostic: (l, m) => diagnostics.push(`${l} ${m}`) });
}

function emit(logger, n) {
  const ids = [];
  for (let i = 0; i < n; i++) {
    const e = logger.audit("READ", { actor: { subject_id: `clin-${i % 5}`, subject_type: "human" }, resource: { type: "Note", patient_id: `pt-secret-${i}` } });
    ids.push(e.event_id);
  }
  return ids;
}

function deliveredIds(batches) {
  return batches.flatMap((b) => b.body.split("\n").filter(Boolean).map((l) => JSON.parse(l).event_id));
}

test("a collector that fails, stalls and answers 429/503 at random: every event delivered exactly once or counted as dropped", async () => {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const seen = { 503: 0, 429: 0, reset: 0, stall: 0, ok: 0 };
  const c = await collector((req, res, body, batches) => {
    const r = rnd();
    if (r < 0.15) (seen[503]++, res.writeHead(503).end());
    else if (r < 0.3) (seen[429]++, res.writeHead(429, { "retry-after": "0" }).end());
    else if (r < 0.4) (seen.reset++, req.socket.destroy());
    else if (r < 0.5) seen.stall++; // never answers: the client's timeout aborts it
    else (seen.ok++, accept(req, res, body, batches));
  });
  try {
    const diagnostics = [];
    const dest = httpSink({ url: c.url, batchSize: 50, maxRetries: 4, backoffMs: 2, maxBackoffMs: 20, timeoutMs: 150, flushIntervalMs: 5 });
    const logger = loggerOver(dest, diagnostics);
    const ids = emit(logger, 4000);
    await logger.flush(120000);
    const got = deliveredIds(c.batches);
    assert.equal(new Set(got).size, got.length, "no event delivered twice");
    const dropped = logger.stats.events_dropped_total;
    assert.equal(got.length + dropped, ids.length, "every event is delivered or counted as dropped");
    assert.equal(logger.stats.events_emitted_total, got.length, "emitted = delivered: one counter per event");
    assert.equal(logger.pending, 0);
    assert.equal(dest.stats.delivered, got.length);
    assert.equal(dest.stats.dropped, dropped);
    assert.ok(got.every((id) => ids.includes(id)));
    assert.ok(Object.values(seen).every((n) => n > 0), `every failure kind happened: ${JSON.stringify(seen)}`);
    assert.ok(dest.stats.retries > 0);
    assert.ok(c.batches.every((b) => b.type === "application/x-ndjson" && b.body.endsWith("\n")));
    assert.equal(dest.stats.buffered, 0);
    if (dropped > 0) assert.ok(diagnostics.some((d) => d.includes("dropped")), "drops are reported");
    for (const d of diagnostics) assert.ok(!/pt-secret|clin-|[0-9a-f]{8}-[0-9a-f]{4}/.test(d), `a diagnostic carries no event content: ${d}`);
  } finally {
    await c.close();
  }
});

test("a retried batch keeps its Idempotency-Key; Retry-After is honoured", async () => {
  const times = [];
  const c = await collector((req, res, body, batches) => {
    times.push(Date.now());
    if (times.length === 1) return res.writeHead(429, { "retry-after": "1" }).end();
    if (times.length === 2) return res.writeHead(503).end();
    accept(req, res, body, batches);
  });
  try {
    const dest = httpSink({ url: c.url, backoffMs: 1, maxBackoffMs: 2 });
    const logger = loggerOver(dest);
    emit(logger, 3);
    await logger.flush(10000);
    assert.equal(times.length, 3);
    assert.ok(times[1] - times[0] >= 950, `Retry-After: 1 waited ${times[1] - times[0]} ms`);
    assert.equal(deliveredIds(c.batches).length, 3);
    assert.equal(dest.stats.retries, 2);
    const keys = new Set(c.batches.map((b) => b.key));
    assert.equal(keys.size, 1);
  } finally {
    await c.close();
  }
});

test("a 4xx answer (other than 408/429) drops the batch at once, counted, without retry", async () => {
  let calls = 0;
  const c = await collector((req, res) => {
    calls++;
    res.writeHead(400).end();
  });
  try {
    const diagnostics = [];
    const dest = httpSink({ url: c.url, backoffMs: 1 });
    const logger = loggerOver(dest, diagnostics);
    emit(logger, 7);
    await logger.flush(5000);
    assert.equal(calls, 1);
    assert.equal(logger.stats.events_dropped_total, 7);
    assert.ok(diagnostics.some((d) => d.includes("7 event(s) dropped: collector answered 400")), diagnostics.join("\n"));
  } finally {
    await c.close();
  }
});

test("against a dead collector memory stays bounded (maxBufferedEvents) and flush() resolves", async () => {
  const c = await collector(() => {});
  const url = c.url;
  await c.close(); // nothing listens there now
  const dest = httpSink({ url, batchSize: 100, maxBufferedEvents: 500, maxRetries: 2, backoffMs: 1, maxBackoffMs: 5, flushIntervalMs: 1 });
  const diagnostics = [];
  const logger = loggerOver(dest, diagnostics);
  const heap0 = process.memoryUsage().heapUsed;
  let most = 0;
  for (let round = 0; round < 20; round++) {
    emit(logger, 2500);
    most = Math.max(most, dest.stats.buffered);
    await new Promise((r) => setTimeout(r, 1));
  }
  await logger.flush(30000);
  assert.ok(most <= 500, `held at most maxBufferedEvents (${most})`);
  assert.equal(dest.stats.buffered, 0);
  assert.equal(dest.stats.delivered, 0);
  assert.equal(dest.stats.dropped, 50000);
  assert.equal(logger.stats.events_dropped_total, 50000);
  assert.ok(process.memoryUsage().heapUsed - heap0 < 64 * 1024 * 1024, "heap did not grow with the events given up on");
  assert.ok(diagnostics.length < 1000, `diagnostics are not one per event (${diagnostics.length})`);
});

test("logger.flush(timeoutMs) against a collector that never answers resolves in time and counts the events as dropped", async () => {
  const c = await collector(() => {}); // stalls every request
  try {
    const dest = httpSink({ url: c.url, timeoutMs: 60000 });
    const logger = loggerOver(dest);
    emit(logger, 5);
    const t0 = Date.now();
    await logger.flush(300);
    const took = Date.now() - t0;
    assert.ok(took >= 250 && took < 5000, `flush took ${took} ms`);
    assert.equal(logger.stats.events_dropped_total, 5);
  } finally {
    await c.close();
  }
});

test("in a browser, what is still buffered at pagehide goes out with navigator.sendBeacon", async () => {
  const listeners = {};
  const beacons = [];
  const saved = { addEventListener: globalThis.addEventListener, document: globalThis.document, navigator: Object.getOwnPropertyDescriptor(globalThis, "navigator") };
  globalThis.addEventListener = (type, fn) => (listeners[type] = fn);
  globalThis.document = {};
  Object.defineProperty(globalThis, "navigator", { configurable: true, value: { sendBeacon: (url, blob) => (beacons.push({ url, blob }), true) } });
  try {
    const dest = httpSink({ url: "https://collector.example/ingest", batchSize: 100, flushIntervalMs: 60000, fetch: async () => new Response("ok") });
    const logger = loggerOver(dest);
    const ids = emit(logger, 3);
    assert.equal(typeof listeners.pagehide, "function");
    listeners.pagehide();
    assert.equal(beacons.length, 1);
    assert.equal(beacons[0].url, "https://collector.example/ingest");
    assert.equal(beacons[0].blob.type, "application/x-ndjson");
    const body = await beacons[0].blob.text();
    assert.deepEqual(body.split("\n").filter(Boolean).map((l) => JSON.parse(l).event_id), ids);
    assert.equal(dest.stats.beaconed, 3);
    assert.equal(dest.stats.buffered, 0);
  } finally {
    globalThis.addEventListener = saved.addEventListener;
    if (saved.document === undefined) delete globalThis.document;
    else globalThis.document = saved.document;
    if (saved.navigator) Object.defineProperty(globalThis, "navigator", saved.navigator);
    else delete globalThis.navigator;
  }
});

test("httpSink refuses bad options without echoing them", () => {
  assert.throws(() => httpSink({}), TypeError);
  assert.throws(() => httpSink({ url: "not a url secret-token" }), (e) => e instanceof TypeError && !e.message.includes("secret"));
  assert.throws(() => httpSink({ url: "https://x.example", batchSize: 0 }), RangeError);
  assert.throws(() => httpSink({ url: "https://x.example", headers: { a: 1 } }), TypeError);
});

test("the logger's destination hook survives hostile sinks: attach throws, flush throws or never settles, reporter given garbage", async () => {
  const hostile = [
    Object.assign(() => {}, { attach() { throw new Error("attach pt-secret"); }, flush() { throw new Error("flush pt-secret"); } }),
    Object.assign(() => {}, { flush: () => new Promise(() => {}) }),
    Object.assign(() => {}, { flush: () => Promise.reject(new Error("no")) }),
    Object.assign(() => {}, { attach(r) { r.dropped("7", "x"); r.dropped(-1, "x"); r.dropped(NaN, "x"); r.dropped(2, "ok"); r.diagnostic("warn", { toString() { throw new Error("x"); } }); } }),
    { write() {}, attach() { throw new Error("attach pt-secret"); }, flush() { throw new Error("flush pt-secret"); } },
    { write() {}, attach(r) { r.settled("7", 1); r.settled(-1, NaN); r.settled(2, 2); r.diagnostic("warn", { toString() { throw new Error("x"); } }); } },
    { write() {}, attach: () => ({ write() { throw new Error("port failed"); } }) },
  ];
  for (const sink of hostile) {
    const diagnostics = [];
    const logger = new AuditLogger({ serviceName: "hostile", sink, onDiagnostic: (l, m) => diagnostics.push(m) });
    logger.audit("READ", {});
    const t0 = Date.now();
    await logger.flush(200);
    assert.ok(Date.now() - t0 < 1500, "flush resolves within its timeout");
    assert.ok(logger.stats.events_dropped_total === 0, "only counts of this logger's pending events are taken");
    const s = logger.stats;
    assert.equal(s.events_emitted_total + s.events_dropped_total + s.emit_failures_total, 1, "the call is counted once");
    assert.ok(diagnostics.every((d) => !d.includes("pt-secret")));
  }
});

test("httpSink in Deno (no permissions, a fetch option that fails at times): every event once", async () => {
  const r = runDeno(join(ROOT, "tests/js/http-sink-deno.mjs"));
  assert.deepEqual(r.got, r.ids);
  assert.equal(r.calls, 12, "4 batches, each after a network error and a 503");
  assert.equal(r.stats.events_dropped_total, 0);
  assert.equal(r.sink.retries, 8);
});
