// The playground: three views over the bh-audit-logger package, all in this page.
import { locatePointer, offsetOfLineColumn, lineColumnOf } from "./locate.mjs";
import { $, el } from "./dom.mjs";

let lib;
try {
  lib = await import("./pkg/src/bytes.mjs");
} catch (err) {
  $("boot").textContent = `Could not load the package (pkg/src, pkg/dist): ${err && err.message}. Build it with ./scripts/build-pkg.sh and serve with node scripts/serve-www.mjs.`;
  $("boot").classList.add("fatal");
  throw err;
}
const { validateEvent, sanitizeErrorMessage, AuditLogger, memorySink, SCHEMA_VERSIONS } = lib;
$("boot").hidden = true;
document.body.classList.add("ready");

/* ------------------------------------------------------------------ tabs */

const tabs = [...document.querySelectorAll('[role="tab"]')];
function selectTab(tab, { focus = false, updateHash = true } = {}) {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute("aria-selected", String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute("aria-controls")).hidden = !on;
  }
  if (focus) tab.focus();
  if (updateHash) history.replaceState(null, "", `#${tab.id.replace("tab-", "")}`);
}
for (const [i, tab] of tabs.entries()) {
  tab.addEventListener("click", () => selectTab(tab));
  tab.addEventListener("keydown", (e) => {
    let j = null;
    if (e.key === "ArrowRight") j = (i + 1) % tabs.length;
    else if (e.key === "ArrowLeft") j = (i - 1 + tabs.length) % tabs.length;
    else if (e.key === "Home") j = 0;
    else if (e.key === "End") j = tabs.length - 1;
    if (j !== null) {
      e.preventDefault();
      selectTab(tabs[j], { focus: true });
    }
  });
}
function tabFromHash() {
  const t = $(`tab-${location.hash.slice(1)}`);
  if (t && tabs.includes(t)) selectTab(t, { updateHash: false });
}
window.addEventListener("hashchange", tabFromHash);
tabFromHash();

/* -------------------------------------------------------------- validate */

const vText = $("v-text");
const vGutter = $("v-gutter");
const vVersion = $("v-version");
const vStatus = $("v-status");
const vTime = $("v-time");
const vErrors = $("v-errors");
for (const v of SCHEMA_VERSIONS) vVersion.append(el("option", { value: v, textContent: v }));

let gutterLines = 0;
let markedLine = 0;
function renderGutter(errorLine = 0) {
  const lines = vText.value.split("\n").length;
  if (lines === gutterLines && errorLine === markedLine) return;
  gutterLines = lines;
  markedLine = errorLine;
  const frag = document.createDocumentFragment();
  for (let n = 1; n <= lines; n++) frag.append(el("span", { class: n === errorLine ? "err" : "", textContent: `${n}\n` }));
  vGutter.replaceChildren(frag);
  vGutter.scrollTop = vText.scrollTop;
}
vText.addEventListener("scroll", () => {
  vGutter.scrollTop = vText.scrollTop;
});

function updateCaret() {
  const { line, column } = lineColumnOf(vText.value, vText.selectionStart);
  $("v-caret").textContent = `Line ${line}, column ${column}`;
}
vText.addEventListener("keyup", updateCaret);
vText.addEventListener("click", updateCaret);
vText.addEventListener("select", updateCaret);

function detectVersion(text) {
  try {
    const v = JSON.parse(text)?.schema_version;
    return typeof v === "string" ? v : null;
  } catch {
    return null;
  }
}

/**
 * Validate, then time repeated runs and report their median (robust to GC pauses and JIT
 * warm-up). The first call for a schema version also compiles that schema: it is timed apart.
 * A page's clock is coarse (100 µs steps without cross-origin isolation) and one call takes a
 * few µs, so each sample times a batch of calls long enough to span many clock steps.
 */
function timedValidate(text, options) {
  let t0 = performance.now();
  const result = validateEvent(text, options);
  const first = performance.now() - t0;
  if (first >= 50) return { result, micros: first * 1000, runs: 1, firstMicros: first * 1000 };
  const timeBatch = (n) => {
    const start = performance.now();
    for (let i = 0; i < n; i++) validateEvent(text, options);
    return performance.now() - start;
  };
  let batch = 1;
  while (batch < 1 << 16 && timeBatch(batch) < 2) batch *= 2;
  const samples = [];
  let total = 0;
  while ((total < 10 || samples.length < 5) && samples.length < 200) {
    const dt = timeBatch(batch);
    samples.push(dt / batch);
    total += dt;
  }
  samples.sort((a, b) => a - b);
  const median = samples[samples.length >> 1];
  return { result, micros: median * 1000, runs: samples.length * batch, firstMicros: first * 1000 };
}

/** Select `[start, end)` in the editor and scroll it into view. */
function selectInEditor(start, end) {
  vText.focus();
  vText.setSelectionRange(start, end);
  const { line } = lineColumnOf(vText.value, start);
  const lineHeight = parseFloat(getComputedStyle(vText).lineHeight) || 20;
  const top = (line - 1) * lineHeight;
  if (top < vText.scrollTop || top > vText.scrollTop + vText.clientHeight - 2 * lineHeight) {
    vText.scrollTop = Math.max(0, top - vText.clientHeight / 3);
  }
  updateCaret();
}

/** The text span an error points at: the value, its member name, or the syntax position. */
function spanOf(text, error) {
  if (error.keyword === "syntax") {
    const { offset } = offsetOfLineColumn(text, error.line ?? 1, error.column ?? 0);
    return [offset, Math.min(offset + 1, text.length)];
  }
  const loc = locatePointer(text, error.instancePath || "");
  if (error.keyword === "additionalProperties" || error.keyword === "unevaluatedProperties") {
    if (loc.found && loc.keyStart >= 0) return [loc.keyStart, loc.end];
  }
  if (loc.kind !== "scalar") {
    // A rule about an object or array (required, not, anyOf...): select its member name,
    // or the opening bracket at the top level.
    return loc.keyStart >= 0 ? [loc.keyStart, loc.keyEnd] : [loc.start, Math.min(loc.start + 1, text.length)];
  }
  return [loc.start, loc.end];
}

function syntaxDetail(error, text) {
  const { line, column } = offsetOfLineColumn(text, error.line ?? 1, error.column ?? 0);
  const reason = /:\s*(.+)$/.exec(error.message)?.[1] ?? error.message;
  return { line, column, reason };
}

function runValidation() {
  const text = vText.value;
  const choice = vVersion.value;
  const detected = detectVersion(text);
  $("v-detected").textContent = choice === "auto" ? (detected ? `→ ${detected}` : "") : detected && detected !== choice ? `(event says ${detected})` : "";
  let out;
  try {
    out = timedValidate(text, choice === "auto" ? undefined : { schemaVersion: choice });
  } catch (err) {
    vStatus.dataset.state = "invalid";
    vStatus.textContent = `Validation threw: ${err.message}`;
    return;
  }
  const { result, micros, runs, firstMicros } = out;
  const fmt = (us) => `${us < 10 ? us.toFixed(1) : Math.round(us)}\u202Fµs`;
  vTime.textContent = `validation: ${fmt(micros)}`;
  vTime.title = `validateEvent: median over ${runs} run${runs === 1 ? "" : "s"} (timed in batches) measured with performance.now(); first call ${fmt(firstMicros)} (includes compiling the schema the first time a version is used)`;
  vTime.dataset.micros = String(micros);
  const syntax = result.errors.find((e) => e.keyword === "syntax");
  let errorLine = 0;
  if (result.valid) {
    vStatus.dataset.state = "valid";
    vStatus.textContent = `✓ valid${choice === "auto" && detected ? ` (schema ${detected})` : choice !== "auto" ? ` (schema ${choice})` : ""}`;
  } else if (syntax) {
    const d = syntaxDetail(syntax, text);
    errorLine = d.line;
    vStatus.dataset.state = "syntax";
    vStatus.textContent = `✗ JSON syntax error at line ${d.line}, column ${d.column}`;
  } else {
    vStatus.dataset.state = "invalid";
    const n = result.errors.length;
    vStatus.textContent = `✗ invalid: ${n} error${n === 1 ? "" : "s"}`;
  }
  renderErrors(result.errors, text);
  renderGutter(errorLine);
}

function renderErrors(errors, text) {
  const items = errors.map((error, i) => {
    let body;
    if (error.keyword === "syntax") {
      const d = syntaxDetail(error, text);
      body = [
        el("span", { class: "path", textContent: `line ${d.line}, column ${d.column}` }),
        el("span", { class: "kw", textContent: "syntax" }),
        el("span", { class: "msg", textContent: d.reason }),
      ];
    } else {
      body = [
        el("code", { class: "path", textContent: error.instancePath || "/" }),
        el("span", { class: "kw", textContent: error.keyword }),
        el("span", { class: "msg", textContent: error.message }),
      ];
      if (error.rule) body.push(el("span", { class: "rule", textContent: error.rule }));
    }
    const button = el("button", { type: "button", class: "error-item", dataset: { index: String(i), path: error.instancePath, keyword: error.keyword } }, ...body);
    button.addEventListener("click", () => {
      const [start, end] = spanOf(vText.value, error);
      selectInEditor(start, end);
    });
    return el("li", {}, button);
  });
  vErrors.replaceChildren(...items);
  $("v-errors-hint").hidden = errors.length === 0;
}

let timer = 0;
function scheduleValidation() {
  clearTimeout(timer);
  vStatus.dataset.state = "pending";
  timer = setTimeout(runValidation, 150);
}
vText.addEventListener("input", () => {
  const loaded = $("v-loaded");
  if (loaded.textContent && !loaded.textContent.endsWith("(edited)")) loaded.textContent += " (edited)";
  renderGutter(markedLine);
  scheduleValidation();
});
vVersion.addEventListener("change", runValidation);

/* -------------------------------------------------------------- examples */

let currentExample = null;
async function loadExample(button, entry) {
  const res = await fetch(`examples/${entry.path}`);
  if (!res.ok) throw new Error(`examples/${entry.path}: HTTP ${res.status}`);
  vText.value = await res.text();
  vText.scrollTop = 0;
  vText.setSelectionRange(0, 0);
  if (currentExample) currentExample.removeAttribute("aria-current");
  button.setAttribute("aria-current", "true");
  currentExample = button;
  $("v-loaded").textContent = `— ${entry.path}`;
  if (matchMedia("(max-width: 900px)").matches) $("examples").open = false;
  renderGutter(0);
  updateCaret();
  runValidation();
}

async function initExamples() {
  const list = $("example-list");
  try {
    const res = await fetch("examples/index.json");
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const index = await res.json();
    const groups = index.versions.map((v) => {
      const group = el("div", { class: "ex-group" }, el("h3", { textContent: `Schema ${v.version}` }));
      for (const [kind, label] of [["positive", "valid"], ["negative", "negative (must fail)"]]) {
        if (v[kind].length === 0) continue;
        const ul = el("ul", { class: `ex-list ex-${kind}`, "aria-label": `Schema ${v.version} ${label} examples` });
        for (const entry of v[kind]) {
          const b = el("button", { type: "button", class: `ex ex-${kind}`, textContent: entry.title, title: entry.path, dataset: { path: entry.path } });
          b.addEventListener("click", () => loadExample(b, entry).catch((err) => showLoadError(err)));
          ul.append(el("li", {}, b));
        }
        group.append(el("h4", { textContent: label }), ul);
      }
      return group;
    });
    list.replaceChildren(...groups);
    // Start with a valid event in the editor.
    const first = list.querySelector('[data-path="1.1/patient_read_success.json"]') || list.querySelector(".ex-positive");
    if (first && !vText.value) first.click();
  } catch (err) {
    showLoadError(err);
  }
}
function showLoadError(err) {
  $("example-list").replaceChildren(el("p", { class: "fatal", textContent: `Could not load the examples: ${err.message}` }));
}
if (matchMedia("(max-width: 900px)").matches) $("examples").open = false;
renderGutter(0);
initExamples();

/* ----------------------------------------------------------------- build */

const DROP_RE = [
  [/^dropping metadata key not in the allowlist: '(.*)'$/s, "not in the allowlist"],
  [/^dropping metadata key '(.*)': value is an? (.+)$/s, null],
];
let logger = null;
let loggerKey = "";
let sink = null;

function parseMetadata(text) {
  const meta = {};
  const problems = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const eq = line.indexOf("=");
    if (eq <= 0) {
      problems.push(`line ${i + 1}: expected key=value`);
      return;
    }
    const key = line.slice(0, eq).trim();
    const rawValue = line.slice(eq + 1).trim();
    let value = rawValue;
    if (/^(-?\d|\[|\{|true$|false$|null$|")/.test(rawValue)) {
      try {
        value = JSON.parse(rawValue);
      } catch {
        value = rawValue;
      }
    }
    meta[key] = value;
  });
  return { meta, problems };
}

function loggerOptions() {
  const allow = $("b-allow").value.split(",").map((s) => s.trim()).filter(Boolean);
  return { metadataAllowlist: allow, schemaVersion: $("b-schema").value, redaction: $("b-redaction").value, agentEventDowngradeMode: $("b-downgrade").value };
}

let diagnostics = [];
function getLogger() {
  const opts = loggerOptions();
  const key = JSON.stringify(opts);
  if (!logger || key !== loggerKey) {
    sink = memorySink();
    logger = new AuditLogger({
      serviceName: "playground",
      sink,
      ...opts,
      onDiagnostic: (level, message) => diagnostics.push({ level, message }),
    });
    loggerKey = key;
    $("b-logger-note").textContent = `Logger created with metadataAllowlist [${opts.metadataAllowlist.map((k) => JSON.stringify(k)).join(", ")}], schemaVersion ${opts.schemaVersion}, redaction ${opts.redaction}. Counters reset when these change.`;
  }
  return logger;
}

function renderStats() {
  const dl = $("b-stats");
  const stats = logger
    ? logger.stats
    : { events_emitted_total: 0, emit_failures_total: 0, events_dropped_total: 0, validation_failures_total: 0, integrity_events_total: 0, chain_gaps_total: 0, validation_time_ms_total: 0 };
  if (typeof stats.validation_time_ms_total === "number") stats.validation_time_ms_total = Number(stats.validation_time_ms_total.toFixed(3));
  dl.replaceChildren(...Object.entries(stats).flatMap(([k, v]) => [el("dt", {}, el("code", { textContent: k })), el("dd", { textContent: String(v), dataset: { stat: k } })]));
}

function emitFromForm() {
  const val = (id) => $(id).value.trim();
  const { meta, problems } = parseMetadata($("b-metadata").value);
  const opts = {
    actor: { subject_id: val("b-actor-id"), subject_type: $("b-actor-type").value },
    resource: { type: val("b-res-type") },
    correlation: val("b-request") ? { request_id: val("b-request") } : undefined,
    metadata: Object.keys(meta).length ? meta : undefined,
    phiTouched: $("b-phi").checked,
    dataClassification: $("b-classification").value || undefined,
  };
  if (val("b-res-id")) opts.resource.id = val("b-res-id");
  if (val("b-res-patient")) opts.resource.patient_id = val("b-res-patient");
  const status = $("b-status").value;
  const errorText = $("b-error").value;
  if (status === "DENIED") {
    opts.outcome = { status: "DENIED", error_type: "AccessDenied" };
    if (errorText.trim()) opts.outcome.error_message = errorText;
  } else if (errorText.trim()) {
    opts.error = errorText;
  } else {
    opts.outcome = { status };
  }

  const agent = $("b-agent-on").checked;
  if (agent) {
    // Schema 2.x: the agent helper builds the agent actor and the delegation block.
    const descriptor = { interface: $("b-interface").value };
    for (const k of ["vendor", "model_family", "model_version", "harness"]) if (val(`b-${k}`)) descriptor[k] = val(`b-${k}`);
    Object.assign(opts, {
      agentSubjectId: val("b-agent-id"),
      agent: descriptor,
      authorizingSubjectId: val("b-authorizing"),
      agentSessionId: val("b-session"),
      delegationType: $("b-delegation").value,
      chainDepth: val("b-depth") ? Number(val("b-depth")) : undefined,
      parentAgentSessionId: val("b-parent") || undefined,
    });
    delete opts.actor;
  }
  if ($("b-level").value) {
    opts.attribution = { level: $("b-level").value };
    if (val("b-method")) opts.attribution.method = val("b-method");
  }

  diagnostics = [];
  const result = $("b-result");
  let event = null;
  $("b-validation").replaceChildren();
  try {
    event = agent ? getLogger().auditAgentAction($("b-action").value, opts) : getLogger().audit($("b-action").value, opts);
  } catch (err) {
    result.dataset.state = "invalid";
    result.textContent = `${err.name}: ${err.message}`;
    $("b-event").textContent = "";
    if (err.field) $("b-validation").replaceChildren(el("li", {}, el("code", { class: "path", textContent: err.field }), " ", el("span", { class: "rule", textContent: err.rule ?? "refused by the builder" })));
    renderDiagnostics(problems);
    renderStats();
    return;
  }
  if (event) {
    result.dataset.state = "valid";
    result.textContent = `✓ emitted (${sink.length} in the memory sink)`;
    $("b-event").textContent = JSON.stringify(event, null, 2);
    const check = validateEvent(event);
    $("b-validation").replaceChildren(
      check.valid
        ? el("li", { class: "hint", textContent: `valid against schema ${event.schema_version}` })
        : el("li", { textContent: `${check.errors.length} errors` }),
    );
  } else {
    result.dataset.state = "invalid";
    result.textContent = "✗ dropped: the event failed validation (see diagnostics)";
    $("b-event").textContent = "";
  }
  renderDiagnostics(problems);
  renderStats();
  if (matchMedia("(max-width: 900px)").matches) result.scrollIntoView({ block: "nearest" });
}

function renderDiagnostics(problems) {
  const dropped = [];
  const other = [];
  for (const d of diagnostics) {
    const m1 = DROP_RE[0][0].exec(d.message);
    const m2 = DROP_RE[1][0].exec(d.message);
    if (m1) dropped.push({ key: m1[1], why: "not in the allowlist" });
    else if (m2) dropped.push({ key: m2[1], why: `value is a${/^[aeiou]/.test(m2[2]) ? "n" : ""} ${m2[2]}` });
    else other.push(d);
  }
  for (const p of problems) other.push({ level: "input", message: p });
  $("b-dropped").replaceChildren(
    ...(dropped.length
      ? dropped.map((d) => el("li", { dataset: { key: d.key } }, el("code", { textContent: d.key }), ` — ${d.why}`))
      : [el("li", { class: "hint", textContent: "None: every metadata key was kept." })]),
  );
  $("b-diag").replaceChildren(
    ...(other.length
      ? other.map((d) => el("li", {}, el("span", { class: `lvl lvl-${d.level}`, textContent: d.level }), " ", d.message))
      : [el("li", { class: "hint", textContent: "None." })]),
  );
}

// An error text makes the outcome FAILURE: keep the status select in step with that.
$("b-error").addEventListener("input", () => {
  if ($("b-error").value.trim() && $("b-status").value === "SUCCESS") $("b-status").value = "FAILURE";
});
$("b-form").addEventListener("submit", (e) => {
  e.preventDefault();
  emitFromForm();
});
$("b-reset").addEventListener("click", () => {
  logger = null;
  getLogger();
  renderStats();
  $("b-result").dataset.state = "pending";
  $("b-result").textContent = "New logger: counters at zero.";
});
renderStats();

/* -------------------------------------------------------------- sanitize */

const KINDS = ["SSN", "EMAIL", "PHONE", "ID", "IP"];
const MARK_RE = /\[REDACTED-(SSN|EMAIL|PHONE|ID|IP)\]/g;

function renderRedacted(target, countTarget, text) {
  const nodes = [];
  const counts = Object.fromEntries(KINDS.map((k) => [k, 0]));
  let last = 0;
  for (const m of text.matchAll(MARK_RE)) {
    if (m.index > last) nodes.push(text.slice(last, m.index));
    nodes.push(el("mark", { class: `r r-${m[1].toLowerCase()}`, textContent: m[0], dataset: { kind: m[1] } }));
    counts[m[1]]++;
    last = m.index + m[0].length;
  }
  if (last < text.length) nodes.push(text.slice(last));
  target.replaceChildren(...nodes);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const parts = KINDS.filter((k) => counts[k]).map((k) => `${counts[k]} ${k}`);
  countTarget.textContent = total ? `(${total} redaction${total === 1 ? "" : "s"}: ${parts.join(", ")})` : "(no redactions)";
}

function runSanitize() {
  const text = $("s-text").value;
  const max = Number($("s-max").value);
  const maxLen = Number.isInteger(max) && max >= 0 ? max : 200;
  for (const [profile, id] of [["reference", "s-ref"], ["strict", "s-strict"]]) {
    try {
      renderRedacted($(id), $(`${id}-count`), sanitizeErrorMessage(text, maxLen, { redaction: profile }));
    } catch (err) {
      $(id).textContent = `${err.name}: ${err.message}`;
    }
  }
}
let sTimer = 0;
for (const id of ["s-text", "s-max"]) {
  $(id).addEventListener("input", () => {
    clearTimeout(sTimer);
    sTimer = setTimeout(runSanitize, 80);
  });
}
runSanitize();
