import { randomUUID } from 'node:crypto';
import type { RoutingContext } from './routing-context';
import type { AssignVia, RoutingPorts } from './routing.service';
import type { TeamSnapshot } from './routing.store';
import type { QueuedTicket, TeamRoutingConfig } from './routing.types';
import { qualified, freeSlots } from './strategies/strategy.common';
import { STRATEGIES } from './strategies/strategy.registry';

/** A person's decision behind an assignment (see {@link RoutingPorts.persistAssignment}). */
export type DecidedBy = NonNullable<Parameters<RoutingPorts['persistAssignment']>[0]['decidedBy']>;

export interface RoutingDrain {
  /** Routes a team's queue now; concurrent calls for one team share one routing loop. */
  drainTeam(teamId: string): Promise<void>;
  /** Routes every known team's queue. */
  drainAll(): Promise<void>;
  /** Gives an agent with free capacity work from the heads of their teams' queues. */
  fillAgent(agentId: string): Promise<void>;
  /**
   * Reserves the ticket for the first candidate the script accepts, then offers it or
   * persists the assignment. Returns the agent, 'stale' (no candidate was still free) or
   * 'gone' (another process took the ticket first).
   */
  reserve(
    snap: Pick<TeamSnapshot, 'config'>,
    ticket: Pick<QueuedTicket, 'ticketId' | 'teamId' | 'kind'>,
    candidates: string[],
    how: 'auto' | 'pick',
  ): Promise<{ agentId: string; persisted: boolean } | 'stale' | 'gone'>;
  /** Persists an assignment; if the database refuses, the reservation is undone (back to the queue). */
  persistAssigned(ticketId: string, agentId: string, teamId: string, via: AssignVia, at: number, decidedBy?: DecidedBy): Promise<boolean>;
  /** Resolves once every routing loop running now has ended (for shutdown). */
  idle(): Promise<void>;
}

/** Queue drain: matching waiting tickets with free agents, by the team's strategy. */
export function createRoutingDrain(ctx: RoutingContext): RoutingDrain {
  const { store, ports, now, iso, emit } = ctx;
  const { headWindow: window, candidateLimit } = ctx.settings;

  // ---------- per-team single flight: concurrent requests share one routing loop ----------

  const draining = new Map<string, { again: boolean; done: Promise<void> }>();
  function drainTeam(teamId: string): Promise<void> {
    const current = draining.get(teamId);
    if (current) {
      current.again = true;
      return current.done;
    }
    const entry = { again: false, done: Promise.resolve() };
    entry.done = (async () => {
      try {
        do {
          entry.again = false;
          await drainPasses(teamId);
        } while (entry.again);
      } finally {
        draining.delete(teamId);
      }
    })();
    draining.set(teamId, entry);
    return entry.done;
  }

  async function drainPasses(teamId: string): Promise<void> {
    let staleRetries = 0;
    for (let pass = 0; pass < 10_000; pass++) {
      const r = await drainOnce(teamId);
      if (r.progress) continue;
      if (r.stale && staleRetries++ < 2) continue;
      return;
    }
  }

  /** One pass: snapshot once, rank each queue head, reserve atomically (the script re-checks). */
  async function drainOnce(teamId: string): Promise<{ progress: boolean; stale: boolean }> {
    const snap = await store.snapshot(teamId, window, true);
    const strategy = STRATEGIES[snap.config.strategy];
    if (!strategy.automatic || snap.tickets.length === 0) return { progress: false, stale: false };
    const agents = snap.agents.map((a) => ({ ...a, load: { ...a.load } }));
    let progress = false;
    for (const ticket of snap.tickets) {
      if (!agents.some((a) => freeSlots(a, ticket.kind) > 0)) continue;
      const ranked = strategy.rank({ ticket, agents });
      if (ranked.length === 0) continue;
      const result = await reserve(snap, ticket, ranked.slice(0, candidateLimit), 'auto');
      if (result === 'stale') return { progress, stale: true };
      if (typeof result === 'object') {
        const agent = agents.find((a) => a.agentId === result.agentId);
        if (agent) {
          agent.load[ticket.kind] += 1;
          agent.lastAssignedAt = now();
        }
        if (!result.persisted) return { progress: false, stale: false };
        progress = true;
      }
    }
    return { progress, stale: false };
  }

  const reserve: RoutingDrain['reserve'] = async (snap, ticket, candidates, how) => {
    const at = now();
    const autoAccept = how === 'pick' || snap.config.autoAccept[ticket.kind];
    const mode = how === 'pick' ? 'pick' : autoAccept ? 'assign' : 'offer';
    const expiresAt = at + snap.config.offerTimeoutMs;
    const offerId = randomUUID();
    const r = await store.reserve(ticket.ticketId, candidates, mode, at, expiresAt, offerId);
    if (r.status === 'not_queued') return 'gone';
    if (r.status === 'no_agent') return 'stale';
    if (r.state === 'offered') {
      await emit({ type: 'routing.offered', ticketId: ticket.ticketId, teamId: ticket.teamId, agentId: r.agentId, offerId, expiresAt: iso(expiresAt), at: iso(at) });
      return { agentId: r.agentId, persisted: true };
    }
    const persisted = await persistAssigned(ticket.ticketId, r.agentId, ticket.teamId, how === 'pick' ? 'pick' : 'auto', at);
    return { agentId: r.agentId, persisted };
  };

  async function persistAssigned(ticketId: string, agentId: string, teamId: string, via: AssignVia, at: number, decidedBy?: DecidedBy): Promise<boolean> {
    try {
      await ports.persistAssignment({ ticketId, agentId, teamId, via, at: new Date(at), ...(decidedBy ? { decidedBy } : {}) });
    } catch (err) {
      ctx.logger?.warn({ err, ticketId, agentId }, 'routing: persisting an assignment failed; ticket returned to the queue');
      await store.requeue(ticketId, false);
      return false;
    }
    await emit({ type: 'routing.assigned', ticketId, teamId, agentId, via, at: iso(at) });
    return true;
  }

  /**
   * Fills a newly free agent from the heads of their teams' queues, best ticket first: one
   * script walks the eligible heads and reserves the first still queued (see RESERVE_FOR_AGENT).
   */
  async function fillAgent(agentId: string): Promise<void> {
    let staleRetries = 0;
    for (let guard = 0; guard < 1_000; guard++) {
      const view = await store.agentView(agentId);
      if (!view || view.agent.status !== 'online') return;
      const agent = view.agent;
      if (freeSlots(agent, 'chat') <= 0 && freeSlots(agent, 'async') <= 0) return;
      const at = now();
      const eligible: Array<{ ticket: QueuedTicket; config: TeamRoutingConfig }> = [];
      for (const teamId of view.teams) {
        const snap = await store.snapshot(teamId, window, false);
        const strategy = STRATEGIES[snap.config.strategy];
        if (!strategy.automatic) continue;
        for (const t of snap.tickets) {
          if (
            freeSlots(agent, t.kind) > 0 &&
            !t.declinedBy.includes(agentId) &&
            !t.coolingDown.includes(agentId) &&
            (!strategy.requiresSkills || qualified(agent, t))
          ) {
            eligible.push({ ticket: t, config: snap.config });
          }
        }
      }
      if (eligible.length === 0) return;
      eligible.sort((a, b) => a.ticket.score - b.ticket.score);
      const candidates = eligible.slice(0, candidateLimit).map(({ ticket, config }) => ({
        ticketId: ticket.ticketId,
        mode: (config.autoAccept[ticket.kind] ? 'assign' : 'offer') as 'assign' | 'offer',
        offerExpiresAt: at + config.offerTimeoutMs,
        offerId: randomUUID(),
      }));
      const r = await store.reserveForAgent(agentId, candidates, at);
      if (r.status === 'none') {
        // Every candidate was taken by someone else meanwhile: look again (bounded).
        if (r.gone === candidates.length && staleRetries++ < 3) continue;
        return;
      }
      const ticket = eligible.find((e) => e.ticket.ticketId === r.ticketId)?.ticket;
      if (!ticket) return;
      if (r.state === 'offered') {
        await emit({ type: 'routing.offered', ticketId: r.ticketId, teamId: ticket.teamId, agentId, offerId: r.offerId, expiresAt: iso(r.offerExpiresAt), at: iso(at) });
      } else if (!(await persistAssigned(r.ticketId, agentId, ticket.teamId, 'auto', at))) {
        return;
      }
    }
  }

  return {
    drainTeam,
    async drainAll() {
      for (const teamId of await store.teams()) await drainTeam(teamId);
    },
    fillAgent,
    reserve,
    persistAssigned,
    async idle() {
      await Promise.allSettled([...draining.values()].map((d) => d.done));
    },
  };
}
