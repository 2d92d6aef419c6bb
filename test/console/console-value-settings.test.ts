import type { Browser, Page } from 'playwright-core';
import type { TestHub } from '../support/desk.fixtures';
import { request, TEST_ADMIN } from '../support/hub';
import { createAgent, ensureTeam, expectNoPageTrouble, expectNoSettingsScreen, openConsole, openSettingsScreen, startConsole, stopConsole, type PageGuard } from './console.support';

/**
 * Settings → Customer value: an admin changes a tier threshold and the care team of a tier; after
 * a reload the screen shows them and the API has them. A value the hub refuses is shown at its
 * field and changes nothing. Agents have no such screen.
 */

jest.setTimeout(180_000);

let hub: TestHub;
let browser: Browser;
let page: Page;
let guard: PageGuard;
let adminToken = '';

interface ValueSettings {
  custom: boolean;
  tiers: Record<string, { r: number; f: number; m: number }>;
  stage: { periodDays: number };
  careTeams: Record<string, string | null>;
}

beforeAll(async () => {
  ({ hub, browser } = await startConsole('console-value-settings'));
  ({ page, guard } = await openConsole(browser, hub.url, TEST_ADMIN));
  adminToken = (await createAgent(hub.url, { email: 'vic.value@test.example', name: 'Vic Value' })).adminToken;
});
afterAll(() => stopConsole(hub, browser));
afterEach(() => expectNoPageTrouble({ guard }));

const stored = async () => (await request<ValueSettings>(`${hub.url}/api/v1/value/settings`, { apiKey: adminToken })).body;

test('an admin sets a tier threshold and a care team; they are kept; a refused value is shown at its field', async () => {
  const vip = await ensureTeam(hub.url, adminToken, 'VIP care');
  await openSettingsScreen(page, 'value');
  const form = page.locator('[data-testid=value-settings]');
  expect(await page.locator('[data-testid=value-defaults]').count()).toBe(1);
  expect(await form.locator('input[name="tiers.gold.r"]').inputValue()).toBe('3');

  await form.locator('input[name="tiers.gold.r"]').fill('2');
  await form.locator('select[name="careTeams.platinum"]').selectOption(vip);
  await form.locator('button[data-action=save-value-settings]').click();
  await form.locator('[role=status]').waitFor();
  expect(await form.locator('[role=status]').innerText()).toBe('Saved.');
  const after = await stored();
  expect(after).toMatchObject({ custom: true, tiers: { gold: { r: 2, f: 3, m: 3 } }, careTeams: { platinum: vip, gold: null } });

  await page.reload();
  await page.locator('[data-testid=value-settings]').waitFor();
  expect(await form.locator('input[name="tiers.gold.r"]').inputValue()).toBe('2');
  expect(await form.locator('select[name="careTeams.platinum"]').inputValue()).toBe(vip);
  expect(await page.locator('[data-testid=value-defaults]').count()).toBe(0);

  // The period is at least 7 days: the hub refuses 3, the form says so at the field, nothing changes.
  await form.locator('input[name="stage.periodDays"]').fill('3');
  await form.locator('button[data-action=save-value-settings]').click();
  const at = form.locator('[data-field-error="stage.periodDays"]');
  await at.waitFor();
  expect(await at.innerText()).toMatch(/7/);
  expect((await stored()).stage.periodDays).toBe(90);
  // Scores outside 1-5 are not even sent: the browser holds the form.
  await form.locator('input[name="stage.periodDays"]').fill('30');
  await form.locator('input[name="tiers.silver.m"]').fill('9');
  await form.locator('button[data-action=save-value-settings]').click();
  expect(await form.locator('input[name="tiers.silver.m"]').evaluate((el) => (el as HTMLInputElement).validity.rangeOverflow)).toBe(true);
  expect((await stored()).tiers.silver).toEqual({ r: 2, f: 2, m: 2 });
});

test('agents have no customer value settings', async () => {
  await expectNoSettingsScreen(browser, hub.url, { email: 'vic.value@test.example', password: 'agent-password-1' }, 'value');
});
