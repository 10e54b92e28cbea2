// The main job's demo: real audit events from the npm package in Node, one JSON line each on
// stdout (consoleSink), then a hash-chained trail verified in the same process.
import { AuditLogger, consoleSink, memorySink, validateEvent } from "../pkg/src/node.mjs";
import { verifyChain } from "../pkg/src/trail-node.mjs";

const logger = new AuditLogger({
  serviceName: "bh-notes-api",
  serviceEnvironment: "dev",
  serviceVersion: "2026.11.28",
  metadataAllowlist: ["record_count", "export_format"],
  sink: consoleSink(),
  onDiagnostic: (level, message) => console.error(`[${level}] ${message}`),
});

logger.audit("READ", {
  actor: { subject_id: "user_789", subject_type: "human", org_id: "org_77", roles: ["therapist"] },
  resource: { type: "Patient", id: "pat_456", patient_id: "pat_456" },
  correlation: { request_id: "req_01HT7X9KQZV8N3M2P1R4S5T6U8" },
  phiTouched: true,
  dataClassification: "PHI",
});
logger.audit("UPDATE", {
  actor: { subject_id: "user_789", subject_type: "human" },
  resource: { type: "Note", id: "note_999", patient_id: "pat_456" },
  error: new Error("write failed for jane.doe@example.com (SSN 123-45-6789)"),
});
logger.auditAccessDenied("READ", { actor: { subject_id: "user_42", subject_type: "human" }, resource: { type: "Patient", id: "pat_1" }, errorType: "CrossOrgDenied" });
logger.auditLoginFailure({ actor: { subject_id: "user_42", subject_type: "human" } });
logger.audit("EXPORT", { metadata: { record_count: 12, export_format: "pdf", patient_name: "Jane Q Public" } });
logger.audit("READ", { actor: { subject_id: "user_1", subject_type: "human", ssn: "987-65-4321" } }); // dropped: unknown key
console.error("stats:", JSON.stringify(logger.stats));

const trail = memorySink();
const chained = new AuditLogger({ serviceName: "bh-export-worker", sink: trail, enableIntegrity: true });
for (let i = 0; i < 3; i++) chained.audit("EXPORT", { resource: { type: "PatientRecord", id: `export_${i}` } });
const jsonl = trail.events.map((e) => JSON.stringify(e)).join("\n");
for (const e of trail.events) if (!validateEvent(e).valid) throw new Error("emitted an invalid event");
console.error("chain:", JSON.stringify(verifyChain(jsonl)));
