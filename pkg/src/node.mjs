// Node.js entry: instantiate the wasm core synchronously from the file beside the glue.
import { readFileSync } from "node:fs";
import { initSync } from "../dist/glue.js";
import { wasmState } from "./memory.js";

wasmState.memory = initSync({ module: readFileSync(new URL("../dist/glue_bg.wasm", import.meta.url)) }).memory;

export * from "./facade.js";
