import type { ValueTier } from '../contacts/contact.model';
import type { ValueSettings } from './value-settings.store';

export interface RfmFigures {
  /** Days since the last order (smaller is better). */
  recencyDays: number;
  /** Number of orders. */
  frequency: number;
  /** Amount spent, in the settings' currency. */
  monetary: number;
}
export interface RfmScores {
  r: number;
  f: number;
  m: number;
}

/**
 * Quintile scores 1-5 of `values` over the whole base, where a larger value is better.
 * A customer's score is 1 + floor(5 × below / n), `below` being how many customers have a
 * strictly worse value: the best fifth scores 5, the worst fifth 1. Ties: every customer of a
 * tied group gets the score of the group's lowest position, so equal figures always score
 * the same (a large tie can leave a quintile empty: with 10 customers of whom 6 have one
 * order, those 6 all score 1 and the next customer scores 4).
 */
export function quintileScores(values: readonly number[]): number[] {
  const n = values.length;
  const sorted = [...values].sort((a, b) => a - b);
  // below(v) = index of v's first occurrence in ascending order.
  const firstIndex = new Map<number, number>();
  sorted.forEach((v, i) => {
    if (!firstIndex.has(v)) firstIndex.set(v, i);
  });
  return values.map((v) => 1 + Math.floor((5 * firstIndex.get(v)!) / n));
}

/** R, F and M scores of each customer (same order as given). Recency counts fewer days as better. */
export function rfmScores(figures: readonly RfmFigures[]): RfmScores[] {
  const r = quintileScores(figures.map((x) => -x.recencyDays));
  const f = quintileScores(figures.map((x) => x.frequency));
  const m = quintileScores(figures.map((x) => x.monetary));
  return figures.map((_, i) => ({ r: r[i]!, f: f[i]!, m: m[i]! }));
}

/** The first tier (platinum, gold, silver) whose three minimums the scores meet; bronze otherwise. */
export function tierOf(s: RfmScores, tiers: ValueSettings['tiers']): ValueTier {
  for (const t of ['platinum', 'gold', 'silver'] as const) {
    const min = tiers[t];
    if (s.r >= min.r && s.f >= min.f && s.m >= min.m) return t;
  }
  return 'bronze';
}

const RANK: Record<ValueTier, number> = { platinum: 0, gold: 1, silver: 2, bronze: 3 };
/** True when `to` is a lower tier than `from` (a customer without a tier before drops nothing). */
export const tierDropped = (from: ValueTier | null, to: ValueTier | null): boolean => from !== null && to !== null && RANK[to] > RANK[from];
