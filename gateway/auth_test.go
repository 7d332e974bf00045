package gateway_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway"
	"github.com/signalbox/signalbox/runtime"
	"github.com/signalbox/signalbox/store"
)

// signREST signs a request to the management API or a route with the SDK's
// signer, for service.
func signREST(t *testing.T, method, url, body, service string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader([]byte(body)))
	require.NoError(t, err)
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret"}
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()))
	return req
}

func send(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b)
}

// With credentials configured and no api.keys, the management API and the
// routes without keys were open to anyone: now they take a signature by
// one of the credentials, unless the configuration opens them by name.
func TestCredentialsGuardTheManagementAPIAndRoutes(t *testing.T) {
	t.Parallel()
	b := newGW(t, gateway.Options{
		Credentials: map[string]string{"AKIDTEST": "secret"},
		Routes: []gateway.Route{
			{Method: "POST", Path: "/guarded", StateMachine: "orders"},
			{Method: "POST", Path: "/webhook", StateMachine: "orders", Public: true},
		},
	}, gwMachine{"orders", gwEcho, runtime.TypeStandard})

	for _, req := range [][2]string{
		{"GET", "/api/v1/state-machines"}, {"GET", "/api/v1/routes"},
		{"PUT", "/api/v1/state-machines/x"}, {"POST", "/api/v1/state-machines/orders/executions"},
		{"POST", "/api/v1/routes"}, {"GET", "/api/v1/executions/arn:aws:states:us-east-1:123456789012:execution:orders:e"},
	} {
		r := b.do(t, req[0], req[1], `{}`)
		require.Equal(t, http.StatusUnauthorized, r.status, "%s %s: %s", req[0], req[1], r.body)
		require.Contains(t, string(r.body), "AWS Signature Version 4")
	}
	require.Equal(t, http.StatusUnauthorized, b.do(t, "POST", "/guarded", `{}`).status)
	require.Equal(t, http.StatusAccepted, b.do(t, "POST", "/webhook", `{}`).status, "a public route")
	for _, path := range []string{"/api/v1/health", "/api/v1/ready", "/api/v1/openapi.json"} {
		require.Equal(t, http.StatusOK, b.do(t, "GET", path, "").status, path)
	}

	status, body := send(t, signREST(t, "GET", b.url+"/api/v1/state-machines", "", "states"))
	require.Equal(t, http.StatusOK, status, body)
	status, body = send(t, signREST(t, "POST", b.url+"/api/v1/state-machines/orders/executions", `{"input":{"a":1}}`, "execute-api"))
	require.Equal(t, http.StatusCreated, status, body)
	status, body = send(t, signREST(t, "POST", b.url+"/guarded", `{"a":1}`, "execute-api"))
	require.Equal(t, http.StatusAccepted, status, body)

	// a signature over another body does not pass
	req := signREST(t, "POST", b.url+"/guarded", `{"a":1}`, "execute-api")
	req.Body = io.NopCloser(strings.NewReader(`{"a":2}`))
	status, body = send(t, req)
	require.Equal(t, http.StatusForbidden, status, body)

	// api.public opens the management API by name
	open := newGW(t, gateway.Options{Credentials: map[string]string{"AKIDTEST": "secret"}, PublicAPI: true})
	require.Equal(t, http.StatusOK, open.do(t, "GET", "/api/v1/state-machines", "").status)
}

// A signature whose SignedHeaders leave out X-Amz-Target does not cover
// the action, and is refused.
func TestSigV4RequiresTheTargetSigned(t *testing.T) {
	t.Parallel()
	b := newSFN(t, withCredentials)
	body := `{"maxResults":1}`
	req, err := http.NewRequest(http.MethodPost, b.url+"/", bytes.NewReader([]byte(body)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret"}
	require.NoError(t, v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "states", "us-east-1", time.Now()))
	req.Header.Set("X-Amz-Target", "AWSStepFunctions.ListStateMachines") // after signing: not covered
	requireSigned(t, req, http.StatusBadRequest, "IncompleteSignatureException")
}

// A 500 shows the client a request id, and the detail only in the log.
func TestInternalErrorsShowARequestIDNotTheDetail(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	st, err := store.Open(context.Background(), store.Options{Embedded: true})
	require.NoError(t, err)
	require.NoError(t, st.Close()) // every store call now fails with the client's own words
	srv := httptest.NewServer(gateway.New(gateway.Options{Runtime: runtime.NewDurable(st, nil), Logger: slog.New(slog.NewTextHandler(&log, nil))}).Handler())
	t.Cleanup(srv.Close)
	b := &gwBundle{url: srv.URL}

	raw := rawCall(t, b.url, "AWSStepFunctions.ListStateMachines", `{}`)
	requireRawError(t, raw, http.StatusInternalServerError, "InternalFailure")
	id := raw.Header.Get("x-amzn-RequestId")
	require.Contains(t, raw.Body["message"], id)
	require.NotContains(t, raw.Body["message"], "closed")
	require.Contains(t, log.String(), id)
	require.Contains(t, log.String(), "closed")

	r := b.do(t, "GET", "/api/v1/state-machines", "")
	require.Equal(t, http.StatusInternalServerError, r.status)
	require.NotContains(t, string(r.body), "closed")
	require.Contains(t, string(r.body), r.header.Get("x-amzn-RequestId"))
}

// The default mapping keeps no cookie or authorization in the execution's
// input (its history keeps it) unless the route names them.
func TestDefaultMappingDropsSecretHeaders(t *testing.T) {
	t.Parallel()
	b := newGW(t, gateway.Options{Routes: []gateway.Route{
		{Method: "POST", Path: "/plain", StateMachine: "echo", Mode: gateway.ModeSync},
		{Method: "POST", Path: "/keeps", StateMachine: "echo", Mode: gateway.ModeSync, KeepHeaders: []string{"Cookie"}},
	}}, gwMachine{"echo", gwEcho, runtime.TypeExpress})
	headers := func(path string) map[string]any {
		r := b.do(t, "POST", path, `{}`, "Cookie", "session=s3cret", "Authorization", "Basic c2VjcmV0", "Proxy-Authorization", "x",
			"X-Amz-Security-Token", "session-token", "X-Other", "kept")
		require.Equal(t, http.StatusOK, r.status, "%s", r.body)
		var in map[string]any
		require.NoError(t, json.Unmarshal(r.body, &in))
		return in["headers"].(map[string]any)
	}
	h := headers("/plain")
	require.Equal(t, "kept", h["x-other"])
	for _, k := range []string{"cookie", "authorization", "proxy-authorization", "x-amz-security-token"} {
		require.NotContains(t, h, k)
	}
	h = headers("/keeps")
	require.Equal(t, "session=s3cret", h["cookie"])
	require.NotContains(t, h, "authorization")
}

// keyTransport adds an x-api-key header to every request, as a client of
// the Step Functions API behind api.keys would.
type keyTransport struct{ key string }

func (k keyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("x-api-key", k.key)
	return http.DefaultTransport.RoundTrip(r)
}

// With api.keys set and no credentials, the Step Functions API (POST /)
// was open to anyone: the SDK's signature went unchecked and an unsigned
// request started executions. Now it takes a management key, and refuses
// the rest in AWS's shape.
func TestAPIKeysGuardTheStepFunctionsAPI(t *testing.T) {
	t.Parallel()
	b := newSFN(t, func(o *gateway.Options) { o.APIKeys = []string{"mgmt-key-0123456789"} })
	ctx := context.Background()

	_, err := b.client.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	var ae smithy.APIError
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "UnrecognizedClientException", ae.ErrorCode())

	_, err = b.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("m"), RoleArn: aws.String(sfnRole),
		Definition: aws.String(`{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`),
	})
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "UnrecognizedClientException", ae.ErrorCode())

	req, err := http.NewRequest(http.MethodPost, b.url+"/", strings.NewReader(`{}`))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Target", "AWSStepFunctions.ListStateMachines")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	requireSigned(t, req, http.StatusBadRequest, "MissingAuthenticationTokenException")

	wrong := sfn.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1,
		HTTPClient: &http.Client{Transport: keyTransport{"not-the-key"}}}, func(o *sfn.Options) { o.BaseEndpoint = aws.String(b.url) })
	_, err = wrong.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	require.ErrorAs(t, err, &ae)
	require.Equal(t, "UnrecognizedClientException", ae.ErrorCode())

	keyed := sfn.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1,
		HTTPClient: &http.Client{Transport: keyTransport{"mgmt-key-0123456789"}}}, func(o *sfn.Options) { o.BaseEndpoint = aws.String(b.url) })
	_, err = keyed.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	require.NoError(t, err)
}

// A signed request to a route is checked over the body the route takes,
// which may be larger than the management API's bound (Options.MaxBodyBytes):
// the signature was computed over the body cut at that bound, and refused.
func TestSignedRouteBodyBeyondTheAPIBound(t *testing.T) {
	t.Parallel()
	b := newGW(t, gateway.Options{
		Credentials:  map[string]string{"AKIDTEST": "secret"},
		MaxBodyBytes: 1024,
		Routes:       []gateway.Route{{Method: "POST", Path: "/big", StateMachine: "orders", MaxBodyBytes: 64 * 1024}},
	}, gwMachine{"orders", gwEcho, runtime.TypeStandard})
	body := `{"pad":"` + strings.Repeat("x", 8*1024) + `"}`
	status, answer := send(t, signREST(t, "POST", b.url+"/big", body, "execute-api"))
	require.Equal(t, http.StatusAccepted, status, answer)
	status, answer = send(t, signREST(t, "POST", b.url+"/api/v1/state-machines/orders/executions", `{"input":`+body+`}`, "execute-api"))
	require.Equal(t, http.StatusRequestEntityTooLarge, status, answer)
}

// A handler's panic is an internal error like any other: a 500 in the
// API's shape with a request id, the panic in the log under that id. gin's
// recovery answered an empty 500 and wrote the request's headers to
// standard error. (A runtime without a store panics on its first call.)
func TestPanicsAnswerARequestID(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	srv := httptest.NewServer(gateway.New(gateway.Options{
		Runtime: &runtime.Durable{}, Logger: slog.New(slog.NewTextHandler(&log, nil)),
		Routes: []gateway.Route{{Method: "POST", Path: "/orders", StateMachine: "orders"}},
	}).Handler())
	t.Cleanup(srv.Close)
	b := &gwBundle{url: srv.URL}

	check := func(r gwResponse, message string) {
		t.Helper()
		require.Equal(t, http.StatusInternalServerError, r.status, "%s", r.body)
		id := r.header.Get("x-amzn-RequestId")
		require.NotEmpty(t, id)
		require.Contains(t, message, id)
		require.NotContains(t, string(r.body), "nil pointer")
		require.Contains(t, log.String(), "requestId="+id)
	}
	r := b.do(t, "POST", "/", `{}`, "X-Amz-Target", "AWSStepFunctions.ListStateMachines", "Content-Type", "application/x-amz-json-1.0")
	require.Equal(t, "InternalFailure", r.json(t)["__type"])
	check(r, r.json(t)["message"].(string))

	r = b.do(t, "GET", "/api/v1/state-machines", "")
	require.Equal(t, "InternalError", gwErrorCode(t, r))
	check(r, string(r.body))

	r = b.do(t, "POST", "/orders", `{}`, "Cookie", "session=s3cret")
	check(r, r.json(t)["message"].(string))
	require.Contains(t, log.String(), "panic")
	require.NotContains(t, log.String(), "s3cret")
}

// A presigned URL (the signature in the query string) is not checked, and
// says so instead of a bare "Missing Authentication Token".
func TestPresignedURLsAreRefusedAsNotSupported(t *testing.T) {
	t.Parallel()
	b := newGW(t, gateway.Options{Credentials: map[string]string{"AKIDTEST": "secret"},
		Routes: []gateway.Route{{Method: "GET", Path: "/orders", StateMachine: "orders"}}},
		gwMachine{"orders", gwEcho, runtime.TypeStandard})
	creds := aws.Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret"}
	empty := sha256.Sum256(nil)
	for _, u := range []string{b.url + "/api/v1/state-machines", b.url + "/orders"} {
		req, err := http.NewRequest(http.MethodGet, u, nil)
		require.NoError(t, err)
		url, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, hex.EncodeToString(empty[:]), "execute-api", "us-east-1", time.Now())
		require.NoError(t, err)
		require.Contains(t, url, "X-Amz-Signature=")
		r := b.do(t, "GET", strings.TrimPrefix(url, b.url), "")
		require.Equal(t, http.StatusUnauthorized, r.status, "%s", r.body)
		require.Contains(t, string(r.body), "presigned URLs) are not supported")
	}

	s := newSFN(t, withCredentials)
	req, err := http.NewRequest(http.MethodPost, s.url+"/", strings.NewReader(`{}`))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Target", "AWSStepFunctions.ListStateMachines")
	body := sha256.Sum256([]byte(`{}`))
	url, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, hex.EncodeToString(body[:]), "states", "us-east-1", time.Now())
	require.NoError(t, err)
	req, err = http.NewRequest(http.MethodPost, url, strings.NewReader(`{}`))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Target", "AWSStepFunctions.ListStateMachines")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var answer map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&answer))
	require.Equal(t, "MissingAuthenticationTokenException", answer["__type"], "%v", answer)
	require.Contains(t, answer["message"], "presigned URLs) are not supported")
}
