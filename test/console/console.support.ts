import { execFileSync } from 'node:child_process';
import { mkdirSync, rmdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import type { TestHub } from '../support/desk.fixtures';
import { request, startTestHub, TEST_ADMIN } from '../support/hub';
import { until } from '../support/process';

const ROOT = path.resolve(__dirname, '../..');

/**
 * Builds web/console/dist when its sources changed since the last build. Test files run
 * in parallel workers: a lock directory (mkdir is atomic) keeps two builds from overlapping.
 */
export async function ensureConsoleBuilt(): Promise<void> {
  const lock = path.join(os.tmpdir(), 'omnihub-console-build.lock');
  const start = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock left by a killed run is stale after a minute.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 60_000) rmdirSync(lock);
      } catch {
        /* gone meanwhile */
      }
      if (Date.now() - start > 120_000) throw new Error('timed out waiting for the console build lock');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'web/console/build.mjs'), '--if-stale'], { cwd: ROOT, stdio: 'pipe' });
  } finally {
    rmdirSync(lock);
  }
}

/** A console test's hub (tagged `tag`) and browser, started together once the console is built. Stop them with stopConsole in afterAll. */
export async function startConsole(tag: string, overrides: Record<string, string> = {}): Promise<{ hub: TestHub; browser: Browser }> {
  await ensureConsoleBuilt();
  const [hub, browser] = await Promise.all([startTestHub(tag, overrides), launchBrowser()]);
  return { hub, browser };
}

/** Closes what startConsole started (either may be missing when starting failed). */
export async function stopConsole(hub: TestHub | undefined, browser: Browser | undefined): Promise<void> {
  await browser?.close();
  await hub?.stop();
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Everything a page did that it should not have: dialogs, uncaught errors. */
export interface PageGuard {
  dialogs: string[];
  errors: string[];
}

export async function newPage(browser: Browser, opts: { locale?: string; viewport?: { width: number; height: number } } = {}): Promise<{ context: BrowserContext; page: Page; guard: PageGuard }> {
  const context = await browser.newContext({ locale: opts.locale ?? 'en-US', viewport: opts.viewport ?? { width: 1440, height: 900 } });
  const page = await context.newPage();
  const guard: PageGuard = { dialogs: [], errors: [] };
  page.on('dialog', (d) => {
    guard.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => undefined);
  });
  page.on('pageerror', (err) => guard.errors.push(err.message));
  // A resource or script the hub's CSP (default-src 'self', no inline scripts) refuses is a bug too.
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) guard.errors.push(msg.text());
  });
  return { context, page, guard };
}

/** No page raised a dialog or an uncaught error (checked after each test). */
export function expectNoPageTrouble(...tabs: Array<{ guard: PageGuard }>): void {
  for (const { guard } of tabs) {
    expect(guard.dialogs).toEqual([]);
    expect(guard.errors).toEqual([]);
  }
}

export async function apiLogin(baseUrl: string, email: string, password: string): Promise<string> {
  const res = await request<{ token: string }>(`${baseUrl}/api/v1/auth/login`, { body: { email, password }, apiKey: null });
  if (res.status !== 200) throw new Error(`login ${email} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token;
}

/** The default team new tickets join, and an agent in it (created through the admin API). */
export async function createAgent(
  baseUrl: string,
  agent: { email: string; name: string; password?: string; role?: 'agent' | 'supervisor' | 'admin'; locale?: 'en' | 'zh-CN' },
): Promise<{ id: string; email: string; password: string; teamId: string; adminToken: string }> {
  const adminToken = await apiLogin(baseUrl, TEST_ADMIN.email, TEST_ADMIN.password);
  const teams = await request<{ items: Array<{ id: string; name: string }> }>(`${baseUrl}/api/v1/teams`, { apiKey: adminToken });
  const team = teams.body.items.find((t) => t.name === 'Support') ?? teams.body.items[0];
  if (!team) throw new Error('no team');
  const password = agent.password ?? 'agent-password-1';
  const res = await request<{ id: string }>(`${baseUrl}/api/v1/users`, {
    apiKey: adminToken,
    body: { email: agent.email, name: agent.name, password, role: agent.role ?? 'agent', teams: [team.id], ...(agent.locale ? { locale: agent.locale } : {}) },
  });
  if (res.status !== 201) throw new Error(`create user → ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, email: agent.email, password, teamId: team.id, adminToken };
}

/** Signs in through the console's sign-in page and waits for the inbox. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.locator('input[name=email]').fill(email);
  await page.locator('input[name=password]').fill(password);
  await page.locator('form[data-testid=signin-form] button[type=submit]').click();
  await page.locator('nav.nav').waitFor();
}

/** The console's socket is connected (the nav shows "Live"). */
export async function waitLive(page: Page): Promise<void> {
  await page.locator('[data-testid=connection].up').waitFor({ timeout: 15_000 });
}

/** A page of its own, signed in to the console as `user`, live. */
export async function openConsole(browser: Browser, baseUrl: string, user: { email: string; password: string }): Promise<{ context: BrowserContext; page: Page; guard: PageGuard }> {
  const tab = await newPage(browser);
  await signIn(tab.page, baseUrl, user.email, user.password);
  await waitLive(tab.page);
  return tab;
}

/**
 * For a settings screen's tests: a hub with an agent in Support, and the test admin's console open
 * (with clipboard access if asked). If a step fails, what was started is stopped again.
 */
export async function startAdminConsole(
  tag: string,
  agentFields: { email: string; name: string },
  opts: { clipboard?: boolean } = {},
): Promise<{ hub: TestHub; browser: Browser; agent: Awaited<ReturnType<typeof createAgent>>; admin: Awaited<ReturnType<typeof openConsole>> }> {
  const { hub, browser } = await startConsole(tag);
  try {
    const agent = await createAgent(hub.url, agentFields);
    const admin = await openConsole(browser, hub.url, TEST_ADMIN);
    if (opts.clipboard) await admin.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: hub.url });
    return { hub, browser, agent, admin };
  } catch (err) {
    await stopConsole(hub, browser);
    throw err;
  }
}

/** Marks the page's document: sameDocument tells later whether the console reloaded or navigated away since. */
export async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => Object.assign(window, { __sameDocument: 'yes' }));
}
export const sameDocument = (page: Page): Promise<string | undefined> => page.evaluate(() => (window as unknown as { __sameDocument?: string }).__sameDocument);

/**
 * A settings form after the API refused its input (400): focus is on `first`, the first field at
 * fault, and the form's problem shows the title only (the field messages stand next to the fields).
 * Answers the problem.
 */
export async function expectRefusedAtFields(form: Locator, first: string): Promise<Locator> {
  await until(() => form.page().evaluate(() => document.activeElement?.getAttribute('name') ?? null), (name) => name === first, 5000);
  const problem = form.locator('[data-testid=problem]');
  expect(await problem.innerText()).toContain('Invalid request');
  expect(await problem.locator('.problem-fields').count()).toBe(0);
  return problem;
}

/** The settings screens of the console's nav (web/console/src/router.ts SettingsPage). */
export type SettingsScreenName = 'canned' | 'teams' | 'users' | 'tokens' | 'sla' | 'rules' | 'email' | 'phones' | 'care' | 'value';

/** An admin opens the settings screen `screen` from the nav. */
export async function openSettingsScreen(page: Page, screen: SettingsScreenName): Promise<void> {
  await page.locator(`a[data-nav=${screen}]`).click();
  await page.waitForURL(new RegExp(`/console/settings/${screen}$`));
  await page.locator(`[data-testid=${screen}-admin]`).waitFor();
}

/**
 * Someone who is not an admin signs in on a page of their own: the nav has no link to the settings
 * screen `screen`, its address shows the inbox instead, and nothing fails.
 */
export async function expectNoSettingsScreen(browser: Browser, baseUrl: string, user: { email: string; password: string }, screen: SettingsScreenName): Promise<void> {
  const { context, page, guard } = await newPage(browser);
  await signIn(page, baseUrl, user.email, user.password);
  expect(await page.locator(`a[data-nav=${screen}]`).count()).toBe(0);
  await page.goto(`${baseUrl}/console/settings/${screen}`);
  await page.locator('.inbox').waitFor();
  expect(await page.locator(`[data-testid=${screen}-admin]`).count()).toBe(0);
  expect(guard.errors).toEqual([]);
  await context.close();
}

export const screenshotDir = (): string => process.env.CONSOLE_SCREENSHOT_DIR ?? '/tmp';

/** The team called `name`, created through the admin API when it does not exist yet. */
export async function ensureTeam(baseUrl: string, adminToken: string, name: string): Promise<string> {
  const teams = await request<{ items: Array<{ id: string; name: string }> }>(`${baseUrl}/api/v1/teams`, { apiKey: adminToken });
  const found = teams.body.items.find((t) => t.name === name);
  if (found) return found.id;
  const res = await request<{ id: string }>(`${baseUrl}/api/v1/teams`, { apiKey: adminToken, body: { name } });
  if (res.status !== 201) throw new Error(`create team ${name} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** A user in exactly these teams (created through the admin API), with a session token. */
export async function createTeamUser(
  baseUrl: string,
  adminToken: string,
  user: { email: string; name: string; teams: string[]; role?: 'agent' | 'supervisor' | 'admin'; password?: string },
): Promise<{ id: string; email: string; password: string; token: string }> {
  const password = user.password ?? 'agent-password-1';
  const res = await request<{ id: string }>(`${baseUrl}/api/v1/users`, {
    apiKey: adminToken,
    body: { email: user.email, name: user.name, password, role: user.role ?? 'agent', teams: user.teams },
  });
  if (res.status !== 201) throw new Error(`create user → ${res.status} ${JSON.stringify(res.body)}`);
  return { id: res.body.id, email: user.email, password, token: await apiLogin(baseUrl, user.email, password) };
}

/** Routing's status of the signed-in user (online / away / offline). */
export async function routingStatus(baseUrl: string, token: string): Promise<string> {
  return (await request<{ status: string }>(`${baseUrl}/api/v1/me/routing`, { apiKey: token })).body.status;
}

/** Waits until routing has the signed-in user at `status`. */
export function untilRouting(baseUrl: string, token: string, status: 'online' | 'away' | 'offline'): Promise<string> {
  return until(() => routingStatus(baseUrl, token), (s) => s === status, 10_000);
}

/** The user steps away with the console's presence button; routing has them away then. */
export async function stepAway(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.locator('.presence-btn.presence-away').click();
  await untilRouting(baseUrl, token, 'away');
}

/** Sets a user's presence through the API (no console needed), as their colleagues' consoles hear it. */
export async function setPresence(baseUrl: string, token: string, status: 'online' | 'away' | 'offline'): Promise<void> {
  const res = await request(`${baseUrl}/api/v1/me/presence`, { method: 'PUT', apiKey: token, body: { status } });
  if (res.status !== 200) throw new Error(`presence ${status} → ${res.status} ${JSON.stringify(res.body)}`);
}
