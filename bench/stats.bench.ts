/**
 * The dashboard's queries over the hourly buckets of 1,000,000 synthetic tickets (by default;
 * BENCH_STAT_TICKETS changes it): 30 days of hours, 5 teams × 8 agents, 6 channels, 3 types,
 * 4 priorities, BENCH_STAT_COMBOS (default 120) occupied combinations an hour, each with the
 * counters and histogram bins the live listener would have written (created, wait, first and
 * next response, resolution, handle time, SLA). The buckets are inserted directly in large
 * unordered batches (not tickets through the pipeline).
 *
 * Measured with the stats service itself (what the routes call): the summary for today and
 * for 7 days (all teams, as an admin; one team, as its supervisor), per agent, per team and
 * the 7-day series by day, p50 / p99 — beside a raw `findById` of one bucket in the same run.
 */
import mongoose from 'mongoose';
import { Redis } from 'ioredis';
import { createModels } from '../src/db/models';
import { createDocumentLocks } from '../src/db/update-lock';
import { createStatModels } from '../src/stats/stat-bucket.model';
import { bucketKey } from '../src/stats/stats.contribution';
import { binOf } from '../src/stats/stats.histogram';
import { createStatsService, type StatsFilter } from '../src/stats/stats.service';
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
  const runs = Number(process.env.BENCH_STAT_RUNS ?? 3);
  const name = `bench_stats_${Date.now().toString(36)}`;
  const uri = new URL(mongoBase);
  uri.pathname = `/${name}`;
  const conn = await mongoose.createConnection(uri.toString()).asPromise();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  try {
    const models = await createModels(conn);
    const statModels = await createStatModels(conn);
    const stats = createStatsService({ ...statModels, ...models, locks: createDocumentLocks(redis, name) });
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
    const ids: string[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await statModels.StatBucket.collection.insertMany(batch as never[], { ordered: false });
      inserted += batch.length;
      batch = [];
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
        if (ids.length < 5000 || rand() < 0.01) ids.push(key);
        if (batch.length >= 2000) await flush();
      }
    }
    await flush();
    const insertMs = performance.now() - insertStart;

    // ---- the dashboard's queries ----
    const today: StatsFilter = { from: new Date(Math.floor(now / 86_400_000) * 86_400_000), to: new Date(now + HOUR), teams: null, tz: 'UTC' };
    const week: StatsFilter = { from: new Date(now - 7 * 86_400_000), to: new Date(now + HOUR), teams: null, tz: 'UTC' };
    const oneTeam: StatsFilter = { ...week, teams: [teams[0]!] };
    const queries: Array<[string, () => Promise<unknown>]> = [
      ['summary.today', () => stats.summary(today)],
      ['summary.7d', () => stats.summary(week)],
      ['summary.7d.team', () => stats.summary(oneTeam)],
      ['agents.7d', () => stats.agents(week)],
      ['teams.7d', () => stats.teams(week)],
      ['series.7d.day', () => stats.series(week, 'day')],
    ];
    const pick = rng(7);
    const baseline = await timed(Math.max(200, runs * 10), () => statModels.StatBucket.findById(ids[Math.floor(pick() * ids.length)]).lean());
    const base50 = percentile(baseline, 50);
    const base99 = percentile(baseline, 99);
    const out: BenchRecord[] = [record('stats.insert', 'buckets/s', inserted / (insertMs / 1000), 1, 'none', { buckets: inserted, tickets: created, seconds: Math.round(insertMs / 100) / 10 })];
    for (const [q, run] of queries) {
      await run(); // warm
      const d = await timed(runs, run);
      const touched = q.includes('today') ? 'today' : '7d';
      out.push(record(`stats.${q}.p50`, 'ms', percentile(d, 50), base50, 'findById.p50', { runs, tickets: created, buckets: inserted, period: touched }));
      out.push(record(`stats.${q}.p99`, 'ms', percentile(d, 99), base99, 'findById.p99', { runs, tickets: created, buckets: inserted, period: touched }));
    }
    return out;
  } finally {
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
    redis.disconnect();
  }
}
