import type { Hub } from '../../src/main';
import { request, startTestHub, type TestHubEnv } from '../support/hub';

/**
 * Rate limits of the public endpoints: an integrator with the inbound key has a budget of its
 * own (per key, high), so a backlog import is not throttled by its address's budget; anyone
 * without the valid key counts against their address.
 */
let hub: Hub & { env: TestHubEnv };
const PER_ADDRESS = 20;

beforeAll(async () => {
  hub = await startTestHub('rate-limit', { PUBLIC_RATE_LIMIT_PER_MINUTE: String(PER_ADDRESS) });
});
afterAll(async () => {
  await hub?.stop();
});

const inbound = (externalId: string, apiKey?: string) =>
  request(`${hub.url}/api/v1/inbound`, { body: { externalId, from: { address: 'backlog@example.com', name: 'Backlog' }, text: 'An imported message.' }, ...(apiKey ? { apiKey } : {}) });

/** Runs `count` calls with at most `concurrency` in flight; answers their statuses. */
async function pooled(count: number, concurrency: number, call: (i: number) => Promise<{ status: number }>): Promise<number[]> {
  const statuses: number[] = new Array<number>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        statuses[i] = (await call(i)).status;
      }
    }),
  );
  return statuses;
}

const tally = (statuses: number[]): Record<string, number> => statuses.reduce<Record<string, number>>((t, s) => ({ ...t, [s]: (t[s] ?? 0) + 1 }), {});

test('an integrator with the valid key sends 3,000 messages within a minute and is not throttled, though its address budget is 20', async () => {
  // A few distinct messages, each replayed: every request still passes the limiter and the key
  // check like a new one (the replays are answered as duplicates), at a fraction of the ingest cost.
  // However long this takes, 20 a minute per address would have throttled most of them.
  const statuses = await pooled(3000, 24, (i) => inbound(`backlog-${i % 10}`));
  expect(tally(statuses)).toEqual({ 201: 3000 });
  expect(await hub.models.Message.countDocuments({ externalId: /^backlog-/ })).toBe(10);
});

test('100 requests with a wrong key from one address: the first 20 answer 401, the rest 429 with Retry-After; the valid key still gets through', async () => {
  const statuses = await pooled(100, 4, (i) => inbound(`bad-${i}`, 'not-the-inbound-key-0000'));
  expect(tally(statuses)).toEqual({ 401: PER_ADDRESS, 429: 100 - PER_ADDRESS });
  const blocked = await inbound('bad-again', 'not-the-inbound-key-0000');
  expect(blocked.status).toBe(429);
  expect(blocked.headers.get('content-type')).toContain('application/problem+json');
  expect(blocked.body).toMatchObject({ status: 429, title: 'Too many requests' });
  expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
  // Anonymous requests to the other public endpoints share the throttled address's budget.
  expect((await request(`${hub.url}/api/v1/auth/login`, { body: { email: 'x@example.com', password: 'whatever-1' }, apiKey: null })).status).toBe(429);
  // The integrator on the same address is counted on its key.
  expect((await inbound('after-the-flood')).status).toBe(201);
});

test('the per-key budget itself is enforced: past INBOUND_RATE_LIMIT_PER_MINUTE_PER_KEY the key gets 429 with Retry-After', async () => {
  const small = await startTestHub('rate-limit-key', { PUBLIC_RATE_LIMIT_PER_MINUTE: '1000', INBOUND_RATE_LIMIT_PER_MINUTE_PER_KEY: '5' });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await request(`${small.url}/api/v1/inbound`, { body: { externalId: `k-${i}`, from: { address: 'k@example.com' }, text: 'hi' } })).status);
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
    const blocked = await request(`${small.url}/api/v1/inbound`, { body: { externalId: 'k-again', from: { address: 'k@example.com' }, text: 'hi' } });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Without the key the address's own budget applies (401: not throttled).
    expect((await request(`${small.url}/api/v1/inbound`, { body: { externalId: 'k-anon', from: { address: 'k@example.com' }, text: 'hi' }, apiKey: 'wrong-key-wrong-key' })).status).toBe(401);
  } finally {
    await small.stop();
  }
});
