// Cloudflare workerd entry of bh-audit-logger/trail: the module is imported (Workers cannot
// compile bytes) and instantiated synchronously.
import wasmModule from "../dist/trail/glue_bg.wasm";
import { initSync } from "../dist/trail/glue.js";
import { trailWasmState } from "./memory.js";

trailWasmState.memory = initSync({ module: wasmModule }).memory;

export * from "./trail.js";
