#!/usr/bin/env node
// Generate a synthetic, valid, sha256-chained JSON-lines audit trail of about N bytes:
//
//   node scripts/gen-trail.mjs OUT.jsonl --bytes 200M    (K, M, G suffixes; - for stdout)
//
// Events are the upstream bh-audit-schema 1.1 and 2.1 positive examples (www/examples,
// synthetic data, Apache-2.0) round-robin, each with a fresh UUID event_id and a timestamp
// one second after the previous one (so a trail spans hours to weeks), chained as
// bh-audit-logger 1.1.1 chains them. Importable: `generateTrail({ bytes, write })` and
// `eventTemplates()`; the tests use it to build large trails in a temp dir.
//
// Hashing: each template is written once with its keys sorted (the chain's canonical form
// for values that are ASCII strings, integers and booleans, which is all the examples
// hold); the event id and timestamp are spliced into that text, so every event costs one
// string concatenation and one sha256.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, createWriteStream } from "node:fs";
import { fileURLToPath } from "node:url";
import { resolve } from "node:path";

const EXAMPLES = fileURLToPath(new URL("../www/examples/", import.meta.url));

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    const out = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}

/** The positive 1.1 and 2.1 examples without an integrity block, keys sorted, as [before id, between id and ts, after ts]. */
export function eventTemplates() {
  const out = [];
  for (const version of ["1.1", "2.1"]) {
    const dir = `${EXAMPLES}${version}/`;
    for (const name of readdirSync(dir).filter((n) => n.endsWith(".json")).sort()) {
      const ev = JSON.parse(readFileSync(dir + name, "utf8"));
      if (ev.integrity) continue;
      ev.event_id = "\u0001ID\u0001";
      ev.timestamp = "\u0001TS\u0001";
      const text = JSON.stringify(sortKeys(ev));
      const [a, rest] = text.split('"\\u0001ID\\u0001"');
      const [b, c] = rest.split('"\\u0001TS\\u0001"');
      out.push({ name: `${version}/${name}`, event: JSON.parse(readFileSync(dir + name, "utf8")), parts: [a, b, c] });
    }
  }
  return out;
}

function uuidFor(i) {
  return `7e570000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`;
}

/**
 * Write about `bytes` bytes of chained events through `write(text)` (which may return a
 * promise: it is awaited). `start` is the first timestamp in ms. Returns the number of events.
 */
export async function generateTrail({ bytes, write, start = Date.UTC(2026, 0, 5, 8, 0, 0) }) {
  const templates = eventTemplates();
  let prev = null;
  let written = 0;
  let n = 0;
  let buf = [];
  let bufLen = 0;
  while (written < bytes) {
    const t = templates[n % templates.length].parts;
    const ts = new Date(start + n * 1000).toISOString().replace(".000Z", "Z");
    const canonical = `${t[0]}"${uuidFor(n)}"${t[1]}"${ts}"${t[2]}`;
    const h = createHash("sha256");
    if (prev !== null) h.update(prev);
    const hash = h.update(canonical).digest("hex");
    const block = prev === null ? `{"event_hash":"${hash}","hash_alg":"sha256"}` : `{"event_hash":"${hash}","hash_alg":"sha256","prev_event_hash":"${prev}"}`;
    const line = `${canonical.slice(0, -1)},"integrity":${block}}\n`;
    prev = hash;
    buf.push(line);
    bufLen += line.length;
    written += line.length;
    n++;
    if (bufLen >= 1 << 22) {
      await write(buf.join(""));
      buf = [];
      bufLen = 0;
    }
  }
  if (buf.length) await write(buf.join(""));
  return n;
}

/** Parse "200M", "2G", "50000". */
export function parseSize(s) {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)B?$/i.exec(String(s));
  if (!m) throw new RangeError(`bad size: ${s}`);
  return Math.round(Number(m[1]) * { "": 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase()]);
}

/** Write a trail file; resolves to the number of events. */
export async function writeTrailFile(path, bytes) {
  const out = path === "-" ? process.stdout : createWriteStream(path);
  const events = await generateTrail({
    bytes,
    write: (text) => (out.write(text) ? undefined : new Promise((r) => out.once("drain", r))),
  });
  if (path !== "-") await new Promise((r, j) => out.end((e) => (e ? j(e) : r())));
  return events;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const i = args.indexOf("--bytes");
  if (args.length !== 3 || i < 0) {
    console.error("usage: node scripts/gen-trail.mjs OUT.jsonl|- --bytes SIZE   (e.g. 200M, 2G)");
    process.exit(2);
  }
  const size = parseSize(args[i + 1]);
  const path = args.filter((_, j) => j !== i && j !== i + 1)[0];
  const events = await writeTrailFile(path, size);
  if (path !== "-") console.error(`${path}: ${events} events, ${size} bytes requested`);
}
