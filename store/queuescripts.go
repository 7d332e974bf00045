package store

import "github.com/redis/go-redis/v9"

// The queue scripts. Every one takes the queue's keys in queueKeys order
// (keys.go), all in the queue's slot, and reads the time from ARGV[1]
// (unix ms, the caller's clock, never the server's), so that tests expire
// visibility, delays, retention and deduplication by moving a clock.
//
// A message is a field of the messages hash (its payload, never changed)
// and of the state hash ("s<sent ms>|<receive count>|<first receive
// ms>|<receipt token>|<last receive ms>|<sequence number>|<size>|<group>";
// a state written before the sent time was kept there lacks "s<sent
// ms>|", and its message is in the sent set), plus exactly one of:
//   - the wait set (standard queue: visible once its score has passed;
//     FIFO queue: delayed until its score),
//   - the pending set (FIFO queue: visible, in group order),
//   - the in-flight set (received, invisible until its score).
//
// The sent set (retention) holds every message whose wait set score may
// be later than its sent time: a FIFO queue's, a delayed one, one sent
// with an earlier sent time (a move to a dead-letter queue or by a move
// task), and one made visible again after a receive. A standard queue's
// message sent for now without a delay is not in it: its wait set score
// is its sent time (less a millisecond and a fraction), which the sweep
// reads for its retention instead, and the receive reads the sent time
// from its state. Of a send's four writes per message this spares one,
// the costliest (a sorted set insert, about 9,000 of a publish's 46,000
// Redis instructions per queue, callgrind), and a delete's removal.
//
// A FIFO group is in the groups set when it has a pending message and
// nothing in flight (the locks hash counts its messages in flight); a
// receive takes groups in the order of their first message.
//
// Every loop is bounded: a call removes at most ARGV's sweep cap of
// expired messages, returns at most that many due messages to the queue,
// and scans at most that many candidates.

// luaQueueLocals declares the locals luaQueueHelpers work on, and
// bind_queue, which binds them to the queue whose keys (queueKeys order)
// follow KEYS[base] and reads the record's fields the scripts need in one
// command: whether the queue exists (every record has #created), its
// type, its retention period (ms), maxReceiveCount, the receive counter,
// and due (see sweep); it returns them as HMGET does. A caller that needs
// other fields than maxReceiveCount and the receive counter names them
// instead (f4, f5) rather than asking again.
//
// A record and a state hash are hash tables, not listpacks: each holds
// "#ht", a value longer than hash-max-listpack-value (64 bytes by
// default), which makes Redis convert it, and Redis never converts a hash
// back. In a listpack every field read or written is a scan of the whole
// (a record's 20-odd fields: about 10,000 instructions a command; a state
// hash holds up to 512 messages as one, hash-max-listpack-entries), where
// a hash table finds a field by its hash (callgrind: a PublishBatch of 10
// to 10 queues holding 100 to 400 messages each cost Redis 10.0M
// instructions, 7.4M so; holding thousands, where the state hashes are
// hash tables anyway, the same). A queue made before has no "#ht" in its record;
// bind_queue tells (padded) and the next send adds both. A message id is
// never "#ht" (the router makes ids: UUIDs).
const luaRecordPad = `
local RECORD_PAD = '#ht: a value this long makes Redis keep the record as a hash table (queuescripts.go)'
`

const luaQueueLocals = luaRecordPad + `
local R, M, S, W, F, T, SIG, D, DX, P, G, L, DEAD, ATT, ATX
local now = tonumber(ARGV[1])
local fifo, ret, due, padded = false, 0, nil, false
local function bind_queue(base, f4, f5)
  R, M, S, W, F, T, SIG = KEYS[base + 1], KEYS[base + 3], KEYS[base + 4], KEYS[base + 5], KEYS[base + 6], KEYS[base + 7], KEYS[base + 8]
  D, DX, P, G, L, DEAD = KEYS[base + 9], KEYS[base + 10], KEYS[base + 11], KEYS[base + 12], KEYS[base + 13], KEYS[base + 14]
  ATT, ATX = KEYS[base + 15], KEYS[base + 16]
  local rec = redis.call('HMGET', R, '#created', 'FifoQueue', 'MessageRetentionPeriod', f4 or '#maxrc', f5 or '#rcv', '#due', '#ht')
  fifo = rec[2] == 'true'
  ret = (rec[3] or '345600') * 1000
  due = rec[6] and rec[6] + 0
  padded = rec[7] ~= false
  return rec
end
`

// luaQueue holds the helpers of the queue scripts, bound to the queue of
// KEYS[1..16]; rec is its record's fields (bind_queue).
const luaQueue = luaQueueLocals + `
local rec = bind_queue(0)
local exists = rec[1] ~= false
` + luaQueueHelpers

// luaQueueHelpers are luaQueue's functions, on the queue that the locals
// of luaQueueLocals name (bind_queue): luaQueue binds them to KEYS[1..16];
// the topic publish script (topic.go) to each queue it writes to in turn.
const luaQueueHelpers = `
local function fmt(n) return string.format('%d', n) end

-- sized returns an empty table whose array part has room for n elements
-- (at most 2,000): a table grown an element at a time is rehashed at each
-- power of two, a tenth of a topic publish's cost (callgrind). Its
-- elements are nil, so #t is 0 until the first is set.
local NILS = {}
local function sized(n) return {unpack(NILS, 1, math.min(n, 2000))} end

-- lower makes due no later than t, the time a message or key sweep()
-- handles becomes due; an unknown due stays unknown.
local function lower(t)
  if due and t < due then
    due = t
    redis.call('HSET', R, '#due', fmt(t))
  end
end

-- parse reads a state; sent is nil in one written before states kept it
-- (its message is in the sent set: sent_of).
local function parse(s)
  local t, c, f, k, l, q, z, g = string.match(s, '^s(%d+)|(%d+)|(%d+)|(%d+)|(%d+)|(%d+)|(%d+)|(.*)$')
  if not t then c, f, k, l, q, z, g = string.match(s, '^(%d+)|(%d+)|(%d+)|(%d+)|(%d+)|(%d+)|(.*)$') end
  return {sent = tonumber(t), count = tonumber(c), first = tonumber(f), token = tonumber(k), last = tonumber(l),
    seq = tonumber(q), size = tonumber(z), group = g}
end

local function encode(st)
  local e = fmt(st.count) .. '|' .. fmt(st.first) .. '|' .. fmt(st.token) .. '|' .. fmt(st.last) .. '|' ..
    fmt(st.seq) .. '|' .. fmt(st.size) .. '|' .. st.group
  if st.sent then return 's' .. fmt(st.sent) .. '|' .. e end
  return e
end

-- sent_of is a message's sent time (unix ms): its state's, or the sent
-- set's for a state without it (sent nil)
local function sent_of(sent, id)
  return sent or tonumber(redis.call('ZSCORE', T, id) or '0')
end

local function member(st, id) return st.group .. '\0' .. string.format('%020d', st.seq) .. '\0' .. id end

-- signal pushes a token per message made visible, the list holding 16
-- at most, in one command (a batch of 10 sent took 11 commands, one
-- LPUSH each). It pushes what the list has room for, rather than pushing
-- n and trimming to 16 (the same tokens left): nothing when it is full,
-- as it stays without a consumer, where LTRIM was a write each time.
local function signal(n)
  local ones = {}
  for i = 1, math.min(n, 16 - redis.call('LLEN', SIG)) do ones[i] = '1' end
  if #ones > 0 then redis.call('LPUSH', SIG, unpack(ones)) end
end

-- refresh puts a FIFO group in the groups set when it has a pending
-- message and none in flight, and takes it out otherwise.
local function refresh(g)
  if tonumber(redis.call('HGET', L, g) or '0') > 0 then redis.call('ZREM', G, g); return end
  local head = redis.call('ZRANGEBYLEX', P, '[' .. g .. '\0', '(' .. g .. '\1', 'LIMIT', 0, 1)[1]
  if head then
    redis.call('ZADD', G, tonumber(string.match(head, '^.*%z(%d+)%z')), g)
  else
    redis.call('ZREM', G, g)
  end
end

local function unlock(g)
  if redis.call('HINCRBY', L, g, -1) <= 0 then redis.call('HDEL', L, g) end
end

-- make_visible puts a message that is neither pending nor in flight back
-- in the queue: visible at ms (standard), or pending (FIFO). A standard
-- queue's wait set score is then later than its sent time: the sent set
-- takes it (a FIFO queue's has it, as has a state without its sent time).
local function make_visible(id, st, ms)
  if fifo then
    redis.call('ZADD', P, 0, member(st, id))
    refresh(st.group)
  else
    redis.call('ZADD', W, ms, id)
    if st.sent then
      redis.call('ZADD', T, st.sent, id)
      lower(st.sent + ret)
    end
  end
end

-- drop removes a message and everything that points at it.
local function drop(id, st)
  local inflight = redis.call('ZREM', F, id) == 1
  redis.call('HDEL', M, id)
  redis.call('HDEL', S, id)
  redis.call('ZREM', W, id)
  redis.call('ZREM', T, id)
  redis.call('HINCRBY', R, '#bytes', -st.size)
  if fifo then
    redis.call('ZREM', P, member(st, id))
    if inflight then unlock(st.group) end
    refresh(st.group)
  end
end

-- sweep removes up to cap messages older than the retention period and
-- returns up to cap messages whose visibility timeout has ended.
--
-- The record's #due (unix ms) is a bound: nothing sweep handles is due
-- before it (a message's retention end, an in-flight message's
-- visibility end, a FIFO queue's delayed message, a deduplication id's or
-- a receive attempt's expiry). sweep does nothing before it and sets it
-- afresh after; every script that adds one of these lowers it (lower);
-- setting attributes (the retention period) removes it: absent, unknown,
-- sweep runs. Most sends and receives thus skip the sweep's commands.
local function sweep(cap)
  if due and now < due then return end
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', T, '-inf', now - ret, 'LIMIT', 0, cap)) do
    local s = redis.call('HGET', S, id)
    if s then drop(id, parse(s)) else redis.call('ZREM', T, id) end
  end
  if not fifo then
    -- a standard queue's messages not in the sent set: a wait set score
    -- is its message's sent time less a millisecond and a fraction of one
    -- (see above), or later, so each score before now less the retention
    -- is a message past its retention, and every message past it and not
    -- in the sent set has one
    for _, id in ipairs(redis.call('ZRANGEBYSCORE', W, '-inf', '(' .. fmt(now - ret), 'LIMIT', 0, cap)) do
      local s = redis.call('HGET', S, id)
      if s then drop(id, parse(s)) else redis.call('ZREM', W, id) end
    end
  end
  local ended = redis.call('ZRANGEBYSCORE', F, '-inf', now, 'WITHSCORES', 'LIMIT', 0, cap)
  for i = 1, #ended, 2 do
    local id = ended[i]
    redis.call('ZREM', F, id)
    local s = redis.call('HGET', S, id)
    if s then
      local st = parse(s)
      if fifo then unlock(st.group) end
      -- one in flight past its retention and not in the sent set goes
      -- when its visibility timeout ends (it is never delivered again)
      if not fifo and st.sent and st.sent + ret <= now then
        drop(id, st)
      else
        make_visible(id, st, tonumber(ended[i + 1]))
      end
    end
  end
  if fifo then
    for _, id in ipairs(redis.call('ZRANGEBYSCORE', W, '-inf', now, 'LIMIT', 0, cap)) do
      redis.call('ZREM', W, id)
      local s = redis.call('HGET', S, id)
      if s then make_visible(id, parse(s), now) end
    end
  end
  for _, k in ipairs(redis.call('ZRANGEBYSCORE', DX, '-inf', now, 'LIMIT', 0, cap)) do
    redis.call('HDEL', D, k)
    redis.call('ZREM', DX, k)
  end
  for _, k in ipairs(redis.call('ZRANGEBYSCORE', ATX, '-inf', now, 'LIMIT', 0, cap)) do
    redis.call('HDEL', ATT, k)
    redis.call('ZREM', ATX, k)
  end
  -- the earliest due of what is left (or beyond the cap: now at most)
  local d = 1e15
  local function first(k, plus)
    local z = redis.call('ZRANGE', k, 0, 0, 'WITHSCORES')
    if z[2] and tonumber(z[2]) + plus < d then d = tonumber(z[2]) + plus end
  end
  first(T, ret)
  first(F, 0)
  if fifo then
    first(W, 0)
  else
    -- the first waiting message's retention end, were it not in the sent
    -- set: its sent time (the score's millisecond, plus one) plus the
    -- retention period
    local z = redis.call('ZRANGE', W, 0, 0, 'WITHSCORES')
    if z[2] then d = math.min(d, math.floor(tonumber(z[2])) + 1 + ret) end
  end
  first(DX, 0)
  first(ATX, 0)
  due = d
  redis.call('HSET', R, '#due', fmt(d))
end

-- next_due is the earliest time (unix ms) a message not visible now
-- becomes visible, -1 for none.
local function next_due()
  local best = -1
  for _, k in ipairs({W, F}) do
    local z = redis.call('ZRANGE', k, 0, 0, 'WITHSCORES')
    if z[2] then
      local s = tonumber(z[2])
      if best < 0 or s < best then best = s end
    end
  end
  return best
end
`

// scriptQueueCreate creates a queue unless one of that name exists.
//
//	KEYS   the queue's keys (queueKeys)
//	ARGV[1] now   ARGV[2] n, then n (attribute, value) pairs: the given
//	attributes, compared with an existing queue's   then m pairs: every
//	attribute to set, defaults included   then k pairs: tags
//
// Returns {OK}, {EXISTING} when the queue exists with the given
// attributes, or {EXISTS, attribute} when it exists with another value of
// that attribute.
var scriptQueueCreate = redis.NewScript(luaRecordPad + `
local R, TAGS = KEYS[1], KEYS[2]
local i = 2
local n = tonumber(ARGV[i]); i = i + 1
if redis.call('EXISTS', R) == 1 then
  for k = 0, n - 1 do
    local a = ARGV[i + 2 * k]
    if (redis.call('HGET', R, a) or '') ~= ARGV[i + 2 * k + 1] then return {5, a} end
  end
  return {4}
end
i = i + 2 * n
local m = tonumber(ARGV[i]); i = i + 1
local t = {'#created', ARGV[1], '#modified', ARGV[1], '#seq', '0', '#rcv', '0', '#bytes', '0', '#ht', RECORD_PAD}
for k = 0, 2 * m - 1 do t[#t + 1] = ARGV[i + k] end
local tagsAt = i + 2 * m
local tags = tonumber(ARGV[tagsAt])
local gone = redis.call('GET', KEYS[#KEYS])
if gone and tonumber(ARGV[1]) - tonumber(gone) < tonumber(ARGV[tagsAt + 1 + 2 * tags]) then return {22} end
redis.call('HSET', R, unpack(t))
redis.call('HSET', KEYS[4], '#ht', RECORD_PAD)
if tags > 0 then redis.call('HSET', TAGS, unpack(ARGV, tagsAt + 1, tagsAt + 2 * tags)) end
return {0}
`)

// scriptQueueSetAttributes sets attributes of a queue that exists.
//
//	KEYS   the queue's keys   ARGV[1] now   ARGV[2..] (attribute, value)
//	pairs; a value "" removes the attribute
//
// Returns {OK} or {NOTFOUND}.
var scriptQueueSetAttributes = redis.NewScript(`
local R = KEYS[1]
if redis.call('EXISTS', R) == 0 then return {3} end
for i = 2, #ARGV, 2 do
  if ARGV[i + 1] == '' then redis.call('HDEL', R, ARGV[i]) else redis.call('HSET', R, ARGV[i], ARGV[i + 1]) end
end
redis.call('HSET', R, '#modified', ARGV[1])
-- the retention period may have changed: the sweep's bound is unknown
redis.call('HDEL', R, '#due')
return {0}
`)

// scriptQueueSend adds messages to a queue that exists.
//
//	KEYS   the queue's keys
//	ARGV[1] now   ARGV[2] the most messages the queue may hold
//	ARGV[3] the most bytes   ARGV[4] the deduplication window (ms)
//	ARGV[5] the sweep cap   ARGV[6] n, then n messages of 7 fields: id,
//	payload, delay (ms), size (bytes), group, deduplication key ("" for
//	none), sent time (unix ms; 0 for now)
//
// Returns {OK, id, seq, dup, ...} for each message (dup 1: a duplicate of
// the message id, sent within the window, or a message of that id is in
// the queue already: nothing was added), {NOTFOUND}, or {LIMIT,
// "messages"|"bytes"} when the messages would not fit (then none is
// added). A message of an id already present being a duplicate makes a
// move between queues (dead-letter, move tasks) idempotent.
var scriptQueueSend = redis.NewScript(luaQueue + luaQueueSend + `
if not exists then return {3} end
sweep(tonumber(ARGV[5]))
return queue_send(ARGV, 7, tonumber(ARGV[6]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]))
`)

// luaQueueSend is the writing part of a send, shared by scriptQueueSend
// and the topic publish script's direct fanout (topic.go), after
// luaQueueHelpers. queue_send adds n messages to the queue the locals
// name, which exists and has been swept. Without ids, their fields are at
// A[at], 7 a message as scriptQueueSend's ARGV has them, and it returns
// scriptQueueSend's answer: {OK, id, seq, dup, ...}. With ids (the topic
// publish's direct writes), message k's id is ids[k] and its other six
// fields are at A[at[k]] (the writes of one message to several queues
// share them: nothing is copied), and it returns {OK, dup, ...}, a dup
// per message, all its caller reads (each value of a reply table costs a
// table store), in a table the next such call reuses; size is then the
// messages' total size. maxn, maxbytes and window are the queue's limits and
// deduplication window (ms); counters, when the caller has them, are the
// record's #bytes and #seq as read ({bytes, seq}: nil for absent), else
// queue_send reads them. It returns {LIMIT, what} having added nothing
// when the messages would not fit.
const luaQueueSend = `
-- num is tonumber, once per distinct string: the messages of a batch
-- share their sizes and delays, and tonumber is two strtod (callgrind).
-- The cache and the tables below are the script's, made once rather than
-- at each queue_send.
local nums = {}
local function num(s)
  local v = nums[s]
  if v == nil then v = tonumber(s); nums[s] = v end
  return v
end
local digits = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9'}
-- mset, sset, tz and wz gather a queue_send's writes of the messages
-- hash, the state hash, the sent set and the wait set: the script's
-- queue_sends reuse them (a table made costs its allocations and, sized,
-- as many operations as it has elements), each writing from the first
-- element on and passing its length; what is past it is never read.
-- They are made sized for 2 * wcap elements, afresh when a queue_send has
-- more messages (a table grown an element at a time is rehashed at each
-- power of two: SQS's one send a script pays that, callgrind).
local mset, sset, tz, wz, wcap = {}, {}, {}, {}, 0
-- flags is the answer of the queue_sends that give ids, reused likewise:
-- each sets every one of its n flags, and its caller reads them before
-- the next
local flags = {}
-- each calls cmd on key with t's first len elements, in chunks, within
-- what unpack takes
local function each(cmd, key, t, len)
  for i = 1, len, 200 do redis.call(cmd, key, unpack(t, i, math.min(i + 199, len))) end
end
local function queue_send(A, at, n, maxn, maxbytes, window, counters, ids, size)
  counters = counters or redis.call('HMGET', R, '#bytes', '#seq')
  local bytes0 = (counters[1] or '0') + 0
  local bytes = bytes0
  if ids then
    bytes = bytes + size
  else
    for k = 0, n - 1 do bytes = bytes + num(A[at + 7 * k + 3]) end
  end
  -- the queue holds at most #seq messages (each added took a number):
  -- counted only when that many could pass the limit
  local seq0 = (counters[2] or '0') + 0
  if seq0 + n > maxn and redis.call('HLEN', M) + n > maxn then return {20, 'messages'} end
  if bytes > maxbytes then return {20, 'bytes'} end
  -- The new messages' writes are gathered and made at the end, a command
  -- per key rather than per message; a deduplication id is written at once
  -- (a later message of the batch may repeat it).
  local out, visible = ids and flags or sized(1 + 3 * n), 0
  out[1] = 0
  local seq = seq0
  local groups, added = fifo and {}, 0
  if n > wcap then
    wcap = n
    mset, sset, tz, wz = sized(2 * n), sized(2 * n), sized(2 * n), sized(2 * n)
  end
  local mine = {}
  -- whether each id is in the queue already (its state, or false): a
  -- command per 200 messages rather than per message. Asked of the
  -- messages hash, which has an id exactly when the state hash has it (a
  -- payload is longer than a listpack's values, 64 bytes, so it is a hash
  -- table; the state hash of a queue made before "#ht" is a listpack up to
  -- 512 messages, which an HMGET scans whole for each id it lacks, every
  -- new message's case). The state of an id there is read when its message
  -- comes (nothing writes the state hash before the end).
  local present = n <= 200 or sized(n)
  for c = 0, n - 1, 200 do
    local got
    if ids then
      got = redis.call('HMGET', M, unpack(ids, c + 1, math.min(c + 200, n)))
    else
      local some = sized(math.min(200, n - c))
      for k = c, math.min(c + 199, n - 1) do some[k - c + 1] = A[at + 7 * k] end
      got = redis.call('HMGET', M, unpack(some))
    end
    if present == true then present = got else for k = 1, #got do present[c + k] = got[k] end end
  end
  -- Numbers are handed to redis.call and joined into strings as the
  -- strings they came as where they can be: Lua turns a number into a
  -- string with sprintf, a large part of a send's cost (callgrind).
  local nows, visible0 = fmt(now), fmt(now - 1)
  local earliest = now
  -- out's, wz's and tz's lengths, kept rather than asked (#t is a search)
  local no, nw, nt = 1, 0, 0
  -- A sequence number's string is its tens' (tens, formatted once for ten
  -- numbers) and its last digit's; tens2 is the tens' last two digits,
  -- zero-padded, for the wait set's score (seq % 1000, three digits).
  local tensn, tens, tens2 = -1, '', '00'
  for k = 0, n - 1 do
    local id, j
    if ids then id, j = ids[k + 1], at[k + 1] - 1 else j = at + 7 * k; id = A[j] end
    local delay, size, group, dk = nums[A[j + 2]] or num(A[j + 2]), nums[A[j + 3]] or num(A[j + 3]), A[j + 4], A[j + 5]
    local sents = A[j + 6]
    local sent = now
    if sents == '0' then sents = nows else sent = tonumber(sents) end
    if sent < earliest then earliest = sent end
    local prev = dk ~= '' and redis.call('HGET', D, dk)
    local pe, pid, pseq
    if prev then pe, pid, pseq = string.match(prev, '^(%d+)|([^|]*)|(%d+)$') end
    local there = mine[id] or (present[k + 1] and redis.call('HGET', S, id))
    if pe and tonumber(pe) > now then
      if ids then out[k + 2] = 1 else out[no + 1], out[no + 2], out[no + 3] = pid, pseq, 1 end
    elseif there then
      if ids then out[k + 2] = 1 else out[no + 1], out[no + 2], out[no + 3] = id, fmt(parse(there).seq), 1 end
    else
      seq = seq + 1
      local last = seq % 10
      if seq - last ~= tensn then
        tensn = seq - last
        tens = tensn > 0 and fmt(tensn / 10) or ''
        tens2 = string.sub('00' .. tens, -2)
      end
      last = digits[last + 1]
      -- the number's string, made only when something takes it alone
      local seqs = (dk ~= '' or not ids) and tens .. last
      -- encode's string of a message never received
      local enc = 's' .. sents .. '|0|0|0|0|' .. tens .. last .. '|' .. A[j + 3] .. '|' .. group
      mine[id] = enc
      local v = 2 * visible
      mset[v + 1], mset[v + 2] = id, A[j + 1]
      sset[v + 1], sset[v + 2] = id, enc
      -- the sent set, unless the wait set's score tells the sent time
      if fifo or delay > 0 or sent ~= now then
        tz[nt + 1], tz[nt + 2] = sents, id
        nt = nt + 2
      end
      added = added + size
      if delay > 0 or not fifo then
        -- Best-effort order (a standard queue's promise): messages of one
        -- millisecond in the order sent, a thousandth of a millisecond
        -- apart, up to a millisecond early.
        local base = visible0
        if delay > 0 then base = fmt(now + delay - 1) end
        -- base .. string.format('.%03d', seq % 1000), without sprintf
        wz[nw + 1], wz[nw + 2] = base .. '.' .. tens2 .. last, id
        nw = nw + 2
      else
        redis.call('ZADD', P, 0, member({seq = seq, group = group}, id))
        groups[group] = true
      end
      if dk ~= '' then
        local exp = now + window
        redis.call('HSET', D, dk, fmt(exp) .. '|' .. id .. '|' .. seqs)
        redis.call('ZADD', DX, exp, dk)
      end
      if ids then out[k + 2] = 0 else out[no + 1], out[no + 2], out[no + 3] = id, seqs, 0 end
      visible = visible + 1
    end
    no = no + 3
  end
  if seq > seq0 then
    if padded then
      redis.call('HSET', R, '#seq', fmt(seq), '#bytes', fmt(bytes0 + added))
    else
      -- a queue made before records were padded: its record and state
      -- hash become hash tables
      redis.call('HSET', R, '#seq', fmt(seq), '#bytes', fmt(bytes0 + added), '#ht', RECORD_PAD)
      redis.call('HSET', S, '#ht', RECORD_PAD)
      padded = true
    end
    each('HSET', M, mset, 2 * visible)
    each('HSET', S, sset, 2 * visible)
    each('ZADD', T, tz, nt)
    each('ZADD', W, wz, nw)
    if fifo then for g in pairs(groups) do refresh(g) end end
    -- sweep's bound (#due): the new messages' retention ends, a FIFO
    -- queue's delayed ones, the deduplication ids' expiry
    lower(earliest + ret)
    if fifo then
      for i = 1, nw, 2 do lower(tonumber(wz[i])) end
      lower(now + window)
    end
  end
  if visible > 0 then signal(visible) end
  return out
end
`

// scriptQueueReceive receives up to max messages of a queue that exists,
// making each invisible until now + the visibility timeout. A message that
// would be received more often than the redrive policy's maxReceiveCount
// is moved to the dead list instead (QueueDeadKey), for Go to hand to the
// dead-letter queue.
//
//	KEYS   the queue's keys
//	ARGV[1] now   ARGV[2] max   ARGV[3] the visibility timeout (ms)
//	ARGV[4] the sweep cap   ARGV[5] the most messages in flight
//	ARGV[6] the receive request attempt id ("" for none)
//	ARGV[7] how long an attempt is remembered (ms)
//
// A receive with the attempt id of an earlier one within the window
// returns the messages of that one still in flight under its receipts
// (the same receipts), and receives afresh when none is.
//
// Returns {OK, next due ms (-1 none, or messages came), the dead list's
// length, id, payload, state, ...}, {NOTFOUND}, or {LIMIT} when the queue
// has the most messages in flight already.
var scriptQueueReceive = redis.NewScript(luaQueue + `
if not exists then return {3} end
local cap = tonumber(ARGV[4])
sweep(cap)
if redis.call('ZCARD', F) >= tonumber(ARGV[5]) then return {20} end
local max, vis = tonumber(ARGV[2]), tonumber(ARGV[3])
local maxrc = tonumber(rec[4] or '0') or 0
local out, dead, got, scanned = {}, 0, 0, 0
local attempt = ARGV[6]

local prev = attempt ~= '' and redis.call('HGET', ATT, attempt)
if prev then
  local exp, list = string.match(prev, '^(%d+)|(.*)$')
  if exp and tonumber(exp) > now then
    for id, token in string.gmatch(list, '([^,;]+),(%d+);') do
      local s = redis.call('HGET', S, id)
      local u = tonumber(redis.call('ZSCORE', F, id) or '0')
      if s and parse(s).token == tonumber(token) and u > now then
        out[#out + 1] = id; out[#out + 1] = redis.call('HGET', M, id) or ''; out[#out + 1] = s
      end
    end
    if #out > 0 then
      local res = {0, -1, redis.call('LLEN', DEAD)}
      for _, v in ipairs(out) do res[#res + 1] = v end
      return res
    end
  end
end

-- take delivers one candidate, or drops it (retention) or sends it to the
-- dead list; it returns whether it was delivered.
local function take(id)
  scanned = scanned + 1
  local s = redis.call('HGET', S, id)
  if not s then redis.call('ZREM', W, id); return false end
  local st = parse(s)
  if sent_of(st.sent, id) + ret <= now then drop(id, st); return false end
  if fifo then redis.call('ZREM', P, member(st, id)) else redis.call('ZREM', W, id) end
  if maxrc > 0 and st.count + 1 > maxrc then
    local payload = redis.call('HGET', M, id) or ''
    redis.call('RPUSH', DEAD, id .. '\n' .. s .. '\n' .. payload)
    drop(id, st)
    dead = dead + 1
    return false
  end
  st.count = st.count + 1
  if st.first == 0 then st.first = now end
  st.last = now
  st.token = redis.call('HINCRBY', R, '#rcv', 1)
  local e = encode(st)
  redis.call('HSET', S, id, e)
  redis.call('ZADD', F, now + vis, id)
  lower(now + vis)
  if fifo then redis.call('HINCRBY', L, st.group, 1) end
  out[#out + 1] = id; out[#out + 1] = redis.call('HGET', M, id) or ''; out[#out + 1] = e
  got = got + 1
  return true
end

if fifo then
  local groups = redis.call('ZRANGE', G, 0, max - 1)
  for _, g in ipairs(groups) do
    while got < max and scanned < cap do
      local head = redis.call('ZRANGEBYLEX', P, '[' .. g .. '\0', '(' .. g .. '\1', 'LIMIT', 0, 1)[1]
      if not head then break end
      take(string.match(head, '%z%d+%z(.*)$'))
    end
    refresh(g)
    if got >= max or scanned >= cap then break end
  end
else
  -- a standard queue: take()'s steps a round of candidates at a time, a
  -- command per key for the round rather than per message
  local rcv = tonumber(rec[5] or '0')
  local rcv0 = rcv
  -- formatted once: redis.call turns a Lua number into a string each time
  local untilS, nowS = fmt(now + vis), fmt(now)
  while got < max and scanned < cap do
    local ids = redis.call('ZRANGEBYSCORE', W, '-inf', now, 'LIMIT', 0, max - got)
    if #ids == 0 then break end
    local ss = redis.call('HMGET', S, unpack(ids))
    local unwait, states, flight, taken = {}, {}, {}, {}
    for k, id in ipairs(ids) do
      scanned = scanned + 1
      local s = ss[k]
      unwait[#unwait + 1] = id
      if s then
        -- the state's sent time, count and first receive; the rest
        -- (sequence number, size, group) is kept as it is:
        -- encode(parse(s)) with the receive's changes, without parse's
        -- four other numbers. A state without its sent time is older
        -- than states that keep it: the sent set has it.
        local pre, sent, c, f, rest = string.match(s, '^(s(%d+)|)(%d+)|(%d+)|%d+|%d+|(.*)$')
        if not pre then
          pre = ''
          c, f, rest = string.match(s, '^(%d+)|(%d+)|%d+|%d+|(.*)$')
        end
        local count = tonumber(c)
        if sent_of(tonumber(sent), id) + ret <= now then
          drop(id, parse(s))
        elseif maxrc > 0 and count + 1 > maxrc then
          local payload = redis.call('HGET', M, id) or ''
          redis.call('RPUSH', DEAD, id .. '\n' .. s .. '\n' .. payload)
          drop(id, parse(s))
          dead = dead + 1
        else
          if f == '0' then f = nowS end
          rcv = rcv + 1
          local e = pre .. fmt(count + 1) .. '|' .. f .. '|' .. fmt(rcv) .. '|' .. nowS .. '|' .. rest
          states[#states + 1] = id; states[#states + 1] = e
          flight[#flight + 1] = untilS; flight[#flight + 1] = id
          taken[#taken + 1] = id; taken[#taken + 1] = e
          got = got + 1
        end
      end
    end
    redis.call('ZREM', W, unpack(unwait))
    if #taken > 0 then
      redis.call('HSET', S, unpack(states))
      redis.call('ZADD', F, unpack(flight))
      lower(now + vis)
      local ms = {}
      for k = 1, #taken, 2 do ms[#ms + 1] = taken[k] end
      local payloads = redis.call('HMGET', M, unpack(ms))
      for k = 1, #taken, 2 do
        out[#out + 1] = taken[k]; out[#out + 1] = payloads[(k + 1) / 2] or ''; out[#out + 1] = taken[k + 1]
      end
    end
  end
  if rcv > rcv0 then redis.call('HSET', R, '#rcv', rcv) end
end
if attempt ~= '' and #out > 0 then
  local exp = now + tonumber(ARGV[7])
  local t = {}
  for i = 1, #out, 3 do t[#t + 1] = out[i] .. ',' .. fmt(parse(out[i + 2]).token) .. ';' end
  redis.call('HSET', ATT, attempt, fmt(exp) .. '|' .. table.concat(t))
  redis.call('ZADD', ATX, exp, attempt)
  lower(exp)
end
-- the next due time matters to a long poll that got nothing
local nd = -1
if #out == 0 then nd = next_due() end
local res = {0, nd, redis.call('LLEN', DEAD)}
for _, v in ipairs(out) do res[#res + 1] = v end
return res
`)

// scriptQueueDeleteMessages deletes messages by receipt.
//
//	KEYS   the queue's keys
//	ARGV[1] now   ARGV[2..] (id, receipt token) pairs
//
// Returns {OK, code, ...}, a code per pair: 0 deleted, or gone already,
// or (standard queue) received again since, then nothing is deleted, as
// AWS does; 1 (FIFO queue) the receipt's visibility timeout has ended, or
// the message was received again since.
var scriptQueueDeleteMessages = redis.NewScript(luaQueue + `
local out = {0}
local ids, tokens = {}, {}
for i = 2, #ARGV, 2 do ids[#ids + 1] = ARGV[i]; tokens[#tokens + 1] = tonumber(ARGV[i + 1]) end
if #ids == 0 then return out end
local states = redis.call('HMGET', S, unpack(ids))
local untils = fifo and redis.call('ZMSCORE', F, unpack(ids))
-- a standard queue's messages go together, a command per key; a FIFO
-- queue's one by one (each may unlock its group)
local gone, bytes, seen = {}, 0, {}
for k, id in ipairs(ids) do
  local s, c = states[k], 0
  if s and not seen[id] then
    if fifo then
      local st = parse(s)
      if st.token == tokens[k] and tonumber(untils[k] or '-1') > now then
        drop(id, st)
        seen[id] = true
      else
        c = 1
      end
    else
      -- a standard queue's needs the token and the size alone: two of
      -- parse's numbers (after the sent time, or in a state without it)
      local token, size = string.match(s, '^s%d+|%d+|%d+|(%d+)|%d+|%d+|(%d+)|')
      if not token then token, size = string.match(s, '^%d+|%d+|(%d+)|%d+|%d+|(%d+)|') end
      if tonumber(token) == tokens[k] then
        gone[#gone + 1] = id
        bytes = bytes + tonumber(size)
        seen[id] = true
      end
    end
  end
  out[#out + 1] = c
end
if #gone > 0 then
  redis.call('ZREM', F, unpack(gone))
  redis.call('HDEL', M, unpack(gone))
  redis.call('HDEL', S, unpack(gone))
  redis.call('ZREM', W, unpack(gone))
  redis.call('ZREM', T, unpack(gone))
  redis.call('HINCRBY', R, '#bytes', -bytes)
end
return out
`)

// scriptQueueChangeVisibility changes the visibility timeout of messages
// in flight.
//
//	KEYS   the queue's keys
//	ARGV[1] now   ARGV[2] the longest a receive may keep a message (ms)
//	ARGV[3..] (id, receipt token, timeout ms) triples
//
// Returns {OK, code, ...}, a code per triple: 0 changed; 1 the message is
// not in flight under this receipt (MessageNotInflight); 2 the message is
// gone (ReceiptHandleIsInvalid); 3 the timeout would keep it past the
// longest (InvalidParameterValue).
var scriptQueueChangeVisibility = redis.NewScript(luaQueue + `
local out = {0}
local longest = tonumber(ARGV[2])
local signalled = 0
for i = 3, #ARGV, 3 do
  local id, token, vis = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2])
  local s = redis.call('HGET', S, id)
  local c = 0
  if not s then
    c = 2
  else
    local st = parse(s)
    local until_ = redis.call('ZSCORE', F, id)
    if st.token ~= token or not until_ or tonumber(until_) <= now then
      c = 1
    elseif now + vis - st.last > longest then
      c = 3
    elseif vis == 0 then
      redis.call('ZREM', F, id)
      if fifo then unlock(st.group) end
      make_visible(id, st, now)
      signalled = signalled + 1
    else
      redis.call('ZADD', F, now + vis, id)
      lower(now + vis)
    end
  end
  out[#out + 1] = c
end
if signalled > 0 then signal(signalled) end
return out
`)

// scriptQueuePurge deletes every message of a queue that exists, unless
// it was purged less than ARGV[2] ms ago.
//
//	KEYS   the queue's keys   ARGV[1] now   ARGV[2] the interval (ms)
//
// Returns {OK}, {NOTFOUND}, or {STALE} when purged within the interval.
var scriptQueuePurge = redis.NewScript(luaRecordPad + `
local R = KEYS[1]
if redis.call('EXISTS', R) == 0 then return {3} end
local last = tonumber(redis.call('HGET', R, '#purged') or '0')
if last > 0 and tonumber(ARGV[1]) - last < tonumber(ARGV[2]) then return {1} end
for _, k in ipairs({3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 15, 16}) do redis.call('DEL', KEYS[k]) end
redis.call('HSET', R, '#purged', ARGV[1], '#bytes', '0', '#ht', RECORD_PAD)
redis.call('HSET', KEYS[4], '#ht', RECORD_PAD)
return {0}
`)

// scriptQueueSweep removes expired messages and returns due ones to a
// queue that exists, as a receive does first.
//
//	KEYS   the queue's keys   ARGV[1] now   ARGV[2] the sweep cap
//
// Returns {OK, the dead list's length} or {NOTFOUND}.
var scriptQueueSweep = redis.NewScript(luaQueue + `
if not exists then return {3} end
sweep(tonumber(ARGV[2]))
return {0, redis.call('LLEN', DEAD)}
`)
