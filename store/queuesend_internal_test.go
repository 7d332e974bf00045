package store

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A send writes each message's state and its wait set score from its
// sequence number as fmt and '.%03d' of seq % 1000 would (the script
// builds them from the number's tens and last digit): checked across the
// tens, hundreds and thousands, on the embedded store and the real Redis.
func TestQueueSendSequenceStrings(t *testing.T) {
	eachQueueBackend(t, func(t *testing.T, c *Client, _ bool) {
		ctx := context.Background()
		now := time.UnixMilli(1_767_323_045_000)
		_, err := c.QueueCreate(ctx, &QueueCreateParams{Name: "seqs", All: map[string]string{"MessageRetentionPeriod": "345600"}, Now: now})
		require.NoError(t, err)
		const n = 1_030
		for from := 1; from <= n; from += 10 {
			var msgs []QueueMessage
			for seq := from; seq < from+10 && seq <= n; seq++ {
				msgs = append(msgs, QueueMessage{ID: fmt.Sprint("m-", seq), Payload: []byte("x"), Size: int64(seq % 7)})
			}
			out, err := c.QueueSend(ctx, &QueueSendParams{Name: "seqs", Messages: msgs, Now: now})
			require.NoError(t, err)
			for k, o := range out {
				require.Equal(t, int64(from+k), o.Seq)
			}
		}
		states, err := c.rdb.HGetAll(ctx, c.keys.QueueStateKey("seqs")).Result()
		require.NoError(t, err)
		require.Contains(t, states, "#ht", "the state hash is made a hash table")
		delete(states, "#ht")
		require.Len(t, states, n)
		for seq := 1; seq <= n; seq++ {
			id := fmt.Sprint("m-", seq)
			require.Equal(t, "s"+strconv.FormatInt(now.UnixMilli(), 10)+"|0|0|0|0|"+strconv.Itoa(seq)+"|"+strconv.Itoa(seq%7)+"|", states[id], id)
			score, err := c.rdb.ZScore(ctx, c.keys.QueueWaitKey("seqs"), id).Result()
			require.NoError(t, err)
			want, _ := strconv.ParseFloat(fmt.Sprintf("%d.%03d", now.UnixMilli()-1, seq%1000), 64)
			require.Equal(t, want, score, id)
		}
	})
}

// eachQueueBackend runs f, in parallel, on a client of the embedded store
// and, when SIGNALBOX_REDIS_URL names one, of the real Redis (real true).
func eachQueueBackend(t *testing.T, f func(t *testing.T, c *Client, real bool)) {
	t.Parallel()
	urls := []string{""}
	if u := os.Getenv(EnvRedisURL); u != "" {
		urls = append(urls, u)
	}
	for _, url := range urls {
		t.Run(fmt.Sprint(url != ""), func(t *testing.T) {
			t.Parallel()
			f(t, openTest(t, Options{URL: url}), url != "")
		})
	}
}
