import type { Types } from 'mongoose';
import type { TeamModel } from '../auth/team.model';
import type { UserModel } from '../auth/user.model';
import type { ContactModel } from '../contacts/contact.model';
import type { MessageDoc, MessageModel } from './message.model';
import type { TicketDoc } from './ticket.model';

export interface Named {
  id: string;
  name: string;
}

/** A ticket with the names the console shows next to it. */
export interface TicketView {
  ticket: TicketDoc;
  assignee: Named | null;
  team: Named | null;
  /** The customer, with their first email address (search results show it). */
  contact: Named & { email: string | null };
  /** Replies on this ticket whose delivery failed (and that nobody has retried yet). */
  failedReplies: number;
}

export interface MessageView {
  message: MessageDoc;
  author: Named | null;
}

export interface ViewDeps {
  User: UserModel;
  Team: TeamModel;
  Contact: ContactModel;
  Message: MessageModel;
}

type NameOf = (id: Types.ObjectId | null) => Named | null;

/**
 * Resolves the names on a page of tickets or messages: one `_id` lookup per distinct id
 * (the lookups FerretDB serves from an index), never a scan.
 */
export function createViews(deps: ViewDeps) {
  async function names(model: 'User' | 'Team', ids: Array<Types.ObjectId | null>): Promise<NameOf> {
    const distinct = [...new Set(ids.filter((i): i is Types.ObjectId => i !== null).map(String))];
    const docs = await Promise.all(
      distinct.map(async (id) => {
        const doc =
          model === 'User' ? await deps.User.findById(id, { name: 1 }).lean() : await deps.Team.findById(id, { name: 1 }).lean();
        return [id, doc?.name ?? ''] as const;
      }),
    );
    const map = new Map(docs);
    return (id) => (id ? { id: id.toString(), name: map.get(id.toString()) ?? '' } : null);
  }

  /** The customers of a page: name and first email identity, one `_id` lookup per distinct contact. */
  async function contacts(ids: Types.ObjectId[]): Promise<(id: Types.ObjectId) => Named & { email: string | null }> {
    const distinct = [...new Set(ids.map(String))];
    const docs = await Promise.all(distinct.map(async (id) => [id, await deps.Contact.findById(id, { name: 1, identities: 1 }).lean()] as const));
    const map = new Map(docs);
    return (id) => {
      const c = map.get(id.toString());
      return { id: id.toString(), name: c?.name ?? '', email: c?.identities.find((i) => i.kind === 'email')?.value ?? null };
    };
  }

  /** Failed (and bounced) replies per ticket of the page: one query on (ticket, …) for the whole page. */
  async function failedReplies(docs: TicketDoc[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    if (docs.length === 0) return counts;
    const failed = await deps.Message.find({ ticket: { $in: docs.map((d) => d._id) }, direction: 'outbound', deliveryStatus: { $in: ['failed', 'bounced'] } }, { ticket: 1 }).lean();
    for (const m of failed) {
      const id = m.ticket?.toString();
      if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  async function tickets(docs: TicketDoc[]): Promise<TicketView[]> {
    const [user, team, contact, failed] = await Promise.all([
      names('User', docs.map((d) => d.assignee)),
      names('Team', docs.map((d) => d.team)),
      contacts(docs.map((d) => d.contact)),
      failedReplies(docs),
    ]);
    return docs.map((d) => ({
      ticket: d,
      assignee: user(d.assignee),
      team: team(d.team),
      contact: contact(d.contact),
      failedReplies: failed.get(d._id.toString()) ?? 0,
    }));
  }

  return {
    tickets,
    async ticket(doc: TicketDoc): Promise<TicketView> {
      return (await tickets([doc]))[0]!;
    },
    async messages(docs: MessageDoc[]): Promise<MessageView[]> {
      const user = await names('User', docs.map((d) => d.author));
      return docs.map((d) => ({ message: d, author: user(d.author) }));
    },
  };
}
export type Views = ReturnType<typeof createViews>;
