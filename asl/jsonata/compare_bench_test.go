package jsonata

import (
	"fmt"
	"testing"

	blues "github.com/blues/jsonata-go"
)

// Side-by-side benchmarks of this engine and github.com/blues/jsonata-go
// (a test-only dependency: nothing outside _test files imports it).
//
// Both engines evaluate the same expression over the same Go values.
// Bindings differ in shape: ours takes them with each evaluation
// (Options.Bindings), as a state's $states changes on every visit; blues
// registers them once on the compiled expression (RegisterVars), which is
// cheaper per evaluation but ties one binding set to one *Expr.
//
//	go test -run '^$' -bench Compare -benchmem -count 5 ./asl/jsonata/

const compareSimple = `$states.input.a + 1`

// compareHeavy is BenchmarkHeavy's expression: a filter, a sort with a
// comparator and an object constructor over 1,000 items.
const compareHeavy = `$sort(items[price > 50], function($l,$r){$l.price > $r.price}).{"id": id, "total": price * qty}`

func compareSimpleBindings() map[string]any {
	return map[string]any{"states": map[string]any{"input": map[string]any{"a": int64(1)}}}
}

func compareHeavyInput() map[string]any {
	items := make([]any, 1000)
	for i := range items {
		items[i] = map[string]any{
			"id":    fmt.Sprintf("item-%d", i),
			"price": float64((i * 37) % 100),
			"qty":   int64(i%7 + 1),
		}
	}
	return map[string]any{"items": items}
}

// asFloat reads a numeric result of either engine.
func asFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// heavyLen is the number of items the heavy expression keeps: prices above
// 50 among (i*37)%100 for i < 1000.
func heavyLen() int {
	n := 0
	for i := range 1000 {
		if (i*37)%100 > 50 {
			n++
		}
	}
	return n
}

// TestCompareEnginesAgree checks, before anything is timed, that both
// engines compute the same results for the benchmarked expressions, so the
// benchmark compares equal work.
func TestCompareEnginesAgree(t *testing.T) {
	ours, err := MustCompile(compareSimple).Eval(Undefined, &Options{Bindings: compareSimpleBindings()})
	if err != nil {
		t.Fatal(err)
	}
	bx := blues.MustCompile(compareSimple)
	if err := bx.RegisterVars(compareSimpleBindings()); err != nil {
		t.Fatal(err)
	}
	theirs, err := bx.Eval(nil)
	if err != nil {
		t.Fatal(err)
	}
	a, okA := asFloat(ours)
	b, okB := asFloat(theirs)
	if !okA || !okB || a != 2 || b != 2 {
		t.Fatalf("simple: ours %#v, blues %#v; want 2", ours, theirs)
	}

	input := compareHeavyInput()
	oursH, err := MustCompile(compareHeavy).Eval(input, nil)
	if err != nil {
		t.Fatal(err)
	}
	theirsH, err := blues.MustCompile(compareHeavy).Eval(input)
	if err != nil {
		t.Fatal(err)
	}
	oa, _ := oursH.([]any)
	ta, _ := theirsH.([]any)
	if len(oa) != heavyLen() || len(ta) != heavyLen() {
		t.Fatalf("heavy: ours %d items, blues %d; want %d", len(oa), len(ta), heavyLen())
	}
	for i := range oa {
		o, _ := oa[i].(map[string]any)
		b, _ := ta[i].(map[string]any)
		ot, _ := asFloat(o["total"])
		bt, _ := asFloat(b["total"])
		if o["id"] != b["id"] || ot != bt {
			t.Fatalf("heavy item %d: ours %v, blues %v", i, o, b)
		}
	}
}

func BenchmarkCompareSimple(b *testing.B) {
	b.Run("ours", func(b *testing.B) {
		e := MustCompile(compareSimple)
		opts := &Options{Bindings: compareSimpleBindings()}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.Eval(Undefined, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("blues", func(b *testing.B) {
		e := blues.MustCompile(compareSimple)
		if err := e.RegisterVars(compareSimpleBindings()); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.Eval(nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkCompareHeavy(b *testing.B) {
	input := compareHeavyInput()
	b.Run("ours", func(b *testing.B) {
		e := MustCompile(compareHeavy)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.Eval(input, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("blues", func(b *testing.B) {
		e := blues.MustCompile(compareHeavy)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.Eval(input); err != nil {
				b.Fatal(err)
			}
		}
	})
}
