import { Types } from 'mongoose';
import { isDuplicateKey } from '../db/models';
import type { CannedResponseDoc, CannedResponseModel } from './canned-response.model';
import type { CannedLocale } from './canned.types';

export interface CannedInput {
  shortcut: string;
  title: string;
  text: string;
  locale?: CannedLocale;
}

/** A second response with a shortcut that is taken. */
export class ShortcutTaken extends Error {
  constructor(readonly shortcut: string) {
    super(`a canned response with the shortcut /${shortcut} exists`);
    this.name = 'ShortcutTaken';
  }
}

const oid = (id: string): Types.ObjectId | null => (Types.ObjectId.isValid(id) && /^[0-9a-f]{24}$/i.test(id) ? new Types.ObjectId(id) : null);

/** At most this many are listed; the picker filters them in the browser. */
const LIST_LIMIT = 1000;

export function createCannedService(deps: { CannedResponse: CannedResponseModel }) {
  const { CannedResponse } = deps;

  async function claim<T>(shortcut: string | undefined, op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      if (isDuplicateKey(err)) throw new ShortcutTaken(shortcut ?? '');
      throw err;
    }
  }

  return {
    /** Sorted by shortcut; `q` matches shortcut, title or text (case-insensitive substring). */
    list(filter: { q?: string; locale?: CannedLocale } = {}): Promise<CannedResponseDoc[]> {
      const query: Record<string, unknown> = {};
      if (filter.q) {
        const re = { $regex: filter.q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), $options: 'i' };
        query.$or = [{ shortcut: re }, { title: re }, { text: re }];
      }
      if (filter.locale !== undefined) query.locale = { $in: ['', filter.locale] };
      return CannedResponse.find(query).sort({ shortcut: 1 }).limit(LIST_LIMIT).lean();
    },
    get(id: string): Promise<CannedResponseDoc | null> {
      const _id = oid(id);
      return _id ? CannedResponse.findById(_id).lean() : Promise.resolve(null);
    },
    /** Throws {@link ShortcutTaken} when the shortcut is in use. */
    create(input: CannedInput, createdBy: string | null): Promise<CannedResponseDoc> {
      return claim(input.shortcut, async () => {
        const doc = await CannedResponse.create({ ...input, createdBy: createdBy ? oid(createdBy) : null });
        return doc.toObject<CannedResponseDoc>();
      });
    },
    /** Null when there is no such response; throws {@link ShortcutTaken}. */
    async update(id: string, changes: Partial<CannedInput>): Promise<CannedResponseDoc | null> {
      const _id = oid(id);
      if (!_id) return null;
      const res = await claim(changes.shortcut, () => CannedResponse.updateOne({ _id }, { $set: changes }, { runValidators: true }));
      if (res.matchedCount === 0) return null;
      return CannedResponse.findById(_id).lean();
    },
    async remove(id: string): Promise<boolean> {
      const _id = oid(id);
      if (!_id) return false;
      return (await CannedResponse.deleteOne({ _id })).deletedCount === 1;
    },
  };
}
export type CannedService = ReturnType<typeof createCannedService>;
