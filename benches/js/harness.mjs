// Minimal timing harness for the Node.js benchmarks (no dependencies).
// Each candidate runs a warm-up, then RUNS timed loops; the runs of the candidates of one
// comparison are interleaved (A B A B ...) so that drift (thermal, other load on the machine)
// affects them alike. Reported figure: the median over the runs, in ns per operation.
import { readFileSync, readdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const EXAMPLES = process.env.BH_SCHEMA_EXAMPLES ?? join(ROOT, "tests", "data", "bh-audit-schema", "examples");
export const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/**
 * Clock: "cpu" (default) = user + system CPU time of this process (process.cpuUsage), robust to
 * other processes competing for the cores; "wall" = process.hrtime. Both are recorded.
 */
export const CLOCK = process.env.BENCH_CLOCK === "wall" ? "wall" : "cpu";
/** Scale factor for loop lengths (BENCH_SCALE=0.1 for a quick smoke run). */
export const SCALE = Number(process.env.BENCH_SCALE ?? 1);

export function readJsonDir(dir) {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({ name: f, event: JSON.parse(readFileSync(join(dir, f), "utf8")) }));
}

export function loadSchema(version) {
  return JSON.parse(readFileSync(join(ROOT, "schema", version, "audit_event.schema.json"), "utf8"));
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// A sink for results, so that the optimiser cannot drop the work.
export let blackhole = 0;
export function consume(v) {
  blackhole = (blackhole + (v ? 1 : 0)) | 0;
}

/**
 * Time `fn(i)` for `iters` iterations, RUNS times per candidate, interleaved.
 * @param {{ name: string, fn: (i: number) => unknown }[]} candidates
 * @returns {Map<string, { median: number, runs: number[], wallMedian: number }>} ns/op (median on CLOCK)
 */
export function compare(candidates, iters, warmup = Math.max(1000, iters / 5)) {
  iters = Math.max(100, Math.round(iters * SCALE));
  warmup = Math.max(100, Math.round(warmup * SCALE));
  for (const c of candidates) for (let i = 0; i < warmup; i++) consume(c.fn(i));
  const runs = new Map(candidates.map((c) => [c.name, []]));
  const walls = new Map(candidates.map((c) => [c.name, []]));
  for (let r = 0; r < RUNS; r++) {
    for (const c of candidates) {
      const fn = c.fn;
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < iters; i++) consume(fn(i));
      const wall = Number(process.hrtime.bigint() - t0) / iters;
      const cu = process.cpuUsage(c0);
      const cpu = ((cu.user + cu.system) * 1000) / iters;
      runs.get(c.name).push(CLOCK === "cpu" ? cpu : wall);
      walls.get(c.name).push(wall);
    }
  }
  return new Map([...runs].map(([k, v]) => [k, { median: median(v), runs: v, wallMedian: median(walls.get(k)) }]));
}

export function fmtNs(ns) {
  return ns >= 10_000 ? `${(ns / 1000).toFixed(1)} µs` : ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`;
}

/** Print a markdown table: rows of [label, ...cells]. */
export function table(header, rows) {
  const lines = [`| ${header.join(" | ")} |`, `|${header.map((h, i) => (i === 0 ? "---" : "---:")).join("|")}|`];
  for (const r of rows) lines.push(`| ${r.join(" | ")} |`);
  return lines.join("\n");
}
