import type { Hub } from '../../src/main';
import { request, startTestHub, TEST_ADMIN, type TestHubEnv } from '../support/hub';
import { until } from '../support/process';

/**
 * A team's business hours, set by an admin through the team API, move the stored SLA due
 * times of the team's tickets into its open hours (for policies that count business hours);
 * around-the-clock policies and teams without a calendar keep wall-clock due times.
 */
let hub: Hub & { env: TestHubEnv };
const api = (p: string) => `${hub.url}/api/v1${p}`;
let admin = '';
let supportId = '';

const H = 3_600_000;
const MIN = 60_000;
/** Shanghai (UTC+8, no daylight saving) local date of an instant, shifted by whole days. */
const shanghaiDate = (ms: number, days = 0) => new Date(ms + 8 * H + days * 24 * H).toISOString().slice(0, 10);
const shanghai = (date: string, hhmm: string) => Date.parse(`${date}T${hhmm}:00+08:00`);
const EVERY_DAY = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['09:00', '17:00']]]));

interface Team {
  id: string;
  name: string;
  businessHours: { timeZone: string; hours: Record<string, Array<[string, string]>>; holidays: string[] } | null;
}
interface Problem {
  status: number;
  errors?: Array<{ field: string; message: string }>;
}

beforeAll(async () => {
  hub = await startTestHub('biz-hours');
  admin = (await request<{ token: string }>(api('/auth/login'), { body: TEST_ADMIN, apiKey: null })).body.token;
  supportId = (await request<{ items: Team[] }>(api('/teams'), { apiKey: admin })).body.items.find((t) => t.name === 'Support')!.id;
});
afterAll(async () => {
  await hub.stop();
});

let n = 0;
async function newTicket(text: string): Promise<{ id: string; createdAt: number; priority: string; type: string; firstDue: number; resolutionDue: number }> {
  n += 1;
  const r = await request<{ ticketId: string }>(api('/inbound'), { body: { externalId: `bh-${n}`, from: { address: `bh${n}@example.com` }, text } });
  expect(r.status).toBe(201);
  const t = await until(() => hub.models.Ticket.findById(r.body.ticketId).lean(), (x) => Boolean(x?.sla?.firstResponseDueAt && x.sla.resolutionDueAt), 15_000);
  return {
    id: r.body.ticketId,
    createdAt: t!.createdAt.getTime(),
    priority: t!.priority,
    type: t!.type,
    firstDue: t!.sla.firstResponseDueAt!.getTime(),
    resolutionDue: t!.sla.resolutionDueAt!.getTime(),
  };
}

test('a team closed today (a holiday in its time zone): due times land in its next open hours', async () => {
  const now = Date.now();
  // Yesterday, today and tomorrow are holidays, so the ticket is created on one whatever the
  // clock says; the next open day is the day after tomorrow, 09:00–17:00 Shanghai time.
  const holidays = [shanghaiDate(now, 1), shanghaiDate(now, -1), shanghaiDate(now)];
  const calendar = { timeZone: 'Asia/Shanghai', hours: EVERY_DAY, holidays };
  const patched = await request<Team>(api(`/teams/${supportId}`), { method: 'PATCH', apiKey: admin, body: { businessHours: calendar } });
  expect(patched.status).toBe(200);
  expect(patched.body.businessHours).toEqual({ ...calendar, holidays: [...holidays].sort() });
  const listed = await request<{ items: Team[] }>(api('/teams'), { apiKey: admin });
  expect(listed.body.items.find((t) => t.id === supportId)?.businessHours).toEqual(patched.body.businessHours);
  const one = await request<Team>(api(`/teams/${supportId}`), { apiKey: admin });
  expect(one.status).toBe(200);
  expect(one.body.businessHours).toEqual(patched.body.businessHours);
  expect((await request(api('/teams/0123456789abcdef01234567'), { apiKey: admin })).status).toBe(404);

  // An ordinary question: the standard policy (4 h first response, 40 h resolution, business hours).
  const t = await newTicket('How do I change my delivery address?');
  expect([t.type, t.priority]).toEqual(['care', 'normal']);
  const open = shanghaiDate(now, 2);
  expect(new Date(t.firstDue).toISOString()).toBe(new Date(shanghai(open, '13:00')).toISOString());
  // 40 business hours = five 8-hour days: the day after tomorrow and four more, until 17:00.
  expect(new Date(t.resolutionDue).toISOString()).toBe(new Date(shanghai(shanghaiDate(now, 6), '17:00')).toISOString());
  expect(t.firstDue).not.toBe(t.createdAt + 4 * H);

  // Urgent work is on an around-the-clock policy: the calendar does not stretch it.
  const urgent = await newTicket('URGENT: my account was hacked, fraud, act immediately!');
  expect(urgent.priority).toBe('urgent');
  expect(urgent.firstDue).toBe(urgent.createdAt + 15 * MIN);

  // Without a calendar the team's clocks run around the clock again.
  const cleared = await request<Team>(api(`/teams/${supportId}`), { method: 'PATCH', apiKey: admin, body: { businessHours: null } });
  expect(cleared.body.businessHours).toBeNull();
  const later = await newTicket('Where can I find the user manual for my kettle?');
  expect([later.type, later.priority]).toEqual(['care', 'normal']);
  expect(later.firstDue).toBe(later.createdAt + 4 * H);
});

test('bad calendars are refused with problem+json naming the field; nothing changes', async () => {
  const good = { timeZone: 'Europe/Berlin', hours: { mon: [['09:00', '17:00']] }, holidays: ['2026-12-25'] };
  const created = await request<Team>(api('/teams'), { apiKey: admin, body: { name: 'Berlin desk', businessHours: good } });
  expect(created.status).toBe(201);
  expect(created.body.businessHours).toEqual(good);

  const cases: Array<[string, unknown, string]> = [
    ['unknown time zone', { ...good, timeZone: 'Mars/Olympus_Mons' }, 'businessHours.timeZone'],
    ['malformed time', { ...good, hours: { mon: [['9am', '17:00']] } }, 'businessHours.hours.mon.0.0'],
    ['minutes out of range', { ...good, hours: { tue: [['09:00', '17:60']] } }, 'businessHours.hours.tue.0.1'],
    ['closing before opening', { ...good, hours: { mon: [['18:00', '09:00']] } }, 'businessHours.hours.mon.0'],
    ['no open hours at all', { ...good, hours: { sat: [], sun: [] } }, 'businessHours.hours'],
    ['a day that does not exist', { ...good, hours: { monday: [['09:00', '17:00']] } }, 'businessHours.hours'],
    ['overlapping intervals', { ...good, hours: { fri: [['09:00', '13:00'], ['12:00', '17:00']] } }, 'businessHours.hours.fri.1'],
    ['a holiday that is not a date', { ...good, holidays: ['2026-02-30'] }, 'businessHours.holidays.0'],
  ];
  for (const [what, businessHours, field] of cases) {
    const r = await request<Problem>(api(`/teams/${created.body.id}`), { method: 'PATCH', apiKey: admin, body: { businessHours } });
    expect([what, r.status, r.headers.get('content-type')]).toEqual([what, 422, expect.stringContaining('application/problem+json')]);
    expect([what, r.body.errors?.map((e) => e.field)]).toEqual([what, expect.arrayContaining([field])]);
  }
  const refused = await request<Problem>(api('/teams'), { apiKey: admin, body: { name: 'Nowhere desk', businessHours: { timeZone: 'Nowhere/Land', hours: {} } } });
  expect(refused.status).toBe(422);
  expect(refused.body.errors?.map((e) => e.field).sort()).toEqual(['businessHours.hours', 'businessHours.timeZone']);

  const teams = (await request<{ items: Team[] }>(api('/teams'), { apiKey: admin })).body.items;
  expect(teams.find((t) => t.id === created.body.id)?.businessHours).toEqual(good);
  expect(teams.some((t) => t.name === 'Nowhere desk')).toBe(false);
  // Only admins set them.
  const docs = await request<{ paths: Record<string, Record<string, { 'x-access': string; requestBody?: unknown; responses: Record<string, unknown> }>> }>(`${hub.url}/api/docs/openapi.json`, { apiKey: null });
  const patch = docs.body.paths['/api/v1/teams/{id}']?.patch;
  expect(patch?.['x-access']).toBe('admin');
  expect(JSON.stringify(patch?.requestBody)).toContain('timeZone');
  expect(JSON.stringify(docs.body.paths['/api/v1/teams']?.get?.responses)).toContain('holidays');
});
