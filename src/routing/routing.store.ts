import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Priority } from '../../channels/contract';
import * as S from './routing.scripts';
import {
  AGENT_STATUSES,
  DEFAULT_TEAM_ROUTING,
  STRATEGY_NAMES,
  type AgentProfile,
  type AgentSnapshot,
  type AgentStatus,
  type CustomerTier,
  type QueuedTicket,
  type TeamRoutingConfig,
  type TicketRoutingState,
  type WorkKind,
} from './routing.types';

/** A ticket taken back to its queue by a script. */
export interface Requeued {
  ticketId: string;
  /** The agent it was taken from ('' if none). */
  agentId: string;
  teamId: string;
  kind: WorkKind;
  /** Its state before (offered / assigned). */
  previous: TicketRoutingState;
}

export type ReserveMode = 'offer' | 'assign' | 'pick';
export type ReserveResult =
  | { status: 'reserved'; agentId: string; state: 'offered' | 'assigned' }
  | { status: 'not_queued'; state: string }
  | { status: 'no_agent' };

export interface TeamSnapshot {
  config: TeamRoutingConfig;
  agents: AgentSnapshot[];
  /** Queue heads of both kinds, merged in queue order. */
  tickets: QueuedTicket[];
}

export interface AgentView {
  agent: AgentSnapshot;
  teams: string[];
  offers: string[];
  tickets: { chat: string[]; async: string[] };
}

export interface TicketRouting {
  state: TicketRoutingState;
  agentId: string | null;
  teamId: string;
  kind: WorkKind;
  offerExpiresAt: number | null;
}

export interface PositionFacts {
  state: TicketRoutingState;
  teamId: string;
  kind: WorkKind;
  agentId: string | null;
  /** 0-based rank in the queue, -1 when not queued. */
  rank: number;
  queueLength: number;
  onlineCapacity: number;
  handleSamplesMs: number[];
  /** Why the ticket is flagged for supervisors (nobody who could take it will), or null. */
  needsAttention: string | null;
}

/** One team's live floor as routing keeps it (see {@link createRoutingStore} `floor`). */
export interface TeamFloor {
  /** Waiting tickets per channel: how many, and since when the longest-waiting one waits (epoch ms). */
  queues: Array<{ channel: string; waiting: number; oldestSinceMs: number }>;
  agents: Array<{
    agentId: string;
    name: string;
    status: AgentStatus;
    limits: { chat: number; async: number };
    /** Ticket ids counted against each limit (offers included). */
    load: { chat: string[]; async: string[] };
    offers: Array<{ ticketId: string; expiresAtMs: number | null }>;
  }>;
}

export interface EnqueueArgs {
  ticketId: string;
  teamId: string;
  kind: WorkKind;
  channel: string;
  priority: Priority;
  tier: CustomerTier;
  language: string;
  requiredSkills: string[];
  contactId: string;
  waitingSinceMs: number;
  score: number;
  now: number;
}

// ---------- reply decoding (Redis replies are untyped) ----------

type Reply = string | number | null | Reply[];

function arr(v: unknown): Reply[] {
  return Array.isArray(v) ? (v as Reply[]) : [];
}
function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return '';
}
function num(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(str(v));
  return Number.isFinite(n) ? n : 0;
}
function strList(v: unknown): string[] {
  return arr(v).map(str);
}
function jsonList(v: unknown): string[] {
  const s = str(v);
  if (!s) return [];
  try {
    const parsed: unknown = JSON.parse(s);
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
function kindOf(v: unknown): WorkKind {
  return str(v) === 'chat' ? 'chat' : 'async';
}
function statusOf(v: unknown): AgentStatus {
  const s = str(v);
  return (AGENT_STATUSES as readonly string[]).includes(s) ? (s as AgentStatus) : 'offline';
}
function stateOf(v: unknown): TicketRoutingState {
  const s = str(v);
  return s === 'offered' || s === 'assigned' ? s : 'queued';
}

function decodeAgent(row: Reply[]): { agent: AgentSnapshot; teams: string[] } {
  const [id, status, skills, languages, maxChat, maxAsync, last, loadChat, loadAsync, teams] = row;
  return {
    agent: {
      agentId: str(id),
      status: statusOf(status),
      skills: jsonList(skills),
      languages: jsonList(languages),
      limits: { chat: num(maxChat), async: num(maxAsync) },
      load: { chat: num(loadChat), async: num(loadAsync) },
      lastAssignedAt: num(last),
    },
    teams: jsonList(teams),
  };
}

function decodeTicket(row: Reply[]): QueuedTicket {
  const [id, team, kind, priority, tier, language, skills, contact, score, declined, last, , missed] = row;
  return {
    ticketId: str(id),
    teamId: str(team),
    kind: kindOf(kind),
    priority: (str(priority) || 'normal') as Priority,
    tier: (str(tier) || 'none') as CustomerTier,
    language: str(language),
    requiredSkills: jsonList(skills),
    contactId: str(contact),
    score: num(score),
    declinedBy: strList(declined),
    coolingDown: strList(missed),
    lastAgentId: str(last) || null,
  };
}

function decodeRequeued(v: unknown): Requeued {
  const [tid, agent, team, kind, previous] = arr(v);
  return { ticketId: str(tid), agentId: str(agent), teamId: str(team), kind: kindOf(kind), previous: stateOf(previous) };
}

export function parseTeamConfig(teamId: string, json: string, defaults: Omit<TeamRoutingConfig, 'teamId'>): TeamRoutingConfig {
  let raw: Partial<TeamRoutingConfig> = {};
  if (json) {
    try {
      raw = JSON.parse(json) as Partial<TeamRoutingConfig>;
    } catch {
      raw = {};
    }
  }
  const strategy = raw.strategy && (STRATEGY_NAMES as readonly string[]).includes(raw.strategy) ? raw.strategy : defaults.strategy;
  return {
    teamId,
    strategy,
    offerTimeoutMs: typeof raw.offerTimeoutMs === 'number' && raw.offerTimeoutMs > 0 ? raw.offerTimeoutMs : defaults.offerTimeoutMs,
    missedOfferCooldownMs:
      typeof raw.missedOfferCooldownMs === 'number' && raw.missedOfferCooldownMs >= 0 ? raw.missedOfferCooldownMs : defaults.missedOfferCooldownMs,
    autoAccept: {
      chat: typeof raw.autoAccept?.chat === 'boolean' ? raw.autoAccept.chat : defaults.autoAccept.chat,
      async: typeof raw.autoAccept?.async === 'boolean' ? raw.autoAccept.async : defaults.autoAccept.async,
    },
  };
}

/**
 * All of routing's Redis I/O. Every write that claims, reserves or frees capacity is one
 * Lua script (routing.scripts.ts); nothing here reads, decides and writes back.
 */
export function createRoutingStore(redis: Redis, prefix: string, teamDefaults: Omit<TeamRoutingConfig, 'teamId'> = DEFAULT_TEAM_ROUTING) {
  const P = `${prefix}:rt`;
  const shas = new Map<string, string>();

  async function run(script: string, args: Array<string | number>): Promise<unknown> {
    let sha = shas.get(script);
    if (!sha) {
      sha = createHash('sha1').update(script).digest('hex');
      shas.set(script, sha);
    }
    try {
      return await redis.evalsha(sha, 0, P, ...args);
    } catch (err) {
      if (err instanceof Error && err.message.includes('NOSCRIPT')) return redis.eval(script, 0, P, ...args);
      throw err;
    }
  }

  return {
    keyPrefix: P,

    async upsertAgent(p: AgentProfile): Promise<void> {
      const teams = [...new Set(p.teams)];
      await run(S.UPSERT_AGENT, [
        p.agentId,
        p.name ?? '',
        JSON.stringify(teams),
        JSON.stringify(p.skills),
        JSON.stringify(p.languages),
        Math.max(0, Math.floor(p.limits.chat)),
        Math.max(0, Math.floor(p.limits.async)),
        ...teams,
      ]);
    },

    async configureTeam(cfg: TeamRoutingConfig): Promise<void> {
      await redis.multi().set(`${P}:team:${cfg.teamId}:config`, JSON.stringify(cfg)).sadd(`${P}:teams`, cfg.teamId).exec();
    },

    async teamConfig(teamId: string): Promise<TeamRoutingConfig> {
      return parseTeamConfig(teamId, (await redis.get(`${P}:team:${teamId}:config`)) ?? '', teamDefaults);
    },

    async teams(): Promise<string[]> {
      return redis.smembers(`${P}:teams`);
    },

    async enqueue(a: EnqueueArgs): Promise<{ created: boolean; state: TicketRoutingState; teamId: string }> {
      const r = arr(
        await run(S.ENQUEUE, [
          a.ticketId,
          a.teamId,
          a.kind,
          a.channel,
          a.priority,
          a.tier,
          a.language,
          JSON.stringify(a.requiredSkills),
          a.contactId,
          a.waitingSinceMs,
          a.score,
          a.now,
        ]),
      );
      return { created: str(r[0]) === 'queued', state: stateOf(r[1]), teamId: str(r[2]) };
    },

    async reserve(ticketId: string, candidates: string[], mode: ReserveMode, now: number, offerExpiresAt: number, offerId: string): Promise<ReserveResult> {
      if (candidates.length === 0) return { status: 'no_agent' };
      const r = arr(await run(S.RESERVE, [ticketId, now, mode, offerExpiresAt, offerId, ...candidates]));
      const status = str(r[0]);
      if (status === 'reserved') return { status, agentId: str(r[1]), state: str(r[2]) === 'offered' ? 'offered' : 'assigned' };
      if (status === 'not_queued') return { status, state: str(r[1]) };
      return { status: 'no_agent' };
    },

    /** Reserves the first still-queued ticket of `candidates` (best first) for the agent. */
    async reserveForAgent(
      agentId: string,
      candidates: Array<{ ticketId: string; mode: ReserveMode; offerExpiresAt: number; offerId: string }>,
      now: number,
    ): Promise<{ status: 'reserved'; ticketId: string; state: 'offered' | 'assigned'; offerId: string; offerExpiresAt: number } | { status: 'none'; gone: number }> {
      if (candidates.length === 0) return { status: 'none', gone: 0 };
      const args = candidates.flatMap((c) => [c.ticketId, c.mode, c.offerExpiresAt, c.offerId]);
      const r = arr(await run(S.RESERVE_FOR_AGENT, [agentId, now, ...args]));
      if (str(r[0]) === 'reserved') {
        return { status: 'reserved', ticketId: str(r[1]), state: str(r[2]) === 'offered' ? 'offered' : 'assigned', offerId: str(r[3]), offerExpiresAt: num(r[4]) };
      }
      return { status: 'none', gone: num(r[1]) };
    },

    async accept(ticketId: string, agentId: string, now: number, offerId = ''): Promise<{ status: 'ok'; teamId: string; kind: WorkKind } | { status: 'not_offered' | 'expired' }> {
      const r = arr(await run(S.ACCEPT, [ticketId, agentId, now, offerId]));
      const status = str(r[0]);
      if (status === 'ok') return { status, teamId: str(r[1]), kind: kindOf(r[2]) };
      return { status: status === 'expired' ? 'expired' : 'not_offered' };
    },

    async decline(ticketId: string, agentId: string): Promise<Requeued | null> {
      const r = arr(await run(S.DECLINE, [ticketId, agentId]));
      return str(r[0]) === 'ok' ? decodeRequeued(r[1]) : null;
    },

    async expireOffers(now: number, limit: number): Promise<Requeued[]> {
      return arr(await run(S.EXPIRE_OFFERS, [now, limit, teamDefaults.missedOfferCooldownMs])).map(decodeRequeued);
    },

    /** Ends the missed-offer cool-downs due by `now`; the tickets still queued, with their team. */
    async expireCooldowns(now: number, limit: number): Promise<Array<{ ticketId: string; teamId: string }>> {
      return arr(await run(S.EXPIRE_COOLDOWNS, [now, limit])).map((row) => {
        const [tid, team] = arr(row);
        return { ticketId: str(tid), teamId: str(team) };
      });
    },

    /** Flags a queued ticket for supervisors; true only for the call that set the flag. */
    async flagAttention(ticketId: string, reason: string): Promise<boolean> {
      return num(await run(S.FLAG_ATTENTION, [ticketId, reason])) === 1;
    },

    async onlineMembers(teamId: string): Promise<AgentSnapshot[]> {
      return arr(await run(S.ONLINE_MEMBERS, [teamId])).map((row) => decodeAgent(arr(row)).agent);
    },

    async ticketView(ticketId: string): Promise<(QueuedTicket & { state: TicketRoutingState }) | null> {
      const r = arr(await run(S.TICKET_VIEW, [ticketId]));
      if (r.length === 0) return null;
      return { ...decodeTicket(r), state: stateOf(r[11]) };
    },

    async setStatus(agentId: string, status: AgentStatus, now: number, requeueOpenChats: boolean): Promise<{ previous: AgentStatus; offers: Requeued[]; chats: Requeued[] } | null> {
      const r = arr(await run(S.SET_STATUS, [agentId, status, now, requeueOpenChats ? '1' : '0']));
      if (str(r[0]) !== 'ok') return null;
      return { previous: statusOf(r[1]), offers: arr(r[2]).map(decodeRequeued), chats: arr(r[3]).map(decodeRequeued) };
    },

    async disconnect(agentId: string, deadline: number): Promise<boolean> {
      return num(await run(S.DISCONNECT, [agentId, deadline])) === 1;
    },

    async connect(agentId: string): Promise<void> {
      await redis.zrem(`${P}:presence-grace`, agentId);
    },

    async expireGrace(now: number, limit: number): Promise<Array<{ agentId: string; offers: Requeued[] }>> {
      return arr(await run(S.EXPIRE_GRACE, [now, limit])).map((row) => {
        const [agent, offers] = arr(row);
        return { agentId: str(agent), offers: arr(offers).map(decodeRequeued) };
      });
    },

    async release(ticketId: string, now: number): Promise<{ state: TicketRoutingState; agentId: string | null; teamId: string; kind: WorkKind } | null> {
      const r = arr(await run(S.RELEASE, [ticketId, now]));
      if (str(r[0]) !== 'released') return null;
      return { state: stateOf(r[1]), agentId: str(r[2]) || null, teamId: str(r[3]), kind: kindOf(r[4]) };
    },

    async requeue(ticketId: string, markDeclined: boolean): Promise<Requeued | null> {
      const r = arr(await run(S.REQUEUE, [ticketId, markDeclined ? '1' : '0']));
      return str(r[0]) === 'ok' ? decodeRequeued(r[1]) : null;
    },

    async transferToAgent(ticketId: string, from: string, to: string, now: number, force: boolean): Promise<{ status: 'ok'; fromAgentId: string; teamId: string; kind: WorkKind } | { status: string; detail: string }> {
      const r = arr(await run(S.TRANSFER_TO_AGENT, [ticketId, from, to, now, force ? '1' : '0']));
      const status = str(r[0]);
      if (status === 'ok') return { status, fromAgentId: str(r[1]), teamId: str(r[2]), kind: kindOf(r[3]) };
      return { status, detail: str(r[1]) };
    },

    /**
     * A person's decision: the ticket is assigned to `to` and counted, above the limit if need
     * be. `expected` (null = nobody, undefined = whoever) guards against taking a ticket
     * someone else got meanwhile.
     */
    async assignManually(
      ticketId: string,
      to: string,
      now: number,
      expected?: string | null,
    ): Promise<{ status: 'ok' | 'same_agent'; fromAgentId: string; teamId: string; kind: WorkKind; previous: TicketRoutingState } | { status: 'unknown' | 'unknown_agent' | 'not_holder' }> {
      const r = arr(await run(S.ASSIGN_MANUALLY, [ticketId, to, now, expected === undefined ? '*' : (expected ?? '')]));
      const status = str(r[0]);
      if (status === 'ok' || status === 'same_agent') return { status, fromAgentId: str(r[1]), teamId: str(r[2]), kind: kindOf(r[3]), previous: stateOf(r[4]) };
      return { status: status === 'unknown_agent' || status === 'not_holder' ? status : 'unknown' };
    },

    async transferToTeam(ticketId: string, from: string, teamId: string, requiredSkills: string[]): Promise<{ status: 'ok'; fromAgentId: string; fromTeamId: string; kind: WorkKind } | { status: string; detail: string }> {
      const r = arr(await run(S.TRANSFER_TO_TEAM, [ticketId, from, teamId, JSON.stringify(requiredSkills)]));
      const status = str(r[0]);
      if (status === 'ok') return { status, fromAgentId: str(r[1]), fromTeamId: str(r[2]), kind: kindOf(r[3]) };
      return { status, detail: str(r[1]) };
    },

    async ticketFacts(ticketId: string): Promise<{ tier: CustomerTier; waitingSinceMs: number; priority: Priority } | null> {
      const [tier, since, priority] = await redis.hmget(`${P}:ticket:${ticketId}`, 'tier', 'since', 'priority');
      if (since === null) return null;
      return { tier: (tier ?? 'none') as CustomerTier, waitingSinceMs: Number(since), priority: (priority ?? 'normal') as Priority };
    },

    async reprioritize(ticketId: string, priority: Priority, score: number): Promise<boolean> {
      const r = arr(await run(S.REPRIORITIZE, [ticketId, priority, score]));
      return str(r[0]) === 'ok';
    },

    async snapshot(teamId: string, window: number, includeAgents: boolean): Promise<TeamSnapshot> {
      const [cfg, agents, chat, async] = arr(await run(S.SNAPSHOT, [teamId, window, includeAgents ? '1' : '0']));
      const tickets = [...arr(chat), ...arr(async)].map((row) => decodeTicket(arr(row)));
      tickets.sort((a, b) => a.score - b.score);
      return {
        config: parseTeamConfig(teamId, str(cfg), teamDefaults),
        agents: arr(agents).map((row) => decodeAgent(arr(row)).agent),
        tickets,
      };
    },

    async agentView(agentId: string): Promise<AgentView | null> {
      const r = arr(await run(S.AGENT_VIEW, [agentId]));
      if (r.length === 0) return null;
      const { agent, teams } = decodeAgent(arr(r[0]));
      return { agent, teams, offers: strList(r[1]), tickets: { chat: strList(r[2]), async: strList(r[3]) } };
    },

    async position(ticketId: string): Promise<PositionFacts | null> {
      const r = arr(await run(S.POSITION, [ticketId]));
      if (r.length === 0) return null;
      return {
        state: stateOf(r[0]),
        teamId: str(r[1]),
        kind: kindOf(r[2]),
        agentId: str(r[3]) || null,
        rank: num(r[4]),
        queueLength: num(r[5]),
        onlineCapacity: num(r[6]),
        handleSamplesMs: strList(r[7]).map(Number).filter((n) => Number.isFinite(n)),
        needsAttention: str(r[8]) || null,
      };
    },

    async ticketState(ticketId: string): Promise<TicketRouting | null> {
      const r = arr(await run(S.TICKET_STATE, [ticketId]));
      if (r.length === 0) return null;
      const exp = str(r[4]);
      return { state: stateOf(r[0]), agentId: str(r[1]) || null, teamId: str(r[2]), kind: kindOf(r[3]), offerExpiresAt: exp ? Number(exp) : null };
    },

    async listQueue(teamId: string, kind: WorkKind, start: number, stop: number): Promise<QueuedTicket[]> {
      return arr(await run(S.LIST_QUEUE, [teamId, kind, start, stop])).map((row) => decodeTicket(arr(row)));
    },

    /** Without agents (`includeAgents` false) only the queues are read (the alert checks). */
    async floor(teamId: string, includeAgents = true): Promise<TeamFloor> {
      const [queues, agents] = arr(await run(S.FLOOR, [teamId, includeAgents ? '1' : '0']));
      return {
        queues: arr(queues).map((row) => {
          const [channel, count, since] = arr(row);
          return { channel: str(channel), waiting: num(count), oldestSinceMs: num(since) };
        }),
        agents: arr(agents).map((row) => {
          const [id, name, status, maxChat, maxAsync, chat, async, offers] = arr(row);
          return {
            agentId: str(id),
            name: str(name),
            status: statusOf(status),
            limits: { chat: num(maxChat), async: num(maxAsync) },
            load: { chat: strList(chat), async: strList(async) },
            offers: arr(offers).map((o) => {
              const [tid, exp] = arr(o);
              return { ticketId: str(tid), expiresAtMs: str(exp) ? num(exp) : null };
            }),
          };
        }),
      };
    },

    async queueLength(teamId: string, kind: WorkKind): Promise<number> {
      return redis.zcard(`${P}:queue:${teamId}:${kind}`);
    },
  };
}

export type RoutingStore = ReturnType<typeof createRoutingStore>;
