import type { ChannelId, Priority, TicketType } from '../../channels/contract';

/** Agent presence as routing sees it. Only `online` agents receive work automatically. */
export const AGENT_STATUSES = ['online', 'away', 'offline'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

/** Customer value tiers, best first; `none` for customers without a tier. */
export const CUSTOMER_TIERS = ['platinum', 'gold', 'silver', 'bronze', 'none'] as const;
export type CustomerTier = (typeof CUSTOMER_TIERS)[number];

/**
 * Two separate capacity pools per agent: live conversations (web chat, phone calls) and
 * asynchronous work (email, SMS, fax, API).
 */
export const WORK_KINDS = ['chat', 'async'] as const;
export type WorkKind = (typeof WORK_KINDS)[number];

const CHAT_CHANNELS: ReadonlySet<ChannelId> = new Set<ChannelId>(['webchat', 'voice']);

export function workKind(channel: ChannelId): WorkKind {
  return CHAT_CHANNELS.has(channel) ? 'chat' : 'async';
}

export const STRATEGY_NAMES = ['least-busy', 'round-robin', 'skills-based', 'sticky', 'manual'] as const;
export type StrategyName = (typeof STRATEGY_NAMES)[number];

/** What an admin registers about an agent (from the user record); routing keeps it in Redis. */
export interface AgentProfile {
  agentId: string;
  name?: string;
  teams: string[];
  skills: string[];
  /** Language codes the agent works in (`en`, `zh`). */
  languages: string[];
  limits: { chat: number; async: number };
}

/** An agent as a strategy sees it: a point-in-time copy, re-checked inside the reservation script. */
export interface AgentSnapshot {
  agentId: string;
  status: AgentStatus;
  skills: string[];
  languages: string[];
  limits: { chat: number; async: number };
  load: { chat: number; async: number };
  /** Epoch ms of the last reservation (0 = never). */
  lastAssignedAt: number;
}

/** Per-team routing settings (admin data); stored in Redis so every hub process agrees. */
export interface TeamRoutingConfig {
  teamId: string;
  strategy: StrategyName;
  /** How long an agent has to accept an offer. */
  offerTimeoutMs: number;
  /**
   * After an agent let an offer expire, how long before that ticket is offered to them again
   * (a missed offer is not a decline; 0 = right away).
   */
  missedOfferCooldownMs: number;
  /** Per work kind: assign directly (true) or offer with accept / decline (false). */
  autoAccept: { chat: boolean; async: boolean };
}

export const DEFAULT_TEAM_ROUTING: Omit<TeamRoutingConfig, 'teamId'> = Object.freeze({
  strategy: 'least-busy',
  offerTimeoutMs: 30_000,
  missedOfferCooldownMs: 45_000,
  autoAccept: Object.freeze({ chat: false, async: true }),
});

/** Everything routing needs to know about a ticket to queue and assign it. */
export interface RoutableTicket {
  ticketId: string;
  teamId: string;
  channel: ChannelId;
  priority: Priority;
  tier: CustomerTier;
  /** Language code of the conversation (`en`, `zh`); empty when unknown. */
  language: string;
  requiredSkills: string[];
  contactId: string;
  /** When the customer started waiting (ticket creation); queue order uses it. */
  waitingSince: Date;
}

/** A queued ticket as the strategies see it. */
export interface QueuedTicket {
  ticketId: string;
  teamId: string;
  kind: WorkKind;
  priority: Priority;
  tier: CustomerTier;
  language: string;
  requiredSkills: string[];
  contactId: string;
  score: number;
  /** Agents who declined this ticket: never offered it again automatically. */
  declinedBy: string[];
  /** Agents who let an offer for this ticket expire and are in their cool-down for it. */
  coolingDown: string[];
  /** The agent who last served this contact, if known. */
  lastAgentId: string | null;
}

/** Facts used to pick a team queue (see queue.selector.ts). */
export interface TicketFacts {
  channel: ChannelId;
  type: TicketType;
  priority: Priority;
  language: string;
  tier: CustomerTier;
  /** Subject and body text the keyword rules look at. */
  text: string;
}

export type TicketRoutingState = 'queued' | 'offered' | 'assigned';
