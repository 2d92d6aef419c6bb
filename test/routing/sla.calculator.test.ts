import { addBusinessTime, businessTimeBetween, isOpen, type BusinessCalendar } from '../../src/routing/business-hours.calculator';
import { computeDueTimes, selectPolicy, type SlaPolicy } from '../../src/routing/sla.calculator';

const H = 3_600_000;
const MIN = 60_000;
/** Local Shanghai wall time (UTC+8, no DST) → instant. */
const cst = (s: string) => Date.parse(`${s}+08:00`);

const office: BusinessCalendar = {
  timeZone: 'Asia/Shanghai',
  hours: { mon: [['09:00', '18:00']], tue: [['09:00', '18:00']], wed: [['09:00', '18:00']], thu: [['09:00', '18:00']], fri: [['09:00', '18:00']] },
};

describe('business hours (Asia/Shanghai, Mon–Fri 09:00–18:00)', () => {
  it('a Friday-evening ticket is due on Monday', () => {
    // 2026-11-27 is a Friday.
    expect(addBusinessTime(cst('2026-11-27T17:00:00'), 2 * H, office)).toBe(cst('2026-11-30T10:00:00'));
    expect(addBusinessTime(cst('2026-11-27T17:00:00'), 1 * H, office)).toBe(cst('2026-11-27T18:00:00'));
    expect(addBusinessTime(cst('2026-11-27T17:00:00'), 16 * H, office)).toBe(cst('2026-12-01T15:00:00'));
  });

  it('a weekend ticket starts counting on Monday morning', () => {
    expect(addBusinessTime(cst('2026-11-28T10:00:00'), 1 * H, office)).toBe(cst('2026-11-30T10:00:00'));
    expect(addBusinessTime(cst('2026-11-29T23:59:00'), 30 * MIN, office)).toBe(cst('2026-11-30T09:30:00'));
  });

  it('uses the local weekday, not the UTC one (Monday 07:30 in Shanghai is Sunday in UTC)', () => {
    expect(new Date(cst('2026-11-30T07:30:00')).getUTCDay()).toBe(0);
    expect(addBusinessTime(cst('2026-11-30T07:30:00'), 30 * MIN, office)).toBe(cst('2026-11-30T09:30:00'));
    // Friday 20:00 local is still Friday in UTC (12:00Z) but after hours.
    expect(addBusinessTime(cst('2026-11-27T20:00:00'), 30 * MIN, office)).toBe(cst('2026-11-30T09:30:00'));
    expect(isOpen(cst('2026-11-30T07:30:00'), office)).toBe(false);
    expect(isOpen(cst('2026-11-30T09:00:00'), office)).toBe(true);
    expect(isOpen(cst('2026-11-28T12:00:00'), office)).toBe(false);
  });

  it('skips holidays and lunch breaks', () => {
    expect(addBusinessTime(cst('2026-11-27T17:00:00'), 2 * H, { ...office, holidays: ['2026-11-30'] })).toBe(cst('2026-12-01T10:00:00'));
    const lunch: BusinessCalendar = { ...office, hours: { ...office.hours, mon: [['13:00', '18:00'], ['09:00', '12:00']] } };
    expect(addBusinessTime(cst('2026-11-30T11:30:00'), 1 * H, lunch)).toBe(cst('2026-11-30T13:30:00'));
  });

  it('measures open time between two instants', () => {
    expect(businessTimeBetween(cst('2026-11-27T17:00:00'), cst('2026-11-30T10:00:00'), office)).toBe(2 * H);
    expect(businessTimeBetween(cst('2026-11-28T00:00:00'), cst('2026-11-29T23:00:00'), office)).toBe(0);
    expect(businessTimeBetween(cst('2026-11-30T10:00:00'), cst('2026-11-27T17:00:00'), office)).toBe(0);
  });

  it('handles a daylight-saving change (Europe/Berlin, open around the clock)', () => {
    const always: BusinessCalendar = {
      timeZone: 'Europe/Berlin',
      hours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]])),
    };
    // 2026-03-29: clocks jump from 02:00 to 03:00; 24 h of open time is 24 real hours.
    const start = Date.parse('2026-03-28T12:00:00+01:00');
    expect(addBusinessTime(start, 24 * H, always)).toBe(start + 24 * H);
    expect(new Date(addBusinessTime(start, 24 * H, always)).toISOString()).toBe('2026-03-29T11:00:00.000Z');
  });

  it('walks through a long run of holidays (a closed season) instead of giving up', () => {
    // Open on Mondays only; the next four Mondays (and the days between them) are holidays.
    const days = Array.from({ length: 25 }, (_, i) => new Date(Date.UTC(2026, 10, 30 + i)).toISOString().slice(0, 10));
    const mondays: BusinessCalendar = { timeZone: 'Asia/Shanghai', hours: { mon: [['09:00', '17:00']] }, holidays: days };
    // Holidays 2026-11-30 … 2026-12-24 (four Mondays): the first open Monday is 2026-12-28.
    expect(addBusinessTime(cst('2026-11-27T12:00:00'), 1 * H, mondays)).toBe(cst('2026-12-28T10:00:00'));
  });

  it('refuses a calendar that is never open instead of looping', () => {
    expect(() => addBusinessTime(0, H, { timeZone: 'Asia/Shanghai', hours: {} })).toThrow(RangeError);
  });
});

describe('SLA policies and due times', () => {
  const policy: SlaPolicy = {
    id: 'p',
    match: {},
    targets: { firstResponseMs: 4 * H, nextResponseMs: null, resolutionMs: 16 * H },
    businessHours: true,
    escalation: { notifySupervisors: true, raisePriority: false, reassign: false },
  };

  it('computes warning (75%) and due times in business hours over a weekend', () => {
    const due = computeDueTimes(new Date(cst('2026-11-27T17:00:00')), policy, office);
    expect(due.firstResponse).toEqual({ targetMs: 4 * H, warnAt: cst('2026-11-30T11:00:00'), dueAt: cst('2026-11-30T12:00:00') });
    expect(due.resolution?.dueAt).toBe(cst('2026-12-01T15:00:00'));
    expect(due.resolution?.warnAt).toBe(cst('2026-12-01T11:00:00'));
    expect(due.nextResponse).toBeNull();
  });

  it('ignores the calendar for around-the-clock policies', () => {
    const due = computeDueTimes(new Date(cst('2026-11-27T17:00:00')), { ...policy, businessHours: false }, office);
    expect(due.firstResponse?.dueAt).toBe(cst('2026-11-27T21:00:00'));
  });

  it('selects by type × priority × tier, first match wins', () => {
    expect(selectPolicy({ type: 'care', priority: 'urgent', tier: 'gold' })?.id).toBe('top-tier-urgent');
    expect(selectPolicy({ type: 'care', priority: 'urgent', tier: 'none' })?.id).toBe('urgent');
    expect(selectPolicy({ type: 'complaint', priority: 'normal', tier: 'bronze' })?.id).toBe('complaint');
    expect(selectPolicy({ type: 'suggestion', priority: 'low', tier: 'none' })?.id).toBe('standard');
    expect(selectPolicy({ type: 'care', priority: 'low', tier: 'none' }, [{ ...policy, match: { types: ['complaint'] } }])).toBeNull();
  });
});
