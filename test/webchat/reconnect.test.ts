import type { Browser } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import type { MessageAck, Welcome, ChatMessage } from '../../channels/webchat/webchat.protocol';
import type { Hub } from '../../src/main';
import { ensureWidgetBuilt, launchBrowser, newPage } from '../support/browser';
import { startTestHub, type TestHubEnv } from '../support/hub';
import { allSent, emitAck, fillPrechat, openDemo, sendText, TEST_WEBCHAT_SECRET, widget } from './webchat.fixture';

let hub: Hub & { env: TestHubEnv };
let browser: Browser;

beforeAll(async () => {
  ensureWidgetBuilt();
  [hub, browser] = await Promise.all([startTestHub('webchat-reconnect', { WEBCHAT_SECRET: TEST_WEBCHAT_SECRET }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

/** A visitor's connection in Node, speaking the widget's protocol. */
async function visitor(token?: string): Promise<{ socket: Socket; welcome: Welcome }> {
  const socket = io(`${hub.url}/webchat`, { auth: { channelKey: 'default', ...(token ? { token } : {}) }, transports: ['websocket'], forceNew: true });
  const welcome = await new Promise<Welcome>((resolve, reject) => {
    socket.once('welcome', resolve);
    socket.once('connect_error', reject);
  });
  return { socket, welcome };
}

const profile = { name: 'Node Visitor', topic: 'question' };

describe('no lost and no doubled messages across reconnects', () => {
  test('offline while sending 5 messages, then back: the hub has exactly those 5, once each, in order', async () => {
    const { page, context } = await newPage(browser);
    const w = widget(page);
    await openDemo(page, hub.url);
    await fillPrechat(page, { name: 'Flaky Network', topic: 'complaint' });
    await sendText(page, 'first, while online');
    await allSent(page, 1);
    const [first] = await hub.models.Message.find({ text: 'first, while online' }).lean();
    const ticketId = first!.ticket!;

    await context.setOffline(true);
    await w.connNotice.waitFor({ state: 'visible', timeout: 10_000 });
    const texts = ['offline one', 'offline two', 'offline three', 'offline four', 'offline five'];
    for (const t of texts) await sendText(page, t);
    await expect(w.customerMessages.locator('.status', { hasText: 'Sending…' }).count()).resolves.toBe(5);
    // Nothing got through while offline.
    await new Promise((r) => setTimeout(r, 800));
    expect(await hub.models.Message.countDocuments({ ticket: ticketId })).toBe(1);

    await context.setOffline(false);
    await allSent(page, 6, 20_000);
    await w.connNotice.waitFor({ state: 'hidden' });

    const stored = await hub.models.Message.find({ ticket: ticketId }).sort({ receivedAt: 1 }).lean();
    expect(stored.map((m) => m.text)).toEqual(['first, while online', ...texts]);
    expect(new Set(stored.map((m) => m.externalId)).size).toBe(6);
    // The widget shows each once, with the hub's ids; a reload shows the same.
    const shown = async () => (await w.customerMessages.locator('.bubble').allTextContents()).map((t) => t.trim());
    await expect(shown()).resolves.toEqual(['first, while online', ...texts]);
    await page.reload();
    await w.customerMessages.nth(5).waitFor();
    await expect(shown()).resolves.toEqual(['first, while online', ...texts]);
    await expect(w.customerMessages.evaluateAll((els) => els.map((e) => e.getAttribute('data-id')))).resolves.toEqual(stored.map((m) => m._id.toString()));
    await context.close();
  });

  test('a message sent again (its acknowledgement was lost) is stored once and acknowledged with the same id', async () => {
    const { socket } = await visitor();
    const msg = { id: 'c0ffee00-1111-4222-8333-444455556666', text: 'are you there?', profile };
    const a = await emitAck<MessageAck>(socket, 'message', msg);
    const b = await emitAck<MessageAck>(socket, 'message', msg);
    expect(a).toMatchObject({ ok: true, duplicate: false });
    expect(b).toMatchObject({ ok: true, duplicate: true });
    expect(a.ok && b.ok && a.messageId === b.messageId).toBe(true);
    expect(await hub.models.Message.countDocuments({ text: 'are you there?' })).toBe(1);
    socket.close();
  });

  test('a dropped connection recovers its session: what was sent meanwhile arrives, the rooms are kept', async () => {
    const { socket, welcome } = await visitor();
    const ack = await emitAck<MessageAck>(socket, 'message', { id: 'recover-0001-aaaa', text: 'hello before the drop', profile });
    expect(ack.ok).toBe(true);
    const ticketId = ack.ok ? ack.ticketId! : '';
    const ticket = await hub.models.Ticket.findById(ticketId).lean();

    // The transport dies (as on a network switch); socket.io reconnects by itself.
    const dropped = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    socket.io.engine.close();
    await dropped;
    const reconnected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const replay = new Promise<ChatMessage>((resolve) => socket.on('message', (m: ChatMessage) => m.text === 'sent while you were away' && resolve(m)));
    const webchat = hub.channels.find((c) => c.id === 'webchat')!;
    await webchat.send!({
      channel: 'webchat',
      messageId: '65f0c0ffee0000000000abcd',
      ticketId,
      ticketNumber: ticket!.number,
      to: [{ address: welcome.visitorId }],
      from: { address: 'agent@test.example', name: 'Recovering Agent' },
      text: 'sent while you were away',
      threadRefs: [],
      attachments: [],
    });
    await reconnected;
    expect(socket.recovered).toBe(true);
    expect(socket.connected).toBe(true);
    await expect(replay).resolves.toMatchObject({ id: '65f0c0ffee0000000000abcd', direction: 'agent', author: 'Recovering Agent' });
    socket.close();
  });
});
