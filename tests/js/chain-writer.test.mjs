// The wasm ChainWriter (used by the AuditChain Durable Object) chains a logger's plain lines into
// exactly the lines a logger with enableIntegrity emits: one chain implementation, the core's.
import { venvPython } from "./python.mjs";
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { AuditLogger } from "../../pkg/src/node.mjs";
import { verifyChain } from "../../pkg/src/trail-node.mjs";
import { ChainWriter } from "../../pkg/dist/glue.js";

function lines(options, n) {
  const out = [];
  let id = 0;
  const logger = new AuditLogger({
    serviceName: "chain-writer",
    sink: (e) => out.push(JSON.stringify(e)),
    idFactory: () => `00000000-0000-4000-8000-${String(++id).padStart(12, "0")}`,
    timeSource: () => Date.UTC(2026, 0, 1) + id * 1000,
    metadataAllowlist: ["count", "note", "tiny", "big"],
    ...options,
  });
  for (let i = 0; i < n; i++) {
    logger.audit(["READ", "UPDATE"][i % 2], { resource: { type: "Note", patient_id: `pt-${i}` }, metadata: { count: i * 1.5, note: "é — 📄", tiny: 1.5e-7 * (i + 1), big: 1e21 * (i + 1) }, actionName: `näme ${i}` });
  }
  return { out, head: logger.chainHead };
}

/** Python bh-audit-logger 1.1.1 chaining `plain` lines as its logger does: {**event, "integrity": compute_chain_hash(...)}. */
function pythonChain(plain, alg) {
  const py = venvPython("BH_REF111_PYTHON", ".venv-ref111", "bh-audit-logger[cli]==1.1.1");
  const script = `
import json, sys, bh_audit_logger
from bh_audit_logger._chain import compute_chain_hash
assert bh_audit_logger.__version__ == "1.1.1"
prev = None
out = []
for line in sys.stdin.read().splitlines():
    event = json.loads(line)
    block = compute_chain_hash(event, prev, sys.argv[1])
    event = {**event, "integrity": block}
    prev = block["event_hash"]
    out.append(json.dumps(event, separators=(",", ":"), ensure_ascii=False))
sys.stdout.write("\\n".join(out))
`;
  const r = spawnSync(py, ["-c", script, alg], { input: plain.join("\n"), encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split("\n");
}

for (const alg of ["sha256", "sha384", "sha512"]) {
  test(`ChainWriter(${alg}) chains a logger's lines byte for byte as Python 1.1.1, with the logger's own hashes`, () => {
    const plain = lines({}, 50).out;
    const w = new ChainWriter(alg, undefined);
    const mine = plain.map((l) => {
      const c = w.chainLine(`${l}\n`);
      assert.equal(w.eventId, JSON.parse(l).event_id);
      return c;
    });
    assert.deepEqual(mine, pythonChain(plain, alg));
    // The same chain as a logger with enableIntegrity: the same hashes, in the same order.
    const { out: chained, head } = lines({ enableIntegrity: true, hashAlgorithm: alg }, 50);
    assert.deepEqual(mine.map((l) => JSON.parse(l).integrity), chained.map((l) => JSON.parse(l).integrity));
    assert.equal(w.head, head);
    assert.equal(verifyChain(mine.join("\n")).ok, true);
    // Re-chaining an already chained line replaces its block (as Python's {**event, "integrity": ...}).
    const again = new ChainWriter(alg, undefined);
    assert.deepEqual(mine.map((l) => again.chainLine(l)), mine);
  });
}

test("ChainWriter resumes from a head, refuses non-objects without echoing them, and keeps its head then", () => {
  const plain = lines({}, 4).out;
  const a = new ChainWriter("sha256", undefined);
  const all = plain.map((l) => a.chainLine(l));
  const b = new ChainWriter("sha256", JSON.parse(all[1]).integrity.event_hash);
  assert.deepEqual(plain.slice(2).map((l) => b.chainLine(l)), all.slice(2));
  const head = b.head;
  for (const bad of ["[1]", "not json pt-secret", "", "null"]) {
    assert.throws(() => b.chainLine(bad), (e) => e instanceof TypeError && !e.message.includes("secret"));
    assert.equal(b.head, head);
    assert.equal(b.eventId, undefined);
  }
  assert.throws(() => new ChainWriter("md5", undefined), RangeError);
  b.head = undefined;
  assert.equal(JSON.parse(b.chainLine(plain[0])).integrity.prev_event_hash, undefined);
});
