// The auditor's entry (bh-audit-logger/trail), over its own wasm module: `verifyChain`,
// audit trails in pieces (`ChainVerifier`: the hash chain; `TrailReport`: every line
// validated, the chain verified, a summary; memory does not grow with the trail) and
// `toFhirAuditEvent`. Thin wrappers over the core (src/integrity.rs, src/trail.rs,
// src/fhir.rs). The loaders (trail-node.mjs, trail-workerd.mjs, trail-bytes.mjs) instantiate
// the module, then re-export this file. Nothing here runs wasm at import time.
import { ChainVerifierCore, TrailReportCore, verifyChainJson, reinstantiate } from "../dist/trail/glue.js";
import { trailWasmState as wasmState, recover } from "./memory.js";
export { toFhirAuditEvent } from "./fhir.js";
export { ValidationError, SCHEMA_VERSIONS } from "./errors.js";

/** Make sure this module's instance is usable: replaced first if a trap poisoned it. */
export function healthy() {
  recover(wasmState, reinstantiate);
}

/**
 * Verify a JSON-lines audit trail's hash chain (as bh-audit-logger 1.1.1 chains it).
 * @returns {{ ok: boolean, checked: number, failures: { line: number, event_id: string | null, reason: string }[] }}
 */
export function verifyChain(jsonl) {
  if (typeof jsonl !== "string") throw new TypeError("verifyChain: `jsonl` must be a string of JSON lines");
  healthy();
  try {
    return JSON.parse(verifyChainJson(jsonl));
  } catch {
    wasmState.poisoned = true;
    throw new RangeError("verifyChain: the wasm core failed on this input (a trap); it is replaced before the next call");
  }
}

const encoder = new TextEncoder();
/** Bytes handed to the core per call: bounds the wasm memory a huge chunk would take. */
const SLICE = 1 << 20;

function readOption(options, name) {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== "object") throw new TypeError("options must be an object");
  try {
    return options[name];
  } catch {
    throw new TypeError(`${name} could not be read`);
  }
}

function maxFailuresOption(options, fallback) {
  const v = readOption(options, "maxFailures");
  if (v === undefined || v === null) return fallback;
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError("maxFailures must be an integer from 0 to 4294967295");
  return v;
}

/** Shared by both classes: chunk types, surrogate pairs split between strings, the finished state. */
class Feed {
  #core;
  #generation;
  #pendingHigh = "";
  bytes = 0;
  /** `make()` builds the core in a healthy instance (one replaced first if a trap poisoned it). */
  constructor(make) {
    healthy();
    this.#core = make();
    this.#generation = wasmState.generation;
  }
  get core() {
    if (!this.#core) throw new Error("already finished");
    if (this.#generation !== wasmState.generation || wasmState.poisoned) {
      this.#core = null;
      throw new Error("the wasm core was replaced after a trap; this trail's state is lost: start a new one");
    }
    return this.#core;
  }
  /** Run `f` on the core; an unexpected failure inside it poisons the instance (replaced before the next call). */
  #guarded(f) {
    try {
      return f();
    } catch {
      wasmState.poisoned = true;
      this.#core = null;
      throw new RangeError("the wasm core failed on this trail (a trap); it is replaced before the next call");
    }
  }
  push(chunk, name) {
    const core = this.core;
    let bytes;
    if (typeof chunk === "string") {
      let text = this.#pendingHigh + chunk;
      this.#pendingHigh = "";
      const last = text.charCodeAt(text.length - 1);
      if (last >= 0xd800 && last < 0xdc00) {
        this.#pendingHigh = text.slice(-1);
        text = text.slice(0, -1);
      }
      bytes = encoder.encode(text);
    } else if (chunk instanceof Uint8Array) {
      bytes = chunk;
    } else if (chunk instanceof ArrayBuffer) {
      bytes = new Uint8Array(chunk);
    } else if (ArrayBuffer.isView(chunk)) {
      bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    } else {
      throw new TypeError(`${name}.push: chunk must be a string, Uint8Array or ArrayBuffer`);
    }
    this.#guarded(() => {
      for (let at = 0; at < bytes.length; at += SLICE) core.push(bytes.subarray(at, at + SLICE));
    });
    this.bytes += bytes.length;
  }
  finish() {
    const core = this.core;
    const pending = this.#pendingHigh;
    this.#pendingHigh = "";
    const json = this.#guarded(() => {
      if (pending) core.push(encoder.encode(pending)); // a lone surrogate: U+FFFD, as encodeInto writes it
      return core.finish();
    });
    core.free();
    this.#core = null;
    return JSON.parse(json);
  }
}

/**
 * Verifies a JSON-lines trail's hash chain given in pieces: `push(chunk)` (string,
 * Uint8Array or ArrayBuffer, split anywhere), then `finish()` returns what
 * `verifyChain(wholeText)` returns. `{ maxFailures = 1000 }` caps the failures listed.
 */
export class ChainVerifier {
  #feed;
  constructor(options) {
    const max = maxFailuresOption(options, 1000);
    this.#feed = new Feed(() => new ChainVerifierCore(max));
  }
  push(chunk) {
    this.#feed.push(chunk, "ChainVerifier");
  }
  /** Bytes pushed so far. */
  get bytes() {
    return this.#feed.bytes;
  }
  /** Events examined so far. */
  get events() {
    return this.#feed.core.checked();
  }
  finish() {
    return this.#feed.finish();
  }
}

/**
 * Validates every line of a JSON-lines trail, verifies its chain and summarizes it, given
 * in pieces. Options: `schemaVersion` (default: each line's own), `verifyChain` (default
 * true), `maxFailures` (default 100).
 */
export class TrailReport {
  #feed;
  constructor(options) {
    const version = readOption(options, "schemaVersion");
    if (version !== undefined && version !== null && typeof version !== "string") throw new TypeError("schemaVersion must be a string");
    const chain = readOption(options, "verifyChain");
    if (chain !== undefined && typeof chain !== "boolean") throw new TypeError("verifyChain must be a boolean");
    const max = maxFailuresOption(options, 100);
    this.#feed = new Feed(() => new TrailReportCore(version ?? undefined, chain ?? true, max));
  }
  push(chunk) {
    this.#feed.push(chunk, "TrailReport");
  }
  /** Bytes pushed so far. */
  get bytes() {
    return this.#feed.bytes;
  }
  /** Non-blank lines seen so far. */
  get events() {
    return this.#feed.core.events();
  }
  finish() {
    return this.#feed.finish();
  }
}
