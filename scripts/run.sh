#!/usr/bin/env bash
# Main job: set up, build the npm package (Rust core -> wasm), then emit real audit events:
# first from the npm package in Node, then from the native Rust crate. JSON lines on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
setup build # what building pkg/ needs (see scripts/setup.sh)
./scripts/build-pkg.sh >&2 # progress on stderr: stdout carries only the events
echo "== events from the npm package (Node)" >&2
node examples/emit.mjs
echo "== events from the native crate" >&2
cargo run --quiet --release --example emit
