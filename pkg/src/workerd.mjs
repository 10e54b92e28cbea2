// Cloudflare workerd entry: Workers forbid compiling wasm from bytes, so the module is
// imported (the runtime compiles it at upload) and instantiated synchronously.
import wasmModule from "../dist/glue_bg.wasm";
import { initSync } from "../dist/glue.js";
import { wasmState } from "./memory.js";

wasmState.memory = initSync({ module: wasmModule }).memory;

export * from "./facade.js";
