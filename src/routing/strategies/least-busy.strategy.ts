import { available, byLeastBusy, type RoutingStrategy } from './strategy.common';

/** The available agent with the fewest open items of the ticket's kind. */
export const leastBusy: RoutingStrategy = {
  name: 'least-busy',
  automatic: true,
  requiresSkills: false,
  rank(input) {
    return available(input)
      .sort(byLeastBusy(input.ticket.kind))
      .map((a) => a.agentId);
  },
};
