import type { TicketStatus } from './ticket.model';

/**
 * The ticket state machine, the only place that says which status may follow which.
 *   new → open → pending → resolved → closed, with reopen and release paths.
 */
const TRANSITIONS: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = {
  new: ['open', 'pending', 'resolved', 'closed'],
  open: ['new', 'pending', 'resolved', 'closed'],
  pending: ['new', 'open', 'resolved', 'closed'],
  resolved: ['new', 'open', 'closed'],
  closed: [],
};

export function allowedTransitions(from: TicketStatus): readonly TicketStatus[] {
  return TRANSITIONS[from];
}

/** Null when allowed, otherwise the reason it is not. */
export function transitionError(from: TicketStatus, to: TicketStatus): string | null {
  if (from === to) return `the ticket is already ${to}`;
  if (TRANSITIONS[from].includes(to)) return null;
  if (from === 'closed') return 'a closed ticket is final; a new message opens a new ticket';
  return `a ${from} ticket cannot become ${to} (allowed: ${TRANSITIONS[from].join(', ')})`;
}
