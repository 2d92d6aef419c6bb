import type { BusinessCalendar } from '../../src/routing/business-hours.calculator';
import { createTeamCalendars } from '../../src/routing/team-calendars';

const berlin: BusinessCalendar = { timeZone: 'Europe/Berlin', hours: { mon: [['09:00', '17:00']] }, holidays: [] };
const tokyo: BusinessCalendar = { timeZone: 'Asia/Tokyo', hours: { tue: [['10:00', '18:00']] }, holidays: ['2026-01-01'] };

describe('team calendars in memory', () => {
  it('loads at start, applies local edits at once, picks up other processes’ edits on refresh', async () => {
    let rows: Array<{ teamId: string; calendar: unknown }> = [
      { teamId: 'a', calendar: berlin },
      { teamId: 'b', calendar: null },
    ];
    const cals = createTeamCalendars({ load: async () => rows, refreshMs: 20 });
    await cals.start();
    expect(cals.get('a')).toEqual(berlin);
    expect(cals.get('b')).toBeNull();
    expect(cals.get(null)).toBeNull();

    cals.set('b', tokyo);
    expect(cals.get('b')).toEqual(tokyo);

    // Another process edits a and clears b: the periodic refresh brings it here.
    rows = [
      { teamId: 'a', calendar: tokyo },
      { teamId: 'b', calendar: null },
    ];
    const deadline = Date.now() + 2000;
    while (cals.get('a')?.timeZone !== 'Asia/Tokyo' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(cals.get('a')).toEqual(tokyo);
    expect(cals.get('b')).toBeNull();
    cals.stop();
  });

  it('a local edit made while a refresh is reading is not undone by that refresh', async () => {
    let release: (rows: Array<{ teamId: string; calendar: unknown }>) => void = () => undefined;
    const cals = createTeamCalendars({ load: () => new Promise((resolve) => (release = resolve)) });
    const first = cals.refresh();
    release([{ teamId: 'a', calendar: null }]);
    await first;
    const second = cals.refresh();
    cals.set('a', berlin);
    // The refresh read the database before the edit was written.
    release([{ teamId: 'a', calendar: null }]);
    await second;
    expect(cals.get('a')).toEqual(berlin);
  });

  it('ignores a stored calendar that does not validate (around the clock) and says so', async () => {
    const warnings: object[] = [];
    const cals = createTeamCalendars({
      load: async () => [
        { teamId: 'bad', calendar: { timeZone: 'Nowhere/Land', hours: { mon: [['09:00', '17:00']] } } },
        { teamId: 'good', calendar: berlin },
      ],
      logger: { warn: (obj) => warnings.push(obj) },
    });
    await cals.refresh();
    expect(cals.get('bad')).toBeNull();
    expect(cals.get('good')).toEqual(berlin);
    expect(warnings).toEqual([{ teamId: 'bad' }]);
  });
});
