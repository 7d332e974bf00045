package gateway_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway"
)

// sse reads server-sent events from a stream.
type sse struct {
	resp *http.Response
	sc   *bufio.Scanner
}

// sseEvent is one server-sent event, with the history event's type.
type sseEvent struct {
	id, event, data, typ string
}

func openSSE(t *testing.T, url string, headers ...string) *sse {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	return &sse{resp: resp, sc: bufio.NewScanner(resp.Body)}
}

// next reads the next event; it fails the test when the stream ends.
func (s *sse) next(t *testing.T) sseEvent {
	t.Helper()
	var ev sseEvent
	for s.sc.Scan() {
		line := s.sc.Text()
		if line == "" {
			if ev.event == "history" {
				var v struct{ Type string }
				require.NoError(t, json.Unmarshal([]byte(ev.data), &v), ev.data)
				ev.typ = v.Type
			}
			return ev
		}
		k, v, _ := strings.Cut(line, ": ")
		switch k {
		case "id":
			ev.id = v
		case "event":
			ev.event = v
		case "data":
			ev.data = v
		}
	}
	t.Fatalf("the stream ended: %v", s.sc.Err())
	return ev
}

// The management API streams an execution's events as they are written,
// ends the stream when the execution closes, and resumes after an event.
func TestAPITailsAnExecution(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newGW(t, gateway.Options{})
	act, err := b.d.CreateActivity(ctx, "approve", nil)
	require.NoError(t, err)
	def := `{"StartAt":"Approve","States":{"Approve":{"Type":"Task","Resource":"` + act.ARN + `","End":true}}}`
	r := b.do(t, "PUT", "/api/v1/state-machines/tailed", `{"definition":`+def+`}`)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	r = b.do(t, "POST", "/api/v1/state-machines/tailed/executions", `{"name":"e1","input":{"a":1}}`)
	require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
	arn := r.json(t)["executionArn"].(string)

	stream := openSSE(t, b.url+"/api/v1/executions/"+arn+"/events")
	var types []string
	for len(types) == 0 || types[len(types)-1] != "ActivityScheduled" {
		ev := stream.next(t)
		require.Equal(t, "history", ev.event)
		types = append(types, ev.typ)
	}
	// the execution waits for a worker: the stream is open, and follows
	// what the worker does
	token, _, err := b.d.GetActivityTask(ctx, act.ARN, "worker-1")
	require.NoError(t, err)
	require.NotEmpty(t, token)
	require.NoError(t, b.d.SendTaskSuccess(ctx, token, map[string]any{"approved": true}))
	for {
		ev := stream.next(t)
		if ev.event == "end" {
			break
		}
		types = append(types, ev.typ)
	}
	require.Equal(t, "ExecutionSucceeded", types[len(types)-1])

	r = b.do(t, "GET", "/api/v1/executions/"+arn+"/history", "")
	require.Equal(t, http.StatusOK, r.status)
	var history []string
	for _, ev := range r.json(t)["events"].([]any) {
		history = append(history, ev.(map[string]any)["type"].(string))
	}
	require.Equal(t, history, types, "the stream is the history")

	// a reconnecting EventSource resumes after the last event it saw
	resumed := openSSE(t, b.url+"/api/v1/executions/"+arn+"/events", "Last-Event-ID", "2")
	ev := resumed.next(t)
	require.Equal(t, "3", ev.id)
	require.Equal(t, types[2], ev.typ)

	r = b.do(t, "GET", "/api/v1/executions/"+arn+"/events?after=soon", "")
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Equal(t, "InvalidRequest", gwErrorCode(t, r))
	r = b.do(t, "GET", "/api/v1/executions/"+strings.Replace(arn, ":e1", ":e2", 1)+"/events", "")
	require.Equal(t, http.StatusNotFound, r.status)
	require.Equal(t, "ExecutionDoesNotExist", gwErrorCode(t, r))
}
