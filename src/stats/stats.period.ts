import { z } from 'zod';
import { localTime, zonedTime } from '../routing/business-hours.calculator';

export const PERIODS = ['today', '7d', '30d', 'custom'] as const;
export type Period = (typeof PERIODS)[number];

/** True when `tz` is an IANA zone this runtime knows (e.g. `Asia/Shanghai`, `UTC`). */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const TimeZone = z.string().trim().min(1).max(64).refine(isTimeZone, { message: 'an IANA time zone, e.g. Asia/Shanghai' });

/** `YYYY-MM-DD`: a local date in the period's zone. */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface PeriodInput {
  period?: Period;
  /** ISO date-time, or a local date `YYYY-MM-DD` (its start) in `tz`. */
  from?: string;
  /** ISO date-time, or a local date `YYYY-MM-DD` (its end: the next local midnight) in `tz`. */
  to?: string;
  tz: string;
}

const DAY_MS = 86_400_000;

/** The local midnight `days` days after the local date of `ms` in `tz`. */
function localMidnight(ms: number, tz: string, days = 0): number {
  const l = localTime(ms, tz);
  const d = new Date(Date.UTC(l.year, l.month - 1, l.day + days));
  return zonedTime(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), 0, tz);
}

function instant(s: string, tz: string, end: boolean): Date {
  const m = DATE.exec(s);
  if (!m) return new Date(s);
  return new Date(zonedTime(Number(m[1]), Number(m[2]), Number(m[3]) + (end ? 1 : 0), 0, tz));
}

/**
 * The instants a period covers, in the zone's local days: `today` from local midnight to the
 * next one; `7d` / `30d` the last 7 / 30 local days including today; `custom` (or no period)
 * from `from` to `to` (without them: the 24 hours up to `now`).
 */
export function resolvePeriod(q: PeriodInput, now: Date): { from: Date; to: Date } {
  const t = now.getTime();
  if (q.period === 'today') return { from: new Date(localMidnight(t, q.tz)), to: new Date(localMidnight(t, q.tz, 1)) };
  if (q.period === '7d' || q.period === '30d') {
    const days = q.period === '7d' ? 7 : 30;
    return { from: new Date(localMidnight(t, q.tz, 1 - days)), to: new Date(localMidnight(t, q.tz, 1)) };
  }
  const to = q.to ? instant(q.to, q.tz, true) : now;
  const from = q.from ? instant(q.from, q.tz, false) : new Date(to.getTime() - DAY_MS);
  return { from, to };
}
