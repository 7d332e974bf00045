package httptask_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/integrations/httptask"
)

// seen is one request as the server received it.
type seen struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   string
}

// recorder is a loopback server that records every request and answers
// with respond (default: 200 with a small JSON body).
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func newRecorder(t *testing.T, respond http.HandlerFunc) *recorder {
	t.Helper()
	r := &recorder{}
	if respond == nil {
		respond = func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"ok":true,"n":7,"f":1.5}`)
		}
	}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, seen{Method: req.Method, Path: req.URL.Path, RawQuery: req.URL.RawQuery, Header: req.Header.Clone(), Body: string(b)})
		r.mu.Unlock()
		respond(w, req)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) requests() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seen(nil), r.reqs...)
}

// params decodes a JSON text of parameters into the values the runtime
// hands a handler.
func params(t *testing.T, format string, args ...any) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(fmt.Sprintf(format, args...)))
	d.UseNumber()
	var v any
	require.NoError(t, d.Decode(&v))
	return plain(v)
}

func plain(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, e := range x {
			x[k] = plain(e)
		}
	case []any:
		for i, e := range x {
			x[i] = plain(e)
		}
	}
	return v
}

func invoke(t *testing.T, h integrations.Handler, p any) (map[string]any, error) {
	t.Helper()
	out, err := h.Invoke(context.Background(), &integrations.Request{Resource: httptask.Resource, Parameters: p, IdempotencyKey: "exec#Call#3#0"})
	if err != nil {
		return nil, err
	}
	m, ok := out.(map[string]any)
	require.True(t, ok, "the result is an object: %#v", out)
	return m, nil
}

// taskError asserts err is a task failure and returns it.
func taskError(t *testing.T, err error) *integrations.Error {
	t.Helper()
	var ie *integrations.Error
	require.ErrorAs(t, err, &ie)
	return ie
}

func TestGetSendsHeadersAndQueryAndReturnsTheResponse(t *testing.T) {
	t.Parallel()
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Add("X-Multi", "a")
		w.Header().Add("X-Multi", "b")
		_, _ = io.WriteString(w, `{"customers":[{"id":"c1","balance":12.5,"count":3}]}`)
	})
	out, err := invoke(t, httptask.New(httptask.Options{}), params(t, `{
		"ApiEndpoint": "%s/v1/customers?limit=10#frag",
		"Method": "GET",
		"Headers": {"X-Tenant": "acme", "X-Count": 3, "X-Flag": true, "Accept": ["application/json", "text/plain"]},
		"QueryParameters": {"email": "a b@example.com", "page": 2, "tag": ["x", "y"], "exact": false}}`, srv.URL))
	require.NoError(t, err)

	reqs := srv.requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	require.Equal(t, "GET", r.Method)
	require.Equal(t, "/v1/customers", r.Path)
	q, err := url.ParseQuery(r.RawQuery)
	require.NoError(t, err)
	require.Equal(t, url.Values{"limit": {"10"}, "email": {"a b@example.com"}, "page": {"2"}, "tag": {"x", "y"}, "exact": {"false"}}, q)
	require.Equal(t, "acme", r.Header.Get("X-Tenant"))
	require.Equal(t, "3", r.Header.Get("X-Count"))
	require.Equal(t, "true", r.Header.Get("X-Flag"))
	require.Equal(t, []string{"application/json", "text/plain"}, r.Header.Values("Accept"))
	require.Empty(t, r.Body)
	require.Empty(t, r.Header.Get("Content-Type"), "no body, no Content-Type")

	require.Equal(t, int64(200), out["StatusCode"])
	require.Equal(t, "OK", out["StatusText"])
	require.Equal(t, map[string]any{"customers": []any{map[string]any{"id": "c1", "balance": 12.5, "count": int64(3)}}}, out["ResponseBody"])
	headers := out["Headers"].(map[string]any)
	require.Equal(t, []any{"application/json; charset=utf-8"}, headers["content-type"])
	require.Equal(t, []any{"a", "b"}, headers["x-multi"])
	for name := range headers {
		require.Equal(t, strings.ToLower(name), name, "header names are lower-case")
	}
}

func TestEveryMethodIsSent(t *testing.T) {
	t.Parallel()
	srv := newRecorder(t, nil)
	h := httptask.New(httptask.Options{})
	methods := []string{"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"}
	for _, m := range methods {
		out, err := invoke(t, h, map[string]any{"ApiEndpoint": srv.URL + "/m", "Method": m})
		require.NoError(t, err, m)
		require.Equal(t, int64(200), out["StatusCode"], m)
		if m == "HEAD" {
			require.Equal(t, "", out["ResponseBody"], "a HEAD response has no body")
		} else {
			require.Equal(t, map[string]any{"ok": true, "n": int64(7), "f": 1.5}, out["ResponseBody"], m)
		}
	}
	var got []string
	for _, r := range srv.requests() {
		got = append(got, r.Method)
	}
	require.Equal(t, methods, got)
}

func TestJSONRequestBody(t *testing.T) {
	t.Parallel()
	srv := newRecorder(t, nil)
	h := httptask.New(httptask.Options{})
	_, err := invoke(t, h, params(t, `{"ApiEndpoint": "%s/orders", "Method": "POST",
		"RequestBody": {"order": {"id": "o-1", "lines": [1, 2.5, "three", null, true]}, "note": "<a&b>"}}`, srv.URL))
	require.NoError(t, err)
	_, err = invoke(t, h, params(t, `{"ApiEndpoint": "%s/orders", "Method": "PUT",
		"Headers": {"Content-Type": "application/vnd.acme+json"}, "RequestBody": [1, 2]}`, srv.URL))
	require.NoError(t, err)
	_, err = invoke(t, h, params(t, `{"ApiEndpoint": "%s/notes", "Method": "POST", "RequestBody": "plain <text>"}`, srv.URL))
	require.NoError(t, err)

	reqs := srv.requests()
	require.Len(t, reqs, 3)
	require.Equal(t, "application/json; charset=UTF-8", reqs[0].Header.Get("Content-Type"))
	require.JSONEq(t, `{"order":{"id":"o-1","lines":[1,2.5,"three",null,true]},"note":"<a&b>"}`, reqs[0].Body)
	require.Contains(t, reqs[0].Body, `"<a&b>"`, "HTML characters are sent as they are")
	require.Equal(t, "application/vnd.acme+json", reqs[1].Header.Get("Content-Type"), "the task's Content-Type wins")
	require.Equal(t, `[1,2]`, reqs[1].Body)
	require.Equal(t, "text/plain; charset=UTF-8", reqs[2].Header.Get("Content-Type"))
	require.Equal(t, "plain <text>", reqs[2].Body, "a string body is sent as it is")
}

func TestURLEncodedRequestBody(t *testing.T) {
	t.Parallel()
	srv := newRecorder(t, nil)
	h := httptask.New(httptask.Options{})
	body := `{"array": ["a", "b c", "d,e"], "n": 5, "obj": {"k": "v", "list": [1, 2]}, "empty": null, "none": []}`
	for _, tc := range []struct {
		options string // the Transform's RequestEncodingOptions, if any
		want    string
	}{
		{``, `array[0]=a&array[1]=b+c&array[2]=d%2Ce&empty=&n=5&obj[k]=v&obj[list][0]=1&obj[list][1]=2`},
		{`"RequestEncodingOptions": {"ArrayFormat": "INDICES"}`, `array[0]=a&array[1]=b+c&array[2]=d%2Ce&empty=&n=5&obj[k]=v&obj[list][0]=1&obj[list][1]=2`},
		{`"RequestEncodingOptions": {"ArrayFormat": "BRACKETS"}`, `array[]=a&array[]=b+c&array[]=d%2Ce&empty=&n=5&obj[k]=v&obj[list][]=1&obj[list][]=2`},
		{`"RequestEncodingOptions": {"ArrayFormat": "REPEAT"}`, `array=a&array=b+c&array=d%2Ce&empty=&n=5&obj[k]=v&obj[list]=1&obj[list]=2`},
		{`"RequestEncodingOptions": {"ArrayFormat": "COMMAS"}`, `array=a,b+c,d%2Ce&empty=&n=5&obj[k]=v&obj[list]=1,2`},
	} {
		transform := `"RequestBodyEncoding": "URL_ENCODED"`
		if tc.options != "" {
			transform += ", " + tc.options
		}
		_, err := invoke(t, h, params(t, `{"ApiEndpoint": "%s/form", "Method": "POST", "RequestBody": %s, "Transform": {%s}}`, srv.URL, body, transform))
		require.NoError(t, err, tc.options)
		reqs := srv.requests()
		last := reqs[len(reqs)-1]
		require.Equal(t, tc.want, last.Body, tc.options)
		require.Equal(t, "application/x-www-form-urlencoded", last.Header.Get("Content-Type"))
		_, err = url.ParseQuery(last.Body)
		require.NoError(t, err, "a form parser reads it")
	}

	// NONE sends JSON, as no Transform does.
	_, err := invoke(t, h, params(t, `{"ApiEndpoint": "%s/form", "Method": "POST", "RequestBody": {"a": [1]}, "Transform": {"RequestBodyEncoding": "NONE"}}`, srv.URL))
	require.NoError(t, err)
	reqs := srv.requests()
	require.Equal(t, `{"a":[1]}`, reqs[len(reqs)-1].Body)
}

func TestResponseBodyIsJSONOnlyWhenTheContentTypeSaysSo(t *testing.T) {
	t.Parallel()
	srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", r.URL.Query().Get("type"))
		_, _ = io.WriteString(w, r.URL.Query().Get("body"))
	})
	h := httptask.New(httptask.Options{})
	for _, tc := range []struct {
		typ, body string
		want      any
	}{
		{"application/json", `{"a":[1,2]}`, map[string]any{"a": []any{int64(1), int64(2)}}},
		{"application/problem+json", `{"title":"x"}`, map[string]any{"title": "x"}},
		{"application/json", `"just a string"`, "just a string"},
		{"application/json", `{broken`, `{broken`},
		// decoded as every JSON value is (asl.DecodeJSON): exactly, or
		// not at all; a number beyond float64 became the string "1e400"
		{"application/json", `{"n":1e400}`, `{"n":1e400}`},
		{"application/json", `{"e":"\ud83c\udd97","i":9223372036854775807,"f":9223372036854775808}`,
			map[string]any{"e": "🆗", "i": int64(9223372036854775807), "f": 9223372036854775808.0}},
		{"application/json", ``, ``},
		{"text/plain", `{"a":1}`, `{"a":1}`},
		{"text/html; charset=utf-8", `<p>hi</p>`, `<p>hi</p>`},
		{"", `no type`, `no type`},
	} {
		out, err := invoke(t, h, map[string]any{"ApiEndpoint": srv.URL, "Method": "GET",
			"QueryParameters": map[string]any{"type": tc.typ, "body": tc.body}})
		require.NoError(t, err, tc.typ)
		require.Equal(t, tc.want, out["ResponseBody"], "%s %s", tc.typ, tc.body)
	}
}

func TestNon2xxFailsWithTheStatusCode(t *testing.T) {
	t.Parallel()
	srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/missing":
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"message":"no such customer"}`)
		case "/busy":
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, "try later")
		case "/moved":
			w.WriteHeader(http.StatusNotModified)
		case "/image":
			w.Header().Set("Content-Type", "image/png")
			w.WriteHeader(http.StatusInternalServerError)
		}
	})
	h := httptask.New(httptask.Options{})
	for _, tc := range []struct {
		path, name string
		status     int64
		text       string
		body       any
	}{
		{"/missing", "States.Http.StatusCode.404", 404, "Not Found", map[string]any{"message": "no such customer"}},
		{"/busy", "States.Http.StatusCode.503", 503, "Service Unavailable", "try later"},
		{"/moved", "States.Http.StatusCode.304", 304, "Not Modified", ""},
		{"/image", "States.Http.StatusCode.500", 500, "Internal Server Error", ""},
	} {
		_, err := invoke(t, h, map[string]any{"ApiEndpoint": srv.URL + tc.path, "Method": "GET"})
		ie := taskError(t, err)
		require.Equal(t, tc.name, ie.Name)
		var cause map[string]any
		require.NoError(t, json.Unmarshal([]byte(ie.Cause), &cause), "the cause is the response as JSON: %s", ie.Cause)
		require.Equal(t, float64(tc.status), cause["StatusCode"])
		require.Equal(t, tc.text, cause["StatusText"])
		require.Equal(t, tc.body, cause["ResponseBody"])
		require.Contains(t, cause, "Headers")
	}
}

func TestEveryRequestCarriesTheIdempotencyKey(t *testing.T) {
	t.Parallel()
	srv := newRecorder(t, nil)
	h := httptask.New(httptask.Options{})
	call := func(key string) {
		_, err := h.Invoke(context.Background(), &integrations.Request{Resource: httptask.Resource, IdempotencyKey: key,
			Parameters: map[string]any{"ApiEndpoint": srv.URL, "Method": "POST", "RequestBody": map[string]any{"a": int64(1)}}})
		require.NoError(t, err)
	}
	call("arn:exec#Charge#4#0")
	call("arn:exec#Charge#4#0") // a redelivery of the same attempt
	call("arn:exec#Charge#4#1") // the retry
	var keys []string
	for _, r := range srv.requests() {
		keys = append(keys, r.Header.Get(httptask.IdempotencyHeader))
	}
	require.Equal(t, []string{"arn:exec#Charge#4#0", "arn:exec#Charge#4#0", "arn:exec#Charge#4#1"}, keys)

	// A task may not set it itself.
	_, err := invoke(t, h, map[string]any{"ApiEndpoint": srv.URL, "Method": "GET", "Headers": map[string]any{"x-signalbox-idempotency-key": "mine"}})
	require.Equal(t, "States.Runtime", taskError(t, err).Name)
	require.Len(t, srv.requests(), 3)
}

func TestInvalidParametersFailBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	srv := newRecorder(t, nil)
	h := httptask.New(httptask.Options{})
	for _, tc := range []struct {
		params string
		cause  string
	}{
		{`"not an object"`, "the parameters must be an object"},
		{`{"Method": "GET"}`, "ApiEndpoint is required"},
		{`{"ApiEndpoint": 42, "Method": "GET"}`, "ApiEndpoint is required"},
		{`{"ApiEndpoint": "ftp://example.com/x", "Method": "GET"}`, "is not an http or https URL"},
		{`{"ApiEndpoint": "/relative", "Method": "GET"}`, "is not an http or https URL"},
		{`{"ApiEndpoint": "http://[::1", "Method": "GET"}`, "is not a URL"},
		{`{"ApiEndpoint": "URL"}`, "Method is required"},
		{`{"ApiEndpoint": "URL", "Method": "get"}`, `Method "get" is not supported`},
		{`{"ApiEndpoint": "URL", "Method": "TRACE"}`, `Method "TRACE" is not supported`},
		{`{"ApiEndpoint": "URL", "Method": "GET", "Body": {}}`, `the parameter "Body" is not a field of an HTTP Task`},
		{`{"ApiEndpoint": "URL", "Method": "GET", "Headers": "x"}`, "Headers must be an object"},
		{`{"ApiEndpoint": "URL", "Method": "GET", "Headers": {"Host": "evil"}}`, `the header "Host" is not allowed`},
		{`{"ApiEndpoint": "URL", "Method": "GET", "Headers": {"Authorization": "Bearer x"}}`, `the header "Authorization" is not allowed`},
		{`{"ApiEndpoint": "URL", "Method": "GET", "Headers": {"X-Amz-Date": "x"}}`, `the header "X-Amz-Date" is not allowed`},
		{`{"ApiEndpoint": "URL", "Method": "GET", "Headers": {"x-forwarded-for": "x"}}`, `the header "x-forwarded-for" is not allowed`},
		{`{"ApiEndpoint": "URL", "Method": "GET", "Headers": {"Bad Name": "x"}}`, `"Bad Name" is not a valid header name`},
		{`{"ApiEndpoint": "URL", "Method": "GET", "Headers": {"X-A": "a\r\nX-B: b"}}`, "holds a line break"},
		{`{"ApiEndpoint": "URL", "Method": "GET", "Headers": {"X-A": {"b": 1}}}`, "X-A: a value must be a string"},
		{`{"ApiEndpoint": "URL", "Method": "GET", "Headers": {"X-A": null}}`, "not null"},
		{`{"ApiEndpoint": "URL", "Method": "GET", "QueryParameters": ["a"]}`, "QueryParameters must be an object"},
		{`{"ApiEndpoint": "URL", "Method": "GET", "QueryParameters": {"a": [[1]]}}`, "an array's items must be strings"},
		{`{"ApiEndpoint": "URL", "Method": "GET", "Authentication": "arn"}`, "Authentication must be an object"},
		{`{"ApiEndpoint": "URL", "Method": "GET", "Authentication": {}}`, "Authentication.ConnectionArn is required"},
		{`{"ApiEndpoint": "URL", "Method": "GET", "Authentication": {"ConnectionArn": "a", "Other": 1}}`, "Authentication.Other is not supported"},
		{`{"ApiEndpoint": "URL", "Method": "GET", "Transform": "URL_ENCODED"}`, "Transform must be an object"},
		{`{"ApiEndpoint": "URL", "Method": "GET", "Transform": {"Encoding": "x"}}`, "Transform.Encoding is not supported"},
		{`{"ApiEndpoint": "URL", "Method": "GET", "Transform": {"RequestBodyEncoding": "BASE64"}}`, `RequestBodyEncoding must be NONE or URL_ENCODED, not "BASE64"`},
		{`{"ApiEndpoint": "URL", "Method": "GET", "Transform": {"RequestEncodingOptions": {"ArrayFormat": "SPACES"}}}`, `ArrayFormat must be BRACKETS, COMMAS, REPEAT or INDICES, not "SPACES"`},
		{`{"ApiEndpoint": "URL", "Method": "GET", "Transform": {"RequestEncodingOptions": {"Format": "x"}}}`, "RequestEncodingOptions.Format is not supported"},
		{`{"ApiEndpoint": "URL", "Method": "POST", "RequestBody": [1], "Transform": {"RequestBodyEncoding": "URL_ENCODED"}}`, "RequestBody must be an object to be URL_ENCODED, not an array"},
		{`{"ApiEndpoint": "URL", "Method": "POST", "RequestBody": {"a": [{"b": 1}]}, "Transform": {"RequestBodyEncoding": "URL_ENCODED", "RequestEncodingOptions": {"ArrayFormat": "COMMAS"}}}`, "COMMAS encodes arrays of strings, numbers and booleans only; an item is an object"},
	} {
		p := params(t, "%s", strings.ReplaceAll(tc.params, `"URL"`, `"`+srv.URL+`"`))
		_, err := invoke(t, h, p)
		ie := taskError(t, err)
		require.Equal(t, "States.Runtime", ie.Name, tc.params)
		require.Contains(t, ie.Cause, tc.cause, tc.params)
		require.True(t, strings.HasPrefix(ie.Cause, "http:invoke: "), ie.Cause)
	}
	require.Empty(t, srv.requests(), "no invalid task reached the server")
}

func TestAConnectionIsRefusedNotIgnored(t *testing.T) {
	t.Parallel()
	srv := newRecorder(t, nil)
	h := httptask.New(httptask.Options{})
	arn := "arn:aws:events:us-east-2:123456789012:connection/Stripe/81210c42-8af1-456b-9c4a-6ff02fc664ac"
	for _, field := range []string{"Authentication", "InvocationConfig"} {
		_, err := invoke(t, h, map[string]any{"ApiEndpoint": srv.URL, "Method": "GET", field: map[string]any{"ConnectionArn": arn}})
		ie := taskError(t, err)
		require.Equal(t, "Events.ConnectionResource.ResourceNotFound", ie.Name)
		require.Contains(t, ie.Cause, arn)
		require.Contains(t, ie.Cause, "no bus router (EventBridge connections) runs here")
	}
	require.Empty(t, srv.requests(), "no call without the connection's credentials")
}

// slowServer answers only when the test ends (or the client goes away).
func slowServer(t *testing.T) *httptest.Server {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first: nothing is left hanging for Close
	return srv
}

func TestTheTasksTimeoutEndsTheCall(t *testing.T) {
	t.Parallel()
	srv := slowServer(t)
	h := httptask.New(httptask.Options{})
	// The runtime bounds the call's context by the Task's TimeoutSeconds;
	// the handler hands the context's end back for the runtime to report
	// as States.Timeout.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := h.Invoke(ctx, &integrations.Request{Parameters: map[string]any{"ApiEndpoint": srv.URL, "Method": "GET"}})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var ie *integrations.Error
	require.False(t, errors.As(err, &ie), "not a task failure of its own: %v", err)
	require.Less(t, time.Since(start), 10*time.Second)
}

func TestTheHTTPTaskTimeLimitIsStatesHttpSocket(t *testing.T) {
	t.Parallel()
	srv := slowServer(t)
	h := httptask.New(httptask.Options{Timeout: 50 * time.Millisecond})
	_, err := invoke(t, h, map[string]any{"ApiEndpoint": srv.URL, "Method": "GET"})
	ie := taskError(t, err)
	require.Equal(t, "States.Http.Socket", ie.Name)
	require.Contains(t, ie.Cause, "did not complete within 50ms")

	// A client's own timeout is the same failure.
	h = httptask.New(httptask.Options{Client: &http.Client{Timeout: 50 * time.Millisecond}})
	_, err = invoke(t, h, map[string]any{"ApiEndpoint": srv.URL, "Method": "GET"})
	require.Equal(t, "States.Http.Socket", taskError(t, err).Name)
}

func TestAnUnreachableEndpointIsTaskFailed(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	_, err = invoke(t, httptask.New(httptask.Options{}), map[string]any{"ApiEndpoint": "http://" + addr + "/x", "Method": "GET"})
	ie := taskError(t, err)
	require.Equal(t, "States.TaskFailed", ie.Name)
	require.Contains(t, ie.Cause, addr)
	require.Contains(t, ie.Cause, "refused")
}

func TestBinaryAndOversizedResponsesFail(t *testing.T) {
	t.Parallel()
	srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write([]byte{0x89, 'P', 'N', 'G'})
		case "/big":
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, strings.Repeat("x", 256*1024+1))
		case "/limit":
			w.Header().Set("Content-Type", "text/plain")
			_, _ = io.WriteString(w, strings.Repeat("x", 256*1024))
		}
	})
	h := httptask.New(httptask.Options{})
	_, err := invoke(t, h, map[string]any{"ApiEndpoint": srv.URL + "/png", "Method": "GET"})
	ie := taskError(t, err)
	require.Equal(t, "States.Runtime", ie.Name)
	require.Contains(t, ie.Cause, "image/png")

	_, err = invoke(t, h, map[string]any{"ApiEndpoint": srv.URL + "/big", "Method": "GET"})
	require.Equal(t, "States.DataLimitExceeded", taskError(t, err).Name)

	out, err := invoke(t, h, map[string]any{"ApiEndpoint": srv.URL + "/limit", "Method": "GET"})
	require.NoError(t, err)
	require.Len(t, out["ResponseBody"], 256*1024)
}

// A call carries the execution's W3C trace context, unless the task sets
// a traceparent of its own.
func TestRequestsCarryTheTraceContext(t *testing.T) {
	t.Parallel()
	srv := newRecorder(t, nil)
	h := httptask.New(httptask.Options{})
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	_, err := h.Invoke(context.Background(), &integrations.Request{Resource: httptask.Resource, TraceParent: tp,
		TraceState: "vendor=a1", Baggage: "tenant=acme",
		Parameters: map[string]any{"ApiEndpoint": srv.URL, "Method": "GET"}})
	require.NoError(t, err)
	_, err = h.Invoke(context.Background(), &integrations.Request{Resource: httptask.Resource, TraceParent: tp,
		Parameters: map[string]any{"ApiEndpoint": srv.URL, "Method": "GET", "Headers": map[string]any{"traceparent": "00-mine"}}})
	require.NoError(t, err)
	reqs := srv.requests()
	require.Len(t, reqs, 2)
	require.Equal(t, tp, reqs[0].Header.Get("traceparent"))
	require.Equal(t, "vendor=a1", reqs[0].Header.Get("tracestate"))
	require.Equal(t, "tenant=acme", reqs[0].Header.Get("baggage"))
	require.Equal(t, "00-mine", reqs[1].Header.Get("traceparent"))
	require.Empty(t, reqs[1].Header.Get("tracestate"), "no tracestate, none sent")
}
