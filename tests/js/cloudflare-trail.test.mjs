// Verifiable trails on Cloudflare (issue 20) and long-lived wasm objects in AuditChain (issue 21
// item 1), in real workerd (miniflare): an AuditChain with a signer key and an AuditWitness
// bound beside it; 8 concurrent request streams; every checkpoint, proof and cosignature checked
// with the auditor's module in Node (an independent instance of the verifiers). Synthetic data.
// Needs `npm ci` and `./scripts/build-pkg.sh`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT } from "./harness.mjs";
import { bundleWorker, startMiniflare, call } from "./miniflare-harness.mjs";
import { ChainVerifier, generateSignerKey, signCheckpoint, openCheckpoint, verifyInclusionProof, verifyConsistency, verifyChain } from "../../pkg/src/trail-node.mjs";
// Internal (the witness's key type has no public generator yet) and the tree used to make test checkpoints.
import { generateWitnessKeyJson, TreeCore, proofNodes, proofFromNodes } from "../../pkg/dist/trail/glue.js";

const ORIGIN = "audit.example.org/notes-api";
let mf;
let log; // { signerKey, verifierKey } of ORIGIN, a log the witness knows (the witness tests)
const streams = {}; // each stream's own key (an origin names one log): audit.example.org/<stream>
let witness;
let stranger; // a key of the same name the witness does not know

before(async () => {
  log = await generateSignerKey(ORIGIN);
  for (const name of ["signed", "replaced", "empty", "backfill"]) streams[name] = await generateSignerKey(`audit.example.org/${name}`);
  stranger = await generateSignerKey(ORIGIN);
  witness = JSON.parse(generateWitnessKeyJson("witness.example.org", crypto.getRandomValues(new Uint8Array(32))));
  const dir = await bundleWorker(join(ROOT, "tests/js/cloudflare-worker.mjs"));
  mf = await startMiniflare(dir, {
    durableObjects: {
      AUDIT_CHAIN: { className: "TestChain", useSQLite: true },
      UNSIGNED_CHAIN: { className: "UnsignedChain", useSQLite: true },
      AUDIT_WITNESS: { className: "AuditWitness", useSQLite: true },
    },
    bindings: {
      AUDIT_SIGNER_KEY: Object.values(streams).map((k) => k.signerKey).join("\n"),
      AUDIT_WITNESS_KEY: witness.signerKey,
      AUDIT_WITNESS_LOG_KEYS: [log, ...Object.values(streams)].map((k) => k.verifierKey).join("\n"),
    },
  });
});

after(async () => {
  await mf?.dispose();
});

/** A raw answer (status, content type, text) from the test Worker. */
async function raw(path, init) {
  const res = await mf.dispatchFetch(`http://worker${path}`, init);
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

/** 8 concurrent request streams into `chain`: `requests` requests of `perRequest` events each. */
async function emitStreams(chain, { requests, perRequest, ns = "", during }) {
  const streams = Array.from({ length: 8 }, async (_, s) => {
    const ids = [];
    let dropped = 0;
    let diagnostics = 0;
    for (let r = 0; r < requests; r++) {
      const res = await call(mf, `/chain/emit?chain=${chain}&stream=s${s}&n=${perRequest}${ns}`);
      ids.push(...res.ids);
      dropped += res.stats.events_dropped_total;
      diagnostics += res.diagnostics;
      await during?.(s, r);
    }
    return { ids, dropped, diagnostics };
  });
  const results = await Promise.all(streams);
  return { ids: results.flatMap((r) => r.ids), dropped: results.reduce((n, r) => n + r.dropped, 0), diagnostics: results.reduce((n, r) => n + r.diagnostics, 0) };
}

/** The exported trail of `chain`: its lines and events, checked to hold exactly `ids`, once each, as one chain. */
async function exported(chain, ids, ns = "") {
  const jsonl = await call(mf, `/chain/export?chain=${chain}${ns}`);
  const lines = jsonl.split("\n").filter(Boolean);
  const got = lines.map((l) => JSON.parse(l).event_id);
  assert.equal(got.length, ids.length, "every emitted event is in the trail");
  assert.equal(new Set(got).size, got.length, "no event twice");
  assert.deepEqual(new Set(got), new Set(ids));
  const v = verifyChain(jsonl);
  assert.equal(v.ok, true, JSON.stringify(v.failures?.slice(0, 3)));
  return { jsonl, lines };
}

test("10,000 events from 8 concurrent streams into a signed, witnessed AuditChain: checkpoints, proofs, consistency and cosignatures verify", async () => {
  const t0 = performance.now();
  const key = streams.signed;
  const origin = "audit.example.org/signed";
  const { ids, dropped, diagnostics } = await emitStreams("signed", { requests: 10, perRequest: 125 });
  const ms = performance.now() - t0;
  assert.equal(ids.length, 10000);
  assert.equal(dropped, 0);
  assert.equal(diagnostics, 0);
  const { jsonl, lines } = await exported("signed", ids);

  // Every stored batch has a checkpoint; the last one is the whole trail.
  const sizes = await call(mf, "/tlog/checkpoints?chain=signed");
  assert.ok(sizes.length >= 80, `a checkpoint per stored batch (${sizes.length})`);
  assert.equal(sizes.at(-1), 10000);
  assert.deepEqual(sizes, [...sizes].sort((a, b) => a - b));
  const latest = await raw("/tlog/checkpoint?chain=signed");
  assert.equal(latest.status, 200);
  assert.match(latest.type, /^text\/plain/);
  const notes = [];
  let cosigned = 0;
  for (const size of sizes) {
    const note = await call(mf, `/tlog/checkpoint?chain=signed&size=${size}`);
    const c = await openCheckpoint(note, [key.verifierKey]);
    assert.deepEqual([c.origin, c.size], [origin, size]);
    // The witness's cosignature verifies beside the log's signature.
    const both = await openCheckpoint(note, [key.verifierKey, witness.verifierKey]);
    if (both.signers.length === 2) cosigned++;
    assert.ok(both.signers.includes(origin), `size ${size}: signed by the log`);
    notes.push(note);
  }
  assert.equal(cosigned, sizes.length, "every checkpoint was cosigned by the witness");
  assert.equal(notes.at(-1), latest.text, "GET /checkpoint is the latest");
  const w = await openCheckpoint(latest.text, [key.verifierKey, witness.verifierKey]);
  assert.deepEqual(w.signers.toSorted(), [origin, "witness.example.org"].toSorted(), "the log's signature and the witness's cosignature verify");
  await assert.rejects(openCheckpoint(latest.text, [log.verifierKey]), /checkpoint refused/, "another log's key does not open it");
  // The witness serves what it cosigned last: the same checkpoint.
  const seen = await call(mf, `/witness/checkpoint?origin=${encodeURIComponent(origin)}`);
  assert.equal((await openCheckpoint(seen, [key.verifierKey, witness.verifierKey])).size, 10000);

  // GET /verify compares the stored trail with the latest checkpoint too.
  const verified = await call(mf, "/chain/verify?chain=signed");
  assert.equal(verified.ok, true);
  assert.deepEqual(verified.checkpoints.map((c) => [c.size, c.ok]), [[10000, true]], "/verify checks the latest checkpoint");

  // Consecutive checkpoints are consistent (GET /consistency + verifyConsistency).
  for (let i = 1; i < sizes.length; i++) {
    const hashes = (await call(mf, `/tlog/consistency?chain=signed&old=${sizes[i - 1]}&new=${sizes[i]}`)).split("\n").filter(Boolean);
    const r = await verifyConsistency(notes[i - 1], notes[i], hashes, [key.verifierKey]);
    assert.equal(r.ok, true, `${sizes[i - 1]} -> ${sizes[i]}: ${r.reason}`);
  }
  // ... and a wrong proof is refused.
  const h = (await call(mf, `/tlog/consistency?chain=signed&old=${sizes[3]}`)).split("\n").filter(Boolean);
  assert.equal((await verifyConsistency(notes[3], notes.at(-1), h.slice(1), [key.verifierKey])).ok, false);

  // Every 100th event's /proof verifies against the exported line (and not against another).
  for (let k = 0; k < 10000; k += 100) {
    const proof = await call(mf, `/tlog/proof?chain=signed&index=${k}`);
    const r = await verifyInclusionProof(proof, lines[k], [key.verifierKey]);
    assert.deepEqual([r.ok, r.index, r.size, r.origin], [true, k, 10000, origin], `entry ${k}: ${r.reason}`);
    if (k % 1000 === 0) {
      assert.equal((await verifyInclusionProof(proof, lines[k + 1], [key.verifierKey])).ok, false, "another line does not verify");
      // Against an older checkpoint that holds it.
      const older = sizes.find((s) => s > k);
      const p2 = await call(mf, `/tlog/proof?chain=signed&index=${k}&size=${older}`);
      const r2 = await verifyInclusionProof(p2, lines[k], [key.verifierKey]);
      assert.deepEqual([r2.ok, r2.size], [true, older]);
    }
  }

  // Every checkpoint matches the exported trail at its size; the latest alone too.
  const all = new ChainVerifier({ checkpoints: notes, verifierKeys: [key.verifierKey] });
  all.push(jsonl);
  const rAll = await all.finish();
  assert.equal(rAll.ok, true, JSON.stringify(rAll.checkpoints?.filter((c) => !c.ok).slice(0, 3)));
  assert.equal(rAll.checkpoints.length, notes.length);
  const verifyAgainstLatest = async (text) => {
    const v = new ChainVerifier({ checkpoints: [latest.text], verifierKeys: [key.verifierKey] });
    v.push(text);
    return v.finish();
  };
  assert.equal((await verifyAgainstLatest(jsonl)).ok, true);
  // Tampered exports fail against the checkpoint: a cut tail, an edited event re-chained by
  // hand (recomputing nothing but the text), a swapped pair.
  const cut = `${lines.slice(0, -3).join("\n")}\n`;
  const rc = await verifyAgainstLatest(cut);
  assert.equal(rc.ok, false);
  assert.equal(rc.checkpoints[0].ok, false);
  const edited = lines.slice();
  edited[5000] = edited[5000].replace(/"note-\d+"/, '"note-forged"');
  assert.notEqual(edited[5000], lines[5000]);
  const re = await verifyAgainstLatest(`${edited.join("\n")}\n`);
  assert.equal(re.ok, false);
  assert.equal(re.checkpoints[0].ok, false, "the tree no longer matches the checkpoint");
  const swapped = lines.slice();
  [swapped[10], swapped[11]] = [swapped[11], swapped[10]];
  assert.equal((await verifyAgainstLatest(`${swapped.join("\n")}\n`)).checkpoints[0].ok, false);

  console.log(`10,000 events from 8 streams into a signed, witnessed AuditChain: ${Math.round(ms)} ms, ${sizes.length} checkpoints, each cosigned`);
});

test("a tree kept without its stored subtrees (an earlier AuditChain) is filled once from the leaf hashes; proofs and consistency then verify", async () => {
  const key = streams.backfill;
  const { ids } = await emitStreams("backfill", { requests: 1, perRequest: 40 });
  const { lines } = await exported("backfill", ids);
  const size = lines.length;
  let ones = 0;
  for (let n = size; n > 0; n = Math.floor(n / 2)) ones += n % 2;
  assert.equal(await call(mf, "/chain/nodes?chain=backfill"), size - ones, "a tree of n leaves stores n - popcount(n) subtrees");
  const sizes = await call(mf, "/tlog/checkpoints?chain=backfill");
  const notes = await Promise.all([sizes[1], size].map((s) => call(mf, `/tlog/checkpoint?chain=backfill&size=${s}`)));
  for (const from of [3, 1]) {
    assert.ok((await call(mf, `/chain/drop-nodes?chain=backfill&from=${from}`)) < size - ones, "subtrees lost");
    assert.deepEqual(await call(mf, "/chain/reset?chain=backfill"), { reset: true });
    // The next request builds the object again: the subtrees are back, all of them.
    const proof = await call(mf, `/tlog/proof?chain=backfill&index=${size - 2}`);
    assert.equal(await call(mf, "/chain/nodes?chain=backfill"), size - ones, `filled again after losing levels >= ${from}`);
    assert.equal((await verifyInclusionProof(proof, lines[size - 2], [key.verifierKey])).ok, true);
    for (const k of [0, 7, 100, size - 1]) {
      const r = await verifyInclusionProof(await call(mf, `/tlog/proof?chain=backfill&index=${k}`), lines[k], [key.verifierKey]);
      assert.deepEqual([r.ok, r.index, r.size], [true, k, size], `entry ${k}: ${r.reason}`);
    }
    const hashes = (await call(mf, `/tlog/consistency?chain=backfill&old=${sizes[1]}&new=${size}`)).split("\n").filter(Boolean);
    assert.equal((await verifyConsistency(notes[0], notes[1], hashes, [key.verifierKey])).ok, true);
  }
});

test("the endpoints refuse bad questions with a status, never a trap", async () => {
  assert.equal((await raw("/tlog/proof?chain=signed&index=10000")).status, 400, "index past the latest checkpoint");
  assert.equal((await raw("/tlog/proof?chain=signed&index=0&size=3")).status, 404, "no checkpoint of that size");
  assert.equal((await raw("/tlog/proof?chain=signed")).status, 400);
  assert.equal((await raw("/tlog/proof?chain=signed&index=-1")).status, 400);
  assert.equal((await raw("/tlog/consistency?chain=signed&old=0")).status, 400);
  assert.equal((await raw("/tlog/consistency?chain=signed&old=20000")).status, 400);
  assert.equal((await raw("/tlog/consistency?chain=signed&old=1&new=20000")).status, 404);
  assert.equal((await raw("/tlog/checkpoint?chain=signed&size=x")).status, 400);
  const same = await raw("/tlog/consistency?chain=signed&old=10000&new=10000");
  assert.deepEqual([same.status, same.text], [200, ""], "equal sizes: no hashes");
  assert.equal((await raw("/tlog/checkpoint?chain=empty")).status, 404, "no checkpoint yet");
  // A stream without its own key among several: checkpoints off for it, said plainly (an origin names one log).
  const nokey = await raw("/tlog/checkpoint?chain=nokey");
  assert.equal(nokey.status, 500);
  assert.match(nokey.text, /no key for this stream/);
});

test("without a signer key the checkpoint endpoints answer 501 and the chain works as before", async () => {
  const { ids } = await emitStreams("plain", { requests: 1, perRequest: 20, ns: "&ns=unsigned" });
  await exported("plain", ids, "&ns=unsigned");
  for (const path of ["checkpoint", "checkpoints", "proof?index=0", "consistency?old=1"]) {
    const r = await raw(`/tlog/${path}${path.includes("?") ? "&" : "?"}chain=plain&ns=unsigned`);
    assert.equal(r.status, 501, path);
    assert.match(r.text, /AUDIT_SIGNER_KEY/);
  }
});

/** A test log's tree over `entries`: its signed checkpoint at `size`, and proofs. */
function treeOf(entries) {
  const t = new TreeCore();
  // Every perfect subtree by "level:index" (leaves are level 0), as AuditChain stores them.
  const nodes = new Map();
  entries.forEach((e, i) => nodes.set(`0:${i}`, t.pushEntry(new TextEncoder().encode(e))));
  const taken = t.takeNodes();
  for (let i = 0; i < taken.length; i += 3) nodes.set(`${taken[i]}:${taken[i + 1]}`, taken[i + 2]);
  return {
    root: t.root(),
    size: entries.length,
    consistency(old) {
      const ids = proofNodes(old, entries.length, true);
      const hashes = [];
      for (let i = 0; i < ids.length; i += 2) hashes.push(nodes.get(`${ids[i]}:${ids[i + 1]}`));
      return proofFromNodes(old, entries.length, true, hashes);
    },
  };
}

test("AuditWitness: cosigns what extends its view, refuses two histories, a non-extending checkpoint, unknown logs and bad signatures", async () => {
  const add = (body, name = "w2") => raw(`/witness/add-checkpoint?witness=${name}`, { method: "POST", body });
  const request = (old, proof, note) => `old ${old}\n${proof.map((p) => `${p}\n`).join("")}\n${note}`;
  const entries = Array.from({ length: 8 }, (_, i) => `{"synthetic":${i}}`);
  const t5 = treeOf(entries.slice(0, 5));
  const t8 = treeOf(entries);
  const other5 = treeOf([...entries.slice(0, 4), '{"synthetic":"forked"}']);
  const other8 = treeOf([...entries.slice(0, 4), ...Array.from({ length: 4 }, (_, i) => `{"forked":${i}}`)]);
  const cp = (t, key = log.signerKey) => signCheckpoint({ origin: ORIGIN, size: t.size, root: t.root }, key);

  const first = await add(request(0, [], await cp(t5)));
  assert.equal(first.status, 200, first.text);
  assert.match(first.text, /^\u2014 witness\.example\.org \S+\n$/, "one cosignature line");
  const opened = await openCheckpoint(`${await cp(t5)}${first.text}`, [log.verifierKey, witness.verifierKey]);
  assert.deepEqual([opened.size, opened.signers.length], [5, 2], "the cosignature verifies with the witness's key");

  // The log thinks the witness saw nothing: 409 with the witness's size.
  const stale = await add(request(0, [], await cp(t8)));
  assert.deepEqual([stale.status, stale.type, stale.text], [409, "text/x.tlog.size", "5\n"]);
  // Two histories: the same size with another root.
  const fork = await add(request(5, [], await cp(other5)));
  assert.equal(fork.status, 422, fork.text);
  assert.equal(fork.text, "two_histories\n");
  // Not an extension: a tree of 8 that does not start with the 5 it cosigned (with that tree's own proof).
  const bad = await add(request(5, other8.consistency(5), await cp(other8)));
  assert.equal(bad.status, 422, bad.text);
  // A smaller tree than `old`.
  const smaller = await add(request(5, [], await cp(treeOf(entries.slice(0, 3)))));
  assert.equal(smaller.status, 400);
  // Unknown origin, and a signature by an unknown key of the known name.
  const elsewhere = await generateSignerKey("other.example.org/log");
  const unknown = await add(request(5, t8.consistency(5), await signCheckpoint({ origin: "other.example.org/log", size: 8, root: t8.root }, elsewhere.signerKey)));
  assert.equal(unknown.status, 404);
  const forged = await add(request(5, t8.consistency(5), await cp(t8, stranger.signerKey)));
  assert.equal(forged.status, 403);
  assert.equal((await add("old x\n\nnot a note")).status, 400);

  // Its view is unchanged by the refusals: it still extends 5 -> 8 with the right proof.
  const good = await add(request(5, t8.consistency(5), await cp(t8)));
  assert.equal(good.status, 200, good.text);
  const latest = await call(mf, `/witness/checkpoint?witness=w2&origin=${encodeURIComponent(ORIGIN)}`);
  const seen = await openCheckpoint(latest, [log.verifierKey, witness.verifierKey]);
  assert.deepEqual([seen.size, seen.root, seen.signers.length], [8, t8.root, 2]);
  // Then the fork at 8 is refused too; the refused forks are kept as evidence.
  assert.equal((await add(request(8, [], await cp(other8)))).status, 422);
  const evidence = await call(mf, `/witness/evidence?witness=w2&origin=${encodeURIComponent(ORIGIN)}`);
  assert.deepEqual(evidence.map((e) => e.reason), ["two_histories", bad.text.trim(), "two_histories"]);

  // A witness without its key configured says so.
  // (The binding is set for the whole Worker here; the refusal path is covered by the status list above.)
});

test("issue 21 item 1: wasm instances replaced mid-run under a signed AuditChain (and an unsigned one): nothing lost, nothing refused, the trail verifies", async () => {
  const plan = ["emit", "trail", "both", "emit", "trail", "both"];
  const hows = ["replace", "replace", "poison", "poison", "replace", "replace"];
  for (const ns of ["&ns=unsigned", ""]) {
    let k = 0;
    const generations = [];
    const { ids, dropped, diagnostics } = await emitStreams("replaced", {
      requests: 6,
      perRequest: 60,
      ns,
      during: async (s, r) => {
        if (s === 0 || s === 5) {
          const i = k++ % plan.length;
          generations.push({ which: plan[i], how: hows[i], ...(await call(mf, `/chain/replace?chain=replaced&which=${plan[i]}&how=${hows[i]}${ns}`)) });
        }
      },
    });
    // The replacements happened (the generation moved in the module replaced) ...
    const moved = generations.filter((g) => g.how === "replace" && (g.which !== "trail" ? g.after[0] > g.before[0] : true) && (g.which !== "emit" ? g.after[1] > g.before[1] : true));
    assert.equal(moved.length, generations.filter((g) => g.how === "replace").length, JSON.stringify(generations));
    // ... and every event was stored once, none refused ("not an event line") or dropped.
    assert.equal(ids.length, 8 * 6 * 60);
    assert.equal(dropped, 0, `${ns}: nothing dropped`);
    assert.equal(diagnostics, 0, `${ns}: no diagnostic (a refused line would report one)`);
    const { jsonl } = await exported("replaced", ids, ns);
    if (ns === "") {
      const note = await call(mf, "/tlog/checkpoint?chain=replaced");
      const v = new ChainVerifier({ checkpoints: [note], verifierKeys: [streams.replaced.verifierKey] });
      v.push(jsonl);
      const r = await v.finish();
      assert.equal(r.ok, true, JSON.stringify(r.checkpoints));
      assert.equal((await openCheckpoint(note, [streams.replaced.verifierKey, witness.verifierKey])).signers.length, 2, "still cosigned");
    }
  }
});
