import type { RoutingContext } from './routing-context';
import type { RoutingDrain } from './routing-drain';
import type { RoutingOffers } from './routing-offers';
import type { RoutingService } from './routing.service';

export type RoutingPresence = Pick<RoutingService, 'setStatus' | 'connected' | 'disconnected'>;

/**
 * Agents' presence: a status they chose (offers, and on request open chats, go back to the
 * queue when they leave; an agent coming online gets work), and console connections with
 * the grace period after the last one dropped (its end is the sweep's job).
 */
export function createRoutingPresence(ctx: RoutingContext, drain: Pick<RoutingDrain, 'fillAgent'>, offers: Pick<RoutingOffers, 'afterRequeue'>): RoutingPresence {
  const { store, now, iso, emit } = ctx;

  return {
    async setStatus(agentId, status) {
      const r = await store.setStatus(agentId, status, now(), ctx.settings.requeueOpenChatsOnOffline);
      if (!r) return null;
      if (r.previous !== status) await emit({ type: 'agent.presence', agentId, status, previous: r.previous, reason: 'manual', at: iso() });
      const returned = [...r.offers, ...r.chats];
      if (returned.length > 0) await offers.afterRequeue(returned, 'agent_unavailable');
      if (status === 'online') await drain.fillAgent(agentId);
      return { previous: r.previous, status };
    },

    async connected(agentId) {
      await store.connect(agentId);
    },

    async disconnected(agentId) {
      await store.disconnect(agentId, now() + ctx.settings.graceMs);
    },
  };
}
