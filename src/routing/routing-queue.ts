import type { RoutingContext } from './routing-context';
import type { RoutingDrain } from './routing-drain';
import type { RoutingQueries } from './routing-queries';
import type { RoutingService } from './routing.service';
import { queueScore } from './queue.score';
import { selectQueue, type QueueRules } from './queue.selector';
import { workKind } from './routing.types';

export type RoutingQueue = Pick<RoutingService, 'route' | 'enqueue' | 'reprioritize' | 'release'>;

/**
 * Tickets entering and leaving routing: the queue rules pick a team, the ticket queues
 * (idempotently) and its team's queue is routed; a priority change re-sorts it; a release
 * stops it counting against its agent.
 */
export function createRoutingQueue(
  ctx: RoutingContext,
  drain: Pick<RoutingDrain, 'drainTeam' | 'fillAgent'>,
  queries: Pick<RoutingQueries, 'outcome' | 'queuedEvent'>,
  currentRules: () => Promise<QueueRules>,
): RoutingQueue {
  const { store, now, iso, emit } = ctx;

  const enqueue: RoutingService['enqueue'] = async (t) => {
    const at = now();
    const since = t.waitingSince.getTime();
    const kind = workKind(t.channel);
    const res = await store.enqueue({
      ticketId: t.ticketId,
      teamId: t.teamId,
      kind,
      channel: t.channel,
      priority: t.priority,
      tier: t.tier,
      language: t.language,
      requiredSkills: t.requiredSkills,
      contactId: t.contactId,
      waitingSinceMs: since,
      score: queueScore(t.priority, t.tier, since),
      now: at,
    });
    if (!res.created) return queries.outcome(t.ticketId, res.teamId);
    await drain.drainTeam(t.teamId);
    await queries.queuedEvent(t.ticketId, t.teamId, 'new');
    return queries.outcome(t.ticketId, t.teamId);
  };

  return {
    async route(input) {
      const sel = selectQueue(input.facts, await currentRules());
      const { facts: _facts, ...rest } = input;
      return enqueue({ ...rest, teamId: sel.teamId, requiredSkills: sel.requiredSkills });
    },

    enqueue,

    async reprioritize(ticketId, priority) {
      const facts = await store.ticketFacts(ticketId);
      if (!facts) return false;
      const ok = await store.reprioritize(ticketId, priority, queueScore(priority, facts.tier, facts.waitingSinceMs));
      return ok;
    },

    async release(ticketId, reason) {
      const r = await store.release(ticketId, now());
      if (!r) return { released: false, agentId: null };
      await emit({ type: 'routing.released', ticketId, teamId: r.teamId, agentId: r.agentId, reason, at: iso() });
      if (r.agentId) await drain.fillAgent(r.agentId);
      return { released: true, agentId: r.agentId };
    },
  };
}
