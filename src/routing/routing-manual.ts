import type { RoutingContext } from './routing-context';
import type { RoutingDrain } from './routing-drain';
import type { RoutingTransfers } from './routing-transfers';
import type { RoutingService } from './routing.service';

export type RoutingManual = Pick<RoutingService, 'pick' | 'assignManually'>;

/**
 * People's decisions about who owns a ticket: an agent picking queued work, and a manual
 * assignment (counted even above the agent's limit; a ticket someone else held is handed over).
 */
export function createRoutingManual(ctx: RoutingContext, drain: Pick<RoutingDrain, 'reserve' | 'persistAssigned'>, transfers: Pick<RoutingTransfers, 'recordTransfer'>): RoutingManual {
  const { store, now } = ctx;

  return {
    async pick(ticketId, agentId) {
      const state = await store.ticketState(ticketId);
      if (!state || state.state !== 'queued') return { ok: false, reason: 'not_queued' };
      const config = await store.teamConfig(state.teamId);
      const r = await drain.reserve({ config }, { ticketId, teamId: state.teamId, kind: state.kind }, [agentId], 'pick');
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
      if (!r.fromAgentId) {
        const persisted = await drain.persistAssigned(req.ticketId, req.agentId, r.teamId, 'manual', at, decidedBy);
        return persisted ? { ok: true } : { ok: false, reason: 'persist_failed' };
      }
      // Someone else held it (or had it offered): a handover, recorded as a transfer.
      const persisted = await transfers.recordTransfer({
        ticketId: req.ticketId,
        fromAgentId: r.fromAgentId,
        fromTeamId: r.teamId,
        toTeamId: r.teamId,
        to: { agentId: req.agentId, decidedBy },
        note: req.note,
        actorId: req.actorId,
        at,
      });
      return persisted ? { ok: true } : { ok: false, reason: 'persist_failed' };
    },
  };
}
