import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../support/desk.fixtures';
import { request, TEST_ADMIN } from '../support/hub';
import { until } from '../support/process';
import { createAgent, ensureTeam, expectNoPageTrouble, expectNoSettingsScreen, expectRefusedAtFields, openConsole, openSettingsScreen, screenshotDir, startConsole, stopConsole, type PageGuard } from './console.support';

interface TeamJson {
  id: string;
  name: string;
  businessHours: { timeZone: string; hours: Record<string, Array<[string, string]>>; holidays: string[] } | null;
}

let hub: TestHub;
let browser: Browser;
let adminToken: string;
let agent: Awaited<ReturnType<typeof createAgent>>;
let supportId: string;
let admin: { page: Page; guard: PageGuard };

/** The team as the API has it. */
const team = async (id: string) => {
  const res = await request<TeamJson>(`${hub.url}/api/v1/teams/${id}`, { apiKey: adminToken });
  if (res.status !== 200) throw new Error(`no team ${id}: ${res.status}`);
  return res.body;
};
const screen = () => admin.page.locator('[data-testid=teams-admin]');
const form = () => admin.page.locator('[data-testid=team-form]');
const tableRow = (id: string) => admin.page.locator(`[data-testid=teams-table] tr[data-team-id="${id}"]`);
const time = (day: string, row: number, side: 'open' | 'close') => form().locator(`input[name="${day}.${row}.${side}"]`);
/** The name of the admin page's focused field. */
const focused = () => admin.page.evaluate(() => document.activeElement?.getAttribute('name') ?? null);

async function openEditor(id: string): Promise<void> {
  await tableRow(id).locator('button[data-action=team-edit]').click();
  await form().waitFor();
}

beforeAll(async () => {
  ({ hub, browser } = await startConsole('con-teams'));
  agent = await createAgent(hub.url, { email: 'tess.teams@test.example', name: 'Tess Agent' });
  adminToken = agent.adminToken;
  supportId = agent.teamId;
  await ensureTeam(hub.url, adminToken, 'Billing');
  admin = await openConsole(browser, hub.url, TEST_ADMIN);
});
afterAll(() => stopConsole(hub, browser));
afterEach(() => expectNoPageTrouble(admin));

describe('team business hours in the settings screen', () => {
  test('agents have no teams settings; the address shows their inbox', async () => {
    await expectNoSettingsScreen(browser, hub.url, agent, 'teams');
  });

  test('an admin gives Support business hours (Asia/Shanghai, weekdays 09:00–18:00, a holiday); the API has them', async () => {
    const page = admin.page;
    await openSettingsScreen(page, 'teams');
    expect(await tableRow(supportId).innerText()).toContain('Around the clock (no calendar)');
    expect(await screen().locator('[data-testid=teams-table] tr[data-team-id]').count()).toBe(2);

    await openEditor(supportId);
    expect(await form().locator('h3').innerText()).toBe('Business hours of Support');
    expect(await form().getByLabel('Around the clock (no calendar)').isChecked()).toBe(true);
    expect(await form().getByLabel('Time zone').count()).toBe(0);
    await form().getByLabel('Count business hours only').check();

    const zone = form().getByLabel('Time zone');
    await zone.fill('Asia/Shanghai');
    // Common zones are suggested as you type.
    const suggestions = await form().locator(`datalist#${await zone.getAttribute('list')} option`).evaluateAll((os) => os.map((o) => o.getAttribute('value')));
    expect(suggestions).toEqual(expect.arrayContaining(['Asia/Shanghai', 'Europe/Berlin', 'America/New_York', 'UTC']));

    for (const day of ['mon', 'tue', 'wed', 'thu', 'fri']) {
      await time(day, 0, 'open').fill('09:00');
      await time(day, 0, 'close').fill('18:00');
    }
    // Saturday: hours added and taken away again; the weekend stays closed.
    const saturday = form().locator('[data-day=sat]');
    await saturday.getByRole('button', { name: 'Add opening hours to Saturday' }).click();
    await time('sat', 0, 'open').waitFor();
    await saturday.getByRole('button', { name: 'Remove interval 1 of Saturday' }).click();
    await saturday.locator('text=Closed').waitFor();
    expect(await form().locator('[data-day=sun]').innerText()).toContain('Closed');

    await form().locator('button[data-action=add-holiday]').click();
    const holiday = form().getByLabel('Holiday 1', { exact: true });
    await until(focused, (name) => name === 'holiday.0', 5000);
    await holiday.fill('2026-10-01');
    await page.screenshot({ path: path.join(screenshotDir(), 'console-teams-admin.png') });
    await form().locator('button[data-action=team-save]').click();

    await page.locator('[data-testid=teams-notice]', { hasText: 'Saved the business hours of Support.' }).waitFor({ timeout: 10_000 });
    expect(await form().count()).toBe(0);
    // The list is asked for again after the save: the row shows the calendar once that answer is in.
    const row = await until(() => tableRow(supportId).innerText(), (text) => text.includes('Asia/Shanghai'), 10_000);
    for (const part of ['Asia/Shanghai', 'Mon–Fri 09:00–18:00', '2026-10-01']) expect([part, row.includes(part)]).toEqual([part, true]);

    const hours = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '18:00']]]));
    expect((await team(supportId)).businessHours).toEqual({ timeZone: 'Asia/Shanghai', hours, holidays: ['2026-10-01'] });
    expect((await team(await ensureTeam(hub.url, adminToken, 'Billing'))).businessHours).toBeNull();

    // Opened again, the form shows what the hub stored.
    await openEditor(supportId);
    expect(await form().getByLabel('Count business hours only').isChecked()).toBe(true);
    expect(await form().getByLabel('Time zone').inputValue()).toBe('Asia/Shanghai');
    expect(await time('wed', 0, 'close').inputValue()).toBe('18:00');
    expect(await form().getByLabel('Holiday 1', { exact: true }).inputValue()).toBe('2026-10-01');
    await form().getByLabel('Time zone').press('Escape');
    await form().waitFor({ state: 'detached' });
  });

  test('an interval that closes before it opens and an unknown zone show the API’s errors next to them; nothing is saved', async () => {
    const page = admin.page;
    const before = (await team(supportId)).businessHours;
    await openEditor(supportId);
    await form().getByLabel('Time zone').fill('Mars/Olympus_Mons');
    await time('mon', 0, 'open').fill('18:00');
    await time('mon', 0, 'close').fill('09:00');
    await form().locator('button[data-action=team-save]').click();

    const intervalError = form().locator('[data-field-error="hours.mon.0"]');
    await intervalError.waitFor({ timeout: 10_000 });
    expect(await intervalError.innerText()).toContain('closes before');
    // Next to Monday's interval, not anywhere else.
    expect(await form().locator('[data-day=mon] [data-field-error]').count()).toBe(1);
    expect(await form().locator('[data-day=tue] [data-field-error]').count()).toBe(0);
    expect(await form().locator('[data-field-error=timeZone]').innerText()).toContain('not a known IANA time zone');
    expect(await time('mon', 0, 'close').getAttribute('aria-invalid')).toBe('true');
    expect(await time('mon', 0, 'close').getAttribute('aria-describedby')).toContain('team-error-hours-mon-0');
    expect(await form().getByLabel('Time zone').getAttribute('aria-invalid')).toBe('true');
    // Focus goes to the first field at fault; the problem's title is shown once, the field messages are not repeated there.
    await expectRefusedAtFields(form(), 'timeZone');
    await page.screenshot({ path: path.join(screenshotDir(), 'console-teams-admin-errors.png') });
    expect((await team(supportId)).businessHours).toEqual(before);

    // Fixing a field takes its error away.
    await form().getByLabel('Time zone').fill('Europe/Berlin');
    expect(await form().locator('[data-field-error=timeZone]').count()).toBe(0);
    expect(await intervalError.count()).toBe(1);
    await form().getByLabel('Time zone').press('Escape');
    await form().waitFor({ state: 'detached' });
    expect((await team(supportId)).businessHours).toEqual(before);
  });

  test('around the clock again: the console sends null and the team has no calendar', async () => {
    const page = admin.page;
    await openEditor(supportId);
    await form().getByLabel('Around the clock (no calendar)').check();
    expect(await form().getByLabel('Time zone').count()).toBe(0);
    expect(await form().innerText()).toContain('run day and night');
    const sent = page.waitForRequest((r) => r.method() === 'PATCH' && r.url().endsWith(`/api/v1/teams/${supportId}`));
    await form().locator('button[data-action=team-save]').click();
    expect((await sent).postDataJSON()).toEqual({ businessHours: null });
    await page.locator('[data-testid=teams-notice]', { hasText: 'Saved the business hours of Support.' }).waitFor({ timeout: 10_000 });
    await tableRow(supportId).locator('text=Around the clock (no calendar)').waitFor();
    expect((await team(supportId)).businessHours).toBeNull();
  });

  test('the screen in Chinese', async () => {
    const page = admin.page;
    await page.locator('[data-testid=lang-switch]').selectOption('zh-CN');
    await screen().locator('h1', { hasText: '团队' }).waitFor();
    expect(await page.locator('a[data-nav=teams]').innerText()).toBe('团队');
    expect(await screen().locator('th').allInnerTexts()).toEqual(expect.arrayContaining(['团队', '时区', '营业时间', '节假日']));
    expect(await tableRow(supportId).innerText()).toContain('全天候（不使用日历）');
    await openEditor(supportId);
    await form().getByLabel('仅在营业时间内计时').check();
    await form().locator('[data-day=mon]', { hasText: '星期一' }).waitFor();
    expect(await form().getByLabel('时区').count()).toBe(1);
    await page.screenshot({ path: path.join(screenshotDir(), 'console-teams-admin-zh.png') });
    await form().locator('button', { hasText: '取消' }).click();
    await form().waitFor({ state: 'detached' });
    await page.locator('[data-testid=lang-switch]').selectOption('en');
  });
});
