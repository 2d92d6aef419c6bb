import { startTestHub, type JsonResponse } from '../support/hub';
import { until } from '../support/process';
import { api, createUser, signInAdmin, type SignedIn, type TestHub } from '../support/desk.fixtures';

// Long enough that PER_IP slow password checks (argon2) on a busy 2-core machine fit in one window.
const WINDOW_SECONDS = 8;
const PER_ACCOUNT = 3;
const PER_IP = 8;

let hub: TestHub;
let admin: SignedIn;

beforeAll(async () => {
  hub = await startTestHub('login-throttle', {
    LOGIN_THROTTLE_WINDOW_SECONDS: String(WINDOW_SECONDS),
    LOGIN_MAX_FAILURES_PER_ACCOUNT: String(PER_ACCOUNT),
    LOGIN_MAX_FAILURES_PER_IP: String(PER_IP),
  });
  admin = await signInAdmin(hub);
});
afterAll(async () => {
  await hub.stop();
});

const login = (email: string, password: string) => api<{ token?: string; detail?: string }>(hub, null, 'POST', '/auth/login', { email, password });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** After the Retry-After the server named, the right password works again (polled, not timed). */
async function worksAfterWindow(blocked: JsonResponse, email: string, password: string): Promise<JsonResponse<{ token?: string }>> {
  await sleep(Number(blocked.headers.get('retry-after')) * 1000);
  return until(() => login(email, password), (r) => r.status !== 429, 15_000, 200);
}

test('repeated wrong passwords for one account are throttled (429, Retry-After), even for the right password, until the window passes', async () => {
  const user = await createUser(hub, admin, 'agent', []);
  const right = user.password;
  expect((await login(user.email, right)).status).toBe(200);

  const wrong = [];
  for (let i = 0; i < PER_ACCOUNT; i++) wrong.push((await login(user.email, 'wrong-password')).status);
  expect(wrong).toEqual([401, 401, 401]);
  const blocked = await login(user.email, 'wrong-password');
  expect(blocked.status).toBe(429);
  expect(blocked.headers.get('content-type')).toMatch(/application\/problem\+json/);
  const retryAfter = Number(blocked.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
  // The right password is refused while the account is throttled: guessing gains nothing.
  expect((await login(user.email, right)).status).toBe(429);
  // Other accounts are not affected by one account's throttle.
  const other = await createUser(hub, admin, 'agent', []);
  expect((await login(other.email, other.password)).status).toBe(200);

  const after = await worksAfterWindow(blocked, user.email, right);
  expect(after.status).toBe(200);
  expect(typeof after.body.token).toBe('string');
});

test('many failures from one address throttle every sign-in from it until the window passes', async () => {
  const user = await createUser(hub, admin, 'agent', []);
  const right = user.password;
  // At once, so the failures fall into one window even when each password check is slow.
  const codes = (await Promise.all(Array.from({ length: PER_IP }, (_, i) => login(`nobody-${i}@test.example`, 'guess')))).map((r) => r.status);
  expect(codes).toEqual(Array.from({ length: PER_IP }, () => 401));
  const blocked = await login(user.email, right);
  expect(blocked.status).toBe(429);
  const after = await worksAfterWindow(blocked, user.email, right);
  expect(after.status).toBe(200);
});
