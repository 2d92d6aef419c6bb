import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Types } from 'mongoose';
import { ChannelError, type CallStatusReport, type ChannelAdapter } from '../../channels/contract';
import type { Principal } from '../auth/principal';
import type { EventBus } from '../events/event-bus';
import { conflict } from '../tickets/desk.errors';
import type { MessageModel } from '../tickets/message.model';
import { actorOf, type TicketDesk } from '../tickets/ticket-desk.service';
import { toObjectId } from '../tickets/ticket-scope';
import type { TicketModel } from '../tickets/ticket.model';
import { SYSTEM, type TicketService, ticketUpdated } from '../tickets/ticket.service';

export interface CallBackDeps {
  Ticket: TicketModel;
  Message: MessageModel;
  desk: TicketDesk;
  tickets: TicketService;
  bus: EventBus;
  /** The agent's configured phone (E.164), or null. */
  phoneOf(userId: string): Promise<string | null>;
  /** The running channel instance's adapter that places calls (a Twilio number), by instance id. */
  caller(instanceId: string): ChannelAdapter | undefined;
  /** Where an Idempotency-Key's call is remembered (a day), shared by every hub process. */
  redis: Redis;
  prefix: string;
}

export interface CallBackResult {
  callId: string;
  /** The provider's call id (a Twilio CallSid). */
  externalId: string;
  status: string;
  agentPhone: string;
  customer: string;
  /** This answer repeats the call an earlier request with the same Idempotency-Key placed. */
  replayed?: boolean;
}

const PLACING = 'placing';
const KEY_TTL_S = 86_400;

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * "Call back" on a phone ticket: the number the customer called places a call to the agent's
 * configured phone which, once answered, dials the customer. Placed and every later status of
 * the call are recorded on the ticket's timeline.
 */
export function createCallBackService(deps: CallBackDeps) {
  const { Ticket, Message, desk, tickets, bus } = deps;

  async function publish(ticketId: Types.ObjectId): Promise<void> {
    const t = await Ticket.findById(ticketId).lean();
    if (t) await bus.publish(ticketUpdated(t, ['call']));
  }

  /** Places the call (the ticket already checked visible to `p`). */
  async function place(p: Principal, t: Awaited<ReturnType<TicketDesk['visible']>>): Promise<CallBackResult> {
    if (t.status === 'closed') throw conflict(`Ticket #${t.number} is closed.`);
    const agentPhone = p.kind === 'user' ? await deps.phoneOf(p.id) : null;
    if (!agentPhone) throw conflict('Add your phone number to your profile (Settings → People) to call customers back.', [{ field: 'agentPhone', message: 'missing' }]);
    // The caller's number and the line they called, from their last call message on the ticket.
    const [last] = await Message.find({ ticket: t._id, direction: 'inbound', channel: { $in: ['voice', 'sms'] } }, { from: 1, metadata: 1 }).sort({ receivedAt: -1 }).limit(1).lean();
    const customer = last?.from.address ?? '';
    const instance = last?.metadata.find((x) => x.key === 'channelInstance')?.value;
    const adapter = instance ? deps.caller(instance) : undefined;
    if (!E164.test(customer) || !adapter?.callBack) {
      throw conflict('This ticket did not come in by a phone number that can place calls.', [{ field: 'channel', message: 'cannot_call' }]);
    }
    const callId = new Types.ObjectId().toString();
    const actor = actorOf(p);
    let placed;
    try {
      placed = await adapter.callBack({ callId, ticketId: t._id.toString(), ticketNumber: t.number, agentPhone, customer });
    } catch (err) {
      const reason = (err instanceof ChannelError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err)).slice(0, 500);
      await tickets.addEvent(t._id, actor, 'call', null, 'failed', { code: 'call.failed', params: { callId, customer, reason }, text: `call back to ${customer} by ${actor.name} could not be placed: ${reason}` });
      await publish(t._id);
      throw conflict(`The call could not be placed: ${reason}`, [{ field: 'call', message: 'failed' }]);
    }
    await tickets.addEvent(t._id, actor, 'call', null, placed.status, {
      code: 'call.placed',
      params: { callId, providerId: placed.externalId, customer, agentPhone, name: actor.name, status: placed.status },
      text: `call back to ${customer} placed by ${actor.name}: ${agentPhone} rings first (call ${placed.externalId}, ${placed.status})`,
    });
    await publish(t._id);
    return { callId, externalId: placed.externalId, status: placed.status, agentPhone, customer };
  }

  /**
   * With an Idempotency-Key, the first request places the call and remembers its answer; a
   * repeat (a double click, a client retry) waits for that answer instead of dialling again.
   * A call that could not be placed is forgotten, so the same key can try again.
   */
  async function once(ticketId: Types.ObjectId, key: string, place: () => Promise<CallBackResult>): Promise<CallBackResult> {
    const k = `${deps.prefix}:callback:${ticketId.toString()}:${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
    if ((await deps.redis.set(k, PLACING, 'EX', KEY_TTL_S, 'NX')) === 'OK') {
      try {
        const placed = await place();
        await deps.redis.set(k, JSON.stringify(placed), 'EX', KEY_TTL_S);
        return placed;
      } catch (err) {
        await deps.redis.del(k);
        throw err;
      }
    }
    for (const giveUp = Date.now() + 30_000; Date.now() < giveUp; await new Promise((r) => setTimeout(r, 100))) {
      const seen = await deps.redis.get(k);
      if (seen === null) throw conflict('The earlier request with this Idempotency-Key could not place the call; try again.', [{ field: 'call', message: 'failed' }]);
      if (seen !== PLACING) return { ...(JSON.parse(seen) as CallBackResult), replayed: true };
    }
    throw conflict('The earlier request with this Idempotency-Key is still placing the call.', [{ field: 'Idempotency-Key', message: 'in_progress', code: 'in_progress' }]);
  }

  return {
    async callBack(p: Principal, ticketId: string, idempotencyKey?: string): Promise<CallBackResult> {
      const t = await desk.visible(p, ticketId);
      return idempotencyKey ? once(t._id, idempotencyKey, () => place(p, t)) : place(p, t);
    },

    /** The provider's status callback about a call back: recorded on the ticket's timeline. */
    async callStatus(report: CallStatusReport): Promise<boolean> {
      const id = toObjectId(report.ticketId);
      const t = id ? await Ticket.findById(id, { _id: 1 }).lean() : null;
      if (!t) return false;
      const seconds = report.durationSeconds !== undefined ? `, ${report.durationSeconds} s` : '';
      await tickets.addEvent(t._id, SYSTEM, 'call', null, report.status, {
        code: 'call.status',
        params: { callId: report.callId, providerId: report.externalId, status: report.status, seconds: String(report.durationSeconds ?? '') },
        text: `call back ${report.externalId}: ${report.status}${seconds}`,
      });
      await publish(t._id);
      return true;
    },
  };
}
export type CallBackService = ReturnType<typeof createCallBackService>;
