import { api, createUser, detail, inbound, startDeskHub, type SignedIn, type TestHub, type TicketSummary } from '../support/desk.fixtures';

interface Failure {
  id: string;
  ok: false;
  number: number | null;
  status: number;
  code: string;
  detail: string;
}
type Result = { id: string; ok: true; ticket: TicketSummary } | Failure;
interface BulkAnswer {
  updated: number;
  failed: number;
  results: Result[];
}

let hub: TestHub;
let admin: SignedIn;
let front: string;
let back: string;
let alice: SignedIn;
let bob: SignedIn;
let sue: SignedIn;

beforeAll(async () => {
  ({ hub, admin, front, back } = await startDeskHub('tickets-bulk'));
  alice = await createUser(hub, admin, 'agent', [front], 'Agent Alice');
  bob = await createUser(hub, admin, 'agent', [front], 'Agent Bob');
  sue = await createUser(hub, admin, 'supervisor', [front], 'Sue Pervisor');
});
afterAll(async () => {
  await hub.stop();
});

const bulk = (who: SignedIn, body: Record<string, unknown>) => api<BulkAnswer>(hub, who.token, 'POST', '/tickets/bulk', body);
const newTickets = async (n: number) => {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) ids.push((await inbound(hub, { subject: `Bulk ${i}` })).ticketId);
  return ids;
};
const failures = (a: BulkAnswer) => a.results.filter((r): r is Failure => !r.ok);

describe('POST /api/v1/tickets/bulk', () => {
  test('an agent takes three unassigned tickets at once: each is theirs, open, with its own timeline event', async () => {
    const ids = await newTickets(3);
    const res = await bulk(alice, { ticketIds: ids, assignee: alice.id });
    expect(res.status).toBe(200);
    expect([res.body.updated, res.body.failed]).toEqual([3, 0]);
    for (const id of ids) {
      const d = await detail(hub, admin.token, id);
      expect([d.ticket.assignee?.id, d.ticket.status]).toEqual([alice.id, 'open']);
      expect(d.timeline.filter((e) => e.action === 'assignee')).toEqual([expect.objectContaining({ to: alice.id, actor: expect.objectContaining({ id: alice.id }) })]);
    }
  });

  test('a partial failure is reported per ticket: a closed one and one outside the scope fail, the others change', async () => {
    const [a, b, closed] = await newTickets(3);
    const elsewhere = (await inbound(hub, { subject: 'In Back' })).ticketId;
    expect((await api(hub, admin.token, 'PATCH', `/tickets/${elsewhere}`, { team: back })).status).toBe(200);
    expect((await api(hub, admin.token, 'PATCH', `/tickets/${closed}`, { status: 'closed' })).status).toBe(200);
    const closedNumber = (await detail(hub, admin.token, closed!)).ticket.number;

    const res = await bulk(sue, { ticketIds: [a, b, closed, elsewhere], status: 'pending' });
    expect(res.status).toBe(200);
    expect([res.body.updated, res.body.failed]).toEqual([2, 2]);
    expect(failures(res.body)).toEqual([
      expect.objectContaining({ id: closed, number: closedNumber, status: 409, code: 'closed' }),
      expect.objectContaining({ id: elsewhere, number: null, status: 404, code: 'not_found' }),
    ]);
    for (const id of [a!, b!]) {
      const d = await detail(hub, admin.token, id);
      expect(d.ticket.status).toBe('pending');
      expect(d.timeline.find((e) => e.action === 'status' && e.to === 'pending')?.actor.id).toBe(sue.id);
    }
    expect((await detail(hub, admin.token, closed!)).ticket.status).toBe('closed');
  });

  test('tags are added to each ticket’s own; a status it already has is no failure', async () => {
    const [a, b] = await newTickets(2);
    expect((await api(hub, admin.token, 'PATCH', `/tickets/${a}`, { tags: ['billing'] })).status).toBe(200);
    const res = await bulk(sue, { ticketIds: [a, b], addTags: ['vip'], status: 'new' });
    expect([res.body.updated, res.body.failed]).toEqual([2, 0]);
    expect((await detail(hub, admin.token, a!)).ticket.tags).toEqual(['billing', 'vip']);
    const d = await detail(hub, admin.token, b!);
    expect(d.ticket.tags).toEqual(['vip']);
    expect(d.timeline.filter((e) => e.action === 'tags')).toHaveLength(1);
  });

  test('the same permission checks as one ticket: agents neither move teams nor assign others (403 each)', async () => {
    const ids = await newTickets(2);
    const team = await bulk(alice, { ticketIds: ids, team: back });
    expect([team.body.updated, team.body.failed]).toEqual([0, 2]);
    expect(failures(team.body).map((f) => [f.status, f.code])).toEqual([
      [403, 'forbidden'],
      [403, 'forbidden'],
    ]);
    const other = await bulk(alice, { ticketIds: ids, assignee: bob.id });
    expect(failures(other.body).map((f) => f.status)).toEqual([403, 403]);
    // A supervisor assigns them to a team member and moves another to a team.
    const assigned = await bulk(sue, { ticketIds: ids, assignee: bob.id });
    expect(assigned.body.updated).toBe(2);
    for (const id of ids) expect((await detail(hub, admin.token, id)).ticket.assignee?.id).toBe(bob.id);
    const moved = await bulk(admin, { ticketIds: [ids[0]], team: back });
    expect(moved.body.results[0]).toMatchObject({ ok: true, ticket: { team: { id: back, name: 'Back' } } });
  });

  test('the body is validated: ids, and at least one change', async () => {
    expect((await bulk(sue, { ticketIds: [], status: 'open' })).status).toBe(422);
    expect((await bulk(sue, { ticketIds: ['nope'], status: 'open' })).status).toBe(422);
    expect((await bulk(sue, { ticketIds: (await newTickets(1)) })).status).toBe(422);
    expect((await api(hub, null, 'POST', '/tickets/bulk', { ticketIds: [], status: 'open' })).status).toBe(401);
  });

  test('the OpenAPI document lists it', async () => {
    const res = await fetch(`${hub.url}/api/docs`, { headers: { accept: 'application/json' } });
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/v1/tickets/bulk'] ?? {})).toEqual(['post']);
  });
});
