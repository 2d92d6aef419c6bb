import type { Redis } from 'ioredis';
import { localTime, zonedTime } from '../routing/business-hours.calculator';
import type { OpenTicket } from './stat-bucket.model';
import type { Contribution } from './stats.contribution';

/**
 * Read-optimised copies of the hourly buckets, in Redis, so the dashboard never scans the
 * bucket collection (FerretDB scans for any read not by `_id`; MongoDB would use its index,
 * but the rollups are faster there too).
 *
 * Every bucket change is added (HINCRBY, in one MULTI with the rest of the change) to *slots*:
 * its UTC hour (`h:<ISO hour>`, kept `hourlyRetentionDays`) and its local day in each zone of
 * `zones` (`d:<zone>:<YYYY-MM-DD>`, kept). In each slot, three kinds of *row* (a Redis hash of
 * counters; the slot's set lists its rows):
 * - `G`: every ticket; `T|<team>`: one team's tickets (team '' = none). Both hold every counter
 *   but the agents' shares of handle time (`ht_*`), plus the volumes by channel (`vc_<channel>`)
 *   and by type (`vt_<type>`);
 * - `A|<team>|<agent>`: one assignee's tickets in one team: every counter but the ticket's total
 *   handle time (`tht_*`), with the same volumes.
 * A period is answered from the fewest slots that cover exactly its hours (local days of the
 * zone asked for where they are kept, UTC hours at the edges), summed inside Redis by one
 * script, so the reply is the totals, not the rows.
 *
 * What the rows cannot answer (a filter on channel, type or priority; hours older than the
 * retention; rollups that are not complete, e.g. after Redis lost its data) is read from the
 * buckets instead: see {@link StatRollups.ready}.
 */

export type RowKind = 'G' | 'T' | 'A';
export type GroupBy = 'none' | 'slot' | 'team' | 'agent';

/** One slot to read, and the output group it adds to when grouping by slot. */
export interface PlannedSlot {
  slot: string;
  label: string;
}

export interface RollupRead {
  kind: RowKind;
  groupBy: GroupBy;
  /** Null: every team (and tickets without one). */
  teams: string[] | null;
  agent?: string;
  slots: PlannedSlot[];
}

export interface StatRollups {
  readonly zones: readonly string[];
  /** Adds a bucket difference to the rollups (one MULTI: all of it or nothing). */
  apply(diff: Contribution): Promise<void>;
  /**
   * True when the rollups hold every bucket (marked by a rebuild, or at a start with no buckets
   * yet) for these zones and this retention.
   */
  ready(): Promise<boolean>;
  /** Marks the rollups complete when there is nothing to hold yet (a new installation). */
  markReadyIfEmpty(bucketsExist: boolean): Promise<void>;
  /** Drops every rollup and the ready mark (before a rebuild refills them). */
  clear(): Promise<void>;
  markReady(): Promise<void>;
  /**
   * The slots covering exactly the hours starting in [from, to), local days of `tz` where they
   * are kept (UTC days otherwise), hours at the edges; null when an hour slot needed is older
   * than the retention.
   */
  plan(from: Date, to: Date, tz: string, label?: string): PlannedSlot[] | null;
  /** The summed counters of the rows asked for, per group ('' when not grouped). */
  read(q: RollupRead): Promise<Map<string, Record<string, number>>>;
  /** Every row of every slot, sorted (for comparing a rebuild with the live rollups). */
  dump(): Promise<Array<{ key: string; counters: Record<string, number> }>>;
  /** Moves an open ticket between the backlog sets (null: not in the backlog). */
  moveOpen(ticketId: string, before: OpenTicket | null, after: OpenTicket | null): Promise<void>;
  /**
   * Open tickets by age at `now` (created in (now − hi, now − lo]), of some teams (null: all)
   * or of one assignee.
   */
  backlog<A extends string>(of: { teams: string[] | null } | { agent: string }, ages: ReadonlyArray<readonly [A, number, number]>, now: number): Promise<Array<{ age: A; count: number }>>;
  /** Every backlog set's members, sorted (for comparing a rebuild with the live sets). */
  dumpBacklog(): Promise<Record<string, string[]>>;
}

export interface RollupOptions {
  redis: Redis;
  prefix: string;
  /** IANA zones whose local days are kept as slots (UTC always is). */
  zones: readonly string[];
  hourlyRetentionDays: number;
  now?: () => number;
}

/** What the ready mark records: when, and with which zones and retention, the rollups were complete. */
interface ReadyMark {
  at: string;
  zones: string[];
  hourlyRetentionDays: number;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Sums rows inside Redis. KEYS: slot names. ARGV: key prefix, row kind, group-by, teams
 * (`*` or a list each followed by a comma), agent ('' = any), then one label per slot.
 * Reply: group, [field, value, ...], group, [...], ...
 */
const READ = `
local p, kind, groupBy, teamArg, agent = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local anyTeam = teamArg == '*'
local teams = {}
if not anyTeam then for t in string.gmatch(teamArg, '([^,]*),') do teams[t] = true end end
local acc, order = {}, {}
for i, slot in ipairs(KEYS) do
  local rows
  if kind == 'G' then rows = {'G'} else rows = redis.call('SMEMBERS', p .. slot) end
  for _, row in ipairs(rows) do
    local ok, team, ag = false, '', ''
    if kind == 'G' then ok = true
    elseif kind == 'T' and string.sub(row, 1, 2) == 'T|' then
      team = string.sub(row, 3)
      ok = anyTeam or teams[team] == true
    elseif kind == 'A' and string.sub(row, 1, 2) == 'A|' then
      local sep = string.find(row, '|', 3, true)
      team = string.sub(row, 3, sep - 1)
      ag = string.sub(row, sep + 1)
      ok = (anyTeam or teams[team] == true) and (agent == '' or agent == ag)
    end
    if ok then
      local g = ''
      if groupBy == 'slot' then g = ARGV[5 + i] elseif groupBy == 'team' then g = team elseif groupBy == 'agent' then g = ag end
      local a = acc[g]
      if not a then a = {}; acc[g] = a; order[#order + 1] = g end
      local h = redis.call('HGETALL', p .. slot .. '#' .. row)
      for j = 1, #h, 2 do a[h[j]] = (a[h[j]] or 0) + tonumber(h[j + 1]) end
    end
  end
end
local out = {}
for _, g in ipairs(order) do
  local flat = {}
  for f, v in pairs(acc[g]) do flat[#flat + 1] = f; flat[#flat + 1] = string.format('%.0f', v) end
  out[#out + 1] = g
  out[#out + 1] = flat
end
return out
`;

export function createStatRollups(opts: RollupOptions): StatRollups {
  const { redis } = opts;
  const base = `${opts.prefix}:stats:r:`;
  const openBase = `${opts.prefix}:stats:open:`;
  const openKeys = (o: OpenTicket) => [`${openBase}all`, `${openBase}t:${o.team}`, ...(o.agent ? [`${openBase}a:${o.agent}`] : [])];
  const readyKey = `${opts.prefix}:stats:rollups-ready`;
  const zones = [...new Set(['UTC', ...opts.zones])];
  const now = opts.now ?? (() => Date.now());
  const retentionMs = opts.hourlyRetentionDays * DAY;
  const mark = (): ReadyMark => ({ at: new Date(now()).toISOString(), zones, hourlyRetentionDays: opts.hourlyRetentionDays });

  /** Local dates of an hour in each zone, remembered (a bucket hour is written many times). */
  const dayCache = new Map<number, string[]>();
  const daysOf = (hour: number): string[] => {
    let out = dayCache.get(hour);
    if (!out) {
      out = zones.map((z) => `d:${z}:${localDate(hour, z)}`);
      if (dayCache.size > 5000) dayCache.clear();
      dayCache.set(hour, out);
    }
    return out;
  };
  const hourSlot = (hour: number) => `h:${new Date(hour).toISOString().slice(0, 13)}`;

  let sha: string | null = null;
  async function script(keys: string[], args: string[]): Promise<unknown> {
    if (!sha) sha = String(await redis.script('LOAD', READ));
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (err instanceof Error && err.message.includes('NOSCRIPT')) return redis.eval(READ, keys.length, ...keys, ...args);
      throw err;
    }
  }

  /** Mid(day) for a local date of `tz`: the instant its local midnight falls on. */
  const midnight = (date: string, tz: string, plusDays = 0): number => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    return zonedTime(y, m, d + plusDays, 0, tz);
  };

  return {
    zones,

    async apply(diff) {
      if (diff.size === 0) return;
      // Summed per row first: a large difference (a rebuild's) is one HINCRBY per row and counter.
      const incs = new Map<string, Map<string, number>>();
      const members = new Map<string, Set<string>>();
      const expiries = new Map<string, number>();
      for (const { dims, counters } of diff.values()) {
        const hour = dims.hour.getTime();
        const shared: Array<[string, number]> = [];
        const own: Array<[string, number]> = [];
        for (const [f, n] of counters) {
          if (!f.startsWith('ht_')) shared.push([f, n]);
          if (!f.startsWith('tht_')) own.push([f, n]);
          if (f === 'created') {
            shared.push([`vc_${dims.channel}`, n], [`vt_${dims.type}`, n]);
            own.push([`vc_${dims.channel}`, n], [`vt_${dims.type}`, n]);
          }
        }
        const rows: Array<[string, Array<[string, number]>]> = [];
        if (shared.length > 0) rows.push(['G', shared], [`T|${dims.team}`, shared]);
        if (dims.agent && own.length > 0) rows.push([`A|${dims.team}|${dims.agent}`, own]);
        const hs = hourSlot(hour);
        for (const slot of [hs, ...daysOf(hour)]) {
          const set = members.get(slot) ?? new Set<string>();
          members.set(slot, set);
          for (const [row, fields] of rows) {
            const key = `${base}${slot}#${row}`;
            const acc = incs.get(key) ?? new Map<string, number>();
            incs.set(key, acc);
            for (const [f, n] of fields) acc.set(f, (acc.get(f) ?? 0) + n);
            set.add(row);
            if (slot === hs) expiries.set(key, hour + HOUR + retentionMs);
          }
          if (slot === hs) expiries.set(`${base}${slot}`, hour + HOUR + retentionMs);
        }
      }
      const m = redis.multi();
      for (const [key, acc] of incs) for (const [f, n] of acc) if (n !== 0) m.hincrby(key, f, n);
      for (const [slot, rows] of members) if (rows.size > 0) m.sadd(`${base}${slot}`, ...rows);
      for (const [key, at] of expiries) m.pexpireat(key, at);
      await exec(m);
    },

    async ready() {
      // Complete for what they were built with: a zone added or a longer retention since then
      // has no past rows yet, so they are not trusted until a rebuild.
      const raw = await redis.get(readyKey);
      if (!raw) return false;
      try {
        const mark = JSON.parse(raw) as Partial<ReadyMark>;
        return (mark.hourlyRetentionDays ?? 0) >= opts.hourlyRetentionDays && zones.every((z) => (mark.zones ?? []).includes(z));
      } catch {
        return false;
      }
    },

    async markReadyIfEmpty(bucketsExist) {
      if (!bucketsExist) await redis.set(readyKey, JSON.stringify(mark()), 'NX');
    },

    async markReady() {
      await redis.set(readyKey, JSON.stringify(mark()));
    },

    async clear() {
      await redis.del(readyKey);
      for (const pattern of [`${base}*`, `${openBase}*`]) {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) await redis.unlink(...keys);
        } while (cursor !== '0');
      }
    },

    plan(from, to, tz, label = '') {
      const dayZone = zones.includes(tz) ? tz : 'UTC';
      const horizon = now() - retentionMs;
      const out: PlannedSlot[] = [];
      let t = Math.ceil(from.getTime() / HOUR) * HOUR;
      const end = to.getTime();
      while (t < end) {
        const date = localDate(t, dayZone);
        const m0 = midnight(date, dayZone);
        const m1 = midnight(date, dayZone, 1);
        // The whole local day's hours are in the period, and t is its first hour: one day slot.
        if (m0 >= from.getTime() && m1 <= end && t - HOUR < m0) {
          out.push({ slot: `d:${dayZone}:${date}`, label });
          t = Math.ceil(m1 / HOUR) * HOUR;
          continue;
        }
        if (t < horizon) return null;
        out.push({ slot: hourSlot(t), label });
        t += HOUR;
      }
      return out;
    },

    async read(q) {
      const out = new Map<string, Record<string, number>>();
      if (q.slots.length === 0) return out;
      const teamArg = q.teams === null ? '*' : q.teams.map((t) => `${t},`).join('');
      const reply = (await script(
        q.slots.map((s) => s.slot),
        [base, q.kind, q.groupBy, teamArg, q.agent ?? '', ...q.slots.map((s) => s.label)],
      )) as Array<string | string[]>;
      for (let i = 0; i + 1 < reply.length; i += 2) {
        const flat = reply[i + 1] as string[];
        const counters: Record<string, number> = {};
        for (let j = 0; j + 1 < flat.length; j += 2) counters[flat[j]!] = Number(flat[j + 1]);
        out.set(String(reply[i]), counters);
      }
      return out;
    },

    async moveOpen(ticketId, before, after) {
      const m = redis.multi();
      if (before) for (const k of openKeys(before)) m.zrem(k, ticketId);
      if (after) for (const k of openKeys(after)) m.zadd(k, after.createdAt, ticketId);
      await exec(m);
    },

    async backlog(of, ages, at) {
      const keys = 'agent' in of ? [`${openBase}a:${of.agent}`] : of.teams === null ? [`${openBase}all`] : of.teams.map((t) => `${openBase}t:${t}`);
      const p = redis.pipeline();
      for (const [, lo, hi] of ages) for (const k of keys) p.zcount(k, Number.isFinite(hi) ? `(${at - hi}` : '-inf', String(at - lo));
      const replies = (await p.exec()) ?? [];
      return ages.map(([age], i) => ({
        age,
        count: keys.reduce((sum, _k, j) => sum + Number(replies[i * keys.length + j]?.[1] ?? 0), 0),
      }));
    },

    async dumpBacklog() {
      const out: Record<string, string[]> = {};
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${openBase}*`, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) {
          const flat = await redis.zrange(key, 0, -1, 'WITHSCORES');
          const members: string[] = [];
          for (let i = 0; i + 1 < flat.length; i += 2) members.push(`${flat[i]}@${flat[i + 1]}`);
          if (members.length > 0) out[key.slice(openBase.length)] = members.sort();
        }
      } while (cursor !== '0');
      return out;
    },

    async dump() {
      const rows: Array<{ key: string; counters: Record<string, number> }> = [];
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${base}*#*`, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) {
          const h = await redis.hgetall(key);
          const counters = Object.fromEntries(
            Object.entries(h)
              .map(([f, v]) => [f, Number(v)] as const)
              .filter(([, v]) => v !== 0)
              .sort(([a], [b]) => a.localeCompare(b)),
          );
          if (Object.keys(counters).length > 0) rows.push({ key: key.slice(base.length), counters });
        }
      } while (cursor !== '0');
      return rows.sort((a, b) => a.key.localeCompare(b.key));
    },
  };
}

/** Runs a MULTI, throwing the first command's error (ioredis reports them per command). */
async function exec(m: ReturnType<Redis['multi']>): Promise<void> {
  const replies = await m.exec();
  const failed = replies?.find(([err]) => err);
  if (failed?.[0]) throw failed[0];
}

/** `YYYY-MM-DD` of instant `ms` in `tz`. */
export function localDate(ms: number, tz: string): string {
  const l = localTime(ms, tz);
  return `${l.year}-${pad(l.month)}-${pad(l.day)}`;
}
