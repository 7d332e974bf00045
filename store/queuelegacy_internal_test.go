package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// Messages a standard queue holds in the format from before states kept
// their sent time (a state without "s<sent>|", every message in the sent
// set) are received, deleted, put back and expired as before, beside
// messages of today's format: on the embedded store and the real Redis.
func TestQueueLegacyStates(t *testing.T) {
	eachQueueBackend(t, func(t *testing.T, c *Client, real bool) {
		ctx := context.Background()
		t0 := time.UnixMilli(1_767_323_045_000)
		ms := t0.UnixMilli()
		_, err := c.QueueCreate(ctx, &QueueCreateParams{Name: "old", All: map[string]string{"MessageRetentionPeriod": "60"}, Now: t0})
		require.NoError(t, err)
		k := c.keys
		if real {
			for _, key := range []string{k.QueueKey("old"), k.QueueStateKey("old")} {
				enc, err := c.rdb.ObjectEncoding(ctx, key).Result()
				require.NoError(t, err)
				require.Equal(t, "hashtable", enc, "%s is made a hash table (#ht)", key)
			}
		}
		// a queue of before: no #ht, which the next send adds
		require.NoError(t, c.rdb.HDel(ctx, k.QueueKey("old"), "#ht").Err())
		require.NoError(t, c.rdb.Del(ctx, k.QueueStateKey("old")).Err())
		// two messages as the previous format wrote them
		for i, id := range []string{"a", "b"} {
			require.NoError(t, c.rdb.HSet(ctx, k.QueueMessagesKey("old"), id, "payload-"+id).Err())
			require.NoError(t, c.rdb.HSet(ctx, k.QueueStateKey("old"), id, fmt.Sprintf("0|0|0|0|%d|5|", i+1)).Err())
			require.NoError(t, c.rdb.ZAdd(ctx, k.QueueWaitKey("old"), redis.Z{Score: float64(ms-1) + float64(i+1)/1000, Member: id}).Err())
			require.NoError(t, c.rdb.ZAdd(ctx, k.QueueSentKey("old"), redis.Z{Score: float64(ms), Member: id}).Err())
		}
		require.NoError(t, c.rdb.HSet(ctx, k.QueueKey("old"), "#seq", "2", "#bytes", "10").Err())
		// and one of today's
		_, err = c.QueueSend(ctx, &QueueSendParams{Name: "old", Messages: []QueueMessage{{ID: "c", Payload: []byte("payload-c"), Size: 5}}, Now: t0})
		require.NoError(t, err)

		for _, key := range []string{k.QueueKey("old"), k.QueueStateKey("old")} {
			pad, err := c.rdb.HGet(ctx, key, "#ht").Result()
			require.NoError(t, err)
			require.Greater(t, len(pad), 64, "longer than hash-max-listpack-value")
		}

		got, err := c.QueueReceive(ctx, &QueueReceiveParams{Name: "old", Max: 10, Visibility: 10 * time.Second, Now: t0})
		require.NoError(t, err)
		require.Len(t, got.Messages, 3)
		byID := map[string]QueueReceived{}
		for _, m := range got.Messages {
			byID[m.ID] = m
			require.EqualValues(t, 1, m.ReceiveCount, m.ID)
			require.Equal(t, "payload-"+m.ID, string(m.Payload))
		}
		require.EqualValues(t, 2, byID["b"].Seq)
		require.EqualValues(t, 3, byID["c"].Seq)
		state, err := c.rdb.HGet(ctx, k.QueueStateKey("old"), "a").Result()
		require.NoError(t, err)
		require.Regexp(t, `^1\|\d+\|\d+\|\d+\|1\|5\|$`, state, "a state without its sent time keeps that form")
		state, err = c.rdb.HGet(ctx, k.QueueStateKey("old"), "c").Result()
		require.NoError(t, err)
		require.Regexp(t, fmt.Sprintf(`^s%d\|1\|\d+\|\d+\|\d+\|3\|5\|$`, ms), state)

		// a deleted: every key lets it go; b and c come back after
		// their visibility timeout and expire at their retention end
		errs, err := c.QueueDeleteMessages(ctx, "old", []QueueReceipt{{ID: "a", Token: byID["a"].Token}}, t0)
		require.NoError(t, err)
		require.NoError(t, errs[0])
		t1 := t0.Add(59 * time.Second)
		got, err = c.QueueReceive(ctx, &QueueReceiveParams{Name: "old", Max: 10, Visibility: time.Second, Now: t1})
		require.NoError(t, err)
		require.Len(t, got.Messages, 2)
		for _, m := range got.Messages {
			require.EqualValues(t, 2, m.ReceiveCount, m.ID)
		}
		st, err := c.QueueStats(ctx, "old", t1)
		require.NoError(t, err)
		require.EqualValues(t, 2, st.NotVisible)
		t2 := t0.Add(60 * time.Second)
		got, err = c.QueueReceive(ctx, &QueueReceiveParams{Name: "old", Max: 10, Visibility: time.Second, Now: t2.Add(time.Second)})
		require.NoError(t, err)
		require.Empty(t, got.Messages, "past their retention")
		for _, key := range []string{k.QueueMessagesKey("old"), k.QueueWaitKey("old"), k.QueueInflightKey("old"), k.QueueSentKey("old")} {
			n, err := c.rdb.Exists(ctx, key).Result()
			require.NoError(t, err)
			require.Zero(t, n, key)
		}
		states, err := c.rdb.HKeys(ctx, k.QueueStateKey("old")).Result()
		require.NoError(t, err)
		require.Equal(t, []string{"#ht"}, states)
		bytes, err := c.rdb.HGet(ctx, k.QueueKey("old"), "#bytes").Result()
		require.NoError(t, err)
		require.Equal(t, "0", bytes)
	})
}
