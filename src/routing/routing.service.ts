import type { Redis } from 'ioredis';
import type { Priority } from '../../channels/contract';
import type { DomainEvent } from '../events/event.types';
import { DEFAULT_QUEUE_RULES, type QueueRules } from './queue.selector';
import { createRoutingContext } from './routing-context';
import { createRoutingDrain } from './routing-drain';
import { createRoutingManual } from './routing-manual';
import { createRoutingOffers } from './routing-offers';
import { createRoutingPresence } from './routing-presence';
import { createRoutingQueries } from './routing-queries';
import { createRoutingQueue } from './routing-queue';
import { createRoutingRegistry } from './routing-registry';
import { createRoutingSweep } from './routing-sweep';
import { createRoutingTransfers } from './routing-transfers';
import type { RoutingStore, TeamFloor } from './routing.store';
import type {
  AgentProfile,
  AgentSnapshot,
  AgentStatus,
  CustomerTier,
  QueuedTicket,
  RoutableTicket,
  TeamRoutingConfig,
  TicketFacts,
  TicketRoutingState,
} from './routing.types';

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
  /** The team's live floor: waiting tickets per channel, members with presence, load and offers (none with `includeAgents` false). */
  floor(teamId: string, includeAgents?: boolean): Promise<TeamFloor>;

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

/**
 * The routing engine, assembled from its parts (each a factory in `routing-*.ts` receiving
 * the shared context and the parts it needs): registry, presence, queue intake, queue
 * drain, offers, manual assignment, transfers, sweep and queries.
 */
export function createRoutingService(deps: RoutingServiceDeps): RoutingService {
  const ctx = createRoutingContext(deps);
  const configured = deps.rules ?? DEFAULT_QUEUE_RULES;
  const currentRules = typeof configured === 'function' ? configured : async () => configured;

  const queries = createRoutingQueries(ctx);
  const drain = createRoutingDrain(ctx);
  const offers = createRoutingOffers(ctx, drain, queries);
  const presence = createRoutingPresence(ctx, drain, offers);
  const registry = createRoutingRegistry(ctx, drain, presence, deps.agentLoader);
  const queue = createRoutingQueue(ctx, drain, queries, currentRules);
  const transfers = createRoutingTransfers(ctx, drain, queries, offers);
  const manual = createRoutingManual(ctx, drain, transfers);
  const sweep = createRoutingSweep(ctx, drain, offers);

  return {
    store: ctx.store,

    upsertAgent: registry.upsertAgent,
    removeAgent: registry.removeAgent,
    syncAgents: registry.syncAgents,
    configureTeam: registry.configureTeam,
    teamConfig: registry.teamConfig,

    setStatus: presence.setStatus,
    connected: presence.connected,
    disconnected: presence.disconnected,

    route: queue.route,
    enqueue: queue.enqueue,
    reprioritize: queue.reprioritize,
    release: queue.release,

    accept: offers.accept,
    decline: offers.decline,

    pick: manual.pick,
    assignManually: manual.assignManually,

    transfer: transfers.transfer,
    reassign: transfers.reassign,
    moveToTeam: transfers.moveToTeam,

    queuePosition: queries.queuePosition,
    ticketState: queries.ticketState,
    agentState: queries.agentState,
    listQueue: queries.listQueue,
    floor: (teamId, includeAgents) => ctx.store.floor(teamId, includeAgents),

    drainTeam: drain.drainTeam,
    drainAll: drain.drainAll,

    tick: sweep.tick,
    start: sweep.start,
    async stop() {
      await sweep.stop();
      await drain.idle();
    },
  };
}

/** Maps the hub's contact tier (null = no tier) to routing's. */
export function customerTier(tier: string | null | undefined): CustomerTier {
  return tier === 'platinum' || tier === 'gold' || tier === 'silver' || tier === 'bronze' ? tier : 'none';
}
