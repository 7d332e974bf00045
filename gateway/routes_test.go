package gateway

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPathTemplates(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		path, shape, err string
	}{
		{"/", "", ""},
		{"/orders", "/orders", ""},
		{"/orders/{id}", "/orders/{}", ""},
		{"/orders/{id}/items/{item_no}", "/orders/{}/items/{}", ""},
		{"/files/{proxy+}", "/files/{+}", ""},
		{"/v1.2/{a.b-c}", "/v1.2/{}", ""},
		{"orders", "", "must start with /"},
		{"/orders/", "", "empty segment"},
		{"/a//b", "", "empty segment"},
		{"/{p+}/x", "", "must be the last segment"},
		{"/x/{id}/{id}", "", "names the parameter {id} twice"},
		{"/order-{id}", "", "neither a literal nor a whole {parameter}"},
		{"/{}", "", "neither a literal nor a whole {parameter}"},
		{"/a b", "", "may not hold"},
		{"/a%20b", "", "may not hold"},
	} {
		tmpl, err := parsePathTemplate(tc.path)
		if tc.err != "" {
			require.ErrorContains(t, err, tc.err, tc.path)
			continue
		}
		require.NoError(t, err, tc.path)
		require.Equal(t, tc.shape, tmpl.shape(), tc.path)
	}
}

func TestPathTemplateSpecificity(t *testing.T) {
	t.Parallel()
	tm := func(p string) pathTemplate {
		t.Helper()
		x, err := parsePathTemplate(p)
		require.NoError(t, err)
		return x
	}
	require.True(t, tm("/a/b").moreSpecific(tm("/a/{x}")))
	require.True(t, tm("/a/{x}").moreSpecific(tm("/a/{x+}")))
	require.True(t, tm("/a/b/{y}").moreSpecific(tm("/a/{x}/c")), "the first differing segment decides")
	require.False(t, tm("/a/{x}").moreSpecific(tm("/a/{y}")))
}

func TestCheckRoutesReportsEveryProblem(t *testing.T) {
	t.Parallel()
	routes := []Route{
		{Method: "POST", Path: "/orders/{id}", StateMachine: "orders"},
		{Method: "post", Path: "/orders/{orderId}", StateMachine: "other"},
		{Method: "GET", Path: "/orders/{id}", StateMachine: "orders"},
		{Method: "FETCH", Path: "/api/v1/x", Mode: "later", Mapping: "all", ErrorStatus: 200, Timeout: time.Second,
			APIKeys: []string{"short", "a key with spaces", "short"}, RateLimit: &RateLimit{RequestsPerSecond: 0, Burst: -1},
			CORS: &CORS{AllowOrigins: []string{"*", "example.com"}, AllowMethods: []string{"FETCH"}, AllowHeaders: []string{"bad header"}, ExposeHeaders: []string{"ok", "bad:"}, AllowCredentials: true, MaxAge: -1}},
		{Method: "POST", Path: "/", StateMachine: "x"},
		{Method: "GET", Path: "/api/v1", StateMachine: "x", MaxBodyBytes: -1},
		{Method: "POST", Path: "/ok", StateMachine: "x", Mode: "async", Timeout: time.Second},
	}
	var got []string
	for _, e := range CheckRoutes(routes) {
		got = append(got, string(rune('0'+e.Index))+" "+e.Error())
	}
	require.Equal(t, []string{
		`1 path: POST /orders/{orderId} takes the same requests as route 0 (POST /orders/{id})`,
		`3 method: "FETCH" is not one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY`,
		`3 path: "/api/v1/x" is reserved for the management API (/api/v1)`,
		`3 stateMachine: required`,
		`3 mode: "later" is neither async nor sync`,
		`3 mapping: "all" is neither default nor body`,
		`3 errorStatus: 200 is not an error status (400 to 599)`,
		`3 apiKeys[0]: an API key must be at least 8 characters long`,
		`3 apiKeys[1]: an API key may not contain white space or control characters`,
		`3 apiKeys[2]: an API key must be at least 8 characters long`,
		`3 apiKeys[2]: the same key as apiKeys[0]`,
		`3 rateLimit.requestsPerSecond: must be a positive number`,
		`3 rateLimit.burst: must be positive`,
		`3 cors.allowOrigins[0]: "*" may not be used with allowCredentials`,
		`3 cors.allowOrigins[1]: "example.com" is not an origin (scheme://host[:port]) nor "*"`,
		`3 cors.allowMethods[0]: "FETCH" is not an HTTP method`,
		`3 cors.allowHeaders[0]: "bad header" is not a header name`,
		`3 cors.exposeHeaders[1]: "bad:" is not a header name`,
		`3 cors.maxAge: must be positive`,
		`4 path: POST / is the endpoint of the AWS protocols (Step Functions' API); a user route may not take it`,
		`5 path: "/api/v1" is reserved for the management API (/api/v1)`,
		`5 maxBodyBytes: must be positive`,
		`6 timeout: applies to sync routes only`,
	}, got)
}

func TestDecodeRoute(t *testing.T) {
	t.Parallel()
	var v any
	dec := json.NewDecoder(strings.NewReader(`{"method":"POST","path":"/q","stateMachine":"m","mode":"sync","mapping":"body",
		"errorStatus":422,"timeout":"30s","apiKeys":["k-0123456789"],"maxBodyBytes":1024,
		"rateLimit":{"requestsPerSecond":2.5,"burst":5},
		"cors":{"allowOrigins":["https://a.example"],"allowMethods":["POST"],"allowHeaders":["content-type"],"exposeHeaders":["x"],"maxAge":60,"allowCredentials":true}}`))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&v))
	r, errs := DecodeRoute(v)
	require.Empty(t, errs)
	require.Equal(t, Route{Method: "POST", Path: "/q", StateMachine: "m", Mode: "sync", Mapping: "body", ErrorStatus: 422,
		Timeout: 30 * time.Second, APIKeys: []string{"k-0123456789"}, MaxBodyBytes: 1024,
		RateLimit: &RateLimit{RequestsPerSecond: 2.5, Burst: 5},
		CORS: &CORS{AllowOrigins: []string{"https://a.example"}, AllowMethods: []string{"POST"}, AllowHeaders: []string{"content-type"},
			ExposeHeaders: []string{"x"}, MaxAge: 60, AllowCredentials: true}}, r)
	require.Empty(t, r.Validate())

	// YAML decodes numbers as int and float64: both are taken.
	r, errs = DecodeRoute(map[string]any{"method": "GET", "path": "/x", "stateMachine": "m", "maxBodyBytes": 10, "timeout": 1.5, "rateLimit": map[string]any{"requestsPerSecond": 1}})
	require.Empty(t, errs)
	require.Equal(t, int64(10), r.MaxBodyBytes)
	require.Equal(t, 1500*time.Millisecond, r.Timeout)

	_, errs = DecodeRoute(map[string]any{"method": 1, "paht": "/x", "apiKeys": "k", "errorStatus": 4.5, "timeout": "soon",
		"cors": map[string]any{"allowOrigins": []any{"a", 2}, "allowCredentials": "yes", "x": 1}, "rateLimit": []any{}})
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	require.Equal(t, []string{
		`apiKeys: must be a list of strings, got the string "k"`,
		`cors.allowCredentials: must be true or false, got the string "yes"`,
		`cors.allowOrigins[1]: must be a string, got the number 2`,
		`cors.x: unknown key (known: allowCredentials, allowHeaders, allowMethods, allowOrigins, exposeHeaders, maxAge)`,
		`errorStatus: must be a whole number, got the number 4.5`,
		`method: must be a string, got the number 1`,
		`paht: unknown key (known: apiKeys, cors, errorStatus, keepHeaders, mapping, maxBodyBytes, messageGroupId, method, mode, path, public, queue, rateLimit, stateMachine, timeout)`,
		`rateLimit: must be an object, got a list`,
		`timeout: "soon" is not a duration (such as 30s or 5m)`,
	}, got)
	_, errs = DecodeRoute("POST /x")
	require.Equal(t, []FieldError{{"", `must be an object, got the string "POST /x"`}}, errs)
}

func TestRateLimiterRefills(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	l := newRouteLimiter(&RateLimit{RequestsPerSecond: 2, Burst: 2})
	l.now = func() time.Time { return now }
	for range 2 {
		ok, _ := l.allow("k")
		require.True(t, ok)
	}
	ok, wait := l.allow("k")
	require.False(t, ok)
	require.Equal(t, 500*time.Millisecond, wait)
	ok, _ = l.allow("other")
	require.True(t, ok, "buckets are per caller")
	now = now.Add(500 * time.Millisecond)
	ok, _ = l.allow("k")
	require.True(t, ok, "half a second refills one token at 2/s")
	ok, _ = l.allow("k")
	require.False(t, ok)
}

// Past maxTokenBuckets callers, the buckets that have refilled are dropped
// (a new one would be full), and a bucket still short of tokens is kept.
func TestRateLimiterPrunesFullBuckets(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	l := newRouteLimiter(&RateLimit{RequestsPerSecond: 1, Burst: 5})
	l.now = func() time.Time { return now }
	for i := range maxTokenBuckets {
		ok, _ := l.allow(fmt.Sprint("idle-", i))
		require.True(t, ok)
	}
	now = now.Add(time.Second) // the idle ones are full again
	for range 5 {
		ok, _ := l.allow("busy")
		require.True(t, ok)
	}
	require.Len(t, l.buckets, 1, "the idle buckets were dropped for the new caller")
	ok, wait := l.allow("busy")
	require.False(t, ok, "the busy caller's bucket was kept, empty")
	require.Equal(t, time.Second, wait)
}
