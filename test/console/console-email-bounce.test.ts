import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../support/desk.fixtures';
import { startDovecot, type TestDovecot } from '../support/dovecot';
import { request } from '../support/hub';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { createAgent, expectNoPageTrouble, openConsole, startConsole, stopConsole, type PageGuard } from './console.support';

/**
 * A reply that was sent and then bounced (the bounce comes back to a support mailbox) reads
 * `bounced` with the mail server's reason: on the message in the console, live, in both
 * languages, and through the API; the inbox row still marks the ticket. It was sent, so the first
 * response stays met.
 */

interface Detail {
  ticket: { firstResponseAt: string | null; failedReplies: number };
  messages: Array<{ id: string; direction: string; deliveryStatus: string | null; deliveryError: string | null }>;
  timeline: Array<{ action: string; from: string | null; to: string | null; code: string; params: Record<string, string> }>;
}

const MAILBOX = 'support@acme.example';
let hub: TestHub;
let browser: Browser;
let page: Page;
let guard: PageGuard;
let smtp: TestSmtpServer;
let dovecot: TestDovecot;
let adminToken: string;

const detail = async (id: string) => (await request<Detail>(`${hub.url}/api/v1/tickets/${id}`, { apiKey: adminToken })).body;
const row = (id: string) => page.locator(`.ticket-list a[data-ticket-id="${id}"]`);
const bounce = (messageId: string, recipient: string) =>
  readFileSync(path.join(__dirname, '../fixtures/email/bounce.eml'), 'latin1')
    .replace(/<0123456789abcdef01234567@hub\.example>/g, messageId)
    .replace(/gone@example\.org/g, recipient)
    .replace(/support@hub\.example/g, MAILBOX);

beforeAll(async () => {
  dovecot = await startDovecot();
  dovecot.setUser(MAILBOX, 'mailbox-pw');
  smtp = await startSmtpServer();
  ({ hub, browser } = await startConsole('console-email-bounce', { SMTP_URL: smtp.url, EMAIL_FROM: `Acme Support <${MAILBOX}>` }));
  const agent = await createAgent(hub.url, { email: 'bea.agent@test.example', name: 'Bea Agent' });
  adminToken = agent.adminToken;
  // The mailbox the bounces come back to.
  const made = await request(`${hub.url}/api/v1/channels`, {
    apiKey: adminToken,
    body: { kind: 'email', name: 'Support', settings: { address: MAILBOX, imap: { host: dovecot.host, port: dovecot.imapPort, secure: false, user: MAILBOX }, pollIntervalMs: 400 }, secrets: { imapPassword: 'mailbox-pw' } },
  });
  expect(made.status).toBe(201);
  ({ page, guard } = await openConsole(browser, hub.url, agent));
}, 120_000);
afterAll(async () => {
  await stopConsole(hub, browser);
  await smtp?.close();
  await dovecot?.stop();
});
afterEach(() => expectNoPageTrouble({ guard }));

test('a bounced reply shows Bounced with the reason on the message, and the inbox row marks it; the API says bounced', async () => {
  const sent = await request<{ ticketId: string }>(`${hub.url}/api/v1/inbound`, {
    body: { channel: 'email', externalId: '<gone-1@customer.example>', from: { address: 'gone@customer.example', name: 'Gone Customer' }, subject: 'Where is my parcel?', text: 'It has not arrived.' },
  });
  expect(sent.status).toBe(201);
  const id = sent.body.ticketId;
  await page.locator('a[data-view=mine]').click();
  await row(id).waitFor({ timeout: 10_000 });
  await row(id).click();
  await page.locator(`[data-testid=ticket-view][data-ticket-id="${id}"]`).waitFor();

  const box = page.locator('textarea[data-composer=reply]');
  await box.fill('Your parcel is at the depot.');
  await box.press('Control+Enter');
  const reply = page.locator('.msg-outbound', { hasText: 'Your parcel is at the depot.' });
  await reply.locator('[data-delivery=sent]').waitFor({ timeout: 15_000 });
  const mail = await smtp.waitFor('gone@customer.example');
  const firstResponseAt = (await detail(id)).ticket.firstResponseAt;
  expect(firstResponseAt).not.toBeNull();

  // The customer's mail server bounces it back to the support mailbox.
  await dovecot.append(MAILBOX, bounce(mail.mail.messageId!, 'gone@customer.example'));
  const badge = reply.locator('[data-delivery=bounced]');
  await badge.waitFor({ timeout: 30_000 });
  expect((await badge.innerText()).trim()).toMatch(/^Bounced: gone@customer\.example: 550 5\.1\.1/);
  await row(id).locator('[data-testid=reply-failed]').waitFor({ timeout: 10_000 });
  await page.locator('[data-testid=timeline] li[data-action=delivery][data-from=sent][data-to=bounced]').waitFor({ timeout: 10_000 });

  const d = await detail(id);
  const out = d.messages.find((m) => m.direction === 'outbound');
  expect(out?.deliveryStatus).toBe('bounced');
  expect(out?.deliveryError).toMatch(/550 5\.1\.1/);
  expect(d.ticket.failedReplies).toBe(1);
  // It was sent: the first response stays as it was.
  expect(d.ticket.firstResponseAt).toBe(firstResponseAt);
  expect(d.timeline.find((e) => e.code === 'delivery.bounced')?.params.reason).toMatch(/550 5\.1\.1/);
  // No ticket for the bounce itself.
  expect((await request<{ items: unknown[] }>(`${hub.url}/api/v1/tickets?view=all`, { apiKey: adminToken })).body.items).toHaveLength(1);

  await page.evaluate(() => localStorage.setItem('omnihub.console.lang', 'zh-CN'));
  await page.reload();
  const zh = page.locator('.msg-outbound', { hasText: 'Your parcel is at the depot.' }).locator('[data-delivery=bounced]');
  await zh.waitFor({ timeout: 15_000 });
  expect((await zh.innerText()).trim()).toMatch(/^已退信：/);
  await page.evaluate(() => localStorage.setItem('omnihub.console.lang', 'en'));
});
