/**
 * A poller scheduled through ctx.schedule (the feed channel instance): it runs on one of two
 * hub processes at a time, its checkpoint moves only after a successful poll and survives a
 * restart of every process, and its health — unhealthy with the reason, then recovered — is
 * shown by /readyz and /metrics of any process.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { loadConfig } from '../../config/index';
import { createHub, type Hub } from '../../src/main';
import { api, signInAdmin, type SignedIn, type TestHub } from '../support/desk.fixtures';
import { startTestHub, type TestHubEnv } from '../support/hub';

const TOKEN = 'feed-bearer-token-0c8e2f41';

/** The integrator's feed: pages by cursor, each answer held back a little so overlapping polls would show. */
const feed = {
  server: null as Server | null,
  url: '',
  failing: false,
  inFlight: 0,
  maxInFlight: 0,
  /** The cursor of every poll, in order ('' = none). */
  cursors: [] as string[],
  pages: new Map<string, { messages: unknown[]; cursor: string }>(),
};
const msg = (n: number) => ({ externalId: `feed-${n}`, from: { address: `customer${n}@example.org` }, text: `Feed message ${n}` });
feed.pages.set('', { messages: [msg(1), msg(2)], cursor: 'c1' });
feed.pages.set('c1', { messages: [{ ...msg(3), chosenType: 'complaint' }], cursor: 'c2' });
feed.pages.set('c2', { messages: [], cursor: 'c2' });

let a: TestHub;
let b: Hub | null = null;
let admin: SignedIn;
let instanceId = '';

async function startSibling(env: TestHubEnv): Promise<Hub> {
  return createHub(loadConfig({ ...env, PUBLIC_URL: undefined }), { logger: pino({ level: 'silent' }) });
}

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const checkpoint = async (hub: Hub): Promise<string | null> => {
  const doc = await hub.models.Ticket.db.collection<{ _id: string; value: string }>('channel_checkpoints').findOne({ _id: `${instanceId}:cursor` });
  return doc?.value ?? null;
};
const stored = (hub: Hub, n: number) => hub.models.Message.countDocuments({ channel: 'api', externalId: `feed-${n}` });
const readyz = async (hub: Hub) => (await fetch(`${hub.url}/readyz`)).json() as Promise<{ status: string; channels: Record<string, { ok: boolean; reason: string | null; name: string; channel: string }> }>;
const gauge = async (hub: Hub): Promise<string | null> => {
  const text = await (await fetch(`${hub.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('hub_channel_healthy{') && l.includes(`instance="${instanceId}"`));
  return line ? line.slice(line.lastIndexOf(' ') + 1) : null;
};

beforeAll(async () => {
  feed.server = createServer((req, res) => {
    const cursor = new URL(req.url ?? '/', 'http://x').searchParams.get('cursor') ?? '';
    feed.cursors.push(cursor);
    feed.inFlight += 1;
    feed.maxInFlight = Math.max(feed.maxInFlight, feed.inFlight);
    setTimeout(() => {
      feed.inFlight -= 1;
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end();
      if (feed.failing) return void res.writeHead(503).end('maintenance');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(feed.pages.get(cursor) ?? { messages: [], cursor }));
    }, 150);
  });
  feed.server.listen(0, '127.0.0.1');
  await once(feed.server, 'listening');
  feed.url = `http://127.0.0.1:${(feed.server.address() as AddressInfo).port}/feed`;

  a = await startTestHub('poller');
  b = await startSibling(a.env);
  admin = await signInAdmin(a);
});
afterAll(async () => {
  await b?.stop();
  await a.stop();
  feed.server?.close();
});

test('one process polls at a time; the cursor moves after success only and survives a restart; health is shown', async () => {
  // Every 100 ms, each poll taking 150 ms, two processes: overlapping polls would show at once.
  const created = await api<{ id: string }>(a, admin.token, 'POST', '/channels', {
    kind: 'feed',
    name: 'Legacy CRM',
    settings: { url: feed.url, intervalMs: 100 },
    secrets: { token: TOKEN },
    defaultType: 'suggestion',
  });
  expect(created.status).toBe(201);
  instanceId = created.body.id;
  // The other process heard of it and runs it too.
  await until(async () => b!.runningChannelInstances(), (ids) => ids.includes(instanceId));

  await until(() => checkpoint(a), (c) => c === 'c2');
  await until(async () => feed.cursors.filter((c) => c === 'c2').length, (n) => n >= 5);
  expect(feed.maxInFlight).toBe(1);
  for (const n of [1, 2, 3]) await until(() => stored(a, n), (count) => count === 1);
  // The instance's default type applies; a type the customer chose wins.
  const tickets = await a.models.Ticket.find({ origin: { $in: ['api:feed-1', 'api:feed-3'] } }).sort({ origin: 1 }).lean();
  expect(tickets.map((t) => [t.origin, t.type])).toEqual([
    ['api:feed-1', 'suggestion'],
    ['api:feed-3', 'complaint'],
  ]);
  const m1 = await a.models.Message.findOne({ externalId: 'feed-1' }).lean();
  expect(m1?.metadata.map((e) => [e.key, e.value])).toContainEqual(['channelInstance', instanceId]);
  expect(feed.cursors.slice(0, 2)).toEqual(['', 'c1']);
  const healthy = await readyz(b!);
  expect(healthy.status).toBe('ready');
  expect(healthy.channels[instanceId]).toMatchObject({ ok: true, reason: null, channel: 'api', name: 'Legacy CRM' });
  expect(await gauge(a)).toBe('1');

  // The feed fails: unhealthy with the reason, on either process; the cursor stays, readiness is not affected.
  feed.failing = true;
  feed.pages.set('c2', { messages: [msg(4)], cursor: 'c3' });
  const down = await until(() => readyz(a), (r) => r.channels[instanceId]?.ok === false);
  expect(down.status).toBe('ready');
  expect(down.channels[instanceId]?.reason).toContain('the feed answered 503');
  expect(await gauge(b!)).toBe('0');
  const failedPolls = feed.cursors.length;
  await until(async () => feed.cursors.length, (n) => n >= failedPolls + 3);
  expect(await checkpoint(a)).toBe('c2');
  expect(await stored(a, 4)).toBe(0);
  expect(feed.maxInFlight).toBe(1);

  // Every process restarts; the feed is back. The first poll continues from the stored cursor.
  await b!.stop();
  b = null;
  await a.stop();
  feed.failing = false;
  const before = feed.cursors.length;
  a = Object.assign(await startSibling(a.env), { env: a.env });
  await until(() => checkpoint(a), (c) => c === 'c3');
  expect(feed.cursors.slice(before)[0]).toBe('c2');
  // The cursor moved once the message was durably enqueued; a worker stores it.
  await until(() => stored(a, 4), (n) => n === 1);
  for (const n of [1, 2, 3]) expect(await stored(a, n)).toBe(1);
  const recovered = await until(() => readyz(a), (r) => r.channels[instanceId]?.ok === true);
  expect(recovered.channels[instanceId]?.reason).toBeNull();
  expect(await gauge(a)).toBe('1');

  // Disabled: it stops polling and leaves the health report.
  expect((await api(a, admin.token, 'PATCH', `/channels/${instanceId}`, { enabled: false })).status).toBe(200);
  expect((await readyz(a)).channels[instanceId]).toBeUndefined();
  expect(a.runningChannelInstances()).toEqual([]);
});
