package apidest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// recorded is what a test server saw of one request.
type recorded struct {
	method, path, rawPath string
	query                 url.Values
	header                http.Header
	body                  string
}

// recorder is a loopback endpoint that records requests and answers
// status (200 by default).
func recorder(t *testing.T, status int) (*httptest.Server, chan recorded) {
	ch := make(chan recorded, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ch <- recorded{r.Method, r.URL.Path, r.URL.RawPath, r.URL.Query(), r.Header.Clone(), string(b)}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, ch
}

func TestInvokeBasicRequest(t *testing.T) {
	t.Parallel()
	srv, seen := recorder(t, 200)
	v := NewInvoker(srv.Client())
	res, err := v.Invoke(context.Background(), &Call{
		Destination: "arn:d", Connection: "arn:c",
		Endpoint: srv.URL + "/orders/*/items/*?fixed=1", Method: "post",
		Auth: Auth{Type: AuthBasic, Username: "user", Password: "p:ss", Invocation: InvocationParameters{
			HeaderParameters:      []Parameter{{Key: "X-Both", Value: "connection"}, {Key: "X-Conn", Value: "yes"}, {Key: "Range", Value: "bytes=0-1"}},
			QueryStringParameters: []Parameter{{Key: "both", Value: "connection"}},
			BodyParameters:        []Parameter{{Key: "added", Value: "v"}, {Key: "detail", Value: "from connection"}},
		}},
		PathParams: []string{"a b/c", "7"},
		Headers:    map[string]string{"X-Call": "c", "X-Both": "call", "User-Agent": "mine", "Host": "evil", "Connection": "upgrade", "Proxy-Authorization": "x"},
		Query:      map[string]string{"q": "1", "both": "call"},
		Body:       []byte(`{"detail":{"a":1},"id":"e1"}`),
	})
	require.NoError(t, err)
	require.Equal(t, Result{Status: 200}, res)
	require.True(t, res.Delivered())
	r := <-seen
	require.Equal(t, "POST", r.method)
	require.Equal(t, "/orders/a b/c/items/7", r.path)
	require.Equal(t, "/orders/a%20b%2Fc/items/7", r.rawPath) // each value is one segment
	require.Equal(t, url.Values{"fixed": {"1"}, "q": {"1"}, "both": {"connection"}}, r.query)
	require.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("user:p:ss")), r.header.Get("Authorization"))
	require.Equal(t, "Amazon/EventBridge/ApiDestinations", r.header.Get("User-Agent"))
	require.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"))
	require.Equal(t, "bytes=0-1048575", r.header.Get("Range"))
	require.Equal(t, "connection", r.header.Get("X-Both"))
	require.Equal(t, "yes", r.header.Get("X-Conn"))
	require.Equal(t, "c", r.header.Get("X-Call"))
	require.Empty(t, r.header.Get("Proxy-Authorization"))
	require.NotEqual(t, "upgrade", r.header.Get("Connection"))
	require.JSONEq(t, `{"detail":"from connection","id":"e1","added":"v"}`, r.body)
}

func TestInvokeAPIKeyAndBodies(t *testing.T) {
	t.Parallel()
	srv, seen := recorder(t, 204)
	v := NewInvoker(srv.Client())
	auth := Auth{Type: AuthAPIKey, APIKeyName: "x-api-key", APIKeyValue: "k1",
		Invocation: InvocationParameters{BodyParameters: []Parameter{{Key: "b", Value: "1"}}}}
	for _, c := range []struct {
		method, contentType, body, want string
	}{
		{"PUT", "text/plain", "just text", "just text"}, // not an object: sent as it is
		{"PATCH", "", `[1,2]`, `[1,2]`},
		{"POST", "", ``, `{"b":"1"}`},
		{"GET", "", `{"a":1}`, ``}, // no body on GET
	} {
		res, err := v.Invoke(context.Background(), &Call{Destination: "d", Connection: "c", Endpoint: srv.URL, Method: c.method,
			Auth: auth, Headers: map[string]string{"Content-Type": c.contentType}, Body: []byte(c.body)})
		require.NoError(t, err)
		require.Equal(t, 204, res.Status)
		r := <-seen
		require.Equal(t, "k1", r.header.Get("X-Api-Key"))
		require.Equal(t, c.want, r.body, c.method)
		if c.contentType != "" {
			require.Equal(t, c.contentType, r.header.Get("Content-Type"))
		}
	}
}

func TestInvokeCannotBeMade(t *testing.T) {
	t.Parallel()
	v := NewInvoker(nil)
	for _, c := range []Call{
		{Endpoint: "https://example.com", Method: "CONNECT"},
		{Endpoint: "https://example.com", Method: "TRACE"},
		{Endpoint: "https://example.com", Method: "BAD METHOD"},
		{Endpoint: "ftp://example.com", Method: "POST"},
		{Endpoint: "/relative", Method: "POST"},
		{Endpoint: "https://example.com/*", Method: "POST"},
		{Endpoint: "https://example.com/x", Method: "POST", PathParams: []string{"extra"}},
		{Endpoint: "https://example.com/x", Method: "POST", Headers: map[string]string{"X-A": "a\r\nX-Injected: 1"}},
		{Endpoint: "https://example.com/x", Method: "POST", Headers: map[string]string{"Bad Name": "a"}},
	} {
		_, err := v.Invoke(context.Background(), &c)
		require.Error(t, err, "%+v", c)
	}
}

// TestClassify: 2xx delivered; 401, 407, 409, 429, 5xx retried; others not.
func TestClassify(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
		w.WriteHeader(n)
	}))
	defer srv.Close()
	v := NewInvoker(srv.Client())
	for status, retry := range map[int]bool{
		200: false, 201: false, 202: false, 204: false, 300: false, 304: false,
		400: false, 401: true, 403: false, 404: false, 405: false, 407: true, 409: true, 410: false,
		413: false, 422: false, 429: true, 500: true, 501: true, 502: true, 503: true, 504: true,
	} {
		res, err := v.Invoke(context.Background(), &Call{Endpoint: srv.URL + "/" + strconv.Itoa(status), Method: "POST"})
		require.NoError(t, err)
		require.Equal(t, status, res.Status)
		require.Equal(t, retry, res.Retryable, "status %d", status)
		require.Equal(t, status/100 == 2, res.Delivered(), "status %d", status)
	}
}

func TestTransportErrorsRetry(t *testing.T) {
	t.Parallel()
	// A server that is gone.
	srv := httptest.NewServer(http.NotFoundHandler())
	gone := srv.URL
	srv.Close()
	v := NewInvoker(nil)
	res, err := v.Invoke(context.Background(), &Call{Endpoint: gone, Method: "POST"})
	require.NoError(t, err)
	require.True(t, res.Retryable)
	require.Zero(t, res.Status)

	// A server that does not answer within the timeout.
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	v = NewInvoker(slow.Client())
	v.Timeout = 100 * time.Millisecond
	res, err = v.Invoke(context.Background(), &Call{Endpoint: slow.URL, Method: "POST"})
	require.NoError(t, err)
	require.True(t, res.Retryable)
	require.Contains(t, res.Reason, "deadline")
}

// tokenServer is an OAuth authorization endpoint that counts its token
// requests and hands out t1, t2, ...
type tokenServer struct {
	*httptest.Server
	requests atomic.Int32
	expires  string // expires_in as JSON
	status   atomic.Int32
	mu       sync.Mutex
	last     recorded
}

func newTokenServer(t *testing.T, expires string) *tokenServer {
	ts := &tokenServer{expires: expires}
	ts.status.Store(200)
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ts.mu.Lock()
		ts.last = recorded{r.Method, r.URL.Path, "", r.URL.Query(), r.Header.Clone(), string(b)}
		ts.mu.Unlock()
		if s := int(ts.status.Load()); s != 200 {
			w.WriteHeader(s)
			return
		}
		n := ts.requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"t`+strconv.Itoa(int(n))+`","token_type":"Bearer"`)
		if ts.expires != "" {
			_, _ = io.WriteString(w, `,"expires_in":`+ts.expires)
		}
		_, _ = io.WriteString(w, `}`)
	}))
	t.Cleanup(ts.Close)
	return ts
}

// bearerServer accepts the tokens in ok and refuses others with 401.
func bearerServer(t *testing.T, ok func(tok string) bool) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if !ok(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }

func oauthCall(endpoint, tokenURL string) *Call {
	return &Call{Destination: "arn:dest", Connection: "arn:conn", Endpoint: endpoint, Method: "POST", Body: []byte(`{}`),
		Auth: Auth{Type: AuthOAuth, AuthorizationEndpoint: tokenURL + "/oauth/token", HTTPMethod: "POST", ClientID: "id", ClientSecret: "sec",
			OAuthParameters: InvocationParameters{
				BodyParameters:        []Parameter{{Key: "audience", Value: "api"}},
				QueryStringParameters: []Parameter{{Key: "tenant", Value: "t"}},
				HeaderParameters:      []Parameter{{Key: "X-Oauth", Value: "h"}},
			}}}
}

func TestOAuthTokenCachedExpiredRefused(t *testing.T) {
	t.Parallel()
	ts := newTokenServer(t, `60`)
	refuse := atomic.Value{}
	refuse.Store("")
	api, calls := bearerServer(t, func(tok string) bool { return tok != "" && tok != refuse.Load().(string) })
	v := NewInvoker(nil)
	clk := &clock{}
	clk.ns.Store(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC).UnixNano())
	v.now = clk.now
	call := oauthCall(api.URL, ts.URL)
	ctx := context.Background()

	invoke := func() Result {
		t.Helper()
		res, err := v.Invoke(ctx, call)
		require.NoError(t, err)
		return res
	}
	require.Equal(t, 200, invoke().Status)
	require.Equal(t, 200, invoke().Status)
	require.EqualValues(t, 1, ts.requests.Load(), "the token is cached")

	// What the authorization endpoint was sent.
	ts.mu.Lock()
	last := ts.last
	ts.mu.Unlock()
	require.Equal(t, "POST", last.method)
	require.Equal(t, "/oauth/token", last.path)
	require.Equal(t, "t", last.query.Get("tenant"))
	require.Equal(t, "h", last.header.Get("X-Oauth"))
	require.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("id:sec")), last.header.Get("Authorization"))
	require.JSONEq(t, `{"audience":"api","grant_type":"client_credentials"}`, last.body)

	clk.advance(59 * time.Second)
	require.Equal(t, 200, invoke().Status)
	require.EqualValues(t, 1, ts.requests.Load(), "still valid at 59 s")
	clk.advance(2 * time.Second)
	require.Equal(t, 200, invoke().Status)
	require.EqualValues(t, 2, ts.requests.Load(), "expired at 61 s: fetched again")

	// The endpoint refuses t2: one new token, one more try.
	refuse.Store("t2")
	before := calls.Load()
	res := invoke()
	require.Equal(t, Result{Status: 200}, res)
	require.EqualValues(t, 3, ts.requests.Load())
	require.EqualValues(t, 2, calls.Load()-before, "the call was made again once")

	// Refused again and again: one retry only, and the 401 is retryable.
	api2, calls2 := bearerServer(t, func(string) bool { return false })
	call.Endpoint = api2.URL
	res = invoke()
	require.Equal(t, 401, res.Status)
	require.True(t, res.Retryable)
	require.EqualValues(t, 2, calls2.Load())
	require.EqualValues(t, 4, ts.requests.Load())

	// Forget drops the token (t4, which the first endpoint takes).
	call.Endpoint = api.URL
	require.Equal(t, 200, invoke().Status)
	require.EqualValues(t, 4, ts.requests.Load())
	v.Forget("arn:conn")
	require.Equal(t, 200, invoke().Status)
	require.EqualValues(t, 5, ts.requests.Load())

	// A changed secret is a new token too.
	call.Auth.ClientSecret = "sec2"
	require.Equal(t, 200, invoke().Status)
	require.EqualValues(t, 6, ts.requests.Load())
}

func TestOAuthOneFetchForConcurrentCalls(t *testing.T) {
	t.Parallel()
	ts := newTokenServer(t, `"3600"`) // a string, as some servers send it
	api, calls := bearerServer(t, func(tok string) bool { return tok == "t1" })
	v := NewInvoker(nil)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			res, err := v.Invoke(context.Background(), oauthCall(api.URL, ts.URL))
			require.NoError(t, err)
			require.Equal(t, 200, res.Status)
		})
	}
	wg.Wait()
	require.EqualValues(t, 1, ts.requests.Load())
	require.EqualValues(t, 16, calls.Load())
}

func TestOAuthTokenFailures(t *testing.T) {
	t.Parallel()
	ts := newTokenServer(t, "")
	api, calls := bearerServer(t, func(string) bool { return true })
	v := NewInvoker(nil)
	for status, retry := range map[int]bool{400: false, 401: false, 403: false, 429: true, 500: true, 503: true} {
		ts.status.Store(int32(status))
		res, err := v.Invoke(context.Background(), oauthCall(api.URL, ts.URL))
		require.NoError(t, err)
		require.Equal(t, status, res.Status)
		require.Equal(t, retry, res.Retryable, "token endpoint %d", status)
		require.Contains(t, res.Reason, "authorization endpoint")
	}
	require.Zero(t, calls.Load(), "no call without a token")

	// An answer without a token.
	empty := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, `{"error":"x"}`) }))
	defer empty.Close()
	res, err := v.Invoke(context.Background(), oauthCall(api.URL, empty.URL))
	require.NoError(t, err)
	require.False(t, res.Retryable)
	require.Contains(t, res.Reason, "access_token")

	// No expires_in: kept until refused.
	ts.status.Store(200)
	for range 3 {
		res, err := v.Invoke(context.Background(), oauthCall(api.URL, ts.URL))
		require.NoError(t, err)
		require.Equal(t, 200, res.Status)
	}
	require.EqualValues(t, 1, ts.requests.Load())
}

func TestOAuthFormAndGet(t *testing.T) {
	t.Parallel()
	ts := newTokenServer(t, "60")
	api, _ := bearerServer(t, func(tok string) bool { return tok != "" })
	v := NewInvoker(nil)
	call := oauthCall(api.URL, ts.URL)
	call.Auth.OAuthParameters.HeaderParameters = []Parameter{{Key: "Content-Type", Value: "application/x-www-form-urlencoded"}}
	_, err := v.Invoke(context.Background(), call)
	require.NoError(t, err)
	ts.mu.Lock()
	form, _ := url.ParseQuery(ts.last.body)
	ts.mu.Unlock()
	require.Equal(t, url.Values{"audience": {"api"}, "grant_type": {"client_credentials"}}, form)

	call = oauthCall(api.URL, ts.URL)
	call.Connection = "arn:other"
	call.Auth.HTTPMethod = "GET"
	_, err = v.Invoke(context.Background(), call)
	require.NoError(t, err)
	ts.mu.Lock()
	defer ts.mu.Unlock()
	require.Equal(t, "GET", ts.last.method)
	require.Equal(t, "client_credentials", ts.last.query.Get("grant_type"))
	require.Empty(t, ts.last.body)
}

// TestRateLimit: 30 calls at 20 a second (a bucket of 20) take at least
// half a second, every one reaching the endpoint.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
	defer srv.Close()
	v := NewInvoker(srv.Client())
	call := &Call{Destination: "arn:limited", Endpoint: srv.URL, Method: "POST", RateLimit: 20}
	start := time.Now()
	var wg sync.WaitGroup
	for range 30 {
		wg.Go(func() {
			res, err := v.Invoke(context.Background(), call)
			require.NoError(t, err)
			require.Equal(t, 200, res.Status)
		})
	}
	wg.Wait()
	require.GreaterOrEqual(t, time.Since(start), 450*time.Millisecond) // (30-20)/20 s, less the limiter's rounding
	require.EqualValues(t, 30, n.Load())

	// A call that cannot get a turn before its deadline is retryable and
	// never made.
	one := &Call{Destination: "arn:one", Endpoint: srv.URL, Method: "POST", RateLimit: 1}
	_, err := v.Invoke(context.Background(), one)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	res, err := v.Invoke(ctx, one)
	require.NoError(t, err)
	require.True(t, res.Retryable)
	require.Contains(t, res.Reason, "rate limit")
	require.EqualValues(t, 31, n.Load())
}

func TestValidateAuth(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 513)
	ok := []Auth{
		{Type: AuthBasic, Username: "u", Password: "p"},
		{Type: AuthAPIKey, APIKeyName: "x-api-key", APIKeyValue: "v"},
		{Type: AuthOAuth, AuthorizationEndpoint: "https://auth.example.com/token", HTTPMethod: "POST", ClientID: "id", ClientSecret: "s",
			OAuthParameters: InvocationParameters{BodyParameters: []Parameter{{Key: "audience", Value: "x"}}}},
	}
	for _, a := range ok {
		require.NoError(t, ValidateAuth(&a))
	}
	for _, c := range []struct {
		auth Auth
		want string
	}{
		{Auth{Type: "DIGEST"}, "Member must satisfy enum value set: [BASIC, OAUTH_CLIENT_CREDENTIALS, API_KEY]"},
		{Auth{Type: AuthBasic, Password: "p"}, "'authParameters.basicAuthParameters.username' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{Auth{Type: AuthBasic, Username: "u"}, "basicAuthParameters.password"},
		{Auth{Type: AuthBasic, Username: long, Password: "p"}, "less than or equal to 512"},
		{Auth{Type: AuthAPIKey, APIKeyValue: "v"}, "apiKeyAuthParameters.apiKeyName"},
		{Auth{Type: AuthAPIKey, APIKeyName: "k"}, "apiKeyAuthParameters.apiKeyValue"},
		{Auth{Type: AuthAPIKey, APIKeyName: "a:b", APIKeyValue: "v"}, "regular expression pattern"},
		{Auth{Type: AuthAPIKey, APIKeyName: "k", APIKeyValue: "v\n"}, "regular expression pattern"},
		{Auth{Type: AuthOAuth, HTTPMethod: "POST", ClientID: "i", ClientSecret: "s"}, "authorizationEndpoint"},
		{Auth{Type: AuthOAuth, AuthorizationEndpoint: "not a url", HTTPMethod: "POST", ClientID: "i", ClientSecret: "s"}, "Invalid authorization endpoint"},
		{Auth{Type: AuthOAuth, AuthorizationEndpoint: "https://a/t", HTTPMethod: "DELETE", ClientID: "i", ClientSecret: "s"}, "[GET, POST, PUT]"},
		{Auth{Type: AuthOAuth, AuthorizationEndpoint: "https://a/t", HTTPMethod: "GET", ClientSecret: "s"}, "clientParameters.clientID"},
		{Auth{Type: AuthOAuth, AuthorizationEndpoint: "https://a/t", HTTPMethod: "GET", ClientID: "i"}, "clientParameters.clientSecret"},
		{Auth{Type: AuthBasic, Username: "u", Password: "p", Invocation: InvocationParameters{HeaderParameters: []Parameter{{Key: "bad key", Value: "v"}}}}, "invocationHttpParameters.headerParameters.member.key"},
		{Auth{Type: AuthBasic, Username: "u", Password: "p", Invocation: InvocationParameters{HeaderParameters: []Parameter{{Key: "k", Value: "a\rb"}}}}, "headerParameters.member.value"},
		{Auth{Type: AuthBasic, Username: "u", Password: "p", Invocation: InvocationParameters{QueryStringParameters: []Parameter{{Key: "", Value: "v"}}}}, "queryStringParameters.member.key"},
		{Auth{Type: AuthBasic, Username: "u", Password: "p", Invocation: InvocationParameters{BodyParameters: []Parameter{{Key: "k", Value: long}}}}, "bodyParameters.member.value"},
		{Auth{Type: AuthBasic, Username: "u", Password: "p", Invocation: InvocationParameters{BodyParameters: make([]Parameter, 101)}}, "less than or equal to 100"},
	} {
		err := ValidateAuth(&c.auth)
		var e *Error
		require.ErrorAs(t, err, &e, "%+v", c.auth)
		require.Contains(t, e.Message, c.want)
		require.NotContains(t, e.Message, "sec", "a secret in a message")
	}
}

func TestMergeBodyKeepsValues(t *testing.T) {
	t.Parallel()
	got := mergeBody([]byte(`{"n":1.50,"s":"x"}`), []Parameter{{Key: "k", Value: `quote"d`}})
	var m map[string]any
	require.NoError(t, json.Unmarshal(got, &m))
	require.Equal(t, `{"k":"quote\"d","n":1.50,"s":"x"}`, string(got))
}
