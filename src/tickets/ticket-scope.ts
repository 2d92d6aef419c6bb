import { Types } from 'mongoose';
import type { Principal } from '../auth/principal';
import type { TicketDoc } from './ticket.model';

/** A MongoDB filter on the tickets collection. */
export type TicketFilter = Record<string, unknown>;

const HEX24 = /^[0-9a-fA-F]{24}$/;
export const toObjectId = (s: string | null | undefined): Types.ObjectId | null => (s && HEX24.test(s) ? new Types.ObjectId(s) : null);

/** Matches no ticket. */
export const NOTHING: TicketFilter = { _id: { $in: [] } };

/** The user id a principal can be assigned as (API tokens cannot own tickets). */
export const assignableId = (p: Principal): Types.ObjectId | null => (p.kind === 'user' ? toObjectId(p.id) : null);

/**
 * Which tickets a principal sees (pure: no I/O).
 *   admin       everything
 *   supervisor  every ticket of their teams
 *   agent       tickets assigned to them, and unassigned tickets of their teams
 * API tokens are scoped by the role and teams they were created with; an agent-role token
 * owns nothing, so it sees the unassigned tickets of its teams.
 * Anything outside the scope answers 404, so its existence does not leak.
 */
export function ticketScope(p: Principal): TicketFilter {
  if (p.role === 'admin') return {};
  const teams = p.teams.map(toObjectId).filter((t): t is Types.ObjectId => t !== null);
  if (p.role === 'supervisor') return { team: { $in: teams } };
  const unassignedInTeams = { team: { $in: teams }, assignee: null };
  const me = assignableId(p);
  return me ? { $or: [{ assignee: me }, unassignedInTeams] } : unassignedInTeams;
}

/** The same rule as {@link ticketScope}, for one ticket already in hand. */
export function canSee(p: Principal, t: Pick<TicketDoc, 'team' | 'assignee'>): boolean {
  if (p.role === 'admin') return true;
  const inTeams = t.team !== null && p.teams.includes(t.team.toString());
  if (p.role === 'supervisor') return inTeams;
  const me = assignableId(p);
  if (me && t.assignee?.equals(me)) return true;
  return inTeams && t.assignee === null;
}
