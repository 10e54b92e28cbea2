// bh-audit-logger/cloudflare: durable audit trails on Durable Objects, D1 and Queues.
// Workers only. The wasm core is instantiated by the workerd loader (imported first); the
// chain itself is the core's (src/integrity.rs `Chain`, through the wasm `ChainWriter`).
import * as api from "./workerd.mjs";
import * as trail from "./trail-workerd.mjs";
import { ChainWriter } from "../dist/glue.js";
import { DurableObject } from "cloudflare:workers";
import { batchOptions, batchingDestination, reasonOf } from "./sinks/batch.js";

const MAX_LINE = 1 << 20; // 1 MiB: longer lines are refused, not stored
const ID_RE = /^[^\u0000-\u001f]{1,256}$/;
const PAGE = 1000;

/**
 * The fields a store indexes, from one emitted line; `null` when the line is not an event line
 * (not a JSON object with string `event_id`, `timestamp` and `schema_version`).
 */
export function eventFields(line) {
  if (typeof line !== "string" || line.length === 0 || line.length > MAX_LINE) return null;
  let e;
  try {
    e = JSON.parse(line);
  } catch {
    return null;
  }
  if (e === null || typeof e !== "object" || Array.isArray(e)) return null;
  const str = (v) => (typeof v === "string" ? v : null);
  const id = str(e.event_id);
  const timestamp = str(e.timestamp);
  if (id === null || !ID_RE.test(id) || timestamp === null || str(e.schema_version) === null) return null;
  return {
    event_id: id,
    timestamp,
    patient_id: str(e.resource?.patient_id),
    actor_id: str(e.actor?.subject_id),
    outcome: str(e.outcome?.status),
    action: str(e.action?.type),
  };
}

function lineOf(body) {
  if (typeof body === "string") return body.endsWith("\n") ? body.slice(0, -1) : body;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    try {
      const text = new TextDecoder("utf-8", { fatal: true }).decode(body);
      return text.endsWith("\n") ? text.slice(0, -1) : text;
    } catch {
      return null;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------
// AuditChain: the single writer of one stream's chain
// ---------------------------------------------------------------------------

/**
 * Durable Object class: export it from the Worker and bind it (SQLite storage:
 * `new_sqlite_classes` in wrangler.toml). RPC: `storeLines(lines)`, `head()`, `exportJsonl(from)`.
 * HTTP: `POST /append` (NDJSON body), `GET /export?from=N&limit=M`, `GET /head`, `GET /verify`.
 * Subclass and set `static hashAlgorithm = "sha384"` (or "sha512") for another algorithm.
 */
export class AuditChain extends DurableObject {
  static hashAlgorithm = "sha256";
  #sql;
  #writer;

  constructor(ctx, env) {
    super(ctx, env);
    if (!ctx?.storage?.sql) throw new TypeError("AuditChain needs SQLite storage: declare the class in `new_sqlite_classes`");
    this.#sql = ctx.storage.sql;
    this.#sql.exec(
      "CREATE TABLE IF NOT EXISTS bh_audit_chain (seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, event_hash TEXT NOT NULL, line TEXT NOT NULL)",
    );
    const last = this.#sql.exec("SELECT event_hash FROM bh_audit_chain ORDER BY seq DESC LIMIT 1").toArray();
    this.#writer = new ChainWriter(this.constructor.hashAlgorithm ?? "sha256", last.length ? last[0].event_hash : undefined);
  }

  /**
   * Chain and store emitted lines, in order, in one transaction; resolves (so the caller may
   * consider the batch acknowledged) only once they are stored. A line whose `event_id` is
   * already stored is skipped (a retried batch neither duplicates nor forks). Returns
   * `{ stored, duplicates, rejected: [indexes of lines that are not event lines], seq, head }`.
   */
  storeLines(lines) {
    if (!Array.isArray(lines)) throw new TypeError("storeLines: expected an array of lines");
    const w = this.#writer;
    const start = w.head;
    let stored = 0;
    let duplicates = 0;
    const rejected = [];
    try {
      this.ctx.storage.transactionSync(() => {
        const seen = new Set();
        for (let i = 0; i < lines.length; i++) {
          const line = lineOf(lines[i]);
          if (line === null || line.length > MAX_LINE) {
            rejected.push(i);
            continue;
          }
          const before = w.head;
          let chained;
          try {
            chained = w.chainLine(line);
          } catch {
            rejected.push(i);
            continue;
          }
          const id = w.eventId;
          if (typeof id !== "string" || !ID_RE.test(id)) {
            w.head = before;
            rejected.push(i);
            continue;
          }
          if (seen.has(id) || this.#sql.exec("SELECT 1 FROM bh_audit_chain WHERE event_id = ?", id).toArray().length > 0) {
            w.head = before;
            duplicates++;
            continue;
          }
          seen.add(id);
          this.#sql.exec("INSERT INTO bh_audit_chain (event_id, event_hash, line) VALUES (?, ?, ?)", id, w.head, chained);
          stored++;
        }
      });
    } catch (err) {
      w.head = start; // nothing of the batch was stored: the chain continues from before it
      throw err;
    }
    return { stored, duplicates, rejected, ...this.head() };
  }

  /** `{ event_hash, seq }` of the last stored event (`null`, 0 when empty). */
  head() {
    const last = this.#sql.exec("SELECT seq, event_hash FROM bh_audit_chain ORDER BY seq DESC LIMIT 1").toArray();
    return last.length ? { event_hash: last[0].event_hash, seq: last[0].seq } : { event_hash: null, seq: 0 };
  }

  /** Lines with sequence numbers `from` (default 1) onwards, at most `limit`, in chain order. */
  *#pages(from = 1, limit = Infinity) {
    let next = from;
    let left = limit;
    while (left > 0) {
      const rows = this.#sql.exec("SELECT seq, line FROM bh_audit_chain WHERE seq >= ? ORDER BY seq LIMIT ?", next, Math.min(PAGE, left)).toArray();
      if (rows.length === 0) return;
      yield rows.map((r) => r.line);
      next = rows[rows.length - 1].seq + 1;
      left -= rows.length;
    }
  }

  /** The trail as JSONL (every line ends in "\n") from sequence number `from`. */
  exportJsonl(from = 1, limit = Infinity) {
    let out = "";
    for (const page of this.#pages(from, limit)) out += `${page.join("\n")}\n`;
    return out;
  }

  /** `verifyChain`'s result over the whole trail (streamed when ChainVerifier is available). */
  verify() {
    if (typeof trail.ChainVerifier === "function") {
      const v = new trail.ChainVerifier();
      for (const page of this.#pages()) v.push(`${page.join("\n")}\n`);
      return v.finish();
    }
    return trail.verifyChain(this.exportJsonl());
  }

  async fetch(request) {
    const url = new URL(request.url);
    const int = (name, def) => {
      const v = url.searchParams.get(name);
      if (v === null) return def;
      return /^\d{1,15}$/.test(v) ? Number(v) : NaN;
    };
    if (request.method === "POST" && url.pathname === "/append") {
      const text = await request.text();
      const lines = text.split("\n").filter((l) => l.length > 0);
      return Response.json(this.storeLines(lines));
    }
    if (request.method !== "GET") return new Response("method not allowed\n", { status: 405 });
    if (url.pathname === "/head") return Response.json(this.head());
    if (url.pathname === "/verify") return Response.json(this.verify());
    if (url.pathname === "/export") {
      const from = int("from", 1);
      const limit = int("limit", Infinity);
      if (Number.isNaN(from) || Number.isNaN(limit) || from < 1) return new Response("`from` and `limit` must be positive integers\n", { status: 400 });
      const pages = this.#pages(from, limit);
      const enc = new TextEncoder();
      const body = new ReadableStream({
        pull(controller) {
          const { value, done } = pages.next();
          if (done) controller.close();
          else controller.enqueue(enc.encode(`${value.join("\n")}\n`));
        },
      });
      return new Response(body, { headers: { "content-type": "application/x-ndjson; charset=utf-8" } });
    }
    return new Response("not found\n", { status: 404 });
  }
}

/** The stub of `stream`'s AuditChain in `namespace`. */
function chainStub(namespace, stream) {
  return namespace.get(namespace.idFromName(stream));
}

function streamName(options) {
  const s = options?.stream ?? "default";
  if (typeof s !== "string" || s.length === 0 || s.length > 256) throw new TypeError("`stream` must be a non-empty string (at most 256 characters)");
  return s;
}

function checkNamespace(name, ns) {
  if (!ns || typeof ns.idFromName !== "function" || typeof ns.get !== "function") {
    throw new TypeError(`${name}: expected a Durable Object namespace binding (env.AUDIT_CHAIN)`);
  }
}

/**
 * A batching destination delivering to `stream`'s AuditChain (`namespace.idFromName(stream)`),
 * with retry (a retried batch neither duplicates nor forks: the chain is idempotent by event_id).
 */
export function chainSink(namespace, options) {
  checkNamespace("chainSink", namespace);
  const stream = streamName(options);
  const opts = batchOptions("chainSink", options, { backoffMs: 100, maxBackoffMs: 5000 });
  return batchingDestination(opts, async (lines) => {
    const r = await chainStub(namespace, stream).storeLines(lines);
    return { rejected: Array.isArray(r?.rejected) ? r.rejected.length : 0 };
  });
}

// ---------------------------------------------------------------------------
// d1Store
// ---------------------------------------------------------------------------

const COLUMNS = ["event_id", "timestamp", "patient_id", "actor_id", "outcome", "action", "line"];

/**
 * A D1 table of events: `migrate()`, `sink` (batching destination, `INSERT OR IGNORE` by
 * event_id), `storeLines(lines)`, and `byPatient`, `byActor`, `denials`, `exportJsonl`.
 * Query results are events (plain objects parsed from the stored lines), oldest first.
 */
export function d1Store(db, options) {
  if (!db || typeof db.prepare !== "function" || typeof db.batch !== "function") throw new TypeError("d1Store: expected a D1 database binding (env.DB)");
  const table = options?.table ?? "bh_audit_events";
  if (typeof table !== "string" || !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(table)) throw new TypeError("d1Store: `table` must be a plain SQL identifier");
  const insert = `INSERT OR IGNORE INTO ${table} (${COLUMNS.join(", ")}) VALUES (?, ?, ?, ?, ?, ?, ?)`;

  async function storeLines(lines) {
    const stmts = [];
    const rejected = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lineOf(lines[i]);
      const f = line === null ? null : eventFields(line);
      if (f === null) {
        rejected.push(i);
        continue;
      }
      stmts.push(db.prepare(insert).bind(f.event_id, f.timestamp, f.patient_id, f.actor_id, f.outcome, f.action, line));
    }
    let stored = 0;
    if (stmts.length > 0) {
      const results = await db.batch(stmts); // one transaction: all rows or none
      for (const r of results) stored += Number(r?.meta?.changes ?? 0);
    }
    return { stored, duplicates: stmts.length - stored, rejected };
  }

  function range(o, where, params) {
    if (o?.from !== undefined && o.from !== null) {
      if (typeof o.from !== "string") throw new TypeError("`from` must be a timestamp string");
      where.push("timestamp >= ?");
      params.push(o.from);
    }
    if (o?.to !== undefined && o.to !== null) {
      if (typeof o.to !== "string") throw new TypeError("`to` must be a timestamp string");
      where.push("timestamp <= ?");
      params.push(o.to);
    }
  }

  function limitOf(o) {
    const l = o?.limit ?? 1000;
    if (!Number.isInteger(l) || l < 1 || l > 100000) throw new RangeError("`limit` must be an integer from 1 to 100000");
    return l;
  }

  async function query(column, value, o) {
    const where = [];
    const params = [];
    if (column) {
      if (typeof value !== "string") throw new TypeError("the id must be a string");
      where.push(`${column} = ?`);
      params.push(value);
    }
    range(o, where, params);
    const sql = `SELECT line FROM ${table}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY timestamp, rowid LIMIT ?`;
    const { results } = await db.prepare(sql).bind(...params, limitOf(o)).all();
    return results.map((r) => JSON.parse(r.line));
  }

  const store = {
    table,
    /** Create the table and its indexes (idempotent). */
    async migrate() {
      await db.batch([
        db.prepare(
          `CREATE TABLE IF NOT EXISTS ${table} (event_id TEXT PRIMARY KEY, timestamp TEXT NOT NULL, patient_id TEXT, actor_id TEXT, outcome TEXT, action TEXT, line TEXT NOT NULL)`,
        ),
        db.prepare(`CREATE INDEX IF NOT EXISTS ${table}_timestamp ON ${table} (timestamp)`),
        db.prepare(`CREATE INDEX IF NOT EXISTS ${table}_patient ON ${table} (patient_id, timestamp)`),
        db.prepare(`CREATE INDEX IF NOT EXISTS ${table}_actor ON ${table} (actor_id, timestamp)`),
        db.prepare(`CREATE INDEX IF NOT EXISTS ${table}_outcome ON ${table} (outcome, timestamp)`),
        db.prepare(`CREATE INDEX IF NOT EXISTS ${table}_action ON ${table} (action, timestamp)`),
      ]);
    },
    storeLines,
    /** Events about patient `id` (`resource.patient_id`). */
    byPatient: (id, o) => query("patient_id", id, o),
    /** Events by actor `id` (`actor.subject_id`). */
    byActor: (id, o) => query("actor_id", id, o),
    /** Events with outcome DENIED. */
    denials: (o) => query("outcome", "DENIED", o),
    /** The events between `from` and `to` as JSONL (every line as stored, oldest first). */
    async exportJsonl(o) {
      const where = [];
      const params = [];
      range(o, where, params);
      let out = "";
      let after = null; // keyset paging by (timestamp, rowid)
      for (;;) {
        const w = [...where];
        const p = [...params];
        if (after) {
          w.push("(timestamp > ? OR (timestamp = ? AND rowid > ?))");
          p.push(after.timestamp, after.timestamp, after.rowid);
        }
        const sql = `SELECT rowid, timestamp, line FROM ${table}${w.length ? ` WHERE ${w.join(" AND ")}` : ""} ORDER BY timestamp, rowid LIMIT ${PAGE}`;
        const { results } = await db.prepare(sql).bind(...p).all();
        for (const r of results) out += `${r.line}\n`;
        if (results.length < PAGE) return out;
        after = results[results.length - 1];
      }
    },
  };
  const opts = batchOptions("d1Store.sink", options, { backoffMs: 100, maxBackoffMs: 5000 });
  let sink;
  Object.defineProperty(store, "sink", {
    enumerable: true,
    get() {
      sink ??= batchingDestination(opts, async (lines) => ({ rejected: (await storeLines(lines)).rejected.length }));
      return sink;
    },
  });
  return store;
}

// ---------------------------------------------------------------------------
// Queues
// ---------------------------------------------------------------------------

/** A batching destination over a Queue producer: each line is one message (`sendBatch`). */
export function queueSink(queue, options) {
  if (!queue || typeof queue.sendBatch !== "function") throw new TypeError("queueSink: expected a Queue producer binding (env.AUDIT_QUEUE)");
  const o = { ...(options ?? {}) };
  if (o.batchSize !== undefined && (!Number.isInteger(o.batchSize) || o.batchSize > 100)) throw new RangeError("queueSink: `batchSize` must be an integer of at most 100 (a Queues limit)");
  const opts = batchOptions("queueSink", o, { backoffMs: 100, maxBackoffMs: 5000 });
  return batchingDestination(opts, async (lines) => {
    await queue.sendBatch(lines.map((body) => ({ body, contentType: "text" })));
  });
}

function resolveTarget(value, env) {
  return typeof value === "function" && typeof value.storeLines !== "function" && typeof value.idFromName !== "function" ? value(env) : value;
}

/**
 * A `queue(batch, env, ctx)` handler storing each message's event line in a store (a d1Store,
 * or anything with `storeLines`) or a chain (an AuditChain namespace; `stream` option). Either
 * may be given as `(env) => value`. A message is acked only after its event is stored; when the
 * write fails the messages are retried; a message that is not an event line is never acked
 * (retried until the queue's `max_retries` moves it to the dead-letter queue) and counted in
 * `handler.stats.poison`.
 */
export function auditQueueConsumer(options) {
  if (options === null || typeof options !== "object" || (options.store === undefined) === (options.chain === undefined)) {
    throw new TypeError("auditQueueConsumer: pass exactly one of `store` or `chain`");
  }
  const stream = streamName(options);
  const onDiagnostic = typeof options.onDiagnostic === "function" ? options.onDiagnostic : (level, message) => console[level === "error" ? "error" : "warn"](`bh-audit-logger ${level}: ${message}`);
  const stats = { stored: 0, duplicates: 0, retried: 0, poison: 0 };
  const diag = (level, message) => {
    try {
      onDiagnostic(level, `auditQueueConsumer: ${message}`);
    } catch {
      // a failing callback must not break consumption
    }
  };

  async function queue(batch, env) {
    let store;
    if (options.store !== undefined) {
      store = resolveTarget(options.store, env);
      if (!store || typeof store.storeLines !== "function") throw new TypeError("auditQueueConsumer: `store` must be a d1Store (or have storeLines)");
    } else {
      const ns = resolveTarget(options.chain, env);
      checkNamespace("auditQueueConsumer", ns);
      store = { storeLines: (lines) => chainStub(ns, stream).storeLines(lines) };
    }
    const lines = [];
    const msgs = [];
    let poison = 0;
    for (const msg of batch.messages) {
      const line = lineOf(msg.body);
      if (line === null || eventFields(line) === null) {
        poison++;
        msg.retry();
        continue;
      }
      lines.push(line);
      msgs.push(msg);
    }
    if (poison > 0) {
      stats.poison += poison;
      diag("error", `${poison} message(s) are not event lines: not acknowledged (the queue's max_retries moves them to its dead-letter queue)`);
    }
    if (lines.length === 0) return;
    let r;
    try {
      r = await store.storeLines(lines);
    } catch (err) {
      for (const m of msgs) m.retry();
      stats.retried += msgs.length;
      diag("warn", `${msgs.length} message(s) retried: the store failed (${reasonOf(err)})`);
      return;
    }
    const refused = new Set(Array.isArray(r?.rejected) ? r.rejected : []);
    for (let i = 0; i < msgs.length; i++) {
      if (refused.has(i)) {
        stats.poison++;
        msgs[i].retry();
      } else msgs[i].ack();
    }
    stats.stored += Number(r?.stored ?? 0);
    stats.duplicates += Number(r?.duplicates ?? 0);
  }
  Object.defineProperty(queue, "stats", { get: () => ({ ...stats }) });
  return queue;
}
