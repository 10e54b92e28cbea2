// Types of bh-audit-logger/cloudflare (Workers only).
import type { BatchingDestination, BatchingOptions, AuditEvent, DiagnosticLevel, HashAlgorithm, Destination, DestinationReporter, DestinationPort } from "./index.js";
import type { ChainReport } from "./trail.js";

/**
 * What a store reports for a batch of lines (indexes in the batch): `rejected`, lines that are not
 * event lines (or longer than 1 MiB in UTF-8); `conflicts`, lines whose event_id is already stored
 * with different content (refused, never silently skipped); `duplicates`, lines identical to one
 * stored (a retry, skipped).
 */
export interface StoreResult {
  stored: number;
  duplicates: number;
  rejected: number[];
  conflicts: number[];
}

/**
 * Durable Object class: the single writer of one stream's chain (SQLite storage: declare it in
 * `new_sqlite_classes`). Chains each line as bh-audit-logger 1.1.1 does, idempotent by event_id.
 * HTTP: `POST /append` (NDJSON), `GET /export?from=N&limit=M` (JSONL), `GET /head`, `GET /verify`.
 *
 * Verifiable trail (env, see README "Verifiable trails on Cloudflare"): with `AUDIT_SIGNER_KEY`
 * (a signer key, or one per line for several streams: a stream takes the key whose origin is the
 * stream's name or ends in `/<stream>`) it keeps the RFC 6962 tree of the stored lines and signs a
 * C2SP checkpoint after each stored batch; `GET /checkpoint[?size=M]` (the note, text/plain),
 * `GET /checkpoints` (the sizes, JSON), `GET /proof?index=N[&size=M]` (a C2SP tlog-proof),
 * `GET /consistency?old=M[&new=N]` (base64 hashes, one per line). Without a key they answer 501.
 * With `AUDIT_WITNESS` (an AuditWitness namespace or a service binding) or `AUDIT_WITNESS_URL`
 * (a tlog-witness URL prefix) each checkpoint is cosigned and the cosignature lines kept on it.
 * These endpoints are the auditor's: route to them only behind `auditorAuth`.
 */
export class AuditChain {
  /** Subclass to change: "sha256" (default), "sha384", "sha512". */
  static hashAlgorithm: HashAlgorithm;
  constructor(ctx: unknown, env: unknown);
  /**
   * Chain and store lines in one transaction; resolves only once they are stored (and, with a
   * signer key and a witness, once the batch's checkpoint was signed and sent to the witness).
   */
  storeLines(lines: string[]): Promise<StoreResult & { event_hash: string | null; seq: number }>;
  /** The last stored event's hash and sequence number (null, 0 when empty). */
  head(): { event_hash: string | null; seq: number };
  /** JSONL from sequence number `from` (default 1). */
  exportJsonl(from?: number, limit?: number): string;
  /** verifyChain's result over the whole trail. */
  /** The chain (and, with a signer key, the latest checkpoint) over the whole trail. */
  verify(): Promise<ChainReport>;
  /** The stored checkpoint note of tree size `size` (default: the latest) with its cosignatures, or null. */
  checkpoint(size?: number): string | null;
  /** The sizes of the stored checkpoints, ascending. */
  checkpointSizes(): number[];
  /** A C2SP tlog-proof of entry `index` (0-based, trail order) against the stored checkpoint of size `size` (default: the latest). */
  inclusionProof(index: number, size?: number): string;
  /** The consistency proof (base64 hashes) from tree size `old` to `size` (default: the latest checkpoint's). */
  consistencyProof(old: number, size?: number): string[];
  fetch(request: Request): Promise<Response>;
}

/**
 * Durable Object class: a C2SP tlog-witness for the logs whose verifier keys are in
 * `env.AUDIT_WITNESS_LOG_KEYS` (one per line), cosigning (tlog-cosignature v1) with
 * `env.AUDIT_WITNESS_KEY` (a cosignature signer key, type 0x04). SQLite storage.
 * HTTP: `POST /add-checkpoint` (the spec's answers: 200 cosignature lines; 400, 403, 404; 409 with
 * its size as `text/x.tlog.size`; 422 for a checkpoint that does not extend what it cosigned,
 * `two_histories` for the same size with another root), `GET /checkpoint?origin=O` (the latest it
 * cosigned), `GET /evidence?origin=O` (refused forks: `[{ reason, at, request }]`).
 */
export class AuditWitness {
  constructor(ctx: unknown, env: unknown);
  /** Answer an add-checkpoint request body. */
  addCheckpoint(body: string | ArrayBuffer | ArrayBufferView): { status: number; contentType: string; body: string };
  /** The latest checkpoint cosigned for `origin` (with the log's signature and the cosignature), or null. */
  latest(origin: string): string | null;
  fetch(request: Request): Promise<Response>;
}

/** The parts of a Durable Object namespace binding used here. */
export interface AuditChainNamespace {
  idFromName(name: string): unknown;
  get(id: unknown): { storeLines(lines: string[]): Promise<StoreResult> };
}

/** The parts of a D1 binding used here. */
export interface D1Like {
  prepare(sql: string): { bind(...values: unknown[]): unknown; all(): Promise<{ results: Record<string, unknown>[] }> };
  batch(statements: unknown[]): Promise<{ meta?: { changes?: number } }[]>;
}

export interface StreamOptions {
  /** The chain's name (`namespace.idFromName(stream)`). Default "default". */
  stream?: string;
}

/** A batching destination delivering to `stream`'s AuditChain, with retry (never duplicates or forks). */
export function chainSink(namespace: AuditChainNamespace, options?: StreamOptions & BatchingOptions): BatchingDestination;

export interface TimeRange {
  /** RFC 3339 timestamps (Z or an offset), inclusive; compared as instants (a RangeError for anything else). */
  from?: string;
  to?: string;
}
export interface QueryOptions extends TimeRange {
  /** Default 1000, at most 100000. */
  limit?: number;
}

export interface D1Store {
  readonly table: string;
  /** Create the table (event_id primary key; timestamp and `utc`, the instant as sortable UTC text; indexed patient_id, actor_id, outcome, action; the line) and its indexes; adds `utc` to an older table. Idempotent. */
  migrate(): Promise<void>;
  /** A batching destination: one transaction per batch; an event_id is written once (a retry skipped, other content a conflict, counted dropped). */
  readonly sink: BatchingDestination;
  storeLines(lines: string[]): Promise<StoreResult>;
  /** Events whose resource.patient_id is `id`, oldest first. */
  byPatient(id: string, options?: QueryOptions): Promise<AuditEvent[]>;
  /** Events whose actor.subject_id is `id`, oldest first. */
  byActor(id: string, options?: QueryOptions): Promise<AuditEvent[]>;
  /** Events with outcome DENIED, oldest first. */
  denials(options?: QueryOptions): Promise<AuditEvent[]>;
  /** The stored lines in the range as JSONL, oldest first. */
  exportJsonl(options?: TimeRange): Promise<string>;
}
export function d1Store(db: D1Like, options?: { table?: string } & BatchingOptions): D1Store;

/** A batching destination over a Queue producer (`sendBatch`; batchSize at most 100). */
export function queueSink(queue: { sendBatch(messages: { body: string; contentType?: string }[]): Promise<unknown> }, options?: BatchingOptions): BatchingDestination;

export interface QueueConsumerStats {
  stored: number;
  duplicates: number;
  retried: number;
  /** Deliveries of messages that were not event lines (never acked: dead-lettered after max_retries; a message counts once per delivery, in this isolate). */
  poison: number;
  /** Deliveries of messages whose event_id is stored with other content (never acked, as poison). */
  conflicts: number;
}
export interface QueueHandler {
  (batch: { queue: string; messages: { body: unknown; ack(): void; retry(): void }[] }, env: unknown, ctx?: unknown): Promise<void>;
  readonly stats: QueueConsumerStats;
}
export function auditQueueConsumer(
  options: ({ store: D1Store | { storeLines(lines: string[]): Promise<StoreResult> } | ((env: any) => D1Store) } | { chain: AuditChainNamespace | ((env: any) => AuditChainNamespace) }) &
    StreamOptions & { onDiagnostic?: (level: DiagnosticLevel, message: string) => void },
): QueueHandler;

/** The fields a store indexes, or null when `line` is not an event line (the one rule of AuditChain, d1Store and auditQueueConsumer). */
export function eventFields(line: string): { event_id: string; timestamp: string; utc: string | null; patient_id: string | null; actor_id: string | null; outcome: string | null; action: string | null } | null;

/** A timestamp (RFC 3339, Z or an offset) as UTC text that sorts as instants do (`YYYY-MM-DDTHH:MM:SS.fffffffffZ`), or null. */
export function utcInstant(timestamp: string): string | null;

/**
 * One destination writing each line to several (e.g. an AuditChain and D1): an event counts as
 * emitted once every destination delivered it, as dropped (once) if any gave up.
 */
export function fanout(...destinations: Destination[]): Destination & { flush(timeoutMs?: number): Promise<void>; attach(reporter: DestinationReporter): DestinationPort | void };

/**
 * For the auditor's endpoints: resolves true only when `request` carries
 * `authorization: Bearer <expected>`, compared in constant time; false for every request while
 * `expected` is unset, not a string or shorter than 16 characters. Never throws.
 * `if (!(await auditorAuth(request, env.AUDITOR_TOKEN))) return new Response("forbidden", { status: 403 });`
 */
export function auditorAuth(request: Request, expected: string | undefined): Promise<boolean>;
