package queue

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCreateGetListDelete(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		q, err := b.svc.CreateQueue(b.ctx, &CreateInput{Name: "orders", Attributes: map[string]string{"VisibilityTimeout": "60"}})
		require.NoError(t, err)
		require.Equal(t, "arn:aws:sqs:us-east-1:123456789012:orders", q.ARN)
		// Idempotent with the same attributes; QueueNameExists with others.
		_, err = b.svc.CreateQueue(b.ctx, &CreateInput{Name: "orders", Attributes: map[string]string{"VisibilityTimeout": "60"}})
		require.NoError(t, err)
		_, err = b.svc.CreateQueue(b.ctx, &CreateInput{Name: "orders", Attributes: map[string]string{"VisibilityTimeout": "61"}})
		require.Equal(t, "QueueNameExists", codeOf(t, err))

		_, err = b.svc.GetQueue(b.ctx, "nope")
		require.Equal(t, "QueueDoesNotExist", codeOf(t, err))

		for i := range 5 {
			b.create(t, fmt.Sprintf("page-%d", i), nil)
		}
		var names []string
		token := ""
		for {
			out, err := b.svc.ListQueues(b.ctx, &ListInput{Prefix: "page-", MaxResults: 2, NextToken: token})
			require.NoError(t, err)
			require.LessOrEqual(t, len(out.Names), 2)
			names = append(names, out.Names...)
			if token = out.NextToken; token == "" {
				break
			}
		}
		require.Equal(t, []string{"page-0", "page-1", "page-2", "page-3", "page-4"}, names)
		all, err := b.svc.ListQueues(b.ctx, &ListInput{})
		require.NoError(t, err)
		require.Len(t, all.Names, 6)
		_, err = b.svc.ListQueues(b.ctx, &ListInput{MaxResults: 1001})
		require.Equal(t, "InvalidParameterValue", codeOf(t, err))

		require.NoError(t, b.svc.DeleteQueue(b.ctx, "orders"))
		_, err = b.svc.GetQueue(b.ctx, "orders")
		require.Equal(t, "QueueDoesNotExist", codeOf(t, err))
		// its name is taken for 60 s, as in AWS
		_, err = b.svc.CreateQueue(b.ctx, &CreateInput{Name: "orders"})
		require.Equal(t, "QueueDeletedRecently", codeOf(t, err))
		b.clock.Advance(59 * time.Second)
		_, err = b.svc.CreateQueue(b.ctx, &CreateInput{Name: "orders"})
		require.Equal(t, "QueueDeletedRecently", codeOf(t, err))
		b.clock.Advance(time.Second)
		b.create(t, "orders", nil)
	})
}

func TestAttributes(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "q", nil)
		got, err := b.svc.GetAttributes(b.ctx, "q", []string{"All"})
		require.NoError(t, err)
		require.Equal(t, "30", got["VisibilityTimeout"])
		require.Equal(t, "1048576", got["MaximumMessageSize"])
		require.Equal(t, "345600", got["MessageRetentionPeriod"])
		require.Equal(t, "0", got["ApproximateNumberOfMessages"])
		require.Equal(t, fmt.Sprint(t0.Unix()), got["CreatedTimestamp"])
		require.Equal(t, "arn:aws:sqs:us-east-1:123456789012:q", got["QueueArn"])

		require.NoError(t, b.svc.SetAttributes(b.ctx, "q", map[string]string{"DelaySeconds": "900", "Policy": `{"Version":"2012-10-17"}`}))
		got, err = b.svc.GetAttributes(b.ctx, "q", []string{"DelaySeconds", "Policy"})
		require.NoError(t, err)
		require.Equal(t, map[string]string{"DelaySeconds": "900", "Policy": `{"Version":"2012-10-17"}`}, got)

		for _, c := range []struct {
			attrs map[string]string
			code  string
		}{
			{map[string]string{"DelaySeconds": "901"}, "InvalidAttributeValue"},
			{map[string]string{"MaximumMessageSize": "1023"}, "InvalidAttributeValue"},
			{map[string]string{"MaximumMessageSize": "1048577"}, "InvalidAttributeValue"},
			{map[string]string{"MessageRetentionPeriod": "59"}, "InvalidAttributeValue"},
			{map[string]string{"VisibilityTimeout": "43201"}, "InvalidAttributeValue"},
			{map[string]string{"ReceiveMessageWaitTimeSeconds": "21"}, "InvalidAttributeValue"},
			{map[string]string{"VisibilityTimeout": "x"}, "InvalidAttributeValue"},
			{map[string]string{"Bogus": "1"}, "InvalidAttributeName"},
			{map[string]string{"ContentBasedDeduplication": "true"}, "InvalidAttributeName"},
			{map[string]string{"FifoQueue": "true"}, "InvalidAttributeName"},
			{map[string]string{"RedrivePolicy": `{"maxReceiveCount":0,"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:d"}`}, "InvalidAttributeValue"},
			{map[string]string{"RedrivePolicy": `{"maxReceiveCount":3,"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:none"}`}, "InvalidParameterValue"},
		} {
			err := b.svc.SetAttributes(b.ctx, "q", c.attrs)
			require.Equal(t, c.code, codeOf(t, err), "%v", c.attrs)
		}
		_, err = b.svc.GetAttributes(b.ctx, "q", []string{"Nope"})
		require.Equal(t, "InvalidAttributeName", codeOf(t, err))

		// Names.
		for _, n := range []string{"", "a b", string(make([]byte, 81)), "x.fifo"} {
			_, err := b.svc.CreateQueue(b.ctx, &CreateInput{Name: n})
			require.Equal(t, "InvalidParameterValue", codeOf(t, err), "%q", n)
		}
		_, err = b.svc.CreateQueue(b.ctx, &CreateInput{Name: "x", Attributes: map[string]string{"FifoQueue": "true"}})
		require.Equal(t, "InvalidParameterValue", codeOf(t, err))
	})
}

func TestTags(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		_, err := b.svc.CreateQueue(b.ctx, &CreateInput{Name: "q", Tags: map[string]string{"a": "1"}})
		require.NoError(t, err)
		require.NoError(t, b.svc.TagQueue(b.ctx, "q", map[string]string{"b": "2"}))
		require.NoError(t, b.svc.UntagQueue(b.ctx, "q", []string{"a"}))
		tags, err := b.svc.ListTags(b.ctx, "q")
		require.NoError(t, err)
		require.Equal(t, map[string]string{"b": "2"}, tags)
		many := map[string]string{}
		for i := range 50 {
			many[fmt.Sprint("k", i)] = "v"
		}
		require.Equal(t, "InvalidParameterValue", codeOf(t, b.svc.TagQueue(b.ctx, "q", many)))
		require.Equal(t, "QueueDoesNotExist", codeOf(t, b.svc.TagQueue(b.ctx, "none", map[string]string{"a": "b"})))
	})
}

func TestSendReceiveDelete(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "q", nil)
		sent := b.send(t, "q", SendInput{Body: "hello", Attributes: map[string]MessageAttribute{"k": {DataType: "String", StringValue: "v"}}})
		require.Equal(t, md5Hex([]byte("hello")), sent.MD5OfBody)
		require.NotEmpty(t, sent.MD5OfAttributes)

		msgs := b.receive(t, "q", &ReceiveInput{MaxMessages: 10, AttributeNames: []string{"All"}, MessageAttributeNames: []string{"All"}})
		require.Len(t, msgs, 1)
		m := msgs[0]
		require.Equal(t, sent.MessageID, m.MessageID)
		require.Equal(t, "hello", m.Body)
		require.Equal(t, sent.MD5OfAttributes, m.MD5OfMessageAttributes)
		require.Equal(t, "1", m.Attributes["ApproximateReceiveCount"])
		require.Equal(t, fmt.Sprint(t0.UnixMilli()), m.Attributes["SentTimestamp"])
		require.Equal(t, "123456789012", m.Attributes["SenderId"])

		// Invisible now.
		require.Empty(t, b.receive(t, "q", &ReceiveInput{}))
		got, err := b.svc.GetAttributes(b.ctx, "q", []string{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"})
		require.NoError(t, err)
		require.Equal(t, map[string]string{"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "1"}, got)

		b.deleteMsg(t, "q", m.ReceiptHandle)
		b.clock.Advance(time.Hour)
		require.Empty(t, b.receive(t, "q", &ReceiptInputAll))
		// Deleting again succeeds.
		b.deleteMsg(t, "q", m.ReceiptHandle)
		_, err = b.svc.Delete(b.ctx, "q", []HandleEntry{{ReceiptHandle: "garbage"}})
		require.Equal(t, "ReceiptHandleIsInvalid", codeOf(t, err))
	})
}

var ReceiptInputAll = ReceiveInput{MaxMessages: 10}

func TestVisibilityExpiryAndRedelivery(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "q", map[string]string{"VisibilityTimeout": "30"})
		b.send(t, "q", SendInput{Body: "x"})
		first := b.receive(t, "q", &ReceiveInput{AttributeNames: []string{"ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"}})
		require.Len(t, first, 1)
		b.clock.Advance(29 * time.Second)
		require.Empty(t, b.receive(t, "q", &ReceiveInput{}))
		b.clock.Advance(time.Second)
		second := b.receive(t, "q", &ReceiveInput{AttributeNames: []string{"All"}})
		require.Len(t, second, 1)
		require.Equal(t, "2", second[0].Attributes["ApproximateReceiveCount"])
		require.Equal(t, first[0].Attributes["ApproximateFirstReceiveTimestamp"], second[0].Attributes["ApproximateFirstReceiveTimestamp"])
		require.NotEqual(t, first[0].ReceiptHandle, second[0].ReceiptHandle)

		// The old handle: ChangeMessageVisibility refuses it; Delete
		// succeeds without deleting (AWS: the latest handle only).
		_, err := b.svc.ChangeVisibility(b.ctx, "q", []HandleEntry{{ReceiptHandle: first[0].ReceiptHandle, VisibilityTimeout: 10}})
		require.Equal(t, "MessageNotInflight", codeOf(t, err))
		b.deleteMsg(t, "q", first[0].ReceiptHandle)
		st, err := b.st.QueueStats(b.ctx, "q", b.clock.Now())
		require.NoError(t, err)
		require.EqualValues(t, 1, st.NotVisible)

		// Visibility override on receive, then ChangeVisibility to 0.
		b.clock.Advance(30 * time.Second)
		third := b.receive(t, "q", &ReceiveInput{VisibilityTimeout: ptr(100)})
		require.Len(t, third, 1)
		b.clock.Advance(99 * time.Second)
		require.Empty(t, b.receive(t, "q", &ReceiveInput{}))
		_, err = b.svc.ChangeVisibility(b.ctx, "q", []HandleEntry{{ReceiptHandle: third[0].ReceiptHandle, VisibilityTimeout: 0}})
		require.NoError(t, err)
		fourth := b.receive(t, "q", &ReceiveInput{})
		require.Len(t, fourth, 1)
		// Extending past 12 hours since the receive is refused.
		_, err = b.svc.ChangeVisibility(b.ctx, "q", []HandleEntry{{ReceiptHandle: fourth[0].ReceiptHandle, VisibilityTimeout: 43200}})
		require.NoError(t, err)
		b.clock.Advance(time.Hour)
		_, err = b.svc.ChangeVisibility(b.ctx, "q", []HandleEntry{{ReceiptHandle: fourth[0].ReceiptHandle, VisibilityTimeout: 43200}})
		require.Equal(t, "InvalidParameterValue", codeOf(t, err))
		b.deleteMsg(t, "q", fourth[0].ReceiptHandle)
		_, err = b.svc.ChangeVisibility(b.ctx, "q", []HandleEntry{{ReceiptHandle: fourth[0].ReceiptHandle, VisibilityTimeout: 5}})
		require.Equal(t, "ReceiptHandleIsInvalid", codeOf(t, err))
	})
}

func TestDelays(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "q", map[string]string{"DelaySeconds": "10"})
		b.send(t, "q", SendInput{Body: "queue-delay"})
		b.send(t, "q", SendInput{Body: "no-delay", DelaySeconds: ptr(0)})
		b.send(t, "q", SendInput{Body: "long", DelaySeconds: ptr(60)})
		got, err := b.svc.GetAttributes(b.ctx, "q", []string{"ApproximateNumberOfMessagesDelayed"})
		require.NoError(t, err)
		require.Equal(t, "2", got["ApproximateNumberOfMessagesDelayed"])
		msgs := b.receive(t, "q", &ReceiveInput{MaxMessages: 10})
		require.Len(t, msgs, 1)
		require.Equal(t, "no-delay", msgs[0].Body)
		b.deleteMsg(t, "q", msgs[0].ReceiptHandle)
		b.clock.Advance(10 * time.Second)
		msgs = b.receive(t, "q", &ReceiveInput{MaxMessages: 10})
		require.Len(t, msgs, 1)
		require.Equal(t, "queue-delay", msgs[0].Body)
		b.deleteMsg(t, "q", msgs[0].ReceiptHandle)
		b.clock.Advance(50 * time.Second)
		msgs = b.receive(t, "q", &ReceiveInput{MaxMessages: 10})
		require.Len(t, msgs, 1)
		require.Equal(t, "long", msgs[0].Body)
		_, err = b.svc.Send(b.ctx, "q", []SendInput{{Body: "x", DelaySeconds: ptr(901)}})
		require.Equal(t, "InvalidParameterValue", codeOf(t, err))
	})
}

func TestRetention(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "q", map[string]string{"MessageRetentionPeriod": "60"})
		b.send(t, "q", SendInput{Body: "old"})
		b.clock.Advance(30 * time.Second)
		b.send(t, "q", SendInput{Body: "young"})
		b.clock.Advance(30 * time.Second)
		msgs := b.receive(t, "q", &ReceiveInput{MaxMessages: 10})
		require.Len(t, msgs, 1)
		require.Equal(t, "young", msgs[0].Body)
		st, err := b.st.QueueStats(b.ctx, "q", b.clock.Now())
		require.NoError(t, err)
		require.EqualValues(t, 1, st.NotVisible+st.Visible+st.Delayed)
	})
}

// Retention for messages a receive took: one in flight past its retention
// (sent for now, so in no retention index) is never delivered again and
// is removed when its visibility timeout ends, its receipt still deleting
// nothing harmful; one put back by its visibility timeout expires on
// time. A delayed message's retention runs from its send.
func TestRetentionAfterReceive(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		depth := func() int64 {
			t.Helper()
			st, err := b.st.QueueStats(b.ctx, "q", b.clock.Now())
			require.NoError(t, err)
			return st.NotVisible + st.Visible + st.Delayed
		}
		b.create(t, "q", map[string]string{"MessageRetentionPeriod": "60"})
		b.send(t, "q", SendInput{Body: "held"})
		held := b.receive(t, "q", &ReceiveInput{VisibilityTimeout: ptr(120)})
		require.Len(t, held, 1)
		b.clock.Advance(61 * time.Second)
		b.send(t, "q", SendInput{Body: "back"}) // t0 + 61 s
		require.EqualValues(t, 2, depth(), "in flight, the expired message waits for its visibility end")
		back := b.receive(t, "q", &ReceiveInput{VisibilityTimeout: ptr(10)})
		require.Len(t, back, 1)
		require.Equal(t, "back", back[0].Body)
		b.clock.Advance(20 * time.Second) // t0 + 81 s: "back"'s visibility ended at t0 + 71 s
		require.NoError(t, b.svc.Sweep(b.ctx))
		require.EqualValues(t, 2, depth(), "put back")
		b.clock.Advance(39 * time.Second) // t0 + 120 s: "held"'s visibility ends
		require.NoError(t, b.svc.Sweep(b.ctx))
		require.EqualValues(t, 1, depth(), "the message in flight past its retention went at its visibility end")
		b.clock.Advance(time.Second) // t0 + 121 s: "back"'s retention ends
		require.NoError(t, b.svc.Sweep(b.ctx))
		require.EqualValues(t, 0, depth(), "the message put back went at its retention end")
		require.Empty(t, b.receive(t, "q", &ReceiveInput{}))
		b.deleteMsg(t, "q", held[0].ReceiptHandle)

		b.send(t, "q", SendInput{Body: "late", DelaySeconds: ptr(30)})
		b.clock.Advance(59 * time.Second)
		require.EqualValues(t, 1, depth())
		b.clock.Advance(time.Second)
		require.NoError(t, b.svc.Sweep(b.ctx))
		require.EqualValues(t, 0, depth(), "a delayed message's retention runs from its send")
	})
}

// A message past its retention that ChangeMessageVisibility puts back (a
// timeout of 0) joins the retention index and lowers the sweep's bound:
// the next sweep removes it, though the bound was past its retention end.
func TestRetentionPutBack(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "q", map[string]string{"MessageRetentionPeriod": "60"})
		b.send(t, "q", SendInput{Body: "a"})
		msgs := b.receive(t, "q", &ReceiveInput{VisibilityTimeout: ptr(100)})
		require.Len(t, msgs, 1)
		b.clock.Advance(60 * time.Second)
		require.NoError(t, b.svc.Sweep(b.ctx)) // the bound becomes the visibility end, t0 + 100 s
		b.clock.Advance(time.Second)
		_, err := b.svc.ChangeVisibility(b.ctx, "q", []HandleEntry{{ReceiptHandle: msgs[0].ReceiptHandle, VisibilityTimeout: 0}})
		require.NoError(t, err)
		require.NoError(t, b.svc.Sweep(b.ctx))
		st, err := b.st.QueueStats(b.ctx, "q", b.clock.Now())
		require.NoError(t, err)
		require.EqualValues(t, 0, st.NotVisible+st.Visible+st.Delayed)
	})
}

// The sweep runs only once something is due (the record's #due): a
// retention period shortened after the send, and a visibility timeout
// shortened by ChangeMessageVisibility, are honoured on time all the same.
func TestSweepBoundMovesEarlier(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "q", nil)
		b.send(t, "q", SendInput{Body: "old"}) // #due: its retention end, 4 days on
		require.NoError(t, b.svc.SetAttributes(b.ctx, "q", map[string]string{"MessageRetentionPeriod": "60"}))
		b.clock.Advance(60 * time.Second)
		b.send(t, "q", SendInput{Body: "young"})
		st, err := b.st.QueueStats(b.ctx, "q", b.clock.Now())
		require.NoError(t, err)
		require.EqualValues(t, 1, st.NotVisible+st.Visible+st.Delayed, "the send's sweep removed the old message")

		msgs := b.receive(t, "q", &ReceiveInput{VisibilityTimeout: ptr(100)})
		require.Len(t, msgs, 1)
		require.Equal(t, "young", msgs[0].Body)
		_, err = b.svc.ChangeVisibility(b.ctx, "q", []HandleEntry{{ReceiptHandle: msgs[0].ReceiptHandle, VisibilityTimeout: 5}})
		require.NoError(t, err)
		b.clock.Advance(4 * time.Second)
		require.Empty(t, b.receive(t, "q", &ReceiveInput{}))
		b.clock.Advance(time.Second)
		again := b.receive(t, "q", &ReceiveInput{})
		require.Len(t, again, 1)
		require.Equal(t, "young", again[0].Body)
	})
}

func TestPurge(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "q", nil)
		for range 3 {
			b.send(t, "q", SendInput{Body: "x"})
		}
		require.NoError(t, b.svc.PurgeQueue(b.ctx, "q"))
		require.Empty(t, b.receive(t, "q", &ReceiveInput{MaxMessages: 10}))
		require.Equal(t, "PurgeQueueInProgress", codeOf(t, b.svc.PurgeQueue(b.ctx, "q")))
		b.clock.Advance(time.Minute)
		require.NoError(t, b.svc.PurgeQueue(b.ctx, "q"))
	})
}

func TestBatches(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "q", map[string]string{"MaximumMessageSize": "1024"})
		_, err := b.svc.Send(b.ctx, "q", nil)
		require.Equal(t, "EmptyBatchRequest", codeOf(t, err))
		eleven := make([]SendInput, 11)
		for i := range eleven {
			eleven[i] = SendInput{ID: fmt.Sprint("e", i), Body: "x"}
		}
		_, err = b.svc.Send(b.ctx, "q", eleven)
		require.Equal(t, "TooManyEntriesInBatchRequest", codeOf(t, err))
		_, err = b.svc.Send(b.ctx, "q", []SendInput{{ID: "a", Body: "x"}, {ID: "a", Body: "y"}})
		require.Equal(t, "BatchEntryIdsNotDistinct", codeOf(t, err))
		_, err = b.svc.Send(b.ctx, "q", []SendInput{{ID: "a!", Body: "x"}})
		require.Equal(t, "InvalidBatchEntryId", codeOf(t, err))
		body := fmt.Sprintf("%0600d", 0)
		_, err = b.svc.Send(b.ctx, "q", []SendInput{{ID: "a", Body: body}, {ID: "b", Body: body}})
		require.Equal(t, "BatchRequestTooLong", codeOf(t, err))

		// Per-entry errors; the good entries are sent.
		res, err := b.svc.Send(b.ctx, "q", []SendInput{{ID: "ok", Body: "fine"}, {ID: "bad", Body: "\x01"}, {ID: "attr", Body: "x",
			Attributes: map[string]MessageAttribute{"AWS.x": {DataType: "String", StringValue: "v"}}}})
		require.NoError(t, err)
		require.Nil(t, res[0].Err)
		require.Equal(t, "InvalidMessageContents", res[1].Err.Code)
		require.Equal(t, "InvalidParameterValue", res[2].Err.Code)

		msgs := b.receive(t, "q", &ReceiveInput{MaxMessages: 10})
		require.Len(t, msgs, 1)
		dres, err := b.svc.Delete(b.ctx, "q", []HandleEntry{{ID: "1", ReceiptHandle: msgs[0].ReceiptHandle}, {ID: "2", ReceiptHandle: "bad"}})
		require.NoError(t, err)
		require.Nil(t, dres[0].Err)
		require.Equal(t, "ReceiptHandleIsInvalid", dres[1].Err.Code)
	})
}

func TestMaxQueues(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	b.svc = New(b.st, Config{Now: b.clock.Now, MaxQueues: 2})
	b.create(t, "a", nil)
	b.create(t, "b", nil)
	b.create(t, "b", nil) // an existing one is fine
	_, err := b.svc.CreateQueue(b.ctx, &CreateInput{Name: "c"})
	require.Equal(t, "OverLimit", codeOf(t, err))
}

// TestStandardBestEffortOrder: messages sent together come back in the
// order sent (AWS promises best-effort ordering only).
func TestStandardBestEffortOrder(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, b *testBundle) {
		b.create(t, "q", nil)
		var batch []SendInput
		var want []string
		for i := range 10 {
			batch = append(batch, SendInput{ID: fmt.Sprint("e", i), Body: fmt.Sprint("m", i)})
			want = append(want, fmt.Sprint("m", i))
		}
		_, err := b.svc.Send(b.ctx, "q", batch)
		require.NoError(t, err)
		require.Equal(t, want, bodies(b.receive(t, "q", &ReceiveInput{MaxMessages: 10})))
		got, err := b.svc.GetAttributes(b.ctx, "q", []string{"ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"})
		require.NoError(t, err)
		require.Equal(t, map[string]string{"ApproximateNumberOfMessagesNotVisible": "10", "ApproximateNumberOfMessagesDelayed": "0"}, got)
	})
}
