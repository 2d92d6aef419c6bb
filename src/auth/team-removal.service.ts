import { isObjectIdOrHexString } from 'mongoose';
import type { TeamModel } from './team.model';
import type { UserModel } from './user.model';

/** What still points at a team, one entry per kind, for problem+json `errors` (`params` for clients to word it). */
export interface TeamReference {
  field: 'team' | 'tickets' | 'members' | 'rules' | 'fallback' | 'channels';
  code: 'default_team' | 'open_tickets' | 'members' | 'queue_rules' | 'queue_fallback' | 'channel_instances';
  message: string;
  params: Record<string, string>;
}

/** A team that cannot be deleted yet: what to move first. */
export class TeamInUse extends Error {
  constructor(
    readonly teamName: string,
    readonly references: readonly TeamReference[],
  ) {
    super(`Team ${teamName} is still in use: ${references.map((r) => r.message).join('; ')}. Move these first, then delete it.`);
    this.name = 'TeamInUse';
  }
}

export interface TeamRemovalDeps {
  Team: TeamModel;
  User: UserModel;
  /** The hub's default team (DEFAULT_TEAM), where new tickets start: never deleted. */
  defaultTeamId: string;
  /** The team's tickets still in progress (new, open, pending): how many, and the first numbers. */
  openTickets(teamId: string): Promise<{ count: number; numbers: number[] }>;
  /** The queue rules as routing has them (rule ids and teams, the fallback's team). */
  queueRules(): Promise<{ rules: ReadonlyArray<{ id: string; teamId: string }>; fallback: { teamId: string } }>;
  /** The configured channel instances and the team their new tickets open in. */
  channelInstances(): Promise<ReadonlyArray<{ name: string; team: string | null }>>;
}

const list = (xs: readonly string[], max = 5): string => (xs.length > max ? `${xs.slice(0, max).join(', ')}, …` : xs.join(', '));

/**
 * Deletes a team nothing refers to any more. The default team never goes; while the team holds open tickets, has members, is
 * named by a queue rule (or the fallback) or by a channel instance, it refuses with {@link TeamInUse}
 * naming each. The checks are a snapshot: a ticket routed into the team in the same instant is
 * not seen (the team's tickets then show no team name; an admin moves them).
 */
export function createTeamRemoval(deps: TeamRemovalDeps) {
  const { Team, User } = deps;

  async function references(teamId: string): Promise<TeamReference[]> {
    const [tickets, members, rules, instances] = await Promise.all([
      deps.openTickets(teamId),
      User.find({ teams: teamId }, { name: 1 }).sort({ name: 1 }).lean(),
      deps.queueRules(),
      deps.channelInstances(),
    ]);
    const out: TeamReference[] = [];
    if (teamId === deps.defaultTeamId) out.push({ field: 'team', code: 'default_team', message: 'it is the default team (DEFAULT_TEAM) new tickets start in', params: {} });
    if (tickets.count > 0) {
      const numbers = list(tickets.numbers.map((n) => `#${n}`));
      out.push({ field: 'tickets', code: 'open_tickets', message: `${tickets.count} open ticket(s) (${numbers})`, params: { count: String(tickets.count), numbers } });
    }
    if (members.length > 0) {
      const names = list(members.map((m) => m.name));
      out.push({ field: 'members', code: 'members', message: `${members.length} member(s): ${names}`, params: { count: String(members.length), names } });
    }
    const ruleIds = rules.rules.filter((r) => r.teamId === teamId).map((r) => r.id);
    if (ruleIds.length > 0) {
      const ids = list(ruleIds);
      out.push({ field: 'rules', code: 'queue_rules', message: `queue rule(s) ${ids}`, params: { count: String(ruleIds.length), ids } });
    }
    if (rules.fallback.teamId === teamId) out.push({ field: 'fallback', code: 'queue_fallback', message: 'the queue rules’ fallback', params: {} });
    const channelNames = instances.filter((i) => i.team === teamId).map((i) => i.name);
    if (channelNames.length > 0) {
      const names = list(channelNames);
      out.push({ field: 'channels', code: 'channel_instances', message: `channel(s) ${names}`, params: { count: String(channelNames.length), names } });
    }
    return out;
  }

  return {
    references,
    /** false: no such team. */
    async remove(teamId: string): Promise<boolean> {
      const team = isObjectIdOrHexString(teamId) ? await Team.findById(teamId, { name: 1 }).lean() : null;
      if (!team) return false;
      const refs = await references(team._id.toString());
      if (refs.length > 0) throw new TeamInUse(team.name, refs);
      await Team.deleteOne({ _id: team._id });
      return true;
    },
  };
}
export type TeamRemoval = ReturnType<typeof createTeamRemoval>;
