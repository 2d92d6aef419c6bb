import type { Redis } from 'ioredis';
import type { ConversationStatus } from '../../channels/contract';
import type { EventBus } from '../events/event-bus';
import type { PublishedEvent } from '../events/event.types';
import type { RoutingService } from './routing.service';

export interface CustomerStatusDeps {
  bus: EventBus;
  routing: Pick<RoutingService, 'queuePosition' | 'listQueue'>;
  /** A ticket's channel, status, and its agent's id and name (null when it does not exist). */
  ticketInfo(ticketId: string): Promise<{ channel: string; open: boolean; agentId: string | null; agentName: string | null } | null>;
  agentName(agentId: string): Promise<string | null>;
  /** Whether an agent is online now (the presence the console shows and "agents online" counts). */
  agentOnline(agentId: string): Promise<boolean>;
  /** The open tickets of the live channels an agent holds (their customers see the agent's presence). */
  liveTicketsOf(agentId: string): Promise<string[]>;
  teamName(teamId: string): Promise<string | null>;
  /** Channels that show a live conversation's status to its customer. */
  liveChannels: ReadonlySet<string>;
  /** Hands a status to the ticket's channel (which reaches every hub process's sockets). */
  notify(status: ConversationStatus): void;
  /**
   * Claims a piece of work (SET NX with expiry): a queue refresh for one hub process per team
   * and window, and each telling once, though an event may be delivered again.
   */
  claim(key: string, ttlMs: number): Promise<boolean>;
  /** How long queue-position refreshes of one team are gathered (default 1 s). */
  refreshMs?: number;
  /** Customers furthest back in line are not updated one by one (default 100). */
  maxPositions?: number;
  logger?: { warn(obj: object, msg?: string): void };
}

/** {@link CustomerStatusDeps.claim} in Redis: SET NX with expiry under `<prefix>:customer-status:`. */
export function customerStatusClaims(redis: Redis, prefix: string): CustomerStatusDeps['claim'] {
  return async (key, ttlMs) => (await redis.set(`${prefix}:customer-status:${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
}

const TEAM_EVENTS = new Set<PublishedEvent['type']>([
  'routing.queued',
  'routing.assigned',
  'routing.released',
  'routing.unassigned',
  'routing.offer_declined',
  'routing.offer_expired',
  'routing.transferred',
  'routing.needs_attention',
]);

/**
 * What a waiting chat customer sees of routing: their place in line and the expected wait
 * (refreshed whenever their team's queue moves), that nobody can take them right now (every
 * eligible agent declined: no place in line is promised), the agent who took them (and, while
 * that agent holds the chat, whether they are online or away right now), and a handover.
 */
export function attachCustomerStatus(deps: CustomerStatusDeps): { current(ticketId: string): Promise<ConversationStatus | null>; stop(): Promise<void> } {
  const refreshMs = deps.refreshMs ?? 1000;
  const maxPositions = deps.maxPositions ?? 100;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const warn = (err: unknown, msg: string): void => deps.logger?.warn({ err }, msg);

  /** `known`: an agent's presence just announced (the stores may not all have it yet). */
  async function current(ticketId: string, known?: { agentId: string; online: boolean }): Promise<ConversationStatus | null> {
    const pos = await deps.routing.queuePosition(ticketId);
    // Nobody who could take it will (supervisors are told): no "next in line, about N min".
    if (pos && pos.state === 'queued' && pos.needsAttention) return { kind: 'busy', ticketId };
    if (pos && pos.state !== 'assigned') {
      // An offered ticket is next: it goes back in line only if the agent declines.
      return { kind: 'queued', ticketId, position: Math.max(1, pos.position), queueLength: pos.queueLength, expectedWaitMs: pos.expectedWaitMs };
    }
    const t = await deps.ticketInfo(ticketId);
    if (!t?.open || !t.agentName || !t.agentId) return null;
    const online = known?.agentId === t.agentId ? known.online : await deps.agentOnline(t.agentId);
    return { kind: 'assigned', ticketId, agentName: t.agentName, agentAway: !online };
  }

  /** The agent holding chats went away or came back: their customers see it (one process tells). */
  async function presenceChanged(agentId: string, online: boolean, at: string): Promise<void> {
    if (!(await deps.claim(`presence:${agentId}:${at}`, 60_000))) return;
    for (const ticketId of await deps.liveTicketsOf(agentId)) {
      const s = await current(ticketId, { agentId, online });
      if (s?.kind === 'assigned') deps.notify(s);
    }
  }

  async function refreshTeam(teamId: string): Promise<void> {
    const queued = await deps.routing.listQueue(teamId, maxPositions);
    for (const q of queued) {
      if (q.kind !== 'chat') continue;
      const s = await current(q.ticketId);
      if (s?.kind === 'queued' || s?.kind === 'busy') deps.notify(s);
    }
  }

  /** At most one refresh per team per window, across hub processes; it runs at the window's end. */
  async function scheduleTeam(teamId: string): Promise<void> {
    if (!(await deps.claim(`team:${teamId}`, refreshMs))) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      refreshTeam(teamId).catch((err: unknown) => warn(err, 'customer status: refreshing queue positions failed'));
    }, refreshMs);
    timer.unref?.();
    timers.add(timer);
  }

  async function onEvent(event: PublishedEvent): Promise<void> {
    if (event.type === 'agent.presence') {
      const wasOnline = event.previous === 'online';
      if (wasOnline !== (event.status === 'online')) await presenceChanged(event.agentId, event.status === 'online', event.at);
      return;
    }
    if (!TEAM_EVENTS.has(event.type)) return;
    if ('teamId' in event && typeof event.teamId === 'string') await scheduleTeam(event.teamId);
    // One process of the `customer-status` group gets each event, perhaps more than once (a retry
    // or a takeover): read first, then claim the telling by the event's id, so a failed read is
    // retried and a repeated event tells nothing twice.
    if (event.type === 'routing.transferred') {
      await scheduleTeam(event.toTeamId);
      const t = await deps.ticketInfo(event.ticketId);
      if (!t || !deps.liveChannels.has(t.channel)) return;
      const [toAgentName, toTeamName] = await Promise.all([
        event.toAgentId ? deps.agentName(event.toAgentId) : null,
        event.toTeamId !== event.fromTeamId || !event.toAgentId ? deps.teamName(event.toTeamId) : null,
      ]);
      if (!(await deps.claim(`told:${event.id}`, 3_600_000))) return;
      deps.notify({ kind: 'transferred', ticketId: event.ticketId, toAgentName, toTeamName });
      // Handed to a colleague who is not online: the customer is told they are away (no second line).
      if (event.toAgentId && toAgentName && !(await deps.agentOnline(event.toAgentId))) {
        deps.notify({ kind: 'assigned', ticketId: event.ticketId, agentName: toAgentName, agentAway: true });
      }
      return;
    }
    if (event.type === 'routing.assigned' && event.via !== 'transfer') {
      const t = await deps.ticketInfo(event.ticketId);
      if (!t || !deps.liveChannels.has(t.channel)) return;
      const [agentName, online] = await Promise.all([deps.agentName(event.agentId), deps.agentOnline(event.agentId)]);
      if (agentName && (await deps.claim(`told:${event.id}`, 3_600_000))) deps.notify({ kind: 'assigned', ticketId: event.ticketId, agentName, agentAway: !online });
    }
  }

  // A handler that throws gets the event again (the bus logs it).
  const unsubscribe = deps.bus.subscribe('customer-status', onEvent);
  return {
    current,
    async stop() {
      await unsubscribe();
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
