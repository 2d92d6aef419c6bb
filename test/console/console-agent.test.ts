import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import type { TestHub } from '../support/desk.fixtures';
import { request, TEST_ADMIN } from '../support/hub';
import { until } from '../support/process';
import { apiLogin, createAgent, expectNoPageTrouble, markDocument, openConsole, sameDocument, startConsole, stopConsole, type PageGuard } from './console.support';

interface Stored {
  messageId: string;
  ticketId: string;
}
interface Ticket {
  id: string;
  number: number;
  status: string;
  type: string;
  firstResponseAt: string | null;
  assignee: { id: string; name: string } | null;
}
interface Detail {
  ticket: Ticket;
  messages: Array<{ direction: string; text: string; deliveryStatus: string | null }>;
  timeline: Array<{ action: string; from: string | null; to: string | null; actor: { kind: string; name: string } }>;
}

let hub: TestHub;
let browser: Browser;
let agent: Awaited<ReturnType<typeof createAgent>>;
let adminToken: string;
let page: Page;
let guard: PageGuard;

const inbound = (externalId: string, from: { address: string; name: string }, subject: string, text: string) =>
  request<Stored>(`${hub.url}/api/v1/inbound`, { body: { externalId, from, subject, text } });
const detail = async (id: string) => (await request<Detail>(`${hub.url}/api/v1/tickets/${id}`, { apiKey: adminToken })).body;
const row = (id: string) => page.locator(`.ticket-list a[data-ticket-id="${id}"]`);

/**
 * The admin's console connection (socket.io-client in Node), to see what the agent's console
 * sends. An admin is in no team, so routing never hands them the test's tickets.
 */
async function adminSocket(): Promise<{ socket: Socket; events: Array<[string, Record<string, unknown>]> }> {
  const token = await apiLogin(hub.url, TEST_ADMIN.email, TEST_ADMIN.password);
  const socket = io(`${hub.url}/agents`, { auth: { token }, transports: ['websocket'], forceNew: true });
  const events: Array<[string, Record<string, unknown>]> = [];
  socket.onAny((name: string, payload: Record<string, unknown>) => events.push([name, payload]));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, events };
}

/** The integrator's webhook: replies on API-channel tickets are sent (and only a sent reply is a first response). */
const webhook = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});

beforeAll(async () => {
  webhook.listen(0, '127.0.0.1');
  await once(webhook, 'listening');
  const { port } = webhook.address() as AddressInfo;
  ({ hub, browser } = await startConsole('console-agent', { API_WEBHOOK_URL: `http://127.0.0.1:${port}/hooks`, API_WEBHOOK_SECRET: 'console-webhook-secret-0123456789' }));
  agent = await createAgent(hub.url, { email: 'ana.agent@test.example', name: 'Ana Agent' });
  adminToken = agent.adminToken;
  ({ page, guard } = await openConsole(browser, hub.url, agent));
});
afterAll(async () => {
  await stopConsole(hub, browser);
  webhook.closeAllConnections();
  webhook.close();
});
// No test here should make the page raise a dialog or an uncaught error.
afterEach(() => expectNoPageTrouble({ guard }));

describe('the agent console', () => {
  test('a new inbound message appears live; the agent opens it and replies with Ctrl+Enter; the ticket gets a first response time', async () => {
    await page.locator('a[data-view=mine]').click();
    await page.waitForURL(/\/console\/mine$/);
    await page.locator('.inbox .list-empty, .ticket-list').first().waitFor();
    // Marks this document: a reload or navigation would lose it.
    await markDocument(page);

    const sent = await inbound('live-1', { address: 'zoe@example.com', name: 'Zoe Customer' }, 'Where is order 5512?', 'My order 5512 has not arrived, can you check?');
    expect(sent.status).toBe(201);
    const id = sent.body.ticketId;

    await row(id).waitFor({ timeout: 10_000 });
    expect(await row(id).innerText()).toContain('Where is order 5512?');
    expect(await sameDocument(page)).toBe('yes');

    await row(id).click();
    await page.waitForURL(new RegExp(`/console/mine/tickets/${id}$`));
    const view = page.locator(`[data-testid=ticket-view][data-ticket-id="${id}"]`);
    await view.waitFor();
    await page.locator('.msg-inbound', { hasText: 'My order 5512 has not arrived' }).waitFor();
    expect(await page.locator('[data-testid=first-response]').innerText()).toContain('not yet');

    const box = page.locator('textarea[data-composer=reply]');
    await box.click();
    await box.fill('Hi Zoe, I am checking order 5512 with the courier right now.');
    await box.press('Control+Enter');

    await page.locator('.msg-outbound', { hasText: 'I am checking order 5512' }).waitFor({ timeout: 10_000 });
    expect(await box.inputValue()).toBe('');
    // The console shows the first response time once the reply is sent.
    await page.locator('[data-testid=first-response]', { hasNotText: 'not yet' }).waitFor({ timeout: 10_000 });

    const d = await detail(id);
    expect(d.ticket.firstResponseAt).not.toBeNull();
    expect(d.ticket.assignee?.id).toBe(agent.id);
    expect(d.messages.map((m) => [m.direction, m.text])).toEqual([
      ['inbound', 'My order 5512 has not arrived, can you check?'],
      ['outbound', 'Hi Zoe, I am checking order 5512 with the courier right now.'],
    ]);
    // The outbound message shows its delivery status.
    const status = await page.locator('.msg-outbound [data-delivery]').getAttribute('data-delivery');
    expect(['queued', 'sent', 'delivered', 'failed']).toContain(status);
    expect(await sameDocument(page)).toBe('yes');
  });

  test('a status change from the console lands on the timeline', async () => {
    const sent = await inbound('status-1', { address: 'li.lei@example.cn', name: 'Li Lei' }, 'Invoice copy', 'Could you send me a copy of my last invoice?');
    const id = sent.body.ticketId;
    await page.locator('a[data-view=mine]').click();
    await row(id).waitFor({ timeout: 10_000 });
    await row(id).click();
    await page.locator(`[data-testid=ticket-view][data-ticket-id="${id}"]`).waitFor();

    await page.locator('select[data-control=status]').selectOption('pending');
    const entry = page.locator('[data-testid=timeline] li[data-action=status][data-to=pending]');
    await entry.waitFor({ timeout: 10_000 });
    expect(await entry.innerText()).toContain('Ana Agent');
    expect(await entry.innerText()).toContain('Pending');
    await page.locator(`[data-testid=ticket-view][data-status=pending]`).waitFor();

    const d = await detail(id);
    expect(d.ticket.status).toBe('pending');
    const last = d.timeline.filter((e) => e.action === 'status').pop();
    expect(last).toMatchObject({ to: 'pending', actor: { kind: 'user', name: 'Ana Agent' } });

    // A refused change shows the API's problem (closed is final; reopening it is a 409).
    await page.locator('select[data-control=status]').selectOption('closed');
    await page.locator(`[data-testid=ticket-view][data-status=closed]`).waitFor({ timeout: 10_000 });
    await page.locator('select[data-control=status]').selectOption('open');
    const problem = page.locator('[data-testid=ticket-view] [data-testid=problem]');
    await problem.waitFor({ timeout: 10_000 });
    expect(await problem.innerText()).toMatch(/Conflict[\s\S]*closed ticket is final/);
    expect((await detail(id)).ticket.status).toBe('closed');
  });

  test('canned responses: an admin creates one through the API; the agent types / in the composer and inserts it', async () => {
    const created = await request<{ id: string }>(`${hub.url}/api/v1/canned-responses`, {
      apiKey: adminToken,
      body: { shortcut: 'thanks', title: 'Thank the customer', text: 'Thank you for your patience, {{customer}}! — {{agent}}' },
    });
    expect(created.status).toBe(201);
    await request(`${hub.url}/api/v1/canned-responses`, { apiKey: adminToken, body: { shortcut: 'tracking', title: 'Tracking link', text: 'You can follow your parcel here.' } });

    const sent = await inbound('canned-1', { address: 'max@example.com', name: 'Max Mustermann' }, 'Parcel late', 'My parcel is late.');
    const id = sent.body.ticketId;
    await page.locator('a[data-view=mine]').click();
    await row(id).waitFor({ timeout: 10_000 });
    await row(id).click();
    await page.locator(`[data-testid=ticket-view][data-ticket-id="${id}"]`).waitFor();

    const box = page.locator('textarea[data-composer=reply]');
    await box.click();
    await box.pressSequentially('Hello! /th');
    const picker = page.locator('[data-testid=canned-picker]');
    await picker.locator('[data-shortcut=thanks]').waitFor({ timeout: 10_000 });
    // Filtered as typed: "tracking" does not match "th".
    expect(await picker.locator('[data-shortcut]').evaluateAll((els) => els.map((e) => e.getAttribute('data-shortcut')))).toEqual(['thanks']);
    await box.press('Enter');
    await picker.waitFor({ state: 'detached' });
    expect(await box.inputValue()).toBe('Hello! Thank you for your patience, Max Mustermann! — Ana Agent');

    await box.press('Control+Enter');
    await page.locator('.msg-outbound', { hasText: 'Thank you for your patience, Max Mustermann!' }).waitFor({ timeout: 10_000 });
    const d = await detail(id);
    expect(d.messages.filter((m) => m.direction === 'outbound').map((m) => m.text)).toEqual(['Hello! Thank you for your patience, Max Mustermann! — Ana Agent']);
  });

  test('while the agent is away a new ticket waits in Unassigned, live; Take makes it theirs', async () => {
    await page.locator('.presence-btn.presence-away').click();
    await page.locator('.presence-btn.presence-away[aria-pressed=true]').waitFor();
    // Routing has heard about it before the ticket arrives.
    await until(async () => (await request<{ status: string }>(`${hub.url}/api/v1/me/routing`, { apiKey: await apiLogin(hub.url, agent.email, agent.password) })).body.status, (s) => s === 'away', 10_000);
    await page.locator('a[data-view=unassigned]').click();
    await page.waitForURL(/\/console\/unassigned$/);
    const sent = await inbound('away-1', { address: 'olga@example.com', name: 'Olga Waiting' }, 'Warranty question', 'Is the kettle covered by warranty?');
    const id = sent.body.ticketId;
    await row(id).waitFor({ timeout: 10_000 });
    await row(id).click();
    await page.locator(`[data-testid=ticket-view][data-ticket-id="${id}"]`).waitFor();
    expect(await page.locator('[data-testid=assignee]').innerText()).toBe('Unassigned');

    await page.locator('[data-testid=ticket-view] button', { hasText: 'Take' }).click();
    await page.locator('[data-testid=assignee]', { hasText: 'Ana Agent' }).waitFor({ timeout: 10_000 });
    await page.locator('[data-testid=timeline] li[data-action=assignee]').waitFor();
    // It left the Unassigned list and is in Mine.
    await row(id).waitFor({ state: 'detached', timeout: 10_000 });
    const d = await detail(id);
    expect(d.ticket.assignee?.id).toBe(agent.id);
    expect(d.ticket.status).toBe('open');

    await page.locator('.presence-btn.presence-online').click();
    await page.locator('.presence-btn.presence-online[aria-pressed=true]').waitFor();
  });

  test('internal notes look different from replies; typing and presence reach the hub; shortcuts move, help and resolve', async () => {
    const { socket, events } = await adminSocket();
    try {
      const a = await inbound('keys-1', { address: 'a@example.com', name: 'Alice First' }, 'First question', 'Question one');
      const b = await inbound('keys-2', { address: 'b@example.com', name: 'Bob Second' }, 'Second question', 'Question two');
      await page.locator('a[data-view=mine]').click();
      await row(a.body.ticketId).waitFor({ timeout: 10_000 });
      await row(b.body.ticketId).waitFor({ timeout: 10_000 });
      await row(b.body.ticketId).click();
      await page.locator(`[data-testid=ticket-view][data-ticket-id="${b.body.ticketId}"]`).waitFor();

      // The admin watches the same ticket: the agent's typing reaches them through the hub.
      await new Promise<void>((resolve) => socket.emit('ticket.join', { ticketId: b.body.ticketId }, () => resolve()));
      const box = page.locator('textarea[data-composer=reply]');
      await box.click();
      await box.pressSequentially('Let me see');
      await until(
        async () => events.find(([n, e]) => n === 'typing' && e.ticketId === b.body.ticketId && e.who === 'agent' && e.typing === true),
        (hit) => hit !== undefined,
        10_000,
      );
      await box.fill('');

      // An internal note.
      await page.locator('button[data-mode=note]').click();
      const note = page.locator('textarea[data-composer=note]');
      await note.fill('Customer called twice already; be gentle.');
      await note.press('Control+Enter');
      const noteMsg = page.locator('.msg-note', { hasText: 'Customer called twice already' });
      await noteMsg.waitFor({ timeout: 10_000 });
      expect(await noteMsg.innerText()).toContain('Internal note');
      expect((await detail(b.body.ticketId)).messages.map((m) => m.direction)).toEqual(['inbound', 'note']);
      await page.locator('button[data-mode=reply]').click();

      // Presence: away, as the admin sees it.
      await page.locator('.presence-btn.presence-away').click();
      await until(
        async () => events.find(([n, e]) => n === 'agent.presence' && e.agentId === agent.id && e.status === 'away'),
        (hit) => hit !== undefined,
        10_000,
      );
      await page.locator('.presence-btn.presence-online').click();
      await page.locator('.presence-btn.presence-online[aria-pressed=true]').waitFor();

      // Keyboard: j / k move through the list (outside text fields), ? shows the shortcuts.
      await page.locator('[data-testid=conversation]').click();
      const selected = () => page.locator('.ticket-row.selected').getAttribute('data-ticket-id');
      const ids = await page.locator('.ticket-list a[data-ticket-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-ticket-id')));
      const at = ids.indexOf(b.body.ticketId);
      await page.keyboard.press('j');
      await until(selected, (v) => v === ids[at + 1], 5000);
      await page.keyboard.press('k');
      await until(selected, (v) => v === b.body.ticketId, 5000);
      await page.keyboard.press('Alt+ArrowDown');
      await until(selected, (v) => v === ids[at + 1], 5000);
      await page.keyboard.press('Alt+ArrowUp');
      await until(selected, (v) => v === b.body.ticketId, 5000);
      await page.locator(`[data-testid=ticket-view][data-ticket-id="${b.body.ticketId}"]`).waitFor();

      await page.keyboard.press('?');
      await page.locator('[data-testid=shortcuts]').waitFor();
      expect(await page.locator('[data-testid=shortcuts]').innerText()).toContain('Resolve the open ticket');
      await page.keyboard.press('Escape');
      await page.locator('[data-testid=shortcuts]').waitFor({ state: 'detached' });

      // Ctrl+Shift+R resolves the open ticket.
      await page.keyboard.press('Control+Shift+R');
      await page.locator(`[data-testid=ticket-view][data-ticket-id="${b.body.ticketId}"][data-status=resolved]`).waitFor({ timeout: 10_000 });
      await page.locator('[data-testid=timeline] li[data-action=status][data-to=resolved]').waitFor();
      expect((await detail(b.body.ticketId)).ticket.status).toBe('resolved');
    } finally {
      socket.close();
    }
  });
});
