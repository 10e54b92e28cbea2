#!/usr/bin/env python3
"""Generate tests/vectors/parity_v2.json: inputs for the agent-attribution parity suite
(the Python reference bh-audit-logger 2.0.0, run by tests/parity/reference_v2.py, against this
engine, tests/parity_v2.rs).

Deterministic. Every case holds the logger options (camelCase, as in the JS API; always with
an explicit `schemaVersion`, since the reference's default is 2.0 and ours 1.1), the call (the
reference's method name), its keyword arguments (snake_case, as the reference takes them), the
injected time and id, and how many times the call is made (`repeat`, for integrity chains).
A case the reference raises on may carry `raise_field`: the field this engine's refusal must
name. Cases where this engine deliberately differs carry `differs` with the reason; the suite
checks those events are schema-valid instead of comparing them. Synthetic identifiers only.

The reference 2.0.0's rules these cases exercise (read from its logger.py, _types.py,
validation.py, _stats.py):
- audit_agent_action: the descriptor must be a dict with only the keys interface, vendor,
  model_family, model_version, harness, harness_version; `interface` required; every value a
  str of at most 128 code points (ValueError otherwise: "agent descriptor contains unknown
  key(s): [...]", "... is missing required key 'interface'", "... value for 'k' must be a str,
  got 'int'", "... value for 'k' exceeds 128 chars (got N)"). actor = {subject_id:
  agent_subject_id, subject_type: "agent"} (the authenticating credential); delegation =
  {acting: {subject_id: acting_subject_id or agent_subject_id, subject_type: "agent", agent},
  authorizing: {subject_id, subject_type: "human", org_id?}, delegation_type,
  agent_session_id, chain_depth?, parent_agent_session_id?} in that key order; chain_depth is
  omitted unless given.
- session start / end: CREATE / UPDATE on {type: AgentSession, id: session}, action.name
  agent_session_start / agent_session_end, chain_depth default 1, phi_touched false, NONE.
- audit_human_override: actor must have subject_type "human" (ValueError "requires a human
  actor"), resource {type: AgentSession, id}, phi_touched false, NONE, no delegation.
- _enforce_v2_target (every audit()): on 2.0 nothing; on 1.x OVERRIDE raises ValueError in
  every mode; agent data (delegation given, or an agent actor) raises in mode raise; in mode
  strip the actor becomes {subject_id: delegation.authorizing.subject_id, subject_type:
  "human"} and delegation is dropped, or ValueError when that id is missing or empty.
- validate_event_minimal (in _prepare; failures are validation failures: counted, dropped,
  re-raised only with emit_failure_mode raise): agent actor needs delegation; chain_depth >= 2
  <-> parent_agent_session_id; OVERRIDE needs a human actor, resource AgentSession with an id,
  no delegation.
- Counters: integrity_events_total per chained event, chain_gaps_total per failed chaining,
  validation_time_ms_total only with validate_events (off here: 0.0).
"""
import json
import sys
from pathlib import Path

cases = []
BASE_US = 1_780_000_000_123_456  # 2026-05-28T20:26:40.123456Z
SESSION = "agsess_01J9X0001"


def uid(n):
    return "%08x-%04x-4%03x-9%03x-%012x" % (n * 2654435761 % 2**32, n % 65536, n % 4096, (n * 7) % 4096, n * 1000003)


def add(name, call, version, args=None, config=None, action_type="READ", differs=None, raise_field=None, **extra):
    c = {
        "name": name,
        "config": {"serviceName": "bh-mcp-gateway", "schemaVersion": version, **(config or {})},
        "call": call,
        "action_type": action_type,
        "args": args or {},
        "now_us": BASE_US + len(cases) * 1_000_003,
        "id": uid(len(cases) + 1),
    }
    if differs:
        c["differs"] = differs
    if raise_field:
        c["raise_field"] = raise_field
    c.update(extra)
    cases.append(c)


FULL = {"interface": "mcp", "vendor": "vendor_a", "model_family": "model_x", "model_version": "x-3.1",
        "harness": "mcp_gateway", "harness_version": "0.4.2"}


def agent_args(**over):
    a = {"agent_subject_id": "agent_cred_009", "agent": dict(FULL), "authorizing_subject_id": "user_123",
         "agent_session_id": SESSION, "delegation_type": "supervised",
         "resource": {"type": "Patient", "id": "pat_456", "patient_id": "pat_456"}}
    a.update(over)
    return {k: v for k, v in a.items() if v is not DROP}


def session_args(**over):
    a = agent_args(**over)
    a.pop("resource", None)
    return a


DROP = object()
V2 = ["2.0"]
V1 = ["1.1", "1.0"]
ALL = V2 + V1
ACTIONS = ["READ", "CREATE", "UPDATE", "DELETE", "EXPORT", "LOGIN", "LOGOUT", "PRINT", "OTHER"]
INTERFACES = ["ui_driving", "api", "mcp", "cli", "sdk"]
DTYPES = ["supervised", "autonomous", "scheduled"]


def each_target(name, call, args, action_type="READ", config=None, raise_field_1x="delegation", **kw):
    """The call on 2.0, then on 1.1 and 1.0 in both downgrade modes."""
    add(f"{name} [2.0]", call, "2.0", args, config, action_type, **kw)
    for v in V1:
        add(f"{name} [{v} raise]", call, v, args, {**(config or {}), "agentEventDowngradeMode": "raise"},
            action_type, raise_field=raise_field_1x, **kw)
        add(f"{name} [{v} strip]", call, v, args, {**(config or {}), "agentEventDowngradeMode": "strip"},
            action_type, **kw)


# --- audit_agent_action: every action type, interface, delegation type, on every target -----------
for a in ACTIONS:
    each_target(f"agent action {a}", "audit_agent_action", agent_args(), action_type=a)
for i in INTERFACES:
    for d in DTYPES:
        each_target(f"agent {i} {d}", "audit_agent_action", agent_args(agent={"interface": i}, delegation_type=d))

# --- descriptors: every key alone, limits, Unicode, every refusal ------------------------------------
for k in FULL:
    if k != "interface":
        add(f"descriptor with {k} only", "audit_agent_action", "2.0", agent_args(agent={"interface": "api", k: FULL[k]}))
        add(f"descriptor without {k}", "audit_agent_action", "2.0",
            agent_args(agent={kk: vv for kk, vv in FULL.items() if kk != k}))
for label, ch in (("ascii", "v"), ("latin", "é"), ("cjk", "模"), ("emoji", "🧠"), ("combining", "e\u0301"[1])):
    for n in (1, 127, 128):
        add(f"descriptor vendor {label} x{n}", "audit_agent_action", "2.0",
            agent_args(agent={"interface": "sdk", "vendor": ch * n}))
    add(f"descriptor vendor {label} x129 raises", "audit_agent_action", "2.0",
        agent_args(agent={"interface": "sdk", "vendor": ch * 129}), raise_field="agent.vendor")
for k in FULL:
    add(f"descriptor {k} at 128", "audit_agent_action", "2.0",
        agent_args(agent={**{"interface": "cli"}, k: "x" * 128} if k != "interface" else {"interface": "cli"}))
    if k != "interface":
        add(f"descriptor {k} over 128 raises", "audit_agent_action", "2.0",
            agent_args(agent={"interface": "cli", k: "x" * 200}), raise_field=f"agent.{k}")
        for label, bad in (("int", 7), ("null", None), ("bool", True), ("list", ["a"]), ("dict", {"a": "b"}), ("float", 1.5)):
            add(f"descriptor {k} {label} raises", "audit_agent_action", "2.0",
                agent_args(agent={"interface": "cli", k: bad}), raise_field=f"agent.{k}")
for label, bad in (("int", 3), ("null", None), ("list", ["mcp"])):
    add(f"descriptor interface {label} raises", "audit_agent_action", "2.0", agent_args(agent={"interface": bad}),
        raise_field="agent.interface")
add("descriptor missing interface raises", "audit_agent_action", "2.0", agent_args(agent={"vendor": "v"}),
    raise_field="agent.interface")
add("descriptor empty raises", "audit_agent_action", "2.0", agent_args(agent={}), raise_field="agent.interface")
add("descriptor unknown key raises", "audit_agent_action", "2.0", agent_args(agent={"interface": "mcp", "prompt": "x"}),
    raise_field="agent")
add("descriptor two unknown keys raises", "audit_agent_action", "2.0",
    agent_args(agent={"interface": "mcp", "zeta": "1", "alpha": "2"}), raise_field="agent")
add("descriptor unknown key before missing interface raises", "audit_agent_action", "2.0",
    agent_args(agent={"temperature": "0.2"}), raise_field="agent")
add("descriptor string raises", "audit_agent_action", "2.0", agent_args(agent="mcp"), raise_field="agent")
add("descriptor number raises", "audit_agent_action", "2.0", agent_args(agent=5), raise_field="agent")
add("descriptor checked on 1.x before the target", "audit_agent_action", "1.1", agent_args(agent={"vendor": "v"}),
    raise_field="agent.interface")
for v in ALL:
    add(f"descriptor unknown key on {v} strip raises", "audit_agent_action", v,
        agent_args(agent={"interface": "mcp", "system_prompt": "x"}), {"agentEventDowngradeMode": "strip"},
        raise_field="agent")
add("descriptor interface outside enum", "audit_agent_action", "2.0", agent_args(agent={"interface": "telepathy"}),
    differs="the reference does not check the interface enum and emits; the schema refuses it, so it is dropped here")
add("descriptor empty vendor", "audit_agent_action", "2.0", agent_args(agent={"interface": "mcp", "vendor": ""}),
    differs="the reference emits an empty vendor; the schema's minLength 1 refuses it, so it is dropped here")

# --- missing required arguments (TypeError in the reference) -----------------------------------------
for k, field in (("agent_subject_id", "agentSubjectId"), ("agent", "agent"), ("authorizing_subject_id", "authorizingSubjectId"),
                 ("agent_session_id", "agentSessionId"), ("delegation_type", "delegationType")):
    add(f"missing {k} raises", "audit_agent_action", "2.0", agent_args(**{k: DROP}), raise_field=field)
    add(f"session start missing {k} raises", "audit_agent_session_start", "2.0", session_args(**{k: DROP}), raise_field=field)
add("missing resource raises", "audit_agent_action", "2.0", agent_args(resource=DROP), raise_field="resource",
    differs="the reference requires resource as a keyword argument (TypeError); here it is optional and defaults to {\"type\": \"unknown\"}, as in audit()")

# --- acting vs authenticating subject, authorizing org, chain depths -------------------------------
for v in ALL:
    mode = {"agentEventDowngradeMode": "strip"}
    add(f"acting subject differs [{v}]", "audit_agent_action", v, agent_args(acting_subject_id="agent_inst_4471"), mode)
    add(f"authorizing org [{v}]", "audit_agent_action", v, agent_args(authorizing_org_id="org_77"), mode)
    add(f"acting and org [{v}]", "audit_agent_action", v,
        agent_args(acting_subject_id="agent_inst_4471", authorizing_org_id="org_77"), mode)
for depth, parent in ((None, None), (1, None), (2, "agsess_parent_1"), (3, "agsess_parent_2"), (7, "p"), (32, "agsess_deep")):
    a = agent_args(chain_depth=depth, parent_agent_session_id=parent)
    a = {k: v for k, v in a.items() if v is not None}
    each_target(f"chain depth {depth} parent {parent}", "audit_agent_action", a)
    each_target(f"session start depth {depth} parent {parent}", "audit_agent_session_start",
                {k: v for k, v in a.items() if k != "resource"})
for depth, parent, label in ((2, None, "depth 2 without parent"), (1, "p", "parent with depth 1"),
                             (None, "p", "parent without depth"), (5, None, "depth 5 without parent")):
    a = {k: v for k, v in agent_args(chain_depth=depth, parent_agent_session_id=parent).items() if v is not None}
    add(f"{label} dropped", "audit_agent_action", "2.0", a)
    add(f"{label} raise mode", "audit_agent_action", "2.0", a, {"emitFailureMode": "raise", "validationFailureMode": "raise"})
add("chain depth 33", "audit_agent_action", "2.0", agent_args(chain_depth=33, parent_agent_session_id="p"),
    differs="the reference emits chain_depth 33; the schema's maximum 32 refuses it, so it is dropped here")
add("chain depth 0", "audit_agent_action", "2.0", agent_args(chain_depth=0),
    differs="the reference emits chain_depth 0; the schema's minimum 1 refuses it, so it is dropped here")
add("session start chain depth null means 1", "audit_agent_session_start", "2.0", session_args(chain_depth=None),
    differs="the reference passes chain_depth=None through (omitting it); here a null chainDepth is not given, so the session default 1 applies")

# --- event content through the agent helper -------------------------------------------------------
CONTENT = {
    "outcome success": {"outcome": {"status": "SUCCESS"}},
    "outcome failure": {"outcome": {"status": "FAILURE", "error_type": "ToolError", "error_message": "tool timed out"}},
    "outcome denied": {"outcome": {"status": "DENIED", "error_type": "ScopeDenied"}},
    "denied with message": {"outcome": {"status": "DENIED", "error_type": "ScopeDenied", "error_message": "scope missing"}},
    "error string": {"error": "upstream EHR call failed"},
    "error with ssn": {"error": "lookup 123-45-6789 failed for jane@example.org"},
    "error exception": {"error": {"exception": "ValueError", "message": "bad tool argument"}},
    "phi read": {"phi_touched": True, "data_classification": "PHI"},
    "pii": {"phi_touched": False, "data_classification": "PII"},
    "action name": {"action_name": "get_patient"},
    "correlation": {"correlation": {"request_id": "req_agent_mcp_001", "trace_id": "trace_a1b2c3d4e5"}},
    "metadata dropped without allowlist": {"metadata": {"tool": "get_patient"}},
    "unicode ids": {"agent_subject_id": "agent_ünïcødé_🤖", "authorizing_subject_id": "user_Ωmega",
                    "agent_session_id": "agsess_会话_1"},
}
for label, extra in CONTENT.items():
    each_target(f"agent {label}", "audit_agent_action", agent_args(**extra))
add("agent failure without message [2.0]", "audit_agent_action", "2.0",
    agent_args(outcome={"status": "FAILURE", "error_type": "X"}))
add("agent failure without message [1.1 strip]", "audit_agent_action", "1.1",
    agent_args(outcome={"status": "FAILURE", "error_type": "X"}), {"agentEventDowngradeMode": "strip"})
add("agent failure without message [1.0 strip]", "audit_agent_action", "1.0",
    agent_args(outcome={"status": "FAILURE", "error_type": "X"}), {"agentEventDowngradeMode": "strip"},
    differs="a 1.0 target emits FAILURE without error_message (the 1.0 schema allows it; this engine's 1.x rules are 0.3.0's as the 0.3.0 suite checks them); the reference drops it")
for v in ALL:
    cfg = {"metadataAllowlist": ["tool", "count", "ok"], "agentEventDowngradeMode": "strip"}
    add(f"agent metadata allowlisted [{v}]", "audit_agent_action", v,
        agent_args(metadata={"tool": "get_patient", "count": 3, "ok": True, "prompt": "drop me"}), cfg)
    add(f"agent metadata truncated [{v}]", "audit_agent_action", v,
        agent_args(metadata={"tool": "t" * 300}), {**cfg, "maxMetadataValueLength": 20})
    add(f"agent service version [{v}]", "audit_agent_action", v, agent_args(),
        {"serviceVersion": "2.4.1", "serviceEnvironment": "prod", "agentEventDowngradeMode": "strip"})

# --- sessions ------------------------------------------------------------------------------------
for call in ("audit_agent_session_start", "audit_agent_session_end"):
    for i in INTERFACES:
        each_target(f"{call} {i}", call, session_args(agent={"interface": i, "vendor": "vendor_b"}))
    each_target(f"{call} with metadata", call, session_args(metadata={"termination_reason": "completed", "actions_performed": 14}),
                config={"metadataAllowlist": ["termination_reason", "actions_performed"]})
    each_target(f"{call} with correlation", call, session_args(correlation={"session_id": "sess_1"}))
    each_target(f"{call} acting and org", call, session_args(acting_subject_id="agent_inst_1", authorizing_org_id="org_1"))
    add(f"{call} bad descriptor raises", call, "2.0", session_args(agent={"interface": "mcp", "k": "v"}), raise_field="agent")

# --- human override -------------------------------------------------------------------------------
HUMAN = {"subject_id": "user_123", "subject_type": "human"}
for v in ALL:
    add(f"override [{v}]", "audit_human_override", v, {"actor": HUMAN}, raise_field="actionType" if v != "2.0" else None,
        agent_session_id=SESSION)
    add(f"override strip [{v}]", "audit_human_override", v, {"actor": HUMAN}, {"agentEventDowngradeMode": "strip"},
        raise_field="actionType" if v != "2.0" else None, agent_session_id=SESSION)
for name in (None, "cancel_agent_session", "reverse_agent_action", "pause"):
    add(f"override name {name}", "audit_human_override", "2.0", {"actor": HUMAN, "action_name": name}, agent_session_id=SESSION)
for label, outcome in (("failure", {"status": "FAILURE", "error_type": "E", "error_message": "cancel failed"}),
                       ("denied", {"status": "DENIED", "error_type": "NotOwner"}), ("success", {"status": "SUCCESS"})):
    add(f"override outcome {label}", "audit_human_override", "2.0", {"actor": HUMAN, "outcome": outcome}, agent_session_id=SESSION)
add("override with org and roles", "audit_human_override", "2.0",
    {"actor": {**HUMAN, "org_id": "org_77", "roles": ["clinician"]}}, agent_session_id=SESSION)
add("override with correlation and metadata", "audit_human_override", "2.0",
    {"actor": HUMAN, "correlation": {"request_id": "r1"}, "metadata": {"reason": "unsafe"}},
    {"metadataAllowlist": ["reason"]}, agent_session_id=SESSION)
for label, actor in (("agent", {"subject_id": "agent_1", "subject_type": "agent"}),
                     ("service", {"subject_id": "svc", "subject_type": "service"}),
                     ("no type", {"subject_id": "user_123"}), ("Human capital", {"subject_id": "u", "subject_type": "Human"})):
    for v in ALL:
        add(f"override by {label} raises [{v}]", "audit_human_override", v, {"actor": actor}, raise_field="actor",
            agent_session_id=SESSION)
add("override unicode session", "audit_human_override", "2.0", {"actor": HUMAN}, agent_session_id="agsess_会话_🛑")
add("override empty session id dropped", "audit_human_override", "2.0", {"actor": HUMAN}, agent_session_id="")

# --- plain audit(): delegation blocks, agent actors, OVERRIDE, default actor type agent -------------
DELEG = {"acting": {"subject_id": "agent_inst_4471", "subject_type": "agent", "agent": {"interface": "api"}},
         "authorizing": {"subject_id": "user_123", "subject_type": "human"},
         "delegation_type": "autonomous", "agent_session_id": SESSION}
AGENT = {"subject_id": "agent_cred_009", "subject_type": "agent"}
each_target("audit with delegation", "audit", {"actor": AGENT, "delegation": DELEG})
each_target("audit delegation caller key order", "audit",
            {"actor": AGENT, "delegation": {"agent_session_id": SESSION, "delegation_type": "scheduled",
                                            "authorizing": {"subject_type": "human", "subject_id": "user_9"},
                                            "acting": {"agent": {"vendor": "v", "interface": "cli"}, "subject_type": "agent", "subject_id": "a"}}})
each_target("audit agent actor without delegation", "audit", {"actor": AGENT}, raise_field_1x="actor")
each_target("audit human actor with delegation", "audit", {"actor": HUMAN, "delegation": DELEG})
each_target("audit plain human", "audit", {"actor": HUMAN}, raise_field_1x=None)
each_target("audit plain service default", "audit", {}, raise_field_1x=None)
for v in V1:
    add(f"audit OVERRIDE raises [{v}]", "audit", v, {"actor": HUMAN, "resource": {"type": "AgentSession", "id": SESSION}},
        action_type="OVERRIDE", raise_field="actionType")
    add(f"audit OVERRIDE strip raises [{v}]", "audit", v, {"actor": HUMAN}, {"agentEventDowngradeMode": "strip"},
        action_type="OVERRIDE", raise_field="actionType")
    add(f"strip without authorizing raises [{v}]", "audit", v,
        {"actor": AGENT, "delegation": {"acting": DELEG["acting"], "delegation_type": "supervised", "agent_session_id": SESSION}},
        {"agentEventDowngradeMode": "strip"}, raise_field="delegation.authorizing.subject_id")
    add(f"strip empty authorizing raises [{v}]", "audit", v,
        {"actor": AGENT, "delegation": {**DELEG, "authorizing": {"subject_id": "", "subject_type": "human"}}},
        {"agentEventDowngradeMode": "strip"}, raise_field="delegation.authorizing.subject_id")
    add(f"strip collapses denied [{v}]", "audit_agent_action", v,
        agent_args(outcome={"status": "DENIED", "error_type": "ScopeDenied"}), {"agentEventDowngradeMode": "strip"})
for label, args, at in (("ok", {"actor": HUMAN, "resource": {"type": "AgentSession", "id": SESSION}}, "OVERRIDE"),
                        ("agent actor", {"actor": AGENT, "resource": {"type": "AgentSession", "id": SESSION}}, "OVERRIDE"),
                        ("wrong resource", {"actor": HUMAN, "resource": {"type": "Patient", "id": "p"}}, "OVERRIDE"),
                        ("no resource id", {"actor": HUMAN, "resource": {"type": "AgentSession"}}, "OVERRIDE"),
                        ("with delegation", {"actor": HUMAN, "resource": {"type": "AgentSession", "id": SESSION}, "delegation": DELEG}, "OVERRIDE")):
    add(f"audit OVERRIDE {label} [2.0]", "audit", "2.0", args, action_type=at)
    add(f"audit OVERRIDE {label} raise mode [2.0]", "audit", "2.0", args,
        {"emitFailureMode": "raise", "validationFailureMode": "raise"}, action_type=at)
add("default actor agent without delegation dropped", "audit", "2.0", {}, {"defaultActorType": "agent"})
add("default actor agent with delegation", "audit", "2.0", {"delegation": DELEG}, {"defaultActorType": "agent"})
add("default actor agent fills subject_type", "audit", "2.0", {"actor": {"subject_id": "agent_x"}, "delegation": DELEG},
    {"defaultActorType": "agent"})
for a in ACTIONS:
    add(f"2.0 plain {a}", "audit", "2.0", {"actor": HUMAN, "resource": {"type": "Note", "id": "n1"}}, action_type=a)
add("2.0 login success", "audit_login_success", "2.0", {"actor": HUMAN})
add("2.0 login failure", "audit_login_failure", "2.0", {"actor": HUMAN, "error": "bad password"})
add("2.0 access", "audit_access", "2.0", {"actor": HUMAN, "resource": {"type": "Patient", "id": "p1"}}, action_type="EXPORT")
add("2.0 access denied", "audit_access_denied", "2.0", {"actor": HUMAN, "resource": {"type": "Patient"}}, action_type="READ")

# --- integrity chains -------------------------------------------------------------------------------
for alg in ("sha256", "sha384", "sha512"):
    for v in ALL:
        add(f"integrity {alg} agent chain [{v}]", "audit_agent_action", v, agent_args(),
            {"enableIntegrity": True, "hashAlgorithm": alg, "agentEventDowngradeMode": "strip"}, repeat=3)
    add(f"integrity {alg} session chain", "audit_agent_session_start", "2.0", session_args(),
        {"enableIntegrity": True, "hashAlgorithm": alg}, repeat=2)
    add(f"integrity {alg} override chain", "audit_human_override", "2.0", {"actor": HUMAN},
        {"enableIntegrity": True, "hashAlgorithm": alg}, agent_session_id=SESSION, repeat=2)
add("integrity dropped event not chained", "audit_agent_action", "2.0",
    {k: v for k, v in agent_args(chain_depth=2).items()}, {"enableIntegrity": True}, repeat=2)
add("integrity raise on 1.x not chained", "audit_agent_action", "1.1", agent_args(), {"enableIntegrity": True},
    raise_field="delegation")

# --- failure modes ----------------------------------------------------------------------------------
add("sink failure counted", "audit_agent_action", "2.0", agent_args(), sink="fail")
add("sink failure raise mode", "audit_agent_action", "2.0", agent_args(), {"emitFailureMode": "raise"}, sink="fail")
add("descriptor raise in silent mode", "audit_agent_action", "2.0", agent_args(agent={"x": "y"}),
    {"emitFailureMode": "silent"}, raise_field="agent")
add("override raise in silent mode", "audit_human_override", "2.0", {"actor": AGENT}, {"emitFailureMode": "silent"},
    raise_field="actor", agent_session_id=SESSION)

names = [c["name"] for c in cases]
assert len(names) == len(set(names)), "duplicate case names"
out = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "vectors" / "parity_v2.json")
doc = {
    "about": "Agent-attribution parity vectors (generated by tests/parity/gen_vectors_v2.py; do not edit). "
             "Run through the Python reference bh-audit-logger 2.0.0 (tests/parity/reference_v2.py) and this engine "
             "(tests/parity_v2.rs). Synthetic identifiers only.",
    "deliberate_differences": [
        "Every case marked `differs` names its own reason; in short: this engine always validates against the full "
        "schema (the reference 2.0.0 only with validate_events), so an event the schema refuses (interface outside "
        "the enum, empty descriptor value, chain_depth 0 or 33) is dropped here where the reference emits it.",
        "audit() and the helpers return the event as emitted, integrity included; the reference returns it as "
        "prepared, before chaining. Returned events are compared without integrity; emitted lines with it.",
        "resource is optional in auditAgentAction (default {\"type\": \"unknown\"}, as in audit()); the reference "
        "requires it as a keyword argument (TypeError).",
        "A null chainDepth is 'not given' (the session default 1 applies); the reference passes None through.",
        "A 1.0 target emits FAILURE without error_message (this engine's 1.x rules are 0.3.0's, checked by the 0.3.0 "
        "suite); the reference 2.0.0 drops it.",
        "Refusals are compared by kind: the reference's ValueError / TypeError is Error::Agent (a TypeError in JS) "
        "naming the field the case lists in raise_field; messages name fields, never values.",
    ],
    "cases": cases,
}
out.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
print(f"{len(cases)} cases -> {out}", file=sys.stderr)
