import { agent, expectedOrder, mixedTickets, routingHarness, type RoutingHarness } from './fixtures/routing.fixture';

const TEAM = 'support';
const AGENTS = Array.from({ length: 10 }, (_, i) => `agent${String(i).padStart(2, '0')}`);

describe('capacity under a burst: 200 tickets, 10 agents with capacity 5', () => {
  let h: RoutingHarness;
  const tickets = mixedTickets(200, TEAM, 'email');

  beforeAll(async () => {
    h = routingHarness('capacity');
    await h.service.configureTeam({ teamId: TEAM, strategy: 'least-busy' });
    for (const id of AGENTS) {
      await h.service.upsertAgent(agent(id, [TEAM], { chat: 2, async: 5 }));
      await h.service.setStatus(id, 'online');
    }
    // All 200 at once, in a shuffled arrival order.
    await Promise.all(tickets.map((t) => h.service.enqueue(t)));
  });
  afterAll(() => h.close());

  it('fills every slot and puts nobody above capacity', async () => {
    for (const id of AGENTS) {
      const s = await h.service.agentState(id);
      expect(s?.load.async).toBe(5);
      expect(s?.tickets.async).toHaveLength(5);
    }
  });

  it('assigns no ticket twice (in Redis and through the persistence port)', async () => {
    const persisted = h.assignments.map((a) => a.ticketId);
    expect(persisted).toHaveLength(50);
    expect(new Set(persisted).size).toBe(50);
    const held: string[] = [];
    for (const id of AGENTS) held.push(...((await h.service.agentState(id))?.tickets.async ?? []));
    expect(new Set(held).size).toBe(50);
    expect(new Set(held)).toEqual(new Set(persisted));
    for (const a of h.assignments) expect((await h.service.ticketState(a.ticketId))?.agentId).toBe(a.agentId);
    expect(h.ofType('routing.assigned')).toHaveLength(50);
  });

  it('queues the other 150 in priority, tier, waiting-time order', async () => {
    const queued = (await h.service.listQueue(TEAM, 500)).map((t) => t.ticketId);
    expect(queued).toHaveLength(150);
    const assigned = new Set(h.assignments.map((a) => a.ticketId));
    expect(queued.some((id) => assigned.has(id))).toBe(false);
    const waiting = tickets.filter((t) => !assigned.has(t.ticketId));
    expect(queued).toEqual(expectedOrder(waiting));
    const first = await h.service.queuePosition(queued[0] ?? '');
    const last = await h.service.queuePosition(queued[149] ?? '');
    expect(first?.position).toBe(1);
    expect(last?.position).toBe(150);
  });

  it('gives the head of the queue to an agent who resolves one', async () => {
    const head = (await h.service.listQueue(TEAM, 2)).map((t) => t.ticketId);
    const victim = h.assignments.find((a) => a.agentId === 'agent03');
    expect(victim).toBeDefined();
    const before = h.assignments.length;
    const r = await h.service.release(victim?.ticketId ?? '', 'resolved');
    expect(r).toEqual({ released: true, agentId: 'agent03' });
    expect(h.assignments.slice(before)).toEqual([{ ticketId: head[0], agentId: 'agent03', via: 'auto' }]);
    expect((await h.service.agentState('agent03'))?.load.async).toBe(5);
    expect((await h.service.listQueue(TEAM, 1))[0]?.ticketId).toBe(head[1]);
    expect(await h.service.ticketState(victim?.ticketId ?? '')).toBeNull();
  });
});
