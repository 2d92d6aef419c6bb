import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import type { Hub } from '../../src/main';
import { ensureWidgetBuilt, launchBrowser, newPage } from '../support/browser';
import { startTestHub, type TestHubEnv } from '../support/hub';
import { fillPrechat, openDemo, TEST_WEBCHAT_SECRET, widget } from './webchat.fixture';

const BUNDLE = path.resolve(__dirname, '../../web/widget/dist/widget.js');
let hub: Hub & { env: TestHubEnv };
let browser: Browser;

beforeAll(async () => {
  ensureWidgetBuilt();
  [hub, browser] = await Promise.all([startTestHub('webchat-bundle', { WEBCHAT_SECRET: TEST_WEBCHAT_SECRET, WEBCHAT_CHANNEL_KEY: 'acme-tea' }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

/** The labels a customer reads, from the widget's shadow DOM. */
async function labels(page: Page) {
  const w = widget(page);
  const p = w.prechat;
  return {
    launcher: await w.launcher.getAttribute('aria-label'),
    title: await page.locator('omnihub-chat .head h2').textContent(),
    intro: await p.locator('p').first().textContent(),
    name: await p.locator('label', { has: page.locator('input[name=name]') }).textContent(),
    topics: await p.locator('.topics label').allTextContents(),
    start: await p.locator('button.start').textContent(),
  };
}

describe('the widget bundle', () => {
  test('is at most 60 KB gzipped, socket.io client included, and the hub serves it at /widget.js', async () => {
    const bytes = readFileSync(BUNDLE);
    const gzipped = gzipSync(bytes, { level: 9 }).length;
    expect(gzipped).toBeLessThanOrEqual(60 * 1024);
    // The socket client is inside (its engine's default path and transports), not loaded from elsewhere.
    expect(bytes.toString()).toContain('/socket.io');
    expect(bytes.toString()).toMatch(/websocket/);
    const served = await fetch(`${hub.url}/widget.js`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
  });

  test('/demo is a sample company page embedding the widget with the configured channel key, and links to the console', async () => {
    const res = await fetch(`${hub.url}/demo`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Acme Tea');
    expect(html).toContain('茶叶');
    expect(html).toContain('<script src="/widget.js" data-channel-key="acme-tea" defer></script>');
    expect(html).toMatch(/<a href="\/console"/);
  });

  test('speaks Chinese to a zh-CN browser and English to an en browser', async () => {
    const zh = await newPage(browser, { locale: 'zh-CN' });
    await openDemo(zh.page, hub.url);
    await expect(labels(zh.page)).resolves.toEqual({
      launcher: '在线咨询',
      title: '在线客服',
      intro: '开始之前，请简单介绍一下您自己。',
      name: '您的姓名',
      topics: ['咨询问题', '投诉', '建议'],
      start: '开始对话',
    });
    await fillPrechat(zh.page, { name: '王芳', topic: 'complaint' });
    await expect(widget(zh.page).textarea.getAttribute('placeholder')).resolves.toBe('请输入消息…');
    await expect(zh.page.locator('omnihub-chat .greeting .bubble').textContent()).resolves.toBe('您好！请问有什么可以帮您？');

    const en = await newPage(browser, { locale: 'en-GB' });
    await openDemo(en.page, hub.url);
    await expect(labels(en.page)).resolves.toEqual({
      launcher: 'Chat with us',
      title: 'Chat with us',
      intro: 'Before we start, please tell us a little about you.',
      name: 'Your name',
      topics: ['A question', 'A complaint', 'A suggestion'],
      start: 'Start chat',
    });
    await fillPrechat(en.page, { name: 'Fang', topic: 'question' });
    await expect(widget(en.page).textarea.getAttribute('placeholder')).resolves.toBe('Type a message…');
    await zh.context.close();
    await en.context.close();
  });

  test("is isolated from the host page's CSS (the demo page styles every button hot pink)", async () => {
    const { page, context } = await newPage(browser);
    await page.goto(`${hub.url}/demo`);
    const style = (selector: string, prop: string) =>
      page.locator(selector).evaluate((el, p) => getComputedStyle(el).getPropertyValue(p), prop);
    // The host rule applies to the page's own buttons…
    await page.evaluate(() => document.body.append(Object.assign(document.createElement('button'), { id: 'host-button', textContent: 'host' })));
    await expect(style('#host-button', 'background-color')).resolves.toBe('rgb(255, 105, 180)');
    // …and not to the widget's.
    await expect(style('omnihub-chat .launcher', 'background-color')).resolves.toBe('rgb(47, 111, 79)');
    await expect(style('omnihub-chat .launcher', 'border-top-style')).resolves.toBe('none');
    await openDemo(page, hub.url);
    await expect(style('omnihub-chat .prechat input[name=name]', 'font-family')).resolves.not.toMatch(/Comic Sans/);
    await context.close();
  });
});
