import type { QueueRules } from '../../src/routing/queue.selector';
import { customerTier } from '../../src/routing/routing.service';
import { agent, routingHarness, ticket, type RoutingHarness } from './fixtures/routing.fixture';

describe('routing service operations', () => {
  let h: RoutingHarness;
  afterEach(() => h.close());

  it('route() joins the queue the rules pick, with the rule’s required skills', async () => {
    const rules: QueueRules = {
      rules: [{ id: 'zh', languages: ['zh'], teamId: 'zh-team', requiredSkills: ['mandarin'] }],
      fallback: { teamId: 'general' },
    };
    h = routingHarness('route', { rules });
    await h.service.configureTeam({ teamId: 'zh-team', strategy: 'skills-based', autoAccept: { chat: true, async: true } });
    await h.service.upsertAgent(agent('zh-no-skill', ['zh-team'], {}, { languages: ['zh'] }));
    await h.service.setStatus('zh-no-skill', 'online');
    const base = { ...ticket('r1', 'ignored', { language: 'zh' }) };
    const { teamId: _t, requiredSkills: _s, ...rest } = base;
    const r = await h.service.route({ ...rest, facts: { channel: 'webchat', type: 'care', priority: 'normal', language: 'zh-CN', tier: 'none', text: '你好' } });
    expect(r).toEqual({ ticketId: 'r1', teamId: 'zh-team', state: 'queued', agentId: null });
    expect((await h.service.listQueue('zh-team'))[0]?.requiredSkills).toEqual(['mandarin']);
    const r2 = await h.service.route({ ...rest, ticketId: 'r2', facts: { channel: 'email', type: 'care', priority: 'normal', language: 'en', tier: 'none', text: 'hi' } });
    expect(r2.teamId).toBe('general');
    // Enqueueing the same ticket again is a no-op that reports where it is.
    expect(await h.service.enqueue({ ...base, teamId: 'zh-team', requiredSkills: ['mandarin'] })).toEqual(r);
    expect(h.ofType('routing.queued').filter((e) => e.ticketId === 'r1')).toHaveLength(1);
  });

  it('reprioritize moves a queued ticket ahead; reassign takes it from its agent for someone else', async () => {
    h = routingHarness('reassign');
    const team = 'ops';
    await h.service.configureTeam({ teamId: team, autoAccept: { chat: true, async: true } });
    for (let i = 0; i < 3; i++) await h.service.enqueue(ticket(`q${i}`, team, { priority: 'low', since: h.clock.now + i }));
    expect(await h.service.reprioritize('q2', 'urgent')).toBe(true);
    expect((await h.service.listQueue(team)).map((t) => t.ticketId)).toEqual(['q2', 'q0', 'q1']);
    expect(await h.service.reprioritize('missing', 'urgent')).toBe(false);

    await h.service.upsertAgent(agent('slow', [team], { chat: 1 }));
    await h.service.setStatus('slow', 'online');
    expect(await h.service.ticketState('q2')).toMatchObject({ state: 'assigned', agentId: 'slow' });
    await h.service.upsertAgent(agent('spare', [team], { chat: 3 }));
    await h.service.setStatus('spare', 'online');
    // spare took q0 and q1 on coming online.
    expect((await h.service.agentState('spare'))?.load.chat).toBe(2);

    expect(await h.service.reassign('q2')).toBe(true);
    expect(await h.service.ticketState('q2')).toMatchObject({ state: 'assigned', agentId: 'spare' });
    expect(h.unassignments).toEqual([{ ticketId: 'q2', agentId: 'slow', reason: 'reassigned' }]);
    expect(h.ofType('routing.unassigned')).toEqual([expect.objectContaining({ ticketId: 'q2', agentId: 'slow', wasAccepted: true, reason: 'reassigned' })]);
    // Not offered back to the agent it was taken from, even with a free slot.
    expect((await h.service.agentState('slow'))?.load.chat).toBe(0);
    expect(await h.service.reassign('nope')).toBe(false);
  });

  it('syncAgents registers the loader’s profiles; removeAgent takes one out of routing', async () => {
    h = routingHarness('sync', {
      agentLoader: async () => [agent('l1', ['a', 'b'], { chat: 4 }, { skills: ['x'] }), agent('l2', ['b'])],
    });
    expect(await h.service.syncAgents()).toBe(2);
    expect(await h.service.agentState('l1')).toMatchObject({ status: 'offline', teams: ['a', 'b'], skills: ['x'], limits: { chat: 4, async: 5 } });
    // Moving l1 out of team a: it no longer gets team a's work.
    await h.service.upsertAgent(agent('l1', ['b'], { chat: 4 }));
    await h.service.setStatus('l1', 'online');
    await h.service.enqueue(ticket('a1', 'a', { channel: 'email' }));
    expect(await h.service.ticketState('a1')).toMatchObject({ state: 'queued' });
    await h.service.enqueue(ticket('b1', 'b', { channel: 'email' }));
    expect(await h.service.ticketState('b1')).toMatchObject({ state: 'assigned', agentId: 'l1' });

    // Raising l1's limit gives it more of team b's queue at once.
    await h.service.upsertAgent(agent('l1', ['b'], { chat: 4, async: 0 }));
    await h.service.enqueue(ticket('b3', 'b', { channel: 'email' }));
    expect(await h.service.ticketState('b3')).toMatchObject({ state: 'queued' });
    await h.service.upsertAgent(agent('l1', ['b'], { chat: 4, async: 2 }));
    expect(await h.service.ticketState('b3')).toMatchObject({ state: 'assigned', agentId: 'l1' });

    await h.service.removeAgent('l1');
    expect(await h.service.agentState('l1')).toMatchObject({ status: 'offline', teams: [] });
    await h.service.enqueue(ticket('b2', 'b', { channel: 'email' }));
    expect(await h.service.ticketState('b2')).toMatchObject({ state: 'queued' });
    expect(await h.service.teamConfig('zzz')).toEqual({ teamId: 'zzz', strategy: 'least-busy', offerTimeoutMs: 30_000, missedOfferCooldownMs: 45_000, autoAccept: { chat: false, async: true } });
  });
});

test('contact tiers map to routing tiers', () => {
  expect([customerTier('gold'), customerTier(null), customerTier('diamond')]).toEqual(['gold', 'none', 'none']);
});
