package store

import (
	"context"
	"errors"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// eachBusBackend runs f on the embedded store and, with SIGNALBOX_REDIS_URL,
// on that Redis.
func eachBusBackend(t *testing.T, f func(t *testing.T, c *Client)) {
	t.Helper()
	t.Run("embedded", func(t *testing.T) {
		t.Parallel()
		f(t, openTest(t, Options{}))
	})
	if url := os.Getenv(EnvRedisURL); url != "" {
		t.Run("redis", func(t *testing.T) {
			t.Parallel()
			f(t, openTest(t, Options{URL: url}))
		})
	}
}

func TestBusCreateGetListDelete(t *testing.T) {
	eachBusBackend(t, func(t *testing.T, c *Client) {
		ctx := context.Background()
		now := time.UnixMilli(1_700_000_000_000)
		existing, err := c.BusCreate(ctx, "orders", map[string]string{"Description": "d"}, map[string]string{"team": "a"}, now, true)
		require.NoError(t, err)
		require.False(t, existing)
		_, err = c.BusCreate(ctx, "orders", nil, nil, now, true)
		require.ErrorIs(t, err, ErrBusExists)
		existing, err = c.BusCreate(ctx, "orders", nil, nil, now, false)
		require.NoError(t, err)
		require.True(t, existing)

		b, err := c.BusGet(ctx, "orders")
		require.NoError(t, err)
		require.Equal(t, map[string]string{"Description": "d"}, b.Attributes)
		require.Equal(t, now, b.Created)
		require.EqualValues(t, 1, b.Version)
		tags, err := c.BusTags(ctx, "orders", "")
		require.NoError(t, err)
		require.Equal(t, map[string]string{"team": "a"}, tags)

		require.NoError(t, c.BusSetAttributes(ctx, "orders", map[string]string{"Description": ""}))
		b, err = c.BusGet(ctx, "orders")
		require.NoError(t, err)
		require.Empty(t, b.Attributes)
		require.ErrorIs(t, c.BusSetAttributes(ctx, "nope", map[string]string{"Description": "x"}), ErrNotFound)

		for _, n := range []string{"a1", "a2", "b1"} {
			_, err := c.BusCreate(ctx, n, nil, nil, now, true)
			require.NoError(t, err)
		}
		names, next, err := c.BusList(ctx, "a", "", 1)
		require.NoError(t, err)
		require.Equal(t, []string{"a1"}, names)
		names, next, err = c.BusList(ctx, "a", next, 1)
		require.NoError(t, err)
		require.Equal(t, []string{"a2"}, names)
		require.Equal(t, "", next)
		names, _, err = c.BusList(ctx, "", "", 10)
		require.NoError(t, err)
		require.Equal(t, []string{"a1", "a2", "b1", "orders"}, names)

		// a delete leaves no key of the bus, the data plane's included
		_, err = c.BusRuleWrite(ctx, &BusRuleWriteParams{Bus: "orders", Name: "r", Record: "{}", Limit: 10})
		require.NoError(t, err)
		require.NoError(t, c.rdb.HSet(ctx, c.keys.BusEventsKey("orders"), "e", "x").Err())
		require.NoError(t, c.rdb.ZAdd(ctx, c.keys.BusDueKey("orders"), redisZ(1, "e/r\x00t")).Err())
		require.NoError(t, c.BusDelete(ctx, "orders"))
		n, err := c.rdb.Exists(ctx, c.keys.busAllKeys("orders")...).Result()
		require.NoError(t, err)
		require.Zero(t, n)
		_, err = c.BusGet(ctx, "orders")
		require.ErrorIs(t, err, ErrNotFound)
		names, _, err = c.BusList(ctx, "", "", 10)
		require.NoError(t, err)
		require.Equal(t, []string{"a1", "a2", "b1"}, names)
	})
}

func TestBusRuleWriteCAS(t *testing.T) {
	eachBusBackend(t, func(t *testing.T, c *Client) {
		ctx := context.Background()
		_, err := c.BusRuleWrite(ctx, &BusRuleWriteParams{Bus: "nobus", Name: "r", Record: "{}", Limit: 10})
		require.ErrorIs(t, err, ErrNotFound)
		_, err = c.BusCreate(ctx, "b", nil, nil, time.Now(), true)
		require.NoError(t, err)

		ver, err := c.BusRuleWrite(ctx, &BusRuleWriteParams{Bus: "b", Name: "r1", Record: `{"v":1}`, Limit: 2, Tags: map[string]string{"k": "v"}})
		require.NoError(t, err)
		require.EqualValues(t, 2, ver)
		// a create of an existing rule, or an update from a stale record
		_, err = c.BusRuleWrite(ctx, &BusRuleWriteParams{Bus: "b", Name: "r1", Record: `{"v":2}`, Limit: 2})
		require.ErrorIs(t, err, ErrBusChanged)
		_, err = c.BusRuleWrite(ctx, &BusRuleWriteParams{Bus: "b", Name: "r1", Expect: `{"v":0}`, Record: `{"v":2}`, Limit: 2})
		require.ErrorIs(t, err, ErrBusChanged)
		ver, err = c.BusRuleWrite(ctx, &BusRuleWriteParams{Bus: "b", Name: "r1", Expect: `{"v":1}`, Record: `{"v":2}`, Limit: 2})
		require.NoError(t, err)
		require.EqualValues(t, 3, ver)

		_, err = c.BusRuleWrite(ctx, &BusRuleWriteParams{Bus: "b", Name: "r2", Record: `{}`, Limit: 2})
		require.NoError(t, err)
		_, err = c.BusRuleWrite(ctx, &BusRuleWriteParams{Bus: "b", Name: "r3", Record: `{}`, Limit: 2})
		require.ErrorIs(t, err, ErrLimit)

		ver, rules, err := c.BusRules(ctx, "b")
		require.NoError(t, err)
		require.EqualValues(t, 4, ver)
		require.Equal(t, map[string]string{"r1": `{"v":2}`, "r2": `{}`}, rules)
		_, _, err = c.BusRules(ctx, "nobus")
		require.ErrorIs(t, err, ErrNotFound)

		tags, err := c.BusTags(ctx, "b", "r1")
		require.NoError(t, err)
		require.Equal(t, map[string]string{"k": "v"}, tags)
		// deleting the rule deletes its tags and bumps the version
		ver, err = c.BusRuleWrite(ctx, &BusRuleWriteParams{Bus: "b", Name: "r1", Expect: `{"v":2}`})
		require.NoError(t, err)
		require.EqualValues(t, 5, ver)
		tags, err = c.BusTags(ctx, "b", "r1")
		require.NoError(t, err)
		require.Empty(t, tags)
		_, err = c.BusRule(ctx, "b", "r1")
		require.ErrorIs(t, err, ErrNotFound)
		rec, err := c.BusRule(ctx, "b", "r2")
		require.NoError(t, err)
		require.Equal(t, "{}", rec)
	})
}

func TestBusRuleNamesPaging(t *testing.T) {
	eachBusBackend(t, func(t *testing.T, c *Client) {
		ctx := context.Background()
		_, err := c.BusCreate(ctx, "b", nil, nil, time.Now(), true)
		require.NoError(t, err)
		for i := range 25 {
			_, err := c.BusRuleWrite(ctx, &BusRuleWriteParams{Bus: "b", Name: "r" + strconv.Itoa(100+i), Record: "{}", Limit: 100})
			require.NoError(t, err)
		}
		_, err = c.BusRuleWrite(ctx, &BusRuleWriteParams{Bus: "b", Name: "other", Record: "{}", Limit: 100})
		require.NoError(t, err)
		var all []string
		after := ""
		for {
			names, next, err := c.BusRuleNames(ctx, "b", "r", after, 10)
			require.NoError(t, err)
			all = append(all, names...)
			if next == "" {
				break
			}
			after = next
		}
		require.Len(t, all, 25)
		require.Equal(t, "r100", all[0])
		require.Equal(t, "r124", all[24])
		got, err := c.BusRulesGet(ctx, "b", []string{"r100", "missing"})
		require.NoError(t, err)
		require.Equal(t, map[string]string{"r100": "{}"}, got)
	})
}

func TestBusTagsChange(t *testing.T) {
	eachBusBackend(t, func(t *testing.T, c *Client) {
		ctx := context.Background()
		require.ErrorIs(t, c.BusTagsChange(ctx, "b", "", nil, map[string]string{"a": "1"}, 2), ErrNotFound)
		_, err := c.BusCreate(ctx, "b", nil, nil, time.Now(), true)
		require.NoError(t, err)
		require.ErrorIs(t, c.BusTagsChange(ctx, "b", "norule", nil, map[string]string{"a": "1"}, 2), ErrNotFound)
		require.NoError(t, c.BusTagsChange(ctx, "b", "", nil, map[string]string{"a": "1", "b": "2"}, 2))
		require.ErrorIs(t, c.BusTagsChange(ctx, "b", "", nil, map[string]string{"c": "3"}, 2), ErrLimit)
		require.NoError(t, c.BusTagsChange(ctx, "b", "", []string{"a"}, map[string]string{"c": "3", "b": "4"}, 2))
		tags, err := c.BusTags(ctx, "b", "")
		require.NoError(t, err)
		require.Equal(t, map[string]string{"b": "4", "c": "3"}, tags)

		// a rule's tags are its own: the bus's don't count against it
		_, err = c.BusRuleWrite(ctx, &BusRuleWriteParams{Bus: "b", Name: "r*", Record: "{}", Limit: 10})
		require.NoError(t, err)
		require.NoError(t, c.BusTagsChange(ctx, "b", "r*", nil, map[string]string{"x": "1", "y": "2"}, 2))
		tags, err = c.BusTags(ctx, "b", "r*")
		require.NoError(t, err)
		require.Equal(t, map[string]string{"x": "1", "y": "2"}, tags)
		tags, err = c.BusTags(ctx, "b", "")
		require.NoError(t, err)
		require.Len(t, tags, 2)
	})
}

func TestBusRecords(t *testing.T) {
	eachBusBackend(t, func(t *testing.T, c *Client) {
		ctx := context.Background()
		require.NoError(t, c.ArchiveWrite(ctx, "a1", "", "rec1", 2))
		require.ErrorIs(t, c.ArchiveWrite(ctx, "a1", "", "rec1", 2), ErrBusChanged)
		require.NoError(t, c.ArchiveWrite(ctx, "a1", "rec1", "rec2", 2))
		require.NoError(t, c.ArchiveWrite(ctx, "a2", "", "x", 2))
		require.ErrorIs(t, c.ArchiveWrite(ctx, "a3", "", "x", 2), ErrLimit)
		rec, err := c.ArchiveGet(ctx, "a1")
		require.NoError(t, err)
		require.Equal(t, "rec2", rec)
		all, err := c.Archives(ctx)
		require.NoError(t, err)
		require.Len(t, all, 2)

		require.NoError(t, c.rdb.HSet(ctx, c.keys.ArchiveKey("a1"), "EventCount", "3", "SizeBytes", "120").Err())
		n, size, err := c.ArchiveCounts(ctx, "a1")
		require.NoError(t, err)
		require.EqualValues(t, 3, n)
		require.EqualValues(t, 120, size)
		require.NoError(t, c.ArchiveWrite(ctx, "a1", "rec2", "", 2))
		_, err = c.ArchiveGet(ctx, "a1")
		require.ErrorIs(t, err, ErrNotFound)
		n, _, err = c.ArchiveCounts(ctx, "a1")
		require.NoError(t, err)
		require.Zero(t, n)

		require.NoError(t, c.ConnectionWrite(ctx, "c", "", "conn", 10))
		rec, err = c.ConnectionGet(ctx, "c")
		require.NoError(t, err)
		require.Equal(t, "conn", rec)
		require.NoError(t, c.APIDestinationWrite(ctx, "d", "", "dest", 10))
		ds, err := c.APIDestinations(ctx)
		require.NoError(t, err)
		require.Equal(t, map[string]string{"d": "dest"}, ds)
		cs, err := c.Connections(ctx)
		require.NoError(t, err)
		require.Equal(t, map[string]string{"c": "conn"}, cs)
		_, err = c.APIDestinationGet(ctx, "x")
		require.True(t, errors.Is(err, ErrNotFound))
	})
}
