import type { DomainEvent } from '../events/event.types';
import { createRoutingStore, type RoutingStore } from './routing.store';
import { DEFAULT_TEAM_ROUTING, type TeamRoutingConfig, type WorkKind } from './routing.types';
import type { RoutingLogger, RoutingPorts, RoutingServiceDeps } from './routing.service';

/** The settings the routing parts read, with their defaults applied. */
export interface RoutingSettings {
  /** After a disconnect, how long an agent stays online before becoming away. */
  graceMs: number;
  /** Whether an agent going offline also returns their accepted chats to the queue. */
  requeueOpenChatsOnOffline: boolean;
  /** How many queue heads (per kind) one routing pass looks at. */
  headWindow: number;
  /** How many ranked candidates go into one reservation script. */
  candidateLimit: number;
  /** Handle time assumed for wait estimates until real samples exist. */
  handleDefaults: Record<WorkKind, number>;
}

/**
 * What every part of the routing service shares: the Redis store, the persistence ports,
 * the clock, event publishing and the settings. Built once per service by
 * {@link createRoutingContext} and handed to each part.
 */
export interface RoutingContext {
  readonly store: RoutingStore;
  readonly ports: RoutingPorts;
  readonly settings: RoutingSettings;
  readonly logger: RoutingLogger | undefined;
  /** Clock (epoch ms). */
  now(): number;
  /** `ms` (default: now) as an ISO timestamp, as events carry it. */
  iso(ms?: number): string;
  /** Publishes a domain event; a failure is logged, never thrown. */
  emit(event: DomainEvent): Promise<void>;
}

export function createRoutingContext(deps: RoutingServiceDeps): RoutingContext {
  const now = deps.now ?? Date.now;
  const teamDefaults: Omit<TeamRoutingConfig, 'teamId'> = {
    ...DEFAULT_TEAM_ROUTING,
    ...deps.teamDefaults,
    autoAccept: { ...DEFAULT_TEAM_ROUTING.autoAccept, ...deps.teamDefaults?.autoAccept },
  };
  const logger = deps.logger;
  return {
    store: createRoutingStore(deps.redis, deps.prefix, teamDefaults),
    ports: deps.ports,
    logger,
    settings: {
      graceMs: deps.disconnectGraceMs ?? 60_000,
      requeueOpenChatsOnOffline: deps.requeueOpenChatsOnOffline ?? false,
      headWindow: Math.max(1, deps.headWindow ?? 50),
      candidateLimit: Math.max(1, deps.candidateLimit ?? 16),
      handleDefaults: deps.defaultHandleMs ?? { chat: 5 * 60_000, async: 60 * 60_000 },
    },
    now,
    iso: (ms: number = now()) => new Date(ms).toISOString(),
    async emit(event) {
      try {
        await deps.publish(event);
      } catch (err) {
        logger?.warn({ err, event: event.type }, 'routing: publishing an event failed');
      }
    },
  };
}
