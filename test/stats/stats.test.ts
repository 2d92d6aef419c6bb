import { Types } from 'mongoose';
import type { TicketType } from '../../channels/contract';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request, startTestHub } from '../support/hub';
import { until } from '../support/process';
import { api, createUser, detail, inbound, signInAdmin, teamId, type SignedIn, type TestHub, type TicketSummary, type TimelineEvent } from '../support/desk.fixtures';

/**
 * The response-time figures: tickets go through the real desk (inbound, notes, replies sent
 * through the API webhook, resolve, reopen); their creation is moved back by whole minutes
 * so the durations are known. Every figure is compared with the value computed here by hand
 * from the tickets' own recorded times.
 */

let sends = 0;
const receiver = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `sent-${++sends}` })));
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

interface Durations {
  count: number;
  medianMinutes: number | null;
  p90Minutes: number | null;
}
interface Summary {
  nextResponse: Durations;
  handleTime: Durations;
  volumes: { total: number; byChannel: Record<string, number>; byType: Record<string, number> };
  firstResponse: { count: number; medianMinutes: number | null; p90Minutes: number | null };
  resolution: { count: number; medianMinutes: number | null; p90Minutes: number | null };
  sla: { tracked: number; met: number; compliancePercent: number | null };
  csat: { answers: number; satisfied: number; csatPercent: number | null; averageScore: number | null };
  backlog: { total: number; byAge: Array<{ age: string; count: number }> };
}
interface AgentRow {
  agentId: string;
  name: string;
  handled: number;
  firstResponse: { count: number; medianMinutes: number | null };
  resolution: { count: number; medianMinutes: number | null };
  nextResponse: Durations;
  handleTime: Durations;
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

const ids: Record<'noted' | 'quick' | 'slow' | 'reopened' | 'waiting' | 'backTeam' | 'convo', string> = {} as never;
/** The convo ticket's customer messages (the first one opened it) and its timeline, when it was resolved. */
let convoCustomerAt: string[] = [];
let convoTimeline: TimelineEvent[] = [];

/** Moves one timeline entry to another time (through the model). */
const moveEvent = (e: TimelineEvent, at: Date) => hub.models.TicketEvent.updateOne({ _id: new Types.ObjectId(e.id) }, { $set: { at } });
const sentReplies = async (ticketId: string) => (await detail(hub, admin.token, ticketId)).messages.filter((m) => m.direction === 'outbound' && (m.deliveryStatus === 'sent' || m.deliveryStatus === 'delivered')).length;
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
  // A conversation: created an hour ago, answered, the customer writes twice more, it waits
  // (pending) for a while, is answered again and resolved. Its recorded times are moved back
  // through the models so that the next response and handle time are known.
  const t0 = Date.now();
  const first = `convo-${t0}`;
  const customer = { address: 'convo@example.org', name: 'Convo' };
  ids.convo = (await inbound(hub, { externalId: first, from: customer, receivedAt: new Date(t0 - 60 * 60_000).toISOString() })).ticketId;
  await createdMinutesAgo(ids.convo, 60);
  await replyAndWait(ada, ids.convo, 'We are on it');
  await until(() => sentReplies(ids.convo), (n) => n === 1, 15_000, 25);
  // Ada took it (assignee, new → open) 55 minutes ago; her reply was sent 40 minutes ago.
  for (const e of (await detail(hub, admin.token, ids.convo)).timeline) {
    if (e.action === 'assignee' || e.action === 'status') await moveEvent(e, new Date(t0 - 55 * 60_000));
    if (e.action === 'delivery') await moveEvent(e, new Date(t0 - 40 * 60_000));
  }
  // The customer writes 30 and 25 minutes ago: the next response counts from the first.
  await inbound(hub, { externalId: `${first}-2`, from: customer, threadRefs: [first], receivedAt: new Date(t0 - 30 * 60_000).toISOString(), text: 'Any news?' });
  await inbound(hub, { externalId: `${first}-3`, from: customer, threadRefs: [first], receivedAt: new Date(t0 - 25 * 60_000).toISOString(), text: 'Hello?' });
  await until(() => detail(hub, admin.token, ids.convo), (d) => d.messages.filter((m) => m.direction === 'inbound').length === 3, 15_000, 25);
  // Pending from 20 to 10 minutes ago (waiting on the customer: no handle time).
  await setStatus(ada, ids.convo, 'pending');
  await setStatus(ada, ids.convo, 'open');
  const statusEvents = (await detail(hub, admin.token, ids.convo)).timeline.filter((e) => e.action === 'status');
  await moveEvent(statusEvents.find((e) => e.to === 'pending')!, new Date(t0 - 20 * 60_000));
  await moveEvent(statusEvents.find((e) => e.from === 'pending')!, new Date(t0 - 10 * 60_000));
  await replyAndWait(ada, ids.convo, 'Fixed now');
  await until(() => sentReplies(ids.convo), (n) => n === 2, 15_000, 25);
  await setStatus(ada, ids.convo, 'resolved');
  const convo = await detail(hub, admin.token, ids.convo);
  convoCustomerAt = convo.messages.filter((m) => m.direction === 'inbound').map((m) => m.createdAt);
  convoTimeline = convo.timeline;
  // The slow one missed its resolution target (as an SLA breach would record it).
  const slow = (await detail(hub, admin.token, ids.slow)) as unknown as { ticket: Ticket };
  await hub.models.Ticket.updateOne({ _id: ids.slow }, { $set: { 'sla.resolutionDueAt': new Date(Date.parse(slow.ticket.resolvedAt!) - 60_000) } }, { timestamps: false });
  await hub.bus.publish({ type: 'sla.breached', ticketId: ids.slow, clock: 'resolution', policyId: 'standard', teamId: front, dueAt: new Date().toISOString(), at: new Date().toISOString() });
  // Every ticket's last change has reached the buckets once the resolved count and the breach are in.
  await until(() => summary(admin.token), (r) => r.body.resolution.count === 4 && r.body.sla.tracked - r.body.sla.met >= 1 && r.body.volumes.total === 7 && r.body.handleTime.count === 4, 20_000, 50);
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
  expect(body.volumes.total).toBe(7);
  expect(body.volumes.byChannel).toEqual({ api: 7 });
  const byType: Record<string, number> = {};
  for (const t of all) byType[t.type] = (byType[t.type] ?? 0) + 1;
  expect(body.volumes.byType).toEqual(byType);
  // The noted and the waiting ticket have no first response.
  expect(body.firstResponse.count).toBe(4);
  // The reopened one's creation was moved back to 30 minutes before its last resolve, just after its answer.
  expect(frt.sort((a, b) => a - b)).toEqual([10, 29, 45, 60]);
  expect(body.firstResponse.medianMinutes).toBe(rank(frt, 0.5));
  expect(body.firstResponse.p90Minutes).toBe(rank(frt, 0.9));
  // The reopened one: created 30 minutes before its last resolve.
  expect(res.sort((a, b) => a - b)).toEqual([10, 30, 45, 60]);
  expect(body.resolution.count).toBe(4);
  expect(body.resolution.medianMinutes).toBe(30);
  expect(body.resolution.p90Minutes).toBe(60);
  expect(body.sla.tracked).toBe(slaTracked.length);
  expect(body.sla.met).toBe(slaMet.length);
  expect(body.sla.met).toBe(body.sla.tracked - 1);
  expect(body.sla.compliancePercent).toBe(Math.round((slaMet.length / slaTracked.length) * 10_000) / 100);
  // Open now: noted (50 min), waiting (5 h, pending), backTeam (just in).
  expect(body.backlog.total).toBe(3);
  expect(Object.fromEntries(body.backlog.byAge.map((a) => [a.age, a.count]))).toEqual({ under_1h: 2, '1h_4h': 0, '4h_24h': 1, '1d_3d': 0, over_3d: 0 });

  const frontOnly = await summary(sup.token);
  expect(frontOnly.status).toBe(200);
  expect(frontOnly.body.volumes.total).toBe(6);
  expect(frontOnly.body.backlog.total).toBe(2);
});

/** Whole minutes between two recorded times (the histogram's 1-minute bins under an hour). */
const ms = (iso: string) => Date.parse(iso);

test("next response: from the customer's first message after a sent reply to the next sent reply, as the timeline and messages record them", async () => {
  const sent = convoTimeline.filter((e) => e.action === 'delivery' && e.from === 'queued' && (e.to === 'sent' || e.to === 'delivered')).map((e) => ms(e.at)).sort((a, b) => a - b);
  expect(sent).toHaveLength(2);
  const customer = convoCustomerAt.map(ms).sort((a, b) => a - b);
  expect(customer).toHaveLength(3);
  // The first customer message after the first reply (not the later one, nor the opening one).
  const after = customer.find((c) => c > sent[0]!)!;
  const byHand = Math.floor((sent[1]! - after) / 60_000);
  expect(byHand).toBe(30);
  const { body } = await summary(admin.token);
  // Only the convo ticket had a customer message after a reply.
  expect(body.nextResponse.count).toBe(1);
  expect(body.nextResponse.medianMinutes).toBe(byHand);
  expect(body.nextResponse.p90Minutes).toBe(byHand);
  const ada_ = (await agents(sup.token)).body.items.find((a) => a.name === 'Ada');
  expect(ada_?.nextResponse).toMatchObject({ count: 1, medianMinutes: byHand });
});

test('handle time: the time the agent owned the ticket while it was new or open, pending time left out, up to the last resolve', async () => {
  const byTime = [...convoTimeline].sort((a, b) => ms(a.at) - ms(b.at));
  const taken = byTime.find((e) => e.action === 'assignee' && e.to === ada.id)!;
  const pending = byTime.find((e) => e.action === 'status' && e.to === 'pending')!;
  const back = byTime.find((e) => e.action === 'status' && e.from === 'pending')!;
  const resolved = byTime.filter((e) => e.action === 'status' && e.to === 'resolved').pop()!;
  const byHand = Math.floor((ms(pending.at) - ms(taken.at) + (ms(resolved.at) - ms(back.at))) / 60_000);
  // 55 → 20 minutes ago, then 10 minutes ago → the resolve.
  expect(byHand).toBe(45);
  const ada_ = (await agents(sup.token)).body.items.find((a) => a.name === 'Ada')!;
  expect(ada_.handleTime.count).toBe(3);
  // Ada's three: quick and reopened were taken when answered (under a minute before their
  // resolves, minus nothing); convo 45 minutes.
  const quick = (await detail(hub, admin.token, ids.quick)).timeline;
  const quickTaken = quick.find((e) => e.action === 'assignee')!;
  const quickResolved = quick.find((e) => e.action === 'status' && e.to === 'resolved')!;
  const quickMinutes = Math.floor((ms(quickResolved.at) - ms(quickTaken.at)) / 60_000);
  expect(ada_.handleTime.p90Minutes).toBe(45);
  expect(ada_.handleTime.medianMinutes).toBe(quickMinutes);
  const { body } = await summary(admin.token);
  expect(body.handleTime.count).toBe(4);
  expect(body.handleTime.p90Minutes).toBe(45);
});

test('per agent: handled and response times of each agent', async () => {
  const { status, body } = await agents(sup.token);
  expect(status).toBe(200);
  const byName = Object.fromEntries(body.items.map((a) => [a.name, a]));
  // quick (10 min), reopened (29 min to the answer, 30 to the last resolve) and convo (60, 60).
  expect(byName.Ada?.handled).toBe(3);
  expect(byName.Ada?.firstResponse.count).toBe(3);
  expect(byName.Ada?.firstResponse.medianMinutes).toBe(29);
  expect(byName.Ada?.resolution.medianMinutes).toBe(30);
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
  expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/stats/summary', '/api/v1/stats/agents', '/api/v1/stats/teams', '/api/v1/stats/series']));
});

test('CSAT: the share of 4 and 5 among the answers given in the period, counted when each answer arrives', async () => {
  const before = (await summary(admin.token)).body.csat;
  // Three resolved tickets answered 5, 4 and 2 (as the CSAT service records an answer: on the ticket, then the event).
  const answered: Array<[string, number]> = [[ids.quick, 5], [ids.slow, 4], [ids.reopened, 2]];
  for (const [ticketId, score] of answered) {
    await hub.models.Ticket.updateOne({ _id: new Types.ObjectId(ticketId) }, { $set: { csat: { score, comment: '', at: new Date(), channel: 'api' } } });
    const t = (await detail(hub, admin.token, ticketId)).ticket;
    await hub.bus.publish({ type: 'csat.answered', ticketId, score, channel: 'api', ticketType: t.type as TicketType, teamId: front, agentId: null, at: new Date().toISOString() });
  }
  const { body } = await until(() => summary(admin.token), (r) => r.body.csat.answers === before.answers + 3, 20_000, 50);
  expect(before).toEqual({ answers: 0, satisfied: 0, csatPercent: null, averageScore: null });
  // Two of three are 4 or 5: 66.67 %; the average of 5, 4, 2 is 3.67.
  expect(body.csat).toEqual({ answers: 3, satisfied: 2, csatPercent: 66.67, averageScore: 3.67 });
  // Bo's own figures: his ticket's 4.
  expect((await summary(bo.token)).body.csat).toEqual({ answers: 1, satisfied: 1, csatPercent: 100, averageScore: 4 });
});

test('a rebuild from the stored tickets reproduces the live buckets exactly, and a repeated event changes nothing', async () => {
  const live = await hub.stats.dump();
  expect(live.length).toBeGreaterThan(0);
  // The hub keeps the Redis rollups the reports read, complete from its first start.
  const rolled = await hub.stats.dumpRollups();
  expect(rolled?.ready).toBe(true);
  expect(rolled!.rows.length).toBeGreaterThan(0);
  await hub.stats.refreshTicket(ids.reopened);
  expect(await hub.stats.dump()).toEqual(live);
  expect(await hub.stats.dumpRollups()).toEqual(rolled);
  const rebuilt = await hub.stats.rebuild();
  expect(rebuilt.tickets).toBe(7);
  expect(await hub.stats.dump()).toEqual(live);
  expect(await hub.stats.dumpRollups()).toEqual(rolled);
});

/** The wall clock of `tz` at `at`, and the instant its local day began (computed here with Intl alone). */
function localDay(at: number, tz: string): { date: string; hour: number; midnight: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(at))
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offset = wall - Math.floor(at / 1000) * 1000;
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour), midnight: Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day)) - offset };
}

test("periods: 'today' is the local day of the zone asked for (or the user's saved zone); series roll hours into local days", async () => {
  const now = Date.now();
  // A zone far from UTC whose day began at least an hour ago.
  const tz = ['Asia/Shanghai', 'America/New_York', 'Asia/Tokyo'].find((z) => localDay(now, z).hour >= 1)!;
  const { midnight, date } = localDay(now, tz);
  // One ticket a minute before the zone's midnight, one a minute after; both in Back.
  const before = (await inbound(hub)).ticketId;
  const after = (await inbound(hub)).ticketId;
  for (const [id, at] of [[before, midnight - 60_000], [after, midnight + 60_000]] as const) {
    await hub.models.Ticket.updateOne({ _id: new Types.ObjectId(id) }, { $set: { createdAt: new Date(at) } }, { timestamps: false, overwriteImmutable: true });
    expect((await api(hub, admin.token, 'PATCH', `/tickets/${id}`, { team: back })).status).toBe(200);
  }
  const backTickets = await Promise.all([ids.backTeam, before, after].map(async (id) => Date.parse((await detail(hub, admin.token, id)).ticket.createdAt)));
  const utcMidnight = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate());
  const inZoneToday = backTickets.filter((c) => c >= midnight && c < midnight + 86_400_000).length;
  const inUtcToday = backTickets.filter((c) => c >= utcMidnight && c < utcMidnight + 86_400_000).length;
  expect(inZoneToday).toBe(2);
  const today = (q: string) => api<Summary>(hub, admin.token, 'GET', `/stats/summary?period=today&team=${back}${q}`);
  await until(() => today(`&tz=${tz}`), (r) => r.body.volumes?.total === inZoneToday, 15_000, 50);
  expect((await today('&tz=UTC')).body.volumes.total).toBe(inUtcToday);
  // Without tz: the user's saved zone, else UTC.
  expect((await today('')).body.volumes.total).toBe(inUtcToday);
  expect((await api(hub, admin.token, 'PATCH', `/users/${backSup.id}`, { timeZone: tz })).status).toBe(200);
  const saved = await api<Summary & { from: string }>(hub, backSup.token, 'GET', '/stats/summary?period=today');
  expect(saved.body.volumes.total).toBe(inZoneToday);
  expect(saved.body.from).toBe(new Date(midnight).toISOString());

  // Hourly points in the zone: the first local hour holds the ticket a minute after midnight.
  type Series = { tz: string; points: Array<{ label: string; start: string; total: number; byType: Record<string, number> }> };
  const hours = await api<Series>(hub, admin.token, 'GET', `/stats/series?period=today&interval=hour&tz=${tz}&team=${back}`);
  expect(hours.status).toBe(200);
  expect(hours.body.points).toHaveLength(24);
  expect(hours.body.points[0]).toMatchObject({ label: `${date}T00:00`, start: new Date(midnight).toISOString(), total: 1 });
  expect(hours.body.points.reduce((n, p) => n + p.total, 0)).toBe(inZoneToday);
  // Local days: the last of 7 is today and holds the two of today; the day before holds the other.
  const days = await api<Series>(hub, admin.token, 'GET', `/stats/series?period=7d&interval=day&tz=${tz}&team=${back}`);
  expect(days.body.points.map((p) => p.label).at(-1)).toBe(date);
  expect(days.body.points).toHaveLength(7);
  expect(days.body.points.at(-1)!.total).toBe(inZoneToday);
  expect(days.body.points.at(-2)!.total).toBe(1);

  // Per team: Back's figures are Back's tickets only.
  const teams = await api<{ items: Array<{ teamId: string; name: string; created: number }> }>(hub, admin.token, 'GET', `/stats/teams?period=7d&tz=${tz}`);
  expect(teams.status).toBe(200);
  expect(teams.body.items.find((t) => t.teamId === back)).toMatchObject({ name: 'Back', created: 3 });
  expect((await api(hub, bo.token, 'GET', `/stats/teams?team=${back}`)).status).toBe(403);

  type Problem = { errors: Array<{ field: string }> };
  const refused = async (q: string) => {
    const r = await api<Problem>(hub, admin.token, 'GET', `/stats/summary?${q}`);
    expect(r.status).toBe(400);
    return r.body.errors.map((e) => e.field);
  };
  expect(await refused('period=today&tz=Mars/Olympus')).toEqual(['query.tz']);
  expect(await refused('period=custom&from=2026-01-01')).toEqual(['query.from']);
  expect(await refused('period=custom&from=2026-01-03&to=2026-01-02')).toEqual(['query.from']);
  const custom = await api<Summary & { from: string; to: string }>(hub, admin.token, 'GET', `/stats/summary?period=custom&from=2026-01-01&to=2026-01-02&tz=${tz}`);
  expect(custom.status).toBe(200);
  expect(custom.body.from).toBe(new Date(localDay(Date.UTC(2026, 0, 1, 12), tz).midnight).toISOString());
});
