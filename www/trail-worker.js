// The Trail tab's worker (a module worker): streams a File or Blob through the package's
// TrailReport with File.stream(), so the page never freezes and memory does not follow the
// file's size. Nothing is fetched: the wasm comes embedded in the package module.
//
// Messages in:  { type: "run", id, source: Blob, schemaVersion, checkpoints: [note], verifierKeys: [key], allowUnchained }
//               { type: "line", id, source: Blob, line }   (the text of one line, for the editor view)
//               { type: "proof", id, proof, entry, verifierKeys }   (one event and its tlog-proof)
// Messages out: { type: "progress", id, bytes, total, events }
//               { type: "done", id, summary, ms }  |  { type: "error", id, message, badKey? }
//               { type: "line", id, line, text, truncated }
//               { type: "proof", id, result }   (verifyInclusionProof's { ok, index, size, origin, reason? })
import { TrailReport, ChainVerifier, verifyInclusionProof } from "./pkg/src/trail-bytes.mjs";

const PROGRESS_MS = 100;
/** The longest line the editor view shows (bytes); the core reads lines up to 1 MiB. */
const SHOW_MAX = 1 << 20;

/** The first verifier key (from 0) the core refuses as malformed, or -1. */
function malformedKey(keys) {
  return keys.findIndex((key) => {
    try {
      // Keys are read before any note: a note that does not open is a result, a key that
      // does not parse is a RangeError.
      new ChainVerifier({ checkpoints: ["-"], verifierKeys: [key] }).finish().catch(() => {});
      return false;
    } catch {
      return true;
    }
  });
}

async function run({ id, source, schemaVersion, checkpoints = [], verifierKeys = [], allowUnchained = false }) {
  const t0 = performance.now();
  const options = { schemaVersion: schemaVersion || undefined, allowUnchained };
  if (checkpoints.length) Object.assign(options, { checkpoints, verifierKeys });
  let report;
  try {
    report = new TrailReport(options);
  } catch (err) {
    const bad = checkpoints.length ? malformedKey(verifierKeys) : -1;
    if (bad < 0) throw err;
    postMessage({ type: "error", id, badKey: bad, message: `verifier key ${bad + 1} is not a verifier key (name+keyid+base64 of an Ed25519 public key)` });
    return;
  }
  const reader = source.stream().getReader();
  let last = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    report.push(value);
    const now = performance.now();
    if (now - last >= PROGRESS_MS) {
      last = now;
      postMessage({ type: "progress", id, bytes: report.bytes, total: source.size, events: report.events });
    }
  }
  postMessage({ type: "progress", id, bytes: report.bytes, total: source.size, events: report.events });
  // With checkpoints, finish() is a Promise.
  postMessage({ type: "done", id, summary: await report.finish(), ms: performance.now() - t0 });
}

/** One event and its proof: nothing but the proof, the line and the keys. */
async function proof({ id, proof: text, entry, verifierKeys }) {
  postMessage({ type: "proof", id, result: await verifyInclusionProof(text, entry, verifierKeys) });
}

/** Line `wanted` (from 1; line breaks `\n`, `\r\n`, `\r`, as the core counts them). */
async function lineAt({ id, source, line: wanted }) {
  const reader = source.stream().getReader();
  let line = 1;
  let afterCr = false;
  const parts = [];
  let size = 0;
  let truncated = false;
  const keep = (bytes) => {
    if (size + bytes.length > SHOW_MAX) {
      truncated = true;
      bytes = bytes.subarray(0, SHOW_MAX - size);
    }
    parts.push(bytes.slice());
    size += bytes.length;
  };
  outer: for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    let i = 0;
    if (afterCr && value.length) {
      afterCr = false;
      if (value[0] === 10) i = 1;
    }
    while (i < value.length) {
      let j = i;
      while (j < value.length && value[j] !== 10 && value[j] !== 13) j++;
      if (line === wanted && !truncated) keep(value.subarray(i, j));
      if (j === value.length) break;
      if (line === wanted) break outer;
      line++;
      if (value[j] === 13) {
        if (j + 1 === value.length) afterCr = true;
        else if (value[j + 1] === 10) j++;
      }
      i = j + 1;
    }
  }
  reader.cancel().catch(() => {});
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  postMessage({ type: "line", id, line: wanted, text: new TextDecoder().decode(bytes), truncated });
}

addEventListener("message", (e) => {
  const msg = e.data;
  const job = msg?.type === "run" ? run(msg) : msg?.type === "line" ? lineAt(msg) : msg?.type === "proof" ? proof(msg) : Promise.reject(new Error("unknown message"));
  job.catch((err) => postMessage({ type: "error", id: msg?.id, message: String(err?.message ?? err) }));
});
