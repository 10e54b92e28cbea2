// Compiled (not run) by types.test.mjs: the batching destinations and bh-audit-logger/cloudflare.
import { AuditLogger, httpSink, type BatchingDestination } from "bh-audit-logger";
import { AuditChain, chainSink, d1Store, queueSink, auditQueueConsumer, type D1Like, type AuditChainNamespace } from "bh-audit-logger/cloudflare";

declare const ns: AuditChainNamespace;
declare const db: D1Like;
declare const queue: { sendBatch(m: { body: string }[]): Promise<void> };

const http: BatchingDestination = httpSink({ url: "https://collector.example/ingest", headers: { authorization: "Bearer x" }, batchSize: 50, maxRetries: 3 });
const logger = new AuditLogger({ serviceName: "svc", sink: http });
const store = d1Store(db, { table: "audit" });
const sinks: BatchingDestination[] = [chainSink(ns, { stream: "main" }), store.sink, queueSink(queue)];
const n: number = http.stats.dropped + sinks.length;
void [logger.flush(), store.migrate(), store.byPatient("pt-1", { from: "2026-01-01T00:00:00Z", limit: 10 }), store.denials(), n, AuditChain.hashAlgorithm];
const consumer = auditQueueConsumer({ store: (env: { DB: D1Like }) => d1Store(env.DB) });
const poison: number = consumer.stats.poison;
void [poison, auditQueueConsumer({ chain: ns, stream: "main" })];
// @ts-expect-error url is required
httpSink({});
// @ts-expect-error a store or a chain
auditQueueConsumer({});

// Verifiable trails on Cloudflare: the checkpoint, proof and witness surface.
import { AuditWitness } from "bh-audit-logger/cloudflare";
declare const chain: AuditChain;
declare const witness: AuditWitness;
const note: string | null = chain.checkpoint();
const sizes: number[] = chain.checkpointSizes();
const proof: string = chain.inclusionProof(0, sizes[0]);
const hashes: string[] = chain.consistencyProof(1);
const stored: Promise<{ stored: number; seq: number }> = chain.storeLines(["{}"]);
const answer: { status: number; contentType: string; body: string } = witness.addCheckpoint("old 0\n\n");
const seen: string | null = witness.latest("audit.example.org/notes-api");
void [note, proof, hashes, stored, answer, seen];
