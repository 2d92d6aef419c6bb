import { available, type RoutingStrategy } from './strategy.common';

/** The available agent who has gone longest without an assignment (never assigned first). */
export const roundRobin: RoutingStrategy = {
  name: 'round-robin',
  automatic: true,
  requiresSkills: false,
  rank(input) {
    return available(input)
      .sort((a, b) => a.lastAssignedAt - b.lastAssignedAt || (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0))
      .map((a) => a.agentId);
  },
};
