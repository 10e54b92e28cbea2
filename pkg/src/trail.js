// The auditor's entry (bh-audit-logger/trail), over its own wasm module: `verifyChain`,
// audit trails in pieces (`ChainVerifier`: the hash chain; `TrailReport`: every line
// validated, the chain verified, a summary; memory does not grow with the trail) and
// `toFhirAuditEvent`. Thin wrappers over the core (src/integrity.rs, src/trail.rs,
// src/fhir.rs). The loaders (trail-node.mjs, trail-workerd.mjs, trail-bytes.mjs) instantiate
// the module, then re-export this file. Nothing here runs wasm at import time.
import {
  ChainVerifierCore, TrailReportCore, verifyChainJson, reinstantiate, unregisterFinalizer, generateSignerKeyJson, signCheckpointJson,
  openCheckpointJson, verifyInclusionProofJson, verifyConsistencyJson,
} from "../dist/trail/glue.js";
import { trailWasmState as wasmState, recover } from "./memory.js";
export { toFhirAuditEvent } from "./fhir.js";
export { ValidationError, SCHEMA_VERSIONS } from "./errors.js";

/** Make sure this module's instance is usable: replaced first if a trap poisoned it. */
function healthy() {
  recover(wasmState, reinstantiate);
}

/**
 * Verify a JSON-lines audit trail's hash chain (as bh-audit-logger 1.1.1 chains it).
 * @returns {{ ok: boolean, checked: number, failures: { line: number, event_id: string | null, reason: string }[] }}
 */
export function verifyChain(jsonl, options) {
  if (typeof jsonl !== "string") throw new TypeError("verifyChain: `jsonl` must be a string of JSON lines");
  if (options !== undefined) {
    // Options (allowUnchained) take the streaming verifier: one path for both.
    const v = new ChainVerifier({ ...treeOptionsPlain(options), maxFailures: 0xffffffff });
    v.push(jsonl);
    return v.finish();
  }
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

/** An option that must be an array of strings (`undefined` when absent). */
function stringsOption(options, name) {
  const v = readOption(options, name);
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) throw new TypeError(`${name} must be an array of strings`);
  return [...v];
}

/** `allowUnchained`, `checkpoints` and `verifierKeys` as the cores take them. */
function treeOptions(options) {
  const allow = readOption(options, "allowUnchained");
  if (allow !== undefined && allow !== null && typeof allow !== "boolean") throw new TypeError("allowUnchained must be a boolean");
  const checkpoints = stringsOption(options, "checkpoints") ?? [];
  const keys = stringsOption(options, "verifierKeys") ?? [];
  if (checkpoints.length > 0 && keys.length === 0) throw new TypeError("checkpoints need verifierKeys (the log's verifier keys)");
  return { allowUnchained: allow === true, checkpoints, keys };
}

function maxFailuresOption(options, fallback) {
  const v = readOption(options, "maxFailures");
  if (v === undefined || v === null) return fallback;
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError("maxFailures must be an integer from 0 to 4294967295");
  return v;
}

/** Bytes pushed between two snapshots of a trail object's state (replayed after a replacement). */
const SNAPSHOT_EVERY = 4 << 20;

// Cores are freed here, per instance generation: a core of a replaced instance is never freed
// into the new one (its pointer means nothing there).
const cores = typeof FinalizationRegistry === "undefined"
  ? { register() {}, unregister() {} }
  : new FinalizationRegistry(({ core, generation }) => {
    if (generation === wasmState.generation && !wasmState.poisoned) {
      try {
        core.free();
      } catch {
        // nothing to do
      }
    }
  });

/**
 * Shared by both classes: chunk types, surrogate pairs split between strings, the finished
 * state, and survival of a replaced instance: the core's state is snapshotted every
 * SNAPSHOT_EVERY bytes (`state()`), and the bytes since are kept; when the auditor's instance
 * was replaced (a trap in another call), the core is rebuilt from the snapshot in the new
 * instance and the kept bytes pushed again, so the result is the one it would have been.
 */
class Feed {
  #core = null;
  #generation = -1;
  #make;
  #Core;
  #snapshot = null;
  #since = [];
  #sinceBytes = 0;
  #finished = false;
  #token = {};
  #pendingHigh = "";
  bytes = 0;
  /** `make()` builds a new core; `Core.fromState(text)` rebuilds one. */
  constructor(make, Core) {
    this.#make = make;
    this.#Core = Core;
    this.#build();
  }
  #adopt(core) {
    unregisterFinalizer(core);
    cores.unregister(this.#token);
    this.#core = core;
    this.#generation = wasmState.generation;
    cores.register(this, { core, generation: this.#generation }, this.#token);
  }
  #build() {
    healthy();
    this.#adopt(this.#snapshot === null ? this.#make() : this.#Core.fromState(this.#snapshot));
    const core = this.#core;
    this.#guarded(() => {
      for (const bytes of this.#since) core.push(bytes);
    });
  }
  get core() {
    if (this.#finished || !this.#core) throw new Error(this.#finished ? "already finished" : "this trail check failed on its input (a trap); start a new one");
    if (this.#generation !== wasmState.generation || wasmState.poisoned) this.#build();
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
    // Kept until the next snapshot (the caller's bytes copied: it may reuse its buffer).
    this.#since.push(typeof chunk === "string" ? bytes : bytes.slice());
    this.#sinceBytes += bytes.length;
    if (this.#sinceBytes >= SNAPSHOT_EVERY) {
      this.#snapshot = this.#guarded(() => core.state());
      this.#since = [];
      this.#sinceBytes = 0;
    }
  }
  finish() {
    const core = this.core;
    const pending = this.#pendingHigh;
    this.#pendingHigh = "";
    const json = this.#guarded(() => {
      if (pending) core.push(encoder.encode(pending)); // a lone surrogate: U+FFFD, as encodeInto writes it
      return core.finish();
    });
    cores.unregister(this.#token);
    core.free();
    this.#core = null;
    this.#finished = true;
    this.#since = [];
    this.#snapshot = null;
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
  #withCheckpoints;
  constructor(options) {
    const max = maxFailuresOption(options, 1000);
    const t = treeOptions(options);
    this.#withCheckpoints = t.checkpoints.length > 0;
    this.#feed = new Feed(() => new ChainVerifierCore(max, t.allowUnchained, t.checkpoints, t.keys), ChainVerifierCore);
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
  /** The report; with `checkpoints`, a Promise of it. */
  finish() {
    return this.#withCheckpoints ? Promise.resolve().then(() => this.#feed.finish()) : this.#feed.finish();
  }
}

/**
 * Validates every line of a JSON-lines trail, verifies its chain and summarizes it, given
 * in pieces. Options: `schemaVersion` (default: each line's own), `verifyChain` (default
 * true), `maxFailures` (default 100).
 */
export class TrailReport {
  #feed;
  #withCheckpoints;
  constructor(options) {
    const version = readOption(options, "schemaVersion");
    if (version !== undefined && version !== null && typeof version !== "string") throw new TypeError("schemaVersion must be a string");
    const chain = readOption(options, "verifyChain");
    if (chain !== undefined && typeof chain !== "boolean") throw new TypeError("verifyChain must be a boolean");
    const max = maxFailuresOption(options, 100);
    const t = treeOptions(options);
    this.#withCheckpoints = t.checkpoints.length > 0;
    this.#feed = new Feed(() => new TrailReportCore(version ?? undefined, chain ?? true, max, t.allowUnchained, t.checkpoints, t.keys), TrailReportCore);
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
  /** The summary; with `checkpoints`, a Promise of it. */
  finish() {
    return this.#withCheckpoints ? Promise.resolve().then(() => this.#feed.finish()) : this.#feed.finish();
  }
}

/** `verifyChain`'s options, read once (no getter runs twice); checkpoints go to ChainVerifier. */
function treeOptionsPlain(options) {
  const t = treeOptions(options);
  if (t.checkpoints.length > 0) throw new TypeError("verifyChain: checkpoints need a ChainVerifier (its finish() is async)");
  return { allowUnchained: t.allowUnchained };
}

// ---------------------------------------------------------------------------------------
// Signed checkpoints and proofs (C2SP signed-note, tlog-checkpoint, tlog-proof; RFC 6962).
// Async, so that a Web Crypto key could stand behind them; the work is the core's.

/** Thrown by `openCheckpoint` (and signing) with `.reason`: a stable code, never the note's text. */
export class CheckpointError extends Error {
  constructor(reason, message) {
    super(`checkpoint refused: ${message} (${reason})`);
    this.name = "CheckpointError";
    this.reason = reason;
  }
}

/** Run a core function answering JSON; a refusal becomes a CheckpointError. */
function tlogCall(f) {
  healthy();
  let text;
  try {
    text = f();
  } catch (err) {
    if (err instanceof TypeError || err instanceof RangeError) throw err;
    wasmState.poisoned = true;
    throw new RangeError("the wasm core failed on this input (a trap); it is replaced before the next call");
  }
  const v = JSON.parse(text);
  if (v.error) throw new CheckpointError(v.error, v.message);
  return v;
}

function keysArgument(keys, fn) {
  const list = typeof keys === "string" ? [keys] : keys;
  if (!Array.isArray(list) || !list.every((k) => typeof k === "string")) throw new TypeError(`${fn}: verifierKeys must be a string or an array of strings`);
  return [...list];
}

function textArgument(v, name, fn) {
  if (typeof v !== "string") throw new TypeError(`${fn}: ${name} must be a string`);
  return v;
}

/** A new Ed25519 signer key named `name` (the log's origin): `{ signerKey, verifierKey }` in the Go note text forms. */
export async function generateSignerKey(name) {
  textArgument(name, "name", "generateSignerKey");
  const seed = globalThis.crypto.getRandomValues(new Uint8Array(32));
  try {
    return tlogCall(() => generateSignerKeyJson(name, seed));
  } finally {
    seed.fill(0);
  }
}

/** The signed checkpoint note (C2SP tlog-checkpoint) of `{ origin, size, root }`; origin = the key's name. */
export async function signCheckpoint(checkpoint, signerKey) {
  if (checkpoint === null || typeof checkpoint !== "object") throw new TypeError("signCheckpoint: checkpoint must be { origin, size, root }");
  const { origin, size, root } = checkpoint;
  textArgument(origin, "origin", "signCheckpoint");
  textArgument(root, "root", "signCheckpoint");
  if (!Number.isSafeInteger(size) || size < 0) throw new TypeError("signCheckpoint: size must be a non-negative integer");
  textArgument(signerKey, "signerKey", "signCheckpoint");
  return tlogCall(() => signCheckpointJson(origin, size, root, signerKey)).note;
}

/** `{ origin, size, root, signers }` of a checkpoint signed by one of `verifierKeys`; throws CheckpointError. */
export async function openCheckpoint(note, verifierKeys) {
  textArgument(note, "note", "openCheckpoint");
  const keys = keysArgument(verifierKeys, "openCheckpoint");
  return tlogCall(() => openCheckpointJson(note, keys));
}


/** Is `entry` (a line, without its terminator) in the signed tree? `{ ok, index, size, origin, reason? }`. */
export async function verifyInclusionProof(proofText, entry, verifierKeys) {
  textArgument(proofText, "proofText", "verifyInclusionProof");
  const bytes = typeof entry === "string" ? encoder.encode(entry) : entry instanceof Uint8Array ? entry : null;
  if (!bytes) throw new TypeError("verifyInclusionProof: entry must be a string or a Uint8Array");
  const keys = keysArgument(verifierKeys, "verifyInclusionProof");
  try {
    return tlogCall(() => verifyInclusionProofJson(proofText, bytes, keys));
  } catch (err) {
    if (err instanceof CheckpointError) return { ok: false, index: null, size: null, origin: null, reason: err.reason };
    throw err;
  }
}

/** Does `newNote` extend `oldNote` (RFC 6962 consistency proof, base64 hashes)? `{ ok, reason? }`. */
export async function verifyConsistency(oldNote, newNote, proofHashes, verifierKeys) {
  textArgument(oldNote, "oldNote", "verifyConsistency");
  textArgument(newNote, "newNote", "verifyConsistency");
  if (!Array.isArray(proofHashes) || !proofHashes.every((h) => typeof h === "string")) throw new TypeError("verifyConsistency: proofHashes must be an array of base64 strings");
  const keys = keysArgument(verifierKeys, "verifyConsistency");
  try {
    return tlogCall(() => verifyConsistencyJson(oldNote, newNote, [...proofHashes], keys));
  } catch (err) {
    if (err instanceof CheckpointError) return { ok: false, reason: err.reason };
    throw err;
  }
}
