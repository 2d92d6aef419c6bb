/**
 * Lua scripts: every claim and every capacity change happens inside one of these, so it
 * is atomic across all hub processes sharing the Redis (architecture invariant 3).
 *
 * Keys (all under `<prefix>:rt:`, passed as ARGV[1]; the keys are built inside the
 * scripts, so this needs a standalone Redis or a Redis Cluster prefix with a hash tag):
 *   agent:<id>                 hash   profile, status, limits, lastAssignedAt
 *   agent:<id>:load:<kind>     set    ticket ids counted against the chat / async limit
 *   agent:<id>:offers          set    ticket ids offered and not yet answered
 *   team:<id>:agents           set    members
 *   team:<id>:config           string routing config (JSON)
 *   team:<id>:handle:<kind>    list   recent handle times (ms) for wait estimates
 *   queue:<team>:<kind>        zset   queued ticket ids by score (queue.score.ts)
 *   ticket:<id>                hash   routing facts and state (queued / offered / assigned)
 *   ticket:<id>:declined       set    agents who declined (never offered it again automatically)
 *   ticket:<id>:missed         zset   agents who let an offer expire, by the end of their cool-down (ms)
 *   contact:<id>:last-agent    string the agent who last served the contact (sticky)
 *   offer-deadlines            zset   offered ticket ids by expiry (ms)
 *   cooldown-ends              zset   ticket ids by the earliest end of a missed-offer cool-down (ms)
 *   presence-grace             zset   disconnected agent ids by the end of their grace period
 *   teams / agents             sets   every known team / agent
 */

const HELPERS = `
local P = ARGV[1]
local function k(...) return P .. ':' .. table.concat({...}, ':') end
local LAST_AGENT_TTL = 2592000

-- Takes a ticket back from its agent and puts it into its queue again.
-- Checks that it is in one of the expected states (and with agent \`who\` when given).
local function requeue(tid, who, allowed, mark_declined)
  local tk = k('ticket', tid)
  local f = redis.call('HMGET', tk, 'state', 'agent', 'team', 'kind', 'score')
  local state, agent, team, kind, score = f[1], f[2], f[3], f[4], f[5]
  if not state or not allowed[state] then return nil end
  if who and who ~= '' and agent ~= who then return nil end
  if agent then
    redis.call('SREM', k('agent', agent, 'load', kind), tid)
    redis.call('SREM', k('agent', agent, 'offers'), tid)
    if mark_declined then redis.call('SADD', k('ticket', tid, 'declined'), agent) end
  end
  redis.call('ZREM', k('offer-deadlines'), tid)
  redis.call('HDEL', tk, 'agent', 'offerId', 'offerExpiresAt', 'assignedAt')
  redis.call('HSET', tk, 'state', 'queued')
  redis.call('ZADD', k('queue', team, kind), score, tid)
  return {tid, agent or '', team, kind, state}
end

-- The missed-offer cool-down of the ticket's team (its config JSON), else the default.
local function cooldown_ms(team, default)
  local raw = redis.call('GET', k('team', team, 'config'))
  if raw then
    local ok, cfg = pcall(cjson.decode, raw)
    if ok and type(cfg) == 'table' and type(cfg.missedOfferCooldownMs) == 'number' and cfg.missedOfferCooldownMs >= 0 then
      return cfg.missedOfferCooldownMs
    end
  end
  return default
end

-- Keeps cooldown-ends at the earliest cool-down end of the ticket (or drops it).
local function schedule_cooldown(tid)
  local first = redis.call('ZRANGE', k('ticket', tid, 'missed'), 0, 0, 'WITHSCORES')
  if first[2] then redis.call('ZADD', k('cooldown-ends'), first[2], tid) else redis.call('ZREM', k('cooldown-ends'), tid) end
end

-- Agent a let the offer of tid expire: not offered it again until now + ms (0 = at once).
local function add_cooldown(tid, a, team, now, default)
  local ms = cooldown_ms(team, default)
  if ms <= 0 then return end
  redis.call('ZADD', k('ticket', tid, 'missed'), now + ms, a)
  schedule_cooldown(tid)
end

local function set_last_agent(contact, a)
  if contact and contact ~= '' then redis.call('SET', k('contact', contact, 'last-agent'), a, 'EX', LAST_AGENT_TTL) end
end

-- Reserves queued ticket tid for agent a if the agent is a member of the ticket's team,
-- online (or away, for a pick), has not declined it (unless picking) and is under the limit
-- for the ticket's kind. Returns the new state, or nil. The caller checked state == queued.
local function try_reserve(tid, a, mode, expiresAt, offerId, now)
  local tk = k('ticket', tid)
  local f = redis.call('HMGET', tk, 'team', 'kind', 'contact')
  local team, kind, contact = f[1], f[2], f[3]
  local maxField = 'maxAsync'
  if kind == 'chat' then maxField = 'maxChat' end
  local af = redis.call('HMGET', k('agent', a), 'status', maxField)
  local st, max = af[1], tonumber(af[2] or '0')
  if not ((st == 'online') or (mode == 'pick' and st == 'away')) then return nil end
  if redis.call('SISMEMBER', k('team', team, 'agents'), a) == 0 then return nil end
  if mode ~= 'pick' and redis.call('SISMEMBER', k('ticket', tid, 'declined'), a) == 1 then return nil end
  if mode ~= 'pick' and redis.call('ZSCORE', k('ticket', tid, 'missed'), a) then return nil end
  local lk = k('agent', a, 'load', kind)
  if redis.call('SCARD', lk) >= max then return nil end
  redis.call('SADD', lk, tid)
  redis.call('ZREM', k('queue', team, kind), tid)
  redis.call('HSET', k('agent', a), 'lastAssignedAt', now)
  if mode == 'offer' then
    redis.call('HSET', tk, 'state', 'offered', 'agent', a, 'offerId', offerId, 'offerExpiresAt', expiresAt)
    redis.call('SADD', k('agent', a, 'offers'), tid)
    redis.call('ZADD', k('offer-deadlines'), expiresAt, tid)
    return 'offered'
  end
  redis.call('HSET', tk, 'state', 'assigned', 'agent', a, 'assignedAt', now)
  redis.call('HDEL', tk, 'needsAttention')
  set_last_agent(contact, a)
  return 'assigned'
end

-- Makes agent \`to\` the holder of ticket tid (of kind \`kind\`): the previous agent (if any)
-- loses it from their load and offers, the new one counts it, any open offer ends.
local function hand_over(tid, from, to, kind, contact, now)
  if from then
    redis.call('SREM', k('agent', from, 'load', kind), tid)
    redis.call('SREM', k('agent', from, 'offers'), tid)
  end
  redis.call('ZREM', k('offer-deadlines'), tid)
  redis.call('SADD', k('agent', to, 'load', kind), tid)
  redis.call('HSET', k('agent', to), 'lastAssignedAt', now)
  local tk = k('ticket', tid)
  redis.call('HDEL', tk, 'offerId', 'offerExpiresAt', 'needsAttention')
  redis.call('HSET', tk, 'state', 'assigned', 'agent', to, 'assignedAt', now)
  set_last_agent(contact, to)
end

local OFFERED = {offered = true}
local HELD = {offered = true, assigned = true}

local function return_offers(agent)
  local out = {}
  for _, tid in ipairs(redis.call('SMEMBERS', k('agent', agent, 'offers'))) do
    local r = requeue(tid, agent, OFFERED, false)
    if r then out[#out + 1] = r else redis.call('SREM', k('agent', agent, 'offers'), tid) end
  end
  return out
end

local function ticket_view(tid)
  local f = redis.call('HMGET', k('ticket', tid), 'team', 'kind', 'priority', 'tier', 'language', 'skills', 'contact', 'score', 'state')
  if not f[1] then return nil end
  local last = false
  if f[7] and f[7] ~= '' then last = redis.call('GET', k('contact', f[7], 'last-agent')) end
  return {tid, f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], redis.call('SMEMBERS', k('ticket', tid, 'declined')), last or '', f[9],
    redis.call('ZRANGE', k('ticket', tid, 'missed'), 0, -1)}
end

local function agent_row(a)
  local f = redis.call('HMGET', k('agent', a), 'status', 'skills', 'languages', 'maxChat', 'maxAsync', 'lastAssignedAt', 'teams')
  if not f[1] then return nil end
  return {a, f[1], f[2], f[3], f[4], f[5], f[6] or '0',
    redis.call('SCARD', k('agent', a, 'load', 'chat')), redis.call('SCARD', k('agent', a, 'load', 'async')), f[7]}
end
`;

function script(body: string): string {
  return `${HELPERS}\n${body}`;
}

/** ARGV: P, tid, team, kind, channel, priority, tier, language, skillsJson, contact, since, score, now */
export const ENQUEUE = script(`
local tid, team, kind = ARGV[2], ARGV[3], ARGV[4]
local tk = k('ticket', tid)
local state = redis.call('HGET', tk, 'state')
if state then return {'exists', state, redis.call('HGET', tk, 'team') or ''} end
redis.call('HSET', tk, 'team', team, 'kind', kind, 'channel', ARGV[5], 'priority', ARGV[6], 'tier', ARGV[7],
  'language', ARGV[8], 'skills', ARGV[9], 'contact', ARGV[10], 'since', ARGV[11], 'score', ARGV[12],
  'state', 'queued', 'queuedAt', ARGV[13])
redis.call('ZADD', k('queue', team, kind), ARGV[12], tid)
redis.call('SADD', k('teams'), team)
return {'queued', 'queued', team}
`);

/**
 * The reservation: walks the ranked candidates and reserves the first agent that is still
 * a team member, online (not offline for a pick), under its limit for the ticket's kind
 * and has not declined this ticket; removes the ticket from its queue in the same step.
 * ARGV: P, tid, now, mode (offer | assign | pick), offerExpiresAt, offerId, candidates...
 */
export const RESERVE = script(`
local tid, now, mode = ARGV[2], ARGV[3], ARGV[4]
local state = redis.call('HGET', k('ticket', tid), 'state')
if state ~= 'queued' then return {'not_queued', state or ''} end
for i = 7, #ARGV do
  local got = try_reserve(tid, ARGV[i], mode, ARGV[5], ARGV[6], now)
  if got then return {'reserved', ARGV[i], got} end
end
return {'no_agent', state}
`);

/**
 * The mirror image, for an agent who just got a free slot: walks the ranked candidate
 * tickets and reserves the first one still queued that the agent may take (same checks).
 * Concurrent calls for different agents fan out over the list instead of retrying.
 * ARGV: P, agent, now, then per ticket: tid, mode, offerExpiresAt, offerId
 */
export const RESERVE_FOR_AGENT = script(`
local a, now = ARGV[2], ARGV[3]
local gone = 0
for i = 4, #ARGV, 4 do
  local tid = ARGV[i]
  if redis.call('HGET', k('ticket', tid), 'state') == 'queued' then
    local got = try_reserve(tid, a, ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], now)
    if got then return {'reserved', tid, got, ARGV[i + 3], ARGV[i + 2]} end
  else
    gone = gone + 1
  end
end
return {'none', gone}
`);

/** ARGV: P, tid, agent, now, offerId ('' = any) */
export const ACCEPT = script(`
local tid, agent, now = ARGV[2], ARGV[3], tonumber(ARGV[4])
local tk = k('ticket', tid)
local f = redis.call('HMGET', tk, 'state', 'agent', 'offerExpiresAt', 'offerId', 'team', 'kind', 'contact')
if f[1] ~= 'offered' or f[2] ~= agent then return {'not_offered', f[1] or '', f[2] or ''} end
if ARGV[5] ~= '' and f[4] ~= ARGV[5] then return {'not_offered', f[1], f[2]} end
if tonumber(f[3] or '0') < now then return {'expired', f[1], f[2]} end
redis.call('HSET', tk, 'state', 'assigned', 'assignedAt', ARGV[4])
redis.call('HDEL', tk, 'offerId', 'offerExpiresAt', 'needsAttention')
redis.call('SREM', k('agent', agent, 'offers'), tid)
redis.call('ZREM', k('offer-deadlines'), tid)
set_last_agent(f[7], agent)
return {'ok', f[5], f[6]}
`);

/** ARGV: P, tid, agent. The decliner is remembered and never offered this ticket again automatically. */
export const DECLINE = script(`
local r = requeue(ARGV[2], ARGV[3], OFFERED, true)
if not r then return {'not_offered'} end
return {'ok', r}
`);

/**
 * ARGV: P, now, limit, default cool-down (ms). Returns the expired offers, each already back
 * in its queue. A missed offer is not a decline: the agent gets a cool-down for the ticket
 * (the team's missedOfferCooldownMs) and is offered it again after it.
 */
export const EXPIRE_OFFERS = script(`
local now = tonumber(ARGV[2])
local out = {}
for _, tid in ipairs(redis.call('ZRANGEBYSCORE', k('offer-deadlines'), '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))) do
  redis.call('ZREM', k('offer-deadlines'), tid)
  local exp = tonumber(redis.call('HGET', k('ticket', tid), 'offerExpiresAt') or '0')
  if exp <= now then
    local r = requeue(tid, nil, OFFERED, false)
    if r then
      if r[2] ~= '' then add_cooldown(tid, r[2], r[3], now, tonumber(ARGV[4])) end
      out[#out + 1] = r
    end
  end
end
return out
`);

/**
 * ARGV: P, now, limit. Ends the missed-offer cool-downs due by now; returns {tid, team} of the
 * tickets still queued (their team's queue is routed again: the agent may take it now).
 */
export const EXPIRE_COOLDOWNS = script(`
local out = {}
for _, tid in ipairs(redis.call('ZRANGEBYSCORE', k('cooldown-ends'), '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))) do
  redis.call('ZREMRANGEBYSCORE', k('ticket', tid, 'missed'), '-inf', ARGV[2])
  schedule_cooldown(tid)
  local f = redis.call('HMGET', k('ticket', tid), 'state', 'team')
  if f[1] == 'queued' then out[#out + 1] = {tid, f[2]} end
end
return out
`);

/**
 * ARGV: P, tid, reason. Flags a queued ticket for supervisors (nobody who could take it will);
 * 1 only for the call that set the flag (it clears when the ticket is assigned).
 */
export const FLAG_ATTENTION = script(`
local tk = k('ticket', ARGV[2])
if redis.call('HGET', tk, 'state') ~= 'queued' then return 0 end
return redis.call('HSETNX', tk, 'needsAttention', ARGV[3])
`);

/** ARGV: P, team. Every online member of the team (agent rows). */
export const ONLINE_MEMBERS = script(`
local out = {}
for _, a in ipairs(redis.call('SMEMBERS', k('team', ARGV[2], 'agents'))) do
  if redis.call('HGET', k('agent', a), 'status') == 'online' then
    local row = agent_row(a)
    if row then out[#out + 1] = row end
  end
end
return out
`);

/** ARGV: P, tid. The ticket as the strategies see it (with its state), or {}. */
export const TICKET_VIEW = script(`
local v = ticket_view(ARGV[2])
if not v then return {} end
return v
`);

/**
 * ARGV: P, agent, status, now, requeueOpenChats ('1' | '0').
 * Leaving `online` returns unaccepted offers; going offline can also return open chats.
 */
export const SET_STATUS = script(`
local a, status = ARGV[2], ARGV[3]
local ak = k('agent', a)
local prev = redis.call('HGET', ak, 'status')
if not prev then return {'unknown'} end
redis.call('ZREM', k('presence-grace'), a)
if prev ~= status then redis.call('HSET', ak, 'status', status, 'statusSince', ARGV[4]) end
local offers, chats = {}, {}
if status ~= 'online' then
  offers = return_offers(a)
  if status == 'offline' and ARGV[5] == '1' then
    for _, tid in ipairs(redis.call('SMEMBERS', k('agent', a, 'load', 'chat'))) do
      local r = requeue(tid, a, {assigned = true}, false)
      if r then chats[#chats + 1] = r end
    end
  end
end
return {'ok', prev, offers, chats}
`);

/** ARGV: P, agent, deadline. Only for a known agent. */
export const DISCONNECT = script(`
if redis.call('EXISTS', k('agent', ARGV[2])) == 0 then return 0 end
redis.call('ZADD', k('presence-grace'), ARGV[3], ARGV[2])
return 1
`);

/** ARGV: P, now, limit. Online agents whose grace period ended become away. */
export const EXPIRE_GRACE = script(`
local out = {}
for _, a in ipairs(redis.call('ZRANGEBYSCORE', k('presence-grace'), '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))) do
  redis.call('ZREM', k('presence-grace'), a)
  if redis.call('HGET', k('agent', a), 'status') == 'online' then
    redis.call('HSET', k('agent', a), 'status', 'away', 'statusSince', ARGV[2])
    out[#out + 1] = {a, return_offers(a)}
  end
end
return out
`);

/** ARGV: P, tid, now. Frees the agent's capacity and forgets the ticket. */
export const RELEASE = script(`
local tid, now = ARGV[2], tonumber(ARGV[3])
local tk = k('ticket', tid)
local f = redis.call('HMGET', tk, 'state', 'agent', 'team', 'kind', 'assignedAt')
local state, agent, team, kind = f[1], f[2], f[3], f[4]
if not state then return {'unknown'} end
if agent then
  redis.call('SREM', k('agent', agent, 'load', kind), tid)
  redis.call('SREM', k('agent', agent, 'offers'), tid)
end
if state == 'assigned' and f[5] then
  local hk = k('team', team, 'handle', kind)
  redis.call('LPUSH', hk, tostring(math.max(0, now - tonumber(f[5]))))
  redis.call('LTRIM', hk, 0, 49)
end
redis.call('ZREM', k('queue', team, kind), tid)
redis.call('ZREM', k('offer-deadlines'), tid)
redis.call('ZREM', k('cooldown-ends'), tid)
redis.call('DEL', tk, k('ticket', tid, 'declined'), k('ticket', tid, 'missed'))
return {'released', state, agent or '', team, kind}
`);

/** ARGV: P, tid, markDeclined ('1' | '0'). Takes an offered or assigned ticket back to its queue. */
export const REQUEUE = script(`
local r = requeue(ARGV[2], nil, HELD, ARGV[3] == '1')
if not r then return {'not_held'} end
return {'ok', r}
`);

/**
 * Agent → agent: moves the ticket and its capacity in one step. The target must be online
 * (unless forced) and under its limit; it need not be in the ticket's team.
 * ARGV: P, tid, from ('' = whoever holds it), to, now, force ('1' | '0')
 */
export const TRANSFER_TO_AGENT = script(`
local tid, from, to, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local tk = k('ticket', tid)
local f = redis.call('HMGET', tk, 'state', 'agent', 'team', 'kind', 'contact')
local state, agent, team, kind, contact = f[1], f[2], f[3], f[4], f[5]
if state ~= 'assigned' and state ~= 'offered' then return {'not_held', state or ''} end
if from ~= '' and agent ~= from then return {'not_holder', agent or ''} end
if agent == to then return {'same_agent'} end
local maxField = 'maxAsync'
if kind == 'chat' then maxField = 'maxChat' end
local tf = redis.call('HMGET', k('agent', to), 'status', maxField)
if not tf[1] then return {'unknown_agent'} end
if tf[1] ~= 'online' and ARGV[6] ~= '1' then return {'target_unavailable', tf[1]} end
if redis.call('SCARD', k('agent', to, 'load', kind)) >= tonumber(tf[2] or '0') then return {'target_full'} end
hand_over(tid, agent, to, kind, contact, now)
return {'ok', agent, team, kind}
`);

/**
 * A person (an agent taking it, a supervisor assigning it) decided who owns the ticket:
 * whatever its state (queued, offered, assigned to someone else), it becomes assigned to
 * `to` and counts against their capacity, even above their limit and whatever their
 * status. Automatic routing never offers an agent more while they are at or over their
 * limit (try_reserve and SNAPSHOT compare the load with it), so an overloaded agent gets
 * new work only once they are back below it. The agent must be known to routing. With an
 * expected holder ('' = nobody, '*' = whoever), an assigned ticket held by someone else is
 * refused (two people taking the same ticket at once: the first wins).
 * ARGV: P, tid, to, now, expected
 */
export const ASSIGN_MANUALLY = script(`
local tid, to, now, expected = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local tk = k('ticket', tid)
local f = redis.call('HMGET', tk, 'state', 'agent', 'team', 'kind', 'contact')
local state, agent, team, kind, contact = f[1], f[2], f[3], f[4], f[5]
if not state then return {'unknown'} end
if redis.call('EXISTS', k('agent', to)) == 0 then return {'unknown_agent'} end
if state == 'assigned' and agent == to then return {'same_agent', '', team, kind, state} end
if state == 'assigned' and expected ~= '*' and (agent or '') ~= expected then return {'not_holder', agent or ''} end
redis.call('ZREM', k('queue', team, kind), tid)
hand_over(tid, agent, to, kind, contact, now)
local from = agent or ''
if from == to then from = '' end
return {'ok', from, team, kind, state}
`);

/**
 * Agent → team: frees the agent, moves the ticket into the other team's queue keeping its
 * place in time; the previous agent is not offered it again.
 * ARGV: P, tid, from ('' = whoever holds it), team, skillsJson
 */
export const TRANSFER_TO_TEAM = script(`
local tid, from, newTeam = ARGV[2], ARGV[3], ARGV[4]
local tk = k('ticket', tid)
local f = redis.call('HMGET', tk, 'state', 'agent', 'team', 'kind', 'score')
local state, agent, team, kind, score = f[1], f[2], f[3], f[4], f[5]
if not state then return {'unknown'} end
if from ~= '' and agent ~= from then return {'not_holder', agent or ''} end
if agent then
  redis.call('SREM', k('agent', agent, 'load', kind), tid)
  redis.call('SREM', k('agent', agent, 'offers'), tid)
  redis.call('SADD', k('ticket', tid, 'declined'), agent)
end
redis.call('ZREM', k('offer-deadlines'), tid)
redis.call('ZREM', k('queue', team, kind), tid)
redis.call('HDEL', tk, 'agent', 'offerId', 'offerExpiresAt', 'assignedAt', 'needsAttention')
redis.call('HSET', tk, 'state', 'queued', 'team', newTeam, 'skills', ARGV[5])
redis.call('ZADD', k('queue', newTeam, kind), score, tid)
redis.call('SADD', k('teams'), newTeam)
return {'ok', agent or '', team, kind}
`);

/** ARGV: P, tid, priority, score. Re-sorts a queued ticket (escalation). */
export const REPRIORITIZE = script(`
local tk = k('ticket', ARGV[2])
local f = redis.call('HMGET', tk, 'state', 'team', 'kind')
if not f[1] then return {'unknown'} end
redis.call('HSET', tk, 'priority', ARGV[3], 'score', ARGV[4])
if f[1] == 'queued' then redis.call('ZADD', k('queue', f[2], f[3]), 'XX', ARGV[4], ARGV[2]) end
return {'ok', f[1]}
`);

/**
 * ARGV: P, agent, name, teamsJson, skillsJson, languagesJson, maxChat, maxAsync, team...
 * New agents start offline; membership sets follow the team list.
 */
export const UPSERT_AGENT = script(`
local a = ARGV[2]
local ak = k('agent', a)
local old = redis.call('HGET', ak, 'teams')
local keep = {}
for i = 9, #ARGV do keep[ARGV[i]] = true end
if old then
  for _, t in ipairs(cjson.decode(old)) do
    if not keep[t] then redis.call('SREM', k('team', t, 'agents'), a) end
  end
end
for i = 9, #ARGV do
  redis.call('SADD', k('team', ARGV[i], 'agents'), a)
  redis.call('SADD', k('teams'), ARGV[i])
end
redis.call('HSET', ak, 'name', ARGV[3], 'teams', ARGV[4], 'skills', ARGV[5], 'languages', ARGV[6], 'maxChat', ARGV[7], 'maxAsync', ARGV[8])
redis.call('HSETNX', ak, 'status', 'offline')
redis.call('HSETNX', ak, 'lastAssignedAt', '0')
redis.call('SADD', k('agents'), a)
return 1
`);

/**
 * ARGV: P, team, window, includeAgents ('1' | '0').
 * Returns {configJson, agents, chat queue head, async queue head}; agents are only those
 * online with a free slot of a kind that has waiting tickets (nobody else could be chosen).
 */
export const SNAPSHOT = script(`
local team, window, withAgents = ARGV[2], tonumber(ARGV[3]), ARGV[4] == '1'
local kinds = {'chat', 'async'}
-- Routing (withAgents): first who could take work, online with a free slot of a kind; the
-- queue heads of a kind nobody can take now are not read at all (a busy floor, or nobody
-- online, costs a few reads per drain instead of a window of tickets).
local free = {chat = {}, async = {}}
local want = {chat = true, async = true}
if withAgents then
  want.chat, want.async = false, false
  for _, a in ipairs(redis.call('SMEMBERS', k('team', team, 'agents'))) do
    local f = redis.call('HMGET', k('agent', a), 'status', 'maxChat', 'maxAsync')
    if f[1] == 'online' then
      if redis.call('SCARD', k('agent', a, 'load', 'chat')) < tonumber(f[2] or '0') then free.chat[#free.chat + 1] = a; want.chat = true end
      if redis.call('SCARD', k('agent', a, 'load', 'async')) < tonumber(f[3] or '0') then free.async[#free.async + 1] = a; want.async = true end
    end
  end
end
local heads = {}
for i, kind in ipairs(kinds) do
  local list = {}
  if window > 0 and want[kind] then
    for _, tid in ipairs(redis.call('ZRANGE', k('queue', team, kind), 0, window - 1)) do
      local v = ticket_view(tid)
      if v then list[#list + 1] = v end
    end
  end
  heads[i] = list
end
-- Only agents who could take a waiting ticket: a free slot of a kind that has one.
local agents, seen = {}, {}
for i, kind in ipairs(kinds) do
  if #heads[i] > 0 then
    for _, a in ipairs(free[kind]) do
      if not seen[a] then
        seen[a] = true
        local row = agent_row(a)
        if row then agents[#agents + 1] = row end
      end
    end
  end
end
return {redis.call('GET', k('team', team, 'config')) or '', agents, heads[1], heads[2]}
`);

/** ARGV: P, agent. */
export const AGENT_VIEW = script(`
local row = agent_row(ARGV[2])
if not row then return {} end
return {row, redis.call('SMEMBERS', k('agent', ARGV[2], 'offers')),
  redis.call('SMEMBERS', k('agent', ARGV[2], 'load', 'chat')), redis.call('SMEMBERS', k('agent', ARGV[2], 'load', 'async'))}
`);

/**
 * ARGV: P, tid. Queue position of a ticket, the capacity of its team's online agents for
 * its kind, and recent handle times: the inputs of the wait estimate.
 */
export const POSITION = script(`
local tid = ARGV[2]
local f = redis.call('HMGET', k('ticket', tid), 'state', 'team', 'kind', 'agent', 'needsAttention')
if not f[1] then return {} end
local team, kind = f[2], f[3]
local qk = k('queue', team, kind)
local rank = redis.call('ZRANK', qk, tid)
local maxField = 'maxAsync'
if kind == 'chat' then maxField = 'maxChat' end
local capacity = 0
for _, a in ipairs(redis.call('SMEMBERS', k('team', team, 'agents'))) do
  local af = redis.call('HMGET', k('agent', a), 'status', maxField)
  if af[1] == 'online' then capacity = capacity + tonumber(af[2] or '0') end
end
return {f[1], team, kind, f[4] or '', rank or -1, redis.call('ZCARD', qk), capacity,
  redis.call('LRANGE', k('team', team, 'handle', kind), 0, -1), f[5] or ''}
`);

/** ARGV: P, tid. */
export const TICKET_STATE = script(`
local f = redis.call('HMGET', k('ticket', ARGV[2]), 'state', 'agent', 'team', 'kind', 'offerExpiresAt')
if not f[1] then return {} end
return {f[1], f[2] or '', f[3], f[4], f[5] or ''}
`);

/** ARGV: P, team, kind, start, stop. */
export const LIST_QUEUE = script(`
local out = {}
for _, tid in ipairs(redis.call('ZRANGE', k('queue', ARGV[2], ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]))) do
  local v = ticket_view(tid)
  if v then out[#out + 1] = v end
end
return out
`);

/**
 * ARGV: P, team, includeAgents ('1' | '0'). The team's live floor: per channel of its queues how many wait and the
 * earliest `since` (ms), and every member with status, limits and what they hold / were offered.
 * Returns {{channel, count, oldestSince}...}, {{agent, name, status, maxChat, maxAsync,
 * chat load ids, async load ids, {offer tid, expiresAt}...}...}.
 */
export const FLOOR = script(`
local team = ARGV[2]
local per, order = {}, {}
for _, kind in ipairs({'chat', 'async'}) do
  for _, tid in ipairs(redis.call('ZRANGE', k('queue', team, kind), 0, -1)) do
    local f = redis.call('HMGET', k('ticket', tid), 'channel', 'since')
    local ch = f[1] or kind
    local since = tonumber(f[2] or '0') or 0
    local q = per[ch]
    if not q then
      q = {ch, 0, since}
      per[ch] = q
      order[#order + 1] = ch
    end
    q[2] = q[2] + 1
    if since < q[3] then q[3] = since end
  end
end
local queues = {}
for _, ch in ipairs(order) do
  local q = per[ch]
  queues[#queues + 1] = {q[1], q[2], tostring(q[3])}
end
local agents = {}
local members = {}
if ARGV[3] ~= '0' then members = redis.call('SMEMBERS', k('team', team, 'agents')) end
for _, a in ipairs(members) do
  local f = redis.call('HMGET', k('agent', a), 'name', 'status', 'maxChat', 'maxAsync')
  if f[2] then
    local offers = {}
    for _, tid in ipairs(redis.call('SMEMBERS', k('agent', a, 'offers'))) do
      offers[#offers + 1] = {tid, redis.call('HGET', k('ticket', tid), 'offerExpiresAt') or ''}
    end
    agents[#agents + 1] = {a, f[1] or '', f[2], f[3] or '0', f[4] or '0',
      redis.call('SMEMBERS', k('agent', a, 'load', 'chat')), redis.call('SMEMBERS', k('agent', a, 'load', 'async')), offers}
  end
end
return {queues, agents}
`);
