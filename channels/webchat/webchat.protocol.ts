/**
 * The web chat wire protocol between the widget (web/widget) and the hub (namespace `/webchat`).
 * Types only: the widget imports them too, so both sides are checked against one definition.
 *
 * Client → server
 *   connect   auth `{ channelKey, token?, identity? }` (no token: a new visitor; a bad one: connect_error
 *             `invalid_token`; identity: {@link VerifiedIdentity}, a bad one: connect_error `identity_invalid`)
 *   message   {@link ClientMessage}, acknowledged with {@link MessageAck} once the message is durable
 *   typing    `{ typing }`
 *   read      `{}` the customer has seen every agent message so far
 *   status    acknowledged with the current {@link ChatStatus} of the conversation (or null)
 *   csat      {@link CsatAnswerPayload} the rating card's answer, acknowledged with {@link CsatAck}
 * Server → client
 *   welcome   {@link Welcome} on every (re)connection: the visitor token and the history
 *   message   {@link ChatMessage}: an agent reply, or the visitor's own message sent from another tab
 *   typing    `{ typing, agent }` an agent is typing
 *   read      `{ at }` an agent has read the customer's messages up to `at`
 *   agents    `{ online }` how many agents are online (after every welcome)
 *   csat      {@link CsatCard} a resolved conversation's satisfaction question (`asked`), or that it was answered (`answered`, in another tab too)
 *   status    {@link ChatStatus} the conversation moved in routing (place in line, agent, handover), or the
 *             agent holding it went away / came back (`agentAway`)
 */

import type { ConversationStatus } from '../contract';

export const WEBCHAT_NAMESPACE = '/webchat';

export const TOPICS = ['complaint', 'suggestion', 'question'] as const;
export type Topic = (typeof TOPICS)[number];

export type PrechatField = 'email' | 'phone';

export interface PrechatProfile {
  name: string;
  email?: string;
  phone?: string;
  topic: Topic;
}

export interface ClientAttachment {
  name: string;
  /** What the browser says; the hub decides by the bytes. */
  contentType: string;
  dataBase64: string;
}

export interface ClientMessage {
  /** The client's id for this message (a UUID): resending it never stores it twice. */
  id: string;
  text: string;
  attachments?: ClientAttachment[];
  profile?: PrechatProfile;
  /** The page the visitor is on (shown to agents). */
  page?: string;
}

export type WebchatErrorCode = 'invalid' | 'prechat_required' | 'attachment_type' | 'attachment_size' | 'rate_limited' | 'unavailable';

export type MessageAck =
  | { ok: true; messageId: string; ticketId: string | null; duplicate: boolean; at: string; agentsOnline: number }
  | { ok: false; error: WebchatErrorCode; retryable: boolean };

export interface ChatAttachment {
  name: string;
  contentType: string;
  size: number;
  /** A signed URL on the hub. */
  url: string;
}

export interface ChatMessage {
  /** The hub's message id. */
  id: string;
  /** The widget's id for the visitor's own messages. */
  clientId: string | null;
  ticketId: string | null;
  direction: 'customer' | 'agent';
  text: string;
  /** The agent's name on agent messages. */
  author: string | null;
  attachments: ChatAttachment[];
  at: string;
}

/**
 * Identity verification: the host site knows who its user is and signs the id with the
 * hub's WEBCHAT_IDENTITY_SECRET, `hash = hex(HMAC-SHA256(secret, userId))`, computed on its
 * server. A verified visitor is that user everywhere (same conversation on every device) and
 * maps to the contact with the `external` identity `userId`.
 */
export interface VerifiedIdentity {
  userId: string;
  hash: string;
  /** Shown to agents; not covered by the signature. */
  name?: string;
  email?: string;
}

/** Where the conversation stands in routing: the hub's {@link ConversationStatus} as it is. */
export type ChatStatus = ConversationStatus;

/** A line about the conversation in the history: an agent joined, a handover (no notes, no ids of people). */
export interface ChatEvent {
  id: string;
  at: string;
  status: Extract<ChatStatus, { kind: 'assigned' | 'transferred' }>;
}

export interface Welcome {
  visitorId: string;
  visitorToken: string;
  agentsOnline: number;
  prechat: { fields: PrechatField[]; required: PrechatField[] };
  limits: { maxAttachmentBytes: number; attachmentTypes: string[]; maxTextLength: number };
  history: ChatMessage[];
  /** Joins and handovers within the history's span, oldest first (the lines the widget showed live). */
  events: ChatEvent[];
  /** When an agent last read the conversation. */
  agentReadAt: string | null;
  /** The current conversation's place in routing. */
  status: ChatStatus | null;
  /** The verified user this visitor is (identity verification), or null. */
  userId: string | null;
  /** A satisfaction question still waiting for this visitor's answer (shown as the rating card), or null. */
  csat?: CsatCard | null;
}

/** A satisfaction question (CSAT) about one resolved conversation: a 1–5 rating card with an optional comment. */
export interface CsatCard {
  ticketId: string;
  ticketNumber: number;
  subject: string;
  state: 'asked' | 'answered';
}

export interface CsatAnswerPayload {
  ticketId: string;
  /** 1 (very unhappy) … 5 (very happy). */
  score: number;
  comment?: string;
}

export type CsatAck = { ok: true } | { ok: false; error: 'not_asked' | 'already_answered' | 'not_yours' | 'invalid' | 'unavailable' };

export interface AgentTyping {
  typing: boolean;
  agent: string | null;
}
