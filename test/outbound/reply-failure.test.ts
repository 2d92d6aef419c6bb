import { startHubWithEnv, startTestHub, testHubEnv, type TestHubEnv } from '../support/hub';
import { until } from '../support/process';
import { startSmtpServer, unusedLoopbackPort, type TestSmtpServer } from '../support/smtp';
import { api, createUser, detail, inbound, signInAdmin, teamId, type MessageDto, type SignedIn, type TestHub } from '../support/desk.fixtures';

/**
 * A reply that could not be sent is no response: it leaves First response empty and the SLA
 * first-response clock running, shows on the ticket, and can be retried once the channel works.
 */

let smtp: TestSmtpServer;
let env: TestHubEnv;
let hub: TestHub | undefined;
let admin: SignedIn;
let agent: SignedIn;

beforeAll(async () => {
  smtp = await startSmtpServer();
  // SMTP_URL points at a server that is not there: email replies fail after their attempts.
  env = testHubEnv('reply-failure', {
    SMTP_URL: `smtp://127.0.0.1:${await unusedLoopbackPort()}`,
    EMAIL_FROM: 'Acme Support <support@acme.example>',
    OUTBOUND_ATTEMPTS: '2',
    OUTBOUND_RETRY_BASE_MS: '20',
  });
  hub = await startHubWithEnv(env);
  admin = await signInAdmin(hub);
  agent = await createUser(hub, admin, 'agent', [await teamId(hub, admin, 'Support')], 'Agent Ada');
});
afterAll(async () => {
  await hub?.stop();
  await smtp?.close();
});

const h = (): TestHub => hub!;
const emailTicket = async (address: string, text: string) => {
  const { ticketId } = await inbound(h(), { channel: 'email', externalId: `<${address}-${Date.now()}@mail.example>`, from: { address, name: 'Mia Customer' }, subject: 'Broken kettle', text });
  // Routing has started the SLA clocks.
  await until(() => detail(h(), admin.token, ticketId), (d) => d.ticket.sla.firstResponseDueAt !== null, 15_000);
  return ticketId;
};
const settled = async (ticketId: string, messageId: string): Promise<MessageDto> =>
  (await until(
    async () => (await detail(h(), agent.token, ticketId)).messages.find((m) => m.id === messageId),
    (m) => m !== undefined && m.deliveryStatus !== 'queued',
    30_000,
    25,
  ))!;
const slaClock = (ticketId: string) => h().redis.hgetall(`${env.REDIS_PREFIX}:sla:${ticketId}`);
const retry = (ticketId: string, messageId: string) => api<MessageDto & { errors?: Array<{ field: string; message: string }> }>(h(), agent.token, 'POST', `/tickets/${ticketId}/messages/${messageId}/retry`);
const listed = async (ticketId: string) =>
  (await api<{ items: Array<{ id: string; failedReplies: number }> }>(h(), agent.token, 'GET', '/tickets?view=all&status=new,open,pending')).body.items.find((t) => t.id === ticketId);

test('a failed email reply is no first response; Retry after configuring SMTP (hub restarted) sends it, and only then First response is set', async () => {
  const ticketId = await emailTicket('mia@customer.example', 'My kettle stopped working after a week.');
  const sent = await api<MessageDto>(h(), agent.token, 'POST', `/tickets/${ticketId}/replies`, { text: 'Sorry about the kettle, a replacement is on its way.' });
  expect(sent.status).toBe(201);
  const failed = await settled(ticketId, sent.body.id);
  expect(failed.deliveryStatus).toBe('failed');
  expect(failed.deliveryError).toMatch(/SMTP server could not be reached/);
  expect(failed.deliveryErrorCode).toBe('network');

  // No first response, the SLA first-response clock still runs, the ticket shows the failure.
  let d = await detail(h(), agent.token, ticketId);
  expect(d.ticket.firstResponseAt).toBeNull();
  expect(d.ticket.sla.firstResponseDueAt).not.toBeNull();
  expect((await slaClock(ticketId))['first_response:status']).toBe('running');
  expect(d.timeline.some((e) => /first response/.test(e.detail))).toBe(false);
  expect(d.ticket.failedReplies).toBe(1);
  expect((await listed(ticketId))?.failedReplies).toBe(1);

  // Only a failed reply can be retried: the customer's message is not one.
  const inboundId = d.messages.find((m) => m.direction === 'inbound')!.id;
  const notAReply = await retry(ticketId, inboundId);
  expect(notAReply.status).toBe(404);

  // "Configuring SMTP" takes a restart: the same database and Redis, SMTP_URL now at a working server.
  await h().stop();
  env = { ...env, SMTP_URL: smtp.url };
  hub = await startHubWithEnv(env);
  const before = Date.now();
  // Two clicks at once: one retry goes through, the other finds the reply queued already (409).
  const both = await Promise.all([retry(ticketId, sent.body.id), retry(ticketId, sent.body.id)]);
  expect(both.map((r) => r.status).sort()).toEqual([202, 409]);
  const res = both.find((r) => r.status === 202)!;
  expect(res.body).toMatchObject({ id: sent.body.id, deliveryStatus: 'queued', deliveryError: null, deliveryErrorCode: null });

  const mail = await smtp.waitFor('mia@customer.example');
  expect(mail.mail.text).toContain('Sorry about the kettle, a replacement is on its way.');
  expect(mail.mail.messageId).toBe(`<${sent.body.id}@acme.example>`);
  const done = await settled(ticketId, sent.body.id);
  expect(done.deliveryStatus).toBe('sent');

  // Recorded right after the message reads sent.
  d = await until(() => detail(h(), agent.token, ticketId), (x) => x.timeline.some((e) => e.action === 'delivery' && e.to === 'sent'), 15_000, 25);
  // First response is the time the reply went out, as the timeline and the SLA clock recorded it.
  const sentEvent = d.timeline.find((e) => e.action === 'delivery' && e.to === 'sent');
  expect(sentEvent?.detail).toMatch(/first response/);
  expect(d.ticket.firstResponseAt).toBe(sentEvent!.at);
  expect(Date.parse(d.ticket.firstResponseAt!)).toBeGreaterThanOrEqual(before);
  const clock = await until(() => slaClock(ticketId), (c) => c['first_response:status'] === 'met', 10_000);
  expect(Number(clock['first_response:metAt'])).toBe(Date.parse(d.ticket.firstResponseAt!));
  // The retry is on the timeline, by the agent who asked for it.
  expect(d.timeline.find((e) => e.action === 'delivery' && e.from === 'failed' && e.to === 'queued')).toMatchObject({ actor: { kind: 'user', name: 'Agent Ada' } });
  expect(d.ticket.failedReplies).toBe(0);
  expect(smtp.received.filter((m) => m.envelopeTo.includes('mia@customer.example'))).toHaveLength(1);

  // A reply that was sent is not retried: 409, and nothing goes out again.
  const again = await retry(ticketId, sent.body.id);
  expect(again.status).toBe(409);
  expect(again.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect(again.body.errors).toEqual([{ field: 'messageId', message: 'not_failed', code: 'not_failed' }]);
  expect(smtp.received.filter((m) => m.envelopeTo.includes('mia@customer.example'))).toHaveLength(1);
});

describe('a hub without an email channel', () => {
  let bare: TestHub;
  let bareAgent: SignedIn;
  beforeAll(async () => {
    bare = await startTestHub('reply-no-smtp');
    const bareAdmin = await signInAdmin(bare);
    bareAgent = await createUser(bare, bareAdmin, 'agent', [await teamId(bare, bareAdmin, 'Support')], 'Agent Bo');
  });
  afterAll(() => bare?.stop());

  test('says the email channel cannot send, refuses the reply with problem+json (nothing stored, no first response) and still takes notes', async () => {
    const { ticketId } = await inbound(bare, { channel: 'email', externalId: `<leo-${Date.now()}@mail.example>`, from: { address: 'leo@customer.example', name: 'Leo' }, text: 'Where is my parcel?' });
    const d = await detail(bare, bareAgent.token, ticketId);
    expect(d.canReply).toBe(false);
    expect(d.replyBlockedReason).toBe('channel_cannot_send');

    const res = await api<{ detail: string; errors: Array<{ field: string; message: string }> }>(bare, bareAgent.token, 'POST', `/tickets/${ticketId}/replies`, { text: 'It ships today.' });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body.errors).toEqual([{ field: 'channel', message: 'cannot_send', code: 'cannot_send' }]);
    expect(res.body.detail).toMatch(/email channel cannot send replies.*SMTP_URL/);
    expect(await bare.models.Message.countDocuments({ ticket: ticketId, direction: 'outbound' })).toBe(0);
    expect((await detail(bare, bareAgent.token, ticketId)).ticket.firstResponseAt).toBeNull();

    expect((await api(bare, bareAgent.token, 'POST', `/tickets/${ticketId}/notes`, { text: 'SMTP is not set up yet' })).status).toBe(201);
    // An API-channel ticket on the same hub can be answered.
    const api2 = await inbound(bare);
    expect((await detail(bare, bareAgent.token, api2.ticketId)).canReply).toBe(true);
  });
});
