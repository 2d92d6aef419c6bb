import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Priority } from '../../channels/contract';
import type { DomainEvent, RoutingQueuedEvent } from '../events/event.types';
import { queueScore } from './queue.score';
import { DEFAULT_QUEUE_RULES, selectQueue, type QueueRules } from './queue.selector';
import { createRoutingStore, type Requeued, type RoutingStore, type TeamSnapshot } from './routing.store';
import {
  DEFAULT_TEAM_ROUTING,
  workKind,
  type AgentProfile,
  type AgentSnapshot,
  type AgentStatus,
  type CustomerTier,
  type QueuedTicket,
  type RoutableTicket,
  type TeamRoutingConfig,
  type TicketFacts,
  type TicketRoutingState,
  type WorkKind,
} from './routing.types';
import { qualified, freeSlots } from './strategies/strategy.common';
import { STRATEGIES } from './strategies/strategy.registry';
import { estimateWaitMs } from './wait.estimator';

/** Persistence "ports": how routing's decisions reach the ticket in MongoDB (main.ts implements them). */
export interface RoutingPorts {
  /**
   * The agent now owns the ticket: set `assignee` (and `team`), write a timeline event.
   * A person's decision ({@link RoutingService.assignManually}) carries who decided (null for
   * an API token) and their note; it changes the owner only, never the ticket's team.
   */
  /**
   * `decidedBy`: a person's manual assignment, with the owner they saw (`expectedAgentId`); the
   * port refuses to overwrite an owner set meanwhile outside routing.
   */
  persistAssignment(a: {
    ticketId: string;
    agentId: string;
    teamId: string;
    via: AssignVia;
    at: Date;
    decidedBy?: { actorId: string | null; note: string; expectedAgentId?: string | null };
  }): Promise<void>;
  /** An accepted ticket went back to the queue: clear `assignee`, write a timeline event. */
  persistUnassignment(u: { ticketId: string; agentId: string; teamId: string; reason: 'agent_unavailable' | 'reassigned' | 'transferred'; at: Date }): Promise<void>;
  /** A handover: record the note on the timeline (and the new team when it changed). */
  persistTransfer(t: { ticketId: string; fromAgentId: string | null; toAgentId: string | null; fromTeamId: string; toTeamId: string; note: string; actorId: string | null; at: Date }): Promise<void>;
  /**
   * Nobody who could take the waiting ticket will (every eligible online agent declined it):
   * flag it for supervisors (a ticket field and a timeline event); assigning it clears the flag.
   */
  persistNeedsAttention(n: { ticketId: string; teamId: string; reason: NeedsAttentionReason; declinedBy: string[]; at: Date }): Promise<void>;
}

/** Why a waiting ticket is flagged for supervisors. */
export type NeedsAttentionReason = 'all_declined';

/** How a ticket reached its agent: routing's choice, an accepted offer, a pick, a handover, a person's decision. */
export type AssignVia = 'auto' | 'accept' | 'pick' | 'transfer' | 'manual';

export interface RoutingLogger {
  warn(obj: object, msg?: string): void;
}

export interface RoutingServiceDeps {
  redis: Redis;
  /** Key prefix (the hub's REDIS_PREFIX); routing keys live under `<prefix>:rt:`. */
  prefix: string;
  publish(event: DomainEvent): Promise<void>;
  ports: RoutingPorts;
  /** Clock (epoch ms); tests move it to expire offers and grace periods. */
  now?: () => number;
  /** Queue selection rules for {@link RoutingService.route}: fixed, or read each time (admin-editable). */
  rules?: QueueRules | (() => Promise<QueueRules>);
  /** Routing settings of teams without their own config. */
  teamDefaults?: Partial<Omit<TeamRoutingConfig, 'teamId'>>;
  /** After a disconnect, how long an agent stays online before becoming away (default 60 s). */
  disconnectGraceMs?: number;
  /** Whether an agent going offline also returns their accepted chats to the queue (default false). */
  requeueOpenChatsOnOffline?: boolean;
  /** How many queue heads (per kind) one routing pass looks at (default 50). */
  headWindow?: number;
  /** How many ranked candidates go into one reservation script (default 16). */
  candidateLimit?: number;
  /** Handle time assumed for wait estimates until real samples exist. */
  defaultHandleMs?: { chat: number; async: number };
  /** Where agent profiles come from for {@link RoutingService.syncAgents}. */
  agentLoader?: () => Promise<AgentProfile[]>;
  logger?: RoutingLogger;
}

export interface RouteOutcome {
  ticketId: string;
  teamId: string;
  state: TicketRoutingState | 'unknown';
  agentId: string | null;
}

export type TransferTarget = { agentId: string; force?: boolean } | { teamId: string; requiredSkills?: string[] };

export interface TransferRequest {
  ticketId: string;
  /** The agent handing over; null lets a supervisor move whatever holds the ticket. */
  fromAgentId: string | null;
  to: TransferTarget;
  note: string;
  actorId: string | null;
}

export type TransferResult =
  | { ok: true; state: TicketRoutingState | 'unknown'; agentId: string | null; teamId: string }
  | { ok: false; reason: string };

export interface ManualAssignment {
  ticketId: string;
  agentId: string;
  /** Who decided (the agent themselves, a supervisor); null for an API token. */
  actorId: string | null;
  note: string;
  /**
   * Who the person saw holding the ticket (null = nobody); when routing has it assigned to
   * someone else, the assignment is refused (`not_holder`). Undefined: whoever holds it.
   */
  expectedAgentId?: string | null;
}

export type ManualAssignResult = { ok: true } | { ok: false; reason: 'unknown' | 'unknown_agent' | 'not_holder' | 'persist_failed' };

export interface QueuePosition {
  ticketId: string;
  teamId: string;
  state: TicketRoutingState;
  /** 1 = next in line; 0 once an agent has it. */
  position: number;
  queueLength: number;
  expectedWaitMs: number | null;
  /** Flagged for supervisors: nobody who could take it now will (see {@link RoutingPorts.persistNeedsAttention}). */
  needsAttention: NeedsAttentionReason | null;
}

export interface RoutingService {
  upsertAgent(profile: AgentProfile): Promise<void>;
  /** Takes an agent out of routing: offline (offers returned) and no team. */
  removeAgent(agentId: string): Promise<void>;
  /** Registers every profile the injected loader returns; returns how many. */
  syncAgents(): Promise<number>;
  configureTeam(config: Partial<TeamRoutingConfig> & { teamId: string }): Promise<TeamRoutingConfig>;
  teamConfig(teamId: string): Promise<TeamRoutingConfig>;

  setStatus(agentId: string, status: AgentStatus): Promise<{ previous: AgentStatus; status: AgentStatus } | null>;
  /** The agent's console connected: cancels a pending grace period. */
  connected(agentId: string): Promise<void>;
  /** The agent's last console connection dropped: away after the grace period, unless they return. */
  disconnected(agentId: string): Promise<void>;

  /** Picks the queue with the rules, then {@link enqueue}. */
  route(ticket: Omit<RoutableTicket, 'teamId' | 'requiredSkills'> & { facts: TicketFacts }): Promise<RouteOutcome>;
  /** Queues a ticket (idempotent) and routes its team's queue; resolves with the ticket's state. */
  enqueue(ticket: RoutableTicket): Promise<RouteOutcome>;
  accept(ticketId: string, agentId: string, offerId?: string): Promise<{ ok: true } | { ok: false; reason: 'not_offered' | 'expired' | 'persist_failed' }>;
  decline(ticketId: string, agentId: string): Promise<boolean>;
  /** An agent takes a queued ticket themselves (manual teams, or any team). */
  pick(ticketId: string, agentId: string): Promise<{ ok: true } | { ok: false; reason: 'not_queued' | 'unavailable' | 'persist_failed' }>;
  /**
   * A person decided who owns the ticket (a take, a supervisor's assignment): routing
   * records it and counts it against the agent, even above their limit or while they are
   * away; automatic routing gives them nothing more until they are below their limit again.
   * A ticket held by someone else is handed over (recorded as a transfer).
   */
  assignManually(req: ManualAssignment): Promise<ManualAssignResult>;
  /** The ticket stops counting against its agent (resolved, closed, merged, deleted). */
  release(ticketId: string, reason: string): Promise<{ released: boolean; agentId: string | null }>;
  transfer(req: TransferRequest): Promise<TransferResult>;
  /** Takes a ticket from its agent back into the queue for someone else (SLA escalation). */
  reassign(ticketId: string): Promise<boolean>;
  /**
   * A waiting ticket's team changed outside routing (a supervisor's edit, already on the ticket
   * and its timeline): it waits in that team's queue now; an open offer is withdrawn.
   */
  moveToTeam(ticketId: string, teamId: string): Promise<boolean>;
  /** Re-sorts a queued ticket after its priority changed. */
  reprioritize(ticketId: string, priority: Priority): Promise<boolean>;

  queuePosition(ticketId: string): Promise<QueuePosition | null>;
  ticketState(ticketId: string): Promise<{ state: TicketRoutingState; agentId: string | null; teamId: string; offerExpiresAt: number | null } | null>;
  agentState(agentId: string): Promise<(AgentSnapshot & { teams: string[]; offers: string[]; tickets: { chat: string[]; async: string[] } }) | null>;
  /** Queue in order, both kinds merged (for manual pick and the supervisor view). */
  listQueue(teamId: string, limit?: number): Promise<QueuedTicket[]>;

  /** Routes a team's queue now (after config changes, on start). */
  drainTeam(teamId: string): Promise<void>;
  /** Routes every known team's queue. */
  drainAll(): Promise<void>;
  /**
   * One sweep: expired offers go to the next agent (the one who missed it cools down for that
   * ticket), ended cool-downs route the queue again, ended grace periods make agents away.
   */
  tick(): Promise<void>;
  /** Runs {@link tick} every `intervalMs` (default 500) until {@link stop}. */
  start(opts?: { intervalMs?: number }): void;
  stop(): Promise<void>;
  readonly store: RoutingStore;
}

const SWEEP_BATCH = 200;

export function createRoutingService(deps: RoutingServiceDeps): RoutingService {
  const now = deps.now ?? Date.now;
  const teamDefaults: Omit<TeamRoutingConfig, 'teamId'> = {
    ...DEFAULT_TEAM_ROUTING,
    ...deps.teamDefaults,
    autoAccept: { ...DEFAULT_TEAM_ROUTING.autoAccept, ...deps.teamDefaults?.autoAccept },
  };
  const store = createRoutingStore(deps.redis, deps.prefix, teamDefaults);
  const graceMs = deps.disconnectGraceMs ?? 60_000;
  const window = Math.max(1, deps.headWindow ?? 50);
  const candidateLimit = Math.max(1, deps.candidateLimit ?? 16);
  const handleDefaults = deps.defaultHandleMs ?? { chat: 5 * 60_000, async: 60 * 60_000 };
  const configured = deps.rules ?? DEFAULT_QUEUE_RULES;
  const currentRules = typeof configured === 'function' ? configured : async () => configured;
  const { ports } = deps;

  const iso = (ms: number = now()) => new Date(ms).toISOString();

  async function emit(event: DomainEvent): Promise<void> {
    try {
      await deps.publish(event);
    } catch (err) {
      deps.logger?.warn({ err, event: event.type }, 'routing: publishing an event failed');
    }
  }

  // ---------- per-team single flight: concurrent requests share one routing loop ----------

  const draining = new Map<string, { again: boolean; done: Promise<void> }>();
  function drainTeam(teamId: string): Promise<void> {
    const current = draining.get(teamId);
    if (current) {
      current.again = true;
      return current.done;
    }
    const entry = { again: false, done: Promise.resolve() };
    entry.done = (async () => {
      try {
        do {
          entry.again = false;
          await drainPasses(teamId);
        } while (entry.again);
      } finally {
        draining.delete(teamId);
      }
    })();
    draining.set(teamId, entry);
    return entry.done;
  }

  async function drainPasses(teamId: string): Promise<void> {
    let staleRetries = 0;
    for (let pass = 0; pass < 10_000; pass++) {
      const r = await drainOnce(teamId);
      if (r.progress) continue;
      if (r.stale && staleRetries++ < 2) continue;
      return;
    }
  }

  /** One pass: snapshot once, rank each queue head, reserve atomically (the script re-checks). */
  async function drainOnce(teamId: string): Promise<{ progress: boolean; stale: boolean }> {
    const snap = await store.snapshot(teamId, window, true);
    const strategy = STRATEGIES[snap.config.strategy];
    if (!strategy.automatic || snap.tickets.length === 0) return { progress: false, stale: false };
    const agents = snap.agents.map((a) => ({ ...a, load: { ...a.load } }));
    let progress = false;
    for (const ticket of snap.tickets) {
      if (!agents.some((a) => freeSlots(a, ticket.kind) > 0)) continue;
      const ranked = strategy.rank({ ticket, agents });
      if (ranked.length === 0) continue;
      const result = await reserve(snap, ticket, ranked.slice(0, candidateLimit), 'auto');
      if (result === 'stale') return { progress, stale: true };
      if (typeof result === 'object') {
        const agent = agents.find((a) => a.agentId === result.agentId);
        if (agent) {
          agent.load[ticket.kind] += 1;
          agent.lastAssignedAt = now();
        }
        if (!result.persisted) return { progress: false, stale: false };
        progress = true;
      }
    }
    return { progress, stale: false };
  }

  /**
   * Reserves the ticket for the first candidate the script accepts, then offers it or
   * persists the assignment. Returns the agent, 'stale' (no candidate was still free) or
   * 'gone' (another process took the ticket first).
   */
  async function reserve(
    snap: Pick<TeamSnapshot, 'config'>,
    ticket: Pick<QueuedTicket, 'ticketId' | 'teamId' | 'kind'>,
    candidates: string[],
    how: 'auto' | 'pick',
  ): Promise<{ agentId: string; persisted: boolean } | 'stale' | 'gone'> {
    const at = now();
    const autoAccept = how === 'pick' || snap.config.autoAccept[ticket.kind];
    const mode = how === 'pick' ? 'pick' : autoAccept ? 'assign' : 'offer';
    const expiresAt = at + snap.config.offerTimeoutMs;
    const offerId = randomUUID();
    const r = await store.reserve(ticket.ticketId, candidates, mode, at, expiresAt, offerId);
    if (r.status === 'not_queued') return 'gone';
    if (r.status === 'no_agent') return 'stale';
    if (r.state === 'offered') {
      await emit({ type: 'routing.offered', ticketId: ticket.ticketId, teamId: ticket.teamId, agentId: r.agentId, offerId, expiresAt: iso(expiresAt), at: iso(at) });
      return { agentId: r.agentId, persisted: true };
    }
    const persisted = await persistAssigned(ticket.ticketId, r.agentId, ticket.teamId, how === 'pick' ? 'pick' : 'auto', at);
    return { agentId: r.agentId, persisted };
  }

  /** Persists an assignment; if the database refuses, the reservation is undone (back to the queue). */
  async function persistAssigned(
    ticketId: string,
    agentId: string,
    teamId: string,
    via: AssignVia,
    at: number,
    decidedBy?: { actorId: string | null; note: string; expectedAgentId?: string | null },
  ): Promise<boolean> {
    try {
      await ports.persistAssignment({ ticketId, agentId, teamId, via, at: new Date(at), ...(decidedBy ? { decidedBy } : {}) });
    } catch (err) {
      deps.logger?.warn({ err, ticketId, agentId }, 'routing: persisting an assignment failed; ticket returned to the queue');
      await store.requeue(ticketId, false);
      return false;
    }
    await emit({ type: 'routing.assigned', ticketId, teamId, agentId, via, at: iso(at) });
    return true;
  }

  /**
   * Fills a newly free agent from the heads of their teams' queues, best ticket first: one
   * script walks the eligible heads and reserves the first still queued (see RESERVE_FOR_AGENT).
   */
  async function fillAgent(agentId: string): Promise<void> {
    let staleRetries = 0;
    for (let guard = 0; guard < 1_000; guard++) {
      const view = await store.agentView(agentId);
      if (!view || view.agent.status !== 'online') return;
      const agent = view.agent;
      if (freeSlots(agent, 'chat') <= 0 && freeSlots(agent, 'async') <= 0) return;
      const at = now();
      const eligible: Array<{ ticket: QueuedTicket; config: TeamRoutingConfig }> = [];
      for (const teamId of view.teams) {
        const snap = await store.snapshot(teamId, window, false);
        const strategy = STRATEGIES[snap.config.strategy];
        if (!strategy.automatic) continue;
        for (const t of snap.tickets) {
          if (
            freeSlots(agent, t.kind) > 0 &&
            !t.declinedBy.includes(agentId) &&
            !t.coolingDown.includes(agentId) &&
            (!strategy.requiresSkills || qualified(agent, t))
          ) {
            eligible.push({ ticket: t, config: snap.config });
          }
        }
      }
      if (eligible.length === 0) return;
      eligible.sort((a, b) => a.ticket.score - b.ticket.score);
      const candidates = eligible.slice(0, candidateLimit).map(({ ticket, config }) => ({
        ticketId: ticket.ticketId,
        mode: (config.autoAccept[ticket.kind] ? 'assign' : 'offer') as 'assign' | 'offer',
        offerExpiresAt: at + config.offerTimeoutMs,
        offerId: randomUUID(),
      }));
      const r = await store.reserveForAgent(agentId, candidates, at);
      if (r.status === 'none') {
        // Every candidate was taken by someone else meanwhile: look again (bounded).
        if (r.gone === candidates.length && staleRetries++ < 3) continue;
        return;
      }
      const ticket = eligible.find((e) => e.ticket.ticketId === r.ticketId)?.ticket;
      if (!ticket) return;
      if (r.state === 'offered') {
        await emit({ type: 'routing.offered', ticketId: r.ticketId, teamId: ticket.teamId, agentId, offerId: r.offerId, expiresAt: iso(r.offerExpiresAt), at: iso(at) });
      } else if (!(await persistAssigned(r.ticketId, agentId, ticket.teamId, 'auto', at))) {
        return;
      }
    }
  }

  async function queuedEvent(ticketId: string, teamId: string, reason: RoutingQueuedEvent['reason']): Promise<void> {
    const pos = await queuePosition(ticketId);
    if (!pos || pos.state !== 'queued') return;
    await emit({ type: 'routing.queued', ticketId, teamId, reason, position: pos.position, queueLength: pos.queueLength, expectedWaitMs: pos.expectedWaitMs, at: iso() });
  }

  /** After tickets went back to their queues: tell everyone, persist, and route them again. */
  async function afterRequeue(items: Requeued[], reason: 'declined' | 'offer_expired' | 'agent_unavailable' | 'reassigned'): Promise<void> {
    const at = now();
    for (const r of items) {
      if (reason === 'declined') await emit({ type: 'routing.offer_declined', ticketId: r.ticketId, teamId: r.teamId, agentId: r.agentId, at: iso(at) });
      else if (reason === 'offer_expired') await emit({ type: 'routing.offer_expired', ticketId: r.ticketId, teamId: r.teamId, agentId: r.agentId, at: iso(at) });
      else if (r.agentId) {
        const wasAccepted = r.previous === 'assigned';
        if (wasAccepted) {
          try {
            await ports.persistUnassignment({ ticketId: r.ticketId, agentId: r.agentId, teamId: r.teamId, reason, at: new Date(at) });
          } catch (err) {
            deps.logger?.warn({ err, ticketId: r.ticketId }, 'routing: persisting an unassignment failed');
          }
        }
        await emit({ type: 'routing.unassigned', ticketId: r.ticketId, teamId: r.teamId, agentId: r.agentId, wasAccepted, reason, at: iso(at) });
      }
    }
    for (const teamId of new Set(items.map((r) => r.teamId))) await drainTeam(teamId);
    for (const r of items) await queuedEvent(r.ticketId, r.teamId, reason);
    if (reason === 'declined' || reason === 'reassigned') for (const r of items) await checkAttention(r.ticketId);
  }

  /**
   * A waiting ticket every eligible agent (online team members who qualify for it) declined:
   * nobody will take it unless a supervisor steps in. Flagged once (atomically) until assigned.
   */
  async function checkAttention(ticketId: string): Promise<void> {
    const t = await store.ticketView(ticketId);
    if (!t || t.state !== 'queued' || t.declinedBy.length === 0) return;
    const config = await store.teamConfig(t.teamId);
    const strategy = STRATEGIES[config.strategy];
    if (!strategy.automatic) return;
    const eligible = (await store.onlineMembers(t.teamId)).filter((a) => !strategy.requiresSkills || qualified(a, t));
    if (eligible.length === 0 || !eligible.every((a) => t.declinedBy.includes(a.agentId))) return;
    if (!(await store.flagAttention(ticketId, 'all_declined'))) return;
    const at = now();
    const declinedBy = eligible.map((a) => a.agentId).sort();
    try {
      await ports.persistNeedsAttention({ ticketId, teamId: t.teamId, reason: 'all_declined', declinedBy, at: new Date(at) });
    } catch (err) {
      deps.logger?.warn({ err, ticketId }, 'routing: persisting a needs-attention flag failed');
    }
    await emit({ type: 'routing.needs_attention', ticketId, teamId: t.teamId, reason: 'all_declined', declinedBy, at: iso(at) });
  }

  async function outcome(ticketId: string, teamId: string): Promise<RouteOutcome> {
    const s = await store.ticketState(ticketId);
    return s ? { ticketId, teamId: s.teamId, state: s.state, agentId: s.agentId } : { ticketId, teamId, state: 'unknown', agentId: null };
  }

  async function enqueue(t: RoutableTicket): Promise<RouteOutcome> {
    const at = now();
    const since = t.waitingSince.getTime();
    const kind = workKind(t.channel);
    const res = await store.enqueue({
      ticketId: t.ticketId,
      teamId: t.teamId,
      kind,
      channel: t.channel,
      priority: t.priority,
      tier: t.tier,
      language: t.language,
      requiredSkills: t.requiredSkills,
      contactId: t.contactId,
      waitingSinceMs: since,
      score: queueScore(t.priority, t.tier, since),
      now: at,
    });
    if (!res.created) return outcome(t.ticketId, res.teamId);
    await drainTeam(t.teamId);
    await queuedEvent(t.ticketId, t.teamId, 'new');
    return outcome(t.ticketId, t.teamId);
  }

  async function queuePosition(ticketId: string): Promise<QueuePosition | null> {
    const f = await store.position(ticketId);
    if (!f) return null;
    const position = f.state === 'queued' && f.rank >= 0 ? f.rank + 1 : 0;
    return {
      ticketId,
      teamId: f.teamId,
      state: f.state,
      position,
      queueLength: f.queueLength,
      expectedWaitMs: estimateWaitMs({ position, onlineCapacity: f.onlineCapacity, handleSamplesMs: f.handleSamplesMs, defaultHandleMs: handleDefaults[f.kind] }),
      needsAttention: f.needsAttention === 'all_declined' ? 'all_declined' : null,
    };
  }

  async function setStatusWith(agentId: string, status: AgentStatus): Promise<{ previous: AgentStatus; status: AgentStatus } | null> {
    const r = await store.setStatus(agentId, status, now(), deps.requeueOpenChatsOnOffline ?? false);
    if (!r) return null;
    if (r.previous !== status) await emit({ type: 'agent.presence', agentId, status, previous: r.previous, reason: 'manual', at: iso() });
    const returned = [...r.offers, ...r.chats];
    if (returned.length > 0) await afterRequeue(returned, 'agent_unavailable');
    if (status === 'online') await fillAgent(agentId);
    return { previous: r.previous, status };
  }

  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;

  async function sweepOnce(): Promise<void> {
    const t = now();
    for (;;) {
      const expired = await store.expireOffers(t, SWEEP_BATCH);
      if (expired.length > 0) await afterRequeue(expired, 'offer_expired');
      if (expired.length < SWEEP_BATCH) break;
    }
    for (;;) {
      const cooled = await store.expireCooldowns(t, SWEEP_BATCH);
      for (const teamId of new Set(cooled.map((c) => c.teamId))) await drainTeam(teamId);
      if (cooled.length < SWEEP_BATCH) break;
    }
    for (;;) {
      const away = await store.expireGrace(t, SWEEP_BATCH);
      for (const a of away) {
        await emit({ type: 'agent.presence', agentId: a.agentId, status: 'away', previous: 'online', reason: 'disconnect', at: iso(t) });
        if (a.offers.length > 0) await afterRequeue(a.offers, 'agent_unavailable');
      }
      if (away.length < SWEEP_BATCH) break;
    }
  }

  /** One sweep at a time per process; several processes are safe (each expiry is claimed in Lua). */
  function tick(): Promise<void> {
    ticking ??= sweepOnce().finally(() => {
      ticking = null;
    });
    return ticking;
  }

  return {
    store,

    async upsertAgent(p) {
      await store.upsertAgent(p);
      // Higher limits or a new team can mean work for an online agent right away.
      await fillAgent(p.agentId);
    },

    async removeAgent(agentId) {
      await setStatusWith(agentId, 'offline');
      const view = await store.agentView(agentId);
      if (view) await store.upsertAgent({ agentId, teams: [], skills: view.agent.skills, languages: view.agent.languages, limits: view.agent.limits });
    },

    async syncAgents() {
      if (!deps.agentLoader) return 0;
      const profiles = await deps.agentLoader();
      for (const p of profiles) {
        await store.upsertAgent(p);
        await fillAgent(p.agentId);
      }
      return profiles.length;
    },

    async configureTeam(partial) {
      const base = await store.teamConfig(partial.teamId);
      const cfg: TeamRoutingConfig = {
        ...base,
        ...partial,
        autoAccept: { ...base.autoAccept, ...partial.autoAccept },
      };
      await store.configureTeam(cfg);
      await drainTeam(cfg.teamId);
      return cfg;
    },

    teamConfig: (teamId) => store.teamConfig(teamId),

    setStatus: setStatusWith,

    async connected(agentId) {
      await store.connect(agentId);
    },

    async disconnected(agentId) {
      await store.disconnect(agentId, now() + graceMs);
    },

    async route(input) {
      const sel = selectQueue(input.facts, await currentRules());
      const { facts: _facts, ...rest } = input;
      return enqueue({ ...rest, teamId: sel.teamId, requiredSkills: sel.requiredSkills });
    },

    enqueue,

    async accept(ticketId, agentId, offerId) {
      const at = now();
      const r = await store.accept(ticketId, agentId, at, offerId ?? '');
      if (r.status !== 'ok') return { ok: false, reason: r.status };
      const ok = await persistAssigned(ticketId, agentId, r.teamId, 'accept', at);
      if (!ok) {
        await drainTeam(r.teamId);
        return { ok: false, reason: 'persist_failed' };
      }
      return { ok: true };
    },

    async decline(ticketId, agentId) {
      const r = await store.decline(ticketId, agentId);
      if (!r) return false;
      await afterRequeue([r], 'declined');
      return true;
    },

    async pick(ticketId, agentId) {
      const state = await store.ticketState(ticketId);
      if (!state || state.state !== 'queued') return { ok: false, reason: 'not_queued' };
      const config = await store.teamConfig(state.teamId);
      const r = await reserve({ config }, { ticketId, teamId: state.teamId, kind: state.kind }, [agentId], 'pick');
      if (r === 'gone') return { ok: false, reason: 'not_queued' };
      if (r === 'stale') return { ok: false, reason: 'unavailable' };
      return r.persisted ? { ok: true } : { ok: false, reason: 'persist_failed' };
    },

    async assignManually(req) {
      const at = now();
      const r = await store.assignManually(req.ticketId, req.agentId, at, req.expectedAgentId);
      if (r.status === 'same_agent') return { ok: true };
      if (r.status !== 'ok') return { ok: false, reason: r.status };
      const decidedBy = { actorId: req.actorId, note: req.note, expectedAgentId: req.expectedAgentId ?? null };
      let persisted: boolean;
      if (r.fromAgentId) {
        // Someone else held it (or had it offered): a handover, recorded like a transfer.
        const record = { ticketId: req.ticketId, fromAgentId: r.fromAgentId, toAgentId: req.agentId, fromTeamId: r.teamId, toTeamId: r.teamId, note: req.note, actorId: req.actorId, at: new Date(at) };
        try {
          await ports.persistTransfer(record);
        } catch (err) {
          deps.logger?.warn({ err, ticketId: req.ticketId }, 'routing: persisting a transfer note failed');
        }
        persisted = await persistAssigned(req.ticketId, req.agentId, r.teamId, 'transfer', at, decidedBy);
        await emit({ type: 'routing.transferred', ...record, at: iso(at) });
        await fillAgent(r.fromAgentId);
      } else {
        persisted = await persistAssigned(req.ticketId, req.agentId, r.teamId, 'manual', at, decidedBy);
      }
      return persisted ? { ok: true } : { ok: false, reason: 'persist_failed' };
    },

    async release(ticketId, reason) {
      const r = await store.release(ticketId, now());
      if (!r) return { released: false, agentId: null };
      await emit({ type: 'routing.released', ticketId, teamId: r.teamId, agentId: r.agentId, reason, at: iso() });
      if (r.agentId) await fillAgent(r.agentId);
      return { released: true, agentId: r.agentId };
    },

    async transfer(req) {
      const at = now();
      if ('agentId' in req.to) {
        const r = await store.transferToAgent(req.ticketId, req.fromAgentId ?? '', req.to.agentId, at, req.to.force ?? false);
        if (r.status !== 'ok' || !('teamId' in r)) return { ok: false, reason: r.status };
        const toAgentId = req.to.agentId;
        const record = { ticketId: req.ticketId, fromAgentId: r.fromAgentId || null, toAgentId, fromTeamId: r.teamId, toTeamId: r.teamId, note: req.note, actorId: req.actorId, at: new Date(at) };
        try {
          await ports.persistTransfer(record);
        } catch (err) {
          deps.logger?.warn({ err, ticketId: req.ticketId }, 'routing: persisting a transfer note failed');
        }
        await persistAssigned(req.ticketId, toAgentId, r.teamId, 'transfer', at);
        await emit({ type: 'routing.transferred', ...record, at: iso(at) });
        if (r.fromAgentId) await fillAgent(r.fromAgentId);
        return { ok: true, state: 'assigned', agentId: toAgentId, teamId: r.teamId };
      }
      const toTeamId = req.to.teamId;
      const r = await store.transferToTeam(req.ticketId, req.fromAgentId ?? '', toTeamId, req.to.requiredSkills ?? []);
      if (r.status !== 'ok' || !('fromTeamId' in r)) return { ok: false, reason: r.status };
      const record = { ticketId: req.ticketId, fromAgentId: r.fromAgentId || null, toAgentId: null, fromTeamId: r.fromTeamId, toTeamId, note: req.note, actorId: req.actorId, at: new Date(at) };
      try {
        await ports.persistTransfer(record);
        if (r.fromAgentId) await ports.persistUnassignment({ ticketId: req.ticketId, agentId: r.fromAgentId, teamId: toTeamId, reason: 'transferred', at: new Date(at) });
      } catch (err) {
        deps.logger?.warn({ err, ticketId: req.ticketId }, 'routing: persisting a transfer failed');
      }
      await emit({ type: 'routing.transferred', ...record, at: iso(at) });
      await drainTeam(toTeamId);
      await queuedEvent(req.ticketId, toTeamId, 'transferred');
      if (r.fromAgentId) await fillAgent(r.fromAgentId);
      const o = await outcome(req.ticketId, toTeamId);
      return { ok: true, state: o.state, agentId: o.agentId, teamId: o.teamId };
    },

    async moveToTeam(ticketId, teamId) {
      const st = await store.ticketState(ticketId);
      if (!st || st.state === 'assigned' || st.teamId === teamId) return false;
      const r = await store.transferToTeam(ticketId, '', teamId, []);
      if (r.status !== 'ok' || !('fromTeamId' in r)) return false;
      if (r.fromAgentId) {
        await emit({ type: 'routing.unassigned', ticketId, teamId: r.fromTeamId, agentId: r.fromAgentId, wasAccepted: false, reason: 'reassigned', at: iso() });
        await fillAgent(r.fromAgentId);
      }
      await drainTeam(teamId);
      await queuedEvent(ticketId, teamId, 'transferred');
      return true;
    },

    async reassign(ticketId) {
      const r = await store.requeue(ticketId, true);
      if (!r) return false;
      await afterRequeue([r], 'reassigned');
      return true;
    },

    async reprioritize(ticketId, priority) {
      const facts = await store.ticketFacts(ticketId);
      if (!facts) return false;
      const ok = await store.reprioritize(ticketId, priority, queueScore(priority, facts.tier, facts.waitingSinceMs));
      return ok;
    },

    queuePosition,

    async ticketState(ticketId) {
      const s = await store.ticketState(ticketId);
      return s ? { state: s.state, agentId: s.agentId, teamId: s.teamId, offerExpiresAt: s.offerExpiresAt } : null;
    },

    async agentState(agentId) {
      const v = await store.agentView(agentId);
      return v ? { ...v.agent, teams: v.teams, offers: v.offers, tickets: v.tickets } : null;
    },

    async listQueue(teamId, limit = 100) {
      const kinds: WorkKind[] = ['chat', 'async'];
      const lists = await Promise.all(kinds.map((k) => store.listQueue(teamId, k, 0, limit - 1)));
      return lists
        .flat()
        .sort((a, b) => a.score - b.score)
        .slice(0, limit);
    },

    drainTeam,

    async drainAll() {
      for (const teamId of await store.teams()) await drainTeam(teamId);
    },

    tick,

    start(opts = {}) {
      if (timer) return;
      const every = opts.intervalMs ?? 500;
      timer = setInterval(() => {
        tick().catch((err: unknown) => deps.logger?.warn({ err }, 'routing: sweep failed'));
      }, every);
      timer.unref();
    },

    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await ticking?.catch(() => undefined);
      await Promise.allSettled([...draining.values()].map((d) => d.done));
    },
  };
}

/** Maps the hub's contact tier (null = no tier) to routing's. */
export function customerTier(tier: string | null | undefined): CustomerTier {
  return tier === 'platinum' || tier === 'gold' || tier === 'silver' || tier === 'bronze' ? tier : 'none';
}
