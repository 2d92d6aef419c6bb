import { spawn } from 'node:child_process';
import path from 'node:path';
import { serviceUrls } from '../support/env';
import { ROOT } from '../support/process';
import { agent, expectedOrder, mixedTickets, routingHarness, type RoutingHarness } from './fixtures/routing.fixture';

const AGENTS = Array.from({ length: 10 }, (_, i) => `agent${String(i).padStart(2, '0')}`);

interface ChildResult {
  pid: number;
  persisted: Array<{ ticketId: string; agentId: string }>;
  offered: Array<{ ticketId: string; agentId: string }>;
}

function runChild(env: Record<string, string>, onReady: () => void): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures/routing.child.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => {
      const before = out;
      out += b.toString();
      if (!before.includes('ready\n') && out.includes('ready\n')) onReady();
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) reject(new Error(`child exited ${code}: ${err}${out}`));
      else resolve(JSON.parse(line) as ChildResult);
    });
  });
}

/** Starts both children, releases them together once both are ready, returns their reports. */
async function raceTwoProcesses(h: RoutingHarness, inputs: [object, object]): Promise<ChildResult[]> {
  let ready = 0;
  let go: () => void = () => undefined;
  const bothReady = new Promise<void>((r) => (go = r));
  const onReady = () => {
    if (++ready === 2) go();
  };
  const runs = inputs.map((input) => runChild({ ROUTING_CHILD_INPUT: JSON.stringify(input) }, onReady));
  await bothReady;
  await h.redis.rpush(`${h.prefix}:test:go`, '1', '1');
  return Promise.all(runs);
}

describe('two hub processes routing against the same Redis', () => {
  let h: RoutingHarness;
  afterEach(() => h.close());

  it('auto-assign: no agent above capacity, no ticket assigned twice, the rest queued in order', async () => {
    h = routingHarness('multiproc');
    const team = 'support';
    await h.service.configureTeam({ teamId: team, strategy: 'least-busy' });
    for (const id of AGENTS) {
      await h.service.upsertAgent(agent(id, [team], { async: 5 }));
      await h.service.setStatus(id, 'online');
    }
    const tickets = mixedTickets(200, team, 'sms');
    const wire = tickets.map((t) => ({ ...t, waitingSince: t.waitingSince.toISOString() }));
    // Overlapping halves: 80 tickets reach both processes (as if both heard the same
    // ticket.created), and both drain the one shared queue, racing for the same heads.
    const base = { redisUrl: serviceUrls().redis, prefix: h.prefix, persistDelayMs: 3 };
    const results = await raceTwoProcesses(h, [
      { ...base, tickets: wire.slice(0, 140) },
      { ...base, tickets: wire.slice(60).reverse() },
    ]);

    const persisted = results.flatMap((r) => r.persisted);
    expect(persisted).toHaveLength(50);
    expect(new Set(persisted.map((p) => p.ticketId)).size).toBe(50);
    // Both processes really did route (neither one sat idle while the other did everything).
    expect(results.every((r) => r.persisted.length > 0)).toBe(true);
    const perAgent = new Map<string, number>();
    for (const p of persisted) perAgent.set(p.agentId, (perAgent.get(p.agentId) ?? 0) + 1);
    for (const id of AGENTS) {
      expect(perAgent.get(id)).toBe(5);
      expect((await h.service.agentState(id))?.load.async).toBe(5);
    }
    const assigned = new Set(persisted.map((p) => p.ticketId));
    const queued = (await h.service.listQueue(team, 500)).map((t) => t.ticketId);
    expect(queued).toEqual(expectedOrder(tickets.filter((t) => !assigned.has(t.ticketId))));

    // Capacity freed in this (third) process goes to the head of the queue.
    const victim = persisted.find((p) => p.agentId === 'agent07');
    await h.service.release(victim?.ticketId ?? '', 'resolved');
    expect(h.assignments).toEqual([{ ticketId: queued[0], agentId: 'agent07', via: 'auto' }]);
  }, 60_000);

  it('offers: each process offers disjoint tickets and no chat agent is offered more than capacity', async () => {
    h = routingHarness('multiproc_offer');
    const team = 'chat';
    await h.service.configureTeam({ teamId: team, strategy: 'round-robin' });
    for (const id of AGENTS) {
      await h.service.upsertAgent(agent(id, [team], { chat: 3 }));
      await h.service.setStatus(id, 'online');
    }
    const tickets = mixedTickets(120, team, 'webchat');
    const wire = tickets.map((t) => ({ ...t, waitingSince: t.waitingSince.toISOString() }));
    const base = { redisUrl: serviceUrls().redis, prefix: h.prefix };
    const results = await raceTwoProcesses(h, [
      { ...base, tickets: wire.filter((_, i) => i % 2 === 0).concat(wire.filter((_, i) => i % 2 === 1)) },
      { ...base, tickets: wire.filter((_, i) => i % 2 === 1).concat(wire.filter((_, i) => i % 2 === 0)) },
    ]);
    const offered = results.flatMap((r) => r.offered);
    expect(offered).toHaveLength(30);
    expect(new Set(offered.map((o) => o.ticketId)).size).toBe(30);
    for (const id of AGENTS) {
      const s = await h.service.agentState(id);
      expect(s?.load.chat).toBe(3);
      expect(s?.offers).toHaveLength(3);
    }
    expect(await h.service.listQueue(team, 500)).toHaveLength(90);
  }, 60_000);
});
