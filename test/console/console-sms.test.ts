import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../support/desk.fixtures';
import { request } from '../support/hub';
import { startTwilioFake, type TwilioFake } from '../support/twilio-fake';
import { createAgent, expectNoPageTrouble, openConsole, startConsole, stopConsole, type PageGuard } from './console.support';

/**
 * An SMS conversation in the console, over a Twilio number (the local Twilio fake, the real SDK):
 * the composer shows how many SMS segments the reply takes before it is sent, the reply reads
 * Delivered once Twilio's status callbacks say so (live, no reload), and after the customer texts
 * STOP the customer panel says so and a reply is refused with the reason.
 */

const NUMBER = '+14155550111';
const PUBLIC = 'https://sms.hub.example';
const CUSTOMER = '+8613911112222';

let hub: TestHub;
let browser: Browser;
let page: Page;
let guard: PageGuard;
let fake: TwilioFake;
let instanceId = '';

const row = (id: string) => page.locator(`.ticket-list a[data-ticket-id="${id}"]`);

async function text(body: string): Promise<string> {
  const params = fake.incomingSms({ to: NUMBER, from: CUSTOMER, body });
  const [answer] = await fake.webhook(`${PUBLIC}/webhooks/twilio/${instanceId}/sms`, params);
  expect(answer!.status).toBe(200);
  return params.MessageSid!;
}

beforeAll(async () => {
  fake = await startTwilioFake();
  ({ hub, browser } = await startConsole('console-sms'));
  fake.proxy(PUBLIC, hub.url);
  const agent = await createAgent(hub.url, { email: 'sam.agent@test.example', name: 'Sam Agent' });
  const created = await request<{ id: string }>(`${hub.url}/api/v1/channels`, {
    apiKey: agent.adminToken,
    body: { kind: 'twilio', name: 'SMS line', team: agent.teamId, settings: { number: NUMBER, accountSid: fake.account.sid, webhookBaseUrl: PUBLIC, apiBaseUrl: fake.url }, secrets: { authToken: fake.account.token } },
  });
  expect(created.status).toBe(201);
  instanceId = created.body.id;
  ({ page, guard } = await openConsole(browser, hub.url, agent));
});
afterAll(async () => {
  await stopConsole(hub, browser);
  await fake?.close();
});
afterEach(() => expectNoPageTrouble({ guard }));

async function openSmsTicket(sid: string): Promise<string> {
  let ticketId = '';
  for (let i = 0; i < 100 && !ticketId; i += 1) {
    ticketId = (await hub.models.Message.findOne({ channel: 'sms', externalId: sid }).lean())?.ticket?.toString() ?? '';
    if (!ticketId) await new Promise((r) => setTimeout(r, 100));
  }
  for (const view of ['mine', 'unassigned']) {
    await page.locator(`a[data-view=${view}]`).click();
    if (await row(ticketId).waitFor({ timeout: 3_000 }).then(() => true, () => false)) break;
  }
  await row(ticketId).click();
  await page.locator(`[data-testid=ticket-view][data-ticket-id="${ticketId}"]`).waitFor();
  return ticketId;
}

test('the composer counts SMS segments before sending; the reply turns Delivered when Twilio reports it', async () => {
  const sid = await text('我的快递三天没有更新了');
  await openSmsTicket(sid);
  await page.locator('.msg-inbound', { hasText: '我的快递三天没有更新了' }).waitFor();

  const box = page.locator('textarea[data-composer=reply]');
  const segments = page.locator('[data-testid=sms-segments]');
  await box.fill('Hello! Your parcel is on its way.');
  expect(await segments.innerText()).toBe('SMS: 1 segment · 33/160 characters (GSM-7)');
  await box.fill('您好'.repeat(36));
  expect(await segments.innerText()).toBe('SMS: 2 segments · 72 characters, 67 per segment (UCS-2)');
  const reply = '您好，您的快递已经在路上了，预计明天送达。';
  await box.fill(reply);
  expect(await segments.getAttribute('data-segments')).toBe('1');
  await box.press('Control+Enter');

  const shown = page.locator('.msg-outbound', { hasText: reply });
  await shown.locator('[data-delivery=sent]').waitFor({ timeout: 15_000 });
  const tw = fake.messages.find((m) => m.body === reply)!;
  expect(tw).toMatchObject({ to: CUSTOMER, from: NUMBER });
  await fake.statusCallbacks(tw.sid, ['delivered', 'sent']);
  await shown.locator('[data-delivery=delivered]').waitFor({ timeout: 10_000 });
  expect(await shown.innerText()).toContain('Delivered');
});

test('after STOP the customer panel says the number opted out, and a reply is refused with why', async () => {
  const sid = await text('STOP');
  await openSmsTicket(sid);
  const note = page.locator('[data-testid=customer] [data-testid=opted-out]');
  await note.waitFor({ timeout: 10_000 });
  expect(await note.innerText()).toMatch(/Opted out of SMS \(STOP, .+\): replies are not sent until they text START/);
  const before = fake.messages.length;
  const box = page.locator('textarea[data-composer=reply]');
  await box.fill('Are you sure?');
  await box.press('Control+Enter');
  const problem = page.locator('[data-testid=composer] [role=alert]');
  await problem.waitFor({ timeout: 10_000 });
  expect(await problem.innerText()).toContain(`${CUSTOMER} opted out of SMS (they sent STOP on`);
  expect(fake.messages.length).toBe(before);
});
