// Packaging: `npm pack` the package, install the tarball into a fresh temporary project, then
// import it by name in Node (ESM and require), Deno, workerd and Chromium, and bundle it with
// esbuild. Each emits an event that must be valid.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, runDeno, runWorkerd, runChromium, serveStatic, bundleWorkerInto } from "./harness.mjs";

const SNIPPET = `
const sink = memorySink();
const logger = new AuditLogger({ serviceName: "pack-test", sink, metadataAllowlist: ["n"] });
const ev = logger.audit("READ", { resource: { type: "Patient", id: "pat_1" }, metadata: { n: 1 }, error: "lookup failed for 123-45-6789" });
const report = { valid: validateEvent(ev).valid, emitted: sink.length, message: ev.outcome.error_message, versions: [...SCHEMA_VERSIONS] };
`;
const IMPORT = `import { AuditLogger, memorySink, validateEvent, SCHEMA_VERSIONS } from "bh-audit-logger";`;
let project;

function expectReport(report, where) {
  assert.deepEqual(report, { valid: true, emitted: 1, message: "lookup failed for [REDACTED-SSN]", versions: ["1.0", "1.1", "2.0", "2.1"] }, where);
}

before(() => {
  project = mkdtempSync(join(tmpdir(), "bh-pack-"));
  execFileSync("npm", ["pack", "--silent", "--pack-destination", project], { cwd: join(ROOT, "pkg"), stdio: ["ignore", "pipe", "inherit"] });
  const tarball = readdirSync(project).find((f) => f.endsWith(".tgz"));
  assert.ok(tarball, "npm pack produced a tarball");
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", `./${tarball}`], { cwd: project, stdio: "inherit" });
});

test("installed package: Node ESM import", () => {
  writeFileSync(join(project, "esm.mjs"), `${IMPORT}\n${SNIPPET}\nconsole.log(JSON.stringify(report));`);
  expectReport(JSON.parse(execFileSync("node", ["esm.mjs"], { cwd: project, encoding: "utf8" })), "node esm");
});

test("installed package: Node require()", () => {
  writeFileSync(join(project, "cjs.cjs"), `const { AuditLogger, memorySink, validateEvent, SCHEMA_VERSIONS } = require("bh-audit-logger");\n${SNIPPET}\nconsole.log(JSON.stringify(report));`);
  expectReport(JSON.parse(execFileSync("node", ["cjs.cjs"], { cwd: project, encoding: "utf8" })), "node require");
});

test("installed package: bh-audit verify CLI", () => {
  writeFileSync(join(project, "chain.mjs"), `import { AuditLogger, memorySink } from "bh-audit-logger";
const sink = memorySink();
const logger = new AuditLogger({ serviceName: "cli", sink, enableIntegrity: true });
for (let i = 0; i < 3; i++) logger.audit("READ", {});
console.log(sink.events.map((e) => JSON.stringify(e)).join("\\n"));`);
  const jsonl = execFileSync("node", ["chain.mjs"], { cwd: project, encoding: "utf8" });
  writeFileSync(join(project, "trail.jsonl"), jsonl);
  const lines = jsonl.trim().split("\n");
  writeFileSync(join(project, "tampered.jsonl"), [lines[0], lines[2]].join("\n"));
  const bin = join(project, "node_modules", ".bin", "bh-audit");
  assert.equal(spawnSync(bin, ["verify", "trail.jsonl"], { cwd: project }).status, 0, "intact chain passes");
  const bad = spawnSync(bin, ["verify", "tampered.jsonl", "--format", "json"], { cwd: project, encoding: "utf8" });
  assert.equal(bad.status, 1, "removed event fails");
  assert.equal(JSON.parse(bad.stdout).failures[0].line, 2, "reported at the line after the gap");
  assert.equal(spawnSync(bin, ["verify"], { cwd: project }).status, 2, "usage error");
});

test("installed package: Deno (no permissions)", () => {
  writeFileSync(join(project, "deno.mjs"), `${IMPORT}\n${SNIPPET}\nconsole.log(JSON.stringify(report));`);
  expectReport(runDeno(join(project, "deno.mjs"), project), "deno");
});

test("installed package: workerd", async () => {
  writeFileSync(join(project, "worker.mjs"), `${IMPORT}\nexport default { async fetch() {\n${SNIPPET}\nreturn Response.json(report); } };`);
  expectReport(await runWorkerd(join(project, "worker.mjs")), "workerd");
});

test("installed package: esbuild bundle, run in Node and in Chromium", async () => {
  const esbuild = await import("esbuild");
  writeFileSync(join(project, "app.mjs"), `${IMPORT}\n${SNIPPET}\nif (typeof window !== "undefined") window.__results = report; else console.log(JSON.stringify(report));`);
  await esbuild.build({ entryPoints: [join(project, "app.mjs")], bundle: true, format: "esm", platform: "browser", outfile: join(project, "www", "bundle.js"), logLevel: "error" });
  expectReport(JSON.parse(execFileSync("node", [join(project, "www", "bundle.js")], { encoding: "utf8" })), "esbuild bundle in node");
  writeFileSync(join(project, "www", "index.html"), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="./bundle.js"></script>`);
  const server = await serveStatic(join(project, "www"));
  try {
    const { results, errors, requests } = await runChromium(`${server.origin}/index.html`);
    expectReport(results, "esbuild bundle in chromium");
    assert.deepEqual(errors, []);
    assert.ok(requests.every((u) => u.startsWith(server.origin)));
  } finally {
    await server.close();
  }
});

test("installed package: a Worker that only emits bundles the emitting module, not the auditor's", async () => {
  writeFileSync(join(project, "emit-only.mjs"), `${IMPORT}\nexport default { async fetch() {\n${SNIPPET}\nreturn Response.json(report); } };`);
  const dir = mkdtempSync(join(tmpdir(), "bh-split-"));
  const { wasmModules, metafile } = await bundleWorkerInto(dir, join(project, "emit-only.mjs"), { nodePaths: [join(project, "node_modules")] });
  assert.deepEqual(wasmModules, ["dist_glue_bg.wasm"], "one wasm module: the emitting one");
  const inputs = Object.keys(metafile.inputs);
  assert.ok(inputs.some((f) => f.endsWith("bh-audit-logger/src/facade.js")), "the emitting facade is bundled");
  const auditor = inputs.filter((f) => /bh-audit-logger\/(src\/(trail|fhir)|dist\/trail\/)/.test(f));
  assert.deepEqual(auditor, [], "no file of the auditor's entry is bundled");
  writeFileSync(join(project, "both.mjs"), `${IMPORT}\nimport { verifyChain } from "bh-audit-logger/trail";\nexport default { async fetch() {\n${SNIPPET}\nreturn Response.json({ ...report, chain: verifyChain("").ok }); } };`);
  const both = await bundleWorkerInto(mkdtempSync(join(tmpdir(), "bh-split-")), join(project, "both.mjs"), { nodePaths: [join(project, "node_modules")] });
  assert.deepEqual(both.wasmModules.sort(), ["dist_glue_bg.wasm", "trail_glue_bg.wasm"], "the auditor's entry brings its own module");
  const sizes = Object.fromEntries(both.wasmModules.map((m) => [m, statSync(join(project, "node_modules", "bh-audit-logger", "dist", m.startsWith("trail") ? "trail" : "", "glue_bg.wasm")).size]));
  console.log(`wasm modules (raw bytes): ${JSON.stringify(sizes)}`);
});

test("installed package: bh-audit-logger/trail by name in Node ESM, require() and workerd", async () => {
  const TRAIL = `import { AuditLogger, memorySink } from "bh-audit-logger";\nimport { verifyChain, toFhirAuditEvent } from "bh-audit-logger/trail";
function run() {
  const sink = memorySink();
  const logger = new AuditLogger({ serviceName: "pack-test", sink, enableIntegrity: true, schemaVersion: "2.0" });
  for (let i = 0; i < 3; i++) logger.audit("READ", { resource: { type: "Note", id: "n" } });
  return { chain: verifyChain(sink.events.map((e) => JSON.stringify(e)).join("\\n")).ok, fhir: toFhirAuditEvent(sink.events[0]).resourceType };
}`;
  const expected = { chain: true, fhir: "AuditEvent" };
  writeFileSync(join(project, "trail.mjs"), `${TRAIL}\nconsole.log(JSON.stringify(run()));`);
  assert.deepEqual(JSON.parse(execFileSync("node", ["trail.mjs"], { cwd: project, encoding: "utf8" })), expected, "node esm");
  writeFileSync(join(project, "trail.cjs"), `const { verifyChain } = require("bh-audit-logger/trail");\nconsole.log(JSON.stringify({ ok: verifyChain("").ok }));`);
  assert.deepEqual(JSON.parse(execFileSync("node", ["trail.cjs"], { cwd: project, encoding: "utf8" })), { ok: true }, "node require");
  writeFileSync(join(project, "trail-worker.mjs"), `${TRAIL}\nexport default { async fetch() { return Response.json(run()); } };`);
  assert.deepEqual(await runWorkerd(join(project, "trail-worker.mjs")), expected, "workerd");
});
