package gateway_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/signalbox/signalbox/gateway"
	"github.com/signalbox/signalbox/integrations/bus"
	"github.com/signalbox/signalbox/integrations/bus/pattern"
	"github.com/signalbox/signalbox/integrations/queue"
	"github.com/signalbox/signalbox/integrations/topic"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store/storetest"
)

// eventsBundle is one EventBridge endpoint under test: the bus router
// (with the queue and topic routers it delivers to, and the runtime as
// its host) on a store of the test's own, gateway.New over them on a
// loopback server, and the official SDK's EventBridge client pointed at
// it.
type eventsBundle struct {
	url    string
	buses  *bus.Service
	client *eventbridge.Client
}

func newEvents(t *testing.T, opts ...func(*gateway.Options)) *eventsBundle {
	t.Helper()
	st := storetest.Open(t, "sbevents-")
	l := newLoopback()
	d := runtime.NewDurable(st, &runtime.Durable{})
	queues := queue.New(st, queue.Config{})
	t.Cleanup(queues.Close)
	topics := topic.New(st, topic.Config{Queues: queues, Host: d.Host()})
	b := &eventsBundle{url: l.url}
	b.buses = bus.New(st, bus.Config{Queues: queues, Topics: topics, Host: d.Host()})
	l.serve(t, gateway.Options{Runtime: d, Queues: queues, Topics: topics, Buses: b.buses, Logger: testLogger(t)}, opts)
	b.buses.Start(context.Background())
	t.Cleanup(b.buses.Close)
	b.client = eventsClient(b.url, "AKIDTEST", "secret")
	return b
}

// eventsClient is the SDK's EventBridge client for url, signing with the
// given key.
func eventsClient(url, keyID, secret string) *eventbridge.Client {
	return eventbridge.NewFromConfig(sdkConfig(keyID, secret), func(o *eventbridge.Options) { o.BaseEndpoint = aws.String(url) })
}

// needEventPatterns skips a test that puts rules while the pattern
// package is its contract only (pattern.Parse answers "not implemented");
// it runs once the package is merged.
func needEventPatterns(t *testing.T) {
	t.Helper()
	if _, err := pattern.Parse(`{"source":["a"]}`); err != nil && strings.Contains(err.Error(), "not implemented") {
		t.Skip("integrations/bus/pattern is not implemented yet: " + err.Error())
	}
}

const eventsArnPrefix = "arn:aws:events:us-east-1:123456789012:"
