import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
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

interface PolicyJson {
  id: string;
  match: { types?: string[]; priorities?: string[]; tiers?: string[] };
  targets: { firstResponseMinutes: number | null; nextResponseMinutes: number | null; resolutionMinutes: number | null };
  businessHours: boolean;
  warnRatio: number;
  escalation: { notifySupervisors: boolean; raisePriority: boolean; reassign: boolean };
}

let hub: TestHub;
let browser: Browser;
let adminToken: string;
let agent: Awaited<ReturnType<typeof createAgent>>;
let admin: { page: Page; guard: PageGuard };
let builtIn: string[];

const view = async () => (await request<{ policies: PolicyJson[]; source: string }>(`${hub.url}/api/v1/sla/policies`, { apiKey: adminToken })).body;
const ids = async () => (await view()).policies.map((p) => p.id);
const screen = () => admin.page.locator('[data-testid=sla-admin]');
const form = () => admin.page.locator('[data-testid=sla-form]');
const tableRow = (id: string) => admin.page.locator(`[data-testid=sla-table] tr[data-policy="${id}"]`);
const listed = () => screen().locator('[data-testid=sla-table] tr[data-policy]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-policy')));
const notice = (text: string) => admin.page.locator('[data-testid=sla-notice]', { hasText: text }).waitFor({ timeout: 10_000 });

beforeAll(async () => {
  ({ hub, browser, agent, admin } = await startAdminConsole('con-sla', { email: 'sam.sla@test.example', name: 'Sam Agent' }));
  adminToken = agent.adminToken;
  builtIn = await ids();
});
afterAll(() => stopConsole(hub, browser));
afterEach(() => expectNoPageTrouble(admin));

describe('SLA policies in the settings screen', () => {
  test('agents have no SLA screen; the address shows their inbox', async () => {
    await expectNoSettingsScreen(browser, hub.url, agent, 'sla');
  });

  test('the built-in policies are listed in order; an admin adds one first; the API has it and its own list is in force', async () => {
    const page = admin.page;
    await openSettingsScreen(page, 'sla');
    await screen().locator('[data-testid=sla-source][data-source=default]').waitFor();
    expect(await listed()).toEqual(builtIn);
    expect(await tableRow('urgent').locator('[data-cell=firstResponseMinutes]').innerText()).toBe('15 min');
    expect(await tableRow('urgent').locator('[data-cell=resolutionMinutes]').innerText()).toBe('4 h');

    await page.locator('button[data-action=sla-new]').click();
    await form().waitFor();
    await form().getByLabel('Policy id').fill('vip-care');
    await form().getByLabel('Care').check();
    await form().getByLabel('Platinum').check();
    await form().getByLabel('First response (min)').fill('5');
    await form().getByLabel('Next response (min)').fill('20');
    await form().getByLabel('Count only the team’s business hours').uncheck();
    await form().getByLabel('Raise the priority').check();
    await form().locator('button[data-action=sla-save]').click();

    await notice('Created vip-care.');
    await screen().locator('[data-testid=sla-source][data-source=custom]').waitFor();
    expect(await listed()).toEqual(['vip-care', ...builtIn]);
    expect(await tableRow('vip-care').locator('[data-cell=match]').innerText()).toBe('Care · Platinum');
    expect(await tableRow('vip-care').locator('[data-cell=firstResponseMinutes]').innerText()).toBe('5 min');
    expect(await tableRow('vip-care').locator('[data-cell=resolutionMinutes]').innerText()).toBe('—');
    expect(await tableRow('vip-care').locator('[data-cell=clock]').innerText()).toBe('Around the clock');
    const v = await view();
    expect(v.source).toBe('custom');
    expect(v.policies[0]).toEqual({
      id: 'vip-care',
      match: { types: ['care'], tiers: ['platinum'] },
      targets: { firstResponseMinutes: 5, nextResponseMinutes: 20, resolutionMinutes: null },
      businessHours: false,
      warnRatio: 0.75,
      escalation: { notifySupervisors: true, raisePriority: true, reassign: false },
    });
    await page.screenshot({ path: path.join(screenshotDir(), 'console-sla-admin.png') });
  });

  test('invalid input shows the API’s errors next to the fields at fault, and nothing changes', async () => {
    const before = await ids();
    await admin.page.locator('button[data-action=sla-new]').click();
    await form().waitFor();
    await form().getByLabel('Policy id').fill('has space');
    await form().getByLabel('First response (min)').fill('-5');
    await form().getByLabel('Warn at').fill('2');
    await form().locator('button[data-action=sla-save]').click();

    for (const f of ['id', 'firstResponseMinutes', 'warnRatio']) await form().locator(`[data-field-error=${f}]`).waitFor({ timeout: 10_000 });
    expect(await form().locator('[data-field-error=id]').innerText()).toContain('letters, digits, _ and -');
    expect(await form().locator('[data-field-error=nextResponseMinutes]').count()).toBe(0);
    expect(await form().getByLabel('Warn at').getAttribute('aria-invalid')).toBe('true');
    await expectRefusedAtFields(form(), 'id');
    await admin.page.screenshot({ path: path.join(screenshotDir(), 'console-sla-admin-errors.png') });

    // An id in use is named at the id field too.
    await form().getByLabel('Policy id').fill('urgent');
    await form().getByLabel('First response (min)').fill('5');
    await form().getByLabel('Warn at').fill('0.5');
    await form().locator('button[data-action=sla-save]').click();
    await form().locator('[data-field-error=id]', { hasText: 'duplicate policy id' }).waitFor({ timeout: 10_000 });
    expect(await form().locator('[data-field-error=warnRatio]').count()).toBe(0);
    expect(await ids()).toEqual(before);

    await form().getByLabel('Policy id').press('Escape');
    await form().waitFor({ state: 'detached' });
  });

  test('an admin edits a policy, moves it, deletes it, and goes back to the built-in ones', async () => {
    await tableRow('vip-care').locator('button[data-action=sla-edit]').click();
    await form().waitFor();
    expect(await form().locator('h3').innerText()).toBe('Edit vip-care');
    expect(await form().getByLabel('First response (min)').inputValue()).toBe('5');
    await form().getByLabel('Resolution (min)').fill('240');
    await form().getByLabel('Platinum').uncheck();
    await form().locator('button[data-action=sla-save]').click();
    await notice('Saved vip-care.');
    expect(await tableRow('vip-care').locator('[data-cell=resolutionMinutes]').innerText()).toBe('4 h');
    expect(await tableRow('vip-care').locator('[data-cell=match]').innerText()).toBe('Care');
    expect((await view()).policies[0]).toMatchObject({ id: 'vip-care', match: { types: ['care'] }, targets: { resolutionMinutes: 240 } });

    await tableRow('vip-care').locator('button[data-action=sla-down]').click();
    await notice('Moved vip-care.');
    expect((await ids()).slice(0, 2)).toEqual([builtIn[0], 'vip-care']);
    expect((await listed()).slice(0, 2)).toEqual([builtIn[0], 'vip-care']);

    await tableRow('vip-care').locator('button[data-action=sla-delete]').click();
    await tableRow('vip-care').locator('button[data-action=sla-confirm-delete]').click();
    await notice('Deleted vip-care.');
    await tableRow('vip-care').waitFor({ state: 'detached' });
    expect(await ids()).toEqual(builtIn);
    expect((await view()).source).toBe('custom');

    await admin.page.locator('button[data-action=sla-reset]').click();
    await admin.page.locator('button[data-action=sla-confirm-reset]').click();
    await notice('The built-in policies are in force again.');
    await screen().locator('[data-testid=sla-source][data-source=default]').waitFor();
    expect((await view()).source).toBe('default');
    expect(await admin.page.locator('button[data-action=sla-reset]').count()).toBe(0);
  });

  test('the screen in Chinese', async () => {
    const page = admin.page;
    await page.locator('[data-testid=lang-switch]').selectOption('zh-CN');
    await screen().locator('h1', { hasText: 'SLA 策略' }).waitFor();
    expect(await page.locator('a[data-nav=sla]').innerText()).toBe('SLA 策略');
    expect(await tableRow('urgent').locator('[data-cell=resolutionMinutes]').innerText()).toBe('4 小时');
    expect(await tableRow('urgent').locator('[data-cell=clock]').innerText()).toBe('全天候');
    await page.locator('[data-testid=lang-switch]').selectOption('en');
  });
});
