// Types of bh-audit-logger/trail: the auditor's entry (its own wasm module).
import type { HashAlgorithm } from "./index.js";
export { ValidationError, SCHEMA_VERSIONS } from "./index.js";

/** `event_id` only when the event's id is a UUID, else null. */
export interface ChainFailure { line: number; event_id: string | null; kind: string; reason: string }
export interface ChainReport {
  ok: boolean;
  checked: number;
  chain_length: number;
  chain_gaps: number;
  hash_mismatches: number;
  unchained_events: number;
  algorithms: HashAlgorithm[];
  failures: ChainFailure[];
  /** Failures found beyond `maxFailures` (not listed). */
  failures_omitted: number;
  /** 0 pass, 1 integrity failure, 2 input error (as `bh-audit verify`). */
  exit_code: 0 | 1 | 2;
  /** The trail's RFC 6962 tree over its non-blank lines (entries from 0). */
  tree: TreeHead | null;
  /** One result per checkpoint given (`checkpoints` option), in the order given. */
  checkpoints: CheckpointResult[];
}

/** A tree size and its root (standard padded base64, 44 characters). */
export interface TreeHead { size: number; root: string }

/** `trail_mismatch`, `trail_shorter`, `trail_unreadable`, `two_histories`, or why the note did not open. */
export type CheckpointReason =
  | "trail_mismatch" | "trail_shorter" | "trail_unreadable" | "two_histories"
  | "malformed_note" | "malformed_checkpoint" | "unknown_key" | "bad_signature" | "origin_mismatch" | "ambiguous_key" | "malformed_key";

export interface CheckpointResult {
  /** The checkpoint's size (0 when the note did not open). */
  size: number;
  origin: string | null;
  /** The trail's tree at `size` has the checkpoint's root, and a given key signed it. */
  ok: boolean;
  reason?: CheckpointReason;
  /** A fixed sentence for `reason`; never the note's text. */
  message?: string;
  /** The line holding the checkpoint's last entry, when the trail reached it. */
  line?: number;
}

/** Options shared by the streaming checks. */
export interface TrailCheckOptions {
  /** Lines without an `integrity` block are counted, not failures (Python 1.1.1's behaviour). Default false. */
  allowUnchained?: boolean;
  /** Signed checkpoint notes (C2SP tlog-checkpoint) to compare with the trail's tree; `finish()` then returns a Promise. */
  checkpoints?: string[];
  /** Verifier keys (`<name>+<hex id>+<base64>`) that may sign the checkpoints. */
  verifierKeys?: string[];
}
export function verifyChain(jsonl: string, options?: { allowUnchained?: boolean }): ChainReport;

/** A FHIR R5 `AuditEvent` resource (JSON form), as `toFhirAuditEvent` builds it. */
export interface FhirAuditEvent {
  resourceType: "AuditEvent";
  id: string;
  /** Present for 2.0 and 2.1 events: the profile canonical of the event's schema_version. */
  meta?: { profile: [string] };
  category: { coding: { system: string; code: string }[] }[];
  code: { coding: { system: string; code: string }[] };
  action: "C" | "R" | "U" | "D" | "E";
  recorded: string;
  agent: Record<string, unknown>[];
  source: { observer: Record<string, unknown> };
  entity: Record<string, unknown>[];
  outcome: { code: { system: string; code: "0" | "8"; display: string }; detail?: { coding: { system: string; code: string }[] }[] };
  extension?: Record<string, unknown>[];
  patient?: Record<string, unknown>;
}
/**
 * The FHIR R5 AuditEvent for an event (object or JSON text), following the bh-audit-schema FHIR
 * profile. Throws `ValidationError` when the event is invalid or holds a value no R5 primitive accepts.
 */
export function toFhirAuditEvent(event: unknown): FhirAuditEvent;
/** A trail chunk: text, or bytes split anywhere (even inside a UTF-8 sequence). */
export type TrailChunk = string | Uint8Array | ArrayBuffer | ArrayBufferView;

/** `verifyChain` over a trail given in pieces, in memory that does not grow with it. */
export interface ChainVerifier<R = ChainReport> {
  push(chunk: TrailChunk): void;
  /** Bytes pushed so far. */
  readonly bytes: number;
  /** Events examined so far. */
  readonly events: number;
  /** The same result as `verifyChain(wholeText)` (a Promise of it with `checkpoints`); the verifier cannot be used afterwards. */
  finish(): R;
}
/** With `checkpoints`, `finish()` returns a Promise. */
export const ChainVerifier: {
  new (options?: { maxFailures?: number; allowUnchained?: boolean; checkpoints?: undefined }): ChainVerifier<ChainReport>;
  new (options: { maxFailures?: number } & TrailCheckOptions & { checkpoints: string[]; verifierKeys: string[] }): ChainVerifier<Promise<ChainReport>>;
};

export interface TrailFailure {
  line: number;
  /** Only when the event's id is a UUID. */
  event_id: string | null;
  /** `validation`, `invalid_json`, `not_utf8`, `line_too_long`, or a chain failure kind. */
  kind: string;
  /** Schema keyword for `validation` failures, else "". */
  keyword: string;
  /** JSON Pointer to the field; segments that are not schema-style names are written `*`. */
  path: string;
  /** From the schema or a fixed phrase; never a field's value. */
  message: string;
}

export interface TrailSummary {
  ok: boolean;
  /** 0 every line valid and the chain intact, else 1. */
  exit_code: 0 | 1;
  bytes: number;
  lines: number;
  events: number;
  valid: number;
  invalid: number;
  /** Counts by schema name; values outside the schemas' enums are counted as `other`. */
  schema_versions: Record<string, number>;
  by_action: Record<string, number>;
  by_outcome: Record<string, number>;
  by_actor_type: Record<string, number>;
  denials: number;
  phi_touched: number;
  agent_delegated: number;
  /** Earliest and latest valid timestamp, UTC, milliseconds. */
  first_timestamp: string | null;
  last_timestamp: string | null;
  /** Events per bucket (1 hour, wider for long trails) by outcome: [start, SUCCESS, FAILURE, DENIED, other]. */
  hourly: { bucket_hours: number; columns: ["start", "SUCCESS", "FAILURE", "DENIED", "other"]; buckets: [string, number, number, number, number][] };
  /** null with `verifyChain: false`. */
  chain: ChainReport | null;
  failures: TrailFailure[];
  failures_total: number;
  tree: TreeHead;
  checkpoints: CheckpointResult[];
}

/** Validates every line of a JSONL trail, verifies its chain and summarizes it, given in pieces. */
export interface TrailReport<R = TrailSummary> {
  push(chunk: TrailChunk): void;
  readonly bytes: number;
  readonly events: number;
  /** The summary (a Promise of it with `checkpoints`). */
  finish(): R;
}
type TrailReportOptions = { schemaVersion?: "1.0" | "1.1" | "2.0" | "2.1"; verifyChain?: boolean; maxFailures?: number };
/** With `checkpoints`, `finish()` returns a Promise. */
export const TrailReport: {
  new (options?: TrailReportOptions & { allowUnchained?: boolean; checkpoints?: undefined }): TrailReport<TrailSummary>;
  new (options: TrailReportOptions & TrailCheckOptions & { checkpoints: string[]; verifierKeys: string[] }): TrailReport<Promise<TrailSummary>>;
};

/** Thrown by `openCheckpoint` and `signCheckpoint`; `reason` is a stable code; the message never holds the note. */
export class CheckpointError extends Error {
  readonly reason: string;
}

/** A new Ed25519 signer key named `name` (the log's origin), in the Go `note` text forms. */
export function generateSignerKey(name: string): Promise<{ signerKey: string; verifierKey: string }>;
/** The signed checkpoint note (C2SP tlog-checkpoint, signed-note) of a tree head; `origin` must be the key's name. */
export function signCheckpoint(checkpoint: { origin: string; size: number; root: string }, signerKey: string): Promise<string>;
/** The checkpoint, once a signature by one of `verifierKeys` verifies; otherwise a `CheckpointError`. */
export function openCheckpoint(note: string, verifierKeys: string | string[]): Promise<{ origin: string; size: number; root: string; signers: string[] }>;
/** Is `entry` (one line, without its terminator) in the signed tree of the C2SP tlog-proof? Never throws for a bad proof. */
export function verifyInclusionProof(proofText: string, entry: string | Uint8Array, verifierKeys: string | string[]): Promise<{ ok: boolean; index: number | null; size: number | null; origin: string | null; reason?: string }>;
/** Does `newNote` extend `oldNote`? RFC 6962 consistency proof hashes in base64. Never throws for a bad proof. */
export function verifyConsistency(oldNote: string, newNote: string, proofHashes: string[], verifierKeys: string | string[]): Promise<{ ok: boolean; reason?: string }>;

