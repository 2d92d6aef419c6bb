import { api, signInAdmin, teamId, type SignedIn, type TestHub } from '../support/desk.fixtures';
import { request, startTestHub } from '../support/hub';
import { until } from '../support/process';

/**
 * Proactive care: the nightly value job opens one care ticket per customer who newly moved
 * to declining or down a tier, for the team owning the tier, never a second one on a re-run,
 * and never two open care tickets for one customer.
 */
let hub: TestHub;
let admin: SignedIn;
const DAY = 86_400_000;

beforeAll(async () => {
  hub = await startTestHub('value-care');
  admin = await signInAdmin(hub);
});
afterAll(async () => {
  await hub.stop();
});

async function nightly(): Promise<{ care: { moves: number; opened: number; alreadyOpen: number } }> {
  const started = await api<{ jobId: string }>(hub, admin.token, 'POST', '/value/recompute', { care: true });
  const done = await until(() => api<{ state: string; result: { care: { moves: number; opened: number; alreadyOpen: number } } }>(hub, admin.token, 'GET', `/value/jobs/${started.body.jobId}`), (r) => ['completed', 'failed'].includes(r.body.state), 30_000);
  expect(done.body.state).toBe('completed');
  return done.body.result;
}
const careTickets = () => hub.models.Ticket.find({ type: 'care' }).sort({ number: 1 }).lean();
const contactOf = async (e: string) => (await hub.models.Contact.findOne({ 'identities.value': e }).lean())!;

test('one care ticket per newly declining customer, for the tier’s team; none on a second run; one open per customer', async () => {
  const silverTeam = await teamId(hub, admin, 'Care Silver');
  const bronzeTeam = await teamId(hub, admin, 'Care Bronze');
  const settings = (await api<Record<string, unknown>>(hub, admin.token, 'GET', '/value/settings')).body;
  const { custom: _c, ...base } = settings;
  const careTeams = { platinum: null, gold: null, silver: silverTeam, bronze: bronzeTeam, fallback: null };
  expect((await api(hub, admin.token, 'PUT', '/value/settings', { ...base, careTeams })).status).toBe(200);

  // Two customers buying less lately (declining), one buying steadily (stable), one who bought once long ago.
  const customers: Record<string, { days: number[]; amount: number }> = {
    'steady@care.example': { days: [1, 20, 50, 100, 200], amount: 100 },
    'fading1@care.example': { days: [80, 95, 120, 170, 300], amount: 200 },
    'fading2@care.example': { days: [80, 95, 120, 170, 300], amount: 300 },
    'once@care.example': { days: [400], amount: 50 },
  };
  const rows = ['order_id,email,amount,currency,ordered_at'];
  const now = Date.now();
  for (const [email, c] of Object.entries(customers)) c.days.forEach((d, n) => rows.push(`${email}-${n},${email},${c.amount},CNY,${new Date(now - d * DAY).toISOString()}`));
  expect((await api<{ imported: number }>(hub, admin.token, 'POST', '/orders/import', { csv: rows.join('\n') })).body.imported).toBe(16);

  const first = await nightly();
  expect(first.care).toEqual({ moves: 2, opened: 2, alreadyOpen: 0 });
  const opened = await careTickets();
  const fading = await Promise.all(['fading1@care.example', 'fading2@care.example'].map(contactOf));
  expect(opened.map((t) => t.contact.toString()).sort()).toEqual(fading.map((c) => c._id.toString()).sort());
  expect(fading.map((c) => [c.stage, c.tier])).toEqual([
    ['declining', 'silver'],
    ['declining', 'silver'],
  ]);
  for (const t of opened) {
    expect(t.team?.toString()).toBe(silverTeam);
    expect(t.channel).toBe('email');
    const events = await hub.models.TicketEvent.find({ ticket: t._id }).lean();
    expect(events.find((e) => e.action === 'care')).toMatchObject({ code: 'care.declining', params: expect.objectContaining({ code: 'stage.declining', previous: '3', current: '1' }) });
    // Routing keeps it in the tier's team (the queue rules would send it to the default team).
    const pos = await until(() => request<{ state: string; teamId: string }>(`${hub.url}/api/v1/tickets/${t._id.toString()}/queue-position`, { apiKey: admin.token }), (r) => r.body.state === 'queued', 15_000);
    expect(pos.body.teamId).toBe(silverTeam);
  }

  // The same night again: nobody newly declining, nothing opened.
  expect((await nightly()).care).toEqual({ moves: 0, opened: 0, alreadyOpen: 0 });
  expect(await careTickets()).toHaveLength(2);

  // Stricter silver: the steady customer and fading1 drop to bronze. fading1 still has an open care ticket: none more for them.
  const tiers = { platinum: { r: 5, f: 5, m: 5 }, gold: { r: 4, f: 4, m: 5 }, silver: { r: 2, f: 2, m: 4 } };
  expect((await api(hub, admin.token, 'PUT', '/value/settings', { ...base, careTeams, tiers })).status).toBe(200);
  const third = await nightly();
  expect(third.care).toEqual({ moves: 2, opened: 1, alreadyOpen: 1 });
  const all = await careTickets();
  expect(all).toHaveLength(3);
  const steady = await contactOf('steady@care.example');
  expect(steady.tier).toBe('bronze');
  expect(all[2]!.contact.toString()).toBe(steady._id.toString());
  expect(all[2]!.team?.toString()).toBe(bronzeTeam);
  expect((await hub.models.TicketEvent.findOne({ ticket: all[2]!._id, action: 'care' }).lean())?.code).toBe('care.tier_drop');
  expect(await hub.models.Ticket.countDocuments({ type: 'care', contact: fading[0]!._id })).toBe(1);
  expect((await nightly()).care.opened).toBe(0);

  // The panel's figures: stage with why, tier computed (no override), orders summary.
  const v = await api<{ stage: string; stageReason: { code: string; params: Record<string, number> }; tier: string; orders: { count: number; total: number; lastOrderAt: string } }>(hub, admin.token, 'GET', `/contacts/${fading[1]!._id.toString()}/value`);
  expect(v.body).toMatchObject({ stage: 'declining', tier: 'silver', stageReason: { code: 'stage.declining', params: { current: 1, previous: 3, recencyDays: 80 } }, orders: { count: 5, total: 1500 } });
});
