import { parseBusinessCalendar } from './business-calendar.schema';
import type { BusinessCalendar } from './business-hours.calculator';

export interface TeamCalendarsDeps {
  /** Every team's calendar (null = none) from the database. */
  load(): Promise<Array<{ teamId: string; calendar: unknown }>>;
  /** How often to re-read them, so edits made through other hub processes arrive (default 30 s). */
  refreshMs?: number;
  logger?: { warn(obj: object, msg?: string): void };
}

export interface TeamCalendars {
  /** Synchronous, for the SLA service's `calendarFor`: the team's calendar, or null (around the clock). */
  get(teamId: string | null): BusinessCalendar | null;
  /** A team edited in this process: applies at once. */
  set(teamId: string, calendar: BusinessCalendar | null): void;
  /** Re-reads every team's calendar. */
  refresh(): Promise<void>;
  /** Loads them, then refreshes every `refreshMs` until {@link stop}. */
  start(): Promise<void>;
  stop(): void;
}

/**
 * Team business calendars kept in memory: the SLA calculator asks synchronously for each due
 * time, so the map is loaded at start, updated at once when a team is edited here, and
 * re-read periodically for edits made through other processes. A stored calendar that does
 * not validate is ignored (around the clock) with a warning, rather than failing SLA tracking.
 */
export function createTeamCalendars(deps: TeamCalendarsDeps): TeamCalendars {
  let calendars = new Map<string, BusinessCalendar>();
  /** Local edits since a refresh started win over what that refresh read (it may predate them). */
  let editedDuringRefresh: Map<string, BusinessCalendar | null> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let refreshing: Promise<void> | null = null;

  function set(teamId: string, calendar: BusinessCalendar | null): void {
    if (calendar) calendars.set(teamId, calendar);
    else calendars.delete(teamId);
    editedDuringRefresh?.set(teamId, calendar);
  }

  async function load(): Promise<void> {
    const edits = new Map<string, BusinessCalendar | null>();
    editedDuringRefresh = edits;
    try {
      const rows = await deps.load();
      const next = new Map<string, BusinessCalendar>();
      for (const { teamId, calendar } of rows) {
        if (calendar === null || calendar === undefined) continue;
        const parsed = parseBusinessCalendar(calendar);
        if (parsed) next.set(teamId, parsed);
        else deps.logger?.warn({ teamId }, 'team calendar is not valid; SLA clocks run around the clock for this team');
      }
      for (const [teamId, calendar] of edits) {
        if (calendar) next.set(teamId, calendar);
        else next.delete(teamId);
      }
      calendars = next;
    } finally {
      if (editedDuringRefresh === edits) editedDuringRefresh = null;
    }
  }

  function refresh(): Promise<void> {
    refreshing ??= load().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  return {
    get: (teamId) => (teamId ? (calendars.get(teamId) ?? null) : null),
    set,
    refresh,
    async start() {
      await refresh();
      if (timer) return;
      timer = setInterval(() => {
        refresh().catch((err: unknown) => deps.logger?.warn({ err }, 'refreshing team calendars failed'));
      }, deps.refreshMs ?? 30_000);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
