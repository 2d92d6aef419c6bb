import type { StrategyName } from '../routing.types';
import { leastBusy } from './least-busy.strategy';
import { manual } from './manual.strategy';
import { roundRobin } from './round-robin.strategy';
import { skillsBased } from './skills-based.strategy';
import type { RoutingStrategy } from './strategy.common';
import { sticky } from './sticky.strategy';

/** The explicit list of strategies; a team names one in its routing config. */
export const STRATEGIES: Readonly<Record<StrategyName, RoutingStrategy>> = Object.freeze({
  'least-busy': leastBusy,
  'round-robin': roundRobin,
  'skills-based': skillsBased,
  sticky,
  manual,
});
