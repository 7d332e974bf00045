package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// The schema registry (integrations/schemas, the EventBridge Schemas API's
// semantics) keeps its registries, schemas, versions and code bindings
// here (keys.go, SchemaRegistryKey and below). The store holds records as
// opaque JSON that the registry encodes (a registry's, a schema's, a
// binding's, a discoverer's) and owns what must change atomically: the
// version numbers of a schema ("1", "2", ...; a number is never given
// twice), whether a new content makes a new version, and the removal of
// everything a schema or registry holds. A record that the registry reads,
// changes and writes back goes through a compare-and-set (…Swap): the
// write fails with ErrStale when the record moved, and the caller reads it
// again.

// Schema script codes, after the common ones (errors.go).
const (
	codeSchemaLimit    = 20
	codeSchemaConflict = 23
)

// A schema name and a registry name are the registry's to validate; the
// store refuses only what would break its keys: nothing empty, no NUL (the
// separator of its fields) and no brace (a hash tag).
func checkSchemaName(what, name string) error {
	if name == "" || len(name) > 1024 || strings.ContainsAny(name, "{}\x00") {
		return fmt.Errorf("%w: %s %q", ErrInvalid, what, name)
	}
	return nil
}

func (c *Client) registryKeys(name string) ([]string, error) {
	if err := checkSchemaName("registry name", name); err != nil {
		return nil, err
	}
	return c.keys.schemaRegistryKeys(name), nil
}

// SchemaRegistryCreate creates the registry name with its record, or
// returns ErrConflict when it exists.
func (c *Client) SchemaRegistryCreate(ctx context.Context, name, record string) error {
	keys, err := c.registryKeys(name)
	if err != nil {
		return err
	}
	ok, err := c.rdb.SetNX(ctx, keys[0], record, 0).Result()
	if err != nil {
		return fmt.Errorf("store: creating registry %s: %w", name, err)
	}
	if !ok {
		return fmt.Errorf("%w: registry %s exists", ErrConflict, name)
	}
	// The index is in another slot; a registry found unlisted is listed
	// again by SchemaRegistryList's caller creating it again.
	if err := c.rdb.ZAdd(ctx, c.keys.SchemaRegistriesKey(), redis.Z{Member: name}).Err(); err != nil {
		return fmt.Errorf("store: listing registry %s: %w", name, err)
	}
	return nil
}

// SchemaRegistryGet returns the registry's record, or ErrNotFound.
func (c *Client) SchemaRegistryGet(ctx context.Context, name string) (string, error) {
	keys, err := c.registryKeys(name)
	if err != nil {
		return "", err
	}
	rec, err := c.rdb.Get(ctx, keys[0]).Result()
	if err == redis.Nil {
		return "", fmt.Errorf("%w: registry %s", ErrNotFound, name)
	}
	if err != nil {
		return "", fmt.Errorf("store: registry %s: %w", name, err)
	}
	return rec, nil
}

// scriptSwap replaces a record that is a string key or a hash field with
// a new value when it still holds the old one.
//
//	KEYS[1] the string key, or the hash
//	ARGV[1] "" for a string key, else the hash field   ARGV[2] the old value   ARGV[3] the new one
//
// Returns {OK}, {NOTFOUND} when there is no record, {STALE} when it holds
// another value.
var scriptSwap = redis.NewScript(`
local cur
if ARGV[1] == '' then cur = redis.call('GET', KEYS[1]) else cur = redis.call('HGET', KEYS[1], ARGV[1]) end
if not cur then return {3} end
if cur ~= ARGV[2] then return {1} end
if ARGV[1] == '' then redis.call('SET', KEYS[1], ARGV[3]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
return {0}
`)

func (c *Client) swap(ctx context.Context, key, field, old, new, what string) error {
	res, err := scriptSwap.Run(ctx, c.rdb, []string{key}, field, old, new).Slice()
	if err != nil {
		return fmt.Errorf("store: updating %s: %w", what, err)
	}
	switch code(res) {
	case codeOK:
		return nil
	case codeNotFound:
		return fmt.Errorf("%w: %s", ErrNotFound, what)
	case codeStale:
		return fmt.Errorf("%w: %s changed", ErrStale, what)
	}
	return fmt.Errorf("%w: swap script returned %v", ErrCorrupt, res)
}

// SchemaRegistrySwap replaces the registry's record old with new:
// ErrNotFound, or ErrStale when the record is no longer old.
func (c *Client) SchemaRegistrySwap(ctx context.Context, name, old, new string) error {
	keys, err := c.registryKeys(name)
	if err != nil {
		return err
	}
	return c.swap(ctx, keys[0], "", old, new, "registry "+name)
}

// SchemaRegistryDelete deletes the registry with its schemas, versions and
// code bindings, or returns ErrNotFound.
func (c *Client) SchemaRegistryDelete(ctx context.Context, name string) error {
	keys, err := c.registryKeys(name)
	if err != nil {
		return err
	}
	n, err := c.rdb.Del(ctx, keys...).Result()
	if err != nil {
		return fmt.Errorf("store: deleting registry %s: %w", name, err)
	}
	if err := c.rdb.ZRem(ctx, c.keys.SchemaRegistriesKey(), name).Err(); err != nil {
		return fmt.Errorf("store: unlisting registry %s: %w", name, err)
	}
	if n == 0 {
		return fmt.Errorf("%w: registry %s", ErrNotFound, name)
	}
	return nil
}

// SchemaRegistryList returns up to limit registry names starting with
// prefix after after, in lexical order, and the name to continue after
// ("" at the end).
func (c *Client) SchemaRegistryList(ctx context.Context, prefix, after string, limit int) ([]string, string, error) {
	return c.lexPage(ctx, c.keys.SchemaRegistriesKey(), prefix, after, limit)
}

// lexPage reads a page of a lex-ordered set: members starting with
// prefix, after after.
func (c *Client) lexPage(ctx context.Context, key, prefix, after string, limit int) ([]string, string, error) {
	if limit <= 0 {
		limit = 100
	}
	min := "[" + prefix
	if after != "" && after >= prefix {
		min = "(" + after
	}
	max := "+"
	if prefix != "" {
		max = "[" + prefix + "\xff"
	}
	names, err := c.rdb.ZRangeByLex(ctx, key, &redis.ZRangeBy{Min: min, Max: max, Count: int64(limit + 1)}).Result()
	if err != nil {
		return nil, "", fmt.Errorf("store: listing %s: %w", key, err)
	}
	next := ""
	if len(names) > limit {
		names, next = names[:limit], names[limit-1]
	}
	return names, next, nil
}

// SchemaPutMode says what SchemaPut expects of the schema.
type SchemaPutMode string

// The modes of SchemaPut.
const (
	// SchemaCreate: the schema must not exist (ErrConflict).
	SchemaCreate SchemaPutMode = "create"
	// SchemaUpdate: the schema must exist (ErrNotFound) with the record
	// Expect (ErrStale).
	SchemaUpdate SchemaPutMode = "update"
	// SchemaDiscover: the schema's latest version must be ExpectLatest (0:
	// no schema), else ErrStale; the registry is created when missing
	// (with RegistryRecord).
	SchemaDiscover SchemaPutMode = "discover"
)

// SchemaPutParams describe a version to add to a schema.
type SchemaPutParams struct {
	Registry, Name string
	Mode           SchemaPutMode
	Type, Content  string
	// Expect is the record the schema holds (SchemaUpdate); Record the
	// record to hold after ("" keeps it).
	Expect, Record string
	// ExpectLatest is the latest version the discovered content was
	// merged with (SchemaDiscover).
	ExpectLatest int
	// RegistryRecord is the record of the registry SchemaDiscover creates.
	RegistryRecord string
	// MaxVersions bounds the versions a schema holds: beyond, ErrLimit.
	MaxVersions int
	Now         time.Time
}

// SchemaPutResult is the version a put left latest.
type SchemaPutResult struct {
	Version int
	// New: the put made the version (false: the content and type were
	// the latest version's, which stays the latest).
	New bool
}

// scriptSchemaPut adds a version to a schema (creating it), unless the
// latest version has the same type and content.
//
//	KEYS[1] registry record   KEYS[2] schema records   KEYS[3] schema meta   KEYS[4] schema names
//	KEYS[5] versions          KEYS[6] version index
//	ARGV[1] mode (create, update, discover)   ARGV[2] schema name   ARGV[3] now (unix ms)
//	ARGV[4] type   ARGV[5] content   ARGV[6] the expected record (update)   ARGV[7] the new record ("" keeps)
//	ARGV[8] the expected latest version (discover)   ARGV[9] the most versions   ARGV[10] the registry's record (discover)
//
// Returns {OK, version, 1 when new}, {NOTFOUND, "registry"|"schema"},
// {CONFLICT} (create: the schema exists), {STALE} (the record or latest
// version moved), {LIMIT}.
var scriptSchemaPut = redis.NewScript(`
local R, S, M, N, V, VI = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local mode, name, now = ARGV[1], ARGV[2], ARGV[3]
local SEP = string.char(0)
if redis.call('EXISTS', R) == 0 then
  if mode ~= 'discover' then return {3, 'registry'} end
  redis.call('SET', R, ARGV[10])
end
local rec = redis.call('HGET', S, name)
local meta = redis.call('HGET', M, name)
local latest, last, count = 0, 0, 0
if meta then
  local a, b, _, d = string.match(meta, '^(%d+)|(%d+)|(%d+)|(%d+)$')
  latest, last, count = tonumber(a), tonumber(b), tonumber(d)
end
if mode == 'create' then
  if rec then return {23} end
elseif mode == 'update' then
  if not rec then return {3, 'schema'} end
  if rec ~= ARGV[6] then return {1} end
else
  if (rec and latest or 0) ~= tonumber(ARGV[8]) then return {1} end
end
if ARGV[7] ~= '' then redis.call('HSET', S, name, ARGV[7]) end
redis.call('ZADD', N, 0, name)
if latest > 0 then
  local f = name .. SEP .. latest
  local m = redis.call('HGET', V, f .. SEP .. 'm')
  if m and string.match(m, '^([^|]*)|') == ARGV[4] and redis.call('HGET', V, f) == ARGV[5] then
    if ARGV[7] ~= '' then
      redis.call('HSET', M, name, latest .. '|' .. last .. '|' .. now .. '|' .. count)
    end
    return {0, latest, 0}
  end
end
if count >= tonumber(ARGV[9]) then return {20} end
local v = last + 1
local f = name .. SEP .. v
redis.call('HSET', V, f, ARGV[5], f .. SEP .. 'm', ARGV[4] .. '|' .. now)
redis.call('ZADD', VI, 0, name .. SEP .. string.format('%010d', v))
redis.call('HSET', M, name, v .. '|' .. v .. '|' .. now .. '|' .. (count + 1))
return {0, v, 1}
`)

// SchemaPut adds a version to a schema, or leaves the latest when it has
// the same type and content (a record given is written all the same).
func (c *Client) SchemaPut(ctx context.Context, p *SchemaPutParams) (SchemaPutResult, error) {
	keys, err := c.registryKeys(p.Registry)
	if err != nil {
		return SchemaPutResult{}, err
	}
	if err := checkSchemaName("schema name", p.Name); err != nil {
		return SchemaPutResult{}, err
	}
	if strings.Contains(p.Type, "|") {
		return SchemaPutResult{}, fmt.Errorf("%w: schema type %q", ErrInvalid, p.Type)
	}
	maxVersions := p.MaxVersions
	if maxVersions <= 0 {
		maxVersions = 1 << 30
	}
	res, err := scriptSchemaPut.Run(ctx, c.rdb, keys[:6], string(p.Mode), p.Name, p.Now.UnixMilli(), p.Type, p.Content,
		p.Expect, p.Record, p.ExpectLatest, maxVersions, p.RegistryRecord).Slice()
	if err != nil {
		return SchemaPutResult{}, fmt.Errorf("store: putting schema %s/%s: %w", p.Registry, p.Name, err)
	}
	what := "schema " + p.Registry + "/" + p.Name
	switch code(res) {
	case codeOK:
		if len(res) < 3 {
			break
		}
		v, _ := res[1].(int64)
		n, _ := res[2].(int64)
		if p.Mode == SchemaDiscover {
			// the script may have created the registry: list it (another slot)
			if err := c.rdb.ZAdd(ctx, c.keys.SchemaRegistriesKey(), redis.Z{Member: p.Registry}).Err(); err != nil {
				return SchemaPutResult{}, fmt.Errorf("store: listing registry %s: %w", p.Registry, err)
			}
		}
		return SchemaPutResult{Version: int(v), New: n == 1}, nil
	case codeNotFound:
		if stringAt(res, 1) == "registry" {
			return SchemaPutResult{}, fmt.Errorf("%w: registry %s", ErrNotFound, p.Registry)
		}
		return SchemaPutResult{}, fmt.Errorf("%w: %s", ErrNotFound, what)
	case codeSchemaConflict:
		return SchemaPutResult{}, fmt.Errorf("%w: %s exists", ErrConflict, what)
	case codeStale:
		return SchemaPutResult{}, fmt.Errorf("%w: %s changed", ErrStale, what)
	case codeSchemaLimit:
		return SchemaPutResult{}, fmt.Errorf("%w: %s holds %d versions", ErrLimit, what, maxVersions)
	}
	return SchemaPutResult{}, fmt.Errorf("%w: schema put script returned %v", ErrCorrupt, res)
}

// SchemaRecord is a schema as the store holds it.
type SchemaRecord struct {
	Name   string
	Record string // the registry's JSON
	// Latest is the latest version's number; Versions how many versions
	// the schema holds.
	Latest, Versions int
	Modified         time.Time
}

func parseSchemaMeta(r *SchemaRecord, meta string) error {
	parts := strings.Split(meta, "|")
	if len(parts) != 4 {
		return fmt.Errorf("%w: schema meta %q", ErrCorrupt, meta)
	}
	r.Latest, _ = strconv.Atoi(parts[0])
	ms, _ := strconv.ParseInt(parts[2], 10, 64)
	r.Modified = time.UnixMilli(ms)
	r.Versions, _ = strconv.Atoi(parts[3])
	return nil
}

// SchemaGet returns the schemas named of a registry that exist (in the
// order asked), or ErrNotFound when the registry does not exist.
func (c *Client) SchemaGet(ctx context.Context, registry string, names ...string) ([]*SchemaRecord, error) {
	keys, err := c.registryKeys(registry)
	if err != nil {
		return nil, err
	}
	var exists *redis.IntCmd
	var recs, metas *redis.SliceCmd
	_, err = c.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		exists = p.Exists(ctx, keys[0])
		if len(names) > 0 {
			recs = p.HMGet(ctx, keys[1], names...)
			metas = p.HMGet(ctx, keys[2], names...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: schemas of %s: %w", registry, err)
	}
	if exists.Val() == 0 {
		return nil, fmt.Errorf("%w: registry %s", ErrNotFound, registry)
	}
	var out []*SchemaRecord
	for i, name := range names {
		rec, ok1 := recs.Val()[i].(string)
		meta, ok2 := metas.Val()[i].(string)
		if !ok1 || !ok2 {
			continue
		}
		r := &SchemaRecord{Name: name, Record: rec}
		if err := parseSchemaMeta(r, meta); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// SchemaList returns up to limit schema names of a registry starting with
// prefix, after after, in lexical order, and the name to continue after
// ("" at the end); ErrNotFound when the registry does not exist.
func (c *Client) SchemaList(ctx context.Context, registry, prefix, after string, limit int) ([]string, string, error) {
	keys, err := c.registryKeys(registry)
	if err != nil {
		return nil, "", err
	}
	names, next, err := c.lexPage(ctx, keys[3], prefix, after, limit)
	if err != nil {
		return nil, "", err
	}
	if n, err := c.rdb.Exists(ctx, keys[0]).Result(); err != nil {
		return nil, "", fmt.Errorf("store: registry %s: %w", registry, err)
	} else if n == 0 {
		return nil, "", fmt.Errorf("%w: registry %s", ErrNotFound, registry)
	}
	return names, next, nil
}

// SchemaRecordSwap replaces a schema's record old with new: ErrNotFound,
// or ErrStale when the record is no longer old.
func (c *Client) SchemaRecordSwap(ctx context.Context, registry, name, old, new string) error {
	keys, err := c.registryKeys(registry)
	if err != nil {
		return err
	}
	return c.swap(ctx, keys[1], name, old, new, "schema "+registry+"/"+name)
}

// SchemaVersion is one version of a schema.
type SchemaVersion struct {
	Version int
	Type    string
	Created time.Time
	Content string // "" in lists
}

func parseVersionMeta(v *SchemaVersion, meta string) {
	t, ms, _ := strings.Cut(meta, "|")
	v.Type = t
	n, _ := strconv.ParseInt(ms, 10, 64)
	v.Created = time.UnixMilli(n)
}

func versionField(name string, v int) string { return name + "\x00" + strconv.Itoa(v) }

// SchemaVersionGet returns a version of a schema (0: the latest) with its
// content, or ErrNotFound (for the registry, the schema or the version).
func (c *Client) SchemaVersionGet(ctx context.Context, registry, name string, version int) (*SchemaRecord, *SchemaVersion, error) {
	recs, err := c.SchemaGet(ctx, registry, name)
	if err != nil {
		return nil, nil, err
	}
	if len(recs) == 0 {
		return nil, nil, fmt.Errorf("%w: schema %s/%s", ErrNotFound, registry, name)
	}
	if version <= 0 {
		version = recs[0].Latest
	}
	f := versionField(name, version)
	vals, err := c.rdb.HMGet(ctx, c.keys.SchemaVersionsKey(registry), f, f+"\x00m").Result()
	if err != nil {
		return nil, nil, fmt.Errorf("store: schema %s/%s: %w", registry, name, err)
	}
	content, ok1 := vals[0].(string)
	meta, ok2 := vals[1].(string)
	if !ok1 || !ok2 {
		return nil, nil, fmt.Errorf("%w: schema %s/%s version %d", ErrNotFound, registry, name, version)
	}
	v := &SchemaVersion{Version: version, Content: content}
	parseVersionMeta(v, meta)
	return recs[0], v, nil
}

// SchemaVersionList returns up to limit versions of a schema after the
// version after (0: from the first), oldest first, without their
// content, and the version to continue after (0 at the end).
func (c *Client) SchemaVersionList(ctx context.Context, registry, name string, after, limit int) ([]SchemaVersion, int, error) {
	keys, err := c.registryKeys(registry)
	if err != nil {
		return nil, 0, err
	}
	if err := checkSchemaName("schema name", name); err != nil {
		return nil, 0, err
	}
	from := ""
	if after > 0 {
		from = name + "\x00" + fmt.Sprintf("%010d", after)
	}
	members, next, err := c.lexPage(ctx, keys[5], name+"\x00", from, limit)
	if err != nil {
		return nil, 0, err
	}
	out := make([]SchemaVersion, 0, len(members))
	fields := make([]string, 0, len(members))
	for _, m := range members {
		n, _ := strconv.Atoi(strings.TrimLeft(m[len(name)+1:], "0"))
		out = append(out, SchemaVersion{Version: n})
		fields = append(fields, versionField(name, n)+"\x00m")
	}
	if len(fields) > 0 {
		metas, err := c.rdb.HMGet(ctx, keys[4], fields...).Result()
		if err != nil {
			return nil, 0, fmt.Errorf("store: versions of %s/%s: %w", registry, name, err)
		}
		for i, m := range metas {
			s, _ := m.(string)
			parseVersionMeta(&out[i], s)
		}
	}
	nextVersion := 0
	if next != "" {
		nextVersion, _ = strconv.Atoi(strings.TrimLeft(next[len(name)+1:], "0"))
	}
	return out, nextVersion, nil
}

// scriptSchemaDelete deletes a schema's versions (all, or one) and their
// code bindings.
//
//	KEYS[1] schema records   KEYS[2] schema meta   KEYS[3] schema names   KEYS[4] versions
//	KEYS[5] version index    KEYS[6] bindings      KEYS[7] binding sources
//	ARGV[1] schema name   ARGV[2] the version to delete (0: the schema)   ARGV[3] now (unix ms)
//	ARGV[4..] the languages bindings may be in
//
// Deleting the latest version makes the one before latest; deleting the
// last version deletes the schema. Returns {OK} or {NOTFOUND, "schema"|"version"}.
var scriptSchemaDelete = redis.NewScript(`
local S, M, N, V, VI, B, BZ = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local name, only = ARGV[1], tonumber(ARGV[2])
local SEP = string.char(0)
local meta = redis.call('HGET', M, name)
if not meta then return {3, 'schema'} end
local members
if only > 0 then
  local m = name .. SEP .. string.format('%010d', only)
  if not redis.call('ZSCORE', VI, m) then return {3, 'version'} end
  members = {m}
else
  members = redis.call('ZRANGEBYLEX', VI, '[' .. name .. SEP, '[' .. name .. SEP .. '\255')
end
for _, m in ipairs(members) do
  local v = tonumber(string.sub(m, #name + 2))
  local f = name .. SEP .. v
  redis.call('HDEL', V, f, f .. SEP .. 'm')
  for i = 4, #ARGV do redis.call('HDEL', B, f .. SEP .. ARGV[i]); redis.call('HDEL', BZ, f .. SEP .. ARGV[i]) end
  redis.call('ZREM', VI, m)
end
local rest = redis.call('ZRANGEBYLEX', VI, '[' .. name .. SEP, '[' .. name .. SEP .. '\255')
if only == 0 or #rest == 0 then
  redis.call('HDEL', S, name); redis.call('HDEL', M, name); redis.call('ZREM', N, name)
  return {0}
end
local _, last = string.match(meta, '^(%d+)|(%d+)|')
local latest = tonumber(string.sub(rest[#rest], #name + 2))
redis.call('HSET', M, name, latest .. '|' .. last .. '|' .. ARGV[3] .. '|' .. #rest)
return {0}
`)

func (c *Client) schemaDelete(ctx context.Context, registry, name string, version int, languages []string, now time.Time) error {
	keys, err := c.registryKeys(registry)
	if err != nil {
		return err
	}
	if err := checkSchemaName("schema name", name); err != nil {
		return err
	}
	argv := []any{name, version, now.UnixMilli()}
	for _, l := range languages {
		argv = append(argv, l)
	}
	res, err := scriptSchemaDelete.Run(ctx, c.rdb, keys[1:], argv...).Slice()
	if err != nil {
		return fmt.Errorf("store: deleting schema %s/%s: %w", registry, name, err)
	}
	switch code(res) {
	case codeOK:
		return nil
	case codeNotFound:
		if stringAt(res, 1) == "version" {
			return fmt.Errorf("%w: schema %s/%s version %d", ErrNotFound, registry, name, version)
		}
		return fmt.Errorf("%w: schema %s/%s", ErrNotFound, registry, name)
	}
	return fmt.Errorf("%w: schema delete script returned %v", ErrCorrupt, res)
}

// SchemaDelete deletes a schema with its versions and their code bindings
// (in languages), or returns ErrNotFound.
func (c *Client) SchemaDelete(ctx context.Context, registry, name string, languages []string) error {
	return c.schemaDelete(ctx, registry, name, 0, languages, time.Time{})
}

// SchemaVersionDelete deletes one version of a schema with its code
// bindings: the one before becomes the latest; the schema goes with its
// last version. ErrNotFound for a schema or version that does not exist.
func (c *Client) SchemaVersionDelete(ctx context.Context, registry, name string, version int, languages []string, now time.Time) error {
	if version <= 0 {
		return fmt.Errorf("%w: schema version %d", ErrInvalid, version)
	}
	return c.schemaDelete(ctx, registry, name, version, languages, now)
}

// scriptBindingPut starts a code binding of a version that exists, unless
// one is there and has not failed.
//
//	KEYS[1] versions   KEYS[2] bindings   KEYS[3] binding sources
//	ARGV[1] the version's field ("<schema>\0<version>")   ARGV[2] language   ARGV[3] the record to start with
//	ARGV[4] the statuses a binding is started again from, "|"-separated, in a "|...|" frame
//
// Returns {OK, record, 1 when started}, or {NOTFOUND}.
var scriptBindingPut = redis.NewScript(`
local V, B, BZ = KEYS[1], KEYS[2], KEYS[3]
local SEP = string.char(0)
if redis.call('HEXISTS', V, ARGV[1]) == 0 then return {3} end
local f = ARGV[1] .. SEP .. ARGV[2]
local cur = redis.call('HGET', B, f)
if cur then
  local st = string.match(cur, '"Status":"([A-Z_]+)"')
  if not st or not string.find(ARGV[4], '|' .. st .. '|', 1, true) then return {0, cur, 0} end
end
redis.call('HSET', B, f, ARGV[3])
redis.call('HDEL', BZ, f)
return {0, ARGV[3], 1}
`)

// SchemaBindingPut starts the code binding of a schema version in
// language with record, unless one exists whose record's "Status" is not
// one of restartFrom: then it returns that one's record and started
// false. ErrNotFound when the version does not exist.
func (c *Client) SchemaBindingPut(ctx context.Context, registry, name string, version int, language, record string, restartFrom []string) (string, bool, error) {
	keys, err := c.registryKeys(registry)
	if err != nil {
		return "", false, err
	}
	if err := checkSchemaName("schema name", name); err != nil {
		return "", false, err
	}
	if err := checkSchemaName("language", language); err != nil {
		return "", false, err
	}
	res, err := scriptBindingPut.Run(ctx, c.rdb, []string{keys[4], keys[6], keys[7]}, versionField(name, version), language, record,
		"|"+strings.Join(restartFrom, "|")+"|").Slice()
	if err != nil {
		return "", false, fmt.Errorf("store: code binding of %s/%s: %w", registry, name, err)
	}
	switch code(res) {
	case codeOK:
		n, _ := res[2].(int64)
		return stringAt(res, 1), n == 1, nil
	case codeNotFound:
		return "", false, fmt.Errorf("%w: schema %s/%s version %d", ErrNotFound, registry, name, version)
	}
	return "", false, fmt.Errorf("%w: binding put script returned %v", ErrCorrupt, res)
}

// scriptBindingEnd ends a code binding that is still the one started.
//
//	KEYS[1] bindings   KEYS[2] binding sources
//	ARGV[1] field   ARGV[2] the record it was started with   ARGV[3] the record to end with   ARGV[4] the archive ("" for none)
//
// Returns {OK} or {STALE} (deleted or started again since).
var scriptBindingEnd = redis.NewScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return {1} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[2], ARGV[1], ARGV[4]) end
return {0}
`)

// SchemaBindingEnd writes the outcome of a code binding started with
// started: its record, and its archive (nil for none). ErrStale when the
// binding was deleted or started again since.
func (c *Client) SchemaBindingEnd(ctx context.Context, registry, name string, version int, language, started, record string, archive []byte) error {
	keys, err := c.registryKeys(registry)
	if err != nil {
		return err
	}
	f := versionField(name, version) + "\x00" + language
	res, err := scriptBindingEnd.Run(ctx, c.rdb, []string{keys[6], keys[7]}, f, started, record, archive).Slice()
	if err != nil {
		return fmt.Errorf("store: code binding of %s/%s: %w", registry, name, err)
	}
	if code(res) == codeStale {
		return fmt.Errorf("%w: code binding of %s/%s version %d", ErrStale, registry, name, version)
	}
	return nil
}

// SchemaBindingGet returns the record of a code binding, and its archive
// when withSource; ErrNotFound when there is none.
func (c *Client) SchemaBindingGet(ctx context.Context, registry, name string, version int, language string, withSource bool) (string, []byte, error) {
	keys, err := c.registryKeys(registry)
	if err != nil {
		return "", nil, err
	}
	f := versionField(name, version) + "\x00" + language
	var rec, src *redis.StringCmd
	_, err = c.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		rec = p.HGet(ctx, keys[6], f)
		if withSource {
			src = p.HGet(ctx, keys[7], f)
		}
		return nil
	})
	if err != nil && err != redis.Nil {
		return "", nil, fmt.Errorf("store: code binding of %s/%s: %w", registry, name, err)
	}
	if rec.Err() == redis.Nil {
		return "", nil, fmt.Errorf("%w: code binding of %s/%s version %d in %s", ErrNotFound, registry, name, version, language)
	}
	var b []byte
	if withSource && src.Err() == nil {
		b, _ = src.Bytes()
	}
	return rec.Val(), b, nil
}

// SchemaDiscovererCreate creates the discoverer id with its record, or
// returns ErrConflict when it exists.
func (c *Client) SchemaDiscovererCreate(ctx context.Context, id, record string) error {
	ok, err := c.rdb.HSetNX(ctx, c.keys.SchemaDiscoverersKey(), id, record).Result()
	if err != nil {
		return fmt.Errorf("store: creating discoverer %s: %w", id, err)
	}
	if !ok {
		return fmt.Errorf("%w: discoverer %s exists", ErrConflict, id)
	}
	return nil
}

// SchemaDiscoverers returns every discoverer's record by id.
func (c *Client) SchemaDiscoverers(ctx context.Context) (map[string]string, error) {
	m, err := c.rdb.HGetAll(ctx, c.keys.SchemaDiscoverersKey()).Result()
	if err != nil {
		return nil, fmt.Errorf("store: discoverers: %w", err)
	}
	return m, nil
}

// SchemaDiscovererGet returns a discoverer's record, or ErrNotFound.
func (c *Client) SchemaDiscovererGet(ctx context.Context, id string) (string, error) {
	rec, err := c.rdb.HGet(ctx, c.keys.SchemaDiscoverersKey(), id).Result()
	if err == redis.Nil {
		return "", fmt.Errorf("%w: discoverer %s", ErrNotFound, id)
	}
	if err != nil {
		return "", fmt.Errorf("store: discoverer %s: %w", id, err)
	}
	return rec, nil
}

// SchemaDiscovererSwap replaces a discoverer's record old with new:
// ErrNotFound, or ErrStale when the record is no longer old.
func (c *Client) SchemaDiscovererSwap(ctx context.Context, id, old, new string) error {
	return c.swap(ctx, c.keys.SchemaDiscoverersKey(), id, old, new, "discoverer "+id)
}

// SchemaDiscovererDelete deletes a discoverer, or returns ErrNotFound.
func (c *Client) SchemaDiscovererDelete(ctx context.Context, id string) error {
	n, err := c.rdb.HDel(ctx, c.keys.SchemaDiscoverersKey(), id).Result()
	if err != nil {
		return fmt.Errorf("store: deleting discoverer %s: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("%w: discoverer %s", ErrNotFound, id)
	}
	return nil
}
