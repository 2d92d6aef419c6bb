import { until } from '../support/process';
import { agent, routingHarness, ticket, type RoutingHarness } from './fixtures/routing.fixture';

const TEAM = 'chat';

async function setup(tag: string, opts: Parameters<typeof routingHarness>[1] = {}, offerTimeoutMs = 30_000): Promise<RoutingHarness> {
  const h = routingHarness(tag, opts);
  await h.service.configureTeam({ teamId: TEAM, strategy: 'least-busy', offerTimeoutMs, autoAccept: { chat: false, async: true } });
  for (const id of ['a1', 'a2', 'a3']) {
    await h.service.upsertAgent(agent(id, [TEAM], { chat: 2 }));
    await h.service.setStatus(id, 'online');
  }
  return h;
}

describe('offers', () => {
  let h: RoutingHarness;
  afterEach(() => h.close());

  it('an expired offer goes to the next agent (who missed it cools down), a declined one too, never back to a decliner', async () => {
    h = await setup('offer_next');
    const r = await h.service.enqueue(ticket('t1', TEAM));
    expect(r).toMatchObject({ state: 'offered', agentId: 'a1' });
    expect(h.ofType('routing.offered')).toEqual([expect.objectContaining({ ticketId: 't1', agentId: 'a1', expiresAt: new Date(h.clock.now + 30_000).toISOString() })]);
    expect((await h.service.agentState('a1'))?.load.chat).toBe(1);

    // Not yet expired: nothing moves.
    h.advance(29_000);
    await h.service.tick();
    expect(await h.service.ticketState('t1')).toMatchObject({ state: 'offered', agentId: 'a1' });

    h.advance(2_000);
    await h.service.tick();
    expect(h.ofType('routing.offer_expired')).toEqual([expect.objectContaining({ ticketId: 't1', agentId: 'a1' })]);
    expect(await h.service.ticketState('t1')).toMatchObject({ state: 'offered', agentId: 'a2' });
    expect((await h.service.agentState('a1'))?.load.chat).toBe(0);

    // a2 declines: a3 is next (a1 let it expire and is cooling down, so a1 is skipped although least busy).
    expect(await h.service.decline('t1', 'a2')).toBe(true);
    expect(h.ofType('routing.offer_declined')).toEqual([expect.objectContaining({ ticketId: 't1', agentId: 'a2' })]);
    expect(await h.service.ticketState('t1')).toMatchObject({ state: 'offered', agentId: 'a3' });

    // a3 declines too: a1 is still cooling down, so it waits in the queue.
    expect(await h.service.decline('t1', 'a3')).toBe(true);
    expect(await h.service.ticketState('t1')).toMatchObject({ state: 'queued', agentId: null });
    expect(h.ofType('routing.offered').map((e) => e.agentId)).toEqual(['a1', 'a2', 'a3']);
    for (const id of ['a1', 'a2', 'a3']) expect((await h.service.agentState(id))?.load.chat).toBe(0);
    const queued = h.ofType('routing.queued').at(-1);
    expect(queued).toMatchObject({ ticketId: 't1', reason: 'declined', position: 1, queueLength: 1 });
    // a1 only missed it, so the ticket is not given up on: no flag for supervisors.
    expect(h.ofType('routing.needs_attention')).toEqual([]);

    // A decline by someone who does not hold the offer changes nothing.
    expect(await h.service.decline('t1', 'a1')).toBe(false);
    // An agent can still pick it up by hand.
    expect(await h.service.pick('t1', 'a2')).toEqual({ ok: true });
    expect(h.assignments).toEqual([{ ticketId: 't1', agentId: 'a2', via: 'pick' }]);
  });

  it('accept assigns and persists; a late or foreign accept is refused', async () => {
    h = await setup('offer_accept');
    await h.service.enqueue(ticket('t1', TEAM));
    await h.service.enqueue(ticket('t2', TEAM, { since: h.clock.now + 1 }));
    expect(await h.service.ticketState('t2')).toMatchObject({ state: 'offered', agentId: 'a2' });
    expect(await h.service.accept('t1', 'a2')).toEqual({ ok: false, reason: 'not_offered' });
    expect(await h.service.accept('t1', 'a1')).toEqual({ ok: true });
    expect(h.assignments).toEqual([{ ticketId: 't1', agentId: 'a1', via: 'accept' }]);
    expect(h.ofType('routing.assigned')).toEqual([expect.objectContaining({ ticketId: 't1', agentId: 'a1', via: 'accept' })]);
    expect(await h.service.ticketState('t1')).toMatchObject({ state: 'assigned', agentId: 'a1' });
    expect((await h.service.agentState('a1'))?.load.chat).toBe(1);

    h.advance(30_001);
    expect(await h.service.accept('t2', 'a2')).toEqual({ ok: false, reason: 'expired' });
    await h.service.tick();
    // The accepted chat is not touched by the sweep; t2 moved on to a3.
    expect(await h.service.ticketState('t1')).toMatchObject({ state: 'assigned', agentId: 'a1' });
    expect(await h.service.ticketState('t2')).toMatchObject({ state: 'offered', agentId: 'a3' });
  });

  it('async channels auto-accept by default', async () => {
    h = await setup('offer_async');
    const r = await h.service.enqueue(ticket('e1', TEAM, { channel: 'email' }));
    expect(r).toMatchObject({ state: 'assigned', agentId: 'a1' });
    expect(h.ofType('routing.offered')).toHaveLength(0);
    expect(h.assignments).toEqual([{ ticketId: 'e1', agentId: 'a1', via: 'auto' }]);
    expect((await h.service.agentState('a1'))?.load).toEqual({ chat: 0, async: 1 });
  });

  it('the sweeper expires offers on its own', async () => {
    h = routingHarness('offer_sweeper', { now: Date.now });
    await h.service.configureTeam({ teamId: TEAM, offerTimeoutMs: 200 });
    for (const id of ['a1', 'a2']) {
      await h.service.upsertAgent(agent(id, [TEAM]));
      await h.service.setStatus(id, 'online');
    }
    await h.service.enqueue(ticket('t1', TEAM, { since: Date.now() }));
    h.service.start({ intervalMs: 50 });
    await until(async () => h.ofType('routing.offered').length, (n) => n >= 2, 10_000, 20);
    expect(h.ofType('routing.offer_expired')[0]).toMatchObject({ ticketId: 't1', agentId: 'a1' });
    expect(h.ofType('routing.offered').map((e) => e.agentId).slice(0, 2)).toEqual(['a1', 'a2']);
  });
});

describe('missed offers and declines', () => {
  let h: RoutingHarness;
  afterEach(() => h.close());

  async function oneAgentTeam(tag: string): Promise<RoutingHarness> {
    const harness = routingHarness(tag);
    await harness.service.configureTeam({ teamId: TEAM, offerTimeoutMs: 10_000, missedOfferCooldownMs: 20_000, autoAccept: { chat: false, async: true } });
    await harness.service.upsertAgent(agent('solo', [TEAM], { chat: 2 }));
    await harness.service.setStatus('solo', 'online');
    return harness;
  }
  const flag = (harness: RoutingHarness) => harness.redis.hget(`${harness.prefix}:rt:ticket:t1`, 'needsAttention');

  it('the only agent lets the offer expire: not offered during the cool-down, offered to them again after it', async () => {
    h = await oneAgentTeam('missed_cooldown');
    expect(await h.service.teamConfig(TEAM)).toMatchObject({ offerTimeoutMs: 10_000, missedOfferCooldownMs: 20_000 });
    await h.service.enqueue(ticket('t1', TEAM));
    expect(await h.service.ticketState('t1')).toMatchObject({ state: 'offered', agentId: 'solo' });

    h.advance(10_001);
    await h.service.tick();
    expect(h.ofType('routing.offer_expired')).toEqual([expect.objectContaining({ ticketId: 't1', agentId: 'solo' })]);
    expect(await h.service.ticketState('t1')).toMatchObject({ state: 'queued', agentId: null });
    // Missing it is not declining it.
    expect((await h.service.listQueue(TEAM))[0]).toMatchObject({ ticketId: 't1', declinedBy: [], coolingDown: ['solo'] });
    expect((await h.service.agentState('solo'))?.load.chat).toBe(0);

    // During the cool-down nothing offers it to them: not the sweep, not a free slot, not a drain.
    h.advance(19_000);
    await h.service.tick();
    await h.service.setStatus('solo', 'online');
    await h.service.drainTeam(TEAM);
    expect(await h.service.ticketState('t1')).toMatchObject({ state: 'queued' });
    expect(h.ofType('routing.offered').map((e) => e.agentId)).toEqual(['solo']);

    // The cool-down ends: the sweep routes the queue again and the same agent gets it.
    h.advance(1_000);
    await h.service.tick();
    expect(await h.service.ticketState('t1')).toMatchObject({ state: 'offered', agentId: 'solo' });
    expect(h.ofType('routing.offered').map((e) => e.agentId)).toEqual(['solo', 'solo']);
    expect((await h.service.agentState('solo'))?.offers).toEqual(['t1']);
    expect(await h.service.accept('t1', 'solo')).toEqual({ ok: true });
    expect(h.ofType('routing.needs_attention')).toEqual([]);
  });

  it('a decline is remembered; once every eligible agent declined, the ticket is flagged for supervisors until assigned', async () => {
    h = await oneAgentTeam('declined_all');
    await h.service.enqueue(ticket('t1', TEAM));
    expect(await h.service.decline('t1', 'solo')).toBe(true);
    expect(await h.service.ticketState('t1')).toMatchObject({ state: 'queued' });

    // Never offered back to who declined, however long it waits.
    h.advance(120_000);
    await h.service.tick();
    expect(await h.service.ticketState('t1')).toMatchObject({ state: 'queued' });
    expect(h.ofType('routing.offered')).toHaveLength(1);

    // The only online agent declined: nobody will take it.
    expect(h.ofType('routing.needs_attention')).toEqual([expect.objectContaining({ ticketId: 't1', teamId: TEAM, reason: 'all_declined', declinedBy: ['solo'] })]);
    expect(h.attention).toEqual([{ ticketId: 't1', reason: 'all_declined', declinedBy: ['solo'] }]);
    expect(await h.service.queuePosition('t1')).toMatchObject({ state: 'queued', needsAttention: 'all_declined' });

    // A colleague coming online is offered it; they decline too: flagged once, not twice.
    await h.service.upsertAgent(agent('late', [TEAM]));
    await h.service.setStatus('late', 'online');
    expect(await h.service.ticketState('t1')).toMatchObject({ state: 'offered', agentId: 'late' });
    expect(await h.service.decline('t1', 'late')).toBe(true);
    expect(h.ofType('routing.needs_attention')).toHaveLength(1);

    // A supervisor assigns it: the flag is gone.
    expect(await h.service.assignManually({ ticketId: 't1', agentId: 'solo', actorId: 'sup', note: 'please take it' })).toEqual({ ok: true });
    expect(await flag(h)).toBeNull();
    expect(await h.service.ticketState('t1')).toMatchObject({ state: 'assigned', agentId: 'solo' });
  });

  it('not flagged while an eligible agent has not declined (busy or cooling down); an unqualified one does not count', async () => {
    h = routingHarness('declined_some');
    await h.service.configureTeam({ teamId: TEAM, strategy: 'skills-based', offerTimeoutMs: 10_000, missedOfferCooldownMs: 20_000, autoAccept: { chat: false, async: true } });
    await h.service.upsertAgent(agent('a1', [TEAM]));
    await h.service.upsertAgent(agent('busy', [TEAM], { chat: 1 }));
    await h.service.upsertAgent(agent('zh-only', [TEAM], {}, { languages: ['zh'] }));
    await h.service.setStatus('busy', 'online');
    await h.service.enqueue(ticket('c0', TEAM, { since: h.clock.now - 1 }));
    await h.service.accept('c0', 'busy');
    for (const id of ['a1', 'zh-only']) await h.service.setStatus(id, 'online');

    await h.service.enqueue(ticket('t1', TEAM));
    expect(await h.service.ticketState('t1')).toMatchObject({ state: 'offered', agentId: 'a1' });
    expect(await h.service.decline('t1', 'a1')).toBe(true);
    // busy has not declined it (they are full), so it is not given up on.
    expect(h.ofType('routing.needs_attention')).toEqual([]);
    expect(await flag(h)).toBeNull();

    // busy frees up, is offered it and lets it expire: cooling down, still not a decline.
    await h.service.release('c0', 'resolved');
    expect(await h.service.ticketState('t1')).toMatchObject({ state: 'offered', agentId: 'busy' });
    h.advance(10_001);
    await h.service.tick();
    expect(h.ofType('routing.needs_attention')).toEqual([]);

    // After the cool-down busy gets it again and declines: every qualified agent declined
    // (zh-only does not speak the ticket's language and does not count).
    h.advance(20_000);
    await h.service.tick();
    expect(await h.service.ticketState('t1')).toMatchObject({ state: 'offered', agentId: 'busy' });
    expect(await h.service.decline('t1', 'busy')).toBe(true);
    expect(h.ofType('routing.needs_attention')).toEqual([expect.objectContaining({ ticketId: 't1', reason: 'all_declined', declinedBy: ['a1', 'busy'] })]);
    expect(await flag(h)).toBe('all_declined');
  });
});

describe('presence', () => {
  let h: RoutingHarness;
  afterEach(() => h.close());

  it('a disconnect becomes away after the grace period and returns unaccepted offers', async () => {
    // Offers last longer than the grace period here, so only the disconnect moves them.
    h = await setup('presence_grace', { disconnectGraceMs: 60_000 }, 600_000);
    await h.service.enqueue(ticket('t1', TEAM));
    await h.service.enqueue(ticket('t2', TEAM, { since: h.clock.now + 1 }));
    await h.service.enqueue(ticket('t3', TEAM, { since: h.clock.now + 2 }));
    await h.service.enqueue(ticket('t4', TEAM, { since: h.clock.now + 3 }));
    expect((await h.service.agentState('a1'))?.offers.sort()).toEqual(['t1', 't4']);
    await h.service.accept('t4', 'a1');

    await h.service.disconnected('a1');
    h.advance(59_000);
    await h.service.tick();
    expect((await h.service.agentState('a1'))?.status).toBe('online');

    // Reconnecting cancels the grace period.
    await h.service.connected('a1');
    h.advance(5_000);
    await h.service.tick();
    expect((await h.service.agentState('a1'))?.status).toBe('online');

    await h.service.disconnected('a1');
    h.advance(60_000);
    await h.service.tick();
    const s = await h.service.agentState('a1');
    expect(s?.status).toBe('away');
    expect(h.ofType('agent.presence').at(-1)).toMatchObject({ agentId: 'a1', status: 'away', previous: 'online', reason: 'disconnect' });
    // The unaccepted offer went back and on to someone else; the accepted chat stayed.
    expect(s?.offers).toEqual([]);
    expect(s?.tickets.chat).toEqual(['t4']);
    expect(h.ofType('routing.unassigned')).toEqual([expect.objectContaining({ ticketId: 't1', agentId: 'a1', wasAccepted: false })]);
    const t1 = await h.service.ticketState('t1');
    expect(t1?.state).toBe('offered');
    expect(['a2', 'a3']).toContain(t1?.agentId);
    expect(h.unassignments).toEqual([]);
  });

  it('going offline returns offers, and (configured) open chats too', async () => {
    h = await setup('presence_offline', { requeueOpenChatsOnOffline: true });
    // Only a1 can work for now.
    await h.service.setStatus('a2', 'away');
    await h.service.setStatus('a3', 'offline');
    await h.service.enqueue(ticket('t1', TEAM));
    await h.service.enqueue(ticket('t2', TEAM, { since: h.clock.now + 1 }));
    await h.service.enqueue(ticket('t3', TEAM, { since: h.clock.now + 2 }));
    expect(await h.service.accept('t1', 'a1')).toEqual({ ok: true });
    expect((await h.service.listQueue(TEAM)).map((t) => t.ticketId)).toEqual(['t3']);

    await h.service.setStatus('a1', 'offline');
    expect((await h.service.agentState('a1'))?.load.chat).toBe(0);
    expect((await h.service.listQueue(TEAM)).map((t) => t.ticketId)).toEqual(['t1', 't2', 't3']);
    expect(h.unassignments).toEqual([{ ticketId: 't1', agentId: 'a1', reason: 'agent_unavailable' }]);
    expect(h.ofType('routing.unassigned').map((e) => [e.ticketId, e.wasAccepted])).toEqual(
      expect.arrayContaining([
        ['t1', true],
        ['t2', false],
      ]),
    );

    // Coming online, a2 gets the head of the queue at once.
    await h.service.setStatus('a2', 'online');
    expect(await h.service.ticketState('t1')).toMatchObject({ state: 'offered', agentId: 'a2' });
    expect(await h.service.ticketState('t2')).toMatchObject({ state: 'offered', agentId: 'a2' });
    expect(await h.service.ticketState('t3')).toMatchObject({ state: 'queued' });
  });

  it('without the option, going offline keeps open chats with their agent', async () => {
    h = await setup('presence_keep');
    await h.service.enqueue(ticket('t1', TEAM));
    await h.service.accept('t1', 'a1');
    await h.service.setStatus('a1', 'offline');
    expect(await h.service.ticketState('t1')).toMatchObject({ state: 'assigned', agentId: 'a1' });
    expect(await h.service.setStatus('nobody', 'online')).toBeNull();
  });
});
