/**
 * Channel instances through the admin API: create, list, get, edit, delete; secrets are
 * write-only (never returned, sealed in the database); field errors name the field; only
 * admins may see or change them.
 */
import { api, createUser, startDeskHub, type SignedIn, type TestHub } from '../support/desk.fixtures';

interface InstanceDto {
  id: string;
  kind: string;
  name: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  secrets: Record<string, { set: boolean }>;
  team: string | null;
  defaultType: string | null;
  createdAt: string;
  updatedAt: string;
}
interface Problem {
  status: number;
  errors?: Array<{ field: string; message: string }>;
}

let hub: TestHub;
let admin: SignedIn;
let back: string;
let agent: SignedIn;
let supervisor: SignedIn;
const TOKEN = 'feed-token-5f1c2e9a7b3d';

beforeAll(async () => {
  ({ hub, admin, back } = await startDeskHub('instances'));
  agent = await createUser(hub, admin, 'agent', [back]);
  supervisor = await createUser(hub, admin, 'supervisor', [back]);
});
afterAll(async () => {
  await hub.stop();
});

const collection = () => hub.models.Ticket.db.collection('channel_instances');
// A port nothing listens on: the instance runs but its polls fail (that is not what is tested here).
const feed = (extra: Record<string, unknown> = {}) => ({
  kind: 'feed',
  name: `CRM feed ${Math.random().toString(36).slice(2, 8)}`,
  settings: { url: 'http://127.0.0.1:9/feed', intervalMs: 60_000 },
  ...extra,
});

test('an admin creates, lists, reads, edits and deletes an instance; secrets never come back', async () => {
  const created = await api<InstanceDto>(hub, admin.token, 'POST', '/channels', feed({ secrets: { token: TOKEN }, team: back, defaultType: 'care' }));
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({
    kind: 'feed',
    enabled: true,
    settings: { url: 'http://127.0.0.1:9/feed', intervalMs: 60_000, channel: 'api', timeoutMs: 10_000 },
    secrets: { token: { set: true } },
    team: back,
    defaultType: 'care',
  });
  const id = created.body.id;
  expect(hub.runningChannelInstances()).toContain(id);

  const list = await api<{ items: InstanceDto[]; kinds: string[] }>(hub, admin.token, 'GET', '/channels');
  expect(list.status).toBe(200);
  expect(list.body.kinds).toContain('feed');
  expect(list.body.items.find((i) => i.id === id)?.secrets).toEqual({ token: { set: true } });
  const one = await api<InstanceDto>(hub, admin.token, 'GET', `/channels/${id}`);
  // The same instance; by now it may have tried its feed (an unreachable one here), which its health tells.
  const { health, ...rest } = one.body as InstanceDto & { health: unknown };
  expect({ ...rest, health: null }).toEqual(created.body);
  expect(health === null || (health as { ok: boolean }).ok === false).toBe(true);
  for (const body of [created.body, list.body, one.body]) expect(JSON.stringify(body)).not.toContain(TOKEN);

  // At rest the token is sealed, not readable.
  const stored = await collection().findOne({ name: created.body.name });
  expect(JSON.stringify(stored)).not.toContain(TOKEN);
  expect(String((stored?.secrets as Record<string, unknown>).token)).toMatch(/^v1\./);

  // Settings merge; a secret set to null is cleared; disabling stops the instance here.
  const edited = await api<InstanceDto>(hub, admin.token, 'PATCH', `/channels/${id}`, { settings: { intervalMs: 5000 }, secrets: { token: null }, enabled: false });
  expect(edited.status).toBe(200);
  expect(edited.body).toMatchObject({ enabled: false, settings: { url: 'http://127.0.0.1:9/feed', intervalMs: 5000 }, secrets: { token: { set: false } } });
  expect(hub.runningChannelInstances()).not.toContain(id);
  const enabled = await api<InstanceDto>(hub, admin.token, 'PATCH', `/channels/${id}`, { enabled: true, secrets: { token: 'another-token-123' } });
  expect(enabled.body.secrets).toEqual({ token: { set: true } });
  expect(hub.runningChannelInstances()).toContain(id);

  expect((await api(hub, admin.token, 'DELETE', `/channels/${id}`)).status).toBe(204);
  expect(hub.runningChannelInstances()).not.toContain(id);
  expect((await api(hub, admin.token, 'GET', `/channels/${id}`)).status).toBe(404);
  expect((await api(hub, admin.token, 'DELETE', `/channels/${id}`)).status).toBe(404);
});

test('field errors name the field at fault', async () => {
  const cases: Array<[string, Record<string, unknown>, number, string[]]> = [
    ['unknown kind', feed({ kind: 'pigeon' }), 422, ['kind']],
    ['bad settings', feed({ settings: { url: 'ftp://example.com/x', intervalMs: 5 } }), 422, ['settings.intervalMs', 'settings.url']],
    ['missing settings', feed({ settings: {} }), 422, ['settings.url']],
    ['unknown secret', feed({ secrets: { password: 'x' } }), 422, ['secrets.password']],
    ['no such team', feed({ team: '0123456789abcdef01234567' }), 422, ['team']],
    ['no name', feed({ name: '' }), 422, ['name']],
    ['bad ticket type', feed({ defaultType: 'praise' }), 422, ['defaultType']],
  ];
  for (const [label, body, status, fields] of cases) {
    const res = await api<Problem>(hub, admin.token, 'POST', '/channels', body);
    expect([label, res.status, res.headers.get('content-type')]).toEqual([label, status, expect.stringContaining('application/problem+json')]);
    expect([label, (res.body.errors ?? []).map((e) => e.field).sort()]).toEqual([label, fields]);
  }

  const a = await api<InstanceDto>(hub, admin.token, 'POST', '/channels', feed());
  const taken = await api<Problem>(hub, admin.token, 'POST', '/channels', feed({ name: a.body.name }));
  expect(taken.status).toBe(409);
  expect(taken.body.errors?.map((e) => e.field)).toEqual(['name']);
  const badPatch = await api<Problem>(hub, admin.token, 'PATCH', `/channels/${a.body.id}`, { settings: { url: 'not a url' } });
  expect(badPatch.status).toBe(422);
  expect(badPatch.body.errors?.map((e) => e.field)).toEqual(['settings.url']);
  expect((await api<InstanceDto>(hub, admin.token, 'GET', `/channels/${a.body.id}`)).body.settings.url).toBe('http://127.0.0.1:9/feed');
  expect((await api(hub, admin.token, 'PATCH', '/channels/0123456789abcdef01234567', { enabled: false })).status).toBe(404);
  await api(hub, admin.token, 'DELETE', `/channels/${a.body.id}`);
});

test('agents and supervisors get 403, callers without credentials 401', async () => {
  const a = await api<InstanceDto>(hub, admin.token, 'POST', '/channels', feed());
  const calls: Array<[string, string, unknown?]> = [
    ['GET', '/channels'],
    ['POST', '/channels', feed()],
    ['GET', `/channels/${a.body.id}`],
    ['PATCH', `/channels/${a.body.id}`, { enabled: false }],
    ['DELETE', `/channels/${a.body.id}`],
  ];
  for (const [method, path, body] of calls) {
    const got = [];
    for (const token of [null, agent.token, supervisor.token]) got.push((await api(hub, token, method, path, body)).status);
    expect([method, path, got]).toEqual([method, path, [401, 403, 403]]);
  }
  // Nothing changed.
  expect((await api<InstanceDto>(hub, admin.token, 'GET', `/channels/${a.body.id}`)).body.enabled).toBe(true);
  await api(hub, admin.token, 'DELETE', `/channels/${a.body.id}`);
});

test('the OpenAPI document describes the channel routes', async () => {
  const res = await fetch(`${hub.url}/api/docs/openapi.json`);
  const doc = (await res.json()) as { paths: Record<string, Record<string, { 'x-access': string }>> };
  expect(Object.keys(doc.paths['/api/v1/channels'] ?? {}).sort()).toEqual(['get', 'post']);
  expect(Object.keys(doc.paths['/api/v1/channels/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'patch']);
  expect(doc.paths['/api/v1/channels']!.post!['x-access']).toBe('admin');
});
