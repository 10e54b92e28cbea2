// The Trail tab: drop, pick or paste a JSONL audit trail; a module worker (trail-worker.js)
// streams it through the package's TrailReport (every line validated, the chain verified);
// this page shows progress, the summary, a chart of events per hour by outcome (plain SVG),
// and the failures by line, each opening that line in an editor view. Signed checkpoints and
// verifier keys given beside the trail go to the worker with it, and one event's tlog-proof is
// checked there too (trail-tlog.js). Nothing leaves the page.
import { locatePointer } from "./locate.mjs";
import { $, el } from "./dom.mjs";
import { initTlog, tlogOptions, renderTree, checkpointsCard } from "./trail-tlog.js";

const SVG = "http://www.w3.org/2000/svg";
const VERSIONS = ["1.0", "1.1", "2.0", "2.1"];
const OUTCOMES = ["success", "failure", "denied", "other"];
const fmt = (n) => Number(n).toLocaleString("en-US");
const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

for (const v of VERSIONS) $("t-version").append(el("option", { value: v, textContent: v }));

/* ---------------------------------------------------------------- worker */

let worker = null;
let jobId = 0;
let source = null; // the Blob being checked (File or pasted text), kept for the line view
let sourceLabel = "";
let runLabels = []; // the checkpoints' names as sent with the run being drawn
const pending = new Map(); // line and proof requests: id -> resolve

function startWorker() {
  worker = new Worker(new URL("./trail-worker.js", import.meta.url), { type: "module" });
  worker.addEventListener("message", onMessage);
  worker.addEventListener("error", (e) => {
    e.preventDefault();
    setStatus("error", "The worker could not run the package (pkg/src, pkg/dist). Build it with ./scripts/build-pkg.sh.");
    dropPending("the worker could not run the package");
    finishRun();
  });
}

/** Answer every request still waiting (the worker is gone). */
function dropPending(message) {
  for (const resolve of pending.values()) resolve({ type: "error", message });
  pending.clear();
}

function setStatus(state, text) {
  const s = $("t-status");
  s.dataset.state = state;
  s.textContent = text;
}

function finishRun() {
  $("t-cancel").hidden = true;
  $("t-progress").hidden = true;
}

let started = 0;
function onMessage(e) {
  const msg = e.data;
  if (pending.has(msg.id)) {
    // A line or a proof (or the error it ended in).
    pending.get(msg.id)(msg);
    pending.delete(msg.id);
    return;
  }
  if (msg.id !== jobId) return; // a cancelled run
  if (msg.type === "progress") {
    const p = $("t-progress");
    p.max = Math.max(msg.total, 1);
    p.value = msg.bytes;
    p.dataset.updates = String(Number(p.dataset.updates || 0) + 1);
    const secs = (performance.now() - started) / 1000;
    const rate = msg.bytes / Math.max(secs, 0.001);
    const eta = rate > 0 ? Math.ceil((msg.total - msg.bytes) / rate) : 0;
    setStatus("running", `Checking… ${mb(msg.bytes)} of ${mb(msg.total)} (${Math.floor((msg.bytes / Math.max(msg.total, 1)) * 100)}%), ${fmt(msg.events)} events, ${mb(rate)}/s${msg.bytes < msg.total ? `, about ${eta} s left` : ""}`);
  } else if (msg.type === "done") {
    finishRun();
    render(msg.summary, msg.ms);
  } else if (msg.type === "error") {
    finishRun();
    setStatus("error", msg.badKey !== undefined ? `Could not check the trail: ${msg.message}.` : `Could not read the trail: ${msg.message}`);
  }
}

function check(blob, label) {
  const tlog = tlogOptions();
  if (tlog.problem) {
    setStatus("error", tlog.problem);
    return;
  }
  if (!worker) startWorker();
  source = blob;
  sourceLabel = label;
  runLabels = tlog.labels;
  jobId += 1;
  started = performance.now();
  const p = $("t-progress");
  p.hidden = false;
  p.value = 0;
  p.max = Math.max(blob.size, 1);
  p.dataset.updates = "0";
  $("t-cancel").hidden = false;
  $("t-result").hidden = true;
  $("t-line").hidden = true;
  $("t-status").dataset.label = label;
  setStatus("running", `Checking ${label}…`);
  $("t-recheck").hidden = false;
  worker.postMessage({ type: "run", id: jobId, source: blob, schemaVersion: $("t-version").value, checkpoints: tlog.checkpoints, verifierKeys: tlog.verifierKeys, allowUnchained: tlog.allowUnchained });
}

$("t-cancel").addEventListener("click", () => {
  worker?.terminate();
  worker = null;
  jobId += 1;
  dropPending("cancelled");
  finishRun();
  setStatus("idle", "Cancelled.");
});

let askId = 0;
/** Send `message` to the worker; a Promise of its answer (or of the error it ended in). */
function ask(message) {
  if (!worker) startWorker();
  const id = `ask-${++askId}`;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    worker.postMessage({ ...message, id });
  });
}
const requestLine = (line) => ask({ type: "line", source, line });

initTlog({ ask, recheck: () => source && check(source, sourceLabel) });

/* ---------------------------------------------------------------- input */

const drop = $("t-drop");
const describe = (file) => `${file.name ? "the file" : "the trail"} (${mb(file.size)})`;
$("t-file").addEventListener("change", (e) => {
  const file = e.target.files?.[0];
  if (file) check(file, describe(file));
});
for (const ev of ["dragenter", "dragover"]) {
  drop.addEventListener(ev, (e) => {
    e.preventDefault();
    drop.dataset.over = "true";
  });
}
drop.addEventListener("dragleave", () => (drop.dataset.over = "false"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.dataset.over = "false";
  const file = e.dataTransfer?.files?.[0];
  if (file) check(file, describe(file));
});
$("t-paste-run").addEventListener("click", () => {
  const text = $("t-paste").value;
  check(new Blob([text], { type: "text/plain" }), "the pasted lines");
});

/* ---------------------------------------------------------------- summary */

function card(label, value, id, state, cls = "t-card") {
  return el("div", { class: cls }, el("dt", { textContent: label }), el("dd", { id, textContent: value, dataset: { value: String(value), ...(state ? { state } : {}) } }));
}

function table(caption, counts, id) {
  const rows = Object.entries(counts);
  return el(
    "table",
    { class: "t-table", id },
    el("caption", { textContent: caption }),
    el("tbody", {}, ...(rows.length ? rows : [["none", 0]]).map(([k, v]) => el("tr", { dataset: { key: k } }, el("th", { scope: "row", textContent: k }), el("td", { textContent: fmt(v) })))),
  );
}

function render(s, ms) {
  const chainFailures = s.chain ? s.chain.failures.length + s.chain.failures_omitted : 0;
  // The chain's own verdict: its `ok` also counts the checkpoints, which have their own card.
  const chainOk = s.chain && chainFailures === 0;
  // An unreadable line ends chain verification (lines after it are validated only).
  const stop = s.chain?.failures.find((f) => ["invalid_json", "malformed", "line_too_long"].includes(f.kind));
  const label = $("t-status").dataset.label || "the trail";
  const cps = s.checkpoints ?? [];
  const cpBad = cps.filter((c) => !c.ok).length;
  const cpNote = cps.length ? (cpBad ? `; ${cpBad === 1 ? "1 checkpoint does" : `${fmt(cpBad)} checkpoints do`} not match` : `; ${cps.length === 1 ? "the checkpoint matches" : `all ${fmt(cps.length)} checkpoints match`}`) : "";
  setStatus(s.ok ? "valid" : "invalid", `${s.ok ? "✓ Passed" : "✗ Failed"}: ${label}, ${fmt(s.events)} events in ${(ms / 1000).toFixed(1)} s${cpNote}`);
  const cards = $("t-cards");
  cards.replaceChildren(
    card("Events", fmt(s.events), "t-events"),
    card("Valid", fmt(s.valid), "t-valid"),
    card("Invalid", fmt(s.invalid), "t-invalid", s.invalid ? "bad" : "ok"),
    card("Chain", s.chain ? (chainOk ? `intact (${fmt(s.chain.chain_length)} chained)` : `${fmt(chainFailures)} failures${stop ? `, stopped at line ${fmt(stop.line)}` : ""}`) : "not checked", "t-chain", chainOk ? "ok" : "bad"),
    card("Denials", fmt(s.denials), "t-denials"),
    card("PHI touched", fmt(s.phi_touched), "t-phi"),
    card("Agent-delegated", fmt(s.agent_delegated), "t-agent"),
    checkpointsCard(s, card),
    card("Time range (UTC)", s.first_timestamp ? `${s.first_timestamp} – ${s.last_timestamp}` : "none", "t-range", undefined, "t-card wide"),
  );
  if (s.first_timestamp) {
    // Each instant kept on one line (browsers break after hyphens).
    $("t-range").replaceChildren(el("span", { class: "nowrap", textContent: s.first_timestamp }), " – ", el("span", { class: "nowrap", textContent: s.last_timestamp }));
  }
  $("t-events").dataset.value = String(s.events);
  $("t-invalid").dataset.value = String(s.invalid);
  $("t-tables").replaceChildren(
    table("Actions", s.by_action, "t-by-action"),
    table("Outcomes", s.by_outcome, "t-by-outcome"),
    table("Actor types", s.by_actor_type, "t-by-actor"),
    table("Schema versions", s.schema_versions, "t-by-version"),
  );
  renderTree(s, runLabels);
  renderChart(s.hourly);
  renderFailures(s);
  $("t-result").hidden = false;
}

let lastHourly = null;
let chartWidth = 0;
new ResizeObserver(() => {
  const w = Math.round($("t-chart").clientWidth);
  if (lastHourly && w && Math.abs(w - chartWidth) > 8) renderChart(lastHourly);
}).observe($("t-chart"));

function renderChart(hourly) {
  lastHourly = hourly;
  const buckets = hourly.buckets;
  const box = $("t-chart");
  $("t-chart-caption").textContent = `Events per ${hourly.bucket_hours === 1 ? "hour" : `${hourly.bucket_hours} hours`} by outcome (UTC)`;
  if (!buckets.length) {
    box.replaceChildren(el("p", { class: "hint", textContent: "No valid timestamps." }));
    return;
  }
  // Drawn at the box's width, so labels keep their size on a phone.
  chartWidth = Math.round(box.clientWidth) || 800;
  const W = Math.max(chartWidth, 280);
  const H = W < 500 ? 180 : 220;
  const pad = { l: 52, r: 8, t: 8, b: 34 };
  const max = Math.max(...buckets.map(([, ...c]) => c.reduce((a, b) => a + b, 0)));
  // Hours with no events are gaps on the time axis.
  const step = hourly.bucket_hours * 3600e3;
  const t0 = Date.parse(buckets[0][0]);
  const span = Math.round((Date.parse(buckets[buckets.length - 1][0]) - t0) / step) + 1;
  const bw = (W - pad.l - pad.r) / span;
  const y = (v) => H - pad.b - (v / max) * (H - pad.t - pad.b);
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": `Bar chart: events per bucket by outcome, ${buckets.length} buckets, at most ${max} events`, class: "t-svg" });
  root.append(svg("line", { x1: pad.l, x2: W - pad.r, y1: H - pad.b, y2: H - pad.b, class: "axis" }));
  for (const v of [0, max / 2, max]) {
    root.append(svg("text", { x: pad.l - 6, y: y(v) + 4, "text-anchor": "end", class: "tick" }, fmt(Math.round(v))));
    root.append(svg("line", { x1: pad.l, x2: W - pad.r, y1: y(v), y2: y(v), class: "grid" }));
  }
  for (const [start, ...c] of buckets) {
    const i = Math.round((Date.parse(start) - t0) / step);
    let acc = 0;
    const g = svg("g", { class: "bar" });
    g.append(svg("title", {}, `${start}: ${OUTCOMES.map((o, k) => `${o.toUpperCase()} ${c[k]}`).join(", ")}`));
    c.forEach((v, k) => {
      if (!v) return;
      g.append(svg("rect", { x: pad.l + i * bw, width: Math.max(bw * 0.85, 0.5), y: y(acc + v), height: Math.max(y(acc) - y(acc + v), 0.5), class: `bar-${OUTCOMES[k]}` }));
      acc += v;
    });
    root.append(g);
  }
  const last = new Date(t0 + (span - 1) * step).toISOString();
  root.append(svg("text", { x: pad.l, y: H - 12, class: "tick" }, buckets[0][0].slice(0, 16).replace("T", " ")));
  root.append(svg("text", { x: W - pad.r, y: H - 12, "text-anchor": "end", class: "tick" }, last.slice(0, 16).replace("T", " ")));
  box.replaceChildren(root);
  box.dataset.buckets = String(buckets.length);
}

function renderFailures(s) {
  const list = $("t-failures");
  $("t-failures-count").textContent = s.failures_total ? `(${fmt(s.failures_total)}${s.failures_total > s.failures.length ? `, first ${fmt(s.failures.length)} listed` : ""})` : "(none)";
  list.replaceChildren(
    ...s.failures.map((f, i) => {
      const b = el(
        "button",
        { type: "button", class: "error-item", dataset: { line: String(f.line), kind: f.kind, path: f.path, index: String(i) } },
        el("span", { class: "path", textContent: `line ${fmt(f.line)}${f.path ? ` ${f.path}` : ""}` }),
        el("span", { class: "kw", textContent: f.keyword ? `${f.kind}: ${f.keyword}` : f.kind }),
        el("span", { class: "msg", textContent: f.message }),
      );
      b.addEventListener("click", () => openLine(f));
      return el("li", {}, b);
    }),
  );
  $("t-failures-hint").hidden = s.failures.length === 0;
}

async function openLine(f) {
  const view = $("t-line");
  $("t-line-no").textContent = fmt(f.line);
  $("t-line-why").textContent = `${f.kind}${f.keyword ? ` (${f.keyword})` : ""}${f.path ? ` at ${f.path}` : ""}: ${f.message}`;
  const area = $("t-line-text");
  area.value = "Reading the line…";
  view.hidden = false;
  const msg = await requestLine(f.line);
  let text = msg.text;
  try {
    text = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // not JSON: shown as it is
  }
  area.value = msg.truncated ? `${text}\n… (line cut at 1 MiB)` : text;
  view.dataset.line = String(f.line);
  view.scrollIntoView({ block: "nearest" });
  area.focus();
  // Select the failing field when the path leads to one (`*` segments do not).
  if (f.path && !f.path.includes("*")) {
    const loc = locatePointer(area.value, f.path);
    if (loc.found) area.setSelectionRange(loc.keyStart >= 0 ? loc.keyStart : loc.start, loc.end);
  }
}

$("t-line-validate").addEventListener("click", () => {
  const editor = $("v-text");
  editor.value = $("t-line-text").value;
  editor.dispatchEvent(new Event("input", { bubbles: true }));
  $("tab-validate").click();
  editor.focus();
});
