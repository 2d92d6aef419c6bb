import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Locator } from 'playwright-core';
import type { Hub } from '../../src/main';
import { request, startTestHub, type TestHubEnv } from '../support/hub';
import path from 'node:path';
import { until } from '../support/process';
import { createAgent, ensureConsoleBuilt, launchBrowser, newPage, screenshotDir, signIn, waitLive } from './console.support';

let hub: Hub & { env: TestHubEnv };
let browser: Browser;
/** The integrator's receiver: takes every reply, except one it refuses (a reply asking to check the order: 400). */
const REFUSED = '核实';
const receiver = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => {
    if (body.includes(REFUSED)) res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"order reference missing"}');
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});

const CUSTOMER = { address: 'li.na@example.cn', name: '李娜' };
const AGENT = { email: 'zhou.min@test.example', name: '周敏' };

/**
 * English words an agent would read in `text`, once the customer's data, people's names, ids and
 * the names zh-CN keeps (API, SLA, the shortcut keys) are taken out.
 */
function englishWords(text: string, data: string[]): string[] {
  let rest = text;
  for (const d of data) rest = rest.split(d).join(' ');
  rest = rest.replace(/\b[0-9a-f]{24}\b/g, ' ');
  return (rest.match(/[A-Za-z]{2,}/g) ?? []).filter((w) => !['API', 'SLA', 'Ctrl', 'Enter', 'Esc'].includes(w));
}
const visible = (l: Locator) => l.innerText();

beforeAll(async () => {
  await ensureConsoleBuilt();
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const { port } = receiver.address() as AddressInfo;
  hub = await startTestHub('console-zh-timeline', { API_WEBHOOK_URL: `http://127.0.0.1:${port}/hooks`, API_WEBHOOK_SECRET: 'webhook-secret-for-tests-0123456789' });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
  receiver.close();
});

test('the zh-CN console says the timeline, the sign-in error and form errors in Chinese; ids only in details', async () => {
  // A wrong password, in a Chinese browser.
  {
    const { context, page } = await newPage(browser, { locale: 'zh-CN' });
    await page.goto(`${hub.url}/console/`);
    await page.locator('input[name=email]').fill('nobody@test.example');
    await page.locator('input[name=password]').fill('wrong-password');
    await page.locator('form button[type=submit]').click();
    const problem = page.locator('[data-testid=problem]');
    await problem.waitFor();
    expect(await visible(problem)).toContain('邮箱或密码错误');
    expect(englishWords(await visible(problem), [])).toEqual([]);
    await context.close();
  }

  const { ticketId } = (
    await request<{ ticketId: string }>(`${hub.url}/api/v1/inbound`, {
      body: { externalId: 'zh-timeline-1', from: CUSTOMER, subject: '退款还没到账', text: '我上周申请的退款到现在还没到账，请尽快处理！' },
    })
  ).body;
  const agent = await createAgent(hub.url, { ...AGENT, role: 'admin', locale: 'zh-CN' });
  const { context, page, guard } = await newPage(browser, { locale: 'zh-CN' });
  await signIn(page, hub.url, agent.email, agent.password);
  await waitLive(page);
  await page.locator(`.ticket-list a[data-ticket-id="${ticketId}"]`).waitFor({ timeout: 15_000 });
  await page.locator(`.ticket-list a[data-ticket-id="${ticketId}"]`).click();
  await page.locator('[data-testid=ticket-view]').waitFor();
  const box = page.locator('textarea[data-composer=reply]');
  await box.fill('您好，退款已经处理，预计三个工作日内到账。');
  await box.press('Control+Enter');
  await page.locator('.msg-outbound').first().waitFor();

  // Created, assignee, status, reply and its delivery: each one line in Chinese.
  const timeline = page.locator('[data-testid=timeline]');
  for (const action of ['created', 'assignee', 'status', 'reply', 'delivery']) await timeline.locator(`li[data-action=${action}]`).first().waitFor({ timeout: 15_000 });
  const line = (action: string) => visible(timeline.locator(`li[data-action=${action}] .tl-what`).first());
  expect(await line('created')).toContain('工单已创建');
  expect(await line('assignee')).toBe(`系统自动分配给 ${AGENT.name}`);
  expect(await line('reply')).toBe('通过API撰写了回复');
  await timeline.locator('li[data-action=delivery][data-to=delivered]').waitFor({ timeout: 15_000 });
  expect(await visible(timeline.locator('li[data-action=delivery][data-to=delivered] .tl-what'))).toBe('通过API送达了回复 · 首次响应');
  // (Names of people and teams are data: the seeded team Support and its Administrator.)
  const names = [CUSTOMER.name, CUSTOMER.address, AGENT.name, 'Support', 'Administrator'];
  expect(englishWords(await visible(timeline), names)).toEqual([]);

  // The reply's ids are there, but only inside the entry's closed details.
  const replyId = await page.locator('.msg-outbound').first().getAttribute('data-message-id');
  const reply = timeline.locator('li[data-action=reply]').first();
  if (replyId) expect(await visible(timeline)).not.toContain(replyId);
  await reply.locator('details summary').click();
  expect(await visible(reply.locator('details'))).toMatch(/消息[\s:：]*[0-9a-f]{24}/);

  // Times read in the viewer's locale, not as ISO strings.
  const title = await timeline.locator('time').first().getAttribute('title');
  expect(title).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  expect(title).toMatch(/\d{4}年/);

  await page.screenshot({ path: path.join(screenshotDir(), 'console-timeline-zh-CN.png') });
  // The whole ticket view: no English outside the customer's data and names.
  expect(englishWords(await visible(page.locator('[data-testid=ticket-view]')), names)).toEqual([]);

  // A reply the channel refuses: the reason in Chinese on the message and the timeline, the channel's words behind a disclosure.
  await box.fill(`我们正在${REFUSED}您的订单，请稍候。`);
  await box.press('Control+Enter');
  const failed = page.locator('.msg-outbound', { hasText: REFUSED });
  await failed.locator('[data-delivery=failed]').waitFor({ timeout: 15_000 });
  expect(await failed.locator('[data-delivery=failed]').getAttribute('data-reason')).toBe('rejected');
  expect((await visible(failed.locator('[data-delivery=failed]'))).trim()).toBe('发送失败：渠道拒收了这条消息');
  expect(englishWords(await visible(failed), names)).toEqual([]);
  const raw = failed.locator('[data-testid=delivery-raw]');
  expect(await visible(raw)).toBe('原始报告');
  await raw.locator('summary').click();
  expect(await visible(raw)).toContain('order reference missing');
  await timeline.locator('li[data-action=delivery][data-to=failed]').waitFor({ timeout: 15_000 });
  expect(await visible(timeline.locator('li[data-action=delivery][data-to=failed] .tl-what'))).toBe('通过API的回复未能发送 · 渠道拒收了这条消息');

  // Entries stored before codes existed (English free text, raw actions and values): a Chinese line, the raw words in the details.
  const legacyAt = Date.now();
  const legacy = [
    { action: 'assignee', from: null, to: agent.id, detail: `assigned by routing: nobody → ${AGENT.name}` },
    { action: 'status', from: 'new', to: 'open', detail: `${AGENT.name} owns it` },
    { action: 'priority', from: 'normal', to: 'high', detail: 'raised by SLA escalation' },
    { action: 'routing.offer_expired', from: 'offered', to: 'expired', detail: `offer to ${AGENT.name} expired after 30 s` },
    { action: 'sla_breach', from: null, to: 'first_response', detail: 'first response overdue' },
    { action: 'legacy_import', from: 'crm', to: 'hub', detail: 'imported from the old CRM' },
  ];
  await hub.models.TicketEvent.insertMany(
    legacy.map((e, i) => ({ ...e, ticket: ticketId, actor: { kind: 'system', id: null, name: '' }, code: '', params: {}, at: new Date(legacyAt + i) })),
  );
  await page.reload();
  await timeline.locator('li[data-action=legacy_import]').waitFor({ timeout: 15_000 });
  expect(await visible(timeline.locator('li[data-action="routing.offer_expired"] .tl-what'))).toBe('分配');
  expect(await visible(timeline.locator('li[data-action=sla_breach] .tl-what'))).toBe('SLA');
  expect(await visible(timeline.locator('li[data-action=legacy_import] .tl-what'))).toBe('其他事件');
  expect(await visible(timeline.locator('li[data-action=priority] .tl-what').first())).toBe('优先级变更 普通 → 高');
  expect(englishWords(await visible(timeline), names)).toEqual([]);
  const old = timeline.locator('li[data-action="routing.offer_expired"]');
  await old.locator('details summary').click();
  const oldDetails = await visible(old.locator('details'));
  expect(oldDetails).toContain('routing.offer_expired');
  expect(oldDetails).toContain(`offer to ${AGENT.name} expired after 30 s`);
  expect(oldDetails).toMatch(/原始记录/);
  await old.locator('details summary').click();
  expect(englishWords(await visible(page.locator('[data-testid=ticket-view]')), names)).toEqual([]);

  // A form the API refuses: the field errors in Chinese.
  await page.locator('a[data-nav=canned]').click();
  await page.locator('[data-testid=canned-admin]').waitFor();
  await page.locator('button[data-action=canned-new]').click();
  const form = page.locator('[data-testid=canned-form]');
  await form.locator('input[name=shortcut]').fill('has space');
  await form.locator('textarea[name=text]').fill('x');
  await form.locator('button[data-action=canned-save]').click();
  await form.locator('[data-field-error=shortcut]').waitFor({ timeout: 10_000 });
  expect(await visible(form.locator('[data-field-error=shortcut]'))).toBe('格式不正确。');
  expect(await visible(form.locator('[data-field-error=title]'))).toBe('过短或过小。');
  expect(englishWords(await visible(form.locator('[data-testid=problem]')), [])).toEqual([]);

  // A field error a service finds (the shortcut is taken): in Chinese too, by its code.
  const taken = await request(`${hub.url}/api/v1/canned-responses`, { apiKey: agent.adminToken, body: { shortcut: 'refund', title: '退款', text: '退款将在三个工作日内到账。' } });
  expect(taken.status).toBe(201);
  await form.locator('input[name=shortcut]').fill('refund');
  await form.locator('input[name=title]').fill('退款时间');
  await form.locator('button[data-action=canned-save]').click();
  await until(() => visible(form.locator('[data-field-error=shortcut]')), (text) => text === '已被占用。', 10_000);
  expect(await form.locator('[data-field-error=title]').count()).toBe(0);
  expect(englishWords(await visible(form.locator('[data-testid=problem]')), [])).toEqual([]);
  expect(guard.errors).toEqual([]);
  await context.close();
});
