#!/usr/bin/env node
// bh-audit verify|validate|report|fhir FILE|- [--format human|json] [--schema-version V]
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
import { stat } from "node:fs/promises";
import { ChainVerifier, TrailReport, SCHEMA_VERSIONS } from "../src/trail-node.mjs";

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

function renderVerify(r) {
  const out = [clean(`${r.ok ? "PASS" : "FAIL"}: ${r.checked} events checked, ${r.chain_length} chained, ${r.failures.length + r.failures_omitted} failures`)];
  for (const f of r.failures) out.push(failureLine(f));
  if (r.failures_omitted) out.push(clean(`  ... and ${n(r.failures_omitted)} more failures`));
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

export const COMMANDS = {
  verify: {
    summary: "verify the hash chain (as bh-audit-logger 1.1.1): exit 0 intact, 1 broken, 2 unreadable line",
    async run(ctx) {
      const report = await pump(ctx, new ChainVerifier());
      emit(ctx, report, renderVerify);
      return report.exit_code;
    },
  },
  validate: {
    summary: "validate every line against its schema (or --schema-version): exit 0 all valid, 1 otherwise",
    async run(ctx) {
      const s = await pump(ctx, new TrailReport({ schemaVersion: ctx.schemaVersion, verifyChain: false }));
      emit(ctx, s, renderValidate);
      return s.invalid === 0 ? 0 : 1;
    },
  },
  report: {
    summary: "validate, verify the chain and summarize (counts, time range, hourly outcomes, first failures)",
    async run(ctx) {
      const s = await pump(ctx, new TrailReport({ schemaVersion: ctx.schemaVersion }));
      emit(ctx, s, renderReport);
      return s.ok ? 0 : 1;
    },
  },
  fhir: {
    summary: "write each event as a FHIR R5 AuditEvent resource (NDJSON)",
    // fhir.mjs streams its own input and parses its own arguments (those after `fhir`).
    run: async (ctx) => (await import("./fhir.mjs")).fhirCommand(ctx.argv),
  },
};

const USAGE = [
  "usage: bh-audit <command> FILE|- [--format human|json] [--schema-version V]",
  ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(9)}${c.summary}`),
  "FILE - reads stdin. Exit codes: 0 pass, 1 fail, 2 error.",
].join("\n");

function parseArgs(argv) {
  const opts = { format: "human", schemaVersion: undefined, positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf("=");
    const [flag, inline] = a.startsWith("--") && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === "--format") opts.format = value();
    else if (flag === "--schema-version") opts.schemaVersion = value();
    else if (flag === "-h" || flag === "--help") opts.help = true;
    else if (a.startsWith("-") && a !== "-") return { error: "unknown option" };
    else opts.positional.push(a);
  }
  if (!FORMATS.includes(opts.format)) return { error: "--format must be human or json" };
  if (opts.schemaVersion !== undefined && !SCHEMA_VERSIONS.includes(opts.schemaVersion)) {
    return { error: `--schema-version must be one of ${SCHEMA_VERSIONS.join(", ")}` };
  }
  return opts;
}

export async function main(argv, io = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${String(t).split("\n").map(clean).join("\n")}\n`) }) {
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
  if (file !== "-") {
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
    chunks: file === "-" ? process.stdin : fileChunks(file),
    format: opts.format,
    schemaVersion: opts.schemaVersion,
    out: io.out,
    err: io.err,
    progress: process.stderr.isTTY ? progressMeter(total) : null,
    argv: argv.slice(argv.indexOf(name) + 1),
  };
  try {
    return await command.run(ctx);
  } catch (e) {
    ctx.progress?.done();
    io.err(`bh-audit: cannot read the input (${typeof e?.code === "string" ? e.code : "error"})`);
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
