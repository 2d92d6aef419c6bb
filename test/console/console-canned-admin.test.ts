import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { CannedDto, TestHub } from '../support/desk.fixtures';
import { request, TEST_ADMIN } from '../support/hub';
import { until } from '../support/process';
import {
  apiLogin,
  createAgent,
  expectNoPageTrouble,
  expectNoSettingsScreen,
  expectRefusedAtFields,
  markDocument,
  openConsole,
  openSettingsScreen,
  sameDocument,
  screenshotDir,
  startConsole,
  stopConsole,
  untilRouting,
  type PageGuard,
} from './console.support';

let hub: TestHub;
let browser: Browser;
let adminToken: string;
let agent: Awaited<ReturnType<typeof createAgent>>;
let admin: { page: Page; guard: PageGuard };
let desk: { page: Page; guard: PageGuard };
let ticketId: string;

const listCanned = async () => (await request<{ items: CannedDto[] }>(`${hub.url}/api/v1/canned-responses`, { apiKey: adminToken })).body.items;
const screen = () => admin.page.locator('[data-testid=canned-admin]');
const form = () => admin.page.locator('[data-testid=canned-form]');
/** The name of the admin page's focused field. */
const focused = () => admin.page.evaluate(() => document.activeElement?.getAttribute('name') ?? null);
const tableRow = (shortcut: string) => admin.page.locator(`[data-testid=canned-table] tr[data-shortcut="${shortcut}"]`);

/** The agent types `/query` in the reply box of the open ticket; answers the picker's shortcuts once `expect` holds. */
async function pickerShows(query: string, expected: string[]): Promise<void> {
  const box = desk.page.locator('textarea[data-composer=reply]');
  await box.fill('');
  await box.click();
  await box.pressSequentially(`/${query}`);
  const picker = desk.page.locator('[data-testid=canned-picker]');
  await picker.waitFor();
  await until(
    () => picker.locator('[data-shortcut]').evaluateAll((els) => els.map((e) => e.getAttribute('data-shortcut'))),
    (v) => JSON.stringify(v) === JSON.stringify(expected),
    10_000,
  );
}

beforeAll(async () => {
  ({ hub, browser } = await startConsole('con-canned'));
  agent = await createAgent(hub.url, { email: 'cora.canned@test.example', name: 'Cora Agent' });
  adminToken = agent.adminToken;

  admin = await openConsole(browser, hub.url, TEST_ADMIN);

  // The agent's console is open (its canned list loaded) before any response exists.
  desk = await openConsole(browser, hub.url, agent);
  await untilRouting(hub.url, await apiLogin(hub.url, agent.email, agent.password), 'online');
  const sent = await request<{ ticketId: string }>(`${hub.url}/api/v1/inbound`, {
    body: { externalId: 'canned-admin-1', from: { address: 'mia@example.com', name: 'Mia Customer' }, subject: 'Refund status', text: 'When will my refund arrive?' },
  });
  ticketId = sent.body.ticketId;
  await desk.page.locator(`.ticket-list a[data-ticket-id="${ticketId}"]`).click();
  await desk.page.locator(`[data-testid=ticket-view][data-ticket-id="${ticketId}"]`).waitFor();
  await markDocument(desk.page);
});
afterAll(() => stopConsole(hub, browser));
afterEach(() => expectNoPageTrouble(admin, desk));

describe('canned responses in the settings screen', () => {
  test('agents have no settings screen; the address shows their inbox', async () => {
    expect(await desk.page.locator('a[data-nav=canned]').count()).toBe(0);
    await expectNoSettingsScreen(browser, hub.url, agent, 'canned');
  });

  test("an admin creates one in the settings screen; the agent's / picker offers it and inserts it", async () => {
    const page = admin.page;
    await openSettingsScreen(page, 'canned');
    await screen().locator('text=No canned responses yet').waitFor();

    await page.locator('button[data-action=canned-new]').click();
    await form().waitFor();
    // The form opens with the shortcut field focused.
    await until(focused, (name) => name === 'shortcut', 5000);
    await form().getByLabel('Shortcut').fill('Refund-Time');
    await form().getByLabel('Title', { exact: true }).fill('Refund timing');
    await form().getByLabel('Language').selectOption('en');
    await form().getByLabel('Text', { exact: true }).fill('Hi {{customer}}, refunds reach your account within 3-5 working days. — {{agent}}');
    await form().locator('button[data-action=canned-save]').click();

    // The hub lowercases shortcuts: the list shows what it stored.
    await page.locator('[data-testid=canned-notice]', { hasText: 'Created /refund-time.' }).waitFor({ timeout: 10_000 });
    await tableRow('refund-time').waitFor();
    expect(await tableRow('refund-time').innerText()).toContain('Refund timing');
    expect(await tableRow('refund-time').innerText()).toContain('English');
    expect(await form().count()).toBe(0);
    expect(await listCanned()).toEqual([expect.objectContaining({ shortcut: 'refund-time', title: 'Refund timing', locale: 'en' })]);
    await page.screenshot({ path: path.join(screenshotDir(), 'console-canned-admin.png') });

    // The agent, without reloading, types /refund and inserts it.
    await pickerShows('refund', ['refund-time']);
    const box = desk.page.locator('textarea[data-composer=reply]');
    await box.press('Enter');
    await desk.page.locator('[data-testid=canned-picker]').waitFor({ state: 'detached' });
    expect(await box.inputValue()).toBe('Hi Mia Customer, refunds reach your account within 3-5 working days. — Cora Agent');
    expect(await sameDocument(desk.page)).toBe('yes');
  });

  test('invalid input shows the API’s errors next to the fields at fault, and nothing is saved', async () => {
    const page = admin.page;
    await page.locator('button[data-action=canned-new]').click();
    await form().waitFor();
    await form().getByLabel('Shortcut').fill('has space');
    await form().getByLabel('Text', { exact: true }).fill('x');
    await form().locator('button[data-action=canned-save]').click();

    const shortcutError = form().locator('[data-field-error=shortcut]');
    await shortcutError.waitFor({ timeout: 10_000 });
    expect(await shortcutError.innerText()).toContain('letters, digits, - and _ only');
    await form().locator('[data-field-error=title]').waitFor();
    expect(await form().locator('[data-field-error=text]').count()).toBe(0);
    expect(await form().getByLabel('Shortcut').getAttribute('aria-invalid')).toBe('true');
    expect(await form().getByLabel('Title', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    // The error is how the field describes itself to a screen reader, and focus goes to the first field at fault;
    // the problem's title is shown once, the field messages are not repeated there.
    expect(await form().getByLabel('Shortcut').getAttribute('aria-describedby')).toContain('canned-shortcut-error');
    const problem = await expectRefusedAtFields(form(), 'shortcut');

    await page.screenshot({ path: path.join(screenshotDir(), 'console-canned-admin-errors.png') });

    // A shortcut in use: the hub's 409 names the field too.
    await form().getByLabel('Shortcut').fill('refund-time');
    expect(await form().locator('[data-field-error=shortcut]').count()).toBe(0);
    await form().getByLabel('Title', { exact: true }).fill('Another refund text');
    await form().locator('button[data-action=canned-save]').click();
    await form().locator('[data-field-error=shortcut]', { hasText: 'already in use' }).waitFor({ timeout: 10_000 });
    expect(await form().locator('[data-field-error=title]').count()).toBe(0);
    expect(await problem.innerText()).toContain('Shortcut taken');
    expect((await listCanned()).map((c) => c.shortcut)).toEqual(['refund-time']);

    // Esc leaves the form without saving.
    await form().getByLabel('Shortcut').press('Escape');
    await form().waitFor({ state: 'detached' });
    expect((await listCanned()).map((c) => c.shortcut)).toEqual(['refund-time']);
  });

  test('an admin edits and deletes; the composer follows', async () => {
    const page = admin.page;
    await page.locator('button[data-action=canned-new]').click();
    await form().getByLabel('Shortcut').fill('greeting');
    await form().getByLabel('Title', { exact: true }).fill('Greeting');
    await form().getByLabel('Text', { exact: true }).fill('Hello {{customer}}!');
    await form().locator('button[data-action=canned-save]').click();
    await tableRow('greeting').waitFor({ timeout: 10_000 });

    await tableRow('greeting').locator('button[data-action=canned-edit]').click();
    await form().waitFor();
    expect(await form().locator('h3').innerText()).toBe('Edit /greeting');
    expect(await form().getByLabel('Text', { exact: true }).inputValue()).toBe('Hello {{customer}}!');
    await form().getByLabel('Text', { exact: true }).fill('Good morning {{customer}}, thanks for writing to us.');
    await form().locator('button[data-action=canned-save]').click();
    await page.locator('[data-testid=canned-notice]', { hasText: 'Saved /greeting.' }).waitFor({ timeout: 10_000 });
    expect((await listCanned()).find((c) => c.shortcut === 'greeting')?.text).toBe('Good morning {{customer}}, thanks for writing to us.');

    await pickerShows('greet', ['greeting']);
    const box = desk.page.locator('textarea[data-composer=reply]');
    await box.press('Enter');
    expect(await box.inputValue()).toBe('Good morning Mia Customer, thanks for writing to us.');

    // Delete asks first, in place; Cancel keeps it.
    await tableRow('greeting').locator('button[data-action=canned-delete]').click();
    const confirm = tableRow('greeting').locator('button[data-action=canned-confirm-delete]');
    await confirm.waitFor();
    await until(() => confirm.evaluate((b) => b === document.activeElement), (v) => v, 5000);
    await tableRow('greeting').locator('button', { hasText: 'Cancel' }).click();
    await tableRow('greeting').locator('button[data-action=canned-delete]').click();
    await tableRow('greeting').locator('button[data-action=canned-confirm-delete]').click();
    await page.locator('[data-testid=canned-notice]', { hasText: 'Deleted /greeting.' }).waitFor({ timeout: 10_000 });
    await tableRow('greeting').waitFor({ state: 'detached' });
    expect((await listCanned()).map((c) => c.shortcut)).toEqual(['refund-time']);

    await pickerShows('greet', []);
    expect(await desk.page.locator('[data-testid=canned-picker]').innerText()).toContain('No canned response matches');
    await box.press('Escape');
  });

  test('the screen in Chinese', async () => {
    const page = admin.page;
    await page.locator('[data-testid=lang-switch]').selectOption('zh-CN');
    await screen().locator('h1', { hasText: '快捷回复' }).waitFor();
    await page.locator('button[data-action=canned-new]', { hasText: '新建快捷回复' }).waitFor();
    expect(await page.locator('a[data-nav=canned]').innerText()).toBe('快捷回复');
    expect(await screen().locator('th').allInnerTexts()).toEqual(expect.arrayContaining(['快捷词', '标题', '语言', '内容']));
    expect(await tableRow('refund-time').innerText()).toContain('English');
    await page.locator('[data-testid=lang-switch]').selectOption('en');
  });
});
