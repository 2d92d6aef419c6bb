import { quintileScores, rfmScores, tierDropped, tierOf } from '../../src/value/rfm.calculator';
import { stageOf } from '../../src/value/stage.rules';
import { DEFAULT_VALUE_SETTINGS } from '../../src/value/value-settings.store';

const DAY = 86_400_000;

test('quintile scores: the best fifth scores 5, the worst fifth 1', () => {
  expect(quintileScores([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  // Order of the input does not matter; 5 customers: one per quintile.
  expect(quintileScores([50, 10, 40, 20, 30])).toEqual([5, 1, 4, 2, 3]);
});

test('ties share the score of the lowest position of their group', () => {
  // Six customers with one order: below = 0 for all of them → 1; the next has 6 below → 1 + floor(30/10) = 4.
  expect(quintileScores([1, 1, 1, 1, 1, 1, 2, 3, 3, 9])).toEqual([1, 1, 1, 1, 1, 1, 4, 4, 4, 5]);
  expect(quintileScores([7, 7, 7])).toEqual([1, 1, 1]);
});

test('recency: fewer days since the last order scores higher; tiers from the minimums', () => {
  const scores = rfmScores([
    { recencyDays: 300, frequency: 1, monetary: 10 },
    { recencyDays: 2, frequency: 9, monetary: 900 },
    { recencyDays: 30, frequency: 3, monetary: 100 },
    { recencyDays: 90, frequency: 2, monetary: 50 },
    { recencyDays: 10, frequency: 5, monetary: 400 },
  ]);
  expect(scores).toEqual([
    { r: 1, f: 1, m: 1 },
    { r: 5, f: 5, m: 5 },
    { r: 3, f: 3, m: 3 },
    { r: 2, f: 2, m: 2 },
    { r: 4, f: 4, m: 4 },
  ]);
  expect(scores.map((s) => tierOf(s, DEFAULT_VALUE_SETTINGS.tiers))).toEqual(['bronze', 'platinum', 'gold', 'silver', 'platinum']);
  // All three minimums must hold: a big spender who stopped buying is not platinum.
  expect(tierOf({ r: 1, f: 5, m: 5 }, DEFAULT_VALUE_SETTINGS.tiers)).toBe('bronze');
  expect(tierDropped('gold', 'silver')).toBe(true);
  expect(tierDropped('silver', 'gold')).toBe(false);
  expect(tierDropped(null, 'bronze')).toBe(false);
});

describe('relationship stage', () => {
  const now = Date.UTC(2026, 5, 1);
  const rules = DEFAULT_VALUE_SETTINGS.stage; // period 90 days, stable from 4 orders over 180 days
  const at = (...daysAgo: number[]) => daysAgo.map((d) => now - d * DAY);

  test('exploring without orders or with one', () => {
    expect(stageOf({ orders: [], firstContactAt: now - 5 * DAY, now }, rules)).toEqual({ stage: 'exploring', reason: { code: 'stage.exploring.noOrders', params: { days: 5 } } });
    expect(stageOf({ orders: at(3), firstContactAt: now - 5 * DAY, now }, rules).stage).toBe('exploring');
  });

  test('forming, then stable with enough orders over enough time', () => {
    expect(stageOf({ orders: at(10, 40), firstContactAt: now, now }, rules)).toMatchObject({ stage: 'forming', reason: { code: 'stage.forming', params: { orders: 2 } } });
    expect(stageOf({ orders: at(10, 60, 100, 200), firstContactAt: now, now }, rules)).toMatchObject({ stage: 'stable', reason: { code: 'stage.stable', params: { orders: 4, sinceFirstDays: 200 } } });
  });

  test('declining: fewer orders this period than the previous one, and longer since the last', () => {
    // Previous period (90-180 days ago): 3 orders, the last 95 days ago → 5 days of recency at its end.
    // This period: one order 80 days ago → 80 days of recency now.
    const r = stageOf({ orders: at(80, 95, 120, 170, 300), firstContactAt: now, now }, rules);
    expect(r).toEqual({ stage: 'declining', reason: { code: 'stage.declining', params: { current: 1, previous: 3, recencyDays: 80, previousRecencyDays: 5, periodDays: 90 } } });
    // Same history but a fresh order yesterday: recency did not fall → not declining.
    expect(stageOf({ orders: at(1, 95, 120, 170, 300), firstContactAt: now, now }, rules).stage).toBe('stable');
  });
});
