/**
 * URLs in chat messages are links on both sides (http(s) only, new tab, rel noopener noreferrer
 * nofollow; a javascript: URL stays text), and the customer panel shows a web chat customer as
 * "Web visitor" with the page they came from and their browser, the raw visitor id tucked away.
 */
import type { Browser, Locator } from 'playwright-core';
import type { Hub } from '../../src/main';
import { ensureWidgetBuilt } from '../support/browser';
import { request, startTestHub, type TestHubEnv } from '../support/hub';
import { until } from '../support/process';
import { allSent, fillPrechat, openDemo, sendText, TEST_WEBCHAT_SECRET, widget } from '../webchat/webchat.fixture';
import { apiLogin, createAgent, ensureConsoleBuilt, expectNoPageTrouble, launchBrowser, newPage, setPresence, signIn, waitLive } from './console.support';

let hub: Hub & { env: TestHubEnv };
let browser: Browser;

beforeAll(async () => {
  ensureWidgetBuilt();
  await ensureConsoleBuilt();
  [hub, browser] = await Promise.all([startTestHub('con-links', { WEBCHAT_SECRET: TEST_WEBCHAT_SECRET, ROUTING_OFFER_CHATS: 'false' }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

const REL = 'noopener noreferrer nofollow';
const TEXT = 'My order https://shop.example/orders/42?x=1, see also javascript:alert(document.cookie) and <b>http://evil.example/"onmouseover=alert(1)</b>.';

/** Every link in a message, as what it shows, where it goes, how it opens. */
async function linksOf(message: Locator): Promise<Array<{ text: string; href: string | null; target: string | null; rel: string | null }>> {
  return message.locator('a').evaluateAll((as) => as.map((a) => ({ text: a.textContent ?? '', href: a.getAttribute('href'), target: a.getAttribute('target'), rel: a.getAttribute('rel') })));
}

test('URLs are safe links in the widget and the console; the customer panel shows a web visitor with page and browser', async () => {
  const agent = await createAgent(hub.url, { email: 'links.agent@test.example', name: 'Link Agent' });
  const agentToken = await apiLogin(hub.url, agent.email, agent.password);
  await setPresence(hub.url, agentToken, 'online');

  const customerTab = await newPage(browser);
  const customer = customerTab.page;
  const w = widget(customer);
  await openDemo(customer, hub.url);
  await fillPrechat(customer, { name: 'Wu Fang', topic: 'question' });
  await sendText(customer, TEXT);
  await allSent(customer, 1);
  const ticketId = (await hub.models.Message.findOne({ text: TEXT }).lean())!.ticket!.toString();
  await until(async () => (await hub.models.Ticket.findById(ticketId).lean())?.assignee?.toString(), (a) => a === agent.id, 10_000);

  // The widget: the https URL is a link (without the comma after it); the rest is text, tags included.
  const expected = [{ text: 'https://shop.example/orders/42?x=1', href: 'https://shop.example/orders/42?x=1', target: '_blank', rel: REL }];
  const evilLink = { text: 'http://evil.example/', href: 'http://evil.example/', target: '_blank', rel: REL };
  const own = w.customerMessages.last().locator('.bubble');
  await expect(linksOf(own)).resolves.toEqual([...expected, evilLink]);
  await expect(own.innerText()).resolves.toContain('javascript:alert(document.cookie)');
  await expect(own.innerText()).resolves.toContain('<b>http://evil.example/"onmouseover=alert(1)</b>.');
  await expect(own.locator('b, [onmouseover]').count()).resolves.toBe(0);

  // The agent's reply with a link: a link for the customer too.
  const sent = await request(`${hub.url}/api/v1/tickets/${ticketId}/replies`, {
    apiKey: agentToken,
    headers: { 'idempotency-key': 'links-reply-1' },
    body: { text: 'Track it at https://track.example/p/42 (or call us).' },
  });
  expect(sent.status).toBe(201);
  const reply = w.agentMessages.filter({ hasText: 'Track it at' }).locator('.bubble');
  await reply.waitFor({ timeout: 10_000 });
  await expect(linksOf(reply)).resolves.toEqual([{ text: 'https://track.example/p/42', href: 'https://track.example/p/42', target: '_blank', rel: REL }]);

  // The console: the same message, the same links, no markup from the customer.
  const agentTab = await newPage(browser);
  const console_ = agentTab.page;
  await signIn(console_, hub.url, agent.email, agent.password);
  await waitLive(console_);
  await console_.goto(`${hub.url}/console/mine/tickets/${ticketId}`);
  const inbound = console_.locator('.msg-inbound', { hasText: 'My order' }).locator('[data-testid=msg-text]');
  await inbound.waitFor({ timeout: 10_000 });
  await expect(linksOf(inbound)).resolves.toEqual([...expected, evilLink]);
  await expect(inbound.innerText()).resolves.toContain('javascript:alert(document.cookie)');
  await expect(inbound.locator('b, [onmouseover]').count()).resolves.toBe(0);
  const outbound = console_.locator('.msg-outbound', { hasText: 'Track it at' }).locator('[data-testid=msg-text]');
  await expect(linksOf(outbound)).resolves.toEqual([{ text: 'https://track.example/p/42', href: 'https://track.example/p/42', target: '_blank', rel: REL }]);

  // The customer panel: "Web visitor", the page of the first message and the browser; the visitor id only when asked for.
  const panel = console_.locator('[data-testid=customer]');
  const visitor = panel.locator('[data-testid=web-visitor]');
  await visitor.waitFor();
  await expect(visitor.locator('.identity-value').innerText()).resolves.toBe('Web visitor');
  const demoPage = new URL(`${hub.url}/demo`);
  await expect(visitor.locator('[data-testid=visitor-page]').innerText()).resolves.toBe(`${demoPage.host}/demo`);
  await expect(visitor.locator('[data-testid=visitor-browser]').innerText()).resolves.toMatch(/^Chrome \d+ · Linux$/);
  const visitorId = (await hub.models.Message.findOne({ text: TEXT }).lean())!.from.address;
  const rawId = visitor.locator('details.visitor-id code');
  await expect(rawId.isVisible()).resolves.toBe(false);
  await visitor.locator('details.visitor-id summary').click();
  await expect(rawId.innerText()).resolves.toBe(visitorId);
  await expect(panel.locator('.identity-value').allInnerTexts()).resolves.not.toContain(visitorId);

  // In Chinese, the same panel.
  await console_.locator('nav [data-testid=lang-switch]').selectOption('zh-CN');
  await visitor.locator('.identity-value', { hasText: '网页访客' }).waitFor();
  await expect(visitor.locator('dt').allInnerTexts()).resolves.toEqual(['首次访问页面', '浏览器']);
  expectNoPageTrouble(customerTab, agentTab);
});
