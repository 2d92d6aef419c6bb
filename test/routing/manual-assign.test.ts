import { createRoutingClaims } from '../../src/routing/routing-claims';
import { agent, routingHarness, ticket, type RoutingHarness } from './fixtures/routing.fixture';

/**
 * A person's decision (a take, a supervisor's assignment) is recorded by routing and counted
 * against the agent even above their limit; automatic routing then gives that agent nothing
 * until they are below their limit again.
 */
describe('manual assignments count against capacity', () => {
  let h: RoutingHarness;
  const at = (i: number) => ({ since: h.clock.now + i, channel: 'email' as const });

  beforeEach(async () => {
    h = routingHarness('manual-assign');
    await h.service.configureTeam({ teamId: 'support', strategy: 'least-busy', autoAccept: { chat: true, async: true } });
    await h.service.upsertAgent(agent('busy', ['support'], { async: 2 }));
    await h.service.setStatus('busy', 'online');
  });
  afterEach(() => h.close());

  it('overloads an agent at their limit, keeps automatic routing away until they are below it again', async () => {
    await h.service.enqueue(ticket('t1', 'support', at(1)));
    await h.service.enqueue(ticket('t2', 'support', at(2)));
    await h.service.enqueue(ticket('t3', 'support', at(3)));
    expect((await h.service.agentState('busy'))?.load.async).toBe(2);
    expect(await h.service.ticketState('t3')).toMatchObject({ state: 'queued' });

    // A supervisor assigns the queued t3 to the full agent anyway.
    await expect(h.service.assignManually({ ticketId: 't3', agentId: 'busy', actorId: 'sup', note: 'assigned' })).resolves.toEqual({ ok: true });
    const s = await h.service.agentState('busy');
    expect(s?.load.async).toBe(3);
    expect(s?.tickets.async.sort()).toEqual(['t1', 't2', 't3']);
    expect(await h.service.ticketState('t3')).toMatchObject({ state: 'assigned', agentId: 'busy' });
    expect(h.assignments.at(-1)).toEqual({ ticketId: 't3', agentId: 'busy', via: 'manual' });
    expect(h.ofType('routing.assigned').at(-1)).toMatchObject({ ticketId: 't3', agentId: 'busy', via: 'manual' });
    expect(await h.service.listQueue('support')).toEqual([]);

    // New work waits: the agent is above their limit.
    await h.service.enqueue(ticket('t4', 'support', at(4)));
    await h.service.enqueue(ticket('t5', 'support', at(5)));
    expect(await h.service.ticketState('t4')).toMatchObject({ state: 'queued' });
    // One resolved: back at the limit, still nothing new.
    await h.service.release('t1', 'resolved');
    expect((await h.service.agentState('busy'))?.load.async).toBe(2);
    expect(await h.service.ticketState('t4')).toMatchObject({ state: 'queued' });
    // Two resolved: below the limit, the head of the queue comes.
    await h.service.release('t2', 'resolved');
    expect(await h.service.ticketState('t4')).toMatchObject({ state: 'assigned', agentId: 'busy' });
    expect(await h.service.ticketState('t5')).toMatchObject({ state: 'queued' });
    expect((await h.service.agentState('busy'))?.load.async).toBe(2);
  });

  it('counts a take by an away agent and a handover of a ticket someone else holds', async () => {
    await h.service.upsertAgent(agent('other', ['support'], { async: 1 }));
    await h.service.setStatus('other', 'online');
    await h.service.enqueue(ticket('t1', 'support', at(1)));
    await h.service.enqueue(ticket('t2', 'support', at(2)));
    await h.service.enqueue(ticket('t3', 'support', at(3)));
    // busy has t1 and t3 (least busy first), other has t2.
    expect(await h.service.ticketState('t2')).toMatchObject({ agentId: 'other' });
    await h.service.setStatus('busy', 'away');

    // The away, full agent is handed t2: it moves with its capacity; other gets the next ticket.
    await h.service.enqueue(ticket('t4', 'support', at(4)));
    await expect(h.service.assignManually({ ticketId: 't2', agentId: 'busy', actorId: 'sup', note: 'reassigned' })).resolves.toEqual({ ok: true });
    expect((await h.service.agentState('busy'))?.load.async).toBe(3);
    expect(h.ofType('routing.transferred').at(-1)).toMatchObject({ ticketId: 't2', fromAgentId: 'other', toAgentId: 'busy', note: 'reassigned', actorId: 'sup' });
    expect(await h.service.ticketState('t4')).toMatchObject({ state: 'assigned', agentId: 'other' });

    // Already theirs: nothing changes; unknown tickets and agents are refused.
    await expect(h.service.assignManually({ ticketId: 't2', agentId: 'busy', actorId: 'sup', note: '' })).resolves.toEqual({ ok: true });
    expect((await h.service.agentState('busy'))?.load.async).toBe(3);
    await expect(h.service.assignManually({ ticketId: 'nope', agentId: 'busy', actorId: 'sup', note: '' })).resolves.toEqual({ ok: false, reason: 'unknown' });
    await h.service.enqueue(ticket('t5', 'support', at(5)));
    await expect(h.service.assignManually({ ticketId: 't5', agentId: 'stranger', actorId: 'sup', note: '' })).resolves.toEqual({ ok: false, reason: 'unknown_agent' });
    expect(await h.service.ticketState('t5')).toMatchObject({ state: 'queued' });
  });

  it('claims: an agent at their limit taking a queued ticket is counted through routing, not honoured outside it', async () => {
    const claim = createRoutingClaims(h.service);
    await h.service.enqueue(ticket('t1', 'support', at(1)));
    await h.service.enqueue(ticket('t2', 'support', at(2)));
    await h.service.enqueue(ticket('t3', 'support', at(3)));
    await expect(claim('t3', 'busy', 'busy', 'taken', null)).resolves.toBe('claimed');
    expect(await h.service.ticketState('t3')).toMatchObject({ state: 'assigned', agentId: 'busy' });
    expect((await h.service.agentState('busy'))?.load.async).toBe(3);
    expect(h.ofType('routing.released')).toEqual([]);
    // An owner routing does not know: routing lets go, the caller assigns directly.
    await h.service.enqueue(ticket('t4', 'support', at(4)));
    await expect(claim('t4', 'admin-without-team', 'admin-without-team', 'taken', null)).resolves.toBe('direct');
    expect(await h.service.ticketState('t4')).toBeNull();
  });

  it('claims: two agents taking the same ticket at once, away and full alike: the first wins, the other is a conflict', async () => {
    const claim = createRoutingClaims(h.service);
    // Nobody takes work automatically: x and y are away with no async slot.
    await h.service.setStatus('busy', 'away');
    for (const id of ['x', 'y']) {
      await h.service.upsertAgent(agent(id, ['support'], { async: 0 }));
      await h.service.setStatus(id, 'away');
    }
    for (let round = 0; round < 10; round++) {
      const tid = `race-${round}`;
      await h.service.enqueue(ticket(tid, 'support', at(10 + round)));
      const [forX, forY] = await Promise.all([claim(tid, 'x', 'x', 'taken', null), claim(tid, 'y', 'y', 'taken', null)]);
      expect([forX, forY].sort()).toEqual(['claimed', 'conflict']);
      const [winner, loser] = forX === 'claimed' ? ['x', 'y'] : ['y', 'x'];
      expect(await h.service.ticketState(tid)).toMatchObject({ state: 'assigned', agentId: winner });
      expect((await h.service.agentState(winner!))?.tickets.async).toContain(tid);
      expect((await h.service.agentState(loser!))?.tickets.async).not.toContain(tid);
    }
    // A supervisor who saw nobody holding it is refused; one who saw its holder hands it over.
    const holder = (await h.service.ticketState('race-0'))!.agentId!;
    const other = holder === 'x' ? 'y' : 'x';
    await expect(claim('race-0', other, 'sup', 'assigned', null)).resolves.toBe('conflict');
    await expect(claim('race-0', other, 'sup', 'assigned', holder)).resolves.toBe('claimed');
    expect(await h.service.ticketState('race-0')).toMatchObject({ agentId: other });
  });
});
