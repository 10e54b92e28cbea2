// The wasm instance's memory, set by the loader right after instantiation, so the facade can
// write input text into it with TextEncoder.encodeInto; `generation` counts instance
// replacements and `poisoned` marks an instance to replace before the next call (trap
// recovery, pkg/src/guard.js). Internal: not part of the public API.
export const wasmState = { memory: null, generation: 0, poisoned: false };
