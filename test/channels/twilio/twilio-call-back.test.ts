/**
 * An agent answering a missed call's ticket, against the local Twilio fake driven by the real
 * SDK: "Call back" rings the agent's own phone from the number the customer called and then
 * dials the customer, recorded on the timeline with the call's statuses; a reply on the call's
 * ticket goes to the caller as an SMS through the same path as any SMS reply (status callbacks,
 * opt-out included).
 */
import { api, createUser, detail, signInAdmin, teamId, type SignedIn, type TestHub } from '../../support/desk.fixtures';
import { startTestHub } from '../../support/hub';
import { until } from '../../support/process';
import { startTwilioFake, type TwilioFake } from '../../support/twilio-fake';

const NUMBER = '+14155550188';
const PUBLIC = 'https://calls.hub.example';
const AGENT_PHONE = '+14155550911';

let fake: TwilioFake;
let hub: TestHub;
let admin: SignedIn;
let agent: SignedIn;
let instanceId = '';

let seq = 0;
const caller = () => `+86137${String(Date.now() % 100000).padStart(5, '0')}${String((seq += 1) % 100).padStart(2, '0')}`;
const hook = (path: string) => `${PUBLIC}/webhooks/twilio/${instanceId}${path}`;

/** A caller who hung up in the menu: their "call back" care ticket. */
async function missedCall(from = caller()): Promise<{ ticketId: string; from: string }> {
  const base = fake.incomingCall({ to: NUMBER, from });
  await fake.webhook(hook('/voice'), base);
  await fake.webhook(hook('/voice/status'), { ...base, CallStatus: 'completed' });
  const [m] = await until(() => hub.models.Message.find({ channel: 'voice', externalId: `${base.CallSid}:missed` }).lean(), (ms) => ms.length > 0 && ms[0]!.ticket !== null, 20_000);
  return { ticketId: m!.ticket!.toString(), from };
}

beforeAll(async () => {
  fake = await startTwilioFake();
  hub = await startTestHub('twilio-call-back', { OUTBOUND_RETRY_BASE_MS: '50' });
  fake.proxy(PUBLIC, hub.url);
  admin = await signInAdmin(hub);
  const support = await teamId(hub, admin, 'Support');
  agent = await createUser(hub, admin, 'agent', [support], 'Agent Wu', { phone: AGENT_PHONE });
  const res = await api<{ id: string }>(hub, admin.token, 'POST', '/channels', {
    kind: 'twilio',
    name: `Line ${NUMBER}`,
    team: support,
    settings: { number: NUMBER, accountSid: fake.account.sid, webhookBaseUrl: PUBLIC, apiBaseUrl: fake.url },
    secrets: { authToken: fake.account.token },
  });
  expect(res.status).toBe(201);
  instanceId = res.body.id;
});
afterAll(async () => {
  await hub?.stop();
  await fake?.close();
});

test('"Call back" rings the agent\'s phone from the number, then dials the customer; the call\'s statuses are on the timeline', async () => {
  const { ticketId, from } = await missedCall();
  const res = await api<{ callId: string; externalId: string; status: string; customer: string; agentPhone: string }>(hub, agent.token, 'POST', `/tickets/${ticketId}/call-back`);
  expect(res.status).toBe(202);
  expect(res.body).toMatchObject({ status: 'queued', customer: from, agentPhone: AGENT_PHONE });
  const [call] = fake.calls.filter((c) => c.sid === res.body.externalId);
  expect(call).toMatchObject({ to: AGENT_PHONE, from: NUMBER });
  expect(call!.twiml).toContain(`<Dial callerId="${NUMBER}" timeout="30"><Number>${from}</Number></Dial>`);
  expect(fake.requests.find((r) => r.path.endsWith('/Calls.json'))?.authorized).toBe(true);

  let d = await detail(hub, agent.token, ticketId);
  const placed = d.timeline.find((e) => e.code === 'call.placed');
  expect(placed).toMatchObject({ action: 'call', to: 'queued', actor: expect.objectContaining({ name: 'Agent Wu' }) });
  expect(placed!.detail).toContain(`call back to ${from} placed by Agent Wu`);

  // Twilio's status callbacks for the call: answered, then completed after 42 s.
  for (const [status, extra] of [['in-progress', {}], ['completed', { CallDuration: '42' }]] as const) {
    const [answer] = await fake.webhook(call!.statusCallback!, { AccountSid: fake.account.sid, CallSid: call!.sid, From: NUMBER, To: AGENT_PHONE, CallStatus: status, Direction: 'outbound-api', ...extra });
    expect(answer!.status).toBe(204);
  }
  d = await detail(hub, agent.token, ticketId);
  expect(d.timeline.filter((e) => e.code === 'call.status').map((e) => [e.to, e.params.seconds])).toEqual([['in-progress', ''], ['completed', '42']]);
});

test('the same Idempotency-Key twice at once (a double click) places one call; both answers name it', async () => {
  const { ticketId } = await missedCall();
  const before = fake.calls.length;
  const key = { 'Idempotency-Key': `dbl-${ticketId}` };
  const [a, b] = await Promise.all([0, 1].map(() => api<{ callId: string; externalId: string }>(hub, agent.token, 'POST', `/tickets/${ticketId}/call-back`, undefined, key)));
  expect([a!.status, b!.status]).toEqual([202, 202]);
  expect(a!.body.callId).toBe(b!.body.callId);
  expect(fake.calls.length).toBe(before + 1);
  expect([a!.headers.get('idempotent-replayed'), b!.headers.get('idempotent-replayed')].sort()).toEqual(['true', null].sort());
  // A new press (a new key) is a new call.
  const again = await api<{ callId: string }>(hub, agent.token, 'POST', `/tickets/${ticketId}/call-back`, undefined, { 'Idempotency-Key': `next-${ticketId}` });
  expect(again.status).toBe(202);
  expect(again.body.callId).not.toBe(a!.body.callId);
  expect(fake.calls.length).toBe(before + 2);
  expect((await detail(hub, agent.token, ticketId)).timeline.filter((e) => e.code === 'call.placed')).toHaveLength(2);
});

test('without a phone on the profile the call back is refused and nothing is dialled', async () => {
  const { ticketId } = await missedCall();
  const before = fake.calls.length;
  const res = await api<{ errors: Array<{ field: string; message: string }> }>(hub, admin.token, 'POST', `/tickets/${ticketId}/call-back`);
  expect(res.status).toBe(409);
  expect(res.body.errors).toEqual([{ field: 'agentPhone', message: 'missing' }]);
  expect(fake.calls.length).toBe(before);
});

test('a reply on the call\'s ticket is an SMS to the caller, delivered through the status callbacks; after STOP nothing is sent', async () => {
  const { ticketId, from } = await missedCall();
  const d = await detail(hub, agent.token, ticketId);
  expect(d).toMatchObject({ canReply: true, replyChannel: 'sms' });
  const sent = await api<{ id: string; channel: string }>(hub, agent.token, 'POST', `/tickets/${ticketId}/replies`, { text: 'Sorry we missed your call. How can we help?' });
  expect(sent.status).toBe(201);
  const m = await until(() => hub.models.Message.findById(sent.body.id).lean(), (x) => x?.deliveryStatus === 'sent', 20_000);
  expect(m).toMatchObject({ channel: 'sms', direction: 'outbound' });
  const sms = fake.messages.find((x) => x.to === from)!;
  expect(sms).toMatchObject({ from: NUMBER, body: 'Sorry we missed your call. How can we help?' });
  await fake.statusCallbacks(sms.sid, ['sent', 'delivered']);
  await until(() => hub.models.Message.findById(sent.body.id).lean(), (x) => x?.deliveryStatus === 'delivered', 20_000);

  // The caller texts STOP (recorded before the webhook is answered): the next reply on the call's ticket is refused and says why.
  await fake.webhook(hook('/sms'), fake.incomingSms({ to: NUMBER, from, body: 'STOP' }));
  const refused = await api<{ detail: string; errors: Array<{ field: string; message: string }> }>(hub, agent.token, 'POST', `/tickets/${ticketId}/replies`, { text: 'Are you there?' });
  expect(refused.status).toBe(409);
  expect(refused.body.errors).toEqual([{ field: 'to', message: 'opted_out', code: 'opted_out' }]);
  expect(refused.body.detail).toContain(`${from} opted out of SMS`);
  expect(fake.messages.filter((x) => x.to === from)).toHaveLength(1);
});
