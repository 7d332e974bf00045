package function

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
)

// seen is what the test function server got with one call.
type seen struct {
	Path   string
	Body   string
	Header http.Header
}

// fnServer is an HTTP function server on loopback; each path is a
// function of its own behaviour.
type fnServer struct {
	*httptest.Server
	mu    sync.Mutex
	calls []seen
	// release ends the calls of /block that wait
	release chan struct{}
}

func newFnServer(t *testing.T) *fnServer {
	s := &fnServer{release: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.calls = append(s.calls, seen{r.URL.Path, string(b), r.Header.Clone()})
		n := len(s.calls)
		s.mu.Unlock()
		switch r.URL.Path {
		case "/echo":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(b)
		case "/empty":
		case "/handled":
			w.Header().Set(HeaderFunctionError, "Unhandled")
			_, _ = io.WriteString(w, `{"errorType":"OrderError","errorMessage":"no stock","stackTrace":["at x"]}`)
		case "/raise":
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"errorMessage":"boom"}`)
		case "/broken":
			http.Error(w, "<html>bad gateway</html>", http.StatusBadGateway)
		case "/busy":
			w.WriteHeader(http.StatusTooManyRequests)
		case "/redirect":
			http.Redirect(w, r, "/echo", http.StatusFound)
		case "/huge":
			_, _ = io.WriteString(w, `"`+strings.Repeat("x", MaxSyncResponse)+`"`)
		case "/block":
			select {
			case <-r.Context().Done():
			case <-s.release:
				_, _ = io.WriteString(w, strconv.Itoa(n))
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	t.Cleanup(func() {
		select {
		case <-s.release:
		default:
			close(s.release)
		}
	})
	return s
}

func (s *fnServer) last() seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[len(s.calls)-1]
}

func (s *fnServer) fn(path string) *Config {
	name := strings.TrimPrefix(path, "/")
	return &Config{Name: name, ARN: FunctionARN("aws", "us-east-1", "123456789012", name), Version: LatestVersion,
		Endpoint: s.URL + path, ReservedConcurrency: -1}
}

func TestHTTPInvokerPostsTheEventAndTakesTheAnswer(t *testing.T) {
	t.Parallel()
	srv := newFnServer(t)
	h := NewHTTPInvoker(HTTPOptions{})
	fn := srv.fn("/echo")
	fn.Version = "3"
	cc := base64.StdEncoding.EncodeToString([]byte(`{"custom":{"k":"v"}}`))
	deadline := time.Now().Add(time.Minute).Truncate(time.Millisecond)
	res, err := h.Invoke(context.Background(), fn, &Invocation{Payload: []byte(`{"order":7}`), RequestID: "req-1", ClientContext: cc,
		TraceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", TraceState: "k=v", Deadline: deadline})
	require.NoError(t, err)
	require.Equal(t, &Result{Payload: []byte(`{"order":7}`), StatusCode: 200, ExecutedVersion: "3"}, res)
	got := srv.last()
	require.Equal(t, `{"order":7}`, got.Body)
	require.Equal(t, "application/json", got.Header.Get("Content-Type"))
	require.Equal(t, "req-1", got.Header.Get(HeaderRequestID))
	require.Equal(t, fn.ARN+":3", got.Header.Get(HeaderFunctionARN))
	require.Equal(t, strconv.FormatInt(deadline.UnixMilli(), 10), got.Header.Get(HeaderDeadlineMs))
	require.Equal(t, `{"custom":{"k":"v"}}`, got.Header.Get(HeaderClientContext))
	require.Equal(t, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", got.Header.Get("traceparent"))
	require.Equal(t, "k=v", got.Header.Get("tracestate"))

	// no event: {}, as Lambda's; no answer: null
	res, err = h.Invoke(context.Background(), srv.fn("/empty"), &Invocation{RequestID: "req-2"})
	require.NoError(t, err)
	require.Equal(t, "null", string(res.Payload))
	require.Equal(t, "{}", srv.last().Body)
	require.NotEmpty(t, srv.last().Header.Get(HeaderDeadlineMs), "the deadline from the default timeout")
}

func TestHTTPInvokerFailures(t *testing.T) {
	t.Parallel()
	srv := newFnServer(t)
	h := NewHTTPInvoker(HTTPOptions{})
	ctx := context.Background()
	inv := func() *Invocation { return &Invocation{Payload: []byte(`{}`), RequestID: "r"} }

	// function errors: a Result, not an error
	for path, doc := range map[string]string{
		"/handled": `{"errorType":"OrderError","errorMessage":"no stock","stackTrace":["at x"]}`,
		"/raise":   `{"errorMessage":"boom"}`,
	} {
		res, err := h.Invoke(ctx, srv.fn(path), inv())
		require.NoError(t, err, path)
		require.Equal(t, FunctionErrorUnhandled, res.FunctionError, path)
		require.Equal(t, 200, res.StatusCode)
		require.JSONEq(t, doc, string(res.Payload))
	}
	res, err := h.Invoke(ctx, srv.fn("/huge"), inv())
	require.NoError(t, err)
	require.Equal(t, FunctionErrorUnhandled, res.FunctionError)
	require.Contains(t, string(res.Payload), `"errorType":"Function.ResponseSizeTooLarge"`)

	// failures to run it: *Error
	for path, want := range map[string]string{"/broken": ErrServiceException, "/redirect": ErrServiceException, "/nope": ErrServiceException, "/busy": ErrTooManyRequests} {
		_, err := h.Invoke(ctx, srv.fn(path), inv())
		var fe *Error
		require.True(t, errors.As(err, &fe), "%s: %v", path, err)
		require.Equal(t, want, fe.Name, path)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refused := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	_, err = h.Invoke(ctx, &Config{Name: "gone", Endpoint: refused}, inv())
	var fe *Error
	require.True(t, errors.As(err, &fe), "%v", err)
	require.Equal(t, ErrServiceException, fe.Name)
	require.Contains(t, fe.Cause, "could not be reached")

	_, err = h.Invoke(ctx, srv.fn("/echo"), &Invocation{Payload: make([]byte, MaxSyncPayload+1)})
	require.True(t, errors.As(err, &fe))
	require.Equal(t, ErrRequestTooLarge, fe.Name)
}

func TestHTTPInvokerTimeouts(t *testing.T) {
	t.Parallel()
	srv := newFnServer(t)
	h := NewHTTPInvoker(HTTPOptions{})
	fn := srv.fn("/block")
	fn.Timeout = 50 * time.Millisecond
	res, err := h.Invoke(context.Background(), fn, &Invocation{RequestID: "req-9"})
	require.NoError(t, err)
	require.Equal(t, FunctionErrorUnhandled, res.FunctionError)
	require.JSONEq(t, `{"errorType":"Sandbox.Timedout","errorMessage":"RequestId: req-9 Error: Task timed out after 0.05 seconds"}`, string(res.Payload))
	require.Equal(t, LatestVersion, res.ExecutedVersion)

	// the caller's context ends first: its error, not the function's timeout
	fn.Timeout = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := h.Invoke(ctx, fn, &Invocation{RequestID: "req-10"})
		done <- err
	}()
	require.Eventually(t, func() bool {
		srv.mu.Lock()
		defer srv.mu.Unlock()
		return len(srv.calls) == 2
	}, 5*time.Second, time.Millisecond)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}

func TestDispatcherRoutesAndThrottles(t *testing.T) {
	t.Parallel()
	srv := newFnServer(t)
	d := NewDispatcher(nil)
	ctx := context.Background()

	fn := srv.fn("/echo")
	res, err := d.Invoke(ctx, fn, &Invocation{Payload: []byte(`1`)})
	require.NoError(t, err)
	require.Equal(t, "1", string(res.Payload))

	var fe *Error
	_, err = d.Invoke(ctx, &Config{Name: "prog", Executable: "/bin/bootstrap", ReservedConcurrency: -1}, &Invocation{})
	require.True(t, errors.As(err, &fe))
	require.Equal(t, ErrInvalidRuntime, fe.Name)
	require.Contains(t, fe.Cause, "Runtime API program")
	_, err = d.Invoke(ctx, &Config{Name: "none", ReservedConcurrency: -1}, &Invocation{})
	require.True(t, errors.As(err, &fe))
	require.Equal(t, ErrInvalidRuntime, fe.Name)

	// a process invoker handed in gets the executables, with a deadline
	var got *Invocation
	d.Process = invokerFunc(func(_ context.Context, _ *Config, inv *Invocation) (*Result, error) {
		got = inv
		return &Result{Payload: []byte(`"ran"`), StatusCode: 200}, nil
	})
	res, err = d.Invoke(ctx, &Config{Name: "prog", Version: "2", Executable: "/bin/bootstrap", Timeout: 10 * time.Second, ReservedConcurrency: -1}, &Invocation{RequestID: "x"})
	require.NoError(t, err)
	require.Equal(t, "2", res.ExecutedVersion)
	require.WithinDuration(t, time.Now().Add(10*time.Second), got.Deadline, 2*time.Second)

	// reserved concurrency 0: always throttled, as AWS
	fn.ReservedConcurrency = 0
	_, err = d.Invoke(ctx, fn, &Invocation{})
	require.True(t, errors.As(err, &fe))
	require.Equal(t, ErrTooManyRequests, fe.Name)
	code, status := APICode(fe)
	require.Equal(t, "TooManyRequestsException", code)
	require.Equal(t, 429, status)

	// reserved concurrency 1: a second invocation while one runs is throttled
	block := srv.fn("/block")
	block.ReservedConcurrency = 1
	done := make(chan *Result, 1)
	go func() {
		res, _ := d.Invoke(ctx, block, &Invocation{})
		done <- res
	}()
	require.Eventually(t, func() bool { return d.Running(block) == 1 }, 5*time.Second, time.Millisecond)
	_, err = d.Invoke(ctx, block, &Invocation{})
	require.True(t, errors.As(err, &fe))
	require.Equal(t, ErrTooManyRequests, fe.Name)
	close(srv.release)
	require.NotNil(t, <-done)
	require.Equal(t, 0, d.Running(block))
	_, err = d.Invoke(ctx, block, &Invocation{})
	require.NoError(t, err, "free again")
}

type invokerFunc func(context.Context, *Config, *Invocation) (*Result, error)

func (f invokerFunc) Invoke(ctx context.Context, fn *Config, inv *Invocation) (*Result, error) {
	return f(ctx, fn, inv)
}

func TestStaticResolver(t *testing.T) {
	t.Parallel()
	r, err := NewStaticResolver("us-east-1", "123456789012",
		Config{Name: "greet", Endpoint: "http://127.0.0.1:1/greet"},
		Config{Name: "greet", Version: "1", Endpoint: "http://127.0.0.1:1/greet-v1"},
		Config{Name: "tool", Executable: "/bin/true"})
	require.NoError(t, err)
	ctx := context.Background()
	for _, c := range []struct{ name, qualifier, endpoint string }{
		{"greet", "", "/greet"},
		{"greet:$LATEST", "", "/greet"},
		{"greet", "1", "/greet-v1"},
		{"greet:1", "", "/greet-v1"},
		{"123456789012:function:greet:1", "", "/greet-v1"},
		{"arn:aws:lambda:us-east-1:123456789012:function:greet", "", "/greet"},
	} {
		fn, err := r.Resolve(ctx, c.name, c.qualifier)
		require.NoError(t, err, c.name)
		require.True(t, strings.HasSuffix(fn.Endpoint, c.endpoint), c.name)
		require.Equal(t, "arn:aws:lambda:us-east-1:123456789012:function:greet", fn.ARN)
	}
	for _, name := range []string{"nope", "greet:2", "arn:aws:lambda:eu-west-1:123456789012:function:greet", "999999999999:function:greet"} {
		_, err := r.Resolve(ctx, name, "")
		require.ErrorIs(t, err, ErrNotFound, name)
	}
	_, err = r.Resolve(ctx, "greet:1", "2")
	var fe *Error
	require.True(t, errors.As(err, &fe))
	require.Equal(t, ErrInvalidParameter, fe.Name)

	for _, bad := range []Config{{Name: "a:b", Endpoint: "x"}, {Name: "a"}, {Name: "a", Endpoint: "x", Executable: "y"}, {Name: "a", Endpoint: "x", Timeout: time.Hour}} {
		_, err := NewStaticResolver("us-east-1", "123456789012", bad)
		require.Error(t, err, "%+v", bad)
	}
}

func TestAsyncRetriesAndGivesUp(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	calls := map[string]int{}
	inv := invokerFunc(func(_ context.Context, fn *Config, in *Invocation) (*Result, error) {
		mu.Lock()
		defer mu.Unlock()
		calls[fn.Name]++
		if fn.Name == "flaky" && calls[fn.Name] == 1 {
			return nil, &Error{Name: ErrServiceException, Cause: "down"}
		}
		if fn.Name == "never" {
			return &Result{Payload: []byte(`{"errorType":"E"}`), FunctionError: FunctionErrorUnhandled, StatusCode: 200}, nil
		}
		return &Result{Payload: []byte(`"ok"`), StatusCode: 200}, nil
	})
	a := NewAsync(inv, AsyncOptions{Backoff: func(int) time.Duration { return 0 }, MaxQueued: 2})
	t.Cleanup(a.Close)
	type outcome struct {
		res *Result
		err error
	}
	out := make(chan outcome, 2)
	done := func(res *Result, err error) { out <- outcome{res, err} }
	require.NoError(t, a.Enqueue(&Config{Name: "flaky"}, &Invocation{Payload: []byte(`{}`)}, done))
	o := <-out
	require.NoError(t, o.err)
	require.Equal(t, `"ok"`, string(o.res.Payload))
	require.NoError(t, a.Enqueue(&Config{Name: "never"}, &Invocation{Payload: []byte(`{}`)}, done))
	o = <-out
	require.Equal(t, FunctionErrorUnhandled, o.res.FunctionError)
	mu.Lock()
	require.Equal(t, map[string]int{"flaky": 2, "never": 3}, calls, "two retries, as Lambda's")
	mu.Unlock()

	var fe *Error
	err := a.Enqueue(&Config{Name: "big"}, &Invocation{Payload: make([]byte, MaxAsyncPayload+1)}, nil)
	require.True(t, errors.As(err, &fe))
	require.Equal(t, ErrRequestTooLarge, fe.Name)
}

func TestTaskErrorNamesAndCauses(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		e          *Error
		name       string
		causeSufix string
	}{
		{&Error{Name: ErrServiceException, Cause: "down"}, "Lambda.ServiceException", "down (Service: AWSLambda; Status Code: 500; Error Code: ServiceException; Request ID: r; Proxy: null)"},
		{&Error{Name: ErrTooManyRequests, Cause: "Rate Exceeded."}, "Lambda.TooManyRequestsException", "Status Code: 429; Error Code: TooManyRequestsException; Request ID: r; Proxy: null)"},
		{&Error{Name: ErrResourceNotFound, Cause: "Function not found: x"}, "Lambda.ResourceNotFoundException", "Status Code: 404; Error Code: ResourceNotFoundException; Request ID: r; Proxy: null)"},
		{&Error{Name: ErrValidation, Cause: "1 validation error"}, "Lambda.AWSLambdaException", "Status Code: 400; Error Code: ValidationException; Request ID: r; Proxy: null)"},
		{&Error{Name: ErrSandboxTimedOut, Cause: "t"}, "Sandbox.Timedout", "t"},
	} {
		require.Equal(t, c.name, TaskErrorName(c.e))
		require.True(t, strings.HasSuffix(TaskCause(c.e, "r"), c.causeSufix), TaskCause(c.e, "r"))
	}
	var doc map[string]string
	require.NoError(t, json.Unmarshal(TimedOut(&Invocation{RequestID: "q"}, 3*time.Second).Payload, &doc))
	require.Equal(t, map[string]string{"errorType": "Sandbox.Timedout", "errorMessage": "RequestId: q Error: Task timed out after 3.00 seconds"}, doc)
}

// How the Tasks name what an invoker returns: a plain error is
// Lambda.SdkClientException, a timeout *Error Sandbox.Timedout with its
// error document, a context that ended is the context's error (for the
// runtime to name States.Timeout).
func TestTasksNameInvokerFailures(t *testing.T) {
	t.Parallel()
	r, err := NewStaticResolver("us-east-1", "123456789012", Config{Name: "f", Executable: "/bin/f", ReservedConcurrency: -1})
	require.NoError(t, err)
	var fail error
	tasks := NewTasks(r, invokerFunc(func(ctx context.Context, _ *Config, _ *Invocation) (*Result, error) {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fail
	}))
	t.Cleanup(tasks.Close)
	req := func() *integrations.Request {
		return &integrations.Request{Resource: ResourceInvoke, Parameters: map[string]any{"FunctionName": "f"}, IdempotencyKey: "k"}
	}
	var ie *integrations.Error

	fail = errors.New("connection reset by peer")
	_, err = tasks.Invoke(context.Background(), req())
	require.True(t, errors.As(err, &ie))
	require.Equal(t, ErrSdkClient, ie.Name)
	require.Equal(t, "Unable to execute HTTP request: connection reset by peer", ie.Cause)

	fail = &Error{Name: ErrSandboxTimedOut, Cause: "Task timed out after 3.00 seconds"}
	_, err = tasks.Invoke(context.Background(), req())
	require.True(t, errors.As(err, &ie))
	require.Equal(t, ErrSandboxTimedOut, ie.Name)
	require.JSONEq(t, `{"errorType":"Sandbox.Timedout","errorMessage":"Task timed out after 3.00 seconds"}`, ie.Cause)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = tasks.Invoke(ctx, req())
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, errors.As(err, &ie))

	require.Equal(t, RequestIDOf("k"), RequestIDOf("k"), "a redelivered call invokes with the same request id")
	require.NotEqual(t, RequestIDOf("k"), RequestIDOf("k2"))
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, RequestIDOf("k"))
	require.Equal(t, "Root=1-4bf92f35-77b34da6a3ce929d0e0e4736;Parent=00f067aa0ba902b7;Sampled=1",
		xrayTraceID("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "r"))
}
