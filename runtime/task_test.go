package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/signalbox/signalbox/integrations"
	"github.com/signalbox/signalbox/runtime"
)

// failTimes answers the first n calls with the error name errName, then
// echoes the parameters.
func failTimes(n int, errName string) func(context.Context, *integrations.Request) (any, error) {
	return func(_ context.Context, req *integrations.Request) (any, error) {
		if req.Attempt < n {
			return nil, &integrations.Error{Name: errName, Cause: fmt.Sprintf("attempt %d", req.Attempt)}
		}
		return map[string]any{"ok": true, "attempt": int64(req.Attempt)}, nil
	}
}

func TestTaskCallsTheHandler(t *testing.T) {
	t.Parallel()
	rec := newRecorder(echo)
	res := run(t, `{"StartAt":"Charge","States":{"Charge":{
		"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
		"Parameters":{"FunctionName":"charge","Payload":{"amount.$":"$.amount"}},
		"ResultSelector":{"charged.$":"$.Payload.amount"},
		"ResultPath":"$.result","End":true}}}`, `{"amount":12}`, rec)
	requireSucceeded(t, res, `{"amount":12,"result":{"charged":12}}`)

	calls := rec.Calls()
	require.Len(t, calls, 1)
	require.Equal(t, "arn:aws:states:::lambda:invoke", calls[0].Resource)
	require.Equal(t, "Charge", calls[0].StateName)
	require.Equal(t, 0, calls[0].Attempt)
	require.Equal(t, res.ExecutionARN, calls[0].ExecutionARN)
	requireJSON(t, `{"FunctionName":"charge","Payload":{"amount":12}}`, calls[0].Parameters)
	require.NotEmpty(t, calls[0].IdempotencyKey)

	require.Equal(t, []string{
		"ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded",
	}, types(res))
}

// TestRetryBackoff checks the delay before each retry: IntervalSeconds ×
// BackoffRate^n, capped by MaxDelaySeconds, measured on the virtual clock
// between a TaskFailed event and the next TaskScheduled.
func TestRetryBackoff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		retrier string
		fails   int
		want    []time.Duration
	}{
		{
			name:    "defaults: 1s, backoff 2, 3 attempts",
			retrier: `{"ErrorEquals":["Boom"]}`,
			fails:   3,
			want:    []time.Duration{1 * time.Second, 2 * time.Second, 4 * time.Second},
		},
		{
			name:    "interval 2, backoff 3",
			retrier: `{"ErrorEquals":["Boom"],"IntervalSeconds":2,"BackoffRate":3,"MaxAttempts":4}`,
			fails:   4,
			want:    []time.Duration{2 * time.Second, 6 * time.Second, 18 * time.Second, 54 * time.Second},
		},
		{
			name:    "fractional backoff rate is exact",
			retrier: `{"ErrorEquals":["Boom"],"IntervalSeconds":1,"BackoffRate":1.5,"MaxAttempts":3}`,
			fails:   3,
			want:    []time.Duration{1000 * time.Millisecond, 1500 * time.Millisecond, 2250 * time.Millisecond},
		},
		{
			name:    "backoff 1 keeps the interval",
			retrier: `{"ErrorEquals":["Boom"],"IntervalSeconds":5,"BackoffRate":1,"MaxAttempts":2}`,
			fails:   2,
			want:    []time.Duration{5 * time.Second, 5 * time.Second},
		},
		{
			name:    "MaxDelaySeconds caps the delay",
			retrier: `{"ErrorEquals":["Boom"],"IntervalSeconds":10,"BackoffRate":2,"MaxAttempts":4,"MaxDelaySeconds":25}`,
			fails:   4,
			want:    []time.Duration{10 * time.Second, 20 * time.Second, 25 * time.Second, 25 * time.Second},
		},
		{
			name:    "States.ALL retries a custom error",
			retrier: `{"ErrorEquals":["States.ALL"],"IntervalSeconds":3,"MaxAttempts":1}`,
			fails:   1,
			want:    []time.Duration{3 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := newRecorder(failTimes(tt.fails, "Boom"))
			res := run(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
				"Retry":[`+tt.retrier+`],"End":true}}}`, "", rec)
			requireSucceeded(t, res, fmt.Sprintf(`{"ok":true,"attempt":%d}`, tt.fails))

			calls := rec.Calls()
			require.Len(t, calls, tt.fails+1)
			keys := map[string]bool{}
			for i, c := range calls {
				require.Equal(t, i, c.Attempt, "call %d", i)
				keys[c.IdempotencyKey] = true
			}
			require.Len(t, keys, len(calls), "each attempt has its own idempotency key")

			failed := ofType(res, runtime.TaskFailed)
			scheduled := ofType(res, runtime.TaskScheduled)
			require.Len(t, failed, tt.fails)
			require.Len(t, scheduled, tt.fails+1)
			var total time.Duration
			for i, want := range tt.want {
				require.Equal(t, want, scheduled[i+1].Timestamp.Sub(failed[i].Timestamp), "delay before retry %d", i+1)
				total += want
			}
			require.Equal(t, total, elapsed(res.StopDate), "the whole run took exactly the retry delays")
			require.Len(t, ofType(res, runtime.StateEntered("Task")), 1, "a retry does not enter the state again")
		})
	}
}

func TestRetryWithoutMatchingRetrierFails(t *testing.T) {
	t.Parallel()
	rec := newRecorder(failTimes(1, "Other"))
	res := run(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r",
		"Retry":[{"ErrorEquals":["Boom"]}],"End":true}}}`, "", rec)
	requireFailed(t, res, runtime.StatusFailed, "Other")
	require.Equal(t, "attempt 0", res.Cause)
	require.Len(t, rec.Calls(), 1)
}

func TestRetryExhaustedFailsWithTheLastError(t *testing.T) {
	t.Parallel()
	rec := newRecorder(failTimes(100, "Boom"))
	res := run(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r",
		"Retry":[{"ErrorEquals":["Boom"],"MaxAttempts":2}],"End":true}}}`, "", rec)
	requireFailed(t, res, runtime.StatusFailed, "Boom")
	require.Equal(t, "attempt 2", res.Cause)
	require.Len(t, rec.Calls(), 3)
	require.Equal(t, 3*time.Second, elapsed(res.StopDate))
}

func TestRetriersCountSeparately(t *testing.T) {
	t.Parallel()
	// Errors alternate A, B, A, B: each retrier counts only its own
	// matches, so two retriers of MaxAttempts 2 let five calls happen.
	names := []string{"A", "B", "A", "B"}
	rec := newRecorder(func(_ context.Context, req *integrations.Request) (any, error) {
		if req.Attempt < len(names) {
			return nil, &integrations.Error{Name: names[req.Attempt]}
		}
		return "done", nil
	})
	res := run(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","Retry":[
		{"ErrorEquals":["A"],"IntervalSeconds":1,"BackoffRate":10,"MaxAttempts":2},
		{"ErrorEquals":["B"],"IntervalSeconds":2,"BackoffRate":10,"MaxAttempts":2}],"End":true}}}`, "", rec)
	requireSucceeded(t, res, `"done"`)
	require.Len(t, rec.Calls(), 5)
	// A: 1s then 10s; B: 2s then 20s.
	require.Equal(t, 33*time.Second, elapsed(res.StopDate))
}

func TestCatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		catch   string
		errName string
		want    string
		status  runtime.Status
	}{
		{
			name:    "matching catcher with ResultPath keeps the input",
			catch:   `{"ErrorEquals":["Boom"],"ResultPath":"$.err","Next":"Handled"}`,
			errName: "Boom",
			want:    `{"in":1,"err":{"Error":"Boom","Cause":"attempt 0"},"handled":true}`,
			status:  runtime.StatusSucceeded,
		},
		{
			name:    "without ResultPath the error replaces the input",
			catch:   `{"ErrorEquals":["States.ALL"],"Next":"Handled"}`,
			errName: "Boom",
			want:    `{"Error":"Boom","Cause":"attempt 0","handled":true}`,
			status:  runtime.StatusSucceeded,
		},
		{
			name:    "States.TaskFailed catches a task error",
			catch:   `{"ErrorEquals":["States.TaskFailed"],"ResultPath":null,"Next":"Handled"}`,
			errName: "Lambda.Unknown",
			want:    `{"in":1,"handled":true}`,
			status:  runtime.StatusSucceeded,
		},
		{
			name:    "no matching catcher fails",
			catch:   `{"ErrorEquals":["Other"],"Next":"Handled"}`,
			errName: "Boom",
			status:  runtime.StatusFailed,
		},
		{
			name:    "States.Runtime is never caught",
			catch:   `{"ErrorEquals":["States.ALL"],"Next":"Handled"}`,
			errName: "States.Runtime",
			status:  runtime.StatusFailed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := run(t, `{"StartAt":"T","States":{
				"T":{"Type":"Task","Resource":"r","Catch":[{"ErrorEquals":["Never"],"Next":"Nope"},`+tt.catch+`],"End":true},
				"Nope":{"Type":"Fail","Error":"WrongCatcher"},
				"Handled":{"Type":"Pass","Result":true,"ResultPath":"$.handled","End":true}}}`,
				`{"in":1}`, newRecorder(failTimes(1, tt.errName)))
			if tt.status == runtime.StatusSucceeded {
				requireSucceeded(t, res, tt.want)
				return
			}
			requireFailed(t, res, tt.status, tt.errName)
		})
	}
}

func TestRetryThenCatch(t *testing.T) {
	t.Parallel()
	rec := newRecorder(failTimes(100, "Boom"))
	res := run(t, `{"StartAt":"T","States":{
		"T":{"Type":"Task","Resource":"r","Retry":[{"ErrorEquals":["Boom"],"MaxAttempts":2,"IntervalSeconds":4}],
			"Catch":[{"ErrorEquals":["Boom"],"Next":"Handled"}],"End":true},
		"Handled":{"Type":"Pass","End":true}}}`, "", rec)
	requireSucceeded(t, res, `{"Error":"Boom","Cause":"attempt 2"}`)
	require.Len(t, rec.Calls(), 3)
	require.Equal(t, 12*time.Second, elapsed(res.StopDate))
}

func TestTaskErrorTranslation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		err       error
		wantError string
		wantCause string
	}{
		{"integration error keeps its name", &integrations.Error{Name: "Lambda.TooMany", Cause: "slow"}, "Lambda.TooMany", "slow"},
		{"wrapped integration error", fmt.Errorf("call: %w", &integrations.Error{Name: "X", Cause: "y"}), "X", "y"},
		{"plain error is States.TaskFailed", errors.New("connection refused"), "States.TaskFailed", "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := run(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","End":true}}}`, "",
				newRecorder(func(context.Context, *integrations.Request) (any, error) { return nil, tt.err }))
			requireFailed(t, res, runtime.StatusFailed, tt.wantError)
			require.Equal(t, tt.wantCause, res.Cause)
			failed := ofType(res, runtime.TaskFailed)
			require.Len(t, failed, 1)
		})
	}
}

func TestTaskWithoutHandlerNamesTheResource(t *testing.T) {
	t.Parallel()
	for _, h := range []integrations.Handler{nil, integrations.NewMux()} {
		res := run(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage",
			"Retry":[{"ErrorEquals":["States.ALL"]}],"Catch":[{"ErrorEquals":["States.ALL"],"Next":"C"}],"End":true},
			"C":{"Type":"Pass","End":true}}}`, "", h)
		// States.TaskFailed, which Retry and Catch handle (the cause
		// naming the resource is in the Catch's error output)
		requireSucceeded(t, res, `{"Error":"States.TaskFailed","Cause":"the Task state \"T\" calls the resource \"arn:aws:states:::sqs:sendMessage\", which no integration of Signalbox handles (not built, or not configured)"}`)
		require.Len(t, ofType(res, runtime.TaskScheduled), 4, "retried as a task failure: 1 + 3 attempts")
	}
}

func TestIdempotencyKeyDiffersPerVisit(t *testing.T) {
	t.Parallel()
	// A loop visits the Task twice; each visit's first attempt is attempt
	// 0, but the two calls must not share an idempotency key.
	rec := newRecorder(func(_ context.Context, req *integrations.Request) (any, error) {
		n := req.Parameters.(map[string]any)["n"].(int64)
		return map[string]any{"n": n + 1}, nil
	})
	res := run(t, `{"StartAt":"T","States":{
		"T":{"Type":"Task","Resource":"r","Parameters":{"n.$":"$.n"},"Next":"Again?"},
		"Again?":{"Type":"Choice","Choices":[{"Variable":"$.n","NumericLessThan":2,"Next":"T"}],"Default":"Done"},
		"Done":{"Type":"Succeed"}}}`, `{"n":0}`, rec)
	requireSucceeded(t, res, `{"n":2}`)
	calls := rec.Calls()
	require.Len(t, calls, 2)
	require.Equal(t, 0, calls[0].Attempt)
	require.Equal(t, 0, calls[1].Attempt)
	require.NotEqual(t, calls[0].IdempotencyKey, calls[1].IdempotencyKey)
	for _, c := range calls {
		require.True(t, strings.HasPrefix(c.IdempotencyKey, res.ExecutionARN), "key %q names the execution", c.IdempotencyKey)
	}
}

func TestTaskHistoryDetails(t *testing.T) {
	t.Parallel()
	res := run(t, `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.sync",
		"Parameters":{"QueueUrl":"q"},"TimeoutSeconds":30,"HeartbeatSeconds":10,"End":true}}}`, "", newRecorder(echo))
	requireSucceeded(t, res, `{"QueueUrl":"q"}`)
	evs := events(t, res)
	require.Equal(t, "TaskScheduled", evs[2]["type"])
	require.Equal(t, map[string]any{
		"resourceType":       "sqs",
		"resource":           "sendMessage.sync",
		"region":             "us-east-1",
		"parameters":         `{"QueueUrl":"q"}`,
		"timeoutInSeconds":   float64(30),
		"heartbeatInSeconds": float64(10),
	}, evs[2]["taskScheduledEventDetails"])
	require.Equal(t, map[string]any{"resourceType": "sqs", "resource": "sendMessage.sync"}, evs[3]["taskStartedEventDetails"])
	require.Equal(t, map[string]any{
		"resourceType":  "sqs",
		"resource":      "sendMessage.sync",
		"output":        `{"QueueUrl":"q"}`,
		"outputDetails": map[string]any{"truncated": false},
	}, evs[4]["taskSucceededEventDetails"])
}
