import type { Browser, Page } from 'playwright-core';
import { inbound, type TestHub } from '../support/desk.fixtures';
import { request, TEST_ADMIN } from '../support/hub';
import { until } from '../support/process';
import { createAgent, createTeamUser, ensureTeam, expectNoPageTrouble, openConsole, openSettingsScreen, startConsole, stopConsole, type PageGuard } from './console.support';

let hub: TestHub;
let browser: Browser;
let adminToken: string;
let supportId: string;
let admin: { page: Page; guard: PageGuard };

const row = (id: string) => admin.page.locator(`[data-testid=teams-table] tr[data-team-id="${id}"]`);
const teamStatus = async (id: string) => (await request(`${hub.url}/api/v1/teams/${id}`, { apiKey: adminToken })).status;

beforeAll(async () => {
  ({ hub, browser } = await startConsole('con-team-delete'));
  const agent = await createAgent(hub.url, { email: 'tina.teams@test.example', name: 'Tina Agent' });
  adminToken = agent.adminToken;
  supportId = agent.teamId;
  admin = await openConsole(browser, hub.url, TEST_ADMIN);
});
afterAll(() => stopConsole(hub, browser));
afterEach(() => expectNoPageTrouble(admin));

describe('deleting a team in Settings → Teams', () => {
  test('a team with an open ticket and a member is refused, saying what to move first; once moved it is deleted', async () => {
    const returns = await ensureTeam(hub.url, adminToken, 'Returns');
    const rex = await createTeamUser(hub.url, adminToken, { email: 'rex.returns@test.example', name: 'Rex Returns', teams: [returns] });
    const { ticketId } = await inbound(hub, { subject: 'Return label please' });
    expect((await request(`${hub.url}/api/v1/tickets/${ticketId}`, { method: 'PATCH', apiKey: adminToken, body: { team: returns } })).status).toBe(200);
    const number = (await request<{ ticket: { number: number } }>(`${hub.url}/api/v1/tickets/${ticketId}`, { apiKey: adminToken })).body.ticket.number;

    const page = admin.page;
    await openSettingsScreen(page, 'teams');
    await row(returns).locator('button[data-action=team-delete]').click();
    await row(returns).getByRole('group', { name: 'Delete team Returns?' }).waitFor();
    await row(returns).locator('button[data-action=team-confirm-delete]').click();

    const refusal = page.locator('[data-testid=team-in-use]');
    await refusal.waitFor({ timeout: 10_000 });
    expect(await refusal.locator('.problem-title').innerText()).toBe('Team Returns cannot be deleted yet. Move these first:');
    expect(await refusal.locator('li[data-reason=tickets]').innerText()).toBe(`1 open ticket(s) (#${number}): transfer them to another team or resolve them.`);
    expect(await refusal.locator('li[data-reason=members]').innerText()).toBe('1 member(s) (Rex Returns): take them out of the team under People.');
    expect(await refusal.locator('li').count()).toBe(2);
    expect(await row(returns).count()).toBe(1);
    expect(await teamStatus(returns)).toBe(200);

    // The admin moves them; the second try deletes the team.
    expect((await request(`${hub.url}/api/v1/tickets/${ticketId}`, { method: 'PATCH', apiKey: adminToken, body: { team: supportId } })).status).toBe(200);
    expect((await request(`${hub.url}/api/v1/users/${rex.id}`, { method: 'PATCH', apiKey: adminToken, body: { teams: [supportId] } })).status).toBe(200);
    await row(returns).locator('button[data-action=team-delete]').click();
    expect(await refusal.count()).toBe(0);
    await row(returns).locator('button[data-action=team-confirm-delete]').click();
    await page.locator('[data-testid=teams-notice]', { hasText: 'Deleted team Returns.' }).waitFor({ timeout: 10_000 });
    await until(() => row(returns).count(), (n) => n === 0, 10_000);
    expect(await teamStatus(returns)).toBe(404);
  });

  test('the default team says it cannot be deleted', async () => {
    await row(supportId).locator('button[data-action=team-delete]').click();
    await row(supportId).locator('button[data-action=team-confirm-delete]').click();
    const refusal = admin.page.locator('[data-testid=team-in-use]');
    await refusal.waitFor({ timeout: 10_000 });
    expect(await refusal.locator('li[data-reason=team]').innerText()).toContain('It is the default team new tickets start in');
    expect(await teamStatus(supportId)).toBe(200);
  });
});
