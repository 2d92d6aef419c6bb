import type { RoutingService } from './routing.service';

/**
 * Manual owner changes (an agent takes a ticket, a supervisor assigns one) go through
 * routing when routing holds the ticket, so capacity stays counted and routing never
 * hands the same ticket to someone else afterwards. Routing records the result on the
 * ticket through its ports. Answers false when routing does not hold the ticket (the
 * caller then changes the owner directly); releases always go the direct way and the
 * resulting `ticket.updated` puts the ticket back in the queue. Manual assignments that
 * routing cannot count (agent away or at capacity) are honoured outside routing.
 */
export function createRoutingClaims(routing: RoutingService) {
  return async (ticketId: string, agentId: string | null, actorId: string | null, note: string): Promise<boolean> => {
    if (!agentId) return false;
    const state = await routing.ticketState(ticketId);
    if (!state) return false;
    if (state.state === 'assigned' && state.agentId === agentId) return true;
    if ((state.state === 'queued' || state.state === 'offered') && actorId === agentId && (await routing.pick(ticketId, agentId)).ok) return true;
    if ((await routing.transfer({ ticketId, fromAgentId: null, to: { agentId, force: true }, note, actorId })).ok) return true;
    // Routing cannot place it with this agent (away, at capacity): a person decided, so
    // routing lets go of the ticket and the caller assigns it directly.
    await routing.release(ticketId, 'manual');
    return false;
  };
}
export type RoutingClaims = ReturnType<typeof createRoutingClaims>;
