package store

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The function records' store, against the embedded server and, when
// SIGNALBOX_REDIS_URL is set, a real Redis.

func TestFunctionsEmbedded(t *testing.T) {
	t.Parallel()
	runFunctions(t, func(t *testing.T) *Client { return openTest(t, Options{}) })
}

func TestFunctionsRedis(t *testing.T) {
	t.Parallel()
	url := os.Getenv(EnvRedisURL)
	if url == "" {
		t.Skip(EnvRedisURL + " is not set")
	}
	runFunctions(t, func(t *testing.T) *Client { return openTest(t, Options{URL: url}) })
}

func TestFunctionKeySlots(t *testing.T) {
	k := NewKeys("sb")
	keys := k.functionKeys("fn")
	for _, key := range keys[1:] {
		require.Equal(t, slot(keys[0]), slot(key), key)
	}
	require.NotEqual(t, slot(keys[0]), slot(k.functionKeys("other")[0]))
}

func runFunctions(t *testing.T, open func(t *testing.T) *Client) {
	now := time.UnixMilli(1_700_000_000_000)
	t.Run("create get list delete", func(t *testing.T) {
		t.Parallel()
		c, ctx := open(t), context.Background()
		require.NoError(t, c.FunctionCreate(ctx, "b", `{"v":1}`, -1, map[string]string{"team": "x"}, now))
		require.ErrorIs(t, c.FunctionCreate(ctx, "b", `{"v":2}`, -1, nil, now), ErrConflict)
		require.NoError(t, c.FunctionCreate(ctx, "a", `{}`, 5, nil, now))
		require.NoError(t, c.FunctionCreate(ctx, "c", `{}`, -1, nil, now))
		r, err := c.FunctionGet(ctx, "b")
		require.NoError(t, err)
		require.Equal(t, &FunctionRecord{Name: "b", Latest: `{"v":1}`, Created: now, ReservedConcurrency: -1}, r)
		r, err = c.FunctionGet(ctx, "a")
		require.NoError(t, err)
		require.Equal(t, 5, r.ReservedConcurrency)
		_, err = c.FunctionGet(ctx, "zz")
		require.ErrorIs(t, err, ErrNotFound)
		_, err = c.FunctionGet(ctx, "x{y}")
		require.ErrorIs(t, err, ErrInvalid)

		names, next, err := c.FunctionList(ctx, "", 2)
		require.NoError(t, err)
		require.Equal(t, []string{"a", "b"}, names)
		names, next, err = c.FunctionList(ctx, next, 2)
		require.NoError(t, err)
		require.Equal(t, []string{"c"}, names)
		require.Empty(t, next)

		tags, err := c.FunctionTags(ctx, "b")
		require.NoError(t, err)
		require.Equal(t, map[string]string{"team": "x"}, tags)
		require.NoError(t, c.FunctionDelete(ctx, "b"))
		require.ErrorIs(t, c.FunctionDelete(ctx, "b"), ErrNotFound)
		_, err = c.FunctionGet(ctx, "b")
		require.ErrorIs(t, err, ErrNotFound)
		tags, err = c.FunctionTags(ctx, "b")
		require.NoError(t, err)
		require.Empty(t, tags)
		names, _, err = c.FunctionList(ctx, "", 10)
		require.NoError(t, err)
		require.Equal(t, []string{"a", "c"}, names)
	})
	t.Run("latest compare and set", func(t *testing.T) {
		t.Parallel()
		c, ctx := open(t), context.Background()
		require.ErrorIs(t, c.FunctionSwapLatest(ctx, "f", `{}`, `{"v":2}`), ErrNotFound)
		require.NoError(t, c.FunctionCreate(ctx, "f", `{"v":1}`, -1, nil, now))
		require.ErrorIs(t, c.FunctionSwapLatest(ctx, "f", `{"v":0}`, `{"v":2}`), ErrStale)
		require.NoError(t, c.FunctionSwapLatest(ctx, "f", `{"v":1}`, `{"v":2}`))
		r, err := c.FunctionGet(ctx, "f")
		require.NoError(t, err)
		require.Equal(t, `{"v":2}`, r.Latest)

		// concurrent swaps from the same record: exactly one wins
		var wg sync.WaitGroup
		wins := make(chan int, 8)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if c.FunctionSwapLatest(ctx, "f", `{"v":2}`, `{"w":`+strconv.Itoa(i)+`}`) == nil {
					wins <- i
				}
			}()
		}
		wg.Wait()
		close(wins)
		require.Len(t, wins, 1)
	})
	t.Run("concurrency", func(t *testing.T) {
		t.Parallel()
		c, ctx := open(t), context.Background()
		require.ErrorIs(t, c.FunctionSetConcurrency(ctx, "f", 3), ErrNotFound)
		require.NoError(t, c.FunctionCreate(ctx, "f", `{}`, -1, nil, now))
		require.NoError(t, c.FunctionSetConcurrency(ctx, "f", 0))
		r, err := c.FunctionGet(ctx, "f")
		require.NoError(t, err)
		require.Equal(t, 0, r.ReservedConcurrency)
		require.NoError(t, c.FunctionSetConcurrency(ctx, "f", -1))
		r, err = c.FunctionGet(ctx, "f")
		require.NoError(t, err)
		require.Equal(t, -1, r.ReservedConcurrency)
	})
	t.Run("versions", func(t *testing.T) {
		t.Parallel()
		c, ctx := open(t), context.Background()
		_, _, err := c.FunctionPublish(ctx, "f", `{}`, `{}`, "d")
		require.ErrorIs(t, err, ErrNotFound)
		require.NoError(t, c.FunctionCreate(ctx, "f", `{"v":1}`, -1, nil, now))
		_, _, err = c.FunctionPublish(ctx, "f", `{"v":0}`, `{"p":1}`, "d1")
		require.ErrorIs(t, err, ErrStale)
		n, existing, err := c.FunctionPublish(ctx, "f", `{"v":1}`, `{"p":1}`, "d1")
		require.NoError(t, err)
		require.Equal(t, 1, n)
		require.False(t, existing)
		// the same $LATEST again: the same version
		n, existing, err = c.FunctionPublish(ctx, "f", `{"v":1}`, `{"p":1b}`, "d1")
		require.NoError(t, err)
		require.Equal(t, 1, n)
		require.True(t, existing)
		require.NoError(t, c.FunctionSwapLatest(ctx, "f", `{"v":1}`, `{"v":2}`))
		for want := 2; want <= 4; want++ {
			n, existing, err = c.FunctionPublish(ctx, "f", `{"v":2}`, `{"p":`+strconv.Itoa(want)+`}`, "d"+strconv.Itoa(want))
			require.NoError(t, err)
			require.Equal(t, want, n)
			require.False(t, existing)
		}
		rec, err := c.FunctionVersionGet(ctx, "f", 3)
		require.NoError(t, err)
		require.Equal(t, `{"p":3}`, rec)
		_, err = c.FunctionVersionGet(ctx, "f", 9)
		require.ErrorIs(t, err, ErrNotFound)

		page, next, err := c.FunctionVersionList(ctx, "f", 0, 3)
		require.NoError(t, err)
		require.Equal(t, []FunctionVersion{{1, `{"p":1}`}, {2, `{"p":2}`}, {3, `{"p":3}`}}, page)
		require.Equal(t, 3, next)
		page, next, err = c.FunctionVersionList(ctx, "f", next, 3)
		require.NoError(t, err)
		require.Equal(t, []FunctionVersion{{4, `{"p":4}`}}, page)
		require.Zero(t, next)

		// an alias protects its versions
		require.NoError(t, c.FunctionAliasPut(ctx, "f", nil, &FunctionAlias{Name: "live", Version: "2", Extra: []string{"3"}, Record: `{}`}))
		require.ErrorIs(t, c.FunctionVersionDelete(ctx, "f", 2), ErrConflict)
		err = c.FunctionVersionDelete(ctx, "f", 3)
		require.ErrorIs(t, err, ErrConflict)
		require.Contains(t, err.Error(), "[live]")
		require.NoError(t, c.FunctionVersionDelete(ctx, "f", 4))
		require.ErrorIs(t, c.FunctionVersionDelete(ctx, "f", 4), ErrNotFound)
		// a number is never given twice, even after its version is deleted
		n, _, err = c.FunctionPublish(ctx, "f", `{"v":2}`, `{"p":5}`, "d4")
		require.NoError(t, err)
		require.Equal(t, 5, n)
		r, err := c.FunctionGet(ctx, "f")
		require.NoError(t, err)
		require.Equal(t, 5, r.LastVersion)
	})
	t.Run("aliases", func(t *testing.T) {
		t.Parallel()
		c, ctx := open(t), context.Background()
		a := &FunctionAlias{Name: "live", Version: "$LATEST", Record: `{"d":"x|y"}`}
		require.ErrorIs(t, c.FunctionAliasPut(ctx, "f", nil, a), ErrNotFound)
		require.NoError(t, c.FunctionCreate(ctx, "f", `{}`, -1, nil, now))
		require.NoError(t, c.FunctionAliasPut(ctx, "f", nil, a))
		require.ErrorIs(t, c.FunctionAliasPut(ctx, "f", nil, a), ErrConflict)
		bad := &FunctionAlias{Name: "canary", Version: "$LATEST", Extra: []string{"7"}, Record: `{}`}
		err := c.FunctionAliasPut(ctx, "f", nil, bad)
		require.ErrorIs(t, err, ErrNotFound)
		require.Contains(t, err.Error(), "version 7")
		got, err := c.FunctionAliasGet(ctx, "f", "live")
		require.NoError(t, err)
		require.Equal(t, a, got)
		_, _, err = c.FunctionPublish(ctx, "f", `{}`, `{}`, "d")
		require.NoError(t, err)
		b := &FunctionAlias{Name: "live", Version: "1", Extra: []string{"$LATEST"}, Record: `{"d":2}`}
		require.ErrorIs(t, c.FunctionAliasPut(ctx, "f", &FunctionAlias{Name: "live", Version: "1", Record: "{}"}, b), ErrStale)
		require.NoError(t, c.FunctionAliasPut(ctx, "f", a, b))
		require.ErrorIs(t, c.FunctionAliasPut(ctx, "f", a, &FunctionAlias{Name: "gone", Version: "1"}), ErrNotFound)
		require.NoError(t, c.FunctionAliasPut(ctx, "f", nil, &FunctionAlias{Name: "a", Version: "1", Record: `{}`}))
		all, err := c.FunctionAliases(ctx, "f")
		require.NoError(t, err)
		require.Len(t, all, 2)
		require.Equal(t, "a", all[0].Name)
		require.Equal(t, b, all[1])
		require.NoError(t, c.FunctionAliasDelete(ctx, "f", "live"))
		require.NoError(t, c.FunctionAliasDelete(ctx, "f", "live"))
		_, err = c.FunctionAliasGet(ctx, "f", "live")
		require.ErrorIs(t, err, ErrNotFound)
		require.ErrorIs(t, c.FunctionAliasPut(ctx, "f", nil, &FunctionAlias{Name: "x|y", Version: "1"}), ErrInvalid)
	})
	t.Run("tags", func(t *testing.T) {
		t.Parallel()
		c, ctx := open(t), context.Background()
		require.ErrorIs(t, c.FunctionTag(ctx, "f", map[string]string{"a": "1"}, nil, 3), ErrNotFound)
		require.NoError(t, c.FunctionCreate(ctx, "f", `{}`, -1, map[string]string{"a": "1"}, now))
		require.NoError(t, c.FunctionTag(ctx, "f", map[string]string{"b": "2", "c": "3"}, nil, 3))
		require.ErrorIs(t, c.FunctionTag(ctx, "f", map[string]string{"d": "4"}, nil, 3), ErrLimit)
		require.NoError(t, c.FunctionTag(ctx, "f", map[string]string{"a": "9"}, nil, 3))
		require.NoError(t, c.FunctionTag(ctx, "f", nil, []string{"b", "zz"}, 3))
		tags, err := c.FunctionTags(ctx, "f")
		require.NoError(t, err)
		require.Equal(t, map[string]string{"a": "9", "c": "3"}, tags)
	})
}
