// The Trail tab's verifiable-trail parts in headless Chromium (playwright-core): signed
// checkpoints and verifier keys dropped or pasted beside the trail, compared with it in the
// worker (a matching checkpoint, a cut tail, a changed line, a rewritten and re-chained trail,
// a wrong key, two histories, a malformed key), unchained lines refused unless allowed, and
// the "verify one event" panel (a tlog-proof for one line verifies, and fails for another line
// or another key). Synthetic data only: a trail emitted in Node by the package's AuditLogger
// with enableIntegrity, keys and checkpoints made with bh-audit-logger/trail, and inclusion
// proofs built here with node:crypto (a few lines of RFC 6962, independent of the package).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";
import { chromium } from "playwright-core";
import { startServer } from "../../scripts/serve-www.mjs";
import { AuditLogger } from "../../pkg/src/node.mjs";
import { TrailReport, generateSignerKey, signCheckpoint, verifyInclusionProof } from "../../pkg/src/trail-node.mjs";

const SHOTS = fileURLToPath(new URL("../../www/screenshots/", import.meta.url));
const EXECUTABLE = process.env.CHROMIUM || "/usr/bin/chromium";
const ORIGIN = "audit.example.org/playground-test";

let server;
let origin;
let browser;
let page;
const problems = [];

/* ---------------------------------------------------------------- data, made in Node */

/** `n` chained lines (each ending in "\n") from the package's logger; `change(i)` alters event i. */
function emit(n, { integrity = true, change = () => ({}) } = {}) {
  const out = [];
  let id = 0;
  const logger = new AuditLogger({
    serviceName: "playground-test",
    enableIntegrity: integrity,
    sink: { write: (line) => void out.push(line) },
    idFactory: () => `00000000-0000-4000-8000-${String(++id).padStart(12, "0")}`,
    timeSource: () => Date.UTC(2026, 0, 5, 9) + id * 1000,
    onDiagnostic: () => {},
  });
  for (let i = 0; i < n; i++) {
    logger.audit(["READ", "UPDATE"][i % 2], { actor: { subject_id: `clinician-${i % 3}`, subject_type: "human" }, resource: { type: "Note", patient_id: `pt-${i}` }, ...change(i) });
  }
  assert.equal(out.length, n);
  for (const l of out) assert.ok(l.endsWith("\n") && !l.slice(0, -1).includes("\n"));
  return out;
}

async function treeOf(lines) {
  const r = new TrailReport({ allowUnchained: true });
  r.push(lines.join(""));
  return r.finish().tree;
}

// RFC 6962 section 2.1, written here from the RFC (not the package's).
const sha = (...parts) => createHash("sha256").update(Buffer.concat(parts)).digest();
const leafHash = (entry) => sha(Buffer.from([0]), Buffer.from(entry, "utf8"));
const split = (n) => 2 ** Math.floor(Math.log2(n - 1)); // the largest power of two < n
function mth(leaves) {
  if (leaves.length === 1) return leaves[0];
  const k = split(leaves.length);
  return sha(Buffer.from([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
function auditPath(m, leaves) {
  if (leaves.length === 1) return [];
  const k = split(leaves.length);
  return m < k ? [...auditPath(m, leaves.slice(0, k)), mth(leaves.slice(k))] : [...auditPath(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}
/** A C2SP tlog-proof for entry `index` of `entries` (lines without terminators) under `note`. */
function tlogProof(index, entries, note) {
  const hashes = auditPath(index, entries.map(leafHash)).map((h) => `${h.toString("base64")}\n`);
  return `c2sp.org/tlog-proof@v1\nindex ${index}\n${hashes.join("")}\n${note}`;
}

const data = {};

before(async () => {
  assert.ok(existsSync(EXECUTABLE), `no Chromium at ${EXECUTABLE}: run ./scripts/setup.sh chromium (or ./scripts/test-www.sh)`);
  const lines = emit(40);
  const key = await generateSignerKey(ORIGIN);
  const other = await generateSignerKey(ORIGIN); // the same name, another key
  const tree40 = await treeOf(lines);
  const tree30 = await treeOf(lines.slice(0, 30));
  assert.equal(tree40.size, 40);
  // The package's tree is RFC 6962's.
  const entries = lines.map((l) => l.slice(0, -1));
  assert.equal(tree40.root, mth(entries.map(leafHash)).toString("base64"));
  const note40 = await signCheckpoint({ origin: ORIGIN, size: 40, root: tree40.root }, key.signerKey);
  const note30 = await signCheckpoint({ origin: ORIGIN, size: 30, root: tree30.root }, key.signerKey);
  // A second history: the same origin and size, another root (a different event 5), signed by the log's key.
  const forked = emit(30, { change: (i) => (i === 5 ? { resource: { type: "Note", patient_id: "pt-other" } } : {}) });
  const note30b = await signCheckpoint({ origin: ORIGIN, size: 30, root: (await treeOf(forked)).root }, key.signerKey);
  // Event 12 changed (a failure recorded) and every later event chained again: the chain is intact.
  const rechained = emit(40, { change: (i) => (i === 12 ? { error: "timeout" } : {}) });
  assert.notEqual(rechained[12], lines[12]);
  // Line 13 edited in place (not re-chained): the chain fails there.
  const edited = [...lines];
  edited[12] = edited[12].replace('"pt-12"', '"pt-99"');
  assert.notEqual(edited[12], lines[12]);
  const proof6 = tlogProof(6, entries, note40);
  assert.equal((await verifyInclusionProof(proof6, entries[6], [key.verifierKey])).ok, true);
  Object.assign(data, { lines, entries, key, other, tree40, note40, note30, note30b, rechained, edited, proof6 });

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
  page.on("response", (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  await page.goto(`${origin}/#trail`);
  await page.waitForSelector("body.ready");
  await page.waitForSelector("#panel-trail:not([hidden])");
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

/* ---------------------------------------------------------------- page helpers */

/** Screenshots at 360 and 1280 px (www/screenshots/, not in git). */
async function shoot(name) {
  mkdirSync(SHOTS, { recursive: true });
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: width === 360 ? 780 : 900 });
    await page.screenshot({ path: `${SHOTS}${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Drop `files` ([name, text]) on the element `selector`, as a user would. */
async function drop(selector, files) {
  await page.evaluate(
    ([sel, list]) => {
      const dt = new DataTransfer();
      for (const [name, text] of list) dt.items.add(new File([text], name, { type: "text/plain" }));
      document.querySelector(sel).dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    [selector, files],
  );
}

/** Replace the checkpoints given with `notes` ([file name, note]) and the keys with `keys`. */
async function setCheckpoints(notes, keys) {
  while (await page.locator("#t-cp-list .t-cp-remove").count()) await page.locator("#t-cp-list .t-cp-remove").first().click();
  if (notes.length) await drop("#t-cp-drop", notes);
  await page.waitForFunction((n) => document.querySelectorAll("#t-cp-list .t-cp-item").length === n, notes.length);
  await page.fill("#t-keys", keys.join("\n"));
}

/** Drop `lines` as a trail file and wait for the report. */
async function checkTrail(lines, name = "trail.jsonl") {
  await drop("#t-drop", [[name, lines.join("")]]);
  await page.waitForFunction(() => ["valid", "invalid", "error"].includes(document.querySelector("#t-status").dataset.state));
  return page.getAttribute("#t-status", "data-state");
}

/** Each checkpoint's result as drawn. */
const results = () =>
  page.$$eval("#t-checkpoints .t-checkpoint", (items) =>
    items.map((li) => ({ ok: li.dataset.ok === "true", reason: li.dataset.reason, size: Number(li.dataset.size), line: li.dataset.line ? Number(li.dataset.line) : null, verdict: li.querySelector(".t-cp-verdict").textContent, label: li.querySelector(".t-cp-label").textContent, text: li.querySelector(".t-cp-text").textContent })),
  );

/* ---------------------------------------------------------------- the trail against checkpoints */

test("the trail matches both its checkpoints: tree, per-checkpoint ok and the line of the last entry", async () => {
  // Before any run, no empty report and nothing to run again.
  assert.equal(await page.isHidden("#t-result"), true);
  assert.equal(await page.isHidden("#t-recheck"), true);
  await setCheckpoints([["at-40.checkpoint", data.note40], ["at-30.checkpoint", data.note30]], [data.key.verifierKey]);
  assert.equal(await checkTrail(data.lines), "valid");
  assert.equal(await page.getAttribute("#t-tree", "data-size"), "40");
  assert.equal(await page.textContent("#t-tree-root"), data.tree40.root);
  assert.equal(await page.textContent("#t-cp-card"), "all 2 match");
  const r = await results();
  assert.deepEqual(r.map(({ ok, reason, size, line, label }) => ({ ok, reason, size, line, label })), [
    { ok: true, reason: "", size: 40, line: 40, label: "at-40.checkpoint" },
    { ok: true, reason: "", size: 30, line: 30, label: "at-30.checkpoint" },
  ]);
  assert.match(r[1].verdict, /Matches/);
  assert.match(r[1].text, /first 30 entries \(through line 30\)/);
  assert.equal(await page.isHidden("#t-cp-none"), true);
});

test("a cut trail: the checkpoint beyond its end says the tail is cut, the earlier one still matches", async () => {
  assert.equal(await checkTrail(data.lines.slice(0, 35), "cut.jsonl"), "invalid");
  assert.match(await page.textContent("#t-chain"), /^intact/); // the chain alone cannot tell
  const [at40, at30] = await results();
  assert.equal(at40.ok, false);
  assert.equal(at40.reason, "trail_shorter");
  assert.match(at40.verdict, /Cut/);
  await shoot("trail-checkpoints");
  assert.match(at40.text, /the trail has 35: the last 5 entries signed are missing/);
  assert.equal(at30.ok, true);
  assert.equal(await page.textContent("#t-cp-card"), "1 of 2 fail");
});

test("a line changed in place: mismatch, pointing at the chain's failure", async () => {
  assert.equal(await checkTrail(data.edited, "edited.jsonl"), "invalid");
  const r = await results();
  assert.deepEqual(r.map((c) => [c.ok, c.reason, c.line]), [[false, "trail_mismatch", 40], [false, "trail_mismatch", 30]]);
  assert.match(r[0].verdict, /Rewritten/);
  assert.match(r[0].text, /the chain's first failure is at line 13/);
});

test("a trail rewritten and chained again: the chain is intact, only the checkpoints show it", async () => {
  assert.equal(await checkTrail(data.rechained, "rechained.jsonl"), "invalid");
  assert.match(await page.textContent("#t-chain"), /^intact/);
  const r = await results();
  assert.deepEqual(r.map((c) => [c.ok, c.reason]), [[false, "trail_mismatch"], [false, "trail_mismatch"]]);
  assert.match(r[1].text, /only the checkpoint shows it/);
});

test("a verifier key that is not the log's: the signature problem, not compared with the trail", async () => {
  await setCheckpoints([["at-40.checkpoint", data.note40]], [data.other.verifierKey]);
  assert.equal(await checkTrail(data.lines), "invalid");
  const [c] = await results();
  assert.equal(c.ok, false);
  assert.equal(c.reason, "unknown_key");
  assert.match(c.verdict, /Signature/);
  assert.match(c.text, /Not compared with the trail: no signature from a given verifier key/);
  // With both keys, the log's signature is found.
  await page.fill("#t-keys", `${data.other.verifierKey}\n\n  ${data.key.verifierKey}  \n`);
  await page.click("#t-recheck");
  await page.waitForFunction(() => ["valid", "invalid", "error"].includes(document.querySelector("#t-status").dataset.state));
  assert.deepEqual((await results()).map((x) => x.ok), [true]);
});

test("two checkpoints of one size with different roots: two histories", async () => {
  // Pasted this time (the paste loses the note's final newline; the page restores it).
  await setCheckpoints([], [data.key.verifierKey]);
  await page.click("#t-cp-paste-box > summary");
  for (const note of [data.note30, data.note30b]) {
    await page.fill("#t-cp-paste", note.trimEnd());
    await page.click("#t-cp-add");
  }
  assert.equal(await page.locator("#t-cp-list .t-cp-item").count(), 2);
  assert.equal(await checkTrail(data.lines), "invalid");
  const r = await results();
  assert.deepEqual(r.map((c) => [c.ok, c.reason, c.label]), [[false, "two_histories", "pasted note 1"], [false, "two_histories", "pasted note 2"]]);
  assert.match(r[0].verdict, /Two histories/);
  assert.match(r[0].text, /signed two different trails/);
});

test("a malformed key or no key: the run is refused with the reason, the key never echoed", async () => {
  await setCheckpoints([["at-40.checkpoint", data.note40]], [data.key.verifierKey, "<b>not-a-key</b>"]);
  assert.equal(await checkTrail(data.lines), "error");
  const status = await page.textContent("#t-status");
  assert.match(status, /verifier key 2 is not a verifier key/);
  assert.doesNotMatch(status, /not-a-key/);
  await page.fill("#t-keys", "");
  await drop("#t-drop", [["trail.jsonl", data.lines.join("")]]);
  assert.equal(await page.getAttribute("#t-status", "data-state"), "error");
  assert.match(await page.textContent("#t-status"), /Add the log's verifier key/);
});

test("without checkpoints: the report says what a chain alone cannot show", async () => {
  await setCheckpoints([], []);
  assert.equal(await checkTrail(data.lines), "valid");
  assert.equal(await page.isVisible("#t-cp-none"), true);
  assert.equal(await page.locator("#t-checkpoints .t-checkpoint").count(), 0);
  assert.equal(await page.locator("#t-cp-card").count(), 0);
  assert.equal(await page.getAttribute("#t-tree", "data-size"), "40");
});

test("a line without an integrity block fails unless allowed by the checkbox", async () => {
  const plain = emit(1, { integrity: false });
  const trail = [...data.lines, ...plain];
  assert.equal(await checkTrail(trail), "invalid");
  const kinds = await page.$$eval("#t-failures .error-item", (b) => b.map((x) => [Number(x.dataset.line), x.dataset.kind]));
  assert.deepEqual(kinds, [[41, "unchained"]]);
  await page.check("#t-allow-unchained");
  await page.click("#t-recheck");
  await page.waitForFunction(() => ["valid", "invalid", "error"].includes(document.querySelector("#t-status").dataset.state));
  assert.equal(await page.getAttribute("#t-status", "data-state"), "valid");
  await page.uncheck("#t-allow-unchained");
});

test("text from notes and the trail is shown as text, never as HTML", async () => {
  const name = "<img src=x onerror=alert(1)>";
  const note = `${name}\n3\nAAAA\n\n— ${name} AAAAAAAA\n`;
  await setCheckpoints([[`${name}.checkpoint`, note]], [data.key.verifierKey]);
  assert.equal(await page.textContent("#t-cp-list .t-cp-label"), `${name}.checkpoint`);
  assert.equal(await page.textContent("#t-cp-list .t-cp-origin"), name);
  assert.equal(await checkTrail(data.lines), "invalid");
  const [c] = await results();
  assert.equal(c.label, `${name}.checkpoint`);
  assert.ok(["malformed_note", "malformed_checkpoint", "unknown_key"].includes(c.reason), c.reason);
  assert.equal(await page.locator("#panel-trail img").count(), 0);
});

/* ---------------------------------------------------------------- one event and its proof */

async function verifyOne() {
  await page.click("#t-proof-run");
  await page.waitForFunction(() => document.querySelector("#t-proof-status").dataset.state !== "running");
  return { state: await page.getAttribute("#t-proof-status", "data-state"), reason: await page.getAttribute("#t-proof-status", "data-reason"), text: await page.textContent("#t-proof-status") };
}

test("one event and its proof: verifies for its line, fails for another line and another key", async () => {
  await page.click("#t-proof-box > summary");
  await drop("#t-proof-drop", [["event-7.tlog-proof", data.proof6]]);
  await page.waitForFunction((p) => document.querySelector("#t-proof-text").value === p, data.proof6);
  await page.fill("#t-proof-entry", data.lines[6]); // with its "\n", as copied from the file
  await page.fill("#t-proof-keys", data.key.verifierKey);
  let r = await verifyOne();
  assert.equal(r.state, "valid", r.text);
  assert.equal(r.text, `✓ Verified: this line is entry 6 of the trail signed by ${ORIGIN} at size 40.`);
  assert.equal(await page.getAttribute("#t-proof-index", "data-value"), "6");
  assert.equal(await page.getAttribute("#t-proof-size", "data-value"), "40");
  await shoot("trail-proof");
  assert.equal(await page.textContent("#t-proof-origin"), ORIGIN);

  await page.fill("#t-proof-entry", data.entries[7]);
  r = await verifyOne();
  assert.equal(r.state, "invalid");
  assert.equal(r.reason, "root_mismatch");
  assert.match(r.text, /does not lead from this line to the checkpoint's root/);

  await page.fill("#t-proof-entry", data.entries[6]);
  await page.fill("#t-proof-keys", data.other.verifierKey);
  r = await verifyOne();
  assert.equal(r.state, "invalid");
  assert.equal(r.reason, "unknown_key");

  // One hash changed in the proof.
  await page.fill("#t-proof-keys", data.key.verifierKey);
  const lines = data.proof6.split("\n");
  lines[2] = `${lines[2][0] === "A" ? "B" : "A"}${lines[2].slice(1)}`;
  await page.fill("#t-proof-text", lines.join("\n"));
  r = await verifyOne();
  assert.equal(r.state, "invalid");
  assert.equal(r.reason, "root_mismatch");

  // Two lines pasted as the event: refused before verifying.
  await page.fill("#t-proof-text", data.proof6);
  await page.fill("#t-proof-entry", data.entries[6] + "\n" + data.entries[7]);
  r = await verifyOne();
  assert.equal(r.state, "error");
  assert.match(r.text, /one line/);
});

test("the proof panel falls back to the checkpoints box's keys; no console error, no request off the page", async () => {
  await page.fill("#t-proof-entry", data.entries[6]);
  await page.fill("#t-proof-keys", "");
  await page.fill("#t-keys", data.key.verifierKey);
  const r = await verifyOne();
  assert.equal(r.state, "valid", r.text);
  assert.equal(await page.textContent("#t-proof-keys-used"), "from the checkpoints box");
  await page.setViewportSize({ width: 360, height: 780 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than 360px`);
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.deepEqual(problems, []);
});
