import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { Hub } from '../../src/main';
import { request, startTestHub, type TestHubEnv } from '../support/hub';
import { until } from '../support/process';
import { apiLogin, createAgent, ensureConsoleBuilt, launchBrowser, newPage, screenshotDir, signIn, waitLive } from './console.support';

let hub: Hub & { env: TestHubEnv };
let browser: Browser;

beforeAll(async () => {
  await ensureConsoleBuilt();
  [hub, browser] = await Promise.all([startTestHub('console-sup'), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

test('a supervisor sees everything in All, assigns a ticket to an agent, and the agent sees it arrive in Mine', async () => {
  const sup = await createAgent(hub.url, { email: 'sam.sup@test.example', name: 'Sam Supervisor', role: 'supervisor' });
  const agent = await createAgent(hub.url, { email: 'bo.agent@test.example', name: 'Bo Agent' });

  // The agent's console: no All view.
  const agentTab = await newPage(browser);
  await signIn(agentTab.page, hub.url, agent.email, agent.password);
  await waitLive(agentTab.page);
  // Away: routing leaves the ticket for the supervisor to assign.
  await agentTab.page.locator('.presence-btn.presence-away').click();
  expect(await agentTab.page.locator('a[data-view=all]').count()).toBe(0);

  const supTab = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  const page = supTab.page;
  await signIn(page, hub.url, sup.email, sup.password);
  await waitLive(page);
  await page.locator('.presence-btn.presence-away').click();
  // Both are away before the ticket arrives: routing leaves it waiting.
  for (const who of [agent, sup]) {
    const token = await apiLogin(hub.url, who.email, who.password);
    await until(async () => (await request<{ status: string }>(`${hub.url}/api/v1/me/routing`, { apiKey: token })).body.status, (st) => st === 'away', 10_000);
  }
  const sent = await request<{ ticketId: string }>(`${hub.url}/api/v1/inbound`, {
    body: { externalId: 'sup-1', from: { address: 'kim@example.com', name: 'Kim Customer' }, subject: 'Damaged box', text: 'The box was damaged in transit.', chosenType: 'complaint' },
  });
  const id = sent.body.ticketId;
  await page.locator('a[data-view=all]').click();
  await page.waitForURL(/\/console\/all$/);
  const row = page.locator(`.ticket-list a[data-ticket-id="${id}"]`);
  await row.waitFor({ timeout: 10_000 });
  await row.click();
  await page.locator(`[data-testid=ticket-view][data-ticket-id="${id}"]`).waitFor();

  await page.locator('select[data-control=assignee]').selectOption({ label: 'Bo Agent' });
  await page.locator('[data-testid=timeline] li[data-action=assignee]').waitFor({ timeout: 10_000 });
  expect(await page.locator('[data-testid=timeline] li[data-action=assignee]').innerText()).toContain('Sam Supervisor');
  await page.screenshot({ path: path.join(screenshotDir(), 'console-supervisor-1280.png') });

  // The agent's Mine view gets it live.
  await agentTab.page.locator(`.ticket-list a[data-ticket-id="${id}"]`).waitFor({ timeout: 10_000 });
  const detail = await request<{ ticket: { assignee: { id: string } | null; status: string } }>(`${hub.url}/api/v1/tickets/${id}`, { apiKey: sup.adminToken });
  expect(detail.body.ticket.assignee?.id).toBe(agent.id);
  expect(detail.body.ticket.status).toBe('open');

  for (const tab of [agentTab, supTab]) {
    expect(tab.guard.dialogs).toEqual([]);
    expect(tab.guard.errors).toEqual([]);
    await tab.context.close();
  }
});
