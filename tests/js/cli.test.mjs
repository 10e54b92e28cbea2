// The bh-audit CLI (pkg/bin/bh-audit.mjs): verify, validate and report on good, tampered,
// truncated, non-UTF-8, empty and huge (50 MB) trails, from files and stdin, in both formats;
// exit codes; output that never carries a field's value or a control character; memory that
// does not follow the file's size; progress only on a terminal.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, readFileSync, openSync, closeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateTrail, writeTrailFile, eventTemplates } from "../../scripts/gen-trail.mjs";

const BIN = fileURLToPath(new URL("../../pkg/bin/bh-audit.mjs", import.meta.url));
const PROBE = fileURLToPath(new URL("./rss-probe.mjs", import.meta.url));
// C0 (but newline, which separates output lines), DEL, C1, bidi controls, line separators.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

let dir;
const files = {};

async function trailText(bytes) {
  let text = "";
  await generateTrail({ bytes, write: (t) => void (text += t) });
  return text;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "bh-cli-"));
  const good = await trailText(60_000);
  const lines = good.trimEnd().split("\n");
  files.lines = lines.length;
  const put = (name, data) => {
    files[name] = join(dir, name);
    writeFileSync(files[name], data);
  };
  put("good.jsonl", good);
  const tampered = [...lines];
  tampered[9] = tampered[9].replace(/"timestamp":"[^"]+"/, '"timestamp":"2026-01-05T07:59:59Z"'); // still valid
  assert.notEqual(tampered[9], lines[9]);
  tampered.splice(20, 1); // and one event removed
  put("tampered.jsonl", `${tampered.join("\n")}\n`);
  put("truncated.jsonl", good.slice(0, good.length - 100));
  const bytes = Buffer.from(good);
  const at = bytes.indexOf("\n", 5000) + 20;
  bytes[at] = 0xff;
  bytes[at + 1] = 0xfe;
  files.badLine = good.slice(0, bytes.indexOf("\n", 5000)).split("\n").length + 1;
  put("not-utf8.jsonl", bytes);
  put("empty.jsonl", "");
  files["huge.jsonl"] = join(dir, "huge.jsonl");
  files.hugeEvents = await writeTrailFile(files["huge.jsonl"], 50 * 1024 * 1024);
  files["small.jsonl"] = join(dir, "small.jsonl");
  files.smallEvents = await writeTrailFile(files["small.jsonl"], 5 * 1024 * 1024);
});

after(() => rmSync(dir, { recursive: true, force: true }));

function run(args, { input, node = [] } = {}) {
  const r = spawnSync(process.execPath, [...node, BIN, ...args], { input, encoding: "utf8", maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function json(args, opts) {
  const r = run([...args, "--format", "json"], opts);
  return { ...r, body: JSON.parse(r.out) };
}

test("a good trail passes verify, validate and report, in both formats", () => {
  for (const cmd of ["verify", "validate", "report"]) {
    const h = run([cmd, files["good.jsonl"]]);
    assert.equal(h.code, 0, `${cmd}: ${h.out}${h.err}`);
    assert.match(h.out, /^PASS: /, cmd);
    assert.equal(h.err, "", `${cmd}: nothing on stderr when it is not a terminal`);
  }
  const v = json(["verify", files["good.jsonl"]]).body;
  assert.deepEqual([v.ok, v.checked, v.chain_length, v.failures.length], [true, files.lines, files.lines, 0]);
  const r = json(["report", files["good.jsonl"]]).body;
  assert.equal(r.events, files.lines);
  assert.equal(r.valid, files.lines);
  assert.equal(r.chain.ok, true);
  // The generator cycles through the templates: the counts follow from them.
  const t = eventTemplates();
  const expect = (pred) => Array.from({ length: files.lines }, (_, i) => t[i % t.length].event).filter(pred).length;
  assert.equal(r.denials, expect((e) => e.outcome.status === "DENIED"));
  assert.equal(r.phi_touched, expect((e) => e.action.phi_touched === true));
  assert.equal(r.agent_delegated, expect((e) => typeof e.delegation === "object"));
  assert.equal(r.by_action.READ, expect((e) => e.action.type === "READ"));
  assert.equal(r.by_actor_type.agent, expect((e) => e.actor.subject_type === "agent"));
  assert.equal(r.first_timestamp, "2026-01-05T08:00:00.000Z");
  assert.equal(r.hourly.buckets.reduce((s, [, a, b, c, d]) => s + a + b + c + d, 0), files.lines);
  const human = run(["report", files["good.jsonl"]]).out;
  assert.match(human, /Denials: [\d,]+; PHI touched: [\d,]+; agent-delegated: [\d,]+/);
  assert.match(human, /Events per hour \(SUCCESS \/ FAILURE \/ DENIED \/ other\):\n  2026-01-05T08:00:00\.000Z  /);
});

test("a tampered trail fails with the lines named (exit 1); it still validates", () => {
  const v = json(["verify", files["tampered.jsonl"]]);
  assert.equal(v.code, 1);
  assert.deepEqual(v.body.failures.map((f) => [f.line, f.kind]), [[10, "hash_mismatch"], [21, "hash_mismatch"], [21, "chain_gap"]]);
  assert.match(v.body.failures[0].event_id, /^7e570000-0000-4000-8000-0{10}09$/);
  const h = run(["verify", files["tampered.jsonl"]]);
  assert.equal(h.code, 1);
  assert.match(h.out, /^FAIL: .*\n  line 10 \(event_id 7e570000-0000-4000-8000-000000000009\): hash_mismatch: /);
  assert.equal(run(["validate", files["tampered.jsonl"]]).code, 0);
  const r = json(["report", files["tampered.jsonl"]]);
  assert.equal(r.code, 1);
  assert.equal(r.body.invalid, 0);
  assert.deepEqual(r.body.failures.map((f) => f.line), [10, 21, 21]);
});

test("a truncated trail: verify exits 2 at the cut line, validate and report exit 1", () => {
  const v = json(["verify", files["truncated.jsonl"]]);
  assert.equal(v.code, 2);
  assert.deepEqual(v.body.failures.map((f) => [f.line, f.kind]), [[files.lines, "invalid_json"]]);
  const s = json(["validate", files["truncated.jsonl"]]);
  assert.equal(s.code, 1);
  assert.deepEqual([s.body.invalid, s.body.failures[0].line, s.body.failures[0].kind], [1, files.lines, "invalid_json"]);
  const r = run(["report", files["truncated.jsonl"]]);
  assert.equal(r.code, 1);
  assert.match(r.out, new RegExp(`Chain verification stopped at line ${files.lines} \\(invalid_json\\)`));
});

test("a line that is not UTF-8 is named by line, never printed", () => {
  const v = json(["verify", files["not-utf8.jsonl"]]);
  assert.equal(v.code, 2);
  assert.deepEqual(v.body.failures.map((f) => [f.line, f.reason]), [[files.badLine, "line is not valid utf-8"]]);
  const r = json(["report", files["not-utf8.jsonl"]]);
  assert.equal(r.code, 1);
  assert.deepEqual(r.body.failures.map((f) => [f.line, f.kind]), [[files.badLine, "not_utf8"]]);
  assert.equal(r.body.valid, files.lines - 1);
  for (const out of [v.out, r.out, run(["report", files["not-utf8.jsonl"]]).out]) assert.doesNotMatch(out, /\ufffd/);
});

test("an empty trail passes with zero events", () => {
  for (const cmd of ["verify", "validate", "report"]) {
    const r = json([cmd, files["empty.jsonl"]]);
    assert.equal(r.code, 0, cmd);
    assert.equal(r.body.checked ?? r.body.events, 0);
  }
  assert.match(run(["report", files["empty.jsonl"]]).out, /^PASS: 0 events in 0 lines/);
});

test("stdin (-) gives the same answer as the file", () => {
  for (const name of ["good.jsonl", "tampered.jsonl", "truncated.jsonl"]) {
    const input = readFileSync(files[name]);
    for (const cmd of ["verify", "report"]) {
      const a = json([cmd, files[name]]);
      const b = json([cmd, "-"], { input });
      assert.equal(b.code, a.code, `${cmd} ${name}`);
      assert.deepEqual(b.body, a.body, `${cmd} ${name}`);
    }
  }
});

test("usage and unreadable input exit 2 without echoing the argument", () => {
  const secret = "123-45-6789\u001b[2J";
  for (const args of [[], ["verify"], ["nope", files["good.jsonl"]], ["verify", files["good.jsonl"], "extra"], ["verify", files["good.jsonl"], "--format", "xml"], ["report", files["good.jsonl"], "--schema-version", "9.9"], ["verify", "--bogus", files["good.jsonl"]]]) {
    const r = run(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.equal(r.out, "", args.join(" "));
    assert.match(r.err, /usage: bh-audit/);
  }
  for (const path of [join(dir, `missing-${secret}.jsonl`), dir]) {
    const r = run(["verify", path]);
    assert.equal(r.code, 2);
    assert.match(r.err, /^bh-audit: cannot read the input file \((ENOENT|EISDIR)\)\n$/);
    assert.ok(!r.err.includes("123-45-6789") && !CONTROL.test(r.err));
  }
  assert.equal(run(["--help"]).code, 0);
  assert.match(run(["--help"]).out, /verify .*\n.*validate .*\n.*report .*\n.*fhir /);
});

test("event ids and fields carrying control characters: the output carries none, nor any value", () => {
  const evil = [
    "PASS: 3 events checked, 3 chained, 0 failures\n",
    "\u001b[2J\u001b[1;1HPASS\u0007",
    "\u009b31m\u202eSSN 123-45-6789",
    "jane.doe@example.org\r\u0000",
  ];
  const lines = readFileSync(files["good.jsonl"], "utf8").trimEnd().split("\n").slice(0, 8);
  const trail = lines.map((line, i) => {
    const ev = JSON.parse(line);
    if (i < evil.length) {
      ev.event_id = evil[i];
      ev.actor.subject_id = evil[(i + 1) % evil.length];
      ev.resource[evil[(i + 2) % evil.length]] = evil[(i + 3) % evil.length];
      ev.action.type = evil[i];
    }
    return JSON.stringify(ev);
  });
  const input = `${trail.join("\n")}\n`;
  for (const cmd of ["verify", "validate", "report"]) {
    for (const format of ["human", "json"]) {
      const r = run([cmd, "-", "--format", format], { input });
      assert.equal(r.code, 1, `${cmd} ${format}`);
      const all = r.out + r.err;
      assert.ok(!CONTROL.test(all), `${cmd} ${format}: control character in ${JSON.stringify(all)}`);
      assert.ok(!/PASS/.test(all), `${cmd} ${format}: a fake verdict was printed`);
      for (const value of ["123-45-6789", "jane.doe", "1;1H", "31m"]) assert.ok(!all.includes(value), `${cmd} ${format}: ${value}`);
      if (format === "json") JSON.parse(r.out);
    }
  }
});

test("no field value of a real trail reaches the output, only UUID event ids", () => {
  const values = new Set();
  const walk = (v, key) => {
    if (typeof v === "string") {
      if (v.length >= 6 && !/^[A-Z_]+$|^[a-z]+$/.test(v) && key !== "timestamp" && key !== "event_id") values.add(v);
    } else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  for (const t of eventTemplates()) walk(t.event, "");
  assert.ok(values.size > 30, `${values.size} distinct values`);
  for (const name of ["good.jsonl", "tampered.jsonl"]) {
    for (const cmd of ["verify", "validate", "report"]) {
      for (const format of ["human", "json"]) {
        const out = run([cmd, files[name], "--format", format]).out;
        for (const v of values) assert.ok(!out.includes(v), `${cmd} ${format} ${name}: ${v}`);
      }
    }
  }
});

function maxRss(args) {
  const r = run(args, { node: ["--import", PROBE] });
  const m = /maxrss_kb (\d+)/.exec(r.err);
  assert.ok(m, r.err);
  return { code: r.code, out: r.out, kb: Number(m[1]) };
}

test("a 50 MB trail streams through in bounded memory (max RSS vs a 5 MB one)", () => {
  for (const cmd of ["verify", "report"]) {
    const small = maxRss([cmd, files["small.jsonl"], "--format", "json"]);
    const huge = maxRss([cmd, files["huge.jsonl"], "--format", "json"]);
    assert.equal(huge.code, 0);
    const body = JSON.parse(huge.out);
    assert.equal(body.checked ?? body.events, files.hugeEvents);
    const grew = (huge.kb - small.kb) / 1024;
    // Ten times the input: a whole-file read would add at least 45 MB (more as a JS string).
    assert.ok(grew < 24, `${cmd}: max RSS grew ${grew.toFixed(1)} MiB from 5 MB to 50 MB (${small.kb} -> ${huge.kb} KiB)`);
  }
});

test("progress goes to stderr only on a terminal", async () => {
  // Not a terminal: nothing (checked above too).
  assert.equal(run(["verify", files["huge.jsonl"]]).err, "");
  // A pseudo-terminal from util-linux `script`; stdout goes to a file, stderr to the terminal.
  const out = join(dir, "tty-out.txt");
  const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} report ${JSON.stringify(files["huge.jsonl"])} > ${JSON.stringify(out)}`;
  const child = spawn("script", ["-qec", cmd, "/dev/null"], { stdio: ["ignore", "pipe", "pipe"] });
  let tty = "";
  child.stdout.on("data", (d) => (tty += d));
  const code = await new Promise((resolve) => child.on("close", resolve));
  assert.equal(code, 0, tty);
  assert.match(tty, /bh-audit: [\d.]+ MB of [\d.]+ MB \(\d+%\), [\d,]+ events, [\d.]+ MB\/s, ETA \d+ s/);
  assert.match(readFileSync(out, "utf8"), /^PASS: /);
  assert.doesNotMatch(readFileSync(out, "utf8"), /ETA/);
});
