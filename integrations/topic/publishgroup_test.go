package topic

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/signalbox/signalbox/store"
	"github.com/stretchr/testify/require"
)

// Publishes made at once to a standard topic go in shared scripts
// (publishgroup.go): each gets its own messages' outcomes, every message
// is delivered once to each queue, and a change of the topic meanwhile
// (its version moved: every publish of the group is matched again) loses
// none.
func TestConcurrentPublishes(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		arn := b.topic(t, "busy", nil)
		b.subscribeQueue(t, arn, "raw", map[string]string{"RawMessageDelivery": "true"})
		b.subscribeQueue(t, arn, "env", nil)
		const publishers, each = 16, 12
		var mu sync.Mutex
		ids := map[string]string{} // body → message id
		var wg sync.WaitGroup
		for p := range publishers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range each {
					body := fmt.Sprintf("p%d-m%d", p, k)
					if p == 0 && k == each/2 {
						// the version moves while the others publish
						require.NoError(t, b.svc.SetTopicAttribute(b.ctx, arn, "DisplayName", "busy"))
					}
					if p%2 == 0 {
						res, err := b.svc.Publish(b.ctx, &PublishInput{TopicARN: arn, Message: body})
						require.NoError(t, err)
						mu.Lock()
						ids[body] = res.MessageID
						mu.Unlock()
						continue
					}
					// a batch of two, one of them refused
					rs, err := b.svc.PublishBatch(b.ctx, arn, []PublishInput{{ID: "bad", Message: ""}, {ID: "ok", Message: body}})
					require.NoError(t, err)
					require.NotNil(t, rs[0].Err)
					require.Nil(t, rs[1].Err)
					mu.Lock()
					ids[body] = rs[1].MessageID
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		// every publish answered, the group's scripts are all done: none
		// waits, and no lead was lost on the way
		b.svc.mu.Lock()
		v := b.svc.views["busy"]
		b.svc.mu.Unlock()
		require.NotNil(t, v)
		v.group.mu.Lock()
		require.Empty(t, v.group.pending)
		require.Zero(t, v.group.running)
		require.Zero(t, v.group.waiting)
		v.group.mu.Unlock()
		require.Len(t, ids, publishers*each)
		seen := map[string]bool{}
		for _, id := range ids {
			require.False(t, seen[id], "message id %s given twice", id)
			seen[id] = true
		}
		raw := map[string]int{}
		for _, m := range b.receive(t, "raw", publishers*each) {
			raw[m.Body]++
		}
		require.Len(t, raw, publishers*each)
		for _, m := range b.receive(t, "env", publishers*each) {
			var env struct{ MessageId, Message string }
			require.NoError(t, json.Unmarshal([]byte(m.Body), &env))
			require.Equal(t, ids[env.Message], env.MessageId, env.Message)
			require.Equal(t, 1, raw[env.Message], env.Message)
		}
		b.settle(t, "busy")
		b.requireEmpty(t, "raw")
		b.requireEmpty(t, "env")
	})
}

// A script takes the waiting publishes in order, within its message and
// byte bounds, and always at least one.
func TestPublishGroupTake(t *testing.T) {
	t.Parallel()
	pub := func(msgs, bytes int) *groupedPublish {
		return &groupedPublish{msgs: make([]store.TopicMessage, msgs), bytes: bytes}
	}
	big, mid, small := pub(1, maxGroupBytes+1), pub(1, maxGroupBytes/2), pub(1, 10)
	many, more := pub(maxGroupMessages-1, 100), pub(2, 100)
	g := &publishGroup{pending: []*groupedPublish{big, mid, mid, small, many, more}}
	g.waiting = 5 + maxGroupMessages
	require.Equal(t, []*groupedPublish{big}, g.take(), "one over the byte bound goes alone")
	require.Equal(t, []*groupedPublish{mid, mid}, g.take(), "two halves fill the bound")
	require.Equal(t, []*groupedPublish{small, many}, g.take(), "the message bound")
	require.Equal(t, []*groupedPublish{more}, g.take())
	require.Empty(t, g.pending)
	require.Zero(t, g.waiting)
	require.Empty(t, g.take())
}

func TestMessageBytes(t *testing.T) {
	t.Parallel()
	msgs := []store.TopicMessage{
		{Payload: "abc", Direct: []store.TopicDirect{{Message: store.QueueMessage{Payload: []byte("12345")}}, {Message: store.QueueMessage{Payload: []byte("1")}}}},
		{Payload: "xy"},
	}
	require.Equal(t, 11, messageBytes(msgs))
}

// counts keeps keys in order of first use with their counts, in place and
// past the point where it indexes them.
func TestCounts(t *testing.T) {
	var c counts[int]
	for i := range 40 {
		c.add(i % 20)
		c.add(0)
	}
	require.Len(t, c.list, 20)
	require.NotNil(t, c.index)
	require.Equal(t, count[int]{0, 42}, c.list[0])
	for i := 1; i < 20; i++ {
		require.Equal(t, count[int]{i, 2}, c.list[i])
	}
}
