#!/usr/bin/env bash
# Build the npm package in pkg/: wasm core (release), wasm-bindgen glue, wasm-opt, the
# embedded-bytes module for runtimes that instantiate from bytes, and the CommonJS entry.
set -euo pipefail
cd "$(dirname "$0")/.."

WB_VERSION=0.2.130
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
if ! command -v wasm-bindgen >/dev/null || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$WB_VERSION" ]; then
  echo "== installing wasm-bindgen-cli $WB_VERSION (about two minutes)"
  cargo install --quiet --locked wasm-bindgen-cli --version "$WB_VERSION"
fi
[ -x node_modules/.bin/esbuild ] || npm ci --no-audit --no-fund

echo "== cargo build (wasm32, profile wasm)"
cargo build --quiet --lib --target wasm32-unknown-unknown --profile wasm
rm -rf pkg/dist && mkdir -p pkg/dist
wasm-bindgen --target web --out-dir pkg/dist --out-name glue --no-typescript \
  "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/wasm/bh_audit_logger.wasm"
node scripts/patch-glue.mjs pkg/dist/glue.js
if [ -x node_modules/.bin/wasm-opt ]; then
  node_modules/.bin/wasm-opt -O3 --strip-producers --strip-target-features --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
    pkg/dist/glue_bg.wasm -o pkg/dist/glue_bg.opt.wasm
  mv pkg/dist/glue_bg.opt.wasm pkg/dist/glue_bg.wasm
fi
node scripts/embed-wasm.mjs pkg/dist/glue_bg.wasm pkg/dist/wasm_bytes.js
node_modules/.bin/esbuild pkg/src/node.mjs --bundle --platform=node --format=cjs --log-level=warning \
  --outfile=pkg/dist/node.cjs --define:import.meta.url=__bh_import_meta_url \
  --banner:js='const __bh_import_meta_url = require("url").pathToFileURL(__filename).href;'
raw=$(wc -c < pkg/dist/glue_bg.wasm); gz=$(gzip -9 -c pkg/dist/glue_bg.wasm | wc -c)
echo "== pkg/dist/glue_bg.wasm: $raw bytes raw, $gz bytes gzip"
