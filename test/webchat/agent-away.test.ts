import type { Browser, Page } from 'playwright-core';
import { apiLogin, createAgent, ensureConsoleBuilt, openConsole, stepAway, untilRouting } from '../console/console.support';
import { ensureWidgetBuilt, launchBrowser, newPage } from '../support/browser';
import { startTestHub, type TestHubEnv } from '../support/hub';
import type { Hub } from '../../src/main';
import { allSent, fillPrechat, openChat, openDemo, sendText, TEST_WEBCHAT_SECRET, widget } from './webchat.fixture';

/**
 * The agent holding a chat steps away: the customer sees one consistent state. The header still
 * names the agent, a gentle line says they are away for a moment, and no "no agents are online"
 * banner contradicts it; back online, the line goes. A chat nobody holds still gets the banner.
 */
let hub: Hub & { env: TestHubEnv };
let browser: Browser;

beforeAll(async () => {
  ensureWidgetBuilt();
  await ensureConsoleBuilt();
  [hub, browser] = await Promise.all([startTestHub('chat-agent-away', { WEBCHAT_SECRET: TEST_WEBCHAT_SECRET, ROUTING_OFFER_CHATS: 'false' }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

const awayNotice = (page: Page) => page.locator('omnihub-chat .notice.away');
const joined = (page: Page, text: string) => page.locator('omnihub-chat .log .msg.system').filter({ hasText: text }).waitFor({ timeout: 10_000 });

async function customerChats(page: Page, name: string, text: string): Promise<void> {
  await openDemo(page, hub.url);
  await fillPrechat(page, { name, topic: 'question' });
  await sendText(page, text);
  await allSent(page, 1);
}

test('the agent holding the chat goes away and comes back: header, away line and offline banner agree (en and zh-CN)', async () => {
  const wang = await createAgent(hub.url, { email: 'wang.lei@test.example', name: 'Wang Lei' });
  const token = await apiLogin(hub.url, wang.email, wang.password);
  // Signing in to the console brings the agent online.
  const agentTab = await openConsole(browser, hub.url, wang);
  await untilRouting(hub.url, token, 'online');

  // Two customers (one with a Chinese browser) are taken by Wang Lei.
  const en = await newPage(browser);
  const zh = await newPage(browser, { locale: 'zh-CN' });
  await customerChats(en.page, 'Ana Customer', 'Hello, where is my parcel?');
  await joined(en.page, 'Wang Lei has joined the chat.');
  await customerChats(zh.page, '李华', '你好，我的包裹在哪里？');
  await joined(zh.page, 'Wang Lei 已加入对话。');
  await expect(widget(en.page).subtitle.textContent()).resolves.toBe('You are chatting with Wang Lei');
  await expect(awayNotice(en.page).isHidden()).resolves.toBe(true);

  // Wang Lei steps away with the console's presence button: nobody is online any more.
  await stepAway(agentTab.page, hub.url, token);
  await awayNotice(en.page).filter({ hasText: 'Wang Lei is away for a moment; your messages will be answered here.' }).waitFor({ timeout: 10_000 });
  await awayNotice(zh.page).filter({ hasText: 'Wang Lei 暂时离开，您的消息仍会在这里得到回复。' }).waitFor({ timeout: 10_000 });
  await expect(widget(zh.page).subtitle.textContent()).resolves.toBe('Wang Lei 正在为您服务');

  // The customer writes on: the hub answers that no agent is online, and still nothing says so.
  await sendText(en.page, 'Are you still there?');
  await allSent(en.page, 2);
  await expect(widget(en.page).offlineNotice.isHidden()).resolves.toBe(true);
  await expect(widget(en.page).subtitle.textContent()).resolves.toBe('You are chatting with Wang Lei');
  await expect(awayNotice(en.page).isVisible()).resolves.toBe(true);
  // No line in the conversation for it: the notice says it.
  await expect(en.page.locator('omnihub-chat .log .msg.system').count()).resolves.toBe(1);

  // After a reload (a fresh welcome, counting nobody online) the state is the same.
  await zh.page.reload();
  await openChat(zh.page);
  await awayNotice(zh.page).filter({ hasText: 'Wang Lei 暂时离开' }).waitFor({ timeout: 10_000 });
  await expect(widget(zh.page).offlineNotice.isHidden()).resolves.toBe(true);
  await expect(widget(zh.page).subtitle.textContent()).resolves.toBe('Wang Lei 正在为您服务');

  // A new customer whose chat nobody holds, with nobody online, is told so.
  const other = await newPage(browser);
  await customerChats(other.page, 'Late Visitor', 'Is anyone there?');
  await widget(other.page).offlineNotice.filter({ hasText: 'No agents are online' }).waitFor({ state: 'visible', timeout: 10_000 });
  await expect(awayNotice(other.page).isHidden()).resolves.toBe(true);
  await expect(widget(other.page).subtitle.textContent()).resolves.toBe('We usually reply within a few minutes.');

  // Wang Lei is back: the away line goes, in both languages; the header still names them.
  await agentTab.page.locator('.presence-btn.presence-online').click();
  await untilRouting(hub.url, token, 'online');
  for (const p of [en.page, zh.page]) await awayNotice(p).waitFor({ state: 'hidden', timeout: 10_000 });
  await expect(widget(en.page).subtitle.textContent()).resolves.toBe('You are chatting with Wang Lei');
  await expect(widget(en.page).offlineNotice.isHidden()).resolves.toBe(true);

  await Promise.all([en.context.close(), zh.context.close(), other.context.close(), agentTab.context.close()]);
});
