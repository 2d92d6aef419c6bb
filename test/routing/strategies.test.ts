import type { AgentSnapshot, QueuedTicket } from '../../src/routing/routing.types';
import { leastBusy } from '../../src/routing/strategies/least-busy.strategy';
import { manual } from '../../src/routing/strategies/manual.strategy';
import { roundRobin } from '../../src/routing/strategies/round-robin.strategy';
import { skillsBased } from '../../src/routing/strategies/skills-based.strategy';
import { sticky } from '../../src/routing/strategies/sticky.strategy';
import { agent, routingHarness, ticket, type RoutingHarness } from './fixtures/routing.fixture';

function snap(agentId: string, o: Partial<AgentSnapshot> & { chat?: number; async?: number } = {}): AgentSnapshot {
  return {
    agentId,
    status: o.status ?? 'online',
    skills: o.skills ?? [],
    languages: o.languages ?? ['en'],
    limits: o.limits ?? { chat: 3, async: 5 },
    load: { chat: o.chat ?? 0, async: o.async ?? 0 },
    lastAssignedAt: o.lastAssignedAt ?? 0,
  };
}

function queued(o: Partial<QueuedTicket> = {}): QueuedTicket {
  return {
    ticketId: 't',
    teamId: 'team',
    kind: 'chat',
    priority: 'normal',
    tier: 'none',
    language: 'en',
    requiredSkills: [],
    contactId: 'c',
    score: 0,
    declinedBy: [],
    coolingDown: [],
    lastAgentId: null,
    ...o,
  };
}

describe('strategies (pure)', () => {
  it('least-busy: fewest open items of the ticket kind; skips offline, full and decliners', () => {
    const agents = [
      snap('a', { chat: 2, async: 0 }),
      snap('b', { chat: 1, async: 4 }),
      snap('c', { chat: 0, status: 'away' }),
      snap('d', { chat: 3 }),
      snap('e', { chat: 0 }),
      snap('f', { chat: 1, lastAssignedAt: 5 }),
    ];
    expect(leastBusy.rank({ ticket: queued(), agents })).toEqual(['e', 'b', 'f', 'a']);
    expect(leastBusy.rank({ ticket: queued({ declinedBy: ['e'] }), agents })).toEqual(['b', 'f', 'a']);
    expect(leastBusy.rank({ ticket: queued({ kind: 'async' }), agents })[0]).toBe('a');
  });

  it('round-robin: longest since the last assignment first, never-assigned before all', () => {
    const agents = [snap('a', { lastAssignedAt: 300 }), snap('b', { lastAssignedAt: 100, chat: 2 }), snap('c', { lastAssignedAt: 0 }), snap('d', { lastAssignedAt: 200 })];
    expect(roundRobin.rank({ ticket: queued(), agents })).toEqual(['c', 'b', 'd', 'a']);
  });

  it('skills-based: every required skill and the language, then least busy', () => {
    const agents = [
      snap('billing-en', { skills: ['billing'], languages: ['en'] }),
      snap('billing-zh-busy', { skills: ['billing', 'vip'], languages: ['zh-CN'], chat: 2 }),
      snap('billing-zh', { skills: ['Billing'], languages: ['zh'], chat: 1 }),
      snap('zh-only', { skills: [], languages: ['zh'] }),
    ];
    expect(skillsBased.rank({ ticket: queued({ requiredSkills: ['billing'], language: 'zh' }), agents })).toEqual(['billing-zh', 'billing-zh-busy']);
    expect(skillsBased.rank({ ticket: queued({ requiredSkills: ['billing', 'vip'], language: 'zh-CN' }), agents })).toEqual(['billing-zh-busy']);
    expect(skillsBased.rank({ ticket: queued({ requiredSkills: ['legal'], language: 'en' }), agents })).toEqual([]);
    expect(skillsBased.rank({ ticket: queued({ requiredSkills: [], language: 'fr' }), agents })).toEqual([]);
  });

  it('sticky: the previous agent first when available, otherwise least busy', () => {
    const agents = [snap('a', { chat: 0 }), snap('b', { chat: 2 }), snap('c', { chat: 3 })];
    expect(sticky.rank({ ticket: queued({ lastAgentId: 'b' }), agents })).toEqual(['b', 'a']);
    expect(sticky.rank({ ticket: queued({ lastAgentId: 'c' }), agents })).toEqual(['a', 'b']);
    expect(sticky.rank({ ticket: queued({ lastAgentId: null }), agents })).toEqual(['a', 'b']);
  });

  it('manual: nobody is chosen automatically', () => {
    expect(manual.automatic).toBe(false);
    expect(manual.rank({ ticket: queued(), agents: [snap('a')] })).toEqual([]);
  });
});

describe('strategies through the engine', () => {
  let h: RoutingHarness;
  afterEach(() => h.close());

  it('skills-based never assigns a skills or language mismatch, and waits for a qualified agent', async () => {
    h = routingHarness('strat_skills');
    const team = 'billing';
    await h.service.configureTeam({ teamId: team, strategy: 'skills-based', autoAccept: { chat: true, async: true } });
    await h.service.upsertAgent(agent('en-billing', [team], {}, { skills: ['billing'], languages: ['en'] }));
    await h.service.upsertAgent(agent('zh-general', [team], {}, { skills: ['general'], languages: ['zh'] }));
    await h.service.upsertAgent(agent('zh-billing', [team], {}, { skills: ['billing', 'refunds'], languages: ['zh', 'en'] }));
    await h.service.setStatus('en-billing', 'online');
    await h.service.setStatus('zh-general', 'online');

    const r1 = await h.service.enqueue(ticket('zh1', team, { language: 'zh', skills: ['billing'] }));
    const r2 = await h.service.enqueue(ticket('en1', team, { language: 'en', skills: ['refunds'], since: h.clock.now + 1 }));
    expect(r1.state).toBe('queued');
    expect(r2.state).toBe('queued');
    // A ticket both can take goes through; the mismatches still wait behind it.
    const r3 = await h.service.enqueue(ticket('en2', team, { language: 'en', skills: ['billing'], since: h.clock.now + 2 }));
    expect(r3).toMatchObject({ state: 'assigned', agentId: 'en-billing' });
    expect(h.assignments).toEqual([{ ticketId: 'en2', agentId: 'en-billing', via: 'auto' }]);

    // The one qualified agent comes online and takes both.
    await h.service.setStatus('zh-billing', 'online');
    expect(await h.service.ticketState('zh1')).toMatchObject({ state: 'assigned', agentId: 'zh-billing' });
    expect(await h.service.ticketState('en1')).toMatchObject({ state: 'assigned', agentId: 'zh-billing' });
    expect(h.assignments.filter((a) => a.agentId === 'zh-general')).toEqual([]);
  });

  it('sticky returns a contact to the agent who served them, and falls back when they are away', async () => {
    h = routingHarness('strat_sticky');
    const team = 'care';
    await h.service.configureTeam({ teamId: team, strategy: 'sticky', autoAccept: { chat: true, async: true } });
    for (const id of ['a1', 'a2', 'a3']) {
      await h.service.upsertAgent(agent(id, [team], { chat: 3 }));
      await h.service.setStatus(id, 'online');
    }
    // Contact "alice" is served by a2.
    await h.service.enqueue(ticket('busy1', team, { contactId: 'bob' }));
    expect(await h.service.ticketState('busy1')).toMatchObject({ agentId: 'a1' });
    await h.service.enqueue(ticket('first', team, { contactId: 'alice' }));
    expect(await h.service.ticketState('first')).toMatchObject({ agentId: 'a2' });
    await h.service.release('first', 'resolved');
    await h.service.enqueue(ticket('busy2', team, { contactId: 'carol' }));
    await h.service.enqueue(ticket('busy3', team, { contactId: 'dave' }));
    expect(await h.service.ticketState('busy2')).toMatchObject({ agentId: 'a3' });
    expect(await h.service.ticketState('busy3')).toMatchObject({ agentId: 'a2' });
    await h.service.release('busy1', 'resolved');
    // Loads now: a1 0, a2 1, a3 1. Least-busy would say a1; sticky says a2.
    expect((await h.service.agentState('a1'))?.load.chat).toBe(0);
    const again = await h.service.enqueue(ticket('second', team, { contactId: 'alice' }));
    expect(again).toMatchObject({ state: 'assigned', agentId: 'a2' });

    // a2 away: alice's next ticket falls back to the least busy agent.
    await h.service.setStatus('a2', 'away');
    const third = await h.service.enqueue(ticket('third', team, { contactId: 'alice' }));
    expect(third).toMatchObject({ state: 'assigned', agentId: 'a1' });
  });

  it('round-robin gives the next ticket to the agent idle longest', async () => {
    h = routingHarness('strat_rr');
    const team = 'rr';
    await h.service.configureTeam({ teamId: team, strategy: 'round-robin', autoAccept: { chat: true, async: true } });
    for (const id of ['a1', 'a2', 'a3']) {
      await h.service.upsertAgent(agent(id, [team], { chat: 5 }));
      await h.service.setStatus(id, 'online');
    }
    const order: Array<string | null> = [];
    for (let i = 0; i < 3; i++) {
      h.advance(1_000);
      order.push((await h.service.enqueue(ticket(`r${i}`, team, { since: h.clock.now }))).agentId);
    }
    expect(order).toEqual(['a1', 'a2', 'a3']);
    // a2 and a3 finish their chats; a1 still holds one. Round-robin ignores load: a1 idled longest.
    await h.service.release('r1', 'resolved');
    await h.service.release('r2', 'resolved');
    h.advance(1_000);
    expect((await h.service.enqueue(ticket('r3', team, { since: h.clock.now }))).agentId).toBe('a1');
    h.advance(1_000);
    expect((await h.service.enqueue(ticket('r4', team, { since: h.clock.now }))).agentId).toBe('a2');
  });

  it('manual: nothing is assigned automatically; agents pick, within their capacity and team', async () => {
    h = routingHarness('strat_manual');
    const team = 'backoffice';
    await h.service.configureTeam({ teamId: team, strategy: 'manual' });
    await h.service.upsertAgent(agent('a1', [team], { async: 1 }));
    await h.service.upsertAgent(agent('outsider', ['other']));
    await h.service.setStatus('a1', 'online');
    await h.service.setStatus('outsider', 'online');
    expect((await h.service.enqueue(ticket('m1', team, { channel: 'email' }))).state).toBe('queued');
    expect((await h.service.enqueue(ticket('m2', team, { channel: 'fax', since: h.clock.now + 1 }))).state).toBe('queued');
    expect(h.assignments).toEqual([]);

    expect(await h.service.pick('m2', 'outsider')).toEqual({ ok: false, reason: 'unavailable' });
    expect(await h.service.pick('m2', 'a1')).toEqual({ ok: true });
    expect(await h.service.pick('m1', 'a1')).toEqual({ ok: false, reason: 'unavailable' });
    expect(await h.service.pick('m2', 'a1')).toEqual({ ok: false, reason: 'not_queued' });
    expect(h.assignments).toEqual([{ ticketId: 'm2', agentId: 'a1', via: 'pick' }]);
    // Releasing does not auto-assign in a manual team.
    await h.service.release('m2', 'resolved');
    expect(await h.service.ticketState('m1')).toMatchObject({ state: 'queued' });
  });
});
