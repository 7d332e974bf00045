package bus

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/bus/apidest"
	"github.com/signalbox/signalbox/integrations/httptask"
)

// The HTTP Task's Authentication.ConnectionArn is one of the bus router's
// connections: its credentials and invocation parameters go with the call.
func TestHTTPTaskUsesConnections(t *testing.T) {
	b := setup(t, "")
	var mu sync.Mutex
	var got []*http.Request
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, bodies = append(got, r), append(bodies, string(body))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	conn, err := b.svc.CreateConnection(b.ctx, &CreateConnectionInput{Name: "stripe", AuthorizationType: "API_KEY",
		AuthParameters: ConnectionAuthParameters{APIKeyAuthParameters: &APIKeyAuthParameters{APIKeyName: "x-api-key", APIKeyValue: "s3cret"},
			InvocationHTTPParameters: &apidest.InvocationParameters{
				HeaderParameters:      []apidest.Parameter{{Key: "x-from", Value: "connection"}},
				QueryStringParameters: []apidest.Parameter{{Key: "v", Value: "2"}},
				BodyParameters:        []apidest.Parameter{{Key: "source", Value: "signalbox"}}}}})
	require.NoError(t, err)
	h := httptask.New(httptask.Options{Connections: b.svc})
	call := func(arn string) (any, error) {
		return h.Invoke(b.ctx, &integrations.Request{Resource: httptask.Resource, Parameters: map[string]any{
			"ApiEndpoint": srv.URL + "/charges", "Method": "POST", "Authentication": map[string]any{"ConnectionArn": arn},
			"Headers": map[string]any{"x-from": "task"}, "RequestBody": map[string]any{"amount": float64(5)}}})
	}
	out, err := call(conn.ConnectionArn)
	require.NoError(t, err)
	require.EqualValues(t, 200, out.(map[string]any)["StatusCode"])
	mu.Lock()
	require.Len(t, got, 1)
	require.Equal(t, "s3cret", got[0].Header.Get("x-api-key"))
	require.Equal(t, "connection", got[0].Header.Get("x-from"), "the connection's parameters win")
	require.Equal(t, "2", got[0].URL.Query().Get("v"))
	require.JSONEq(t, `{"amount":5,"source":"signalbox"}`, bodies[0])
	mu.Unlock()

	var ie *integrations.Error
	_, err = call("arn:aws:events:us-east-1:123456789012:connection/nope/0000")
	require.True(t, errors.As(err, &ie), "%v", err)
	require.Equal(t, "Events.ConnectionResource.ResourceNotFound", ie.Name)
	_, err = b.svc.DeauthorizeConnection(b.ctx, "stripe")
	require.NoError(t, err)
	_, err = call(conn.ConnectionArn)
	require.True(t, errors.As(err, &ie), "%v", err)
	require.Equal(t, "Events.ConnectionResource.InvalidConnectionState", ie.Name)
	mu.Lock()
	require.Len(t, got, 1, "no call without the connection's credentials")
	mu.Unlock()
}
