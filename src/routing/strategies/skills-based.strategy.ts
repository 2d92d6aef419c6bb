import { available, byLeastBusy, qualified, type RoutingStrategy } from './strategy.common';

/** Only agents with every required skill and the ticket's language; among them, least busy. */
export const skillsBased: RoutingStrategy = {
  name: 'skills-based',
  automatic: true,
  requiresSkills: true,
  rank(input) {
    return available(input)
      .filter((a) => qualified(a, input.ticket))
      .sort(byLeastBusy(input.ticket.kind))
      .map((a) => a.agentId);
  },
};
