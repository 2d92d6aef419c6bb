/**
 * Routing under load: 1,000 agents online in one team, 10,000 tickets waiting.
 *
 * - decision latency (release): an agent frees a slot → the engine reads the agent and the
 *   head of the queue, ranks, reserves in Lua, persists (no-op port) and emits events.
 * - decision latency (arrival): a new ticket arrives while everyone is full → snapshot of
 *   1,000 agents and the queue head, nobody free, queued with position and wait estimate.
 * - assignments per second: 16 concurrent release → assign cycles (the same one engine).
 *
 * Each record carries a bare Redis PING measured in the same run as its baseline.
 */
import { Redis } from 'ioredis';
import type { DomainEvent } from '../src/events/event.types';
import { createRoutingService } from '../src/routing/routing.service';
import type { Priority } from '../channels/contract';
import type { CustomerTier } from '../src/routing/routing.types';
import { percentile, record, runConcurrent, type BenchRecord } from './harness';

const AGENTS = 1_000;
const SLOTS = 5;
const QUEUED = 10_000;
const DECISIONS = 1_500;
const ARRIVALS = 500;
const THROUGHPUT = 3_000;
const CONCURRENCY = 16;

const PRIORITIES: Priority[] = ['low', 'normal', 'normal', 'high', 'urgent'];
const TIERS: CustomerTier[] = ['none', 'none', 'bronze', 'silver', 'gold', 'platinum'];

export async function runRoutingBench(redisUrl: string): Promise<BenchRecord[]> {
  const prefix = `bench_routing_${Date.now().toString(36)}`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const team = 'floor';
  // Which agent holds which tickets, from the persistence port (what MongoDB would get).
  const held = new Map<string, string[]>();
  let assignments = 0;
  const service = createRoutingService({
    redis,
    prefix,
    publish: async (_e: DomainEvent) => undefined,
    ports: {
      async persistAssignment(a) {
        assignments++;
        const list = held.get(a.agentId);
        if (list) list.push(a.ticketId);
        else held.set(a.agentId, [a.ticketId]);
      },
      async persistUnassignment() {},
      async persistTransfer() {},
      async persistNeedsAttention() {},
    },
  });
  const t0 = Date.now();
  const ticketAt = (i: number) => ({
    ticketId: `b${i}`,
    teamId: team,
    channel: 'email' as const,
    priority: PRIORITIES[i % PRIORITIES.length] ?? 'normal',
    tier: TIERS[i % TIERS.length] ?? 'none',
    language: 'en',
    requiredSkills: [],
    contactId: `c${i % 5000}`,
    waitingSince: new Date(t0 - 3_600_000 + i),
  });
  /** Frees one slot of a random busy agent; the engine assigns the queue head to them. */
  const releaseOne = async () => {
    const agents = [...held.keys()];
    const agentId = agents[Math.floor(Math.random() * agents.length)] ?? '';
    const list = held.get(agentId) ?? [];
    const ticketId = list.shift();
    if (!ticketId) return;
    await service.release(ticketId, 'resolved');
  };

  try {
    // Baseline: bare PING round trips, sequential and at the same concurrency.
    for (let i = 0; i < 200; i++) await redis.ping();
    const pings = (await runConcurrent(2_000, 1, async () => void (await redis.ping()))).sort((a, b) => a - b);
    const p0 = performance.now();
    await runConcurrent(THROUGHPUT, CONCURRENCY, async () => void (await redis.ping()));
    const pingsPerSecond = THROUGHPUT / ((performance.now() - p0) / 1000);

    // Setup: 1,000 agents online, all slots filled, 10,000 waiting.
    await service.configureTeam({ teamId: team, strategy: 'least-busy', autoAccept: { chat: true, async: true } });
    for (let a = 0; a < AGENTS; a++) {
      await service.upsertAgent({ agentId: `agent${a}`, teams: [team], skills: [], languages: ['en'], limits: { chat: 2, async: SLOTS } });
      await service.setStatus(`agent${a}`, 'online');
    }
    const total = AGENTS * SLOTS + QUEUED;
    await runConcurrent(total, 64, (i) => service.enqueue(ticketAt(i)).then(() => undefined));
    const waiting = await service.store.queueLength(team, 'async');
    if (assignments !== AGENTS * SLOTS || waiting !== QUEUED) {
      throw new Error(`setup: ${assignments} assigned, ${waiting} queued (want ${AGENTS * SLOTS}, ${QUEUED})`);
    }

    // Decision latency, sequential: release → the head of 10,000 goes to that agent.
    for (let i = 0; i < 50; i++) await releaseOne();
    const depthDecisions = await service.store.queueLength(team, 'async');
    const before = assignments;
    const decisions = (await runConcurrent(DECISIONS, 1, releaseOne)).sort((a, b) => a - b);
    if (assignments - before !== DECISIONS) throw new Error(`expected ${DECISIONS} assignments, got ${assignments - before}`);

    // New arrivals while everyone is full: the decision is "queue it" (with position and wait).
    let next = total;
    const depthArrivals = await service.store.queueLength(team, 'async');
    const arrivals = (await runConcurrent(ARRIVALS, 1, async () => void (await service.enqueue(ticketAt(next++))))).sort((a, b) => a - b);

    // Throughput: concurrent release → assign cycles.
    const depthThroughput = await service.store.queueLength(team, 'async');
    const a0 = assignments;
    const s0 = performance.now();
    await runConcurrent(THROUGHPUT, CONCURRENCY, releaseOne);
    const seconds = (performance.now() - s0) / 1000;
    const perSecond = (assignments - a0) / seconds;

    const extra = { agentsOnline: AGENTS, slotsPerAgent: SLOTS };
    const decision = { ...extra, queuedAtStart: depthDecisions, decisions: DECISIONS, path: 'release → head of queue assigned' };
    const arrival = { ...extra, queuedAtStart: depthArrivals, arrivals: ARRIVALS, path: 'new ticket, all agents full → queued' };
    return [
      record('routing.decision.p50', 'ms', percentile(decisions, 50), percentile(pings, 50), 'redis PING p50', decision),
      record('routing.decision.p99', 'ms', percentile(decisions, 99), percentile(pings, 99), 'redis PING p99', decision),
      record('routing.arrival.p50', 'ms', percentile(arrivals, 50), percentile(pings, 50), 'redis PING p50', arrival),
      record('routing.arrival.p99', 'ms', percentile(arrivals, 99), percentile(pings, 99), 'redis PING p99', arrival),
      record('routing.assignments', 'assignments/s', perSecond, pingsPerSecond, `redis PINGs/s at concurrency ${CONCURRENCY}`, {
        ...extra,
        queuedAtStart: depthThroughput,
        concurrency: CONCURRENCY,
        assignments: assignments - a0,
      }),
    ];
  } finally {
    await service.stop();
    // Leave nothing behind in a shared Redis.
    let cursor = '0';
    do {
      const [c, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = c;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
    await redis.quit();
  }
}
