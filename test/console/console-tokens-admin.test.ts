import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestHub } from '../support/desk.fixtures';
import { request } from '../support/hub';
import {
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

interface TokenJson {
  id: string;
  name: string;
  prefix: string;
  role: string;
  teams: string[];
  revokedAt: string | null;
}

let hub: TestHub;
let browser: Browser;
let adminToken: string;
let agent: Awaited<ReturnType<typeof createAgent>>;
let billingId: string;
let admin: { context: BrowserContext; page: Page; guard: PageGuard };
let crmToken: string;

const tokens = async () => (await request<{ items: TokenJson[] }>(`${hub.url}/api/v1/api-tokens`, { apiKey: adminToken })).body.items;
const screen = () => admin.page.locator('[data-testid=tokens-admin]');
const form = () => admin.page.locator('[data-testid=token-form]');
const tableRow = (name: string) => admin.page.locator(`[data-testid=tokens-table] tr[data-name="${name}"]`);
const notice = (text: string) => admin.page.locator('[data-testid=tokens-notice]', { hasText: text }).waitFor({ timeout: 10_000 });
const meWith = (token: string) => request<{ kind: string; role: string; teams: string[] }>(`${hub.url}/api/v1/me`, { apiKey: token });

beforeAll(async () => {
  ({ hub, browser, agent, admin } = await startAdminConsole('con-tokens', { email: 'tia.tokens@test.example', name: 'Tia Agent' }, { clipboard: true }));
  adminToken = agent.adminToken;
  billingId = await ensureTeam(hub.url, adminToken, 'Billing');
});
afterAll(() => stopConsole(hub, browser));
afterEach(() => expectNoPageTrouble(admin));

describe('integrator API tokens in the settings screen', () => {
  test('agents have no API tokens screen; the address shows their inbox', async () => {
    await expectNoSettingsScreen(browser, hub.url, agent, 'tokens');
  });

  test('a nameless token is refused at the name field, and none is made', async () => {
    await openSettingsScreen(admin.page, 'tokens');
    await screen().locator('text=No API tokens yet.').waitFor();
    await admin.page.locator('button[data-action=token-new]').click();
    await form().waitFor();
    await form().getByLabel('Name').fill('   ');
    await form().locator('button[data-action=token-save]').click();
    await form().locator('[data-field-error=name]').waitFor({ timeout: 10_000 });
    expect(await form().getByLabel('Name').getAttribute('aria-invalid')).toBe('true');
    expect(await form().getByLabel('Name').getAttribute('aria-describedby')).toContain('token-name-error');
    await expectRefusedAtFields(form(), 'name');
    expect(await tokens()).toEqual([]);
  });

  test('an admin creates a token: shown once with a copy button, it works with its role and teams, and only its prefix stays', async () => {
    const page = admin.page;
    await form().getByLabel('Name').fill('CRM sync');
    await form().getByLabel('Role').selectOption('supervisor');
    await form().getByLabel('Billing').check();
    await form().locator('button[data-action=token-save]').click();

    await notice('Created the API token CRM sync.');
    const secret = page.locator('[data-testid=api-token-secret]');
    await secret.waitFor();
    crmToken = await secret.locator('input[data-secret]').inputValue();
    expect(crmToken).toMatch(/^oh_/);
    await secret.locator('button[data-action=copy-secret]').click();
    await secret.locator('text=Copied to the clipboard.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(crmToken);
    await page.screenshot({ path: path.join(screenshotDir(), 'console-tokens-admin.png') });

    const me = await meWith(crmToken);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ role: 'supervisor', teams: [billingId] });
    expect(await tableRow('CRM sync').locator('[data-cell=role]').innerText()).toBe('Supervisor');
    expect(await tableRow('CRM sync').locator('[data-cell=teams]').innerText()).toBe('Billing');
    expect(await tableRow('CRM sync').locator('[data-cell=status]').innerText()).toBe('Active');
    const [listed] = await tokens();
    expect(crmToken.startsWith(listed!.prefix)).toBe(true);
    expect(await tableRow('CRM sync').locator('[data-cell=prefix]').innerText()).toBe(`${listed!.prefix}…`);

    await secret.locator('button[data-action=secret-done]').click();
    await secret.waitFor({ state: 'detached' });
    await page.reload();
    await tableRow('CRM sync').waitFor();
    expect(await page.content()).not.toContain(crmToken);
    expect(JSON.stringify(await tokens())).not.toContain(crmToken);
  });

  test('a revoked token stops working (401) and shows as revoked', async () => {
    await tableRow('CRM sync').locator('button[data-action=token-revoke]').click();
    await tableRow('CRM sync').locator('button', { hasText: 'Cancel' }).click();
    expect((await meWith(crmToken)).status).toBe(200);

    await tableRow('CRM sync').locator('button[data-action=token-revoke]').click();
    await tableRow('CRM sync').locator('button[data-action=token-confirm-revoke]').click();
    await notice('Revoked CRM sync; it no longer works.');
    await admin.page.locator('[data-testid=tokens-table] tr[data-name="CRM sync"][data-revoked=true]').waitFor();
    expect(await tableRow('CRM sync').locator('[data-cell=status]').innerText()).toContain('Revoked');
    expect(await tableRow('CRM sync').locator('button[data-action=token-revoke]').count()).toBe(0);
    expect((await meWith(crmToken)).status).toBe(401);
    expect((await tokens())[0]?.revokedAt).toEqual(expect.any(String));
  });

  test('the screen in Chinese', async () => {
    const page = admin.page;
    await page.locator('[data-testid=lang-switch]').selectOption('zh-CN');
    await screen().locator('h1', { hasText: 'API 令牌' }).waitFor();
    expect(await page.locator('a[data-nav=tokens]').innerText()).toBe('API 令牌');
    expect(await tableRow('CRM sync').locator('[data-cell=role]').innerText()).toBe('主管');
    expect(await tableRow('CRM sync').locator('[data-cell=status]').innerText()).toContain('已于');
    await page.locator('[data-testid=lang-switch]').selectOption('en');
  });
});
