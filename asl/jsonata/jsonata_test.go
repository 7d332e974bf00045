package jsonata

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestEvalPlainValues(t *testing.T) {
	t.Parallel()
	input := map[string]any{
		"a":     int64(1),
		"n":     nil,
		"s":     "x",
		"list":  []any{int64(1), int64(2), int64(3)},
		"items": []any{map[string]any{"k": "a", "v": 1.5}, map[string]any{"k": "b", "v": int64(2)}},
	}
	tests := []struct {
		expr string
		want any
	}{
		{`a + 1`, int64(2)},
		{`a / 4`, 0.25},
		{`n`, nil},
		{`n = null`, true},
		{`$type(n)`, "null"},
		{`list[1]`, int64(2)},
		{`list[-1]`, int64(3)},
		{`list[$ > 1]`, []any{int64(2), int64(3)}},
		{`items.v`, []any{1.5, int64(2)}},
		{`$sum(items.v)`, 3.5},
		{`items{k: v}`, map[string]any{"a": 1.5, "b": int64(2)}},
		{`items[v > 1.5].k`, "b"},
		{`s & "-" & a`, "x-1"},
		{`[1..3].($ * 2)`, []any{int64(2), int64(4), int64(6)}},
		{`$string({"b": 1, "a": [true, null]})`, `{"b":1,"a":[true,null]}`},
	}
	for _, tc := range tests {
		e, err := Compile(tc.expr)
		require.NoError(t, err, tc.expr)
		got, err := e.Eval(input, nil)
		require.NoError(t, err, tc.expr)
		require.Equal(t, tc.want, got, tc.expr)
	}
}

func TestUndefinedIsNotNull(t *testing.T) {
	t.Parallel()
	input := map[string]any{"n": nil}
	got, err := MustCompile(`missing`).Eval(input, nil)
	require.NoError(t, err)
	require.Equal(t, Undefined, got)
	got, err = MustCompile(`n`).Eval(input, nil)
	require.NoError(t, err)
	require.Nil(t, got)
	got, err = MustCompile(`$exists(n) and $not($exists(missing))`).Eval(input, nil)
	require.NoError(t, err)
	require.Equal(t, true, got)
	got, err = MustCompile(`{"a": missing, "b": n}`).Eval(input, nil)
	require.NoError(t, err)
	require.Equal(t, map[string]any{"b": nil}, got)
}

func TestEvalOrderedKeepsKeyOrder(t *testing.T) {
	t.Parallel()
	input, err := ParseJSON(`{"z": 1, "a": 2, "m": {"y": 1, "b": 2}}`)
	require.NoError(t, err)
	got, err := MustCompile(`$merge([m, {"c": z, "0": a}])`).EvalOrdered(input, nil)
	require.NoError(t, err)
	obj, ok := got.(*Object)
	require.True(t, ok)
	require.Equal(t, []string{"y", "b", "c", "0"}, obj.Keys())
	keys, err := MustCompile(`$keys($)`).Eval(input, nil)
	require.NoError(t, err)
	require.Equal(t, []any{"z", "a", "m"}, keys)
}

func TestTransformDoesNotMutateInput(t *testing.T) {
	t.Parallel()
	input := map[string]any{"order": map[string]any{"price": int64(10), "tmp": true}}
	got, err := MustCompile(`$ ~> |order|{"total": price * 2}, "tmp"|`).Eval(input, nil)
	require.NoError(t, err)
	require.Equal(t, map[string]any{"order": map[string]any{"price": int64(10), "total": int64(20)}}, got)
	require.Equal(t, map[string]any{"order": map[string]any{"price": int64(10), "tmp": true}}, input)
}

func TestErrorsCarryCodesAndPositions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr, code string
		compile    bool
	}{
		{`a.`, "S0207", true},
		{`(1 + )`, "S0211", true},
		{`"abc`, "S0101", true},
		{`$f := `, "S0207", true},
		{`%`, "S0217", true},
		{`"a" + 1`, "T2001", false},
		{`1 - "b"`, "T2002", false},
		{`$substring("a", "b")`, "T0410", false},
		{`[1..1e8]`, "D2014", false},
		{`$error("boom")`, "D3137", false},
		{`$nope()`, "T1006", false},
	}
	for _, tc := range tests {
		e, err := Compile(tc.expr)
		if !tc.compile {
			require.NoError(t, err, tc.expr)
			_, err = e.Eval(nil, nil)
		}
		var je *Error
		require.True(t, errors.As(err, &je), "%s: %v", tc.expr, err)
		require.Equal(t, tc.code, je.Code, tc.expr)
		require.NotEmpty(t, je.Message, tc.expr)
	}
	_, err := Compile(`foo bar`)
	var je *Error
	require.True(t, errors.As(err, &je))
	require.Equal(t, "S0201", je.Code)
	require.Equal(t, 7, je.Position)
	require.Equal(t, "bar", je.Token)
}

func TestLimitsTurnRunawayIntoErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, expr string
		opts       *Options
	}{
		{"deep recursion", `($f := function($n){ 1 + $f($n + 1) }; $f(0))`, nil},
		{"deep recursion, high depth limit", `($f := function($n){ 1 + $f($n + 1) }; $f(0))`, &Options{MaxDepth: 1_000_000}},
		{"infinite tail recursion", `($f := function($n){ $f($n + 1) }; $f(0))`, &Options{MaxSteps: 100_000}},
		{"big loop", `$count([1..1000000].[1..100])`, &Options{MaxSteps: 100_000}},
	}
	for _, tc := range tests {
		_, err := MustCompile(tc.expr).Eval(nil, tc.opts)
		var je *Error
		require.True(t, errors.As(err, &je), "%s: %v", tc.name, err)
		require.Equal(t, "U1001", je.Code, tc.name)
	}
	// a tail-recursive loop within limits completes
	got, err := MustCompile(`($f := function($n, $acc){ $n = 0 ? $acc : $f($n - 1, $acc + 1) }; $f(5000, 0))`).Eval(nil, nil)
	require.NoError(t, err)
	require.Equal(t, int64(5000), got)
}

func TestConcurrentEvaluationOfOneExpression(t *testing.T) {
	t.Parallel()
	e := MustCompile(`($double := function($x){ $x * 2 }; $sum($map(items, $double)) + $offset)`)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				offset := int64(g*1000 + i)
				got, err := e.Eval(map[string]any{"items": []any{int64(1), int64(2), int64(3)}},
					&Options{Bindings: map[string]any{"offset": offset}})
				if err != nil {
					errs <- err
					return
				}
				if got != 12+offset {
					errs <- fmt.Errorf("goroutine %d: got %v, want %d", g, got, 12+offset)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func TestInjectedFunctionsClockAndRandom(t *testing.T) {
	t.Parallel()
	opts := &Options{
		Functions: map[string]Function{
			"add": {Signature: "<n-n:n>", Impl: func(args []any) (any, error) {
				a, _ := toNumber(args[0])
				b, _ := toNumber(args[1])
				return a + b, nil
			}},
			"fail": {Impl: func(args []any) (any, error) { return nil, errors.New("no") }},
		},
		Now:    func() time.Time { return time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC) },
		Random: func() float64 { return 0.25 },
	}
	tests := []struct {
		expr string
		want any
	}{
		{`$add(1, 2)`, int64(3)},
		{`(5).$add(2)`, int64(7)},
		{`$now()`, "2024-05-06T07:08:09.000Z"},
		{`$millis()`, int64(1714979289000)},
		{`$now() = $now()`, true},
		{`$random()`, 0.25},
	}
	for _, tc := range tests {
		got, err := MustCompile(tc.expr).Eval(nil, opts)
		require.NoError(t, err, tc.expr)
		require.Equal(t, tc.want, got, tc.expr)
	}
	_, err := MustCompile(`$add("a", 1)`).Eval(nil, opts)
	var je *Error
	require.True(t, errors.As(err, &je))
	require.Equal(t, "T0410", je.Code)
	_, err = MustCompile(`$fail()`).Eval(nil, opts)
	require.ErrorContains(t, err, "no")
	for _, expr := range []string{`$now()`, `$millis()`, `$random()`} {
		_, err := MustCompile(expr).Eval(nil, nil)
		require.True(t, errors.As(err, &je), expr)
		require.Equal(t, "U2001", je.Code, expr)
	}
}

func TestFromAndToPlain(t *testing.T) {
	t.Parallel()
	o := FromPlain(map[string]any{"b": []any{int64(1)}, "a": 2.5})
	obj, ok := o.(*Object)
	require.True(t, ok)
	require.Equal(t, []string{"a", "b"}, obj.Keys())
	require.Equal(t, map[string]any{"a": 2.5, "b": []any{int64(1)}}, ToPlain(o))
}

func TestRejectFunctions(t *testing.T) {
	x := MustCompile("function($x){$x}")
	v, err := x.Eval(Undefined, &Options{})
	require.NoError(t, err)
	require.Equal(t, Undefined, v, "without RejectFunctions a function result is Undefined")
	_, err = x.Eval(Undefined, &Options{RejectFunctions: true})
	require.ErrorIs(t, err, ErrFunctionResult)
	v, err = MustCompile("1 + 1").Eval(Undefined, &Options{RejectFunctions: true})
	require.NoError(t, err)
	require.Equal(t, int64(2), v)
}
