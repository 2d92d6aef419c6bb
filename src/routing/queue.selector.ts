import type { ChannelId, Priority, TicketType } from '../../channels/contract';
import type { CustomerTier, TicketFacts } from './routing.types';

/**
 * One admin-configured queue rule. Every condition that is present must hold (AND); within
 * one condition any listed value matches (OR). An empty rule matches every ticket.
 */
export interface QueueRule {
  id: string;
  channels?: ChannelId[];
  types?: TicketType[];
  priorities?: Priority[];
  /** Language codes; `zh` also matches `zh-CN`, `zh-TW` (prefix before `-`). */
  languages?: string[];
  tiers?: CustomerTier[];
  /** Any of these words or phrases in the subject or text (case-insensitive). */
  keywords?: string[];
  /** Where a matching ticket goes. */
  teamId: string;
  requiredSkills?: string[];
}

export interface QueueRules {
  /** Tried in order; the first match wins. */
  rules: QueueRule[];
  /** Where a ticket goes when no rule matches. */
  fallback: { teamId: string; requiredSkills?: string[] };
}

export interface QueueSelection {
  teamId: string;
  requiredSkills: string[];
  /** Id of the rule that matched, `fallback` when none did. */
  ruleId: string;
}

/**
 * Defaults: team ids here are placeholders (`support`, `vip`, …) the caller replaces with
 * its own rules (typically built from the teams an admin configured).
 */
export const DEFAULT_QUEUE_RULES: QueueRules = Object.freeze({
  rules: [
    { id: 'vip', tiers: ['platinum'], teamId: 'vip' },
    { id: 'complaints', types: ['complaint'], teamId: 'complaints', requiredSkills: ['complaints'] },
    { id: 'billing', keywords: ['invoice', 'refund', 'billing', 'charge', '发票', '退款', '扣费'], teamId: 'support', requiredSkills: ['billing'] },
    { id: 'chinese', languages: ['zh'], teamId: 'support', requiredSkills: [] },
    { id: 'suggestions', types: ['suggestion'], teamId: 'product' },
  ],
  fallback: { teamId: 'support', requiredSkills: [] },
}) as QueueRules;

function languageMatches(wanted: string[], language: string): boolean {
  const lang = language.toLowerCase();
  const base = lang.split('-')[0] ?? lang;
  return wanted.some((w) => {
    const x = w.toLowerCase();
    return x === lang || x === base;
  });
}

function keywordMatches(keywords: string[], text: string): boolean {
  const hay = text.toLowerCase();
  return keywords.some((k) => k.trim() !== '' && hay.includes(k.toLowerCase()));
}

export function ruleMatches(rule: QueueRule, facts: TicketFacts): boolean {
  if (rule.channels?.length && !rule.channels.includes(facts.channel)) return false;
  if (rule.types?.length && !rule.types.includes(facts.type)) return false;
  if (rule.priorities?.length && !rule.priorities.includes(facts.priority)) return false;
  if (rule.tiers?.length && !rule.tiers.includes(facts.tier)) return false;
  if (rule.languages?.length && !languageMatches(rule.languages, facts.language)) return false;
  if (rule.keywords?.length && !keywordMatches(rule.keywords, facts.text)) return false;
  return true;
}

/** Pure: which team queue a ticket joins and which skills its agent needs. */
export function selectQueue(facts: TicketFacts, rules: QueueRules = DEFAULT_QUEUE_RULES): QueueSelection {
  for (const rule of rules.rules) {
    if (ruleMatches(rule, facts)) {
      return { teamId: rule.teamId, requiredSkills: [...(rule.requiredSkills ?? [])], ruleId: rule.id };
    }
  }
  return { teamId: rules.fallback.teamId, requiredSkills: [...(rules.fallback.requiredSkills ?? [])], ruleId: 'fallback' };
}
