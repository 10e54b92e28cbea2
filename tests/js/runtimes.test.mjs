// The shared conformance suite in Deno, workerd and Chromium (Node: runtime-node.test.mjs).
// A missing runtime fails the test; nothing is skipped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, runDeno, runWorkerd, runChromium, serveStatic } from "./harness.mjs";

function check(results, runtime) {
  const failed = results.filter((r) => !r.ok);
  const assertions = results.reduce((n, r) => n + r.assertions, 0);
  assert.deepEqual(failed, [], `${runtime}: ${failed.map((f) => `${f.name}: ${f.error}`).join("\n")}`);
  assert.ok(assertions >= 40, `${runtime}: at least 40 assertions ran (${assertions})`);
}

test("conformance suite in Deno (no permissions)", () => {
  check(runDeno(join(ROOT, "tests/js/runtime-deno.mjs")), "deno");
});

test("conformance suite in workerd", async () => {
  check(await runWorkerd(join(ROOT, "tests/js/runtime-workerd.mjs")), "workerd");
});

test("conformance suite in Chromium", async () => {
  const server = await serveStatic(ROOT);
  try {
    const { results, errors, requests } = await runChromium(`${server.origin}/tests/js/runtime-browser.html`);
    check(results, "chromium");
    assert.deepEqual(errors, [], "no console errors");
    assert.ok(requests.every((u) => u.startsWith(server.origin)), "no request leaves the page's origin");
  } finally {
    await server.close();
  }
});
