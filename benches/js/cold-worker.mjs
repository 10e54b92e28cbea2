// The Worker timed by benches/js/cold-workerd.mjs: its first request builds an AuditLogger and
// emits one event (synthetic ids), answering with the line. Bundled with the package.
import { AuditLogger } from "bh-audit-logger";

export default {
  async fetch() {
    const lines = [];
    const logger = new AuditLogger({ serviceName: "bh-notes-api", sink: (e) => lines.push(JSON.stringify(e)) });
    logger.audit("READ", { actor: { subject_id: "user_123", subject_type: "human" }, resource: { type: "Patient", id: "pat_456" } });
    return new Response(lines.join("\n"));
  },
};
