import type { RoutingStrategy } from './strategy.common';

/** No automatic assignment: tickets wait in the queue until an agent picks one. */
export const manual: RoutingStrategy = {
  name: 'manual',
  automatic: false,
  requiresSkills: false,
  rank() {
    return [];
  },
};
