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
import type { OpenTicket, StatBucketDoc, StatContributionDoc, StatModels } from './stat-bucket.model';
import type { PlannedSlot, RowKind, StatRollups } from './stats.rollups';

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
  /** The Redis rollups and backlog sets, sorted (null without rollups). */
  dumpRollups(): Promise<{ ready: boolean; rows: Awaited<ReturnType<StatRollups['dump']>>; backlog: Record<string, string[]> } | null>;
}

const toRows = (c: Contribution): StatContributionDoc['rows'] => [...c].map(([key, r]) => ({ key, counters: Object.fromEntries(r.counters) }));
const fromRows = (rows: StatContributionDoc['rows']): Contribution =>
  new Map(rows.map((r) => [r.key, { dims: dimsOfKey(r.key), counters: new Map(Object.entries(r.counters)) }]));

const OPEN_STATUSES = ['new', 'open', 'pending'];

/** Where an open ticket counts in the backlog (null once it is resolved, closed or merged). */
export const openOf = (t: Pick<TicketDoc, 'status' | 'mergedInto' | 'team' | 'assignee' | 'createdAt'>): OpenTicket | null =>
  OPEN_STATUSES.includes(t.status) && !t.mergedInto ? { team: t.team?.toString() ?? '', agent: t.assignee?.toString() ?? '', createdAt: t.createdAt.getTime() } : null;

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

/** The counters of some buckets (or of a rollup group), summed. */
class Figures {
  created = 0;
  byChannel: Record<string, number> = {};
  byType: Record<string, number> = {};
  handled = 0;
  tracked = 0;
  met = 0;
  answers = 0;
  satisfied = 0;
  scoreSum = 0;
  wait = new Durations();
  frt = new Durations();
  res = new Durations();
  nrt = new Durations();
  ht = new Durations();
  /** `ht`: the agents' own shares of handle time; `tht`: each ticket's total. */
  constructor(private readonly htPrefix: string) {}

  addBucket(b: StatBucketDoc): void {
    const created = Number(b.created ?? 0);
    if (created !== 0) {
      this.byChannel[b.channel] = (this.byChannel[b.channel] ?? 0) + created;
      this.byType[b.type] = (this.byType[b.type] ?? 0) + created;
    }
    this.add(b);
  }

  addRollup(r: Record<string, number>): void {
    for (const [f, n] of Object.entries(r)) {
      if (n === 0) continue;
      if (f.startsWith('vc_')) this.byChannel[f.slice(3)] = (this.byChannel[f.slice(3)] ?? 0) + n;
      else if (f.startsWith('vt_')) this.byType[f.slice(3)] = (this.byType[f.slice(3)] ?? 0) + n;
    }
    this.add(r);
  }

  private add(b: Record<string, unknown>): void {
    this.created += Number(b.created ?? 0);
    this.handled += Number(b.handled ?? 0);
    this.tracked += Number(b.sla_tracked ?? 0);
    this.met += Number(b.sla_met ?? 0);
    this.answers += Number(b.csat_count ?? 0);
    this.satisfied += Number(b.csat_satisfied ?? 0);
    this.scoreSum += Number(b.csat_sum ?? 0);
    this.wait.add(b, 'wait');
    this.frt.add(b, 'frt');
    this.res.add(b, 'res');
    this.nrt.add(b, 'nrt');
    this.ht.add(b, this.htPrefix);
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
  /** Read-optimised copies of the buckets in Redis (without them every query reads the buckets). */
  rollups?: StatRollups;
  now?: () => Date;
}

export function createStatsService(deps: StatsServiceDeps): StatsService {
  const { StatBucket, StatContribution, Ticket, User, Team, TicketEvent, Message, locks } = deps;
  const rollups = deps.rollups ?? null;
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
    await rollups?.apply(diff);
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

  /** The rollups answer a filter without channel, type or priority, once they hold every bucket. */
  async function rollupsFor(f: StatsFilter): Promise<StatRollups | null> {
    if (!rollups || f.channel || f.type || f.priority) return null;
    return (await rollups.ready()) ? rollups : null;
  }
  /** The row kind answering a filter: an agent's own rows, one team's, or everyone's. */
  const kindOf = (f: StatsFilter): RowKind => (f.agent ? 'A' : f.teams === null ? 'G' : 'T');

  /**
   * The figures of `f`, grouped by `group` of a bucket (or of a rollup group): from the rollups
   * when they can answer, otherwise from the buckets.
   */
  async function grouped(f: StatsFilter, groupBy: 'none' | 'team' | 'agent', kind: RowKind = kindOf(f), htPrefix = f.agent ? 'ht' : 'tht'): Promise<Map<string, Figures>> {
    const out = new Map<string, Figures>();
    const at = (g: string) => {
      const x = out.get(g) ?? new Figures(htPrefix);
      out.set(g, x);
      return x;
    };
    const r = await rollupsFor(f);
    const slots = r?.plan(f.from, f.to, f.tz ?? 'UTC') ?? null;
    if (r && slots) {
      for (const [g, counters] of await r.read({ kind, groupBy, teams: f.teams, agent: f.agent, slots })) at(g).addRollup(counters);
      return out;
    }
    for (const b of await buckets(f)) {
      const g = groupBy === 'team' ? b.team : groupBy === 'agent' ? b.agent : '';
      if (groupBy === 'agent' && !g) continue;
      at(g).addBucket(b);
    }
    return out;
  }

  /** Open tickets by age now: from the rollups' sorted sets when they can answer, else indexed counts. */
  async function backlogOf(f: StatsFilter): Promise<StatsSummary['backlog']> {
    const t = now().getTime();
    const r = await rollupsFor(f);
    let byAge: Array<{ age: BacklogAge; count: number }>;
    if (r && !(f.agent && f.teams)) {
      byAge = await r.backlog(f.agent ? { agent: f.agent } : { teams: f.teams }, AGE_LIMITS_MS, t);
    } else {
      const open: Record<string, unknown> = { status: { $in: OPEN_STATUSES }, mergedInto: null };
      if (f.teams) open.team = { $in: f.teams };
      if (f.channel) open.channel = f.channel;
      if (f.type) open.type = f.type;
      if (f.priority) open.priority = f.priority;
      if (f.agent) open.assignee = f.agent;
      byAge = await Promise.all(
        AGE_LIMITS_MS.map(async ([age, lo, hi]) => {
          const createdAt: Record<string, Date> = { $lte: new Date(t - lo) };
          if (Number.isFinite(hi)) createdAt.$gt = new Date(t - hi);
          return { age, count: await Ticket.countDocuments({ ...open, createdAt }) };
        }),
      );
    }
    return { total: byAge.reduce((s, a) => s + a.count, 0), byAge };
  }

  return {
    async refreshTicket(ticketId) {
      const release = await locks.acquire(`stats-ticket:${ticketId}`);
      try {
        const ticket = await Ticket.findById(ticketId).lean();
        const before = await StatContribution.findById(ticketId).lean();
        const after = ticket ? ((await contributionsOf([ticket]))[0] ?? new Map()) : new Map();
        const diff = difference(before ? fromRows(before.rows) : new Map(), after);
        const openBefore = before?.open ?? null;
        const openAfter = ticket ? openOf(ticket) : null;
        const openMoved = JSON.stringify(openBefore) !== JSON.stringify(openAfter);
        if (diff.size === 0 && !openMoved) return;
        // Recorded first: a crash between the two leaves the buckets short (a rebuild repairs), never counted twice.
        await StatContribution.updateOne({ _id: ticketId }, { $set: { rows: toRows(after), open: openAfter } }, { upsert: true });
        await apply(diff);
        if (openMoved) await rollups?.moveOpen(ticketId, openBefore, openAfter);
      } finally {
        await release();
      }
    },

    async rebuild() {
      await rollups?.clear();
      await StatBucket.deleteMany({});
      await StatContribution.deleteMany({});
      const totals: Contribution = new Map();
      let tickets = 0;
      let batch: TicketDoc[] = [];
      const flush = async () => {
        const contributions = await contributionsOf(batch);
        await StatContribution.insertMany(
          batch.map((t, i) => ({ _id: t._id.toString(), rows: toRows(contributions[i]!), open: openOf(t) })),
          { ordered: false },
        );
        for (const t of batch) {
          const open = openOf(t);
          if (open) await rollups?.moveOpen(t._id.toString(), null, open);
        }
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
      if (rollups) {
        const entries = [...totals];
        for (let i = 0; i < entries.length; i += 200) await rollups.apply(new Map(entries.slice(i, i + 200)));
        await rollups.markReady();
      }
      return { tickets, buckets: docs.length };
    },

    async summary(f) {
      const [all, backlog] = await Promise.all([grouped(f, 'none'), backlogOf(f)]);
      const x = all.get('') ?? new Figures(f.agent ? 'ht' : 'tht');
      return {
        from: f.from.toISOString(),
        to: f.to.toISOString(),
        volumes: { total: x.created, byChannel: x.byChannel, byType: x.byType },
        wait: x.wait.figures(),
        firstResponse: x.frt.figures(),
        resolution: x.res.figures(),
        nextResponse: x.nrt.figures(),
        handleTime: x.ht.figures(),
        sla: sla(x.tracked, x.met),
        csat: csatOf(x.answers, x.satisfied, x.scoreSum),
        backlog,
      };
    },

    async agents(f) {
      // Each agent's own share of handle time, whatever the filter.
      const per = await grouped(f, 'agent', 'A', 'ht');
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
        .sort((x, y) => y.handled - x.handled || x.name.localeCompare(y.name) || x.agentId.localeCompare(y.agentId));
    },

    async teams(f) {
      const per = await grouped(f, 'team', f.agent ? 'A' : 'T');
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
        .sort((x, y) => y.created - x.created || x.name.localeCompare(y.name) || x.teamId.localeCompare(y.teamId));
    },

    async series(f, interval) {
      const tz = f.tz ?? 'UTC';
      /** The local hour or day an instant falls in: its label, its start and the next one's. */
      const slot = (d: Date): [string, number, number] => {
        const l = localTime(d.getTime(), tz);
        const day = `${l.year}-${pad(l.month)}-${pad(l.day)}`;
        if (interval === 'day') return [day, zonedTime(l.year, l.month, l.day, 0, tz), zonedTime(l.year, l.month, l.day + 1, 0, tz)];
        const start = zonedTime(l.year, l.month, l.day, l.hour * 60, tz);
        return [`${day}T${pad(l.hour)}:00`, start, start + 3_600_000];
      };
      const per = new Map<string, { start: number; end: number; x: Figures }>();
      const point = (d: Date) => {
        const [label, start, end] = slot(d);
        const p = per.get(label) ?? { start, end, x: new Figures(f.agent ? 'ht' : 'tht') };
        per.set(label, p);
        return p;
      };
      // Every slot of the period, empty ones too (a chart's axis without gaps).
      const step = interval === 'day' ? 86_400_000 : 3_600_000;
      for (let t = f.from.getTime(); t < f.to.getTime() && per.size < 2000; t += step / 2) point(new Date(t));
      // The last instant's slot too: a period ending minutes into a day (or hour) has that day on its axis.
      if (f.to > f.from && per.size < 2000) point(new Date(f.to.getTime() - 1));
      const r = await rollupsFor(f);
      let slots: PlannedSlot[] | null = r ? [] : null;
      for (const [label, p] of per) {
        if (!slots) break;
        const part = r!.plan(new Date(Math.max(p.start, f.from.getTime())), new Date(Math.min(p.end, f.to.getTime())), tz, label);
        slots = part ? [...slots, ...part] : null;
      }
      if (r && slots) {
        for (const [label, counters] of await r.read({ kind: kindOf(f), groupBy: 'slot', teams: f.teams, agent: f.agent, slots })) per.get(label)?.x.addRollup(counters);
      } else {
        for (const b of await buckets(f)) point(b.hour).x.addBucket(b);
      }
      const points = [...per]
        .sort((a, b) => a[1].start - b[1].start)
        .map(([label, p]) => ({
          start: new Date(p.start).toISOString(),
          label,
          total: p.x.created,
          byChannel: p.x.byChannel,
          byType: p.x.byType,
          firstResponse: p.x.frt.figures(),
          resolution: p.x.res.figures(),
        }));
      return { from: f.from.toISOString(), to: f.to.toISOString(), tz, interval, points };
    },

    async dumpRollups() {
      if (!rollups) return null;
      return { ready: await rollups.ready(), rows: await rollups.dump(), backlog: await rollups.dumpBacklog() };
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

