package gateway_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/gateway"
	"github.com/signalbox/signalbox/runtime"
)

func TestRouteAsyncStartsAnExecutionWithTheDefaultMapping(t *testing.T) {
	t.Parallel()
	b := newGW(t, gateway.Options{Routes: []gateway.Route{
		{Method: "POST", Path: "/orders/{id}", StateMachine: "orders"},
	}}, gwMachine{"orders", gwEcho, runtime.TypeStandard})

	r := b.do(t, "POST", "/orders/o%2042?x=1&x=2&y=", `{"item":"book","qty":2}`,
		"Content-Type", "application/json", "X-Custom", "yes", "x-api-key", "not-a-secret-here", "Authorization", "Bearer nope")
	require.Equal(t, http.StatusAccepted, r.status, "%s", r.body)
	started := r.json(t)
	arn, _ := started["executionArn"].(string)
	require.True(t, strings.HasPrefix(arn, "arn:aws:states:us-east-1:123456789012:execution:orders:"), arn)
	startDate, ok := started["startDate"].(float64)
	require.True(t, ok, "startDate is epoch seconds: %v", started["startDate"])
	require.InDelta(t, float64(time.Now().Unix()), startDate, 60)
	location := r.header.Get("Location")
	require.Equal(t, "/api/v1/executions/"+arn, location)
	requestID := r.header.Get("x-amzn-RequestId")
	require.NotEmpty(t, requestID)

	e := b.waitStatus(t, location, "SUCCEEDED")
	out := e["output"].(map[string]any)
	require.Equal(t, map[string]any{"item": "book", "qty": float64(2)}, out["body"])
	require.Equal(t, map[string]any{"id": "o 42"}, out["path"])
	require.Equal(t, map[string]any{"x": "1,2", "y": ""}, out["query"])
	headers := out["headers"].(map[string]any)
	require.Equal(t, "yes", headers["x-custom"])
	require.Equal(t, "application/json", headers["content-type"])
	require.NotContains(t, headers, "x-api-key", "keys are not kept in the execution's input")
	require.NotContains(t, headers, "authorization")
	require.Equal(t, map[string]any{
		"requestId": requestID, "sourceIp": "127.0.0.1", "method": "POST", "path": "/orders/o 42",
		"routeKey": "POST /orders/{id}", "stage": "$default",
	}, out["context"])
	require.Equal(t, e["input"], e["output"])
}

func TestRouteBodyMapping(t *testing.T) {
	t.Parallel()
	b := newGW(t, gateway.Options{Routes: []gateway.Route{
		{Method: "ANY", Path: "/echo", StateMachine: "echo", Mode: "sync", Mapping: "body"},
	}}, gwMachine{"echo", gwEcho, runtime.TypeExpress})

	for _, tc := range []struct {
		name, method, body, contentType, want string
	}{
		{"json", "POST", `{"a":[1,2,{"b":null}]}`, "application/json", `{"a":[1,2,{"b":null}]}`},
		{"json without a content type", "PUT", `[1,"two"]`, "", `[1,"two"]`},
		{"a +json type", "POST", `{"v":1}`, "application/vnd.example+json; charset=utf-8", `{"v":1}`},
		{"text", "POST", "plain words", "text/plain", `"plain words"`},
		{"a form is text", "POST", "a=1&b=2", "application/x-www-form-urlencoded", `"a=1\u0026b=2"`},
		{"JSON sent as a form (curl -d)", "POST", `{"a":1}`, "application/x-www-form-urlencoded", `{"a":1}`},
		{"no body", "GET", "", "", `{}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := []string{}
			if tc.contentType != "" {
				h = append(h, "Content-Type", tc.contentType)
			}
			r := b.do(t, tc.method, "/echo", tc.body, h...)
			require.Equal(t, http.StatusOK, r.status, "%s", r.body)
			require.JSONEq(t, tc.want, string(r.body))
			require.Contains(t, r.header.Get("x-signalbox-execution-arn"), ":express:echo:")
		})
	}
}

func TestRouteSyncAnswersTheOutputOrTheError(t *testing.T) {
	t.Parallel()
	b := newGW(t, gateway.Options{Routes: []gateway.Route{
		{Method: "POST", Path: "/quote", StateMachine: "echo", Mode: "sync", Mapping: "body"},
		{Method: "POST", Path: "/fail", StateMachine: "fail", Mode: "sync"},
		{Method: "POST", Path: "/fail422", StateMachine: "fail", Mode: "sync", ErrorStatus: 422},
		{Method: "POST", Path: "/slow", StateMachine: "slow", Mode: "sync", Timeout: 50 * time.Millisecond},
		{Method: "POST", Path: "/bare", StateMachine: "bare", Mode: "sync"},
	}}, gwMachine{"echo", gwEcho, runtime.TypeExpress}, gwMachine{"fail", gwFail, runtime.TypeExpress}, gwMachine{"slow", gwWait, runtime.TypeExpress},
		gwMachine{"bare", `{"StartAt":"F","States":{"F":{"Type":"Fail"}}}`, runtime.TypeExpress})

	r := b.do(t, "POST", "/quote", `{"price":12.5}`, "Content-Type", "application/json")
	require.Equal(t, http.StatusOK, r.status)
	require.JSONEq(t, `{"price":12.5}`, string(r.body))

	r = b.do(t, "POST", "/fail", `{}`)
	require.Equal(t, http.StatusInternalServerError, r.status)
	require.JSONEq(t, `{"error":"OutOfStock","cause":"none left"}`, string(r.body))

	r = b.do(t, "POST", "/fail422", `{}`)
	require.Equal(t, http.StatusUnprocessableEntity, r.status)
	require.JSONEq(t, `{"error":"OutOfStock","cause":"none left"}`, string(r.body))

	// a failure without an error or cause shows neither, as AWS omits them
	r = b.do(t, "POST", "/bare", `{}`)
	require.Equal(t, http.StatusInternalServerError, r.status)
	require.JSONEq(t, `{}`, string(r.body))

	start := time.Now()
	r = b.do(t, "POST", "/slow", `{}`)
	require.Equal(t, http.StatusGatewayTimeout, r.status, "%s", r.body)
	require.Contains(t, r.json(t)["message"], "timed out")
	require.Less(t, time.Since(start), 10*time.Second)
	for _, m := range []string{"echo", "fail", "slow", "bare"} {
		require.Zero(t, b.executions(t, m), "an Express execution keeps nothing in the store")
	}
}

func TestRouteAPIKeys(t *testing.T) {
	t.Parallel()
	const alice, bob = "alice-key-0123456789", "bob-key-0123456789"
	b := newGW(t, gateway.Options{Routes: []gateway.Route{
		{Method: "POST", Path: "/orders", StateMachine: "orders", APIKeys: []string{alice, bob}},
	}}, gwMachine{"orders", gwEcho, runtime.TypeStandard})

	for _, h := range [][]string{nil, {"x-api-key", "wrong-key-0123456789"}, {"x-api-key", alice[:10]}} {
		r := b.do(t, "POST", "/orders", `{}`, h...)
		require.Equal(t, http.StatusForbidden, r.status, "%v", h)
		require.JSONEq(t, `{"message":"Forbidden"}`, string(r.body))
	}
	require.Zero(t, b.executions(t, "orders"), "a refused request starts nothing")

	r := b.do(t, "POST", "/orders", `{}`, "x-api-key", alice)
	require.Equal(t, http.StatusAccepted, r.status, "%s", r.body)
	e := b.waitStatus(t, r.header.Get("Location"), "SUCCEEDED")
	name := e["name"].(string)
	id := strings.SplitN(name, "-", 2)[0]
	require.Len(t, id, 12, "the execution's name starts with the key's id: %s", name)
	ctx := e["output"].(map[string]any)["context"].(map[string]any)
	require.Equal(t, id, ctx["apiKeyId"])

	r = b.do(t, "POST", "/orders", `{}`, "x-api-key", bob)
	require.Equal(t, http.StatusAccepted, r.status)
	e = b.waitStatus(t, r.header.Get("Location"), "SUCCEEDED")
	require.False(t, strings.HasPrefix(e["name"].(string), id+"-"), "each key has its own id")
}

func TestRouteRateLimitPerKey(t *testing.T) {
	t.Parallel()
	const alice, bob = "alice-key-0123456789", "bob-key-0123456789"
	b := newGW(t, gateway.Options{Routes: []gateway.Route{
		{Method: "POST", Path: "/keyed", StateMachine: "echo", Mode: "sync", APIKeys: []string{alice, bob},
			RateLimit: &gateway.RateLimit{RequestsPerSecond: 0.001, Burst: 2}},
		{Method: "POST", Path: "/open", StateMachine: "echo", Mode: "sync",
			RateLimit: &gateway.RateLimit{RequestsPerSecond: 0.001, Burst: 1}},
	}}, gwMachine{"echo", gwEcho, runtime.TypeExpress})

	for range 2 {
		require.Equal(t, http.StatusOK, b.do(t, "POST", "/keyed", `{}`, "x-api-key", alice).status)
	}
	r := b.do(t, "POST", "/keyed", `{}`, "x-api-key", alice)
	require.Equal(t, http.StatusTooManyRequests, r.status)
	require.JSONEq(t, `{"message":"Too Many Requests"}`, string(r.body))
	require.NotEmpty(t, r.header.Get("Retry-After"))
	require.Equal(t, http.StatusOK, b.do(t, "POST", "/keyed", `{}`, "x-api-key", bob).status, "bob has a bucket of his own")
	require.Equal(t, http.StatusForbidden, b.do(t, "POST", "/keyed", `{}`).status, "the key is checked before the rate")

	require.Equal(t, http.StatusOK, b.do(t, "POST", "/open", `{}`).status)
	require.Equal(t, http.StatusTooManyRequests, b.do(t, "POST", "/open", `{}`).status, "without keys, the bucket is the client's address")
}

func TestRouteMalformedRequestsStartNothing(t *testing.T) {
	t.Parallel()
	b := newGW(t, gateway.Options{Routes: []gateway.Route{
		{Method: "POST", Path: "/orders", StateMachine: "orders", MaxBodyBytes: 64},
		{Method: "POST", Path: "/big", StateMachine: "orders", MaxBodyBytes: 1 << 20},
	}}, gwMachine{"orders", gwEcho, runtime.TypeStandard})

	for _, tc := range []struct {
		name        string
		path, body  string
		headers     []string
		status      int
		messagePart string
	}{
		{"bad JSON", "/orders", `{"item":`, []string{"Content-Type", "application/json"}, 400, "Could not parse request body into json"},
		{"bad JSON without a content type", "/orders", `{nope}`, nil, 400, "Could not parse request body into json"},
		{"two JSON values", "/orders", `{} {}`, nil, 400, "Could not parse request body into json"},
		{"a body over the route's limit", "/orders", `{"pad":"` + strings.Repeat("x", 100) + `"}`, nil, 413, "Request Too Long"},
		{"a malformed content type", "/orders", `{}`, []string{"Content-Type", "application/json; charset"}, 400, "Malformed Content-Type"},
		{"binary text", "/orders", "\xff\xfe\x00", []string{"Content-Type", "application/octet-stream"}, 415, "not UTF-8"},
		{"an input over 256 KiB", "/big", `{"pad":"` + strings.Repeat("x", 300*1024) + `"}`, nil, 413, "more than the 262144"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := b.do(t, "POST", tc.path, tc.body, tc.headers...)
			require.Equal(t, tc.status, r.status, "%s", r.body)
			require.Contains(t, r.json(t)["message"], tc.messagePart)
		})
	}

	// A chunked body has no Content-Length: the limit applies as it is read.
	req, err := http.NewRequest("POST", b.url+"/orders", io.MultiReader(strings.NewReader(`{"pad":"`), bytes.NewReader(bytes.Repeat([]byte("y"), 200)), strings.NewReader(`"}`)))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	require.Zero(t, req.ContentLength, "the length is unknown: the request was sent chunked")

	r := b.do(t, "POST", "/orders?bad=%zz", `{}`)
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Contains(t, r.json(t)["message"], "Malformed query string")

	require.Zero(t, b.executions(t, "orders"), "no malformed request started an execution")
}

func TestRouteMatching(t *testing.T) {
	t.Parallel()
	route := func(method, path string) gateway.Route {
		return gateway.Route{Method: method, Path: path, StateMachine: "echo", Mode: "sync"}
	}
	b := newGW(t, gateway.Options{Routes: []gateway.Route{
		route("GET", "/items/{id}"),
		route("GET", "/items/special"),
		route("ANY", "/items/{id}"),
		route("GET", "/files/{path+}"),
		route("GET", "/files/{dir}/readme"),
		route("DELETE", "/things/{id}"),
		route("PUT", "/things/{id}"),
		route("GET", "/"),
	}}, gwMachine{"echo", gwEcho, runtime.TypeExpress})

	served := func(method, path string) (string, map[string]any) {
		t.Helper()
		r := b.do(t, method, path, "")
		require.Equal(t, http.StatusOK, r.status, "%s %s: %s", method, path, r.body)
		out := r.json(t)
		return out["context"].(map[string]any)["routeKey"].(string), out["path"].(map[string]any)
	}
	for _, tc := range []struct {
		method, path, routeKey string
		params                 map[string]any
	}{
		{"GET", "/items/42", "GET /items/{id}", map[string]any{"id": "42"}},
		{"GET", "/items/special", "GET /items/special", map[string]any{}},
		{"GET", "/items/special/", "GET /items/special", map[string]any{}},
		{"POST", "/items/42", "ANY /items/{id}", map[string]any{"id": "42"}},
		{"GET", "/files/a/b/c.txt", "GET /files/{path+}", map[string]any{"path": "a/b/c.txt"}},
		{"GET", "/files/docs/readme", "GET /files/{dir}/readme", map[string]any{"dir": "docs"}},
		{"GET", "/files/x%2Fy", "GET /files/{path+}", map[string]any{"path": "x/y"}},
		{"GET", "/", "GET /", map[string]any{}},
	} {
		key, params := served(tc.method, tc.path)
		require.Equal(t, tc.routeKey, key, "%s %s", tc.method, tc.path)
		require.Equal(t, tc.params, params, "%s %s", tc.method, tc.path)
	}

	r := b.do(t, "GET", "/nothing/here", "")
	require.Equal(t, http.StatusNotFound, r.status)
	require.JSONEq(t, `{"message":"Not Found"}`, string(r.body))
	r = b.do(t, "GET", "/files", "")
	require.Equal(t, http.StatusNotFound, r.status, "a greedy parameter takes one segment at least")
	r = b.do(t, "GET", "/things/1", "")
	require.Equal(t, http.StatusMethodNotAllowed, r.status)
	require.Equal(t, "DELETE, PUT", r.header.Get("Allow"))
	r = b.do(t, "GET", "/api/v1/nothing", "")
	require.Equal(t, http.StatusNotFound, r.status)
	require.Equal(t, "NotFound", r.json(t)["error"].(map[string]any)["code"], "the management API's shape under /api/v1")

	// The AWS protocol keeps POST /.
	r = b.do(t, "POST", "/", `{}`, "X-Amz-Target", "AWSStepFunctions.ListStateMachines", "Content-Type", "application/x-amz-json-1.0")
	require.Equal(t, http.StatusOK, r.status, "%s", r.body)
	require.Contains(t, r.json(t), "stateMachines")
}

func TestRouteCORS(t *testing.T) {
	t.Parallel()
	b := newGW(t, gateway.Options{Routes: []gateway.Route{
		{Method: "POST", Path: "/orders", StateMachine: "echo", Mode: "sync", APIKeys: []string{"cors-key-0123456789"},
			CORS: &gateway.CORS{AllowOrigins: []string{"https://shop.example.com"}, ExposeHeaders: []string{"Location"}, MaxAge: 600}},
		{Method: "GET", Path: "/public", StateMachine: "echo", Mode: "sync", CORS: &gateway.CORS{AllowOrigins: []string{"*"}}},
		{Method: gateway.MethodAny, Path: "/any", StateMachine: "echo", Mode: "sync", CORS: &gateway.CORS{AllowOrigins: []string{"*"}, AllowMethods: []string{"GET"}}},
	}}, gwMachine{"echo", gwEcho, runtime.TypeExpress})

	r := b.do(t, "OPTIONS", "/orders", "", "Origin", "https://shop.example.com", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type, x-api-key")
	require.Equal(t, http.StatusNoContent, r.status, "a preflight needs no key: %s", r.body)
	require.Equal(t, "https://shop.example.com", r.header.Get("Access-Control-Allow-Origin"))
	require.Equal(t, "POST", r.header.Get("Access-Control-Allow-Methods"))
	require.Equal(t, "content-type, x-api-key", r.header.Get("Access-Control-Allow-Headers"))
	require.Equal(t, "600", r.header.Get("Access-Control-Max-Age"))
	require.Equal(t, "Origin", r.header.Get("Vary"))

	r = b.do(t, "OPTIONS", "/orders", "", "Origin", "https://evil.example.com", "Access-Control-Request-Method", "POST")
	require.Equal(t, http.StatusForbidden, r.status)
	require.Empty(t, r.header.Get("Access-Control-Allow-Origin"))

	r = b.do(t, "POST", "/orders", `{}`, "Origin", "https://shop.example.com", "x-api-key", "cors-key-0123456789")
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "https://shop.example.com", r.header.Get("Access-Control-Allow-Origin"))
	require.Equal(t, "Location", r.header.Get("Access-Control-Expose-Headers"))
	r = b.do(t, "POST", "/orders", `{}`, "Origin", "https://shop.example.com")
	require.Equal(t, http.StatusForbidden, r.status)
	require.Equal(t, "https://shop.example.com", r.header.Get("Access-Control-Allow-Origin"), "a browser may read the refusal")

	r = b.do(t, "GET", "/public", "", "Origin", "https://anyone.example.org")
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "*", r.header.Get("Access-Control-Allow-Origin"))
	r = b.do(t, "OPTIONS", "/public", "", "Origin", "https://anyone.example.org", "Access-Control-Request-Method", "DELETE")
	require.Equal(t, http.StatusMethodNotAllowed, r.status, "no route takes DELETE /public: not a CORS route's preflight")

	// what a stock CORS middleware (gin-contrib/cors) would do otherwise:
	// origins compare without case; a request from an origin not allowed
	// is served, without the headers that let a browser read it; a
	// preflight for a method the route's policy leaves out is refused
	r = b.do(t, "OPTIONS", "/orders", "", "Origin", "https://SHOP.example.com", "Access-Control-Request-Method", "POST")
	require.Equal(t, http.StatusNoContent, r.status)
	require.Equal(t, "https://SHOP.example.com", r.header.Get("Access-Control-Allow-Origin"))
	r = b.do(t, "POST", "/orders", `{}`, "Origin", "https://evil.example.com", "x-api-key", "cors-key-0123456789")
	require.Equal(t, http.StatusOK, r.status)
	require.Empty(t, r.header.Get("Access-Control-Allow-Origin"))
	r = b.do(t, "OPTIONS", "/any", "", "Origin", "https://anyone.example.org", "Access-Control-Request-Method", "PUT")
	require.Equal(t, http.StatusForbidden, r.status)
	r = b.do(t, "OPTIONS", "/any", "", "Origin", "https://anyone.example.org", "Access-Control-Request-Method", "GET")
	require.Equal(t, http.StatusNoContent, r.status)
	require.Equal(t, "GET", r.header.Get("Access-Control-Allow-Methods"))
}

func TestRouteToAMissingStateMachine(t *testing.T) {
	t.Parallel()
	b := newGW(t, gateway.Options{Routes: []gateway.Route{{Method: "POST", Path: "/gone", StateMachine: "gone"}}})
	r := b.do(t, "POST", "/gone", `{}`)
	require.Equal(t, http.StatusInternalServerError, r.status)
	require.Equal(t, "StateMachineDoesNotExist", r.json(t)["__type"])
}

func TestRouteInvalidRoutesAreLeftOut(t *testing.T) {
	t.Parallel()
	b := newGW(t, gateway.Options{Routes: []gateway.Route{
		{Method: "POST", Path: "/ok", StateMachine: "echo", Mode: "sync"},
		{Method: "POST", Path: "no-slash", StateMachine: "echo"},
		{Method: "POST", Path: "/ok", StateMachine: "echo"},
	}}, gwMachine{"echo", gwEcho, runtime.TypeExpress})
	require.Equal(t, http.StatusOK, b.do(t, "POST", "/ok", "").status)
	r := b.do(t, "GET", "/api/v1/routes", "")
	require.Equal(t, http.StatusOK, r.status)
	require.Len(t, r.json(t)["routes"], 1)
}
