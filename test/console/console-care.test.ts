/**
 * The console's customer-care controls: resolving a complaint asks its cause and what was done
 * (the button and the shortcut open the same dialog), a suggestion moves through its stages, and
 * a customer's satisfaction answer shows in the ticket header and timeline, in English and Chinese.
 */
import type { Browser } from 'playwright-core';
import { io } from 'socket.io-client';
import type { Welcome } from '../../channels/webchat/webchat.protocol';
import { request, TEST_API_KEY } from '../support/hub';
import { until } from '../support/process';
import type { TestHub } from '../support/desk.fixtures';
import { createAgent, ensureConsoleBuilt, newPage, signIn, startConsole, stopConsole } from './console.support';

let hub: TestHub;
let browser: Browser;
let lead: { id: string; email: string; password: string; adminToken: string };

beforeAll(async () => {
  await ensureConsoleBuilt();
  ({ hub, browser } = await startConsole('console-care'));
  lead = await createAgent(hub.url, { email: 'lead.care@test.example', name: 'Lena Lead', role: 'supervisor' });
});
afterAll(() => stopConsole(hub, browser));

let ext = 0;
async function ticket(fields: Record<string, unknown>): Promise<string> {
  ext += 1;
  const res = await request<{ ticketId: string }>(`${hub.url}/api/v1/inbound`, { apiKey: TEST_API_KEY, body: { externalId: `care-${ext}-${Date.now()}`, from: { address: `care.${ext}@example.org`, name: `Customer ${ext}` }, ...fields } });
  expect(res.status).toBe(201);
  return res.body.ticketId;
}

test('resolving a complaint asks its cause and action; a suggestion moves through its stages', async () => {
  const complaint = await ticket({ subject: 'Broken lamp', text: 'The lamp arrived broken.', chosenType: 'complaint' });
  const idea = await ticket({ subject: 'Gift wrap', text: 'Please offer gift wrapping.', chosenType: 'suggestion' });
  const { page, context } = await newPage(browser);
  await signIn(page, hub.url, lead.email, lead.password);

  await page.goto(`${hub.url}/console/all/tickets/${complaint}`);
  const view = page.locator(`[data-testid=ticket-view][data-ticket-id="${complaint}"]`);
  await view.waitFor();
  await view.getByRole('button', { name: 'Resolve' }).click();
  const dialog = page.locator('[data-testid=complaint-resolve]');
  await dialog.waitFor();
  expect(await dialog.locator('[data-action=confirm-resolve]').isDisabled()).toBe(true);
  await dialog.locator('select[name=cause] option', { hasText: 'delivery' }).waitFor({ state: 'attached' });
  expect(await dialog.locator('select[name=cause] option').allInnerTexts()).toEqual(expect.arrayContaining(['product_defect', 'delivery', 'other']));
  await dialog.locator('select[name=cause]').selectOption('product_defect');
  await dialog.locator('textarea[name=actionTaken]').fill('Sent a new lamp');
  await dialog.locator('[data-action=confirm-resolve]').click();
  await page.locator(`[data-testid=ticket-view][data-ticket-id="${complaint}"][data-status=resolved]`).waitFor();
  await page.locator('[data-testid=timeline]', { hasText: 'Complaint resolved; cause: product_defect; done: Sent a new lamp' }).waitFor();
  await page.locator('[data-testid=timeline]', { hasText: 'Care follow-up scheduled (7 days)' }).waitFor();

  // The shortcut on another complaint opens the same dialog instead of failing.
  const second = await ticket({ subject: 'Late again', text: 'My order is late again.', chosenType: 'complaint' });
  await page.goto(`${hub.url}/console/all/tickets/${second}`);
  await page.locator(`[data-testid=ticket-view][data-ticket-id="${second}"]`).waitFor();
  await page.keyboard.press('Control+Shift+R');
  await page.locator('[data-testid=complaint-resolve]').waitFor();
  await page.keyboard.press('Escape');
  expect((await request<{ ticket: { status: string } }>(`${hub.url}/api/v1/tickets/${second}`, { apiKey: lead.adminToken })).body.ticket.status).not.toBe('resolved');

  await page.goto(`${hub.url}/console/all/tickets/${idea}`);
  const stage = page.locator('[data-testid=suggestion-stage]');
  await stage.waitFor();
  expect(await stage.getAttribute('data-stage')).toBe('under_review');
  await stage.locator('select[name=stage]').selectOption('accepted');
  await stage.locator('[data-action=suggestion-stage]').click();
  await page.locator('[data-testid=suggestion-stage][data-stage=accepted]').waitFor();
  await page.locator('[data-testid=timeline]', { hasText: 'Suggestion: Under review → Accepted' }).waitFor();
  // Declining asks for a reason before it can be sent.
  await stage.locator('select[name=stage]').selectOption('declined');
  expect(await stage.locator('[data-action=suggestion-stage]').isDisabled()).toBe(true);
  await stage.locator('input[name=reason]').fill('Not in our range');
  await stage.locator('[data-action=suggestion-stage]').click();
  await page.locator('[data-testid=suggestion-stage][data-stage=declined]').waitFor();
  await context.close();
});

test("a chat customer's rating shows in the ticket header and timeline, in Chinese too", async () => {
  const socket = io(`${hub.url}/webchat`, { auth: { channelKey: 'default' }, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<Welcome>((resolve) => socket.once('welcome', resolve));
  const ack = (await socket.timeout(10_000).emitWithAck('message', { id: `csat-${Date.now()}`, text: '我想查询退款进度', profile: { name: '赵敏', topic: 'question' } })) as { ok: boolean; ticketId: string };
  expect(ack.ok).toBe(true);
  const ticketId = ack.ticketId;
  // Listen before resolving: the card can arrive before the PATCH's answer does.
  const cardArrived = new Promise<{ ticketId: string }>((resolve) => socket.once('csat', resolve));
  expect((await request(`${hub.url}/api/v1/tickets/${ticketId}`, { method: 'PATCH', apiKey: lead.adminToken, body: { status: 'resolved' } })).status).toBe(200);
  const card = await cardArrived;
  expect(card.ticketId).toBe(ticketId);
  expect(await socket.timeout(10_000).emitWithAck('csat', { ticketId, score: 4, comment: '很快就解决了' })).toEqual({ ok: true });
  socket.close();
  await until(() => request<{ ticket: { csat: unknown } }>(`${hub.url}/api/v1/tickets/${ticketId}`, { apiKey: lead.adminToken }), (r) => r.body.ticket.csat !== null, 15_000);

  const zhLead = await createAgent(hub.url, { email: 'zhao.lead@test.example', name: '赵组长', role: 'supervisor', locale: 'zh-CN' });
  const { page, context } = await newPage(browser, { locale: 'zh-CN' });
  await signIn(page, hub.url, zhLead.email, zhLead.password);
  await page.goto(`${hub.url}/console/all/tickets/${ticketId}`);
  const answer = page.locator('[data-testid=csat-answer][data-score="4"]');
  await answer.waitFor();
  expect(await answer.innerText()).toContain('满意度');
  await page.locator('[data-testid=timeline]', { hasText: '客户评分：4/5：“很快就解决了”' }).waitFor();
  await page.locator('[data-testid=timeline]', { hasText: '已询问客户满意度' }).waitFor();
  await context.close();
});
