import type { Browser } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import type { Hub } from '../../src/main';
import { ensureWidgetBuilt, launchBrowser, newPage } from '../support/browser';
import { request, startTestHub, type TestHubEnv } from '../support/hub';
import { until } from '../support/process';
import {
  agentReply,
  agentSocket,
  allSent,
  createAgent,
  emitAck,
  fillPrechat,
  nextEvent,
  openDemo,
  sendText,
  TEST_WEBCHAT_SECRET,
  widget,
  type TestAgent,
} from './webchat.fixture';

let hub: Hub & { env: TestHubEnv };
let browser: Browser;
let agent: TestAgent;
let console_: Socket;

beforeAll(async () => {
  ensureWidgetBuilt();
  [hub, browser] = await Promise.all([startTestHub('webchat-customer', { WEBCHAT_SECRET: TEST_WEBCHAT_SECRET }), launchBrowser()]);
  agent = await createAgent(hub.url, { name: 'Alex Agent' });
  console_ = await agentSocket(hub.url, agent.token);
});
afterAll(async () => {
  console_?.close();
  await browser?.close();
  await hub?.stop();
});

const reply = (ticketId: string, visitorId: string, text: string): Promise<string> =>
  agentReply(hub, { ticketId, visitorId, text, from: { address: agent.email, name: agent.name }, authorId: agent.id });

describe('a customer chats from the demo page with an agent', () => {
  test('complaint → ticket.created on the agent socket (type complaint); typing and read both ways; the reply shows within a second', async () => {
    const { page, context, dialogs, errors } = await newPage(browser);
    const w = widget(page);
    await openDemo(page, hub.url);
    await expect(w.offlineNotice.isHidden()).resolves.toBe(true);
    await fillPrechat(page, { name: 'Wang Fang', email: 'wang.fang@customer.example', topic: 'complaint' });

    const created = nextEvent<{ ticketId: string; ticketType: string; channel: string; number: number }>(console_, 'ticket.created');
    const messageCreated = nextEvent<{ ticketId: string; direction: string }>(console_, 'message.created');
    await sendText(page, 'My order of Longjing arrived with a torn bag.');
    const ev = await created;
    expect(ev).toMatchObject({ ticketType: 'complaint', channel: 'webchat' });
    expect((await messageCreated).ticketId).toBe(ev.ticketId);
    await allSent(page, 1);

    const ticket = await hub.models.Ticket.findById(ev.ticketId).lean();
    expect(ticket).toMatchObject({ type: 'complaint', channel: 'webchat', classification: { source: 'customer' } });
    const [stored] = await hub.models.Message.find({ ticket: ev.ticketId }).lean();
    expect(stored).toMatchObject({ direction: 'inbound', text: 'My order of Longjing arrived with a torn bag.', from: { name: 'Wang Fang' } });
    // The ack carried the stored id: the widget's bubble has it.
    await expect(w.customerMessages.first().getAttribute('data-id')).resolves.toBe(stored!._id.toString());
    const contact = await hub.models.Contact.findById(stored!.contact).lean();
    expect(contact?.identities).toEqual(expect.arrayContaining([{ kind: 'email', value: 'wang.fang@customer.example' }, { kind: 'webchat', value: stored!.from.address }]));
    // An agent was online: no email fallback was asked for.
    expect(stored!.metadata.find((m) => m.key === 'replyByEmail')).toBeUndefined();

    // The agent opens the ticket: the customer's typing reaches them.
    await expect(emitAck(console_, 'ticket.join', { ticketId: ev.ticketId })).resolves.toEqual({ ok: true });
    const typing = nextEvent<{ ticketId: string; who: string; typing: boolean }>(console_, 'typing', (t) => t.who === 'customer' && t.typing);
    await w.textarea.pressSequentially('Also', { delay: 20 });
    await expect(typing).resolves.toEqual({ ticketId: ev.ticketId, who: 'customer', typing: true });

    // The agent types: the widget says who.
    console_.emit('typing', { ticketId: ev.ticketId, typing: true });
    await w.typing.getByText('Alex Agent is typing…').waitFor({ timeout: 5000 });

    // The agent reads: the customer's message shows "Read".
    await expect(emitAck(console_, 'read', { ticketId: ev.ticketId })).resolves.toMatchObject({ ok: true });
    await w.customerMessages.last().locator('.status', { hasText: 'Read' }).waitFor({ timeout: 5000 });

    // The agent replies through the replies API (stored, queued, sent by the outbound job through
    // the web chat adapter): the customer sees it within a second, with the agent's name.
    const customerRead = nextEvent<{ ticketId: string; who: string }>(console_, 'read', (r) => r.who === 'customer');
    const started = Date.now();
    const res = await request<{ id: string }>(`${hub.url}/api/v1/tickets/${ev.ticketId}/replies`, {
      body: { text: 'So sorry! A new bag is on its way today.' },
      apiKey: agent.token,
    });
    expect(res.status).toBe(201);
    const replyId = res.body.id;
    await w.agentMessages.filter({ hasText: 'A new bag is on its way today.' }).waitFor({ timeout: 1000 });
    expect(Date.now() - started).toBeLessThan(1000);
    await until(
      async () => (await hub.models.Message.findById(replyId).lean())?.deliveryStatus,
      (s) => s === 'sent',
      5000,
    );
    await expect(w.agentMessages.last().getAttribute('data-id')).resolves.toBe(replyId);
    await expect(w.agentMessages.last().locator('.who').textContent()).resolves.toBe('Alex Agent');
    await expect(w.subtitle.textContent()).resolves.toBe('You are chatting with Alex Agent');
    await expect(w.typing.textContent()).resolves.toBe('');
    // The open widget tells the agents the customer has read it.
    await expect(customerRead).resolves.toMatchObject({ ticketId: ev.ticketId, who: 'customer' });

    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('a reply reaches every open tab of the visitor, and a message sent in one tab shows in the other', async () => {
    const { page, context } = await newPage(browser);
    await openDemo(page, hub.url);
    await fillPrechat(page, { name: 'Two Tabs', topic: 'question' });
    const created = nextEvent<{ ticketId: string; ticketType: string }>(console_, 'ticket.created');
    await sendText(page, 'How long does shipping to Shanghai take?');
    const ev = await created;
    expect(ev.ticketType).toBe('care');
    await allSent(page, 1);

    const second = await context.newPage();
    await openDemo(second, hub.url);
    await widget(second).customerMessages.filter({ hasText: 'shipping to Shanghai' }).waitFor();

    const [stored] = await hub.models.Message.find({ ticket: ev.ticketId }).lean();
    await reply(ev.ticketId, stored!.from.address, 'Two to three days.');
    for (const p of [page, second]) await widget(p).agentMessages.filter({ hasText: 'Two to three days.' }).waitFor({ timeout: 5000 });

    await sendText(second, 'Thanks!');
    await widget(page).customerMessages.filter({ hasText: 'Thanks!' }).waitFor({ timeout: 5000 });
    await expect(widget(page).customerMessages.count()).resolves.toBe(2);
    await context.close();
  });

  test('with no agent online the widget says so, keeps the message, and flags the reply for email', async () => {
    console_.close();
    const { page, context } = await newPage(browser);
    const w = widget(page);
    await openDemo(page, hub.url);
    await fillPrechat(page, { name: 'Late Visitor', email: 'late@customer.example', topic: 'suggestion' });
    await w.offlineNotice.waitFor({ state: 'visible', timeout: 5000 });
    await expect(w.offlineNotice.textContent()).resolves.toContain('No agents are online');
    await sendText(page, 'Please sell smaller sample packs.');
    await allSent(page, 1);
    const [stored] = await hub.models.Message.find({ text: 'Please sell smaller sample packs.' }).lean();
    const meta = Object.fromEntries(stored!.metadata.map((m) => [m.key, m.value]));
    expect(meta).toMatchObject({ replyByEmail: 'true', replyEmail: 'late@customer.example', agentsOnline: '0' });
    const ticket = await hub.models.Ticket.findById(stored!.ticket).lean();
    expect(ticket?.type).toBe('suggestion');
    await context.close();
    console_ = await agentSocket(hub.url, agent.token);

    // The customer has left and this hub has no SMTP_URL: the reply waits in the chat, and the
    // timeline tells the agent that no copy went by email (and why).
    const sent = await request<{ id: string }>(`${hub.url}/api/v1/tickets/${ticket!._id.toString()}/replies`, { body: { text: 'Noted, thank you!' }, apiKey: agent.token });
    expect(sent.status).toBe(201);
    await until(() => hub.models.Message.findById(sent.body.id).lean(), (m) => m?.deliveryStatus === 'sent', 15_000);
    const notes = (await hub.models.TicketEvent.find({ ticket: ticket!._id, action: 'delivery' }).lean()).map((e) => e.detail);
    expect(notes.some((d) => d.includes('no copy was emailed to late@customer.example') && d.includes('SMTP_URL'))).toBe(true);
  });
});
