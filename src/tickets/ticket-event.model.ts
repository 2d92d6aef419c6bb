import { Schema, type Connection, type Model, type Types } from 'mongoose';

export const ACTOR_KINDS = ['user', 'customer', 'system'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export interface Actor {
  kind: ActorKind;
  id: string | null;
  name: string;
}

/** One line of a ticket's timeline: who did what, from → to, when. */
export interface TicketEventDoc {
  _id: Types.ObjectId;
  ticket: Types.ObjectId;
  actor: Actor;
  action: string;
  from: string | null;
  to: string | null;
  detail: string;
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
    at: { type: Date, required: true },
  },
  { collection: 'ticket_events' },
);
schema.index({ ticket: 1, at: 1 });

export type TicketEventModel = Model<TicketEventDoc>;
export const createTicketEventModel = (conn: Connection): TicketEventModel =>
  conn.model<TicketEventDoc>('TicketEvent', schema);
