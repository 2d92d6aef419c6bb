import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Redis } from 'ioredis';
import { Server, type Namespace, type Socket } from 'socket.io';
import { z } from 'zod';
import type { AgentActivity, CustomerActivity } from '../../channels/contract';
import type { Principal } from '../auth/principal';
import type { EventBus } from '../events/event-bus';
import type { DomainEvent, PublishedEvent } from '../events/event.types';
import { floorTeamsOf, roomsFor, rooms, type TicketAudience } from './event-rooms';
import { PRESENCE_STATUSES, type PresenceStatus, type PresenceStore, type ReadStateStore } from './presence.store';

export const AGENTS_NAMESPACE = '/agents';
const SESSION_COOKIE = 'hub_session';

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface RealtimeDeps {
  /** The hub's HTTP server; socket.io answers under /socket.io/. */
  server: HttpServer;
  /** A Redis client of its own for the streams adapter (it duplicates it for blocking reads). */
  adapterRedis: Redis;
  /** The hub's Redis client (event fan-out claims). */
  redis: Redis;
  prefix: string;
  bus: EventBus;
  presence: PresenceStore;
  readState: ReadStateStore;
  /** A session JWT or API token → who it is. */
  authenticate(token: string): Promise<Principal | null>;
  /** Whether this principal may see this ticket (rooms `ticket:<id>` are joined only then). */
  canSee(principal: Principal, ticketId: string): Promise<boolean>;
  /** The ticket's team and assignee, for events that do not carry them. */
  ticketAudience(ticketId: string): Promise<TicketAudience | null>;
  /** Page origins whose requests may authenticate with the session cookie (the console's own). */
  trustedOrigins: readonly string[];
  /** How long a dropped connection can come back and get what it missed. */
  recoveryMs: number;
  /** Largest socket.io message (web chat attachments travel inline). */
  maxMessageBytes: number;
  logger: Logger;
  /** An agent typed or read on a ticket: main.ts passes it to the ticket's channel. */
  onAgentActivity?(activity: AgentActivity): void;
  /** An agent's console connection opened (every one) / their last one closed. */
  onAgentConnection?(agentId: string, connected: boolean): void;
  /**
   * Presence changes (routing's presence service, main.ts): the console's switch, a first
   * sign-in, and routing's disconnect grace period ending; applied in order per agent there.
   */
  /** The teams an agent is a member of (whose floors a presence change touches). */
  agentTeams?(agentId: string): Promise<string[]>;
  /** How long floor changes of a team are gathered into one `floor.changed` signal (default 500 ms). */
  floorDebounceMs?: number;
  agentPresence: {
    set(agentId: string, status: PresenceStatus): Promise<unknown>;
    signedIn(agentId: string): Promise<void>;
    followRouting(event: Extract<DomainEvent, { type: 'agent.presence' }>): Promise<void>;
  };
}

export interface Realtime {
  /** A namespace for a channel (never `/agents`). */
  namespace(name: string): Namespace;
  /** The customer's typing / read state, to the agents on the ticket. */
  customerActivity(activity: CustomerActivity): void;
  /** Agents connected to the console (any hub process) whose presence is `online`. */
  agentsOnline(): Promise<number>;
  close(): Promise<void>;
}

interface AgentData {
  principal: Principal;
}

const TicketRef = z.object({ ticketId: z.string().regex(/^[0-9a-f]{24}$/) });
const TypingMsg = TicketRef.extend({ typing: z.boolean() });
const PresenceMsg = z.object({ status: z.enum(PRESENCE_STATUSES) });

type Ack = (answer: { ok: boolean; error?: string; [key: string]: unknown }) => void;
const ackOf = (ack: unknown): Ack => (typeof ack === 'function' ? (a) => (ack as Ack)(a) : () => undefined);

function cookieValue(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

/**
 * The socket.io server: `/agents` for the console (session auth, rooms per agent, team and
 * ticket, domain events mapped to rooms, typing, read state, presence) and the namespaces
 * channels ask for (`/webchat`). A Redis Streams adapter carries broadcasts to every hub
 * process and lets dropped connections recover what they missed. No business logic here.
 */
export function createRealtime(deps: RealtimeDeps): Realtime {
  const { prefix, logger } = deps;
  const io = new Server(deps.server, {
    serveClient: false,
    maxHttpBufferSize: deps.maxMessageBytes,
    pingInterval: 10_000,
    pingTimeout: 8_000,
    // Any page may embed the chat widget; credentials (the console cookie) are never sent cross-site.
    cors: { origin: true, credentials: false },
    connectionStateRecovery: { maxDisconnectionDuration: deps.recoveryMs, skipMiddlewares: true },
    adapter: createAdapter(deps.adapterRedis, {
      streamName: `${prefix}:sio`,
      channelPrefix: `${prefix}:sio`,
      sessionKeyPrefix: `${prefix}:sio:session:`,
      blockTimeInMs: 2000,
    }),
  });
  const agents = io.of(AGENTS_NAMESPACE);
  /** "Agents online", cached briefly (every chat message asks); presence changes clear it. */
  let agentsOnlineCache: { at: number; value: Promise<number> } | null = null;

  // ---------- /agents: who may connect ----------

  agents.use((socket, next) => {
    void (async () => {
      const auth: unknown = socket.handshake.auth;
      const given = typeof auth === 'object' && auth !== null && 'token' in auth && typeof auth.token === 'string' ? auth.token : null;
      let token = given;
      if (!token) {
        // The cookie only from the console's own pages: a foreign page must not ride on it.
        const origin = socket.handshake.headers.origin;
        if (!origin || deps.trustedOrigins.includes(origin)) token = cookieValue(socket.handshake.headers.cookie, SESSION_COOKIE);
      }
      const principal = token ? await deps.authenticate(token) : null;
      if (!principal) return next(new Error('unauthorized'));
      socket.data = { principal } satisfies AgentData;
      next();
    })().catch((err: unknown) => {
      logger.error({ err }, 'realtime: authenticating a socket failed');
      next(new Error('unavailable'));
    });
  });

  const principalOf = (socket: Socket): Principal => (socket.data as AgentData).principal;

  async function connectedSockets(agentId: string): Promise<number> {
    return (await agents.in(rooms.agent(agentId)).fetchSockets()).length;
  }

  agents.on('connection', (socket) => {
    const p = principalOf(socket);
    if (!socket.recovered) {
      // Supervisors watch their teams' floors, admins every floor.
      const floors = p.role === 'admin' ? [rooms.allFloors] : p.role === 'supervisor' ? p.teams.map(rooms.floor) : [];
      void socket.join([...p.teams.map(rooms.team), rooms.role(p.role), ...(p.kind === 'user' ? [rooms.agent(p.id)] : []), ...floors]);
    }

    socket.on('ticket.join', (raw: unknown, ack: unknown) => {
      const reply = ackOf(ack);
      const m = TicketRef.safeParse(raw);
      if (!m.success) return reply({ ok: false, error: 'invalid' });
      deps.canSee(p, m.data.ticketId).then(
        async (ok) => {
          if (!ok) return reply({ ok: false, error: 'not_found' });
          await socket.join(rooms.ticket(m.data.ticketId));
          reply({ ok: true });
        },
        (err: unknown) => {
          logger.error({ err }, 'realtime: scope check failed');
          reply({ ok: false, error: 'unavailable' });
        },
      );
    });

    socket.on('ticket.leave', (raw: unknown, ack: unknown) => {
      const m = TicketRef.safeParse(raw);
      if (m.success) void socket.leave(rooms.ticket(m.data.ticketId));
      ackOf(ack)({ ok: m.success });
    });

    // Typing and read state only on tickets the socket joined (scope-checked).
    socket.on('typing', (raw: unknown) => {
      const m = TypingMsg.safeParse(raw);
      if (!m.success || !socket.rooms.has(rooms.ticket(m.data.ticketId)) || p.kind !== 'user') return;
      const { ticketId, typing } = m.data;
      socket.to(rooms.ticket(ticketId)).emit('typing', { ticketId, who: 'agent', agent: { id: p.id, name: p.name }, typing });
      deps.onAgentActivity?.({ kind: 'typing', ticketId, typing, agentName: p.name });
    });

    socket.on('read', (raw: unknown, ack: unknown) => {
      const reply = ackOf(ack);
      const m = TicketRef.safeParse(raw);
      if (!m.success || !socket.rooms.has(rooms.ticket(m.data.ticketId)) || p.kind !== 'user') return reply({ ok: false, error: 'not_joined' });
      const { ticketId } = m.data;
      const at = new Date();
      deps.readState.mark(ticketId, 'agent', at).then(
        () => {
          socket.to(rooms.ticket(ticketId)).emit('read', { ticketId, who: 'agent', agent: { id: p.id, name: p.name }, at: at.toISOString() });
          deps.onAgentActivity?.({ kind: 'read', ticketId, at });
          reply({ ok: true, at: at.toISOString() });
        },
        (err: unknown) => {
          logger.error({ err }, 'realtime: storing read state failed');
          reply({ ok: false, error: 'unavailable' });
        },
      );
    });

    socket.on('presence', (raw: unknown, ack: unknown) => {
      const reply = ackOf(ack);
      const m = PresenceMsg.safeParse(raw);
      if (!m.success || p.kind !== 'user') return reply({ ok: false, error: 'invalid' });
      const { status } = m.data;
      deps.agentPresence.set(p.id, status).then(
        () => {
          agentsOnlineCache = null;
          reply({ ok: true, status });
        },
        (err: unknown) => {
          logger.error({ err }, 'realtime: presence change failed');
          reply({ ok: false, error: 'unavailable' });
        },
      );
    });

    if (p.kind === 'user') {
      void (async () => {
        // A first sign-in counts as coming online; a status the agent chose before is kept.
        await deps.agentPresence.signedIn(p.id);
        agentsOnlineCache = null;
        // Through the adapter: the packet carries the stream offset a later recovery starts from.
        agents.to(socket.id).emit('presence', { status: (await deps.presence.get(p.id)) ?? 'online' });
        // Every connection (idempotent): a tab reopened within a grace period cancels it.
        deps.onAgentConnection?.(p.id, true);
      })().catch((err: unknown) => logger.warn({ err }, 'realtime: presence on connect failed'));

      socket.on('disconnect', () => {
        agentsOnlineCache = null;
        connectedSockets(p.id).then(
          (n) => {
            if (n === 0) deps.onAgentConnection?.(p.id, false);
          },
          (err: unknown) => logger.warn({ err }, 'realtime: counting sockets failed'),
        );
      });
    }
  });

  // ---------- floor signals ----------

  // Changes of one team's floor within the debounce window become one `floor.changed` to its
  // supervisors and the admins, who fetch the floor again.
  const floorDebounceMs = deps.floorDebounceMs ?? 500;
  const floorTimers = new Map<string, NodeJS.Timeout>();
  function floorChanged(teamIds: string[]): void {
    for (const teamId of teamIds) {
      if (floorTimers.has(teamId)) continue;
      const timer = setTimeout(() => {
        floorTimers.delete(teamId);
        agents.to([rooms.floor(teamId), rooms.allFloors]).emit('floor.changed', { teamId });
      }, floorDebounceMs);
      timer.unref();
      floorTimers.set(teamId, timer);
    }
  }

  // ---------- domain events → rooms ----------

  // The `realtime` consumer group: one hub process (of those serving consoles) takes each event,
  // at least once, and broadcasts it through the adapter to every process's sockets.
  const unsubscribe = deps.bus.subscribe('realtime', async (event: PublishedEvent) => {
    // A presence changed (the console, the API, routing's disconnect grace period ending):
    // "agents online" counts again.
    if (event.type === 'agent.presence') {
      await deps.agentPresence.followRouting(event);
      agentsOnlineCache = null;
    }
    const floorTeams = floorTeamsOf(event);
    if (event.type === 'agent.presence' && deps.agentTeams) floorTeams.push(...(await deps.agentTeams(event.agentId)));
    floorChanged(floorTeams);
    let audience: TicketAudience | null = null;
    if (event.type === 'message.created') audience = event.audience ?? (await deps.ticketAudience(event.ticketId));
    const targets = roomsFor(event, audience);
    if (targets.length === 0) return;
    // Claimed by the event's id, so an event delivered again (a retry, or taken over from a
    // process that died) is not pushed twice; sockets that were away catch up through the
    // adapter's connection-state recovery.
    if ((await deps.redis.set(`${prefix}:rt:fanout:${event.id}`, '1', 'EX', 3600, 'NX')) !== 'OK') return;
    agents.to(targets).emit(event.type, event);
  });

  // ---------- agents online ----------

  async function countOnline(): Promise<number> {
    const sockets = await agents.fetchSockets();
    const ids = [...new Set(sockets.map((s) => (s.data as AgentData).principal).filter((p) => p.kind === 'user').map((p) => p.id))];
    const statuses = await deps.presence.many(ids);
    return statuses.filter((s) => s === 'online').length;
  }

  return {
    namespace(name) {
      if (name === AGENTS_NAMESPACE || name === '/') throw new Error(`namespace ${name} is reserved`);
      return io.of(name);
    },

    customerActivity(activity) {
      const room = rooms.ticket(activity.ticketId);
      if (activity.kind === 'typing') {
        agents.to(room).emit('typing', { ticketId: activity.ticketId, who: 'customer', typing: activity.typing });
        return;
      }
      deps.readState.mark(activity.ticketId, 'customer', activity.at).then(
        () => agents.to(room).emit('read', { ticketId: activity.ticketId, who: 'customer', at: activity.at.toISOString() }),
        (err: unknown) => logger.warn({ err }, 'realtime: storing read state failed'),
      );
    },

    agentsOnline() {
      const now = Date.now();
      if (!agentsOnlineCache || now - agentsOnlineCache.at > 1500) {
        const value = countOnline();
        agentsOnlineCache = { at: now, value };
        value.catch(() => {
          agentsOnlineCache = null;
        });
      }
      return agentsOnlineCache.value;
    },

    async close() {
      await unsubscribe();
      for (const timer of floorTimers.values()) clearTimeout(timer);
      floorTimers.clear();
      // Closes every socket and the adapter's Redis readers, and stops the HTTP server listening
      // (without waiting for its open requests: main.ts closes the server afterwards).
      await io.close();
    },
  };
}
