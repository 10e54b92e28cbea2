// The Worker under test in cloudflare.test.mjs (run in workerd by miniflare). Routes are
// test drivers; the durable parts are the package's own AuditChain, chainSink, d1Store,
// queueSink and auditQueueConsumer. Faults are injected here, around the package's code.
import { AuditLogger, httpSink } from "bh-audit-logger";
import { verifyChain } from "bh-audit-logger/trail";
import { AuditChain, AuditWitness, chainSink, d1Store, queueSink, auditQueueConsumer, auditorAuth, fanout } from "bh-audit-logger/cloudflare";
// Test-only: the instance state of the package's two wasm modules (the same module the package uses).
import { wasmState, trailWasmState } from "../../pkg/src/memory.js";

export { AuditWitness };

/** AuditChain plus a way for the test to reset the object mid-run, and to replace the wasm instances under it. */
export class TestChain extends AuditChain {
  reset() {
    this.ctx.abort("test reset");
  }

  /** Stored subtrees (bh_audit_nodes rows), as a tree kept before they were stored has none. */
  nodeCount() {
    return this.ctx.storage.sql.exec("SELECT COUNT(*) AS n FROM bh_audit_nodes").one().n;
  }

  /**
   * Make the object look like one an earlier AuditChain kept: the stored subtrees of level
   * `from` and up lost, and no mark that they are stored (a reset then makes the constructor
   * fill them again).
   */
  dropNodes(from) {
    this.ctx.storage.sql.exec("DELETE FROM bh_audit_nodes WHERE level >= ?", from);
    this.ctx.storage.sql.exec("DELETE FROM bh_audit_meta WHERE key = 'nodes'");
    return this.nodeCount();
  }

  /**
   * Replace a wasm instance, as a trap anywhere in the isolate does (issue 21 item 1): `emit`,
   * `trail` or both are marked poisoned and a package call elsewhere replaces them (`poison`:
   * only marked, so the object's own next call finds it poisoned). Returns the generations.
   */
  replaceWasm(which, how = "replace") {
    const before = [wasmState.generation, trailWasmState.generation];
    if (which === "emit" || which === "both") {
      wasmState.poisoned = true;
      if (how === "replace") new AuditLogger({ serviceName: "elsewhere", sink: () => {} }).audit("READ", {});
    }
    if (which === "trail" || which === "both") {
      trailWasmState.poisoned = true;
      if (how === "replace") verifyChain("");
    }
    return { before, after: [wasmState.generation, trailWasmState.generation], name: this.ctx.id.name ?? null };
  }
}

/** The same class without a signer key: nothing about checkpoints may change it. */
export class UnsignedChain extends TestChain {
  constructor(ctx, env) {
    super(ctx, { ...env, AUDIT_SIGNER_KEY: undefined, AUDIT_WITNESS: undefined });
  }
}

/** A namespace whose stubs fail `rate` of deliveries: half before the call, half after it (a lost ack). */
function faulty(ns, rate, counts) {
  return {
    idFromName: (name) => ns.idFromName(name),
    get: (id) => {
      const stub = ns.get(id);
      return {
        storeLines: async (lines) => {
          if (Math.random() < rate / 2) {
            counts.before++;
            throw new Error("injected failure before delivery");
          }
          const r = await stub.storeLines(lines);
          if (Math.random() < rate / 2) {
            counts.after++;
            throw new Error("injected failure after delivery (lost ack)");
          }
          return r;
        },
      };
    },
  };
}

/** A logger writing to a destination (through the port its attach() returns). */
function loggerFor(dest, extra = {}) {
  const diagnostics = [];
  const logger = new AuditLogger({ serviceName: "edge-test", serviceEnvironment: "test", sink: dest, onDiagnostic: (l, m) => diagnostics.push([l, m]), ...extra });
  return { logger, diagnostics };
}

/** A deterministic random source (the chaos runs are reproducible). */
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** A D1 binding whose batch() fails `rate` of the time: half before the write, half after it (a lost answer). */
function faultyDb(db, rate, rand, counts) {
  return {
    prepare: (sql) => db.prepare(sql),
    batch: async (stmts) => {
      if (rand() < rate / 2) {
        counts.before++;
        throw new Error("injected D1 failure before the write");
      }
      const r = await db.batch(stmts);
      if (rand() < rate / 2) {
        counts.after++;
        throw new Error("injected D1 failure after the write");
      }
      return r;
    },
  };
}

/** A Queue producer whose sendBatch fails `rate` of the time, half after sending (the retry re-sends). */
function faultyQueue(queue, rate, rand, counts) {
  return {
    sendBatch: async (msgs) => {
      if (rand() < rate / 2) {
        counts.before++;
        throw new Error("injected queue failure before sending");
      }
      await queue.sendBatch(msgs);
      if (rand() < rate / 2) {
        counts.after++;
        throw new Error("injected queue failure after sending");
      }
    },
  };
}

/**
 * The chaos run of one logger over `dest`: `n` calls, a flush every 100, about 1% of them
 * reusing an earlier event_id with different content (emit() of a changed copy). Returns the
 * lines the logger handed over (in order), its stats and diagnostics.
 */
async function chaosRun(dest, n, rand) {
  const written = [];
  const tap = {
    write: (line) => dest.write(line),
    flush: (ms) => dest.flush(ms),
    attach: (r) => {
      const port = dest.attach(r);
      return { write: (line) => (written.push(line.slice(0, -1)), port.write(line)) };
    },
  };
  const { logger, diagnostics } = loggerFor(tap);
  const ids = [];
  let calls = 0;
  let conflicting = 0;
  for (let i = 0; i < n; i++) {
    calls++;
    if (i > 0 && rand() < 0.01) {
      // Anyone who can write first: an earlier event_id with other content.
      const earlier = JSON.parse(written[Math.floor(rand() * written.length)]);
      earlier.resource = { type: "Note", id: `forged-${i}` };
      if (logger.emit(earlier)) conflicting++;
    } else {
      const e = auditOne(logger, i, "chaos");
      if (e) ids.push(e.event_id);
    }
    if (i % 100 === 99) await logger.flush(60000);
  }
  await logger.flush(60000);
  return { written, calls, conflicting, stats: logger.stats, pending: logger.pending, diagnostics: diagnostics.map(([, m]) => m) };
}

const PATIENTS = ["pt-001", "pt-002", "pt-003", "pt-004", "pt-005"];
const ACTORS = ["clin-1", "clin-2", "svc-a", "clin-3"];

/** A varied event, deterministic in `i`. */
function auditOne(logger, i, stream) {
  const opts = {
    actor: { subject_id: ACTORS[i % ACTORS.length], subject_type: i % 3 === 0 ? "service" : "human" },
    resource: { type: "Note", id: `note-${i}`, patient_id: PATIENTS[(i * 7) % PATIENTS.length] },
    correlation: { request_id: `req-${stream}-${i}` },
    actionName: i % 5 === 0 ? "Lecture de la note — 📄 ü" : undefined,
    phiTouched: i % 2 === 0,
  };
  if (i % 11 === 0) return logger.auditAccessDenied("READ", { ...opts, errorType: "Forbidden" });
  return logger.audit(["READ", "UPDATE", "CREATE", "EXPORT"][i % 4], opts);
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const q = (k, d) => url.searchParams.get(k) ?? d;
    const chain = q("chain", "trail");
    const chains = q("ns") === "unsigned" ? env.UNSIGNED_CHAIN : env.AUDIT_CHAIN;
    const stub = () => chains.get(chains.idFromName(chain));
    if (url.pathname.startsWith("/tlog/")) {
      // The verifiable-trail endpoints of the object, as an auditor reaches them.
      return stub().fetch(`https://chain/${url.pathname.slice(6)}${url.search}`);
    }
    switch (url.pathname) {
      case "/chain/replace":
        return Response.json(await stub().replaceWasm(q("which"), q("how", "replace")));
      case "/witness/add-checkpoint":
      case "/witness/checkpoint":
      case "/witness/evidence": {
        const w = env.AUDIT_WITNESS.get(env.AUDIT_WITNESS.idFromName(q("witness", "witness")));
        return w.fetch(`https://witness/${url.pathname.slice(9)}${url.search}`, request.method === "POST" ? { method: "POST", body: await request.arrayBuffer() } : undefined);
      }
      case "/chain/emit": {
        const n = Number(q("n", "100"));
        const counts = { before: 0, after: 0 };
        const ns = faulty(chains, Number(q("fail", "0")), counts);
        const dest = chainSink(ns, { stream: chain, batchSize: Number(q("batch", "50")), backoffMs: 1, maxBackoffMs: 20, maxRetries: 100 });
        const { logger, diagnostics } = loggerFor(dest);
        const ids = [];
        for (let i = 0; i < n; i++) {
          const e = auditOne(logger, i, q("stream", "s"));
          if (e) ids.push(e.event_id);
        }
        await logger.flush(60000);
        return Response.json({ ids, stats: logger.stats, sink: dest.stats, faults: counts, diagnostics: diagnostics.length });
      }
      case "/chain/nodes":
        return Response.json(await stub().nodeCount());
      case "/chain/drop-nodes":
        return Response.json(await stub().dropNodes(Number(q("from", "1"))));
      case "/chain/reset":
        // The abort rejects the call that caused it; anything else (no abort) is reported.
        try {
          await stub().reset();
          return Response.json({ reset: false });
        } catch (err) {
          return Response.json({ reset: String(err?.message).includes("test reset") });
        }
      case "/chain/append": // the HTTP path of the object, with a batch given by the test
        return stub().fetch("https://chain/append", { method: "POST", body: await request.text() });
      case "/chain/export":
      case "/chain/head":
      case "/chain/verify":
        return stub().fetch(`https://chain${url.pathname.slice(6)}${url.search}`);
      case "/d1/migrate":
        await d1Store(env.DB).migrate();
        await env.DB.prepare("CREATE TABLE IF NOT EXISTS dead_letters (body TEXT)").run();
        await env.DB.prepare("CREATE TABLE IF NOT EXISTS consumer_faults (kind TEXT)").run();
        return Response.json({ ok: true });
      case "/d1/write": {
        // The lines given by the test, through d1Store's sink.
        const store = d1Store(env.DB, { batchSize: 100, backoffMs: 1 });
        const dest = store.sink;
        for (const line of (await request.text()).split("\n")) if (line) dest.write(`${line}\n`);
        await dest.flush();
        return Response.json(dest.stats);
      }
      case "/d1/query": {
        const store = d1Store(env.DB);
        const o = JSON.parse(q("o", "{}"));
        const kind = q("kind");
        const got = kind === "byPatient" ? await store.byPatient(q("id"), o) : kind === "byActor" ? await store.byActor(q("id"), o) : kind === "denials" ? await store.denials(o) : (await store.exportJsonl(o)).split("\n").filter(Boolean).map((l) => JSON.parse(l));
        // The same question as plain SQL over the stored lines (not the indexed columns).
        const where = [];
        const params = [];
        if (kind === "byPatient") (where.push("json_extract(line, '$.resource.patient_id') = ?"), params.push(q("id")));
        if (kind === "byActor") (where.push("json_extract(line, '$.actor.subject_id') = ?"), params.push(q("id")));
        if (kind === "denials") where.push("json_extract(line, '$.outcome.status') = 'DENIED'");
        if (o.from) (where.push("json_extract(line, '$.timestamp') >= ?"), params.push(o.from));
        if (o.to) (where.push("json_extract(line, '$.timestamp') <= ?"), params.push(o.to));
        const limit = kind === "export" ? -1 : (o.limit ?? 1000);
        const sql = `SELECT line FROM bh_audit_events ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY json_extract(line, '$.timestamp'), rowid LIMIT ${limit}`;
        const { results } = await env.DB.prepare(sql).bind(...params).all();
        return Response.json({ got, want: results.map((r) => JSON.parse(r.line)) });
      }
      case "/d1/lines": {
        const { results } = await env.DB.prepare(`SELECT line FROM ${q("table")} ORDER BY rowid`).all();
        return Response.json(results.map((r) => r.line));
      }
      case "/d1/ids": {
        const { results } = await env.DB.prepare("SELECT event_id FROM bh_audit_events").all();
        const dead = await env.DB.prepare("SELECT count(*) AS n FROM dead_letters").first();
        const faults = await env.DB.prepare("SELECT kind, count(*) AS n FROM consumer_faults GROUP BY kind ORDER BY kind").all();
        return Response.json({ ids: results.map((r) => r.event_id), dead: dead.n, faults: Object.fromEntries(faults.results.map((r) => [r.kind, r.n])) });
      }
      case "/queue/emit": {
        const dest = queueSink(q("queue") === "chain" ? env.CHAIN_QUEUE : env.AUDIT_QUEUE, { batchSize: 100, backoffMs: 1 });
        const { logger } = loggerFor(dest);
        const ids = [];
        for (let i = 0, n = Number(q("n", "100")); i < n; i++) {
          const e = auditOne(logger, i, "q");
          if (e) ids.push(e.event_id);
        }
        await logger.flush(30000);
        return Response.json({ ids, stats: logger.stats, sink: dest.stats });
      }
      case "/http/emit": {
        const dest = httpSink({ url: q("url"), batchSize: 40, backoffMs: 1, maxBackoffMs: 10, maxRetries: 8 });
        const { logger } = loggerFor(dest);
        const ids = [];
        for (let i = 0, n = Number(q("n", "100")); i < n; i++) ids.push(auditOne(logger, i, "h").event_id);
        await logger.flush(30000);
        return Response.json({ ids, stats: logger.stats, sink: dest.stats });
      }
      case "/queue/stats":
        return Response.json(consumer.stats);
      case "/chain/store": // storeLines over RPC with lines given by the test
        return Response.json(await stub().storeLines(await request.json()));
      case "/d1/store": {
        const store = d1Store(env.DB, { table: q("table", "bh_audit_events") });
        if (q("migrate")) await store.migrate();
        return Response.json(await store.storeLines(await request.json()));
      }
      case "/d1/range": {
        const store = d1Store(env.DB, { table: q("table", "bh_audit_events") });
        const o = JSON.parse(q("o", "{}"));
        const kind = q("kind", "export");
        const got = kind === "byPatient" ? await store.byPatient(q("id"), o) : kind === "denials" ? await store.denials(o) : (await store.exportJsonl(o)).split("\n").filter(Boolean).map((l) => JSON.parse(l));
        return Response.json(got.map((e) => e.event_id));
      }
      case "/d1/legacy": {
        // A table as the previous version made it (no utc column), then migrate() on it.
        const t = q("table");
        await env.DB.prepare(`CREATE TABLE ${t} (event_id TEXT PRIMARY KEY, timestamp TEXT NOT NULL, patient_id TEXT, actor_id TEXT, outcome TEXT, action TEXT, line TEXT NOT NULL)`).run();
        const lines = await request.json();
        for (const line of lines) {
          const e = JSON.parse(line);
          await env.DB.prepare(`INSERT INTO ${t} (event_id, timestamp, line) VALUES (?, ?, ?)`).bind(e.event_id, e.timestamp, line).run();
        }
        await d1Store(env.DB, { table: t }).migrate();
        return Response.json({ ok: true });
      }
      case "/auth":
        return Response.json({ ok: await auditorAuth(request, url.searchParams.has("expected") ? q("expected") : env.AUDITOR_TOKEN) });
      case "/sink/conflict": {
        // Two events with one event_id and different content through a store's sink: the second is a conflict.
        const kind = q("kind");
        const store = kind === "d1" ? d1Store(env.DB, { table: q("table", "bh_audit_events") }) : null;
        if (store) await store.migrate();
        const dest = store ? store.sink : chainSink(env.AUDIT_CHAIN, { stream: chain, batchSize: 10 });
        const { logger, diagnostics } = loggerFor(dest, { idFactory: () => q("id") });
        logger.audit("READ", { resource: { type: "Note", id: "first" } });
        logger.audit("READ", { resource: { type: "Note", id: "second" } });
        await logger.flush(30000);
        return Response.json({ stats: logger.stats, sink: dest.stats, diagnostics: diagnostics.map(([, m]) => m) });
      }
      case "/chaos": {
        const kind = q("kind");
        const rand = rng(Number(q("seed", "7")));
        const counts = { before: 0, after: 0 };
        const n = Number(q("n", "10000"));
        let dest;
        if (kind === "chain") dest = chainSink(faulty(env.AUDIT_CHAIN, 0.1, counts), { stream: chain, batchSize: 50, backoffMs: 1, maxBackoffMs: 5, maxRetries: 100, random: rand });
        else if (kind === "d1") {
          const store = d1Store(faultyDb(env.DB, 0.1, rand, counts), { table: q("table"), batchSize: 50, backoffMs: 1, maxBackoffMs: 5, maxRetries: 100, random: rand });
          await d1Store(env.DB, { table: q("table") }).migrate();
          dest = store.sink;
        } else if (kind === "queue") {
          dest = queueSink(faultyQueue(env.AUDIT_QUEUE, 0.1, rand, counts), { batchSize: 50, backoffMs: 1, maxBackoffMs: 5, maxRetries: 100, random: rand });
        } else if (kind === "http") {
          dest = httpSink({ url: q("url"), batchSize: 50, backoffMs: 1, maxBackoffMs: 5, maxRetries: 100, random: rand });
        } else if (kind === "fanout") {
          const store = d1Store(faultyDb(env.DB, 0.1, rand, counts), { table: q("table"), batchSize: 50, backoffMs: 1, maxBackoffMs: 5, maxRetries: 100, random: rand });
          await d1Store(env.DB, { table: q("table") }).migrate();
          dest = fanout(chainSink(faulty(env.AUDIT_CHAIN, 0.1, counts), { stream: chain, batchSize: 50, backoffMs: 1, maxBackoffMs: 5, maxRetries: 100, random: rand }), store.sink);
        }
        const r = await chaosRun(dest, n, rand);
        return Response.json({ ...r, faults: counts, sink: dest.stats ?? null });
      }
      case "/queue/poison":
        await env.AUDIT_QUEUE.send("this is not an event line", { contentType: "text" });
        return Response.json({ ok: true });
      default:
        return new Response("not found", { status: 404 });
    }
  },

  async queue(batch, env, ctx) {
    if (batch.queue === "audit-chain") return chainConsumer(batch, env, ctx);
    if (batch.queue === "audit-dlq") {
      const stmts = batch.messages.map((m) => env.DB.prepare("INSERT INTO dead_letters (body) VALUES (?)").bind(String(m.body)));
      await env.DB.batch(stmts);
      return;
    }
    // Every 10th consumer batch throws: alternately before anything is stored and after.
    const n = ++batches;
    const fault = n % 10 === 5 ? (n % 20 === 5 ? "before" : "after") : null;
    if (fault) await env.DB.prepare("INSERT INTO consumer_faults (kind) VALUES (?)").bind(fault).run();
    if (fault === "before") throw new Error("injected consumer failure before storing");
    await consumer(batch, env, ctx);
    if (fault === "after") throw new Error("injected consumer failure after storing");
  },
};

let batches = 0;
const chainConsumer = auditQueueConsumer({ chain: (env) => env.AUDIT_CHAIN, stream: "queued", onDiagnostic: () => {} });
// Its diagnostics are not asserted here (the dead-letter count is); kept off the test output.
const consumer = auditQueueConsumer({ store: (env) => d1Store(env.DB), onDiagnostic: () => {} });
