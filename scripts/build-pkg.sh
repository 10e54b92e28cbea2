#!/usr/bin/env bash
# Build the npm package in pkg/: two wasm modules (emitting: bindings/emit -> pkg/dist;
# auditing: bindings/trail -> pkg/dist/trail), each with wasm-bindgen glue, wasm-opt, the
# embedded-bytes module for runtimes that instantiate from bytes, and the CommonJS entry.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/setup.sh
setup build # wasm32 target, wasm-bindgen-cli (the version Cargo.lock pins), npm packages
wasm_bindgen=$(wasm_bindgen_bin)

echo "== cargo build (wasm32, profile wasm): the emitting and the auditing module"
cargo build --quiet --target wasm32-unknown-unknown --profile wasm -p bh_audit_logger_emit -p bh_audit_logger_trail
rm -rf pkg/dist && mkdir -p pkg/dist/trail
# module: crate name -> output directory (the emitting module stays at pkg/dist/ itself)
for module in emit:pkg/dist trail:pkg/dist/trail; do
  crate=bh_audit_logger_${module%%:*} out=${module#*:}
  "$wasm_bindgen" --target web --out-dir "$out" --out-name glue --no-typescript \
    "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/wasm/$crate.wasm"
  node scripts/patch-glue.mjs "$out/glue.js"
  if [ -x node_modules/.bin/wasm-opt ]; then
    node_modules/.bin/wasm-opt -O3 --strip-producers --strip-target-features --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals \
      "$out/glue_bg.wasm" -o "$out/glue_bg.opt.wasm"
    mv "$out/glue_bg.opt.wasm" "$out/glue_bg.wasm"
  fi
  node scripts/embed-wasm.mjs "$out/glue_bg.wasm" "$out/wasm_bytes.js"
done
# require(): one CommonJS file per entry
for entry in node:node trail-node:trail; do
  node_modules/.bin/esbuild "pkg/src/${entry%%:*}.mjs" --bundle --platform=node --format=cjs --log-level=warning \
    --outfile="pkg/dist/${entry#*:}.cjs" --define:import.meta.url=__bh_import_meta_url \
    --banner:js='const __bh_import_meta_url = require("url").pathToFileURL(__filename).href;'
done
for wasm in pkg/dist/glue_bg.wasm pkg/dist/trail/glue_bg.wasm; do
  raw=$(wc -c < "$wasm"); gz=$(gzip -9 -c "$wasm" | wc -c)
  echo "== $wasm: $raw bytes raw, $gz bytes gzip"
done
