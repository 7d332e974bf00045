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

// A function (integrations/function, AWS Lambda's semantics) is a hash
// holding its $LATEST record and its bookkeeping, a hash of published
// versions with their index, a hash of aliases and a hash of tags
// (keys.go, FunctionKey and below, all in the function's slot). Records
// are JSON the function service encodes, opaque to the store, except
// the versions an alias routes to, which the scripts read to refuse an
// alias to a version that does not exist and the deletion of a version
// an alias uses. A change of $LATEST or of an alias is a compare-and-set:
// the caller names the record it read, and the script refuses the change
// (ErrStale) when the record is not that one any more. Version numbers
// are given by the publishing script, once each, never again.

// Function script codes, after the common ones (errors.go).
const (
	codeFunctionInUse = 40
	codeFunctionLimit = 41
)

// checkFunctionName refuses what the keys cannot carry; the service
// checks Lambda's own rules before.
func checkFunctionName(what, name string) error {
	if name == "" || len(name) > 256 || strings.ContainsAny(name, "{}|,\x00") {
		return fmt.Errorf("%w: %s %q", ErrInvalid, what, name)
	}
	return nil
}

// FunctionRecord is a function as the store holds it.
type FunctionRecord struct {
	Name    string
	Latest  string // the $LATEST record
	Created time.Time
	// LastVersion is the last version number given (0: none yet).
	LastVersion int
	// ReservedConcurrency is -1 when none is set.
	ReservedConcurrency int
}

// scriptFunctionCreate creates a function.
//
//	KEYS[1] FunctionKey   KEYS[2] FunctionTagsKey
//	ARGV[1] the $LATEST record   ARGV[2] now (unix ms)   ARGV[3] the reserved concurrency ("" none)
//	ARGV[4...] a pairs section of tags
//
// Returns {OK}, or {EXISTS} when the function exists (nothing changed).
var scriptFunctionCreate = redis.NewScript(`
local F, TAGS = KEYS[1], KEYS[2]
if redis.call('EXISTS', F) == 1 then return {5} end
redis.call('HSET', F, '$LATEST', ARGV[1], '#created', ARGV[2], '#last', '0')
if ARGV[3] ~= '' then redis.call('HSET', F, '#conc', ARGV[3]) end
local n = tonumber(ARGV[4])
local i = 5
for j = 1, n do redis.call('HSET', TAGS, ARGV[i], ARGV[i + 1]); i = i + 2 end
return {0}
`)

// FunctionCreate creates the function name with its $LATEST record, its
// reserved concurrency (-1: none) and tags, or returns ErrConflict when
// it exists.
func (c *Client) FunctionCreate(ctx context.Context, name, latest string, concurrency int, tags map[string]string, now time.Time) error {
	if err := checkFunctionName("function name", name); err != nil {
		return err
	}
	conc := ""
	if concurrency >= 0 {
		conc = strconv.Itoa(concurrency)
	}
	a := args{latest, now.UnixMilli(), conc}
	a.pairs(mapPairs(tags)...)
	res, err := scriptFunctionCreate.Run(ctx, c.rdb, []string{c.keys.FunctionKey(name), c.keys.FunctionTagsKey(name)}, a...).Slice()
	if err != nil {
		return fmt.Errorf("store: creating function %s: %w", name, err)
	}
	switch code(res) {
	case codeOK:
	case codeExists:
		return fmt.Errorf("%w: function %s exists", ErrConflict, name)
	default:
		return fmt.Errorf("%w: function create script returned %v", ErrCorrupt, res)
	}
	// The index is in another slot; a function found unlisted is listed
	// again by the next create of its name (which fails, after listing).
	if err := c.rdb.ZAdd(ctx, c.keys.FunctionsKey(), redis.Z{Member: name}).Err(); err != nil {
		return fmt.Errorf("store: listing function %s: %w", name, err)
	}
	return nil
}

// FunctionGet returns a function, or ErrNotFound.
func (c *Client) FunctionGet(ctx context.Context, name string) (*FunctionRecord, error) {
	if err := checkFunctionName("function name", name); err != nil {
		return nil, err
	}
	h, err := c.rdb.HGetAll(ctx, c.keys.FunctionKey(name)).Result()
	if err != nil {
		return nil, fmt.Errorf("store: function %s: %w", name, err)
	}
	if len(h) == 0 {
		return nil, fmt.Errorf("%w: function %s", ErrNotFound, name)
	}
	r := &FunctionRecord{Name: name, Latest: h["$LATEST"], ReservedConcurrency: -1}
	ms, _ := strconv.ParseInt(h["#created"], 10, 64)
	r.Created = time.UnixMilli(ms)
	r.LastVersion, _ = strconv.Atoi(h["#last"])
	if v, ok := h["#conc"]; ok {
		if r.ReservedConcurrency, err = strconv.Atoi(v); err != nil {
			return nil, fmt.Errorf("%w: function %s's concurrency %q", ErrCorrupt, name, v)
		}
	}
	return r, nil
}

// FunctionSwapLatest replaces the function's $LATEST record old with new:
// ErrNotFound, or ErrStale when the record is no longer old.
func (c *Client) FunctionSwapLatest(ctx context.Context, name, old, new string) error {
	if err := checkFunctionName("function name", name); err != nil {
		return err
	}
	return c.swap(ctx, c.keys.FunctionKey(name), "$LATEST", old, new, "function "+name)
}

// scriptFunctionConcurrency sets or removes a function's reserved
// concurrency.
//
//	KEYS[1] FunctionKey   ARGV[1] the concurrency, "" to remove it
//
// Returns {OK}, or {NOTFOUND}.
var scriptFunctionConcurrency = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {3} end
if ARGV[1] == '' then redis.call('HDEL', KEYS[1], '#conc') else redis.call('HSET', KEYS[1], '#conc', ARGV[1]) end
return {0}
`)

// FunctionSetConcurrency sets the function's reserved concurrency (-1
// removes it), or returns ErrNotFound.
func (c *Client) FunctionSetConcurrency(ctx context.Context, name string, concurrency int) error {
	if err := checkFunctionName("function name", name); err != nil {
		return err
	}
	conc := ""
	if concurrency >= 0 {
		conc = strconv.Itoa(concurrency)
	}
	res, err := scriptFunctionConcurrency.Run(ctx, c.rdb, []string{c.keys.FunctionKey(name)}, conc).Slice()
	if err != nil {
		return fmt.Errorf("store: concurrency of function %s: %w", name, err)
	}
	if code(res) == codeNotFound {
		return fmt.Errorf("%w: function %s", ErrNotFound, name)
	}
	return nil
}

// FunctionDelete deletes a function with its versions, aliases and tags,
// or returns ErrNotFound.
func (c *Client) FunctionDelete(ctx context.Context, name string) error {
	if err := checkFunctionName("function name", name); err != nil {
		return err
	}
	n, err := c.rdb.Del(ctx, c.keys.functionKeys(name)...).Result()
	if err != nil {
		return fmt.Errorf("store: deleting function %s: %w", name, err)
	}
	if err := c.rdb.ZRem(ctx, c.keys.FunctionsKey(), name).Err(); err != nil {
		return fmt.Errorf("store: unlisting function %s: %w", name, err)
	}
	if n == 0 {
		return fmt.Errorf("%w: function %s", ErrNotFound, name)
	}
	return nil
}

// FunctionList returns up to limit function names after after, in
// lexical order, and the name to continue after ("" at the end).
func (c *Client) FunctionList(ctx context.Context, after string, limit int) ([]string, string, error) {
	return c.lexPage(ctx, c.keys.FunctionsKey(), "", after, limit)
}

// scriptFunctionPublish publishes the function's $LATEST as a new
// version, unless it is the one the last version was published from.
//
//	KEYS[1] FunctionKey   KEYS[2] FunctionVersionsKey   KEYS[3] FunctionVersionIndexKey
//	ARGV[1] the expected $LATEST record   ARGV[2] the version's record   ARGV[3] the digest of $LATEST
//
// Returns {OK, version} published, {EXISTING, version} (the last version
// has that digest and still exists), {NOTFOUND}, {STALE} ($LATEST moved).
var scriptFunctionPublish = redis.NewScript(`
local F, V, VI = KEYS[1], KEYS[2], KEYS[3]
local latest = redis.call('HGET', F, '$LATEST')
if not latest then return {3} end
if latest ~= ARGV[1] then return {1} end
local pub = redis.call('HGET', F, '#pub')
if pub then
  local sep = string.find(pub, '|', 1, true)
  local last = string.sub(pub, 1, sep - 1)
  if string.sub(pub, sep + 1) == ARGV[3] and redis.call('HEXISTS', V, last) == 1 then return {4, tonumber(last)} end
end
local n = redis.call('HINCRBY', F, '#last', 1)
redis.call('HSET', V, tostring(n), ARGV[2])
redis.call('ZADD', VI, n, tostring(n))
redis.call('HSET', F, '#pub', tostring(n) .. '|' .. ARGV[3])
return {0, n}
`)

// FunctionPublish publishes a version with record, made from the $LATEST
// record expectLatest whose digest (its code and configuration) is
// digest: it returns the new version number, or the last version's with
// existing true when it was published from the same digest. ErrNotFound,
// or ErrStale when $LATEST is no longer expectLatest.
func (c *Client) FunctionPublish(ctx context.Context, name, expectLatest, record, digest string) (version int, existing bool, err error) {
	if err := checkFunctionName("function name", name); err != nil {
		return 0, false, err
	}
	keys := []string{c.keys.FunctionKey(name), c.keys.FunctionVersionsKey(name), c.keys.FunctionVersionIndexKey(name)}
	res, err := scriptFunctionPublish.Run(ctx, c.rdb, keys, expectLatest, record, digest).Slice()
	if err != nil {
		return 0, false, fmt.Errorf("store: publishing function %s: %w", name, err)
	}
	switch code(res) {
	case codeOK, codeExisting:
		if len(res) < 2 {
			break
		}
		n, ok := res[1].(int64)
		if !ok {
			break
		}
		return int(n), code(res) == codeExisting, nil
	case codeNotFound:
		return 0, false, fmt.Errorf("%w: function %s", ErrNotFound, name)
	case codeStale:
		return 0, false, fmt.Errorf("%w: function %s's $LATEST changed", ErrStale, name)
	}
	return 0, false, fmt.Errorf("%w: function publish script returned %v", ErrCorrupt, res)
}

// FunctionVersionGet returns a published version's record, or
// ErrNotFound.
func (c *Client) FunctionVersionGet(ctx context.Context, name string, version int) (string, error) {
	if err := checkFunctionName("function name", name); err != nil {
		return "", err
	}
	rec, err := c.rdb.HGet(ctx, c.keys.FunctionVersionsKey(name), strconv.Itoa(version)).Result()
	if errors.Is(err, redis.Nil) {
		return "", fmt.Errorf("%w: function %s version %d", ErrNotFound, name, version)
	}
	if err != nil {
		return "", fmt.Errorf("store: function %s version %d: %w", name, version, err)
	}
	return rec, nil
}

// FunctionVersion is a published version as the store holds it.
type FunctionVersion struct {
	Version int
	Record  string
}

// FunctionVersionList returns up to limit published versions after the
// version after, in order, and the version to continue after (0 at the
// end).
func (c *Client) FunctionVersionList(ctx context.Context, name string, after, limit int) ([]FunctionVersion, int, error) {
	if err := checkFunctionName("function name", name); err != nil {
		return nil, 0, err
	}
	if limit <= 0 {
		limit = 50
	}
	ns, err := c.rdb.ZRangeByScore(ctx, c.keys.FunctionVersionIndexKey(name), &redis.ZRangeBy{
		Min: "(" + strconv.Itoa(after), Max: "+inf", Count: int64(limit + 1)}).Result()
	if err != nil {
		return nil, 0, fmt.Errorf("store: versions of function %s: %w", name, err)
	}
	next := 0
	if len(ns) > limit {
		ns = ns[:limit]
		next, _ = strconv.Atoi(ns[limit-1])
	}
	if len(ns) == 0 {
		return nil, 0, nil
	}
	recs, err := c.rdb.HMGet(ctx, c.keys.FunctionVersionsKey(name), ns...).Result()
	if err != nil {
		return nil, 0, fmt.Errorf("store: versions of function %s: %w", name, err)
	}
	out := make([]FunctionVersion, 0, len(ns))
	for i, n := range ns {
		rec, ok := recs[i].(string)
		if !ok {
			continue // deleted since the index was read
		}
		v, _ := strconv.Atoi(n)
		out = append(out, FunctionVersion{Version: v, Record: rec})
	}
	return out, next, nil
}

// scriptFunctionVersionDelete deletes a published version unless an
// alias routes to it.
//
//	KEYS[1] FunctionVersionsKey   KEYS[2] FunctionVersionIndexKey   KEYS[3] FunctionAliasesKey
//	ARGV[1] the version
//
// Returns {OK}, {NOTFOUND}, or {IN USE, alias...}.
var scriptFunctionVersionDelete = redis.NewScript(`
local V, VI, A = KEYS[1], KEYS[2], KEYS[3]
if redis.call('HEXISTS', V, ARGV[1]) == 0 then return {3} end
local all = redis.call('HGETALL', A)
local using = {}
for i = 1, #all, 2 do
  local rec = all[i + 1]
  local a = string.find(rec, '|', 1, true)
  local b = string.find(rec, '|', a + 1, true)
  local uses = string.sub(rec, 1, a - 1) == ARGV[1]
  for v in string.gmatch(string.sub(rec, a + 1, b - 1), '[^,]+') do
    if v == ARGV[1] then uses = true end
  end
  if uses then table.insert(using, all[i]) end
end
if #using > 0 then
  table.insert(using, 1, 40)
  return using
end
redis.call('HDEL', V, ARGV[1])
redis.call('ZREM', VI, ARGV[1])
return {0}
`)

// FunctionVersionDelete deletes a published version: ErrNotFound, or
// ErrConflict (naming the aliases) when an alias routes to it.
func (c *Client) FunctionVersionDelete(ctx context.Context, name string, version int) error {
	if err := checkFunctionName("function name", name); err != nil {
		return err
	}
	keys := []string{c.keys.FunctionVersionsKey(name), c.keys.FunctionVersionIndexKey(name), c.keys.FunctionAliasesKey(name)}
	res, err := scriptFunctionVersionDelete.Run(ctx, c.rdb, keys, strconv.Itoa(version)).Slice()
	if err != nil {
		return fmt.Errorf("store: deleting function %s version %d: %w", name, version, err)
	}
	switch code(res) {
	case codeOK:
		return nil
	case codeNotFound:
		return fmt.Errorf("%w: function %s version %d", ErrNotFound, name, version)
	case codeFunctionInUse:
		var names []string
		for _, r := range res[1:] {
			if s, ok := r.(string); ok {
				names = append(names, s)
			}
		}
		sort.Strings(names)
		return fmt.Errorf("%w: version %d of function %s is used by the aliases [%s]", ErrConflict, version, name, strings.Join(names, ", "))
	}
	return fmt.Errorf("%w: function version delete script returned %v", ErrCorrupt, res)
}

// FunctionAlias is an alias as the store holds it: the version it points
// to, the versions it routes part of the invocations to besides, and its
// record (opaque JSON).
type FunctionAlias struct {
	Name    string
	Version string   // "$LATEST" or a version number
	Extra   []string // version numbers
	Record  string
}

func (a *FunctionAlias) encode() (string, error) {
	if err := checkFunctionName("alias name", a.Name); err != nil {
		return "", err
	}
	for _, v := range append([]string{a.Version}, a.Extra...) {
		if err := checkFunctionName("version", v); err != nil {
			return "", err
		}
	}
	return a.Version + "|" + strings.Join(a.Extra, ",") + "|" + a.Record, nil
}

func decodeAlias(name, s string) (*FunctionAlias, error) {
	v, rest, ok1 := strings.Cut(s, "|")
	extra, rec, ok2 := strings.Cut(rest, "|")
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("%w: alias %s", ErrCorrupt, name)
	}
	a := &FunctionAlias{Name: name, Version: v, Record: rec}
	if extra != "" {
		a.Extra = strings.Split(extra, ",")
	}
	return a, nil
}

// scriptFunctionAliasPut creates an alias, or replaces it when it holds
// the expected record; the versions it routes to must exist.
//
//	KEYS[1] FunctionKey   KEYS[2] FunctionVersionsKey   KEYS[3] FunctionAliasesKey
//	ARGV[1] alias name   ARGV[2] the expected record ("": create)   ARGV[3] the new record
//	ARGV[4...] the versions it routes to
//
// Returns {OK}, {NOTFOUND, "function"|"alias"|version}, {EXISTS} (create:
// the alias exists), {STALE} (the alias holds another record).
var scriptFunctionAliasPut = redis.NewScript(`
local F, V, A = KEYS[1], KEYS[2], KEYS[3]
if redis.call('EXISTS', F) == 0 then return {3, 'function'} end
for i = 4, #ARGV do
  if ARGV[i] ~= '$LATEST' and redis.call('HEXISTS', V, ARGV[i]) == 0 then return {3, ARGV[i]} end
end
local cur = redis.call('HGET', A, ARGV[1])
if ARGV[2] == '' then
  if cur then return {5} end
else
  if not cur then return {3, 'alias'} end
  if cur ~= ARGV[2] then return {1} end
end
redis.call('HSET', A, ARGV[1], ARGV[3])
return {0}
`)

// FunctionAliasPut creates the alias a (old nil) or replaces old with it.
// ErrNotFound when the function, the alias (old given) or a version it
// routes to does not exist (the message says which: "version 3");
// ErrConflict when creating an alias that exists; ErrStale when the
// alias is no longer old.
func (c *Client) FunctionAliasPut(ctx context.Context, name string, old, a *FunctionAlias) error {
	if err := checkFunctionName("function name", name); err != nil {
		return err
	}
	rec, err := a.encode()
	if err != nil {
		return err
	}
	expect := ""
	if old != nil {
		if expect, err = old.encode(); err != nil {
			return err
		}
	}
	ar := args{a.Name, expect, rec, a.Version}
	for _, v := range a.Extra {
		ar = append(ar, v)
	}
	keys := []string{c.keys.FunctionKey(name), c.keys.FunctionVersionsKey(name), c.keys.FunctionAliasesKey(name)}
	res, err := scriptFunctionAliasPut.Run(ctx, c.rdb, keys, ar...).Slice()
	if err != nil {
		return fmt.Errorf("store: alias %s of function %s: %w", a.Name, name, err)
	}
	switch code(res) {
	case codeOK:
		return nil
	case codeExists:
		return fmt.Errorf("%w: alias %s of function %s exists", ErrConflict, a.Name, name)
	case codeStale:
		return fmt.Errorf("%w: alias %s of function %s changed", ErrStale, a.Name, name)
	case codeNotFound:
		what, _ := res[1].(string)
		switch what {
		case "function":
			return fmt.Errorf("%w: function %s", ErrNotFound, name)
		case "alias":
			return fmt.Errorf("%w: alias %s of function %s", ErrNotFound, a.Name, name)
		}
		return fmt.Errorf("%w: version %s of function %s", ErrNotFound, what, name)
	}
	return fmt.Errorf("%w: function alias script returned %v", ErrCorrupt, res)
}

// FunctionAliasGet returns an alias, or ErrNotFound.
func (c *Client) FunctionAliasGet(ctx context.Context, name, alias string) (*FunctionAlias, error) {
	if err := checkFunctionName("function name", name); err != nil {
		return nil, err
	}
	s, err := c.rdb.HGet(ctx, c.keys.FunctionAliasesKey(name), alias).Result()
	if errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("%w: alias %s of function %s", ErrNotFound, alias, name)
	}
	if err != nil {
		return nil, fmt.Errorf("store: alias %s of function %s: %w", alias, name, err)
	}
	return decodeAlias(alias, s)
}

// FunctionAliases returns every alias of a function, by name (the
// service bounds how many a function has).
func (c *Client) FunctionAliases(ctx context.Context, name string) ([]*FunctionAlias, error) {
	if err := checkFunctionName("function name", name); err != nil {
		return nil, err
	}
	h, err := c.rdb.HGetAll(ctx, c.keys.FunctionAliasesKey(name)).Result()
	if err != nil {
		return nil, fmt.Errorf("store: aliases of function %s: %w", name, err)
	}
	out := make([]*FunctionAlias, 0, len(h))
	for n, s := range h {
		a, err := decodeAlias(n, s)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// FunctionAliasDelete deletes an alias; deleting one that does not exist
// succeeds, as Lambda's DeleteAlias does.
func (c *Client) FunctionAliasDelete(ctx context.Context, name, alias string) error {
	if err := checkFunctionName("function name", name); err != nil {
		return err
	}
	if err := c.rdb.HDel(ctx, c.keys.FunctionAliasesKey(name), alias).Err(); err != nil {
		return fmt.Errorf("store: deleting alias %s of function %s: %w", alias, name, err)
	}
	return nil
}

// scriptFunctionTag adds tags to a function, and removes others.
//
//	KEYS[1] FunctionKey   KEYS[2] FunctionTagsKey
//	ARGV[1] the most tags   ARGV[2...] a pairs section of tags to set, then the count and keys to remove
//
// Returns {OK}, {NOTFOUND}, or {LIMIT} (nothing changed).
var scriptFunctionTag = redis.NewScript(`
local F, T = KEYS[1], KEYS[2]
if redis.call('EXISTS', F) == 0 then return {3} end
local n = tonumber(ARGV[2])
local i = 3
local set = {}
for j = 1, n do table.insert(set, ARGV[i]); table.insert(set, ARGV[i + 1]); i = i + 2 end
local nr = tonumber(ARGV[i]); i = i + 1
for j = 1, nr do redis.call('HDEL', T, ARGV[i]); i = i + 1 end
if #set > 0 then redis.call('HSET', T, unpack(set)) end
if redis.call('HLEN', T) > tonumber(ARGV[1]) then
  for j = 1, #set, 2 do redis.call('HDEL', T, set[j]) end
  return {41}
end
return {0}
`)

// FunctionTag sets tags of a function and removes the keys remove, with
// at most max tags after: ErrNotFound, or ErrLimit. Beyond the limit the
// tags set are taken away again (the tags removed stay removed: the
// service does not remove and set in one call).
func (c *Client) FunctionTag(ctx context.Context, name string, set map[string]string, remove []string, max int) error {
	if err := checkFunctionName("function name", name); err != nil {
		return err
	}
	a := args{max}
	a.pairs(mapPairs(set)...)
	a = append(a, len(remove))
	for _, k := range remove {
		a = append(a, k)
	}
	res, err := scriptFunctionTag.Run(ctx, c.rdb, []string{c.keys.FunctionKey(name), c.keys.FunctionTagsKey(name)}, a...).Slice()
	if err != nil {
		return fmt.Errorf("store: tags of function %s: %w", name, err)
	}
	switch code(res) {
	case codeOK:
		return nil
	case codeNotFound:
		return fmt.Errorf("%w: function %s", ErrNotFound, name)
	case codeFunctionLimit:
		return fmt.Errorf("%w: function %s would have more than %d tags", ErrLimit, name, max)
	}
	return fmt.Errorf("%w: function tag script returned %v", ErrCorrupt, res)
}

// FunctionTags returns a function's tags (none for a function that does
// not exist: the caller checks it).
func (c *Client) FunctionTags(ctx context.Context, name string) (map[string]string, error) {
	if err := checkFunctionName("function name", name); err != nil {
		return nil, err
	}
	h, err := c.rdb.HGetAll(ctx, c.keys.FunctionTagsKey(name)).Result()
	if err != nil {
		return nil, fmt.Errorf("store: tags of function %s: %w", name, err)
	}
	return h, nil
}
