// Browser tests of the playground (www/): starts the static server on a free port and a
// headless Chromium (Debian's /usr/bin/chromium, or $CHROMIUM) driven by playwright-core,
// and closes both at the end. Run: node --test tests/www/   (or scripts/test-www.sh)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { request } from "node:http";
import { chromium } from "playwright-core";
import { startServer } from "../../scripts/serve-www.mjs";

const SHOTS = fileURLToPath(new URL("../../www/screenshots/", import.meta.url));
const EXECUTABLE = process.env.CHROMIUM || "/usr/bin/chromium";

let server;
let origin;
let browser;
let context;
let page;
const problems = []; // console errors, page errors, foreign requests, failed requests

before(async () => {
  assert.ok(existsSync(EXECUTABLE), `no Chromium at ${EXECUTABLE}: run ./scripts/setup.sh chromium (or ./scripts/test.sh)`);
  ({ server, origin } = await startServer({ port: 0, quiet: true }));
  browser = await chromium.launch({
    executablePath: EXECUTABLE,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("request", (req) => {
    const url = req.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith("data:")) problems.push(`request outside the page's origin: ${url}`);
  });
  page.on("requestfailed", (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  mkdirSync(SHOTS, { recursive: true });
  await page.goto(`${origin}/`);
  await page.waitForSelector("body.ready");
  // The page starts with a valid example loaded.
  await page.waitForSelector('#v-status[data-state="valid"]');
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

async function openTab(name) {
  await page.click(`#tab-${name}`);
  await page.waitForSelector(`#panel-${name}:not([hidden])`);
}

async function loadExample(path) {
  await openTab("validate");
  if (!(await page.isVisible(`.ex[data-path="${path}"]`))) await page.click("#examples > summary");
  await page.click(`.ex[data-path="${path}"]`);
  await page.waitForFunction((p) => document.querySelector(".ex[aria-current]")?.dataset.path === p, path);
  await page.waitForFunction(() => document.querySelector("#v-status").dataset.state !== "pending");
}

async function setEditor(text) {
  await page.fill("#v-text", text);
  await page.waitForFunction(() => document.querySelector("#v-status").dataset.state !== "pending");
}

async function shoot(name) {
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: width === 360 ? 780 : 900 });
    await page.screenshot({ path: `${SHOTS}${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

test("the page loads the wasm package same-origin and lists every upstream example", async () => {
  assert.equal(await page.locator('[role="tab"]').count(), 4);
  const index = await (await fetch(`${origin}/examples/index.json`)).json();
  const expected = index.versions.reduce((n, v) => n + v.positive.length + v.negative.length, 0);
  assert.ok(expected >= 60, `expected the upstream examples, got ${expected}`);
  assert.equal(await page.locator(".ex").count(), expected);
  for (const v of ["1.0", "1.1", "2.0", "2.1"]) assert.ok(index.versions.some((e) => e.version === v), `version ${v}`);
  // MIME types the page relies on.
  const wasm = await fetch(`${origin}/pkg/dist/glue_bg.wasm`, { method: "HEAD" });
  assert.equal(wasm.headers.get("content-type"), "application/wasm");
  const js = await fetch(`${origin}/pkg/src/bytes.mjs`, { method: "HEAD" });
  assert.match(js.headers.get("content-type"), /^text\/javascript/);
});

/** GET a raw request path (no URL normalization, unlike fetch). */
function rawGet(path, method = "GET") {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    req.on("error", reject);
    req.end();
  });
}

test("the static server refuses paths outside its roots", async () => {
  for (const path of [
    "/../package.json",
    "/%2e%2e/package.json",
    "/pkg/src/../../Cargo.toml",
    "/pkg/dist/%2e%2e/%2e%2e/Cargo.toml",
    "/examples/..%2f..%2fscripts%2fserve-www.mjs",
    "/..%5c..%5cpackage.json",
    "/pkg/package.json",
    "/examples/",
    "/%00index.html",
  ]) {
    assert.equal(await rawGet(path), 404, path);
  }
  assert.equal(await rawGet("/", "POST"), 405);
  assert.equal(await rawGet("/index.html"), 200);
});

test("loading a positive example shows valid, and the timing in microseconds", async () => {
  for (const path of ["1.1/access_denied.json", "2.1/agent_asserted_call.json", "1.0/login_success.json"]) {
    await loadExample(path);
    assert.equal(await page.getAttribute("#v-status", "data-state"), "valid", path);
    assert.match(await page.textContent("#v-status"), /^✓ valid/);
  }
  assert.match(await page.textContent("#v-time"), /^validation: \d+(\.\d)?\u202Fµs$/);
  assert.ok(Number(await page.getAttribute("#v-time", "data-micros")) > 0);
});

test("a negative example is invalid and lists its error path", async () => {
  await loadExample("2.1/negative/11_agent_interface_outside_enum.json");
  assert.equal(await page.getAttribute("#v-status", "data-state"), "invalid");
  const paths = await page.$$eval("#v-errors .error-item", (b) => b.map((x) => x.dataset.path));
  assert.ok(paths.includes("/delegation/acting/agent/interface"), paths.join(","));
});

test("breaking actor.subject_type lists /actor/subject_type, and choosing it selects the field", async () => {
  await loadExample("1.1/patient_read_success.json");
  const original = await page.inputValue("#v-text");
  // Type the change, as a person would: select the value and type over it.
  const at = original.indexOf('"human"');
  assert.ok(at > 0);
  await page.focus("#v-text");
  await page.evaluate((s) => document.querySelector("#v-text").setSelectionRange(s + 1, s + 6), at);
  await page.keyboard.type("robot");
  await page.waitForSelector('#v-status[data-state="invalid"]');
  const item = page.locator('#v-errors .error-item[data-path="/actor/subject_type"]');
  assert.equal(await item.count(), 1);
  assert.match(await item.textContent(), /enum/);

  // Move the caret away, then choose the error with the keyboard (focus + Enter).
  await page.evaluate(() => document.querySelector("#v-text").setSelectionRange(0, 0));
  await item.focus();
  await page.keyboard.press("Enter");
  const sel = await page.evaluate(() => {
    const t = document.querySelector("#v-text");
    return { start: t.selectionStart, end: t.selectionEnd, focused: document.activeElement === t, text: t.value.slice(t.selectionStart, t.selectionEnd) };
  });
  const text = await page.inputValue("#v-text");
  const valueAt = text.indexOf('"robot"');
  assert.equal(sel.start, valueAt, "caret on the value of subject_type");
  assert.equal(sel.text, '"robot"');
  assert.ok(sel.focused, "the editor has focus");
  const lineStart = text.lastIndexOf("\n", sel.start) + 1;
  assert.match(text.slice(lineStart, text.indexOf("\n", sel.start)), /"subject_type"/);

  // A click works too.
  await page.evaluate(() => document.querySelector("#v-text").setSelectionRange(0, 0));
  await item.click();
  assert.equal(await page.evaluate(() => document.querySelector("#v-text").selectionStart), valueAt);
  await shoot("validate-error");
});

test("the schema version selector overrides the event's own version", async () => {
  await loadExample("1.0/login_success.json");
  await page.selectOption("#v-version", "2.1");
  await page.waitForFunction(() => document.querySelector("#v-status").dataset.state !== "pending");
  assert.equal(await page.getAttribute("#v-status", "data-state"), "invalid");
  await page.selectOption("#v-version", "auto");
  await page.waitForSelector('#v-status[data-state="valid"]');
});

test("broken JSON shows its line and column, and choosing the error puts the caret there", async () => {
  await openTab("validate");
  await setEditor('{\n  "schema_version": "1.1",\n  "event_id": ,\n  "x": 1\n}');
  assert.equal(await page.getAttribute("#v-status", "data-state"), "syntax");
  assert.match(await page.textContent("#v-status"), /line 3, column 15/);
  const item = page.locator('#v-errors .error-item[data-keyword="syntax"]');
  assert.match(await item.textContent(), /line 3, column 15/);
  await item.click();
  const text = await page.inputValue("#v-text");
  const caret = await page.evaluate(() => document.querySelector("#v-text").selectionStart);
  assert.equal(text[caret], ",");
  assert.equal(await page.textContent("#v-gutter .err"), "3\n");
  await shoot("validate-syntax");

  // Columns count characters, not UTF-8 bytes.
  await setEditor('{"note": "héllo wörld", oops}');
  assert.match(await page.textContent("#v-status"), /line 1, column 25/);
});

test("build: an error text with an SSN is redacted in the emitted event; dropped metadata is explained", async () => {
  await openTab("build");
  await page.fill("#b-error", "lookup failed for 123-45-6789");
  await page.selectOption("#b-status", "FAILURE");
  await page.fill("#b-metadata", "route=/patients/{patient_id}\nrows=3\nsecret=abc\nfilters=[\"active\"]");
  await page.fill("#b-allow", "route, rows, filters");
  await page.click("#b-emit");
  await page.waitForSelector('#b-result[data-state="valid"]');
  const event = JSON.parse(await page.textContent("#b-event"));
  assert.equal(event.outcome.status, "FAILURE");
  assert.equal(event.outcome.error_message, "lookup failed for [REDACTED-SSN]");
  assert.equal(event.service.name, "playground");
  assert.deepEqual(event.metadata, { route: "/patients/{patient_id}", rows: 3 });
  assert.ok(!(await page.textContent("#b-event")).includes("123-45-6789"));
  const dropped = await page.$$eval("#b-dropped li[data-key]", (li) => li.map((x) => x.textContent));
  assert.deepEqual(dropped, ["secret — not in the allowlist", "filters — value is an array, not a scalar"]);
  assert.equal(await page.textContent('#b-stats [data-stat="events_emitted_total"]'), "1");
  await page.click("#b-emit");
  await page.waitForFunction(() => document.querySelector('#b-stats [data-stat="events_emitted_total"]').textContent === "2");
  await shoot("build");
});

test("build: an event failing validation is dropped and counted", async () => {
  await openTab("build");
  await page.fill("#b-res-type", "");
  await page.click("#b-emit");
  await page.waitForSelector('#b-result[data-state="invalid"]');
  assert.equal(await page.textContent('#b-stats [data-stat="validation_failures_total"]'), "1");
  assert.match(await page.textContent("#b-diag"), /\/resource\/type/);
  await page.fill("#b-res-type", "Patient");
});

test("build: the agent form emits a 2.1 event with delegation and attribution, and names a broken rule", async () => {
  await openTab("build");
  await page.fill("#b-error", "");
  await page.selectOption("#b-status", "SUCCESS");
  await page.selectOption("#b-schema", "2.1");
  await page.check("#b-agent-on");
  await page.selectOption("#b-level", "verified");
  await page.click("#b-emit");
  await page.waitForSelector('#b-result[data-state="valid"]');
  const event = JSON.parse(await page.textContent("#b-event"));
  assert.equal(event.schema_version, "2.1");
  assert.deepEqual(event.actor, { subject_id: "agent_cred_009", subject_type: "agent" });
  assert.equal(event.delegation.authorizing.subject_id, "user_123");
  assert.equal(event.delegation.acting.agent.interface, "mcp");
  assert.deepEqual(event.attribution, { level: "verified", method: "id_jag" });
  assert.match(await page.textContent("#b-validation"), /valid against schema 2\.1/);
  await page.selectOption("#b-level", "");
  await page.click("#b-emit");
  await page.waitForSelector('#b-result[data-state="invalid"]');
  assert.match(await page.textContent("#b-result"), /TypeError: invalid `attribution`/);
  assert.match(await page.textContent("#b-validation"), /RFC 0003 R1\./);
  await shoot("build-agent");
  await page.uncheck("#b-agent-on");
  await page.selectOption("#b-schema", "1.1");
});

test("validate: an error under a schema rule shows the rule", async () => {
  await openTab("validate");
  const ev = { schema_version: "2.1", event_id: "14000000-0000-4000-8000-000000000014", timestamp: "2026-09-01T10:00:00Z", service: { name: "x" },
    actor: { subject_id: "a", subject_type: "agent" }, action: { type: "READ" }, resource: { type: "P" }, outcome: { status: "SUCCESS" } };
  await page.fill("#v-text", JSON.stringify(ev, null, 2));
  await page.waitForFunction(() => document.querySelector("#v-errors .rule")?.textContent.startsWith("RFC 0003 R4"));
});

test("sanitize: both profiles, each redaction marked by kind", async () => {
  await openTab("sanitize");
  await page.fill("#s-text", "ssn 123-45-6789 mail a.b@example.org call 555-123-4567 id 12345678901 ip 10.1.2.3");
  await page.waitForFunction(() => document.querySelectorAll("#s-strict mark").length === 5);
  const kinds = (id) => page.$$eval(`#${id} mark`, (m) => m.map((x) => x.dataset.kind));
  assert.deepEqual(await kinds("s-ref"), ["SSN", "EMAIL", "PHONE", "ID"]);
  assert.deepEqual(await kinds("s-strict"), ["SSN", "EMAIL", "PHONE", "ID", "IP"]);
  assert.ok((await page.textContent("#s-ref")).includes("10.1.2.3"));
  // Distinct colours per kind.
  const colours = await page.$$eval("#s-strict mark", (m) => m.map((x) => getComputedStyle(x).backgroundColor));
  assert.equal(new Set(colours).size, 5);
  await page.fill("#s-max", "12");
  await page.waitForFunction(() => document.querySelector("#s-ref").textContent.endsWith("..."));
  await page.fill("#s-max", "200");
  await page.waitForFunction(() => !document.querySelector("#s-ref").textContent.endsWith("..."));
  await shoot("sanitize");
});

test("tabs work by keyboard and every control has a label", async () => {
  await page.focus("#tab-validate");
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.evaluate(() => document.activeElement.id), "tab-build");
  assert.equal(await page.getAttribute("#tab-build", "aria-selected"), "true");
  assert.equal(await page.isHidden("#panel-validate"), true);
  await page.keyboard.press("End");
  assert.equal(await page.getAttribute("#tab-trail", "aria-selected"), "true");
  await page.keyboard.press("Home");
  assert.equal(await page.getAttribute("#tab-validate", "aria-selected"), "true");
  const unlabelled = await page.$$eval("input, select, textarea", (els) =>
    els.filter((e) => !(e.labels && e.labels.length) && !e.getAttribute("aria-label")).map((e) => e.id || e.outerHTML),
  );
  assert.deepEqual(unlabelled, []);
  // No horizontal scrolling of the page at 360 px in any view.
  await page.setViewportSize({ width: 360, height: 780 });
  for (const name of ["validate", "build", "sanitize", "trail"]) {
    await openTab(name);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${name}: page is ${overflow}px wider than the 360px viewport`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await openTab("validate");
});

test("no console errors, no page errors, no request outside the page's origin", async () => {
  assert.deepEqual(problems, []);
});
