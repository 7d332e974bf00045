package intrinsic_test

import (
	"testing"

	"github.com/signalbox/signalbox/asl/intrinsic"
	"github.com/signalbox/signalbox/asl/jpath"
)

// BenchmarkEvalMathAdd measures the hot path of a Map state that counts
// with States.MathAdd over thousands of items.
func BenchmarkEvalMathAdd(b *testing.B) {
	c := intrinsic.MustParse("States.MathAdd($.id, $.id)")
	env := &intrinsic.Env{Scope: jpath.Scope{Input: map[string]any{"id": int64(5)}}}
	b.ReportAllocs()
	for b.Loop() {
		v, err := c.Eval(env)
		if err != nil || v != int64(10) {
			b.Fatal(v, err)
		}
	}
}

func BenchmarkEvalFormat(b *testing.B) {
	c := intrinsic.MustParse("States.Format('item {} of {}', $.id, $$.Execution.Id)")
	env := &intrinsic.Env{Scope: jpath.Scope{
		Input:   map[string]any{"id": int64(5)},
		Context: map[string]any{"Execution": map[string]any{"Id": "exec"}},
	}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Eval(env); err != nil {
			b.Fatal(err)
		}
	}
}
