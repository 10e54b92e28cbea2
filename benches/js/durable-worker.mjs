// The Worker timed by benches/js/durable.mjs: one request audits `n` events into the chosen sink
// and waits for logger.flush(), so the request's wall time covers delivery and storage.
import { AuditLogger, consoleSink, httpSink } from "bh-audit-logger";
import { AuditChain, chainSink, d1Store } from "bh-audit-logger/cloudflare";

export { AuditChain };

/** A function sink over a destination (until the facade hands lines to destinations itself). */
function over(dest) {
  return Object.assign((e) => dest.write(`${JSON.stringify(e)}\n`), { flush: (ms) => dest.flush(ms), attach: (r) => dest.attach(r) });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const n = Number(url.searchParams.get("n") ?? "1000");
    const kind = url.searchParams.get("sink");
    if (url.pathname === "/migrate") {
      await d1Store(env.DB).migrate();
      return new Response("ok");
    }
    let sink;
    if (kind === "none") sink = () => {};
    else if (kind === "console") sink = consoleSink();
    else if (kind === "chain") sink = over(chainSink(env.AUDIT_CHAIN, { stream: "bench" }));
    else if (kind === "d1") sink = over(d1Store(env.DB).sink);
    else if (kind === "http") sink = over(httpSink({ url: url.searchParams.get("url") }));
    else return new Response("unknown sink", { status: 400 });
    const logger = new AuditLogger({ serviceName: "bench", serviceEnvironment: "bench", sink });
    for (let i = 0; i < n; i++) {
      logger.audit("READ", { actor: { subject_id: `clin-${i % 7}`, subject_type: "human" }, resource: { type: "Note", id: `n-${i}`, patient_id: `pt-${i % 50}` }, phiTouched: true });
    }
    await logger.flush(120000);
    const s = logger.stats;
    return Response.json({ emitted: s.events_emitted_total, dropped: s.events_dropped_total });
  },
};
