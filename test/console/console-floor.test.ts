import type { Browser } from 'playwright-core';
import type { TestHub } from '../support/desk.fixtures';
import { request, TEST_ADMIN } from '../support/hub';
import { until } from '../support/process';
import { apiLogin, expectNoPageTrouble, launchBrowser, newPage, openConsole, signIn, waitLive, ensureConsoleBuilt } from './console.support';
import { startTestHub } from '../support/hub';

/**
 * The supervisor's live floor in the console: it changes without a reload when an agent comes
 * online, when they take a ticket and when a ticket breaches its SLA; a queue over the team's
 * limit raises one alert (banner and desktop notification), not one per change.
 */

let hub: TestHub;
let browser: Browser;

beforeAll(async () => {
  await ensureConsoleBuilt();
  [hub, browser] = await Promise.all([startTestHub('console-floor'), launchBrowser()]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

interface Recorded {
  notifications: string[];
}

let ext = 0;
async function inbound(subject: string, text: string): Promise<string> {
  ext += 1;
  const r = await request<{ ticketId: string }>(`${hub.url}/api/v1/inbound`, {
    body: { externalId: `floor-${ext}`, from: { address: `floor-${ext}@example.com`, name: `Customer ${ext}` }, subject, text },
  });
  expect(r.status).toBe(201);
  return r.body.ticketId;
}

test('the floor follows an agent coming online, taking a ticket and a breach live; a queue over its limit alerts once', async () => {
  const admin = await apiLogin(hub.url, TEST_ADMIN.email, TEST_ADMIN.password);
  const api = <T = Record<string, unknown>>(method: string, path: string, body?: unknown, token = admin) => request<T>(`${hub.url}/api/v1${path}`, { method, body, apiKey: token });
  const teams = await api<{ items: Array<{ id: string; name: string }> }>('GET', '/teams');
  const team = teams.body.items.find((x) => x.name === 'Support') ?? teams.body.items[0]!;
  // Urgent tickets breach their first response after 3 s; the others have no SLA.
  expect(
    (
      await api('PUT', '/sla/policies', {
        policies: [
          { id: 'urgent-fast', match: { priorities: ['urgent'] }, targets: { firstResponseMinutes: 0.05, nextResponseMinutes: null, resolutionMinutes: null }, businessHours: false },
          { id: 'none', match: {}, targets: { firstResponseMinutes: null, nextResponseMinutes: null, resolutionMinutes: null } },
        ],
      })
    ).status,
  ).toBe(200);
  // More than one ticket waiting alerts the team's supervisors.
  const limits = await api<{ floorAlerts: unknown }>('PATCH', `/teams/${team.id}`, { floorAlerts: { maxWaiting: 1, maxWaitSeconds: null } });
  expect(limits.status).toBe(200);
  expect(limits.body.floorAlerts).toEqual({ maxWaiting: 1, maxWaitSeconds: null });
  const ada = await api<{ id: string }>('POST', '/users', { email: 'ada.floor@test.example', name: 'Ada Floor', password: 'agent-password-1', role: 'agent', teams: [team.id], maxConcurrent: { chat: 1, async: 1 } });
  // The supervisor takes no work herself, so everything waits for Ada.
  const sue = await api<{ id: string }>('POST', '/users', { email: 'sue.floor@test.example', name: 'Sue Floor', password: 'super-password-1', role: 'supervisor', teams: [team.id], maxConcurrent: { chat: 0, async: 0 } });
  expect([ada.status, sue.status]).toEqual([201, 201]);
  const adaToken = await apiLogin(hub.url, 'ada.floor@test.example', 'agent-password-1');

  const { context, page, guard } = await newPage(browser);
  await page.addInitScript(() => {
    const rec: Recorded = { notifications: [] };
    Object.assign(window, { __alerts: rec });
    class FakeNotification {
      static permission: NotificationPermission = 'granted';
      static requestPermission() {
        return Promise.resolve('granted' as NotificationPermission);
      }
      onclick: (() => void) | null = null;
      constructor(title: string) {
        rec.notifications.push(title);
      }
      close() {}
    }
    Object.defineProperty(window, 'Notification', { value: FakeNotification, configurable: true });
    // The supervisor is looking at another window: desktop notifications show.
    Document.prototype.hasFocus = () => false;
  });
  const notifications = async () => (await page.evaluate(() => (window as unknown as { __alerts: Recorded }).__alerts)).notifications;

  await signIn(page, hub.url, 'sue.floor@test.example', 'super-password-1');
  await waitLive(page);
  await page.locator('nav a[data-view=floor]').click();
  const floor = page.locator(`[data-testid=floor] section[data-team-id="${team.id}"]`);
  const adaRow = floor.locator(`tr[data-agent-id="${ada.body.id}"]`);
  await adaRow.waitFor();
  expect(await adaRow.getAttribute('data-status')).toBe('offline');
  expect(await floor.locator('.floor-limits').textContent()).toBe(' Alerts: more than 1 waiting');
  await floor.locator('[data-testid=floor-queues]', { hasText: 'Nobody is waiting.' }).waitFor();

  // Ada comes online.
  expect((await api('PUT', '/me/presence', { status: 'online' }, adaToken)).status).toBe(200);
  await floor.locator(`tr[data-agent-id="${ada.body.id}"][data-status=online]`).waitFor();
  await expect(adaRow.locator('[data-cell=status]').textContent()).resolves.toContain('Online');
  await expect(adaRow.locator('[data-cell=async]').textContent()).resolves.toContain('0/1 async');

  // She takes the first ticket (routing assigns it to her): her load and what she holds change.
  const first = await inbound('Parcel missing', 'Hello, my parcel has not arrived.');
  const held = adaRow.locator(`[data-cell=held] a[data-ticket-id="${first}"]`);
  await held.waitFor();
  expect(await held.textContent()).toMatch(/^#\d+ Parcel missing$/);
  await expect(adaRow.locator('[data-cell=async]').textContent()).resolves.toContain('1/1 async');

  // Two more wait (Ada is full): over the limit of one, the supervisor is alerted.
  await inbound('Wrong size', 'Hello, the shoes are the wrong size.');
  await inbound('Invoice copy', 'Hello, please send the invoice again.');
  const queueRow = floor.locator('[data-testid=floor-queues] tr[data-channel=api]');
  await floor.locator('[data-testid=floor-queues] tr[data-channel=api] td[data-cell=waiting]', { hasText: /^2$/ }).waitFor();
  expect(await queueRow.locator('td').first().textContent()).toBe('API');
  const queueAlerts = page.locator('[data-testid=floor-alerts] .floor-alert[data-alert^="floor-"]');
  await queueAlerts.first().waitFor();
  expect(await queueAlerts.first().textContent()).toContain('Support: 2 waiting (limit 1)');

  // An urgent one joins the queue (three waiting, still over the limit: no new alert) and breaches 3 s later.
  const urgent = await inbound('Shop down', 'This is urgent, our shop is down.');
  await floor.locator('[data-testid=floor-queues] tr[data-channel=api] td[data-cell=waiting]', { hasText: /^3$/ }).waitFor();
  const breached = floor.locator(`[data-testid=floor-breached] a[data-ticket-id="${urgent}"]`);
  await breached.waitFor({ timeout: 20_000 });
  expect(await breached.textContent()).toMatch(/^#\d+ Shop down$/);
  await expect(floor.locator('[data-testid=floor-breached]').textContent()).resolves.toContain('First response');
  // The breach alerts too (banner and notification); the queue alert stayed one.
  const breachAlert = page.locator(`[data-testid=floor-alerts] .floor-alert[data-alert="breach-${urgent}-first_response"]`);
  await breachAlert.waitFor();
  expect(await breachAlert.textContent()).toContain('SLA breached: #');
  const seen = await until(notifications, (n) => n.some((x) => x.startsWith('SLA breached')), 10_000);
  expect(seen.filter((x) => x.startsWith('Support: ')).length).toBe(1);
  expect(await queueAlerts.count()).toBe(1);

  // Click-through from the floor opens the ticket.
  await breached.click();
  await page.waitForURL(`**/console/all/tickets/${urgent}`);
  await page.locator('.ticket-subject, h1, h2', { hasText: 'Shop down' }).first().waitFor();

  expectNoPageTrouble({ guard });
  await context.close();
}, 120_000);

test("an admin sets a team's queue alerts under Settings → Teams; the floor reads in Chinese", async () => {
  const admin = await apiLogin(hub.url, TEST_ADMIN.email, TEST_ADMIN.password);
  const teams = await request<{ items: Array<{ id: string; name: string }> }>(`${hub.url}/api/v1/teams`, { apiKey: admin });
  const team = teams.body.items.find((x) => x.name === 'Support') ?? teams.body.items[0]!;

  const tab = await openConsole(browser, hub.url, TEST_ADMIN);
  await tab.page.locator('nav a[data-nav=teams]').click();
  const row = tab.page.locator(`[data-testid=teams-table] tr[data-team-id="${team.id}"]`);
  await row.locator('button[data-action=team-alerts]').click();
  const form = tab.page.locator('[data-testid=team-alerts-form]');
  await form.locator('input[name=maxWaiting]').fill('5');
  await form.locator('input[name=maxWaitMinutes]').fill('2');
  await form.locator('[data-action=team-alerts-save]').click();
  await row.locator('[data-cell=alerts]', { hasText: 'Queue alerts: > 5 waiting · > 2 min' }).waitFor();
  const saved = await request<{ floorAlerts: unknown }>(`${hub.url}/api/v1/teams/${team.id}`, { apiKey: admin });
  expect(saved.body.floorAlerts).toEqual({ maxWaiting: 5, maxWaitSeconds: 120 });
  // An unusable limit is refused at its field, nothing saved.
  await row.locator('button[data-action=team-alerts]').click();
  await form.locator('input[name=maxWaiting]').fill('0');
  await form.locator('[data-action=team-alerts-save]').click();
  await form.locator('#alerts-maxWaiting-error').waitFor();
  expect((await request<{ floorAlerts: unknown }>(`${hub.url}/api/v1/teams/${team.id}`, { apiKey: admin })).body.floorAlerts).toEqual({ maxWaiting: 5, maxWaitSeconds: 120 });

  // A supervisor whose console is in Chinese: the floor's words and the limits by locale.
  const created = await request(`${hub.url}/api/v1/users`, {
    apiKey: admin,
    body: { email: 'mei.floor@test.example', name: 'Mei', password: 'super-password-2', role: 'supervisor', teams: [team.id], maxConcurrent: { chat: 0, async: 0 }, locale: 'zh-CN' },
  });
  expect(created.status).toBe(201);
  const zh = await newPage(browser, { locale: 'zh-CN' });
  await signIn(zh.page, hub.url, 'mei.floor@test.example', 'super-password-2');
  await zh.page.locator('nav a[data-view=floor]', { hasText: '现场' }).click();
  await zh.page.locator('[data-testid=floor] h1', { hasText: '实时现场' }).waitFor();
  const limits = zh.page.locator(`[data-testid=floor] section[data-team-id="${team.id}"] .floor-limits`);
  await limits.waitFor();
  expect(await limits.textContent()).toContain('提醒：等待超过 5 个，或等待超过 2分钟');

  expectNoPageTrouble(tab, zh);
  await tab.context.close();
  await zh.context.close();
}, 120_000);
