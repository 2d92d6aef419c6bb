import type { UserDoc } from '../auth/user.model';
import type { RoutingService } from './routing.service';
import type { AgentProfile } from './routing.types';

type RosterUser = Pick<UserDoc, '_id' | 'name' | 'active' | 'teams' | 'skills' | 'languages' | 'maxConcurrent'>;

/** A user as routing sees them (agents and supervisors in teams take work). */
export function agentProfile(u: RosterUser): AgentProfile {
  return { agentId: u._id.toString(), name: u.name, teams: u.teams.map(String), skills: u.skills, languages: u.languages, limits: u.maxConcurrent };
}

/** Who takes part in routing, read from the users (the caller's user service). */
export function createAgentRoster(users: { list(filter: { active?: boolean }): Promise<RosterUser[]> }) {
  return {
    /** Every active user as an agent profile (routing's agent loader). */
    async profiles(): Promise<AgentProfile[]> {
      return (await users.list({ active: true })).map(agentProfile);
    },

    /** Active people in teams (who can take work), for handovers. */
    async colleagues(): Promise<Array<{ id: string; name: string; teams: string[] }>> {
      return (await users.list({ active: true })).filter((u) => u.teams.length > 0).map((u) => ({ id: u._id.toString(), name: u.name, teams: u.teams.map(String) }));
    },

    /** Routing learns about a user's team, skill, limit and activation changes at once. */
    changed(routing: Pick<RoutingService, 'upsertAgent' | 'removeAgent'>, u: RosterUser): Promise<void> {
      return u.active && u.teams.length > 0 ? routing.upsertAgent(agentProfile(u)) : routing.removeAgent(u._id.toString());
    },
  };
}
