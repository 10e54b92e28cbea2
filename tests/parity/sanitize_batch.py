#!/usr/bin/env python3
"""Read a JSON list of [message, max_len] pairs on stdin; print the reference's outputs."""
import json
import sys

from bh_audit_logger import sanitize_error_message

pairs = json.load(sys.stdin)
json.dump([sanitize_error_message(m, max_len=n) for m, n in pairs], sys.stdout, ensure_ascii=False)
