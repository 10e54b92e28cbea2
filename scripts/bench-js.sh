#!/usr/bin/env bash
# Node.js benchmarks: validation (ours vs Ajv vs @cfworker/json-schema) and audit() (ours vs plain
# JS vs the Python reference 0.3.0), plus import-to-first-event in Node, Python and workerd.
# Prints markdown tables for the README. Options: --rebuild (rebuild pkg/dist first), --quick
# (BENCH_SCALE=0.2), --no-workerd, --no-python. Env: BENCH_RUNS (default 5), BENCH_SCALE,
# BENCH_CLOCK (cpu, the default: process CPU time; wall: wall-clock).
set -euo pipefail
cd "$(dirname "$0")/.."

rebuild=0; audit_args=()
for a in "$@"; do
  case "$a" in
    --rebuild) rebuild=1 ;;
    --quick) export BENCH_SCALE=${BENCH_SCALE:-0.2} ;;
    --no-workerd|--no-python) audit_args+=("$a") ;;
    *) echo "unknown option: $a" >&2; exit 2 ;;
  esac
done

source scripts/setup.sh
setup node
if [ "$rebuild" = 1 ] || [ ! -f pkg/dist/glue_bg.wasm ] || [ ! -f pkg/dist/glue.js ]; then
  ./scripts/build-pkg.sh >&2
fi
if [[ ! " ${audit_args[*]-} " =~ " --no-python " ]]; then
  setup python # exports BH_REF_PYTHON (the 0.3.0 reference's interpreter)
fi

cpu=$(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//' || true)
echo "## Node.js benchmarks"
echo
echo "\`scripts/bench-js.sh\` on $(uname -sm), ${cpu:-unknown CPU}, $(nproc) cores, Node $(node --version), load average at start: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)."
echo "Medians of ${BENCH_RUNS:-5} interleaved runs after a warm-up, timed in $([ "${BENCH_CLOCK:-cpu}" = wall ] && echo wall-clock time || echo "process CPU time (user + system; BENCH_CLOCK=wall for wall-clock)"); absolute figures depend on the machine, the ratios less so."
echo
node benches/js/validate.mjs
echo
node benches/js/audit.mjs "${audit_args[@]}"
if [[ ! " ${audit_args[*]-} " =~ " --no-workerd " ]]; then
  echo
  echo "### Durable sinks under miniflare (workerd)"
  echo
  node benches/js/durable.mjs
fi
