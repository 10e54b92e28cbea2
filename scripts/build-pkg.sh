#!/usr/bin/env bash
# Build the npm package in pkg/: wasm core (release), wasm-bindgen glue, wasm-opt, the
# embedded-bytes module for runtimes that instantiate from bytes, and the CommonJS entry.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/setup.sh
setup build # wasm32 target, wasm-bindgen-cli (the version Cargo.lock pins), npm packages
wasm_bindgen=$(wasm_bindgen_bin)

echo "== cargo build (wasm32, profile wasm)"
cargo build --quiet --lib --target wasm32-unknown-unknown --profile wasm
rm -rf pkg/dist && mkdir -p pkg/dist
"$wasm_bindgen" --target web --out-dir pkg/dist --out-name glue --no-typescript \
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
