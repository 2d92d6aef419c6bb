import type { ChannelId, Identity, OptOutChange } from '../../channels/contract';
import { isDuplicateKey } from '../db/models';
import { normalizeIdentity } from './identity';
import type { OptOutDoc, OptOutModel } from './opt-out.model';

/** The identity kind an address of a channel is. */
const KIND: Partial<Record<ChannelId, Identity['kind']>> = { sms: 'phone', voice: 'phone', fax: 'fax', email: 'email' };

export interface OptOutView {
  channel: ChannelId;
  address: string;
  keyword: string;
  at: Date;
}

/**
 * Customers' opt-outs (SMS STOP) by address. Recording is an insert, or a conditional update
 * that only a later message wins (a Twilio retry of an old STOP cannot undo a newer START).
 */
export function createOptOutService(OptOut: OptOutModel) {
  const key = (channel: ChannelId, address: string): { id: string; address: string } => {
    const kind = KIND[channel] ?? 'external';
    const value = normalizeIdentity({ kind, value: address }).value;
    return { id: `${channel}:${value}`, address: value };
  };

  return {
    async record(change: OptOutChange): Promise<void> {
      const { id, address } = key(change.channel, change.address);
      const fields = { channel: change.channel, address, optedOut: change.optedOut, keyword: change.keyword.slice(0, 40), externalId: change.externalId, at: change.at };
      try {
        await OptOut.create({ _id: id, ...fields });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        await OptOut.updateOne({ _id: id, at: { $lte: change.at } }, { $set: fields });
      }
    },
    /** The opt-out in force for this address, or null when it takes messages. */
    async current(channel: ChannelId, address: string): Promise<OptOutView | null> {
      const d = await OptOut.findById(key(channel, address).id).lean<OptOutDoc>();
      return d?.optedOut ? { channel: d.channel, address: d.address, keyword: d.keyword, at: d.at } : null;
    },
    /** The opt-outs in force for any of these identities (a contact's). */
    async forIdentities(identities: Identity[]): Promise<OptOutView[]> {
      const ids = identities.flatMap((i) =>
        (Object.entries(KIND) as Array<[ChannelId, Identity['kind']]>).filter(([, k]) => k === i.kind).map(([channel]) => key(channel, i.value).id),
      );
      if (ids.length === 0) return [];
      const docs = await OptOut.find({ _id: { $in: ids }, optedOut: true }).limit(100).lean<OptOutDoc[]>();
      return docs.map((d) => ({ channel: d.channel, address: d.address, keyword: d.keyword, at: d.at })).sort((a, b) => a.address.localeCompare(b.address));
    },
  };
}
export type OptOutService = ReturnType<typeof createOptOutService>;
