#!/usr/bin/env bash
# Set up and run every test. Needs only rustup, Node.js >= 20 and python3 (for the reference).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

echo "== setup: rust components"
rustup component add rustfmt clippy >/dev/null 2>&1 || true

echo "== setup: python reference bh-audit-logger 0.3.0"
if [ ! -x .venv-ref/bin/python ] || ! .venv-ref/bin/python -c 'import bh_audit_logger, sys; sys.exit(bh_audit_logger.__version__ != "0.3.0")' 2>/dev/null; then
  python3 -m venv .venv-ref
  .venv-ref/bin/pip install -q --disable-pip-version-check bh-audit-logger==0.3.0
fi
export BH_REF_PYTHON="$root/.venv-ref/bin/python"

echo "== setup: python bh-audit-logger 1.1.1 (integrity chain reference)"
if [ ! -x .venv-ref111/bin/python ] || ! .venv-ref111/bin/python -c 'import bh_audit_logger, typer, sys; sys.exit(bh_audit_logger.__version__ != "1.1.1")' 2>/dev/null; then
  python3 -m venv .venv-ref111
  .venv-ref111/bin/pip install -q --disable-pip-version-check "bh-audit-logger[cli]==1.1.1"
fi
export BH_REF111_PYTHON="$root/.venv-ref111/bin/python"

echo "== setup: python bh-audit-logger 2.0.0 (agent attribution reference)"
if [ ! -x .venv-ref200/bin/python ] || ! .venv-ref200/bin/python -c 'import bh_audit_logger, sys; sys.exit(bh_audit_logger.__version__ != "2.0.0")' 2>/dev/null; then
  python3 -m venv .venv-ref200
  .venv-ref200/bin/pip install -q --disable-pip-version-check bh-audit-logger==2.0.0
fi
export BH_REF200_PYTHON="$root/.venv-ref200/bin/python"

echo "== rust: fmt, clippy, tests"
cargo fmt --check
cargo clippy --all-targets -- -D warnings
cargo clippy --all-targets --features regex -- -D warnings
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
cargo clippy --target wasm32-unknown-unknown --lib -- -D warnings
cargo test
# `pattern` / `patternProperties` (the regex engine, off by default): its own tests and the suite's
cargo test --features regex --lib validator::
cargo test --features regex --test validator_suite

echo "== setup: node tooling (npm ci), Chromium, npm package build"
npm ci --no-audit --no-fund --loglevel=error
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
./scripts/build-pkg.sh

echo "== js: conformance in Node, Deno, workerd, Chromium; packaging; differential; playground"
node --test --test-concurrency=1 tests/js/ tests/www/
