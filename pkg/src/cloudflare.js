// bh-audit-logger/cloudflare: durable audit trails on Durable Objects, D1 and Queues.
// Workers only. The wasm core is instantiated by the workerd loader (imported first); the
// chain itself is the core's (src/integrity.rs `Chain`, through the wasm `ChainWriter`).
import * as api from "./workerd.mjs";
import * as trail from "./trail-workerd.mjs";
import { ChainWriter, unregisterFinalizer as emitUnregister } from "../dist/glue.js";
import {
  TreeCore, proofNodes, proofFromNodes, formatTlogProof, signCheckpointJson, witnessAddCheckpointJson, verifierKeyOf,
  reinstantiate as trailReinstantiate, unregisterFinalizer as trailUnregister,
} from "../dist/trail/glue.js";
import { healthy as emitHealthy } from "./guard.js";
import { wasmState, trailWasmState, recover } from "./memory.js";
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
// Long-lived wasm objects (issue 21 item 1)
// ---------------------------------------------------------------------------

/** The two wasm modules as the cells below need them: instance state, recovery, finalizers. */
const EMIT = { state: wasmState, heal: () => emitHealthy(), unregister: (o) => emitUnregister(o) };
const TRAIL = { state: trailWasmState, heal: () => recover(trailWasmState, trailReinstantiate), unregister: (o) => trailUnregister(o) };

/**
 * A long-lived wasm object (a ChainWriter, a TreeCore) that never outlives its instance: after a
 * replacement (a trap anywhere in the isolate, or memory given back) it is rebuilt in the
 * current instance by `make()`, from its state in storage (the chain head, the tree state).
 * As the loggers' CoreCell (guard.js) does.
 */
class WasmCell {
  #module;
  #make;
  #obj = null;
  #generation = -1;
  constructor(module, make) {
    this.#module = module;
    this.#make = make;
  }

  /** The object, usable now: the instance replaced first if poisoned, the object rebuilt if it belongs to an older one. */
  get() {
    this.#module.heal();
    if (this.#obj === null || this.#generation !== this.#module.state.generation) {
      this.#obj = null;
      const obj = this.#make();
      this.#module.unregister(obj); // freed here, into its own instance only
      this.#obj = obj;
      this.#generation = this.#module.state.generation;
    }
    return this.#obj;
  }

  /** Forget the object: the next `get()` rebuilds it from storage (after a rolled-back batch or a trap). */
  reset() {
    const obj = this.#obj;
    this.#obj = null;
    if (obj !== null && this.#generation === this.#module.state.generation && !this.#module.state.poisoned) {
      try {
        obj.free();
      } catch {
        // nothing to do
      }
    }
  }
}

/** An error a wasm export throws by design (a refusal), as opposed to a trap (RuntimeError, stack overflow). */
function refusal(err) {
  return (err instanceof TypeError || err instanceof RangeError) && !/call stack/i.test(String(err.message));
}

/** Thrown inside a batch when the core trapped twice on one step: the batch is rolled back and retried by the sink. */
class CoreFailure extends Error {
  constructor(what) {
    super(`AuditChain: the wasm core failed (a trap) while ${what}; nothing of this batch was stored, retry it`);
    this.name = "CoreFailure";
  }
}

/** The SHA-256 of the empty string: the root of the empty tree. */
const EMPTY_ROOT = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
const LEAF_PAGE = 5000;
const utf8 = new TextEncoder();

/** A tree-core JSON answer; `{ error }` refusals become an Error with the core's message (never the input). */
function tlogAnswer(text, what) {
  const v = JSON.parse(text);
  if (v && v.error) throw new Error(`${what}: ${v.message ?? v.error} (${v.error})`);
  return v;
}

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// ---------------------------------------------------------------------------
// AuditChain: the single writer of one stream's chain
// ---------------------------------------------------------------------------

/**
 * Durable Object class: export it from the Worker and bind it (SQLite storage:
 * `new_sqlite_classes` in wrangler.toml). RPC: `storeLines(lines)`, `head()`, `exportJsonl(from)`,
 * `checkpoint(size)`, `checkpointSizes()`, `inclusionProof(index, size)`, `consistencyProof(old, size)`.
 * HTTP: `POST /append` (NDJSON body), `GET /export?from=N&limit=M`, `GET /head`, `GET /verify`,
 * and with a signer key `GET /checkpoint[?size=M]`, `GET /checkpoints`, `GET /proof?index=N[&size=M]`,
 * `GET /consistency?old=M[&new=N]`.
 * Subclass and set `static hashAlgorithm = "sha384"` (or "sha512") for another algorithm.
 *
 * Verifiable trail (env): `AUDIT_SIGNER_KEY` (a signer key, `PRIVATE+KEY+<origin>+...`, or one
 * per line for several streams, see #configureSigner; a Workers secret) turns on the RFC 6962
 * tree over the stored lines and a signed checkpoint (C2SP tlog-checkpoint) after each stored
 * batch. `AUDIT_WITNESS` (a binding: an AuditWitness
 * Durable Object namespace, or a service binding of a tlog-witness) or `AUDIT_WITNESS_URL` (a
 * tlog-witness URL prefix) asks a witness to cosign each new checkpoint; its cosignature lines
 * are kept on the stored note.
 */
export class AuditChain extends DurableObject {
  static hashAlgorithm = "sha256";
  #sql;
  #writer;
  #tree;
  /** The signer key text, its origin, or why checkpoints are off. */
  #signer = null;
  #origin = null;
  #signingProblem = null;
  #witnessQueue = Promise.resolve();

  constructor(ctx, env) {
    super(ctx, env);
    if (!ctx?.storage?.sql) throw new TypeError("AuditChain needs SQLite storage: declare the class in `new_sqlite_classes`");
    this.#sql = ctx.storage.sql;
    this.#sql.exec(
      "CREATE TABLE IF NOT EXISTS bh_audit_chain (seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, event_hash TEXT NOT NULL, line TEXT NOT NULL)",
    );
    this.#writer = new WasmCell(EMIT, () => new ChainWriter(this.constructor.hashAlgorithm ?? "sha256", this.head().event_hash ?? undefined));
    this.#writer.get(); // a bad hashAlgorithm fails here
    this.#configureSigner(env?.AUDIT_SIGNER_KEY);
    if (this.#signer !== null) {
      const cols = this.#sql.exec("PRAGMA table_info(bh_audit_chain)").toArray();
      if (!cols.some((c) => c.name === "leaf_hash")) this.#sql.exec("ALTER TABLE bh_audit_chain ADD COLUMN leaf_hash TEXT");
      this.#sql.exec("CREATE TABLE IF NOT EXISTS bh_audit_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
      this.#sql.exec("CREATE TABLE IF NOT EXISTS bh_audit_checkpoints (size INTEGER PRIMARY KEY, origin TEXT NOT NULL, note TEXT NOT NULL)");
      // Every perfect subtree of level 1 and up (leaves are bh_audit_chain.leaf_hash): a proof
      // reads about 2 log2(n) of them, never the whole trail.
      this.#sql.exec("CREATE TABLE IF NOT EXISTS bh_audit_nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID");
      this.#tree = new WasmCell(TRAIL, () => new TreeCore(this.#meta("tree_state") ?? undefined));
      ctx.storage.transactionSync(() => {
        this.#fillNodes();
        this.#catchUp();
      });
    }
  }

  /**
   * The signer key of this stream. `AUDIT_SIGNER_KEY` holds one signer key, or several (one per
   * line): an origin names one log, so each stream of a namespace needs its own key. A stream
   * takes the key named as the stream or ending in `/<stream>` (the object's name,
   * `namespace.idFromName(stream)`); a single key that matches no stream is the namespace's one
   * stream's.
   */
  #configureSigner(text) {
    if (text === undefined || text === null || text === "") return;
    const problem = "AUDIT_SIGNER_KEY is not an Ed25519 signer key (PRIVATE+KEY+<origin>+<key id>+<key>): checkpoints are off";
    if (typeof text !== "string") {
      this.#signingProblem = problem;
      return;
    }
    TRAIL.heal();
    const keys = [];
    for (const line of text.split(/\r?\n/)) {
      const key = line.trim();
      if (key === "") continue;
      const verifier = verifierKeyOf(key);
      const origin = typeof verifier === "string" ? verifier.split("+")[0] : null;
      let ok = origin !== null;
      if (ok) {
        try {
          tlogAnswer(signCheckpointJson(origin, 0, EMPTY_ROOT, key), "AUDIT_SIGNER_KEY");
        } catch {
          ok = false;
        }
      }
      if (!ok) {
        this.#signingProblem = problem;
        console.error(`bh-audit-logger: ${problem}`);
        return;
      }
      keys.push({ key, origin });
    }
    if (keys.length === 0) return;
    let name = null;
    try {
      name = typeof this.ctx.id?.name === "string" ? this.ctx.id.name : null;
    } catch {
      // an id without a name
    }
    const mine = name === null ? [] : keys.filter((k) => k.origin === name || k.origin.endsWith(`/${name}`));
    const chosen = mine.length === 1 ? mine[0] : mine.length === 0 && keys.length === 1 ? keys[0] : null;
    if (chosen === null) {
      this.#signingProblem = mine.length > 1
        ? "AUDIT_SIGNER_KEY holds several keys for this stream: checkpoints are off"
        : "AUDIT_SIGNER_KEY holds no key for this stream (name one `<origin>/<stream>`; each stream is its own log): checkpoints are off";
      return;
    }
    this.#signer = chosen.key;
    this.#origin = chosen.origin;
  }

  #meta(key) {
    const r = this.#sql.exec("SELECT value FROM bh_audit_meta WHERE key = ?", key).toArray();
    return r.length ? r[0].value : null;
  }

  #setMeta(key, value) {
    this.#sql.exec("INSERT INTO bh_audit_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", key, String(value));
  }

  /**
   * Add an entry (a stored line) to the tree and store the subtrees it completes; its leaf
   * hash. In the batch's transaction. A trap poisons the trail module and fails the batch.
   */
  #pushEntry(tree, line) {
    let leaf;
    let nodes;
    try {
      leaf = tree.pushEntry(utf8.encode(line));
      nodes = tree.takeNodes();
    } catch {
      trailWasmState.poisoned = true;
      throw new CoreFailure("adding a line to the tree");
    }
    this.#storeNodes(nodes);
    return leaf;
  }

  /** Store `[level, index, hash, ...]` as TreeCore.takeNodes gives them. */
  #storeNodes(nodes) {
    for (let i = 0; i < nodes.length; i += 3) {
      this.#sql.exec("INSERT OR REPLACE INTO bh_audit_nodes (level, idx, hash) VALUES (?, ?, ?)", nodes[i], nodes[i + 1], nodes[i + 2]);
    }
  }

  /**
   * A tree kept before its subtrees were stored (an earlier version of this class, which left
   * no `nodes` mark): fill bh_audit_nodes once from the stored leaf hashes, then mark it (every
   * later leaf stores its subtrees in its batch's transaction). In a transaction.
   */
  #fillNodes() {
    if (this.#meta("nodes") === "stored") return;
    const size = this.#tree.get().size();
    this.#sql.exec("DELETE FROM bh_audit_nodes");
    TRAIL.heal();
    const tree = new TreeCore(undefined);
    TRAIL.unregister(tree);
    try {
      let seq = 0;
      while (seq < size) {
        const rows = this.#sql.exec("SELECT seq, leaf_hash FROM bh_audit_chain WHERE seq > ? ORDER BY seq LIMIT ?", seq, Math.min(LEAF_PAGE, size - seq)).toArray();
        if (rows.length === 0) throw new Error("AuditChain: the trail is shorter than the tree");
        for (const r of rows) {
          if (r.seq !== seq + 1 || typeof r.leaf_hash !== "string") throw new Error("AuditChain: a stored leaf hash is missing");
          tree.pushLeafHash(r.leaf_hash);
          seq++;
        }
        this.#storeNodes(tree.takeNodes());
      }
    } finally {
      if (!trailWasmState.poisoned) tree.free();
    }
    this.#setMeta("nodes", "stored");
  }

  /**
   * Lines stored before checkpoints were on (or by an earlier version) join the tree, in trail
   * order, and the trail gets its checkpoint. In a transaction.
   */
  #catchUp() {
    const tree = this.#tree.get();
    let size = tree.size();
    const last = this.head().seq;
    if (size > last) throw new Error("AuditChain: the stored tree is larger than the trail");
    if (size === last) return;
    for (;;) {
      const rows = this.#sql.exec("SELECT seq, line FROM bh_audit_chain WHERE seq > ? ORDER BY seq LIMIT ?", size, PAGE).toArray();
      if (rows.length === 0) break;
      for (const r of rows) {
        if (r.seq !== size + 1) throw new Error("AuditChain: the trail's sequence numbers have a gap");
        this.#sql.exec("UPDATE bh_audit_chain SET leaf_hash = ? WHERE seq = ?", this.#pushEntry(tree, r.line), r.seq);
        size++;
      }
    }
    this.#saveCheckpoint(tree);
  }

  /** Keep the tree state and sign its checkpoint (inside the batch's transaction). */
  #saveCheckpoint(tree) {
    let size;
    let root;
    let state;
    try {
      size = tree.size();
      root = tree.root();
      state = tree.state();
    } catch {
      trailWasmState.poisoned = true;
      throw new CoreFailure("reading the tree");
    }
    let note;
    try {
      note = tlogAnswer(signCheckpointJson(this.#origin, size, root, this.#signer), "signing the checkpoint").note;
    } catch (err) {
      if (!(err instanceof Error) || !/^signing the checkpoint/.test(err.message)) trailWasmState.poisoned = true;
      throw new CoreFailure("signing the checkpoint");
    }
    this.#setMeta("tree_state", state);
    this.#sql.exec("INSERT INTO bh_audit_checkpoints (size, origin, note) VALUES (?, ?, ?) ON CONFLICT(size) DO UPDATE SET origin = excluded.origin, note = excluded.note", size, this.#origin, note);
    return size;
  }

  /**
   * Chain one line with the long-lived writer: a refusal (not a JSON object) returns null; a trap
   * replaces the instance and the writer is rebuilt from the stored head (this batch's rows
   * included), then the line is tried once more; a second trap fails the batch.
   */
  #chain(line) {
    for (let attempt = 0; ; attempt++) {
      const w = this.#writer.get();
      try {
        return { w, chained: w.chainLine(line) };
      } catch (err) {
        if (refusal(err)) return null;
        wasmState.poisoned = true;
        this.#writer.reset();
        if (attempt >= 1) throw new CoreFailure("chaining a line");
      }
    }
  }

  /**
   * Chain and store emitted lines, in order, in one transaction; resolves (so the caller may
   * consider the batch acknowledged) only once they are stored. An `event_id` is written once:
   * a line whose id is already stored is skipped when it is the same event (a retried batch
   * neither duplicates nor forks) and refused as a conflict when it is not. Only event lines
   * are taken (`eventFields`, the rule every store applies), at most MAX_LINE_BYTES once chained.
   * Returns `{ stored, duplicates, rejected, conflicts, seq, head }` (`rejected`, `conflicts`:
   * indexes in `lines`). With a signer key the batch's checkpoint is signed in the same
   * transaction, and with a witness it is cosigned before this resolves (a witness that fails
   * leaves the checkpoint with the log's signature only: the events are stored all the same).
   */
  async storeLines(lines) {
    const r = this.#storeBatch(lines);
    if (r.checkpoint !== undefined && this.#witnessConfigured()) await this.#cosignInOrder(r.checkpoint);
    const { checkpoint: _size, ...result } = r;
    return result;
  }

  #storeBatch(lines) {
    if (!Array.isArray(lines)) throw new TypeError("storeLines: expected an array of lines");
    let stored = 0;
    let duplicates = 0;
    const rejected = [];
    const conflicts = [];
    let checkpoint;
    try {
      this.ctx.storage.transactionSync(() => {
        const tree = this.#signer !== null ? this.#tree.get() : null;
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
          const done = this.#chain(line);
          if (done === null) {
            rejected.push(i);
            continue;
          }
          const { w, chained } = done;
          if (w.eventId !== id || utf8Length(chained) > MAX_LINE_BYTES) {
            w.head = this.head().event_hash ?? undefined; // the stored head: this line is not stored
            rejected.push(i);
            continue;
          }
          taken.set(id, line);
          if (tree !== null) {
            const leaf = this.#pushEntry(tree, chained);
            this.#sql.exec("INSERT INTO bh_audit_chain (event_id, event_hash, line, leaf_hash) VALUES (?, ?, ?, ?)", id, w.head, chained, leaf);
          } else {
            this.#sql.exec("INSERT INTO bh_audit_chain (event_id, event_hash, line) VALUES (?, ?, ?)", id, w.head, chained);
          }
          stored++;
        }
        if (tree !== null && stored > 0) checkpoint = this.#saveCheckpoint(tree);
      });
    } catch (err) {
      // Nothing of the batch was stored: the writer and the tree continue from storage.
      this.#writer.reset();
      this.#tree?.reset();
      throw err;
    }
    return { stored, duplicates, rejected, conflicts, ...this.head(), checkpoint };
  }

  /** Whether `line` is the event stored in `row`: chained after the same predecessor, it gives the stored line. */
  #sameAsStored(row, line) {
    const prev = this.#sql.exec("SELECT event_hash FROM bh_audit_chain WHERE seq < ? ORDER BY seq DESC LIMIT 1", row.seq).toArray();
    for (let attempt = 0; ; attempt++) {
      const w = this.#writer.get();
      const head = w.head;
      try {
        w.head = prev.length ? prev[0].event_hash : undefined;
        return w.chainLine(line) === row.line;
      } catch (err) {
        if (refusal(err)) return false;
        wasmState.poisoned = true;
        this.#writer.reset(); // rebuilt from the stored head
        if (attempt >= 1) throw new CoreFailure("comparing a line with the stored one");
        continue;
      } finally {
        try {
          w.head = head;
        } catch {
          // a writer of a replaced instance: rebuilt on its next use
        }
      }
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
  /**
   * `verifyChain`'s result over the whole trail; with a signer key, the trail is also compared
   * with the latest stored checkpoint (its result in `checkpoints`), so `/verify` shows a trail
   * changed in storage after it was signed. Returns a Promise.
   */
  async verify() {
    const note = this.#signer !== null ? this.checkpoint() : null;
    const options = note ? { checkpoints: [note], verifierKeys: [verifierKeyOf(this.#signer)] } : undefined;
    const v = new trail.ChainVerifier(options);
    for (const page of this.#pages()) v.push(`${page.join("\n")}\n`);
    return v.finish();
  }

  // -- Checkpoints and proofs ------------------------------------------------------------

  #needSigner() {
    if (this.#signer !== null) return;
    if (this.#signingProblem !== null) throw new HttpError(500, this.#signingProblem);
    throw new HttpError(501, "checkpoints are off: this AuditChain has no signer key (set the AUDIT_SIGNER_KEY secret)");
  }

  /** The stored checkpoint note of tree size `size` (default: the latest), with any cosignatures; null when there is none. */
  checkpoint(size) {
    this.#needSigner();
    const rows = size === undefined || size === null
      ? this.#sql.exec("SELECT note FROM bh_audit_checkpoints ORDER BY size DESC LIMIT 1").toArray()
      : this.#sql.exec("SELECT note FROM bh_audit_checkpoints WHERE size = ?", size).toArray();
    return rows.length ? rows[0].note : null;
  }

  /** The sizes of the stored checkpoints, ascending. */
  checkpointSizes() {
    this.#needSigner();
    return this.#sql.exec("SELECT size FROM bh_audit_checkpoints ORDER BY size").toArray().map((r) => r.size);
  }

  /**
   * Proof hashes (inclusion of entry `a`, or consistency from size `a`) in the tree of size `n`,
   * from the stored subtrees it needs: about 2 log2(n) reads.
   */
  #proof(a, n, consistency) {
    TRAIL.heal();
    let ids;
    try {
      ids = proofNodes(a, n, consistency);
    } catch (err) {
      if (refusal(err)) throw new HttpError(400, consistency ? "`old` must be from 1 to the new size" : "`index` must be less than the checkpoint's size");
      trailWasmState.poisoned = true;
      throw err;
    }
    const hashes = [];
    for (let i = 0; i < ids.length; i += 2) {
      const [level, idx] = [ids[i], ids[i + 1]];
      const rows = level === 0
        ? this.#sql.exec("SELECT leaf_hash AS hash FROM bh_audit_chain WHERE seq = ?", idx + 1).toArray()
        : this.#sql.exec("SELECT hash FROM bh_audit_nodes WHERE level = ? AND idx = ?", level, idx).toArray();
      if (rows.length === 0 || typeof rows[0].hash !== "string") throw new Error("AuditChain: a stored subtree hash is missing");
      hashes.push(rows[0].hash);
    }
    try {
      return proofFromNodes(a, n, consistency, hashes);
    } catch (err) {
      if (!refusal(err)) trailWasmState.poisoned = true;
      throw err;
    }
  }

  /** A C2SP tlog-proof of entry `index` (0-based) against the stored checkpoint of size `size` (default: the latest). */
  inclusionProof(index, size) {
    this.#needSigner();
    const sizes = size === undefined || size === null ? this.#sql.exec("SELECT size, note FROM bh_audit_checkpoints ORDER BY size DESC LIMIT 1").toArray() : this.#sql.exec("SELECT size, note FROM bh_audit_checkpoints WHERE size = ?", size).toArray();
    if (sizes.length === 0) throw new HttpError(404, "no checkpoint of that size");
    const { size: n, note } = sizes[0];
    if (!Number.isSafeInteger(index) || index < 0 || index >= n) throw new HttpError(400, "`index` must be less than the checkpoint's size");
    const hashes = this.#proof(index, n, false);
    TRAIL.heal();
    return formatTlogProof(index, hashes, note);
  }

  /** The RFC 6962 consistency proof (base64 hashes) from tree size `old` to `size` (default: the latest checkpoint's). */
  consistencyProof(old, size) {
    this.#needSigner();
    let n = size;
    if (n === undefined || n === null) {
      const last = this.#sql.exec("SELECT size FROM bh_audit_checkpoints ORDER BY size DESC LIMIT 1").toArray();
      if (last.length === 0) throw new HttpError(404, "no checkpoint yet");
      n = last[0].size;
    }
    if (!Number.isSafeInteger(n) || n > this.head().seq) throw new HttpError(404, "no tree of that size");
    if (!Number.isSafeInteger(old) || old < 1 || old > n) throw new HttpError(400, "`old` must be from 1 to the new size");
    return this.#proof(old, n, true);
  }

  // -- Witness ---------------------------------------------------------------------------

  #witnessConfigured() {
    const env = this.env ?? {};
    return this.#signer !== null && (env.AUDIT_WITNESS !== undefined || typeof env.AUDIT_WITNESS_URL === "string");
  }

  /** POST `body` to the witness's add-checkpoint: the binding `AUDIT_WITNESS` (DO namespace or service) or `AUDIT_WITNESS_URL`. */
  #witnessFetch(body) {
    const env = this.env ?? {};
    const init = { method: "POST", body, headers: { "content-type": "text/plain; charset=utf-8" } };
    const b = env.AUDIT_WITNESS;
    if (b && typeof b.idFromName === "function" && typeof b.get === "function") {
      const name = typeof env.AUDIT_WITNESS_NAME === "string" && env.AUDIT_WITNESS_NAME ? env.AUDIT_WITNESS_NAME : "witness";
      return b.get(b.idFromName(name)).fetch("https://witness/add-checkpoint", init);
    }
    if (b && typeof b.fetch === "function") return b.fetch("https://witness/add-checkpoint", init);
    return fetch(`${String(env.AUDIT_WITNESS_URL).replace(/\/+$/, "")}/add-checkpoint`, { ...init, redirect: "manual" });
  }

  /** Cosign checkpoints one at a time, in the order they were stored. */
  #cosignInOrder(size) {
    const run = this.#witnessQueue.then(() => this.#cosign(size));
    this.#witnessQueue = run.catch(() => {});
    return this.#witnessQueue;
  }

  /**
   * Ask the witness to cosign the stored checkpoint of `size`, with the consistency proof from the
   * size it last cosigned (kept in storage; on 409 once more from the size it answers), and append
   * its cosignature lines to the stored note. Failures are reported (console) and kept in
   * `witness_error`; the checkpoint keeps the log's own signature.
   */
  async #cosign(size) {
    const key = `witness_size ${this.#origin}`;
    const note = this.checkpoint(size);
    if (note === null) return;
    let old = Number(this.#meta(key) ?? 0);
    let problem = null;
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!Number.isSafeInteger(old) || old < 0 || old > size) {
        problem = "the witness has cosigned a larger tree than this checkpoint's";
        break;
      }
      let res;
      let text;
      try {
        const proof = old > 0 && old < size ? this.#proof(old, size, true) : [];
        res = await this.#witnessFetch(`old ${old}\n${proof.map((h) => `${h}\n`).join("")}\n${note}`);
        text = await res.text();
      } catch (err) {
        problem = `the witness could not be reached (${reasonOf(err)})`;
        break;
      }
      if (res.status === 200 && /^(?:\u2014 [^\s]+ [A-Za-z0-9+/]+=*\n)+$/.test(text)) {
        this.ctx.storage.transactionSync(() => {
          const current = this.#sql.exec("SELECT note FROM bh_audit_checkpoints WHERE size = ?", size).toArray();
          if (current.length) this.#sql.exec("UPDATE bh_audit_checkpoints SET note = ? WHERE size = ?", current[0].note + text, size);
          this.#setMeta(key, size);
          this.#sql.exec("DELETE FROM bh_audit_meta WHERE key = 'witness_error'");
        });
        return;
      }
      if (res.status === 409 && attempt === 0 && /^\d{1,15}\n?$/.test(text)) {
        old = Number(text.trim());
        this.#setMeta(key, old);
        continue;
      }
      problem = `the witness refused a checkpoint: ${res.status} ${text.slice(0, 64).replace(/[^\x20-\x7e]/g, "?").trim()}`;
      break;
    }
    // Reported when it changes (not once per batch while a witness is down).
    if (this.#meta("witness_error") !== problem) console.error(`bh-audit-logger: AuditChain: ${problem} (checkpoints keep the log's signature only until it cosigns again)`);
    this.#setMeta("witness_error", problem);
  }

  async fetch(request) {
    const url = new URL(request.url);
    const int = (name, def) => {
      const v = url.searchParams.get(name);
      if (v === null) return def;
      return /^\d{1,15}$/.test(v) ? Number(v) : NaN;
    };
    const text = (body, status = 200) => new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
    if (request.method === "POST" && url.pathname === "/append") {
      const body = await request.text();
      // Split as the verifiers split a trail ("\n", "\r\n", "\r"); empty lines are not events.
      const lines = splitLines(body).filter((l) => l.length > 0);
      return Response.json(await this.storeLines(lines));
    }
    if (request.method !== "GET") return new Response("method not allowed\n", { status: 405 });
    if (url.pathname === "/head") return Response.json(this.head());
    if (url.pathname === "/verify") return Response.json(await this.verify());
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
    if (["/checkpoint", "/checkpoints", "/proof", "/consistency"].includes(url.pathname)) {
      try {
        if (url.pathname === "/checkpoints") return Response.json(this.checkpointSizes());
        if (url.pathname === "/checkpoint") {
          const size = int("size", undefined);
          if (Number.isNaN(size)) return text("`size` must be a non-negative integer\n", 400);
          const note = this.checkpoint(size);
          return note === null ? text(size === undefined ? "no checkpoint yet\n" : "no checkpoint of that size\n", 404) : text(note);
        }
        if (url.pathname === "/proof") {
          const index = int("index", NaN);
          const size = int("size", undefined);
          if (Number.isNaN(index) || Number.isNaN(size)) return text("`index` (and `size`) must be non-negative integers\n", 400);
          return text(this.inclusionProof(index, size));
        }
        const old = int("old", NaN);
        const size = int("new", undefined);
        if (Number.isNaN(old) || Number.isNaN(size)) return text("`old` (and `new`) must be positive integers\n", 400);
        return text(this.consistencyProof(old, size).map((h) => `${h}\n`).join(""));
      } catch (err) {
        if (err instanceof HttpError) return text(`${err.message}\n`, err.status);
        throw err;
      }
    }
    return new Response("not found\n", { status: 404 });
  }
}

// ---------------------------------------------------------------------------
// AuditWitness: a C2SP tlog-witness
// ---------------------------------------------------------------------------

/** The most bytes an add-checkpoint request may have (a note is at most 1 MB; 63 proof lines besides). */
const MAX_WITNESS_REQUEST = 1 << 20;

/** The origin line of an add-checkpoint body (the note's first line), or null. */
function requestOrigin(bytes) {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  const sep = text.indexOf("\n\n");
  if (sep < 0) return null;
  const end = text.indexOf("\n", sep + 2);
  return end < 0 ? null : text.slice(sep + 2, end);
}

/**
 * Durable Object class: a C2SP tlog-witness (https://c2sp.org/tlog-witness) for the logs whose
 * verifier keys it is given, cosigning (C2SP tlog-cosignature v1, Ed25519) with its own key.
 * Export it from the Worker and bind it (SQLite storage: `new_sqlite_classes`).
 * env: `AUDIT_WITNESS_KEY` (its cosignature signer key, type 0x04; a Workers secret),
 * `AUDIT_WITNESS_LOG_KEYS` (the logs' verifier keys, one per line; a log is known by the key
 * named as its origin).
 * HTTP: `POST /add-checkpoint` (the spec's request and answers: 200 with the cosignature line,
 * 400, 403, 404, 409 with the witness's size as `text/x.tlog.size`, 422, ...), `GET
 * /checkpoint?origin=O` (the latest checkpoint it cosigned for O, with the log's signature and
 * its cosignature). RPC: `addCheckpoint(body)`, `latest(origin)`.
 * The state per origin (size and root last cosigned) is read, checked and written in one
 * synchronous transaction, so two requests can never both extend the same state.
 * A checkpoint refused as `two_histories` or `inconsistent` (correctly signed by the log, but
 * not an extension of what it cosigned) is kept as evidence (`GET /evidence?origin=O`).
 */
export class AuditWitness extends DurableObject {
  #sql;

  constructor(ctx, env) {
    super(ctx, env);
    if (!ctx?.storage?.sql) throw new TypeError("AuditWitness needs SQLite storage: declare the class in `new_sqlite_classes`");
    this.#sql = ctx.storage.sql;
    this.#sql.exec("CREATE TABLE IF NOT EXISTS bh_witness_logs (origin TEXT PRIMARY KEY, size INTEGER NOT NULL, root TEXT NOT NULL, note TEXT NOT NULL)");
    this.#sql.exec("CREATE TABLE IF NOT EXISTS bh_witness_evidence (id INTEGER PRIMARY KEY, origin TEXT NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL, request TEXT NOT NULL)");
  }

  #config() {
    const env = this.env ?? {};
    const key = env.AUDIT_WITNESS_KEY;
    const logs = env.AUDIT_WITNESS_LOG_KEYS;
    const logKeys = (Array.isArray(logs) ? logs : typeof logs === "string" ? logs.split(/\r?\n/) : []).filter((k) => typeof k === "string").map((k) => k.trim()).filter(Boolean);
    if (typeof key !== "string" || key.trim() === "" || logKeys.length === 0) return null;
    return { key: key.trim(), logKeys };
  }

  /**
   * Answer an add-checkpoint request `body` (bytes or text): `{ status, contentType, body }`.
   */
  addCheckpoint(body) {
    const bytes = typeof body === "string" ? utf8.encode(body) : body instanceof ArrayBuffer ? new Uint8Array(body) : ArrayBuffer.isView(body) ? new Uint8Array(body.buffer, body.byteOffset, body.byteLength) : null;
    const plain = (status, text) => ({ status, contentType: "text/plain; charset=utf-8", body: `${text}\n` });
    if (bytes === null) return plain(400, "malformed_request");
    const config = this.#config();
    if (config === null) return plain(501, "this witness is not configured (AUDIT_WITNESS_KEY and AUDIT_WITNESS_LOG_KEYS)");
    if (bytes.length > MAX_WITNESS_REQUEST) return plain(400, "malformed_request");
    const origin = requestOrigin(bytes);
    let answer;
    this.ctx.storage.transactionSync(() => {
      const row = origin === null ? [] : this.#sql.exec("SELECT size, root FROM bh_witness_logs WHERE origin = ?", origin).toArray();
      const state = row.length ? `${row[0].size} ${row[0].root}` : "";
      TRAIL.heal();
      let r;
      try {
        r = JSON.parse(witnessAddCheckpointJson(bytes, config.logKeys, config.key, state, Math.floor(Date.now() / 1000)));
      } catch (err) {
        if (!refusal(err)) trailWasmState.poisoned = true;
        answer = plain(500, "the witness failed on this request");
        return;
      }
      if (r.error) {
        // Its own configuration (a malformed key) is at fault, not the request.
        console.error(`bh-audit-logger: AuditWitness: ${r.message ?? r.error}`);
        answer = plain(500, "this witness is misconfigured");
        return;
      }
      if (r.status === 200 && r.origin !== origin) {
        answer = plain(500, "the witness failed on this request");
        return;
      }
      if (r.status === 200) {
        const [size, root] = String(r.newState).split(" ");
        this.#sql.exec(
          "INSERT INTO bh_witness_logs (origin, size, root, note) VALUES (?, ?, ?, ?) ON CONFLICT(origin) DO UPDATE SET size = excluded.size, root = excluded.root, note = excluded.note",
          origin, Number(size), root, r.cosigned,
        );
      } else if (r.status === 422 && typeof r.origin === "string") {
        // A checkpoint the log signed that does not extend what was cosigned: evidence, kept (the latest 100 per origin).
        this.#sql.exec("INSERT INTO bh_witness_evidence (origin, reason, at, request) VALUES (?, ?, ?, ?)", r.origin, r.reason, Date.now(), new TextDecoder().decode(bytes));
        this.#sql.exec("DELETE FROM bh_witness_evidence WHERE origin = ? AND id NOT IN (SELECT id FROM bh_witness_evidence WHERE origin = ? ORDER BY id DESC LIMIT 100)", r.origin, r.origin);
        console.error(`bh-audit-logger: AuditWitness: a checkpoint of a known log was refused as ${r.reason}: evidence kept`);
      }
      answer = { status: r.status, contentType: r.contentType, body: r.body };
    });
    return answer;
  }

  /** The latest checkpoint cosigned for `origin` (the log's signature and this witness's cosignature), or null. */
  latest(origin) {
    const rows = this.#sql.exec("SELECT note FROM bh_witness_logs WHERE origin = ?", String(origin)).toArray();
    return rows.length ? rows[0].note : null;
  }

  async fetch(request) {
    const url = new URL(request.url);
    const text = (body, status = 200) => new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
    if (url.pathname === "/add-checkpoint") {
      if (request.method !== "POST") return text("method not allowed\n", 405);
      const declared = Number(request.headers.get("content-length") ?? 0);
      if (declared > MAX_WITNESS_REQUEST) return text("malformed_request\n", 400);
      const a = this.addCheckpoint(new Uint8Array(await request.arrayBuffer()));
      return new Response(a.body, { status: a.status, headers: { "content-type": a.contentType } });
    }
    if (request.method !== "GET") return text("method not allowed\n", 405);
    if (url.pathname === "/checkpoint" || url.pathname === "/evidence") {
      let origin = url.searchParams.get("origin");
      if (origin === null) {
        const all = this.#sql.exec("SELECT origin FROM bh_witness_logs LIMIT 2").toArray();
        if (all.length !== 1) return text("`origin` is required\n", 400);
        origin = all[0].origin;
      }
      if (url.pathname === "/evidence") {
        const rows = this.#sql.exec("SELECT reason, at, request FROM bh_witness_evidence WHERE origin = ? ORDER BY id", origin).toArray();
        return Response.json(rows);
      }
      const note = this.latest(origin);
      return note === null ? text("no checkpoint cosigned for that origin\n", 404) : text(note);
    }
    return text("not found\n", 404);
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
