import { spawn } from 'node:child_process';
import path from 'node:path';
import mongoose from 'mongoose';
import pino from 'pino';
import { loadConfig } from '../config/index';
import { createHub } from '../src/main';
import { createMessageModel } from '../src/tickets/message.model';
import { percentile, record, runConcurrent, type BenchRecord } from './harness';
import type { LoadResult } from './inbound-load';

const KEY = 'bench-inbound-key-0123456789abcdef';

/** Runs bench/inbound-load.ts in a child process (the same Node and loader flags as this one). */
function load(url: string, total: number, concurrency: number, first: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, path.join(__dirname, 'inbound-load.ts'), url, KEY, String(total), String(concurrency), String(first)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`inbound-load exited with ${code}`));
      try {
        resolve(JSON.parse(out) as LoadResult);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  });
}

/**
 * Full pipeline through the API channel (HTTP accept → queue → worker → contact, ticket,
 * message stored) against raw inserts of equivalent message documents into the same
 * database, same concurrency, same run. The messages come from another process, as an
 * integrator's do; the raw inserts are made by the process that times them.
 */
export async function runIngestBench(mongoBase: string, redisUrl: string, total = 1500, concurrency = 32): Promise<BenchRecord[]> {
  const name = `bench_ingest_${Date.now().toString(36)}`;
  const uri = new URL(mongoBase);
  uri.pathname = `/${name}`;
  const hub = await createHub(
    loadConfig({
      MONGODB_URI: uri.toString(),
      REDIS_URL: redisUrl,
      REDIS_PREFIX: name,
      PORT: '0',
      HOST: '127.0.0.1',
      INBOUND_API_KEY: KEY,
      ADMIN_PASSWORD: 'bench-admin-pass',
      JWT_SECRET: 'bench-jwt-secret-0123456789abcdef0123456789',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'silent',
      DATA_DIR: `/tmp/${name}`,
      INGEST_CONCURRENCY: '16',
    }),
    { logger: pino({ level: 'silent' }) },
  );
  try {
    // The integrator runs in a process of its own; a warm-up message first.
    await load(hub.url, 1, 1, -1);
    const sent = await load(hub.url, total, concurrency, 0);
    const latencies = sent.latencies;
    const pipelineSeconds = sent.seconds;
    const accepted = sent.accepted202;
    // Accepted (enqueued) → stored, as the hub recorded it on each message.
    const stored = await hub.models.Message.find({ direction: 'inbound', externalId: /^bench-\d/ }, { acceptedAt: 1, createdAt: 1 }).lean();
    const acceptedToStored = stored.filter((m) => m.acceptedAt).map((m) => m.createdAt.getTime() - m.acceptedAt!.getTime()).sort((a, b) => a - b);

    const conn = await mongoose.createConnection(uri.toString().replace(name, `${name}_raw`)).asPromise();
    const Raw = createMessageModel(conn);
    await Raw.init();
    const r0 = performance.now();
    const rawLatencies = await runConcurrent(total, concurrency, async (i) => {
      await Raw.collection.insertOne({
        direction: 'inbound', channel: 'api', externalId: `raw-${i}`, from: { address: `customer${i % 200}@example.com`, name: '' },
        to: [], subject: `Order ${i}`, text: 'My parcel is late again', html: '', rawHtml: '', attachments: [], threadKeys: [`raw-${i}`],
        metadata: [], deliveryStatus: 'received', receivedAt: new Date(), createdAt: new Date(), updatedAt: new Date(),
      });
    });
    const rawSeconds = (performance.now() - r0) / 1000;
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();

    latencies.sort((a, b) => a - b);
    rawLatencies.sort((a, b) => a - b);
    // accepted202: messages answered 202 and polled until stored (counted in the latency).
    const extra = { messages: total, concurrency, accepted202: accepted };
    return [
      record('ingest.throughput', 'messages/s', total / pipelineSeconds, total / rawSeconds, 'raw insertOne of one message document', extra),
      record('ingest.latency.p50', 'ms', percentile(latencies, 50), percentile(rawLatencies, 50), 'raw insertOne p50', extra),
      record('ingest.latency.p99', 'ms', percentile(latencies, 99), percentile(rawLatencies, 99), 'raw insertOne p99', extra),
      record('ingest.accepted_to_stored.p50', 'ms', percentile(acceptedToStored, 50), percentile(rawLatencies, 50), 'raw insertOne p50', extra),
      record('ingest.accepted_to_stored.p99', 'ms', percentile(acceptedToStored, 99), percentile(rawLatencies, 99), 'raw insertOne p99', extra),
    ];
  } finally {
    await hub.stop();
  }
}
