#!/usr/bin/env python3
"""Run the agent-attribution parity vectors through the Python reference (bh-audit-logger 2.0.0).

Usage: reference_v2.py VECTORS.json > results.json
Prints {"version": ..., "results": {case name: {...}}}: for each case the lines the sink
received (the reference LoggingSink's text, json.dumps with compact separators and
ensure_ascii=False), the returned event as such a line (or null), the counters, and the
exception raised (class name and message), if any.
"""
import builtins
import json
import logging
import sys
from datetime import UTC, datetime, timedelta

import bh_audit_logger
from bh_audit_logger import AuditLogger, AuditLoggerConfig, MemorySink

logging.disable(logging.CRITICAL)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

SNAKE = {
    "serviceName": "service_name", "serviceEnvironment": "service_environment",
    "serviceVersion": "service_version", "defaultActorId": "default_actor_id",
    "defaultActorType": "default_actor_type", "metadataAllowlist": "metadata_allowlist",
    "sanitizeErrors": "sanitize_errors", "errorMessageMaxLen": "error_message_max_len",
    "maxMetadataValueLength": "max_metadata_value_length", "emitFailureMode": "emit_failure_mode",
    "validationFailureMode": "validation_failure_mode", "schemaVersion": "target_schema_version",
    "agentEventDowngradeMode": "agent_event_downgrade_mode", "enableIntegrity": "enable_integrity",
    "hashAlgorithm": "hash_algorithm",
}


def line(event):
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False)


class FailingSink(MemorySink):
    def emit(self, event):
        raise RuntimeError("sink unavailable")


class LineSink(MemorySink):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, event):
        self.lines.append(line(event))


def make_error(spec):
    if isinstance(spec, dict):
        cls = getattr(builtins, spec["exception"], None)
        if not (isinstance(cls, type) and issubclass(cls, Exception)):
            cls = type(spec["exception"], (Exception,), {})
        return cls(spec["message"])
    return spec


def run(case):
    cfg = {SNAKE[k]: v for k, v in case["config"].items() if k in SNAKE}
    if "metadata_allowlist" in cfg:
        cfg["metadata_allowlist"] = frozenset(cfg["metadata_allowlist"])
    now = EPOCH + timedelta(microseconds=case["now_us"])
    cfg["time_source"] = lambda: now
    cfg["id_factory"] = lambda: case["id"]
    sink = FailingSink() if case.get("sink") == "fail" else LineSink()
    logger = AuditLogger(AuditLoggerConfig(**cfg), sink=sink)
    args = dict(case["args"])
    if "error" in args:
        args["error"] = make_error(args["error"])
    out = {"returned": [], "raised": None, "message": None}
    call = case["call"]
    fn = getattr(logger, call)
    for _ in range(case.get("repeat", 1)):
        try:
            if call in ("audit", "audit_access", "audit_access_denied", "audit_agent_action"):
                ev = fn(case["action_type"], **args)
            elif call == "audit_human_override":
                ev = fn(case["agent_session_id"], **args)
            else:
                ev = fn(**args)
            out["returned"].append(None if ev is None else line(ev))
        except Exception as exc:  # the reference's raises, compared by kind
            out["raised"] = type(exc).__name__
            out["message"] = str(exc)
            break
    out["lines"] = [] if isinstance(sink, FailingSink) else sink.lines
    out["stats"] = logger.stats.snapshot()
    return out


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    results = {c["name"]: run(c) for c in cases}
    json.dump({"version": bh_audit_logger.__version__, "results": results}, sys.stdout, ensure_ascii=False)


main()
