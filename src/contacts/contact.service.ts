import { Types } from 'mongoose';
import type { Identity } from '../../channels/contract';
import { isDuplicateKey } from '../db/models';
import type { ContactDoc, ContactModel, IdentityModel } from './contact.model';
import { identityKey } from './identity';
import { insertOne } from '../db/insert-batcher';

export interface ResolveInput {
  identities: Identity[];
  name?: string;
  language?: string;
}

interface IdentityOwner {
  contact: Types.ObjectId;
  createdAt: Date;
}

export interface ContactService {
  /** Finds the contact owning any of these identities, or creates one; claims the rest for it. */
  resolve(input: ResolveInput): Promise<ContactDoc>;
}

/** Identities whose owner this process remembers (most recent first out when full). */
const OWNER_CACHE_SIZE = 20_000;

export function createContactService(deps: { Contact: ContactModel; Identity: IdentityModel }): ContactService {
  const { Contact, Identity } = deps;

  /**
   * identity key → its owner as last read. An identity's owner only ever changes by a merge, and a
   * merged contact keeps a pointer to the survivor that {@link surviving} follows, so a remembered
   * owner still leads to the right contact: a returning customer costs no identity lookup.
   */
  const owners = new Map<string, IdentityOwner>();
  const remember = (key: string, owner: IdentityOwner) => {
    owners.delete(key);
    owners.set(key, owner);
    if (owners.size > OWNER_CACHE_SIZE) owners.delete(owners.keys().next().value!);
  };
  async function ownerOf(key: string): Promise<IdentityOwner | null> {
    const known = owners.get(key);
    if (known) return known;
    const doc = await Identity.findById(key, { contact: 1, createdAt: 1 }).lean();
    if (!doc) return null;
    const owner = { contact: doc.contact, createdAt: doc.createdAt };
    remember(key, owner);
    return owner;
  }

  /** The surviving contact (following merge pointers), or null if its profile is not written yet. */
  async function surviving(id: Types.ObjectId): Promise<{ id: Types.ObjectId; doc: ContactDoc | null }> {
    let current = id;
    for (let hops = 0; hops < 10; hops++) {
      const doc = await Contact.findById(current).lean();
      if (!doc?.mergedInto) return { id: current, doc };
      current = doc.mergedInto;
    }
    return { id: current, doc: await Contact.findById(current).lean() };
  }

  /** Insert-first claim of an identity; on a duplicate key it already belongs to someone. */
  async function claim(key: string, contact: Types.ObjectId): Promise<Types.ObjectId> {
    try {
      const createdAt = new Date();
      await insertOne(Identity, { _id: key, contact, createdAt });
      remember(key, { contact, createdAt });
      return contact;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const owner = await ownerOf(key);
      if (!owner) throw new Error(`identity ${key} vanished after a duplicate-key insert`);
      return owner.contact;
    }
  }

  return {
    async resolve({ identities, name, language }) {
      if (identities.length === 0) throw new Error('a contact needs at least one identity');
      const keys = identities.map(identityKey);
      // One _id lookup per identity (a handful): the only lookups FerretDB serves from an index.
      const found = await Promise.all(keys.map(ownerOf));
      const oldest = found.filter((o) => o !== null).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())[0];
      // Nobody owns any of them: race to claim the primary identity with a fresh id.
      const claimed = new Map<string, Types.ObjectId>();
      let start: Types.ObjectId;
      let fresh: Types.ObjectId | null = null;
      if (oldest) start = oldest.contact;
      else {
        fresh = new Types.ObjectId();
        start = await claim(keys[0]!, fresh);
        claimed.set(keys[0]!, start);
      }
      // A new customer (the claim with the id made just now won): no profile to read yet.
      const { id, doc } = fresh && start.equals(fresh) ? { id: fresh, doc: null } : await surviving(start);

      // Claim identities nobody owns yet; ones that belong to another contact stay there.
      const mine: Identity[] = [];
      for (const [i, key] of keys.entries()) {
        const owner = found[i]?.contact ?? claimed.get(key) ?? (await claim(key, id));
        if (owner.equals(id) || owner.equals(start)) mine.push(identities[i]!);
      }

      let contact = doc;
      if (!contact) {
        // This worker won the claim (or resumes after a crash): write the profile with the
        // identities it holds, so a new customer costs one insert, not an insert and an update.
        try {
          contact = await insertOne(Contact, { _id: id, name: name ?? '', language: language ?? '', identities: mine });
          return contact;
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
          contact = await Contact.findById(id).lean();
          if (!contact) throw err;
        }
      }

      const known = new Set(contact.identities.map(identityKey));
      const added = mine.filter((i) => !known.has(identityKey(i)));
      const setName = Boolean(name) && !contact.name;
      if (added.length > 0 || setName) {
        await Contact.updateOne(
          { _id: id },
          { $addToSet: { identities: { $each: added } }, ...(setName ? { $set: { name } } : {}) },
        );
      }
      return { ...contact, name: setName ? name! : contact.name, identities: [...contact.identities, ...added] };
    },
  };
}
