import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../support/desk.fixtures';
import { request } from '../support/hub';
import { startTwilioFake, type TwilioFake } from '../support/twilio-fake';
import { createAgent, expectNoPageTrouble, openConsole, startConsole, stopConsole, type PageGuard } from './console.support';

/**
 * A missed call's ticket in the console, over a Twilio number (the local Twilio fake, the real
 * SDK): "Call back" rings the agent's phone and dials the customer, the timeline shows it with
 * the call's status, and the composer offers "Send SMS", whose reply reaches the caller by SMS.
 */

const NUMBER = '+14155550122';
const PUBLIC = 'https://phone.hub.example';
const CALLER = '+8613722223333';
const AGENT_PHONE = '+14155550933';

let hub: TestHub;
let browser: Browser;
let page: Page;
let guard: PageGuard;
let fake: TwilioFake;
let instanceId = '';

const row = (id: string) => page.locator(`.ticket-list a[data-ticket-id="${id}"]`);

beforeAll(async () => {
  fake = await startTwilioFake();
  ({ hub, browser } = await startConsole('console-call-back'));
  fake.proxy(PUBLIC, hub.url);
  const agent = await createAgent(hub.url, { email: 'lin.agent@test.example', name: 'Lin Agent' });
  const phone = await request(`${hub.url}/api/v1/users/${agent.id}`, { method: 'PATCH', apiKey: agent.adminToken, body: { phone: AGENT_PHONE } });
  expect(phone.status).toBe(200);
  const created = await request<{ id: string }>(`${hub.url}/api/v1/channels`, {
    apiKey: agent.adminToken,
    body: { kind: 'twilio', name: 'Phone line', team: agent.teamId, settings: { number: NUMBER, accountSid: fake.account.sid, webhookBaseUrl: PUBLIC, apiBaseUrl: fake.url }, secrets: { authToken: fake.account.token } },
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

test('on a missed call\'s ticket the agent calls the customer back and sends an SMS', async () => {
  // The caller hangs up in the menu: a "call back" care ticket.
  const call = fake.incomingCall({ to: NUMBER, from: CALLER });
  await fake.webhook(`${PUBLIC}/webhooks/twilio/${instanceId}/voice`, call);
  await fake.webhook(`${PUBLIC}/webhooks/twilio/${instanceId}/voice/status`, { ...call, CallStatus: 'completed' });
  let ticketId = '';
  for (let i = 0; i < 100 && !ticketId; i += 1) {
    ticketId = (await hub.models.Message.findOne({ channel: 'voice', externalId: `${call.CallSid}:missed` }).lean())?.ticket?.toString() ?? '';
    if (!ticketId) await new Promise((r) => setTimeout(r, 100));
  }
  for (const view of ['mine', 'unassigned']) {
    await page.locator(`a[data-view=${view}]`).click();
    if (await row(ticketId).waitFor({ timeout: 3_000 }).then(() => true, () => false)) break;
  }
  await row(ticketId).click();
  const view = page.locator(`[data-testid=ticket-view][data-ticket-id="${ticketId}"]`);
  await view.waitFor();
  await view.locator('.msg-inbound', { hasText: `Missed call from ${CALLER}` }).waitFor();

  await view.locator('button[data-action=call-back]').click();
  const placed = view.locator('[data-testid=call-back-placed]');
  await placed.waitFor({ timeout: 10_000 });
  expect(await placed.innerText()).toContain(`Your phone (${AGENT_PHONE}) is ringing: answer it to be connected to ${CALLER}.`);
  const [dialled] = fake.calls;
  expect(dialled).toMatchObject({ to: AGENT_PHONE, from: NUMBER });
  expect(dialled!.twiml).toContain(`<Number>${CALLER}</Number>`);
  await view.locator('.timeline', { hasText: `Lin Agent called the customer back (${CALLER}): their phone ${AGENT_PHONE} rings first (queued)` }).waitFor({ timeout: 10_000 });

  // The composer answers the call's ticket by SMS.
  expect(await view.locator('[data-testid=reply-blocked]').count()).toBe(0);
  const box = view.locator('textarea[data-composer=reply]');
  await box.fill('Sorry we missed you, we will call again at 3 pm.');
  expect(await view.locator('[data-testid=sms-segments]').innerText()).toContain('SMS: 1 segment');
  const send = view.locator('.composer-actions button.primary');
  expect(await send.innerText()).toBe('Send SMS');
  await send.click();
  await view.locator('.msg-outbound', { hasText: 'Sorry we missed you' }).locator('[data-delivery=sent]').waitFor({ timeout: 15_000 });
  expect(fake.messages.find((m) => m.body === 'Sorry we missed you, we will call again at 3 pm.')).toMatchObject({ to: CALLER, from: NUMBER });
});
