/**
 * The dashboard's queries over the hourly buckets of 1,000,000 synthetic tickets (by default;
 * BENCH_STAT_TICKETS changes it): 30 days of hours, 5 teams × 8 agents, 6 channels, 3 types,
 * 4 priorities, BENCH_STAT_COMBOS (default 120) occupied combinations an hour, each with the
 * counters and histogram bins the live listener would have written (created, wait, first and
 * next response, resolution, handle time, SLA). The buckets are inserted directly in large
 * unordered batches (not tickets through the pipeline).
 *
 * The same rows go into the Redis rollups (src/stats/stats.rollups.ts) as the live listener
 * would add them, and BENCH_STAT_OPEN (default 50,000) open tickets into the backlog sets.
 *
 * Measured with the stats service itself (what the routes call): the summary for today, 7 and
 * 30 days (all teams, as an admin; one team, as its supervisor; in UTC and in Asia/Shanghai),
 * per agent, per team and the 7-day series by day and the day's by hour, p50 / p99 — beside a
 * raw `findById` of one bucket in the same run. BENCH_STAT_BUCKET_QUERIES=1 also times the same
 * queries read from the buckets alone (slow on FerretDB: each scans the bucket collection).
 */
import mongoose from 'mongoose';
import { Redis } from 'ioredis';
import { createModels } from '../src/db/models';
import { createDocumentLocks } from '../src/db/update-lock';
import { createStatModels } from '../src/stats/stat-bucket.model';
import { bucketKey } from '../src/stats/stats.contribution';
import { binOf } from '../src/stats/stats.histogram';
import { createStatsService, type StatsFilter } from '../src/stats/stats.service';
import { createStatRollups } from '../src/stats/stats.rollups';
import type { Contribution } from '../src/stats/stats.contribution';
import { percentile, record, type BenchRecord } from './harness';

const HOUR = 3_600_000;
const DAYS = 30;
const TEAMS = 5;
const AGENTS_PER_TEAM = 8;
const CHANNELS = ['api', 'webchat', 'email', 'sms', 'voice', 'fax'];
const TYPES = ['complaint', 'suggestion', 'care'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];

/** A small deterministic generator (the same buckets every run). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function timed(runs: number, task: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await task();
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

export async function runStatsBench(mongoBase: string, redisUrl: string): Promise<BenchRecord[]> {
  const tickets = Number(process.env.BENCH_STAT_TICKETS ?? 1_000_000);
  const combosPerHour = Number(process.env.BENCH_STAT_COMBOS ?? 120);
  const runs = Number(process.env.BENCH_STAT_RUNS ?? 20);
  const name = `bench_stats_${Date.now().toString(36)}`;
  const uri = new URL(mongoBase);
  uri.pathname = `/${name}`;
  const conn = await mongoose.createConnection(uri.toString()).asPromise();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  try {
    const models = await createModels(conn);
    const statModels = await createStatModels(conn);
    const locks = createDocumentLocks(redis, name);
    const rollups = createStatRollups({ redis, prefix: name, zones: ['Asia/Shanghai'], hourlyRetentionDays: 92 });
    const stats = createStatsService({ ...statModels, ...models, locks, rollups });
    const fromBuckets = createStatsService({ ...statModels, ...models, locks });
    const teams = Array.from({ length: TEAMS }, () => new mongoose.Types.ObjectId().toString());
    const agents = teams.map(() => Array.from({ length: AGENTS_PER_TEAM }, () => new mongoose.Types.ObjectId().toString()));

    // ---- the buckets of `tickets` tickets over DAYS days up to now ----
    const now = Date.now();
    const firstHour = Math.floor(now / HOUR) * HOUR - (DAYS * 24 - 1) * HOUR;
    const hours = DAYS * 24;
    const perHour = tickets / hours;
    const rand = rng(42);
    const insertStart = performance.now();
    let inserted = 0;
    let batch: Array<Record<string, unknown>> = [];
    let rollupBatch: Contribution = new Map();
    let rollupMs = 0;
    const ids: string[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await statModels.StatBucket.collection.insertMany(batch as never[], { ordered: false });
      inserted += batch.length;
      batch = [];
      const r0 = performance.now();
      await rollups.apply(rollupBatch);
      rollupMs += performance.now() - r0;
      rollupBatch = new Map();
      process.stderr.write(`stats bench: ${inserted} buckets inserted in ${Math.round(performance.now() - insertStart)} ms\n`);
    };
    let created = 0;
    for (let h = 0; h < hours; h++) {
      const hour = new Date(firstHour + h * HOUR);
      const seen = new Set<string>();
      // Whole tickets per hour, spread over the hour's occupied combinations.
      const inHour = Math.round(perHour * (h + 1)) - Math.round(perHour * h);
      for (let c = 0; c < combosPerHour; ) {
        const ti = Math.floor(rand() * TEAMS);
        const dims = {
          hour,
          team: teams[ti]!,
          channel: CHANNELS[Math.floor(rand() * CHANNELS.length)]!,
          type: TYPES[Math.floor(rand() * TYPES.length)]!,
          priority: PRIORITIES[Math.floor(rand() * PRIORITIES.length)]!,
          agent: agents[ti]![Math.floor(rand() * AGENTS_PER_TEAM)]!,
        };
        const key = bucketKey(dims);
        if (seen.has(key)) continue;
        seen.add(key);
        const n = Math.floor(inHour / combosPerHour) + (c < inHour % combosPerHour ? 1 : 0);
        c++;
        if (n === 0) continue;
        created += n;
        const doc: Record<string, unknown> = { _id: key, ...dims, created: n, handled: n, sla_tracked: n, sla_met: Math.floor(n * 0.9) };
        for (const prefix of ['wait', 'frt', 'nrt', 'res', 'tht', 'ht']) {
          let sum = 0;
          for (let k = 0; k < n; k++) {
            const ms = Math.floor(rand() * (prefix === 'res' ? 48 : 2) * HOUR);
            sum += ms;
            const f = `${prefix}_h${binOf(ms)}`;
            doc[f] = Number(doc[f] ?? 0) + 1;
          }
          doc[`${prefix}_count`] = n;
          doc[`${prefix}_sum`] = sum;
        }
        batch.push(doc);
        const counters = new Map<string, number>();
        for (const [f, v] of Object.entries(doc)) if (typeof v === 'number') counters.set(f, v);
        rollupBatch.set(key, { dims, counters });
        if (ids.length < 5000 || rand() < 0.01) ids.push(key);
        if (batch.length >= 2000) await flush();
      }
    }
    await flush();
    const insertMs = performance.now() - insertStart;
    await rollups.markReady();
    // The backlog: open tickets of the last days in the sorted sets the summary counts.
    const openTickets = Number(process.env.BENCH_STAT_OPEN ?? 50_000);
    for (let i = 0; i < openTickets; i += 1000) {
      await Promise.all(
        Array.from({ length: Math.min(1000, openTickets - i) }, (_, k) => {
          const ti = Math.floor(rand() * TEAMS);
          const agent = rand() < 0.3 ? '' : agents[ti]![Math.floor(rand() * AGENTS_PER_TEAM)]!;
          return rollups.moveOpen(`open-${i + k}`, null, { team: teams[ti]!, agent, createdAt: now - Math.floor(rand() * 5 * 86_400_000) });
        }),
      );
    }

    // ---- the dashboard's queries ----
    const DAY = 86_400_000;
    const utcDay = Math.floor(now / DAY) * DAY;
    const today: StatsFilter = { from: new Date(utcDay), to: new Date(utcDay + DAY), teams: null, tz: 'UTC' };
    const week: StatsFilter = { from: new Date(utcDay - 6 * DAY), to: new Date(utcDay + DAY), teams: null, tz: 'UTC' };
    const month: StatsFilter = { from: new Date(utcDay - 29 * DAY), to: new Date(utcDay + DAY), teams: null, tz: 'UTC' };
    // Shanghai's local days (UTC+8): midnight there is 16:00 UTC.
    const sh = utcDay + 16 * HOUR - (now >= utcDay + 16 * HOUR ? 0 : DAY);
    const weekShanghai: StatsFilter = { from: new Date(sh - 6 * DAY), to: new Date(sh + DAY), teams: null, tz: 'Asia/Shanghai' };
    const oneTeam: StatsFilter = { ...week, teams: [teams[0]!] };
    const oneAgent: StatsFilter = { ...week, agent: agents[0]![0]! };
    const queries: Array<[string, () => Promise<unknown>, StatsFilter]> = [
      ['summary.today', () => stats.summary(today), today],
      ['summary.7d', () => stats.summary(week), week],
      ['summary.30d', () => stats.summary(month), month],
      ['summary.7d.team', () => stats.summary(oneTeam), oneTeam],
      ['summary.7d.agent', () => stats.summary(oneAgent), oneAgent],
      ['summary.7d.shanghai', () => stats.summary(weekShanghai), weekShanghai],
      ['agents.7d', () => stats.agents(week), week],
      ['teams.7d', () => stats.teams(week), week],
      ['series.7d.day', () => stats.series(week, 'day'), week],
      ['series.7d.day.shanghai', () => stats.series(weekShanghai, 'day'), weekShanghai],
      ['series.today.hour', () => stats.series(today, 'hour'), today],
    ];
    if (process.env.BENCH_STAT_BUCKET_QUERIES === '1') {
      queries.push(['buckets.summary.7d', () => fromBuckets.summary(week), week], ['buckets.agents.7d', () => fromBuckets.agents(week), week]);
    }
    const pick = rng(7);
    const baseline = await timed(Math.max(200, runs * 10), () => statModels.StatBucket.findById(ids[Math.floor(pick() * ids.length)]).lean());
    const base50 = percentile(baseline, 50);
    const base99 = percentile(baseline, 99);
    const out: BenchRecord[] = [
      record('stats.insert', 'buckets/s', inserted / (insertMs / 1000), 1, 'none', { buckets: inserted, tickets: created, seconds: Math.round(insertMs / 100) / 10, rollupSeconds: Math.round(rollupMs / 100) / 10 }),
    ];
    for (const [q, run, f] of queries) {
      await run(); // warm
      const d = await timed(runs, run);
      const period = { from: f.from.toISOString(), to: f.to.toISOString(), tz: f.tz };
      out.push(record(`stats.${q}.p50`, 'ms', percentile(d, 50), base50, 'findById.p50', { runs, tickets: created, buckets: inserted, openTickets, ...period }));
      out.push(record(`stats.${q}.p99`, 'ms', percentile(d, 99), base99, 'findById.p99', { runs, tickets: created, buckets: inserted, openTickets, ...period }));
    }
    return out;
  } finally {
    await createStatRollups({ redis, prefix: name, zones: [], hourlyRetentionDays: 2 }).clear().catch(() => undefined);
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
    redis.disconnect();
  }
}
