/**
 * Expected wait of a queued ticket. Each busy slot frees up on average once per handle
 * time, so with `onlineCapacity` slots the queue moves `onlineCapacity / handle` tickets per
 * millisecond, and the ticket at `position` (1 = next) waits about position × handle / slots.
 * Handle time is the median of recent samples (robust against one forgotten chat), or the
 * default until there are enough samples. Null when nobody who could take it is online.
 */
export function estimateWaitMs(input: {
  position: number;
  onlineCapacity: number;
  handleSamplesMs: readonly number[];
  defaultHandleMs: number;
  minSamples?: number;
}): number | null {
  if (input.position <= 0) return 0;
  if (input.onlineCapacity <= 0) return null;
  const samples = [...input.handleSamplesMs].filter((n) => n >= 0).sort((a, b) => a - b);
  const handle = samples.length >= (input.minSamples ?? 5) ? median(samples) : input.defaultHandleMs;
  return Math.round((input.position * handle) / input.onlineCapacity);
}

function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] ?? 0;
  if (sorted.length % 2 === 1) return hi;
  return ((sorted[mid - 1] ?? hi) + hi) / 2;
}
