// Durable sinks under miniflare (real workerd): events per second into AuditChain (chainSink),
// d1Store's sink and httpSink (to a collector in this process), and the per-event overhead of
// each over consoleSink. Wall-clock time of whole requests (workerd's clock does not advance
// during execution), medians of BENCH_RUNS interleaved runs. `node benches/js/durable.mjs`
// (needs npm ci and ./scripts/build-pkg.sh). Prints a markdown table.
import { createServer } from "node:http";
import { join } from "node:path";
import { ROOT } from "../../tests/js/harness.mjs";
import { bundleWorker, startMiniflare } from "../../tests/js/miniflare-harness.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const N = Math.round(5000 * Number(process.env.BENCH_SCALE ?? 1));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

let received = 0;
const server = createServer((req, res) => {
  req.on("data", () => {});
  req.on("end", () => {
    received++;
    res.writeHead(200).end();
  });
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const collector = `http://127.0.0.1:${server.address().port}/ingest`;

const dir = await bundleWorker(join(ROOT, "benches/js/durable-worker.mjs"));
const mf = await startMiniflare(dir, {
  durableObjects: { AUDIT_CHAIN: { className: "AuditChain", useSQLite: true } },
  d1Databases: ["DB"],
  handleRuntimeStdio: (stdout, stderr) => {
    stdout.resume(); // consoleSink's lines: not part of the output
    stderr.resume();
  },
});
try {
  await mf.dispatchFetch("http://bench/migrate");
  const sinks = ["none", "console", "chain", "d1", "http"];
  const times = Object.fromEntries(sinks.map((s) => [s, []]));
  const run = async (s, n) => {
    const t0 = performance.now();
    const res = await mf.dispatchFetch(`http://bench/?sink=${s}&n=${n}&url=${encodeURIComponent(collector)}`);
    const body = await res.json();
    const ms = performance.now() - t0;
    if (body.emitted !== n || body.dropped !== 0) throw new Error(`${s}: ${JSON.stringify(body)}`);
    return ms;
  };
  for (const s of sinks) await run(s, Math.max(100, N / 5)); // warm-up
  for (let r = 0; r < RUNS; r++) for (const s of sinks) times[s].push(await run(s, N));
  const label = { none: "no-op function sink", console: "consoleSink", chain: "chainSink → AuditChain (SQLite)", d1: "d1Store().sink (D1)", http: "httpSink → local collector" };
  const base = median(times.console) / N;
  console.log(`${N} events per request, medians of ${RUNS} runs, wall-clock of the whole request (audit + flush + delivery)`);
  console.log();
  console.log("| sink | events/s | µs/event | overhead vs consoleSink (µs/event) |");
  console.log("|---|---:|---:|---:|");
  for (const s of sinks) {
    const per = median(times[s]) / N;
    const over = s === "console" ? "—" : ((per - base) * 1000).toFixed(1);
    console.log(`| ${label[s]} | ${Math.round(1000 / per).toLocaleString("en-US")} | ${(per * 1000).toFixed(1)} | ${over} |`);
  }
} finally {
  await mf.dispose();
  server.close();
}
