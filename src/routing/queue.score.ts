import type { Priority } from '../../channels/contract';
import type { CustomerTier } from './routing.types';

/** Lower rank = served first. */
const PRIORITY_RANK: Readonly<Record<Priority, number>> = { urgent: 0, high: 1, normal: 2, low: 3 };
const TIER_RANK: Readonly<Record<CustomerTier, number>> = { platinum: 0, gold: 1, silver: 2, bronze: 3, none: 4 };
const TIERS = 5;

/**
 * Width of one (priority, tier) band. Waiting-since times are epoch milliseconds, below
 * 1e13 until the year 2286, so they never spill into the next band; the largest score,
 * 20 × 1e13, stays far below 2^53 and every score is an exact integer in a double.
 */
export const BAND_WIDTH = 1e13;

/**
 * Sorted-set score of a queued ticket: ascending order is priority (urgent first), then
 * customer tier (platinum first, no tier last), then waiting time (oldest first).
 */
export function queueScore(priority: Priority, tier: CustomerTier, waitingSinceMs: number): number {
  if (!Number.isInteger(waitingSinceMs) || waitingSinceMs < 0 || waitingSinceMs >= BAND_WIDTH) {
    throw new RangeError(`waitingSince out of range: ${waitingSinceMs}`);
  }
  const band = PRIORITY_RANK[priority] * TIERS + TIER_RANK[tier];
  return band * BAND_WIDTH + waitingSinceMs;
}

/** The waiting-since time a score encodes (epoch ms). */
export function scoreWaitingSince(score: number): number {
  return score % BAND_WIDTH;
}

export function raisePriority(priority: Priority): Priority {
  switch (priority) {
    case 'low':
      return 'normal';
    case 'normal':
      return 'high';
    default:
      return 'urgent';
  }
}
