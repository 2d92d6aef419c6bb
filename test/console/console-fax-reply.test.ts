import type { Browser, Page } from 'playwright-core';
import { renderFaxReply } from '../../channels/fax/fax.reply-pdf';
import type { TestHub } from '../support/desk.fixtures';
import { startFakeFaxProvider, telnyxFaxReceived, telnyxHeaders, type FakeFaxProvider, type SentFax } from '../support/fax-fake';
import { request } from '../support/hub';
import { until } from '../support/process';
import { createAgent, expectNoPageTrouble, openConsole, startConsole, stopConsole, type PageGuard } from './console.support';

/**
 * A fax reply as an agent who works in Chinese follows it in the console: written in the
 * composer, then on the message 已发送 → 正在发送 while the fax is on the line; a busy line is
 * said on the timeline (which attempt, that it is dialled again, 对方占线), and the redial ends
 * 已送达 — all from the provider's signed callbacks, live.
 */

jest.setTimeout(180_000);

let hub: TestHub;
let browser: Browser;
let page: Page;
let guard: PageGuard;
let provider: FakeFaxProvider;
let instanceId = '';

beforeAll(async () => {
  provider = await startFakeFaxProvider();
  ({ hub, browser } = await startConsole('console-fax-reply', { OUTBOUND_ATTEMPTS: '2', OUTBOUND_RETRY_BASE_MS: '20' }));
  const agent = await createAgent(hub.url, { email: 'mei.agent@test.example', name: '王美', locale: 'zh-CN' });
  const res = await request<{ id: string }>(`${hub.url}/api/v1/channels`, {
    apiKey: agent.adminToken,
    body: {
      kind: 'fax',
      name: '传真 +86 10 8888 0000',
      team: agent.teamId,
      settings: { provider: 'telnyx', number: '+861088880000', outbound: { apiBaseUrl: provider.url, connectionId: 'fax-app-1', letterhead: '华东电器有限公司', language: 'zh-CN', redialAttempts: 3, redialBackoffMs: 200 } },
      secrets: { publicKey: provider.outbound.keys.publicKey, apiKey: provider.outbound.apiKey },
    },
  });
  expect(res.status).toBe(201);
  instanceId = res.body.id;
  ({ page, guard } = await openConsole(browser, hub.url, agent));
});
afterAll(async () => {
  await stopConsole(hub, browser);
  await provider?.close();
});
afterEach(() => expectNoPageTrouble({ guard }));

async function sendOf(messageId: string, n: number): Promise<SentFax> {
  const mine = () => provider.outbound.sent.filter((f) => f.request.client_state === Buffer.from(messageId).toString('base64'));
  await until(async () => mine().length, (k) => k >= n, 30_000, 50);
  const fax = mine()[n - 1]!;
  await until(() => hub.models.Message.findById(messageId).lean(), (m) => m?.externalId === fax.id && m.deliveryStatus === 'sent', 30_000, 50);
  return fax;
}

test('the agent replies to a fax; the message shows sending, the busy line on the timeline, then delivered', async () => {
  const pdf = await renderFaxReply({ letterhead: '', ticketNumber: 1, date: new Date(), timeZone: 'UTC', text: '你们的水壶坏了，我要投诉。', paperSize: 'A4', language: 'en' });
  const body = telnyxFaxReceived('in-console-1', '+862155501234', provider.serve('in-console-1.pdf', pdf));
  expect((await request(`${hub.url}/channels/fax/${instanceId}/inbound`, { rawBody: body, headers: telnyxHeaders(body, provider.outbound.keys.privateKey), apiKey: null })).status).toBe(200);
  const m = await until(() => hub.models.Message.findOne({ channel: 'fax', externalId: 'in-console-1' }).lean(), (x) => x?.ticket != null);
  await page.goto(`${hub.url}/console/mine/tickets/${m!.ticket!.toString()}`);
  const view = page.locator(`[data-testid=ticket-view][data-ticket-id="${m!.ticket!.toString()}"]`);
  await view.waitFor();

  provider.outbound.script([{ failed: 'user_busy' }, 'delivered']);
  const box = page.locator('textarea[data-composer=reply]');
  await box.fill('您好，我们会为您更换新的水壶。');
  await box.press('Control+Enter');
  const reply = page.locator('.msg-outbound', { hasText: '我们会为您更换新的水壶' });
  await reply.locator('[data-delivery=sent]').waitFor({ timeout: 15_000 });
  expect(await reply.locator('[data-delivery=sent]').innerText()).toContain('已发送');
  const id = (await hub.models.Message.findOne({ direction: 'outbound', text: '您好，我们会为您更换新的水壶。' }).lean())!._id.toString();

  const first = await sendOf(id, 1);
  await provider.outbound.callback(first.id, 'fax.sending.started');
  await reply.locator('[data-delivery=sending]').waitFor({ timeout: 10_000 });
  expect(await reply.locator('[data-delivery=sending]').innerText()).toContain('正在发送');

  // Busy: the timeline says so, and the fax is dialled again.
  await provider.outbound.callback(first.id, 'fax.failed', { failureReason: 'user_busy' });
  const retry = view.locator('[data-testid=timeline] li[data-action=delivery]', { hasText: '第 1 次（共 3 次）未能送达' });
  await retry.waitFor({ timeout: 10_000 });
  expect(await retry.innerText()).toContain('对方占线');

  const second = await sendOf(id, 2);
  expect(await provider.outbound.play(second.id)).toBe(200);
  await reply.locator('[data-delivery=delivered]').waitFor({ timeout: 10_000 });
  expect(await reply.locator('[data-delivery=delivered]').innerText()).toContain('已送达');
});
