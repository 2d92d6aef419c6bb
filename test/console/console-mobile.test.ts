import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { TestHub } from '../support/desk.fixtures';
import { request } from '../support/hub';
import { until } from '../support/process';
import { apiLogin, createAgent, expectNoPageTrouble, screenshotDir, startConsole, stopConsole, untilRouting, type PageGuard } from './console.support';

/** A phone: 390×844 CSS pixels, touch, the mobile viewport rules. */
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } as const;

let hub: TestHub;
let browser: Browser;
/** What the integrator's webhook received: the replies of API-channel tickets, as sent. */
const received: string[] = [];
const webhook = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => {
    received.push(body);
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});

beforeAll(async () => {
  webhook.listen(0, '127.0.0.1');
  await once(webhook, 'listening');
  const { port } = webhook.address() as AddressInfo;
  ({ hub, browser } = await startConsole('console-mobile', { API_WEBHOOK_URL: `http://127.0.0.1:${port}/hooks`, API_WEBHOOK_SECRET: 'mobile-webhook-secret-0123456789' }));
});
afterAll(async () => {
  await stopConsole(hub, browser);
  webhook.closeAllConnections();
  webhook.close();
});

async function phonePage(): Promise<{ context: BrowserContext; page: Page; guard: PageGuard }> {
  const context = await browser.newContext({ ...PHONE, locale: 'en-US' });
  const page = await context.newPage();
  const guard: PageGuard = { dialogs: [], errors: [] };
  page.on('dialog', (d) => {
    guard.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => undefined);
  });
  page.on('pageerror', (err) => guard.errors.push(err.message));
  return { context, page, guard };
}

/** The element is shown whole inside the 390×844 viewport (not merely in the DOM, nor off screen). */
async function expectOnScreen(l: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  await l.waitFor();
  const box = await l.boundingBox();
  expect(box).not.toBeNull();
  const b = box!;
  expect([b.width > 0, b.height > 0]).toEqual([true, true]);
  expect([b.x >= 0, b.y >= 0, b.x + b.width <= PHONE.viewport.width + 0.5, b.y + b.height <= PHONE.viewport.height + 0.5]).toEqual([true, true, true, true]);
  return b;
}

/** Nothing else covers the middle of the element: a tap there reaches it. */
async function expectOnTop(l: Locator): Promise<void> {
  const ok = await l.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return hit !== null && (hit === el || el.contains(hit));
  });
  expect(ok).toBe(true);
}

test('at 390×844 an agent signs in, goes online, opens a ticket, replies, sees the customer and the timeline, goes back and signs out', async () => {
  const agent = await createAgent(hub.url, { email: 'mia.mobile@test.example', name: 'Mia Mobile' });
  const { ticketId } = (
    await request<{ ticketId: string }>(`${hub.url}/api/v1/inbound`, {
      body: { externalId: 'mobile-1', from: { address: 'rosa.customer@example.com', name: 'Rosa Customer' }, subject: 'Parcel never arrived', text: 'My parcel has not arrived after two weeks.' },
    })
  ).body;
  const token = await apiLogin(hub.url, agent.email, agent.password);
  const { context, page, guard } = await phonePage();

  // Sign in: the form and its button fit the phone.
  await page.goto(`${hub.url}/console/`);
  await page.locator('input[name=email]').fill(agent.email);
  await page.locator('input[name=password]').fill(agent.password);
  await expectOnScreen(page.locator('form[data-testid=signin-form] button[type=submit]'));
  await page.locator('form[data-testid=signin-form] button[type=submit]').tap();

  // A compact bar, not a header taking half the screen; the desktop nav is out of the way.
  const bar = page.locator('[data-testid=mobile-bar]');
  const barBox = await expectOnScreen(bar);
  expect(barBox.height).toBeLessThanOrEqual(56);
  expect(await page.locator('nav.nav').isVisible()).toBe(false);
  await page.locator('[data-testid=bar-presence]:not(.conn-down)').waitFor({ timeout: 15_000 });

  // The menu: presence, views, language and sign-out, all on screen.
  await page.locator('button[data-action=menu]').tap();
  const nav = page.locator('nav.nav');
  // Focus is in the menu; Escape closes it and focus is back on the menu button.
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-action') === 'close-menu', undefined, { timeout: 2_000 });
  await page.keyboard.press('Escape');
  expect(await nav.isVisible()).toBe(false);
  await page.waitForFunction(() => document.activeElement?.getAttribute('data-action') === 'menu', undefined, { timeout: 2_000 });
  await page.locator('button[data-action=menu]').tap();
  await expectOnScreen(nav.locator('.presence-btn.presence-online'));
  await expectOnScreen(nav.locator('a[data-view=mine]'));
  await expectOnScreen(nav.locator('a[data-view=unassigned]'));
  await expectOnScreen(nav.locator('[data-testid=lang-switch]'));
  await expectOnScreen(nav.locator('button.signout'));
  await expectOnTop(nav.locator('button.signout'));
  await page.screenshot({ path: path.join(screenshotDir(), 'console-mobile-menu.png') });
  await nav.locator('.presence-btn.presence-online').tap();
  await untilRouting(hub.url, token, 'online');
  expect(await nav.locator('.presence-btn.presence-online').getAttribute('aria-pressed')).toBe('true');
  // The views switch from the menu, and the menu closes.
  await nav.locator('a[data-view=unassigned]').tap();
  await page.waitForURL(/\/console\/unassigned$/);
  expect(await nav.isVisible()).toBe(false);
  expect(await bar.innerText()).toContain('Unassigned');
  await page.locator('button[data-action=menu]').tap();
  await nav.locator('a[data-view=mine]').tap();
  await page.waitForURL(/\/console\/mine$/);
  expect(await page.locator('[data-testid=bar-presence]').innerText()).toContain('Online');

  // Online, the waiting ticket comes to Mia: the list is one tap from it.
  const row = page.locator(`.ticket-list a[data-ticket-id="${ticketId}"]`);
  await row.waitFor({ timeout: 20_000 });
  await expectOnScreen(row);
  await page.screenshot({ path: path.join(screenshotDir(), 'console-mobile-inbox.png') });
  await row.tap();
  await page.waitForURL(new RegExp(`/console/mine/tickets/${ticketId}$`));
  const view = page.locator('[data-testid=ticket-view]');
  await view.waitFor();
  // One column: the list gave way to the ticket.
  expect(await page.locator('.inbox').isVisible()).toBe(false);
  expect(await view.locator('[data-testid=ticket-subject]').innerText()).toBe('Parcel never arrived');
  await expectOnScreen(view.locator('.msg-inbound').first());

  // Reply: the box and its Send button are on screen, and the customer's side receives the reply.
  const box = view.locator('textarea[data-composer=reply]');
  await expectOnScreen(box);
  await box.tap();
  await box.fill('Sorry about that, a new parcel leaves today.');
  const send = view.locator('.composer-actions button.btn.primary');
  await expectOnScreen(send);
  await expectOnTop(send);
  await send.tap();
  await until(async () => received.join('\n'), (all) => all.includes('a new parcel leaves today'), 15_000);
  await view.locator('.msg-outbound').first().waitFor();
  await page.screenshot({ path: path.join(screenshotDir(), 'console-mobile-ticket.png') });

  // The on-screen keyboard takes the lower half (the page shrinks to what is left above it):
  // the bar, the reply box and Send stay on screen, one above the other, with the conversation between.
  await page.setViewportSize({ width: 390, height: 420 });
  await box.focus();
  const small = { ...PHONE.viewport, height: 420 };
  const [barTop, convo, boxNow, sendNow] = await Promise.all([bar.boundingBox(), view.locator('[data-testid=conversation]').boundingBox(), box.boundingBox(), send.boundingBox()]);
  for (const b of [barTop, boxNow, sendNow]) expect([b!.y >= 0, b!.y + b!.height <= small.height + 0.5]).toEqual([true, true]);
  expect(convo!.height).toBeGreaterThan(120);
  expect(convo!.y + convo!.height).toBeLessThanOrEqual(boxNow!.y);
  await expectOnTop(send);
  await page.screenshot({ path: path.join(screenshotDir(), 'console-mobile-keyboard.png') });
  await page.setViewportSize(PHONE.viewport);

  // The ticket's details fold out; the customer panel opens as a sheet and closes again.
  await view.locator('button[data-action=ticket-details]').tap();
  await expectOnScreen(view.locator('select[data-control=status]'));
  await view.locator('button[data-action=ticket-details]').tap();
  expect(await view.locator('select[data-control=status]').isVisible()).toBe(false);
  const customer = view.locator('[data-testid=customer]');
  expect(await customer.isVisible()).toBe(false);
  await view.locator('button[data-action=open-customer]').tap();
  await expectOnScreen(customer.locator('.customer-name'));
  await expectOnTop(customer.locator('.customer-name'));
  expect(await customer.locator('.customer-name').innerText()).toBe('Rosa Customer');
  await expectOnScreen(customer.locator('.identities'));
  await expectOnTop(view.locator('button[data-action=close-sheet]'));
  await page.screenshot({ path: path.join(screenshotDir(), 'console-mobile-customer.png') });
  await view.locator('button[data-action=close-sheet]').tap();
  expect(await customer.isVisible()).toBe(false);
  await expectOnTop(box);

  // The timeline opens the same way, at the timeline, with the reply on it.
  await view.locator('button[data-action=open-timeline]').tap();
  const timeline = view.locator('[data-testid=timeline]');
  await expectOnScreen(timeline.locator('h3'));
  await expectOnTop(timeline.locator('h3'));
  await timeline.locator('li[data-action=reply]').first().waitFor();
  await expectOnScreen(timeline.locator('li[data-action=reply]').first());
  // A tap beside the sheet closes it.
  await page.locator('[data-testid=sheet-backdrop]').tap({ position: { x: 195, y: 40 } });
  expect(await timeline.isVisible()).toBe(false);

  // Back: the list again; the browser's back and forward agree with it.
  const back = page.locator('button[data-action=back]');
  await expectOnScreen(back);
  await back.tap();
  await page.waitForURL(/\/console\/mine$/);
  await expectOnScreen(row);
  expect(await view.count()).toBe(0);
  await page.goForward();
  await page.waitForURL(new RegExp(`/console/mine/tickets/${ticketId}$`));
  await view.waitFor();
  await page.goBack();
  await page.waitForURL(/\/console\/mine$/);
  await expectOnScreen(row);

  // Sign out from the menu.
  await page.locator('button[data-action=menu]').tap();
  await nav.locator('button.signout').tap();
  await expectOnScreen(page.locator('form[data-testid=signin-form] button[type=submit]'));
  expect((await request(`${hub.url}/api/v1/me`, { apiKey: null, headers: { cookie: (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ') } })).status).toBe(401);

  expectNoPageTrouble({ guard });
  await context.close();
});

test('the desktop console keeps its side-by-side layout: nav, list, ticket and sidebar, no phone bar', async () => {
  const agent = await createAgent(hub.url, { email: 'dan.desk@test.example', name: 'Dan Desk', role: 'supervisor' });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${hub.url}/console/`);
  await page.locator('input[name=email]').fill(agent.email);
  await page.locator('input[name=password]').fill(agent.password);
  await page.locator('form[data-testid=signin-form] button[type=submit]').click();
  await page.locator('nav.nav').waitFor();
  expect(await page.locator('[data-testid=mobile-bar]').isVisible()).toBe(false);
  await page.locator('a[data-view=all]').click();
  const row = page.locator('.ticket-list a').first();
  await row.waitFor({ timeout: 15_000 });
  await row.click();
  const view = page.locator('[data-testid=ticket-view]');
  await view.waitFor();
  const [navBox, listBox, sideBox] = await Promise.all([page.locator('nav.nav').boundingBox(), page.locator('.inbox').boundingBox(), view.locator('.sidebar').boundingBox()]);
  expect(navBox?.width).toBe(216);
  expect(navBox?.height).toBe(900);
  expect(listBox?.x).toBe(216);
  expect(sideBox?.width).toBe(300);
  expect(await view.locator('.sheet-toggles').isVisible()).toBe(false);
  expect(await view.locator('select[data-control=status]').isVisible()).toBe(true);
  await context.close();
});
