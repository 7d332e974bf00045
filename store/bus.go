package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// An event bus (the bus router's, EventBridge semantics) is a hash of
// attributes with "#created" and "#ver", a hash of rules (name → the rule's
// JSON, its targets included, which the bus router encodes: the store keeps
// it opaque) and a hash of tags (keys.go, BusKey and below). A change of a
// rule is a compare-and-set: the caller reads the rule, builds the new
// record and writes it naming the record it read; the script refuses it
// (ErrBusChanged) if the rule is not that record any more, and bumps the
// bus's "#ver" with every change it makes, so that the data plane, which
// caches a bus's rules by version, sees it. Archives, connections and API
// destinations are records in one hash each, written the same way.

// ErrBusExists: an event bus of that name exists.
var ErrBusExists = errors.New("store: event bus exists")

// ErrBusChanged: the record a compare-and-set named is not the stored one
// any more (another writer came first): read again and retry.
var ErrBusChanged = errors.New("store: changed concurrently")

// Bus script codes, after the common ones (errors.go).
const (
	codeBusChanged = 30
	codeBusLimit   = 31
)

// Fields of the bus hash that are not attributes.
const (
	busFieldCreated = "#created"
	busFieldVer     = "#ver"
)

// checkBusName refuses names the keys cannot carry; the bus router checks
// AWS's rules before.
func checkBusName(name string) error {
	if name == "" || len(name) > 256 || strings.ContainsAny(name, "{}|\n\x00 ") {
		return fmt.Errorf("%w: event bus name %q", ErrInvalid, name)
	}
	return nil
}

// busAllKeys are every key of a bus, the data plane's included: a deleted
// bus leaves nothing behind.
func (k Keys) busAllKeys(name string) []string {
	return []string{k.BusKey(name), k.BusRulesKey(name), k.BusTagsKey(name),
		k.BusEventsKey(name), k.BusDueKey(name), k.BusAttemptsKey(name), k.BusLeftKey(name), k.BusSchedulesKey(name)}
}

// scriptBusCreate creates a bus.
// KEYS: BusKey, BusTagsKey.
// ARGV: now (unix ms), mustBeNew ("1": an existing bus is code 4), then
// a pairs section of attributes, a pairs section of the bus's tags.
// Returns {0} created, {4} existing (nothing changed).
var scriptBusCreate = redis.NewScript(`
local R, TAGS = KEYS[1], KEYS[2]
if redis.call('EXISTS', R) == 1 then return {4} end
local i = 3
local na = tonumber(ARGV[i]); i = i + 1
for j = 1, na do redis.call('HSET', R, ARGV[i], ARGV[i + 1]); i = i + 2 end
local nt = tonumber(ARGV[i]); i = i + 1
for j = 1, nt do redis.call('HSET', TAGS, '\0' .. ARGV[i], ARGV[i + 1]); i = i + 2 end
redis.call('HSET', R, '#created', ARGV[1], '#ver', '1')
return {0}
`)

// BusCreate creates a bus with its attributes and tags: ErrBusExists when
// it exists and mustBeNew, else (existing) nothing is changed.
func (c *Client) BusCreate(ctx context.Context, name string, attrs, tags map[string]string, now time.Time, mustBeNew bool) (existing bool, err error) {
	if err := checkBusName(name); err != nil {
		return false, err
	}
	a := args{now.UnixMilli(), mustBeNew}
	a.pairs(mapPairs(attrs)...)
	a.pairs(mapPairs(tags)...)
	res, err := scriptBusCreate.Run(ctx, c.rdb, []string{c.keys.BusKey(name), c.keys.BusTagsKey(name)}, a...).Slice()
	if err != nil {
		return false, fmt.Errorf("store: creating event bus %s: %w", name, err)
	}
	switch code(res) {
	case codeOK:
	case codeExisting:
		if mustBeNew {
			return true, fmt.Errorf("%w: %s", ErrBusExists, name)
		}
		existing = true
	default:
		return false, fmt.Errorf("%w: bus create script returned %v", ErrCorrupt, res)
	}
	// The index is in another slot; a repeated create repairs it.
	if err := c.rdb.ZAdd(ctx, c.keys.BusesKey(), redis.Z{Member: name}).Err(); err != nil {
		return existing, fmt.Errorf("store: listing event bus %s: %w", name, err)
	}
	return existing, nil
}

// BusRecord is a bus as the store holds it.
type BusRecord struct {
	Name       string
	Attributes map[string]string
	Created    time.Time
	Version    int64
}

func busRecord(name string, h map[string]string) *BusRecord {
	r := &BusRecord{Name: name, Attributes: map[string]string{}}
	for k, v := range h {
		switch k {
		case busFieldCreated:
			ms, _ := strconv.ParseInt(v, 10, 64)
			r.Created = time.UnixMilli(ms)
		case busFieldVer:
			r.Version, _ = strconv.ParseInt(v, 10, 64)
		default:
			r.Attributes[k] = v
		}
	}
	return r
}

// BusGet returns a bus, or ErrNotFound.
func (c *Client) BusGet(ctx context.Context, name string) (*BusRecord, error) {
	if err := checkBusName(name); err != nil {
		return nil, err
	}
	h, err := c.rdb.HGetAll(ctx, c.keys.BusKey(name)).Result()
	if err != nil {
		return nil, fmt.Errorf("store: event bus %s: %w", name, err)
	}
	if len(h) == 0 {
		return nil, fmt.Errorf("%w: event bus %s", ErrNotFound, name)
	}
	return busRecord(name, h), nil
}

// scriptBusSetAttributes sets attributes of a bus.
// KEYS: BusKey.
// ARGV: a pairs section; an empty value removes the attribute.
// Returns {0}, or {3} when the bus does not exist.
var scriptBusSetAttributes = redis.NewScript(`
local R = KEYS[1]
if redis.call('EXISTS', R) == 0 then return {3} end
local n = tonumber(ARGV[1])
local i = 2
for j = 1, n do
  if ARGV[i + 1] == '' then redis.call('HDEL', R, ARGV[i]) else redis.call('HSET', R, ARGV[i], ARGV[i + 1]) end
  i = i + 2
end
return {0}
`)

// BusSetAttributes sets attributes of a bus ("" removes one), or returns
// ErrNotFound.
func (c *Client) BusSetAttributes(ctx context.Context, name string, attrs map[string]string) error {
	if err := checkBusName(name); err != nil {
		return err
	}
	for k := range attrs {
		if strings.HasPrefix(k, "#") {
			return fmt.Errorf("%w: attribute %q", ErrInvalid, k)
		}
	}
	var a args
	a.pairs(mapPairs(attrs)...)
	res, err := scriptBusSetAttributes.Run(ctx, c.rdb, []string{c.keys.BusKey(name)}, a...).Slice()
	if err != nil {
		return fmt.Errorf("store: event bus %s: %w", name, err)
	}
	if code(res) == codeNotFound {
		return fmt.Errorf("%w: event bus %s", ErrNotFound, name)
	}
	return nil
}

// BusDelete deletes a bus with its rules, tags and the deliveries it owes
// (every key of the bus). Deleting a bus that does not exist succeeds.
func (c *Client) BusDelete(ctx context.Context, name string) error {
	if err := checkBusName(name); err != nil {
		return err
	}
	if err := c.rdb.Del(ctx, c.keys.busAllKeys(name)...).Err(); err != nil {
		return fmt.Errorf("store: deleting event bus %s: %w", name, err)
	}
	if err := c.rdb.ZRem(ctx, c.keys.BusesKey(), name).Err(); err != nil {
		return fmt.Errorf("store: unlisting event bus %s: %w", name, err)
	}
	return nil
}

// BusList returns up to limit bus names starting with prefix, after
// after, in lexical order, and the name to continue after ("" at the
// end).
func (c *Client) BusList(ctx context.Context, prefix, after string, limit int) ([]string, string, error) {
	if limit <= 0 {
		limit = 100
	}
	min, max := "-", "+"
	if prefix != "" {
		min, max = "["+prefix, "["+prefix+"\xff"
	}
	if after != "" && (prefix == "" || after >= prefix) {
		min = "(" + after
	}
	names, err := c.rdb.ZRangeByLex(ctx, c.keys.BusesKey(), &redis.ZRangeBy{Min: min, Max: max, Count: int64(limit + 1)}).Result()
	if err != nil {
		return nil, "", fmt.Errorf("store: listing event buses: %w", err)
	}
	next := ""
	if len(names) > limit {
		names, next = names[:limit], names[limit-1]
	}
	return names, next, nil
}

// BusRules returns a bus's version and all its rules (name → record),
// read together: the rules are those of that version. ErrNotFound when
// the bus does not exist.
func (c *Client) BusRules(ctx context.Context, bus string) (ver int64, rules map[string]string, err error) {
	if err := checkBusName(bus); err != nil {
		return 0, nil, err
	}
	var v *redis.StringCmd
	var h *redis.MapStringStringCmd
	_, err = c.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		v = p.HGet(ctx, c.keys.BusKey(bus), busFieldVer)
		h = p.HGetAll(ctx, c.keys.BusRulesKey(bus))
		return nil
	})
	if errors.Is(err, redis.Nil) || errors.Is(v.Err(), redis.Nil) {
		return 0, nil, fmt.Errorf("%w: event bus %s", ErrNotFound, bus)
	}
	if err != nil {
		return 0, nil, fmt.Errorf("store: rules of event bus %s: %w", bus, err)
	}
	ver, err = strconv.ParseInt(v.Val(), 10, 64)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: event bus %s's version %q", ErrCorrupt, bus, v.Val())
	}
	return ver, h.Val(), nil
}

// BusRule returns one rule's record, or ErrNotFound (no such bus or
// rule).
func (c *Client) BusRule(ctx context.Context, bus, name string) (string, error) {
	if err := checkBusName(bus); err != nil {
		return "", err
	}
	rec, err := c.rdb.HGet(ctx, c.keys.BusRulesKey(bus), name).Result()
	if errors.Is(err, redis.Nil) {
		return "", fmt.Errorf("%w: rule %s on event bus %s", ErrNotFound, name, bus)
	}
	if err != nil {
		return "", fmt.Errorf("store: rule %s on event bus %s: %w", name, bus, err)
	}
	return rec, nil
}

// BusRuleNames returns up to limit names of a bus's rules starting with
// prefix, after after, in lexical order, and the name to continue after
// ("" at the end). The rules are a hash: the names are sorted here (a
// bus holds at most the bus router's limit of rules, 10,000).
func (c *Client) BusRuleNames(ctx context.Context, bus, prefix, after string, limit int) ([]string, string, error) {
	if err := checkBusName(bus); err != nil {
		return nil, "", err
	}
	all, err := c.rdb.HKeys(ctx, c.keys.BusRulesKey(bus)).Result()
	if err != nil {
		return nil, "", fmt.Errorf("store: rules of event bus %s: %w", bus, err)
	}
	names := all[:0]
	for _, n := range all {
		if strings.HasPrefix(n, prefix) && n > after {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	next := ""
	if limit > 0 && len(names) > limit {
		names, next = names[:limit], names[limit-1]
	}
	return names, next, nil
}

// BusRulesGet returns the records of the named rules (absent ones
// omitted).
func (c *Client) BusRulesGet(ctx context.Context, bus string, names []string) (map[string]string, error) {
	if err := checkBusName(bus); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(names))
	if len(names) == 0 {
		return out, nil
	}
	vals, err := c.rdb.HMGet(ctx, c.keys.BusRulesKey(bus), names...).Result()
	if err != nil {
		return nil, fmt.Errorf("store: rules of event bus %s: %w", bus, err)
	}
	for i, v := range vals {
		if s, ok := v.(string); ok {
			out[names[i]] = s
		}
	}
	return out, nil
}

// tagPattern is the HSCAN pattern of a resource's tag fields
// ("<resource>\x00<key>"), its glob characters escaped.
func tagPattern(resource string) string {
	var b strings.Builder
	for _, r := range resource {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String() + "\x00*"
}

// scriptBusRuleWrite creates, replaces or deletes one rule of a bus,
// compare-and-set, and bumps the bus's version.
// KEYS: BusKey, BusRulesKey, BusTagsKey.
// ARGV: name, expect (the record the caller read; "" for none), record
// (the new one; "" deletes the rule and its tags), limit (rules of the
// bus, for a new one), the HSCAN pattern of the rule's tags, then a pairs
// section of tags to set ("<name>\0<key>" → value).
// Returns {0, version}, {3} no such bus, {30} the rule is not expect,
// {31} the bus holds limit rules.
var scriptBusRuleWrite = redis.NewScript(`
local R, RULES, TAGS = KEYS[1], KEYS[2], KEYS[3]
if redis.call('EXISTS', R) == 0 then return {3} end
local name, expect, rec = ARGV[1], ARGV[2], ARGV[3]
local cur = redis.call('HGET', RULES, name)
if (cur or '') ~= expect then return {30} end
if rec == '' then
  if not cur then return {0, tonumber(redis.call('HGET', R, '#ver'))} end
  redis.call('HDEL', RULES, name)
  local c = '0'
  repeat
    local r = redis.call('HSCAN', TAGS, c, 'MATCH', ARGV[5], 'COUNT', 1000)
    c = r[1]
    for j = 1, #r[2], 2 do redis.call('HDEL', TAGS, r[2][j]) end
  until c == '0'
else
  if not cur and redis.call('HLEN', RULES) >= tonumber(ARGV[4]) then return {31} end
  redis.call('HSET', RULES, name, rec)
  local n = tonumber(ARGV[6])
  local i = 7
  for j = 1, n do redis.call('HSET', TAGS, ARGV[i], ARGV[i + 1]); i = i + 2 end
end
return {0, redis.call('HINCRBY', R, '#ver', 1)}
`)

// BusRuleWriteParams write one rule of a bus.
type BusRuleWriteParams struct {
	Bus, Name string
	// Expect is the record the caller read ("" when the rule did not
	// exist): another one is ErrBusChanged.
	Expect string
	// Record is the rule's new record; "" deletes the rule with its tags.
	Record string
	// Limit bounds the rules of the bus (a new rule only).
	Limit int
	// Tags are set on the rule (key → value).
	Tags map[string]string
}

// BusRuleWrite creates, replaces or deletes a rule if it is still
// p.Expect, bumping the bus's version; it returns the new version.
// ErrNotFound: no such bus; ErrBusChanged: the rule changed; ErrLimit:
// the bus holds p.Limit rules.
func (c *Client) BusRuleWrite(ctx context.Context, p *BusRuleWriteParams) (int64, error) {
	if err := checkBusName(p.Bus); err != nil {
		return 0, err
	}
	if p.Name == "" || strings.ContainsRune(p.Name, 0) {
		return 0, fmt.Errorf("%w: rule name %q", ErrInvalid, p.Name)
	}
	a := args{p.Name, p.Expect, p.Record, p.Limit, tagPattern(p.Name)}
	var kv []string
	for k, v := range p.Tags {
		kv = append(kv, p.Name+"\x00"+k, v)
	}
	a.pairs(kv...)
	keys := []string{c.keys.BusKey(p.Bus), c.keys.BusRulesKey(p.Bus), c.keys.BusTagsKey(p.Bus)}
	res, err := scriptBusRuleWrite.Run(ctx, c.rdb, keys, a...).Slice()
	if err != nil {
		return 0, fmt.Errorf("store: rule %s on event bus %s: %w", p.Name, p.Bus, err)
	}
	switch code(res) {
	case codeOK:
		return intAt(res, 1), nil
	case codeNotFound:
		return 0, fmt.Errorf("%w: event bus %s", ErrNotFound, p.Bus)
	case codeBusChanged:
		return 0, fmt.Errorf("%w: rule %s on event bus %s", ErrBusChanged, p.Name, p.Bus)
	case codeBusLimit:
		return 0, fmt.Errorf("%w: event bus %s holds %d rules", ErrLimit, p.Bus, p.Limit)
	}
	return 0, fmt.Errorf("%w: rule write script returned %v", ErrCorrupt, res)
}

// scriptBusTags changes the tags of one resource of a bus (the bus, or a
// rule).
// KEYS: BusKey, BusRulesKey, BusTagsKey.
// ARGV: resource ("" the bus, else a rule's name), the HSCAN pattern of
// its tags, limit (tags of the resource), then a list section of tag keys
// to remove, a pairs section of tags to set.
// Returns {0}, {3} no such bus or rule, {31} more than limit tags.
var scriptBusTags = redis.NewScript(`
local R, RULES, TAGS = KEYS[1], KEYS[2], KEYS[3]
if redis.call('EXISTS', R) == 0 then return {3} end
local res = ARGV[1]
if res ~= '' and redis.call('HEXISTS', RULES, res) == 0 then return {3} end
local have = {}
local count = 0
local c = '0'
repeat
  local r = redis.call('HSCAN', TAGS, c, 'MATCH', ARGV[2], 'COUNT', 1000)
  c = r[1]
  for j = 1, #r[2], 2 do if not have[r[2][j]] then have[r[2][j]] = true; count = count + 1 end end
until c == '0'
local i = 4
local nr = tonumber(ARGV[i]); i = i + 1
local gone = {}
for j = 1, nr do
  local f = res .. '\0' .. ARGV[i]; i = i + 1
  if have[f] then have[f] = nil; count = count - 1 end
  gone[#gone + 1] = f
end
local ns = tonumber(ARGV[i]); i = i + 1
local set = {}
for j = 1, ns do
  local f = res .. '\0' .. ARGV[i]
  if not have[f] then have[f] = true; count = count + 1 end
  set[#set + 1] = {f, ARGV[i + 1]}
  i = i + 2
end
if count > tonumber(ARGV[3]) then return {31} end
for _, f in ipairs(gone) do redis.call('HDEL', TAGS, f) end
for _, kv in ipairs(set) do redis.call('HSET', TAGS, kv[1], kv[2]) end
return {0}
`)

// BusTagsChange removes the tag keys remove of a bus's resource ("" the
// bus, else a rule's name), then sets the tags set; ErrLimit (nothing
// changed) when the resource would hold more than limit tags, ErrNotFound
// when the bus or the rule does not exist.
func (c *Client) BusTagsChange(ctx context.Context, bus, resource string, remove []string, set map[string]string, limit int) error {
	if err := checkBusName(bus); err != nil {
		return err
	}
	a := args{resource, tagPattern(resource), limit, len(remove)}
	for _, k := range remove {
		a = append(a, k)
	}
	a.pairs(mapPairs(set)...)
	keys := []string{c.keys.BusKey(bus), c.keys.BusRulesKey(bus), c.keys.BusTagsKey(bus)}
	res, err := scriptBusTags.Run(ctx, c.rdb, keys, a...).Slice()
	if err != nil {
		return fmt.Errorf("store: tagging %q of event bus %s: %w", resource, bus, err)
	}
	switch code(res) {
	case codeOK:
		return nil
	case codeNotFound:
		return fmt.Errorf("%w: %q of event bus %s", ErrNotFound, resource, bus)
	case codeBusLimit:
		return fmt.Errorf("%w: more than %d tags", ErrLimit, limit)
	}
	return fmt.Errorf("%w: bus tags script returned %v", ErrCorrupt, res)
}

// BusTags returns the tags of a bus's resource ("" the bus, else a rule's
// name). It does not check that the resource exists.
func (c *Client) BusTags(ctx context.Context, bus, resource string) (map[string]string, error) {
	if err := checkBusName(bus); err != nil {
		return nil, err
	}
	tags := map[string]string{}
	iter := c.rdb.HScan(ctx, c.keys.BusTagsKey(bus), 0, tagPattern(resource), 1000).Iterator()
	for iter.Next(ctx) {
		f := iter.Val()
		if !iter.Next(ctx) {
			break
		}
		if _, k, ok := strings.Cut(f, "\x00"); ok {
			tags[k] = iter.Val()
		}
	}
	if err := iter.Err(); err != nil {
		return nil, fmt.Errorf("store: tags of event bus %s: %w", bus, err)
	}
	return tags, nil
}

// scriptRecordWrite creates, replaces or deletes one record of a hash of
// records (ArchivesKey, ConnectionsKey, APIDestinationsKey),
// compare-and-set.
// KEYS: the hash.
// ARGV: name, expect (the record the caller read, "" for none), record
// ("" deletes it), limit (records of the hash, for a new one).
// Returns {0}, {30} the record is not expect, {31} the hash holds limit
// records.
var scriptRecordWrite = redis.NewScript(`
local H = KEYS[1]
local name, expect, rec = ARGV[1], ARGV[2], ARGV[3]
local cur = redis.call('HGET', H, name)
if (cur or '') ~= expect then return {30} end
if rec == '' then redis.call('HDEL', H, name); return {0} end
if not cur and redis.call('HLEN', H) >= tonumber(ARGV[4]) then return {31} end
redis.call('HSET', H, name, rec)
return {0}
`)

func (c *Client) recordWrite(ctx context.Context, key, what, name, expect, record string, limit int) error {
	if name == "" {
		return fmt.Errorf("%w: %s name is empty", ErrInvalid, what)
	}
	res, err := scriptRecordWrite.Run(ctx, c.rdb, []string{key}, name, expect, record, limit).Slice()
	if err != nil {
		return fmt.Errorf("store: %s %s: %w", what, name, err)
	}
	switch code(res) {
	case codeOK:
		return nil
	case codeBusChanged:
		return fmt.Errorf("%w: %s %s", ErrBusChanged, what, name)
	case codeBusLimit:
		return fmt.Errorf("%w: more than %d %ss", ErrLimit, limit, what)
	}
	return fmt.Errorf("%w: record write script returned %v", ErrCorrupt, res)
}

func (c *Client) recordGet(ctx context.Context, key, what, name string) (string, error) {
	rec, err := c.rdb.HGet(ctx, key, name).Result()
	if errors.Is(err, redis.Nil) {
		return "", fmt.Errorf("%w: %s %s", ErrNotFound, what, name)
	}
	if err != nil {
		return "", fmt.Errorf("store: %s %s: %w", what, name, err)
	}
	return rec, nil
}

func (c *Client) recordAll(ctx context.Context, key, what string) (map[string]string, error) {
	h, err := c.rdb.HGetAll(ctx, key).Result()
	if err != nil {
		return nil, fmt.Errorf("store: listing %ss: %w", what, err)
	}
	return h, nil
}

// ArchiveWrite creates, replaces or deletes (record "") an archive's
// record if it is still expect ("" for none): ErrBusChanged if not,
// ErrLimit when there are limit archives. Deleting one also deletes its
// counts and events.
func (c *Client) ArchiveWrite(ctx context.Context, name, expect, record string, limit int) error {
	if err := c.recordWrite(ctx, c.keys.ArchivesKey(), "archive", name, expect, record, limit); err != nil {
		return err
	}
	if record == "" {
		// Another slot; an archive created again under the name starts
		// empty only if these go, so they go now.
		if err := c.rdb.Del(ctx, c.keys.ArchiveKey(name), c.keys.ArchiveEventsKey(name)).Err(); err != nil {
			return fmt.Errorf("store: deleting the events of archive %s: %w", name, err)
		}
	}
	return nil
}

// ArchiveGet returns an archive's record, or ErrNotFound.
func (c *Client) ArchiveGet(ctx context.Context, name string) (string, error) {
	return c.recordGet(ctx, c.keys.ArchivesKey(), "archive", name)
}

// Archives returns every archive's record by name.
func (c *Client) Archives(ctx context.Context) (map[string]string, error) {
	return c.recordAll(ctx, c.keys.ArchivesKey(), "archive")
}

// ArchiveCounts returns an archive's event count and size in bytes, as
// the data plane writes them with its events (0 for none).
func (c *Client) ArchiveCounts(ctx context.Context, name string) (events, size int64, err error) {
	vals, err := c.rdb.HMGet(ctx, c.keys.ArchiveKey(name), "EventCount", "SizeBytes").Result()
	if err != nil {
		return 0, 0, fmt.Errorf("store: counts of archive %s: %w", name, err)
	}
	num := func(v any) int64 {
		s, _ := v.(string)
		n, _ := strconv.ParseInt(s, 10, 64)
		return n
	}
	return num(vals[0]), num(vals[1]), nil
}

// ConnectionWrite creates, replaces or deletes (record "") a connection's
// record if it is still expect: ErrBusChanged if not, ErrLimit when there
// are limit connections.
func (c *Client) ConnectionWrite(ctx context.Context, name, expect, record string, limit int) error {
	return c.recordWrite(ctx, c.keys.ConnectionsKey(), "connection", name, expect, record, limit)
}

// ConnectionGet returns a connection's record, or ErrNotFound.
func (c *Client) ConnectionGet(ctx context.Context, name string) (string, error) {
	return c.recordGet(ctx, c.keys.ConnectionsKey(), "connection", name)
}

// Connections returns every connection's record by name.
func (c *Client) Connections(ctx context.Context) (map[string]string, error) {
	return c.recordAll(ctx, c.keys.ConnectionsKey(), "connection")
}

// APIDestinationWrite creates, replaces or deletes (record "") an API
// destination's record if it is still expect: ErrBusChanged if not,
// ErrLimit when there are limit destinations.
func (c *Client) APIDestinationWrite(ctx context.Context, name, expect, record string, limit int) error {
	return c.recordWrite(ctx, c.keys.APIDestinationsKey(), "API destination", name, expect, record, limit)
}

// APIDestinationGet returns an API destination's record, or ErrNotFound.
func (c *Client) APIDestinationGet(ctx context.Context, name string) (string, error) {
	return c.recordGet(ctx, c.keys.APIDestinationsKey(), "API destination", name)
}

// APIDestinations returns every API destination's record by name.
func (c *Client) APIDestinations(ctx context.Context) (map[string]string, error) {
	return c.recordAll(ctx, c.keys.APIDestinationsKey(), "API destination")
}
