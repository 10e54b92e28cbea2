#!/usr/bin/env bash
# Main job: build, then emit real audit events (JSON lines on stdout).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --release --example emit
