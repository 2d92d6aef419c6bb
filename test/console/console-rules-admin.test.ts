import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../support/desk.fixtures';
import { request } from '../support/hub';
import { until } from '../support/process';
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

interface RulesJson {
  rules: Array<{ id: string; teamId: string; keywords?: string[]; channels?: string[]; languages?: string[]; requiredSkills?: string[] }>;
  fallback: { teamId: string; requiredSkills?: string[] };
}

let hub: TestHub;
let browser: Browser;
let adminToken: string;
let agent: Awaited<ReturnType<typeof createAgent>>;
let supportId: string;
let billingId: string;
let vipId: string;
let admin: { page: Page; guard: PageGuard };
let sent = 0;

const rules = async () => (await request<RulesJson>(`${hub.url}/api/v1/routing/rules`, { apiKey: adminToken })).body;
const screen = () => admin.page.locator('[data-testid=rules-admin]');
const form = () => admin.page.locator('[data-testid=rule-form]');
const tableRow = (id: string) => admin.page.locator(`[data-testid=rules-table] tr[data-rule="${id}"]`);
const notice = (text: string) => admin.page.locator('[data-testid=rules-notice]', { hasText: text }).waitFor({ timeout: 10_000 });

/** A new ticket through the integration API; answers the team it joined. */
async function teamOfNewTicket(text: string): Promise<string | undefined> {
  sent += 1;
  const made = await request<{ ticketId: string }>(`${hub.url}/api/v1/inbound`, {
    body: { externalId: `rules-${sent}`, from: { address: `rules${sent}@example.com`, name: 'Rae Customer' }, subject: 'Question', text },
  });
  const id = made.body.ticketId;
  // Routing places new tickets a moment after they arrive: once it has queued this one, the ticket shows that team.
  const placed = await until(
    async () => {
      const pos = await request<{ state: string; teamId?: string }>(`${hub.url}/api/v1/tickets/${id}/queue-position`, { apiKey: adminToken });
      const view = await request<{ ticket: { team: { id: string } | null } }>(`${hub.url}/api/v1/tickets/${id}`, { apiKey: adminToken });
      return { queuedIn: pos.body.state === 'unknown' ? undefined : pos.body.teamId, team: view.body.ticket.team?.id };
    },
    (p) => p.queuedIn !== undefined && p.queuedIn === p.team,
    10_000,
  );
  return placed.team;
}

beforeAll(async () => {
  ({ hub, browser, agent, admin } = await startAdminConsole('con-rules', { email: 'rex.rules@test.example', name: 'Rex Agent' }));
  adminToken = agent.adminToken;
  supportId = agent.teamId;
  billingId = await ensureTeam(hub.url, adminToken, 'Billing');
  vipId = await ensureTeam(hub.url, adminToken, 'VIP');
});
afterAll(() => stopConsole(hub, browser));
afterEach(() => expectNoPageTrouble(admin));

describe('queue routing rules in the settings screen', () => {
  test('agents have no routing rules screen; the address shows their inbox', async () => {
    await expectNoSettingsScreen(browser, hub.url, agent, 'rules');
  });

  test('an admin adds a keyword rule; new tickets with the keyword join its team, others the fallback', async () => {
    const page = admin.page;
    await openSettingsScreen(page, 'rules');
    await screen().locator('text=No rules: every ticket goes to the fallback team.').waitFor();
    expect(await screen().locator('[data-testid=rules-fallback]').innerText()).toContain('Every other ticket goes to Support.');

    await page.locator('button[data-action=rule-new]').click();
    await form().waitFor();
    await form().getByLabel('Rule id').fill('refunds');
    await form().getByLabel('Keywords').fill('refund, 退款');
    await form().getByLabel('Goes to team').selectOption({ label: 'Billing' });
    await form().getByLabel('Skills needed').fill('billing');
    await form().locator('button[data-action=rule-save]').click();
    await notice('Created refunds.');
    expect(await tableRow('refunds').locator('[data-cell=when]').innerText()).toBe('“refund”, “退款”');
    expect(await tableRow('refunds').locator('[data-cell=team]').innerText()).toBe('Billing');
    expect((await rules()).rules).toEqual([{ id: 'refunds', keywords: ['refund', '退款'], teamId: billingId, requiredSkills: ['billing'] }]);
    await page.screenshot({ path: path.join(screenshotDir(), 'console-rules-admin.png') });

    expect(await teamOfNewTicket('Where is my refund?')).toBe(billingId);
    expect(await teamOfNewTicket('How do I change my address?')).toBe(supportId);
  });

  test('invalid input shows the API’s errors next to the fields at fault, and nothing changes', async () => {
    const before = await rules();
    await admin.page.locator('button[data-action=rule-new]').click();
    await form().waitFor();
    await form().getByLabel('Languages').fill('x');
    await form().locator('button[data-action=rule-save]').click();
    await form().locator('[data-field-error=id]').waitFor({ timeout: 10_000 });
    await form().locator('[data-field-error=languages]').waitFor();
    expect(await form().locator('[data-field-error=keywords]').count()).toBe(0);
    expect(await form().getByLabel('Languages').getAttribute('aria-invalid')).toBe('true');
    await expectRefusedAtFields(form(), 'id');
    expect(await rules()).toEqual(before);
    await form().getByLabel('Rule id').press('Escape');
    await form().waitFor({ state: 'detached' });
  });

  test('an admin edits, orders and deletes rules, and changes the fallback team', async () => {
    const page = admin.page;
    await page.locator('button[data-action=rule-new]').click();
    await form().getByLabel('Rule id').fill('chinese');
    await form().getByLabel('Languages').fill('zh');
    await form().getByLabel('Goes to team').selectOption({ label: 'VIP' });
    await form().locator('button[data-action=rule-save]').click();
    await notice('Created chinese.');
    expect((await rules()).rules.map((r) => r.id)).toEqual(['chinese', 'refunds']);

    await tableRow('refunds').locator('button[data-action=rule-edit]').click();
    await form().waitFor();
    expect(await form().getByLabel('Keywords').inputValue()).toBe('refund, 退款');
    await form().getByLabel('Email', { exact: true }).check();
    await form().getByLabel('Goes to team').selectOption({ label: 'VIP' });
    await form().locator('button[data-action=rule-save]').click();
    await notice('Saved refunds.');
    expect((await rules()).rules[1]).toEqual({ id: 'refunds', channels: ['email'], keywords: ['refund', '退款'], teamId: vipId, requiredSkills: ['billing'] });
    expect(await tableRow('refunds').locator('[data-cell=when]').innerText()).toBe('Email · “refund”, “退款”');

    await tableRow('refunds').locator('button[data-action=rule-up]').click();
    await notice('Moved refunds.');
    expect((await rules()).rules.map((r) => r.id)).toEqual(['refunds', 'chinese']);

    await tableRow('chinese').locator('button[data-action=rule-delete]').click();
    await tableRow('chinese').locator('button[data-action=rule-confirm-delete]').click();
    await notice('Deleted chinese.');
    await tableRow('chinese').waitFor({ state: 'detached' });
    expect((await rules()).rules.map((r) => r.id)).toEqual(['refunds']);

    await page.locator('button[data-action=rules-fallback-edit]').click();
    await form().waitFor();
    await form().getByLabel('Goes to team').selectOption({ label: 'Billing' });
    await form().locator('button[data-action=rule-save]').click();
    await notice('Saved the fallback team.');
    expect(await screen().locator('[data-testid=rules-fallback]').innerText()).toContain('Every other ticket goes to Billing.');
    expect((await rules()).fallback).toEqual({ teamId: billingId, requiredSkills: [] });
    // A ticket no rule matches (the refund rule now wants email) joins the new fallback team.
    expect(await teamOfNewTicket('Another refund question')).toBe(billingId);
  });

  test('the screen in Chinese', async () => {
    const page = admin.page;
    await page.locator('[data-testid=lang-switch]').selectOption('zh-CN');
    await screen().locator('h1', { hasText: '路由规则' }).waitFor();
    expect(await page.locator('a[data-nav=rules]').innerText()).toBe('路由规则');
    expect(await tableRow('refunds').locator('[data-cell=when]').innerText()).toContain('“refund”');
    expect(await screen().locator('[data-testid=rules-fallback]').innerText()).toContain('其他所有工单进入 Billing。');
    await page.locator('[data-testid=lang-switch]').selectOption('en');
  });
});
