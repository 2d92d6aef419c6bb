import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { inbound, type TestHub } from '../support/desk.fixtures';
import { request } from '../support/hub';
import { until } from '../support/process';
import { createAgent, createTeamUser, ensureTeam, expectNoPageTrouble, openConsole, screenshotDir, startConsole, stopConsole, type PageGuard } from './console.support';

interface Summary {
  id: string;
  number: number;
  status: string;
  tags: string[];
  assignee: { id: string } | null;
  team: { id: string } | null;
}

let hub: TestHub;
let browser: Browser;
let agent: Awaited<ReturnType<typeof createAgent>>;
let billingId: string;
let tab: { page: Page; guard: PageGuard };

const ticket = async (id: string) => (await request<{ ticket: Summary }>(`${hub.url}/api/v1/tickets/${id}`, { apiKey: agent.adminToken })).body.ticket;
const rows = () => tab.page.locator('[data-testid=ticket-list] li');
const shownIds = () => tab.page.locator('[data-testid=ticket-list] a.ticket-row').evaluateAll((as) => as.map((a) => a.getAttribute('data-ticket-id') ?? ''));
const check = (id: string) => tab.page.locator(`input[data-select="${id}"]`);
const bar = () => tab.page.locator('[data-testid=bulk-bar]');
const result = () => bar().locator('[data-testid=bulk-result]');

beforeAll(async () => {
  ({ hub, browser } = await startConsole('con-bulk'));
  agent = await createAgent(hub.url, { email: 'ana.bulk@test.example', name: 'Ana Bulk' });
  billingId = await ensureTeam(hub.url, agent.adminToken, 'Billing');
  const noRouting = { maxConcurrent: { chat: 0, async: 0 } };
  await request(`${hub.url}/api/v1/users/${agent.id}`, { method: 'PATCH', apiKey: agent.adminToken, body: noRouting });
  const sup = await createTeamUser(hub.url, agent.adminToken, { email: 'bo.boss@test.example', name: 'Bo Boss', teams: [agent.teamId], role: 'supervisor' });
  await request(`${hub.url}/api/v1/users/${sup.id}`, { method: 'PATCH', apiKey: agent.adminToken, body: noRouting });
  for (const s of ['A', 'B', 'C', 'D', 'E', 'F']) await inbound(hub, { subject: `Bulk case ${s}` });
  tab = await openConsole(browser, hub.url, sup);
  await tab.page.locator('a[data-view=unassigned]').click();
  await until(() => rows().count(), (n) => n === 6, 10_000);
});
afterAll(() => stopConsole(hub, browser));
afterEach(() => expectNoPageTrouble(tab));

describe('bulk actions on the inbox', () => {
  test('a checkbox, then shift-click selects the range; a status for all of them reports the one that failed', async () => {
    const ids = await shownIds();
    expect(await bar().locator('[data-testid=bulk-count]').count()).toBe(0);
    await check(ids[0]!).click();
    await bar().locator('[data-testid=bulk-count]', { hasText: '1 selected' }).waitFor();
    await check(ids[3]!).click({ modifiers: ['Shift'] });
    await bar().locator('[data-testid=bulk-count]', { hasText: '4 selected' }).waitFor();
    for (const id of ids.slice(0, 4)) expect(await check(id).isChecked()).toBe(true);
    expect(await check(ids[4]!).isChecked()).toBe(false);
    // The keyboard still moves through the inbox from a checkbox.
    expect(await tab.page.evaluate(() => document.activeElement?.getAttribute('data-select') ?? null)).toBe(ids[3]);
    await tab.page.keyboard.press('j');
    await tab.page.locator(`[data-testid=ticket-view][data-ticket-id="${ids[0]}"]`).waitFor();
    expect(await tab.page.locator('input[data-action=select-all]').evaluate((el) => (el as HTMLInputElement).indeterminate)).toBe(true);

    // Meanwhile someone closes one of them.
    const closed = await ticket(ids[1]!);
    expect((await request(`${hub.url}/api/v1/tickets/${closed.id}`, { method: 'PATCH', apiKey: agent.adminToken, body: { status: 'closed' } })).status).toBe(200);

    await bar().locator('select[data-bulk=status]').selectOption('pending');
    await result().waitFor({ timeout: 10_000 });
    expect(await result().innerText()).toContain(`3 updated, 1 failed: #${closed.number} is closed`);
    await tab.page.screenshot({ path: path.join(screenshotDir(), 'console-bulk.png') });
    for (const id of [ids[0]!, ids[2]!, ids[3]!]) expect((await ticket(id)).status).toBe('pending');
    expect((await ticket(ids[1]!)).status).toBe('closed');
    // The closed one leaves the active inbox, and the selection with it.
    await until(() => rows().count(), (n) => n === 5, 10_000);
    expect(await bar().locator('[data-testid=bulk-count]').count()).toBe(0);
  });

  test('select all shown, add a tag: every ticket has it', async () => {
    const ids = await shownIds();
    await tab.page.locator('input[data-action=select-all]').check();
    await bar().locator('[data-testid=bulk-count]', { hasText: `${ids.length} selected` }).waitFor();
    await bar().locator('input[data-bulk=tag]').fill('vip');
    await bar().locator('button[data-action=bulk-tag]').click();
    await bar().locator('[data-testid=bulk-result]', { hasText: `${ids.length} updated.` }).waitFor({ timeout: 10_000 });
    for (const id of ids) expect((await ticket(id)).tags).toEqual(['vip']);
    expect(await bar().locator('[data-testid=bulk-count]').count()).toBe(0);
  });

  test('assign to an agent and to a team: the tickets leave Unassigned', async () => {
    const ids = await shownIds();
    await check(ids[0]!).click();
    await check(ids[1]!).click();
    await bar().locator('select[data-bulk=assign]').selectOption({ label: 'Ana Bulk' });
    await bar().locator('[data-testid=bulk-result]', { hasText: '2 updated.' }).waitFor({ timeout: 10_000 });
    for (const id of ids.slice(0, 2)) expect((await ticket(id)).assignee?.id).toBe(agent.id);

    await until(() => rows().count(), (n) => n === ids.length - 2, 10_000);
    await check(ids[2]!).click();
    await bar().locator('select[data-bulk=assign]').selectOption({ label: 'Billing' });
    await bar().locator('[data-testid=bulk-result]', { hasText: '1 updated.' }).waitFor({ timeout: 10_000 });
    expect((await ticket(ids[2]!)).team?.id).toBe(billingId);
  });
});
