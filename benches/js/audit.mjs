// `logger.audit(...)` benchmark (Node.js) against (a) a plain-JS builder doing the same work by
// hand and (b) the Python reference bh-audit-logger 0.3.0; plus import-to-first-event time.
//   node benches/js/audit.mjs [--json] [--no-python] [--no-workerd]
// Env: BH_REF_PYTHON (default .venv-ref/bin/python), BENCH_RUNS, BENCH_SCALE.
import { spawnSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync, rmSync, mkdirSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { AuditLogger, memorySink } from "../../pkg/src/node.mjs";
import { ROOT, compare, fmtNs, table, loadSchema, median, RUNS, SCALE, CLOCK } from "./harness.mjs";

const args = new Set(process.argv.slice(2));
const PYTHON = process.env.BH_REF_PYTHON ?? join(ROOT, ".venv-ref", "bin", "python");

// ---- the two calls, alternated (same inputs as benches/js/audit_ref.py) -----------------------
class ValueError extends Error {}
const ALLOW = ["route", "record_count", "note", "cached"];
const READ = {
  actor: { subject_id: "user_123", subject_type: "human", org_id: "org_77", roles: ["clinician"] },
  resource: { type: "Patient", id: "pat_456", patient_id: "pat_456" },
  correlation: { request_id: "req_1" },
  metadata: { route: "/patients/{id}", record_count: 3, note: "x".repeat(300), cached: false },
  phiTouched: true,
  dataClassification: "PHI",
};
const UPDATE = {
  actor: { subject_id: "user_123", subject_type: "human" },
  resource: { type: "Note", id: "note_9" },
  error: new ValueError("lookup failed for 123-45-6789 (jane.doe@example.com, 555-123-4567, MRN 12345678901)"),
};

// ---- ours ----------------------------------------------------------------------------------------
const sink = memorySink({ maxlen: 16 });
const logger = new AuditLogger({
  serviceName: "bh-notes-api",
  serviceEnvironment: "prod",
  serviceVersion: "1.4.2",
  metadataAllowlist: ALLOW,
  sink,
  onDiagnostic: () => {},
});
const ours = (i) => (i & 1 ? logger.audit("UPDATE", UPDATE) : logger.audit("READ", READ));

// ---- (a) plain JS, by hand: what a user would write without the package --------------------------
// The reference's four patterns as JS regexes (no `u` flag, as a user would write them; note that
// JS \d and \b are ASCII-only while Python's are Unicode-aware).
const PATTERNS = [
  [/\b\d{3}-\d{2}-\d{4}\b/g, "[REDACTED-SSN]"],
  [/\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g, "[REDACTED-EMAIL]"],
  [/\b\d{3}[-.\s]?\d{3}[-.\s]?\d{4}\b/g, "[REDACTED-PHONE]"],
  [/\b\d{10,}\b/g, "[REDACTED-ID]"],
];
function sanitize(message, maxLen = 200) {
  let s = message.trim().replace(/\s+/g, " ");
  for (const [re, rep] of PATTERNS) s = s.replace(re, rep);
  if (s.length > maxLen) {
    const cps = Array.from(s);
    if (cps.length > maxLen) s = cps.slice(0, maxLen - 3).join("") + "...";
  }
  return s;
}
const allow = new Set(ALLOW);
function plainBuild(actionType, o) {
  const event = {
    schema_version: "1.1",
    event_id: crypto.randomUUID(),
    timestamp: new Date(Date.now()).toISOString(),
    service: { name: "bh-notes-api", environment: "prod", version: "1.4.2" },
  };
  event.actor = { subject_id: "unknown", subject_type: "service", ...o.actor };
  const action = { type: actionType };
  if (o.phiTouched !== undefined) action.phi_touched = o.phiTouched;
  action.data_classification = o.dataClassification ?? "UNKNOWN";
  event.action = action;
  event.resource = o.resource ? { ...o.resource } : { type: "unknown" };
  event.outcome = o.error
    ? { status: "FAILURE", error_type: o.error.constructor.name, error_message: sanitize(String(o.error.message)) }
    : { status: "SUCCESS" };
  if (o.correlation) event.correlation = { ...o.correlation };
  if (o.metadata) {
    const md = {};
    for (const [k, v] of Object.entries(o.metadata)) {
      if (!allow.has(k)) continue;
      const t = typeof v;
      if (v !== null && t !== "string" && t !== "number" && t !== "boolean") continue;
      if (t === "string" && v.length > 200) {
        const cps = Array.from(v);
        md[k] = cps.length > 200 ? cps.slice(0, 200).join("") + "..." : v;
      } else md[k] = v;
    }
    if (Object.keys(md).length) event.metadata = md;
  }
  return event;
}
const plainLines = [];
function plainEmit(line) {
  plainLines.push(line);
  if (plainLines.length > 16) plainLines.shift();
}
const plain = (i) => {
  const e = i & 1 ? plainBuild("UPDATE", UPDATE) : plainBuild("READ", READ);
  plainEmit(JSON.stringify(e));
  return e;
};
// (a') the same plus full schema validation with a precompiled Ajv (ours validates every event).
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv, ["uuid", "date-time", "ipv4", "ipv6"]);
const ajv11 = ajv.compile(loadSchema("1.1"));
const plainAjv = (i) => {
  const e = i & 1 ? plainBuild("UPDATE", UPDATE) : plainBuild("READ", READ);
  if (!ajv11(e)) return null;
  plainEmit(JSON.stringify(e));
  return e;
};

// Sanity: the hand-built event is the same as ours, apart from event_id and timestamp.
{
  const strip = (e) => JSON.stringify({ ...e, event_id: 0, timestamp: 0 });
  for (const i of [0, 1]) {
    const a = strip(ours(i));
    const b = strip(plain(i));
    if (a !== b) throw new Error(`plain-JS builder differs from logger.audit:\n${a}\n${b}`);
  }
  if (!ajv11(plain(0)) || !ajv11(plain(1))) throw new Error("plain-JS events fail the schema");
}

const timed = compare(
  [
    { name: "ours", fn: ours },
    { name: "plain", fn: plain },
    { name: "plainAjv", fn: plainAjv },
  ],
  20_000,
);
const nsOurs = timed.get("ours").median;
const nsPlain = timed.get("plain").median;
const nsPlainAjv = timed.get("plainAjv").median;

// ---- issue 12's call: destination vs function sink, with and without a dropped metadata key --------
// A READ with actor, resource, outcome, correlation and three metadata keys, one of them not on
// the allowlist (the allowlist's purpose, so the ordinary case), and the same call with all three
// allowed. Baseline: a plain-JS builder that writes the reference's line (JSON.stringify).
const ISSUE = {
  actor: { subject_id: "user_123", subject_type: "human", roles: ["clinician"] },
  resource: { type: "Patient", id: "pat_456" },
  outcome: { status: "SUCCESS" },
  correlation: { request_id: "req_1" },
  metadata: { route: "/patients/{id}", record_count: 3, client_hint: "x" },
  phiTouched: true,
  dataClassification: "PHI",
};
const ALLOW_DROP = ["route", "record_count"];
const ALLOW_KEEP = ["route", "record_count", "client_hint"];
const destLines = [];
const destination = {
  write(line) {
    destLines.push(line);
    if (destLines.length > 16) destLines.shift();
  },
};
const issueLogger = (allow, sink) =>
  new AuditLogger({ serviceName: "bh-notes-api", serviceEnvironment: "prod", serviceVersion: "1.4.2", metadataAllowlist: allow, sink, onDiagnostic: () => {} });
const L = {
  destDrop: issueLogger(ALLOW_DROP, destination),
  destKeep: issueLogger(ALLOW_KEEP, destination),
  fnDrop: issueLogger(ALLOW_DROP, memorySink({ maxlen: 16 })),
  fnKeep: issueLogger(ALLOW_KEEP, memorySink({ maxlen: 16 })),
};
function plainLine(allowSet, o) {
  const event = {
    schema_version: "1.1",
    event_id: crypto.randomUUID(),
    timestamp: new Date(Date.now()).toISOString(),
    service: { name: "bh-notes-api", environment: "prod", version: "1.4.2" },
    actor: { ...o.actor },
    action: { type: "READ", phi_touched: o.phiTouched, data_classification: o.dataClassification },
    resource: { ...o.resource },
    outcome: { ...o.outcome },
    correlation: { ...o.correlation },
  };
  const md = {};
  for (const [k, v] of Object.entries(o.metadata)) if (allowSet.has(k)) md[k] = v;
  event.metadata = md;
  destination.write(JSON.stringify(event) + "\n");
  return event;
}
const dropSet = new Set(ALLOW_DROP);
const keepSet = new Set(ALLOW_KEEP);
{
  // Sanity: the plain builder writes our line, apart from event_id and timestamp.
  const strip = (line) => line.replace(/"event_id":"[^"]*","timestamp":"[^"]*"/, "");
  L.destDrop.audit("READ", ISSUE);
  const ours = destLines.at(-1);
  plainLine(dropSet, ISSUE);
  if (strip(ours) !== strip(destLines.at(-1))) throw new Error(`plain line differs:\n${ours}\n${destLines.at(-1)}`);
}
const issueTimed = compare(
  [
    { name: "destDrop", fn: () => L.destDrop.audit("READ", ISSUE) },
    { name: "fnDrop", fn: () => L.fnDrop.audit("READ", ISSUE) },
    { name: "plainDrop", fn: () => plainLine(dropSet, ISSUE) },
    { name: "destKeep", fn: () => L.destKeep.audit("READ", ISSUE) },
    { name: "fnKeep", fn: () => L.fnKeep.audit("READ", ISSUE) },
    { name: "plainKeep", fn: () => plainLine(keepSet, ISSUE) },
    { name: "parseLine", fn: () => JSON.parse(destLines[0]) },
  ],
  20_000,
);
const issueNs = Object.fromEntries([...issueTimed].map(([k, v]) => [k, v.median]));
const issueRuns = Object.fromEntries([...issueTimed].map(([k, v]) => [k, v.runs]));

// ---- agent attribution: auditAgentAction vs audit() on a comparable call ------------------------
// The same 2.1 event both ways: the helper builds the agent actor and the delegation block; the
// comparable audit() call passes them ready-made. A human READ through audit() (no agent data)
// is shown too.
const agentLogger = new AuditLogger({ serviceName: "bh-mcp-gateway", schemaVersion: "2.1", sink: memorySink({ maxlen: 16 }), onDiagnostic: () => {} });
const AGENT_CALL = {
  agentSubjectId: "agent_cred_009",
  agent: { interface: "mcp", vendor: "vendor_a", model_family: "model_x", model_version: "x-3.1", harness: "mcp_gateway", harness_version: "0.4.2" },
  authorizingSubjectId: "user_123",
  agentSessionId: "agsess_01J9X0001",
  delegationType: "supervised",
  authorizingOrgId: "org_77",
  actingSubjectId: "agent_inst_4471",
  chainDepth: 1,
  resource: { type: "Patient", id: "pat_456", patient_id: "pat_456" },
  correlation: { request_id: "req_agent_mcp_001" },
  phiTouched: true,
  dataClassification: "PHI",
  attribution: { level: "verified", method: "id_jag" },
};
const COMPARABLE = {
  actor: { subject_id: "agent_cred_009", subject_type: "agent" },
  delegation: {
    acting: { subject_id: "agent_inst_4471", subject_type: "agent", agent: AGENT_CALL.agent },
    authorizing: { subject_id: "user_123", subject_type: "human", org_id: "org_77" },
    delegation_type: "supervised",
    agent_session_id: "agsess_01J9X0001",
    chain_depth: 1,
  },
  resource: AGENT_CALL.resource,
  correlation: AGENT_CALL.correlation,
  phiTouched: true,
  dataClassification: "PHI",
  attribution: AGENT_CALL.attribution,
};
const HUMAN_READ = { actor: { subject_id: "user_123", subject_type: "human", org_id: "org_77" }, resource: AGENT_CALL.resource, correlation: AGENT_CALL.correlation, phiTouched: true, dataClassification: "PHI" };
{
  const strip = (e) => JSON.stringify({ ...e, event_id: 0, timestamp: 0 });
  const a = strip(agentLogger.auditAgentAction("READ", AGENT_CALL));
  const b = strip(agentLogger.audit("READ", COMPARABLE));
  if (a !== b) throw new Error(`auditAgentAction and the comparable audit() differ:\n${a}\n${b}`);
}
const agentTimed = compare(
  [
    { name: "agent", fn: () => agentLogger.auditAgentAction("READ", AGENT_CALL) },
    { name: "comparable", fn: () => agentLogger.audit("READ", COMPARABLE) },
    { name: "human", fn: () => agentLogger.audit("READ", HUMAN_READ) },
  ],
  20_000,
);
const nsAgent = agentTimed.get("agent").median;
const nsComparable = agentTimed.get("comparable").median;
const nsHuman = agentTimed.get("human").median;

// ---- (b) Python reference --------------------------------------------------------------------------
let py = null;
if (!args.has("--no-python")) {
  if (existsSync(PYTHON)) {
    const r = spawnSync(PYTHON, [join(ROOT, "benches", "js", "audit_ref.py"), String(Math.max(1000, Math.round(20000 * SCALE)))], { encoding: "utf8" });
    if (r.status === 0) py = JSON.parse(r.stdout.trim().split("\n").pop());
    else console.error(`python reference failed: ${r.stderr}`);
    for (const scenario of ["issue_drop", "issue_keep"]) {
      const q = spawnSync(PYTHON, [join(ROOT, "benches", "js", "audit_ref.py"), String(Math.max(1000, Math.round(20000 * SCALE))), scenario], { encoding: "utf8" });
      if (q.status === 0 && py) py[scenario] = JSON.parse(q.stdout.trim().split("\n").pop()).us_per_event * 1000;
    }
  } else {
    console.error(`python reference not found at ${PYTHON} (set BH_REF_PYTHON, or run scripts/bench-js.sh)`);
  }
}

// ---- import to first event ----------------------------------------------------------------------
// Node: a fresh process imports pkg/src/node.mjs, builds a logger and emits one event; inside it,
// performance.now() is measured from the process's time origin (process start).
const nodeUrl = pathToFileURL(join(ROOT, "pkg", "src", "node.mjs")).href;
const nodeScript = `
const t0 = performance.now();
const m = await import(${JSON.stringify(nodeUrl)});
const sink = m.memorySink({ maxlen: 1 });
const logger = new m.AuditLogger({ serviceName: "bh-notes-api", sink });
const ev = logger.audit("READ", { actor: { subject_id: "user_123", subject_type: "human" }, resource: { type: "Patient", id: "pat_456" } });
const t1 = performance.now();
if (!ev) process.exit(2);
console.log(JSON.stringify({ fromProcessStart: t1, importToFirstEvent: t1 - t0 }));
`;
const STARTS = 5;
const nodeStarts = [];
for (let i = 0; i < STARTS; i++) {
  const t = performance.now();
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", nodeScript], { encoding: "utf8" });
  const wall = performance.now() - t;
  if (r.status !== 0) throw new Error(`node startup probe failed: ${r.stderr}`);
  nodeStarts.push({ ...JSON.parse(r.stdout), wall });
}
const pyStarts = [];
if (py && existsSync(PYTHON)) {
  const pyScript = [
    "import time; t0 = time.perf_counter()",
    "from bh_audit_logger import AuditLogger, AuditLoggerConfig",
    "from bh_audit_logger.sinks.memory import MemorySink",
    "l = AuditLogger(AuditLoggerConfig(service_name='bh-notes-api'), sink=MemorySink(maxlen=1))",
    "e = l.audit('READ', actor={'subject_id': 'user_123', 'subject_type': 'human'}, resource={'type': 'Patient', 'id': 'pat_456'})",
    "print((time.perf_counter() - t0) * 1000)",
  ].join("\n");
  for (let i = 0; i < STARTS; i++) {
    const t = performance.now();
    const r = spawnSync(PYTHON, ["-c", pyScript], { encoding: "utf8" });
    const wall = performance.now() - t;
    if (r.status === 0) pyStarts.push({ importToFirstEvent: Number(r.stdout.trim()), wall });
  }
}

// workerd (optional): serve a worker that imports pkg/src/workerd.mjs; time from spawn to the first
// successful response (includes workerd start, wasm compile and the first event).
async function workerdFirstRequest() {
  const bin = join(ROOT, "node_modules", ".bin", "workerd");
  if (!existsSync(bin)) return null;
  const dir = mkdtempSync(join(tmpdir(), "bh-bench-workerd-"));
  try {
    const port = 18000 + Math.floor(Math.random() * 2000);
    writeFileSync(
      join(dir, "worker.mjs"),
      `import { AuditLogger, memorySink } from "./pkg/src/workerd.mjs";
export default {
  async fetch() {
    const t0 = Date.now();
    const logger = new AuditLogger({ serviceName: "bh-notes-api", sink: memorySink({ maxlen: 1 }) });
    const ev = logger.audit("READ", { actor: { subject_id: "user_123", subject_type: "human" }, resource: { type: "Patient", id: "pat_456" } });
    return new Response(JSON.stringify({ ok: !!ev }));
  },
};
`,
    );
    // capnp `embed` paths are relative to the config file: copy the package files next to it.
    const files = ["pkg/src/workerd.mjs", "pkg/src/facade.js", "pkg/src/memory.js", "pkg/dist/glue.js", "pkg/dist/glue_bg.wasm"];
    for (const f of files) {
      mkdirSync(join(dir, f, ".."), { recursive: true });
      copyFileSync(join(ROOT, f), join(dir, f));
    }
    const rel = (p) => JSON.stringify(p);
    writeFileSync(
      join(dir, "config.capnp"),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .w) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const w :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed "worker.mjs"),
    (name = "pkg/src/workerd.mjs", esModule = embed ${rel("pkg/src/workerd.mjs")}),
    (name = "pkg/src/facade.js", esModule = embed ${rel("pkg/src/facade.js")}),
    (name = "pkg/src/memory.js", esModule = embed ${rel("pkg/src/memory.js")}),
    (name = "pkg/dist/glue.js", esModule = embed ${rel("pkg/dist/glue.js")}),
    (name = "pkg/dist/glue_bg.wasm", wasm = embed ${rel("pkg/dist/glue_bg.wasm")}),
  ],
  compatibilityDate = "2025-01-01",
);
`,
    );
    const t0 = performance.now();
    const child = spawn(bin, ["serve", join(dir, "config.capnp")], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    let exited = false;
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", () => (exited = true));
    try {
      for (;;) {
        if (exited) throw new Error(`workerd exited: ${stderr}`);
        if (performance.now() - t0 > 20000) throw new Error(`workerd did not answer within 20 s: ${stderr}`);
        try {
          const res = await fetch(`http://127.0.0.1:${port}/`);
          const body = await res.json();
          const first = performance.now() - t0;
          if (!body.ok) throw new Error("the worker dropped its event");
          const t1 = performance.now();
          await (await fetch(`http://127.0.0.1:${port}/`)).text();
          return { spawnToFirstResponse: first, secondRequest: performance.now() - t1 };
        } catch (e) {
          if (e.message.includes("dropped")) throw e;
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    } finally {
      child.kill("SIGTERM");
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
let workerd = null;
if (!args.has("--no-workerd")) {
  try {
    const probes = [];
    for (let i = 0; i < 3; i++) probes.push(await workerdFirstRequest());
    if (probes.every(Boolean)) workerd = { spawnToFirstResponse: median(probes.map((p) => p.spawnToFirstResponse)), secondRequest: median(probes.map((p) => p.secondRequest)) };
  } catch (e) {
    console.error(`workerd probe skipped: ${e.message}`);
  }
}

// ---- report ---------------------------------------------------------------------------------------
const med = (xs, k) => median(xs.map((x) => x[k]));
const pyObj = py;
const out = {
  node: process.version,
  audit_ns: { ours: nsOurs, plain: nsPlain, plainAjv: nsPlainAjv, python: py ? py.us_per_event * 1000 : null },
  agent_ns: { auditAgentAction: nsAgent, comparableAudit: nsComparable, humanRead: nsHuman, ratio: nsAgent / nsComparable },
  issue_ns: { ...issueNs, pythonDrop: py?.issue_drop ?? null, pythonKeep: py?.issue_keep ?? null },
  issue_runs: issueRuns,
  startup_ms: {
    node_import_to_first_event: med(nodeStarts, "importToFirstEvent"),
    node_process_start_to_first_event: med(nodeStarts, "fromProcessStart"),
    node_spawn_wall: med(nodeStarts, "wall"),
    python_import_to_first_event: pyStarts.length ? med(pyStarts, "importToFirstEvent") : null,
    python_spawn_wall: pyStarts.length ? med(pyStarts, "wall") : null,
    workerd_spawn_to_first_response: workerd?.spawnToFirstResponse ?? null,
    workerd_second_request: workerd?.secondRequest ?? null,
  },
};
if (args.has("--json")) {
  console.log(JSON.stringify(out));
} else {
  const rows = [
    ["`logger.audit()` (wasm core, memorySink)", fmtNs(nsOurs), "1.00x"],
    ["plain JS by hand (no validation) + JSON.stringify", fmtNs(nsPlain), `${(nsPlain / nsOurs).toFixed(2)}x`],
    ["plain JS by hand + Ajv validation + JSON.stringify", fmtNs(nsPlainAjv), `${(nsPlainAjv / nsOurs).toFixed(2)}x`],
  ];
  if (py) rows.push([`Python reference ${py.version} (CPython ${py.python}, MemorySink)`, fmtNs(py.us_per_event * 1000), `${((py.us_per_event * 1000) / nsOurs).toFixed(2)}x`]);
  console.log(`### audit() per event (Node ${process.version}, median of ${RUNS} runs, ${CLOCK === "cpu" ? "process CPU time" : "wall-clock"}; READ with metadata and UPDATE with a sanitized error, alternated; relative = time / ours)\n`);
  console.log(table(["implementation", "per event", "relative"], rows));
  {
    const n = issueNs;
    const x = (a, b) => `${(a / b).toFixed(2)}x`;
    const range = (k) => {
      const r = issueRuns[k];
      return `${fmtNs(Math.min(...r))}–${fmtNs(Math.max(...r))}`;
    };
    const rows = [];
    for (const [label, d, f, p, py] of [
      ["one metadata key dropped", "destDrop", "fnDrop", "plainDrop", "issue_drop"],
      ["no key dropped", "destKeep", "fnKeep", "plainKeep", "issue_keep"],
    ]) {
      const pyNs = pyObj?.[py] ?? null;
      rows.push([`${label}: audit(), destination`, fmtNs(n[d]), range(d), x(n[d], n[p]), pyNs ? x(pyNs, n[d]) : "n/a"]);
      rows.push([`${label}: audit(), function sink`, fmtNs(n[f]), range(f), x(n[f], n[p]), pyNs ? x(pyNs, n[f]) : "n/a"]);
      rows.push([`${label}: plain-JS builder writing the line`, fmtNs(n[p]), range(p), "1.00x", pyNs ? x(pyNs, n[p]) : "n/a"]);
      if (pyNs) rows.push([`${label}: Python reference 0.3.0 (logging off)`, fmtNs(pyNs), "", x(pyNs, n[p]), "1.00x"]);
    }
    rows.push(["JSON.parse of the line (what a function sink and audit()'s return value cost)", fmtNs(n.parseLine), range("parseLine"), "", ""]);
    console.log(`\n### Issue 12's call: a READ with actor, resource, outcome, correlation, three metadata keys (median of ${RUNS} runs; range = fastest–slowest run)\n`);
    console.log(table(["call", "per event", "runs", "÷ plain JS", "Python ÷ this"], rows));
  }
  console.log(`\n### auditAgentAction per event (schema 2.1, the same event both ways; relative = time / comparable audit())\n`);
  console.log(
    table(
      ["call", "per event", "relative"],
      [
        ["`auditAgentAction(\"READ\", {...})`", fmtNs(nsAgent), `${(nsAgent / nsComparable).toFixed(2)}x`],
        ["`audit(\"READ\", { actor, delegation, attribution, ... })` (comparable)", fmtNs(nsComparable), "1.00x"],
        ["`audit(\"READ\", {...})` by a human, no agent data", fmtNs(nsHuman), `${(nsHuman / nsComparable).toFixed(2)}x`],
      ],
    ),
  );
  const s = out.startup_ms;
  const ms = (x) => (x === null ? "n/a" : `${x.toFixed(1)} ms`);
  console.log(`\n### Import to first event (median of ${STARTS} fresh processes)\n`);
  const srows = [["Node: `import` pkg/src/node.mjs + new AuditLogger + first audit()", ms(s.node_import_to_first_event), ms(s.node_process_start_to_first_event), ms(s.node_spawn_wall)]];
  if (pyStarts.length) srows.push(["Python reference: import + AuditLogger + first audit()", ms(s.python_import_to_first_event), "n/a", ms(s.python_spawn_wall)]);
  if (workerd) srows.push(["workerd: spawn to first response (worker imports pkg/src/workerd.mjs, emits one event)", "n/a", ms(s.workerd_spawn_to_first_response), `second request ${ms(s.workerd_second_request)}`]);
  console.log(table(["runtime", "import → first event", "process start → first event", "spawn → exit (wall)"], srows));
}
