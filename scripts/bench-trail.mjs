#!/usr/bin/env node
// Benchmark of the trail tools (not a test): memory and throughput of `bh-audit verify` and
// `bh-audit report` on a generated trail (default 2 GiB), sampling the CLI's resident memory
// (/proc/PID/status VmRSS) while it runs; then throughput beside the Python reference
// bh-audit-logger 1.1.1 on a smaller trail (its CLI loads the whole file into a list).
//
//   node scripts/bench-trail.mjs [--bytes 2G] [--python-bytes 100M] [--keep DIR] [--baseline REPO]
//
// With --baseline REPO (another checkout with its pkg/ built, e.g. the commit before the
// Merkle tree was added), `bh-audit verify` there is timed against `bh-audit verify
// --checkpoint --key` here on the same file, interleaved, twice each: the cost of the tree
// and of the checkpoint comparison.
//
// Needs pkg/ built (./scripts/build-pkg.sh) and, for the Python part, BH_REF111_PYTHON or
// .venv-ref111 (made by ./scripts/test.sh). Linux only (/proc).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseSize, writeTrailFile } from "./gen-trail.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "pkg/bin/bh-audit.mjs");

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const bytes = parseSize(arg("--bytes", "2G"));
const pyBytes = parseSize(arg("--python-bytes", "100M"));
const keep = arg("--keep", null);
const dir = keep ?? mkdtempSync(join(tmpdir(), "bh-bench-trail-"));
const python = process.env.BH_REF111_PYTHON || join(ROOT, ".venv-ref111/bin/python");

function rssKb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Run a command, sampling its RSS every 200 ms; resolves to { seconds, code, samples, out }. */
function measure(cmd, args) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    const samples = [];
    const timer = setInterval(() => {
      const kb = rssKb(child.pid);
      if (kb) samples.push([(performance.now() - t0) / 1000, kb]);
    }, 200);
    child.on("close", (code) => {
      clearInterval(timer);
      resolve({ seconds: (performance.now() - t0) / 1000, code, samples, out });
    });
  });
}

const mib = (kb) => `${(kb / 1024).toFixed(1)} MiB`;

async function trail(name, size) {
  const path = join(dir, name);
  if (existsSync(path) && statSync(path).size >= size) return path;
  const t0 = performance.now();
  const events = await writeTrailFile(path, size);
  console.log(`generated ${path}: ${(statSync(path).size / 1e6).toFixed(0)} MB, ${events.toLocaleString("en-US")} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return path;
}

function describe(label, file, r, events) {
  const mbps = statSync(file).size / 1e6 / r.seconds;
  const peaks = r.samples.map(([, kb]) => kb);
  const max = Math.max(...peaks);
  // Flat memory: the peak so far at each tenth of the run stops growing early.
  const tenths = [];
  for (let k = 1; k <= 10; k++) {
    const upto = r.samples.filter(([t]) => t <= (r.seconds * k) / 10).map(([, kb]) => kb);
    tenths.push(upto.length ? Math.max(...upto) : 0);
  }
  console.log(`${label}: exit ${r.code}, ${r.seconds.toFixed(1)} s, ${mbps.toFixed(0)} MB/s, ${Math.round(events / r.seconds).toLocaleString("en-US")} events/s, peak RSS ${mib(max)}`);
  console.log(`  peak RSS so far at each tenth of the run (MiB): ${tenths.map((kb) => (kb / 1024).toFixed(0)).join(" ")}`);
}

const big = await trail(`trail-${bytes}.jsonl`, bytes);
const baseline = arg("--baseline", null);
if (baseline) {
  const keyFile = join(dir, "bench.key");
  rmSync(keyFile, { force: true });
  const pub = spawnSync(process.execPath, [BIN, "keygen", "bench.example/trail", "--out", keyFile], { encoding: "utf8" }).stdout;
  const t0 = performance.now();
  const note = spawnSync(process.execPath, [BIN, "checkpoint", big, "--key", keyFile], { encoding: "utf8", maxBuffer: 1 << 20 }).stdout;
  console.log(`bh-audit checkpoint (${(statSync(big).size / 1e9).toFixed(2)} GB): ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const cp = join(dir, "bench.checkpoint");
  const vk = join(dir, "bench.pub");
  (await import("node:fs")).writeFileSync(cp, note);
  (await import("node:fs")).writeFileSync(vk, pub);
  const old = join(baseline, "pkg/bin/bh-audit.mjs");
  const runs = { old: [], ours: [] };
  for (let k = 0; k < 2; k++) {
    const a = await measure(process.execPath, [old, "verify", big, "--format", "json"]);
    runs.old.push(a);
    const b = await measure(process.execPath, [BIN, "verify", big, "--checkpoint", cp, "--key", vk, "--format", "json"]);
    if (b.code !== 0) throw new Error(`verify --checkpoint exited ${b.code}`);
    runs.ours.push(b);
  }
  const events = JSON.parse(runs.ours[0].out).checked;
  describe(`baseline bh-audit verify (${baseline}), best of 2`, big, runs.old.sort((x, y) => x.seconds - y.seconds)[0], events);
  describe("bh-audit verify --checkpoint --key (tree + checkpoint), best of 2", big, runs.ours.sort((x, y) => x.seconds - y.seconds)[0], events);
  console.log(`speed with the tree and a checkpoint: ${((runs.old[0].seconds / runs.ours[0].seconds) * 100).toFixed(0)}% of the baseline's verify`);
}
for (const cmd of ["verify", "report"]) {
  const r = await measure(process.execPath, [BIN, cmd, big, "--format", "json"]);
  const body = JSON.parse(r.out);
  describe(`bh-audit ${cmd} (${(statSync(big).size / 1e9).toFixed(2)} GB)`, big, r, body.checked ?? body.events);
}

if (!existsSync(python)) {
  console.log(`no Python reference at ${python}: run ./scripts/test.sh once (it makes .venv-ref111), or set BH_REF111_PYTHON`);
} else {
  const small = await trail(`trail-${pyBytes}.jsonl`, pyBytes);
  const node = await measure(process.execPath, [BIN, "verify", small, "--format", "json"]);
  const events = JSON.parse(node.out).checked;
  describe(`bh-audit verify (${(statSync(small).size / 1e6).toFixed(0)} MB)`, small, node, events);
  const py = await measure(python, ["-m", "bh_audit_logger.cli", "--source", "file", "--path", small, "--format", "json"]);
  describe("Python 1.1.1 CLI (same file)", small, py, events);
  // The reference's verify_chain alone, on events already loaded (its JSON reading excluded).
  const code = `import json, sys, time
from bh_audit_logger._verifier import verify_chain
with open(sys.argv[1], encoding="utf-8") as fh:
    events = [json.loads(l) for l in fh if l.strip()]
t = time.perf_counter()
r = verify_chain(events)
print(json.dumps({"seconds": time.perf_counter() - t, "events": len(events)}))`;
  const inproc = JSON.parse(spawnSync(python, ["-c", code, small], { encoding: "utf8" }).stdout);
  console.log(`Python 1.1.1 verify_chain(events) alone: ${inproc.seconds.toFixed(1)} s, ${Math.round(inproc.events / inproc.seconds).toLocaleString("en-US")} events/s`);
  console.log(`ratio (end to end, same file): bh-audit verify is ${(py.seconds / node.seconds).toFixed(1)}x faster; peak RSS ${mib(Math.max(...node.samples.map((s) => s[1])))} vs ${mib(Math.max(...py.samples.map((s) => s[1])))}`);
}
if (!keep) rmSync(dir, { recursive: true, force: true });
