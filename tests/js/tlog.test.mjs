// Verifiable trails through the auditor's wasm module (bh-audit-logger/trail): the
// transparency-dev/merkle vectors run in wasm, the C2SP example key and note, keys / checkpoints
// / proofs made and checked through the public API, the forgery suite of issue 20 against
// checkpoints taken before each change, and the CLI (keygen, checkpoint, prove, verify,
// verify-proof).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync, writeFileSync, mkdtempSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./harness.mjs";
import { AuditLogger, memorySink } from "../../pkg/src/node.mjs";
import {
  ChainVerifier, TrailReport, verifyChain, generateSignerKey, signCheckpoint, openCheckpoint, verifyInclusionProof,
  verifyConsistency, CheckpointError,
} from "../../pkg/src/trail-node.mjs";
import { verifyInclusionRaw, verifyConsistencyRaw } from "../../pkg/dist/trail/glue.js";

const DATA = join(ROOT, "tests/data");
const CLI = join(ROOT, "pkg/bin/bh-audit.mjs");
const ORIGIN = "audit.example.org/notes-api";

function files(dir) {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
}

function chainedTrail(n, start = 0) {
  const sink = memorySink();
  const logger = new AuditLogger({ serviceName: "notes-api", sink, enableIntegrity: true, metadataAllowlist: ["n"] });
  for (let i = start; i < start + n; i++) logger.audit("READ", { actor: { subject_id: `user_${i % 7}`, subject_type: "human" }, resource: { type: "Note", id: `note_${i}` }, metadata: { n: i } });
  return { lines: sink.events.map((e) => JSON.stringify(e)), head: logger.chainHead };
}

async function verify(lines, options) {
  const v = new ChainVerifier(options);
  v.push(lines.join("\n"));
  return v.finish();
}

test("transparency-dev/merkle vectors run in the wasm module: every probe, every file", () => {
  const all = files(join(DATA, "merkle")).filter((f) => f.endsWith(".json"));
  assert.ok(all.length >= 190, `${all.length} vector files`);
  let inclusion = 0;
  let consistency = 0;
  for (const f of all) {
    const v = JSON.parse(readFileSync(f, "utf8"));
    const proof = v.proof ?? [];
    let reason;
    if ("leafIdx" in v) {
      inclusion++;
      reason = verifyInclusionRaw(v.leafIdx, v.treeSize, v.leafHash ?? "", proof, v.root ?? "");
    } else {
      consistency++;
      reason = verifyConsistencyRaw(v.size1, v.size2, v.root1 ?? "", v.root2 ?? "", proof);
    }
    assert.equal(reason !== "", v.wantErr, `${f}: ${v.desc} (${reason || "ok"})`);
  }
  assert.ok(inclusion > 50 && consistency > 50, `${inclusion} inclusion, ${consistency} consistency`);
});

test("C2SP signed-note example: its key opens its note; an unknown key only is refused", async () => {
  const vkey = readFileSync(join(DATA, "c2sp/signed-note-example.vkey"), "utf8").trim();
  const note = readFileSync(join(DATA, "c2sp/signed-note-example.note"), "utf8");
  const checkpoint = readFileSync(join(DATA, "c2sp/tlog-checkpoint-example.note"), "utf8");
  // The example note is not a checkpoint: refused as one, with a reason, never its text.
  await assert.rejects(openCheckpoint(note, [vkey]), (e) => e instanceof CheckpointError && e.reason === "malformed_checkpoint");
  await assert.rejects(openCheckpoint(checkpoint, [vkey]), (e) => e instanceof CheckpointError && e.reason === "unknown_key" && !e.message.includes("example.com"));
});

test("keys, checkpoints and proofs round-trip through the public API; wrong keys and changed notes are refused", async () => {
  const { signerKey, verifierKey } = await generateSignerKey(ORIGIN);
  assert.match(signerKey, /^PRIVATE\+KEY\+audit\.example\.org\/notes-api\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
  assert.match(verifierKey, /^audit\.example\.org\/notes-api\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
  const other = await generateSignerKey(ORIGIN);
  const { lines } = chainedTrail(37);
  const r = await verify(lines);
  assert.equal(r.ok, true);
  const note = await signCheckpoint({ origin: ORIGIN, size: r.tree.size, root: r.tree.root }, signerKey);
  assert.equal(note.split("\n\n")[0], `${ORIGIN}\n37\n${r.tree.root}`);
  assert.deepEqual(await openCheckpoint(note, [verifierKey]), { origin: ORIGIN, size: 37, root: r.tree.root, signers: [ORIGIN] });
  await assert.rejects(openCheckpoint(note, [other.verifierKey]), (e) => e.reason === "unknown_key");
  await assert.rejects(openCheckpoint(note.replace("\n37\n", "\n38\n"), [verifierKey]), (e) => e.reason === "bad_signature");
  await assert.rejects(signCheckpoint({ origin: "other.example/log", size: 1, root: r.tree.root }, signerKey), (e) => e.reason === "origin_mismatch");
  await assert.rejects(openCheckpoint(note, ["not a key"]), (e) => e.reason === "malformed_key");
  await assert.rejects(openCheckpoint(42, [verifierKey]), TypeError);
  // Consistency between two checkpoints of the growing trail, checked without the trail.
  const more = [...lines, ...chainedTrail(20, 37).lines];
  const r2 = await verify(more, { allowUnchained: false });
  const note2 = await signCheckpoint({ origin: ORIGIN, size: r2.tree.size, root: r2.tree.root }, signerKey);
  const hashes = consistencyHashes(more, 37);
  assert.deepEqual(await verifyConsistency(note, note2, hashes, [verifierKey]), { ok: true });
  assert.equal((await verifyConsistency(note, note2, hashes.slice(1), [verifierKey])).ok, false);
  assert.equal((await verifyConsistency(note2, note, hashes, [verifierKey])).reason, "size_decreased");
});

/** RFC 6962 consistency proof hashes, computed independently in JS (node:crypto). */
import { createHash } from "node:crypto";
const sha = (...parts) => createHash("sha256").update(Buffer.concat(parts)).digest();
const leaf = (line) => sha(Buffer.from([0]), Buffer.from(line));
function mth(leaves) {
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return sha(Buffer.from([1]), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}
function subproof(m, leaves, complete) {
  const n = leaves.length;
  if (m === n) return complete ? [] : [mth(leaves)];
  let k = 1;
  while (k * 2 < n) k *= 2;
  if (m <= k) return [...subproof(m, leaves.slice(0, k), complete), mth(leaves.slice(k))];
  return [...subproof(m - k, leaves.slice(k), false), mth(leaves.slice(0, k))];
}
function consistencyHashes(lines, m) {
  return subproof(m, lines.map(leaf), true).map((h) => h.toString("base64"));
}
function path(m, leaves) {
  const n = leaves.length;
  if (n === 1) return [];
  let k = 1;
  while (k * 2 < n) k *= 2;
  return m < k ? [...path(m, leaves.slice(0, k)), mth(leaves.slice(k))] : [...path(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

test("the tree matches an independent RFC 6962 computation; a tlog-proof made in JS verifies, and not for another line", async () => {
  const { lines } = chainedTrail(23);
  const r = await verify(lines);
  assert.equal(r.tree.root, mth(lines.map(leaf)).toString("base64"));
  const { signerKey, verifierKey } = await generateSignerKey(ORIGIN);
  const note = await signCheckpoint({ origin: ORIGIN, size: 23, root: r.tree.root }, signerKey);
  const proof = `c2sp.org/tlog-proof@v1\nindex 5\n${path(5, lines.map(leaf)).map((h) => `${h.toString("base64")}\n`).join("")}\n${note}`;
  assert.deepEqual(await verifyInclusionProof(proof, lines[5], [verifierKey]), { ok: true, index: 5, size: 23, origin: ORIGIN });
  const wrong = await verifyInclusionProof(proof, lines[6], [verifierKey]);
  assert.equal(wrong.ok, false);
  assert.equal(wrong.reason, "root_mismatch");
  assert.equal((await verifyInclusionProof(proof.replace("index 5", "index 6"), lines[5], [verifierKey])).ok, false);
  assert.equal((await verifyInclusionProof("garbage", lines[5], [verifierKey])).reason, "malformed_proof");
});

test("lines of every length, hashed in the wasm module's SIMD lanes, give the independent RFC 6962 root and chain verdicts", async () => {
  // Lengths around every SHA-256 padding edge and far apart in one batch (a lane takes the
  // next message when its own is done), multi-byte characters, pieces split anywhere.
  const lines = Array.from({ length: 600 }, (_, i) => `${"é".repeat(i % 5)}{"n":${i},"pad":"${"x".repeat((i * 37) % 700 + (i % 11 === 3 ? 3000 : 0))}"}`);
  const text = `${lines.join("\n")}\n`;
  const expected = mth(lines.map(leaf)).toString("base64");
  for (const piece of [1 << 20, 4093, 97]) {
    const v = new ChainVerifier({ allowUnchained: true });
    for (let at = 0; at < text.length; at += piece) v.push(text.slice(at, at + piece));
    const r = await v.finish();
    assert.equal(r.tree.size, 600);
    assert.equal(r.tree.root, expected, `pieces of ${piece}`);
  }
  // A chained trail with edited events and broken links over many batches: the verifier and the
  // report (which holds a line's other failures until its chain hashes are done) agree, in line order.
  const chained = chainedTrail(400).lines.map((l, i) => (i % 17 === 3 ? l.replace('"READ"', '"UPDATE"') : i % 23 === 9 ? l.replace(/"prev_event_hash":"[0-9a-f]/, '"prev_event_hash":"x') : l));
  const v = new ChainVerifier({ maxFailures: 1000 });
  v.push(chained.join("\n"));
  const a = await v.finish();
  const report = new TrailReport({ maxFailures: 1000 });
  report.push(chained.join("\n"));
  const b = (await report.finish()).chain;
  assert.ok(a.hash_mismatches >= 20 && a.chain_gaps >= 10, JSON.stringify([a.hash_mismatches, a.chain_gaps]));
  assert.deepEqual([a.hash_mismatches, a.chain_gaps, a.checked], [b.hash_mismatches, b.chain_gaps, b.checked]);
  assert.deepEqual(a.failures.map((f) => [f.line, f.kind, f.reason]), b.failures.map((f) => [f.line, f.kind, f.reason]));
  assert.equal(a.tree.root, b.tree.root);
});

test("forgery suite: each rewritten, cut or extended trail fails against a checkpoint taken before the change", async () => {
  const { signerKey, verifierKey } = await generateSignerKey(ORIGIN);
  const { lines } = chainedTrail(3000);
  const before = await verify(lines);
  const note = await signCheckpoint({ origin: ORIGIN, size: before.tree.size, root: before.tree.root }, signerKey);
  const opts = { checkpoints: [note], verifierKeys: [verifierKey] };
  assert.equal((await verify(lines, opts)).ok, true, "the original trail passes");

  const plain = JSON.stringify({ ...JSON.parse(lines[0]), integrity: undefined, event_id: "00000000-0000-4000-8000-000000000000" });
  // A linear chain alone lets these through (or flags only unchained lines, when allowed them).
  const rechain = (edited) => {
    // Re-chain everything from the edited event on with the package's own chainHead and emit().
    const sink = memorySink();
    const at = edited;
    const prevHead = at === 0 ? undefined : JSON.parse(lines[at - 1]).integrity.event_hash;
    const logger = new AuditLogger({ serviceName: "notes-api", sink, enableIntegrity: true, chainHead: prevHead, metadataAllowlist: ["n"] });
    for (let i = at; i < lines.length; i++) {
      const ev = JSON.parse(lines[i]);
      delete ev.integrity;
      if (i === at) ev.resource.id = "note_forged";
      logger.emit(ev);
    }
    return [...lines.slice(0, at), ...sink.events.map((e) => JSON.stringify(e))];
  };
  const stripped = lines.map((l) => { const e = JSON.parse(l); delete e.integrity; return JSON.stringify(e); });
  stripped[10] = stripped[10].replace("note_10", "note_x");
  const swapped = [...lines];
  [swapped[100], swapped[101]] = [swapped[101], swapped[100]];
  const forgeries = {
    "appended unchained line": [...lines, plain],
    "prepended unchained line": [plain, ...lines],
    "integrity stripped, then edited": stripped,
    "one event changed and the rest re-chained": rechain(1500),
    "last 1,000 events cut": lines.slice(0, 2000),
    "inserted line": [...lines.slice(0, 7), plain, ...lines.slice(7)],
    "swapped pair": swapped,
  };
  for (const [name, forged] of Object.entries(forgeries)) {
    const r = await verify(forged, opts);
    assert.equal(r.ok, false, name);
    const cp = r.checkpoints[0];
    if (name !== "appended unchained line") assert.equal(cp.ok, false, `${name}: the checkpoint catches it`);
    if (name === "last 1,000 events cut") assert.equal(cp.reason, "trail_shorter", name);
    else if (name !== "appended unchained line") assert.equal(cp.reason, "trail_mismatch", name);
    else {
      // The first 3,000 entries are intact: the checkpoint matches them; the extra line is
      // outside the chain and fails as unchained (a later checkpoint would cover it).
      assert.equal(cp.ok, true, name);
      assert.equal(r.failures.at(-1).kind, "unchained", name);
    }
  }
  // Without a checkpoint the chain alone misses the re-chained rewrite and the cut.
  assert.equal((await verify(forgeries["one event changed and the rest re-chained"])).ok, true, "chain alone: rewrite not detected");
  assert.equal((await verify(forgeries["last 1,000 events cut"])).ok, true, "chain alone: cut not detected");
  assert.equal((await verify(forgeries["appended unchained line"])).failures.at(-1).kind, "unchained", "an unchained line fails by default");
  assert.equal((await verify(forgeries["appended unchained line"], { allowUnchained: true })).ok, true, "unless allowed");
  // Two checkpoints of one size with different roots: two histories.
  const rewritten = await verify(forgeries["one event changed and the rest re-chained"]);
  const note2 = await signCheckpoint({ origin: ORIGIN, size: rewritten.tree.size, root: rewritten.tree.root }, signerKey);
  const both = await verify(lines, { checkpoints: [note, note2], verifierKeys: [verifierKey] });
  assert.deepEqual(both.checkpoints.map((c) => c.reason), ["two_histories", "two_histories"]);
  // TrailReport carries the same checkpoint results.
  const report = new TrailReport(opts);
  report.push(lines.slice(0, 2000).join("\n"));
  const s = await report.finish();
  assert.equal(s.ok, false);
  assert.equal(s.checkpoints[0].reason, "trail_shorter");
  assert.deepEqual(s.chain.checkpoints, s.checkpoints);
  assert.equal(verifyChain(lines.join("\n")).tree.root, before.tree.root);
});

function cli(args, input) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", input });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("CLI: keygen, checkpoint, prove, verify --checkpoint --key, verify-proof", async () => {
  const dir = mkdtempSync(join(tmpdir(), "bh-tlog-cli-"));
  const p = (f) => join(dir, f);
  const { lines } = chainedTrail(500);
  writeFileSync(p("trail.jsonl"), `${lines.join("\n")}\n`);
  writeFileSync(p("cut.jsonl"), `${lines.slice(0, 300).join("\n")}\n`);
  const k = cli(["keygen", ORIGIN, "--out", p("signer.key")]);
  assert.equal(k.code, 0, k.err);
  const verifierKey = k.out.trim();
  assert.equal(k.out, `${verifierKey}\n`, "the verifier key alone on its line");
  assert.equal(statSync(p("signer.key")).mode & 0o777, 0o600);
  assert.equal(cli(["keygen", ORIGIN, "--out", p("signer.key")]).code, 2, "never overwrites a key");
  writeFileSync(p("verifier.key"), k.out);
  const c = cli(["checkpoint", p("trail.jsonl"), "--key", p("signer.key")]);
  assert.equal(c.code, 0, c.err);
  assert.ok(c.out.startsWith(`${ORIGIN}\n500\n`) && c.out.endsWith("=\n"), "exactly the note");
  writeFileSync(p("cp.txt"), c.out);
  assert.deepEqual((await openCheckpoint(c.out, [verifierKey])).size, 500);
  assert.equal(cli(["verify", p("trail.jsonl"), "--checkpoint", p("cp.txt"), "--key", p("verifier.key")]).code, 0);
  const cut = cli(["verify", p("cut.jsonl"), "--checkpoint", p("cp.txt"), "--key", p("verifier.key"), "--format", "json"]);
  assert.equal(cut.code, 1);
  assert.equal(JSON.parse(cut.out).checkpoints[0].reason, "trail_shorter");
  assert.equal(cli(["verify", p("trail.jsonl"), "--checkpoint", p("cp.txt")]).code, 2, "a checkpoint needs a key");
  const pr = cli(["prove", p("trail.jsonl"), "--index", "123", "--checkpoint", p("cp.txt")]);
  assert.equal(pr.code, 0, pr.err);
  assert.ok(pr.out.startsWith("c2sp.org/tlog-proof@v1\nindex 123\n") && pr.out.endsWith(`\n\n${c.out}`), "exactly the proof");
  writeFileSync(p("e.tlog-proof"), pr.out);
  writeFileSync(p("entry.txt"), `${lines[123]}\n`);
  assert.equal(cli(["verify-proof", p("e.tlog-proof"), "--entry", p("entry.txt"), "--key", p("verifier.key")]).code, 0);
  assert.equal(cli(["verify-proof", p("e.tlog-proof"), "--entry", "-", "--key", p("verifier.key")], lines[124]).code, 1, "another line");
  assert.equal(cli(["prove", p("cut.jsonl"), "--index", "1", "--checkpoint", p("cp.txt")]).code, 1, "prove refuses a trail that is not the checkpoint's");
  assert.equal(cli(["prove", p("trail.jsonl"), "--index", "500", "--checkpoint", p("cp.txt")]).code, 2, "index past the size");
  for (const r of [k, c, pr]) assert.ok(!/PRIVATE/.test(r.out + r.err), "the signer key never printed");
  // A witness's cosigning key (tlog-cosignature, type 0x04): another key id for the same name.
  const wk = cli(["keygen", "witness.example.org", "--out", p("witness.key"), "--witness"]);
  assert.equal(wk.code, 0, wk.err);
  assert.match(wk.out, /^witness\.example\.org\+[0-9a-f]{8}\+B[A-P]/, "type byte 0x04 (base64 B, then A-P)");
  assert.equal(statSync(p("witness.key")).mode & 0o777, 0o600);
});
