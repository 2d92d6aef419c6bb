import type { RoutingContext } from './routing-context';
import type { RoutingDrain } from './routing-drain';
import type { RoutingQueries } from './routing-queries';
import type { RoutingService } from './routing.service';
import type { Requeued } from './routing.store';
import { qualified } from './strategies/strategy.common';
import { STRATEGIES } from './strategies/strategy.registry';

export type RequeueReason = 'declined' | 'offer_expired' | 'agent_unavailable' | 'reassigned';

export type RoutingOffers = Pick<RoutingService, 'accept' | 'decline'> & {
  /** After tickets went back to their queues: tell everyone, persist, and route them again. */
  afterRequeue(items: Requeued[], reason: RequeueReason): Promise<void>;
};

/**
 * Offers and their ends: accepting, declining, and every way a ticket goes back to its queue
 * (declined, missed, the agent became unavailable, reassigned), with the needs-attention flag
 * once every eligible agent declined it.
 */
export function createRoutingOffers(ctx: RoutingContext, drain: Pick<RoutingDrain, 'drainTeam' | 'persistAssigned'>, queries: Pick<RoutingQueries, 'queuedEvent'>): RoutingOffers {
  const { store, ports, now, iso, emit } = ctx;

  async function afterRequeue(items: Requeued[], reason: RequeueReason): Promise<void> {
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
            ctx.logger?.warn({ err, ticketId: r.ticketId }, 'routing: persisting an unassignment failed');
          }
        }
        await emit({ type: 'routing.unassigned', ticketId: r.ticketId, teamId: r.teamId, agentId: r.agentId, wasAccepted, reason, at: iso(at) });
      }
    }
    for (const teamId of new Set(items.map((r) => r.teamId))) await drain.drainTeam(teamId);
    for (const r of items) await queries.queuedEvent(r.ticketId, r.teamId, reason);
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
      ctx.logger?.warn({ err, ticketId }, 'routing: persisting a needs-attention flag failed');
    }
    await emit({ type: 'routing.needs_attention', ticketId, teamId: t.teamId, reason: 'all_declined', declinedBy, at: iso(at) });
  }

  return {
    afterRequeue,

    async accept(ticketId, agentId, offerId) {
      const at = now();
      const r = await store.accept(ticketId, agentId, at, offerId ?? '');
      if (r.status !== 'ok') return { ok: false, reason: r.status };
      const ok = await drain.persistAssigned(ticketId, agentId, r.teamId, 'accept', at);
      if (!ok) {
        await drain.drainTeam(r.teamId);
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
  };
}
