// Compiled (not run) by types.test.mjs: the .d.ts must accept correct use and reject misuse.
import { AuditLogger, memorySink, validateEvent, sanitizeErrorMessage, verifyChain, ValidationError, SCHEMA_VERSIONS, toFhirAuditEvent, type AuditEvent, type FhirAuditEvent } from "bh-audit-logger";

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
