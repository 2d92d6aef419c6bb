import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../support/desk.fixtures';
import { request } from '../support/hub';
import { startSmtpServer, unusedLoopbackPort, type TestSmtpServer } from '../support/smtp';
import { createAgent, expectNoPageTrouble, openConsole, startConsole, stopConsole, type PageGuard } from './console.support';

/**
 * A reply that could not be sent shows as such: on the inbox row and on the message, with a
 * Retry that sends it once the mail server is there; First response waits for the send. A
 * channel this hub cannot send on is not offered for replies, and the composer says why.
 */

interface Detail {
  ticket: { firstResponseAt: string | null; failedReplies: number };
  messages: Array<{ id: string; direction: string; deliveryStatus: string | null }>;
}

let hub: TestHub;
let browser: Browser;
let page: Page;
let guard: PageGuard;
let smtp: TestSmtpServer | undefined;
let smtpPort: number;
let adminToken: string;

const detail = async (id: string) => (await request<Detail>(`${hub.url}/api/v1/tickets/${id}`, { apiKey: adminToken })).body;
const row = (id: string) => page.locator(`.ticket-list a[data-ticket-id="${id}"]`);
const openTicket = async (id: string) => {
  await page.locator('a[data-view=mine]').click();
  await row(id).waitFor({ timeout: 10_000 });
  await row(id).click();
  await page.locator(`[data-testid=ticket-view][data-ticket-id="${id}"]`).waitFor();
};

beforeAll(async () => {
  // The hub is told to send mail to a server that is down: replies fail after their attempts.
  smtpPort = await unusedLoopbackPort();
  ({ hub, browser } = await startConsole('console-reply-failure', {
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    EMAIL_FROM: 'Acme Support <support@acme.example>',
    OUTBOUND_ATTEMPTS: '2',
    OUTBOUND_RETRY_BASE_MS: '20',
  }));
  const agent = await createAgent(hub.url, { email: 'rita.agent@test.example', name: 'Rita Agent' });
  adminToken = agent.adminToken;
  ({ page, guard } = await openConsole(browser, hub.url, agent));
});
afterAll(async () => {
  await stopConsole(hub, browser);
  await smtp?.close();
});
afterEach(() => expectNoPageTrouble({ guard }));

test('a reply that failed is marked on the inbox row and on the message; Retry sends it once the mail server is up, and only then First response is set', async () => {
  const sent = await request<{ ticketId: string }>(`${hub.url}/api/v1/inbound`, {
    body: { channel: 'email', externalId: `<tom-${Date.now()}@mail.example>`, from: { address: 'tom@customer.example', name: 'Tom Customer' }, subject: 'Late delivery', text: 'My order is a week late.' },
  });
  expect(sent.status).toBe(201);
  const id = sent.body.ticketId;
  await openTicket(id);

  const box = page.locator('textarea[data-composer=reply]');
  await box.fill('Sorry Tom, your order leaves the warehouse today.');
  await box.press('Control+Enter');
  const reply = page.locator('.msg-outbound', { hasText: 'your order leaves the warehouse today' });
  await reply.locator('[data-delivery=failed]').waitFor({ timeout: 15_000 });
  // The reason in words (from its code); the mail server's own words behind a disclosure.
  expect(await reply.locator('[data-delivery=failed]').innerText()).toContain('Failed: the channel’s server could not be reached');
  const raw = reply.locator('[data-testid=delivery-raw]');
  expect(await raw.innerText()).toBe('What was reported');
  await raw.locator('summary').click();
  expect(await raw.innerText()).toMatch(/SMTP server could not be reached/);
  expect(await page.locator('[data-testid=first-response]').innerText()).toContain('not yet');
  // The inbox row says a reply failed.
  const marker = row(id).locator('[data-testid=reply-failed]');
  await marker.waitFor({ timeout: 10_000 });
  expect(await marker.innerText()).toContain('Reply failed');
  expect((await detail(id)).ticket.firstResponseAt).toBeNull();

  // The mail server comes up where the hub sends; the agent clicks Retry on the message.
  smtp = await startSmtpServer({ port: smtpPort });
  const retry = reply.locator('button[data-action=retry-reply]');
  expect(await retry.innerText()).toBe('Retry');
  await retry.click();
  const mail = await smtp.waitFor('tom@customer.example');
  expect(mail.mail.text).toContain('Sorry Tom, your order leaves the warehouse today.');
  await reply.locator('[data-delivery=sent]').waitFor({ timeout: 15_000 });
  expect(await reply.locator('button[data-action=retry-reply]').count()).toBe(0);
  await page.locator('[data-testid=first-response]', { hasNotText: 'not yet' }).waitFor({ timeout: 10_000 });
  await marker.waitFor({ state: 'detached', timeout: 10_000 });
  // The retry is on the timeline, by the agent.
  const entry = page.locator('[data-testid=timeline] li[data-action=delivery][data-from=failed][data-to=queued]');
  await entry.waitFor({ timeout: 10_000 });
  expect(await entry.innerText()).toContain('Rita Agent');

  const d = await detail(id);
  expect(d.ticket.firstResponseAt).not.toBeNull();
  expect(d.ticket.failedReplies).toBe(0);
  expect(d.messages.filter((m) => m.direction === 'outbound').map((m) => m.deliveryStatus)).toEqual(['sent']);
  expect(smtp.received.filter((m) => m.envelopeTo.includes('tom@customer.example'))).toHaveLength(1);
});

test('on a channel this hub cannot send on (SMS), the composer says why and offers notes only', async () => {
  const sent = await request<{ ticketId: string }>(`${hub.url}/api/v1/inbound`, {
    body: { channel: 'sms', externalId: `SM${Date.now()}`, from: { address: '+15551230001', name: 'Sam Texter' }, text: 'Is the shop open on Sunday?' },
  });
  expect(sent.status).toBe(201);
  const id = sent.body.ticketId;
  await openTicket(id);

  const why = page.locator('[data-testid=composer] [data-testid=reply-blocked]');
  await why.waitFor();
  expect(await why.innerText()).toMatch(/Replies cannot be sent by SMS: this hub has no SMS channel configured.*Internal notes still work/);
  // It opens on the internal note; the reply side cannot send.
  expect(await page.locator('button[data-mode=note]').getAttribute('aria-selected')).toBe('true');
  await page.locator('button[data-mode=reply]').click();
  expect(await page.locator('textarea[data-composer=reply]').isDisabled()).toBe(true);
  expect(await page.locator('[data-testid=composer] .composer-actions button').isDisabled()).toBe(true);
  expect(await page.locator('textarea[data-composer=reply]').getAttribute('placeholder')).not.toMatch(/Reply via/);

  await page.locator('button[data-mode=note]').click();
  const note = page.locator('textarea[data-composer=note]');
  await note.fill('Asked by SMS; we cannot text back yet.');
  await note.press('Control+Enter');
  await page.locator('.msg-note', { hasText: 'we cannot text back yet' }).waitFor({ timeout: 10_000 });
  expect((await detail(id)).messages.map((m) => m.direction)).toEqual(['inbound', 'note']);

  // In Chinese too.
  await page.evaluate(() => localStorage.setItem('omnihub.console.lang', 'zh-CN'));
  await page.reload();
  await page.locator('[data-testid=composer] [data-testid=reply-blocked]').waitFor({ timeout: 15_000 });
  expect(await page.locator('[data-testid=reply-blocked]').innerText()).toContain('无法通过短信发送回复');
});
