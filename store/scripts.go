package store

import "github.com/redis/go-redis/v9"

// The Lua scripts, one per atomic operation. Each checks the state it
// expects first (compare-and-set) and returns a small code (errors.go) that
// Go maps to a typed error. Every key a script touches is passed in KEYS,
// never built inside Lua, and the KEYS of one script share one Cluster slot.
//
// Direct mode: on one server (not a Cluster, where slots forbid it) the
// create and transition scripts take the global keys as further KEYS and
// write them themselves: the work items they schedule go to the ready
// stream and the timers at once instead of the execution's outbox, and
// the execution enters or leaves the open executions (and its state
// machine's list) in the same step. A script is in direct mode when it is
// given those KEYS.
//
// Encodings the scripts share (keys.go says where each lives):
//   - a thread:        "<seq>|<last event id>|<record JSON>"
//   - an outbox entry: "<outbox seq>|<due unix ms, 0 for now>|<work item>"
//   - a history event: "~<fields>" or "^<previous id>|<fields>" (its id
//     is its place in the list; HistoryPage renders the JSON object with
//     "id" and "previousEventId" first; the fields are packed, see
//     eventcodec.go), or, as versions before 0.6 wrote it, that JSON
//     object itself. The history of an execution created SUCCEEDED, which
//     never grows, is one string instead of a list: its events, as the
//     list would hold them, joined by "\x1e" (historyJoin).
//
// Variable-length ARGV sections are a count followed by that many entries:
//   - events: n, then n events as the history keeps them (history.go):
//     "~<fields>" follows the event before it, "^<previous id>|<fields>"
//     names the event it follows, and the first may be "@<fields>", to
//     follow the thread's latest event, which only the script knows; the
//     fields are the event's JSON object without its braces
//   - pairs:  m, then m pairs (field, value)
//   - outbox: k, then k entries "<due>|<work item>"

// luaPrelude holds the helpers the scripts share; each script is the
// prelude followed by its body.
const luaPrelude = `
local function push(key, t)
  for i = 1, #t, 1000 do
    redis.call('RPUSH', key, unpack(t, i, math.min(i + 999, #t)))
  end
end

-- hset_pairs sets the pairs at ARGV[i], each value after prefix when one
-- is given.
local function hset_pairs(key, i, prefix)
  local m = tonumber(ARGV[i]); i = i + 1
  for c = 0, m - 1, 500 do
    local t = {}
    for k = c, math.min(c + 499, m - 1) do
      t[#t + 1] = ARGV[i + 2 * k]
      if prefix then t[#t + 1] = prefix .. ARGV[i + 2 * k + 1] else t[#t + 1] = ARGV[i + 2 * k + 1] end
    end
    redis.call('HSET', key, unpack(t))
  end
  return i + 2 * m
end

-- push_events appends the n events at ARGV[j...] to the history h as Go
-- built them (history.go), the first one, when it is to follow the
-- thread's latest event ("@"), given last's id: no event is rebuilt here.
local function push_events(h, j, n, last)
  local e = ARGV[j]
  -- (not string.byte(e): the embedded server's Lua returns every byte)
  if string.sub(e, 1, 1) == '@' then e = '^' .. string.format('%d', last) .. '|' .. string.sub(e, 2) end
  if n <= 1000 then
    redis.call('RPUSH', h, e, unpack(ARGV, j + 1, j + n - 1))
    return
  end
  redis.call('RPUSH', h, e)
  for c = j + 1, j + n - 1, 1000 do
    redis.call('RPUSH', h, unpack(ARGV, c, math.min(c + 999, j + n - 1)))
  end
end

local function append_events(x, h, i, last)
  local n = tonumber(ARGV[i]); i = i + 1
  if n == 0 then return 0, last, i end
  local first = redis.call('HINCRBY', x, 'events', n) - n + 1
  push_events(h, i, n, last)
  return first, first + n - 1, i + n
end

-- retain keeps the execution's keys (the first n of KEYS) for ms
-- milliseconds more, or for ever when ms is 0 (a redriven execution).
local function retain(ms, n)
  for k = 1, n do
    if ms > 0 then redis.call('PEXPIRE', KEYS[k], ms) else redis.call('PERSIST', KEYS[k]) end
  end
end

-- schedule passes an outbox entry's "<due>|<work item>" on in direct mode:
-- to the ready stream (due 0) or the timers.
local function schedule(ready, timers, entry)
  local due, item = string.match(entry, '^(%d+)|(.*)$')
  if due == '0' then
    redis.call('XADD', ready, '*', 'item', item)
  else
    redis.call('ZADD', timers, due, item)
  end
end

local function push_outbox(x, o, entry)
  if #KEYS > 6 then return schedule(KEYS[7], KEYS[8], entry) end
  local s = redis.call('HINCRBY', x, 'outbox', 1)
  redis.call('RPUSH', o, string.format('%d', s) .. '|' .. entry)
end

local function append_outbox(x, o, i, direct)
  local k = tonumber(ARGV[i]); i = i + 1
  if k == 0 then return i, 0 end
  if direct then
    for c = 0, k - 1 do schedule(KEYS[7], KEYS[8], ARGV[i + c]) end
    return i + k, 0
  end
  local first = redis.call('HINCRBY', x, 'outbox', k) - k + 1
  local t = {}
  for c = 0, k - 1 do t[#t + 1] = string.format('%d', first + c) .. '|' .. ARGV[i + c] end
  push(o, t)
  return i + k, first
end
`

// luaExisting answers a start of an execution that exists already, for
// the scripts that create one: existing(x, open, ms, id) returns nil when
// the execution hash x does not exist; {EXISTING} when it is RUNNING with
// the input ARGV[1] (and, given the open executions' key, puts it back
// there at ms: a start repeated after the entry was lost); else {EXISTS,
// status}.
const luaExisting = `
local function existing(x, open, ms, id)
  local status = redis.call('HGET', x, 'status')
  if not status then return nil end
  if status == 'RUNNING' and redis.call('HGET', x, 'input') == ARGV[1] then
    if open then redis.call('ZADD', open, 'NX', ms, id) end
    return {4}
  end
  return {5, status}
end
`

// scriptExecutionCreate creates an execution unless one with its id
// exists, with the steps its starter already carried out (a pure prefix:
// runtime's start), so that an execution may be created closed.
//
//	KEYS[1] execution hash   KEYS[2] history   KEYS[3] threads   KEYS[4] outbox
//	KEYS[5] vars
//	direct mode: KEYS[6] ready stream  KEYS[7] timers  KEYS[8] open executions
//	KEYS[9] the state machine's executions
//	ARGV[1] input            ARGV[2] thread 0's record   ARGV[3] thread 0's seq
//	ARGV[4...] pairs: the execution's other fields (its fieldMeta,
//	execmeta.go); then events (for an
//	execution created SUCCEEDED: -n, then one element, the n events joined
//	by "\x1e", the history then kept as one string); then outbox;
//	then pairs: variables; then the execution id and its start (unix ms),
//	the open executions' and the list's member and score; then the close
//	section: status ("" to stay RUNNING), output, error, cause, stop unix
//	ms, retention ms (how long the closed execution's keys live on; 0: for
//	ever)
//
// Returns {EXISTING} when the execution is RUNNING with an equal input,
// {EXISTS, status} when it exists otherwise, else {OK, first event id, last
// event id, the outbox sequence number of the first outbox entry (0 if
// none), the outbox's length}: the hash (status RUNNING, or the close's),
// thread "0" at its seq (none when created SUCCEEDED), the events, the
// variables and the outbox entries are written; in direct mode the
// entries are scheduled instead, and the execution is added to its state
// machine's list and, unless closed, to the open executions.
var scriptExecutionCreate = redis.NewScript(luaPrelude + luaExisting + `
local x = KEYS[1]
local direct = #KEYS > 5
local m = tonumber(ARGV[4])
local i = 5 + 2 * m
local n = tonumber(ARGV[i])
-- a negative count: the -n events joined into one element (created SUCCEEDED)
local joined = n < 0
if joined then n = -n end
local events, last = i + 1, n
if joined then i = i + 2 else i = i + 1 + n end
local ko = tonumber(ARGV[i])
local outbox = i + 1
i = i + 1 + ko
local vars = i
i = i + 1 + 2 * tonumber(ARGV[i])
local id, ms, closing = ARGV[i], ARGV[i + 1], ARGV[i + 2]
local ret = 0
if closing ~= '' then ret = tonumber(ARGV[i + 7]) end
local open
if direct then open = KEYS[8] end
local known = existing(x, open, ms, id)
if known then return known end
-- A new execution: its fields and both counters in one HSET, events
-- numbered from 1, outbox entries from 1 (each redis.call costs).
-- Empty fields are left out: a field costs (execmeta.go), and an absent
-- one reads as empty.
local f = {'status', 'RUNNING', 'input', ARGV[1]}
if closing ~= '' then
  f[2] = closing
  f[5], f[6] = 'stop', ARGV[i + 6]
  if ARGV[i + 3] ~= '' then f[#f + 1] = 'output'; f[#f + 1] = ARGV[i + 3] end
  if ARGV[i + 4] ~= '' then f[#f + 1] = 'error'; f[#f + 1] = ARGV[i + 4] end
  if ARGV[i + 5] ~= '' then f[#f + 1] = 'cause'; f[#f + 1] = ARGV[i + 5] end
end
for k = 0, m - 1 do f[#f + 1] = ARGV[5 + 2 * k]; f[#f + 1] = ARGV[6 + 2 * k] end
if direct then
  for c = 0, ko - 1 do schedule(KEYS[6], KEYS[7], ARGV[outbox + c]) end
  if closing == '' then redis.call('ZADD', KEYS[8], 'NX', ms, id) end
  redis.call('ZADD', KEYS[9], ms, id)
  ko = 0
end
f[#f + 1] = 'events'; f[#f + 1] = n
-- the outbox counter starts at its first entry (HINCRBY makes it)
if ko > 0 then f[#f + 1] = 'outbox'; f[#f + 1] = ko end
redis.call('HSET', x, unpack(f))
if joined then
  -- one string, its expiry set with it (no PEXPIRE of its own): a
  -- history that never grows (HistoryPage reads either form)
  if ret > 0 then redis.call('SET', KEYS[2], ARGV[events], 'PX', ret) else redis.call('SET', KEYS[2], ARGV[events]) end
elseif n > 0 then
  push_events(KEYS[2], events, n, 0)
end
-- an execution created SUCCEEDED keeps no thread: nothing takes it on
-- (no transition, no redrive), and it saves an HSET and a PEXPIRE
local thread = closing ~= 'SUCCEEDED'
if thread then redis.call('HSET', KEYS[3], '0', ARGV[3] .. '|' .. string.format('%d', last) .. '|' .. ARGV[2]) end
local nv = tonumber(ARGV[vars])
if nv > 0 then hset_pairs(KEYS[5], vars) end
local o = {}
for c = 0, ko - 1 do o[c + 1] = string.format('%d', c + 1) .. '|' .. ARGV[outbox + c] end
if ko > 0 then push(KEYS[4], o) end
if ret > 0 then
  redis.call('PEXPIRE', x, ret)
  if n > 0 and not joined then redis.call('PEXPIRE', KEYS[2], ret) end
  if thread then redis.call('PEXPIRE', KEYS[3], ret) end
  if nv > 0 then redis.call('PEXPIRE', KEYS[5], ret) end
end
return {0, math.min(n, 1), last, math.min(ko, 1), ko}
`)

// scriptExecutionRecord is scriptExecutionCreate's case of an execution
// its start carried out to success (direct mode, no variables): the record
// of a finished execution, its history one string (historyJoin), no
// thread, outbox or variables. A script of its own, with no prelude and
// few arguments: a script's cost in Redis grows with its arguments (each
// becomes a Lua string) and with the helpers its chunk defines at every
// call (measured with callgrind on a pass5 start, execmeta.go).
//
//	KEYS[1] execution hash   KEYS[2] history   KEYS[3] open executions
//	KEYS[4] the state machine's executions
//	ARGV[1] input            ARGV[2] the fieldMeta   ARGV[3] the event count
//	ARGV[4] the events joined   ARGV[5] the execution id   ARGV[6] its start
//	(unix ms)   ARGV[7] output   ARGV[8] stop (unix ms)   ARGV[9] retention
//	ms (0: for ever)
//
// Returns what scriptExecutionCreate returns: {EXISTING}, {EXISTS,
// status}, or {OK, 1, last event id, 0, 0}.
var scriptExecutionRecord = redis.NewScript(luaExisting + `
local x = KEYS[1]
local known = existing(x, KEYS[3], ARGV[6], ARGV[5])
if known then return known end
local ret = tonumber(ARGV[9])
redis.call('ZADD', KEYS[4], ARGV[6], ARGV[5])
redis.call('HSET', x, 'status', 'SUCCEEDED', 'input', ARGV[1], 'stop', ARGV[8], 'output', ARGV[7], 'm', ARGV[2], 'events', ARGV[3])
if ret > 0 then
  redis.call('SET', KEYS[2], ARGV[4], 'PX', ret)
  redis.call('PEXPIRE', x, ret)
else
  redis.call('SET', KEYS[2], ARGV[4])
end
return {0, 1, tonumber(ARGV[3]), 0, 0}
`)

// scriptTransition is one transition of one thread.
//
//	KEYS[1] execution hash  KEYS[2] history  KEYS[3] threads  KEYS[4] vars  KEYS[5] outbox
//	KEYS[6] joins
//	direct mode: KEYS[7] ready stream  KEYS[8] timers  KEYS[9] open executions
//	ARGV[1] thread id       ARGV[2] expected seq              ARGV[3] new thread record
//	ARGV[4] steps: how many steps the transition carries out (the seq moves on by that many)
//	ARGV[5] the execution's expected event counter ("0": unchecked)
//	ARGV[6] the history's limit ("0": none)  ARGV[7] "1" when the transition ends the execution successfully
//	ARGV[8...] events; then pairs (variables); then outbox; then the close
//	section: status ("" to stay RUNNING), output, error, cause, stop unix ms,
//	retention ms (how long the closed execution's keys live on; > 0),
//	execution id (its member in the open executions), the indexes in KEYS
//	of the execution's keys that may exist ("123456": all; the outbox's
//	expiry is set only when it holds entries);
//	then, in scriptTransitionFork only, the fork section: fork id, n,
//	children started, pairs (child thread id, record: the script puts
//	"<seq>|<last>|" first), m items (0: none) and the m items, the
//	children's record ("" without items), the map run's record ("" for
//	none), its concurrency limit, tolerated count and percentage; or, in scriptTransitionJoin
//	only, the join section: fork id, index, result JSON, failures (the
//	child's failed items: "0" when it succeeded, more for a chunk of items),
//	n, tolerated count (-1 none), tolerated percentage (-1 none), limited
//	"1"/"0", parent thread id, execution id, the next child's item kind,
//	"<parent seq>|<kind>", map run "1"/"0" (the limit and tolerances are
//	then read from the joins hash, where UpdateMapRun changes them, and
//	the items the child ended are added to "<fork>#ended"), the items the
//	child ended, the items the tolerated percentage is of ("0": n);
//	then carry ("1": in direct mode, the outbox entries stay in the outbox
//	as in outbox mode, for the caller carries on with them), the outbox
//	entry to remove ("" for none: in direct mode, the entry of the
//	transition this one carries on from); last, the fork this thread
//	belongs to ("" for none)
//
// Checks, in order: the execution exists ({NOT_FOUND}) and is RUNNING
// ({CLOSED, status}); the thread's fork has not joined ({CANCELLED}); the
// thread exists ({NOT_FOUND}) and is at the expected seq ({STALE, seq});
// the event counter is the expected one, when one is given ({MOVED}); the
// history stays below its limit, or reaches it with the execution's
// success ({LIMIT, event counter}).
// Then appends the events (ids from the execution's counter, chained from
// the thread's latest event), writes the record at seq+1, sets the
// variables, appends the outbox entries (direct mode: schedules them), and
// closes the execution when asked (direct mode: and removes it from the
// open executions). A fork creates its children and counters; a fork with
// items keeps them and the children's record in the joins hash and creates
// the threads of the children it starts now only. A join records a
// child's result, removes the child's thread and item, counts it down,
// starts the next child when the fork limits its concurrency (creating its
// thread from the fork's record), and, when the last child ended or a
// failure exceeded the tolerance, hands the parent its join item exactly
// once and drops the items of the children that did not start.
// Returns {OK, first event id (0 if none), the thread's latest event id,
// new seq, the outbox sequence number of the first outbox entry passed (0
// if none), the outbox's length after the transition}.
var scriptTransition = redis.NewScript(luaPrelude + transitionHead + transitionTail)

// scriptTransitionFork is scriptTransition with the fork section, which
// follows the close section.
var scriptTransitionFork = redis.NewScript(luaPrelude + transitionHead + transitionFork + transitionTail)

// scriptTransitionJoin is scriptTransition with the join section, which
// follows the close section.
var scriptTransitionJoin = redis.NewScript(luaPrelude + transitionHead + transitionJoin + transitionTail)

// The transition scripts' parts: the checks, events, record, variables,
// outbox and close every transition has, then a fork's or a join's own
// work, then the retention and the answer. A transition without either
// runs neither's code and passes neither's ARGV.
const transitionHead = `
local x = KEYS[1]
local xf = redis.call('HMGET', x, 'status', 'events')
local status, count = xf[1], xf[2]
if not status then return {3} end
if status ~= 'RUNNING' then return {2, status} end
local nargs = #ARGV
local cancel = ARGV[nargs]
if cancel ~= '' and redis.call('HEXISTS', KEYS[6], cancel .. '#done') == 1 then return {6} end
local tv = redis.call('HGET', KEYS[3], ARGV[1])
if not tv then return {3} end
local seq, last = string.match(tv, '^(%d+)|(%d+)|')
if not seq then return redis.error_reply('store: corrupt thread ' .. ARGV[1]) end
seq, last = tonumber(seq), tonumber(last)
if seq ~= tonumber(ARGV[2]) then return {1, seq} end
if ARGV[5] ~= '0' or ARGV[6] ~= '0' then
  if ARGV[5] ~= '0' and count ~= ARGV[5] then return {7} end
  if ARGV[6] ~= '0' then
    local after, limit = tonumber(count) + tonumber(ARGV[8]), tonumber(ARGV[6])
    if after >= limit and not (after == limit and ARGV[7] == '1') then return {8, tonumber(count)} end
  end
end
local first
local i
first, last, i = append_events(x, KEYS[2], 8, last)
seq = seq + tonumber(ARGV[4]) - 1
redis.call('HSET', KEYS[3], ARGV[1], string.format('%d|%d|', seq + 1, last) .. ARGV[3])
i = hset_pairs(KEYS[4], i)
local ofirst
i, ofirst = append_outbox(x, KEYS[5], i, #KEYS > 6 and ARGV[nargs - 2] ~= '1')
if ARGV[nargs - 1] ~= '' then redis.call('LREM', KEYS[5], 1, ARGV[nargs - 1]) end
local retention, keep
if ARGV[i] ~= '' then
  redis.call('HSET', x, 'status', ARGV[i], 'output', ARGV[i + 1], 'error', ARGV[i + 2],
    'cause', ARGV[i + 3], 'stop', ARGV[i + 4])
  retention, keep = tonumber(ARGV[i + 5]), ARGV[i + 7]
  if #KEYS > 6 then redis.call('ZREM', KEYS[9], ARGV[i + 6]) end
  i = i + 8
else
  i = i + 1
end
`

const transitionFork = `-- fork: new threads at seq 0, and the fork's counters; with items, the
-- items and the record the children's threads are created from, and the
-- threads of the children started now. A child's events chain to the
-- fork's last event (its ...StateStarted), as AWS chains them.
do
  local f = ARGV[i]
  local n, started = tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  local head = '0|' .. string.format('%d', last) .. '|'
  redis.call('HSET', KEYS[6], f .. '#left', n, f .. '#next', started, f .. '#failed', 0)
  i = hset_pairs(KEYS[3], i + 3, head)
  local m = tonumber(ARGV[i]); i = i + 1
  if m > 0 then
    for c = 0, m - 1, 500 do
      local t = {}
      for k = c, math.min(c + 499, m - 1) do
        t[#t + 1] = f .. '#item/' .. k; t[#t + 1] = ARGV[i + k]
      end
      redis.call('HSET', KEYS[6], unpack(t))
    end
    local rec = head .. ARGV[i + m]
    redis.call('HSET', KEYS[6], f .. '#rec', rec)
    for c = 0, started - 1, 500 do
      local t = {}
      for k = c, math.min(c + 499, started - 1) do
        t[#t + 1] = f .. '/' .. k; t[#t + 1] = rec
      end
      redis.call('HSET', KEYS[3], unpack(t))
    end
  end
  i = i + m + 1
  -- a map run: its record, the bounds its joins read, and its place in
  -- the execution's list of map runs
  if ARGV[i] ~= '' then
    redis.call('HSET', KEYS[6], f .. '#run', ARGV[i], f .. '#limit', ARGV[i + 1], f .. '#tc', ARGV[i + 2], f .. '#tp', ARGV[i + 3])
    local runs = redis.call('HGET', KEYS[6], '#runs') or ''
    redis.call('HSET', KEYS[6], '#runs', runs .. f .. '\n')
  end
  i = i + 4
end
`

const transitionJoin = `-- join: a child thread's end
do
  local f, idx, result, nfail = ARGV[i], ARGV[i + 1], ARGV[i + 2], tonumber(ARGV[i + 3])
  local failed = nfail > 0
  local n, tolc, tolp = tonumber(ARGV[i + 4]), tonumber(ARGV[i + 5]), tonumber(ARGV[i + 6])
  local limited, parent = ARGV[i + 7] == '1', ARGV[i + 8]
  local j = KEYS[6]
  local dyn = ARGV[i + 12] == '1'
  local lim = 0
  if dyn then
    -- a map run's bounds, which UpdateMapRun may have changed
    local b = redis.call('HMGET', j, f .. '#limit', f .. '#tc', f .. '#tp')
    lim, tolc, tolp = tonumber(b[1]) or 1, tonumber(b[2]) or tolc, tonumber(b[3]) or tolp
    redis.call('HINCRBY', j, f .. '#ended', ARGV[i + 13])
  end
  local base = tonumber(ARGV[i + 14])
  if base <= 0 then base = n end
  redis.call('HSET', j, f .. '/' .. idx, result)
  redis.call('HDEL', j, f .. '#item/' .. idx)
  redis.call('HDEL', KEYS[3], ARGV[1])
  local left = redis.call('HINCRBY', j, f .. '#left', -1)
  local join = left <= 0
  if failed then
    local nf = redis.call('HINCRBY', j, f .. '#failed', nfail)
    local tolerated = (tolc >= 0 and nf <= tolc) or (tolp >= 0 and nf * 100 <= tolp * base)
    if not tolerated then join = true end
  end
  local done = redis.call('HEXISTS', j, f .. '#done') == 1
  if limited and not done and not join then
    -- one child starts for the one that ended; a map run starts as many
    -- as its limit allows (up to 8 a join: a raised limit ramps up)
    local starts = 1
    if dyn then
      local started = math.min(tonumber(redis.call('HGET', j, f .. '#next')), n)
      starts = math.min(lim - (started - (n - left)), 8)
    end
    for s = 1, starts do
      local nx = redis.call('HINCRBY', j, f .. '#next', 1) - 1
      if nx >= n then break end
      local rec = redis.call('HGET', j, f .. '#rec')
      if rec then redis.call('HSET', KEYS[3], f .. '/' .. nx, rec) end
      push_outbox(x, KEYS[5], '0|' .. ARGV[i + 9] .. '|' .. f .. '/' .. nx .. '|0|' .. ARGV[i + 10])
    end
  end
  if join and redis.call('HSETNX', j, f .. '#done', 1) == 1 then
    push_outbox(x, KEYS[5], '0|' .. ARGV[i + 9] .. '|' .. parent .. '|' .. ARGV[i + 11])
    -- the items of the children that will not start now
    local nx = tonumber(redis.call('HGET', j, f .. '#next'))
    for c = nx, n - 1, 500 do
      local t = {}
      for k = c, math.min(c + 499, n - 1) do t[#t + 1] = f .. '#item/' .. k end
      redis.call('HDEL', j, unpack(t))
    end
  end
end
`

const transitionTail = `-- in direct mode the outbox is not written: no LLEN (each call costs)
local olen = 0
if #KEYS <= 6 then olen = redis.call('LLEN', KEYS[5]) end
if retention and retention > 0 then
  -- the keys the execution wrote (an empty outbox does not exist)
  for k in string.gmatch(keep, '%d') do
    k = tonumber(k)
    if k ~= 5 or olen > 0 then redis.call('PEXPIRE', KEYS[k], retention) end
  end
end
return {0, first, last, seq + 1, ofirst, olen}
`

// scriptOutboxTrim removes the entries a flush handed over from the head of
// an outbox, leaving entries appended since, and entries a concurrent flush
// already removed, alone.
//
//	KEYS[1] outbox
//	ARGV[1] the highest outbox seq flushed   ARGV[2] how many entries were read
//
// Returns the number of entries removed.
var scriptOutboxTrim = redis.NewScript(`
local max = tonumber(ARGV[1])
local k = 0
for _, v in ipairs(redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[2]) - 1)) do
  local s = tonumber(string.match(v, '^(%d+)|'))
  if not s or s > max then break end
  k = k + 1
end
if k > 0 then redis.call('LTRIM', KEYS[1], k, -1) end
return k
`)

// scriptLeaseExtend renews a consumer's leases on ready-stream entries: an
// entry's idle time is reset only while the consumer still owns it in the
// pending-entries list (a lease is extended only while still held).
//
//	KEYS[1] ready stream
//	ARGV[1] consumer group   ARGV[2] consumer   ARGV[3...] entry ids
//
// Returns the ids whose lease was extended.
var scriptLeaseExtend = redis.NewScript(`
local held = {}
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if p[1] and p[1][2] == ARGV[2] then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    held[#held + 1] = ARGV[i]
  end
end
return held
`)

// scriptTimersRemove removes timers that were handed to the ready stream,
// unless they were rescheduled to a later time meanwhile.
//
//	KEYS[1] timers
//	ARGV[1] now, unix ms   ARGV[2...] members
//
// Returns the number of timers removed.
var scriptTimersRemove = redis.NewScript(`
local now, n = tonumber(ARGV[1]), 0
for i = 2, #ARGV do
  local s = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if s and tonumber(s) <= now then n = n + redis.call('ZREM', KEYS[1], ARGV[i]) end
end
return n
`)

// scriptExecutionEnd ends a running execution whatever its threads are
// doing: StopExecution and the execution's TimeoutSeconds. Its threads'
// pending work finds the execution closed and is dropped.
//
//	KEYS[1] execution hash   KEYS[2] history   KEYS[3] threads   KEYS[4] vars
//	KEYS[5] outbox           KEYS[6] joins (the keys expire together)
//	ARGV[1] status   ARGV[2] error   ARGV[3] cause   ARGV[4] stop date (unix ms)
//	ARGV[5] retention ms (0: for ever)   ARGV[6...] events, then outbox
//	entries (count, then "<due>|<item>" each)
//	direct mode: KEYS[7] ready stream   KEYS[8] timers   KEYS[9] open index
//
// Returns {NOTFOUND}, {CLOSED, status} when it is not RUNNING, else {OK,
// first event id, last event id}. Events chain to the execution's latest.
// The outbox entries are appended to the outbox, or in direct mode handed
// to the ready stream and the timers.
var scriptExecutionEnd = redis.NewScript(luaPrelude + `
local x = KEYS[1]
local status = redis.call('HGET', x, 'status')
if not status then return {3} end
if status ~= 'RUNNING' then return {2, status} end
local last = tonumber(redis.call('HGET', x, 'events') or '0')
local first, i
first, last, i = append_events(x, KEYS[2], 6, last)
if ARGV[i] then append_outbox(x, KEYS[5], i, #KEYS > 6) end
redis.call('HSET', x, 'status', ARGV[1], 'error', ARGV[2], 'cause', ARGV[3], 'stop', ARGV[4])
retain(tonumber(ARGV[5]), 6)
return {0, first, last}
`)

// scriptExecutionRedrive reopens a FAILED, TIMED_OUT or ABORTED execution
// from where its top-level thread stopped.
//
//	KEYS[1] execution hash   KEYS[2] history   KEYS[3] threads   KEYS[4] outbox
//	KEYS[5] vars             KEYS[6] joins (their expiry is removed)
//	ARGV[1] the top-level thread's new record   ARGV[2] the work item kind
//	ARGV[3] execution id     ARGV[4...] events
//
// Returns {NOTFOUND}; {CLOSED, status} when the status cannot be redriven
// (RUNNING or SUCCEEDED); else {OK, redrive count, first event id, last
// event id}: the status is RUNNING again, the stop date, error and cause
// are cleared, the redrive count is incremented, the forks left open are
// marked joined (their children's transitions are then refused; a map
// run's ends ABORTED at the execution's stop date), the
// thread's seq moves on and its next work item is in the outbox.
var scriptExecutionRedrive = redis.NewScript(luaPrelude + `
local x = KEYS[1]
local status = redis.call('HGET', x, 'status')
if not status then return {3} end
if status ~= 'FAILED' and status ~= 'TIMED_OUT' and status ~= 'ABORTED' then return {2, status} end
local tv = redis.call('HGET', KEYS[3], '0')
if not tv then return {3} end
local seq, last = string.match(tv, '^(%d+)|(%d+)|')
seq, last = tonumber(seq), tonumber(last)
local n = redis.call('HINCRBY', x, 'redrives', 1)
local stopped = redis.call('HGET', x, 'stop') or '0'
redis.call('HSET', x, 'status', 'RUNNING', 'stop', '', 'error', '', 'cause', '', 'output', '')
retain(0, 6)
-- forks left open (a Map or Parallel stopped or timed out) are closed: the
-- work of their children still to come (a Wait's timer) is cancelled
for _, k in ipairs(redis.call('HKEYS', KEYS[6])) do
  local f = string.match(k, '^(.*)#left$')
  if f then
    redis.call('HSETNX', KEYS[6], f .. '#done', 1)
    -- a map run left open ended when its execution stopped (maprun.go)
    if redis.call('HEXISTS', KEYS[6], f .. '#run') == 1 then
      redis.call('HSETNX', KEYS[6], f .. '#end', 'ABORTED|' .. stopped .. '|0')
    end
  end
end
local first
first, last = append_events(x, KEYS[2], 4, last)
redis.call('HSET', KEYS[3], '0', string.format('%d|%d|', seq + 1, last) .. ARGV[1])
push_outbox(x, KEYS[4], '0|' .. ARGV[3] .. '|0|' .. string.format('%d', seq + 1) .. '|' .. ARGV[2])
return {0, n, first, last}
`)
