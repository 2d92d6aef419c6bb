import { Types } from 'mongoose';
import type { Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import type { Welcome } from '../../channels/webchat/webchat.protocol';
import type { Hub } from '../../src/main';
import { request, TEST_ADMIN } from '../support/hub';

/** A web-chat secret every hub of one test shares (visitor tokens must verify on any process). */
export const TEST_WEBCHAT_SECRET = 'test-webchat-secret-0123456789abcdef0123456789';

export interface TestAgent {
  id: string;
  name: string;
  email: string;
  token: string;
}

let counter = 0;

/** Creates an agent in the default team through the admin API and signs them in. */
export async function createAgent(hubUrl: string, opts: { name?: string; role?: 'agent' | 'supervisor' | 'admin'; teams?: string[] } = {}): Promise<TestAgent> {
  const admin = await request<{ token: string }>(`${hubUrl}/api/v1/auth/login`, { body: TEST_ADMIN, apiKey: null });
  if (admin.status !== 200) throw new Error(`admin login failed: ${admin.status}`);
  let teams = opts.teams;
  if (!teams) {
    const list = await request<{ items: Array<{ id: string; name: string }> }>(`${hubUrl}/api/v1/teams`, { apiKey: admin.body.token });
    teams = list.body.items.filter((t) => t.name === 'Support').map((t) => t.id);
  }
  counter += 1;
  const email = `agent${counter}.${Date.now().toString(36)}@test.example`;
  const password = 'agent-password-1';
  const name = opts.name ?? `Agent ${counter}`;
  const created = await request<{ id: string }>(`${hubUrl}/api/v1/users`, {
    body: { email, password, name, role: opts.role ?? 'agent', teams },
    apiKey: admin.body.token,
  });
  if (created.status !== 201) throw new Error(`creating the agent failed: ${created.status} ${JSON.stringify(created.body)}`);
  const login = await request<{ token: string }>(`${hubUrl}/api/v1/auth/login`, { body: { email, password }, apiKey: null });
  if (login.status !== 200) throw new Error(`agent login failed: ${login.status}`);
  return { id: created.body.id, name, email, token: login.body.token };
}

/** An agent's console connection (socket.io-client in Node), connected. */
export async function agentSocket(hubUrl: string, token: string): Promise<Socket> {
  const socket = io(`${hubUrl}/agents`, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  return socket;
}

/** Resolves with the next `event` whose payload matches; rejects after `timeoutMs`. */
export function nextEvent<T = Record<string, unknown>>(socket: Socket, event: string, match: (payload: T) => boolean = () => true, timeoutMs = 15_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, on);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (payload: T) => {
      if (!match(payload)) return;
      clearTimeout(timer);
      socket.off(event, on);
      resolve(payload);
    };
    socket.on(event, on);
  });
}

/** Collects every `event` a socket receives. */
export function collect<T = Record<string, unknown>>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (p: T) => seen.push(p));
  return seen;
}

/** Emits with an acknowledgement and resolves with the answer. */
export function emitAck<T = { ok: boolean; error?: string }>(socket: Socket, event: string, payload: unknown): Promise<T> {
  return socket.timeout(10_000).emitWithAck(event, payload) as Promise<T>;
}

/** Opens a customer socket with this handshake: the welcome, or the refusal's reason. */
export function tryConnect(hubUrl: string, auth: Record<string, unknown>): Promise<{ welcome: Welcome } | { refused: string }> {
  const socket = io(`${hubUrl}/webchat`, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve) => {
    socket.once('welcome', (welcome: Welcome) => {
      socket.close();
      resolve({ welcome });
    });
    socket.once('connect_error', (err) => {
      socket.close();
      resolve({ refused: err.message });
    });
  });
}

// ---------- the widget, driven like a customer would ----------

export const widget = (page: Page) => ({
  launcher: page.locator('omnihub-chat .launcher'),
  panel: page.locator('omnihub-chat .panel'),
  prechat: page.locator('omnihub-chat .prechat'),
  textarea: page.locator('omnihub-chat .composer textarea'),
  messages: page.locator('omnihub-chat .log .msg[data-key]'),
  customerMessages: page.locator('omnihub-chat .log .msg.customer'),
  agentMessages: page.locator('omnihub-chat .log .msg.agent[data-key]'),
  typing: page.locator('omnihub-chat .typing'),
  connNotice: page.locator('omnihub-chat .notice.conn'),
  offlineNotice: page.locator('omnihub-chat .notice.offline'),
  subtitle: page.locator('omnihub-chat .subtitle'),
});

/** Loads the demo page and opens the chat window (it stays open across reloads once opened). */
export async function openDemo(page: Page, hubUrl: string): Promise<void> {
  await page.goto(`${hubUrl}/demo`);
  await openChat(page);
}

export async function openChat(page: Page): Promise<void> {
  const w = widget(page);
  await w.launcher.waitFor();
  if (await w.panel.isHidden()) await w.launcher.click();
  await w.panel.waitFor({ state: 'visible' });
}

export async function fillPrechat(page: Page, profile: { name: string; email?: string; topic: 'complaint' | 'suggestion' | 'question' }): Promise<void> {
  const w = widget(page);
  await w.prechat.waitFor({ state: 'visible' });
  await w.prechat.locator('input[name=name]').fill(profile.name);
  if (profile.email) await w.prechat.locator('input[name=email]').fill(profile.email);
  await w.prechat.locator(`input[name=topic][value=${profile.topic}]`).check();
  await w.prechat.locator('button.start').click();
  await w.textarea.waitFor({ state: 'visible' });
}

/** Types and sends a message with Enter. */
export async function sendText(page: Page, text: string): Promise<void> {
  const w = widget(page);
  await w.textarea.fill(text);
  await w.textarea.press('Enter');
}

/** Waits until every message the visitor sent is acknowledged by the hub. */
export async function allSent(page: Page, count: number, timeoutMs = 15_000): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const root = document.querySelector('omnihub-chat')?.shadowRoot;
      const own = root ? Array.from(root.querySelectorAll('.log .msg.customer')) : [];
      return own.length === n && own.every((m) => m.getAttribute('data-status') === 'sent');
    },
    count,
    { timeout: timeoutMs },
  );
}

/** Stored messages of the visitor's tickets, in order. */
export async function storedMessages(hub: Hub, filter: Record<string, unknown>) {
  return hub.models.Message.find(filter).sort({ receivedAt: 1 }).lean();
}

/**
 * An agent's reply as the outbound path delivers it: the message stored first (so history has
 * it), then handed to the web chat adapter's send(). Returns the message id.
 */
export async function agentReply(
  hub: Hub,
  input: { ticketId: string; visitorId: string; text: string; from: { address: string; name: string }; authorId?: string; note?: string },
): Promise<string> {
  const ticket = await hub.models.Ticket.findById(input.ticketId).lean();
  if (!ticket) throw new Error(`no ticket ${input.ticketId}`);
  const _id = new Types.ObjectId();
  await hub.models.Message.create({
    _id,
    ticket: ticket._id,
    contact: ticket.contact,
    author: input.authorId ?? null,
    direction: 'outbound',
    channel: 'webchat',
    externalId: `out-${_id.toString()}`,
    from: input.from,
    to: [{ address: input.visitorId, name: '' }],
    text: input.text,
    deliveryStatus: 'queued',
    receivedAt: new Date(),
  });
  if (input.note) {
    await hub.models.Message.create({
      ticket: ticket._id, contact: ticket.contact, author: input.authorId ?? null, direction: 'note', channel: 'webchat',
      externalId: `note-${_id.toString()}`, from: input.from, text: input.note, deliveryStatus: 'received', receivedAt: new Date(),
    });
  }
  const webchat = hub.channels.find((c) => c.id === 'webchat');
  if (!webchat?.send) throw new Error('the web chat channel is not mounted');
  await webchat.send({
    channel: 'webchat',
    messageId: _id.toString(),
    ticketId: input.ticketId,
    ticketNumber: ticket.number,
    to: [{ address: input.visitorId }],
    from: input.from,
    text: input.text,
    threadRefs: [],
    attachments: [],
  });
  return _id.toString();
}
