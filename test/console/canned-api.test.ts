import type { Hub } from '../../src/main';
import type { CannedDto } from '../support/desk.fixtures';
import { request, startTestHub, TEST_ADMIN, type TestHubEnv } from '../support/hub';

interface Problem {
  title: string;
  detail: string;
  errors?: Array<{ field: string; message: string }>;
}

let hub: Hub & { env: TestHubEnv };
let admin: string;
let agent: string;
const url = (p = '') => `${hub.url}/api/v1/canned-responses${p}`;
const as = (token: string) => ({ apiKey: token });

async function login(email: string, password: string): Promise<string> {
  const res = await request<{ token: string }>(`${hub.url}/api/v1/auth/login`, { body: { email, password }, apiKey: null });
  expect(res.status).toBe(200);
  return res.body.token;
}

beforeAll(async () => {
  hub = await startTestHub('canned-api');
  admin = await login(TEST_ADMIN.email, TEST_ADMIN.password);
  const created = await request(`${hub.url}/api/v1/users`, {
    ...as(admin),
    body: { email: 'canned.agent@test.example', password: 'agent-password-1', name: 'Canned Agent', role: 'agent' },
  });
  expect(created.status).toBe(201);
  agent = await login('canned.agent@test.example', 'agent-password-1');
});
afterAll(async () => {
  await hub.stop();
});

describe('canned responses API', () => {
  test('admins create, edit and delete; agents read the sorted list', async () => {
    const a = await request<CannedDto>(url(), { ...as(admin), body: { shortcut: 'Refund', title: 'Refund timing', text: 'Refunds reach your account in 3-5 working days.' } });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ shortcut: 'refund', title: 'Refund timing', locale: '' });
    const b = await request<CannedDto>(url(), { ...as(admin), body: { shortcut: 'address', title: '修改地址', text: '您可以在“我的账户”里修改收货地址。', locale: 'zh-CN' } });
    expect(b.status).toBe(201);

    const list = await request<{ items: CannedDto[] }>(url(), as(agent));
    expect(list.status).toBe(200);
    expect(list.body.items.map((c) => c.shortcut)).toEqual(['address', 'refund']);

    const filtered = await request<{ items: CannedDto[] }>(url('?q=WORKING'), as(agent));
    expect(filtered.body.items.map((c) => c.shortcut)).toEqual(['refund']);
    const zh = await request<{ items: CannedDto[] }>(url('?locale=en'), as(agent));
    expect(zh.body.items.map((c) => c.shortcut)).toEqual(['refund']);

    const edited = await request<CannedDto>(url(`/${a.body.id}`), { ...as(admin), method: 'PATCH', body: { text: 'Refunds arrive within 5 working days.' } });
    expect(edited.status).toBe(200);
    expect(edited.body.text).toBe('Refunds arrive within 5 working days.');
    expect((await request<CannedDto>(url(`/${a.body.id}`), as(agent))).body.text).toBe('Refunds arrive within 5 working days.');

    const del = await request(url(`/${b.body.id}`), { ...as(admin), method: 'DELETE' });
    expect(del.status).toBe(204);
    expect((await request(url(`/${b.body.id}`), as(agent))).status).toBe(404);
    expect((await request<{ items: CannedDto[] }>(url(), as(agent))).body.items.map((c) => c.shortcut)).toEqual(['refund']);
  });

  test('agents may not change them; a taken shortcut is a 409; bad input names the field', async () => {
    const denied = await request<Problem>(url(), { ...as(agent), body: { shortcut: 'hello', title: 'Hello', text: 'Hi!' } });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('content-type')).toMatch(/application\/problem\+json/);

    const first = await request<CannedDto>(url(), { ...as(admin), body: { shortcut: 'greet', title: 'Greeting', text: 'Hello!' } });
    expect(first.status).toBe(201);
    const patchDenied = await request(url(`/${first.body.id}`), { ...as(agent), method: 'PATCH', body: { title: 'x' } });
    expect(patchDenied.status).toBe(403);
    const deleteDenied = await request(url(`/${first.body.id}`), { ...as(agent), method: 'DELETE' });
    expect(deleteDenied.status).toBe(403);

    const dup = await request<Problem>(url(), { ...as(admin), body: { shortcut: 'GREET', title: 'Again', text: 'Hello again' } });
    expect(dup.status).toBe(409);
    expect(dup.body.errors?.[0]?.field).toBe('shortcut');

    const bad = await request<Problem>(url(), { ...as(admin), body: { shortcut: 'has space', title: '', text: 'x' } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors?.map((e) => e.field).sort()).toEqual(['shortcut', 'title']);

    expect((await request(url(), { apiKey: null })).status).toBe(401);
    expect((await request(url('/0123456789abcdef01234567'), { ...as(admin), method: 'PATCH', body: { title: 'x' } })).status).toBe(404);
  });
});
