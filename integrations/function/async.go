package function

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Async runs asynchronous (Event) invocations in the background, as
// Lambda's event queue does: the caller is answered at once (202), the
// function runs later, and a failed invocation (a function error, a
// throttle, a service error) is retried twice, after one minute and after
// two more, as Lambda retries. The queue is the process's memory: what it
// holds when the process stops is lost (AWS keeps it for up to 6 hours).
type Async struct {
	inv     Invoker
	max     int
	retries int
	backoff func(retry int) time.Duration
	log     *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	queued int
	closed bool
}

// AsyncOptions are an Async's settings; the zero value is Lambda's.
type AsyncOptions struct {
	// MaxQueued bounds the invocations queued or running (10,000 when 0):
	// beyond it, Enqueue fails with Lambda.TooManyRequestsException.
	MaxQueued int
	// Retries after a failed invocation: 2 when 0 (-1: none).
	Retries int
	// Backoff is the wait before retry n (1, 2, ...): n minutes when nil.
	Backoff func(retry int) time.Duration
	// Logger gets a line per invocation given up; slog.Default() if nil.
	Logger *slog.Logger
}

// NewAsync returns an Async running its invocations on inv.
func NewAsync(inv Invoker, o AsyncOptions) *Async {
	ctx, cancel := context.WithCancel(context.Background())
	retries := cmp.Or(o.Retries, 2)
	if retries < 0 {
		retries = 0
	}
	backoff := o.Backoff
	if backoff == nil {
		backoff = func(n int) time.Duration { return time.Duration(n) * time.Minute }
	}
	return &Async{inv: inv, max: cmp.Or(o.MaxQueued, 10000), retries: retries, backoff: backoff,
		log: cmp.Or(o.Logger, slog.Default()), ctx: ctx, cancel: cancel}
}

// Enqueue queues inv of fn and returns at once; done, when not nil, is
// called with the last attempt's outcome once the invocation succeeded or
// was given up. The event is at most MaxAsyncPayload bytes. Each attempt
// gets a Deadline of its own (from fn's Timeout).
func (a *Async) Enqueue(fn *Config, inv *Invocation, done func(*Result, error)) error {
	if len(inv.Payload) > MaxAsyncPayload {
		return &Error{Name: ErrRequestTooLarge, Cause: fmt.Sprintf("Request must be smaller than %d bytes for the InvokeAsync operation", MaxAsyncPayload)}
	}
	a.mu.Lock()
	switch {
	case a.closed:
		a.mu.Unlock()
		return serviceError("The function %s cannot be invoked: the server is stopping.", fn.Name)
	case a.queued >= a.max:
		a.mu.Unlock()
		return &Error{Name: ErrTooManyRequests, Cause: fmt.Sprintf("Rate Exceeded. (%d asynchronous invocations queued)", a.max)}
	}
	a.queued++
	a.wg.Add(1)
	a.mu.Unlock()
	f, call := *fn, *inv
	go a.run(&f, &call, done)
	return nil
}

func (a *Async) run(fn *Config, inv *Invocation, done func(*Result, error)) {
	defer func() {
		a.mu.Lock()
		a.queued--
		a.mu.Unlock()
		a.wg.Done()
	}()
	var (
		res *Result
		err error
	)
	for attempt := 0; ; attempt++ {
		call := *inv
		call.Deadline = time.Time{}
		res, err = a.inv.Invoke(a.ctx, fn, &call)
		if a.ctx.Err() != nil {
			err = errors.Join(err, a.ctx.Err())
			break
		}
		if err == nil && res.FunctionError == "" {
			break
		}
		if attempt >= a.retries {
			what := ""
			if err != nil {
				what = err.Error()
			} else {
				what = string(res.Payload)
			}
			a.log.Warn("function: an asynchronous invocation failed and is given up", "function", fn.ARN, "requestId", inv.RequestID, "attempts", attempt+1, "error", what)
			break
		}
		t := time.NewTimer(a.backoff(attempt + 1))
		select {
		case <-t.C:
		case <-a.ctx.Done():
			t.Stop()
		}
	}
	if done != nil {
		done(res, err)
	}
}

// Queued is the number of invocations queued or running.
func (a *Async) Queued() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.queued
}

// Close stops taking invocations, ends those running (their context is
// cancelled) and those waiting for a retry, and waits for them. Idempotent.
func (a *Async) Close() {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	a.cancel()
	a.wg.Wait()
}
