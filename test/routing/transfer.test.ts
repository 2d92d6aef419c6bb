import { agent, routingHarness, ticket, type RoutingHarness } from './fixtures/routing.fixture';

describe('transfer', () => {
  let h: RoutingHarness;
  beforeEach(async () => {
    h = routingHarness('transfer');
    await h.service.configureTeam({ teamId: 'tier1', strategy: 'least-busy', autoAccept: { chat: true, async: true } });
    await h.service.configureTeam({ teamId: 'tier2', strategy: 'least-busy', autoAccept: { chat: true, async: true } });
    await h.service.upsertAgent(agent('a1', ['tier1'], { chat: 1 }));
    await h.service.upsertAgent(agent('a2', ['tier1'], { chat: 1 }));
    await h.service.upsertAgent(agent('expert', ['tier2'], { chat: 2 }));
    for (const id of ['a1', 'a2', 'expert']) await h.service.setStatus(id, 'online');
  });
  afterEach(() => h.close());

  it('agent → agent moves the ticket and its capacity, records the note, emits an event', async () => {
    await h.service.enqueue(ticket('t1', 'tier1'));
    expect(await h.service.ticketState('t1')).toMatchObject({ agentId: 'a1' });
    const r = await h.service.transfer({ ticketId: 't1', fromAgentId: 'a1', to: { agentId: 'expert' }, note: 'needs a refund decision', actorId: 'a1' });
    expect(r).toEqual({ ok: true, state: 'assigned', agentId: 'expert', teamId: 'tier1' });
    expect((await h.service.agentState('a1'))?.load.chat).toBe(0);
    expect((await h.service.agentState('expert'))?.load.chat).toBe(1);
    expect(h.transfers).toEqual([{ ticketId: 't1', note: 'needs a refund decision', toAgentId: 'expert', toTeamId: 'tier1' }]);
    expect(h.assignments.at(-1)).toEqual({ ticketId: 't1', agentId: 'expert', via: 'transfer' });
    expect(h.ofType('routing.transferred')).toEqual([
      expect.objectContaining({ ticketId: 't1', fromAgentId: 'a1', toAgentId: 'expert', note: 'needs a refund decision', actorId: 'a1' }),
    ]);
  });

  it('agent → agent is refused when the target is full, offline, or the sender does not hold it', async () => {
    await h.service.enqueue(ticket('t1', 'tier1'));
    await h.service.enqueue(ticket('t2', 'tier1', { since: h.clock.now + 1 }));
    expect(await h.service.transfer({ ticketId: 't1', fromAgentId: 'a1', to: { agentId: 'a2' }, note: '', actorId: null })).toEqual({ ok: false, reason: 'target_full' });
    expect(await h.service.transfer({ ticketId: 't1', fromAgentId: 'a2', to: { agentId: 'expert' }, note: '', actorId: null })).toEqual({ ok: false, reason: 'not_holder' });
    await h.service.setStatus('expert', 'offline');
    expect(await h.service.transfer({ ticketId: 't1', fromAgentId: 'a1', to: { agentId: 'expert' }, note: '', actorId: null })).toEqual({ ok: false, reason: 'target_unavailable' });
    expect(await h.service.ticketState('t1')).toMatchObject({ agentId: 'a1' });
    expect(h.ofType('routing.transferred')).toEqual([]);
  });

  it('agent → team queues it there, frees the agent (who gets the next ticket) and never sends it back', async () => {
    await h.service.upsertAgent(agent('a1', ['tier1', 'tier2'], { chat: 1 }));
    await h.service.enqueue(ticket('t1', 'tier1'));
    await h.service.enqueue(ticket('t2', 'tier1', { since: h.clock.now + 1 }));
    await h.service.enqueue(ticket('t3', 'tier1', { since: h.clock.now + 2 }));
    expect(await h.service.ticketState('t1')).toMatchObject({ agentId: 'a1' });
    expect(await h.service.ticketState('t3')).toMatchObject({ state: 'queued' });
    await h.service.setStatus('expert', 'away');

    const r = await h.service.transfer({ ticketId: 't1', fromAgentId: 'a1', to: { teamId: 'tier2' }, note: 'escalating to tier 2', actorId: 'a1' });
    // Nobody in tier2 can take it but a1, who passed it on: it waits in tier2's queue.
    expect(r).toEqual({ ok: true, state: 'queued', agentId: null, teamId: 'tier2' });
    expect((await h.service.listQueue('tier2')).map((t) => t.ticketId)).toEqual(['t1']);
    // a1's freed slot went to the head of tier1's queue.
    expect(await h.service.ticketState('t3')).toMatchObject({ state: 'assigned', agentId: 'a1' });
    expect(h.unassignments).toEqual([{ ticketId: 't1', agentId: 'a1', reason: 'transferred' }]);
    expect(h.transfers).toEqual([{ ticketId: 't1', note: 'escalating to tier 2', toAgentId: null, toTeamId: 'tier2' }]);
    expect(h.ofType('routing.transferred')[0]).toMatchObject({ fromTeamId: 'tier1', toTeamId: 'tier2', toAgentId: null });

    await h.service.setStatus('expert', 'online');
    expect(await h.service.ticketState('t1')).toMatchObject({ state: 'assigned', agentId: 'expert', teamId: 'tier2' });
  });
});

describe('queue position and expected wait', () => {
  let h: RoutingHarness;
  afterEach(() => h.close());

  it('reports position, queue length and a wait estimate that follows capacity and handle times', async () => {
    h = routingHarness('position', { defaultHandleMs: { chat: 600_000, async: 3_600_000 } });
    const team = 'web';
    await h.service.configureTeam({ teamId: team, autoAccept: { chat: true, async: true } });
    await h.service.upsertAgent(agent('a1', [team], { chat: 2 }));
    for (let i = 0; i < 5; i++) await h.service.enqueue(ticket(`w${i}`, team, { since: h.clock.now + i }));
    // Nobody online: position known, wait unknown.
    expect(await h.service.queuePosition('w2')).toEqual({ ticketId: 'w2', teamId: team, state: 'queued', position: 3, queueLength: 5, expectedWaitMs: null, needsAttention: null });
    expect(h.ofType('routing.queued').map((e) => e.position)).toEqual([1, 2, 3, 4, 5]);

    await h.service.setStatus('a1', 'online');
    // w0, w1 assigned; w4 is now 3rd of 3; 2 slots × 10 min default handle → 3 × 600 000 / 2.
    expect(await h.service.queuePosition('w0')).toMatchObject({ state: 'assigned', position: 0, expectedWaitMs: 0 });
    expect(await h.service.queuePosition('w4')).toMatchObject({ position: 3, queueLength: 3, expectedWaitMs: 900_000 });

    // Real handle times replace the default once there are enough of them (median of 1 min).
    for (let i = 0; i < 6; i++) {
      // Release the chat assigned last: it was held exactly one minute.
      const held = new Set((await h.service.agentState('a1'))?.tickets.chat ?? []);
      const latest = [...h.assignments].reverse().find((a) => held.has(a.ticketId));
      h.advance(60_000);
      await h.service.release(latest?.ticketId ?? '', 'resolved');
      await h.service.enqueue(ticket(`x${i}`, team, { since: h.clock.now }));
    }
    const last = (await h.service.listQueue(team)).at(-1);
    const pos = await h.service.queuePosition(last?.ticketId ?? '');
    expect(pos?.position).toBe(3);
    expect(pos?.expectedWaitMs).toBe((3 * 60_000) / 2);
    expect(await h.service.queuePosition('nope')).toBeNull();
  });
});
