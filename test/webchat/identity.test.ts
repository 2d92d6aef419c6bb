import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { identityHash } from '../../channels/webchat/identity';
import type { Hub } from '../../src/main';
import { ensureWidgetBuilt, launchBrowser, newPage } from '../support/browser';
import { request, startTestHub, type TestHubEnv } from '../support/hub';
import { allSent, fillPrechat, openChat, sendText, TEST_WEBCHAT_SECRET, tryConnect, widget } from './webchat.fixture';

const IDENTITY_SECRET = 'shop-identity-secret-0123456789abcdef0123';

let hub: Hub & { env: TestHubEnv };
let browser: Browser;
let shop: Server;
let shopUrl = '';

/**
 * The company's own site on another origin: it embeds the widget and, for a signed-in user,
 * their id signed on its server (here: the test computes the HMAC like the site would).
 */
function shopPage(user: { id: string; hash?: string; name?: string; email?: string } | null): string {
  const attrs = user
    ? `data-user-id="${user.id}" data-user-hash="${user.hash ?? identityHash(IDENTITY_SECRET, user.id)}"` +
      (user.name ? ` data-user-name="${user.name}"` : '') +
      (user.email ? ` data-user-email="${user.email}"` : '')
    : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>Acme Tea</title></head><body><h1>My account</h1>
<script src="${hub.url}/widget.js" data-channel-key="default" ${attrs} defer></script></body></html>`;
}

let nextPage = '';
beforeAll(async () => {
  ensureWidgetBuilt();
  [hub, browser] = await Promise.all([
    startTestHub('chat-identity', { WEBCHAT_SECRET: TEST_WEBCHAT_SECRET, WEBCHAT_IDENTITY_SECRET: IDENTITY_SECRET }),
    launchBrowser(),
  ]);
  shop = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(nextPage);
  });
  await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
  shopUrl = `http://127.0.0.1:${(shop.address() as AddressInfo).port}/account`;
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  await new Promise((r) => shop?.close(r));
});

async function visitShop(page: Page, user: Parameters<typeof shopPage>[0]): Promise<void> {
  nextPage = shopPage(user);
  await page.goto(shopUrl);
  await openChat(page);
}

/** The CRM already knows this customer: it wrote in through the API channel with its user id. */
async function knownCustomer(userId: string, name: string): Promise<string> {
  const res = await request<{ ticketId: string }>(`${hub.url}/api/v1/inbound`, {
    body: { externalId: `crm-${userId}-1`, from: { address: userId, kind: 'external', name }, text: 'Order 1001 placed.' },
  });
  expect(res.status).toBe(201);
  const ticket = await hub.models.Ticket.findById(res.body.ticketId).lean();
  return ticket!.contact.toString();
}

describe('identity verification: a signed-in user of the host site is a known contact', () => {
  test('a verified user maps to their contact, the form is filled from the site, and their chat follows them to another device', async () => {
    const contactId = await knownCustomer('user-4711', 'Zhou Min');
    const laptop = await newPage(browser);
    await visitShop(laptop.page, { id: 'user-4711', name: 'Zhou Min', email: 'zhou.min@customer.example' });
    const w = widget(laptop.page);
    await w.prechat.waitFor({ state: 'visible' });
    await expect(w.prechat.locator('input[name=name]').inputValue()).resolves.toBe('Zhou Min');
    await expect(w.prechat.locator('input[name=email]').inputValue()).resolves.toBe('zhou.min@customer.example');
    await w.prechat.locator('input[name=topic][value=complaint]').check();
    await w.prechat.locator('button.start').click();
    await sendText(laptop.page, 'My order 1001 has the wrong tea.');
    await allSent(laptop.page, 1);

    const stored = await hub.models.Message.findOne({ text: 'My order 1001 has the wrong tea.' }).lean();
    expect(stored!.contact!.toString()).toBe(contactId);
    const ticket = await hub.models.Ticket.findById(stored!.ticket).lean();
    expect(ticket).toMatchObject({ type: 'complaint', channel: 'webchat' });
    expect(ticket!.contact.toString()).toBe(contactId);

    // The same user on their phone (a browser with nothing stored) continues the same conversation.
    const phone = await newPage(browser);
    await visitShop(phone.page, { id: 'user-4711', name: 'Zhou Min' });
    await widget(phone.page).customerMessages.filter({ hasText: 'My order 1001 has the wrong tea.' }).waitFor({ timeout: 10_000 });
    await Promise.all([laptop.context.close(), phone.context.close()]);
  });

  test('a forged hash is refused: the widget says so, nothing is stored, and the real user’s chat is not shown', async () => {
    const { page, context } = await newPage(browser);
    await visitShop(page, { id: 'user-4711', hash: identityHash('not-the-secret-0123456789abcdef0123', 'user-4711') });
    const w = widget(page);
    await page.locator('omnihub-chat .error').filter({ hasText: 'could not confirm who you are' }).waitFor({ timeout: 10_000 });
    await expect(w.customerMessages.count()).resolves.toBe(0);
    // A different user's id with a valid-looking but wrong hash does not create anything either.
    const before = await hub.models.Message.countDocuments({ channel: 'webchat' });
    await visitShop(page, { id: 'user-9999', hash: 'a'.repeat(64) });
    await page.locator('omnihub-chat .error').filter({ hasText: 'could not confirm who you are' }).waitFor({ timeout: 10_000 });
    await expect(hub.models.Message.countDocuments({ channel: 'webchat' })).resolves.toBe(before);
    await context.close();
  });

  test('after the user signs out, the next visitor in that browser does not see their conversation', async () => {
    const { page, context } = await newPage(browser);
    await visitShop(page, { id: 'user-5150', name: 'Sun Li' });
    const w = widget(page);
    await fillPrechat(page, { name: 'Sun Li', topic: 'question' });
    await sendText(page, 'Where is my parcel?');
    await allSent(page, 1);

    await visitShop(page, null); // signed out: an anonymous visitor now
    await w.prechat.waitFor({ state: 'visible' });
    await expect(w.prechat.locator('input[name=name]').inputValue()).resolves.toBe('');
    await fillPrechat(page, { name: 'Someone Else', topic: 'question' });
    await expect(w.customerMessages.count()).resolves.toBe(0);
    await context.close();
  });
});

describe('identity settings', () => {
  test('WEBCHAT_IDENTITY_REQUIRED refuses anonymous visitors and admits verified ones; a hub without the secret refuses identities', async () => {
    const strict = await startTestHub('chat-strict', { WEBCHAT_SECRET: TEST_WEBCHAT_SECRET, WEBCHAT_IDENTITY_SECRET: IDENTITY_SECRET, WEBCHAT_IDENTITY_REQUIRED: 'true' });
    try {
      await expect(tryConnect(strict.url, { channelKey: 'default' })).resolves.toEqual({ refused: 'identity_required' });
      const verified = await tryConnect(strict.url, { channelKey: 'default', identity: { userId: 'user-1', hash: identityHash(IDENTITY_SECRET, 'user-1') } });
      expect('welcome' in verified && verified.welcome.userId).toBe('user-1');
    } finally {
      await strict.stop();
    }
    const open = await startTestHub('chat-nosecret', { WEBCHAT_SECRET: TEST_WEBCHAT_SECRET });
    try {
      const refused = await tryConnect(open.url, { channelKey: 'default', identity: { userId: 'user-1', hash: identityHash(IDENTITY_SECRET, 'user-1') } });
      expect(refused).toEqual({ refused: 'identity_invalid' });
      const anonymous = await tryConnect(open.url, { channelKey: 'default' });
      expect('welcome' in anonymous && anonymous.welcome.userId).toBeNull();
    } finally {
      await open.stop();
    }
  });
});
