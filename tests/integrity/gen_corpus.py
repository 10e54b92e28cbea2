#!/usr/bin/env python3
"""Generate tests/integrity/corpus.jsonl: a deterministic corpus of audit events for
hash-chain parity tests (Rust vs Python bh-audit-logger 1.1.1).

Run once and commit the output:  python3 tests/integrity/gen_corpus.py
Only the standard library is used. Every value is synthetic; no real PHI.
"""
import json
import os
import random
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus.jsonl")

STRINGS = [
    "plain ascii",
    "",
    "emoji 😀🧠🏥 and ZWJ 👩‍⚕️",
    "CJK 病歷 診療 記録 환자",
    "combining e\u0301 a\u0308 n\u0303 \u0915\u094d\u0937",
    "RTL \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627 \u202eoverride\u202c",
    "controls \x00 \x01 \x07 \x08 \x0b \x0c \x1b \x1f end",
    "newlines \n \r \r\n tab \t",
    "separators \u2028 \u2029 \u0085 nbsp \u00a0",
    "DEL \x7f and C1 \x80 \x9f",
    'quotes " \' backslash \\ slash / ',
    "BOM \ufeff zero-width \u200b\u200c\u200d",
    "astral \U0001f600 \U00010348 \U0010fffd",
    "looks like json {\"a\":1}",
    "key-like integrity",
]

FLOATS = [
    0.1, 1e-7, 1e16, 123456789.123, -0.0, 0.0, 5e-324, 1.7976931348623157e308,
    1.0, -1.5, 1e15, 1e-4, 1e-5, 2.5e-308, 0.30000000000000004, 1.2345e-05,
    9007199254740993.0, 3.141592653589793, -2.718281828459045, 1e22, 1e21, 123e-20,
    4.35, 100.0, 0.5, 2.0 ** 60, 1 / 3, 2.2250738585072014e-308,
]

INTS = [
    0, -1, 1, 2 ** 53 + 1, -(2 ** 53) - 1, -(2 ** 63), 2 ** 63 - 1, 2 ** 64 - 1,
    42, 10 ** 18, -(10 ** 18),
]

ACTIONS = ["VIEW", "CREATE", "UPDATE", "DELETE", "EXPORT", "LOGIN", "LOGOUT", "PRINT"]
OUTCOMES = ["SUCCESS", "FAILURE", "DENIED", "ERROR"]


def rand_float(rng):
    kind = rng.randrange(4)
    if kind == 0:
        return rng.choice(FLOATS)
    if kind == 1:
        return rng.uniform(-1e6, 1e6)
    if kind == 2:
        return rng.random() * 10 ** rng.randint(-30, 30)
    # arbitrary bit patterns (finite only)
    while True:
        import struct

        v = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        if v == v and v not in (float("inf"), float("-inf")):
            return v


def rand_string(rng):
    if rng.random() < 0.6:
        return rng.choice(STRINGS)
    n = rng.randint(0, 12)
    pools = [
        (0x20, 0x7E), (0x00, 0x1F), (0x7F, 0xFF), (0x370, 0x3FF), (0x590, 0x6FF),
        (0x4E00, 0x4FFF), (0x1F300, 0x1F64F), (0x2000, 0x206F), (0xAC00, 0xACFF),
    ]
    out = []
    for _ in range(n):
        lo, hi = rng.choice(pools)
        out.append(chr(rng.randint(lo, hi)))
    return "".join(out)


def rand_scalar(rng):
    k = rng.randrange(6)
    if k == 0:
        return rand_string(rng)
    if k == 1:
        return rng.choice(INTS) if rng.random() < 0.5 else rng.randint(-(2 ** 63), 2 ** 64 - 1)
    if k == 2:
        return rand_float(rng)
    if k == 3:
        return rng.random() < 0.5
    if k == 4:
        return None
    return rng.randint(-1000, 1000)


def rand_nested(rng, depth):
    if depth <= 0 or rng.random() < 0.3:
        return rand_scalar(rng)
    if rng.random() < 0.5:
        return [rand_nested(rng, depth - 1) for _ in range(rng.randint(0, 4))]
    return {rand_string(rng) or "k": rand_nested(rng, depth - 1) for _ in range(rng.randint(0, 4))}


def event(rng, i):
    ev = {
        "schema_version": "1.1",
        "event_id": "00000000-0000-4000-8000-%012d" % i,
        "timestamp": "2026-01-%02dT%02d:%02d:%02d.%03dZ"
        % (1 + i % 28, i % 24, i % 60, (i * 7) % 60, i % 1000),
        "service": {"name": "svc-%d" % (i % 5), "environment": rng.choice(["prod", "dev"]), "version": "1.%d.0" % (i % 9)},
        "actor": {"subject_id": "user-%d" % (i % 17), "subject_type": rng.choice(["human", "service"]), "roles": ["clinician", "admin"][: rng.randint(0, 2)]},
        "action": {"type": rng.choice(ACTIONS), "phi_touched": rng.random() < 0.5, "data_classification": rng.choice(["PHI", "NON_PHI", "UNKNOWN"])},
        "resource": {"type": rng.choice(["Patient", "Note", "Appointment"]), "id": "r-%d" % i},
        "outcome": {"status": rng.choice(OUTCOMES)},
    }
    if rng.random() < 0.5:
        ev["outcome"]["error_type"] = rand_string(rng)
    # metadata of every scalar type
    md = {}
    md["str"] = rand_string(rng)
    md["int"] = rng.choice(INTS)
    md["float"] = rand_float(rng)
    md["bool"] = rng.random() < 0.5
    md["null"] = None
    for _ in range(rng.randint(0, 6)):
        md[rand_string(rng) or "empty"] = rand_scalar(rng)
    ev["metadata"] = md
    if i % 3 == 0:
        ev["extra_nested"] = rand_nested(rng, 4)
    if i % 7 == 0:
        # keys chosen to stress sorting: case, digits, non-ASCII, prefixes
        ev["sort_stress"] = {k: i for i, k in enumerate(["b", "B", "a", "ab", "a\u0301", "é", "😀", "\uff21", "10", "9", "", " ", "_", "\x7f", "\u2028"])}
    if i % 11 == 0:
        # a stale integrity block: must be ignored by the hash and replaced by sealing
        ev["integrity"] = {"event_hash": "0" * 64, "hash_alg": "sha256"}
    if i % 13 == 0:
        # an event whose key order is deliberately reversed
        ev = dict(reversed(list(ev.items())))
    return ev


def main():
    rng = random.Random(20260111)
    events = []
    # fixed edge events first: one per special float/int/string
    for j, f in enumerate(FLOATS):
        events.append({"event_id": "float-%d" % j, "value": f, "list": [f, -f]})
    for j, n in enumerate(INTS):
        events.append({"event_id": "int-%d" % j, "value": n, "list": [n]})
    for j, s in enumerate(STRINGS):
        events.append({"event_id": "str-%d" % j, s: s, "metadata": {s: s}})
    for i in range(200):
        events.append(event(rng, i))
    with open(OUT, "w", encoding="utf-8", newline="\n") as fh:
        for ev in events:
            fh.write(json.dumps(ev, ensure_ascii=False, separators=(",", ":")))
            fh.write("\n")
    print("wrote %d events to %s" % (len(events), OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
