import { Types } from 'mongoose';
import type { Identity } from '../../channels/contract';
import { isDuplicateKey } from '../db/models';
import type { ContactDoc, ContactModel, IdentityModel } from './contact.model';
import { identityKey } from './identity';

export interface ResolveInput {
  identities: Identity[];
  name?: string;
  language?: string;
}

export interface ContactService {
  /** Finds the contact owning any of these identities, or creates one; claims the rest for it. */
  resolve(input: ResolveInput): Promise<ContactDoc>;
  get(id: Types.ObjectId | string): Promise<ContactDoc | null>;
}

export function createContactService(deps: { Contact: ContactModel; Identity: IdentityModel }): ContactService {
  const { Contact, Identity } = deps;

  /** Follows merge pointers to the surviving contact. */
  async function surviving(id: Types.ObjectId): Promise<Types.ObjectId> {
    let current = id;
    for (let hops = 0; hops < 10; hops++) {
      const doc = await Contact.findById(current, { mergedInto: 1 }).lean();
      if (!doc?.mergedInto) return current;
      current = doc.mergedInto;
    }
    return current;
  }

  /** Insert-first claim; on a duplicate key the identity already belongs to someone. */
  async function claim(key: string, contact: Types.ObjectId): Promise<Types.ObjectId> {
    try {
      await Identity.create({ _id: key, contact, createdAt: new Date() });
      return contact;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const owner = await Identity.findById(key).lean();
      if (!owner) throw new Error(`identity ${key} vanished after a duplicate-key insert`);
      return owner.contact;
    }
  }

  return {
    async resolve({ identities, name, language }) {
      if (identities.length === 0) throw new Error('a contact needs at least one identity');
      const keys = identities.map(identityKey);
      const owners = await Identity.find({ _id: { $in: keys } }).sort({ createdAt: 1 }).lean();
      let contactId: Types.ObjectId;
      if (owners[0]) {
        contactId = await surviving(owners[0].contact);
      } else {
        // Nobody owns any of them: race to claim the primary identity with a fresh id.
        contactId = await surviving(await claim(keys[0]!, new Types.ObjectId()));
      }
      // Create the profile if this worker won the claim (or resumes after a crash).
      try {
        await Contact.updateOne(
          { _id: contactId },
          { $setOnInsert: { name: name ?? '', language: language ?? '', identities: [] } },
          { upsert: true },
        );
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
      // Claim the identities nobody owns yet; ones owned by others stay where they are.
      const owned = new Set(owners.map((o) => o._id));
      const mine: Identity[] = [];
      for (const [i, key] of keys.entries()) {
        const owner = owned.has(key) ? (owners.find((o) => o._id === key)?.contact ?? null) : await claim(key, contactId);
        if (owner && (await surviving(owner)).equals(contactId)) mine.push(identities[i]!);
      }
      if (name) await Contact.updateOne({ _id: contactId, name: '' }, { $set: { name } });
      await Contact.updateOne({ _id: contactId }, { $addToSet: { identities: { $each: mine } } });
      const doc = await Contact.findById(contactId).lean();
      if (!doc) throw new Error(`contact ${contactId.toString()} missing after resolve`);
      return doc;
    },
    get(id) {
      return Contact.findById(id).lean();
    },
  };
}
