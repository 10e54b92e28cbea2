#!/usr/bin/env python3
"""Reference side of the Rust/Python hash-chain parity test.

Uses only the INSTALLED bh-audit-logger 1.1.1 package's own functions.

    reference.py hashes CORPUS.jsonl   -> JSON on stdout:
        {"version": "1.1.1",
         "prev_seed": str,
         "events": [{"canonical": str, "first": {alg: hash}, "chained": {alg: hash}}, ...],
         "chains": {alg: jsonl text written by LedgerSink},
         "exotic_chain": jsonl text (big ints, NaN, Infinity) written by LedgerSink}
    reference.py verify FILE.jsonl     -> JSON of bh_audit_logger._verifier.verify_chain

"first" hashes use no previous hash; "chained" ones use prev_seed as previous hash.
"""
import dataclasses
import json
import logging
import os
import sys
import tempfile

import bh_audit_logger
from bh_audit_logger._chain import canonical_serialize, compute_chain_hash
from bh_audit_logger._verifier import verify_chain
from bh_audit_logger.sinks.ledger import LedgerSink

# LedgerSink warns (by design) when re-sealing events that carry a stale block.
logging.getLogger("bh.audit.chain").setLevel(logging.ERROR)

ALGS = ["sha256", "sha384", "sha512"]
PREV_SEED = "d2a84f4b8b650937ec8f73cd8be2c74add5a911ba64df27458ed8229da804a26"


def load(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def ledger_text(events, alg):
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "chain.jsonl")
        sink = LedgerSink(p, algorithm=alg)
        for ev in events:
            sink.emit(ev)
        sink.close()
        with open(p, encoding="utf-8", newline="") as fh:
            return fh.read()


def hashes(corpus):
    events = load(corpus)
    out = {"version": bh_audit_logger.__version__, "prev_seed": PREV_SEED, "events": []}
    for ev in events:
        out["events"].append(
            {
                "canonical": canonical_serialize(ev).decode("utf-8"),
                "first": {a: compute_chain_hash(ev, None, a)["event_hash"] for a in ALGS},
                "chained": {a: compute_chain_hash(ev, PREV_SEED, a)["event_hash"] for a in ALGS},
            }
        )
    out["chains"] = {a: ledger_text(events, a) for a in ALGS}
    exotic = [
        {"event_id": "big-1", "value": 2 ** 70, "neg": -(2 ** 80), "list": [2 ** 64, -(2 ** 63) - 1]},
        {"event_id": "nonfinite", "nan": float("nan"), "inf": float("inf"), "ninf": float("-inf")},
        {"event_id": "exp", "value": 1e300, "tiny": 4.9e-324},
    ]
    out["exotic_chain"] = ledger_text(exotic, "sha256")
    return out


def verify(path):
    result = verify_chain(load(path))
    return dataclasses.asdict(result)


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("hashes", "verify"):
        print(__doc__, file=sys.stderr)
        return 2
    fn = hashes if sys.argv[1] == "hashes" else verify
    json.dump(fn(sys.argv[2]), sys.stdout, ensure_ascii=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
