// One limit on a line, in UTF-8 bytes (issue 21 item 5; API.md "Integrity"): the logger never
// emits a line its own verifiers refuse, and the JS constants the stores and the CLI use are
// the core's (src/integrity.rs MAX_LINE_BYTES, MAX_EMITTED_LINE_BYTES), pinned here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AuditLogger } from "../../pkg/src/node.mjs";
import { ChainVerifier, verifyChain } from "../../pkg/src/trail-node.mjs";
import { MAX_LINE_BYTES, MAX_EMITTED_LINE_BYTES, utf8Length, splitLines, LineSplitter } from "../../pkg/src/lines.js";

const ID = "2f4c1d11-3f42-44d3-83a0-1d3f7e1d2b1c";

function logger(extra = {}) {
  const lines = [];
  const diags = [];
  const l = new AuditLogger({
    serviceName: "limits", idFactory: () => ID, timeSource: () => 1.7e12, metadataAllowlist: ["a", "b"], maxMetadataValueLength: 2_000_000,
    sink: { write: (line) => lines.push(line) }, onDiagnostic: (lv, m) => diags.push(m), ...extra,
  });
  return { l, lines, diags };
}

test("a 1.6 MB UTF-8 line (under the input limit in UTF-16 units) is never emitted; what is emitted verifies", () => {
  for (const mode of ["drop", "log_and_emit"]) {
    const { l, lines, diags } = logger({ enableIntegrity: true, validationFailureMode: mode });
    const big = "\u00e9".repeat(400_000); // 800,000 bytes, 400,000 units
    assert.equal(l.audit("READ", { metadata: { a: big, b: big } }), null, mode);
    assert.equal(l.stats.validation_failures_total, 1);
    assert.equal(l.stats.events_dropped_total, 1);
    assert.equal(l.stats.events_emitted_total, 0);
    assert.ok(diags.some((d) => d.includes("line limit")), diags.join(" | "));
    assert.ok(l.audit("READ", { metadata: { a: big } }), "a line under the limit is emitted");
    const trail = lines.join("");
    assert.ok(utf8Length(lines[0]) <= MAX_LINE_BYTES);
    const r = verifyChain(trail);
    assert.equal(r.ok, true, JSON.stringify(r.failures));
    assert.equal(r.checked, 1);
  }
  const { l } = logger({ validationFailureMode: "raise" });
  assert.throws(() => l.audit("READ", { metadata: { a: "\u00e9".repeat(400_000), b: "\u00e9".repeat(400_000) } }), (e) => e.name === "ValidationError" && e.errors[0].keyword === "maxLineBytes");
});

test("MAX_EMITTED_LINE_BYTES is the core's: a line of exactly that many bytes is emitted, one byte more is not", () => {
  const probe = logger();
  probe.l.audit("READ", { metadata: { a: "x" } });
  const base = utf8Length(probe.lines[0]) - 1 /* "\n" */ - 1 /* "x" */;
  const at = (n) => {
    const { l, lines } = logger();
    const ok = l.audit("READ", { metadata: { a: "x".repeat(n - base) } }) !== null;
    return { ok, bytes: ok ? utf8Length(lines[0]) - 1 : null };
  };
  assert.deepEqual(at(MAX_EMITTED_LINE_BYTES), { ok: true, bytes: MAX_EMITTED_LINE_BYTES });
  assert.equal(at(MAX_EMITTED_LINE_BYTES + 1).ok, false);
  assert.equal(MAX_EMITTED_LINE_BYTES, MAX_LINE_BYTES - 512);
});

test("MAX_LINE_BYTES is the verifiers' limit: a line of that many bytes is read, one more is line_too_long", () => {
  const line = (n) => `{"pad":"${"\u00e9".repeat((n - 10) / 2)}"}`;
  for (const [n, tooLong] of [[MAX_LINE_BYTES, false], [MAX_LINE_BYTES + 2, true]]) {
    const text = line(n);
    assert.equal(utf8Length(text), n);
    const v = new ChainVerifier();
    v.push(`${text}\n`);
    const r = v.finish();
    assert.equal(r.failures.some((f) => f.kind === "line_too_long"), tooLong, JSON.stringify(r.failures));
  }
});

test("utf8Length counts UTF-8 bytes as TextEncoder does", () => {
  for (const s of ["", "abc", "\u00e9", "\u20ac", "\ud83d\udcc4", "a\ud800b", "\udc00", "x\u2028y"]) {
    assert.equal(utf8Length(s), new TextEncoder().encode(s).length, JSON.stringify(s));
  }
});

test("the one JS line splitter splits as the core's verifier does (\\n, \\r\\n, \\r) at every split point", () => {
  const ev = (i) => JSON.stringify({ n: i, s: "é📄" });
  const text = `${ev(1)}\r\n${ev(2)}\r${ev(3)}\n\n${ev(4)}\r\r\n${ev(5)}`;
  const want = splitLines(text);
  assert.deepEqual(want, [ev(1), ev(2), ev(3), "", ev(4), "", ev(5)]);
  // The core numbers lines the same way: a failure on the 7th line is reported as line 7.
  const r = verifyChain(text, { allowUnchained: true });
  assert.equal(r.checked, 5);
  const bytes = new TextEncoder().encode(text);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const s = new LineSplitter();
    const got = [...s.push(bytes.subarray(0, cut)), ...s.push(bytes.subarray(cut)), ...s.end()].map((b) => new TextDecoder().decode(b));
    assert.deepEqual(got, want, `split at byte ${cut}`);
  }
  for (let cut = 0; cut <= text.length; cut++) {
    const s = new LineSplitter();
    assert.deepEqual([...s.push(text.slice(0, cut)), ...s.push(text.slice(cut)), ...s.end()], want, `split at unit ${cut}`);
  }
});
