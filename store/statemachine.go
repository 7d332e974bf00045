package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// StateMachine is a state machine's record: its current definition (by
// hash), and what CreateStateMachine and UpdateStateMachine set.
type StateMachine struct {
	Name          string
	DefinitionSHA string
	Type          string // STANDARD or EXPRESS
	RoleARN       string
	Created       time.Time
	Updated       time.Time // zero until updated
	RevisionID    string    // changes with every update
	// Tracing is the tracingConfiguration's enabled flag it was created
	// or last updated with.
	Tracing bool
}

// StateMachineVersion is a published, immutable version.
type StateMachineVersion struct {
	Version       int
	DefinitionSHA string
	Created       time.Time
	Description   string
}

// ErrStateMachineExists: CreateStateMachine with the name of a state
// machine whose definition, type or role differ.
var ErrStateMachineExists = errors.New("store: state machine already exists")

// scriptStateMachinePut creates or updates a state machine.
//
//	KEYS[1] the state machine's hash
//	ARGV[1] "create" or "update"   ARGV[2] definition sha   ARGV[3] type
//	ARGV[4] role ARN               ARGV[5] now (unix ms)    ARGV[6] new revision id
//	ARGV[7] tracing: "1" on, "0" off, "" unchanged (update) or off (create)
//
// create: {OK} when created; {EXISTING} when one exists with the same sha,
// type and role (AWS's idempotent create); else {EXISTS}. update: {NOTFOUND}
// when there is none; else sets the given non-empty fields, the update date
// and the revision, and returns {OK}.
var scriptStateMachinePut = redis.NewScript(`
local h = KEYS[1]
local exists = redis.call('EXISTS', h) == 1
if ARGV[1] == 'create' then
  if exists then
    local cur = redis.call('HMGET', h, 'sha', 'type', 'role')
    if cur[1] == ARGV[2] and cur[2] == ARGV[3] and cur[3] == ARGV[4] then return {4} end
    return {5}
  end
  redis.call('HSET', h, 'sha', ARGV[2], 'type', ARGV[3], 'role', ARGV[4], 'created', ARGV[5], 'updated', '', 'revision', ARGV[6], 'tracing', ARGV[7])
  return {0}
end
if not exists then return {3} end
if ARGV[2] ~= '' then redis.call('HSET', h, 'sha', ARGV[2]) end
if ARGV[4] ~= '' then redis.call('HSET', h, 'role', ARGV[4]) end
if ARGV[7] ~= '' then redis.call('HSET', h, 'tracing', ARGV[7]) end
redis.call('HSET', h, 'updated', ARGV[5], 'revision', ARGV[6])
return {0}
`)

// StateMachineCreateParams describe a new state machine.
type StateMachineCreateParams struct {
	Name, DefinitionSHA, Type, RoleARN, RevisionID string
	Now                                            time.Time
	Tracing                                        bool
}

// StateMachineCreate creates a state machine; one that exists with the
// same definition, type and role is returned with existing set.
func (c *Client) StateMachineCreate(ctx context.Context, p *StateMachineCreateParams) (sm *StateMachine, existing bool, err error) {
	if err := checkID("state machine name", p.Name); err != nil {
		return nil, false, err
	}
	res, err := scriptStateMachinePut.Run(ctx, c.rdb, []string{c.keys.StateMachineKey(p.Name)},
		"create", p.DefinitionSHA, p.Type, p.RoleARN, p.Now.UnixMilli(), p.RevisionID, tracingArg(&p.Tracing)).Slice()
	if err != nil {
		return nil, false, fmt.Errorf("store: creating state machine %s: %w", p.Name, err)
	}
	switch code(res) {
	case codeOK:
		// The index is in another slot; a crash here leaves the machine
		// unlisted until its next update repairs it.
		if err := c.rdb.ZAdd(ctx, c.keys.StateMachinesKey(), redis.Z{Member: p.Name}).Err(); err != nil {
			return nil, false, fmt.Errorf("store: listing state machine %s: %w", p.Name, err)
		}
	case codeExisting:
		existing = true
	case codeExists:
		return nil, false, fmt.Errorf("%w: %s", ErrStateMachineExists, p.Name)
	default:
		return nil, false, fmt.Errorf("%w: state machine script returned %v", ErrCorrupt, res)
	}
	sm, err = c.StateMachineGet(ctx, p.Name)
	return sm, existing, err
}

// StateMachineUpdateParams change a state machine; empty fields stay.
type StateMachineUpdateParams struct {
	Name, DefinitionSHA, RoleARN, RevisionID string
	Now                                      time.Time
	Tracing                                  *bool // nil: unchanged
}

// StateMachineUpdate updates a state machine, or returns ErrNotFound.
func (c *Client) StateMachineUpdate(ctx context.Context, p *StateMachineUpdateParams) (*StateMachine, error) {
	if err := checkID("state machine name", p.Name); err != nil {
		return nil, err
	}
	res, err := scriptStateMachinePut.Run(ctx, c.rdb, []string{c.keys.StateMachineKey(p.Name)},
		"update", p.DefinitionSHA, "", p.RoleARN, p.Now.UnixMilli(), p.RevisionID, tracingArg(p.Tracing)).Slice()
	if err != nil {
		return nil, fmt.Errorf("store: updating state machine %s: %w", p.Name, err)
	}
	if code(res) == codeNotFound {
		return nil, fmt.Errorf("%w: state machine %s", ErrNotFound, p.Name)
	}
	_ = c.rdb.ZAdd(ctx, c.keys.StateMachinesKey(), redis.Z{Member: p.Name}).Err() // repairs the index
	return c.StateMachineGet(ctx, p.Name)
}

// tracingArg is the script's tracing argument (ARGV[7]).
func tracingArg(on *bool) string {
	switch {
	case on == nil:
		return ""
	case *on:
		return "1"
	}
	return "0"
}

// StateMachineGet returns a state machine, or ErrNotFound.
func (c *Client) StateMachineGet(ctx context.Context, name string) (*StateMachine, error) {
	h, err := hotWait(ctx, c, func() (map[string]string, error) { return c.hot.HGetAll(ctx, c.keys.StateMachineKey(name)).Result() })
	if err != nil {
		return nil, fmt.Errorf("store: state machine %s: %w", name, err)
	}
	if len(h) == 0 {
		return nil, fmt.Errorf("%w: state machine %s", ErrNotFound, name)
	}
	sm := &StateMachine{Name: name, DefinitionSHA: h["sha"], Type: h["type"], RoleARN: h["role"], RevisionID: h["revision"], Tracing: h["tracing"] == "1"}
	if sm.Created, err = millis(h["created"]); err != nil {
		return nil, fmt.Errorf("%w: state machine %s: %v", ErrCorrupt, name, err)
	}
	if h["updated"] != "" {
		if sm.Updated, err = millis(h["updated"]); err != nil {
			return nil, fmt.Errorf("%w: state machine %s: %v", ErrCorrupt, name, err)
		}
	}
	return sm, nil
}

// StateMachineDelete deletes a state machine, its versions, aliases and
// tags. Its executions keep running: each keeps the definition it started
// with.
func (c *Client) StateMachineDelete(ctx context.Context, name string) error {
	if err := c.rdb.Del(ctx, c.keys.StateMachineKey(name), c.keys.StateMachineVersionsKey(name),
		c.keys.StateMachineAliasesKey(name), c.keys.StateMachineTagsKey(name)).Err(); err != nil {
		return fmt.Errorf("store: deleting state machine %s: %w", name, err)
	}
	return c.rdb.ZRem(ctx, c.keys.StateMachinesKey(), name).Err()
}

// StateMachineList lists state machine names in lexical order, up to limit
// (0 means 100) after the name after ("" from the start). The second result
// is the cursor of the next page, "" at the end.
func (c *Client) StateMachineList(ctx context.Context, after string, limit int) ([]string, string, error) {
	return c.namesPage(ctx, c.keys.StateMachinesKey(), "state machines", after, limit)
}

// namesPage reads a page of the names in a sorted set whose scores are all
// 0, in lexical order: up to limit (0 means 100) after the name after (""
// from the start), and the cursor of the next page ("" at the end).
func (c *Client) namesPage(ctx context.Context, key, what, after string, limit int) ([]string, string, error) {
	if limit <= 0 {
		limit = 100
	}
	min := "-"
	if after != "" {
		min = "(" + after
	}
	names, err := c.rdb.ZRangeByLex(ctx, key, &redis.ZRangeBy{Min: min, Max: "+", Count: int64(limit + 1)}).Result()
	if err != nil {
		return nil, "", fmt.Errorf("store: listing %s: %w", what, err)
	}
	next := ""
	if len(names) > limit {
		names, next = names[:limit], names[limit-1]
	}
	return names, next, nil
}

// MaxStateMachineVersions is how many published versions a state machine
// may have at once, AWS's quota: StateMachineVersionPublish refuses
// another with ErrLimit until one is deleted.
const MaxStateMachineVersions = 1000

// scriptVersionPublish publishes a version: the next number, unless the
// latest version has the same definition (AWS returns it again), or
// none when the state machine has ARGV[4] versions already.
//
//	KEYS[1] the versions hash   ARGV[1] definition sha   ARGV[2] now (unix ms)
//	ARGV[3] description         ARGV[4] the most versions
//
// Returns {OK, version}, {EXISTING, version} or {LIMIT}.
var scriptVersionPublish = redis.NewScript(`
local v = KEYS[1]
local next = tonumber(redis.call('HGET', v, 'next') or '1')
if next > 1 then
  local last = redis.call('HGET', v, tostring(next - 1))
  if last and string.sub(last, 1, #ARGV[1] + 1) == ARGV[1] .. '|' then return {4, next - 1} end
end
-- the hash holds the versions and, once one was published, "next"
local held = redis.call('HLEN', v)
if next > 1 then held = held - 1 end
if held >= tonumber(ARGV[4]) then return {20} end
redis.call('HSET', v, tostring(next), ARGV[1] .. '|' .. ARGV[2] .. '|' .. ARGV[3], 'next', next + 1)
return {0, next}
`)

// StateMachineVersionPublish publishes the given definition as the state
// machine's next version and returns its number; ErrLimit when it has
// MaxStateMachineVersions already.
func (c *Client) StateMachineVersionPublish(ctx context.Context, name, sha, description string, now time.Time) (int, error) {
	res, err := scriptVersionPublish.Run(ctx, c.rdb, []string{c.keys.StateMachineVersionsKey(name)}, sha, now.UnixMilli(), description, MaxStateMachineVersions).Slice()
	if err != nil {
		return 0, fmt.Errorf("store: publishing a version of %s: %w", name, err)
	}
	if code(res) == codeLimit {
		return 0, fmt.Errorf("%w: state machine %s has %d versions", ErrLimit, name, MaxStateMachineVersions)
	}
	return int(intAt(res, 1)), nil
}

// StateMachineVersionList returns a state machine's published versions,
// newest (highest number) first; none for a state machine that has none
// or does not exist. AWS allows 1,000 versions a state machine: the list
// is read whole.
func (c *Client) StateMachineVersionList(ctx context.Context, name string) ([]*StateMachineVersion, error) {
	h, err := c.rdb.HGetAll(ctx, c.keys.StateMachineVersionsKey(name)).Result()
	if err != nil {
		return nil, fmt.Errorf("store: versions of %s: %w", name, err)
	}
	out := make([]*StateMachineVersion, 0, len(h))
	for field, v := range h {
		n, err := strconv.Atoi(field)
		if err != nil {
			continue // "next", the counter
		}
		f := strings.SplitN(v, "|", 3)
		created, err := millis(f[min(1, len(f)-1)])
		if len(f) != 3 || err != nil {
			return nil, fmt.Errorf("%w: version %d of %s", ErrCorrupt, n, name)
		}
		out = append(out, &StateMachineVersion{Version: n, DefinitionSHA: f[0], Created: created, Description: f[2]})
	}
	slices.SortFunc(out, func(a, b *StateMachineVersion) int { return b.Version - a.Version })
	return out, nil
}

// StateMachineVersionCount returns how many published versions the state
// machine name holds (deleted ones not counted): its versions hash less
// "next", which it has from its first version on (as scriptVersionPublish
// counts them).
func (c *Client) StateMachineVersionCount(ctx context.Context, name string) (int, error) {
	n, err := c.rdb.HLen(ctx, c.keys.StateMachineVersionsKey(name)).Result()
	if err != nil {
		return 0, fmt.Errorf("store: versions of %s: %w", name, err)
	}
	return int(max(n-1, 0)), nil
}

// StateMachineVersionGet returns a published version, or ErrNotFound.
func (c *Client) StateMachineVersionGet(ctx context.Context, name string, version int) (*StateMachineVersion, error) {
	v, err := c.rdb.HGet(ctx, c.keys.StateMachineVersionsKey(name), strconv.Itoa(version)).Result()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("%w: version %d of state machine %s", ErrNotFound, version, name)
	}
	if err != nil {
		return nil, fmt.Errorf("store: version %d of %s: %w", version, name, err)
	}
	f := strings.SplitN(v, "|", 3)
	if len(f) != 3 {
		return nil, fmt.Errorf("%w: version %d of %s", ErrCorrupt, version, name)
	}
	created, err := millis(f[1])
	if err != nil {
		return nil, fmt.Errorf("%w: version %d of %s: %v", ErrCorrupt, version, name, err)
	}
	return &StateMachineVersion{Version: version, DefinitionSHA: f[0], Created: created, Description: f[2]}, nil
}

// scriptVersionDelete deletes a published version unless an alias routes
// to it (with any weight, 0 included). The version counter stays: a
// deleted version's number is never given again.
//
//	KEYS[1] the versions hash   KEYS[2] the aliases hash
//	ARGV[1] the version number
//
// Returns {OK} (a version already gone included: a delete is idempotent),
// or {EXISTS, alias names...} when aliases route to it. The aliases hash
// holds at most MaxAliases entries (runtime), so the scan is bounded.
var scriptVersionDelete = redis.NewScript(`
local refs = {}
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  local cfg = string.match(all[i + 1], '^[^|]*|[^|]*|(.*)$')
  local ok, c = pcall(cjson.decode, cfg or '')
  if not ok or type(c) ~= 'table' or type(c.r) ~= 'table' then
    return redis.error_reply('CORRUPT alias ' .. all[i])
  end
  for _, r in ipairs(c.r) do
    if tostring(r[1]) == ARGV[1] then refs[#refs + 1] = all[i]; break end
  end
end
if #refs > 0 then
  table.sort(refs)
  return {5, unpack(refs)}
end
redis.call('HDEL', KEYS[1], ARGV[1])
return {0}
`)

// StateMachineVersionDelete deletes a published version of the state
// machine name; deleting one that does not exist does nothing. When
// aliases route to it, it stays and their names are returned (sorted)
// with ErrConflict.
func (c *Client) StateMachineVersionDelete(ctx context.Context, name string, version int) (aliases []string, err error) {
	if err := checkID("state machine name", name); err != nil {
		return nil, err
	}
	if version < 1 {
		return nil, fmt.Errorf("%w: version %d", ErrInvalid, version)
	}
	keys := []string{c.keys.StateMachineVersionsKey(name), c.keys.StateMachineAliasesKey(name)}
	res, err := scriptVersionDelete.Run(ctx, c.rdb, keys, strconv.Itoa(version)).Slice()
	if err != nil {
		return nil, fmt.Errorf("store: deleting version %d of %s: %w", version, name, err)
	}
	switch code(res) {
	case codeOK:
		return nil, nil
	case codeExists:
		for _, v := range res[1:] {
			s, _ := v.(string)
			aliases = append(aliases, s)
		}
		return aliases, fmt.Errorf("%w: aliases of %s route to its version %d: %s", ErrConflict, name, version, strings.Join(aliases, ", "))
	}
	return nil, fmt.Errorf("%w: version delete script returned %v", ErrCorrupt, res)
}
