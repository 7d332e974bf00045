package jsonata

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// constant returns a native function that always returns v.
func constant(v any) Function {
	return Function{Impl: func([]any) (any, error) { return v, nil }}
}

func TestPreparedFunctions(t *testing.T) {
	t.Parallel()
	fns := map[string]Function{
		"twice": {Signature: "<n:n>", Impl: func(args []any) (any, error) {
			f, _ := toNumber(args[0])
			return 2 * f, nil
		}},
		"who": constant("prepared"),
	}
	prepared := NewFunctions(fns)
	// the set is a copy: later changes to the map do not reach it
	fns["who"] = constant("changed")
	fns["late"] = constant("late")

	tests := []struct {
		name string
		expr string
		opts Options
		want any // nil: the evaluation fails
	}{
		{"called", `$twice(21)`, Options{Prepared: prepared}, int64(42)},
		{"signature checked", `$twice("a")`, Options{Prepared: prepared}, nil},
		{"copied at preparation", `$who()`, Options{Prepared: prepared}, "prepared"},
		{"added later is unknown", `$late()`, Options{Prepared: prepared}, nil},
		{"a function of Functions takes precedence", `$who()`,
			Options{Prepared: prepared, Functions: map[string]Function{"who": constant("map")}}, "map"},
		{"a binding takes precedence", `$who()`,
			Options{Prepared: prepared, Bindings: map[string]any{"who": constant("binding")}}, "binding"},
		{"built-ins stay visible", `$string($twice(2))`, Options{Prepared: prepared}, "4"},
		{"a built-in can be replaced", `$string(1)`,
			Options{Prepared: NewFunctions(map[string]Function{"string": constant("mine")})}, "mine"},
		{"$$ is the input", `$$.a`, Options{Prepared: prepared}, int64(1)},
		{"a binding named $ is $$", `$$`,
			Options{Prepared: prepared, Bindings: map[string]any{"$": "bound"}}, "bound"},
		{"a local variable shadows a binding", `($x := 2; $x)`,
			Options{Prepared: prepared, Bindings: map[string]any{"x": int64(1)}}, int64(2)},
		{"nil set", `$twice(1)`, Options{Prepared: nil}, nil},
		{"empty set", `$count([1, 2])`, Options{Prepared: NewFunctions(nil)}, int64(2)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := MustCompile(tc.expr).Eval(map[string]any{"a": int64(1)}, &tc.opts)
			if tc.want == nil {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

// TestPreparedFunctionsLocalBindingsStayLocal checks that variables bound
// by one evaluation are invisible to the next one sharing the set.
func TestPreparedFunctionsLocalBindingsStayLocal(t *testing.T) {
	t.Parallel()
	opts := &Options{Prepared: NewFunctions(map[string]Function{"who": constant("prepared")})}
	got, err := MustCompile(`($who := function(){"local"}; $x := 1; $who())`).Eval(nil, opts)
	require.NoError(t, err)
	require.Equal(t, "local", got)
	got, err = MustCompile(`[$who(), $exists($x)]`).Eval(nil, opts)
	require.NoError(t, err)
	require.Equal(t, []any{"prepared", false}, got)
}

func TestConcurrentEvaluationsShareFunctions(t *testing.T) {
	t.Parallel()
	prepared := NewFunctions(map[string]Function{"inc": {Signature: "<n:n>", Impl: func(args []any) (any, error) {
		f, _ := toNumber(args[0])
		return f + 1, nil
	}}})
	e := MustCompile(`($y := $inc($states.input.n); $map([1, 2], function($v){$v + $y}))`)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				n := int64(g*1000 + i)
				got, err := e.Eval(Undefined, &Options{
					Prepared: prepared,
					Bindings: map[string]any{"states": map[string]any{"input": map[string]any{"n": n}}},
				})
				want := []any{n + 2, n + 3}
				if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
					errs <- fmt.Errorf("goroutine %d: got %v (%v), want %v", g, got, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

// TestCapturedScopesOutliveTheirEvaluation checks that a lambda that
// leaves its evaluation (here through a native function's argument) keeps
// the scopes it captured, however many evaluations run after it.
func TestCapturedScopesOutliveTheirEvaluation(t *testing.T) {
	t.Parallel()
	var kept any
	keep := map[string]Function{"keep": {Impl: func(args []any) (any, error) {
		kept = args[0]
		return nil, nil
	}}}
	_, err := MustCompile(`$keep(function(){[$$.a, $y]})`).Eval(map[string]any{"a": int64(1)},
		&Options{Functions: keep, Bindings: map[string]any{"y": "first"}})
	require.NoError(t, err)
	require.NotNil(t, kept)
	other := MustCompile(`[$$.a, $y]`)
	for i := range 100 {
		got, err := other.Eval(map[string]any{"a": int64(i + 2)}, &Options{Bindings: map[string]any{"y": "other"}})
		require.NoError(t, err)
		require.Equal(t, []any{int64(i + 2), "other"}, got)
	}
	got, err := MustCompile(`$f()`).Eval(nil, &Options{Bindings: map[string]any{"f": kept}})
	require.NoError(t, err)
	require.Equal(t, []any{int64(1), "first"}, got)
}
