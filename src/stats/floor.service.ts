import { Types } from 'mongoose';
import type { FloorAlertLimits } from '../auth/team.model';
import type { SlaClock } from '../events/event.types';
import type { TeamFloor } from '../routing/routing.store';
import type { TicketModel, TicketStatus } from '../tickets/ticket.model';

/** A ticket as the floor names it (click-through to `/tickets/:id`). */
export interface FloorTicket {
  ticketId: string;
  number: number;
  subject: string;
}

export interface FloorSlaTicket extends FloorTicket {
  clock: SlaClock;
  dueAt: string;
  assigneeId: string | null;
}

export interface TeamFloorView {
  teamId: string;
  name: string;
  alerts: FloorAlertLimits | null;
  /** Waiting now, in all of the team's queues. */
  waiting: number;
  /** How long the longest-waiting ticket waits (seconds), null with none waiting. */
  oldestWaitSeconds: number | null;
  queues: Array<{ channel: string; waiting: number; oldestWaitSeconds: number; oldestSince: string }>;
  agents: Array<{
    agentId: string;
    name: string;
    status: 'online' | 'away' | 'offline';
    /** Counted against each limit (accepted work and open offers). */
    load: { chat: number; async: number };
    limits: { chat: number; async: number };
    /** Tickets the agent holds (accepted), not the offers. */
    tickets: Array<FloorTicket & { kind: 'chat' | 'async' }>;
  }>;
  offers: Array<FloorTicket & { agentId: string; agentName: string; expiresAt: string | null }>;
  /** Open tickets whose SLA warning fired and that are not past due yet. */
  atRisk: FloorSlaTicket[];
  /** Open tickets past a due time now. */
  breached: FloorSlaTicket[];
}

export interface FloorView {
  at: string;
  teams: TeamFloorView[];
}

export interface FloorTeam {
  id: string;
  name: string;
  floorAlerts: FloorAlertLimits | null;
}

export interface FloorDeps {
  Ticket: TicketModel;
  /** Teams by id (null: every team). */
  teams(ids: string[] | null): Promise<FloorTeam[]>;
  /** Routing's live state of a team (Redis); only its queues with `includeAgents` false. */
  routingFloor(teamId: string, includeAgents?: boolean): Promise<TeamFloor>;
  /** The SLA clocks whose warning fired, per ticket (Redis). */
  warnedClocks(ticketIds: string[]): Promise<Map<string, Array<{ clock: SlaClock; dueAt: number; breached: boolean }>>>;
  now?: () => number;
}

export interface FloorService {
  floor(teams: string[] | null): Promise<FloorView>;
  /** Only the queues of one team (for the alert checks): waiting count and oldest wait. */
  queueOf(teamId: string): Promise<{ waiting: number; oldestWaitSeconds: number | null }>;
}

const OPEN: TicketStatus[] = ['new', 'open', 'pending'];

/**
 * The supervisors' live floor, from live state only: routing's Redis (queues, members, load,
 * offers), the SLA clocks' Redis, and the open tickets of the teams (the `status, team` index)
 * for ticket numbers and due times. Nothing scans closed tickets.
 */
export function createFloorService(deps: FloorDeps): FloorService {
  const now = deps.now ?? Date.now;
  const iso = (ms: number) => new Date(ms).toISOString();
  const secondsSince = (ms: number, t: number) => Math.max(0, Math.floor((t - ms) / 1000));

  async function describe(ids: string[]): Promise<Map<string, FloorTicket>> {
    const valid = [...new Set(ids)].filter((id) => Types.ObjectId.isValid(id));
    if (valid.length === 0) return new Map();
    const docs = await deps.Ticket.find({ _id: { $in: valid } }, { number: 1, subject: 1 }).lean();
    return new Map(docs.map((d) => [d._id.toString(), { ticketId: d._id.toString(), number: d.number, subject: d.subject }]));
  }

  async function slaOf(teamIds: string[], t: number): Promise<Map<string, { atRisk: FloorSlaTicket[]; breached: FloorSlaTicket[] }>> {
    const out = new Map(teamIds.map((id) => [id, { atRisk: [] as FloorSlaTicket[], breached: [] as FloorSlaTicket[] }]));
    const valid = teamIds.filter((id) => Types.ObjectId.isValid(id));
    if (valid.length === 0) return out;
    const open = await deps.Ticket.find(
      {
        status: { $in: OPEN },
        team: { $in: valid },
        mergedInto: null,
        $or: [{ 'sla.firstResponseDueAt': { $ne: null } }, { 'sla.nextResponseDueAt': { $ne: null } }, { 'sla.resolutionDueAt': { $ne: null } }],
      },
      { number: 1, subject: 1, team: 1, assignee: 1, status: 1, firstResponseAt: 1, sla: 1 },
    )
      .sort({ number: 1 })
      .lean();
    const notBreached: typeof open = [];
    for (const d of open) {
      const base = { ticketId: d._id.toString(), number: d.number, subject: d.subject, assigneeId: d.assignee?.toString() ?? null };
      const due: Array<[SlaClock, Date | null]> = [
        ['first_response', d.firstResponseAt ? null : d.sla.firstResponseDueAt],
        ['next_response', d.sla.nextResponseDueAt],
        ['resolution', d.status === 'pending' ? null : d.sla.resolutionDueAt],
      ];
      const past = due.filter((x): x is [SlaClock, Date] => x[1] !== null && x[1].getTime() <= t).sort((a, b) => a[1].getTime() - b[1].getTime())[0];
      const team = out.get(d.team?.toString() ?? '');
      if (!team) continue;
      if (past) team.breached.push({ ...base, clock: past[0], dueAt: past[1].toISOString() });
      else notBreached.push(d);
    }
    const warned = await deps.warnedClocks(notBreached.map((d) => d._id.toString()));
    for (const d of notBreached) {
      const clocks = (warned.get(d._id.toString()) ?? []).filter((c) => !c.breached && c.dueAt > t).sort((a, b) => a.dueAt - b.dueAt);
      const first = clocks[0];
      if (!first) continue;
      out.get(d.team?.toString() ?? '')?.atRisk.push({
        ticketId: d._id.toString(),
        number: d.number,
        subject: d.subject,
        assigneeId: d.assignee?.toString() ?? null,
        clock: first.clock,
        dueAt: iso(first.dueAt),
      });
    }
    return out;
  }

  return {
    async floor(teamIds) {
      const teams = await deps.teams(teamIds);
      const t = now();
      const live = await Promise.all(teams.map((team) => deps.routingFloor(team.id)));
      const ids = live.flatMap((f) => f.agents.flatMap((a) => [...a.load.chat, ...a.load.async]));
      const [named, sla] = await Promise.all([describe(ids), slaOf(teams.map((x) => x.id), t)]);
      const ticket = (id: string): FloorTicket => named.get(id) ?? { ticketId: id, number: 0, subject: '' };
      return {
        at: iso(t),
        teams: teams.map((team, i) => {
          const f = live[i]!;
          const queues = f.queues
            .map((q) => ({ channel: q.channel, waiting: q.waiting, oldestWaitSeconds: secondsSince(q.oldestSinceMs, t), oldestSince: iso(q.oldestSinceMs) }))
            .sort((a, b) => a.channel.localeCompare(b.channel));
          const waiting = queues.reduce((s, q) => s + q.waiting, 0);
          const agents = f.agents
            .map((a) => {
              const offered = new Set(a.offers.map((o) => o.ticketId));
              const held = (kind: 'chat' | 'async') => a.load[kind].filter((id) => !offered.has(id)).map((id) => ({ ...ticket(id), kind }));
              return {
                agentId: a.agentId,
                name: a.name,
                status: a.status,
                load: { chat: a.load.chat.length, async: a.load.async.length },
                limits: a.limits,
                tickets: [...held('chat'), ...held('async')].sort((x, y) => x.number - y.number),
              };
            })
            .sort((x, y) => x.name.localeCompare(y.name));
          const offers = f.agents
            .flatMap((a) => a.offers.map((o) => ({ ...ticket(o.ticketId), agentId: a.agentId, agentName: a.name, expiresAt: o.expiresAtMs === null ? null : iso(o.expiresAtMs) })))
            .sort((x, y) => x.number - y.number);
          const s = sla.get(team.id) ?? { atRisk: [], breached: [] };
          return {
            teamId: team.id,
            name: team.name,
            alerts: team.floorAlerts,
            waiting,
            oldestWaitSeconds: queues.length > 0 ? Math.max(...queues.map((q) => q.oldestWaitSeconds)) : null,
            queues,
            agents,
            offers,
            atRisk: s.atRisk,
            breached: s.breached,
          };
        }),
      };
    },

    async queueOf(teamId) {
      const f = await deps.routingFloor(teamId, false);
      const t = now();
      const waiting = f.queues.reduce((s, q) => s + q.waiting, 0);
      return { waiting, oldestWaitSeconds: f.queues.length > 0 ? Math.max(...f.queues.map((q) => secondsSince(q.oldestSinceMs, t))) : null };
    },
  };
}
