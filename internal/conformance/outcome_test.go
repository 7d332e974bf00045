package conformance

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEvaluate(t *testing.T) {
	t.Parallel()
	c := &Case{Name: "pass_state__hello", Expected: succeeded(map[string]any{"a": int64(1)})}
	wrong := func(*Case) (Result, error) { return succeeded(map[string]any{"a": int64(2)}), nil }
	known := map[string]string{"pass_state__hello": "AWS changed"}
	tests := []struct {
		name  string
		c     *Case
		s     Supported
		known map[string]string
		run   Runner
		want  Outcome
	}{
		{"passes", c, Supported{}, nil, expectedOf,
			Outcome{Name: c.Name, Group: "pass_state", Verdict: Passed}},
		{"fails", c, Supported{}, nil, wrong,
			Outcome{Name: c.Name, Group: "pass_state", Verdict: Failed, Reason: "/output/a: expected 1, got 2", Detail: "/output/a: expected 1, got 2"}},
		{"cannot run", c, Supported{}, nil, func(*Case) (Result, error) { return Result{}, errors.New("invalid definition:\n/States/P: bad") },
			Outcome{Name: c.Name, Group: "pass_state", Verdict: Failed, Reason: "could not run: invalid definition:", Detail: "could not run: invalid definition:\n/States/P: bad"}},
		{"known difference", c, Supported{}, known, wrong,
			Outcome{Name: c.Name, Group: "pass_state", Verdict: Known, Reason: "AWS changed", Detail: "/output/a: expected 1, got 2"}},
		{"stale known difference", c, Supported{}, known, expectedOf,
			Outcome{Name: c.Name, Group: "pass_state", Verdict: Passed, StaleKnown: true}},
		{"skipped without running", &Case{Name: "svc__x", Needs: []string{"sqs"}}, Supported{}, nil,
			func(*Case) (Result, error) { panic("must not run") },
			Outcome{Name: "svc__x", Group: "svc", Verdict: Skipped, Reason: "needs sqs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, Evaluate(tt.c, tt.s, tt.known, tt.run))
		})
	}
}

func TestEvaluateRecoversFromPanics(t *testing.T) {
	t.Parallel()
	c := &Case{Name: "g__panics", Expected: succeeded(nil)}
	o := Evaluate(c, Supported{}, nil, func(*Case) (Result, error) { panic("boom") })
	require.Equal(t, Failed, o.Verdict)
	require.Equal(t, "runner panicked: boom", o.Reason)
	require.Contains(t, o.Detail, "outcome_test.go", "the detail holds the stack")
}

func TestOneLine(t *testing.T) {
	t.Parallel()
	long := make([]rune, 400)
	for i := range long {
		long[i] = 'é'
	}
	tests := []struct{ in, want string }{
		{"one", "one"},
		{"first\nsecond", "first"},
		{string(long), string(long[:maxReason-1]) + "…"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, oneLine(tt.in))
	}
}
