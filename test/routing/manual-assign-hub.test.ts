import { createUser, setPresence, signInAdmin, teamId, type SignedIn, type TestHub } from '../support/desk.fixtures';
import { request, startTestHub } from '../support/hub';
import { until } from '../support/process';

/**
 * Through the whole hub: a supervisor's assignment to an agent at capacity is counted by
 * routing (load = limit + 1), automatic routing gives that agent nothing new until they are
 * below their limit, and then the head of the queue goes to them.
 */
let hub: TestHub;
const api = (p: string) => `${hub.url}/api/v1${p}`;
let adminUser: SignedIn;
let admin = '';

beforeAll(async () => {
  hub = await startTestHub('manual-hub', { ROUTING_SWEEP_MS: '100' });
  adminUser = await signInAdmin(hub);
  admin = adminUser.token;
});
afterAll(async () => {
  await hub.stop();
});

let n = 0;
const send = async () => {
  n += 1;
  const r = await request<{ ticketId: string }>(api('/inbound'), { body: { externalId: `manual-${n}`, from: { address: `m${n}@example.com` }, text: `Where is my parcel ${n}?` } });
  expect(r.status).toBe(201);
  return r.body.ticketId;
};
const ticket = (id: string) => hub.models.Ticket.findById(id).lean();
const queued = (id: string) => until(() => request<{ state: string }>(api(`/tickets/${id}/queue-position`), { apiKey: admin }), (r) => r.body.state === 'queued', 10_000);

test('an agent at capacity manually assigned one more carries limit + 1; new work waits until they are below the limit', async () => {
  const fay = await createUser(hub, adminUser, 'agent', [await teamId(hub, adminUser, 'Support')], 'Fay Full', { maxConcurrent: { chat: 1, async: 2 } });
  const load = async () => (await request<{ load: { async: number }; tickets: { async: string[] } }>(api('/me/routing'), { apiKey: fay.token })).body;
  await setPresence(hub, fay, 'online');

  // Two tickets fill her async limit; the third waits.
  const t1 = await send();
  const t2 = await send();
  for (const id of [t1, t2]) await until(() => ticket(id), (t) => t?.assignee?.toString() === fay.id && t.status === 'open', 20_000);
  const t3 = await send();
  await queued(t3);

  // A supervisor (here the admin) assigns her the third one anyway.
  const assigned = await request<{ assignee: { id: string } | null; status: string }>(api(`/tickets/${t3}`), { method: 'PATCH', apiKey: admin, body: { assignee: fay.id } });
  expect(assigned.status).toBe(200);
  expect(assigned.body).toMatchObject({ assignee: { id: fay.id }, status: 'open' });
  const mine = await load();
  expect(mine.load.async).toBe(3);
  expect(mine.tickets.async.sort()).toEqual([t1, t2, t3].sort());
  const events = await hub.models.TicketEvent.find({ ticket: t3, action: 'assignee' }).lean();
  expect(events.map((e) => [e.actor.kind, e.to])).toEqual([['user', fay.id]]);

  // A new ticket is not given to her: she is above her limit.
  const t4 = await send();
  await queued(t4);
  await new Promise((r) => setTimeout(r, 500));
  expect((await ticket(t4))?.assignee).toBeNull();

  // One resolved: at her limit, still nothing new.
  expect((await request(api(`/tickets/${t1}`), { method: 'PATCH', apiKey: fay.token, body: { status: 'resolved', cause: 'other' } })).status).toBe(200);
  await until(load, (r) => r.load.async === 2, 10_000);
  await new Promise((r) => setTimeout(r, 500));
  expect((await ticket(t4))?.assignee).toBeNull();

  // Two resolved: below the limit, the head of the queue comes to her.
  expect((await request(api(`/tickets/${t2}`), { method: 'PATCH', apiKey: fay.token, body: { status: 'resolved', cause: 'other' } })).status).toBe(200);
  await until(() => ticket(t4), (t) => t?.assignee?.toString() === fay.id && t.status === 'open', 20_000);
  expect((await load()).tickets.async.sort()).toEqual([t3, t4].sort());
});
