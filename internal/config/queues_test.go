package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestConfigReadsQueues(t *testing.T) {
	t.Parallel()
	c, ps := Decode("signalbox.yaml", []byte(`
queues:
  - name: orders.fifo
    attributes:
      VisibilityTimeout: 60
      ContentBasedDeduplication: true
      MessageRetentionPeriod: "86400"
    tags: {team: shop, tier: 1}
  - name: jobs
    attributes:
      RedrivePolicy: {deadLetterTargetArn: "arn:aws:sqs:us-east-1:123456789012:jobs-dlq", maxReceiveCount: 5}
  - name: jobs-dlq
`))
	require.Empty(t, ps)
	require.Len(t, c.Queues, 3)
	require.Equal(t, "orders.fifo", c.Queues[0].Name)
	require.Equal(t, map[string]string{"VisibilityTimeout": "60", "ContentBasedDeduplication": "true", "MessageRetentionPeriod": "86400",
		"FifoQueue": "true"}, c.Queues[0].Attributes, "a .fifo name makes a FIFO queue")
	require.Equal(t, map[string]string{"team": "shop", "tier": "1"}, c.Queues[0].Tags)
	require.Equal(t, `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:123456789012:jobs-dlq","maxReceiveCount":5}`, c.Queues[1].Attributes["RedrivePolicy"])
	require.Empty(t, c.Queues[2].Attributes)
}

func TestConfigQueueProblems(t *testing.T) {
	t.Parallel()
	_, ps := Decode("signalbox.yaml", []byte(`queues:
  - name: a
    attributes: {VisibilityTimeout: [1], DelaySeconds: 1, DelaySeconds: 2}
  - attributes: {}
  - name: a
    colour: red
  - 7
  - name: b
    attributes: {Policy: [x]}
    tags: nope
`))
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	require.Equal(t, []string{
		"signalbox.yaml:3: queues[0].attributes.VisibilityTimeout: must be a string, a number or true/false, got a list",
		"signalbox.yaml:3: queues[0].attributes.DelaySeconds: the key is repeated",
		"signalbox.yaml:4: queues[1].name: required",
		"signalbox.yaml:6: queues[2].colour: unknown key (known: attributes, name, tags)",
		"signalbox.yaml:5: queues[2].name: \"a\" is also the name of queues[0]",
		"signalbox.yaml:7: queues[3]: must be a mapping (key: value), got the number 7",
		"signalbox.yaml:7: queues[3].name: required",
		"signalbox.yaml:9: queues[4].attributes.Policy: must be a string, a number or true/false, got a list",
		"signalbox.yaml:10: queues[4].tags: must be a mapping (key: value), got \"nope\"",
	}, got)
}
