import { careSubject } from './care-texts';
import { Queue, Worker, type ConnectionOptions } from 'bullmq';
import type { Types } from 'mongoose';
import { QUEUES } from '../jobs/queues';
import type { EventBus } from '../events/event-bus';
import { DeskError } from '../tickets/desk.errors';
import type { Actor } from '../tickets/ticket-event.model';
import type { TicketDoc, TicketModel } from '../tickets/ticket.model';
import { SYSTEM, ticketUpdated, type TicketService } from '../tickets/ticket.service';
import type { CareSettings } from './care-settings.store';

export interface FollowUpJobData {
  ticketId: string;
}

export interface ComplaintFollowThroughDeps {
  Ticket: TicketModel;
  tickets: TicketService;
  bus: EventBus;
  settings: CareSettings;
  connection: ConnectionOptions;
  prefix: string;
  now?: () => Date;
}

const DAY_MS = 86_400_000;
/** BullMQ job ids may not hold ':'. */
export const followUpJobId = (ticketId: string): string => `complaint-follow-up-${ticketId}`;

/**
 * Complaint follow-through: resolving a complaint needs its cause (one of the admins' list) and
 * says what was done; both land on the ticket and its timeline, and a care follow-up ticket to the
 * same contact is scheduled N days later as a delayed job whose id is the complaint's (scheduled
 * once however often the complaint is resolved) and which opens the ticket once (its origin is
 * derived from the complaint).
 */
export function createComplaintFollowThrough(deps: ComplaintFollowThroughDeps) {
  const { Ticket, tickets, bus } = deps;
  const now = deps.now ?? (() => new Date());
  const queue = new Queue<FollowUpJobData>(QUEUES.care, { connection: deps.connection, prefix: deps.prefix });
  let worker: Worker<FollowUpJobData> | null = null;

  /** Opens the follow-up care ticket of a complaint (once). */
  async function openFollowUp(complaintId: string): Promise<{ ticket: TicketDoc; created: boolean } | null> {
    const c = await Ticket.findById(complaintId).lean();
    if (!c) return null;
    const opened = await tickets.open({
      origin: `complaint-follow-up:${c._id.toString()}`,
      channel: c.channel,
      contact: c.contact,
      subject: careSubject(c.language, 'complaintFollowUp', { number: c.number }, c.subject),
      type: 'care',
      priority: 'normal',
      language: c.language,
      classification: { source: 'rules', confidence: 1, matched: ['complaint follow-up'] },
      previousTicket: c._id,
      team: c.team,
      at: now(),
      actor: SYSTEM,
    });
    if (!opened.created) return opened;
    const f = opened.ticket;
    const cause = c.complaint?.cause ?? '';
    await tickets.addEvent(f._id, SYSTEM, 'complaint', null, 'follow_up', { code: 'complaint.follow_up_for', params: { number: String(c.number), cause }, text: `care follow-up of complaint #${c.number} (cause: ${cause || 'not given'})` });
    await tickets.addEvent(c._id, SYSTEM, 'complaint', null, 'follow_up', { code: 'complaint.follow_up_opened', params: { number: String(f.number) }, text: `care follow-up #${f.number} opened` });
    await bus.publish({ type: 'ticket.created', ticketId: f._id.toString(), number: f.number, ticketType: f.type, priority: f.priority, status: f.status, channel: f.channel, contactId: f.contact.toString(), teamId: f.team?.toString() ?? null, at: now().toISOString() });
    return opened;
  }

  return {
    openFollowUp,

    /** Before a complaint is resolved: its cause must be given, and be one of the list (400 at the field). */
    async check(t: Pick<TicketDoc, 'type'>, patch: { cause?: string; actionTaken?: string }): Promise<void> {
      if (t.type !== 'complaint') return;
      const { causes } = await deps.settings.complaints();
      const cause = patch.cause?.trim();
      if (!cause) throw new DeskError(400, 'Resolving a complaint needs its cause.', [{ field: 'cause', message: `required: one of ${causes.join(', ')}`, code: 'required' }]);
      if (!causes.includes(cause)) throw new DeskError(400, `"${cause}" is not a complaint cause.`, [{ field: 'cause', message: `one of ${causes.join(', ')}`, code: 'invalid_choice' }]);
    },

    /** A complaint was resolved: its cause and action recorded, the follow-up scheduled. */
    async resolved(ticketId: Types.ObjectId, patch: { cause?: string; actionTaken?: string }, actor: Actor): Promise<void> {
      const t = await Ticket.findById(ticketId).lean();
      if (!t || t.type !== 'complaint' || !patch.cause) return;
      const at = now();
      const cause = patch.cause.trim();
      const action = (patch.actionTaken ?? '').trim().slice(0, 2000);
      await Ticket.updateOne({ _id: t._id }, { $set: { complaint: { cause, action, at } } });
      await tickets.addEvent(t._id, actor, 'complaint', null, cause, { code: action ? 'complaint.resolved_action' : 'complaint.resolved', params: { cause, action }, text: `complaint resolved; cause: ${cause}${action ? `; done: ${action}` : ''}` }, at);
      const { followUpDays } = await deps.settings.complaints();
      const delay = Math.round(followUpDays * DAY_MS);
      const jobId = followUpJobId(t._id.toString());
      const before = await queue.getJob(jobId);
      if (!before) {
        await queue.add('complaint-follow-up', { ticketId: t._id.toString() }, { jobId, delay, attempts: 8, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: { age: 400 * 86_400 }, removeOnFail: { age: 400 * 86_400 } });
        const due = new Date(at.getTime() + delay);
        await tickets.addEvent(t._id, SYSTEM, 'complaint', null, 'scheduled', { code: 'complaint.follow_up_scheduled', params: { due: due.toISOString(), days: String(followUpDays) }, text: `care follow-up scheduled for ${due.toISOString()}` }, at);
      }
      await bus.publish(ticketUpdated(t, ['complaint']));
    },

    runWorker(concurrency = 2): void {
      worker = new Worker<FollowUpJobData>(QUEUES.care, async (job) => {
        if (job.name === 'complaint-follow-up') await openFollowUp(job.data.ticketId);
      }, { connection: deps.connection, prefix: deps.prefix, concurrency });
      worker.on('error', () => undefined);
    },

    async close(): Promise<void> {
      await worker?.close();
      await queue.close();
    },
  };
}
export type ComplaintFollowThrough = ReturnType<typeof createComplaintFollowThrough>;
