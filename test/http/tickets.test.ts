import {
  api,
  createUser,
  detail,
  inbound,
  startDeskHub,
  type SignedIn,
  type TestHub,
  type TicketDetail,
  type TicketSummary,
} from '../support/desk.fixtures';

let hub: TestHub;
let admin: SignedIn;
let front: string;
let back: string;
let agentA: SignedIn;
let agentB: SignedIn;
let agentBack: SignedIn;
let supervisor: SignedIn;

beforeAll(async () => {
  ({ hub, admin, front, back } = await startDeskHub('tickets'));
  agentA = await createUser(hub, admin, 'agent', [front], 'Agent Alice');
  agentB = await createUser(hub, admin, 'agent', [front], 'Agent Bob');
  agentBack = await createUser(hub, admin, 'agent', [back], 'Agent Carol');
  supervisor = await createUser(hub, admin, 'supervisor', [front], 'Sue Pervisor');
});
afterAll(async () => {
  await hub.stop();
});

const patch = (who: SignedIn, id: string, body: Record<string, unknown>) => api<TicketSummary & { detail?: string }>(hub, who.token, 'PATCH', `/tickets/${id}`, body);
const list = (who: SignedIn, query: string) => api<{ items: TicketSummary[]; nextCursor: string | null }>(hub, who.token, 'GET', `/tickets?${query}`);
const marker = () => `mk${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

describe('status changes go through the one state machine', () => {
  const STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
  // The lifecycle of the product brief: new → open → pending → resolved → closed, with reopen and release paths.
  const ALLOWED: Record<string, string[]> = {
    new: ['open', 'pending', 'resolved', 'closed'],
    open: ['new', 'pending', 'resolved', 'closed'],
    pending: ['new', 'open', 'resolved', 'closed'],
    resolved: ['new', 'open', 'closed'],
    closed: [],
  };
  const pairs = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const));

  test.each(pairs)('%s → %s', async (from, to) => {
    const { ticketId } = await inbound(hub);
    if (from !== 'new') expect((await patch(supervisor, ticketId, { status: from })).status).toBe(200);
    const before = await detail(hub, supervisor.token, ticketId);
    expect(before.ticket.status).toBe(from);

    const res = await patch(supervisor, ticketId, { status: to });
    const after = await detail(hub, supervisor.token, ticketId);
    const statusEvents = after.timeline.filter((e) => e.action === 'status');
    if (ALLOWED[from]!.includes(to)) {
      expect(res.status).toBe(200);
      expect(res.body.status).toBe(to);
      expect(after.ticket.status).toBe(to);
      const last = statusEvents[statusEvents.length - 1]!;
      expect(last).toMatchObject({ from, to, actor: { kind: 'user', id: supervisor.id, name: 'Sue Pervisor' } });
      if (to === 'open') expect(after.ticket.assignee?.id).toBe(supervisor.id);
      if (to === 'new') expect(after.ticket.assignee).toBeNull();
    } else {
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(res.body.detail).toMatch(from === to ? /already/ : from === 'closed' ? /closed ticket is final/ : /cannot become/);
      expect(after.ticket.status).toBe(from);
      expect(statusEvents).toHaveLength(before.timeline.filter((e) => e.action === 'status').length);
    }
  });
});

describe('listing', () => {
  test('cursor pagination walks every ticket once, in order, and a bad cursor is refused', async () => {
    const mk = marker();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await inbound(hub, { text: `Question ${i} ${mk}` })).ticketId);
    const seen: TicketSummary[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await list(admin, `q=${mk}&limit=3&sort=-createdAt${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items);
      cursor = res.body.nextCursor;
      pages += 1;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen.map((t) => t.id)).toEqual([...ids].reverse());

    const asc = await list(admin, `q=${mk}&sort=number&limit=50`);
    expect(asc.body.items.map((t) => t.id)).toEqual(ids);

    const bad = await list(admin, `q=${mk}&cursor=not-a-cursor`);
    expect(bad.status).toBe(400);
    const wrongSort = await list(admin, `q=${mk}&limit=3&sort=-createdAt`);
    const mismatch = await list(admin, `q=${mk}&sort=number&cursor=${encodeURIComponent(wrongSort.body.nextCursor!)}`);
    expect(mismatch.status).toBe(400);
  });

  test('filters: status, type, priority, channel, tag, text in subject or body, contact, team, created range', async () => {
    const mk = marker();
    const plain = await inbound(hub, { text: `Where is my parcel ${mk}` });
    const suggestion = await inbound(hub, { text: `Please add dark mode ${mk}`, chosenType: 'suggestion' });
    const email = await inbound(hub, { channel: 'email', externalId: `<${mk}@mail>`, from: { address: `${mk}@example.com` }, text: `By mail ${mk}` });
    const subjectOnly = await inbound(hub, { subject: `Subject ${mk}-S`, text: 'nothing special here' });
    expect((await patch(admin, plain.ticketId, { status: 'pending', tags: ['vip', mk], priority: 'urgent' })).status).toBe(200);

    const ids = async (query: string) => (await list(admin, query)).body.items.map((t) => t.id).sort();
    expect(await ids(`q=${mk}`)).toEqual([plain.ticketId, suggestion.ticketId, email.ticketId, subjectOnly.ticketId].sort());
    expect(await ids(`q=${mk}-S`)).toEqual([subjectOnly.ticketId]);
    expect(await ids(`q=${mk.toUpperCase()}`)).toHaveLength(4);
    expect(await ids(`q=${mk}&status=pending`)).toEqual([plain.ticketId]);
    expect(await ids(`q=${mk}&status=new,open`)).toEqual([suggestion.ticketId, email.ticketId, subjectOnly.ticketId].sort());
    expect(await ids(`q=${mk}&type=suggestion`)).toEqual([suggestion.ticketId]);
    expect(await ids(`q=${mk}&priority=urgent`)).toEqual([plain.ticketId]);
    expect(await ids(`q=${mk}&channel=email`)).toEqual([email.ticketId]);
    expect(await ids(`tag=${mk}`)).toEqual([plain.ticketId]);
    const contact = (await detail(hub, admin.token, email.ticketId)).contact.id;
    expect(await ids(`contact=${contact}`)).toEqual([email.ticketId]);
    expect(await ids(`q=${mk}&team=${front}`)).toHaveLength(4);
    expect(await ids(`q=${mk}&team=${back}`)).toEqual([]);
    expect(await ids(`q=${mk}&createdFrom=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual([]);
    expect(await ids(`q=${mk}&createdTo=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toHaveLength(4);
    // A regex metacharacter is searched for literally.
    expect(await ids(`q=${encodeURIComponent('.*')}`)).toEqual([]);

    const invalid = await api<{ code: string; errors: Array<{ field: string; code?: string }> }>(hub, admin.token, 'GET', '/tickets?status=bogus');
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: expect.stringContaining('status') })]));
    // Stable codes for clients to translate: the problem's and the failed check's.
    expect(invalid.body.code).toBe('validation');
    expect(invalid.body.errors.find((e) => e.field.includes('status'))?.code).toBe('invalid_value');
  });

  test('views and assignee filters: mine, unassigned, all', async () => {
    const mk = marker();
    const mine = await inbound(hub, { text: `one ${mk}` });
    const free = await inbound(hub, { text: `two ${mk}` });
    const bobs = await inbound(hub, { text: `three ${mk}` });
    expect((await patch(agentA, mine.ticketId, { assignee: agentA.id })).status).toBe(200);
    expect((await patch(agentB, bobs.ticketId, { assignee: agentB.id })).status).toBe(200);

    const ids = async (who: SignedIn, query: string) => (await list(who, `q=${mk}&${query}`)).body.items.map((t) => t.id).sort();
    expect(await ids(agentA, 'view=mine')).toEqual([mine.ticketId]);
    expect(await ids(agentA, 'assignee=me')).toEqual([mine.ticketId]);
    expect(await ids(agentA, 'view=unassigned')).toEqual([free.ticketId]);
    expect(await ids(agentA, 'assignee=none')).toEqual([free.ticketId]);
    // An agent's "all" is their scope: their own and the unassigned ones, never a colleague's.
    expect(await ids(agentA, 'view=all')).toEqual([mine.ticketId, free.ticketId].sort());
    expect(await ids(supervisor, 'view=all')).toEqual([mine.ticketId, free.ticketId, bobs.ticketId].sort());
    expect(await ids(supervisor, `assignee=${agentB.id}`)).toEqual([bobs.ticketId]);
    expect(await ids(agentBack, 'view=all')).toEqual([]);
  });
});

describe('scope: outside it a ticket does not exist (404)', () => {
  test('agents see their own and their teams\' unassigned tickets; supervisors their teams\'; admins all', async () => {
    const front1 = await inbound(hub);
    const bobs = await inbound(hub);
    const backT = await inbound(hub);
    expect((await patch(agentB, bobs.ticketId, { assignee: agentB.id })).status).toBe(200);
    expect((await patch(admin, backT.ticketId, { team: back })).status).toBe(200);

    const status = async (who: SignedIn, id: string) => (await api(hub, who.token, 'GET', `/tickets/${id}`)).status;
    expect(await status(agentA, front1.ticketId)).toBe(200);
    expect(await status(agentA, bobs.ticketId)).toBe(404);
    expect(await status(agentA, backT.ticketId)).toBe(404);
    expect(await status(agentBack, backT.ticketId)).toBe(200);
    expect(await status(supervisor, bobs.ticketId)).toBe(200);
    expect(await status(supervisor, backT.ticketId)).toBe(404);
    expect(await status(admin, backT.ticketId)).toBe(200);
    expect(await status(agentA, '000000000000000000000000')).toBe(404);
    expect(await status(agentA, 'not-an-id')).toBe(404);

    // Writes outside the scope are 404 too, not 403.
    expect((await patch(agentA, bobs.ticketId, { priority: 'high' })).status).toBe(404);
    expect((await api(hub, agentA.token, 'POST', `/tickets/${backT.ticketId}/notes`, { text: 'hi' })).status).toBe(404);
    const untouched = await detail(hub, admin.token, bobs.ticketId);
    expect(untouched.ticket.priority).not.toBe('high');

    // An agent assigned a ticket of another team still sees it.
    expect((await patch(admin, backT.ticketId, { assignee: agentA.id })).status).toBe(200);
    expect(await status(agentA, backT.ticketId)).toBe(200);
  });
});

describe('changes are recorded with their actor', () => {
  test("an agent's type correction sets the classification source to agent and lands on the timeline", async () => {
    const { ticketId } = await inbound(hub, { text: 'This is broken and I am furious, refund me now! Terrible service.' });
    const before = await detail(hub, agentA.token, ticketId);
    expect(before.ticket.type).toBe('complaint');
    expect(before.ticket.classification.source).toBe('rules');

    const res = await patch(agentA, ticketId, { type: 'care' });
    expect(res.status).toBe(200);
    expect(res.body.type).toBe('care');
    expect(res.body.classification).toEqual({ source: 'agent', confidence: 1 });
    const after = await detail(hub, agentA.token, ticketId);
    const ev = after.timeline.find((e) => e.action === 'classification');
    expect(ev).toMatchObject({ from: 'complaint', to: 'care', actor: { kind: 'user', id: agentA.id, name: 'Agent Alice' } });
    expect(ev?.detail).toMatch(/was complaint from rules/);
  });

  test('priority, tags and team changes each write a timeline event and publish ticket.updated', async () => {
    const { ticketId } = await inbound(hub);
    const events: Array<{ type: string; ticketId?: string; changes?: string[] }> = [];
    const off = hub.bus.subscribe('test-observer', (e) => {
      if ('ticketId' in e && e.ticketId === ticketId) events.push(e as { type: string; changes?: string[] });
    }, { mode: 'broadcast' });
    try {
      const res = await patch(supervisor, ticketId, { priority: 'high', tags: ['billing', 'billing', ' vip '] });
      expect(res.status).toBe(200);
      expect(res.body.tags).toEqual(['billing', 'vip']);
      expect((await patch(supervisor, ticketId, { team: back })).status).toBe(200);
      const d = await detail(hub, admin.token, ticketId);
      expect(d.ticket.team).toEqual({ id: back, name: 'Back' });
      const actions = d.timeline.map((e) => [e.action, e.from, e.to]);
      expect(actions).toEqual(expect.arrayContaining([['priority', 'normal', 'high'], ['tags', '', 'billing, vip'], ['team', front, back]]));
      for (const e of d.timeline.filter((x) => x.action !== 'created')) expect(e.actor).toMatchObject({ kind: 'user', id: supervisor.id });
      // The supervisor moved it out of their teams: now it is outside their scope.
      expect((await api(hub, supervisor.token, 'GET', `/tickets/${ticketId}`)).status).toBe(404);
      await waitFor(() => events.filter((e) => e.type === 'ticket.updated').length >= 2);
      const changes = events.filter((e) => e.type === 'ticket.updated').flatMap((e) => e.changes ?? []);
      expect(changes).toEqual(expect.arrayContaining(['priority', 'tags', 'team']));
    } finally {
      off();
    }
  });

  test('role limits inside the scope answer 403: agents neither move teams nor assign others', async () => {
    const { ticketId } = await inbound(hub);
    expect((await patch(agentA, ticketId, { team: back })).status).toBe(403);
    expect((await patch(agentA, ticketId, { assignee: agentB.id })).status).toBe(403);
    expect((await patch(supervisor, ticketId, { assignee: agentBack.id })).status).toBe(422);
    expect((await patch(supervisor, ticketId, { assignee: agentB.id })).status).toBe(200);
    // Bob's now: Alice cannot release it (she no longer sees it).
    expect((await patch(agentA, ticketId, { assignee: null })).status).toBe(404);
    const d = await detail(hub, admin.token, ticketId);
    expect(d.ticket.assignee?.id).toBe(agentB.id);
    expect(d.ticket.status).toBe('open');
    expect((await patch(admin, ticketId, {})).status).toBe(422);
    expect((await patch(admin, ticketId, { status: 'archived' })).status).toBe(422);
  });
});

describe('taking and releasing', () => {
  test('two agents taking the same ticket at once: exactly one wins, every time', async () => {
    for (let round = 0; round < 8; round++) {
      const { ticketId } = await inbound(hub);
      const [a, b] = await Promise.all([patch(agentA, ticketId, { assignee: agentA.id }), patch(agentB, ticketId, { assignee: agentB.id })]);
      const winners = [a, b].filter((r) => r.status === 200);
      expect(winners).toHaveLength(1);
      const loser = a.status === 200 ? b : a;
      expect([404, 409]).toContain(loser.status);
      const winnerId = a.status === 200 ? agentA.id : agentB.id;
      const d = await detail(hub, admin.token, ticketId);
      expect(d.ticket.assignee?.id).toBe(winnerId);
      expect(d.ticket.status).toBe('open');
      expect(d.timeline.filter((e) => e.action === 'assignee')).toHaveLength(1);
    }
  });

  test('an agent releases their own ticket back to the queue, and a colleague can take it', async () => {
    const { ticketId } = await inbound(hub);
    expect((await patch(agentA, ticketId, { assignee: agentA.id })).status).toBe(200);
    const released = await patch(agentA, ticketId, { assignee: null });
    expect(released.status).toBe(200);
    expect(released.body.assignee).toBeNull();
    expect(released.body.status).toBe('new');
    const taken = await patch(agentB, ticketId, { assignee: agentB.id });
    expect(taken.status).toBe(200);
    expect(taken.body.assignee?.id).toBe(agentB.id);
    const d = await detail(hub, admin.token, ticketId);
    expect(d.timeline.filter((e) => e.action === 'assignee').map((e) => [e.from, e.to, e.actor.id])).toEqual([
      [null, agentA.id, agentA.id],
      [agentA.id, null, agentA.id],
      [null, agentB.id, agentB.id],
    ]);
  });

  test('a status change back to new releases the owner key too, so the ticket can be taken again', async () => {
    const { ticketId } = await inbound(hub);
    expect((await patch(agentA, ticketId, { assignee: agentA.id })).status).toBe(200);
    expect((await patch(agentA, ticketId, { status: 'new' })).status).toBe(200);
    const taken = await patch(agentB, ticketId, { assignee: agentB.id });
    expect(taken.status).toBe(200);
    expect(taken.body.assignee?.id).toBe(agentB.id);
  });
});

describe('notes', () => {
  test('an internal note is a message with direction note, on the timeline, and never a first response', async () => {
    const { ticketId } = await inbound(hub);
    const res = await api<{ id: string; direction: string; deliveryStatus: string | null; author: { id: string } }>(hub, agentA.token, 'POST', `/tickets/${ticketId}/notes`, {
      text: 'Customer called twice already; check the warehouse.',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ direction: 'note', deliveryStatus: null, author: { id: agentA.id } });
    const d = await detail(hub, agentA.token, ticketId);
    expect(d.messages.map((m) => m.direction)).toEqual(['inbound', 'note']);
    expect(d.timeline.find((e) => e.action === 'note')?.actor.id).toBe(agentA.id);
    expect(d.ticket.firstResponseAt).toBeNull();
    expect((await api(hub, agentA.token, 'POST', `/tickets/${ticketId}/notes`, { text: '   ' })).status).toBe(422);
  });
});

describe('merging tickets', () => {
  test("a duplicate of the same customer is merged: messages move, the source closes with mergedInto, both timelines record it", async () => {
    const mk = marker();
    const from = { address: `${mk}@example.org`, name: 'Dup Customer' };
    const first = await inbound(hub, { externalId: `${mk}-1`, from, text: 'My order is late.' });
    const second = await inbound(hub, { externalId: `${mk}-2`, from, text: 'Also, my order is late!' });
    expect(second.ticketId).not.toBe(first.ticketId);

    const res = await api<TicketSummary>(hub, agentA.token, 'POST', `/tickets/${first.ticketId}/merge`, { sourceTicketId: second.ticketId });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(first.ticketId);

    const target = await detail(hub, admin.token, first.ticketId);
    const source = await detail(hub, admin.token, second.ticketId);
    expect(target.messages.map((m) => m.text)).toEqual(['My order is late.', 'Also, my order is late!']);
    expect(source.messages).toEqual([]);
    expect(source.ticket.status).toBe('closed');
    expect(source.ticket.mergedInto).toBe(first.ticketId);
    expect(target.timeline.find((e) => e.action === 'merged')).toMatchObject({ from: second.ticketId, to: first.ticketId, actor: { id: agentA.id } });
    expect(source.timeline.find((e) => e.action === 'merged')).toMatchObject({ from: second.ticketId, to: first.ticketId });

    // A customer reply to the merged ticket's thread lands on the survivor.
    const reply = await inbound(hub, { externalId: `${mk}-3`, from, text: 'Any news?', threadRefs: [`${mk}-2`] });
    expect(reply.ticketId).toBe(first.ticketId);

    const stranger = await inbound(hub);
    const refused = await api(hub, admin.token, 'POST', `/tickets/${first.ticketId}/merge`, { sourceTicketId: stranger.ticketId });
    expect(refused.status).toBe(409);
    expect((await api(hub, admin.token, 'POST', `/tickets/${first.ticketId}/merge`, { sourceTicketId: first.ticketId })).status).toBe(422);
  });
});

describe('detail', () => {
  test('answers the ticket, its messages, its timeline and its customer', async () => {
    const mk = marker();
    const { ticketId } = await inbound(hub, { from: { address: `${mk}@example.org`, name: 'Detail Person' }, subject: 'Invoice', text: 'Where is my invoice?' });
    const res = await api<TicketDetail>(hub, supervisor.token, 'GET', `/tickets/${ticketId}`);
    expect(res.status).toBe(200);
    expect(res.body.ticket).toMatchObject({ id: ticketId, subject: 'Invoice', status: 'new', channel: 'api', team: { id: front, name: 'Front' }, assignee: null });
    expect(res.body.ticket.contact.name).toBe('Detail Person');
    expect(res.body.messages).toHaveLength(1);
    expect(res.body.messages[0]).toMatchObject({ direction: 'inbound', text: 'Where is my invoice?', deliveryStatus: 'received', from: { address: `${mk}@example.org` } });
    expect(res.body.timeline.map((e) => e.action)).toEqual(['created']);
    expect(res.body.contact).toMatchObject({ name: 'Detail Person', identities: [{ kind: 'external', value: `${mk}@example.org` }] });
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('OpenAPI', () => {
  test('the document at /api/docs describes the ticket and contact routes from their schemas', async () => {
    const res = await fetch(`${hub.url}/api/docs`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; 'x-access'?: string; responses: Record<string, unknown> }>> };
    for (const p of ['/api/v1/tickets', '/api/v1/tickets/{id}', '/api/v1/tickets/{id}/notes', '/api/v1/tickets/{id}/replies', '/api/v1/tickets/{id}/messages/{messageId}/retry', '/api/v1/tickets/{id}/merge', '/api/v1/contacts', '/api/v1/contacts/{id}/merge', '/api/v1/attachments/{ref}']) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    expect(doc.paths['/api/v1/tickets/{id}/replies']!.post!.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]));
    expect(doc.paths['/api/v1/tickets']!.get!.parameters!.map((x) => x.name)).toEqual(expect.arrayContaining(['view', 'status', 'assignee', 'q', 'cursor', 'sort']));
    expect(doc.paths['/api/v1/contacts/{id}/merge']!.post!['x-access']).toBe('supervisor');
    expect(Object.keys(doc.paths['/api/v1/tickets/{id}']!.patch!.responses)).toEqual(expect.arrayContaining(['200', '404', '409']));
  });
});
