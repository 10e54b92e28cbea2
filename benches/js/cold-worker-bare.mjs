// The same Worker without the package (benches/js/cold-workerd.mjs's reference): it writes a
// line of the same shape by hand, with no schema, no validation and no sanitizing.
export default {
  async fetch() {
    const line = JSON.stringify({
      schema_version: "1.1",
      event_id: crypto.randomUUID(),
      timestamp: new Date().toISOString(),
      service: { name: "bh-notes-api", environment: "production" },
      actor: { subject_id: "user_123", subject_type: "human" },
      action: { type: "READ", data_classification: "UNKNOWN" },
      resource: { type: "Patient", id: "pat_456" },
      outcome: { status: "SUCCESS" },
    });
    return new Response(line);
  },
};
