import { Schema, type Connection, type Model, type Types } from 'mongoose';

export const ACTOR_KINDS = ['user', 'customer', 'system'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export interface Actor {
  kind: ActorKind;
  id: string | null;
  name: string;
}

/** A timeline entry's parameters: flat strings (names, channel, ids…); keys never hold '.' or '$'. */
export type EventParams = Record<string, string>;

/**
 * A timeline entry's words as a stable code (e.g. `delivery.sent`) with its parameters, which
 * the console renders in the viewer's language, and `text`: the English fallback kept as `detail`.
 */
export interface EventText {
  code: string;
  params?: EventParams;
  text: string;
}

/** The words of an entry: plain English (no code) or coded. */
export type EventDetail = string | EventText;

export const eventText = (d: EventDetail | undefined): { detail: string; code: string; params: EventParams } =>
  d === undefined ? { detail: '', code: '', params: {} } : typeof d === 'string' ? { detail: d, code: '', params: {} } : { detail: d.text, code: d.code, params: d.params ?? {} };

/** One line of a ticket's timeline: who did what, from → to, when. */
export interface TicketEventDoc {
  _id: Types.ObjectId;
  ticket: Types.ObjectId;
  actor: Actor;
  action: string;
  from: string | null;
  to: string | null;
  detail: string;
  /** Stable code of the entry's words ('' on old rows and free-text entries). */
  code: string;
  params: EventParams;
  at: Date;
}

const schema = new Schema<TicketEventDoc>(
  {
    ticket: { type: Schema.Types.ObjectId, ref: 'Ticket', required: true },
    actor: {
      kind: { type: String, enum: ACTOR_KINDS, required: true },
      id: { type: String, default: null },
      name: { type: String, default: '' },
    },
    action: { type: String, required: true },
    from: { type: String, default: null },
    to: { type: String, default: null },
    detail: { type: String, default: '' },
    code: { type: String, default: '' },
    params: { type: Schema.Types.Mixed, default: () => ({}) },
    at: { type: Date, required: true },
  },
  { collection: 'ticket_events' },
);
schema.index({ ticket: 1, at: 1 });

export type TicketEventModel = Model<TicketEventDoc>;
export const createTicketEventModel = (conn: Connection): TicketEventModel =>
  conn.model<TicketEventDoc>('TicketEvent', schema);
