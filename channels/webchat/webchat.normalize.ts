import { InboundMessageSchema, type Identity, type InboundMessage, type InboundMessageInput, type TicketType } from '../contract';
import type { AttachmentType } from './attachment.sniff';
import type { Topic } from './webchat.protocol';
import type { ParsedProfile } from './webchat.schema';

const TOPIC_TYPE: Record<Topic, TicketType> = { complaint: 'complaint', suggestion: 'suggestion', question: 'care' };

/** The thread key of a visitor's chat: every message they send carries it, so their chat is one ticket. */
export const chatSessionRef = (visitorId: string): string => `chat:${visitorId}`;

/** Client message ids are the visitor's own: scoped to the visitor, nobody can collide with (or claim) another's. */
export const externalIdFor = (visitorId: string, clientId: string): string => `${visitorId}:${clientId}`;

/** The client id inside an external id, when the message is this visitor's. */
export function clientIdOf(visitorId: string, externalId: string): string | null {
  return externalId.startsWith(`${visitorId}:`) ? externalId.slice(visitorId.length + 1) : null;
}

export interface ChatInput {
  visitorId: string;
  clientId: string;
  text: string;
  profile: ParsedProfile | undefined;
  attachments: Array<{ name: string; contentType: AttachmentType; bytes: Buffer }>;
  page: string | undefined;
  /** The browser's User-Agent header of the visitor's connection (shown to agents as a browser name). */
  userAgent?: string;
  receivedAt: Date;
  /** No agent was online when it arrived: the reply should go by email, if we have an address. */
  noAgentsOnline: boolean;
  /** The host site's user id, verified by its HMAC (identity verification). */
  verifiedUserId?: string;
}

/**
 * One customer chat message (the widget's payload as the adapter checked and decoded it, with
 * what the connection knows) → the canonical inbound message: the channel's `normalize`.
 * Pure: no I/O. Throws when the result breaks the contract's schema (an adapter bug, not a customer's).
 */
export function normalizeChatMessage(input: ChatInput): InboundMessage[] {
  const { profile } = input;
  const identities: Identity[] = [];
  if (profile?.email) identities.push({ kind: 'email', value: profile.email });
  if (profile?.phone) identities.push({ kind: 'phone', value: profile.phone });
  // Only a verified user id becomes an `external` identity: it is what maps the visitor to a known contact.
  if (input.verifiedUserId) identities.push({ kind: 'external', value: input.verifiedUserId });
  const metadata: Record<string, string> = { visitorId: input.visitorId, clientMessageId: input.clientId };
  if (input.page) metadata.page = input.page.slice(0, 2000);
  if (input.userAgent) metadata.userAgent = input.userAgent.slice(0, 500);
  if (input.verifiedUserId) metadata.verifiedUserId = input.verifiedUserId;
  // Where agent replies go by email when the customer has left the chat.
  if (profile?.email) metadata.replyEmail = profile.email;
  if (input.noAgentsOnline) {
    metadata.agentsOnline = '0';
    if (profile?.email) metadata.replyByEmail = 'true';
  }
  const message: InboundMessageInput = {
    channel: 'webchat',
    externalId: externalIdFor(input.visitorId, input.clientId),
    from: { address: input.visitorId, kind: 'webchat', ...(profile?.name ? { name: profile.name } : {}) },
    identities,
    text: input.text,
    attachments: input.attachments.map((a) => ({
      name: a.name,
      contentType: a.contentType,
      size: a.bytes.length,
      contentBase64: a.bytes.toString('base64'),
    })),
    threadRefs: [chatSessionRef(input.visitorId)],
    receivedAt: input.receivedAt,
    ...(profile ? { chosenType: TOPIC_TYPE[profile.topic] } : {}),
    metadata,
  };
  return [InboundMessageSchema.parse(message)];
}
