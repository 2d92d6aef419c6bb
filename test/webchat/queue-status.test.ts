import type { Browser, Page } from 'playwright-core';
import { ensureWidgetBuilt, launchBrowser, newPage } from '../support/browser';
import { createUser, setPresence, signInAdmin, teamId, type SignedIn, type TestHub } from '../support/desk.fixtures';
import { request, startTestHub } from '../support/hub';
import { until } from '../support/process';
import type { Socket } from 'socket.io-client';
import { agentSocket, allSent, fillPrechat, openDemo, sendText, TEST_WEBCHAT_SECRET, widget } from './webchat.fixture';

/**
 * What a chat customer sees of routing: their place in line and the expected wait while they
 * wait, the agent who takes them, and a handover to someone else (without the internal note).
 */
let hub: TestHub;
let browser: Browser;
let adminUser: SignedIn;
let admin = '';
const api = (p: string) => `${hub.url}/api/v1${p}`;

beforeAll(async () => {
  ensureWidgetBuilt();
  [hub, browser] = await Promise.all([
    startTestHub('chat-queue', { WEBCHAT_SECRET: TEST_WEBCHAT_SECRET, ROUTING_OFFER_CHATS: 'false', ROUTING_SWEEP_MS: '100' }),
    launchBrowser(),
  ]);
  adminUser = await signInAdmin(hub);
  admin = adminUser.token;
});
afterAll(async () => {
  for (const c of consoles) c.close();
  await browser?.close();
  await hub?.stop();
});

const agent = async (name: string, chats: number): Promise<SignedIn> =>
  createUser(hub, adminUser, 'agent', [await teamId(hub, adminUser, 'Support')], name, { maxConcurrent: { chat: chats, async: 5 } });

const consoles: Socket[] = [];
/** The agent opens the console and switches to online. */
async function online(user: SignedIn): Promise<void> {
  consoles.push(await agentSocket(hub.url, user.token));
  await setPresence(hub, user, 'online');
}

async function customerChats(page: Page, name: string, text: string): Promise<string> {
  await openDemo(page, hub.url);
  await fillPrechat(page, { name, topic: 'question' });
  await sendText(page, text);
  await allSent(page, 1);
  return (await hub.models.Message.findOne({ text }).lean())!.ticket!.toString();
}

const queueNotice = (page: Page) => page.locator('omnihub-chat .notice.queue');
const systemLines = (page: Page) => page.locator('omnihub-chat .log .msg.system');

test('customers see their place in line and expected wait, the agent who takes them, and a handover', async () => {
  const liWei = await agent('Li Wei', 1);
  await online(liWei);

  // The first customer gets Li Wei at once and is told so.
  const first = await newPage(browser);
  const t1 = await customerChats(first.page, 'Customer One', 'Hello, first in line.');
  await systemLines(first.page).filter({ hasText: 'Li Wei has joined the chat.' }).waitFor({ timeout: 10_000 });
  await expect(widget(first.page).subtitle.textContent()).resolves.toBe('You are chatting with Li Wei');
  await expect(queueNotice(first.page).isHidden()).resolves.toBe(true);

  // Li Wei is full: the next two wait, and each sees where they are.
  const second = await newPage(browser);
  const t2 = await customerChats(second.page, 'Customer Two', 'Hello, second.');
  const third = await newPage(browser, { locale: 'zh-CN' });
  await customerChats(third.page, 'Customer Three', 'Hello, third.');
  await queueNotice(second.page).filter({ hasText: 'You are next in line.' }).waitFor({ timeout: 10_000 });
  await expect(queueNotice(second.page).textContent()).resolves.toMatch(/Expected wait: (less than a minute|about \d+ min)\./);
  await queueNotice(third.page).filter({ hasText: '您当前排在第 2 位。' }).waitFor({ timeout: 10_000 });
  await expect(queueNotice(third.page).textContent()).resolves.toContain('预计等待');

  // Li Wei resolves the first chat: the second customer is taken, the third moves up — live.
  expect((await request(api(`/tickets/${t1}`), { method: 'PATCH', apiKey: liWei.token, body: { status: 'resolved' } })).status).toBe(200);
  await systemLines(second.page).filter({ hasText: 'Li Wei has joined the chat.' }).waitFor({ timeout: 10_000 });
  await until(() => queueNotice(second.page).isHidden(), (hidden) => hidden, 10_000);
  await queueNotice(third.page).filter({ hasText: '下一位就是您。' }).waitFor({ timeout: 10_000 });

  // Li Wei hands the second customer over to Zhang Min with a note only agents see.
  const zhangMin = await agent('Zhang Min', 2);
  await online(zhangMin);
  const handover = await request(api(`/tickets/${t2}/transfer`), { apiKey: liWei.token, body: { toAgentId: zhangMin.id, note: 'VIP, angry about refund policy' } });
  expect(handover.status).toBe(200);
  await systemLines(second.page).filter({ hasText: 'Your chat has been handed over to Zhang Min.' }).waitFor({ timeout: 10_000 });
  await expect(widget(second.page).subtitle.textContent()).resolves.toBe('You are chatting with Zhang Min');
  await expect(second.page.locator('omnihub-chat').evaluate((el) => el.shadowRoot?.textContent ?? '')).resolves.not.toContain('VIP, angry');
  // One line per event, even though every hub process hears every event.
  await expect(systemLines(second.page).filter({ hasText: 'handed over' }).count()).resolves.toBe(1);

  // After a reload the customer still sees who they are with.
  await second.page.reload();
  await widget(second.page).subtitle.filter({ hasText: 'You are chatting with Zhang Min' }).waitFor({ timeout: 10_000 });
  // ...and the lines of the conversation: who joined and the handover, once each, in place; never the note.
  await systemLines(second.page).filter({ hasText: 'Li Wei has joined the chat.' }).waitFor({ timeout: 10_000 });
  await expect(systemLines(second.page).allTextContents()).resolves.toEqual(['Li Wei has joined the chat.', 'Your chat has been handed over to Zhang Min.']);
  await expect(widget(second.page).messages.allTextContents()).resolves.toEqual([
    expect.stringContaining('Hello, second.'),
    'Li Wei has joined the chat.',
    'Your chat has been handed over to Zhang Min.',
  ]);
  await expect(second.page.locator('omnihub-chat').evaluate((el) => el.shadowRoot?.textContent ?? '')).resolves.not.toContain('VIP, angry');

  // Handed over to another team, the customer is told which, and waits there in line.
  const billing = await request<{ id: string }>(api('/teams'), { apiKey: admin, body: { name: 'Billing' } });
  expect(billing.status).toBe(201);
  expect((await request(api(`/tickets/${t2}/transfer`), { apiKey: zhangMin.token, body: { toTeamId: billing.body.id, note: 'refund' } })).status).toBe(200);
  await systemLines(second.page).filter({ hasText: 'Your chat has been handed over to our Billing team.' }).waitFor({ timeout: 10_000 });
  await queueNotice(second.page).filter({ hasText: 'You are next in line.' }).waitFor({ timeout: 10_000 });
  await Promise.all([first.context.close(), second.context.close(), third.context.close()]);
});
