package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/internal/config"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store/storetest"
)

const (
	cfgEcho    = `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`
	cfgEchoToo = `{"StartAt":"Q","States":{"Q":{"Type":"Pass","End":true}}}`
	cfgBad     = `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"},"B":{"Type":"Wait","Next":"A"}}}`
)

// cfgDurable is a runtime on a store of the test's own, built as serve
// and worker build theirs.
func cfgDurable(t *testing.T) *runtime.Durable {
	st := storetest.Open(t, "sbcfg-")
	return newRuntime(st, nodeOptions{}, newIntegrations(newQueues(st, nodeOptions{}), nil, nil), nil, nil)
}

func TestConfigApplyIsIdempotentAndChecksTheStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := cfgDurable(t)
	_, err := d.CreateStateMachine(ctx, runtime.StateMachineParams{Name: "stored", Definition: []byte(cfgEcho)})
	require.NoError(t, err)
	write := func(def string, extra string) *config.Config {
		dir := writeFiles(t, map[string]string{"a.asl.json": def, "signalbox.yaml": `stateMachines:
  - {name: a, definition: a.asl.json}
routes:
  - {method: POST, path: /a, stateMachine: a}
  - {method: POST, path: /stored, stateMachine: stored}
` + extra})
		c, ps := config.Load(filepath.Join(dir, "signalbox.yaml"))
		require.Empty(t, ps)
		return c
	}

	// A problem only the store shows: nothing is written.
	c := write(cfgEcho, "  - {method: POST, path: /b, stateMachine: absent}\n  - {method: POST, path: /c, stateMachine: stored, mode: sync}\n")
	_, ps := c.Apply(ctx, d)
	var got []string
	for _, p := range ps {
		got = append(got, p.Path+": "+p.Message)
	}
	require.Equal(t, []string{
		`routes[2].stateMachine: no state machine "absent" in stateMachines nor in the store`,
		`routes[3].mode: a sync route runs an EXPRESS state machine; stored is STANDARD`,
	}, got)
	_, err = d.DescribeStateMachine(ctx, "a")
	require.ErrorIs(t, err, runtime.ErrStateMachineDoesNotExist, "nothing was created")

	done, ps := write(cfgEcho, "").Apply(ctx, d)
	require.Empty(t, ps)
	require.Equal(t, []string{"created a"}, done)
	first, err := d.DescribeStateMachine(ctx, "a")
	require.NoError(t, err)

	done, ps = write(cfgEcho, "").Apply(ctx, d)
	require.Empty(t, ps)
	require.Equal(t, []string{"unchanged a"}, done)
	again, err := d.DescribeStateMachine(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, first.RevisionID, again.RevisionID, "a restart changes nothing")

	done, ps = write(cfgEchoToo, "").Apply(ctx, d)
	require.Empty(t, ps)
	require.Equal(t, []string{"updated a"}, done)
	updated, err := d.DescribeStateMachine(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, cfgEchoToo, string(updated.Definition))

	c = write(cfgEcho, "")
	c.StateMachines[0].Type = runtime.TypeExpress
	_, ps = c.Apply(ctx, d)
	require.Len(t, ps, 1)
	require.Equal(t, "stateMachines[0].type", ps[0].Path)
	require.Contains(t, ps[0].Message, "its type cannot change")
}

func TestServeRefusesABadConfigAndStartsNothing(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"bad.asl.json": cfgBad,
		"signalbox.yaml": `stateMachines:
  - {name: bad, definition: bad.asl.json}
routes:
  - {method: POST, path: nope, stateMachine: bad}
functions: [orders]
`})
	res := runCLI(t, "", "serve", "--addr", "127.0.0.1:0", "--config", filepath.Join(dir, "signalbox.yaml"))
	require.Equal(t, 2, res.code, res.stderr)
	require.NotContains(t, res.stdout, "serving")
	for _, want := range []string{
		filepath.Join(dir, "bad.asl.json") + `:1: /States/A/Next: MISSING_TRANSITION_TARGET`,
		filepath.Join(dir, "signalbox.yaml") + `:4: routes[0].path: "nope" must start with /`,
		filepath.Join(dir, "signalbox.yaml") + `:5: functions[0]: must be a mapping`,
		"signalbox serve: 5 problem(s) in " + filepath.Join(dir, "signalbox.yaml") + "; nothing started",
	} {
		require.Contains(t, res.stderr, want)
	}
}

// TestServeTheOrderExample runs the example of the README: signalbox
// serve --config examples/orders/signalbox.yaml, an order POSTed and
// polled until it succeeds, and a quote answered at once.
func TestServeTheOrderExample(t *testing.T) {
	t.Parallel()
	config, err := filepath.Abs(filepath.Join("..", "..", "examples", "orders", "signalbox.yaml"))
	require.NoError(t, err)
	s := startServe(t, "--config", config)
	order, err := os.ReadFile(filepath.Join(filepath.Dir(config), "orders.input.json"))
	require.NoError(t, err)
	expected, err := os.ReadFile(filepath.Join(filepath.Dir(config), "orders.expected.json"))
	require.NoError(t, err)

	resp, err := http.Post(s.URL+"/orders", "application/json", strings.NewReader(string(order)))
	require.NoError(t, err)
	body := cfgReadBody(t, resp)
	require.Equal(t, http.StatusAccepted, resp.StatusCode, "%s\n%s", body, s.Log())
	location := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(location, "/api/v1/executions/arn:aws:states:us-east-1:123456789012:execution:orders:"), location)

	deadline := time.Now().Add(30 * time.Second) // a safety net: the poll ends when the order does
	for {
		resp, err := http.Get(s.URL + location)
		require.NoError(t, err)
		body := cfgReadBody(t, resp)
		require.Equal(t, http.StatusOK, resp.StatusCode, body)
		if strings.Contains(body, `"status":"SUCCEEDED"`) {
			var e struct {
				Output map[string]any `json:"output"`
			}
			require.NoError(t, json.Unmarshal([]byte(body), &e))
			require.JSONEq(t, string(expected), cfgJSON(t, e.Output))
			break
		}
		require.Contains(t, body, `"status":"RUNNING"`)
		require.True(t, time.Now().Before(deadline), "the order is still running: %s", body)
		time.Sleep(20 * time.Millisecond) // the poll's interval
	}

	resp, err = http.Post(s.URL+"/quote", "application/json", strings.NewReader(`{"items":[{"sku":"a","qty":4,"price":2.5}]}`))
	require.NoError(t, err)
	body = cfgReadBody(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.JSONEq(t, `{"lines":1,"total":10,"currency":"EUR"}`, body)
	resp, err = http.Post(s.URL+"/quote", "application/json", strings.NewReader(`{"items":[]}`))
	require.NoError(t, err)
	body = cfgReadBody(t, resp)
	require.Equal(t, 422, resp.StatusCode, body)
	require.JSONEq(t, `{"error":"EmptyQuote","cause":"a quote needs at least one item"}`, body)
	resp, err = http.Post(s.URL+"/orders", "application/json", strings.NewReader(`{"orderId":`))
	require.NoError(t, err)
	body = cfgReadBody(t, resp)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
	require.Contains(t, body, "Could not parse request body into json")
}

// cfgReadBody reads and closes a response's body.
func cfgReadBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// cfgJSON renders a value as JSON.
func cfgJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// decodeConfig decodes a configuration file's text, which must have no
// problems.
func decodeConfig(t *testing.T, yaml string) *config.Config {
	t.Helper()
	c, ps := config.Decode("signalbox.yaml", []byte(yaml))
	require.Empty(t, ps)
	return c
}
