package gateway_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
	"github.com/signalbox/signalbox/store/storetest"
)

// gwSafety bounds every poll: a net against a hang, not a synchronisation.
const gwSafety = 20 * time.Second

// Definitions the user-route and management API tests run.
const (
	gwEcho = `{"StartAt":"Echo","States":{"Echo":{"Type":"Pass","End":true}}}`
	gwFail = `{"StartAt":"No","States":{"No":{"Type":"Fail","Error":"OutOfStock","Cause":"none left"}}}`
	gwWait = `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}`
)

// gwMachine is a state machine a bundle creates before serving.
type gwMachine struct{ name, def, typ string }

// gwBundle is a gateway under test: a runtime on its own store with
// running workers, and gateway.New over it on a loopback server.
type gwBundle struct {
	d   *runtime.Durable
	url string
}

// gwOpenStore opens a store of the test's own (storetest).
func gwOpenStore(t *testing.T) *store.Client { return storetest.Open(t, "sbgwr-") }

// newGW creates the machines, then serves opts (its Runtime set here).
func newGW(t *testing.T, opts gateway.Options, machines ...gwMachine) *gwBundle {
	t.Helper()
	d := runtime.NewDurable(gwOpenStore(t), &runtime.Durable{Consumer: "gw-test", Concurrency: 4})
	for _, m := range machines {
		_, err := d.CreateStateMachine(context.Background(), runtime.StateMachineParams{Name: m.name, Definition: []byte(m.def), Type: m.typ})
		require.NoError(t, err)
	}
	opts.Runtime = d
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	url := serveGateway(t, opts, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return &gwBundle{d: d, url: url}
}

// gwResponse is a response read whole.
type gwResponse struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body.
func (r gwResponse) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	require.NoError(t, json.Unmarshal(r.body, &v), "body %s", r.body)
	return v
}

// do sends a request; headers are name, value pairs.
func (b *gwBundle) do(t *testing.T, method, path, body string, headers ...string) gwResponse {
	t.Helper()
	return sendRaw(t, method, b.url+path, body, headers...)
}

// waitStatus polls the management API's execution URL until it has the
// status, and returns the execution.
func (b *gwBundle) waitStatus(t *testing.T, location, status string, headers ...string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(gwSafety)
	for {
		r := b.do(t, http.MethodGet, location, "", headers...)
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		last := r.json(t)
		if last["status"] == status {
			return last
		}
		require.True(t, time.Now().Before(deadline), "%s is still %v after %s", location, last["status"], gwSafety)
		time.Sleep(5 * time.Millisecond) // the poll's interval
	}
}

// executions counts the executions of a state machine in the store.
func (b *gwBundle) executions(t *testing.T, machine string) int {
	t.Helper()
	list, _, err := b.d.ListExecutions(context.Background(), machine, "", "", 1000)
	require.NoError(t, err)
	return len(list)
}
