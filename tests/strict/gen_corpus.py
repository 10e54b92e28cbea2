#!/usr/bin/env python3
"""Deterministic corpus generator for the strict sanitizer tests.

Writes tests/data/strict/planted.jsonl (error messages with planted identifiers; each line
records {"message", "planted": [{"kind", "value"}]}), tests/data/strict/compat.jsonl (the
same, identifiers written with compatibility characters) and tests/data/strict/benign.jsonl
(ordinary error messages; each line records {"message", "keep": [...]} tokens that must
survive unchanged). Run from the crate root: python3 tests/strict/gen_corpus.py
"""
import json
import os
import random

SEED = 20260311
R = random.Random(SEED)
OUT = os.path.join(os.path.dirname(__file__), "..", "data", "strict")

SCRIPTS = {
    "ascii": "0123456789",
    "arabic": "٠١٢٣٤٥٦٧٨٩",
    "devanagari": "०१२३४५६७८९",
    "fullwidth": "０１２３４５６７８９",
    "bengali": "০১২৩৪৫৬৭৮৯",
}


def digits(n, first_nonzero=False):
    s = "".join(R.choice("0123456789") for _ in range(n))
    if first_nonzero and s[0] == "0":
        s = R.choice("23456789") + s[1:]
    return s


def script(s):
    """Transliterate ASCII digits: mostly ASCII, else one script, sometimes mixed."""
    mode = R.random()
    if mode < 0.55:
        return s
    if mode < 0.85:
        table = SCRIPTS[R.choice(list(SCRIPTS))]
        return "".join(table[int(c)] if c.isdigit() else c for c in s)
    return "".join(
        SCRIPTS[R.choice(list(SCRIPTS))][int(c)] if c.isdigit() else c for c in s
    )


def area():
    return R.choice("23456789") + digits(2)


def ssn():
    a, b, c = digits(3, True), digits(2), digits(4)
    sep = R.choice(["-", "-", " ", ""])
    return script(f"{a}{sep}{b}{sep}{c}")


def phone():
    a, e, l = area(), R.choice("23456789") + digits(2), digits(4)
    forms = [
        f"({a}) {e}-{l}", f"({a}){e}-{l}", f"{a}-{e}-{l}", f"{a}.{e}.{l}", f"{a} {e} {l}",
        f"+1 {a} {e} {l}", f"+1-{a}-{e}-{l}", f"1-{a}-{e}-{l}", f"+1 ({a}) {e}-{l}",
        f"{a}{e}{l}", f"+1{a}{e}{l}", f"1 {a} {e} {l}", f"+1.{a}.{e}.{l}",
    ]
    p = R.choice(forms)
    if R.random() < 0.35:
        ext = digits(R.randint(1, 5))
        p += R.choice([" x", "x", " ext. ", " ext ", "ext.", " #", "#", " EXT "]) + ext
    return script(p)


def email():
    first = R.choice(["jane", "john", "m.garcia", "li_wei", "a.b", "o'neil", "pat", "sam", "ana"])
    first = first.replace("'", "")
    local = first + R.choice(["", ".doe", "_smith", "99", digits(3)])
    if R.random() < 0.3:
        local += "+" + R.choice(["x", "billing", "tag1", "test"])
    dom = R.choice(["example.org", "mail.example.co.uk", "corp.example.com", "clinic.health",
                    "sub.dept.example.net", "ex-ample.io"])
    return f"{local}@{dom}"


def long_id():
    return script(digits(R.randint(9, 20), True))


def ipv4():
    parts = [R.randint(0, 255) for _ in range(4)]
    parts[0] = R.choice([10, 172, 192, 8, 100, 203, R.randint(1, 255)])
    return ".".join(map(str, parts))


def hexg():
    return "%x" % R.randint(0, 0xFFFF)


def ipv6():
    groups = [hexg() for _ in range(8)]
    form = R.randrange(5)
    if form == 0:
        return ":".join(groups)
    if form == 1:
        k = R.randint(1, 6)
        return ":".join(groups[:k]) + "::" + ":".join(groups[k + 1 + R.randint(0, 1):])
    if form == 2:
        return "fe80::" + ":".join(groups[:R.randint(1, 4)])
    if form == 3:
        return "::ffff:" + ipv4()
    return "2001:db8::" + hexg()


def labelled():
    label = R.choice(["MRN", "mrn", "Member", "member", "acct", "ACCT", "account", "Account",
                      "policy", "Policy"])
    sep = R.choice([" ", ": ", " #", " # ", "#", ":", " no. ", " number ", " No ", "=", " id "])
    ident = R.choice([
        lambda: R.choice("ABCXZ") + digits(R.randint(5, 8)),
        lambda: R.choice(["XZ", "AB", "QK"]) + "-" + digits(5),
        lambda: digits(R.randint(4, 8)),
        lambda: "PLC-" + digits(4) + "-" + R.choice("ABC"),
        lambda: R.choice("MN") + digits(3) + R.choice("ABC") + digits(3),
    ])()
    return label + sep, script(ident)


HEXISH = set("0123456789abcdefABCDEF.:")
KINDS = ["ssn", "phone", "email", "id", "ipv4", "ipv6", "labelled"]
MAKERS = {"ssn": ssn, "phone": phone, "email": email, "id": long_id, "ipv4": ipv4,
          "ipv6": ipv6}

LETTER_GLUE = ["id", "x", "user", "ref", "é", "Ω", "用户", "n", "Z"]
PUNCT_GLUE = ["", " ", "(", ")", "[", "]", ":", "=", "/", ",", ";", "'", "\"", "<", ">", "_",
              "🙂", "🔥", "—", "«", "»", "|", "*", "&"]
RIGHT_GLUE = LETTER_GLUE + PUNCT_GLUE + [".", "!", "?", "\n", "\t"]

TEMPLATES = [
    "lookup failed for {0}",
    "Patient record {0} not found in table patients",
    "ValueError: invalid identifier {0} (expected uuid)",
    "could not notify {0}: SMTP 550 mailbox unavailable",
    "timeout after 30s contacting {0}",
    "duplicate key {0} violates unique constraint \"uniq_member\"",
    "KeyError: '{0}'",
    "failed to deliver message to {0} and {1}",
    "auth denied for {0} from {1}",
    "retry 3/5: upstream {0} returned HTTP 503",
    "cannot parse row 42: {0},{1}",
    "IntegrityError at line 118: {0}",
    "request_id=abc user={0} status=500 elapsed=1500ms",
    "billing sync error for {0}; contact {1}",
    "validation failed: field 'contact' = {0}",
    "psycopg2.OperationalError: could not connect to server at {0} port 5432",
    "{0}",
    "{0} {1} {2}",
    "export aborted: {0}|{1}",
    "upload of report_{0}.pdf failed (v2.10.4)",
    "callback {0} failed at 2026-03-11 18:41:55",
    "row skipped: {0}\t{1}",
    "cache miss for key user:{0}:profile",
    "webhook POST /patients/{0} -> 404",
]


def plant(kind):
    if kind == "labelled":
        label, ident = labelled()
        return label + ident, [{"kind": "labelled", "value": ident}]
    value = MAKERS[kind]()
    return value, [{"kind": kind, "value": value}]


def glue_left(kind):
    pool = PUNCT_GLUE[:]
    if kind not in ("ipv6", "labelled"):
        pool += LETTER_GLUE
    elif kind == "ipv6":
        pool += ["é", "用户", "Ω"]
    return R.choice(pool)


def glue_right(kind, value):
    pool = RIGHT_GLUE[:]
    if kind == "ipv6":
        pool = [g for g in pool if not (g.isascii() and (g.isalnum() or g == "_"))]
    return R.choice(pool)


def planted_message():
    template = R.choice(TEMPLATES)
    slots = template.count("{")
    texts, records = [], []
    for _ in range(slots):
        kind = R.choice(KINDS)
        text, recs = plant(kind)
        if R.random() < 0.6:
            text = glue_left(kind) + text + glue_right(kind, text)
        # Occasionally glue a second identifier straight onto this one.
        if R.random() < 0.15:
            kind2 = R.choice(KINDS)
            text2, recs2 = plant(kind2)
            joiner = ""
            if text[-1:].isdigit() and (text2[:1].isdigit() or text2[:1] == "+"):
                joiner = R.choice(["/", ";", "_", "x", "🙂"])
            if kind2 == "ipv6" and (text[-1:] in HEXISH or (text[-1:].isascii() and text[-1:].isalnum())):
                joiner = "/"
            if text.endswith(recs[-1]["value"]) and recs[-1]["kind"] == "ipv6" and text2[:1] in HEXISH:
                joiner = "/"
            if kind2 == "labelled" and text[-1:].isalpha():
                joiner = ";"
            text = text + joiner + text2
            recs += recs2
        texts.append(text)
        records += recs
    return template.format(*texts), records


BENIGN_TEMPLATES = [
    ("upgrade to v{ver} failed: incompatible schema", ["v{ver}"]),
    ("library version {ver} is deprecated", ["{ver}"]),
    ("connection refused on :{port}", [":{port}"]),
    ("postgres listening on port {port} did not answer", ["port {port}"]),
    ("upstream returned HTTP {code}", ["HTTP {code}"]),
    ("request failed with status {code} after {ms}ms", ["{code}", "{ms}ms"]),
    ("operation timed out after {sec}s", ["{sec}s"]),
    ("job scheduled for {date} {time} was skipped", ["{date}", "{time}"]),
    ("build {build} failed at step 3 of 7", ["build {build}"]),
    ("worker {small} exited with code {small2}", []),
    ("retry {small}/5 in {ms}ms (backoff)", ["{ms}ms"]),
    ("panic at src/main.rs:{line}:{col}: index out of bounds", ["main.rs:{line}:{col}"]),
    ("disk usage at {pct}% on /var/lib/app", ["{pct}%"]),
    ("payload too large: {kb} KB exceeds limit", []),
    ("Vec::new failed in std::io::Error context (errno {small})", ["Vec::new", "std::io::Error"]),
    ("TLS handshake with api.example.org:{port} failed (HTTP {code})",
     ["api.example.org:{port}", "HTTP {code}"]),
    ("cron at {time} on {date}: exit {small}", ["{time}", "{date}"]),
    ("release {ver} rolled back after {sec}s", ["{ver}", "{sec}s"]),
    ("error 0x{hexc} from driver v{ver}", ["v{ver}"]),
    ("GET /api/v2/items?page={small}&limit=50 -> {code} in {ms}ms", ["{code}", "{ms}ms"]),
    ("config reload at {date}T{time}Z failed: key 'max_conns' must be <= {kb}",
     ["{date}T{time}Z"]),
    ("rate limit: {small} requests in {sec}s window", ["{sec}s"]),
    ("node {small} of cluster eu-west-1 unreachable", []),
    ("migration 00{small}_add_index failed after {ms}ms", ["{ms}ms"]),
]


def benign_message():
    template, keep = R.choice(BENIGN_TEMPLATES)
    vals = {
        "ver": R.choice([
            f"{R.randint(0, 9)}.{R.randint(0, 20)}.{R.randint(0, 40)}",
            f"{R.randint(1, 3)}.{R.randint(0, 12)}",
            f"{R.randint(0, 9)}.{R.randint(0, 20)}.{R.randint(0, 40)}-rc{R.randint(1, 4)}",
        ]),
        "port": R.choice([80, 443, 5432, 8080, 6379, 9200, 3306, 27017, R.randint(1024, 65535)]),
        "code": R.choice([400, 401, 403, 404, 409, 429, 500, 502, 503, 504]),
        "ms": R.randint(1, 99999),
        "sec": R.randint(1, 3600),
        "date": f"20{R.randint(20, 30)}-{R.randint(1, 12):02d}-{R.randint(1, 28):02d}",
        "time": f"{R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d}",
        "build": f"20{R.randint(20, 30)}.{R.randint(1, 12):02d}.{R.randint(1, 28):02d}.{R.randint(1, 9)}",
        "small": R.randint(0, 999),
        "small2": R.randint(0, 255),
        "line": R.randint(1, 2000),
        "col": R.randint(1, 120),
        "pct": R.randint(1, 100),
        "kb": R.randint(1, 99999),
        "hexc": "%04X" % R.randint(0, 0xFFFF),
    }
    return template.format(**vals), [k.format(**vals) for k in keep]


# --- compatibility forms (issue 13): identifiers written with Unicode dashes and hyphens,
# other brackets and separators, fullwidth letters, digits and signs. Generated with a
# generator of their own, after the other files, so planted.jsonl and benign.jsonl stay
# byte for byte what they were.
C = random.Random(SEED + 13)
DASHES = ["\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212", "\ufe63", "\uff0d", "\u00ad"]


def fullwidth(s):
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


def cdigits(n, first_nonzero=False):
    s = "".join(C.choice("0123456789") for _ in range(n))
    if first_nonzero and s[0] == "0":
        s = C.choice("23456789") + s[1:]
    return s


def compat_ssn():
    d = C.choice(DASHES)
    s = f"{cdigits(3, True)}{d}{cdigits(2)}{d}{cdigits(4)}"
    return fullwidth(s) if C.random() < 0.25 else s


def compat_phone():
    a, e, l = C.choice("23456789") + cdigits(2), C.choice("23456789") + cdigits(2), cdigits(4)
    d = C.choice(DASHES)
    p = C.choice([
        f"({a}) {e}{d}{l}", f"{a}{d}{e}{d}{l}", f"[{a}] {e}-{l}", f"[{a}]{e}-{l}", f"{a}/{e}-{l}",
        f"{a}/{e}/{l}", f"+1 [{a}] {e}-{l}", f"\u3010{a}\u3011 {e}-{l}", f"1{d}{a}{d}{e}{d}{l}",
    ])
    return fullwidth(p) if C.random() < 0.25 else p


def compat_email():
    local = C.choice(["jane", "john.doe", "m.garcia", "li_wei", "pat99"])
    dom = C.choice(["example.org", "clinic.health", "mail.example.co.uk"])
    at = C.choice(["\uff20", "\ufe6b", "@"])
    e = f"{local}{at}{dom}"
    return fullwidth(e) if C.random() < 0.4 or at == "@" else e


def compat_labelled():
    label = C.choice(["MRN", "mrn", "Member", "acct", "Account", "policy"])
    sep = C.choice(["", " ", ": ", " #", "\uff1a", "\uff03", " no. ", "-", "\u2010"])
    ident = C.choice([lambda: cdigits(C.randint(4, 8)), lambda: C.choice("ABCXZ") + cdigits(C.randint(5, 8))])()
    text = label + sep + ident
    if C.random() < 0.6:
        text = fullwidth(text)
        ident = fullwidth(ident)
    return text, ident


def compat_ipv4():
    return fullwidth(".".join(str(C.randint(1, 255)) for _ in range(4)))


COMPAT = {"ssn": compat_ssn, "phone": compat_phone, "email": compat_email, "ipv4": compat_ipv4}


def compat_message():
    template = C.choice(TEMPLATES)
    texts, records = [], []
    for _ in range(template.count("{")):
        kind = C.choice(["ssn", "phone", "email", "ipv4", "labelled"])
        if kind == "labelled":
            text, value = compat_labelled()
        else:
            text = value = COMPAT[kind]()
        if C.random() < 0.5:
            text = C.choice(["", " ", "(", ":", "=", "'", "|", "/"]) + text + C.choice(["", " ", ")", ".", ";", "'", "!"])
        texts.append(text)
        records.append({"kind": kind, "value": value})
    return template.format(*texts), records


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "planted.jsonl"), "w", encoding="utf-8") as f:
        for _ in range(2400):
            message, planted = planted_message()
            f.write(json.dumps({"message": message, "planted": planted}, ensure_ascii=False) + "\n")
    with open(os.path.join(OUT, "benign.jsonl"), "w", encoding="utf-8") as f:
        for _ in range(800):
            message, keep = benign_message()
            f.write(json.dumps({"message": message, "keep": keep}, ensure_ascii=False) + "\n")
    with open(os.path.join(OUT, "compat.jsonl"), "w", encoding="utf-8") as f:
        for _ in range(1200):
            message, planted = compat_message()
            f.write(json.dumps({"message": message, "planted": planted}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
