#!/usr/bin/env bash
# Every tool the project installs, in one place. Each step checks first and installs only what
# is missing or out of date, saying what it installs and about how long that takes.
#
#   ./scripts/setup.sh              everything (what ./scripts/test.sh needs)
#   ./scripts/setup.sh build        what building pkg/ needs (./scripts/run.sh): rust wasm-bindgen node
#   ./scripts/setup.sh STEP...      single steps: rust wasm-bindgen node python chromium
#
# Other scripts source this file and call `setup STEP...` (build-pkg.sh, run.sh, test.sh,
# test-www.sh, bench-js.sh). Needs rustup, Node.js >= 20 (npm), python3 with venv, and apt-get
# (Debian) for Chromium.
#
# To add a tool: a Python package is one line in PYTHON_VENVS; an npm package is a devDependency
# in package.json (then `npm install --save-dev NAME@VERSION` to update package-lock.json: the
# node step reinstalls whenever package-lock.json changes); anything else is one more step
# function below plus its name in `setup`.

# Python venvs in the repository root (git-ignored): "directory|variable|pip requirement...".
# A venv is (re)built when its requirement changes. `setup python` exports each variable as the
# venv's interpreter (for the scripts that source this file); the Rust tests read the variable
# or, when it is unset, the venv at its directory (tests/support/python.rs).
PYTHON_VENVS=(
  ".venv-ref|BH_REF_PYTHON|bh-audit-logger==0.3.0"             # parity reference (schema 1.1)
  ".venv-ref111|BH_REF111_PYTHON|bh-audit-logger[cli]==1.1.1"  # integrity chains, verify CLI
  ".venv-ref200|BH_REF200_PYTHON|bh-audit-logger==2.0.0"       # schema 2.0 agents
  ".venv-fhir|BH_FHIR_PYTHON|fhir.resources>=8,<9"             # FHIR models (fhir.resources 8.x)
  ".venv-crypto|BH_CRYPTO_PYTHON|cryptography>=42"             # Ed25519 of the independent tlog check
)

SETUP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

_say() { echo "== setup: $*" >&2; }
_timed() { # _timed WHAT ESTIMATE CMD...: run CMD, saying what it installs, the estimate and the time taken
  local what=$1 estimate=$2 start=$SECONDS
  shift 2
  _say "installing $what (about $estimate)"
  "$@" >&2 || { _say "FAILED: $what"; return 1; }
  _say "$what: done in $((SECONDS - start)) s"
}
_sudo() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# The wasm-bindgen version is the one Cargo.lock pins for the crate (the CLI must match it).
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$SETUP_ROOT/Cargo.lock"
}

# Path of a wasm-bindgen CLI of the pinned version (on PATH or in cargo's bin dir), or nothing.
wasm_bindgen_bin() {
  local want c
  want=$(wasm_bindgen_version)
  for c in "$(command -v wasm-bindgen || true)" "${CARGO_HOME:-$HOME/.cargo}/bin/wasm-bindgen"; do
    if [ -n "$c" ] && [ -x "$c" ] && [ "$("$c" --version 2>/dev/null | awk '{print $2}')" = "$want" ]; then
      echo "$c"
      return 0
    fi
  done
  return 1
}

setup_rust() {
  local installed
  installed=$(rustup target list --installed)
  if ! grep -qx wasm32-unknown-unknown <<<"$installed"; then
    _timed "rust target wasm32-unknown-unknown" "30 s" rustup target add wasm32-unknown-unknown
  fi
  installed=$(rustup component list --installed)
  for c in rustfmt clippy; do
    if ! grep -q "^$c" <<<"$installed"; then
      _timed "rust component $c" "20 s" rustup component add "$c"
    fi
  done
}

_install_wasm_bindgen() {
  local v=$1
  # --locked first (the CLI's own lockfile); when the registry does not serve a version that
  # lockfile names, resolve again without it (newest semver-compatible dependencies).
  cargo install --quiet --locked wasm-bindgen-cli --version "$v" && return 0
  _say "wasm-bindgen-cli $v: --locked did not resolve against the registry; installing without --locked"
  cargo install --quiet wasm-bindgen-cli --version "$v"
}

setup_wasm_bindgen() {
  local v
  v=$(wasm_bindgen_version)
  [ -n "$v" ] || { _say "no wasm-bindgen in Cargo.lock"; return 1; }
  wasm_bindgen_bin >/dev/null && return 0
  _timed "wasm-bindgen-cli $v (cargo install, into ${CARGO_HOME:-$HOME/.cargo}/bin)" "2-3 min on 2 cores" \
    _install_wasm_bindgen "$v"
  wasm_bindgen_bin >/dev/null || { _say "wasm-bindgen $v not found after installing"; return 1; }
}

setup_node() {
  local want have=""
  want=$(sha256sum "$SETUP_ROOT/package-lock.json" | cut -d' ' -f1)
  [ -f "$SETUP_ROOT/node_modules/.bh-setup-lock" ] && have=$(cat "$SETUP_ROOT/node_modules/.bh-setup-lock")
  [ "$want" = "$have" ] && return 0
  _timed "npm packages (npm ci: esbuild, binaryen, ajv, deno, workerd, playwright-core, ...)" "1 min" \
    _npm_ci
  echo "$want" >"$SETUP_ROOT/node_modules/.bh-setup-lock"
}

_npm_ci() { (cd "$SETUP_ROOT" && npm ci --no-audit --no-fund --loglevel=error); }

_make_venv() { # _make_venv DIR REQUIREMENT...
  local dir=$1
  shift
  python3 -m venv --clear "$dir" &&
    "$dir/bin/pip" install -q --disable-pip-version-check "$@"
}

setup_python() {
  local entry name var req dir
  for entry in "${PYTHON_VENVS[@]}"; do
    IFS='|' read -r name var req <<<"$entry"
    dir="$SETUP_ROOT/$name"
    if ! [ -x "$dir/bin/python" ] || [ "$(cat "$dir/.bh-setup-req" 2>/dev/null)" != "$req" ]; then
      # shellcheck disable=SC2086 # a requirement may name several packages
      _timed "python venv $name: $req (pip)" "10 s" _make_venv "$dir" $req
      echo "$req" >"$dir/.bh-setup-req"
    fi
    export "$var=$dir/bin/python"
  done
}

setup_chromium() {
  command -v chromium >/dev/null && return 0
  _timed "chromium (Debian package, apt-get)" "2 min" _apt_install chromium
}

_apt_install() {
  _sudo apt-get update -qq &&
    _sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# setup STEP...: the steps or groups named (none: all).
setup() {
  local s
  [ $# -gt 0 ] || set -- all
  for s in "$@"; do
    case "$s" in
      all | test) setup rust wasm-bindgen node python chromium ;;
      build) setup rust wasm-bindgen node ;;
      rust) setup_rust ;;
      wasm-bindgen) setup_wasm_bindgen ;;
      node) setup_node ;;
      python) setup_python ;;
      chromium) setup_chromium ;;
      *)
        _say "unknown step: $s (steps: rust wasm-bindgen node python chromium; groups: build all)"
        return 2
        ;;
    esac
  done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  start=$SECONDS
  setup "$@"
  _say "ready ($((SECONDS - start)) s)"
fi
