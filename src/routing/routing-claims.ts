import type { RoutingService } from './routing.service';

/**
 * What routing did with a manual owner change: `claimed` (routing made and recorded it),
 * `direct` (routing does not hold the ticket or cannot count the owner: the caller changes
 * the owner itself), `conflict` (someone else got the ticket meanwhile).
 */
export type ClaimOutcome = 'claimed' | 'direct' | 'conflict';

/**
 * Manual owner changes (an agent takes a ticket, a supervisor assigns one) go through
 * routing when routing holds the ticket, so capacity stays counted and routing never
 * hands the same ticket to someone else afterwards. Routing records the result on the
 * ticket through its ports. An agent taking queued work within their limit is an ordinary
 * pick; anything else a person decides (the agent is away or at their limit, a supervisor
 * deliberately overloads someone, the ticket is held by another agent) is recorded by
 * routing's manual assignment, which counts it even above the limit. `expectedAgentId` is
 * the owner the person saw: if routing gave the ticket to someone else meanwhile, it is a
 * conflict (two agents taking the same ticket: the first wins).
 *
 * Releases always go the direct way and the resulting `ticket.updated` puts the ticket back
 * in the queue.
 */
export function createRoutingClaims(routing: RoutingService) {
  return async (ticketId: string, agentId: string | null, actorId: string | null, note: string, expectedAgentId: string | null): Promise<ClaimOutcome> => {
    if (!agentId) return 'direct';
    const state = await routing.ticketState(ticketId);
    if (!state) return 'direct';
    if (state.state === 'assigned' && state.agentId === agentId) return 'claimed';
    if (state.state === 'queued' && actorId === agentId && (await routing.pick(ticketId, agentId)).ok) return 'claimed';
    const r = await routing.assignManually({ ticketId, agentId, actorId, note, expectedAgentId });
    if (r.ok) return 'claimed';
    if (r.reason === 'not_holder') return 'conflict';
    if (r.reason === 'unknown') return 'direct';
    // Routing cannot record it (an owner routing does not know, e.g. an admin in no team, or
    // the database refused): routing lets go of the ticket and the caller assigns it directly.
    await routing.release(ticketId, 'manual');
    return 'direct';
  };
}
export type RoutingClaims = ReturnType<typeof createRoutingClaims>;
