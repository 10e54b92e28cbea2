// Types for bh-audit-logger (the JS surface of API.md).

export type ActionType = "READ" | "CREATE" | "UPDATE" | "DELETE" | "EXPORT" | "LOGIN" | "LOGOUT" | "PRINT" | "OVERRIDE" | "OTHER";
export type OutcomeStatus = "SUCCESS" | "FAILURE" | "DENIED";
/** "agent" needs schemaVersion "2.0" or "2.1". */
export type ActorType = "human" | "service" | "agent";
export type SchemaVersion = "1.0" | "1.1" | "2.0" | "2.1";
export type DelegationType = "supervised" | "autonomous" | "scheduled";
export type AgentInterface = "ui_driving" | "api" | "mcp" | "cli" | "sdk";
/** Schema 2.1; totally ordered, weakest first: compare with `compareAttributionLevels`, never as strings. */
export type AttributionLevel = "unattributed" | "asserted" | "bound" | "verified";
export type DataClassification = "PHI" | "PII" | "NONE" | "UNKNOWN";
export type HashAlgorithm = "sha256" | "sha384" | "sha512";
export type DiagnosticLevel = "debug" | "warn" | "error";
export type MetadataValue = string | number | boolean | null;

export interface ServiceBlock { name: string; environment?: string; version?: string }
export interface CorrelationBlock { request_id?: string; trace_id?: string; session_id?: string }
export interface ActorBlock { subject_id: string; subject_type: ActorType; org_id?: string; owner_org_id?: string; roles?: string[] }
export interface ActionBlock { type: ActionType; name?: string; phi_touched?: boolean; data_classification?: DataClassification }
export interface ResourceBlock { type: string; id?: string; patient_id?: string }
export interface HttpBlock {
  method?: "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS";
  route_template?: string;
  status_code?: number;
  client_ip?: string;
  user_agent?: string;
}
export interface OutcomeBlock { status: OutcomeStatus; error_type?: string; error_message?: string }
export interface IntegrityBlock { event_hash?: string; prev_event_hash?: string; hash_alg?: HashAlgorithm }
/** The acting agent's descriptor: every value a string of at most 128 code points. */
export interface AgentDescriptor {
  interface: AgentInterface;
  vendor?: string;
  model_family?: string;
  model_version?: string;
  harness?: string;
  harness_version?: string;
}
/** Schema 2.x: the acting agent and the human who authorized it. */
export interface DelegationBlock {
  acting: { subject_id: string; subject_type: "agent"; agent: AgentDescriptor };
  authorizing: { subject_id: string; subject_type: "human"; org_id?: string };
  delegation_type: DelegationType;
  agent_session_id: string;
  /** 1..32; >= 2 requires parent_agent_session_id. */
  chain_depth?: number;
  parent_agent_session_id?: string;
}
/** Schema 2.1: how the delegation is known (RFC 0003). */
export interface AttributionBlock { level: AttributionLevel; method?: string }

/** A bh-audit-schema 1.0 / 1.1 event, keys in the schema's property order. */
export interface AuditEvent {
  schema_version: SchemaVersion;
  event_id: string;
  timestamp: string;
  service: ServiceBlock;
  correlation?: CorrelationBlock;
  actor: ActorBlock;
  action: ActionBlock;
  resource: ResourceBlock;
  http?: HttpBlock;
  outcome: OutcomeBlock;
  integrity?: IntegrityBlock;
  metadata?: Record<string, MetadataValue>;
  /** Schema 2.x. */
  delegation?: DelegationBlock;
  /** Schema 2.1. */
  attribution?: AttributionBlock;
}

/** A function sink: called once per emitted event with the event. A returned promise is tracked (`pending`, `flush`). */
export type FunctionSink = (event: AuditEvent) => void | Promise<void>;

/**
 * A destination (as pino's): receives each emitted line (the reference's `json.dumps` text) followed
 * by "\n", never re-serialized; `process.stdout` is one. A returned promise is tracked.
 */
export interface Destination {
  write(line: string): unknown;
}

/** Where events go: a function (receives the event) or a destination (receives the line). */
export type Sink = FunctionSink | Destination;

/** A destination (pino-style): receives each emitted line followed by "\n". */
export interface Destination {
  write(line: string): void | Promise<void>;
  /** Optional: `logger.flush(timeoutMs)` also awaits it, passing the time left. */
  flush?(timeoutMs?: number): Promise<void>;
  /**
   * Optional: a logger given this sink calls it once at construction. When it returns a port
   * (`{ write(line) }`), the logger writes through the port and each event is pending until the
   * destination settles it through `reporter` (see DestinationReporter); otherwise an event
   * counts as emitted when `write` returns.
   */
  attach?(reporter: DestinationReporter): DestinationPort | void;
}

/** What `attach` returns: the logger's way in, its events reported to its own reporter. */
export interface DestinationPort {
  write(line: string): void;
}

/**
 * How a destination reports to the logger that wrote an event (through its port):
 * `settled(delivered, dropped)` moves that many of the logger's pending events to
 * `events_emitted_total` / `events_dropped_total` (one counter per event, never both);
 * `diagnostic(level, message)` goes to its `onDiagnostic`. Messages carry counts, statuses,
 * positions in a batch and error class names, never event content. A destination keeps a
 * reporter only while that logger has events pending.
 */
export interface DestinationReporter {
  settled(delivered: number, dropped: number): void;
  diagnostic(level: DiagnosticLevel, message: string): void;
}

/** Counters of a batching destination. */
export interface BatchingStats {
  /** Lines given to write(). */
  written: number;
  /** Events the receiver acknowledged. */
  delivered: number;
  /** Events given up on (buffer full, retries exhausted, refused, conflicts, flush timeout). */
  dropped: number;
  /** Events refused because their event_id is stored with different content (in `dropped` too). */
  conflicts: number;
  /** Delivery attempts that were retried. */
  retries: number;
  /** Batches delivered. */
  batches: number;
  /** Events held now (buffered or in flight); at most maxBufferedEvents. */
  buffered: number;
  /** Events written and not yet delivered or given up. */
  pending: number;
  /** httpSink in browsers: events handed to sendBeacon at pagehide. */
  beaconed?: number;
}

/**
 * A destination that buffers lines and delivers them in batches (httpSink, chainSink,
 * d1Store().sink, queueSink). `write` never throws; `flush()` sends what is buffered and
 * resolves once every event written before it is delivered or given up (with `timeoutMs`,
 * those still unsettled then are given up and counted as dropped; events written during the
 * flush are never discarded by it). Never rejects.
 */
export interface BatchingDestination extends Destination {
  flush(timeoutMs?: number): Promise<void>;
  attach(reporter: DestinationReporter): DestinationPort | void;
  readonly stats: BatchingStats;
}

/** Options every batching destination shares. */
export interface BatchingOptions {
  /** Events per batch. Default 100. */
  batchSize?: number;
  /** A partial batch is sent this long after its first event. Default 1000. */
  flushIntervalMs?: number;
  /** Retries of a failed batch before its events are dropped. Default 5. */
  maxRetries?: number;
  /** Events held (buffered or in flight) at most; beyond, new events are dropped. Default 10000. */
  maxBufferedEvents?: number;
  /** Backoff base: retry n waits random(0, min(maxBackoffMs, backoffMs * 2^n)) ms. Default 200 (100 for the Cloudflare sinks). */
  backoffMs?: number;
  /** Default 30000 (5000 for the Cloudflare sinks). */
  maxBackoffMs?: number;
  /** A server's Retry-After is honoured up to this. Default 60000. */
  maxRetryAfterMs?: number;
  /** Batches in flight at once. Default 1. */
  concurrency?: number;
  /** Random source for the jitter, in [0, 1). Default Math.random. */
  random?: () => number;
}

export interface HttpSinkOptions extends BatchingOptions {
  /** An http: or https: URL without credentials (a RangeError at construction otherwise). */
  url: string | URL;
  /** Sent with every batch (not with a pagehide beacon, which cannot carry headers). Valid HTTP names and values only (no CR, LF, NUL; a RangeError at construction). */
  headers?: Record<string, string>;
  /** Default globalThis.fetch. */
  fetch?: typeof fetch;
  /** An attempt with no response after this is retried. Default 10000. */
  timeoutMs?: number;
}

/**
 * POSTs batches as NDJSON (`application/x-ndjson`, an `Idempotency-Key` header stable across a
 * batch's retries); retries network errors, timeouts, 408, 429 and 5xx with exponential backoff
 * and full jitter, honouring Retry-After; other answers drop the batch. Redirects are never
 * followed: a 3xx (or an opaque redirect) is a failed delivery, not retried. In browsers, what is
 * buffered at `pagehide` goes out with `navigator.sendBeacon`.
 */
export function httpSink(options: HttpSinkOptions): BatchingDestination;

export interface AuditLoggerOptions {
  serviceName: string;
  serviceEnvironment?: string;
  serviceVersion?: string;
  defaultActorId?: string;
  defaultActorType?: ActorType;
  metadataAllowlist?: Iterable<string>;
  sanitizeErrors?: boolean;
  /** Integer >= 10, code points. Default 200. */
  errorMessageMaxLen?: number;
  /** Integer >= 1, code points. Default 200. */
  maxMetadataValueLength?: number;
  emitFailureMode?: "silent" | "log" | "raise";
  validationFailureMode?: "drop" | "log_and_emit" | "raise";
  /** The version emitted. Default "1.1". */
  schemaVersion?: SchemaVersion;
  /** Agent data on a 1.x target: throw (default), or collapse to the authorizing human. */
  agentEventDowngradeMode?: "raise" | "strip";
  redaction?: "reference" | "strict";
  timeSource?: () => Date | number;
  idFactory?: () => string;
  sink?: Sink | Destination;
  onDiagnostic?: (level: DiagnosticLevel, message: string) => void;
  /** Integer >= 1. Default 10000. */
  maxPending?: number;
  enableIntegrity?: boolean;
  hashAlgorithm?: HashAlgorithm;
  /** Resume a chain: the last event_hash of a previous run. */
  chainHead?: string;
  /** Accepted for parity with the Python config; unused. */
  failureLoggerName?: string;
}

export interface ResolvedConfig extends Readonly<Required<Omit<AuditLoggerOptions, "metadataAllowlist" | "serviceVersion" | "chainHead" | "failureLoggerName">>> {
  readonly metadataAllowlist: readonly string[];
  readonly serviceVersion: string | null;
  readonly chainHead: string | null;
}

export interface AuditOptions {
  actor?: Partial<ActorBlock>;
  resource?: ResourceBlock;
  outcome?: OutcomeBlock;
  correlation?: CorrelationBlock;
  metadata?: Record<string, unknown>;
  phiTouched?: boolean;
  dataClassification?: DataClassification;
  actionName?: string;
  /** An Error (error_type = its class name) or a string (error_type "ApplicationError"). */
  error?: Error | string;
  /** Schema 2.x: the delegation block, as given. */
  delegation?: DelegationBlock;
  /** Schema 2.1: the attribution block (RFC 0003 rules R1-R4 are enforced when building). */
  attribution?: AttributionBlock;
}

/** `auditAgentAction`: the reference 2.0.0's `audit_agent_action`, camelCase. */
export interface AgentActionOptions extends Omit<AuditOptions, "delegation"> {
  /** The authenticating credential: actor.subject_id. */
  agentSubjectId: string;
  agent: AgentDescriptor;
  /** The authorizing human: delegation.authorizing.subject_id. */
  authorizingSubjectId: string;
  agentSessionId: string;
  delegationType: DelegationType;
  chainDepth?: number;
  parentAgentSessionId?: string;
  authorizingOrgId?: string;
  /** The acting instance: delegation.acting.subject_id (default agentSubjectId). */
  actingSubjectId?: string;
}

/** `auditAgentSessionStart` / `auditAgentSessionEnd`: chainDepth defaults to 1. */
export type AgentSessionOptions = Omit<AgentActionOptions, "resource" | "outcome" | "error" | "phiTouched" | "dataClassification" | "actionName">;

/** `auditHumanOverride`: the actor must have subject_type "human". */
export interface HumanOverrideOptions {
  actor: Partial<ActorBlock> & { subject_type: "human" };
  actionName?: string;
  outcome?: OutcomeBlock;
  correlation?: CorrelationBlock;
  metadata?: Record<string, unknown>;
}

/** What the agent helpers throw (a TypeError): the field at fault and the schema rule, if any. */
export interface AgentRefusal extends TypeError {
  readonly field: string;
  readonly rule?: string;
}

export interface AccessDeniedOptions extends Omit<AuditOptions, "outcome" | "error"> {
  errorType?: string;
  errorMessage?: string;
}

export interface AuditStats {
  events_emitted_total: number;
  emit_failures_total: number;
  events_dropped_total: number;
  validation_failures_total: number;
  integrity_events_total: number;
  chain_gaps_total: number;
  validation_time_ms_total: number;
}

export class AuditLogger {
  constructor(options: AuditLoggerOptions);
  readonly config: ResolvedConfig;
  /** A fresh snapshot of the counters. */
  readonly stats: AuditStats;
  /** Async sink calls not yet settled. */
  readonly pending: number;
  /** Last event_hash when `enableIntegrity` is on; assign to resume a chain (null to restart). */
  get chainHead(): string | undefined;
  set chainHead(head: string | null | undefined);
  /** Returns the emitted event, or null when it was dropped. */
  audit(actionType: ActionType, options?: AuditOptions): AuditEvent | null;
  auditLoginSuccess(options?: Omit<AuditOptions, "outcome" | "error">): AuditEvent | null;
  auditLoginFailure(options?: Omit<AuditOptions, "outcome">): AuditEvent | null;
  auditAccess(actionType: ActionType, options?: AuditOptions): AuditEvent | null;
  auditAccessDenied(actionType: ActionType, options?: AccessDeniedOptions): AuditEvent | null;
  /** Schema 2.x: an AI agent acting under a human's authority. Throws an AgentRefusal (TypeError). */
  auditAgentAction(actionType: ActionType, options: AgentActionOptions): AuditEvent | null;
  /** OVERRIDE by a human on the agent session (schema 2.x). */
  auditHumanOverride(agentSessionId: string, options: HumanOverrideOptions): AuditEvent | null;
  auditAgentSessionStart(options: AgentSessionOptions): AuditEvent | null;
  auditAgentSessionEnd(options: AgentSessionOptions): AuditEvent | null;
  /** Prepare, validate and emit a pre-built event; true when the sink took it. */
  emit(event: AuditEvent | Record<string, unknown>): boolean;
  /** Resolves when pending async sink calls settle, then the sink's own flush() (batching destinations), or after timeoutMs (default 5000). Never rejects. */
  flush(timeoutMs?: number): Promise<void>;
}

export interface ValidationErrorItem {
  /** JSON Pointer into the event ("" = the event itself). */
  instancePath: string;
  /** JSON Pointer to the failing keyword in the schema. */
  schemaPath: string;
  keyword: string;
  /** What the rule requires; never the value. */
  message: string;
  /** The `$comment` of the schema rule the error falls under, where the schema states one. */
  rule?: string;
  /** For keyword "syntax": 1-based line. */
  line?: number;
  /** For keyword "syntax": 1-based column, in UTF-8 bytes of that line. */
  column?: number;
}

export interface ValidationResult { valid: boolean; errors: ValidationErrorItem[] }

export class ValidationError extends Error {
  readonly errors: ValidationErrorItem[];
}

export const ATTRIBUTION_LEVELS: readonly AttributionLevel[];
/** Compare by order (unattributed < asserted < bound < verified): negative, 0 or positive. */
export function compareAttributionLevels(a: AttributionLevel, b: AttributionLevel): number;
export function validateEvent(event: unknown, options?: { schemaVersion?: "1.0" | "1.1" | "2.0" | "2.1" }): ValidationResult;
export function assertValidEvent(event: unknown, options?: { schemaVersion?: "1.0" | "1.1" | "2.0" | "2.1" }): void;
export function sanitizeErrorMessage(message: string | null | undefined, maxLen?: number, options?: { redaction?: "reference" | "strict" }): string;

export interface MemorySink extends FunctionSink {
  /** A copy of the stored events. */
  readonly events: AuditEvent[];
  readonly length: number;
  clear(): void;
}
export function memorySink(options?: { maxlen?: number }): MemorySink;
export function consoleSink(options?: { level?: "debug" | "info" | "log" | "warn" | "error" }): Destination;

export const SCHEMA_VERSIONS: readonly ["1.0", "1.1", "2.0", "2.1"];
