// Cold start in Node: fresh processes each import the package's Node entry, build an
// AuditLogger and emit one event (the call of audit.mjs's import-to-first-event part); prints the
// median of each phase. Usage: node benches/js/cold.mjs [ENTRY_URL_OR_PATH] [RUNS=20]
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "./harness.mjs";

const arg = process.argv[2];
const url = !arg ? pathToFileURL(resolve(ROOT, "pkg/src/node.mjs")).href
  : arg.startsWith("file:") ? arg : pathToFileURL(resolve(arg)).href;
const runs = Number(process.argv[3] || 20);
const script = `
const t0 = performance.now();
const m = await import(${JSON.stringify(url)});
const t1 = performance.now();
const sink = m.memorySink({ maxlen: 1 });
const logger = new m.AuditLogger({ serviceName: "bh-notes-api", sink });
const t2 = performance.now();
const ev = logger.audit("READ", { actor: { subject_id: "user_123", subject_type: "human" }, resource: { type: "Patient", id: "pat_456" } });
const t3 = performance.now();
if (!ev) process.exit(2);
console.log(JSON.stringify([t1 - t0, t2 - t1, t3 - t2, t3 - t0]));
`;
const rows = [];
for (let i = 0; i < runs; i++) {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`run ${i} failed: ${r.stderr}`);
  rows.push(JSON.parse(r.stdout));
}
const med = (k) => {
  const a = rows.map((r) => r[k]).sort((x, y) => x - y);
  return a[a.length >> 1].toFixed(1);
};
console.log(`${url}: import ${med(0)} ms, new AuditLogger ${med(1)} ms, first audit() ${med(2)} ms, import to first event ${med(3)} ms (median of ${runs} fresh processes)`);
