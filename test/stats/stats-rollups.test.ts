import mongoose, { Types, type Connection } from 'mongoose';
import { Redis } from 'ioredis';
import { createModels, type Models } from '../../src/db/models';
import { createDocumentLocks, useDocumentLocks } from '../../src/db/update-lock';
import { createStatModels, type StatModels } from '../../src/stats/stat-bucket.model';
import { localDate, createStatRollups, type StatRollups } from '../../src/stats/stats.rollups';
import { zonedTime } from '../../src/routing/business-hours.calculator';
import { createStatsService, type StatsFilter, type StatsService } from '../../src/stats/stats.service';
import { databaseUri, serviceUrls, uniqueName } from '../support/env';

/**
 * The Redis rollups answer every dashboard query exactly as the hourly buckets do, for any
 * team scope, agent, time zone (kept as local days or not, half-hour offsets too) and period
 * edge; they keep answering without the buckets; and they step aside (the buckets answer) when
 * they cannot: hours past their retention, a channel filter, or rollups that are incomplete.
 */

const HOUR = 3_600_000;
const MIN = 60_000;
/** "Now" for the figures: 37 minutes into the last hour (periods get ragged edges; the hourly rollups' expiry runs on the real clock). */
const NOW = Math.floor(Date.now() / HOUR) * HOUR - HOUR + 37 * MIN;
/** The Shanghai midnight `back` local days before the one NOW falls in. */
const shanghaiMidnight = (back: number) => {
  const [y, m, d] = localDate(NOW, 'Asia/Shanghai').split('-').map(Number) as [number, number, number];
  return new Date(zonedTime(y, m, d - back, 0, 'Asia/Shanghai'));
};

let conn: Connection;
let redis: Redis;
let models: Models;
let statModels: StatModels;
let rollups: StatRollups;
let withRollups: StatsService;
let fromBuckets: StatsService;
let prefix = '';
const teams = [new Types.ObjectId().toString(), new Types.ObjectId().toString()];
const agents = [new Types.ObjectId().toString(), new Types.ObjectId().toString(), new Types.ObjectId().toString()];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

beforeAll(async () => {
  const { mongo, redis: redisUrl } = serviceUrls();
  const name = uniqueName('stats-rollups');
  prefix = name;
  conn = await mongoose.createConnection(databaseUri(mongo, name)).asPromise();
  redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const locks = createDocumentLocks(redis, name);
  useDocumentLocks(conn, locks);
  models = await createModels(conn);
  statModels = await createStatModels(conn);
  const now = () => new Date(NOW);
  // Asia/Shanghai's local days are kept; New York's and Kolkata's are added up from hours.
  rollups = createStatRollups({ redis, prefix: name, zones: ['Asia/Shanghai'], hourlyRetentionDays: 3, now: () => NOW });
  const deps = { ...statModels, Ticket: models.Ticket, User: models.User, Team: models.Team, TicketEvent: models.TicketEvent, Message: models.Message, locks, now };
  withRollups = createStatsService({ ...deps, rollups });
  fromBuckets = createStatsService(deps);
  await rollups.markReadyIfEmpty((await statModels.StatBucket.exists({})) !== null);

  // 90 tickets over the 5 days before NOW, in every state, with timelines and customer messages.
  const rand = rng(11);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const tickets: Array<Record<string, unknown>> = [];
  const events: Array<Record<string, unknown>> = [];
  const messages: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 90; i++) {
    const _id = new Types.ObjectId();
    const createdAt = new Date(NOW - Math.floor(rand() * 5 * 24 * 60) * MIN - Math.floor(rand() * 59_000));
    const status = pick(['new', 'open', 'pending', 'resolved', 'closed', 'resolved'] as const);
    const agent = status === 'new' && rand() < 0.7 ? null : pick([...agents, null]);
    const acceptedAt = agent ? new Date(createdAt.getTime() + Math.floor(rand() * 90) * MIN) : null;
    const firstResponseAt = acceptedAt && rand() < 0.8 ? new Date(acceptedAt.getTime() + Math.floor(rand() * 200) * MIN) : null;
    const resolvedAt = status === 'resolved' || status === 'closed' ? new Date((firstResponseAt ?? createdAt).getTime() + Math.floor(rand() * 3000) * MIN) : null;
    const t = {
      _id,
      number: i + 1,
      origin: `api:rollup-${i}`,
      type: pick(['complaint', 'suggestion', 'care'] as const),
      status,
      priority: pick(['low', 'normal', 'high', 'urgent'] as const),
      channel: pick(['api', 'webchat', 'email', 'sms', 'voice', 'fax'] as const),
      contact: new Types.ObjectId(),
      assignee: agent ? new Types.ObjectId(agent) : null,
      team: rand() < 0.15 ? null : new Types.ObjectId(pick(teams)),
      subject: `Ticket ${i}`,
      classification: { source: 'rules', confidence: 1, matched: [] },
      mergedInto: i === 7 ? new Types.ObjectId() : null,
      acceptedAt,
      firstResponseAt,
      resolvedAt,
      sla: {
        firstResponseDueAt: rand() < 0.6 ? new Date(createdAt.getTime() + 60 * MIN) : null,
        nextResponseDueAt: null,
        resolutionDueAt: rand() < 0.5 ? new Date(createdAt.getTime() + 24 * HOUR) : null,
      },
      csat: resolvedAt && rand() < 0.5 ? { score: 1 + Math.floor(rand() * 5), comment: '', at: new Date(resolvedAt.getTime() + 10 * MIN), channel: 'api' } : null,
      createdAt,
      updatedAt: createdAt,
    };
    tickets.push(t);
    const actor = { kind: 'system' };
    if (agent && acceptedAt) events.push({ _id: new Types.ObjectId(), ticket: _id, actor, action: 'assignee', from: null, to: agent, at: acceptedAt, params: {} });
    if (firstResponseAt) {
      events.push({ _id: new Types.ObjectId(), ticket: _id, actor, action: 'delivery', from: 'queued', to: 'sent', at: firstResponseAt, params: { messageId: `m${i}a` } });
      // The customer writes again, and is answered again: a next response.
      const again = new Date(firstResponseAt.getTime() + 30 * MIN);
      messages.push({ _id: new Types.ObjectId(), ticket: _id, direction: 'inbound', receivedAt: again });
      events.push({ _id: new Types.ObjectId(), ticket: _id, actor, action: 'delivery', from: 'queued', to: 'sent', at: new Date(again.getTime() + Math.floor(rand() * 120) * MIN), params: { messageId: `m${i}b` } });
    }
    if (resolvedAt) events.push({ _id: new Types.ObjectId(), ticket: _id, actor, action: 'status', from: 'open', to: 'resolved', at: resolvedAt, params: {} });
  }
  await models.Ticket.collection.insertMany(tickets as never[]);
  await models.TicketEvent.collection.insertMany(events as never[]);
  await models.Message.collection.insertMany(messages as never[]);
  for (const t of tickets) await withRollups.refreshTicket(String(t._id));
}, 120_000);

afterAll(async () => {
  await conn?.dropDatabase().catch(() => undefined);
  await conn?.close();
  await rollups?.clear();
  redis?.disconnect();
});

/** Every query the dashboard makes, for one scope, period and zone. */
async function everything(stats: StatsService, f: StatsFilter) {
  return {
    summary: await stats.summary(f),
    agents: await stats.agents(f),
    teams: await stats.teams(f),
    byDay: await stats.series(f, 'day'),
    byHour: await stats.series(f, 'hour'),
  };
}

const days = (n: number) => ({ from: new Date(NOW - n * 24 * HOUR - 17 * MIN), to: new Date(NOW + HOUR) });
const CASES: Array<[string, StatsFilter]> = [
  ['everyone, 2 days, Shanghai days', { ...days(2), teams: null, tz: 'Asia/Shanghai' }],
  ['one team, 2 days, UTC', { ...days(2), teams: [teams[0]!], tz: 'UTC' }],
  ['two teams, 2 days, New York hours', { ...days(2), teams: [...teams], tz: 'America/New_York' }],
  ['an agent, 2 days, Kolkata (half-hour offset)', { ...days(2), teams: null, agent: agents[1]!, tz: 'Asia/Kolkata' }],
  ['an agent in one team, 2 days', { ...days(2), teams: [teams[1]!], agent: agents[0]!, tz: 'UTC' }],
  ['everyone, 5 whole Shanghai days', { from: shanghaiMidnight(5), to: shanghaiMidnight(0), teams: null, tz: 'Asia/Shanghai' }],
];

test('every figure from the rollups equals the same figure from the buckets, for every scope, zone and ragged period', async () => {
  let nonEmpty = 0;
  for (const [name, f] of CASES) {
    const expected = await everything(fromBuckets, f);
    if (expected.summary.volumes.total > 0) nonEmpty++;
    expect({ name, ...(await everything(withRollups, f)) }).toEqual({ name, ...expected });
  }
  // The data really spreads over the cases (not a comparison of empty answers).
  expect(nonEmpty).toBe(CASES.length);
  const all = await fromBuckets.summary(CASES[5]![1]);
  expect(all.volumes.total).toBeGreaterThan(60);
  expect(all.handleTime.count).toBeGreaterThan(5);
  expect(all.nextResponse.count).toBeGreaterThan(5);
  expect(all.csat.answers).toBeGreaterThan(5);
  expect(all.backlog.total).toBeGreaterThan(10);
});

test('a period ending minutes into a new day (or hour) has that day (or hour) on its chart axis, from the rollups and the buckets alike', async () => {
  // The last UTC midnight at or before NOW, and a period ending 20 minutes after it.
  const midnight = Math.floor((NOW - 20 * MIN) / (24 * HOUR)) * 24 * HOUR;
  const to = new Date(midnight + 20 * MIN);
  const label = (ms: number, hour = false) => new Date(ms).toISOString().slice(0, hour ? 13 : 10).replace(/T(\d\d)$/, 'T$1:00');
  for (const stats of [withRollups, fromBuckets]) {
    // Starting half past: days sampled every 12 h, hours every 30 min, would step over the last 20 minutes.
    const byDay = await stats.series({ from: new Date(midnight - 60 * HOUR + 30 * MIN), to, teams: null, tz: 'UTC' }, 'day');
    expect(byDay.points.map((p) => p.label)).toEqual([3, 2, 1, 0].map((back) => label(midnight - back * 24 * HOUR)));
    const byHour = await stats.series({ from: new Date(midnight - 3 * HOUR + 25 * MIN), to, teams: null, tz: 'UTC' }, 'hour');
    expect(byHour.points.map((p) => p.label)).toEqual([3, 2, 1, 0].map((back) => label(midnight - back * HOUR, true)));
  }
});

test('a rebuild from the tickets reproduces the live rollups and backlog exactly', async () => {
  const live = await withRollups.dumpRollups();
  expect(live?.ready).toBe(true);
  expect(live!.rows.length).toBeGreaterThan(50);
  expect(Object.keys(live!.backlog).length).toBeGreaterThan(3);
  await withRollups.rebuild();
  expect(await withRollups.dumpRollups()).toEqual(live);
});

test('rollups that lost their ready mark (Redis lost data) are not trusted: the buckets answer until a rebuild', async () => {
  const f = CASES[0]![1];
  const expected = await fromBuckets.summary(f);
  // A count only the rollups hold: it shows whether they answered.
  const hour = new Date(Math.floor((NOW - 2 * HOUR) / HOUR) * HOUR);
  const dims = { hour, team: teams[0]!, channel: 'api', type: 'care', priority: 'normal', agent: '' };
  await rollups.apply(new Map([['extra', { dims, counters: new Map([['created', 1000]]) }]]));
  expect((await withRollups.summary(f)).volumes.total).toBe(expected.volumes.total + 1000);
  // Configured with a zone more, or a longer hourly retention, they lack past rows: not trusted.
  const same = { redis, prefix, zones: ['Asia/Shanghai'], hourlyRetentionDays: 3, now: () => NOW };
  expect(await createStatRollups(same).ready()).toBe(true);
  expect(await createStatRollups({ ...same, hourlyRetentionDays: 2 }).ready()).toBe(true);
  expect(await createStatRollups({ ...same, zones: ['Asia/Shanghai', 'Europe/Berlin'] }).ready()).toBe(false);
  expect(await createStatRollups({ ...same, hourlyRetentionDays: 30 }).ready()).toBe(false);
  await redis.del(`${prefix}:stats:rollups-ready`);
  expect(await withRollups.summary(f)).toEqual(expected);
  await withRollups.rebuild();
  expect(await rollups.ready()).toBe(true);
  expect(await withRollups.summary(f)).toEqual(expected);
});

test('the rollups answer without the buckets; past their hourly retention, or for a channel, the buckets answer', async () => {
  const kept = CASES.slice(0, 5);
  const expected = await Promise.all(kept.map(([, f]) => everything(fromBuckets, f)));
  // From 06:00 UTC four days back: those hours are no whole kept day and older than the 3 days of
  // hours kept, whatever the time of day (a start just before a UTC midnight would need none of them).
  const old: StatsFilter = { from: new Date(Math.floor(NOW / (24 * HOUR)) * 24 * HOUR - 4 * 24 * HOUR + 6 * HOUR), to: new Date(NOW + HOUR), teams: null, tz: 'America/New_York' };
  const byChannel: StatsFilter = { ...days(2), teams: null, tz: 'UTC', channel: 'email' };
  expect((await withRollups.summary(old)).volumes.total).toBeGreaterThan(0);
  expect((await withRollups.summary(byChannel)).volumes.total).toBeGreaterThan(0);

  await statModels.StatBucket.deleteMany({});
  expect((await fromBuckets.summary(kept[0]![1])).volumes.total).toBe(0);
  for (const [i, [, f]] of kept.entries()) expect(await everything(withRollups, f)).toEqual(expected[i]);
  // New York's local days are not kept, and 4 days of hours reach past the 3 days kept: the buckets answer.
  expect((await withRollups.summary(old)).volumes.total).toBe(0);
  expect((await withRollups.summary(byChannel)).volumes.total).toBe(0);
});
