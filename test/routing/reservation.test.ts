import { agent, routingHarness, ticket, type RoutingHarness } from './fixtures/routing.fixture';

/**
 * Strategies rank from a snapshot that can be stale by the time the reservation runs
 * (another process, a status change). The Lua scripts are the authority: these tests hand
 * them candidates a fresh snapshot would never contain.
 */
describe('reservation scripts re-check everything', () => {
  let h: RoutingHarness;
  const TEAM = 'desk';

  beforeEach(async () => {
    h = routingHarness('reserve');
    await h.service.configureTeam({ teamId: TEAM, strategy: 'least-busy', autoAccept: { chat: false, async: true } });
    // The decliner is the only one online at first, is offered the ticket and declines it.
    await h.service.upsertAgent(agent('decliner', [TEAM], { chat: 2 }));
    await h.service.setStatus('decliner', 'online');
    await h.service.enqueue(ticket('t', TEAM));
    expect(await h.service.decline('t', 'decliner')).toBe(true);
    // Now nobody is assigned automatically while the stale candidates are lined up.
    await h.service.configureTeam({ teamId: TEAM, strategy: 'manual' });
    await h.service.upsertAgent(agent('off', [TEAM]));
    await h.service.upsertAgent(agent('away', [TEAM]));
    await h.service.upsertAgent(agent('full', [TEAM], { chat: 1 }));
    await h.service.upsertAgent(agent('outsider', ['elsewhere']));
    await h.service.upsertAgent(agent('ok', [TEAM]));
    for (const id of ['away', 'full', 'outsider', 'ok']) await h.service.setStatus(id, 'online');
    await h.service.setStatus('away', 'away');
    await h.service.enqueue(ticket('filler', TEAM, { since: h.clock.now + 1 }));
    expect(await h.service.pick('filler', 'full')).toEqual({ ok: true });
  });
  afterEach(() => h.close());

  const reserve = (candidates: string[]) => h.service.store.reserve('t', candidates, 'assign', h.clock.now, h.clock.now + 30_000, 'offer-x');

  it.each(['off', 'away', 'full', 'outsider', 'decliner', 'nobody'])('refuses %s', async (who) => {
    expect(await reserve([who])).toEqual({ status: 'no_agent' });
    expect(await h.service.ticketState('t')).toMatchObject({ state: 'queued', agentId: null });
  });

  it('walks past every stale candidate to the first valid one, once', async () => {
    expect(await reserve(['off', 'away', 'full', 'outsider', 'decliner', 'ok'])).toEqual({ status: 'reserved', agentId: 'ok', state: 'assigned' });
    expect(await h.service.listQueue(TEAM)).toEqual([]);
    expect(await reserve(['ok'])).toEqual({ status: 'not_queued', state: 'assigned' });
  });

  it('concurrent reservations of one ticket: exactly one wins', async () => {
    await h.service.upsertAgent(agent('ok2', [TEAM]));
    await h.service.setStatus('ok2', 'online');
    const results = await Promise.all([reserve(['ok']), reserve(['ok2']), reserve(['ok2', 'ok']), reserve(['ok', 'ok2'])]);
    expect(results.filter((r) => r.status === 'reserved')).toHaveLength(1);
    const loads = [(await h.service.agentState('ok'))?.load.chat, (await h.service.agentState('ok2'))?.load.chat];
    expect(loads.sort()).toEqual([0, 1]);
  });

  it('agent side: skips taken and declined tickets and takes the first it may', async () => {
    await h.service.enqueue(ticket('u', TEAM, { since: h.clock.now + 2 }));
    const cand = (ticketId: string) => ({ ticketId, mode: 'assign' as const, offerExpiresAt: 0, offerId: '' });
    // "filler" is assigned already; "t" was declined by this agent.
    expect(await h.service.store.reserveForAgent('decliner', [cand('filler'), cand('t'), cand('u')], h.clock.now)).toMatchObject({ status: 'reserved', ticketId: 'u' });
    expect(await h.service.store.reserveForAgent('decliner', [cand('filler'), cand('t'), cand('u')], h.clock.now)).toEqual({ status: 'none', gone: 2 });
    expect(await h.service.store.reserveForAgent('off', [cand('t')], h.clock.now)).toEqual({ status: 'none', gone: 0 });
    expect(await h.service.store.reserveForAgent('ok', [cand('t')], h.clock.now)).toMatchObject({ status: 'reserved', ticketId: 't' });
  });
});
