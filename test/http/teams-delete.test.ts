import { api, createUser, inbound, startDeskHub, teamId, type SignedIn, type TestHub } from '../support/desk.fixtures';

interface Problem {
  code: string;
  detail: string;
  errors?: Array<{ field: string; code: string; message: string; params: Record<string, string> }>;
}

let hub: TestHub;
let admin: SignedIn;
let front: string;

beforeAll(async () => {
  ({ hub, admin, front } = await startDeskHub('teams-delete'));
});
afterAll(async () => {
  await hub.stop();
});

const remove = (who: SignedIn, id: string) => api<Problem>(hub, who.token, 'DELETE', `/teams/${id}`);
const setRules = async (body: Record<string, unknown>) => {
  const res = await api(hub, admin.token, 'PUT', '/routing/rules', body);
  if (res.status !== 200) throw new Error(`rules: ${res.status} ${JSON.stringify(res.body)}`);
};

describe('DELETE /api/v1/teams/:id', () => {
  test('admins only; an unknown team is 404', async () => {
    const doomed = await teamId(hub, admin, 'Short-lived');
    const agent = await createUser(hub, admin, 'agent', [front]);
    const supervisor = await createUser(hub, admin, 'supervisor', [front]);
    expect((await remove(agent, doomed)).status).toBe(403);
    expect((await remove(supervisor, doomed)).status).toBe(403);
    expect((await remove(admin, '0123456789abcdef01234567')).status).toBe(404);
    expect((await remove(admin, doomed)).status).toBe(204);
    expect((await api(hub, admin.token, 'GET', `/teams/${doomed}`)).status).toBe(404);
  });

  test('refused (409 team_in_use) while it has open tickets, members and a queue rule, naming each; deleted once they are moved', async () => {
    const billing = await teamId(hub, admin, 'Billing');
    const member = await createUser(hub, admin, 'agent', [billing], 'Bill Member');
    const { ticketId } = await inbound(hub, { subject: 'Invoice question' });
    expect((await api(hub, admin.token, 'PATCH', `/tickets/${ticketId}`, { team: billing })).status).toBe(200);
    const number = (await api<{ ticket: { number: number } }>(hub, admin.token, 'GET', `/tickets/${ticketId}`)).body.ticket.number;
    await setRules({ rules: [{ id: 'invoices', keywords: ['invoice'], teamId: billing }], fallback: { teamId: front } });

    const refused = await remove(admin, billing);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('team_in_use');
    expect(refused.body.detail).toContain('Move these first');
    expect(refused.body.errors).toEqual([
      { field: 'tickets', code: 'open_tickets', message: `1 open ticket(s) (#${number})`, params: { count: '1', numbers: `#${number}` } },
      { field: 'members', code: 'members', message: '1 member(s): Bill Member', params: { count: '1', names: 'Bill Member' } },
      { field: 'rules', code: 'queue_rules', message: 'queue rule(s) invoices', params: { count: '1', ids: 'invoices' } },
    ]);
    expect((await api(hub, admin.token, 'GET', `/teams/${billing}`)).status).toBe(200);

    // Move them one by one: what is left is all that is named.
    expect((await api(hub, admin.token, 'PATCH', `/tickets/${ticketId}`, { team: front })).status).toBe(200);
    expect((await remove(admin, billing)).body.errors?.map((e) => e.field)).toEqual(['members', 'rules']);
    expect((await api(hub, admin.token, 'PATCH', `/users/${member.id}`, { teams: [front] })).status).toBe(200);
    await setRules({ rules: [], fallback: { teamId: billing } });
    expect((await remove(admin, billing)).body.errors).toEqual([expect.objectContaining({ field: 'fallback', code: 'queue_fallback' })]);
    await setRules({ rules: [], fallback: { teamId: front } });

    expect((await remove(admin, billing)).status).toBe(204);
    const teams = await api<{ items: Array<{ id: string }> }>(hub, admin.token, 'GET', '/teams');
    expect(teams.body.items.map((t) => t.id)).not.toContain(billing);
  });

  test('the default team is never deleted', async () => {
    await setRules({ rules: [], fallback: { teamId: await teamId(hub, admin, 'Back') } });
    const res = await remove(admin, front);
    expect(res.status).toBe(409);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'team', code: 'default_team' })]));
    await setRules({ rules: [], fallback: { teamId: front } });
  });

  test('a resolved ticket does not keep a team', async () => {
    const archive = await teamId(hub, admin, 'Archive');
    const { ticketId } = await inbound(hub);
    expect((await api(hub, admin.token, 'PATCH', `/tickets/${ticketId}`, { team: archive })).status).toBe(200);
    expect((await api(hub, admin.token, 'PATCH', `/tickets/${ticketId}`, { status: 'resolved' })).status).toBe(200);
    expect((await remove(admin, archive)).status).toBe(204);
  });

  test('the OpenAPI document lists it', async () => {
    const res = await fetch(`${hub.url}/api/docs`, { headers: { accept: 'application/json' } });
    const doc = (await res.json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    expect(Object.keys(doc.paths['/api/v1/teams/{id}']!.delete!.responses)).toEqual(expect.arrayContaining(['204', '404', '409']));
  });
});
