// Run by http-sink.test.mjs in Deno with no permissions: httpSink over a `fetch` option that
// fails at times (Deno's own timers, AbortController, Response); prints one JSON line.
import { AuditLogger, httpSink } from "../../pkg/src/bytes.mjs";

const got = [];
let calls = 0;
const fetch = async (url, init) => {
  calls++;
  if (calls % 3 === 1) throw new TypeError("network down");
  if (calls % 3 === 2) return new Response("", { status: 503, headers: { "retry-after": "0" } });
  if (init.headers["content-type"] !== "application/x-ndjson") throw new Error("wrong content type");
  got.push(...init.body.split("\n").filter(Boolean).map((l) => JSON.parse(l).event_id));
  return new Response(null, { status: 202 });
};
const dest = httpSink({ url: "https://collector.example/ingest", fetch, batchSize: 25, backoffMs: 1, maxBackoffMs: 5 });
const sink = Object.assign((e) => dest.write(`${JSON.stringify(e)}\n`), { flush: (ms) => dest.flush(ms), attach: (r) => dest.attach(r) });
const logger = new AuditLogger({ serviceName: "deno-http", sink });
const ids = [];
for (let i = 0; i < 100; i++) ids.push(logger.audit("READ", { resource: { type: "Note" } }).event_id);
await logger.flush(10000);
console.log(JSON.stringify({ ids, got, calls, stats: logger.stats, sink: dest.stats }));
