import { Types } from 'mongoose';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request, startTestHub } from '../support/hub';
import { until } from '../support/process';
import { api, createUser, detail, inbound, signInAdmin, teamId, type SignedIn, type TestHub, type TicketSummary } from '../support/desk.fixtures';

/**
 * The response-time figures: tickets go through the real desk (inbound, notes, replies sent
 * through the API webhook, resolve, reopen); their creation is moved back by whole minutes
 * so the durations are known. Every figure is compared with the value computed here by hand
 * from the tickets' own recorded times.
 */

const receiver = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"ok"}'));
});

let hub: TestHub;
let admin: SignedIn;
let ada: SignedIn;
let bo: SignedIn;
let sup: SignedIn;
let backSup: SignedIn;
let front: string;
let back: string;
const started = new Date();

interface Summary {
  volumes: { total: number; byChannel: Record<string, number>; byType: Record<string, number> };
  firstResponse: { count: number; medianMinutes: number | null; p90Minutes: number | null };
  resolution: { count: number; medianMinutes: number | null; p90Minutes: number | null };
  sla: { tracked: number; met: number; compliancePercent: number | null };
  backlog: { total: number; byAge: Array<{ age: string; count: number }> };
}
interface AgentRow {
  agentId: string;
  name: string;
  handled: number;
  firstResponse: { count: number; medianMinutes: number | null };
  resolution: { count: number; medianMinutes: number | null };
}

const window = () => `from=${new Date(started.getTime() - 2 * 86_400_000).toISOString()}&to=${new Date(Date.now() + 3_600_000).toISOString()}`;
const summary = (token: string, extra = '') => api<Summary>(hub, token, 'GET', `/stats/summary?${window()}${extra}`);
const agents = (token: string, extra = '') => api<{ items: AgentRow[] }>(hub, token, 'GET', `/stats/agents?${window()}${extra}`);

/** Moves a ticket's creation `minutes` back (before any answer), as if it had come in then. */
async function createdMinutesAgo(ticketId: string, minutes: number): Promise<void> {
  // Through the model, so it waits for the desk's own concurrent writes to this ticket (routing,
  // classification) instead of racing them: FerretDB would let one of the two overwrite the other.
  await hub.models.Ticket.updateOne({ _id: new Types.ObjectId(ticketId) }, { $set: { createdAt: new Date(Date.now() - minutes * 60_000) } }, { timestamps: false, overwriteImmutable: true });
}

async function replyAndWait(agent: SignedIn, ticketId: string, text: string): Promise<void> {
  expect((await api(hub, agent.token, 'POST', `/tickets/${ticketId}/replies`, { text })).status).toBe(201);
  await until(() => detail(hub, agent.token, ticketId), (d) => d.ticket.firstResponseAt !== null, 15_000, 25);
}

const setStatus = async (agent: SignedIn, ticketId: string, status: string) => expect((await api(hub, agent.token, 'PATCH', `/tickets/${ticketId}`, { status })).status).toBe(200);

const minutes = (fromIso: string, toIso: string) => Math.floor((Date.parse(toIso) - Date.parse(fromIso)) / 60_000);
/** Nearest rank: the ⌈p·n⌉-th smallest. */
const rank = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.max(1, Math.ceil(p * values.length)) - 1] ?? null;

const ids: Record<'noted' | 'quick' | 'slow' | 'reopened' | 'waiting' | 'backTeam', string> = {} as never;
type Ticket = TicketSummary & { resolvedAt: string | null };
const tickets = async (): Promise<Ticket[]> => Promise.all(Object.values(ids).map(async (id) => (await detail(hub, admin.token, id)).ticket as Ticket));

beforeAll(async () => {
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const { port } = receiver.address() as AddressInfo;
  hub = await startTestHub('stats', { DEFAULT_TEAM: 'Front', API_WEBHOOK_URL: `http://127.0.0.1:${port}/hook`, API_WEBHOOK_SECRET: 'stats-webhook-secret-0123456789abcdef' });
  admin = await signInAdmin(hub);
  front = await teamId(hub, admin, 'Front');
  back = await teamId(hub, admin, 'Back');
  ada = await createUser(hub, admin, 'agent', [front], 'Ada');
  bo = await createUser(hub, admin, 'agent', [front], 'Bo');
  sup = await createUser(hub, admin, 'supervisor', [front], 'Sue');
  backSup = await createUser(hub, admin, 'supervisor', [back], 'Bea');

  // Only a note: no first response.
  ids.noted = (await inbound(hub)).ticketId;
  await createdMinutesAgo(ids.noted, 50);
  expect((await api(hub, ada.token, 'POST', `/tickets/${ids.noted}/notes`, { text: 'looking into it' })).status).toBe(201);
  // Answered after 3 minutes (a note first), resolved after 10.
  ids.quick = (await inbound(hub)).ticketId;
  await createdMinutesAgo(ids.quick, 10);
  expect((await api(hub, ada.token, 'POST', `/tickets/${ids.quick}/notes`, { text: 'note first' })).status).toBe(201);
  await replyAndWait(ada, ids.quick, 'Here is the answer');
  await setStatus(ada, ids.quick, 'resolved');
  // Answered by Bo, resolved.
  ids.slow = (await inbound(hub)).ticketId;
  await createdMinutesAgo(ids.slow, 45);
  await replyAndWait(bo, ids.slow, 'Sorry about that');
  await setStatus(bo, ids.slow, 'resolved');
  // Resolved, reopened, resolved again: the last resolve counts.
  ids.reopened = (await inbound(hub)).ticketId;
  await createdMinutesAgo(ids.reopened, 20);
  await replyAndWait(ada, ids.reopened, 'Done');
  await setStatus(ada, ids.reopened, 'resolved');
  await setStatus(ada, ids.reopened, 'open');
  await hub.models.Ticket.updateOne({ _id: new Types.ObjectId(ids.reopened) }, { $set: { createdAt: new Date(Date.now() - 30 * 60_000) } }, { timestamps: false, overwriteImmutable: true });
  await setStatus(ada, ids.reopened, 'resolved');
  // Waiting for 5 hours, nobody answered.
  ids.waiting = (await inbound(hub)).ticketId;
  await createdMinutesAgo(ids.waiting, 300);
  await setStatus(admin, ids.waiting, 'pending');
  // In Back.
  ids.backTeam = (await inbound(hub)).ticketId;
  expect((await api(hub, admin.token, 'PATCH', `/tickets/${ids.backTeam}`, { team: back })).status).toBe(200);
  // The slow one missed its resolution target (as an SLA breach would record it).
  const slow = (await detail(hub, admin.token, ids.slow)) as unknown as { ticket: Ticket };
  await hub.models.Ticket.updateOne({ _id: ids.slow }, { $set: { 'sla.resolutionDueAt': new Date(Date.parse(slow.ticket.resolvedAt!) - 60_000) } }, { timestamps: false });
  await hub.bus.publish({ type: 'sla.breached', ticketId: ids.slow, clock: 'resolution', policyId: 'standard', teamId: front, dueAt: new Date().toISOString(), at: new Date().toISOString() });
  // Every ticket's last change has reached the buckets once the resolved count and the breach are in.
  await until(() => summary(admin.token), (r) => r.body.resolution.count === 3 && r.body.sla.tracked - r.body.sla.met >= 1 && r.body.volumes.total === 6, 20_000, 50);
}, 120_000);

afterAll(async () => {
  await hub.stop();
  receiver.close();
});

test('the summary equals the figures computed by hand from the tickets; notes are no response; a reopened ticket counts its last resolve', async () => {
  const all = await tickets();
  const answered = all.filter((t) => t.firstResponseAt !== null);
  const resolved = all.filter((t) => t.status === 'resolved');
  const frt = answered.map((t) => minutes(t.createdAt, t.firstResponseAt!));
  const res = resolved.map((t) => minutes(t.createdAt, t.resolvedAt!));
  const slaTracked = resolved.filter((t) => t.sla.firstResponseDueAt || t.sla.resolutionDueAt);
  const slaMet = slaTracked.filter(
    (t) => (!t.sla.firstResponseDueAt || Date.parse(t.firstResponseAt!) <= Date.parse(t.sla.firstResponseDueAt)) && (!t.sla.resolutionDueAt || Date.parse(t.resolvedAt!) <= Date.parse(t.sla.resolutionDueAt)),
  );

  const { status, body } = await summary(admin.token);
  expect(status).toBe(200);
  expect(body.volumes.total).toBe(6);
  expect(body.volumes.byChannel).toEqual({ api: 6 });
  const byType: Record<string, number> = {};
  for (const t of all) byType[t.type] = (byType[t.type] ?? 0) + 1;
  expect(body.volumes.byType).toEqual(byType);
  // The noted and the waiting ticket have no first response.
  expect(body.firstResponse.count).toBe(3);
  // The reopened one's creation was moved back to 30 minutes before its last resolve, just after its answer.
  expect(frt.sort((a, b) => a - b)).toEqual([10, 29, 45]);
  expect(body.firstResponse.medianMinutes).toBe(rank(frt, 0.5));
  expect(body.firstResponse.p90Minutes).toBe(rank(frt, 0.9));
  // The reopened one: created 30 minutes before its last resolve.
  expect(res.sort((a, b) => a - b)).toEqual([10, 30, 45]);
  expect(body.resolution.count).toBe(3);
  expect(body.resolution.medianMinutes).toBe(30);
  expect(body.resolution.p90Minutes).toBe(45);
  expect(body.sla.tracked).toBe(slaTracked.length);
  expect(body.sla.met).toBe(slaMet.length);
  expect(body.sla.met).toBe(body.sla.tracked - 1);
  expect(body.sla.compliancePercent).toBe(Math.round((slaMet.length / slaTracked.length) * 10_000) / 100);
  // Open now: noted (50 min), waiting (5 h, pending), backTeam (just in).
  expect(body.backlog.total).toBe(3);
  expect(Object.fromEntries(body.backlog.byAge.map((a) => [a.age, a.count]))).toEqual({ under_1h: 2, '1h_4h': 0, '4h_24h': 1, '1d_3d': 0, over_3d: 0 });

  const frontOnly = await summary(sup.token);
  expect(frontOnly.status).toBe(200);
  expect(frontOnly.body.volumes.total).toBe(5);
  expect(frontOnly.body.backlog.total).toBe(2);
});

test('per agent: handled and response times of each agent', async () => {
  const { status, body } = await agents(sup.token);
  expect(status).toBe(200);
  const byName = Object.fromEntries(body.items.map((a) => [a.name, a]));
  expect(byName.Ada?.handled).toBe(2);
  expect(byName.Ada?.firstResponse.count).toBe(2);
  expect(byName.Ada?.firstResponse.medianMinutes).toBe(10);
  expect(byName.Ada?.resolution.medianMinutes).toBe(10);
  expect(byName.Bo?.handled).toBe(1);
  expect(byName.Bo?.resolution.medianMinutes).toBe(45);
});

test("agents see their own figures only; supervisors only their teams'", async () => {
  const own = await agents(bo.token);
  expect(own.status).toBe(200);
  expect(own.body.items.map((a) => a.name)).toEqual(['Bo']);
  const ownSummary = await summary(bo.token);
  expect(ownSummary.status).toBe(200);
  expect(ownSummary.body.resolution.count).toBe(1);
  expect((await agents(bo.token, `&agent=${ada.id}`)).status).toBe(403);
  expect((await summary(bo.token, `&agent=${ada.id}`)).status).toBe(403);
  expect((await summary(bo.token, `&team=${back}`)).status).toBe(403);
  expect((await summary(sup.token, `&team=${back}`)).status).toBe(403);
  expect((await summary(backSup.token)).body.volumes.total).toBe(1);
  expect((await summary(admin.token, `&team=${back}`)).body.volumes.total).toBe(1);
  expect((await api(hub, null, 'GET', '/stats/summary')).status).toBe(401);
});

test('the routes are in the OpenAPI document', async () => {
  const doc = await request<{ paths: Record<string, unknown> }>(`${hub.url}/api/docs`, { apiKey: null, headers: { accept: 'application/json' } });
  expect(doc.status).toBe(200);
  expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/stats/summary', '/api/v1/stats/agents']));
});

test('a rebuild from the stored tickets reproduces the live buckets exactly, and a repeated event changes nothing', async () => {
  const live = await hub.stats.dump();
  expect(live.length).toBeGreaterThan(0);
  await hub.stats.refreshTicket(ids.reopened);
  expect(await hub.stats.dump()).toEqual(live);
  const rebuilt = await hub.stats.rebuild();
  expect(rebuilt.tickets).toBe(6);
  expect(await hub.stats.dump()).toEqual(live);
});
