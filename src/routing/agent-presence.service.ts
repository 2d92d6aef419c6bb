import type { AgentPresenceEvent, DomainEvent } from '../events/event.types';
import type { RoutingService } from './routing.service';
import type { AgentStatus } from './routing.types';

/**
 * The presence each agent chose as the console shows it and "agents online" counts it
 * (a Redis key per agent; routing keeps its own view).
 */
export interface ShownPresence {
  /** Sets the status; returns the previous one. */
  set(agentId: string, status: AgentStatus): Promise<AgentStatus | null>;
  /** Sets the status only when none is recorded yet; true when it did. */
  init(agentId: string, status: AgentStatus): Promise<boolean>;
  /** Compare-and-set: `to` only while the status is still `from`. */
  replace(agentId: string, from: AgentStatus, to: AgentStatus): Promise<boolean>;
}

export interface AgentPresenceDeps {
  routing: Pick<RoutingService, 'setStatus'>;
  shown: ShownPresence;
  publish(event: DomainEvent): Promise<void>;
}

/**
 * An agent's presence changes, from the console's switch and the HTTP API alike: routing
 * first (awaited; it publishes `agent.presence` for agents it knows), then the shown status;
 * for agents routing does not know (no team) the event is published here. Changes of one
 * agent run one after another in the order they arrived (bus handlers run concurrently and
 * could apply two quick changes out of order), so routing and the console both end where
 * the agent's last choice is.
 */
export function createAgentPresence(deps: AgentPresenceDeps) {
  const chains = new Map<string, Promise<unknown>>();
  function serially<T>(agentId: string, work: () => Promise<T>): Promise<T> {
    const before = chains.get(agentId) ?? Promise.resolve();
    const result = before.then(work, work);
    const tail = result.catch(() => undefined);
    chains.set(agentId, tail);
    void tail.then(() => {
      if (chains.get(agentId) === tail) chains.delete(agentId);
    });
    return result;
  }

  async function apply(agentId: string, status: AgentStatus, previousIfNew?: AgentStatus): Promise<{ routed: boolean; previous: AgentStatus }> {
    const routed = (await deps.routing.setStatus(agentId, status)) !== null;
    const previous = previousIfNew ?? (await deps.shown.set(agentId, status)) ?? 'offline';
    if (!routed && previous !== status) {
      await deps.publish({ type: 'agent.presence', agentId, status, previous, reason: 'manual', at: new Date().toISOString() });
    }
    return { routed, previous };
  }

  return {
    /** The agent's choice (console or API), in order with their other changes. */
    set(agentId: string, status: AgentStatus): Promise<{ routed: boolean; previous: AgentStatus }> {
      return serially(agentId, () => apply(agentId, status));
    },

    /** A console connection: a first sign-in counts as coming online; a status chosen before is kept. */
    signedIn(agentId: string): Promise<void> {
      return serially(agentId, async () => {
        if (await deps.shown.init(agentId, 'online')) await apply(agentId, 'online', 'offline');
      });
    },

    /**
     * Routing took an agent away after their console was gone for its grace period: that is
     * their presence now, unless they chose otherwise meanwhile (only online → away).
     */
    async followRouting(event: AgentPresenceEvent): Promise<void> {
      if (event.reason !== 'disconnect') return;
      await serially(event.agentId, () => deps.shown.replace(event.agentId, event.previous, event.status));
    },
  };
}
export type AgentPresence = ReturnType<typeof createAgentPresence>;
