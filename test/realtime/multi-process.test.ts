import type { Browser } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import type { Hub } from '../../src/main';
import { ensureWidgetBuilt, launchBrowser, newPage } from '../support/browser';
import { startTestHub, type TestHubEnv } from '../support/hub';
import {
  agentReply,
  agentSocket,
  allSent,
  collect,
  createAgent,
  emitAck,
  fillPrechat,
  nextEvent,
  openDemo,
  sendText,
  TEST_WEBCHAT_SECRET,
  widget,
  type TestAgent,
} from '../webchat/webchat.fixture';

/** Two hub processes' worth of servers on one database and one Redis (prefix), like two replicas. */
let hubA: Hub & { env: TestHubEnv };
let hubB: Hub & { env: TestHubEnv };
let browser: Browser;
let agent: TestAgent;
let onB: Socket;

beforeAll(async () => {
  ensureWidgetBuilt();
  [hubA, browser] = await Promise.all([startTestHub('realtime-two-a', { WEBCHAT_SECRET: TEST_WEBCHAT_SECRET }), launchBrowser()]);
  hubB = await startTestHub('realtime-two-b', {
    MONGODB_URI: hubA.env.MONGODB_URI,
    REDIS_URL: hubA.env.REDIS_URL,
    REDIS_PREFIX: hubA.env.REDIS_PREFIX,
    WEBCHAT_SECRET: TEST_WEBCHAT_SECRET,
  });
  agent = await createAgent(hubB.url, { name: 'Bo on B' });
  onB = await agentSocket(hubB.url, agent.token);
});
afterAll(async () => {
  onB?.close();
  await browser?.close();
  await hubB?.stop();
  await hubA?.stop();
});

describe('two hub processes on the same Redis', () => {
  test('customer on A, agent on B: events, typing and messages flow both ways, each delivered once', async () => {
    expect(hubA.url).not.toBe(hubB.url);
    const created = collect<{ ticketId: string; ticketType: string }>(onB, 'ticket.created');
    const messages = collect<{ ticketId: string; messageId: string; direction: string }>(onB, 'message.created');

    const { page, context, dialogs } = await newPage(browser);
    const w = widget(page);
    await openDemo(page, hubA.url);
    await fillPrechat(page, { name: 'Cross Process', email: 'cross@customer.example', topic: 'complaint' });
    const first = nextEvent<{ ticketId: string; ticketType: string }>(onB, 'ticket.created');
    await sendText(page, 'Hello from a customer on hub A');
    const ev = await first;
    expect(ev.ticketType).toBe('complaint');
    await allSent(page, 1);
    // The agent is connected to B only, and A knows they are online: no "no agents" notice, no email fallback.
    await expect(w.offlineNotice.isHidden()).resolves.toBe(true);
    const [stored] = await hubA.models.Message.find({ ticket: ev.ticketId }).lean();
    expect(stored!.metadata.some((m) => m.key === 'replyByEmail' || m.key === 'agentsOnline')).toBe(false);

    // Agent (B) → customer (A): typing, then a reply sent by B's adapter.
    await expect(emitAck(onB, 'ticket.join', { ticketId: ev.ticketId })).resolves.toEqual({ ok: true });
    onB.emit('typing', { ticketId: ev.ticketId, typing: true });
    await w.typing.getByText('Bo on B is typing…').waitFor({ timeout: 5000 });
    await agentReply(hubB, {
      ticketId: ev.ticketId,
      visitorId: stored!.from.address,
      from: { address: agent.email, name: agent.name },
      authorId: agent.id,
      text: 'Hi, this is Bo answering from hub B.',
    });
    await w.agentMessages.filter({ hasText: 'answering from hub B' }).waitFor({ timeout: 5000 });

    // Customer (A) → agent (B): typing and a second message.
    const typing = nextEvent<{ who: string; typing: boolean }>(onB, 'typing', (t) => t.who === 'customer' && t.typing);
    await w.textarea.pressSequentially('Tha', { delay: 20 });
    await expect(typing).resolves.toMatchObject({ who: 'customer', typing: true });
    const second = nextEvent<{ ticketId: string; messageId: string }>(onB, 'message.created', (m) => m.ticketId === ev.ticketId && m.messageId !== stored!._id.toString());
    await w.textarea.fill('Thanks, B!');
    await w.textarea.press('Enter');
    await second;
    await allSent(page, 2);

    // Both hubs heard every domain event, yet the agent got each exactly once.
    await new Promise((r) => setTimeout(r, 700));
    expect(created.filter((c) => c.ticketId === ev.ticketId)).toHaveLength(1);
    const inbound = messages.filter((m) => m.ticketId === ev.ticketId && m.direction === 'inbound');
    expect(inbound).toHaveLength(2);
    expect(new Set(inbound.map((m) => m.messageId)).size).toBe(2);
    expect(dialogs).toEqual([]);
    await context.close();
  });
});
