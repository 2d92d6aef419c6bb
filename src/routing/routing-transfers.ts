import type { RoutingContext } from './routing-context';
import type { DecidedBy, RoutingDrain } from './routing-drain';
import type { RoutingOffers } from './routing-offers';
import type { RoutingQueries } from './routing-queries';
import type { RoutingService } from './routing.service';

/** A handover routing already made in Redis, to be recorded. */
export interface Handover {
  ticketId: string;
  /** Who held the ticket (or had it offered); null: nobody. */
  fromAgentId: string | null;
  fromTeamId: string;
  toTeamId: string;
  /**
   * The new owner (assigned via `transfer`, with the person's decision when one made it),
   * or null: the ticket waits in `toTeamId`'s queue now.
   */
  to: { agentId: string; decidedBy?: DecidedBy } | null;
  note: string;
  actorId: string | null;
  at: number;
}

export type RoutingTransfers = Pick<RoutingService, 'transfer' | 'moveToTeam' | 'reassign'> & {
  /**
   * Records a handover: the note (and team change) on the ticket, the new owner (or the
   * previous one's unassignment when it went to a queue), `routing.transferred`, routing the
   * new team's queue, and work for the agent who handed over. Resolves false when the new
   * owner's assignment could not be persisted (the ticket went back to the queue).
   */
  recordTransfer(h: Handover): Promise<boolean>;
};

/** Moving tickets: transfers to an agent or a team, a team change made outside routing, SLA reassignment. */
export function createRoutingTransfers(
  ctx: RoutingContext,
  drain: Pick<RoutingDrain, 'drainTeam' | 'fillAgent' | 'persistAssigned'>,
  queries: Pick<RoutingQueries, 'outcome' | 'queuedEvent'>,
  offers: Pick<RoutingOffers, 'afterRequeue'>,
): RoutingTransfers {
  const { store, ports, now, iso, emit } = ctx;

  async function recordTransfer(h: Handover): Promise<boolean> {
    const { ticketId, fromAgentId, toTeamId, to, at } = h;
    const record = { ticketId, fromAgentId, toAgentId: to?.agentId ?? null, fromTeamId: h.fromTeamId, toTeamId, note: h.note, actorId: h.actorId, at: new Date(at) };
    try {
      await ports.persistTransfer(record);
      if (!to && fromAgentId) await ports.persistUnassignment({ ticketId, agentId: fromAgentId, teamId: toTeamId, reason: 'transferred', at: new Date(at) });
    } catch (err) {
      ctx.logger?.warn({ err, ticketId }, 'routing: persisting a transfer failed');
    }
    const persisted = to ? await drain.persistAssigned(ticketId, to.agentId, toTeamId, 'transfer', at, to.decidedBy) : true;
    await emit({ type: 'routing.transferred', ...record, at: iso(at) });
    if (!to) {
      await drain.drainTeam(toTeamId);
      await queries.queuedEvent(ticketId, toTeamId, 'transferred');
    }
    if (fromAgentId) await drain.fillAgent(fromAgentId);
    return persisted;
  }

  return {
    recordTransfer,

    async transfer(req) {
      const at = now();
      const base = { ticketId: req.ticketId, note: req.note, actorId: req.actorId, at };
      if ('agentId' in req.to) {
        const r = await store.transferToAgent(req.ticketId, req.fromAgentId ?? '', req.to.agentId, at, req.to.force ?? false);
        if (r.status !== 'ok' || !('teamId' in r)) return { ok: false, reason: r.status };
        const toAgentId = req.to.agentId;
        await recordTransfer({ ...base, fromAgentId: r.fromAgentId || null, fromTeamId: r.teamId, toTeamId: r.teamId, to: { agentId: toAgentId } });
        return { ok: true, state: 'assigned', agentId: toAgentId, teamId: r.teamId };
      }
      const toTeamId = req.to.teamId;
      const r = await store.transferToTeam(req.ticketId, req.fromAgentId ?? '', toTeamId, req.to.requiredSkills ?? []);
      if (r.status !== 'ok' || !('fromTeamId' in r)) return { ok: false, reason: r.status };
      await recordTransfer({ ...base, fromAgentId: r.fromAgentId || null, fromTeamId: r.fromTeamId, toTeamId, to: null });
      const o = await queries.outcome(req.ticketId, toTeamId);
      return { ok: true, state: o.state, agentId: o.agentId, teamId: o.teamId };
    },

    async moveToTeam(ticketId, teamId) {
      const st = await store.ticketState(ticketId);
      if (!st || st.state === 'assigned' || st.teamId === teamId) return false;
      const r = await store.transferToTeam(ticketId, '', teamId, []);
      if (r.status !== 'ok' || !('fromTeamId' in r)) return false;
      if (r.fromAgentId) {
        await emit({ type: 'routing.unassigned', ticketId, teamId: r.fromTeamId, agentId: r.fromAgentId, wasAccepted: false, reason: 'reassigned', at: iso() });
        await drain.fillAgent(r.fromAgentId);
      }
      await drain.drainTeam(teamId);
      await queries.queuedEvent(ticketId, teamId, 'transferred');
      return true;
    },

    async reassign(ticketId) {
      const r = await store.requeue(ticketId, true);
      if (!r) return false;
      await offers.afterRequeue([r], 'reassigned');
      return true;
    },
  };
}
