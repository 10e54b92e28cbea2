// Cold start in workerd (miniflare): a fresh workerd each run starts a Worker whose first
// request emits one audit event (cold-worker.mjs, the package bundled as a Worker bundles it),
// against the same Worker without the package (cold-worker-bare.mjs), interleaved. Prints the
// medians of: startup (`new Miniflare` until ready: workerd spawned, modules compiled and
// evaluated), the first request, and both. Wall-clock time from Node.
//   node benches/js/cold-workerd.mjs [RUNS=10]   (needs npm ci and ./scripts/build-pkg.sh)
import { join } from "node:path";
import { copyFileSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { ROOT } from "../../tests/js/harness.mjs";
import { bundleWorker, startMiniflare } from "../../tests/js/miniflare-harness.mjs";

const runs = Number(process.argv[2] || 10);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const workers = {
  package: await bundleWorker(join(ROOT, "benches/js/cold-worker.mjs")),
  bare: bare(),
};

/** The bare Worker imports nothing: it is its own bundle. */
function bare() {
  const dir = mkdtempSync(join(tmpdir(), "bh-cold-bare-"));
  copyFileSync(join(ROOT, "benches/js/cold-worker-bare.mjs"), join(dir, "worker.js"));
  return { dir, wasmModules: [] };
}
const times = { package: [], bare: [] };
for (let i = 0; i < runs + 1; i++) {
  for (const [name, bundle] of Object.entries(workers)) {
    const t0 = performance.now();
    const mf = await startMiniflare(bundle);
    const t1 = performance.now();
    const res = await mf.dispatchFetch("http://worker/");
    const text = await res.text();
    const t2 = performance.now();
    await mf.dispose();
    if (!res.ok || !text.includes('"event_id"')) throw new Error(`${name}: no event (${res.status})`);
    if (i > 0) times[name].push([t1 - t0, t2 - t1, t2 - t0]); // the first round warms the disk cache
  }
}
const size = (b) => b.wasmModules.reduce((n, m) => n + statSync(join(b.dir, m)).size, statSync(join(b.dir, "worker.js")).size);
for (const [name, rows] of Object.entries(times)) {
  const m = (k) => median(rows.map((r) => r[k])).toFixed(1);
  console.log(`${name}: startup ${m(0)} ms, first request ${m(1)} ms, total ${m(2)} ms (median of ${runs}); bundle ${size(workers[name])} bytes`);
}
const d = (k) => (median(times.package.map((r) => r[k])) - median(times.bare.map((r) => r[k]))).toFixed(1);
console.log(`the package adds: startup ${d(0)} ms, first request ${d(1)} ms, total ${d(2)} ms`);
