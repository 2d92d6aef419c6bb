import { binOf, HISTOGRAM_EDGES_MINUTES, percentile } from '../../src/stats/stats.histogram';

const bins = (minutes: number[]) => {
  const m = new Map<number, number>();
  for (const v of minutes) m.set(binOf(v * 60_000), (m.get(binOf(v * 60_000)) ?? 0) + 1);
  return m;
};

test('whole minutes under an hour give exact nearest-rank medians and p90; longer ones their bin', () => {
  expect(percentile(bins([3, 7, 20]), 0.5)).toBe(7);
  expect(percentile(bins([3, 7, 20, 41, 59]), 0.9)).toBe(59);
  expect(percentile(bins([1, 2]), 0.5)).toBe(1);
  // 1 h 7 min falls in the 5-minute bin from 65; 30 h in the 4-hour bin from 1680 minutes (28 h).
  expect(percentile(bins([67]), 0.5)).toBe(65);
  expect(percentile(bins([30 * 60]), 0.5)).toBe(1680);
  // Beyond 7 days: the last bin.
  expect(percentile(bins([20_000]), 0.5)).toBe(HISTOGRAM_EDGES_MINUTES[HISTOGRAM_EDGES_MINUTES.length - 1]);
  expect(percentile(new Map(), 0.5)).toBeNull();
});
