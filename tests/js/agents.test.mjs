// Agent attribution (schema 2.0 / 2.1) through the JS facade: the helpers, their refusals
// (TypeError naming the field, in every failure mode), rules on validation errors, counters.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./harness.mjs";

const { AuditLogger, validateEvent, compareAttributionLevels, ATTRIBUTION_LEVELS } = await import(
  process.env.BH_PKG_ENTRY ?? new URL("../../pkg/src/node.mjs", import.meta.url).href
);

const quiet = () => {};
const CALL = {
  agentSubjectId: "agent_cred_009",
  agent: { interface: "mcp", vendor: "vendor_a", model_family: "model_x" },
  authorizingSubjectId: "user_123",
  agentSessionId: "agsess_01",
  delegationType: "supervised",
  resource: { type: "Patient", id: "pat_456", patient_id: "pat_456" },
};

function logger(options = {}) {
  const events = [];
  const log = new AuditLogger({ serviceName: "bh-mcp-gateway", schemaVersion: "2.1", sink: (e) => events.push(e), onDiagnostic: quiet, ...options });
  return { log, events };
}

test("auditAgentAction builds the agent actor and the delegation block in the reference's order", () => {
  const { log, events } = logger({ schemaVersion: "2.0" });
  const ev = log.auditAgentAction("READ", { ...CALL, actingSubjectId: "agent_inst_1", authorizingOrgId: "org_77", chainDepth: 2, parentAgentSessionId: "agsess_00" });
  assert.deepEqual(ev.actor, { subject_id: "agent_cred_009", subject_type: "agent" });
  assert.deepEqual(Object.keys(ev.delegation), ["acting", "authorizing", "delegation_type", "agent_session_id", "chain_depth", "parent_agent_session_id"]);
  assert.equal(ev.delegation.acting.subject_id, "agent_inst_1");
  assert.deepEqual(ev.delegation.authorizing, { subject_id: "user_123", subject_type: "human", org_id: "org_77" });
  assert.equal(events.length, 1);
  assert.ok(validateEvent(ev).valid);
});

test("session and override helpers set their fixed parts", () => {
  const { log } = logger();
  const start = log.auditAgentSessionStart({ ...CALL, attribution: { level: "bound" } });
  assert.equal(start.action.type, "CREATE");
  assert.equal(start.action.name, "agent_session_start");
  assert.equal(start.action.phi_touched, false);
  assert.equal(start.action.data_classification, "NONE");
  assert.equal(start.delegation.chain_depth, 1);
  assert.deepEqual(start.resource, { type: "AgentSession", id: "agsess_01" });
  const end = log.auditAgentSessionEnd({ ...CALL, attribution: { level: "bound" } });
  assert.equal(end.action.type, "UPDATE");
  assert.equal(end.action.name, "agent_session_end");
  const stop = log.auditHumanOverride("agsess_01", { actor: { subject_id: "user_123", subject_type: "human" }, actionName: "cancel_agent_session" });
  assert.equal(stop.action.type, "OVERRIDE");
  assert.equal(stop.delegation, undefined);
  assert.ok(validateEvent(stop).valid);
});

test("refusals are TypeErrors naming the field, in every failure mode, and count nothing", () => {
  for (const mode of ["silent", "log", "raise"]) {
    const { log, events } = logger({ emitFailureMode: mode, validationFailureMode: mode === "raise" ? "raise" : "drop" });
    const cases = [
      [() => log.auditAgentAction("READ", { ...CALL, agent: { vendor: "v" }, attribution: { level: "verified" } }), "agent.interface"],
      [() => log.auditAgentAction("READ", { ...CALL, agent: { interface: "mcp", system_prompt: "123-45-6789" } }), "agent"],
      [() => log.auditAgentAction("READ", { ...CALL, agent: { interface: "mcp", vendor: "🧠".repeat(129) } }), "agent.vendor"],
      [() => log.auditAgentAction("READ", { ...CALL, agentSubjectId: undefined }), "agentSubjectId"],
      [() => log.auditAgentAction("READ", CALL), "attribution"],
      [() => log.auditHumanOverride("s", { actor: { subject_id: "a", subject_type: "agent" } }), "actor"],
      [() => log.audit("READ", { actor: { subject_id: "a", subject_type: "agent" } }), "delegation"],
    ];
    for (const [fn, field] of cases) {
      assert.throws(fn, (e) => e instanceof TypeError && e.field === field && e.message.includes(field) && !e.message.includes("123-45") && !e.message.includes("🧠"), `${mode}: ${field}`);
    }
    assert.equal(events.length, 0);
    assert.equal(log.stats.validation_failures_total + log.stats.events_dropped_total, 0);
  }
  const v11 = logger({ schemaVersion: "1.1" }).log;
  assert.throws(() => v11.auditAgentAction("READ", CALL), (e) => e instanceof TypeError && e.field === "delegation");
  assert.throws(() => v11.auditHumanOverride("s", { actor: { subject_id: "u", subject_type: "human" } }), (e) => e.field === "actionType");
  const strip = logger({ schemaVersion: "1.1", agentEventDowngradeMode: "strip" }).log;
  assert.deepEqual(strip.auditAgentAction("READ", CALL).actor, { subject_id: "user_123", subject_type: "human" });
  assert.throws(() => new AuditLogger({ serviceName: "s", defaultActorType: "agent" }), RangeError);
});

test("2.1 attribution rules are refused when building, with the rule", () => {
  const { log } = logger();
  const rule = (fn) => {
    try {
      fn();
    } catch (e) {
      return e.rule;
    }
    return "built";
  };
  assert.match(rule(() => log.auditAgentAction("READ", CALL)), /^RFC 0003 R1\./);
  assert.match(rule(() => log.auditAgentAction("READ", { ...CALL, attribution: { level: "unattributed" } })), /^RFC 0003 R2\./);
  assert.match(rule(() => log.audit("READ", { attribution: { level: "asserted" } })), /^RFC 0003 R3\./);
  assert.match(rule(() => log.audit("READ", { actor: { subject_id: "a", subject_type: "agent" } })), /^RFC 0003 R4/);
  assert.match(rule(() => log.auditHumanOverride("s", { actor: { subject_id: "u", subject_type: "human" }, attribution: { level: "unattributed" } })), /^RFC 0001 rule 3/);
  const ok = log.audit("READ", { actor: { subject_id: "a", subject_type: "agent" }, attribution: { level: "unattributed", method: "fail_open" } });
  assert.equal(ok.attribution.level, "unattributed");
});

test("every 2.1 negative example's validation errors carry the rule it breaks", () => {
  const dir = join(ROOT, "tests/data/examples/2.1/negative");
  const expected = { "01": "R4", "21": "R4", 14: "R1", 15: "R2", 16: "R3", "04": "rule 3", "05": "rule 3", "06": "rule 3", "07": "rule 3", 20: "rule 3" };
  let checked = 0;
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    const { valid, errors } = validateEvent(readFileSync(join(dir, f), "utf8"));
    assert.equal(valid, false, f);
    const want = expected[f.slice(0, 2)];
    if (want) {
      assert.ok(errors.some((e) => e.rule?.includes(want)), `${f}: ${JSON.stringify(errors)}`);
      checked++;
    }
  }
  assert.equal(checked, 10);
});

test("levels compare by order, not by spelling; the counters of the reference 2.0.0", () => {
  assert.deepEqual(ATTRIBUTION_LEVELS, ["unattributed", "asserted", "bound", "verified"]);
  assert.ok(compareAttributionLevels("unattributed", "asserted") < 0);
  assert.ok(compareAttributionLevels("verified", "bound") > 0);
  assert.throws(() => compareAttributionLevels("high", "bound"), TypeError);
  const { log } = logger({ enableIntegrity: true });
  log.auditAgentAction("READ", { ...CALL, attribution: { level: "verified" } });
  log.auditAgentAction("READ", { ...CALL, attribution: { level: "verified" } });
  const s = log.stats;
  assert.equal(s.integrity_events_total, 2);
  assert.equal(s.chain_gaps_total, 0);
  assert.ok(s.validation_time_ms_total > 0);
});
