import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../support/desk.fixtures';
import { startDovecot, type TestDovecot } from '../support/dovecot';
import { request } from '../support/hub';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { ensureWidgetBuilt } from '../support/browser';
import { until } from '../support/process';
import { allSent, fillPrechat, openDemo, sendText, TEST_WEBCHAT_SECRET } from '../webchat/webchat.fixture';
import { apiLogin, createAgent, expectNoPageTrouble, newPage, openConsole, startConsole, stopConsole, type PageGuard } from './console.support';

/**
 * A reply that was sent and then bounced (the bounce comes back to a support mailbox) reads
 * `bounced` with the mail server's reason: on the message in the console, live, in both
 * languages, and through the API; the inbox row still marks the ticket. It was sent, so the first
 * response stays met. The email copy of a chat reply (to a customer who had left) that bounces is
 * shown on that chat message.
 */

interface Detail {
  ticket: { firstResponseAt: string | null; failedReplies: number };
  messages: Array<{ id: string; direction: string; deliveryStatus: string | null; deliveryError: string | null; emailCopy: { to: string; status: string; error: string | null } | null }>;
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
let agentToken: string;

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
  ensureWidgetBuilt();
  ({ hub, browser } = await startConsole('console-email-bounce', { SMTP_URL: smtp.url, EMAIL_FROM: `Acme Support <${MAILBOX}>`, WEBCHAT_SECRET: TEST_WEBCHAT_SECRET }));
  const agent = await createAgent(hub.url, { email: 'bea.agent@test.example', name: 'Bea Agent' });
  adminToken = agent.adminToken;
  agentToken = await apiLogin(hub.url, agent.email, agent.password);
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
  expect((await badge.innerText()).trim()).toBe('Bounced');
  expect(await badge.getAttribute('data-reason')).toBe('bounced');
  // The server's own words, as reported, in the disclosure beside it.
  expect(await reply.locator('[data-testid=delivery-raw] code').textContent()).toMatch(/^gone@customer\.example: 550 5\.1\.1/);
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
  expect((await zh.innerText()).trim()).toBe('已退信');
  await page.evaluate(() => localStorage.setItem('omnihub.console.lang', 'en'));
  await page.reload();
  await page.locator('nav.nav').waitFor();
});

test('the email copy of a chat reply to a customer who left bounces: the chat message says so, the chat reply stays sent', async () => {
  // The customer writes in the chat with their email address, then leaves.
  const customer = await newPage(browser);
  await openDemo(customer.page, hub.url);
  await fillPrechat(customer.page, { name: 'Wu Lan', email: 'wu.lan@customer.example', topic: 'question' });
  await sendText(customer.page, 'Is the jasmine tea back in stock?');
  await allSent(customer.page, 1);
  const asked = await until(() => hub.models.Message.findOne({ text: 'Is the jasmine tea back in stock?' }).lean(), (m) => m?.ticket != null, 15_000);
  const id = asked!.ticket!.toString();
  await customer.context.close();

  const reply = await request<{ id: string }>(`${hub.url}/api/v1/tickets/${id}/replies`, { apiKey: agentToken, body: { text: 'Yes, since Monday.' } });
  expect(reply.status).toBe(201);
  const copy = await smtp.waitFor('wu.lan@customer.example');
  await until(async () => (await detail(id)).messages.find((m) => m.id === reply.body.id)?.emailCopy?.to, (to) => to === 'wu.lan@customer.example', 15_000);

  await page.locator('a[data-view=mine]').click();
  await row(id).waitFor({ timeout: 10_000 });
  await row(id).click();
  const msg = page.locator('.msg-outbound', { hasText: 'Yes, since Monday.' });
  await msg.locator('[data-testid=email-copy][data-status=sent]').waitFor({ timeout: 10_000 });
  expect(await msg.locator('[data-testid=email-copy]').innerText()).toBe('Also emailed to wu.lan@customer.example');

  // The customer's mail server bounces the copy back to the support mailbox.
  await dovecot.append(MAILBOX, bounce(copy.mail.messageId!, 'wu.lan@customer.example'));
  const bounced = msg.locator('[data-testid=email-copy][data-status=bounced]');
  await bounced.waitFor({ timeout: 30_000 });
  expect(await bounced.innerText()).toMatch(/^The email copy to wu\.lan@customer\.example bounced: wu\.lan@customer\.example: 550 5\.1\.1/);
  await page.locator('[data-testid=timeline] li[data-action=delivery][data-from=emailed][data-to=bounced]').waitFor({ timeout: 10_000 });

  const d = await detail(id);
  const out = d.messages.find((m) => m.id === reply.body.id);
  expect(out?.deliveryStatus).toBe('sent');
  expect(out?.emailCopy).toMatchObject({ to: 'wu.lan@customer.example', status: 'bounced', error: expect.stringMatching(/550 5\.1\.1/) });
  expect(d.timeline.find((e) => e.code === 'delivery.copy_bounced')?.params).toMatchObject({ address: 'wu.lan@customer.example' });

  // The same bounce again (mail servers repeat themselves) records nothing new; a marker mail shows it was read.
  await dovecot.append(MAILBOX, bounce(copy.mail.messageId!, 'wu.lan@customer.example'));
  await dovecot.append(
    MAILBOX,
    ['From: marker@example.org', `To: ${MAILBOX}`, 'Subject: Marker', 'Message-ID: <marker-copy@example.org>', 'Content-Type: text/plain; charset=utf-8', '', 'Marker.', ''].join('\r\n'),
  );
  await until(() => hub.models.Message.countDocuments({ externalId: '<marker-copy@example.org>' }), (n) => n === 1, 30_000);
  expect((await detail(id)).timeline.filter((e) => e.code === 'delivery.copy_bounced')).toHaveLength(1);
});
