// Deno, browsers and bundlers entry of bh-audit-logger/trail: instantiated from bytes embedded
// in a JS module, so no file, network or permission is needed.
import { initSync } from "../dist/trail/glue.js";
import { trailWasmState } from "./memory.js";
import { wasmBytes } from "../dist/trail/wasm_bytes.js";

trailWasmState.memory = initSync({ module: new WebAssembly.Module(wasmBytes()) }).memory;

export * from "./trail.js";
