/**
 * CSAT in the chat widget: resolving a chat shows its customer a rating card (1–5 and an optional
 * comment), live and again after a reload while unanswered; the answer lands on the ticket and its
 * timeline; another visitor cannot answer it; once answered the card says thanks and does not
 * come back. The Chinese widget asks in Chinese.
 */
import type { Browser, Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import type { Welcome } from '../../channels/webchat/webchat.protocol';
import { ensureWidgetBuilt, launchBrowser, newPage } from '../support/browser';
import { api, detail, signInAdmin, type SignedIn, type TestHub } from '../support/desk.fixtures';
import { startTestHub } from '../support/hub';
import { until } from '../support/process';
import { allSent, emitAck, fillPrechat, openDemo, sendText, TEST_WEBCHAT_SECRET } from './webchat.fixture';

let hub: TestHub;
let browser: Browser;
let admin: SignedIn;

beforeAll(async () => {
  ensureWidgetBuilt();
  [hub, browser] = await Promise.all([startTestHub('chat-csat', { WEBCHAT_SECRET: TEST_WEBCHAT_SECRET }), launchBrowser()]);
  admin = await signInAdmin(hub);
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

const card = (page: Page) => page.locator('omnihub-chat .csat');

async function chatAndResolve(page: Page, name: string, text: string): Promise<string> {
  await openDemo(page, hub.url);
  await fillPrechat(page, { name, topic: 'question' });
  await sendText(page, text);
  await allSent(page, 1);
  const ticketId = (await hub.models.Message.findOne({ text }).lean())!.ticket!.toString();
  expect((await api(hub, admin.token, 'PATCH', `/tickets/${ticketId}`, { status: 'resolved' })).status).toBe(200);
  return ticketId;
}

/** A second visitor of its own (a socket with a fresh token). */
function stranger(): Promise<{ socket: Socket; welcome: Welcome }> {
  const socket = io(`${hub.url}/webchat`, { auth: { channelKey: 'default' }, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('welcome', (welcome: Welcome) => resolve({ socket, welcome }));
    socket.once('connect_error', reject);
  });
}

test('a resolved chat shows the rating card live and after a reload; another visitor cannot answer; the answer is stored once and thanked', async () => {
  const { page, context } = await newPage(browser);
  const ticketId = await chatAndResolve(page, 'Mei', 'Can I change my delivery address?');

  await card(page).waitFor({ state: 'visible' });
  await expect(card(page).locator('.csat-q').textContent()).resolves.toContain('How satisfied are you with our help?');
  await expect(card(page).locator('.csat-score').count()).resolves.toBe(5);

  // Still there after a reload, while unanswered.
  await page.reload();
  await card(page).waitFor({ state: 'visible' });
  expect(await card(page).getAttribute('data-ticket')).toBe(ticketId);

  // Someone else's socket naming this ticket is refused, and nothing is stored.
  const other = await stranger();
  expect(other.welcome.csat ?? null).toBeNull();
  expect(await emitAck(other.socket, 'csat', { ticketId, score: 1 })).toEqual({ ok: false, error: 'not_yours' });
  other.socket.close();
  expect((await detail(hub, admin.token, ticketId)).ticket).toMatchObject({ csat: null });

  await card(page).locator('.csat-comment').fill('Quick and friendly');
  await card(page).locator('.csat-score[data-score="5"]').click();
  await page.waitForFunction(() => document.querySelector('omnihub-chat')?.shadowRoot?.querySelector('.csat')?.getAttribute('data-phase') === 'thanks');
  await expect(card(page).textContent()).resolves.toContain('Thank you for your rating!');

  const d = await until(() => detail(hub, admin.token, ticketId), (x) => x.ticket.csat !== null, 15_000);
  expect(d.ticket).toMatchObject({ csat: { score: 5, comment: 'Quick and friendly', channel: 'webchat' } });
  expect(d.timeline.filter((e) => e.code === 'csat.answered_comment')).toHaveLength(1);
  expect(d.timeline.filter((e) => e.code === 'csat.asked')).toHaveLength(1);

  // Answered: no card after a reload.
  await page.reload();
  await page.locator('omnihub-chat .log .msg.customer').first().waitFor();
  expect(await card(page).count()).toBe(0);
  await context.close();
});

test('the Chinese widget asks in Chinese', async () => {
  const { page, context } = await newPage(browser, { locale: 'zh-CN' });
  await chatAndResolve(page, '王芳', '请问可以修改收货地址吗？');
  await card(page).waitFor({ state: 'visible' });
  await expect(card(page).locator('.csat-q').textContent()).resolves.toContain('您对我们的服务满意吗？');
  await expect(card(page).locator('.csat-score[data-score="1"]').getAttribute('title')).resolves.toBe('非常不满意');
  await context.close();
});
