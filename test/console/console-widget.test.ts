import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { Hub } from '../../src/main';
import { ensureWidgetBuilt } from '../support/browser';
import { request, startTestHub, type TestHubEnv } from '../support/hub';
import { fillPrechat, openDemo, sendText, TEST_WEBCHAT_SECRET, widget } from '../webchat/webchat.fixture';
import { createAgent, ensureConsoleBuilt, launchBrowser, newPage, screenshotDir, signIn, waitLive } from './console.support';

let hub: Hub & { env: TestHubEnv };
let browser: Browser;

beforeAll(async () => {
  ensureWidgetBuilt();
  await ensureConsoleBuilt();
  [hub, browser] = await Promise.all([startTestHub('con-widget', { WEBCHAT_SECRET: TEST_WEBCHAT_SECRET }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

test('a customer on /demo picks complaint and writes; the agent sees it live in the console and replies; the customer sees the reply within a second', async () => {
  const agent = await createAgent(hub.url, { email: 'chat.agent@test.example', name: 'Lin Agent' });

  // The agent, signed into the console, watching the unassigned queue.
  const agentTab = await newPage(browser);
  const console_ = agentTab.page;
  await signIn(console_, hub.url, agent.email, agent.password);
  await waitLive(console_);
  await console_.locator('a[data-view=unassigned]').click();
  await console_.locator('.inbox .list-empty, .ticket-list').first().waitFor();
  await console_.evaluate(() => Object.assign(window, { __sameDocument: 'yes' }));

  // The customer, on the company's page, in another browser context.
  const customerTab = await newPage(browser);
  const customer = customerTab.page;
  const w = widget(customer);
  await openDemo(customer, hub.url);
  await fillPrechat(customer, { name: 'Chen Jing', email: 'chen.jing@customer.example', topic: 'complaint' });
  await sendText(customer, 'The tea tin arrived crushed and half the leaves are spilled.');

  // It appears in the console without a reload.
  const row = console_.locator('.ticket-list a[data-ticket-id]', { hasText: 'Chen Jing' });
  await row.waitFor({ timeout: 10_000 });
  expect(await row.locator('[data-type]').getAttribute('data-type')).toBe('complaint');
  expect(await row.locator('[data-channel]').getAttribute('data-channel')).toBe('webchat');
  expect(await console_.evaluate(() => (window as unknown as { __sameDocument?: string }).__sameDocument)).toBe('yes');
  const ticketId = (await row.getAttribute('data-ticket-id'))!;

  // Routing offers the chat to the online agent: the console shows the offer; the agent accepts and lands on it.
  const offer = console_.locator(`[data-testid=offer][data-ticket-id="${ticketId}"]`);
  await offer.waitFor({ timeout: 10_000 });
  expect(await offer.innerText()).toContain('Chen Jing');
  await console_.screenshot({ path: path.join(screenshotDir(), 'console-offer.png') });
  await offer.locator('button[data-action=accept]').click();
  await offer.waitFor({ state: 'detached' });
  await console_.waitForURL(new RegExp(`/console/mine/tickets/${ticketId}$`));
  await console_.locator(`[data-testid=ticket-view][data-ticket-id="${ticketId}"]`).waitFor();
  await console_.locator('[data-testid=assignee]', { hasText: 'Lin Agent' }).waitFor({ timeout: 10_000 });
  await console_.locator('.msg-inbound', { hasText: 'The tea tin arrived crushed' }).waitFor();
  // The agent has it on screen: the customer's message shows as read in the widget.
  await w.customerMessages.last().filter({ hasText: 'Read' }).waitFor({ timeout: 10_000 });

  // The customer types: the console shows it.
  await w.textarea.pressSequentially('Also the', { delay: 20 });
  await console_.locator('[data-testid=customer-typing]').waitFor({ timeout: 10_000 });
  expect(await console_.locator('[data-testid=customer-typing]').innerText()).toContain('Chen Jing');

  // The agent replies with Ctrl+Enter; the customer sees it within a second.
  const reply = 'So sorry, Chen Jing! A new tin is on its way today, no need to return the old one.';
  const box = console_.locator('textarea[data-composer=reply]');
  await box.fill(reply);
  const seen = w.agentMessages.filter({ hasText: 'A new tin is on its way' });
  const sentAt = Date.now();
  await box.press('Control+Enter');
  await seen.waitFor({ timeout: 10_000 });
  const latency = Date.now() - sentAt;
  expect(latency).toBeLessThan(1000);
  // The customer has the chat open: the console shows the reply as seen.
  await console_.locator('.msg-outbound', { hasText: 'A new tin is on its way' }).locator('[data-read=true]').waitFor({ timeout: 10_000 });

  // The ticket: complaint, from web chat, with a first response time.
  const detail = await request<{ ticket: { type: string; channel: string; firstResponseAt: string | null; createdAt: string } }>(`${hub.url}/api/v1/tickets/${ticketId}`, {
    apiKey: agent.adminToken,
  });
  expect(detail.body.ticket).toMatchObject({ type: 'complaint', channel: 'webchat' });
  expect(detail.body.ticket.firstResponseAt).not.toBeNull();
  expect(new Date(detail.body.ticket.firstResponseAt!).getTime()).toBeGreaterThanOrEqual(new Date(detail.body.ticket.createdAt).getTime());
  await console_.locator('[data-testid=first-response]', { hasNotText: 'not yet' }).waitFor({ timeout: 10_000 });
  await console_.locator(`[data-testid=ticket-view][data-status=open]`).waitFor({ timeout: 10_000 });
  await console_.screenshot({ path: path.join(screenshotDir(), 'console-ticket-webchat.png') });
  await customer.screenshot({ path: path.join(screenshotDir(), 'console-demo-customer.png') });

  // Seen survives a reload: the customer has left (no live receipt can come), the agent reloads the ticket.
  expect(customerTab.guard.dialogs).toEqual([]);
  expect(customerTab.guard.errors).toEqual([]);
  await customerTab.context.close();
  await console_.reload();
  await console_.locator(`[data-testid=ticket-view][data-ticket-id="${ticketId}"]`).waitFor({ timeout: 10_000 });
  const replyAfterReload = console_.locator('.msg-outbound', { hasText: 'A new tin is on its way' });
  await replyAfterReload.waitFor();
  await replyAfterReload.locator('[data-read=true]', { hasText: 'Seen' }).waitFor({ timeout: 10_000 });

  expect(agentTab.guard.dialogs).toEqual([]);
  expect(agentTab.guard.errors).toEqual([]);
  await agentTab.context.close();
});
