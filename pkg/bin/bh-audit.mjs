#!/usr/bin/env node
// bh-audit verify|validate|report|fhir FILE|- [--format human|json] [--schema-version V]
// bh-audit keygen NAME --out SIGNER_KEY_FILE | checkpoint FILE --key SIGNER_KEY_FILE
// bh-audit prove FILE --index N --checkpoint FILE | verify-proof PROOF_FILE --entry FILE|- --key FILE
// bh-audit verify FILE [--checkpoint FILE]... [--key VERIFIER_KEY_FILE]... [--allow-unchained]
//
// Reads the trail in chunks (never the whole file), so files of any size work in bounded
// memory; `-` reads stdin. Progress goes to stderr, only when stderr is a terminal.
// Exit codes: 0 pass, 1 fail, 2 error (usage, unreadable input; for `verify`, also a line
// that is not JSON, as the Python CLI). Output never contains a field's value (event ids
// only when they are UUIDs) and never a control character.
//
// Subcommands are the COMMANDS table below: each has a one-line summary and
// `run(ctx)` -> exit code, where ctx = { chunks (async iterable of Uint8Array), format,
// schemaVersion, out(text), err(text), progress, argv (the arguments after the command word) }.
import { createReadStream, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { stat, readFile, open } from "node:fs/promises";
import {
  ChainVerifier, TrailReport, SCHEMA_VERSIONS, generateSignerKey, signCheckpoint, verifyInclusionProof, CheckpointError,
} from "../src/trail-node.mjs";
import { ProverCore, readCheckpointJson, formatTlogProof } from "../dist/trail/glue.js";

const FORMATS = ["human", "json"];
const CHUNK = 1 << 16;

/* ----------------------------------------------------------------- output safety */

// One escaper for every subcommand's output (fhir.mjs imports it too): clean.mjs.
import { clean, cleanJson, cleanJsonText } from "./clean.mjs";
export { clean, cleanJson, cleanJsonText };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const idPart = (id) => (typeof id === "string" && UUID.test(id) ? ` (event_id ${id})` : "");
const n = (x) => Number(x).toLocaleString("en-US");

/* ----------------------------------------------------------------- input */

async function* fileChunks(path) {
  yield* createReadStream(path, { highWaterMark: CHUNK });
}

/** Feed every chunk into `sink.push`, with progress. */
async function pump(ctx, sink) {
  for await (const chunk of ctx.chunks) {
    sink.push(chunk);
    ctx.progress?.(sink.bytes, sink.events);
  }
  ctx.progress?.done();
  return sink.finish();
}

function progressMeter(total) {
  const start = Date.now();
  let last = 0;
  const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;
  const meter = (bytes, events) => {
    const now = Date.now();
    if (now - last < 250) return;
    last = now;
    const secs = Math.max((now - start) / 1000, 0.001);
    const rate = bytes / secs;
    let text = `bh-audit: ${mb(bytes)}${total ? ` of ${mb(total)} (${Math.floor((bytes / total) * 100)}%)` : ""}, ${n(events)} events, ${mb(rate)}/s`;
    if (total && rate > 0) text += `, ETA ${Math.ceil((total - bytes) / rate)} s`;
    process.stderr.write(`\r\x1b[K${text}`);
  };
  meter.done = () => {
    if (last) process.stderr.write("\r\x1b[K");
  };
  return meter;
}

/* ----------------------------------------------------------------- rendering */

function failureLine(f) {
  const where = f.path ? ` ${f.path}` : "";
  const kw = f.keyword ? ` (${f.keyword})` : "";
  return clean(`  line ${f.line}${idPart(f.event_id)}: ${f.kind}${where}${kw}: ${f.message ?? f.reason}`);
}

function counts(label, obj) {
  const parts = Object.entries(obj ?? {}).map(([k, v]) => `${k} ${n(v)}`);
  return clean(`${label}: ${parts.length ? parts.join(", ") : "none"}`);
}

function chainLines(c) {
  const lines = [clean(`Chain: ${n(c.checked)} events checked, ${n(c.chain_length)} chained, ${n(c.unchained_events)} unchained, ${n(c.chain_gaps)} gaps, ${n(c.hash_mismatches)} hash mismatches${c.algorithms.length ? ` (${c.algorithms.join(", ")})` : ""}`)];
  const stop = c.failures.find((f) => ["invalid_json", "malformed", "line_too_long"].includes(f.kind));
  if (stop) lines.push(clean(`Chain verification stopped at line ${stop.line} (${stop.kind}); the lines after it were validated but not chain-checked`));
  return lines;
}

function checkpointLines(r) {
  const out = [];
  if (r.tree) out.push(clean(`Tree: ${n(r.tree.size)} entries, root ${r.tree.root}`));
  for (const c of r.checkpoints ?? []) {
    const who = c.origin ? `${c.origin} at size ${n(c.size)}` : "a checkpoint";
    out.push(clean(c.ok ? `  checkpoint ${who}: matches (entries through line ${c.line ?? 0})` : `  checkpoint ${who}: FAIL ${c.reason}: ${c.message ?? ""}`));
  }
  return out;
}

function renderVerify(r) {
  const out = [clean(`${r.ok ? "PASS" : "FAIL"}: ${r.checked} events checked, ${r.chain_length} chained, ${r.failures.length + r.failures_omitted} failures${r.checkpoints?.length ? `, ${r.checkpoints.filter((c) => c.ok).length} of ${r.checkpoints.length} checkpoints match` : ""}`)];
  for (const f of r.failures) out.push(failureLine(f));
  if (r.failures_omitted) out.push(clean(`  ... and ${n(r.failures_omitted)} more failures`));
  out.push(...checkpointLines(r));
  if (!r.checkpoints?.length) out.push(clean("  (no checkpoint given: a chain alone cannot show a rewritten-and-rechained trail or a cut tail; see --checkpoint)"));
  return out;
}

function listFailures(s, out) {
  if (!s.failures.length) return;
  out.push(clean(`First failures (${n(s.failures.length)} of ${n(s.failures_total)}):`));
  for (const f of s.failures) out.push(failureLine(f));
}

function renderValidate(s) {
  const out = [clean(s.invalid === 0 ? `PASS: ${n(s.events)} events, all valid` : `FAIL: ${n(s.invalid)} of ${n(s.events)} events invalid`)];
  listFailures(s, out);
  return out;
}

const HOURS_SHOWN = 48;

function renderReport(s) {
  const chainFailures = s.chain ? s.chain.failures.length + s.chain.failures_omitted : 0;
  const out = [
    clean(`${s.ok ? "PASS" : "FAIL"}: ${n(s.events)} events in ${n(s.lines)} lines (${(s.bytes / 1e6).toFixed(1)} MB): ${n(s.valid)} valid, ${n(s.invalid)} invalid; chain ${s.chain ? (s.chain.ok ? "intact" : `${n(chainFailures)} failures`) : "not checked"}`),
    clean(`Time range: ${s.first_timestamp ?? "none"} to ${s.last_timestamp ?? "none"}`),
    counts("Schema versions", s.schema_versions),
    counts("Actions", s.by_action),
    counts("Outcomes", s.by_outcome),
    counts("Actor types", s.by_actor_type),
    clean(`Denials: ${n(s.denials)}; PHI touched: ${n(s.phi_touched)}; agent-delegated: ${n(s.agent_delegated)}`),
  ];
  if (s.chain) out.push(...chainLines(s.chain));
  out.push(...checkpointLines(s));
  const h = s.hourly;
  out.push(clean(`Events per ${h.bucket_hours === 1 ? "hour" : `${h.bucket_hours} hours`} (SUCCESS / FAILURE / DENIED / other):`));
  for (const [start, ...c] of h.buckets.slice(0, HOURS_SHOWN)) out.push(clean(`  ${start}  ${c.map(n).join(" / ")}`));
  if (h.buckets.length > HOURS_SHOWN) out.push(clean(`  ... ${n(h.buckets.length - HOURS_SHOWN)} more (--format json lists all)`));
  listFailures(s, out);
  return out;
}

/* ----------------------------------------------------------------- commands */

function emit(ctx, result, human) {
  ctx.out(ctx.format === "json" ? cleanJson(result) : human(result).join("\n"));
}

/** A file's text (a key, a note, a proof); throws an error with a `code`, never its content. */
async function readText(path) {
  return readFile(path, "utf8");
}

/** Key texts from key files: one key per non-empty line. */
async function readKeys(paths) {
  const keys = [];
  for (const p of paths) keys.push(...(await readText(p)).split(/\r?\n/).map((l) => l.trim()).filter(Boolean));
  return keys;
}

/** The trail options shared by verify and report: checkpoints, their keys, unchained lines. */
async function trailOptions(ctx) {
  const checkpoints = [];
  for (const p of ctx.checkpoints) checkpoints.push(await readText(p));
  const verifierKeys = await readKeys(ctx.keys);
  if (checkpoints.length && !verifierKeys.length) throw usageError("--checkpoint needs --key VERIFIER_KEY_FILE (the log's verifier key)");
  return { checkpoints, verifierKeys, allowUnchained: ctx.allowUnchained };
}

function usageError(message) {
  return Object.assign(new Error(message), { usage: true });
}

/** Write `text` exactly (no added newline): notes and proofs end in their own. */
const exact = (ctx, text) => ctx.write(cleanJsonText(text));

export const COMMANDS = {
  verify: {
    summary: "verify the hash chain and, with --checkpoint/--key, the signed checkpoints: exit 0 intact, 1 broken or cut, 2 unreadable",
    trail: true,
    async run(ctx) {
      const report = await pump(ctx, new ChainVerifier(await trailOptions(ctx)));
      emit(ctx, report, renderVerify);
      return report.exit_code;
    },
  },
  validate: {
    summary: "validate every line against its schema (or --schema-version): exit 0 all valid, 1 otherwise",
    trail: true,
    async run(ctx) {
      const s = await pump(ctx, new TrailReport({ schemaVersion: ctx.schemaVersion, verifyChain: false }));
      emit(ctx, s, renderValidate);
      return s.invalid === 0 ? 0 : 1;
    },
  },
  report: {
    summary: "validate, verify the chain (and --checkpoint/--key) and summarize (counts, time range, hourly outcomes, first failures)",
    trail: true,
    async run(ctx) {
      const s = await pump(ctx, new TrailReport({ schemaVersion: ctx.schemaVersion, ...(await trailOptions(ctx)) }));
      emit(ctx, s, renderReport);
      return s.ok ? 0 : 1;
    },
  },
  fhir: {
    summary: "write each event as a FHIR R5 AuditEvent resource (NDJSON)",
    trail: true,
    // fhir.mjs streams its own input and parses its own arguments (those after `fhir`).
    run: async (ctx) => (await import("./fhir.mjs")).fhirCommand(ctx.argv),
  },
  keygen: {
    summary: "NAME --out FILE: a new Ed25519 signer key (file mode 0600, never overwritten); prints the verifier key",
    async run(ctx) {
      if (!ctx.out_file) throw usageError("keygen needs --out SIGNER_KEY_FILE");
      const { signerKey, verifierKey } = await generateSignerKey(ctx.file);
      let handle;
      try {
        handle = await open(ctx.out_file, "wx", 0o600);
      } catch (e) {
        if (e?.code === "EEXIST") throw usageError("the --out file exists: keygen never overwrites a key");
        throw e;
      }
      try {
        await handle.writeFile(`${signerKey}\n`);
      } finally {
        await handle.close();
      }
      ctx.out(verifierKey);
      return 0;
    },
  },
  checkpoint: {
    summary: "FILE --key SIGNER_KEY_FILE: prints the signed checkpoint of the whole trail (origin = the key's name)",
    trail: true,
    async run(ctx) {
      const [signerKey] = await readKeys(ctx.keys);
      if (!signerKey || ctx.keys.length !== 1) throw usageError("checkpoint needs one --key SIGNER_KEY_FILE");
      const report = await pump(ctx, new ChainVerifier({ allowUnchained: true, maxFailures: 1 }));
      if (report.failures.some((f) => f.kind === "line_too_long")) {
        ctx.err("bh-audit: a line is over the line limit: the trail's tree cannot be computed");
        return 2;
      }
      const origin = signerKey.split("+")[2] ?? "";
      exact(ctx, await signCheckpoint({ origin, size: report.tree.size, root: report.tree.root }, signerKey));
      return 0;
    },
  },
  prove: {
    summary: "FILE --index N --checkpoint FILE: prints a tlog-proof of entry N (the checkpoint's root must be the file's tree at its size)",
    trail: true,
    async run(ctx) {
      if (ctx.index === undefined || ctx.checkpoints.length !== 1) throw usageError("prove needs --index N and one --checkpoint FILE");
      const note = await readText(ctx.checkpoints[0]);
      const cp = JSON.parse(readCheckpointJson(note));
      if (cp.error) {
        ctx.err(`bh-audit: the checkpoint cannot be read (${cp.error})`);
        return 2;
      }
      if (ctx.index >= cp.size) {
        ctx.err(`bh-audit: --index must be below the checkpoint's size (${cp.size})`);
        return 2;
      }
      const prover = new ProverCore(ctx.index, cp.size);
      const r = JSON.parse(await pump(ctx, { push: (c) => prover.push(c), get bytes() { return 0; }, get events() { return prover.entries(); }, finish: () => prover.finish() }));
      if (r.error) {
        ctx.err(`bh-audit: FAIL ${r.error}: ${r.message}`);
        return 1;
      }
      if (r.root !== cp.root) {
        ctx.err("bh-audit: FAIL: the checkpoint's root is not this file's tree at its size (the trail was changed, or it is another trail)");
        return 1;
      }
      exact(ctx, formatTlogProof(ctx.index, r.hashes, note));
      return 0;
    },
  },
  "verify-proof": {
    summary: "PROOF_FILE --entry FILE|- --key VERIFIER_KEY_FILE: is the entry (one line) in the signed trail? exit 0 yes, 1 no",
    async run(ctx) {
      if (!ctx.entry || !ctx.keys.length) throw usageError("verify-proof needs --entry FILE|- and --key VERIFIER_KEY_FILE");
      const proof = await readText(ctx.file);
      let entry = ctx.entry === "-" ? await readStdin() : await readFile(ctx.entry);
      entry = withoutTerminator(entry);
      const r = await verifyInclusionProof(proof, entry, await readKeys(ctx.keys));
      emit(ctx, r, (v) => [clean(v.ok ? `PASS: entry ${v.index} is in ${v.origin}'s trail of ${n(v.size)} entries` : `FAIL: ${v.reason}`)]);
      return r.ok ? 0 : 1;
    },
  },
};

const USAGE = [
  "usage: bh-audit <command> FILE|- [--format human|json] [--schema-version V]",
  ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(13)}${c.summary}`),
  "FILE - reads stdin. Exit codes: 0 pass, 1 fail, 2 error.",
].join("\n");

async function readStdin() {
  const parts = [];
  for await (const c of process.stdin) parts.push(c);
  return Buffer.concat(parts);
}

/** A line as a file holds it: one final `\n`, `\r\n` or `\r` is not part of the entry. */
function withoutTerminator(bytes) {
  let end = bytes.length;
  if (end && bytes[end - 1] === 0x0a) end--;
  if (end && bytes[end - 1] === 0x0d) end--;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, end);
}

function parseArgs(argv) {
  const opts = { format: "human", schemaVersion: undefined, positional: [], checkpoints: [], keys: [], allowUnchained: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf("=");
    const [flag, inline] = a.startsWith("--") && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const value = () => {
      const v = inline !== undefined ? inline : argv[++i];
      if (v === undefined) opts.missing = true;
      return v;
    };
    if (flag === "--format") opts.format = value();
    else if (flag === "--schema-version") opts.schemaVersion = value();
    else if (flag === "--checkpoint") opts.checkpoints.push(value());
    else if (flag === "--key") opts.keys.push(value());
    else if (flag === "--out") opts.out = value();
    else if (flag === "--entry") opts.entry = value();
    else if (flag === "--allow-unchained") opts.allowUnchained = true;
    else if (flag === "--index") {
      const v = value();
      if (!/^(0|[1-9][0-9]{0,15})$/.test(v ?? "") || !Number.isSafeInteger(Number(v))) return { error: "--index must be a non-negative integer" };
      opts.index = Number(v);
    }
    else if (flag === "-h" || flag === "--help") opts.help = true;
    else if (a.startsWith("-") && a !== "-") return { error: "unknown option" };
    else opts.positional.push(a);
  }
  if (opts.missing) return { error: "an option is missing its value" };
  if (!FORMATS.includes(opts.format)) return { error: "--format must be human or json" };
  if (opts.schemaVersion !== undefined && !SCHEMA_VERSIONS.includes(opts.schemaVersion)) {
    return { error: `--schema-version must be one of ${SCHEMA_VERSIONS.join(", ")}` };
  }
  return opts;
}

export async function main(argv, io = { out: (t) => process.stdout.write(`${t}\n`), write: (t) => process.stdout.write(t), err: (t) => process.stderr.write(`${String(t).split("\n").map(clean).join("\n")}\n`) }) {
  const opts = parseArgs(argv);
  if (opts.help) {
    io.out(USAGE);
    return 0;
  }
  const [name, file, ...extra] = opts.positional ?? [];
  const command = Object.hasOwn(COMMANDS, name ?? "") ? COMMANDS[name] : null;
  if (opts.error || !command || file === undefined || extra.length) {
    if (opts.error) io.err(`bh-audit: ${opts.error}`);
    io.err(USAGE);
    return 2;
  }
  let total = 0;
  if (command.trail && file !== "-") {
    try {
      const info = await stat(file);
      if (!info.isFile()) throw Object.assign(new Error("not a file"), { code: "EISDIR" });
      total = info.size;
    } catch (e) {
      io.err(`bh-audit: cannot read the input file (${typeof e?.code === "string" ? e.code : "error"})`);
      return 2;
    }
  }
  const ctx = {
    chunks: command.trail ? (file === "-" ? process.stdin : fileChunks(file)) : null,
    format: opts.format,
    schemaVersion: opts.schemaVersion,
    out: io.out,
    write: io.write ?? io.out,
    err: io.err,
    file,
    checkpoints: opts.checkpoints,
    keys: opts.keys,
    allowUnchained: opts.allowUnchained,
    index: opts.index,
    entry: opts.entry,
    out_file: opts.out,
    progress: process.stderr.isTTY ? progressMeter(total) : null,
    argv: argv.slice(argv.indexOf(name) + 1),
  };
  try {
    return await command.run(ctx);
  } catch (e) {
    ctx.progress?.done();
    if (e?.usage) io.err(`bh-audit: ${e.message}`);
    else if (e instanceof CheckpointError) io.err(`bh-audit: ${e.message}`);
    else if (e instanceof TypeError || e instanceof RangeError) io.err(`bh-audit: ${e.message}`);
    else io.err(`bh-audit: cannot read the input (${typeof e?.code === "string" ? e.code : "error"})`);
    return 2;
  }
}

function isMain() {
  try {
    return realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isMain()) {
  process.stdout.on("error", () => {}); // a closed pipe (| head) is not a failure of ours
  process.exitCode = await main(process.argv.slice(2));
}
