import type { TicketDoc } from '../tickets/ticket.model';
import type { TicketEventDoc } from '../tickets/ticket-event.model';
import { binOf } from './stats.histogram';

export type Contribution = Map<string, { dims: BucketDims; counters: Map<string, number> }>;

export interface BucketDims {
  hour: Date;
  team: string;
  channel: string;
  type: string;
  priority: string;
  agent: string;
}

export const hourOf = (d: Date): Date => new Date(Math.floor(d.getTime() / 3_600_000) * 3_600_000);

export const bucketKey = (d: BucketDims): string => [d.hour.toISOString(), d.team, d.channel, d.type, d.priority, d.agent].join('|');

export function dimsOfKey(key: string): BucketDims {
  const [hour = '', team = '', channel = '', type = '', priority = '', agent = ''] = key.split('|');
  return { hour: new Date(hour), team, channel, type, priority, agent };
}

type StatTicket = Pick<
  TicketDoc,
  '_id' | 'type' | 'status' | 'priority' | 'channel' | 'team' | 'assignee' | 'createdAt' | 'acceptedAt' | 'firstResponseAt' | 'resolvedAt' | 'mergedInto' | 'sla'
> &
  Partial<Pick<TicketDoc, 'csat'>>;

/** The recorded times beyond the ticket's own fields: its customer messages and its timeline. */
export interface StatHistory {
  /** When each of the customer's messages on the ticket was received. */
  customerMessagesAt: Date[];
  /** Timeline entries: `assignee`, `status` and `delivery` ones are read. */
  events: Array<Pick<TicketEventDoc, 'action' | 'from' | 'to' | 'at' | 'params'>>;
}

const NO_HISTORY: StatHistory = { customerMessagesAt: [], events: [] };

/**
 * When each agent reply was first sent (the `delivery` entry queued → sent/delivered), oldest
 * first. A message the hub sent by itself (a satisfaction question; its entry says `notice`) is
 * nobody's response.
 */
export function replySendTimes(events: StatHistory['events']): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  for (const e of events) {
    if (e.action !== 'delivery' || e.from !== 'queued' || (e.to !== 'sent' && e.to !== 'delivered')) continue;
    if (e.params?.notice === 'yes') continue;
    const id = e.params?.messageId ?? '';
    if (id && seen.has(id)) continue;
    seen.add(id);
    out.push(e.at.getTime());
  }
  return out.sort((a, b) => a - b);
}

/**
 * Next response times: for each customer message that follows a sent agent reply (the first one
 * of a run of customer messages), the time until the next sent reply. Returns [reply time, ms].
 */
export function nextResponses(customerMessagesAt: Date[], replies: number[]): Array<[number, number]> {
  const timeline: Array<[number, 'c' | 'r']> = [...customerMessagesAt.map((d): [number, 'c'] => [d.getTime(), 'c']), ...replies.map((r): [number, 'r'] => [r, 'r'])];
  // At the same instant a reply goes first: the customer's message came after it.
  timeline.sort((a, b) => a[0] - b[0] || (a[1] === b[1] ? 0 : a[1] === 'r' ? -1 : 1));
  const out: Array<[number, number]> = [];
  let replied = false;
  let waitingSince: number | null = null;
  for (const [at, kind] of timeline) {
    if (kind === 'c') {
      if (replied && waitingSince === null) waitingSince = at;
    } else {
      if (waitingSince !== null) out.push([at, at - waitingSince]);
      waitingSince = null;
      replied = true;
    }
  }
  return out;
}

/**
 * Whether the ticket's figures read its history (customer messages, timeline) at all: only handle
 * time (a resolved ticket) and next responses (after a sent agent reply, which sets
 * `firstResponseAt` before its timeline entry is written) do. A ticket nobody has answered or
 * resolved, the common case right after it arrives, adds the same without it, so its history is
 * not read (on FerretDB those reads scan the timeline and message collections).
 */
export function needsHistory(t: Pick<StatTicket, 'mergedInto' | 'firstResponseAt' | 'resolvedAt' | 'status'>): boolean {
  if (t.mergedInto) return false;
  return t.firstResponseAt !== null || (t.resolvedAt !== null && (t.status === 'resolved' || t.status === 'closed'));
}

const ACTIVE_STATUSES: ReadonlySet<string> = new Set(['new', 'open']);

/**
 * Handle time per agent: the time each agent owned the ticket while it was `new` or `open`
 * (pending, resolved and closed time does not count), from the timeline's `assignee` and
 * `status` entries, up to `end` (the last resolve).
 */
export function handleTimes(createdAt: Date, events: StatHistory['events'], end: Date): Map<string, number> {
  const sorted = events.filter((e) => e.action === 'assignee' || e.action === 'status').sort((a, b) => a.at.getTime() - b.at.getTime());
  const per = new Map<string, number>();
  let owner: string | null = null;
  let status = 'new';
  let since = createdAt.getTime();
  const stop = end.getTime();
  const credit = (until: number) => {
    const upto = Math.min(until, stop);
    if (owner && ACTIVE_STATUSES.has(status) && upto > since) per.set(owner, (per.get(owner) ?? 0) + (upto - since));
    since = Math.max(since, upto);
  };
  for (const e of sorted) {
    const at = e.at.getTime();
    if (at > stop) break;
    credit(at);
    if (e.action === 'assignee') owner = e.to;
    else {
      status = e.to ?? status;
      if (status === 'new') owner = null;
    }
  }
  credit(stop);
  return per;
}

/**
 * What one ticket adds to the hourly buckets, from its recorded times alone, under its
 * current team / channel / type / priority / assignee:
 * - `created` in the hour it was created;
 * - `wait_*` (created → accepted) in the hour it was accepted;
 * - `frt_*` (created → first sent reply; notes never set it) in the hour of that reply;
 * - `res_*` (created → resolved, the last resolve) in the hour it was resolved, while it is
 *   resolved or closed; with `handled` (per agent) and the SLA outcome: `sla_tracked` when
 *   it had a first-response or resolution target, `sla_met` when every target it had was met;
 * - `nrt_*` (a customer message after a sent reply → the next sent reply) in the hour of that reply;
 * - handle time at the last resolve, while resolved or closed: `tht_*` (the ticket's total) under
 *   its current dimensions and `ht_*` (each owner's share) under that owner, in the other
 *   dimensions of the ticket (see {@link handleTimes}).
 * A ticket merged into another counts as created only.
 */
export function contributionOf(t: StatTicket, history: StatHistory = NO_HISTORY): Contribution {
  const out: Contribution = new Map();
  const base = {
    team: t.team?.toString() ?? '',
    channel: t.channel,
    type: t.type,
    priority: t.priority,
    agent: t.assignee?.toString() ?? '',
  };
  const add = (at: Date, counters: Array<[string, number]>, agent = base.agent) => {
    const dims = { ...base, agent, hour: hourOf(at) };
    const key = bucketKey(dims);
    const row = out.get(key) ?? { dims, counters: new Map<string, number>() };
    for (const [f, n] of counters) row.counters.set(f, (row.counters.get(f) ?? 0) + n);
    out.set(key, row);
  };
  const duration = (prefix: string, ms: number): Array<[string, number]> => [
    [`${prefix}_count`, 1],
    [`${prefix}_sum`, ms],
    [`${prefix}_h${binOf(ms)}`, 1],
  ];
  const created = t.createdAt.getTime();
  add(t.createdAt, [['created', 1]]);
  if (t.mergedInto) return out;
  if (t.acceptedAt) add(t.acceptedAt, duration('wait', t.acceptedAt.getTime() - created));
  if (t.firstResponseAt) add(t.firstResponseAt, duration('frt', t.firstResponseAt.getTime() - created));
  if (t.resolvedAt && (t.status === 'resolved' || t.status === 'closed')) {
    const counters = duration('res', t.resolvedAt.getTime() - created);
    counters.push(['handled', 1]);
    const frDue = t.sla?.firstResponseDueAt ?? null;
    const resDue = t.sla?.resolutionDueAt ?? null;
    if (frDue || resDue) {
      const frMet = !frDue || (t.firstResponseAt !== null && t.firstResponseAt.getTime() <= frDue.getTime());
      const resMet = !resDue || t.resolvedAt.getTime() <= resDue.getTime();
      counters.push(['sla_tracked', 1]);
      if (frMet && resMet) counters.push(['sla_met', 1]);
    }
    add(t.resolvedAt, counters);
    const handled = handleTimes(t.createdAt, history.events, t.resolvedAt);
    let total = 0;
    for (const [agent, ms] of handled) {
      total += ms;
      add(t.resolvedAt, duration('ht', ms), agent);
    }
    if (handled.size > 0) add(t.resolvedAt, duration('tht', total));
  }
  for (const [at, ms] of nextResponses(history.customerMessagesAt, replySendTimes(history.events))) add(new Date(at), duration('nrt', ms));
  // The customer's satisfaction answer, in the hour it was given (CSAT: the share of 4 and 5).
  if (t.csat && t.csat.score >= 1 && t.csat.score <= 5) add(t.csat.at, [['csat_count', 1], ['csat_sum', t.csat.score], ...(t.csat.score >= 4 ? [['csat_satisfied', 1] as [string, number]] : [])]);
  return out;
}

/** The counters to add to go from `before` to `after`, per bucket key (zero changes left out). */
export function difference(before: Contribution, after: Contribution): Contribution {
  const out: Contribution = new Map();
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const a = after.get(key);
    const b = before.get(key);
    const dims = a?.dims ?? b?.dims ?? dimsOfKey(key);
    const counters = new Map<string, number>();
    for (const f of new Set([...(a?.counters.keys() ?? []), ...(b?.counters.keys() ?? [])])) {
      const n = (a?.counters.get(f) ?? 0) - (b?.counters.get(f) ?? 0);
      if (n !== 0) counters.set(f, n);
    }
    if (counters.size > 0) out.set(key, { dims, counters });
  }
  return out;
}
