import { WEEKDAYS, type BusinessCalendar, type Weekday } from '../routing/business-hours.calculator';

/**
 * A team's business hours as stored on the team document. The API and the calculator use
 * [open, close] pairs; the database gets { open, close } objects (no nested arrays, which
 * FerretDB does not store).
 */
export interface StoredInterval {
  open: string;
  close: string;
}
export interface StoredCalendar {
  timeZone: string;
  hours: Partial<Record<Weekday, StoredInterval[]>>;
  holidays: string[];
}

export function storedCalendar(cal: BusinessCalendar): StoredCalendar {
  const hours: Partial<Record<Weekday, StoredInterval[]>> = {};
  for (const d of WEEKDAYS) {
    const day = cal.hours[d];
    if (day?.length) hours[d] = day.map(([open, close]) => ({ open, close }));
  }
  return { timeZone: cal.timeZone, hours, holidays: [...new Set(cal.holidays ?? [])].sort() };
}

/** The stored calendar in the calculator's (and the API's) shape; null when the team has none. */
export function calendarOf(stored: StoredCalendar | null | undefined): BusinessCalendar | null {
  if (!stored?.timeZone || !stored.hours) return null;
  const hours: Partial<Record<Weekday, Array<[string, string]>>> = {};
  for (const d of WEEKDAYS) {
    const day = stored.hours[d];
    if (day?.length) hours[d] = day.map((iv) => [iv.open, iv.close]);
  }
  return { timeZone: stored.timeZone, hours, holidays: [...(stored.holidays ?? [])] };
}
