// Compiled (not run) by types.test.mjs: the .d.ts must accept correct use and reject misuse.
import { AuditLogger, memorySink, validateEvent, sanitizeErrorMessage, ValidationError, SCHEMA_VERSIONS, ATTRIBUTION_LEVELS, compareAttributionLevels, type AuditEvent, type AttributionLevel } from "bh-audit-logger";
import { ChainVerifier, TrailReport, type ChainReport, type TrailSummary, verifyChain, toFhirAuditEvent, type FhirAuditEvent, generateSignerKey, signCheckpoint, openCheckpoint, verifyInclusionProof, verifyConsistency, CheckpointError } from "bh-audit-logger/trail";

const sink = memorySink({ maxlen: 10 });
const logger = new AuditLogger({ serviceName: "svc", sink, metadataAllowlist: new Set(["a"]), timeSource: () => new Date(), emitFailureMode: "log" });
const ev: AuditEvent | null = logger.audit("READ", { resource: { type: "Note" }, error: new Error("x"), metadata: { a: 1 } });
const ok: boolean = validateEvent(ev).valid;
const s: string = sanitizeErrorMessage("x", 20, { redaction: "strict" });
const n: number = logger.stats.events_emitted_total + sink.length + verifyChain("").checked;
const v: readonly string[] = SCHEMA_VERSIONS;
const fhir: FhirAuditEvent = toFhirAuditEvent(ev);
const fhirAction: "C" | "R" | "U" | "D" | "E" = fhir.action;
void [ok, s, n, v, ValidationError, logger.flush(100), fhirAction];
// @ts-expect-error a resource's outcome code is "0" or "8"
const badOutcome: "4" = fhir.outcome.code.code;
// @ts-expect-error unknown action type
logger.audit("PEEK");
// @ts-expect-error emitFailureMode is an enum
new AuditLogger({ serviceName: "svc", emitFailureMode: "loud" });
// @ts-expect-error serviceName is required
new AuditLogger({});
const cv = new ChainVerifier({ maxFailures: 10 });
cv.push(new Uint8Array([123]));
cv.push("}\n");
const cr: ChainReport = cv.finish();
const tr = new TrailReport({ schemaVersion: "2.1" });
tr.push(new ArrayBuffer(0));
const summary: TrailSummary = tr.finish();
const hours: number = summary.hourly.buckets[0]?.[1] ?? 0;
void [cr.failures_omitted, summary.by_action["READ"], summary.chain?.ok, hours, tr.events];
// @ts-expect-error schemaVersion is one of the vendored versions
new TrailReport({ schemaVersion: "3.0" });

// Schema 2.x agent attribution.
const agents = new AuditLogger({ serviceName: "mcp", schemaVersion: "2.1", defaultActorType: "agent", agentEventDowngradeMode: "strip" });
const call = { agentSubjectId: "agent_cred_9", agent: { interface: "mcp" as const, vendor: "v" }, authorizingSubjectId: "user_1", agentSessionId: "s1", delegationType: "supervised" as const };
const a1: AuditEvent | null = agents.auditAgentAction("READ", { ...call, resource: { type: "Patient", id: "p1" }, chainDepth: 1, attribution: { level: "verified", method: "id_jag" } });
const a2: AuditEvent | null = agents.auditAgentSessionStart(call);
const a3: AuditEvent | null = agents.auditHumanOverride("s1", { actor: { subject_id: "u1", subject_type: "human" }, actionName: "cancel_agent_session" });
const order: number = compareAttributionLevels("bound", "asserted") + agents.stats.integrity_events_total + agents.stats.validation_time_ms_total;
const rule: string | undefined = validateEvent(a1).errors[0]?.rule;
const levels: readonly AttributionLevel[] = ATTRIBUTION_LEVELS;
void [a2, a3, order, rule, levels, a1?.delegation?.acting.agent.interface, a1?.attribution?.level];
// @ts-expect-error the descriptor needs an interface
agents.auditAgentAction("READ", { ...call, agent: { vendor: "v" } });
// @ts-expect-error the override actor must be human
agents.auditHumanOverride("s1", { actor: { subject_id: "a", subject_type: "agent" } });
// @ts-expect-error not an attribution level
compareAttributionLevels("high", "bound");

// Verifiable trails: checkpoints make finish() async; keys and proofs are strings.
const keys = await generateSignerKey("audit.example.org/notes-api");
const head = new ChainVerifier().finish().tree;
if (head) {
  const note: string = await signCheckpoint({ origin: "audit.example.org/notes-api", size: head.size, root: head.root }, keys.signerKey);
  const opened = await openCheckpoint(note, [keys.verifierKey]);
  const n: number = opened.size;
  const withCps: Promise<ChainReport> = new ChainVerifier({ checkpoints: [note], verifierKeys: [keys.verifierKey] }).finish();
  const summary2: Promise<TrailSummary> = new TrailReport({ checkpoints: [note], verifierKeys: [keys.verifierKey], allowUnchained: true }).finish();
  const proof = await verifyInclusionProof("c2sp.org/tlog-proof@v1\n", "{}", keys.verifierKey);
  const ok: boolean = proof.ok && (await verifyConsistency(note, note, [], [keys.verifierKey])).ok;
  void [n, withCps, summary2, ok];
}
try {
  await openCheckpoint("", "k");
} catch (e) {
  if (e instanceof CheckpointError) void e.reason;
}
