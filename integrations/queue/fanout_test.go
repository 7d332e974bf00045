package queue

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// A Fanout prepares for each queue what Prepare does, a new message id
// each (a random UUID, made ahead in batches: fewer queues expected than
// come), whichever of the queues' configurations comes first, and refuses
// where Prepare refuses.
func TestFanoutPreparesAsPrepare(t *testing.T) {
	t.Parallel()
	b := setup(t, "")
	b.create(t, "plain-a", nil)
	b.create(t, "plain-b", nil)
	b.create(t, "late", map[string]string{"DelaySeconds": "7"})
	b.create(t, "small", map[string]string{"MaximumMessageSize": "1024"})
	b.create(t, "f.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	in := &SendInput{Body: string(repeat('x', 2000)), GroupID: "g", SenderID: "123456789012",
		Attributes:       map[string]MessageAttribute{"color": {DataType: "String", StringValue: "red"}},
		SystemAttributes: map[string]MessageAttribute{"AWSTraceHeader": {DataType: "String", StringValue: "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"}}}
	now := b.clock.Now()
	f := b.svc.Fanout(in, now, 3)
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	ids := map[string]bool{}
	for _, name := range []string{"plain-a", "late", "small", "plain-b", "f.fifo", "plain-a", "small", "late"} {
		got, gotOK := f.Prepare(b.ctx, name)
		want, wantOK := b.svc.Prepare(b.ctx, name, in, now)
		require.Equal(t, wantOK, gotOK, name)
		if !wantOK {
			continue
		}
		require.False(t, ids[got.Message.ID], "a new id for each copy")
		require.Regexp(t, uuid, got.Message.ID)
		ids[got.Message.ID] = true
		require.NotEqual(t, want.Message.ID, got.Message.ID)
		want.Message.ID = got.Message.ID
		require.Equal(t, want, got, name)
	}
	require.Len(t, ids, 6, "small refuses the 2,000-byte message")
	_, ok := b.svc.Fanout(in, now, 0).Prepare(b.ctx, "missing")
	require.False(t, ok)
}
