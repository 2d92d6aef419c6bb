import path from 'node:path';
import { Redis } from 'ioredis';
import { createRedisEventBus, type EventBus, type RedisEventBusOptions } from '../../src/events/event-bus';
import type { DomainEvent, PublishedEvent } from '../../src/events/event.types';
import { serviceUrls, uniqueName } from '../support/env';
import { spawnScript, until, type HubProcess } from '../support/process';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
let redis: Redis;
const buses: EventBus[] = [];
const children: HubProcess[] = [];

beforeAll(() => {
  redis = new Redis(serviceUrls().redis, { maxRetriesPerRequest: null });
});
afterEach(async () => {
  for (const c of children.splice(0)) await c.kill('SIGKILL');
  await Promise.all(buses.splice(0).map((b) => b.close()));
});
afterAll(async () => {
  await redis.quit();
});

function bus(prefix: string, consumer: string, overrides: Partial<RedisEventBusOptions> = {}): EventBus {
  const b = createRedisEventBus(redis, {
    prefix,
    logger: quiet,
    consumer,
    maxLen: 100_000,
    maxAgeMs: 0,
    claimIdleMs: 60_000,
    retryDelayMs: 50,
    maxDeliveries: 3,
    ...overrides,
  });
  buses.push(b);
  return b;
}

const ticketEvent = (n: number, id = `ev-${n}`): DomainEvent => ({
  type: 'message.created',
  id,
  ticketId: `ticket-${n}`,
  messageId: `message-${n}`,
  direction: 'inbound',
  channel: 'webchat',
  at: new Date().toISOString(),
});
const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `ev-${from + i}`);
const groupExists = async (prefix: string, group: string) =>
  ((await redis.call('XINFO', 'GROUPS', `${prefix}:events`).catch(() => [])) as unknown[][]).some((g) => g[1] === group);
const pendingCount = async (prefix: string, group: string) => Number(((await redis.call('XPENDING', `${prefix}:events`, group)) as unknown[])[0]);

describe('a listener process killed mid-stream', () => {
  test('is restarted and handles all 200 events, each once, none lost', async () => {
    const prefix = uniqueName('bus-kill');
    const listener = (consumer: string) => {
      const child = spawnScript(path.join(__dirname, 'event-listener.process.ts'), {
        REDIS_URL: serviceUrls().redis,
        PREFIX: prefix,
        GROUP: 'sla',
        CONSUMER: consumer,
        CLAIM_IDLE_MS: '300',
        HANDLER_DELAY_MS: '5',
      });
      children.push(child);
      return child;
    };
    const effects = () => redis.lrange(`${prefix}:test:effects`, 0, -1);

    const first = listener('listener-1');
    await first.waitFor(/listening/);
    await until(() => groupExists(prefix, 'sla'), Boolean);
    const publisher = bus(prefix, 'publisher');
    for (let n = 1; n <= 100; n++) await publisher.publish(ticketEvent(n));
    // Killed while it works through them: some handled, some read and not yet acknowledged, some unread.
    await until(effects, (e) => e.length >= 30);
    await first.kill('SIGKILL');
    const handledBeforeKill = (await effects()).length;
    expect(handledBeforeKill).toBeLessThan(100);
    // Published while no listener of the group runs at all.
    for (let n = 101; n <= 200; n++) await publisher.publish(ticketEvent(n));

    // The restarted process is a new consumer: it reads what nobody read and takes over what the dead one held.
    const second = listener('listener-2');
    await second.waitFor(/listening/);
    const handled = await until(effects, (e) => e.length >= 200, 60_000);
    await until(() => pendingCount(prefix, 'sla'), (n) => n === 0);

    expect([...handled].sort()).toEqual(ids(1, 200).sort());
    expect(new Set(handled).size).toBe(200);
    const deliveries = await redis.lrange(`${prefix}:test:deliveries`, 0, -1);
    expect(new Set(deliveries)).toEqual(new Set(ids(1, 200)));
    // Nothing is left for a third process.
    expect(await pendingCount(prefix, 'sla')).toBe(0);
  });
});

describe('consumer groups', () => {
  test('two groups each see every event; two consumers of one group share them, each once', async () => {
    const prefix = uniqueName('bus-groups');
    const seen = { a: [] as string[], b: [] as string[], metrics: [] as string[] };
    const slow = (list: string[]) => async (e: PublishedEvent) => {
      list.push(e.id);
      await new Promise((r) => setTimeout(r, 3));
    };
    const procA = bus(prefix, 'hub-a');
    const procB = bus(prefix, 'hub-b');
    procA.subscribe('routing', slow(seen.a));
    procB.subscribe('routing', slow(seen.b));
    procA.subscribe('metrics', slow(seen.metrics));
    await until(async () => (await groupExists(prefix, 'routing')) && (await groupExists(prefix, 'metrics')), Boolean);

    for (let n = 1; n <= 100; n++) await procB.publish(ticketEvent(n));
    await until(async () => [seen.a.length + seen.b.length, seen.metrics.length] as const, ([r, m]) => r >= 100 && m >= 100);
    await until(() => pendingCount(prefix, 'routing'), (n) => n === 0);

    expect([...seen.metrics].sort()).toEqual(ids(1, 100).sort());
    const routed = [...seen.a, ...seen.b];
    expect(routed.sort()).toEqual(ids(1, 100).sort());
    expect(seen.a.length).toBeGreaterThan(0);
    expect(seen.b.length).toBeGreaterThan(0);
  });

  test('broadcast subscribers in two processes each see every event published after they subscribed', async () => {
    const prefix = uniqueName('bus-bcast');
    const procA = bus(prefix, 'hub-a');
    const procB = bus(prefix, 'hub-b');
    await procA.publish(ticketEvent(0));
    const seenA: string[] = [];
    const seenB: string[] = [];
    procA.subscribe('sockets', (e) => void seenA.push(e.id), { mode: 'broadcast' });
    procB.subscribe('sockets', (e) => void seenB.push(e.id), { mode: 'broadcast' });
    // Published right after subscribing, through the same client: not missed.
    for (let n = 1; n <= 30; n++) await (n % 2 ? procA : procB).publish(ticketEvent(n));
    await until(async () => [seenA.length, seenB.length] as const, ([a, b]) => a >= 30 && b >= 30);
    expect(seenA).toEqual(ids(1, 30));
    expect(seenB).toEqual(ids(1, 30));
  });

  test('events get a unique id when published without one', async () => {
    const prefix = uniqueName('bus-ids');
    const b = bus(prefix, 'hub');
    const got: PublishedEvent[] = [];
    b.subscribe('ids', (e) => void got.push(e));
    await until(() => groupExists(prefix, 'ids'), Boolean);
    const { id: _drop, ...bare } = ticketEvent(1);
    await b.publish(bare as DomainEvent);
    await b.publish(bare as DomainEvent);
    await until(async () => got.length, (n) => n >= 2);
    expect(got[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(got[1]!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(got[0]!.id).not.toBe(got[1]!.id);
    expect(got[0]).toMatchObject({ type: 'message.created', ticketId: 'ticket-1' });
  });
});

describe('reconnecting', () => {
  test("events published while a listener's Redis connection is down reach it once it is back", async () => {
    const prefix = uniqueName('bus-reconn');
    const got: string[] = [];
    const b = bus(prefix, 'hub');
    b.subscribe('sla', (e) => void got.push(e.id));
    b.subscribe('sockets', (e) => void got.push(`broadcast:${e.id}`), { mode: 'broadcast' });
    await until(() => groupExists(prefix, 'sla'), Boolean);
    for (let n = 1; n <= 5; n++) await b.publish(ticketEvent(n));
    await until(async () => got.length, (n) => n >= 10);
    // Drop the readers' connections (they reconnect by themselves), and publish meanwhile.
    const list = String(await redis.call('CLIENT', 'LIST'));
    const readers = list.split('\n').filter((l) => l.includes(`name=${prefix}-events-`));
    expect(readers).toHaveLength(2);
    for (const line of readers) await redis.call('CLIENT', 'KILL', 'ID', /\bid=(\d+)/.exec(line)![1]!);
    for (let n = 6; n <= 10; n++) await b.publish(ticketEvent(n));
    await until(async () => got.length, (n) => n >= 20);
    expect(got.filter((id) => !id.startsWith('broadcast:')).sort()).toEqual(ids(1, 10).sort());
    expect(got.filter((id) => id.startsWith('broadcast:'))).toEqual(ids(1, 10).map((id) => `broadcast:${id}`));
  });
});

describe('stale pending entries', () => {
  test('entries a dead consumer read and never acknowledged are claimed by another consumer of the group', async () => {
    const prefix = uniqueName('bus-claim');
    const key = `${prefix}:events`;
    await redis.xgroup('CREATE', key, 'sla', '$', 'MKSTREAM');
    const publisher = bus(prefix, 'publisher');
    for (let n = 1; n <= 8; n++) await publisher.publish(ticketEvent(n));
    // A consumer that read five entries and died before acknowledging them.
    const read = (await redis.call('XREADGROUP', 'GROUP', 'sla', 'dead-hub', 'COUNT', 5, 'STREAMS', key, '>')) as Array<[string, unknown[]]>;
    expect(read[0]![1]).toHaveLength(5);
    expect(await pendingCount(prefix, 'sla')).toBe(5);

    const handled: string[] = [];
    const attempts = new Map<string, number>();
    bus(prefix, 'live-hub', { claimIdleMs: 200 }).subscribe('sla', (e, d) => {
      handled.push(e.id);
      attempts.set(e.id, d.attempt);
    });
    await until(async () => handled.length, (n) => n >= 8);
    await until(() => pendingCount(prefix, 'sla'), (n) => n === 0);
    expect([...handled].sort()).toEqual(ids(1, 8).sort());
    // The five taken over are marked as redeliveries (handlers may check the ticket first).
    expect(ids(1, 5).map((id) => attempts.get(id))).toEqual([2, 2, 2, 2, 2]);
    expect(ids(6, 8).map((id) => attempts.get(id))).toEqual([1, 1, 1]);
    const consumers = (await redis.call('XINFO', 'CONSUMERS', key, 'sla')) as unknown[][];
    const live = consumers.find((c) => c[1] === 'live-hub');
    expect(live?.[3]).toBe(0);
  });
});

describe('failing handlers', () => {
  test('a handler that throws gets the event again; after the delivery limit it goes to the dead letters and the rest continue', async () => {
    const prefix = uniqueName('bus-dead');
    const attempts = new Map<string, number[]>();
    const done: string[] = [];
    bus(prefix, 'hub', { maxDeliveries: 3, retryDelayMs: 50 }).subscribe('customer-status', (e, d) => {
      attempts.set(e.id, [...(attempts.get(e.id) ?? []), d.attempt]);
      if (e.id === 'poison') throw new Error('cannot handle this one');
      // Fails twice (e.g. the database was away), then works.
      if (e.id === 'flaky' && d.attempt < 3) throw new Error('database unavailable');
      done.push(e.id);
    });
    await until(() => groupExists(prefix, 'customer-status'), Boolean);
    const publisher = bus(prefix, 'publisher');
    await publisher.publish(ticketEvent(1));
    await publisher.publish(ticketEvent(0, 'poison'));
    await publisher.publish(ticketEvent(0, 'flaky'));
    for (let n = 2; n <= 5; n++) await publisher.publish(ticketEvent(n));

    const dead = async () => (await redis.xrange(`${prefix}:events:dead`, '-', '+')).map(([, f]) => Object.fromEntries(f.flatMap((v, i) => (i % 2 ? [] : [[v, f[i + 1]]]))) as Record<string, string>);
    await until(dead, (d) => d.length >= 1);
    await until(async () => done.length, (n) => n >= 6);
    await until(() => pendingCount(prefix, 'customer-status'), (n) => n === 0);

    expect(attempts.get('poison')).toEqual([1, 2, 3]);
    expect(attempts.get('flaky')).toEqual([1, 2, 3]);
    expect([...done].sort()).toEqual(['flaky', ...ids(1, 5)].sort());
    for (const id of ids(1, 5)) expect(attempts.get(id)).toEqual([1]);
    const letters = await dead();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ group: 'customer-status', deliveries: '3', error: 'cannot handle this one' });
    expect(JSON.parse(letters[0]!.event!)).toMatchObject({ id: 'poison', type: 'message.created' });
  });
});

describe('trimming', () => {
  test('the stream stays about as long as its maximum length', async () => {
    const prefix = uniqueName('bus-trim');
    const b = bus(prefix, 'hub', { maxLen: 100 });
    for (let n = 1; n <= 1000; n++) await b.publish(ticketEvent(n));
    const len = await redis.xlen(`${prefix}:events`);
    expect(len).toBeGreaterThanOrEqual(100);
    // `MAXLEN ~` trims whole stream nodes (100 entries each by default).
    expect(len).toBeLessThanOrEqual(200);
  });

  test('events older than the maximum age are trimmed', async () => {
    const prefix = uniqueName('bus-age');
    let clock = Date.now();
    const b = bus(prefix, 'hub', { maxAgeMs: 3_600_000, now: () => clock });
    for (let n = 1; n <= 300; n++) await b.publish(ticketEvent(n));
    await b.trim();
    expect(await redis.xlen(`${prefix}:events`)).toBe(300);
    clock += 2 * 3_600_000;
    await b.trim();
    expect(await redis.xlen(`${prefix}:events`)).toBe(0);
  });
});

describe('stopping', () => {
  test('close returns while the readers are blocked, and waits for the handler in flight', async () => {
    const prefix = uniqueName('bus-stop');
    // Reads block longer than the test may take: stopping must interrupt them.
    const b = bus(prefix, 'hub', { blockMs: 120_000, retryDelayMs: 120_000 });
    let finished = false;
    let started = false;
    b.subscribe('slow', async () => {
      started = true;
      await new Promise((r) => setTimeout(r, 300));
      finished = true;
    });
    b.subscribe('idle', () => undefined);
    b.subscribe('watch', () => undefined, { mode: 'broadcast' });
    await until(() => groupExists(prefix, 'slow'), Boolean);
    await b.publish(ticketEvent(1));
    await until(async () => started, Boolean);
    await b.close();
    expect(finished).toBe(true);
    // Acknowledged before the stop completed: nothing is left pending.
    expect(await pendingCount(prefix, 'slow')).toBe(0);
  });
});
