#!/usr/bin/env bash
# Set up and run every test. Needs only rustup, Node.js >= 20, python3 and apt-get (Debian);
# everything else is installed by scripts/setup.sh (and reused when already there).
# To add tests: Rust tests in tests/*.rs and src/ run through `cargo test`; Node tests in
# tests/js/*.test.mjs and tests/www/*.test.mjs run through `node --test`; anything else is one
# more line below.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/setup.sh
setup all # rust target and components, wasm-bindgen-cli, npm packages, Python venvs, Chromium

echo "== rust: fmt, clippy, tests"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy --all-targets --features regex -- -D warnings
cargo clippy --workspace --target wasm32-unknown-unknown --lib -- -D warnings
# the two wasm modules as build-pkg.sh builds them: the core without its runtime schema compiler
cargo clippy -p bh_audit_logger_emit -p bh_audit_logger_trail --target wasm32-unknown-unknown --lib -- -D warnings
cargo test --workspace
# `pattern` / `patternProperties` (the regex engine, off by default): its own tests and the suite's
cargo test --features regex --lib validator::
cargo test --features regex --test validator_suite

echo "== npm package build"
./scripts/build-pkg.sh

echo "== js: conformance in Node, Deno, workerd, Chromium; packaging; differential; playground"
node --test --test-concurrency=1 tests/js/ tests/www/
