import { io, type Socket } from 'socket.io-client';
import type { Hub } from '../../src/main';
import { createUser, signInAdmin, teamId } from '../support/desk.fixtures';
import { request, startTestHub, type TestHubEnv } from '../support/hub';

/**
 * The console's presence switch reaches routing directly and in order: however quickly an
 * agent clicks, routing ends in the status they chose last (and the console shows the same).
 */
let hub: Hub & { env: TestHubEnv };
const api = (p: string) => `${hub.url}/api/v1${p}`;
let agent: { id: string; token: string };
let socket: Socket;

beforeAll(async () => {
  hub = await startTestHub('presence');
  const admin = await signInAdmin(hub);
  agent = await createUser(hub, admin, 'agent', [await teamId(hub, admin, 'Support')], 'Quick Clicker');
  socket = io(`${hub.url}/agents`, { auth: { token: agent.token }, transports: ['websocket'], reconnection: false, forceNew: true });
  const first = new Promise<{ status: string }>((resolve) => socket.once('presence', resolve));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  // A first sign-in counts as coming online, for routing too.
  await expect(first).resolves.toEqual({ status: 'online' });
});
afterAll(async () => {
  socket?.close();
  await hub?.stop();
});

const routingStatus = async () => (await request<{ status: string }>(api('/me/routing'), { apiKey: agent.token })).body.status;

test('rapid presence changes from the console leave routing in the last one, every time', async () => {
  expect(await routingStatus()).toBe('online');
  const sequences = [
    ['online', 'away', 'online', 'away', 'online'],
    ['away', 'online', 'away', 'online', 'away'],
    ['offline', 'online', 'away', 'offline', 'online'],
    ['online', 'offline', 'away', 'online', 'offline'],
  ];
  for (let round = 0; round < 40; round++) {
    const seq = sequences[round % sequences.length]!;
    // All sent at once, without waiting for answers in between.
    const answers = await Promise.all(seq.map((status) => socket.timeout(10_000).emitWithAck('presence', { status }) as Promise<{ ok: boolean; status: string }>));
    expect(answers.map((a) => a.ok)).toEqual(seq.map(() => true));
    const last = seq.at(-1)!;
    // Answered means routing has it: no waiting for an event to arrive somewhere.
    expect([round, await routingStatus()]).toEqual([round, last]);
    expect([round, await hub.redis.get(`${hub.env.REDIS_PREFIX}:presence:${agent.id}`)]).toEqual([round, last]);
  }
  // And nothing arriving late changes it afterwards.
  await new Promise((r) => setTimeout(r, 500));
  expect(await routingStatus()).toBe(sequences[39 % sequences.length]!.at(-1));
});

test('a status set through the HTTP API is what routing and the console show (the same path)', async () => {
  for (const status of ['away', 'online', 'offline', 'online'] as const) {
    const res = await request<{ status: string }>(api('/me/presence'), { method: 'PUT', apiKey: agent.token, body: { status } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe(status);
    expect(await routingStatus()).toBe(status);
    expect(await hub.redis.get(`${hub.env.REDIS_PREFIX}:presence:${agent.id}`)).toBe(status);
  }
});
