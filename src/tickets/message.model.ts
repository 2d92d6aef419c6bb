import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { documentLockPlugin } from '../db/update-lock';
import { CHANNELS, type ChannelId } from '../../channels/contract';
import { DELIVERY_ERROR_CODES, type DeliveryErrorCode } from './delivery-error.codes';

export const MESSAGE_DIRECTIONS = ['inbound', 'outbound', 'note'] as const;
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number];
/**
 * `bounced`: it was sent, and the provider reported later that it did not arrive (an email bounce).
 * `sending`: the provider reported it is transmitting it (a fax on the line).
 */
export const DELIVERY_STATUSES = ['received', 'queued', 'sent', 'delivered', 'failed', 'bounced', 'sending'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface StoredAttachment {
  name: string;
  contentType: string;
  size: number;
  ref: string;
}

export interface MessageDoc {
  _id: Types.ObjectId;
  /** Null only while the ingest worker is between storing the message and threading it. */
  ticket: Types.ObjectId | null;
  contact: Types.ObjectId | null;
  author: Types.ObjectId | null;
  direction: MessageDirection;
  channel: ChannelId;
  /** The provider's id; unique with `channel`. This index is what makes replays harmless. */
  externalId: string;
  from: { address: string; name: string };
  to: Array<{ address: string; name: string }>;
  subject: string;
  text: string;
  /** Sanitized on the server; safe to render. */
  html: string;
  /** The customer's original HTML, kept verbatim and never rendered. */
  rawHtml: string;
  attachments: StoredAttachment[];
  /** This message's own id plus the ids it answers: how replies find their ticket. */
  threadKeys: string[];
  chosenType: string | null;
  metadata: Array<{ key: string; value: string }>;
  deliveryStatus: DeliveryStatus;
  deliveryError: string | null;
  /** The stable code of `deliveryError` (null when there is none, and on messages stored before codes). */
  deliveryErrorCode: DeliveryErrorCode | null;
  /** A chat reply whose copy was emailed to the customer who had left: why that email bounced (null: it did not). */
  emailCopyBounce?: string | null;
  idempotencyKey: string | null;
  receivedAt: Date;
  /** When the hub durably accepted an inbound message (enqueued); null for agent messages. */
  acceptedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const party = { address: { type: String, required: true }, name: { type: String, default: '' } };

const messageSchema = new Schema<MessageDoc>(
  {
    ticket: { type: Schema.Types.ObjectId, ref: 'Ticket', default: null },
    contact: { type: Schema.Types.ObjectId, ref: 'Contact', default: null },
    author: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    direction: { type: String, enum: MESSAGE_DIRECTIONS, required: true },
    channel: { type: String, enum: CHANNELS, required: true },
    externalId: { type: String, required: true },
    from: party,
    to: { type: [party], default: [] },
    subject: { type: String, default: '' },
    text: { type: String, default: '' },
    html: { type: String, default: '' },
    rawHtml: { type: String, default: '' },
    attachments: {
      type: [{ name: String, contentType: String, size: Number, ref: String }],
      default: [],
    },
    threadKeys: { type: [String], default: [] },
    chosenType: { type: String, default: null },
    metadata: { type: [{ key: String, value: String }], default: [] },
    deliveryStatus: { type: String, enum: DELIVERY_STATUSES, required: true },
    deliveryError: { type: String, default: null },
    deliveryErrorCode: { type: String, enum: [...DELIVERY_ERROR_CODES, null], default: null },
    emailCopyBounce: { type: String, default: null },
    idempotencyKey: { type: String, default: null },
    receivedAt: { type: Date, required: true },
    acceptedAt: { type: Date, default: null },
  },
  { timestamps: true, collection: 'messages' },
);
messageSchema.index({ channel: 1, externalId: 1 }, { unique: true });
messageSchema.index({ ticket: 1, receivedAt: 1 });
messageSchema.index({ channel: 1, threadKeys: 1 });
messageSchema.index({ contact: 1, receivedAt: -1 });

// Single-document updates are serialized (FerretDB applies updates without isolation).
messageSchema.plugin(documentLockPlugin);

export type MessageModel = Model<MessageDoc>;
export const createMessageModel = (conn: Connection): MessageModel => conn.model<MessageDoc>('Message', messageSchema);
