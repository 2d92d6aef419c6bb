import type { Browser, Page } from 'playwright-core';
import { createVisitorTokens } from '../../channels/webchat/visitor-token';
import type { Hub } from '../../src/main';
import { ensureWidgetBuilt, launchBrowser, newPage } from '../support/browser';
import { startTestHub, type TestHubEnv } from '../support/hub';
import { agentReply, allSent, fillPrechat, openChat, openDemo, sendText, TEST_WEBCHAT_SECRET, tryConnect, widget } from './webchat.fixture';

let hub: Hub & { env: TestHubEnv };
let browser: Browser;

beforeAll(async () => {
  ensureWidgetBuilt();
  [hub, browser] = await Promise.all([startTestHub('webchat-history', { WEBCHAT_SECRET: TEST_WEBCHAT_SECRET }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

const storageKey = () => `omnihub-chat:${hub.url}:default`;
const storedToken = (page: Page) => page.evaluate((k) => (JSON.parse(localStorage.getItem(k) ?? '{}') as { token?: string }).token ?? null, storageKey());

/** Connects to /webchat with this auth; resolves with the welcome or the refusal's message. */
describe('history after a reload, and nobody else can read it', () => {
  test('reload restores the conversation; a second visitor sees none of it; forged tokens are refused', async () => {
    const a = await newPage(browser);
    const wa = widget(a.page);
    await openDemo(a.page, hub.url);
    await fillPrechat(a.page, { name: 'Alice Private', email: 'alice@private.example', topic: 'question' });
    await sendText(a.page, 'My order number is 4711, secret detail.');
    await sendText(a.page, 'Delivery to Hangzhou please.');
    await allSent(a.page, 2);
    const [first] = await hub.models.Message.find({ text: 'My order number is 4711, secret detail.' }).lean();
    const visitorA = first!.from.address;
    await agentReply(hub, {
      ticketId: first!.ticket!.toString(),
      visitorId: visitorA,
      from: { address: 'agent@test.example', name: 'Mei Agent' },
      text: 'Order 4711 ships tomorrow.',
      // An internal note on the same ticket: never shown to the customer.
      note: 'internal: customer seems upset',
    });
    await wa.agentMessages.filter({ hasText: 'Order 4711 ships tomorrow.' }).waitFor();

    // Reload: the same conversation, in order, without the note; no form again.
    await a.page.reload();
    await openChat(a.page);
    await wa.agentMessages.filter({ hasText: 'Order 4711 ships tomorrow.' }).waitFor();
    await expect(wa.messages.locator('.bubble').allTextContents()).resolves.toEqual([
      'My order number is 4711, secret detail.',
      'Delivery to Hangzhou please.',
      'Order 4711 ships tomorrow.',
    ]);
    await expect(wa.prechat.isHidden()).resolves.toBe(true);
    // Mei answered but holds no chat and nobody is online: the header does not claim an agent
    // is with the customer while the notice says nobody is (one consistent state).
    await expect(wa.offlineNotice.isVisible()).resolves.toBe(true);
    await expect(wa.subtitle.textContent()).resolves.toBe('We usually reply within a few minutes.');
    const tokenA = await storedToken(a.page);
    expect(tokenA).toMatch(/^v1\./);

    // A second visitor (another browser profile): an empty chat and the form.
    const b = await newPage(browser);
    const wb = widget(b.page);
    await openDemo(b.page, hub.url);
    await wb.prechat.waitFor({ state: 'visible' });
    await b.page.waitForFunction((k) => localStorage.getItem(k)?.includes('"token"'), storageKey());
    const tokenB = await storedToken(b.page);
    expect(tokenB).not.toBe(tokenA);
    await fillPrechat(b.page, { name: 'Bob Other', topic: 'question' });
    await expect(wb.messages.count()).resolves.toBe(0);
    await expect(b.page.locator('omnihub-chat').evaluate((h) => h.shadowRoot!.textContent)).resolves.not.toContain('4711');
    // B's valid token gives B's (empty) history only.
    const asB = await tryConnect(hub.url, { channelKey: 'default', token: tokenB! });
    expect('welcome' in asB && asB.welcome.history).toEqual([]);

    // Forged tokens: A's visitor id with B's signature, a changed signature, another hub's secret, another channel.
    const [, idA, sigA] = tokenA!.split('.');
    const [, idB, sigB] = tokenB!.split('.');
    const otherHub = createVisitorTokens('some-other-hub-secret-0123456789abcdef', 'default');
    const forged = [
      `v1.${idA}.${sigB}`,
      `v1.${idA}.${sigA!.slice(0, -1)}${sigA!.endsWith('A') ? 'B' : 'A'}`,
      `v1.${idB}.${sigA}`,
      otherHub.issue().token.replace(/^v1\.[^.]+\./, `v1.${idA}.`),
      `v1.${idA}`,
      idA!,
    ];
    for (const token of forged) await expect(tryConnect(hub.url, { channelKey: 'default', token })).resolves.toEqual({ refused: 'invalid_token' });
    // A's own token, for a channel key that is not this hub's, is refused as well.
    await expect(tryConnect(hub.url, { channelKey: 'another-site', token: tokenA! })).resolves.toEqual({ refused: 'unknown_channel' });
    // And the genuine token still works (the refusals above were about the forgery, not the test).
    const asA = await tryConnect(hub.url, { channelKey: 'default', token: tokenA! });
    expect('welcome' in asA && asA.welcome.history.map((m) => m.text)).toEqual([
      'My order number is 4711, secret detail.',
      'Delivery to Hangzhou please.',
      'Order 4711 ships tomorrow.',
    ]);

    // A widget holding a forged token starts over as a new visitor and shows nothing of A's.
    const c = await newPage(browser);
    await c.page.goto(`${hub.url}/demo`);
    await c.page.evaluate(([k, t]) => localStorage.setItem(k!, JSON.stringify({ token: t, profile: { name: 'Mallory', topic: 'question' } })), [storageKey(), `v1.${idA}.${sigB}`]);
    await c.page.reload();
    await openChat(c.page);
    await c.page.waitForFunction(([k, t]) => {
      const token = (JSON.parse(localStorage.getItem(k!) ?? '{}') as { token?: string }).token;
      return Boolean(token) && token !== t;
    }, [storageKey(), `v1.${idA}.${sigB}`]);
    await widget(c.page).textarea.waitFor();
    await expect(widget(c.page).messages.count()).resolves.toBe(0);
    await expect(c.page.locator('omnihub-chat').evaluate((h) => h.shadowRoot!.textContent)).resolves.not.toContain('4711');

    for (const p of [a, b, c]) await p.context.close();
  });
});
