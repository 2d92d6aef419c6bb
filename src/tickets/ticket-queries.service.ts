import { isObjectIdOrHexString } from 'mongoose';
import type { ChannelId } from '../../channels/contract';
import type { Principal } from '../auth/principal';
import type { TeamModel } from '../auth/team.model';
import type { UserModel } from '../auth/user.model';
import { canSee } from './ticket-scope';
import type { TicketModel } from './ticket.model';

export interface TicketQueriesDeps {
  Ticket: TicketModel;
  User: UserModel;
  Team: TeamModel;
}

/** The statuses in which a ticket still has a conversation going. */
const LIVE_STATUSES = ['new', 'open', 'pending'] as const;

/**
 * Small read-only questions other modules ask about tickets (realtime's rooms, routing's
 * customer status, the routes' scope checks). Malformed ids answer "nothing", never throw.
 */
export function createTicketQueries(deps: TicketQueriesDeps) {
  const { Ticket, User, Team } = deps;
  const valid = (id: string): boolean => isObjectIdOrHexString(id);

  async function userName(id: string): Promise<string | null> {
    return valid(id) ? ((await User.findById(id, { name: 1 }).lean())?.name ?? null) : null;
  }

  return {
    /** Whether the principal may see the ticket (its team and assignee against their scope). */
    async visible(p: Principal, ticketId: string): Promise<boolean> {
      const t = valid(ticketId) ? await Ticket.findById(ticketId, { team: 1, assignee: 1 }).lean() : null;
      return t !== null && canSee(p, t);
    },

    /** Who holds the ticket: its team and assignee. */
    async audience(ticketId: string): Promise<{ teamId: string | null; assigneeId: string | null } | null> {
      const t = valid(ticketId) ? await Ticket.findById(ticketId, { team: 1, assignee: 1 }).lean() : null;
      return t && { teamId: t.team?.toString() ?? null, assigneeId: t.assignee?.toString() ?? null };
    },

    /** A ticket's channel, whether it is still open, and its agent (id and name). */
    async conversationState(ticketId: string): Promise<{ channel: string; open: boolean; agentId: string | null; agentName: string | null } | null> {
      const t = valid(ticketId) ? await Ticket.findById(ticketId, { channel: 1, status: 1, assignee: 1 }).lean() : null;
      if (!t) return null;
      const agentId = t.assignee?.toString() ?? null;
      const agentName = agentId ? await userName(agentId) : null;
      return { channel: t.channel, open: t.status !== 'resolved' && t.status !== 'closed', agentId, agentName };
    },

    /** The open tickets of these channels an agent holds (at most 200). */
    async liveTicketsOf(agentId: string, channels: readonly ChannelId[]): Promise<string[]> {
      if (!valid(agentId)) return [];
      const rows = await Ticket.find({ assignee: agentId, status: { $in: [...LIVE_STATUSES] }, channel: { $in: [...channels] } }, { _id: 1 })
        .limit(200)
        .lean();
      return rows.map((t) => t._id.toString());
    },

    userName,

    async teamName(teamId: string): Promise<string | null> {
      return valid(teamId) ? ((await Team.findById(teamId, { name: 1 }).lean())?.name ?? null) : null;
    },

    /** The team's tickets still in progress: how many, and the numbers of the oldest few. */
    async openTicketsOfTeam(teamId: string, first = 5): Promise<{ count: number; numbers: number[] }> {
      if (!valid(teamId)) return { count: 0, numbers: [] };
      const filter = { team: teamId, status: { $in: [...LIVE_STATUSES] } };
      const [count, rows] = await Promise.all([Ticket.countDocuments(filter), Ticket.find(filter, { number: 1 }).sort({ number: 1 }).limit(first).lean()]);
      return { count, numbers: rows.map((t) => t.number) };
    },

    async teamExists(teamId: string): Promise<boolean> {
      return valid(teamId) && (await Team.exists({ _id: teamId })) !== null;
    },
  };
}
export type TicketQueries = ReturnType<typeof createTicketQueries>;
