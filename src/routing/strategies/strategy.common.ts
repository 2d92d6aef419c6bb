import type { AgentSnapshot, QueuedTicket, StrategyName, WorkKind } from '../routing.types';

/** What every strategy gets: the ticket and a snapshot of the team's agents. Nothing else. */
export interface StrategyInput {
  ticket: QueuedTicket;
  agents: readonly AgentSnapshot[];
}

/**
 * A strategy is one pure function plus declared flags. It ranks candidates; the routing
 * service owns every side effect, and the reservation script re-checks status and capacity.
 */
export interface RoutingStrategy {
  name: StrategyName;
  /** False: nothing is assigned automatically, agents pick from the queue. */
  automatic: boolean;
  /** Whether an agent must have the ticket's required skills and language to take it. */
  requiresSkills: boolean;
  rank(input: StrategyInput): string[];
}

export function freeSlots(agent: AgentSnapshot, kind: WorkKind): number {
  return agent.limits[kind] - agent.load[kind];
}

/** Online, with capacity for this kind of work, not someone who declined it or is cooling down after missing its offer. */
export function available(input: StrategyInput): AgentSnapshot[] {
  const { ticket } = input;
  const declined = new Set([...ticket.declinedBy, ...ticket.coolingDown]);
  return input.agents.filter((a) => a.status === 'online' && freeSlots(a, ticket.kind) > 0 && !declined.has(a.agentId));
}

/** Has every required skill, and speaks the ticket's language (when it has one). */
export function qualified(agent: AgentSnapshot, ticket: QueuedTicket): boolean {
  const skills = new Set(agent.skills.map((s) => s.toLowerCase()));
  if (!ticket.requiredSkills.every((s) => skills.has(s.toLowerCase()))) return false;
  if (!ticket.language) return true;
  const lang = ticket.language.toLowerCase();
  const base = lang.split('-')[0] ?? lang;
  return agent.languages.some((l) => {
    const x = l.toLowerCase();
    return x === lang || x === base || (x.split('-')[0] ?? x) === base;
  });
}

/** Fewest open items of this kind, then longest since the last assignment, then id (stable). */
export function byLeastBusy(kind: WorkKind): (a: AgentSnapshot, b: AgentSnapshot) => number {
  return (a, b) =>
    a.load[kind] - b.load[kind] || a.lastAssignedAt - b.lastAssignedAt || (a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0);
}
