import type { Types } from 'mongoose';
import { CALL_BACK_TAG, type AvailableAgent } from '../../channels/contract';
import type { UserDoc } from '../auth/user.model';
import type { RoutingService } from '../routing/routing.service';
import type { TicketModel } from '../tickets/ticket.model';
import { SYSTEM, type TicketService } from '../tickets/ticket.service';

export interface VoiceAgentDeps {
  users: { list(filter: { team?: string; active?: boolean }): Promise<Array<Pick<UserDoc, '_id' | 'name' | 'phone'>>> };
  routing: Pick<RoutingService, 'agentState' | 'assignManually' | 'reassign'>;
  Ticket: TicketModel;
  tickets: Pick<TicketService, 'editFields'>;
  defaultTeam: Types.ObjectId | null;
  /** How long an assignment waits for routing to know a just-created ticket. */
  assignWaitMs?: number;
}

/**
 * Who a phone call can be put through to, and handing the call's ticket to them: agents of the
 * team who are online in routing and have a phone on their profile, least loaded first.
 */
export function createVoiceAgents(deps: VoiceAgentDeps) {
  return {
    async available(team: string | null): Promise<AvailableAgent | null> {
      const teamId = team ?? deps.defaultTeam?.toString();
      if (!teamId) return null;
      const people = (await deps.users.list({ team: teamId, active: true })).filter((u) => u.phone);
      const candidates: Array<{ agent: AvailableAgent; load: number }> = [];
      for (const u of people) {
        const s = await deps.routing.agentState(u._id.toString());
        if (s?.status === 'online') candidates.push({ agent: { id: u._id.toString(), name: u.name, phone: u.phone }, load: s.load.chat + s.load.async });
      }
      candidates.sort((a, b) => a.load - b.load || a.agent.name.localeCompare(b.agent.name));
      return candidates[0]?.agent ?? null;
    },

    /**
     * A call's ticket needs a call back: tagged, and taken from the agent who did not answer
     * (only while they still hold it, so a retried callback never takes it from the next agent).
     */
    async callBackNeeded(ticketId: string, o: { reason: string; agentId?: string }): Promise<boolean> {
      const t = await deps.Ticket.findById(ticketId, { tags: 1, assignee: 1, status: 1 }).lean();
      if (!t) return false;
      if (!t.tags.includes(CALL_BACK_TAG)) {
        await deps.tickets.editFields(t._id, { tags: [...t.tags, CALL_BACK_TAG] }, SYSTEM, { why: { tags: `call back: ${o.reason}` } });
      }
      if (o.agentId && t.assignee?.toString() === o.agentId && t.status !== 'resolved' && t.status !== 'closed') {
        await deps.routing.reassign(ticketId);
      }
      return true;
    },

    /** A manual assignment through routing; a ticket routing has not heard of yet is tried again for a while. */
    async assign(ticketId: string, agentId: string, note: string): Promise<boolean> {
      const until = Date.now() + (deps.assignWaitMs ?? 10_000);
      for (;;) {
        const r = await deps.routing.assignManually({ ticketId, agentId, actorId: null, note });
        if (r.ok) return true;
        if (r.reason !== 'unknown' || Date.now() > until) return false;
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    },
  };
}
