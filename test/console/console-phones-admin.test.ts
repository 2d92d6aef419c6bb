import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestHub } from '../support/desk.fixtures';
import { request } from '../support/hub';
import {
  createAgent,
  expectNoPageTrouble,
  expectNoSettingsScreen,
  expectRefusedAtFields,
  openSettingsScreen,
  screenshotDir,
  startAdminConsole,
  stopConsole,
  type PageGuard,
} from './console.support';

/**
 * Settings → Phone numbers: an admin adds a Twilio number (a bad number is refused at its field),
 * sees the webhook addresses to give Twilio, edits it (the auth token stays unless replaced, and
 * is never shown), and deletes it. Agents have no such screen.
 */

interface PhoneJson {
  id: string;
  name: string;
  enabled: boolean;
  settings: { number: string; accountSid: string; webhookBaseUrl?: string; voiceLanguage: string; sms: boolean; voice: boolean };
  secrets: { authToken: { set: boolean } };
}

const SID = `AC${'0123456789abcdef'.repeat(2)}`;
const TOKEN = 'twilio-auth-token-0123456789';

let hub: TestHub;
let browser: Browser;
let adminToken: string;
let agent: Awaited<ReturnType<typeof createAgent>>;
let admin: { context: BrowserContext; page: Page; guard: PageGuard };

const phones = async () => (await request<{ items: PhoneJson[] }>(`${hub.url}/api/v1/channels`, { apiKey: adminToken })).body.items;
const form = () => admin.page.locator('[data-testid=phone-form]');
const tableRow = (name: string) => admin.page.locator(`[data-testid=phones-table] tr[data-name="${name}"]`);
const notice = (text: string) => admin.page.locator('[data-testid=phones-notice]', { hasText: text }).waitFor({ timeout: 10_000 });

beforeAll(async () => {
  ({ hub, browser, agent, admin } = await startAdminConsole('con-phones', { email: 'pia.phones@test.example', name: 'Pia Agent' }));
  adminToken = agent.adminToken;
});
afterAll(() => stopConsole(hub, browser));
afterEach(() => expectNoPageTrouble(admin));

test('agents have no phone numbers screen', async () => {
  await expectNoSettingsScreen(browser, hub.url, agent, 'phones');
});

test('an admin adds a number (a bad one refused at the field), sees its webhooks, edits and deletes it', async () => {
  await openSettingsScreen(admin.page, 'phones');
  await admin.page.locator('[data-testid=phones-admin]').locator('text=No phone numbers yet.').waitFor();
  await admin.page.locator('button[data-action=phone-new]').click();
  await form().waitFor();
  await form().getByLabel('Name').fill('Beijing hotline');
  await form().getByLabel('Number').fill('010 8000 1234');
  await form().getByLabel('Account SID').fill(SID);
  await form().getByLabel('Auth token').fill(TOKEN);
  await form().getByLabel('Public base URL').fill('https://support.example.cn');
  await form().getByLabel('Voice menu language').selectOption('zh-CN');
  await form().locator('button[data-action=phone-save]').click();
  await expectRefusedAtFields(form(), 'number');
  expect(await form().locator('#phone-number-error').innerText()).toContain('E.164');
  expect(await phones()).toEqual([]);

  await form().getByLabel('Number').fill('+861080001234');
  await form().locator('button[data-action=phone-save]').click();
  await notice('Added the number Beijing hotline.');
  const [made] = await phones();
  expect(made).toMatchObject({ name: 'Beijing hotline', enabled: true, settings: { number: '+861080001234', accountSid: SID, webhookBaseUrl: 'https://support.example.cn', voiceLanguage: 'zh-CN', sms: true, voice: true }, secrets: { authToken: { set: true } } });
  const row = tableRow('Beijing hotline');
  expect(await row.locator('[data-cell=number]').innerText()).toBe('+861080001234');
  expect(await row.locator('[data-cell=language]').innerText()).toBe('简体中文');
  expect(await row.locator('[data-cell=webhooks]').innerText()).toContain(`https://support.example.cn/webhooks/twilio/${made!.id}/sms`);
  expect(await row.locator('[data-cell=webhooks]').innerText()).toContain(`https://support.example.cn/webhooks/twilio/${made!.id}/voice`);
  expect(await admin.page.content()).not.toContain(TOKEN);
  await admin.page.screenshot({ path: path.join(screenshotDir(), 'console-phones-admin.png'), fullPage: true });

  // Edit: calls off, English menu; the token field stays empty and the token is kept.
  await row.locator('button[data-action=phone-edit]').click();
  await form().waitFor();
  expect(await form().getByLabel('Auth token').inputValue()).toBe('');
  expect(await form().locator('#phone-authToken-hint').innerText()).toContain('Leave empty to keep it');
  await form().getByLabel('Voice menu language').selectOption('en');
  await form().getByLabel('Calls').uncheck();
  await form().locator('button[data-action=phone-save]').click();
  await notice('Saved Beijing hotline.');
  const [edited] = await phones();
  expect(edited).toMatchObject({ settings: { voiceLanguage: 'en', voice: false, sms: true }, secrets: { authToken: { set: true } } });
  expect(await row.locator('[data-cell=channels]').innerText()).toBe('SMS');

  await row.locator('button[data-action=phone-delete]').click();
  await admin.page.locator('button[data-action=phone-confirm-delete]').click();
  await notice('Deleted Beijing hotline.');
  expect(await phones()).toEqual([]);
});

test('an admin gives an agent the phone their calls ring (a number that is not E.164 is refused at the field)', async () => {
  await openSettingsScreen(admin.page, 'users');
  const userForm = admin.page.locator('[data-testid=user-form]');
  await admin.page.locator(`[data-testid=users-table] tr[data-email="${agent.email}"] button[data-action=user-edit]`).click();
  await userForm.waitFor();
  await userForm.getByLabel('Phone for calls').fill('138 0013 8000');
  await userForm.locator('button[data-action=user-save]').click();
  await expectRefusedAtFields(userForm, 'phone');
  expect(await userForm.locator('#user-phone-error').innerText()).toContain('E.164');
  await userForm.getByLabel('Phone for calls').fill('+8613800138000');
  await userForm.locator('button[data-action=user-save]').click();
  await admin.page.locator('[data-testid=users-notice]').waitFor({ timeout: 10_000 });
  const users = (await request<{ items: Array<{ id: string; phone: string }> }>(`${hub.url}/api/v1/users`, { apiKey: adminToken })).body.items;
  expect(users.find((u) => u.id === agent.id)?.phone).toBe('+8613800138000');
});
