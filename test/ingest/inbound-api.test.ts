import { Types } from 'mongoose';
import type { Hub } from '../../src/main';
import { request, startTestHub, type TestHubEnv } from '../support/hub';
import { until } from '../support/process';

interface Stored {
  messageId: string;
  ticketId: string;
  duplicate: boolean;
}

let hub: Hub & { env: TestHubEnv };
const inbound = () => `${hub.url}/api/v1/inbound`;

beforeAll(async () => {
  hub = await startTestHub('inbound');
});
afterAll(async () => {
  await hub.stop();
});

const base = (externalId: string, extra: Record<string, unknown> = {}) => ({
  externalId,
  from: { address: 'wang.fang@example.cn', name: '王芳' },
  subject: 'Order 8812',
  text: 'My parcel has not arrived and tracking has not moved for a week.',
  ...extra,
});

describe('POST /api/v1/inbound', () => {
  test('the same message submitted 5 times concurrently is stored once, with one ticket', async () => {
    const msg = base('concurrent-1');
    const answers = await Promise.all(Array.from({ length: 5 }, () => request<Stored>(inbound(), { body: msg })));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
    const ids = new Set(answers.map((a) => a.body.messageId));
    const tickets = new Set(answers.map((a) => a.body.ticketId));
    expect(ids.size).toBe(1);
    expect(tickets.size).toBe(1);
    expect(answers.filter((a) => a.body.duplicate === false)).toHaveLength(1);
    expect(answers.filter((a) => a.body.duplicate === true)).toHaveLength(4);
    expect(await hub.models.Message.countDocuments({ externalId: 'concurrent-1' })).toBe(1);
    expect(await hub.models.Ticket.countDocuments({ origin: 'api:concurrent-1' })).toBe(1);

    // A replay later is still harmless.
    const again = await request<Stored>(inbound(), { body: msg });
    expect(again.status).toBe(201);
    expect(again.body).toEqual({ ...answers[0]!.body, duplicate: true });
  });

  test('a new message creates a classified ticket with a timeline entry', async () => {
    const res = await request<Stored>(inbound(), {
      body: base('classified-1', { subject: '投诉', text: '你们的快递延误了整整一周，客服也不回复，太差劲了，我要投诉！', from: { address: 'zhao@example.cn' } }),
    });
    expect(res.status).toBe(201);
    const ticket = await hub.models.Ticket.findById(res.body.ticketId).lean();
    expect(ticket).toMatchObject({ type: 'complaint', status: 'new', channel: 'api', language: 'zh' });
    expect(ticket?.classification.source).toBe('rules');
    expect(ticket?.number).toBeGreaterThan(1000);
    const events = await hub.models.TicketEvent.find({ ticket: res.body.ticketId }).lean();
    expect(events.map((e) => e.action)).toEqual(['created']);
    expect(events[0]?.actor.kind).toBe('customer');
  });

  test('a retry after a worker died between opening the ticket and storing the message still announces the ticket', async () => {
    // The first attempt got as far as opening the ticket (and its timeline entry), then died.
    const first = await hub.tickets.open({
      origin: 'api:retried-1',
      channel: 'api',
      contact: new Types.ObjectId(),
      subject: 'Order 8812',
      type: 'complaint',
      priority: 'normal',
      language: 'en',
      classification: { source: 'rules', confidence: 0.5, matched: [] },
      previousTicket: null,
      team: null,
      at: new Date(),
      actor: { kind: 'customer', id: 'c', name: 'Wang Fang' },
    });
    expect(first.created).toBe(true);
    const announced: string[] = [];
    const off = hub.bus.subscribe('test-retry-observer', async (e) => {
      if (e.type === 'ticket.created') announced.push(e.ticketId);
    }, { mode: 'broadcast' });
    try {
      const res = await request<Stored & { ticketId: string }>(inbound(), { body: base('retried-1') });
      expect(res.status).toBe(201);
      expect(res.body.ticketId).toBe(first.ticket._id.toString());
      // Announced, so routing and the SLA clocks took it: it has due times like any new ticket.
      await until(() => Promise.resolve(announced), (a) => a.includes(res.body.ticketId), 10_000);
      const shown = await until(() => hub.models.Ticket.findById(res.body.ticketId).lean(), (t) => !!t?.sla?.firstResponseDueAt, 10_000);
      expect(shown?.sla?.firstResponseDueAt).toBeInstanceOf(Date);
      // One timeline entry for the opening, not two.
      expect(await hub.models.TicketEvent.countDocuments({ ticket: res.body.ticketId, action: 'created' })).toBe(1);
    } finally {
      await off();
    }
  });

  test("the customer's explicit choice wins over the rules", async () => {
    const res = await request<Stored>(inbound(), {
      body: base('chosen-1', { text: 'This is broken and I am furious, refund me now!', chosenType: 'suggestion', from: { address: 'pick@example.org' } }),
    });
    const ticket = await hub.models.Ticket.findById(res.body.ticketId).lean();
    expect(ticket?.type).toBe('suggestion');
    expect(ticket?.classification).toMatchObject({ source: 'customer', confidence: 1 });
  });

  test('email address and phone number of one person give one contact with one history', async () => {
    const first = await request<Stored>(inbound(), {
      body: {
        channel: 'email',
        externalId: '<first@mail.example>',
        from: { address: 'Chen.Jie@Example.com', name: 'Chen Jie' },
        identities: [{ kind: 'phone', value: '+86 138-0013-0000' }],
        subject: 'Invoice question',
        text: 'Where can I download my invoice?',
      },
    });
    const second = await request<Stored>(inbound(), {
      body: { channel: 'sms', externalId: 'SM0001', from: { address: '+8613800130000' }, text: 'Hi, any news about my invoice?' },
    });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    const [m1, m2] = await Promise.all([
      hub.models.Message.findById(first.body.messageId).lean(),
      hub.models.Message.findById(second.body.messageId).lean(),
    ]);
    expect(m1?.contact?.toString()).toBe(m2?.contact?.toString());
    const contact = await hub.models.Contact.findById(m1?.contact).lean();
    expect(contact?.name).toBe('Chen Jie');
    expect(contact?.identities).toEqual(
      expect.arrayContaining([
        { kind: 'email', value: 'chen.jie@example.com' },
        { kind: 'phone', value: '+8613800130000' },
      ]),
    );
    const history = await hub.models.Ticket.find({ contact: contact?._id }).lean();
    expect(history.map((t) => t.channel).sort()).toEqual(['email', 'sms']);
  });

  test('a reply carrying a thread reference lands on the existing ticket', async () => {
    const opened = await request<Stored>(inbound(), { body: base('thread-root', { from: { address: 'li@example.org' } }) });
    const reply = await request<Stored>(inbound(), {
      body: base('thread-reply', { from: { address: 'li@example.org' }, text: 'Any update?', threadRefs: ['thread-root'] }),
    });
    expect(reply.body.ticketId).toBe(opened.body.ticketId);
    expect(await hub.models.Message.countDocuments({ ticket: opened.body.ticketId })).toBe(2);

    // Someone else quoting the same reference does not get into that ticket.
    const stranger = await request<Stored>(inbound(), {
      body: base('thread-stranger', { from: { address: 'mallory@example.org' }, threadRefs: ['thread-root'] }),
    });
    expect(stranger.body.ticketId).not.toBe(opened.body.ticketId);
  });

  test('a reply reopens a recently resolved ticket and moves a pending one back to open', async () => {
    const opened = await request<Stored>(inbound(), { body: base('reopen-root', { from: { address: 'reopen@example.org' } }) });
    const id = opened.body.ticketId;
    const oid = (await hub.models.Ticket.findById(id).lean())!._id;
    const agent = { kind: 'user' as const, id: 'u1', name: 'Agent' };
    await hub.tickets.transition(oid, 'resolved', agent);
    await request(inbound(), { body: base('reopen-reply', { from: { address: 'reopen@example.org' }, threadRefs: ['reopen-root'] }) });
    const reopened = await hub.models.Ticket.findById(id).lean();
    expect(reopened?.status).toBe('new');
    const timeline = await hub.models.TicketEvent.find({ ticket: id }).sort({ at: 1 }).lean();
    expect(timeline.map((e) => `${e.action}:${e.from ?? ''}>${e.to ?? ''}`)).toEqual(['created:>new', 'status:new>resolved', 'status:resolved>new']);

    await hub.tickets.transition(oid, 'pending', agent, 'asked for the order number');
    await request(inbound(), { body: base('pending-reply', { from: { address: 'reopen@example.org' }, threadRefs: ['reopen-root'] }) });
    expect((await hub.models.Ticket.findById(id).lean())?.status).toBe('new');

    await hub.tickets.transition(oid, 'closed', agent);
    const after = await request<Stored>(inbound(), {
      body: base('reopen-after-close', { from: { address: 'reopen@example.org' }, threadRefs: ['reopen-root'] }),
    });
    expect(after.body.ticketId).not.toBe(id);
    const successor = await hub.models.Ticket.findById(after.body.ticketId).lean();
    expect(successor?.previousTicket?.toString()).toBe(id);
  });

  test('customer HTML is stored sanitized, the original kept apart; attachments are stored', async () => {
    const html = '<p onclick="steal()">Hello <b>there</b><script>alert(1)</script><a href="javascript:evil()">x</a></p>';
    const res = await request<Stored>(inbound(), {
      body: base('html-1', {
        text: '',
        html,
        attachments: [{ name: 'photo.png', contentType: 'image/png', size: 4, contentBase64: Buffer.from('PNG!').toString('base64') }],
      }),
    });
    expect(res.status).toBe(201);
    const m = await hub.models.Message.findById(res.body.messageId).lean();
    expect(m?.html).toContain('<b>there</b>');
    expect(m?.html).not.toMatch(/script|onclick|javascript:/);
    expect(m?.rawHtml).toBe(html);
    expect(m?.text).toContain('Hello there');
    expect(m?.attachments).toEqual([expect.objectContaining({ name: 'photo.png', size: 4, ref: expect.stringMatching(/^sha256-/) })]);
  });

  test('a message and the replies to it arriving at the same moment, in any order, make one ticket per conversation', async () => {
    // Ten customers each send a message and two replies to it, all at once; some replies come before the message.
    const conversations = Array.from({ length: 10 }, (_, c) => {
      const from = { address: `race-${c}@example.org`, name: `Race ${c}` };
      const first = base(`race-${c}-1`, { from });
      const second = base(`race-${c}-2`, { from, text: 'Any news?', threadRefs: [`race-${c}-1`] });
      const third = base(`race-${c}-3`, { from, text: 'Still waiting.', threadRefs: [`race-${c}-1`, `race-${c}-2`] });
      return c % 2 ? [third, second, first] : [first, second, third];
    });
    const answers = await Promise.all(conversations.flat().map((m) => request<Stored>(inbound(), { body: m })));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    for (let c = 0; c < 10; c++) {
      const tickets = new Set(answers.slice(c * 3, c * 3 + 3).map((a) => a.body.ticketId));
      expect(tickets.size).toBe(1);
      const stored = await hub.models.Message.find({ externalId: { $in: [`race-${c}-1`, `race-${c}-2`, `race-${c}-3`] } }, { ticket: 1 }).lean();
      expect(stored.map((m) => m.ticket!.toString())).toEqual([...tickets, ...tickets, ...tickets]);
    }
  });
});

describe('bad input gets problem+json and stores nothing', () => {
  const cases: Array<[string, Parameters<typeof request>[1], number, string]> = [
    ['malformed JSON', { rawBody: '{"externalId": "x",' }, 400, '(body)'],
    ['missing fields', { body: { externalId: 'bad-1' } }, 422, 'from'],
    ['wrongly typed field', { body: { ...base('bad-2'), text: 42 } }, 422, 'text'],
    ['unknown channel', { body: { ...base('bad-3'), channel: 'pigeon' } }, 422, 'channel'],
    ['invalid date', { body: { ...base('bad-4'), receivedAt: 'yesterday-ish' } }, 422, 'receivedAt'],
    ['missing API key', { body: base('bad-5'), apiKey: null }, 401, 'Authorization'],
    ['wrong API key', { body: base('bad-6'), apiKey: 'not-the-key-at-all-000000' }, 401, 'Authorization'],
    ['body over the size limit', { body: base('bad-7', { text: 'x'.repeat(200_000), html: 'y'.repeat(11 * 1024 * 1024) }) }, 413, '(body)'],
  ];
  test.each(cases)('%s', async (_name, init, status, field) => {
    const before = await hub.models.Message.countDocuments();
    const res = await request<{ title: string; status: number; errors: Array<{ field: string }> }>(inbound(), init);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(res.body.status).toBe(status);
    expect(res.body.errors.map((e) => e.field)).toContain(field);
    expect(await hub.models.Message.countDocuments()).toBe(before);
    // The process keeps serving.
    expect((await request(`${hub.url}/healthz`)).status).toBe(200);
  });
});

describe('operations endpoints', () => {
  test('healthz, readyz and metrics', async () => {
    expect((await request(`${hub.url}/healthz`)).body).toEqual({ status: 'ok' });
    const ready = await request<{ status: string; checks: Record<string, { ok: boolean }> }>(`${hub.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: { ok: true }, redis: { ok: true } });
    const metrics = await fetch(`${hub.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/hub_ingested_messages_total\{channel="api"\} [1-9]/);
    expect(metrics).toMatch(/hub_ingest_latency_seconds_count\{channel="api"\} [1-9]/);
    expect(metrics).toMatch(/hub_queue_jobs\{queue="ingest",state="completed"\} [1-9]/);
    // Domain events counted by the metrics listener group, and what the listeners made of them.
    const events = await until(
      () => fetch(`${hub.url}/metrics`).then((r) => r.text()),
      (m) => /hub_domain_events_total\{type="ticket.created"\} [1-9]/.test(m) && /hub_event_deliveries_total\{group="routing",outcome="handled"\} [1-9]/.test(m),
    );
    expect(events).not.toMatch(/outcome="dead_letter"/);
  });

  test('an unknown route answers problem+json 404', async () => {
    const res = await request(`${hub.url}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
  });
});
