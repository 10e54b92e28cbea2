#!/usr/bin/env python3
"""Run the parity vectors through the Python reference (bh-audit-logger 0.3.0).

Usage: reference.py VECTORS.json > results.json
Prints {"version": ..., "results": {case name: {...}}} where each result holds the returned
event (or null), the events the sink received, the counters, and the exception class raised.
Events are given as the line the reference's LoggingSink writes for them (text, compared byte
for byte).
"""
import builtins
import json
import logging
import sys
from datetime import UTC, datetime, timedelta

import bh_audit_logger
from bh_audit_logger import AuditLogger, AuditLoggerConfig, MemorySink, sanitize_error_message
from bh_audit_logger.sinks.logging_sink import LoggingSink

logging.disable(logging.CRITICAL)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

SNAKE = {
    "serviceName": "service_name", "serviceEnvironment": "service_environment",
    "serviceVersion": "service_version", "defaultActorId": "default_actor_id",
    "defaultActorType": "default_actor_type", "metadataAllowlist": "metadata_allowlist",
    "sanitizeErrors": "sanitize_errors", "errorMessageMaxLen": "error_message_max_len",
    "maxMetadataValueLength": "max_metadata_value_length", "emitFailureMode": "emit_failure_mode",
    "failureLoggerName": "failure_logger_name", "schemaVersion": "schema_version",
}


class Lines:
    """Stands in for the logger of the reference's LoggingSink: keeps each line it logs."""

    def __init__(self):
        self.lines = []

    def log(self, level, line, extra=None):
        self.lines.append(line)


class LineSink(LoggingSink):
    """The reference's own LoggingSink; its lines are kept instead of logged."""

    def __init__(self):
        super().__init__()
        self._logger = Lines()

    @property
    def lines(self):
        return self._logger.lines


def line(event):
    """The line LoggingSink writes for `event` (for the returned event)."""
    sink = LineSink()
    sink.emit(event)
    return sink.lines[0]


class FailingSink(MemorySink):
    def emit(self, event):
        raise RuntimeError("sink unavailable")


def make_error(spec):
    if isinstance(spec, dict):
        cls = getattr(builtins, spec["exception"], None)
        if not (isinstance(cls, type) and issubclass(cls, Exception)):
            cls = type(spec["exception"], (Exception,), {})
        return cls(spec["message"])
    return spec


def run(case):
    if case["call"] == "sanitize":
        return {"sanitized": sanitize_error_message(case["message"], max_len=case["max_len"])}
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
    out = {"returned": None, "raised": None}
    try:
        call = case["call"]
        if call == "emit":
            logger.emit(json.loads(json.dumps(case["event"])))
        elif call in ("audit", "audit_access"):
            out["returned"] = getattr(logger, call)(case["action_type"], **args)
        else:
            out["returned"] = getattr(logger, call)(**args)
    except Exception as exc:  # the reference raises in its "raise" modes
        out["raised"] = type(exc).__name__
    if out["returned"] is not None:
        out["returned"] = line(out["returned"])
    out["sink"] = sink.lines if not isinstance(sink, FailingSink) else []
    out["stats"] = logger.stats.snapshot()
    return out


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    results = {c["name"]: run(c) for c in cases}
    json.dump({"version": bh_audit_logger.__version__, "results": results}, sys.stdout, ensure_ascii=False)


main()
