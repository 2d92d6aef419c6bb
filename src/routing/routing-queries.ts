import type { RoutingQueuedEvent } from '../events/event.types';
import type { RoutingContext } from './routing-context';
import type { RouteOutcome, RoutingService } from './routing.service';
import type { WorkKind } from './routing.types';
import { estimateWaitMs } from './wait.estimator';

export type RoutingQueries = Pick<RoutingService, 'queuePosition' | 'ticketState' | 'agentState' | 'listQueue'> & {
  /** Where routing has the ticket now (`unknown` once it left routing). */
  outcome(ticketId: string, teamId: string): Promise<RouteOutcome>;
  /** Announces a waiting ticket's place in its queue (`routing.queued`); nothing once an agent has it. */
  queuedEvent(ticketId: string, teamId: string, reason: RoutingQueuedEvent['reason']): Promise<void>;
};

/** Read-only views of routing's state: a ticket's place and wait, a ticket, an agent, a queue. */
export function createRoutingQueries(ctx: RoutingContext): RoutingQueries {
  const { store } = ctx;

  async function queuePosition(ticketId: string): ReturnType<RoutingService['queuePosition']> {
    const f = await store.position(ticketId);
    if (!f) return null;
    const position = f.state === 'queued' && f.rank >= 0 ? f.rank + 1 : 0;
    return {
      ticketId,
      teamId: f.teamId,
      state: f.state,
      position,
      queueLength: f.queueLength,
      expectedWaitMs: estimateWaitMs({ position, onlineCapacity: f.onlineCapacity, handleSamplesMs: f.handleSamplesMs, defaultHandleMs: ctx.settings.handleDefaults[f.kind] }),
      needsAttention: f.needsAttention === 'all_declined' ? 'all_declined' : null,
    };
  }

  return {
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

    async outcome(ticketId, teamId) {
      const s = await store.ticketState(ticketId);
      return s ? { ticketId, teamId: s.teamId, state: s.state, agentId: s.agentId } : { ticketId, teamId, state: 'unknown', agentId: null };
    },

    async queuedEvent(ticketId, teamId, reason) {
      const pos = await queuePosition(ticketId);
      if (!pos || pos.state !== 'queued') return;
      await ctx.emit({ type: 'routing.queued', ticketId, teamId, reason, position: pos.position, queueLength: pos.queueLength, expectedWaitMs: pos.expectedWaitMs, at: ctx.iso() });
    },
  };
}
