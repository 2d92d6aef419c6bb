import type { Hub } from '../../src/main';
import { request, startTestHub, TEST_ADMIN, type TestHubEnv } from '../support/hub';

let hub: Hub & { env: TestHubEnv };
const api = (path: string) => `${hub.url}/api/v1${path}`;

beforeAll(async () => {
  hub = await startTestHub('auth-session');
});
afterAll(async () => {
  await hub.stop();
});

async function login(email: string, password: string) {
  return request<{ token: string; expiresAt: string; user: { email: string; role: string } }>(api('/auth/login'), {
    body: { email, password },
    apiKey: null,
  });
}

describe('sign-in and sessions', () => {
  test('login answers a token and sets an httpOnly, SameSite session cookie; /me works with either', async () => {
    const res = await login(TEST_ADMIN.email.toUpperCase(), TEST_ADMIN.password);
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ email: TEST_ADMIN.email, role: 'admin' });
    expect(res.body.user).not.toHaveProperty('passwordHash');
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^hub_session=[^;]+;/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);

    const byBearer = await request<{ email: string }>(api('/me'), { apiKey: res.body.token });
    expect(byBearer.status).toBe(200);
    expect(byBearer.body.email).toBe(TEST_ADMIN.email);
    const byCookie = await request<{ email: string }>(api('/me'), { apiKey: null, headers: { cookie: cookie.split(';')[0]! } });
    expect(byCookie.status).toBe(200);
    expect(byCookie.body.email).toBe(TEST_ADMIN.email);
  });

  test('wrong password and unknown account answer the same 401 problem', async () => {
    const wrong = await login(TEST_ADMIN.email, 'not-the-password');
    const unknown = await login('nobody@test.example', 'whatever-pass');
    for (const r of [wrong, unknown]) {
      expect(r.status).toBe(401);
      expect(r.headers.get('content-type')).toMatch(/problem\+json/);
    }
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body).toMatchObject({ status: 401, code: 'sign_in_failed' });
  });

  test('logout ends the session at once; a tampered token is refused', async () => {
    const { body } = await login(TEST_ADMIN.email, TEST_ADMIN.password);
    expect((await request(api('/me'), { apiKey: body.token })).status).toBe(200);
    const [h, p, s] = body.token.split('.');
    const tampered = `${h}.${p}.${s!.slice(0, -2)}${s!.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await request(api('/me'), { apiKey: tampered })).status).toBe(401);
    expect((await request(api('/auth/logout'), { method: 'POST', apiKey: body.token })).status).toBe(204);
    expect((await request(api('/me'), { apiKey: body.token })).status).toBe(401);
  });

  test('a deactivated user is signed out everywhere and cannot sign in', async () => {
    const admin = (await login(TEST_ADMIN.email, TEST_ADMIN.password)).body.token;
    const created = await request<{ id: string }>(api('/users'), {
      apiKey: admin,
      body: { email: 'leaver@test.example', password: 'leaver-pass-1', name: 'Leaver', role: 'agent' },
    });
    expect(created.status).toBe(201);
    const agent = (await login('leaver@test.example', 'leaver-pass-1')).body.token;
    expect((await request(api('/me'), { apiKey: agent })).status).toBe(200);
    const off = await request(api(`/users/${created.body.id}`), { method: 'PATCH', apiKey: admin, body: { active: false } });
    expect(off.status).toBe(200);
    expect((await request(api('/me'), { apiKey: agent })).status).toBe(401);
    expect((await login('leaver@test.example', 'leaver-pass-1')).status).toBe(401);
  });
});

describe('integrator API tokens', () => {
  test('shown once, stored hashed, usable as a bearer, revocable', async () => {
    const admin = (await login(TEST_ADMIN.email, TEST_ADMIN.password)).body.token;
    const created = await request<{ token: string; id: string; prefix: string }>(api('/api-tokens'), {
      apiKey: admin,
      body: { name: 'CRM sync', role: 'supervisor' },
    });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^oh_/);
    expect(created.body.token.startsWith(created.body.prefix)).toBe(true);

    const listed = await request<{ items: Array<Record<string, unknown>> }>(api('/api-tokens'), { apiKey: admin });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
    expect(listed.body.items.map((t) => t.id)).toContain(created.body.id);
    const stored = await hub.models.ApiToken.find({}).lean();
    expect(JSON.stringify(stored)).not.toContain(created.body.token);

    const me = await request<{ kind: string; role: string }>(api('/me'), { apiKey: created.body.token });
    expect(me.body).toMatchObject({ kind: 'token', role: 'supervisor' });
    // A supervisor token may list users but not create them.
    expect((await request(api('/users'), { apiKey: created.body.token })).status).toBe(200);
    expect((await request(api('/users'), { apiKey: created.body.token, body: { email: 'x@y.z', password: 'xxxxxxxx', name: 'X', role: 'agent' } })).status).toBe(403);

    expect((await request(api(`/api-tokens/${created.body.id}`), { method: 'DELETE', apiKey: admin })).status).toBe(204);
    expect((await request(api('/me'), { apiKey: created.body.token })).status).toBe(401);
    expect((await request(api(`/api-tokens/${created.body.id}`), { method: 'DELETE', apiKey: admin })).status).toBe(404);
  });

  test('a revocation racing the token’s own use stays revoked (the "last used" stamp never writes it back)', async () => {
    const admin = (await login(TEST_ADMIN.email, TEST_ADMIN.password)).body.token;
    for (let round = 0; round < 15; round++) {
      const created = await request<{ id: string; token: string }>(api('/api-tokens'), { apiKey: admin, body: { name: `busy ${round}`, role: 'agent' } });
      expect(created.status).toBe(201);
      const uses = Array.from({ length: 8 }, () => request(api('/me'), { apiKey: created.body.token }));
      const revoked = request(api(`/api-tokens/${created.body.id}`), { method: 'DELETE', apiKey: admin });
      await Promise.all([...uses, revoked]);
      expect((await revoked).status).toBe(204);
      await new Promise((r) => setTimeout(r, 50)); // let the fire-and-forget stamps land
      expect([round, (await request(api('/me'), { apiKey: created.body.token })).status]).toEqual([round, 401]);
    }
  });
});

describe('validation and docs', () => {
  test('invalid bodies name the field at fault', async () => {
    const admin = (await login(TEST_ADMIN.email, TEST_ADMIN.password)).body.token;
    const res = await request<{ errors: Array<{ field: string }> }>(api('/users'), {
      apiKey: admin,
      body: { email: 'not-an-email', password: 'short', name: '', role: 'king' },
    });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e) => e.field).sort()).toEqual(['email', 'name', 'password', 'role']);
    const dup = await request(api('/teams'), { apiKey: admin, body: { name: 'Support' } });
    expect(dup.status).toBe(409);
  });

  test('/api/docs serves OpenAPI JSON to programs and a page to browsers', async () => {
    const json = await request<{ openapi: string; paths: Record<string, Record<string, { 'x-access': string }>> }>(`${hub.url}/api/docs`, {
      apiKey: null,
      headers: { accept: 'application/json' },
    });
    expect(json.status).toBe(200);
    expect(json.body.openapi).toMatch(/^3\./);
    expect(json.body.paths['/api/v1/auth/login']?.post?.['x-access']).toBe('public');
    expect(json.body.paths['/api/v1/users/{id}']?.patch?.['x-access']).toBe('admin');
    const html = await fetch(`${hub.url}/api/docs`, { headers: { accept: 'text/html' } });
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(await html.text()).toContain('swagger-ui');
    const asset = await fetch(`${hub.url}/api/docs/assets/swagger-ui-bundle.js`);
    expect(asset.status).toBe(200);
  });

  test('security headers are set and foreign origins get no CORS grant', async () => {
    const res = await fetch(`${hub.url}/healthz`, { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('public rate limit', () => {
  test('public endpoints answer 429 with Retry-After past the per-IP budget; signed-in routes are not counted', async () => {
    const limited = await startTestHub('ratelimit', { PUBLIC_RATE_LIMIT_PER_MINUTE: '3' });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) {
        // A wrong key counts against the address (the valid key has its own budget: test/http/rate-limit.test.ts).
        codes.push((await request(`${limited.url}/api/v1/inbound`, { body: { externalId: `rl-${i}`, from: { address: 'rl@example.com' }, text: 'hi' }, apiKey: 'not-the-key-0123456789' })).status);
      }
      expect(codes).toEqual([401, 401, 401, 429]);
      const blocked = await request(`${limited.url}/api/v1/auth/login`, { body: { email: TEST_ADMIN.email, password: TEST_ADMIN.password }, apiKey: null });
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await request(`${limited.url}/healthz`)).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});
