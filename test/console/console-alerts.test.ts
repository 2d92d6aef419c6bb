import type { Browser } from 'playwright-core';
import type { Hub } from '../../src/main';
import { request, startTestHub, type TestHubEnv } from '../support/hub';
import { until } from '../support/process';
import { createAgent, ensureConsoleBuilt, launchBrowser, newPage, signIn, waitLive } from './console.support';

let hub: Hub & { env: TestHubEnv };
let browser: Browser;

beforeAll(async () => {
  await ensureConsoleBuilt();
  [hub, browser] = await Promise.all([startTestHub('console-alerts'), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await hub?.stop();
});

interface Recorded {
  notifications: Array<{ title: string; body: string }>;
  tones: number;
  permissionAsked: number;
}

test('new work beeps and raises a desktop notification (permission asked on a click) while the agent looks elsewhere', async () => {
  const agent = await createAgent(hub.url, { email: 'alert.agent@test.example', name: 'Ada Alert' });
  const { context, page, guard } = await newPage(browser);
  // The browser's side of it, recorded: the Notification API (granted once asked) and the
  // tones the console plays. The agent is "in another window" (the page has no focus).
  await page.addInitScript(() => {
    const rec: Recorded = { notifications: [], tones: 0, permissionAsked: 0 };
    Object.assign(window, { __alerts: rec });
    let permission: NotificationPermission = 'default';
    class FakeNotification {
      static get permission() {
        return permission;
      }
      static requestPermission() {
        rec.permissionAsked += 1;
        permission = 'granted';
        return Promise.resolve(permission);
      }
      onclick: (() => void) | null = null;
      constructor(title: string, opts?: { body?: string }) {
        rec.notifications.push({ title, body: opts?.body ?? '' });
      }
      close() {}
    }
    Object.defineProperty(window, 'Notification', { value: FakeNotification, configurable: true });
    Document.prototype.hasFocus = () => false;
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (this: OscillatorNode, when?: number) {
      rec.tones += 1;
      return start.call(this, when);
    };
  });
  const recorded = () => page.evaluate(() => (window as unknown as { __alerts: Recorded }).__alerts);

  await signIn(page, hub.url, agent.email, agent.password);
  await waitLive(page);
  // Permission is asked only when the agent clicks for it.
  expect((await recorded()).permissionAsked).toBe(0);
  await page.locator('nav button', { hasText: 'Enable desktop notifications' }).click();
  await page.locator('nav', { hasText: 'Desktop notifications on' }).waitFor();
  expect((await recorded()).permissionAsked).toBe(1);
  expect((await recorded()).notifications).toEqual([]);
  expect((await recorded()).tones).toBe(0);

  const sent = await request<{ ticketId: string }>(`${hub.url}/api/v1/inbound`, {
    body: { externalId: 'alert-1', from: { address: 'nina@example.com', name: 'Nina New' }, subject: 'Broken kettle', text: 'My kettle broke after two days, I want a refund.' },
  });
  expect(sent.status).toBe(201);
  const r = await until(recorded, (x) => x.notifications.length > 0 && x.tones > 0, 10_000);
  expect(r.notifications[0]!.title).toMatch(/^New ticket #\d+$|^A ticket was assigned to you$/);
  expect(r.tones).toBeGreaterThanOrEqual(2);

  // With sound off, new work notifies without a tone.
  await page.locator('nav button', { hasText: 'Sound on' }).click();
  await page.locator('nav button', { hasText: 'Sound off' }).waitFor();
  const before = await recorded();
  await new Promise((res) => setTimeout(res, 1600));
  await request(`${hub.url}/api/v1/inbound`, {
    body: { externalId: 'alert-2', from: { address: 'otto@example.com', name: 'Otto Other' }, subject: 'Invoice', text: 'Please send the invoice again.' },
  });
  await until(recorded, (x) => x.notifications.length > before.notifications.length, 10_000);
  await new Promise((res) => setTimeout(res, 300));
  expect((await recorded()).tones).toBe(before.tones);

  expect(guard.dialogs).toEqual([]);
  expect(guard.errors).toEqual([]);
  await context.close();
});
