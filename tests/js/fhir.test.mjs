// toFhirAuditEvent (the package's FHIR R5 export) and the CLI's `bh-audit fhir` subcommand.
// The mapping itself is pinned row by row in tests/fhir_mapping.rs and validated as R5 in
// tests/fhir_r5.rs; here: the JS surface, hostile inputs, and the CLI's streaming, exit codes
// and stderr (line numbers, paths and rules only: never a value or a control character).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = join(ROOT, "pkg/bin/bh-audit.mjs");
const EXAMPLES = join(ROOT, "tests/data/bh-audit-schema/examples");
const api = await import(new URL("../../pkg/src/trail-node.mjs", import.meta.url).href);
const { toFhirAuditEvent, ValidationError } = api;

const PROFILE = (v) => `https://bh-healthcare.github.io/bh-audit-schema/fhir/${v}/StructureDefinition/bh-audit-event`;

function examples(version) {
  const dir = join(EXAMPLES, version);
  return readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => ({ name: f, text: readFileSync(join(dir, f), "utf8") }));
}

const ALL_2X = [...examples("2.0"), ...examples("2.1")];
const slices = (r) => r.agent.map((a) => a.type.coding[0].code);
const ext = (r, name) => (r.extension ?? []).find((e) => e.url.endsWith(`/${name}`));

function cli(args, input) {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout.toString("utf8"), stderr: r.stderr.toString("utf8") };
}

function tmp() {
  return mkdtempSync(join(tmpdir(), "bh-fhir-"));
}

test("every upstream 2.0 and 2.1 example converts, from an object and from its text alike", () => {
  assert.equal(ALL_2X.length, 18, "7 upstream 2.0 and 11 upstream 2.1 examples");
  for (const { name, text } of ALL_2X) {
    const event = JSON.parse(text);
    const fromObject = toFhirAuditEvent(event);
    assert.deepEqual(toFhirAuditEvent(text), fromObject, name);
    assert.equal(fromObject.resourceType, "AuditEvent");
    assert.equal(fromObject.id, event.event_id);
    assert.deepEqual(fromObject.meta, { profile: [PROFILE(event.schema_version)] }, name);
  }
});

test("the profile's section 6 table: agents and attribution level per 2.1 example", () => {
  const want = {
    "agent_mcp_patient_read.json": [3, "verified"],
    "agent_ui_driving_note_write.json": [3, "bound"],
    "human_override_agent_session.json": [1, undefined],
    "sub_agent_depth2_export.json": [3, "verified"],
    "human_direct_read.json": [1, undefined],
    "agent_session_start.json": [3, "verified"],
    "agent_session_end.json": [3, "verified"],
    "agent_denied_unattributed.json": [1, "unattributed"],
    "agent_fail_open_unattributed.json": [1, "unattributed"],
    "agent_asserted_call.json": [3, "asserted"],
    "agent_bound_method_omitted.json": [3, "bound"],
  };
  for (const { name, text } of examples("2.1")) {
    const r = toFhirAuditEvent(text);
    assert.ok(name in want, name);
    assert.equal(r.agent.length, want[name][0], name);
    assert.equal(ext(r, "attribution-level")?.valueCode, want[name][1], name);
    if (want[name][1] === "unattributed") {
      assert.deepEqual(slices(r), ["unattributed"], name);
      assert.equal(r.agent[0].requestor, false, name);
    }
  }
  const noMethod = toFhirAuditEvent(examples("2.1").find((e) => e.name === "agent_bound_method_omitted.json").text);
  assert.equal(ext(noMethod, "attribution-method"), undefined);
  for (const { name, text } of examples("2.0")) {
    assert.equal(ext(toFhirAuditEvent(text), "attribution-level"), undefined, `${name}: no attribution-level on 2.0`);
  }
});

test("DENIED keeps its distinction in outcome.detail", () => {
  const r = toFhirAuditEvent(examples("2.1").find((e) => e.name === "agent_denied_unattributed.json").text);
  assert.equal(r.outcome.code.code, "8");
  assert.deepEqual(r.outcome.detail.map((d) => d.coding[0].code), ["denied", "AttributionRequired"]);
});

test("1.x events convert without a profile claim, as the single direct agent", () => {
  for (const v of ["1.0", "1.1"]) {
    for (const { name, text } of examples(v)) {
      const r = toFhirAuditEvent(text);
      assert.equal(r.meta, undefined, `${v}/${name}`);
      assert.deepEqual(slices(r), ["direct"], `${v}/${name}`);
      assert.equal(r.agent[0].requestor, true);
    }
  }
});

test("refusals throw ValidationError naming paths and rules, never values", () => {
  const base = JSON.parse(examples("2.1").find((e) => e.name === "human_direct_read.json").text);
  const cases = [
    [{ ...base, actor: { ...base.actor, subject_type: "robot" } }, "/actor/subject_type", "enum"],
    [{ ...base, timestamp: "2026-09-01t10:14:27Z" }, "/timestamp", "fhir"],
    [{ ...base, action: { ...base.action, name: "" } }, "/action/name", "fhir"],
    [{ ...base, metadata: { secret_key_name: "" } }, "/metadata", "fhir"],
    ["{", "", "syntax"],
    [{ ...base, schema_version: "9.9" }, "/schema_version", "schema_version"],
  ];
  for (const [event, path, keyword] of cases) {
    let err;
    try {
      toFhirAuditEvent(event);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof ValidationError, `${path}: ${err}`);
    assert.ok(err.errors.some((e) => e.instancePath === path && e.keyword === keyword), JSON.stringify(err.errors));
    assert.ok(!err.message.includes("secret_key_name") && !err.message.includes("t10:14"), err.message);
  }
});

test("hostile inputs: every one is a ValidationError, none escapes as another error", () => {
  const base = JSON.parse(examples("2.0")[0].text);
  const cyclic = { ...base };
  cyclic.self = cyclic;
  const hostile = [
    { ...base, metadata: { n: 1n } },
    cyclic,
    { ...base, get outcome() { throw new Error("getter for 123-45-6789"); } },
    new Proxy(base, { get() { throw new Error("proxy"); }, ownKeys() { throw new Error("proxy"); } }),
    { ...base, metadata: { f: () => 1 } },
    { ...base, metadata: { s: Symbol("x") } },
    { ...base, toJSON() { return 42; } },
    undefined,
    null,
    42,
    "",
    [base],
    Symbol("x"),
    { ...base, metadata: { big: "x".repeat(2 << 20) } }, // over the input limit, as an object
    JSON.stringify({ ...base, metadata: { big: "x".repeat(2 << 20) } }), // and as text
  ];
  for (const h of hostile) {
    assert.throws(() => toFhirAuditEvent(h), (e) => e instanceof ValidationError && !e.message.includes("123-45-6789"), String(typeof h));
  }
  assert.throws(() => toFhirAuditEvent({ ...base, metadata: { big: "x".repeat(2 << 20) } }), (e) => e.errors[0].keyword === "input" && /input limit/.test(e.errors[0].message), "the limit is named");
  // The engine still works afterwards.
  assert.equal(toFhirAuditEvent(base).id, base.event_id);
});

test("toFhirAuditEvent through require() (the CommonJS bundle)", () => {
  const require = createRequire(import.meta.url);
  const cjs = require(join(ROOT, "pkg/dist/trail.cjs"));
  const { text } = examples("2.1")[0];
  assert.deepEqual(cjs.toFhirAuditEvent(text), toFhirAuditEvent(text));
});

test("bh-audit fhir: NDJSON out, bad lines by number on stderr, exit 1; stdin alike", () => {
  const dir = tmp();
  try {
    const good = ALL_2X.map((e) => JSON.stringify(JSON.parse(e.text)));
    const esc = "\u001b[31m";
    const lines = [
      good[0],
      "",
      good[1] + "\r", // CRLF
      `{"schema_version":"2.1","patient_name${esc}":"Jane Roe 123-45-6789"}`, // line 4
      good[2],
      "   ",
      JSON.stringify({ ...JSON.parse(good[3]), metadata: { [`k${esc}ey`]: "" } }), // line 7
      "not json at all: 555-12-3456",
      ...good.slice(4),
    ];
    const file = join(dir, "trail.jsonl");
    writeFileSync(file, lines.join("\n") + "\n");
    const r = cli(["fhir", file]);
    assert.equal(r.status, 1, r.stderr);
    const out = r.stdout.trimEnd().split("\n");
    const converted = [good[0], good[1], good[2], ...good.slice(4)];
    assert.equal(out.length, converted.length);
    out.forEach((line, i) => assert.deepEqual(JSON.parse(line), toFhirAuditEvent(converted[i])));
    assert.match(r.stderr, /^line 4: not convertible: /m);
    assert.match(r.stderr, /^line 7: not convertible: \/metadata: member 1/m);
    assert.match(r.stderr, /^line 8: not convertible: /m);
    assert.doesNotMatch(r.stderr, /^line (1|2|3|5|6): /m);
    assert.match(r.stderr, /17 resources written, 3 lines not convertible/);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(r.stderr, /[\u0000-\u0008\u000b-\u001f\u007f]/, "no control character");
    for (const leak of ["Jane", "123-45-6789", "555-12-3456", "patient_name", "k?ey"]) assert.ok(!r.stderr.includes(leak), leak);

    const viaStdin = cli(["fhir", "-"], readFileSync(file));
    assert.equal(viaStdin.status, 1);
    assert.equal(viaStdin.stdout, r.stdout);
    assert.equal(viaStdin.stderr, r.stderr);

    const json = cli(["fhir", file, "--format", "json"]);
    const reports = json.stderr.trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(reports.slice(0, -1).map((x) => x.line), [4, 7, 8]);
    assert.deepEqual(reports.at(-1), { converted: 17, failed: 3 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("bh-audit fhir: exit 0 when all convert; empty input; usage and unreadable input exit 2", () => {
  const dir = tmp();
  try {
    const file = join(dir, "ok.jsonl");
    writeFileSync(file, ALL_2X.map((e) => JSON.stringify(JSON.parse(e.text))).join("\n")); // no final newline
    const ok = cli(["fhir", file]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout.trimEnd().split("\n").length, 18);

    const empty = join(dir, "empty.jsonl");
    writeFileSync(empty, "");
    const e = cli(["fhir", empty]);
    assert.equal(e.status, 0);
    assert.equal(e.stdout, "");

    assert.equal(cli(["fhir", join(dir, "missing.jsonl")]).status, 2);
    assert.equal(cli(["fhir", dir]).status, 2, "a directory");
    assert.equal(cli(["fhir"]).status, 2);
    assert.equal(cli(["fhir", file, file]).status, 2);
    assert.equal(cli(["fhir", file, "--format", "xml"]).status, 2);
    assert.equal(cli(["fhir", "--bogus"]).status, 2);
    assert.equal(cli(["fhir", "--help"]).status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("bh-audit fhir: non-UTF-8 and over-long lines are reported, the lines after them still convert", () => {
  const dir = tmp();
  try {
    const good = JSON.stringify(JSON.parse(ALL_2X[0].text));
    const file = join(dir, "mixed.jsonl");
    const long = "x".repeat((1 << 20) + 10);
    writeFileSync(file, Buffer.concat([
      Buffer.from(good + "\n"),
      Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]), // line 2: not UTF-8
      Buffer.from(long + "\n"), // line 3: over 1 MiB
      Buffer.from(good + "\n"),
    ]));
    const r = cli(["fhir", file]);
    assert.equal(r.status, 1);
    assert.equal(r.stdout.trimEnd().split("\n").length, 2);
    assert.match(r.stderr, /^line 2: not convertible: the line is not valid utf-8$/m);
    assert.match(r.stderr, /^line 3: not convertible: the line is longer than 1048576 bytes$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("bh-audit fhir streams: a trail much larger than the heap converts in full", () => {
  // 48 MB of event lines through a 16 MB old-space heap: reading the file whole (or keeping its
  // output) would exhaust the heap; lines cross the 64 KiB read chunks everywhere.
  const dir = tmp();
  try {
    const lines = ALL_2X.map((e) => {
      const ev = JSON.parse(e.text);
      ev.metadata = { ...(ev.metadata ?? {}), pad: "p".repeat(1500) };
      return JSON.stringify(ev);
    });
    const block = lines.join("\n") + "\n";
    const copies = Math.ceil((48 << 20) / block.length);
    const file = join(dir, "big.jsonl");
    writeFileSync(file, block.repeat(copies));
    const r = spawnSync(process.execPath, ["--max-old-space-size=16", CLI, "fhir", file], { maxBuffer: 1 << 30 });
    assert.equal(r.status, 0, r.stderr.toString());
    let n = 0;
    for (let i = r.stdout.indexOf(10); i >= 0; i = r.stdout.indexOf(10, i + 1)) n++;
    assert.equal(n, lines.length * copies);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Issue 21 item 10: `fhir` escapes its output as the other subcommands do and splits lines with
// the same splitter ("\n", "\r\n", "\r"). Synthetic values only.
test("bh-audit fhir: bidi, C1 and line-separator characters never reach the output raw; CR-only trails convert", () => {
  const hostile = "Note \u202e evil \u2066 x \u2028 y \u2029 z \u009b2J \u0085 \u200f";
  const events = [1, 2, 3].map((i) => {
    const e = JSON.parse(readFileSync(join(EXAMPLES, "2.0", readdirSync(join(EXAMPLES, "2.0")).find((f) => f.endsWith(".json"))), "utf8"));
    e.event_id = `2f4c1d11-3f42-44d3-83a0-1d3f7e1d2b1${i}`;
    if (e.resource) e.resource.id = `r-${i} ${hostile}`;
    return JSON.stringify(e);
  });
  const UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
  for (const sep of ["\r", "\r\n", "\n"]) {
    const r = cli(["fhir", "-"], events.join(sep) + sep);
    const out = r.stdout.toString("utf8");
    const err = r.stderr.toString("utf8");
    assert.equal(r.status, 0, `${JSON.stringify(sep)}: ${err}`);
    assert.match(err, /3 resources written/);
    assert.ok(!UNSAFE.test(out), `${JSON.stringify(sep)}: raw unsafe characters in stdout`);
    const resources = out.split("\n").filter(Boolean).map((l) => JSON.parse(l));
    assert.equal(resources.length, 3);
    // Same values: the escapes are JSON escapes.
    assert.ok(resources.every((x) => JSON.stringify(x).includes(hostile)), "the values are kept, only escaped");
  }
});
