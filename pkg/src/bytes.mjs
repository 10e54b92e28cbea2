// Deno, browsers and bundlers: instantiate from bytes embedded in a JS module, so no file,
// network or permission is needed. Compiled synchronously: the module is small.
import { initSync } from "../dist/glue.js";
import { wasmState } from "./memory.js";
import { wasmBytes } from "../dist/wasm_bytes.js";

wasmState.memory = initSync({ module: new WebAssembly.Module(wasmBytes()) }).memory;

export * from "./facade.js";
