package queue

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func fifoAttrs(extra ...string) map[string]string {
	m := map[string]string{"FifoQueue": "true"}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

func TestFIFOOrderAndGroupLock(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "q.fifo", fifoAttrs("ContentBasedDeduplication", "true"))
		var seqs []string
		for i := range 3 {
			for _, g := range []string{"a", "b"} {
				r := b.send(t, "q.fifo", SendInput{Body: fmt.Sprint(g, i), GroupID: g})
				require.Len(t, r.SequenceNumber, 20)
				seqs = append(seqs, r.SequenceNumber)
			}
		}
		for i := 1; i < len(seqs); i++ {
			require.Less(t, seqs[i-1], seqs[i], "sequence numbers increase")
		}
		// One receive of 2: group a's first two (a group's messages come
		// in order, several at once).
		msgs := b.receive(t, "q.fifo", &ReceiveInput{MaxMessages: 2, AttributeNames: []string{"All"}})
		require.Equal(t, []string{"a0", "a1"}, bodies(msgs))
		require.Equal(t, "a", msgs[0].Attributes["MessageGroupId"])
		require.Equal(t, seqs[0], msgs[0].Attributes["SequenceNumber"])
		require.Equal(t, contentDedupID("a0"), msgs[0].Attributes["MessageDeduplicationId"])
		// Group a is locked while a0, a1 are in flight; b is free.
		more := b.receive(t, "q.fifo", &ReceiveInput{MaxMessages: 10})
		require.Equal(t, []string{"b0", "b1", "b2"}, bodies(more))
		require.Empty(t, b.receive(t, "q.fifo", &ReceiveInput{MaxMessages: 10}))
		// Deleting a0 only keeps the group locked (a1 in flight).
		b.deleteMsg(t, "q.fifo", msgs[0].ReceiptHandle)
		require.Empty(t, b.receive(t, "q.fifo", &ReceiveInput{MaxMessages: 10}))
		// a1's visibility ends: it comes back first, before a2.
		b.clock.Advance(30 * time.Second)
		again := b.receive(t, "q.fifo", &ReceiveInput{MaxMessages: 10})
		// Groups come in the order of their first message: b0 was sent
		// before a1.
		require.Equal(t, []string{"b0", "b1", "b2", "a1", "a2"}, bodies(again))
		// A receipt whose visibility ended cannot delete on a FIFO queue.
		_, err := b.svc.Delete(b.ctx, "q.fifo", []HandleEntry{{ReceiptHandle: msgs[1].ReceiptHandle}})
		require.Equal(t, "ReceiptHandleIsInvalid", codeOf(t, err))
	})
}

func bodies(msgs []Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Body
	}
	return out
}

func TestFIFODeduplication(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "q.fifo", fifoAttrs())
		_, err := b.svc.Send(b.ctx, "q.fifo", []SendInput{{Body: "x", GroupID: "g"}})
		require.Equal(t, "InvalidParameterValue", codeOf(t, err), "no dedup id and no content-based deduplication")
		_, err = b.svc.Send(b.ctx, "q.fifo", []SendInput{{Body: "x", DedupID: "d"}})
		require.Equal(t, "MissingParameter", codeOf(t, err))
		_, err = b.svc.Send(b.ctx, "q.fifo", []SendInput{{Body: "x", GroupID: "g", DedupID: "d", DelaySeconds: ptr(1)}})
		require.Equal(t, "InvalidParameterValue", codeOf(t, err))

		first := b.send(t, "q.fifo", SendInput{Body: "x", GroupID: "g", DedupID: "d1"})
		dup := b.send(t, "q.fifo", SendInput{Body: "other", GroupID: "g2", DedupID: "d1"})
		require.Equal(t, first.MessageID, dup.MessageID)
		require.Equal(t, first.SequenceNumber, dup.SequenceNumber)
		b.clock.Advance(5*time.Minute - time.Millisecond)
		dup = b.send(t, "q.fifo", SendInput{Body: "x", GroupID: "g", DedupID: "d1"})
		require.Equal(t, first.MessageID, dup.MessageID)
		b.clock.Advance(time.Millisecond)
		fresh := b.send(t, "q.fifo", SendInput{Body: "x", GroupID: "g", DedupID: "d1"})
		require.NotEqual(t, first.MessageID, fresh.MessageID)
		require.Len(t, b.receive(t, "q.fifo", &ReceiveInput{MaxMessages: 10}), 2)

		// Content-based, scoped per message group.
		b.create(t, "g.fifo", fifoAttrs("ContentBasedDeduplication", "true", "DeduplicationScope", "messageGroup", "FifoThroughputLimit", "perMessageGroupId"))
		a := b.send(t, "g.fifo", SendInput{Body: "same", GroupID: "a"})
		bb := b.send(t, "g.fifo", SendInput{Body: "same", GroupID: "b"})
		a2 := b.send(t, "g.fifo", SendInput{Body: "same", GroupID: "a"})
		require.NotEqual(t, a.MessageID, bb.MessageID)
		require.Equal(t, a.MessageID, a2.MessageID)

		_, err = b.svc.CreateQueue(b.ctx, &CreateInput{Name: "h.fifo", Attributes: fifoAttrs("FifoThroughputLimit", "perMessageGroupId")})
		require.Equal(t, "InvalidAttributeValue", codeOf(t, err), "perMessageGroupId needs DeduplicationScope messageGroup")
	})
}

func TestFIFOReceiveRequestAttempt(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "q.fifo", fifoAttrs("ContentBasedDeduplication", "true"))
		for i := range 3 {
			b.send(t, "q.fifo", SendInput{Body: fmt.Sprint(i), GroupID: fmt.Sprint("g", i)})
		}
		first := b.receive(t, "q.fifo", &ReceiveInput{MaxMessages: 2, ReceiveRequestAttemptID: "try-1"})
		retry := b.receive(t, "q.fifo", &ReceiveInput{MaxMessages: 2, ReceiveRequestAttemptID: "try-1"})
		require.Equal(t, first, retry)
		other := b.receive(t, "q.fifo", &ReceiveInput{MaxMessages: 2, ReceiveRequestAttemptID: "try-2"})
		require.Equal(t, []string{"2"}, bodies(other))
	})
}

// TestFIFOConcurrentConsumers: consumers receiving and deleting at once
// see each group in order, and never two messages of a group in flight.
func TestFIFOConcurrentConsumers(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "q.fifo", fifoAttrs("ContentBasedDeduplication", "true"))
		const groups, per = 4, 15
		var batch []SendInput
		for i := range per {
			for g := range groups {
				batch = append(batch, SendInput{ID: fmt.Sprint("e", len(batch)%10), Body: fmt.Sprintf("%d-%d", g, i), GroupID: strconv.Itoa(g)})
				if len(batch) == 10 {
					res, err := b.svc.Send(b.ctx, "q.fifo", batch)
					require.NoError(t, err)
					for _, r := range res {
						require.Nil(t, r.Err)
					}
					batch = nil
				}
			}
		}
		if len(batch) > 0 {
			_, err := b.svc.Send(b.ctx, "q.fifo", batch)
			require.NoError(t, err)
		}
		var (
			mu       sync.Mutex
			inflight = map[string]bool{}
			seen     = map[string][]int{}
			total    int
			errs     = make(chan error, 8)
			wg       sync.WaitGroup
		)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					msgs, err := b.svc.Receive(b.ctx, "q.fifo", &ReceiveInput{MaxMessages: 3, WaitTimeSeconds: ptr(0), AttributeNames: []string{"MessageGroupId"}})
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					done := total == groups*per
					for _, m := range msgs {
						g := m.Attributes["MessageGroupId"]
						var gi, i int
						fmt.Sscanf(m.Body, "%d-%d", &gi, &i)
						seen[g] = append(seen[g], i)
						total++
					}
					// Several of one group may come in one receive; none
					// while another consumer holds the group.
					for _, g := range groupsOf(msgs) {
						if inflight[g] {
							errs <- fmt.Errorf("group %s received while in flight", g)
						}
						inflight[g] = true
					}
					mu.Unlock()
					if done {
						return
					}
					mu.Lock()
					for _, g := range groupsOf(msgs) {
						inflight[g] = false // before the delete: the group stays locked until it
					}
					mu.Unlock()
					for _, m := range msgs {
						if _, err := b.svc.Delete(b.ctx, "q.fifo", []HandleEntry{{ReceiptHandle: m.ReceiptHandle}}); err != nil {
							errs <- err
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.Equal(t, groups*per, total)
		for g, is := range seen {
			for k, i := range is {
				require.Equal(t, k, i, "group %s out of order: %v", g, is)
			}
		}
	})
}

func groupsOf(msgs []Message) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range msgs {
		g := m.Attributes["MessageGroupId"]
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}

func TestFairQueueGroupOnStandard(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "q", nil)
		b.send(t, "q", SendInput{Body: "x", GroupID: "tenant-1"})
		b.send(t, "q", SendInput{Body: "y", GroupID: "tenant-1"})
		// No ordering lock on a standard queue: both in flight at once.
		msgs := b.receive(t, "q", &ReceiveInput{MaxMessages: 10, AttributeNames: []string{"MessageGroupId"}})
		require.Len(t, msgs, 2)
		require.Equal(t, "tenant-1", msgs[0].Attributes["MessageGroupId"])
		_, err := b.svc.Send(b.ctx, "q", []SendInput{{Body: "x", DedupID: "d"}})
		require.Equal(t, "InvalidParameterValue", codeOf(t, err))
	})
}

var _ = context.Background
