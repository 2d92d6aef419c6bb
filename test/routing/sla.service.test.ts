import { Redis } from 'ioredis';
import type { DomainEvent } from '../../src/events/event.types';
import type { SlaPolicy } from '../../src/routing/sla.calculator';
import { createSlaService, type SlaDueTimes, type SlaService } from '../../src/routing/sla.service';
import { serviceUrls, uniqueName } from '../support/env';
import { until } from '../support/process';

/** Timers fire within this window after their due instant (BullMQ delayed jobs on a busy 2-core box). */
const LATE_MS = 1000;
const EARLY_MS = 30;

const FAST: SlaPolicy = {
  id: 'test-6s',
  match: {},
  // Long enough that the test's own steps (at most 2.5 s in) land well before any timer, even on a loaded box.
  targets: { firstResponseMs: 6000, nextResponseMs: 6000, resolutionMs: 6000 },
  businessHours: false,
  escalation: { notifySupervisors: true, raisePriority: true, reassign: true },
};

describe('SLA timers (6-second test policy)', () => {
  let redis: Redis;
  let sla: SlaService;
  const events: Array<{ e: DomainEvent; at: number }> = [];
  const raised: string[] = [];
  const reassigned: string[] = [];
  const due = new Map<string, SlaDueTimes>();

  beforeAll(async () => {
    redis = new Redis(serviceUrls().redis, { maxRetriesPerRequest: null });
    sla = createSlaService({
      redis,
      prefix: uniqueName('sla'),
      connection: redis,
      policies: [FAST],
      publish: async (e) => {
        events.push({ e, at: Date.now() });
      },
      ports: {
        persistDueTimes: async (id, d) => {
          due.set(id, d);
        },
        raisePriority: async (id) => {
          raised.push(id);
          return 'high';
        },
        reassign: async (id) => {
          reassigned.push(id);
          return true;
        },
      },
    });
    const worker = sla.runWorker();
    await worker.waitUntilReady();
  });
  afterAll(async () => {
    await sla.close();
    await redis.quit();
  });

  const fired = (ticketId: string, type: DomainEvent['type'], clock: string) =>
    events.filter((x) => x.e.type === type && 'ticketId' in x.e && x.e.ticketId === ticketId && 'clock' in x.e && x.e.clock === clock);
  const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));
  const expectAround = (actual: number | undefined, expected: number) => {
    expect(actual).toBeDefined();
    expect(actual ?? 0).toBeGreaterThanOrEqual(expected - EARLY_MS);
    expect(actual ?? 0).toBeLessThanOrEqual(expected + LATE_MS);
  };

  it('warns at 75%, breaches at 100% and escalates; replies stop clocks; pending pauses resolution', async () => {
    const t0 = Date.now();
    const base = { type: 'care', priority: 'normal', tier: 'none', teamId: 'support', createdAt: new Date(t0) } as const;
    // s1: nobody answers.                s2: answered at once, then a customer message; pending 2 s.
    // s3: resolved before any timer fires.
    for (const id of ['s1', 's2', 's3']) await sla.track({ ...base, ticketId: id });
    // Tracking twice (a second process hearing the same event) schedules nothing new.
    await sla.track({ ...base, ticketId: 's1', createdAt: new Date(t0 + 500) });
    expect(due.get('s1')).toEqual({ firstResponseDueAt: new Date(t0 + 6000), nextResponseDueAt: null, resolutionDueAt: new Date(t0 + 6000) });

    await sla.agentReplied('s2', new Date(t0 + 100));
    await sla.complete('s3', new Date(t0 + 100));
    await sleepUntil(t0 + 400);
    await sla.customerMessaged('s2', new Date(t0 + 400));
    expect(due.get('s2')?.nextResponseDueAt).toEqual(new Date(t0 + 6400));
    await sleepUntil(t0 + 500);
    expect(await sla.pause('s2', new Date(t0 + 500))).toBe(true);
    expect(due.get('s2')?.resolutionDueAt).toBeNull();
    await sleepUntil(t0 + 2500);
    expect(await sla.resume('s2', new Date(t0 + 2500))).toBe(true);
    // Paused for two seconds: the resolution due time moved by two seconds.
    expect(due.get('s2')?.resolutionDueAt).toEqual(new Date(t0 + 8000));

    await until(async () => fired('s2', 'sla.breached', 'resolution').length, (n) => n > 0, 15_000, 20);
    await new Promise((r) => setTimeout(r, 300));

    // s1: both running clocks warn and breach on time, each breach escalates once.
    for (const clock of ['first_response', 'resolution']) {
      expect(fired('s1', 'sla.warning', clock)).toHaveLength(1);
      expect(fired('s1', 'sla.breached', clock)).toHaveLength(1);
      expectAround(fired('s1', 'sla.warning', clock)[0]?.at, t0 + 4500);
      expectAround(fired('s1', 'sla.breached', clock)[0]?.at, t0 + 6000);
      const esc = fired('s1', 'sla.escalated', clock);
      expect(esc.map((x) => x.e)).toEqual([
        expect.objectContaining({ policyId: 'test-6s', teamId: 'support', notifySupervisors: true, priorityRaisedTo: 'high', reassigned: true }),
      ]);
    }
    expect(fired('s1', 'sla.warning', 'next_response')).toHaveLength(0);

    // s2: first response met in time; next response timed from the customer message; resolution paused 2 s.
    expect(fired('s2', 'sla.warning', 'first_response')).toHaveLength(0);
    expect(fired('s2', 'sla.breached', 'first_response')).toHaveLength(0);
    expectAround(fired('s2', 'sla.warning', 'next_response')[0]?.at, t0 + 400 + 4500);
    expectAround(fired('s2', 'sla.breached', 'next_response')[0]?.at, t0 + 400 + 6000);
    expect(fired('s2', 'sla.warning', 'resolution')).toHaveLength(1);
    expectAround(fired('s2', 'sla.warning', 'resolution')[0]?.at, t0 + 6500);
    expectAround(fired('s2', 'sla.breached', 'resolution')[0]?.at, t0 + 8000);
    // Without the pause it would have breached at t0 + 6000.
    expect(fired('s2', 'sla.breached', 'resolution')[0]?.at ?? 0).toBeGreaterThan(t0 + 7000);

    // s3: resolved early, nothing fires.
    expect(events.filter((x) => 'ticketId' in x.e && x.e.ticketId === 's3')).toEqual([]);
    // Escalation ports: s1 twice (two clocks), s2 twice (next response, resolution).
    expect(raised.sort()).toEqual(['s1', 's1', 's2', 's2']);
    expect(reassigned.sort()).toEqual(['s1', 's1', 's2', 's2']);

    const state = await sla.state('s2');
    expect(state?.clocks.first_response.status).toBe('met');
    expect(state?.clocks.resolution).toMatchObject({ status: 'running', warned: true, breached: true, dueAt: t0 + 8000 });
  }, 30_000);
});

describe('SLA clocks with a business calendar that never opens', () => {
  it('count around the clock (with a warning) instead of leaving the ticket without clocks', async () => {
    const redis = new Redis(serviceUrls().redis, { maxRetriesPerRequest: null });
    const warnings: string[] = [];
    const sla = createSlaService({
      redis,
      prefix: uniqueName('sla-cal'),
      connection: redis,
      policies: [{ ...FAST, businessHours: true }],
      publish: async () => undefined,
      calendarFor: () => ({ timeZone: 'UTC', hours: {} }),
      logger: { warn: (_obj, msg) => warnings.push(msg ?? '') },
    });
    try {
      const createdAt = new Date();
      const due = await sla.track({ ticketId: 'never-open', type: 'care', priority: 'normal', tier: 'none', teamId: 'closed-team', createdAt });
      expect(due?.firstResponseDueAt?.getTime()).toBe(createdAt.getTime() + 6000);
      expect(warnings).toEqual(['sla: business calendar unusable; counting around the clock']);
    } finally {
      await sla.close();
      await redis.quit();
    }
  });
});
