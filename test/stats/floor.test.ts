import type { FloorAlertEvent } from '../../src/events/event.types';
import { request } from '../support/hub';
import { until } from '../support/process';
import { api, createUser, detail, inbound, setPresence, startDeskHub, type SignedIn, type TestHub } from '../support/desk.fixtures';

/**
 * The live floor (`GET /api/v1/stats/floor`): a team set up through the real desk and routing
 * (offers on, so a ticket can sit offered), SLA policies with short targets so one ticket's
 * warning fires and another breaches for real. Every figure is compared with what was set up.
 */

interface FloorTicket {
  ticketId: string;
  number: number;
  subject: string;
}
interface TeamFloor {
  teamId: string;
  name: string;
  waiting: number;
  oldestWaitSeconds: number | null;
  queues: Array<{ channel: string; waiting: number; oldestWaitSeconds: number; oldestSince: string }>;
  agents: Array<{ agentId: string; name: string; status: string; load: { chat: number; async: number }; limits: { chat: number; async: number }; tickets: Array<FloorTicket & { kind: string }> }>;
  offers: Array<FloorTicket & { agentId: string; agentName: string; expiresAt: string | null }>;
  atRisk: Array<FloorTicket & { clock: string; dueAt: string }>;
  breached: Array<FloorTicket & { clock: string; dueAt: string }>;
}
interface Floor {
  at: string;
  teams: TeamFloor[];
}

let hub: TestHub;
let admin: SignedIn;
let front: string;
let back: string;
let ada: SignedIn;
let bo: SignedIn;
let sup: SignedIn;
let backSup: SignedIn;
const ids = {} as Record<'risk' | 'breach' | 'wait1' | 'wait2', string>;

const floorOf = (token: string, query = '') => api<Floor>(hub, token, 'GET', `/stats/floor${query}`);
const frontOf = (f: Floor) => f.teams.find((t) => t.teamId === front);

/** Waits until routing has the ticket in this state (offered / assigned / queued). */
async function routed(ticketId: string, state: string): Promise<void> {
  await until(() => api<{ state: string }>(hub, admin.token, 'GET', `/tickets/${ticketId}/queue-position`), (r) => r.status === 200 && r.body.state === state, 15_000, 50);
}

beforeAll(async () => {
  ({ hub, admin, front, back } = await startDeskHub('floor'));
  // Urgent tickets breach their first response after 3 s; high ones are warned after 6 s (due in a minute); the rest have no SLA.
  const policies = await api(hub, admin.token, 'PUT', '/sla/policies', {
    policies: [
      { id: 'urgent-fast', match: { priorities: ['urgent'] }, targets: { firstResponseMinutes: 0.05, nextResponseMinutes: null, resolutionMinutes: null }, businessHours: false },
      { id: 'high-warn', match: { priorities: ['high'] }, targets: { firstResponseMinutes: 1, nextResponseMinutes: null, resolutionMinutes: null }, businessHours: false, warnRatio: 0.1 },
      { id: 'none', match: {}, targets: { firstResponseMinutes: null, nextResponseMinutes: null, resolutionMinutes: null } },
    ],
  });
  expect(policies.status).toBe(200);
  expect((await api(hub, admin.token, 'PUT', `/teams/${front}/routing`, { autoAccept: { chat: false, async: false }, offerTimeoutMs: 600_000 })).status).toBe(200);
  ada = await createUser(hub, admin, 'agent', [front], 'Ada', { maxConcurrent: { chat: 1, async: 2 } });
  bo = await createUser(hub, admin, 'agent', [front], 'Bo', { maxConcurrent: { chat: 1, async: 1 } });
  sup = await createUser(hub, admin, 'supervisor', [front], 'Sue');
  backSup = await createUser(hub, admin, 'supervisor', [back], 'Bea');

  // Ada accepts the high-priority ticket, then steps away (she holds it: 1 of 2).
  await setPresence(hub, ada, 'online');
  ids.risk = (await inbound(hub, { subject: 'Furious customer', text: 'I am furious, this is ridiculous.' })).ticketId;
  await routed(ids.risk, 'offered');
  expect((await api(hub, ada.token, 'POST', `/tickets/${ids.risk}/accept`)).status).toBe(200);
  await setPresence(hub, ada, 'away');
  // Bo is offered the urgent one and leaves the offer open (his only slot).
  await setPresence(hub, bo, 'online');
  ids.breach = (await inbound(hub, { subject: 'Site down', text: 'This is urgent, our shop is down.' })).ticketId;
  await routed(ids.breach, 'offered');
  // Two more wait: nobody has room.
  ids.wait1 = (await inbound(hub, { subject: 'First in line' })).ticketId;
  ids.wait2 = (await inbound(hub, { subject: 'Second in line' })).ticketId;
  await routed(ids.wait1, 'queued');
  await routed(ids.wait2, 'queued');
}, 120_000);

afterAll(async () => {
  await hub?.stop();
});

test("the floor shows the team's queue, agents, offer, at-risk and breached tickets as they were set up", async () => {
  // The warning of the high ticket fires 6 s after it came in; the urgent one is past due 3 s after.
  const { body } = await until(
    () => floorOf(sup.token),
    (r) => r.status === 200 && (frontOf(r.body)?.atRisk.length ?? 0) > 0 && (frontOf(r.body)?.breached.length ?? 0) > 0,
    30_000,
    200,
  );
  const t = frontOf(body)!;
  const [risk, breach, wait1, wait2] = await Promise.all([ids.risk, ids.breach, ids.wait1, ids.wait2].map((id) => detail(hub, admin.token, id)));

  // Only the supervisor's own team.
  expect(body.teams.map((x) => x.name)).toEqual(['Front']);
  // Two waiting, the older one since its creation.
  expect(t.waiting).toBe(2);
  expect(t.queues).toHaveLength(1);
  const q = t.queues[0]!;
  expect(q.channel).toBe('api');
  expect(q.waiting).toBe(2);
  expect(q.oldestSince).toBe(wait1!.ticket.createdAt);
  expect(q.oldestWaitSeconds).toBe(Math.floor((Date.parse(body.at) - Date.parse(wait1!.ticket.createdAt)) / 1000));
  expect(t.oldestWaitSeconds).toBe(q.oldestWaitSeconds);
  expect(Date.parse(wait2!.ticket.createdAt)).toBeGreaterThanOrEqual(Date.parse(wait1!.ticket.createdAt));

  // Ada away, holding one of two; Bo online, his one slot taken by the open offer; Sue (a supervisor can take work too) never came online.
  const byName = Object.fromEntries(t.agents.map((a) => [a.name, a]));
  expect(Object.keys(byName).sort()).toEqual(['Ada', 'Bo', 'Sue']);
  expect(byName.Sue).toMatchObject({ status: 'offline', load: { chat: 0, async: 0 }, tickets: [] });
  expect(byName.Ada).toMatchObject({ agentId: ada.id, status: 'away', load: { chat: 0, async: 1 }, limits: { chat: 1, async: 2 } });
  expect(byName.Ada!.tickets).toEqual([{ ticketId: ids.risk, number: risk!.ticket.number, subject: 'Furious customer', kind: 'async' }]);
  expect(byName.Bo).toMatchObject({ agentId: bo.id, status: 'online', load: { chat: 0, async: 1 }, limits: { chat: 1, async: 1 }, tickets: [] });
  expect(t.offers).toHaveLength(1);
  expect(t.offers[0]).toMatchObject({ ticketId: ids.breach, number: breach!.ticket.number, subject: 'Site down', agentId: bo.id, agentName: 'Bo' });

  // The high ticket is warned and not due yet; the urgent one is past its first-response due time.
  expect(t.atRisk).toEqual([
    { ticketId: ids.risk, number: risk!.ticket.number, subject: 'Furious customer', clock: 'first_response', dueAt: risk!.ticket.sla.firstResponseDueAt, assigneeId: ada.id },
  ]);
  expect(t.breached).toEqual([
    { ticketId: ids.breach, number: breach!.ticket.number, subject: 'Site down', clock: 'first_response', dueAt: breach!.ticket.sla.firstResponseDueAt, assigneeId: null },
  ]);

  // Admins see every team, the same figures for Front.
  const all = await floorOf(admin.token);
  expect(all.status).toBe(200);
  expect(all.body.teams.map((x) => x.name).sort()).toEqual(['Back', 'Front']);
  expect(frontOf(all.body)?.waiting).toBe(2);
});

test("agents may not see the floor; a supervisor of another team sees none of this team's", async () => {
  expect((await floorOf(ada.token)).status).toBe(403);
  expect((await floorOf(sup.token, `?team=${back}`)).status).toBe(403);
  expect((await api(hub, null, 'GET', '/stats/floor')).status).toBe(401);
  const other = await floorOf(backSup.token);
  expect(other.status).toBe(200);
  expect(other.body.teams).toHaveLength(1);
  const b = other.body.teams[0]!;
  expect(b).toMatchObject({ teamId: back, name: 'Back', waiting: 0, queues: [], offers: [], atRisk: [], breached: [] });
  expect(b.agents.map((a) => a.name)).toEqual(['Bea']);
  const text = JSON.stringify(other.body);
  for (const id of Object.values(ids)) expect(text).not.toContain(id);
});

test('a queue over its limit alerts once per crossing, again only after it was back within the limit; a long wait alerts too', async () => {
  const alerts: FloorAlertEvent[] = [];
  const off = hub.bus.subscribe(
    'floor-alerts-test',
    (e) => {
      if (e.type === 'floor.alert') alerts.push(e);
    },
    { mode: 'broadcast' },
  );
  const crossed = `${hub.env.REDIS_PREFIX}:floor-alert:${front}:waiting`;
  try {
    // Two wait; more than one alerts.
    const limits = await api<{ floorAlerts: unknown }>(hub, admin.token, 'PATCH', `/teams/${front}`, { floorAlerts: { maxWaiting: 1, maxWaitSeconds: null } });
    expect(limits.status).toBe(200);
    expect(limits.body.floorAlerts).toEqual({ maxWaiting: 1, maxWaitSeconds: null });
    await until(async () => alerts.length, (n) => n >= 1, 15_000, 100);
    expect(alerts[0]).toMatchObject({ teamId: front, teamName: 'Front', reason: 'waiting', limit: 1, waiting: 2 });
    // A third one: still over, no new alert.
    const third = (await inbound(hub, { subject: 'Third in line' })).ticketId;
    await routed(third, 'queued');
    // Back within the limit (one waiting): the crossing is over.
    for (const id of [ids.wait2, third]) expect((await api(hub, admin.token, 'PATCH', `/tickets/${id}`, { status: 'resolved' })).status).toBe(200);
    await until(async () => hub.redis.exists(crossed), (n) => n === 0, 15_000, 100);
    expect(alerts).toHaveLength(1);
    // Over again: a second alert.
    const fourth = (await inbound(hub, { subject: 'Fourth in line' })).ticketId;
    await routed(fourth, 'queued');
    await until(async () => alerts.length, (n) => n >= 2, 15_000, 100);
    expect(alerts[1]).toMatchObject({ teamId: front, reason: 'waiting', limit: 1, waiting: 2 });
    expect(alerts).toHaveLength(2);

    // A wait limit of one second: the longest-waiting ticket is over it.
    expect((await api(hub, admin.token, 'PATCH', `/teams/${front}`, { floorAlerts: { maxWaiting: null, maxWaitSeconds: 1 } })).status).toBe(200);
    await until(async () => alerts.filter((a) => a.reason === 'wait').length, (n) => n >= 1, 15_000, 100);
    const wait = alerts.find((a) => a.reason === 'wait')!;
    expect(wait).toMatchObject({ teamId: front, limit: 1, waiting: 2 });
    expect(wait.oldestWaitSeconds).toBeGreaterThan(1);
    // Neither limit is refused; null clears them.
    expect((await api(hub, admin.token, 'PATCH', `/teams/${front}`, { floorAlerts: { maxWaiting: null, maxWaitSeconds: null } })).status).toBe(422);
    expect((await api(hub, admin.token, 'PATCH', `/teams/${front}`, { floorAlerts: null })).body.floorAlerts).toBeNull();
  } finally {
    await off();
  }
});

test('the route is in the OpenAPI document', async () => {
  const doc = await request<{ paths: Record<string, unknown> }>(`${hub.url}/api/docs`, { apiKey: null, headers: { accept: 'application/json' } });
  expect(Object.keys(doc.body.paths)).toContain('/api/v1/stats/floor');
});
