import { Queue } from 'bullmq';
import { api, signInAdmin, type SignedIn, type TestHub } from '../support/desk.fixtures';
import { request, startTestHub } from '../support/hub';
import { until } from '../support/process';

/**
 * RFM tiers over a constructed base of ten customers, recomputed as a job, written onto the
 * contacts (a manual override still wins), then used by routing (queue order) and SLA.
 * Segments over the same base: sizes add up to it, the CSV lists each segment's members.
 */
let hub: TestHub;
let admin: SignedIn;
const DAY = 86_400_000;
const email = (i: number) => `rfm${i}@base.example`;

beforeAll(async () => {
  hub = await startTestHub('value-tiers');
  admin = await signInAdmin(hub);
});
afterAll(async () => {
  await hub.stop();
});

interface Job {
  state: string;
  result: { recompute: { customers: number; tiers: Record<string, number> } } | null;
}
async function recompute(care = false): Promise<Job> {
  const started = await api<{ jobId: string }>(hub, admin.token, 'POST', '/value/recompute', { care });
  expect(started.status).toBe(202);
  return (await until(() => api<Job>(hub, admin.token, 'GET', `/value/jobs/${started.body.jobId}`), (r) => r.body.state === 'completed' || r.body.state === 'failed', 30_000)).body;
}
const contactOf = async (i: number) => (await hub.models.Contact.findOne({ 'identities.value': email(i) }).lean())!;

test('tiers equal the hand-computed quintiles; thresholds are configurable; an override wins', async () => {
  // Customer i (0-9): i + 1 orders of 100 × (i + 1) each, the last 10 - i days ago.
  // So every figure ranks the customers 0 < 1 < … < 9, and each figure scores 1,1,2,2,3,3,4,4,5,5.
  const rows = ['order_id,email,amount,currency,ordered_at'];
  for (let i = 0; i < 10; i++) {
    for (let n = 0; n <= i; n++) rows.push([`T-${i}-${n}`, email(i), 100 * (i + 1), 'CNY', new Date(Date.now() - (10 - i + n * 3) * DAY).toISOString()].join(','));
  }
  const imported = await api<{ imported: number }>(hub, admin.token, 'POST', '/orders/import', { csv: rows.join('\n') });
  expect(imported.body.imported).toBe(55);

  const job = await recompute();
  expect(job.state).toBe('completed');
  expect(job.result!.recompute.customers).toBe(10);
  const expected = ['bronze', 'bronze', 'silver', 'silver', 'gold', 'gold', 'platinum', 'platinum', 'platinum', 'platinum'];
  const scores = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5];
  for (let i = 0; i < 10; i++) {
    const c = await contactOf(i);
    expect([i, c.tier]).toEqual([i, expected[i]]);
    const v = await api<{ tier: string; computedTier: string; rfm: { r: number; f: number; m: number }; orders: { count: number; total: number } }>(hub, admin.token, 'GET', `/contacts/${c._id.toString()}/value`);
    expect(v.body.rfm).toEqual({ r: scores[i], f: scores[i], m: scores[i] });
    expect(v.body.orders).toMatchObject({ count: i + 1, total: 100 * (i + 1) * (i + 1) });
  }

  // Stricter platinum: all three scores 5.
  const settings = await api<Record<string, unknown>>(hub, admin.token, 'GET', '/value/settings');
  const tiers = { platinum: { r: 5, f: 5, m: 5 }, gold: { r: 4, f: 4, m: 4 }, silver: { r: 2, f: 2, m: 2 } };
  const { custom: _custom, ...rest } = settings.body;
  expect((await api(hub, admin.token, 'PUT', '/value/settings', { ...rest, tiers })).status).toBe(200);
  // A person sets customer 1's tier by hand: it wins over the computed one.
  expect((await api(hub, admin.token, 'PATCH', `/contacts/${(await contactOf(1))._id.toString()}`, { tier: 'gold' })).status).toBe(200);
  await recompute();
  const after = await Promise.all([...Array(10).keys()].map(async (i) => (await contactOf(i)).tier));
  expect(after).toEqual(['bronze', 'gold', 'silver', 'silver', 'silver', 'silver', 'gold', 'gold', 'platinum', 'platinum']);
  const one = await api<{ tier: string; computedTier: string; tierOverride: string }>(hub, admin.token, 'GET', `/contacts/${(await contactOf(1))._id.toString()}/value`);
  expect(one.body).toMatchObject({ tier: 'gold', computedTier: 'bronze', tierOverride: 'gold' });
  // Clearing the override: the computed tier applies again.
  expect((await api<{ tier: string }>(hub, admin.token, 'PATCH', `/contacts/${(await contactOf(1))._id.toString()}`, { tier: null })).body.tier).toBe('bronze');
});

test("a platinum customer's ticket is routed ahead of a bronze one's of the same priority and gets the tighter SLA", async () => {
  const send = (i: number, id: string) => request<{ ticketId: string }>(`${hub.url}/api/v1/inbound`, { body: { externalId: id, from: { address: email(i), kind: 'email' }, subject: 'Where is my parcel?', text: 'Where is my parcel?' } });
  // The bronze customer writes first.
  const bronze = (await send(0, 'tier-bronze-1')).body.ticketId;
  const platinum = (await send(9, 'tier-platinum-1')).body.ticketId;
  const position = (id: string) => request<{ position: number; state: string; queueLength: number }>(`${hub.url}/api/v1/tickets/${id}/queue-position`, { apiKey: admin.token });
  await until(() => position(bronze), (r) => r.body.queueLength === 2, 15_000);
  expect((await position(platinum)).body).toMatchObject({ state: 'queued', position: 1 });
  expect((await position(bronze)).body).toMatchObject({ state: 'queued', position: 2 });
  const [p, b] = await Promise.all(
    [platinum, bronze].map((id) => until(() => hub.models.Ticket.findById(id).lean(), (t) => t?.sla.firstResponseDueAt != null, 15_000)),
  );
  expect([p!.priority, p!.type]).toEqual([b!.priority, b!.type]);
  const due = (t: NonNullable<typeof p>) => t.sla.firstResponseDueAt!.getTime() - t.createdAt.getTime();
  // The platinum ticket falls under the top-tier policy (30 minutes); the bronze one under its type's, a longer one.
  expect(due(p!)).toBe(30 * 60_000);
  expect(due(b!)).toBeGreaterThanOrEqual(60 * 60_000);
});

test('segments: sizes add up to the base, centroids best first, and the CSV lists exactly the members', async () => {
  const put = await api<{ k: number; customers: number; segments: Array<{ id: number; size: number; centroid: { r: number; f: number; m: number } }> }>(hub, admin.token, 'PUT', '/value/segments', { k: 3 });
  expect(put.status).toBe(200);
  expect(put.body.k).toBe(3);
  expect(put.body.customers).toBe(10);
  expect(put.body.segments.reduce((n, s) => n + s.size, 0)).toBe(10);
  const sums = put.body.segments.map((s) => s.centroid.r + s.centroid.f + s.centroid.m);
  expect([...sums].sort((a, b) => b - a)).toEqual(sums);
  expect((await api(hub, admin.token, 'GET', '/value/segments')).body).toEqual(put.body);

  const seen = new Set<string>();
  for (const s of put.body.segments) {
    const res = await fetch(`${hub.url}/api/v1/value/segments/${s.id}/members.csv`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0]).toBe('contact_id,name,email,phone,orders,monetary,recency_days,r,f,m,tier,stage');
    expect(lines.length - 1).toBe(s.size);
    for (const l of lines.slice(1)) seen.add(l.split(',')[2]!);
  }
  expect([...seen].sort()).toEqual([...Array(10).keys()].map(email).sort());
  // A customer-given name that a spreadsheet would run as a formula is exported inert.
  await hub.models.Contact.updateOne({ 'identities.value': email(3) }, { $set: { name: '=HYPERLINK("http://x.example","open")' } });
  const all = (await Promise.all(put.body.segments.map(async (s) => (await fetch(`${hub.url}/api/v1/value/segments/${s.id}/members.csv`, { headers: { authorization: `Bearer ${admin.token}` } })).text()))).join('\n');
  expect(all).toContain(`"'=HYPERLINK(""http://x.example"",""open"")"`);
  expect(all).not.toMatch(/,=HYPERLINK|,"=HYPERLINK/);
  // The best segment holds the best customer.
  const best = await (await fetch(`${hub.url}/api/v1/value/segments/0/members.csv`, { headers: { authorization: `Bearer ${admin.token}` } })).text();
  expect(best).toContain(email(9));
});

test("a merged profile's orders count for the survivor, and it leaves the base", async () => {
  const [zero, one] = await Promise.all([contactOf(0), contactOf(1)]);
  expect((await api(hub, admin.token, 'POST', `/contacts/${one._id.toString()}/merge`, { sourceContactId: zero._id.toString() })).status).toBe(200);
  const job = await recompute();
  expect(job.result!.recompute.customers).toBe(9);
  const v = await api<{ rfm: { f: number }; orders: { count: number } }>(hub, admin.token, 'GET', `/contacts/${one._id.toString()}/value`);
  expect(v.body.orders.count).toBe(3);
  const seg = await api<{ customers: number; segments: Array<{ size: number }> }>(hub, admin.token, 'PUT', '/value/segments', { k: 3 });
  expect(seg.body.customers).toBe(9);
  expect(seg.body.segments.reduce((n, s) => n + s.size, 0)).toBe(9);
});

test('the nightly run is one repeatable job scheduler at VALUE_RECOMPUTE_CRON, opening care tickets', async () => {
  const connection = hub.redis.duplicate();
  const queue = new Queue('value', { connection, prefix: hub.env.REDIS_PREFIX });
  try {
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((s) => [s.key, s.pattern, s.tz])).toEqual([['value-nightly', '30 2 * * *', 'UTC']]);
    expect(schedulers[0]!.template?.data).toEqual({ care: true, trigger: 'nightly' });
  } finally {
    await queue.close();
    connection.disconnect();
  }
});
