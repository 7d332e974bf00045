package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestConfigReadsTopics(t *testing.T) {
	t.Parallel()
	c, ps := Decode("signalbox.yaml", []byte(`
topics:
  - name: orders
    attributes:
      DisplayName: Orders
      DeliveryPolicy: {healthyRetryPolicy: {numRetries: 5, minDelayTarget: 1}}
      SignatureVersion: 2
    tags: {team: shop, tier: 1}
    subscriptions:
      - protocol: sqs
        endpoint: arn:aws:sqs:us-east-1:123456789012:audit
        attributes: {RawMessageDelivery: true, FilterPolicy: {kind: [new, paid]}}
      - queue: audit-2
      - {protocol: states, stateMachine: ship}
      - {protocol: https, endpoint: "https://example.com/hook", attributes: {DeliveryPolicy: {healthyRetryPolicy: {numRetries: 3}}}}
  - name: orders.fifo
    attributes: {ContentBasedDeduplication: true}
  - name: bare
    subscriptions: []
`))
	require.Empty(t, ps)
	require.Len(t, c.Topics, 3)
	tp := c.Topics[0]
	require.Equal(t, "orders", tp.Name)
	require.Equal(t, map[string]string{"DisplayName": "Orders", "SignatureVersion": "2",
		"DeliveryPolicy": `{"healthyRetryPolicy":{"minDelayTarget":1,"numRetries":5}}`}, tp.Attributes)
	require.Equal(t, map[string]string{"team": "shop", "tier": "1"}, tp.Tags)
	require.Len(t, tp.Subscriptions, 4)
	require.Equal(t, "sqs", tp.Subscriptions[0].Protocol)
	require.Equal(t, "arn:aws:sqs:us-east-1:123456789012:audit", tp.Subscriptions[0].Endpoint)
	require.Equal(t, map[string]string{"RawMessageDelivery": "true", "FilterPolicy": `{"kind":["new","paid"]}`}, tp.Subscriptions[0].Attributes)
	require.Equal(t, "sqs", tp.Subscriptions[1].Protocol, "queue: a subscription of protocol sqs")
	require.Equal(t, "audit-2", tp.Subscriptions[1].Queue)
	require.Equal(t, "states", tp.Subscriptions[2].Protocol)
	require.Equal(t, "ship", tp.Subscriptions[2].StateMachine)
	require.Equal(t, `{"healthyRetryPolicy":{"numRetries":3}}`, tp.Subscriptions[3].Attributes["DeliveryPolicy"])
	require.Equal(t, map[string]string{"ContentBasedDeduplication": "true", "FifoTopic": "true"}, c.Topics[1].Attributes, "a .fifo name makes a FIFO topic")
	require.Empty(t, c.Topics[2].Subscriptions)

	// the arn of this server's queue and state machine, in its region and account
	require.Equal(t, "arn:aws:sqs:eu-west-1:111122223333:audit-2", endpointOf(tp.Subscriptions[1], "arn:aws:sns:eu-west-1:111122223333:orders"))
	require.Equal(t, "arn:aws:states:eu-west-1:111122223333:stateMachine:ship", endpointOf(tp.Subscriptions[2], "arn:aws:sns:eu-west-1:111122223333:orders"))
	require.Equal(t, "https://example.com/hook", endpointOf(tp.Subscriptions[3], "arn:aws:sns:eu-west-1:111122223333:orders"))
}

func TestConfigTopicProblems(t *testing.T) {
	t.Parallel()
	_, ps := Decode("signalbox.yaml", []byte(`topics:
  - name: a
    attributes: {DisplayName: [1], DisplayName: x, Policy: [x]}
  - attributes: {}
  - name: a
    colour: red
  - 7
  - name: b
    tags: nope
    subscriptions:
      - {endpoint: "https://example.com"}
      - {queue: q, endpoint: "arn:aws:sqs:us-east-1:1:q"}
      - {protocol: https, queue: q}
      - {protocol: sqs}
      - {queue: q}
      - {protocol: sqs, queue: q}
      - {stateMachine: s, attributes: {RawMessageDelivery: {a: 1}}, extra: 1}
      - nope
  - name: c
    subscriptions: {queue: q}
`))
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	require.Equal(t, []string{
		"signalbox.yaml:3: topics[0].attributes.DisplayName: must be a string, a number or true/false, got a list",
		"signalbox.yaml:3: topics[0].attributes.DisplayName: the key is repeated",
		"signalbox.yaml:3: topics[0].attributes.Policy: must be a string, a number or true/false, got a list",
		"signalbox.yaml:4: topics[1].name: required",
		"signalbox.yaml:6: topics[2].colour: unknown key (known: attributes, name, subscriptions, tags)",
		"signalbox.yaml:5: topics[2].name: \"a\" is also the name of topics[0]",
		"signalbox.yaml:7: topics[3]: must be a mapping (key: value), got the number 7",
		"signalbox.yaml:7: topics[3].name: required",
		"signalbox.yaml:9: topics[4].tags: must be a mapping (key: value), got \"nope\"",
		"signalbox.yaml:11: topics[4].subscriptions[0].protocol: required with an endpoint (sqs, http, https or states)",
		"signalbox.yaml:12: topics[4].subscriptions[1].queue: give one of endpoint, queue and stateMachine, not endpoint and queue",
		"signalbox.yaml:13: topics[4].subscriptions[2].protocol: queue names a sqs subscription, not https",
		"signalbox.yaml:14: topics[4].subscriptions[3].endpoint: required: the endpoint, or queue or stateMachine (this server's)",
		"signalbox.yaml:16: topics[4].subscriptions[5]: the same subscription as topics[4].subscriptions[4]",
		"signalbox.yaml:17: topics[4].subscriptions[6].attributes.RawMessageDelivery: must be a string, a number or true/false, got a mapping",
		"signalbox.yaml:17: topics[4].subscriptions[6].extra: unknown key (known: attributes, endpoint, protocol, queue, stateMachine)",
		"signalbox.yaml:18: topics[4].subscriptions[7]: must be a mapping (key: value), got \"nope\"",
		"signalbox.yaml:18: topics[4].subscriptions[7].endpoint: required: the endpoint, or queue or stateMachine (this server's)",
		"signalbox.yaml:20: topics[5].subscriptions: must be a list, got a mapping",
	}, got)
}
