import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { IDENTITY_KINDS, type IdentityKind } from '../../channels/contract';

/**
 * A customer's purchase. `_id` is the shop's order id: the primary key is the unique index
 * that makes recording an order idempotent (a repeat is a duplicate-key no-op).
 */
export interface OrderDoc {
  _id: string;
  contact: Types.ObjectId;
  /** The identity the order named its customer by (email, phone or external id). */
  identity: { kind: IdentityKind; value: string };
  amount: number;
  currency: string;
  orderedAt: Date;
  source: 'api' | 'import';
  createdAt: Date;
}

const schema = new Schema<OrderDoc>(
  {
    _id: { type: String, required: true },
    contact: { type: Schema.Types.ObjectId, ref: 'Contact', required: true },
    identity: { _id: false, kind: { type: String, enum: IDENTITY_KINDS, required: true }, value: { type: String, required: true } },
    amount: { type: Number, required: true },
    currency: { type: String, required: true },
    orderedAt: { type: Date, required: true },
    source: { type: String, enum: ['api', 'import'], required: true },
    createdAt: { type: Date, required: true },
  },
  { collection: 'orders', versionKey: false },
);
schema.index({ contact: 1, orderedAt: -1 });

export type OrderModel = Model<OrderDoc>;
export const createOrderModel = (conn: Connection): OrderModel => conn.model<OrderDoc>('Order', schema);
