import { api, createUser, detail, inbound, startDeskHub, type SignedIn, type TestHub } from '../support/desk.fixtures';

/**
 * The permission matrix: for every role (and no credentials at all) each call either
 * succeeds or answers 401 (no credentials), 403 (wrong role) or 404 (outside the scope).
 */

type Role = 'none' | 'agent' | 'supervisor' | 'admin';
const ROLES: Role[] = ['none', 'agent', 'supervisor', 'admin'];

let hub: TestHub;
let admin: SignedIn;
let agent: SignedIn;
let colleague: SignedIn;
let supervisor: SignedIn;
let front: string;
let back: string;
/** Unassigned in Front (everyone in Front sees it). */
let free: string;
/** Assigned to the colleague (the agent does not see it; the Front supervisor does). */
let colleagues: string;
/** In Back (only admins here see it). */
let backTicket: string;
let backAttachment: string;
let frontAttachment: string;

beforeAll(async () => {
  ({ hub, admin, front, back } = await startDeskHub('permissions'));
  agent = await createUser(hub, admin, 'agent', [front]);
  colleague = await createUser(hub, admin, 'agent', [front]);
  supervisor = await createUser(hub, admin, 'supervisor', [front]);
  free = (await inbound(hub)).ticketId;
  colleagues = (await inbound(hub)).ticketId;
  expect((await api(hub, colleague.token, 'PATCH', `/tickets/${colleagues}`, { assignee: colleague.id })).status).toBe(200);
  const withFile = (name: string, body: string) => ({
    attachments: [{ name, contentType: 'text/plain', size: Buffer.byteLength(body), contentBase64: Buffer.from(body).toString('base64') }],
  });
  backTicket = (await inbound(hub, withFile('back.txt', 'back office secret'))).ticketId;
  expect((await api(hub, admin.token, 'PATCH', `/tickets/${backTicket}`, { team: back })).status).toBe(200);
  const frontWithFile = (await inbound(hub, withFile('front.txt', 'front desk file'))).ticketId;
  const url = (id: string) => detail(hub, admin.token, id).then((d) => d.messages[0]!.attachments[0]!.url);
  backAttachment = await url(backTicket);
  frontAttachment = await url(frontWithFile);
});
afterAll(async () => {
  await hub.stop();
});

const tokenOf = (role: Role): string | null => ({ none: null, agent: agent.token, supervisor: supervisor.token, admin: admin.token })[role];
const idOf = (role: Role): string => (role === 'none' ? agent.id : { agent, supervisor, admin }[role].id);
let n = 0;
const unique = (s: string) => `${s}-${++n}-${Date.now().toString(36)}`;

interface Row {
  call: string;
  expect: Record<Role, number>;
  run(token: string | null, role: Role): Promise<number>;
}
const st = (...codes: [number, number, number, number]): Record<Role, number> => ({ none: codes[0], agent: codes[1], supervisor: codes[2], admin: codes[3] });
const status = async (token: string | null, method: string, path: string, body?: unknown) => (await api(hub, token, method, path, body)).status;

const rows: Row[] = [
  // ---- who am I, users, teams, API tokens (admin routes) ----
  { call: 'GET /me', expect: st(401, 200, 200, 200), run: (t) => status(t, 'GET', '/me') },
  { call: 'GET /users', expect: st(401, 403, 200, 200), run: (t) => status(t, 'GET', '/users') },
  { call: 'GET /users/:id', expect: st(401, 403, 200, 200), run: (t) => status(t, 'GET', `/users/${colleague.id}`) },
  {
    call: 'POST /users',
    expect: st(401, 403, 403, 201),
    run: (t) => status(t, 'POST', '/users', { email: `${unique('u')}@test.example`, password: 'long-enough-pass', name: 'New', role: 'agent', teams: [front] }),
  },
  { call: 'PATCH /users/:id', expect: st(401, 403, 403, 200), run: (t) => status(t, 'PATCH', `/users/${colleague.id}`, { skills: ['billing'] }) },
  { call: 'GET /teams', expect: st(401, 200, 200, 200), run: (t) => status(t, 'GET', '/teams') },
  { call: 'POST /teams', expect: st(401, 403, 403, 201), run: (t) => status(t, 'POST', '/teams', { name: unique('Team') }) },
  { call: 'PATCH /teams/:id', expect: st(401, 403, 403, 200), run: (t) => status(t, 'PATCH', `/teams/${back}`, { description: unique('desc') }) },
  { call: 'POST /api-tokens', expect: st(401, 403, 403, 201), run: (t) => status(t, 'POST', '/api-tokens', { name: unique('crm'), role: 'agent', teams: [front] }) },
  { call: 'GET /api-tokens', expect: st(401, 403, 403, 200), run: (t) => status(t, 'GET', '/api-tokens') },
  {
    call: 'DELETE /api-tokens/:id',
    expect: st(401, 403, 403, 204),
    run: async (t) => {
      const made = await api<{ id: string }>(hub, admin.token, 'POST', '/api-tokens', { name: unique('tmp') });
      return status(t, 'DELETE', `/api-tokens/${made.body.id}`);
    },
  },

  // ---- tickets ----
  { call: 'GET /tickets', expect: st(401, 200, 200, 200), run: (t) => status(t, 'GET', '/tickets') },
  { call: 'GET /tickets/:id (unassigned, Front)', expect: st(401, 200, 200, 200), run: (t) => status(t, 'GET', `/tickets/${free}`) },
  { call: "GET /tickets/:id (a colleague's)", expect: st(401, 404, 200, 200), run: (t) => status(t, 'GET', `/tickets/${colleagues}`) },
  { call: 'GET /tickets/:id (another team)', expect: st(401, 404, 404, 200), run: (t) => status(t, 'GET', `/tickets/${backTicket}`) },
  {
    call: 'PATCH /tickets/:id priority',
    expect: st(401, 200, 200, 200),
    run: async (t) => status(t, 'PATCH', `/tickets/${(await inbound(hub)).ticketId}`, { priority: 'high' }),
  },
  { call: "PATCH /tickets/:id priority (a colleague's)", expect: st(401, 404, 200, 200), run: (t, r) => status(t, 'PATCH', `/tickets/${colleagues}`, { priority: r === 'admin' ? 'low' : 'high' }) },
  { call: 'PATCH /tickets/:id priority (another team)', expect: st(401, 404, 404, 200), run: (t, r) => status(t, 'PATCH', `/tickets/${backTicket}`, { priority: r === 'admin' ? 'urgent' : 'high' }) },
  {
    call: 'PATCH /tickets/:id team',
    expect: st(401, 403, 200, 200),
    run: async (t) => status(t, 'PATCH', `/tickets/${(await inbound(hub)).ticketId}`, { team: back }),
  },
  {
    call: 'PATCH /tickets/:id assignee (someone else)',
    expect: st(401, 403, 200, 200),
    run: async (t) => status(t, 'PATCH', `/tickets/${(await inbound(hub)).ticketId}`, { assignee: colleague.id }),
  },
  {
    call: 'PATCH /tickets/:id assignee (take it myself)',
    expect: st(401, 200, 200, 200),
    run: async (t, r) => status(t, 'PATCH', `/tickets/${(await inbound(hub)).ticketId}`, { assignee: idOf(r) }),
  },
  { call: 'POST /tickets/:id/notes', expect: st(401, 201, 201, 201), run: (t) => status(t, 'POST', `/tickets/${free}/notes`, { text: 'note' }) },
  { call: 'POST /tickets/:id/notes (another team)', expect: st(401, 404, 404, 201), run: (t) => status(t, 'POST', `/tickets/${backTicket}/notes`, { text: 'note' }) },
  {
    call: 'POST /tickets/:id/replies',
    expect: st(401, 201, 201, 201),
    run: async (t) => status(t, 'POST', `/tickets/${(await inbound(hub)).ticketId}/replies`, { text: 'Hello!' }),
  },
  { call: 'POST /tickets/:id/replies (another team)', expect: st(401, 404, 404, 201), run: (t) => status(t, 'POST', `/tickets/${backTicket}/replies`, { text: 'Hello!' }) },
  {
    call: 'POST /tickets/:id/merge',
    expect: st(401, 200, 200, 200),
    run: async (t) => {
      const from = { address: `${unique('dup')}@example.org` };
      const a = await inbound(hub, { from });
      const b = await inbound(hub, { from });
      return status(t, 'POST', `/tickets/${a.ticketId}/merge`, { sourceTicketId: b.ticketId });
    },
  },
  { call: 'GET /attachments/:ref (Front ticket)', expect: st(401, 200, 200, 200), run: (t) => status(t, 'GET', frontAttachment.replace('/api/v1', '')) },
  { call: 'GET /attachments/:ref (another team)', expect: st(401, 404, 404, 200), run: (t) => status(t, 'GET', backAttachment.replace('/api/v1', '')) },

  // ---- contacts ----
  { call: 'GET /contacts', expect: st(401, 200, 200, 200), run: (t) => status(t, 'GET', '/contacts') },
  {
    call: 'GET /contacts/:id',
    expect: st(401, 200, 200, 200),
    run: async (t) => status(t, 'GET', `/contacts/${(await detail(hub, admin.token, free)).contact.id}`),
  },
  {
    call: 'PATCH /contacts/:id',
    expect: st(401, 200, 200, 200),
    run: async (t) => status(t, 'PATCH', `/contacts/${(await detail(hub, admin.token, free)).contact.id}`, { tags: ['checked'] }),
  },
  {
    call: 'POST /contacts/:id/merge',
    expect: st(401, 403, 200, 200),
    run: async (t) => {
      const a = await inbound(hub);
      const b = await inbound(hub);
      const [ca, cb] = await Promise.all([detail(hub, admin.token, a.ticketId), detail(hub, admin.token, b.ticketId)]);
      return status(t, 'POST', `/contacts/${ca.contact.id}/merge`, { sourceContactId: cb.contact.id });
    },
  },
];

describe.each(rows)('$call', (row) => {
  test.each(ROLES)('as %s', async (role) => {
    expect(await row.run(tokenOf(role), role)).toBe(row.expect[role]);
  });
});

describe('API tokens act with the role and teams they were created with', () => {
  const tokenFor = async (role: Role, teams: string[]) =>
    (await api<{ token: string }>(hub, admin.token, 'POST', '/api-tokens', { name: unique(`tok-${role}`), role, teams })).body.token;

  test('agent-, supervisor- and admin-role tokens see what those roles see', async () => {
    const agentTok = await tokenFor('agent', [front]);
    const supTok = await tokenFor('supervisor', [front]);
    const adminTok = await tokenFor('admin', []);
    const codes = async (tok: string) => [
      await status(tok, 'GET', `/tickets/${free}`),
      await status(tok, 'GET', `/tickets/${colleagues}`),
      await status(tok, 'GET', `/tickets/${backTicket}`),
      await status(tok, 'GET', '/users'),
      await status(tok, 'POST', '/teams', { name: unique('T') }),
    ];
    expect(await codes(agentTok)).toEqual([200, 404, 404, 403, 403]);
    expect(await codes(supTok)).toEqual([200, 200, 404, 200, 403]);
    expect(await codes(adminTok)).toEqual([200, 200, 200, 200, 201]);

    // An agent-role token owns nothing: it cannot take a ticket, and its notes are signed with its name.
    const t = (await inbound(hub)).ticketId;
    expect(await status(agentTok, 'PATCH', `/tickets/${t}`, { assignee: agent.id })).toBe(403);
    const note = await api<{ author: unknown; from: { name: string } }>(hub, agentTok, 'POST', `/tickets/${t}/notes`, { text: 'from the CRM' });
    expect(note.status).toBe(201);
    expect(note.body.author).toBeNull();
    expect(note.body.from.name).toMatch(/^API token/);
    const ev = (await detail(hub, admin.token, t)).timeline.find((e) => e.action === 'note');
    expect(ev?.actor).toMatchObject({ kind: 'system', name: expect.stringMatching(/^API token/) });
  });

  test('a revoked or made-up token is 401', async () => {
    const tok = await tokenFor('admin', []);
    const list = await api<{ items: Array<{ id: string; prefix: string }> }>(hub, admin.token, 'GET', '/api-tokens');
    const id = list.body.items.find((x) => tok.startsWith(x.prefix))!.id;
    expect(await status(admin.token, 'DELETE', `/api-tokens/${id}`)).toBe(204);
    expect(await status(tok, 'GET', '/tickets')).toBe(401);
    expect(await status('oh_made-up', 'GET', '/tickets')).toBe(401);
    expect(await status('not.a.jwt', 'GET', '/contacts')).toBe(401);
  });
});

describe('errors are problem+json', () => {
  test('401, 403, 404 and 409 all answer application/problem+json with a detail', async () => {
    const answers = await Promise.all([
      api(hub, null, 'GET', '/tickets'),
      api(hub, agent.token, 'POST', '/contacts/000000000000000000000000/merge', { sourceContactId: '000000000000000000000001' }),
      api(hub, agent.token, 'GET', `/tickets/${backTicket}`),
      api(hub, admin.token, 'PATCH', `/tickets/${free}`, { status: 'new' }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([401, 403, 404, 409]);
    for (const a of answers) {
      expect(a.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(a.body).toMatchObject({ status: a.status, title: expect.any(String), detail: expect.any(String) });
    }
  });
});
