// Append to wasm-bindgen's glue (pkg/dist/glue.js) the two functions trap recovery needs
// (pkg/src/guard.js): `reinstantiate()` replaces the instance from the already compiled
// WebAssembly.Module (the glue keeps it), and `unregisterFinalizer(obj)` takes an exported
// object off the glue's FinalizationRegistry, so the facade frees it only into the instance
// that made it. Fails the build if the glue no longer has the names this relies on.
import { readFileSync, writeFileSync } from "node:fs";
const [file] = process.argv.slice(2);
const glue = readFileSync(file, "utf8");
for (const needed of ["let wasmModule, wasmInstance, wasm;", "function initSync(module)"]) {
  if (!glue.includes(needed)) {
    console.error(`patch-glue: ${file} has no \`${needed}\` (wasm-bindgen output changed); update scripts/patch-glue.mjs`);
    process.exit(1);
  }
}
const registries = [...glue.matchAll(/^const (\w+Finalization) = /gm)].map((m) => m[1]);
if (registries.length === 0) {
  console.error(`patch-glue: ${file} has no FinalizationRegistry (wasm-bindgen output changed); update scripts/patch-glue.mjs`);
  process.exit(1);
}
writeFileSync(file, `${glue}
// Appended by scripts/patch-glue.mjs (trap recovery, see pkg/src/guard.js).
export function reinstantiate() {
    const module = wasmModule;
    wasm = undefined;
    return initSync({ module });
}
export function unregisterFinalizer(obj) {
${registries.map((r) => `    ${r}.unregister(obj);`).join("\n")}
}
`);
