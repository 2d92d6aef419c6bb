import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../support/desk.fixtures';
import { request, TEST_ADMIN } from '../support/hub';
import { createAgent, expectNoPageTrouble, expectRefusedAtFields, openConsole, openSettingsScreen, screenshotDir, startConsole, stopConsole, type PageGuard } from './console.support';

interface TeamJson {
  id: string;
  name: string;
  description: string;
}
interface RoutingJson {
  strategy: string;
  offerTimeoutMs: number;
  missedOfferCooldownMs: number;
  autoAccept: { chat: boolean; async: boolean };
}

let hub: TestHub;
let browser: Browser;
let adminToken: string;
let admin: { page: Page; guard: PageGuard };
let vipId: string;

const teams = async () => (await request<{ items: TeamJson[] }>(`${hub.url}/api/v1/teams`, { apiKey: adminToken })).body.items;
const routingOf = async (id: string) => (await request<RoutingJson>(`${hub.url}/api/v1/teams/${id}/routing`, { apiKey: adminToken })).body;
const screen = () => admin.page.locator('[data-testid=teams-admin]');
const details = () => admin.page.locator('[data-testid=team-details-form]');
const routingForm = () => admin.page.locator('[data-testid=team-routing-form]');
const tableRow = (id: string) => admin.page.locator(`[data-testid=teams-table] tr[data-team-id="${id}"]`);
const notice = (text: string) => admin.page.locator('[data-testid=teams-notice]', { hasText: text }).waitFor({ timeout: 10_000 });

beforeAll(async () => {
  ({ hub, browser } = await startConsole('con-team-routing'));
  adminToken = (await createAgent(hub.url, { email: 'rita.routing@test.example', name: 'Rita Agent' })).adminToken;
  admin = await openConsole(browser, hub.url, TEST_ADMIN);
});
afterAll(() => stopConsole(hub, browser));
afterEach(() => expectNoPageTrouble(admin));

describe('creating teams and their routing in the teams screen', () => {
  test('an admin creates a team; a missing or taken name is refused at the name field', async () => {
    const page = admin.page;
    await openSettingsScreen(page, 'teams');
    const before = (await teams()).length;

    await page.locator('button[data-action=team-new]').click();
    await details().waitFor();
    await details().locator('button[data-action=team-details-save]').click();
    await details().locator('[data-field-error=name]').waitFor({ timeout: 10_000 });
    expect(await details().getByLabel('Name').getAttribute('aria-invalid')).toBe('true');
    await expectRefusedAtFields(details(), 'name');

    await details().getByLabel('Name').fill('Support');
    expect(await details().locator('[data-field-error=name]').count()).toBe(0);
    await details().locator('button[data-action=team-details-save]').click();
    await details().locator('[data-field-error=name]', { hasText: 'already in use' }).waitFor({ timeout: 10_000 });
    expect((await teams()).length).toBe(before);

    await details().getByLabel('Name').fill('VIP');
    await details().getByLabel('Description').fill('Platinum and gold customers');
    await details().locator('button[data-action=team-details-save]').click();
    await notice('Created the team VIP.');
    const vip = (await teams()).find((t) => t.name === 'VIP');
    expect(vip).toMatchObject({ description: 'Platinum and gold customers' });
    vipId = vip!.id;
    await tableRow(vipId).waitFor();
    expect(await tableRow(vipId).innerText()).toContain('Platinum and gold customers');
    // A new team routes with the defaults.
    await tableRow(vipId).locator('[data-cell=routing]', { hasText: 'Least busy' }).waitFor();
  });

  test('an admin renames the team', async () => {
    await tableRow(vipId).locator('button[data-action=team-rename]').click();
    await details().waitFor();
    expect(await details().locator('h3').innerText()).toBe('Rename VIP');
    await details().getByLabel('Name').fill('VIP desk');
    await details().locator('button[data-action=team-details-save]').click();
    await notice('Saved the team VIP desk.');
    expect((await teams()).find((t) => t.id === vipId)?.name).toBe('VIP desk');
    expect(await tableRow(vipId).innerText()).toContain('VIP desk');
  });

  test('an admin sets the team’s routing strategy and offer settings; out-of-range values are refused at the field', async () => {
    const page = admin.page;
    await tableRow(vipId).locator('button[data-action=team-routing]').click();
    await routingForm().waitFor();
    expect(await routingForm().locator('h3').innerText()).toBe('Routing of VIP desk');
    expect(await routingForm().getByLabel('Strategy').inputValue()).toBe('least-busy');
    expect(await routingForm().getByLabel('Time to accept an offer (seconds)').inputValue()).toBe('30');
    expect(await routingForm().getByLabel('Offer a missed ticket again after (seconds)').inputValue()).toBe('45');
    expect(await routingForm().getByLabel('Chats').isChecked()).toBe(false);
    expect(await routingForm().getByLabel('Email, SMS and other tickets').isChecked()).toBe(true);

    await routingForm().getByLabel('Strategy').selectOption('round-robin');
    expect(await routingForm().innerText()).toContain('Offers tickets to the available agents in turn.');
    await routingForm().getByLabel('Time to accept an offer (seconds)').fill('0.5');
    await routingForm().getByLabel('Offer a missed ticket again after (seconds)').fill('7200');
    await routingForm().locator('button[data-action=team-routing-save]').click();
    await routingForm().locator('[data-field-error=offerTimeoutMs]').waitFor({ timeout: 10_000 });
    expect(await routingForm().locator('[data-field-error=offerTimeoutMs]').innerText()).toBe('Enter 1 to 600 seconds.');
    expect(await routingForm().locator('[data-field-error=missedOfferCooldownMs]').innerText()).toBe('Enter 0 to 3600 seconds.');
    expect(await routingForm().locator('[data-field-error=strategy]').count()).toBe(0);
    await expectRefusedAtFields(routingForm(), 'offerTimeoutMs');
    expect((await routingOf(vipId)).strategy).toBe('least-busy');
    await page.screenshot({ path: path.join(screenshotDir(), 'console-team-routing-errors.png') });

    await routingForm().getByLabel('Time to accept an offer (seconds)').fill('20');
    await routingForm().getByLabel('Offer a missed ticket again after (seconds)').fill('10');
    await routingForm().getByLabel('Chats').check();
    await routingForm().locator('button[data-action=team-routing-save]').click();
    await notice('Saved the routing of VIP desk.');
    expect(await routingOf(vipId)).toMatchObject({ strategy: 'round-robin', offerTimeoutMs: 20_000, missedOfferCooldownMs: 10_000, autoAccept: { chat: true, async: true } });
    await tableRow(vipId).locator('[data-cell=routing]', { hasText: 'Round robin' }).waitFor();
    expect(await tableRow(vipId).locator('[data-cell=routing]').innerText()).toContain('offer 20 s, again after 10 s');
    await page.screenshot({ path: path.join(screenshotDir(), 'console-team-routing.png') });
  });

  test('the new parts in Chinese', async () => {
    const page = admin.page;
    await page.locator('[data-testid=lang-switch]').selectOption('zh-CN');
    await screen().locator('button[data-action=team-new]', { hasText: '新建团队' }).waitFor();
    expect(await tableRow(vipId).locator('[data-cell=routing]').innerText()).toContain('轮流分配');
    await page.locator('[data-testid=lang-switch]').selectOption('en');
  });
});
