import type { RelationshipStage } from '../contacts/contact.model';
import type { StageReason } from './value.model';
import type { ValueSettings } from './value-settings.store';

const DAY_MS = 86_400_000;

export interface StageInput {
  /** Times of the customer's orders (ms), any order. */
  orders: readonly number[];
  /** When the customer first got in touch (their profile was created), ms. */
  firstContactAt: number;
  now: number;
}

/**
 * The relationship stage, from the customer's orders and when they first got in touch, with
 * the reason. `P` = `stage.periodDays`; "this period" is the last P days, "the previous one"
 * the P days before it. In this order:
 *
 * 1. **declining**: at least two orders, some in the previous period, fewer in this period
 *    than in the previous one (frequency falling) and more days since the last order now than
 *    there were at the end of the previous period (recency falling).
 * 2. **exploring**: no order yet (known only from contacting us), or a single order.
 * 3. **stable**: at least `stableMinOrders` orders and the first one `stableMinDays` ago or more.
 * 4. **forming**: everyone else (a few orders, or a recent first one).
 */
export function stageOf(input: StageInput, rules: ValueSettings['stage']): { stage: RelationshipStage; reason: StageReason } {
  const { now } = input;
  const orders = [...input.orders].sort((a, b) => a - b);
  const period = rules.periodDays * DAY_MS;
  const currentStart = now - period;
  const previousStart = now - 2 * period;
  if (orders.length === 0) {
    return { stage: 'exploring', reason: { code: 'stage.exploring.noOrders', params: { days: days(now - input.firstContactAt) } } };
  }
  const current = orders.filter((t) => t > currentStart && t <= now).length;
  const previous = orders.filter((t) => t > previousStart && t <= currentStart).length;
  const last = orders[orders.length - 1]!;
  const lastBeforeCurrent = [...orders].reverse().find((t) => t <= currentStart);
  const recencyDays = days(now - last);
  if (orders.length >= 2 && previous > 0 && lastBeforeCurrent !== undefined) {
    const previousRecencyDays = days(currentStart - lastBeforeCurrent);
    if (current < previous && recencyDays > previousRecencyDays) {
      return { stage: 'declining', reason: { code: 'stage.declining', params: { current, previous, recencyDays, previousRecencyDays, periodDays: rules.periodDays } } };
    }
  }
  if (orders.length === 1) return { stage: 'exploring', reason: { code: 'stage.exploring.oneOrder', params: { recencyDays } } };
  const sinceFirst = days(now - orders[0]!);
  if (orders.length >= rules.stableMinOrders && sinceFirst >= rules.stableMinDays) {
    return { stage: 'stable', reason: { code: 'stage.stable', params: { orders: orders.length, sinceFirstDays: sinceFirst, current, previous } } };
  }
  return { stage: 'forming', reason: { code: 'stage.forming', params: { orders: orders.length, sinceFirstDays: sinceFirst, minOrders: rules.stableMinOrders, minDays: rules.stableMinDays } } };
}

const days = (ms: number): number => Math.max(0, Math.floor(ms / DAY_MS));
