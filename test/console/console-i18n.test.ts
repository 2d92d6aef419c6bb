import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Hub } from '../../src/main';
import { request, startTestHub, type TestHubEnv } from '../support/hub';
import { createAgent, ensureConsoleBuilt, launchBrowser, newPage, screenshotDir, signIn, waitLive } from './console.support';

let hub: Hub & { env: TestHubEnv };
let browser: Browser;
let ticketId: string;

const inbound = (body: Record<string, unknown>) => request<{ ticketId: string }>(`${hub.url}/api/v1/inbound`, { body });
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(screenshotDir(), `console-${name}.png`), fullPage: false });

/** Visible text of the page (what an agent reads), not markup. */
const text = (page: Page) => page.locator('body').innerText();

beforeAll(async () => {
  await ensureConsoleBuilt();
  hub = await startTestHub('console-i18n');
  // A few tickets of each type, from several channels, in both languages.
  const t1 = await inbound({
    externalId: 'i18n-1',
    from: { address: 'wang.fang@example.cn', name: '王芳' },
    subject: '快递延误投诉',
    text: '你们的快递延误了整整一周，客服也不回复，太差劲了，我要投诉！',
  });
  ticketId = t1.body.ticketId;
  await inbound({
    externalId: 'i18n-2',
    from: { address: 'tom@example.org', name: 'Tom Baker' },
    subject: 'Dark mode, please',
    text: 'It would be great if the app had a dark mode.',
    chosenType: 'suggestion',
  });
  await inbound({
    externalId: 'i18n-3',
    from: { address: 'maria@example.org', name: 'Maria Garcia' },
    subject: 'How do I change my delivery address?',
    text: 'Hi, I moved last week. How can I update my address?',
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

describe('the console in zh-CN and en', () => {
  test('sign-in page: the browser language decides before sign-in', async () => {
    for (const [locale, title, button, email, wrong] of [
      ['zh-CN', '登录客服工作台', '登录', '邮箱', '邮箱或密码错误'],
      ['en-US', 'Sign in to the console', 'Sign in', 'Email', 'Wrong email or password'],
    ] as const) {
      const { context, page, guard } = await newPage(browser, { locale });
      await page.goto(`${hub.url}/console/`);
      await page.locator('form[data-testid=signin-form]').waitFor();
      expect(await page.locator('h1').innerText()).toBe(title);
      expect(await page.locator('form button[type=submit]').innerText()).toBe(button);
      expect(await page.locator('label.field span').first().innerText()).toBe(email);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(locale === 'zh-CN' ? 'zh-CN' : 'en');
      await shot(page, `signin-${locale === 'zh-CN' ? 'zh-CN' : 'en'}`);

      // A wrong password shows the API's problem, in place.
      await page.locator('input[name=email]').fill('nobody@test.example');
      await page.locator('input[name=password]').fill('wrong-password');
      await page.locator('form button[type=submit]').click();
      await page.locator('[data-testid=problem]').waitFor();
      expect(await page.locator('[data-testid=problem]').innerText()).toContain(wrong);
      expect(guard.dialogs).toEqual([]);
      expect(guard.errors).toEqual([]);
      await context.close();
    }
  });

  test("inbox and ticket view: the account's locale (zh-CN) first, then the language switch (en)", async () => {
    const agent = await createAgent(hub.url, { email: 'zhang.wei@test.example', name: '张伟', locale: 'zh-CN' });
    // The browser says English; the account's locale wins after sign-in.
    const { context, page, guard } = await newPage(browser, { locale: 'en-US' });
    await signIn(page, hub.url, agent.email, agent.password);
    await waitLive(page);
    // The agent is online: routing hands them the waiting tickets.
    await page.locator(`.ticket-list a[data-ticket-id="${ticketId}"]`).waitFor({ timeout: 15_000 });

    const nav = () => page.locator('nav.nav').innerText();
    expect(await nav()).toContain('我的');
    expect(await nav()).toContain('未分配');
    expect(await nav()).toContain('在线');
    expect(await nav()).toContain('退出登录');
    expect(await page.locator('.inbox').innerText()).toContain('投诉');
    expect(await page.locator('.inbox').innerText()).toContain('建议');
    expect(await page.locator('select[data-filter=sort] option:checked').innerText()).toBe('最新优先');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    await shot(page, 'inbox-zh-CN');

    await page.locator(`.ticket-list a[data-ticket-id="${ticketId}"]`).click();
    await page.locator('[data-testid=ticket-view]').waitFor();
    await page.locator('.msg-inbound').first().waitFor();
    const box = page.locator('textarea[data-composer=reply]');
    await box.fill('您好，非常抱歉给您带来不便，我们正在联系快递公司。');
    await box.press('Control+Enter');
    await page.locator('.msg-outbound').first().waitFor();
    await page.locator('button[data-mode=note]').click();
    await page.locator('textarea[data-composer=note]').fill('已联系顺丰，等待回复。');
    await page.locator('textarea[data-composer=note]').press('Control+Enter');
    await page.locator('.msg-note').first().waitFor();
    await page.locator('button[data-mode=reply]').click();

    const view = () => page.locator('[data-testid=ticket-view]').innerText();
    for (const label of ['时间线', '客户', '回复', '内部备注', '发送', '状态', '优先级', '类型', '处理人', '首次响应', '标签', '工单已创建']) {
      expect([label, (await view()).includes(label)]).toEqual([label, true]);
    }
    expect(await page.locator('select[data-control=status] option:checked').innerText()).toBe('处理中');
    expect(await box.getAttribute('placeholder')).toContain('通过API回复');
    await shot(page, 'ticket-zh-CN');

    // Switch to English: every label follows, without a reload.
    await page.locator('nav [data-testid=lang-switch]').selectOption('en');
    await page.locator('a[data-view=mine]', { hasText: 'Mine' }).waitFor();
    expect(await nav()).toContain('Unassigned');
    expect(await nav()).toContain('Online');
    expect(await nav()).toContain('Sign out');
    // (Section headings are upper-cased by CSS, which innerText reflects.)
    for (const label of ['Timeline', 'Customer', 'Reply', 'Internal note', 'Send', 'Status', 'Priority', 'Type', 'Assignee', 'First response', 'Tags', 'Ticket created']) {
      expect([label, (await view()).toLowerCase().includes(label.toLowerCase())]).toEqual([label, true]);
    }
    expect(await view()).not.toMatch(/时间线|发送|处理人/);
    expect(await page.locator('select[data-control=status] option:checked').innerText()).toBe('Open');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await shot(page, 'ticket-en');

    await page.locator('a[data-view=mine]').click();
    await page.waitForURL(/\/console\/mine$/);
    await page.locator('.ticket-list').waitFor();
    expect(await page.locator('.inbox').innerText()).toContain('Suggestion');
    expect(await page.locator('.inbox').innerText()).toContain('Care');
    expect(await page.locator('select[data-filter=sort] option:checked').innerText()).toBe('Newest first');
    await shot(page, 'inbox-en');

    // The choice is remembered over a reload.
    await page.reload();
    await page.locator('nav.nav').waitFor();
    expect(await nav()).toContain('Unassigned');
    expect(await text(page)).not.toContain('未分配');
    expect(guard.dialogs).toEqual([]);
    expect(guard.errors).toEqual([]);
    await context.close();
  });
});
