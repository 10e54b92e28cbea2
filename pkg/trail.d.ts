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
}
export function verifyChain(jsonl: string): ChainReport;

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
export class ChainVerifier {
  constructor(options?: { maxFailures?: number });
  push(chunk: TrailChunk): void;
  /** Bytes pushed so far. */
  readonly bytes: number;
  /** Events examined so far. */
  readonly events: number;
  /** The same result as `verifyChain(wholeText)`; the verifier cannot be used afterwards. */
  finish(): ChainReport;
}

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
}

/** Validates every line of a JSONL trail, verifies its chain and summarizes it, given in pieces. */
export class TrailReport {
  constructor(options?: { schemaVersion?: "1.0" | "1.1" | "2.0" | "2.1"; verifyChain?: boolean; maxFailures?: number });
  push(chunk: TrailChunk): void;
  readonly bytes: number;
  readonly events: number;
  finish(): TrailSummary;
}

