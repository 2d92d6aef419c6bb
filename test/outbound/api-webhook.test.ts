import { createHmac, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DomainEvent } from '../../src/events/event.types';
import { startTestHub } from '../support/hub';
import { until } from '../support/process';
import {
  api,
  createUser,
  detail,
  inbound,
  signInAdmin,
  teamId,
  type MessageDto,
  type SignedIn,
  type TestHub,
} from '../support/desk.fixtures';

const SECRET = 'webhook-secret-for-tests-0123456789';
const ATTEMPTS = 5;

interface Received {
  key: string;
  signature: string;
  timestamp: string;
  raw: string;
  body: { messageId: string; ticketId: string; ticketNumber: number; text: string; to: Array<{ address: string }>; threadRefs: string[]; sentAt: string };
  answered: number;
}

/** An integrator's webhook receiver: records every request; its behaviour is chosen by a marker in the reply text. */
const received: Received[] = [];
const failuresByKey = new Map<string, number>();
const receiver = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = JSON.parse(raw) as Received['body'];
    const key = String(req.headers['idempotency-key'] ?? '');
    const answer = (status: number, text: string) => {
      received.push({ key, signature: String(req.headers['x-hub-signature-256'] ?? ''), timestamp: String(req.headers['x-hub-timestamp'] ?? ''), raw, body, answered: status });
      res.writeHead(status, { 'content-type': 'application/json' }).end(text);
    };
    if (body.text.includes('[always500]')) return answer(500, '{"error":"upstream broke"}');
    if (body.text.includes('[reject400]')) return answer(400, '{"error":"unknown customer"}');
    if (body.text.includes('[fail3]')) {
      const n = failuresByKey.get(key) ?? 0;
      if (n < 3) {
        failuresByKey.set(key, n + 1);
        return answer(503, '{"error":"try later"}');
      }
    }
    // A receiver that stores by Idempotency-Key answers a repeat with the same id.
    return answer(200, JSON.stringify({ id: `rcv-${key}` }));
  });
});

let hub: TestHub;
let admin: SignedIn;
let agent: SignedIn;
const events: DomainEvent[] = [];

beforeAll(async () => {
  receiver.listen(0, '127.0.0.1');
  await once(receiver, 'listening');
  const { port } = receiver.address() as AddressInfo;
  hub = await startTestHub('outbound', {
    DEFAULT_TEAM: 'Front',
    API_WEBHOOK_URL: `http://127.0.0.1:${port}/hooks/omnihub`,
    API_WEBHOOK_SECRET: SECRET,
    OUTBOUND_ATTEMPTS: String(ATTEMPTS),
    OUTBOUND_RETRY_BASE_MS: '10',
  });
  hub.bus.subscribe('test-observer', (e) => {
    events.push(e);
  }, { mode: 'broadcast' });
  admin = await signInAdmin(hub);
  agent = await createUser(hub, admin, 'agent', [await teamId(hub, admin, 'Front')], 'Agent Ada');
});
afterAll(async () => {
  await hub.stop();
  receiver.closeAllConnections();
  receiver.close();
});

const reply = (ticketId: string, text: string, headers: Record<string, string> = {}, who: SignedIn = agent) =>
  api<MessageDto>(hub, who.token, 'POST', `/tickets/${ticketId}/replies`, { text }, headers);

/** Waits until the reply leaves `queued` (the worker decides); the assertions come after. */
async function settled(ticketId: string, messageId: string): Promise<MessageDto> {
  const m = await until(
    async () => (await detail(hub, agent.token, ticketId)).messages.find((x) => x.id === messageId),
    (x) => x !== undefined && x.deliveryStatus !== 'queued',
    30_000,
    25,
  );
  return m!;
}

const validSignature = (r: Received): boolean => {
  const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(r.raw).digest('hex')}`);
  const got = Buffer.from(r.signature);
  return got.length === expected.length && timingSafeEqual(got, expected);
};
const requestsFor = (key: string) => received.filter((r) => r.key === key);

describe('replies on API-channel tickets go out through the signed webhook', () => {
  test('the reply reaches the receiver signed over the exact body; it reads delivered and is on the timeline', async () => {
    const customer = `crm-${Date.now().toString(36)}`;
    const { ticketId, messageId: inboundId } = await inbound(hub, { externalId: `${customer}-q1`, from: { address: customer, name: 'Integrator Customer', kind: 'external' } });
    const res = await reply(ticketId, 'Thanks, a replacement is on its way.');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ direction: 'outbound', channel: 'api', deliveryStatus: 'queued', author: { id: agent.id, name: 'Agent Ada' } });
    expect(res.body.to).toEqual([{ address: customer, name: 'Integrator Customer' }]);
    const id = res.body.id;

    const final = await settled(ticketId, id);
    expect(final.deliveryStatus).toBe('delivered');
    expect(final.deliveryError).toBeNull();

    const reqs = requestsFor(id);
    expect(reqs).toHaveLength(1);
    const r = reqs[0]!;
    expect(validSignature(r)).toBe(true);
    expect(r.signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(r.timestamp).toBe(String(Math.floor(new Date(r.body.sentAt).getTime() / 1000)));
    expect(r.body).toMatchObject({ messageId: id, ticketId, text: 'Thanks, a replacement is on its way.', to: [{ address: customer }] });
    expect(r.body.threadRefs).toContain(`${customer}-q1`);
    // A tampered body would not verify.
    expect(validSignature({ ...r, raw: r.raw.replace('replacement', 'refund') })).toBe(false);

    const stored = await hub.models.Message.findById(id).lean();
    expect(stored?.externalId).toBe(`rcv-${id}`);
    const d = await detail(hub, agent.token, ticketId);
    expect(d.ticket.status).toBe('open');
    expect(d.ticket.assignee?.id).toBe(agent.id);
    expect(d.timeline.filter((e) => e.action === 'reply')).toHaveLength(1);
    expect(d.timeline.find((e) => e.action === 'delivery')).toMatchObject({ from: 'queued', to: 'delivered', actor: { kind: 'system' } });
    // Each entry's words as a stable code with its parameters, for the console to say in any language.
    const byAction = (action: string) => d.timeline.find((e) => e.action === action);
    expect(byAction('created')).toMatchObject({ code: 'created.via', params: { channel: 'api', type: d.ticket.type, priority: d.ticket.priority } });
    expect(byAction('reply')).toMatchObject({ code: 'reply.written', params: { channel: 'api', messageId: id } });
    expect(byAction('delivery')).toMatchObject({ code: 'delivery.delivered', params: { channel: 'api', messageId: id, providerId: `rcv-${id}`, firstResponse: 'yes' } });
    expect(byAction('assignee')).toMatchObject({ code: 'assignee.replied', params: { from: '', to: 'Agent Ada' } });
    for (const e of d.timeline) for (const k of Object.keys(e.params)) expect(k).toMatch(/^[A-Za-z]+$/);
    await until(async () => events.some((e) => e.type === 'message.updated' && e.messageId === id && e.deliveryStatus === 'delivered'), Boolean, 10_000, 20);

    // The customer answering the reply (threadRefs: its id) continues this ticket.
    const answer = await inbound(hub, { externalId: `${customer}-q2`, from: { address: customer, kind: 'external' }, text: 'Great, thanks!', threadRefs: [id] });
    expect(answer.ticketId).toBe(ticketId);
    expect(answer.messageId).not.toBe(inboundId);
  });

  test('a receiver failing three times then succeeding gets exactly one accepted delivery, and the reply reads delivered', async () => {
    const { ticketId } = await inbound(hub);
    const res = await reply(ticketId, 'Your refund is processed. [fail3]');
    expect(res.status).toBe(201);
    const final = await settled(ticketId, res.body.id);
    expect(final.deliveryStatus).toBe('delivered');
    expect(final.deliveryError).toBeNull();
    const reqs = requestsFor(res.body.id);
    expect(reqs.map((r) => r.answered)).toEqual([503, 503, 503, 200]);
    expect(reqs.every(validSignature)).toBe(true);
    expect(new Set(reqs.map((r) => r.body.messageId))).toEqual(new Set([res.body.id]));
    expect(reqs.filter((r) => r.answered === 200)).toHaveLength(1);
    // Retries in between were visible on the message.
    expect(events.some((e) => e.type === 'message.updated' && e.messageId === res.body.id && e.deliveryStatus === 'queued' && /attempt 1 of 5 failed/.test(e.deliveryError ?? ''))).toBe(true);
  });

  test('a receiver that always fails: the reply reads failed with the reason, after every attempt, visibly', async () => {
    const { ticketId } = await inbound(hub);
    const res = await reply(ticketId, 'We are on it. [always500]');
    const final = await settled(ticketId, res.body.id);
    expect(final.deliveryStatus).toBe('failed');
    expect(final.deliveryError).toMatch(/500/);
    expect(final.deliveryError).toMatch(/upstream broke/);
    expect(requestsFor(res.body.id)).toHaveLength(ATTEMPTS);
    const d = await detail(hub, agent.token, ticketId);
    const ev = d.timeline.find((e) => e.action === 'delivery');
    expect(ev).toMatchObject({ from: 'queued', to: 'failed' });
    expect(ev?.detail).toMatch(/upstream broke/);
    await until(async () => events.some((e) => e.type === 'message.updated' && e.messageId === res.body.id && e.deliveryStatus === 'failed'), Boolean, 10_000, 20);
    expect(events.some((e) => e.type === 'ticket.updated' && e.ticketId === ticketId && e.changes.includes('delivery'))).toBe(true);
  });

  test('a 4xx other than 429 is not retried: failed at once with the reason', async () => {
    const { ticketId } = await inbound(hub);
    const res = await reply(ticketId, 'Hello [reject400]');
    const final = await settled(ticketId, res.body.id);
    expect(final.deliveryStatus).toBe('failed');
    expect(final.deliveryError).toMatch(/rejected: webhook answered 400/);
    expect(final.deliveryErrorCode).toBe('rejected');
    expect(requestsFor(res.body.id)).toHaveLength(1);
  });

  test('the same Idempotency-Key twice gives one outbound message and one delivery, even when sent at once', async () => {
    const { ticketId } = await inbound(hub);
    const first = await reply(ticketId, 'Double click', { 'Idempotency-Key': 'click-1' });
    const again = await reply(ticketId, 'Double click', { 'Idempotency-Key': 'click-1' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const [c1, c2] = await Promise.all([reply(ticketId, 'Twice at once', { 'Idempotency-Key': 'click-2' }), reply(ticketId, 'Twice at once', { 'Idempotency-Key': 'click-2' })]);
    expect(c1.body.id).toBe(c2.body.id);
    expect(c1.body.id).not.toBe(first.body.id);

    await settled(ticketId, first.body.id);
    await settled(ticketId, c1.body.id);
    const outbound = (await detail(hub, agent.token, ticketId)).messages.filter((m) => m.direction === 'outbound');
    expect(outbound.map((m) => m.id).sort()).toEqual([first.body.id, c1.body.id].sort());
    expect(requestsFor(first.body.id)).toHaveLength(1);
    expect(requestsFor(c1.body.id)).toHaveLength(1);
    // The same key on another ticket is another message.
    const other = await inbound(hub);
    const elsewhere = await reply(other.ticketId, 'Double click', { 'Idempotency-Key': 'click-1' });
    expect(elsewhere.body.id).not.toBe(first.body.id);
    expect((await reply(ticketId, 'x', { 'Idempotency-Key': ' ' })).status).toBe(400);
  });
});

describe('response times', () => {
  test('the first public reply sets firstResponseAt once it is sent, at the time it was sent; notes never count; later replies move lastAgentMessageAt only', async () => {
    const { ticketId } = await inbound(hub);
    const note = await api(hub, agent.token, 'POST', `/tickets/${ticketId}/notes`, { text: 'checking the order first' });
    expect(note.status).toBe(201);
    expect((await detail(hub, agent.token, ticketId)).ticket.firstResponseAt).toBeNull();

    // The delivery is recorded once the message reads delivered: wait for its timeline line.
    const recorded = (id: string) =>
      until(() => detail(hub, agent.token, ticketId), (d) => d.timeline.some((e) => e.action === 'delivery' && e.detail.includes(id)), 15_000, 25);
    const r1 = await reply(ticketId, 'First answer');
    expect((await settled(ticketId, r1.body.id)).deliveryStatus).toBe('delivered');
    const d1 = await recorded(r1.body.id);
    const after1 = d1.ticket;
    expect(after1.firstResponseAt).not.toBeNull();
    // The time the webhook took it, as the timeline recorded it; not the time the agent wrote it.
    const delivered = d1.timeline.find((e) => e.action === 'delivery' && e.to === 'delivered' && e.detail.includes(r1.body.id));
    expect(after1.firstResponseAt).toBe(delivered!.at);
    expect(Date.parse(after1.firstResponseAt!)).toBeGreaterThanOrEqual(Date.parse(d1.messages.find((m) => m.id === r1.body.id)!.createdAt));
    expect(Date.parse(after1.firstResponseAt!)).toBeGreaterThanOrEqual(Date.parse(after1.lastAgentMessageAt!));

    const r2 = await reply(ticketId, 'Second answer');
    await settled(ticketId, r2.body.id);
    const d2 = await recorded(r2.body.id);
    const after2 = d2.ticket;
    expect(after2.firstResponseAt).toBe(after1.firstResponseAt);
    expect(Date.parse(after2.lastAgentMessageAt!)).toBeGreaterThanOrEqual(Date.parse(after1.lastAgentMessageAt!));
    expect(after2.lastAgentMessageAt).not.toBe(after1.lastAgentMessageAt);
    const timeline = d2.timeline.filter((e) => e.action === 'delivery');
    expect(timeline.map((e) => /first response/.test(e.detail))).toEqual([true, false]);
  });

  test('a reply that fails is no first response and leaves the SLA first-response clock running', async () => {
    const { ticketId } = await inbound(hub);
    await until(() => detail(hub, agent.token, ticketId), (d) => d.ticket.sla.firstResponseDueAt !== null, 15_000);
    const res = await reply(ticketId, 'This one bounces [reject400]');
    expect((await settled(ticketId, res.body.id)).deliveryStatus).toBe('failed');
    const d = await detail(hub, agent.token, ticketId);
    expect(d.ticket.firstResponseAt).toBeNull();
    expect(d.ticket.failedReplies).toBe(1);
    expect((await hub.redis.hgetall(`${hub.env.REDIS_PREFIX}:sla:${ticketId}`))['first_response:status']).toBe('running');
  });
});

describe('failures are never silent', () => {
  test('a reply on a channel with no sending adapter is refused with the reason, and nothing is stored', async () => {
    const { ticketId } = await inbound(hub, { channel: 'fax', externalId: `FX${Date.now()}`, from: { address: '+493012345678' }, text: 'Bitte zurückrufen' });
    const res = await api<{ detail: string; errors: Array<{ field: string; message: string }> }>(hub, agent.token, 'POST', `/tickets/${ticketId}/replies`, { text: 'We will call you back.' });
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/fax channel cannot send/);
    expect(res.body.errors).toEqual([{ field: 'channel', message: 'cannot_send', code: 'cannot_send' }]);
    expect(await hub.models.Message.countDocuments({ ticket: ticketId, direction: 'outbound' })).toBe(0);
  });

  test('a closed ticket takes no replies', async () => {
    const { ticketId } = await inbound(hub);
    expect((await api(hub, admin.token, 'PATCH', `/tickets/${ticketId}`, { status: 'closed' })).status).toBe(200);
    const res = await reply(ticketId, 'too late', {}, admin);
    expect(res.status).toBe(409);
    expect(await hub.models.Message.countDocuments({ ticket: ticketId, direction: 'outbound' })).toBe(0);
  });
});
