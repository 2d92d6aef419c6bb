import { leastBusy } from './least-busy.strategy';
import type { RoutingStrategy } from './strategy.common';

/** The agent who last served this contact if they can take it now, then least busy. */
export const sticky: RoutingStrategy = {
  name: 'sticky',
  automatic: true,
  requiresSkills: false,
  rank(input) {
    const ranked = leastBusy.rank(input);
    const previous = input.ticket.lastAgentId;
    if (!previous || !ranked.includes(previous)) return ranked;
    return [previous, ...ranked.filter((id) => id !== previous)];
  },
};
