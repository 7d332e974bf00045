package queue

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/store"
)

const arnPrefix = "arn:aws:sqs:us-east-1:123456789012:"

// deadLettered sends n messages to src and makes them dead letters of its
// queue (maxReceiveCount 1).
func (b *testBundle) deadLettered(t *testing.T, src string, n int) {
	t.Helper()
	for i := range n {
		b.send(t, src, SendInput{Body: fmt.Sprint(src, "-", i)})
	}
	for got := 0; got < n; {
		got += len(b.receive(t, src, &ReceiveInput{MaxMessages: 10, VisibilityTimeout: ptr(1)}))
	}
	b.clock.Advance(time.Second)
	require.Empty(t, b.receive(t, src, &ReceiveInput{MaxMessages: 10}))
}

func TestMoveTaskBackToSources(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "dlq", nil)
		b.create(t, "a", map[string]string{"RedrivePolicy": redrive("dlq", 1)})
		b.create(t, "b", map[string]string{"RedrivePolicy": redrive("dlq", 1)})
		b.deadLettered(t, "a", 3)
		b.deadLettered(t, "b", 2)

		_, err := b.svc.StartMoveTask(b.ctx, &MoveTaskInput{SourceARN: arnPrefix + "a"})
		require.Equal(t, "InvalidParameterValue", codeOf(t, err), "not a dead-letter queue")
		_, err = b.svc.StartMoveTask(b.ctx, &MoveTaskInput{SourceARN: arnPrefix + "dlq", MaxNumberOfMessagesPerSecond: 501})
		require.Equal(t, "InvalidParameterValue", codeOf(t, err))

		handle, err := b.svc.StartMoveTask(b.ctx, &MoveTaskInput{SourceARN: arnPrefix + "dlq"})
		require.NoError(t, err)
		require.NotEmpty(t, handle)
		b.svc.tasks.Wait()

		tasks, err := b.svc.ListMoveTasks(b.ctx, arnPrefix+"dlq", 10)
		require.NoError(t, err)
		require.Len(t, tasks, 1)
		require.Equal(t, "COMPLETED", tasks[0].Status)
		require.EqualValues(t, 5, tasks[0].ApproximateNumberOfMessagesMoved)
		require.EqualValues(t, 5, tasks[0].ApproximateNumberOfMessagesToMove)
		require.Empty(t, tasks[0].TaskHandle)

		require.ElementsMatch(t, []string{"a-0", "a-1", "a-2"}, bodies(b.receive(t, "a", &ReceiveInput{MaxMessages: 10})))
		require.ElementsMatch(t, []string{"b-0", "b-1"}, bodies(b.receive(t, "b", &ReceiveInput{MaxMessages: 10})))
		require.Empty(t, b.receive(t, "dlq", &ReceiveInput{MaxMessages: 10}))

		_, err = b.svc.CancelMoveTask(b.ctx, handle)
		require.Equal(t, "UnsupportedOperation", codeOf(t, err), "only running tasks")
		_, err = b.svc.CancelMoveTask(b.ctx, "bogus")
		require.Equal(t, "ResourceNotFoundException", codeOf(t, err))
	})
}

func TestMoveTaskToDestination(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "dlq", nil)
		b.create(t, "a", map[string]string{"RedrivePolicy": redrive("dlq", 1)})
		b.create(t, "elsewhere", nil)
		b.deadLettered(t, "a", 2)
		_, err := b.svc.StartMoveTask(b.ctx, &MoveTaskInput{SourceARN: arnPrefix + "dlq", DestinationARN: arnPrefix + "elsewhere", MaxNumberOfMessagesPerSecond: 100})
		require.NoError(t, err)
		b.svc.tasks.Wait()
		require.Len(t, b.receive(t, "elsewhere", &ReceiveInput{MaxMessages: 10}), 2)
		require.Empty(t, b.receive(t, "a", &ReceiveInput{MaxMessages: 10}))
	})
}

// TestMoveTaskOneAtATimeAndCancel: a second task of a source is refused
// while one runs; cancelling ends it CANCELLED.
func TestMoveTaskOneAtATimeAndCancel(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "dlq", nil)
		b.create(t, "a", map[string]string{"RedrivePolicy": redrive("dlq", 1)})
		b.deadLettered(t, "a", 20)
		// One message a second: 20 s, far longer than the test.
		handle, err := b.svc.StartMoveTask(b.ctx, &MoveTaskInput{SourceARN: arnPrefix + "dlq", MaxNumberOfMessagesPerSecond: 1})
		require.NoError(t, err)
		_, err = b.svc.StartMoveTask(b.ctx, &MoveTaskInput{SourceARN: arnPrefix + "dlq"})
		require.Equal(t, "UnsupportedOperation", codeOf(t, err))
		tasks, err := b.svc.ListMoveTasks(b.ctx, arnPrefix+"dlq", 1)
		require.NoError(t, err)
		require.Equal(t, handle, tasks[0].TaskHandle)
		_, err = b.svc.CancelMoveTask(b.ctx, handle)
		require.NoError(t, err)
		b.svc.tasks.Wait()
		tasks, err = b.svc.ListMoveTasks(b.ctx, arnPrefix+"dlq", 1)
		require.NoError(t, err)
		require.Equal(t, "CANCELLED", tasks[0].Status)
		require.Less(t, tasks[0].ApproximateNumberOfMessagesMoved, int64(20))
		// A new one may start now.
		_, err = b.svc.StartMoveTask(b.ctx, &MoveTaskInput{SourceARN: arnPrefix + "dlq"})
		require.NoError(t, err)
		b.svc.tasks.Wait()
	})
}

// TestMoveTaskOfDeadProcess: a task whose process stopped (its lease
// passed) is taken over by a sweeper and finished from the count it had
// moved; while its lease holds it blocks a new task; one whose lease
// passed does not (the new task ends it FAILED).
func TestMoveTaskOfDeadProcess(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "dlq", nil)
		b.create(t, "a", map[string]string{"RedrivePolicy": redrive("dlq", 1)})
		b.deadLettered(t, "a", 3)
		now := b.clock.Now()
		// A task another process started, moved one message of, and died.
		id := newUUID()
		require.NoError(t, b.st.QueueMoveTaskStart(b.ctx, &store.MoveTaskRecord{ID: id, Source: "dlq", Status: store.MoveRunning,
			SourceARN: arnPrefix + "dlq", ToMove: 4, Moved: 1, Started: now, Owner: "gone", Lease: now.Add(moveLease)}, now))
		_, err := b.svc.StartMoveTask(b.ctx, &MoveTaskInput{SourceARN: arnPrefix + "dlq"})
		require.Equal(t, "UnsupportedOperation", codeOf(t, err))
		require.NoError(t, b.svc.Sweep(b.ctx)) // its lease holds: not taken over
		tasks, err := b.svc.ListMoveTasks(b.ctx, arnPrefix+"dlq", 1)
		require.NoError(t, err)
		require.Equal(t, "RUNNING", tasks[0].Status)

		b.clock.Advance(moveLease)
		require.NoError(t, b.svc.Sweep(b.ctx)) // taken over, run here
		b.svc.tasks.Wait()
		tasks, err = b.svc.ListMoveTasks(b.ctx, arnPrefix+"dlq", 1)
		require.NoError(t, err)
		require.Equal(t, "COMPLETED", tasks[0].Status)
		require.EqualValues(t, 4, tasks[0].ApproximateNumberOfMessagesMoved, "1 before the crash, 3 after")
		require.Len(t, b.receive(t, "a", &ReceiveInput{MaxMessages: 10}), 3)

		// a task whose lease passed does not block a new one, which ends it
		b.deadLettered(t, "a", 1)
		now = b.clock.Now()
		require.NoError(t, b.st.QueueMoveTaskStart(b.ctx, &store.MoveTaskRecord{ID: newUUID(), Source: "dlq", Status: store.MoveRunning,
			SourceARN: arnPrefix + "dlq", ToMove: 1, Started: now, Owner: "gone", Lease: now.Add(moveLease)}, now))
		b.clock.Advance(moveLease)
		_, err = b.svc.StartMoveTask(b.ctx, &MoveTaskInput{SourceARN: arnPrefix + "dlq"})
		require.NoError(t, err)
		b.svc.tasks.Wait()
		tasks, err = b.svc.ListMoveTasks(b.ctx, arnPrefix+"dlq", 2)
		require.NoError(t, err)
		require.Equal(t, "COMPLETED", tasks[0].Status)
		require.Equal(t, "FAILED", tasks[1].Status)
		require.Equal(t, "The process running the task stopped.", tasks[1].FailureReason)
	})
}
