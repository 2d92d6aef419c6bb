import { Types } from 'mongoose';
import type { ContactModel, RelationshipStage, ValueTier } from '../contacts/contact.model';
import type { OrderModel } from './orders.model';
import type { OrderService } from './orders.service';
import { rfmScores, tierDropped, tierOf } from './rfm.calculator';
import { stageOf } from './stage.rules';
import type { CustomerValueDoc, ValueModels } from './value.model';
import type { ValueSettings } from './value-settings.store';

const DAY_MS = 86_400_000;

export interface RecomputeSummary {
  /** Customers with at least one order (the base the quintiles are taken over). */
  customers: number;
  /** Contacts given a stage (every contact not merged into another). */
  contacts: number;
  tiers: Record<ValueTier, number>;
  stages: Record<RelationshipStage, number>;
  /** New moves to declining / down a tier in this run. */
  changes: number;
  /** Orders in a currency without a rate (left out of monetary). */
  unconverted: number;
  /** Contacts whose tier or stage changed on their profile. */
  contactsUpdated: number;
  computedAt: string;
}

export interface ValueServiceDeps extends Pick<ValueModels, 'CustomerValue'> {
  Contact: ContactModel;
  Order: OrderModel;
  orders: Pick<OrderService, 'summary'>;
  settings(): Promise<ValueSettings>;
}

interface Acc {
  times: number[];
  monetary: number;
  unconverted: number;
}

/**
 * RFM scores, tiers and relationship stages over the whole customer base, written to
 * `customer_values` (with what each customer was before, and the moves that call for care)
 * and onto the contacts (`computedTier`, `tier` unless a person overrode it, `stage`) so routing
 * and SLA use them. The caller runs one recompute at a time (the value job holds a lock).
 */
export function createValueService(deps: ValueServiceDeps) {
  const { Contact, Order, CustomerValue } = deps;

  return {
    async recompute(now = new Date()): Promise<RecomputeSummary> {
      const settings = await deps.settings();
      const contacts = await Contact.find({}, { _id: 1, mergedInto: 1, createdAt: 1, tier: 1, computedTier: 1, tierOverride: 1, stage: 1 }).lean();
      const byId = new Map(contacts.map((c) => [c._id.toString(), c]));
      /** Orders of a merged profile count for the profile it was merged into. */
      const survivor = (id: string): string => {
        let cur = id;
        for (let i = 0; i < 10; i++) {
          const next = byId.get(cur)?.mergedInto;
          if (!next) return cur;
          cur = next.toString();
        }
        return cur;
      };
      const acc = new Map<string, Acc>();
      let unconverted = 0;
      for await (const o of Order.find({}, { contact: 1, amount: 1, currency: 1, orderedAt: 1 }).lean().cursor()) {
        const id = survivor(o.contact.toString());
        if (!byId.has(id)) continue;
        const a = acc.get(id) ?? { times: [], monetary: 0, unconverted: 0 };
        a.times.push(o.orderedAt.getTime());
        const rate = o.currency === settings.currency ? 1 : settings.rates[o.currency];
        if (rate === undefined) {
          a.unconverted += 1;
          unconverted += 1;
        } else a.monetary += o.amount * rate;
        acc.set(id, a);
      }

      const nowMs = now.getTime();
      const buyers = [...acc.entries()];
      // Recency in whole days: two customers who last bought the same day are tied.
      const figures = buyers.map(([, a]) => ({ recencyDays: Math.max(0, Math.floor((nowMs - Math.max(...a.times)) / DAY_MS)), frequency: a.times.length, monetary: Math.round(a.monetary * 100) / 100 }));
      const scores = rfmScores(figures);
      const scoreOf = new Map(buyers.map(([id], i) => [id, { figures: figures[i]!, rfm: scores[i]! }]));

      const previous = new Map((await CustomerValue.find({}).lean()).map((v) => [v._id.toString(), v]));
      const summary: RecomputeSummary = {
        customers: buyers.length,
        contacts: 0,
        tiers: { platinum: 0, gold: 0, silver: 0, bronze: 0 },
        stages: { exploring: 0, forming: 0, stable: 0, declining: 0 },
        changes: 0,
        unconverted,
        contactsUpdated: 0,
        computedAt: now.toISOString(),
      };
      const writes: Array<{ replaceOne: { filter: { _id: Types.ObjectId }; replacement: CustomerValueDoc; upsert: true } }> = [];
      for (const c of contacts) {
        if (c.mergedInto) continue;
        const id = c._id.toString();
        const a = acc.get(id);
        const s = scoreOf.get(id);
        const tier = s ? tierOf(s.rfm, settings.tiers) : null;
        const { stage, reason } = stageOf({ orders: a?.times ?? [], firstContactAt: c.createdAt.getTime(), now: nowMs }, settings.stage);
        const prev = previous.get(id);
        let change = prev?.change ?? null;
        if (stage === 'declining' && prev?.stage !== 'declining') change = { id: `declining:${id}:${now.toISOString()}`, kind: 'declining', from: prev?.stage ?? null, to: stage, at: now };
        else if (tierDropped(prev?.tier ?? null, tier)) change = { id: `tier_drop:${id}:${now.toISOString()}`, kind: 'tier_drop', from: prev!.tier, to: tier!, at: now };
        if (change && change !== prev?.change) summary.changes += 1;
        summary.contacts += 1;
        summary.stages[stage] += 1;
        if (tier) summary.tiers[tier] += 1;
        const lastOrderAt = a ? new Date(Math.max(...a.times)) : null;
        writes.push({
          replaceOne: {
            filter: { _id: c._id },
            upsert: true,
            replacement: {
              _id: c._id,
              orders: a?.times.length ?? 0,
              monetary: Math.round((a?.monetary ?? 0) * 100) / 100,
              unconverted: a?.unconverted ?? 0,
              firstOrderAt: a ? new Date(Math.min(...a.times)) : null,
              lastOrderAt,
              recencyDays: s ? Math.floor(s.figures.recencyDays) : null,
              rfm: s?.rfm ?? null,
              tier,
              previousTier: prev ? prev.tier : null,
              stage,
              previousStage: prev ? prev.stage : null,
              stageReason: reason,
              change,
              segment: prev?.segment ?? null,
              computedAt: now,
            },
          },
        });
        // The profile: only when something changed (most nights, little does).
        if (c.computedTier !== tier || c.stage !== stage || (!c.tierOverride && c.tier !== tier)) {
          summary.contactsUpdated += 1;
          await Contact.updateOne({ _id: c._id }, { $set: { computedTier: tier, stage } });
          // The filter keeps a tier a person set meanwhile: their override wins.
          await Contact.updateOne({ _id: c._id, tierOverride: null }, { $set: { tier } });
        }
      }
      for (let i = 0; i < writes.length; i += 500) await CustomerValue.bulkWrite(writes.slice(i, i + 500), { ordered: false });
      // A profile merged into another since the last run: its figures now count for the survivor only.
      const merged = contacts.filter((c) => c.mergedInto && previous.has(c._id.toString())).map((c) => c._id);
      if (merged.length) await CustomerValue.deleteMany({ _id: { $in: merged } });
      return summary;
    },

    /** What the customer panel shows: computed vs overridden tier, RFM, stage with why, orders (theirs and of profiles merged into them). */
    async contactValue(contactId: string) {
      if (!Types.ObjectId.isValid(contactId)) return null;
      const id = new Types.ObjectId(contactId);
      const [contact, value, merged] = await Promise.all([
        Contact.findById(id, { tier: 1, computedTier: 1, tierOverride: 1, stage: 1 }).lean(),
        CustomerValue.findById(id).lean(),
        Contact.find({ mergedInto: id }, { _id: 1 }).lean(),
      ]);
      if (!contact) return null;
      const settings = await deps.settings();
      const orders = await deps.orders.summary([id, ...merged.map((m) => m._id)], settings);
      return { contact, value, orders };
    },
  };
}
export type ValueService = ReturnType<typeof createValueService>;
