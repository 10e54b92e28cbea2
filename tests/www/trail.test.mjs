// The playground's Trail tab in headless Chromium (playwright-core, /usr/bin/chromium or
// $CHROMIUM): a 200 MB trail generated into a temp dir and given to the file input, checked
// in a module worker with progress shown and the page responsive; summary and failures equal
// the package's own TrailReport in Node on the same file; failures open their line; drop and
// paste work; no request leaves the page's origin; no console error; screenshots at 360 and
// 1280 px (www/screenshots/trail-*.png).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, existsSync, createWriteStream, createReadStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer } from "../../scripts/serve-www.mjs";
import { generateTrail } from "../../scripts/gen-trail.mjs";
import { TrailReport } from "../../pkg/src/trail-node.mjs";

const SHOTS = fileURLToPath(new URL("../../www/screenshots/", import.meta.url));
const EXECUTABLE = process.env.CHROMIUM || "/usr/bin/chromium";
const SIZE = 200 * 1024 * 1024;

let server;
let origin;
let browser;
let page;
let dir;
let bigFile;
let expected; // the package's TrailReport (Node) on the same file
const problems = [];

/** Write a ~200 MB trail with line 10 tampered (hash) and line 20 invalid (and so tampered). */
async function writeBigTrail(path) {
  const out = createWriteStream(path);
  let first = true;
  const events = await generateTrail({
    bytes: SIZE,
    write: (text) => {
      if (first) {
        first = false;
        const lines = text.split("\n");
        lines[9] = lines[9].replace(/"timestamp":"[^"]+"/, '"timestamp":"2026-01-05T07:00:00Z"');
        lines[19] = lines[19].replace(/"subject_type":"(human|agent)"/, '"subject_type":"robot"');
        text = lines.join("\n");
      }
      return out.write(text) ? undefined : new Promise((r) => out.once("drain", r));
    },
  });
  await new Promise((r) => out.end(r));
  return events;
}

before(async () => {
  assert.ok(existsSync(EXECUTABLE), `no Chromium at ${EXECUTABLE}: apt-get install -y chromium (or run scripts/test-www.sh)`);
  dir = mkdtempSync(join(tmpdir(), "bh-trail-www-"));
  bigFile = join(dir, "trail-200mb.jsonl");
  await writeBigTrail(bigFile);
  const r = new TrailReport();
  for await (const chunk of createReadStream(bigFile, { highWaterMark: 1 << 16 })) r.push(chunk);
  expected = r.finish();
  ({ server, origin } = await startServer({ port: 0, quiet: true }));
  browser = await chromium.launch({
    executablePath: EXECUTABLE,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("request", (req) => {
    const url = req.url();
    if (!url.startsWith(`${origin}/`) && !url.startsWith("data:") && !url.startsWith("blob:")) problems.push(`request outside the page's origin: ${url}`);
    if (req.method() !== "GET") problems.push(`${req.method()} request: ${url}`);
  });
  page.on("requestfailed", (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  mkdirSync(SHOTS, { recursive: true });
  await page.goto(`${origin}/#trail`);
  await page.waitForSelector("body.ready");
  await page.waitForSelector("#panel-trail:not([hidden])");
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function waitDone() {
  await page.waitForFunction(() => ["valid", "invalid", "error"].includes(document.querySelector("#t-status").dataset.state), null, { timeout: 240_000 });
}

const text = (sel) => page.textContent(sel);

test("a 200 MB trail: progress shown, page responsive, summary and failures equal the package's", { timeout: 300_000 }, async () => {
  assert.ok(expected.events > 150_000, `${expected.events} events`);
  // A timer that must keep ticking while the worker reads: the page never freezes.
  await page.evaluate(() => {
    window.__gaps = { max: 0, last: performance.now() };
    window.__tick = setInterval(() => {
      const now = performance.now();
      window.__gaps.max = Math.max(window.__gaps.max, now - window.__gaps.last);
      window.__gaps.last = now;
    }, 20);
  });
  await page.setInputFiles("#t-file", bigFile);
  await page.waitForSelector("#t-progress:not([hidden])");
  await page.waitForFunction(() => Number(document.querySelector("#t-progress").dataset.updates) >= 3);
  const mid = await page.evaluate(() => ({ value: document.querySelector("#t-progress").value, max: document.querySelector("#t-progress").max, status: document.querySelector("#t-status").textContent }));
  assert.ok(mid.value > 0 && mid.value < mid.max, `progress ${mid.value} of ${mid.max}`);
  assert.match(mid.status, /^Checking… [\d.]+ MB of [\d.]+ MB \(\d+%\), [\d,]+ events, [\d.]+ MB\/s/);
  await waitDone();
  const gap = await page.evaluate(() => (clearInterval(window.__tick), window.__gaps.max));
  assert.ok(gap < 1000, `the page's timer stalled for ${gap.toFixed(0)} ms`);
  assert.equal(await page.getAttribute("#t-status", "data-state"), "invalid");
  assert.equal(await page.isHidden("#t-progress"), true);

  assert.equal(Number(await page.getAttribute("#t-events", "data-value")), expected.events);
  assert.equal(Number(await page.getAttribute("#t-invalid", "data-value")), expected.invalid);
  assert.equal(expected.invalid, 1);
  assert.match(await text("#t-chain"), /^[\d,]+ failures$/);
  const fmt = (n) => n.toLocaleString("en-US");
  assert.equal(await text("#t-denials"), fmt(expected.denials));
  assert.equal(await text("#t-phi"), fmt(expected.phi_touched));
  assert.equal(await text("#t-agent"), fmt(expected.agent_delegated));
  assert.equal(await text("#t-range"), `${expected.first_timestamp} – ${expected.last_timestamp}`);
  for (const [id, counts] of [["t-by-action", expected.by_action], ["t-by-outcome", expected.by_outcome], ["t-by-actor", expected.by_actor_type]]) {
    const rows = await page.$$eval(`#${id} tr`, (trs) => trs.map((tr) => [tr.dataset.key, tr.querySelector("td").textContent]));
    assert.deepEqual(rows, Object.entries(counts).map(([k, v]) => [k, fmt(v)]), id);
  }
  // The chart: one group per bucket, every bucket drawn.
  assert.equal(Number(await page.getAttribute("#t-chart", "data-buckets")), expected.hourly.buckets.length);
  assert.equal(await page.locator("#t-chart svg g.bar").count(), expected.hourly.buckets.length);
  assert.ok(expected.hourly.buckets.length >= 48, `${expected.hourly.buckets.length} hours`);
  // Failures: line 10's hash; line 20's schema error and hash (line 21 still links to its recorded hash).
  const failures = await page.$$eval("#t-failures .error-item", (b) => b.map((x) => [Number(x.dataset.line), x.dataset.kind, x.dataset.path]));
  assert.deepEqual(failures, expected.failures.map((f) => [f.line, f.kind, f.path]));
  assert.deepEqual([...new Set(failures.map((f) => f[0]))], [10, 20]);
  assert.ok(failures.some(([l, k, p]) => l === 20 && k === "validation" && p === "/actor/subject_type"), JSON.stringify(failures));
  await shoot("trail");
});

test("a failure opens its line in the editor view, with the field selected; then in the Validate tab", async () => {
  await page.click('#t-failures .error-item[data-kind="validation"]');
  await page.waitForSelector('#t-line[data-line="20"]');
  const value = await page.inputValue("#t-line-text");
  assert.match(value, /"event_id": "7e570000-0000-4000-8000-000000000013"/);
  const selected = await page.evaluate(() => {
    const a = document.querySelector("#t-line-text");
    return a.value.slice(a.selectionStart, a.selectionEnd);
  });
  assert.match(selected, /"?subject_type"?: "robot"|^"robot"$/);
  await page.click("#t-line-validate");
  await page.waitForSelector("#panel-validate:not([hidden])");
  await page.waitForFunction(() => document.querySelector("#v-status").dataset.state === "invalid");
  const paths = await page.$$eval("#v-errors .error-item", (b) => b.map((x) => x.dataset.path));
  assert.ok(paths.includes("/actor/subject_type"), paths.join(","));
  await page.click("#tab-trail");
});

test("drop and paste", async () => {
  let small = "";
  await generateTrail({ bytes: 20_000, write: (t) => void (small += t) });
  const lines = small.trimEnd().split("\n");
  await page.evaluate((content) => {
    const dt = new DataTransfer();
    dt.items.add(new File([content], "dropped.jsonl", { type: "application/x-ndjson" }));
    document.querySelector("#t-drop").dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, small);
  await waitDone();
  assert.equal(await page.getAttribute("#t-status", "data-state"), "valid");
  assert.equal(Number(await page.getAttribute("#t-events", "data-value")), lines.length);
  assert.match(await text("#t-chain"), /^intact/);

  await page.click(".t-paste-box > summary");
  await page.fill("#t-paste", `${lines[0]}\r\n\n${lines[2]}\nnot json\n`);
  await page.click("#t-paste-run");
  await waitDone();
  assert.equal(await page.getAttribute("#t-status", "data-state"), "invalid");
  const failures = await page.$$eval("#t-failures .error-item", (b) => b.map((x) => [Number(x.dataset.line), x.dataset.kind]));
  assert.deepEqual(failures, [[3, "hash_mismatch"], [3, "chain_gap"], [4, "invalid_json"]]);
  assert.equal(await text("#t-chain"), "3 failures, stopped at line 4");
  await page.click('#t-failures .error-item[data-kind="invalid_json"]');
  await page.waitForSelector('#t-line[data-line="4"]');
  assert.equal(await page.inputValue("#t-line-text"), "not json");
});

test("at 360 px the Trail tab does not scroll sideways; no console error, no off-origin request", async () => {
  await page.setViewportSize({ width: 360, height: 780 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than 360px`);
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.deepEqual(problems, []);
});

async function shoot(name) {
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: width === 360 ? 780 : 900 });
    await page.screenshot({ path: `${SHOTS}${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
