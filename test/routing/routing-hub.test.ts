import { createUser, setPresence, signInAdmin, teamId, type SignedIn, type TestHub } from '../support/desk.fixtures';
import { request, startTestHub } from '../support/hub';
import { until } from '../support/process';

/**
 * Routing through the whole hub: inbound message → ticket → queue → online agent, with the
 * assignment persisted on the ticket and its timeline, capacity respected, SLA due times
 * stored, and a resolved ticket making room for the head of the queue.
 */
let hub: TestHub;
const api = (p: string) => `${hub.url}/api/v1${p}`;
let adminUser: SignedIn;
let admin = '';

beforeAll(async () => {
  hub = await startTestHub('routing-hub', { ROUTING_SWEEP_MS: '100' });
  adminUser = await signInAdmin(hub);
  admin = adminUser.token;
});
afterAll(async () => {
  await hub.stop();
});

/** An agent of the Support team with two chat slots and `asyncLimit` async ones. */
const agent = async (name: string, asyncLimit: number, team = 'Support'): Promise<SignedIn> =>
  createUser(hub, adminUser, 'agent', [await teamId(hub, adminUser, team)], name, { maxConcurrent: { chat: 2, async: asyncLimit } });

const send = (i: number, priority = '') =>
  request<{ ticketId: string }>(api('/inbound'), {
    body: { externalId: `route-${i}`, from: { address: `c${i}@example.com` }, subject: `Question ${i} ${priority}`, text: priority === 'urgent' ? 'URGENT: my account was hacked, fraud, act immediately!' : `Where is my order ${i}?` },
  });

test('tickets are routed to online agents within capacity and priority order, persisted with a timeline; resolving pulls the queue head', async () => {
  const a = await agent('Router A', 2);
  const offline = await agent('Router B', 5);

  const ids: string[] = [];
  for (let i = 0; i < 4; i++) ids.push((await send(i)).body.ticketId);
  const urgent = (await send(99, 'urgent')).body.ticketId;
  expect((await hub.models.Ticket.findById(urgent).lean())?.priority).toBe('urgent');

  // Nobody online: everything waits, the urgent ticket at the head of the queue.
  const head = await until(
    () => request<{ position: number; state: string; queueLength: number }>(api(`/tickets/${urgent}/queue-position`), { apiKey: admin }),
    (r) => r.body.queueLength === 5,
    10_000,
  );
  expect(head.body).toMatchObject({ state: 'queued', position: 1 });
  expect(await hub.models.Ticket.countDocuments({ assignee: { $ne: null } })).toBe(0);

  // The agent comes online with two slots: the urgent ticket and the oldest other one.
  await setPresence(hub, a, 'online');
  // The owner is written first, then new → open: wait for both.
  await until(() => hub.models.Ticket.countDocuments({ assignee: a.id, status: 'open' }), (n) => n >= 2, 20_000);
  await new Promise((r) => setTimeout(r, 300));
  const mine = await hub.models.Ticket.find({ assignee: a.id }).lean();
  expect(mine.map((t) => t._id.toString()).sort()).toEqual([urgent, ids[0]!].sort());
  expect(await hub.models.Ticket.countDocuments({ assignee: offline.id })).toBe(0);
  for (const t of mine) {
    expect(t.status).toBe('open');
    expect(t.acceptedAt).not.toBeNull();
    expect(t.sla.firstResponseDueAt).not.toBeNull();
    expect(t.sla.resolutionDueAt).not.toBeNull();
    const actions = (await hub.models.TicketEvent.find({ ticket: t._id }).lean()).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['created', 'assignee', 'status']));
  }

  // Resolving one frees a slot: the head of the queue (the next oldest) goes to the agent.
  expect((await request(api(`/tickets/${urgent}`), { method: 'PATCH', apiKey: a.token, body: { status: 'resolved', cause: 'other' } })).status).toBe(200);
  await until(() => hub.models.Ticket.findById(ids[1]).lean(), (t) => t?.assignee?.toString() === a.id && t.status === 'open', 20_000);
  expect(await hub.models.Ticket.countDocuments({ assignee: a.id, status: 'open' })).toBe(2);
  expect((await hub.models.Ticket.findById(ids[2]).lean())?.assignee).toBeNull();
});

test('admins set queue rules: a matching ticket joins the rule\'s team', async () => {
  const vip = await request<{ id: string }>(api('/teams'), { apiKey: admin, body: { name: 'Billing' } });
  const teams = await request<{ items: Array<{ id: string; name: string }> }>(api('/teams'), { apiKey: admin });
  const support = teams.body.items.find((t) => t.name === 'Support')!;
  const put = await request(api('/routing/rules'), {
    method: 'PUT',
    apiKey: admin,
    body: { rules: [{ id: 'refunds', keywords: ['refund', '退款'], teamId: vip.body.id }], fallback: { teamId: support.id } },
  });
  expect(put.status).toBe(200);
  const bad = await request<{ errors: Array<{ field: string }> }>(api('/routing/rules'), { method: 'PUT', apiKey: admin, body: { rules: [{ id: 'x', teamId: 'nope' }], fallback: { teamId: support.id } } });
  expect(bad.status).toBe(422);
  const refund = await request<{ ticketId: string }>(api('/inbound'), { body: { externalId: 'rule-1', from: { address: 'r@example.com' }, text: '请给我退款，商品坏了' } });
  const other = await request<{ ticketId: string }>(api('/inbound'), { body: { externalId: 'rule-2', from: { address: 'o@example.com' }, text: 'How do I change my address?' } });
  await until(() => hub.models.Ticket.findById(refund.body.ticketId).lean(), (t) => t?.team?.toString() === vip.body.id, 10_000);
  expect((await hub.models.Ticket.findById(other.body.ticketId).lean())?.team?.toString()).toBe(support.id);
  // The move is on the ticket's timeline, by routing, naming why and both teams; the other ticket stayed.
  const moves = await until(() => hub.models.TicketEvent.find({ ticket: refund.body.ticketId, action: 'team' }).lean(), (e) => e.length > 0, 10_000);
  expect(moves.map((e) => [e.actor.id, e.from, e.to, e.detail])).toEqual([['routing', support.id, vip.body.id, 'queue rules: Support → Billing']]);
  expect(await hub.models.TicketEvent.countDocuments({ ticket: other.body.ticketId, action: 'team' })).toBe(0);
});

test('a supervisor moving a waiting ticket to another team moves it in routing too: that team’s agent gets it, the old team’s does not', async () => {
  const billing = await request<{ id: string }>(api('/teams'), { apiKey: admin, body: { name: 'Billing desk' } });
  expect(billing.status).toBe(201);
  const ticketId = (await send(500)).body.ticketId;
  await until(() => request<{ state: string }>(api(`/tickets/${ticketId}/queue-position`), { apiKey: admin }), (r) => r.body.state === 'queued', 10_000);

  const moved = await request(api(`/tickets/${ticketId}`), { method: 'PATCH', apiKey: admin, body: { team: billing.body.id } });
  expect(moved.status).toBe(200);
  const inBilling = await until(
    () => request<{ teamId: string; state: string }>(api(`/tickets/${ticketId}/queue-position`), { apiKey: admin }),
    (r) => r.body.teamId === billing.body.id,
    10_000,
  );
  expect(inBilling.body.state).toBe('queued');

  // A Support agent coming online does not get it; a Billing agent does.
  const support = await agent('Router Support', 5);
  await setPresence(hub, support, 'online');
  const billingAgent = await agent('Billing Agent', 5, 'Billing desk');
  await setPresence(hub, billingAgent, 'online');
  const t = await until(() => hub.models.Ticket.findById(ticketId).lean(), (x) => x?.assignee?.toString() === billingAgent.id, 20_000);
  expect(t?.team?.toString()).toBe(billing.body.id);
});

test('agents see their colleagues for a handover: status and load from routing, online first, filtered by team', async () => {
  const a = await agent('Colleague A', 3);
  const b = await agent('Colleague B', 3);
  await setPresence(hub, b, 'online');
  const support = { id: await teamId(hub, adminUser, 'Support') };
  const list = await request<{ items: Array<{ id: string; name: string; status: string; teams: string[]; limits: { async: number } | null }> }>(api(`/colleagues?team=${support.id}`), { apiKey: a.token });
  expect(list.status).toBe(200);
  const ids = list.body.items.map((p) => p.id);
  expect(ids).toEqual(expect.arrayContaining([a.id, b.id]));
  expect(list.body.items.find((p) => p.id === b.id)).toMatchObject({ status: 'online', limits: { async: 3 } });
  expect(list.body.items.find((p) => p.id === a.id)).toMatchObject({ status: 'offline' });
  const statuses = list.body.items.map((p) => p.status);
  expect(statuses.indexOf('offline')).toBeGreaterThan(statuses.lastIndexOf('online'));
  expect(list.body.items.every((p) => p.teams.includes(support.id))).toBe(true);
  const bad = await request<{ errors: Array<{ field: string }> }>(api('/colleagues?team=nope'), { apiKey: a.token });
  expect(bad.status).toBe(400);
  expect(bad.body.errors[0]?.field).toBe('query.team');
});
