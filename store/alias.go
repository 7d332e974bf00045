package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// AliasRoute sends Weight percent of an alias's executions to a version.
type AliasRoute struct {
	Version int
	Weight  int
}

// Alias is a state machine alias: a name that routes executions to one or
// two of the state machine's versions.
type Alias struct {
	Name        string
	Description string
	Routing     []AliasRoute
	Created     time.Time
	Updated     time.Time
}

// aliasConfig is what an alias's idempotency compares: its description and
// routing, encoded the same way every time.
type aliasConfig struct {
	Description string   `json:"d,omitempty"`
	Routing     [][2]int `json:"r"`
}

func (a *Alias) encode() (string, error) {
	cfg := aliasConfig{Description: a.Description, Routing: make([][2]int, len(a.Routing))}
	for i, r := range a.Routing {
		cfg.Routing[i] = [2]int{r.Version, r.Weight}
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d|%d|%s", a.Created.UnixMilli(), a.Updated.UnixMilli(), b), nil
}

func parseAlias(name, v string) (*Alias, error) {
	f := strings.SplitN(v, "|", 3)
	if len(f) != 3 {
		return nil, fmt.Errorf("%w: alias %s", ErrCorrupt, name)
	}
	created, err1 := millis(f[0])
	updated, err2 := millis(f[1])
	var cfg aliasConfig
	err3 := json.Unmarshal([]byte(f[2]), &cfg)
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, fmt.Errorf("%w: alias %s: %v", ErrCorrupt, name, err)
	}
	a := &Alias{Name: name, Description: cfg.Description, Created: created, Updated: updated}
	for _, r := range cfg.Routing {
		a.Routing = append(a.Routing, AliasRoute{Version: r[0], Weight: r[1]})
	}
	return a, nil
}

// scriptAliasPut creates or updates an alias.
//
//	KEYS[1] the state machine's hash   KEYS[2] its versions hash
//	KEYS[3] its aliases hash
//	ARGV[1] the alias name   ARGV[2] "create" or "update"
//	ARGV[3] the alias's new value ("<created>|<updated>|<configuration>")
//	ARGV[4] create: the most aliases the state machine may have;
//	        update: the value the alias is expected to have
//	ARGV[5..] the versions the alias routes to
//
// create: {NOTFOUND} when the state machine is missing; {EXISTING} when the
// alias exists with the same configuration, {EXISTS} with another one;
// {NOTFOUND, version} when a version is missing; {LIMIT}; else {OK}.
// update: {NOTFOUND} when the alias is missing; {STALE} when its value is
// not the expected one; {NOTFOUND, version}; else {OK}.
var scriptAliasPut = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {3} end
local cur = redis.call('HGET', KEYS[3], ARGV[1])
if ARGV[2] == 'create' then
  if cur then
    local cfg = string.match(cur, '^[^|]*|[^|]*|(.*)$')
    if cfg == string.match(ARGV[3], '^[^|]*|[^|]*|(.*)$') then return {4} end
    return {5}
  end
else
  if not cur then return {3} end
  if cur ~= ARGV[4] then return {1} end
end
for i = 5, #ARGV do
  if redis.call('HEXISTS', KEYS[2], ARGV[i]) == 0 then return {3, tonumber(ARGV[i])} end
end
if ARGV[2] == 'create' and redis.call('HLEN', KEYS[3]) >= tonumber(ARGV[4]) then return {20} end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
return {0}
`)

func (c *Client) aliasKeys(sm string) []string {
	return []string{c.keys.StateMachineKey(sm), c.keys.StateMachineVersionsKey(sm), c.keys.StateMachineAliasesKey(sm)}
}

func routeArgs(a *Alias) []any {
	out := make([]any, len(a.Routing))
	for i, r := range a.Routing {
		out[i] = r.Version
	}
	return out
}

// AliasCreate creates an alias of the state machine sm (a.Created and
// a.Updated are its creation time). The same alias again is returned with
// existing set; errors: ErrNotFound (the state machine or a version is
// missing), ErrConflict (the name is taken by another configuration),
// ErrLimit (sm has limit aliases already).
func (c *Client) AliasCreate(ctx context.Context, sm string, a *Alias, limit int) (out *Alias, existing bool, err error) {
	if err := errors.Join(checkID("state machine name", sm), checkID("alias name", a.Name)); err != nil {
		return nil, false, err
	}
	v, err := a.encode()
	if err != nil {
		return nil, false, err
	}
	argv := append([]any{a.Name, "create", v, limit}, routeArgs(a)...)
	res, err := scriptAliasPut.Run(ctx, c.rdb, c.aliasKeys(sm), argv...).Slice()
	if err != nil {
		return nil, false, fmt.Errorf("store: creating alias %s of %s: %w", a.Name, sm, err)
	}
	switch code(res) {
	case codeOK:
	case codeExisting:
		existing = true
	case codeExists:
		return nil, false, fmt.Errorf("%w: alias %s of %s exists with another configuration", ErrConflict, a.Name, sm)
	case codeLimit:
		return nil, false, fmt.Errorf("%w: %s has %d aliases", ErrLimit, sm, limit)
	case codeNotFound:
		return nil, false, aliasNotFound(sm, "", res)
	default:
		return nil, false, fmt.Errorf("%w: alias script returned %v", ErrCorrupt, res)
	}
	out, err = c.AliasGet(ctx, sm, a.Name)
	return out, existing, err
}

func aliasNotFound(sm, alias string, res []any) error {
	if v := intAt(res, 1); v > 0 {
		return fmt.Errorf("%w: version %d of state machine %s", ErrNotFound, v, sm)
	}
	if alias != "" {
		return fmt.Errorf("%w: alias %s of state machine %s", ErrNotFound, alias, sm)
	}
	return fmt.Errorf("%w: state machine %s", ErrNotFound, sm)
}

// AliasUpdate changes an alias: update receives its current value and
// changes it in place (the update time is set here). ErrNotFound when the
// alias or a version it would route to is missing.
func (c *Client) AliasUpdate(ctx context.Context, sm, name string, now time.Time, update func(*Alias)) (*Alias, error) {
	for range 10 {
		cur, err := c.AliasGet(ctx, sm, name)
		if err != nil {
			return nil, err
		}
		old, err := cur.encode()
		if err != nil {
			return nil, err
		}
		update(cur)
		cur.Updated = now
		v, err := cur.encode()
		if err != nil {
			return nil, err
		}
		argv := append([]any{name, "update", v, old}, routeArgs(cur)...)
		res, err := scriptAliasPut.Run(ctx, c.rdb, c.aliasKeys(sm), argv...).Slice()
		if err != nil {
			return nil, fmt.Errorf("store: updating alias %s of %s: %w", name, sm, err)
		}
		switch code(res) {
		case codeOK:
			return cur, nil
		case codeStale:
			continue // changed meanwhile: apply the update to the new value
		case codeNotFound:
			return nil, aliasNotFound(sm, name, res)
		default:
			return nil, fmt.Errorf("%w: alias script returned %v", ErrCorrupt, res)
		}
	}
	return nil, fmt.Errorf("%w: alias %s of %s keeps changing", ErrConflict, name, sm)
}

// AliasGet returns an alias, or ErrNotFound.
func (c *Client) AliasGet(ctx context.Context, sm, name string) (*Alias, error) {
	if err := errors.Join(checkID("state machine name", sm), checkID("alias name", name)); err != nil {
		return nil, err
	}
	v, err := c.rdb.HGet(ctx, c.keys.StateMachineAliasesKey(sm), name).Result()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("%w: alias %s of state machine %s", ErrNotFound, name, sm)
	}
	if err != nil {
		return nil, fmt.Errorf("store: alias %s of %s: %w", name, sm, err)
	}
	return parseAlias(name, v)
}

// AliasDelete deletes an alias, or returns ErrNotFound.
func (c *Client) AliasDelete(ctx context.Context, sm, name string) error {
	if err := errors.Join(checkID("state machine name", sm), checkID("alias name", name)); err != nil {
		return err
	}
	n, err := c.rdb.HDel(ctx, c.keys.StateMachineAliasesKey(sm), name).Result()
	if err != nil {
		return fmt.Errorf("store: deleting alias %s of %s: %w", name, sm, err)
	}
	if n == 0 {
		return fmt.Errorf("%w: alias %s of state machine %s", ErrNotFound, name, sm)
	}
	return nil
}

// AliasList returns a state machine's aliases, in no particular order, or
// ErrNotFound when the state machine does not exist.
func (c *Client) AliasList(ctx context.Context, sm string) ([]*Alias, error) {
	if err := checkID("state machine name", sm); err != nil {
		return nil, err
	}
	var (
		exists *redis.IntCmd
		all    *redis.MapStringStringCmd
	)
	// A pipeline, not a MULTI: Redis refuses a MULTI whole, reads and all,
	// when it is out of memory.
	if _, err := c.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		exists = p.Exists(ctx, c.keys.StateMachineKey(sm))
		all = p.HGetAll(ctx, c.keys.StateMachineAliasesKey(sm))
		return nil
	}); err != nil {
		return nil, fmt.Errorf("store: aliases of %s: %w", sm, err)
	}
	if exists.Val() == 0 {
		return nil, fmt.Errorf("%w: state machine %s", ErrNotFound, sm)
	}
	out := make([]*Alias, 0, len(all.Val()))
	for name, v := range all.Val() {
		a, err := parseAlias(name, v)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// The execution hash's fields that name the version and the alias an
// execution was started through (empty: none). They are written after the
// execution is created, by ExecutionOriginSet.
const (
	fieldVersionARN = "smver"
	fieldAliasARN   = "smalias"
)

// scriptExecutionOrigin records the version and alias an execution was
// started through, unless recorded already.
//
//	KEYS[1] the execution's hash   ARGV[1] version ARN   ARGV[2] alias ARN
//
// Returns {OK}, or {NOTFOUND} when the execution does not exist.
var scriptExecutionOrigin = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {3} end
redis.call('HSETNX', KEYS[1], 'smver', ARGV[1])
redis.call('HSETNX', KEYS[1], 'smalias', ARGV[2])
return {0}
`)

// ExecutionOriginSet records the state machine version and alias ARNs an
// execution was started through ("" for none). The first record stands: a
// repeated (idempotent) start does not change it.
func (c *Client) ExecutionOriginSet(ctx context.Context, id, versionARN, aliasARN string) error {
	if err := checkID("execution id", id); err != nil {
		return err
	}
	res, err := scriptExecutionOrigin.Run(ctx, c.rdb, []string{c.keys.ExecutionKey(id)}, versionARN, aliasARN).Slice()
	if err != nil {
		return fmt.Errorf("store: recording how execution %s started: %w", id, err)
	}
	if code(res) == codeNotFound {
		return fmt.Errorf("%w: execution %s", ErrNotFound, id)
	}
	return nil
}

// ExecutionOriginGet returns the version and alias ARNs an execution was
// started through ("" for none), or ErrNotFound.
func (c *Client) ExecutionOriginGet(ctx context.Context, id string) (versionARN, aliasARN string, err error) {
	if err := checkID("execution id", id); err != nil {
		return "", "", err
	}
	// One HMGET, with the status every execution has for its existence:
	// no MULTI, which Redis refuses whole when it is out of memory, reads
	// and all.
	v, err := c.rdb.HMGet(ctx, c.keys.ExecutionKey(id), fieldStatus, fieldVersionARN, fieldAliasARN).Result()
	if err != nil {
		return "", "", fmt.Errorf("store: execution %s: %w", id, err)
	}
	if v[0] == nil {
		return "", "", fmt.Errorf("%w: execution %s", ErrNotFound, id)
	}
	versionARN, _ = v[1].(string)
	aliasARN, _ = v[2].(string)
	return versionARN, aliasARN, nil
}
