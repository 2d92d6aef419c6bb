import type { DocumentLocks } from '../db/update-lock';
import type { Types } from 'mongoose';
import type { TicketDoc, TicketModel } from '../tickets/ticket.model';
import type { UserModel } from '../auth/user.model';
import type { TeamModel } from '../auth/team.model';
import type { MessageModel } from '../tickets/message.model';
import type { TicketEventModel } from '../tickets/ticket-event.model';
import { localTime, zonedTime } from '../routing/business-hours.calculator';
import { contributionOf, difference, dimsOfKey, needsHistory, type Contribution, type StatHistory } from './stats.contribution';
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
  /** IANA zone the period was chosen in (series buckets roll up into its local days). */
  tz?: string;
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
  nextResponse: DurationFigures;
  handleTime: DurationFigures;
  sla: SlaFigures;
  csat: CsatFigures;
  backlog: { total: number; byAge: Array<{ age: BacklogAge; count: number }> };
}

/** Satisfaction answers given in the period: CSAT is the share of 4 and 5 among them. */
export interface CsatFigures {
  answers: number;
  satisfied: number;
  csatPercent: number | null;
  averageScore: number | null;
}

export interface SlaFigures {
  tracked: number;
  met: number;
  compliancePercent: number | null;
}

export interface AgentFigures {
  agentId: string;
  name: string;
  handled: number;
  firstResponse: DurationFigures;
  nextResponse: DurationFigures;
  resolution: DurationFigures;
  handleTime: DurationFigures;
}

export interface TeamFigures {
  /** '' for tickets without a team. */
  teamId: string;
  name: string;
  created: number;
  handled: number;
  firstResponse: DurationFigures;
  nextResponse: DurationFigures;
  resolution: DurationFigures;
  handleTime: DurationFigures;
  sla: SlaFigures;
}

export const SERIES_INTERVALS = ['hour', 'day'] as const;
export type SeriesInterval = (typeof SERIES_INTERVALS)[number];

export interface SeriesPoint {
  /** The local hour or day's start, as an instant (ISO). */
  start: string;
  /** The same start as local wall time in the zone: `YYYY-MM-DD` or `YYYY-MM-DDTHH:00`. */
  label: string;
  total: number;
  byChannel: Record<string, number>;
  byType: Record<string, number>;
  firstResponse: DurationFigures;
  resolution: DurationFigures;
}

export interface StatsSeries {
  from: string;
  to: string;
  tz: string;
  interval: SeriesInterval;
  points: SeriesPoint[];
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
  teams(filter: StatsFilter): Promise<TeamFigures[]>;
  /** Volumes by channel and type and FRT / resolution per local hour or day of `filter.tz`. */
  series(filter: StatsFilter, interval: SeriesInterval): Promise<StatsSeries>;
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

const csatOf = (answers: number, satisfied: number, sum: number): CsatFigures => ({
  answers,
  satisfied,
  csatPercent: answers > 0 ? Math.round((satisfied / answers) * 10_000) / 100 : null,
  averageScore: answers > 0 ? Math.round((sum / answers) * 100) / 100 : null,
});
const sla = (tracked: number, met: number): SlaFigures => ({ tracked, met, compliancePercent: tracked > 0 ? Math.round((met / tracked) * 10_000) / 100 : null });

const pad = (n: number) => String(n).padStart(2, '0');

/** The entries of the timeline that the figures read. */
const HISTORY_ACTIONS = ['assignee', 'status', 'delivery'];

export interface StatsServiceDeps extends StatModels {
  Ticket: TicketModel;
  User: UserModel;
  Team: TeamModel;
  TicketEvent: TicketEventModel;
  Message: MessageModel;
  locks: DocumentLocks;
  now?: () => Date;
}

export function createStatsService(deps: StatsServiceDeps): StatsService {
  const { StatBucket, StatContribution, Ticket, User, Team, TicketEvent, Message, locks } = deps;
  const now = deps.now ?? (() => new Date());

  /** The recorded times of these tickets beyond their own fields (customer messages, timeline). */
  async function histories(ids: Types.ObjectId[]): Promise<Map<string, StatHistory>> {
    const out = new Map<string, StatHistory>(ids.map((id) => [id.toString(), { customerMessagesAt: [], events: [] }]));
    if (ids.length === 0) return out;
    const [events, messages] = await Promise.all([
      TicketEvent.find({ ticket: { $in: ids }, action: { $in: HISTORY_ACTIONS } }, { ticket: 1, action: 1, from: 1, to: 1, at: 1, params: 1 }).lean(),
      Message.find({ ticket: { $in: ids }, direction: 'inbound' }, { ticket: 1, receivedAt: 1 }).lean(),
    ]);
    for (const e of events) out.get(e.ticket.toString())?.events.push({ action: e.action, from: e.from, to: e.to, at: e.at, params: e.params ?? {} });
    for (const m of messages) if (m.ticket) out.get(m.ticket.toString())?.customerMessagesAt.push(m.receivedAt);
    for (const h of out.values()) h.events.sort((a, b) => a.at.getTime() - b.at.getTime());
    return out;
  }

  const contributionsOf = async (tickets: TicketDoc[]): Promise<Contribution[]> => {
    const h = await histories(tickets.filter(needsHistory).map((t) => t._id));
    return tickets.map((t) => contributionOf(t, h.get(t._id.toString())));
  };

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
        const after = ticket ? ((await contributionsOf([ticket]))[0] ?? new Map()) : new Map();
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
      let batch: TicketDoc[] = [];
      const flush = async () => {
        const contributions = await contributionsOf(batch);
        await StatContribution.insertMany(
          batch.map((t, i) => ({ _id: t._id.toString(), rows: toRows(contributions[i]!) })),
          { ordered: false },
        );
        for (const c of contributions) {
          for (const [key, row] of c) {
            const total = totals.get(key) ?? { dims: row.dims, counters: new Map<string, number>() };
            for (const [f, n] of row.counters) total.counters.set(f, (total.counters.get(f) ?? 0) + n);
            totals.set(key, total);
          }
        }
        batch = [];
      };
      for await (const t of Ticket.find({}).lean().cursor()) {
        tickets++;
        batch.push(t);
        if (batch.length >= 500) await flush();
      }
      if (batch.length > 0) await flush();
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
      let answers = 0;
      let satisfied = 0;
      let scoreSum = 0;
      const wait = new Durations();
      const frt = new Durations();
      const res = new Durations();
      const nrt = new Durations();
      const ht = new Durations();
      // An agent's own handle time is their share; otherwise each ticket's total.
      const htPrefix = f.agent ? 'ht' : 'tht';
      for (const b of await buckets(f)) {
        const created = Number(b.created ?? 0);
        if (created !== 0) {
          total += created;
          byChannel[b.channel] = (byChannel[b.channel] ?? 0) + created;
          byType[b.type] = (byType[b.type] ?? 0) + created;
        }
        tracked += Number(b.sla_tracked ?? 0);
        met += Number(b.sla_met ?? 0);
        answers += Number(b.csat_count ?? 0);
        satisfied += Number(b.csat_satisfied ?? 0);
        scoreSum += Number(b.csat_sum ?? 0);
        wait.add(b, 'wait');
        frt.add(b, 'frt');
        res.add(b, 'res');
        nrt.add(b, 'nrt');
        ht.add(b, htPrefix);
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
        nextResponse: nrt.figures(),
        handleTime: ht.figures(),
        sla: sla(tracked, met),
        csat: csatOf(answers, satisfied, scoreSum),
        backlog: { total: byAge.reduce((s, a) => s + a.count, 0), byAge },
      };
    },

    async agents(f) {
      const per = new Map<string, { handled: number; frt: Durations; nrt: Durations; res: Durations; ht: Durations }>();
      for (const b of await buckets(f)) {
        if (!b.agent) continue;
        const a = per.get(b.agent) ?? { handled: 0, frt: new Durations(), nrt: new Durations(), res: new Durations(), ht: new Durations() };
        a.handled += Number(b.handled ?? 0);
        a.frt.add(b, 'frt');
        a.nrt.add(b, 'nrt');
        a.res.add(b, 'res');
        a.ht.add(b, 'ht');
        per.set(b.agent, a);
      }
      const users = await User.find({ _id: { $in: [...per.keys()] } }, { name: 1 }).lean();
      const names = new Map(users.map((u) => [u._id.toString(), u.name]));
      return [...per]
        .map(([agentId, a]) => ({
          agentId,
          name: names.get(agentId) ?? '',
          handled: a.handled,
          firstResponse: a.frt.figures(),
          nextResponse: a.nrt.figures(),
          resolution: a.res.figures(),
          handleTime: a.ht.figures(),
        }))
        .sort((x, y) => y.handled - x.handled || x.name.localeCompare(y.name));
    },

    async teams(f) {
      const per = new Map<string, { created: number; handled: number; tracked: number; met: number; frt: Durations; nrt: Durations; res: Durations; ht: Durations }>();
      for (const b of await buckets(f)) {
        const a = per.get(b.team) ?? { created: 0, handled: 0, tracked: 0, met: 0, frt: new Durations(), nrt: new Durations(), res: new Durations(), ht: new Durations() };
        a.created += Number(b.created ?? 0);
        a.handled += Number(b.handled ?? 0);
        a.tracked += Number(b.sla_tracked ?? 0);
        a.met += Number(b.sla_met ?? 0);
        a.frt.add(b, 'frt');
        a.nrt.add(b, 'nrt');
        a.res.add(b, 'res');
        a.ht.add(b, f.agent ? 'ht' : 'tht');
        per.set(b.team, a);
      }
      const ids = [...per.keys()].filter((id) => /^[0-9a-f]{24}$/i.test(id));
      const teams = await Team.find({ _id: { $in: ids } }, { name: 1 }).lean();
      const names = new Map(teams.map((t) => [t._id.toString(), t.name]));
      return [...per]
        .map(([teamId, a]) => ({
          teamId,
          name: names.get(teamId) ?? '',
          created: a.created,
          handled: a.handled,
          firstResponse: a.frt.figures(),
          nextResponse: a.nrt.figures(),
          resolution: a.res.figures(),
          handleTime: a.ht.figures(),
          sla: sla(a.tracked, a.met),
        }))
        .sort((x, y) => y.created - x.created || x.name.localeCompare(y.name));
    },

    async series(f, interval) {
      const tz = f.tz ?? 'UTC';
      /** The local hour or day an instant falls in: its label and its start. */
      const slot = (d: Date): [string, number] => {
        const l = localTime(d.getTime(), tz);
        const day = `${l.year}-${pad(l.month)}-${pad(l.day)}`;
        return interval === 'day' ? [day, zonedTime(l.year, l.month, l.day, 0, tz)] : [`${day}T${pad(l.hour)}:00`, zonedTime(l.year, l.month, l.day, l.hour * 60, tz)];
      };
      const per = new Map<string, { start: number; total: number; byChannel: Record<string, number>; byType: Record<string, number>; frt: Durations; res: Durations }>();
      const point = (d: Date) => {
        const [label, start] = slot(d);
        const p = per.get(label) ?? { start, total: 0, byChannel: {}, byType: {}, frt: new Durations(), res: new Durations() };
        per.set(label, p);
        return p;
      };
      // Every slot of the period, empty ones too (a chart's axis without gaps).
      const step = interval === 'day' ? 86_400_000 : 3_600_000;
      for (let t = f.from.getTime(); t < f.to.getTime() && per.size < 2000; t += step / 2) point(new Date(t));
      for (const b of await buckets(f)) {
        const p = point(b.hour);
        const created = Number(b.created ?? 0);
        if (created !== 0) {
          p.total += created;
          p.byChannel[b.channel] = (p.byChannel[b.channel] ?? 0) + created;
          p.byType[b.type] = (p.byType[b.type] ?? 0) + created;
        }
        p.frt.add(b, 'frt');
        p.res.add(b, 'res');
      }
      const points = [...per]
        .sort((a, b) => a[1].start - b[1].start)
        .map(([label, p]) => ({ start: new Date(p.start).toISOString(), label, total: p.total, byChannel: p.byChannel, byType: p.byType, firstResponse: p.frt.figures(), resolution: p.res.figures() }));
      return { from: f.from.toISOString(), to: f.to.toISOString(), tz, interval, points };
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

