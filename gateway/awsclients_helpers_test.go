package gateway_test

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway"
)

// The SDK-client harnesses (events, schemas, sns, sqs, sfn) share their
// frame: a gateway on a loopback server, the SDK's clients configured
// alike, and the assertion of an API error.

// testLogger is the gateway's (or a router's) log, into the test's output.
func testLogger(t *testing.T) *slog.Logger { return slog.New(slog.NewTextHandler(t.Output(), nil)) }

// loopback is a loopback server whose URL is known before the gateway
// over it is built (a router's PublicURL names it).
type loopback struct {
	srv *httptest.Server
	url string
}

func newLoopback() *loopback {
	srv := httptest.NewUnstartedServer(nil)
	return &loopback{srv: srv, url: "http://" + srv.Listener.Addr().String()}
}

// serve starts the server with gateway.New(o), o adjusted by opts, until
// the test ends.
func (l *loopback) serve(t *testing.T, o gateway.Options, opts []func(*gateway.Options)) {
	t.Helper()
	for _, f := range opts {
		f(&o)
	}
	l.srv.Config.Handler = gateway.New(o).Handler()
	l.srv.Start()
	t.Cleanup(l.srv.Close)
}

// serveGateway serves gateway.New(o), o adjusted by opts, on loopback until
// the test ends, and returns its URL.
func serveGateway(t *testing.T, o gateway.Options, opts []func(*gateway.Options)) string {
	t.Helper()
	l := newLoopback()
	l.serve(t, o, opts)
	return l.url
}

// sdkConfig is every test client's configuration: static keys, one attempt
// (a retry would hide the first answer), us-east-1.
func sdkConfig(keyID, secret string) aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		RetryMaxAttempts: 1,
	}
}

// requireAPICode asserts the API's error code and HTTP status, and returns
// the message.
func requireAPICode(t *testing.T, err error, code string, status int) string {
	t.Helper()
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "not an API error: %v", err)
	require.Equal(t, code, ae.ErrorCode(), "%v", err)
	var re *awshttp.ResponseError
	require.True(t, errors.As(err, &re), "no HTTP response: %v", err)
	require.Equal(t, status, re.HTTPStatusCode(), "%v", err)
	return ae.ErrorMessage()
}

// sendRaw sends a request, unsigned (body "" sends none); headers are
// name, value pairs. The answer is read whole.
func sendRaw(t *testing.T, method, url, body string, headers ...string) gwResponse {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return gwResponse{resp.StatusCode, resp.Header, data}
}
