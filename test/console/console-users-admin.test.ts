import path from 'node:path';
import type { BrowserContext, Browser, Page } from 'playwright-core';
import type { TestHub } from '../support/desk.fixtures';
import { request, TEST_ADMIN } from '../support/hub';
import { until } from '../support/process';
import {
  apiLogin,
  createAgent,
  ensureTeam,
  expectNoPageTrouble,
  expectNoSettingsScreen,
  expectRefusedAtFields,
  openSettingsScreen,
  screenshotDir,
  startAdminConsole,
  stopConsole,
  type PageGuard,
} from './console.support';

interface UserJson {
  id: string;
  email: string;
  name: string;
  role: string;
  teams: string[];
  skills: string[];
  languages: string[];
  maxConcurrent: { chat: number; async: number };
  active: boolean;
}

let hub: TestHub;
let browser: Browser;
let adminToken: string;
let agent: Awaited<ReturnType<typeof createAgent>>;
let supportId: string;
let billingId: string;
let admin: { context: BrowserContext; page: Page; guard: PageGuard };
/** The password the hub made up for Ann. */
let annPassword: string;

const ANN = 'ann.lee@test.example';
const users = async () => (await request<{ items: UserJson[] }>(`${hub.url}/api/v1/users`, { apiKey: adminToken })).body.items;
const userByEmail = async (email: string) => (await users()).find((u) => u.email === email);
const loginStatus = async (email: string, password: string) => (await request(`${hub.url}/api/v1/auth/login`, { body: { email, password }, apiKey: null })).status;
const screen = () => admin.page.locator('[data-testid=users-admin]');
const form = () => admin.page.locator('[data-testid=user-form]');
const tableRow = (email: string) => admin.page.locator(`[data-testid=users-table] tr[data-email="${email}"]`);
const notice = (text: string) => admin.page.locator('[data-testid=users-notice]', { hasText: text }).waitFor({ timeout: 30_000 });

beforeAll(async () => {
  ({ hub, browser, agent, admin } = await startAdminConsole('con-users', { email: 'uma.users@test.example', name: 'Uma Agent' }, { clipboard: true }));
  adminToken = agent.adminToken;
  supportId = agent.teamId;
  billingId = await ensureTeam(hub.url, adminToken, 'Billing');
});
afterAll(() => stopConsole(hub, browser));
afterEach(() => expectNoPageTrouble(admin));

describe('people in the settings screen', () => {
  test('agents have no people screen; the address shows their inbox', async () => {
    await expectNoSettingsScreen(browser, hub.url, agent, 'users');
  });

  test('an admin creates a supervisor with a made-up password, shown once with a copy button; it signs in', async () => {
    const page = admin.page;
    await openSettingsScreen(page, 'users');
    await tableRow(agent.email).waitFor();

    await page.locator('button[data-action=user-new]').click();
    await form().waitFor();
    await form().getByLabel('Email').fill(ANN);
    await form().getByLabel('Name').fill('Ann Lee');
    await form().getByLabel('Role').selectOption('supervisor');
    await form().getByLabel('Billing').check();
    await form().getByLabel('Skills').fill('refunds, invoices');
    await form().getByLabel('Languages').fill('en, zh');
    await form().getByLabel('Chats at once').fill('2');
    await form().getByLabel('Other tickets at once').fill('6');
    expect(await form().getByLabel('Make one up (shown once after saving)').isChecked()).toBe(true);
    await form().locator('button[data-action=user-save]').click();

    await notice('Created Ann Lee.');
    const secret = page.locator('[data-testid=user-password]');
    await secret.waitFor();
    expect(await secret.innerText()).toContain('Password of Ann Lee');
    annPassword = await secret.locator('input[data-secret]').inputValue();
    expect(annPassword.length).toBeGreaterThanOrEqual(12);
    await secret.locator('button[data-action=copy-secret]').click();
    await secret.locator('text=Copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(annPassword);
    await page.screenshot({ path: path.join(screenshotDir(), 'console-users-admin.png') });

    expect(await userByEmail(ANN)).toMatchObject({
      name: 'Ann Lee',
      role: 'supervisor',
      teams: [billingId],
      skills: ['refunds', 'invoices'],
      languages: ['en', 'zh'],
      maxConcurrent: { chat: 2, async: 6 },
      active: true,
    });
    expect(await tableRow(ANN).locator('[data-cell=role]').innerText()).toBe('Supervisor');
    expect(await tableRow(ANN).locator('[data-cell=teams]').innerText()).toBe('Billing');
    expect(await loginStatus(ANN, annPassword)).toBe(200);

    // Once closed, the password is nowhere: not on the screen, not after a reload, not in the API.
    await secret.locator('button[data-action=secret-done]').click();
    await secret.waitFor({ state: 'detached' });
    await page.reload();
    await tableRow(ANN).waitFor();
    expect(await page.content()).not.toContain(annPassword);
    expect(JSON.stringify(await users())).not.toContain(annPassword);
  });

  test('invalid input shows the API’s errors next to the fields at fault, and nobody is created', async () => {
    const before = (await users()).length;
    await admin.page.locator('button[data-action=user-new]').click();
    await form().waitFor();
    await form().getByLabel('Email').fill('not-an-email');
    await form().getByLabel('Chats at once').fill('500');
    await form().getByLabel('Set it now').check();
    await form().locator('input[name=password]').fill('short');
    await form().locator('button[data-action=user-save]').click();

    for (const f of ['email', 'name', 'chat', 'password']) await form().locator(`[data-field-error=${f}]`).waitFor({ timeout: 30_000 });
    expect(await form().locator('[data-field-error=async]').count()).toBe(0);
    expect(await form().getByLabel('Chats at once').getAttribute('aria-invalid')).toBe('true');
    expect(await form().getByLabel('Email').getAttribute('aria-describedby')).toContain('user-email-error');
    await expectRefusedAtFields(form(), 'email');
    await admin.page.screenshot({ path: path.join(screenshotDir(), 'console-users-admin-errors.png') });

    // An email in use: the hub's 409 names the field.
    await form().getByLabel('Email').fill(ANN.toUpperCase());
    expect(await form().locator('[data-field-error=email]').count()).toBe(0);
    await form().getByLabel('Name').fill('Ann Again');
    await form().getByLabel('Chats at once').fill('3');
    await form().locator('input[name=password]').fill('long-enough-1');
    await form().locator('button[data-action=user-save]').click();
    await form().locator('[data-field-error=email]', { hasText: 'already in use' }).waitFor({ timeout: 30_000 });
    expect(await form().locator('[data-field-error=name]').count()).toBe(0);
    expect((await users()).length).toBe(before);

    await form().getByLabel('Email').press('Escape');
    await form().waitFor({ state: 'detached' });
  });

  test('an admin edits role, teams, skills, languages, limits and the password', async () => {
    await tableRow(ANN).locator('button[data-action=user-edit]').click();
    await form().waitFor();
    expect(await form().locator('h3').innerText()).toBe('Edit Ann Lee');
    expect(await form().getByLabel('Skills').inputValue()).toBe('refunds, invoices');
    await form().getByLabel('Role').selectOption('agent');
    await form().getByLabel('Billing').uncheck();
    await form().getByLabel('Support').check();
    await form().getByLabel('Skills').fill('refunds');
    await form().getByLabel('Languages').fill('zh');
    await form().getByLabel('Chats at once').fill('4');
    await form().getByLabel('New password').fill('ann-new-password');
    await form().locator('button[data-action=user-save]').click();
    await notice('Saved Ann Lee.');

    expect(await userByEmail(ANN)).toMatchObject({ role: 'agent', teams: [supportId], skills: ['refunds'], languages: ['zh'], maxConcurrent: { chat: 4, async: 6 } });
    expect(await tableRow(ANN).locator('[data-cell=role]').innerText()).toBe('Agent');
    expect(await tableRow(ANN).locator('[data-cell=limits]').innerText()).toBe('4 chats, 6 other');
    expect(await loginStatus(ANN, annPassword)).toBe(401);
    expect(await loginStatus(ANN, 'ann-new-password')).toBe(200);

    // A limit out of range is refused at its field.
    await tableRow(ANN).locator('button[data-action=user-edit]').click();
    await form().getByLabel('Other tickets at once').fill('5000');
    await form().locator('button[data-action=user-save]').click();
    await form().locator('[data-field-error=async]').waitFor({ timeout: 30_000 });
    await expectRefusedAtFields(form(), 'async');
    expect((await userByEmail(ANN))?.maxConcurrent.async).toBe(6);
    await form().getByLabel('Other tickets at once').press('Escape');
  });

  test('search narrows the list; deactivating signs the person out and stops sign-in; reactivating lets them back', async () => {
    const page = admin.page;
    await screen().getByPlaceholder('Search name, email, skill…').fill('refunds');
    await until(() => screen().locator('[data-testid=users-table] tr[data-email]').count(), (n) => n === 1, 5000);
    expect(await tableRow(ANN).count()).toBe(1);
    await screen().getByPlaceholder('Search name, email, skill…').fill('');

    // The admin's own row cannot be deactivated.
    expect(await tableRow(TEST_ADMIN.email).locator('button[data-action=user-deactivate]').count()).toBe(0);

    const session = await apiLogin(hub.url, ANN, 'ann-new-password');
    await tableRow(ANN).locator('button[data-action=user-deactivate]').click();
    await tableRow(ANN).locator('button[data-action=user-confirm-deactivate]').click();
    await notice('Deactivated Ann Lee; they are signed out.');
    await page.locator(`[data-testid=users-table] tr[data-email="${ANN}"][data-active=false]`).waitFor();
    expect(await tableRow(ANN).innerText()).toContain('Deactivated');
    expect((await userByEmail(ANN))?.active).toBe(false);
    expect(await loginStatus(ANN, 'ann-new-password')).toBe(401);
    expect((await request(`${hub.url}/api/v1/me`, { apiKey: session })).status).toBe(401);

    await tableRow(ANN).locator('button[data-action=user-reactivate]').click();
    await notice('Reactivated Ann Lee.');
    await page.locator(`[data-testid=users-table] tr[data-email="${ANN}"][data-active=true]`).waitFor();
    expect(await loginStatus(ANN, 'ann-new-password')).toBe(200);
  });

  test('an admin cannot demote or deactivate themselves: the refusal shows at the role field', async () => {
    await tableRow(TEST_ADMIN.email).locator('button[data-action=user-edit]').click();
    await form().waitFor();
    expect(await form().innerText()).toContain('You cannot take away your own admin role.');
    await form().getByLabel('Role').selectOption('agent');
    await form().locator('button[data-action=user-save]').click();
    await form().locator('[data-field-error=role]', { hasText: 'not your own account' }).waitFor({ timeout: 30_000 });
    expect(await form().locator('[data-testid=problem]').innerText()).toContain('You cannot take away your own admin role.');
    expect((await userByEmail(TEST_ADMIN.email))?.role).toBe('admin');
    await form().getByLabel('Role').press('Escape');
    await form().waitFor({ state: 'detached' });

    const me = (await userByEmail(TEST_ADMIN.email))!;
    const refused = await request<{ errors: Array<{ field: string }> }>(`${hub.url}/api/v1/users/${me.id}`, { method: 'PATCH', body: { active: false }, apiKey: adminToken });
    expect(refused.status).toBe(409);
    expect(refused.body.errors).toEqual([{ field: 'active', message: 'not your own account', code: 'own_account' }]);
    expect((await userByEmail(TEST_ADMIN.email))?.active).toBe(true);
  });

  test('the screen in Chinese', async () => {
    const page = admin.page;
    await page.locator('[data-testid=lang-switch]').selectOption('zh-CN');
    await screen().locator('h1', { hasText: '人员' }).waitFor();
    expect(await page.locator('a[data-nav=users]').innerText()).toBe('人员');
    expect(await screen().locator('th').allInnerTexts()).toEqual(expect.arrayContaining(['姓名', '角色', '团队', '技能和语言', '上限']));
    expect(await tableRow(ANN).locator('[data-cell=role]').innerText()).toBe('客服');
    await page.locator('[data-testid=lang-switch]').selectOption('en');
  });
});
