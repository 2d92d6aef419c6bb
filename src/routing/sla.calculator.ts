import type { Priority, TicketType } from '../../channels/contract';
import type { SlaClock } from '../events/event.types';
import { advance, type BusinessCalendar } from './business-hours.calculator';
import type { CustomerTier } from './routing.types';

export const SLA_CLOCKS: readonly SlaClock[] = ['first_response', 'next_response', 'resolution'];

/** Targets in milliseconds; null = no target for that clock. */
export interface SlaTargets {
  firstResponseMs: number | null;
  nextResponseMs: number | null;
  resolutionMs: number | null;
}

export interface SlaEscalation {
  /** Breach → an `sla.escalated` event with notifySupervisors (the console alerts supervisors). */
  notifySupervisors: boolean;
  /** Breach → raise the ticket's priority one step (through an injected port). */
  raisePriority: boolean;
  /** Breach → take the ticket from its agent and route it to someone else. */
  reassign: boolean;
}

/** One admin-defined policy; the first policy whose conditions all hold applies. */
export interface SlaPolicy {
  id: string;
  match: { types?: TicketType[]; priorities?: Priority[]; tiers?: CustomerTier[] };
  targets: SlaTargets;
  /** Count only the open hours of the team's calendar (when the team has one). */
  businessHours: boolean;
  /** Share of the target at which the warning fires (default 0.75). */
  warnRatio?: number;
  escalation: SlaEscalation;
}

const MIN = 60_000;
const HOUR = 60 * MIN;

/** Defaults; the caller (admin configuration) can pass its own list. The last one matches everything. */
export const DEFAULT_SLA_POLICIES: readonly SlaPolicy[] = Object.freeze([
  {
    id: 'top-tier-urgent',
    match: { priorities: ['urgent', 'high'], tiers: ['platinum', 'gold'] },
    targets: { firstResponseMs: 10 * MIN, nextResponseMs: 15 * MIN, resolutionMs: 4 * HOUR },
    businessHours: false,
    escalation: { notifySupervisors: true, raisePriority: true, reassign: true },
  },
  {
    id: 'urgent',
    match: { priorities: ['urgent'] },
    targets: { firstResponseMs: 15 * MIN, nextResponseMs: 30 * MIN, resolutionMs: 4 * HOUR },
    businessHours: false,
    escalation: { notifySupervisors: true, raisePriority: false, reassign: true },
  },
  {
    id: 'top-tier',
    match: { tiers: ['platinum', 'gold'] },
    targets: { firstResponseMs: 30 * MIN, nextResponseMs: 1 * HOUR, resolutionMs: 8 * HOUR },
    businessHours: true,
    escalation: { notifySupervisors: true, raisePriority: true, reassign: false },
  },
  {
    id: 'complaint',
    match: { types: ['complaint'] },
    targets: { firstResponseMs: 1 * HOUR, nextResponseMs: 2 * HOUR, resolutionMs: 16 * HOUR },
    businessHours: true,
    escalation: { notifySupervisors: true, raisePriority: true, reassign: false },
  },
  {
    id: 'high',
    match: { priorities: ['high'] },
    targets: { firstResponseMs: 1 * HOUR, nextResponseMs: 2 * HOUR, resolutionMs: 16 * HOUR },
    businessHours: true,
    escalation: { notifySupervisors: true, raisePriority: false, reassign: false },
  },
  {
    id: 'standard',
    match: {},
    targets: { firstResponseMs: 4 * HOUR, nextResponseMs: 8 * HOUR, resolutionMs: 40 * HOUR },
    businessHours: true,
    escalation: { notifySupervisors: true, raisePriority: false, reassign: false },
  },
]) as readonly SlaPolicy[];

export interface SlaFacts {
  type: TicketType;
  priority: Priority;
  tier: CustomerTier;
}

/** Pure: the first policy whose conditions hold (type × priority × tier), or null. */
export function selectPolicy(facts: SlaFacts, policies: readonly SlaPolicy[] = DEFAULT_SLA_POLICIES): SlaPolicy | null {
  for (const p of policies) {
    if (p.match.types?.length && !p.match.types.includes(facts.type)) continue;
    if (p.match.priorities?.length && !p.match.priorities.includes(facts.priority)) continue;
    if (p.match.tiers?.length && !p.match.tiers.includes(facts.tier)) continue;
    return p;
  }
  return null;
}

export interface ClockTimes {
  targetMs: number;
  /** When the warning fires (warnRatio of the target has passed). */
  warnAt: number;
  dueAt: number;
}

/** One clock started at `startMs`: warning and due instants, in business time when a calendar applies. */
export function clockTimes(startMs: number, targetMs: number, calendar: BusinessCalendar | null, warnRatio = 0.75): ClockTimes {
  return {
    targetMs,
    warnAt: advance(startMs, Math.round(targetMs * warnRatio), calendar),
    dueAt: advance(startMs, targetMs, calendar),
  };
}

export interface DueTimes {
  firstResponse: ClockTimes | null;
  /** When a customer message at `start` would need an answer (the clock starts per message). */
  nextResponse: ClockTimes | null;
  resolution: ClockTimes | null;
}

/**
 * Pure: due times of every clock that starts at `start` under `policy`. With business hours
 * and a calendar, only open time counts (a Friday-evening ticket is due on Monday).
 */
export function computeDueTimes(start: Date, policy: Pick<SlaPolicy, 'targets' | 'businessHours' | 'warnRatio'>, calendar: BusinessCalendar | null): DueTimes {
  const cal = policy.businessHours ? calendar : null;
  const ratio = policy.warnRatio ?? 0.75;
  const at = start.getTime();
  const one = (target: number | null) => (target === null || target <= 0 ? null : clockTimes(at, target, cal, ratio));
  return {
    firstResponse: one(policy.targets.firstResponseMs),
    nextResponse: one(policy.targets.nextResponseMs),
    resolution: one(policy.targets.resolutionMs),
  };
}
