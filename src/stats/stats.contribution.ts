import type { TicketDoc } from '../tickets/ticket.model';
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
>;

/**
 * What one ticket adds to the hourly buckets, from its recorded times alone, under its
 * current team / channel / type / priority / assignee:
 * - `created` in the hour it was created;
 * - `wait_*` (created → accepted) in the hour it was accepted;
 * - `frt_*` (created → first sent reply; notes never set it) in the hour of that reply;
 * - `res_*` (created → resolved, the last resolve) in the hour it was resolved, while it is
 *   resolved or closed; with `handled` (per agent) and the SLA outcome: `sla_tracked` when
 *   it had a first-response or resolution target, `sla_met` when every target it had was met.
 * A ticket merged into another counts as created only.
 */
export function contributionOf(t: StatTicket): Contribution {
  const out: Contribution = new Map();
  const base = {
    team: t.team?.toString() ?? '',
    channel: t.channel,
    type: t.type,
    priority: t.priority,
    agent: t.assignee?.toString() ?? '',
  };
  const add = (at: Date, counters: Array<[string, number]>) => {
    const dims = { ...base, hour: hourOf(at) };
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
  }
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
