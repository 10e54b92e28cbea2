// The state of each wasm module's instance: its memory (set by the loader right after
// instantiation, so a facade can write input text into it with TextEncoder.encodeInto),
// `generation` (instance replacements so far) and `poisoned` (replace before the next call:
// trap recovery). One per module: `wasmState` for the emitting module (bh-audit-logger),
// `trailWasmState` for the auditor's (bh-audit-logger/trail). Internal: not public API.
export const wasmState = { memory: null, generation: 0, poisoned: false };
export const trailWasmState = { memory: null, generation: 0, poisoned: false };

/**
 * Replace a poisoned instance from its compiled module (`reinstantiate`, appended to each
 * glue by scripts/patch-glue.mjs); returns true when it did. Objects of the old instance
 * notice by their generation and rebuild from their state.
 */
export function recover(state, reinstantiate) {
  if (!state.poisoned) return false;
  state.memory = reinstantiate().memory;
  state.generation++;
  state.poisoned = false;
  return true;
}
