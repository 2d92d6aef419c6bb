/**
 * Fixed histogram bins for durations, in minutes: 1-minute bins up to 1 h, 5-minute bins up
 * to 4 h, 30-minute bins up to 24 h, 4-hour bins up to 7 days, then one open bin. A duration
 * falls in the bin whose lower edge is the largest one ≤ it.
 */
const edges: number[] = [];
for (let m = 0; m < 60; m += 1) edges.push(m);
for (let m = 60; m < 240; m += 5) edges.push(m);
for (let m = 240; m < 1440; m += 30) edges.push(m);
for (let m = 1440; m <= 10_080; m += 240) edges.push(m);
export const HISTOGRAM_EDGES_MINUTES: readonly number[] = edges;

export function binOf(ms: number): number {
  const minutes = Math.max(0, ms) / 60_000;
  let lo = 0;
  let hi = edges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (edges[mid]! <= minutes) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Nearest-rank percentile (p in 0..1) from bin counts: the lower edge (minutes) of the bin
 * holding the ⌈p·n⌉-th smallest duration. Exact for durations on bin edges (whole minutes
 * under an hour), otherwise within the bin's width. Null without any duration.
 */
export function percentile(bins: ReadonlyMap<number, number>, p: number): number | null {
  let n = 0;
  for (const c of bins.values()) n += c;
  if (n <= 0) return null;
  const rank = Math.max(1, Math.ceil(p * n));
  let seen = 0;
  for (const i of [...bins.keys()].sort((a, b) => a - b)) {
    seen += bins.get(i) ?? 0;
    if (seen >= rank) return edges[i] ?? null;
  }
  return null;
}
