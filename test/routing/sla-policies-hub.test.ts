import type { DomainEvent } from '../../src/events/event.types';
import type { Hub } from '../../src/main';
import { createUser, signInAdmin } from '../support/desk.fixtures';
import { request, startTestHub, TEST_ADMIN, type TestHubEnv } from '../support/hub';
import { until } from '../support/process';

/**
 * Admins set the SLA policies through the API: validated field by field, shared by every hub
 * process, used by the clocks of tickets created afterwards — down to a 2-second target whose
 * warning and breach fire on time.
 */
let hub: Hub & { env: TestHubEnv };
const api = (p: string) => `${hub.url}/api/v1${p}`;
let admin = '';
const events: DomainEvent[] = [];

beforeAll(async () => {
  hub = await startTestHub('sla-policy');
  admin = (await request<{ token: string }>(api('/auth/login'), { body: TEST_ADMIN, apiKey: null })).body.token;
  hub.bus.subscribe('test-observer', async (e) => {
    events.push(e);
  }, { mode: 'broadcast' });
});
afterAll(async () => {
  await hub?.stop();
});

interface PolicyView {
  policies: Array<{ id: string; targets: { firstResponseMinutes: number | null; resolutionMinutes: number | null } }>;
  source: string;
}

const inbound = (id: string, chosenType: string) =>
  request<{ ticketId: string }>(api('/inbound'), { body: { externalId: id, from: { address: `${id}@customer.example` }, text: `Message ${id}`, chosenType } });

test('built-in policies until an admin sets them; agents may not; bad policies are refused naming the field', async () => {
  const before = await request<PolicyView>(api('/sla/policies'), { apiKey: admin });
  expect(before.status).toBe(200);
  expect(before.body.source).toBe('default');
  expect(before.body.policies.at(-1)?.id).toBe('standard');
  expect(before.body.policies.find((p) => p.id === 'standard')?.targets.firstResponseMinutes).toBe(240);

  const agent = await createUser(hub, await signInAdmin(hub), 'agent', [], 'Sla Agent');
  const forbidden = await request(api('/sla/policies'), { method: 'PUT', apiKey: agent.token, body: { policies: [] } });
  expect(forbidden.status).toBe(403);

  const bad = await request<{ errors: Array<{ field: string; message: string }> }>(api('/sla/policies'), {
    method: 'PUT',
    apiKey: admin,
    body: {
      policies: [
        { id: 'a', targets: { firstResponseMinutes: -5, nextResponseMinutes: null, resolutionMinutes: 60 } },
        { id: 'a', match: { types: ['gripe'] }, targets: { firstResponseMinutes: 5, nextResponseMinutes: null, resolutionMinutes: 60 } },
      ],
    },
  });
  expect(bad.status).toBe(422);
  const fields = bad.body.errors.map((e) => e.field);
  expect(fields).toEqual(expect.arrayContaining(['policies.0.targets.firstResponseMinutes', 'policies.1.match.types.0']));
  // Nothing changed.
  expect((await request<PolicyView>(api('/sla/policies'), { apiKey: admin })).body.source).toBe('default');
});

test('a new complaint gets the admin’s 2-second first-response target: due time stored, warning at 75 %, breach at 100 %, escalation', async () => {
  const put = await request<PolicyView>(api('/sla/policies'), {
    method: 'PUT',
    apiKey: admin,
    body: {
      policies: [
        {
          id: 'complaints-now',
          match: { types: ['complaint'] },
          targets: { firstResponseMinutes: 2 / 60, nextResponseMinutes: null, resolutionMinutes: 60 },
          businessHours: false,
          escalation: { notifySupervisors: true, raisePriority: true },
        },
        { id: 'everything-else', targets: { firstResponseMinutes: 600, nextResponseMinutes: null, resolutionMinutes: null }, businessHours: false },
      ],
    },
  });
  expect(put.status).toBe(200);
  expect(put.body.source).toBe('custom');
  expect(put.body.policies.map((p) => p.id)).toEqual(['complaints-now', 'everything-else']);

  const complaint = (await inbound('sla-complaint', 'complaint')).body.ticketId;
  const care = (await inbound('sla-care', 'care')).body.ticketId;
  const t = await until(() => hub.models.Ticket.findById(complaint).lean(), (x) => x?.sla.firstResponseDueAt != null, 10_000);
  const dueIn = t!.sla.firstResponseDueAt!.getTime() - t!.createdAt.getTime();
  expect(dueIn).toBeGreaterThanOrEqual(1500);
  expect(dueIn).toBeLessThanOrEqual(3500);
  expect(t!.sla.resolutionDueAt!.getTime() - t!.createdAt.getTime()).toBeGreaterThan(59 * 60_000);

  const careTicket = await until(() => hub.models.Ticket.findById(care).lean(), (x) => x?.sla.firstResponseDueAt != null, 10_000);
  expect(careTicket!.sla.firstResponseDueAt!.getTime() - careTicket!.createdAt.getTime()).toBeGreaterThan(599 * 60_000);
  expect(careTicket!.sla.resolutionDueAt).toBeNull();

  const of = (type: string) => events.find((e) => e.type === type && 'ticketId' in e && e.ticketId === complaint);
  await until(async () => of('sla.escalated'), Boolean, 10_000);
  const warning = of('sla.warning')!;
  const breach = of('sla.breached')!;
  const created = t!.createdAt.getTime();
  // Warning around 1.5 s, breach around 2 s after creation (timers, not polling).
  expect(new Date(warning.at).getTime() - created).toBeGreaterThanOrEqual(1000);
  expect(new Date(breach.at).getTime() - created).toBeGreaterThanOrEqual(1800);
  expect(new Date(breach.at).getTime() - created).toBeLessThan(6000);
  expect(of('sla.escalated')).toMatchObject({ policyId: 'complaints-now', notifySupervisors: true, priorityRaisedTo: 'high' });
  await until(() => hub.models.Ticket.findById(complaint).lean(), (x) => x?.priority === 'high', 10_000);
  // The care ticket's 10-hour target did not fire.
  expect(events.some((e) => e.type === 'sla.warning' && e.ticketId === care)).toBe(false);

  const reset = await request<PolicyView>(api('/sla/policies'), { method: 'DELETE', apiKey: admin });
  expect(reset.status).toBe(200);
  expect(reset.body.source).toBe('default');
});
