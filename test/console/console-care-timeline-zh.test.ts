import type { Browser, Page } from 'playwright-core';
import { Types } from 'mongoose';
import { inbound, type TestHub } from '../support/desk.fixtures';
import { createAgent, expectNoPageTrouble, openConsole, startConsole, stopConsole, type PageGuard } from './console.support';

/**
 * Proactive care entries on the timeline name tiers and stages as codes (params `from`/`to`);
 * the zh-CN console says them in Chinese (黄金 … not "gold"), the English console in English.
 */

let hub: TestHub;
let browser: Browser;
let page: Page;
let guard: PageGuard;
let agent: Awaited<ReturnType<typeof createAgent>>;

beforeAll(async () => {
  ({ hub, browser } = await startConsole('console-care-timeline-zh'));
  agent = await createAgent(hub.url, { email: 'zhao.care@test.example', name: '赵关怀', locale: 'zh-CN' });
  ({ page, guard } = await openConsole(browser, hub.url, agent));
});
afterAll(() => stopConsole(hub, browser));
afterEach(() => expectNoPageTrouble({ guard }));

/** The entries the care run writes (src/value/care.service.ts): same action, code and params. */
async function careEntries(ticketId: string): Promise<void> {
  const actor = { kind: 'system' as const, id: null, name: 'proactive care' };
  await hub.models.TicketEvent.create([
    { ticket: new Types.ObjectId(ticketId), actor, action: 'care', from: 'gold', to: 'silver', detail: 'customer dropped from gold to silver', code: 'care.tier_drop', params: { from: 'gold', to: 'silver', code: 'tier' }, at: new Date() },
    {
      ticket: new Types.ObjectId(ticketId),
      actor,
      action: 'care',
      from: 'stable',
      to: 'declining',
      detail: 'customer moved to declining (orders_dropped)',
      code: 'care.declining',
      params: { from: 'stable', to: 'declining', code: 'orders_dropped', current: '1', previous: '4', periodDays: '90' },
      at: new Date(Date.now() + 1),
    },
  ]);
}

test('a tier drop and a move to declining read in Chinese, without the English tier or stage words', async () => {
  const { ticketId } = await inbound(hub, { subject: '关怀', text: '您好', from: { address: 'wang.care@example.cn', name: '王先生', kind: 'email' } });
  await careEntries(ticketId);
  await page.goto(`${hub.url}/console/mine/tickets/${ticketId}`);
  const timeline = page.locator('[data-testid=timeline]');
  const drop = timeline.locator('li[data-action=care][data-from=gold]');
  await drop.waitFor({ timeout: 15_000 });
  const dropText = await drop.locator('.tl-what').innerText();
  expect(dropText).toContain('主动关怀：客户等级从 黄金 降至 白银');
  expect(dropText).not.toMatch(/gold|silver/i);
  const declining = await timeline.locator('li[data-action=care][data-from=stable] .tl-what').innerText();
  expect(declining).not.toMatch(/stable|declining/i);
});
