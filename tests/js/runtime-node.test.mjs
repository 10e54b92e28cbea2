// Runs the shared conformance suite in Node (ESM and require()).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { runConformance } from "./conformance.mjs";

const entry = new URL("../../pkg/src/node.mjs", import.meta.url).href;
const trailEntry = new URL("../../pkg/src/trail-node.mjs", import.meta.url).href;

test("conformance suite in Node (ESM)", async () => {
  const results = await runConformance({ ...await import(entry), ...await import(trailEntry) });
  const failed = results.filter((r) => !r.ok);
  const assertions = results.reduce((n, r) => n + r.assertions, 0);
  assert.deepEqual(failed, [], `failed: ${failed.map((f) => `${f.name}: ${f.error}`).join("\n")}`);
  assert.ok(assertions >= 40, `at least 40 assertions ran (${assertions})`);
});

test("require() works in Node, for both entries", () => {
  const require = createRequire(import.meta.url);
  const api = require(new URL("../../pkg/dist/node.cjs", import.meta.url).pathname);
  const trail = require(new URL("../../pkg/dist/trail.cjs", import.meta.url).pathname);
  const logger = new api.AuditLogger({ serviceName: "cjs", sink: api.memorySink(), enableIntegrity: true });
  const ev = logger.audit("READ", {});
  assert.equal(api.validateEvent(ev).valid, true);
  assert.equal(trail.verifyChain(JSON.stringify(ev)).ok, true);
  assert.equal(api.verifyChain, undefined, "the emitting entry has no auditor code");
});

test("SCHEMA_VERSIONS is the core's list of vendored schemas", async () => {
  const api = await import(entry);
  const { schemaVersions } = await import(new URL("../../pkg/dist/glue.js", import.meta.url).href);
  assert.deepEqual([...api.SCHEMA_VERSIONS], schemaVersions());
});
