/**
 * The ingest bench's integrator: a process of its own (as an integrator is), so the hub's
 * event loop serves requests instead of also making them. Sends `total` messages with at
 * most `concurrency` in flight to POST /api/v1/inbound; prints one JSON line with each
 * message's sent → stored time and how many were answered 202 and polled.
 *
 * Usage: inbound-load.ts <hubUrl> <apiKey> <total> <concurrency> [firstIndex]
 */
import { runConcurrent } from './harness';

export interface LoadResult {
  latencies: number[];
  accepted202: number;
  seconds: number;
}

/** The message body of bench message `i` (200 customers, English and Chinese text). */
function benchMessage(i: number): string {
  return JSON.stringify({
    externalId: `bench-${i}`,
    from: { address: `customer${i % 200}@example.com`, name: `Customer ${i % 200}` },
    subject: `Order ${i}`,
    text: i % 2 ? 'My parcel is late again, this is the third time, I want a refund.' : '请问怎么修改收货地址？',
  });
}

async function main(): Promise<void> {
  const [url, key, totalArg, concurrencyArg, firstArg] = process.argv.slice(2);
  if (!url || !key) throw new Error('usage: inbound-load.ts <hubUrl> <apiKey> <total> <concurrency> [firstIndex]');
  const total = Number(totalArg);
  const concurrency = Number(concurrencyArg);
  const first = Number(firstArg ?? 0);
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  let accepted202 = 0;
  /**
   * One message, as an integrator sends it: 201 once stored, or 202 (storing took longer than
   * INGEST_WAIT_TIMEOUT_MS) and then its status URL polled until it is stored.
   */
  async function send(i: number): Promise<void> {
    const res = await fetch(`${url}/api/v1/inbound`, { method: 'POST', headers, body: benchMessage(i) });
    if (res.status === 201) {
      await res.arrayBuffer();
      return;
    }
    if (res.status !== 202) throw new Error(`inbound answered ${res.status}: ${await res.text()}`);
    accepted202++;
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
  const t0 = performance.now();
  const latencies = await runConcurrent(total, concurrency, (n) => send(first + n));
  const result: LoadResult = { latencies, accepted202, seconds: (performance.now() - t0) / 1000 };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`inbound-load failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
