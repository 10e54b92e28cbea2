// Node.js entry of bh-audit-logger/trail: instantiate the auditor's wasm module synchronously
// from the file beside its glue.
import { readFileSync } from "node:fs";
import { initSync } from "../dist/trail/glue.js";
import { trailWasmState } from "./memory.js";

trailWasmState.memory = initSync({ module: readFileSync(new URL("../dist/trail/glue_bg.wasm", import.meta.url)) }).memory;

export * from "./trail.js";
