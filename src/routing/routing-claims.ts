import type { RoutingService } from './routing.service';

/**
 * Manual owner changes (an agent takes a ticket, a supervisor assigns one) go through
 * routing when routing holds the ticket, so capacity stays counted and routing never
 * hands the same ticket to someone else afterwards. Routing records the result on the
 * ticket through its ports. An agent taking queued work within their limit is an ordinary
 * pick; anything else a person decides (the agent is away or at their limit, a supervisor
 * deliberately overloads someone, the ticket is held by another agent) is recorded by
 * routing's manual assignment, which counts it even above the limit.
 *
 * Answers false when routing does not hold the ticket or does not know the agent (the
 * caller then changes the owner directly); releases always go the direct way and the
 * resulting `ticket.updated` puts the ticket back in the queue.
 */
export function createRoutingClaims(routing: RoutingService) {
  return async (ticketId: string, agentId: string | null, actorId: string | null, note: string): Promise<boolean> => {
    if (!agentId) return false;
    const state = await routing.ticketState(ticketId);
    if (!state) return false;
    if (state.state === 'assigned' && state.agentId === agentId) return true;
    if (state.state === 'queued' && actorId === agentId && (await routing.pick(ticketId, agentId)).ok) return true;
    const r = await routing.assignManually({ ticketId, agentId, actorId, note });
    if (r.ok) return true;
    if (r.reason === 'unknown') return false;
    // Routing cannot record it (an owner routing does not know, e.g. an admin in no team, or
    // the database refused): routing lets go of the ticket and the caller assigns it directly.
    await routing.release(ticketId, 'manual');
    return false;
  };
}
export type RoutingClaims = ReturnType<typeof createRoutingClaims>;
