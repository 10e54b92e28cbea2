// bh-audit-logger/cloudflare: durable audit trails on Durable Objects, D1 and Queues.
// Workers only. The wasm core is instantiated by the workerd loader (imported first); the
// chain itself is the core's (src/integrity.rs `Chain`, through the wasm `ChainWriter`).
import * as api from "./workerd.mjs";
import * as trail from "./trail-workerd.mjs";
import { ChainWriter } from "../dist/glue.js";
import { DurableObject } from "cloudflare:workers";
import { batchOptions, batchingDestination, reasonOf, own, fanout } from "./sinks/batch.js";
import { MAX_LINE_BYTES, utf8Length, splitLines } from "./lines.js";

export { fanout };

const ID_RE = /^[^\u0000-\u001f]{1,256}$/;
const PAGE = 1000;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/**
 * A timestamp (RFC 3339, `Z` or an offset) as UTC text that sorts as the instants do:
 * `YYYY-MM-DDTHH:MM:SS.fffffffffZ` (nine fraction digits); `null` when it is not one.
 */
export function utcInstant(timestamp) {
  if (typeof timestamp !== "string" || timestamp.length > 64) return null;
  const m = RFC3339.exec(timestamp);
  if (m === null) return null;
  const [, y, mo, d, h, mi, sec, frac = "", z, sign, oh, om] = m;
  if (+mo < 1 || +mo > 12 || +d < 1 || +d > 31 || +h > 23 || +mi > 59 || +sec > 60 || +oh > 23 || +om > 59) return null;
  const t = new Date(0);
  t.setUTCFullYear(+y, +mo - 1, +d);
  t.setUTCHours(+h, +mi, +sec, 0);
  if (t.getUTCDate() !== +d && +sec !== 60) return null; // 2026-02-30
  const offset = z ? 0 : (sign === "-" ? -1 : 1) * (+oh * 60 + +om);
  const utc = new Date(t.getTime() - offset * 60000).toISOString();
  if (!/^\d{4}-/.test(utc)) return null; // before year 0 or after 9999 once in UTC
  return `${utc.slice(0, 19)}.${frac.slice(0, 9).padEnd(9, "0")}Z`;
}

/**
 * The fields a store indexes, from one emitted line; `null` when the line is not an event line:
 * a JSON object with string `event_id` (no control characters, at most 256), `timestamp` and
 * `schema_version`, at most MAX_LINE_BYTES UTF-8 bytes. The one rule of AuditChain, d1Store and
 * auditQueueConsumer. `utc`: the timestamp as sortable UTC text (`utcInstant`), or null.
 */
export function eventFields(line) {
  if (typeof line !== "string" || line.length === 0 || line.length > MAX_LINE_BYTES || utf8Length(line) > MAX_LINE_BYTES) return null;
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
    utc: utcInstant(timestamp),
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
   * consider the batch acknowledged) only once they are stored. An `event_id` is written once:
   * a line whose id is already stored is skipped when it is the same event (a retried batch
   * neither duplicates nor forks) and refused as a conflict when it is not. Only event lines
   * are taken (`eventFields`, the rule every store applies), at most MAX_LINE_BYTES once chained.
   * Returns `{ stored, duplicates, rejected, conflicts, seq, head }` (`rejected`, `conflicts`:
   * indexes in `lines`).
   */
  storeLines(lines) {
    if (!Array.isArray(lines)) throw new TypeError("storeLines: expected an array of lines");
    const w = this.#writer;
    const start = w.head;
    let stored = 0;
    let duplicates = 0;
    const rejected = [];
    const conflicts = [];
    try {
      this.ctx.storage.transactionSync(() => {
        const taken = new Map(); // event_id -> the line as received, for this batch
        for (let i = 0; i < lines.length; i++) {
          const line = lineOf(lines[i]);
          const f = line === null ? null : eventFields(line);
          if (f === null) {
            rejected.push(i);
            continue;
          }
          const id = f.event_id;
          const earlier = taken.get(id);
          if (earlier !== undefined) {
            if (earlier === line) duplicates++;
            else conflicts.push(i);
            continue;
          }
          const row = this.#sql.exec("SELECT seq, line FROM bh_audit_chain WHERE event_id = ?", id).toArray();
          if (row.length > 0) {
            if (this.#sameAsStored(row[0], line)) duplicates++;
            else conflicts.push(i);
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
          if (w.eventId !== id || utf8Length(chained) > MAX_LINE_BYTES) {
            w.head = before;
            rejected.push(i);
            continue;
          }
          taken.set(id, line);
          this.#sql.exec("INSERT INTO bh_audit_chain (event_id, event_hash, line) VALUES (?, ?, ?)", id, w.head, chained);
          stored++;
        }
      });
    } catch (err) {
      w.head = start; // nothing of the batch was stored: the chain continues from before it
      throw err;
    }
    return { stored, duplicates, rejected, conflicts, ...this.head() };
  }

  /** Whether `line` is the event stored in `row`: chained after the same predecessor, it gives the stored line. */
  #sameAsStored(row, line) {
    const prev = this.#sql.exec("SELECT event_hash FROM bh_audit_chain WHERE seq < ? ORDER BY seq DESC LIMIT 1", row.seq).toArray();
    const w = this.#writer;
    const head = w.head;
    try {
      w.head = prev.length ? prev[0].event_hash : undefined;
      return w.chainLine(line) === row.line;
    } catch {
      return false;
    } finally {
      w.head = head;
    }
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
      // Split as the verifiers split a trail ("\n", "\r\n", "\r"); empty lines are not events.
      const lines = splitLines(text).filter((l) => l.length > 0);
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
  const s = own(options, "stream") ?? "default";
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
    return { rejected: r?.rejected, conflicts: r?.conflicts };
  });
}

// ---------------------------------------------------------------------------
// d1Store
// ---------------------------------------------------------------------------

const COLUMNS = ["event_id", "timestamp", "utc", "patient_id", "actor_id", "outcome", "action", "line"];
/** D1 binds at most 100 parameters per statement. */
const IDS_PER_QUERY = 90;

/**
 * A D1 table of events: `migrate()`, `sink` (batching destination; an event_id is written
 * once: a retried line is skipped, a different line with a stored id is a conflict),
 * `storeLines(lines)`, and `byPatient`, `byActor`, `denials`, `exportJsonl`. Time ranges compare
 * instants (the `utc` column: the timestamp normalized to UTC), whatever offset events carry.
 * Query results are events (plain objects parsed from the stored lines), oldest first.
 */
export function d1Store(db, options) {
  if (!db || typeof db.prepare !== "function" || typeof db.batch !== "function") throw new TypeError("d1Store: expected a D1 database binding (env.DB)");
  const table = own(options, "table") ?? "bh_audit_events";
  if (typeof table !== "string" || !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(table)) throw new TypeError("d1Store: `table` must be a plain SQL identifier");
  const insert = `INSERT OR IGNORE INTO ${table} (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")})`;

  /** The lines stored under `ids` (a Map id -> line). */
  async function storedLines(ids) {
    const have = new Map();
    for (let k = 0; k < ids.length; k += IDS_PER_QUERY) {
      const part = ids.slice(k, k + IDS_PER_QUERY);
      const { results } = await db.prepare(`SELECT event_id, line FROM ${table} WHERE event_id IN (${part.map(() => "?").join(", ")})`).bind(...part).all();
      for (const r of results) have.set(r.event_id, r.line);
    }
    return have;
  }

  async function storeLines(lines) {
    const rows = [];
    const rejected = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lineOf(lines[i]);
      const f = line === null ? null : eventFields(line);
      if (f === null) rejected.push(i);
      else rows.push({ i, f, line });
    }
    let stored = 0;
    let duplicates = 0;
    const conflicts = [];
    if (rows.length > 0) {
      const stmts = rows.map(({ f, line }) => db.prepare(insert).bind(f.event_id, f.timestamp, f.utc ?? "", f.patient_id, f.actor_id, f.outcome, f.action, line));
      const results = await db.batch(stmts); // one transaction: all rows or none
      const ignored = rows.filter((_, k) => Number(results[k]?.meta?.changes ?? 0) === 0);
      stored = rows.length - ignored.length;
      if (ignored.length > 0) {
        // An id already held: the same line is a retry (skipped), another line a conflict.
        const have = await storedLines([...new Set(ignored.map((r) => r.f.event_id))]);
        for (const r of ignored) {
          if (have.get(r.f.event_id) === r.line) duplicates++;
          else conflicts.push(r.i);
        }
      }
    }
    return { stored, duplicates, rejected, conflicts };
  }

  /** A range bound as the `utc` column writes instants; refuses what is not a timestamp. */
  function bound(o, key) {
    const v = own(o, key);
    if (v === undefined || v === null) return null;
    if (typeof v !== "string") throw new TypeError(`\`${key}\` must be a timestamp string`);
    const utc = utcInstant(v);
    if (utc === null) throw new RangeError(`\`${key}\` must be an RFC 3339 timestamp (with Z or an offset)`);
    return utc;
  }

  function range(o, where, params) {
    const from = bound(o, "from");
    const to = bound(o, "to");
    if (from !== null) {
      where.push("utc >= ?");
      params.push(from);
    }
    if (to !== null) {
      where.push("utc <= ?");
      params.push(to);
    }
  }

  function limitOf(o) {
    const l = own(o, "limit") ?? 1000;
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
    const sql = `SELECT line FROM ${table}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY utc, rowid LIMIT ?`;
    const { results } = await db.prepare(sql).bind(...params, limitOf(o)).all();
    return results.map((r) => JSON.parse(r.line));
  }

  const store = {
    table,
    /**
     * Create the table and its indexes (idempotent). A table made by an earlier version gets
     * the `utc` column (the timestamp as sortable UTC text), filled from the stored timestamps.
     */
    async migrate() {
      await db
        .prepare(
          `CREATE TABLE IF NOT EXISTS ${table} (event_id TEXT PRIMARY KEY, timestamp TEXT NOT NULL, utc TEXT NOT NULL DEFAULT '', patient_id TEXT, actor_id TEXT, outcome TEXT, action TEXT, line TEXT NOT NULL)`,
        )
        .run();
      const { results: cols } = await db.prepare(`PRAGMA table_info(${table})`).all();
      if (!cols.some((c) => c.name === "utc")) {
        await db.prepare(`ALTER TABLE ${table} ADD COLUMN utc TEXT NOT NULL DEFAULT ''`).run();
        for (let after = 0; ; ) {
          const { results } = await db.prepare(`SELECT rowid, timestamp FROM ${table} WHERE utc = '' AND rowid > ? ORDER BY rowid LIMIT 500`).bind(after).all();
          if (results.length === 0) break;
          const updates = results.map((r) => [r.rowid, utcInstant(r.timestamp)]).filter(([, utc]) => utc !== null);
          if (updates.length > 0) await db.batch(updates.map(([rowid, utc]) => db.prepare(`UPDATE ${table} SET utc = ? WHERE rowid = ?`).bind(utc, rowid)));
          after = results[results.length - 1].rowid;
        }
      }
      await db.batch([
        db.prepare(`CREATE INDEX IF NOT EXISTS ${table}_utc ON ${table} (utc)`),
        db.prepare(`CREATE INDEX IF NOT EXISTS ${table}_patient_utc ON ${table} (patient_id, utc)`),
        db.prepare(`CREATE INDEX IF NOT EXISTS ${table}_actor_utc ON ${table} (actor_id, utc)`),
        db.prepare(`CREATE INDEX IF NOT EXISTS ${table}_outcome_utc ON ${table} (outcome, utc)`),
        db.prepare(`CREATE INDEX IF NOT EXISTS ${table}_action_utc ON ${table} (action, utc)`),
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
      let after = null; // keyset paging by (utc, rowid)
      for (;;) {
        const w = [...where];
        const p = [...params];
        if (after) {
          w.push("(utc > ? OR (utc = ? AND rowid > ?))");
          p.push(after.utc, after.utc, after.rowid);
        }
        const sql = `SELECT rowid, utc, line FROM ${table}${w.length ? ` WHERE ${w.join(" AND ")}` : ""} ORDER BY utc, rowid LIMIT ${PAGE}`;
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
      sink ??= batchingDestination(opts, async (lines) => {
        const r = await storeLines(lines);
        return { rejected: r.rejected, conflicts: r.conflicts };
      });
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
  const o = { ...(options ?? {}) }; // own enumerable properties only
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
  const storeOption = own(options, "store");
  const chainOption = own(options, "chain");
  if (options === null || typeof options !== "object" || (storeOption === undefined) === (chainOption === undefined)) {
    throw new TypeError("auditQueueConsumer: pass exactly one of `store` or `chain`");
  }
  const stream = streamName(options);
  const given = own(options, "onDiagnostic");
  const onDiagnostic = typeof given === "function" ? given : (level, message) => console[level === "error" ? "error" : "warn"](`bh-audit-logger ${level}: ${message}`);
  const stats = { stored: 0, duplicates: 0, retried: 0, poison: 0, conflicts: 0 };
  const diag = (level, message) => {
    try {
      onDiagnostic(level, `auditQueueConsumer: ${message}`);
    } catch {
      // a failing callback must not break consumption
    }
  };

  async function queue(batch, env) {
    let store;
    if (storeOption !== undefined) {
      store = resolveTarget(storeOption, env);
      if (!store || typeof store.storeLines !== "function") throw new TypeError("auditQueueConsumer: `store` must be a d1Store (or have storeLines)");
    } else {
      const ns = resolveTarget(chainOption, env);
      checkNamespace("auditQueueConsumer", ns);
      store = { storeLines: (lines) => chainStub(ns, stream).storeLines(lines) };
    }
    const lines = [];
    const msgs = [];
    const at = []; // position of each of msgs in the batch
    let poison = 0;
    for (let k = 0; k < batch.messages.length; k++) {
      const msg = batch.messages[k];
      const line = lineOf(msg.body);
      if (line === null || eventFields(line) === null) {
        poison++;
        msg.retry();
        continue;
      }
      lines.push(line);
      msgs.push(msg);
      at.push(k);
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
    const conflicting = new Set(Array.isArray(r?.conflicts) ? r.conflicts : []);
    const positions = [];
    for (let i = 0; i < msgs.length; i++) {
      if (refused.has(i)) {
        stats.poison++;
        msgs[i].retry();
      } else if (conflicting.has(i)) {
        // An event_id already stored with other content: never acked (dead-lettered after max_retries), counted.
        stats.conflicts++;
        positions.push(at[i] + 1);
        msgs[i].retry();
      } else msgs[i].ack();
    }
    if (positions.length > 0) {
      diag(
        "error",
        `${positions.length} message(s) refused as conflicts (event_id already stored with different content) at position(s) ${positions.slice(0, 20).join(", ")}${positions.length > 20 ? ", ..." : ""} of a batch of ${batch.messages.length}: not acknowledged (the queue's max_retries moves them to its dead-letter queue)`,
      );
    }
    stats.stored += Number(r?.stored ?? 0);
    stats.duplicates += Number(r?.duplicates ?? 0);
  }
  Object.defineProperty(queue, "stats", { get: () => ({ ...stats }) });
  return queue;
}

// ---------------------------------------------------------------------------
// The auditor's endpoints
// ---------------------------------------------------------------------------

/** Shortest auditor credential accepted: a shorter one is treated as unset. */
const MIN_TOKEN_LENGTH = 16;

/**
 * Whether `request` carries the auditor's credential: an `authorization: Bearer <token>` header
 * whose token equals `expected`, compared in constant time (the SHA-256 digests of both, every
 * byte). Refuses every request when `expected` is unset, not a string or shorter than 16
 * characters (a preview deploy without the secret, a typo in the secret's name). Never throws.
 * `if (!(await auditorAuth(request, env.AUDITOR_TOKEN))) return new Response("forbidden", { status: 403 });`
 */
export async function auditorAuth(request, expected) {
  if (typeof expected !== "string" || expected.length < MIN_TOKEN_LENGTH) return false;
  let header;
  try {
    header = request.headers.get("authorization");
  } catch {
    return false;
  }
  if (typeof header !== "string" || header.length > 4096 || !/^Bearer /i.test(header)) return false;
  const enc = new TextEncoder();
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", enc.encode(header.slice(7))),
    crypto.subtle.digest("SHA-256", enc.encode(expected)),
  ]);
  const x = new Uint8Array(a);
  const y = new Uint8Array(b);
  if (typeof crypto.subtle.timingSafeEqual === "function") return crypto.subtle.timingSafeEqual(x, y);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}
