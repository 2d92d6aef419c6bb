import { stringify } from 'csv-stringify/sync';
import { kmeans } from 'ml-kmeans';
import type { Types } from 'mongoose';
import type { ContactModel } from '../contacts/contact.model';
import type { SegmentRunDoc, ValueModels } from './value.model';

export interface SegmentsDeps extends Pick<ValueModels, 'CustomerValue' | 'SegmentRun'> {
  Contact: ContactModel;
}

/** RFM scores 1-5 → 0-1 on each axis, so no axis weighs more than another. */
const normalise = (s: number): number => (s - 1) / 4;
const SEED = 20_240_601;
const round = (x: number): number => Math.round(x * 100) / 100;
/**
 * Names and addresses come from customers: a cell a spreadsheet would run as a formula
 * (`=`, `+`, `-`, `@`, tab, CR first; a phone number `+<digits>` is fine) is exported with a leading apostrophe.
 */
const safeCell = (v: string | number): string | number => (typeof v === 'string' && /^[=+\-@\t\r]/.test(v) && !/^\+\d+$/.test(v) ? `'${v}` : v);

/**
 * Segments: K-means (ml-kmeans, k-means++ seeding with a fixed seed, so the same base gives the
 * same segments) over the customers' normalised R, F and M scores. Segments are numbered by
 * their centroid, best first (highest R + F + M); centroids are given back in score units (1-5).
 * k larger than the number of distinct score triples is lowered to it.
 */
export function createSegmentService(deps: SegmentsDeps) {
  const { CustomerValue, SegmentRun, Contact } = deps;

  return {
    async compute(k: number, now = new Date()): Promise<SegmentRunDoc> {
      const values = await CustomerValue.find({ rfm: { $ne: null } }, { _id: 1, rfm: 1 }).lean();
      const points = values.map((v) => [normalise(v.rfm!.r), normalise(v.rfm!.f), normalise(v.rfm!.m)]);
      const distinct = new Set(points.map((p) => p.join(','))).size;
      const kk = Math.min(k, distinct);
      let clusters: number[] = [];
      let segments: SegmentRunDoc['segments'] = [];
      if (kk >= 1) {
        const result = kk === 1 ? { clusters: points.map(() => 0), centroids: [points[0]!] } : kmeans(points, kk, { initialization: 'kmeans++', seed: SEED });
        // Centroids as the mean of their members (empty ones dropped), best first.
        const order = result.centroids
          .map((c, i) => ({ i, c, size: result.clusters.filter((x) => x === i).length }))
          .filter((x) => x.size > 0)
          .sort((a, b) => b.c[0]! + b.c[1]! + b.c[2]! - (a.c[0]! + a.c[1]! + a.c[2]!));
        const renumber = new Map(order.map((x, n) => [x.i, n]));
        clusters = result.clusters.map((c) => renumber.get(c)!);
        segments = order.map((x, n) => ({ id: n, size: x.size, centroid: { r: round(1 + 4 * x.c[0]!), f: round(1 + 4 * x.c[1]!), m: round(1 + 4 * x.c[2]!) } }));
      }
      // Members: everyone with scores is in exactly one segment; everyone else in none.
      const writes = values.map((v, i) => ({ updateOne: { filter: { _id: v._id }, update: { $set: { segment: clusters[i]! } } } }));
      for (let i = 0; i < writes.length; i += 500) await CustomerValue.bulkWrite(writes.slice(i, i + 500), { ordered: false });
      await CustomerValue.updateMany({ rfm: null, segment: { $ne: null } }, { $set: { segment: null } });
      const run: SegmentRunDoc = { _id: 'current', k: segments.length, customers: values.length, computedAt: now, segments };
      await SegmentRun.replaceOne({ _id: 'current' }, run, { upsert: true });
      return run;
    },

    async current(): Promise<SegmentRunDoc | null> {
      return SegmentRun.findById('current').lean();
    },

    /** A segment's members as CSV (one row each: contact id, name, email, phone, figures, scores, tier, stage). */
    async membersCsv(segment: number): Promise<{ csv: string; count: number }> {
      const members = await CustomerValue.find({ segment }).sort({ _id: 1 }).lean();
      const contacts = new Map<string, { name: string; identities: Array<{ kind: string; value: string }> }>();
      const ids: Types.ObjectId[] = members.map((m) => m._id);
      for (let i = 0; i < ids.length; i += 500) {
        for (const c of await Contact.find({ _id: { $in: ids.slice(i, i + 500) } }, { name: 1, identities: 1 }).lean()) contacts.set(c._id.toString(), c);
      }
      const rows = members.map((m) => {
        const c = contacts.get(m._id.toString());
        const first = (kind: string) => c?.identities.find((i) => i.kind === kind)?.value ?? '';
        return [m._id.toString(), safeCell(c?.name ?? ''), safeCell(first('email')), safeCell(first('phone')), m.orders, m.monetary, m.recencyDays ?? '', m.rfm?.r ?? '', m.rfm?.f ?? '', m.rfm?.m ?? '', m.tier ?? '', m.stage];
      });
      const header = ['contact_id', 'name', 'email', 'phone', 'orders', 'monetary', 'recency_days', 'r', 'f', 'm', 'tier', 'stage'];
      return { csv: stringify([header, ...rows]), count: rows.length };
    },
  };
}
export type SegmentService = ReturnType<typeof createSegmentService>;
