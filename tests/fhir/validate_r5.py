"""Validate FHIR resources as R5 AuditEvent with fhir.resources 8.x, and check the
bh-audit-schema FHIR profile's invariants that can be read off a resource.

Usage: python validate_r5.py RESOURCES.ndjson
Prints one JSON object: {"fhir_resources": version, "checked": N, "invalid": [{"line", "why"}]}.
Exit 0 when every line is valid, 1 otherwise, 2 when fhir.resources 8.x is missing.
Run by tests/fhir_r5.rs (BH_FHIR_PYTHON = a Python with fhir.resources 8.x; scripts/test.sh
installs one into .venv-fhir).
"""

import json
import sys

try:
    import fhir.resources
    from fhir.resources.auditevent import AuditEvent
except ImportError:
    print('fhir.resources is not installed: pip install "fhir.resources>=8,<9"', file=sys.stderr)
    sys.exit(2)

if not fhir.resources.__version__.startswith("8."):
    print(f"fhir.resources 8.x needed, found {fhir.resources.__version__}", file=sys.stderr)
    sys.exit(2)

BASE = "https://bh-healthcare.github.io/bh-audit-schema/fhir"
ROLE = f"{BASE}/CodeSystem/attribution-role"
EXT = f"{BASE}/StructureDefinition"
PROFILES = {f"{BASE}/{v}/StructureDefinition/bh-audit-event": v for v in ("2.0", "2.1")}
REQUESTOR = {
    "authenticating-identity": False,
    "acting-identity": False,
    "authorizing-identity": True,
    "direct": True,
    "unattributed": False,
}


def profile_problems(r):
    """The profile's invariants (section 3) on one resource; a list of what is wrong."""
    bad = []
    version = None
    profiles = r.get("meta", {}).get("profile", [])
    if profiles:
        if len(profiles) != 1 or profiles[0] not in PROFILES:
            return ["meta.profile is not one profile canonical"]
        version = PROFILES[profiles[0]]
    slices = []
    for a in r["agent"]:
        codes = [c["code"] for c in a["type"]["coding"] if c.get("system") == ROLE]
        if len(codes) != 1 or codes[0] not in REQUESTOR:
            bad.append("an agent has no attribution-role slice code")
            continue
        slices.append(codes[0])
        if a.get("requestor") is not REQUESTOR[codes[0]]:
            bad.append(f"{codes[0]} slice has the wrong requestor")
    ext = {e["url"].rsplit("/", 1)[-1]: e for e in r.get("extension", [])}
    if "acting-identity" in slices:
        if sorted(slices) != sorted(["authenticating-identity", "acting-identity", "authorizing-identity"]):
            bad.append("inv-1/inv-2: acting slice without authenticating and authorizing slices")
        acting = r["agent"][slices.index("acting-identity")]
        desc = [e for e in acting.get("extension", []) if e["url"] == f"{EXT}/agent-descriptor"]
        if len(desc) != 1 or not any(p["url"] == "interface" for p in desc[0]["extension"]):
            bad.append("acting slice without an agent-descriptor holding interface")
    elif slices not in (["direct"], ["unattributed"]):
        bad.append("collapse rule: not a single direct or unattributed agent")
    depth = ext.get("chain-depth", {}).get("valuePositiveInt")
    if ("parent-agent-session-id" in ext) != (depth is not None and depth >= 2):
        bad.append("inv-3: parent-agent-session-id iff chain-depth >= 2")
    details = [c for d in r["outcome"].get("detail", []) for c in d["coding"]]
    denied = any(c["code"] == "denied" and c["system"].endswith("/outcome-detail") for c in details)
    if denied and (r["outcome"]["code"]["code"] != "8" or not any(c["system"].endswith("/error-type") for c in details)):
        bad.append("inv-4: denied without outcome code 8 and an error-type coding")
    for e in r["entity"]:
        for d in e.get("detail", []):
            if set(d) - {"type", "valueString"}:
                bad.append("inv-5: an entity detail that is not a scalar string pair")
    level = ext.get("attribution-level", {}).get("valueCode")
    if version == "2.0" and level is not None:
        bad.append("a 2.0 resource carries attribution-level")
    if version == "2.1":
        if "acting-identity" in slices and level in (None, "unattributed"):
            bad.append("inv-6: acting slice without a non-unattributed attribution-level")
        if ("unattributed" in slices) != (level == "unattributed"):
            bad.append("inv-7: unattributed slice iff attribution-level unattributed")
    if version is None and (level is not None or "acting-identity" in slices or "unattributed" in slices):
        bad.append("a resource without a profile uses the 2.x attribution machinery")
    return bad


def main():
    invalid = []
    checked = 0
    with open(sys.argv[1], encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            checked += 1
            try:
                r = json.loads(line)
                AuditEvent.model_validate(r)
            except Exception as exc:  # report the first lines of pydantic's error
                invalid.append({"line": n, "why": " ".join(str(exc).splitlines()[:3])})
                continue
            problems = profile_problems(r)
            if problems:
                invalid.append({"line": n, "why": "; ".join(problems)})
    print(json.dumps({"fhir_resources": fhir.resources.__version__, "checked": checked, "invalid": invalid[:20],
                      "invalid_count": len(invalid)}))
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main())
