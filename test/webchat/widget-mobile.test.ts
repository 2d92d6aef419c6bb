import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import type { Hub } from '../../src/main';
import { ensureWidgetBuilt, launchBrowser } from '../support/browser';
import { startTestHub, type TestHubEnv } from '../support/hub';
import { TEST_WEBCHAT_SECRET, widget } from './webchat.fixture';

/** A phone: 390×844 CSS pixels, touch, the mobile viewport rules. */
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } as const;

let hub: Hub & { env: TestHubEnv };
let browser: Browser;

beforeAll(async () => {
  ensureWidgetBuilt();
  // The tallest pre-chat form: name, email, phone and the topics.
  [hub, browser] = await Promise.all([startTestHub('widget-mobile', { WEBCHAT_SECRET: TEST_WEBCHAT_SECRET, WEBCHAT_PRECHAT_FIELDS: 'email,phone' }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

/** The element is whole inside the viewport, with nothing on top of its middle, without any scrolling. */
async function expectInView(page: Page, l: Locator): Promise<void> {
  await l.waitFor();
  const box = await l.boundingBox();
  expect(box).not.toBeNull();
  const b = box!;
  expect([b.width > 0, b.height > 0, b.x >= 0, b.y >= 0, b.x + b.width <= PHONE.viewport.width + 0.5, b.y + b.height <= PHONE.viewport.height + 0.5]).toEqual([true, true, true, true, true, true]);
  // What a tap at its middle reaches (inside the widget's shadow root).
  const hit = await l.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const root = el.getRootNode() as ShadowRoot;
    const at = root.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return at !== null && (at === el || el.contains(at));
  });
  expect(hit).toBe(true);
}

/** Nothing scrolled: neither the page nor the widget's own form. */
const scrolled = (page: Page) =>
  page.evaluate(() => {
    const form = document.querySelector('omnihub-chat')?.shadowRoot?.querySelector('.prechat');
    return { page: window.scrollY, form: form?.scrollTop ?? -1 };
  });

test.each(['en-US', 'zh-CN'])('at 390×844 (%s) the launcher and the pre-chat form’s start button are on screen without scrolling; the chat starts', async (locale) => {
  const context = await browser.newContext({ ...PHONE, locale });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const w = widget(page);
  await page.goto(`${hub.url}/demo`);
  await expectInView(page, w.launcher);
  await w.launcher.tap();
  await w.panel.waitFor({ state: 'visible' });
  await w.prechat.waitFor({ state: 'visible' });
  for (const field of ['name', 'email', 'phone']) await w.prechat.locator(`input[name=${field}]`).waitFor();
  const start = w.prechat.locator('button.start');
  await expectInView(page, start);
  // The whole panel fits the phone, its close button too.
  await expectInView(page, page.locator('omnihub-chat .head .x'));
  expect(await scrolled(page)).toEqual({ page: 0, form: 0 });
  await page.screenshot({ path: path.join(process.env.CONSOLE_SCREENSHOT_DIR ?? '/tmp', `widget-mobile-${locale}.png`) });

  await w.prechat.locator('input[name=name]').fill('Pat Phone');
  await w.prechat.locator('input[name=topic][value=question]').check();
  await start.tap();
  await w.textarea.waitFor({ state: 'visible' });
  await expectInView(page, w.textarea);
  await expectInView(page, page.locator('omnihub-chat .composer .send'));
  expect(errors).toEqual([]);
  await context.close();
});

test('in the desktop panel (1366×768) the long pre-chat form keeps its start button in sight without scrolling', async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  const w = widget(page);
  await page.goto(`${hub.url}/demo`);
  await w.launcher.click();
  await w.prechat.locator('input[name=phone]').waitFor();
  const start = w.prechat.locator('button.start');
  const [panel, button] = await Promise.all([w.panel.boundingBox(), start.boundingBox()]);
  // The panel keeps its size and place: a window at the bottom right, not the whole screen.
  expect(panel).toMatchObject({ width: 360, height: 540 });
  expect(panel!.x + panel!.width).toBe(1366 - 20);
  expect(button!.y + button!.height).toBeLessThanOrEqual(panel!.y + panel!.height);
  const hit = await start.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const at = (el.getRootNode() as ShadowRoot).elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return at === el;
  });
  expect(hit).toBe(true);
  expect(await w.prechat.evaluate((f) => f.scrollTop)).toBe(0);
  // The launcher stays beside the open panel.
  expect(await w.launcher.isVisible()).toBe(true);
  await context.close();
});
