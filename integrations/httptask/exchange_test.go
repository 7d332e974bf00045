package httptask_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/httptask"
)

// secretConnection adds an API key header, a query parameter and, to a
// JSON body, a field: what TestState hides without revealSecrets.
type secretConnection struct{}

func (secretConnection) Authorize(_ context.Context, _ string, h http.Header, q url.Values, body []byte) ([]byte, error) {
	h.Set("X-Api-Key", "s3cret")
	q.Set("token", "hidden")
	return []byte(`{"a":1,"secret":"x"}`), nil
}

// An exchange records the request sent and the response got (TestState's
// TRACE): without Reveal, as the task gave it, the connection's additions
// left out; with Reveal, as it was sent.
func TestExchangeRecordsTheCall(t *testing.T) {
	t.Parallel()
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Answer", "42")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"made":true}`))
	})
	h := httptask.New(httptask.Options{Connections: secretConnection{}})
	p := params(t, `{"ApiEndpoint":%q,"Method":"POST","Headers":{"X-Mine":"m"},"QueryParameters":{"q":"1"},"RequestBody":{"a":1},
		"Authentication":{"ConnectionArn":"arn:aws:events:us-east-1:123456789012:connection/c/1"}}`, srv.URL+"/things")
	for _, reveal := range []bool{false, true} {
		x := &integrations.HTTPExchange{Reveal: reveal}
		_, err := h.Invoke(context.Background(), &integrations.Request{Resource: httptask.Resource, Parameters: p, Exchange: x})
		require.NoError(t, err)
		require.True(t, x.Sent)
		require.True(t, x.Answered)
		require.Equal(t, "http", x.Request.Protocol)
		require.Equal(t, "POST", x.Request.Method)
		require.Contains(t, x.Request.Headers, "X-Mine: m")
		require.Equal(t, "http", x.Response.Protocol)
		require.Equal(t, "201", x.Response.StatusCode)
		require.Equal(t, "Created", x.Response.StatusMessage)
		require.Contains(t, x.Response.Headers, "X-Answer: 42")
		require.JSONEq(t, `{"made":true}`, x.Response.Body)
		if reveal {
			require.Equal(t, srv.URL+"/things?q=1&token=hidden", x.Request.URL)
			require.Contains(t, x.Request.Headers, "X-Api-Key: s3cret")
			require.JSONEq(t, `{"a":1,"secret":"x"}`, x.Request.Body)
		} else {
			require.Equal(t, srv.URL+"/things?q=1", x.Request.URL)
			require.NotContains(t, x.Request.Headers, "s3cret")
			require.JSONEq(t, `{"a":1}`, x.Request.Body)
		}
	}
	// the server got the connection's additions both times
	for _, r := range srv.requests() {
		require.Equal(t, "s3cret", r.Header.Get("X-Api-Key"))
		require.JSONEq(t, `{"a":1,"secret":"x"}`, r.Body)
	}
}
