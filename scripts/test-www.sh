#!/usr/bin/env bash
# Browser tests of the playground (www/): headless Chromium (Debian's package) driven by
# playwright-core. Installs Chromium when missing and builds pkg/ when it is not built.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/setup.sh
setup node chromium
if [ ! -f pkg/dist/glue_bg.wasm ] || [ ! -f pkg/dist/wasm_bytes.js ]; then
  echo "== building pkg/ (./scripts/build-pkg.sh)"
  ./scripts/build-pkg.sh
fi
CHROMIUM="${CHROMIUM:-$(command -v chromium)}" exec node --test tests/www/
