"""Timing of the Python reference (bh-audit-logger 0.3.0) for benches/js/audit.mjs.

Same two calls as the Node benchmark, alternated, with a bounded MemorySink. Prints one JSON
line: {"us_per_event": median over BENCH_RUNS (5) repeats, process CPU time unless BENCH_CLOCK=wall, "runs": [...], "import_to_first_event_ms": ...}.
Usage: python audit_ref.py [number_per_repeat] [scenario]
scenario: "pair" (default: the READ and UPDATE above, alternated), "issue_drop" / "issue_keep"
(issue 12's call: a READ with actor, resource, outcome, correlation and three metadata keys, one
of them not on the allowlist / all three on it).
"""

import json
import logging
import os
import sys
import time

T0 = time.perf_counter()
from bh_audit_logger import AuditLogger, AuditLoggerConfig, __version__  # noqa: E402
from bh_audit_logger.sinks.memory import MemorySink  # noqa: E402


def main() -> None:
    # Logging off, as the Node side's onDiagnostic is a no-op (the reference would otherwise
    # print each dropped metadata key's warning through logging's last-resort handler).
    logging.disable(logging.CRITICAL)
    number = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    scenario = sys.argv[2] if len(sys.argv) > 2 else "pair"
    allow = {"route", "record_count", "note", "cached"}
    if scenario == "issue_drop":
        allow = {"route", "record_count"}
    elif scenario == "issue_keep":
        allow = {"route", "record_count", "client_hint"}
    sink = MemorySink(maxlen=16)
    logger = AuditLogger(
        AuditLoggerConfig(
            service_name="bh-notes-api",
            service_environment="prod",
            service_version="1.4.2",
            metadata_allowlist=frozenset(allow),
        ),
        sink=sink,
    )
    issue_kwargs = dict(
        actor={"subject_id": "user_123", "subject_type": "human", "roles": ["clinician"]},
        resource={"type": "Patient", "id": "pat_456"},
        outcome={"status": "SUCCESS"},
        correlation={"request_id": "req_1"},
        metadata={"route": "/patients/{id}", "record_count": 3, "client_hint": "x"},
        phi_touched=True,
        data_classification="PHI",
    )
    read_kwargs = dict(
        actor={"subject_id": "user_123", "subject_type": "human", "org_id": "org_77", "roles": ["clinician"]},
        resource={"type": "Patient", "id": "pat_456", "patient_id": "pat_456"},
        correlation={"request_id": "req_1"},
        metadata={"route": "/patients/{id}", "record_count": 3, "note": "x" * 300, "cached": False},
        phi_touched=True,
        data_classification="PHI",
    )
    err = ValueError("lookup failed for 123-45-6789 (jane.doe@example.com, 555-123-4567, MRN 12345678901)")
    update_kwargs = dict(
        actor={"subject_id": "user_123", "subject_type": "human"},
        resource={"type": "Note", "id": "note_9"},
        error=err,
    )
    first = logger.audit("READ", **read_kwargs)
    import_to_first = (time.perf_counter() - T0) * 1000
    assert first is not None

    def two() -> None:
        if scenario == "pair":
            logger.audit("READ", **read_kwargs)
            logger.audit("UPDATE", **update_kwargs)
        else:
            logger.audit("READ", **issue_kwargs)
            logger.audit("READ", **issue_kwargs)

    for _ in range(number // 10):  # warm-up
        two()
    # Same clock as the Node side: process CPU time unless BENCH_CLOCK=wall.
    clock = time.perf_counter if os.environ.get("BENCH_CLOCK") == "wall" else time.process_time
    runs = []
    for _ in range(int(os.environ.get("BENCH_RUNS", "5"))):
        t = clock()
        for _ in range(number // 2):
            two()
        runs.append((clock() - t) / number * 1e6)
    runs_sorted = sorted(runs)
    print(
        json.dumps(
            {
                "version": __version__,
                "python": sys.version.split()[0],
                "us_per_event": runs_sorted[len(runs) // 2],
                "runs": runs,
                "import_to_first_event_ms": import_to_first,
                "sample": sink.events[-1],
            }
        )
    )


if __name__ == "__main__":
    main()
