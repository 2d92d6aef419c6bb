import { z } from 'zod';
import { WEEKDAYS, type BusinessCalendar } from './business-hours.calculator';

/** Whether the platform knows the IANA time zone (`Europe/Berlin`, `Asia/Shanghai`, `UTC`). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

const CLOCK = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;
const Clock = z.string().regex(CLOCK, 'a local time as HH:MM, 00:00 to 24:00');

/** One opening interval, local wall-clock times: ['09:00', '18:00']; '24:00' closes at midnight. */
const Interval = z
  .tuple([Clock, Clock])
  // (A malformed time is reported as such, not as a closing before the opening as well.)
  .refine(([open, close]) => !CLOCK.test(open) || !CLOCK.test(close) || minutes(close) > minutes(open), { message: 'closes before (or when) it opens', params: { code: 'closes_before_open' } })
  .describe('[open, close] as HH:MM local time');

const Day = z
  .array(Interval)
  .max(12)
  .superRefine((intervals, ctx) => {
    const sorted = intervals
      .map((iv, i) => ({ i, open: minutes(iv[0]), close: minutes(iv[1]) }))
      .filter((iv) => iv.close > iv.open)
      .sort((a, b) => a.open - b.open);
    for (let k = 1; k < sorted.length; k++) {
      if (sorted[k]!.open < sorted[k - 1]!.close) ctx.addIssue({ code: 'custom', message: 'overlaps another interval of the same day', path: [sorted[k]!.i], params: { code: 'overlapping_hours' } });
    }
  });

const Week = z
  .strictObject(Object.fromEntries(WEEKDAYS.map((d) => [d, Day.optional()])) as Record<(typeof WEEKDAYS)[number], z.ZodOptional<typeof Day>>)
  .refine((hours) => WEEKDAYS.some((d) => (hours[d]?.length ?? 0) > 0), { message: 'no open hours at all: give at least one day an opening interval', params: { code: 'no_open_hours' } })
  .describe('opening intervals per weekday (mon … sun); a missing or empty day is closed');

const LocalDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a local date as YYYY-MM-DD')
  .refine((s) => new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s, 'not a calendar date');

/**
 * A team's business hours as admins give them (shaped like {@link BusinessCalendar}):
 * an IANA time zone, weekly opening intervals, and holidays (local dates closed all day).
 */
export const BusinessCalendarSchema = z
  .object({
    timeZone: z.string().trim().min(1).max(64).refine(isTimeZone, 'not a known IANA time zone (e.g. Europe/Berlin, Asia/Shanghai)'),
    hours: Week,
    holidays: z.array(LocalDate).max(1000).default([]),
  })
  .describe("The team's business hours: SLA policies that count business hours count only these");

export type BusinessCalendarInput = z.input<typeof BusinessCalendarSchema>;

/** A calendar from elsewhere (the database) as the calculator wants it, or null if it is not valid. */
export function parseBusinessCalendar(raw: unknown): BusinessCalendar | null {
  const r = BusinessCalendarSchema.safeParse(raw);
  return r.success ? r.data : null;
}
