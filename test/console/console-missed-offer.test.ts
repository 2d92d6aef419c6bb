import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Hub } from '../../src/main';
import { ensureWidgetBuilt } from '../support/browser';
import { request, startTestHub, type TestHubEnv } from '../support/hub';
import { until } from '../support/process';
import { allSent, fillPrechat, openDemo, sendText, TEST_WEBCHAT_SECRET, widget } from '../webchat/webchat.fixture';
import { apiLogin, createAgent, createTeamUser, ensureConsoleBuilt, expectNoPageTrouble, launchBrowser, newPage, screenshotDir, signIn, stepAway, untilRouting, waitLive } from './console.support';

/**
 * Issue 15: one agent online, a chat nobody accepts. A missed offer is shown as missed and
 * comes back after the team's cool-down; once the only agent declines it, supervisors see it
 * flagged and the customer is told honestly that everyone is busy.
 */
let hub: Hub & { env: TestHubEnv };
let browser: Browser;

beforeAll(async () => {
  ensureWidgetBuilt();
  await ensureConsoleBuilt();
  [hub, browser] = await Promise.all([startTestHub('con-missed', { WEBCHAT_SECRET: TEST_WEBCHAT_SECRET, ROUTING_SWEEP_MS: '100' }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

interface Recorded {
  notifications: Array<{ title: string; body: string }>;
}

/** The Notification API, granted and recorded; the page is "in another window". */
async function recordNotifications(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const rec: Recorded = { notifications: [] };
    Object.assign(window, { __alerts: rec });
    class FakeNotification {
      static get permission() {
        return 'granted';
      }
      static requestPermission() {
        return Promise.resolve('granted');
      }
      onclick: (() => void) | null = null;
      constructor(title: string, opts?: { body?: string }) {
        rec.notifications.push({ title, body: opts?.body ?? '' });
      }
      close() {}
    }
    Object.defineProperty(window, 'Notification', { value: FakeNotification, configurable: true });
    Document.prototype.hasFocus = () => false;
  });
}

interface TicketBody {
  ticket: { number: number; subject: string; assignee: { id: string } | null; needsAttention: { reason: string; at: string } | null };
}

test('a missed offer says so and comes back after the cool-down; declined by the only agent, it is flagged for supervisors and the customer is told honestly', async () => {
  const ada = await createAgent(hub.url, { email: 'ada.missed@test.example', name: 'Ada Missed' });
  const admin = ada.adminToken;
  // Short offers and cool-downs for the team, so the test runs in seconds.
  const cfg = await request<{ offerTimeoutMs: number; missedOfferCooldownMs: number }>(`${hub.url}/api/v1/teams/${ada.teamId}/routing`, {
    method: 'PUT',
    apiKey: admin,
    body: { offerTimeoutMs: 4000, missedOfferCooldownMs: 3000 },
  });
  expect(cfg.status).toBe(200);
  expect(cfg.body).toMatchObject({ offerTimeoutMs: 4000, missedOfferCooldownMs: 3000 });

  // The team's supervisor watches every ticket and takes no chats himself (away).
  const sam = await createTeamUser(hub.url, admin, { email: 'sam.super@test.example', name: 'Sam Super', role: 'supervisor', teams: [ada.teamId] });
  const supTab = await newPage(browser);
  await recordNotifications(supTab.page);
  await signIn(supTab.page, hub.url, sam.email, sam.password);
  await waitLive(supTab.page);
  await stepAway(supTab.page, hub.url, sam.token);
  await supTab.page.locator('a[data-view=all]').click();

  // Ada is the only agent online.
  const agentTab = await newPage(browser);
  const agentPage = agentTab.page;
  await signIn(agentPage, hub.url, ada.email, ada.password);
  await waitLive(agentPage);
  await untilRouting(hub.url, await apiLogin(hub.url, ada.email, ada.password), 'online');

  // A customer starts a chat (no email given).
  const customerTab = await newPage(browser);
  const customer = customerTab.page;
  await openDemo(customer, hub.url);
  await fillPrechat(customer, { name: 'Wang Fang', topic: 'question' });
  await sendText(customer, 'Hello, is anyone there? My order has not arrived.');
  await allSent(customer, 1);
  const ticketId = (await hub.models.Message.findOne({ text: /My order has not arrived/ }).lean())!.ticket!.toString();
  const ticket = async () => (await request<TicketBody>(`${hub.url}/api/v1/tickets/${ticketId}`, { apiKey: admin })).body.ticket;
  const { number } = await ticket();

  // The offer reaches Ada; she lets it run out: the card says she missed it (not silently gone).
  const offer = agentPage.locator(`[data-testid=offer][data-ticket-id="${ticketId}"]`);
  await offer.waitFor({ timeout: 10_000 });
  const missed = agentPage.locator(`[data-testid=offer-missed][data-ticket-id="${ticketId}"]`);
  await missed.waitFor({ timeout: 15_000 });
  await offer.waitFor({ state: 'detached' });
  const missedText = await missed.innerText();
  expect(missedText).toContain('You missed a conversation');
  expect(missedText).toContain(`#${number}`);
  expect(missedText).toContain('will be offered to you again');
  await agentPage.screenshot({ path: path.join(screenshotDir(), 'console-offer-missed.png') });
  // Missing it is not declining it: nothing is flagged.
  expect((await ticket()).needsAttention).toBeNull();

  // After the cool-down it is offered to her again, and the missed notice goes.
  await offer.waitFor({ timeout: 15_000 });
  await missed.waitFor({ state: 'detached' });

  // This time Ada declines: she was the only eligible agent.
  await offer.locator('button[data-action=decline]').click();
  await offer.waitFor({ state: 'detached' });

  // The ticket is flagged on the API, its timeline, the supervisor's inbox and ticket view, and an alert.
  const flagged = await until(ticket, (t) => t.needsAttention !== null, 10_000);
  expect(flagged.needsAttention?.reason).toBe('all_declined');
  const row = supTab.page.locator(`.ticket-list a[data-ticket-id="${ticketId}"]`);
  await row.locator('.badge.attention', { hasText: 'Declined by every agent' }).waitFor({ timeout: 10_000 });
  const alerts = await until(
    () => supTab.page.evaluate(() => (window as unknown as { __alerts: Recorded }).__alerts.notifications),
    (n) => n.some((x) => x.title === `Ticket #${number} needs a supervisor`),
    10_000,
  );
  expect(alerts.find((x) => x.title === `Ticket #${number} needs a supervisor`)?.body).toBe('Every available agent declined it; the customer is waiting.');
  await row.click();
  const view = supTab.page.locator(`[data-testid=ticket-view][data-ticket-id="${ticketId}"]`);
  await view.locator('.badge.attention').waitFor({ timeout: 10_000 });
  // Its queue info promises no wait either.
  await view.locator('[data-testid=queue-info]', { hasText: 'Every available agent declined it' }).waitFor({ timeout: 10_000 });
  await view.locator('[data-action=needs_attention]', { hasText: 'Ada Missed' }).waitFor({ timeout: 10_000 });
  await supTab.page.screenshot({ path: path.join(screenshotDir(), 'console-needs-attention.png') });
  // The agent who declined is not offered it again.
  await expect(agentPage.locator(`[data-testid=offer][data-ticket-id="${ticketId}"]`).count()).resolves.toBe(0);

  // The customer no longer reads "next in line": an honest message, and an invitation to leave an email.
  const busy = customer.locator('omnihub-chat .notice.busy');
  await busy.filter({ hasText: 'All our agents are busy with other customers right now' }).waitFor({ timeout: 10_000 });
  await expect(customer.locator('omnihub-chat .notice.queue').isHidden()).resolves.toBe(true);
  await busy.locator('input[name=busy-email]').fill('wang.fang@customer.example');
  await busy.locator('button[type=submit]').click();
  await busy.filter({ hasText: 'We will also reply to wang.fang@customer.example.' }).waitFor();
  await expect(busy.locator('form').isHidden()).resolves.toBe(true);
  await customer.screenshot({ path: path.join(screenshotDir(), 'widget-agents-busy.png') });
  // The address goes with the customer's next message: agents' replies can reach them by email.
  await sendText(customer, 'I will wait, thank you.');
  await allSent(customer, 2);
  const stored = await hub.models.Message.findOne({ text: 'I will wait, thank you.' }).lean();
  expect(stored?.metadata).toEqual(expect.arrayContaining([expect.objectContaining({ key: 'replyEmail', value: 'wang.fang@customer.example' })]));

  // The supervisor assigns it to Ada: the flag clears, and the customer is told who has them.
  const assigned = await request(`${hub.url}/api/v1/tickets/${ticketId}`, { method: 'PATCH', apiKey: admin, body: { assignee: ada.id } });
  expect(assigned.status).toBe(200);
  const cleared = await until(ticket, (t) => t.needsAttention === null, 10_000);
  expect(cleared.assignee?.id).toBe(ada.id);
  await view.locator('.badge.attention').waitFor({ state: 'detached', timeout: 10_000 });
  await customer.locator('omnihub-chat .log .msg.system', { hasText: 'Ada Missed has joined the chat.' }).waitFor({ timeout: 10_000 });
  await expect(busy.isHidden()).resolves.toBe(true);
  await expect(widget(customer).subtitle.textContent()).resolves.toBe('You are chatting with Ada Missed');

  expectNoPageTrouble(agentTab, supTab, customerTab);
});
