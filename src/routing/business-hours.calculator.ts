/**
 * Business time in a team's calendar and time zone, with the platform's Intl only.
 * Pure: every function takes epoch milliseconds and returns epoch milliseconds.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Opening hours as local wall-clock times, e.g. ['09:00', '18:00']; '24:00' closes at midnight. */
export type OpeningInterval = readonly [string, string];

export interface BusinessCalendar {
  /** IANA zone, e.g. 'Asia/Shanghai', 'Europe/Berlin'. */
  timeZone: string;
  /** Opening intervals per weekday; a missing or empty day is closed. */
  hours: Partial<Record<Weekday, readonly OpeningInterval[]>>;
  /** Local dates (YYYY-MM-DD) that are closed all day. */
  holidays?: readonly string[];
}

/** How far ahead to look for open hours before deciding a calendar is never open. */
const MAX_DAYS = 3 * 366;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock time in `timeZone` at instant `ms`. */
export function localTime(ms: number, timeZone: string): LocalTime {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return {
    year: out.year ?? 1970,
    month: out.month ?? 1,
    day: out.day ?? 1,
    hour: (out.hour ?? 0) % 24,
    minute: out.minute ?? 0,
    second: out.second ?? 0,
  };
}

/** Offset of `timeZone` from UTC at instant `ms` (local − UTC), in ms. */
function offsetAt(ms: number, timeZone: string): number {
  const t = localTime(ms, timeZone);
  const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The instant at which the wall clock in `timeZone` shows the given local date and minute
 * of day (minutes may be 1440: midnight at the end of the day). In a DST gap the time is
 * moved forward by the gap; in an overlap the first occurrence is used.
 */
export function zonedTime(year: number, month: number, day: number, minuteOfDay: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, 0, minuteOfDay);
  const first = wall - offsetAt(wall, timeZone);
  const second = wall - offsetAt(first, timeZone);
  if (first === second) return first;
  // Offsets disagree around a transition: prefer a candidate that really shows `wall`.
  const shows = (ms: number) => ms + offsetAt(ms, timeZone) === wall;
  if (shows(first) && shows(second)) return Math.min(first, second);
  if (shows(first)) return first;
  if (shows(second)) return second;
  return Math.max(first, second);
}

function parseClock(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim());
  if (!m) throw new RangeError(`bad opening time "${hhmm}" (want HH:MM)`);
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (minutes > 1440 || Number(m[2]) > 59) throw new RangeError(`bad opening time "${hhmm}"`);
  return minutes;
}

function isoDate(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Open intervals (UTC ms) of the local day `offset` days after the local date (y, m, d). */
function openIntervals(cal: BusinessCalendar, y: number, m: number, d: number, offset: number): Array<[number, number]> {
  const date = new Date(Date.UTC(y, m - 1, d + offset));
  const yy = date.getUTCFullYear();
  const mm = date.getUTCMonth() + 1;
  const dd = date.getUTCDate();
  if (cal.holidays?.includes(isoDate(yy, mm, dd))) return [];
  const weekday = WEEKDAYS[(date.getUTCDay() + 6) % 7] as Weekday;
  const out: Array<[number, number]> = [];
  for (const [open, close] of cal.hours[weekday] ?? []) {
    const from = parseClock(open);
    const to = parseClock(close);
    if (to <= from) continue;
    out.push([zonedTime(yy, mm, dd, from, cal.timeZone), zonedTime(yy, mm, dd, to, cal.timeZone)]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** Whether any weekday has an interval that closes after it opens. */
function hasWeeklyHours(cal: BusinessCalendar): boolean {
  return WEEKDAYS.some((d) => (cal.hours[d] ?? []).some(([open, close]) => parseClock(close) > parseClock(open)));
}

/** Walks the open intervals from `startMs` on, in order. */
function* openFrom(startMs: number, cal: BusinessCalendar): Generator<[number, number]> {
  // Weeks without open hours never open; otherwise only holidays can close days, and those
  // are finite (a long run of them, e.g. a closed season, is walked through).
  if (!hasWeeklyHours(cal)) throw new RangeError(`calendar in ${cal.timeZone} has no open hours`);
  // Start one local day early: an interval of the previous local day can still be open.
  const t = localTime(startMs, cal.timeZone);
  for (let i = -1; i <= MAX_DAYS; i++) {
    for (const [from, to] of openIntervals(cal, t.year, t.month, t.day, i)) {
      if (to <= startMs) continue;
      yield [Math.max(from, startMs), to];
    }
  }
  throw new RangeError(`calendar in ${cal.timeZone} has no open hours within ${MAX_DAYS} days`);
}

/** The instant when `durationMs` of open time has passed after `startMs`. */
export function addBusinessTime(startMs: number, durationMs: number, cal: BusinessCalendar): number {
  if (durationMs <= 0) return startMs;
  let remaining = durationMs;
  for (const [from, to] of openFrom(startMs, cal)) {
    const available = to - from;
    if (remaining <= available) return from + remaining;
    remaining -= available;
  }
  /* c8 ignore next */
  throw new RangeError('unreachable');
}

/** Open time between two instants (0 if `toMs` ≤ `fromMs`). */
export function businessTimeBetween(fromMs: number, toMs: number, cal: BusinessCalendar): number {
  if (toMs <= fromMs) return 0;
  let total = 0;
  for (const [from, to] of openFrom(fromMs, cal)) {
    if (from >= toMs) break;
    total += Math.min(to, toMs) - from;
    if (to >= toMs) break;
  }
  return total;
}

/** Whether the calendar is open at `ms`. */
export function isOpen(ms: number, cal: BusinessCalendar): boolean {
  const t = localTime(ms, cal.timeZone);
  for (const off of [-1, 0]) {
    for (const [from, to] of openIntervals(cal, t.year, t.month, t.day, off)) if (from <= ms && ms < to) return true;
  }
  return false;
}

/** Elapsed time in calendar terms: business time with a calendar, wall time without. */
export function elapsed(fromMs: number, toMs: number, cal: BusinessCalendar | null): number {
  return cal ? businessTimeBetween(fromMs, toMs, cal) : Math.max(0, toMs - fromMs);
}

/** `startMs` plus `durationMs` in calendar terms. */
export function advance(startMs: number, durationMs: number, cal: BusinessCalendar | null): number {
  return cal ? addBusinessTime(startMs, durationMs, cal) : startMs + durationMs;
}
