import mongoose from 'mongoose';
import pino from 'pino';
import { loadConfig } from '../config/index';
import { createHub } from '../src/main';
import { createMessageModel } from '../src/tickets/message.model';
import { percentile, record, runConcurrent, type BenchRecord } from './harness';

const KEY = 'bench-inbound-key-0123456789abcdef';

/**
 * Full pipeline through the API channel (HTTP accept → queue → worker → contact, ticket,
 * message stored) against raw inserts of equivalent message documents into the same
 * database, same concurrency, same run.
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
    const body = (i: number) =>
      JSON.stringify({
        externalId: `bench-${i}`,
        from: { address: `customer${i % 200}@example.com`, name: `Customer ${i % 200}` },
        subject: `Order ${i}`,
        text: i % 2 ? 'My parcel is late again, this is the third time, I want a refund.' : '请问怎么修改收货地址？',
      });
    const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
    let accepted = 0;
    /**
     * One message, as an integrator sends it: 201 once stored, or 202 (storing took longer than
     * INGEST_WAIT_TIMEOUT_MS) and then its status URL polled until it is stored.
     */
    async function send(i: number): Promise<void> {
      const res = await fetch(`${hub.url}/api/v1/inbound`, { method: 'POST', headers, body: body(i) });
      if (res.status === 201) {
        await res.arrayBuffer();
        return;
      }
      if (res.status !== 202) throw new Error(`inbound answered ${res.status}: ${await res.text()}`);
      accepted++;
      const { statusUrl } = (await res.json()) as { statusUrl: string };
      const giveUp = Date.now() + 300_000;
      while (Date.now() < giveUp) {
        await new Promise((r) => setTimeout(r, 100));
        const poll = await fetch(statusUrl, { headers });
        const s = (await poll.json()) as { status?: string; reason?: string };
        if (poll.status === 200 && s.status === 'stored') return;
        if (poll.status !== 202) throw new Error(`inbound job answered ${poll.status}: ${JSON.stringify(s)}`);
      }
      throw new Error(`message ${i} was not stored within 5 minutes`);
    }
    // Warm up both paths.
    await send(-1);
    accepted = 0;

    const t0 = performance.now();
    const latencies = await runConcurrent(total, concurrency, send);
    const pipelineSeconds = (performance.now() - t0) / 1000;
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
