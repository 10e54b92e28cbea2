// Run with --expose-gc by delivery.test.mjs (and by hand: `node --expose-gc tests/js/heap-loggers.mjs 20000`):
// N loggers, each created, given one event for one shared batching destination, flushed and
// discarded. Prints the heap growth after GC between a warm-up and the end, as JSON.
import { AuditLogger, httpSink } from "../../pkg/src/node.mjs";

const n = Number(process.argv[2] ?? 20000);
const dest = httpSink({ url: "https://collector.example/ingest", batchSize: 100, flushIntervalMs: 60000, fetch: async () => new Response("ok") });

async function round(count) {
  for (let i = 0; i < count; i++) {
    const logger = new AuditLogger({ serviceName: "per-request", sink: dest, onDiagnostic: () => {} });
    logger.audit("READ", { actor: { subject_id: "clin-1", subject_type: "human" }, resource: { type: "Note", id: `n-${i}` } });
    if (i % 100 === 99) await logger.flush(10000);
  }
  await dest.flush(10000);
}

async function settledHeap() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  return process.memoryUsage().heapUsed;
}

await round(2000); // warm-up: code compiled, caches filled
const before = await settledHeap();
await round(n);
const after = await settledHeap();
console.log(JSON.stringify({ loggers: n, heapBefore: before, heapAfter: after, growthBytes: after - before, delivered: dest.stats.delivered - 2000 }));
