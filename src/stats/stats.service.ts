import type { DocumentLocks } from '../db/update-lock';
import type { TicketModel } from '../tickets/ticket.model';
import type { UserModel } from '../auth/user.model';
import { contributionOf, difference, dimsOfKey, type Contribution } from './stats.contribution';
import { percentile } from './stats.histogram';
import type { StatBucketDoc, StatContributionDoc, StatModels } from './stat-bucket.model';

export interface StatsFilter {
  from: Date;
  to: Date;
  /** Only these teams (null: every team, and tickets without one). */
  teams: string[] | null;
  channel?: string;
  type?: string;
  priority?: string;
  /** Only this agent's figures. */
  agent?: string;
}

export interface DurationFigures {
  count: number;
  /** Nearest-rank, in minutes (see stats.histogram.ts), null without any. */
  medianMinutes: number | null;
  p90Minutes: number | null;
  averageMinutes: number | null;
}

export interface StatsSummary {
  from: string;
  to: string;
  volumes: { total: number; byChannel: Record<string, number>; byType: Record<string, number> };
  wait: DurationFigures;
  firstResponse: DurationFigures;
  resolution: DurationFigures;
  sla: { tracked: number; met: number; compliancePercent: number | null };
  backlog: { total: number; byAge: Array<{ age: BacklogAge; count: number }> };
}

export interface AgentFigures {
  agentId: string;
  name: string;
  handled: number;
  firstResponse: DurationFigures;
  resolution: DurationFigures;
}

export const BACKLOG_AGES = ['under_1h', '1h_4h', '4h_24h', '1d_3d', 'over_3d'] as const;
export type BacklogAge = (typeof BACKLOG_AGES)[number];
const AGE_LIMITS_MS: Array<[BacklogAge, number, number]> = [
  ['under_1h', 0, 3_600_000],
  ['1h_4h', 3_600_000, 4 * 3_600_000],
  ['4h_24h', 4 * 3_600_000, 24 * 3_600_000],
  ['1d_3d', 24 * 3_600_000, 72 * 3_600_000],
  ['over_3d', 72 * 3_600_000, Number.POSITIVE_INFINITY],
];

export interface StatsService {
  /** Brings the buckets in line with the ticket as stored now (idempotent: a repeat changes nothing). */
  refreshTicket(ticketId: string): Promise<void>;
  /** Recomputes every bucket from the stored tickets (drops the old ones first). */
  rebuild(): Promise<{ tickets: number; buckets: number }>;
  summary(filter: StatsFilter): Promise<StatsSummary>;
  agents(filter: StatsFilter): Promise<AgentFigures[]>;
  /** Every bucket, sorted by key (for comparing a rebuild with the live buckets). */
  dump(): Promise<Array<Record<string, unknown>>>;
}

const toRows = (c: Contribution): StatContributionDoc['rows'] => [...c].map(([key, r]) => ({ key, counters: Object.fromEntries(r.counters) }));
const fromRows = (rows: StatContributionDoc['rows']): Contribution =>
  new Map(rows.map((r) => [r.key, { dims: dimsOfKey(r.key), counters: new Map(Object.entries(r.counters)) }]));

class Durations {
  count = 0;
  sum = 0;
  bins = new Map<number, number>();
  add(b: Record<string, unknown>, prefix: string): void {
    this.count += Number(b[`${prefix}_count`] ?? 0);
    this.sum += Number(b[`${prefix}_sum`] ?? 0);
    const head = `${prefix}_h`;
    for (const [f, v] of Object.entries(b)) {
      if (f.startsWith(head)) {
        const i = Number(f.slice(head.length));
        this.bins.set(i, (this.bins.get(i) ?? 0) + Number(v));
      }
    }
  }
  figures(): DurationFigures {
    for (const [i, n] of this.bins) if (n === 0) this.bins.delete(i);
    return {
      count: this.count,
      medianMinutes: percentile(this.bins, 0.5),
      p90Minutes: percentile(this.bins, 0.9),
      averageMinutes: this.count > 0 ? Math.round((this.sum / this.count / 60_000) * 100) / 100 : null,
    };
  }
}

export function createStatsService(deps: StatModels & { Ticket: TicketModel; User: UserModel; locks: DocumentLocks; now?: () => Date }): StatsService {
  const { StatBucket, StatContribution, Ticket, User, locks } = deps;
  const now = deps.now ?? (() => new Date());

  async function apply(diff: Contribution): Promise<void> {
    for (const [key, { dims, counters }] of diff) {
      await StatBucket.updateOne({ _id: key }, { $inc: Object.fromEntries(counters), $setOnInsert: dims }, { upsert: true });
    }
  }

  function bucketFilter(f: StatsFilter): Record<string, unknown> {
    const q: Record<string, unknown> = { hour: { $gte: f.from, $lt: f.to } };
    if (f.teams) q.team = { $in: f.teams };
    if (f.channel) q.channel = f.channel;
    if (f.type) q.type = f.type;
    if (f.priority) q.priority = f.priority;
    if (f.agent) q.agent = f.agent;
    return q;
  }

  const buckets = (f: StatsFilter) => StatBucket.find(bucketFilter(f)).lean<Array<StatBucketDoc & Record<string, unknown>>>();

  return {
    async refreshTicket(ticketId) {
      const release = await locks.acquire(`stats-ticket:${ticketId}`);
      try {
        const ticket = await Ticket.findById(ticketId).lean();
        const before = await StatContribution.findById(ticketId).lean();
        const after = ticket ? contributionOf(ticket) : new Map();
        const diff = difference(before ? fromRows(before.rows) : new Map(), after);
        if (diff.size === 0) return;
        // Recorded first: a crash between the two leaves the buckets short (a rebuild repairs), never counted twice.
        await StatContribution.updateOne({ _id: ticketId }, { $set: { rows: toRows(after) } }, { upsert: true });
        await apply(diff);
      } finally {
        await release();
      }
    },

    async rebuild() {
      await StatBucket.deleteMany({});
      await StatContribution.deleteMany({});
      const totals: Contribution = new Map();
      let tickets = 0;
      let batch: Array<{ _id: string; rows: StatContributionDoc['rows'] }> = [];
      for await (const t of Ticket.find({}).lean().cursor()) {
        tickets++;
        const c = contributionOf(t);
        batch.push({ _id: t._id.toString(), rows: toRows(c) });
        if (batch.length >= 500) {
          await StatContribution.insertMany(batch, { ordered: false });
          batch = [];
        }
        for (const [key, row] of c) {
          const total = totals.get(key) ?? { dims: row.dims, counters: new Map<string, number>() };
          for (const [f, n] of row.counters) total.counters.set(f, (total.counters.get(f) ?? 0) + n);
          totals.set(key, total);
        }
      }
      if (batch.length > 0) await StatContribution.insertMany(batch, { ordered: false });
      const docs = [...totals].map(([key, r]) => ({ _id: key, ...r.dims, ...Object.fromEntries(r.counters) }));
      for (let i = 0; i < docs.length; i += 500) await StatBucket.insertMany(docs.slice(i, i + 500), { ordered: false });
      return { tickets, buckets: docs.length };
    },

    async summary(f) {
      const byChannel: Record<string, number> = {};
      const byType: Record<string, number> = {};
      let total = 0;
      let tracked = 0;
      let met = 0;
      const wait = new Durations();
      const frt = new Durations();
      const res = new Durations();
      for (const b of await buckets(f)) {
        const created = Number(b.created ?? 0);
        if (created !== 0) {
          total += created;
          byChannel[b.channel] = (byChannel[b.channel] ?? 0) + created;
          byType[b.type] = (byType[b.type] ?? 0) + created;
        }
        tracked += Number(b.sla_tracked ?? 0);
        met += Number(b.sla_met ?? 0);
        wait.add(b, 'wait');
        frt.add(b, 'frt');
        res.add(b, 'res');
      }
      // Backlog is the state now: open tickets counted by age (indexed counts, no scan of closed ones).
      const t = now().getTime();
      const open: Record<string, unknown> = { status: { $in: ['new', 'open', 'pending'] }, mergedInto: null };
      if (f.teams) open.team = { $in: f.teams };
      if (f.channel) open.channel = f.channel;
      if (f.type) open.type = f.type;
      if (f.priority) open.priority = f.priority;
      if (f.agent) open.assignee = f.agent;
      const byAge = await Promise.all(
        AGE_LIMITS_MS.map(async ([age, lo, hi]) => {
          const createdAt: Record<string, Date> = { $lte: new Date(t - lo) };
          if (Number.isFinite(hi)) createdAt.$gt = new Date(t - hi);
          return { age, count: await Ticket.countDocuments({ ...open, createdAt }) };
        }),
      );
      return {
        from: f.from.toISOString(),
        to: f.to.toISOString(),
        volumes: { total, byChannel, byType },
        wait: wait.figures(),
        firstResponse: frt.figures(),
        resolution: res.figures(),
        sla: { tracked, met, compliancePercent: tracked > 0 ? Math.round((met / tracked) * 10_000) / 100 : null },
        backlog: { total: byAge.reduce((s, a) => s + a.count, 0), byAge },
      };
    },

    async agents(f) {
      const per = new Map<string, { handled: number; frt: Durations; res: Durations }>();
      for (const b of await buckets(f)) {
        if (!b.agent) continue;
        const a = per.get(b.agent) ?? { handled: 0, frt: new Durations(), res: new Durations() };
        a.handled += Number(b.handled ?? 0);
        a.frt.add(b, 'frt');
        a.res.add(b, 'res');
        per.set(b.agent, a);
      }
      const users = await User.find({ _id: { $in: [...per.keys()] } }, { name: 1 }).lean();
      const names = new Map(users.map((u) => [u._id.toString(), u.name]));
      return [...per]
        .map(([agentId, a]) => ({ agentId, name: names.get(agentId) ?? '', handled: a.handled, firstResponse: a.frt.figures(), resolution: a.res.figures() }))
        .sort((x, y) => y.handled - x.handled || x.name.localeCompare(y.name));
    },

    async dump() {
      const all = await StatBucket.find({}).lean<Array<Record<string, unknown>>>();
      const dims = new Set(['_id', 'hour', 'team', 'channel', 'type', 'priority', 'agent']);
      // A bucket whose counters all went back to zero (a ticket moved away) counts as absent.
      return all
        .map((b) => Object.fromEntries(Object.entries(b).filter(([, v]) => v !== 0).sort(([a], [c]) => a.localeCompare(c))))
        .filter((b) => Object.keys(b).some((k) => !dims.has(k)))
        .sort((a, b) => String(a._id).localeCompare(String(b._id)));
    },
  };
}

