import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { documentLockPlugin } from '../db/update-lock';
import { CHANNELS, PRIORITIES, TICKET_TYPES, type ChannelId, type Priority, type TicketType } from '../../channels/contract';

export const TICKET_STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const CLASSIFICATION_SOURCES = ['customer', 'rules', 'agent'] as const;
export type ClassificationSource = (typeof CLASSIFICATION_SOURCES)[number];
export const SUGGESTION_STAGES = ['under_review', 'accepted', 'planned', 'shipped', 'declined'] as const;
export type SuggestionStage = (typeof SUGGESTION_STAGES)[number];

export interface TicketDoc {
  _id: Types.ObjectId;
  /** Human-readable number, allocated atomically in Redis. */
  number: number;
  /** `channel:externalId` of the message that opened it (or `manual:<id>`): makes creation idempotent. */
  origin: string;
  type: TicketType;
  status: TicketStatus;
  priority: Priority;
  channel: ChannelId;
  contact: Types.ObjectId;
  assignee: Types.ObjectId | null;
  team: Types.ObjectId | null;
  subject: string;
  tags: string[];
  language: string;
  classification: { source: ClassificationSource; confidence: number; matched: string[] };
  previousTicket: Types.ObjectId | null;
  mergedInto: Types.ObjectId | null;
  lastCustomerMessageAt: Date | null;
  lastAgentMessageAt: Date | null;
  acceptedAt: Date | null;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  sla: { firstResponseDueAt: Date | null; nextResponseDueAt: Date | null; resolutionDueAt: Date | null };
  /** Flagged for supervisors by routing (every eligible agent declined it); cleared when assigned. */
  needsAttention: { reason: string; at: Date } | null;
  /** The customer's satisfaction answer (CSAT, src/csat), once they gave it. */
  csat?: { score: number; comment: string; at: Date; channel: ChannelId } | null;
  /** A resolved complaint's cause and what was done (complaint follow-through, src/care). */
  complaint?: { cause: string; action: string; at: Date } | null;
  /** A suggestion's lifecycle (src/care/suggestion.state.ts); null: under review, never changed. */
  suggestion?: { stage: SuggestionStage; reason: string; duplicateOf: Types.ObjectId | null; at: Date } | null;
  createdAt: Date;
  updatedAt: Date;
}

const ticketSchema = new Schema<TicketDoc>(
  {
    number: { type: Number, required: true },
    origin: { type: String, required: true },
    type: { type: String, enum: TICKET_TYPES, required: true },
    status: { type: String, enum: TICKET_STATUSES, required: true, default: 'new' },
    priority: { type: String, enum: PRIORITIES, required: true, default: 'normal' },
    channel: { type: String, enum: CHANNELS, required: true },
    contact: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    assignee: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    team: { type: Schema.Types.ObjectId, ref: 'Team', default: null },
    subject: { type: String, default: '' },
    tags: { type: [String], default: [] },
    language: { type: String, default: 'en' },
    classification: {
      source: { type: String, enum: CLASSIFICATION_SOURCES, required: true },
      confidence: { type: Number, required: true },
      matched: { type: [String], default: [] },
    },
    previousTicket: { type: Schema.Types.ObjectId, ref: 'Ticket', default: null },
    mergedInto: { type: Schema.Types.ObjectId, ref: 'Ticket', default: null },
    lastCustomerMessageAt: { type: Date, default: null },
    lastAgentMessageAt: { type: Date, default: null },
    acceptedAt: { type: Date, default: null },
    firstResponseAt: { type: Date, default: null },
    resolvedAt: { type: Date, default: null },
    closedAt: { type: Date, default: null },
    sla: {
      firstResponseDueAt: { type: Date, default: null },
      nextResponseDueAt: { type: Date, default: null },
      resolutionDueAt: { type: Date, default: null },
    },
    needsAttention: {
      type: new Schema({ reason: { type: String, required: true }, at: { type: Date, required: true } }, { _id: false }),
      default: null,
    },
    csat: {
      type: new Schema({ score: { type: Number, required: true }, comment: { type: String, default: '' }, at: { type: Date, required: true }, channel: { type: String, enum: CHANNELS, required: true } }, { _id: false }),
      default: null,
    },
    complaint: {
      type: new Schema({ cause: { type: String, required: true }, action: { type: String, default: '' }, at: { type: Date, required: true } }, { _id: false }),
      default: null,
    },
    suggestion: {
      type: new Schema(
        {
          stage: { type: String, enum: SUGGESTION_STAGES, required: true },
          reason: { type: String, default: '' },
          duplicateOf: { type: Schema.Types.ObjectId, ref: 'Ticket', default: null },
          at: { type: Date, required: true },
        },
        { _id: false },
      ),
      default: null,
    },
  },
  { timestamps: true, collection: 'tickets' },
);
ticketSchema.index({ number: 1 }, { unique: true });
ticketSchema.index({ origin: 1 }, { unique: true });
ticketSchema.index({ contact: 1, createdAt: -1 });
ticketSchema.index({ status: 1, team: 1, priority: 1 });
ticketSchema.index({ assignee: 1, status: 1 });
ticketSchema.index({ 'suggestion.duplicateOf': 1 });

// Single-document updates are serialized (FerretDB applies updates without isolation).
ticketSchema.plugin(documentLockPlugin);

export type TicketModel = Model<TicketDoc>;
export const createTicketModel = (conn: Connection): TicketModel => conn.model<TicketDoc>('Ticket', ticketSchema);
