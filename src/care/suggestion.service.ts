import type { Types } from 'mongoose';
import type { Principal } from '../auth/principal';
import type { EventBus } from '../events/event-bus';
import { conflict, DeskError } from '../tickets/desk.errors';
import { actorOf } from '../tickets/ticket-desk.service';
import { canSee } from '../tickets/ticket-scope';
import type { TicketDoc, TicketModel, SuggestionStage } from '../tickets/ticket.model';
import { SYSTEM, ticketUpdated, type TicketService } from '../tickets/ticket.service';
import { stageError } from './suggestion.state';

export interface SuggestionServiceDeps {
  Ticket: TicketModel;
  tickets: TicketService;
  bus: EventBus;
  /** The ticket if the principal may see it (404 otherwise). */
  visible(p: Principal, id: string): Promise<TicketDoc>;
  /** Sends a hub message on the ticket through its channel, once per key; null when it cannot. */
  notify(ticketId: Types.ObjectId, n: { key: string; text: string; purpose: string }): Promise<{ messageId: string; created: boolean; channel: string } | null>;
  now?: () => Date;
}

const stageOf = (t: Pick<TicketDoc, 'suggestion'>): SuggestionStage => t.suggestion?.stage ?? 'under_review';

function shippedText(t: TicketDoc): string {
  const subject = t.subject ? ` (“${t.subject}”)` : '';
  return t.language.toLowerCase().startsWith('zh')
    ? `好消息：您向我们提出的建议 #${t.number}${t.subject ? `（“${t.subject}”）` : ''}已经实现并上线。感谢您帮助我们改进！`
    : `Good news: the suggestion you sent us, #${t.number}${subject}, has been implemented and is available now. Thank you for helping us improve!`;
}

/**
 * Suggestion lifecycle (`under_review → accepted → planned → shipped`, or `declined` with a reason),
 * through the one stage machine (suggestion.state.ts), each change on the timeline. Suggestions
 * can be linked as duplicates of one original; when the original ships, every customer of it and
 * of its duplicates is told through their own ticket's channel, once per customer (the message is
 * keyed by the ticket), and each ticket's timeline says so.
 */
export function createSuggestionService(deps: SuggestionServiceDeps) {
  const { Ticket, tickets, bus } = deps;
  const now = deps.now ?? (() => new Date());

  function mustBeSuggestion(t: TicketDoc): void {
    if (t.type !== 'suggestion') throw conflict(`Ticket #${t.number} is a ${t.type}, not a suggestion.`, [{ field: 'type', message: 'not_suggestion', code: 'not_suggestion' }]);
  }

  async function notifyShipped(original: TicketDoc): Promise<void> {
    const duplicates = await Ticket.find({ 'suggestion.duplicateOf': original._id }).sort({ createdAt: 1 }).lean();
    const told = new Map<string, number>();
    for (const t of [original, ...duplicates]) {
      const contact = t.contact.toString();
      const earlier = told.get(contact);
      if (earlier !== undefined) {
        // The same customer suggested it twice: told once, on their first ticket.
        await tickets.addEvent(t._id, SYSTEM, 'suggestion', null, 'notified', { code: 'suggestion.notified_elsewhere', params: { number: String(earlier) }, text: `the customer was told it shipped on #${earlier}` });
        continue;
      }
      const sent = await deps.notify(t._id, { key: `suggestion-shipped:${original._id.toString()}`, purpose: 'suggestion_shipped', text: shippedText(t) });
      told.set(contact, t.number);
      if (!sent) {
        await tickets.addEvent(t._id, SYSTEM, 'suggestion', null, 'not_notified', { code: 'suggestion.notify_impossible', params: { channel: t.channel }, text: `the customer could not be told it shipped: nothing can be sent on ${t.channel}` });
      } else if (sent.created) {
        await tickets.addEvent(t._id, SYSTEM, 'suggestion', null, 'notified', { code: 'suggestion.notified', params: { channel: sent.channel, number: String(original.number) }, text: `the customer was told by ${sent.channel} that suggestion #${original.number} shipped` });
      }
    }
  }

  return {
    /** Moves an original suggestion to another stage; `declined` needs a reason. Shipping tells every linked customer. */
    async setStage(p: Principal, id: string, change: { stage: SuggestionStage; reason?: string }): Promise<TicketDoc> {
      const t = await deps.visible(p, id);
      mustBeSuggestion(t);
      if (t.suggestion?.duplicateOf) {
        const o = await Ticket.findById(t.suggestion.duplicateOf, { number: 1 }).lean();
        throw conflict(`Ticket #${t.number} is a duplicate of #${o?.number ?? '?'}: change the original.`, [{ field: 'stage', message: 'duplicate', code: 'duplicate' }]);
      }
      const reason = (change.reason ?? '').trim().slice(0, 1000);
      if (change.stage === 'declined' && !reason) throw new DeskError(400, 'Declining a suggestion needs a reason.', [{ field: 'reason', message: 'required', code: 'required' }]);
      const from = stageOf(t);
      const error = stageError(from, change.stage);
      if (error) throw conflict(error, [{ field: 'stage', message: error, code: 'not_allowed' }]);
      const at = now();
      // Compare-and-set on the stage we read (one document, through its lock): a concurrent change is a conflict.
      const filter = t.suggestion ? { _id: t._id, 'suggestion.stage': from } : { _id: t._id, suggestion: null };
      const res = await Ticket.updateOne(filter, { $set: { suggestion: { stage: change.stage, reason, duplicateOf: null, at } } });
      if (res.modifiedCount !== 1) throw conflict('The suggestion changed meanwhile; reload it and try again.');
      const actor = actorOf(p);
      await tickets.addEvent(t._id, actor, 'suggestion', from, change.stage, { code: reason ? 'suggestion.stage_reason' : 'suggestion.stage', params: { from, to: change.stage, reason }, text: `suggestion ${from} → ${change.stage}${reason ? `: ${reason}` : ''}` }, at);
      const updated = (await Ticket.findById(t._id).lean())!;
      if (change.stage === 'shipped') await notifyShipped(updated);
      await bus.publish(ticketUpdated(updated, ['suggestion']));
      return updated;
    },

    /** Links a suggestion as a duplicate of an original one (`of: null` unlinks it). */
    async linkDuplicate(p: Principal, id: string, of: string | null): Promise<TicketDoc> {
      const t = await deps.visible(p, id);
      mustBeSuggestion(t);
      const actor = actorOf(p);
      const at = now();
      if (of === null) {
        if (!t.suggestion?.duplicateOf) return t;
        await Ticket.updateOne({ _id: t._id }, { $set: { suggestion: { stage: 'under_review', reason: '', duplicateOf: null, at } } });
        await tickets.addEvent(t._id, actor, 'suggestion', t.suggestion.duplicateOf.toString(), null, { code: 'suggestion.unlinked', params: {}, text: 'no longer a duplicate' }, at);
      } else {
        const o = await deps.visible(p, of);
        mustBeSuggestion(o);
        if (o._id.equals(t._id)) throw new DeskError(422, 'A suggestion cannot be a duplicate of itself.', [{ field: 'of', message: 'self', code: 'self' }]);
        if (o.suggestion?.duplicateOf) throw conflict(`#${o.number} is itself a duplicate; link to its original.`, [{ field: 'of', message: 'duplicate', code: 'duplicate' }]);
        if (await Ticket.exists({ 'suggestion.duplicateOf': t._id })) throw conflict(`#${t.number} has duplicates of its own; link those to #${o.number} first.`, [{ field: 'of', message: 'has_duplicates', code: 'has_duplicates' }]);
        if (stageOf(o) === 'shipped' || stageOf(o) === 'declined') throw conflict(`#${o.number} is ${stageOf(o)} already.`, [{ field: 'of', message: 'closed_stage', code: 'closed_stage' }]);
        await Ticket.updateOne({ _id: t._id }, { $set: { suggestion: { stage: stageOf(o), reason: '', duplicateOf: o._id, at } } });
        await tickets.addEvent(t._id, actor, 'suggestion', null, o._id.toString(), { code: 'suggestion.duplicate_of', params: { number: String(o.number) }, text: `duplicate of #${o.number}` }, at);
        await tickets.addEvent(o._id, actor, 'suggestion', null, t._id.toString(), { code: 'suggestion.duplicate_added', params: { number: String(t.number) }, text: `#${t.number} linked as a duplicate` }, at);
        await bus.publish(ticketUpdated(o, ['suggestion']));
      }
      const updated = (await Ticket.findById(t._id).lean())!;
      await bus.publish(ticketUpdated(updated, ['suggestion']));
      return updated;
    },

    /**
     * A suggestion's links: the original it duplicates, and the suggestions linked as its own
     * duplicates (oldest first), each only where the principal may see it; `total` counts every
     * duplicate, seen or not (how many customers asked for it).
     */
    async related(p: Principal, id: string): Promise<{ original: TicketDoc | null; duplicates: TicketDoc[]; total: number }> {
      const t = await deps.visible(p, id);
      mustBeSuggestion(t);
      const [original, all] = await Promise.all([
        t.suggestion?.duplicateOf ? Ticket.findById(t.suggestion.duplicateOf).lean() : null,
        Ticket.find({ 'suggestion.duplicateOf': t._id }).sort({ number: 1 }).lean(),
      ]);
      return { original: original && canSee(p, original) ? original : null, duplicates: all.filter((d) => canSee(p, d)), total: all.length };
    },
  };
}
export type SuggestionService = ReturnType<typeof createSuggestionService>;
