// ChainVerifier and TrailReport in JS (pkg/src/trail.js): the same result as verifyChain at
// every split point (UTF-16 string pieces, surrogate pairs included, and byte pieces inside
// UTF-8 sequences), random splits of a large generated trail, and hostile arguments.
import { test } from "node:test";
import assert from "node:assert/strict";
import { AuditLogger } from "../../pkg/src/node.mjs";
import { ChainVerifier, TrailReport, verifyChain } from "../../pkg/src/trail-node.mjs";
import { generateTrail } from "../../scripts/gen-trail.mjs";

function smallTrail() {
  const lines = [];
  const logger = new AuditLogger({ serviceName: "trail-test", enableIntegrity: true, metadataAllowlist: ["note"], sink: (e) => lines.push(JSON.stringify(e)) });
  for (let i = 0; i < 5; i++) {
    logger.audit(i === 3 ? "UPDATE" : "READ", {
      actor: { subject_id: `user_${i}`, subject_type: "human" },
      resource: { type: "Note" },
      metadata: { note: "é😀\u2028ü" },
      ...(i === 2 ? { error: new Error("x") } : {}),
    });
  }
  return lines;
}

function viaPieces(Cls, pieces, options) {
  const v = new Cls(options);
  for (const p of pieces) v.push(p);
  return v.finish();
}

test("ChainVerifier equals verifyChain at every string and byte split point", () => {
  const lines = smallTrail();
  const tampered = [...lines];
  tampered[1] = tampered[1].replace("user_1", "user_9");
  tampered.splice(3, 1);
  for (const text of [`${lines.join("\n")}\n`, tampered.join("\r\n")]) {
    const whole = verifyChain(text);
    const bytes = new TextEncoder().encode(text);
    for (let i = 0; i <= text.length; i++) assert.deepEqual(viaPieces(ChainVerifier, [text.slice(0, i), text.slice(i)]), whole, `string split at ${i}`);
    for (let i = 0; i <= bytes.length; i++) assert.deepEqual(viaPieces(ChainVerifier, [bytes.subarray(0, i), bytes.subarray(i).slice().buffer]), whole, `byte split at ${i}`);
    const report = viaPieces(TrailReport, [text]);
    assert.deepEqual(report.chain, whole);
    for (let i = 0; i <= bytes.length; i += 7) assert.deepEqual(viaPieces(TrailReport, [bytes.subarray(0, i), bytes.subarray(i)]), report, `report split at ${i}`);
  }
  assert.equal(verifyChain(`${lines.join("\n")}\n`).ok, true);
});

test("1,000 random multi-piece splits of a 2 MB generated trail", async () => {
  let text = "";
  await generateTrail({ bytes: 2 << 20, write: (t) => void (text += t) });
  text = text.replace('"hash_alg":"sha256","prev', '"hash_alg":"sha384","prev'); // one tampered event
  const bytes = new TextEncoder().encode(text);
  const whole = verifyChain(text);
  assert.equal(whole.ok, false);
  let x = 0x2545f491;
  const rnd = (n) => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x % n;
  };
  for (let k = 0; k < 1000; k++) {
    const cuts = Array.from({ length: 1 + rnd(6) }, () => rnd(bytes.length + 1)).sort((a, b) => a - b);
    const pieces = [];
    let at = 0;
    for (const c of [...cuts, bytes.length]) {
      pieces.push(bytes.subarray(at, c));
      at = c;
    }
    assert.deepEqual(viaPieces(ChainVerifier, pieces), whole, `cuts ${cuts}`);
  }
});

test("progress getters, the failure cap, and hostile arguments", () => {
  const lines = smallTrail().map((l) => l.replace('"event_hash":"', '"event_hash":"0'));
  const v = new ChainVerifier({ maxFailures: 2 });
  v.push(`${lines.join("\n")}\n`);
  assert.equal(v.events, 5);
  assert.ok(v.bytes > 1000);
  const r = v.finish();
  assert.equal(r.failures.length, 2);
  assert.equal(r.failures_omitted, r.hash_mismatches + r.chain_gaps - 2);
  assert.throws(() => v.push("x"), /already finished/);
  assert.throws(() => v.finish(), /already finished/);
  for (const bad of [123, null, {}, [1, 2], Symbol("x")]) assert.throws(() => new ChainVerifier().push(bad), TypeError);
  const throwing = { get maxFailures() { throw new Error("boom 123-45-6789"); } };
  assert.throws(() => new ChainVerifier(throwing), (e) => e instanceof TypeError && !e.message.includes("123-45-6789"));
  assert.throws(() => new TrailReport({ schemaVersion: "9.9" }), RangeError);
  assert.throws(() => new TrailReport({ maxFailures: -1 }), RangeError);
  assert.throws(() => new TrailReport({ verifyChain: "yes" }), TypeError);
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  assert.throws(() => new TrailReport(revoked.proxy), TypeError);
  const s = new TrailReport({ verifyChain: false, schemaVersion: "1.1" });
  s.push(lines[0]);
  const out = s.finish();
  assert.equal(out.chain, null);
  assert.equal(out.valid, 1);
});

test("verifyChain and the streaming classes name an event only by a UUID event_id (issue 13, item 9)", () => {
  const lines = smallTrail().map((l, i) => {
    const e = JSON.parse(l);
    e.event_id = ["PASS\n\u001b[2J\u0007", "123-45-6789", e.event_id.toUpperCase(), "jane@example.org", e.event_id][i];
    e.metadata.note = "changed"; // every line fails its hash
    return JSON.stringify(e);
  });
  const text = lines.join("\n");
  const r = verifyChain(text);
  assert.equal(r.failures.length, 5);
  assert.deepEqual(r.failures.map((f) => f.event_id === null), [true, true, false, true, false]);
  assert.match(r.failures[2].event_id, /^[0-9A-F-]{36}$/);
  const out = JSON.stringify([r, viaPieces(ChainVerifier, [text]), viaPieces(TrailReport, [text])]);
  for (const secret of ["PASS", "123-45-6789", "jane@", "\\u001b", "changed"]) assert.ok(!out.includes(secret), secret);
});
