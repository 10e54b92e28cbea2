#!/usr/bin/env python3
"""Generate tests/vectors/parity.json: inputs for the parity suite (reference vs this engine).

Deterministic (fixed seed). Every case holds the logger options (camelCase, as in the JS API),
the call and its arguments, the injected time (`now_us`, microseconds since the epoch) and
id. Cases where this engine deliberately differs from the reference carry `differs` with the
reason; the suite checks those events are schema-valid instead of comparing them.
Synthetic PHI only.
"""
import json
import random
import sys
from pathlib import Path

rng = random.Random(20261128)
cases = []
BASE_US = 1_773_254_515_123_456  # 2026-03-11T18:41:55.123456Z


def uid(n):
    return "%08x-%04x-4%03x-8%03x-%012x" % (n * 2654435761 % 2**32, n % 65536, n % 4096, (n * 7) % 4096, n * 1000003)


def add(name, call="audit", config=None, args=None, action_type="READ", now_us=None, differs=None, **extra):
    c = {
        "name": name,
        "config": {"serviceName": "bh-notes-api", **(config or {})},
        "call": call,
        "action_type": action_type,
        "args": args or {},
        "now_us": BASE_US + len(cases) * 1_000_003 if now_us is None else now_us,
        "id": uid(len(cases) + 1),
    }
    if differs:
        c["differs"] = differs
    c.update(extra)
    cases.append(c)


ACTIONS = ["READ", "CREATE", "UPDATE", "DELETE", "EXPORT", "LOGIN", "LOGOUT", "PRINT", "OTHER"]
CLASSES = ["PHI", "PII", "NONE", "UNKNOWN"]

# --- every action type, every outcome kind --------------------------------------------
for a in ACTIONS:
    add(f"action {a} default outcome", action_type=a)
    add(f"action {a} success with resource", action_type=a,
        args={"resource": {"type": "Patient", "id": "pat_123", "patient_id": "pat_123"}, "outcome": {"status": "SUCCESS"}})
    add(f"action {a} failure outcome", action_type=a,
        args={"outcome": {"status": "FAILURE", "error_type": "Timeout", "error_message": "db timeout"}})
    add(f"action {a} denied outcome", action_type=a,
        args={"outcome": {"status": "DENIED", "error_type": "RoleDenied"}})
for dc in CLASSES:
    add(f"data classification {dc}", args={"data_classification": dc, "phi_touched": dc == "PHI"})
add("data classification empty string falls back", args={"data_classification": ""})
add("phi_touched false kept", args={"phi_touched": False})
add("phi_touched true kept", args={"phi_touched": True})
add("denied with message", args={"outcome": {"status": "DENIED", "error_type": "CrossOrg", "error_message": "org mismatch"}})
add("denied without error_type dropped", args={"outcome": {"status": "DENIED"}})
add("failure without error_message dropped", args={"outcome": {"status": "FAILURE", "error_type": "X"}})
add("failure with empty error_message dropped", args={"outcome": {"status": "FAILURE", "error_type": "X", "error_message": ""}})
add("failure without error_type dropped", args={"outcome": {"status": "FAILURE", "error_message": "boom"}})
add("empty outcome means success", args={"outcome": {}})
add("error string", args={"error": "Database write timeout."})
add("error exception ValueError", args={"error": {"exception": "ValueError", "message": "bad value"}})
add("error exception custom class", args={"error": {"exception": "NoteLockedError", "message": "note is locked"}})
add("error overrides outcome", args={"error": "boom", "outcome": {"status": "SUCCESS"}})
add("error empty string dropped", args={"error": ""})
add("error exception empty message dropped", args={"error": {"exception": "RuntimeError", "message": ""}})
add("error with sanitize off", config={"sanitizeErrors": False}, args={"error": "ssn 123-45-6789 in text"})
for label, falsy in (("null", None), ("false", False), ("zero", 0), ("empty list", [])):
    add(f"outcome error_message {label} with SUCCESS", args={"outcome": {"status": "SUCCESS", "error_message": falsy}})
    add(f"outcome error_message {label} with FAILURE", args={"outcome": {"status": "FAILURE", "error_type": "E", "error_message": falsy}})
add("emit error_message null", call="emit", event={
    "schema_version": "1.1", "event_id": uid(990), "timestamp": "2026-03-11T18:41:55.123Z",
    "service": {"name": "bh-notes-api"}, "actor": {"subject_id": "u", "subject_type": "human"},
    "action": {"type": "READ"}, "resource": {"type": "Note"}, "outcome": {"status": "SUCCESS", "error_message": None}})
add("outcome error_message number", args={"outcome": {"status": "SUCCESS", "error_message": 42}},
    differs="the reference raises AttributeError from sanitize_error_message(42) out of audit(); here the event fails validation (/outcome/error_message must be a string)")
add("outcome message with sanitize off", config={"sanitizeErrors": False},
    args={"outcome": {"status": "FAILURE", "error_type": "E", "error_message": "call 555-123-4567"}})

# --- options --------------------------------------------------------------------------
add("service environment", config={"serviceEnvironment": "prod"})
add("service version", config={"serviceVersion": "2026.03.11.1"})
add("service version empty omitted", config={"serviceVersion": ""})
add("default actor id", config={"defaultActorId": "svc_nightly"})
add("default actor type human", config={"defaultActorType": "human"})
add("actor partial takes defaults", config={"defaultActorId": "svc_x"}, args={"actor": {"org_id": "org_1"}})
add("actor full", args={"actor": {"subject_id": "user_789", "subject_type": "human", "org_id": "org_77",
                                   "owner_org_id": "org_88", "roles": ["therapist", "admin"]}})
add("actor empty dict takes defaults", args={"actor": {}})
add("actor subject_type wrong enum dropped", args={"actor": {"subject_id": "u1", "subject_type": "robot"}},
    differs="the reference only checks subject_type is non-empty; the schema's enum rejects it")
add("actor subject_id empty dropped", args={"actor": {"subject_id": "", "subject_type": "human"}})
add("resource empty dict defaults to unknown", args={"resource": {}})
add("correlation full", args={"correlation": {"request_id": "req_1", "trace_id": "tr_1", "session_id": "s_1"}})
add("correlation empty omitted", args={"correlation": {}})
add("correlation request only", args={"correlation": {"request_id": "req_01HT7X9KQZV8N3M2P1R4S5T6U8"}})
for n in (10, 11, 13, 50, 199, 200, 201, 500):
    add(f"errorMessageMaxLen {n}", config={"errorMessageMaxLen": n},
        args={"error": "x" * (n - 1) + " tail " + "y" * 7})
add("emitFailureMode silent", config={"emitFailureMode": "silent"})
add("emitFailureMode raise success", config={"emitFailureMode": "raise"})
add("failureLoggerName accepted", config={"failureLoggerName": "audit.failures"})
add("schema 1.0 success", config={"schemaVersion": "1.0"})
add("schema 1.0 failure", config={"schemaVersion": "1.0"}, args={"error": "boom"})
add("schema 1.0 denied becomes failure", config={"schemaVersion": "1.0"},
    args={"outcome": {"status": "DENIED", "error_type": "RoleDenied"}},
    differs="schema 1.0 target: DENIED is emitted as FAILURE (as bh-audit-logger 1.x does); 0.3.0 emits DENIED")

# --- sinks ----------------------------------------------------------------------------
for mode in ("silent", "log"):
    add(f"sink failure mode {mode}", config={"emitFailureMode": mode}, sink="fail")
add("sink failure mode raise", config={"emitFailureMode": "raise"}, sink="fail")
add("login success helper", call="audit_login_success")
add("login success helper with actor", call="audit_login_success",
    args={"actor": {"subject_id": "user_1", "subject_type": "human"}, "correlation": {"session_id": "sess_9"}})
add("login success helper with resource", call="audit_login_success", args={"resource": {"type": "SSO"}})
add("login failure helper default error", call="audit_login_failure")
add("login failure helper empty error", call="audit_login_failure", args={"error": ""})
add("login failure helper string error", call="audit_login_failure", args={"error": "bad password for jane@example.org"})
add("login failure helper exception", call="audit_login_failure",
    args={"error": {"exception": "PermissionError", "message": "locked out"}})
for a in ("READ", "CREATE", "UPDATE", "DELETE"):
    add(f"access helper {a}", call="audit_access", action_type=a,
        args={"resource": {"type": "Note", "id": "note_1"}, "phi_touched": True, "data_classification": "PHI"})
add("access helper with error", call="audit_access", action_type="UPDATE", args={"error": "write failed"})

# --- metadata: every JSON type, allowlist edges, truncation -----------------------------
ALLOW = ["s", "i", "f", "b", "n", "arr", "obj", "big", "neg", "u", "ключ", "名前"]
meta_values = {
    "s": "hello", "i": 42, "f": 3.25, "b": True, "n": None, "arr": [1, 2], "obj": {"k": "v"},
    "big": 9007199254740993, "neg": -17, "u": "naïve ☕",
}
for k, v in meta_values.items():
    add(f"metadata type {k}", config={"metadataAllowlist": ALLOW}, args={"metadata": {k: v}})
add("metadata all types together", config={"metadataAllowlist": ALLOW}, args={"metadata": dict(meta_values)})
add("metadata false bool", config={"metadataAllowlist": ["b"]}, args={"metadata": {"b": False}})
add("metadata zero int", config={"metadataAllowlist": ["i"]}, args={"metadata": {"i": 0}})
add("metadata float whole", config={"metadataAllowlist": ["f"]}, args={"metadata": {"f": 1.0}})
add("metadata float tiny", config={"metadataAllowlist": ["f"]}, args={"metadata": {"f": 1.5e-07}})
add("metadata float huge", config={"metadataAllowlist": ["f"]}, args={"metadata": {"f": 1e300}})
add("metadata empty string", config={"metadataAllowlist": ["s"]}, args={"metadata": {"s": ""}})
add("metadata no allowlist drops all", args={"metadata": {"s": "x", "i": 1}})
add("metadata key not allowlisted", config={"metadataAllowlist": ["s"]}, args={"metadata": {"ssn": "123-45-6789", "s": "ok"}})
add("metadata all filtered removes block", config={"metadataAllowlist": ["s"]}, args={"metadata": {"x": 1}})
add("metadata only nested filtered removes block", config={"metadataAllowlist": ["obj"]}, args={"metadata": {"obj": {"a": 1}}})
add("metadata allowlist case sensitive", config={"metadataAllowlist": ["Key"]}, args={"metadata": {"key": 1, "Key": 2}})
add("metadata unicode keys", config={"metadataAllowlist": ["ключ", "名前"]}, args={"metadata": {"ключ": "значение", "名前": "値"}})
add("metadata empty dict omitted", config={"metadataAllowlist": ["s"]}, args={"metadata": {}})
add("metadata 20 keys", config={"metadataAllowlist": [f"k{i}" for i in range(25)]},
    args={"metadata": {f"k{i}": i for i in range(20)}})
add("metadata 21 keys", config={"metadataAllowlist": [f"k{i}" for i in range(25)]},
    args={"metadata": {f"k{i}": i for i in range(21)}},
    differs="schema 1.1 allows at most 20 metadata properties; the reference does not check")
TEXTS = {
    "ascii": "abcdefghijklmnopqrstuvwxyz",
    "emoji": "😀🎉🚀💡🔥✨🌈🍕🎈🧠",
    "cjk": "診療記録の更新に失敗しました",
    "combining": "e\u0301a\u0300o\u0302u\u0308i\u0303n\u0303",
    "zwj": "👩\u200d⚕️👨\u200d👩\u200d👧",
}
for mlen in (1, 2, 5, 10):
    for tname, text in TEXTS.items():
        for delta in (-1, 0, 1):
            n = mlen + delta
            if n < 0:
                continue
            s = (text * 10)[:n]
            add(f"metadata truncation max {mlen} len {n} {tname}", config={"metadataAllowlist": ["v"], "maxMetadataValueLength": mlen},
                args={"metadata": {"v": s}})

# --- error messages: PHI patterns, Unicode -------------------------------------------
SAMPLES = [
    "lookup failed for 123-45-6789", "contact jane.doe@example.com now", "call 555-123-4567",
    "call 555.123.4567", "call 555 123 4567", "call 5551234567", "mrn 12345678901234",
    "x123-45-6789", "123-45-6789x", "_123-45-6789", "123-45-6789_", "(123-45-6789)",
    "id5101880252732687x", "(555) 123-4567", "+1 555 123 4567", "call_555-123-4567_now",
    "a@b.co", "a@b.c", "user+tag@sub.example.org", "x.y@z.com.", "é@example.com",
    "jane@exämple.com", "ünï@example.com", "a@b.comé", "a@b.com1", "a@b.com_",
    "123-45-6789@example.com", "jane@example.com555-123-4567", "555-123-45678",
    "1234567890", "123456789", "12345678901", "١٢٣-٤٥-٦٧٨٩", "x١٢٣-٤٥-٦٧٨٩",
    "１２３-４５-６７８９", "५५५-१२३-४५६७", "٥٥٥٥٥٥٥٥٥٥٥", "²³⁴-45-6789", "123-45-6789²",
    "tab\tseparated\tvalues", "line1\nline2\r\nline3", "  padded  ", "\u00a0nbsp\u00a0",
    "ideographic\u3000space", "em\u2003space", "line\u2028sep", "para\u2029sep", "nel\u0085x",
    "fs\x1cgs\x1drs\x1eus\x1f", "zero\u200bwidth", "mongolian\u180evs", "vt\x0bff\x0c",
    "555\u2003123\u20034567", "555\u00a0123\u00a04567", "555\n123\n4567", "123-45-6789\u0301",
    "\u0301123-45-6789", "a\u0301@example.com", "emoji😀123-45-6789😀", "😀555-123-4567",
    "555-123-4567😀", "CJK診療123-45-6789記録", "中文5551234567中文", "Ω123-45-6789",
    "123-45-6789-123-45-6789", "123-45-6789 123-45-6789", "5551234567 5551234567",
    "12345678901234567890", "1234567890a", "a1234567890", "1234567890.5", "0.1234567890",
    "12-345-6789", "1234-56-7890", "123--45-6789", "123-45--6789", "", "   ", "\n\t",
    "x" * 300, "😀" * 250, "a" * 197 + "😀😀😀😀", "ssn: 123-45-6789; email: a.b@c.de; phone: 555-123-4567; id: 98765432101",
    "jane@example.com,john@example.org", "a@b.cd@e.fg", "@example.com", "a@.com", "a@b..com",
    "first.last@sub.domain.example.co.uk", "x@y.zz.", "%@a.bc", "-@a.bc", "+@a.bc",
    "555-1234567", "555123-4567", "555 1234567", "(555)123-4567", "555-123-4567 ext 89",
    "+15551234567", "15551234567", "1-555-123-4567", "555.123.45678", "5555.123.4567",
]
for i, msg in enumerate(SAMPLES):
    add(f"sanitize sample {i}", call="sanitize", message=msg, max_len=200)
    if i % 3 == 0:
        add(f"audit error sample {i}", args={"error": msg}, config={"errorMessageMaxLen": 60})
for i, msg in enumerate(SAMPLES[:40]):
    add(f"outcome message sample {i}", args={"outcome": {"status": "FAILURE", "error_type": "E", "error_message": msg}})

for n in range(0, 6):
    add(f"sanitize tiny max_len {n}", call="sanitize", message="hello world 123-45-6789", max_len=n)
    add(f"sanitize tiny max_len {n} short", call="sanitize", message="hi", max_len=n)

# random glue of PHI-like tokens, letters, punctuation, digits of other scripts
PIECES = ["123-45-6789", "555-123-4567", "5551234567", "jane@example.com", "1234567890123", "a", "Z", "_",
          "é", "-", ".", " ", "@", "٣", "۵", "०", "０", "😀", "診", "\u0301", "\t", "\u3000", "(", ")", "+1 ",
          "x", "9", "99", "12", "-45-", "@b.co", ".org"]
for i in range(120):
    msg = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 12)))
    add(f"sanitize random glue {i}", call="sanitize", message=msg, max_len=rng.choice([10, 20, 50, 200]))

# --- timestamps -------------------------------------------------------------------------
TS = {
    "epoch": 0, "pre-epoch": -1, "sub-ms truncation": 1_773_254_515_999_999, "leap day 2024": 1_709_164_800_000_000,
    "leap day 2000": 951_782_400_000_000, "year 9999 end": 253_402_300_799_999_999, "year 1000": -30_610_224_000_000_000,
    "1969 end": -1000, "2038": 2_147_483_648_000_000, "far future 2100": 4_102_444_800_000_000,
}
for n, us in TS.items():
    add(f"timestamp {n}", now_us=us)
add("timestamp year 1", now_us=-62_135_596_800_000_000,
    differs="the reference writes year 1 as '1-01-01' (strftime %Y without padding) and then rejects it; this engine pads to 0001")
add("timestamp year 999", now_us=-31_556_908_800_000_000,
    differs="the reference writes year 999 unpadded and rejects it; this engine pads to 0999")

# --- deliberate differences: unknown keys are never passed through -----------------------
add("unknown actor key", args={"actor": {"subject_id": "u1", "subject_type": "human", "ssn": "123-45-6789"}},
    differs="unknown keys inside a block fail validation here (additionalProperties); the reference passes them through")
add("unknown resource key", args={"resource": {"type": "Patient", "dob": "1990-01-01"}},
    differs="unknown keys inside a block fail validation here; the reference passes them through")
add("unknown outcome key", args={"outcome": {"status": "SUCCESS", "detail": "x"}},
    differs="unknown keys inside a block fail validation here; the reference passes them through")
add("unknown correlation key", args={"correlation": {"request_id": "r", "patient_name": "Jane"}},
    differs="unknown keys inside a block fail validation here; the reference passes them through")
add("invalid action type", action_type="PEEK",
    differs="the schema's enum rejects unknown action types; the reference does not check")
add("resource type too long", args={"resource": {"type": "R" * 129}},
    differs="schema maxLength 128 for resource.type; the reference does not check")
add("roles too many", args={"actor": {"subject_id": "u", "subject_type": "human", "roles": ["r"] * 26}},
    differs="schema maxItems 25 for roles; the reference does not check")

# --- emit() of pre-built events ------------------------------------------------------------
def event(n, **over):
    ev = {
        "schema_version": "1.1", "event_id": uid(900 + n), "timestamp": "2026-03-11T18:41:55.123Z",
        "service": {"name": "bh-notes-api", "environment": "prod"},
        "actor": {"subject_id": "user_1", "subject_type": "human"},
        "action": {"type": "READ", "data_classification": "PHI"},
        "resource": {"type": "Patient", "id": "pat_1"},
        "outcome": {"status": "SUCCESS"},
    }
    ev.update(over)
    return ev


add("emit valid event", call="emit", event=event(1))
add("emit failure event sanitized", call="emit",
    event=event(2, outcome={"status": "FAILURE", "error_type": "E", "error_message": "ssn 123-45-6789  and\nmore"}))
add("emit metadata filtered", call="emit", config={"metadataAllowlist": ["ok"]},
    event=event(3, metadata={"ok": "x" * 300, "bad": 1}))
add("emit missing outcome", call="emit", event={k: v for k, v in event(4).items() if k != "outcome"})
add("emit bad event_id", call="emit", event=event(5, event_id="not-a-uuid"))
add("emit schema 1.0 event", call="emit", event=event(6, schema_version="1.0"))
add("emit schema 2.0 event", call="emit", event=event(7, schema_version="2.0"),
    differs="0.3.0 refuses schema 2.0 events; this engine emits them, as the reference 2.0.0 does (validated against the 2.0 schema)")
add("emit with correlation", call="emit", event=event(8, correlation={"request_id": "r1"}))
add("emit with http block", call="emit", event=event(9, http={"method": "GET", "status_code": 200, "client_ip": "10.0.0.1"}))
add("emit with sink failure", call="emit", config={"emitFailureMode": "log"}, sink="fail", event=event(10))

# --- deliberate difference: an exception's class name is redacted (issue 13) ---------------
add("error exception class named after an identifier",
    args={"error": {"exception": "PatientNotFound_123456789", "message": "no such patient"}},
    differs="an exception's class name that holds an identifier is redacted in error_type (strict profile, as key names are); the reference copies the class name as it is")

Path(sys.argv[1] if len(sys.argv) > 1 else "tests/vectors/parity.json").write_text(
    json.dumps({"about": "parity vectors: see tests/parity/gen_vectors.py", "cases": cases}, ensure_ascii=False, indent=1) + "\n",
    encoding="utf-8",
)
print(f"{len(cases)} cases, {sum(1 for c in cases if 'differs' in c)} deliberate differences", file=sys.stderr)
