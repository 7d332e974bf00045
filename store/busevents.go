package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// The bus router's data plane: events put on a bus and their deliveries to
// the targets of the rules they matched, leased to the process that makes
// them, as the topic router's (topic.go) without FIFO order; the
// schedules' ticks; archives' events. The management plane (buses, rules,
// targets) is bus.go.

// Bus data-plane script codes, after the common ones (errors.go).
const (
	codeBusStale  = 32 // the bus's version moved
	codeBusTicked = 33 // the schedule's tick was fired already
)

// ErrBusStale is a put whose rules were matched against a version of the
// bus that is no longer current: match again.
var ErrBusStale = errors.New("store: bus changed")

// ErrTickTaken is a schedule's tick another process fired first.
var ErrTickTaken = errors.New("store: schedule tick already fired")

// busDataKeys are the keys of a bus's data plane, in the order the scripts
// below name them.
func (c *Client) busDataKeys(name string) ([]string, error) {
	if err := checkBusName(name); err != nil {
		return nil, err
	}
	k := c.keys
	return []string{k.BusKey(name), k.BusEventsKey(name), k.BusDueKey(name), k.BusAttemptsKey(name), k.BusLeftKey(name), k.BusSchedulesKey(name)}, nil
}

// BusEvent is one event to put: its id in the bus (the envelope's id, or
// for a replayed event one of the replay's), its JSON, and the deliveries
// it owes, each "<rule>\x00<target id>".
type BusEvent struct {
	ID         string
	Payload    string
	Deliveries []string
}

// BusPutParams put events on a bus in one step.
type BusPutParams struct {
	Bus string
	// Version is the bus's version the rules were matched against:
	// ErrBusStale, with nothing put, when it moved; -1 skips the check (a
	// schedule's tick names its rule's targets, checked by the caller).
	Version int64
	Events  []BusEvent
	// LeaseUntil is when the deliveries fall due for the recoverers: the
	// putting process delivers them before.
	LeaseUntil time.Time
	// Tick, when set, fires a schedule's tick with the put: the rule's
	// member of BusSchedulesKey must still be scored At (else
	// ErrTickTaken, nothing put) and is scored Next after (removed when
	// Next is zero).
	Tick *BusTick
}

// BusTick is a schedule's tick to fire.
type BusTick struct {
	Rule     string
	At, Next time.Time
}

// scriptBusPut puts events.
//
// KEYS: busDataKeys. ARGV: version (-1: unchecked), lease-until ms, tick
// rule ("" for none), tick at ms, tick next ms (0: none), event count, then
// per event: id, payload, n, n deliveries "<rule>\0<target>". Returns {0},
// {3} without the bus, {32} when the version moved, {33} when the tick was
// taken.
var scriptBusPut = redis.NewScript(`
local R, EV, DUE, LEFT, SCH = KEYS[1], KEYS[2], KEYS[3], KEYS[5], KEYS[6]
local ver = redis.call('HGET', R, '#ver')
if not ver then return {3} end
if ARGV[1] ~= '-1' and ver ~= ARGV[1] then return {32} end
if ARGV[3] ~= '' then
  local at = redis.call('ZSCORE', SCH, ARGV[3])
  if not at or tonumber(at) ~= tonumber(ARGV[4]) then return {33} end
  if ARGV[5] == '0' then redis.call('ZREM', SCH, ARGV[3]) else redis.call('ZADD', SCH, ARGV[5], ARGV[3]) end
end
local lease = ARGV[2]
local due, evs, left = {}, {}, {}
local i = 7
for e = 1, tonumber(ARGV[6]) do
  local id, payload, n = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  i = i + 3
  if n > 0 then
    for j = 0, n - 1 do due[#due + 1] = lease; due[#due + 1] = id .. '/' .. ARGV[i + j] end
    evs[#evs + 1] = id; evs[#evs + 1] = payload
    -- an event of one delivery ends with it: no count kept
    if n > 1 then left[#left + 1] = id; left[#left + 1] = n end
  end
  i = i + n
end
for c = 1, #due, 200 do redis.call('ZADD', DUE, unpack(due, c, math.min(c + 199, #due))) end
for c = 1, #evs, 200 do redis.call('HSET', EV, unpack(evs, c, math.min(c + 199, #evs))) end
for c = 1, #left, 200 do redis.call('HSET', LEFT, unpack(left, c, math.min(c + 199, #left))) end
return {0}
`)

// BusPut puts events on a bus: each event and its deliveries, due at
// p.LeaseUntil, in one script. ErrNotFound without the bus; ErrBusStale
// when its version moved; ErrTickTaken when p.Tick was fired already.
func (c *Client) BusPut(ctx context.Context, p *BusPutParams) error {
	keys, err := c.busDataKeys(p.Bus)
	if err != nil {
		return err
	}
	a := args{p.Version, p.LeaseUntil.UnixMilli(), "", 0, 0, len(p.Events)}
	if t := p.Tick; t != nil {
		a[2], a[3] = t.Rule, t.At.UnixMilli()
		if !t.Next.IsZero() {
			a[4] = t.Next.UnixMilli()
		}
	}
	for _, e := range p.Events {
		if err := checkID("event id", e.ID); err != nil || strings.Contains(e.ID, "/") {
			return fmt.Errorf("%w: event id %q", ErrInvalid, e.ID)
		}
		a = append(a, e.ID, e.Payload, len(e.Deliveries))
		for _, d := range e.Deliveries {
			a = append(a, d)
		}
	}
	res, err := scriptBusPut.Run(ctx, c.rdb, keys, a...).Slice()
	if err != nil {
		return fmt.Errorf("store: putting events on bus %s: %w", p.Bus, err)
	}
	switch code(res) {
	case codeOK:
		return nil
	case codeNotFound:
		return fmt.Errorf("%w: bus %s", ErrNotFound, p.Bus)
	case codeBusStale:
		return ErrBusStale
	case codeBusTicked:
		return ErrTickTaken
	}
	return fmt.Errorf("%w: bus put script returned %v", ErrCorrupt, res)
}

// BusDeliveryMember is a delivery's member of BusDueKey.
func BusDeliveryMember(eventID, rule, target string) string {
	return eventID + "/" + rule + "\x00" + target
}

// BusDelivery is a delivery a recoverer claimed.
type BusDelivery struct {
	EventID  string
	Rule     string
	Target   string
	Attempts int    // failed attempts so far
	Payload  string // the event as the bus router encoded it
}

// scriptDeliveryClaim claims a router's due deliveries (the topic's and
// the bus's): each is leased again, and returned with its attempts and its
// message's stored value.
//
// KEYS: the messages hash (id → value), the due set (member
// "<id>/<...>"), the attempts hash (one slot). ARGV: now ms, lease-until
// ms, max. Returns {0, {member, attempts, value}...}; a delivery whose
// message is gone is dropped.
var scriptDeliveryClaim = redis.NewScript(`
local M, DUE, ATT = KEYS[1], KEYS[2], KEYS[3]
local due = redis.call('ZRANGEBYSCORE', DUE, '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {0}
for _, d in ipairs(due) do
  local id = string.match(d, '^([^/]*)/')
  local v = id and redis.call('HGET', M, id)
  if v then
    redis.call('ZADD', DUE, ARGV[2], d)
    out[#out + 1] = {d, redis.call('HGET', ATT, d) or '0', v}
  else
    redis.call('ZREM', DUE, d); redis.call('HDEL', ATT, d)
  end
end
return out
`)

// claimedDelivery is one delivery scriptDeliveryClaim handed out.
type claimedDelivery struct {
	member   string
	attempts int
	value    string
}

// deliveryClaim runs scriptDeliveryClaim for what ("topic orders").
func (c *Client) deliveryClaim(ctx context.Context, what, messages, due, attempts string, now, leaseUntil time.Time, max int) ([]claimedDelivery, error) {
	res, err := scriptDeliveryClaim.Run(ctx, c.rdb, []string{messages, due, attempts}, now.UnixMilli(), leaseUntil.UnixMilli(), max).Slice()
	if err != nil {
		return nil, fmt.Errorf("store: claiming deliveries of %s: %w", what, err)
	}
	out := make([]claimedDelivery, 0, len(res)-1)
	for _, r := range res[1:] {
		e, _ := r.([]any)
		n, _ := strconv.Atoi(stringAt(e, 1))
		out = append(out, claimedDelivery{member: stringAt(e, 0), attempts: n, value: stringAt(e, 2)})
	}
	return out, nil
}

// BusClaim claims up to max deliveries of a bus that are due at now,
// leasing them until leaseUntil.
func (c *Client) BusClaim(ctx context.Context, bus string, now, leaseUntil time.Time, max int) ([]BusDelivery, error) {
	if err := checkBusName(bus); err != nil {
		return nil, err
	}
	ds, err := c.deliveryClaim(ctx, "bus "+bus, c.keys.BusEventsKey(bus), c.keys.BusDueKey(bus), c.keys.BusAttemptsKey(bus), now, leaseUntil, max)
	if err != nil {
		return nil, err
	}
	out := make([]BusDelivery, 0, len(ds))
	for _, d := range ds {
		id, rt, _ := strings.Cut(d.member, "/")
		rule, target, _ := strings.Cut(rt, "\x00")
		out = append(out, BusDelivery{EventID: id, Rule: rule, Target: target, Attempts: d.attempts, Payload: d.value})
	}
	return out, nil
}

// luaEndMessages defines endMessages(data, left, ids, ended), shared by
// the ack scripts of buses and topics: of the messages (events) ids, whose
// deliveries ended[id] have just ended, it removes from the hash data
// those whose last delivery that was, with their counts in the hash left.
// A message without a count had one delivery; one with a count ends with
// its last. Two commands for the batch, and one per message of several
// deliveries, rather than three per message.
const luaEndMessages = `
local function endMessages(data, left, ids, ended)
  local counts = redis.call('HMGET', left, unpack(ids))
  local done, counted = {}, {}
  for k, id in ipairs(ids) do
    if not counts[k] then
      done[#done + 1] = id
    elseif redis.call('HINCRBY', left, id, -ended[id]) <= 0 then
      done[#done + 1] = id; counted[#counted + 1] = id
    end
  end
  if #done > 0 then redis.call('HDEL', data, unpack(done)) end
  if #counted > 0 then redis.call('HDEL', left, unpack(counted)) end
end
`

// scriptBusAck ends deliveries: each one still due is removed, and an
// event with its last delivery.
//
// KEYS: busDataKeys. ARGV: members. Returns {0, ended}.
var scriptBusAck = redis.NewScript(luaEndMessages + `
local EV, DUE, ATT, LEFT = KEYS[2], KEYS[3], KEYS[4], KEYS[5]
if #ARGV == 0 then return {0, 0} end
local scores = redis.call('ZMSCORE', DUE, unpack(ARGV))
local gone, ended, ids, seen = {}, {}, {}, {}
for k, d in ipairs(ARGV) do
  if scores[k] and not seen[d] then
    seen[d] = true
    gone[#gone + 1] = d
    local id = string.match(d, '^([^/]*)/')
    if not ended[id] then ids[#ids + 1] = id end
    ended[id] = (ended[id] or 0) + 1
  end
end
if #gone == 0 then return {0, 0} end
redis.call('ZREM', DUE, unpack(gone))
redis.call('HDEL', ATT, unpack(gone))
endMessages(EV, LEFT, ids, ended)
return {0, #gone}
`)

// BusAck ends deliveries (BusDeliveryMember): done, or given up. Ending one
// twice is harmless. It returns how many it ended.
func (c *Client) BusAck(ctx context.Context, bus string, members []string) (int, error) {
	keys, err := c.busDataKeys(bus)
	if err != nil {
		return 0, err
	}
	if len(members) == 0 {
		return 0, nil
	}
	a := make([]any, len(members))
	for i, m := range members {
		a[i] = m
	}
	res, err := scriptBusAck.Run(ctx, c.rdb, keys, a...).Slice()
	if err != nil {
		return 0, fmt.Errorf("store: ending deliveries of bus %s: %w", bus, err)
	}
	return int(intAt(res, 1)), nil
}

// scriptDeliveryRetry counts a failed attempt of a router's delivery and
// makes it due again (the topic's and the bus's).
//
// KEYS: the due set, the attempts hash (one slot). ARGV: member, due ms.
// Returns {0, attempts}, {3} when the delivery was ended.
var scriptDeliveryRetry = redis.NewScript(`
if redis.call('ZADD', KEYS[1], 'XX', 'CH', ARGV[2], ARGV[1]) == 0 and not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return {3} end
return {0, redis.call('HINCRBY', KEYS[2], ARGV[1], 1)}
`)

// deliveryRetry runs scriptDeliveryRetry for what ("topic orders").
func (c *Client) deliveryRetry(ctx context.Context, what, due, attempts, member string, at time.Time) (int, error) {
	res, err := scriptDeliveryRetry.Run(ctx, c.rdb, []string{due, attempts}, member, at.UnixMilli()).Slice()
	if err != nil {
		return 0, fmt.Errorf("store: retrying a delivery of %s: %w", what, err)
	}
	if code(res) == codeNotFound {
		return 0, fmt.Errorf("%w: delivery %s", ErrNotFound, member)
	}
	return int(intAt(res, 1)), nil
}

// BusRetry counts a failed attempt of a delivery and makes it due again at
// at; it returns the attempts so far, or ErrNotFound when the delivery was
// ended meanwhile.
func (c *Client) BusRetry(ctx context.Context, bus, member string, at time.Time) (int, error) {
	if err := checkBusName(bus); err != nil {
		return 0, err
	}
	return c.deliveryRetry(ctx, "bus "+bus, c.keys.BusDueKey(bus), c.keys.BusAttemptsKey(bus), member, at)
}

// BusesDue returns which of the buses names have a delivery due at now.
func (c *Client) BusesDue(ctx context.Context, names []string, now time.Time) ([]string, error) {
	return c.firstDue(ctx, names, now, c.keys.BusDueKey)
}

// BusSchedulesDue returns which of the buses names have a schedule's tick
// due at now.
func (c *Client) BusSchedulesDue(ctx context.Context, names []string, now time.Time) ([]string, error) {
	return c.firstDue(ctx, names, now, c.keys.BusSchedulesKey)
}

// firstDue returns the names whose sorted set key(name) has a member
// scored at or before now.
func (c *Client) firstDue(ctx context.Context, names []string, now time.Time, key func(string) string) ([]string, error) {
	cmds := make([]*redis.StringSliceCmd, len(names))
	_, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, n := range names {
			cmds[i] = p.ZRangeByScore(ctx, key(n), &redis.ZRangeBy{Min: "-inf", Max: strconv.FormatInt(now.UnixMilli(), 10), Count: 1})
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("store: due members: %w", err)
	}
	var due []string
	for i, cmd := range cmds {
		if len(cmd.Val()) > 0 {
			due = append(due, names[i])
		}
	}
	return due, nil
}

// BusPending returns how many deliveries a bus owes.
func (c *Client) BusPending(ctx context.Context, bus string) (int64, error) {
	if err := checkBusName(bus); err != nil {
		return 0, err
	}
	n, err := c.rdb.ZCard(ctx, c.keys.BusDueKey(bus)).Result()
	if err != nil {
		return 0, fmt.Errorf("store: bus %s: %w", bus, err)
	}
	return n, nil
}

// BusSchedules returns a bus's scheduled rules and their next ticks.
func (c *Client) BusSchedules(ctx context.Context, bus string) (map[string]time.Time, error) {
	if err := checkBusName(bus); err != nil {
		return nil, err
	}
	zs, err := c.rdb.ZRangeWithScores(ctx, c.keys.BusSchedulesKey(bus), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("store: schedules of bus %s: %w", bus, err)
	}
	out := make(map[string]time.Time, len(zs))
	for _, z := range zs {
		name, _ := z.Member.(string)
		out[name] = time.UnixMilli(int64(z.Score)).UTC()
	}
	return out, nil
}

// BusScheduleSet sets (ZADD NX: an existing tick is kept) or, with a zero
// next, removes a rule's next tick.
func (c *Client) BusScheduleSet(ctx context.Context, bus, rule string, next time.Time) error {
	if err := checkBusName(bus); err != nil {
		return err
	}
	key := c.keys.BusSchedulesKey(bus)
	var err error
	if next.IsZero() {
		err = c.rdb.ZRem(ctx, key, rule).Err()
	} else {
		err = c.rdb.ZAddNX(ctx, key, redis.Z{Score: float64(next.UnixMilli()), Member: rule}).Err()
	}
	if err != nil {
		return fmt.Errorf("store: schedule of rule %s on bus %s: %w", rule, bus, err)
	}
	return nil
}

// ArchivedEvent is one event an archive keeps.
type ArchivedEvent struct {
	ID      string
	Time    time.Time // the event's time
	Payload string
}

// scriptArchivePut archives events; an event archived already is not
// counted again.
//
// KEYS: ArchiveKey, ArchiveEventsKey. ARGV: triples of time ms, id,
// payload. Returns {0, added}.
var scriptArchivePut = redis.NewScript(`
local added, bytes = 0, 0
for i = 1, #ARGV, 3 do
  local m = ARGV[i + 1] .. '|' .. ARGV[i + 2]
  if redis.call('ZADD', KEYS[2], 'NX', ARGV[i], m) == 1 then
    added = added + 1; bytes = bytes + #ARGV[i + 2]
  end
end
if added > 0 then
  redis.call('HINCRBY', KEYS[1], 'EventCount', added)
  redis.call('HINCRBY', KEYS[1], 'SizeBytes', bytes)
end
return {0, added}
`)

// ArchivePut archives events in the archive named name.
func (c *Client) ArchivePut(ctx context.Context, name string, events []ArchivedEvent) error {
	if len(events) == 0 {
		return nil
	}
	if err := checkBusName(name); err != nil {
		return err
	}
	a := make(args, 0, 3*len(events))
	for _, e := range events {
		if err := checkID("event id", e.ID); err != nil {
			return err
		}
		a = append(a, e.Time.UnixMilli(), e.ID, e.Payload)
	}
	keys := []string{c.keys.ArchiveKey(name), c.keys.ArchiveEventsKey(name)}
	if err := scriptArchivePut.Run(ctx, c.rdb, keys, a...).Err(); err != nil {
		return fmt.Errorf("store: archiving events in %s: %w", name, err)
	}
	return nil
}

// ArchiveRead returns up to max events of an archive whose time is in
// [from, to], in time order, after the event (time, id) after (zero: from
// the start).
func (c *Client) ArchiveRead(ctx context.Context, name string, from, to time.Time, afterTime time.Time, afterID string, max int) ([]ArchivedEvent, error) {
	if err := checkBusName(name); err != nil {
		return nil, err
	}
	min := strconv.FormatInt(from.UnixMilli(), 10)
	if !afterTime.IsZero() {
		min = strconv.FormatInt(afterTime.UnixMilli(), 10)
	}
	var out []ArchivedEvent
	offset := int64(0)
	for len(out) < max {
		zs, err := c.rdb.ZRangeByScoreWithScores(ctx, c.keys.ArchiveEventsKey(name), &redis.ZRangeBy{Min: min, Max: strconv.FormatInt(to.UnixMilli(), 10), Offset: offset, Count: int64(max)}).Result()
		if err != nil {
			return nil, fmt.Errorf("store: reading archive %s: %w", name, err)
		}
		for _, z := range zs {
			m, _ := z.Member.(string)
			id, payload, _ := strings.Cut(m, "|")
			at := time.UnixMilli(int64(z.Score)).UTC()
			if !afterTime.IsZero() && at.Equal(afterTime) && id <= afterID {
				continue // read already: the same millisecond, an id not after the last
			}
			out = append(out, ArchivedEvent{ID: id, Time: at, Payload: payload})
			if len(out) == max {
				break
			}
		}
		if len(zs) < max {
			break
		}
		offset += int64(len(zs))
	}
	return out, nil
}

// scriptArchiveTrim removes an archive's events older than a cutoff.
//
// KEYS: ArchiveKey, ArchiveEventsKey. ARGV: cutoff ms, max. Returns {0,
// removed}.
var scriptArchiveTrim = redis.NewScript(`
local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #old == 0 then return {0, 0} end
local bytes = 0
for _, m in ipairs(old) do
  local _, p = string.find(m, '|', 1, true)
  bytes = bytes + #m - p
end
redis.call('ZREM', KEYS[2], unpack(old))
redis.call('HINCRBY', KEYS[1], 'EventCount', -#old)
redis.call('HINCRBY', KEYS[1], 'SizeBytes', -bytes)
return {0, #old}
`)

// ArchiveTrim removes up to max events of an archive older than cutoff
// (its retention) and returns how many it removed.
func (c *Client) ArchiveTrim(ctx context.Context, name string, cutoff time.Time, max int) (int, error) {
	if err := checkBusName(name); err != nil {
		return 0, err
	}
	keys := []string{c.keys.ArchiveKey(name), c.keys.ArchiveEventsKey(name)}
	res, err := scriptArchiveTrim.Run(ctx, c.rdb, keys, cutoff.UnixMilli(), max).Slice()
	if err != nil {
		return 0, fmt.Errorf("store: trimming archive %s: %w", name, err)
	}
	return int(intAt(res, 1)), nil
}

// ReplaySwap replaces the replay named name's record old (the JSON read;
// "" when creating) with new ("" deletes): ErrBusChanged when it changed
// meanwhile (for a create: it exists), ErrLimit past limit replays.
func (c *Client) ReplaySwap(ctx context.Context, name, old, new string, limit int) error {
	return c.recordWrite(ctx, c.keys.ReplaysKey(), "replay", name, old, new, limit)
}

// Replays returns every replay's record: name → JSON.
func (c *Client) Replays(ctx context.Context) (map[string]string, error) {
	return c.recordAll(ctx, c.keys.ReplaysKey(), "replay")
}

// Replay returns the replay named name's record, or ErrNotFound.
func (c *Client) Replay(ctx context.Context, name string) (string, error) {
	return c.recordGet(ctx, c.keys.ReplaysKey(), "replay", name)
}

// BusVersion returns a bus's version; ErrNotFound without the bus.
func (c *Client) BusVersion(ctx context.Context, bus string) (int64, error) {
	if err := checkBusName(bus); err != nil {
		return 0, err
	}
	v, err := c.rdb.HGet(ctx, c.keys.BusKey(bus), "#ver").Int64()
	if errors.Is(err, redis.Nil) {
		return 0, fmt.Errorf("%w: bus %s", ErrNotFound, bus)
	}
	if err != nil {
		return 0, fmt.Errorf("store: bus %s: %w", bus, err)
	}
	return v, nil
}

// BusNames returns the names of every bus.
func (c *Client) BusNames(ctx context.Context) ([]string, error) {
	names, err := c.rdb.ZRange(ctx, c.keys.BusesKey(), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("store: buses: %w", err)
	}
	return names, nil
}
