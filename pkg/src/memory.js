// The wasm instance's memory, set by the loader right after instantiation, so the facade can
// write input text into it with TextEncoder.encodeInto. Internal: not part of the public API.
export const wasmState = { memory: null };
