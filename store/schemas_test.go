package store

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The schema registry's store, against the embedded server and, when
// SIGNALBOX_REDIS_URL is set, a real Redis.

func TestSchemasEmbedded(t *testing.T) {
	t.Parallel()
	runSchemas(t, func(t *testing.T) *Client { return openTest(t, Options{}) })
}

func TestSchemasRedis(t *testing.T) {
	t.Parallel()
	url := os.Getenv(EnvRedisURL)
	if url == "" {
		t.Skip(EnvRedisURL + " is not set")
	}
	runSchemas(t, func(t *testing.T) *Client { return openTest(t, Options{URL: url}) })
}

func TestSchemaKeySlots(t *testing.T) {
	k := NewKeys("sb")
	keys := k.schemaRegistryKeys("reg")
	for _, key := range keys[1:] {
		require.Equal(t, slot(keys[0]), slot(key), key)
	}
	require.NotEqual(t, slot(keys[0]), slot(k.schemaRegistryKeys("other")[0]))
}

func runSchemas(t *testing.T, open func(t *testing.T) *Client) {
	langs := []string{"Go1", "Java8"}
	now := time.UnixMilli(1_700_000_000_000)
	t.Run("registries", func(t *testing.T) {
		t.Parallel()
		c, ctx := open(t), context.Background()
		require.NoError(t, c.SchemaRegistryCreate(ctx, "b", `{"d":1}`))
		require.ErrorIs(t, c.SchemaRegistryCreate(ctx, "b", `{"d":2}`), ErrConflict)
		require.NoError(t, c.SchemaRegistryCreate(ctx, "a", `{}`))
		require.NoError(t, c.SchemaRegistryCreate(ctx, "ab", `{}`))
		rec, err := c.SchemaRegistryGet(ctx, "b")
		require.NoError(t, err)
		require.Equal(t, `{"d":1}`, rec)
		require.ErrorIs(t, c.SchemaRegistrySwap(ctx, "b", `{"d":9}`, `{"d":3}`), ErrStale)
		require.NoError(t, c.SchemaRegistrySwap(ctx, "b", `{"d":1}`, `{"d":3}`))
		require.ErrorIs(t, c.SchemaRegistrySwap(ctx, "zz", `{}`, `{}`), ErrNotFound)
		names, next, err := c.SchemaRegistryList(ctx, "", "", 2)
		require.NoError(t, err)
		require.Equal(t, []string{"a", "ab"}, names)
		names, next, err = c.SchemaRegistryList(ctx, "", next, 2)
		require.NoError(t, err)
		require.Equal(t, []string{"b"}, names)
		require.Empty(t, next)
		names, _, err = c.SchemaRegistryList(ctx, "a", "", 10)
		require.NoError(t, err)
		require.Equal(t, []string{"a", "ab"}, names)
		require.NoError(t, c.SchemaRegistryDelete(ctx, "b"))
		require.ErrorIs(t, c.SchemaRegistryDelete(ctx, "b"), ErrNotFound)
		_, err = c.SchemaRegistryGet(ctx, "b")
		require.ErrorIs(t, err, ErrNotFound)
		require.ErrorIs(t, c.SchemaRegistryCreate(ctx, "x{y}", `{}`), ErrInvalid)
	})
	t.Run("versions", func(t *testing.T) {
		t.Parallel()
		c, ctx := open(t), context.Background()
		put := func(mode SchemaPutMode, content, expect, record string) (SchemaPutResult, error) {
			return c.SchemaPut(ctx, &SchemaPutParams{Registry: "r", Name: "s", Mode: mode, Type: "OpenApi3", Content: content,
				Expect: expect, Record: record, MaxVersions: 3, Now: now})
		}
		_, err := put(SchemaCreate, "{1}", "", `{"rec":1}`)
		require.ErrorIs(t, err, ErrNotFound, "no registry")
		require.NoError(t, c.SchemaRegistryCreate(ctx, "r", `{}`))
		res, err := put(SchemaCreate, "{1}", "", `{"rec":1}`)
		require.NoError(t, err)
		require.Equal(t, SchemaPutResult{Version: 1, New: true}, res)
		_, err = put(SchemaCreate, "{1}", "", `{"rec":1}`)
		require.ErrorIs(t, err, ErrConflict)
		res, err = put(SchemaUpdate, "{1}", `{"rec":1}`, `{"rec":2}`)
		require.NoError(t, err)
		require.Equal(t, SchemaPutResult{Version: 1, New: false}, res, "the same content makes no version")
		_, err = put(SchemaUpdate, "{2}", `{"rec":1}`, `{"rec":3}`)
		require.ErrorIs(t, err, ErrStale, "the record moved")
		res, err = put(SchemaUpdate, "{2}", `{"rec":2}`, "")
		require.NoError(t, err)
		require.Equal(t, SchemaPutResult{Version: 2, New: true}, res)
		res, err = put(SchemaUpdate, "{3}", `{"rec":2}`, "")
		require.NoError(t, err)
		require.Equal(t, 3, res.Version)
		_, err = put(SchemaUpdate, "{4}", `{"rec":2}`, "")
		require.ErrorIs(t, err, ErrLimit)

		sr, v, err := c.SchemaVersionGet(ctx, "r", "s", 0)
		require.NoError(t, err)
		require.Equal(t, 3, sr.Latest)
		require.Equal(t, 3, sr.Versions)
		require.Equal(t, `{"rec":2}`, sr.Record)
		require.Equal(t, "{3}", v.Content)
		require.Equal(t, "OpenApi3", v.Type)
		require.Equal(t, now.UnixMilli(), v.Created.UnixMilli())
		_, v, err = c.SchemaVersionGet(ctx, "r", "s", 1)
		require.NoError(t, err)
		require.Equal(t, "{1}", v.Content)
		_, _, err = c.SchemaVersionGet(ctx, "r", "s", 9)
		require.ErrorIs(t, err, ErrNotFound)

		vs, next, err := c.SchemaVersionList(ctx, "r", "s", 0, 2)
		require.NoError(t, err)
		require.Equal(t, []int{1, 2}, versionsOf(vs))
		require.Equal(t, 2, next)
		vs, next, err = c.SchemaVersionList(ctx, "r", "s", next, 2)
		require.NoError(t, err)
		require.Equal(t, []int{3}, versionsOf(vs))
		require.Zero(t, next)

		// bindings of version 3 go with it
		rec, started, err := c.SchemaBindingPut(ctx, "r", "s", 3, "Go1", `{"Status":"CREATE_IN_PROGRESS"}`, []string{"CREATE_FAILED"})
		require.NoError(t, err)
		require.True(t, started)
		rec2, started, err := c.SchemaBindingPut(ctx, "r", "s", 3, "Go1", `{"Status":"CREATE_IN_PROGRESS","x":1}`, []string{"CREATE_FAILED"})
		require.NoError(t, err)
		require.False(t, started, "in progress")
		require.Equal(t, rec, rec2)
		require.NoError(t, c.SchemaBindingEnd(ctx, "r", "s", 3, "Go1", rec, `{"Status":"CREATE_COMPLETE"}`, []byte("PK\x03\x04zip")))
		require.ErrorIs(t, c.SchemaBindingEnd(ctx, "r", "s", 3, "Go1", rec, `{"Status":"CREATE_FAILED"}`, nil), ErrStale)
		got, src, err := c.SchemaBindingGet(ctx, "r", "s", 3, "Go1", true)
		require.NoError(t, err)
		require.Equal(t, `{"Status":"CREATE_COMPLETE"}`, got)
		require.Equal(t, []byte("PK\x03\x04zip"), src)
		_, _, err = c.SchemaBindingPut(ctx, "r", "s", 7, "Go1", `{}`, nil)
		require.ErrorIs(t, err, ErrNotFound)

		// deleting the latest version makes the one before latest
		require.NoError(t, c.SchemaVersionDelete(ctx, "r", "s", 3, langs, now))
		require.ErrorIs(t, c.SchemaVersionDelete(ctx, "r", "s", 3, langs, now), ErrNotFound)
		_, _, err = c.SchemaBindingGet(ctx, "r", "s", 3, "Go1", false)
		require.ErrorIs(t, err, ErrNotFound)
		sr, v, err = c.SchemaVersionGet(ctx, "r", "s", 0)
		require.NoError(t, err)
		require.Equal(t, 2, sr.Latest)
		require.Equal(t, 2, sr.Versions)
		require.Equal(t, "{2}", v.Content)
		// a version number is never given twice
		res, err = put(SchemaUpdate, "{5}", `{"rec":2}`, "")
		require.NoError(t, err)
		require.Equal(t, 4, res.Version)

		names, _, err := c.SchemaList(ctx, "r", "", "", 10)
		require.NoError(t, err)
		require.Equal(t, []string{"s"}, names)
		require.NoError(t, c.SchemaDelete(ctx, "r", "s", langs))
		require.ErrorIs(t, c.SchemaDelete(ctx, "r", "s", langs), ErrNotFound)
		names, _, err = c.SchemaList(ctx, "r", "", "", 10)
		require.NoError(t, err)
		require.Empty(t, names)
		vs, _, err = c.SchemaVersionList(ctx, "r", "s", 0, 10)
		require.NoError(t, err)
		require.Empty(t, vs)
		_, _, err = c.SchemaList(ctx, "nope", "", "", 10)
		require.ErrorIs(t, err, ErrNotFound)
	})
	t.Run("discover", func(t *testing.T) {
		t.Parallel()
		c, ctx := open(t), context.Background()
		put := func(content string, expect int) (SchemaPutResult, error) {
			return c.SchemaPut(ctx, &SchemaPutParams{Registry: "discovered-schemas", Name: "src@T", Mode: SchemaDiscover, Type: "OpenApi3",
				Content: content, ExpectLatest: expect, Record: `{}`, RegistryRecord: `{"made":1}`, Now: now})
		}
		res, err := put("{a}", 0)
		require.NoError(t, err)
		require.Equal(t, SchemaPutResult{Version: 1, New: true}, res)
		rec, err := c.SchemaRegistryGet(ctx, "discovered-schemas")
		require.NoError(t, err)
		require.Equal(t, `{"made":1}`, rec, "the registry is made")
		names, _, err := c.SchemaRegistryList(ctx, "", "", 10)
		require.NoError(t, err)
		require.Equal(t, []string{"discovered-schemas"}, names)
		_, err = put("{b}", 0)
		require.ErrorIs(t, err, ErrStale, "another process wrote version 1")
		res, err = put("{a}", 1)
		require.NoError(t, err)
		require.Equal(t, SchemaPutResult{Version: 1}, res)
		res, err = put("{b}", 1)
		require.NoError(t, err)
		require.Equal(t, SchemaPutResult{Version: 2, New: true}, res)
	})
	t.Run("discoverers", func(t *testing.T) {
		t.Parallel()
		c, ctx := open(t), context.Background()
		require.NoError(t, c.SchemaDiscovererCreate(ctx, "d1", `{"s":1}`))
		require.ErrorIs(t, c.SchemaDiscovererCreate(ctx, "d1", `{"s":1}`), ErrConflict)
		require.NoError(t, c.SchemaDiscovererSwap(ctx, "d1", `{"s":1}`, `{"s":2}`))
		require.ErrorIs(t, c.SchemaDiscovererSwap(ctx, "d1", `{"s":1}`, `{"s":3}`), ErrStale)
		rec, err := c.SchemaDiscovererGet(ctx, "d1")
		require.NoError(t, err)
		require.Equal(t, `{"s":2}`, rec)
		all, err := c.SchemaDiscoverers(ctx)
		require.NoError(t, err)
		require.Equal(t, map[string]string{"d1": `{"s":2}`}, all)
		require.NoError(t, c.SchemaDiscovererDelete(ctx, "d1"))
		require.ErrorIs(t, c.SchemaDiscovererDelete(ctx, "d1"), ErrNotFound)
		_, err = c.SchemaDiscovererGet(ctx, "d1")
		require.ErrorIs(t, err, ErrNotFound)
	})
	t.Run("registry delete takes everything", func(t *testing.T) {
		t.Parallel()
		c, ctx := open(t), context.Background()
		require.NoError(t, c.SchemaRegistryCreate(ctx, "r", `{}`))
		_, err := c.SchemaPut(ctx, &SchemaPutParams{Registry: "r", Name: "s", Mode: SchemaCreate, Type: "OpenApi3", Content: "{}", Record: "{}", Now: now})
		require.NoError(t, err)
		_, _, err = c.SchemaBindingPut(ctx, "r", "s", 1, "Go1", `{}`, nil)
		require.NoError(t, err)
		require.NoError(t, c.SchemaRegistryDelete(ctx, "r"))
		for _, k := range c.keys.schemaRegistryKeys("r") {
			n, err := c.rdb.Exists(ctx, k).Result()
			require.NoError(t, err)
			require.Zero(t, n, k)
		}
	})
}

func versionsOf(vs []SchemaVersion) []int {
	out := []int{}
	for _, v := range vs {
		out = append(out, v.Version)
	}
	return out
}
