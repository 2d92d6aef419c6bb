import { io, type Socket } from 'socket.io-client';
import type { Welcome } from '../../channels/webchat/webchat.protocol';
import type { DomainEvent } from '../../src/events/event.types';
import type { Hub } from '../../src/main';
import { request, startTestHub, TEST_ADMIN, type TestHubEnv } from '../support/hub';
import { until } from '../support/process';
import { agentSocket, collect, createAgent, emitAck, nextEvent, TEST_WEBCHAT_SECRET, type TestAgent } from '../webchat/webchat.fixture';

let hub: Hub & { env: TestHubEnv };
let adminToken: string;
let otherTeam: string;
let support: TestAgent;
let outsider: TestAgent;
let supervisorOther: TestAgent;
const sockets: Socket[] = [];

async function connect(token: string): Promise<Socket> {
  const s = await agentSocket(hub.url, token);
  sockets.push(s);
  return s;
}

/** Tries to connect to /agents; resolves with 'connected' or the refusal. */
function tryAgents(opts: { auth?: Record<string, string>; headers?: Record<string, string> }): Promise<string> {
  const s = io(`${hub.url}/agents`, { auth: opts.auth ?? {}, extraHeaders: opts.headers ?? {}, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve) => {
    s.once('connect', () => {
      s.close();
      resolve('connected');
    });
    s.once('connect_error', (err) => {
      s.close();
      resolve(err.message);
    });
  });
}

async function newTicket(text: string): Promise<string> {
  const res = await request<{ ticketId: string }>(`${hub.url}/api/v1/inbound`, {
    body: { externalId: `rt-${Date.now()}-${Math.random()}`, from: { address: 'customer@test.example' }, text },
  });
  expect(res.status).toBe(201);
  return res.body.ticketId;
}

async function visitorWelcome(): Promise<Welcome> {
  const s = io(`${hub.url}/webchat`, { auth: { channelKey: 'default' }, transports: ['websocket'], forceNew: true });
  const w = await new Promise<Welcome>((resolve) => s.once('welcome', resolve));
  s.close();
  return w;
}

beforeAll(async () => {
  hub = await startTestHub('realtime-agents', { WEBCHAT_SECRET: TEST_WEBCHAT_SECRET, ROUTING_DISCONNECT_GRACE_MS: '600', ROUTING_SWEEP_MS: '100' });
  adminToken = (await request<{ token: string }>(`${hub.url}/api/v1/auth/login`, { body: TEST_ADMIN, apiKey: null })).body.token;
  const team = await request<{ id: string }>(`${hub.url}/api/v1/teams`, { body: { name: 'Other team' }, apiKey: adminToken });
  otherTeam = team.body.id;
  support = await createAgent(hub.url, { name: 'Sue Support' });
  outsider = await createAgent(hub.url, { name: 'Otto Outsider', teams: [otherTeam] });
  supervisorOther = await createAgent(hub.url, { name: 'Olga Supervisor', role: 'supervisor', teams: [otherTeam] });
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await hub?.stop();
});

describe('/agents namespace', () => {
  test('needs a valid session: by auth token, or by the session cookie from the console’s own origin only', async () => {
    await expect(tryAgents({})).resolves.toBe('unauthorized');
    await expect(tryAgents({ auth: { token: 'not-a-token' } })).resolves.toBe('unauthorized');
    await expect(tryAgents({ auth: { token: support.token } })).resolves.toBe('connected');
    const cookie = `hub_session=${encodeURIComponent(support.token)}`;
    await expect(tryAgents({ headers: { cookie, origin: hub.url } })).resolves.toBe('connected');
    await expect(tryAgents({ headers: { cookie, origin: 'https://evil.example' } })).resolves.toBe('unauthorized');
  });

  test('events go to the rooms that may see them; ticket.join is scope-checked', async () => {
    const sue = await connect(support.token);
    const otto = await connect(outsider.token);
    const olga = await connect(supervisorOther.token);
    const admin = await connect(adminToken);
    const seenByOtto = collect<{ ticketId: string }>(otto, 'ticket.created');
    const seenByOlga = collect<{ ticketId: string }>(olga, 'ticket.created');

    const forSue = nextEvent<{ ticketId: string; teamId: string }>(sue, 'ticket.created');
    const forAdmin = nextEvent<{ ticketId: string }>(admin, 'ticket.created');
    const ticketId = await newTicket('The lid of my tea tin is broken.');
    await expect(forSue).resolves.toMatchObject({ ticketId });
    await expect(forAdmin).resolves.toMatchObject({ ticketId });

    await expect(emitAck(sue, 'ticket.join', { ticketId })).resolves.toEqual({ ok: true });
    await expect(emitAck(admin, 'ticket.join', { ticketId })).resolves.toEqual({ ok: true });
    await expect(emitAck(otto, 'ticket.join', { ticketId })).resolves.toEqual({ ok: false, error: 'not_found' });
    await expect(emitAck(olga, 'ticket.join', { ticketId })).resolves.toEqual({ ok: false, error: 'not_found' });
    await expect(emitAck(otto, 'ticket.join', { ticketId: 'nope' })).resolves.toEqual({ ok: false, error: 'invalid' });

    // A ticket assigned to Otto (a handover across teams) reaches him through his own room.
    const toOtto = nextEvent<{ ticketId: string; assigneeId: string }>(otto, 'ticket.updated');
    const toSue = nextEvent<{ ticketId: string }>(sue, 'ticket.updated');
    const teamId = (await hub.models.Ticket.findById(ticketId).lean())!.team!.toString();
    await hub.bus.publish({ type: 'ticket.updated', ticketId, number: 1, status: 'open', assigneeId: outsider.id, teamId, changes: ['assignee'], at: new Date().toISOString() });
    await expect(toOtto).resolves.toMatchObject({ ticketId, assigneeId: outsider.id });
    await expect(toSue).resolves.toMatchObject({ ticketId });

    // Typing only on a joined ticket: Otto (not joined) is not relayed, Sue is, to the others in the room.
    const adminTyping = collect<{ ticketId: string; who: string; agent: { name: string } }>(admin, 'typing');
    otto.emit('typing', { ticketId, typing: true });
    sue.emit('typing', { ticketId, typing: true });
    await nextEvent(admin, 'typing', (t: { agent?: { name: string } }) => t.agent?.name === 'Sue Support');
    await new Promise((r) => setTimeout(r, 300));
    expect(adminTyping.map((t) => t.agent.name)).toEqual(['Sue Support']);

    // Nothing of the Support team's ticket reached the other team.
    expect(seenByOtto.filter((e) => e.ticketId === ticketId)).toEqual([]);
    expect(seenByOlga.filter((e) => e.ticketId === ticketId)).toEqual([]);
  });

  test('presence: published as agent.presence, kept in Redis, counted by the chat as agents online', async () => {
    const agent = await createAgent(hub.url, { name: 'Pia Presence' });
    // Only Pia is connected now.
    for (const s of sockets.splice(0)) s.close();
    await new Promise((r) => setTimeout(r, 200));

    const events: DomainEvent[] = [];
    const off = hub.bus.subscribe('test-observer', (e) => {
      if (e.type === 'agent.presence' && e.agentId === agent.id && e.reason === 'manual') events.push(e);
    }, { mode: 'broadcast' });
    const pia = await connect(agent.token);
    await expect(nextEvent(pia, 'presence')).resolves.toEqual({ status: 'online' });
    await expect(hub.redis.get(`${hub.env.REDIS_PREFIX}:presence:${agent.id}`)).resolves.toBe('online');
    await expect(visitorWelcome()).resolves.toMatchObject({ agentsOnline: 1 });

    await expect(emitAck(pia, 'presence', { status: 'away' })).resolves.toEqual({ ok: true, status: 'away' });
    await expect(hub.redis.get(`${hub.env.REDIS_PREFIX}:presence:${agent.id}`)).resolves.toBe('away');
    await expect(visitorWelcome()).resolves.toMatchObject({ agentsOnline: 0 });
    await expect(emitAck(pia, 'presence', { status: 'busy' })).resolves.toEqual({ ok: false, error: 'invalid' });

    // A status chosen before is kept when the console connects again.
    pia.close();
    const again = await connect(agent.token);
    await expect(nextEvent(again, 'presence')).resolves.toEqual({ status: 'away' });
    await expect(emitAck(again, 'presence', { status: 'online' })).resolves.toEqual({ ok: true, status: 'online' });
    await expect(visitorWelcome()).resolves.toMatchObject({ agentsOnline: 1 });
    // Disconnected agents are not online for the chat, whatever their status.
    again.close();
    await new Promise((r) => setTimeout(r, 200));
    await expect(visitorWelcome()).resolves.toMatchObject({ agentsOnline: 0 });

    await new Promise((r) => setTimeout(r, 100));
    off();
    // (Routing, listening on the bus, may echo a change once more; the transitions are what count.)
    const transitions = [...new Set(events.map((e) => JSON.stringify(e.type === 'agent.presence' && [e.previous, e.status, e.reason])))].map((t) => JSON.parse(t) as string[]);
    expect(transitions).toEqual([
      ['offline', 'online', 'manual'],
      ['online', 'away', 'manual'],
      ['away', 'online', 'manual'],
    ]);
  });

  test('a console gone longer than the grace period makes the agent away; back in time, nothing changes', async () => {
    const agent = await createAgent(hub.url, { name: 'Gus Grace' });
    const key = `${hub.env.REDIS_PREFIX}:presence:${agent.id}`;
    const events: DomainEvent[] = [];
    const off = hub.bus.subscribe('test-observer', (e) => {
      if (e.type === 'agent.presence' && e.agentId === agent.id && e.reason === 'disconnect') events.push(e);
    }, { mode: 'broadcast' });
    const first = await connect(agent.token);
    await expect(nextEvent(first, 'presence')).resolves.toEqual({ status: 'online' });
    // A reload: the tab closes and opens again within the grace period.
    first.close();
    await new Promise((r) => setTimeout(r, 200));
    const second = await connect(agent.token);
    await expect(nextEvent(second, 'presence')).resolves.toEqual({ status: 'online' });
    await new Promise((r) => setTimeout(r, 1200));
    expect(events).toEqual([]);
    await expect(hub.redis.get(key)).resolves.toBe('online');

    // Gone for good: away after the grace period, and that is what the console shows next time.
    second.close();
    const deadline = Date.now() + 5000;
    while (events.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    off();
    expect(events.map((e) => e.type === 'agent.presence' && [e.previous, e.status])).toEqual([['online', 'away']]);
    await until(() => hub.redis.get(key), (v) => v === 'away', 2000);
    const third = await connect(agent.token);
    await expect(nextEvent(third, 'presence')).resolves.toEqual({ status: 'away' });
  });
});
