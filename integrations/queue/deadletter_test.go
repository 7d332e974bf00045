package queue

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func redrive(target string, max int) string {
	return fmt.Sprintf(`{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:%s","maxReceiveCount":%d}`, target, max)
}

func TestDeadLetterAfterMaxReceiveCount(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "dlq", nil)
		b.create(t, "src", map[string]string{"RedrivePolicy": redrive("dlq", 2), "VisibilityTimeout": "10"})
		sent := b.send(t, "src", SendInput{Body: "poison", Attributes: map[string]MessageAttribute{"k": {DataType: "Number", StringValue: "1"}}})
		for i := range 2 {
			msgs := b.receive(t, "src", &ReceiveInput{})
			require.Len(t, msgs, 1, "receive %d", i+1)
			b.clock.Advance(10 * time.Second)
		}
		// The third receive would exceed 2: the message moves instead.
		require.Empty(t, b.receive(t, "src", &ReceiveInput{}))
		msgs := b.receive(t, "dlq", &ReceiveInput{AttributeNames: []string{"All"}, MessageAttributeNames: []string{"All"}})
		require.Len(t, msgs, 1)
		m := msgs[0]
		require.Equal(t, sent.MessageID, m.MessageID)
		require.Equal(t, "poison", m.Body)
		require.Equal(t, sent.MD5OfAttributes, m.MD5OfMessageAttributes)
		require.Equal(t, "arn:aws:sqs:us-east-1:123456789012:src", m.Attributes["DeadLetterQueueSourceArn"])
		require.Equal(t, fmt.Sprint(t0.UnixMilli()), m.Attributes["SentTimestamp"], "a standard queue keeps the enqueue time")
		require.Equal(t, "1", m.Attributes["ApproximateReceiveCount"])

		srcs, err := b.svc.DeadLetterSources(b.ctx, "dlq", &ListInput{})
		require.NoError(t, err)
		require.Equal(t, []string{"src"}, srcs.Names)
	})
}

func TestRedrivePolicyRules(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "dlq", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"byQueue","sourceQueueArns":["arn:aws:sqs:us-east-1:123456789012:ok"]}`})
		b.create(t, "deny", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"denyAll"}`})
		b.create(t, "f.fifo", fifoAttrs())
		_, err := b.svc.CreateQueue(b.ctx, &CreateInput{Name: "ok", Attributes: map[string]string{"RedrivePolicy": redrive("dlq", 3)}})
		require.NoError(t, err)
		_, err = b.svc.CreateQueue(b.ctx, &CreateInput{Name: "other", Attributes: map[string]string{"RedrivePolicy": redrive("dlq", 3)}})
		require.Equal(t, "InvalidParameterValue", codeOf(t, err), "not in byQueue's list")
		_, err = b.svc.CreateQueue(b.ctx, &CreateInput{Name: "other", Attributes: map[string]string{"RedrivePolicy": redrive("deny", 3)}})
		require.Equal(t, "InvalidParameterValue", codeOf(t, err), "denyAll")
		_, err = b.svc.CreateQueue(b.ctx, &CreateInput{Name: "other", Attributes: map[string]string{"RedrivePolicy": redrive("f.fifo", 3)}})
		require.Equal(t, "InvalidParameterValue", codeOf(t, err), "FIFO target of a standard queue")
		for _, p := range []string{`{"maxReceiveCount":1001,"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dlq"}`, `{"deadLetterTargetArn":"x","maxReceiveCount":1}`, `[]`, `{"maxReceiveCount":"5"}`} {
			_, err = b.svc.CreateQueue(b.ctx, &CreateInput{Name: "other", Attributes: map[string]string{"RedrivePolicy": p}})
			require.Equal(t, "InvalidAttributeValue", codeOf(t, err), p)
		}
		// maxReceiveCount as a string, as AWS takes it.
		require.NoError(t, b.svc.SetAttributes(b.ctx, "ok", map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:dlq","maxReceiveCount":"5"}`}))
		// Removing the policy removes the source.
		require.NoError(t, b.svc.SetAttributes(b.ctx, "ok", map[string]string{"RedrivePolicy": ""}))
		srcs, err := b.svc.DeadLetterSources(b.ctx, "dlq", &ListInput{})
		require.NoError(t, err)
		require.Empty(t, srcs.Names)
	})
}

func TestDeadLetterSourcesPages(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "dlq", nil)
		for i := range 5 {
			b.create(t, fmt.Sprint("s", i), map[string]string{"RedrivePolicy": redrive("dlq", 1)})
		}
		var all []string
		token := ""
		for {
			out, err := b.svc.DeadLetterSources(b.ctx, "dlq", &ListInput{MaxResults: 2, NextToken: token})
			require.NoError(t, err)
			all = append(all, out.Names...)
			if token = out.NextToken; token == "" {
				break
			}
		}
		require.Equal(t, []string{"s0", "s1", "s2", "s3", "s4"}, all)
	})
}

// TestFIFODeadLetter: a FIFO queue's message resets its enqueue time in
// its dead-letter queue, and the group behind it moves on.
func TestFIFODeadLetter(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "dlq.fifo", fifoAttrs())
		b.create(t, "q.fifo", fifoAttrs("ContentBasedDeduplication", "true", "RedrivePolicy", redrive("dlq.fifo", 1), "VisibilityTimeout", "5"))
		b.send(t, "q.fifo", SendInput{Body: "1", GroupID: "g"})
		b.send(t, "q.fifo", SendInput{Body: "2", GroupID: "g"})
		require.Equal(t, []string{"1"}, bodies(b.receive(t, "q.fifo", &ReceiveInput{})))
		b.clock.Advance(5 * time.Second)
		require.Equal(t, []string{"2"}, bodies(b.receive(t, "q.fifo", &ReceiveInput{})))
		msgs := b.receive(t, "dlq.fifo", &ReceiveInput{AttributeNames: []string{"SentTimestamp", "MessageGroupId"}})
		require.Equal(t, []string{"1"}, bodies(msgs))
		require.Equal(t, fmt.Sprint(b.clock.Now().UnixMilli()), msgs[0].Attributes["SentTimestamp"])
		require.Equal(t, "g", msgs[0].Attributes["MessageGroupId"])
	})
}

// TestDeadListHandedOnBySweep: messages a receive moved to the dead list
// but did not hand on (a process died between the steps) reach the
// dead-letter queue at the next Sweep.
func TestDeadListHandedOnBySweep(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "dlq", nil)
		b.create(t, "src", map[string]string{"RedrivePolicy": redrive("dlq", 1), "VisibilityTimeout": "1"})
		b.send(t, "src", SendInput{Body: "x"})
		require.Len(t, b.receive(t, "src", &ReceiveInput{}), 1)
		b.clock.Advance(time.Second)
		// The store's receive alone: the first step.
		res, err := b.st.QueueReceive(b.ctx, receiveParams("src", b.clock.Now()))
		require.NoError(t, err)
		require.Empty(t, res.Messages)
		require.Equal(t, 1, res.Dead)
		require.Empty(t, b.receive(t, "dlq", &ReceiveInput{}))
		require.NoError(t, b.svc.Sweep(b.ctx))
		require.Equal(t, []string{"x"}, bodies(b.receive(t, "dlq", &ReceiveInput{})))
		// Handing on twice adds nothing.
		require.NoError(t, b.svc.Sweep(b.ctx))
		st, err := b.st.QueueStats(b.ctx, "dlq", b.clock.Now())
		require.NoError(t, err)
		require.EqualValues(t, 1, st.Visible+st.NotVisible)
	})
}

// TestSweeper: the background sweeper hands a dead list on with no
// receive of the queue; Start and Stop are idempotent.
func TestSweeper(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	b.create(t, "dlq", nil)
	b.create(t, "src", map[string]string{"RedrivePolicy": redrive("dlq", 1), "VisibilityTimeout": "1"})
	b.send(t, "src", SendInput{Body: "x"})
	require.Len(t, b.receive(t, "src", &ReceiveInput{}), 1)
	b.clock.Advance(time.Second)
	_, err := b.st.QueueReceive(b.ctx, receiveParams("src", b.clock.Now()))
	require.NoError(t, err)
	b.svc.StartSweeper(10 * time.Millisecond)
	b.svc.StartSweeper(10 * time.Millisecond)
	msgs, err := b.svc.Receive(b.ctx, "dlq", &ReceiveInput{WaitTimeSeconds: ptr(20)})
	require.NoError(t, err)
	require.Equal(t, []string{"x"}, bodies(msgs))
	b.svc.StopSweeper()
	b.svc.StopSweeper()
}

// TestDeadLetterQueueGone: with its dead-letter queue deleted, a queue's
// receives go on; the dead messages wait in the dead list and reach a
// dead-letter queue created again.
func TestDeadLetterQueueGone(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "dlq", nil)
		b.create(t, "src", map[string]string{"RedrivePolicy": redrive("dlq", 1), "VisibilityTimeout": "1"})
		require.NoError(t, b.svc.DeleteQueue(b.ctx, "dlq"))
		b.send(t, "src", SendInput{Body: "x"})
		require.Len(t, b.receive(t, "src", &ReceiveInput{}), 1)
		b.clock.Advance(time.Second)
		b.send(t, "src", SendInput{Body: "y"})
		require.Equal(t, []string{"y"}, bodies(b.receive(t, "src", &ReceiveInput{MaxMessages: 10})))
		b.clock.Advance(time.Minute) // a deleted queue's name is free again after 60 s
		b.create(t, "dlq", nil)
		require.NoError(t, b.svc.Sweep(b.ctx))
		require.Equal(t, []string{"x"}, bodies(b.receive(t, "dlq", &ReceiveInput{})))
	})
}
