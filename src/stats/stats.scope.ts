import type { Principal } from '../auth/principal';
import type { StatsFilter } from './stats.service';

export class StatsForbidden extends Error {}

export interface StatsQuery {
  from: Date;
  to: Date;
  team?: string;
  channel?: string;
  type?: string;
  priority?: string;
  agent?: string;
}

/**
 * Who sees which figures: admins everything; supervisors their teams (every one of them
 * unless `team` names one); agents only their own (`agent` = themselves, implied).
 * Asking for anything else throws {@link StatsForbidden}.
 */
export function scopeStats(p: Principal, q: StatsQuery): StatsFilter {
  const base = { from: q.from, to: q.to, channel: q.channel, type: q.type, priority: q.priority };
  if (p.role === 'admin') return { ...base, teams: q.team ? [q.team] : null, agent: q.agent };
  if (p.role === 'supervisor') {
    if (q.team && !p.teams.includes(q.team)) throw new StatsForbidden('Supervisors see the figures of their own teams only.');
    return { ...base, teams: q.team ? [q.team] : p.teams, agent: q.agent };
  }
  if (p.kind !== 'user' || (q.agent && q.agent !== p.id)) throw new StatsForbidden("Agents see their own figures only.");
  if (q.team && !p.teams.includes(q.team)) throw new StatsForbidden("Agents see their own figures only.");
  return { ...base, teams: q.team ? [q.team] : null, agent: p.id };
}

/**
 * Whose floor: admins every team (or the one named), supervisors their own teams (or one of
 * them); agents and API tokens of lower roles none ({@link StatsForbidden}). Null: every team.
 */
export function scopeFloor(p: Principal, team?: string): string[] | null {
  if (p.role === 'admin') return team ? [team] : null;
  if (p.role === 'supervisor') {
    if (team && !p.teams.includes(team)) throw new StatsForbidden('Supervisors see the floor of their own teams only.');
    return team ? [team] : p.teams;
  }
  throw new StatsForbidden('The floor is for supervisors and admins.');
}
