package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"
)

// The topic publish's arguments, as the server gets them: the numbers
// boxed in shared arrays and the strings named by pointer (argBoxes) are
// the ARGV scriptTopicPublish's contract gives, values past 255 and
// below 0 included, with queues of different limits, a message to every
// target in order (the ids alone) and one of two bodies, out of order.
func TestTopicPublishArgsOnTheWire(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := openTest(t, OptionsFromEnv())
	c.direct = true
	now := time.UnixMilli(1_700_000_000_123)
	qa := TopicQueue{Name: "qa", Dedup: 5 * time.Minute}
	qb := TopicQueue{Name: "qb", Limits: QueueLimits{Messages: 1000}, Dedup: 5 * time.Minute}
	body := []byte("body")
	p := &TopicPublishParams{Topic: "t", Version: 300, Now: now, LeaseUntil: now.Add(30 * time.Second), DedupWindow: time.Minute,
		Messages: []TopicMessage{
			{ID: "m1", Payload: "p1", Subscriptions: []string{"s9"}, Direct: []TopicDirect{
				{Subscription: "s1", Queue: qa, Message: QueueMessage{ID: "i1", Payload: body, Size: 300}},
				{Subscription: "s2", Queue: qb, Message: QueueMessage{ID: "i2", Payload: body, Size: 300}},
			}},
			{ID: "m2", Payload: "p2", DedupKey: "g|d", Group: "g", Direct: []TopicDirect{
				{Subscription: "s2", Queue: qb, Message: QueueMessage{ID: "i3", Payload: body, Size: 300}},
				{Subscription: "s1", Queue: qa, Message: QueueMessage{ID: "i4", Payload: []byte("other"), Size: 5, Delay: 2 * time.Second,
					Group: "g", DedupKey: "k", Sent: now}},
			}},
		}}
	a, keys, order, err := c.topicPublishArgs(p, [][]any{c.kc.boxed('t', p.Topic, c.keys.topicKeys)})
	require.NoError(t, err)
	require.Len(t, keys, 3)
	require.Equal(t, [][]int{{0, 1}, {0, 1}}, order)
	d := DefaultQueueLimits
	want := []any{now.UnixMilli(), 300, now.UnixMilli() + 30_000, 60_000, 2, 2, 2,
		d.Messages, d.Bytes, 300_000, d.Sweep, 2, // qa
		1000, d.Bytes, 300_000, d.Sweep, 2, // qb
		"s1", 1, "s2", 2, // the targets
		"m1", "p1", "", "", 1, "s9", 2,
		"body", 0, 300, "", "", 0, -2, "i1", "i2",
		"m2", "p2", "g|d", "g", 0, 2,
		"body", 0, 300, "", "", 0, 1, 2, "i3",
		"other", 2000, 5, "g", "k", now.UnixMilli(), 1, 1, "i4"}
	wire := make([]any, len(want))
	for i, v := range want {
		wire[i] = fmt.Sprint(v)
	}
	res, err := c.runBoxed(ctx, redis.NewScript("return ARGV"), keys, a).Slice()
	require.NoError(t, err)
	require.Equal(t, wire, res)
}

// argBoxes' pointers stay valid as it takes more values than its array
// holds.
func TestArgBoxes(t *testing.T) {
	t.Parallel()
	var b argBoxes
	var boxed []any
	for i := range int64(100) {
		boxed = append(boxed, b.int(i*1000-7))
	}
	for i, v := range boxed {
		want := int64(i)*1000 - 7
		switch v := v.(type) {
		case int64:
			require.Equal(t, want, v)
			require.True(t, v >= 0 && v < 256)
		case *int64:
			require.Equal(t, want, *v)
		default:
			t.Fatalf("%T", v)
		}
	}
}
