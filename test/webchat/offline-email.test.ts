import type { Browser } from 'playwright-core';
import type { Hub } from '../../src/main';
import { ensureWidgetBuilt, launchBrowser, newPage } from '../support/browser';
import { request, startTestHub, type TestHubEnv } from '../support/hub';
import { until } from '../support/process';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp';
import { allSent, createAgent, fillPrechat, openDemo, sendText, TEST_WEBCHAT_SECRET, widget, type TestAgent } from './webchat.fixture';

let hub: Hub & { env: TestHubEnv };
let browser: Browser;
let smtp: TestSmtpServer;
let agent: TestAgent;

beforeAll(async () => {
  ensureWidgetBuilt();
  smtp = await startSmtpServer({ reject: /@bounce\.example$/, deferOnce: /@greylist\.example$/ });
  [hub, browser] = await Promise.all([
    startTestHub('chat-email', {
      WEBCHAT_SECRET: TEST_WEBCHAT_SECRET,
      SMTP_URL: smtp.url,
      EMAIL_FROM: 'Acme Tea Support <support@acme.example>',
      OUTBOUND_RETRY_BASE_MS: '50',
    }),
    launchBrowser(),
  ]);
  // Signed in to the API only: no console is open, so nobody is online.
  agent = await createAgent(hub.url, { name: 'Li Wei' });
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await smtp?.close();
});

/** The customer writes from the demo page with the pre-chat email, and the message is stored. */
async function customerWrites(page: import('playwright-core').Page, email: string, text: string): Promise<{ ticketId: string; number: number }> {
  await openDemo(page, hub.url);
  await fillPrechat(page, { name: 'Chen Jing', email, topic: 'question' });
  await sendText(page, text);
  await allSent(page, 1);
  const stored = await hub.models.Message.findOne({ text }).lean();
  const ticket = await hub.models.Ticket.findById(stored!.ticket).lean();
  return { ticketId: ticket!._id.toString(), number: ticket!.number };
}

const replyFromApi = (ticketId: string, text: string) =>
  request<{ id: string; deliveryStatus: string }>(`${hub.url}/api/v1/tickets/${ticketId}/replies`, { body: { text }, apiKey: agent.token });

async function deliveredReply(id: string) {
  const m = await until(() => hub.models.Message.findById(id).lean(), (m) => m !== null && m.deliveryStatus !== 'queued', 15_000);
  return m!;
}

const timeline = async (ticketId: string): Promise<string[]> =>
  (await hub.models.TicketEvent.find({ ticket: ticketId }).lean()).map((e) => `${e.action}:${e.to ?? ''}:${e.detail}`);

describe('chat replies to customers who left go by email', () => {
  test('nobody online: the widget says so; the customer leaves; the reply reaches them by email and waits in the chat', async () => {
    const { page, context } = await newPage(browser);
    await openDemo(page, hub.url);
    await expect(widget(page).offlineNotice.textContent()).resolves.toContain('No agents are online');
    const { ticketId, number } = await customerWrites(page, 'chen.jing@customer.example', 'Do you ship Dragon Well tea to Hangzhou?');
    await page.close(); // the customer leaves; the browser keeps their visitor token

    const reply = await replyFromApi(ticketId, 'Yes, we ship to Hangzhou within two days.');
    expect(reply.status).toBe(201);
    const mail = await smtp.waitFor('chen.jing@customer.example');
    expect(mail.mail.subject).toBe(`Re: [#${number}] ${(await hub.models.Ticket.findById(ticketId).lean())!.subject || 'Your conversation with us'}`);
    expect(mail.mail.text).toContain('Yes, we ship to Hangzhou within two days.');
    expect(mail.mail.from?.value[0]).toMatchObject({ address: 'support@acme.example', name: 'Li Wei' });
    expect(mail.mail.messageId).toBe(`<${reply.body.id}@acme.example>`);

    const stored = await deliveredReply(reply.body.id);
    expect(stored.deliveryStatus).toBe('sent');
    expect(Object.fromEntries(stored.metadata.map((m) => [m.key, m.value]))).toMatchObject({ emailCopyTo: 'chen.jing@customer.example' });
    expect((await timeline(ticketId)).some((e) => e.startsWith('delivery:emailed:') && e.includes('chen.jing@customer.example'))).toBe(true);
    // Exactly one email for one reply, even though the job path ran its retries machinery.
    expect(smtp.received.filter((m) => m.envelopeTo.includes('chen.jing@customer.example'))).toHaveLength(1);

    // Coming back to the site, the customer finds the reply in the chat too.
    const back = await context.newPage();
    await openDemo(back, hub.url);
    await widget(back).agentMessages.filter({ hasText: 'Yes, we ship to Hangzhou within two days.' }).waitFor({ timeout: 10_000 });
    await context.close();
  });

  test('a customer still in the chat gets the reply there and no email', async () => {
    const { page, context } = await newPage(browser);
    const { ticketId } = await customerWrites(page, 'still.here@customer.example', 'Is the oolong in stock?');
    const reply = await replyFromApi(ticketId, 'It is, 40 tins left.');
    await widget(page).agentMessages.filter({ hasText: 'It is, 40 tins left.' }).waitFor({ timeout: 5000 });
    const stored = await deliveredReply(reply.body.id);
    expect(stored.deliveryStatus).toBe('sent');
    // The email decision is made inside the send attempt, before the message counts as sent.
    expect(stored.metadata.some((m) => m.key === 'emailCopyTo')).toBe(false);
    expect(smtp.received.some((m) => m.envelopeTo.includes('still.here@customer.example'))).toBe(false);
    await context.close();
  });

  test('an address the mail server refuses: the reply stays in the chat, the timeline says why no email went out', async () => {
    const { page, context } = await newPage(browser);
    const { ticketId } = await customerWrites(page, 'nobody@bounce.example', 'Can I change my delivery address?');
    await page.close();
    const reply = await replyFromApi(ticketId, 'Yes, tell us the new one here.');
    const stored = await deliveredReply(reply.body.id);
    expect(stored.deliveryStatus).toBe('sent');
    const events = await timeline(ticketId);
    expect(events.some((e) => e.startsWith('delivery:failed:') && e.includes('nobody@bounce.example') && e.includes('refused'))).toBe(true);
    expect(smtp.received.some((m) => m.envelopeTo.includes('nobody@bounce.example'))).toBe(false);

    // The hub keeps working: the next customer who left still gets their email.
    const other = await newPage(browser);
    const next = await customerWrites(other.page, 'next.one@customer.example', 'Do you sell gift boxes?');
    await other.page.close();
    await replyFromApi(next.ticketId, 'We do, from 88 yuan.');
    await expect(smtp.waitFor('next.one@customer.example').then((m) => m.mail.text)).resolves.toContain('We do, from 88 yuan.');
    await Promise.all([context.close(), other.context.close()]);
  });

  test('a temporary refusal (451) is retried: the customer gets the email once, after the retry', async () => {
    const { page, context } = await newPage(browser);
    const { ticketId } = await customerWrites(page, 'patient@greylist.example', 'When does the autumn tea arrive?');
    await page.close();
    const reply = await replyFromApi(ticketId, 'In the first week of October.');
    const mail = await smtp.waitFor('patient@greylist.example');
    expect(mail.mail.text).toContain('In the first week of October.');
    expect(smtp.deferred).toContain('patient@greylist.example');
    const stored = await deliveredReply(reply.body.id);
    expect(stored.deliveryStatus).toBe('sent');
    expect(Object.fromEntries(stored.metadata.map((m) => [m.key, m.value]))).toMatchObject({ emailCopyTo: 'patient@greylist.example' });
    expect(smtp.received.filter((m) => m.envelopeTo.includes('patient@greylist.example'))).toHaveLength(1);
    await context.close();
  });
});
