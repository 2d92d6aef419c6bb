import type { Principal } from '../auth/principal';
import { DeskError } from './desk.errors';
import type { TicketDesk, TicketPatch } from './ticket-desk.service';
import type { TicketView } from './ticket-views';
import type { TicketStatus } from './ticket.model';
import { TransitionConflict } from './ticket.service';

/** One change for many tickets (the inbox's bulk actions). */
export interface BulkChange {
  /** A user id, or null to release. */
  assignee?: string | null;
  team?: string;
  status?: TicketStatus;
  /** Tags added to each ticket's own (the others stay). */
  addTags?: string[];
}

/** Why one ticket of a bulk change was refused, as a stable code. */
export type BulkFailureCode = 'closed' | 'forbidden' | 'not_found' | 'conflict' | 'invalid' | 'bad_request';

export type BulkResult =
  | { id: string; ok: true; ticket: TicketView }
  | { id: string; ok: false; number: number | null; status: number; code: BulkFailureCode; detail: string };

const CODES: Record<DeskError['status'], BulkFailureCode> = { 400: 'bad_request', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 422: 'invalid' };

/**
 * Applies `change` to each ticket in turn through {@link TicketDesk.update}, the single-ticket edit:
 * the same scope and permission checks, the same state machine, a timeline event per change. One
 * ticket's refusal does not stop the others; each answers its own result. A status the ticket
 * already has is left alone (not a failure), and so are tags it already carries.
 */
export async function bulkUpdate(desk: TicketDesk, p: Principal, ids: readonly string[], change: BulkChange): Promise<BulkResult[]> {
  const results: BulkResult[] = [];
  for (const id of [...new Set(ids)]) {
    let number: number | null = null;
    let status: TicketStatus | null = null;
    try {
      const t = await desk.visible(p, id);
      number = t.number;
      status = t.status;
      const patch: TicketPatch = {};
      if (change.assignee !== undefined) patch.assignee = change.assignee;
      if (change.team !== undefined) patch.team = change.team;
      if (change.status !== undefined && change.status !== t.status) patch.status = change.status;
      if (change.addTags?.length) {
        const tags = [...new Set([...t.tags, ...change.addTags])];
        if (tags.length !== t.tags.length) patch.tags = tags;
      }
      const ticket = Object.keys(patch).length ? await desk.update(p, id, patch) : await desk.view(t);
      results.push({ id, ok: true, ticket });
    } catch (err) {
      if (err instanceof DeskError) {
        const code = err.status === 409 && status === 'closed' ? 'closed' : CODES[err.status];
        results.push({ id, ok: false, number, status: err.status, code, detail: err.message });
      } else if (err instanceof TransitionConflict) {
        results.push({ id, ok: false, number, status: 409, code: status === 'closed' ? 'closed' : 'conflict', detail: err.reason });
      } else throw err;
    }
  }
  return results;
}
