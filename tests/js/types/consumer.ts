// Compiled (not run) by types.test.mjs: the .d.ts must accept correct use and reject misuse.
import { AuditLogger, memorySink, validateEvent, sanitizeErrorMessage, verifyChain, ValidationError, SCHEMA_VERSIONS, ATTRIBUTION_LEVELS, compareAttributionLevels, type AuditEvent, type AttributionLevel } from "bh-audit-logger";

const sink = memorySink({ maxlen: 10 });
const logger = new AuditLogger({ serviceName: "svc", sink, metadataAllowlist: new Set(["a"]), timeSource: () => new Date(), emitFailureMode: "log" });
const ev: AuditEvent | null = logger.audit("READ", { resource: { type: "Note" }, error: new Error("x"), metadata: { a: 1 } });
const ok: boolean = validateEvent(ev).valid;
const s: string = sanitizeErrorMessage("x", 20, { redaction: "strict" });
const n: number = logger.stats.events_emitted_total + sink.length + verifyChain("").checked;
const v: readonly string[] = SCHEMA_VERSIONS;
void [ok, s, n, v, ValidationError, logger.flush(100)];
// @ts-expect-error unknown action type
logger.audit("PEEK");
// @ts-expect-error emitFailureMode is an enum
new AuditLogger({ serviceName: "svc", emitFailureMode: "loud" });
// @ts-expect-error serviceName is required
new AuditLogger({});

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
