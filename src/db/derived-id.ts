import { createHash } from 'node:crypto';
import { Types } from 'mongoose';

/**
 * An ObjectId derived from a natural key. Documents whose identity is a provider key
 * (a message's channel + externalId, a ticket's origin) use it as _id, so a replay
 * collides on _id: the cheapest unique check there is, and the only lookup FerretDB
 * serves from an index.
 */
export function derivedId(namespace: string, ...parts: string[]): Types.ObjectId {
  const h = createHash('sha256').update(namespace);
  for (const p of parts) h.update('\u0000').update(p);
  return new Types.ObjectId(h.digest().subarray(0, 12));
}

/** A message's _id derives from (channel, externalId): a replay collides on _id. */
export const messageIdFor = (channel: string, externalId: string): Types.ObjectId => derivedId('message', channel, externalId);
